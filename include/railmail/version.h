#ifndef RAILMAIL_VERSION_H
#define RAILMAIL_VERSION_H
/* The program's version: printed by --version and part of the key under
 * which replications are kept for reuse (another version may simulate
 * differently, so its replications are never reused). */
#define RAILMAIL_VERSION "0.2.0"
#endif /* RAILMAIL_VERSION_H */
