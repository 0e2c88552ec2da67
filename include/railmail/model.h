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
/* A scope "common:NAME": every batch metric over the demand rows whose
 * pair ("O-D", node ids) is in `pairs`. Compare gives a proposal that does
 * not carry the baseline's pairs one over the pairs the two share, and the
 * baseline one per such proposal, named after it. */
struct model_common { const char *name; const char *const *pairs; size_t n_pairs; };
/* The same with those scopes (none: n_groups 0). */
struct model *model_create_common(const struct scenario *s, const struct model_common *groups, size_t n_groups);
void model_destroy(struct model *m);  /* NULL is a no-op */

/* The record: one value per (metric, scope) row of the catalogue
 * (metric.h), NaN where undefined, then the monthly rows: one per (month,
 * metric, scope) of every metric with METRIC_SCOPE_MONTH, the months of the
 * statistics window in order. A monthly row has its metric's name and
 * scope; model_row_month tells them apart (the summary and the replications'
 * files leave them out, the monthly file has them). */
size_t model_rows(const struct model *m);
const char *model_row_metric(const struct model *m, size_t row);
const char *model_row_scope(const struct model *m, size_t row);
/* The row of (metric, scope), e.g. (the train queue wait's name,
 * "node:BRS"), in constant time; SIZE_MAX when the model has none. */
size_t model_row(const struct model *m, const char *metric, const char *scope);
/* The calendar month (year * 12 + month - 1, calendar.h) of a monthly row;
 * -1 for every other row. */
int32_t model_row_month(const struct model *m, size_t row);
/* The row of (metric, scope) in `month`, SIZE_MAX when there is none. */
size_t model_row_in_month(const struct model *m, const char *metric, const char *scope, int32_t month);
/* The months of the statistics window: *first is the first (calendar.h). */
size_t model_months(const struct model *m, int32_t *first);

/* The time budget: every delivered batch's door-to-door time (posted
 * after the warm-up, as the transit metrics) in segments that add up to
 * it: origin_wait (posting to its first train's leaving), transfer_wait
 * (unloaded at a transfer to the next train's leaving), queue (its train
 * waiting for a server at a node), handling (its train's dwell at nodes
 * while it is aboard, the one where it is unloaded too), then moving_MODE
 * (in motion, by the leg's mode; "moving" for legs without one) for the
 * modes the mail services ride. Its rows follow the monthly ones: for each
 * scope (all, then the origin:, od: and path: scopes) one per segment, in
 * days per batch delivered, named segment and scope (model_row_metric,
 * model_row_scope). Returns the first; rows of no other view (the summary
 * and the comparison leave them out: model_row_budget). */
size_t model_budget(const struct model *m, size_t *segments, size_t *scopes);
bool model_row_budget(const struct model *m, size_t row);

/* Daily series: the network's two, then three groups: tonnes delivered per
 * destination (named after the delivered-tonnes metric, ":ID"), the backlog per node at the end of the
 * day ("backlog:ID": batches waiting for a train there, or aboard trains
 * queueing for a server or being handled there) and the mean wait of the trains that got a server
 * at a node that day in days ("train_wait_d:ID", NaN on a day without one). */
enum {
    MODEL_SERIES_DELIVERED_T,  /* tonnes delivered per day */
    MODEL_SERIES_BACKLOG,      /* the network's backlog at the end of the day */
    MODEL_SERIES_GROUPS        /* the first series of the first group */
};
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
enum rm_status model_record_init(const struct model *m, struct model_record *rec);
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
