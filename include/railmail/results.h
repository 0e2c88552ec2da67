#ifndef RAILMAIL_RESULTS_H
#define RAILMAIL_RESULTS_H
/* What a results directory holds, for run, compare and sweep alike: the
 * names of its files and their columns, which kind of results has each,
 * which module writes it and which read it back (the schema); its charts
 * (the catalogue); and the loaders every reader goes through: the run
 * record and the CSVs. Writers and readers spell no file or chart name of
 * their own: they use these. A results folder may come from anyone, so the
 * loaders are where whatever is read back is checked. */
#include <stdbool.h>
#include <stddef.h>
#include "railmail/diag.h"
#include "railmail/status.h"
#include "railmail/table.h"

/* What made a results directory. The folder of each arm of a comparison
 * and of each point of a sweep is a run's. */
enum results_kind { RESULTS_RUN, RESULTS_COMPARE, RESULTS_SWEEP, RESULTS_CALIBRATE };
#define RESULTS_KINDS 4
#define RESULTS_IN(kind) (1u << (kind))  /* a set of kinds: RESULTS_IN(RESULTS_RUN) | ... */

/* "run", "compare", "sweep": the kind as meta.csv and run.json spell it. */
const char *results_kind_name(enum results_kind kind);
/* The kind named `text`; false when it names none. */
bool results_kind_parse(const char *text, enum results_kind *out);

/* ---------------------------------------------------------------- files */

/* A run's folder (also each arm of a comparison, each point of a sweep). */
#define RESULTS_SUMMARY_CSV "summary.csv"
#define RESULTS_MONTHLY_CSV "monthly.csv"
#define RESULTS_REPLICATIONS_CSV "replications.csv"
#define RESULTS_THROUGHPUT_CSV "throughput.csv"
#define RESULTS_THROUGHPUT_DEST_CSV "throughput_dest.csv"
#define RESULTS_THROUGHPUT_WEEKLY_CSV "throughput_weekly.csv"
#define RESULTS_BACKLOG_CSV "backlog.csv"
#define RESULTS_TRAIN_WAIT_CSV "train_wait.csv"
#define RESULTS_TRANSIT_CSV "transit.csv"
#define RESULTS_PAIRS_CSV "pairs.csv"
/* railmail calibrate's folder: the fits, the validation and the changed
 * rows as a proposal (a directory of scenario files). */
#define RESULTS_CALIBRATION_CSV "calibration.csv"
#define RESULTS_VALIDATION_CSV "validation.csv"
#define RESULTS_OVERLAY_DIR "overlay"
#define RESULTS_VALIDATION_CHART "validation"  /* .png and .gp, drawn by calibrate */
#define RESULTS_CALIBRATION_COLUMNS "file,row,column,current,fitted,fitted_mean,ci_low,ci_high,n,changed"
#define RESULTS_VALIDATION_COLUMNS                                                                                \
    "model,pair,n_observed,n_simulated,observed_mean_d,observed_mean_ci_low,observed_mean_ci_high,"               \
    "simulated_mean_d,simulated_mean_ci_low,simulated_mean_ci_high,observed_p50_d,observed_p50_ci_low,"          \
    "observed_p50_ci_high,simulated_p50_d,simulated_p50_ci_low,simulated_p50_ci_high,observed_p95_d,"            \
    "observed_p95_ci_low,observed_p95_ci_high,simulated_p95_d,simulated_p95_ci_low,simulated_p95_ci_high,"       \
    "ks_d,p_value,verdict"
#define RESULTS_BUDGET_CSV "budget.csv"
/* Every folder: the settings the charts need, as key,value rows. */
#define RESULTS_META_CSV "meta.csv"
/* A comparison's top folder. */
#define RESULTS_COMPARE_CSV "compare.csv"
#define RESULTS_COMPARE_MONTHLY_CSV "compare_monthly.csv"
#define RESULTS_COMPARE_THROUGHPUT_CSV "compare_throughput.csv"
/* The baseline's folder in a comparison, and its name in the comparison's
 * files; each proposal's folder is named as the proposal. */
#define RESULTS_BASELINE "baseline"
/* A sweep's top folder; each point's folder is named point-NNN. */
#define RESULTS_SWEEP_CSV "sweep.csv"
#define RESULTS_SWEEP_MONTHLY_CSV "sweep_monthly.csv"
#define RESULTS_POINTS_CSV "points.csv"
#define RESULTS_TARGET_CSV "target.csv"
/* An optimisation's top folder is a sweep's over the settings it ran, and
 * has its answer besides. */
#define RESULTS_OPTIMUM_CSV "optimum.csv"
/* The top folder of every kind: the run record and the page. */
#define RESULTS_RUN_JSON "run.json"
#define RESULTS_REPORT_HTML "report.html"
/* What a later run needs to reuse a run's replications (binary, hidden). */
#define RESULTS_RECORDS_FILE ".railmail-records"
#define RESULTS_DAILY_FILE ".railmail-daily"

/* Column names. */
#define RESULTS_COL_METRIC "metric"
#define RESULTS_COL_SCOPE "scope"
#define RESULTS_COL_MEAN "mean"
#define RESULTS_COL_CI_LOW "ci_low"
#define RESULTS_COL_CI_HIGH "ci_high"
#define RESULTS_COL_SD "sd"
#define RESULTS_COL_N "n"
#define RESULTS_COL_MONTH "month"
#define RESULTS_COL_REPLICATION "replication"
#define RESULTS_COL_VALUE "value"
#define RESULTS_COL_KEY "key"
#define RESULTS_COL_DAY "day"
#define RESULTS_COL_DATE "date"
#define RESULTS_COL_WEEK "week"
#define RESULTS_COL_DAYS "days"
#define RESULTS_COL_DELIVERED_T_MEAN "delivered_t_mean"
#define RESULTS_COL_DELIVERED_T_CI_LOW "delivered_t_ci_low"
#define RESULTS_COL_DELIVERED_T_CI_HIGH "delivered_t_ci_high"
#define RESULTS_COL_BACKLOG_BATCHES_MEAN "backlog_batches_mean"
#define RESULTS_COL_TRAIN_WAIT_D_MEAN "train_wait_d_mean"
#define RESULTS_COL_ORIGIN "origin"
#define RESULTS_COL_DESTINATION "destination"
#define RESULTS_COL_NODE "node"
#define RESULTS_COL_POSTED "posted"
#define RESULTS_COL_TRANSIT_D "transit_d"
#define RESULTS_COL_BATCHES_PCT "batches_pct"
#define RESULTS_COL_CUM_PCT "cum_pct"
#define RESULTS_COL_PROPOSAL "proposal"
#define RESULTS_COL_BASELINE_MEAN "baseline_mean"
#define RESULTS_COL_PROPOSAL_MEAN "proposal_mean"
#define RESULTS_COL_DIFF "diff"
#define RESULTS_COL_DIFF_CI_LOW "diff_ci_low"
#define RESULTS_COL_DIFF_CI_HIGH "diff_ci_high"
#define RESULTS_COL_REL_PCT "rel_pct"
#define RESULTS_COL_P_VALUE "p_value"
#define RESULTS_COL_THRESHOLD "threshold"
#define RESULTS_COL_VERDICT "verdict"
#define RESULTS_COL_POINT "point"
#define RESULTS_COL_SEGMENT "segment"
#define RESULTS_COL_ROLE "role"
#define RESULTS_COL_OPERATOR "operator"
#define RESULTS_COL_CONFIDENCE "confidence"
#define RESULTS_COL_FEASIBLE "feasible"
#define RESULTS_COL_OBJECTIVE "objective"
#define RESULTS_COL_REPLICATIONS "replications"
#define RESULTS_COL_SELECTION "selection"
/* pairs.csv gives each of its metrics' interval as METRIC then these. */
#define RESULTS_CI_LOW_SUFFIX "_ci_low"
#define RESULTS_CI_HIGH_SUFFIX "_ci_high"

/* Headers, as the writers write them (csvwrite_header). */
#define RESULTS_STATS_COLUMNS                                                                                      \
    RESULTS_COL_MEAN "," RESULTS_COL_CI_LOW "," RESULTS_COL_CI_HIGH "," RESULTS_COL_SD "," RESULTS_COL_N
#define RESULTS_SUMMARY_COLUMNS RESULTS_COL_METRIC "," RESULTS_COL_SCOPE "," RESULTS_STATS_COLUMNS
#define RESULTS_MONTHLY_COLUMNS RESULTS_COL_MONTH "," RESULTS_SUMMARY_COLUMNS
#define RESULTS_REPLICATIONS_COLUMNS                                                                               \
    RESULTS_COL_REPLICATION "," RESULTS_COL_METRIC "," RESULTS_COL_SCOPE "," RESULTS_COL_VALUE
#define RESULTS_DELIVERED_COLUMNS                                                                                  \
    RESULTS_COL_DELIVERED_T_MEAN "," RESULTS_COL_DELIVERED_T_CI_LOW "," RESULTS_COL_DELIVERED_T_CI_HIGH
#define RESULTS_THROUGHPUT_COLUMNS                                                                                 \
    RESULTS_COL_DAY "," RESULTS_COL_DATE "," RESULTS_DELIVERED_COLUMNS "," RESULTS_COL_BACKLOG_BATCHES_MEAN
#define RESULTS_THROUGHPUT_DEST_COLUMNS                                                                            \
    RESULTS_COL_DAY "," RESULTS_COL_DATE "," RESULTS_COL_DESTINATION "," RESULTS_COL_DELIVERED_T_MEAN
#define RESULTS_THROUGHPUT_WEEKLY_COLUMNS                                                                          \
    RESULTS_COL_WEEK "," RESULTS_COL_DATE "," RESULTS_COL_DAYS "," RESULTS_DELIVERED_COLUMNS
#define RESULTS_BACKLOG_COLUMNS                                                                                    \
    RESULTS_COL_DAY "," RESULTS_COL_DATE "," RESULTS_COL_NODE "," RESULTS_COL_BACKLOG_BATCHES_MEAN
#define RESULTS_TRAIN_WAIT_COLUMNS                                                                                 \
    RESULTS_COL_DAY "," RESULTS_COL_DATE "," RESULTS_COL_NODE "," RESULTS_COL_TRAIN_WAIT_D_MEAN
#define RESULTS_BUDGET_COLUMNS RESULTS_COL_SEGMENT "," RESULTS_COL_SCOPE "," RESULTS_STATS_COLUMNS
#define RESULTS_TRANSIT_COLUMNS RESULTS_COL_TRANSIT_D "," RESULTS_COL_BATCHES_PCT "," RESULTS_COL_CUM_PCT
/* then METRIC, METRIC_ci_low, METRIC_ci_high for each metric of a pair */
#define RESULTS_PAIRS_KEY_COLUMNS RESULTS_COL_ORIGIN "," RESULTS_COL_DESTINATION "," RESULTS_COL_POSTED
#define RESULTS_KEY_VALUE_COLUMNS RESULTS_COL_KEY "," RESULTS_COL_VALUE
#define RESULTS_COMPARE_STATS_COLUMNS                                                                              \
    RESULTS_COL_BASELINE_MEAN "," RESULTS_COL_PROPOSAL_MEAN "," RESULTS_COL_DIFF "," RESULTS_COL_DIFF_CI_LOW ","  \
    RESULTS_COL_DIFF_CI_HIGH "," RESULTS_COL_REL_PCT "," RESULTS_COL_P_VALUE "," RESULTS_COL_THRESHOLD ","        \
    RESULTS_COL_VERDICT
#define RESULTS_COMPARE_COLUMNS                                                                                    \
    RESULTS_COL_PROPOSAL "," RESULTS_COL_METRIC "," RESULTS_COL_SCOPE "," RESULTS_COMPARE_STATS_COLUMNS
#define RESULTS_COMPARE_MONTHLY_COLUMNS                                                                            \
    RESULTS_COL_PROPOSAL "," RESULTS_COL_MONTH "," RESULTS_COL_METRIC "," RESULTS_COL_SCOPE ","                  \
    RESULTS_COMPARE_STATS_COLUMNS
#define RESULTS_COMPARE_THROUGHPUT_COLUMNS                                                                         \
    RESULTS_COL_DAY "," RESULTS_COL_DATE "," RESULTS_COL_PROPOSAL "," RESULTS_COL_DELIVERED_T_MEAN

/* An optimisation's points.csv: after the point and its keys' values; the
 * selection says what the choice among the feasible settings made of it
 * (one of RESULTS_SELECTION_*, empty for a setting that was no contender). */
#define RESULTS_OPTIMISE_POINT_COLUMNS                                                                             \
    RESULTS_COL_FEASIBLE "," RESULTS_COL_OBJECTIVE "," RESULTS_COL_OBJECTIVE RESULTS_CI_LOW_SUFFIX ","             \
    RESULTS_COL_OBJECTIVE RESULTS_CI_HIGH_SUFFIX "," RESULTS_COL_REPLICATIONS "," RESULTS_COL_SELECTION
#define RESULTS_SELECTION_CHOSEN "chosen"
#define RESULTS_SELECTION_EQUIVALENT "equivalent"
#define RESULTS_SELECTION_ELIMINATED "eliminated"
#define RESULTS_SELECTION_DROPPED "dropped"
/* optimum.csv, after a column per key: a row per measure at a setting, the
 * role saying which setting (the optimum and its objective and
 * constraints, each equivalent's objective, or with none feasible the
 * closest); the operator is min or max for the objective. */
#define RESULTS_OPTIMUM_COLUMNS                                                                                    \
    RESULTS_COL_ROLE "," RESULTS_COL_METRIC "," RESULTS_COL_SCOPE "," RESULTS_COL_OPERATOR "," RESULTS_COL_THRESHOLD \
    "," RESULTS_STATS_COLUMNS_NO_SD
#define RESULTS_STATS_COLUMNS_NO_SD                                                                                \
    RESULTS_COL_MEAN "," RESULTS_COL_CI_LOW "," RESULTS_COL_CI_HIGH "," RESULTS_COL_CONFIDENCE "," RESULTS_COL_N
#define RESULTS_ROLE_OPTIMUM "optimum"
#define RESULTS_ROLE_EQUIVALENT "equivalent"
#define RESULTS_ROLE_CLOSEST "closest"

/* The words of compare's verdict column. A difference is judged when it is
 * significant after Holm's correction (else "no difference": the data
 * cannot tell) and larger than its metric's practical threshold (else "no
 * practical difference"); "higher" and "lower" where neither way is better. */
#define RESULTS_VERDICT_BETTER "better"
#define RESULTS_VERDICT_WORSE "worse"
#define RESULTS_VERDICT_NOT_PRACTICAL "no practical difference"
#define RESULTS_VERDICT_NONE "no difference"
#define RESULTS_VERDICT_HIGHER "higher"
#define RESULTS_VERDICT_LOWER "lower"

/* Keys of the run record: run.json's, and of meta.csv's key,value rows
 * those from RESULTS_KEY_KIND to RESULTS_KEY_TARGET. */
#define RESULTS_KEY_KIND "kind"
#define RESULTS_KEY_SCENARIO "scenario"
#define RESULTS_KEY_TITLE "title"
#define RESULTS_KEY_DESCRIPTION "description"
#define RESULTS_KEY_HORIZON_D "horizon_d"
#define RESULTS_KEY_WARMUP_D "warmup_d"
#define RESULTS_KEY_REPLICATIONS "replications"
#define RESULTS_KEY_SEED "seed"
#define RESULTS_KEY_CONFIDENCE "confidence"
#define RESULTS_KEY_SERVICE_STANDARD_D "service_standard_d"
#define RESULTS_KEY_RUNOUT_D "runout_d"
#define RESULTS_KEY_CURRENCY "currency"
/* meta.csv: the scenario's kind (scenario.csv's `kind`), one of these two;
 * absent in folders of earlier versions, which were all decisions */
#define RESULTS_KEY_SCENARIO_KIND "scenario_kind"
#define RESULTS_SCENARIO_DECISION "decision"
#define RESULTS_SCENARIO_FORECAST "forecast"
#define RESULTS_KEY_PROPOSALS "proposals"  /* meta.csv: "a;b;c" when that reads back exactly */
#define RESULTS_KEY_PROPOSAL "proposal"    /* meta.csv: one row per name otherwise */
#define RESULTS_KEY_WHAT_IF "what_if"      /* run.json: compare's --what-if changes */
#define RESULTS_KEY_WHAT_IF_NAME "what_if_name"  /* run.json: the option they build */
#define RESULTS_KEY_PRECISION "precision"
#define RESULTS_KEY_VARY "vary"
#define RESULTS_KEY_TARGET "target"
#define RESULTS_KEY_REPLICATIONS_CHOSEN "replications_chosen"
#define RESULTS_KEY_REPLICATIONS_REUSED "replications_reused"
#define RESULTS_KEY_SETS "sets"
#define RESULTS_KEY_THREADS "threads"
#define RESULTS_KEY_RANKS "ranks"
#define RESULTS_KEY_PLOT "plot"            /* "yes", or "no" after --no-plot */
#define RESULTS_KEY_GNUPLOT "gnuplot"      /* its version, which the charts' bytes depend on; null: none */
#define RESULTS_KEY_RAILMAIL "railmail"    /* an object: */
#define RESULTS_KEY_VERSION "version"
#define RESULTS_KEY_COMMIT "commit"
#define RESULTS_KEY_COMPILER "compiler"
#define RESULTS_KEY_FLAGS "flags"
#define RESULTS_KEY_COMMAND "command"
#define RESULTS_KEY_CWD "cwd"
#define RESULTS_KEY_HOST "host"
#define RESULTS_KEY_STARTED_UTC "started_utc"
#define RESULTS_KEY_FINISHED_UTC "finished_utc"
#define RESULTS_KEY_WALL_S "wall_s"
#define RESULTS_KEY_INPUTS "inputs"        /* a list of objects: */
#define RESULTS_KEY_PATH "path"
#define RESULTS_KEY_SHA256 "sha256"

/* One file of a results directory. */
struct results_file {
    const char *name;
    const char *columns;   /* its header; NULL: not a CSV */
    const char *varies;    /* what the header holds besides `columns` and where, or NULL */
    unsigned kinds;        /* RESULTS_IN the kinds whose folders hold it */
    const char *writer;    /* the module that writes it */
    const char *readers;   /* the modules that read it back ("" for none) */
    const char *what;      /* one line: what is in it */
};

/* The schema, in the order a run writes a folder; NULL past the end. */
const struct results_file *results_file(size_t i);
/* The file named `name`; NULL when the schema has none. */
const struct results_file *results_file_find(const char *name);
/* Whether `name` is taken in a comparison's folder by something railmail
 * writes there (a result file, a chart, run.json, report.html, its hidden
 * files), so that no proposal may be named so. */
bool results_name_taken(const char *name);

/* Reads the CSV `name` (one of the schema's) of `dir` into `t`, as
 * table_load: a missing file sets *found = false and is no error. Every
 * results CSV that is read back is read through here. */
enum rm_status results_load(struct table *t, const char *dir, const char *name, bool *found, struct diag *d);
/* The same, keeping only the rows whose column `col` holds `value`. */
enum rm_status results_load_where(struct table *t, const char *dir, const char *name, const char *col,
                                  const char *value, bool *found, struct diag *d);

/* ---------------------------------------------------------------- the run record */

/* One input file of a run and its SHA-256, as hex. */
struct results_input {
    const char *path, *sha256;
};

/* How a results directory was made, from run.json, and where run.json does
 * not say (or was not written yet: charts are drawn before it, and folders
 * of earlier versions and of each arm and point have none) from meta.csv.
 * A value run.json holds wins over meta.csv's. Texts and lists are NULL
 * when absent (a list then has n_ 0), numbers NaN. Caller-owned storage:
 * results_record_load ... results_record_fini. */
struct results_record {
    bool from_run_json, from_meta;  /* which files were found */
    bool has_kind;
    enum results_kind kind;
    const char *scenario_dir;       /* run.json: the scenario's directory as the command gave it */
    const char *scenario;           /* its last part, "china-europe-via-belarus" */
    const char *title;              /* the scenario's name (meta.csv) */
    bool forecast;                  /* meta.csv: a forecast ("what if"), not an option to adopt */
    double horizon_d, warmup_d, replications, confidence, service_standard_d, runout_d;
    const char *seed;
    const char *const *proposals;   /* a comparison's, in the order it ran them; a sweep's one */
    size_t n_proposals;
    const char *proposal;           /* run.json: the proposal a sweep varies */
    const char *const *sets;        /* run.json: the --set overrides */
    size_t n_sets;
    const char *const *vary;        /* run.json: a sweep's KEY=VALUES */
    size_t n_vary;
    const char *target;             /* run.json: a sweep's target */
    const char *const *what_if;     /* run.json: compare's --what-if changes */
    size_t n_what_if;
    const char *what_if_name;       /* run.json: the option they build, one of the proposals */
    bool no_plot;                   /* run.json: made with --no-plot */
    /* run.json: how to make it again */
    const char *const *command;
    size_t n_command;
    const char *cwd, *version, *commit, *started_utc, *replications_chosen;
    const char *gnuplot;          /* the version that drew the charts; NULL: none, or not recorded */
    const struct results_input *inputs;
    size_t n_inputs;
    struct results_store *store;    /* what the texts and lists live in */
};

/* Loads the record of `dir`: run.json and meta.csv, each when present.
 * Neither present is no error (from_run_json and from_meta are false).
 * A file that does not parse, a value of the wrong type, a run.json
 * without a known kind are input errors naming the file and the key. */
enum rm_status results_record_load(struct results_record *r, const char *dir, struct diag *d);
/* The same from run.json alone (verify, which compares meta.csv as a
 * result rather than reading it). */
enum rm_status results_record_load_json(struct results_record *r, const char *dir, struct diag *d);
void results_record_fini(struct results_record *r);

/* ---------------------------------------------------------------- a sweep's target */

/* The keys of target.csv. */
#define RESULTS_TARGET_PARAMETER "parameter"
#define RESULTS_TARGET_VALUE "value"
#define RESULTS_TARGET_MET "met"
#define RESULTS_TARGET_METRIC "metric"
#define RESULTS_TARGET_SCOPE "scope"
#define RESULTS_TARGET_OPERATOR "operator"
#define RESULTS_TARGET_THRESHOLD "threshold"
#define RESULTS_TARGET_BOUND "bound"
#define RESULTS_TARGET_BOUND_AT "bound_at"
#define RESULTS_TARGET_CONFIDENCE "confidence"
#define RESULTS_TARGET_OUTCOME "outcome"
#define RESULTS_TARGET_VALUE_BELOW "value_below"
#define RESULTS_TARGET_POINTS_EVALUATED "points_evaluated"
#define RESULTS_TARGET_POINTS "points"
#define RESULTS_TARGET_EVERY_MONTH "every_month"  /* "yes" with --every-month, else absent */
#define RESULTS_TARGET_BOUND_MONTH "bound_month"  /* then the month that binds at bound_at */

/* What target.csv says; a later row of a key wins. Texts are NULL when
 * absent, numbers NaN (an empty cell too). Caller-owned storage:
 * results_target_load ... results_target_fini. */
struct results_target {
    bool found;                 /* the file is there */
    const char *parameter;      /* the key searched */
    const char *value;          /* the least value that meets the target, "" when none does */
    const char *metric, *scope, *op;
    const char *threshold_text, *bound_text;
    double threshold, bound;    /* the bound of the interval at bound_at */
    const char *bound_at, *outcome, *value_below, *points_evaluated, *points;
    struct table t;             /* what the texts point into */
};

/* Reads dir's target.csv when there is one. A threshold that is not a
 * number is an input error at its cell; a bound that is not is NaN. */
enum rm_status results_target_load(struct results_target *g, const char *dir, struct diag *d);
void results_target_fini(struct results_target *g);

/* ---------------------------------------------------------------- an optimisation's answer */

/* meta.csv of an optimisation: each varied key's values (its grid), "1;2;3",
 * one row per key in the order of the `vary` rows. */
#define RESULTS_KEY_VARY_VALUES "vary_values"

#define RESULTS_OPTIMUM_MAX_KEYS 4
#define RESULTS_OPTIMUM_MAX_MEASURES 9  /* the objective and at most eight constraints */

/* What became of a setting run: the answer, as good as the answer, left
 * behind, or dropped (its constraints failed with more replications). */
enum results_selection {
    RESULTS_SEL_NONE, RESULTS_SEL_CHOSEN, RESULTS_SEL_EQUIVALENT, RESULTS_SEL_ELIMINATED, RESULTS_SEL_DROPPED
};

/* One setting run, from points.csv. */
struct results_optimum_point {
    const char *name;                        /* its folder, point-NNN */
    double value[RESULTS_OPTIMUM_MAX_KEYS];  /* each key's value */
    size_t at[RESULTS_OPTIMUM_MAX_KEYS];     /* each value's place in its key's grid, from 0 */
    bool feasible;                           /* meets every constraint with confidence */
    double objective, lo, hi;                /* lo, hi NaN without an interval */
    unsigned replications;                   /* 0: not recorded */
    /* points.csv's selection when it has one, else optimum.csv's roles
     * (CHOSEN for the optimum, EQUIVALENT; NONE for the rest) */
    enum results_selection selection;
};

/* One measure at the answer's setting, from optimum.csv. */
struct results_optimum_measure {
    const char *metric, *scope, *op;  /* op: min or max (the objective), >= or <= */
    double threshold, mean, lo, hi, confidence, n;
};

/* An optimisation's folder: its answer, the settings it ran and the grid
 * they lie in. Texts point into the tables. Caller-owned storage:
 * results_optimum_load ... results_optimum_fini. */
struct results_optimum {
    bool found;                  /* optimum.csv is there: an optimisation's folder */
    size_t n_keys;
    const char *key[RESULTS_OPTIMUM_MAX_KEYS];
    const double *grid[RESULTS_OPTIMUM_MAX_KEYS];  /* each key's values in increasing order */
    size_t n_grid[RESULTS_OPTIMUM_MAX_KEYS];
    bool grid_known;             /* from meta.csv; else only the values run are known */
    const char *currency;        /* meta.csv's, for a cost's unit; NULL when absent */
    size_t settings;             /* the grid's size, the product of n_grid */
    struct results_optimum_point *point;
    size_t n_points;
    size_t best;                 /* the point of the answer (optimum, or closest) */
    bool closest;                /* none meets every constraint: best is the closest */
    bool ranked;                 /* points.csv says each setting's selection */
    struct results_optimum_measure measure[RESULTS_OPTIMUM_MAX_MEASURES];  /* [0]: the objective */
    size_t n_measures;
    size_t n_equivalents;
    struct table points, optimum, meta;
    double *values;              /* what grid points into */
};

/* Reads dir's optimum.csv, points.csv and the grid of meta.csv (found
 * false, no error, when there is no optimum.csv). Every number, yes/no,
 * role, operator and selection is checked, and a mistake is an input error
 * at its file:line:col; nothing half-read is handed on. */
enum rm_status results_optimum_load(struct results_optimum *o, const char *dir, struct diag *d);
void results_optimum_fini(struct results_optimum *o);
/* Whether constraint m is met at the answer's setting (its interval's
 * bound on the right side of the threshold), not met (the whole interval
 * on the wrong side) or cannot be told: 1, -1, 0, as sweep judges. */
int results_optimum_met(const struct results_optimum_measure *m);

/* ---------------------------------------------------------------- charts */

/* The chart catalogue: name, the kinds whose folders have it, whether it
 * is one chart per chart-headline metric (NAME_METRIC), the function of
 * plot that draws it, the result files it reads besides the record, and
 * its caption in the report. One list, expanded by results.c into
 * results_chart() and by plot into its drawing table, in the order the
 * report shows them; draw functions find no input and draw nothing in a
 * folder of another kind. */
#define RESULTS_LIST(...) __VA_ARGS__
#define RESULTS_CHARTS(X)                                                                                          \
    X(COMPARE, "compare", RESULTS_IN(RESULTS_COMPARE), false, plot_chart_compare, (RESULTS_COMPARE_CSV),           \
      "Each proposal minus the baseline on the headline measures, with the confidence interval of the "           \
      "difference; colour gives the verdict.")                                                                    \
    X(COMPARE_THROUGHPUT, "compare_throughput", RESULTS_IN(RESULTS_COMPARE), false, plot_chart_compare_throughput, \
      (RESULTS_COMPARE_THROUGHPUT_CSV),                                                                           \
      "Mail delivered per day (7-day average, tonnes at the inward office of exchange, EMD) in the baseline and "  \
      "each proposal, on the same random numbers.")                                                               \
    X(OPTIMISE, "optimise", RESULTS_IN(RESULTS_SWEEP), false, plot_chart_optimise,                                  \
      (RESULTS_OPTIMUM_CSV, RESULTS_POINTS_CSV, RESULTS_META_CSV),                                                \
      "The objective at every setting the optimisation simulated, with its confidence interval: filled where the " \
      "setting meets every constraint with confidence, grey where it fails one or the replications cannot tell. " \
      "The star is the answer and the rings the settings as good as it, within the metric's practical threshold; " \
      "the key gives each constraint there. With two keys, a map of the grid whose blank cells were not "        \
      "simulated: the settings around them imply their answer, since more of each key makes the constraints "     \
      "easier. With three or four, the settings in order of the objective.")                                      \
    X(SWEEP_TARGET, "sweep_target", RESULTS_IN(RESULTS_SWEEP), false, plot_chart_sweep_target,                     \
      (RESULTS_SWEEP_CSV, RESULTS_TARGET_CSV),                                                                    \
      "The target's measure at every setting tried, with its confidence band and the target line: the answer is " \
      "the first setting whose band lies wholly on the right side.")                                              \
    X(SWEEP_METRIC, "sweep", RESULTS_IN(RESULTS_SWEEP), true, plot_chart_sweep_metrics,                            \
      (RESULTS_SWEEP_CSV, RESULTS_TARGET_CSV), "at every setting tried, with its confidence band.")               \
    X(THROUGHPUT, "throughput", RESULTS_IN(RESULTS_RUN), false, plot_chart_throughput,                             \
      (RESULTS_THROUGHPUT_CSV, RESULTS_THROUGHPUT_DEST_CSV, RESULTS_THROUGHPUT_WEEKLY_CSV),                       \
      "Mail delivered per week, in tonnes, for the largest destinations: delivered means handed over at the "     \
      "destination's inward office of exchange (EMD), not to the addressee. Look for weeks that fall short, "     \
      "which show when the service cannot keep up.")                                                              \
    X(TRANSIT, "transit", RESULTS_IN(RESULTS_RUN), false, plot_chart_transit,                                      \
      (RESULTS_TRANSIT_CSV, RESULTS_SUMMARY_CSV),                                                                 \
      "How many days batches take from posting at the origin to arrival at the destination's inward office of "   \
      "exchange (EMD), against the service standard: the share left of the standard line is on time. Mail "     \
      "posted near the end is followed until it is delivered.")                                                   \
    X(BACKLOG, "backlog", RESULTS_IN(RESULTS_RUN), false, plot_chart_backlog, (RESULTS_BACKLOG_CSV),               \
      "Batches waiting for a train at each node at the end of each day: a line that keeps rising means the "      \
      "trains leaving that node carry less than is posted.")                                                      \
    X(TRAIN_WAIT, "train_wait", RESULTS_IN(RESULTS_RUN), false, plot_chart_train_wait, (RESULTS_TRAIN_WAIT_CSV),  \
      "Days trains queue for a track or crane at the borders and hubs before their dwell: this is where a "       \
      "border crossing is the bottleneck.")                                                                       \
    X(PAIRS, "pairs", RESULTS_IN(RESULTS_RUN), false, plot_chart_pairs, (RESULTS_PAIRS_CSV),                       \
      "Share of batches on time for every origin and destination, and their 95th percentile transit time: the "   \
      "pale cells are the pairs to worry about.")                                                                 \
    X(MONTHLY, "monthly", RESULTS_IN(RESULTS_RUN), false, plot_chart_monthly, (RESULTS_MONTHLY_CSV),               \
      "The network's results by month of posting: look for months where fewer batches are on time or transit "    \
      "grows (a seasonal peak, works at a crossing, a closure). The last months' mail is followed until it is "   \
      "delivered, so they count like the others.")                                                               \
    X(BUDGET, "budget", RESULTS_IN(RESULTS_RUN), false, plot_chart_budget, (RESULTS_BUDGET_CSV),                   \
      "Where the time goes: the mean days door to door per delivered batch, for the network and the pairs with "  \
      "the longest transit, split into waits at the origin and at transfers, queues for a server, handling at "   \
      "the nodes and time in motion by mode. The longest segment of a bar is where to look first.")

enum results_chart_id {
#define RESULTS_CHART_ID(id, name, kinds, per_metric, draw, inputs, caption) RESULTS_CHART_##id,
    RESULTS_CHARTS(RESULTS_CHART_ID)
#undef RESULTS_CHART_ID
    RESULTS_N_CHARTS
};

#define RESULTS_CHART_MAX_INPUTS 4
#define RESULTS_CHART_NAME_MAX 96  /* a chart's name with its metric, and the longest suffix */

/* One row of the catalogue. */
struct results_chart {
    const char *name;        /* NAME.png, NAME.gp, NAME.svg; a per-metric chart's prefix */
    unsigned kinds;          /* RESULTS_IN the kinds whose folders have it */
    bool per_metric;         /* one chart NAME_METRIC per chart-headline metric */
    const char *inputs[RESULTS_CHART_MAX_INPUTS];  /* the files it reads besides the record, NULL-padded */
    const char *caption;     /* a per-metric chart's follows "The network's LABEL (UNIT) " */
};

const struct results_chart *results_chart(enum results_chart_id id);

/* The name of the k-th chart of row `id` (k is 0 for a chart that is not
 * per metric; the chart-headline metrics in the catalogue's order for
 * one that is) into buf; *metric gets that metric's name or NULL. False
 * past the last. */
bool results_chart_name(enum results_chart_id id, size_t k, char buf[RESULTS_CHART_NAME_MAX], const char **metric);

/* The files of every chart `railmail plot` may draw (NAME.gp, NAME.png),
 * in the catalogue's order; *n gets their count. malloc'd as one block
 * (free it); NULL without memory. */
char **results_chart_files(size_t *n);
#endif /* RAILMAIL_RESULTS_H */
