/* net: least-expected-time routing, computed by hand on a small network. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "railmail/net.h"
#include "railmail/scenario.h"

/* A to D directly on a slow daily train (A>B>D), or on a fast train to C
 * and a connection C>D. Expected hours, wait = 84 / departures_per_week:
 *   SLOW A>B>D: 12 + 2 (cutoff) + 30 + 1.5 (dwell B) + 40.25 + 0.75 (dwell D) = 86.5
 *   A>C: 6 + 1 + 20.5 + 2.25 (dwell C)  = 29.75;  C>D: 12 + 0 + 15 + 0.75 = 27.75
 * so A reaches D via C in 57.5 h, and B reaches D on SLOW in 12 + 2 + 40.25 + 0.75 = 55. */
static struct scenario *load(struct diag *d)
{
    static const char scenario[] = "key,value\nname,routing\nservice_standard_d,5\n";
    static const char nodes[] = "id,name,country,kind,servers,dwell_h,scan\n"
                                "A,A,CN,origin,,fixed(0),0\nB,B,KZ,border,,fixed(1.5),0\n"
                                "C,C,BY,hub,,fixed(2.25),0\nD,D,DE,destination,,fixed(0.75),0\n";
    static const char legs[] = "from,to,km,time_h\nA,B,100,fixed(30)\nB,D,100,fixed(40.25)\n"
                               "A,C,100,\"uniform(15.5,25.5)\"\nC,D,100,fixed(15)\n";
    static const char services[] = "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
                                   "SLOW,A>B>D,7,0,10,2\nFAST,A>C,14,0,10,1\nLINK,C>D,7,0,10,0\n"
                                   "FREIGHT,A>D,168,0,0,0\n";
    static const char demand[] = "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\n"
                                 "A,D,3.5,fixed(12.5),0\nB,D,1.25,fixed(12.5),0\n";
    char legs_all[512];
    snprintf(legs_all, sizeof legs_all, "%sA,D,100,fixed(1)\n", legs);
    const struct scenario_file files[] = {
        { "scenario.csv", scenario, strlen(scenario) }, { "nodes.csv", nodes, strlen(nodes) },
        { "legs.csv", legs_all, strlen(legs_all) },      { "services.csv", services, strlen(services) },
        { "demand.csv", demand, strlen(demand) },
    };
    struct scenario *s = NULL;
    enum rm_status st = scenario_load_memory("routing", files, 5, NULL, NULL, 0, NULL, 0, &s, d);
    cr_assert_eq(st, RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    return s;
}

static size_t node(const struct scenario *s, const char *id)
{
    size_t i = scenario_node_find(s, id);
    cr_assert_neq(i, SIZE_MAX);
    return i;
}

static size_t service(const struct scenario *s, const char *id)
{
    for (size_t k = 0; k < s->n_services; k++)
        if (!strcmp(s->services[k].id, id))
            return k;
    cr_assert_fail("no service %s", id);
    return SIZE_MAX;
}

Test(net, least_expected_time_takes_the_transfer)
{
    struct diag *d = diag_create();
    struct scenario *s = load(d);
    struct net *n = net_create(s);
    cr_assert_not_null(n);
    size_t A = node(s, "A"), B = node(s, "B"), C = node(s, "C"), D = node(s, "D");
    cr_assert_float_eq(net_expected_h(n, A, D), 57.5, 1e-9);
    cr_assert_float_eq(net_expected_h(n, B, D), 55.0, 1e-9);
    cr_assert_float_eq(net_expected_h(n, C, D), 27.75, 1e-9);
    cr_assert(isinf(net_expected_h(n, D, A)), "nothing runs back");
    struct net_hop hop;
    cr_assert(net_next(n, A, D, &hop));
    cr_assert_eq(hop.service, service(s, "FAST"));
    cr_assert_eq(hop.board_stop, 0);
    cr_assert_eq(hop.alight_stop, 1);
    cr_assert(net_next(n, C, D, &hop));
    cr_assert_eq(hop.service, service(s, "LINK"));
    /* B is on SLOW's route: board at stop 1, get off at stop 2 */
    cr_assert(net_next(n, B, D, &hop));
    cr_assert_eq(hop.service, service(s, "SLOW"));
    cr_assert_eq(hop.board_stop, 1);
    cr_assert_eq(hop.alight_stop, 2);
    cr_assert_not(net_next(n, D, D, &hop), "a batch at its destination goes nowhere");
    net_destroy(n);
    scenario_destroy(s);
    diag_destroy(d);
}

Test(net, services_without_capacity_carry_no_mail)
{
    struct diag *d = diag_create();
    struct scenario *s = load(d);
    struct net *n = net_create(s);
    struct net_hop hop;
    /* FREIGHT runs A>D in an hour every hour but has capacity 0 */
    cr_assert(net_next(n, node(s, "A"), node(s, "D"), &hop));
    cr_assert_neq(hop.service, service(s, "FREIGHT"));
    net_destroy(n);
    scenario_destroy(s);
    diag_destroy(d);
}

Test(net, epochs_begin_where_a_service_starts_or_ends_inside_the_horizon)
{
    struct diag *d = diag_create();
    struct scenario *s = load(d);
    double *at;
    cr_assert_eq(net_epochs(s, 1000, &at), 0);
    cr_assert_null(at);
    s->services[service(s, "SLOW")].start_h = 612.25;
    s->services[service(s, "FAST")].end_h = 240.5;
    s->services[service(s, "LINK")].start_h = 240.5;   /* the same hour counts once */
    s->services[service(s, "FREIGHT")].end_h = 1000;   /* at the horizon: nothing changes inside */
    cr_assert_eq(net_epochs(s, 1000, &at), 3);
    cr_assert_eq(at[0], 0);
    cr_assert_eq(at[1], 240.5);
    cr_assert_eq(at[2], 612.25);
    free(at);
    scenario_destroy(s);
    diag_destroy(d);
}
