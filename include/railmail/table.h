#ifndef RAILMAIL_TABLE_H
#define RAILMAIL_TABLE_H
/* A results CSV read whole into memory through csvread: columns are found
 * by name, numbers are parsed with errors that name file:line:col, and an
 * index maps names to numbers in O(1) for tables of many rows. */
#include <stdbool.h>
#include <stddef.h>
#include "railmail/csvread.h"
#include "railmail/diag.h"
#include "railmail/status.h"

#define TABLE_MAX_DAYS 100000  /* a day index at or beyond this is a corrupt file */

/* A header and rows of its width. Caller-owned storage: table_load ...
 * table_fini; read the fields, never write them. */
struct table {
    const char *name;          /* file name in messages, borrowed from table_load */
    struct csvread_table csv;  /* rows[0] is the header */
    size_t ncol, nrow;         /* fields of the header; data rows after it */
};

/* Reads dir/name. A missing file sets *found = false and is not an error
 * (callers decide what is optional). A row of another width than the header
 * is an input error at its line. csvread skips a UTF-8 byte order mark,
 * blank lines and `#` lines. On an error the table is left empty. */
enum rm_status table_load(struct table *t, const char *dir, const char *name, bool *found,
                          struct diag *d);
/* The same, keeping only the data rows whose column `col` holds `value`
 * (every row when the header has no such column); rows of another width
 * stay an error as with table_load. */
enum rm_status table_load_where(struct table *t, const char *dir, const char *name, const char *col,
                                const char *value, bool *found, struct diag *d);
void table_fini(struct table *t);

const char *table_header(const struct table *t, size_t col);

/* The text of data row `row` (0 is the first row after the header). */
const char *table_cell(const struct table *t, size_t row, size_t col);

/* The first column named `col`: false when there is none. */
bool table_find(const struct table *t, const char *col, size_t *out);

/* The same, but a missing column is an input error that quotes the header. */
enum rm_status table_col(const struct table *t, const char *col, size_t *out, struct diag *d);

/* A number as num_parse reads it (trailing spaces allowed); an empty cell
 * (e.g. no interval from one replication) is NaN. */
enum rm_status table_num(const struct table *t, size_t row, size_t col, double *out, struct diag *d);

/* A number, or NaN when the cell is empty or holds none (or `col` is past
 * the last column): for values a reader can do without. */
double table_value(const struct table *t, size_t row, size_t col);

/* A day index: a whole number from 0 to below TABLE_MAX_DAYS. */
enum rm_status table_day(const struct table *t, size_t row, size_t col, size_t *out, struct diag *d);

/* The largest day index in column `col` plus one (0 for no rows). */
enum rm_status table_ndays(const struct table *t, size_t col, size_t *ndays, struct diag *d);

/* Names to numbers by open addressing over FNV-1a hashes, so that grouping
 * rows by name stays linear in the rows (a table may hold a hundred
 * thousand node ids). Keys are borrowed and must outlive the index.
 * Caller-owned storage: zeroed (`= {0}`) is empty; table_index_fini frees. */
struct table_index {
    struct table_index_slot {
        const char *key;  /* NULL: empty */
        size_t value;
    } *slot;
    size_t n, cap;        /* cap: 0 or a power of two, at least twice n */
};

bool table_index_find(const struct table_index *x, const char *key, size_t *value);

/* Adds a key that is not in the index yet; false without memory. */
bool table_index_add(struct table_index *x, const char *key, size_t value);
void table_index_fini(struct table_index *x);
#endif /* RAILMAIL_TABLE_H */
