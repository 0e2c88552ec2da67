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

void csvwrite_number(FILE *f, double x)
{
    if (isnan(x))
        return;
    if (x == floor(x) && fabs(x) < 1e15)
        fprintf(f, "%.0f", x);
    else
        fprintf(f, "%.6g", x);
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
