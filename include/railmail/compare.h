#ifndef RAILMAIL_COMPARE_H
#define RAILMAIL_COMPARE_H
/* Proposals against their baseline. Every proposal runs with the baseline's
 * seeds and per-source streams (common random numbers), so differences are
 * paired replication by replication; verdicts use a paired t-test with
 * Holm's correction within each of one proposal's families (its headline
 * metrics; its existing pairs) and each metric's practical threshold. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "railmail/diag.h"
#include "railmail/metric.h"
#include "railmail/model.h"
#include "railmail/run.h"
#include "railmail/scenario.h"

struct compare_request {
    const char *scenario_dir;
    const char *const *proposals;   /* names under proposals/; none = all */
    size_t n_proposals;
    const char *const *sets;        /* --set overrides (and -r, -d, -s), applied to all */
    size_t n_sets;
    /* --what-if: the changes of one more option (scenario_load_adding),
     * named what_if_name (NULL: SCENARIO_WHAT_IF_NAME), after the named
     * proposals (none named: the baseline and it alone) */
    const char *const *what_if;
    size_t n_what_if;
    const char *what_if_name;
    const struct scenario_threshold *thresholds;  /* --threshold, over the scenario's */
    size_t n_thresholds;
    unsigned jobs;
    bool batches, tracking;         /* each arm's batch and tracking logs */
    void (*progress)(void *ctx, double done);
    void *progress_ctx;
};

struct compare_result;

/* Loads the baseline and every proposal, reporting all their problems. */
enum rm_status compare_prepare(const struct compare_request *q, struct compare_result **out,
                               struct diag *d);
/* Bytes the comparison needs at its peak (see run_memory_estimate). */
size_t compare_memory_estimate(const struct compare_result *c);
/* The arms (baseline first) and each arm's scenario, for the run record. */
size_t compare_arms(const struct compare_result *c);
const struct scenario *compare_arm_scenario(const struct compare_result *c, size_t i);
const char *compare_arm_name(const struct compare_result *c, size_t i);  /* the baseline's or the proposal's */
/* The replications every arm took over from earlier results (after compare_run). */
unsigned compare_reused(const struct compare_result *c);
/* The paired replications run (after compare_run). */
unsigned compare_replications(const struct compare_result *c);
/* The baseline's model, where --precision names its rows. */
const struct model *compare_baseline_model(const struct compare_result *c);
/* Sequential replications: all arms run in rounds of the same size (see
 * run_next_round) until the half-width of every target's paired
 * difference, for every proposal, is met (a relative target is a share of
 * the baseline mean), or max_replications ran. `p` stays the caller's. */
void compare_set_precision(struct compare_result *c, struct run_precision *p, size_t n, unsigned max_replications);
/* results/<scenario>-compare */
const char *compare_default_out(const struct compare_result *c);
/* Runs everything, writes the comparison's files (results.h) into `dir`,
 * and each run's own results into dir/baseline/ and dir/NAME/.
 * Replications kept in reuse_dir/NAME (earlier results of the same arm:
 * same inputs, same version; NULL for none) are not run again. */
enum rm_status compare_run(struct compare_result *c, const char *dir, const char *reuse_dir, struct diag *d);
/* Below this many paired replications the table prints n/a instead of an
 * interval and a verdict (the comparison's CSV keeps the numbers). */
#define COMPARE_MIN_REPLICATIONS 3

/* The table for people: a row per proposal, a column per headline metric
 * (or per name in `metrics` when n_metrics > 0). */
void compare_print(const struct compare_result *c, FILE *f, const char *const *metrics, size_t n_metrics);
void compare_destroy(struct compare_result *c);  /* NULL is a no-op */

/* The proposal directories of a scenario, sorted by name; each malloc'd. */
size_t compare_list_proposals(const char *scenario_dir, char **names, size_t max);

/* The verdict on a paired difference (stats_paired_test) whose Holm
 * decision (stats_holm) is `reject`, against the absolute practical
 * `threshold`: one of results.h's RESULTS_VERDICT_* words. */
const char *compare_verdict(enum metric_direction dir, double diff, double threshold, bool reject);

/* One headline row of a proposal, as the comparison's CSV holds it. */
struct compare_tradeoff_row {
    const char *metric;             /* a catalogue name */
    double diff, rel_pct;           /* proposal - baseline, and as % of the baseline */
    const char *verdict;            /* a RESULTS_VERDICT_* word */
};
/* The proposal's trade-off in plain words, appended to b: the headline
 * differences with a practical verdict, then what it costs and emits per
 * kg whatever their verdict (where rows for them are given), e.g.
 * "batches on time +11.5 points for +2.60 USD per kg (+54 %), CO2 unchanged". */
void compare_tradeoff(struct strbuf *b, const struct compare_tradeoff_row *rows, size_t n, const char *currency);
#endif /* RAILMAIL_COMPARE_H */
