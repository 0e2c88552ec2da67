/* calendar: days since 1970-01-01 to and from civil dates, by the
 * era-based algorithms of Howard Hinnant's "chrono-compatible low-level
 * date algorithms" (400-year eras of 146097 days, years starting in March
 * so that the leap day falls last). Pure arithmetic, no time zones. */
#include "railmail/calendar.h"

#include <stdio.h>
#include <string.h>

static int32_t days_from_civil(int32_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);                     /* [0, 399] */
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + (int32_t)doe - 719468;
}

static void civil_from_days(int32_t z, int32_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int32_t)yoe + era * 400 + (*m <= 2);
}

static bool leap(int32_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Reads `n` digits at p; false if any is not a digit. */
static bool digits(const char *p, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    *out = v;
    return true;
}

bool calendar_parse(const char *text, int32_t *days)
{
    static const unsigned month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, m, d;
    if (strlen(text) != 10 || text[4] != '-' || text[7] != '-' || !digits(text, 4, &y)
        || !digits(text + 5, 2, &m) || !digits(text + 8, 2, &d))
        return false;
    if (y < CALENDAR_MIN_YEAR || y > CALENDAR_MAX_YEAR || m < 1 || m > 12 || d < 1)
        return false;
    if (d > month_days[m - 1] + (m == 2 && leap((int32_t)y)))
        return false;
    *days = days_from_civil((int32_t)y, m, d);
    return true;
}

/* Four digits of a year (dates outside 0000..9999 are not ours to name). */
static unsigned year_digits(int32_t y)
{
    return y < 0 ? 0 : (unsigned)y % 10000u;
}

/* The last `n` decimal digits of v, zero-padded, at out; returns the end.
 * As "%0nu" for the year, month and day, which never have more digits. */
static char *put_digits(char *out, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
    return out + n;
}

void calendar_format(int32_t days, char out[11])
{
    int32_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char *o = put_digits(out, year_digits(y), 4);
    *o++ = '-';
    o = put_digits(o, m % 100, 2);
    *o++ = '-';
    *put_digits(o, d % 100, 2) = '\0';
}

int32_t calendar_month(int32_t days)
{
    int32_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    return y * 12 + (int32_t)m - 1;
}

void calendar_month_format(int32_t month, char out[8])
{
    int32_t y = month / 12;
    unsigned m = (unsigned)(month % 12) + 1;
    char *o = put_digits(out, year_digits(y), 4);
    *o++ = '-';
    *put_digits(o, m % 100, 2) = '\0';
}

int32_t calendar_month_start(int32_t month)
{
    return days_from_civil(month / 12, (unsigned)(month % 12) + 1, 1);
}

int calendar_weekday(int32_t days)
{
    /* 1970-01-01 was a Thursday (3 counting Monday as 0) */
    int32_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}
