/* Tests for calendar: ISO dates to days since 1970-01-01 and back, and the
 * months result files are grouped by, and the hour conversions. */
#include "railmail/calendar.h"

#include <criterion/criterion.h>
#include <string.h>

Test(calendar, default_start_is_2024_01_01_a_monday)
{
    int32_t d = 0;
    cr_assert(calendar_parse("2024-01-01", &d));
    cr_assert_eq(d, CALENDAR_DEFAULT_START);
    cr_assert_eq(calendar_weekday(d), 0);
    cr_assert(calendar_parse("1970-01-01", &d));
    cr_assert_eq(d, 0);
}

Test(calendar, dates_round_trip_across_leap_days_and_centuries)
{
    static const char *const ok[] = {"2024-02-29", "2000-02-29", "1900-03-01", "2021-12-31",
                                     "2999-12-31", "1900-01-01", "2023-03-01"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        int32_t d;
        char back[11];
        cr_assert(calendar_parse(ok[i], &d), "%s refused", ok[i]);
        calendar_format(d, back);
        cr_assert_str_eq(back, ok[i]);
    }
    int32_t a, b;
    cr_assert(calendar_parse("2024-02-28", &a) && calendar_parse("2024-03-01", &b));
    cr_assert_eq(b - a, 2);
}

Test(calendar, malformed_or_impossible_dates_are_refused)
{
    static const char *const bad[] = {"2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31",
                                      "2024-1-01", "24-01-01", "2024/01/01", "2024-01-01 ", " 2024-01-01",
                                      "1899-12-31", "3000-01-01", "", "2024-01-0x", "+024-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int32_t d = 77;
        cr_assert_not(calendar_parse(bad[i], &d), "\"%s\" accepted", bad[i]);
        cr_assert_eq(d, 77);
    }
}

Test(calendar, months_count_without_gaps)
{
    int32_t d, dec;
    char text[8];
    cr_assert(calendar_parse("2021-12-31", &dec) && calendar_parse("2022-01-01", &d));
    cr_assert_eq(calendar_month(d), calendar_month(dec) + 1);
    calendar_month_format(calendar_month(dec), text);
    cr_assert_str_eq(text, "2021-12");
    calendar_month_format(calendar_month(d), text);
    cr_assert_str_eq(text, "2022-01");
    cr_assert_eq(calendar_month_start(calendar_month(dec)) + 30, dec);
}

/* The conversions are the exact doubles the literals 24, 168 and 8760 were,
 * so replacing a literal by its name changes no result. */
Test(calendar, hour_conversions_are_the_exact_literals)
{
    cr_assert_eq(CALENDAR_HOURS_PER_DAY, 24.0);
    cr_assert_eq(CALENDAR_HOURS_PER_WEEK, 168.0);
    cr_assert_eq(CALENDAR_HOURS_PER_YEAR, 8760.0);
    cr_assert_eq(CALENDAR_DAYS_PER_YEAR, 365.0);
    cr_assert_eq(CALENDAR_DAYS_PER_WEEK, 7);
    /* 2.385 weeks of hours, in days */
    cr_assert_float_eq(2.385 * CALENDAR_HOURS_PER_WEEK / CALENDAR_HOURS_PER_DAY, 16.695, 1e-12);
}
