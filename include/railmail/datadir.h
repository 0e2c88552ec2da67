#ifndef RAILMAIL_DATADIR_H
#define RAILMAIL_DATADIR_H
/* Where railmail finds the scenarios it ships: in a checkout, ./scenarios;
 * once installed (make install), PREFIX/share/railmail/scenarios, so that the
 * default scenario runs from any directory. */
#include <stddef.h>

/* The scenario run and sweep take when none is given. */
#define DATADIR_DEFAULT_SCENARIO "china-europe-via-belarus"
/* The environment variable naming a directory of scenarios, searched first. */
#define DATADIR_ENV "RAILMAIL_SCENARIOS"

/* The data directory compiled in by make (PREFIX/share/railmail). */
const char *datadir_path(void);

/* The directory of the scenario `name` when none is given on the command
 * line, the first of: $RAILMAIL_SCENARIOS/name when that variable is set and
 * not empty (whether or not the directory exists, so that a message names
 * it); scenarios/name when it is a directory (a checkout); DATADIR/scenarios/
 * name when it is one (an installed railmail); else scenarios/name, which
 * the loader then reports as missing. Written into buf; returns buf, or NULL
 * when the path does not fit. */
const char *datadir_scenario(const char *name, char *buf, size_t size);
#endif /* RAILMAIL_DATADIR_H */
