#ifndef RAILMAIL_PLOT_H
#define RAILMAIL_PLOT_H
/* Charts through a gnuplot pipe: the chart catalogue's (results.h). Each
 * chart's commands are also saved as a .gp file beside its PNG, reading the
 * directory's own CSVs, so a user can restyle and redraw it. The charts of
 * each kind of results are drawn in a file of their own (plotrun.c,
 * plotmonthly.c, plotcompare.c, plotsweep.c); what they share is in
 * plot.c. */
#include <stdbool.h>
#include "railmail/diag.h"
#include "railmail/status.h"

/* Draws every chart of the catalogue whose CSVs are in `dir`, with the
 * settings of its run record. Writes the .gp files always; when gnuplot is
 * not on PATH, sets *drawn = false and returns RM_OK. A gnuplot error is
 * returned as RM_ERUN with gnuplot's message in `d`. PNGs are drawn to a
 * temporary name and renamed, so none is ever half-written. */
enum rm_status plot_results(const char *dir, bool *drawn, struct diag *d);

/* The same charts as SVG for the report: reads the CSVs in `dir`, saves
 * the scripts and NAME.svg in `out_dir` (an absolute path). *drawn as
 * above; no chart to draw is not an error here. */
enum rm_status plot_results_svg(const char *dir, const char *out_dir, bool *drawn, struct diag *d);
#endif /* RAILMAIL_PLOT_H */
