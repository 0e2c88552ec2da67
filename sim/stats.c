/* stats: a three-resolution histogram for transit quantiles (fine where most
 * batches fall, coarser in the tail, up to the longest possible horizon),
 * across-replication summaries, and paired t-tests with Holm's correction.
 * The histogram is fixed-size, so memory never depends on the horizon. */
#include "railmail/stats.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define FINE_W STATS_FINE_W
#define COARSE_W STATS_COARSE_W
#define TAIL_W STATS_TAIL_W
#define FINE_BINS STATS_FINE_BINS
#define COARSE_BINS STATS_COARSE_BINS

/* 10000 fine + 2000 coarse + 7080 tail bins = STATS_HIST_BINS (checked in tests). */

double stats_hist_bin_low(size_t bin)
{
    if (bin < FINE_BINS)
        return bin * FINE_W;
    if (bin < FINE_BINS + COARSE_BINS)
        return STATS_FINE_D + (bin - FINE_BINS) * COARSE_W;
    return STATS_COARSE_D + (bin - FINE_BINS - COARSE_BINS) * TAIL_W;
}

static double bin_width(size_t bin)
{
    return bin < FINE_BINS ? FINE_W : bin < FINE_BINS + COARSE_BINS ? COARSE_W : TAIL_W;
}

/* to[b] += from[b] for the first 8 * blocks bins (distinct arrays): a
 * fixed count per block, which the compiler adds as vectors. */
static void add_blocks(uint32_t *restrict to, const uint32_t *restrict from, size_t blocks)
{
    for (size_t k = 0; k < blocks; k++)
        for (size_t j = 0; j < 8; j++)
            to[8 * k + j] += from[8 * k + j];
}

/* In whole blocks of 8 bins: those of a block past h->used hold 0. */
static_assert(STATS_HIST_BINS % 8 == 0, "the histogram is whole blocks of 8 bins");
void stats_hist_merge(struct stats_hist *into, const struct stats_hist *h)
{
    assert(into != h);
    add_blocks(into->count, h->count, ((size_t)h->used + 7) / 8);
    into->n += h->n;
    if (h->used > into->used)
        into->used = h->used;
}

/* The sum of BLOCK bins from `count`. */
enum { BLOCK = 16 };
static uint64_t block_sum(const uint32_t *count)
{
    uint64_t sum = 0;
    for (size_t j = 0; j < BLOCK; j++)
        sum += count[j];
    return sum;
}

/* One pass over the bins, BLOCK at a time where the count so far stays
 * below the next quantile's through a whole block (the cumulative count
 * only grows, so no bin inside can reach it): most bins are passed that
 * way, empty or far below. The others are read one by one as before. */
void stats_hist_quantiles(const struct stats_hist *h, const double *q, size_t n_q, double *out)
{
    size_t k = 0;
    if (h->n > 0 && n_q > 0) {
        uint64_t below = 0;
        double target = q[0] * (double)h->n;
        size_t b = 0, used = h->used;
        while (b < used && k < n_q) {
            if (b + BLOCK <= used) {
                uint64_t sum = block_sum(&h->count[b]);
                if ((double)(below + sum) < target) {
                    below += sum;
                    b += BLOCK;
                    continue;
                }
            }
            for (size_t end = b + BLOCK < used ? b + BLOCK : used; b < end && k < n_q; b++) {
                uint64_t c = h->count[b];
                while (c && (double)(below + c) >= target) {
                    double frac = (target - (double)below) / (double)c;
                    out[k] = stats_hist_bin_low(b) + frac * bin_width(b);
                    if (++k == n_q)
                        break;
                    target = q[k] * (double)h->n;
                }
                below += c;
            }
        }
    }
    for (; k < n_q; k++)
        out[k] = h->n ? stats_hist_bin_low(STATS_HIST_BINS - 1) : NAN;
}

double stats_hist_quantile(const struct stats_hist *h, double q)
{
    if (h->n == 0)
        return NAN;
    double target = q * (double)h->n;
    uint64_t below = 0;
    for (size_t b = 0; b < STATS_HIST_BINS; b++) {
        uint64_t c = h->count[b];
        if (c && (double)(below + c) >= target) {
            double frac = (target - (double)below) / (double)c;
            return stats_hist_bin_low(b) + frac * bin_width(b);
        }
        below += c;
    }
    return stats_hist_bin_low(STATS_HIST_BINS - 1);
}

/* Compact histogram: bin b < 500 covers [0.1 b, 0.1 b + 0.1), then whole
 * days to 400, then one open bin. */
enum { SMALL_FINE = STATS_SMALL_FINE_BINS, SMALL_COARSE = 350 };

static double small_low(size_t b, double *width)
{
    if (b < SMALL_FINE) {
        *width = 0.1;
        return b * 0.1;
    }
    if (b < SMALL_FINE + SMALL_COARSE) {
        *width = 1;
        return STATS_SMALL_FINE_D + (double)(b - SMALL_FINE);
    }
    *width = 0;
    return STATS_SMALL_MAX_D;
}

void stats_small_merge(struct stats_small_hist *into, const struct stats_small_hist *h)
{
    for (size_t b = 0; b < h->used; b++)
        into->count[b] += h->count[b];
    into->n += h->n;
    if (h->used > into->used)
        into->used = h->used;
}

double stats_small_quantile(const struct stats_small_hist *h, double q)
{
    if (h->n == 0)
        return NAN;
    double target = q * (double)h->n, width;
    uint64_t below = 0;
    for (size_t b = 0; b < h->used; b++) {
        uint64_t c = h->count[b];
        if (c && (double)(below + c) >= target) {
            double low = small_low(b, &width);
            return low + (target - (double)below) / (double)c * width;
        }
        below += c;
    }
    return small_low(h->used ? h->used - 1 : 0, &width);
}

/* The two-sided t quantile for `confidence` with df degrees of freedom. */
static double t_quantile(double confidence, size_t df)
{
    return gsl_cdf_tdist_Pinv(0.5 + confidence / 2, (double)df);
}

void stats_summarise(const double *x, size_t stride, size_t n, double confidence,
                     struct stats_summary *out)
{
    /* GSL wants the finite values packed: when all are finite they are
     * read in place; otherwise the stack usually holds them. */
    size_t m = 0;
    while (m < n && isfinite(x[m * stride]))
        m++;
    double buf[256], *v = NULL;
    const double *data = x;
    if (m < n) {
        v = n <= 256 ? buf : malloc(n * sizeof *v);
        m = 0;
        if (v)
            for (size_t i = 0; i < n; i++)
                if (isfinite(x[i * stride]))
                    v[m++] = x[i * stride];
        data = v;
        stride = 1;
    }
    out->n = m;
    out->mean = m ? gsl_stats_mean(data, stride, m) : NAN;
    out->sd = m > 1 ? gsl_stats_sd_m(data, stride, m, out->mean) : NAN;
    if (m > 1) {
        double half = t_quantile(confidence, m - 1) * out->sd / sqrt((double)m);
        out->ci_low = out->mean - half;
        out->ci_high = out->mean + half;
    } else {
        out->ci_low = out->ci_high = NAN;
    }
    if (v != buf)
        free(v);
}

double stats_half_width(const double *x, size_t stride, size_t n, double confidence, double *mean)
{
    struct stats_summary sm;
    stats_summarise(x, stride, n, confidence, &sm);
    if (mean)
        *mean = sm.mean;
    return sm.n >= 2 ? (sm.ci_high - sm.ci_low) / 2 : INFINITY;
}

void stats_paired_test(const double *base, const double *prop, size_t n, double confidence,
                       struct stats_paired *out)
{
    double *diff = malloc((n + 1) * sizeof *diff);
    double *b = malloc((n + 1) * sizeof *b), *p = malloc((n + 1) * sizeof *p);
    size_t m = 0;
    for (size_t i = 0; diff && b && p && i < n; i++)
        if (isfinite(base[i]) && isfinite(prop[i])) {
            b[m] = base[i];
            p[m] = prop[i];
            diff[m++] = prop[i] - base[i];
        }
    struct stats_summary sb, sp, sd;
    stats_summarise(b, 1, m, confidence, &sb);
    stats_summarise(p, 1, m, confidence, &sp);
    stats_summarise(diff, 1, m, confidence, &sd);
    out->n = m;
    out->baseline_mean = sb.mean;
    out->proposal_mean = sp.mean;
    out->diff = sd.mean;
    out->diff_ci_low = sd.ci_low;
    out->diff_ci_high = sd.ci_high;
    out->rel_pct = sb.mean != 0 ? 100 * sd.mean / fabs(sb.mean) : NAN;
    if (m < 2)
        out->p_value = NAN;
    else if (sd.sd == 0)  /* identical replications: certain, either way */
        out->p_value = sd.mean == 0 ? 1 : 0;
    else
        out->p_value = 2 * gsl_cdf_tdist_Q(fabs(sd.mean) / (sd.sd / sqrt((double)m)), (double)(m - 1));
    if (sd.sd == 0 && m >= 2)
        out->diff_ci_low = out->diff_ci_high = sd.mean;
    free(diff);
    free(b);
    free(p);
}

bool stats_holm(const double *p, size_t m, double alpha, bool *reject)
{
    /* a family is one proposal's headline, or its pairs: maybe thousands */
    size_t *order = malloc((m + 1) * sizeof *order);
    if (!order)
        return false;
    for (size_t i = 0; i < m; i++)
        reject[i] = false;
    gsl_sort_index(order, p, 1, m);  /* equal p-values pass or fail together, in any order */
    for (size_t k = 0; k < m; k++) {
        double pk = p[order[k]];
        if (!(pk <= alpha / (double)(m - k)))
            break;
        reject[order[k]] = true;
    }
    free(order);
    return true;
}
