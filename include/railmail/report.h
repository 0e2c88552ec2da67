#ifndef RAILMAIL_REPORT_H
#define RAILMAIL_REPORT_H
/* Result files: the CSVs of a run, written into a directory that outdir
 * provides. */
#include <stdio.h>
#include "railmail/run.h"
#include "railmail/scenario.h"

/* Writes summary, replications, throughput, throughput_dest, backlog,
 * transit and meta CSVs of a run into `dir`. `kind` is "run" or "compare"
 * (meta.csv), `proposals` a ';'-separated list or NULL. */
enum rm_status report_run(const char *dir, const struct scenario *s, const struct run_result *r,
                          const char *kind, const char *proposals, struct diag *d);

/* Writes meta.csv alone (a comparison's top directory). */
enum rm_status report_meta(const char *dir, const struct scenario *s, unsigned replications,
                           const char *kind, const char *proposals, struct diag *d);

/* Writes x as a CSV number: whole numbers without decimals, others to six
 * significant digits, nothing for NaN. */
void report_number(FILE *f, double x);
/* Writes a CSV field, quoted when it holds a comma, quote or newline. */
void report_field(FILE *f, const char *text);
#endif /* RAILMAIL_REPORT_H */
