/* Sequential replications: rounds whose sizes depend on neither the threads
 * nor the data, stopping at the first round that meets every target. */
#include "e2e.h"

#include "railmail/run.h"
#include "railmail/stats.h"

#define MINI "tests/fixtures/scenario-mini"

Test(precision, rounds_grow_by_half_and_by_at_least_the_first)
{
    cr_assert_eq(run_next_round(5, 5), 10);
    cr_assert_eq(run_next_round(5, 10), 15);
    cr_assert_eq(run_next_round(5, 15), 23);
    cr_assert_eq(run_next_round(10, 10), 20);
    cr_assert_eq(run_next_round(10, 40), 60);
    cr_assert_eq(run_next_round(3, 1), 4);
}

/* The half-width itself is tested in test_stats.c. */
Test(precision, target_met_by_hand)
{
    struct run_precision abs = { .half = 0.9 }, rel = { .half = 5, .relative = true };
    cr_assert(run_precision_met(&abs, 0.87, 13.27));
    cr_assert(!run_precision_met(&abs, 0.91, 13.27));
    cr_assert(run_precision_met(&rel, 0.66, 13.27));   /* 5% of 13.27 is 0.6635 */
    cr_assert(!run_precision_met(&rel, 0.67, 13.27));
}

/* Values of (metric, scope) per replication, from replications.csv. */
static size_t read_values(const char *dir, const char *metric, const char *scope, double *v, size_t max)
{
    char path[4600], line[1024], key[600];
    snprintf(path, sizeof path, "%s/replications.csv", dir);
    snprintf(key, sizeof key, ",%s,%s,", metric, scope);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    size_t n = 0;
    while (fgets(line, sizeof line, f) && n < max) {
        char *k = strstr(line, key);
        if (k)
            v[n++] = strtod(k + strlen(key), NULL);
    }
    fclose(f);
    return n;
}

/* The run stops at the first round whose half-width meets the target: the
 * round before it did not. */
Test(precision, run_stops_at_the_first_round_that_meets_the_target, .timeout = 120)
{
    char *t = e2e_tmpdir(), args[4400];
    snprintf(args, sizeof args, "run " MINI " -r 4 --precision transit_p95_d=0.12 -j 2 -q --no-plot -o %s/r", t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "%s/r", t);
    static double v[20000];
    size_t n = read_values(args, "transit_p95_d", "all", v, 20000);
    unsigned prev = 4, next = 4;
    while (next < n) {
        prev = next;
        next = run_next_round(4, prev);
    }
    cr_assert_eq(next, n, "%zu replications is not a round (rounds of 4: 4, 8, 12, 18, ...)", n);
    cr_assert_gt(n, 4, "the target was too loose to need a second round");
    double conf = 0.9;  /* scenario-mini's confidence */
    cr_assert_leq(stats_half_width(v, 1, (unsigned)n, conf, NULL), 0.12 * 1.0001);
    cr_assert_gt(stats_half_width(v, 1, prev, conf, NULL), 0.12 * 0.9999, "round %u already met it", prev);
    /* the same replications whatever the threads */
    snprintf(args, sizeof args, "run " MINI " -r 4 --precision transit_p95_d=0.12 -j 1 -q --no-plot -o %s/r1", t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    const char *files[] = { "summary.csv", "replications.csv", "throughput.csv", "trains.csv", "meta.csv" };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char a[4400], b[4400];
        snprintf(a, sizeof a, "%s/r/%s", t, files[i]);
        snprintf(b, sizeof b, "%s/r1/%s", t, files[i]);
        char *x = e2e_slurp(a), *y = e2e_slurp(b);
        cr_assert(x && y && !strcmp(x, y), "%s differs between -j 2 and -j 1", files[i]);
        free(x);
        free(y);
    }
    e2e_rmtree(t);
}

Test(precision, a_target_not_met_stops_at_max_replications_and_says_so, .timeout = 120)
{
    char *t = e2e_tmpdir(), args[4400], out[4400];
    snprintf(out, sizeof out, "%s/out", t);
    snprintf(args, sizeof args, "run " MINI " -r 3 --precision transit_mean_d=0.0001 --max-replications 7 --no-plot "
             "-o %s/r", t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "scenario-mini: 7 replications"), "%s", text);
    cr_assert(strstr(text, "not met by --max-replications"), "%s", text);
    free(text);
    snprintf(args, sizeof args, "%s/r/meta.csv", t);
    text = e2e_slurp(args);
    cr_assert(strstr(text, "replications,7\n") && strstr(text, "precision,") && strstr(text, "not met"), "%s", text);
    free(text);
    e2e_rmtree(t);
}

Test(precision, compare_rounds_meet_the_paired_half_width, .timeout = 120)
{
    char *t = e2e_tmpdir(), args[4400], out[4400];
    snprintf(out, sizeof out, "%s/out", t);
    snprintf(args, sizeof args, "compare tests/e2e/weekly daily -r 3 --precision on_time_pct=0.5 --no-plot -o %s/c", t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "precision: on_time_pct@all half-width") && strstr(text, "<= 0.5 after"), "%s", text);
    free(text);
    /* the paired half-width in compare.csv is what was met */
    snprintf(args, sizeof args, "%s/c/compare.csv", t);
    text = e2e_slurp(args);
    char *row = strstr(text, "daily,on_time_pct,all,");
    cr_assert(row);
    double f[6];
    char *p = row + strlen("daily,on_time_pct,all,");
    for (int i = 0; i < 6; i++) {
        f[i] = strtod(p, &p);
        p++;
    }
    cr_assert_leq((f[4] - f[3]) / 2, 0.5 + 1e-6, "half-width %g", (f[4] - f[3]) / 2);
    free(text);
    e2e_rmtree(t);
}

Test(precision, bad_targets_exit_2_before_simulating)
{
    const char *bad[] = { "bogus=1", "transit_mean_d@od:XX-YY=1", "transit_mean_d=0", "transit_mean_d=abc",
                          "transit_mean_d", "transit_mean_d=-2%" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char args[600];
        snprintf(args, sizeof args, "run tests/bench/large -d 3650 --precision '%s' -o /nonexistent/x", bad[i]);
        cr_assert_eq(e2e_run(args, NULL, NULL), 2, "%s", bad[i]);
    }
}

/* Every file of two results directories is the same, byte for byte. */
static void assert_same_results(const char *a, const char *b)
{
    char cmd[9000];
    /* run.json and report.html record the command line and the times */
    snprintf(cmd, sizeof cmd, "diff -r -x run.json -x report.html '%s' '%s' >/dev/null", a, b);
    cr_assert_eq(system(cmd), 0, "%s and %s differ", a, b);
}

/* Adding replications later reuses those already there (same inputs, same
 * version) and gives the files a fresh run with the final count gives. */
Test(precision, more_replications_into_the_same_out_reuse_the_earlier_ones, .timeout = 180)
{
    char *t = e2e_tmpdir(), args[4400], out[4400], a[4400], b[4400];
    snprintf(out, sizeof out, "%s/out", t);
    snprintf(args, sizeof args, "run " MINI " -r 6 -j 2 --batches --no-plot -o %s/r", t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "run " MINI " -r 14 -j 1 --batches --no-plot -o %s/r", t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "replications 1-6 reused"), "%s", text);
    free(text);
    snprintf(args, sizeof args, "run " MINI " -r 14 -j 2 --batches --no-plot -o %s/fresh", t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    snprintf(a, sizeof a, "%s/r", t);
    snprintf(b, sizeof b, "%s/fresh", t);
    assert_same_results(a, b);
    /* a tighter precision: rounds checked on the first n as a fresh run would */
    snprintf(args, sizeof args, "run " MINI " -r 4 --precision transit_mean_d=0.5 --no-plot -q -o %s/p", t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "run " MINI " -r 4 --precision transit_mean_d=0.08 --no-plot -o %s/p", t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    text = e2e_slurp(out);
    cr_assert(strstr(text, "reused from the earlier results"), "%s", text);
    free(text);
    snprintf(args, sizeof args, "run " MINI " -r 4 --precision transit_mean_d=0.08 --no-plot -q -o %s/pf", t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    snprintf(a, sizeof a, "%s/p", t);
    snprintf(b, sizeof b, "%s/pf", t);
    assert_same_results(a, b);
    e2e_rmtree(t);
}

/* One changed byte in an input changes the key: nothing is reused. */
Test(precision, a_changed_input_is_never_reused, .timeout = 120)
{
    char *t = e2e_tmpdir(), args[4400], out[4400], a[4400], b[4400];
    snprintf(out, sizeof out, "%s/out", t);
    snprintf(args, sizeof args, "cp -r " MINI " %s/s", t);
    cr_assert_eq(system(args), 0);
    snprintf(args, sizeof args, "run %s/s -r 5 -q --no-plot -o %s/r", t, t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "sed -i 's/BRS,Brest,BY,hub,3,/BRS,Brest,BY,hub,2,/' %s/s/nodes.csv", t);
    cr_assert_eq(system(args), 0);
    snprintf(args, sizeof args, "run %s/s -r 8 --no-plot -o %s/r", t, t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    char *text = e2e_slurp(out);
    cr_assert_null(strstr(text, "reused"), "%s", text);
    free(text);
    snprintf(args, sizeof args, "run %s/s -r 8 -q --no-plot -o %s/fresh", t, t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    snprintf(a, sizeof a, "%s/r", t);
    snprintf(b, sizeof b, "%s/fresh", t);
    assert_same_results(a, b);
    /* a --set that changes the model is part of the key too */
    snprintf(args, sizeof args, "run %s/s -r 9 --set services.BRS-WAW.capacity_t=19 --no-plot -o %s/r", t, t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    text = e2e_slurp(out);
    cr_assert_null(strstr(text, "reused"), "%s", text);
    free(text);
    e2e_rmtree(t);
}

/* compare reuses each arm's replications the same way, rounds included. */
Test(precision, compare_into_the_same_out_reuses_every_arm, .timeout = 180)
{
    char *t = e2e_tmpdir(), args[4400], out[4400], a[4400], b[4400];
    snprintf(out, sizeof out, "%s/out", t);
    snprintf(args, sizeof args, "compare tests/e2e/weekly daily -r 3 --precision on_time_pct=1 -q --no-plot -o %s/c", t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "compare tests/e2e/weekly daily -r 3 --precision on_time_pct=0.4 --no-plot -o %s/c", t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "of every arm reused from the earlier results"), "%s", text);
    free(text);
    snprintf(args, sizeof args, "compare tests/e2e/weekly daily -r 3 --precision on_time_pct=0.4 -q --no-plot -o %s/f", t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    snprintf(a, sizeof a, "%s/c", t);
    snprintf(b, sizeof b, "%s/f", t);
    assert_same_results(a, b);
    e2e_rmtree(t);
}

/* sweep: every point runs its own rounds, and a later sweep into the same
 * -o reuses each point's replications. */
Test(precision, sweep_points_run_rounds_and_reuse_them, .timeout = 240)
{
    char *t = e2e_tmpdir(), args[4400], out[4400], a[4400], b[4400];
    snprintf(out, sizeof out, "%s/out", t);
    const char *sweep = "sweep tests/e2e/wait-half-headway --vary services.OD.departures_per_week=2.8,5.6 -r 4";
    snprintf(args, sizeof args, "%s --precision transit_mean_d=0.004 -q --no-plot -o %s/s", sweep, t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "%s --precision transit_mean_d=0.002 -j 1 --no-plot -o %s/s", sweep, t);
    cr_assert_eq(e2e_run(args, out, NULL), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "precision: transit_mean_d@all half-width") && strstr(text, "<= 0.002"), "%s", text);
    free(text);
    snprintf(args, sizeof args, "%s --precision transit_mean_d=0.002 -j 2 -q --no-plot -o %s/f", sweep, t);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    snprintf(a, sizeof a, "%s/s", t);
    snprintf(b, sizeof b, "%s/f", t);
    assert_same_results(a, b);
    e2e_rmtree(t);
}
