/* Results folders and inputs are untrusted (issue 23): each case here
 * failed on 8e0c02b. */
#include <criterion/criterion.h>

#include "e2e.h"
#include "railmail/results.h"
#include "railmail/run.h"
#include "railmail/scenario.h"
#include "railmail/version.h"

#include <dirent.h>
#include <math.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

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

Test(trust, two_settings_of_one_cell_are_refused_with_both, .timeout = 60)
{
    char *t = e2e_tmpdir();
    refused(t, "--set scenario.horizon_d: value: expected each cell set once (by --set, --vary, --what-if, -d, -r or -s), "
            "got \"40\" after \"100\" from --set scenario.horizon_d", "run %s --set scenario.horizon_d=100 -d 40 -q --no-plot", MINI);
    refused(t, "got \"3\" after \"1\" from --set services.CQ-BRS.departures_per_week",
            "sweep %s --vary services.CQ-BRS.departures_per_week=1,2 --vary 'services.CQ-B?S.departures_per_week=3,4' "
            "-q --no-plot", MINI);
    refused(t, "--vary services.CQ-BRS.departures_per_week: departures_per_week: expected each cell set once",
            "sweep %s --set services.CQ-BRS.departures_per_week=5 --vary services.CQ-BRS.departures_per_week=1,2 "
            "-q --no-plot", MINI);
    e2e_rmtree(t);
}

Test(trust, unclear_input_gets_a_clear_error, .timeout = 60)
{
    char *t = e2e_tmpdir(), *sc = mini_copy(t, "sc");
    refused(t, "start_date: expected a day of that month (2023-02 has 28 days), got \"2023-02-29\"",
            "run %s --set scenario.start_date=2023-02-29 -q --no-plot", sc);
    e2e_sh("(printf 'sep=\\t\\n'; cat " MINI "/nodes.csv) > %s/nodes.csv", sc);
    refused(t, "nodes.csv:1:1: expected \"sep=,\" or \"sep=;\" (railmail reads comma- or semicolon-separated "
            "files), got \"sep=\\t\"", "validate %s", sc);
    e2e_sh("cp " MINI "/nodes.csv %s/ && (printf '\\357\\273\\277\\357\\273\\277'; cat " MINI "/legs.csv) > %s/legs.csv",
           sc, sc);
    refused(t, "legs.csv:1:1: expected at most one byte order mark, got two", "validate %s", sc);
    free(sc);
    e2e_rmtree(t);
}

Test(trust, messages_say_what_is_true_once, .timeout = 120)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    /* one message for every row a relative pattern cannot multiply, naming a row */
    cr_assert_eq(e2e_runf(NULL, err, "run %s --set 'nodes.*.kind*=2' -q --no-plot", MINI), 2);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, "kind: expected a number to multiply, got \"") && strstr(text, "kind: no number to multiply in row ")
              && strstr(text, " more of nodes.csv\n"), "%s", text);
    size_t lines = 0;
    for (const char *c = text; *c; c++)
        lines += *c == '\n';
    cr_assert_eq(lines, 2, "expected two lines: %s", text);
    free(text);
    /* the scopes a target could name, counted once (not once per month too) */
    cr_assert_eq(e2e_runf(NULL, err, "sweep %s --vary services.CQ-BRS.departures_per_week=1,2 "
                          "--target 'on_time_pct@node:XX>=80' -q --no-plot", MINI), 2);
    text = e2e_slurp(err);
    cr_assert(!strstr(text, "in all)") || strstr(text, "(3 in all)"), "%s", text);
    free(text);
    /* a target undefined at every point says so, not [nan, nan]: nothing
     * is posted in a window of 86 s (with the run-out, mail posted in a
     * longer one is delivered or late, so on time is defined) */
    cr_assert_eq(e2e_runf(err, NULL, "sweep %s --vary services.CQ-BRS.departures_per_week=1,2 "
                          "--set scenario.horizon_d=14.001 -r 3 "
                          "--target 'on_time_pct@all>=80' --no-plot -o %s/s", MINI, t), 0);
    text = e2e_slurp(err);
    cr_assert(strstr(text, "it is undefined: no batch of all counts after the warm-up") && !strstr(text, "nan"), "%s", text);
    free(text);
    /* seeds past 2^53 are different values */
    cr_assert_eq(e2e_runf(NULL, NULL, "sweep %s --vary scenario.seed=100000000000000000,100000000000000001 -d 20 -r 2 "
                          "-q --no-plot -o %s/seeds", MINI, t), 0);
    /* -o . is refused before anything runs */
    cr_assert_eq(e2e_runf(NULL, err, "run %s -q --no-plot -o %s/.", MINI, t), 2);
    text = e2e_slurp(err);
    cr_assert(strstr(text, "expected the name of a results directory, not \".\""), "%s", text);
    free(text);
    free(err);
    e2e_rmtree(t);
}

/* Whether `dir` holds nothing but "." and "..". */
static bool empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert(d, "cannot open %s", dir);
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)))
        empty &= !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    closedir(d);
    return empty;
}

/* verify's scratch goes under TMPDIR (it was /tmp, whatever TMPDIR said)
 * and is removed when it ends, and when SIGTERM ends it too. */
Test(trust, verify_works_under_tmpdir_and_leaves_nothing, .timeout = 180)
{
    char *t = e2e_tmpdir(), *tmp = e2e_format("%s/tmp", t);
    e2e_mkdir(t, "tmp");
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 2 -d 60 -q --no-plot -o %s/r", MINI, t), 0);
    e2e_sh("TMPDIR='%s' %s verify %s/r >/dev/null", tmp, e2e_bin(), t);
    cr_assert(empty_dir(tmp), "verify left its scratch in TMPDIR");
    cr_assert_eq(e2e_runf(NULL, NULL, "run tests/bench/large -r 1 -j 1 -d 200 -q --no-plot -o %s/big", t), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        setpgid(0, 0);
        setenv("TMPDIR", tmp, 1);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        char *big = e2e_format("%s/big", t);
        execl(e2e_bin(), "railmail", "verify", big, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    for (int i = 0; i < 600 && empty_dir(tmp); i++)
        nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
    cr_assert_not(empty_dir(tmp), "verify made no scratch directory under TMPDIR");
    nanosleep(&(struct timespec){ 0, 300000000 }, NULL);
    cr_assert_eq(kill(-pid, SIGTERM), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 143, "status %d", status);
    nanosleep(&(struct timespec){ 0, 300000000 }, NULL);  /* the rerun ends on the same signal */
    cr_assert(empty_dir(tmp), "an interrupted verify left its scratch in TMPDIR");
    free(tmp);
    e2e_rmtree(t);
}

/* Flips one bit of dir/name at byte `at`. */
static void flip(const char *dir, const char *name, long at)
{
    char *path = e2e_format("%s/%s", dir, name);
    FILE *f = fopen(path, "r+b");
    cr_assert(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, at, SEEK_SET), 0);
    int c = fgetc(f);
    cr_assert_neq(c, EOF);
    cr_assert_eq(fseek(f, at, SEEK_SET), 0);
    fputc(c ^ 1, f);
    fclose(f);
    free(path);
}

/* A damaged byte in what reuse adopts (the records, or the rows of a log
 * it copies) is never reused: a warning, and the same results as a fresh
 * run. */
Test(trust, damaged_replication_records_are_simulated_again, .timeout = 180)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    const char *damage[][2] = { { ".railmail-records", "200" }, { ".railmail-daily", "100" }, { "trains.csv", "300" } };
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 4 -q --no-plot -o %s/fresh", MINI, t), 0);
    for (size_t i = 0; i < sizeof damage / sizeof *damage; i++) {
        cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q --no-plot -o %s/r", MINI, t), 0);
        flip(e2e_format("%s/r", t), damage[i][0], atol(damage[i][1]));
        cr_assert_eq(e2e_runf(NULL, err, "run %s -r 4 -q --no-plot -o %s/r", MINI, t), 0);
        char *text = e2e_slurp(err);
        cr_assert(strstr(text, "do not match their checksum"), "%s damaged: %s", damage[i][0], text);
        free(text);
        char *a = e2e_format("%s/r/summary.csv", t), *b = e2e_format("%s/fresh/summary.csv", t);
        char *x = e2e_slurp(a), *y = e2e_slurp(b);
        cr_assert_str_eq(x, y, "%s damaged: the results differ from a fresh run's", damage[i][0]);
        free(x), free(y), free(a), free(b);
    }
    free(err);
    e2e_rmtree(t);
}

/* Results that change on purpose change the golden files; the results
 * format, part of the reuse key, must then change too, or replications of
 * the old model would be reused. tests/golden/format lists every format
 * with the golden files' SHA-256 under it, one line each, in increasing
 * order: the last line must be this build's format and the golden files'
 * checksum now, so new golden files need a new line, and a new line a
 * higher number. */
Test(trust, the_results_format_changes_with_the_golden_files)
{
    char *now = e2e_format("%s/sum", e2e_tmpdir());
    e2e_sh("cat tests/golden/closure-summary.csv tests/golden/closure-throughput.csv | sha256sum | cut -c1-64 > %s", now);
    char *current = e2e_slurp(now);
    FILE *f = fopen("tests/golden/format", "r");
    cr_assert(f);
    unsigned format = 0, last = 0;
    char sum[65] = "";
    for (int lines = 0; fscanf(f, "%u %64s", &format, sum) == 2; lines++) {
        cr_assert(lines == 0 || format > last, "tests/golden/format: %u after %u; each new line needs a higher format",
                  format, last);
        last = format;
    }
    fclose(f);
    cr_assert(!strncmp(current, sum, 64), "the golden files changed: bump RAILMAIL_RESULTS_FORMAT (version.h) and add "
              "a line with it and the golden files' SHA-256 to tests/golden/format");
    cr_assert_eq(last, RAILMAIL_RESULTS_FORMAT, "RAILMAIL_RESULTS_FORMAT is %d but tests/golden/format ends with %u",
                 RAILMAIL_RESULTS_FORMAT, last);
    free(current);
    free(now);
}

/* Replications kept by a build of an earlier results format (format 2,
 * before the run-out) are simulated again, not reused: the format is part
 * of the key records are kept under. The control, the same records under
 * this format's key, are reused, so the test does make the key. */
Test(trust, records_of_an_earlier_results_format_are_never_reused, .timeout = 120)
{
    char *t = e2e_tmpdir();
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    cr_assert_eq(scenario_load(MINI, NULL, NULL, 0, &s, d), RM_OK);
    for (int earlier = 1; earlier >= 0; earlier--) {
        cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 2 -q --no-plot -o %s/r%d", MINI, t, earlier), 0);
        unsigned char key[32];
        run_records_key(s->key, (uint32_t)(RAILMAIL_RESULTS_FORMAT - earlier), key);
        char *path = e2e_format("%s/r%d/" RESULTS_RECORDS_FILE, t, earlier);
        FILE *f = fopen(path, "r+b");
        cr_assert(f, "%s", path);
        cr_assert_eq(fseek(f, 8, SEEK_SET), 0);  /* the key follows the 8 bytes of the magic */
        cr_assert_eq(fwrite(key, 1, sizeof key, f), sizeof key);
        cr_assert_eq(fclose(f), 0);
        cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q --no-plot -o %s/r%d", MINI, t, earlier), 0);
        char *json = e2e_format("%s/r%d/run.json", t, earlier), *text = e2e_slurp(json);
        const char *want = earlier ? "\"replications_reused\": 0" : "\"replications_reused\": 2";
        cr_assert(strstr(text, want), "format %d: no %s in %s", RAILMAIL_RESULTS_FORMAT - earlier, want, text);
        free(text), free(json), free(path);
    }
    scenario_destroy(s);
    diag_destroy(d);
    e2e_rmtree(t);
}

/* --precision reports the last round: the half-width said is the one of
 * the replications the results hold, and a sweep's records say how many
 * its points ran. */
Test(trust, precision_reports_the_last_round, .timeout = 180)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t);
    cr_assert_eq(e2e_runf(out, NULL, "run %s --precision on_time_pct=0.01 --max-replications 7 --no-plot -o %s/r",
                          MINI, t), 0);
    char *text = e2e_slurp(out);
    const char *at = strstr(text, "half-width ");
    cr_assert(at && strstr(text, "after 7 replications"), "%s", text);
    double said = atof(at + strlen("half-width "));
    char *dir = e2e_format("%s/r", t);
    double mean = e2e_summary(dir, "on_time_pct", "all", "mean"), high = e2e_summary(dir, "on_time_pct", "all", "ci_high");
    cr_assert(fabs(said - (high - mean)) <= 1e-3 * fabs(said) + 1e-3, "said %g, the table's half-width is %g", said,
              high - mean);
    cr_assert_eq(e2e_summary(dir, "on_time_pct", "all", "n"), 7);
    free(text);
    cr_assert_eq(e2e_runf(out, NULL, "run %s --precision on_time_pct=0.01 --max-replications 2 -r 3 --no-plot -o %s/r2",
                          MINI, t), 0);
    text = e2e_slurp(out);
    cr_assert(!strstr(text, "half-width 0 "), "%s", text);
    free(text);
    cr_assert_eq(e2e_runf(out, NULL, "sweep %s --vary services.CQ-BRS.departures_per_week=2,3 -r 3 --precision "
                          "on_time_pct=0.01 --max-replications 6 --no-plot -o %s/s", MINI, t), 0);
    text = e2e_slurp(out);
    cr_assert(strstr(text, "6 replications each"), "%s", text);
    free(text);
    char *meta = e2e_format("%s/s/meta.csv", t);
    text = e2e_slurp(meta);
    cr_assert(strstr(text, "\nreplications,6\n"), "%s", text);
    free(text), free(meta), free(dir), free(out);
    e2e_rmtree(t);
}

/* A demand whose only route is a service that first leaves after the
 * horizon would post mail that can never arrive: refused as unreachable. */
Test(trust, a_route_that_never_runs_within_the_horizon_is_unreachable, .timeout = 60)
{
    char *t = e2e_tmpdir(), *sc = mini_copy(t, "sc");
    e2e_sh("printf 'id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h,cost_per_train,start_d\\n"
           "CQ-BRS,CQ>AKZ>BRS,3,10.5,41.5,6,125000,\\nBRS-WAW,BRS>WAW,7,8,20,2,,200\\nFRT-BRS,AKZ>BRS,14,0,0,0,,\\n'"
           " > %s/services.csv", sc);
    refused(t, "demand.csv:2:2: destination: expected a destination that services running within the horizon reach "
            "from CQ", "validate %s", sc);
    e2e_sh("sed -i 's/,200$/,100/' %s/services.csv", sc);
    cr_assert_eq(e2e_runf(NULL, NULL, "validate %s", sc), 0);
    free(sc);
    e2e_rmtree(t);
}

/* A crafted results folder ran a command: a scope cell with line ends and
 * gnuplot's system() reached a script's comment. Now names read back are
 * checked against the catalogue and the scope grammar, at FILE:LINE:COL,
 * and nothing is drawn. */
Test(trust, a_crafted_scope_in_a_results_folder_runs_nothing, .timeout = 120)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, NULL, "sweep %s --vary services.CQ-BRS.departures_per_week=2,3 "
                          "--target 'on_time_pct@od:CQ-WAW>=50' -r 3 -q -o %s/s", MINI, t), 0);
    /* the payload, as a quoted CSV field with line ends in it */
    e2e_sh("cd %s/s && python3 -c \"import sys\n"
           "bad = 'od:CQ-WAW\\nsystem(\\'touch %s/pwned\\')\\n#'\n"
           "t = open('target.csv').read().replace('scope,od:CQ-WAW', 'scope,\\\"' + bad + '\\\"')\n"
           "open('target.csv', 'w').write(t)\"", t, t);
    cr_assert_eq(e2e_runf(NULL, err, "plot %s/s", t), 2);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, "target.csv:6:2: value: expected a scope ("), "%s", text);
    free(text);
    cr_assert_eq(e2e_runf(NULL, err, "report %s/s", t), 2);
    cr_assert(!e2e_exists(t, "pwned"), "the crafted folder ran a command");
    /* the same in a sweep.csv cell */
    e2e_sh("cd %s/s && cp target.csv target.bad && sed -i 's/^scope,.*/scope,od:CQ-WAW/' target.csv", t);
    e2e_sh("cd %s/s && python3 -c \"\n"
           "t = open('sweep.csv').read().replace('2,on_time_pct,all,', '2,on_time_pct,\\\"all\\nsystem(\\'touch %s/pwned\\')\\\",', 1)\n"
           "open('sweep.csv', 'w').write(t)\"", t, t);
    cr_assert_eq(e2e_runf(NULL, err, "plot %s/s", t), 2);
    text = e2e_slurp(err);
    cr_assert(strstr(text, "sweep.csv:") && strstr(text, "scope: expected a scope ("), "%s", text);
    free(text);
    cr_assert(!e2e_exists(t, "pwned"), "the crafted folder ran a command");
    free(err);
    e2e_rmtree(t);
}

/* The report and the charts were written to fixed temporary names, so a
 * link planted there was written through; and the report's scratch went
 * to /tmp whatever TMPDIR said. */
Test(trust, report_writes_through_no_link_and_keeps_its_scratch_in_tmpdir, .timeout = 120)
{
    char *t = e2e_tmpdir(), *tmp = e2e_format("%s/tmp", t);
    e2e_mkdir(t, "tmp");
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q -o %s/r", MINI, t), 0);
    e2e_write(t, "victim", "keep me\n");
    char *victim = e2e_format("%s/victim", t);
    const char *links[] = { "r/report.html.tmp", "r/throughput.gp.tmp", "r/throughput.png.tmp" };
    for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
        char *link = e2e_format("%s/%s", t, links[i]);
        cr_assert_eq(symlink(victim, link), 0);
        free(link);
    }
    e2e_sh("TMPDIR='%s' %s report %s/r >/dev/null && TMPDIR='%s' %s plot %s/r >/dev/null", tmp, e2e_bin(), t, tmp,
           e2e_bin(), t);
    char *text = e2e_slurp(victim);
    cr_assert_str_eq(text, "keep me\n", "a link at a temporary name was written through");
    cr_assert(empty_dir(tmp), "the report left its scratch in TMPDIR");
    free(text), free(victim), free(tmp);
    e2e_rmtree(t);
}

/* plot on a folder railmail did not write replaced the user's own
 * throughput.png and .gp: plot and report write only into results. */
Test(trust, plot_and_report_refuse_a_folder_railmail_did_not_write, .timeout = 120)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q --no-plot -o %s/r", MINI, t), 0);
    e2e_sh("mkdir %s/mine && cp %s/r/*.csv %s/r/run.json %s/mine/ && echo 'my chart' > %s/mine/throughput.png", t, t, t,
           t, t);
    cr_assert_eq(e2e_runf(NULL, err, "plot %s/mine", t), 2);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, "holds no results railmail wrote"), "%s", text);
    free(text);
    cr_assert_eq(e2e_runf(NULL, NULL, "report %s/mine", t), 2);
    char *png = e2e_format("%s/mine/throughput.png", t);
    text = e2e_slurp(png);
    cr_assert_str_eq(text, "my chart\n");
    cr_assert(!e2e_exists(t, "mine/throughput.gp") && !e2e_exists(t, "mine/report.html"));
    free(text), free(png), free(err);
    e2e_rmtree(t);
}

/* A FIFO as run.json or summary.csv blocked verify and report forever:
 * read-back opens nothing but regular files, and says so. */
Test(trust, a_fifo_in_a_results_folder_is_refused_without_blocking, .timeout = 60)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    const char *files[] = { "run.json", "summary.csv" };
    for (size_t i = 0; i < 2; i++) {
        cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q --no-plot -o %s/r%zu", MINI, t, i), 0);
        char *path = e2e_format("%s/r%zu/%s", t, i, files[i]);
        cr_assert_eq(unlink(path), 0);
        cr_assert_eq(mkfifo(path, 0600), 0);
        cr_assert_eq(e2e_runf(NULL, err, "report %s/r%zu", t, i), 2);
        char *text = e2e_slurp(err), *want = e2e_format("%s: expected a regular file", files[i]);
        cr_assert(strstr(text, want), "%s", text);
        free(text), free(want);
        cr_assert_eq(e2e_runf(NULL, NULL, "verify %s/r%zu", t, i), i == 0 ? 2 : 1);  /* no record; a file that differs */
        free(path);
    }
    free(err);
    e2e_rmtree(t);
}

/* verify covers what it claims: the page (an edited percentage passed),
 * the record against its own command (an edited seed passed), charts that
 * plot drew later into an arm (called edits), a command with "--" (its -o
 * went after it), and charts of another gnuplot (said, not judged). */
Test(trust, verify_covers_the_page_the_record_and_later_charts, .timeout = 240)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t);
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q -o %s/r", MINI, t), 0);
    cr_assert_eq(e2e_runf(out, NULL, "verify %s/r", t), 0);
    e2e_sh("sed -i 's/\"seed\": \"42\"/\"seed\": \"7\"/' %s/r/run.json", t);
    cr_assert_eq(e2e_runf(out, NULL, "verify %s/r", t), 1);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "  run.json\n") && strstr(text, "run.json says seed \"7\", but its command makes \"42\""), "%s",
              text);
    free(text);
    e2e_sh("sed -i 's/\"seed\": \"7\"/\"seed\": \"42\"/' %s/r/run.json && "
           "sed -i '0,/<td class=\"n\">[0-9]/s/<td class=\"n\">\\([0-9]\\)/<td class=\"n\">9\\1/' %s/r/report.html", t, t);
    cr_assert_eq(e2e_runf(out, NULL, "verify %s/r", t), 1);
    text = e2e_slurp(out);
    cr_assert(strstr(text, "  report.html\n"), "an edited page passed: %s", text);
    free(text);
    /* charts of another gnuplot are not judged, and it says so */
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q -o %s/g", MINI, t), 0);
    e2e_sh("sed -i 's/\"gnuplot\": \"[^\"]*\"/\"gnuplot\": \"gnuplot 0.1\"/' %s/g/run.json && "
           "printf x >> %s/g/transit.png", t, t);
    cr_assert_eq(e2e_runf(out, NULL, "verify %s/g", t), 0);
    text = e2e_slurp(out);
    cr_assert(strstr(text, "not compared: 1 chart picture, drawn by gnuplot 0.1 then"), "%s", text);
    free(text);
    /* plot into a comparison's option, then verify the comparison */
    cr_assert_eq(e2e_runf(NULL, NULL, "compare tests/e2e/weekly daily -r 3 -d 60 -q -o %s/c", t), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "plot %s/c/daily", t), 0);
    cr_assert_eq(e2e_runf(out, NULL, "verify %s/c", t), 0, "%s", e2e_slurp(out));
    /* a command with "--" */
    cr_assert_eq(e2e_runf(NULL, NULL, "run -r 3 -q -o %s/d -- %s", t, MINI), 0);
    cr_assert_eq(e2e_runf(out, NULL, "verify %s/d", t), 0, "%s", e2e_slurp(out));
    free(out);
    e2e_rmtree(t);
}

/* report after the inputs changed showed the new inputs beside the old
 * results: refused, naming them; --force writes the page with a banner. */
Test(trust, report_refuses_changed_inputs_unless_forced, .timeout = 120)
{
    char *t = e2e_tmpdir(), *sc = mini_copy(t, "sc"), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q --no-plot -o %s/r", sc, t), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "report %s/r", t), 0);
    e2e_sh("sed -i 's/^BRS-WAW,BRS>WAW,7/BRS-WAW,BRS>WAW,6/' %s/services.csv", sc);
    cr_assert_eq(e2e_runf(NULL, err, "report %s/r", t), 2);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, "sc/services.csv changed since the run") && strstr(text, "--force"), "%s", text);
    free(text);
    cr_assert_eq(e2e_runf(NULL, NULL, "report %s/r --force", t), 0);
    char *page = e2e_format("%s/r/report.html", t);
    text = e2e_slurp(page);
    cr_assert(strstr(text, "Written again after the inputs changed: ") && strstr(text, "sc/services.csv has changed"),
              "no banner");
    free(text), free(page), free(err), free(sc);
    e2e_rmtree(t);
}

/* verify runs again only a command that makes results: a run.json whose
 * command was changed to another railmail command is refused. */
Test(trust, verify_runs_again_only_run_compare_or_sweep, .timeout = 60)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q --no-plot -o %s/r", MINI, t), 0);
    e2e_sh("python3 -c \"import json; p='%s/r/run.json'; j=json.load(open(p)); j['command'][1]='plot'; "
           "json.dump(j, open(p, 'w'))\"", t);
    cr_assert_eq(e2e_runf(NULL, err, "verify %s/r", t), 2);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, "run.json: command: expected run, compare, sweep, optimise or calibrate, got \"plot\""),
              "%s", text);
    free(text), free(err);
    e2e_rmtree(t);
}

/* A sweep's --proposal reaches meta.csv as compare's proposals do. */
Test(trust, a_sweeps_proposal_named_as_a_formula_is_refused, .timeout = 60)
{
    char *t = e2e_tmpdir(), *sc = mini_copy(t, "sc");
    e2e_sh("mkdir -p '%s/proposals/@x' && printf 'id,servers\\n' > '%s/proposals/@x/nodes.csv'", sc, sc);
    refused(t, "proposal \"@x\": expected a name that does not begin with",
            "sweep %s --proposal @x --vary services.CQ-BRS.departures_per_week=2,3 -q --no-plot", sc);
    free(sc);
    e2e_rmtree(t);
}
