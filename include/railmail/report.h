#ifndef RAILMAIL_REPORT_H
#define RAILMAIL_REPORT_H
/* Result files. A results directory is built under a temporary name and
 * moved into place only when complete, so a failed run leaves earlier
 * results untouched. */
#include <stddef.h>
#include "railmail/run.h"
#include "railmail/scenario.h"

/* Creates the parents of `out_dir` and a fresh temporary sibling; *tmp is
 * malloc'd. */
enum rm_status report_begin(const char *out_dir, char **tmp, struct diag *d);
/* Replaces `out_dir` by `tmp`. */
enum rm_status report_commit(const char *tmp, const char *out_dir, struct diag *d);
/* Removes a temporary directory and everything in it. */
void report_discard(const char *tmp);

/* Writes summary, replications, throughput, throughput_dest, backlog,
 * transit and meta CSVs of a run into `dir`, every one through csvwrite.
 * `kind` is "run" or "compare" (meta.csv). */
enum rm_status report_run(const char *dir, const struct scenario *s, const struct run_result *r,
                          const char *kind, struct diag *d);

/* Writes meta.csv alone (a comparison's top directory) with the names of
 * its `n_proposals` proposals in order: one row `proposals,a;b;c` when that
 * reads back exactly, otherwise one row `proposal,NAME` per proposal. */
enum rm_status report_meta(const char *dir, const struct scenario *s, unsigned replications,
                           const char *kind, const char *const *proposals, size_t n_proposals,
                           struct diag *d);
#endif /* RAILMAIL_REPORT_H */
