/* engine: the simulation clock and its run loop over an evq. A handler and
 * its argument ride in the queue's own slot, so scheduling allocates
 * nothing beyond the queue's doubling. The running event stays at the
 * queue's root until its handler schedules something, which then takes its
 * place in one sift: most handlers schedule exactly one follow-up. A schedule that fails for lack
 * of memory ends the run and every later one with RM_ENOMEM: the model
 * would otherwise go on with an event missing. */
#include "railmail/engine.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "railmail/evq.h"

struct engine {
    struct evq *q;
    double now_h;     /* hours since Monday 00:00 */
    uint64_t events;  /* handlers run so far */
    bool stopped;     /* engine_stop called during this engine_run */
    bool in_run;      /* engine_run is on the stack (it is not reentrant) */
    bool top_is_running;   /* the root of q is the event now running */
    enum rm_status error;  /* first failed schedule; sticks */
};

struct engine *engine_create(size_t capacity_hint)
{
    struct engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->q = evq_create(capacity_hint);
    if (!e->q) {
        free(e);
        return NULL;
    }
    e->error = RM_OK;
    return e;
}

void engine_destroy(struct engine *e)
{
    if (!e)
        return;
    evq_destroy(e->q);
    free(e);
}

double engine_now(const struct engine *e)
{
    return e->now_h;
}

enum rm_status engine_schedule(struct engine *e, double time_h, engine_handler *handler, void *arg)
{
    assert(handler);
    assert(time_h >= e->now_h && "engine_schedule: time lies in the past (or is NaN)");
    /* Converting between function pointer types is defined as long as the
     * pointer is converted back before the call, as engine_run does. */
    if (e->top_is_running) {
        e->top_is_running = false;
        evq_replace_top(e->q, time_h, (evq_fn *)handler, arg);
        return RM_OK;
    }
    if (evq_push(e->q, time_h, (evq_fn *)handler, arg) != RM_OK) {
        if (e->error == RM_OK)
            e->error = RM_ENOMEM;
        e->stopped = true;
        return RM_ENOMEM;
    }
    return RM_OK;
}

/* The clock ends at until_h, or at the last event when until_h is
 * infinite, or at the stopping event after engine_stop. A stop ends only
 * the run it was called in. */
enum rm_status engine_run(struct engine *e, double until_h)
{
    assert(!isnan(until_h) && until_h >= e->now_h);
    assert(!e->in_run && "engine_run: called from a handler");
    if (e->error != RM_OK)
        return e->error;
    e->stopped = false;
    e->in_run = true;
    struct evq *q = e->q;
    struct evq_item it;
    while (evq_peek(q, &it) && it.time_h <= until_h) {
        e->now_h = it.time_h;
        e->events++;
        e->top_is_running = true;
        ((engine_handler *)it.fn)(e, it.arg);
        if (e->top_is_running) {  /* the handler scheduled nothing */
            e->top_is_running = false;
            evq_pop(q, &it);
        }
        if (e->stopped) {
            e->in_run = false;
            return e->error;
        }
    }
    e->in_run = false;
    if (isfinite(until_h))
        e->now_h = until_h;
    return RM_OK;
}

void engine_stop(struct engine *e)
{
    e->stopped = true;
}

uint64_t engine_events(const struct engine *e)
{
    return e->events;
}

size_t engine_pending(const struct engine *e)
{
    return evq_size(e->q) - e->top_is_running;
}
