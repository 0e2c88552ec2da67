/* run: spreads replications over a pool of threads. A worker takes the next
 * replication number, simulates it into its own record and part files, and
 * the caller stitches the parts together in replication order. */
#include "railmail/run.h"

#include "railmail/csvwrite.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PART_TRAINS, PART_BATCHES, PART_TRACKING, N_PARTS };
static const char *const part_name[N_PARTS] = { "trains", "batches", "tracking" };
static const char *const part_header[N_PARTS] = {
    "replication,service,train,departed_h,arrived_h,load_t,max_load_pct",
    "replication,batch,origin,destination,kg,posted_h,departed_h,delivered_h,transit_d,services",
    "replication,batch,time_h,node,event" };

struct pool {
    const struct model *m;
    const struct run_options *o;
    const char *dir;
    struct run_result *res;
    pthread_mutex_t lock;
    unsigned next;                  /* next replication to hand out, from 0 */
    unsigned finished;
    enum rm_status *status;         /* [n] */
    struct diag **diags;            /* [n] */
    atomic_uint_fast64_t days_done;
};

static bool part_wanted(const struct run_options *o, int p)
{
    return p == PART_TRAINS || (p == PART_BATCHES && o->batches) || (p == PART_TRACKING && o->tracking);
}

static void part_path(char *buf, size_t len, const char *dir, int p, unsigned rep)
{
    snprintf(buf, len, "%s/.%s.%u.part", dir, part_name[p], rep);
}

/* One replication with its part files; the status goes into the pool. */
static enum rm_status simulate(struct pool *pl, unsigned i)
{
    FILE *f[N_PARTS] = { 0 };
    enum rm_status st = RM_OK;
    struct diag *d = pl->diags[i];
    for (int p = 0; p < N_PARTS && st == RM_OK; p++) {
        if (!part_wanted(pl->o, p))
            continue;
        char path[4096];
        part_path(path, sizeof path, pl->dir, p, i + 1);
        f[p] = fopen(path, "w");
        if (!f[p]) {
            char why[128];  /* strerror is not thread-safe; workers run this */
            strerror_r(errno, why, sizeof why);
            st = diag_fail(d, RM_EIO, "cannot write %s: %s", path, why);
        }
        else
            setvbuf(f[p], NULL, _IOFBF, 1 << 16);
    }
    struct model_sinks sinks = { f[PART_TRAINS], f[PART_BATCHES], f[PART_TRACKING], &pl->days_done };
    if (st == RM_OK && model_record_init(pl->m, &pl->res->rec[i]) != 0)
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    if (st == RM_OK)
        st = model_run(pl->m, i + 1, &sinks, &pl->res->rec[i], d);
    for (int p = 0; p < N_PARTS; p++)
        if (f[p] && (ferror(f[p]) | fclose(f[p])) && st == RM_OK)
            st = diag_fail(d, RM_EIO, "cannot write the %s of replication %u", part_name[p], i + 1);
    return st;
}

static void *worker(void *arg)
{
    struct pool *pl = arg;
    for (;;) {
        pthread_mutex_lock(&pl->lock);
        unsigned i = pl->next++;
        pthread_mutex_unlock(&pl->lock);
        if (i >= pl->res->n)
            return NULL;
        pl->status[i] = simulate(pl, i);
        pthread_mutex_lock(&pl->lock);
        pl->finished++;
        pthread_mutex_unlock(&pl->lock);
    }
}

/* Concatenates the part files of each kind, in replication order. */
static enum rm_status stitch(const struct pool *pl, struct diag *d)
{
    char path[4096], part[4096];
    for (int p = 0; p < N_PARTS; p++) {
        if (!part_wanted(pl->o, p))
            continue;
        snprintf(path, sizeof path, "%s/%s.csv", pl->dir, part_name[p]);
        FILE *out = fopen(path, "w");
        if (!out)
            return diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
        csvwrite_header(out, part_header[p]);
        for (unsigned i = 0; i < pl->res->n; i++) {
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

static void wait_with_progress(struct pool *pl)
{
    const struct run_options *o = pl->o;
    double total = (double)pl->res->n * (double)model_days(pl->m);
    for (;;) {
        pthread_mutex_lock(&pl->lock);
        bool done = pl->finished == pl->res->n;
        pthread_mutex_unlock(&pl->lock);
        if (done)
            return;
        nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
        if (o->progress)
            o->progress(o->progress_ctx, (double)atomic_load(&pl->days_done) / total);
    }
}

static enum rm_status summarise(struct run_result *res, double confidence, struct diag *d)
{
    size_t rows = model_rows(res->model);
    double *col = malloc((res->n + 1) * sizeof *col);
    if (!col)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    for (size_t row = 0; row < rows; row++) {
        for (unsigned i = 0; i < res->n; i++)
            col[i] = res->rec[i].values[row];
        stats_summarise(col, 1, res->n, confidence, &res->summary[row]);
    }
    free(col);
    return RM_OK;
}

enum rm_status run_replications(const struct model *m, const struct run_options *o,
                                double confidence, const char *dir,
                                struct run_result *out, struct diag *d)
{
    unsigned n = o->replications, jobs = o->jobs < 1 ? 1 : o->jobs;
    if (jobs > n)
        jobs = n;
    *out = (struct run_result){ .model = m, .n = n };
    out->rec = calloc(n, sizeof *out->rec);
    out->summary = calloc(model_rows(m) + 1, sizeof *out->summary);
    struct pool pl = { .m = m, .o = o, .dir = dir, .res = out };
    pl.status = calloc(n, sizeof *pl.status);
    pl.diags = calloc(n, sizeof *pl.diags);
    pthread_t *tid = calloc(jobs, sizeof *tid);
    enum rm_status st = RM_OK;
    if (!out->rec || !out->summary || !pl.status || !pl.diags || !tid)
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    for (unsigned i = 0; st == RM_OK && i < n; i++)
        if (!(pl.diags[i] = diag_create()))
            st = diag_fail(d, RM_ENOMEM, "out of memory");
    unsigned started = 0;
    if (st == RM_OK) {
        pthread_mutex_init(&pl.lock, NULL);
        atomic_init(&pl.days_done, 0);
        while (started < jobs && pthread_create(&tid[started], NULL, worker, &pl) == 0)
            started++;
        if (started == 0) {
            worker(&pl);  /* no thread to be had: run here */
        } else {
            wait_with_progress(&pl);
            for (unsigned t = 0; t < started; t++)
                pthread_join(tid[t], NULL);
        }
        pthread_mutex_destroy(&pl.lock);
        /* Report the first failing replication, so the message is the same
         * whatever the threads did. */
        for (unsigned i = 0; i < n && st == RM_OK; i++)
            if (pl.status[i] != RM_OK) {
                st = pl.status[i];
                for (size_t k = 0; k < diag_count(pl.diags[i]); k++)
                    diag_fail(d, st, "%s", diag_message(pl.diags[i], k));
            }
    }
    if (st == RM_OK)
        st = stitch(&pl, d);
    if (st == RM_OK)
        st = summarise(out, confidence, d);
    if (pl.diags)
        for (unsigned i = 0; i < n; i++)
            diag_destroy(pl.diags[i]);
    free(pl.diags);
    free(pl.status);
    free(tid);
    if (st != RM_OK)
        run_result_fini(out);
    return st;
}

void run_result_fini(struct run_result *r)
{
    if (r->rec)
        for (unsigned i = 0; i < r->n; i++)
            model_record_fini(&r->rec[i]);
    free(r->rec);
    free(r->summary);
    r->rec = NULL;
    r->summary = NULL;
}

size_t run_find_row(const struct model *m, const char *metric, const char *scope)
{
    for (size_t row = 0; row < model_rows(m); row++)
        if (!strcmp(model_row_metric(m, row), metric) && !strcmp(model_row_scope(m, row), scope))
            return row;
    return SIZE_MAX;
}
