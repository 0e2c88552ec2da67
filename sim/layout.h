#ifndef RAILMAIL_LAYOUT_H
#define RAILMAIL_LAYOUT_H
/* layout (internal to the model): which row of a replication's record holds
 * which (metric, scope), and the names of its daily series. Everything is
 * derived from the metric table (metric.h) and the scenario when the
 * model is made; a replication only writes values at the offsets given
 * here. Rows go by kind of scope (all, dest:ID, od:O-D, node:ID,
 * service:ID, origin:ID, path:A>B, common), each scope's rows in table
 * order, then the monthly rows. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "railmail/model.h"
#include "railmail/net.h"
#include "railmail/scenario.h"

/* A kind of batch scope whose scopes are unions of demand rows (origin:ID,
 * path:..., common:NAME, whose groups may overlap): each scope's rows listed in CSR form, so that the model sums
 * the od accumulators into it and the per-batch work stays that of all,
 * dest and od. */
struct layout_union {
    size_t n;                 /* scopes */
    size_t *of;               /* [n_demand]: demand row -> scope */
    size_t *start, *member;   /* scope g holds rows member[start[g] .. start[g+1]-1] */
    char **name;              /* [n]: the scope's id, e.g. a node id or "A>B" */
    size_t row;               /* the first record row of the kind */
};

/* The months of the statistics window and their rows: every month repeats
 * the summary rows whose metric has METRIC_SCOPE_MONTH at the all, origin,
 * od and node scopes, in record order (`stride` of them). */
struct layout_months {
    size_t n;                 /* months of the statistics window */
    int32_t first;            /* the first, as calendar_month gives it */
    int32_t *of_day;          /* [days]: day -> month slot, -1 before the window */
    double *window_d;         /* [n]: days of each month inside the window */
    size_t row, stride;       /* the first monthly row; rows per month */
    size_t *offset;           /* [row]: a summary row -> its offset in a month, SIZE_MAX if none */
    size_t *base;             /* [stride]: an offset -> its summary row */
};

/* The time budget: every batch's door-to-door time in segments that add
 * up to it, the waits first, then the time in motion by the mode of the
 * legs (only the modes the services ride). Its rows come after the monthly
 * ones, scope by scope (all, the origin:, od: and path: scopes), a row per
 * segment, named after the segment; they are in no summary or comparison. */
enum { LAYOUT_ORIGIN_WAIT, LAYOUT_TRANSFER_WAIT, LAYOUT_QUEUE, LAYOUT_HANDLING, LAYOUT_MOVING,
       LAYOUT_MAX_SEGMENTS = LAYOUT_MOVING + N_MODES };
struct layout_budget {
    size_t row, n_scopes, n_segments;
    char *segment[LAYOUT_MAX_SEGMENTS];
    uint8_t segment_of_mode[N_MODES];  /* a leg's mode -> its moving segment */
};

struct layout {
    const struct scenario *s;
    /* Destinations: the distinct ones of demand, numbered by slot in order
     * of first appearance (dest:ID rows, the delivered tonnes' :ID series). */
    size_t n_dest;
    size_t *dest_of_node;     /* node -> destination slot, SIZE_MAX if none */
    size_t *dest_node;        /* destination slot -> node */
    size_t rows, days, series;
    size_t row_dest, row_od, row_node, row_service;  /* the first row of each kind */
    const char **metric;      /* [rows]: names from the metric table */
    char **scope;             /* [rows] */
    size_t *index, index_mask;  /* (metric, scope) -> row, open addressing */
    char **series_name;       /* [series] */
    size_t dest_series;       /* the first of the delivered tonnes' :ID series */
    struct layout_union origin, path;
    struct layout_union common;  /* common:NAME, the pairs an arm shares with another; none outside compare */
    struct layout_months month;
    struct layout_budget budget;
};

/* Lays out the record of scenario s, routed by `net` (a demand row's
 * path:A>B is the services its batches ride), with a scope "common:NAME"
 * per group (model_create_common; none: no such scope). False when out of
 * memory; l is then to be cleared with layout_fini all the same. */
bool layout_init(struct layout *l, const struct scenario *s, const struct net *net,
                 const struct model_common *groups, size_t n_groups);
void layout_fini(struct layout *l);

/* As model_row, model_row_month, model_row_in_month and model_group. */
size_t layout_row(const struct layout *l, const char *metric, const char *scope);
int32_t layout_row_month(const struct layout *l, size_t row);
size_t layout_row_in_month(const struct layout *l, const char *metric, const char *scope, int32_t month);
size_t layout_group(const struct layout *l, enum model_group g, size_t *count);
/* Whether `row` is one of the time budget's. */
bool layout_row_budget(const struct layout *l, size_t row);
#endif /* RAILMAIL_LAYOUT_H */
