/* plotsweep: the charts of a sweep's folder: a metric against the varied
 * key with its confidence band, one line per value of a second key, for
 * each chart-headline metric over the network and for the target's metric
 * at its scope, with the target and its answer drawn in. */
#include "plotdraw.h"

#include "railmail/metric.h"
#include "railmail/num.h"
#include "railmail/results.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SWEEP_LINES PLOT_NPALETTE  /* values of a second key drawn */
#define MAX_SWEEP_XTICS 15        /* more values: gnuplot's own tics */

/* One point of a sweep chart: the first key's value, the second's (0
 * with one key) and the metric's mean and interval there. */
struct sweep_point {
    double x, line, mean, lo, hi;
};

/* Where each value that ran lies in the grid, from the sweep's list of points
 * (point-NNN is the NNN-th value of a one-key grid): a target search runs
 * only some values, and a line must not pass over the ones it skipped. */
struct sweep_grid {
    double *x;       /* the values that ran */
    uint64_t *at;    /* their place in the grid, from 1 */
    size_t n;
};

static void grid_fini(struct sweep_grid *g)
{
    free(g->x);
    free(g->at);
    *g = (struct sweep_grid){0};
}

/* Reads the grid places of a one-key sweep; leaves it empty (every point
 * joined to the next, as before) when that list is absent or its names
 * are not point-NNN. */
/* An optimisation's settings: the first key's place in its grid (an
 * optimisation of two keys runs only some of the grid). */
static enum rm_status grid_of_optimum(const struct plot *p, struct sweep_grid *g)
{
    struct results_optimum o;
    enum rm_status st = results_optimum_load(&o, p->dir, p->d);
    if (st != RM_OK || !o.found || !o.grid_known) {
        results_optimum_fini(&o);
        return st;
    }
    g->x = malloc((o.n_points + 1) * sizeof *g->x);
    g->at = malloc((o.n_points + 1) * sizeof *g->at);
    if (!g->x || !g->at)
        st = diag_fail(p->d, RM_ENOMEM, "out of memory reading " RESULTS_POINTS_CSV);
    for (size_t i = 0; st == RM_OK && i < o.n_points; i++, g->n++) {
        g->x[g->n] = o.point[i].value[0];
        g->at[g->n] = o.point[i].at[0] + 1;
    }
    if (st != RM_OK)
        grid_fini(g);
    results_optimum_fini(&o);
    return st;
}

static enum rm_status grid_load(const struct plot *p, size_t nkeys, struct sweep_grid *g)
{
    *g = (struct sweep_grid){0};
    if (nkeys == 2)
        return grid_of_optimum(p, g);  /* a sweep's grid of two runs every point; an optimisation's does not */
    struct table t = {0};
    bool found;
    size_t cpoint;
    enum rm_status st = results_load(&t, p->dir, RESULTS_POINTS_CSV, &found, p->d);
    if (st != RM_OK || !found || !table_find(&t, RESULTS_COL_POINT, &cpoint) || t.ncol < 2) {
        table_fini(&t);
        return st;
    }
    size_t cvalue = cpoint == 0 ? 1 : 0;
    g->x = malloc((t.nrow + 1) * sizeof *g->x);
    g->at = malloc((t.nrow + 1) * sizeof *g->at);
    if (!g->x || !g->at) {
        grid_fini(g);
        table_fini(&t);
        return diag_fail(p->d, RM_ENOMEM, "out of memory reading " RESULTS_POINTS_CSV);
    }
    for (size_t r = 0; r < t.nrow; r++) {
        const char *name = table_cell(&t, r, cpoint), *dash = strrchr(name, '-'), *value = table_cell(&t, r, cvalue);
        if (!dash || !num_parse_whole(dash + 1, &g->at[g->n]) ||
            !num_parse(value, strlen(value), '.', &g->x[g->n])) {
            grid_fini(g);  /* names of another form: no gaps known */
            break;
        }
        g->n++;
    }
    table_fini(&t);
    return RM_OK;
}

/* True when the grid has a value between a and b that did not run. */
static bool skipped_between(const struct sweep_grid *g, double a, double b)
{
    uint64_t ia = 0, ib = 0;
    for (size_t i = 0; i < g->n; i++) {
        if (g->x[i] == a)
            ia = g->at[i];
        if (g->x[i] == b)
            ib = g->at[i];
    }
    return ia && ib && (ia > ib ? ia - ib : ib - ia) > 1;
}

static int by_line_then_x(const void *a, const void *b)
{
    const struct sweep_point *u = a, *v = b;
    if (u->line != v->line)
        return u->line < v->line ? -1 : 1;
    return (u->x > v->x) - (u->x < v->x);
}

/* What the target says, for the line on the charts: texts borrowed from
 * the target's table. */
struct sweep_goal {
    bool found;  /* a target with metric, scope, operator and threshold */
    const char *metric, *scope, *op, *value, *outcome;
    double threshold;
};

static void goal_of(const struct results_target *t, struct sweep_goal *g)
{
    *g = (struct sweep_goal){t->found && t->metric && t->scope && t->op && isfinite(t->threshold), t->metric,
                             t->scope, t->op, t->value, t->outcome, t->threshold};
}

/* The columns of the sweep's CSV: the varied keys come before `metric`. */
struct sweep_cols {
    size_t nkeys, metric, scope, mean, lo, hi;
};

/* The rows of (metric, scope) in the sweep's CSV, sorted by second key, then x. */
static enum rm_status sweep_points(const struct plot *p, const struct table *t, const struct sweep_cols *c,
                                   const char *metric, const char *scope, struct sweep_point **out, size_t *n)
{
    *n = 0;
    *out = malloc((t->nrow + 1) * sizeof **out);
    if (!*out)
        return diag_fail(p->d, RM_ENOMEM, "out of memory reading %s", t->name);
    for (size_t r = 0; r < t->nrow; r++) {
        if (strcmp(table_cell(t, r, c->metric), metric) || strcmp(table_cell(t, r, c->scope), scope))
            continue;
        struct sweep_point *q = &(*out)[*n];
        q->line = 0;
        enum rm_status st;
        if ((st = table_num(t, r, 0, &q->x, p->d)) != RM_OK ||
            (c->nkeys == 2 && (st = table_num(t, r, 1, &q->line, p->d)) != RM_OK) ||
            (st = table_num(t, r, c->mean, &q->mean, p->d)) != RM_OK ||
            (st = table_num(t, r, c->lo, &q->lo, p->d)) != RM_OK || (st = table_num(t, r, c->hi, &q->hi, p->d)) != RM_OK)
            return st;
        if (isfinite(q->x) && isfinite(q->line) && isfinite(q->mean))
            (*n)++;
    }
    qsort(*out, *n, sizeof **out, by_line_then_x);
    return RM_OK;
}

/* The y range of the points (and the threshold), padded; the x range and
 * tics at each value when there are few. */
static void sweep_axes(struct strbuf *b, const struct sweep_point *pt, size_t n, double threshold)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = threshold, yhi = threshold;
    if (!isfinite(threshold))
        ylo = INFINITY, yhi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        xlo = fmin(xlo, pt[i].x);
        xhi = fmax(xhi, pt[i].x);
        const double y[] = {pt[i].mean, pt[i].lo, pt[i].hi};
        for (size_t k = 0; k < 3; k++)
            if (isfinite(y[k]))
                ylo = fmin(ylo, y[k]), yhi = fmax(yhi, y[k]);
    }
    double xpad = xhi > xlo ? 0.04 * (xhi - xlo) : 0.5, ypad = yhi > ylo ? 0.08 * (yhi - ylo) : fmax(1, fabs(yhi) * 0.05);
    strbuf_printf(b, "set xrange [%.10g:%.10g]\nset yrange [%.10g:%.10g]\n", xlo - xpad, xhi + xpad, ylo - ypad,
                  yhi + ypad);
    double tics[MAX_SWEEP_XTICS];
    size_t nt = 0;
    for (size_t i = 0; i < n && nt <= MAX_SWEEP_XTICS; i++) {
        bool seen = false;
        for (size_t k = 0; k < nt && !seen; k++)
            seen = tics[k] == pt[i].x;
        if (!seen && nt < MAX_SWEEP_XTICS)
            tics[nt] = pt[i].x;
        nt += !seen;
    }
    if (nt <= MAX_SWEEP_XTICS) {
        strbuf_printf(b, "set xtics (");
        for (size_t k = 0; k < nt; k++)
            strbuf_printf(b, "%s%.10g", k ? ", " : "", tics[k]);
        strbuf_printf(b, ")\n");
    }
}

/* The target's threshold as a horizontal line and the answer as a vertical
 * one: arrows set in `b` before the plot command, key entries in `keys` to
 * end it. */
static void sweep_goal_lines(struct strbuf *b, struct strbuf *keys, const struct sweep_goal *g, const char *key)
{
    strbuf_printf(b, "set arrow 2 from graph 0, first %.10g to graph 1, first %.10g nohead lc rgb '#d62728' lw 2 "
                  "dt 2 front\n", g->threshold, g->threshold);
    struct strbuf t = {0};
    bool all = !strcmp(g->scope, "all");
    strbuf_printf(&t, "target: %s%s%s %s %g", g->metric, all ? "" : "@", all ? "" : g->scope, g->op, g->threshold);
    strbuf_printf(keys, ", \\\n     keyentry with lines lc rgb '#d62728' lw 2 dt 2 title ");
    strbuf_quote_gnuplot(keys, strbuf_str(&t));
    strbuf_fini(&t);
    double answer;
    if (!g->value || !num_parse(g->value, strlen(g->value), '.', &answer))
        return;
    strbuf_printf(b, "set arrow 3 from %.10g, graph 0 to %.10g, graph 1 nohead lc rgb '#2ca02c' lw 2 dt 3 front\n",
                  answer, answer);
    strbuf_printf(&t, "least %s meeting it with confidence: %s%s", key, g->value,
                  g->outcome && !strcmp(g->outcome, "between") ? " (the value below cannot be told apart)" : "");
    strbuf_printf(keys, ", \\\n     keyentry with lines lc rgb '#2ca02c' lw 2 dt 3 title ");
    strbuf_quote_gnuplot(keys, strbuf_str(&t));
    strbuf_fini(&t);
}

/* A sweep chart: (metric, scope) against the first key with its
 * confidence band, one line per value of the second key, and the target
 * when it is about this metric and scope. */
static enum rm_status sweep_chart(struct plot *p, const struct table *t, const struct sweep_cols *c, const char *metric,
                                  const char *scope, const char *name, const struct sweep_goal *g)
{
    struct sweep_point *pt = NULL;
    struct sweep_grid grid;
    size_t n;
    enum rm_status st = sweep_points(p, t, c, metric, scope, &pt, &n);
    if (st == RM_OK && n > 0)
        st = grid_load(p, c->nkeys, &grid);
    if (st != RM_OK || n == 0) {
        free(pt);
        return st;
    }
    bool goal = g && g->found && !strcmp(g->metric, metric) && !strcmp(g->scope, scope);
    const struct metric *mt = metric_find(metric);
    const char *key = table_header(t, 0);
    struct strbuf b = {0}, sub = {0}, what = {0};
    size_t nlines = 1;
    for (size_t i = 1; i < n; i++)
        nlines += pt[i].line != pt[i - 1].line;

    strbuf_printf(&what, "%s%s%s%s against %s", mt ? mt->label : metric, strcmp(scope, "all") ? " (" : "",
                  strcmp(scope, "all") ? scope : "", strcmp(scope, "all") ? ")" : "", key);
    plot_scenario_text(&sub, p);
    plot_replications_text(&sub, p);
    strbuf_printf(&sub, " per point, common random numbers; band: ");
    plot_confidence_text(&sub, p);
    strbuf_printf(&sub, " interval");
    bool gaps = false;
    for (size_t i = 1; i < n && !gaps; i++)
        gaps = pt[i].line == pt[i - 1].line && skipped_between(&grid, pt[i - 1].x, pt[i].x);
    if (g && g->found)
        strbuf_printf(&sub, gaps ? "; only the values the target search ran, no line across those it skipped"
                                 : "; the points the target search ran");
    else if (gaps)
        strbuf_printf(&sub, "; only the settings the search ran, no line across those it did not");
    if (nlines > MAX_SWEEP_LINES)
        strbuf_printf(&sub, "; the first %zu values of %s", (size_t)MAX_SWEEP_LINES, table_header(t, 1));
    plot_preamble(&b, p, strbuf_str(&what), strbuf_str(&sub));
    strbuf_printf(&b, "set xlabel ");
    strbuf_quote_gnuplot(&b, key);
    strbuf_printf(&b, "\nset ylabel ");
    struct strbuf ylabel = {0};
    strbuf_printf(&ylabel, "%s (%s)", mt ? mt->label : metric, mt ? mt->unit : "");
    strbuf_quote_gnuplot(&b, strbuf_str(&ylabel));
    strbuf_fini(&ylabel);
    strbuf_printf(&b, "\n");
    sweep_axes(&b, pt, n, goal ? g->threshold : NAN);
    struct strbuf keys = {0};
    if (goal)
        sweep_goal_lines(&b, &keys, g, key);

    /* one datablock per line: x, mean, ci_low, ci_high, from the sweep's CSV */
    strbuf_printf(&b, "# from " RESULTS_SWEEP_CSV ": ");
    strbuf_put_line(&b, metric);
    strbuf_printf(&b, " at ");
    strbuf_put_line(&b, scope);
    strbuf_printf(&b, "; columns: value, " RESULTS_COL_MEAN ", " RESULTS_COL_CI_LOW ", " RESULTS_COL_CI_HIGH "\n");
    size_t line = 0, first[MAX_SWEEP_LINES + 1];
    bool band[MAX_SWEEP_LINES] = {false}, broken[MAX_SWEEP_LINES] = {false};
    for (size_t i = 0; i < n && line < MAX_SWEEP_LINES; i++) {
        if (i == 0 || pt[i].line != pt[i - 1].line) {
            if (i)
                strbuf_printf(&b, "EOD\n"), line++;
            if (line == MAX_SWEEP_LINES)
                break;
            first[line] = i;
            strbuf_printf(&b, "$line%zu << EOD\n", line);
        } else if (skipped_between(&grid, pt[i - 1].x, pt[i].x)) {
            strbuf_printf(&b, "\n");  /* a blank line: neither line nor band crosses the values not run */
            broken[line] = true;
        }
        strbuf_printf(&b, "%.10g,%.10g,", pt[i].x, pt[i].mean);
        if (isfinite(pt[i].lo) && isfinite(pt[i].hi)) {
            strbuf_printf(&b, "%.10g,%.10g\n", pt[i].lo, pt[i].hi);
            band[line] = true;
        } else {
            strbuf_printf(&b, "NaN,NaN\n");
        }
        if (i + 1 == n)
            strbuf_printf(&b, "EOD\n"), line++;
    }
    struct strbuf band_title = {0};
    plot_confidence_text(&band_title, p);
    strbuf_printf(&band_title, " interval");
    size_t items = 0;
    bool any_band = false;
    for (size_t k = 0; k < line; k++) {
        any_band |= band[k];
        const char *colour = nlines == 1 ? "#08306b" : plot_palette[k % PLOT_NPALETTE];
        if (band[k]) {
            plot_item(&b, &items);
            strbuf_printf(&b, "$line%zu using 1:3:4 with filledcurves fillcolor rgb '%s' fillstyle transparent solid "
                          "0.18 noborder ", k, nlines == 1 ? "#6baed6" : colour);
            if (nlines == 1) {
                strbuf_printf(&b, "title ");
                strbuf_quote_gnuplot(&b, strbuf_str(&band_title));
            } else {
                strbuf_printf(&b, "notitle");
            }
        }
        if (band[k] && broken[k]) {  /* a point alone has no band to show: its interval as a bar */
            plot_item(&b, &items);
            strbuf_printf(&b, "$line%zu using 1:2:3:4 with yerrorbars lc rgb '%s' lw 1 pt 7 ps 0 notitle", k,
                          nlines == 1 ? "#6baed6" : colour);
        }
        plot_item(&b, &items);
        strbuf_printf(&b, "$line%zu using 1:2 with linespoints lc rgb '%s' lw 2 pt 7 ps 1.2 title ", k, colour);
        struct strbuf lt = {0};
        if (c->nkeys == 2)
            strbuf_printf(&lt, "%s = %.10g", table_header(t, 1), pt[first[k]].line);
        else
            strbuf_printf(&lt, "mean");
        strbuf_quote_gnuplot(&b, strbuf_str(&lt));
        strbuf_fini(&lt);
    }
    if (nlines > 1 && any_band) {  /* one key entry for the bands of every line */
        plot_item(&b, &items);
        strbuf_printf(&b, "keyentry with boxes fillcolor rgb '#bbbbbb' fillstyle transparent solid 0.4 noborder "
                      "title ");
        strbuf_quote_gnuplot(&b, strbuf_str(&band_title));
    }
    strbuf_fini(&band_title);
    strbuf_put(&b, strbuf_str(&keys), keys.len);
    strbuf_printf(&b, "\n");
    st = gnuplot_draw(&p->gp, name, &b, p->d);
    grid_fini(&grid);
    free(pt);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    strbuf_fini(&what);
    strbuf_fini(&keys);
    return st;
}

/* The sweep's table and columns, and its target; *found false when the
 * folder has no sweep. */
static enum rm_status sweep_load(struct plot *p, struct table *t, struct sweep_cols *c, struct results_target *target,
                                 struct sweep_goal *g, bool *found)
{
    *target = (struct results_target){0};
    enum rm_status st = results_load(t, p->dir, RESULTS_SWEEP_CSV, found, p->d);
    if (st != RM_OK || !*found)
        return st;
    if ((st = table_col(t, RESULTS_COL_METRIC, &c->metric, p->d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_SCOPE, &c->scope, p->d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_MEAN, &c->mean, p->d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_CI_LOW, &c->lo, p->d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_CI_HIGH, &c->hi, p->d)) != RM_OK)
        return st;
    c->nkeys = c->metric;
    if (c->nkeys > 2 && c->nkeys <= 4) {  /* an optimisation of more keys: no sweep chart (the page draws none) */
        *found = false;
        return RM_OK;
    }
    if (c->nkeys < 1 || c->nkeys > 2)
        return diag_error(p->d, &(struct diag_at){t->name, 1, 0},
                          "expected one or two varied keys before the metric column, found %zu", c->nkeys);
    if ((st = results_target_load(target, p->dir, p->d)) == RM_OK)
        goal_of(target, g);
    return st;
}

/* The sweep's chart of the target's metric at its scope, when it has a
 * target. */
enum rm_status plot_chart_sweep_target(struct plot *p)
{
    struct table t = {0};
    struct sweep_cols c;
    struct results_target target;
    struct sweep_goal g;
    bool found;
    enum rm_status st = sweep_load(p, &t, &c, &target, &g, &found);
    if (st == RM_OK && found && g.found)
        st = sweep_chart(p, &t, &c, g.metric, g.scope, results_chart(RESULTS_CHART_SWEEP_TARGET)->name, &g);
    results_target_fini(&target);
    table_fini(&t);
    return st;
}

/* The sweep's chart of each chart-headline metric over the network. */
enum rm_status plot_chart_sweep_metrics(struct plot *p)
{
    struct table t = {0};
    struct sweep_cols c;
    struct results_target target;
    struct sweep_goal g;
    bool found;
    enum rm_status st = sweep_load(p, &t, &c, &target, &g, &found);
    char name[RESULTS_CHART_NAME_MAX];
    const char *metric;
    for (size_t k = 0; st == RM_OK && found && results_chart_name(RESULTS_CHART_SWEEP_METRIC, k, name, &metric); k++)
        st = sweep_chart(p, &t, &c, metric, "all", name, &g);
    results_target_fini(&target);
    table_fini(&t);
    return st;
}
