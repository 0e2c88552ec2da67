/* calibrate: from tracking events to fitted legs and a verdict. Each id's
 * events, in time order, give segments (it left node A at t0 and was next
 * seen at B at t1) and, posted and delivered, a transit time. A segment's
 * time less the model's mean times at the nodes after A up to B (dwell
 * means, queue means from a simulation of the scenario over the observed
 * window) is the time in motion over the chain of legs between the two
 * scan points, fitted as a whole (one observation per train) and split in
 * proportion to the legs' current means; where the node times add a spread
 * of their own, the simulated segments tell how much, and it is taken off
 * the fitted variance. Timetables, demand, growth and seasons are read from
 * the same events and reported. The calibrated scenario and the scenario
 * itself are then simulated over the window and their transit times
 * compared with the observed ones pair by pair (Kolmogorov-Smirnov,
 * Holm-corrected), in a file and a chart. */
#include "railmail/calibrate.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "railmail/calendar.h"
#include "railmail/csvread.h"
#include "railmail/csvwrite.h"
#include "railmail/eventlog.h"
#include "railmail/events.h"
#include "railmail/fit.h"
#include "railmail/html.h"
#include "railmail/gnuplot.h"
#include "railmail/metric.h"
#include "railmail/model.h"
#include "railmail/outdir.h"
#include "railmail/results.h"
#include "railmail/scenario.h"
#include "railmail/stats.h"

/* One ride between scan points, or one batch's transit. */
struct segment {
    uint32_t chain;      /* index into the chains */
    uint32_t run;        /* the replication of railmail's own events, else 0 */
    double t0, t1;       /* left A, seen at B */
};
struct transit {
    uint32_t pair;       /* origin * n_nodes + destination */
    uint32_t run;
    double posted_h, delivered_h;
};

/* A chain of legs between two scan points, as one service runs it. */
struct chain {
    size_t from, to;             /* nodes */
    size_t service;              /* index: the scenario is loaded again for the window */
    size_t first, last;          /* stops of sv: from = route[first], to = route[last] */
};

/* What the events of one file give. */
struct observed {
    struct segment *seg;
    size_t n_seg;
    struct transit *tr;
    size_t n_tr;
    size_t ids, skipped;
    char first_skip[256];        /* why the first skipped id was skipped */
    double first_h, last_h;      /* the events' window */
    double posted_last_h;        /* the last posting: the mail is followed past it until delivered */
    uint32_t run_min, run_max;   /* the replications of railmail's own events; 0 otherwise */
};

struct calib {
    const struct scenario *s;
    struct chain *chains;
    size_t n_chains;
    uint32_t *chain_at;          /* [n_nodes * n_nodes]: chain index + 1, 0 none yet */
};

static void observed_fini(struct observed *o)
{
    free(o->seg);
    free(o->tr);
}

/* The chain from node a to b: the first service that runs from a to b
 * passing no scanning node between them. UINT32_MAX when none does. */
static uint32_t chain_find(struct calib *c, size_t a, size_t b)
{
    size_t n = c->s->n_nodes;
    if (c->chain_at[a * n + b])
        return c->chain_at[a * n + b] - 1;
    for (size_t k = 0; k < c->s->n_services; k++) {
        const struct scenario_service *sv = &c->s->services[k];
        for (size_t i = 0; i + 1 < sv->route_len; i++) {
            if (sv->route[i] != a)
                continue;
            for (size_t j = i + 1; j < sv->route_len; j++) {
                if (sv->route[j] == b) {
                    struct chain *grown = realloc(c->chains, (c->n_chains + 1) * sizeof *grown);
                    if (!grown)
                        return UINT32_MAX - 1;
                    c->chains = grown;
                    c->chains[c->n_chains] = (struct chain){ a, b, k, i, j };
                    c->chain_at[a * n + b] = (uint32_t)++c->n_chains;
                    return (uint32_t)(c->n_chains - 1);
                }
                if (c->s->nodes[sv->route[j]].scan)
                    break;  /* a scan would have been seen there */
            }
        }
    }
    return UINT32_MAX;
}

static bool push_segment(struct observed *o, size_t *cap, struct segment s)
{
    if (o->n_seg == *cap) {
        *cap = *cap ? 2 * *cap : 1024;
        struct segment *g = realloc(o->seg, *cap * sizeof *g);
        if (!g)
            return false;
        o->seg = g;
    }
    o->seg[o->n_seg++] = s;
    return true;
}

static bool push_transit(struct observed *o, size_t *cap, struct transit t)
{
    if (o->n_tr == *cap) {
        *cap = *cap ? 2 * *cap : 1024;
        struct transit *g = realloc(o->tr, *cap * sizeof *g);
        if (!g)
            return false;
        o->tr = g;
    }
    o->tr[o->n_tr++] = t;
    return true;
}

/* Checks one id's events (rows a..b-1, in time order); NULL when they
 * make a possible sequence, else why not. Segments and the transit are
 * added only for a possible one. */
static const char *check_id(struct calib *c, const struct events_row *r, size_t n, struct observed *o,
                            size_t *cap_seg, size_t *cap_tr, bool *nomem)
{
    for (size_t i = 1; i < n; i++) {
        const struct events_row *p = &r[i - 1], *e = &r[i];
        switch (p->code) {
        case EVENTS_EMA:
            if (e->code != EVENTS_EMC || e->node != p->node)
                return "posting (EMA) not followed by a departure (EMC) from the same node";
            break;
        case EVENTS_EMJ:
            if (e->code != EVENTS_EMK || e->node != p->node)
                return "arrival (EMJ) not followed by a departure (EMK) from the same node";
            break;
        case EVENTS_EMD:
            return "events after the arrival at the inward office (EMD)";
        default: {  /* left p->node: the next event is where it was seen next */
            if (e->code != EVENTS_SCAN && e->code != EVENTS_EMJ && e->code != EVENTS_EMD)
                return "a departure not followed by a scan, an arrival (EMJ) or a delivery (EMD)";
            if (e->node == p->node)
                return "seen again at the node it left";
            uint32_t k = chain_find(c, p->node, e->node);
            if (k == UINT32_MAX - 1)
                return (*nomem = true), "out of memory";
            if (k == UINT32_MAX)
                return "no service runs between the nodes of two consecutive events";
            if (!push_segment(o, cap_seg, (struct segment){ k, e->run, p->time_h, e->time_h }))
                return (*nomem = true), "out of memory";
        }
        }
    }
    for (size_t i = 1; i < n; i++)
        if (r[i].code == EVENTS_EMA)
            return "a posting (EMA) after other events";
    /* every posting, for the demand; without its delivery (NaN) its pair
     * is origin to origin, which no demand row has */
    bool delivered = n >= 2 && r[n - 1].code == EVENTS_EMD;
    size_t dest = delivered ? r[n - 1].node : r[0].node;
    if (r[0].code == EVENTS_EMA &&
        !push_transit(o, cap_tr, (struct transit){ (uint32_t)(r[0].node * c->s->n_nodes + dest), r[0].run,
                                                   r[0].time_h, delivered ? r[n - 1].time_h : NAN }))
        return (*nomem = true), "out of memory";
    return NULL;
}

/* Walks the ids of `ev`: their segments and transits into o. */
static enum rm_status collect(struct calib *c, const struct events *ev, struct observed *o, struct diag *d)
{
    size_t cap_seg = 0, cap_tr = 0;
    *o = (struct observed){ .first_h = INFINITY, .last_h = -INFINITY, .posted_last_h = -INFINITY,
                            .run_min = UINT32_MAX };
    for (size_t a = 0, b; a < ev->n; a = b) {
        for (b = a + 1; b < ev->n && events_same_id(&ev->rows[a], &ev->rows[b]); b++)
            ;
        o->ids++;
        o->run_min = ev->rows[a].run < o->run_min ? ev->rows[a].run : o->run_min;
        o->run_max = ev->rows[a].run > o->run_max ? ev->rows[a].run : o->run_max;
        for (size_t i = a; i < b; i++) {
            o->first_h = fmin(o->first_h, ev->rows[i].time_h);
            o->last_h = fmax(o->last_h, ev->rows[i].time_h);
        }
        size_t seg0 = o->n_seg, tr0 = o->n_tr;
        bool nomem = false;
        const char *why = check_id(c, &ev->rows[a], b - a, o, &cap_seg, &cap_tr, &nomem);
        if (nomem)
            return diag_fail(d, RM_ENOMEM, "out of memory");
        if (why) {  /* skipped whole: its segments go too */
            o->n_seg = seg0, o->n_tr = tr0;
            if (!o->skipped++)
                snprintf(o->first_skip, sizeof o->first_skip, "%s:%u: %s", ev->file, ev->rows[a].line, why);
        }
    }
    for (size_t i = 0; i < o->n_tr; i++)
        o->posted_last_h = fmax(o->posted_last_h, o->tr[i].posted_h);
    if (!isfinite(o->posted_last_h))
        o->posted_last_h = o->last_h;
    return RM_OK;
}

static int by_chain_time(const void *pa, const void *pb)
{
    const struct segment *a = pa, *b = pb;
    if (a->chain != b->chain)
        return a->chain < b->chain ? -1 : 1;
    if (a->run != b->run)
        return a->run < b->run ? -1 : 1;
    if (a->t0 != b->t0)
        return a->t0 < b->t0 ? -1 : 1;
    return a->t1 < b->t1 ? -1 : a->t1 > b->t1;
}

/* Keeps one segment per train: ids that left and arrived together rode
 * together. Sorted by chain, then time. */
static void one_per_train(struct observed *o)
{
    qsort(o->seg, o->n_seg, sizeof *o->seg, by_chain_time);
    size_t w = 0;
    for (size_t i = 0; i < o->n_seg; i++)
        if (!w || by_chain_time(&o->seg[w - 1], &o->seg[i]))
            o->seg[w++] = o->seg[i];
    o->n_seg = w;
}

/* ---- simulation -------------------------------------------------------- */

/* Simulates s's replications with the tracking log into memory: the mean
 * train queue wait per node (hours, 0 where none waited) when queue_h is
 * not NULL, and the simulated events read back into `sim`. */
static enum rm_status simulate(const struct scenario *s, double *queue_h, struct events *sim, char **buf,
                               struct diag *d)
{
    size_t len = 0;
    *buf = NULL;
    struct model *m = model_create(s);
    struct model_record rec = { 0 };
    FILE *f = open_memstream(buf, &len);
    enum rm_status st = RM_OK;
    if (!m || !f || model_record_init(m, &rec) != RM_OK) {
        st = diag_fail(d, RM_ENOMEM, "out of memory");
        goto done;
    }
    fprintf(f, "%s\n", eventlog_columns(EVENTLOG_TRACKING));
    if (queue_h)
        for (size_t n = 0; n < s->n_nodes; n++)
            queue_h[n] = 0;
    for (unsigned rep = 1; rep <= s->replications && st == RM_OK; rep++) {
        model_record_clear(m, &rec);
        struct model_sinks sinks = { .tracking = f };
        if ((st = model_run(m, rep, &sinks, &rec, d)) != RM_OK)
            break;
        for (size_t n = 0; queue_h && n < s->n_nodes; n++) {
            char scope[256];
            snprintf(scope, sizeof scope, "node:%s", s->nodes[n].id);
            size_t row = model_row(m, metric_name(METRIC_TRAIN_QUEUE_WAIT), scope);
            double v = row == SIZE_MAX ? NAN : rec.values[row];
            queue_h[n] += isfinite(v) ? v / s->replications : 0;
        }
    }
done:
    if (f && fclose(f) && st == RM_OK)
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    f = NULL;
    if (st == RM_OK)
        st = events_parse("simulated events", *buf, len, s, NULL, sim, d);
    model_record_fini(&rec);
    model_destroy(m);
    return st;
}

/* ---- fitting ----------------------------------------------------------- */

/* What the calibration file says of one leg. */
struct leg_fit {
    size_t leg;
    struct fit_params fitted;
    double mean, ci_low, ci_high, p_value;
    size_t n;
    bool fitted_ok, changed, whole;  /* whole: the segment, node times included */
};

#define SV(c, ch) (&(c)->s->services[(ch)->service])

/* The model's mean node times after `from` up to `to` on the chain: what
 * a segment's time holds besides the running times. */
static double node_means(const struct calib *c, const struct chain *ch, const double *queue_h)
{
    double sum = 0;
    for (size_t j = ch->first + 1; j <= ch->last; j++) {
        size_t n = SV(c, ch)->route[j];
        sum += dist_mean(&c->s->nodes[n].dwell_h) + queue_h[n];
    }
    return sum;
}

/* The family a chain is fitted in: its legs' one family, else lognormal. */
static enum dist_kind chain_family(const struct calib *c, const struct chain *ch)
{
    enum dist_kind k = fit_family(c->s->legs[SV(c, ch)->legs[ch->first]].time_h.kind);
    for (size_t j = ch->first; j < ch->last; j++)
        if (fit_family(c->s->legs[SV(c, ch)->legs[j]].time_h.kind) != k)
            return DIST_LOGNORMAL;
    return k;
}

/* The simulated segments' mean and variance per chain (the scenario's
 * own node times with its running times), from `sim` sorted by chain. */
struct chain_sim {
    double mean, var;
    size_t n;
};

static struct chain_sim *chain_sims(const struct calib *c, const struct observed *sim)
{
    struct chain_sim *cs = calloc(c->n_chains + 1, sizeof *cs);
    for (size_t a = 0, b; cs && a < sim->n_seg; a = b) {
        uint32_t k = sim->seg[a].chain;
        double sum = 0, sq = 0;
        for (b = a; b < sim->n_seg && sim->seg[b].chain == k; b++)
            sum += sim->seg[b].t1 - sim->seg[b].t0;
        double mean = sum / (double)(b - a);
        for (size_t i = a; i < b; i++) {
            double e = sim->seg[i].t1 - sim->seg[i].t0 - mean;
            sq += e * e;
        }
        cs[k] = (struct chain_sim){ mean, b - a > 1 ? sq / (double)(b - a - 1) : 0, b - a };
    }
    return cs;
}

/* One chain: its legs' fits into fits[*n_fits...]. The remainders x (n of
 * them, node means taken off) are fitted by maximum likelihood where the
 * node times add no spread of their own; where they do (a dwell with a
 * spread, a queue), the remainders are the running times plus that
 * spread, which would widen every leg: there the mean is the remainders'
 * and the running times' variance theirs less the node times' (the
 * simulated segments' variance less the legs'), each leg taking its share
 * of both in proportion to its current mean and variance. */
static void fit_chain(const struct calib *c, const struct chain *ch, const double *x, size_t n, bool whole,
                      double current, const struct chain_sim *sim, struct leg_fit *fits, size_t *n_fits)
{
    const struct scenario *s = c->s;
    double legs_var = 0, legs_sq = 0;
    for (size_t j = ch->first; j < ch->last; j++) {
        const struct dist *t = &s->legs[SV(c, ch)->legs[j]].time_h;
        legs_var += dist_sd(t) * dist_sd(t), legs_sq += dist_mean(t) * dist_mean(t);
    }
    double mean = n ? gsl_stats_mean(x, 1, n) : NAN, var = n > 1 ? gsl_stats_variance_m(x, 1, n, mean) : 0;
    double node_var = sim->n > 1 && !whole ? fmax(sim->var - legs_var, 0) : 0;
    bool ml = whole || node_var <= 0.01 * var;
    struct fit_result fr = { 0 };
    bool ok = n >= 2 && (!ml || fit_values(whole ? DIST_LOGNORMAL : chain_family(c, ch), x, n, s->confidence,
                                           current, &fr));
    double run_var = fmax(var - node_var, 0), se = sqrt(var / (double)n);
    double z = gsl_cdf_ugaussian_Qinv((1 - s->confidence) / 2);
    if (ok && !ml)  /* the mean's interval from the remainders' (central limit theorem) */
        fr = (struct fit_result){ .mean = mean, .ci_low = mean - z * se, .ci_high = mean + z * se,
                                  .p_value = se > 0 ? 2 * gsl_cdf_ugaussian_Q(fabs(mean - current) / se) : 1 };
    for (size_t j = ch->first; j < ch->last; j++) {
        size_t leg = SV(c, ch)->legs[j];
        bool seen = false;
        for (size_t k = 0; k < *n_fits; k++)
            seen |= fits[k].leg == leg;
        if (seen)
            continue;  /* a leg of two chains: the finer one's fit */
        const struct dist *t = &s->legs[leg].time_h;
        double share = whole ? 1 : dist_mean(t) / (current > 0 ? current : 1);
        struct leg_fit *lf = &fits[(*n_fits)++];
        *lf = (struct leg_fit){ .leg = leg, .n = n, .fitted_ok = ok, .whole = whole };
        if (!ok)
            continue;
        if (ml) {
            lf->fitted = fit_scale(&fr.params, share);
        } else {
            double leg_var = legs_var > 0 ? run_var * dist_sd(t) * dist_sd(t) / legs_var
                                          : run_var * dist_mean(t) * dist_mean(t) / legs_sq;
            lf->fitted = fit_moments(t, mean * share, leg_var);
        }
        lf->mean = fr.mean * share, lf->ci_low = fr.ci_low * share, lf->ci_high = fr.ci_high * share;
        lf->p_value = fr.p_value;
    }
}

/* A chain's segments, [a, b) of the observed, over `legs` legs. */
struct group {
    size_t a, b, legs;
};

static int by_fineness(const void *pa, const void *pb)
{
    const struct group *x = pa, *y = pb;
    if (x->legs != y->legs)
        return x->legs < y->legs ? -1 : 1;
    if (x->b - x->a != y->b - y->a)
        return x->b - x->a > y->b - y->a ? -1 : 1;
    return x->a < y->a ? -1 : x->a > y->a;
}

static int by_leg(const void *pa, const void *pb)
{
    const struct leg_fit *x = pa, *y = pb;
    return x->leg < y->leg ? -1 : x->leg > y->leg;
}

/* Fits every chain that has segments; one leg_fit per leg of each into
 * *fits. Notes (remainders not positive) go to the summary. */
static enum rm_status fit_chains(const struct calib *c, const struct observed *o, const struct observed *sim,
                                 const double *queue_h, struct leg_fit **fits, size_t *n_fits,
                                 struct strbuf *summary, struct diag *d)
{
    const struct scenario *s = c->s;
    double *x = malloc((o->n_seg + 1) * sizeof *x);
    struct chain_sim *cs = chain_sims(c, sim);
    *fits = calloc(s->n_legs + 1, sizeof **fits);
    *n_fits = 0;
    if (!x || !*fits || !cs) {
        free(x), free(cs);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    /* A leg that two chains cover takes the finer chain's fit (fewer legs,
     * then more trains): the chains in that order. */
    size_t n_groups = 0;
    struct group *groups = malloc((o->n_seg + 1) * sizeof *groups);
    if (!groups) {
        free(x), free(cs);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    for (size_t a = 0, b; a < o->n_seg; a = b) {
        const struct chain *ch = &c->chains[o->seg[a].chain];
        for (b = a; b < o->n_seg && o->seg[b].chain == o->seg[a].chain; b++)
            ;
        groups[n_groups++] = (struct group){ a, b, ch->last - ch->first };
    }
    qsort(groups, n_groups, sizeof *groups, by_fineness);
    for (size_t g = 0; g < n_groups; g++) {
        size_t a = groups[g].a, b = groups[g].b;
        const struct chain *ch = &c->chains[o->seg[a].chain];
        double nodes = node_means(c, ch, queue_h), current = 0;
        size_t n = 0, bad = 0;
        for (size_t i = a; i < b; i++) {
            x[n] = o->seg[i].t1 - o->seg[i].t0 - nodes;
            bad += !(x[n] > 0);
            n++;
        }
        for (size_t j = ch->first; j < ch->last; j++)
            current += dist_mean(&s->legs[SV(c, ch)->legs[j]].time_h);
        bool whole = bad > 0;
        if (whole) {  /* the node times are longer than what was seen: the segment as a whole */
            strbuf_printf(summary, "note: %s>%s: %zu of %zu times are not longer than the model's mean node "
                                   "times there (%.4g h); the whole segment is fitted and its legs left as they are\n",
                          s->nodes[ch->from].id, s->nodes[ch->to].id, bad, n, nodes);
            for (size_t i = 0; i < n; i++)
                x[i] += nodes;
            current += nodes;
        }
        fit_chain(c, ch, x, n, whole, current, &cs[o->seg[a].chain], *fits, n_fits);
    }
    free(x);
    free(cs);
    free(groups);
    qsort(*fits, *n_fits, sizeof **fits, by_leg);  /* in the order of legs.csv */
    /* changed where the current mean is rejected, Holm-corrected over the legs */
    double *p = malloc((*n_fits + 1) * sizeof *p);
    bool *reject = malloc((*n_fits + 1) * sizeof *reject);
    if (!p || !reject) {
        free(p), free(reject);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < *n_fits; k++)
        p[k] = (*fits)[k].fitted_ok && !(*fits)[k].whole ? (*fits)[k].p_value : 1;
    stats_holm(p, *n_fits, 1 - s->confidence, reject);
    for (size_t k = 0; k < *n_fits; k++)
        (*fits)[k].changed = reject[k];
    free(p), free(reject);
    return RM_OK;
}

/* ---- services and demand ---------------------------------------------- */

/* One row of the calibration file (the fitted text, its mean and interval;
 * NaN mean: none), not proposed. */
static void put_row(FILE *f, const char *file, const char *row, const char *column, const char *current,
                    const char *fitted, double mean, double lo, double hi, size_t n)
{
    struct csvwrite_line w;
    csvwrite_line_start(&w, f);
    const char *text[] = { file, row, column, current, fitted };
    for (int i = 0; i < 5; i++)
        csvwrite_line_field(&w, text[i]), csvwrite_line_char(&w, ',');
    double v[3] = { mean, lo, hi };
    for (int i = 0; i < 3; i++) {
        if (isfinite(v[i]))
            csvwrite_line_number(&w, v[i]);
        csvwrite_line_char(&w, ',');
    }
    csvwrite_line_uint(&w, n), csvwrite_line_char(&w, ',');
    csvwrite_line_field(&w, "no");
    csvwrite_line_end(&w);
}

/* A count's rate per `per` hours over `hours` (hours of every replication)
 * with its Poisson interval (normal approximation): the text, mean, low
 * and high. */
static void rate_of(double count, double hours, double per, double z, char *text, size_t size, double v[3])
{
    double scale = per / hours;
    v[0] = count * scale;
    v[1] = fmax(count - z * sqrt(count), 0) * scale;
    v[2] = (count + z * sqrt(count)) * scale;
    snprintf(text, size, "%.4g", v[0]);
}

static int by_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

/* A service's observed departures (hours, sorted, distinct per
 * replication): their rate per week, the weekdays and hours they keep. */
static void service_rows(FILE *f, const struct calib *c, size_t k, const double *t, size_t n, double hours,
                         double z)
{
    static const char *const names[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    const struct scenario *s = c->s;
    const struct scenario_service *sv = &s->services[k];
    char cur[128], fit[128];
    double v[3];
    unsigned days[7] = { 0 }, hours_seen[48] = { 0 };
    for (size_t i = 0; i < n; i++) {
        double day = floor(t[i] / CALENDAR_HOURS_PER_DAY);
        days[calendar_weekday(s->start_day + (int32_t)day)]++;
        hours_seen[(int)floor((t[i] - day * CALENDAR_HOURS_PER_DAY) * 2) % 48]++;
    }
    snprintf(cur, sizeof cur, "%.15g", sv->departures_per_week);
    rate_of((double)n, hours, CALENDAR_HOURS_PER_WEEK, z, fit, sizeof fit, v);
    put_row(f, "services.csv", sv->id, "departures_per_week", cur, fit, v[0], v[1], v[2], n);
    /* weekdays with at least half a uniform share, hours with a tenth */
    cur[0] = fit[0] = '\0';
    for (unsigned i = 0; i < sv->n_week; i++) {
        int d = (int)floor(sv->week_h[i] / CALENDAR_HOURS_PER_DAY);
        int wd = calendar_weekday(s->start_day + d);
        snprintf(cur + strlen(cur), sizeof cur - strlen(cur), "%s%s", i ? ";" : "", names[wd]);
    }
    for (int d = 0; d < 7; d++)
        if (days[d] && days[d] * 14 >= n)
            snprintf(fit + strlen(fit), sizeof fit - strlen(fit), "%s%s", fit[0] ? ";" : "", names[d]);
    put_row(f, "services.csv", sv->id, "weekdays", cur, fit, NAN, NAN, NAN, n);
    fit[0] = '\0';
    for (int h = 0; h < 48; h++)
        if (hours_seen[h] && hours_seen[h] * 10 >= n && strlen(fit) + 8 < sizeof fit)
            snprintf(fit + strlen(fit), sizeof fit - strlen(fit), "%s%.3g", fit[0] ? ";" : "", h / 2.0);
    cur[0] = '\0';
    for (unsigned i = 0; i < sv->n_week && strlen(cur) + 8 < sizeof cur; i++)
        snprintf(cur + strlen(cur), sizeof cur - strlen(cur), "%s%.3g", i ? ";" : "",
                 fmod(sv->week_h[i], CALENDAR_HOURS_PER_DAY));
    put_row(f, "services.csv", sv->id, "departure_h", cur, fit, NAN, NAN, NAN, n);
}

/* Departures per service: the distinct (replication, hour) of segments
 * that begin at a service's first node. Services that carry no mail are
 * never seen and not reported. */
static enum rm_status fit_services(FILE *f, const struct calib *c, const struct observed *o, double hours,
                                   double z, struct diag *d)
{
    const struct scenario *s = c->s;
    double *t = malloc((o->n_seg + 1) * sizeof *t);
    if (!t)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    for (size_t k = 0; k < s->n_services; k++) {
        size_t n = 0;
        for (size_t i = 0; i < o->n_seg; i++) {
            const struct chain *ch = &c->chains[o->seg[i].chain];
            if (ch->service == k && ch->first == 0)  /* replications apart: a week each */
                t[n++] = o->seg[i].t0 + (double)o->seg[i].run * 1e7;
        }
        qsort(t, n, sizeof *t, by_double);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (!m || t[i] != t[m - 1])
                t[m++] = t[i];
        for (size_t i = 0; i < m; i++)
            t[i] = fmod(t[i], 1e7);
        if (m && s->services[k].carries_mail)
            service_rows(f, c, k, t, m, hours, z);
    }
    free(t);
    return RM_OK;
}

/* Postings by calendar month over the days of each the window covers,
 * and the log-linear fit of their rates (weighted by their counts,
 * divided by the scenario's seasonal factors, which would otherwise pass
 * for growth): rate = exp(c0 + c1 years) * season. */
struct monthly {
    int32_t m0;          /* the first month (calendar.h) */
    size_t k;            /* months */
    double count[1200], days[1200];
    double c0, c1, se;   /* the fit; se of c1 */
};

static bool monthly_fit(const struct scenario *s, const double *season, const double *t, size_t n, double first_h,
                        double last_h, struct monthly *m)
{
    /* hours from the start date of a month's first day */
#define MONTH_H(mo) ((double)(calendar_month_start(mo) - s->start_day) * CALENDAR_HOURS_PER_DAY)
    int32_t m0 = calendar_month(s->start_day + (int32_t)floor(first_h / CALENDAR_HOURS_PER_DAY));
    int32_t m1 = calendar_month(s->start_day + (int32_t)floor(last_h / CALENDAR_HOURS_PER_DAY));
    if (m1 - m0 + 1 > 1200)
        return false;
    double x[1200], y[1200], w[1200];
    m->m0 = m0, m->k = 0;
    for (int32_t mo = m0; mo <= m1; mo++) {  /* the days of each month the window covers */
        double days = (fmin(MONTH_H(mo + 1), last_h) - fmax(MONTH_H(mo), first_h)) / CALENDAR_HOURS_PER_DAY;
        if (days < 1) {  /* a sliver at either end: left out */
            if (m->k == 0)
                m->m0 = mo + 1;
            continue;
        }
        m->days[m->k] = days, m->count[m->k++] = 0;
    }
    if (m->k < 6)  /* growth per year from fewer months is mostly noise, annualised */
        return false;
    for (size_t i = 0; i < n; i++) {
        int32_t mo = calendar_month(s->start_day + (int32_t)floor(t[i] / CALENDAR_HOURS_PER_DAY));
        if (mo >= m->m0 && mo < m->m0 + (int32_t)m->k && t[i] >= first_h && t[i] <= last_h)
            m->count[mo - m->m0]++;
    }
    for (size_t i = 0; i < m->k; i++) {
        if (!(m->count[i] > 0))
            return false;
        int moy = (int)((m->m0 + (int32_t)i) % 12);  /* var(log count) ~ 1/count */
        x[i] = (double)i / 12, y[i] = log(m->count[i] / m->days[i] / season[moy]), w[i] = m->count[i];
    }
#undef MONTH_H
    double cov00, cov01, cov11, chisq;
    if (gsl_fit_wlinear(x, 1, w, 1, y, 1, m->k, &m->c0, &m->c1, &cov00, &cov01, &cov11, &chisq) != GSL_SUCCESS)
        return false;
    m->se = sqrt(cov11);
    return true;
}

/* With twelve months or more, an origin's seasonal factors: each
 * calendar month's postings over what the fitted trend gives it, on the
 * scale of the scenario's factors (the trend was fitted with them taken
 * out). */
static void season_rows(FILE *f, const struct scenario *s, const struct scenario_demand *dm, const double *t, size_t n,
                        double first_h, double last_h, double z)
{
    static const char *const names[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    struct monthly *m = malloc(sizeof *m);
    if (!m || !monthly_fit(s, dm->season, t, n, first_h, last_h, m) || m->k < 12) {
        free(m);
        return;
    }
    double seen[12] = { 0 }, expected[12] = { 0 };
    for (size_t i = 0; i < m->k; i++) {
        int moy = (int)((m->m0 + (int32_t)i) % 12);
        seen[moy] += m->count[i];
        expected[moy] += m->days[i] * exp(m->c0 + m->c1 * (double)i / 12);
    }
    for (int moy = 0; moy < 12; moy++) {
        char row[128], cur[64], fit[64];
        double v = seen[moy] / expected[moy], half = z / sqrt(seen[moy]);
        snprintf(row, sizeof row, "%s-%s", s->nodes[dm->origin].id, names[moy]);
        snprintf(cur, sizeof cur, "%.15g", dm->season[moy]);
        snprintf(fit, sizeof fit, "%.3g", v);
        put_row(f, "seasonality.csv", row, "factor", cur, fit, v, v * fmax(1 - half, 0), v * (1 + half),
                (size_t)seen[moy]);
    }
    free(m);
}

/* Growth per year of a row's postings (log), NaN with fewer than six
 * months. */
static double growth_of(const struct scenario *s, const double *season, const double *t, size_t n, double first_h,
                        double last_h, double *se)
{
    struct monthly *m = malloc(sizeof *m);
    double g = m && monthly_fit(s, season, t, n, first_h, last_h, m) ? m->c1 : NAN;
    *se = m ? m->se : NAN;
    free(m);
    return g;
}

/* Batches per day and growth per demand row: the postings at each origin,
 * shared among its pairs as its delivered batches are; the growth from the
 * pair's delivered batches by the month they were posted. */
static enum rm_status fit_demand(FILE *f, const struct calib *c, const struct observed *o, double hours, double z,
                                 struct diag *d)
{
    const struct scenario *s = c->s;
    size_t nn = s->n_nodes;
    double *posted = calloc(nn + 1, sizeof *posted), *delivered = calloc(nn * nn + 1, sizeof *delivered);
    double *t = malloc((o->n_tr + 1) * sizeof *t);
    if (!posted || !delivered || !t) {
        free(posted), free(delivered), free(t);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < o->n_tr; i++) {
        posted[o->tr[i].pair / nn]++;
        if (!isnan(o->tr[i].delivered_h))
            delivered[o->tr[i].pair]++;
    }
    for (size_t r = 0; r < s->n_demand; r++) {
        const struct scenario_demand *dm = &s->demand[r];
        double from = 0, pair = delivered[dm->origin * nn + dm->destination];
        for (size_t j = 0; j < nn; j++)
            if (j != dm->origin)
                from += delivered[dm->origin * nn + j];
        if (!(pair > 0))
            continue;
        double count = posted[dm->origin] * pair / from, v[3];
        char row[256], cur[64], fit[64];
        snprintf(row, sizeof row, "%s-%s", s->nodes[dm->origin].id, s->nodes[dm->destination].id);
        snprintf(cur, sizeof cur, "%.15g", dm->batches_per_day);
        rate_of(count, hours, CALENDAR_HOURS_PER_DAY, z, fit, sizeof fit, v);
        put_row(f, "demand.csv", row, "batches_per_day", cur, fit, v[0], v[1], v[2], (size_t)pair);
        /* the pair's delivered postings month by month (replications
         * pooled), up to where every batch posted could have arrived */
        size_t n = 0;
        double longest = 0;
        for (size_t i = 0; i < o->n_tr; i++)
            if (o->tr[i].pair == dm->origin * nn + dm->destination && !isnan(o->tr[i].delivered_h)) {
                t[n++] = o->tr[i].posted_h;
                longest = fmax(longest, o->tr[i].delivered_h - o->tr[i].posted_h);
            }
        double se, g = growth_of(s, dm->season, t, n, o->first_h, fmin(o->posted_last_h, o->last_h - longest), &se);
        if (isnan(g))
            continue;
        snprintf(cur, sizeof cur, "%.15g", dm->growth_pct_per_year);
        snprintf(fit, sizeof fit, "%.3g", expm1(g) * 100);
        put_row(f, "demand.csv", row, "growth_pct_per_year", cur, fit, expm1(g) * 100, expm1(g - z * se) * 100,
                expm1(g + z * se) * 100, n);
    }
    /* seasonality by origin, as seasonality.csv gives it: from all its postings */
    for (size_t r = 0; r < s->n_demand; r++) {
        bool first = true;
        for (size_t q = 0; q < r; q++)
            first &= s->demand[q].origin != s->demand[r].origin;
        if (!first)
            continue;
        size_t n = 0;
        for (size_t i = 0; i < o->n_tr; i++)
            if (o->tr[i].pair / nn == s->demand[r].origin)
                t[n++] = o->tr[i].posted_h;
        season_rows(f, s, &s->demand[r], t, n, o->first_h, o->posted_last_h, z);
    }
    free(posted), free(delivered), free(t);
    return RM_OK;
}

/* ---- outputs ----------------------------------------------------------- */

static FILE *open_in(const char *dir, const char *name, char *path, size_t size, struct diag *d)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        diag_fail(d, RM_EIO, "%s: %s", path, strerror(errno));
    return f;
}

static enum rm_status close_file(FILE *f, const char *path, struct diag *d)
{
    if (ferror(f) | fclose(f))
        return diag_fail(d, RM_EIO, "%s: %s", path, strerror(errno));
    return RM_OK;
}

static enum rm_status write_calibration(const char *dir, const struct calib *c, const struct leg_fit *fits,
                                        size_t n_fits, const struct observed *o, struct diag *d)
{
    char path[4096], text[128];
    FILE *f = open_in(dir, RESULTS_CALIBRATION_CSV, path, sizeof path, d);
    if (!f)
        return RM_EIO;
    csvwrite_header(f, RESULTS_CALIBRATION_COLUMNS);
    for (size_t k = 0; k < n_fits; k++) {
        const struct leg_fit *lf = &fits[k];
        const struct scenario_leg *leg = &c->s->legs[lf->leg];
        struct csvwrite_line w;
        csvwrite_line_start(&w, f);
        csvwrite_line_field(&w, "legs.csv"), csvwrite_line_char(&w, ',');
        snprintf(text, sizeof text, "%s>%s", c->s->nodes[leg->from].id, c->s->nodes[leg->to].id);
        csvwrite_line_field(&w, text), csvwrite_line_char(&w, ',');
        csvwrite_line_field(&w, lf->whole ? "segment_h" : "time_h"), csvwrite_line_char(&w, ',');
        dist_format(&leg->time_h, text, sizeof text);
        csvwrite_line_field(&w, text), csvwrite_line_char(&w, ',');
        if (lf->fitted_ok) {
            fit_format(&lf->fitted, text, sizeof text);
            csvwrite_line_field(&w, text), csvwrite_line_char(&w, ',');
            csvwrite_line_number(&w, lf->mean), csvwrite_line_char(&w, ',');
            csvwrite_line_number(&w, lf->ci_low), csvwrite_line_char(&w, ',');
            csvwrite_line_number(&w, lf->ci_high), csvwrite_line_char(&w, ',');
        } else {
            csvwrite_line_put(&w, ",,,,", 4);
        }
        csvwrite_line_uint(&w, lf->n), csvwrite_line_char(&w, ',');
        csvwrite_line_field(&w, lf->changed ? "yes" : "no");
        csvwrite_line_end(&w);
    }
    /* the timetables and the demand as observed: reported, not proposed */
    double runs = o->run_min <= o->run_max ? (double)(o->run_max - o->run_min + 1) : 1;
    /* mail is posted until the last posting and followed past it until
     * delivered: the trains that carry it run for as long as it is posted,
     * a transit later at the far end of the network */
    double hours = runs * fmax(o->posted_last_h - o->first_h, 1), z = gsl_cdf_ugaussian_Qinv((1 - c->s->confidence) / 2);
    enum rm_status st = fit_services(f, c, o, hours, z, d);
    if (st == RM_OK)
        st = fit_demand(f, c, o, hours, z, d);
    enum rm_status closed = close_file(f, path, d);
    return st != RM_OK ? st : closed;
}

/* The overlay: the changed legs' rows of the scenario's legs.csv (every
 * column as there, time_h fitted) and a description, as a proposal. */
static enum rm_status write_overlay(const char *dir, const struct calib *c, const struct leg_fit *fits,
                                    size_t n_fits, const char *events_file, struct diag *d)
{
    char path[4096], text[128];
    snprintf(path, sizeof path, "%s/%s", dir, RESULTS_OVERLAY_DIR);
    if (mkdir(path, 0777) != 0)
        return diag_fail(d, RM_EIO, "%s: %s", path, strerror(errno));
    snprintf(path, sizeof path, "%s/%s/description.txt", dir, RESULTS_OVERLAY_DIR);
    FILE *f = fopen(path, "w");
    if (!f)
        return diag_fail(d, RM_EIO, "%s: %s", path, strerror(errno));
    fprintf(f, "The legs railmail calibrate fitted to %s where they differ from the scenario's.\n", events_file);
    enum rm_status st = close_file(f, path, d);
    size_t changed = 0;
    for (size_t k = 0; k < n_fits; k++)
        changed += fits[k].changed;
    if (st != RM_OK || !changed)
        return st;
    /* the base file's rows, so that every other column stays as written */
    char base[4096], *data = NULL;
    size_t len;
    snprintf(base, sizeof base, "%s/legs.csv", c->s->dir);
    struct csvread_table t = { 0 };
    if (csvread_slurp(base, &data, &len) != RM_OK)
        return diag_fail(d, RM_EIO, "%s: %s", base, strerror(errno));
    st = csvread_parse(base, data, len, &t, d);
    snprintf(path, sizeof path, "%s/%s/legs.csv", dir, RESULTS_OVERLAY_DIR);
    f = st == RM_OK && t.n_rows ? fopen(path, "w") : NULL;
    if (!f) {
        csvread_fini(&t), free(data);
        return st != RM_OK ? st : diag_fail(d, RM_EIO, "%s: %s", path, strerror(errno));
    }
    const struct csvread_row *h = &t.rows[0];
    size_t col_from = 0, col_to = 1, col_time = 3;
    for (size_t i = 0; i < h->n_fields; i++) {
        col_from = strcmp(h->fields[i].text, "from") ? col_from : i;
        col_to = strcmp(h->fields[i].text, "to") ? col_to : i;
        col_time = strcmp(h->fields[i].text, "time_h") ? col_time : i;
    }
    const char **cells = malloc((h->n_fields + 1) * sizeof *cells);
    for (size_t i = 0; cells && i < h->n_fields; i++)
        cells[i] = h->fields[i].text;
    if (cells)
        csvwrite_row(f, cells, h->n_fields);
    for (size_t r = 1; cells && r < t.n_rows; r++) {
        const struct csvread_row *row = &t.rows[r];
        if (row->n_fields != h->n_fields)
            continue;
        size_t from = scenario_node_find(c->s, row->fields[col_from].text);
        size_t to = scenario_node_find(c->s, row->fields[col_to].text);
        for (size_t k = 0; k < n_fits; k++) {
            const struct scenario_leg *leg = &c->s->legs[fits[k].leg];
            if (!fits[k].changed || leg->from != from || leg->to != to)
                continue;
            for (size_t i = 0; i < h->n_fields; i++)
                cells[i] = row->fields[i].text;
            fit_format(&fits[k].fitted, text, sizeof text);
            cells[col_time] = text;
            csvwrite_row(f, cells, h->n_fields);
        }
    }
    free(cells);
    csvread_fini(&t);
    free(data);
    return close_file(f, path, d);
}

/* ---- validation -------------------------------------------------------- */

/* Transit days per pair, one observation per train: the mean over the
 * batches of a pair delivered at the same hour, posted in [from_h, to_h]
 * and delivered by to_h. Sorted by pair, then value. */
static size_t per_train(const struct observed *o, double from_h, double to_h, struct transit *out)
{
    size_t n = 0;
    for (size_t i = 0; i < o->n_tr; i++)
        if (o->tr[i].posted_h >= from_h && o->tr[i].delivered_h <= to_h)
            out[n++] = o->tr[i];
    return n;
}

static int by_pair_delivery(const void *pa, const void *pb)
{
    const struct transit *a = pa, *b = pb;
    if (a->pair != b->pair)
        return a->pair < b->pair ? -1 : 1;
    if (a->run != b->run)
        return a->run < b->run ? -1 : 1;
    return a->delivered_h < b->delivered_h ? -1 : a->delivered_h > b->delivered_h;
}

/* The pairs' values: x (days) grouped by pair; *pairs[i] starts at
 * start[i]. Returns the number of values. */
static size_t group(struct transit *t, size_t n, double *x, uint32_t *pair_of)
{
    qsort(t, n, sizeof *t, by_pair_delivery);
    size_t m = 0;
    for (size_t a = 0, b; a < n; a = b) {
        double sum = 0;
        for (b = a; b < n && t[b].pair == t[a].pair && t[b].run == t[a].run && t[b].delivered_h == t[a].delivered_h; b++)
            sum += t[b].delivered_h - t[b].posted_h;
        x[m] = sum / (double)(b - a) / CALENDAR_HOURS_PER_DAY;
        pair_of[m++] = t[a].pair;
    }
    return m;
}

/* One side's statistics: mean and the p50, p95 with their intervals. */
struct side {
    double mean, mean_lo, mean_hi, q[2], q_lo[2], q_hi[2];
    size_t n;
};

static void describe(double *x, size_t n, double confidence, struct side *s)
{
    static const double qs[2] = { 0.5, 0.95 };
    gsl_sort(x, 1, n);
    double z = gsl_cdf_ugaussian_Qinv((1 - confidence) / 2);
    s->n = n;
    s->mean = gsl_stats_mean(x, 1, n);
    double se = n > 1 ? gsl_stats_sd_m(x, 1, n, s->mean) / sqrt((double)n) : NAN;
    s->mean_lo = s->mean - z * se, s->mean_hi = s->mean + z * se;
    for (int k = 0; k < 2; k++) {  /* order statistics around n q: binomial, normal approximation */
        double half = z * sqrt((double)n * qs[k] * (1 - qs[k]));
        double lo = floor((double)n * qs[k] - half), hi = ceil((double)n * qs[k] + half);
        s->q[k] = gsl_stats_quantile_from_sorted_data(x, 1, n, qs[k]);
        s->q_lo[k] = lo >= 0 ? x[(size_t)lo] : NAN;
        s->q_hi[k] = hi < (double)n ? x[(size_t)hi] : NAN;
    }
}

struct verdict_row {
    uint32_t pair;   /* UINT32_MAX: the network */
    struct side obs, sim;
    double ks, p;
    bool reject;
};

/* Transit days, one per train, grouped by pair (each pair's sorted). */
struct sample {
    double *x;
    uint32_t *pair;
    size_t n;
};

/* What a model's validation found: the samples and the rows. */
struct validation {
    struct sample obs, sim;
    struct verdict_row *rows;
    size_t n_rows;
};

static void validation_fini(struct validation *v)
{
    free(v->obs.x), free(v->obs.pair), free(v->sim.x), free(v->sim.pair), free(v->rows);
}

/* The range of `pair` in a sample: [*a, *b). */
static void pair_range(const struct sample *s, uint32_t pair, size_t *a, size_t *b)
{
    for (*a = 0; *a < s->n && s->pair[*a] != pair; ++*a)
        ;
    for (*b = *a; *b < s->n && s->pair[*b] == pair; ++*b)
        ;
}

/* The network's row: every pair's trains together, on sorted copies. */
static bool network_row(const struct scenario *s, const struct validation *v, struct verdict_row *r)
{
    double *xo = malloc((v->obs.n + 1) * sizeof *xo), *xs = malloc((v->sim.n + 1) * sizeof *xs);
    if (!xo || !xs) {
        free(xo), free(xs);
        return false;
    }
    memcpy(xo, v->obs.x, v->obs.n * sizeof *xo);
    memcpy(xs, v->sim.x, v->sim.n * sizeof *xs);
    r->pair = UINT32_MAX;
    describe(xo, v->obs.n, s->confidence, &r->obs);
    describe(xs, v->sim.n, s->confidence, &r->sim);
    fit_ks2(xo, v->obs.n, xs, v->sim.n, &r->ks, &r->p);
    r->reject = r->p < 1 - s->confidence;
    free(xo), free(xs);
    return true;
}

/* Compares observed and simulated transits pair by pair (and over the
 * network) into v's rows; Holm over the pairs, the network's row apart. */
static enum rm_status compare_sides(const struct scenario *s, struct transit *obs, size_t n_obs, struct transit *sim,
                                    size_t n_sim, struct validation *v, struct diag *d)
{
    v->obs.x = malloc((n_obs + 1) * sizeof *v->obs.x), v->sim.x = malloc((n_sim + 1) * sizeof *v->sim.x);
    v->obs.pair = malloc((n_obs + 1) * sizeof *v->obs.pair), v->sim.pair = malloc((n_sim + 1) * sizeof *v->sim.pair);
    v->rows = calloc(s->n_demand + 2, sizeof *v->rows);
    double *p = malloc((s->n_demand + 1) * sizeof *p);
    bool *rej = malloc((s->n_demand + 1) * sizeof *rej);
    enum rm_status st = RM_OK;
    if (!v->obs.x || !v->sim.x || !v->obs.pair || !v->sim.pair || !v->rows || !p || !rej) {
        st = diag_fail(d, RM_ENOMEM, "out of memory");
        goto done;
    }
    double *xo = v->obs.x, *xs = v->sim.x;
    uint32_t *po = v->obs.pair, *ps = v->sim.pair;
    size_t mo = v->obs.n = group(obs, n_obs, xo, po), ms = v->sim.n = group(sim, n_sim, xs, ps);
    v->n_rows = 0;
    for (size_t a = 0, b, c = 0, e; a < mo; a = b) {
        for (b = a; b < mo && po[b] == po[a]; b++)
            ;
        while (c < ms && ps[c] < po[a])
            c++;
        for (e = c; e < ms && ps[e] == po[a]; e++)
            ;
        if (b - a < 2 || e - c < 2)
            continue;  /* too few to compare */
        struct verdict_row *r = &v->rows[v->n_rows++];
        r->pair = po[a];
        describe(xo + a, b - a, s->confidence, &r->obs);
        describe(xs + c, e - c, s->confidence, &r->sim);
        fit_ks2(xo + a, b - a, xs + c, e - c, &r->ks, &r->p);
        p[v->n_rows - 1] = r->p;
    }
    stats_holm(p, v->n_rows, 1 - s->confidence, rej);
    for (size_t i = 0; i < v->n_rows; i++)
        v->rows[i].reject = rej[i];
    if (mo >= 2 && ms >= 2 && !network_row(s, v, &v->rows[v->n_rows++]))
        st = diag_fail(d, RM_ENOMEM, "out of memory");
done:
    free(p), free(rej);
    return st;
}

static void put_side(struct csvwrite_line *w, const struct side *o, const struct side *s, int k)
{
    double v[6] = { k < 0 ? o->mean : o->q[k], k < 0 ? o->mean_lo : o->q_lo[k], k < 0 ? o->mean_hi : o->q_hi[k],
                    k < 0 ? s->mean : s->q[k], k < 0 ? s->mean_lo : s->q_lo[k], k < 0 ? s->mean_hi : s->q_hi[k] };
    for (int i = 0; i < 6; i++) {
        if (isfinite(v[i]))
            csvwrite_line_number(w, v[i]);
        csvwrite_line_char(w, ',');
    }
}

static void write_verdicts(FILE *f, const struct scenario *s, const char *model, const struct verdict_row *rows,
                           size_t n, struct strbuf *summary)
{
    size_t consistent = 0, pairs = 0;
    for (size_t i = 0; i < n; i++) {
        const struct verdict_row *r = &rows[i];
        char pair[256];
        if (r->pair == UINT32_MAX)
            snprintf(pair, sizeof pair, "all");
        else
            snprintf(pair, sizeof pair, "%s-%s", s->nodes[r->pair / s->n_nodes].id, s->nodes[r->pair % s->n_nodes].id);
        struct csvwrite_line w;
        csvwrite_line_start(&w, f);
        csvwrite_line_field(&w, model), csvwrite_line_char(&w, ',');
        csvwrite_line_field(&w, pair), csvwrite_line_char(&w, ',');
        csvwrite_line_uint(&w, r->obs.n), csvwrite_line_char(&w, ',');
        csvwrite_line_uint(&w, r->sim.n), csvwrite_line_char(&w, ',');
        put_side(&w, &r->obs, &r->sim, -1);
        put_side(&w, &r->obs, &r->sim, 0);
        put_side(&w, &r->obs, &r->sim, 1);
        csvwrite_line_number(&w, r->ks), csvwrite_line_char(&w, ',');
        csvwrite_line_number(&w, r->p), csvwrite_line_char(&w, ',');
        csvwrite_line_field(&w, r->reject ? "not consistent" : "consistent");
        csvwrite_line_end(&w);
        if (r->pair != UINT32_MAX)
            pairs++, consistent += !r->reject;
    }
    strbuf_printf(summary, "%s: %zu of %zu pairs consistent with the observations\n", model, consistent, pairs);
}

/* Simulates `s` over the window and compares it with what was observed. */
static enum rm_status validate(FILE *f, const struct scenario *s, const char *model, const struct observed *obs,
                               const struct observed *done, double from_h, double to_h, struct strbuf *summary,
                               struct validation *v, struct diag *d)
{
    struct events sim = { 0 };
    struct observed so = { 0 };
    const struct observed *use = done ? done : &so;
    char *buf = NULL;
    struct transit *a = NULL, *b = NULL;
    struct calib c = { .s = s, .chain_at = calloc(s->n_nodes * s->n_nodes + 1, sizeof(uint32_t)) };
    enum rm_status st = !c.chain_at ? diag_fail(d, RM_ENOMEM, "out of memory")
                        : done      ? RM_OK
                                    : simulate(s, NULL, &sim, &buf, d);
    if (st == RM_OK && !done)
        st = collect(&c, &sim, &so, d);
    if (st == RM_OK) {
        a = malloc((obs->n_tr + 1) * sizeof *a);
        b = malloc((use->n_tr + 1) * sizeof *b);
        if (!a || !b)
            st = diag_fail(d, RM_ENOMEM, "out of memory");
    }
    if (st == RM_OK) {
        size_t na = per_train(obs, from_h, to_h, a), nb = per_train(use, from_h, to_h, b);
        st = compare_sides(s, a, na, b, nb, v, d);
    }
    if (st == RM_OK)
        write_verdicts(f, s, model, v->rows, v->n_rows, summary);
    free(a), free(b), free(c.chains), free(c.chain_at);
    observed_fini(&so);
    events_fini(&sim);
    free(buf);
    return st;
}

/* ---- the chart --------------------------------------------------------- */

/* A sample's distribution function as a gnuplot datablock: at most 400
 * steps (quantiles where the sample is larger), in % of trains. */
static void put_cdf(struct strbuf *b, const char *name, const double *x, size_t n)
{
    size_t k = n < 400 ? n : 400;
    strbuf_printf(b, "$%s << EOD\n", name);
    for (size_t i = 0; i < k; i++) {
        size_t at = n <= 400 ? i : (size_t)(((double)i + 0.5) / (double)k * (double)n);
        strbuf_printf(b, "%.6g %.6g\n", x[at], 100.0 * (double)(at + 1) / (double)n);
    }
    strbuf_printf(b, "EOD\n");
}

/* One panel: the observed distribution function against the scenario's
 * and the calibrated one's, with their KS p-values in the title. */
static bool put_panel(struct strbuf *b, const struct scenario *s, int k, const struct validation *vs,
                      const struct validation *vc, uint32_t pair)
{
    const struct validation *v[3] = { vc, vs, vc };
    const struct sample *smp[3] = { &vc->obs, &vs->sim, &vc->sim };
    double p[2] = { NAN, NAN };
    for (int m = 0; m < 2; m++)
        for (size_t i = 0; i < v[m + 1]->n_rows; i++)
            if (v[m + 1]->rows[i].pair == pair)
                p[m] = v[m + 1]->rows[i].p;
    for (int m = 0; m < 3; m++) {
        char name[32];
        snprintf(name, sizeof name, "p%d_%d", k, m);
        if (pair == UINT32_MAX) {  /* every pair: a sorted copy */
            double *x = malloc((smp[m]->n + 1) * sizeof *x);
            if (!x)
                return false;
            memcpy(x, smp[m]->x, smp[m]->n * sizeof *x);
            gsl_sort(x, 1, smp[m]->n);
            put_cdf(b, name, x, smp[m]->n);
            free(x);
        } else {
            size_t a, e;
            pair_range(smp[m], pair, &a, &e);
            put_cdf(b, name, smp[m]->x + a, e - a);
        }
    }
    char title[300];
    if (pair == UINT32_MAX)
        snprintf(title, sizeof title, "all pairs: KS p %.2g as it was, %.2g calibrated", p[0], p[1]);
    else
        snprintf(title, sizeof title, "%s-%s: KS p %.2g as it was, %.2g calibrated", s->nodes[pair / s->n_nodes].id,
                 s->nodes[pair % s->n_nodes].id, p[0], p[1]);
    strbuf_printf(b, "set title ");
    strbuf_quote_gnuplot(b, title);
    strbuf_printf(b, "\nplot $p%d_0 using 1:2 with steps lw 2 lc rgb '#000000' title 'observed', "
                     "$p%d_1 using 1:2 with steps lw 2 dt 2 lc rgb '#999999' title 'scenario as it was', "
                     "$p%d_2 using 1:2 with steps lw 2 lc rgb '#2171b5' title 'calibrated'\n",
                  k, k, k);
    return true;
}

/* validation.png: the network and the three pairs the calibrated
 * scenario fits worst (lowest KS p-value). */
static enum rm_status draw_validation(const char *dir, const struct scenario *s, const struct validation *vs,
                                      const struct validation *vc, struct diag *d)
{
    uint32_t worst[3];
    size_t n = 0;
    bool used[256] = { false };
    for (; n < 3; n++) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < vc->n_rows && i < 256; i++)
            if (vc->rows[i].pair != UINT32_MAX && !used[i] && (best == SIZE_MAX || vc->rows[i].p < vc->rows[best].p))
                best = i;
        if (best == SIZE_MAX)
            break;
        used[best] = true;
        worst[n] = vc->rows[best].pair;
    }
    if (!vc->obs.n || !vc->sim.n || !vs->sim.n)
        return RM_OK;  /* nothing to draw */
    struct strbuf b = { 0 };
    strbuf_printf(&b, "set encoding utf8\nset multiplot layout 2,2 title ");
    strbuf_quote_gnuplot(&b, "transit times observed and simulated, one observation per train");
    strbuf_printf(&b, " font 'Sans Bold,13'\nset xlabel 'transit time from posting to delivery (days)'\n"
                      "set ylabel 'trains delivered within x days (%%)'\nset yrange [0:100]\n"
                      "set key bottom right\nset grid lc rgb '#e0e0e0'\nset border 3 lc rgb '#444444'\n"
                      "set tics nomirror out\n");
    bool ok = put_panel(&b, s, 0, vs, vc, UINT32_MAX);
    for (size_t i = 0; ok && i < n; i++)
        ok = put_panel(&b, s, (int)i + 1, vs, vc, worst[i]);
    strbuf_printf(&b, "unset multiplot\n");
    struct gnuplot g;
    gnuplot_init(&g, dir, GNUPLOT_PNG);
    enum rm_status st = ok && !b.oom ? gnuplot_draw(&g, RESULTS_VALIDATION_CHART, &b, d) : diag_fail(d, RM_ENOMEM, "out of memory");
    strbuf_fini(&b);
    return st;
}

/* ---- the command ------------------------------------------------------- */

/* Reads the input file at `path` whole: RM_EINPUT with the reason where
 * it is no regular file or too large. */
static enum rm_status slurp(const char *path, char **data, size_t *len, struct diag *d)
{
    char why[256] = "";
    enum rm_status st = csvread_slurp_input(path, data, len, why, sizeof why);
    if (st == RM_OK)
        return st;
    return why[0] ? diag_error(d, &(struct diag_at){ path, 0, 0 }, "%s", why)
                  : diag_fail(d, st == RM_ENOMEM ? RM_ENOMEM : RM_EINPUT, "%s: %s", path, strerror(errno));
}

/* The office codes' map (--map), held in *m (events_map_fini frees it). */
static enum rm_status read_map(const char *path, const struct scenario *s, struct events_map *m, struct diag *d)
{
    char *data = NULL;
    size_t len;
    enum rm_status st = slurp(path, &data, &len, d);
    if (st == RM_OK)
        st = events_map_parse(path, data, len, s, m, d);
    /* the codes point into the table, which holds copies: the data may go */
    free(data);
    return st;
}

/* The scenario over the observed window: horizon_d from the last posting
 * (its run-out follows the mail on, as the events do), with the overlay
 * when not NULL. */
static enum rm_status load_window(const struct calibrate_options *o, const char *overlay, double last_h, double warmup_d,
                                  const char *const *more, size_t n_more, struct scenario **out, struct diag *d)
{
    const char **sets = malloc((o->n_sets + n_more + 1) * sizeof *sets);
    char horizon[64];
    if (!sets)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < o->n_sets; i++) {  /* those of the cells `more` sets give way */
        bool replaced = false;
        for (size_t k = 0; k < n_more; k++) {
            size_t key = (size_t)(strchr(more[k], '=') - more[k]) + 1;
            replaced |= !strncmp(o->sets[i], more[k], key);
        }
        if (!replaced)
            sets[n++] = o->sets[i];
    }
    for (size_t i = 0; i < n_more; i++)
        sets[n++] = more[i];
    /* past the warm-up, which a short window may not reach */
    snprintf(horizon, sizeof horizon, "scenario.horizon_d=%.0f",
             fmax(floor(warmup_d) + 1, ceil(last_h / CALENDAR_HOURS_PER_DAY)));
    sets[n++] = horizon;
    enum rm_status st = scenario_load(o->scenario, overlay, sets, n, out, d);
    free(sets);
    return st;
}

/* The changed legs as --set overrides: a --set of the user's on the same
 * cell would otherwise undo the overlay's row. */
static char **fitted_sets(const struct calib *c, const struct leg_fit *fits, size_t n_fits, size_t *n)
{
    char **sets = calloc(n_fits + 1, sizeof *sets), text[128];
    *n = 0;
    for (size_t k = 0; sets && k < n_fits; k++) {
        if (!fits[k].changed)
            continue;
        const struct scenario_leg *leg = &c->s->legs[fits[k].leg];
        fit_format(&fits[k].fitted, text, sizeof text);
        size_t len = strlen(c->s->nodes[leg->from].id) + strlen(c->s->nodes[leg->to].id) + strlen(text) + 32;
        if (!(sets[*n] = malloc(len)))
            break;
        snprintf(sets[(*n)++], len, "legs.%s-%s.time_h=%s", c->s->nodes[leg->from].id, c->s->nodes[leg->to].id,
                 text);
    }
    return sets;
}

/* The run record, so that the folder can be checked (verify) and read (report,
 * plot, show) like every results folder, then the page that reads it. */
static enum rm_status write_record(const struct calibrate_options *o, const struct scenario *s, const char *dir,
                                   struct diag *d)
{
    record_set(o->record, RESULTS_KEY_KIND, results_kind_name(RESULTS_CALIBRATE));
    record_set(o->record, RESULTS_KEY_SCENARIO, o->scenario);
    record_set_list(o->record, RESULTS_KEY_SETS, o->sets, o->n_sets);
    record_set_number(o->record, RESULTS_KEY_CONFIDENCE, s->confidence);
    record_set(o->record, RESULTS_KEY_PLOT, "no");  /* its one chart is calibrate's, from the events */
    record_scenario(o->record, s);
    record_input(o->record, o->events);
    if (o->map)
        record_input(o->record, o->map);
    enum rm_status st = record_write(o->record, dir, d);
    return st == RM_OK ? html_write(dir, d) : st;
}

enum rm_status calibrate_run(const struct calibrate_options *o, struct strbuf *summary, struct diag *d)
{
    struct scenario *s = NULL, *cal = NULL;
    struct events ev = { 0 }, sim = { 0 };
    struct events_map map = { 0 };
    struct observed obs = { 0 }, simobs = { 0 };
    struct validation vs = { 0 }, vc = { 0 };
    struct outdir *od = NULL;
    struct leg_fit *fits = NULL;
    size_t n_fits = 0;
    char *data = NULL, *simbuf = NULL;
    double *queue_h = NULL;
    struct calib c = { 0 };
    size_t len;
    enum rm_status st = scenario_load(o->scenario, NULL, o->sets, o->n_sets, &s, d);
    if (st != RM_OK)
        goto done;
    if ((st = slurp(o->events, &data, &len, d)) != RM_OK)
        goto done;
    if (o->map && (st = read_map(o->map, s, &map, d)) != RM_OK)
        goto done;
    if ((st = events_parse(o->events, data, len, s, o->map ? &map : NULL, &ev, d)) != RM_OK)
        goto done;
    c.s = s;
    c.chain_at = calloc(s->n_nodes * s->n_nodes + 1, sizeof *c.chain_at);
    if (!c.chain_at) {
        st = diag_fail(d, RM_ENOMEM, "out of memory");
        goto done;
    }
    if ((st = collect(&c, &ev, &obs, d)) != RM_OK)
        goto done;
    strbuf_printf(summary, "events: %zu of %zu ids (%zu skipped for missing or impossible sequences%s%s), "
                           "hours %.1f to %.1f from %s\n",
                  obs.ids - obs.skipped, obs.ids, obs.skipped, obs.skipped ? ", the first: " : "", obs.first_skip,
                  obs.first_h, obs.last_h, "the start date");
    if (obs.ids == 0 || obs.n_seg == 0) {
        st = diag_error(d, &(struct diag_at){ o->events, 0, 0 }, "expected events of ids that left a node and were "
                                                                 "seen at the next, got none");
        goto done;
    }
    one_per_train(&obs);
    double warmup_d = s->warmup_d;
    /* the scenario over the observed window, for its queues and validation */
    scenario_destroy(s);
    s = NULL;
    if ((st = load_window(o, NULL, obs.posted_last_h, warmup_d, NULL, 0, &s, d)) != RM_OK)
        goto done;
    c.s = s;  /* same nodes, services and legs: the chains stand */
    queue_h = calloc(s->n_nodes + 1, sizeof *queue_h);
    if (!queue_h) {
        st = diag_fail(d, RM_ENOMEM, "out of memory");
        goto done;
    }
    if ((st = simulate(s, queue_h, &sim, &simbuf, d)) != RM_OK)
        goto done;
    if ((st = collect(&c, &sim, &simobs, d)) != RM_OK)
        goto done;
    one_per_train(&simobs);
    if ((st = fit_chains(&c, &obs, &simobs, queue_h, &fits, &n_fits, summary, d)) != RM_OK)
        goto done;
    if ((st = outdir_begin(o->out, &od, d)) != RM_OK)
        goto done;
    const char *tmp = outdir_temp(od);
    if ((st = write_calibration(tmp, &c, fits, n_fits, &obs, d)) != RM_OK ||
        (st = write_overlay(tmp, &c, fits, n_fits, o->events, d)) != RM_OK)
        goto done;
    size_t changed = 0;
    for (size_t k = 0; k < n_fits; k++)
        changed += fits[k].changed;
    strbuf_printf(summary, "legs: %zu fitted, %zu changed\n", n_fits, changed);
    char overlay[4096], path[4096];
    snprintf(overlay, sizeof overlay, "%s/%s", tmp, RESULTS_OVERLAY_DIR);
    size_t n_fitted = 0;
    char **fitted = fitted_sets(&c, fits, n_fits, &n_fitted);
    st = fitted ? load_window(o, overlay, obs.posted_last_h, warmup_d, (const char *const *)fitted, n_fitted, &cal, d)
                : diag_fail(d, RM_ENOMEM, "out of memory");
    for (size_t i = 0; fitted && i < n_fitted; i++)
        free(fitted[i]);
    free(fitted);
    if (st != RM_OK)
        goto done;
    diag_clear(d);  /* the overlay's own warnings are not the user's */
    FILE *f = open_in(tmp, RESULTS_VALIDATION_CSV, path, sizeof path, d);
    if (!f) {
        st = RM_EIO;
        goto done;
    }
    csvwrite_header(f, RESULTS_VALIDATION_COLUMNS);
    double from_h = fmax(obs.first_h, s->warmup_d * CALENDAR_HOURS_PER_DAY);
    st = validate(f, s, "scenario", &obs, &simobs, from_h, obs.last_h, summary, &vs, d);
    if (st == RM_OK)
        st = validate(f, cal, "calibrated", &obs, NULL, from_h, obs.last_h, summary, &vc, d);
    enum rm_status closed = close_file(f, path, d);
    if (st == RM_OK)
        st = closed;
    if (st == RM_OK)
        st = draw_validation(tmp, s, &vs, &vc, d);
    if (st == RM_OK && o->record)
        st = write_record(o, s, tmp, d);
    if (st == RM_OK)
        st = outdir_commit(od, d);
done:
    outdir_discard(od);
    validation_fini(&vs);
    validation_fini(&vc);
    free(fits);
    free(queue_h);
    free(c.chains);
    free(c.chain_at);
    observed_fini(&obs);
    observed_fini(&simobs);
    events_fini(&ev);
    events_fini(&sim);
    events_map_fini(&map);
    free(simbuf);
    free(data);
    scenario_destroy(cal);
    scenario_destroy(s);
    return st;
}
