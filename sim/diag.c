/* diag: collected error messages and warnings, each already formatted with
 * its position, in two lists of the same kind. Storage grows geometrically;
 * a failed allocation keeps the count so that the caller still learns that
 * something went wrong. */
#include "railmail/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct list {
    char **msgs;
    size_t n, cap;
    size_t lost;  /* messages dropped for lack of memory */
};

struct diag {
    struct list errors, warnings;
};

struct diag *diag_create(void)
{
    return calloc(1, sizeof(struct diag));
}

static void list_clear(struct list *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->msgs[i]);
    d->n = 0;
    d->lost = 0;
}

void diag_clear(struct diag *d)
{
    list_clear(&d->errors);
    list_clear(&d->warnings);
}

void diag_destroy(struct diag *d)
{
    if (!d)
        return;
    diag_clear(d);
    free(d->errors.msgs);
    free(d->warnings.msgs);
    free(d);
}

/* Appends prefix + formatted text; keeps count even when memory runs out. */
static void add(struct list *d, const char *prefix, const char *fmt, va_list ap)
{
    char body[1024];
    vsnprintf(body, sizeof body, fmt, ap);
    size_t len = strlen(prefix) + strlen(body) + 1;
    char *m = malloc(len);
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 8;
        char **grown = realloc(d->msgs, cap * sizeof *grown);
        if (grown) {
            d->msgs = grown;
            d->cap = cap;
        }
    }
    if (!m || d->n == d->cap) {
        free(m);
        d->lost++;
        return;
    }
    snprintf(m, len, "%s%s", prefix, body);
    d->msgs[d->n++] = m;
}

/* "FILE:LINE:COL: " with the parts of `at` that are set. */
static void position(const struct diag_at *at, char *prefix, size_t len)
{
    prefix[0] = '\0';
    if (at && at->file) {
        if (at->line && at->col)
            snprintf(prefix, len, "%s:%u:%u: ", at->file, at->line, at->col);
        else if (at->line)
            snprintf(prefix, len, "%s:%u: ", at->file, at->line);
        else
            snprintf(prefix, len, "%s: ", at->file);
    }
}

enum rm_status diag_error(struct diag *d, const struct diag_at *at, const char *fmt, ...)
{
    char prefix[512];
    position(at, prefix, sizeof prefix);
    va_list ap;
    va_start(ap, fmt);
    add(&d->errors, prefix, fmt, ap);
    va_end(ap);
    return RM_EINPUT;
}

void diag_warn(struct diag *d, const struct diag_at *at, const char *fmt, ...)
{
    char prefix[512];
    position(at, prefix, sizeof prefix);
    va_list ap;
    va_start(ap, fmt);
    add(&d->warnings, prefix, fmt, ap);
    va_end(ap);
}

enum rm_status diag_fail(struct diag *d, enum rm_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(&d->errors, "", fmt, ap);
    va_end(ap);
    return status;
}

size_t diag_count(const struct diag *d)
{
    return d->errors.n + d->errors.lost;
}

const char *diag_message(const struct diag *d, size_t i)
{
    return i < d->errors.n ? d->errors.msgs[i] : "out of memory while recording an error";
}

size_t diag_warning_count(const struct diag *d)
{
    return d->warnings.n + d->warnings.lost;
}

const char *diag_warning(const struct diag *d, size_t i)
{
    return i < d->warnings.n ? d->warnings.msgs[i] : "out of memory while recording a warning";
}
