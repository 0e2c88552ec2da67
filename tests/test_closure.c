/* What a closure costs (issue 26): recovery counted by hand on made-up
 * backlogs, and compare's late mail against the arms' own replications. */
#include <criterion/criterion.h>

#include <math.h>

#include "e2e.h"
#include "railmail/closure.h"
#include "railmail/diag.h"

#define MINI "tests/fixtures/scenario-mini"

Test(closure, recovery_is_the_start_of_the_first_steady_week_after_the_window)
{
    const double base[12] = { 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10 };
    /* the window ends after day 3; days 2-4 are off, from day 5 on it is back */
    const double opt[12] = { 10, 10, 30, 20, 12, 10, 10.5, 10, 10, 9.2, 10, 10 };
    /* day 5 ends 6 days from the start: 3 days after the window */
    cr_assert_float_eq(closure_recovery_d(base, opt, 12, 3, 1), 3, 1e-12);
    /* within tolerance already when the window ends: no time at all */
    cr_assert_float_eq(closure_recovery_d(base, base, 12, 3, 1), 0, 1e-12);
    /* a window ending mid-day: the first steady day may end after it */
    cr_assert_float_eq(closure_recovery_d(base, opt, 12, 2.5, 1), 3.5, 1e-12);
    /* a week that does not fit before the horizon is no recovery */
    cr_assert(isnan(closure_recovery_d(base, opt, 11, 3, 1)));
    cr_assert(isnan(closure_recovery_d(base, opt, 12, 3, 0.1)), "10.5 and 9.2 are off by more than 0.1");
}

static struct scenario *load(const char *disruptions)
{
    struct scenario_file f[] = {
        {"scenario.csv", "key,value\nhorizon_d,100\nwarmup_d,7\n", 0},
        {"nodes.csv", "id,name,country,kind,servers,dwell_h,scan\nA,A,CN,origin,,fixed(1),1\n"
                      "B,B,PL,destination,,fixed(1),1\n", 0},
        {"legs.csv", "from,to,km,time_h\nA,B,100,fixed(10)\n", 0},
        {"services.csv", "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\nAB,A>B,7,6,100,1\n", 0},
        {"demand.csv", "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\nA,B,1,fixed(10),0\n", 0},
        {"disruptions.csv", disruptions, 0},
    };
    for (size_t i = 0; i < 6; i++)
        f[i].len = strlen(f[i].data);
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    cr_assert_eq(scenario_load_memory("sc", f, 6, NULL, NULL, 0, NULL, 0, &s, d), RM_OK,
                 "%s", diag_count(d) ? diag_message(d, 0) : "");
    diag_destroy(d);
    return s;
}

Test(closure, the_end_is_that_of_the_last_window_a_proposal_adds_before_the_horizon)
{
    struct scenario *b = load("target,start_d,duration_d,capacity_factor,repeat_d\nB,10,2,0.5,\n");
    struct scenario *same = load("target,start_d,duration_d,capacity_factor,repeat_d\nB,10,2,0.5,\n");
    struct scenario *closed = load("target,start_d,duration_d,capacity_factor,repeat_d\nB,10,2,0.5,\nAB,40,5,0,\n");
    struct scenario *weekly = load("target,start_d,duration_d,capacity_factor,repeat_d\nB,10,2,0.5,\nB,20,1,0,30\n");
    struct scenario *changed = load("target,start_d,duration_d,capacity_factor,repeat_d\nB,10,2,0,\n");
    cr_assert(isnan(closure_end_d(b, same)), "nothing added");
    cr_assert_float_eq(closure_end_d(b, closed), 45, 1e-12);
    /* windows at 20, 50, 80; 110 is past the horizon */
    cr_assert_float_eq(closure_end_d(b, weekly), 81, 1e-12);
    cr_assert_float_eq(closure_end_d(b, changed), 12, 1e-12, "a changed factor is a change");
    scenario_destroy(b), scenario_destroy(same), scenario_destroy(closed), scenario_destroy(weekly),
        scenario_destroy(changed);
}

/* replications.csv's value of metric at scope all, replication by replication. */
static void values(const char *dir, const char *metric, double *out, size_t n)
{
    char *path = e2e_format("%s/replications.csv", dir), *text = e2e_slurp(path), *line = text;
    size_t k = 0;
    char key[128];
    snprintf(key, sizeof key, ",%s,all,", metric);
    while ((line = strstr(line, key)) && k < n) {
        out[k++] = strtod(line + strlen(key), NULL);
        line += strlen(key);
    }
    cr_assert_eq(k, n, "%s: %zu values of %s", path, k, metric);
    free(text), free(path);
}

static double compare_value(const char *dir, const char *metric, int col)
{
    char *path = e2e_format("%s/compare.csv", dir), *text = e2e_slurp(path), key[128];
    snprintf(key, sizeof key, "\nclosed,%s,all,", metric);
    const char *at = strstr(text, key);
    cr_assert(at, "%s has no %s row: %s", path, metric, text);
    at += strlen(key);
    for (int c = 0; c < col; c++)
        at = strchr(at, ',') + 1;
    double v = strtod(at, NULL);
    free(text), free(path);
    return v;
}

Test(closure, compare_counts_the_late_mail_the_arms_own_replications_give, .timeout = 120)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t);
    cr_assert_eq(e2e_runf(out, NULL, "compare " MINI " --what-if 'disruptions.csv=BRS,2024-02-20,6,0' --what-if-name "
                          "closed -r 4 --no-plot -o %s/c", t), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "  closure: the backlog is back to the baseline's "), "%s", text);
    cr_assert(strstr(text, "ends (2024-02-26); late mail +"), "%s", text);
    free(text);
    enum { N = 4 };
    double posted[2][N], on_time[2][N], extra = 0;
    const char *arm[] = { "baseline", "closed" };
    for (int a = 0; a < 2; a++) {
        char *dir = e2e_format("%s/c/%s", t, arm[a]);
        values(dir, "posted_batches", posted[a], N);
        values(dir, "on_time_pct", on_time[a], N);
        free(dir);
    }
    for (int k = 0; k < N; k++)
        extra += (posted[1][k] * (1 - on_time[1][k] / 100) - posted[0][k] * (1 - on_time[0][k] / 100)) / N;
    char *c = e2e_format("%s/c", t);
    cr_assert_float_eq(compare_value(c, "extra_late_batches", 1), extra, 1e-3 * fabs(extra) + 1e-9);
    cr_assert_eq(compare_value(c, "extra_late_batches", 0), 0, "the baseline has no closure of its own");
    cr_assert_gt(extra, 0, "a closed border makes mail late");
    cr_assert_geq(compare_value(c, "recovery_d", 1), 0);
    free(c), free(out);
    e2e_rmtree(t);
}

Test(closure, a_proposal_adding_no_disruption_has_no_closure_rows, .timeout = 120)
{
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "compare " MINI " --what-if services.CQ-BRS.departures_per_week=4 -r 3 "
                          "--no-plot -q -o %s/c", t), 0);
    char *path = e2e_format("%s/c/compare.csv", t), *text = e2e_slurp(path);
    cr_assert(!strstr(text, "recovery_d") && !strstr(text, "extra_late"), "%s", text);
    free(text), free(path);
    e2e_rmtree(t);
}
