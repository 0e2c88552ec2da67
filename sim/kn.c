/* kn: Kim and Nelson's sequential selection of the best system (kn.h). */
#include "railmail/kn.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static double mean_of(const double *x, unsigned r)
{
    double sum = 0;
    for (unsigned j = 0; j < r; j++)
        sum += x[j];
    return sum / r;
}

/* The sample variance of x - y over the first n values. */
static double diff_variance(const double *x, const double *y, unsigned n)
{
    double mean = 0, ss = 0;
    for (unsigned j = 0; j < n; j++)
        mean += x[j] - y[j];
    mean /= n;
    for (unsigned j = 0; j < n; j++) {
        double e = x[j] - y[j] - mean;
        ss += e * e;
    }
    return ss / (n - 1);
}

enum rm_status kn_init(struct kn *kn, size_t k, unsigned n0, const double *const *x, double delta, double alpha,
                       bool maximise)
{
    *kn = (struct kn){ .k = k, .n0 = n0, .r = n0, .delta = delta, .maximise = maximise, .n_alive = k };
    kn->s2 = calloc(k * k, sizeof *kn->s2);
    kn->alive = malloc(k * sizeof *kn->alive);
    kn->out_at = calloc(k, sizeof *kn->out_at);
    if (!kn->s2 || !kn->alive || !kn->out_at) {
        kn_fini(kn);
        return RM_ENOMEM;
    }
    double eta = k > 1 ? (pow(2 * alpha / (double)(k - 1), -2.0 / (n0 - 1)) - 1) / 2 : 0;
    kn->h2 = 2 * eta * (n0 - 1);
    for (size_t i = 0; i < k; i++) {
        kn->alive[i] = true;
        for (size_t l = 0; l < i; l++)
            kn->s2[i * k + l] = kn->s2[l * k + i] = diff_variance(x[i], x[l], n0);
    }
    kn_screen(kn, x, n0);
    return RM_OK;
}

void kn_fini(struct kn *kn)
{
    free(kn->s2);
    free(kn->alive);
    free(kn->out_at);
    *kn = (struct kn){ 0 };
}

/* How far l's mean may beat i's at r before i goes. */
static double region(const struct kn *kn, size_t i, size_t l, unsigned r)
{
    double w = kn->delta / (2.0 * r) * (kn->h2 * kn->s2[i * kn->k + l] / (kn->delta * kn->delta) - r);
    return w > 0 ? w : 0;
}

void kn_screen(struct kn *kn, const double *const *x, unsigned r)
{
    double *mean = malloc(kn->k * sizeof *mean);
    if (!mean)
        return;  /* screened again at the next stage */
    kn->r = r;
    for (size_t i = 0; i < kn->k; i++)
        mean[i] = kn->alive[i] ? mean_of(x[i], r) : NAN;
    bool *out = calloc(kn->k, sizeof *out);  /* all against the same survivors */
    for (size_t i = 0; out && i < kn->k; i++)
        for (size_t l = 0; kn->alive[i] && l < kn->k && !out[i]; l++) {
            if (l == i || !kn->alive[l])
                continue;
            double beaten_by = kn->maximise ? mean[l] - mean[i] : mean[i] - mean[l];
            out[i] = beaten_by > region(kn, i, l, r);
        }
    for (size_t i = 0; out && i < kn->k; i++)
        if (out[i]) {
            kn->alive[i] = false;
            kn->out_at[i] = r;
            kn->n_alive--;
        }
    free(out);
    free(mean);
}

unsigned kn_last(const struct kn *kn)
{
    double last = kn->n0;
    for (size_t i = 0; i < kn->k; i++)
        for (size_t l = 0; l < i; l++)
            if (kn->alive[i] && kn->alive[l])
                last = fmax(last, floor(kn->h2 * kn->s2[i * kn->k + l] / (kn->delta * kn->delta)) + 1);
    return last < 1e9 ? (unsigned)last : 1000000000u;
}

bool kn_done(const struct kn *kn)
{
    return kn->n_alive <= 1 || kn->r >= kn_last(kn);
}

unsigned kn_next(const struct kn *kn)
{
    unsigned next = kn->r + (kn->r + 1) / 2, last = kn_last(kn);
    return next < last ? next : last;
}

size_t kn_best(const struct kn *kn, const double *const *x)
{
    size_t best = SIZE_MAX;
    double at = 0;
    for (size_t i = 0; i < kn->k; i++) {
        if (!kn->alive[i])
            continue;
        double m = mean_of(x[i], kn->r);
        if (best == SIZE_MAX || (kn->maximise ? m > at : m < at))
            best = i, at = m;
    }
    return best;
}
