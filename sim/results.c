/* results: the schema of a results directory (one row per file: name,
 * header, kinds, writer, readers), the chart catalogue expanded from the
 * one list in the header, and the loaders. The run record is read from the
 * JSON record (jansson) and the key,value file of chart settings, each when
 * present, every value checked for its type, so that a reader never meets
 * a number where it expects a text. */
#include "railmail/results.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "railmail/csvread.h"
#include "railmail/escape.h"
#include "railmail/strbuf.h"
#include "railmail/metric.h"
#include "railmail/num.h"

/* ---------------------------------------------------------------- kinds */

static const char *const kind_name[RESULTS_KINDS] = {
    [RESULTS_RUN] = "run", [RESULTS_COMPARE] = "compare", [RESULTS_SWEEP] = "sweep", [RESULTS_CALIBRATE] = "calibrate",
};

const char *results_kind_name(enum results_kind kind)
{
    return (unsigned)kind < RESULTS_KINDS ? kind_name[kind] : NULL;
}

bool results_kind_parse(const char *text, enum results_kind *out)
{
    for (size_t k = 0; text && k < RESULTS_KINDS; k++)
        if (!strcmp(text, kind_name[k])) {
            *out = (enum results_kind)k;
            return true;
        }
    return false;
}

/* ---------------------------------------------------------------- schema */

#define RUN RESULTS_IN(RESULTS_RUN)
#define COMPARE RESULTS_IN(RESULTS_COMPARE)
#define SWEEP RESULTS_IN(RESULTS_SWEEP)
#define CALIBRATE RESULTS_IN(RESULTS_CALIBRATE)
#define EVERY (RUN | COMPARE | SWEEP | CALIBRATE)

static const struct results_file schema[] = {
    {RESULTS_SUMMARY_CSV, RESULTS_SUMMARY_COLUMNS, NULL, RUN, "report", "plot, html",
     "every metric at every scope over the replications (batches posted after the warm-up)"},
    {RESULTS_MONTHLY_CSV, RESULTS_MONTHLY_COLUMNS, NULL, RUN, "report", "plot, html",
     "the monthly metrics by calendar month"},
    {RESULTS_REPLICATIONS_CSV, RESULTS_REPLICATIONS_COLUMNS, NULL, RUN, "report", "", "every replication's values"},
    {RESULTS_THROUGHPUT_CSV, RESULTS_THROUGHPUT_COLUMNS, NULL, RUN, "report", "plot",
     "tonnes delivered and batches waiting per day"},
    {RESULTS_THROUGHPUT_DEST_CSV, RESULTS_THROUGHPUT_DEST_COLUMNS, NULL, RUN, "report", "plot",
     "tonnes delivered per day and destination"},
    {RESULTS_THROUGHPUT_WEEKLY_CSV, RESULTS_THROUGHPUT_WEEKLY_COLUMNS, NULL, RUN, "report", "plot",
     "tonnes delivered per week with the interval of the weekly total"},
    {RESULTS_BACKLOG_CSV, RESULTS_BACKLOG_COLUMNS, NULL, RUN, "report", "plot",
     "batches waiting per node at the end of each day"},
    {RESULTS_TRAIN_WAIT_CSV, RESULTS_TRAIN_WAIT_COLUMNS, NULL, RUN, "report", "plot",
     "the mean wait of trains for a server per node and day, in days"},
    {RESULTS_TRANSIT_CSV, RESULTS_TRANSIT_COLUMNS, NULL, RUN, "report", "plot",
     "the histogram of transit days in quarter-day bins"},
    {RESULTS_PAIRS_CSV, RESULTS_PAIRS_KEY_COLUMNS, "then, for each metric of a pair, METRIC, METRIC_ci_low, METRIC_ci_high",
     RUN, "report", "plot, html", "each origin-destination pair's volume, reliability, speed, cost and emissions"},
    {RESULTS_BUDGET_CSV, RESULTS_BUDGET_COLUMNS, NULL, RUN, "report", "plot, html, show, compare",
     "the time budget: each scope's door-to-door days per delivered batch in segments that add up to its "
     "mean transit"},
    {RESULTS_META_CSV, RESULTS_KEY_VALUE_COLUMNS, NULL, RUN | COMPARE | SWEEP, "report (sweep adds rows)", "results",
     "the settings the charts need"},
    {RESULTS_COMPARE_CSV, RESULTS_COMPARE_COLUMNS, NULL, COMPARE, "compare", "plot, html",
     "each proposal's paired difference from the baseline and its verdict"},
    {RESULTS_COMPARE_MONTHLY_CSV, RESULTS_COMPARE_MONTHLY_COLUMNS, NULL, COMPARE, "compare", "",
     "the paired differences month by month"},
    {RESULTS_COMPARE_THROUGHPUT_CSV, RESULTS_COMPARE_THROUGHPUT_COLUMNS, NULL, COMPARE, "compare", "plot",
     "tonnes delivered per day in each arm"},
    {RESULTS_SWEEP_CSV, RESULTS_SUMMARY_COLUMNS, "first a column per varied key", SWEEP, "sweep", "plot, html",
     "every point's summary"},
    {RESULTS_SWEEP_MONTHLY_CSV, RESULTS_MONTHLY_COLUMNS, "first a column per varied key", SWEEP, "sweep", "",
     "every point's monthly rows"},
    {RESULTS_POINTS_CSV, RESULTS_COL_POINT, "then a column per varied key (an optimisation's: then "
     RESULTS_OPTIMISE_POINT_COLUMNS ")", SWEEP, "sweep, optimise", "plot, show, html",
     "which folder holds which point (an optimisation's: whether it is feasible, its objective, replications and "
     "what the selection made of it)"},
    {RESULTS_TARGET_CSV, RESULTS_KEY_VALUE_COLUMNS, NULL, SWEEP, "sweep", "plot, html",
     "the target's answer"},
    {RESULTS_CALIBRATION_CSV, RESULTS_CALIBRATION_COLUMNS, NULL, CALIBRATE, "calibrate", "html",
     "every parameter the events were fitted to: current and fitted value, mean, interval, changed"},
    {RESULTS_VALIDATION_CSV, RESULTS_VALIDATION_COLUMNS, NULL, CALIBRATE, "calibrate", "html",
     "observed against simulated transit times pair by pair, for the scenario and the calibrated one"},
    {RESULTS_OPTIMUM_CSV, RESULTS_OPTIMUM_COLUMNS, "first a column per varied key", SWEEP, "optimise", "plot, html",
     "an optimisation's answer: the best setting's objective and constraints, its equivalents"},
    {RESULTS_RUN_JSON, NULL, NULL, EVERY, "cli, record", "results, record (verify)",
     "how the folder was made: command, inputs and their SHA-256, settings, times"},
    {RESULTS_REPORT_HTML, NULL, NULL, EVERY, "html", "", "the page"},
    {RESULTS_RECORDS_FILE, NULL, NULL, RUN, "run", "run (reuse)", "each replication's values, for reuse"},
    {RESULTS_DAILY_FILE, NULL, NULL, RUN, "run", "run (reuse)", "each replication's daily series, for reuse"},
};

const struct results_file *results_file(size_t i)
{
    return i < sizeof schema / sizeof *schema ? &schema[i] : NULL;
}

const struct results_file *results_file_find(const char *name)
{
    for (size_t i = 0; i < sizeof schema / sizeof *schema; i++)
        if (!strcmp(schema[i].name, name))
            return &schema[i];
    return NULL;
}

bool results_name_taken(const char *name)
{
    if (name[0] == '.' || results_file_find(name))
        return true;
    size_t n = 0;
    char **charts = results_chart_files(&n);
    bool taken = false;
    for (size_t i = 0; charts && i < n && !taken; i++)
        taken = !strcmp(charts[i], name);
    free(charts);
    return taken;
}

/* A name read back is input: a metric must be one of the catalogue's, a
 * scope of one of the kinds' shapes (metric.h), whatever wrote the file,
 * before any of it reaches a chart's script or a page. */
static enum rm_status check_metric(const struct table *t, size_t row, size_t col, struct diag *d)
{
    const char *text = table_cell(t, row, col);
    if (metric_find(text))
        return RM_OK;
    char shown[96];
    return diag_error(d, &(struct diag_at){t->name, t->csv.rows[row + 1].line, (unsigned)col + 1},
                      "%s: expected a metric railmail reports, got \"%s\"", table_header(t, col),
                      escape_text(shown, sizeof shown, text));
}

static enum rm_status check_scope(const struct table *t, size_t row, size_t col, struct diag *d)
{
    const char *text = table_cell(t, row, col);
    if (metric_scope_of(text))
        return RM_OK;
    char shown[96];
    struct strbuf kinds = {0};
    metric_scopes_text(&kinds, ~0u);
    enum rm_status st = diag_error(d, &(struct diag_at){t->name, t->csv.rows[row + 1].line, (unsigned)col + 1},
                                   "%s: expected a scope (%s), got \"%s\"", table_header(t, col), strbuf_str(&kinds),
                                   escape_text(shown, sizeof shown, text));
    strbuf_fini(&kinds);
    return st;
}

/* The metric and scope columns of a table that has them. */
static enum rm_status check_names(const struct table *t, struct diag *d)
{
    size_t cm, cs;
    bool m = table_find(t, RESULTS_COL_METRIC, &cm), s = table_find(t, RESULTS_COL_SCOPE, &cs);
    enum rm_status st = RM_OK;
    for (size_t r = 0; r < t->nrow && st == RM_OK; r++) {
        if (m)
            st = check_metric(t, r, cm, d);
        if (s && st == RM_OK)
            st = check_scope(t, r, cs, d);
    }
    return st;
}

enum rm_status results_load_where(struct table *t, const char *dir, const char *name, const char *col,
                                  const char *value, bool *found, struct diag *d)
{
    const struct results_file *f = results_file_find(name);
    assert(f && f->columns && "readers name the schema's CSVs");
    if (!f || !f->columns) {
        *t = (struct table){.name = name};
        *found = false;
        return diag_fail(d, RM_ERUN, "%s: not a results CSV", name);
    }
    enum rm_status st = table_load_where(t, dir, f->name, col, value, found, d);
    if (st == RM_OK && *found && (st = check_names(t, d)) != RM_OK)
        table_fini(t), *found = false;
    return st;
}

enum rm_status results_load(struct table *t, const char *dir, const char *name, bool *found, struct diag *d)
{
    return results_load_where(t, dir, name, NULL, NULL, found, d);
}

/* ---------------------------------------------------------------- the run record */

/* What a record's texts and lists live in: the parsed JSON, the key,value
 * table, and the arrays made from them. */
struct results_store {
    json_t *root;
    struct table meta;
    bool meta_loaded;
    void **owned;
    size_t n_owned, cap;
};

/* Hands `p` to the store, which frees it with the record; NULL (and `p`
 * freed) without memory. */
static void *keep(struct results_store *s, void *p)
{
    if (p && s->n_owned == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        void **grown = realloc(s->owned, cap * sizeof *grown);
        if (!grown) {
            free(p);
            return NULL;
        }
        s->owned = grown;
        s->cap = cap;
    }
    if (p)
        s->owned[s->n_owned++] = p;
    return p;
}

/* A growing list of borrowed texts. */
struct texts {
    const char **v;
    size_t n, cap;
};

static bool texts_add(struct texts *l, const char *text)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        const char **grown = realloc(l->v, cap * sizeof *grown);
        if (!grown)
            return false;
        l->v = grown;
        l->cap = cap;
    }
    l->v[l->n++] = text;
    return true;
}

/* The last part of a scenario's directory, as the scenario module names
 * it: after the last '/', or all of it when that is empty. */
static const char *last_part(const char *dir)
{
    const char *slash = strrchr(dir, '/');
    return slash && slash[1] ? slash + 1 : dir;
}

/* The names of a `proposals` row of the chart settings, "a;b;c", trimmed, empty ones
 * skipped: copies kept in the store. */
static bool split_proposals(struct results_store *s, struct texts *l, const char *list)
{
    for (const char *start = list;;) {
        const char *end = strchr(start, ';');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        while (len && *start == ' ')
            start++, len--;
        while (len && start[len - 1] == ' ')
            len--;
        if (len) {
            char *name = keep(s, malloc(len + 1));
            if (!name)
                return false;
            memcpy(name, start, len);
            name[len] = '\0';
            if (!texts_add(l, name))
                return false;
        }
        if (!end)
            return true;
        start = end + 1;
    }
}

/* The key,value file of chart settings; later rows of a key win, as the
 * charts always read it. */
static enum rm_status load_meta(struct results_record *r, const char *dir, struct diag *d)
{
    struct results_store *s = r->store;
    struct table *t = &s->meta;
    bool found;
    enum rm_status st = results_load(t, dir, RESULTS_META_CSV, &found, d);
    if (st != RM_OK || !found)
        return st;
    s->meta_loaded = r->from_meta = true;
    size_t ck, cv;
    if ((st = table_col(t, RESULTS_COL_KEY, &ck, d)) != RM_OK || (st = table_col(t, RESULTS_COL_VALUE, &cv, d)) != RM_OK)
        return st;
    struct texts proposals = {0};
    bool listed = false, oom = false;
    for (size_t row = 0; row < t->nrow && st == RM_OK && !oom; row++) {
        const char *k = table_cell(t, row, ck), *v = table_cell(t, row, cv);
        const char **text = !strcmp(k, RESULTS_KEY_SCENARIO) ? &r->scenario
                            : !strcmp(k, RESULTS_KEY_TITLE)  ? &r->title
                            : !strcmp(k, RESULTS_KEY_SEED)   ? &r->seed
                                                             : NULL;
        double *num = !strcmp(k, RESULTS_KEY_HORIZON_D)            ? &r->horizon_d
                      : !strcmp(k, RESULTS_KEY_WARMUP_D)           ? &r->warmup_d
                      : !strcmp(k, RESULTS_KEY_REPLICATIONS)       ? &r->replications
                      : !strcmp(k, RESULTS_KEY_CONFIDENCE)         ? &r->confidence
                      : !strcmp(k, RESULTS_KEY_SERVICE_STANDARD_D) ? &r->service_standard_d
                      : !strcmp(k, RESULTS_KEY_RUNOUT_D)           ? &r->runout_d
                                                                   : NULL;
        if (text) {
            *text = v;
        } else if (num) {
            st = table_num(t, row, cv, num, d);
        } else if (!strcmp(k, RESULTS_KEY_KIND)) {
            if (!results_kind_parse(v, &r->kind)) {
                const struct csvread_field *f = &t->csv.rows[row + 1].fields[cv];
                st = diag_error(d, &(struct diag_at){t->name, f->line, f->col},
                                "kind: expected run, compare, sweep or calibrate, got \"%.100s\"", v);
            }
            r->has_kind = true;
        } else if (!strcmp(k, RESULTS_KEY_SCENARIO_KIND)) {
            r->forecast = !strcmp(v, RESULTS_SCENARIO_FORECAST);
            if (!r->forecast && strcmp(v, RESULTS_SCENARIO_DECISION)) {
                const struct csvread_field *f = &t->csv.rows[row + 1].fields[cv];
                st = diag_error(d, &(struct diag_at){t->name, f->line, f->col},
                                RESULTS_KEY_SCENARIO_KIND ": expected " RESULTS_SCENARIO_DECISION " or "
                                RESULTS_SCENARIO_FORECAST ", got \"%.100s\"", v);
            }
        } else if (!strcmp(k, RESULTS_KEY_PROPOSALS) && !listed) {
            listed = true;  /* names joined by ';' when none holds one */
            oom = !split_proposals(s, &proposals, v);
        } else if (!strcmp(k, RESULTS_KEY_PROPOSAL)) {
            oom = !texts_add(&proposals, v);  /* one name per row, any name */
        }
    }
    if (!oom && proposals.n) {
        if (keep(s, proposals.v)) {
            r->proposals = proposals.v;
            r->n_proposals = proposals.n;
        } else {
            oom = true;  /* keep freed the list */
        }
    } else {
        free(proposals.v);
    }
    if (oom && st == RM_OK)
        st = diag_fail(d, RM_ENOMEM, "out of memory reading %s", t->name);
    return st;
}

/* What a JSON value is, for messages. */
static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a text";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "true or false";
    default: return "null";
    }
}

/* Reading one object of the record: messages name the file and the key
 * as a path ("inputs[0].path"). */
struct reader {
    const char *file;
    struct diag *d;
    struct results_store *s;
};

static enum rm_status wrong(const struct reader *rd, const char *key, const char *expected, const json_t *v)
{
    return diag_error(rd->d, &(struct diag_at){rd->file, 0, 0}, "%s: expected %s, found %s", key, expected,
                      json_kind(v));
}

/* A text: absent or null leaves *out as it is. */
static enum rm_status get_text(const struct reader *rd, json_t *obj, const char *key, const char *where,
                               const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return RM_OK;
    if (!json_is_string(v))
        return wrong(rd, where ? where : key, "a text", v);
    *out = json_string_value(v);
    return RM_OK;
}

/* A number: absent or null leaves *out as it is. */
static enum rm_status get_number(const struct reader *rd, json_t *obj, const char *key, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return RM_OK;
    if (!json_is_number(v))
        return wrong(rd, key, "a number", v);
    *out = json_number_value(v);
    return RM_OK;
}

/* A list of texts: absent or null leaves *out and *n as they are. */
static enum rm_status get_list(const struct reader *rd, json_t *obj, const char *key, const char *const **out,
                               size_t *n)
{
    json_t *v = json_object_get(obj, key), *item;
    if (!v || json_is_null(v))
        return RM_OK;
    if (!json_is_array(v))
        return wrong(rd, key, "a list of texts", v);
    size_t i, len = json_array_size(v);
    const char **list = keep(rd->s, malloc((len + 1) * sizeof *list));
    if (!list)
        return diag_fail(rd->d, RM_ENOMEM, "out of memory reading %s", rd->file);
    json_array_foreach(v, i, item) {
        if (!json_is_string(item)) {
            char where[96];
            snprintf(where, sizeof where, "%s[%zu]", key, i);
            return wrong(rd, where, "a text", item);
        }
        list[i] = json_string_value(item);
    }
    *out = list;
    *n = len;
    return RM_OK;
}

/* The program that made the record: {"version": ..., "commit": ...}. */
static enum rm_status get_program(const struct reader *rd, json_t *root, struct results_record *r)
{
    json_t *v = json_object_get(root, RESULTS_KEY_RAILMAIL);
    if (!v || json_is_null(v))
        return RM_OK;
    if (!json_is_object(v))
        return wrong(rd, RESULTS_KEY_RAILMAIL, "an object", v);
    enum rm_status st = get_text(rd, v, RESULTS_KEY_VERSION, RESULTS_KEY_RAILMAIL "." RESULTS_KEY_VERSION, &r->version);
    return st == RM_OK ? get_text(rd, v, RESULTS_KEY_COMMIT, RESULTS_KEY_RAILMAIL "." RESULTS_KEY_COMMIT, &r->commit)
                       : st;
}

/* The input files, each {"path": ..., "sha256": ...}, both required. */
static enum rm_status get_inputs(const struct reader *rd, json_t *root, struct results_record *r)
{
    json_t *v = json_object_get(root, RESULTS_KEY_INPUTS), *item;
    if (!v || json_is_null(v))
        return RM_OK;
    if (!json_is_array(v))
        return wrong(rd, RESULTS_KEY_INPUTS, "a list of objects", v);
    size_t i, len = json_array_size(v);
    struct results_input *in = keep(rd->s, calloc(len + 1, sizeof *in));
    if (!in)
        return diag_fail(rd->d, RM_ENOMEM, "out of memory reading %s", rd->file);
    json_array_foreach(v, i, item) {
        char where[96];
        snprintf(where, sizeof where, RESULTS_KEY_INPUTS "[%zu]", i);
        if (!json_is_object(item))
            return wrong(rd, where, "an object", item);
        static const char *const key[2] = {RESULTS_KEY_PATH, RESULTS_KEY_SHA256};
        const char **field[2] = {&in[i].path, &in[i].sha256};
        for (size_t k = 0; k < 2; k++) {
            char at[128];
            snprintf(at, sizeof at, "%s.%s", where, key[k]);
            enum rm_status st = get_text(rd, item, key[k], at, field[k]);
            if (st != RM_OK)
                return st;
            if (!*field[k])
                return diag_error(rd->d, &(struct diag_at){rd->file, 0, 0}, "%s: expected a text, found none", at);
        }
    }
    r->inputs = in;
    r->n_inputs = len;
    return RM_OK;
}

/* The JSON record, over what the chart settings gave. */
static enum rm_status load_json(struct results_record *r, const char *dir, struct diag *d)
{
    struct strbuf path = {0};
    strbuf_printf(&path, "%s/" RESULTS_RUN_JSON, dir);
    if (path.oom) {
        strbuf_fini(&path);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    char *data = NULL;
    size_t len;
    enum rm_status st = csvread_slurp(path.s, &data, &len);
    if (st == RM_EIO && errno == ENOENT)
        st = RM_OK;  /* none: folders of earlier versions, arms, points */
    else if (st == RM_EIO && errno == EINVAL)  /* a FIFO, a device: never opened, never waited on */
        st = diag_error(d, &(struct diag_at){path.s, 0, 0}, "expected a regular file");
    else if (st == RM_EIO)
        st = diag_fail(d, RM_EIO, "%s: cannot open: %s", path.s, strerror(errno));
    else if (st == RM_ENOMEM)
        st = diag_fail(d, RM_ENOMEM, "out of memory reading %s", path.s);
    else {
        json_error_t err;
        json_t *root = r->store->root = json_loadb(data, len, 0, &err);
        if (!root)
            st = diag_error(d, &(struct diag_at){path.s, (unsigned)(err.line > 0 ? err.line : 0),
                                                 (unsigned)(err.column > 0 ? err.column : 0)},
                            "expected the run record of a results directory: %s", err.text);
        else if (!json_is_object(root))
            st = diag_error(d, &(struct diag_at){path.s, 0, 0},
                            "expected the run record of a results directory, found %s", json_kind(root));
    }
    free(data);
    json_t *root = r->store->root;
    if (st != RM_OK || !root) {
        strbuf_fini(&path);
        return st;
    }
    r->from_run_json = true;
    struct reader rd = {path.s, d, r->store};
    const char *kind = NULL, *scenario = NULL, *plot = NULL;
    if ((st = get_text(&rd, root, RESULTS_KEY_KIND, NULL, &kind)) == RM_OK &&
        !(r->has_kind = results_kind_parse(kind, &r->kind)))
        st = diag_error(d, &(struct diag_at){path.s, 0, 0}, RESULTS_KEY_KIND ": expected run, compare, sweep or calibrate");
    if (st == RM_OK && (st = get_text(&rd, root, RESULTS_KEY_SCENARIO, NULL, &scenario)) == RM_OK && scenario) {
        r->scenario_dir = scenario;
        r->scenario = last_part(scenario);
    }
    const struct { const char *key; const char **out; } texts[] = {
        {RESULTS_KEY_SEED, &r->seed},
        {RESULTS_KEY_PROPOSAL, &r->proposal},
        {RESULTS_KEY_TARGET, &r->target},
        {RESULTS_KEY_PLOT, &plot},
        {RESULTS_KEY_CWD, &r->cwd},
        {RESULTS_KEY_STARTED_UTC, &r->started_utc},
        {RESULTS_KEY_REPLICATIONS_CHOSEN, &r->replications_chosen},
        {RESULTS_KEY_GNUPLOT, &r->gnuplot},
        {RESULTS_KEY_WHAT_IF_NAME, &r->what_if_name},
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts && st == RM_OK; i++)
        st = get_text(&rd, root, texts[i].key, NULL, texts[i].out);
    const struct { const char *key; double *out; } numbers[] = {
        {RESULTS_KEY_REPLICATIONS, &r->replications},
        {RESULTS_KEY_HORIZON_D, &r->horizon_d},
        {RESULTS_KEY_WARMUP_D, &r->warmup_d},
        {RESULTS_KEY_RUNOUT_D, &r->runout_d},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof *numbers && st == RM_OK; i++)
        st = get_number(&rd, root, numbers[i].key, numbers[i].out);
    const struct { const char *key; const char *const **out; size_t *n; } lists[] = {
        {RESULTS_KEY_PROPOSALS, &r->proposals, &r->n_proposals},
        {RESULTS_KEY_SETS, &r->sets, &r->n_sets},
        {RESULTS_KEY_VARY, &r->vary, &r->n_vary},
        {RESULTS_KEY_COMMAND, &r->command, &r->n_command},
        {RESULTS_KEY_WHAT_IF, &r->what_if, &r->n_what_if},
    };
    for (size_t i = 0; i < sizeof lists / sizeof *lists && st == RM_OK; i++)
        st = get_list(&rd, root, lists[i].key, lists[i].out, lists[i].n);
    if (st == RM_OK && (st = get_program(&rd, root, r)) == RM_OK)
        st = get_inputs(&rd, root, r);
    r->no_plot = plot && !strcmp(plot, "no");
    strbuf_fini(&path);
    return st;
}

/* Loads the key,value file first when `meta`, then the JSON record over it. */
static enum rm_status load_record(struct results_record *r, const char *dir, bool meta, struct diag *d)
{
    *r = (struct results_record){.horizon_d = NAN, .warmup_d = NAN, .replications = NAN, .confidence = NAN,
                                 .service_standard_d = NAN, .runout_d = NAN};
    if (!(r->store = calloc(1, sizeof *r->store)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    enum rm_status st = meta ? load_meta(r, dir, d) : RM_OK;
    if (st == RM_OK)
        st = load_json(r, dir, d);
    return st;
}

enum rm_status results_record_load(struct results_record *r, const char *dir, struct diag *d)
{
    return load_record(r, dir, true, d);
}

enum rm_status results_record_load_json(struct results_record *r, const char *dir, struct diag *d)
{
    return load_record(r, dir, false, d);
}

void results_record_fini(struct results_record *r)
{
    struct results_store *s = r->store;
    if (s) {
        json_decref(s->root);
        if (s->meta_loaded)
            table_fini(&s->meta);
        for (size_t i = 0; i < s->n_owned; i++)
            free(s->owned[i]);
        free(s->owned);
        free(s);
    }
    *r = (struct results_record){0};
}

/* ---------------------------------------------------------------- a sweep's target */

enum rm_status results_target_load(struct results_target *g, const char *dir, struct diag *d)
{
    *g = (struct results_target){.threshold = NAN, .bound = NAN};
    enum rm_status st = results_load(&g->t, dir, RESULTS_TARGET_CSV, &g->found, d);
    if (st != RM_OK || !g->found)
        return st;
    size_t ck = 0, cv = 0;
    if ((st = table_col(&g->t, RESULTS_COL_KEY, &ck, d)) == RM_OK)
        st = table_col(&g->t, RESULTS_COL_VALUE, &cv, d);
    const struct { const char *key; const char **out; } texts[] = {
        {RESULTS_TARGET_PARAMETER, &g->parameter}, {RESULTS_TARGET_VALUE, &g->value},
        {RESULTS_TARGET_METRIC, &g->metric}, {RESULTS_TARGET_SCOPE, &g->scope},
        {RESULTS_TARGET_OPERATOR, &g->op}, {RESULTS_TARGET_THRESHOLD, &g->threshold_text},
        {RESULTS_TARGET_BOUND, &g->bound_text}, {RESULTS_TARGET_BOUND_AT, &g->bound_at},
        {RESULTS_TARGET_OUTCOME, &g->outcome}, {RESULTS_TARGET_VALUE_BELOW, &g->value_below},
        {RESULTS_TARGET_POINTS_EVALUATED, &g->points_evaluated}, {RESULTS_TARGET_POINTS, &g->points},
    };
    for (size_t r = 0; r < g->t.nrow && st == RM_OK; r++) {
        const char *k = table_cell(&g->t, r, ck);
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
            if (!strcmp(k, texts[i].key))
                *texts[i].out = table_cell(&g->t, r, cv);
        if (!strcmp(k, RESULTS_TARGET_METRIC))
            st = check_metric(&g->t, r, cv, d);
        else if (!strcmp(k, RESULTS_TARGET_SCOPE))
            st = check_scope(&g->t, r, cv, d);
        else if (!strcmp(k, RESULTS_TARGET_THRESHOLD))
            st = table_num(&g->t, r, cv, &g->threshold, d);
        else if (!strcmp(k, RESULTS_TARGET_BOUND))
            g->bound = table_value(&g->t, r, cv);
    }
    if (st != RM_OK)  /* nothing half-read is handed on */
        results_target_fini(g);
    return st;
}

void results_target_fini(struct results_target *g)
{
    if (g->found)
        table_fini(&g->t);
    *g = (struct results_target){0};
}

/* ---------------------------------------------------------------- charts */

static const struct results_chart charts[RESULTS_N_CHARTS] = {
#define ROW(id, name, kinds, per_metric, draw, inputs, caption)                                                  \
    [RESULTS_CHART_##id] = {name, kinds, per_metric, {RESULTS_LIST inputs}, caption},
    RESULTS_CHARTS(ROW)
#undef ROW
};

const struct results_chart *results_chart(enum results_chart_id id)
{
    return (unsigned)id < RESULTS_N_CHARTS ? &charts[id] : NULL;
}

bool results_chart_name(enum results_chart_id id, size_t k, char buf[RESULTS_CHART_NAME_MAX], const char **metric)
{
    const struct results_chart *c = results_chart(id);
    *metric = NULL;
    if (!c)
        return false;
    if (!c->per_metric) {
        snprintf(buf, RESULTS_CHART_NAME_MAX, "%s", c->name);
        return k == 0;
    }
    for (size_t i = 0; i < METRIC_COUNT; i++) {
        const struct metric *mt = metric_get(i);
        if ((mt->flags & METRIC_HEADLINE_CHART) && k-- == 0) {
            snprintf(buf, RESULTS_CHART_NAME_MAX, "%s_%s", c->name, mt->name);
            *metric = mt->name;
            return true;
        }
    }
    return false;
}

char **results_chart_files(size_t *n)
{
    static const char *const suffix[] = {".gp", ".png"};
    enum { NSUFFIX = sizeof suffix / sizeof *suffix };
    char name[RESULTS_CHART_NAME_MAX];
    const char *metric;
    size_t count = 0, bytes = 0;
    for (size_t id = 0; id < RESULTS_N_CHARTS; id++)
        for (size_t k = 0; results_chart_name(id, k, name, &metric); k++)
            for (size_t s = 0; s < NSUFFIX; s++)
                count++, bytes += strlen(name) + strlen(suffix[s]) + 1;
    char **files = malloc((count + 1) * sizeof *files + bytes);
    if (!files)
        return NULL;
    char *at = (char *)(files + count + 1);
    *n = 0;
    for (size_t id = 0; id < RESULTS_N_CHARTS; id++)
        for (size_t k = 0; results_chart_name(id, k, name, &metric); k++)
            for (size_t s = 0; s < NSUFFIX; s++) {
                files[(*n)++] = at;
                at += sprintf(at, "%s%s", name, suffix[s]) + 1;
            }
    files[*n] = NULL;
    return files;
}

/* ---------------------------------------------------------------- an optimisation's answer */

/* An input error at data row `row`, column `col` of t. */
static enum rm_status cell_error(const struct table *t, size_t row, size_t col, const char *expected, struct diag *d)
{
    const struct csvread_field *f = &t->csv.rows[row + 1].fields[col];
    char shown[96];
    return diag_error(d, &(struct diag_at){t->name, f->line, f->col}, "%s: expected %s, got \"%s\"",
                      table_header(t, col), expected, escape_text(shown, sizeof shown, f->text));
}

/* A number that must be there and be finite. */
static enum rm_status finite_num(const struct table *t, size_t row, size_t col, double *out, struct diag *d)
{
    enum rm_status st = table_num(t, row, col, out, d);
    return st != RM_OK || isfinite(*out) ? st : cell_error(t, row, col, "a number", d);
}

/* One measure of the answer's row r. */
static enum rm_status optimum_measure(const struct table *t, size_t r, const size_t *c,
                                      struct results_optimum_measure *m, struct diag *d)
{
    m->metric = table_cell(t, r, c[0]);
    m->scope = table_cell(t, r, c[1]);
    m->op = table_cell(t, r, c[2]);
    if (strcmp(m->op, "min") && strcmp(m->op, "max") && strcmp(m->op, ">=") && strcmp(m->op, "<="))
        return cell_error(t, r, c[2], "min, max, >= or <=", d);
    double *num[] = {&m->threshold, &m->mean, &m->lo, &m->hi, &m->confidence, &m->n};
    enum rm_status st = RM_OK;
    for (size_t i = 0; i < 6 && st == RM_OK; i++)
        st = table_num(t, r, c[3 + i], num[i], d);
    if (st == RM_OK && (m->op[0] == '>' || m->op[0] == '<') && !isfinite(m->threshold))
        st = cell_error(t, r, c[3], "a number", d);
    return st;
}

/* Whether two settings have the same values in their first n keys. */
static bool same_setting(const double *a, const double *b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (a[k] != b[k])
            return false;
    return true;
}

/* The answer's file: the keys, the answer's measures, the settings of its
 * equivalents (into eq, at most max of them). */
static enum rm_status optimum_rows(struct results_optimum *o, double *best, double (*eq)[RESULTS_OPTIMUM_MAX_KEYS],
                                   size_t max, struct diag *d)
{
    struct table *t = &o->optimum;
    static const char *const names[] = {RESULTS_COL_METRIC, RESULTS_COL_SCOPE, RESULTS_COL_OPERATOR,
                                        RESULTS_COL_THRESHOLD, RESULTS_COL_MEAN, RESULTS_COL_CI_LOW,
                                        RESULTS_COL_CI_HIGH, RESULTS_COL_CONFIDENCE, RESULTS_COL_N};
    size_t crole, c[9];
    enum rm_status st = table_col(t, RESULTS_COL_ROLE, &crole, d);
    for (size_t i = 0; i < 9 && st == RM_OK; i++)
        st = table_col(t, names[i], &c[i], d);
    if (st != RM_OK)
        return st;
    if (crole < 1 || crole > RESULTS_OPTIMUM_MAX_KEYS)
        return diag_error(d, &(struct diag_at){t->name, t->csv.rows[0].line, 0},
                          "expected one to %d varied keys before the " RESULTS_COL_ROLE " column, found %zu",
                          RESULTS_OPTIMUM_MAX_KEYS, crole);
    o->n_keys = crole;
    for (size_t k = 0; k < crole; k++)
        o->key[k] = table_header(t, k);
    bool have_best = false;
    for (size_t r = 0; r < t->nrow && st == RM_OK; r++) {
        const char *role = table_cell(t, r, crole);
        double v[RESULTS_OPTIMUM_MAX_KEYS];
        for (size_t k = 0; k < crole && st == RM_OK; k++)
            st = finite_num(t, r, k, &v[k], d);
        if (st != RM_OK)
            break;
        bool equivalent = !strcmp(role, RESULTS_ROLE_EQUIVALENT), closest = !strcmp(role, RESULTS_ROLE_CLOSEST);
        if (!equivalent && !closest && strcmp(role, RESULTS_ROLE_OPTIMUM))
            return cell_error(t, r, crole, RESULTS_ROLE_OPTIMUM ", " RESULTS_ROLE_EQUIVALENT " or " RESULTS_ROLE_CLOSEST,
                              d);
        if (equivalent) {
            if (o->n_equivalents < max)
                memcpy(eq[o->n_equivalents], v, sizeof v);
            o->n_equivalents++;
            continue;
        }
        if (have_best && (closest != o->closest || !same_setting(best, v, crole)))
            return cell_error(t, r, 0, "the setting of the rows above (one answer)", d);
        if (o->n_measures == RESULTS_OPTIMUM_MAX_MEASURES)
            return cell_error(t, r, crole, "at most eight constraints", d);
        have_best = true;
        o->closest = closest;
        memcpy(best, v, sizeof v);
        st = optimum_measure(t, r, c, &o->measure[o->n_measures++], d);
    }
    if (st == RM_OK && (!have_best || (o->measure[0].op[0] != 'm')))
        st = diag_error(d, &(struct diag_at){t->name, 0, 0},
                        "expected the answer's objective (operator min or max) in its first row");
    return st;
}

/* The list of points' row r into q: the keys' values (the columns named as
 * the answer's file names them), feasible, the objective, and when there the
 * replications and the selection. */
static enum rm_status point_row(struct results_optimum *o, size_t r, const size_t *ckey, const size_t *c, bool reps,
                                struct results_optimum_point *q, struct diag *d)
{
    const struct table *t = &o->points;
    enum rm_status st = RM_OK;
    q->name = table_cell(t, r, c[0]);
    for (size_t k = 0; k < o->n_keys && st == RM_OK; k++)
        st = finite_num(t, r, ckey[k], &q->value[k], d);
    const char *yes = table_cell(t, r, c[1]);
    if (st == RM_OK && strcmp(yes, "yes") && strcmp(yes, "no"))
        st = cell_error(t, r, c[1], "yes or no", d);
    q->feasible = !strcmp(yes, "yes");
    if (st == RM_OK && (st = table_num(t, r, c[2], &q->objective, d)) == RM_OK &&
        (st = table_num(t, r, c[3], &q->lo, d)) == RM_OK)
        st = table_num(t, r, c[4], &q->hi, d);
    uint64_t n = 0;
    const char *text = reps ? table_cell(t, r, c[5]) : "";
    if (st == RM_OK && *text && (!num_parse_whole(text, &n) || n > 1000000))
        st = cell_error(t, r, c[5], "a whole number of replications", d);
    q->replications = (unsigned)n;
    if (st != RM_OK || !o->ranked)
        return st;
    const char *sel = table_cell(t, r, c[6]);
    q->selection = !*sel                                        ? RESULTS_SEL_NONE
                   : !strcmp(sel, RESULTS_SELECTION_CHOSEN)     ? RESULTS_SEL_CHOSEN
                   : !strcmp(sel, RESULTS_SELECTION_EQUIVALENT) ? RESULTS_SEL_EQUIVALENT
                   : !strcmp(sel, RESULTS_SELECTION_ELIMINATED) ? RESULTS_SEL_ELIMINATED
                   : !strcmp(sel, RESULTS_SELECTION_DROPPED)    ? RESULTS_SEL_DROPPED
                                                                : (enum results_selection)-1;
    if ((int)q->selection < 0)
        return cell_error(t, r, c[6],
                          RESULTS_SELECTION_CHOSEN ", " RESULTS_SELECTION_EQUIVALENT ", " RESULTS_SELECTION_ELIMINATED
                          ", " RESULTS_SELECTION_DROPPED " or nothing", d);
    return RM_OK;
}

/* The list of points: every setting run, checked. */
static enum rm_status points_rows(struct results_optimum *o, struct diag *d)
{
    struct table *t = &o->points;
    static const char *const names[] = {RESULTS_COL_POINT, RESULTS_COL_FEASIBLE, RESULTS_COL_OBJECTIVE,
                                        RESULTS_COL_OBJECTIVE RESULTS_CI_LOW_SUFFIX,
                                        RESULTS_COL_OBJECTIVE RESULTS_CI_HIGH_SUFFIX};
    size_t c[7], ckey[RESULTS_OPTIMUM_MAX_KEYS];
    enum rm_status st = RM_OK;
    for (size_t i = 0; i < 5 && st == RM_OK; i++)
        st = table_col(t, names[i], &c[i], d);
    for (size_t k = 0; k < o->n_keys && st == RM_OK; k++)
        st = table_col(t, o->key[k], &ckey[k], d);
    if (st != RM_OK)
        return st;
    bool reps = table_find(t, RESULTS_COL_REPLICATIONS, &c[5]);
    o->ranked = table_find(t, RESULTS_COL_SELECTION, &c[6]);
    if (!(o->point = calloc(t->nrow + 1, sizeof *o->point)))
        return diag_fail(d, RM_ENOMEM, "out of memory reading %s", t->name);
    for (size_t r = 0; r < t->nrow && st == RM_OK; r++)
        st = point_row(o, r, ckey, c, reps, &o->point[o->n_points++], d);
    return st;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Key k's grid from the chart settings' value text "1;2;3" (row r, column cv) into v. */
static enum rm_status grid_of_meta(const struct table *t, size_t r, size_t cv, double *v, size_t *n, struct diag *d)
{
    *n = 0;
    for (const char *s = table_cell(t, r, cv);;) {
        const char *end = strchr(s, ';');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (!num_parse(s, len, '.', &v[*n]) || !isfinite(v[*n]) || (*n && v[*n] <= v[*n - 1]))
            return cell_error(t, r, cv, "increasing numbers separated by ';'", d);
        ++*n;
        if (!end)
            return RM_OK;
        s = end + 1;
    }
}

/* Each key's grid: the chart settings' vary_values rows when there is one per key,
 * else the values run. Then each point's place in it. */
static enum rm_status grid_rows(struct results_optimum *o, const char *dir, struct diag *d)
{
    bool found;
    enum rm_status st = results_load(&o->meta, dir, RESULTS_META_CSV, &found, d);
    size_t ck = 0, cv = 0, rows[RESULTS_OPTIMUM_MAX_KEYS], nrows = 0, room = 0;
    bool cols = st == RM_OK && found && table_find(&o->meta, RESULTS_COL_KEY, &ck) &&
                table_find(&o->meta, RESULTS_COL_VALUE, &cv);
    for (size_t r = 0; cols && r < o->meta.nrow; r++) {
        const char *k = table_cell(&o->meta, r, ck);
        if (!strcmp(k, RESULTS_KEY_CURRENCY)) {
            o->currency = table_cell(&o->meta, r, cv);
        } else if (!strcmp(k, RESULTS_KEY_VARY_VALUES) && nrows <= RESULTS_OPTIMUM_MAX_KEYS) {
            if (nrows < RESULTS_OPTIMUM_MAX_KEYS)
                rows[nrows] = r, room += strlen(table_cell(&o->meta, r, cv)) / 2 + 1;
            nrows++;
        }
    }
    o->grid_known = st == RM_OK && nrows == o->n_keys;
    room += o->n_points * o->n_keys + 1;
    if (st == RM_OK && !(o->values = malloc(room * sizeof *o->values)))
        st = diag_fail(d, RM_ENOMEM, "out of memory reading %s", RESULTS_META_CSV);
    double *v = o->values;
    for (size_t k = 0; k < o->n_keys && st == RM_OK; k++) {
        o->grid[k] = v;
        if (o->grid_known) {
            st = grid_of_meta(&o->meta, rows[k], cv, v, &o->n_grid[k], d);
        } else {  /* the distinct values run, in order */
            size_t n = 0;
            for (size_t i = 0; i < o->n_points; i++)
                v[n++] = o->point[i].value[k];
            qsort(v, n, sizeof *v, by_value);
            o->n_grid[k] = 0;
            for (size_t i = 0; i < n; i++)
                if (!o->n_grid[k] || v[i] != v[o->n_grid[k] - 1])
                    v[o->n_grid[k]++] = v[i];
        }
        v += o->n_grid[k];
    }
    o->settings = 1;
    for (size_t k = 0; k < o->n_keys; k++)
        o->settings *= o->n_grid[k];
    for (size_t i = 0; i < o->n_points && st == RM_OK; i++)
        for (size_t k = 0; k < o->n_keys && st == RM_OK; k++) {
            const double *at = bsearch(&o->point[i].value[k], o->grid[k], o->n_grid[k], sizeof *at, by_value);
            if (!at)
                return diag_error(d, &(struct diag_at){o->points.name, o->points.csv.rows[i + 1].line, 0},
                                  "%.100s: expected one of the values " RESULTS_META_CSV " gives the key", o->key[k]);
            o->point[i].at[k] = (size_t)(at - o->grid[k]);
        }
    return st;
}

/* Which point is the answer, and, in a folder without a selection column,
 * each point's selection from the answer's roles. */
static enum rm_status mark_points(struct results_optimum *o, const double *best,
                                  double (*eq)[RESULTS_OPTIMUM_MAX_KEYS], size_t n_eq, struct diag *d)
{
    o->best = SIZE_MAX;
    for (size_t i = 0; i < o->n_points; i++) {
        struct results_optimum_point *q = &o->point[i];
        if (same_setting(q->value, best, o->n_keys))
            o->best = i;
        if (o->ranked)
            continue;
        q->selection = o->best == i && !o->closest ? RESULTS_SEL_CHOSEN : RESULTS_SEL_NONE;
        for (size_t e = 0; e < n_eq && q->selection == RESULTS_SEL_NONE; e++)
            if (same_setting(q->value, eq[e], o->n_keys))
                q->selection = RESULTS_SEL_EQUIVALENT;
    }
    if (o->best == SIZE_MAX)
        return diag_error(d, &(struct diag_at){o->optimum.name, 0, 0},
                          "expected the answer's setting among the settings of " RESULTS_POINTS_CSV ", found none");
    return RM_OK;
}

enum rm_status results_optimum_load(struct results_optimum *o, const char *dir, struct diag *d)
{
    *o = (struct results_optimum){0};
    enum rm_status st = results_load(&o->optimum, dir, RESULTS_OPTIMUM_CSV, &o->found, d);
    if (st != RM_OK || !o->found)
        return st;
    enum { MAX_EQ = 256 };  /* equivalents marked on a folder without a selection column */
    double best[RESULTS_OPTIMUM_MAX_KEYS] = {0}, (*eq)[RESULTS_OPTIMUM_MAX_KEYS] = malloc(MAX_EQ * sizeof *eq);
    bool found;
    if (!eq)
        st = diag_fail(d, RM_ENOMEM, "out of memory reading %s", RESULTS_OPTIMUM_CSV);
    if (st == RM_OK)
        st = optimum_rows(o, best, eq, MAX_EQ, d);
    if (st == RM_OK && (st = results_load(&o->points, dir, RESULTS_POINTS_CSV, &found, d)) == RM_OK && !found)
        st = diag_error(d, &(struct diag_at){dir, 0, 0}, "expected " RESULTS_POINTS_CSV " beside "
                        RESULTS_OPTIMUM_CSV ", found none");
    if (st == RM_OK && (st = points_rows(o, d)) == RM_OK && (st = grid_rows(o, dir, d)) == RM_OK)
        st = mark_points(o, best, eq, o->n_equivalents < MAX_EQ ? o->n_equivalents : MAX_EQ, d);
    free(eq);
    if (st != RM_OK)  /* nothing half-read is handed on */
        results_optimum_fini(o);
    return st;
}

void results_optimum_fini(struct results_optimum *o)
{
    if (o->found) {
        table_fini(&o->optimum);
        table_fini(&o->points);
        table_fini(&o->meta);
    }
    free(o->point);
    free(o->values);
    *o = (struct results_optimum){0};
}

int results_optimum_met(const struct results_optimum_measure *m)
{
    bool at_least = !strcmp(m->op, ">=");
    double near = at_least ? m->lo : m->hi, far = at_least ? m->hi : m->lo;
    if (isnan(near) || isnan(far))
        return 0;  /* no interval: nothing to tell, as sweep_side */
    if (at_least ? near >= m->threshold : near <= m->threshold)
        return 1;
    return (at_least ? far < m->threshold : far > m->threshold) ? -1 : 0;
}
