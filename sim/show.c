/* show: one answer from a results folder, read back through results.c
 * (which checks what it reads: the folder may come from anyone) and
 * printed aligned with its intervals, or as CSV. Nothing is simulated. */
#include "railmail/show.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "railmail/csvwrite.h"
#include "railmail/escape.h"
#include "railmail/metric.h"
#include "railmail/num.h"
#include "railmail/outdir.h"
#include "railmail/results.h"
#include "railmail/strbuf.h"
#include "railmail/table.h"

static const char *const view_names[SHOW_VIEWS] = { "pairs", "months", "when", "budget" };

const char *show_view_name(enum show_view v)
{
    return view_names[v];
}

/* ---------------------------------------------------------------- the command line */

/* diag's messages are escaped where they are printed (cli's report_diag),
 * so an argument is quoted here as given. */

static enum rm_status parse_count(const char *opt, const char *text, size_t *out, struct diag *d)
{
    uint64_t v;
    if (!num_parse_whole(text, &v) || v < 1 || v > 1000000)
        return diag_error(d, NULL, "show pairs: %s expects a number of pairs from 1, got \"%s\"", opt, text);
    *out = (size_t)v;
    return RM_OK;
}

/* One option, and its value argv[*i + 1] where it takes one, into q. */
static enum rm_status parse_option(int argc, char *const *argv, int *i, struct show_request *q, struct diag *d)
{
    const char *opt = argv[*i], *value = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(opt, "--csv")) {
        q->csv = true;
        return RM_OK;
    }
    if (strcmp(opt, "--worst") && strcmp(opt, "--best") && strcmp(opt, "--by") && strcmp(opt, "--option"))
        return diag_error(d, NULL, "show: unknown option \"%s\" (--worst N, --best N, --by METRIC, --option NAME, "
                          "--csv)", opt);
    if (!value)
        return diag_error(d, NULL, "show: %s expects a value", opt);
    ++*i;
    if (!strcmp(opt, "--option"))
        q->option = value;
    else if (!strcmp(opt, "--by"))
        q->by = value;
    else
        return parse_count(opt, value, !strcmp(opt, "--worst") ? &q->worst : &q->best, d);
    return RM_OK;
}

/* Whether the view takes the options given. */
static enum rm_status check_request(const struct show_request *q, struct diag *d)
{
    const char *view = view_names[q->view];
    if (q->view == SHOW_BUDGET && q->arg && metric_scope_of(q->arg) == 0)
        return diag_error(d, NULL, "show budget: \"%s\" is no scope (all, origin:ID, od:O-D, path:A>B)", q->arg);
    if (q->view == SHOW_PAIRS && q->arg)
        return diag_error(d, NULL, "show pairs: unexpected argument \"%s\" (sort with --by METRIC)", q->arg);
    if (q->view == SHOW_MONTHS && !q->arg)
        return diag_error(d, NULL, "show months: expected METRIC@SCOPE, e.g. %s@origin:CQ", metric_name(METRIC_ON_TIME));
    if (q->view == SHOW_WHEN && !q->arg)
        return diag_error(d, NULL, "show when: expected a condition, e.g. 'train_wait_d@node:BRS>1'");
    if (q->view != SHOW_PAIRS && (q->worst || q->best || q->by))
        return diag_error(d, NULL, "show %s: --worst, --best and --by sort the pairs view only", view);
    if (q->worst && q->best)
        return diag_error(d, NULL, "show pairs: give --worst or --best, not both");
    return RM_OK;
}

enum rm_status show_parse(int argc, char *const *argv, struct show_request *q, struct diag *d)
{
    *q = (struct show_request){0};
    const char *word[3] = {0};
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2)) {
            if (parse_option(argc, argv, &i, q, d) != RM_OK)
                return RM_EINPUT;
        } else if (n < 3) {
            word[n++] = argv[i];
        } else {
            return diag_error(d, NULL, "show: unexpected argument \"%s\"", argv[i]);
        }
    }
    if (n < 2)
        return diag_error(d, NULL, "show: expected RESULTS_DIR and a view: pairs, months METRIC@SCOPE, "
                          "when 'METRIC@SCOPE>X', budget [SCOPE]");
    size_t v = 0;
    while (v < SHOW_VIEWS && strcmp(word[1], view_names[v]))
        v++;
    if (v == SHOW_VIEWS)
        return diag_error(d, NULL, "show: unknown view \"%s\" (pairs, months, when, budget)", word[1]);
    q->dir = word[0];
    q->view = (enum show_view)v;
    q->arg = word[2];
    return check_request(q, d);
}

/* ---------------------------------------------------------------- which folders */

/* The run folders a request reads: the folder itself for a run; each
 * option of a comparison and each point of a sweep, or the one named. */
struct folders {
    char **path, **label;  /* label NULL for a run's own folder */
    size_t n;
    double confidence;     /* NaN when the record does not say */
};

static void folders_fini(struct folders *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->path[i]), free(f->label[i]);
    free(f->path);
    free(f->label);
}

static bool folders_add(struct folders *f, const char *dir, const char *name, const char *label)
{
    char **p = realloc(f->path, (f->n + 1) * sizeof *p);
    if (p)
        f->path = p;
    char **l = p ? realloc(f->label, (f->n + 1) * sizeof *l) : NULL;
    if (!l)
        return false;
    f->label = l;
    size_t len = strlen(dir) + (name ? strlen(name) + 2 : 1);
    f->path[f->n] = malloc(len);
    f->label[f->n] = label ? strdup(label) : NULL;
    if (!f->path[f->n] || (label && !f->label[f->n]))
        return free(f->path[f->n]), free(f->label[f->n]), false;
    snprintf(f->path[f->n], len, name ? "%s/%s" : "%s", dir, name);
    f->n++;
    return true;
}

/* A name from the record becomes a folder under dir: nothing that climbs
 * out of it or names a hidden file. */
static bool is_folder_name(const char *name)
{
    return name[0] && name[0] != '.' && !strchr(name, '/');
}

/* `name` among `names`, or every one when name is NULL. */
static enum rm_status add_options(struct folders *f, const char *dir, const char *const *names,
                                  const char *const *labels, size_t n, const char *name, struct diag *d)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_folder_name(names[i]))
            return diag_error(d, NULL, "show: %s names an option \"%s\" that is no folder name", dir, names[i]);
        if ((!name || !strcmp(name, names[i])) && !folders_add(f, dir, names[i], labels[i]))
            return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    if (name && f->n == 0) {
        struct strbuf list = {0};
        for (size_t i = 0; i < n; i++)
            strbuf_printf(&list, "%s%s", i ? ", " : "", names[i]);
        enum rm_status st = list.oom ? diag_fail(d, RM_ENOMEM, "out of memory")
                                     : diag_error(d, NULL, "show: --option \"%s\": %s holds %s", name, dir,
                                                  strbuf_str(&list));
        strbuf_fini(&list);
        return st;
    }
    return RM_OK;
}

/* A sweep's points, from its list of points: "point-001" labelled by its values. */
static enum rm_status add_points(struct folders *f, const char *dir, const char *name, struct diag *d)
{
    struct table t;
    bool found;
    enum rm_status st = results_load(&t, dir, RESULTS_POINTS_CSV, &found, d);
    if (st == RM_OK && !found)
        return diag_error(d, NULL, "show: %s is a sweep without " RESULTS_POINTS_CSV, dir);
    const char **names = calloc(t.nrow + 1, sizeof *names), **labels = calloc(t.nrow + 1, sizeof *labels);
    struct strbuf *text = calloc(t.nrow + 1, sizeof *text);
    if (st == RM_OK && (!names || !labels || !text))
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    for (size_t r = 0; st == RM_OK && r < t.nrow; r++) {
        names[r] = table_cell(&t, r, 0);
        strbuf_printf(&text[r], "%s:", names[r]);
        for (size_t c = 1; c < t.ncol; c++)
            strbuf_printf(&text[r], " %s=%s", table_header(&t, c), table_cell(&t, r, c));
        labels[r] = strbuf_str(&text[r]);
    }
    if (st == RM_OK)
        st = add_options(f, dir, names, labels, t.nrow, name, d);
    for (size_t r = 0; text && r < t.nrow; r++)
        strbuf_fini(&text[r]);
    free(text), free(names), free(labels);
    table_fini(&t);
    return st;
}

static enum rm_status find_folders(const struct show_request *q, struct folders *f, struct diag *d)
{
    *f = (struct folders){.confidence = NAN};
    if (!outdir_is_results(q->dir))
        return diag_error(d, NULL, "show: %s holds no results railmail wrote (no .railmail-results lists it)",
                          q->dir);
    struct results_record r;
    enum rm_status st = results_record_load(&r, q->dir, d);
    if (st != RM_OK)
        return st;
    f->confidence = r.confidence;
    enum results_kind kind = r.has_kind ? r.kind : RESULTS_RUN;
    if (kind == RESULTS_RUN && q->option)
        st = diag_error(d, NULL, "show: --option: %s is one run, with no options", q->dir);
    else if (kind == RESULTS_RUN)
        st = folders_add(f, q->dir, NULL, NULL) ? RM_OK : diag_fail(d, RM_ENOMEM, "out of memory");
    else if (kind == RESULTS_SWEEP)
        st = add_points(f, q->dir, q->option, d);
    else {
        const char **names = malloc((r.n_proposals + 1) * sizeof *names);
        if (!names)
            st = diag_fail(d, RM_ENOMEM, "out of memory");
        else {
            names[0] = RESULTS_BASELINE;
            for (size_t i = 0; i < r.n_proposals; i++)
                names[i + 1] = r.proposals[i];
            st = add_options(f, q->dir, names, names, r.n_proposals + 1, q->option, d);
            free(names);
        }
    }
    results_record_fini(&r);
    return st;
}

/* ---------------------------------------------------------------- printing */

/* "95% confidence", or "confidence" where the record does not say. */
static void confidence_text(char *buf, size_t len, double confidence)
{
    if (isfinite(confidence))
        snprintf(buf, len, "%g%% confidence", 100 * confidence);
    else
        snprintf(buf, len, "confidence");
}

/* A value as the tables print it: two decimals, "-" for none. */
static void number_text(char *buf, size_t len, double x)
{
    if (isfinite(x))
        snprintf(buf, len, "%.2f", x);
    else
        snprintf(buf, len, "-");
}

static void interval_text(char *buf, size_t len, double mean, double lo, double hi)
{
    char m[32], l[32], h[32];
    number_text(m, sizeof m, mean);
    number_text(l, sizeof l, lo);
    number_text(h, sizeof h, hi);
    if (isfinite(lo) && isfinite(hi))
        snprintf(buf, len, "%s [%s, %s]", m, l, h);
    else
        snprintf(buf, len, "%s", m);
}

/* A folder's heading when the request reads several. */
static void heading(FILE *f, const struct folders *fs, size_t i, bool csv)
{
    if (csv || !fs->label[i])
        return;
    if (i)
        fputc('\n', f);
    escape_line(f, "== %s ==", fs->label[i]);
}

/* The option's name as a CSV's first field, when there are options. */
static void csv_option(FILE *f, const struct folders *fs, size_t i)
{
    if (!fs->label[i])
        return;
    const char *name = strrchr(fs->path[i], '/') + 1;
    csvwrite_field(f, name);
    fputc(',', f);
}

/* ---------------------------------------------------------------- pairs */

/* One metric of pairs.csv: its mean and interval columns. */
struct pair_metric {
    const char *name;
    size_t mean, lo, hi;
};

enum { MAX_PAIR_METRICS = 32 };

/* The metrics pairs.csv holds: METRIC, METRIC_ci_low, METRIC_ci_high after
 * the key columns, up to posted. */
static enum rm_status pair_metrics(const struct table *t, size_t posted, struct pair_metric *pm, size_t *n,
                                   struct diag *d)
{
    char lo[160], hi[160];
    *n = 0;
    for (size_t c = posted + 1; c < t->ncol && *n < MAX_PAIR_METRICS; c += 3) {
        const char *name = table_header(t, c);
        snprintf(lo, sizeof lo, "%s" RESULTS_CI_LOW_SUFFIX, name);
        snprintf(hi, sizeof hi, "%s" RESULTS_CI_HIGH_SUFFIX, name);
        if (!metric_find(name) || c + 2 >= t->ncol || strcmp(table_header(t, c + 1), lo)
            || strcmp(table_header(t, c + 2), hi))
            return diag_error(d, &(struct diag_at){t->name, t->csv.rows[0].line, (unsigned)c + 1},
                              "expected a metric and its interval (METRIC, METRIC" RESULTS_CI_LOW_SUFFIX
                              ", METRIC" RESULTS_CI_HIGH_SUFFIX "), got \"%s\"", name);
        pm[(*n)++] = (struct pair_metric){ name, c, c + 1, c + 2 };
    }
    return RM_OK;
}

/* The sort's metric: --by, or on-time, or the file's first. */
static enum rm_status sort_metric(const struct show_request *q, const struct table *t, const struct pair_metric *pm,
                                  size_t n, size_t *out, struct diag *d)
{
    const char *want = q->by ? q->by : metric_name(METRIC_ON_TIME);
    for (*out = 0; *out < n; ++*out)
        if (!strcmp(pm[*out].name, want))
            return RM_OK;
    if (!q->by && n) {
        *out = 0;
        return RM_OK;
    }
    if (!metric_find(want))
        return metric_unknown(d, "show pairs: --by", want);
    struct strbuf list = {0};
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&list, "%s%s", i ? ", " : "", pm[i].name);
    enum rm_status st = diag_error(d, NULL, "show pairs: --by %s: %s gives pairs %s only", want, t->name,
                                   list.oom ? "other metrics" : strbuf_str(&list));
    strbuf_fini(&list);
    return st;
}

/* A pair's row and the value it is sorted by. */
struct pair_row {
    size_t row;
    double key;  /* signed so that ascending is the order asked for */
    const char *origin, *destination;
};

static int by_key(const void *a, const void *b)
{
    const struct pair_row *x = a, *y = b;
    bool nx = isnan(x->key), ny = isnan(y->key);
    if (nx || ny)  /* pairs without a value last */
        return nx - ny;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    int c = strcmp(x->origin, y->origin);
    return c ? c : strcmp(x->destination, y->destination);
}

/* Whether the worst of `mt` is its highest value (a neutral metric's too). */
static bool worst_is_high(const struct metric *mt)
{
    return mt->direction != METRIC_HIGHER_BETTER;
}

static void widen(size_t *w, const char *text)
{
    size_t len = strlen(text);
    if (len > *w)
        *w = len;
}

/* The table as text: measured in a first pass, printed in a second. */
static void print_pairs_text(FILE *f, const struct table *t, size_t posted, const struct pair_metric *pm, size_t n,
                             const struct pair_row *rows, size_t shown)
{
    size_t w[MAX_PAIR_METRICS + 2] = { strlen("pair"), strlen("posted") };
    char cell[128], raw[300], pair[600];
    for (size_t m = 0; m < n; m++)
        w[m + 2] = strlen(pm[m].name);
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            fprintf(f, "%-*s  %*s", (int)w[0], "pair", (int)w[1], "posted");
            for (size_t m = 0; m < n; m++)
                fprintf(f, "  %-*s", m + 1 < n ? (int)w[m + 2] : 0, pm[m].name);
            fputc('\n', f);
        }
        for (size_t i = 0; i < shown; i++) {
            size_t r = rows[i].row;
            snprintf(raw, sizeof raw, "%s-%s", rows[i].origin, rows[i].destination);
            escape_text(pair, sizeof pair, raw);
            number_text(cell, sizeof cell, table_value(t, r, posted));
            if (pass)
                fprintf(f, "%-*s  %*s", (int)w[0], pair, (int)w[1], cell);
            else
                widen(&w[0], pair), widen(&w[1], cell);
            for (size_t m = 0; m < n; m++) {
                interval_text(cell, sizeof cell, table_value(t, r, pm[m].mean), table_value(t, r, pm[m].lo),
                              table_value(t, r, pm[m].hi));
                if (pass)
                    fprintf(f, "  %-*s", m + 1 < n ? (int)w[m + 2] : 0, cell);
                else
                    widen(&w[m + 2], cell);
            }
            if (pass)
                fputc('\n', f);
        }
    }
}

/* Rows of a file as it has them, in the order shown: its header first
 * (after an option column where there are options), then rows[0..n). */
static void print_rows_csv(FILE *f, const struct folders *fs, size_t folder, const struct table *t, const size_t *rows,
                           size_t n)
{
    if (folder == 0) {
        if (fs->label[0])
            fputs("option,", f);
        for (size_t c = 0; c < t->ncol; c++)
            csvwrite_field(f, table_header(t, c)), fputc(c + 1 < t->ncol ? ',' : '\n', f);
    }
    for (size_t i = 0; i < n; i++) {
        csv_option(f, fs, folder);
        for (size_t c = 0; c < t->ncol; c++)
            csvwrite_field(f, table_cell(t, rows[i], c)), fputc(c + 1 < t->ncol ? ',' : '\n', f);
    }
}

/* The pairs shown, as pairs.csv has them. */
static enum rm_status print_pairs_csv(FILE *f, const struct folders *fs, size_t folder, const struct table *t,
                                      const struct pair_row *rows, size_t shown, struct diag *d)
{
    size_t *order = malloc((shown + 1) * sizeof *order);
    if (!order)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    for (size_t i = 0; i < shown; i++)
        order[i] = rows[i].row;
    print_rows_csv(f, fs, folder, t, order, shown);
    free(order);
    return RM_OK;
}

static enum rm_status show_pairs(const struct show_request *q, const struct folders *fs, size_t folder, FILE *f,
                                 struct diag *d)
{
    struct table t;
    bool found;
    size_t co, cd, posted, n = 0, by = 0;
    struct pair_metric pm[MAX_PAIR_METRICS];
    enum rm_status st = results_load(&t, fs->path[folder], RESULTS_PAIRS_CSV, &found, d);
    if (st == RM_OK && !found)
        return diag_error(d, NULL, "show pairs: %s has no " RESULTS_PAIRS_CSV, fs->path[folder]);
    if (st == RM_OK)
        st = table_col(&t, RESULTS_COL_ORIGIN, &co, d);
    if (st == RM_OK)
        st = table_col(&t, RESULTS_COL_DESTINATION, &cd, d);
    if (st == RM_OK)
        st = table_col(&t, RESULTS_COL_POSTED, &posted, d);
    if (st == RM_OK)
        st = pair_metrics(&t, posted, pm, &n, d);
    if (st == RM_OK)
        st = sort_metric(q, &t, pm, n, &by, d);
    struct pair_row *rows = st == RM_OK ? malloc((t.nrow + 1) * sizeof *rows) : NULL;
    if (st == RM_OK && !rows)
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    if (st == RM_OK) {
        const struct metric *mt = metric_find(pm[by].name);
        bool high_first = worst_is_high(mt) != (q->best > 0);
        for (size_t r = 0; r < t.nrow; r++) {
            double v = table_value(&t, r, pm[by].mean);
            rows[r] = (struct pair_row){ r, high_first ? -v : v, table_cell(&t, r, co), table_cell(&t, r, cd) };
        }
        qsort(rows, t.nrow, sizeof *rows, by_key);
        size_t limit = q->worst ? q->worst : q->best ? q->best : t.nrow, shown = limit < t.nrow ? limit : t.nrow;
        char conf[40];
        confidence_text(conf, sizeof conf, fs->confidence);
        heading(f, fs, folder, q->csv);
        if (q->csv)
            st = print_pairs_csv(f, fs, folder, &t, rows, shown, d);
        else {
            escape_line(f, "%s %zu %spair%s by %s (%s first), with %s intervals:", q->worst || q->best ? "the" : "all",
                        shown, q->worst ? "worst " : q->best ? "best " : "", shown == 1 ? "" : "s", pm[by].name,
                        high_first ? "highest" : "lowest", conf);
            print_pairs_text(f, &t, posted, pm, n, rows, shown);
        }
    }
    free(rows);
    table_fini(&t);
    return st;
}

/* ---------------------------------------------------------------- months */

/* The month rows of one metric at one scope from monthly.csv, in the
 * file's order (by month). */
struct month_rows {
    struct table t;
    size_t *row, n;
    size_t month, mean, lo, hi, nrep;
};

static void month_rows_fini(struct month_rows *m)
{
    free(m->row);
    table_fini(&m->t);
}

/* The scopes of the metric the file has, for a message. */
static void list_scopes(struct strbuf *b, const struct table *t, size_t cs)
{
    size_t listed = 0;
    for (size_t r = 0; r < t->nrow && listed < 8; r++) {
        const char *scope = table_cell(t, r, cs);
        if (strstr(strbuf_str(b), scope))
            continue;
        strbuf_printf(b, "%s%s", listed++ ? ", " : "", scope);
    }
}

static enum rm_status load_months(const char *view, const char *dir, const struct metric_ref *ref,
                                  struct month_rows *m, struct diag *d)
{
    bool found;
    size_t cs = 0;
    *m = (struct month_rows){0};
    enum rm_status st = results_load_where(&m->t, dir, RESULTS_MONTHLY_CSV, RESULTS_COL_METRIC, ref->metric->name,
                                           &found, d);
    if (st == RM_OK && !found)
        return diag_error(d, NULL, "show %s: %s has no " RESULTS_MONTHLY_CSV, view, dir);
    const char *cols[] = { RESULTS_COL_SCOPE, RESULTS_COL_MONTH, RESULTS_COL_MEAN, RESULTS_COL_CI_LOW,
                           RESULTS_COL_CI_HIGH, RESULTS_COL_N };
    size_t *at[] = { &cs, &m->month, &m->mean, &m->lo, &m->hi, &m->nrep };
    for (size_t i = 0; st == RM_OK && i < sizeof cols / sizeof *cols; i++)
        st = table_col(&m->t, cols[i], at[i], d);
    if (st == RM_OK && !(m->row = malloc((m->t.nrow + 1) * sizeof *m->row)))
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    for (size_t r = 0; st == RM_OK && r < m->t.nrow; r++)
        if (!strcmp(table_cell(&m->t, r, cs), ref->scope))
            m->row[m->n++] = r;
    if (st == RM_OK && m->n == 0) {
        struct strbuf scopes = {0};
        list_scopes(&scopes, &m->t, cs);
        st = diag_error(d, NULL, "show %s: %s/" RESULTS_MONTHLY_CSV " has no month of %s@%s%s%s", view, dir,
                        ref->metric->name, ref->scope, m->t.nrow ? "; its scopes of that metric include " : "",
                        m->t.nrow ? strbuf_str(&scopes) : " (not reported month by month)");
        strbuf_fini(&scopes);
    }
    if (st != RM_OK)
        month_rows_fini(m);
    return st;
}

/* METRIC@SCOPE of a month view, with the metric reported month by month. */
static enum rm_status parse_monthly_ref(const char *view, const char *text, size_t len, struct metric_ref *ref,
                                        struct diag *d)
{
    char what[32];
    snprintf(what, sizeof what, "show %s", view);
    enum rm_status st = metric_ref_parse(text, len, what, ref, d);
    if (st == RM_OK && !(metric_scopes(ref->metric) & METRIC_SCOPE_MONTH))
        st = diag_error(d, NULL, "%s: %s is not reported month by month", what, ref->metric->name);
    if (st == RM_OK && !(metric_scope_of(ref->scope) & METRIC_SCOPE_MONTHLY)) {
        struct strbuf kinds = {0};
        metric_scopes_text(&kinds, METRIC_SCOPE_MONTHLY & METRIC_SCOPE_RUN & metric_scopes(ref->metric));
        st = diag_error(d, NULL, "%s: %s@%s: months are reported at %s", what, ref->metric->name, ref->scope,
                        strbuf_str(&kinds));
        strbuf_fini(&kinds);
    }
    if (st != RM_OK)
        metric_ref_fini(ref);
    return st;
}

/* "by month of posting": a batch metric's month is its mail's. */
static const char *month_of(const struct metric *mt)
{
    return metric_scopes(mt) & METRIC_SCOPE_OD ? "month of posting" : "month";
}

static void print_months_text(FILE *f, const struct month_rows *m, const struct metric_ref *ref, double confidence)
{
    char conf[40], unit[64], mean[32], lo[32], hi[32];
    confidence_text(conf, sizeof conf, confidence);
    escape_line(f, "%s@%s (%s) by %s, with %s intervals:", ref->metric->name, ref->scope,
                metric_unit(ref->metric, "", unit, sizeof unit), month_of(ref->metric), conf);
    fprintf(f, "%-7s  %10s  %10s  %10s  %s\n", "month", "mean", "ci_low", "ci_high", "n");
    for (size_t i = 0; i < m->n; i++) {
        size_t r = m->row[i];
        number_text(mean, sizeof mean, table_value(&m->t, r, m->mean));
        number_text(lo, sizeof lo, table_value(&m->t, r, m->lo));
        number_text(hi, sizeof hi, table_value(&m->t, r, m->hi));
        escape_line(f, "%-7s  %10s  %10s  %10s  %s", table_cell(&m->t, r, m->month), mean, lo, hi,
                    table_cell(&m->t, r, m->nrep));
    }
}

static enum rm_status show_months(const struct show_request *q, const struct folders *fs, size_t folder, FILE *f,
                                  struct diag *d)
{
    struct metric_ref ref;
    struct month_rows m;
    enum rm_status st = parse_monthly_ref("months", q->arg, strlen(q->arg), &ref, d);
    if (st != RM_OK)
        return st;
    st = load_months("months", fs->path[folder], &ref, &m, d);
    if (st == RM_OK) {
        heading(f, fs, folder, q->csv);
        if (q->csv)
            print_rows_csv(f, fs, folder, &m.t, m.row, m.n);
        else
            print_months_text(f, &m, &ref, fs->confidence);
        month_rows_fini(&m);
    }
    metric_ref_fini(&ref);
    return st;
}

/* ---------------------------------------------------------------- when */

/* METRIC@SCOPE OP X: OP one of >, >=, <, <=. */
struct condition {
    struct metric_ref ref;
    bool above, or_equal;
    double x;
    char op[3], x_text[64];
};

static enum rm_status parse_condition(const char *text, struct condition *c, struct diag *d)
{
    *c = (struct condition){0};
    size_t at = strcspn(text, "<>");
    if (!text[at])
        return diag_error(d, NULL, "show when: \"%s\": expected METRIC@SCOPE>X (or <, >=, <=)", text);
    c->above = text[at] == '>';
    c->or_equal = text[at + 1] == '=';
    snprintf(c->op, sizeof c->op, "%c%s", text[at], c->or_equal ? "=" : "");
    const char *x = text + at + 1 + c->or_equal;
    while (*x == ' ' || *x == '\t')
        x++;
    size_t len = strlen(x);
    while (len && (x[len - 1] == ' ' || x[len - 1] == '\t'))
        len--;
    if (!num_parse(x, len, '.', &c->x))
        return diag_error(d, NULL, "show when: \"%s\": expected a number after %s, got \"%.*s\"", text, c->op,
                          (int)len, x);
    snprintf(c->x_text, sizeof c->x_text, "%.*s", (int)len, x);
    return parse_monthly_ref("when", text, at, &c->ref, d);
}

/* Whether a month's interval lies beyond the threshold: with confidence,
 * not only its mean. A month without an interval (one replication) is not. */
static bool beyond(const struct condition *c, double lo, double hi)
{
    if (c->above)
        return c->or_equal ? lo >= c->x : lo > c->x;
    return c->or_equal ? hi <= c->x : hi < c->x;
}

/* The first month beyond, and the first from which every later one is;
 * SIZE_MAX for none. */
static void crossing(const struct condition *c, const struct month_rows *m, size_t *first, size_t *sustained)
{
    *first = *sustained = SIZE_MAX;
    for (size_t i = 0; i < m->n; i++) {
        size_t r = m->row[i];
        bool b = beyond(c, table_value(&m->t, r, m->lo), table_value(&m->t, r, m->hi));
        if (b && *first == SIZE_MAX)
            *first = i;
        if (b && *sustained == SIZE_MAX)
            *sustained = i;
        if (!b)
            *sustained = SIZE_MAX;
    }
}

static void month_text(char *buf, size_t len, const struct month_rows *m, size_t i)
{
    char value[128];
    size_t r = m->row[i];
    interval_text(value, sizeof value, table_value(&m->t, r, m->mean), table_value(&m->t, r, m->lo),
                  table_value(&m->t, r, m->hi));
    snprintf(buf, len, "%s (%s)", table_cell(&m->t, r, m->month), value);
}

static void print_when_text(FILE *f, const struct condition *c, const struct month_rows *m, size_t first,
                            size_t sustained, double confidence)
{
    char conf[40], text[300];
    const char *side = c->above ? (c->or_equal ? "at or above" : "above") : (c->or_equal ? "at or below" : "below");
    confidence_text(conf, sizeof conf, confidence);
    escape_line(f, "%s@%s %s %s by %s: a month counts when its %s interval lies %s %s", c->ref.metric->name,
                c->ref.scope, c->op, c->x_text, month_of(c->ref.metric), conf, side, c->x_text);
    if (first == SIZE_MAX) {
        escape_line(f, "never: in none of %zu months, %s to %s", m->n, table_cell(&m->t, m->row[0], m->month),
                    table_cell(&m->t, m->row[m->n - 1], m->month));
        return;
    }
    month_text(text, sizeof text, m, first);
    escape_line(f, "first:          %s", text);
    if (sustained == SIZE_MAX) {
        month_text(text, sizeof text, m, m->n - 1);
        escape_line(f, "sustained from: not sustained (the last month, %s, is not %s %s)", text, side, c->x_text);
    } else {
        month_text(text, sizeof text, m, sustained);
        escape_line(f, "sustained from: %s, to the last month (%s)", text, table_cell(&m->t, m->row[m->n - 1], m->month));
    }
}

static void print_when_csv(FILE *f, const struct folders *fs, size_t folder, const struct condition *c,
                           const struct month_rows *m, size_t first, size_t sustained)
{
    if (folder == 0)
        fprintf(f, "%smetric,scope,operator,threshold,first,sustained_from\n", fs->label[0] ? "option," : "");
    csv_option(f, fs, folder);
    csvwrite_field(f, c->ref.metric->name), fputc(',', f);
    csvwrite_field(f, c->ref.scope), fputc(',', f);
    fprintf(f, "%s,", c->op);
    csvwrite_number(f, c->x), fputc(',', f);
    csvwrite_field(f, first == SIZE_MAX ? "" : table_cell(&m->t, m->row[first], m->month)), fputc(',', f);
    csvwrite_field(f, sustained == SIZE_MAX ? "" : table_cell(&m->t, m->row[sustained], m->month)), fputc('\n', f);
}

static enum rm_status show_when(const struct show_request *q, const struct folders *fs, size_t folder, FILE *f,
                                struct diag *d)
{
    struct condition c;
    struct month_rows m;
    enum rm_status st = parse_condition(q->arg, &c, d);
    if (st != RM_OK)
        return st;
    st = load_months("when", fs->path[folder], &c.ref, &m, d);
    if (st == RM_OK) {
        size_t first, sustained;
        crossing(&c, &m, &first, &sustained);
        heading(f, fs, folder, q->csv);
        if (q->csv)
            print_when_csv(f, fs, folder, &c, &m, first, sustained);
        else
            print_when_text(f, &c, &m, first, sustained, fs->confidence);
        month_rows_fini(&m);
    }
    metric_ref_fini(&c.ref);
    return st;
}

/* ---------------------------------------------------------------- budget */

/* A scope's rows of the budget file, largest segment first. */
struct budget_rows {
    struct table t;
    size_t *row, n;
    size_t segment, mean, lo, hi;
};

static void budget_rows_fini(struct budget_rows *b)
{
    free(b->row);
    table_fini(&b->t);
}

/* Largest mean first, ties in the file's order: an insertion sort, as a
 * scope has a dozen segments at most. */
static void sort_budget(struct budget_rows *b)
{
    for (size_t i = 1; i < b->n; i++) {
        size_t r = b->row[i], j = i;
        double x = table_value(&b->t, r, b->mean);
        for (; j > 0 && table_value(&b->t, b->row[j - 1], b->mean) < x; j--)
            b->row[j] = b->row[j - 1];
        b->row[j] = r;
    }
}

static enum rm_status load_budget(const char *dir, const char *scope, struct budget_rows *b, struct diag *d)
{
    bool found;
    size_t cs = 0;
    *b = (struct budget_rows){0};
    enum rm_status st = results_load_where(&b->t, dir, RESULTS_BUDGET_CSV, RESULTS_COL_SCOPE, scope, &found, d);
    if (st == RM_OK && !found)
        return diag_error(d, NULL, "show budget: %s has no " RESULTS_BUDGET_CSV " (results of an earlier railmail)",
                          dir);
    const char *cols[] = { RESULTS_COL_SCOPE, RESULTS_COL_SEGMENT, RESULTS_COL_MEAN, RESULTS_COL_CI_LOW,
                           RESULTS_COL_CI_HIGH };
    size_t *at[] = { &cs, &b->segment, &b->mean, &b->lo, &b->hi };
    for (size_t i = 0; st == RM_OK && i < sizeof cols / sizeof *cols; i++)
        st = table_col(&b->t, cols[i], at[i], d);
    if (st == RM_OK && !(b->row = malloc((b->t.nrow + 1) * sizeof *b->row)))
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    for (size_t r = 0; st == RM_OK && r < b->t.nrow; r++)
        if (!strcmp(table_cell(&b->t, r, cs), scope))
            b->row[b->n++] = r;
    if (st == RM_OK && b->n == 0)
        st = diag_error(d, NULL, "show budget: %s/" RESULTS_BUDGET_CSV " has no scope %s (the budget is kept at "
                        "all and every origin:, od: and path: scope with mail delivered)", dir, scope);
    if (st == RM_OK)
        sort_budget(b);
    else
        budget_rows_fini(b);
    return st;
}

static void print_budget_text(FILE *f, const struct budget_rows *b, const char *scope, double confidence)
{
    char conf[40], mean[32], lo[32], hi[32];
    double total = 0;
    for (size_t i = 0; i < b->n; i++)
        total += table_value(&b->t, b->row[i], b->mean);
    confidence_text(conf, sizeof conf, confidence);
    number_text(mean, sizeof mean, total);
    escape_line(f, "Time budget of %s: %s days per delivered batch, largest segment first (%s):", scope, mean,
                conf);
    fprintf(f, "%-22s  %8s  %8s  %8s  %6s\n", "segment", "days", "ci_low", "ci_high", "share");
    for (size_t i = 0; i < b->n; i++) {
        size_t r = b->row[i];
        double x = table_value(&b->t, r, b->mean);
        number_text(mean, sizeof mean, x);
        number_text(lo, sizeof lo, table_value(&b->t, r, b->lo));
        number_text(hi, sizeof hi, table_value(&b->t, r, b->hi));
        escape_line(f, "%-22s  %8s  %8s  %8s  %5.1f%%", table_cell(&b->t, r, b->segment), mean, lo, hi,
                    total > 0 ? 100 * x / total : 0.0);
    }
}

static enum rm_status show_budget(const struct show_request *q, const struct folders *fs, size_t folder, FILE *f,
                                  struct diag *d)
{
    const char *scope = q->arg ? q->arg : metric_scope_kind(METRIC_SCOPE_ALL)->name;
    struct budget_rows b;
    enum rm_status st = load_budget(fs->path[folder], scope, &b, d);
    if (st != RM_OK)
        return st;
    heading(f, fs, folder, q->csv);
    if (q->csv)
        print_rows_csv(f, fs, folder, &b.t, b.row, b.n);
    else
        print_budget_text(f, &b, scope, fs->confidence);
    budget_rows_fini(&b);
    return RM_OK;
}

/* ---------------------------------------------------------------- the request */

enum rm_status show_print(const struct show_request *q, FILE *f, struct diag *d)
{
    static enum rm_status (*const view[])(const struct show_request *, const struct folders *, size_t, FILE *,
                                          struct diag *) = { show_pairs, show_months, show_when, show_budget };
    struct folders fs;
    enum rm_status st = find_folders(q, &fs, d);
    for (size_t i = 0; st == RM_OK && i < fs.n; i++)
        st = view[q->view](q, &fs, i, f, d);
    folders_fini(&fs);
    return st;
}
