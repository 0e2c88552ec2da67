#ifndef RAILMAIL_FIT_H
#define RAILMAIL_FIT_H
/* fit: maximum-likelihood fits of railmail's distribution families to
 * observed times, and the two-sample Kolmogorov-Smirnov test with the
 * asymptotic Kolmogorov distribution (which GSL lacks). */
#include <stdbool.h>
#include <stddef.h>

#include "railmail/dist.h"

/* A fitted distribution in the parameters scenario files spell, e.g.
 * lognormal(mean,cv), gamma(mean,cv), weibull(scale,shape). */
struct fit_params {
    enum dist_kind kind;
    double q[3];
};

struct fit_result {
    struct fit_params params;
    double mean, ci_low, ci_high;  /* the fitted mean and its interval */
    double p_value;                /* of "the mean is `current_mean`", two-sided */
    size_t n;
};

/* The family a leg of family `kind` is fitted in: its own where it has a
 * spread railmail can fit, lognormal for fixed and exponential. */
enum dist_kind fit_family(enum dist_kind kind);

/* Fits fit_family(kind) to the n values x (all > 0, n >= 2) by maximum
 * likelihood: closed form for the lognormal (its mean's interval by Cox's
 * method), uniform's extremes, GSL's Nelder-Mead simplex for gamma,
 * Weibull and triangular (their mean's interval from the sample's, by the
 * central limit theorem). False when the fit fails (GSL's minimiser did
 * not converge). */
bool fit_values(enum dist_kind kind, const double *x, size_t n, double confidence, double current_mean,
                struct fit_result *out);

/* The distribution of family fit_family(current->kind) with this mean and
 * variance (method of moments): lognormal and gamma by (mean, cv), Weibull
 * by the shape whose cv it is, uniform around the mean; a triangular keeps
 * the current one's shape, moved and stretched. Supports are cut at 0. */
struct fit_params fit_moments(const struct dist *current, double mean, double var);

/* The same distribution scaled by f > 0: every family railmail fits is a
 * scale family, so the shape (cv) is kept. */
struct fit_params fit_scale(const struct fit_params *p, double f);
/* The mean of the params' distribution. */
double fit_mean(const struct fit_params *p);
/* The text form, e.g. "lognormal(40.12,0.151)"; snprintf's count. */
int fit_format(const struct fit_params *p, char *buf, size_t len);

/* Q_KS(lambda) = 2 sum (-1)^(k-1) exp(-2 k^2 lambda^2): the probability
 * that the Kolmogorov statistic exceeds lambda. */
double fit_kolmogorov_q(double lambda);
/* Two-sample Kolmogorov-Smirnov: the largest distance between the
 * empirical distribution functions of x and y (both sorted ascending) and
 * its asymptotic p-value (with Stephens' small-sample correction). */
void fit_ks2(const double *x, size_t nx, const double *y, size_t ny, double *d, double *p);
#endif /* RAILMAIL_FIT_H */
