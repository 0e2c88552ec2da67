/* The time budget (issue 26): every delivered batch's door-to-door time in
 * segments that add up to it, checked on hand cases whose segments are
 * known (a daily train, fixed legs and dwells, a transfer between two
 * timetables, a queue for one server) and on the shipped scenario, where
 * every scope's segments must add up to its mean transit in every
 * replication. */
#include <criterion/criterion.h>

#include <math.h>
#include <string.h>

#include "e2e.h"
#include "railmail/diag.h"
#include "railmail/model.h"
#include "railmail/scenario.h"

#define FILE_OF(name, text) { name, text, sizeof text - 1 }

/* O and P post 40 batches a day each (Poisson); A leaves O daily at 06:00
 * and runs 10 h to the hub H (one server, 1.5 h dwell), arriving at 16:00;
 * B leaves P at 06:00 and runs 10.5 h, arriving at 16:30 while A holds the
 * server: it queues 1 h. C leaves H daily at 20:00 and trucks 7.25 h to D
 * (0.75 h dwell). A's batches are unloaded at 17:30 and wait 2.5 h for C,
 * B's at 19:00 and wait 1 h. */
static const struct scenario_file transfer[] = {
    FILE_OF("scenario.csv", "key,value\nname,budget\nhorizon_d,60.5\nwarmup_d,5\nreplications,3\nseed,11\n"
                            "service_standard_d,3\nconfidence,0.95\n"),
    FILE_OF("nodes.csv", "id,name,country,kind,servers,dwell_h,scan\nO,O,CN,origin,,fixed(0),0\n"
                         "P,P,CN,origin,,fixed(0),0\nH,H,BY,hub,1,fixed(1.5),1\nD,D,DE,destination,,fixed(0.75),0\n"),
    FILE_OF("legs.csv", "from,to,km,time_h,mode\nO,H,800,fixed(10),rail_electric\nP,H,800,fixed(10.5),rail_electric\n"
                        "H,D,500,fixed(7.25),truck\n"),
    FILE_OF("services.csv", "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
                            "A,O>H,7,6,1000,0\nB,P>H,7,6,1000,0\nC,H>D,7,20,1000,0\n"),
    FILE_OF("demand.csv", "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\n"
                          "O,D,40,fixed(12.5),0\nP,D,40,fixed(12.5),0\n"),
};

static struct scenario *load(const struct scenario_file *files, size_t n)
{
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    cr_assert_eq(scenario_load_memory("budget", files, n, NULL, NULL, 0, NULL, 0, &s, d), RM_OK, "%s",
                 diag_message(d, 0));
    diag_destroy(d);
    return s;
}

/* The record of replication `rep` of model m. */
static void run_one(const struct model *m, unsigned rep, struct model_record *rec)
{
    struct diag *d = diag_create();
    struct model_sinks sinks = { 0 };
    model_record_clear(m, rec);
    cr_assert_eq(model_run(m, rep, &sinks, rec, d), RM_OK, "%s", diag_message(d, 0));
    diag_destroy(d);
}

/* The value of segment `segment` at `scope` in the record; NaN if none. */
static double segment(const struct model *m, const struct model_record *rec, const char *name, const char *scope)
{
    size_t segments, scopes, first = model_budget(m, &segments, &scopes);
    for (size_t row = first; row < first + segments * scopes; row++)
        if (!strcmp(model_row_metric(m, row), name) && !strcmp(model_row_scope(m, row), scope))
            return rec->values[row];
    return NAN;
}

/* Every budget scope's segments add up to its transit_mean_d. */
static void segments_add_up(const struct model *m, const struct model_record *rec)
{
    size_t segments, scopes, first = model_budget(m, &segments, &scopes);
    for (size_t j = 0; j < scopes; j++) {
        size_t row = first + j * segments;
        const char *scope = model_row_scope(m, row);
        double sum = 0, transit = rec->values[model_row(m, "transit_mean_d", scope)];
        for (size_t k = 0; k < segments; k++) {
            cr_assert(rec->values[row + k] >= -1e-12, "%s at %s: %g", model_row_metric(m, row + k), scope,
                      rec->values[row + k]);
            sum += rec->values[row + k];
        }
        cr_assert(fabs(sum - transit) <= 1e-9 * transit, "%s: segments %.15g, transit %.15g", scope, sum, transit);
    }
}

static void near(double got, double want, double tol, const char *what)
{
    cr_assert(fabs(got - want) <= tol, "%s: %.12g, expected %.12g", what, got, want);
}

Test(budget, fixed_legs_a_transfer_and_a_queue_give_their_hand_values)
{
    struct scenario *s = load(transfer, sizeof transfer / sizeof *transfer);
    struct model *m = model_create(s);
    cr_assert_not_null(m);
    size_t segments, scopes;
    model_budget(m, &segments, &scopes);
    /* the waits, then the two modes ridden */
    cr_assert_eq(segments, 6);
    cr_assert_eq(scopes, 1 + 2 + 2 + 2);
    struct model_record rec;
    cr_assert_eq(model_record_init(m, &rec), RM_OK);
    double origin_wait = 0;
    for (unsigned rep = 1; rep <= 3; rep++) {
        run_one(m, rep, &rec);
        segments_add_up(m, &rec);
        const double h = 1 / 24.0, tol = 1e-9;
        near(segment(m, &rec, "moving_rail_electric", "od:O-D"), 10 * h, tol, "O-D rail");
        near(segment(m, &rec, "moving_rail_electric", "od:P-D"), 10.5 * h, tol, "P-D rail");
        near(segment(m, &rec, "moving_truck", "od:O-D"), 7.25 * h, tol, "O-D truck");
        near(segment(m, &rec, "handling", "od:O-D"), (1.5 + 0.75) * h, tol, "O-D handling");
        near(segment(m, &rec, "handling", "od:P-D"), (1.5 + 0.75) * h, tol, "P-D handling");
        near(segment(m, &rec, "queue", "od:O-D"), 0, tol, "O-D queue");
        near(segment(m, &rec, "queue", "od:P-D"), 1 * h, tol, "P-D queue");
        near(segment(m, &rec, "transfer_wait", "od:O-D"), 2.5 * h, tol, "O-D transfer");
        near(segment(m, &rec, "transfer_wait", "od:P-D"), 1 * h, tol, "P-D transfer");
        near(segment(m, &rec, "transfer_wait", "path:A>C"), 2.5 * h, tol, "path A>C transfer");
        origin_wait += segment(m, &rec, "origin_wait", "origin:O") / 3;
    }
    /* Poisson postings and a train a day: half a day on average (about
     * 6,600 batches: a standard error near 0.004 d) */
    near(origin_wait, 0.5, 0.02, "origin wait");
    model_record_fini(&rec);
    model_destroy(m);
    scenario_destroy(s);
}

/* The shipped scenario (queues at Brest, gauge changes, four modes), and
 * with a run-out too short for the last mail, whose time so far is taken
 * out again: the segments still add up at every scope. */
static void adds_up_on_the_shipped_scenario(const char *const *sets, size_t n_sets)
{
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    cr_assert_eq(scenario_load("scenarios/china-europe-via-belarus", NULL, sets, n_sets, &s, d), RM_OK, "%s",
                 diag_message(d, 0));
    struct model *m = model_create(s);
    struct model_record rec;
    cr_assert_eq(model_record_init(m, &rec), RM_OK);
    for (unsigned rep = 1; rep <= 2; rep++) {
        run_one(m, rep, &rec);
        segments_add_up(m, &rec);
        cr_assert(segment(m, &rec, "queue", "all") > 0);
        cr_assert(segment(m, &rec, "transfer_wait", "all") > 0);
    }
    model_record_fini(&rec);
    model_destroy(m);
    scenario_destroy(s);
    diag_destroy(d);
}

Test(budget, segments_add_up_to_transit_at_every_scope, .timeout = 120)
{
    const char *sets[] = { "scenario.horizon_d=120" };
    adds_up_on_the_shipped_scenario(sets, 1);
}

Test(budget, segments_add_up_with_mail_still_on_the_way, .timeout = 120)
{
    const char *sets[] = { "scenario.horizon_d=120", "scenario.runout_d=2" };
    adds_up_on_the_shipped_scenario(sets, 2);
}

/* Writes the hand case into directory dir/s, with the proposal
 * faster-hub (H's dwell 1 h instead of 1.5 h); returns dir/s. */
static char *write_transfer_scenario(const char *dir)
{
    char *s = e2e_format("%s/s", dir);
    e2e_mkdir(dir, "s");
    for (size_t i = 0; i < sizeof transfer / sizeof *transfer; i++)
        e2e_write(s, transfer[i].name, transfer[i].data);
    e2e_mkdir(s, "proposals");
    char *p = e2e_format("%s/proposals", s);
    e2e_mkdir(p, "faster-hub");
    char *f = e2e_format("%s/faster-hub", p);
    e2e_write(f, "description.txt", "faster-hub: H's dwell 1 h instead of 1.5 h\n");
    e2e_write(f, "nodes.csv", "id,name,country,kind,servers,dwell_h,scan\nH,H,BY,hub,1,fixed(1),1\n");
    free(f), free(p);
    return s;
}

/* A faster hub in the hand case: A's batches are unloaded at 17:00 and
 * wait 3 h for C (half an hour more); B, arriving at 16:30, queues until
 * 17:00 (half an hour less) and its batches wait 2 h (an hour more). Door
 * to door nothing changes, as C still leaves at 20:00: half an hour less
 * handling and a quarter less queue (B's half of the mail) become three
 * quarters of an hour more transfer wait. */
Test(budget, compare_says_where_a_proposal_s_time_changes, .timeout = 120)
{
    char *t = e2e_tmpdir(), *s = write_transfer_scenario(t), *out = e2e_format("%s/out", t);
    cr_assert_eq(e2e_runf(out, NULL, "compare %s -r 3 --no-plot -o %s/c", s, t), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "Where the time changes, proposal minus baseline (days door to door per delivered "
                           "batch at scope all):\nfaster-hub: +0.00 d, of which transfer_wait +0.03, handling -0.02, "
                           "queue -0.01\n"),
              "%s", text);
    cr_assert_null(strstr(text, "origin_wait"), "%s", text);
    free(text), free(out), free(s);
    e2e_rmtree(t);
}
