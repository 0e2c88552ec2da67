#ifndef RAILMAIL_CSVWRITE_H
#define RAILMAIL_CSVWRITE_H
/* The one writer of every CSV railmail produces. A text field is quoted per
 * RFC 4180 whenever a reader could take it for something else: it holds a
 * comma, a double quote, CR or LF; it starts or ends with a space or tab
 * (readers, ours included, trim unquoted fields); or it starts with '#'
 * (our reader and gnuplot skip such lines as comments). Inside quotes a
 * quote is doubled. Any other field is written as it is, so plain names and
 * numbers read the same as before. Numbers need no quotes: rows of numbers
 * in a fixed format (eventlog.c's "%.3f" times) may be printed directly. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* True when `text` must be quoted to read back exactly. */
bool csvwrite_needs_quotes(const char *text);

/* Writes one text field, quoted when it needs to be. */
void csvwrite_field(FILE *f, const char *text);

/* The field as it would be written, malloc'd (NULL without memory): for a
 * writer that repeats the same name on many rows and should not scan it
 * each time. */
char *csvwrite_field_dup(const char *text);

/* Writes x as a number field: whole numbers (below 1e15 in magnitude)
 * without decimals, others to six significant digits (%.6g), nothing for
 * NaN. Numbers never need quotes. */
void csvwrite_number(FILE *f, double x);

/* Lines of fields assembled in memory and written with one fwrite (stdio
 * takes a lock at every call: a row of seven fields written field by field
 * cost about 1,400 instructions). The fields are written as the functions
 * above write them; csvwrite_line_put and csvwrite_line_char add bytes as
 * they are (separators). Longer lines are written in pieces. */
struct csvwrite_line {
    FILE *f;
    size_t len;
    char buf[4096];
};
/* Starts `l` on f (without zeroing the buffer, as `= {...}` would). */
static inline void csvwrite_line_start(struct csvwrite_line *l, FILE *f)
{
    l->f = f;
    l->len = 0;
}
void csvwrite_line_flush(struct csvwrite_line *l);  /* writes out what `l` holds */
static inline void csvwrite_line_char(struct csvwrite_line *l, char c)
{
    if (l->len == sizeof l->buf)
        csvwrite_line_flush(l);
    l->buf[l->len++] = c;
}
void csvwrite_line_put(struct csvwrite_line *l, const char *text, size_t n);
void csvwrite_line_field(struct csvwrite_line *l, const char *text);
void csvwrite_line_number(struct csvwrite_line *l, double x);
void csvwrite_line_uint(struct csvwrite_line *l, unsigned long long v);  /* as "%llu" */
/* "%.*f" with `decimals` (at most 9) digits after the point, as printf. */
void csvwrite_line_fixed(struct csvwrite_line *l, double x, unsigned decimals);
/* Adds the line end and writes out what `l` holds; `l` can take the next
 * line. */
void csvwrite_line_end(struct csvwrite_line *l);
/* Adds the line end, holding the line with those after it until `l` is
 * nearly full: a writer of many lines ends with csvwrite_line_flush. */
void csvwrite_line_next(struct csvwrite_line *l);

/* Writes `n` text fields separated by commas, then a line end. */
void csvwrite_row(FILE *f, const char *const *fields, size_t n);

/* Writes a header row from our own column names joined by commas
 * ("day,node,backlog_batches_mean"), each name as a field, then a line end. */
void csvwrite_header(FILE *f, const char *columns);

/* Writes a two-field row `key,value`, as the chart settings hold. */
void csvwrite_pair(FILE *f, const char *key, const char *value);

/* Spreadsheets evaluate a cell that begins with '=', '+', '-', '@', a tab
 * or a carriage return as a formula (CSV injection). IDs that reach our
 * CSVs (scenario and proposal names) are refused when csvwrite_is_formula
 * says so; free text is written with csvwrite_pair_text, which puts a '
 * before such a first character, as OWASP recommends. */
bool csvwrite_is_formula(const char *text);
void csvwrite_pair_text(FILE *f, const char *key, const char *value);
#endif /* RAILMAIL_CSVWRITE_H */
