/* escape: control characters shown as C escapes, so that no name printed
 * to a terminal can move the cursor, retitle the window or forge a line.
 * Only cli.c and compare_print write to a terminal; both go through here. */
#include "railmail/escape.h"

#include <stdlib.h>
#include <string.h>

char *escape_text(char *buf, size_t size, const char *text)
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        char piece[8];
        size_t len = 1;
        piece[0] = (char)*c;
        if (*c == '\n' || *c == '\r' || *c == '\t')
            len = (size_t)snprintf(piece, sizeof piece, "\\%c", *c == '\n' ? 'n' : *c == '\r' ? 'r' : 't');
        else if (*c < 0x20 || *c == 0x7f)
            len = (size_t)snprintf(piece, sizeof piece, "\\x%02x", *c);
        else if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f)  /* U+0080..U+009F */
            len = (size_t)snprintf(piece, sizeof piece, "\\u%04x", *++c);
        if (n + len >= size)
            break;
        memcpy(buf + n, piece, len);
        n += len;
    }
    if (size)
        buf[n] = '\0';
    return buf;
}

void escape_vline(FILE *f, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    char small[1024], *text = small;
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0)
        small[0] = '\0';
    if (n >= (int)sizeof small) {
        char *big = malloc((size_t)n + 1);
        if (big) {  /* without memory the line is cut short */
            vsnprintf(big, (size_t)n + 1, fmt, again);
            text = big;
        }
    }
    va_end(again);
    /* an escape is at most 4 bytes for each byte it replaces */
    size_t size = 4 * strlen(text) + 1;
    char out_small[4096], *out = size <= sizeof out_small ? out_small : malloc(size);
    if (!out) {
        out = out_small;
        size = sizeof out_small;
    }
    fputs(escape_text(out, size, text), f);
    fputc('\n', f);
    if (out != out_small)
        free(out);
    if (text != small)
        free(text);
}

void escape_line(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    escape_vline(f, fmt, ap);
    va_end(ap);
}
