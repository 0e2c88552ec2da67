#ifndef RAILMAIL_EVENTLOG_H
#define RAILMAIL_EVENTLOG_H
/* eventlog: the logs a replication streams while it runs, one row per
 * train, per batch and per tracking event of a batch (the last two on
 * request). This module owns their file names, their columns and the text
 * of every row; the model only says what happened, where and when. The
 * scenario's node and service ids are quoted for CSV once, when the log is
 * made, so that rows written by the million never scan them. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "railmail/scenario.h"

/* The logs, in the order of struct model_sinks. */
enum eventlog_file { EVENTLOG_TRAINS, EVENTLOG_BATCHES, EVENTLOG_TRACKING, EVENTLOG_FILES };

/* The log's file name in a results directory. */
const char *eventlog_name(enum eventlog_file f);
/* The name without its ".csv", "trains": what run.c names a replication's
 * part file and a message after. */
const char *eventlog_stem(enum eventlog_file f);
/* The header row's column names joined by commas, for csvwrite_header. */
const char *eventlog_columns(enum eventlog_file f);

/* A tracking event, as the postal codes name them: posting (EMA), the
 * first departure (EMC) and one after a transfer (EMK), a scan while
 * riding through a node, a transfer (EMJ) and the delivery (EMD). */
enum eventlog_event {
    EVENTLOG_POSTED, EVENTLOG_DEPARTED, EVENTLOG_DEPARTED_AGAIN, EVENTLOG_SCANNED,
    EVENTLOG_TRANSFERRED, EVENTLOG_DELIVERED
};

struct eventlog;

/* NULL when out of memory. The scenario must outlive the log. */
struct eventlog *eventlog_create(const struct scenario *s);
void eventlog_destroy(struct eventlog *l);  /* NULL is a no-op */

/* A tracking event's row: batch `batch` of replication `replication` at
 * hour `time_h` at node `node`. */
void eventlog_event(const struct eventlog *l, FILE *f, unsigned replication, uint64_t batch, double time_h,
                    size_t node, enum eventlog_event ev);

/* A train's row; NaN arrived_h (still on the way at the horizon) and
 * max_load_pct (a service carrying no mail) are written as empty fields. */
struct eventlog_train {
    unsigned replication;
    size_t service;               /* index into the scenario's services */
    uint32_t number;              /* the service's departures counted from 0 */
    double departed_h, arrived_h, load_t, max_load_pct;
};
void eventlog_train(const struct eventlog *l, FILE *f, const struct eventlog_train *row);

/* A batch's row. NaN departed_h (never boarded) and delivered_h (still on
 * the way) are written as empty fields, the latter with its transit time.
 * The services ridden are indices into the scenario's: the first
 * n_services of them, then "..." if it rode more (more). */
struct eventlog_batch {
    unsigned replication;
    uint64_t batch;
    size_t origin, destination;   /* nodes */
    double kg, posted_h, departed_h, delivered_h;
    const uint16_t *services;
    unsigned n_services;
    bool more;
};
/* False when out of memory (a very long list of services). */
bool eventlog_batch(const struct eventlog *l, FILE *f, const struct eventlog_batch *row);
#endif /* RAILMAIL_EVENTLOG_H */
