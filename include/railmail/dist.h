#ifndef RAILMAIL_DIST_H
#define RAILMAIL_DIST_H
/* Probability distributions as written in scenario files, e.g.
 * "lognormal(8.5,0.4)", parsed once into GSL's native parameters and
 * sampled with GSL. */
#include <stdbool.h>
#include <stddef.h>
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
    double p[3];  /* native parameters of the kind, see dist.c */
};

/* Parses `text` (surrounding spaces allowed). On failure returns false and
 * writes into `why` what was expected, e.g. "lognormal takes (mean,cv) with
 * mean > 0 and cv >= 0"; the caller adds the position and the text found. */
bool dist_parse(const char *text, struct dist *out, char *why, size_t why_len);

double dist_sample(const struct dist *d, gsl_rng *r);
double dist_mean(const struct dist *d);
double dist_min(const struct dist *d);  /* lower end of the support */
struct dist dist_fixed(double x);
/* Writes the text form back, e.g. "gamma(12,0.5)"; returns snprintf's count. */
int dist_format(const struct dist *d, char *buf, size_t len);
#endif /* RAILMAIL_DIST_H */
