/* Tests for scenario loading: the spreadsheet quirks of CSV, defaults,
 * index resolution, overlays, --set overrides and error positions. Most
 * cases load from memory; one goes through a real directory. */
#include "e2e.h"

#include <time.h>

#include "railmail/scenario.h"

#define SCENARIO_CSV "key,value\nname,mini\nhorizon_d,120.5\nwarmup_d,14\n"
#define NODES_CSV                                              \
    "id,name,country,kind,servers,dwell_h,scan\n"              \
    "CQ,Chongqing,CN,origin,,fixed(2.5),1\n"                   \
    "AKZ,Altynkol,KZ,border,2,\"lognormal(8.5,0.4)\",1\n"      \
    "BRS,Brest,BY,hub,3,\"gamma(12.25,0.5)\",1\n"              \
    "WAW,Warsaw,PL,destination,,fixed(3.75),0\n"
#define LEGS_CSV                                               \
    "from,to,km,time_h\n"                                      \
    "CQ,AKZ,3900,\"lognormal(96.5,0.15)\"\n"                   \
    "AKZ,BRS,5200,\"lognormal(130.25,0.2)\"\n"                 \
    "BRS,WAW,210,fixed(6.5)\n"
#define SERVICES_CSV                                                        \
    "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"  \
    "CQ-BRS,CQ>AKZ>BRS,3,10.5,41.5,6\n"                                     \
    "BRS-WAW,BRS>WAW,7,8,20,2\n"
#define DEMAND_CSV                                                       \
    "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\n" \
    "CQ,WAW,12.5,\"lognormal(25.5,0.3)\",8.5\n"

struct files {
    struct scenario_file f[16];
    size_t n;
};

static void put(struct files *fs, const char *name, const char *data)
{
    for (size_t i = 0; i < fs->n; i++) {
        if (strcmp(fs->f[i].name, name) == 0) {
            fs->f[i].data = data;
            fs->f[i].len = strlen(data);
            return;
        }
    }
    fs->f[fs->n++] = (struct scenario_file){name, data, strlen(data)};
}

static struct files base_files(void)
{
    struct files fs = {.n = 0};
    put(&fs, "scenario.csv", SCENARIO_CSV);
    put(&fs, "nodes.csv", NODES_CSV);
    put(&fs, "legs.csv", LEGS_CSV);
    put(&fs, "services.csv", SERVICES_CSV);
    put(&fs, "demand.csv", DEMAND_CSV);
    return fs;
}

/* Loads from memory and asserts success, printing the messages if not. */
static struct scenario *load_ok(const struct files *base, const struct files *overlay,
                                const char *const *sets, size_t n_sets)
{
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    enum rm_status rc = scenario_load_memory("sc/x", base->f, base->n,
                                             overlay ? "sc/x/proposals/p" : NULL,
                                             overlay ? overlay->f : NULL,
                                             overlay ? overlay->n : 0, sets, n_sets, &s, d);
    for (size_t i = 0; i < diag_count(d); i++)
        cr_log_error("%s", diag_message(d, i));
    cr_assert_eq(rc, RM_OK);
    cr_assert_not_null(s);
    diag_destroy(d);
    return s;
}

/* Loads from memory, expects failure and returns the messages joined by "\n". */
static char *load_fail(const struct files *base, const struct files *overlay,
                       const char *const *sets, size_t n_sets)
{
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    enum rm_status rc = scenario_load_memory("sc/x", base->f, base->n,
                                             overlay ? "sc/x/proposals/p" : NULL,
                                             overlay ? overlay->f : NULL,
                                             overlay ? overlay->n : 0, sets, n_sets, &s, d);
    cr_assert_eq(rc, RM_EINPUT);
    cr_assert_null(s);
    size_t len = 1;
    for (size_t i = 0; i < diag_count(d); i++)
        len += strlen(diag_message(d, i)) + 1;
    char *all = calloc(1, len);
    for (size_t i = 0; i < diag_count(d); i++) {
        strcat(all, diag_message(d, i));
        strcat(all, "\n");
    }
    diag_destroy(d);
    return all;
}

static void expect_message(const char *all, const char *line)
{
    char *want = malloc(strlen(line) + 2);
    sprintf(want, "%s\n", line);
    cr_expect_not_null(strstr(all, want), "expected the message\n  %s\namong\n%s", line, all);
    free(want);
}

Test(scenario, template_loads_with_indices_resolved)
{
    struct files fs = base_files();
    struct scenario *s = load_ok(&fs, NULL, NULL, 0);
    cr_expect_str_eq(s->name, "mini");
    cr_expect_str_eq(s->dir, "sc/x");
    cr_expect_eq(s->n_nodes, 4);
    cr_expect_eq(s->n_legs, 3);
    cr_expect_eq(s->n_services, 2);
    cr_expect_eq(s->n_demand, 1);
    cr_expect_eq(s->n_disruptions, 0);
    size_t cq = scenario_node_find(s, "CQ"), akz = scenario_node_find(s, "AKZ"),
           brs = scenario_node_find(s, "BRS"), waw = scenario_node_find(s, "WAW");
    cr_expect_eq(cq, 0);
    cr_expect_eq(waw, 3);
    cr_expect_eq(scenario_node_find(s, "XX"), SIZE_MAX);
    cr_expect_eq(s->nodes[akz].servers, 2);
    cr_expect_eq(s->nodes[cq].servers, 0);
    cr_expect(s->nodes[brs].scan);
    cr_expect_not(s->nodes[waw].scan);
    cr_expect_eq(s->nodes[brs].kind, NODE_HUB);
    cr_expect_str_eq(scenario_node_kind_name(s->nodes[waw].kind), "destination");
    cr_expect_float_eq(dist_mean(&s->nodes[cq].dwell_h), 2.5, 1e-12);
    size_t leg = scenario_leg_find(s, akz, brs);
    cr_expect_eq(leg, 1);
    cr_expect_eq(scenario_leg_find(s, brs, akz), SIZE_MAX);
    cr_expect_float_eq(s->legs[leg].km, 5200, 1e-12);
    const struct scenario_service *v = &s->services[0];
    cr_assert_eq(v->route_len, 3);
    cr_expect_eq(v->route[0], cq);
    cr_expect_eq(v->route[1], akz);
    cr_expect_eq(v->route[2], brs);
    cr_expect_eq(v->legs[0], 0);
    cr_expect_eq(v->legs[1], 1);
    cr_expect_float_eq(v->departures_per_week, 3, 1e-12);
    cr_expect_float_eq(v->first_departure_h, 10.5, 1e-12);
    cr_expect_float_eq(v->capacity_t, 41.5, 1e-12);
    cr_expect_float_eq(v->cost_per_train, 0, 1e-12);
    cr_expect_eq(s->demand[0].origin, cq);
    cr_expect_eq(s->demand[0].destination, waw);
    cr_expect_float_eq(s->demand[0].growth_pct_per_year, 8.5, 1e-12);
    scenario_destroy(s);
}

Test(scenario, defaults_when_keys_are_absent)
{
    struct files fs = base_files();
    put(&fs, "scenario.csv", "key,value\n");
    struct scenario *s = load_ok(&fs, NULL, NULL, 0);
    cr_expect_str_eq(s->name, "x");  /* the directory's last component */
    cr_expect_str_eq(scenario_basename(s), "x");
    cr_expect_str_eq(s->description, "");
    cr_expect_float_eq(s->horizon_d, 365, 1e-12);
    cr_expect_float_eq(s->warmup_d, 28, 1e-12);
    cr_expect_eq(s->replications, 10);
    cr_expect_eq(s->seed, 1);
    cr_expect_float_eq(s->service_standard_d, 18, 1e-12);
    cr_expect_float_eq(s->confidence, 0.95, 1e-12);
    scenario_destroy(s);
}

Test(scenario, bom_and_crlf_are_accepted)
{
    struct files fs = base_files();
    put(&fs, "nodes.csv",
        "\xEF\xBB\xBFid,name,country,kind,servers,dwell_h,scan\r\n"
        "CQ,Chongqing,CN,origin,,fixed(2.5),1\r\n"
        "AKZ,Altynkol,KZ,border,2,\"lognormal(8.5,0.4)\",1\r\n"
        "BRS,Brest,BY,hub,3,\"gamma(12.25,0.5)\",1\r\n"
        "WAW,Warsaw,PL,destination,,fixed(3.75),0\r\n\r\n");
    put(&fs, "scenario.csv", "\xEF\xBB\xBFkey,value\r\nseed,18446744073709551615\r\n");
    struct scenario *s = load_ok(&fs, NULL, NULL, 0);
    cr_expect_eq(s->n_nodes, 4);
    cr_expect_str_eq(s->nodes[0].id, "CQ");
    cr_expect_str_eq(s->nodes[3].country, "PL");
    cr_expect_eq(s->seed, UINT64_MAX);
    scenario_destroy(s);
}

Test(scenario, quoted_fields_keep_commas_quotes_and_newlines)
{
    struct files fs = base_files();
    put(&fs, "nodes.csv",
        "id,name,country,kind,servers,dwell_h,scan\n"
        "CQ,\"Chongqing, \"\"Tuanjiecun\"\"\nterminal\",CN,origin,,fixed(2.5),1\n"
        "AKZ,Altynkol,KZ,border,\"2\",\"lognormal(8.5,0.4)\",1\n"
        "BRS,Brest,BY,hub,3,\"gamma(12.25,0.5)\",1\n"
        "WAW,Warsaw,PL,destination,,fixed(3.75),0\n");
    put(&fs, "scenario.csv", "key,value\ndescription,\"Line one,\nline \"\"two\"\"\"\n");
    struct scenario *s = load_ok(&fs, NULL, NULL, 0);
    cr_expect_str_eq(s->nodes[0].name, "Chongqing, \"Tuanjiecun\"\nterminal");
    cr_expect_eq(s->nodes[1].servers, 2);
    cr_expect_str_eq(s->description, "Line one,\nline \"two\"");
    scenario_destroy(s);
}

Test(scenario, comments_blank_lines_and_spaces_around_numbers)
{
    struct files fs = base_files();
    put(&fs, "legs.csv",
        "# legs of the mini network\n"
        "from, to ,km,time_h\n"
        "\n"
        "  # a comment with a \"quote, and a comma\n"
        "CQ , AKZ,  3900.25 ,\"lognormal(96.5,0.15)\"\n"
        "AKZ,BRS,\" 5200 \",\"lognormal(130.25,0.2)\"\n"
        ",,,\n"
        "BRS,WAW,2.1e2,fixed(6.5)\n"
        "\n\n\n");
    struct scenario *s = load_ok(&fs, NULL, NULL, 0);
    cr_assert_eq(s->n_legs, 3);
    cr_expect_float_eq(s->legs[0].km, 3900.25, 1e-12);
    cr_expect_float_eq(s->legs[1].km, 5200, 1e-12);
    cr_expect_float_eq(s->legs[2].km, 210, 1e-12);
    scenario_destroy(s);
}

Test(scenario, columns_in_another_order)
{
    struct files fs = base_files();
    put(&fs, "services.csv",
        "cutoff_h,capacity_t,cost_per_train,route,id,first_departure_h,departures_per_week\n"
        "6,41.5,125000.75,CQ>AKZ>BRS,CQ-BRS,10.5,3\n"
        "2,20,,BRS>WAW,BRS-WAW,8,7\n");
    put(&fs, "scenario.csv", "value,key\n2.385,warmup_d\n");
    struct scenario *s = load_ok(&fs, NULL, NULL, 0);
    cr_expect_str_eq(s->services[0].id, "CQ-BRS");
    cr_expect_float_eq(s->services[0].cutoff_h, 6, 1e-12);
    cr_expect_float_eq(s->services[0].cost_per_train, 125000.75, 1e-9);
    cr_expect_float_eq(s->services[1].departures_per_week, 7, 1e-12);
    cr_expect_float_eq(s->warmup_d, 2.385, 1e-12);
    scenario_destroy(s);
}

Test(scenario, unquoted_distribution_is_joined_back)
{
    struct files fs = base_files();
    put(&fs, "legs.csv",
        "from,to,km,time_h\n"
        "CQ,AKZ,3900,lognormal(96.5,0.15)\n"
        "AKZ,BRS,5200,triangular(120, 130.25, 150)\n"
        "BRS,WAW,210,fixed(6.5)\n");
    struct scenario *s = load_ok(&fs, NULL, NULL, 0);
    cr_expect_float_eq(dist_mean(&s->legs[0].time_h), 96.5, 1e-9);
    cr_expect_float_eq(dist_mean(&s->legs[1].time_h), (120 + 130.25 + 150) / 3.0, 1e-9);
    scenario_destroy(s);
}

Test(scenario, disruptions_target_nodes_and_services)
{
    struct files fs = base_files();
    put(&fs, "disruptions.csv",
        "target,start_d,duration_d,capacity_factor\nBRS,40,3.5,0.5\nCQ-BRS,100,7,0\n");
    struct scenario *s = load_ok(&fs, NULL, NULL, 0);
    cr_assert_eq(s->n_disruptions, 2);
    cr_expect_eq(s->disruptions[0].target_kind, TARGET_NODE);
    cr_expect_eq(s->disruptions[0].target, 2);
    cr_expect_eq(s->disruptions[1].target_kind, TARGET_SERVICE);
    cr_expect_eq(s->disruptions[1].target, 0);
    cr_expect_float_eq(s->disruptions[0].duration_d, 3.5, 1e-12);
    scenario_destroy(s);
}

Test(scenario, overlay_replaces_adds_and_overrides_keys)
{
    struct files fs = base_files();
    struct files ov = {.n = 0};
    put(&ov, "scenario.csv", "key,value\nhorizon_d,200.25\nreplications,7\n");
    put(&ov, "services.csv",
        "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
        "CQ-BRS,CQ>AKZ>BRS,5.5,10.5,41.5,6\n"
        "CQ-WAW,CQ>AKZ>BRS>WAW,1,30,38,12\n");
    put(&ov, "legs.csv", "from,to,km,time_h\nAKZ,BRS,5100,fixed(120.75)\n");
    put(&ov, "description.txt", "  Five trains a week.\n");
    struct scenario *s = load_ok(&fs, &ov, NULL, 0);
    cr_expect_str_eq(s->name, "mini");           /* kept from the base */
    cr_expect_float_eq(s->warmup_d, 14, 1e-12);  /* kept */
    cr_expect_float_eq(s->horizon_d, 200.25, 1e-12);
    cr_expect_eq(s->replications, 7);
    cr_assert_eq(s->n_services, 3);
    cr_expect_float_eq(s->services[0].departures_per_week, 5.5, 1e-12);
    cr_expect_str_eq(s->services[2].id, "CQ-WAW");
    cr_expect_eq(s->services[2].route_len, 4);
    cr_expect_eq(s->n_legs, 3);
    cr_expect_float_eq(s->legs[1].km, 5100, 1e-12);
    cr_expect_float_eq(dist_mean(&s->legs[1].time_h), 120.75, 1e-12);
    cr_expect_str_eq(s->description, "Five trains a week.");
    scenario_destroy(s);
}

Test(scenario, overlay_errors_name_the_overlay_file)
{
    struct files fs = base_files();
    struct files ov = {.n = 0};
    put(&ov, "nodes.csv", "id,name,country,kind,servers,dwell_h,scan\nBRS,Brest,BY,hub,-1,fixed(1),1\n");
    char *all = load_fail(&fs, &ov, NULL, 0);
    expect_message(all, "sc/x/proposals/p/nodes.csv:2:5: servers: expected a whole number "
                        ">= 1 and <= 10000, or empty for no limit, got \"-1\"");
    free(all);
}

Test(scenario, set_replaces_one_cell)
{
    struct files fs = base_files();
    const char *sets[] = {"services.CQ-BRS.departures_per_week=4",
                          "legs.AKZ-BRS.km= 5150.5 ",
                          "demand.CQ-WAW.batches_per_day=2.385",
                          "nodes.BRS.servers=",
                          "scenario.horizon_d=400",
                          "scenario.seed.value=99",
                          "scenario.description=via --set"};
    struct scenario *s = load_ok(&fs, NULL, sets, 7);
    cr_expect_float_eq(s->services[0].departures_per_week, 4, 1e-12);
    cr_expect_float_eq(s->legs[1].km, 5150.5, 1e-12);
    cr_expect_float_eq(s->demand[0].batches_per_day, 2.385, 1e-12);
    cr_expect_eq(s->nodes[2].servers, 0);
    cr_expect_float_eq(s->horizon_d, 400, 1e-12);
    cr_expect_eq(s->seed, 99);
    cr_expect_str_eq(s->description, "via --set");
    scenario_destroy(s);
}

Test(scenario, set_applies_after_the_overlay)
{
    struct files fs = base_files();
    struct files ov = {.n = 0};
    put(&ov, "services.csv",
        "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
        "CQ-BRS,CQ>AKZ>BRS,5.5,10.5,41.5,6\n");
    const char *sets[] = {"services.CQ-BRS.departures_per_week=6.25"};
    struct scenario *s = load_ok(&fs, &ov, sets, 1);
    cr_expect_float_eq(s->services[0].departures_per_week, 6.25, 1e-12);
    scenario_destroy(s);
}

Test(scenario, set_errors_are_named_after_the_set)
{
    struct files fs = base_files();
    put(&fs, "disruptions.csv", "target,start_d,duration_d,capacity_factor\nCQ-BRS,100.5,7,0\n");
    const char *sets[] = {"services.CQ-BRS.departures_per_week=lots",
                          "trains.X.y=1",
                          "services.NOPE.capacity_t=1",
                          "legs.CQ-AKZ.speed=3",
                          "disruptions.CQ-BRS-100.5.capacity_factor=-2",
                          "noequals"};
    char *all = load_fail(&fs, NULL, sets, 6);
    expect_message(all, "--set services.CQ-BRS.departures_per_week: departures_per_week: "
                        "expected a number > 0 and <= 10080 (one a minute), got \"lots\"");
    expect_message(all, "--set trains.X.y: expected FILE among scenario, nodes, legs, services, "
                        "demand, disruptions, seasonality, got \"trains\"");
    expect_message(all, "--set services.NOPE.capacity_t: expected ID of a row of services.csv, "
                        "got \"NOPE\"");
    expect_message(all, "--set legs.CQ-AKZ.speed: expected COLUMN among from, to, km, time_h, mode, "
                        "co2_g_per_tkm, got \"speed\"");
    expect_message(all, "--set disruptions.CQ-BRS-100.5.capacity_factor: capacity_factor: "
                        "expected a number >= 0 and <= 100, got \"-2\"");
    expect_message(all, "--set noequals: expected FILE.ID.COLUMN=VALUE, got \"noequals\"");
    free(all);
}

Test(scenario, every_problem_is_reported_at_once)
{
    struct files fs = base_files();
    put(&fs, "nodes.csv",
        "id,name,country,kind,servers,dwell_h,scan\n"
        "CQ,Chongqing,CN,origin,0,fixed(2.5),1\n"
        "AKZ,Altynkol,KZ,border,2,\"lognormal(8.5,0.4)\",2\n"
        "BRS,Brest,BY,hubb,3,\"gamma(12.25,0.5)\",1\n"
        "WAW,Warsaw,PL,destination,,fixed(3.75),0\n");
    put(&fs, "demand.csv",
        "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\n"
        "CQ,WAW,-1,\"lognormal(25.5,0.3)\",\n");
    char *all = load_fail(&fs, NULL, NULL, 0);
    expect_message(all, "sc/x/nodes.csv:2:5: servers: expected a whole number >= 1 and "
                        "<= 10000, or empty for no limit, got \"0\"");
    expect_message(all, "sc/x/nodes.csv:3:7: scan: expected 0, 1 or empty, got \"2\"");
    expect_message(all, "sc/x/nodes.csv:4:4: kind: expected origin, border, hub or destination, "
                        "got \"hubb\"");
    expect_message(all, "sc/x/demand.csv:2:3: batches_per_day: expected a number > 0 and "
                        "<= 1000000, got \"-1\"");
    free(all);
}

Test(scenario, positions_count_lines_where_fields_start)
{
    struct files fs = base_files();
    put(&fs, "nodes.csv",
        "id,name,country,kind,servers,dwell_h,scan\r\n"
        "# comment\r\n"
        "CQ,\"Chong\r\nqing\",CN,origin,,fixed(2.5),\r\n"
        "1\r\n"
        "AKZ,Altynkol,KZ,border,2,\"lognormal(8.5,0.4)\",1\r\n"
        "BRS,Brest,BY,hub,3,\"gamma(12.25,0.5)\",1\r\n"
        "WAW,Warsaw,PL,destination,,fixed(3.75),\"\n2\"\r\n");
    char *all = load_fail(&fs, NULL, NULL, 0);
    /* The CQ row spans lines 3-4 and ends with an empty scan, so "1" on
     * line 5 is a row of its own; the last scan field starts on line 8. */
    expect_message(all, "sc/x/nodes.csv:5: expected 7 fields as in the header, got 1");
    expect_message(all, "sc/x/nodes.csv:8:7: scan: expected 0, 1 or empty, got \"2\"");
    free(all);
}

Test(scenario, missing_directory_is_one_message)
{
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    cr_expect_eq(scenario_load("/nonexistent/railmail-x", NULL, NULL, 0, &s, d), RM_EINPUT);
    cr_expect_null(s);
    cr_assert_eq(diag_count(d), 1);
    cr_expect_str_eq(diag_message(d, 0),
                     "/nonexistent/railmail-x: expected a scenario directory, got no such directory");
    diag_destroy(d);
}

/* A new temporary directory holding this file's scenario as CSV files and
 * a proposal proposals/daily/ that runs CQ-BRS every day (without the
 * description.txt a proposal needs); for e2e_rmtree. */
static char *scenario_dir(void)
{
    char *dir = e2e_tmpdir();
    e2e_write(dir, "scenario.csv", SCENARIO_CSV);
    e2e_write(dir, "nodes.csv", NODES_CSV);
    e2e_write(dir, "legs.csv", LEGS_CSV);
    e2e_write(dir, "services.csv", SERVICES_CSV);
    e2e_write(dir, "demand.csv", DEMAND_CSV);
    e2e_mkdir(dir, "proposals");
    e2e_mkdir(dir, "proposals/daily");
    e2e_write(dir, "proposals/daily/services.csv",
              "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
              "CQ-BRS,CQ>AKZ>BRS,7,10.5,41.5,6\n");
    return dir;
}

Test(scenario, loads_a_directory_and_its_proposal)
{
    char *dir = scenario_dir(), *prop = e2e_format("%s/proposals/daily", dir);
    char *given = e2e_format("%s/", dir);  /* a trailing slash is dropped */
    e2e_write(prop, "description.txt", "Daily trains from Chongqing.\n");

    struct diag *d = diag_create();
    struct scenario *s = NULL;
    enum rm_status rc = scenario_load(given, prop, NULL, 0, &s, d);
    for (size_t i = 0; i < diag_count(d); i++)
        cr_log_error("%s", diag_message(d, i));
    cr_assert_eq(rc, RM_OK);
    cr_expect_str_eq(s->dir, dir);
    cr_expect_float_eq(s->services[0].departures_per_week, 7, 1e-12);
    cr_expect_str_eq(s->description, "Daily trains from Chongqing.");
    scenario_destroy(s);

    char *path = e2e_format("%s/demand.csv", dir);
    cr_assert_eq(remove(path), 0);
    free(path);
    s = NULL;
    diag_clear(d);
    cr_expect_eq(scenario_load(dir, NULL, NULL, 0, &s, d), RM_EINPUT);
    cr_assert_eq(diag_count(d), 1);
    char want[800];
    snprintf(want, sizeof want, "%s/demand.csv: expected a file with columns origin, "
             "destination, batches_per_day, kg_per_batch, growth_pct_per_year, got no such "
             "file", dir);
    cr_expect_str_eq(diag_message(d, 0), want);
    diag_destroy(d);
    free(prop);
    free(given);
    e2e_rmtree(dir);
}

/* ---- spreadsheets saved with ';' and decimal commas ------------------- */

Test(scenario, semicolon_files_take_decimal_commas)
{
    struct files fs = base_files();
    /* Excel in a decimal-comma locale: BOM, CRLF, "sep=;", ';' between
     * fields and between a distribution's arguments. */
    put(&fs, "nodes.csv",
        "\xEF\xBB\xBFsep=;\r\n"
        "id;name;country;kind;servers;dwell_h;scan\r\n"
        "CQ;Chongqing;CN;origin;;fixed(2,5);1\r\n"
        "AKZ;\"Altynkol; Khorgos\";KZ;border;2;\"lognormal(8,5;0,4)\";1\r\n"
        "BRS;Brest, Malaszewicze;BY;hub;3;gamma(12,25;0,5);1\r\n"
        "WAW;Warsaw;PL;destination;;fixed(3,75);0\r\n");
    /* No "sep=" line: the header decides. */
    put(&fs, "legs.csv",
        "\xEF\xBB\xBF" "from;to;km;time_h\r\n"
        "CQ;AKZ;3900,25;\"lognormal(96,5;0,15)\"\r\n"
        "AKZ;BRS;5200;\"triangular(120;130,25;150)\"\r\n"
        "BRS;WAW;2,1e2;fixed(6,5)\r\n");
    put(&fs, "scenario.csv", "key;value\nhorizon_d;120,5\nwarmup_d;14\n");
    put(&fs, "disruptions.csv", "target;start_d;duration_d;capacity_factor\nBRS;40,5;3,5;0,5\n");
    const char *sets[] = {"disruptions.BRS-40.5.capacity_factor=0.25"};
    struct scenario *s = load_ok(&fs, NULL, sets, 1);
    cr_expect_str_eq(s->nodes[1].name, "Altynkol; Khorgos");
    cr_expect_str_eq(s->nodes[2].name, "Brest, Malaszewicze");
    cr_expect_float_eq(dist_mean(&s->nodes[0].dwell_h), 2.5, 1e-12);
    cr_expect_float_eq(dist_mean(&s->nodes[1].dwell_h), 8.5, 1e-12);
    cr_expect_float_eq(dist_sd(&s->nodes[1].dwell_h), 8.5 * 0.4, 1e-9);
    cr_expect_float_eq(dist_mean(&s->nodes[2].dwell_h), 12.25, 1e-12);
    cr_expect_float_eq(s->legs[0].km, 3900.25, 1e-12);
    cr_expect_float_eq(s->legs[2].km, 210, 1e-12);
    cr_expect_float_eq(dist_mean(&s->legs[1].time_h), (120 + 130.25 + 150) / 3.0, 1e-9);
    cr_expect_float_eq(s->horizon_d, 120.5, 1e-12);
    cr_expect_float_eq(s->disruptions[0].start_d, 40.5, 1e-12);
    cr_expect_float_eq(s->disruptions[0].duration_d, 3.5, 1e-12);
    cr_expect_float_eq(s->disruptions[0].capacity_factor, 0.25, 1e-12);
    scenario_destroy(s);
}

Test(scenario, semicolon_file_errors_count_columns_and_say_which_mark)
{
    struct files fs = base_files();
    put(&fs, "nodes.csv",
        "sep=;\r\n"
        "id;name;country;kind;servers;dwell_h;scan\r\n"
        "CQ;Chongqing;CN;origin;;fixed(2,5);1\r\n"
        "AKZ;\"Altynkol,\r\nKhorgos\";KZ;border;2;\"lognormal(8.5;0,4)\";1\r\n"
        "BRS;Brest;BY;hub;3,5;gamma(12,25;0,5);1\r\n"
        "WAW;Warsaw;PL;destination;;fixed(3,75);0\r\n");
    put(&fs, "legs.csv",
        "from;to;km;time_h\n"
        "CQ;AKZ;3900.25;\"lognormal(96,5;0,15)\"\n"
        "AKZ;BRS;5200;lognormal(130,25;0,2)\n"
        "BRS;WAW;210;\"fixed(6,5)\"x\n");
    char *all = load_fail(&fs, NULL, NULL, 0);
    expect_message(all, "sc/x/nodes.csv:5:6: dwell_h: expected a finite number for mean in "
                        "lognormal(mean;cv), found \"8.5\", got \"lognormal(8.5;0,4)\" (a file "
                        "separated by ';' takes a decimal comma)");
    expect_message(all, "sc/x/nodes.csv:6:5: servers: expected a whole number >= 1 and "
                        "<= 10000, or empty for no limit, got \"3,5\"");
    expect_message(all, "sc/x/legs.csv:2:3: km: expected a number >= 0, got \"3900.25\" (a file "
                        "separated by ';' takes a decimal comma)");
    expect_message(all, "sc/x/legs.csv:4:4: time_h: expected ';' or a line end after a closing "
                        "'\"', got 'x'");
    free(all);
}

/* ---- loading stays linear --------------------------------------------- */

/* A growing text buffer for generated files. */
struct text {
    char *s;
    size_t n, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int w = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        cr_assert_geq(w, 0);
        if (t->s && t->n + (size_t)w < t->cap) {
            t->n += (size_t)w;
            return;
        }
        t->cap = t->cap ? 2 * t->cap + (size_t)w : 1 << 20;
        t->s = realloc(t->s, t->cap);
        cr_assert_not_null(t->s);
    }
}

/* CPU seconds of this process (Criterion runs each test in its own), so
 * that other work on a shared machine does not count. */
static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* 200,000 nodes in 1,000 lines of 200 stops, a leg between neighbours, a
 * service along each line, ten demand rows per line and a disruption per
 * line; a proposal replaces half the nodes and adds demand. Every key is
 * looked up many times, so a linear search per lookup (84 s for the nodes
 * alone before) shows at once. */
Test(scenario, loads_200000_nodes_in_linear_time, .timeout = 120)
{
    enum { LINES = 1000, STOPS = 200, NODES = LINES * STOPS };
    struct text nodes = {0}, legs = {0}, services = {0}, demand = {0}, disruptions = {0};
    struct text ov_nodes = {0}, ov_demand = {0};
    add(&nodes, "id,name,country,kind,servers,dwell_h,scan\n");
    add(&ov_nodes, "id,name,country,kind,servers,dwell_h,scan\n");
    add(&legs, "from,to,km,time_h\n");
    add(&services, "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n");
    add(&demand, "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\n");
    add(&ov_demand, "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\n");
    add(&disruptions, "target,start_d,duration_d,capacity_factor\n");
    for (size_t i = 0; i < NODES; i++) {
        add(&nodes, "N%06zu,Node %zu,PL,hub,2,\"gamma(2.385,0.5)\",%d\n", i, i, (int)(i % 2));
        if (i % 2 == 0)
            add(&ov_nodes, "N%06zu,Node %zu,PL,hub,3,fixed(1.25),1\n", i, i);
        if (i % STOPS != STOPS - 1)
            add(&legs, "N%06zu,N%06zu,12.5,fixed(0.75)\n", i, i + 1);
    }
    for (size_t l = 0; l < LINES; l++) {
        size_t first = l * STOPS;
        add(&services, "S%04zu,", l);
        for (size_t k = 0; k < STOPS; k++)
            add(&services, "%sN%06zu", k ? ">" : "", first + k);
        add(&services, ",7,%zu.5,40,2\n", l % 24);
        for (size_t k = 1; k <= 10; k++)
            add(&demand, "N%06zu,N%06zu,1.5,fixed(12),0\n", first, first + k * 19);
        add(&ov_demand, "N%06zu,N%06zu,2.5,fixed(12),0\n", first + 1, first + STOPS - 1);
        add(&disruptions, "N%06zu,%zu,3.5,0.5\n", first + 7, l % 300);
    }
    struct files fs = base_files();
    put(&fs, "nodes.csv", nodes.s);
    put(&fs, "legs.csv", legs.s);
    put(&fs, "services.csv", services.s);
    put(&fs, "demand.csv", demand.s);
    put(&fs, "disruptions.csv", disruptions.s);
    struct files ov = {.n = 0};
    put(&ov, "nodes.csv", ov_nodes.s);
    put(&ov, "demand.csv", ov_demand.s);
    put(&ov, "description.txt", "Half the nodes get a third server.");

    struct timespec t0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    struct scenario *s = load_ok(&fs, &ov, NULL, 0);
    double took = seconds_since(&t0);
    cr_expect_eq(s->n_nodes, NODES);
    cr_expect_eq(s->n_legs, NODES - LINES);
    cr_expect_eq(s->n_services, LINES);
    cr_expect_eq(s->n_demand, 11 * LINES);
    cr_expect_eq(s->n_disruptions, LINES);
    cr_expect_eq(s->nodes[4242].servers, 3);
    cr_expect_eq(s->nodes[4243].servers, 2);
    cr_expect_eq(s->services[999].route[199], NODES - 1);
    cr_expect_eq(s->services[999].legs[198], NODES - LINES - 1);
    cr_expect_eq(s->demand[11 * LINES - 1].destination, NODES - 1);
    cr_expect_lt(took, 10.0, "loading 200,000 nodes took %.1f s of CPU", took);
    cr_log_info("200,000 nodes with a proposal loaded in %.2f s of CPU", took);
    scenario_destroy(s);
    free(nodes.s);
    free(legs.s);
    free(services.s);
    free(demand.s);
    free(disruptions.s);
    free(ov_nodes.s);
    free(ov_demand.s);
}

/* ---- misspelt files, proposals blamed, suggestions, warnings ---------- */

Test(scenario, an_unknown_csv_file_is_an_error_with_a_suggestion)
{
    struct files fs = base_files();
    put(&fs, "service.csv", SERVICES_CSV);
    put(&fs, "README.md", "# notes\n");
    put(&fs, "Notes.CSV", "a,b\n");
    put(&fs, "~$nodes.csv", "lock");
    struct files ov = {.n = 0};
    put(&ov, "demands.csv", DEMAND_CSV);
    put(&ov, "description.txt", "Typo.");
    char *all = load_fail(&fs, &ov, NULL, 0);
    expect_message(all, "sc/x/service.csv: unknown scenario file; did you mean services.csv?");
    expect_message(all, "sc/x/Notes.CSV: unknown scenario file; did you mean nodes.csv?");
    expect_message(all, "sc/x/proposals/p/demands.csv: unknown scenario file; did you mean "
                        "demand.csv?");
    cr_expect_null(strstr(all, "README"));
    cr_expect_null(strstr(all, "~$"));
    free(all);
}

Test(scenario, errors_a_proposal_causes_name_the_proposal_file_and_line)
{
    struct files fs = base_files();
    put(&fs, "disruptions.csv",
        "target,start_d,duration_d,capacity_factor\nBRS,40,3.5,0.5\nCQ-BRS,100,7,0\n");
    struct files ov = {.n = 0};
    put(&ov, "services.csv",
        "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
        "CQ-BRS,CQ>AKZ>BRS,3,10.5,41.5,6\n");
    put(&ov, "scenario.csv", "key,value\nhorizon_d,12.5\n");
    put(&ov, "nodes.csv", "id,name,country,kind,servers,dwell_h,scan\n"
                          "CQ-BRS,Chongqing yard,CN,hub,2,fixed(1.5),0\n");
    put(&ov, "legs.csv", "from,to,km,time_h\nBRS,WAWA,210,fixed(6.5)\n");
    put(&ov, "description.txt", "Everything wrong at once.");
    char *all = load_fail(&fs, &ov, NULL, 0);
    expect_message(all, "sc/x/proposals/p/scenario.csv:2:2: horizon_d: expected a number > "
                        "warmup_d (14), got \"12.5\"");
    expect_message(all, "sc/x/proposals/p/nodes.csv:2:1: id: expected an id that is not also a "
                        "service id, as sc/x/disruptions.csv:3:1 targets it, got \"CQ-BRS\"");
    expect_message(all, "sc/x/proposals/p/legs.csv:2:2: to: expected a node id from nodes.csv, "
                        "got \"WAWA\"; did you mean WAW?");
    cr_expect_null(strstr(all, "sc/x/scenario.csv"), "blamed on the base:\n%s", all);
    cr_expect_null(strstr(all, "sc/x/disruptions.csv:3:1: target"), "blamed on the base:\n%s", all);
    free(all);
}

Test(scenario, a_service_change_that_cuts_a_destination_off_is_blamed_on_the_change)
{
    struct files fs = base_files();
    struct files ov = {.n = 0};
    /* line 3 takes the last carrying service to WAW off the base's demand */
    put(&ov, "services.csv",
        "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
        "CQ-BRS,CQ>AKZ>BRS,3,10.5,41.5,6\n"
        "BRS-WAW,BRS>WAW,7,8,0,2\n");
    char *all = load_fail(&fs, &ov, NULL, 0);
    expect_message(all, "sc/x/proposals/p/services.csv:3:5: capacity_t: expected a value that "
                        "still lets services with capacity_t > 0 carry mail from CQ to WAW "
                        "(directly or with transfers), as sc/x/demand.csv:2 asks, got \"0\"");
    cr_expect_null(strstr(all, "sc/x/demand.csv:2:2"), "blamed on the base:\n%s", all);
    free(all);
    ov.n = 0;
    put(&ov, "services.csv",
        "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
        "BRS-WAW,AKZ>BRS,7,8,20,2\n");
    all = load_fail(&fs, &ov, NULL, 0);
    expect_message(all, "sc/x/proposals/p/services.csv:2:2: route: expected a value that still "
                        "lets services with capacity_t > 0 carry mail from CQ to WAW (directly "
                        "or with transfers), as sc/x/demand.csv:2 asks, got \"AKZ>BRS\"");
    free(all);
    /* the same break made by --set names the --set */
    const char *sets[] = {"services.BRS-WAW.capacity_t=0"};
    all = load_fail(&fs, NULL, sets, 1);
    expect_message(all, "--set services.BRS-WAW.capacity_t: capacity_t: expected a value that "
                        "still lets services with capacity_t > 0 carry mail from CQ to WAW "
                        "(directly or with transfers), as sc/x/demand.csv:2 asks, got \"0\"");
    free(all);
}

Test(scenario, unknown_ids_suggest_the_nearest)
{
    struct files fs = base_files();
    put(&fs, "demand.csv",
        "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\n"
        "CQ,BRST,1.5,fixed(12),0\n"
        "cq,WAW,1.5,fixed(12),0\n"
        "XIAN,WAW,1.5,fixed(12),0\n");
    put(&fs, "services.csv",
        "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
        "CQ-BRS,CQ>AZK>BRS,3,10.5,41.5,6\n"
        "BRS-WAW,BRS>WAW,7,8,20,2\n");
    put(&fs, "disruptions.csv", "target,start_d,duration_d,capacity_factor\nCQBRS,40,3.5,0.5\n");
    const char *sets[] = {"nodes.WAV.servers=2"};
    char *all = load_fail(&fs, NULL, sets, 1);
    expect_message(all, "sc/x/demand.csv:2:2: destination: expected a node id from nodes.csv, "
                        "got \"BRST\"; did you mean BRS?");
    expect_message(all, "sc/x/demand.csv:3:1: origin: expected a node id from nodes.csv, got "
                        "\"cq\"; did you mean CQ?");
    expect_message(all, "sc/x/demand.csv:4:1: origin: expected a node id from nodes.csv, got "
                        "\"XIAN\"");
    expect_message(all, "sc/x/services.csv:2:2: route: expected node ids from nodes.csv, got "
                        "\"AZK\" in \"CQ>AZK>BRS\"; did you mean AKZ?");
    expect_message(all, "sc/x/disruptions.csv:2:1: target: expected a node id or a service id, "
                        "got \"CQBRS\"; did you mean CQ-BRS?");
    expect_message(all, "--set nodes.WAV.servers: expected ID of a row of nodes.csv, got "
                        "\"WAV\"; did you mean WAW?");
    free(all);
}

Test(scenario, a_proposal_without_description_loads_with_a_warning)
{
    struct files fs = base_files();
    struct files ov = {.n = 0};
    put(&ov, "services.csv",
        "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
        "CQ-BRS,CQ>AKZ>BRS,5.5,10.5,41.5,6\n");
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    enum rm_status rc = scenario_load_memory("sc/x", fs.f, fs.n, "sc/x/proposals/p", ov.f, ov.n,
                                             NULL, 0, &s, d);
    cr_assert_eq(rc, RM_OK);
    cr_expect_eq(diag_count(d), 0);
    cr_assert_eq(diag_warning_count(d), 1);
    cr_expect_str_eq(diag_warning(d, 0), "sc/x/proposals/p/description.txt: expected a file "
                                         "saying what the proposal changes, got no such file");
    scenario_destroy(s);
    diag_clear(d);
    put(&ov, "description.txt", "Five and a half trains a week.");
    rc = scenario_load_memory("sc/x", fs.f, fs.n, "sc/x/proposals/p", ov.f, ov.n, NULL, 0, &s, d);
    cr_assert_eq(rc, RM_OK);
    cr_expect_eq(diag_warning_count(d), 0);
    scenario_destroy(s);
    diag_destroy(d);
}

Test(scenario, a_proposal_given_as_the_scenario_says_how_to_compare_it)
{
    char *dir = scenario_dir(), *path = e2e_format("%s/proposals/daily", dir), want[2000];
    /* without description.txt, the missing nodes.csv and ../../nodes.csv tell */
    for (int with_description = 0; with_description < 2; with_description++) {
        if (with_description)
            e2e_write(path, "description.txt", "Daily.\n");
        struct diag *d = diag_create();
        struct scenario *s = NULL;
        cr_expect_eq(scenario_load(path, NULL, NULL, 0, &s, d), RM_EINPUT);
        cr_assert_eq(diag_count(d), 1, "the first: %s", diag_count(d) ? diag_message(d, 0) : "");
        snprintf(want, sizeof want, "%s: this is a proposal of %s; use \"railmail compare %s "
                 "daily\"", path, dir, dir);
        cr_expect_str_eq(diag_message(d, 0), want);
        diag_destroy(d);
    }
    free(path);
    e2e_rmtree(dir);
}
