#ifndef RAILMAIL_CSVWRITE_H
#define RAILMAIL_CSVWRITE_H
/* The one writer of every CSV railmail produces. A text field is quoted per
 * RFC 4180 whenever a reader could take it for something else: it holds a
 * comma, a double quote, CR or LF; it starts or ends with a space or tab
 * (readers, ours included, trim unquoted fields); or it starts with '#'
 * (our reader and gnuplot skip such lines as comments). Inside quotes a
 * quote is doubled. Any other field is written as it is, so plain names and
 * numbers read the same as before. Numbers need no quotes: rows of numbers
 * in a fixed format (model.c's "%.3f" times) may be printed directly. */
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

/* Writes v in decimal, as "%llu" would (without printf's cost). */
void csvwrite_uint(FILE *f, unsigned long long v);

/* Writes `n` text fields separated by commas, then a line end. */
void csvwrite_row(FILE *f, const char *const *fields, size_t n);

/* Writes a header row from our own column names joined by commas
 * ("day,node,backlog_batches_mean"), each name as a field, then a line end. */
void csvwrite_header(FILE *f, const char *columns);

/* Writes a two-field row `key,value`, as meta.csv holds. */
void csvwrite_pair(FILE *f, const char *key, const char *value);
#endif /* RAILMAIL_CSVWRITE_H */
