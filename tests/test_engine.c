/* Tests for engine: time order, ties in scheduling order, the horizon,
 * engine_stop, event counts and rescheduling from handlers. */
#include "railmail/engine.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>

/* What the handlers saw, in the order they ran. */
struct log {
    int id[64];
    double at[64];
    size_t n;
    struct log_event *stop_on;  /* stop the engine when this event runs */
};

struct log_event {
    struct log *log;
    int id;
};

static void record(struct engine *e, void *arg)
{
    struct log_event *ev = arg;
    struct log *log = ev->log;
    cr_assert_lt(log->n, 64);
    log->id[log->n] = ev->id;
    log->at[log->n] = engine_now(e);
    log->n++;
    if (log->stop_on == ev)
        engine_stop(e);
}

Test(engine, runs_events_in_time_order_with_ties_in_schedule_order)
{
    struct engine *e = engine_create(2);
    cr_assert_not_null(e);
    struct log log = {0};
    struct log_event ev[6];
    static const double t[6] = {7.25, 2.385, 4.8, 2.385, 0.615, 2.385};
    for (int i = 0; i < 6; i++) {
        ev[i] = (struct log_event){&log, i};
        cr_assert_eq(engine_schedule(e, t[i], record, &ev[i]), RM_OK);
    }
    cr_assert_eq(engine_pending(e), 6);
    cr_assert_eq(engine_run(e, 100.0), RM_OK);
    static const int order[6] = {4, 1, 3, 5, 2, 0};
    cr_assert_eq(log.n, 6);
    for (int i = 0; i < 6; i++) {
        cr_assert_eq(log.id[i], order[i], "event %d: expected id %d, got %d", i, order[i], log.id[i]);
        cr_assert_eq(log.at[i], t[order[i]]);
    }
    cr_assert_eq(engine_events(e), 6);
    cr_assert_eq(engine_pending(e), 0);
    cr_assert_eq(engine_now(e), 100.0);
    engine_destroy(e);
}

Test(engine, events_after_horizon_stay_pending_for_the_next_run)
{
    struct engine *e = engine_create(4);
    cr_assert_not_null(e);
    struct log log = {0};
    struct log_event ev[4];
    static const double t[4] = {1.2, 2.385, 2.3851, 9.6};
    for (int i = 0; i < 4; i++) {
        ev[i] = (struct log_event){&log, i};
        cr_assert_eq(engine_schedule(e, t[i], record, &ev[i]), RM_OK);
    }
    /* An event exactly at the horizon runs; one just after does not. */
    cr_assert_eq(engine_run(e, 2.385), RM_OK);
    cr_assert_eq(log.n, 2);
    cr_assert_eq(engine_now(e), 2.385);
    cr_assert_eq(engine_pending(e), 2);
    cr_assert_eq(engine_events(e), 2);

    cr_assert_eq(engine_run(e, 5.5), RM_OK);
    cr_assert_eq(log.n, 3);
    cr_assert_eq(log.id[2], 2);
    cr_assert_eq(log.at[2], 2.3851);
    cr_assert_eq(engine_now(e), 5.5);

    cr_assert_eq(engine_run(e, 20.75), RM_OK);
    cr_assert_eq(log.n, 4);
    cr_assert_eq(log.at[3], 9.6);
    cr_assert_eq(engine_now(e), 20.75);
    cr_assert_eq(engine_events(e), 4);
    cr_assert_eq(engine_pending(e), 0);
    engine_destroy(e);
}

Test(engine, empty_run_advances_the_clock)
{
    struct engine *e = engine_create(0);
    cr_assert_not_null(e);
    cr_assert_eq(engine_now(e), 0.0);
    cr_assert_eq(engine_run(e, 3.125), RM_OK);
    cr_assert_eq(engine_now(e), 3.125);
    cr_assert_eq(engine_events(e), 0);
    engine_destroy(e);
}

Test(engine, stop_ends_the_run_at_the_stopping_event)
{
    struct engine *e = engine_create(4);
    cr_assert_not_null(e);
    struct log log = {0};
    struct log_event ev[3];
    static const double t[3] = {1.5, 2.385, 3.0};
    for (int i = 0; i < 3; i++) {
        ev[i] = (struct log_event){&log, i};
        cr_assert_eq(engine_schedule(e, t[i], record, &ev[i]), RM_OK);
    }
    log.stop_on = &ev[1];
    cr_assert_eq(engine_run(e, 10.0), RM_OK);
    cr_assert_eq(log.n, 2);
    cr_assert_eq(engine_now(e), 2.385);
    cr_assert_eq(engine_pending(e), 1);
    cr_assert_eq(engine_events(e), 2);
    /* A later run resumes with what is left. */
    cr_assert_eq(engine_run(e, 10.0), RM_OK);
    cr_assert_eq(log.n, 3);
    cr_assert_eq(log.id[2], 2);
    cr_assert_eq(engine_now(e), 10.0);
    engine_destroy(e);
}

/* A self-rescheduling handler: a train that leaves every 2.385 hours. */
struct ticker {
    double period_h;
    unsigned runs;
    double last_h;
};

static void tick(struct engine *e, void *arg)
{
    struct ticker *t = arg;
    t->runs++;
    t->last_h = engine_now(e);
    cr_assert_eq(engine_schedule(e, engine_now(e) + t->period_h, tick, t), RM_OK);
}

Test(engine, handlers_reschedule_and_count_events)
{
    struct engine *e = engine_create(1);
    cr_assert_not_null(e);
    struct ticker a = {2.385, 0, 0}, b = {7.0, 0, 0};
    cr_assert_eq(engine_schedule(e, 0.0, tick, &a), RM_OK);
    cr_assert_eq(engine_schedule(e, 0.5, tick, &b), RM_OK);
    cr_assert_eq(engine_run(e, 100.0), RM_OK);
    /* a runs at 0, 2.385, ..., k * 2.385 <= 100 (floating sums, so
     * compare with the times the handler itself computed). */
    double t = 0.0;
    unsigned expect_a = 0;
    while (t <= 100.0) {
        expect_a++;
        t += 2.385;
    }
    cr_assert_eq(a.runs, expect_a);
    cr_assert_eq(b.runs, 15);  /* 0.5, 7.5, ..., 98.5 */
    cr_assert_eq(b.last_h, 98.5);
    cr_assert_eq(engine_events(e), expect_a + 15);
    cr_assert_eq(engine_pending(e), 2);
    engine_destroy(e);
}

/* Events scheduled for "now" from a handler run in the same engine_run,
 * after the events already waiting at that time. */
struct chain {
    struct log_event *self, *then;
};

static void schedule_now(struct engine *e, void *arg)
{
    struct chain *c = arg;
    record(e, c->self);
    cr_assert_eq(engine_schedule(e, engine_now(e), record, c->then), RM_OK);
}

Test(engine, event_scheduled_now_runs_after_those_already_due)
{
    struct engine *e = engine_create(4);
    cr_assert_not_null(e);
    struct log log = {0};
    struct log_event first = {&log, 0}, waiting = {&log, 1}, scheduled = {&log, 2};
    struct chain c = {&first, &scheduled};
    cr_assert_eq(engine_schedule(e, 4.2, schedule_now, &c), RM_OK);
    cr_assert_eq(engine_schedule(e, 4.2, record, &waiting), RM_OK);
    cr_assert_eq(engine_run(e, 4.2), RM_OK);
    cr_assert_eq(log.n, 3);
    cr_assert_eq(log.id[0], 0);
    cr_assert_eq(log.id[1], 1);
    cr_assert_eq(log.id[2], 2);
    cr_assert_eq(engine_events(e), 3);
    engine_destroy(e);
}

/* Checks that the clock never goes back; arg holds the last time seen. */
static void check_monotone(struct engine *e, void *arg)
{
    double *last = arg;
    cr_assert_geq(engine_now(e), *last);
    *last = engine_now(e);
}

Test(engine, many_events_run_in_order_across_growth)
{
    enum { N = 20000 };
    struct engine *e = engine_create(1);
    cr_assert_not_null(e);
    double last = 0.0;
    uint64_t s = 0x9e37;
    for (int i = 0; i < N; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        cr_assert_eq(engine_schedule(e, (double)(s % 100000) * 0.001, check_monotone, &last), RM_OK);
    }
    cr_assert_eq(engine_pending(e), N);
    /* An infinite horizon runs everything and leaves the clock at the last event. */
    cr_assert_eq(engine_run(e, INFINITY), RM_OK);
    cr_assert_eq(engine_events(e), N);
    cr_assert_eq(engine_pending(e), 0);
    cr_assert_eq(engine_now(e), last);
    cr_assert_leq(last, 99.999);
    engine_destroy(e);
}

Test(engine, absurd_capacity_fails_cleanly)
{
    cr_assert_null(engine_create(SIZE_MAX));
    engine_destroy(NULL);
}

static void nothing(struct engine *e, void *arg)
{
    (void)e;
    (void)arg;
}

/* Scheduling in the past is our own bug, caught by an assertion. */
Test(engine, scheduling_in_the_past_aborts, .signal = SIGABRT, .init = cr_redirect_stderr)
{
    struct engine *e = engine_create(1);
    cr_assert_not_null(e);
    cr_assert_eq(engine_run(e, 5.25), RM_OK);
    engine_schedule(e, 5.0, nothing, NULL);
    engine_destroy(e);
}

/* A handler that schedules k copies of itself, k cycling 0, 1, 2, and
 * checks that the running event is not counted as pending. */
struct fan {
    unsigned calls;
    size_t pending_seen[16];
};

static void fan_out(struct engine *e, void *arg)
{
    struct fan *f = arg;
    if (f->calls < 16)
        f->pending_seen[f->calls] = engine_pending(e);
    unsigned k = f->calls++ % 3;
    for (unsigned i = 0; i < k; i++)
        cr_assert_eq(engine_schedule(e, engine_now(e) + 1.25 * (i + 1), fan_out, f), RM_OK);
}

Test(engine, handlers_may_schedule_none_one_or_several_events)
{
    struct engine *e = engine_create(2);
    cr_assert_not_null(e);
    struct fan f = {0, {0}};
    cr_assert_eq(engine_schedule(e, 0.5, fan_out, &f), RM_OK);
    cr_assert_eq(engine_schedule(e, 0.75, fan_out, &f), RM_OK);
    /* 0.5: k=0, pending {0.75}; 0.75: k=1, adds 2.0; 2.0: k=2, adds 3.25, 4.5;
     * 3.25: k=0; 4.5: k=1, adds 5.75; 5.75: k=2, adds 7.0, 8.25. */
    cr_assert_eq(engine_run(e, 6.0), RM_OK);
    cr_assert_eq(f.calls, 6);
    static const size_t seen[6] = {1, 0, 0, 1, 0, 0};
    for (int i = 0; i < 6; i++)
        cr_assert_eq(f.pending_seen[i], seen[i], "call %d: expected %zu pending, got %zu", i, seen[i],
                     f.pending_seen[i]);
    cr_assert_eq(engine_pending(e), 2);
    cr_assert_eq(engine_events(e), 6);
    cr_assert_eq(engine_run(e, 7.0), RM_OK);
    cr_assert_eq(f.calls, 7);
    cr_assert_eq(engine_pending(e), 1);  /* 7.0 scheduled nothing: 8.25 is left */
    engine_destroy(e);
}
