#ifndef RAILMAIL_PLOTDRAW_H
#define RAILMAIL_PLOTDRAW_H
/* plotdraw: what the chart files of plot share (plot.c draws the settings
 * every chart has; plotrun.c, plotmonthly.c, plotcompare.c and plotsweep.c
 * the charts of each kind of results), and the draw function of every row
 * of the chart catalogue (results.h). Private to those files. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "railmail/diag.h"
#include "railmail/gnuplot.h"
#include "railmail/results.h"
#include "railmail/series.h"
#include "railmail/status.h"
#include "railmail/strbuf.h"
#include "railmail/table.h"

/* The charts of one directory being drawn. */
struct plot {
    const char *dir;
    struct results_record rec;
    const char *heading;   /* the scenario it was run under, else the record's title, else the directory */
    struct gnuplot gp;
    struct diag *d;
    /* The daily CSV of the chart being drawn has a date column: the x axis
     * is a calendar from start_day (the date of day 0), else day numbers. */
    bool dated;
    int32_t start_day;
};

/* Colours: the total in navy, series in a colour-blind-tolerant palette. */
extern const char *const plot_palette[];
#define PLOT_NPALETTE 10

/* The settings every chart shares: title and subtitle, axes, grid, key. */
void plot_preamble(struct strbuf *b, const struct plot *p, const char *what, const char *subtitle);
/* Whether a daily table has dates (results written before start_date have
 * none): sets p->dated and p->start_day from its first row with both. */
void plot_find_dates(struct plot *p, const struct table *t);
/* The x column of a daily CSV in a using clause. */
const char *plot_x_col(const struct plot *p);
/* An x coordinate for day `day` (a fraction of a day is fine): the day
 * itself, or gnuplot's time (seconds since 1970-01-01) on a calendar. */
double plot_x_of(const struct plot *p, double day);
/* Shades the warm-up and bounds the x axis by the horizon. */
void plot_day_axis(struct strbuf *b, const struct plot *p, size_t ndays);
/* Starts a plot command or separates its elements; *n counts them. */
void plot_item(struct strbuf *b, size_t *n);
/* The key entry of the warm-up's shading, when there is a warm-up. */
void plot_warmup_keyentry(struct strbuf *b, const struct plot *p, size_t *n);
/* A subtitle as label 99 centred at screen height y, or as labels 99 and 97
 * (y and a line below) when it is too long for one line; true then. */
bool plot_subtitle(struct strbuf *b, const char *subtitle, double y);
/* "mean of 10 replications", "95% confidence" (or their words when the
 * record lacks the number), and "TITLE; " when the scenario's title is not
 * the heading's name (nothing when it is or there is none). */
void plot_replications_text(struct strbuf *b, const struct plot *p);
void plot_confidence_text(struct strbuf *b, const struct plot *p);
void plot_scenario_text(struct strbuf *b, const struct plot *p);
/* What the run-out means for batches by posting: ", followed past the
 * horizon until delivered (at most N days)"; nothing for results made
 * before the run-out. */
void plot_runout_text(struct strbuf *b, const struct plot *p);
/* A datablock of centred 7-day averages: one row per day that has a full
 * window (every day when there are fewer than 7), one column per series. */
void plot_avg7_block(struct strbuf *b, const char *block, const struct series *s, size_t n, size_t ndays,
                     const int32_t *start_day);
/* The draw function of each row of the catalogue: draws its charts when
 * their input is in p->dir, nothing otherwise. */
#define PLOTDRAW_DECLARE(id, name, kinds, per_metric, draw, inputs, caption) enum rm_status draw(struct plot *p);
RESULTS_CHARTS(PLOTDRAW_DECLARE)
#undef PLOTDRAW_DECLARE
#endif /* RAILMAIL_PLOTDRAW_H */
