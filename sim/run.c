/* run: spreads replications over a pool of threads. A worker takes the next
 * replication number, simulates it into its own record and part files, and
 * the caller stitches the parts together in replication order. A worker
 * reuses one record: its daily series go to a file at the replication's own
 * offset and are reduced across replications at the end, block by block, so
 * memory does not grow with replications x days. */
#include "railmail/run.h"

#include "railmail/csvwrite.h"
#include "railmail/results.h"
#include "railmail/eventlog.h"
#include "railmail/metric.h"
#include "railmail/scenario.h"
#include "railmail/version.h"

#include <nettle/sha2.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The part files: the event logs, written per replication and stitched. */
enum { PART_TRAINS = EVENTLOG_TRAINS, PART_BATCHES = EVENTLOG_BATCHES, PART_TRACKING = EVENTLOG_TRACKING,
       N_PARTS = EVENTLOG_FILES };

/* A run in progress: replications 1..done are finished and kept; a round
 * hands out replications done+1..target to the workers. */
struct run {
    const struct model *m;
    struct run_options o;
    char *dir;
    pthread_mutex_t lock;
    pthread_cond_t finished_cond;   /* signalled when a replication of the round ends */
    unsigned done, target;
    unsigned first, step;           /* this process's share of the round: done+first, then every step-th */
    unsigned next;                  /* next of the share to hand out, from 0 */
    unsigned share, finished;       /* replications of the share, and how many have finished */
    enum rm_status *status;         /* [target - done]: this round's */
    struct diag **diags;            /* [target - done] */
    atomic_uint_fast64_t days_done;
    struct diag *warn;              /* the caller's, for reuse's warnings */
    int daily_fd;                   /* the daily series of every replication, in order */
    double *values;                 /* [cap * model_rows], replication-major */
    unsigned cap;
    uint64_t *transit;              /* [STATS_HIST_BINS], pooled */
    unsigned adopted;               /* replications 1..adopted came from adopted_dir */
    char *adopted_dir;
};

/* RESULTS_DAILY_FILE: every replication's daily series, at its own
 * offset, reduced across replications at the end and kept with the records
 * for reuse. RESULTS_RECORDS_FILE: what a later run needs to reuse these
 * replications: a header, each replication's values, the pooled transit
 * times. */
static const char records_magic[8] = "RMREC02\n";

/* `sum` covers what reuse adopts, so a damaged byte anywhere in it (the
 * values and pooled transit times after the header, the daily series,
 * the rows of the part files kept) makes the whole simulate again. */
struct records_header {
    char magic[8];
    unsigned char key[32];        /* run_key of the scenario that made them */
    uint64_t rows, series, days, replications, parts;  /* parts: a bit per part file kept */
    unsigned char sum[32];        /* SHA-256 of all that reuse adopts */
};
/* At most this much of it is read back at once. */
#define DAILY_BLOCK_BYTES (8u << 20)

static size_t daily_bytes(const struct model *m)
{
    return model_days(m) * model_series(m) * sizeof(double);
}

enum rm_status run_daily_series(const struct model *m, const char *dir, unsigned n, size_t series, double *out,
                                struct diag *d)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/" RESULTS_DAILY_FILE, dir);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return diag_fail(d, RM_EIO, "cannot read %s: %s", path, strerror(errno));
    size_t days = model_days(m), width = model_series(m);
    double *day = malloc(daily_bytes(m) + sizeof *day);
    enum rm_status st = day ? RM_OK : diag_fail(d, RM_ENOMEM, "out of memory");
    for (unsigned k = 0; st == RM_OK && k < n; k++) {
        if (pread(fd, day, daily_bytes(m), (off_t)k * (off_t)daily_bytes(m)) != (ssize_t)daily_bytes(m)) {
            st = diag_fail(d, RM_EIO, "cannot read back the daily series of replication %u from %s", k + 1, path);
            break;
        }
        for (size_t t = 0; t < days; t++)
            out[(size_t)k * days + t] = day[t * width + series];
    }
    free(day);
    close(fd);
    return st;
}

static bool part_wanted(const struct run_options *o, int p)
{
    return p == PART_TRAINS || (p == PART_BATCHES && o->batches) || (p == PART_TRACKING && o->tracking);
}

static void part_path(char *buf, size_t len, const char *dir, int p, unsigned rep)
{
    snprintf(buf, len, "%s/.%s.%u.part", dir, eventlog_stem(p), rep);
}

static enum rm_status open_parts(struct run *pl, unsigned i, FILE **f)
{
    for (int p = 0; p < N_PARTS; p++) {
        if (!part_wanted(&pl->o, p))
            continue;
        char path[4096];
        part_path(path, sizeof path, pl->dir, p, i + 1);
        if (!(f[p] = fopen(path, "w"))) {
            char why[128];  /* strerror is not thread-safe; workers run this */
            strerror_r(errno, why, sizeof why);
            return diag_fail(pl->diags[i - pl->done], RM_EIO, "cannot write %s: %s", path, why);
        }
        setvbuf(f[p], NULL, _IOFBF, 1 << 16);
    }
    return RM_OK;
}

static bool write_all(int fd, const void *data, size_t len, off_t at)
{
    for (const char *p = data; len > 0;) {
        ssize_t n = pwrite(fd, p, len, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n, len -= (size_t)n, at += n;
    }
    return true;
}

/* Keeps what aggregation needs of a finished replication: its values, its
 * daily series (to the file) and its transit times (pooled). */
static enum rm_status keep(struct run *pl, unsigned i, const struct model_record *rec)
{
    size_t rows = model_rows(pl->m);
    memcpy(pl->values + (size_t)i * rows, rec->values, rows * sizeof *rec->values);
    if (!write_all(pl->daily_fd, rec->daily, daily_bytes(pl->m), (off_t)i * (off_t)daily_bytes(pl->m)))
        return diag_fail(pl->diags[i - pl->done], RM_EIO, "cannot write the daily series of replication %u", i + 1);
    pthread_mutex_lock(&pl->lock);
    for (size_t b = 0; b < STATS_HIST_BINS; b++)
        pl->transit[b] += rec->transit->count[b];
    pthread_mutex_unlock(&pl->lock);
    return RM_OK;
}

/* One replication with its part files. */
static enum rm_status simulate(struct run *pl, unsigned i, struct model_record *rec)
{
    FILE *f[N_PARTS] = { 0 };
    struct diag *d = pl->diags[i - pl->done];
    enum rm_status st = open_parts(pl, i, f);
    struct model_sinks sinks = { f[PART_TRAINS], f[PART_BATCHES], f[PART_TRACKING], &pl->days_done };
    if (st == RM_OK) {
        model_record_clear(pl->m, rec);
        st = model_run(pl->m, i + 1, &sinks, rec, d);
    }
    for (int p = 0; p < N_PARTS; p++)
        if (f[p] && (ferror(f[p]) | fclose(f[p])) && st == RM_OK)
            st = diag_fail(d, RM_EIO, "cannot write the %s of replication %u", eventlog_stem(p), i + 1);
    if (st == RM_OK)
        st = keep(pl, i, rec);
    return st;
}

static void *worker(void *arg)
{
    struct run *pl = arg;
    struct model_record rec = { 0 };
    bool have_rec = model_record_init(pl->m, &rec) == RM_OK;
    for (;;) {
        pthread_mutex_lock(&pl->lock);
        unsigned k = pl->next++;
        pthread_mutex_unlock(&pl->lock);
        if (k >= pl->share)
            break;
        unsigned i = pl->done + pl->first + k * pl->step;
        pl->status[i - pl->done] = have_rec ? simulate(pl, i, &rec)
                                            : diag_fail(pl->diags[i - pl->done], RM_ENOMEM, "out of memory");
        pthread_mutex_lock(&pl->lock);
        pl->finished++;
        pthread_cond_signal(&pl->finished_cond);
        pthread_mutex_unlock(&pl->lock);
    }
    if (have_rec)
        model_record_fini(&rec);
    return NULL;
}

/* Copies an earlier results file without its header line: the rows of
 * the replications adopted, in order. */
static bool copy_body(const char *dir, const char *name, FILE *out)
{
    char path[4096], buf[1 << 16];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *in = fopen(path, "r");
    if (!in)
        return false;
    int c;
    while ((c = getc(in)) != EOF && c != '\n')
        ;
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, got, out);
    bool ok = !ferror(in);
    fclose(in);
    return ok;
}

/* Concatenates the part files of each kind, in replication order. */
static enum rm_status stitch(const struct run *pl, struct diag *d)
{
    char path[4096], part[4096];
    for (int p = 0; p < N_PARTS; p++) {
        if (!part_wanted(&pl->o, p))
            continue;
        snprintf(path, sizeof path, "%s/%s", pl->dir, eventlog_name(p));
        FILE *out = fopen(path, "w");
        if (!out)
            return diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
        csvwrite_header(out, eventlog_columns(p));
        if (pl->adopted && !copy_body(pl->adopted_dir, eventlog_name(p), out)) {
            fclose(out);
            return diag_fail(d, RM_EIO, "cannot read the earlier %s/%s", pl->adopted_dir, eventlog_name(p));
        }
        for (unsigned i = pl->adopted; i < pl->done; i++) {
            part_path(part, sizeof part, pl->dir, p, i + 1);
            FILE *in = fopen(part, "r");
            if (!in) {
                fclose(out);
                return diag_fail(d, RM_EIO, "cannot read %s: %s", part, strerror(errno));
            }
            char buf[1 << 16];
            size_t got;
            while ((got = fread(buf, 1, sizeof buf, in)) > 0)
                fwrite(buf, 1, got, out);
            fclose(in);
            remove(part);
        }
        if (ferror(out) | fclose(out))
            return diag_fail(d, RM_EIO, "cannot write %s", path);
    }
    return RM_OK;
}

/* Waits for the round to end, waking when a replication finishes (so a
 * short round costs no polling delay) or every 200 ms to show progress. */
static void wait_with_progress(struct run *pl)
{
    const struct run_options *o = &pl->o;
    double total = (double)pl->target * (double)model_days(pl->m) / pl->step;  /* this process's share */
    pthread_mutex_lock(&pl->lock);
    while (pl->finished < pl->share) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        if (pthread_cond_timedwait(&pl->finished_cond, &pl->lock, &until) != 0 && o->progress) {
            pthread_mutex_unlock(&pl->lock);
            o->progress(o->progress_ctx, (double)atomic_load(&pl->days_done) / total);
            pthread_mutex_lock(&pl->lock);
        }
    }
    pthread_mutex_unlock(&pl->lock);
}

static void summarise(struct run_result *res, double confidence)
{
    size_t rows = model_rows(res->model);
    for (size_t row = 0; row < rows; row++)
        stats_summarise(res->values + row, rows, res->n, confidence, &res->summary[row]);
}

/* Adds day `day` of series 0 (each replication's at `stride` from `x`) to
 * the week's totals, and at the week's last day reduces them across
 * replications into res->weekly. */
static void add_week(struct run_result *res, double *week, const double *x, size_t stride, size_t day, size_t days,
                     double confidence)
{
    for (unsigned i = 0; i < res->n; i++)
        week[i] += x[i * stride];
    if (day % 7 != 6 && day + 1 != days)
        return;
    struct stats_summary sm;
    stats_summarise(week, 1, res->n, confidence, &sm);
    double *w = &res->weekly[3 * (day / 7)];
    w[0] = sm.mean;
    w[1] = sm.ci_low;
    w[2] = sm.ci_high;
    memset(week, 0, res->n * sizeof *week);
}

/* Reduces the daily series across replications, a block of days at a time:
 * each replication's block is one contiguous read, and a cell's values lie
 * at a fixed stride in the buffer. */
static enum rm_status summarise_daily(const struct run *pl, struct run_result *res, double confidence,
                                      struct diag *d)
{
    size_t days = model_days(pl->m), series = model_series(pl->m), day_bytes = series * sizeof(double);
    size_t per_block = DAILY_BLOCK_BYTES / ((size_t)res->n * day_bytes);
    if (per_block < 1)
        per_block = 1;
    if (per_block > days)
        per_block = days;
    double *buf = malloc((size_t)res->n * per_block * day_bytes + 1);
    double *week = calloc((size_t)res->n + 1, sizeof *week);  /* each replication's tonnes this week */
    if (!buf || !week) {
        free(buf);
        free(week);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    for (size_t d0 = 0; d0 < days; d0 += per_block) {
        size_t nd = days - d0 < per_block ? days - d0 : per_block, stride = nd * series;
        for (unsigned i = 0; i < res->n; i++) {
            off_t at = (off_t)i * (off_t)daily_bytes(pl->m) + (off_t)(d0 * day_bytes);
            if (pread(pl->daily_fd, buf + i * stride, nd * day_bytes, at) != (ssize_t)(nd * day_bytes)) {
                free(buf);
                free(week);
                return diag_fail(d, RM_EIO, "cannot read back the daily series of replication %u", i + 1);
            }
        }
        for (size_t k = 0; k < nd; k++) {
            size_t day = d0 + k;
            for (size_t s = 0; s < series; s++) {
                struct stats_summary sm;
                stats_summarise(buf + k * series + s, stride, res->n, confidence, &sm);
                res->daily_mean[day * series + s] = sm.mean;
                if (s == 0) {
                    res->delivered_ci[2 * day] = sm.ci_low;
                    res->delivered_ci[2 * day + 1] = sm.ci_high;
                }
            }
            double sum = 0;
            for (unsigned i = 0; i < res->n; i++)
                sum += buf[i * stride + k * series];
            res->delivered_avg[day] = sum / res->n;
            add_week(res, week, buf + k * series, stride, day, days, confidence);
        }
    }
    free(buf);
    free(week);
    return RM_OK;
}

static bool alloc_result(struct run_result *r)
{
    const struct model *m = r->model;
    size_t days = model_days(m);
    r->summary = calloc(model_rows(m) + 1, sizeof *r->summary);
    r->daily_mean = calloc(days * model_series(m) + 1, sizeof *r->daily_mean);
    r->delivered_ci = calloc(2 * days + 1, sizeof *r->delivered_ci);
    r->delivered_avg = calloc(days + 1, sizeof *r->delivered_avg);
    r->weekly = calloc(3 * run_weeks(m) + 1, sizeof *r->weekly);
    return r->summary && r->daily_mean && r->delivered_ci && r->delivered_avg && r->weekly;
}

size_t run_memory_estimate(const struct model *m, unsigned replications, unsigned jobs, size_t *kept)
{
    if (jobs > replications)
        jobs = replications;
    size_t days = model_days(m);
    double keep = (double)replications * model_rows(m) * sizeof(double)
                  + (double)model_rows(m) * sizeof(struct stats_summary)
                  + (double)STATS_HIST_BINS * sizeof(uint64_t)
                  + (double)days * (model_series(m) + 3) * sizeof(double);
    double peak = keep + (double)DAILY_BLOCK_BYTES + (double)jobs * (model_memory_estimate(m) + (1 << 16) * N_PARTS);
    const double most = (double)(SIZE_MAX / 4);
    if (kept)
        *kept = keep < most ? (size_t)keep : SIZE_MAX / 4;
    return peak < most ? (size_t)peak : SIZE_MAX / 4;
}

enum rm_status run_begin(const struct model *m, const struct run_options *o, const char *dir, struct run **out,
                         struct diag *d)
{
    *out = NULL;
    struct run *r = calloc(1, sizeof *r);
    if (!r || !(r->dir = strdup(dir)) || !(r->transit = calloc(STATS_HIST_BINS, sizeof *r->transit))) {
        run_abort(r);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    r->m = m;
    r->o = *o;
    r->warn = d;
    r->daily_fd = -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/" RESULTS_DAILY_FILE, dir);
    r->daily_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0666);
    if (r->daily_fd < 0) {
        enum rm_status st = diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
        run_abort(r);
        return st;
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->finished_cond, NULL);
    atomic_init(&r->days_done, 0);
    *out = r;
    return RM_OK;
}

/* Room for the values of n replications. */
static bool reserve(struct run *r, unsigned n)
{
    if (n <= r->cap)
        return true;
    double *v = realloc(r->values, ((size_t)n * model_rows(r->m) + 1) * sizeof *v);
    if (!v)
        return false;
    r->values = v;
    r->cap = n;
    return true;
}

/* The share of replications done+1..target from done+first+1 on, every
 * step-th, runs on the pool; reports the first that failed, so the message
 * is the same whatever the threads did. */
enum rm_status run_local(struct run *r, unsigned first, unsigned step, unsigned *failed, struct diag *d)
{
    unsigned n = r->target - r->done, jobs = r->o.jobs < 1 ? 1 : r->o.jobs;
    *failed = UINT_MAX;
    r->first = first;
    r->step = step < 1 ? 1 : step;
    r->share = first < n ? (n - first + r->step - 1) / r->step : 0;
    if (r->share == 0)
        return RM_OK;
    if (jobs > r->share)
        jobs = r->share;
    r->status = calloc(n, sizeof *r->status);
    r->diags = calloc(n, sizeof *r->diags);
    pthread_t *tid = calloc(jobs, sizeof *tid);
    enum rm_status st = RM_OK;
    if (!r->status || !r->diags || !tid)
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    for (unsigned i = 0; st == RM_OK && i < n; i++)
        if (!(r->diags[i] = diag_create()))
            st = diag_fail(d, RM_ENOMEM, "out of memory");
    if (st == RM_OK) {
        r->next = 0;
        r->finished = 0;
        unsigned started = 0;
        while (started < jobs && pthread_create(&tid[started], NULL, worker, r) == 0)
            started++;
        if (started == 0) {
            worker(r);  /* no thread to be had: run here */
        } else {
            wait_with_progress(r);
            for (unsigned t = 0; t < started; t++)
                pthread_join(tid[t], NULL);
        }
        for (unsigned i = 0; i < n && st == RM_OK; i++)
            if (r->status[i] != RM_OK) {
                st = r->status[i];
                *failed = r->done + i;
                for (size_t k = 0; k < diag_count(r->diags[i]); k++)
                    diag_fail(d, st, "%s", diag_message(r->diags[i], k));
            }
    }
    if (r->diags)
        for (unsigned i = 0; i < n; i++)
            diag_destroy(r->diags[i]);
    free(r->diags);
    free(r->status);
    free(tid);
    r->diags = NULL;
    r->status = NULL;
    return st;
}

/* This process's threads run the whole round. */
static enum rm_status threads_round(struct run *r, struct diag *d)
{
    unsigned failed;
    return run_local(r, 0, 1, &failed, d);
}

static bool threads_aggregates(void)
{
    return true;
}

static unsigned threads_ranks(void)
{
    return 1;
}

enum rm_status run_setting_here(const struct run_settings *s, size_t i, const char *dir, const char *reuse,
                                struct diag *d)
{
    char name[256], sub[4096];
    s->name(s->ctx, i, name, sizeof name);
    snprintf(sub, sizeof sub, "%s/%s", dir, name);
    if (mkdir(sub, 0777) != 0)
        return diag_fail(d, RM_EIO, "cannot create %s: %s", sub, strerror(errno));
    return s->run(s->ctx, i, sub, reuse, d);
}

enum rm_status run_each_setting_here(const struct run_settings *s, const char *dir, const char *reuse_dir,
                                     struct diag *d)
{
    enum rm_status st = RM_OK;
    for (size_t i = 0; st == RM_OK && i < s->n; i++) {
        char name[256], old[4400];
        s->name(s->ctx, i, name, sizeof name);
        if (reuse_dir)
            snprintf(old, sizeof old, "%s/%s", reuse_dir, name);
        st = run_setting_here(s, i, dir, reuse_dir ? old : NULL, d);
    }
    return st;
}

static const struct run_executor threads_executor = { threads_round, run_adopt_here, threads_aggregates,
                                                      threads_ranks, run_each_setting_here };
static const struct run_executor *executor = &threads_executor;

void run_use_executor(const struct run_executor *e)
{
    executor = e ? e : &threads_executor;
}

unsigned run_ranks(void)
{
    return executor->ranks();
}

bool run_keeps_results(void)
{
    return executor->aggregates();
}

enum rm_status run_each_setting(const struct run_settings *s, const char *dir, const char *reuse_dir, struct diag *d)
{
    return executor->settings(s, dir, reuse_dir, d);
}

enum rm_status run_extend(struct run *r, unsigned n, struct diag *d)
{
    if (n <= r->done)
        return RM_OK;
    if (!reserve(r, n))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    r->target = n;
    enum rm_status st = executor->round(r, d);
    if (st == RM_OK)
        r->done = n;
    return st;
}

unsigned run_done(const struct run *r)
{
    return r->done;
}

const double *run_values(const struct run *r)
{
    return r->values;
}

void run_records_key(const unsigned char *scenario_key, uint32_t format, unsigned char key[32])
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, sizeof RAILMAIL_VERSION, (const uint8_t *)RAILMAIL_VERSION);
    sha256_update(&c, sizeof format, (const uint8_t *)&format);
    if (scenario_key)
        sha256_update(&c, 32, scenario_key);
    sha256_digest(&c, 32, key);
}

/* The key this run's records are kept under. */
static void records_key(const struct run *r, unsigned char key[32])
{
    run_records_key(r->o.key, RAILMAIL_RESULTS_FORMAT, key);
}

static uint64_t parts_of(const struct run_options *o)
{
    uint64_t parts = 0;
    for (int p = 0; p < N_PARTS; p++)
        parts |= (uint64_t)part_wanted(o, p) << p;
    return parts;
}

static struct records_header header_of(const struct run *r, unsigned n)
{
    struct records_header h = { .rows = model_rows(r->m), .series = model_series(r->m), .days = model_days(r->m),
                                .replications = n, .parts = parts_of(&r->o) };
    memcpy(h.magic, records_magic, sizeof h.magic);
    records_key(r, h.key);
    return h;
}

/* Adds the first `len` bytes of the file open at fd to c; false if it
 * holds fewer. */
static bool sum_fd(struct sha256_ctx *c, int fd, off_t len)
{
    char buf[1 << 16];
    for (off_t at = 0; at < len;) {
        size_t want = len - at < (off_t)sizeof buf ? (size_t)(len - at) : sizeof buf;
        ssize_t got = pread(fd, buf, want, at);
        if (got <= 0)
            return false;
        sha256_update(c, (size_t)got, (const uint8_t *)buf);
        at += got;
    }
    return true;
}

/* Adds the rows of dir/NAME (all but its header line) to c. */
static bool sum_body(struct sha256_ctx *c, const char *dir, const char *name)
{
    char path[4096], buf[1 << 16];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    bool header = true;
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0) {
        char *p = buf, *end = buf + got;
        if (header) {
            char *nl = memchr(buf, '\n', (size_t)got);
            if (!nl)
                continue;
            header = false;
            p = nl + 1;
        }
        sha256_update(c, (size_t)(end - p), (const uint8_t *)p);
    }
    close(fd);
    return got == 0;
}

/* The checksum of n replications' records as reuse adopts them: values
 * and transit times from memory, the daily series from the file open at
 * daily_fd, the rows of the part files in `parts` (a bit each) from `dir`. */
static bool records_sum(const struct run *r, unsigned n, const double *values, const uint64_t *transit, int daily_fd,
                        const char *dir, uint64_t parts, unsigned char sum[32])
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, (size_t)n * model_rows(r->m) * sizeof *values, (const uint8_t *)values);
    sha256_update(&c, STATS_HIST_BINS * sizeof *transit, (const uint8_t *)transit);
    bool ok = sum_fd(&c, daily_fd, (off_t)n * (off_t)daily_bytes(r->m));
    for (int p = 0; ok && p < N_PARTS; p++)
        if (parts >> p & 1)
            ok = sum_body(&c, dir, eventlog_name(p));
    sha256_digest(&c, 32, sum);
    return ok;
}

/* Keeps the replications' records beside the results, for a later run. */
static enum rm_status write_records(const struct run *r, struct diag *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/" RESULTS_RECORDS_FILE, r->dir);
    struct records_header h = header_of(r, r->done);
    if (!records_sum(r, r->done, r->values, r->transit, r->daily_fd, r->dir, h.parts, h.sum))
        return diag_fail(d, RM_EIO, "cannot read back the records of %s to checksum them", r->dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
    fwrite(&h, sizeof h, 1, f);
    fwrite(r->values, sizeof *r->values, (size_t)r->done * model_rows(r->m), f);
    fwrite(r->transit, sizeof *r->transit, STATS_HIST_BINS, f);
    if (ferror(f) | fclose(f))
        return diag_fail(d, RM_EIO, "cannot write %s", path);
    return RM_OK;
}

unsigned run_adopt(struct run *r, const char *dir, unsigned most)
{
    return r->done ? 0 : executor->adopt(r, dir, most);
}

unsigned run_adopt_here(struct run *r, const char *dir, unsigned most)
{
    char path[4096];
    if (r->done || !(r->adopted_dir = strdup(dir)))
        return 0;
    snprintf(path, sizeof path, "%s/" RESULTS_RECORDS_FILE, dir);
    FILE *f = fopen(path, "rb");
    struct records_header h, want = header_of(r, 0);
    if (!f)
        return 0;
    size_t rows = model_rows(r->m);
    bool ok = fread(&h, sizeof h, 1, f) == 1 && !memcmp(h.magic, want.magic, sizeof h.magic)
              && !memcmp(h.key, want.key, sizeof h.key) && h.rows == want.rows && h.series == want.series
              && h.days == want.days && (h.parts & want.parts) == want.parts && h.replications > 0
              && h.replications <= most && reserve(r, (unsigned)h.replications)
              && fread(r->values, sizeof *r->values, h.replications * rows, f) == h.replications * rows
              && fread(r->transit, sizeof *r->transit, STATS_HIST_BINS, f) == STATS_HIST_BINS;
    fclose(f);
    snprintf(path, sizeof path, "%s/" RESULTS_DAILY_FILE, dir);
    int fd = ok ? open(path, O_RDONLY) : -1;
    char buf[1 << 16];
    off_t at = 0, total = (off_t)h.replications * (off_t)daily_bytes(r->m);
    while (fd >= 0 && at < total) {
        ssize_t got = pread(fd, buf, sizeof buf, at);
        if (got <= 0 || !write_all(r->daily_fd, buf, (size_t)got, at))
            break;
        at += got;
    }
    if (fd >= 0)
        close(fd);
    unsigned char sum[32];
    if (ok && at == total && records_sum(r, (unsigned)h.replications, r->values, r->transit, r->daily_fd, dir, h.parts, sum)
        && !memcmp(sum, h.sum, sizeof sum))
        r->done = r->adopted = (unsigned)h.replications;
    else
        memset(r->transit, 0, STATS_HIST_BINS * sizeof *r->transit);
    if (ok && !r->adopted)
        diag_warn(r->warn, NULL, "the replications kept in %s do not match their checksum (a file was damaged or "
                  "edited since): simulating them again", dir);
    return r->adopted;
}

/* A replication's record as bytes: its values, its daily series, then for
 * each part file asked for its length (8 bytes) and its rows. */
static size_t record_head(const struct run *r)
{
    return model_rows(r->m) * sizeof(double) + daily_bytes(r->m);
}

enum rm_status run_export(struct run *r, unsigned i, char **data, size_t *len, struct diag *d)
{
    size_t head = record_head(r), total = head, size[N_PARTS] = { 0 };
    char path[4096];
    char *buf = NULL;
    *data = NULL;
    *len = 0;
    for (int p = 0; p < N_PARTS; p++) {
        if (!part_wanted(&r->o, p))
            continue;
        part_path(path, sizeof path, r->dir, p, i + 1);
        struct stat sb;
        if (stat(path, &sb) != 0)
            return diag_fail(d, RM_EIO, "cannot read %s: %s", path, strerror(errno));
        size[p] = (size_t)sb.st_size;
        total += sizeof(uint64_t) + size[p];
    }
    if (!(buf = malloc(total)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    memcpy(buf, r->values + (size_t)i * model_rows(r->m), model_rows(r->m) * sizeof(double));
    size_t at = model_rows(r->m) * sizeof(double);
    if (pread(r->daily_fd, buf + at, daily_bytes(r->m), (off_t)i * (off_t)daily_bytes(r->m))
        != (ssize_t)daily_bytes(r->m)) {
        free(buf);
        return diag_fail(d, RM_EIO, "cannot read back the daily series of replication %u", i + 1);
    }
    at = head;
    for (int p = 0; p < N_PARTS; p++) {
        if (!part_wanted(&r->o, p))
            continue;
        uint64_t n = size[p];
        memcpy(buf + at, &n, sizeof n);
        at += sizeof n;
        part_path(path, sizeof path, r->dir, p, i + 1);
        FILE *f = fopen(path, "rb");
        bool ok = f && fread(buf + at, 1, size[p], f) == size[p];
        if (f)
            fclose(f);
        if (!ok) {
            free(buf);
            return diag_fail(d, RM_EIO, "cannot read %s", path);
        }
        remove(path);
        at += size[p];
    }
    *data = buf;
    *len = total;
    return RM_OK;
}

enum rm_status run_import(struct run *r, unsigned i, const char *data, size_t len, struct diag *d)
{
    size_t head = record_head(r), vbytes = model_rows(r->m) * sizeof(double);
    if (len < head || i >= r->target)
        return diag_fail(d, RM_ERUN, "the record of replication %u arrived cut short", i + 1);
    memcpy(r->values + (size_t)i * model_rows(r->m), data, vbytes);
    if (!write_all(r->daily_fd, data + vbytes, daily_bytes(r->m), (off_t)i * (off_t)daily_bytes(r->m)))
        return diag_fail(d, RM_EIO, "cannot write the daily series of replication %u", i + 1);
    size_t at = head;
    for (int p = 0; p < N_PARTS; p++) {
        if (!part_wanted(&r->o, p))
            continue;
        uint64_t n;
        if (len - at < sizeof n)
            return diag_fail(d, RM_ERUN, "the record of replication %u arrived cut short", i + 1);
        memcpy(&n, data + at, sizeof n);
        at += sizeof n;
        if (len - at < n)
            return diag_fail(d, RM_ERUN, "the record of replication %u arrived cut short", i + 1);
        char path[4096];
        part_path(path, sizeof path, r->dir, p, i + 1);
        FILE *f = fopen(path, "wb");
        if (!f)
            return diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
        fwrite(data + at, 1, (size_t)n, f);
        if (ferror(f) | fclose(f))
            return diag_fail(d, RM_EIO, "cannot write %s", path);
        at += (size_t)n;
    }
    return RM_OK;
}

void run_span(const struct run *r, unsigned *from, unsigned *to)
{
    *from = r->done;
    *to = r->target;
}

double *run_row(struct run *r, unsigned i)
{
    return r->values + (size_t)i * model_rows(r->m);
}

uint64_t *run_transit(struct run *r)
{
    return r->transit;
}

bool run_set_adopted(struct run *r, unsigned n)
{
    if (r->done || !reserve(r, n))
        return false;
    r->done = r->adopted = n;
    return true;
}

const unsigned char *run_key(const struct run *r)
{
    return r->o.key;
}

const struct model *run_model(const struct run *r)
{
    return r->m;
}

enum rm_status run_finish(struct run *r, double confidence, struct run_result *out, struct diag *d)
{
    *out = (struct run_result){ .model = r->m, .n = r->done, .reused = r->adopted };
    enum rm_status st = alloc_result(out) ? RM_OK : diag_fail(d, RM_ENOMEM, "out of memory");
    bool aggregates = executor->aggregates();  /* false: these results are thrown away */
    if (st == RM_OK && aggregates)
        st = stitch(r, d);
    if (st == RM_OK && aggregates)
        st = write_records(r, d);
    if (st == RM_OK) {
        out->values = r->values;  /* handed over */
        out->transit = r->transit;
        r->values = NULL;
        r->transit = NULL;
        summarise(out, confidence);
        if (aggregates)
            st = summarise_daily(r, out, confidence, d);
    }
    if (st != RM_OK)
        run_result_fini(out);
    run_abort(r);
    return st;
}

void run_abort(struct run *r)
{
    if (!r)
        return;
    if (r->daily_fd >= 0) {
        close(r->daily_fd);
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->finished_cond);
    }
    free(r->values);
    free(r->transit);
    free(r->dir);
    free(r->adopted_dir);
    free(r);
}

unsigned run_next_round(unsigned first, unsigned done)
{
    unsigned grow = (done + 1) / 2 > first ? (done + 1) / 2 : first;
    return done + grow;
}

/* True when every target is met by the values of the first n replications. */
static bool precise_enough(const struct run *r, unsigned n, struct run_precision *p, size_t np, double confidence)
{
    bool all = true;
    size_t rows = model_rows(r->m);
    for (size_t k = 0; k < np; k++) {
        double mean, half = stats_half_width(r->values + p[k].row, rows, n, confidence, &mean);
        p[k].achieved = half;
        p[k].met = run_precision_met(&p[k], half, mean);
        all &= p[k].met;
    }
    return all;
}

bool run_precision_met(const struct run_precision *p, double half, double mean)
{
    double want = p->relative ? p->half * fabs(mean) / 100 : p->half;
    return isfinite(half) && half <= want;
}

/* Rounds until the targets are met; replications already done (adopted)
 * are not run again, but each round's check is made on the first n of them
 * as a fresh run would. Returns how many a fresh run would have run, which
 * is less than r->done only when more were adopted than it needs. */
static enum rm_status rounds(struct run *r, const struct run_options *o, double confidence, unsigned *stop,
                             struct diag *d)
{
    unsigned n = o->replications;
    for (;;) {
        enum rm_status st = run_extend(r, n, d);
        if (st != RM_OK)
            return st;
        /* the figures of every round are kept, the last one's reported */
        if (o->n_precision == 0 || precise_enough(r, n, o->precision, o->n_precision, confidence)
            || n >= o->max_replications)
            break;
        n = run_next_round(o->replications, n);
        if (n > o->max_replications)
            n = o->max_replications;
    }
    *stop = n;
    return RM_OK;
}

enum rm_status run_replications(const struct model *m, const struct run_options *o,
                                double confidence, const char *dir,
                                struct run_result *out, struct diag *d)
{
    struct run *r;
    *out = (struct run_result){ .model = m };
    for (int attempt = 0; attempt < 2; attempt++) {
        enum rm_status st = run_begin(m, o, dir, &r, d);
        if (st != RM_OK)
            return st;
        if (o->reuse_dir && attempt == 0)
            run_adopt(r, o->reuse_dir, o->n_precision ? o->max_replications : o->replications);
        unsigned stop = 0;
        st = rounds(r, o, confidence, &stop, d);
        if (st == RM_OK && stop < r->done) {  /* adopted more than a fresh run needs: start afresh */
            run_abort(r);
            continue;
        }
        if (st != RM_OK) {
            run_abort(r);
            return st;
        }
        st = run_finish(r, confidence, out, d);
        out->precision = o->precision;
        out->n_precision = o->n_precision;
        return st;
    }
    return diag_fail(d, RM_ERUN, "replications could not be reused or rerun");
}

void run_warn_undelivered(const struct run_result *r, const struct scenario *s, const char *who, struct diag *d)
{
    size_t left = model_row(r->model, metric_name(METRIC_IN_FLIGHT), "all");
    size_t posted = model_row(r->model, metric_name(METRIC_POSTED), "all");
    if (left == SIZE_MAX || posted == SIZE_MAX || !(r->summary[left].mean > 0))
        return;
    double mean = r->summary[left].mean, share = 100 * mean / r->summary[posted].mean;
    char batches[32];
    snprintf(batches, sizeof batches, mean >= 100 ? "%.0f" : "%.3g", mean);  /* 6920, 12.3, 0.05 */
    diag_warn(d, NULL, "%s%s%s batches a replication (%.3g %%) still undelivered %g days after the horizon "
              "(runout_d); counted late", who ? who : "", who ? ": " : "", batches, share, s->runout_d);
}

void run_result_fini(struct run_result *r)
{
    free(r->values);
    free(r->summary);
    free(r->transit);
    free(r->daily_mean);
    free(r->delivered_ci);
    free(r->delivered_avg);
    free(r->weekly);
    *r = (struct run_result){ .model = r->model, .n = r->n };
}
