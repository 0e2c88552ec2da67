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

struct run_result {
    const struct model *model;
    unsigned n;                     /* replications */
    struct model_record *rec;       /* [n], replication i + 1 in rec[i] */
    struct stats_summary *summary;  /* [model_rows], across replications */
};

/* Runs the replications, writing trains.csv (and batches.csv, tracking.csv
 * on request) into `dir`. On success fills `out`, to be freed with
 * run_result_fini. */
enum rm_status run_replications(const struct model *m, const struct run_options *o,
                                double confidence, const char *dir,
                                struct run_result *out, struct diag *d);
void run_result_fini(struct run_result *r);

/* Row of (metric, scope) in the model's record, or SIZE_MAX. */
size_t run_find_row(const struct model *m, const char *metric, const char *scope);
#endif /* RAILMAIL_RUN_H */
