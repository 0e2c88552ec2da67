#ifndef RAILMAIL_MODEL_H
#define RAILMAIL_MODEL_H
/* The rail-mail model. A model is built once from a scenario (routing and the
 * layout of a replication's record) and is then shared read-only by threads;
 * model_run simulates one replication, a pure function of (scenario, seed,
 * replication number), into a record that aggregation reads. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "railmail/diag.h"
#include "railmail/scenario.h"
#include "railmail/stats.h"

struct model;

/* NULL when out of memory. The scenario must outlive the model. */
struct model *model_create(const struct scenario *s);
void model_destroy(struct model *m);  /* NULL is a no-op */

/* The metric names any scenario can have, whatever its scopes. */
size_t model_metric_count(void);
const char *model_metric_name(size_t i);  /* i < model_metric_count() */
bool model_metric_known(const char *name);

/* The record: one value per (metric, scope) row, NaN where undefined. */
size_t model_rows(const struct model *m);
const char *model_row_metric(const struct model *m, size_t row);
const char *model_row_scope(const struct model *m, size_t row);

/* Daily series: series 0 is tonnes delivered per day, 1 batches waiting at
 * the end of the day, then three groups: tonnes delivered per destination
 * ("delivered_t:ID"), batches waiting per node at the end of the day
 * ("backlog:ID") and the mean wait of the trains that got a server at a
 * node that day in days ("train_wait_d:ID", NaN on a day without one). */
size_t model_days(const struct model *m);
size_t model_series(const struct model *m);
const char *model_series_name(const struct model *m, size_t i);

enum model_group { MODEL_DELIVERED_DEST, MODEL_BACKLOG_NODE, MODEL_TRAIN_WAIT_NODE };
/* The first series of a group; *count is its length. */
size_t model_group(const struct model *m, enum model_group g, size_t *count);

struct model_record {
    double *values;              /* [model_rows] */
    double *daily;               /* [model_days * model_series], day-major */
    struct stats_hist *transit;  /* door-to-door days, batches posted after warm-up */
};

/* Allocates / frees a record's arrays (the struct is the caller's); a
 * record is reused from one replication to the next after a clear. */
int model_record_init(const struct model *m, struct model_record *rec);
void model_record_clear(const struct model *m, struct model_record *rec);
void model_record_fini(struct model_record *rec);

/* Bytes one replication needs while it runs (its record, per-scope
 * histograms, and the batches in flight by Little's law with room to
 * spare): what a preflight check multiplies by the threads. */
size_t model_memory_estimate(const struct model *m);

/* Where a replication streams its rows; NULL streams are skipped. */
struct model_sinks {
    FILE *trains, *batches, *tracking;
    atomic_uint_fast64_t *days_done;  /* advanced once per simulated day */
};

/* Runs replication `replication` (numbered from 1). RM_ERUN with a message
 * in `d` if conservation of batches fails, RM_ENOMEM if memory runs out. */
enum rm_status model_run(const struct model *m, unsigned replication,
                         const struct model_sinks *sinks, struct model_record *rec,
                         struct diag *d);
#endif /* RAILMAIL_MODEL_H */
