#ifndef RAILMAIL_SERIES_H
#define RAILMAIL_SERIES_H
/* Named daily series read from a results table, dense over days
 * 0..ndays-1, and their moving averages. The charts use them to choose
 * which lines to draw (by peak or total) and to print 7-day averages. */
#include <stdbool.h>
#include <stddef.h>
#include "railmail/diag.h"
#include "railmail/status.h"
#include "railmail/table.h"

/* Days absent from the table are 0; values are in the table's unit. */
struct series {
    char *name;
    double *v;             /* v[day] for day < ndays */
    double peak, total;    /* the largest day and the sum of all days */
};

/* Names `s` and gives it ndays zeros (at least one, so `v` is never NULL).
 * False without memory, leaving `s` zeroed. */
bool series_init(struct series *s, const char *name, size_t ndays);

/* Frees an array of n series from series_init or series_split; NULL is a
 * no-op. */
void series_free(struct series *s, size_t n);

/* Splits a long-format table (columns `day`, `key_col`, `val_col`) into one
 * series per key, in order of first appearance; the `norder` keys of
 * `order` (may be NULL) come first, even when the table lacks them. Several
 * rows of one key and day add up; days from ndays on and empty cells are
 * left out. Linear in the rows. */
enum rm_status series_split(const struct table *t, const char *key_col, const char *val_col, size_t ndays,
                            const char *const *order, size_t norder, struct series **out, size_t *nout,
                            struct diag *d);

/* The mean of s->v[lo..hi], both included (lo <= hi). */
double series_mean(const struct series *s, size_t lo, size_t hi);
#endif /* RAILMAIL_SERIES_H */
