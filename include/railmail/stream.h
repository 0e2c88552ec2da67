#ifndef RAILMAIL_STREAM_H
#define RAILMAIL_STREAM_H
/* Random streams: one GSL generator per (seed, replication, source id), so
 * that changing one scenario row never shifts another row's numbers. */
#include <stdint.h>
#include <gsl/gsl_rng.h>

/* The 64-bit key of a stream (hash documented in stream.c). */
uint64_t stream_key(uint64_t seed, unsigned replication, const char *source_id);

/* A new generator seeded from stream_key(); NULL when out of memory.
 * Free it with gsl_rng_free. */
gsl_rng *stream_create(uint64_t seed, unsigned replication, const char *source_id);
#endif /* RAILMAIL_STREAM_H */
