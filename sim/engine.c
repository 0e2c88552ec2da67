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
#include "railmail/feed.h"

struct stream_handler {
    engine_handler *h;
    void *arg;
};

struct engine {
    struct evq *q;
    struct feed *feed;              /* arrival streams (engine_stream) */
    struct stream_handler *stream;  /* [feed_streams(feed)] */
    uint64_t *seq;                  /* feed_seqs(feed), which moves as streams are added;
                                       NULL until the first, so that a model without
                                       streams never looks at the feed */
    double now_h;     /* hours since Monday 00:00 */
    uint64_t events;  /* handlers run so far */
    bool stopped;     /* engine_stop called during this engine_run */
    bool in_run;      /* engine_run is on the stack (it is not reentrant) */
    bool top_is_running;   /* the root of q is the event now running */
    uint64_t schedules;    /* engine_schedule calls: q's root may have changed */
    enum rm_status error;  /* first failed schedule; sticks */
};

struct engine *engine_create(size_t capacity_hint)
{
    struct engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->q = evq_create(capacity_hint);
    e->feed = feed_create();
    if (!e->q || !e->feed) {
        engine_destroy(e);
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
    feed_destroy(e->feed);
    free(e->stream);
    free(e);
}

double engine_now(const struct engine *e)
{
    return e->now_h;
}

/* The failure of a schedule or a feed's window: the run ends. */
static enum rm_status fail(struct engine *e, enum rm_status st)
{
    if (e->error == RM_OK)
        e->error = st;
    e->stopped = true;
    return st;
}

enum rm_status engine_schedule(struct engine *e, double time_h, engine_handler *handler, void *arg)
{
    assert(handler);
    assert(time_h >= e->now_h && "engine_schedule: time lies in the past (or is NaN)");
    e->schedules++;
    /* Converting between function pointer types is defined as long as the
     * pointer is converted back before the call, as engine_run does. */
    if (e->top_is_running) {
        e->top_is_running = false;
        evq_replace_top(e->q, time_h, (evq_fn *)handler, arg);
        return RM_OK;
    }
    if (evq_push(e->q, time_h, (evq_fn *)handler, arg) != RM_OK)
        return fail(e, RM_ENOMEM);
    return RM_OK;
}

enum rm_status engine_stream(struct engine *e, double first_h, engine_next_fn *next, engine_handler *handler,
                             void *arg)
{
    assert(handler && first_h >= e->now_h);
    size_t id, n = feed_streams(e->feed);
    struct stream_handler *grown = realloc(e->stream, (n + 1) * sizeof *grown);
    if (!grown)
        return fail(e, RM_ENOMEM);
    e->stream = grown;
    if (feed_add(e->feed, first_h, next, arg, &id) != RM_OK
        || evq_share_seqs(e->q, feed_seqs(e->feed), feed_streams(e->feed)) != RM_OK)
        return fail(e, RM_ENOMEM);
    e->stream[id] = (struct stream_handler){ handler, arg };
    e->seq = feed_seqs(e->feed);
    if (isfinite(first_h))  /* as engine_schedule would number it now */
        e->seq[id] = evq_take_seq(e->q);
    return RM_OK;
}

/* Runs the feed's next arrival, which is due before the queue's next
 * event; its stream's next arrival is then numbered as if the handler had
 * scheduled it last. */
static void run_arrival(struct engine *e, double t, size_t stream)
{
    e->now_h = t;
    e->events++;
    bool more = feed_take(e->feed);
    e->stream[stream].h(e, e->stream[stream].arg);
    e->seq[stream] = more ? evq_take_seq(e->q) : FEED_NO_SEQ;
}

/* True when the feed's arrival (t, its stream's seq) comes before the
 * queue's item `it` (have: the queue is not empty). */
static bool arrival_first(const struct engine *e, double t, size_t stream, bool have, const struct evq_item *it)
{
    return !have || t < it->time_h || (t == it->time_h && e->seq[stream] < it->seq);
}

enum arrivals {
    ARRIVALS_NONE,           /* the queue's root comes first (or nothing is left) */
    ARRIVALS_LATE,           /* the next arrival lies past until_h, before the root */
    ARRIVALS_STOPPED,        /* a handler stopped the engine, or a window failed */
    ARRIVALS_QUEUE_CHANGED,  /* a handler scheduled: the root may have changed */
};

/* Runs the arrivals due before the queue's root `it` (have: the queue is
 * not empty), as long as their handlers leave the queue alone, as a
 * posting does. */
static enum arrivals run_arrivals(struct engine *e, bool have, const struct evq_item *it, double until_h)
{
    uint64_t schedules = e->schedules;
    double t;
    size_t stream;
    enum rm_status st;
    while (feed_peek(e->feed, &t, &stream, &st) && arrival_first(e, t, stream, have, it)) {
        if (!(t <= until_h))
            return ARRIVALS_LATE;
        run_arrival(e, t, stream);
        if (e->stopped)
            return ARRIVALS_STOPPED;
        if (schedules != e->schedules)
            return ARRIVALS_QUEUE_CHANGED;
    }
    if (st != RM_OK) {
        fail(e, st);
        return ARRIVALS_STOPPED;
    }
    return ARRIVALS_NONE;
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
    for (;;) {
        bool have = evq_peek(q, &it);
        if (e->seq) {  /* streams: their arrivals due before the queue's root */
            enum arrivals next = run_arrivals(e, have, &it, until_h);
            if (next == ARRIVALS_LATE)
                goto done;
            if (next == ARRIVALS_STOPPED)
                goto stopped;
            if (next == ARRIVALS_QUEUE_CHANGED)
                continue;
        }
        if (!have || !(it.time_h <= until_h))
            break;
        e->now_h = it.time_h;
        e->events++;
        e->top_is_running = true;
        ((engine_handler *)it.fn)(e, it.arg);
        if (e->top_is_running) {  /* the handler scheduled nothing */
            e->top_is_running = false;
            evq_pop(q, &it);
        }
        if (e->stopped)
            goto stopped;
    }
done:
    e->in_run = false;
    if (isfinite(until_h))
        e->now_h = until_h;
    return RM_OK;
stopped:
    e->in_run = false;
    return e->error;
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
    return evq_size(e->q) - e->top_is_running + feed_pending(e->feed);
}
