/* Tests for arrival streams (engine_stream over feed): the engine must run
 * a stream's events in exactly the order it would if each were scheduled by
 * the handler of the one before, as its last schedule. The streams here
 * step by 0, 1 or 2 hours, so ties are everywhere: between streams, with
 * scheduled events, and within a stream (a step of 0). */
#include "railmail/engine.h"
#include "railmail/evq.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define MAX_TRACE 200000

struct trace {
    int id[MAX_TRACE];
    double at[MAX_TRACE];
    size_t n;
};

struct src {
    struct engine *e;
    struct trace *tr;
    int id;
    bool as_stream;       /* else the handler schedules its successor */
    uint64_t steps;       /* the stream's own generator: its times */
    uint64_t sides;       /* the handler's generator: its side events */
    double end_h;         /* no event after it */
    double next_h;        /* classic mode: the successor's time */
};

struct side {
    struct src *src;
    int hops;
};

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static void note(struct engine *e, struct trace *tr, int id)
{
    cr_assert_lt(tr->n, MAX_TRACE);
    tr->id[tr->n] = id;
    tr->at[tr->n] = engine_now(e);
    tr->n++;
}

/* With `jump`, sources step 100 hours before hour 2,000, then 0 to 2: the
 * feed's windows grow long while arrivals are sparse, and the first one
 * after the jump must stop drawing at its cap. */
static bool jump;

static double step(void *arg, double t)
{
    struct src *s = arg;
    double next = t + (double)(xorshift(&s->steps) % 3);
    if (jump && t < 2000)
        next = t + 100;
    return next <= s->end_h ? next : INFINITY;
}

static struct side sides[MAX_TRACE];
static size_t n_sides;

static void on_side(struct engine *e, void *arg)
{
    struct side *sd = arg;
    note(e, sd->src->tr, 1000 + sd->src->id);
    if (sd->hops > 0 && xorshift(&sd->src->sides) % 2) {
        cr_assert_lt(n_sides, MAX_TRACE);
        sides[n_sides] = (struct side){ sd->src, sd->hops - 1 };
        engine_schedule(e, engine_now(e) + (double)(xorshift(&sd->src->sides) % 3), on_side, &sides[n_sides++]);
    }
}

static struct src late[8];  /* sources that join while the engine runs */
static size_t n_late;
static void on_arrival(struct engine *e, void *arg);

/* Every 50th arrival of source 0 starts a new source at once or soon:
 * inside the window the feed has drawn, which the new stream must join. */
static void maybe_add_source(struct engine *e, struct src *s)
{
    if (s->id != 0 || n_late == 8 || xorshift(&s->sides) % 50 != 0)
        return;
    struct src *n = &late[n_late];
    *n = (struct src){ e, s->tr, 100 + (int)n_late, s->as_stream, 0x5bd1e995u * (n_late + 7), 0x1234u + n_late,
                       engine_now(e) + 40, 0 };
    n_late++;
    double first = engine_now(e) + (double)(xorshift(&s->sides) % 2);
    if (s->as_stream)
        cr_assert_eq(engine_stream(e, first, step, on_arrival, n), RM_OK);
    else
        cr_assert_eq(engine_schedule(e, first, on_arrival, n), RM_OK);
}

static void on_arrival(struct engine *e, void *arg)
{
    struct src *s = arg;
    note(e, s->tr, s->id);
    maybe_add_source(e, s);
    /* a quarter of the arrivals schedule a side event, which may schedule
     * another: scheduled events tie with arrivals at every step */
    if (xorshift(&s->sides) % 4 == 0) {
        cr_assert_lt(n_sides, MAX_TRACE);
        sides[n_sides] = (struct side){ s, 2 };
        engine_schedule(e, engine_now(e) + (double)(xorshift(&s->sides) % 3), on_side, &sides[n_sides++]);
    }
    if (!s->as_stream) {  /* the successor last, as engine_stream promises */
        double next = step(s, engine_now(e));
        if (isfinite(next))
            engine_schedule(e, next, on_arrival, s);
    }
}

/* Runs n sources, as streams or scheduled, with a few events scheduled
 * before and between, until `until` then to the end; returns the trace. */
static struct trace *run(bool as_stream, size_t n, double until)
{
    static struct src srcs[64];
    struct trace *tr = calloc(1, sizeof *tr);
    cr_assert_not_null(tr);
    struct engine *e = engine_create(4);
    cr_assert_not_null(e);
    n_sides = 0;
    n_late = 0;
    for (size_t i = 0; i < n; i++) {
        srcs[i] = (struct src){ e, tr, (int)i, as_stream, 0x9e3779b97f4a7c15u * (i + 1), 0xabcdefu + i,
                                jump ? 2900.0 : i % 5 == 4 ? 5.0 : 300.0, 0 };
        if (i % 3 == 0) {  /* scheduled events interleaved with the streams' first ones */
            sides[n_sides] = (struct side){ &srcs[i], 1 };
            engine_schedule(e, (double)(i % 4), on_side, &sides[n_sides++]);
        }
        double first = i == 7 ? INFINITY : (double)(i % 3);
        if (as_stream)
            cr_assert_eq(engine_stream(e, first, step, on_arrival, &srcs[i]), RM_OK);
        else if (isfinite(first))
            cr_assert_eq(engine_schedule(e, first, on_arrival, &srcs[i]), RM_OK);
    }
    cr_assert_eq(engine_run(e, until), RM_OK);
    cr_assert_eq(engine_run(e, INFINITY), RM_OK);
    cr_assert_eq(engine_pending(e), 0);
    engine_destroy(e);
    return tr;
}

static void assert_same(const struct trace *a, const struct trace *b)
{
    cr_assert_eq(a->n, b->n, "%zu events against %zu", a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        cr_assert(a->id[i] == b->id[i] && a->at[i] == b->at[i],
                  "event %zu: %d at %g against %d at %g", i, a->id[i], a->at[i], b->id[i], b->at[i]);
}

Test(feed, streams_run_in_the_order_of_scheduling_each_event_with_ties_everywhere)
{
    struct trace *a = run(false, 40, INFINITY), *b = run(true, 40, INFINITY);
    cr_assert_gt(a->n, 10000, "the test should have many events (%zu)", a->n);
    cr_assert_eq(n_late, 8, "sources should join while the engine runs");
    assert_same(a, b);
    free(a);
    free(b);
}

Test(feed, a_run_stopped_at_a_horizon_resumes_in_the_same_order)
{
    struct trace *a = run(false, 23, 97.5), *b = run(true, 23, 97.5), *c = run(true, 23, INFINITY);
    assert_same(a, b);
    assert_same(b, c);
    free(a);
    free(b);
    free(c);
}

Test(feed, a_jump_in_rates_after_a_quiet_spell_keeps_the_order)
{
    jump = true;
    struct trace *a = run(false, 60, INFINITY), *b = run(true, 60, INFINITY);
    jump = false;
    cr_assert_gt(a->n, 40000, "the dense part should exceed a window's cap (%zu events)", a->n);
    assert_same(a, b);
    free(a);
    free(b);
}

Test(feed, one_stream_alone_and_pending_counts)
{
    struct trace *a = run(false, 1, INFINITY), *b = run(true, 1, INFINITY);
    assert_same(a, b);
    free(a);
    free(b);
}

/* evq_renumber keeps the order of seqs kept outside the queue, mixed with
 * its own items. */
static void dummy_fn(void) {}

Test(feed, renumbering_keeps_outside_seqs_in_order)
{
    struct evq *q = evq_create(8);
    uint64_t ext[6];
    cr_assert_eq(evq_share_seqs(q, ext, 6), RM_OK);
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(evq_push(q, 1.0, dummy_fn, NULL), RM_OK);
        ext[i] = i == 3 ? EVQ_NO_SEQ : evq_take_seq(q);
        cr_assert_eq(evq_push(q, 2.0, dummy_fn, NULL), RM_OK);
    }
    /* seqs so far: heap 0, ext 1, heap 2, heap 3, ext 4, ... */
    struct evq_item it;
    evq_renumber(q);
    uint64_t seen[12];
    size_t n = 0;
    while (evq_pop(q, &it))
        seen[n++] = it.seq;
    cr_assert_eq(n, 12);
    /* every outside seq lies between the seqs of the pushes around it */
    uint64_t at1[6], at2[6];
    for (int i = 0; i < 6; i++) {
        at1[i] = seen[i];      /* time 1.0, pushed i-th */
        at2[i] = seen[6 + i];  /* time 2.0 */
    }
    for (int i = 0; i < 6; i++) {
        if (i == 3) {
            cr_assert_eq(ext[i], EVQ_NO_SEQ);
            continue;
        }
        cr_assert_gt(ext[i], at1[i]);
        cr_assert_lt(ext[i], at2[i]);
        if (i > 0)
            cr_assert_gt(ext[i], at2[i - 1]);
    }
    cr_assert_lt(evq_take_seq(q), 19);  /* renumbered: 17 numbers were used */
    evq_destroy(q);
}
