#ifndef RAILMAIL_RUN_H
#define RAILMAIL_RUN_H
/* Replications on worker threads. Each replication is a pure function of
 * (scenario, seed, replication) and streams its rows to its own part files;
 * records and part files are gathered in replication order, so the output
 * is the same byte for byte whatever the number of threads. */
#include <stdbool.h>
#include <stdint.h>
#include "railmail/diag.h"
#include "railmail/model.h"
#include "railmail/stats.h"

/* A precision target for sequential replications: the half-width of the
 * confidence interval of (metric, scope) at most `half` (or `half` percent
 * of the mean when `relative`). */
struct run_precision {
    const char *metric, *scope;  /* as given */
    size_t row;                  /* model_row of them */
    double half;
    bool relative;
    double achieved;             /* set by the run: the half-width reached */
    bool met;
};

struct run_options {
    unsigned replications;       /* the first round (all of them without precision targets) */
    unsigned jobs;               /* worker threads, >= 1 */
    bool batches, tracking;      /* also write the batch and tracking logs (eventlog.h) */
    /* Sequential replications: rounds (see run_next_round) until every
     * target is met or max_replications have run; none: one round. */
    struct run_precision *precision;
    size_t n_precision;
    unsigned max_replications;
    /* Reuse: the replications kept in reuse_dir (earlier results of the
     * same scenario key and version; NULL for none) are not run again, and
     * the result is the same as a fresh run's. key: the scenario's. */
    const char *reuse_dir;
    const unsigned char *key;
    /* Called from the calling thread about five times a second with the
     * share done (0..1); NULL for none. */
    void (*progress)(void *ctx, double done);
    void *progress_ctx;
};

/* What aggregation keeps of the replications: their rows, and the daily
 * series already reduced across replications, so memory grows with
 * replications only by one row of values each. */
struct run_result {
    const struct model *model;
    unsigned n;                     /* replications */
    double *values;                 /* [n * model_rows]: see run_value */
    struct stats_summary *summary;  /* [model_rows], across replications */
    uint64_t *transit;              /* [STATS_HIST_BINS]: door-to-door days, pooled */
    double *daily_mean;             /* [model_days * model_series], day-major: mean across replications */
    double *delivered_ci;           /* [model_days * 2]: t interval (low, high) of series 0, tonnes delivered */
    double *delivered_avg;          /* [model_days]: series 0 summed in replication order, divided by n */
    /* Tonnes delivered per week (days 7w .. 7w+6; the last week may be
     * shorter): mean, t interval low and high across replications. */
    double *weekly;                 /* [run_weeks * 3] */
    const struct run_precision *precision;  /* the targets the replications were run for, or NULL */
    size_t n_precision;
    unsigned reused;                /* replications taken from the earlier results, not rerun */
};

/* Weeks of a model's days: days 7w .. 7w+6 make week w. */
static inline size_t run_weeks(const struct model *m)
{
    return (model_days(m) + 6) / 7;
}

/* Row `row` of replication `rep` (numbered from 0). */
static inline double run_value(const struct run_result *r, unsigned rep, size_t row)
{
    return r->values[(size_t)rep * model_rows(r->model) + row];
}

/* Series `series` of replications 1..n as the run that wrote `dir` kept
 * them in its daily file: out[k * model_days(m) + day] for replication
 * k + 1 (compare reads two arms' to pair them day by day). */
enum rm_status run_daily_series(const struct model *m, const char *dir, unsigned n, size_t series, double *out,
                                struct diag *d);

/* Bytes a run of `replications` on `jobs` threads needs at its peak;
 * *kept (when not NULL) gets the part its result keeps afterwards. */
size_t run_memory_estimate(const struct model *m, unsigned replications, unsigned jobs, size_t *kept);

/* Runs the replications (in rounds when there are precision targets),
 * writing the event logs (eventlog.h: the trains', and the batches' and
 * tracking events' on request) into `dir`.
 * On success fills `out`, to be freed with run_result_fini. */
enum rm_status run_replications(const struct model *m, const struct run_options *o,
                                double confidence, const char *dir,
                                struct run_result *out, struct diag *d);
void run_result_fini(struct run_result *r);

struct scenario;
/* A warning in d when mail posted in the window is still undelivered at
 * the end of the run-out (in_flight_batches at scope all above 0): how
 * much, per replication and as a share of the posted, counted late.
 * `who` (the arm or point, or NULL) heads it. */
void run_warn_undelivered(const struct run_result *r, const struct scenario *s, const char *who, struct diag *d);

/* The same in steps, for callers that decide between rounds (compare pairs
 * its arms' rounds): run_begin, run_extend to n replications done (again
 * and again), then run_finish, which writes the stitched files and fills
 * `out`, or run_abort. Replication i is the same whatever the rounds. */
struct run;
enum rm_status run_begin(const struct model *m, const struct run_options *o, const char *dir, struct run **out,
                         struct diag *d);
enum rm_status run_extend(struct run *r, unsigned n, struct diag *d);
unsigned run_done(const struct run *r);
const double *run_values(const struct run *r);  /* [run_done * model_rows], replication-major */
enum rm_status run_finish(struct run *r, double confidence, struct run_result *out, struct diag *d);
void run_abort(struct run *r);  /* NULL is a no-op */
/* Before the first run_extend: takes over the replications kept in `dir`
 * (earlier results) when they were made from the same scenario key by this
 * version with the same files asked for, at most `most` of them; returns
 * how many (0: nothing reusable there). */
unsigned run_adopt(struct run *r, const char *dir, unsigned most);

/* The key replications are kept under for reuse: the scenario's key (or
 * NULL), this version and the results `format` (RAILMAIL_RESULTS_FORMAT),
 * so that records of another model are never reused. */
void run_records_key(const unsigned char *scenario_key, uint32_t format, unsigned char key[32]);

/* Independent settings (a sweep's grid, optimise's wider search): setting
 * i runs whole into a folder of its own and keeps in memory what its
 * caller needs. An executor may run them anywhere (railmail-mpi spreads
 * them over ranks, each on its own threads); whatever it does, the
 * results directory ends with every folder as if they had run here one
 * after another, and rank 0's callbacks see run or load in setting order. */
struct run_settings {
    size_t n;
    void *ctx;
    /* The folder of setting i in the results directory ("point-001"). */
    void (*name)(void *ctx, size_t i, char *buf, size_t len);
    /* Runs setting i into `dir` (created, empty) on this process's
     * threads, reusing the replications kept in `reuse` (earlier results'
     * folder of the same name, possibly missing; NULL: none). Its warnings
     * go into d. */
    enum rm_status (*run)(void *ctx, size_t i, const char *dir, const char *reuse, struct diag *d);
    /* What run kept in memory for setting i, as bytes (malloc'ed) that
     * load, in another process of the same binary, takes instead of
     * running it: the folder's files have then been written already. */
    enum rm_status (*save)(void *ctx, size_t i, char **data, size_t *len, struct diag *d);
    enum rm_status (*load)(void *ctx, size_t i, const char *data, size_t len, struct diag *d);
    /* Every process loads every setting's state, not rank 0 alone: the
     * caller goes on deciding from them all (optimise's selection). */
    bool everywhere;
};

/* Runs settings 0..n-1 into dir/NAME, reusing reuse_dir/NAME (reuse_dir
 * NULL: nothing), and stops at the first that fails, as one process would. */
enum rm_status run_each_setting(const struct run_settings *s, const char *dir, const char *reuse_dir, struct diag *d);
/* For executors: setting i here, into dir/NAME (created here), reusing
 * the folder `reuse` (NULL: none). */
enum rm_status run_setting_here(const struct run_settings *s, size_t i, const char *dir, const char *reuse,
                                struct diag *d);

/* Where a round's replications run. The default executor runs them on
 * this process's threads; railmail-mpi's (mpi.c) spreads them over MPI
 * ranks. Whatever the executor, every process ends a round with the same
 * run_values, so every decision between rounds is the same everywhere. */
struct run_executor {
    /* Runs replications done+1..target (run_span) or fails. */
    enum rm_status (*round)(struct run *r, struct diag *d);
    /* run_adopt's work (run_adopt_here where the earlier results are). */
    unsigned (*adopt)(struct run *r, const char *dir, unsigned most);
    /* False where results are thrown away (an MPI rank other than 0):
     * run_finish then neither stitches part files nor reduces the daily
     * series, whose records it does not have. */
    bool (*aggregates)(void);
    unsigned (*ranks)(void);  /* for the run record */
    /* run_each_setting's work: run_each_setting_here runs them in order here. */
    enum rm_status (*settings)(const struct run_settings *s, const char *dir, const char *reuse_dir, struct diag *d);
};
void run_use_executor(const struct run_executor *e);  /* NULL: the threads of this process */
unsigned run_ranks(void);
/* Whether this process keeps the results (false on railmail-mpi's other
 * ranks, whose results directory is thrown away): files gathered from
 * the results directory are written only where they are kept. */
bool run_keeps_results(void);
enum rm_status run_each_setting_here(const struct run_settings *s, const char *dir, const char *reuse_dir,
                                     struct diag *d);

/* For executors. The round's replications, from..to-1 numbered from 0. */
void run_span(const struct run *r, unsigned *from, unsigned *to);
const struct model *run_model(const struct run *r);
const unsigned char *run_key(const struct run *r);  /* the scenario's, or NULL */
/* Runs this process's share of the round on its threads: replications
 * from+first, then every step-th; *failed gets the first that failed. */
enum rm_status run_local(struct run *r, unsigned first, unsigned step, unsigned *failed, struct diag *d);
/* Replication i's record as bytes (malloc'ed), for another process's
 * run_import; its part files here are removed. */
enum rm_status run_export(struct run *r, unsigned i, char **data, size_t *len, struct diag *d);
enum rm_status run_import(struct run *r, unsigned i, const char *data, size_t len, struct diag *d);
double *run_row(struct run *r, unsigned i);  /* replication i's values, [model_rows] */
uint64_t *run_transit(struct run *r);       /* the pooled transit times, [STATS_HIST_BINS] */
unsigned run_adopt_here(struct run *r, const char *dir, unsigned most);
/* Makes replications 1..n done (their rows to be filled by run_row) as
 * adopted elsewhere; false when out of memory or not at the start. */
bool run_set_adopted(struct run *r, unsigned n);

/* The replications after `done` when the first round was `first`: rounds
 * grow by half of what is done, and by at least the first round, so their
 * sizes depend on neither the threads nor the data. */
unsigned run_next_round(unsigned first, unsigned done);

bool run_precision_met(const struct run_precision *p, double half, double mean);

#endif /* RAILMAIL_RUN_H */
