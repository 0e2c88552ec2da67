#ifndef RAILMAIL_ENGINE_H
#define RAILMAIL_ENGINE_H
/* The discrete-event engine: a clock in hours and a pending-event set.
 * Events at equal times run in the order they were scheduled. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "railmail/status.h"

struct engine;
typedef void engine_handler(struct engine *e, void *arg);

/* `capacity_hint` pending events are preallocated; the set grows as needed. */
struct engine *engine_create(size_t capacity_hint);
void engine_destroy(struct engine *e);  /* NULL is a no-op */

double engine_now(const struct engine *e);  /* hours since Monday 00:00 */

/* Schedules handler(e, arg) at time_h >= engine_now(e). No allocation
 * unless the set must grow; RM_ENOMEM if it cannot. */
enum rm_status engine_schedule(struct engine *e, double time_h, engine_handler *handler, void *arg);

/* Arrival streams: a source whose event times do not depend on the
 * simulation, each a function of the one before (a Poisson stream of
 * postings), may be given to the engine as a stream instead of scheduling
 * its events one by one: the engine draws its times ahead and merges them
 * with the scheduled events, much more cheaply than a schedule per event.
 * The order is exactly the one engine_schedule would give if the stream's
 * first event were scheduled now and each later one by the handler of the
 * one before, as the handler's last schedule. next(arg, t) gives the time
 * after an event at t: >= t, +INFINITY when the stream ends; first_h may
 * be +INFINITY (no event). RM_ENOMEM if memory runs out. */
typedef double engine_next_fn(void *arg, double after_h);
enum rm_status engine_stream(struct engine *e, double first_h, engine_next_fn *next, engine_handler *handler,
                             void *arg);
/* Runs events in time order until none is left or the next one lies after
 * until_h; the clock ends at until_h (or at the stop). Returns RM_ENOMEM if
 * a handler's schedule failed, else RM_OK. */
enum rm_status engine_run(struct engine *e, double until_h);

void engine_stop(struct engine *e);          /* from a handler: end engine_run now */
uint64_t engine_events(const struct engine *e);   /* events executed so far */
size_t engine_pending(const struct engine *e);
#endif /* RAILMAIL_ENGINE_H */
