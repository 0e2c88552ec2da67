/* sweep: the scenario at every value of one or two --set keys, with the
 * same seeds and per-source streams at every point (common random
 * numbers), each point's full results in a subdirectory, and their
 * summaries side by side in one CSV. With a target, the points are
 * probed by bisection over one ordered key instead of run in full, and the
 * answer is the least value whose confidence bound (not its mean) is on
 * the right side of the threshold. */
#include "railmail/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "railmail/calendar.h"
#include "railmail/csvwrite.h"
#include "railmail/escape.h"
#include "railmail/metric.h"
#include "railmail/model.h"
#include "railmail/num.h"
#include "railmail/report.h"
#include "railmail/results.h"
#include "railmail/run.h"
#include "railmail/scenario.h"
#include "railmail/stats.h"
#include "railmail/strbuf.h"

/* ---- VALUES ---------------------------------------------------------------- */

static bool add_value(struct sweep_values *v, const char *text, double x)
{
    char *copy = strdup(text);
    if (!copy)
        return false;
    v->text[v->n] = copy;
    v->value[v->n++] = x;
    return true;
}

/* A number of the list or range `all`, trimmed. */
static enum rm_status number(const char *key, const char *all, const char *text, size_t len, double *out,
                             struct diag *d)
{
    char *t = strbuf_trim_dup(text, len);
    if (!t)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    bool ok = num_parse(t, strlen(t), '.', out);
    if (!ok)
        diag_error(d, NULL, "--vary %s: expected a number, got \"%s\" in \"%s\"", key, t, all);
    free(t);
    return ok ? RM_OK : RM_EINPUT;
}

/* "A:B" or "A:B:STEP" into v. */
static enum rm_status parse_range(const char *key, const char *text, struct sweep_values *v, struct diag *d)
{
    const char *c1 = strchr(text, ':'), *c2 = strchr(c1 + 1, ':');
    if (c2 && strchr(c2 + 1, ':'))
        return diag_error(d, NULL, "--vary %s: expected a range A:B or A:B:STEP, got \"%s\"", key, text);
    double a, b, step = 1;
    enum rm_status st;
    if ((st = number(key, text, text, (size_t)(c1 - text), &a, d)) != RM_OK ||
        (st = number(key, text, c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1), &b, d)) != RM_OK ||
        (c2 && (st = number(key, text, c2 + 1, strlen(c2 + 1), &step, d)) != RM_OK))
        return st;
    if (!c2 && (a != floor(a) || b != floor(b) || fabs(a) >= 1e15 || fabs(b) >= 1e15))
        return diag_error(d, NULL, "--vary %s: expected whole numbers in a range A:B (or a step, A:B:STEP), got \"%s\"",
                          key, text);
    if (a > b)
        return diag_error(d, NULL, "--vary %s: expected A <= B in the range A:B, got \"%s\"", key, text);
    if (!(step > 0))
        return diag_error(d, NULL, "--vary %s: expected a STEP > 0 in A:B:STEP, got \"%s\"", key, text);
    /* k steps from A, not a running sum, so no rounding accumulates; a
     * last value within a millionth of a step of B counts as B. */
    double count = floor((b - a) / step + 1e-6) + 1;
    if (!(count <= SWEEP_MAX_VALUES))
        return count < 1e9 ? diag_error(d, NULL, "--vary %s: expected at most %d values, got %.0f from \"%s\"", key,
                                        SWEEP_MAX_VALUES, count, text)
                           : diag_error(d, NULL, "--vary %s: expected at most %d values, got more than a billion "
                                        "from \"%s\"", key, SWEEP_MAX_VALUES, text);
    v->text = calloc((size_t)count, sizeof *v->text);
    v->value = calloc((size_t)count, sizeof *v->value);
    if (!v->text || !v->value)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    for (size_t k = 0; k < (size_t)count; k++) {
        double x = a + (double)k * step;
        char buf[64];
        snprintf(buf, sizeof buf, "%.15g", x == 0 ? 0 : x);
        if (!num_parse(buf, strlen(buf), '.', &x) || !add_value(v, buf, x))
            return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    return RM_OK;
}

/* "1,2,3,5,7" into v. */
static enum rm_status parse_list(const char *key, const char *text, struct sweep_values *v, struct diag *d)
{
    size_t count = 1;
    for (const char *p = text; *p; p++)
        count += *p == ',';
    if (count > SWEEP_MAX_VALUES)
        return diag_error(d, NULL, "--vary %s: expected at most %d values, got %zu in \"%s\"", key, SWEEP_MAX_VALUES,
                          count, text);
    v->text = calloc(count, sizeof *v->text);
    v->value = calloc(count, sizeof *v->value);
    if (!v->text || !v->value)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    for (const char *start = text;;) {
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        double x;
        enum rm_status st = number(key, text, start, len, &x, d);
        if (st != RM_OK)
            return st;
        /* Whole numbers past 2^53 (seeds) share doubles: there the text decides. */
        char *t = strbuf_trim_dup(start, len);
        if (!t)
            return diag_fail(d, RM_ENOMEM, "out of memory");
        for (size_t i = 0; i < v->n; i++)
            if (v->value[i] == x && (fabs(x) < 0x1p53 || !strcmp(v->text[i], t))) {
                free(t);
                return diag_error(d, NULL, "--vary %s: expected each value once, got %s twice in \"%s\"", key,
                                  v->text[i], text);
            }
        bool ok = add_value(v, t, x);
        free(t);
        if (!ok)
            return diag_fail(d, RM_ENOMEM, "out of memory");
        if (!end)
            return RM_OK;
        start = end + 1;
    }
}

enum rm_status sweep_values_parse(const char *text, struct sweep_values *out, struct diag *d)
{
    *out = (struct sweep_values){ 0 };
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return diag_error(d, NULL, "--vary: expected KEY=VALUES, e.g. services.CQ-MAL.departures_per_week=1:7, "
                          "got \"%s\"", text);
    char *values = strbuf_trim_dup(eq + 1, strlen(eq + 1));
    if (!values || !(out->key = strbuf_trim_dup(text, (size_t)(eq - text)))) {
        free(values);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    enum rm_status st;
    if (!out->key[0])
        st = diag_error(d, NULL, "--vary: expected KEY=VALUES, got \"%s\"", text);
    else if (!values[0])
        st = diag_error(d, NULL, "--vary %s: expected VALUES: a list 1,2,5, a range A:B or A:B:STEP, got \"\"",
                        out->key);
    else if (strchr(values, ':'))
        st = parse_range(out->key, values, out, d);
    else
        st = parse_list(out->key, values, out, d);
    free(values);
    if (st != RM_OK)
        sweep_values_fini(out);
    return st;
}

void sweep_values_fini(struct sweep_values *v)
{
    for (size_t i = 0; v->text && i < v->n; i++)
        free(v->text[i]);
    free(v->text);
    free(v->value);
    free(v->key);
    *v = (struct sweep_values){ 0 };
}

/* ---- the target ------------------------------------------------------------ */

enum rm_status sweep_target_parse(const char *text, struct sweep_target *out, struct diag *d)
{
    *out = (struct sweep_target){ 0 };
    const char *op = text;
    while ((op = strpbrk(op, "<>")) && op[1] != '=')
        op++;
    if (!op)
        return diag_error(d, NULL, "--target: expected METRIC@SCOPE>=X or METRIC@SCOPE<=X, e.g. "
                          "'%s@od:CQ-DE>=80', got \"%s\"", metric_name(METRIC_ON_TIME), text);
    out->at_least = *op == '>';
    struct metric_ref ref;
    enum rm_status st = metric_ref_parse(text, (size_t)(op - text), "--target", &ref, d);
    if (st != RM_OK)
        return st;
    char *x = strbuf_trim_dup(op + 2, strlen(op + 2));
    struct strbuf list = { 0 };
    out->metric = ref.metric->name;
    out->scope = ref.scope;  /* now the target's */
    if (!x) {
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    } else if (!metric_has_scope(ref.metric, out->scope)) {
        metric_scopes_text(&list, metric_scopes(ref.metric) & METRIC_SCOPE_RUN);
        st = diag_error(d, NULL, "--target: %s has no scope \"%s\"; expected %s", out->metric, out->scope,
                        strbuf_str(&list));
    } else if (!num_parse(x, strlen(x), '.', &out->threshold)) {
        st = diag_error(d, NULL, "--target: expected a number after %.2s, got \"%s\"", op, x);
    }
    strbuf_fini(&list);
    free(x);
    if (st != RM_OK)
        sweep_target_fini(out);
    return st;
}

void sweep_target_fini(struct sweep_target *t)
{
    free(t->scope);
    *t = (struct sweep_target){ 0 };
}

enum sweep_side sweep_side(const struct sweep_target *t, const struct stats_summary *s)
{
    double x = t->threshold;
    if (s->n == 0 || isnan(s->ci_low) || isnan(s->ci_high))
        return SWEEP_UNDECIDED;
    if (t->at_least)
        return s->ci_low >= x ? SWEEP_MEETS : s->ci_high < x ? SWEEP_FAILS : SWEEP_UNDECIDED;
    return s->ci_high <= x ? SWEEP_MEETS : s->ci_low > x ? SWEEP_FAILS : SWEEP_UNDECIDED;
}

/* ---- bisection ----------------------------------------------------------- */

enum rm_status sweep_bisect(size_t n, const struct sweep_target *t, sweep_probe *probe, void *ctx,
                            struct sweep_search *out, struct diag *d)
{
    *out = (struct sweep_search){ SWEEP_NONE, SIZE_MAX, SIZE_MAX, SIZE_MAX, 0, false };
    if (n == 0)
        return RM_OK;
    enum sweep_side *side = malloc(n * sizeof *side);
    if (!side)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    struct stats_summary s;
    enum rm_status st = probe(ctx, n - 1, &s, d);
    out->evaluated = 1;
    if (st != RM_OK)
        goto done;
    side[n - 1] = sweep_side(t, &s);
    if (side[n - 1] != SWEEP_MEETS) {
        out->closest = n - 1;
        if (n > 1) {  /* does it hold at the other end instead? */
            if ((st = probe(ctx, 0, &s, d)) != RM_OK)
                goto done;
            out->evaluated++;
            if (sweep_side(t, &s) == SWEEP_MEETS) {
                out->outcome = SWEEP_MET;
                out->answer = 0;
                out->reversed = true;
            }
        }
        goto done;
    }
    /* Invariant: hi meets it; lo fails or is undecided (-1: below the range). */
    long lo = -1, hi = (long)n - 1;
    while (hi - lo > 1) {
        long mid = lo + (hi - lo) / 2;
        if ((st = probe(ctx, (size_t)mid, &s, d)) != RM_OK)
            goto done;
        out->evaluated++;
        side[mid] = sweep_side(t, &s);
        if (side[mid] == SWEEP_MEETS)
            hi = mid;
        else
            lo = mid;
    }
    out->answer = (size_t)hi;
    out->outcome = SWEEP_MET;
    if (lo >= 0) {
        out->below = (size_t)lo;
        if (side[lo] == SWEEP_UNDECIDED)
            out->outcome = SWEEP_BETWEEN;
    }
done:
    free(side);
    return st;
}

/* ---- preparing -------------------------------------------------------------- */

/* One point of the grid: a value of each key. */
struct point {
    size_t at[SWEEP_MAX_KEYS];     /* value index per key */
    struct scenario *s;
    struct model *m;               /* from when it ran */
    struct stats_summary *summary; /* [model_rows(m)] */
    double *target;                /* [replications]: the target row's values */
    unsigned n;                    /* replications */
    double achieved[SWEEP_MAX_PRECISION];  /* each --precision target's half-width reached here */
    bool met[SWEEP_MAX_PRECISION];
    bool ran;
};

struct sweep_result {
    struct sweep_request q;
    struct run_precision *precision;  /* every point's targets; the caller's */
    size_t n_precision;
    unsigned max_replications;
    struct sweep_values key[SWEEP_MAX_KEYS];
    size_t n_keys;
    struct sweep_target target;
    bool has_target;
    struct point *point;           /* key 0 outer, key 1 inner */
    size_t n_points, n_ran;
    size_t *order;                 /* the points run, by value */
    struct sweep_search search;
    char *overlay;                 /* SCENARIO/proposals/NAME, or NULL */
    char *out;
    char *line;                    /* the target: line */
    double expected;               /* points a search is expected to run, for progress */
};

enum rm_status sweep_take_messages(const struct sweep_values *keys, size_t n_keys, struct diag *from, struct diag *d)
{
    for (size_t i = 0; i < diag_count(from); i++) {
        const char *msg = diag_message(from, i);
        struct strbuf b = { 0 };
        for (size_t k = 0; k < n_keys; k++) {
            size_t len = strlen(keys[k].key);
            if (!strncmp(msg, "--set ", 6) && !strncmp(msg + 6, keys[k].key, len) &&
                (msg[6 + len] == ':' || msg[6 + len] == ' ')) {
                strbuf_printf(&b, "--vary %s", msg + 6);
                break;
            }
        }
        if (b.oom) {
            strbuf_fini(&b);
            return diag_fail(d, RM_ENOMEM, "out of memory");
        }
        const char *text = b.len ? strbuf_str(&b) : msg;
        bool seen = false;  /* every point with a bad value says the same */
        for (size_t j = 0; !seen && j < diag_count(d); j++)
            seen = !strcmp(diag_message(d, j), text);
        if (!seen)
            diag_error(d, NULL, "%s", text);
        strbuf_fini(&b);
    }
    for (size_t i = 0; i < diag_warning_count(from); i++) {
        bool seen = false;
        for (size_t j = 0; !seen && j < diag_warning_count(d); j++)
            seen = !strcmp(diag_warning(d, j), diag_warning(from, i));
        if (!seen)
            diag_warn(d, NULL, "%s", diag_warning(from, i));
    }
    return diag_count(from) ? RM_EINPUT : RM_OK;
}

/* Loads point i: the user's sets, then one KEY=VALUE per key, which win. */
static enum rm_status load_point(struct sweep_result *w, size_t i, struct diag *d)
{
    struct point *p = &w->point[i];
    size_t n = w->q.n_sets + w->n_keys;
    const char **sets = malloc(n * sizeof *sets);
    char *own[SWEEP_MAX_KEYS] = { 0 };
    struct diag *mine = diag_create();
    enum rm_status st = sets && mine ? RM_OK : RM_ENOMEM;
    for (size_t k = 0; st == RM_OK && k < w->n_keys; k++) {
        const struct sweep_values *v = &w->key[k];
        size_t len = strlen(v->key) + strlen(v->text[p->at[k]]) + 2;
        if (!(own[k] = malloc(len)))
            st = RM_ENOMEM;
        else
            snprintf(own[k], len, "%s=%s", v->key, v->text[p->at[k]]);
    }
    if (st == RM_OK) {
        for (size_t j = 0; j < w->q.n_sets; j++)
            sets[j] = w->q.sets[j];
        for (size_t k = 0; k < w->n_keys; k++)
            sets[w->q.n_sets + k] = own[k];
        enum rm_status loaded = scenario_load(w->q.scenario_dir, w->overlay, sets, n, &p->s, mine);
        st = sweep_take_messages(w->key, w->n_keys, mine, d);
        if (st == RM_OK && loaded != RM_OK)
            st = diag_fail(d, loaded, "out of memory");
    } else {
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < w->n_keys; k++)
        free(own[k]);
    free(sets);
    diag_destroy(mine);
    return st;
}

/* "; it has od:CQ-DE, od:CQ-FR, ... (32 in all)": the scopes of the
 * target's kind that the model has. */
static void scope_hint(struct strbuf *b, const struct model *m, const struct sweep_target *t)
{
    unsigned kind = metric_scope_of(t->scope);
    size_t shown = 0, all = 0;
    for (size_t row = 0; row < model_rows(m); row++) {
        if (strcmp(model_row_metric(m, row), t->metric) || metric_scope_of(model_row_scope(m, row)) != kind)
            continue;
        if (model_row_month(m, row) >= 0)
            continue;  /* the monthly rows repeat the scopes */
        if (shown < 8)
            strbuf_printf(b, "%s%s", shown++ ? ", " : "; it has ", model_row_scope(m, row));
        all++;
    }
    if (all > shown)
        strbuf_printf(b, ", ... (%zu in all)", all);
}

/* Whether month row `row` of m is one of the target's months: its metric
 * and scope, in a month that begins after the warm-up ends (a month half
 * in the warm-up is a few days of mail). */
static bool target_month(const struct sweep_target *t, const struct model *m, const struct scenario *s, size_t row)
{
    int32_t month = model_row_month(m, row);
    return month >= 0 && calendar_month_start(month) >= s->start_day + s->warmup_d
           && !strcmp(model_row_metric(m, row), t->metric) && !strcmp(model_row_scope(m, row), t->scope);
}

/* --every-month needs a metric reported month by month at that scope, and
 * at least one month after the warm-up. */
static enum rm_status check_months(const struct sweep_result *w, const struct model *m, struct diag *d)
{
    const struct sweep_target *t = &w->target;
    const struct metric *mt = metric_find(t->metric);
    if (!(metric_scopes(mt) & METRIC_SCOPE_MONTH) || !(metric_scope_of(t->scope) & METRIC_SCOPE_MONTHLY)) {
        struct strbuf kinds = { 0 };
        metric_scopes_text(&kinds, METRIC_SCOPE_MONTHLY & METRIC_SCOPE_RUN & metric_scopes(mt));
        enum rm_status st = metric_scopes(mt) & METRIC_SCOPE_MONTH
                                ? diag_error(d, NULL, "--every-month: %s is reported month by month at %s, not at %s",
                                             t->metric, strbuf_str(&kinds), t->scope)
                                : diag_error(d, NULL, "--every-month: %s is not reported month by month", t->metric);
        strbuf_fini(&kinds);
        return st;
    }
    for (size_t row = 0; row < model_rows(m); row++)
        if (target_month(t, m, w->point[0].s, row))
            return RM_OK;
    return diag_error(d, NULL, "--every-month: no posting month begins after the warm-up (%g days) and before the "
                      "horizon (%g days)", w->point[0].s->warmup_d, w->point[0].s->horizon_d);
}

/* The target's metric and scope exist, and every point has enough
 * replications for its confidence bound. */
static enum rm_status check_target(struct sweep_result *w, struct diag *d)
{
    const struct sweep_target *t = &w->target;
    struct model *m = model_create(w->point[0].s);
    if (!m)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    enum rm_status st = RM_OK;
    if (model_row(m, t->metric, t->scope) == SIZE_MAX) {
        struct strbuf hint = { 0 };
        scope_hint(&hint, m, t);
        st = diag_error(d, NULL, "--target: unknown scope \"%s\" for %s in this scenario%s", t->scope, t->metric,
                        strbuf_str(&hint));
        strbuf_fini(&hint);
    }
    if (st == RM_OK && t->every_month)
        st = check_months(w, m, d);
    model_destroy(m);
    for (size_t i = 0; st == RM_OK && i < w->n_points; i++)
        if (w->point[i].s->replications < SWEEP_MIN_REPLICATIONS)
            st = diag_error(d, NULL, "--target: a confidence bound needs at least %d replications; this sweep has %u "
                            "(use -r)", SWEEP_MIN_REPLICATIONS, w->point[i].s->replications);
    return st;
}

static enum rm_status check_keys(struct sweep_result *w, struct diag *d)
{
    const struct sweep_request *q = &w->q;
    if (q->n_vary == 0)
        return diag_error(d, NULL, "sweep: expected --vary KEY=VALUES, e.g. "
                          "--vary services.CQ-MAL.departures_per_week=1:7");
    if (q->n_vary > SWEEP_MAX_KEYS)
        return diag_error(d, NULL, "--vary: expected at most %d (a grid of two keys), got %zu", SWEEP_MAX_KEYS,
                          q->n_vary);
    enum rm_status st = RM_OK;
    for (size_t k = 0; k < q->n_vary; k++) {
        if (sweep_values_parse(q->vary[k], &w->key[k], d) != RM_OK) {
            st = diag_count(d) ? RM_EINPUT : RM_ENOMEM;
            continue;
        }
        w->n_keys = k + 1;
        if (k == 1 && w->key[0].key && !strcmp(w->key[0].key, w->key[1].key))
            st = diag_error(d, NULL, "--vary %s: expected two different keys, got this one twice", w->key[1].key);
    }
    if (q->every_month && !q->target)
        return diag_error(d, NULL, "--every-month: expected a --target to hold in every month");
    if (st == RM_OK && q->target) {
        if (sweep_target_parse(q->target, &w->target, d) != RM_OK)
            return diag_count(d) ? RM_EINPUT : RM_ENOMEM;
        w->has_target = true;
        w->target.every_month = q->every_month;
        if (w->n_keys != 1)
            return diag_error(d, NULL, "--target: expected one --vary, whose least value meeting it is sought; got %zu",
                              w->n_keys);
        const struct sweep_values *v = &w->key[0];
        for (size_t i = 1; i < v->n; i++)
            if (v->value[i] <= v->value[i - 1])
                return diag_error(d, NULL, "--target: expected the values of --vary %s in increasing order, got %s "
                                  "after %s", v->key, v->text[i], v->text[i - 1]);
    }
    if (st == RM_OK && w->n_keys == 2 && w->key[0].n * w->key[1].n > SWEEP_MAX_VALUES)
        st = diag_error(d, NULL, "--vary: expected at most %d points in a grid, got %zu x %zu", SWEEP_MAX_VALUES,
                        w->key[0].n, w->key[1].n);
    return st;
}

/* The proposal's directory, checked as compare checks its names. */
static enum rm_status find_proposal(struct sweep_result *w, struct diag *d)
{
    return w->q.proposal ? scenario_proposal_dir(w->q.scenario_dir, w->q.proposal, &w->overlay, d) : RM_OK;
}

static enum rm_status prepare(struct sweep_result *w, struct diag *d)
{
    enum rm_status st;
    if ((st = check_keys(w, d)) != RM_OK || (st = find_proposal(w, d)) != RM_OK)
        return st;
    w->n_points = w->key[0].n * (w->n_keys == 2 ? w->key[1].n : 1);
    w->point = calloc(w->n_points, sizeof *w->point);
    w->order = calloc(w->n_points, sizeof *w->order);
    if (!w->point || !w->order)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    size_t inner = w->n_keys == 2 ? w->key[1].n : 1;
    for (size_t i = 0; i < w->n_points; i++) {
        w->point[i].at[0] = i / inner;
        w->point[i].at[1] = i % inner;
    }
    /* The first point alone: a key that is no --set key is one message. */
    if ((st = load_point(w, 0, d)) != RM_OK)
        return st;
    for (size_t i = 1; i < w->n_points; i++)
        if ((st = load_point(w, i, d)) == RM_ENOMEM)
            return st;
    if (diag_count(d))
        return RM_EINPUT;
    if (w->has_target && (st = check_target(w, d)) != RM_OK)
        return st;
    const char *base = scenario_basename(w->point[0].s);
    size_t len = strlen(base) + (w->q.proposal ? strlen(w->q.proposal) : 0) + 32;
    if (!(w->out = malloc(len)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    if (w->q.proposal)
        snprintf(w->out, len, "results/%s-%s-sweep", base, w->q.proposal);
    else
        snprintf(w->out, len, "results/%s-sweep", base);
    /* what a search runs: the largest value, then halves (for progress only) */
    w->expected = w->has_target ? fmin((double)w->n_points, 1 + ceil(log2((double)w->n_points + 1)))
                                : (double)w->n_points;
    return RM_OK;
}

enum rm_status sweep_prepare(const struct sweep_request *q, struct sweep_result **out, struct diag *d)
{
    *out = NULL;
    struct sweep_result *w = calloc(1, sizeof *w);
    if (!w)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    w->q = *q;
    enum rm_status st = prepare(w, d);
    if (st != RM_OK) {
        sweep_destroy(w);
        return st;
    }
    *out = w;
    return RM_OK;
}

size_t sweep_memory_estimate(const struct sweep_result *w)
{
    /* one point runs at a time; each keeps its summaries, its target
     * values and its model (row names, about 64 bytes a row) */
    size_t kept = 0, peak = 0;
    for (size_t i = 0; i < w->n_points; i++) {
        const struct scenario *s = w->point[i].s;
        struct model *m = model_create(s);
        if (!m)
            return SIZE_MAX / 4;
        unsigned n = w->n_precision && w->max_replications > s->replications ? w->max_replications
                                                                             : s->replications;
        size_t one = run_memory_estimate(m, n, w->q.jobs, NULL);
        if (kept + one > peak)
            peak = kept + one;
        kept += model_rows(m) * (sizeof(struct stats_summary) + 64) + s->replications * sizeof(double);
        model_destroy(m);
    }
    return peak;
}

unsigned sweep_replications(const struct sweep_result *w)
{
    unsigned most = 0;
    for (size_t i = 0; i < w->n_points; i++)
        if (w->point[i].ran && w->point[i].n > most)
            most = w->point[i].n;
    return most;
}

const struct scenario *sweep_scenario(const struct sweep_result *w)
{
    return w->point[0].s;
}

void sweep_set_precision(struct sweep_result *w, struct run_precision *p, size_t n, unsigned max_replications)
{
    w->precision = p;
    w->n_precision = n < SWEEP_MAX_PRECISION ? n : SWEEP_MAX_PRECISION;
    w->max_replications = max_replications;
}

const char *sweep_default_out(const struct sweep_result *w)
{
    return w->out;
}

/* ---- running ---------------------------------------------------------------- */

/* "point-001": the point's subdirectory, numbered from 1 in grid order,
 * with as many digits as the largest number needs (at least three). */
static void point_name(const struct sweep_result *w, size_t i, char *buf, size_t len)
{
    int digits = 3;
    for (size_t n = w->n_points; n >= 1000; n /= 10)
        digits++;
    snprintf(buf, len, "point-%0*zu", digits, i + 1);
}

struct run_ctx {
    struct sweep_result *w;
    const char *dir;
    const char *reuse_dir;        /* earlier results whose points' replications may be reused, or NULL */
    size_t done;                  /* points run so far */
};

static void point_progress(void *ctx, double done)
{
    struct run_ctx *rc = ctx;
    double share = ((double)rc->done + done) / rc->w->expected;
    rc->w->q.progress(rc->w->q.progress_ctx, share < 1 ? share : 1);
}

/* A point that ran (here, or on another rank and loaded) joins the sweep,
 * in the order the points are taken: the sweep reached its least precise
 * point's precision. */
static void keep_point(struct run_ctx *rc, size_t i)
{
    struct sweep_result *w = rc->w;
    struct point *p = &w->point[i];
    for (size_t k = 0; k < w->n_precision; k++) {
        struct run_precision *all = &w->precision[k];
        bool first = w->n_ran == 0;
        all->met = (first || all->met) && p->met[k];
        if (first || !(p->achieved[k] <= all->achieved))
            all->achieved = p->achieved[k];
    }
    p->ran = true;
    w->order[w->n_ran++] = i;
    rc->done++;
}

/* Runs point i into `sub` (created), reusing the replications kept in `old`
 * (or none), and keeps what the sweep's CSV and the table need. */
static enum rm_status run_point_in(struct run_ctx *rc, size_t i, const char *sub, const char *old, struct diag *d)
{
    struct sweep_result *w = rc->w;
    struct point *p = &w->point[i];
    char name[32];
    point_name(w, i, name, sizeof name);
    if (!(p->m = model_create(p->s)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    /* the precision targets, found again in this point's model */
    struct run_precision prec[SWEEP_MAX_PRECISION];
    for (size_t k = 0; k < w->n_precision; k++) {
        prec[k] = w->precision[k];
        if ((prec[k].row = model_row(p->m, prec[k].metric, prec[k].scope)) == SIZE_MAX)
            return diag_error(d, NULL, "--precision %s@%s: this point has no such row", prec[k].metric, prec[k].scope);
    }
    struct run_options ro = { .replications = p->s->replications, .jobs = w->q.jobs, .batches = w->q.batches,
                              .tracking = w->q.tracking, .precision = prec, .n_precision = w->n_precision,
                              .max_replications = w->max_replications, .reuse_dir = old,
                              .key = p->s->key, .progress = w->q.progress ? point_progress : NULL,
                              .progress_ctx = rc };
    struct run_result res;
    enum rm_status st = run_replications(p->m, &ro, p->s->confidence, sub, &res, d);
    if (st != RM_OK)
        return st;
    for (size_t k = 0; k < w->n_precision; k++)
        p->achieved[k] = prec[k].achieved, p->met[k] = prec[k].met;
    run_warn_undelivered(&res, p->s, name, d);
    st = report_run(sub, p->s, &res, RESULTS_RUN, d);
    size_t rows = model_rows(p->m);
    if (st == RM_OK && !(p->summary = malloc(rows * sizeof *p->summary)))
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    if (st == RM_OK) {
        memcpy(p->summary, res.summary, rows * sizeof *p->summary);
        p->n = res.n;
    }
    /* with --every-month the binding month moves from point to point: no pairing */
    size_t row = w->has_target && !w->target.every_month ? model_row(p->m, w->target.metric, w->target.scope)
                                                         : SIZE_MAX;
    if (st == RM_OK && row != SIZE_MAX) {
        if (!(p->target = malloc(res.n * sizeof *p->target)))
            st = diag_fail(d, RM_ENOMEM, "out of memory");
        for (unsigned r = 0; st == RM_OK && r < res.n; r++)
            p->target[r] = run_value(&res, r, row);
    }
    run_result_fini(&res);
    if (st == RM_OK)
        keep_point(rc, i);
    return st;
}

/* Runs point i into dir/point-NNN, reusing reuse_dir/point-NNN; a point
 * runs once (a search may come back to it). */
static enum rm_status run_point(struct run_ctx *rc, size_t i, struct diag *d)
{
    struct sweep_result *w = rc->w;
    if (w->point[i].ran)
        return RM_OK;
    char name[32], sub[4096], old[4200];
    point_name(w, i, name, sizeof name);
    snprintf(sub, sizeof sub, "%s/%s", rc->dir, name);
    if (mkdir(sub, 0777) != 0)
        return diag_fail(d, RM_EIO, "cannot create %s: %s", sub, strerror(errno));
    if (rc->reuse_dir)
        snprintf(old, sizeof old, "%s/%s", rc->reuse_dir, name);
    return run_point_in(rc, i, sub, rc->reuse_dir ? old : NULL, d);
}

/* ---- the grid as independent settings (run_each_setting) ---- */

static void setting_name(void *ctx, size_t i, char *buf, size_t len)
{
    struct run_ctx *rc = ctx;
    point_name(rc->w, i, buf, len);
}

static enum rm_status setting_run(void *ctx, size_t i, const char *dir, const char *reuse, struct diag *d)
{
    return run_point_in(ctx, i, dir, reuse, d);
}

/* What a point keeps, as bytes for another rank of the same binary: its
 * scenario key (to check both read the same inputs), replications, rows,
 * precision reached, then its summaries and target values raw, so every
 * double arrives bit for bit. */
struct saved_point {
    unsigned char key[32];
    uint64_t n, rows, targets;
    double achieved[SWEEP_MAX_PRECISION];
    unsigned char met[SWEEP_MAX_PRECISION];
};

static enum rm_status setting_save(void *ctx, size_t i, char **data, size_t *len, struct diag *d)
{
    struct run_ctx *rc = ctx;
    const struct point *p = &rc->w->point[i];
    struct saved_point h = { .n = p->n, .rows = model_rows(p->m), .targets = p->target ? p->n : 0 };
    memcpy(h.key, p->s->key, sizeof h.key);
    for (size_t k = 0; k < rc->w->n_precision; k++)
        h.achieved[k] = p->achieved[k], h.met[k] = p->met[k];
    size_t sum = h.rows * sizeof *p->summary, tgt = h.targets * sizeof *p->target;
    if (!(*data = malloc(sizeof h + sum + tgt)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    memcpy(*data, &h, sizeof h);
    memcpy(*data + sizeof h, p->summary, sum);
    if (tgt)
        memcpy(*data + sizeof h + sum, p->target, tgt);
    *len = sizeof h + sum + tgt;
    return RM_OK;
}

static enum rm_status setting_load(void *ctx, size_t i, const char *data, size_t len, struct diag *d)
{
    struct run_ctx *rc = ctx;
    struct point *p = &rc->w->point[i];
    struct saved_point h;
    if (len < sizeof h)
        return diag_fail(d, RM_ERUN, "a point's summaries arrived cut short");
    memcpy(&h, data, sizeof h);
    if (memcmp(h.key, p->s->key, sizeof h.key))
        return diag_error(d, NULL, "the scenario read on this node differs from rank 0's: every node needs the "
                          "same input files");
    if (!(p->m = model_create(p->s)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    size_t sum = h.rows * sizeof *p->summary, tgt = h.targets * sizeof *p->target;
    if (h.rows != model_rows(p->m) || len != sizeof h + sum + tgt)
        return diag_fail(d, RM_ERUN, "a point's summaries arrived cut short");
    if (!(p->summary = malloc(sum)) || (tgt && !(p->target = malloc(tgt))))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    memcpy(p->summary, data + sizeof h, sum);
    if (tgt)
        memcpy(p->target, data + sizeof h + sum, tgt);
    p->n = (unsigned)h.n;
    for (size_t k = 0; k < rc->w->n_precision; k++)
        p->achieved[k] = h.achieved[k], p->met[k] = h.met[k];
    keep_point(rc, i);
    return RM_OK;
}

/* With --every-month, the month that binds at a point: one whose interval
 * is wholly on the wrong side if any is, else one that is undecided if any
 * is, else the one whose decisive bound is nearest the threshold; so the
 * target holds in every month exactly when it holds in this one. */
static struct stats_summary binding_month(const struct sweep_result *w, const struct point *p, int32_t *month)
{
    const struct sweep_target *t = &w->target;
    struct stats_summary worst = { NAN, NAN, NAN, NAN, 0 };
    enum sweep_side worst_side = SWEEP_MEETS;
    *month = -1;
    for (size_t row = 0; row < model_rows(p->m); row++) {
        if (!target_month(t, p->m, p->s, row))
            continue;
        const struct stats_summary *s = &p->summary[row];
        enum sweep_side side = sweep_side(t, s);  /* FAILS < UNDECIDED < MEETS */
        bool worse = t->at_least ? s->ci_low < worst.ci_low : s->ci_high > worst.ci_high;
        if (*month < 0 || side < worst_side || (side == worst_side && worse)) {
            worst = *s;
            worst_side = side;
            *month = model_row_month(p->m, row);
        }
    }
    return worst;
}

/* The target row's summary at a point that ran (n = 0 when it has none);
 * with --every-month, its binding month's. */
static struct stats_summary target_summary(const struct sweep_result *w, const struct point *p)
{
    int32_t month;
    if (w->target.every_month)
        return binding_month(w, p, &month);
    size_t row = model_row(p->m, w->target.metric, w->target.scope);
    return row == SIZE_MAX ? (struct stats_summary){ NAN, NAN, NAN, NAN, 0 } : p->summary[row];
}

static enum rm_status probe_point(void *ctx, size_t i, struct stats_summary *out, struct diag *d)
{
    struct run_ctx *rc = ctx;
    enum rm_status st = run_point(rc, i, d);
    if (st == RM_OK)
        *out = target_summary(rc->w, &rc->w->point[i]);
    return st;
}

/* True when point i comes before point j in value order, key 0 first. */
static bool before(const struct sweep_result *w, size_t i, size_t j)
{
    for (size_t k = 0; k < w->n_keys; k++) {
        double u = w->key[k].value[w->point[i].at[k]], v = w->key[k].value[w->point[j].at[k]];
        if (u != v)
            return u < v;
    }
    return false;
}

/* The points that ran, in value order (insertion sort: at most a
 * thousand, usually in order already). */
static void sort_points(struct sweep_result *w)
{
    for (size_t a = 1; a < w->n_ran; a++)
        for (size_t b = a; b > 0 && before(w, w->order[b], w->order[b - 1]); b--) {
            size_t t = w->order[b];
            w->order[b] = w->order[b - 1];
            w->order[b - 1] = t;
        }
}

static const char *value_text(const struct sweep_result *w, const struct point *p, size_t k)
{
    return w->key[k].text[p->at[k]];
}

/* "METRIC@od:CQ-DE >= 80", or "METRIC >= 80" for all */
static void target_text(struct strbuf *b, const struct sweep_target *t)
{
    bool all = !strcmp(t->scope, "all");
    strbuf_printf(b, "%s%s%s %s %g", t->metric, all ? "" : "@", all ? "" : t->scope, t->at_least ? ">=" : "<=",
                  t->threshold);
}

/* " (binding month 2024-07)" at a point, with --every-month. */
static void month_text(struct strbuf *b, const struct sweep_result *w, const struct point *p)
{
    int32_t month;
    char text[8];
    if (!w->target.every_month)
        return;
    binding_month(w, p, &month);
    if (month >= 0) {
        calendar_month_format(month, text);
        strbuf_printf(b, " in %s", text);
    }
}

/* The bound that decides, at a point: the lower for >=, the upper for <=. */
static double bound_of(const struct sweep_target *t, const struct stats_summary *s)
{
    return t->at_least ? s->ci_low : s->ci_high;
}

/* Warns where the evaluated points contradict what the search assumes:
 * that the target, once met, stays met at larger values, and so that the
 * metric moves its way. Neighbouring points are paired replication by
 * replication, so a move against it is judged on paired differences. */
static void check_monotone(const struct sweep_result *w, struct diag *d)
{
    const struct sweep_target *t = &w->target;
    const char *key = w->key[0].key;
    struct strbuf what = { 0 };
    target_text(&what, t);
    for (size_t a = 0; a < w->n_ran; a++) {
        const struct point *p = &w->point[w->order[a]];
        struct stats_summary sp = target_summary(w, p);
        if (sweep_side(t, &sp) != SWEEP_MEETS)
            continue;
        for (size_t b = w->n_ran; b-- > a + 1;) {
            const struct point *q = &w->point[w->order[b]];
            struct stats_summary sq = target_summary(w, q);
            if (sweep_side(t, &sq) != SWEEP_MEETS) {
                diag_warn(d, NULL, "target: %s holds%s at %s = %s but not at %s, while the search assumes that "
                          "once it holds it holds at every larger value: read the answer against " RESULTS_SWEEP_CSV,
                          strbuf_str(&what), t->every_month ? " in every month" : "", key, value_text(w, p, 0),
                          value_text(w, q, 0));
                a = w->n_ran;  /* once is enough */
                break;
            }
        }
    }
    for (size_t a = 0; a + 1 < w->n_ran; a++) {
        const struct point *p = &w->point[w->order[a]], *q = &w->point[w->order[a + 1]];
        if (!p->target || !q->target)
            continue;
        struct stats_paired cs;
        stats_paired_test(p->target, q->target, p->n < q->n ? p->n : q->n, p->s->confidence, &cs);
        bool against = t->at_least ? cs.diff_ci_high < 0 : cs.diff_ci_low > 0;
        if (cs.n >= 2 && against)
            diag_warn(d, NULL, "target: %s@%s %s from %.4g at %s = %s to %.4g at %s (paired difference %.4g, "
                      "%.4g%% interval [%.4g, %.4g]), while the search assumes it %s with %s: read the answer "
                      "against " RESULTS_SWEEP_CSV, t->metric, t->scope, t->at_least ? "falls" : "rises", cs.baseline_mean,
                      key, value_text(w, p, 0), cs.proposal_mean, value_text(w, q, 0), cs.diff,
                      100 * p->s->confidence, cs.diff_ci_low, cs.diff_ci_high, t->at_least ? "rises" : "falls",
                      key);
    }
    strbuf_fini(&what);
}

/* The one line that answers the target. */
static char *answer_line(const struct sweep_result *w)
{
    const struct sweep_target *t = &w->target;
    const struct sweep_search *r = &w->search;
    const struct sweep_values *v = &w->key[0];
    double conf = 100 * w->point[0].s->confidence;
    const char *bound = t->at_least ? "lower" : "upper", *other = t->at_least ? "upper" : "lower";
    const char *every = t->every_month ? " in every month" : "";
    struct strbuf b = { 0 }, what = { 0 };
    target_text(&what, t);
    if (r->outcome == SWEEP_NONE) {
        struct stats_summary s = target_summary(w, &w->point[r->closest]);
        strbuf_printf(&b, "target: no value of %s from %s to %s meets %s%s with %.4g%% confidence", v->key, v->text[0],
                      v->text[v->n - 1], strbuf_str(&what), every, conf);
        const struct point *c = &w->point[r->closest];
        if (isnan(s.mean)) {
            strbuf_printf(&b, " (at %s it is undefined", v->text[r->closest]);
            month_text(&b, w, c);
            strbuf_printf(&b, ": no batch of %s counts after the warm-up)", t->scope);
        } else if (sweep_side(t, &s) == SWEEP_UNDECIDED && s.n) {
            strbuf_printf(&b, " (at %s its interval [%.2f, %.2f]", v->text[r->closest], s.ci_low, s.ci_high);
            month_text(&b, w, c);
            strbuf_printf(&b, " still contains %g: more replications may tell)", t->threshold);
        } else {
            strbuf_printf(&b, " (at %s the %s bound is %.2f", v->text[r->closest], bound, bound_of(t, &s));
            month_text(&b, w, c);
            strbuf_printf(&b, ")");
        }
    } else {
        const struct point *a = &w->point[r->answer], *u_at = r->below == SIZE_MAX ? NULL : &w->point[r->below];
        struct stats_summary s = target_summary(w, a);
        if (r->outcome == SWEEP_BETWEEN) {
            struct stats_summary u = target_summary(w, u_at);
            strbuf_printf(&b, "target: %s lies between %s and %s: %s holds%s with %.4g%% confidence at %s (%s bound "
                          "%.2f", v->key, v->text[r->below], v->text[r->answer], strbuf_str(&what), every, conf,
                          v->text[r->answer], bound, bound_of(t, &s));
            month_text(&b, w, a);
            strbuf_printf(&b, "), but at %s the interval [%.2f, %.2f]", v->text[r->below], u.ci_low, u.ci_high);
            month_text(&b, w, u_at);
            strbuf_printf(&b, " contains %g, which this precision cannot separate", t->threshold);
        } else if (r->below == SIZE_MAX) {
            strbuf_printf(&b, "target: %s = %s, the least value in the range, already meets %s%s with %.4g%% "
                          "confidence (%s bound %.2f", v->key, v->text[r->answer], strbuf_str(&what), every, conf, bound,
                          bound_of(t, &s));
            month_text(&b, w, a);
            strbuf_printf(&b, ")");
        } else {
            struct stats_summary u = target_summary(w, u_at);
            strbuf_printf(&b, "target: %s = %s, the least value at which %s holds%s with %.4g%% confidence (%s bound "
                          "%.2f", v->key, v->text[r->answer], strbuf_str(&what), every, conf, bound, bound_of(t, &s));
            month_text(&b, w, a);
            strbuf_printf(&b, "; at %s the %s bound is %.2f", v->text[r->below], other,
                          t->at_least ? u.ci_high : u.ci_low);
            month_text(&b, w, u_at);
            strbuf_printf(&b, ")");
        }
    }
    strbuf_printf(&b, "; %zu of %zu values evaluated", r->evaluated, v->n);
    strbuf_fini(&what);
    return strbuf_take(&b);
}

/* ---- files -------------------------------------------------------------------- */

/* Copies the records of `from` after its header into `to`, each after
 * `prefix`; a quoted field may hold a line end. */
static void copy_rows(FILE *from, FILE *to, const char *prefix)
{
    bool quoted = false, header = true, start = false;
    for (int c; (c = getc(from)) != EOF;) {
        if (start) {
            fputs(prefix, to);
            start = false;
        }
        if (!header)
            putc(c, to);
        if (c == '"')
            quoted = !quoted;
        else if (c == '\n' && !quoted)
            header = false, start = true;
    }
}

/* One collected file: the keys' columns and `columns`, then each point's
 * rows of its own file `own`. */
static enum rm_status collect_one(const struct sweep_collect *c, const char *name, const char *columns,
                                  const char *own, struct diag *d)
{
    char path[4096], from[4200], point[64];
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
    for (size_t k = 0; k < c->n_keys; k++)
        csvwrite_field(f, c->key[k].key), fputc(',', f);
    csvwrite_header(f, columns);
    enum rm_status st = RM_OK;
    for (size_t a = 0; st == RM_OK && a < c->n; a++) {
        const char *values[SWEEP_COLLECT_MAX_KEYS];
        c->point(c->ctx, a, point, sizeof point, values);
        struct strbuf prefix = { 0 };
        for (size_t k = 0; k < c->n_keys; k++) {
            char *field = csvwrite_field_dup(values[k]);
            strbuf_printf(&prefix, "%s,", field ? field : "");
            free(field);
        }
        snprintf(from, sizeof from, "%s/%s/%s", c->dir, point, own);
        FILE *in = fopen(from, "r");
        if (!in)
            st = diag_fail(d, RM_EIO, "cannot read %s: %s", from, strerror(errno));
        else {
            copy_rows(in, f, strbuf_str(&prefix));
            if (ferror(in))
                st = diag_fail(d, RM_EIO, "cannot read %s", from);
            fclose(in);
        }
        strbuf_fini(&prefix);
    }
    if ((ferror(f) | fclose(f)) && st == RM_OK)
        st = diag_fail(d, RM_EIO, "cannot write %s", path);
    return st;
}

enum rm_status sweep_collect_files(const struct sweep_collect *c, struct diag *d)
{
    if (!run_keeps_results())
        return RM_OK;  /* railmail-mpi's other ranks: the points are on rank 0's disk */
    enum rm_status st = collect_one(c, RESULTS_SWEEP_CSV, RESULTS_SUMMARY_COLUMNS, RESULTS_SUMMARY_CSV, d);
    if (st == RM_OK)
        st = collect_one(c, RESULTS_SWEEP_MONTHLY_CSV, RESULTS_MONTHLY_COLUMNS, RESULTS_MONTHLY_CSV, d);
    return st;
}

static void collected_point(const void *ctx, size_t a, char *name, size_t len, const char **values)
{
    const struct sweep_result *w = ctx;
    point_name(w, w->order[a], name, len);
    for (size_t k = 0; k < w->n_keys; k++)
        values[k] = value_text(w, &w->point[w->order[a]], k);
}

static void write_points_csv(FILE *f, const struct sweep_result *w)
{
    csvwrite_field(f, RESULTS_COL_POINT);
    for (size_t k = 0; k < w->n_keys; k++)
        fputc(',', f), csvwrite_field(f, w->key[k].key);
    fputc('\n', f);
    for (size_t a = 0; a < w->n_ran; a++) {
        char name[32];
        point_name(w, w->order[a], name, sizeof name);
        fputs(name, f);
        for (size_t k = 0; k < w->n_keys; k++)
            fputc(',', f), csvwrite_field(f, value_text(w, &w->point[w->order[a]], k));
        fputc('\n', f);
    }
}

static void pair_number(FILE *f, const char *key, double x)
{
    csvwrite_field(f, key);
    fputc(',', f);
    csvwrite_number(f, x);
    fputc('\n', f);
}

static void write_target_csv(FILE *f, const struct sweep_result *w)
{
    const struct sweep_target *t = &w->target;
    const struct sweep_search *r = &w->search;
    const struct sweep_values *v = &w->key[0];
    static const char *const outcome[] = { [SWEEP_MET] = "met", [SWEEP_BETWEEN] = "between", [SWEEP_NONE] = "none" };
    size_t at = r->outcome == SWEEP_NONE ? r->closest : r->answer;
    struct stats_summary s = target_summary(w, &w->point[at]);
    char count[32];
    csvwrite_header(f, RESULTS_KEY_VALUE_COLUMNS);
    csvwrite_pair(f, RESULTS_TARGET_PARAMETER, v->key);
    csvwrite_pair(f, RESULTS_TARGET_VALUE, r->outcome == SWEEP_NONE ? "" : v->text[r->answer]);
    csvwrite_pair(f, RESULTS_TARGET_MET, r->outcome == SWEEP_NONE ? "no" : "yes");
    csvwrite_pair(f, RESULTS_TARGET_METRIC, t->metric);
    csvwrite_pair(f, RESULTS_TARGET_SCOPE, t->scope);
    csvwrite_pair(f, RESULTS_TARGET_OPERATOR, t->at_least ? ">=" : "<=");
    pair_number(f, RESULTS_TARGET_THRESHOLD, t->threshold);
    pair_number(f, RESULTS_TARGET_BOUND, bound_of(t, &s));
    csvwrite_pair(f, RESULTS_TARGET_BOUND_AT, v->text[at]);
    pair_number(f, RESULTS_TARGET_CONFIDENCE, w->point[0].s->confidence);
    csvwrite_pair(f, RESULTS_TARGET_OUTCOME, outcome[r->outcome]);
    csvwrite_pair(f, RESULTS_TARGET_VALUE_BELOW, r->below == SIZE_MAX ? "" : v->text[r->below]);
    snprintf(count, sizeof count, "%zu", r->evaluated);
    csvwrite_pair(f, RESULTS_TARGET_POINTS_EVALUATED, count);
    snprintf(count, sizeof count, "%zu", v->n);
    csvwrite_pair(f, RESULTS_TARGET_POINTS, count);
    if (t->every_month) {  /* and the month that binds at bound_at */
        int32_t month;
        char text[8] = "";
        binding_month(w, &w->point[at], &month);
        if (month >= 0)
            calendar_month_format(month, text);
        csvwrite_pair(f, RESULTS_TARGET_EVERY_MONTH, "yes");
        csvwrite_pair(f, RESULTS_TARGET_BOUND_MONTH, text);
    }
}

static enum rm_status write_file(const char *dir, const char *name, const struct sweep_result *w,
                                 void (*write)(FILE *, const struct sweep_result *), const char *mode, struct diag *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, mode);
    if (!f)
        return diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
    write(f, w);
    if (ferror(f) | fclose(f))
        return diag_fail(d, RM_EIO, "cannot write %s", path);
    return RM_OK;
}

/* The fewest and the most replications a point that ran has: with
 * --precision each point runs its own rounds. */
static void replication_span(const struct sweep_result *w, unsigned *lo, unsigned *hi)
{
    *lo = *hi = w->point[0].s->replications;
    bool first = true;
    for (size_t i = 0; i < w->n_points; i++) {
        const struct point *p = &w->point[i];
        if (!p->ran)
            continue;
        if (first || p->n < *lo)
            *lo = p->n;
        if (first || p->n > *hi)
            *hi = p->n;
        first = false;
    }
}

static unsigned most_replications(const struct sweep_result *w)
{
    unsigned lo, hi;
    replication_span(w, &lo, &hi);
    return hi;
}

/* What the chart settings add for a sweep: the keys varied and the target. */
static void write_meta_rows(FILE *f, const struct sweep_result *w)
{
    for (size_t k = 0; k < w->n_keys; k++)
        csvwrite_pair(f, RESULTS_KEY_VARY, w->key[k].key);
    if (w->has_target) {
        struct strbuf b = { 0 };
        target_text(&b, &w->target);
        csvwrite_pair(f, RESULTS_KEY_TARGET, strbuf_str(&b));
        strbuf_fini(&b);
    }
}

enum rm_status sweep_run(struct sweep_result *w, const char *dir, const char *reuse_dir, struct diag *d)
{
    struct run_ctx rc = { w, dir, reuse_dir, 0 };
    enum rm_status st = RM_OK;
    if (w->has_target) {
        st = sweep_bisect(w->n_points, &w->target, probe_point, &rc, &w->search, d);
        if (st == RM_OK && !(w->line = answer_line(w)))
            st = diag_fail(d, RM_ENOMEM, "out of memory");
    } else {  /* every point, independent of the others: ranks may share them out */
        struct run_settings set = { w->n_points, &rc, setting_name, setting_run, setting_save, setting_load, false };
        st = run_each_setting(&set, dir, reuse_dir, d);
    }
    if (st != RM_OK)
        return st;
    sort_points(w);
    if (w->has_target)
        check_monotone(w, d);
    const char *proposal = w->q.proposal;
    struct sweep_collect files = { dir, w->key, w->n_keys, w->n_ran, collected_point, w };
    if ((st = sweep_collect_files(&files, d)) == RM_OK &&
        (st = write_file(dir, RESULTS_POINTS_CSV, w, write_points_csv, "w", d)) == RM_OK &&
        (!w->has_target || (st = write_file(dir, RESULTS_TARGET_CSV, w, write_target_csv, "w", d)) == RM_OK) &&
        (st = report_meta(dir, w->point[0].s, most_replications(w), RESULTS_SWEEP, &proposal, proposal ? 1 : 0,
                          NULL, 0, d)) == RM_OK)
        st = write_file(dir, RESULTS_META_CSV, w, write_meta_rows, "a", d);
    return st;
}

const char *sweep_target_line(const struct sweep_result *w)
{
    return w->line ? w->line : "";
}

/* ---- the table ------------------------------------------------------------ */

#define MAX_COLUMNS 34

/* One cell: "18.23 ±0.05", "18.23 (n/a)" below SWEEP_MIN_REPLICATIONS,
 * "-" where the point has no such row. */
static void cell(char *buf, size_t len, const struct point *p, const char *metric, const char *scope)
{
    size_t row = model_row(p->m, metric, scope);
    const struct stats_summary *s = row == SIZE_MAX ? NULL : &p->summary[row];
    if (!s || s->n == 0)
        snprintf(buf, len, "-");
    else if (p->n < SWEEP_MIN_REPLICATIONS || isnan(s->ci_high))
        snprintf(buf, len, "%.2f (n/a)", s->mean);
    else
        snprintf(buf, len, "%.2f ±%.2f", s->mean, (s->ci_high - s->ci_low) / 2);
}

/* Whether any point that ran has a value of the metric at scope all. */
static bool has_value(const struct sweep_result *w, const char *metric)
{
    for (size_t a = 0; a < w->n_ran; a++) {
        const struct point *p = &w->point[w->order[a]];
        size_t row = model_row(p->m, metric, "all");
        if (row != SIZE_MAX && p->summary[row].n > 0 && isfinite(p->summary[row].mean))
            return true;
    }
    return false;
}

/* Characters as a terminal shows them: UTF-8 continuation bytes take no
 * column, so '±' pads like one character. */
static size_t columns(const char *text)
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        n += (*c & 0xc0) != 0x80;
    return n;
}

static void padded(FILE *f, const char *text, size_t width, bool last)
{
    fputs(text, f);
    for (size_t i = columns(text); !last && i < width; i++)
        fputc(' ', f);
}

void sweep_print(const struct sweep_result *w, FILE *f, const char *const *metrics, size_t n_metrics)
{
    const char *metric[MAX_COLUMNS], *scope[MAX_COLUMNS];
    char head[MAX_COLUMNS][512];
    size_t nm = 0;
    for (size_t i = 0; i < METRIC_COUNT && nm < MAX_COLUMNS - 1; i++) {
        const struct metric *mt = metric_get(i);
        if (!metric_is_first(mt))
            continue;  /* the same metric at more scopes: one column */
        bool wanted = false;
        for (size_t j = 0; j < n_metrics; j++)
            wanted |= !strcmp(metrics[j], mt->name);
        /* the headline without the measures this scenario has no value for (no costs) */
        if (n_metrics ? wanted : (mt->flags & METRIC_HEADLINE_TABLE) && has_value(w, mt->name))
            metric[nm] = mt->name, scope[nm++] = "all";
    }
    bool shown = false;
    for (size_t j = 0; w->has_target && j < nm; j++)
        shown |= !strcmp(metric[j], w->target.metric) && !strcmp(scope[j], w->target.scope);
    if (w->has_target && !shown)
        metric[nm] = w->target.metric, scope[nm++] = w->target.scope;
    for (size_t j = 0; j < nm; j++) {
        /* a cost names its currency */
        const struct metric *mt = metric_find(metric[j]);
        const struct scenario *sc = sweep_scenario(w);
        bool money = mt && sc && metric_is_money(mt);
        char joined[600];
        snprintf(joined, sizeof joined, "%s%s%s%s%s%s", metric[j], strcmp(scope[j], "all") ? "@" : "",
                 strcmp(scope[j], "all") ? scope[j] : "", money ? " (" : "", money ? sc->currency : "",
                 money ? ")" : "");
        escape_text(head[j], sizeof head[j], joined);
    }
    char key[SWEEP_MAX_KEYS][512];
    size_t width[SWEEP_MAX_KEYS + MAX_COLUMNS];
    for (size_t k = 0; k < w->n_keys; k++) {
        width[k] = columns(escape_text(key[k], sizeof key[k], w->key[k].key));
        for (size_t a = 0; a < w->n_ran; a++) {
            char v[512];
            size_t c = columns(escape_text(v, sizeof v, value_text(w, &w->point[w->order[a]], k)));
            if (c > width[k])
                width[k] = c;
        }
    }
    for (size_t j = 0; j < nm; j++) {
        width[w->n_keys + j] = columns(head[j]);
        for (size_t a = 0; a < w->n_ran; a++) {
            char c[128];
            cell(c, sizeof c, &w->point[w->order[a]], metric[j], scope[j]);
            if (columns(c) > width[w->n_keys + j])
                width[w->n_keys + j] = columns(c);
        }
    }

    const struct scenario *s0 = w->point[0].s;
    char name[1024];
    escape_text(name, sizeof name, scenario_basename(s0));
    if (w->q.proposal) {
        char prop[512];
        snprintf(name + strlen(name), sizeof name - strlen(name), " + %s",
                 escape_text(prop, sizeof prop, w->q.proposal));
    }
    if (w->has_target)
        fprintf(f, "%s: target search over %zu values of %s, %zu evaluated", name, w->key[0].n, key[0], w->n_ran);
    else if (w->n_keys == 2)
        fprintf(f, "%s: sweep of %zu points, %s (%zu values) x %s (%zu values)", name, w->n_points, key[0],
                w->key[0].n, key[1], w->key[1].n);
    else
        fprintf(f, "%s: sweep of %zu values of %s", name, w->n_points, key[0]);
    unsigned lo, hi;
    replication_span(w, &lo, &hi);
    if (lo == hi)
        fprintf(f, ", %u replications each", hi);
    else
        fprintf(f, ", %u to %u replications a point (--precision rounds)", lo, hi);
    fprintf(f, " on common random numbers, %.4g%% confidence\n\n", 100 * s0->confidence);
    size_t ncol = w->n_keys + nm;
    for (size_t c = 0; c < ncol; c++) {
        padded(f, c < w->n_keys ? key[c] : head[c - w->n_keys], width[c], c + 1 == ncol);
        fputs(c + 1 < ncol ? "  " : "\n", f);
    }
    bool na = false;
    for (size_t a = 0; a < w->n_ran; a++) {
        const struct point *p = &w->point[w->order[a]];
        na |= p->n < SWEEP_MIN_REPLICATIONS;
        for (size_t c = 0; c < ncol; c++) {
            char text[512];
            if (c < w->n_keys)
                escape_text(text, sizeof text, value_text(w, p, c));
            else
                cell(text, sizeof text, p, metric[c - w->n_keys], scope[c - w->n_keys]);
            padded(f, text, width[c], c + 1 == ncol);
            fputs(c + 1 < ncol ? "  " : "\n", f);
        }
    }
    if (na)
        fprintf(f, "\nn/a: a confidence interval needs at least %d replications; this sweep has %u (use -r)\n",
                SWEEP_MIN_REPLICATIONS, s0->replications);
    if (w->line) {
        fputc('\n', f);
        escape_line(f, "%s", w->line);
    }
}

void sweep_destroy(struct sweep_result *w)
{
    if (!w)
        return;
    for (size_t i = 0; w->point && i < w->n_points; i++) {
        struct point *p = &w->point[i];
        model_destroy(p->m);  /* before the scenario it reads */
        scenario_destroy(p->s);
        free(p->summary);
        free(p->target);
    }
    for (size_t k = 0; k < SWEEP_MAX_KEYS; k++)
        sweep_values_fini(&w->key[k]);
    sweep_target_fini(&w->target);
    free(w->point);
    free(w->order);
    free(w->overlay);
    free(w->out);
    free(w->line);
    free(w);
}
