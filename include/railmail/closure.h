#ifndef RAILMAIL_CLOSURE_H
#define RAILMAIL_CLOSURE_H
/* closure: what a disruption a proposal adds (a closed border, works) costs
 * against its baseline, replication by replication on the same random
 * numbers: how long after its last window the network's backlog takes to
 * come back to the baseline's, and how much more mail is late. */
#include <stdbool.h>
#include <stddef.h>
#include "railmail/diag.h"
#include "railmail/model.h"
#include "railmail/run.h"
#include "railmail/scenario.h"
#include "railmail/stats.h"
#include "railmail/status.h"

/* Days in a row the backlog must stay near the baseline's to count as
 * recovered. */
#define CLOSURE_STEADY_DAYS 7

/* The end, in days from the start, of the last window within the horizon
 * of the disruptions `p` has and `b` has not (a row added, or one whose
 * window or factor changed); NAN when there are none. */
double closure_end_d(const struct scenario *b, const struct scenario *p);

/* One replication's daily network backlogs (the mail held at the end of
 * day k at index k, as the daily series keep it): the days from end_d
 * until the end of the first day from which `opt` stays within `tol` of
 * `base` for CLOSURE_STEADY_DAYS days, 0 if it already is at end_d; NAN
 * when that does not happen within the `days` given. */
double closure_recovery_d(const double *base, const double *opt, size_t days, double end_d, double tol);

/* A proposal's figures; measured is false when it adds no disruption. */
struct closure {
    bool measured;
    double end_d;
    unsigned recovered;             /* replications recovered within the horizon, of late.n */
    struct stats_paired recovery;   /* recovery_d of those, against 0 */
    struct stats_paired late;       /* late batches, proposal against baseline */
    struct stats_paired late_t;     /* the same in tonnes, at each replication's mean batch weight */
};

/* Measures proposal p against baseline b from their run results and the
 * daily series each run wrote into its folder (b_dir, p_dir). */
enum rm_status closure_measure(const struct scenario *b, const struct run_result *rb, const char *b_dir,
                               const struct scenario *p, const struct run_result *rp, const char *p_dir,
                               struct closure *out, struct diag *d);
#endif /* RAILMAIL_CLOSURE_H */
