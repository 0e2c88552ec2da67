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
#endif /* RAILMAIL_STREAM_H */
