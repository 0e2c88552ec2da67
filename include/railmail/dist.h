#ifndef RAILMAIL_DIST_H
#define RAILMAIL_DIST_H
/* Probability distributions as written in scenario files, e.g.
 * "lognormal(8.5,0.4)", parsed once into GSL's native parameters and
 * sampled with GSL. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

enum dist_kind {
    DIST_FIXED,        /* fixed(x) */
    DIST_UNIFORM,      /* uniform(a,b) */
    DIST_EXPONENTIAL,  /* exponential(mean) */
    DIST_LOGNORMAL,    /* lognormal(mean,cv) */
    DIST_GAMMA,        /* gamma(mean,cv) */
    DIST_TRIANGULAR,   /* triangular(min,mode,max) */
    DIST_WEIBULL       /* weibull(scale,shape) */
};

struct dist {
    enum dist_kind kind;
    double p[3];  /* native parameters of the kind, see dist.c: build one with
                     dist_parse or dist_fixed rather than by hand */
};

/* Parses `text` (spaces allowed around names, parentheses, commas and
 * numbers; names are lower case). Numbers are decimal, by num_parse's
 * rules with a '.' mark: no hex, inf or nan. Every support must be >= 0,
 * since the values are times and weights. A lognormal or gamma with cv = 0 becomes
 * fixed(mean). On failure returns false, leaves *out unchanged and writes
 * into `why` (which may be NULL when why_len is 0) what was expected, e.g.
 * "expected lognormal(mean,cv) with mean > 0 and cv >= 0"; the caller adds
 * the position and the text found. */
bool dist_parse(const char *text, struct dist *out, char *why, size_t why_len);

/* As dist_parse, with the arguments separated by `sep`: ',' as above, or
 * ';' as in a file whose fields are separated by ';' (a spreadsheet saved
 * in a locale with a decimal comma), where numbers take a decimal comma:
 * "lognormal(8,5;0,4)". Messages show the signature with `sep`. */
bool dist_parse_sep(const char *text, char sep, struct dist *out, char *why, size_t why_len);

/* One draw; no allocation, safe to call from many threads with their own
 * r. The kinds the hot loop draws most (fixed dwells, lognormal weights)
 * are inline below, the others out of line in dist_sample_other. */
double dist_sample_other(const struct dist *d, gsl_rng *r);
static inline double dist_sample(const struct dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case DIST_FIXED:
        return d->p[0];
    case DIST_LOGNORMAL:
        /* exp of a normal, as gsl_ran_lognormal, but with GSL's ziggurat
         * normal: dwells and weights are drawn in the hot loop */
        return exp(d->p[0] + d->p[1] * gsl_ran_gaussian_ziggurat(r, 1.0));
    default:
        return dist_sample_other(d, r);
    }
}
double dist_mean(const struct dist *d);
double dist_min(const struct dist *d);  /* lower end of the support */
double dist_sd(const struct dist *d);   /* standard deviation, exact */
struct dist dist_fixed(double x);
/* Writes the text form back, e.g. "gamma(12,0.5)", numbers with %.15g so
 * that what a planner typed comes back unchanged; returns snprintf's count. */
int dist_format(const struct dist *d, char *buf, size_t len);
#endif /* RAILMAIL_DIST_H */
