/* optimise: the best setting of up to four --set keys that meets every
 * constraint with confidence (optimise.h). Values, constraints and the
 * point folders are sweep's; what is new is the search over the grid
 * (a frontier found by bisection, states implied by monotonicity) and the
 * choice among the feasible settings. */
#include "railmail/optimise.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "railmail/calendar.h"
#include "railmail/csvwrite.h"
#include "railmail/kn.h"
#include "railmail/metric.h"
#include "railmail/model.h"
#include "railmail/outdir.h"
#include "railmail/report.h"
#include "railmail/results.h"
#include "railmail/run.h"
#include "railmail/scenario.h"
#include "railmail/stats.h"
#include "railmail/strbuf.h"
#include "railmail/sweep.h"

/* ---- the search --------------------------------------------------------------- */

enum rm_status optimise_search_init(struct optimise_search *s, const size_t *n, size_t n_keys, size_t budget)
{
    *s = (struct optimise_search){ .n_keys = n_keys, .settings = 1, .budget = budget };
    for (size_t k = 0; k < n_keys; k++) {
        s->n[k] = n[k];
        s->settings *= n[k];
    }
    s->state = calloc(s->settings, 1);
    s->ran = calloc(s->settings, sizeof *s->ran);
    s->order = calloc(s->settings, sizeof *s->order);
    return s->state && s->ran && s->order ? RM_OK : RM_ENOMEM;
}

void optimise_search_fini(struct optimise_search *s)
{
    free(s->state);
    free(s->ran);
    free(s->order);
    *s = (struct optimise_search){ 0 };
}

void optimise_setting_at(const struct optimise_search *s, size_t i, size_t *at)
{
    for (size_t k = s->n_keys; k-- > 0;) {
        at[k] = i % s->n[k];
        i /= s->n[k];
    }
}

/* Whether setting i is at most setting j in every key. */
static bool below_all(const struct optimise_search *s, size_t i, size_t j)
{
    size_t a[OPTIMISE_MAX_KEYS], b[OPTIMISE_MAX_KEYS];
    optimise_setting_at(s, i, a);
    optimise_setting_at(s, j, b);
    for (size_t k = 0; k < s->n_keys; k++)
        if (a[k] > b[k])
            return false;
    return true;
}

/* What the settings run say of setting i: its own state, or that of one
 * run below it that is feasible, or above it that is infeasible. */
static enum optimise_state implied(struct optimise_search *s, size_t i)
{
    if (s->state[i] != OPTIMISE_UNKNOWN)
        return s->state[i];
    for (size_t r = 0; r < s->n_ran; r++) {
        size_t j = s->order[r];
        if (s->state[j] == OPTIMISE_FEASIBLE && below_all(s, j, i))
            return s->state[i] = OPTIMISE_FEASIBLE;
        if (s->state[j] == OPTIMISE_INFEASIBLE && below_all(s, i, j))
            return s->state[i] = OPTIMISE_INFEASIBLE;
    }
    return OPTIMISE_UNKNOWN;
}

static enum rm_status run_setting(struct optimise_search *s, size_t i, optimise_probe *probe, void *ctx,
                                  struct diag *d)
{
    if (s->budget && s->n_ran >= s->budget) {
        s->budget_hit = true;
        return RM_OK;
    }
    bool feasible = false;
    enum rm_status st = probe(ctx, i, &feasible, d);
    if (st == RM_OK) {
        s->ran[i] = true;
        s->order[s->n_ran++] = i;
        s->state[i] = feasible ? OPTIMISE_FEASIBLE : OPTIMISE_INFEASIBLE;
    }
    return st;
}

/* The state of setting i, running it when the others do not imply it;
 * unknown when the budget is spent. */
static enum rm_status evaluate(struct optimise_search *s, size_t i, optimise_probe *probe, void *ctx,
                               enum optimise_state *out, struct diag *d)
{
    enum rm_status st = RM_OK;
    if (implied(s, i) == OPTIMISE_UNKNOWN)
        st = run_setting(s, i, probe, ctx, d);
    *out = s->state[i];
    return st;
}

/* The least feasible value of key 0 with the other keys at `rest` (the
 * setting index of key 0's first value), by bisection between the largest
 * value known infeasible and the least known feasible (past the last
 * value when none is), which the settings run so far may already imply. */
static enum rm_status bisect_line(struct optimise_search *s, size_t rest, optimise_probe *probe, void *ctx,
                                  struct diag *d)
{
    size_t stride = s->settings / s->n[0];
    ptrdiff_t lo = -1, hi = (ptrdiff_t)s->n[0];
    for (size_t a = 0; a < s->n[0]; a++) {
        enum optimise_state at = implied(s, rest + a * stride);
        if (at == OPTIMISE_INFEASIBLE)
            lo = (ptrdiff_t)a;
        else if (at == OPTIMISE_FEASIBLE && hi == (ptrdiff_t)s->n[0])
            hi = (ptrdiff_t)a;
    }
    while (hi - lo > 1) {
        size_t mid = (size_t)(lo + (hi - lo) / 2);
        enum optimise_state at;
        enum rm_status st = evaluate(s, rest + mid * stride, probe, ctx, &at, d);
        if (st != RM_OK || at == OPTIMISE_UNKNOWN)
            return st;  /* the budget is spent */
        if (at == OPTIMISE_FEASIBLE)
            hi = (ptrdiff_t)mid;
        else
            lo = (ptrdiff_t)mid;
    }
    return RM_OK;
}

enum rm_status optimise_frontier(struct optimise_search *s, optimise_probe *probe, void *ctx, struct diag *d)
{
    /* the lines from the largest values of the other keys down: a line
     * whose largest setting fails implies that every line below it does,
     * and the settings that fail above a line bound its search from below */
    size_t lines = s->settings / s->n[0];
    enum rm_status st = RM_OK;
    for (size_t rest = lines; st == RM_OK && rest-- > 0; s->lines_done++)
        st = bisect_line(s, rest, probe, ctx, d);
    for (size_t i = 0; st == RM_OK && i < s->settings; i++)
        implied(s, i);  /* every setting's state, for the count of those left */
    return st;
}

/* Forgets what was implied: after an assumption broke it cannot be trusted. */
static void forget_implied(struct optimise_search *s)
{
    for (size_t i = 0; i < s->settings; i++)
        if (!s->ran[i])
            s->state[i] = OPTIMISE_UNKNOWN;
}

size_t optimise_widen_list(struct optimise_search *s, bool feasible_only, size_t *list)
{
    s->widened = true;
    if (!feasible_only)
        forget_implied(s);
    size_t n = 0;
    for (size_t i = 0; i < s->settings; i++) {
        if (s->ran[i] || (feasible_only && implied(s, i) != OPTIMISE_FEASIBLE))
            continue;
        if (s->budget && s->n_ran + n >= s->budget) {
            s->budget_hit = true;
            break;
        }
        list[n++] = i;
    }
    return n;
}

void optimise_widen_record(struct optimise_search *s, const size_t *list, size_t n, const bool *feasible)
{
    for (size_t k = 0; k < n; k++) {
        s->ran[list[k]] = true;
        s->order[s->n_ran++] = list[k];
        s->state[list[k]] = feasible[k] ? OPTIMISE_FEASIBLE : OPTIMISE_INFEASIBLE;
    }
    for (size_t i = 0; i < s->settings; i++)
        implied(s, i);
}

enum rm_status optimise_widen(struct optimise_search *s, bool feasible_only, optimise_probe *probe, void *ctx,
                              struct diag *d)
{
    size_t *list = malloc((s->settings + 1) * sizeof *list);
    bool *feasible = malloc((s->settings + 1) * sizeof *feasible);
    enum rm_status st = list && feasible ? RM_OK : diag_fail(d, RM_ENOMEM, "out of memory");
    size_t n = st == RM_OK ? optimise_widen_list(s, feasible_only, list) : 0, done = 0;
    for (; st == RM_OK && done < n; done++)
        st = probe(ctx, list[done], &feasible[done], d);
    if (st == RM_OK)
        optimise_widen_record(s, list, done, feasible);
    free(list);
    free(feasible);
    return st;
}

size_t optimise_unknown(const struct optimise_search *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->settings; i++)
        n += s->state[i] == OPTIMISE_UNKNOWN;
    return n;
}

/* ---- preparing ---------------------------------------------------------------- */

/* What the selection among the feasible settings made of a setting. */
enum selection {
    SELECTION_NONE,        /* not a contender: infeasible, or no objective */
    SELECTION_CHOSEN,
    SELECTION_EQUIVALENT,  /* eliminated, or left, within the practical threshold of the chosen */
    SELECTION_ELIMINATED,  /* worse than the chosen by more than the threshold */
    SELECTION_DROPPED      /* a contender whose constraints failed once it had more replications */
};

/* What a setting that ran keeps: the objective's and each constraint's
 * values and interval at its confidence, and what the selection made of it. */
struct setting {
    struct scenario *s;   /* while it runs */
    struct model *m;      /* the same */
    struct stats_summary measure[1 + OPTIMISE_MAX_CONSTRAINTS];  /* the objective, then the constraints */
    double *values[1 + OPTIMISE_MAX_CONSTRAINTS];   /* the same per replication, [n] */
    unsigned n;
    unsigned reused;      /* replications taken from the earlier results */
    bool feasible;
    enum selection selection;
};

struct optimise_result {
    struct optimise_request q;
    struct sweep_values key[OPTIMISE_MAX_KEYS];
    size_t n_keys;
    struct metric_ref objective;
    struct metric_threshold practical;
    struct metric_threshold zone;   /* the selection's indifference zone: practical, or 1 % without one */
    struct sweep_target con[OPTIMISE_MAX_CONSTRAINTS];
    size_t n_con;
    double con_confidence;          /* each constraint's: 1 - (1 - c) / k */
    struct optimise_search search;
    struct setting **setting;       /* [settings]; NULL until run */
    struct scenario *first;         /* the first setting's scenario, for names and settings */
    char *overlay;
    char *out;
    size_t best, closest;           /* SIZE_MAX: none */
    size_t *equivalent;             /* settings within the threshold of the best */
    size_t n_equivalent;
    bool objective_broke;           /* the objective improved into the feasible region */
    struct {                        /* the selection among the feasible settings (kn.h) */
        size_t contenders, dropped; /* dropped: their constraints failed with more replications */
        double delta;               /* the indifference zone, absolute: at the chosen setting once chosen */
        unsigned first, last;       /* the contenders' replications at the start and the survivors' at the end */
        bool capped;                /* stopped by --max-replications before it could end */
    } sel;
    const char *dir, *reuse_dir;    /* while running */
    struct run_precision *precision; /* each setting's first stage runs rounds to these; the caller's */
    size_t n_precision;
};

/* Loads the scenario with the user's sets, then KEY=VALUE for each key at
 * the values' indices `at` (which win). */
static enum rm_status load_at(struct optimise_result *o, const size_t *at, struct scenario **out, struct diag *d)
{
    *out = NULL;
    size_t n = o->q.n_sets + o->n_keys;
    const char **sets = malloc(n * sizeof *sets);
    char *own[OPTIMISE_MAX_KEYS] = { 0 };
    struct diag *mine = diag_create();
    enum rm_status st = sets && mine ? RM_OK : RM_ENOMEM;
    for (size_t k = 0; st == RM_OK && k < o->n_keys; k++) {
        size_t len = strlen(o->key[k].key) + strlen(o->key[k].text[at[k]]) + 2;
        if (!(own[k] = malloc(len)))
            st = RM_ENOMEM;
        else
            snprintf(own[k], len, "%s=%s", o->key[k].key, o->key[k].text[at[k]]);
    }
    if (st == RM_OK) {
        for (size_t j = 0; j < o->q.n_sets; j++)
            sets[j] = o->q.sets[j];
        for (size_t k = 0; k < o->n_keys; k++)
            sets[o->q.n_sets + k] = own[k];
        enum rm_status loaded = scenario_load(o->q.scenario_dir, o->overlay, sets, n, out, mine);
        sweep_take_messages(o->key, o->n_keys, mine, d);
        st = diag_count(mine) ? RM_EINPUT : loaded;
        if (st == RM_ENOMEM)
            diag_fail(d, st, "out of memory");
    } else {
        diag_fail(d, RM_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < o->n_keys; k++)
        free(own[k]);
    free(sets);
    diag_destroy(mine);
    return st;
}

/* A constraint as sweep's --target parses it, its messages naming --subject-to. */
static enum rm_status parse_constraint(const char *text, struct sweep_target *out, struct diag *d)
{
    struct diag *mine = diag_create();
    if (!mine)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    enum rm_status st = sweep_target_parse(text, out, mine);
    for (size_t i = 0; i < diag_count(mine); i++) {
        const char *msg = diag_message(mine, i);
        if (!strncmp(msg, "--target", 8))
            diag_error(d, NULL, "--subject-to%s", msg + 8);
        else
            diag_error(d, NULL, "%s", msg);
    }
    diag_destroy(mine);
    return st;
}

static enum rm_status parse_keys(struct optimise_result *o, struct diag *d)
{
    const struct optimise_request *q = &o->q;
    if (q->n_vary == 0)
        return diag_error(d, NULL, "optimise: expected --vary KEY=VALUES, e.g. "
                          "--vary services.CQ-MAL.departures_per_week=1:7");
    if (q->n_vary > OPTIMISE_MAX_KEYS)
        return diag_error(d, NULL, "--vary: expected at most %d keys, got %zu", OPTIMISE_MAX_KEYS, q->n_vary);
    enum rm_status st = RM_OK;
    double settings = 1;
    for (size_t k = 0; k < q->n_vary; k++) {
        if (sweep_values_parse(q->vary[k], &o->key[k], d) != RM_OK) {
            st = diag_count(d) ? RM_EINPUT : RM_ENOMEM;
            continue;
        }
        o->n_keys = k + 1;
        settings *= (double)o->key[k].n;
        const struct sweep_values *v = &o->key[k];
        for (size_t j = 0; j < k; j++)
            if (o->key[j].key && !strcmp(o->key[j].key, v->key))
                st = diag_error(d, NULL, "--vary %s: expected different keys, got this one twice", v->key);
        for (size_t i = 1; i < v->n; i++)
            if (v->value[i] <= v->value[i - 1]) {
                st = diag_error(d, NULL, "--vary %s: expected values in increasing order (the search assumes "
                                "that larger values make the constraints easier to meet), got %s after %s",
                                v->key, v->text[i], v->text[i - 1]);
                break;
            }
    }
    if (st == RM_OK && settings > OPTIMISE_MAX_SETTINGS)
        st = diag_error(d, NULL, "--vary: expected at most %d settings in the grid, got %.0f", OPTIMISE_MAX_SETTINGS,
                        settings);
    return st;
}

static enum rm_status parse_goals(struct optimise_result *o, struct diag *d)
{
    const struct optimise_request *q = &o->q;
    if (!q->objective)
        return diag_error(d, NULL, "optimise: expected --minimise METRIC@SCOPE or --maximise METRIC@SCOPE, e.g. "
                          "--minimise %s", metric_name(METRIC_COST_PER_KG));
    enum rm_status st = metric_ref_parse(q->objective, strlen(q->objective), q->maximise ? "--maximise" : "--minimise",
                                         &o->objective, d);
    if (st != RM_OK)
        return st;
    if (!metric_has_scope(o->objective.metric, o->objective.scope)) {
        struct strbuf list = { 0 };
        metric_scopes_text(&list, metric_scopes(o->objective.metric) & METRIC_SCOPE_RUN);
        st = diag_error(d, NULL, "%s: %s has no scope \"%s\"; expected %s", q->maximise ? "--maximise" : "--minimise",
                        o->objective.metric->name, o->objective.scope, strbuf_str(&list));
        strbuf_fini(&list);
        return st;
    }
    if (q->n_constraints == 0)
        return diag_error(d, NULL, "optimise: expected at least one --subject-to 'METRIC@SCOPE>=X', e.g. "
                          "--subject-to '%s@origin:CQ>=80'", metric_name(METRIC_ON_TIME));
    if (q->n_constraints > OPTIMISE_MAX_CONSTRAINTS)
        return diag_error(d, NULL, "--subject-to: expected at most %d, got %zu", OPTIMISE_MAX_CONSTRAINTS,
                          q->n_constraints);
    for (size_t c = 0; c < q->n_constraints; c++) {
        if (parse_constraint(q->constraints[c], &o->con[c], d) != RM_OK) {
            st = diag_count(d) ? RM_EINPUT : RM_ENOMEM;
            continue;
        }
        o->n_con = c + 1;
    }
    return st;
}

/* The proposal's directory, checked as sweep checks it. */
static enum rm_status find_proposal(struct optimise_result *o, struct diag *d)
{
    return o->q.proposal ? scenario_proposal_dir(o->q.scenario_dir, o->q.proposal, &o->overlay, d) : RM_OK;
}

/* Every value of every key loads (the other keys at their first values),
 * so a value a column refuses is said before anything runs. */
static enum rm_status load_every_value(struct optimise_result *o, struct diag *d)
{
    size_t at[OPTIMISE_MAX_KEYS] = { 0 };
    enum rm_status st = load_at(o, at, &o->first, d);
    if (st != RM_OK)
        return st;  /* a key that is no --set key: one message */
    for (size_t k = 0; k < o->n_keys; k++)
        for (size_t i = 1; i < o->key[k].n; i++) {
            struct scenario *s = NULL;
            at[k] = i;
            if (load_at(o, at, &s, d) == RM_ENOMEM)
                return RM_ENOMEM;
            scenario_destroy(s);
            at[k] = 0;
        }
    return diag_count(d) ? RM_EINPUT : RM_OK;
}

static enum rm_status scope_exists(const struct model *m, const char *what, const char *metric, const char *scope,
                                   struct diag *d)
{
    if (model_row(m, metric, scope) != SIZE_MAX)
        return RM_OK;
    return diag_error(d, NULL, "%s: unknown scope \"%s\" for %s in this scenario", what, scope, metric);
}

/* The objective's and constraints' rows exist; enough replications for a
 * bound; the objective's practical threshold from the scenario or the
 * catalogue. */
static enum rm_status check_rows(struct optimise_result *o, struct diag *d)
{
    struct model *m = model_create(o->first);  /* its rows; each setting's are checked as it runs */
    if (!m)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    enum rm_status st = scope_exists(m, o->q.maximise ? "--maximise" : "--minimise", o->objective.metric->name,
                                     o->objective.scope, d);
    for (size_t c = 0; c < o->n_con; c++)
        if (scope_exists(m, "--subject-to", o->con[c].metric, o->con[c].scope, d) != RM_OK)
            st = RM_EINPUT;
    model_destroy(m);
    if (st == RM_OK && o->first->replications < SWEEP_MIN_REPLICATIONS)
        st = diag_error(d, NULL, "--subject-to: a confidence bound needs at least %d replications; this scenario "
                        "has %u (use -r)", SWEEP_MIN_REPLICATIONS, o->first->replications);
    o->practical = o->objective.metric->threshold;
    for (size_t i = 0; i < o->first->n_thresholds; i++)
        if (!strcmp(o->first->thresholds[i].metric->name, o->objective.metric->name))
            o->practical = o->first->thresholds[i].t;
    /* the selection needs an indifference zone: where the objective has
     * no practical threshold, a difference under 1 % of the best is none */
    o->zone = o->practical.value > 0 ? o->practical : (struct metric_threshold){ 1, true };
    o->con_confidence = 1 - (1 - o->first->confidence) / (double)o->n_con;
    return st;
}

static enum rm_status prepare(struct optimise_result *o, struct diag *d)
{
    enum rm_status st = parse_keys(o, d);
    enum rm_status goals = parse_goals(o, d);  /* every problem of the line at once */
    if (st == RM_OK)
        st = goals;
    if (st != RM_OK || (st = find_proposal(o, d)) != RM_OK || (st = load_every_value(o, d)) != RM_OK ||
        (st = check_rows(o, d)) != RM_OK)
        return st;
    size_t n[OPTIMISE_MAX_KEYS];
    for (size_t k = 0; k < o->n_keys; k++)
        n[k] = o->key[k].n;
    if (optimise_search_init(&o->search, n, o->n_keys, o->q.budget) != RM_OK ||
        !(o->setting = calloc(o->search.settings, sizeof *o->setting)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    const char *base = scenario_basename(o->first);
    size_t len = strlen(base) + (o->q.proposal ? strlen(o->q.proposal) : 0) + 32;
    if (!(o->out = malloc(len)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    if (o->q.proposal)
        snprintf(o->out, len, "results/%s-%s-optimise", base, o->q.proposal);
    else
        snprintf(o->out, len, "results/%s-optimise", base);
    return RM_OK;
}

enum rm_status optimise_prepare(const struct optimise_request *q, struct optimise_result **out, struct diag *d)
{
    *out = NULL;
    struct optimise_result *o = calloc(1, sizeof *o);
    if (!o)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    o->q = *q;
    o->best = o->closest = SIZE_MAX;
    enum rm_status st = prepare(o, d);
    if (st != RM_OK) {
        optimise_destroy(o);
        return st;
    }
    *out = o;
    return RM_OK;
}

void optimise_set_precision(struct optimise_result *o, struct run_precision *p, size_t n)
{
    o->precision = p;
    o->n_precision = n < OPTIMISE_MAX_PRECISION ? n : OPTIMISE_MAX_PRECISION;
}

const char *optimise_default_out(const struct optimise_result *o)
{
    return o->out;
}

const struct scenario *optimise_scenario(const struct optimise_result *o)
{
    return o->first;
}

/* ---- running ------------------------------------------------------------------ */

/* "point-0001": as a sweep names its points, from 1 in grid order. */
static void point_name(const struct optimise_result *o, size_t i, char *buf, size_t len)
{
    unsigned digits = 3;  /* OPTIMISE_MAX_SETTINGS has six */
    for (size_t n = o->search.settings; n >= 1000 && digits < 6; n /= 10)
        digits++;
    snprintf(buf, len, "point-%0*u", (int)digits, (unsigned)(i + 1) % 1000000u);
}

/* Keeps `row`'s values over the replications in *x and gives their
 * interval at `confidence`. */
static enum rm_status interval(const struct run_result *res, size_t row, double confidence, double **x,
                               struct stats_summary *out, struct diag *d)
{
    if (!(*x = malloc((res->n + 1) * sizeof **x)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    for (unsigned r = 0; r < res->n; r++)
        (*x)[r] = run_value(res, r, row);
    stats_summarise(*x, 1, res->n, confidence, out);
    return RM_OK;
}

static bool meets_all(const struct optimise_result *o, const struct setting *p)
{
    for (size_t c = 0; c < o->n_con; c++)
        if (sweep_side(&o->con[c], &p->measure[1 + c]) != SWEEP_MEETS)
            return false;
    return true;
}

/* Keeps what the selection and the answer need of a setting's run: the
 * objective's and constraints' values and intervals (the constraints' at
 * their own confidence), some bytes a replication. The sweep's files are
 * gathered from the point folders at the end, so a setting's summaries
 * (0.6 MB for the default scenario) are not kept. */
static enum rm_status keep(struct optimise_result *o, struct setting *p, const struct run_result *res, struct diag *d)
{
    if (p->n == 0)
        p->reused = res->reused;  /* from the earlier results, not from its own first stage */
    p->n = res->n;
    enum rm_status st = RM_OK;
    for (size_t c = 0; st == RM_OK && c <= o->n_con; c++) {
        size_t row = c == 0 ? model_row(p->m, o->objective.metric->name, o->objective.scope)
                            : model_row(p->m, o->con[c - 1].metric, o->con[c - 1].scope);
        free(p->values[c]);
        p->values[c] = NULL;
        if (row == SIZE_MAX)  /* a value that drops the row (checked on the first setting only) */
            return diag_error(d, NULL, "%s@%s: not a row of every setting", c == 0 ? o->objective.metric->name
                              : o->con[c - 1].metric, c == 0 ? o->objective.scope : o->con[c - 1].scope);
        st = interval(res, row, c == 0 ? o->first->confidence : o->con_confidence, &p->values[c], &p->measure[c], d);
        if (c == 0)
            p->measure[0] = res->summary[row];  /* as the point's own summary file gives it */
    }
    p->feasible = meets_all(o, p);
    return st;
}

/* Runs setting i at `replications` into dir/point-NNN, which must not
 * exist, adopting the replications kept in `reuse` (a point folder, or
 * NULL), and keeps what the files need. */
static enum rm_status simulate(struct optimise_result *o, size_t i, unsigned replications, bool rounds,
                               const char *sub, const char *reuse, struct diag *d)
{
    struct setting *p = o->setting[i];
    size_t at[OPTIMISE_MAX_KEYS];
    optimise_setting_at(&o->search, i, at);
    enum rm_status st = p->s ? RM_OK : load_at(o, at, &p->s, d);
    if (st != RM_OK)
        return st;
    char name[32];
    point_name(o, i, name, sizeof name);
    if (!p->m && !(p->m = model_create(p->s)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    struct run_options ro = { .replications = replications, .jobs = o->q.jobs, .batches = o->q.batches,
                              .tracking = o->q.tracking, .reuse_dir = reuse, .key = p->s->key };
    struct run_precision prec[OPTIMISE_MAX_PRECISION];  /* found again in this setting's model */
    for (size_t k = 0; rounds && k < o->n_precision; k++) {
        prec[k] = o->precision[k];
        if ((prec[k].row = model_row(p->m, prec[k].metric, prec[k].scope)) == SIZE_MAX)
            return diag_error(d, NULL, "--precision %s@%s: setting %s has no such row", prec[k].metric,
                              prec[k].scope, name);
        ro.precision = prec, ro.n_precision = k + 1, ro.max_replications = o->q.max_replications;
    }
    struct run_result res;
    if ((st = run_replications(p->m, &ro, p->s->confidence, sub, &res, d)) != RM_OK)
        return st;
    run_warn_undelivered(&res, p->s, name, d);
    st = report_run(sub, p->s, &res, RESULTS_RUN, d);
    if (st == RM_OK)
        st = keep(o, p, &res, d);
    run_result_fini(&res);
    model_destroy(p->m);  /* before the scenario it reads; loaded again for more replications */
    scenario_destroy(p->s);
    p->m = NULL;
    p->s = NULL;
    return st;
}

/* Runs setting i at the scenario's replications into `sub` (made, empty),
 * reusing the replications kept in `reuse`. */
static enum rm_status first_stage(struct optimise_result *o, size_t i, const char *sub, const char *reuse,
                                  struct diag *d)
{
    if (!(o->setting[i] = calloc(1, sizeof *o->setting[i])))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    return simulate(o, i, o->first->replications, true, sub, reuse, d);
}

/* Runs setting i into dir/point-NNN, reusing reuse_dir/point-NNN. */
static enum rm_status run_one(struct optimise_result *o, size_t i, struct diag *d)
{
    char name[32], sub[4096], old[4200];
    point_name(o, i, name, sizeof name);
    snprintf(sub, sizeof sub, "%s/%s", o->dir, name);
    if (o->reuse_dir)
        snprintf(old, sizeof old, "%s/%s", o->reuse_dir, name);
    if (mkdir(sub, 0777) != 0)
        return diag_fail(d, RM_EIO, "cannot create %s: %s", sub, strerror(errno));
    return first_stage(o, i, sub, o->reuse_dir ? old : NULL, d);
}

/* Gives setting i `replications` in all: its folder is set aside and run
 * again adopting its own replications, so that only the new ones are
 * simulated and the files are a fresh run's at that many. When its first
 * stage could not adopt the earlier results' replications, they may be
 * more than a first stage (an earlier selection's): those are tried. */
static enum rm_status extend_one(struct optimise_result *o, size_t i, unsigned replications, struct diag *d)
{
    char name[32], sub[4096], aside[4200], old[4200];
    point_name(o, i, name, sizeof name);
    snprintf(sub, sizeof sub, "%s/%s", o->dir, name);
    snprintf(aside, sizeof aside, "%s/.%s-earlier", o->dir, name);
    snprintf(old, sizeof old, "%s/%s", o->reuse_dir ? o->reuse_dir : "", name);
    bool earlier = o->reuse_dir && o->setting[i]->reused == 0 && access(old, F_OK) == 0;
    /* railmail-mpi's other ranks may not have the folder: another ran it */
    if (rename(sub, aside) != 0 && errno != ENOENT)
        return diag_fail(d, RM_EIO, "cannot move %s aside: %s", sub, strerror(errno));
    if (mkdir(sub, 0777) != 0)
        return diag_fail(d, RM_EIO, "cannot create %s: %s", sub, strerror(errno));
    enum rm_status st = simulate(o, i, replications, false, sub, earlier ? old : aside, d);
    outdir_remove_tree(aside);
    return st;
}

/* ---- the wider search, its settings spread over ranks (run.h) ---- */

struct widening {
    struct optimise_result *o;
    const size_t *list;   /* the settings, in grid order */
};

static void widen_name(void *ctx, size_t k, char *buf, size_t len)
{
    const struct widening *w = ctx;
    point_name(w->o, w->list[k], buf, len);
}

static enum rm_status widen_run(void *ctx, size_t k, const char *dir, const char *reuse, struct diag *d)
{
    const struct widening *w = ctx;
    return first_stage(w->o, w->list[k], dir, reuse, d);
}

/* What a setting keeps, as bytes for another rank of the same binary:
 * its counts, then its measures and their values raw, bit for bit. */
struct saved_setting {
    uint64_t n, reused, feasible, measures;
};

static enum rm_status widen_save(void *ctx, size_t k, char **data, size_t *len, struct diag *d)
{
    const struct widening *w = ctx;
    const struct setting *p = w->o->setting[w->list[k]];
    struct saved_setting h = { p->n, p->reused, p->feasible, 1 + w->o->n_con };
    size_t measures = h.measures * sizeof *p->measure, values = h.measures * p->n * sizeof **p->values;
    if (!(*data = malloc(sizeof h + measures + values)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    memcpy(*data, &h, sizeof h);
    memcpy(*data + sizeof h, p->measure, measures);
    for (size_t c = 0; c < h.measures; c++)
        memcpy(*data + sizeof h + measures + c * p->n * sizeof **p->values, p->values[c], p->n * sizeof **p->values);
    *len = sizeof h + measures + values;
    return RM_OK;
}

static enum rm_status widen_load(void *ctx, size_t k, const char *data, size_t len, struct diag *d)
{
    const struct widening *w = ctx;
    struct setting **at = &w->o->setting[w->list[k]];
    struct saved_setting h;
    if (len < sizeof h || (memcpy(&h, data, sizeof h), h.measures != 1 + w->o->n_con) ||
        len != sizeof h + h.measures * sizeof(struct stats_summary) + h.measures * h.n * sizeof(double))
        return diag_fail(d, RM_ERUN, "a setting's figures arrived cut short");
    if (!*at && !(*at = calloc(1, sizeof **at)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    struct setting *p = *at;
    p->n = (unsigned)h.n, p->reused = (unsigned)h.reused, p->feasible = h.feasible;
    memcpy(p->measure, data + sizeof h, h.measures * sizeof *p->measure);
    const char *values = data + sizeof h + h.measures * sizeof *p->measure;
    for (size_t c = 0; c < h.measures; c++) {
        free(p->values[c]);
        if (!(p->values[c] = malloc((h.n + 1) * sizeof *p->values[c])))
            return diag_fail(d, RM_ENOMEM, "out of memory");
        memcpy(p->values[c], values + c * h.n * sizeof *p->values[c], h.n * sizeof *p->values[c]);
    }
    return RM_OK;
}

/* The wider search: its settings are independent, so they run through
 * run_each_setting (spread over railmail-mpi's ranks, every rank getting
 * every setting's figures to decide alike), then count as run. */
static enum rm_status widen(struct optimise_result *o, bool feasible_only, struct diag *d)
{
    struct optimise_search *s = &o->search;
    size_t *list = malloc((s->settings + 1) * sizeof *list);
    bool *feasible = malloc((s->settings + 1) * sizeof *feasible);
    if (!list || !feasible) {
        free(list), free(feasible);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    size_t n = optimise_widen_list(s, feasible_only, list);
    struct widening w = { o, list };
    struct run_settings set = { n, &w, widen_name, widen_run, widen_save, widen_load, true };
    enum rm_status st = run_each_setting(&set, o->dir, o->reuse_dir, d);
    for (size_t k = 0; st == RM_OK && k < n; k++)
        feasible[k] = o->setting[list[k]]->feasible;
    if (st == RM_OK)
        optimise_widen_record(s, list, n, feasible);
    free(list);
    free(feasible);
    return st;
}

static enum rm_status probe(void *ctx, size_t i, bool *feasible, struct diag *d)
{
    struct optimise_result *o = ctx;
    enum rm_status st = run_one(o, i, d);
    *feasible = st == RM_OK && o->setting[i]->feasible;
    size_t lines = o->search.settings / o->search.n[0];
    if (o->q.progress && st == RM_OK)  /* the wider search comes after: it shows the frontier done */
        o->q.progress(o->q.progress_ctx, (double)(o->search.lines_done < lines ? o->search.lines_done : lines) /
                                             (double)lines);
    return st;
}

/* True when objective value a is better than b. */
static bool better(const struct optimise_result *o, double a, double b)
{
    return o->q.maximise ? a > b : a < b;
}

/* "services.A.departures_per_week = 3, services.B.departures_per_week = 5" */
static void setting_text(struct strbuf *b, const struct optimise_result *o, size_t i)
{
    size_t at[OPTIMISE_MAX_KEYS];
    optimise_setting_at(&o->search, i, at);
    for (size_t k = 0; k < o->n_keys; k++)
        strbuf_printf(b, "%s%s = %s", k ? ", " : "", o->key[k].key, o->key[k].text[at[k]]);
}

/* The objective gets better from a feasible setting run to one above it:
 * the best may lie off the frontier. Warns once and says where. */
static bool objective_breaks(const struct optimise_result *o, struct diag *d)
{
    const struct optimise_search *s = &o->search;
    for (size_t a = 0; a < s->n_ran; a++)
        for (size_t b = 0; b < s->n_ran; b++) {
            size_t i = s->order[a], j = s->order[b];
            const struct setting *p = o->setting[i], *q = o->setting[j];
            if (i == j || !p->feasible || !q->feasible || !below_all(s, i, j))
                continue;
            double margin = metric_threshold_of(&o->practical, p->measure[0].mean);
            if (better(o, q->measure[0].mean, p->measure[0].mean) &&
                fabs(q->measure[0].mean - p->measure[0].mean) > margin) {
                struct strbuf x = { 0 }, y = { 0 };
                setting_text(&x, o, i);
                setting_text(&y, o, j);
                diag_warn(d, NULL, "optimise: %s@%s is %.6g at %s but %.6g at %s, a setting larger in every key: the "
                          "search assumes it gets worse as the keys grow; running every setting the constraints "
                          "allow", o->objective.metric->name, o->objective.scope, p->measure[0].mean,
                          strbuf_str(&x), q->measure[0].mean, strbuf_str(&y));
                strbuf_fini(&x);
                strbuf_fini(&y);
                return true;
            }
        }
    return false;
}

/* How far a setting is from meeting the constraints: the sum of each
 * decisive bound's shortfall relative to its threshold. */
static double shortfall(const struct optimise_result *o, const struct setting *p)
{
    double sum = 0;
    for (size_t c = 0; c < o->n_con; c++) {
        const struct sweep_target *t = &o->con[c];
        const struct stats_summary *s = &p->measure[1 + c];
        double bound = t->at_least ? s->ci_low : s->ci_high;
        double gap = t->at_least ? t->threshold - bound : bound - t->threshold;
        if (isnan(bound))
            gap = fabs(t->threshold) + 1;
        sum += gap > 0 ? gap / fmax(fabs(t->threshold), 1e-9) : 0;
    }
    return sum;
}

/* The closest setting to meeting the constraints, of those run. */
static void find_closest(struct optimise_result *o)
{
    const struct optimise_search *s = &o->search;
    for (size_t a = 0; a < s->n_ran; a++) {
        size_t i = s->order[a];
        if (o->closest == SIZE_MAX || shortfall(o, o->setting[i]) < shortfall(o, o->setting[o->closest]))
            o->closest = i;
    }
}

/* The contenders: the feasible settings run with an objective to rank (one
 * with no batches to count has none), in grid order; their number. */
static size_t contenders(const struct optimise_result *o, size_t *c)
{
    size_t n = 0;
    for (size_t i = 0; i < o->search.settings; i++) {
        const struct setting *p = o->search.ran[i] ? o->setting[i] : NULL;
        if (p && p->feasible && !isnan(p->measure[0].mean) && p->selection != SELECTION_DROPPED)
            c[n++] = i;
    }
    return n;
}

/* Gives the survivors r replications each, dropping from the procedure a
 * contender whose constraints then fail. */
static enum rm_status next_stage(struct optimise_result *o, struct kn *kn, const size_t *c, unsigned r,
                                 struct diag *d)
{
    for (size_t j = 0; j < kn->k; j++) {
        if (!kn->alive[j] || o->setting[c[j]]->n >= r)  /* --precision rounds may have run more */
            continue;
        enum rm_status st = extend_one(o, c[j], r, d);
        if (st != RM_OK)
            return st;
        if (!o->setting[c[j]]->feasible) {
            o->setting[c[j]]->selection = SELECTION_DROPPED;
            o->sel.dropped++;
            kn->alive[j] = false;
            kn->n_alive--;
        }
    }
    return RM_OK;
}

/* The objective's values of the contenders. */
static void objective_values(const struct optimise_result *o, const size_t *c, size_t k, const double **x)
{
    for (size_t j = 0; j < k; j++)
        x[j] = o->setting[c[j]]->values[0];
}

/* Kim and Nelson's procedure among the k contenders c, paired by
 * replication: the first stage is the replications they have, the
 * indifference zone the objective's practical threshold at the best mean,
 * the probability of correct selection the scenario's confidence. The
 * best survivor is chosen; SIZE_MAX when every survivor was dropped. */
static enum rm_status run_selection(struct optimise_result *o, const size_t *c, size_t k, size_t *chosen,
                                    struct diag *d)
{
    const double **x = malloc(k * sizeof *x);
    if (!x)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    unsigned n0 = UINT32_MAX;
    size_t lead = c[0];
    for (size_t j = 0; j < k; j++) {
        const struct setting *p = o->setting[c[j]];
        n0 = p->n < n0 ? p->n : n0;
        if (better(o, p->measure[0].mean, o->setting[lead]->measure[0].mean))
            lead = c[j];
    }
    o->sel.delta = metric_threshold_of(&o->zone, o->setting[lead]->measure[0].mean);
    o->sel.first = n0;
    if (!(o->sel.delta > 0)) {  /* a best of 0 leaves a relative zone empty: its mean decides */
        *chosen = lead;
        free(x);
        return RM_OK;
    }
    objective_values(o, c, k, x);
    struct kn kn;
    enum rm_status st = kn_init(&kn, k, n0, x, o->sel.delta, 1 - o->first->confidence, o->q.maximise) == RM_OK
                        ? RM_OK : diag_fail(d, RM_ENOMEM, "out of memory");
    while (st == RM_OK && !kn_done(&kn)) {
        unsigned r = kn_next(&kn);
        if (r > o->q.max_replications && (o->sel.capped = (r = o->q.max_replications) <= kn.r))
            break;
        if ((st = next_stage(o, &kn, c, r, d)) == RM_OK) {
            objective_values(o, c, k, x);
            kn_screen(&kn, x, r);
        }
    }
    o->sel.last = kn.r;
    *chosen = st == RM_OK && kn.n_alive ? c[kn_best(&kn, x)] : SIZE_MAX;
    kn_fini(&kn);
    free(x);
    return st;
}

/* What the selection made of each contender beside the chosen one: the
 * mean of its paired differences from the chosen, over the replications
 * both have, within the threshold makes it equivalent. */
static void label(struct optimise_result *o, const size_t *c, size_t k)
{
    const struct setting *best = o->setting[o->best];
    o->setting[o->best]->selection = SELECTION_CHOSEN;
    for (size_t j = 0; j < k; j++) {
        struct setting *p = o->setting[c[j]];
        if (c[j] == o->best || p->selection == SELECTION_DROPPED)
            continue;
        unsigned n = p->n < best->n ? p->n : best->n;
        double diff = 0;
        for (unsigned r = 0; r < n; r++)
            diff += p->values[0][r] - best->values[0][r];
        p->selection = fabs(diff / n) <= o->sel.delta ? SELECTION_EQUIVALENT : SELECTION_ELIMINATED;
        if (p->selection == SELECTION_EQUIVALENT)
            o->equivalent[o->n_equivalent++] = c[j];
    }
}

/* The closest setting, and among the feasible ones the best by the
 * selection, and those equivalent to it. */
static enum rm_status choose(struct optimise_result *o, struct diag *d)
{
    find_closest(o);
    size_t *c = malloc((o->search.n_ran + 1) * sizeof *c);
    if (!c || !(o->equivalent = malloc((o->search.n_ran + 1) * sizeof *o->equivalent))) {
        free(c);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    enum rm_status st = RM_OK;
    size_t k = contenders(o, c);
    o->sel.contenders = k;
    /* a chosen one is feasible: should every survivor fail its constraints
     * with more replications, the selection runs again among the rest */
    while (st == RM_OK && k > 0 && o->best == SIZE_MAX) {
        if (k == 1)
            o->best = c[0];
        else if ((st = run_selection(o, c, k, &o->best, d)) == RM_OK && o->best == SIZE_MAX)
            k = contenders(o, c);
    }
    if (st == RM_OK && o->best != SIZE_MAX) {
        o->sel.delta = metric_threshold_of(&o->zone, o->setting[o->best]->measure[0].mean);
        label(o, c, k);
    }
    if (st == RM_OK && o->sel.capped)
        diag_warn(d, NULL, "--max-replications %ld: the selection among %zu feasible settings stopped before it "
                  "could separate them; the best-looking is chosen without its probability of correct selection",
                  (long)o->q.max_replications, o->sel.contenders);
    free(c);
    return st;
}

/* ---- files -------------------------------------------------------------------- */

static void key_columns(FILE *f, const struct optimise_result *o)
{
    for (size_t k = 0; k < o->n_keys; k++)
        csvwrite_field(f, o->key[k].key), fputc(',', f);
}

static void key_values(FILE *f, const struct optimise_result *o, size_t i)
{
    size_t at[OPTIMISE_MAX_KEYS];
    optimise_setting_at(&o->search, i, at);
    for (size_t k = 0; k < o->n_keys; k++)
        csvwrite_field(f, o->key[k].text[at[k]]), fputc(',', f);
}

/* The settings run in grid order, for the files collected from their folders. */
struct collected {
    const struct optimise_result *o;
    size_t *setting;   /* [n_ran] */
};

static void collected_point(const void *ctx, size_t a, char *name, size_t len, const char **values)
{
    const struct collected *c = ctx;
    size_t at[OPTIMISE_MAX_KEYS];
    point_name(c->o, c->setting[a], name, len);
    optimise_setting_at(&c->o->search, c->setting[a], at);
    for (size_t k = 0; k < c->o->n_keys; k++)
        values[k] = c->o->key[k].text[at[k]];
}

static enum rm_status collect_files(const struct optimise_result *o, const char *dir, struct diag *d)
{
    struct collected c = { o, malloc((o->search.n_ran + 1) * sizeof *c.setting) };
    if (!c.setting)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < o->search.settings; i++)
        if (o->search.ran[i])
            c.setting[n++] = i;
    struct sweep_collect files = { dir, o->key, o->n_keys, n, collected_point, &c };
    enum rm_status st = sweep_collect_files(&files, d);
    free(c.setting);
    return st;
}

static const char *const selection_name[] = {
    [SELECTION_NONE] = "", [SELECTION_CHOSEN] = RESULTS_SELECTION_CHOSEN,
    [SELECTION_EQUIVALENT] = RESULTS_SELECTION_EQUIVALENT, [SELECTION_ELIMINATED] = RESULTS_SELECTION_ELIMINATED,
    [SELECTION_DROPPED] = RESULTS_SELECTION_DROPPED,
};

/* The list of points: each setting run, its folder, values, feasibility and objective. */
static void write_points_csv(FILE *f, const struct optimise_result *o)
{
    csvwrite_field(f, RESULTS_COL_POINT);
    for (size_t k = 0; k < o->n_keys; k++)
        fputc(',', f), csvwrite_field(f, o->key[k].key);
    fputs("," RESULTS_OPTIMISE_POINT_COLUMNS "\n", f);
    for (size_t i = 0; i < o->search.settings; i++) {
        if (!o->search.ran[i])
            continue;
        const struct setting *p = o->setting[i];
        char name[32];
        point_name(o, i, name, sizeof name);
        fputs(name, f);
        fputc(',', f);
        key_values(f, o, i);
        fputs(p->feasible ? "yes," : "no,", f);
        csvwrite_number(f, p->measure[0].mean), fputc(',', f);
        csvwrite_number(f, p->measure[0].ci_low), fputc(',', f);
        csvwrite_number(f, p->measure[0].ci_high), fputc(',', f);
        fprintf(f, "%u,%s\n", p->n, selection_name[p->selection]);
    }
}

/* One row of the answer's file. */
static void optimum_row(FILE *f, const struct optimise_result *o, size_t i, const char *role, const char *metric,
                        const char *scope, const char *op, double threshold, const struct stats_summary *s,
                        double confidence)
{
    key_values(f, o, i);
    fprintf(f, "%s,", role);
    csvwrite_field(f, metric), fputc(',', f);
    csvwrite_field(f, scope), fputc(',', f);
    fprintf(f, "%s,", op);
    csvwrite_number(f, threshold), fputc(',', f);
    csvwrite_number(f, s->mean), fputc(',', f);
    csvwrite_number(f, s->ci_low), fputc(',', f);
    csvwrite_number(f, s->ci_high), fputc(',', f);
    csvwrite_number(f, confidence), fputc(',', f);
    fprintf(f, "%zu\n", s->n);
}

/* The objective and every constraint at setting i, under `role`. */
static void optimum_rows(FILE *f, const struct optimise_result *o, size_t i, const char *role)
{
    const struct setting *p = o->setting[i];
    optimum_row(f, o, i, role, o->objective.metric->name, o->objective.scope, o->q.maximise ? "max" : "min",
                o->sel.delta, &p->measure[0], o->first->confidence);
    for (size_t c = 0; c < o->n_con; c++)
        optimum_row(f, o, i, role, o->con[c].metric, o->con[c].scope, o->con[c].at_least ? ">=" : "<=",
                    o->con[c].threshold, &p->measure[1 + c], o->con_confidence);
}

static void write_optimum_csv(FILE *f, const struct optimise_result *o)
{
    key_columns(f, o);
    csvwrite_header(f, RESULTS_OPTIMUM_COLUMNS);
    if (o->best == SIZE_MAX) {
        if (o->closest != SIZE_MAX)
            optimum_rows(f, o, o->closest, RESULTS_ROLE_CLOSEST);
        return;
    }
    optimum_rows(f, o, o->best, RESULTS_ROLE_OPTIMUM);
    for (size_t e = 0; e < o->n_equivalent; e++) {
        const struct setting *p = o->setting[o->equivalent[e]];
        optimum_row(f, o, o->equivalent[e], RESULTS_ROLE_EQUIVALENT, o->objective.metric->name, o->objective.scope,
                    o->q.maximise ? "max" : "min", o->sel.delta, &p->measure[0], o->first->confidence);
    }
}

static void write_meta_rows(FILE *f, const struct optimise_result *o)
{
    for (size_t k = 0; k < o->n_keys; k++)
        csvwrite_pair(f, RESULTS_KEY_VARY, o->key[k].key);
    /* each key's grid, so that its chart shows the settings not run:
     * charts are drawn before the run record, which holds the --vary text */
    for (size_t k = 0; k < o->n_keys; k++) {
        struct strbuf values = {0};
        for (size_t i = 0; i < o->key[k].n; i++)
            strbuf_printf(&values, "%s%s", i ? ";" : "", o->key[k].text[i]);
        csvwrite_pair(f, RESULTS_KEY_VARY_VALUES, strbuf_str(&values));
        strbuf_fini(&values);
    }
}

static enum rm_status write_file(const char *dir, const char *name, const struct optimise_result *o,
                                 void (*write)(FILE *, const struct optimise_result *), const char *mode,
                                 struct diag *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, mode);
    if (!f)
        return diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
    write(f, o);
    if (ferror(f) | fclose(f))
        return diag_fail(d, RM_EIO, "cannot write %s", path);
    return RM_OK;
}

/* How constraint c's metric moves from setting i to j (j at least as
 * large in every key). */
enum move {
    MOVE_ITS_WAY,    /* its way, or too little to tell */
    MOVE_HARMLESS,   /* against it, but by less than i's bound is from the threshold */
    MOVE_MATTERS     /* against it, by enough to change which settings meet it */
};

/* Against it means the paired difference (common random numbers)
 * significant the wrong way and larger than the metric's practical
 * threshold, so that a metric that does not depend on a key does not raise
 * it by chance. Another service's trains may slow a border for everyone:
 * that matters only when a move of that size could carry a bound across
 * the constraint's threshold, so it is set against how far i's bound is
 * from it (on the right side: the settings implied above i might fail; on
 * the wrong side: those implied below might meet it). */
static enum move moves_against(const struct optimise_result *o, size_t c, size_t i, size_t j)
{
    const struct setting *p = o->setting[i], *q = o->setting[j];
    const struct sweep_target *t = &o->con[c];
    struct stats_paired ps;
    stats_paired_test(p->values[1 + c], q->values[1 + c], p->n < q->n ? p->n : q->n, o->first->confidence, &ps);
    if (ps.n < 2)
        return MOVE_ITS_WAY;
    double margin = metric_threshold_of(&metric_find(t->metric)->threshold, ps.baseline_mean);
    double against = t->at_least ? -ps.diff : ps.diff;
    bool significant = t->at_least ? ps.diff_ci_high < 0 : ps.diff_ci_low > 0;
    if (!significant || !(against > margin))
        return MOVE_ITS_WAY;
    const struct stats_summary *at = &p->measure[1 + c];
    double room = t->at_least ? at->ci_low - t->threshold : t->threshold - at->ci_high;
    return fabs(room) > against ? MOVE_HARMLESS : MOVE_MATTERS;
}

/* The search assumes that each constraint's metric moves its way as every
 * key grows; the settings run check it pair by pair. The frontier never
 * contradicts itself in feasibility (what is implied is not run), so the
 * metrics are what can tell. Warns once, of a move that matters if there
 * is one (and then the whole grid runs), else of the largest harmless one. */
static bool constraints_break(const struct optimise_result *o, struct diag *d)
{
    const struct optimise_search *s = &o->search;
    size_t wi = SIZE_MAX, wj = SIZE_MAX, wc = 0;
    enum move worst = MOVE_ITS_WAY;
    for (size_t a = 0; a < s->n_ran && worst != MOVE_MATTERS; a++)
        for (size_t b = 0; b < s->n_ran && worst != MOVE_MATTERS; b++) {
            size_t i = s->order[a], j = s->order[b];
            if (i == j || !below_all(s, i, j))
                continue;
            for (size_t c = 0; c < o->n_con && worst != MOVE_MATTERS; c++) {
                enum move m = moves_against(o, c, i, j);
                if (m > worst) {
                    worst = m;
                    wi = i, wj = j, wc = c;
                }
            }
        }
    if (worst == MOVE_ITS_WAY)
        return false;
    const struct sweep_target *t = &o->con[wc];
    struct strbuf x = { 0 }, y = { 0 };
    setting_text(&x, o, wi);
    setting_text(&y, o, wj);
    diag_warn(d, NULL, "optimise: %s@%s %s from %.6g at %s to %.6g at %s, a setting at least as large in every key, "
              "while the search assumes that larger values make %s %s %g easier to meet; %s", t->metric, t->scope,
              t->at_least ? "falls" : "rises", o->setting[wi]->measure[1 + wc].mean, strbuf_str(&x),
              o->setting[wj]->measure[1 + wc].mean, strbuf_str(&y), t->metric, t->at_least ? ">=" : "<=",
              t->threshold, worst == MOVE_MATTERS ? "running the whole grid"
                                                  : "too little to carry its bound across the threshold, so the "
                                                    "search stands");
    strbuf_fini(&x);
    strbuf_fini(&y);
    return worst == MOVE_MATTERS;
}

/* The frontier, then the wider search where an assumption broke. */
static enum rm_status search(struct optimise_result *o, struct diag *d)
{
    struct optimise_search *s = &o->search;
    enum rm_status st = optimise_frontier(s, probe, o, d);
    if (st == RM_OK && constraints_break(o, d))
        st = widen(o, false, d);
    if (st == RM_OK && !s->widened && (o->objective_broke = objective_breaks(o, d)))
        st = widen(o, true, d);
    return st;
}

enum rm_status optimise_run(struct optimise_result *o, const char *dir, const char *reuse_dir, struct diag *d)
{
    o->dir = dir;
    o->reuse_dir = reuse_dir;
    enum rm_status st = search(o, d);
    if (st == RM_OK)
        st = choose(o, d);
    if (st == RM_OK && o->search.budget_hit)
        diag_warn(d, NULL, "--budget %zu: %zu of %zu settings left unexplored (neither simulated nor implied by "
                  "those simulated); the answer is the best of those known", o->search.budget,
                  optimise_unknown(&o->search), o->search.settings);
    unsigned most = optimise_replications(o);
    const char *proposal = o->q.proposal;
    if (st == RM_OK && (st = collect_files(o, dir, d)) == RM_OK &&
        (st = write_file(dir, RESULTS_POINTS_CSV, o, write_points_csv, "w", d)) == RM_OK &&
        (st = write_file(dir, RESULTS_OPTIMUM_CSV, o, write_optimum_csv, "w", d)) == RM_OK &&
        (st = report_meta(dir, o->first, most, RESULTS_SWEEP, &proposal, proposal ? 1 : 0, NULL, 0, d)) == RM_OK)
        st = write_file(dir, RESULTS_META_CSV, o, write_meta_rows, "a", d);
    o->dir = o->reuse_dir = NULL;
    return st;
}

bool optimise_found(const struct optimise_result *o)
{
    return o->best != SIZE_MAX;
}

unsigned optimise_replications(const struct optimise_result *o)
{
    unsigned most = 0;
    for (size_t i = 0; i < o->search.settings; i++)
        if (o->search.ran[i] && o->setting[i]->n > most)
            most = o->setting[i]->n;
    return most ? most : o->first->replications;
}

/* ---- on screen ---------------------------------------------------------------- */

/* "METRIC@origin:O1 82.40 % [80.10, 84.70]" */
static void measure_text(struct strbuf *b, const struct optimise_result *o, const struct metric *mt, const char *scope,
                         const struct stats_summary *s)
{
    char unit[64];
    const char *u = metric_unit(mt, o->first->currency, unit, sizeof unit);
    /* two decimals, as the tables print, or enough to tell an interval's
     * ends apart; whole numbers for large amounts */
    int dp = fabs(s->mean) >= 10000 ? 0 : 2;
    while (dp && dp < 6 && s->ci_high > s->ci_low && s->ci_high - s->ci_low < 2 * pow(10, -dp))
        dp++;
    strbuf_printf(b, "%s@%s %.*f %s [%.*f, %.*f]", mt->name, scope, dp, s->mean, u, dp, s->ci_low, dp, s->ci_high);
}

static void constraints_text(struct strbuf *b, const struct optimise_result *o)
{
    for (size_t c = 0; c < o->n_con; c++)
        strbuf_printf(b, "%s%s@%s %s %g", c == 0 ? "" : c + 1 == o->n_con ? " and " : ", ", o->con[c].metric,
                      o->con[c].scope, o->con[c].at_least ? ">=" : "<=", o->con[c].threshold);
}

/* The objective and the constraints at setting i, one line each. */
static void print_measures(FILE *f, const struct optimise_result *o, size_t i)
{
    const struct setting *p = o->setting[i];
    struct strbuf b = { 0 };
    measure_text(&b, o, o->objective.metric, o->objective.scope, &p->measure[0]);
    fprintf(f, "  %s (%.4g%% interval)\n", strbuf_str(&b), 100 * o->first->confidence);
    for (size_t c = 0; c < o->n_con; c++) {
        strbuf_fini(&b);
        measure_text(&b, o, metric_find(o->con[c].metric), o->con[c].scope, &p->measure[1 + c]);
        fprintf(f, "  %s (%.4g%% interval): %s\n", strbuf_str(&b), 100 * o->con_confidence,
                sweep_side(&o->con[c], &p->measure[1 + c]) == SWEEP_MEETS ? "met"
                : sweep_side(&o->con[c], &p->measure[1 + c]) == SWEEP_FAILS ? "not met" : "cannot tell");
    }
    strbuf_fini(&b);
}

/* How the best was chosen among the feasible settings, and those as good. */
static void print_selection(FILE *f, const struct optimise_result *o)
{
    char unit[64];
    const char *u = metric_unit(o->objective.metric, o->first->currency, unit, sizeof unit);
    if (o->sel.contenders <= 1) {
        fputs("the only feasible setting simulated\n", f);
        return;
    }
    fprintf(f, "chosen among %zu feasible settings by Kim and Nelson's procedure on paired replications: the best "
            "with probability at least %.4g%% when it leads the others by %s (%.4g %s) or more", o->sel.contenders,
            100 * o->first->confidence, o->practical.value > 0 ? "the practical threshold" : "1 % of the best",
            o->sel.delta, u);
    if (o->sel.last > o->sel.first)
        fprintf(f, "; the leaders ran %u replications instead of %u to tell them apart", o->sel.last, o->sel.first);
    if (o->sel.dropped)
        fprintf(f, "; %zu dropped, their constraints not met once they had more replications", o->sel.dropped);
    fputs("\n", f);
    if (o->n_equivalent)
        fprintf(f, "as good (%s within %.4g %s of the chosen setting's, paired):\n", o->objective.metric->name,
                o->sel.delta, u);
    for (size_t e = 0; e < o->n_equivalent; e++) {
        struct strbuf b = { 0 };
        setting_text(&b, o, o->equivalent[e]);
        fprintf(f, "  %s: %.4g\n", strbuf_str(&b), o->setting[o->equivalent[e]]->measure[0].mean);
        strbuf_fini(&b);
    }
}

void optimise_print(const struct optimise_result *o, FILE *f)
{
    struct strbuf cons = { 0 }, at = { 0 };
    constraints_text(&cons, o);
    const struct optimise_search *s = &o->search;
    if (o->best != SIZE_MAX) {
        setting_text(&at, o, o->best);
        if (!o->q.maximise && metric_is_money(o->objective.metric))
            fputs("cheapest plan", f);
        else
            fprintf(f, "plan with the %s %s", o->q.maximise ? "highest" : "lowest", o->objective.metric->name);
        fprintf(f, " meeting %s with %.4g%% confidence: %s\n", strbuf_str(&cons), 100 * o->first->confidence,
                strbuf_str(&at));
        print_measures(f, o, o->best);
        print_selection(f, o);
        } else {
        fprintf(f, "no setting meets %s with %.4g%% confidence\n", strbuf_str(&cons), 100 * o->first->confidence);
        if (o->closest != SIZE_MAX) {
            setting_text(&at, o, o->closest);
            fprintf(f, "closest: %s\n", strbuf_str(&at));
            print_measures(f, o, o->closest);
        }
    }
    size_t reused = 0;
    for (size_t a = 0; a < s->n_ran; a++)
        reused += o->setting[s->order[a]]->reused > 0;
    if (reused)
        fprintf(f, "(the replications of %zu setting%s reused from the earlier results: same inputs, same version)\n",
                reused, reused == 1 ? "" : "s");
    fprintf(f, "%zu of %zu settings simulated", s->n_ran, s->settings);
    size_t unknown = optimise_unknown(s);
    if (unknown)
        fprintf(f, ", %zu left unexplored (--budget)", unknown);
    fprintf(f, "; each constraint at %.4g%% confidence (Bonferroni over %zu)\n", 100 * o->con_confidence, o->n_con);
    strbuf_fini(&cons);
    strbuf_fini(&at);
}

void optimise_destroy(struct optimise_result *o)
{
    if (!o)
        return;
    for (size_t i = 0; o->setting && i < o->search.settings; i++) {
        struct setting *p = o->setting[i];
        if (!p)
            continue;
        model_destroy(p->m);  /* before the scenario it reads */
        scenario_destroy(p->s);
        for (size_t c = 0; c <= OPTIMISE_MAX_CONSTRAINTS; c++)
            free(p->values[c]);
        free(p);
    }
    free(o->setting);
    optimise_search_fini(&o->search);
    for (size_t k = 0; k < OPTIMISE_MAX_KEYS; k++)
        sweep_values_fini(&o->key[k]);
    for (size_t c = 0; c < OPTIMISE_MAX_CONSTRAINTS; c++)
        sweep_target_fini(&o->con[c]);
    metric_ref_fini(&o->objective);
    scenario_destroy(o->first);
    free(o->overlay);
    free(o->out);
    free(o->equivalent);
    free(o);
}
