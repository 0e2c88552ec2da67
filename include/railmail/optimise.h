#ifndef RAILMAIL_OPTIMISE_H
#define RAILMAIL_OPTIMISE_H
/* Optimisation: the setting of up to four --set keys (a grid, as sweep's
 * --vary gives it) with the best objective among those that meet every
 * constraint with confidence. A setting meets a constraint when the bound of
 * its interval is on the right side (as sweep's --target), each constraint
 * at confidence 1 - (1 - c) / k for k constraints (Bonferroni), so that all
 * hold together at the scenario's confidence c.
 *
 * Fewer settings than the grid are simulated by assuming that meeting the
 * constraints is monotone in every key: a setting at least as large as a
 * feasible one in every key is feasible, one at most as large as an
 * infeasible one is infeasible. The least feasible value of key 0 is
 * bisected for each combination of the other keys, and a setting whose
 * state the settings already run imply is not run. The objective is read at
 * every feasible setting run; when it gets worse into the feasible region
 * (a cost that rises with departures) the best lies on the frontier, which
 * the search runs whole. A setting implied is never run, so the settings
 * run cannot contradict each other in feasibility: the assumptions are
 * checked on their metrics instead (each constraint's metric paired
 * between settings ordered in every key, the objective between feasible
 * ones), and where one breaks, a warning and the wider search.
 *
 * The best of the feasible settings run is chosen by Kim and Nelson's
 * procedure (kn.h) on the objective's paired replications, the close ones
 * given more replications (their point folders run again, adopting their
 * own) until one is left: the best with the scenario's confidence when it
 * leads by the objective's practical threshold. Those within the threshold
 * of it are as good (equivalent). */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "railmail/diag.h"
#include "railmail/run.h"

#define OPTIMISE_MAX_KEYS 4
#define OPTIMISE_MAX_CONSTRAINTS 8
#define OPTIMISE_MAX_SETTINGS 100000
#define OPTIMISE_MAX_PRECISION 16

/* ---- the search, exposed for tests ---- */

/* What is known of a setting. */
enum optimise_state {
    OPTIMISE_UNKNOWN,
    OPTIMISE_FEASIBLE,    /* meets every constraint with confidence */
    OPTIMISE_INFEASIBLE   /* does not (fails or cannot tell) */
};

/* Simulates setting `i` (an index into the grid, key 0 slowest) and says
 * whether it is feasible. */
typedef enum rm_status optimise_probe(void *ctx, size_t i, bool *feasible, struct diag *d);

struct optimise_search {
    size_t n[OPTIMISE_MAX_KEYS];     /* values per key */
    size_t n_keys, settings;         /* settings: the grid's size */
    unsigned char *state;            /* [settings] enum optimise_state: run or implied */
    bool *ran;                       /* [settings] */
    size_t *order;                   /* the settings run, in the order run */
    size_t n_ran;
    size_t budget;                   /* most settings to run; 0: no limit */
    bool budget_hit;                 /* a setting was left unknown for the budget */
    bool widened;                    /* the frontier search was followed by a wider one */
    size_t lines_done;               /* lines of key 0 the frontier has searched, for progress */
};

/* Sets up the search of a grid of n[0] x ... values; RM_ENOMEM. */
enum rm_status optimise_search_init(struct optimise_search *s, const size_t *n, size_t n_keys, size_t budget);
void optimise_search_fini(struct optimise_search *s);
/* The values' indices of setting i, and back. */
void optimise_setting_at(const struct optimise_search *s, size_t i, size_t *at);
/* Finds the feasible frontier: for each combination of keys 1..n-1 in
 * turn, the least feasible value of key 0 by bisection, running only the
 * settings whose state the ones run do not imply. */
enum rm_status optimise_frontier(struct optimise_search *s, optimise_probe *probe, void *ctx, struct diag *d);
/* The wider search: runs every setting not run yet, or only those implied
 * feasible when `feasible_only`, up to the budget; the states of the rest
 * are what the ones run imply. */
enum rm_status optimise_widen(struct optimise_search *s, bool feasible_only, optimise_probe *probe, void *ctx,
                              struct diag *d);
/* The same in two halves, for a caller that runs the settings together
 * (spread over ranks): the settings it would run, in grid order and up to
 * the budget, into list[settings]; then, once run, their feasibility. */
size_t optimise_widen_list(struct optimise_search *s, bool feasible_only, size_t *list);
void optimise_widen_record(struct optimise_search *s, const size_t *list, size_t n, const bool *feasible);
/* Settings whose state is still unknown (left by the budget). */
size_t optimise_unknown(const struct optimise_search *s);

/* ---- running an optimisation ---- */

struct optimise_request {
    const char *scenario_dir;
    const char *proposal;           /* a name under proposals/, or NULL for the baseline */
    const char *const *sets;        /* --set overrides (and -r, -d, -s), applied at every setting */
    size_t n_sets;
    const char *const *vary;        /* "KEY=VALUES", one to four */
    size_t n_vary;
    const char *objective;          /* "METRIC@SCOPE" */
    bool maximise;
    const char *const *constraints; /* "METRIC@SCOPE>=X" or <= */
    size_t n_constraints;
    size_t budget;                  /* most settings simulated; 0: no limit */
    unsigned max_replications;      /* the most a contender gets in the selection (kn.h) */
    unsigned jobs;
    bool batches, tracking;
    /* Called as settings finish with the share of the frontier's lines
     * searched (0..1); NULL for none. */
    void (*progress)(void *ctx, double done);
    void *progress_ctx;
};

struct optimise_result;

/* Parses everything and loads the scenario at every value of every key
 * (the others at their first), reporting every problem before anything is
 * simulated. */
enum rm_status optimise_prepare(const struct optimise_request *q, struct optimise_result **out, struct diag *d);
/* Every setting's first stage runs in rounds until these targets are met
 * (see run.h), at most q->max_replications; `p` stays the caller's. The
 * selection's stages then add replications to the contenders. */
void optimise_set_precision(struct optimise_result *o, struct run_precision *p, size_t n);
/* results/<scenario>-optimise */
const char *optimise_default_out(const struct optimise_result *o);
/* The scenario at the grid's first setting. */
const struct scenario *optimise_scenario(const struct optimise_result *o);
/* Runs the search, writing each setting run into dir/point-NNN (numbered
 * in grid order, key 0 slowest, as a sweep's; replications kept in
 * reuse_dir/point-NNN are reused), then the files (results.h): a sweep's
 * summaries and months of the settings run, its list of points with their
 * feasibility and objective, the answer, the chart settings. */
enum rm_status optimise_run(struct optimise_result *o, const char *dir, const char *reuse_dir, struct diag *d);
/* Whether a feasible setting was found (after optimise_run). */
bool optimise_found(const struct optimise_result *o);
/* The most replications a setting ran. */
unsigned optimise_replications(const struct optimise_result *o);
/* The answer in plain words, several lines. */
void optimise_print(const struct optimise_result *o, FILE *f);
void optimise_destroy(struct optimise_result *o);  /* NULL is a no-op */
#endif /* RAILMAIL_OPTIMISE_H */
