#ifndef RAILMAIL_RECORD_H
#define RAILMAIL_RECORD_H
/* The run record (results.h names its file and keys): how a results
 * directory was made (program, command, the SHA-256 of every input file,
 * times, machine), and `verify`, which makes it again from that record
 * and compares every file byte for byte. */
#include <stddef.h>
#include <stdio.h>
#include "railmail/diag.h"
#include "railmail/scenario.h"
#include "railmail/status.h"
#include "railmail/strbuf.h"

struct record;

/* Starts a record: the time now and the full command line. NULL when out
 * of memory. */
struct record *record_begin(int argc, char **argv);
void record_destroy(struct record *r);  /* NULL is a no-op */

/* Fields of the record: a text (NULL: null), a number, a list of texts. */
void record_set(struct record *r, const char *key, const char *value);
void record_set_number(struct record *r, const char *key, double value);
void record_set_list(struct record *r, const char *key, const char *const *values, size_t n);
/* Adds the scenario's input files (each path once). */
void record_scenario(struct record *r, const struct scenario *s);
/* Adds a file read besides the scenario's (calibrate's events) to the
 * inputs, with its SHA-256; one that cannot be read is left out. */
void record_input(struct record *r, const char *path);

/* Ends the record (end time, wall time) and writes it into dir. */
enum rm_status record_write(struct record *r, const char *dir, struct diag *d);

/* The input files of dir's run record that are no longer what the run
 * read (changed, or gone), appended to `names` joined by ", "; their
 * number. RM_EINPUT without a record. */
enum rm_status record_changed_inputs(const char *dir, struct strbuf *names, size_t *n, struct diag *d);

/* Runs the command recorded in dir's run record again (with `self`, the
 * railmail binary, in the recorded working directory) into a temporary
 * directory and compares every file but the record and the report page,
 * which print times and the command. Prints what it found to
 * `out`: RM_OK when all are identical, RM_ERUN with the files that differ
 * and the likely reasons (an input whose hash changed, another version). */
enum rm_status record_verify(const char *dir, const char *self, FILE *out, struct diag *d);
#endif /* RAILMAIL_RECORD_H */
