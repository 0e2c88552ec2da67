#ifndef RAILMAIL_DIAG_H
#define RAILMAIL_DIAG_H
/* Collected error messages, and warnings kept apart from them. Loaders keep
 * going after an error so that `railmail validate` can report every
 * problem; only cli.c prints them. A warning never makes a load fail. */
#include <stddef.h>
#include "railmail/status.h"

struct diag;

/* Where a problem was found. line and col count from 1; 0 leaves them out. */
struct diag_at {
    const char *file;
    unsigned line, col;
};

struct diag *diag_create(void);
void diag_destroy(struct diag *d);  /* NULL is a no-op */

/* Records "FILE:LINE:COL: message" (the parts of `at` that are set; `at` may
 * be NULL) and returns RM_EINPUT so callers can `return diag_error(...)`. */
enum rm_status diag_error(struct diag *d, const struct diag_at *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, for failures that are not the user's input: returns `status`. */
enum rm_status diag_fail(struct diag *d, enum rm_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a warning, formatted as diag_error's messages: something that
 * does not stop a run but that a planner should fix. Warnings are not
 * counted by diag_count. */
void diag_warn(struct diag *d, const struct diag_at *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

size_t diag_count(const struct diag *d);  /* errors only */
const char *diag_message(const struct diag *d, size_t i);
size_t diag_warning_count(const struct diag *d);
const char *diag_warning(const struct diag *d, size_t i);
void diag_clear(struct diag *d);  /* errors and warnings */
#endif /* RAILMAIL_DIAG_H */
