/* stream: one random-number stream per (seed, replication, source id), so
 * that a proposal which changes one scenario row leaves every other row's
 * numbers unchanged (common random numbers).
 *
 * The key.  stream_key(seed, rep, id) is
 *
 *     h   = FNV-1a 64 over the bytes of id (offset basis 0xcbf29ce484222325,
 *           prime 0x100000001b3; the empty string hashes to the basis)
 *     key = mix(mix(mix(seed) ^ rep) ^ h)
 *
 * where mix(z) is one splitmix64 step: z += 0x9e3779b97f4a7c15, then the
 * finaliser z = (z ^ z>>30) * 0xbf58476d1ce4e5b9, z = (z ^ z>>27) *
 * 0x94d049bb133111eb, z ^= z>>31.  mix is a bijection on 64-bit words, and so
 * is xor with a constant, so with two of (seed, rep, h) fixed the key is a
 * bijection of the third: two streams that differ in only the seed, only the
 * replication, or only the id (with distinct FNV hashes) never share a key.
 *
 * The generator.  GSL's own generators take a 32-bit seed (mt19937, taus2,
 * ranlxd all truncate to unsigned long and most use 32 bits of it), so among
 * the ~10^5 streams of a large study two would share a seed with probability
 * near one (birthday bound 2^16).  We therefore register a small gsl_rng_type,
 * xoshiro256** 1.0 (Blackman and Vigna, 2018; public domain reference at
 * prng.di.unimi.it), whose 256-bit state is filled with four successive
 * splitmix64 outputs from the full 64-bit key, as its authors recommend.  It
 * is a real gsl_rng: get returns the upper 32 bits of each output (min 0, max
 * 2^32-1, like mt19937), and get_double the upper 53 bits times 2^-53, which
 * lies in [0, 1) and is never 1.0.  The type is a constant and every stream
 * owns its state, so there is no mutable global state: threads may create and
 * use different streams concurrently. */
#include "railmail/stream.h"

#include <assert.h>

/* One splitmix64 step: advances *x by the golden gamma and returns the
 * finalised value.  A bijection of the advanced counter. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t mix(uint64_t z)
{
    return splitmix64(&z);
}

static uint64_t fnv1a64(const char *text)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3u;
    }
    return h;
}

/* Four consecutive splitmix64 outputs are distinct (mix is a bijection of
 * distinct counters), so at most one is zero and the state is never the
 * all-zero fixed point. */
static void fill(struct stream_state *st, uint64_t key)
{
    uint64_t x = key;
    for (int i = 0; i < 4; i++)
        st->s[i] = splitmix64(&x);
}

/* gsl_rng_set(r, seed) lands here; stream_create bypasses it to use all 64
 * bits of the key even where unsigned long has 32. */
static void xoshiro_set(void *vstate, unsigned long int seed)
{
    fill(vstate, (uint64_t)seed);
}

static unsigned long int xoshiro_get(void *vstate)
{
    /* The upper bits are the best ones of any xoshiro variant. */
    return (unsigned long int)(stream_next(vstate) >> 32);
}

static double xoshiro_get_double(void *vstate)
{
    return stream_double(vstate);
}

const gsl_rng_type stream_xoshiro256ss = {
    "xoshiro256**",
    0xffffffffUL,
    0,
    sizeof(struct stream_state),
    xoshiro_set,
    xoshiro_get,
    xoshiro_get_double,
};

const gsl_rng_type *stream_type(void)
{
    return &stream_xoshiro256ss;
}

uint64_t stream_key(uint64_t seed, unsigned replication, const char *source_id)
{
    assert(source_id);
    return mix(mix(mix(seed) ^ (uint64_t)replication) ^ fnv1a64(source_id));
}

/* Re-keys a generator of our type in place, without allocating. */
static void reseed(gsl_rng *r, uint64_t seed, unsigned replication, const char *source_id)
{
    assert(r && r->type == &stream_xoshiro256ss);
    fill(r->state, stream_key(seed, replication, source_id));
}

gsl_rng *stream_create(uint64_t seed, unsigned replication, const char *source_id)
{
    /* gsl_rng_alloc seeds from the global gsl_rng_default_seed, which we only
     * read and at once overwrite, so concurrent calls are safe. */
    gsl_rng *r = gsl_rng_alloc(&stream_xoshiro256ss);
    if (!r)
        return NULL;
    reseed(r, seed, replication, source_id);
    return r;
}
