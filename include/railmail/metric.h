#ifndef RAILMAIL_METRIC_H
#define RAILMAIL_METRIC_H
/* The metric catalogue: every metric railmail reports, with its name, unit,
 * better direction, kinds of scope and where it is shown, and the grammar of
 * scopes and of METRIC@SCOPE. It owns these words: every other module names
 * a metric by its enum and asks the catalogue for the text. */
#include <stdbool.h>
#include <stddef.h>
#include "railmail/diag.h"
#include "railmail/strbuf.h"

/* The catalogue's rows, in the order of a replication's record. Each group
 * of scopes is contiguous, as the record's layout needs (the model checks). */
enum metric_id {
    /* every batch scope: all, dest:, od:, origin:, path: and common */
    METRIC_POSTED, METRIC_DELIVERED, METRIC_IN_FLIGHT, METRIC_LOST, METRIC_DELIVERED_T,
    METRIC_TRANSIT_MEAN, METRIC_TRANSIT_P50, METRIC_TRANSIT_P90, METRIC_TRANSIT_P95, METRIC_TRANSIT_P99,
    METRIC_TRANSIT_MAX, METRIC_ON_TIME, METRIC_THROUGHPUT, METRIC_TRACKING_GAP, METRIC_TRACKING_PER_BATCH,
    METRIC_COST_TOTAL, METRIC_COST_PER_KG, METRIC_CO2_TOTAL, METRIC_CO2_PER_KG,
    /* the network only */
    METRIC_TRAIN_UTILISATION, METRIC_MAX_BACKLOG, METRIC_COST_PER_T, METRIC_SLOT_FILL, METRIC_ENGINE_EVENTS,
    METRIC_TRACKING_EVENTS,
    /* per node */
    METRIC_SERVER_UTILISATION, METRIC_TRAIN_QUEUE_WAIT, METRIC_NODE_BACKLOG, METRIC_TRAINS_HANDLED,
    /* per service; the last five share their names with batch metrics */
    METRIC_TRAINS, METRIC_TRAIN_TRANSIT, METRIC_LOAD,
    METRIC_SERVICE_COST_TOTAL, METRIC_SERVICE_COST_PER_KG, METRIC_SERVICE_SLOT_FILL,
    METRIC_SERVICE_CO2_TOTAL, METRIC_SERVICE_CO2_PER_KG,
    /* compare's own, per proposal that adds or changes disruptions (no
     * scope in a run: their rows are the comparison's, at "all") */
    METRIC_RECOVERY, METRIC_EXTRA_LATE, METRIC_EXTRA_LATE_T,
    METRIC_COUNT
};

/* Which way a metric is better, for compare's verdicts. */
enum metric_direction { METRIC_LOWER_BETTER, METRIC_HIGHER_BETTER, METRIC_NEUTRAL };

/* The kinds of scope a metric is reported at, as bits. */
enum {
    METRIC_SCOPE_ALL = 1, METRIC_SCOPE_DEST = 2, METRIC_SCOPE_OD = 4, METRIC_SCOPE_NODE = 8,
    METRIC_SCOPE_SERVICE = 16, METRIC_SCOPE_ORIGIN = 32, METRIC_SCOPE_PATH = 64,
    /* not a scope but a flag: the metric is also reported month by month,
     * at those of its scopes whose kind is in METRIC_SCOPE_MONTHLY
     * (batch metrics by month of posting; throughput, train waits and
     * backlogs by month of the event) */
    METRIC_SCOPE_MONTH = 128,
    /* in a comparison, a proposal that does not carry the baseline's pairs
     * is judged over the pairs the two share: "common:PROPOSAL" in each
     * arm's record, written "common" in the comparison's files */
    METRIC_SCOPE_COMMON = 256,
    /* the scopes of every batch metric */
    METRIC_SCOPE_BATCH = METRIC_SCOPE_ALL | METRIC_SCOPE_DEST | METRIC_SCOPE_OD | METRIC_SCOPE_ORIGIN
                         | METRIC_SCOPE_PATH | METRIC_SCOPE_COMMON,
    /* the kinds every run has (common exists only in a comparison) */
    METRIC_SCOPE_RUN = METRIC_SCOPE_ALL | METRIC_SCOPE_DEST | METRIC_SCOPE_OD | METRIC_SCOPE_NODE
                       | METRIC_SCOPE_SERVICE | METRIC_SCOPE_ORIGIN | METRIC_SCOPE_PATH,
    /* the kinds whose rows are repeated month by month */
    METRIC_SCOPE_MONTHLY = METRIC_SCOPE_ALL | METRIC_SCOPE_ORIGIN | METRIC_SCOPE_OD | METRIC_SCOPE_NODE
                           | METRIC_SCOPE_COMMON
};

/* One kind of scope. A scope's text is the prefix and an ID ("dest:BRS"),
 * or, where the prefix is empty, the kind's name alone ("all", "common").
 * origin:ID is the batches posted at a node, path:A>B the batches that ride
 * services A then B (routing fixes each demand row's). */
struct metric_scope_kind {
    const char *name;    /* as --help lists it: "all", "dest", ..., "month" */
    const char *prefix;  /* "dest:", ...; "" for all, month and common */
    const char *shape;   /* as messages show it: "dest:ID", "od:ORIGIN-DEST", ... */
};

/* The kind of bit `kind` (a METRIC_SCOPE_* bit); NULL for any other value,
 * so `for (unsigned k = 1; metric_scope_kind(k); k <<= 1)` visits them all. */
const struct metric_scope_kind *metric_scope_kind(unsigned kind);
/* The kind of a scope's text by its shape (whether the ID exists is the
 * model's question): "all", "common", or a prefix with an ID after it;
 * 0 when it has none of these shapes. */
unsigned metric_scope_of(const char *scope);
/* "all, dest:ID, od:ORIGIN-DEST": the shapes of the kinds in `scopes`, in
 * bit order (month, having no shape, left out). */
void metric_scopes_text(struct strbuf *b, unsigned scopes);

/* Flags of a metric: where compare shows it without --metric (its table,
 * its chart), and whether it judges an existing pair made worse. The
 * metrics of the headline table are the ones a proposal is judged on: one
 * Holm family per proposal (compare.c). */
enum { METRIC_HEADLINE_TABLE = 1, METRIC_HEADLINE_CHART = 2, METRIC_JUDGED_PER_PAIR = 4 };

/* A practical threshold (an indifference zone): a significant difference
 * no larger than it is "no practical difference". Absolute in the
 * metric's unit, or relative: `value` percent of the baseline's mean. */
struct metric_threshold {
    double value;                 /* >= 0; 0: any significant difference counts */
    bool relative;
};

/* One row of the catalogue. */
struct metric {
    const char *name;             /* as the result files write it */
    const char *unit;             /* "days", "%", "tonnes per day", ... */
    enum metric_direction direction;
    unsigned scopes;              /* METRIC_SCOPE_* */
    unsigned run_rank;            /* position in run's printed table, 0: not printed */
    unsigned flags;               /* METRIC_HEADLINE_*, METRIC_JUDGED_PER_PAIR */
    const char *label;            /* a few words for a chart, e.g. "mean transit time" */
    const char *description;      /* one sentence, for --help and the README */
    bool follows_demand;          /* more when more is posted: no better/worse when demand differs */
    struct metric_threshold threshold;  /* the default; scenario.csv and --threshold override it */
};

/* The row of `id`; NULL past the end. */
const struct metric *metric_get(enum metric_id id);
const char *metric_name(enum metric_id id);
/* The first row named `name`; NULL if unknown. */
const struct metric *metric_find(const char *name);
/* A metric reported both per batch scope and per service (the cost and the
 * carbon, the slot fill) has a row for each. The first row of a name
 * stands for it in lists; this is whether `mt` is that row. */
bool metric_is_first(const struct metric *mt);
/* The METRIC_SCOPE_* bits of every row named as `mt` is. */
unsigned metric_scopes(const struct metric *mt);
/* Whether the kind of `scope`'s text is one `mt` is reported at in a run
 * (whether the ID exists is the model's question). */
bool metric_has_scope(const struct metric *mt, const char *scope);
/* The metric at `rank` in run's printed table (1 first); NULL past the last. */
const struct metric *metric_ranked(unsigned rank);
/* Whether the unit is money, which prints in the scenario's currency. */
bool metric_is_money(const struct metric *mt);
/* The unit as printed: a cost's "currency" becomes the scenario's code
 * ("USD per kg"), written into buf; any other unit is returned as it is. */
const char *metric_unit(const struct metric *mt, const char *currency, char *buf, size_t size);

/* "WHAT: unknown metric \"NAME\"; the metrics are ...": every metric's
 * name once, in catalogue order. Returns RM_EINPUT. */
enum rm_status metric_unknown(struct diag *d, const char *what, const char *name);

/* A metric at a scope, as METRIC@SCOPE names it. */
struct metric_ref {
    const struct metric *metric;
    char *scope;                  /* malloc'd; "all" when the text names none */
};

/* Parses the `len` bytes at `text` as METRIC@SCOPE or METRIC (scope all),
 * each part trimmed of spaces and tabs, and finds the metric; messages
 * start with `what` ("--target"). Whether the metric has the scope is the
 * caller's question (metric_has_scope, or the model's rows). RM_EINPUT
 * with the list of metrics when the name is unknown, RM_ENOMEM. */
enum rm_status metric_ref_parse(const char *text, size_t len, const char *what, struct metric_ref *out,
                                struct diag *d);
void metric_ref_fini(struct metric_ref *r);

/* Parses a threshold: a number >= 0 in the metric's unit ("0.1") or a
 * percentage of the baseline's mean ("1%"). False when it is neither. */
bool metric_threshold_parse(const char *text, struct metric_threshold *out);
/* The threshold as written: "0.1" or "1%" (buf of at least 32 bytes). */
const char *metric_threshold_text(const struct metric_threshold *t, char *buf, size_t size);
/* The absolute threshold against a baseline mean. */
double metric_threshold_of(const struct metric_threshold *t, double baseline_mean);
#endif /* RAILMAIL_METRIC_H */
