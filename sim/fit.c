/* fit: the maximum-likelihood fits calibrate needs and the two-sample
 * Kolmogorov-Smirnov test. The lognormal, the family most legs are fitted
 * in, has a closed form; the other families' likelihoods are maximised
 * with GSL's Nelder-Mead simplex over unconstrained (log) parameters. */
#include "railmail/fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_statistics_double.h>

enum dist_kind fit_family(enum dist_kind kind)
{
    return kind == DIST_FIXED || kind == DIST_EXPONENTIAL ? DIST_LOGNORMAL : kind;
}

double fit_mean(const struct fit_params *p)
{
    switch (p->kind) {
    case DIST_WEIBULL:
        return p->q[0] * gsl_sf_gamma(1 + 1 / p->q[1]);
    case DIST_UNIFORM:
        return (p->q[0] + p->q[1]) / 2;
    case DIST_TRIANGULAR:
        return (p->q[0] + p->q[1] + p->q[2]) / 3;
    default:  /* lognormal and gamma: (mean, cv) */
        return p->q[0];
    }
}

struct fit_params fit_scale(const struct fit_params *p, double f)
{
    struct fit_params s = *p;
    switch (p->kind) {
    case DIST_UNIFORM:
    case DIST_TRIANGULAR:
        for (int i = 0; i < 3; i++)
            s.q[i] *= f;
        break;
    default:  /* the first parameter is the scale, the second the shape */
        s.q[0] *= f;
    }
    return s;
}

int fit_format(const struct fit_params *p, char *buf, size_t len)
{
    switch (p->kind) {
    case DIST_GAMMA:
        return snprintf(buf, len, "gamma(%.4g,%.3g)", p->q[0], p->q[1]);
    case DIST_WEIBULL:
        return snprintf(buf, len, "weibull(%.4g,%.3g)", p->q[0], p->q[1]);
    case DIST_UNIFORM:
        return snprintf(buf, len, "uniform(%.4g,%.4g)", p->q[0], p->q[1]);
    case DIST_TRIANGULAR:
        return snprintf(buf, len, "triangular(%.4g,%.4g,%.4g)", p->q[0], p->q[1], p->q[2]);
    default:
        if (p->q[1] == 0)
            return snprintf(buf, len, "fixed(%.4g)", p->q[0]);
        return snprintf(buf, len, "lognormal(%.4g,%.3g)", p->q[0], p->q[1]);
    }
}

/* The cv of a Weibull of this shape. */
static double weibull_cv(double k)
{
    double g1 = gsl_sf_gamma(1 + 1 / k), g2 = gsl_sf_gamma(1 + 2 / k);
    return sqrt(fmax(g2 / (g1 * g1) - 1, 0));
}

struct fit_params fit_moments(const struct dist *current, double mean, double var)
{
    double sd = sqrt(fmax(var, 0));
    struct fit_params p = { fit_family(current->kind), { mean, sd / mean, 0 } };
    switch (p.kind) {
    case DIST_WEIBULL: {  /* the cv falls as the shape grows: bisection on log shape */
        double lo = log(0.2), hi = log(200), cv = sd / mean;
        for (int i = 0; i < 100; i++) {
            double mid = (lo + hi) / 2;
            if (weibull_cv(exp(mid)) > cv)
                lo = mid;
            else
                hi = mid;
        }
        double k = exp((lo + hi) / 2);
        p.q[0] = mean / gsl_sf_gamma(1 + 1 / k), p.q[1] = k;
        break;
    }
    case DIST_UNIFORM:  /* sd = (b - a) / sqrt(12) */
        p.q[0] = fmax(mean - sqrt(3) * sd, 0), p.q[1] = mean + sqrt(3) * sd;
        break;
    case DIST_TRIANGULAR: {
        const double *c = current->p;
        double mu = (c[0] + c[1] + c[2]) / 3, sdc = dist_sd(current), f = sdc > 0 ? sd / sdc : 0;
        for (int i = 0; i < 3; i++)
            p.q[i] = fmax(mean + (c[i] - mu) * f, 0);
        if (!(p.q[2] > p.q[0]))  /* no spread to keep: a symmetric one */
            p.q[0] = fmax(mean - sqrt(6) * sd, 0), p.q[1] = mean, p.q[2] = mean + sqrt(6) * sd + 1e-9 * mean;
        break;
    }
    default:
        break;
    }
    return p;
}

/* z of a two-sided interval at `confidence`. */
static double z_of(double confidence)
{
    return gsl_cdf_ugaussian_Qinv((1 - confidence) / 2);
}

/* Closed form: mu and sigma^2 of the logs; the mean exp(mu + s2/2) and its
 * interval by Cox's method, whose variance of log mean is s2/n + s2^2/(2(n-1)). */
static void fit_lognormal(const double *x, size_t n, double confidence, double current_mean, struct fit_result *out)
{
    double mu = 0, s2 = 0;
    for (size_t i = 0; i < n; i++)
        mu += log(x[i]);
    mu /= (double)n;
    for (size_t i = 0; i < n; i++)
        s2 += (log(x[i]) - mu) * (log(x[i]) - mu);
    double s2_mle = s2 / (double)n, s2_unb = s2 / (double)(n - 1);
    double log_mean = mu + s2_mle / 2;
    double se = sqrt(s2_unb / (double)n + s2_unb * s2_unb / (2.0 * (double)(n - 1)));
    double z = z_of(confidence);
    /* Times are recorded to some resolution (railmail's to 3.6 s): a spread
     * below 0.01% of the mean is none, and no difference is found below it. */
    if (sqrt(s2_mle) < 1e-4)
        s2_mle = 0;
    se = fmax(se, 1e-4);
    out->params = (struct fit_params){ DIST_LOGNORMAL, { exp(log_mean), sqrt(expm1(s2_mle)), 0 } };
    out->mean = exp(log_mean);
    out->ci_low = exp(log_mean - z * se);
    out->ci_high = exp(log_mean + z * se);
    out->p_value = 2 * gsl_cdf_ugaussian_Q(fabs(log(current_mean) - log_mean) / se);
}

/* The data and family whose negative log-likelihood the simplex minimises. */
struct nll_data {
    enum dist_kind kind;
    const double *x;
    size_t n;
    double lo, hi;  /* the sample's extremes (triangular) */
};

/* Triangular parameters from unconstrained v: the minimum below the
 * sample's, the maximum above it, the mode between them. */
static void triangular_of(const struct nll_data *dd, const gsl_vector *v, double q[3])
{
    q[0] = dd->lo - exp(gsl_vector_get(v, 0));
    q[2] = dd->hi + exp(gsl_vector_get(v, 1));
    double share = 1 / (1 + exp(-gsl_vector_get(v, 2)));
    q[1] = q[0] + share * (q[2] - q[0]);
}

static double triangular_pdf(double x, const double q[3])
{
    if (x < q[0] || x > q[2])
        return 0;
    if (x < q[1])
        return 2 * (x - q[0]) / ((q[2] - q[0]) * (q[1] - q[0]));
    return 2 * (q[2] - x) / ((q[2] - q[0]) * (q[2] - q[1]));
}

static double nll(const gsl_vector *v, void *arg)
{
    const struct nll_data *dd = arg;
    double a = exp(gsl_vector_get(v, 0)), b = exp(gsl_vector_get(v, 1)), q[3], sum = 0;
    if (dd->kind == DIST_TRIANGULAR)
        triangular_of(dd, v, q);
    for (size_t i = 0; i < dd->n; i++) {
        double pdf = dd->kind == DIST_GAMMA ? gsl_ran_gamma_pdf(dd->x[i], a, b)       /* shape, scale */
                     : dd->kind == DIST_WEIBULL ? gsl_ran_weibull_pdf(dd->x[i], a, b)  /* scale, shape */
                                                : triangular_pdf(dd->x[i], q);
        sum -= log(pdf > 0 ? pdf : 1e-300);
    }
    return sum;
}

/* Nelder-Mead from `start` (dim values); the minimum's point in `start`. */
static bool minimise(struct nll_data *dd, double *start, size_t dim)
{
    gsl_multimin_function f = { nll, dim, dd };
    gsl_vector *x = gsl_vector_alloc(dim), *step = gsl_vector_alloc(dim);
    gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, dim);
    bool ok = false;
    if (x && step && m) {
        for (size_t i = 0; i < dim; i++)
            gsl_vector_set(x, i, start[i]), gsl_vector_set(step, i, 0.5);
        int st = gsl_multimin_fminimizer_set(m, &f, x, step);
        for (int it = 0; st == GSL_SUCCESS && it < 2000; it++) {
            if ((st = gsl_multimin_fminimizer_iterate(m)) != GSL_SUCCESS)
                break;
            st = gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), 1e-7);
            if (st == GSL_SUCCESS) {
                ok = true;
                break;
            }
            st = GSL_SUCCESS;  /* GSL_CONTINUE: go on */
        }
        for (size_t i = 0; ok && i < dim; i++)
            start[i] = gsl_vector_get(m->x, i);
    }
    gsl_multimin_fminimizer_free(m);
    gsl_vector_free(x);
    gsl_vector_free(step);
    return ok;
}

/* The families other than the lognormal: their MLE parameters, the mean's
 * interval from the sample mean's standard error. */
static bool fit_other(enum dist_kind kind, const double *x, size_t n, double confidence, double current_mean,
                      struct fit_result *out)
{
    double mean = gsl_stats_mean(x, 1, n), sd = gsl_stats_sd_m(x, 1, n, mean);
    double lo = gsl_stats_min(x, 1, n), hi = gsl_stats_max(x, 1, n);
    double cv = sd > 0 ? sd / mean : 1e-3;
    struct nll_data dd = { kind, x, n, lo, hi };
    struct fit_params p = { kind, { 0, 0, 0 } };
    if (kind == DIST_UNIFORM) {  /* the likelihood is largest at the sample's extremes */
        p.q[0] = lo, p.q[1] = hi;
    } else if (kind == DIST_GAMMA) {
        double v[2] = { log(1 / (cv * cv)), log(mean * cv * cv) };
        if (!minimise(&dd, v, 2))
            return false;
        double shape = exp(v[0]), scale = exp(v[1]);
        p.q[0] = shape * scale, p.q[1] = 1 / sqrt(shape);
    } else if (kind == DIST_WEIBULL) {
        double shape = 1.2 / cv;  /* near the moments' shape for cv below 1 */
        double v[2] = { log(mean / gsl_sf_gamma(1 + 1 / shape)), log(shape) };
        if (!minimise(&dd, v, 2))
            return false;
        p.q[0] = exp(v[0]), p.q[1] = exp(v[1]);
    } else {  /* triangular */
        double span = hi > lo ? hi - lo : mean * 0.01;
        double v[3] = { log(span * 0.05), log(span * 0.05), 0 };
        if (!minimise(&dd, v, 3))
            return false;
        gsl_vector_view vv = gsl_vector_view_array(v, 3);
        triangular_of(&dd, &vv.vector, p.q);
    }
    double se = sd / sqrt((double)n), z = z_of(confidence);
    out->params = p;
    out->mean = fit_mean(&p);
    out->ci_low = out->mean - z * se;
    out->ci_high = out->mean + z * se;
    out->p_value = se > 0 ? 2 * gsl_cdf_ugaussian_Q(fabs(current_mean - out->mean) / se) : 0;
    return true;
}

bool fit_values(enum dist_kind kind, const double *x, size_t n, double confidence, double current_mean,
                struct fit_result *out)
{
    if (n < 2)
        return false;
    out->n = n;
    kind = fit_family(kind);
    if (kind == DIST_LOGNORMAL) {
        fit_lognormal(x, n, confidence, current_mean, out);
        return true;
    }
    return fit_other(kind, x, n, confidence, current_mean, out);
}

double fit_kolmogorov_q(double lambda)
{
    if (lambda <= 0)
        return 1;
    if (lambda < 1.18) {  /* the series below converges slowly here: Jacobi's dual form */
        double y = exp(-M_PI * M_PI / (8 * lambda * lambda)), sum = 0;
        for (int k = 1; k <= 9; k += 2)
            sum += pow(y, (double)(k * k));
        return 1 - sqrt(2 * M_PI) / lambda * sum;
    }
    double sum = 0, sign = 1;
    for (int k = 1; k <= 100; k++, sign = -sign) {
        double term = exp(-2.0 * k * k * lambda * lambda);
        sum += sign * term;
        if (term < 1e-16)
            break;
    }
    double q = 2 * sum;
    return q < 0 ? 0 : q > 1 ? 1 : q;
}

void fit_ks2(const double *x, size_t nx, const double *y, size_t ny, double *d, double *p)
{
    size_t i = 0, j = 0;
    double best = 0;
    while (i < nx && j < ny) {
        double v = x[i] < y[j] ? x[i] : y[j];
        while (i < nx && x[i] <= v)
            i++;
        while (j < ny && y[j] <= v)
            j++;
        double gap = fabs((double)i / (double)nx - (double)j / (double)ny);
        if (gap > best)
            best = gap;
    }
    *d = best;
    double en = sqrt((double)nx * (double)ny / (double)(nx + ny));
    *p = nx && ny ? fit_kolmogorov_q((en + 0.12 + 0.11 / en) * best) : NAN;
}
