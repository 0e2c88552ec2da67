#ifndef RAILMAIL_EVQ_H
#define RAILMAIL_EVQ_H
/* The pending-event set: items (time, callback, argument) popped earliest
 * first, equal times in the order they were pushed, so that runs are
 * reproducible. The structure behind it (today a 4-ary heap) is private. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "railmail/status.h"

struct evq;

/* A generic function pointer. The queue only stores it: the owner casts its
 * own callback type to evq_fn * on push and back before calling it. */
typedef void evq_fn(void);

struct evq_item {
    double time_h;  /* hours */
    uint64_t seq;   /* push order among the pending items (see evq_renumber) */
    evq_fn *fn;
    void *arg;
};

/* Preallocates room for `capacity` items (at least 1); the queue grows by
 * doubling as needed. NULL if memory runs out or capacity is absurd. */
struct evq *evq_create(size_t capacity);
void evq_destroy(struct evq *q);  /* NULL is a no-op */

/* Adds an item; time_h must not be NaN. No allocation unless the queue is
 * full; RM_ENOMEM (queue unchanged) if growing fails. */
enum rm_status evq_push(struct evq *q, double time_h, evq_fn *fn, void *arg);

/* Removes the earliest item into *out; among equal times, the one pushed
 * first. Returns false when the queue is empty. */
bool evq_pop(struct evq *q, struct evq_item *out);

/* Copies the earliest item into *out without removing it. Returns false
 * when the queue is empty. */
bool evq_peek(const struct evq *q, struct evq_item *out);

/* Removes the earliest item and adds (time_h, fn, arg) in one pass, as if
 * by evq_pop then evq_push but cheaper, and never allocating. The queue
 * must not be empty. A simulation whose handler schedules one follow-up
 * event peeks, runs the handler, then replaces. */
void evq_replace_top(struct evq *q, double time_h, evq_fn *fn, void *arg);

/* The earliest time, or +INFINITY when the queue is empty. */
double evq_peek_time(const struct evq *q);

size_t evq_size(const struct evq *q);

/* A seq for an item the caller keeps outside the queue (an arrival of a
 * feed), taken from the same count, so that it orders with the queue's
 * items as if it had been pushed now. */
uint64_t evq_take_seq(struct evq *q);
/* Registers the seqs of the items kept outside, [n], EVQ_NO_SEQ where
 * none: evq_renumber renumbers them with the queue's own, keeping the
 * order. Called again whenever the array moves or grows. */
#define EVQ_NO_SEQ UINT64_MAX
enum rm_status evq_share_seqs(struct evq *q, uint64_t *seqs, size_t n);
/* Renumbers the pending items' sequence numbers 0, 1, ... in their current
 * order, which is unchanged. The queue does this by itself when 2^32 pushes
 * have used up the sequence space; until then seq counts pushes from 0. */
void evq_renumber(struct evq *q);
#endif /* RAILMAIL_EVQ_H */
