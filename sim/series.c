/* series: named daily series grouped from a long-format results table
 * (one row per day and key) through a name index, so that grouping stays
 * linear in the rows however many keys there are. */
#include "railmail/series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool series_init(struct series *s, const char *name, size_t ndays)
{
    *s = (struct series){strdup(name), calloc(ndays ? ndays : 1, sizeof(double)), 0, 0};
    if (s->name && s->v)
        return true;
    free(s->name);
    free(s->v);
    *s = (struct series){0};
    return false;
}

void series_free(struct series *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].name);
        free(s[i].v);
    }
    free(s);
}

enum rm_status series_split(const struct table *t, const char *key_col, const char *val_col, size_t ndays,
                            const char *const *order, size_t norder, struct series **out, size_t *nout,
                            struct diag *d)
{
    size_t cday, ckey, cval;
    enum rm_status st;
    *out = NULL;
    *nout = 0;
    if ((st = table_col(t, "day", &cday, d)) != RM_OK || (st = table_col(t, key_col, &ckey, d)) != RM_OK ||
        (st = table_col(t, val_col, &cval, d)) != RM_OK)
        return st;
    struct series *s = NULL;
    struct table_index names = {0};
    size_t n = 0, cap = 0;
    for (size_t r = 0; r < t->nrow + norder; r++) {
        const char *key = r < norder ? order[r] : table_cell(t, r - norder, ckey);
        size_t i;
        if (!table_index_find(&names, key, &i)) {
            if (n == cap) {
                size_t c = cap ? 2 * cap : 8;
                struct series *g = realloc(s, c * sizeof *g);
                if (!g)
                    goto oom;
                s = g;
                cap = c;
            }
            i = n++;
            if (!series_init(&s[i], key, ndays) || !table_index_add(&names, s[i].name, i))
                goto oom;
        }
        if (r < norder)
            continue;
        size_t day;
        double v;
        if ((st = table_day(t, r - norder, cday, &day, d)) != RM_OK ||
            (st = table_num(t, r - norder, cval, &v, d)) != RM_OK)
            goto fail;
        if (day < ndays && isfinite(v)) {
            s[i].v[day] += v;
            s[i].total += v;
            if (v > s[i].peak)
                s[i].peak = v;
        }
    }
    table_index_fini(&names);
    *out = s;
    *nout = n;
    return RM_OK;
oom:
    st = diag_fail(d, RM_ENOMEM, "out of memory reading %s", t->name);
fail:
    table_index_fini(&names);
    series_free(s, n);
    return st;
}

double series_mean(const struct series *s, size_t lo, size_t hi)
{
    double sum = 0;
    for (size_t k = lo; k <= hi; k++)
        sum += s->v[k];
    return sum / (double)(hi - lo + 1);
}
