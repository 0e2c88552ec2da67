#ifndef RAILMAIL_SWEEP_H
#define RAILMAIL_SWEEP_H
/* Sweeps: a scenario run at every value of one parameter, or at every pair
 * of values of two (a grid), each point being the scenario with one more
 * --set per varied key. Every point runs the same seeds and per-source
 * streams (common random numbers), so neighbouring points are paired. With
 * a target, the least value of one ordered parameter at which a metric's
 * confidence bound is on the right side of a threshold is found by
 * bisection instead of running every value. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "railmail/diag.h"
#include "railmail/run.h"
#include "railmail/scenario.h"
#include "railmail/stats.h"

/* At most this many values in one --vary, and points in a grid. */
#define SWEEP_MAX_VALUES 1000
#define SWEEP_MAX_KEYS 2
#define SWEEP_MAX_PRECISION 16

/* The values of one --vary KEY=VALUES, in the order given. */
struct sweep_values {
    char *key;        /* a --set key, e.g. "services.CQ-MAL.departures_per_week" */
    char **text;      /* each value as it is --set: as typed in a list, %.15g in a range */
    double *value;    /* the same, as numbers */
    size_t n;
};

/* Parses "KEY=VALUES": a list "1,2,3,5,7", a range of whole numbers "A:B"
 * (A <= B) or "A:B:STEP" (STEP > 0; A, A+STEP, ... up to B). Values are
 * decimal numbers; a list may not repeat one. An error quotes the text and
 * says what was expected. Caller-owned storage: sweep_values_fini frees. */
enum rm_status sweep_values_parse(const char *text, struct sweep_values *out, struct diag *d);
void sweep_values_fini(struct sweep_values *v);

/* Moves the loader's messages from `from` into d, each once (every point
 * with a bad value says the same), a message about one of the n_keys
 * varied keys naming --vary instead of --set. RM_EINPUT when `from` held
 * an error. Sweep's and optimise's. */
enum rm_status sweep_take_messages(const struct sweep_values *keys, size_t n_keys, struct diag *from, struct diag *d);

/* A target "METRIC@SCOPE>=X" or "METRIC@SCOPE<=X"; SCOPE defaults to all. */
struct sweep_target {
    const char *metric;  /* the catalogue's name */
    char *scope;
    bool at_least;    /* >=: the lower bound must reach X; <=: the upper bound must stay at or below X */
    double threshold;
    bool every_month; /* in every posting month that begins after the warm-up, not over the year */
};

/* Checks the metric against the catalogue and the scope's kind against
 * the kinds the metric is reported at (metric.h); whether the id exists is
 * for sweep_prepare, which has the scenario. */
enum rm_status sweep_target_parse(const char *text, struct sweep_target *out, struct diag *d);
void sweep_target_fini(struct sweep_target *t);

/* Where a point's interval stands against the target. */
enum sweep_side {
    SWEEP_FAILS,      /* the whole interval is on the wrong side */
    SWEEP_UNDECIDED,  /* the interval contains the threshold (or there is none) */
    SWEEP_MEETS       /* the confidence bound is on the right side */
};
enum sweep_side sweep_side(const struct sweep_target *t, const struct stats_summary *s);

/* ---- the search, exposed for tests ---- */

/* Evaluates value i (from 0) of the ordered values and gives the target
 * row's summary there. */
typedef enum rm_status sweep_probe(void *ctx, size_t i, struct stats_summary *out, struct diag *d);

enum sweep_outcome {
    SWEEP_MET,        /* `answer` meets it and the value below it fails */
    SWEEP_BETWEEN,    /* `answer` meets it, but the value below it cannot be told apart */
    SWEEP_NONE        /* no value meets it */
};

struct sweep_search {
    enum sweep_outcome outcome;
    size_t answer;            /* index of the least value that meets it; SIZE_MAX for none */
    size_t below;             /* index of the value below the answer; SIZE_MAX for none */
    size_t closest;           /* for none: the largest value evaluated */
    size_t evaluated;         /* points probed */
    bool reversed;            /* the least value meets it but the largest does not */
};

/* Bisection over n ordered values, assuming that once the target is met it
 * stays met at every larger value: probes the largest value, then halves
 * the interval between the largest value known to fail (none at first)
 * and the least known to meet it. When even the largest fails, probes the
 * least too, so a parameter that works the other way is noticed. Each value
 * is probed at most once; about log2(n) + 1 probes in all. */
enum rm_status sweep_bisect(size_t n, const struct sweep_target *t, sweep_probe *probe, void *ctx,
                            struct sweep_search *out, struct diag *d);

/* ---- running a sweep ---- */

struct sweep_request {
    const char *scenario_dir;
    const char *proposal;           /* a name under proposals/, or NULL for the baseline */
    const char *const *sets;        /* --set overrides (and -r, -d, -s), applied at every point */
    size_t n_sets;
    const char *const *vary;        /* "KEY=VALUES", one or two */
    size_t n_vary;
    const char *target;             /* "METRIC@SCOPE>=X", or NULL */
    bool every_month;               /* the target in every posting month (--every-month) */
    unsigned jobs;
    bool batches, tracking;         /* each point's batch and tracking logs */
    void (*progress)(void *ctx, double done);
    void *progress_ctx;
};

struct sweep_result;

/* Parses --vary and --target and loads the scenario at every point,
 * reporting every problem (a key that is not a --set key, a value a column
 * refuses, an unknown scope) before anything is simulated. */
enum rm_status sweep_prepare(const struct sweep_request *q, struct sweep_result **out, struct diag *d);
/* Bytes the sweep needs at its peak: points run one after the other. */
size_t sweep_memory_estimate(const struct sweep_result *w);
/* The most replications any point ran (after sweep_run). */
unsigned sweep_replications(const struct sweep_result *w);
/* The first point's scenario (where --precision is checked). */
const struct scenario *sweep_scenario(const struct sweep_result *w);
/* Every point runs in rounds until these targets are met (see run.h); `p`
 * stays the caller's and gets the least precise point's figures. */
void sweep_set_precision(struct sweep_result *w, struct run_precision *p, size_t n, unsigned max_replications);
/* results/<scenario>-sweep */
const char *sweep_default_out(const struct sweep_result *w);
/* Runs the points (all of them, or those the target's search probes) and
 * writes the sweep's files (results.h; its target's with a target) into
 * `dir`, and each point's full results into
 * dir/point-NNN/. A target whose evaluated points contradict the
 * monotonicity it assumes adds a warning to `d`. Replications kept in
 * reuse_dir/point-NNN (earlier results of the same point: same inputs,
 * same version; NULL for none) are not run again. */
enum rm_status sweep_run(struct sweep_result *w, const char *dir, const char *reuse_dir, struct diag *d);
/* The files of a sweep's folder that gather its points' own: every row of
 * each point folder's summary and monthly files, after a column per key
 * with the point's values, in the order given. Built from the folders once
 * every point has run, so a study keeps no point's summaries in memory
 * (optimise's settings, or points run by other ranks). */
#define SWEEP_COLLECT_MAX_KEYS 4
struct sweep_collect {
    const char *dir;
    const struct sweep_values *key;
    size_t n_keys;
    size_t n;               /* points, in the files' order */
    /* point a's folder name and each key's value text */
    void (*point)(const void *ctx, size_t a, char *name, size_t len, const char **values);
    const void *ctx;
};
enum rm_status sweep_collect_files(const struct sweep_collect *c, struct diag *d);

/* Below this many replications the table prints n/a for the half-widths
 * (as compare does). */
#define SWEEP_MIN_REPLICATIONS 3

/* The table for people: a row per point evaluated, a column per headline
 * metric (or per name in `metrics` when n_metrics > 0) and the target's,
 * then the `target:` line. */
void sweep_print(const struct sweep_result *w, FILE *f, const char *const *metrics, size_t n_metrics);
/* The one line that answers the target, without a line end; "" without one. */
const char *sweep_target_line(const struct sweep_result *w);
void sweep_destroy(struct sweep_result *w);  /* NULL is a no-op */
#endif /* RAILMAIL_SWEEP_H */
