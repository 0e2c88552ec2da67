/* Tests for dist: sample moments match the requested ones, malformed text is
 * refused with a reason, and the text form survives a round trip. */
#include "railmail/dist.h"
#include "railmail/stream.h"

#include <criterion/criterion.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <string.h>

static struct dist parse_ok(const char *text)
{
    struct dist d;
    char why[256] = "";
    cr_assert(dist_parse(text, &d, why, sizeof why), "\"%s\" refused: %s", text, why);
    return d;
}

/* Draws 10^6 samples and checks mean and cv against the requested ones.  The
 * mean must lie within 5 standard errors; the sample cv within 1.5% of the
 * requested cv (its standard error is below 0.3% for every case here). */
static void check_moments(const char *text, double mean, double cv)
{
    enum { N = 1000000 };
    struct dist d = parse_ok(text);
    cr_assert_float_eq(dist_mean(&d), mean, 1e-12 * mean, "%s: dist_mean %.17g", text,
                       dist_mean(&d));
    cr_assert_float_eq(dist_sd(&d), mean * cv, 1e-12 * mean + 1e-300, "%s: dist_sd %.17g", text,
                       dist_sd(&d));
    gsl_rng *r = stream_create(20230915, 0, text);
    double lo = dist_min(&d), sum = 0, sumsq = 0, smallest = INFINITY;
    for (int i = 0; i < N; i++) {
        double x = dist_sample(&d, r);
        sum += x - mean;  /* shifted by the mean: no cancellation */
        sumsq += (x - mean) * (x - mean);
        if (x < smallest)
            smallest = x;
    }
    gsl_rng_free(r);
    double m = mean + sum / N, sd = sqrt(fmax(0, sumsq / N - (sum / N) * (sum / N)));
    cr_assert_geq(smallest, lo, "%s: drew %g below the support's minimum %g", text, smallest, lo);
    cr_assert_lt(fabs(m - mean), 5 * mean * cv / sqrt(N) + 1e-12 * mean, "%s: sample mean %.6g, expected %g",
                 text, m, mean);
    cr_assert_lt(fabs(sd / m - cv), 0.015 * cv + 1e-12, "%s: sample cv %.6g, expected %g", text,
                 sd / m, cv);
}

Test(dist, fixed_always_returns_its_value)
{
    struct dist d = parse_ok("fixed(2.385)");
    gsl_rng *r = stream_create(1, 0, "fixed");
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(dist_sample(&d, r), 2.385);
    gsl_rng_free(r);
    check_moments("fixed(2.385)", 2.385, 0);
}

Test(dist, uniform_moments)
{
    /* mean (a+b)/2, sd (b-a)/sqrt(12) */
    check_moments("uniform(1.25,4.5)", 2.875, 3.25 / sqrt(12) / 2.875);
}

Test(dist, exponential_moments)
{
    check_moments("exponential(3.7)", 3.7, 1);
}

Test(dist, lognormal_moments)
{
    check_moments("lognormal(8.5,0.4)", 8.5, 0.4);
    check_moments("lognormal(31.7,1.3)", 31.7, 1.3);
}

Test(dist, gamma_moments)
{
    check_moments("gamma(12.3,0.55)", 12.3, 0.55);
    check_moments("gamma(4.2,1.6)", 4.2, 1.6);  /* shape k < 1: GSL's other branch */
}

Test(dist, triangular_moments)
{
    double a = 0.5, c = 2.25, b = 7.75, mean = (a + b + c) / 3;
    double sd = sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18);
    check_moments("triangular(0.5,2.25,7.75)", mean, sd / mean);
    check_moments("triangular(1.5,1.5,4.25)", (1.5 + 1.5 + 4.25) / 3,
                  sqrt((1.5 * 1.5 + 4.25 * 4.25 + 1.5 * 1.5 - 1.5 * 4.25 - 1.5 * 1.5 - 4.25 * 1.5) / 18)
                      / ((1.5 + 1.5 + 4.25) / 3));
}

Test(dist, triangular_stays_within_its_range)
{
    const char *texts[] = {"triangular(0.5,2.25,7.75)", "triangular(1.5,1.5,4.25)",
                           "triangular(1.5,4.25,4.25)"};
    for (size_t t = 0; t < 3; t++) {
        struct dist d = parse_ok(texts[t]);
        gsl_rng *r = stream_create(3, 0, texts[t]);
        for (int i = 0; i < 100000; i++) {
            double x = dist_sample(&d, r);
            cr_assert(x >= d.p[0] && x <= d.p[2], "%s drew %.17g", texts[t], x);
        }
        gsl_rng_free(r);
    }
}

Test(dist, weibull_moments)
{
    double scale = 6.2, shape = 1.7;
    double g1 = gsl_sf_gamma(1 + 1 / shape), g2 = gsl_sf_gamma(1 + 2 / shape);
    double mean = scale * g1, cv = sqrt(g2 - g1 * g1) / g1;
    check_moments("weibull(6.2,1.7)", mean, cv);
}

Test(dist, cv_zero_degenerates_to_fixed)
{
    struct dist d = parse_ok("lognormal(8.5,0)");
    cr_assert_eq(d.kind, DIST_FIXED);
    cr_assert_eq(d.p[0], 8.5);
    d = parse_ok("gamma( 12.3 , 0.0 )");
    cr_assert_eq(d.kind, DIST_FIXED);
    cr_assert_eq(d.p[0], 12.3);
}

Test(dist, native_parameters_follow_documented_formulas)
{
    struct dist d = parse_ok("lognormal(8.5,0.4)");
    double s2 = log(1 + 0.4 * 0.4);
    cr_assert_float_eq(d.p[1], sqrt(s2), 1e-15);
    cr_assert_float_eq(d.p[0], log(8.5) - s2 / 2, 1e-15);
    d = parse_ok("gamma(12.3,0.55)");
    cr_assert_float_eq(d.p[0], 1 / (0.55 * 0.55), 1e-12);
    cr_assert_float_eq(d.p[1], 12.3 * 0.55 * 0.55, 1e-12);
    d = parse_ok("weibull(6.2,1.7)");
    cr_assert_eq(d.p[0], 6.2);
    cr_assert_eq(d.p[1], 1.7);
}

Test(dist, mean_and_min_are_exact)
{
    struct dist d = parse_ok("lognormal(8.5,0.4)");
    cr_assert_eq(dist_mean(&d), 8.5);
    cr_assert_eq(dist_min(&d), 0);
    d = parse_ok("gamma(12.3,0.55)");
    cr_assert_eq(dist_mean(&d), 12.3);
    d = parse_ok("triangular(0.5,2.25,7.75)");
    cr_assert_float_eq(dist_mean(&d), 3.5, 1e-15);
    cr_assert_eq(dist_min(&d), 0.5);
    d = parse_ok("uniform(1.25,4.5)");
    cr_assert_eq(dist_mean(&d), 2.875);
    cr_assert_eq(dist_min(&d), 1.25);
    d = parse_ok("fixed(2.385)");
    cr_assert_eq(dist_mean(&d), 2.385);
    cr_assert_eq(dist_min(&d), 2.385);
    d = parse_ok("exponential(3.7)");
    cr_assert_eq(dist_mean(&d), 3.7);
    cr_assert_eq(dist_min(&d), 0);
    d = parse_ok("weibull(6.2,1.7)");
    cr_assert_float_eq(dist_mean(&d), 6.2 * gsl_sf_gamma(1 + 1 / 1.7), 1e-14);
    cr_assert_eq(dist_min(&d), 0);
    d = dist_fixed(4.75);
    cr_assert_eq(d.kind, DIST_FIXED);
    cr_assert_eq(dist_mean(&d), 4.75);
}

Test(dist, spaces_around_tokens_are_accepted)
{
    struct dist d = parse_ok("  lognormal ( 8.5 ,\t0.4 )  ");
    cr_assert_eq(d.kind, DIST_LOGNORMAL);
    cr_assert_eq(dist_mean(&d), 8.5);
    d = parse_ok("triangular( 0.5 , 2.25 , 7.75 )");
    cr_assert_eq(d.kind, DIST_TRIANGULAR);
    cr_assert_eq(d.p[1], 2.25);
    d = parse_ok("uniform(0,0)");  /* a = b: a point, still allowed */
    cr_assert_eq(d.kind, DIST_UNIFORM);
    d = parse_ok("fixed(-0)");
    cr_assert_eq(d.p[0], 0);
    cr_assert(!signbit(d.p[0]));
}

struct bad_case {
    const char *text;
    const char *why;  /* the exact reason, or NULL to require only a non-empty one */
};

#define ANY_DIST                                                                              \
    "expected a distribution: fixed(x), uniform(a,b), exponential(mean), lognormal(mean,cv), " \
    "gamma(mean,cv), triangular(min,mode,max) or weibull(scale,shape)"

Test(dist, malformed_text_is_refused_with_a_reason)
{
    static const struct bad_case bad[] = {
        {"", ANY_DIST},
        {"   ", ANY_DIST},
        {"normal(8.5,0.4)", ANY_DIST},
        {"Lognormal(8.5,0.4)", ANY_DIST},
        {"FIXED(2.385)", ANY_DIST},
        {"(2.385)", ANY_DIST},
        {"2.385", ANY_DIST},
        {"fixed", "expected \"(\" after fixed, as in fixed(x)"},
        {"lognormal 8.5,0.4", "expected \"(\" after lognormal, as in lognormal(mean,cv)"},
        {"lognormal8.5,0.4)", NULL},
        {"lognormal(8.5,0.4", "expected \")\" to close lognormal(mean,cv)"},
        {"lognormal(8.5,0.4,1)", "expected lognormal(mean,cv) with 2 numbers, found 3"},
        {"lognormal(8.5)", "expected lognormal(mean,cv) with 2 numbers, found 1"},
        {"triangular(0.5,7.75)", "expected triangular(min,mode,max) with 3 numbers, found 2"},
        {"fixed(2,385)", "expected fixed(x) with 1 number, found 2"},
        {"exponential(3.7,)", "expected exponential(mean) with 1 number, found 2"},
        {"fixed()", "expected a finite number for x in fixed(x), found \"\""},
        {"uniform(1.25, )", "expected a finite number for b in uniform(a,b), found \"\""},
        {"uniform(,4.5)", "expected a finite number for a in uniform(a,b), found \"\""},
        {"fixed(abc)", "expected a finite number for x in fixed(x), found \"abc\""},
        {"fixed(2.385x)", "expected a finite number for x in fixed(x), found \"2.385x\""},
        {"fixed(2 385)", "expected a finite number for x in fixed(x), found \"2 385\""},
        {"uniform(1.25;4.5)", NULL},
        {"fixed(nan)", "expected a finite number for x in fixed(x), found \"nan\""},
        {"fixed(NAN)", NULL},
        {"fixed(nan(1))", NULL},
        {"exponential(inf)", "expected a finite number for mean in exponential(mean), found \"inf\""},
        {"exponential(-infinity)", NULL},
        {"fixed(1e999)", "expected a finite number for x in fixed(x), found \"1e999\""},
        {"gamma(-1e999,0.5)", NULL},
        {"fixed(-2.385)", "expected fixed(x) with x >= 0, since times and weights cannot be negative"},
        {"uniform(4.5,1.25)",
         "expected uniform(a,b) with 0 <= a <= b, since times and weights cannot be negative"},
        {"uniform(-1.25,4.5)", NULL},
        {"exponential(0)", "expected exponential(mean) with mean > 0"},
        {"exponential(-3.7)", "expected exponential(mean) with mean > 0"},
        {"lognormal(-8.5,0.4)", "expected lognormal(mean,cv) with mean > 0 and cv >= 0"},
        {"lognormal(0,0.4)", "expected lognormal(mean,cv) with mean > 0 and cv >= 0"},
        {"lognormal(8.5,-0.4)", "expected lognormal(mean,cv) with mean > 0 and cv >= 0"},
        {"gamma(12.3,-0.55)", "expected gamma(mean,cv) with mean > 0 and cv >= 0"},
        {"gamma(0,0.55)", "expected gamma(mean,cv) with mean > 0 and cv >= 0"},
        {"triangular(5,2.25,7.75)",
         "expected triangular(min,mode,max) with 0 <= min <= mode <= max and min < max, "
         "since times and weights cannot be negative"},
        {"triangular(0.5,8,7.75)", NULL},
        {"triangular(3,3,3)", NULL},
        {"triangular(-0.5,2.25,7.75)", NULL},
        {"weibull(0,1.7)", "expected weibull(scale,shape) with scale > 0 and shape > 0"},
        {"weibull(6.2,0)", "expected weibull(scale,shape) with scale > 0 and shape > 0"},
        {"weibull(-6.2,1.7)", NULL},
        {"weibull(6.2,0.001)",
         "expected weibull(scale,shape) with a finite mean and variance, but these parameters "
         "overflow a double"},
        {"lognormal(8.5,1e200)", NULL},
        {"gamma(1e300,1e10)", NULL},
        {"fixed(2.385) x", "expected nothing after \")\" in fixed(x), found \"x\""},
        {"fixed(2.385))", "expected nothing after \")\" in fixed(x), found \")\""},
        {"fixed(2.385);", NULL},
        {"fixed(2.385)(1)", NULL},
        {"fixed((2.385))", NULL},
        {"fixed(0x)", NULL},
        {"fixed(0x10)", "expected a finite number for x in fixed(x), found \"0x10\""},
        {"uniform(0X1p3,9.5)", "expected a finite number for a in uniform(a,b), found \"0X1p3\""},
        {"fixed(+-2.385)", NULL},
        {"fixed(2.385e)", NULL},
        {"fixed(1,5)", "expected fixed(x) with 1 number, found 2"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct dist d = {DIST_WEIBULL, {-1, -2, -3}};
        char why[512] = "";
        bool ok = dist_parse(bad[i].text, &d, why, sizeof why);
        cr_assert(!ok, "\"%s\" accepted", bad[i].text);
        cr_assert(strncmp(why, "expected ", 9) == 0, "\"%s\": why is \"%s\"", bad[i].text, why);
        if (bad[i].why)
            cr_assert_str_eq(why, bad[i].why, "\"%s\"", bad[i].text);
        cr_assert(d.kind == DIST_WEIBULL && d.p[0] == -1 && d.p[2] == -3,
                  "\"%s\": output changed on failure", bad[i].text);
    }
}

Test(dist, small_or_missing_why_buffer_is_safe)
{
    struct dist d;
    char why[8];
    memset(why, 'x', sizeof why);
    cr_assert(!dist_parse("bogus", &d, why, sizeof why));
    cr_assert_str_eq(why, "expecte");
    cr_assert(!dist_parse("bogus", &d, NULL, 0));
}

Test(dist, format_writes_the_text_form)
{
    static const char *const same[] = {
        "fixed(2.385)", "uniform(1.25,4.5)", "exponential(3.7)", "lognormal(8.5,0.4)",
        "gamma(12.3,0.55)", "triangular(0.5,2.25,7.75)", "weibull(6.2,1.7)",
        "gamma(12.3456789,0.123456789)", "lognormal(31.7,1.3)", "fixed(0)",
    };
    char buf[128];
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        struct dist d = parse_ok(same[i]);
        int n = dist_format(&d, buf, sizeof buf);
        cr_assert_eq(n, (int)strlen(same[i]));
        cr_assert_str_eq(buf, same[i]);
    }
    struct dist d = parse_ok(" lognormal( 8.50 , 0.0 ) ");
    dist_format(&d, buf, sizeof buf);
    cr_assert_str_eq(buf, "fixed(8.5)");
}

Test(dist, parse_format_parse_round_trips)
{
    static const char *const texts[] = {
        "fixed( 1e-3 )", "uniform(0, 1234567.891)", "exponential(0.0001234)",
        "lognormal(123.456,2.5)", "lognormal(0.07,0.01)", "gamma(7.77,3.3)", "gamma(1e6,1e-4)",
        "triangular(0,0,1)", "triangular(2,9,9)", "weibull(0.35,0.45)", "weibull(1e4,12.5)",
    };
    char a[128], b[128];
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        struct dist d1 = parse_ok(texts[i]);
        dist_format(&d1, a, sizeof a);
        struct dist d2 = parse_ok(a);
        dist_format(&d2, b, sizeof b);
        cr_assert_str_eq(a, b, "%s", texts[i]);
        cr_assert_eq(d1.kind, d2.kind);
        for (int j = 0; j < 3; j++)
            cr_assert(fabs(d1.p[j] - d2.p[j]) <= 1e-13 * fabs(d1.p[j]), "%s: p[%d] %.17g vs %.17g",
                      texts[i], j, d1.p[j], d2.p[j]);
    }
}

Test(dist, hex_is_refused_as_in_scenario_cells)
{
    struct dist d;
    char why[256];
    cr_assert_not(dist_parse("fixed(0x10)", &d, why, sizeof why));
    cr_assert_not(dist_parse_sep("fixed(0x10)", ';', &d, why, sizeof why));
    cr_assert_not(dist_parse("exponential(0x1.8p1)", &d, why, sizeof why));
}

Test(dist, semicolon_separates_arguments_and_numbers_take_a_decimal_comma)
{
    struct dist d;
    char why[256] = "";
    cr_assert(dist_parse_sep("lognormal(8,5;0,4)", ';', &d, why, sizeof why), "%s", why);
    struct dist same = parse_ok("lognormal(8.5,0.4)");
    cr_assert_eq(d.kind, DIST_LOGNORMAL);
    for (int j = 0; j < 3; j++)
        cr_assert_eq(d.p[j], same.p[j]);
    cr_assert(dist_parse_sep(" triangular( 0,5 ; 2 ;3,25 ) ", ';', &d, why, sizeof why), "%s", why);
    cr_assert_float_eq(dist_mean(&d), (0.5 + 2 + 3.25) / 3, 1e-12);
    cr_assert(dist_parse_sep("fixed(2,385)", ';', &d, why, sizeof why), "%s", why);
    cr_assert_eq(dist_mean(&d), 2.385);

    cr_assert_not(dist_parse_sep("lognormal(8.5;0.4)", ';', &d, why, sizeof why));
    cr_assert_str_eq(why, "expected a finite number for mean in lognormal(mean;cv), found \"8.5\"");
    cr_assert_not(dist_parse_sep("lognormal(8,5,0,4)", ';', &d, why, sizeof why));
    cr_assert_str_eq(why, "expected lognormal(mean;cv) with 2 numbers, found 1");
    cr_assert_not(dist_parse_sep("triangular(5;2;1)", ';', &d, why, sizeof why));
    cr_assert_str_eq(why, "expected triangular(min;mode;max) with 0 <= min <= mode <= max and "
                          "min < max, since times and weights cannot be negative");
    cr_assert_not(dist_parse_sep("normal(1;2)", ';', &d, why, sizeof why));
    cr_assert_str_eq(why, "expected a distribution: fixed(x), uniform(a;b), exponential(mean), "
                          "lognormal(mean;cv), gamma(mean;cv), triangular(min;mode;max) or "
                          "weibull(scale;shape)");
}
