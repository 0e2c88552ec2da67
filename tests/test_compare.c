/* compare: paired differences, Holm's correction and verdict direction. */
#include <criterion/criterion.h>

#include <math.h>

#include "railmail/compare.h"

Test(compare, identical_runs_give_zero_difference_and_no_verdict)
{
    const double base[] = { 14.2, 13.85, 15.1, 14.6, 13.95 };
    struct compare_stat s;
    compare_paired(base, base, 5, 0.95, &s);
    cr_assert_eq(s.diff, 0);
    cr_assert_eq(s.diff_ci_low, 0);
    cr_assert_eq(s.diff_ci_high, 0);
    cr_assert_eq(s.p_value, 1);
    bool reject;
    compare_holm(&s.p_value, 1, 0.05, &reject);
    cr_assert_str_eq(compare_verdict(METRIC_LOWER_BETTER, s.diff, reject), "no difference");
}

Test(compare, paired_t_matches_a_hand_computation)
{
    /* differences -0.5, -0.7, -0.2, -0.6, -0.45: mean -0.49, sd 0.18841 */
    const double base[] = { 14.2, 13.85, 15.1, 14.6, 13.95 };
    const double prop[] = { 13.7, 13.15, 14.9, 14.0, 13.5 };
    struct compare_stat s;
    compare_paired(base, prop, 5, 0.95, &s);
    cr_assert_float_eq(s.diff, -0.49, 1e-12);
    double half = 2.776445105 * 0.188414437 / sqrt(5.0);
    cr_assert_float_eq(s.diff_ci_low, -0.49 - half, 1e-6);
    cr_assert_float_eq(s.diff_ci_high, -0.49 + half, 1e-6);
    /* t = -5.8153 with 4 df: two-sided p = 0.00435 */
    cr_assert_float_eq(s.p_value, 0.00435, 2e-4);
    cr_assert_float_eq(s.rel_pct, 100 * -0.49 / 14.34, 1e-9);
}

Test(compare, verdict_knows_which_way_is_good)
{
    cr_assert_eq(metric_find("transit_mean_d")->direction, METRIC_LOWER_BETTER);
    cr_assert_eq(metric_find("on_time_pct")->direction, METRIC_HIGHER_BETTER);
    cr_assert_eq(metric_find("tracking_gap_max_h")->direction, METRIC_LOWER_BETTER);
    cr_assert_eq(metric_find("posted_batches")->direction, METRIC_NEUTRAL);
    cr_assert_str_eq(compare_verdict(METRIC_LOWER_BETTER, -1.5, true), "better");
    cr_assert_str_eq(compare_verdict(METRIC_LOWER_BETTER, 1.5, true), "worse");
    cr_assert_str_eq(compare_verdict(METRIC_HIGHER_BETTER, 2.5, true), "better");
    cr_assert_str_eq(compare_verdict(METRIC_HIGHER_BETTER, 2.5, false), "no difference");
    cr_assert_str_eq(compare_verdict(METRIC_NEUTRAL, 2.5, true), "higher");
}

Test(compare, holm_turns_a_borderline_verdict_when_more_proposals_compete)
{
    /* alone, p = 0.03 < 0.05 is significant */
    double one[] = { 0.03 };
    bool r1[1];
    compare_holm(one, 1, 0.05, r1);
    cr_assert(r1[0]);
    /* with two more proposals: 0.01 <= 0.05/3 passes, 0.03 > 0.05/2 does not */
    double three[] = { 0.03, 0.01, 0.2 };
    bool r3[3];
    compare_holm(three, 3, 0.05, r3);
    cr_assert(r3[1]);
    cr_assert_not(r3[0]);
    cr_assert_not(r3[2]);
    /* step-down stops at the first failure even if a later p would pass alone */
    double stop[] = { 0.02, 0.024 };
    bool rs[2];
    compare_holm(stop, 2, 0.05, rs);
    cr_assert(rs[0] && rs[1]);
    double fail[] = { 0.04, 0.026 };
    compare_holm(fail, 2, 0.05, rs);
    cr_assert_not(rs[0]);
    cr_assert_not(rs[1]);
}

Test(compare, nan_replications_are_left_out_of_the_pairs)
{
    const double base[] = { 1.0, NAN, 3.0, 4.0 };
    const double prop[] = { 2.0, 5.0, NAN, 5.5 };
    struct compare_stat s;
    compare_paired(base, prop, 4, 0.95, &s);
    cr_assert_eq(s.n, 2);
    cr_assert_float_eq(s.diff, 1.25, 1e-12);
}
