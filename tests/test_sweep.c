/* sweep: VALUES and targets parsed, and bisection against a linear scan on
 * a made-up monotone metric. */
#include "e2e.h"

#include <stdint.h>

#include "railmail/sweep.h"

/* ---- VALUES --------------------------------------------------------------- */

static void parses(const char *text, size_t n, const char *const *texts)
{
    struct diag *d = diag_create();
    struct sweep_values v;
    cr_assert_eq(sweep_values_parse(text, &v, d), RM_OK, "%s: %s", text, diag_count(d) ? diag_message(d, 0) : "");
    cr_assert_eq(v.n, n, "%s: %zu values", text, v.n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(v.text[i], texts[i], "%s: value %zu", text, i);
        cr_assert_float_eq(v.value[i], strtod(texts[i], NULL), 1e-12);
    }
    sweep_values_fini(&v);
    diag_destroy(d);
}

static void refuses(const char *text, const char *message)
{
    struct diag *d = diag_create();
    struct sweep_values v;
    cr_assert_eq(sweep_values_parse(text, &v, d), RM_EINPUT, "%s: accepted", text);
    cr_assert_eq(diag_count(d), 1);
    cr_assert_str_eq(diag_message(d, 0), message);
    diag_destroy(d);
}

Test(sweep, values_are_a_list_a_whole_range_or_a_stepped_range)
{
    parses("services.CQ-MAL.departures_per_week=1,2,3,5,7", 5, (const char *const[]){ "1", "2", "3", "5", "7" });
    parses("k=2.385, 1.5 ,7", 3, (const char *const[]){ "2.385", "1.5", "7" });
    parses("k=1:7", 7, (const char *const[]){ "1", "2", "3", "4", "5", "6", "7" });
    parses("k=-2:1", 4, (const char *const[]){ "-2", "-1", "0", "1" });
    parses("k=4:4", 1, (const char *const[]){ "4" });
    /* k steps from A, so 0.1 + 2 x 0.1 is 0.3 and B itself is included */
    parses("k=0.1:0.3:0.1", 3, (const char *const[]){ "0.1", "0.2", "0.3" });
    parses("k=0.5:2:0.375", 5, (const char *const[]){ "0.5", "0.875", "1.25", "1.625", "2" });
    parses("k=2.385:10:2.5", 4, (const char *const[]){ "2.385", "4.885", "7.385", "9.885" });
}

Test(sweep, malformed_values_are_refused_with_the_exact_problem)
{
    refuses("k", "--vary: expected KEY=VALUES, e.g. services.CQ-MAL.departures_per_week=1:7, got \"k\"");
    refuses("=1:3", "--vary: expected KEY=VALUES, e.g. services.CQ-MAL.departures_per_week=1:7, got \"=1:3\"");
    refuses("k=", "--vary k: expected VALUES: a list 1,2,5, a range A:B or A:B:STEP, got \"\"");
    refuses("k=1:x", "--vary k: expected a number, got \"x\" in \"1:x\"");
    refuses("k=1:", "--vary k: expected a number, got \"\" in \"1:\"");
    refuses("k=7:1", "--vary k: expected A <= B in the range A:B, got \"7:1\"");
    refuses("k=1.5:3", "--vary k: expected whole numbers in a range A:B (or a step, A:B:STEP), got \"1.5:3\"");
    refuses("k=1:3:0", "--vary k: expected a STEP > 0 in A:B:STEP, got \"1:3:0\"");
    refuses("k=1:3:-1", "--vary k: expected a STEP > 0 in A:B:STEP, got \"1:3:-1\"");
    refuses("k=1:2:3:4", "--vary k: expected a range A:B or A:B:STEP, got \"1:2:3:4\"");
    refuses("k=1,,3", "--vary k: expected a number, got \"\" in \"1,,3\"");
    refuses("k=1,0x10", "--vary k: expected a number, got \"0x10\" in \"1,0x10\"");
    refuses("k=2.385,1,2.385", "--vary k: expected each value once, got 2.385 twice in \"2.385,1,2.385\"");
    refuses("k=1:1001", "--vary k: expected at most 1000 values, got 1001 from \"1:1001\"");
}

/* ---- targets -------------------------------------------------------------- */

Test(sweep, a_target_names_metric_scope_direction_and_threshold)
{
    struct diag *d = diag_create();
    struct sweep_target t;
    cr_assert_eq(sweep_target_parse("on_time_pct@od:CQ-DE>=80", &t, d), RM_OK);
    cr_assert_str_eq(t.metric, "on_time_pct");
    cr_assert_str_eq(t.scope, "od:CQ-DE");
    cr_assert(t.at_least);
    cr_assert_eq(t.threshold, 80);
    sweep_target_fini(&t);
    cr_assert_eq(sweep_target_parse(" transit_p95_d <= 21.385 ", &t, d), RM_OK);
    cr_assert_str_eq(t.metric, "transit_p95_d");
    cr_assert_str_eq(t.scope, "all");
    cr_assert(!t.at_least);
    cr_assert_eq(t.threshold, 21.385);
    sweep_target_fini(&t);
    cr_assert_eq(diag_count(d), 0);
    diag_destroy(d);
}

static void target_refused(const char *text, const char *message)
{
    struct diag *d = diag_create();
    struct sweep_target t;
    cr_assert_eq(sweep_target_parse(text, &t, d), RM_EINPUT, "%s: accepted", text);
    cr_assert(diag_count(d) == 1 && strstr(diag_message(d, 0), message), "%s: got \"%s\"", text,
              diag_count(d) ? diag_message(d, 0) : "");
    diag_destroy(d);
}

Test(sweep, a_bad_target_is_refused_with_the_exact_problem)
{
    target_refused("on_time_pct>80", "--target: expected METRIC@SCOPE>=X or METRIC@SCOPE<=X, e.g. "
                   "'on_time_pct@od:CQ-DE>=80', got \"on_time_pct>80\"");
    target_refused("on_tme_pct>=80", "--target: unknown metric \"on_tme_pct\"; the metrics are posted_batches, ");
    target_refused("on_time_pct@node:BRS>=80",
                   "--target: on_time_pct has no scope \"node:BRS\"; expected all, dest:ID, od:ORIGIN-DEST");
    target_refused("load_pct>=80", "--target: load_pct has no scope \"all\"; expected service:ID");
    target_refused("on_time_pct@od:>=80", "--target: on_time_pct has no scope \"od:\"");
    target_refused("on_time_pct>=eighty", "--target: expected a number after >=, got \"eighty\"");
}

Test(sweep, the_bound_not_the_mean_decides)
{
    struct sweep_target at_least = { .at_least = true, .threshold = 80 }, at_most = { .threshold = 80 };
    struct stats_summary s = { .mean = 81, .ci_low = 79.5, .ci_high = 82.5, .n = 10 };
    cr_assert_eq(sweep_side(&at_least, &s), SWEEP_UNDECIDED);
    cr_assert_eq(sweep_side(&at_most, &s), SWEEP_UNDECIDED);
    s.ci_low = 80;  /* a bound on X counts as on the right side */
    cr_assert_eq(sweep_side(&at_least, &s), SWEEP_MEETS);
    cr_assert_eq(sweep_side(&at_most, &s), SWEEP_UNDECIDED);
    s.ci_low = 80.2;
    cr_assert_eq(sweep_side(&at_most, &s), SWEEP_FAILS);
    s = (struct stats_summary){ .mean = 78.2, .ci_low = 77.1, .ci_high = 79.3, .n = 10 };
    cr_assert_eq(sweep_side(&at_least, &s), SWEEP_FAILS);
    cr_assert_eq(sweep_side(&at_most, &s), SWEEP_MEETS);
    s = (struct stats_summary){ .mean = 81, .ci_low = NAN, .ci_high = NAN, .n = 1 };
    cr_assert_eq(sweep_side(&at_least, &s), SWEEP_UNDECIDED);
}

/* ---- bisection on a made-up metric ------------------------------------------- */

/* mean(i) = 10 + 2.385 i with a half-width of 1.1 at every value. */
struct fake {
    size_t probes, n;
    unsigned char probed[64];
};

static struct stats_summary fake_at(size_t i)
{
    double mean = 10 + 2.385 * (double)i;
    return (struct stats_summary){ mean, 1, mean - 1.1, mean + 1.1, 10 };
}

static enum rm_status fake_probe(void *ctx, size_t i, struct stats_summary *out, struct diag *d)
{
    (void)d;
    struct fake *f = ctx;
    cr_assert_lt(i, f->n);
    cr_assert_eq(f->probed[i], 0, "value %zu probed twice", i);
    f->probed[i] = 1;
    f->probes++;
    *out = fake_at(i);
    return RM_OK;
}

Test(sweep, bisection_finds_what_a_linear_scan_finds_with_fewer_probes)
{
    struct diag *d = diag_create();
    for (size_t n = 1; n <= 40; n++)
        for (double x = 5; x < 10 + 2.385 * (double)n + 5; x += 0.37) {
            struct sweep_target t = { .at_least = true, .threshold = x };
            struct fake f = { .n = n };
            struct sweep_search r;
            cr_assert_eq(sweep_bisect(n, &t, fake_probe, &f, &r, d), RM_OK);
            size_t least = SIZE_MAX;
            for (size_t i = n; i-- > 0;) {
                struct stats_summary s = fake_at(i);
                if (sweep_side(&t, &s) == SWEEP_MEETS)
                    least = i;
            }
            cr_assert_eq(r.answer, least, "n %zu, X %g: answer %zu, scan %zu", n, x, r.answer, least);
            cr_assert_eq(r.evaluated, f.probes);
            cr_assert(!r.reversed);
            if (least == SIZE_MAX) {
                cr_assert_eq(r.outcome, SWEEP_NONE);
                cr_assert_eq(r.closest, n - 1);
                continue;
            }
            /* the ends and about log2(n) halvings */
            size_t log2n = 0;
            while ((1u << log2n) < n + 1)
                log2n++;
            cr_assert_leq(r.evaluated, log2n + 1, "n %zu: %zu probes", n, r.evaluated);
            if (n >= 4)
                cr_assert_lt(r.evaluated, n);
            cr_assert_eq(r.below, least ? least - 1 : SIZE_MAX);
            struct stats_summary below = fake_at(least ? least - 1 : 0);
            bool undecided = least && sweep_side(&t, &below) == SWEEP_UNDECIDED;
            cr_assert_eq(r.outcome, undecided ? SWEEP_BETWEEN : SWEEP_MET, "n %zu, X %g", n, x);
        }
    diag_destroy(d);
}

Test(sweep, a_metric_that_falls_is_searched_with_at_most)
{
    /* <= on a rising metric holds at the low end only: the search notices */
    struct diag *d = diag_create();
    struct sweep_target t = { .at_least = false, .threshold = 14.7 };
    struct fake f = { .n = 9 };
    struct sweep_search r;
    cr_assert_eq(sweep_bisect(9, &t, fake_probe, &f, &r, d), RM_OK);
    cr_assert_eq(r.outcome, SWEEP_MET);
    cr_assert_eq(r.answer, 0);
    cr_assert(r.reversed);
    cr_assert_eq(r.evaluated, 2);
    diag_destroy(d);
}
