/* bench_engine: events per second through the whole engine (schedule,
 * queue, dispatch) with 10^3 pending events, each a trivial handler that
 * reschedules itself Exp(1) hours later. Median of 5 runs. */
#include "railmail/engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RUNS 5
#define PENDING 1000
#define EVENTS 10000000

/* CPU time of this thread, not wall time: the machine is shared, and time
 * spent descheduled says nothing about the code. Unloaded, the two agree. */
static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* xorshift64* and -log of a uniform in (0, 1]: the same draw as bench_evq. */
static inline double exp1(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    uint64_t x = *s * UINT64_C(2685821657736338717);
    return -log(((double)(x >> 11) + 1.0) * 0x1.0p-53);
}

/* The handler's state: the stream, shared by all events of one run. */
struct ctx {
    uint64_t rng;
    enum rm_status status;
};

static void reschedule(struct engine *e, void *arg)
{
    struct ctx *c = arg;
    enum rm_status st = engine_schedule(e, engine_now(e) + exp1(&c->rng), reschedule, c);
    if (st != RM_OK)
        c->status = st;
}

/* Runs until EVENTS events have run; returns events per second. */
static double run_once(uint64_t seed)
{
    struct engine *e = engine_create(PENDING);
    if (!e) {
        fprintf(stderr, "bench_engine: out of memory\n");
        exit(1);
    }
    struct ctx c = {seed, RM_OK};
    for (int i = 0; i < PENDING; i++)
        engine_schedule(e, exp1(&c.rng), reschedule, &c);
    /* Warm up, then time. Each event reschedules itself, so the mean rate is
     * PENDING events per hour and the horizon sets the number of events. */
    engine_run(e, (double)EVENTS / PENDING / 10);
    uint64_t before = engine_events(e);
    double t0 = now_ns();
    enum rm_status st = engine_run(e, engine_now(e) + (double)EVENTS / PENDING);
    double t1 = now_ns();
    uint64_t n = engine_events(e) - before;
    if (st != RM_OK || c.status != RM_OK || engine_pending(e) != PENDING) {
        fprintf(stderr, "bench_engine: run failed (status %d, pending %zu)\n", (int)st, engine_pending(e));
        exit(1);
    }
    engine_destroy(e);
    return (double)n / ((t1 - t0) * 1e-9);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    double v[RUNS];
    for (int i = 0; i < RUNS; i++)
        v[i] = run_once(0x2545F4914F6CDD1Du + (uint64_t)i);
    qsort(v, RUNS, sizeof *v, cmp_double);
    printf("engine: self-rescheduling handler, Exp(1) gaps, %d pending, median of %d runs\n", PENDING, RUNS);
    printf("%10s %16s %12s %12s\n", "pending", "events/s", "ns/event", "min..max M/s");
    printf("%10d %16.0f %12.1f %5.1f..%5.1f\n", PENDING, v[RUNS / 2], 1e9 / v[RUNS / 2], v[0] * 1e-6,
           v[RUNS - 1] * 1e-6);
    return 0;
}
