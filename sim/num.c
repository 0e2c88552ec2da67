/* num: decimal numbers with explicit rules, checked character by character
 * before strtod converts them, so that nothing strtod would also take (hex,
 * inf, nan, leading spaces, the locale's decimal mark) slips in: a number
 * means the same in a scenario cell, inside a distribution and in --set. */
#include "railmail/num.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool num_parse(const char *text, size_t len, char decimal_mark, double *out)
{
    if (len == 0 || len > NUM_MAX_LEN)
        return false;
    const char *p = text, *end = text + len;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (p < end && is_digit(*p))
        p++, digits++;
    if (p < end && *p == decimal_mark) {
        p++;
        while (p < end && is_digit(*p))
            p++, digits++;
    }
    if (digits == 0)
        return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !is_digit(*p))
            return false;
        while (p < end && is_digit(*p))
            p++;
    }
    if (p != end)
        return false;
    /* strtod reads the C locale's '.', and needs a terminated copy. */
    char buf[NUM_MAX_LEN + 1];
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *mark = memchr(buf, decimal_mark, len);
    if (mark)
        *mark = '.';
    double v = strtod(buf, NULL);
    if (!isfinite(v))
        return false;
    *out = v == 0 ? 0 : v;  /* no -0 */
    return true;
}

bool num_parse_whole(const char *text, uint64_t *out)
{
    if (!*text)
        return false;
    uint64_t v = 0;
    for (const char *p = text; *p; p++) {
        if (!is_digit(*p))
            return false;
        unsigned digit = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    *out = v;
    return true;
}
