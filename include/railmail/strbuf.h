#ifndef RAILMAIL_STRBUF_H
#define RAILMAIL_STRBUF_H
/* A growable string built by appending. Out of memory is sticky: the first
 * failed allocation sets `oom`, every later append does nothing, and the
 * caller checks once at the end instead of after every append. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Caller-owned storage: a zeroed struct strbuf is empty (`= {0}`), and
 * strbuf_fini frees it. Read the fields, never write them: `s` is
 * NUL-terminated once anything was appended (NULL before), `len` excludes
 * the NUL. */
struct strbuf {
    char *s;
    size_t len, cap;
    bool oom;
};

void strbuf_fini(struct strbuf *b);

/* The text so far: "" when nothing was appended or memory ran out. */
const char *strbuf_str(const struct strbuf *b);

/* Hands the text over to the caller (free it) and leaves `b` empty; NULL
 * when memory ran out. An empty buffer gives an allocated "". */
char *strbuf_take(struct strbuf *b);

void strbuf_put(struct strbuf *b, const char *text, size_t len);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Text that must stay on one line (a gnuplot comment or datablock line,
 * where a line end would run what follows as commands): control characters,
 * and a backslash at its end (gnuplot's line continuation), become spaces.
 * Every text a chart's script carries outside quotes goes through it. */
void strbuf_put_line(struct strbuf *b, const char *text);

/* A gnuplot single-quoted string: no escapes inside except '' for a quote,
 * so any text is safe; control characters become spaces. */
void strbuf_quote_gnuplot(struct strbuf *b, const char *text);

/* The `len` bytes at `text` without the spaces and tabs around them, as a
 * malloc'd string; NULL without memory. */
char *strbuf_trim_dup(const char *text, size_t len);

/* A POSIX shell single-quoted word: a quote is written '\''. */
void strbuf_quote_shell(struct strbuf *b, const char *text);
#endif /* RAILMAIL_STRBUF_H */
