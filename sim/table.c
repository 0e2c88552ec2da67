/* table: a results CSV read whole through csvread and checked to be
 * rectangular, so that every later lookup is a plain array access. Columns
 * are found by name, as in every file railmail reads; numbers are parsed
 * here so that each bad cell is reported at its line and column. */
#include "railmail/table.h"

#include "railmail/num.h"
#include "railmail/strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void table_fini(struct table *t)
{
    csvread_fini(&t->csv);
    *t = (struct table){0};
}

/* A header and rows of its width; the first row of another width is an error. */
static enum rm_status check_shape(struct table *t, struct diag *d)
{
    if (t->csv.n_rows == 0)
        return diag_error(d, &(struct diag_at){t->name, 1, 0}, "expected a header row, found an empty file");
    t->ncol = t->csv.rows[0].n_fields;
    t->nrow = t->csv.n_rows - 1;
    for (size_t r = 1; r < t->csv.n_rows; r++) {
        const struct csvread_row *row = &t->csv.rows[r];
        if (row->n_fields != t->ncol)
            return diag_error(d, &(struct diag_at){t->name, row->line, 0},
                              "expected %zu fields as in the header, found %zu", t->ncol, row->n_fields);
    }
    return RM_OK;
}

enum rm_status table_load(struct table *t, const char *dir, const char *name, bool *found,
                          struct diag *d)
{
    return table_load_where(t, dir, name, NULL, NULL, found, d);
}

enum rm_status table_load_where(struct table *t, const char *dir, const char *name, const char *col,
                                const char *value, bool *found, struct diag *d)
{
    *t = (struct table){.name = name};
    *found = false;
    struct strbuf path = {0};
    strbuf_printf(&path, "%s/%s", dir, name);
    if (path.oom) {
        strbuf_fini(&path);
        return diag_fail(d, RM_ENOMEM, "out of memory reading %s", name);
    }
    char *data;
    size_t len;
    enum rm_status st = csvread_slurp(path.s, &data, &len);
    if (st == RM_EIO) {
        int err = errno;
        if (err == EINVAL)  /* a FIFO, a device, a directory: never opened, never waited on */
            st = diag_error(d, &(struct diag_at){path.s, 0, 0}, "expected a regular file");
        else if (err != ENOENT)
            st = diag_fail(d, RM_EIO, "%s: cannot open: %s", path.s, strerror(err));
        else
            st = RM_OK;
        strbuf_fini(&path);
        return st;
    }
    strbuf_fini(&path);
    if (st != RM_OK)
        return diag_fail(d, RM_ENOMEM, "out of memory reading %s", name);
    st = csvread_parse_where(name, data, len, col, value, &t->csv, d);
    free(data);
    if (st == RM_OK)
        st = check_shape(t, d);
    if (st != RM_OK) {
        table_fini(t);
        return st;
    }
    *found = true;
    return RM_OK;
}

const char *table_header(const struct table *t, size_t col)
{
    return t->csv.rows[0].fields[col].text;
}

static const struct csvread_field *field(const struct table *t, size_t row, size_t col)
{
    return &t->csv.rows[row + 1].fields[col];
}

const char *table_cell(const struct table *t, size_t row, size_t col)
{
    return field(t, row, col)->text;
}

bool table_find(const struct table *t, const char *col, size_t *out)
{
    for (size_t i = 0; i < t->ncol; i++) {
        if (strcmp(table_header(t, i), col) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

enum rm_status table_col(const struct table *t, const char *col, size_t *out, struct diag *d)
{
    if (table_find(t, col, out))
        return RM_OK;
    struct strbuf found = {0};
    for (size_t i = 0; i < t->ncol; i++)
        strbuf_printf(&found, "%s%s", i ? "," : "", table_header(t, i));
    enum rm_status st = diag_error(d, &(struct diag_at){t->name, t->csv.rows[0].line, 0},
                                   "expected a column \"%s\", found \"%.200s\"", col, strbuf_str(&found));
    strbuf_fini(&found);
    return st;
}

/* The number in `text` (num_parse's, trailing spaces and a CR allowed);
 * false when it is none. */
static bool parse_number(const char *text, double *out)
{
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\r'))
        len--;
    return num_parse(text, len, '.', out);
}

enum rm_status table_num(const struct table *t, size_t row, size_t col, double *out, struct diag *d)
{
    const struct csvread_field *f = field(t, row, col);
    const char *s = f->text;
    if (*s == '\0') {
        *out = NAN;
        return RM_OK;
    }
    if (!parse_number(s, out))
        return diag_error(d, &(struct diag_at){t->name, f->line, f->col},
                          "%s: expected a number, got \"%.100s\"", table_header(t, col), s);
    return RM_OK;
}

double table_value(const struct table *t, size_t row, size_t col)
{
    double v;
    return col < t->ncol && parse_number(table_cell(t, row, col), &v) ? v : NAN;
}

enum rm_status table_day(const struct table *t, size_t row, size_t col, size_t *out, struct diag *d)
{
    double v;
    enum rm_status st = table_num(t, row, col, &v, d);
    if (st != RM_OK)
        return st;
    const struct csvread_field *f = field(t, row, col);
    if (!(v >= 0 && v < TABLE_MAX_DAYS) || v != floor(v))
        return diag_error(d, &(struct diag_at){t->name, f->line, f->col},
                          "%s: expected a whole number of days from 0, got \"%.100s\"", table_header(t, col),
                          f->text);
    *out = (size_t)v;
    return RM_OK;
}

enum rm_status table_ndays(const struct table *t, size_t col, size_t *ndays, struct diag *d)
{
    *ndays = 0;
    for (size_t r = 0; r < t->nrow; r++) {
        size_t day;
        enum rm_status st = table_day(t, r, col, &day, d);
        if (st != RM_OK)
            return st;
        if (day + 1 > *ndays)
            *ndays = day + 1;
    }
    return RM_OK;
}

/* ---------------------------------------------------------------- index */

static uint64_t name_hash(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The slot of `key`, or the empty slot where it would go (linear probing). */
static struct table_index_slot *slot_of(const struct table_index *x, const char *key)
{
    size_t mask = x->cap - 1, i = (size_t)name_hash(key) & mask;
    while (x->slot[i].key && strcmp(x->slot[i].key, key) != 0)
        i = (i + 1) & mask;
    return &x->slot[i];
}

bool table_index_find(const struct table_index *x, const char *key, size_t *value)
{
    if (!x->cap)
        return false;
    const struct table_index_slot *sl = slot_of(x, key);
    if (sl->key)
        *value = sl->value;
    return sl->key != NULL;
}

bool table_index_add(struct table_index *x, const char *key, size_t value)
{
    if (2 * (x->n + 1) > x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 64;
        struct table_index grown = {calloc(cap, sizeof *grown.slot), x->n, cap};
        if (!grown.slot)
            return false;
        for (size_t i = 0; i < x->cap; i++)
            if (x->slot[i].key)
                *slot_of(&grown, x->slot[i].key) = x->slot[i];
        free(x->slot);
        *x = grown;
    }
    *slot_of(x, key) = (struct table_index_slot){key, value};
    x->n++;
    return true;
}

void table_index_fini(struct table_index *x)
{
    free(x->slot);
    *x = (struct table_index){0};
}
