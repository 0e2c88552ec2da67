#ifndef RAILMAIL_VERSION_H
#define RAILMAIL_VERSION_H
/* The program's version: printed by --version and part of the key under
 * which replications are kept for reuse (another version may simulate
 * differently, so its replications are never reused). */
#define RAILMAIL_VERSION "0.2.0"
/* The results format: bumped by every change that alters what a scenario
 * simulates to (the golden files change with it; tests/golden/format
 * holds this number and their checksum, and a test fails until both are
 * updated). Part of the reuse key, so replications of an older model are
 * simulated again rather than reused. */
#define RAILMAIL_RESULTS_FORMAT 3
#endif /* RAILMAIL_VERSION_H */
