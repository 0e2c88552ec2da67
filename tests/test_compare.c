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
    cr_assert_str_eq(compare_verdict(METRIC_LOWER_BETTER, s.diff, 0.1, reject), "no difference");
}

Test(compare, verdict_knows_which_way_is_good)
{
    cr_assert_eq(metric_find("transit_mean_d")->direction, METRIC_LOWER_BETTER);
    cr_assert_eq(metric_find("on_time_pct")->direction, METRIC_HIGHER_BETTER);
    cr_assert_eq(metric_find("tracking_gap_max_h")->direction, METRIC_LOWER_BETTER);
    cr_assert_eq(metric_find("posted_batches")->direction, METRIC_NEUTRAL);
    cr_assert_str_eq(compare_verdict(METRIC_LOWER_BETTER, -1.5, 0.1, true), "better");
    cr_assert_str_eq(compare_verdict(METRIC_LOWER_BETTER, 1.5, 0.1, true), "worse");
    cr_assert_str_eq(compare_verdict(METRIC_HIGHER_BETTER, 2.5, 0.1, true), "better");
    cr_assert_str_eq(compare_verdict(METRIC_HIGHER_BETTER, 2.5, 0.1, false), "no difference");
    cr_assert_str_eq(compare_verdict(METRIC_NEUTRAL, 2.5, 0.1, true), "higher");
}

Test(compare, a_significant_difference_within_the_threshold_is_no_practical_difference)
{
    /* half an hour of handling: +0.021 d transit against 0.1 d; -2.3 points against 1 point */
    cr_assert_str_eq(compare_verdict(METRIC_LOWER_BETTER, 0.021, 0.1, true), "no practical difference");
    cr_assert_str_eq(compare_verdict(METRIC_LOWER_BETTER, 0.021, 0.1, false), "no difference");
    cr_assert_str_eq(compare_verdict(METRIC_HIGHER_BETTER, -2.3, 1, true), "worse");
    cr_assert_str_eq(compare_verdict(METRIC_NEUTRAL, -0.35, 1, true), "no practical difference");
    cr_assert_str_eq(compare_verdict(METRIC_NEUTRAL, -1.35, 1, true), "lower");
    /* a threshold of 0: any significant difference counts */
    cr_assert_str_eq(compare_verdict(METRIC_LOWER_BETTER, 0.0004, 0, true), "worse");
}

Test(compare, a_relative_threshold_is_a_share_of_the_baseline_mean)
{
    struct metric_threshold t;
    cr_assert(metric_threshold_parse("1%", &t));
    cr_assert(t.relative);
    cr_assert_float_eq(metric_threshold_of(&t, -4.85), 0.0485, 1e-12);
    cr_assert(metric_threshold_parse("0.25", &t));
    cr_assert(!t.relative);
    cr_assert_float_eq(metric_threshold_of(&t, 18.3), 0.25, 1e-12);
    cr_assert(!metric_threshold_parse("-1", &t));
    cr_assert(!metric_threshold_parse("%", &t));
    cr_assert(!metric_threshold_parse("1 %", &t));
    cr_assert(!metric_threshold_parse("", &t));
}

Test(compare, the_trade_off_says_gains_then_cost_and_carbon)
{
    const struct compare_tradeoff_row rows[] = {
        { "transit_mean_d", 0.03, 0.16, "no practical difference" },
        { "on_time_pct", 11.5, 21.9, "better" },
        { "cost_per_kg", 2.6, 54.2, "worse" },
        { "co2_g_per_kg", -0.01, -0.004, "no practical difference" },
    };
    struct strbuf b = {0};
    compare_tradeoff(&b, rows, 4, "USD");
    cr_assert_str_eq(strbuf_str(&b), "batches on time +11.5 points for +2.60 USD per kg (+54 %), CO2 unchanged");
    strbuf_fini(&b);
    const struct compare_tradeoff_row none[] = {
        { "on_time_pct", -0.2, -0.4, "no practical difference" },
        { "cost_per_kg", -0.19, -3.9, "better" },
        { "co2_g_per_kg", 0, 0, "no difference" },
    };
    compare_tradeoff(&b, none, 3, "EUR");
    cr_assert_str_eq(strbuf_str(&b), "no practical change in service, cost -0.19 EUR per kg (-4 %), "
                     "CO2 without a clear difference");
    strbuf_fini(&b);
}
