/* The command line at its edges: arguments checked before anything is
 * simulated, examples that work, memory that does not grow with
 * replications, and intervals that are not printed when they mean nothing. */
#define _DEFAULT_SOURCE  /* wait4 */
#include "e2e.h"

#include <regex.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <unistd.h>

#include "railmail/metric.h"

#define MINI "tests/fixtures/scenario-mini"

/* A message on stderr, exit 2, and no results directory. */
static void refused(const char *args, const char *message)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, err, "%s -o %s/r", args, t), 2, "%s: expected exit 2", args);
    char *text = e2e_slurp(err);
    cr_assert(text && strstr(text, message), "%s: expected \"%s\", got \"%s\"", args, message, text);
    cr_assert_not(e2e_exists(t, "r"), "%s: results written", args);
    free(text);
    free(err);
    e2e_rmtree(t);
}

Test(cli, an_unknown_metric_is_refused_with_the_list)
{
    refused("compare tests/e2e/weekly --metric bogus -r 2",
            "--metric: unknown metric \"bogus\"; the metrics are posted_batches, ");
}

Test(cli, an_empty_out_is_refused_before_simulating)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    /* a horizon that would take minutes: the refusal must come first */
    cr_assert_eq(e2e_run("run tests/bench/large -d 3650 -o ''", NULL, err), 2);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, "--out: expected a directory, got \"\""), "%s", text);
    free(text);
    free(err);
    e2e_rmtree(t);
}

Test(cli, a_run_that_cannot_fit_in_memory_is_refused_before_it_starts)
{
    setenv("RAILMAIL_MEMORY_MB", "20", 1);
    refused("run tests/bench/large -r 50", "this run needs about ");
    refused("compare scenarios/china-europe-via-belarus -r 2000 -d 3650", "MB of memory, more than the 20 MB available");
    unsetenv("RAILMAIL_MEMORY_MB");
}

/* Every --set example in --help, the README and the documents beside it
 * works on the default scenario (one once named a service that does not
 * exist). */
Test(cli, every_set_example_works_on_the_default_scenario, .timeout = 240)
{
    char *t = e2e_tmpdir(), *help = e2e_format("%s/help", t);
    cr_assert_eq(e2e_run("run --help", help, NULL), 0);
    char *texts[] = { e2e_slurp(help), e2e_slurp("README.md"), e2e_slurp("docs/guide.md"),
                      e2e_slurp("docs/reference.md"), e2e_slurp("docs/development.md") };
    regex_t re;
    cr_assert_eq(regcomp(&re, "(services|nodes|legs|demand|disruptions|scenario)\\.[A-Za-z0-9_.>*-]+\\*?=[0-9.]+",
                         REG_EXTENDED), 0);
    int examples = 0;
    for (size_t k = 0; k < sizeof texts / sizeof *texts; k++) {
        cr_assert(texts[k]);
        for (const char *p = texts[k]; *p;) {
            regmatch_t m;
            if (regexec(&re, p, 1, &m, 0) != 0)
                break;
            /* -d and -r set cells too, and one cell may be set only once */
            char *set = e2e_format("%.*s", (int)(m.rm_eo - m.rm_so), p + m.rm_so);
            char *args = e2e_format("run%s%s -j 1 -q --no-plot -o %s/r%d --set '%s'",
                                    strncmp(set, "scenario.replications", 21) ? " -r 1" : "",
                                    strncmp(set, "scenario.horizon_d", 18) ? " -d 40" : "", t, examples, set);
            free(set);
            cr_assert_eq(e2e_run(args, NULL, NULL), 0, "example failed: %s", args);
            free(args);
            examples++;
            p += m.rm_eo;
        }
        free(texts[k]);
    }
    regfree(&re);
    cr_assert_geq(examples, 3);
    free(help);
    e2e_rmtree(t);
}

/* The daily series used to be kept per replication: 200 replications of
 * 3,650 days took 330 MB. Now ten times the replications cost only their
 * rows of values. */
static long peak_rss_kb(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long peak_rss_kb(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *args = e2e_vformat(fmt, ap);
    va_end(ap);
    char *cmd = e2e_format("ASAN_OPTIONS=quarantine_size_mb=0:detect_leaks=0 %s %s >/dev/null 2>&1", e2e_bin(), args);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int status;
    struct rusage ru;
    cr_assert_eq(wait4(pid, &status, 0, &ru), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s failed", args);
    free(cmd);
    free(args);
    return ru.ru_maxrss;
}

Test(cli, memory_does_not_grow_with_replications_times_days, .timeout = 240)
{
    char *t = e2e_tmpdir();
    long few = peak_rss_kb("run " MINI " -r 20 -d 2000 -j 2 -q --no-plot -o %s/a", t);
    long many = peak_rss_kb("run " MINI " -r 250 -d 2000 -j 2 -q --no-plot -o %s/b", t);
    /* kept per replication before: 2000 days x 11 series x 8 bytes = 172 kB,
     * 40 MB for the 230 more; now a row of values each */
    cr_assert_lt(many - few, 12 * 1024, "peak %ld kB with 20 replications, %ld kB with 250", few, many);
    e2e_rmtree(t);
}

static void expect_in(const char *args, const char *text, bool wanted)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t);
    cr_assert_eq(e2e_runf(out, NULL, "%s --no-plot -o %s/r", args, t), 0, "%s: expected exit 0", args);
    char *got = e2e_slurp(out);
    cr_assert(got && (strstr(got, text) != NULL) == wanted, "%s: %s \"%s\" in:\n%s", args,
              wanted ? "expected" : "did not expect", text, got);
    free(got);
    free(out);
    e2e_rmtree(t);
}

Test(cli, intervals_from_fewer_than_three_replications_are_not_printed, .timeout = 120)
{
    expect_in("run " MINI " -r 2", "n/a: a confidence interval needs at least 3 replications", true);
    expect_in("run " MINI " -r 3", "n/a", false);
    expect_in("compare tests/e2e/weekly daily -r 1", "  n/a\n", true);
    expect_in("compare tests/e2e/weekly daily -r 1", "  no difference\n", false);
    expect_in("compare tests/e2e/weekly daily -r 1", "n/a: a verdict needs at least 3 paired replications", true);
}

/* The metric table is the one list: --help and the reference's metric table
 * show every row. */
Test(cli, help_and_the_reference_list_every_metric_of_the_table)
{
    char *t = e2e_tmpdir(), *help = e2e_format("%s/help", t);
    cr_assert_eq(e2e_run("run --help", help, NULL), 0);
    char *texts[] = { e2e_slurp(help), e2e_slurp("docs/reference.md") };
    cr_assert(texts[0] && texts[1]);
    for (size_t i = 0; i < METRIC_COUNT; i++) {
        char want[128];
        snprintf(want, sizeof want, "  %s ", metric_get(i)->name);
        cr_assert(strstr(texts[0], want), "--help does not list %s", metric_get(i)->name);
        snprintf(want, sizeof want, "| `%s` |", metric_get(i)->name);
        cr_assert(strstr(texts[1], want), "docs/reference.md's metric table does not list %s", metric_get(i)->name);
    }
    free(texts[0]);
    free(texts[1]);
    free(help);
    e2e_rmtree(t);
}
