/* The run-out (issue 25): postings stop at the horizon and the run goes on
 * until the mail posted is delivered, or runout_d days after the horizon,
 * so that the last months are measured like the others. */
#include <criterion/criterion.h>

#include "e2e.h"
#include "railmail/diag.h"
#include "railmail/results.h"
#include "railmail/run.h"
#include "railmail/scenario.h"
#include "railmail/version.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Twelve trains a day whose run takes uniform(120,600) h, 20 batches a
 * day, a standard of 15 days: every month alike, months Feb..Dec 2024. */
#define STATIONARY "tests/e2e/stationary"
#define WARMUP_H (31 * 24.0)
#define HORIZON_H (366 * 24.0)
#define STANDARD_D 15.0

/* A month's row of monthly.csv at scope all: mean and half-width. */
struct month_value { double mean, half; };

static bool month_value(const char *dir, const char *month, const char *metric, struct month_value *out)
{
    FILE *f = e2e_open(dir, "monthly.csv");
    char line[512], *key = e2e_format("%s,%s,all,", month, metric);
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key))) {
            double mean, lo, hi;
            cr_assert_eq(sscanf(line + strlen(key), "%lf,%lf,%lf", &mean, &lo, &hi), 3, "%s", line);
            *out = (struct month_value){ mean, (hi - lo) / 2 };
            found = true;
        }
    fclose(f);
    free(key);
    return found;
}

/* The last posting month's value agrees with the earlier months': it lies
 * within its half-width plus theirs (on average) of their mean. */
static void last_month_agrees(const char *dir, const char *metric)
{
    static const char *const earlier[] = { "2024-02", "2024-03", "2024-04", "2024-05", "2024-06",
                                           "2024-07", "2024-08", "2024-09", "2024-10", "2024-11" };
    enum { N = sizeof earlier / sizeof *earlier };
    double mean = 0, half = 0;
    for (size_t i = 0; i < N; i++) {
        struct month_value v;
        cr_assert(month_value(dir, earlier[i], metric, &v), "no %s in %s", metric, earlier[i]);
        mean += v.mean / N;
        half += v.half / N;
    }
    struct month_value last;
    cr_assert(month_value(dir, "2024-12", metric, &last));
    cr_assert(fabs(last.mean - mean) <= last.half + half,
              "%s: December %.4g +- %.3g, the months before %.4g +- %.3g on average", metric, last.mean, last.half,
              mean, half);
}

/* On 4dae678 (before the run-out) December read 56.6 % on time against
 * 48.2-51.0 % for the other months and 12.97 days of mean transit against
 * 15.02-15.29: the mail posted in its last weeks was left out unless it
 * had arrived fast or was already late. */
Test(runout, the_last_month_reads_like_the_others_in_a_stationary_scenario, .timeout = 180)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, err, "run " STATIONARY " -o %s/r --no-plot -q", t), 0);
    char *r = e2e_format("%s/r", t), *text = e2e_slurp(err);
    last_month_agrees(r, "on_time_pct");
    last_month_agrees(r, "transit_mean_d");
    /* everything arrives within 25 days, well inside the default 45 */
    cr_assert_eq(e2e_summary(r, "in_flight_batches", "all", "mean"), 0);
    cr_assert_null(strstr(text, "undelivered"), "%s", text);
    free(text), free(r), free(err);
    e2e_rmtree(t);
}

/* Per replication, from batches.csv: the batches posted in the window,
 * those delivered, those delivered within the standard, and the latest
 * delivery (hours). */
struct tally { double posted, delivered, on_time, last_h; };

static void tally_batches(const char *dir, struct tally *by_rep, int n_rep)
{
    char *cmd = e2e_format("awk -F, 'NR > 1 && $6 >= %.17g { n[$1]++; if ($8 != \"\") { d[$1]++; "
                           "if ($8 - $6 <= %.17g) o[$1]++; if ($8 > l[$1]) l[$1] = $8 } } "
                           "END { for (r in n) print r, n[r], d[r] + 0, o[r] + 0, l[r] + 0 }' '%s/batches.csv'",
                           WARMUP_H, STANDARD_D * 24, dir);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    int rep;
    struct tally x;
    while (fscanf(p, "%d %lf %lf %lf %lf", &rep, &x.posted, &x.delivered, &x.on_time, &x.last_h) == 5) {
        cr_assert(rep >= 1 && rep <= n_rep);
        by_rep[rep - 1] = x;
    }
    pclose(p);
    free(cmd);
}

/* A value of replications.csv. */
static double replication_value(const char *dir, int rep, const char *metric, const char *scope)
{
    FILE *f = e2e_open(dir, "replications.csv");
    char line[512], *key = e2e_format("%d,%s,%s,", rep, metric, scope);
    double v = NAN;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key)))
            v = strtod(line + strlen(key), NULL);
    fclose(f);
    cr_assert(!isnan(v), "no %s in replications.csv", key);
    free(key);
    return v;
}

/* A run-out of 4 days, shorter than the shortest run of a train (5 days):
 * the mail posted in the last days is still on the way at the bound. It
 * is in_flight_batches, counts as late, posted = delivered + in flight,
 * and one warning says how much. */
Test(runout, mail_undelivered_at_the_bound_counts_late_with_a_warning, .timeout = 180)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, err, "run " STATIONARY " -o %s/r --no-plot -q -r 2 --batches --set scenario.runout_d=4",
                          t), 0);
    char *r = e2e_format("%s/r", t), *text = e2e_slurp(err);
    struct tally by_rep[2] = { 0 };
    tally_batches(r, by_rep, 2);
    for (int i = 0; i < 2; i++) {
        const struct tally *x = &by_rep[i];
        double in_flight = replication_value(r, i + 1, "in_flight_batches", "all");
        cr_assert_gt(in_flight, 50, "replication %d: %g in flight", i + 1, in_flight);
        cr_assert_eq(replication_value(r, i + 1, "posted_batches", "all"), x->posted);
        cr_assert_eq(replication_value(r, i + 1, "delivered_batches", "all"), x->delivered);
        cr_assert_eq(x->posted, x->delivered + in_flight, "replication %d: conservation", i + 1);
        cr_assert_eq(replication_value(r, i + 1, "lost_batches", "all"), 0);
        /* the undelivered count as late: on time over all the posted */
        cr_assert_float_eq(replication_value(r, i + 1, "on_time_pct", "all"), 100 * x->on_time / x->posted, 1e-4);
        cr_assert_leq(x->last_h, HORIZON_H + 4 * 24, "a delivery after the bound");
        cr_assert_gt(x->last_h, HORIZON_H, "nothing delivered in the run-out");
    }
    double mean = e2e_summary(r, "in_flight_batches", "all", "mean");
    double share = 100 * mean / e2e_summary(r, "posted_batches", "all", "mean");
    char *batches = e2e_format(mean >= 100 ? "%.0f" : "%.3g", mean);
    char *want = e2e_format("railmail: warning: %s batches a replication (%.3g %%) still undelivered 4 days after "
                            "the horizon (runout_d); counted late\n", batches, share);
    free(batches);
    cr_assert_str_eq(text, want);
    free(want), free(text), free(r), free(err);
    e2e_rmtree(t);
}

/* runout_d 0 ends the run at the horizon: everything on the way counts
 * as late. */
Test(runout, runout_0_ends_at_the_horizon, .timeout = 120)
{
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run " STATIONARY " -o %s/r --no-plot -q -r 1 --batches --set scenario.runout_d=0",
                          t), 0);
    char *r = e2e_format("%s/r", t);
    struct tally x = { 0 };
    tally_batches(r, &x, 1);
    cr_assert_leq(x.last_h, HORIZON_H);
    cr_assert_eq(x.posted, x.delivered + replication_value(r, 1, "in_flight_batches", "all"));
    free(r);
    e2e_rmtree(t);
}

/* What is measured by time stays in the window: the daily series,
 * throughput, backlogs, utilisation and waits are the same whatever the
 * run-out; the run-out ends once nothing is left, so a longer bound
 * simulates not one event more. */
Test(runout, what_is_measured_by_time_ignores_the_run_out, .timeout = 180)
{
    char *t = e2e_tmpdir();
    const char *bound[] = { "0", "60", "1000" };
    for (int i = 0; i < 3; i++)
        cr_assert_eq(e2e_runf(NULL, NULL, "run " STATIONARY " -o %s/r%d --no-plot -q -r 2 --set scenario.runout_d=%s",
                              t, i, bound[i]), 0);
    char *a = e2e_format("%s/r0/throughput.csv", t), *b = e2e_format("%s/r1/throughput.csv", t);
    char *x = e2e_slurp(a), *y = e2e_slurp(b);
    cr_assert_str_eq(x, y, "throughput.csv changed with the run-out");
    char *r0 = e2e_format("%s/r0", t), *r1 = e2e_format("%s/r1", t), *r2 = e2e_format("%s/r2", t);
    const char *same[][2] = { { "throughput_t_per_d", "all" }, { "max_backlog_batches", "all" },
                              { "posted_batches", "all" }, { "backlog_batches_max", "node:D" },
                              { "trains_handled", "node:D" }, { "train_queue_wait_h", "node:D" },
                              { "trains", "service:OD" }, { "load_pct", "service:OD" },
                              { "train_utilisation_pct", "all" } };
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        double v0 = e2e_summary(r0, same[i][0], same[i][1], "mean"), v1 = e2e_summary(r1, same[i][0], same[i][1], "mean");
        cr_assert(v0 == v1 || (isnan(v0) && isnan(v1)), "%s@%s: %g without the run-out, %g with", same[i][0], same[i][1],
                  v0, v1);
    }
    cr_assert_gt(e2e_summary(r0, "in_flight_batches", "all", "mean"), 0);
    cr_assert_eq(e2e_summary(r1, "in_flight_batches", "all", "mean"), 0);
    cr_assert_eq(e2e_summary(r1, "events", "all", "mean"), e2e_summary(r2, "events", "all", "mean"),
                 "the run-out did not stop when the mail was delivered");
    free(x), free(y), free(a), free(b), free(r0), free(r1), free(r2);
    e2e_rmtree(t);
}

/* runout_d is a scenario key like the others: validated (file, line,
 * column, exit 2), taken from --set, recorded in meta.csv and run.json. */
Test(runout, runout_d_is_validated_and_recorded, .timeout = 120)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, err, "run " STATIONARY " -o %s/bad --no-plot -q --set scenario.runout_d=-1", t), 2);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, "runout_d: expected a number >= 0 and <= 36500, got \"-1\""), "%s", text);
    free(text);
    cr_assert_eq(e2e_runf(NULL, NULL, "run " STATIONARY " -o %s/r --no-plot -q -r 1 -d 60 --set scenario.runout_d=7.5",
                          t), 0);
    char *meta = e2e_format("%s/r/meta.csv", t), *json = e2e_format("%s/r/run.json", t);
    char *m = e2e_slurp(meta), *j = e2e_slurp(json);
    cr_assert(strstr(m, "\nrunout_d,7.5\n"), "%s", m);
    cr_assert(strstr(j, "\"runout_d\": 7.5"), "%s", j);
    free(m), free(j), free(meta), free(json), free(err);
    e2e_rmtree(t);
}

/* The default run-out is three service standards, a proposal's own
 * standard included. */
Test(runout, the_default_is_three_standards)
{
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    const char *sets[] = { "scenario.service_standard_d=2.385" };
    cr_assert_eq(scenario_load(STATIONARY, NULL, sets, 1, &s, d), RM_OK);
    cr_assert_float_eq(s->runout_d, 3 * 2.385, 1e-12);
    scenario_destroy(s);
    diag_destroy(d);
}
