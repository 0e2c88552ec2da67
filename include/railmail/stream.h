#ifndef RAILMAIL_STREAM_H
#define RAILMAIL_STREAM_H
/* Random streams: one GSL generator per (seed, replication, source id), so
 * that changing one scenario row never shifts another row's numbers. */
#include <stdint.h>
#include <gsl/gsl_rng.h>

/* The 64-bit key of a stream (hash documented in stream.c). */
uint64_t stream_key(uint64_t seed, unsigned replication, const char *source_id);

/* A new generator seeded from stream_key(); NULL when out of memory (with
 * GSL's error handler off; its default handler aborts). Free it with
 * gsl_rng_free. It is a gsl_rng of stream_type(), usable with every gsl_ran_*
 * function. */
gsl_rng *stream_create(uint64_t seed, unsigned replication, const char *source_id);

/* The generator type behind every stream: xoshiro256** with its 256-bit
 * state filled from the 64-bit key (gsl_rng_get gives 32 bits, min 0, max
 * 2^32-1; gsl_rng_uniform lies in [0,1) and is never 1). */
const gsl_rng_type *stream_type(void);

/* What follows is in the header only so that the hot loop can draw a
 * uniform without GSL's call through the type's function pointer; use it
 * through stream_uniform. */
struct stream_state {
    uint64_t s[4];
};
extern const gsl_rng_type stream_xoshiro256ss;  /* what stream_type() returns */

static inline uint64_t stream_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0: the next 64-bit output. */
static inline uint64_t stream_next(struct stream_state *st)
{
    uint64_t *s = st->s;
    const uint64_t result = stream_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = stream_rotl(s[3], 45);
    return result;
}

/* A uniform in [0, 1) from the upper 53 bits of the next output (the
 * largest, 1 - 2^-53, is exactly representable). */
static inline double stream_double(struct stream_state *st)
{
    return (double)(stream_next(st) >> 11) * 0x1.0p-53;
}

/* gsl_rng_uniform(r), the same value and the same step of the generator,
 * inline for a stream; any other generator goes through GSL. */
static inline double stream_uniform(const gsl_rng *r)
{
    if (r->type == &stream_xoshiro256ss)
        return stream_double(r->state);
    return gsl_rng_uniform(r);
}
#endif /* RAILMAIL_STREAM_H */
