#ifndef RAILMAIL_REPORT_H
#define RAILMAIL_REPORT_H
/* Result files: the CSVs of a run, written into a directory that outdir
 * provides. */
#include <stddef.h>
#include <stdio.h>
#include "railmail/results.h"
#include "railmail/run.h"
#include "railmail/scenario.h"

/* Writes the CSVs of a run's folder (results.h) into `dir`, every one
 * through csvwrite; the chart settings say `kind`. */
enum rm_status report_run(const char *dir, const struct scenario *s, const struct run_result *r,
                          enum results_kind kind, struct diag *d);

/* Writes the chart settings alone (a comparison's or a sweep's top
 * directory) with the names of its `n_proposals` proposals in order: one
 * row `proposals,a;b;c` when that reads back exactly, otherwise one row
 * `proposal,NAME` per proposal. */
enum rm_status report_meta(const char *dir, const struct scenario *s, unsigned replications,
                           enum results_kind kind, const char *const *proposals, size_t n_proposals,
                           const struct run_precision *precision, size_t n_precision, struct diag *d);
/* "METRIC,SCOPE,mean,ci_low,ci_high,sd,n" and a line end: the tail every
 * summary-shaped file (the summary, the monthly file, the sweep's) writes
 * its rows with. */
void report_summary_row(FILE *f, const char *metric, const char *scope, const struct stats_summary *s);
#endif /* RAILMAIL_REPORT_H */
