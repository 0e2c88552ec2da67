#ifndef RAILMAIL_CALIBRATE_H
#define RAILMAIL_CALIBRATE_H
/* calibrate: fits a scenario's legs to a post's tracking events, writes
 * the fits (the calibration file, with the timetables, demand and seasons
 * the events show) and the changed rows as a proposal (overlay/), and
 * validates the scenario and the calibrated one against the observed
 * transit times pair by pair (the validation file and its chart). */
#include <stddef.h>

#include "railmail/diag.h"
#include "railmail/record.h"
#include "railmail/status.h"
#include "railmail/strbuf.h"

struct calibrate_options {
    const char *scenario, *events;  /* directory, CSV file */
    const char *map;                /* code,node CSV of a post's office codes, or NULL */
    const char *out;                /* results directory */
    const char *const *sets;        /* --set overrides of the scenario */
    size_t n_sets;
    struct record *record;          /* the run record to complete and write, with the page; or NULL */
};

/* Does it all into a results directory made atomically (outdir.h). On
 * success `summary` gets the lines cli prints: what was read, skipped,
 * fitted, changed, and the verdicts. */
enum rm_status calibrate_run(const struct calibrate_options *o, struct strbuf *summary, struct diag *d);
#endif /* RAILMAIL_CALIBRATE_H */
