#ifndef RAILMAIL_TESTS_MM1_MODEL_H
#define RAILMAIL_TESTS_MM1_MODEL_H
/* An M/M/1 queue on railmail's engine, shared by tests/test_mm1.c and
 * tests/bench/bench_mm1.c: Poisson arrivals, exponential service, one
 * server and a FIFO ring of the waiting customers' arrival times, so that a
 * customer costs two events and no allocation. Not a sim/ module: every
 * function is static inline so that an includer may leave some unused. */
#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "railmail/engine.h"
#include "railmail/stream.h"

struct mm1 {
    struct engine *e;
    gsl_rng *arrivals, *service;  /* one stream each */
    double lambda, mu;            /* arrival and service rates per hour */
    uint64_t target;              /* stop when this many have departed */
    double *ring;                 /* arrival times of the waiting, FIFO */
    size_t cap, head, waiting;    /* cap is a power of two */
    bool busy;
    double served_arrival, served_start;  /* the customer in service */
    uint64_t departed;
    double sum_system, sum_wait;  /* over departed customers, hours */
    double area, last_h;          /* integral of the number in system */
    unsigned in_system;
    enum rm_status status;        /* first failure, RM_OK otherwise */
};

static inline void mm1_departure(struct engine *e, void *arg);

/* Records a failed schedule or growth; the first failure ends the run. */
static inline void mm1_fail(struct mm1 *m, enum rm_status st)
{
    if (m->status == RM_OK)
        m->status = st;
    engine_stop(m->e);
}

/* Adds the number in system times the time since it last changed. */
static inline void mm1_advance(struct mm1 *m, double now_h)
{
    m->area += m->in_system * (now_h - m->last_h);
    m->last_h = now_h;
}

/* Puts the customer who arrived at arrival_h into service now. */
static inline void mm1_serve(struct mm1 *m, double arrival_h)
{
    double now_h = engine_now(m->e);
    m->busy = true;
    m->served_arrival = arrival_h;
    m->served_start = now_h;
    double service_h = gsl_ran_exponential(m->service, 1.0 / m->mu);
    enum rm_status st = engine_schedule(m->e, now_h + service_h, mm1_departure, m);
    if (st != RM_OK)
        mm1_fail(m, st);
}

/* Doubles the ring, unwrapping it; amortised, never once per customer. */
static inline bool mm1_grow(struct mm1 *m)
{
    double *r = realloc(m->ring, 2 * m->cap * sizeof *r);
    if (!r)
        return false;
    /* The wrapped part [0, head) moves after the old end. */
    memcpy(r + m->cap, r, m->head * sizeof *r);
    m->ring = r;
    m->cap *= 2;
    return true;
}

/* A customer arrives: the next arrival is scheduled first (it replaces the
 * running event in the engine's heap), then this one is served or waits. */
static inline void mm1_arrival(struct engine *e, void *arg)
{
    struct mm1 *m = arg;
    double now_h = engine_now(e);
    enum rm_status st = engine_schedule(e, now_h + gsl_ran_exponential(m->arrivals, 1.0 / m->lambda), mm1_arrival, m);
    if (st != RM_OK) {
        mm1_fail(m, st);
        return;
    }
    mm1_advance(m, now_h);
    m->in_system++;
    if (!m->busy) {
        mm1_serve(m, now_h);
        return;
    }
    if (m->waiting == m->cap && !mm1_grow(m)) {
        mm1_fail(m, RM_ENOMEM);
        return;
    }
    m->ring[(m->head + m->waiting++) & (m->cap - 1)] = now_h;
}

/* The customer in service leaves; the head of the queue, if any, starts. */
static inline void mm1_departure(struct engine *e, void *arg)
{
    struct mm1 *m = arg;
    double now_h = engine_now(e);
    mm1_advance(m, now_h);
    m->in_system--;
    m->sum_system += now_h - m->served_arrival;
    m->sum_wait += m->served_start - m->served_arrival;
    m->busy = false;
    if (++m->departed == m->target) {
        engine_stop(e);
        return;
    }
    if (m->waiting > 0) {
        double arrival_h = m->ring[m->head];
        m->head = (m->head + 1) & (m->cap - 1);
        m->waiting--;
        mm1_serve(m, arrival_h);
    }
}

/* Frees what mm1_init took; safe after a failed mm1_init. */
static inline void mm1_fini(struct mm1 *m)
{
    engine_destroy(m->e);
    if (m->arrivals)
        gsl_rng_free(m->arrivals);
    if (m->service)
        gsl_rng_free(m->service);
    free(m->ring);
    memset(m, 0, sizeof *m);
}

/* An empty system at time 0, rates per hour, streams "mm1:arrivals" and
 * "mm1:service" of (seed, replication 0). Returns false when out of memory
 * (call mm1_fini all the same). */
static inline bool mm1_init(struct mm1 *m, double lambda, double mu, uint64_t customers, uint64_t seed)
{
    *m = (struct mm1){.lambda = lambda, .mu = mu, .target = customers, .cap = 1024, .status = RM_OK};
    m->e = engine_create(4);
    m->arrivals = stream_create(seed, 0, "mm1:arrivals");
    m->service = stream_create(seed, 0, "mm1:service");
    m->ring = malloc(m->cap * sizeof *m->ring);
    return m->e && m->arrivals && m->service && m->ring;
}

/* Runs until `customers` have departed; RM_OK or the first failure. */
static inline enum rm_status mm1_run(struct mm1 *m)
{
    enum rm_status st = engine_schedule(m->e, gsl_ran_exponential(m->arrivals, 1.0 / m->lambda), mm1_arrival, m);
    if (st == RM_OK)
        st = engine_run(m->e, INFINITY);
    if (st == RM_OK)
        st = m->status;
    assert(st != RM_OK || m->departed == m->target);  /* arrivals never stop */
    return st;
}

/* Mean time in system (W), mean wait before service (Wq), hours, and the
 * time-average number in system (L) over [0, last departure]. */
static inline double mm1_mean_system(const struct mm1 *m) { return m->sum_system / (double)m->departed; }
static inline double mm1_mean_wait(const struct mm1 *m) { return m->sum_wait / (double)m->departed; }
static inline double mm1_mean_number(const struct mm1 *m) { return m->area / m->last_h; }

#endif /* RAILMAIL_TESTS_MM1_MODEL_H */
