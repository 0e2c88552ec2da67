#ifndef RAILMAIL_CALENDAR_H
#define RAILMAIL_CALENDAR_H
/* Calendar dates: a scenario's start_date and the dates and months that
 * result files name, and the hours in a day, a week and a year. A date is a
 * whole number of days since 1970-01-01 in the proleptic Gregorian
 * calendar, so simulated day d is start + d. */
#include <stdbool.h>
#include <stdint.h>

#define CALENDAR_DEFAULT_START 19723  /* 2024-01-01, a Monday */

/* Hours are the clock; days, weeks and years are these conversions, named
 * here once. The hours are doubles, so `x * CALENDAR_HOURS_PER_DAY` is the
 * product the literal 24 gave for a double x; the products below are exact.
 * A year is 365 days: growth rates are per such year. */
#define CALENDAR_DAYS_PER_WEEK 7  /* whole, for weekday arithmetic */
#define CALENDAR_DAYS_PER_YEAR 365.0
#define CALENDAR_HOURS_PER_DAY 24.0
#define CALENDAR_HOURS_PER_WEEK (CALENDAR_DAYS_PER_WEEK * CALENDAR_HOURS_PER_DAY)  /* 168 */
#define CALENDAR_HOURS_PER_YEAR (CALENDAR_DAYS_PER_YEAR * CALENDAR_HOURS_PER_DAY)  /* 8760 */
#define CALENDAR_MIN_YEAR 1900
#define CALENDAR_MAX_YEAR 2999

/* Parses exactly "YYYY-MM-DD" (ISO 8601, four-digit year from
 * CALENDAR_MIN_YEAR to CALENDAR_MAX_YEAR, a day that exists in its month).
 * Returns false and leaves *days unchanged otherwise. */
bool calendar_parse(const char *text, int32_t *days);

/* Writes the date `days` as "YYYY-MM-DD" (out holds 11 bytes). */
void calendar_format(int32_t days, char out[11]);

/* The month of the date `days` as year * 12 + month - 1, so that months
 * count up without gaps; calendar_month_format writes one as "YYYY-MM". */
int32_t calendar_month(int32_t days);
void calendar_month_format(int32_t month, char out[8]);

/* The first day of a month counted as calendar_month gives it. */
int32_t calendar_month_start(int32_t month);

/* 0 Monday .. 6 Sunday. */
int calendar_weekday(int32_t days);
#endif /* RAILMAIL_CALENDAR_H */
