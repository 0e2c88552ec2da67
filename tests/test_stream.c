/* Tests for stream: reproducible, independent, uniform, and a proper gsl_rng.
 * The frozen values below come from an independent Python implementation of
 * the hash and generator documented in sim/stream.c; a change to them changes
 * every result the simulator has ever produced. */
#include "railmail/stream.h"

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Test(stream, key_matches_documented_hash)
{
    cr_assert_eq(stream_key(1, 0, "CQ-BRE"), 0xcf5f607a7e0b225cu);
    cr_assert_eq(stream_key(20230915, 7, "demand:CQ-DE"), 0x22e5d0d1a78f3dc6u);
    cr_assert_eq(stream_key(0, 0, ""), 0x7dc2c42b173ebf65u);
}

Test(stream, draws_match_reference_xoshiro256ss)
{
    gsl_rng *r = stream_create(1, 0, "CQ-BRE");
    cr_assert_not_null(r);
    cr_assert_eq(gsl_rng_get(r), 0x91cd5cd4UL);
    cr_assert_eq(gsl_rng_get(r), 0x473e9582UL);
    cr_assert_eq(gsl_rng_get(r), 0x722a486cUL);
    cr_assert_eq(gsl_rng_uniform(r), 0.517968298958925);
    gsl_rng_free(r);
}

Test(stream, is_a_gsl_rng_with_full_32_bit_range)
{
    gsl_rng *r = stream_create(3, 1, "BRE");
    cr_assert_str_eq(gsl_rng_name(r), "xoshiro256**");
    cr_assert_eq(gsl_rng_min(r), 0UL);
    cr_assert_eq(gsl_rng_max(r), 0xffffffffUL);
    cr_assert_eq(r->type, stream_type());
    unsigned long hi = 0, lo = 0xffffffffUL;
    for (int i = 0; i < 100000; i++) {
        unsigned long v = gsl_rng_get(r);
        cr_assert_leq(v, 0xffffffffUL);
        if (v > hi) hi = v;
        if (v < lo) lo = v;
    }
    /* 10^5 draws of 32 bits reach within 2^20 of both ends almost surely. */
    cr_assert_gt(hi, 0xffffffffUL - (1UL << 20));
    cr_assert_lt(lo, 1UL << 20);
    gsl_rng_free(r);
}

static void assert_same_sequence(gsl_rng *a, gsl_rng *b, int n)
{
    for (int i = 0; i < n; i++)
        cr_assert_eq(gsl_rng_get(a), gsl_rng_get(b), "draw %d differs", i);
}

Test(stream, equal_inputs_give_identical_sequences)
{
    gsl_rng *a = stream_create(42, 3, "leg:AKZ-BRE");
    gsl_rng *b = stream_create(42, 3, "leg:AKZ-BRE");
    assert_same_sequence(a, b, 1000);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(gsl_rng_uniform(a), gsl_rng_uniform(b));
    gsl_rng_free(a);
    gsl_rng_free(b);
}

Test(stream, clone_continues_the_same_sequence)
{
    gsl_rng *a = stream_create(5, 0, "node:BRE");
    gsl_rng_get(a);
    gsl_rng *b = gsl_rng_clone(a);
    cr_assert_not_null(b);
    assert_same_sequence(a, b, 100);
    gsl_rng_free(a);
    gsl_rng_free(b);
}

/* Counts equal draws at equal positions: independent streams agree on a
 * 32-bit draw with probability 2^-32 each, so essentially never. */
static int matches(gsl_rng *a, gsl_rng *b, int n)
{
    int same = 0;
    for (int i = 0; i < n; i++)
        same += gsl_rng_get(a) == gsl_rng_get(b);
    return same;
}

Test(stream, different_id_rep_or_seed_gives_different_sequences)
{
    gsl_rng *other[] = {
        stream_create(7, 1, "demand:CQ-PL"),   /* id */
        stream_create(7, 1, "demand:CQ-DE "),  /* id, one byte longer */
        stream_create(7, 2, "demand:CQ-DE"),   /* replication */
        stream_create(8, 1, "demand:CQ-DE"),   /* seed */
        stream_create(7, 1, ""),
    };
    for (size_t k = 0; k < sizeof other / sizeof *other; k++) {
        gsl_rng *again = stream_create(7, 1, "demand:CQ-DE");
        cr_assert_eq(matches(again, other[k], 1000), 0, "stream %zu matches", k);
        gsl_rng_free(again);
        gsl_rng_free(other[k]);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

Test(stream, keys_of_many_sources_and_replications_are_distinct)
{
    enum { SOURCES = 500, REPS = 40, N = SOURCES * REPS };
    uint64_t *k = malloc(N * sizeof *k);
    cr_assert_not_null(k);
    char id[32];
    for (int s = 0; s < SOURCES; s++) {
        snprintf(id, sizeof id, "leg:%d", s);
        for (int rep = 0; rep < REPS; rep++)
            k[s * REPS + rep] = stream_key(1, (unsigned)rep, id);
    }
    qsort(k, N, sizeof *k, cmp_u64);
    for (int i = 1; i < N; i++)
        cr_assert_neq(k[i], k[i - 1]);
    free(k);
}

Test(stream, uniform_passes_chi_square_and_moments_over_a_million_draws)
{
    enum { DRAWS = 1000000, BINS = 100 };
    gsl_rng *r = stream_create(2024, 0, "uniformity");
    long count[BINS] = {0};
    double sum = 0, sumsq = 0;
    for (int i = 0; i < DRAWS; i++) {
        double u = gsl_rng_uniform(r);
        cr_assert(u >= 0.0 && u < 1.0, "draw %d is %.17g", i, u);
        count[(int)(u * BINS)]++;
        sum += u;
        sumsq += u * u;
    }
    double expect = (double)DRAWS / BINS, chi2 = 0;
    for (int b = 0; b < BINS; b++)
        chi2 += (count[b] - expect) * (count[b] - expect) / expect;
    double p = gsl_cdf_chisq_Q(chi2, BINS - 1);
    cr_assert_gt(p, 1e-4, "chi-square %g with %d dof, p = %g", chi2, BINS - 1, p);
    double mean = sum / DRAWS, var = sumsq / DRAWS - mean * mean;
    /* sd of the mean is sqrt(1/12/10^6) = 2.9e-4; allow about 5 sd. */
    cr_assert_lt(fabs(mean - 0.5), 1.5e-3, "mean %g", mean);
    cr_assert_lt(fabs(var - 1.0 / 12), 1.5e-3, "variance %g", var);
    gsl_rng_free(r);
}

Test(stream, uniform_never_returns_one_and_uniform_pos_never_zero)
{
    gsl_rng *r = stream_create(9, 9, "bounds");
    for (int i = 0; i < 1000000; i++) {
        cr_assert_lt(gsl_rng_uniform(r), 1.0);
        cr_assert_gt(gsl_rng_uniform_pos(r), 0.0);
    }
    gsl_rng_free(r);
}

Test(stream, works_with_gsl_ran_functions)
{
    gsl_rng *r = stream_create(11, 0, "gauss");
    double sum = 0, sumsq = 0;
    enum { N = 200000 };
    for (int i = 0; i < N; i++) {
        double x = gsl_ran_gaussian_ziggurat(r, 2.385);
        sum += x;
        sumsq += x * x;
    }
    double mean = sum / N, sd = sqrt(sumsq / N - mean * mean);
    cr_assert_lt(fabs(mean), 0.03, "mean %g", mean);
    cr_assert_lt(fabs(sd - 2.385), 0.03, "sd %g", sd);
    unsigned long k = gsl_rng_uniform_int(r, 7);
    cr_assert_lt(k, 7UL);
    gsl_rng_free(r);
}

Test(stream, gsl_rng_set_reseeds_reproducibly)
{
    gsl_rng *a = gsl_rng_alloc(stream_type());
    gsl_rng *b = gsl_rng_alloc(stream_type());
    gsl_rng_set(a, 12345);
    gsl_rng_set(b, 12345);
    assert_same_sequence(a, b, 100);
    gsl_rng_set(b, 12346);
    cr_assert_eq(matches(a, b, 100), 0);
    gsl_rng_free(a);
    gsl_rng_free(b);
}

struct thread_job {
    unsigned rep;
    uint64_t sum;
};

static void *draw_in_thread(void *arg)
{
    struct thread_job *job = arg;
    gsl_rng *r = stream_create(77, job->rep, "threaded");
    job->sum = 0;
    for (int i = 0; i < 100000; i++)
        job->sum += gsl_rng_get(r);
    gsl_rng_free(r);
    return NULL;
}

Test(stream, threads_draw_what_a_single_thread_draws)
{
    enum { T = 4 };
    pthread_t tid[T];
    struct thread_job job[T];
    for (unsigned t = 0; t < T; t++) {
        job[t].rep = t;
        cr_assert_eq(pthread_create(&tid[t], NULL, draw_in_thread, &job[t]), 0);
    }
    for (unsigned t = 0; t < T; t++)
        pthread_join(tid[t], NULL);
    for (unsigned t = 0; t < T; t++) {
        struct thread_job alone = {.rep = t};
        draw_in_thread(&alone);
        cr_assert_eq(alone.sum, job[t].sum);
    }
}
