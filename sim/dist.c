/* dist: the distributions of scenario files ("lognormal(8.5,0.4)"), parsed
 * once into the native parameters of GSL's samplers so that sampling in the
 * simulation's hot loop is a switch and one GSL call, with no allocation
 * (inline in dist.h for the kinds the hot loop draws most).
 * Every distribution describes a time or a weight, so every support must lie
 * in [0, inf): the parser rejects anything that could draw a negative value.
 *
 * Layout of struct dist.p[] by kind, and the conversions from the text form:
 *   fixed(x)                 p = {x}
 *   uniform(a,b)             p = {a, b}
 *   exponential(mean)        p = {mean}                 gsl_ran_exponential(r, mean)
 *   lognormal(mean,cv)       p = {zeta, sigma, mean}    gsl_ran_lognormal(r, zeta, sigma)
 *       sigma^2 = ln(1 + cv^2), zeta = ln(mean) - sigma^2 / 2, so that
 *       E = exp(zeta + sigma^2/2) = mean and sd/E = sqrt(exp(sigma^2) - 1) = cv
 *   gamma(mean,cv)           p = {k, theta, mean}       gsl_ran_gamma(r, k, theta)
 *       k = 1 / cv^2, theta = mean * cv^2, so that E = k theta = mean and
 *       sd/E = 1 / sqrt(k) = cv
 *   triangular(min,mode,max) p = {min, mode, max}       inverse CDF of a uniform
 *   weibull(scale,shape)     p = {scale, shape, mean}   gsl_ran_weibull(r, scale, shape)
 *       mean = scale * Gamma(1 + 1/shape)
 * A lognormal or gamma with cv = 0 is stored as fixed(mean). */
#include "railmail/dist.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "railmail/num.h"
#include "railmail/stream.h"

/* What the parser knows of each kind; `rule` completes "expected NAME(SIG)
 * with ...". */
struct kind_info {
    const char *name;
    enum dist_kind kind;
    int nparam;
    const char *param[3];
    const char *sig;
    const char *rule;
};

#define NONNEG ", since times and weights cannot be negative"

static const struct kind_info kinds[] = {
    {"fixed", DIST_FIXED, 1, {"x"}, "x", "x >= 0" NONNEG},
    {"uniform", DIST_UNIFORM, 2, {"a", "b"}, "a,b", "0 <= a <= b" NONNEG},
    {"exponential", DIST_EXPONENTIAL, 1, {"mean"}, "mean", "mean > 0"},
    {"lognormal", DIST_LOGNORMAL, 2, {"mean", "cv"}, "mean,cv", "mean > 0 and cv >= 0"},
    {"gamma", DIST_GAMMA, 2, {"mean", "cv"}, "mean,cv", "mean > 0 and cv >= 0"},
    {"triangular", DIST_TRIANGULAR, 3, {"min", "mode", "max"}, "min,mode,max",
     "0 <= min <= mode <= max and min < max" NONNEG},
    {"weibull", DIST_WEIBULL, 2, {"scale", "shape"}, "scale,shape", "scale > 0 and shape > 0"},
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

static const char any_dist[] =
    "expected a distribution: fixed(x), uniform(a,b), exponential(mean), "
    "lognormal(mean,cv), gamma(mean,cv), triangular(min,mode,max) or weibull(scale,shape)";

/* Writes the reason into the caller's buffer (which may be NULL or empty)
 * and returns false, so that parse steps can `return fail(...)`. */
static bool fail(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return false;
}

static const char *skip_space(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* Parses the number in [begin, end), spaces around it allowed, by the
 * rules of num_parse (decimal only: no hex, inf or nan). */
static bool parse_number(const char *begin, const char *end, char decimal_mark, double *out)
{
    begin = skip_space(begin);
    while (end > begin && isspace((unsigned char)end[-1]))
        end--;
    return num_parse(begin, (size_t)(end - begin), decimal_mark, out);
}

/* Weibull moments need Gamma(1 + j/shape); GSL's gamma overflows (and calls
 * its error handler) from GSL_SF_GAMMA_XMAX on, so we refuse those shapes. */
static bool gamma_fn(double x, double *out)
{
    if (!(x < GSL_SF_GAMMA_XMAX))
        return false;
    *out = gsl_sf_gamma(x);
    return true;
}

/* Turns validated text parameters v[] into the native form, or returns
 * false when they break the kind's rule.  `*huge` reports parameters that
 * satisfy the rule but overflow a double on conversion. */
static bool convert(const struct kind_info *k, const double *v, struct dist *d, bool *huge)
{
    *huge = false;
    d->kind = k->kind;
    d->p[0] = d->p[1] = d->p[2] = 0;
    switch (k->kind) {
    case DIST_FIXED:
        if (!(v[0] >= 0))
            return false;
        *d = dist_fixed(v[0]);
        return true;
    case DIST_UNIFORM:
        if (!(0 <= v[0] && v[0] <= v[1]))
            return false;
        d->p[0] = v[0] + 0.0;  /* + 0.0 turns -0 into 0 */
        d->p[1] = v[1] + 0.0;
        return true;
    case DIST_EXPONENTIAL:
        if (!(v[0] > 0))
            return false;
        d->p[0] = v[0];
        return true;
    case DIST_LOGNORMAL:
    case DIST_GAMMA: {
        double mean = v[0], cv = v[1], cv2 = cv * cv;
        if (!(mean > 0 && cv >= 0))
            return false;
        /* cv^2 underflowing to 0 is cv = 0 for every purpose. */
        if (cv2 == 0) {
            *d = dist_fixed(mean);
            return true;
        }
        *huge = !isfinite(cv2) || !isfinite(mean * cv);
        if (*huge)
            return false;
        if (k->kind == DIST_LOGNORMAL) {
            double s2 = log1p(cv2);
            d->p[0] = log(mean) - s2 / 2;
            d->p[1] = sqrt(s2);
        } else {
            d->p[0] = 1 / cv2;
            d->p[1] = mean * cv2;
            if (isinf(d->p[0])) {  /* cv^2 subnormal: again cv = 0 */
                *d = dist_fixed(mean);
                return true;
            }
            *huge = isinf(d->p[1]);
        }
        d->p[2] = mean;
        return !*huge;
    }
    case DIST_TRIANGULAR:
        if (!(0 <= v[0] && v[0] <= v[1] && v[1] <= v[2] && v[0] < v[2]))
            return false;
        for (int i = 0; i < 3; i++)
            d->p[i] = v[i] + 0.0;
        return true;
    case DIST_WEIBULL: {
        double g1, g2;
        if (!(v[0] > 0 && v[1] > 0))
            return false;
        d->p[0] = v[0];
        d->p[1] = v[1];
        /* The variance needs Gamma(1 + 2/shape): require it finite too. */
        *huge = !gamma_fn(1 + 1 / v[1], &g1) || !gamma_fn(1 + 2 / v[1], &g2);
        if (!*huge) {
            d->p[2] = v[0] * g1;
            *huge = !isfinite(d->p[2]) || !isfinite(v[0] * g2 * v[0]);
        }
        return !*huge;
    }
    }
    assert(!"unknown distribution kind");
    return false;
}

/* `text` with `sep` for each ',' that separates arguments (inside
 * parentheses or in a bare signature such as "mean,cv"), for messages about
 * a file whose arguments are separated by ';'. */
static const char *with_sep(const char *text, char sep, char *buf, size_t len)
{
    size_t n = strlen(text);
    if (n >= len)
        n = len - 1;
    int depth = strchr(text, '(') ? 0 : 1;
    for (size_t i = 0; i < n; i++) {
        depth += (text[i] == '(') - (text[i] == ')');
        buf[i] = text[i] == ',' && depth > 0 ? sep : text[i];
    }
    buf[n] = '\0';
    return buf;
}

bool dist_parse(const char *text, struct dist *out, char *why, size_t why_len)
{
    return dist_parse_sep(text, ',', out, why, why_len);
}

bool dist_parse_sep(const char *text, char sep, struct dist *out, char *why, size_t why_len)
{
    assert(text && out && (sep == ',' || sep == ';'));
    char mark = sep == ';' ? ',' : '.';
    char sigbuf[32], anybuf[sizeof any_dist];
    const char *s = skip_space(text);
    const char *name = s;
    while (isalpha((unsigned char)*s))
        s++;
    const struct kind_info *k = NULL;
    for (size_t i = 0; i < NKINDS && !k; i++)
        if (strlen(kinds[i].name) == (size_t)(s - name) && !memcmp(kinds[i].name, name, s - name))
            k = &kinds[i];
    if (!k)
        return fail(why, why_len, "%s", with_sep(any_dist, sep, anybuf, sizeof anybuf));
    const char *sig = with_sep(k->sig, sep, sigbuf, sizeof sigbuf);

    s = skip_space(s);
    if (*s != '(')
        return fail(why, why_len, "expected \"(\" after %s, as in %s(%s)", k->name, k->name, sig);
    const char *open = s + 1, *close = strchr(open, ')');
    if (!close)
        return fail(why, why_len, "expected \")\" to close %s(%s)", k->name, sig);
    const char *rest = skip_space(close + 1);
    if (*rest)
        return fail(why, why_len, "expected nothing after \")\" in %s(%s), found \"%s\"", k->name,
                    sig, rest);

    int n = 1;
    for (const char *c = open; c < close; c++)
        n += *c == sep;
    if (n != k->nparam)
        return fail(why, why_len, "expected %s(%s) with %d number%s, found %d", k->name, sig,
                    k->nparam, k->nparam == 1 ? "" : "s", n);

    double v[3];
    const char *tok = open;
    for (int i = 0; i < n; i++) {
        const char *end = tok;
        while (end < close && *end != sep)
            end++;
        if (!parse_number(tok, end, mark, &v[i])) {
            const char *b = skip_space(tok);
            const char *e = end;
            while (e > b && isspace((unsigned char)e[-1]))
                e--;
            return fail(why, why_len, "expected a finite number for %s in %s(%s), found \"%.*s\"",
                        k->param[i], k->name, sig, (int)(e - b), b);
        }
        tok = end + 1;
    }

    /* zeroed whole, padding and unused parameters too: compare tells
     * whether two arms post the same mail by comparing the bytes */
    struct dist d;
    memset(&d, 0, sizeof d);
    bool huge;
    if (!convert(k, v, &d, &huge)) {
        if (huge)
            return fail(why, why_len,
                        "expected %s(%s) with a finite mean and variance, but these "
                        "parameters overflow a double", k->name, sig);
        return fail(why, why_len, "expected %s(%s) with %s", k->name, sig, k->rule);
    }
    memcpy(out, &d, sizeof d);
    return true;
}

struct dist dist_fixed(double x)
{
    struct dist d = {DIST_FIXED, {x + 0.0, 0, 0}};
    return d;
}

/* dist_sample's kinds that are not inline; exponential and triangular
 * draw their uniform as GSL's gsl_rng_uniform would (the same value),
 * inline for a stream. */
double dist_sample_other(const struct dist *d, gsl_rng *r)
{
    const double *p = d->p;
    switch (d->kind) {
    case DIST_FIXED:
    case DIST_LOGNORMAL:
        return dist_sample(d, r);  /* inline in dist.h */
    case DIST_UNIFORM:
        return gsl_ran_flat(r, p[0], p[1]);
    case DIST_EXPONENTIAL:
        /* gsl_ran_exponential(r, p[0]) as GSL computes it */
        return -p[0] * log1p(-stream_uniform(r));
    case DIST_GAMMA:
        return gsl_ran_gamma(r, p[0], p[1]);
    case DIST_TRIANGULAR: {
        /* Inverse CDF: F(mode) = (mode-min)/(max-min); compared without a
         * division.  u < 1, so mode = max never takes the second branch and
         * mode = min never takes the first. */
        double a = p[0], c = p[1], b = p[2], u = stream_uniform(r);
        if (u * (b - a) < c - a)
            return a + sqrt(u * (b - a) * (c - a));
        return b - sqrt((1 - u) * (b - a) * (b - c));
    }
    case DIST_WEIBULL:
        return gsl_ran_weibull(r, p[0], p[1]);
    }
    assert(!"unknown distribution kind");
    return 0;
}

double dist_mean(const struct dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case DIST_FIXED:
    case DIST_EXPONENTIAL:
        return p[0];
    case DIST_UNIFORM:
        return p[0] / 2 + p[1] / 2;  /* halves first: no overflow */
    case DIST_LOGNORMAL:
    case DIST_GAMMA:
    case DIST_WEIBULL:
        return p[2];
    case DIST_TRIANGULAR:
        return p[0] / 3 + p[1] / 3 + p[2] / 3;
    }
    assert(!"unknown distribution kind");
    return 0;
}

double dist_sd(const struct dist *d)
{
    const double *p = d->p;
    switch (d->kind) {
    case DIST_FIXED:
        return 0;
    case DIST_UNIFORM:
        return (p[1] - p[0]) / sqrt(12);
    case DIST_EXPONENTIAL:
        return p[0];
    case DIST_LOGNORMAL:
        return p[2] * sqrt(expm1(p[1] * p[1]));
    case DIST_GAMMA:
        return p[2] / sqrt(p[0]);
    case DIST_TRIANGULAR: {
        double a = p[0], c = p[1], b = p[2];
        return sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18);
    }
    case DIST_WEIBULL: {
        double g1 = gsl_sf_gamma(1 + 1 / p[1]), g2 = gsl_sf_gamma(1 + 2 / p[1]);
        return p[0] * sqrt(fmax(0, g2 - g1 * g1));
    }
    }
    assert(!"unknown distribution kind");
    return 0;
}

double dist_min(const struct dist *d)
{
    switch (d->kind) {
    case DIST_FIXED:
    case DIST_UNIFORM:
    case DIST_TRIANGULAR:
        return d->p[0];
    case DIST_EXPONENTIAL:
    case DIST_LOGNORMAL:
    case DIST_GAMMA:
    case DIST_WEIBULL:
        return 0;
    }
    assert(!"unknown distribution kind");
    return 0;
}

/* %.15g rather than %g: fifteen significant digits reproduce any decimal a
 * planner typed (up to 15 digits) exactly, where %g's six would silently
 * round 12.3456789 to 12.3457, and they hide the last-bit noise of the
 * cv -> sigma -> cv round trip. */
int dist_format(const struct dist *d, char *buf, size_t len)
{
    const double *p = d->p;
    switch (d->kind) {
    case DIST_FIXED:
        return snprintf(buf, len, "fixed(%.15g)", p[0]);
    case DIST_UNIFORM:
        return snprintf(buf, len, "uniform(%.15g,%.15g)", p[0], p[1]);
    case DIST_EXPONENTIAL:
        return snprintf(buf, len, "exponential(%.15g)", p[0]);
    case DIST_LOGNORMAL:
        return snprintf(buf, len, "lognormal(%.15g,%.15g)", p[2], sqrt(expm1(p[1] * p[1])));
    case DIST_GAMMA:
        return snprintf(buf, len, "gamma(%.15g,%.15g)", p[2], 1 / sqrt(p[0]));
    case DIST_TRIANGULAR:
        return snprintf(buf, len, "triangular(%.15g,%.15g,%.15g)", p[0], p[1], p[2]);
    case DIST_WEIBULL:
        return snprintf(buf, len, "weibull(%.15g,%.15g)", p[0], p[1]);
    }
    assert(!"unknown distribution kind");
    return snprintf(buf, len, "?");
}
