/* cli: the command line. Parses options with getopt_long, runs a command,
 * prints results and every collected message, and maps statuses to exit
 * codes. The only module that prints or decides to exit. */
#include "railmail/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>

#include "railmail/calibrate.h"
#include "railmail/compare.h"
#include "railmail/complete.h"
#include "railmail/datadir.h"
#include "railmail/escape.h"
#include "railmail/gnuplot.h"
#include "railmail/html.h"
#include "railmail/metric.h"
#include "railmail/model.h"
#include "railmail/outdir.h"
#include "railmail/num.h"
#include "railmail/plot.h"
#include "railmail/report.h"
#include "railmail/run.h"
#include "railmail/record.h"
#include "railmail/results.h"
#include "railmail/scenario.h"
#include "railmail/show.h"
#include "railmail/strbuf.h"
#include "railmail/optimise.h"
#include "railmail/sweep.h"
#include "railmail/version.h"

#define MAX_SETS 256
#define MAX_PROPOSALS 64
#define MAX_PRECISION 16
#define DEFAULT_MAX_REPLICATIONS 1000

enum { EXIT_RUN = 1, EXIT_USAGE = 2 };

struct opts {
    long jobs;                       /* -1: not given */
    bool batches, tracking, no_plot, quiet;
    const char *out;
    const char *overlay;             /* run --overlay DIR: a proposal laid over the scenario */
    const char *sets[MAX_SETS + 3];  /* the user's, then those -r, -d and -s stand for */
    size_t n_sets;
    char shorthand[3][48];           /* "scenario.replications=N" and so on */
    bool given[3];
    const char *precision[MAX_PRECISION];  /* --precision METRIC@SCOPE=H|P% */
    size_t n_precision;
    long max_replications;
    const char *metrics[32];
    size_t n_metrics;
    const char *what_if[MAX_SETS];   /* compare --what-if, and the option's name */
    size_t n_what_if;
    const char *what_if_name;
    struct scenario_threshold thresholds[METRIC_COUNT];  /* --threshold METRIC=V[%] */
    size_t n_thresholds;
};

static const char usage_main[] =
    "usage: railmail COMMAND [ARGS]\n"
    "\n"
    "  run      [SCENARIO] [options]     simulate, write results, draw charts\n"
    "  compare  SCENARIO [PROPOSAL...]   baseline against its proposals\n"
    "  sweep    [SCENARIO] --vary K=V    the scenario at every value of a parameter\n"
    "  optimise [SCENARIO] --vary K=V    the best setting that meets every constraint\n"
    "  validate SCENARIO...              check scenario files, simulate nothing\n"
    "  plot     RESULTS_DIR              redraw the charts of an earlier run\n"
    "  verify   RESULTS_DIR              run again what run.json records and compare every file\n"
    "  report   RESULTS_DIR              write report.html again from the results\n"
    "  show     RESULTS_DIR VIEW         print an answer from results: pairs, months, when, budget\n"
    "  calibrate SCENARIO EVENTS.csv     fit legs to tracking events and validate the fit\n"
    "  complete -- WORDS...              what the shell may complete after railmail WORDS\n"
    "\n"
    "SCENARIO defaults to %s.\n"
    "`railmail COMMAND --help` describes a command; --version prints the version.\n";

static const char usage_run_opts[] =
    "  -r, --replications N   replications (default: the scenario's)\n"
    "  -s, --seed N           base seed (default: the scenario's)\n"
    "  -d, --days N           horizon in days (default: the scenario's)\n"
    "  -o, --out DIR          results directory (default results/<scenario>%s/)\n"
    "  -j, --jobs N           worker threads (default: all cores)\n"
    "      --set F.ID.COL=V   override one cell, e.g. services.CQ-MAL.departures_per_week=4\n"
    "      --batches          also write batches.csv (one row per batch)\n"
    "      --tracking         also write tracking.csv (one row per tracking event)\n"
    "      --no-plot          do not draw charts\n"
    "  -q, --quiet            print only errors\n"
    "      --precision M@S=H  run replications in rounds until the confidence interval of\n"
    "                         metric M at scope S (default all) is +-H wide, or H%% of the\n"
    "                         mean (repeatable), e.g. transit_p95_d@od:CQ-DE=0.1\n"
    "      --max-replications N  at most N replications with --precision (default 1000)\n";

/* The main usage, with where the default scenario is found from here. */
static void print_usage(FILE *f)
{
    char dir[4096];
    const char *found = datadir_scenario(DATADIR_DEFAULT_SCENARIO, dir, sizeof dir);
    fprintf(f, usage_main, found ? found : "$" DATADIR_ENV "/" DATADIR_DEFAULT_SCENARIO);
}

/* A usage error: one line on stderr, exit status 2. */
static int say_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int say_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("railmail: ", stderr);
    escape_vline(stderr, fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

/* The scenario named after the options (argv[optind]), or the default
 * one found in the data directory; NULL, the usage error said, when the
 * default's path does not fit buf. run's, sweep's and optimise's. */
static const char *scenario_arg(int argc, char **argv, char *buf, size_t len)
{
    const char *dir = optind < argc ? argv[optind] : datadir_scenario(DATADIR_DEFAULT_SCENARIO, buf, len);
    if (!dir)
        say_error("%s: expected a path shorter than %zu bytes", DATADIR_ENV, len);
    return dir;
}

/* Prints the collected warnings, names in them escaped; they never change
 * the exit status. */
static void report_warnings(const struct diag *d)
{
    for (size_t i = 0; i < diag_warning_count(d); i++)
        escape_line(stderr, "railmail: warning: %s", diag_warning(d, i));
}

/* Prints every collected message, errors first, names in them escaped, and
 * returns the exit status for `st`. */
static int report_diag(struct diag *d, enum rm_status st)
{
    for (size_t i = 0; i < diag_count(d); i++)
        escape_line(stderr, "railmail: %s", diag_message(d, i));
    report_warnings(d);
    if (st == RM_OK)
        return 0;
    return st == RM_EINPUT ? EXIT_USAGE : EXIT_RUN;
}

/* A whole number from 1 to max, by the rules of scenario files. */
static bool parse_count(const char *text, long max, long *out)
{
    uint64_t v;
    if (!num_parse_whole(text, &v) || v < 1 || v > (uint64_t)max)
        return false;
    *out = (long)v;
    return true;
}

/* The metric catalogue, as --help shows it. */
static void print_metrics(void)
{
    puts("\nMetrics in summary.csv (scopes; unit; what it is):");
    for (size_t i = 0; i < METRIC_COUNT; i++) {
        const struct metric *mt = metric_get(i);
        if (!metric_is_first(mt))
            continue;  /* listed once, with every scope it has */
        char scopes[64] = "";
        for (unsigned k = 1; metric_scope_kind(k); k <<= 1)
            if (metric_scopes(mt) & k)
                snprintf(scopes + strlen(scopes), sizeof scopes - strlen(scopes), "%s%s", scopes[0] ? "," : "",
                         metric_scope_kind(k)->name);
        printf("  %-26s %s; %s; %s\n", mt->name, scopes[0] ? scopes : RESULTS_COMPARE_CSV, mt->unit, mt->description);
    }
}

/* "--metric: unknown metric ..." with the list of metrics: exit status 2. */
static int unknown_metric(const char *what, const char *name)
{
    struct diag *d = diag_create();
    if (!d)
        return say_error("out of memory");
    int rc = report_diag(d, metric_unknown(d, what, name));
    diag_destroy(d);
    return rc;
}

/* -r, -d and -s are shorthands for --set scenario.KEY=VALUE: one way to
 * override a value, checked by the loader like any other. */
static void shorthand(struct opts *o, int k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void shorthand(struct opts *o, int k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->shorthand[k], sizeof o->shorthand[k], fmt, ap);
    va_end(ap);
    o->given[k] = true;
}

/* --threshold METRIC=VALUE or METRIC=VALUE%: a later one for the same
 * metric wins. */
static int parse_threshold(const char *text, struct opts *o)
{
    const char *eq = strchr(text, '=');
    if (!eq)
        return say_error("--threshold %s: expected METRIC=VALUE or METRIC=VALUE%%, e.g. %s=0.1", text,
                         metric_name(METRIC_TRANSIT_MEAN));
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(eq - text < 127 ? eq - text : 127), text);
    const struct metric *mt = metric_find(name);
    if (!mt) {
        char what[200];
        snprintf(what, sizeof what, "--threshold %s", text);
        return unknown_metric(what, name);
    }
    struct metric_threshold t;
    if (!metric_threshold_parse(eq + 1, &t))
        return say_error("--threshold %s: expected a number >= 0 in the metric's unit, or a percentage of the "
                         "baseline's mean such as 1%%, after '=', got \"%s\"", text, eq + 1);
    size_t k = 0;
    while (k < o->n_thresholds && o->thresholds[k].metric != mt)
        k++;
    o->thresholds[k] = (struct scenario_threshold){ mt, t };
    o->n_thresholds += k == o->n_thresholds;
    return 0;
}

/* Parses run/compare options; leaves optind at the first operand. */
static int parse_opts(int argc, char **argv, struct opts *o, bool compare, const char *cmd_usage)
{
    enum { O_SET = 256, O_BATCHES, O_TRACKING, O_NO_PLOT, O_HELP, O_METRIC, O_PRECISION, O_MAX_REPS, O_THRESHOLD,
           O_WHAT_IF, O_WHAT_IF_NAME, O_OVERLAY };
    static const struct option longs[] = {
        { "replications", required_argument, 0, 'r' }, { "seed", required_argument, 0, 's' },
        { "days", required_argument, 0, 'd' },          { "out", required_argument, 0, 'o' },
        { "jobs", required_argument, 0, 'j' },          { "set", required_argument, 0, O_SET },
        { "batches", no_argument, 0, O_BATCHES },       { "tracking", no_argument, 0, O_TRACKING },
        { "no-plot", no_argument, 0, O_NO_PLOT },       { "quiet", no_argument, 0, 'q' },
        { "help", no_argument, 0, O_HELP },             { "metric", required_argument, 0, O_METRIC },
        { "precision", required_argument, 0, O_PRECISION },
        { "max-replications", required_argument, 0, O_MAX_REPS },
        { "what-if", required_argument, 0, O_WHAT_IF }, { "what-if-name", required_argument, 0, O_WHAT_IF_NAME },
        { "threshold", required_argument, 0, O_THRESHOLD },
        { "overlay", required_argument, 0, O_OVERLAY },
        { 0, 0, 0, 0 } };
    *o = (struct opts){ .jobs = -1, .max_replications = DEFAULT_MAX_REPLICATIONS };
    long count;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":r:s:d:o:j:q", longs, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (!parse_count(optarg, SCENARIO_MAX_REPLICATIONS, &count))
                return say_error("--replications: expected a whole number from 1 to %u, got \"%s\"",
                                 SCENARIO_MAX_REPLICATIONS, optarg);
            shorthand(o, 0, "scenario.replications=%ld", count);
            break;
        case 'd':
            if (!parse_count(optarg, SCENARIO_MAX_HORIZON_D, &count))
                return say_error("--days: expected a whole number from 1 to %u, got \"%s\"",
                                 SCENARIO_MAX_HORIZON_D, optarg);
            shorthand(o, 1, "scenario.horizon_d=%ld", count);
            break;
        case 'j':
            if (!parse_count(optarg, 1024, &o->jobs))
                return say_error("--jobs: expected a whole number from 1 to 1024, got \"%s\"", optarg);
            break;
        case 's': {
            uint64_t seed;
            if (!num_parse_whole(optarg, &seed))
                return say_error("--seed: expected a whole number >= 0, got \"%s\"", optarg);
            shorthand(o, 2, "scenario.seed=%llu", (unsigned long long)seed);
            break;
        }
        case 'o':
            if (!optarg[0])
                return say_error("--out: expected a directory, got \"\"");
            o->out = optarg;
            break;
        case 'q': o->quiet = true; break;
        case O_SET:
            if (o->n_sets == MAX_SETS)
                return say_error("--set: at most 256 overrides");
            o->sets[o->n_sets++] = optarg;
            break;
        case O_BATCHES: o->batches = true; break;
        case O_TRACKING: o->tracking = true; break;
        case O_NO_PLOT: o->no_plot = true; break;
        case O_PRECISION:
            if (o->n_precision == MAX_PRECISION)
                return say_error("--precision: at most %d targets", MAX_PRECISION);
            o->precision[o->n_precision++] = optarg;
            break;
        case O_MAX_REPS:
            if (!parse_count(optarg, SCENARIO_MAX_REPLICATIONS, &o->max_replications))
                return say_error("--max-replications: expected a whole number from 1 to %u, got \"%s\"",
                                 SCENARIO_MAX_REPLICATIONS, optarg);
            break;
        case O_METRIC:
            if (!compare)
                return say_error("--metric: only for compare");
            if (!metric_find(optarg))
                return unknown_metric("--metric", optarg);
            if (o->n_metrics < 32)
                o->metrics[o->n_metrics++] = optarg;
            break;
        case O_WHAT_IF:
        case O_WHAT_IF_NAME:
            if (!compare)
                return say_error("%s: only for compare", c == O_WHAT_IF ? "--what-if" : "--what-if-name");
            if (c == O_WHAT_IF_NAME)
                o->what_if_name = optarg;
            else if (o->n_what_if == MAX_SETS)
                return say_error("--what-if: at most %d changes", MAX_SETS);
            else
                o->what_if[o->n_what_if++] = optarg;
            break;
        case O_THRESHOLD: {
            if (!compare)
                return say_error("--threshold: only for compare");
            int rc = parse_threshold(optarg, o);
            if (rc)
                return rc;
            break;
        }
        case O_OVERLAY:
            if (compare)
                return say_error("--overlay: only for run (compare and sweep take proposals)");
            o->overlay = optarg;
            break;
        case O_HELP:
            fputs(cmd_usage, stdout);
            printf(usage_run_opts, compare ? "-compare" : "");
            if (!compare)
                puts("      --overlay DIR      lay a proposal's files over the scenario, e.g. the overlay/\n"
                     "                         railmail calibrate writes");
            if (compare)
                printf("      --metric NAME      print only this metric (repeatable); the CSV has all\n"
                       "      --threshold M=V    the practical threshold of metric M: V in its unit, or V%%\n"
                       "                         of the baseline's mean (repeatable), e.g. %s=2\n",
                       metric_name(METRIC_ON_TIME));
            print_metrics();
            return -1;
        case ':':
            return say_error("%s: expected a value", argv[optind - 1]);
        default:
            return say_error("unknown option \"%s\"; see `railmail --help`", argv[optind - 1]);
        }
    }
    for (int k = 0; k < 3; k++)  /* after the user's, so that they win */
        if (o->given[k])
            o->sets[o->n_sets++] = o->shorthand[k];
    return 0;
}

/* Parses "METRIC@SCOPE=H" or "METRIC@SCOPE=P%" (scope `all` when left
 * out) and finds its row in `m`; a message and false when it is wrong. */
static bool parse_precision(const char *text, const struct model *m, struct run_precision *p, struct diag *d)
{
    const char *eq = strrchr(text, '=');
    if (!eq || eq == text) {
        diag_error(d, NULL, "--precision %s: expected METRIC@SCOPE=H or METRIC@SCOPE=P%%", text);
        return false;
    }
    char value[64];
    snprintf(value, sizeof value, "%s", eq + 1);
    size_t vlen = strlen(value);
    p->relative = vlen > 0 && value[vlen - 1] == '%';
    if (p->relative)
        value[vlen - 1] = '\0';
    struct strbuf what = { 0 }, scopes = { 0 };
    struct metric_ref ref;
    strbuf_printf(&what, "--precision %s", text);
    bool ok = metric_ref_parse(text, (size_t)(eq - text), strbuf_str(&what), &ref, d) == RM_OK;
    if (ok && (p->row = model_row(m, ref.metric->name, ref.scope)) == SIZE_MAX) {
        metric_scopes_text(&scopes, metric_scopes(ref.metric) & METRIC_SCOPE_RUN);
        diag_error(d, NULL, "--precision %s: expected a scope that %s has in this scenario (%s), got \"%s\"", text,
                   ref.metric->name, strbuf_str(&scopes), ref.scope);
        ok = false;
    }
    if (ok && (!num_parse(value, strlen(value), '.', &p->half) || !(p->half > 0))) {
        diag_error(d, NULL, "--precision %s: expected a half-width > 0 (or a percentage of the mean, e.g. 2%%), "
                   "got \"%s\"", text, eq + 1);
        ok = false;
    }
    if (ok) {
        p->metric = model_row_metric(m, p->row);
        p->scope = model_row_scope(m, p->row);
    }
    metric_ref_fini(&ref);
    strbuf_fini(&what);
    strbuf_fini(&scopes);
    return ok;
}

/* The --precision targets of `o` against model m: *out malloc'd. */
static enum rm_status precision_targets(const struct opts *o, const struct model *m, struct run_precision **out,
                                        struct diag *d)
{
    *out = NULL;
    if (o->n_precision == 0)
        return RM_OK;
    if (!(*out = calloc(o->n_precision, sizeof **out)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    bool ok = true;
    for (size_t i = 0; i < o->n_precision; i++)
        ok &= parse_precision(o->precision[i], m, &(*out)[i], d);
    return ok ? RM_OK : RM_EINPUT;
}

/* Bytes of memory a run may plan for: RAILMAIL_MEMORY_MB when set (a
 * share of a cluster node, or a test), else what the kernel says is
 * available without swapping. */
static double memory_available(void)
{
    const char *env = getenv("RAILMAIL_MEMORY_MB");
    char *end;
    if (env && *env) {
        double mb = strtod(env, &end);
        if (!*end && mb > 0)
            return mb * 1048576;
    }
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    if (kb > 0)
        return kb * 1024;
    return (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
}

/* Refuses, before anything is simulated, a run that cannot fit in memory. */
static enum rm_status preflight(size_t need, struct diag *d)
{
    double have = memory_available();
    if (have <= 0 || (double)need <= have)
        return RM_OK;
    return diag_error(d, NULL, "this run needs about %.0f MB of memory, more than the %.0f MB available; "
                      "run fewer replications (-r), fewer days (-d) or fewer threads (-j)", need / 1048576.0, have / 1048576.0);
}

static unsigned default_jobs(const struct opts *o)
{
    if (o->jobs > 0)
        return (unsigned)o->jobs;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

struct progress {
    struct timespec start;
    bool shown;
};

static double elapsed_s(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Progress on a terminal, only once a run has taken more than a second. */
static void show_progress(void *ctx, double done)
{
    struct progress *p = ctx;
    if (elapsed_s(&p->start) < 1)
        return;
    fprintf(stderr, "\rrailmail: simulating %3.0f%%", 100 * (done > 1 ? 1 : done));
    fflush(stderr);
    p->shown = true;
}

/* Starts the clock of a run's progress; true when it should be shown
 * (stderr is a terminal and -q was not given). */
static bool start_progress(struct progress *p, const struct opts *o)
{
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    p->shown = false;
    return !o->quiet && isatty(STDERR_FILENO);
}

static void end_progress(const struct progress *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr);
}

static char *default_out(const struct scenario *s, const char *suffix)
{
    size_t n = strlen(scenario_basename(s)) + strlen(suffix) + 16;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "results/%s%s", scenario_basename(s), suffix);
    return out;
}


/* Fewer replications than this give no interval worth printing: with two,
 * the t quantile is 12.7 and the interval says little but looks exact. */
#define MIN_REPLICATIONS_FOR_CI 3

static void print_cell(double mean, double lo, double hi, bool interval)
{
    printf("%12.2f", mean);
    if (!interval)
        printf("  n/a");
    else if (!isnan(lo))
        printf("  [%.2f, %.2f]", lo, hi);
}

/* One line per --precision target: reached or not, after how many. */
static void print_precision(const struct run_precision *p, size_t n, unsigned replications, long max)
{
    for (size_t i = 0; i < n; i++)
        escape_line(stdout, "precision: %s@%s half-width %.4g %s %g%s after %u replications%s", p[i].metric,
                    p[i].scope, p[i].achieved, p[i].met ? "<=" : ">", p[i].half,
                    p[i].relative ? "% of the mean" : "", replications,
                    p[i].met ? "" : (replications >= max ? ": not met by --max-replications" : ": not met"));
}

static void print_run_table(const struct scenario *s, const struct run_result *r, long max_replications,
                            const char *out)
{
    escape_line(stdout, "%s: %u replications of %g days (%g warm-up), seed %llu", scenario_basename(s), r->n,
                s->horizon_d, s->warmup_d, (unsigned long long)s->seed);
    if (r->reused)
        printf("(replications 1-%u reused from the earlier results: same inputs, same version)\n", r->reused);
    putchar('\n');
    printf("%-24s %12s  %.0f%% confidence interval\n", "metric (all batches)", "mean", 100 * s->confidence);
    bool interval = r->n >= MIN_REPLICATIONS_FOR_CI;
    const struct metric *mt;
    for (unsigned rank = 1; (mt = metric_ranked(rank)); rank++) {
        size_t row = model_row(r->model, mt->name, "all");
        const struct stats_summary *sm = &r->summary[row];
        if (sm->n == 0)
            continue;
        printf("%-24s ", mt->name);
        print_cell(sm->mean, sm->ci_low, sm->ci_high, interval);
        char unit[64];
        if (metric_unit(mt, s->currency, unit, sizeof unit) == unit)  /* a cost names its currency */
            printf(" %s", unit);
        putchar('\n');
    }
    if (!interval)
        printf("\nn/a: a confidence interval needs at least %d replications; this run has %u (use -r)\n",
               MIN_REPLICATIONS_FOR_CI, r->n);
    if (r->n_precision)
        putchar('\n');
    print_precision(r->precision, r->n_precision, r->n, max_replications);
    /* The busiest border or hub tells a planner where the queue is. */
    size_t worst = SIZE_MAX;
    double worst_wait = -1;
    for (size_t n = 0; n < s->n_nodes; n++) {
        char scope[300];
        snprintf(scope, sizeof scope, "node:%s", s->nodes[n].id);
        size_t row = model_row(r->model, metric_name(METRIC_TRAIN_QUEUE_WAIT), scope);
        if (row != SIZE_MAX && r->summary[row].n && r->summary[row].mean > worst_wait) {
            worst_wait = r->summary[row].mean;
            worst = n;
        }
    }
    if (worst != SIZE_MAX && worst_wait > 0) {
        putchar('\n');
        escape_line(stdout, "longest train queue: %s (%s), %.1f h on average before a server is free",
                    s->nodes[worst].id, s->nodes[worst].name, worst_wait);
    }
    putchar('\n');
    escape_line(stdout, "results: %s/", out);
}

/* Draws the charts of a results directory; prints how when gnuplot is absent. */
static enum rm_status draw(const char *dir, const char *final_dir, struct diag *d)
{
    bool drawn = true;
    enum rm_status st = plot_results(dir, &drawn, d);
    if (st == RM_OK && !drawn)
        escape_line(stderr, "railmail: gnuplot not found; charts not drawn: install gnuplot, then run "
                            "`railmail plot %s`", final_dir);
    return st;
}

/* Interrupts. SIGINT and SIGTERM must remove the temporary results
 * directory, which takes opendir, malloc and a mutex: nothing a signal
 * handler may call, and a worker thread may be the one interrupted. So the
 * handler only writes the signal number into a pipe (write is
 * async-signal-safe; the pipe never blocks it), and a thread of its own,
 * waiting on that pipe, removes the directory with ordinary calls and ends
 * the process with _exit(128 + signal): 130 for SIGINT, 143 for SIGTERM.
 * The pipe is global because a signal handler has no other way to reach
 * it; signal dispositions are process-wide anyway. Children (gnuplot) get
 * the default dispositions back at exec. */
static int interrupt_pipe[2] = { -1, -1 };

static void on_interrupt(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t rc = write(interrupt_pipe[1], &b, 1);
    (void)rc;  /* a full pipe already holds a signal to act on */
    errno = saved;
}

static void *interrupt_thread(void *arg)
{
    (void)arg;
    unsigned char sig;
    ssize_t got;
    while ((got = read(interrupt_pipe[0], &sig, 1)) < 0 && errno == EINTR)
        ;
    if (got != 1)
        return NULL;
    outdir_interrupt();
    _exit(128 + sig);
}

/* Installs the handlers for SIGINT and SIGTERM; without a pipe or a thread,
 * interrupts keep their default action. */
static void catch_interrupts(void)
{
    if (pipe(interrupt_pipe) != 0)
        return;
    for (int i = 0; i < 2; i++)
        fcntl(interrupt_pipe[i], F_SETFD, FD_CLOEXEC);
    fcntl(interrupt_pipe[1], F_SETFL, O_NONBLOCK);
    pthread_attr_t attr;
    pthread_t tid;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&tid, &attr, interrupt_thread, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        close(interrupt_pipe[0]);
        close(interrupt_pipe[1]);
        return;
    }
    struct sigaction sa = { .sa_handler = on_interrupt, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* The run record for what a command made: the scenario and its inputs
 * (each arm's or point's are added by the caller), the settings, and how
 * the replication count was chosen; then the report page, which reads it. */
static enum rm_status write_record_and_report(struct record *rec, const char *dir, enum results_kind kind,
                                              const struct scenario *s, unsigned replications, unsigned reused,
                                              const struct opts *o, struct diag *d)
{
    if (!rec)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)s->seed);
    record_set(rec, RESULTS_KEY_KIND, results_kind_name(kind));
    record_set(rec, RESULTS_KEY_SCENARIO, s->dir);
    record_set(rec, RESULTS_KEY_SEED, seed);
    record_set_number(rec, RESULTS_KEY_REPLICATIONS, replications);
    record_set(rec, RESULTS_KEY_REPLICATIONS_CHOSEN, o->n_precision ? "--precision: rounds until every target was met"
                                                     : o->given[0] ? "-r" : "the scenario's replications");
    record_set_list(rec, RESULTS_KEY_PRECISION, o->precision, o->n_precision);
    record_set_number(rec, RESULTS_KEY_REPLICATIONS_REUSED, reused);
    record_set_number(rec, RESULTS_KEY_HORIZON_D, s->horizon_d);
    record_set_number(rec, RESULTS_KEY_WARMUP_D, s->warmup_d);
    record_set_number(rec, RESULTS_KEY_RUNOUT_D, s->runout_d);
    record_set_list(rec, RESULTS_KEY_SETS, o->sets, o->n_sets);
    record_set_number(rec, RESULTS_KEY_THREADS, default_jobs(o));
    record_set_number(rec, RESULTS_KEY_RANKS, run_ranks());
    record_set(rec, RESULTS_KEY_PLOT, o->no_plot ? "no" : "yes");  /* the page has charts */
    char *gnuplot = o->no_plot ? NULL : gnuplot_version();
    record_set(rec, RESULTS_KEY_GNUPLOT, gnuplot);
    free(gnuplot);
    record_scenario(rec, s);
    enum rm_status st = record_write(rec, dir, d);
    return st == RM_OK ? html_write_run(dir, kind == RESULTS_RUN ? s : NULL, d) : st;
}

static int cmd_run(int argc, char **argv)
{
    struct opts o;
    int rc = parse_opts(argc, argv, &o, false, "usage: railmail run [SCENARIO] [options]\n\n"
                                               "Simulates a scenario and writes summary.csv, replications.csv,\n"
                                               "throughput.csv, trains.csv and charts into the results directory.\n\n");
    if (rc)
        return rc < 0 ? 0 : rc;
    if (argc - optind > 1)
        return say_error("run: expected one scenario, got \"%s\"", argv[optind + 1]);
    char default_dir[4096];
    const char *dir = scenario_arg(argc, argv, default_dir, sizeof default_dir);
    if (!dir)
        return EXIT_USAGE;
    catch_interrupts();
    struct record *rec = record_begin(argc + 1, argv - 1);  /* argv[-1] is "railmail" */
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    struct model *m = NULL;
    char *out = NULL;
    struct outdir *od = NULL;
    struct run_precision *prec = NULL;
    struct run_result res = { 0 };
    bool have_res = false;
    enum rm_status st = scenario_load(dir, o.overlay, o.sets, o.n_sets, &s, d);
    if (st != RM_OK)
        goto done;
    out = o.out ? strdup(o.out) : default_out(s, "");
    m = model_create(s);
    if (!out || !m) {
        st = diag_fail(d, RM_ENOMEM, "out of memory");
        goto done;
    }
    if ((st = precision_targets(&o, m, &prec, d)) != RM_OK)
        goto done;
    unsigned most = prec && o.max_replications > s->replications ? (unsigned)o.max_replications : s->replications;
    if ((st = preflight(run_memory_estimate(m, most, default_jobs(&o), NULL), d)) != RM_OK)
        goto done;
    if ((st = outdir_begin(out, &od, d)) != RM_OK)
        goto done;
    const char *tmp = outdir_temp(od);
    struct progress p;
    bool tty = start_progress(&p, &o);
    struct run_options ro = { .replications = s->replications, .jobs = default_jobs(&o), .batches = o.batches,
                              .tracking = o.tracking, .precision = prec, .n_precision = o.n_precision,
                              .max_replications = (unsigned)o.max_replications, .reuse_dir = out, .key = s->key,
                              .progress = tty ? show_progress : NULL, .progress_ctx = &p };
    st = run_replications(m, &ro, s->confidence, tmp, &res, d);
    end_progress(&p);
    have_res = st == RM_OK;
    if (st == RM_OK)
        run_warn_undelivered(&res, s, NULL, d);
    if (st == RM_OK)
        st = report_run(tmp, s, &res, RESULTS_RUN, d);
    if (st == RM_OK && !o.no_plot)
        st = draw(tmp, out, d);
    if (st == RM_OK)
        st = write_record_and_report(rec, tmp, RESULTS_RUN, s, res.n, res.reused, &o, d);
    if (st == RM_OK)
        st = outdir_commit(od, d);
    if (st == RM_OK && !o.quiet)
        print_run_table(s, &res, o.max_replications, out);
done:
    rc = report_diag(d, st);
    if (have_res)
        run_result_fini(&res);
    outdir_discard(od);
    free(out);
    free(prec);
    model_destroy(m);
    scenario_destroy(s);
    diag_destroy(d);
    record_destroy(rec);
    return rc;
}

/* Validates one scenario and each of its proposals; prints the outcome. */
static bool validate_one(const char *dir, struct diag *d)
{
    struct scenario *s = NULL;
    diag_clear(d);
    if (scenario_load(dir, NULL, NULL, 0, &s, d) != RM_OK) {
        report_diag(d, RM_EINPUT);
        return false;
    }
    escape_line(stdout, "ok: %s — %zu nodes, %zu legs, %zu services, %zu demand pairs", scenario_basename(s),
                s->n_nodes, s->n_legs, s->n_services, s->n_demand);
    scenario_destroy(s);
    char *names[MAX_PROPOSALS];
    size_t n = compare_list_proposals(dir, names, MAX_PROPOSALS);
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/proposals/%s", dir, names[i]);
        diag_clear(d);
        if (scenario_load(dir, path, NULL, 0, &s, d) != RM_OK) {
            report_diag(d, RM_EINPUT);
            ok = false;
        } else {
            escape_line(stdout, "ok: %s + %s", scenario_basename(s), names[i]);
            fflush(stdout);
            report_warnings(d);
        }
        scenario_destroy(s);
        s = NULL;
        free(names[i]);
    }
    return ok;
}

static int cmd_validate(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        puts("usage: railmail validate SCENARIO...\n\n"
             "Checks every file of each scenario and of its proposals, reports every problem\n"
             "with its file, line and column, and simulates nothing. Exit status 0 only if all\n"
             "are valid, 2 otherwise.");
        return 0;
    }
    if (argc < 2)
        return say_error("validate: expected at least one scenario directory");
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1])
            return say_error("validate: unknown option \"%s\"", argv[i]);
    struct diag *d = diag_create();
    bool ok = true;
    for (int i = 1; i < argc; i++)
        ok &= validate_one(argv[i], d);
    diag_destroy(d);
    return ok ? 0 : EXIT_USAGE;
}

static int cmd_plot(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        puts("usage: railmail plot RESULTS_DIR\n\n"
             "Redraws the charts of an earlier run or comparison from its CSVs, and rewrites\n"
             "the .gp scripts beside them.");
        return 0;
    }
    if (argc != 2)
        return say_error("plot: expected one results directory");
    if (!outdir_is_results(argv[1]))  /* it writes there: only into what railmail wrote */
        return say_error("plot: %s holds no results railmail wrote (no .railmail-results lists it); "
                         "not writing charts into it", argv[1]);
    catch_interrupts();  /* its scratch and temporaries go with it */
    struct diag *d = diag_create();
    enum rm_status st = draw(argv[1], argv[1], d);
    /* The charts now belong to the results, so the next run may replace
     * them: every file of the chart catalogue that is there. */
    size_t n = 0;
    char **files = results_chart_files(&n);
    enum rm_status adopted = files ? outdir_adopt(argv[1], (const char *const *)files, n, d)
                                   : diag_fail(d, RM_ENOMEM, "out of memory");
    free(files);
    if (st == RM_OK)
        st = adopted;
    int rc = report_diag(d, st);
    if (st == RM_OK)
        escape_line(stdout, "charts: %s/", argv[1]);
    diag_destroy(d);
    return rc;
}

static int cmd_compare(int argc, char **argv)
{
    struct opts o;
    int rc = parse_opts(argc, argv, &o, true,
                        "usage: railmail compare SCENARIO [PROPOSAL...] [options]\n\n"
                        "Runs the baseline and each proposal (all of SCENARIO/proposals/* by default)\n"
                        "with common random numbers and writes compare.csv with paired differences,\n"
                        "confidence intervals, p-values and Holm-corrected verdicts.\n\n"
                        "      --what-if F.csv=ROW  add ROW to the scenario's file F.csv, in its columns, e.g.\n"
                        "                         'disruptions.csv=BRS,2024-11-13,5,0,' (Brest closed 5 days)\n"
                        "      --what-if F.ID.COL=V or set one cell, as --set does; the --what-ifs build one\n"
                        "                         option, compared with the baseline (and any PROPOSAL named)\n"
                        "      --what-if-name NAME  that option's name (default " SCENARIO_WHAT_IF_NAME ")\n");
    if (rc)
        return rc < 0 ? 0 : rc;
    if (optind >= argc)
        return say_error("compare: expected a scenario directory");
    const char *dir = argv[optind];
    struct compare_request q = {
        .scenario_dir = dir,
        .proposals = (const char *const *)argv + optind + 1,
        .n_proposals = (size_t)(argc - optind - 1),
        .sets = o.sets, .n_sets = o.n_sets,
        .what_if = o.what_if, .n_what_if = o.n_what_if, .what_if_name = o.what_if_name,
        .thresholds = o.thresholds, .n_thresholds = o.n_thresholds,
        .jobs = default_jobs(&o),
        .batches = o.batches, .tracking = o.tracking,
    };
    if (o.what_if_name && !o.n_what_if)
        return say_error("--what-if-name: expected a --what-if to name");
    catch_interrupts();
    struct record *rec = record_begin(argc + 1, argv - 1);
    struct diag *d = diag_create();
    struct compare_result *cr = NULL;
    struct progress p;
    if (start_progress(&p, &o)) {
        q.progress = show_progress;
        q.progress_ctx = &p;
    }
    struct outdir *od = NULL;
    struct run_precision *prec = NULL;
    enum rm_status st = compare_prepare(&q, &cr, d);
    if (st == RM_OK && (st = precision_targets(&o, compare_baseline_model(cr), &prec, d)) == RM_OK)
        compare_set_precision(cr, prec, o.n_precision, (unsigned)o.max_replications);
    if (st == RM_OK)
        st = preflight(compare_memory_estimate(cr), d);
    if (st == RM_OK)
        st = outdir_begin(o.out ? o.out : compare_default_out(cr), &od, d);
    const char *tmp = od ? outdir_temp(od) : NULL;
    if (st == RM_OK)
        st = compare_run(cr, tmp, o.out ? o.out : compare_default_out(cr), d);
    end_progress(&p);
    const char *out = cr ? (o.out ? o.out : compare_default_out(cr)) : NULL;
    if (st == RM_OK && !o.no_plot)
        st = draw(tmp, out, d);
    if (st == RM_OK && rec) {  /* every arm's inputs, and the proposals by name */
        const char *names[MAX_PROPOSALS];
        for (size_t i = 1; i < compare_arms(cr); i++) {
            names[i - 1] = compare_arm_name(cr, i);
            record_scenario(rec, compare_arm_scenario(cr, i));
        }
        record_set_list(rec, RESULTS_KEY_PROPOSALS, names, compare_arms(cr) - 1);
        record_set_list(rec, RESULTS_KEY_WHAT_IF, o.what_if, o.n_what_if);
        if (o.n_what_if)
            record_set(rec, RESULTS_KEY_WHAT_IF_NAME, names[compare_arms(cr) - 2]);
    }
    if (st == RM_OK)
        st = write_record_and_report(rec, tmp, RESULTS_COMPARE, compare_arm_scenario(cr, 0), compare_replications(cr),
                          compare_reused(cr), &o, d);
    if (st == RM_OK)
        st = outdir_commit(od, d);
    outdir_discard(od);
    if (st == RM_OK && !o.quiet) {
        compare_print(cr, stdout, o.metrics, o.n_metrics);
        if (o.n_precision)
            putchar('\n');
        print_precision(prec, o.n_precision, compare_replications(cr), o.max_replications);
        putchar('\n');
        escape_line(stdout, "results: %s/" RESULTS_COMPARE_CSV " and charts in %s/", out, out);
    }
    rc = report_diag(d, st);
    free(prec);
    compare_destroy(cr);
    diag_destroy(d);
    record_destroy(rec);
    return rc;
}

static const char usage_sweep[] =
    "usage: railmail sweep [SCENARIO] --vary KEY=VALUES [--vary KEY2=VALUES] [options]\n\n"
    "Runs the scenario at every value of KEY (any --set key), or at every pair of values\n"
    "of two keys, each point on the same random numbers, and writes sweep.csv (a column\n"
    "per key, then summary.csv's columns for every point), each point's results in\n"
    "point-NNN/ (points.csv says which is which) and charts sweep_METRIC.png. E.g.\n"
    "  railmail sweep --vary services.CQ-MAL.departures_per_week=1:7 --target 'on_time_pct@od:CQ-DE>=80'\n\n"
    "      --vary KEY=VALUES  VALUES: a list 1,2,3,5,7, whole numbers A:B, or A:B:STEP\n"
    "      --target 'METRIC@SCOPE>=X'  (or <=; SCOPE defaults to all) with one --vary:\n"
    "                         the least value at which the confidence bound, not the mean,\n"
    "                         is on the right side of X, found by bisection; target.csv\n"
    "      --every-month      the target must hold in every posting month, not only over\n"
    "                         the year (months that begin in the warm-up are left out);\n"
    "                         the answer names the month that binds\n"
    "      --proposal NAME    sweep SCENARIO/proposals/NAME instead of the baseline\n"
    "      --metric NAME      print only this metric (repeatable); the CSV has all\n\n";

/* The options of run that take a value, so that sweep's own are not taken
 * for one of their values. */
static bool takes_value(const char *arg)
{
    static const char *const longs[] = { "--replications", "--seed", "--days", "--out", "--jobs", "--set",
                                         "--metric", "--precision", "--max-replications" };
    if (arg[0] == '-' && arg[1] == '-') {
        for (size_t i = 0; i < sizeof longs / sizeof *longs; i++)
            if (!strcmp(arg, longs[i]))
                return true;
        return false;
    }
    /* a cluster of short options: a value is attached or follows */
    for (const char *c = arg + 1; arg[0] == '-' && *c; c++)
        if (strchr("rsdoj", *c))
            return c[1] == '\0';
    return false;
}

/* sweep's own options: --vary (repeatable), --target, --proposal. */
struct sweep_args {
    const char *vary[8];
    size_t n_vary;
    const char *target, *proposal;
    bool every_month;
};

/* Takes a command's own options apart from run's before parse_opts sees
 * them: each of names[0..n_names) takes a value (NAME V or NAME=V), each
 * of flags[] none; take(ctx, which, value) stores one, `which` counting
 * the names, then the flags (value NULL). The rest go to `rest` (argv[0]
 * first), with the values of run's options that take one. 0, or the exit
 * status of a usage error. Sweep's and optimise's. */
static int split_own_args(int argc, char **argv, const char *const *names, size_t n_names, const char *const *flags,
                          size_t n_flags, int (*take)(void *ctx, size_t which, const char *value), void *ctx,
                          char **rest, int *n_rest)
{
    int n = 0, rc = 0;
    rest[n++] = argv[0];
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *arg = argv[i], *value = NULL;
        size_t which = n_names + n_flags;
        if (!strcmp(arg, "--")) {
            while (i < argc)
                rest[n++] = argv[i++];
            break;
        }
        for (size_t k = 0; k < n_flags && which == n_names + n_flags; k++)
            if (!strcmp(arg, flags[k]))
                which = n_names + k;
        for (size_t k = 0; k < n_names && which == n_names + n_flags; k++) {
            size_t len = strlen(names[k]);
            if (!strncmp(arg, names[k], len) && (arg[len] == '\0' || arg[len] == '='))
                which = k, value = arg[len] ? arg + len + 1 : NULL;
        }
        if (which == n_names + n_flags) {
            rest[n++] = argv[i];
            if (takes_value(arg) && i + 1 < argc)
                rest[n++] = argv[++i];
            continue;
        }
        if (which < n_names && !value && i + 1 >= argc)
            return say_error("%s: expected a value", names[which]);
        rc = take(ctx, which, which < n_names && !value ? argv[++i] : value);
    }
    *n_rest = n;
    rest[n] = NULL;
    return rc;
}

static const char *const sweep_names[] = { "--vary", "--target", "--proposal" };
static const char *const sweep_flags[] = { "--every-month" };

/* Stores one of sweep's options (which: in sweep_names, then sweep_flags). */
static int sweep_arg(void *ctx, size_t which, const char *value)
{
    struct sweep_args *a = ctx;
    if (which == 0) {
        if (a->n_vary == sizeof a->vary / sizeof *a->vary)
            return say_error("--vary: expected at most %d, got more", SWEEP_MAX_KEYS);
        a->vary[a->n_vary++] = value;
    } else if (which == 1) {
        a->target = value;
    } else if (which == 2) {
        a->proposal = value;
    } else {
        a->every_month = true;
    }
    return 0;
}

static int split_sweep_args(int argc, char **argv, struct sweep_args *a, char **rest, int *n_rest)
{
    *a = (struct sweep_args){ 0 };
    return split_own_args(argc, argv, sweep_names, sizeof sweep_names / sizeof *sweep_names, sweep_flags,
                          sizeof sweep_flags / sizeof *sweep_flags, sweep_arg, a, rest, n_rest);
}

/* sweep's and optimise's --help, wherever it stands before a "--" (their
 * own options are taken apart from run's before parse_opts sees them). */
static bool print_help_anywhere(int argc, char **argv, const char *usage, const char *out_suffix)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help")) {
            fputs(usage, stdout);
            printf(usage_run_opts, out_suffix);
            print_metrics();
            return true;
        }
    return false;
}

static int cmd_sweep(int argc, char **argv)
{
    if (print_help_anywhere(argc, argv, usage_sweep, "-sweep"))
        return 0;
    struct sweep_args a;
    char **rest = malloc(((size_t)argc + 1) * sizeof *rest);
    int n_rest = 0;
    if (!rest)
        return say_error("out of memory");
    int rc = split_sweep_args(argc, argv, &a, rest, &n_rest);
    struct opts o;
    if (rc == 0)
        rc = parse_opts(n_rest, rest, &o, true, usage_sweep);
    if (rc == 0 && n_rest - optind > 1)
        rc = say_error("sweep: expected one scenario, got \"%s\"", rest[optind + 1]);
    if (rc == 0 && (o.n_what_if || o.what_if_name))
        rc = say_error("--what-if: only for compare (a sweep varies a proposal with --proposal)");
    if (rc == 0 && o.n_thresholds)  /* its points are levels side by side, not verdicts */
        rc = say_error("--threshold: only for compare; a sweep gives no verdicts");
    if (rc) {
        free(rest);
        return rc < 0 ? 0 : rc;
    }
    char default_dir[4096];
    const char *dir = scenario_arg(n_rest, rest, default_dir, sizeof default_dir);
    if (!dir) {
        free(rest);
        return EXIT_USAGE;
    }
    struct sweep_request q = {
        .scenario_dir = dir,
        .proposal = a.proposal,
        .sets = o.sets, .n_sets = o.n_sets,
        .vary = a.vary, .n_vary = a.n_vary,
        .target = a.target, .every_month = a.every_month,
        .jobs = default_jobs(&o),
        .batches = o.batches, .tracking = o.tracking,
    };
    catch_interrupts();
    struct record *rec = record_begin(argc + 1, argv - 1);
    struct diag *d = diag_create();
    struct sweep_result *w = NULL;
    struct progress p;
    if (start_progress(&p, &o)) {
        q.progress = show_progress;
        q.progress_ctx = &p;
    }
    struct outdir *od = NULL;
    struct run_precision *prec = NULL;
    struct model *m0 = NULL;  /* where the targets' names live */
    enum rm_status st = sweep_prepare(&q, &w, d);
    if (st == RM_OK && o.n_precision) {
        m0 = model_create(sweep_scenario(w));
        st = m0 ? precision_targets(&o, m0, &prec, d) : diag_fail(d, RM_ENOMEM, "out of memory");
        if (st == RM_OK)
            sweep_set_precision(w, prec, o.n_precision, (unsigned)o.max_replications);
    }
    if (st == RM_OK)
        st = preflight(sweep_memory_estimate(w), d);
    const char *out = w ? (o.out ? o.out : sweep_default_out(w)) : NULL;
    if (st == RM_OK)
        st = outdir_begin(out, &od, d);
    const char *tmp = od ? outdir_temp(od) : NULL;
    if (st == RM_OK)
        st = sweep_run(w, tmp, out, d);
    end_progress(&p);
    if (st == RM_OK && !o.no_plot)
        st = draw(tmp, out, d);
    if (st == RM_OK) {
        if (rec) {
            record_set_list(rec, RESULTS_KEY_VARY, a.vary, a.n_vary);
            record_set(rec, RESULTS_KEY_TARGET, a.target);
            record_set(rec, RESULTS_KEY_PROPOSAL, a.proposal);
        }
        st = write_record_and_report(rec, tmp, RESULTS_SWEEP, sweep_scenario(w), sweep_replications(w), 0, &o, d);
    }
    if (st == RM_OK)
        st = outdir_commit(od, d);
    outdir_discard(od);
    if (st == RM_OK && !o.quiet) {
        sweep_print(w, stdout, o.metrics, o.n_metrics);
        if (o.n_precision)
            printf("\nevery point (the least precise shown):\n");
        print_precision(prec, o.n_precision, sweep_replications(w), o.max_replications);
        putchar('\n');
        escape_line(stdout, "results: %s/" RESULTS_SWEEP_CSV " and charts in %s/", out, out);
    }
    rc = report_diag(d, st);
    free(prec);
    model_destroy(m0);
    record_destroy(rec);
    sweep_destroy(w);
    diag_destroy(d);
    free(rest);
    return rc;
}

static const char usage_optimise[] =
    "usage: railmail optimise [SCENARIO] --vary KEY=VALUES [--vary ...] (--minimise | --maximise) METRIC@SCOPE\n"
    "                         --subject-to 'METRIC@SCOPE>=X' [--subject-to ...] [options]\n\n"
    "Finds the setting of up to four keys (a grid, each key as sweep's --vary) with the\n"
    "best objective among those that meet every constraint with confidence: the bound\n"
    "of each constraint's interval on the right side of X, each at the confidence\n"
    "shared among the constraints (Bonferroni). Assumes larger values make the\n"
    "constraints easier to meet (more departures, more on time) and runs only the\n"
    "settings on the feasible frontier, found by bisection; warns and runs more where\n"
    "the settings run say otherwise. Among the feasible settings, Kim and Nelson's\n"
    "procedure gives the close ones more replications until the best is chosen with\n"
    "the scenario's confidence (indifference zone: the objective's practical\n"
    "threshold; at most --max-replications each); those within the threshold of it\n"
    "are as good. --precision runs each setting in rounds until its targets are met,\n"
    "before its constraints are judged. Writes " RESULTS_OPTIMUM_CSV ", " RESULTS_POINTS_CSV " (every\n"
    "setting run, feasible or not, its objective, replications and what the selection\n"
    "made of it), " RESULTS_SWEEP_CSV " and each setting's results in point-NNN/ (numbered in\n"
    "grid order, as a sweep's). No feasible setting: exit 1, and the closest is shown.\n"
    "`optimize` is the same command. E.g.\n"
    "  railmail optimise --vary services.CQ-MAL.departures_per_week=1:7 \\\n"
    "    --vary services.ZZ-MAL.departures_per_week=1:7 --minimise cost_per_kg \\\n"
    "    --subject-to 'on_time_pct@origin:CQ>=80' --subject-to 'on_time_pct@origin:ZZ>=80'\n\n"
    "      --vary KEY=VALUES  VALUES: a list 1,2,3,5,7, whole numbers A:B, or A:B:STEP,\n"
    "                         increasing (repeatable, at most 4 keys)\n"
    "      --minimise METRIC@SCOPE   the objective (or --maximise; SCOPE defaults to all)\n"
    "      --subject-to 'METRIC@SCOPE>=X'  (or <=) a constraint (repeatable)\n"
    "      --budget N         simulate at most N settings, and say how many were left\n"
    "                         unexplored\n"
    "      --proposal NAME    optimise SCENARIO/proposals/NAME instead of the baseline\n\n";

/* optimise's own options. */
struct optimise_args {
    const char *vary[OPTIMISE_MAX_KEYS + 1];
    size_t n_vary;
    const char *constraints[OPTIMISE_MAX_CONSTRAINTS + 1];
    size_t n_constraints;
    const char *objective, *proposal, *budget;
    bool maximise;
};

static const char *const optimise_names[] = { "--vary", "--subject-to", "--minimise", "--minimize", "--maximise",
                                              "--maximize", "--proposal", "--budget" };

/* Stores one of optimise's options (which: its index in optimise_names). */
static int optimise_arg(void *ctx, size_t which, const char *value)
{
    struct optimise_args *a = ctx;
    if (which == 0) {
        if (a->n_vary > OPTIMISE_MAX_KEYS)
            return say_error("--vary: expected at most %d keys, got more", OPTIMISE_MAX_KEYS);
        a->vary[a->n_vary++] = value;
    } else if (which == 1) {
        if (a->n_constraints > OPTIMISE_MAX_CONSTRAINTS)
            return say_error("--subject-to: expected at most %d, got more", OPTIMISE_MAX_CONSTRAINTS);
        a->constraints[a->n_constraints++] = value;
    } else if (which <= 5) {
        if (a->objective)
            return say_error("%s: expected one objective, got %s and %s", optimise_names[which], a->objective,
                             value);
        a->objective = value;
        a->maximise = which >= 4;
    } else if (which == 6) {
        a->proposal = value;
    } else {
        a->budget = value;
    }
    return 0;
}

static int split_optimise_args(int argc, char **argv, struct optimise_args *a, char **rest, int *n_rest)
{
    *a = (struct optimise_args){ 0 };
    return split_own_args(argc, argv, optimise_names, sizeof optimise_names / sizeof *optimise_names, NULL, 0,
                          optimise_arg, a, rest, n_rest);
}

/* Checks what parse_opts took that optimise does not use; 0 or an exit status. */
static int optimise_refuses(const struct opts *o, const struct optimise_args *a, size_t *budget)
{
    if (o->n_what_if || o->what_if_name)
        return say_error("--what-if: only for compare (optimise a proposal with --proposal)");
    if (o->n_thresholds)
        return say_error("--threshold: only for compare; optimise takes the scenario's thresholds");
    *budget = 0;
    long b;
    if (a->budget && !parse_count(a->budget, OPTIMISE_MAX_SETTINGS, &b))
        return say_error("--budget: expected a whole number from 1 to %d, got \"%s\"", OPTIMISE_MAX_SETTINGS,
                         a->budget);
    if (a->budget)
        *budget = (size_t)b;
    return 0;
}

static int cmd_optimise(int argc, char **argv)
{
    if (print_help_anywhere(argc, argv, usage_optimise, "-optimise"))
        return 0;
    struct optimise_args a;
    char **rest = malloc(((size_t)argc + 1) * sizeof *rest);
    int n_rest = 0;
    if (!rest)
        return say_error("out of memory");
    int rc = split_optimise_args(argc, argv, &a, rest, &n_rest);
    struct opts o;
    size_t budget = 0;
    if (rc == 0)
        rc = parse_opts(n_rest, rest, &o, true, usage_optimise);
    if (rc == 0 && n_rest - optind > 1)
        rc = say_error("optimise: expected one scenario, got \"%s\"", rest[optind + 1]);
    if (rc == 0)
        rc = optimise_refuses(&o, &a, &budget);
    if (rc) {
        free(rest);
        return rc < 0 ? 0 : rc;
    }
    char default_dir[4096];
    const char *dir = scenario_arg(n_rest, rest, default_dir, sizeof default_dir);
    if (!dir) {
        free(rest);
        return EXIT_USAGE;
    }
    struct optimise_request q = {
        .scenario_dir = dir, .proposal = a.proposal,
        .sets = o.sets, .n_sets = o.n_sets,
        .vary = a.vary, .n_vary = a.n_vary,
        .objective = a.objective, .maximise = a.maximise,
        .constraints = a.constraints, .n_constraints = a.n_constraints,
        .budget = budget, .max_replications = (unsigned)o.max_replications, .jobs = default_jobs(&o),
        .batches = o.batches, .tracking = o.tracking,
    };
    catch_interrupts();
    struct record *rec = record_begin(argc + 1, argv - 1);
    struct diag *d = diag_create();
    struct optimise_result *w = NULL;
    struct outdir *od = NULL;
    struct progress p;
    if (start_progress(&p, &o)) {
        q.progress = show_progress;
        q.progress_ctx = &p;
    }
    enum rm_status st = optimise_prepare(&q, &w, d);
    struct run_precision *prec = NULL;
    struct model *m0 = NULL;  /* where the targets' names live */
    if (st == RM_OK && o.n_precision) {
        m0 = model_create(optimise_scenario(w));
        st = m0 ? precision_targets(&o, m0, &prec, d) : diag_fail(d, RM_ENOMEM, "out of memory");
        if (st == RM_OK)
            optimise_set_precision(w, prec, o.n_precision);
    }
    const char *out = w ? (o.out ? o.out : optimise_default_out(w)) : NULL;
    if (st == RM_OK)
        st = outdir_begin(out, &od, d);
    const char *tmp = od ? outdir_temp(od) : NULL;
    if (st == RM_OK)
        st = optimise_run(w, tmp, out, d);
    end_progress(&p);
    if (st == RM_OK && !o.no_plot)  /* the answer's chart at any number of keys; a sweep's at one or two */
        st = draw(tmp, out, d);
    if (st == RM_OK) {
        if (rec) {
            record_set_list(rec, RESULTS_KEY_VARY, a.vary, a.n_vary);
            record_set(rec, RESULTS_KEY_PROPOSAL, a.proposal);
        }
        st = write_record_and_report(rec, tmp, RESULTS_SWEEP, optimise_scenario(w), optimise_replications(w), 0, &o,
                                     d);
    }
    if (st == RM_OK)
        st = outdir_commit(od, d);
    outdir_discard(od);
    if (st == RM_OK && !o.quiet) {
        optimise_print(w, stdout);
        escape_line(stdout, "results: %s/" RESULTS_OPTIMUM_CSV " and %s/" RESULTS_POINTS_CSV, out, out);
    }
    rc = report_diag(d, st);
    if (rc == 0 && !optimise_found(w))
        rc = EXIT_RUN;  /* the question has no answer: a script must not take the closest for one */
    record_destroy(rec);
    model_destroy(m0);  /* before the scenario it reads */
    optimise_destroy(w);
    free(prec);
    diag_destroy(d);
    free(rest);
    return rc;
}

static int cmd_verify(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        puts("usage: railmail verify RESULTS_DIR\n\n"
             "Runs again the command recorded in RESULTS_DIR/run.json, in its working directory,\n"
             "and compares every result file byte for byte (report.html but for the rows of its\n"
             "command and start time; run.json's entries that the command decides; pictures only\n"
             "when the same gnuplot drew them, others are listed as not compared, and charts that\n"
             "plot added later are drawn again). Exit status 0 when all are the same,\n"
             "1 with the files that differ and the likely reason (an input file changed since,\n"
             "another railmail version), 2 when there is no record.");
        return 0;
    }
    if (argc != 2)
        return say_error("verify: expected one results directory");
    catch_interrupts();  /* its scratch and temporaries go with it */
    struct diag *d = diag_create();
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    enum rm_status st = RM_OK;
    if (n <= 0)
        st = diag_fail(d, RM_ERUN, "verify: cannot find the railmail binary to run again: %s", strerror(errno));
    else
        self[n] = '\0';
    if (st == RM_OK)
        st = record_verify(argv[1], self, stdout, d);
    int rc = report_diag(d, st);
    diag_destroy(d);
    return rc;
}

static int cmd_report(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        puts("usage: railmail report RESULTS_DIR [--force]\n\n"
             "Writes RESULTS_DIR/report.html again from the results and run.json (which names the\n"
             "scenario, its --set overrides and proposals, loaded again for the input tables):\n"
             "one self-contained page with the charts inline, to read or print to PDF.\n"
             "Refused when an input file changed since the run (the page would show the new\n"
             "inputs beside the old results); --force writes it with a banner naming them.");
        return 0;
    }
    bool force = argc == 3 && (!strcmp(argv[1], "--force") || !strcmp(argv[2], "--force"));
    const char *dir = argc == 2 ? argv[1] : force ? argv[strcmp(argv[1], "--force") ? 1 : 2] : NULL;
    if (!dir)
        return say_error("report: expected one results directory (and --force)");
    if (!outdir_is_results(dir))  /* it writes there: only into what railmail wrote */
        return say_error("report: %s holds no results railmail wrote (no .railmail-results lists it); "
                         "not writing a report into it", dir);
    catch_interrupts();  /* its scratch and temporaries go with it */
    struct diag *d = diag_create();
    struct strbuf changed = {0}, banner = {0};
    size_t n_changed = 0;
    enum rm_status st = record_changed_inputs(dir, &changed, &n_changed, d);
    if (st == RM_OK && n_changed && !force)
        st = diag_error(d, NULL, "report: %s changed since the run, and the page would show %s beside the old "
                        "results; run again, or write the page anyway with --force (it then says so)",
                        strbuf_str(&changed), n_changed == 1 ? "it" : "them");
    if (st == RM_OK && n_changed)
        strbuf_printf(&banner, "Written again after the inputs changed: %s %s changed since the run, and the tables "
                      "of inputs show them as they are now, not as the run read them.", strbuf_str(&changed),
                      n_changed == 1 ? "has" : "have");
    if (st == RM_OK)
        st = changed.oom || banner.oom ? diag_fail(d, RM_ENOMEM, "out of memory")
                                       : html_write_banner(dir, n_changed ? strbuf_str(&banner) : NULL, d);
    strbuf_fini(&changed);
    strbuf_fini(&banner);
    const char *files[] = { RESULTS_REPORT_HTML };
    if (st == RM_OK)  /* the page belongs to the results, so the next run may replace it */
        st = outdir_adopt(dir, files, 1, d);
    int rc = report_diag(d, st);
    if (st == RM_OK)
        escape_line(stdout, "report: %s/" RESULTS_REPORT_HTML, dir);
    diag_destroy(d);
    return rc;
}

static int cmd_show(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--help")) {
        puts("usage: railmail show RESULTS_DIR VIEW [ARGS] [--option NAME] [--csv]\n\n"
             "Prints one answer read from the results, with its confidence intervals\n"
             "(simulates nothing). VIEW is one of:\n"
             "  pairs [--worst N | --best N] [--by METRIC]\n"
             "        the pairs sorted worst first by METRIC (default on_time_pct)\n"
             "  months METRIC@SCOPE\n"
             "        the metric month by month (batch metrics by month of posting)\n"
             "  when 'METRIC@SCOPE>X'   (also <, >=, <=)\n"
             "        the first month whose confidence interval lies beyond X, and the\n"
             "        month from which every later one does (sustained from), or never\n"
             "  budget [SCOPE]\n"
             "        where the time goes: the scope's door-to-door days (default all) in\n"
             "        segments (waits, queue, handling, moving by mode), largest first\n"
             "A comparison shows the baseline and each proposal in turn, a sweep each\n"
             "point; --option NAME (a proposal, baseline, point-NNN) shows one, as does\n"
             "RESULTS_DIR/NAME. --csv prints CSV for a machine.");
        return 0;
    }
    struct diag *d = diag_create();
    struct show_request q;
    enum rm_status st = show_parse(argc - 1, argv + 1, &q, d);
    if (st == RM_OK)
        st = show_print(&q, stdout, d);
    int rc = report_diag(d, st);
    diag_destroy(d);
    return rc;
}

static int cmd_complete(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--help")) {
        puts("usage: railmail complete -- WORDS...\n\n"
             "Prints what the shell may put in place of the last of WORDS (the words after\n"
             "railmail, the last one being completed, empty after a space), one per line:\n"
             "commands, options, metric names and scopes, --set and --vary keys and proposal\n"
             "names of the scenario on the line. A single line \":dirs\" asks for directory\n"
             "names instead. The bash completion calls it on every Tab.");
        return 0;
    }
    int skip = argc > 1 && !strcmp(argv[1], "--") ? 2 : 1;
    complete_words(argc - skip, (const char *const *)argv + skip, stdout);
    return 0;
}

static const char usage_calibrate[] =
    "usage: railmail calibrate SCENARIO EVENTS.csv [-o DIR] [--map CODES.csv] [--set F.ID.COL=V]\n\n"
    "Fits the scenario's legs to a post's tracking events (columns id,time,node,event,\n"
    "or railmail's own tracking log) and writes calibration.csv, the changed rows as a\n"
    "proposal in overlay/, and validation.csv: the scenario and the calibrated one\n"
    "simulated over the observed window and compared with the observed transit times\n"
    "pair by pair (two-sample Kolmogorov-Smirnov, Holm-corrected); run.json and\n"
    "report.html, so that railmail verify and report work on it as on any results.\n\n"
    "  -o, --out DIR          results directory (default results/<scenario>-calibration/)\n"
    "      --set F.ID.COL=V   override one cell of the scenario, as for run\n"
    "      --map CODES.csv    the post's office codes as node ids (columns code,node)\n"
    "  -q, --quiet            print only errors\n";

static int cmd_calibrate(int argc, char **argv)
{
    const char *sets[MAX_SETS], *out = NULL, *map = NULL, *operands[2];
    size_t n_sets = 0, n_ops = 0;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help")) {
            fputs(usage_calibrate, stdout);
            return 0;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
            continue;
        }
        if ((!strcmp(a, "-o") || !strcmp(a, "--out") || !strcmp(a, "--set") || !strcmp(a, "--map")) &&
            i + 1 < argc) {
            if (!strcmp(a, "--set")) {
                if (n_sets == MAX_SETS)
                    return say_error("calibrate: at most %d --set", MAX_SETS);
                sets[n_sets++] = argv[++i];
            } else if (!strcmp(a, "--map"))
                map = argv[++i];
            else
                out = argv[++i];
        } else if (!strcmp(a, "-o") || !strcmp(a, "--out") || !strcmp(a, "--set") || !strcmp(a, "--map"))
            return say_error("%s: expected a value", a);
        else if (a[0] == '-' && a[1])
            return say_error("calibrate: unknown option \"%s\"; see `railmail calibrate --help`", a);
        else if (n_ops == 2)
            return say_error("calibrate: expected a scenario and an events file, got \"%s\" too", a);
        else
            operands[n_ops++] = a;
    }
    if (n_ops != 2)
        return say_error("calibrate: expected a scenario and an events file; see `railmail calibrate --help`");
    catch_interrupts();
    struct diag *d = diag_create();
    struct strbuf summary = { 0 };
    char *def = NULL;
    if (!out) {  /* results/<scenario>-calibration, trailing slashes aside */
        size_t len = strlen(operands[0]);
        while (len > 1 && operands[0][len - 1] == '/')
            len--;
        size_t start = len;
        while (start > 0 && operands[0][start - 1] != '/')
            start--;
        size_t n = len - start + 32;
        if ((def = malloc(n)))
            snprintf(def, n, "results/%.*s-calibration", (int)(len - start), operands[0] + start);
        out = def;
    }
    struct record *rec = record_begin(argc + 1, argv - 1);
    struct calibrate_options co = { .scenario = operands[0], .events = operands[1], .map = map, .out = out,
                                    .sets = sets, .n_sets = n_sets, .record = rec };
    enum rm_status st = out && d && rec ? calibrate_run(&co, &summary, d) : RM_ENOMEM;
    record_destroy(rec);
    int rc = d ? report_diag(d, st) : say_error("out of memory");
    if (st == RM_OK && !quiet) {
        for (char *line = summary.s, *end; line && *line; line = end + 1) {  /* line by line, escaped */
            end = strchr(line, '\n');
            if (!end)
                end = line + strlen(line) - 1;
            *end = '\0';
            escape_line(stdout, "%s", line);
        }
        escape_line(stdout, "results: %s/", out);
    }
    strbuf_fini(&summary);
    free(def);
    diag_destroy(d);
    return rc;
}

int cli_main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        print_usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        puts("railmail " RAILMAIL_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare"))
        return cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "sweep"))
        return cmd_sweep(argc - 1, argv + 1);
    if (!strcmp(cmd, "optimise") || !strcmp(cmd, "optimize"))
        return cmd_optimise(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot"))
        return cmd_plot(argc - 1, argv + 1);
    if (!strcmp(cmd, "verify"))
        return cmd_verify(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "show"))
        return cmd_show(argc - 1, argv + 1);
    if (!strcmp(cmd, "calibrate"))
        return cmd_calibrate(argc - 1, argv + 1);
    if (!strcmp(cmd, "complete"))
        return cmd_complete(argc - 1, argv + 1);
    return say_error("unknown command \"%s\"; see `railmail --help`", cmd);
}
