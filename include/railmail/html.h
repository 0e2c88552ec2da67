#ifndef RAILMAIL_HTML_H
#define RAILMAIL_HTML_H
/* The report: one self-contained page that a director can read and print
 * (A4), made only from a results directory: its run record (which names
 * the scenario, the --set overrides and the proposals, reloaded for the
 * words and input tables), its CSVs, and its charts drawn again as inline
 * SVG. The same directory therefore always gives the same page byte for
 * byte. results.h names the files. */
#include "railmail/diag.h"
#include "railmail/status.h"

/* Writes the page into dir (through a temporary name). Needs dir's run
 * record; a scenario that no longer loads is RM_EINPUT with its messages.
 * Charts are included when gnuplot is on PATH and the record does not say
 * that the run was made with --no-plot. */
enum rm_status html_write(const char *dir, struct diag *d);
/* The same with `banner` (NULL: none) in a warning above the results:
 * report --force says there which inputs changed since the run. */
enum rm_status html_write_banner(const char *dir, const char *banner, struct diag *d);

/* The same for a run just made from `s` (NULL: as html_write): the
 * scenario that the record names is `s` already, loaded with the same --set
 * overrides, and is not loaded again. */
struct scenario;
enum rm_status html_write_run(const char *dir, const struct scenario *s, struct diag *d);
#endif /* RAILMAIL_HTML_H */
