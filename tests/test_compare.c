/* compare: verdicts from paired differences and Holm's correction, and
 * which way is good (the statistics themselves are tested in test_stats.c). */
#include <criterion/criterion.h>

#include "railmail/compare.h"
#include "railmail/stats.h"

Test(compare, identical_runs_give_zero_difference_and_no_verdict)
{
    const double base[] = { 14.2, 13.85, 15.1, 14.6, 13.95 };
    struct stats_paired s;
    stats_paired_test(base, base, 5, 0.95, &s);
    cr_assert_eq(s.diff, 0);
    cr_assert_eq(s.diff_ci_low, 0);
    cr_assert_eq(s.diff_ci_high, 0);
    cr_assert_eq(s.p_value, 1);
    bool reject;
    stats_holm(&s.p_value, 1, 0.05, &reject);
    cr_assert_str_eq(compare_verdict(METRIC_LOWER_BETTER, s.diff, reject), "no difference");
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
