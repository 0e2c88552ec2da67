/* End-to-end tests: the railmail binary (path in $RAILMAIL, set by make)
 * against results that can be computed by hand. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT "tests/e2e/wait-half-headway"

static const char *bin(void)
{
    const char *b = getenv("RAILMAIL");
    return b ? b : "./railmail";
}

/* Runs railmail with `args`, stderr into `err` (may be NULL); exit status. */
static int railmail(const char *args, const char *err)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null 2>%s", bin(), args, err ? err : "/dev/null");
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *tmpdir(void)
{
    char *t = strdup("/tmp/railmail-e2e-XXXXXX");
    cr_assert(mkdtemp(t));
    return t;
}

static void rmtree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Field `field` after the scope (0 mean, 1 ci_low, 2 ci_high, 3 sd) of
 * (metric, scope) in a summary.csv, NaN when absent. */
static double summary_field(const char *dir, const char *metric, const char *scope, int field)
{
    char path[4200], line[1024], key[600];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    snprintf(key, sizeof key, "%s,%s,", metric, scope);
    FILE *f = fopen(path, "r");
    cr_assert(f);
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

/* The mean of (metric, scope) in a summary.csv, NaN when absent. */
static double summary(const char *dir, const char *metric, const char *scope)
{
    return summary_field(dir, metric, scope, 0);
}

/* Mean of backlog_batches_mean over days [from, to) of throughput.csv. */
static double mean_backlog(const char *dir, int from, int to)
{
    char path[4200], line[512];
    snprintf(path, sizeof path, "%s/throughput.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    double sum = 0;
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        int day;
        double a, b, c, backlog;
        if (sscanf(line, "%d,%*10[-0-9],%lf,%lf,%lf,%lf", &day, &a, &b, &c, &backlog) == 5 && day >= from
            && day < to) {
            sum += backlog;
            n++;
        }
    }
    fclose(f);
    cr_assert_gt(n, 0);
    return sum / n;
}

static bool same_file(const char *a, const char *b)
{
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", a, b);
    return system(cmd) == 0;
}

Test(e2e, poisson_batches_wait_half_the_headway, .timeout = 120)
{
    char *t = tmpdir(), args[4400];
    snprintf(args, sizeof args, "run " WAIT " -o %s/r --no-plot -q", t);
    cr_assert_eq(railmail(args, NULL), 0);
    char r[4200];
    snprintf(r, sizeof r, "%s/r", t);
    /* headway 168/5.6 = 30 h: wait 15 h, + 6.5 h running + 2.385 h dwell */
    double expected_d = (15 + 6.5 + 2.385) / 24;
    double lo = summary_field(r, "transit_mean_d", "all", 1);
    double hi = summary_field(r, "transit_mean_d", "all", 2);
    cr_assert(lo <= expected_d && expected_d <= hi, "CI [%g, %g] misses %g", lo, hi, expected_d);
    cr_assert_float_eq(summary(r, "transit_mean_d", "all"), expected_d, 0.01);
    /* the shortest possible transit is the fixed part; the longest adds a headway */
    cr_assert_float_eq(summary(r, "transit_p50_d", "all"), expected_d, 0.03);
    /* the longest: a batch that just missed the cut-off waits a whole
     * headway; over thousands of batches some come within minutes of it */
    double max_d = (30 + 6.5 + 2.385) / 24;
    cr_assert(summary(r, "transit_max_d", "all") <= max_d + 1e-9, "max %g", summary(r, "transit_max_d", "all"));
    cr_assert(summary(r, "transit_max_d", "all") >= max_d - 0.01, "max %g", summary(r, "transit_max_d", "all"));
    cr_assert_eq(summary(r, "lost_batches", "all"), 0);
    rmtree(t);
    free(t);
}

Test(e2e, littles_law_links_backlog_rate_and_wait, .timeout = 120)
{
    char *t = tmpdir(), args[4400], r[4200];
    snprintf(args, sizeof args, "run " WAIT " -o %s/r --no-plot -q", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(r, sizeof r, "%s/r", t);
    /* L = lambda W: 40/24 batches an hour waiting 15 h on average = 25 */
    cr_assert_float_eq(mean_backlog(r, 20, 400), 40.0 / 24 * 15, 25 * 0.05);
    rmtree(t);
    free(t);
}

Test(e2e, capacity_below_demand_builds_a_backlog, .timeout = 120)
{
    char *t = tmpdir(), args[4400], r[4200];
    /* demand 0.5 t/day; a train every 30 h carrying 0.55 t moves 0.44 t/day */
    snprintf(args, sizeof args, "run " WAIT " -o %s/small --no-plot -q -r 3 --set services.OD.capacity_t=0.55", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(r, sizeof r, "%s/small", t);
    double early = mean_backlog(r, 100, 110), late = mean_backlog(r, 380, 390);
    cr_assert_gt(late, early + 200, "backlog %g -> %g should grow without bound", early, late);
    /* twice the capacity: the backlog stays where it was */
    snprintf(args, sizeof args, "run " WAIT " -o %s/ample --no-plot -q -r 3 --set services.OD.capacity_t=1.1", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(r, sizeof r, "%s/ample", t);
    early = mean_backlog(r, 100, 200);
    late = mean_backlog(r, 290, 390);
    cr_assert_lt(fabs(late - early), 5, "backlog %g -> %g should stay bounded", early, late);
    cr_assert_lt(late, 40);
    rmtree(t);
    free(t);
}

Test(e2e, every_batch_is_accounted_for, .timeout = 120)
{
    char *t = tmpdir(), args[4400], r[4200];
    snprintf(args, sizeof args, "run " WAIT " -o %s/r --no-plot -q -r 2 --set services.OD.capacity_t=0.55", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(r, sizeof r, "%s/r", t);
    double posted = summary(r, "posted_batches", "all"), delivered = summary(r, "delivered_batches", "all");
    double in_flight = summary(r, "in_flight_batches", "all");
    cr_assert_gt(in_flight, 100);
    cr_assert_float_eq(posted, delivered + in_flight, 1e-9);
    cr_assert_eq(summary(r, "lost_batches", "all"), 0);
    rmtree(t);
    free(t);
}

Test(e2e, output_is_identical_for_any_number_of_jobs, .timeout = 120)
{
    char *t = tmpdir(), args[4400];
    const char *files[] = { "summary.csv", "replications.csv", "throughput.csv", "trains.csv",
                            "batches.csv", "tracking.csv", "transit.csv", "backlog.csv" };
    for (int j = 1; j <= 2; j++) {
        snprintf(args, sizeof args, "run " WAIT " -o %s/j%d --no-plot -q -r 3 -d 60 -j %d --batches --tracking",
                 t, j, j);
        cr_assert_eq(railmail(args, NULL), 0);
    }
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char a[4400], b[4400];
        snprintf(a, sizeof a, "%s/j1/%s", t, files[i]);
        snprintf(b, sizeof b, "%s/j2/%s", t, files[i]);
        cr_assert(same_file(a, b), "%s differs between -j1 and -j2", files[i]);
    }
    rmtree(t);
    free(t);
}

/* The posted_h column (6th) of batches.csv, sorted by batch, as one string. */
static char *posting_times(const char *dir)
{
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "cut -d, -f1,2,3,4,5,6 '%s/batches.csv' | sort", dir);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = 0;
    pclose(p);
    return buf;
}

Test(e2e, changing_a_dwell_leaves_postings_unchanged, .timeout = 120)
{
    char *t = tmpdir(), args[4400], a[4200], b[4200];
    snprintf(args, sizeof args, "run " WAIT " -o %s/a --no-plot -q -r 2 -d 60 --batches", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(args, sizeof args,
             "run " WAIT " -o %s/b --no-plot -q -r 2 -d 60 --batches --set 'nodes.D.dwell_h=lognormal(7.25,0.6)'", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(a, sizeof a, "%s/a", t);
    snprintf(b, sizeof b, "%s/b", t);
    char *pa = posting_times(a), *pb = posting_times(b);
    cr_assert_gt(strlen(pa), 1000);
    cr_assert_str_eq(pa, pb, "posting times and weights must not depend on another row's dwell");
    cr_assert_neq(summary(a, "transit_mean_d", "all"), summary(b, "transit_mean_d", "all"));
    free(pa);
    free(pb);
    rmtree(t);
    free(t);
}

Test(e2e, a_closed_node_holds_trains_until_it_reopens, .timeout = 120)
{
    char *t = tmpdir(), args[4400], path[4400], line[512];
    snprintf(args, sizeof args, "run tests/e2e/closure -o %s/r --no-plot -q", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(path, sizeof path, "%s/r/trains.csv", t);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    int held = 0, during = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned rep, train;
        char svc[64];
        double dep, arr;
        if (sscanf(line, "%u,%63[^,],%u,%lf,%lf", &rep, svc, &train, &dep, &arr) != 5)
            continue;
        if (arr > 2400 + 2.385 + 1e-6 && arr < 2640)
            during++;  /* no train may finish while the node is closed */
        if (dep + 6.5 > 2400 && dep + 6.5 < 2640) {
            held++;
            cr_assert_float_eq(arr, 2640 + 2.385, 1e-6, "a train that reached the closed node at %g finished at %g",
                               dep + 6.5, arr);
        }
    }
    fclose(f);
    cr_assert_eq(during, 0);
    cr_assert_gt(held, 10);
    rmtree(t);
    free(t);
}

Test(e2e, bad_input_exits_2_and_leaves_results_untouched, .timeout = 120)
{
    char *t = tmpdir(), args[10000], err[4400], before[4400], keep[4400];
    snprintf(args, sizeof args, "run " WAIT " -o %s/r --no-plot -q -r 2 -d 40", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(before, sizeof before, "%s/r/summary.csv", t);
    snprintf(keep, sizeof keep, "%s/keep.csv", t);
    snprintf(args, sizeof args, "cp '%s' '%s'", before, keep);
    cr_assert_eq(system(args), 0);
    snprintf(err, sizeof err, "%s/err", t);
    snprintf(args, sizeof args, "run " WAIT " -o %s/r --no-plot -q --set services.OD.capacity_t=-3", t);
    cr_assert_eq(railmail(args, err), 2);
    cr_assert(same_file(before, keep), "a failed run changed earlier results");
    snprintf(args, sizeof args, "run " WAIT " -o %s/r -r zero", t);
    cr_assert_eq(railmail(args, NULL), 2);
    cr_assert_eq(railmail("run --no-such-option", NULL), 2);
    cr_assert_eq(railmail("frobnicate", NULL), 2);
    cr_assert_eq(railmail("run " WAIT " -q --no-plot -o /proc/railmail-cannot-write", NULL), 1);
    rmtree(t);
    free(t);
}

Test(e2e, help_and_version_exit_0)
{
    cr_assert_eq(railmail("--help", NULL), 0);
    cr_assert_eq(railmail("--version", NULL), 0);
    cr_assert_eq(railmail("run --help", NULL), 0);
    cr_assert_eq(railmail("compare --help", NULL), 0);
    cr_assert_eq(railmail("validate --help", NULL), 0);
    cr_assert_eq(railmail("plot --help", NULL), 0);
}

/* ---- compare ---------------------------------------------------------------- */

#define WEEKLY "tests/e2e/weekly"

/* Calls fn(line) for each data line of compare.csv in dir. */
static void each_compare_row(const char *dir, void (*fn)(const char *line))
{
    char path[4200], line[1024];
    snprintf(path, sizeof path, "%s/compare.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f, "no %s", path);
    cr_assert(fgets(line, sizeof line, f));
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        fn(line);
        n++;
    }
    fclose(f);
    cr_assert_gt(n, 20);
}

/* The n-th comma-separated field (from 0) of a line, as a number. */
static double field(const char *line, int n)
{
    const char *p = line;
    for (int i = 0; i < n; i++)
        p = strchr(p, ',') + 1;
    return strtod(p, NULL);
}

static void identical_is_zero(const char *line)
{
    if (strncmp(line, "identical,", 10))
        return;
    cr_assert_eq(field(line, 5), 0, "%s", line);
    cr_assert(strstr(line, ",no difference\n"), "%s", line);
}

static void scans_touch_only_tracking(const char *line)
{
    if (strncmp(line, "scans,", 6) || strstr(line, ",tracking_"))
        return;
    cr_assert_eq(field(line, 5), 0, "%s", line);
}

static void daily_transit_is_better(const char *line)
{
    if (!strncmp(line, "daily,transit_mean_d,all,", 25))
        cr_assert(strstr(line, ",better\n"), "%s", line);
}

Test(e2e, compare_pairs_proposals_with_common_random_numbers, .timeout = 180)
{
    char *t = tmpdir(), args[4400], dir[4200];
    snprintf(args, sizeof args, "compare " WEEKLY " identical scans daily -o %s/c --no-plot -q", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(dir, sizeof dir, "%s/c", t);
    each_compare_row(dir, identical_is_zero);
    each_compare_row(dir, scans_touch_only_tracking);
    each_compare_row(dir, daily_transit_is_better);
    /* the scan at the border shortens the longest silence */
    char path[4400], line[1024];
    snprintf(path, sizeof path, "%s/compare.csv", dir);
    FILE *f = fopen(path, "r");
    bool seen = false;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "scans,tracking_gap_max_h,all,", 29)) {
            seen = true;
            cr_assert_lt(field(line, 5), 0);
        }
    fclose(f);
    cr_assert(seen);
    rmtree(t);
    free(t);
}

Test(e2e, a_broken_proposal_names_its_own_file_and_line, .timeout = 60)
{
    char *t = tmpdir(), args[4400], err[4400], msg[1024] = "";
    snprintf(err, sizeof err, "%s/err", t);
    snprintf(args, sizeof args, "compare " WEEKLY " broken -o %s/c --no-plot -q", t);
    cr_assert_eq(railmail(args, err), 2);
    FILE *f = fopen(err, "r");
    cr_assert(f);
    cr_assert(fgets(msg, sizeof msg, f));
    fclose(f);
    cr_assert_str_eq(msg, "railmail: " WEEKLY "/proposals/broken/services.csv:2:3: departures_per_week: "
                          "expected a number > 0 and <= 10080 (one a minute), got \"often\"\n");
    snprintf(args, sizeof args, "%s/c", t);
    cr_assert_neq(access(args, F_OK), 0, "a failed compare must not leave results");
    rmtree(t);
    free(t);
}

/* ---- validate and the bad-input corpus -------------------------------------- */

Test(e2e, validate_accepts_the_shipped_scenarios, .timeout = 60)
{
    cr_assert_eq(railmail("validate scenarios/china-europe-via-belarus scenarios/malaszewicze-2021", NULL), 0);
}

Test(e2e, every_broken_scenario_exits_2_with_its_message, .timeout = 300)
{
    FILE *list = popen("ls tests/bad", "r");
    cr_assert(list);
    char name[256], err[] = "/tmp/railmail-bad-XXXXXX";
    int fd = mkstemp(err);
    cr_assert_geq(fd, 0);
    close(fd);
    int cases = 0;
    while (fgets(name, sizeof name, list)) {
        name[strcspn(name, "\n")] = 0;
        char path[600], expected[1024] = "", args[700], line[2048];
        snprintf(path, sizeof path, "tests/bad/%s/expected", name);
        FILE *e = fopen(path, "r");
        if (!e)
            continue;
        cr_assert(fgets(expected, sizeof expected, e));
        fclose(e);
        expected[strcspn(expected, "\n")] = 0;
        snprintf(args, sizeof args, "validate tests/bad/%s", name);
        cr_assert_eq(railmail(args, err), 2, "%s: expected exit status 2", name);
        FILE *got = fopen(err, "r");
        bool found = false;
        while (got && fgets(line, sizeof line, got)) {
            line[strcspn(line, "\n")] = 0;
            found |= !strncmp(line, "railmail: ", 10) && !strcmp(line + 10, expected);
            cr_assert_null(strstr(line, "Sanitizer"), "%s: %s", name, line);
        }
        if (got)
            fclose(got);
        cr_assert(found, "%s: missing message: %s", name, expected);
        cases++;
    }
    pclose(list);
    remove(err);
    cr_assert_geq(cases, 40);
}

/* ---- golden ------------------------------------------------------------------ */

Test(e2e, fixed_seed_run_matches_its_golden_files, .timeout = 60)
{
    char *t = tmpdir(), args[4400], got[4400];
    snprintf(args, sizeof args, "run tests/e2e/closure -r 2 -d 120 -o %s/r -q --no-plot", t);
    cr_assert_eq(railmail(args, NULL), 0);
    const char *files[] = { "summary", "throughput" };
    for (int i = 0; i < 2; i++) {
        char golden[256];
        snprintf(golden, sizeof golden, "tests/golden/closure-%s.csv", files[i]);
        snprintf(got, sizeof got, "%s/r/%s.csv", t, files[i]);
        cr_assert(same_file(golden, got), "%s differs from %s: if the model changed on purpose, "
                  "regenerate it and say why in the commit", got, golden);
    }
    rmtree(t);
    free(t);
}

/* ---- the 2021 replay ------------------------------------------------------- */

/* Mean of train_wait_d_mean at `node` over days [from, to) of train_wait.csv. */
static double mean_train_wait(const char *dir, const char *node, int from, int to)
{
    char path[4200], line[512], name[64];
    snprintf(path, sizeof path, "%s/train_wait.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f, "no %s", path);
    double sum = 0, v;
    int n = 0, day;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%d,%*10[-0-9],%63[^,],%lf", &day, name, &v) == 3 && !strcmp(name, node) && day >= from && day < to) {
            sum += v;
            n++;
        }
    fclose(f);
    cr_assert_gt(n, 0);
    return sum / n;
}

Test(e2e, malaszewicze_2021_border_wait_grows_to_the_reported_delays, .timeout = 180)
{
    char *t = tmpdir(), args[4400], r[4200];
    snprintf(args, sizeof args, "run scenarios/malaszewicze-2021 -r 3 -o %s/r --no-plot -q", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(r, sizeof r, "%s/r", t);
    /* below capacity until April: under a day; by December the 10-15 days of 2021 */
    double early = mean_train_wait(r, "BRS", 0, 60), late = mean_train_wait(r, "BRS", 335, 365);
    cr_assert_lt(early, 1, "January-February wait %g d", early);
    cr_assert(late > 10 && late < 16, "December wait %g d, reported 10-15", late);
    rmtree(t);
    free(t);
}

/* ---- disruptions, oversize batches, event counts ------------------------------ */

Test(e2e, overlapping_closures_compound_and_trains_leave_in_order, .timeout = 60)
{
    char *t = tmpdir(), args[4400], path[4400], line[512];
    snprintf(args, sizeof args, "run tests/e2e/overlap -o %s/r --no-plot -q", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(path, sizeof path, "%s/r/trains.csv", t);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    double last_arrival[3] = { 0, 0, 0 };
    int held = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned rep, train;
        double dep, arr;
        if (sscanf(line, "%u,S,%u,%lf,%lf", &rep, &train, &dep, &arr) != 4)
            continue;
        double at_border = dep + 10;
        /* closed from 240 h to 720 h: nothing gets through in between */
        cr_assert(!(arr - 9.25 > 240 + 1e-9 && arr - 9.25 < 720 - 1e-9), "train %u through at %g", train, arr - 9.25);
        if (at_border > 240 && at_border < 720)
            held++;
        cr_assert_geq(arr, last_arrival[rep], "train %u overtook", train);  /* FIFO at the border */
        last_arrival[rep] = arr;
    }
    fclose(f);
    cr_assert_gt(held, 30);
    rmtree(t);
    free(t);
}

Test(e2e, a_batch_heavier_than_a_train_takes_an_empty_one, .timeout = 60)
{
    char *t = tmpdir(), args[4400], r[4200];
    /* 12.5 kg batches, 10 kg trains: one batch a train, the queue still moves */
    snprintf(args, sizeof args, "run " WAIT " -o %s/r --no-plot -q -r 2 -d 60 --set services.OD.capacity_t=0.01", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(r, sizeof r, "%s/r", t);
    /* every train leaves with exactly one batch: 12.5 kg of 10 */
    cr_assert_gt(summary(r, "trains", "service:OD"), 30);
    cr_assert_float_eq(summary(r, "load_pct", "service:OD"), 125, 1e-9);
    cr_assert_float_eq(summary_field(r, "load_pct", "service:OD", 3), 0, 1e-9);  /* sd */
    rmtree(t);
    free(t);
}

Test(e2e, tracking_events_match_tracking_csv_whatever_is_written, .timeout = 60)
{
    char *t = tmpdir(), args[4400], path[4400], line[512];
    snprintf(args, sizeof args, "run tests/e2e/overlap -o %s/a --no-plot -q --tracking --batches", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(args, sizeof args, "run tests/e2e/overlap -o %s/b --no-plot -q", t);
    cr_assert_eq(railmail(args, NULL), 0);
    snprintf(path, sizeof path, "%s/a/tracking.csv", t);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    double rows[3] = { 0, 0, 0 };
    unsigned rep;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%u,", &rep) == 1 && rep <= 2)
            rows[rep]++;
    fclose(f);
    double total = rows[1] + rows[2];
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/a", t);
    snprintf(b, sizeof b, "%s/b", t);
    cr_assert_float_eq(summary(a, "tracking_events", "all") * 2, total, 1e-6);
    cr_assert_float_eq(summary(b, "tracking_events", "all") * 2, total, 1e-6);
    rmtree(t);
    free(t);
}

Test(e2e, out_never_replaces_a_directory_that_is_not_results, .timeout = 60)
{
    char *t = tmpdir(), args[10000], keep[4400];
    snprintf(keep, sizeof keep, "%s/mine/notes.txt", t);
    snprintf(args, sizeof args, "mkdir -p %s/mine && echo keep > %s", t, keep);
    cr_assert_eq(system(args), 0);
    snprintf(args, sizeof args, "run tests/e2e/overlap -o %s/mine --no-plot -q", t);
    cr_assert_eq(railmail(args, NULL), 2);
    cr_assert_eq(access(keep, F_OK), 0, "railmail deleted a directory it did not write");
    /* earlier results may be replaced, also when the path ends in a slash */
    snprintf(args, sizeof args, "run tests/e2e/overlap -o %s/res/ --no-plot -q", t);
    cr_assert_eq(railmail(args, NULL), 0);
    cr_assert_eq(railmail(args, NULL), 0);
    rmtree(t);
    free(t);
}

Test(e2e, compare_refuses_unpairable_or_clashing_proposals, .timeout = 60)
{
    char *t = tmpdir(), args[4400];
    snprintf(args, sizeof args, "cp -r " WEEKLY " %s/w && cp -r %s/w/proposals/daily %s/w/proposals/baseline "
             "&& cp -r %s/w/proposals/daily %s/w/proposals/reseeded "
             "&& printf 'key,value\\nseed,99\\n' > %s/w/proposals/reseeded/scenario.csv", t, t, t, t, t, t);
    cr_assert_eq(system(args), 0);
    snprintf(args, sizeof args, "compare %s/w baseline -o %s/c --no-plot -q", t, t);
    cr_assert_eq(railmail(args, NULL), 2);
    snprintf(args, sizeof args, "compare %s/w daily daily -o %s/c --no-plot -q", t, t);
    cr_assert_eq(railmail(args, NULL), 2);
    snprintf(args, sizeof args, "compare %s/w reseeded -o %s/c --no-plot -q", t, t);
    cr_assert_eq(railmail(args, NULL), 2);
    rmtree(t);
    free(t);
}

/* 200 overlapping x100 boosts overflow to infinity; with one x0 on top the
 * product used to be NaN, which compared as open, and the train ran. */
Test(e2e, a_closed_service_never_runs_whatever_else_overlaps, .timeout = 60)
{
    char *t = tmpdir(), cmd[4400], path[4400];
    snprintf(cmd, sizeof cmd, "cp -r tests/e2e/closure %s/s", t);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/s/disruptions.csv", t);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("target,start_d,duration_d,capacity_factor\n", f);
    for (int i = 0; i < 200; i++)
        fprintf(f, "OD,%g,140,100\n", i * 0.01);
    fputs("OD,2.5,147,0\n", f);  /* last, so the product overflows first */
    fclose(f);
    snprintf(cmd, sizeof cmd, "run %s/s -r 2 -o %s/r -q --no-plot", t, t);
    cr_assert_eq(railmail(cmd, NULL), 0);
    snprintf(path, sizeof path, "%s/r", t);
    cr_assert_eq(summary(path, "trains", "service:OD"), 0);
    cr_assert_eq(summary(path, "delivered_batches", "all"), 0);
    rmtree(t);
    free(t);
}

/* ---- names that CSV, gnuplot and terminals treat specially -------------- */

static const char *const hostile[] = { "a,b", "q\"q", "x;y", "nl\nname", " lead", "#hash", "esc\x1b[31m" };
#define N_HOSTILE (sizeof hostile / sizeof *hostile)

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* scenario-mini with one small proposal per hostile name, each running the
 * Brest-Warsaw service a little more often. */
static void hostile_scenario(const char *t, char *dir, size_t len)
{
    char cmd[9000], path[4400];
    snprintf(dir, len, "%s/s", t);
    snprintf(cmd, sizeof cmd, "cp -r tests/fixtures/scenario-mini '%s' && mkdir '%s/proposals'", dir, dir);
    cr_assert_eq(system(cmd), 0);
    for (size_t i = 0; i < N_HOSTILE; i++) {
        snprintf(path, sizeof path, "%s/proposals/%s", dir, hostile[i]);
        cr_assert_eq(mkdir(path, 0777), 0, "mkdir %s", path);
        char text[300];
        snprintf(text, sizeof text, "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
                 "BRS-WAW,BRS>WAW,%zu,8,20,2\n", 8 + i);
        snprintf(path, sizeof path, "%s/proposals/%s/services.csv", dir, hostile[i]);
        write_file(path, text);
    }
}

/* Python's csv module reads every CSV under `out` with the header's field
 * count on every row, and the proposal names in compare.csv,
 * compare_throughput.csv and meta.csv (in order) are the directory names. */
static void assert_csvs_parse_and_names_round_trip(const char *t, const char *scenario, const char *out)
{
    char script[4400], cmd[13500];
    snprintf(script, sizeof script, "%s/check.py", t);
    write_file(script,
        "import csv, os, sys\n"
        "out, scenario = sys.argv[1], sys.argv[2]\n"
        "names = sorted(os.listdir(os.path.join(scenario, 'proposals')))\n"
        "def rows(path):\n"
        "    with open(path, newline='', encoding='utf-8') as f:\n"
        "        return list(csv.reader(f, strict=True))\n"
        "count = 0\n"
        "for top, dirs, files in os.walk(out):\n"
        "    for name in files:\n"
        "        if name.endswith('.csv'):\n"
        "            r = rows(os.path.join(top, name))\n"
        "            bad = [i + 1 for i, row in enumerate(r) if len(row) != len(r[0])]\n"
        "            assert r and not bad, (top, name, bad[:3])\n"
        "            count += 1\n"
        "meta = rows(os.path.join(out, 'meta.csv'))\n"
        "listed = [v for k, v in meta[1:] if k == 'proposal']\n"
        "assert listed == names, (listed, names)\n"
        "assert sorted({r[0] for r in rows(os.path.join(out, 'compare.csv'))[1:]}) == names\n"
        "daily = {r[2] for r in rows(os.path.join(out, 'compare_throughput.csv'))[1:]}\n"
        "assert sorted(daily) == sorted(names + ['baseline']), daily\n"
        "for name in names + ['baseline']:\n"
        "    assert os.path.isfile(os.path.join(out, name, 'summary.csv')), name\n"
        "assert count == 4 + 12 * (len(names) + 1), count\n");
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' '%s' 2>&1", script, out, scenario);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    char why[2048] = "";
    size_t got = fread(why, 1, sizeof why - 1, p);
    why[got] = '\0';
    cr_assert_eq(pclose(p), 0, "the results do not read back: %s", why);
}

/* The whole of a small file, for looking through printed output. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot read %s", path);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

Test(e2e, hostile_proposal_names_survive_csv_plot_and_terminal, .timeout = 300)
{
    char *t = tmpdir(), scenario[4200], cmd[9000], out[4300];
    hostile_scenario(t, scenario, sizeof scenario);

    /* without charts, then drawn by `railmail plot` */
    snprintf(out, sizeof out, "%s/np", t);
    snprintf(cmd, sizeof cmd, "%s compare '%s' -r 3 -d 60 -j 2 --no-plot -o '%s' >'%s/stdout' 2>'%s/stderr'",
             bin(), scenario, out, t, t);
    cr_assert_eq(system(cmd), 0, "compare --no-plot failed");
    assert_csvs_parse_and_names_round_trip(t, scenario, out);
    char path[4400];
    snprintf(path, sizeof path, "%s/stdout", t);
    const char *printed = slurp(path);
    cr_assert_null(strchr(printed, '\x1b'), "an escape character reached the terminal");
    cr_assert(strstr(printed, "\nesc\\x1b[31m "), "expected the escaped name in:\n%s", printed);
    cr_assert(strstr(printed, "\nnl\\nname "), "expected the escaped name in:\n%s", printed);
    cr_assert(strstr(printed, "\na,b "));
    snprintf(cmd, sizeof cmd, "%s plot '%s' >/dev/null 2>'%s/stderr'", bin(), out, t);
    cr_assert_eq(system(cmd), 0, "plot failed: %s", slurp(path));
    snprintf(path, sizeof path, "%s/compare.gp", out);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0, "no compare.gp");

    /* with charts drawn as part of the comparison */
    snprintf(out, sizeof out, "%s/p", t);
    snprintf(cmd, sizeof cmd, "%s compare '%s' -r 3 -d 60 -j 2 -q -o '%s' 2>'%s/stderr'", bin(), scenario, out, t);
    snprintf(path, sizeof path, "%s/stderr", t);
    cr_assert_eq(system(cmd), 0, "compare failed: %s", slurp(path));
    assert_csvs_parse_and_names_round_trip(t, scenario, out);

    /* an error quoting a name escapes it too */
    snprintf(cmd, sizeof cmd, "%s compare '%s' 'no\x1b[2Jsuch' -q --no-plot -o '%s/x' 2>'%s/stderr'", bin(),
             scenario, t, t);
    cr_assert_eq(system(cmd), 2 << 8);
    printed = slurp(path);
    cr_assert_null(strchr(printed, '\x1b'), "an escape character reached the terminal: %s", printed);
    cr_assert(strstr(printed, "no\\x1b[2Jsuch"), "%s", printed);
    rmtree(t);
    free(t);
}

/* ---- input checks on the command line --------------------------------------- */

/* The first line of `path` that starts with `prefix`, or "" (static). */
static const char *line_starting(const char *path, const char *prefix)
{
    static char line[2048];
    FILE *f = fopen(path, "r");
    cr_assert(f);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, prefix, strlen(prefix))) {
            fclose(f);
            line[strcspn(line, "\n")] = 0;
            return line;
        }
    fclose(f);
    return "";
}

Test(e2e, input_limits_warnings_and_a_proposal_run_as_a_scenario, .timeout = 60)
{
    char *t = tmpdir(), args[4400], err[4400];
    snprintf(err, sizeof err, "%s/err", t);
    /* one replication limit for -r and scenario.csv */
    cr_assert_eq(railmail("run " WEEKLY " -r 10001 -q --no-plot", err), 2);
    cr_assert_str_eq(line_starting(err, "railmail:"), "railmail: --replications: expected a whole "
                     "number from 1 to 10000, got \"10001\"");
    /* one number parser: no hex in --set, -s or -r */
    snprintf(args, sizeof args, "run " WEEKLY " --set services.OD.capacity_t=0x10 -o %s/r -q --no-plot", t);
    cr_assert_eq(railmail(args, err), 2);
    cr_assert_str_eq(line_starting(err, "railmail:"), "railmail: --set services.OD.capacity_t: "
                     "capacity_t: expected a number >= 0, got \"0x10\"");
    cr_assert_eq(railmail("run " WEEKLY " -s 0x10 -q --no-plot", NULL), 2);
    cr_assert_eq(railmail("run " WEEKLY " -r 0x10 -q --no-plot", NULL), 2);
    /* a proposal given as the scenario */
    cr_assert_eq(railmail("run " WEEKLY "/proposals/daily -q --no-plot", err), 2);
    cr_assert_str_eq(line_starting(err, "railmail:"), "railmail: " WEEKLY "/proposals/daily: this is "
                     "a proposal of " WEEKLY "; use \"railmail compare " WEEKLY " daily\"");
    /* a proposal without description.txt: a warning, exit 0 */
    snprintf(args, sizeof args, "cp -r " WEEKLY " %s/w && rm -r %s/w/proposals/broken "
             "&& rm %s/w/proposals/daily/description.txt", t, t, t);
    cr_assert_eq(system(args), 0);
    snprintf(args, sizeof args, "validate %s/w", t);
    cr_assert_eq(railmail(args, err), 0);
    char want[4400];
    snprintf(want, sizeof want, "railmail: warning: %s/w/proposals/daily/description.txt: expected "
             "a file saying what the proposal changes, got no such file", t);
    cr_assert_str_eq(line_starting(err, "railmail:"), want);
    rmtree(t);
    free(t);
}
