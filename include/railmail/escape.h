#ifndef RAILMAIL_ESCAPE_H
#define RAILMAIL_ESCAPE_H
/* Text for a terminal. Names come from directory names, scenario files and
 * the command line, and any of them may hold control characters: printed
 * raw, "\x1b]0;...\a" or "\x1b[2J" would drive the terminal, and a line end
 * would forge a line of output. Every control character is shown as a C
 * escape instead: \n, \r, \t, other C0 bytes and DEL as \xHH, and the
 * UTF-8 C1 controls U+0080..U+009F as \uHHHH. Other text, UTF-8 included,
 * passes unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Writes the escaped form of `text` into buf (size bytes, NUL-terminated;
 * cut before an escape that does not fit) and returns buf. */
char *escape_text(char *buf, size_t size, const char *text);

/* Formats a line, escapes all of it, and writes it to f with a line end. */
void escape_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void escape_vline(FILE *f, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
#endif /* RAILMAIL_ESCAPE_H */
