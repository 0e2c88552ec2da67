#ifndef RAILMAIL_RUN_H
#define RAILMAIL_RUN_H
/* Replications on worker threads. Each replication is a pure function of
 * (scenario, seed, replication) and streams its rows to its own part files;
 * records and part files are gathered in replication order, so the output
 * is the same byte for byte whatever the number of threads. */
#include <stdbool.h>
#include "railmail/diag.h"
#include "railmail/model.h"
#include "railmail/stats.h"

struct run_options {
    unsigned replications;
    unsigned jobs;               /* worker threads, >= 1 */
    bool batches, tracking;      /* write batches.csv, tracking.csv */
    /* Called from the calling thread about five times a second with the
     * share done (0..1); NULL for none. */
    void (*progress)(void *ctx, double done);
    void *progress_ctx;
};

/* What aggregation keeps of the replications: their rows, and the daily
 * series already reduced across replications, so memory grows with
 * replications only by one row of values each. */
struct run_result {
    const struct model *model;
    unsigned n;                     /* replications */
    double *values;                 /* [n * model_rows]: see run_value */
    struct stats_summary *summary;  /* [model_rows], across replications */
    uint64_t *transit;              /* [STATS_HIST_BINS]: door-to-door days, pooled */
    double *daily_mean;             /* [model_days * model_series], day-major: mean across replications */
    double *delivered_ci;           /* [model_days * 2]: t interval (low, high) of series 0, tonnes delivered */
    double *delivered_avg;          /* [model_days]: series 0 summed in replication order, divided by n */
};

/* Row `row` of replication `rep` (numbered from 0). */
static inline double run_value(const struct run_result *r, unsigned rep, size_t row)
{
    return r->values[(size_t)rep * model_rows(r->model) + row];
}

/* Bytes a run of `replications` on `jobs` threads needs at its peak;
 * *kept (when not NULL) gets the part its result keeps afterwards. */
size_t run_memory_estimate(const struct model *m, unsigned replications, unsigned jobs, size_t *kept);

/* Runs the replications, writing trains.csv (and batches.csv, tracking.csv
 * on request) into `dir`. On success fills `out`, to be freed with
 * run_result_fini. */
enum rm_status run_replications(const struct model *m, const struct run_options *o,
                                double confidence, const char *dir,
                                struct run_result *out, struct diag *d);
void run_result_fini(struct run_result *r);

#endif /* RAILMAIL_RUN_H */
