/* closure: recovery and late mail of a disruption a proposal adds. The
 * backlog compared is the network's at the end of each day, held mail
 * included (model.h's MODEL_SERIES_BACKLOG), read back from each run's
 * daily file; both arms ran on the same random numbers, so replication k
 * of one is replication k of the other with the disruption added. */
#include "railmail/closure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "railmail/calendar.h"
#include "railmail/metric.h"

/* The id of a disruption's target, which indices do not give across two
 * scenarios (a proposal may add nodes). */
static const char *target_id(const struct scenario *s, const struct scenario_disruption *x)
{
    return x->target_kind == TARGET_NODE ? s->nodes[x->target].id : s->services[x->target].id;
}

static bool same_disruption(const struct scenario *a, const struct scenario_disruption *x, const struct scenario *b,
                            const struct scenario_disruption *y)
{
    return x->target_kind == y->target_kind && !strcmp(target_id(a, x), target_id(b, y)) && x->start_d == y->start_d
           && x->duration_d == y->duration_d && x->capacity_factor == y->capacity_factor && x->repeat_d == y->repeat_d;
}

/* The end of the last window of x that begins before the horizon, in days;
 * NAN when none does. */
static double last_end_d(const struct scenario *s, const struct scenario_disruption *x)
{
    double horizon_h = s->horizon_d * CALENDAR_HOURS_PER_DAY;
    if (!(x->start_h < horizon_h))
        return NAN;
    uint64_t w = x->repeat_h > 0 ? (uint64_t)floor((horizon_h - x->start_h) / x->repeat_h) : 0;
    while (w > 0 && !(scenario_disruption_start_h(x, w) < horizon_h))
        w--;  /* the division's rounding */
    return scenario_disruption_end_h(x, w) / CALENDAR_HOURS_PER_DAY;
}

double closure_end_d(const struct scenario *b, const struct scenario *p)
{
    double end = NAN;
    for (size_t i = 0; i < p->n_disruptions; i++) {
        const struct scenario_disruption *x = &p->disruptions[i];
        bool known = false;
        for (size_t j = 0; j < b->n_disruptions && !known; j++)
            known = same_disruption(p, x, b, &b->disruptions[j]);
        double e = known ? NAN : last_end_d(p, x);
        if (!isnan(e) && !(e <= end))
            end = e;
    }
    return end;
}

double closure_recovery_d(const double *base, const double *opt, size_t days, double end_d, double tol)
{
    /* day k's value holds at its end, k + 1 days from the start */
    size_t first = end_d <= 1 ? 0 : (size_t)ceil(end_d - 1);
    size_t steady = 0;
    for (size_t k = first; k < days; k++) {
        steady = fabs(opt[k] - base[k]) <= tol ? steady + 1 : 0;
        if (steady == CLOSURE_STEADY_DAYS) {
            double at = (double)(k + 2 - CLOSURE_STEADY_DAYS);  /* the end of the run's first day */
            return at > end_d ? at - end_d : 0;
        }
    }
    return NAN;
}

/* The backlog of every replication, out[k * days + day]. */
static enum rm_status backlogs(const struct run_result *r, const char *dir, double **out, struct diag *d)
{
    size_t days = model_days(r->model);
    *out = malloc(((size_t)r->n * days + 1) * sizeof **out);
    if (!*out)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    return run_daily_series(r->model, dir, r->n, MODEL_SERIES_BACKLOG, *out, d);
}

/* One figure of each replication, at scope all. */
static double value(const struct run_result *r, unsigned k, enum metric_id id)
{
    size_t row = model_row(r->model, metric_name(id), "all");
    return row == SIZE_MAX ? NAN : run_value(r, k, row);
}

/* Late batches (posted, not on time) and their tonnes at the replication's
 * mean batch weight. */
static void late(const struct run_result *r, unsigned k, double *batches, double *tonnes)
{
    double posted = value(r, k, METRIC_POSTED), on_time = value(r, k, METRIC_ON_TIME);
    double delivered = value(r, k, METRIC_DELIVERED), t = value(r, k, METRIC_DELIVERED_T);
    *batches = posted * (1 - on_time / 100);
    *tonnes = delivered > 0 ? *batches * t / delivered : NAN;
}

enum rm_status closure_measure(const struct scenario *b, const struct run_result *rb, const char *b_dir,
                               const struct scenario *p, const struct run_result *rp, const char *p_dir,
                               struct closure *out, struct diag *d)
{
    *out = (struct closure){ .end_d = closure_end_d(b, p) };
    if (isnan(out->end_d))
        return RM_OK;
    out->measured = true;
    unsigned n = rb->n < rp->n ? rb->n : rp->n;
    size_t days = model_days(rb->model) < model_days(rp->model) ? model_days(rb->model) : model_days(rp->model);
    double *base = NULL, *opt = NULL, *v = malloc((6 * (size_t)n + 1) * sizeof *v);
    enum rm_status st = v ? backlogs(rb, b_dir, &base, d) : diag_fail(d, RM_ENOMEM, "out of memory");
    if (st == RM_OK)
        st = backlogs(rp, p_dir, &opt, d);
    double *zero = v, *rec = v + n, *lb = v + 2 * n, *lp = v + 3 * n, *tb = v + 4 * n, *tp = v + 5 * n;
    for (unsigned k = 0; st == RM_OK && k < n; k++) {
        const double *bk = base + (size_t)k * model_days(rb->model), *pk = opt + (size_t)k * model_days(rp->model);
        double mean = 0;
        for (size_t day = 0; day < days; day++)
            mean += bk[day] / (double)days;
        zero[k] = 0;
        rec[k] = closure_recovery_d(bk, pk, days, out->end_d, fmax(1, 0.02 * mean));
        out->recovered += !isnan(rec[k]);
        late(rb, k, &lb[k], &tb[k]);
        late(rp, k, &lp[k], &tp[k]);
    }
    if (st == RM_OK) {
        stats_paired_test(zero, rec, n, b->confidence, &out->recovery);
        stats_paired_test(lb, lp, n, b->confidence, &out->late);
        stats_paired_test(tb, tp, n, b->confidence, &out->late_t);
    }
    free(base);
    free(opt);
    free(v);
    return st;
}
