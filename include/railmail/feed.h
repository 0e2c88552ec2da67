#ifndef RAILMAIL_FEED_H
#define RAILMAIL_FEED_H
/* Arrival streams for the engine. A stream's event times do not depend on
 * the simulation: each is a function of the one before (the postings of a
 * demand row, say). The feed draws every stream's times ahead, a window of
 * time at a time, and sorts each window once, so that taking the next
 * arrival costs a comparison or two where a heap would sift. Arrivals at
 * exactly the same time are given in the order of their streams' seqs,
 * which the engine keeps (feed_seqs) as if it had scheduled them. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "railmail/status.h"

/* The stream's next time after an event at after_h: >= after_h, and
 * +INFINITY when the stream has ended. */
typedef double feed_next_fn(void *arg, double after_h);

struct feed;

struct feed *feed_create(void);
void feed_destroy(struct feed *f);  /* NULL is a no-op */
/* Adds a stream whose first arrival is at first_h (+INFINITY: none) and
 * sets *id to its number, 0, 1, ... Its seq starts as FEED_NO_SEQ. */
enum rm_status feed_add(struct feed *f, double first_h, feed_next_fn *next, void *arg, size_t *id);
#define FEED_NO_SEQ UINT64_MAX
/* The streams' seqs, [feed_streams(f)]: the engine sets a stream's seq
 * when its next arrival becomes pending. The array moves when a stream is
 * added. */
uint64_t *feed_seqs(struct feed *f);
size_t feed_streams(const struct feed *f);
/* The earliest pending arrival, its time and stream; false when there is
 * none. May draw and sort the next window (allocating: RM_ENOMEM in
 * *status, else RM_OK). */
bool feed_peek(struct feed *f, double *time_h, size_t *stream, enum rm_status *status);
/* Takes the arrival feed_peek gave. True when its stream has another one
 * pending (a later or equal time), false when the stream has ended. */
bool feed_take(struct feed *f);
/* Streams with an arrival pending. */
size_t feed_pending(const struct feed *f);
#endif /* RAILMAIL_FEED_H */
