#ifndef RAILMAIL_STATS_H
#define RAILMAIL_STATS_H
/* Statistics: a fixed-size transit-time histogram whose memory does not grow
 * with the horizon, summaries across replications with t-based confidence
 * intervals from GSL, and paired differences with a t-test and Holm's
 * correction for a family of them. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Days are binned at 0.01 d up to STATS_FINE_D, at 0.5 d up to
 * STATS_COARSE_D and at 5 d up to STATS_MAX_D, the longest horizon a
 * scenario may have, so no transit time falls outside the bins. */
#define STATS_FINE_D 100.0
#define STATS_COARSE_D 1100.0
#define STATS_MAX_D 36500.0
#define STATS_HIST_BINS 19080
#define STATS_FINE_W 0.01      /* bin widths, days */
#define STATS_COARSE_W 0.5
#define STATS_TAIL_W 5.0
#define STATS_FINE_BINS 10000
#define STATS_COARSE_BINS 2000

struct stats_hist {
    uint32_t count[STATS_HIST_BINS];
    uint64_t n;
    uint32_t used;  /* every bin from here on is 0: a merge reads no further, so
                       the untouched pages of a calloc'd histogram stay unmapped */
};

/* The bin of a transit time. It and the adds are inline here: a run adds
 * a transit time once per delivery, and a call would cost about as much as
 * the add. Where the quotient is known to be small it is converted to a
 * uint32_t, the same whole part without the test a conversion to a 64-bit
 * unsigned needs. */
static inline size_t stats_hist_bin(double days)
{
    if (!(days > 0))
        return 0;
    if (days < STATS_FINE_D)
        return (uint32_t)(days / STATS_FINE_W);
    if (days < STATS_COARSE_D)
        return STATS_FINE_BINS + (uint32_t)((days - STATS_FINE_D) / STATS_COARSE_W);
    size_t b = STATS_FINE_BINS + STATS_COARSE_BINS + (size_t)((days - STATS_COARSE_D) / STATS_TAIL_W);
    return b < STATS_HIST_BINS ? b : STATS_HIST_BINS - 1;
}

static inline void stats_hist_add(struct stats_hist *h, double days)
{
    size_t b = stats_hist_bin(days);
    h->count[b]++;
    h->n++;
    if (b >= h->used)
        h->used = (uint32_t)b + 1;
}

/* Adds every count of `h` to `into` (another histogram): the histogram of
 * both sets of days. */
void stats_hist_merge(struct stats_hist *into, const struct stats_hist *h);
/* The q-quantile (0 < q < 1), interpolated within its bin; NaN when empty. */
double stats_hist_quantile(const struct stats_hist *h, double q);
/* The same for n_q ascending quantiles at once, in one pass over the bins. */
void stats_hist_quantiles(const struct stats_hist *h, const double *q, size_t n_q, double *out);
double stats_hist_bin_low(size_t bin);  /* lower edge of a bin, days */

/* A compact histogram for many small sets (a month's batches of one pair):
 * 0.1-day bins to STATS_SMALL_FINE_D, 1-day bins to STATS_SMALL_MAX_D, and
 * one bin for everything beyond (whose quantile reads as its lower edge). */
#define STATS_SMALL_FINE_D 50.0
#define STATS_SMALL_MAX_D 400.0
#define STATS_SMALL_BINS 851
#define STATS_SMALL_FINE_BINS 500    /* of 0.1 d, then 1-day bins */

struct stats_small_hist {
    uint32_t count[STATS_SMALL_BINS];
    uint32_t n, used;  /* used: every bin from here on is 0 */
};

/* The bin of a transit time (whole parts converted as in stats_hist_bin). */
static inline size_t stats_small_bin(double days)
{
    if (!(days >= 0))
        return 0;
    if (days < STATS_SMALL_FINE_D)
        return (uint32_t)(days * 10);
    if (days < STATS_SMALL_MAX_D)
        return STATS_SMALL_FINE_BINS + (uint32_t)(days - STATS_SMALL_FINE_D);
    return STATS_SMALL_BINS - 1;
}

static inline void stats_small_add(struct stats_small_hist *h, double days)
{
    size_t b = stats_small_bin(days);
    h->count[b]++;
    h->n++;
    if (b >= h->used)
        h->used = (uint32_t)b + 1;
}

void stats_small_merge(struct stats_small_hist *into, const struct stats_small_hist *h);
/* The q-quantile (0 < q < 1), interpolated within its bin; NaN when empty. */
double stats_small_quantile(const struct stats_small_hist *h, double q);

struct stats_summary {
    double mean, sd, ci_low, ci_high;  /* NaN where undefined */
    size_t n;                          /* finite values used */
};

/* Mean, sd and the two-sided t interval at `confidence` over the finite
 * values among x[0], x[stride], ... (n of them). NaNs are skipped. */
void stats_summarise(const double *x, size_t stride, size_t n, double confidence,
                     struct stats_summary *out);
/* The half-width of the t interval of the n values at a stride (INFINITY
 * below two finite ones); *mean gets their mean when not NULL. */
double stats_half_width(const double *x, size_t stride, size_t n, double confidence, double *mean);

/* Two sets of values paired replication by replication (baseline and
 * proposal, or two neighbouring points of a sweep). */
struct stats_paired {
    double baseline_mean, proposal_mean;
    double diff, diff_ci_low, diff_ci_high;  /* proposal - baseline and its t interval */
    double rel_pct;                          /* diff as a share of |baseline_mean|, % */
    double p_value;                          /* two-sided; NaN below two pairs */
    size_t n;                                /* pairs where both are finite */
};
/* Paired differences proposal - baseline over the replications where both
 * are finite; a two-sided paired t-test. */
void stats_paired_test(const double *base, const double *prop, size_t n, double confidence,
                       struct stats_paired *out);
/* Holm's step-down procedure: reject[i] for p[i] among m p-values at
 * family-wise `alpha`. False when out of memory. */
bool stats_holm(const double *p, size_t m, double alpha, bool *reject);
#endif /* RAILMAIL_STATS_H */
