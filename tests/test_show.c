/* railmail show (issue 26): answers read back from results folders, checked
 * against values written by hand into a run's files. */
#include <criterion/criterion.h>

#include "e2e.h"

#include <math.h>

#define MINI "tests/fixtures/scenario-mini"

/* A run of the mini scenario in a fresh directory; its folder is DIR/r. */
static char *mini_run(char **dir)
{
    *dir = e2e_tmpdir();
    char *r = e2e_format("%s/r", *dir);
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -r 3 -d 60 --no-plot -o %s", r), 0);
    return r;
}

/* Runs `railmail show ARGS` and returns its stdout; the exit status must be `rc`. */
static char *show(const char *dir, int rc, const char *args)
{
    char *out = e2e_format("%s/out", dir), *err = e2e_format("%s/err", dir), *cmd = e2e_format("show %s", args);
    cr_assert_eq(e2e_run(cmd, out, err), rc, "show %s: %s", args, e2e_slurp(err));
    char *text = e2e_slurp(rc ? err : out);
    free(out), free(err), free(cmd);
    return text;
}

/* A monthly.csv of one metric at one scope, months 2024-01.. with the
 * intervals given, so that crossings can be counted by hand. */
static void write_months(const char *r, const char *metric, const char *scope, const double (*ci)[2], size_t n)
{
    char *path = e2e_format("%s/monthly.csv", r);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("month,metric,scope,mean,ci_low,ci_high,sd,n\n", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "2024-%02zu,%s,%s,%g,%g,%g,1,3\n", i + 1, metric, scope, (ci[i][0] + ci[i][1]) / 2, ci[i][0],
                ci[i][1]);
    fclose(f);
    free(path);
}

Test(show, when_finds_the_first_month_and_the_month_it_stays_beyond, .timeout = 60)
{
    char *t, *r = mini_run(&t);
    /* above 2.5 with confidence: months 2, 4 and 5 (3 straddles it) */
    const double ci[][2] = { {1, 2}, {3, 4}, {1, 5}, {3, 4}, {2.6, 4} };
    write_months(r, "transit_mean_d", "all", ci, 5);
    char *args = e2e_format("%s when 'transit_mean_d>2.5'", r), *out = show(t, 0, args);
    cr_assert(strstr(out, "first:          2024-02 (3.50 [3.00, 4.00])"), "%s", out);
    cr_assert(strstr(out, "sustained from: 2024-04 (3.50 [3.00, 4.00]), to the last month (2024-05)"), "%s", out);
    free(out), free(args);
    /* >= counts a bound equal to the threshold; 2.6 is 5's lower bound */
    args = e2e_format("%s when 'transit_mean_d@all >= 3' --csv", r), out = show(t, 0, args);
    cr_assert_str_eq(out, "metric,scope,operator,threshold,first,sustained_from\n"
                          "transit_mean_d,all,>=,3,2024-02,\n");
    free(out), free(args);
    /* below: the upper bound must be */
    args = e2e_format("%s when 'transit_mean_d<2.5'", r), out = show(t, 0, args);
    cr_assert(strstr(out, "first:          2024-01 (1.50 [1.00, 2.00])"), "%s", out);
    cr_assert(strstr(out, "sustained from: not sustained"), "%s", out);
    free(out), free(args);
    args = e2e_format("%s when 'transit_mean_d<0.5'", r), out = show(t, 0, args);
    cr_assert(strstr(out, "never: in none of 5 months, 2024-01 to 2024-05"), "%s", out);
    free(out), free(args);
    free(r);
    e2e_rmtree(t);
}

Test(show, months_prints_the_rows_of_one_scope_in_order, .timeout = 60)
{
    char *t, *r = mini_run(&t);
    const double ci[][2] = { {10, 12}, {11, 13} };
    write_months(r, "on_time_pct", "origin:CQ", ci, 2);
    char *args = e2e_format("%s months on_time_pct@origin:CQ", r), *out = show(t, 0, args);
    cr_assert(strstr(out, "on_time_pct@origin:CQ (%) by month of posting, with 90% confidence intervals:\n"
                          "month          mean      ci_low     ci_high  n\n"
                          "2024-01       11.00       10.00       12.00  3\n"
                          "2024-02       12.00       11.00       13.00  3\n"), "%s", out);
    free(out), free(args);
    args = e2e_format("%s months on_time_pct@origin:XX", r), out = show(t, 2, args);
    cr_assert(strstr(out, "has no month of on_time_pct@origin:XX; its scopes of that metric include origin:CQ"),
              "%s", out);
    free(out), free(args);
    free(r);
    e2e_rmtree(t);
}

Test(show, pairs_sorts_worst_first_by_the_metric_s_direction, .timeout = 60)
{
    char *t, *r = mini_run(&t);
    char *pairs = e2e_format("%s/pairs.csv", r);
    FILE *f = fopen(pairs, "w");
    fputs("origin,destination,posted,on_time_pct,on_time_pct_ci_low,on_time_pct_ci_high,"
          "transit_p95_d,transit_p95_d_ci_low,transit_p95_d_ci_high\n"
          "A,X,10,90,88,92,20,19,21\nB,X,10,50,40,60,30,29,31\nC,X,10,70,60,80,10,9,11\nD,X,10,,,,5,4,6\n", f);
    fclose(f);
    char *args = e2e_format("%s pairs --worst 2", r), *out = show(t, 0, args);
    cr_assert(strstr(out, "the 2 worst pairs by on_time_pct (lowest first)"), "%s", out);
    cr_assert(strstr(out, "\nB-X    10.00  50.00 [40.00, 60.00]  30.00 [29.00, 31.00]\n"
                          "C-X    10.00  70.00 [60.00, 80.00]  10.00 [9.00, 11.00]\n"), "%s", out);
    free(out), free(args);
    /* transit: the worst is the longest; a pair without a value comes last */
    args = e2e_format("%s pairs --by transit_p95_d --best 4 --csv", r), out = show(t, 0, args);
    cr_assert(strstr(out, "\nD,X,10,,,,5,4,6\nC,X,10,70,60,80,10,9,11\nA,X,"), "%s", out);
    free(out), free(args);
    args = e2e_format("%s pairs --by on_time_pct", r), out = show(t, 0, args);
    cr_assert(strstr(out, "\nD-X    10.00  -"), "a pair without a value is last: %s", out);
    free(out), free(args);
    args = e2e_format("%s pairs --by transit_mean_d", r), out = show(t, 2, args);
    cr_assert(strstr(out, "--by transit_mean_d: pairs.csv gives pairs on_time_pct, transit_p95_d only"), "%s", out);
    free(out), free(args);
    free(pairs), free(r);
    e2e_rmtree(t);
}

Test(show, a_comparison_shows_each_option_or_the_one_named, .timeout = 120)
{
    char *t = e2e_tmpdir(), *sc = e2e_format("%s/sc", t), *c = e2e_format("%s/c", t);
    e2e_sh("cp -r " MINI " '%s' && mkdir -p '%s/proposals/fast' && printf 'key,value\\nwarmup_d,14\\n' > "
           "'%s/proposals/fast/scenario.csv'", sc, sc, sc);
    cr_assert_eq(e2e_runf(NULL, NULL, "compare %s fast -r 2 -d 45 --no-plot -o %s", sc, c), 0);
    char *args = e2e_format("%s when 'on_time_pct<101'", c), *out = show(t, 0, args);
    cr_assert(strstr(out, "== baseline ==\n"), "%s", out);
    cr_assert(strstr(out, "\n\n== fast ==\n"), "%s", out);
    free(out), free(args);
    args = e2e_format("%s pairs --option fast --csv", c), out = show(t, 0, args);
    cr_assert(!strncmp(out, "option,origin,destination,posted,", 33), "%s", out);
    cr_assert(strstr(out, "\nfast,CQ,WAW,"), "%s", out);
    cr_assert(!strstr(out, "baseline,"), "%s", out);
    free(out), free(args);
    args = e2e_format("%s/fast months on_time_pct", c), out = show(t, 0, args);
    cr_assert(!strstr(out, "=="), "a proposal's own folder is one run: %s", out);
    free(out), free(args);
    args = e2e_format("%s pairs --option slow", c), out = show(t, 2, args);
    cr_assert(strstr(out, "--option \"slow\": "), "%s", out);
    cr_assert(strstr(out, " holds baseline, fast"), "%s", out);
    free(out), free(args);
    free(sc), free(c);
    e2e_rmtree(t);
}

Test(show, refuses_what_railmail_did_not_write_and_bad_arguments, .timeout = 60)
{
    char *t, *r = mini_run(&t);
    struct { const char *args, *want; } bad[] = {
        { "%s/.. pairs", "holds no results railmail wrote" },
        { "%s bogus", "show: unknown view \"bogus\" (pairs, months, when, budget)" },
        { "%s months", "show months: expected METRIC@SCOPE" },
        { "%s months nope@all", "show months: unknown metric \"nope\"" },
        { "%s months transit_p99_d", "show months: transit_p99_d is not reported month by month" },
        { "%s months on_time_pct@dest:WAW", "show months: on_time_pct@dest:WAW: months are reported at" },
        { "%s when 'on_time_pct=3'", "show when: \"on_time_pct=3\": expected METRIC@SCOPE>X" },
        { "%s when 'on_time_pct>x'", "show when: \"on_time_pct>x\": expected a number after >, got \"x\"" },
        { "%s pairs --worst 0", "show pairs: --worst expects a number of pairs from 1, got \"0\"" },
        { "%s pairs --worst 2 --best 2", "give --worst or --best, not both" },
        { "%s months on_time_pct --by on_time_pct", "sort the pairs view only" },
        { "%s pairs --option x", "is one run, with no options" },
        { "%s pairs --frob", "show: unknown option \"--frob\"" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *args = e2e_format(bad[i].args, r), *err = show(t, 2, args);
        cr_assert(strstr(err, bad[i].want), "%s: expected \"%s\" in: %s", args, bad[i].want, err);
        free(err), free(args);
    }
    /* a file that does not read is an error at its place, not a crash */
    e2e_sh("printf 'month,metric,scope,mean,ci_low,ci_high,sd,n\\n2024-01,on_time_pct,nowhere,1,1,1,1,3\\n' > "
           "%s/monthly.csv", r);
    char *args = e2e_format("%s months on_time_pct", r), *err = show(t, 2, args);
    cr_assert(strstr(err, "monthly.csv:2:3: scope: expected a scope"), "%s", err);
    free(err), free(args);
    free(r);
    e2e_rmtree(t);
}

/* A budget.csv written by hand: the scope's segments come largest first
 * with their shares of the total, CSV keeps the file's columns, and a
 * scope the file lacks or a word that is no scope is refused. */
Test(show, budget_lists_a_scope_s_segments_largest_first, .timeout = 60)
{
    char *t, *r = mini_run(&t);
    e2e_write(r, "budget.csv",
              "segment,scope,mean,ci_low,ci_high,sd,n\n"
              "origin_wait,all,1.25,1.1,1.4,0.05,3\n"
              "queue,all,0.625,0.5,0.75,0.05,3\n"
              "moving,all,2.5,2.4,2.6,0.05,3\n"
              "handling,all,0.625,0.5625,0.6875,0.02,3\n"
              "origin_wait,od:CQ-WAW,2,1.5,2.5,0.2,3\n");
    char *args = e2e_format("%s budget", r), *out = show(t, 0, args);
    cr_assert(strstr(out, "Time budget of all: 5.00 days per delivered batch"), "%s", out);
    const char *moving = strstr(out, "moving                      2.50      2.40      2.60   50.0%"),
               *origin = strstr(out, "origin_wait                 1.25      1.10      1.40   25.0%"),
               *queue = strstr(out, "queue                       0.62      0.50      0.75   12.5%"),
               *handling = strstr(out, "handling  ");
    cr_assert(moving && origin && queue && handling, "%s", out);
    cr_assert(moving < origin && origin < queue && queue < handling, "ties keep the file's order: %s", out);
    free(out), free(args);
    args = e2e_format("%s budget od:CQ-WAW --csv", r), out = show(t, 0, args);
    cr_assert_str_eq(out, "segment,scope,mean,ci_low,ci_high,sd,n\norigin_wait,od:CQ-WAW,2,1.5,2.5,0.2,3\n");
    free(out), free(args);
    args = e2e_format("%s budget od:CQ-BRS", r), out = show(t, 2, args);
    cr_assert(strstr(out, "show budget: ") && strstr(out, "budget.csv has no scope od:CQ-BRS"), "%s", out);
    free(out), free(args);
    args = e2e_format("%s budget nowhere", r), out = show(t, 2, args);
    cr_assert(strstr(out, "show budget: \"nowhere\" is no scope"), "%s", out);
    free(out), free(args);
    free(r);
    e2e_rmtree(t);
}

/* A real run's budget: its segments add up to the mean transit that
 * summary.csv gives, to the rounding of the printed figures. */
Test(show, budget_of_a_run_adds_up_to_its_transit, .timeout = 60)
{
    char *t, *r = mini_run(&t);
    char *args = e2e_format("%s budget od:CQ-WAW", r), *out = show(t, 0, args);
    double total;
    char *at = strstr(out, "Time budget of od:CQ-WAW: ");
    cr_assert(at && sscanf(at + strlen("Time budget of od:CQ-WAW: "), "%lf", &total) == 1, "%s", out);
    double transit = e2e_summary(r, "transit_mean_d", "od:CQ-WAW", "mean");
    cr_assert(fabs(total - transit) <= 0.006, "budget %g, transit %g", total, transit);
    free(out), free(args), free(r);
    e2e_rmtree(t);
}
