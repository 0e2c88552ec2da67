/* strbuf: a growable string built by appending, for gnuplot scripts, file
 * names and messages. Capacity doubles from 1 KiB, so appending is amortised
 * O(1); a failed allocation sets a sticky flag that the caller checks once. */
#include "railmail/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for `extra` more bytes and the NUL, or sets oom. */
static void reserve(struct strbuf *b, size_t extra)
{
    if (b->oom || b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = true;
        return;
    }
    b->s = s;
    b->cap = cap;
}

void strbuf_fini(struct strbuf *b)
{
    free(b->s);
    *b = (struct strbuf){0};
}

const char *strbuf_str(const struct strbuf *b)
{
    return b->s && !b->oom ? b->s : "";
}

char *strbuf_take(struct strbuf *b)
{
    reserve(b, 0);
    char *s = b->oom ? NULL : b->s;
    if (s)
        s[b->len] = '\0';
    else
        free(b->s);
    *b = (struct strbuf){0};
    return s;
}

void strbuf_put(struct strbuf *b, const char *text, size_t len)
{
    reserve(b, len);
    if (b->oom)
        return;
    memcpy(b->s + b->len, text, len);
    b->len += len;
    b->s[b->len] = '\0';
}

void strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n >= 0)
        reserve(b, (size_t)n);
    if (n >= 0 && !b->oom) {
        vsnprintf(b->s + b->len, b->cap - b->len, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

static bool is_control(char c)
{
    return (unsigned char)c < 0x20 || c == 0x7f;
}

void strbuf_put_line(struct strbuf *b, const char *text)
{
    for (const char *c = text; *c; c++)  /* a final backslash would join the next line to this one */
        strbuf_put(b, is_control(*c) || (*c == '\\' && !c[1]) ? " " : c, 1);
}

void strbuf_quote_gnuplot(struct strbuf *b, const char *text)
{
    strbuf_put(b, "'", 1);
    for (const char *c = text; *c; c++) {
        if (*c == '\'')
            strbuf_put(b, "''", 2);
        else
            strbuf_put(b, is_control(*c) ? " " : c, 1);
    }
    strbuf_put(b, "'", 1);
}

char *strbuf_trim_dup(const char *text, size_t len)
{
    while (len && (*text == ' ' || *text == '\t'))
        text++, len--;
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, text, len);
        s[len] = '\0';
    }
    return s;
}

void strbuf_quote_shell(struct strbuf *b, const char *text)
{
    strbuf_put(b, "'", 1);
    for (const char *c = text; *c; c++) {
        if (*c == '\'')
            strbuf_put(b, "'\\''", 4);
        else
            strbuf_put(b, c, 1);
    }
    strbuf_put(b, "'", 1);
}
