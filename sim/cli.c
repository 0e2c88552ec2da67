/* cli: the command line. Parses options with getopt_long, runs a command,
 * prints results and every collected message, and maps statuses to exit
 * codes. The only module that prints or decides to exit. */
#include "railmail/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>

#include "railmail/compare.h"
#include "railmail/model.h"
#include "railmail/num.h"
#include "railmail/plot.h"
#include "railmail/report.h"
#include "railmail/run.h"
#include "railmail/scenario.h"

#define VERSION "0.1.0"
#define DEFAULT_SCENARIO "scenarios/china-europe-via-belarus"
#define MAX_SETS 256
#define MAX_PROPOSALS 64

enum { EXIT_RUN = 1, EXIT_USAGE = 2 };

struct opts {
    long replications, days, jobs;   /* -1: not given */
    unsigned long long seed;
    bool seed_given, batches, tracking, no_plot, quiet;
    const char *out;
    const char *sets[MAX_SETS];
    size_t n_sets;
    const char *metrics[32];
    size_t n_metrics;
};

static const char usage_main[] =
    "usage: railmail COMMAND [ARGS]\n"
    "\n"
    "  run      [SCENARIO] [options]     simulate, write results, draw charts\n"
    "  compare  SCENARIO [PROPOSAL...]   baseline against its proposals\n"
    "  validate SCENARIO...              check scenario files, simulate nothing\n"
    "  plot     RESULTS_DIR              redraw the charts of an earlier run\n"
    "\n"
    "SCENARIO defaults to " DEFAULT_SCENARIO ".\n"
    "`railmail COMMAND --help` describes a command; --version prints the version.\n";

static const char usage_run_opts[] =
    "  -r, --replications N   replications (default: the scenario's)\n"
    "  -s, --seed N           base seed (default: the scenario's)\n"
    "  -d, --days N           horizon in days (default: the scenario's)\n"
    "  -o, --out DIR          results directory (default results/<scenario>%s/)\n"
    "  -j, --jobs N           worker threads (default: all cores)\n"
    "      --set F.ID.COL=V   override one cell, e.g. services.CQ-BRS.departures_per_week=4\n"
    "      --batches          also write batches.csv (one row per batch)\n"
    "      --tracking         also write tracking.csv (one row per tracking event)\n"
    "      --no-plot          do not draw charts\n"
    "  -q, --quiet            print only errors\n";

/* A usage error: one line on stderr, exit status 2. */
static int say_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int say_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("railmail: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_USAGE;
}

/* Prints the collected warnings; they never change the exit status. */
static void report_warnings(const struct diag *d)
{
    for (size_t i = 0; i < diag_warning_count(d); i++)
        fprintf(stderr, "railmail: warning: %s\n", diag_warning(d, i));
}

/* Prints every collected message, errors first, and returns the exit
 * status for `st`. */
static int report_diag(struct diag *d, enum rm_status st)
{
    for (size_t i = 0; i < diag_count(d); i++)
        fprintf(stderr, "railmail: %s\n", diag_message(d, i));
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

/* Parses run/compare options; leaves optind at the first operand. */
static int parse_opts(int argc, char **argv, struct opts *o, bool compare, const char *cmd_usage)
{
    enum { O_SET = 256, O_BATCHES, O_TRACKING, O_NO_PLOT, O_HELP, O_METRIC };
    static const struct option longs[] = {
        { "replications", required_argument, 0, 'r' }, { "seed", required_argument, 0, 's' },
        { "days", required_argument, 0, 'd' },          { "out", required_argument, 0, 'o' },
        { "jobs", required_argument, 0, 'j' },          { "set", required_argument, 0, O_SET },
        { "batches", no_argument, 0, O_BATCHES },       { "tracking", no_argument, 0, O_TRACKING },
        { "no-plot", no_argument, 0, O_NO_PLOT },       { "quiet", no_argument, 0, 'q' },
        { "help", no_argument, 0, O_HELP },             { "metric", required_argument, 0, O_METRIC },
        { 0, 0, 0, 0 } };
    *o = (struct opts){ .replications = -1, .days = -1, .jobs = -1 };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":r:s:d:o:j:q", longs, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (!parse_count(optarg, SCENARIO_MAX_REPLICATIONS, &o->replications))
                return say_error("--replications: expected a whole number from 1 to %u, got \"%s\"",
                                 SCENARIO_MAX_REPLICATIONS, optarg);
            break;
        case 'd':
            if (!parse_count(optarg, SCENARIO_MAX_HORIZON_D, &o->days))
                return say_error("--days: expected a whole number from 1 to %u, got \"%s\"",
                                 SCENARIO_MAX_HORIZON_D, optarg);
            break;
        case 'j':
            if (!parse_count(optarg, 1024, &o->jobs))
                return say_error("--jobs: expected a whole number from 1 to 1024, got \"%s\"", optarg);
            break;
        case 's': {
            uint64_t seed;
            if (!num_parse_whole(optarg, &seed))
                return say_error("--seed: expected a whole number >= 0, got \"%s\"", optarg);
            o->seed = seed;
            o->seed_given = true;
            break;
        }
        case 'o': o->out = optarg; break;
        case 'q': o->quiet = true; break;
        case O_SET:
            if (o->n_sets == MAX_SETS)
                return say_error("--set: at most 256 overrides");
            o->sets[o->n_sets++] = optarg;
            break;
        case O_BATCHES: o->batches = true; break;
        case O_TRACKING: o->tracking = true; break;
        case O_NO_PLOT: o->no_plot = true; break;
        case O_METRIC:
            if (!compare)
                return say_error("--metric: only for compare");
            if (o->n_metrics < 32)
                o->metrics[o->n_metrics++] = optarg;
            break;
        case O_HELP:
            fputs(cmd_usage, stdout);
            printf(usage_run_opts, compare ? "-compare" : "");
            if (compare)
                puts("      --metric NAME      print only this metric (repeatable); the CSV has all");
            return -1;
        case ':':
            return say_error("%s: expected a value", argv[optind - 1]);
        default:
            return say_error("unknown option \"%s\"; see `railmail --help`", argv[optind - 1]);
        }
    }
    return 0;
}

/* Applies -r, -s, -d over the scenario's own values. */
static int apply_opts(struct scenario *s, const struct opts *o)
{
    if (o->replications > 0)
        s->replications = (unsigned)o->replications;
    if (o->seed_given)
        s->seed = o->seed;
    if (o->days > 0) {
        s->horizon_d = (double)o->days;
        if (s->warmup_d >= s->horizon_d) {
            return say_error("--days: expected more days than the warm-up (%g), got %ld", s->warmup_d, o->days);
        }
    }
    return 0;
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

static const char *const headline[] = {
    "delivered_batches", "in_flight_batches", "transit_mean_d", "transit_p50_d", "transit_p95_d",
    "on_time_pct", "throughput_t_per_d", "max_backlog_batches", "train_utilisation_pct",
    "tracking_gap_max_h", "cost_per_t" };

static void print_cell(double mean, double lo, double hi)
{
    printf("%12.2f", mean);
    if (!isnan(lo))
        printf("  [%.2f, %.2f]", lo, hi);
}

static void print_run_table(const struct scenario *s, const struct run_result *r, const char *out)
{
    printf("%s: %u replications of %g days (%g warm-up), seed %llu\n\n", scenario_basename(s), r->n,
           s->horizon_d, s->warmup_d, (unsigned long long)s->seed);
    printf("%-24s %12s  %.0f%% confidence interval\n", "metric (all batches)", "mean", 100 * s->confidence);
    for (size_t i = 0; i < sizeof headline / sizeof *headline; i++) {
        size_t row = run_find_row(r->model, headline[i], "all");
        const struct stats_summary *sm = &r->summary[row];
        if (sm->n == 0)
            continue;
        printf("%-24s ", headline[i]);
        print_cell(sm->mean, sm->ci_low, sm->ci_high);
        putchar('\n');
    }
    /* The busiest border or hub tells a planner where the queue is. */
    size_t worst = SIZE_MAX;
    double worst_wait = -1;
    for (size_t n = 0; n < s->n_nodes; n++) {
        char scope[300];
        snprintf(scope, sizeof scope, "node:%s", s->nodes[n].id);
        size_t row = run_find_row(r->model, "train_queue_wait_h", scope);
        if (row != SIZE_MAX && r->summary[row].n && r->summary[row].mean > worst_wait) {
            worst_wait = r->summary[row].mean;
            worst = n;
        }
    }
    if (worst != SIZE_MAX && worst_wait > 0)
        printf("\nlongest train queue: %s (%s), %.1f h on average before a server is free\n",
               s->nodes[worst].id, s->nodes[worst].name, worst_wait);
    printf("\nresults: %s/\n", out);
}

/* Draws the charts of a results directory; prints how when gnuplot is absent. */
static enum rm_status draw(const char *dir, const char *final_dir, struct diag *d)
{
    bool drawn = true;
    enum rm_status st = plot_results(dir, &drawn, d);
    if (st == RM_OK && !drawn)
        fprintf(stderr, "railmail: gnuplot not found; charts not drawn: install gnuplot, then run "
                        "`railmail plot %s`\n", final_dir);
    return st;
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
    const char *dir = optind < argc ? argv[optind] : DEFAULT_SCENARIO;
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    struct model *m = NULL;
    char *out = NULL, *tmp = NULL;
    struct run_result res = { 0 };
    bool have_res = false;
    enum rm_status st = scenario_load(dir, NULL, o.sets, o.n_sets, &s, d);
    if (st != RM_OK)
        goto done;
    if ((rc = apply_opts(s, &o)))
        goto done_rc;
    out = o.out ? strdup(o.out) : default_out(s, "");
    m = model_create(s);
    if (!out || !m) {
        st = diag_fail(d, RM_ENOMEM, "out of memory");
        goto done;
    }
    if ((st = report_begin(out, &tmp, d)) != RM_OK)
        goto done;
    struct progress p;
    clock_gettime(CLOCK_MONOTONIC, &p.start);
    p.shown = false;
    bool tty = !o.quiet && isatty(STDERR_FILENO);
    struct run_options ro = { s->replications, default_jobs(&o), o.batches, o.tracking,
                              tty ? show_progress : NULL, &p };
    st = run_replications(m, &ro, s->confidence, tmp, &res, d);
    end_progress(&p);
    have_res = st == RM_OK;
    if (st == RM_OK)
        st = report_run(tmp, s, &res, "run", NULL, d);
    if (st == RM_OK && !o.no_plot)
        st = draw(tmp, out, d);
    if (st == RM_OK)
        st = report_commit(tmp, out, d);
    if (st != RM_OK)
        report_discard(tmp);
    else if (!o.quiet)
        print_run_table(s, &res, out);
done:
    rc = report_diag(d, st);
done_rc:
    if (have_res)
        run_result_fini(&res);
    free(tmp);
    free(out);
    model_destroy(m);
    scenario_destroy(s);
    diag_destroy(d);
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
    printf("ok: %s — %zu nodes, %zu legs, %zu services, %zu demand pairs\n", scenario_basename(s),
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
            printf("ok: %s + %s\n", scenario_basename(s), names[i]);
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
    struct diag *d = diag_create();
    enum rm_status st = draw(argv[1], argv[1], d);
    int rc = report_diag(d, st);
    if (st == RM_OK)
        printf("charts: %s/\n", argv[1]);
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
                        "confidence intervals, p-values and Holm-corrected verdicts.\n\n");
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
        .replications = o.replications > 0 ? (unsigned)o.replications : 0,
        .days = o.days > 0 ? (double)o.days : 0,
        .seed = o.seed, .seed_given = o.seed_given,
        .jobs = default_jobs(&o),
        .batches = o.batches, .tracking = o.tracking,
    };
    struct diag *d = diag_create();
    struct compare_result *cr = NULL;
    struct progress p;
    clock_gettime(CLOCK_MONOTONIC, &p.start);
    p.shown = false;
    if (!o.quiet && isatty(STDERR_FILENO)) {
        q.progress = show_progress;
        q.progress_ctx = &p;
    }
    char *tmp = NULL;
    enum rm_status st = compare_prepare(&q, &cr, d);
    if (st == RM_OK)
        st = report_begin(o.out ? o.out : compare_default_out(cr), &tmp, d);
    if (st == RM_OK)
        st = compare_run(cr, tmp, d);
    end_progress(&p);
    const char *out = cr ? (o.out ? o.out : compare_default_out(cr)) : NULL;
    if (st == RM_OK && !o.no_plot)
        st = draw(tmp, out, d);
    if (st == RM_OK)
        st = report_commit(tmp, out, d);
    if (st != RM_OK && tmp)
        report_discard(tmp);
    if (st == RM_OK && !o.quiet) {
        compare_print(cr, stdout, o.metrics, o.n_metrics);
        printf("\nresults: %s/compare.csv and charts in %s/\n", out, out);
    }
    rc = report_diag(d, st);
    free(tmp);
    compare_destroy(cr);
    diag_destroy(d);
    return rc;
}

int cli_main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        puts("railmail " VERSION);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare"))
        return cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot"))
        return cmd_plot(argc - 1, argv + 1);
    return say_error("unknown command \"%s\"; see `railmail --help`", cmd);
}
