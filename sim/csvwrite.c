/* csvwrite: RFC 4180 fields for every CSV railmail writes. Names come from
 * directory names, scenario files and the command line, so any byte may be
 * in them; a field is quoted exactly when reading it back unquoted could
 * change it, and written unchanged otherwise. */
#include "railmail/csvwrite.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool csvwrite_needs_quotes(const char *text)
{
    size_t n = strlen(text);
    if (n == 0)
        return false;
    if (text[0] == '#' || text[0] == ' ' || text[0] == '\t' || text[n - 1] == ' ' || text[n - 1] == '\t')
        return true;
    return strpbrk(text, ",\"\r\n") != NULL;
}

/* The quoted form's length without the NUL: two quotes, and one more for
 * each quote inside. */
static size_t quoted_len(const char *text)
{
    size_t n = 2;
    for (const char *p = text; *p; p++)
        n += *p == '"' ? 2 : 1;
    return n;
}

void csvwrite_field(FILE *f, const char *text)
{
    if (!csvwrite_needs_quotes(text)) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

char *csvwrite_field_dup(const char *text)
{
    bool quote = csvwrite_needs_quotes(text);
    size_t n = quote ? quoted_len(text) : strlen(text);
    char *s = malloc(n + 1), *o = s;
    if (!s)
        return NULL;
    if (!quote) {
        memcpy(s, text, n + 1);
        return s;
    }
    *o++ = '"';
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            *o++ = '"';
        *o++ = *p;
    }
    *o++ = '"';
    *o = '\0';
    return s;
}

/* The decimal digits of v, written backwards ending before `end`; returns
 * where they start. */
static char *digits_before(char *end, unsigned long long v)
{
    do
        *--end = (char)('0' + v % 10);
    while (v /= 10);
    return end;
}

/* "%.0f" of a whole x below 1e15 in magnitude: its integer, "-0" for -0. */
static const char *whole_text(char buf[24], double x)
{
    char *s = digits_before(buf + 23, (unsigned long long)fabs(x));
    buf[23] = '\0';
    if (signbit(x))
        *--s = '-';
    return s;
}

/* x * p (p a power of ten, exact) rounded to a whole number as printf
 * rounds: to nearest, an exact tie to even. The product is rounded once in
 * floating point; when that lands within 1e-6 of a tie, the product's
 * rounding error (exact, from fma) tells on which side the exact value is. */
static double round_scaled(double x, double p)
{
    double scaled = x * p, whole = floor(scaled), frac = scaled - whole;
    if (fabs(frac - 0.5) >= 1e-6)
        return whole + (frac > 0.5);
    double side = (scaled - (whole + 0.5)) + fma(x, p, -scaled);  /* both exact: the sign is right */
    if (side != 0)
        return whole + (side > 0);
    return whole + fmod(whole, 2);  /* an exact tie */
}

/* "%.6g" of x when x is at least 1e-4 and below 999999.5 in magnitude, where
 * %g prints fixed-point: x scaled to six significant digits and rounded to
 * a whole number r, then r's digits with the point put back and trailing
 * zeros dropped (round_scaled rounds as printf); outside the range, false
 * (printf decides). Writing CSVs printed millions of these. */
static bool short_g(char buf[24], double x)
{
    static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    static const double next[] = {1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3, 1e4, 1e5};
    double ax = fabs(x);
    if (!(ax >= 1e-4 && ax < 1e6))
        return false;
    int exp10 = -4;  /* ax's decimal exponent, as %e would print it */
    while (exp10 < 5 && ax >= next[exp10 + 4])
        exp10++;
    int decimals = 5 - exp10;
    double r = round_scaled(ax, pow10[decimals]);
    if (r < 1e5 || r >= 1e6)  /* rounded past a power of ten: another exponent */
        return false;
    unsigned long long n = (unsigned long long)r, unit = (unsigned long long)pow10[decimals];
    unsigned long long ipart = n / unit, fpart = n % unit;
    char *o = buf;
    if (x < 0)
        *o++ = '-';
    char tmp[24];
    char *d = digits_before(tmp + sizeof tmp, ipart);
    size_t len = (size_t)(tmp + sizeof tmp - d);
    memcpy(o, d, len);
    o += len;
    if (fpart) {
        int keep = decimals;
        while (fpart % 10 == 0)
            fpart /= 10, keep--;
        *o++ = '.';
        for (int i = keep - 1; i >= 0; i--, fpart /= 10)
            o[i] = (char)('0' + fpart % 10);
        o += keep;
    }
    *o = '\0';
    return true;
}

/* "%.*f" of x with `decimals` (at most 9) digits after the point, when x
 * times 10^decimals is below 1e9 in magnitude: that product rounded to a
 * whole number (round_scaled), then its digits with the point put back;
 * outside the range, false (printf decides). */
static bool short_fixed(char buf[24], double x, unsigned decimals)
{
    static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (decimals > 9)
        return false;
    if (!(fabs(x) * pow10[decimals] < 1e9))  /* NaN and infinities too */
        return false;
    unsigned long long n = (unsigned long long)round_scaled(fabs(x), pow10[decimals]);
    char tmp[24], *end = tmp + sizeof tmp, *d = end;
    for (unsigned i = 0; i < decimals; i++, n /= 10)
        *--d = (char)('0' + n % 10);
    if (decimals)
        *--d = '.';
    d = digits_before(d, n);
    if (signbit(x))
        *--d = '-';
    memcpy(buf, d, (size_t)(end - d));
    buf[end - d] = '\0';
    return true;
}

/* csvwrite_number's text of x (not NaN) in buf; returns where it starts. */
static const char *number_text(char buf[24], double x)
{
    if (x == floor(x) && fabs(x) < 1e15)
        return whole_text(buf, x);
    if (!short_g(buf, x))
        snprintf(buf, 24, "%.6g", x);  /* at most 13 characters: "-1.23457e+308" */
    return buf;
}

void csvwrite_number(FILE *f, double x)
{
    char buf[24];
    if (!isnan(x))
        fputs(number_text(buf, x), f);
}

void csvwrite_row(FILE *f, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        csvwrite_field(f, fields[i]);
    }
    fputc('\n', f);
}

void csvwrite_header(FILE *f, const char *columns)
{
    for (const char *c = columns;;) {
        size_t len = strcspn(c, ",");
        char name[128];
        assert(len < sizeof name && "column names are short words of ours");
        snprintf(name, sizeof name, "%.*s", (int)len, c);
        csvwrite_field(f, name);
        if (!c[len])
            break;
        fputc(',', f);
        c += len + 1;
    }
    fputc('\n', f);
}

void csvwrite_pair(FILE *f, const char *key, const char *value)
{
    csvwrite_row(f, (const char *const[]){ key, value }, 2);
}

bool csvwrite_is_formula(const char *text)
{
    return text[0] && strchr("=+-@\t\r", text[0]);
}

void csvwrite_pair_text(FILE *f, const char *key, const char *value)
{
    if (!csvwrite_is_formula(value)) {
        csvwrite_pair(f, key, value);
        return;
    }
    size_t n = strlen(value);
    char *quoted = malloc(n + 2);
    if (!quoted) {  /* no memory: the row is left out rather than written live */
        csvwrite_pair(f, key, "");
        return;
    }
    quoted[0] = '\'';
    memcpy(quoted + 1, value, n + 1);
    csvwrite_pair(f, key, quoted);
    free(quoted);
}

/* ---- a line assembled in memory ----------------------------------------- */

void csvwrite_line_flush(struct csvwrite_line *l)
{
    fwrite(l->buf, 1, l->len, l->f);
    l->len = 0;
}

/* Makes room for n more bytes, writing out what the line holds when it
 * would not fit; false when n alone does not fit (the caller writes it to
 * the file directly). */
static bool line_room(struct csvwrite_line *l, size_t n)
{
    if (l->len + n <= sizeof l->buf)
        return true;
    csvwrite_line_flush(l);
    return n <= sizeof l->buf;
}

void csvwrite_line_put(struct csvwrite_line *l, const char *text, size_t n)
{
    if (!line_room(l, n)) {
        fwrite(text, 1, n, l->f);
        return;
    }
    memcpy(l->buf + l->len, text, n);
    l->len += n;
}

void csvwrite_line_field(struct csvwrite_line *l, const char *text)
{
    size_t n = strcspn(text, ",\"\r\n");  /* csvwrite_needs_quotes in one pass */
    if (!text[n] && (!n || (text[0] != '#' && text[0] != ' ' && text[0] != '\t' && text[n - 1] != ' ' &&
                            text[n - 1] != '\t'))) {
        csvwrite_line_put(l, text, n);
        return;
    }
    csvwrite_line_char(l, '"');
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            csvwrite_line_char(l, '"');
        csvwrite_line_char(l, *p);
    }
    csvwrite_line_char(l, '"');
}

void csvwrite_line_number(struct csvwrite_line *l, double x)
{
    char buf[24];
    if (!isnan(x)) {
        const char *s = number_text(buf, x);
        csvwrite_line_put(l, s, strlen(s));
    }
}

void csvwrite_line_fixed(struct csvwrite_line *l, double x, unsigned decimals)
{
    assert(decimals <= 9);
    char buf[336];  /* "%.9f" of -DBL_MAX: 309 digits, sign, point, 9 decimals */
    if (!short_fixed(buf, x, decimals))
        snprintf(buf, sizeof buf, "%.*f", (int)decimals, x);
    csvwrite_line_put(l, buf, strlen(buf));
}

void csvwrite_line_uint(struct csvwrite_line *l, unsigned long long v)
{
    char buf[24];
    const char *s = digits_before(buf + sizeof buf, v);
    csvwrite_line_put(l, s, (size_t)(buf + sizeof buf - s));
}

void csvwrite_line_end(struct csvwrite_line *l)
{
    csvwrite_line_char(l, '\n');
    csvwrite_line_flush(l);
}

void csvwrite_line_next(struct csvwrite_line *l)
{
    csvwrite_line_char(l, '\n');
    if (l->len > sizeof l->buf / 4 * 3)
        csvwrite_line_flush(l);
}
