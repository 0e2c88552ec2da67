/* plotoptimise: the chart of an optimisation's folder. The objective at
 * every setting run, feasible ones filled and the others grey, the answer
 * starred and its equivalents ringed: against the key's value for one key,
 * as a map of the grid (blank where the search did not run) for two, and
 * in order of objective for three or four. Everything comes from the
 * folder's files through results_optimum_load, which checks them; every
 * text reaches the script quoted, every number as %.10g. */
#include "plotdraw.h"

#include "railmail/metric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEASIBLE_COLOUR "#08306b"
#define INFEASIBLE_COLOUR "#9e9e9e"
#define BEST_COLOUR "#d62728"
#define EQUIVALENT_COLOUR "#f28e2b"
#define MAP_MAX_LABELS 144   /* cells in a map that still have room for their value */
#define RANKED_MAX_TICS 40   /* settings of a ranked chart labelled with their values */

/* The label of a measure: "batches on time at origin:CQ", "cost per kg". */
static void measure_label(struct strbuf *b, const struct results_optimum_measure *m)
{
    const struct metric *mt = metric_find(m->metric);
    strbuf_printf(b, "%s", mt ? mt->label : m->metric);
    if (strcmp(m->scope, "all"))
        strbuf_printf(b, " at %s", m->scope);
}

/* A measure's unit as printed, a cost's in the scenario's currency. */
static const char *measure_unit(const struct results_optimum *o, const struct results_optimum_measure *m,
                                char buf[64])
{
    const struct metric *mt = metric_find(m->metric);
    return mt ? metric_unit(mt, o->currency ? o->currency : "currency", buf, 64) : "";
}

/* A number as the key prints it: three figures or so, whole from 100. */
static const char *num_text(char buf[32], double v)
{
    double a = fabs(v);
    snprintf(buf, 32, isnan(v) ? "-" : a >= 100 || v == nearbyint(v) ? "%.0f" : a >= 10 ? "%.1f" : a >= 0.1 ? "%.2f"
                                                                                                              : "%.2g",
             v);
    return buf;
}

/* "mean [low, high]", with more figures when three cannot tell the
 * interval's ends apart */
static void level_text(struct strbuf *b, double mean, double lo, double hi)
{
    char m[32], l[32], h[32];
    if (isfinite(lo) && isfinite(hi) && lo < hi && !strcmp(num_text(l, lo), num_text(h, hi))) {
        int figures = 4;
        while (figures < 10 && !strcmp((snprintf(l, sizeof l, "%.*g", figures, lo), l),
                                       (snprintf(h, sizeof h, "%.*g", figures, hi), h)))
            figures++;
        strbuf_printf(b, "%.*g [%s, %s]", figures, mean, l, h);
        return;
    }
    strbuf_printf(b, "%s", num_text(m, mean));
    if (isfinite(lo) && isfinite(hi) && (lo != mean || hi != mean))
        strbuf_printf(b, " [%s, %s]", num_text(l, lo), num_text(h, hi));
}

/* "(3, 5)": a setting's values, in the order of the keys. */
static void setting_text(struct strbuf *b, const struct results_optimum *o, const struct results_optimum_point *q)
{
    for (size_t k = 0; k < o->n_keys; k++)
        strbuf_printf(b, "%s%.10g", k ? ", " : "", q->value[k]);
}

/* A key entry: a symbol and a quoted title. */
static void entry(struct strbuf *b, size_t *items, const char *style, const char *title)
{
    plot_item(b, items);
    strbuf_printf(b, "keyentry %s title ", style);
    strbuf_quote_gnuplot(b, title);
}

/* The answer's entries in the key: the best (or closest) setting and its
 * objective, the equivalents, then each constraint at it, met or not. */
static void answer_entries(struct strbuf *b, size_t *items, const struct results_optimum *o, const char *best_style,
                           const char *equivalent_style)
{
    const struct results_optimum_measure *obj = &o->measure[0];
    struct strbuf t = {0};
    char unit[64], v[32];
    strbuf_printf(&t, "%s (", o->closest ? "none meets them all; closest" : "the answer");
    setting_text(&t, o, &o->point[o->best]);
    strbuf_printf(&t, "): ");
    level_text(&t, obj->mean, obj->lo, obj->hi);
    const char *obj_unit = measure_unit(o, obj, unit);  /* not always in `unit`: a fixed one is a literal */
    strbuf_printf(&t, " %s", obj_unit);
    entry(b, items, best_style, strbuf_str(&t));
    size_t equivalents = 0;
    for (size_t i = 0; i < o->n_points; i++)
        equivalents += o->point[i].selection == RESULTS_SEL_EQUIVALENT;
    if (equivalents) {
        strbuf_fini(&t);
        if (obj->threshold > 0)
            strbuf_printf(&t, "as good (within %s %s): ", num_text(v, obj->threshold), obj_unit);
        else
            strbuf_printf(&t, "as good (the same): ");
        strbuf_printf(&t, "%zu setting%s", equivalents, equivalents == 1 ? "" : "s");
        entry(b, items, equivalent_style, strbuf_str(&t));
    }
    for (size_t c = 1; c < o->n_measures; c++) {
        const struct results_optimum_measure *m = &o->measure[c];
        int met = results_optimum_met(m);
        strbuf_fini(&t);
        measure_label(&t, m);
        strbuf_printf(&t, " ");
        level_text(&t, m->mean, m->lo, m->hi);
        strbuf_printf(&t, " %s %s %s: %s", measure_unit(o, m, unit), m->op, num_text(v, m->threshold),
                      met > 0 ? "met" : met < 0 ? "not met" : "cannot tell");
        entry(b, items, met > 0 ? "with points pt 7 ps 1 lc rgb '" FEASIBLE_COLOUR "'"
                                : "with points pt 6 ps 1 lc rgb '" INFEASIBLE_COLOUR "'", strbuf_str(&t));
    }
    strbuf_fini(&t);
}

/* The subtitle: how many settings ran of the grid, of how many
 * replications, and what the bars (or colours) and the constraints' levels
 * are. */
static void subtitle_text(struct strbuf *b, const struct plot *p, const struct results_optimum *o, bool bars)
{
    plot_scenario_text(b, p);
    if (o->grid_known)
        strbuf_printf(b, "%zu of %zu settings simulated, the rest implied (more of each key makes the constraints "
                      "easier); ", o->n_points, o->settings);
    else
        strbuf_printf(b, "%zu settings simulated; ", o->n_points);
    unsigned lo = 0, hi = 0;
    for (size_t i = 0; i < o->n_points; i++)
        if (o->point[i].replications) {
            lo = lo && lo < o->point[i].replications ? lo : o->point[i].replications;
            hi = hi > o->point[i].replications ? hi : o->point[i].replications;
        }
    if (hi > lo)
        strbuf_printf(b, "mean of %u to %u replications per setting", lo, hi);
    else
        plot_replications_text(b, p);
    if (bars) {
        strbuf_printf(b, ", bars: ");
        plot_confidence_text(b, p);
        strbuf_printf(b, " interval");
    }
    if (o->n_measures > 1 && isfinite(o->measure[1].confidence))
        strbuf_printf(b, "; constraints at %.4g%% confidence each", 100 * o->measure[1].confidence);
}

/* The title, the subtitle, the objective's axis label, and the frame: the
 * plot on the left up to screen x `right`, the key beside it. */
static void optimise_preamble(struct strbuf *b, const struct plot *p, const struct results_optimum *o,
                              const char *axis, double right, double bottom)
{
    const struct results_optimum_measure *obj = &o->measure[0];
    struct strbuf what = {0}, sub = {0}, label = {0};
    strbuf_printf(&what, "%s ", strcmp(obj->op, "max") ? "lowest" : "highest");
    measure_label(&what, obj);
    strbuf_printf(&what, " meeting every constraint");
    subtitle_text(&sub, p, o, strcmp(axis, "cblabel"));
    plot_preamble(b, p, strbuf_str(&what), strbuf_str(&sub));
    char unit[64];
    measure_label(&label, obj);
    strbuf_printf(&label, " (%s)", measure_unit(o, obj, unit));
    strbuf_printf(b, "set %s ", axis);
    strbuf_quote_gnuplot(b, strbuf_str(&label));
    strbuf_printf(b, "\nset lmargin at screen 0.1\nset rmargin at screen %.4g\nset tmargin at screen 0.85\n"
                     "set bmargin at screen %.4g\nset key at screen %.4g, screen 0.85 left top vertical Left reverse "
                     "samplen 1.5 spacing 1.4 width 1 font ',10' maxrows 24\n",
                  right, bottom, right + (strcmp(axis, "cblabel") ? 0.02 : 0.11));
    strbuf_fini(&what);
    strbuf_fini(&sub);
    strbuf_fini(&label);
}

/* A datablock of the points that pass `keep`: x, mean, low, high (the
 * mean where there is no interval); false when none does. */
static bool block(struct strbuf *b, const char *name, const struct results_optimum *o, const double *x,
                  bool (*keep)(const struct results_optimum *, size_t))
{
    bool any = false;
    strbuf_printf(b, "%s << EOD\n", name);
    for (size_t i = 0; i < o->n_points; i++) {
        const struct results_optimum_point *q = &o->point[i];
        if (!keep(o, i) || !isfinite(q->objective))
            continue;
        bool ci = isfinite(q->lo) && isfinite(q->hi);
        strbuf_printf(b, "%.10g,%.10g,%.10g,%.10g\n", x[i], q->objective, ci ? q->lo : q->objective,
                      ci ? q->hi : q->objective);
        any = true;
    }
    strbuf_printf(b, "EOD\n");
    return any;
}

static bool is_feasible(const struct results_optimum *o, size_t i) { return o->point[i].feasible; }
static bool is_infeasible(const struct results_optimum *o, size_t i) { return !o->point[i].feasible; }
static bool is_best(const struct results_optimum *o, size_t i) { return i == o->best; }
static bool is_equivalent(const struct results_optimum *o, size_t i)
{
    return o->point[i].selection == RESULTS_SEL_EQUIVALENT;
}

/* The points with their intervals, feasible filled and the rest hollow
 * grey, the answer starred and its equivalents ringed, at x. */
static void points_plot(struct strbuf *b, const struct results_optimum *o, const double *x)
{
    bool feasible = block(b, "$feasible", o, x, is_feasible), infeasible = block(b, "$infeasible", o, x, is_infeasible),
         equivalent = block(b, "$equivalent", o, x, is_equivalent);
    block(b, "$best", o, x, is_best);
    size_t items = 0;
    if (feasible) {
        plot_item(b, &items);
        strbuf_printf(b, "$feasible using 1:2:3:4 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '" FEASIBLE_COLOUR "' "
                      "title 'meets every constraint with confidence'");
    }
    if (infeasible) {
        plot_item(b, &items);
        strbuf_printf(b, "$infeasible using 1:2:3:4 with yerrorbars pt 6 ps 1.3 lw 1.5 lc rgb '" INFEASIBLE_COLOUR "' "
                      "title 'fails a constraint, or cannot tell'");
    }
    if (equivalent) {
        plot_item(b, &items);
        strbuf_printf(b, "$equivalent using 1:2 with points pt 6 ps 3 lw 2 lc rgb '" EQUIVALENT_COLOUR "' notitle");
    }
    plot_item(b, &items);
    strbuf_printf(b, "$best using 1:2 with points pt 3 ps 3.5 lw 2.5 lc rgb '" BEST_COLOUR "' notitle");
    answer_entries(b, &items, o, "with points pt 3 ps 2 lw 2.5 lc rgb '" BEST_COLOUR "'",
                   "with points pt 6 ps 2 lw 2 lc rgb '" EQUIVALENT_COLOUR "'");
    strbuf_printf(b, "\n");
}

/* x tics at each value of a key's grid (its place when `places`), when
 * there are few enough to read. */
static void key_tics(struct strbuf *b, const char *axis, const struct results_optimum *o, size_t k, bool places)
{
    if (o->n_grid[k] > 25)
        return;
    strbuf_printf(b, "set %stics (", axis);
    for (size_t i = 0; i < o->n_grid[k]; i++)
        strbuf_printf(b, "%s'%.10g' %.10g", i ? ", " : "", o->grid[k][i], places ? (double)i : o->grid[k][i]);
    strbuf_printf(b, ")\n");
}

/* One key: the objective against the key's value. */
static void draw_line(struct strbuf *b, const struct plot *p, const struct results_optimum *o, double *x)
{
    optimise_preamble(b, p, o, "ylabel", 0.6, 0.14);
    strbuf_printf(b, "set xlabel ");
    strbuf_quote_gnuplot(b, o->key[0]);
    strbuf_printf(b, "\n");
    const double *g = o->grid[0];
    size_t n = o->n_grid[0];
    double pad = n > 1 ? 0.05 * (g[n - 1] - g[0]) : 0.5;
    strbuf_printf(b, "set xrange [%.10g:%.10g]\nset offsets 0, 0, graph 0.08, graph 0.08\n", g[0] - pad,
                  g[n - 1] + pad);
    key_tics(b, "x", o, 0, false);
    for (size_t i = 0; i < o->n_points; i++)
        x[i] = o->point[i].value[0];
    points_plot(b, o, x);
}

/* Two keys: the grid as a map, key 0 across and key 1 up; each cell run
 * coloured by its objective when feasible, grey and crossed when not,
 * blank when not run; the answer outlined and starred, equivalents ringed. */
static void draw_map(struct strbuf *b, const struct plot *p, const struct results_optimum *o)
{
    optimise_preamble(b, p, o, "cblabel", 0.47, 0.14);
    strbuf_printf(b, "set xlabel ");
    strbuf_quote_gnuplot(b, o->key[0]);
    strbuf_printf(b, "\nset ylabel ");
    strbuf_quote_gnuplot(b, o->key[1]);
    strbuf_printf(b, "\nset xrange [-0.5:%.10g]\nset yrange [-0.5:%.10g]\nset grid noytics\nset border 15\n"
                     "set tics nomirror out scale 0.5\nset colorbox vertical user origin screen 0.49, screen 0.14 size "
                     "screen 0.015, screen 0.71\n", o->n_grid[0] - 0.5, o->n_grid[1] - 0.5);
    key_tics(b, "x", o, 0, true);
    key_tics(b, "y", o, 1, true);
    /* light for the better end, so that the values written in the cells read on every colour */
    bool max = !strcmp(o->measure[0].op, "max");
    strbuf_printf(b, "set palette defined (0 '%s', 1 '#c7e9b4', 2 '#7fcdbb', 3 '%s')\n",
                  max ? "#2c7fb8" : "#ffffd9", max ? "#ffffd9" : "#2c7fb8");
    strbuf_printf(b, "# columns: place of %s, place of %s, objective; from " RESULTS_POINTS_CSV "\n$cells << EOD\n",
                  "key 0", "key 1");
    for (size_t i = 0; i < o->n_points; i++) {
        const struct results_optimum_point *q = &o->point[i];
        strbuf_printf(b, "%zu,%zu,%.10g,%d,%d,%d\n", q->at[0], q->at[1], q->objective, q->feasible, i == o->best,
                      q->selection == RESULTS_SEL_EQUIVALENT);
    }
    strbuf_printf(b, "EOD\n$grid << EOD\n");
    for (size_t i = 0; i < o->n_grid[0]; i++)
        for (size_t j = 0; j < o->n_grid[1]; j++)
            strbuf_printf(b, "%zu,%zu\n", i, j);
    strbuf_printf(b, "EOD\n");
    size_t items = 0;
    plot_item(b, &items);
    strbuf_printf(b, "$grid using 1:2:(0.5):(0.5) with boxxyerror fs empty lc rgb '#cccccc' lw 1 "
                  "title 'blank: not simulated, implied by those around'");
    plot_item(b, &items);
    strbuf_printf(b, "$cells using 1:2:(0.48):(0.48):($4 > 0 ? $3 : NaN) with boxxyerror fs solid 1.0 noborder "
                  "lc palette title 'meets every constraint: colour is the objective'");
    plot_item(b, &items);
    strbuf_printf(b, "$cells using 1:($4 > 0 ? NaN : $2):(0.48):(0.48) with boxxyerror fs solid 1.0 noborder "
                  "lc rgb '#dddddd' notitle");
    plot_item(b, &items);
    strbuf_printf(b, "$cells using 1:($4 > 0 ? NaN : $2) with points pt 2 ps 2 lw 1.5 lc rgb '" INFEASIBLE_COLOUR "' "
                  "title 'fails a constraint, or cannot tell'");
    if (o->n_grid[0] * o->n_grid[1] <= MAP_MAX_LABELS) {
        plot_item(b, &items);
        strbuf_printf(b, "$cells using 1:($2 - 0.3):(sprintf('%%.3g', $3)) with labels font 'Sans,8' tc rgb '#333333' "
                      "notitle");
    }
    plot_item(b, &items);
    strbuf_printf(b, "$cells using 1:($6 > 0 ? $2 : NaN):(0.5):(0.5) with boxxyerror fs empty border lc rgb '"
                  EQUIVALENT_COLOUR "' lw 3 notitle");
    plot_item(b, &items);
    strbuf_printf(b, "$cells using 1:($5 > 0 ? $2 : NaN):(0.5):(0.5) with boxxyerror fs empty border lc rgb '"
                  BEST_COLOUR "' lw 4 notitle");
    plot_item(b, &items);
    strbuf_printf(b, "$cells using 1:($5 > 0 ? $2 + 0.05 : NaN) with points pt 3 ps 2.5 lw 2.5 lc rgb '" BEST_COLOUR "' "
                  "notitle");
    answer_entries(b, &items, o, "with points pt 3 ps 2 lw 2.5 lc rgb '" BEST_COLOUR "'",
                   "with boxes fs empty border lc rgb '" EQUIVALENT_COLOUR "' lw 3");
    strbuf_printf(b, "\n");
}

/* A setting of a ranked chart: its objective, signed so that the better
 * sorts first (NaN last), and its point. */
struct rank {
    double key;
    size_t i;
};

static int better_first(const void *a, const void *b)
{
    double x = ((const struct rank *)a)->key, y = ((const struct rank *)b)->key;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

/* Three or four keys: the settings run in order of objective, the best
 * first, each labelled with its values. */
static enum rm_status draw_ranked(struct strbuf *b, const struct plot *p, const struct results_optimum *o, double *x)
{
    struct rank *order = malloc((o->n_points + 1) * sizeof *order);
    if (!order)
        return diag_fail(p->d, RM_ENOMEM, "out of memory drawing an optimisation");
    double sign = strcmp(o->measure[0].op, "max") ? 1 : -1;
    for (size_t i = 0; i < o->n_points; i++)
        order[i] = (struct rank){sign * o->point[i].objective, i};
    qsort(order, o->n_points, sizeof *order, better_first);
    optimise_preamble(b, p, o, "ylabel", 0.6, 0.27);
    strbuf_printf(b, "set xlabel 'settings simulated, %s first'\nset label 90 'each setting is the values of:' at "
                  "screen 0.62, screen 0.3 left font ',10'\n", strcmp(o->measure[0].op, "max") ? "lowest" : "highest");
    for (size_t k = 0; k < o->n_keys; k++) {  /* one key a line: their names are long */
        struct strbuf t = {0};
        strbuf_printf(&t, "%zu. %s", k + 1, o->key[k]);
        strbuf_printf(b, "set label %zu ", 91 + k);
        strbuf_quote_gnuplot(b, strbuf_str(&t));
        strbuf_printf(b, " at screen 0.63, screen %.4g left font ',10'\n", 0.3 - 0.035 * (double)(k + 1));
        strbuf_fini(&t);
    }
    size_t step = (o->n_points + RANKED_MAX_TICS - 1) / RANKED_MAX_TICS;
    strbuf_printf(b, "set xrange [0:%zu]\nset offsets 0, 0, graph 0.08, graph 0.08\nset xtics rotate by 90 right "
                     "font 'Sans,8' (", o->n_points + 1);
    for (size_t r = 0; r < o->n_points; r++) {
        x[order[r].i] = (double)(r + 1);
        if (r % step && order[r].i != o->best)
            continue;
        struct strbuf t = {0};
        for (size_t k = 0; k < o->n_keys; k++)
            strbuf_printf(&t, "%s%.10g", k ? ", " : "", o->point[order[r].i].value[k]);
        strbuf_printf(b, "%s", r ? ", " : "");
        strbuf_quote_gnuplot(b, strbuf_str(&t));
        strbuf_printf(b, " %zu", r + 1);
        strbuf_fini(&t);
    }
    strbuf_printf(b, ")\n");
    free(order);
    points_plot(b, o, x);
    return RM_OK;
}

/* The optimisation's chart, when the folder has its answer. */
enum rm_status plot_chart_optimise(struct plot *p)
{
    struct results_optimum o;
    enum rm_status st = results_optimum_load(&o, p->dir, p->d);
    if (st != RM_OK || !o.found)
        return st;
    double *x = malloc((o.n_points + 1) * sizeof *x);
    struct strbuf b = {0};
    if (!x)
        st = diag_fail(p->d, RM_ENOMEM, "out of memory drawing an optimisation");
    else if (o.n_keys == 1)
        draw_line(&b, p, &o, x);
    else if (o.n_keys == 2)
        draw_map(&b, p, &o);
    else
        st = draw_ranked(&b, p, &o, x);
    if (st == RM_OK)
        st = gnuplot_draw(&p->gp, results_chart(RESULTS_CHART_OPTIMISE)->name, &b, p->d);
    strbuf_fini(&b);
    free(x);
    results_optimum_fini(&o);
    return st;
}
