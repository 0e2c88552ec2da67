/* bench_evq: the classic hold model. Fill the queue with N items at Exp(1)
 * times, then repeatedly pop the earliest and push it back at its time plus
 * Exp(1). Prints ns per hold (median of 5 runs, the random draw included)
 * for evq and for a plain swap-based binary heap written here as a baseline,
 * and for evq's one-pass evq_replace_top, which is what the engine uses.
 * `bench_evq N` runs one size only, for profiling. */
#include "railmail/evq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RUNS 5

/* xorshift64*: a few cycles per draw, the same stream for both heaps. */
struct rng {
    uint64_t s;
};

static inline double exp1(struct rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    uint64_t x = r->s * UINT64_C(2685821657736338717);
    /* 53 random bits to a uniform in (0, 1], so the log is finite. */
    double u = ((double)(x >> 11) + 1.0) * 0x1.0p-53;
    return -log(u);
}

/* CPU time of this thread, not wall time: the machine is shared, and time
 * spent descheduled says nothing about the code. Unloaded, the two agree. */
static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The baseline: a textbook binary heap of 24-byte entries that swaps. */
struct base_entry {
    double t;
    uint64_t seq;
    void *arg;
};

struct base_heap {
    struct base_entry *a;
    size_t n;
    uint64_t seq;
};

static inline int base_less(const struct base_entry *x, const struct base_entry *y)
{
    return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static inline void base_swap(struct base_entry *x, struct base_entry *y)
{
    struct base_entry t = *x;
    *x = *y;
    *y = t;
}

static void base_push(struct base_heap *h, double t, void *arg)
{
    size_t i = h->n++;
    h->a[i] = (struct base_entry){t, h->seq++, arg};
    while (i > 0 && base_less(&h->a[i], &h->a[(i - 1) / 2])) {
        base_swap(&h->a[i], &h->a[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static struct base_entry base_pop(struct base_heap *h)
{
    struct base_entry top = h->a[0];
    h->a[0] = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < h->n && base_less(&h->a[l], &h->a[m]))
            m = l;
        if (l + 1 < h->n && base_less(&h->a[l + 1], &h->a[m]))
            m = l + 1;
        if (m == i)
            break;
        base_swap(&h->a[i], &h->a[m]);
        i = m;
    }
    return top;
}

#define WARMUP_MAX 300000

static size_t holds_for(size_t n)
{
    return n >= 1000000 ? 1000000 : 2000000;
}

static double sink;  /* keeps the compiler from dropping the work */

/* One run with evq: ns per hold. */
static double run_evq(size_t n, uint64_t seed)
{
    struct rng r = {seed};
    struct evq *q = evq_create(n);
    if (!q) {
        fprintf(stderr, "bench_evq: out of memory at n = %zu\n", n);
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        evq_push(q, exp1(&r), NULL, NULL);
    struct evq_item it;
    for (size_t i = 0; i < n && i < WARMUP_MAX; i++) {  /* towards a steady state */
        evq_pop(q, &it);
        evq_push(q, it.time_h + exp1(&r), it.fn, it.arg);
    }
    size_t holds = holds_for(n);
    double t0 = now_ns();
    for (size_t i = 0; i < holds; i++) {
        evq_pop(q, &it);
        evq_push(q, it.time_h + exp1(&r), it.fn, it.arg);
    }
    double t1 = now_ns();
    sink += it.time_h;
    evq_destroy(q);
    return (t1 - t0) / (double)holds;
}

/* One run with evq, each hold a peek and a replace_top: ns per hold. */
static double run_evq_replace(size_t n, uint64_t seed)
{
    struct rng r = {seed};
    struct evq *q = evq_create(n);
    if (!q) {
        fprintf(stderr, "bench_evq: out of memory at n = %zu\n", n);
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        evq_push(q, exp1(&r), NULL, NULL);
    struct evq_item it;
    for (size_t i = 0; i < n && i < WARMUP_MAX; i++) {
        evq_peek(q, &it);
        evq_replace_top(q, it.time_h + exp1(&r), it.fn, it.arg);
    }
    size_t holds = holds_for(n);
    double t0 = now_ns();
    for (size_t i = 0; i < holds; i++) {
        evq_peek(q, &it);
        evq_replace_top(q, it.time_h + exp1(&r), it.fn, it.arg);
    }
    double t1 = now_ns();
    sink += it.time_h;
    evq_destroy(q);
    return (t1 - t0) / (double)holds;
}

/* One run with the baseline heap: ns per hold. */
static double run_base(size_t n, uint64_t seed)
{
    struct rng r = {seed};
    struct base_heap h = {malloc(n * sizeof *h.a), 0, 0};
    if (!h.a) {
        fprintf(stderr, "bench_evq: out of memory at n = %zu\n", n);
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        base_push(&h, exp1(&r), NULL);
    struct base_entry e = {0, 0, NULL};
    for (size_t i = 0; i < n && i < WARMUP_MAX; i++) {
        e = base_pop(&h);
        base_push(&h, e.t + exp1(&r), e.arg);
    }
    size_t holds = holds_for(n);
    double t0 = now_ns();
    for (size_t i = 0; i < holds; i++) {
        e = base_pop(&h);
        base_push(&h, e.t + exp1(&r), e.arg);
    }
    double t1 = now_ns();
    sink += e.t;
    free(h.a);
    return (t1 - t0) / (double)holds;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return v[n / 2];
}

int main(int argc, char **argv)
{
    static size_t sizes[] = {100, 1000, 10000, 100000, 1000000};
    size_t nsizes = sizeof sizes / sizeof sizes[0];
    /* bench_evq [N]: one size only, for profiling. */
    if (argc > 1) {
        sizes[0] = (size_t)strtoull(argv[1], NULL, 10);
        nsizes = 1;
    }
    printf("hold model: pop the earliest, push it back at t + Exp(1); ns per hold, median of %d runs\n", RUNS);
    printf("%10s %14s %14s %9s %16s\n", "N", "evq pop+push", "swap binary", "speed-up", "evq replace_top");
    for (size_t k = 0; k < nsizes; k++) {
        double a[RUNS], b[RUNS], c[RUNS];
        /* Interleave the three so that noise from other users hits all alike. */
        for (int i = 0; i < RUNS; i++) {
            a[i] = run_evq(sizes[k], 0x9e3779b97f4a7c15u + (uint64_t)i);
            b[i] = run_base(sizes[k], 0x9e3779b97f4a7c15u + (uint64_t)i);
            c[i] = run_evq_replace(sizes[k], 0x9e3779b97f4a7c15u + (uint64_t)i);
        }
        double ma = median(a, RUNS), mb = median(b, RUNS), mc = median(c, RUNS);
        printf("%10zu %14.1f %14.1f %8.2fx %16.1f\n", sizes[k], ma, mb, mb / ma, mc);
        fflush(stdout);
    }
    return sink == 42.0;  /* never true in practice; reads sink */
}
