#ifndef RAILMAIL_EVENTS_H
#define RAILMAIL_EVENTS_H
/* events: a post's tracking events read from CSV (id,time,node,event or
 * id,time_h,node,event, or railmail's own the tracking log) into rows sorted
 * by id and time, with every time in hours from the scenario's start_date
 * and every node an index into the scenario's nodes. */
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "railmail/csvread.h"
#include "railmail/diag.h"
#include "railmail/scenario.h"
#include "railmail/status.h"

/* The UPU codes railmail understands: posting, the first departure from
 * the office of exchange, a transit arrival and departure, a scan while
 * riding through, and the arrival at the inward office. */
enum events_code { EVENTS_EMA, EVENTS_EMC, EVENTS_EMK, EVENTS_SCAN, EVENTS_EMJ, EVENTS_EMD };

struct events_row {
    const char *id;   /* the id's text (the replication's in the tracking log form) */
    uint64_t batch;   /* the tracking log form: the batch; 0 otherwise */
    double time_h;    /* hours from the scenario's start_date */
    uint32_t run;     /* the tracking log form: the replication, whose trains are
                         others than another's at the same hours; 0 otherwise */
    uint32_t node;    /* index into the scenario's nodes */
    uint32_t line;    /* where the row was read, for messages */
    uint8_t code;     /* enum events_code */
};

/* Caller-owned storage: events_parse ... events_fini. */
struct events {
    struct events_row *rows;  /* sorted by id, then time, then file order */
    size_t n;
    const char *file;         /* names the data in messages (not copied) */
    struct csvread_table table;  /* holds the ids' texts */
};

/* A post's office codes and the scenario's nodes they stand for: a CSV
 * with the columns code,node (calibrate --map). Caller-owned storage:
 * events_map_parse ... events_map_fini. */
struct events_map {
    const char **code;   /* sorted, for bsearch; texts in the table */
    size_t *node;        /* [n]: the node of code[i] */
    size_t n;
    struct csvread_table table;
};
/* Every unknown node, duplicate code or missing column goes to `d` as
 * FILE:LINE:COL; the struct is valid in every case. */
enum rm_status events_map_parse(const char *file, const char *data, size_t len, const struct scenario *s,
                                struct events_map *out, struct diag *d);
void events_map_fini(struct events_map *m);

/* Reads `len` bytes of `data` (named `file` in messages) against scenario
 * s, a node being a node id or, when `map` is not NULL, a code of map. Every unknown node or event, malformed time or missing column is
 * added to `d` as FILE:LINE:COL; RM_EINPUT then. The struct is valid in
 * every case and must be passed to events_fini. */
enum rm_status events_parse(const char *file, const char *data, size_t len, const struct scenario *s,
                            const struct events_map *map, struct events *out, struct diag *d);
void events_fini(struct events *e);

/* Whether rows a and b belong to the same id. */
static inline int events_same_id(const struct events_row *a, const struct events_row *b)
{
    return a->batch == b->batch && (a->id == b->id || !strcmp(a->id, b->id));
}

/* "EMA", ..., "scan": the code's name in messages. */
const char *events_code_name(enum events_code c);

/* Hours from the date `start_day` (calendar.h) of an ISO 8601 date-time
 * "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or "+HH:MM"/"-HH:MM"
 * (a space may stand for the T); false when malformed. */
bool events_parse_time(const char *text, int32_t start_day, double *hours);
#endif /* RAILMAIL_EVENTS_H */
