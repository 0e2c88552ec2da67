/* Tests for evq: order against a reference sort, ties in push order,
 * growth, renumbering and the empty queue. */
#include "railmail/evq.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* A reference record: what was pushed, in push order. */
struct ref {
    double time_h;
    uint64_t seq;
};

static int by_time_seq(const void *a, const void *b)
{
    const struct ref *x = a, *y = b;
    if (x->time_h != y->time_h)
        return x->time_h < y->time_h ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* xorshift64*, so that the test is the same on every machine. */
static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

/* Times drawn from few distinct values, so that many ties occur. */
static double coarse_time(uint64_t *s)
{
    return (double)(next(s) % 512) * 0.125;
}

static void dummy_fn(void)
{
}

/* The arg carries the push index, so each pop can be traced to its push. */
static void *tag(uint64_t i)
{
    return (void *)(uintptr_t)(i + 1);
}

static uint64_t untag(void *p)
{
    return (uint64_t)(uintptr_t)p - 1;
}

Test(evq, pops_in_reference_order_after_random_pushes)
{
    enum { N = 100000 };
    struct ref *ref = malloc(N * sizeof *ref);
    cr_assert_not_null(ref);
    struct evq *q = evq_create(16);
    cr_assert_not_null(q);
    uint64_t s = 0x2385;
    for (uint64_t i = 0; i < N; i++) {
        double t = coarse_time(&s) + (double)(next(&s) % 3) * 2.385;
        ref[i] = (struct ref){t, i};
        cr_assert_eq(evq_push(q, t, dummy_fn, tag(i)), RM_OK);
    }
    cr_assert_eq(evq_size(q), N);
    qsort(ref, N, sizeof *ref, by_time_seq);
    struct evq_item it;
    for (size_t i = 0; i < N; i++) {
        cr_assert_eq(evq_peek_time(q), ref[i].time_h);
        cr_assert(evq_pop(q, &it));
        cr_assert_eq(it.time_h, ref[i].time_h, "pop %zu: expected time %g, got %g", i, ref[i].time_h, it.time_h);
        cr_assert_eq(it.seq, ref[i].seq, "pop %zu: expected seq %llu, got %llu", i,
                     (unsigned long long)ref[i].seq, (unsigned long long)it.seq);
        cr_assert_eq(untag(it.arg), ref[i].seq);
        cr_assert_eq(it.fn, dummy_fn);
    }
    cr_assert_not(evq_pop(q, &it));
    evq_destroy(q);
    free(ref);
}

/* Pushes never go below the last popped time (as in a simulation), pops
 * interleave with pushes, and every pop must be the minimum of what a
 * plain list of pending items holds. */
Test(evq, interleaved_pushes_and_pops_match_reference)
{
    enum { N = 100000 };
    struct ref *pending = malloc(N * sizeof *pending);
    cr_assert_not_null(pending);
    size_t npending = 0;
    struct evq *q = evq_create(4);
    cr_assert_not_null(q);
    uint64_t s = 7, pushed = 0, popped = 0;
    double now = 0.0;
    struct evq_item it;
    while (pushed < N) {
        unsigned burst = (unsigned)(next(&s) % 4);
        for (unsigned k = 0; k < burst && pushed < N; k++) {
            double t = now + coarse_time(&s);
            pending[npending++] = (struct ref){t, pushed};
            cr_assert_eq(evq_push(q, t, dummy_fn, tag(pushed)), RM_OK);
            pushed++;
        }
        unsigned pops = (unsigned)(next(&s) % 4) + (npending > 256);
        for (unsigned k = 0; k < pops && npending > 0; k++) {
            /* The reference minimum: a linear scan, kept short by the
             * pops keeping pace with the pushes. */
            size_t m = 0;
            for (size_t j = 1; j < npending; j++)
                if (by_time_seq(&pending[j], &pending[m]) < 0)
                    m = j;
            cr_assert(evq_pop(q, &it));
            cr_assert_eq(it.time_h, pending[m].time_h);
            cr_assert_eq(untag(it.arg), pending[m].seq);
            now = it.time_h;
            pending[m] = pending[--npending];
            popped++;
        }
        cr_assert_eq(evq_size(q), npending);
    }
    double last = -INFINITY;
    while (evq_pop(q, &it)) {
        cr_assert_geq(it.time_h, last);
        last = it.time_h;
        popped++;
    }
    cr_assert_eq(popped, N);
    evq_destroy(q);
    free(pending);
}

Test(evq, equal_times_pop_fifo)
{
    struct evq *q = evq_create(2);
    cr_assert_not_null(q);
    /* Pushed out of order, with three items at 2.385 among them. */
    cr_assert_eq(evq_push(q, 2.385, dummy_fn, tag(0)), RM_OK);
    cr_assert_eq(evq_push(q, 7.25, dummy_fn, tag(1)), RM_OK);
    cr_assert_eq(evq_push(q, 2.385, dummy_fn, tag(2)), RM_OK);
    cr_assert_eq(evq_push(q, 0.615, dummy_fn, tag(3)), RM_OK);
    cr_assert_eq(evq_push(q, 2.385, dummy_fn, tag(4)), RM_OK);
    static const uint64_t order[] = {3, 0, 2, 4, 1};
    struct evq_item it;
    for (size_t i = 0; i < 5; i++) {
        cr_assert(evq_pop(q, &it));
        cr_assert_eq(untag(it.arg), order[i], "pop %zu: expected item %llu, got %llu", i,
                     (unsigned long long)order[i], (unsigned long long)untag(it.arg));
        cr_assert_eq(it.seq, order[i]);
    }
    evq_destroy(q);
}

Test(evq, many_equal_times_pop_fifo_across_growth)
{
    enum { N = 5000 };
    struct evq *q = evq_create(1);
    cr_assert_not_null(q);
    for (uint64_t i = 0; i < N; i++)
        cr_assert_eq(evq_push(q, 3.7, dummy_fn, tag(i)), RM_OK);
    struct evq_item it;
    for (uint64_t i = 0; i < N; i++) {
        cr_assert(evq_pop(q, &it));
        cr_assert_eq(untag(it.arg), i);
    }
    evq_destroy(q);
}

Test(evq, grows_past_initial_capacity_and_keeps_items)
{
    struct evq *q = evq_create(3);
    cr_assert_not_null(q);
    /* Descending times, so that every push sifts to the root. */
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(evq_push(q, 1000.5 - i, dummy_fn, tag((uint64_t)i)), RM_OK);
    cr_assert_eq(evq_size(q), 1000);
    cr_assert_eq(evq_peek_time(q), 1.5);
    struct evq_item it;
    for (int i = 999; i >= 0; i--) {
        cr_assert(evq_pop(q, &it));
        cr_assert_eq(it.time_h, 1000.5 - i);
        cr_assert_eq(untag(it.arg), (uint64_t)i);
    }
    cr_assert_eq(evq_size(q), 0);
    evq_destroy(q);
}

Test(evq, empty_queue_pops_nothing_and_peeks_infinity)
{
    struct evq *q = evq_create(0);
    cr_assert_not_null(q);
    struct evq_item it;
    cr_assert_not(evq_pop(q, &it));
    cr_assert(isinf(evq_peek_time(q)) && evq_peek_time(q) > 0);
    cr_assert_eq(evq_size(q), 0);
    cr_assert_eq(evq_push(q, 4.125, NULL, NULL), RM_OK);
    cr_assert_eq(evq_peek_time(q), 4.125);
    cr_assert(evq_pop(q, &it));
    cr_assert_null(it.arg);
    cr_assert_null(it.fn);
    cr_assert(isinf(evq_peek_time(q)));
    cr_assert_not(evq_pop(q, &it));
    evq_destroy(q);
}

Test(evq, negative_and_infinite_times_order_correctly)
{
    struct evq *q = evq_create(4);
    cr_assert_not_null(q);
    static const double t[] = {INFINITY, 0.0, -2.385, -0.0, 1e-300, -INFINITY, 5e300, -1e-300};
    for (uint64_t i = 0; i < 8; i++)
        cr_assert_eq(evq_push(q, t[i], dummy_fn, tag(i)), RM_OK);
    /* -0.0 equals 0.0, so it pops after it in push order. */
    static const uint64_t order[] = {5, 2, 7, 1, 3, 4, 6, 0};
    struct evq_item it;
    for (size_t i = 0; i < 8; i++) {
        cr_assert(evq_pop(q, &it));
        cr_assert_eq(untag(it.arg), order[i], "pop %zu: expected item %llu, got %llu", i,
                     (unsigned long long)order[i], (unsigned long long)untag(it.arg));
        cr_assert_eq(it.time_h, t[order[i]]);
    }
    evq_destroy(q);
}

Test(evq, renumber_keeps_order_and_ties)
{
    struct evq *q = evq_create(8);
    cr_assert_not_null(q);
    uint64_t s = 11;
    enum { N = 3000 };
    for (uint64_t i = 0; i < N; i++)
        cr_assert_eq(evq_push(q, coarse_time(&s), dummy_fn, tag(i)), RM_OK);
    struct evq_item it;
    /* Pop a third, renumber, push more: ties among old items must keep
     * their order, and new items must follow old ones at equal times. */
    double last = -1.0;
    uint64_t last_tag = 0;
    for (int i = 0; i < N / 3; i++) {
        cr_assert(evq_pop(q, &it));
        last = it.time_h;
        last_tag = untag(it.arg);
    }
    evq_renumber(q);
    for (uint64_t i = N; i < N + N / 2; i++)
        cr_assert_eq(evq_push(q, last + coarse_time(&s), dummy_fn, tag(i)), RM_OK);
    uint64_t prev_seq = 0;
    bool first = true;
    while (evq_pop(q, &it)) {
        uint64_t id = untag(it.arg);
        cr_assert_geq(it.time_h, last);
        if (it.time_h == last)
            cr_assert_gt(id, last_tag, "at %g: item %llu popped after item %llu", last,
                         (unsigned long long)id, (unsigned long long)last_tag);
        if (!first && it.time_h == last)
            cr_assert_gt(it.seq, prev_seq);
        last = it.time_h;
        last_tag = id;
        prev_seq = it.seq;
        first = false;
    }
    evq_destroy(q);
}

Test(evq, absurd_capacity_fails_cleanly)
{
    cr_assert_null(evq_create(SIZE_MAX));
    evq_destroy(NULL);
}

Test(evq, peek_copies_the_earliest_without_removing_it)
{
    struct evq *q = evq_create(4);
    cr_assert_not_null(q);
    struct evq_item it;
    cr_assert_not(evq_peek(q, &it));
    cr_assert_eq(evq_push(q, 6.75, dummy_fn, tag(0)), RM_OK);
    cr_assert_eq(evq_push(q, 2.385, dummy_fn, tag(1)), RM_OK);
    cr_assert(evq_peek(q, &it));
    cr_assert_eq(it.time_h, 2.385);
    cr_assert_eq(untag(it.arg), 1);
    cr_assert_eq(it.seq, 1);
    cr_assert_eq(evq_size(q), 2);
    evq_destroy(q);
}

/* The hold model with evq_replace_top against pops and pushes on a second
 * queue: both must produce the same sequence, ties included. */
Test(evq, replace_top_matches_pop_then_push)
{
    enum { N = 2000, HOLDS = 100000 };
    struct evq *a = evq_create(N), *b = evq_create(N);
    cr_assert(a && b);
    uint64_t s = 0x5eed;
    for (uint64_t i = 0; i < N; i++) {
        double t = coarse_time(&s);
        cr_assert_eq(evq_push(a, t, dummy_fn, tag(i)), RM_OK);
        cr_assert_eq(evq_push(b, t, dummy_fn, tag(i)), RM_OK);
    }
    struct evq_item x, y;
    for (uint64_t i = 0; i < HOLDS; i++) {
        cr_assert(evq_peek(a, &x));
        cr_assert(evq_pop(b, &y));
        cr_assert_eq(x.time_h, y.time_h);
        cr_assert_eq(x.arg, y.arg, "hold %llu: expected item %llu, got %llu", (unsigned long long)i,
                     (unsigned long long)untag(y.arg), (unsigned long long)untag(x.arg));
        cr_assert_eq(x.seq, y.seq);
        /* Often the same time again, to exercise ties with the old root. */
        double t = x.time_h + (next(&s) % 4 == 0 ? 0.0 : coarse_time(&s));
        evq_replace_top(a, t, dummy_fn, tag(N + i));
        cr_assert_eq(evq_push(b, t, dummy_fn, tag(N + i)), RM_OK);
        cr_assert_eq(evq_size(a), N);
    }
    while (evq_pop(b, &y)) {
        cr_assert(evq_pop(a, &x));
        cr_assert_eq(x.time_h, y.time_h);
        cr_assert_eq(x.arg, y.arg);
    }
    cr_assert_not(evq_pop(a, &x));
    evq_destroy(a);
    evq_destroy(b);
}
