/* sweep: VALUES and targets parsed, bisection against a linear scan on a
 * made-up monotone metric, and sweeps through the binary on a line whose
 * transit times and on-time shares are known by hand. */
#include "e2e.h"

#include <stdint.h>
#include <unistd.h>

#include "railmail/sweep.h"

#define WAIT "tests/e2e/wait-half-headway"
#define WEEKLY "tests/e2e/weekly"

/* ---- VALUES --------------------------------------------------------------- */

static void parses(const char *text, size_t n, const char *const *texts)
{
    struct diag *d = diag_create();
    struct sweep_values v;
    cr_assert_eq(sweep_values_parse(text, &v, d), RM_OK, "%s: %s", text, diag_count(d) ? diag_message(d, 0) : "");
    cr_assert_eq(v.n, n, "%s: %zu values", text, v.n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(v.text[i], texts[i], "%s: value %zu", text, i);
        cr_assert_float_eq(v.value[i], strtod(texts[i], NULL), 1e-12);
    }
    sweep_values_fini(&v);
    diag_destroy(d);
}

static void refuses(const char *text, const char *message)
{
    struct diag *d = diag_create();
    struct sweep_values v;
    cr_assert_eq(sweep_values_parse(text, &v, d), RM_EINPUT, "%s: accepted", text);
    cr_assert_eq(diag_count(d), 1);
    cr_assert_str_eq(diag_message(d, 0), message);
    diag_destroy(d);
}

Test(sweep, values_are_a_list_a_whole_range_or_a_stepped_range)
{
    parses("services.CQ-MAL.departures_per_week=1,2,3,5,7", 5, (const char *const[]){ "1", "2", "3", "5", "7" });
    parses("k=2.385, 1.5 ,7", 3, (const char *const[]){ "2.385", "1.5", "7" });
    parses("k=1:7", 7, (const char *const[]){ "1", "2", "3", "4", "5", "6", "7" });
    parses("k=-2:1", 4, (const char *const[]){ "-2", "-1", "0", "1" });
    parses("k=4:4", 1, (const char *const[]){ "4" });
    /* k steps from A, so 0.1 + 2 x 0.1 is 0.3 and B itself is included */
    parses("k=0.1:0.3:0.1", 3, (const char *const[]){ "0.1", "0.2", "0.3" });
    parses("k=0.5:2:0.375", 5, (const char *const[]){ "0.5", "0.875", "1.25", "1.625", "2" });
    parses("k=2.385:10:2.5", 4, (const char *const[]){ "2.385", "4.885", "7.385", "9.885" });
}

Test(sweep, malformed_values_are_refused_with_the_exact_problem)
{
    refuses("k", "--vary: expected KEY=VALUES, e.g. services.CQ-MAL.departures_per_week=1:7, got \"k\"");
    refuses("=1:3", "--vary: expected KEY=VALUES, e.g. services.CQ-MAL.departures_per_week=1:7, got \"=1:3\"");
    refuses("k=", "--vary k: expected VALUES: a list 1,2,5, a range A:B or A:B:STEP, got \"\"");
    refuses("k=1:x", "--vary k: expected a number, got \"x\" in \"1:x\"");
    refuses("k=1:", "--vary k: expected a number, got \"\" in \"1:\"");
    refuses("k=7:1", "--vary k: expected A <= B in the range A:B, got \"7:1\"");
    refuses("k=1.5:3", "--vary k: expected whole numbers in a range A:B (or a step, A:B:STEP), got \"1.5:3\"");
    refuses("k=1:3:0", "--vary k: expected a STEP > 0 in A:B:STEP, got \"1:3:0\"");
    refuses("k=1:3:-1", "--vary k: expected a STEP > 0 in A:B:STEP, got \"1:3:-1\"");
    refuses("k=1:2:3:4", "--vary k: expected a range A:B or A:B:STEP, got \"1:2:3:4\"");
    refuses("k=1,,3", "--vary k: expected a number, got \"\" in \"1,,3\"");
    refuses("k=1,0x10", "--vary k: expected a number, got \"0x10\" in \"1,0x10\"");
    refuses("k=2.385,1,2.385", "--vary k: expected each value once, got 2.385 twice in \"2.385,1,2.385\"");
    refuses("k=1:1001", "--vary k: expected at most 1000 values, got 1001 from \"1:1001\"");
}

/* ---- targets -------------------------------------------------------------- */

Test(sweep, a_target_names_metric_scope_direction_and_threshold)
{
    struct diag *d = diag_create();
    struct sweep_target t;
    cr_assert_eq(sweep_target_parse("on_time_pct@od:CQ-DE>=80", &t, d), RM_OK);
    cr_assert_str_eq(t.metric, "on_time_pct");
    cr_assert_str_eq(t.scope, "od:CQ-DE");
    cr_assert(t.at_least);
    cr_assert_eq(t.threshold, 80);
    sweep_target_fini(&t);
    cr_assert_eq(sweep_target_parse(" transit_p95_d <= 21.385 ", &t, d), RM_OK);
    cr_assert_str_eq(t.metric, "transit_p95_d");
    cr_assert_str_eq(t.scope, "all");
    cr_assert(!t.at_least);
    cr_assert_eq(t.threshold, 21.385);
    sweep_target_fini(&t);
    cr_assert_eq(sweep_target_parse("on_time_pct@origin:CQ>=80", &t, d), RM_OK);  /* every batch scope */
    cr_assert_str_eq(t.scope, "origin:CQ");
    sweep_target_fini(&t);
    cr_assert_eq(sweep_target_parse("transit_p50_d@path:CQ-MAL>MAL-DE<=18", &t, d), RM_OK);
    sweep_target_fini(&t);
    cr_assert_eq(diag_count(d), 0);
    diag_destroy(d);
}

static void target_refused(const char *text, const char *message)
{
    struct diag *d = diag_create();
    struct sweep_target t;
    cr_assert_eq(sweep_target_parse(text, &t, d), RM_EINPUT, "%s: accepted", text);
    cr_assert(diag_count(d) == 1 && strstr(diag_message(d, 0), message), "%s: got \"%s\"", text,
              diag_count(d) ? diag_message(d, 0) : "");
    diag_destroy(d);
}

Test(sweep, a_bad_target_is_refused_with_the_exact_problem)
{
    target_refused("on_time_pct>80", "--target: expected METRIC@SCOPE>=X or METRIC@SCOPE<=X, e.g. "
                   "'on_time_pct@od:CQ-DE>=80', got \"on_time_pct>80\"");
    target_refused("on_tme_pct>=80", "--target: unknown metric \"on_tme_pct\"; the metrics are posted_batches, ");
    target_refused("on_time_pct@node:BRS>=80",
                   "--target: on_time_pct has no scope \"node:BRS\"; expected all, dest:ID, od:ORIGIN-DEST");
    target_refused("load_pct>=80", "--target: load_pct has no scope \"all\"; expected service:ID");
    target_refused("on_time_pct@od:>=80", "--target: on_time_pct has no scope \"od:\"");
    target_refused("on_time_pct>=eighty", "--target: expected a number after >=, got \"eighty\"");
}

Test(sweep, the_bound_not_the_mean_decides)
{
    struct sweep_target at_least = { .at_least = true, .threshold = 80 }, at_most = { .threshold = 80 };
    struct stats_summary s = { .mean = 81, .ci_low = 79.5, .ci_high = 82.5, .n = 10 };
    cr_assert_eq(sweep_side(&at_least, &s), SWEEP_UNDECIDED);
    cr_assert_eq(sweep_side(&at_most, &s), SWEEP_UNDECIDED);
    s.ci_low = 80;  /* a bound on X counts as on the right side */
    cr_assert_eq(sweep_side(&at_least, &s), SWEEP_MEETS);
    cr_assert_eq(sweep_side(&at_most, &s), SWEEP_UNDECIDED);
    s.ci_low = 80.2;
    cr_assert_eq(sweep_side(&at_most, &s), SWEEP_FAILS);
    s = (struct stats_summary){ .mean = 78.2, .ci_low = 77.1, .ci_high = 79.3, .n = 10 };
    cr_assert_eq(sweep_side(&at_least, &s), SWEEP_FAILS);
    cr_assert_eq(sweep_side(&at_most, &s), SWEEP_MEETS);
    s = (struct stats_summary){ .mean = 81, .ci_low = NAN, .ci_high = NAN, .n = 1 };
    cr_assert_eq(sweep_side(&at_least, &s), SWEEP_UNDECIDED);
}

/* ---- bisection on a made-up metric ------------------------------------------- */

/* mean(i) = 10 + 2.385 i with a half-width of 1.1 at every value. */
struct fake {
    size_t probes, n;
    unsigned char probed[64];
};

static struct stats_summary fake_at(size_t i)
{
    double mean = 10 + 2.385 * (double)i;
    return (struct stats_summary){ mean, 1, mean - 1.1, mean + 1.1, 10 };
}

static enum rm_status fake_probe(void *ctx, size_t i, struct stats_summary *out, struct diag *d)
{
    (void)d;
    struct fake *f = ctx;
    cr_assert_lt(i, f->n);
    cr_assert_eq(f->probed[i], 0, "value %zu probed twice", i);
    f->probed[i] = 1;
    f->probes++;
    *out = fake_at(i);
    return RM_OK;
}

Test(sweep, bisection_finds_what_a_linear_scan_finds_with_fewer_probes)
{
    struct diag *d = diag_create();
    for (size_t n = 1; n <= 40; n++)
        for (double x = 5; x < 10 + 2.385 * (double)n + 5; x += 0.37) {
            struct sweep_target t = { .at_least = true, .threshold = x };
            struct fake f = { .n = n };
            struct sweep_search r;
            cr_assert_eq(sweep_bisect(n, &t, fake_probe, &f, &r, d), RM_OK);
            size_t least = SIZE_MAX;
            for (size_t i = n; i-- > 0;) {
                struct stats_summary s = fake_at(i);
                if (sweep_side(&t, &s) == SWEEP_MEETS)
                    least = i;
            }
            cr_assert_eq(r.answer, least, "n %zu, X %g: answer %zu, scan %zu", n, x, r.answer, least);
            cr_assert_eq(r.evaluated, f.probes);
            cr_assert(!r.reversed);
            if (least == SIZE_MAX) {
                cr_assert_eq(r.outcome, SWEEP_NONE);
                cr_assert_eq(r.closest, n - 1);
                continue;
            }
            /* the ends and about log2(n) halvings */
            size_t log2n = 0;
            while ((1u << log2n) < n + 1)
                log2n++;
            cr_assert_leq(r.evaluated, log2n + 1, "n %zu: %zu probes", n, r.evaluated);
            if (n >= 4)
                cr_assert_lt(r.evaluated, n);
            cr_assert_eq(r.below, least ? least - 1 : SIZE_MAX);
            struct stats_summary below = fake_at(least ? least - 1 : 0);
            bool undecided = least && sweep_side(&t, &below) == SWEEP_UNDECIDED;
            cr_assert_eq(r.outcome, undecided ? SWEEP_BETWEEN : SWEEP_MET, "n %zu, X %g", n, x);
        }
    diag_destroy(d);
}

Test(sweep, a_metric_that_falls_is_searched_with_at_most)
{
    /* <= on a rising metric holds at the low end only: the search notices */
    struct diag *d = diag_create();
    struct sweep_target t = { .at_least = false, .threshold = 14.7 };
    struct fake f = { .n = 9 };
    struct sweep_search r;
    cr_assert_eq(sweep_bisect(9, &t, fake_probe, &f, &r, d), RM_OK);
    cr_assert_eq(r.outcome, SWEEP_MET);
    cr_assert_eq(r.answer, 0);
    cr_assert(r.reversed);
    cr_assert_eq(r.evaluated, 2);
    diag_destroy(d);
}

/* ---- through the binary --------------------------------------------------------- */

/* The cell of (key value, metric, scope) in a one-key sweep.csv: 0 mean,
 * 1 ci_low, 2 ci_high; NaN when absent. */
static double sweep_cell(const char *dir, const char *value, const char *metric, const char *scope, int field)
{
    char path[4200], line[1024], key[600];
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    snprintf(key, sizeof key, "%s,%s,%s,", value, metric, scope);
    FILE *f = fopen(path, "r");
    cr_assert(f, "no %s", path);
    double v = NAN;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key))) {
            char *p = line + strlen(key);
            for (int i = 0; i < field; i++)
                p = strchr(p, ',') + 1;
            v = strtod(p, NULL);
        }
    fclose(f);
    return v;
}

/* The value of `key` in a key,value file, malloc'd ("" when absent). */
static char *pair(const char *dir, const char *file, const char *key)
{
    char path[4200], line[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    cr_assert(f, "no %s", path);
    char *v = strdup("");
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ',') {
            free(v);
            v = strdup(line + strlen(key) + 1);
            v[strcspn(v, "\r\n")] = '\0';
        }
    fclose(f);
    return v;
}

static void pair_is(const char *dir, const char *file, const char *key, const char *expected)
{
    char *v = pair(dir, file, key);
    cr_assert_str_eq(v, expected, "%s/%s: %s", dir, file, key);
    free(v);
}

/* Runs `railmail ARGS -o T/NAME -q` and returns T/NAME (static storage). */
static const char *sweep(const char *t, const char *name, const char *args)
{
    static char out[4200];
    char cmd[8600];
    snprintf(out, sizeof out, "%s/%s", t, name);
    snprintf(cmd, sizeof cmd, "sweep %s -o %s", args, out);
    char err[4300];
    snprintf(err, sizeof err, "%s/%s.err", t, name);
    int rc = e2e_run(cmd, NULL, err);
    char *text = e2e_slurp(err);
    cr_assert_eq(rc, 0, "%s: exit %d: %s", cmd, rc, text ? text : "");
    free(text);
    return out;
}

static bool same_tree(const char *a, const char *b)
{
    char cmd[9000];
    /* run.json and report.html record the command line and the times */
    snprintf(cmd, sizeof cmd, "diff -r -x run.json -x report.html '%s' '%s' >/dev/null", a, b);
    return system(cmd) == 0;
}

Test(sweep, each_point_waits_half_its_headway_plus_the_fixed_times, .timeout = 240)
{
    char *t = e2e_tmpdir();
    const char *r = sweep(t, "r", WAIT " -r 16 --vary services.OD.departures_per_week=2.8,5.6,8.4,11.2 --no-plot -q");
    /* Poisson postings wait half a headway of 168/k h, then 6.5 h running and 2.385 h dwell */
    const char *value[] = { "2.8", "5.6", "8.4", "11.2" };
    const double expected_d[] = { (30 + 8.885) / 24, (15 + 8.885) / 24, (10 + 8.885) / 24, (7.5 + 8.885) / 24 };
    for (size_t i = 0; i < 4; i++) {
        double lo = sweep_cell(r, value[i], "transit_mean_d", "all", 1);
        double hi = sweep_cell(r, value[i], "transit_mean_d", "all", 2);
        cr_assert(lo <= expected_d[i] && expected_d[i] <= hi, "%s a week: CI [%g, %g] misses %g", value[i], lo, hi,
                  expected_d[i]);
        cr_assert_float_eq(sweep_cell(r, value[i], "transit_mean_d", "all", 0), expected_d[i], 0.002);
        char summary[4300];
        snprintf(summary, sizeof summary, "%s/point-%03zu/summary.csv", r, i + 1);
        cr_assert_eq(access(summary, R_OK), 0, "no %s", summary);
    }
    pair_is(r, "points.csv", "point-002", "5.6");
    pair_is(r, "meta.csv", "kind", "sweep");
    pair_is(r, "meta.csv", "vary", "services.OD.departures_per_week");
    e2e_rmtree(t);
}

Test(sweep, a_point_at_the_scenarios_own_value_is_the_run_itself, .timeout = 240)
{
    char *t = e2e_tmpdir(), args[4400], a[4300], b[4300];
    snprintf(args, sizeof args, "run " WEEKLY " -o %s/run -q --no-plot", t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    const char *r = sweep(t, "sweep", WEEKLY " --vary services.OD.departures_per_week=1,2 --no-plot -q");
    snprintf(a, sizeof a, "%s/run/summary.csv", t);
    snprintf(b, sizeof b, "%s/point-001/summary.csv", r);
    char *x = e2e_slurp(a), *y = e2e_slurp(b);
    cr_assert(x && y && !strcmp(x, y), "the point at the scenario's value differs from run");
    free(x);
    free(y);
    /* on top of a proposal: the same as compare's arm */
    snprintf(args, sizeof args, "compare " WEEKLY " daily -o %s/cmp -q --no-plot", t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    r = sweep(t, "prop", WEEKLY " --proposal daily --vary scenario.service_standard_d=1.2,2 --no-plot -q");
    snprintf(a, sizeof a, "%s/cmp/daily/summary.csv", t);
    snprintf(b, sizeof b, "%s/point-001/summary.csv", r);
    x = e2e_slurp(a), y = e2e_slurp(b);
    cr_assert(x && y && !strcmp(x, y), "the point at the proposal's value differs from compare's arm");
    free(x);
    free(y);
    pair_is(r, "meta.csv", "proposals", "daily");
    e2e_rmtree(t);
}

/* On the line of wait-half-headway with a standard of 23.885 h, a batch is
 * on time when it waits at most 15 h of the headway 168/k h: on time
 * 15 k / 168, so 71.4 % at k = 8, 80.4 % at 9, 89.3 % at 10. */
#define STANDARD "--set scenario.service_standard_d=0.9952083333333333"

Test(sweep, a_target_known_by_hand_is_found_with_fewer_points_than_the_grid, .timeout = 300)
{
    char *t = e2e_tmpdir();
    const char *r = sweep(t, "target", WAIT " " STANDARD " -d 150 --vary services.OD.departures_per_week=1:16 "
                          "--target 'on_time_pct>=75' --no-plot");
    pair_is(r, "target.csv", "value", "9");
    pair_is(r, "target.csv", "met", "yes");
    pair_is(r, "target.csv", "outcome", "met");
    pair_is(r, "target.csv", "value_below", "8");
    pair_is(r, "target.csv", "metric", "on_time_pct");
    pair_is(r, "target.csv", "scope", "all");
    pair_is(r, "target.csv", "parameter", "services.OD.departures_per_week");
    char *evaluated = pair(r, "target.csv", "points_evaluated");
    cr_assert_lt(atoi(evaluated), 16);
    cr_assert_gt(atoi(evaluated), 1);
    free(evaluated);
    char *bound = pair(r, "target.csv", "bound");
    cr_assert_geq(strtod(bound, NULL), 75);
    cr_assert_float_eq(strtod(bound, NULL), 100 * 15 * 9 / 168.0, 1.5);
    free(bound);

    /* the whole grid gives the same answer: the least value whose lower bound reaches 75 */
    const char *g = sweep(t, "grid", WAIT " " STANDARD " -d 150 --vary services.OD.departures_per_week=1:16 "
                          "--no-plot -q");
    int least = 0;
    for (int k = 16; k >= 1; k--) {
        char v[8];
        snprintf(v, sizeof v, "%d", k);
        if (sweep_cell(g, v, "on_time_pct", "all", 1) >= 75)
            least = k;
    }
    cr_assert_eq(least, 9);
    /* and at each point the search ran, the same numbers as the grid's */
    char a[4300], b[4300];
    snprintf(a, sizeof a, "%s/target/point-009/summary.csv", t);
    snprintf(b, sizeof b, "%s/grid/point-009/summary.csv", t);
    char *x = e2e_slurp(a), *y = e2e_slurp(b);
    cr_assert(x && y && !strcmp(x, y));
    free(x);
    free(y);
    e2e_rmtree(t);
}

Test(sweep, a_target_no_value_meets_says_so, .timeout = 240)
{
    char *t = e2e_tmpdir(), out[4300];
    snprintf(out, sizeof out, "%s/out", t);
    char args[4600];
    snprintf(args, sizeof args, "sweep " WAIT " " STANDARD " -d 150 --vary services.OD.departures_per_week=1:8 "
             "--target 'on_time_pct>=75' --no-plot -o %s/r", t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "target: no value of services.OD.departures_per_week from 1 to 8 meets on_time_pct >= 75 "
                     "with 95% confidence (at 8 the lower bound is "), "%s", text);
    free(text);
    snprintf(out, sizeof out, "%s/r", t);
    pair_is(out, "target.csv", "met", "no");
    pair_is(out, "target.csv", "value", "");
    pair_is(out, "target.csv", "outcome", "none");
    pair_is(out, "target.csv", "points_evaluated", "2");
    e2e_rmtree(t);
}

Test(sweep, a_threshold_inside_an_interval_gives_two_values, .timeout = 240)
{
    /* 15 x 9 / 168 = 80.357 % exactly at k = 9: its interval holds the threshold */
    char *t = e2e_tmpdir(), out[4300], args[4600];
    snprintf(out, sizeof out, "%s/out", t);
    snprintf(args, sizeof args, "sweep " WAIT " " STANDARD " --vary services.OD.departures_per_week=1:12 "
             "--target 'on_time_pct>=80.357' --no-plot -o %s/r", t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "target: services.OD.departures_per_week lies between 9 and 10: "), "%s", text);
    free(text);
    snprintf(out, sizeof out, "%s/r", t);
    pair_is(out, "target.csv", "outcome", "between");
    pair_is(out, "target.csv", "value", "10");
    pair_is(out, "target.csv", "value_below", "9");
    e2e_rmtree(t);
}

Test(sweep, one_thread_or_two_give_the_same_files, .timeout = 300)
{
    char *t = e2e_tmpdir(), a[4300], b[4300];
    sweep(t, "j1", WAIT " -d 120 -j 1 --vary services.OD.departures_per_week=5.6,11.2 "
          "--vary scenario.service_standard_d=0.8,1.2 --no-plot -q");
    sweep(t, "j2", WAIT " -d 120 -j 2 --vary services.OD.departures_per_week=5.6,11.2 "
          "--vary scenario.service_standard_d=0.8,1.2 --no-plot -q");
    snprintf(a, sizeof a, "%s/j1", t);
    snprintf(b, sizeof b, "%s/j2", t);
    cr_assert(same_tree(a, b), "-j 1 and -j 2 differ");
    sweep(t, "t1", WAIT " " STANDARD " -d 120 -j 1 --vary services.OD.departures_per_week=1:12 "
          "--target 'on_time_pct>=75' --no-plot -q");
    sweep(t, "t2", WAIT " " STANDARD " -d 120 -j 2 --vary services.OD.departures_per_week=1:12 "
          "--target 'on_time_pct>=75' --no-plot -q");
    snprintf(a, sizeof a, "%s/t1", t);
    snprintf(b, sizeof b, "%s/t2", t);
    cr_assert(same_tree(a, b), "-j 1 and -j 2 differ with a target");
    /* a grid: one column per key, every pair of values */
    snprintf(a, sizeof a, "%s/j1", t);
    pair_is(a, "points.csv", "point", "services.OD.departures_per_week,scenario.service_standard_d");
    pair_is(a, "points.csv", "point-004", "11.2,1.2");
    char *csv = e2e_slurp(strcat(a, "/sweep.csv"));
    cr_assert(!strncmp(csv, "services.OD.departures_per_week,scenario.service_standard_d,metric,scope,mean,ci_low,"
                       "ci_high,sd,n\n", 98), "%.120s", csv);
    cr_assert(strstr(csv, "\n11.2,0.8,on_time_pct,all,"));
    free(csv);
    e2e_rmtree(t);
}

Test(sweep, plot_redraws_a_sweeps_charts, .timeout = 240)
{
    char *t = e2e_tmpdir(), args[4600], path[4400];
    const char *r = sweep(t, "r", WAIT " -d 120 " STANDARD " --vary services.OD.departures_per_week=4:12:4 "
                          "--target 'on_time_pct>=60' --no-plot -q");
    snprintf(args, sizeof args, "plot %s", r);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    const char *charts[] = { "sweep_transit_mean_d.gp", "sweep_on_time_pct.gp", "sweep_target.gp" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", r, charts[i]);
        cr_assert_eq(access(path, R_OK), 0, "no %s", path);
    }
    snprintf(path, sizeof path, "%s/sweep_target.gp", r);
    char *gp = e2e_slurp(path);
    cr_assert(strstr(gp, "target: on_time_pct >= 60"), "%s", gp);
    free(gp);
    /* what plot drew belongs to the results: a new sweep may replace them */
    sweep(t, "r", WAIT " -d 120 --vary services.OD.departures_per_week=4,8 --no-plot -q");
    e2e_rmtree(t);
}

/* Exit 2 with the message, before anything is simulated (the large
 * scenario over ten years would take many minutes), and no results. */
static void refused(const char *args, const char *message)
{
    char *t = e2e_tmpdir(), cmd[8600], err[4200], out[4200];
    snprintf(err, sizeof err, "%s/err", t);
    snprintf(out, sizeof out, "%s/r", t);
    snprintf(cmd, sizeof cmd, "sweep tests/bench/large -d 3650 -o %s %s", out, args);
    cr_assert_eq(e2e_run(cmd, NULL, err), 2, "%s: expected exit 2", args);
    char *text = e2e_slurp(err);
    cr_assert(text && strstr(text, message), "%s: expected \"%s\", got \"%s\"", args, message, text);
    cr_assert_neq(access(out, F_OK), 0, "%s: results written", args);
    free(text);
    e2e_rmtree(t);
}

Test(sweep, bad_vary_and_target_exit_2_before_simulating, .timeout = 120)
{
    refused("--vary services.M01.departures_per_wek=1:7",
            "railmail: --vary services.M01.departures_per_wek: expected COLUMN among id, route, departures_per_week");
    refused("--vary services.NOPE.departures_per_week=1:7",
            "railmail: --vary services.NOPE.departures_per_week: expected ID of a row of services.csv, got \"NOPE\"");
    refused("--vary services.M01.departures_per_week=0:3",
            "railmail: --vary services.M01.departures_per_week: departures_per_week: expected a number > 0");
    refused("--vary services.M01.departures_per_week=3:x", "railmail: --vary services.M01.departures_per_week: "
            "expected a number, got \"x\" in \"3:x\"");
    refused("--vary services.M01.departures_per_week=7:1", "expected A <= B in the range A:B, got \"7:1\"");
    refused("", "railmail: sweep: expected --vary KEY=VALUES");
    refused("--vary a=1 --vary b=2 --vary c=3", "--vary: expected at most 2 (a grid of two keys), got 3");
    refused("--vary services.M01.departures_per_week=1:7 --target 'on_tme_pct>=80'",
            "railmail: --target: unknown metric \"on_tme_pct\"; the metrics are ");
    refused("--vary services.M01.departures_per_week=1:7 --target 'on_time_pct@od:O01-D99>=80'",
            "railmail: --target: unknown scope \"od:O01-D99\" for on_time_pct in this scenario; it has od:O01-D01, ");
    refused("--vary services.M01.departures_per_week=1:7 --target 'on_time_pct@node:BRS>=80'",
            "railmail: --target: on_time_pct has no scope \"node:BRS\"; expected all, dest:ID, od:ORIGIN-DEST");
    refused("--vary services.M01.departures_per_week=1:7 --vary scenario.service_standard_d=10,20 "
            "--target 'on_time_pct>=80'", "railmail: --target: expected one --vary");
    refused("--vary services.M01.departures_per_week=3,1 --target 'on_time_pct>=80'",
            "railmail: --target: expected the values of --vary services.M01.departures_per_week in increasing order, "
            "got 1 after 3");
    refused("--vary services.M01.departures_per_week=1:7 -r 2 --target 'on_time_pct>=80'",
            "railmail: --target: a confidence bound needs at least 3 replications; this sweep has 2 (use -r)");
    refused("--vary services.M01.departures_per_week=1:7 --proposal nope",
            "railmail: --proposal: tests/bench/large/proposals/nope: expected a proposal directory, found none");
    refused("--vary services.M01.departures_per_week=1:7 --every-month",
            "railmail: --every-month: expected a --target to hold in every month");
    refused("--vary services.M01.departures_per_week=1:7 --target 'on_time_pct@dest:D01>=80' --every-month",
            "railmail: --every-month: on_time_pct is reported month by month at all, od:ORIGIN-DEST, origin:ID, not "
            "at dest:D01");
    refused("--vary services.M01.departures_per_week=1:7 --target 'transit_p90_d<=20' --every-month",
            "railmail: --every-month: transit_p90_d is not reported month by month");
    refused("--vary services.M01.departures_per_week=1:7 --target 'on_time_pct>=80' --every-month -d 58 --set scenario.warmup_d=35",
            "railmail: --every-month: no posting month begins after the warm-up (");
    refused("--vary services.M01.departures_per_week", "railmail: --vary: expected KEY=VALUES");
    refused("--target", "railmail: --target: expected a value");
}

Test(sweep, a_sweep_that_cannot_fit_in_memory_is_refused_before_it_starts)
{
    setenv("RAILMAIL_MEMORY_MB", "20", 1);
    refused("-r 50 --vary scenario.seed=1,2", "railmail: this run needs about ");
    unsetenv("RAILMAIL_MEMORY_MB");
}

Test(sweep, a_broken_proposal_is_blamed_before_simulating)
{
    char *t = e2e_tmpdir(), cmd[4600], err[4300];
    snprintf(err, sizeof err, "%s/err", t);
    snprintf(cmd, sizeof cmd, "sweep " WEEKLY " --proposal broken --vary scenario.service_standard_d=1,2 -o %s/r", t);
    cr_assert_eq(e2e_run(cmd, NULL, err), 2);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, "proposals/broken/services.csv:2:"), "%s", text);
    free(text);
    e2e_rmtree(t);
}

/* The monthly view of a sweep: each point's monthly.csv rows, behind a
 * column per varied key. */
Test(sweep, sweep_monthly_csv_carries_each_points_months, .timeout = 120)
{
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "sweep " WAIT " -r 3 --vary services.OD.departures_per_week=2.8,5.6 --no-plot -q "
                          "-o %s/s", t), 0);
    char *path = e2e_format("%s/s/sweep_monthly.csv", t), *text = e2e_slurp(path);
    cr_assert(text && !strncmp(text, "services.OD.departures_per_week,month,metric,scope,mean,", 56), "%s", text);
    char *point = e2e_format("%s/s/point-002/monthly.csv", t), *own = e2e_slurp(point);
    /* point 2's first monthly row, with its value in front */
    char *first = strchr(own, '\n') + 1, *end = strchr(first, '\n');
    char *want = e2e_format("\n5.6,%.*s\n", (int)(end - first), first);
    cr_assert(strstr(text, want), "missing %s", want);
    cr_assert(strstr(text, "\n2.8,2024-"), "no months of the first point");
    free(want);
    free(own);
    free(point);
    free(text);
    free(path);
    e2e_rmtree(t);
}

/* The mini scenario closes its Chongqing train for a week from 10 April:
 * the year's on-time share hides the month, --every-month finds it. */
Test(sweep, a_target_in_every_month_is_bound_by_the_worst_month, .timeout = 300)
{
    char *t = e2e_tmpdir(), out[4300], args[4600];
    snprintf(out, sizeof out, "%s/out", t);
    snprintf(args, sizeof args, "sweep tests/fixtures/scenario-mini -r 5 --vary services.CQ-BRS.departures_per_week=1:7 "
             "--target 'on_time_pct>=95' --no-plot -o %s/year", t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "target: services.CQ-BRS.departures_per_week = 2, the least value at which on_time_pct >= "
                           "95 holds with 90% confidence"), "%s", text);
    free(text);
    snprintf(args, sizeof args, "sweep tests/fixtures/scenario-mini -r 5 --vary services.CQ-BRS.departures_per_week=1:7 "
             "--target 'on_time_pct>=95' --every-month --no-plot -o %s/month", t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    text = e2e_slurp(out);
    cr_assert(strstr(text, "target: no value of services.CQ-BRS.departures_per_week from 1 to 7 meets on_time_pct >= "
                           "95 in every month with 90% confidence (at 7 its interval ["), "%s", text);
    cr_assert(strstr(text, "] in 2024-04 still contains 95"), "April binds: %s", text);
    free(text);
    snprintf(out, sizeof out, "%s/month", t);
    pair_is(out, "target.csv", "every_month", "yes");
    pair_is(out, "target.csv", "bound_month", "2024-04");
    pair_is(out, "target.csv", "met", "no");
    /* January begins in the warm-up: a closure there binds no month */
    char *sc = e2e_format("%s/sc", t);
    e2e_sh("cp -r tests/fixtures/scenario-mini '%s' && printf 'target,start_d,duration_d,capacity_factor\n"
           "CQ-BRS,14,10,0\n' > '%s/disruptions.csv'", sc, sc);
    snprintf(args, sizeof args, "sweep %s -r 5 --vary services.CQ-BRS.departures_per_week=1:7 --target "
             "'on_time_pct@od:CQ-WAW>=50' --every-month --no-plot -o %s/jan", sc, t);
    snprintf(out, sizeof out, "%s/out", t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    snprintf(out, sizeof out, "%s/jan", t);
    char *month = e2e_format("%s/target.csv", out), *csv = e2e_slurp(month);
    cr_assert(strstr(csv, "\nbound_month,2024-0") && !strstr(csv, "\nbound_month,2024-01"), "%s", csv);
    free(csv), free(month), free(sc);
    e2e_rmtree(t);
}
