/* compare --what-if (issue 26): an option built on the command line is the
 * proposal a planner would have written by hand, and a closure may be given
 * by date. */
#include <criterion/criterion.h>

#include "e2e.h"

#define MINI "tests/fixtures/scenario-mini"

/* Runs `args` (formatted with one %s, the scenario) and returns its stderr,
 * which must hold `want`; the exit status must be 2. */
static void refused(const char *t, const char *want, const char *args)
{
    char *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_run(args, NULL, err), 2, "accepted: %s", args);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, want), "expected \"%s\" in: %s", want, text);
    free(text);
    free(err);
}

static void same_file(const char *a, const char *b)
{
    char *x = e2e_slurp(a), *y = e2e_slurp(b);
    cr_assert_str_eq(x, y, "%s and %s differ", a, b);
    free(x), free(y);
}

Test(whatif, a_row_on_the_command_line_is_the_proposal_written_by_hand, .timeout = 120)
{
    char *t = e2e_tmpdir(), *sc = e2e_format("%s/sc", t);
    /* by hand: a proposal whose disruptions.csv adds Brest closed 5 days from 2024-03-01 (day 60) */
    e2e_sh("cp -r " MINI " '%s' && mkdir -p '%s/proposals/closed' && printf 'Brest closed\\n' > "
           "'%s/proposals/closed/description.txt' && printf 'target,start_d,duration_d,capacity_factor\\n"
           "BRS,60,5,0\\n' > '%s/proposals/closed/disruptions.csv'", sc, sc, sc, sc);
    cr_assert_eq(e2e_runf(NULL, NULL, "compare %s closed -r 3 -d 90 -q --no-plot -o %s/hand", sc, t), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "compare %s --what-if 'disruptions.csv=BRS,2024-03-01,5,0' --what-if-name "
                          "closed -r 3 -d 90 -q --no-plot -o %s/cli", sc, t), 0);
    const char *files[] = { "compare.csv", "compare_monthly.csv", "closed/summary.csv", "closed/monthly.csv",
                            "baseline/summary.csv" };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *a = e2e_format("%s/hand/%s", t, files[i]), *b = e2e_format("%s/cli/%s", t, files[i]);
        same_file(a, b);
        free(a), free(b);
    }
    /* the page loads the option as the command built it, and verify makes it again */
    cr_assert_eq(e2e_runf(NULL, NULL, "report %s/cli", t), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "verify %s/cli", t), 0);
    free(sc);
    e2e_rmtree(t);
}

Test(whatif, a_cell_and_a_name, .timeout = 120)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t);
    cr_assert_eq(e2e_runf(out, NULL, "compare " MINI " --what-if 'services.CQ-BRS.departures_per_week=7' "
                          "-r 3 -d 60 --no-plot -o %s/c", t), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "1 proposal against the baseline"), "%s", text);
    cr_assert(strstr(text, "\nwhat-if, over all pairs\n"), "the option is named what-if: %s", text);
    free(text);
    char *json = e2e_format("%s/c/run.json", t), *record = e2e_slurp(json);
    cr_assert(strstr(record, "\"what_if\": [\n    \"services.CQ-BRS.departures_per_week=7\"\n  ]"), "%s", record);
    cr_assert(strstr(record, "\"what_if_name\": \"what-if\""), "%s", record);
    free(record), free(json), free(out);
    e2e_rmtree(t);
}

Test(whatif, errors_point_into_the_argument, .timeout = 60)
{
    char *t = e2e_tmpdir();
    refused(t, "--what-if disruptions.csv:1:2: start_d: expected a row no file has yet (a --what-if row adds one), "
               "got BRS-40, which " MINI "/disruptions.csv:2 already has; change its cells with --what-if "
               "'disruptions.BRS-40.COLUMN=VALUE'",
            "compare " MINI " --what-if 'disruptions.csv=BRS,40,1,0' -q");
    refused(t, "--what-if disruptions.csv:1:2: start_d: expected a date on or after start_date 2024-01-01, got "
               "\"2023-12-31\"", "compare " MINI " --what-if 'disruptions.csv=BRS,2023-12-31,1,0' -q");
    refused(t, "--what-if disruptions.csv:1: expected 4 fields as in the header, got 2",
            "compare " MINI " --what-if 'disruptions.csv=BRS,2' -q");
    refused(t, "--what-if \"disruption.csv=BRS,2,1,0\": expected FILE.csv=ROW, FILE.csv one of the scenario's files",
            "compare " MINI " --what-if 'disruption.csv=BRS,2,1,0' -q");
    refused(t, "--what-if services.CQ-BRS.departures_per_week: departures_per_week: expected each cell set once",
            "compare " MINI " --set services.CQ-BRS.departures_per_week=2 --what-if "
            "services.CQ-BRS.departures_per_week=3 -q");
    refused(t, "--what-if-name: expected a --what-if to name", "compare " MINI " --what-if-name x -q");
    refused(t, "--what-if: only for compare", "sweep " MINI " --vary services.CQ-BRS.departures_per_week=1,2 "
                                              "--what-if services.CQ-BRS.departures_per_week=3");
    refused(t, "--what-if: only for compare", "run " MINI " --what-if services.CQ-BRS.departures_per_week=3");
    e2e_rmtree(t);
}

Test(whatif, a_closure_by_date_is_the_closure_by_day, .timeout = 60)
{
    char *t = e2e_tmpdir(), *a = e2e_format("%s/a", t), *b = e2e_format("%s/b", t);
    e2e_sh("cp -r " MINI " '%s' && cp -r " MINI " '%s' && sed -i 's/^BRS,40,/BRS,2024-02-10,/' '%s/disruptions.csv'",
           a, b, b);
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 2 -d 60 -q --no-plot -o %s/ra", a, t), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 2 -d 60 -q --no-plot -o %s/rb", b, t), 0);
    char *x = e2e_format("%s/ra/summary.csv", t), *y = e2e_format("%s/rb/summary.csv", t);
    same_file(x, y);
    free(x), free(y), free(a), free(b);
    e2e_rmtree(t);
}

Test(whatif, a_forecast_what_if_is_a_what_if_on_the_page, .timeout = 120)
{
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "compare " MINI " --what-if scenario.kind=forecast --what-if "
                          "'demand.*.batches_per_day*=1.5' --what-if-name busier -r 3 -d 60 -q -o %s/c", t), 0);
    char *meta = e2e_format("%s/c/busier/meta.csv", t), *m = e2e_slurp(meta);
    cr_assert(strstr(m, "\nscenario_kind,forecast\n"), "%s", m);
    char *page = e2e_format("%s/c/report.html", t), *html = e2e_slurp(page);
    cr_assert(strstr(html, "<b>What if</b> the baseline changed by --what-if: scenario.kind=forecast; "
                           "demand.*.batches_per_day*=1.5 (busier)"), "the summary names the changes");
    free(html), free(page), free(m), free(meta);
    e2e_rmtree(t);
}
