/* stats: histogram quantiles, t intervals across replications, paired
 * t-tests and Holm's correction. */
#include <criterion/criterion.h>

#include <math.h>

#include "railmail/stats.h"

Test(stats, histogram_quantiles_of_a_uniform_spread)
{
    static struct stats_hist h;
    /* 10,000 values evenly over [2.385, 12.385): quantile q = 2.385 + 10 q */
    for (int i = 0; i < 10000; i++)
        stats_hist_add(&h, 2.385 + (i + 0.5) * 10.0 / 10000);
    cr_assert_float_eq(stats_hist_quantile(&h, 0.5), 7.385, 0.011);
    cr_assert_float_eq(stats_hist_quantile(&h, 0.95), 11.885, 0.011);
    cr_assert_float_eq(stats_hist_quantile(&h, 0.01), 2.485, 0.011);
}

Test(stats, histogram_tail_is_coarse_but_bounded)
{
    static struct stats_hist h;
    stats_hist_add(&h, 75.3);
    stats_hist_add(&h, 5000);
    cr_assert_eq(h.n, 2);
    double q = stats_hist_quantile(&h, 0.5);
    cr_assert(q >= 75.0 && q <= 75.5, "got %g", q);
    cr_assert_float_eq(stats_hist_bin_low(STATS_HIST_BINS - 1), STATS_MAX_D - 5, 1e-9);
    cr_assert_float_eq(stats_hist_bin_low(10000), STATS_FINE_D, 1e-9);
    cr_assert_float_eq(stats_hist_bin_low(12000), STATS_COARSE_D, 1e-9);
    static struct stats_hist empty;
    cr_assert(isnan(stats_hist_quantile(&empty, 0.5)));
}

/* Transit times past the old 1,100-day cap used to read as 1,100 days. */
Test(stats, quantiles_beyond_a_thousand_days_are_reported_not_capped)
{
    static struct stats_hist h;
    for (int i = 0; i < 1000; i++)
        stats_hist_add(&h, 1512.0 + i * 0.004);   /* [1512, 1516) */
    double p50 = stats_hist_quantile(&h, 0.5), p95 = stats_hist_quantile(&h, 0.95);
    cr_assert(p50 >= 1510 && p50 <= 1515, "p50 %g", p50);
    cr_assert(p95 >= 1510 && p95 <= 1520 && p95 >= p50, "p95 %g", p95);
    static struct stats_hist far;
    stats_hist_add(&far, 36499.9);
    cr_assert(stats_hist_quantile(&far, 0.5) > 36490);
}

/* The one-pass form gives exactly what one call per quantile gives,
 * quantiles falling in one bin, in empty stretches and in the tail included. */
Test(stats, one_pass_quantiles_equal_the_single_ones)
{
    static struct stats_hist h, empty;
    const double q[] = { 0.001, 0.5, 0.5, 0.9, 0.95, 0.99, 1.0 };
    enum { N = sizeof q / sizeof *q };
    double got[N];
    stats_hist_quantiles(&empty, q, N, got);
    for (int k = 0; k < N; k++)
        cr_assert(isnan(got[k]));
    uint64_t x = 12345;
    for (int i = 0; i < 5000; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        double u = (double)(x >> 11) / 9007199254740992.0;
        stats_hist_add(&h, i % 50 == 0 ? 200 + 3000 * u : 3 + 20 * u * u);
    }
    stats_hist_add(&h, 7.0);  /* one bin holding several quantiles */
    stats_hist_quantiles(&h, q, N, got);
    for (int k = 0; k < N; k++)
        cr_assert_eq(got[k], stats_hist_quantile(&h, q[k]), "q %g: %.17g vs %.17g", q[k], got[k],
                     stats_hist_quantile(&h, q[k]));
}

Test(stats, t_interval_by_hand)
{
    const double x[] = { 12.3, 14.1, 13.7, 12.9, 13.35 };
    struct stats_summary s;
    stats_summarise(x, 1, 5, 0.95, &s);
    cr_assert_float_eq(s.mean, 13.27, 1e-12);
    /* sd = sqrt(1.958 / 4), t(0.975, 4) = 2.776445 */
    cr_assert_float_eq(s.sd, 0.699642767, 1e-8);
    cr_assert_float_eq(s.ci_high - s.mean, 2.776445105 * 0.699642767 / sqrt(5.0), 1e-7);
    cr_assert_eq(s.n, 5);
}

Test(stats, nan_values_are_skipped_and_one_value_has_no_interval)
{
    const double x[] = { NAN, 4.25, NAN };
    struct stats_summary s;
    stats_summarise(x, 1, 3, 0.95, &s);
    cr_assert_eq(s.n, 1);
    cr_assert_float_eq(s.mean, 4.25, 1e-12);
    cr_assert(isnan(s.ci_low) && isnan(s.sd));
}

Test(stats, merged_histograms_give_the_quantiles_of_both_sets)
{
    static struct stats_hist a, b, both, merged;
    for (int i = 0; i < 300; i++) {
        double x = 3.27 + i * 0.031, y = 41.9 + i * 1.7;  /* y runs into the coarse bins */
        stats_hist_add(&a, x);
        stats_hist_add(&b, y);
        stats_hist_add(&both, x);
        stats_hist_add(&both, y);
    }
    stats_hist_merge(&merged, &a);
    stats_hist_merge(&merged, &b);
    cr_assert_eq(merged.n, 600);
    cr_assert_eq(merged.used, both.used);
    for (double q = 0.05; q < 1; q += 0.15)
        cr_assert_eq(stats_hist_quantile(&merged, q), stats_hist_quantile(&both, q));
}

Test(stats, compact_histogram_quantiles_to_a_tenth_of_a_day)
{
    static struct stats_small_hist h, a, b;
    /* 2,000 values evenly over [12.385, 32.385): quantile q = 12.385 + 20 q */
    for (int i = 0; i < 2000; i++) {
        double x = 12.385 + (i + 0.5) * 20.0 / 2000;
        stats_small_add(&h, x);
        stats_small_add(i % 2 ? &a : &b, x);
    }
    cr_assert_float_eq(stats_small_quantile(&h, 0.5), 22.385, 0.051);
    cr_assert_float_eq(stats_small_quantile(&h, 0.95), 31.385, 0.051);
    stats_small_merge(&a, &b);
    cr_assert_eq(stats_small_quantile(&a, 0.95), stats_small_quantile(&h, 0.95));
    static struct stats_small_hist far, empty;
    stats_small_add(&far, 75.4);
    stats_small_add(&far, 9000);
    double q = stats_small_quantile(&far, 0.25);
    cr_assert(q >= 75 && q <= 76, "got %g", q);
    cr_assert_eq(stats_small_quantile(&far, 0.99), STATS_SMALL_MAX_D);
    cr_assert(isnan(stats_small_quantile(&empty, 0.5)));
}

Test(stats, half_width_by_hand)
{
    const double x[] = { 12.3, 14.1, 13.7, 12.9, 13.35 };
    double mean, half = stats_half_width(x, 1, 5, 0.95, &mean);
    cr_assert_float_eq(mean, 13.27, 1e-12);
    cr_assert_float_eq(half, 2.776445105 * 0.699642767 / sqrt(5.0), 1e-7);
    cr_assert(isinf(stats_half_width(x, 1, 1, 0.95, NULL)));
}

/* Eight values read at a stride of two (the others are another row's), at
 * 90 %: sum 28.11, mean 3.51375, squared deviations 2.9513875, so
 * sd = sqrt(2.9513875 / 7); a t table gives t(0.95, 7 df) = 1.894579. */
Test(stats, half_width_matches_a_t_table_value)
{
    const double x[] = { 3.42, -1, 2.87, -1, 4.15, -1, 3.96, -1, 2.51, -1, 3.78, -1, 4.33, -1, 3.09, -1 };
    double mean, half = stats_half_width(x, 2, 8, 0.90, &mean);
    cr_assert_float_eq(mean, 3.51375, 1e-12);
    double sd = sqrt(2.9513875 / 7);
    cr_assert_float_eq(half, 1.894579 * sd / sqrt(8.0), 1e-6);
    /* one finite value among them: no interval */
    const double y[] = { NAN, 3.42, NAN };
    cr_assert(isinf(stats_half_width(y, 1, 3, 0.90, &mean)));
    cr_assert_float_eq(mean, 3.42, 1e-12);
}

Test(stats, paired_t_matches_a_hand_computation)
{
    /* differences -0.5, -0.7, -0.2, -0.6, -0.45: mean -0.49, sd 0.18841 */
    const double base[] = { 14.2, 13.85, 15.1, 14.6, 13.95 };
    const double prop[] = { 13.7, 13.15, 14.9, 14.0, 13.5 };
    struct stats_paired s;
    stats_paired_test(base, prop, 5, 0.95, &s);
    cr_assert_float_eq(s.diff, -0.49, 1e-12);
    double half = 2.776445105 * 0.188414437 / sqrt(5.0);
    cr_assert_float_eq(s.diff_ci_low, -0.49 - half, 1e-6);
    cr_assert_float_eq(s.diff_ci_high, -0.49 + half, 1e-6);
    /* t = -5.8153 with 4 df: two-sided p = 0.00435 */
    cr_assert_float_eq(s.p_value, 0.00435, 2e-4);
    cr_assert_float_eq(s.rel_pct, 100 * -0.49 / 14.34, 1e-9);
}

Test(stats, holm_turns_a_borderline_rejection_when_more_p_values_compete)
{
    /* alone, p = 0.03 < 0.05 is significant */
    double one[] = { 0.03 };
    bool r1[1];
    stats_holm(one, 1, 0.05, r1);
    cr_assert(r1[0]);
    /* with two more proposals: 0.01 <= 0.05/3 passes, 0.03 > 0.05/2 does not */
    double three[] = { 0.03, 0.01, 0.2 };
    bool r3[3];
    stats_holm(three, 3, 0.05, r3);
    cr_assert(r3[1]);
    cr_assert_not(r3[0]);
    cr_assert_not(r3[2]);
    /* step-down stops at the first failure even if a later p would pass alone */
    double stop[] = { 0.02, 0.024 };
    bool rs[2];
    stats_holm(stop, 2, 0.05, rs);
    cr_assert(rs[0] && rs[1]);
    double fail[] = { 0.04, 0.026 };
    stats_holm(fail, 2, 0.05, rs);
    cr_assert_not(rs[0]);
    cr_assert_not(rs[1]);
}

Test(stats, nan_replications_are_left_out_of_the_pairs)
{
    const double base[] = { 1.0, NAN, 3.0, 4.0 };
    const double prop[] = { 2.0, 5.0, NAN, 5.5 };
    struct stats_paired s;
    stats_paired_test(base, prop, 4, 0.95, &s);
    cr_assert_eq(s.n, 2);
    cr_assert_float_eq(s.diff, 1.25, 1e-12);
}

/* Five p-values at 0.05: sorted 0.0032 <= 0.05/5 and 0.011 <= 0.05/4 are
 * rejected, then 0.027 > 0.05/3 stops the procedure, so 0.042 and 0.38 are
 * kept. Bonferroni (every p against 0.05/5) would reject 0.0032 alone. */
Test(stats, holm_on_five_p_values_by_hand)
{
    const double p[] = { 0.011, 0.042, 0.0032, 0.027, 0.38 };
    bool reject[5];
    stats_holm(p, 5, 0.05, reject);
    cr_assert(reject[0]);
    cr_assert_not(reject[1]);
    cr_assert(reject[2]);
    cr_assert_not(reject[3]);
    cr_assert_not(reject[4]);
}
