/* compare: runs a baseline and its proposals with the same seeds and
 * streams, pairs their replications metric by metric, and turns paired
 * t-tests into verdicts: Holm-corrected within one proposal's families
 * (its headline, its pairs), then held against each metric's practical
 * threshold. A proposal is judged over the pairs it shares with the
 * baseline, so nothing about it depends on the other proposals. */
#define _DEFAULT_SOURCE  /* DT_DIR for readdir */
#include "railmail/compare.h"

#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <nettle/sha2.h>

#include "railmail/calendar.h"
#include "railmail/closure.h"
#include "railmail/csvwrite.h"
#include "railmail/escape.h"
#include "railmail/metric.h"
#include "railmail/model.h"
#include "railmail/report.h"
#include "railmail/results.h"
#include "railmail/run.h"
#include "railmail/scenario.h"
#include "railmail/stats.h"
#include "railmail/strbuf.h"

/* The baseline is arm 0; each proposal is an arm after it. */
struct arm {
    char *name;
    struct scenario *s;
    struct model *m;
    struct run_result res;
    bool ran;
    bool what_if;              /* built by --what-if, not read from proposals/ */
    size_t *row_of;            /* baseline row -> this arm's row, SIZE_MAX if absent */
    struct stats_paired *stat; /* [baseline rows] */
    double *threshold;         /* [baseline rows]: the absolute practical threshold */
    const char **verdict;      /* [baseline rows] */
    /* A proposal that does not carry exactly the baseline's pairs is judged
     * over the ones they share: "common:NAME" in both records. */
    char *scope;               /* "all" or "common:NAME" */
    size_t n_shared;           /* the pairs it shares with the baseline */
    unsigned char key[32];     /* the scenario's key and its common scopes: what reuse matches */
    struct closure closure;    /* a proposal adding a disruption: recovery and late mail */
};

struct compare_result {
    struct compare_request q;
    struct metric_threshold threshold[METRIC_COUNT];  /* by catalogue row: defaults, scenario, --threshold */
    struct run_precision *precision;  /* on the paired differences; the caller's */
    size_t n_precision;
    unsigned max_replications;
    struct arm *arm;
    size_t n_arms;
    char *out;
    struct pairing { uint64_t seed; unsigned replications; double horizon_d, warmup_d, confidence; } base;
};

#define MAX_PROPOSALS 64

const char *compare_verdict(enum metric_direction dir, double diff, double threshold, bool reject)
{
    if (!reject)
        return RESULTS_VERDICT_NONE;       /* the data cannot tell */
    if (!(fabs(diff) > threshold))
        return RESULTS_VERDICT_NOT_PRACTICAL;
    if (dir == METRIC_NEUTRAL)
        return diff > 0 ? RESULTS_VERDICT_HIGHER : RESULTS_VERDICT_LOWER;
    bool up = diff > 0;
    return up == (dir == METRIC_HIGHER_BETTER) ? RESULTS_VERDICT_BETTER : RESULTS_VERDICT_WORSE;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t compare_list_proposals(const char *scenario_dir, char **names, size_t max)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/proposals", scenario_dir);
    DIR *dir = opendir(path);
    if (!dir)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while (n < max && (e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4400];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode) && (names[n] = strdup(e->d_name)))
            n++;
    }
    closedir(dir);
    qsort(names, n, sizeof *names, by_name);
    return n;
}

/* ---- preparing and running ---------------------------------------------- */

/* The catalogue row whose threshold a metric of that name uses: the
 * first of its name (the per-service rows share the batch rows'). */
static size_t threshold_index(const struct metric *mt)
{
    return (size_t)(metric_find(mt->name) - metric_get(0));
}

static struct pairing pairing_of(const struct scenario *s)
{
    return (struct pairing){ s->seed, s->replications, s->horizon_d, s->warmup_d, s->confidence };
}

/* Pairing replications needs one seed, count and window for all arms: a
 * proposal may not set its own. */
static enum rm_status check_pairing(const struct compare_result *c, const struct scenario *s, const char *overlay,
                                    struct diag *d)
{
    struct pairing p = pairing_of(s), b = c->base;
    if (p.seed == b.seed && p.replications == b.replications && p.horizon_d == b.horizon_d
        && p.warmup_d == b.warmup_d && p.confidence == b.confidence)
        return RM_OK;
    return diag_error(d, NULL, "%s%s: expected the baseline's seed, replications, horizon_d, warmup_d "
                      "and confidence, since proposals are paired replication by replication; found others",
                      overlay ? overlay : "--what-if", overlay ? "/scenario.csv" : "");
}

/* The thresholds: the catalogue's, then the scenario's threshold.METRIC
 * keys, then --threshold. A proposal's own keys would judge it by another
 * rule than the others, so it may not set any. */
static enum rm_status set_thresholds(struct compare_result *c, const struct scenario *s, const char *overlay,
                                     struct diag *d)
{
    if (overlay) {
        const struct scenario *b = c->arm[0].s;
        bool same = s->n_thresholds == b->n_thresholds;
        for (size_t k = 0; same && k < s->n_thresholds; k++)
            same = s->thresholds[k].metric == b->thresholds[k].metric
                   && s->thresholds[k].t.value == b->thresholds[k].t.value
                   && s->thresholds[k].t.relative == b->thresholds[k].t.relative;
        return same ? RM_OK : diag_error(d, NULL, "%s/scenario.csv: expected the baseline's threshold.METRIC "
                                         "keys, since every proposal is judged by the same rule; found others",
                                         overlay);
    }
    for (size_t i = 0; i < METRIC_COUNT; i++)
        c->threshold[i] = metric_get(i)->threshold;
    for (size_t k = 0; k < s->n_thresholds; k++)
        c->threshold[threshold_index(s->thresholds[k].metric)] = s->thresholds[k].t;
    for (size_t k = 0; k < c->q.n_thresholds; k++)
        c->threshold[threshold_index(c->q.thresholds[k].metric)] = c->q.thresholds[k].t;
    return RM_OK;
}

static enum rm_status load_arm(struct compare_result *c, size_t i, const char *overlay, struct diag *d)
{
    struct arm *a = &c->arm[i];
    const struct compare_request *q = &c->q;
    enum rm_status st = scenario_load_adding(q->scenario_dir, a->what_if ? NULL : overlay, a->what_if ? q->what_if : NULL,
                                             a->what_if ? q->n_what_if : 0, q->sets, q->n_sets, &a->s, d);
    if (st != RM_OK)
        return st;
    if (i == 0)
        c->base = pairing_of(a->s);
    else if ((st = check_pairing(c, a->s, a->what_if ? NULL : overlay, d)) != RM_OK)
        return st;
    return set_thresholds(c, a->s, overlay, d);
}

/* A proposal name is a directory name under proposals/, distinct from the
 * others and from the baseline's, whose results share the output directory. */
static enum rm_status check_names(char *const *names, size_t n, struct diag *d)
{
    enum rm_status st = RM_OK;
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            return diag_fail(d, RM_ENOMEM, "out of memory");
        if (!strcmp(names[i], RESULTS_BASELINE) || strchr(names[i], '/') || names[i][0] == '.' || !names[i][0])
            st = diag_error(d, NULL, "proposal \"%s\": expected a directory name under proposals/ other than "
                            "\"" RESULTS_BASELINE "\"", names[i]);
        else if (results_name_taken(names[i]))
            st = diag_error(d, NULL, "proposal \"%s\": expected a name that is not one of the files railmail writes "
                            "beside the proposals' folders; rename its directory", names[i]);
        else if (csvwrite_is_formula(names[i]))
            st = diag_error(d, NULL, "proposal \"%s\": expected a name that does not begin with '=', '+', '-' "
                            "or '@' (a spreadsheet would read it as a formula); rename its directory", names[i]);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(names[i], names[j]))
                st = diag_error(d, NULL, "proposal \"%s\": expected each proposal once, got it twice", names[i]);
    }
    return st;
}

static enum rm_status make_models(struct compare_result *c, struct diag *d);

/* Loads every arm into c; on failure c holds what was built, for destroy. */
static enum rm_status prepare(struct compare_result *c, struct diag *d)
{
    const struct compare_request *q = &c->q;
    char *names[MAX_PROPOSALS];
    size_t n = 0;
    if (q->n_proposals > MAX_PROPOSALS)
        return diag_error(d, NULL, "compare: expected at most %d proposals, got %zu", MAX_PROPOSALS, q->n_proposals);
    if (q->n_proposals + (q->n_what_if > 0) > MAX_PROPOSALS)
        return diag_error(d, NULL, "compare: expected at most %d proposals, got %zu and a what-if", MAX_PROPOSALS,
                          q->n_proposals);
    if (q->n_proposals == 0 && q->n_what_if == 0) {
        n = compare_list_proposals(q->scenario_dir, names, MAX_PROPOSALS);
        if (n == 0)
            return diag_error(d, NULL, "%s/proposals: expected at least one proposal directory, found none",
                              q->scenario_dir);
    } else {
        for (; n < q->n_proposals; n++)
            names[n] = strdup(q->proposals[n]);
        if (q->n_what_if)
            names[n++] = strdup(q->what_if_name ? q->what_if_name : SCENARIO_WHAT_IF_NAME);
    }
    c->n_arms = n + 1;
    c->arm = calloc(c->n_arms, sizeof *c->arm);
    if (!c->arm) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    c->arm[0].name = strdup(RESULTS_BASELINE);
    for (size_t i = 0; i < n; i++)
        c->arm[i + 1].name = names[i];
    c->arm[n].what_if = q->n_what_if > 0;
    if (check_names(names, n, d) != RM_OK)
        return diag_count(d) ? RM_EINPUT : RM_ENOMEM;
    enum rm_status st = load_arm(c, 0, NULL, d);
    for (size_t i = 1; st == RM_OK && i < c->n_arms; i++) {
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof path, "%s/proposals/%s", q->scenario_dir, c->arm[i].name);
        if (!c->arm[i].what_if && (!c->arm[i].name || stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
            diag_error(d, NULL, "%s: expected a proposal directory, found none", path);
            continue;
        }
        enum rm_status one = load_arm(c, i, path, d);
        (void)one;  /* keep going: report every broken proposal */
    }
    if (diag_count(d))
        return RM_EINPUT;
    return make_models(c, d);
}

/* "O-D" of demand row i. */
static void pair_key(const struct scenario *s, size_t i, char *buf, size_t len)
{
    snprintf(buf, len, "%s-%s", s->nodes[s->demand[i].origin].id, s->nodes[s->demand[i].destination].id);
}

static bool has_pair(const struct scenario *s, const char *key)
{
    char k[300];
    for (size_t i = 0; i < s->n_demand; i++) {
        pair_key(s, i, k, sizeof k);
        if (!strcmp(k, key))
            return true;
    }
    return false;
}

/* The pairs of s that `other` carries too, as "O-D" (malloc'd); *n of
 * them, and *same when the two carry exactly the same pairs. */
static char **shared_pairs(const struct scenario *s, const struct scenario *other, size_t *n, bool *same)
{
    char **pairs = calloc(s->n_demand + 1, sizeof *pairs);
    *n = 0;
    for (size_t i = 0; pairs && i < s->n_demand; i++) {
        char key[300];
        pair_key(s, i, key, sizeof key);
        if (has_pair(other, key) && !(pairs[(*n)++] = strdup(key))) {
            for (size_t k = 0; k < *n; k++)
                free(pairs[k]);
            free(pairs);
            return NULL;
        }
    }
    /* demand rows are one per pair */
    *same = *n == s->n_demand && *n == other->n_demand;
    return pairs;
}

/* What reuse matches an arm's replications by: its scenario's key and the
 * scopes "common" added to its record, which change with the proposals. */
static void arm_key(struct arm *a, const struct model_common *g, size_t n)
{
    struct sha256_ctx h;
    sha256_init(&h);
    sha256_update(&h, sizeof a->s->key, a->s->key);
    for (size_t i = 0; i < n; i++) {
        sha256_update(&h, strlen(g[i].name) + 1, (const uint8_t *)g[i].name);
        for (size_t k = 0; k < g[i].n_pairs; k++)
            sha256_update(&h, strlen(g[i].pairs[k]) + 1, (const uint8_t *)g[i].pairs[k]);
    }
    sha256_digest(&h, sizeof a->key, a->key);
}

/* The models. A proposal that does not carry exactly the baseline's pairs
 * gets the scope common:NAME over the pairs the two share, and so does the
 * baseline: its verdicts read it, so mail on a new (or dropped) pair cannot
 * make it look better (a mix effect), and the other proposals play no part. */
static enum rm_status make_models(struct compare_result *c, struct diag *d)
{
    const struct scenario *b = c->arm[0].s;
    size_t n = c->n_arms - 1, n_groups = 0;
    struct model_common *groups = calloc(n + 1, sizeof *groups);
    char ***shared = calloc(n + 1, sizeof *shared);
    bool ok = groups && shared;
    for (size_t i = 1; ok && i < c->n_arms; i++) {
        struct arm *a = &c->arm[i];
        bool same = true;
        if (!(ok = (shared[i - 1] = shared_pairs(b, a->s, &a->n_shared, &same)) != NULL))
            break;
        struct strbuf scope = {0};
        strbuf_printf(&scope, "%s%s", same ? "all" : metric_scope_kind(METRIC_SCOPE_COMMON)->prefix,
                      same ? "" : a->name);
        ok = (a->scope = strbuf_take(&scope)) != NULL;
        if (ok && !same)
            groups[n_groups++] = (struct model_common){ a->name, (const char *const *)shared[i - 1], a->n_shared };
    }
    for (size_t i = 0; ok && i < c->n_arms; i++) {
        struct arm *a = &c->arm[i];
        /* the baseline: every group; a proposal: its own, if it has one */
        const struct model_common *g = groups;
        size_t ng = n_groups;
        if (i > 0) {
            for (g = groups; g < groups + n_groups && strcmp(g->name, a->name); g++)
                ;
            ng = g < groups + n_groups;
        }
        arm_key(a, g, ng);
        ok = (a->m = model_create_common(a->s, g, ng)) != NULL;
    }
    for (size_t i = 0; shared && i < n; i++) {
        for (size_t k = 0; shared[i] && k < c->arm[i + 1].n_shared; k++)
            free(shared[i][k]);
        free(shared[i]);
    }
    free(shared);
    free(groups);
    if (!ok)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    const char *base = scenario_basename(c->arm[0].s);
    size_t len = strlen(base) + 32;
    if (!(c->out = malloc(len)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    snprintf(c->out, len, "results/%s-compare", base);
    return RM_OK;
}

size_t compare_memory_estimate(const struct compare_result *c)
{
    /* arms run one after the other, and every arm's result is kept */
    size_t kept_sum = 0, peak = 0;
    for (size_t i = 0; i < c->n_arms; i++) {
        const struct arm *a = &c->arm[i];
        unsigned n = c->n_precision && c->max_replications > a->s->replications ? c->max_replications
                                                                                 : a->s->replications;
        size_t kept, one = run_memory_estimate(a->m, n, c->q.jobs, &kept);
        if (kept_sum + one > peak)
            peak = kept_sum + one;
        kept_sum += kept;
    }
    return peak;
}

enum rm_status compare_prepare(const struct compare_request *q, struct compare_result **out,
                               struct diag *d)
{
    *out = NULL;
    struct compare_result *c = calloc(1, sizeof *c);
    if (!c)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    c->q = *q;
    enum rm_status st = prepare(c, d);
    if (st != RM_OK) {
        compare_destroy(c);
        return st;
    }
    *out = c;
    return RM_OK;
}

size_t compare_arms(const struct compare_result *c)
{
    return c->n_arms;
}

const struct scenario *compare_arm_scenario(const struct compare_result *c, size_t i)
{
    return c->arm[i].s;
}

const char *compare_arm_name(const struct compare_result *c, size_t i)
{
    return c->arm[i].name;
}

unsigned compare_reused(const struct compare_result *c)
{
    unsigned reused = c->arm[0].res.reused;
    for (size_t i = 1; i < c->n_arms; i++)
        reused = c->arm[i].res.reused < reused ? c->arm[i].res.reused : reused;
    return reused;
}

unsigned compare_replications(const struct compare_result *c)
{
    return c->arm[0].res.n;
}

const struct model *compare_baseline_model(const struct compare_result *c)
{
    return c->arm[0].m;
}

void compare_set_precision(struct compare_result *c, struct run_precision *p, size_t n, unsigned max_replications)
{
    c->precision = p;
    c->n_precision = n;
    c->max_replications = max_replications;
}

const char *compare_default_out(const struct compare_result *c)
{
    return c->out;
}

struct progress_share {
    const struct compare_request *q;
    size_t arm, n_arms;
};

static void arm_progress(void *ctx, double done)
{
    struct progress_share *ps = ctx;
    ps->q->progress(ps->q->progress_ctx, (ps->arm + done) / (double)ps->n_arms);
}

/* The paired half-width of target p over n replications: the widest
 * among the proposals; a relative target is a share of the baseline mean. */
static void paired_precision(const struct compare_result *c, struct run *const *runs, struct run_precision *p,
                             unsigned n)
{
    const struct arm *b = &c->arm[0];
    size_t rows0 = model_rows(b->m);
    const double *v0 = run_values(runs[0]);
    double *diff = malloc((n + 1) * sizeof *diff), worst = 0, base_mean;
    stats_half_width(v0 + p->row, rows0, n, b->s->confidence, &base_mean);
    for (size_t i = 1; diff && i < c->n_arms; i++) {
        const struct arm *a = &c->arm[i];
        size_t rows = model_rows(a->m), r = model_row(a->m, p->metric, p->scope);
        if (r == SIZE_MAX)
            continue;
        const double *v = run_values(runs[i]);
        for (unsigned k = 0; k < n; k++)
            diff[k] = v[(size_t)k * rows + r] - v0[(size_t)k * rows0 + p->row];
        double half = stats_half_width(diff, 1, n, b->s->confidence, NULL);
        if (!(half <= worst))  /* NaN and infinity count as the worst */
            worst = half;
    }
    free(diff);
    p->achieved = diff ? worst : INFINITY;
    p->met = run_precision_met(p, p->achieved, base_mean);
}

static bool precise_enough(const struct compare_result *c, struct run *const *runs, unsigned n)
{
    bool all = true;
    for (size_t k = 0; k < c->n_precision; k++) {
        paired_precision(c, runs, &c->precision[k], n);
        all &= c->precision[k].met;
    }
    return all;
}

/* Starts each arm's run in dir/NAME, taking over the replications kept in
 * reuse_dir/NAME (a later run into the same -o) unless it is NULL. */
static enum rm_status begin_arms(struct compare_result *c, const char *dir, const char *reuse_dir, struct run **runs,
                                 struct progress_share *ps, char (*sub)[4096], struct diag *d)
{
    unsigned most = c->n_precision ? c->max_replications : c->arm[0].s->replications;
    for (size_t i = 0; i < c->n_arms; i++) {
        struct arm *a = &c->arm[i];
        snprintf(sub[i], sizeof sub[i], "%s/%s", dir, a->name);
        if (mkdir(sub[i], 0777) != 0 && errno != EEXIST)
            return diag_fail(d, RM_EIO, "cannot create %s: %s", sub[i], strerror(errno));
        ps[i] = (struct progress_share){ &c->q, i, c->n_arms };
        struct run_options ro = { .replications = a->s->replications, .jobs = c->q.jobs, .batches = c->q.batches,
                                  .tracking = c->q.tracking, .key = a->key,
                                  .progress = c->q.progress ? arm_progress : NULL, .progress_ctx = &ps[i] };
        enum rm_status st = run_begin(a->m, &ro, sub[i], &runs[i], d);
        if (st != RM_OK)
            return st;
        if (reuse_dir) {
            char old[4200];
            snprintf(old, sizeof old, "%s/%s", reuse_dir, a->name);
            run_adopt(runs[i], old, most);
        }
    }
    return RM_OK;
}

/* Rounds of the same size for every arm, so replications stay paired,
 * until the paired targets are met; checks are made on the first n as a
 * fresh run would. *stop: the count a fresh run would end with. */
static enum rm_status arm_rounds(struct compare_result *c, struct run **runs, unsigned *stop, struct diag *d)
{
    unsigned first = c->arm[0].s->replications, n = first;
    for (;;) {
        for (size_t i = 0; i < c->n_arms; i++) {
            enum rm_status st = run_extend(runs[i], n, d);
            if (st != RM_OK)
                return st;
        }
        if (c->n_precision == 0 || precise_enough(c, runs, n) || n >= c->max_replications)
            break;
        n = run_next_round(first, n);
        if (n > c->max_replications)
            n = c->max_replications;
    }
    *stop = n;
    return RM_OK;
}

/* Runs every arm and writes each arm's results. Replications taken over
 * from earlier results that a fresh run would not have needed (a looser
 * target met earlier) cannot be dropped one by one: then all start afresh. */
static enum rm_status run_arms(struct compare_result *c, const char *dir, const char *reuse_dir, struct diag *d)
{
    struct run *runs[MAX_PROPOSALS + 1] = { 0 };
    struct progress_share ps[MAX_PROPOSALS + 1];
    char sub[MAX_PROPOSALS + 1][4096];
    enum rm_status st = RM_OK;
    for (int attempt = 0; attempt < 2; attempt++) {
        unsigned stop = 0;
        bool again = false;
        st = begin_arms(c, dir, attempt == 0 ? reuse_dir : NULL, runs, ps, sub, d);
        if (st == RM_OK)
            st = arm_rounds(c, runs, &stop, d);
        for (size_t i = 0; st == RM_OK && i < c->n_arms; i++)
            again |= run_done(runs[i]) > stop;
        if (st == RM_OK && !again)
            break;
        for (size_t i = 0; i < c->n_arms; i++) {
            run_abort(runs[i]);
            runs[i] = NULL;
        }
        if (st != RM_OK)
            return st;
    }
    for (size_t i = 0; i < c->n_arms; i++) {
        struct arm *a = &c->arm[i];
        if (st != RM_OK) {
            run_abort(runs[i]);
            continue;
        }
        st = run_finish(runs[i], a->s->confidence, &a->res, d);
        a->ran = st == RM_OK;
        if (st == RM_OK)
            run_warn_undelivered(&a->res, a->s, a->name, d);
        if (st == RM_OK)
            st = report_run(sub[i], a->s, &a->res, RESULTS_RUN, d);
    }
    return st;
}

/* Pairs every baseline row with the proposal's row of the same name. */
static enum rm_status pair_arm(struct compare_result *c, size_t i)
{
    const struct arm *b = &c->arm[0];
    struct arm *a = &c->arm[i];
    size_t rows = model_rows(b->m), n = b->res.n;
    a->row_of = malloc(rows * sizeof *a->row_of);
    a->stat = calloc(rows, sizeof *a->stat);
    a->verdict = calloc(rows, sizeof *a->verdict);
    a->threshold = calloc(rows, sizeof *a->threshold);
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    enum rm_status st = a->row_of && a->stat && a->verdict && a->threshold && x && y ? RM_OK : RM_ENOMEM;
    for (size_t row = 0; st == RM_OK && row < rows; row++) {
        int32_t month = model_row_month(b->m, row);
        size_t r = month < 0 ? model_row(a->m, model_row_metric(b->m, row), model_row_scope(b->m, row))
                             : model_row_in_month(a->m, model_row_metric(b->m, row), model_row_scope(b->m, row), month);
        a->row_of[row] = r;
        if (r == SIZE_MAX)
            continue;
        for (size_t k = 0; k < n; k++) {
            x[k] = run_value(&b->res, (unsigned)k, row);
            y[k] = run_value(&a->res, (unsigned)k, r);
        }
        stats_paired_test(x, y, n, b->s->confidence, &a->stat[row]);
        const struct metric *mt = metric_find(model_row_metric(b->m, row));
        a->threshold[row] = metric_threshold_of(&c->threshold[threshold_index(mt)], a->stat[row].baseline_mean);
    }
    free(x);
    free(y);
    return st;
}

/* Whether two arms post the same mail: the same demand rows, rates,
 * weights and growth. */
static bool same_demand(const struct scenario *a, const struct scenario *b)
{
    if (a->n_demand != b->n_demand)
        return false;
    for (size_t i = 0; i < a->n_demand; i++) {
        const struct scenario_demand *x = &a->demand[i], *y = &b->demand[i];
        if (strcmp(a->nodes[x->origin].id, b->nodes[y->origin].id)
            || strcmp(a->nodes[x->destination].id, b->nodes[y->destination].id)
            || x->batches_per_day != y->batches_per_day || x->growth_pct_per_year != y->growth_pct_per_year
            || memcmp(&x->kg_per_batch, &y->kg_per_batch, sizeof x->kg_per_batch))
            return false;
    }
    return true;
}

/* Whether proposal i is a forecast (scenario.csv kind,forecast): demand or
 * an external change nobody decides, so its differences are only higher or
 * lower, never better or worse. */
static bool arm_is_forecast(const struct compare_result *c, size_t i)
{
    return c->arm[i].s->forecast;
}

/* Which way is better for metric mt in proposal a: the catalogue's
 * direction, or neutral ("higher", "lower") where better and worse do not
 * apply. The one place that decides it. */
static enum metric_direction direction_in(const struct compare_result *c, const struct arm *a,
                                          const struct metric *mt)
{
    if (a->s->forecast)  /* see arm_is_forecast */
        return METRIC_NEUTRAL;
    /* more mail carried because more was posted is no improvement */
    if (mt->follows_demand && !same_demand(c->arm[0].s, a->s))
        return METRIC_NEUTRAL;
    return mt->direction;
}

/* Holm's families, each within one proposal, so that its verdicts do not
 * depend on which others share the run: its headline (the metrics of the
 * headline table at its scope); its existing pairs (the od rows of the
 * metrics judged per pair); each metric's months at one scope; and each
 * metric's other scopes of one kind (every dest:ID, every node:ID, ...). */
enum family_class { FAMILY_HEADLINE, FAMILY_PAIRS, FAMILY_MONTHS, FAMILY_OTHER };

struct family_row {
    enum family_class cls;
    const char *metric, *within;  /* "" for the headline and the pairs */
    size_t row;
};

static int by_family(const void *pa, const void *pb)
{
    const struct family_row *a = pa, *b = pb;
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    int k = strcmp(a->metric, b->metric);
    return k ? k : strcmp(a->within, b->within);
}

static struct family_row family_of(const struct model *m, const struct arm *a, size_t row)
{
    const char *metric = model_row_metric(m, row), *scope = model_row_scope(m, row);
    const struct metric *mt = metric_find(metric);
    unsigned kind = metric_scope_of(scope);
    if (model_row_month(m, row) >= 0)
        return (struct family_row){ FAMILY_MONTHS, metric, scope, row };
    if ((mt->flags & METRIC_HEADLINE_TABLE) && !strcmp(scope, a->scope))
        return (struct family_row){ FAMILY_HEADLINE, "", "", row };
    if ((mt->flags & METRIC_JUDGED_PER_PAIR) && kind == METRIC_SCOPE_OD)
        return (struct family_row){ FAMILY_PAIRS, "", "", row };
    return (struct family_row){ FAMILY_OTHER, metric, metric_scope_kind(kind)->name, row };
}

/* Rows f[0..n) are one family: Holm at the scenario's confidence over
 * those with a p-value, then each difference against its threshold. */
static bool decide_family(struct compare_result *c, struct arm *a, const struct family_row *f, size_t n,
                          double *p, bool *reject)
{
    const struct arm *b = &c->arm[0];
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        const struct stats_paired *s = &a->stat[f[k].row];
        if (s->n >= 2 && isfinite(s->p_value))
            p[m++] = s->p_value;
    }
    if (!stats_holm(p, m, 1 - b->s->confidence, reject))
        return false;
    m = 0;
    for (size_t k = 0; k < n; k++) {
        size_t row = f[k].row;
        const struct stats_paired *s = &a->stat[row];
        bool tested = s->n >= 2 && isfinite(s->p_value);
        bool rej = tested && reject[m++];
        const struct metric *mt = metric_find(model_row_metric(b->m, row));
        a->verdict[row] = compare_verdict(direction_in(c, a, mt), s->diff, a->threshold[row], rej);
    }
    return true;
}

static enum rm_status decide(struct compare_result *c, struct arm *a)
{
    const struct model *m = c->arm[0].m;
    size_t rows = model_rows(m), n = 0;
    struct family_row *f = malloc((rows + 1) * sizeof *f);
    double *p = malloc((rows + 1) * sizeof *p);
    bool *reject = malloc((rows + 1) * sizeof *reject);
    if (!f || !p || !reject) {
        free(f), free(p), free(reject);
        return RM_ENOMEM;
    }
    for (size_t row = 0; row < rows; row++)
        if (a->row_of[row] != SIZE_MAX)
            f[n++] = family_of(m, a, row);
    qsort(f, n, sizeof *f, by_family);
    bool ok = true;
    for (size_t start = 0, end; ok && start < n; start = end) {
        for (end = start + 1; end < n && by_family(&f[start], &f[end]) == 0; end++)
            ;
        ok = decide_family(c, a, f + start, end - start, p, reject);
    }
    free(f), free(p), free(reject);
    return ok ? RM_OK : RM_ENOMEM;
}

/* The rows of the comparison's file (monthly false) or of its monthly
 * file, where each row names its month after the proposal. */
static void write_rows(FILE *f, const struct compare_result *c, bool monthly)
{
    const struct arm *b = &c->arm[0];
    for (size_t i = 1; i < c->n_arms; i++) {
        const struct arm *a = &c->arm[i];
        for (size_t row = 0; row < model_rows(b->m); row++) {
            const struct stats_paired *s = &a->stat[row];
            int32_t month = model_row_month(b->m, row);
            if (a->row_of[row] == SIZE_MAX || s->n == 0 || (month >= 0) != monthly)
                continue;
            csvwrite_field(f, a->name), fputc(',', f);
            if (monthly) {
                char text[8];
                calendar_month_format(month, text);
                fprintf(f, "%s,", text);
            }
            csvwrite_field(f, model_row_metric(b->m, row)), fputc(',', f);
            /* common:NAME is this proposal's: the files call it common */
            const char *scope = model_row_scope(b->m, row);
            csvwrite_field(f, metric_scope_of(scope) == METRIC_SCOPE_COMMON
                                  ? metric_scope_kind(METRIC_SCOPE_COMMON)->name : scope);
            const double v[] = { s->baseline_mean, s->proposal_mean, s->diff, s->diff_ci_low,
                                 s->diff_ci_high, s->rel_pct, s->p_value, a->threshold[row] };
            for (size_t j = 0; j < sizeof v / sizeof *v; j++) {
                fputc(',', f);
                csvwrite_number(f, v[j]);
            }
            fputc(',', f);
            csvwrite_field(f, a->verdict[row]);
            fputc('\n', f);
        }
    }
}

/* compare's own rows of a proposal that adds a disruption, as its other
 * rows read: the baseline's 0 (it has no such closure), the figure, and
 * its interval; each tested on its own at the scenario's confidence. */
static void write_closure_rows(FILE *f, const struct compare_result *c, const struct arm *a)
{
    const struct closure *x = &a->closure;
    const struct { enum metric_id id; const struct stats_paired *s; } rows[] = {
        { METRIC_RECOVERY, &x->recovery }, { METRIC_EXTRA_LATE, &x->late }, { METRIC_EXTRA_LATE_T, &x->late_t } };
    for (size_t i = 0; x->measured && i < sizeof rows / sizeof *rows; i++) {
        const struct metric *mt = metric_get(rows[i].id);
        const struct stats_paired *s = rows[i].s;
        double threshold = metric_threshold_of(&c->threshold[threshold_index(mt)], 0);
        bool reject = s->n >= 2 && s->p_value < 1 - c->arm[0].s->confidence;
        csvwrite_field(f, a->name), fputc(',', f);
        csvwrite_field(f, mt->name), fputc(',', f);
        csvwrite_field(f, metric_scope_kind(METRIC_SCOPE_ALL)->name);
        const double v[] = { 0, s->diff, s->diff, s->diff_ci_low, s->diff_ci_high, NAN, s->p_value, threshold };
        for (size_t j = 0; j < sizeof v / sizeof *v; j++) {
            fputc(',', f);
            csvwrite_number(f, v[j]);
        }
        fputc(',', f);
        csvwrite_field(f, s->n ? compare_verdict(mt->direction, s->diff, threshold, reject) : RESULTS_VERDICT_NONE);
        fputc('\n', f);
    }
}

static void write_compare_csv(FILE *f, const struct compare_result *c)
{
    csvwrite_header(f, RESULTS_COMPARE_COLUMNS);
    write_rows(f, c, false);
    for (size_t i = 1; i < c->n_arms; i++)
        write_closure_rows(f, c, &c->arm[i]);
}

/* The paired differences month by month: when a proposal starts to help,
 * or to hurt. */
static void write_compare_monthly_csv(FILE *f, const struct compare_result *c)
{
    csvwrite_header(f, RESULTS_COMPARE_MONTHLY_COLUMNS);
    write_rows(f, c, true);
}

static void write_throughput_csv(FILE *f, const struct compare_result *c)
{
    csvwrite_header(f, RESULTS_COMPARE_THROUGHPUT_COLUMNS);
    size_t days = model_days(c->arm[0].m);
    for (size_t i = 0; i < c->n_arms; i++) {
        const struct run_result *r = &c->arm[i].res;
        for (size_t day = 0; day < days && day < model_days(c->arm[i].m); day++) {
            char date[11];
            calendar_format(c->arm[i].s->start_day + (int32_t)day, date);
            fprintf(f, "%zu,%s,", day, date);
            csvwrite_field(f, c->arm[i].name), fputc(',', f);
            csvwrite_number(f, r->delivered_avg[day]);
            fputc('\n', f);
        }
    }
}

static enum rm_status write_file(const char *dir, const char *name, const struct compare_result *c,
                                 void (*write)(FILE *, const struct compare_result *), struct diag *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
    write(f, c);
    if (ferror(f) | fclose(f))
        return diag_fail(d, RM_EIO, "cannot write %s", path);
    return RM_OK;
}

enum rm_status compare_run(struct compare_result *c, const char *dir, const char *reuse_dir, struct diag *d)
{
    enum rm_status st = run_arms(c, dir, reuse_dir, d);
    for (size_t i = 1; st == RM_OK && i < c->n_arms; i++)
        if (pair_arm(c, i) != RM_OK)
            st = diag_fail(d, RM_ENOMEM, "out of memory");
    for (size_t i = 1; st == RM_OK && i < c->n_arms; i++)
        if (decide(c, &c->arm[i]) != RM_OK)
            st = diag_fail(d, RM_ENOMEM, "out of memory");
    for (size_t i = 1; st == RM_OK && i < c->n_arms; i++) {
        char b_dir[4200], p_dir[4200];
        snprintf(b_dir, sizeof b_dir, "%s/%s", dir, c->arm[0].name);
        snprintf(p_dir, sizeof p_dir, "%s/%s", dir, c->arm[i].name);
        st = closure_measure(c->arm[0].s, &c->arm[0].res, b_dir, c->arm[i].s, &c->arm[i].res, p_dir,
                             &c->arm[i].closure, d);
    }
    if (st != RM_OK)
        return st;
    const char *names[MAX_PROPOSALS];
    for (size_t i = 1; i < c->n_arms; i++)
        names[i - 1] = c->arm[i].name;
    st = write_file(dir, RESULTS_COMPARE_CSV, c, write_compare_csv, d);
    if (st == RM_OK)
        st = write_file(dir, RESULTS_COMPARE_MONTHLY_CSV, c, write_compare_monthly_csv, d);
    if (st == RM_OK)
        st = write_file(dir, RESULTS_COMPARE_THROUGHPUT_CSV, c, write_throughput_csv, d);
    if (st == RM_OK)
        st = report_meta(dir, c->arm[0].s, c->arm[0].res.n, RESULTS_COMPARE, names, c->n_arms - 1, c->precision,
                         c->n_precision, d);
    return st;
}

/* ---- the table ------------------------------------------------------------ */

/* The pairs proposal i carries and the baseline does not, with their own
 * levels (no paired verdict: the baseline has nothing to pair them with). */
static void print_new_pairs(const struct compare_result *c, FILE *f, size_t i)
{
    const struct arm *b = &c->arm[0], *a = &c->arm[i];
    enum { SHOWN = 6 };  /* the rest are in the arm's folder */
    char name[2048], key[300], scope[310];
    bool first = true;
    size_t shown = 0, more = 0;
    for (size_t k = 0; k < a->s->n_demand; k++) {
        pair_key(a->s, k, key, sizeof key);
        if (has_pair(b->s, key))
            continue;
        if (shown == SHOWN) {
            more++;
            continue;
        }
        shown++;
        snprintf(scope, sizeof scope, "od:%s", key);
        size_t on_time = model_row(a->m, metric_name(METRIC_ON_TIME), scope);
        size_t p95 = model_row(a->m, metric_name(METRIC_TRANSIT_P95), scope);
        if (first)
            fprintf(f, "\n%s carries pairs the baseline does not (their own levels, no verdict):",
                    escape_text(name, sizeof name, a->name));
        fprintf(f, "%s %s (on time %.1f %%, transit p95 %.1f d", first ? "" : ",", escape_text(name, sizeof name, key),
                a->res.summary[on_time].mean, a->res.summary[p95].mean);
        /* what it costs and emits, where the scenario prices and rates it */
        size_t cost = model_row(a->m, metric_name(METRIC_COST_PER_KG), scope);
        size_t co2 = model_row(a->m, metric_name(METRIC_CO2_PER_KG), scope);
        if (cost != SIZE_MAX && isfinite(a->res.summary[cost].mean))
            fprintf(f, ", %s %.2f per kg", a->s->currency, a->res.summary[cost].mean);
        if (co2 != SIZE_MAX && isfinite(a->res.summary[co2].mean))
            fprintf(f, ", %.0f g CO2e per kg", a->res.summary[co2].mean);
        fputc(')', f);
        first = false;
    }
    if (more)
        fprintf(f, " and %zu more (%s/" RESULTS_PAIRS_CSV ")", more, escape_text(name, sizeof name, a->name));
    if (!first)
        fputc('\n', f);
}

/* Existing pairs that proposal i makes worse on a metric judged per pair:
 * significant within the proposal's own family of pairs, and beyond the
 * metric's threshold. */
static void print_worse_pairs(const struct compare_result *c, FILE *f, size_t i)
{
    const struct arm *b = &c->arm[0], *a = &c->arm[i];
    char name[2048], key[300], scope[310], list[4096] = "";
    size_t n = 0;
    for (size_t k = 0; k < b->s->n_demand; k++) {
        pair_key(b->s, k, key, sizeof key);
        snprintf(scope, sizeof scope, "od:%s", key);
        bool worse = false;
        for (size_t j = 0; j < METRIC_COUNT; j++) {
            if (!(metric_get(j)->flags & METRIC_JUDGED_PER_PAIR))
                continue;
            size_t row = model_row(b->m, metric_get(j)->name, scope);
            worse |= row != SIZE_MAX && a->row_of[row] != SIZE_MAX && a->verdict[row]
                     && !strcmp(a->verdict[row], RESULTS_VERDICT_WORSE);
        }
        if (worse && strlen(list) + strlen(key) + 3 < sizeof list)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", n++ ? ", " : "", key);
    }
    if (n)
        escape_line(f, "%s: worse for %zu existing pair%s: %s", escape_text(name, sizeof name, a->name), n,
                    n == 1 ? "" : "s", list);
}

/* ---- the trade-off line ------------------------------------------------- */

/* A difference in its unit, e.g. "+11.5 points", "-1.08 d", "+2.60 USD per
 * kg (+54 %)" (the share only for cost and carbon, whose size is relative). */
static void tradeoff_amount(struct strbuf *b, const struct metric *mt, double diff, double rel_pct,
                            const char *currency, bool share)
{
    double size = fabs(diff);
    int digits = size >= 100 ? 0 : size >= 10 ? 1 : 2;
    char unit[64];
    const char *u = !strcmp(mt->unit, "%") ? "points" : !strcmp(mt->unit, "days") ? "d"
                    : !strcmp(mt->unit, "hours") ? "h" : metric_unit(mt, currency, unit, sizeof unit);
    strbuf_printf(b, "%+.*f %s", digits, diff, u);
    if (share && isfinite(rel_pct))
        strbuf_printf(b, " (%+.0f %%)", rel_pct);
}

static bool practical(const char *verdict)
{
    return strcmp(verdict, RESULTS_VERDICT_NONE) && strcmp(verdict, RESULTS_VERDICT_NOT_PRACTICAL);
}

void compare_tradeoff(struct strbuf *b, const struct compare_tradeoff_row *rows, size_t n, const char *currency)
{
    const char *cost = metric_name(METRIC_COST_PER_KG), *co2 = metric_name(METRIC_CO2_PER_KG);
    const struct compare_tradeoff_row *money = NULL, *carbon = NULL;
    size_t said = 0;
    for (size_t i = 0; i < n; i++) {
        const struct metric *mt = metric_find(rows[i].metric);
        if (!mt || !isfinite(rows[i].diff))
            continue;
        if (!strcmp(rows[i].metric, cost))
            money = &rows[i];
        else if (!strcmp(rows[i].metric, co2))
            carbon = &rows[i];
        else if (practical(rows[i].verdict)) {
            strbuf_printf(b, "%s%s ", said++ ? ", " : "", mt->label);
            tradeoff_amount(b, mt, rows[i].diff, rows[i].rel_pct, currency, false);
        }
    }
    if (!said)
        strbuf_printf(b, "no practical change in service");
    /* what it costs and emits, whatever their verdicts */
    const struct compare_tradeoff_row *extra[] = { money, carbon };
    const char *word[] = { "cost", "CO2" };
    for (size_t k = 0; k < 2; k++) {
        const struct compare_tradeoff_row *r = extra[k];
        if (!r)
            continue;
        if (k == 0 && !strcmp(r->verdict, RESULTS_VERDICT_WORSE))  /* the price of the gains */
            strbuf_printf(b, " for ");
        else
            strbuf_printf(b, ", %s ", word[k]);
        if (practical(r->verdict))
            tradeoff_amount(b, metric_find(r->metric), r->diff, r->rel_pct, currency, true);
        else
            strbuf_printf(b, strcmp(r->verdict, RESULTS_VERDICT_NONE) ? "unchanged" : "without a clear difference");
    }
}

/* Proposal a's trade-off line, from its headline rows at its scope. */
static void arm_tradeoff(const struct compare_result *c, const struct arm *a, struct strbuf *b)
{
    const struct arm *base = &c->arm[0];
    struct compare_tradeoff_row rows[METRIC_COUNT];
    size_t n = 0;
    for (size_t j = 0; j < METRIC_COUNT; j++) {
        const struct metric *mt = metric_get(j);
        if (!(mt->flags & METRIC_HEADLINE_TABLE))
            continue;
        size_t row = model_row(base->m, mt->name, a->scope);
        if (row == SIZE_MAX || a->row_of[row] == SIZE_MAX || !a->stat[row].n || !a->verdict[row])
            continue;
        rows[n++] = (struct compare_tradeoff_row){ mt->name, a->stat[row].diff, a->stat[row].rel_pct,
                                                   a->verdict[row] };
    }
    compare_tradeoff(b, rows, n, base->s->currency);
}

/* ---- the table ------------------------------------------------------------ */

/* "over all pairs" or "over the 32 pairs it shares with the baseline". */
static void scope_words(const struct arm *a, char *buf, size_t size)
{
    if (!strcmp(a->scope, "all"))
        snprintf(buf, size, "all pairs");
    else
        snprintf(buf, size, "the %zu pair%s it shares with the baseline (scope common)", a->n_shared,
                 a->n_shared == 1 ? "" : "s");
}

/* One metric's line of proposal a: levels, difference, threshold, verdict;
 * nothing where the metric has no value (a scenario without costs). */
static void print_metric(const struct compare_result *c, FILE *f, const struct arm *a, const char *metric)
{
    const struct arm *b = &c->arm[0];
    size_t row = model_row(b->m, metric, a->scope);
    if (row == SIZE_MAX)  /* a metric of the network only */
        row = model_row(b->m, metric, "all");
    if (row == SIZE_MAX || a->row_of[row] == SIZE_MAX || !a->stat[row].n)
        return;
    const struct stats_paired *s = &a->stat[row];
    if (!isfinite(s->baseline_mean) && !isfinite(s->proposal_mean))
        return;
    const struct metric *mt = metric_find(metric);
    char name[2048], head[2100], diff[64], thr[32];
    bool money = mt && metric_is_money(mt);
    snprintf(head, sizeof head, "%s%s%s%s", escape_text(name, sizeof name, metric), money ? " (" : "",
             money ? b->s->currency : "", money ? ")" : "");
    double half = isnan(s->diff_ci_high) ? 0 : (s->diff_ci_high - s->diff_ci_low) / 2;
    bool na = b->res.n < COMPARE_MIN_REPLICATIONS;
    if (na)
        snprintf(diff, sizeof diff, "%+.2f", s->diff);
    else
        snprintf(diff, sizeof diff, "%+.2f ±%.2f", s->diff, half);
    snprintf(thr, sizeof thr, "%.3g", a->threshold[row]);
    /* '±' is two bytes and one column */
    fprintf(f, "  %-22s %9.2f %9.2f  %-*s %9s  %s\n", head, s->baseline_mean, s->proposal_mean, na ? 16 : 17, diff,
            thr, na ? "n/a" : a->verdict[row]);
}

/* `text` after `lead`, cut at spaces into lines of at most 100 bytes,
 * the later ones indented under the first's text. */
static void print_wrapped(FILE *f, const char *lead, const char *text)
{
    enum { WIDTH = 100 };
    char buf[4096];
    escape_text(buf, sizeof buf, text);
    size_t indent = strlen(lead), at = 0, len = strlen(buf);
    fputs(lead, f);
    while (len - at > WIDTH - indent) {
        size_t cut = at + WIDTH - indent;
        while (cut > at && buf[cut] != ' ')
            cut--;
        if (cut == at)  /* one word longer than a line */
            cut = at + WIDTH - indent;
        fprintf(f, "%.*s\n%*s", (int)(cut - at), buf + at, (int)indent, "");
        at = cut + (buf[cut] == ' ');
    }
    fprintf(f, "%s\n", buf + at);
}

/* The mean of segment `name` of the time budget at scope all in arm a's
 * results; 0 where the arm has no such segment (a mode it does not ride). */
static double budget_mean(const struct arm *a, const char *name)
{
    size_t segments, scopes, first = model_budget(a->m, &segments, &scopes);
    for (size_t k = 0; k < segments; k++)
        if (!strcmp(model_row_metric(a->m, first + k), name))
            return a->res.summary[first + k].n ? a->res.summary[first + k].mean : NAN;
    return 0;
}

/* A segment's change in proposal i, by name. */
struct segment_change { const char *name; double diff; };

static int by_size_down(const void *x, const void *y)
{
    double a = fabs(((const struct segment_change *)x)->diff), b = fabs(((const struct segment_change *)y)->diff);
    return (a < b) - (a > b);
}

/* A change in days as the line prints it: signed, two decimals, and
 * +0.00 for what rounds to nothing (no "-0.00"). */
static double shown_change(double x)
{
    return fabs(x) < 0.005 ? 0 : x;
}

/* Where each proposal's door-to-door time changes (the time budget at
 * scope all, as the budget file has it): "brest-fast-lane: -0.29 d, of which queue -0.21,
 * handling -0.08", the segments that change by 0.005 d or more, largest
 * first. Segments of either arm count (a mode only one rides). */
static void print_budget_changes(const struct compare_result *c, FILE *f)
{
    const struct arm *b = &c->arm[0];
    char name[2048];
    bool common = false;  /* an arm that does not carry the baseline's pairs */
    for (size_t i = 1; i < c->n_arms; i++)
        common |= strcmp(c->arm[i].scope, "all") != 0;
    fprintf(f, "\nWhere the time changes, proposal minus baseline (days door to door per delivered batch at "
               "scope all%s):\n", common ? ", each arm over its own pairs" : "");
    for (size_t i = 1; i < c->n_arms; i++) {
        const struct arm *a = &c->arm[i];
        struct segment_change ch[64];
        size_t n = 0;
        double total = 0;
        const struct arm *both[] = { b, a };
        for (size_t w = 0; w < 2; w++) {
            size_t segments, scopes, first = model_budget(both[w]->m, &segments, &scopes);
            for (size_t k = 0; k < segments && n < sizeof ch / sizeof *ch; k++) {
                const char *seg = model_row_metric(both[w]->m, first + k);
                bool seen = false;
                for (size_t j = 0; j < n; j++)
                    seen |= !strcmp(ch[j].name, seg);
                if (!seen)
                    ch[n++] = (struct segment_change){ seg, budget_mean(a, seg) - budget_mean(b, seg) };
            }
        }
        for (size_t j = 0; j < n; j++)
            total += ch[j].diff;
        qsort(ch, n, sizeof *ch, by_size_down);
        struct strbuf line = {0};
        strbuf_printf(&line, "%s: %+.2f d", escape_text(name, sizeof name, a->name), shown_change(total));
        for (size_t j = 0, shown = 0; j < n && isfinite(total); j++)
            if (fabs(ch[j].diff) >= 0.005)
                strbuf_printf(&line, "%s %s %+.2f", shown++ ? "," : ", of which", ch[j].name, ch[j].diff);
        escape_line(f, "%s", isfinite(total) ? strbuf_str(&line) : "-");
        strbuf_fini(&line);
    }
}

/* A figure and its interval, with `decimals`, after `lead`. */
static void figure(struct strbuf *b, const char *lead, const struct stats_paired *s, int decimals, const char *unit)
{
    strbuf_printf(b, "%s%+.*f %s", lead, decimals, s->diff, unit);
    if (isfinite(s->diff_ci_low))
        strbuf_printf(b, " [%.*f, %.*f]", decimals, s->diff_ci_low, decimals, s->diff_ci_high);
}

/* What the disruptions a proposal adds cost: recovery and late mail. */
static void print_closure(const struct compare_result *c, FILE *f, const struct arm *a)
{
    const struct closure *x = &a->closure;
    if (!x->measured)
        return;
    char end[11];
    calendar_format(a->s->start_day + (int32_t)floor(x->end_d), end);
    struct strbuf line = {0};
    unsigned n = x->late.n ? (unsigned)x->late.n : c->arm[0].res.n;
    if (x->recovered) {
        strbuf_printf(&line, "the backlog is back to the baseline's %.1f days", x->recovery.diff);
        if (isfinite(x->recovery.diff_ci_low))
            strbuf_printf(&line, " [%.1f, %.1f]", x->recovery.diff_ci_low, x->recovery.diff_ci_high);
        strbuf_printf(&line, " after the last window it adds ends (%s)", end);
    } else {
        strbuf_printf(&line, "the backlog is not back to the baseline's within the horizon after the last window it "
                      "adds ends (%s)", end);
    }
    if (x->recovered && x->recovered < n)
        strbuf_printf(&line, ", not within the horizon in %u of %u", n - x->recovered, n);
    figure(&line, "; late mail ", &x->late, 0, "batches");
    figure(&line, ", ", &x->late_t, 1, "tonnes");
    print_wrapped(f, "  closure: ", line.oom ? "" : strbuf_str(&line));
    strbuf_fini(&line);
}

void compare_print(const struct compare_result *c, FILE *f, const char *const *metrics, size_t n_metrics)
{
    const char *headline[64];
    if (n_metrics == 0) {  /* the catalogue's headline, in its order */
        for (size_t i = 0; i < METRIC_COUNT && n_metrics < 64; i++)
            if (metric_get(i)->flags & METRIC_HEADLINE_TABLE)
                headline[n_metrics++] = metric_get(i)->name;
        metrics = headline;
    }
    const struct arm *b = &c->arm[0];
    char name[2048], scope[128];  /* a name escaped for the terminal */
    escape_line(f, "%s: %zu proposal%s against the baseline, %u paired replications, %.0f%% confidence",
                scenario_basename(b->s), c->n_arms - 1, c->n_arms == 2 ? "" : "s", b->res.n, 100 * b->s->confidence);
    unsigned reused = compare_reused(c);
    if (reused)
        fprintf(f, "(replications 1-%u of every arm reused from the earlier results: same inputs, same version)\n",
                reused);
    fprintf(f, "A proposal is judged over the pairs it shares with the baseline. Verdict: \"%s\" when the data\n"
               "cannot tell (Holm-corrected within the proposal), \"%s\" when the difference is\n"
               "significant but within the threshold, else \"%s\" or \"%s\".\n\n",
            RESULTS_VERDICT_NONE, RESULTS_VERDICT_NOT_PRACTICAL, RESULTS_VERDICT_BETTER, RESULTS_VERDICT_WORSE);
    fprintf(f, "  %-22s %9s %9s  %-16s %9s  %s\n", "", "baseline", "proposal", "difference", "threshold", "verdict");
    for (size_t i = 1; i < c->n_arms; i++) {
        const struct arm *a = &c->arm[i];
        scope_words(a, scope, sizeof scope);
        escape_line(f, "%s, over %s", escape_text(name, sizeof name, a->name), scope);
        for (size_t j = 0; j < n_metrics; j++)
            print_metric(c, f, a, metrics[j]);
        if (b->res.n >= COMPARE_MIN_REPLICATIONS) {
            struct strbuf line = {0};
            arm_tradeoff(c, a, &line);
            print_wrapped(f, "  in short: ", line.oom ? "" : strbuf_str(&line));
            strbuf_fini(&line);
        }
        print_closure(c, f, a);
    }
    if (b->res.n < COMPARE_MIN_REPLICATIONS)
        fprintf(f, "\nn/a: a verdict needs at least %d paired replications; this comparison has %u (use -r)\n",
                COMPARE_MIN_REPLICATIONS, b->res.n);
    bool spaced = false;  /* a blank line before the first forecast's */
    for (size_t i = 1; i < c->n_arms; i++) {
        if (!arm_is_forecast(c, i))
            continue;
        if (!spaced)
            fputc('\n', f);
        spaced = true;
        escape_line(f, "what if %s: a forecast (kind forecast), not an option to adopt: its differences are "
                    "higher or lower, not better or worse", escape_text(name, sizeof name, c->arm[i].name));
    }
    for (size_t i = 1; i < c->n_arms; i++) {
        print_new_pairs(c, f, i);
        print_worse_pairs(c, f, i);
    }
    print_budget_changes(c, f);
}

void compare_destroy(struct compare_result *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_arms; i++) {
        struct arm *a = &c->arm[i];
        if (a->ran)
            run_result_fini(&a->res);
        model_destroy(a->m);
        scenario_destroy(a->s);
        free(a->row_of);
        free(a->stat);
        free(a->verdict);
        free(a->threshold);
        free(a->scope);
        free(a->name);
    }
    free(c->arm);
    free(c->out);
    free(c);
}
