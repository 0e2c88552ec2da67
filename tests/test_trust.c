/* Results folders and inputs are untrusted (issue 23): each case here
 * failed on 8e0c02b. */
#include <criterion/criterion.h>

#include "e2e.h"

#define MINI "tests/fixtures/scenario-mini"

/* A copy of the mini scenario in a fresh directory, as DIR/NAME. */
static char *mini_copy(const char *dir, const char *name)
{
    char *to = e2e_format("%s/%s", dir, name);
    e2e_sh("cp -r " MINI " '%s'", to);
    return to;
}

/* Runs `args` and returns its stderr, which must hold `want`; the exit
 * status must be 2. */
static void refused(const char *t, const char *want, const char *fmt, const char *sc)
{
    char *err = e2e_format("%s/err", t), *args = e2e_format(fmt, sc);
    cr_assert_eq(e2e_run(args, NULL, err), 2, "accepted: %s", args);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, want), "expected \"%s\" in: %s", want, text);
    free(text);
    free(args);
    free(err);
}

Test(trust, a_disruption_window_shorter_than_a_minute_is_refused, .timeout = 60)
{
    char *t = e2e_tmpdir(), *sc = mini_copy(t, "sc");
    e2e_sh("printf 'target,start_d,duration_d,capacity_factor,repeat_d\\nBRS,40,2e-9,0,2e-9\\n' > %s/disruptions.csv", sc);
    refused(t, "disruptions.csv:2:3: duration_d: expected a number of days from one minute", "validate %s", sc);
    e2e_sh("printf 'target,start_d,duration_d,capacity_factor,repeat_d\\nBRS,40,0.5,0,0.5\\n' > %s/disruptions.csv", sc);
    refused(t, "disruptions.csv:2:5: repeat_d: expected a number >= duration_d plus one minute", "validate %s", sc);
    e2e_sh("printf 'target,start_d,duration_d,capacity_factor,repeat_d\\nBRS,40,0.5,0,0.6\\n' > %s/disruptions.csv", sc);
    cr_assert_eq(e2e_runf(NULL, NULL, "validate %s", sc), 0);
    free(sc);
    e2e_rmtree(t);
}

Test(trust, one_month_named_twice_in_seasonality_is_refused, .timeout = 60)
{
    char *t = e2e_tmpdir(), *sc = mini_copy(t, "sc");
    e2e_sh("printf 'origin,month,factor\\n*,Feb,0\\n*,2,1\\n' > %s/seasonality.csv", sc);
    refused(t, "seasonality.csv:3:2: month: expected one row per origin and month, got \"2\" again (first on line 2)",
            "validate %s", sc);
    free(sc);
    e2e_rmtree(t);
}

Test(trust, names_a_spreadsheet_would_evaluate_are_refused_and_free_text_is_neutralised, .timeout = 120)
{
    char *t = e2e_tmpdir(), *sc = mini_copy(t, "=sc");
    refused(t, "expected a scenario directory whose name does not begin with '='", "validate '%s'", sc);
    free(sc);
    sc = mini_copy(t, "sc");
    e2e_sh("sed -i 's/^name,.*/name,@SUM(A1)/' %s/scenario.csv", sc);
    refused(t, "scenario.csv:2:2: name: expected a name that does not begin with", "validate %s", sc);
    e2e_sh("sed -i 's/^name,.*/name,mini/; s/^description,.*/description,=HYPERLINK(1)/' %s/scenario.csv", sc);
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 1 -d 60 -q --no-plot -o %s/r", sc, t), 0);
    char *meta = e2e_format("%s/r/meta.csv", t), *text = e2e_slurp(meta);
    cr_assert(strstr(text, "description,'=HYPERLINK(1)\n"),
              "the description was not neutralised: %s", text);
    free(text);
    free(meta);
    e2e_sh("mkdir -p %s/proposals/-x && printf 'id,servers\\n' > %s/proposals/-x/nodes.csv", sc, sc);
    refused(t, "proposal \"-x\": expected a name that does not begin with", "compare %s -r 1 -d 60 -q --no-plot", sc);
    free(sc);
    e2e_rmtree(t);
}
