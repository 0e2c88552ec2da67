/* plotrun: the charts of a run's folder (also each arm of a comparison
 * and each point of a sweep): tonnes delivered, transit days, waiting
 * mail, train waits, and on time by origin and destination. The monthly
 * chart is in plotmonthly.c. */
#include "plotdraw.h"

#include "railmail/metric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEST_LINES 8       /* more destinations: the total only */
#define MAX_NODE_LINES 10      /* train waits: more nodes, the largest only */

/* Sorts series by total, largest first; ties keep file order. */
static int by_total_desc(const void *a, const void *b)
{
    const struct series *x = a, *y = b;
    return (x->total < y->total) - (x->total > y->total);
}

static int by_peak_desc(const void *a, const void *b)
{
    const struct series *x = a, *y = b;
    return (x->peak < y->peak) - (x->peak > y->peak);
}

/* The network's daily total as a series named "all" over ndays days (the
 * horizon when it is longer than the file); *any when a day has a mean. */
static enum rm_status throughput_total(const struct plot *p, const struct table *t, size_t *ndays,
                                       struct series **out, bool *any)
{
    struct diag *d = p->d;
    size_t cday, cmean, clo, chi;
    enum rm_status st;
    *out = NULL;
    *any = false;
    if ((st = table_col(t, RESULTS_COL_DAY, &cday, d)) != RM_OK || (st = table_col(t, RESULTS_COL_DELIVERED_T_MEAN, &cmean, d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_DELIVERED_T_CI_LOW, &clo, d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_DELIVERED_T_CI_HIGH, &chi, d)) != RM_OK || (st = table_ndays(t, cday, ndays, d)) != RM_OK)
        return st;
    if (isfinite(p->rec.horizon_d) && p->rec.horizon_d > *ndays && p->rec.horizon_d < TABLE_MAX_DAYS)
        *ndays = (size_t)ceil(p->rec.horizon_d);
    struct series *all = calloc(1, sizeof *all);
    if (!all || !series_init(all, "all", *ndays)) {
        free(all);
        return diag_fail(d, RM_ENOMEM, "out of memory reading " RESULTS_THROUGHPUT_CSV);
    }
    for (size_t r = 0; r < t->nrow; r++) {
        size_t day;
        double v, lo, hi;
        if ((st = table_day(t, r, cday, &day, d)) != RM_OK || (st = table_num(t, r, cmean, &v, d)) != RM_OK ||
            (st = table_num(t, r, clo, &lo, d)) != RM_OK || (st = table_num(t, r, chi, &hi, d)) != RM_OK) {
            series_free(all, 1);
            return st;
        }
        if (isfinite(v)) {
            all->v[day] = v;
            *any = true;
        }
    }
    *out = all;
    return RM_OK;
}

/* The 7-day datablock (the total, then each destination drawn) and the plot
 * command of the throughput chart. */
static enum rm_status throughput_lines(struct strbuf *b, const struct plot *p, const struct series *all,
                                       const struct series *dest, size_t ndest, bool per_dest, size_t ndays)
{
    struct series *cols = malloc((1 + (per_dest ? ndest : 0)) * sizeof *cols);
    if (!cols)
        return diag_fail(p->d, RM_ENOMEM, "out of memory drawing %s.png", results_chart(RESULTS_CHART_THROUGHPUT)->name);
    cols[0] = *all;
    for (size_t i = 0; per_dest && i < ndest; i++)
        cols[1 + i] = dest[i];
    plot_avg7_block(b, "$avg7", cols, 1 + (per_dest ? ndest : 0), ndays, p->dated ? &p->start_day : NULL);
    free(cols);

    struct strbuf key = {0};
    strbuf_printf(&key, "'");
    plot_confidence_text(&key, p);
    strbuf_printf(&key, " interval of the daily mean'");
    size_t items = 0;
    plot_warmup_keyentry(b, p, &items);
    plot_item(b, &items);
    strbuf_printf(b, "'" RESULTS_THROUGHPUT_CSV "' using %s:'" RESULTS_COL_DELIVERED_T_CI_LOW "':'" RESULTS_COL_DELIVERED_T_CI_HIGH
                  "' with filledcurves "
                  "fillcolor rgb '#c6dbef' fillstyle solid 1.0 noborder title %s", plot_x_col(p), strbuf_str(&key));
    strbuf_fini(&key);
    plot_item(b, &items);
    strbuf_printf(b, "'' using %s:'" RESULTS_COL_DELIVERED_T_MEAN "' with lines lc rgb '#6baed6' lw 1 title 'daily mean'", plot_x_col(p));
    plot_item(b, &items);
    strbuf_printf(b, "$avg7 using 1:2 with lines lc rgb '#08306b' lw 3 title '%s, 7-day average'",
               per_dest ? "all destinations" : "all mail");
    for (size_t i = 0; per_dest && i < ndest; i++) {
        plot_item(b, &items);
        strbuf_printf(b, "$avg7 using 1:%zu with lines lc rgb '%s' lw 2 title ", i + 3, plot_palette[i % PLOT_NPALETTE]);
        struct strbuf title = {0};
        strbuf_printf(&title, "to %s, 7-day average", dest[i].name);
        strbuf_quote_gnuplot(b, strbuf_str(&title));
        strbuf_fini(&title);
    }
    strbuf_printf(b, "\n");
    return RM_OK;
}

#define MAX_DEST_AREAS 5  /* weekly chart: the largest destinations, then "other" */

/* The weekly datablock: per full week its middle (x), the mean total with
 * its interval, then the destinations' tonnes stacked (cumulative), the
 * largest first and the rest as one "other"; *nstack gets the layers. */
static enum rm_status weekly_block(struct strbuf *b, const struct plot *p, const struct table *tw,
                                   const struct series *dest, size_t ndest, size_t ndays, size_t *nstack, bool *any)
{
    size_t cweek, cdays, cmean, clo, chi;
    enum rm_status st;
    if ((st = table_col(tw, RESULTS_COL_WEEK, &cweek, p->d)) != RM_OK || (st = table_col(tw, RESULTS_COL_DAYS, &cdays, p->d)) != RM_OK ||
        (st = table_col(tw, RESULTS_COL_DELIVERED_T_MEAN, &cmean, p->d)) != RM_OK ||
        (st = table_col(tw, RESULTS_COL_DELIVERED_T_CI_LOW, &clo, p->d)) != RM_OK ||
        (st = table_col(tw, RESULTS_COL_DELIVERED_T_CI_HIGH, &chi, p->d)) != RM_OK)
        return st;
    size_t shown = ndest <= MAX_DEST_AREAS + 1 ? ndest : MAX_DEST_AREAS;
    *nstack = shown + (ndest > shown);
    *any = false;
    strbuf_printf(b, "# per full week: middle (x), tonnes delivered (mean, interval low, high), then the\n"
                  "# destinations stacked, largest first%s\n$weeks << EOD\n", ndest > shown ? ", then the others" : "");
    for (size_t r = 0; r < tw->nrow; r++) {
        double week, days, v[3];
        if ((st = table_num(tw, r, cweek, &week, p->d)) != RM_OK || (st = table_num(tw, r, cdays, &days, p->d)) != RM_OK ||
            (st = table_num(tw, r, cmean, &v[0], p->d)) != RM_OK || (st = table_num(tw, r, clo, &v[1], p->d)) != RM_OK ||
            (st = table_num(tw, r, chi, &v[2], p->d)) != RM_OK)
            return st;
        if (days != 7 || !(week >= 0) || 7 * week + 7 > (double)ndays || !isfinite(v[0]))
            continue;  /* a partial week would read as a drop */
        *any |= v[0] > 0;
        strbuf_printf(b, "%.10g", plot_x_of(p, 7 * week + 3.5));
        for (size_t k = 0; k < 3; k++)
            strbuf_printf(b, isfinite(v[k]) ? ",%.6g" : ",NaN", v[k]);
        double cum = 0;
        for (size_t i = 0; i < ndest; i++) {
            for (size_t day = (size_t)week * 7; day < (size_t)week * 7 + 7; day++)
                cum += dest[i].v[day];
            if (i < shown || i + 1 == ndest)
                strbuf_printf(b, ",%.6g", cum);
        }
        strbuf_printf(b, "\n");
    }
    strbuf_printf(b, "EOD\n");
    return RM_OK;
}

/* The throughput chart from the weekly totals: tonnes delivered per week,
 * stacked by destination (the five largest and "other"), and the total's
 * mean with its confidence interval as error bars. */
static enum rm_status throughput_weekly_chart(struct plot *p, const struct table *tw, const struct series *dest,
                                              size_t ndest, size_t ndays)
{
    struct strbuf b = {0}, sub = {0}, block = {0};
    size_t nstack;
    bool any;
    enum rm_status st = weekly_block(&block, p, tw, dest, ndest, ndays, &nstack, &any);
    if (st != RM_OK)
        goto out;
    plot_scenario_text(&sub, p);
    plot_replications_text(&sub, p);
    strbuf_printf(&sub, "; bars: ");
    plot_confidence_text(&sub, p);
    strbuf_printf(&sub, " interval of the weekly total");
    if (ndest > nstack)
        strbuf_printf(&sub, "; the %d largest of %zu destinations", MAX_DEST_AREAS, ndest);
    plot_preamble(&b, p, "mail delivered per week", strbuf_str(&sub));
    plot_day_axis(&b, p, ndays);
    strbuf_printf(&b, "set ylabel 'mail delivered (tonnes per week)'\n%s", any ? "set yrange [0:*]\n" : "set yrange [0:1]\n");
    strbuf_put(&b, strbuf_str(&block), block.len);
    size_t items = 0;
    plot_warmup_keyentry(&b, p, &items);
    /* the top of each layer, the highest first, so lower layers cover the rest */
    for (size_t i = nstack; i-- > 0;) {
        plot_item(&b, &items);
        bool other = ndest > nstack - 1 + (ndest <= MAX_DEST_AREAS + 1) && i == nstack - 1;
        strbuf_printf(&b, "$weeks using ($1):%zu with filledcurves x1 fillcolor rgb '%s' fillstyle solid 0.85 noborder "
                      "title ", 5 + i, other ? "#bab0ac" : plot_palette[i % PLOT_NPALETTE]);
        struct strbuf title = {0};
        if (other)
            strbuf_printf(&title, "to the other %zu destinations", ndest - MAX_DEST_AREAS);
        else
            strbuf_printf(&title, "to %s", dest[i].name);
        strbuf_quote_gnuplot(&b, strbuf_str(&title));
        strbuf_fini(&title);
    }
    plot_item(&b, &items);
    strbuf_printf(&b, "$weeks using ($1):2:3:4 with yerrorlines lc rgb '#08306b' lw 2 pt 7 ps 0.5 title '%s, mean and ",
                  ndest ? "all destinations" : "all mail");
    plot_confidence_text(&b, p);
    strbuf_printf(&b, " interval'\n");
    st = gnuplot_draw(&p->gp, results_chart(RESULTS_CHART_THROUGHPUT)->name, &b, p->d);
out:
    strbuf_fini(&b);
    strbuf_fini(&sub);
    strbuf_fini(&block);
    return st;
}

/* The throughput chart: the daily mean with its band, the 7-day average, and one
 * 7-day line per destination when there are at most MAX_DEST_LINES. */
enum rm_status plot_chart_throughput(struct plot *p)
{
    struct diag *d = p->d;
    struct table t = {0}, td = {0};
    struct series *dest = NULL, *all = NULL;
    size_t ndest = 0, ndays;
    struct strbuf b = {0}, sub = {0};
    bool found, found_dest = false, any;
    enum rm_status st = results_load(&t, p->dir, RESULTS_THROUGHPUT_CSV, &found, d);
    if (st != RM_OK || !found)
        return st;
    if ((st = throughput_total(p, &t, &ndays, &all, &any)) != RM_OK)
        goto out;
    plot_find_dates(p, &t);
    if ((st = results_load(&td, p->dir, RESULTS_THROUGHPUT_DEST_CSV, &found_dest, d)) != RM_OK)
        goto out;
    if (found_dest) {
        if ((st = series_split(&td, RESULTS_COL_DESTINATION, RESULTS_COL_DELIVERED_T_MEAN, ndays, NULL, 0, &dest, &ndest, d)) != RM_OK)
            goto out;
        if (ndest)
            qsort(dest, ndest, sizeof *dest, by_total_desc);
    }
    bool per_dest = ndest >= 2 && ndest <= MAX_DEST_LINES;
    /* Results with weekly totals get the weekly chart; older ones the daily. */
    struct table tw = {0};
    bool found_weekly;
    if ((st = results_load(&tw, p->dir, RESULTS_THROUGHPUT_WEEKLY_CSV, &found_weekly, d)) != RM_OK)
        goto out;
    if (found_weekly) {
        st = throughput_weekly_chart(p, &tw, dest, ndest, ndays);
        table_fini(&tw);
        goto out;
    }

    plot_scenario_text(&sub, p);
    plot_replications_text(&sub, p);
    strbuf_printf(&sub, "; band: ");
    plot_confidence_text(&sub, p);
    strbuf_printf(&sub, " interval of the daily mean");
    if (ndest > MAX_DEST_LINES)
        strbuf_printf(&sub, "; %zu destinations, total shown", ndest);
    plot_preamble(&b, p, "mail delivered per day", strbuf_str(&sub));
    plot_day_axis(&b, p, ndays);
    strbuf_printf(&b, "set ylabel 'mail delivered (tonnes per day)'\n");
    strbuf_printf(&b, any ? "set yrange [0:*]\n" : "set yrange [0:1]\n");
    if ((st = throughput_lines(&b, p, all, dest, ndest, per_dest, ndays)) == RM_OK)
        st = gnuplot_draw(&p->gp, results_chart(RESULTS_CHART_THROUGHPUT)->name, &b, d);
out:
    table_fini(&t);
    table_fini(&td);
    series_free(dest, ndest);
    series_free(all, all ? 1 : 0);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    return st;
}

/* The mean of metric/scope in the summary (NaN when absent). */
static double summary_mean(const struct table *s, const char *metric, const char *scope)
{
    size_t cm, cs, cmean;
    if (!table_find(s, RESULTS_COL_METRIC, &cm) || !table_find(s, RESULTS_COL_SCOPE, &cs) ||
        !table_find(s, RESULTS_COL_MEAN, &cmean))
        return NAN;
    for (size_t r = 0; r < s->nrow; r++)
        if (strcmp(table_cell(s, r, cm), metric) == 0 && strcmp(table_cell(s, r, cs), scope) == 0)
            return table_value(s, r, cmean);
    return NAN;
}

/* One vertical marker on the transit chart: an arrow plus a key entry. */
static void transit_marker(struct strbuf *b, struct strbuf *keys, int id, double x, const char *colour, const char *dash,
                           const char *label)
{
    if (!isfinite(x))
        return;
    strbuf_printf(b, "set arrow %d from %.10g, graph 0 to %.10g, graph 1 nohead lc rgb '%s' lw 2 dt %s front\n", id, x, x,
               colour, dash);
    strbuf_printf(keys, ", \\\n     keyentry with lines lc rgb '%s' lw 2 dt %s title ", colour, dash);
    strbuf_quote_gnuplot(keys, label);
}

/* What the transit chart needs from its CSV: the bin width (the smallest
 * step between rows, 0.25 when there is none), the first and last bins with
 * batches, the first bin where the cumulative share reaches 99.9%, and the
 * largest share in one bin. */
struct transit_bins {
    double width, first, last, cut, peak;
};

static enum rm_status transit_scan(const struct table *t, struct transit_bins *out, struct diag *d)
{
    size_t cx, cpct, ccum;
    enum rm_status st;
    if ((st = table_col(t, RESULTS_COL_TRANSIT_D, &cx, d)) != RM_OK || (st = table_col(t, RESULTS_COL_BATCHES_PCT, &cpct, d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_CUM_PCT, &ccum, d)) != RM_OK)
        return st;
    struct transit_bins b = {INFINITY, INFINITY, -INFINITY, NAN, 0};
    double prev = NAN;
    for (size_t r = 0; r < t->nrow; r++) {
        double x, pct, cum;
        if ((st = table_num(t, r, cx, &x, d)) != RM_OK || (st = table_num(t, r, cpct, &pct, d)) != RM_OK ||
            (st = table_num(t, r, ccum, &cum, d)) != RM_OK)
            return st;
        if (isfinite(prev) && x - prev > 0 && x - prev < b.width)
            b.width = x - prev;
        prev = x;
        if (isfinite(pct) && pct > 0) {
            b.first = fmin(b.first, x);
            b.last = fmax(b.last, x);
            b.peak = fmax(b.peak, pct);
        }
        if (!isfinite(b.cut) && isfinite(cum) && cum >= 99.9)
            b.cut = x;
    }
    if (!isfinite(b.width))
        b.width = 0.25;
    *out = b;
    return RM_OK;
}

/* The x range of the transit chart in whole days: the batches up to 99.9%
 * of them (*clipped when some lie beyond), and the three markers. */
static void transit_xrange(const struct transit_bins *bins, const double marks[3], double *lo_out,
                           double *hi_out, bool *clipped)
{
    bool any = isfinite(bins->first);
    double lo = any ? bins->first : 0, hi = any ? bins->last + bins->width : 1;
    *clipped = any && isfinite(bins->cut) && bins->cut + bins->width < hi;
    if (*clipped)
        hi = bins->cut + bins->width;
    for (size_t i = 0; i < 3; i++) {
        if (isfinite(marks[i])) {
            lo = fmin(lo, marks[i]);
            hi = fmax(hi, marks[i]);
        }
    }
    double pad = fmax(0.5, 0.04 * (hi - lo));
    *lo_out = fmax(0, floor(lo - pad));
    *hi_out = ceil(hi + pad);
}

/* The markers on the transit chart (service standard, median, 95th
 * percentile) as arrows in `b` and key entries in `keys`. */
static void transit_markers(struct strbuf *b, struct strbuf *keys, double standard, double on_time, double p50,
                            double p95)
{
    struct strbuf label = {0};
    if (isfinite(standard)) {
        strbuf_printf(&label, "service standard: %.4g days", standard);
        if (isfinite(on_time))
            strbuf_printf(&label, " (%.3g%% on time)", on_time);
    }
    transit_marker(b, keys, 1, standard, "#d62728", "1", strbuf_str(&label));
    strbuf_fini(&label);
    strbuf_printf(&label, "median (p50): %.3g days", p50);
    transit_marker(b, keys, 2, p50, "#2ca02c", "2", strbuf_str(&label));
    strbuf_fini(&label);
    strbuf_printf(&label, "95th percentile (p95): %.3g days", p95);
    transit_marker(b, keys, 3, p95, "#9467bd", "2", strbuf_str(&label));
    strbuf_fini(&label);
}

/* The transit chart: the histogram of transit days, its cumulative share on the
 * right axis, and the service standard, median and 95th percentile. */
enum rm_status plot_chart_transit(struct plot *p)
{
    struct diag *d = p->d;
    struct table t = {0}, s = {0};
    struct strbuf b = {0}, sub = {0}, keys = {0};
    struct transit_bins bins;
    bool found, found_summary;
    enum rm_status st = results_load(&t, p->dir, RESULTS_TRANSIT_CSV, &found, d);
    if (st != RM_OK || !found)
        return st;
    if ((st = transit_scan(&t, &bins, d)) != RM_OK)
        goto out;
    if ((st = results_load(&s, p->dir, RESULTS_SUMMARY_CSV, &found_summary, d)) != RM_OK)
        goto out;
    double width = bins.width;
    double standard = p->rec.service_standard_d;
    double p50 = found_summary ? summary_mean(&s, metric_name(METRIC_TRANSIT_P50), "all") : NAN;
    double p95 = found_summary ? summary_mean(&s, metric_name(METRIC_TRANSIT_P95), "all") : NAN;
    double on_time = found_summary ? summary_mean(&s, metric_name(METRIC_ON_TIME), "all") : NAN;
    bool any = isfinite(bins.first), clipped;
    double lo, hi;
    transit_xrange(&bins, (const double[]){standard, p50, p95}, &lo, &hi, &clipped);

    plot_scenario_text(&sub, p);
    strbuf_printf(&sub, "door to door, batches posted after the warm-up");
    plot_runout_text(&sub, p);
    strbuf_printf(&sub, "; pooled over ");
    if (isfinite(p->rec.replications) && p->rec.replications > 0)
        strbuf_printf(&sub, "%.0f replications", p->rec.replications);
    else
        strbuf_printf(&sub, "replications");
    if (clipped)
        strbuf_printf(&sub, "; the slowest 0.1%% lie beyond the right edge");
    plot_preamble(&b, p, "transit time", strbuf_str(&sub));
    strbuf_printf(&b, "set xrange [%.10g:%.10g]\nset yrange [0:%.10g]\nset y2range [0:100]\n", lo, hi,
               bins.peak > 0 ? bins.peak * 1.12 : 1.0);
    strbuf_printf(&b, "set xlabel 'transit time from posting to delivery (days)'\n"
                   "set ylabel 'share of batches (%% per %.4g-day bin)'\n"
                   "set y2label 'batches delivered within x days (cumulative %%)'\n"
                   "set y2tics 0, 20, 100 format '%%g%%%%' nomirror out\nset ytics nomirror\nset border 11 lc rgb '#444444'\n"
                   "set boxwidth %.10g absolute\n",
                   width, width);
    transit_markers(&b, &keys, standard, on_time, p50, p95);
    if (!any)
        strbuf_printf(&b, "set label 2 'no batch posted after the warm-up was delivered' at graph 0.5, graph 0.5 center\n");
    strbuf_printf(&b, "plot '" RESULTS_TRANSIT_CSV "' using (column('" RESULTS_COL_TRANSIT_D "') + %.10g):'" RESULTS_COL_BATCHES_PCT
                   "' with boxes "
                   "fillcolor rgb '#9ecae1' fillstyle solid 1.0 border lc rgb '#ffffff' title 'share of batches', \\\n"
                   "     '' using (column('" RESULTS_COL_TRANSIT_D "') + %.10g):'" RESULTS_COL_CUM_PCT "' axes x1y2 with lines lc rgb '#08306b' lw 2 "
                   "title 'cumulative share (right axis)'",
               width / 2, width);
    strbuf_put(&b, strbuf_str(&keys), keys.len);
    strbuf_printf(&b, "\n");
    st = gnuplot_draw(&p->gp, results_chart(RESULTS_CHART_TRANSIT)->name, &b, d);
out:
    table_fini(&t);
    table_fini(&s);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    strbuf_fini(&keys);
    return st;
}

/* A chart of one line per node over the days, from a long-format CSV. */
struct node_chart {
    const char *file, *value;   /* CSV and its value column */
    enum results_chart_id chart;
    const char *what;           /* title */
    const char *desc, *ylabel;  /* subtitle and y axis */
    const char *none;           /* label when no node has a value */
    const char *total_col;      /* the column of the network's daily CSV with the total, or NULL */
    size_t max_lines;           /* the nodes with the highest peaks drawn */
    bool weekly;                /* a 7-day mean per node over a band of its daily range,
                                   not a daily line: a sawtooth of weekly trains reads badly */
};

static const struct node_chart backlog_chart = {
    RESULTS_BACKLOG_CSV, RESULTS_COL_BACKLOG_BATCHES_MEAN, RESULTS_CHART_BACKLOG, "mail held at the nodes",
    "batches waiting for a train or aboard trains queueing or being handled there, at the end of each day: "
    "7-day mean (line), the week's lowest to highest day (band)",
    "batches held (end of day)",
    "no batch was held at any node", NULL, 3, true,
};

static const struct node_chart train_wait_chart = {
    RESULTS_TRAIN_WAIT_CSV, RESULTS_COL_TRAIN_WAIT_D_MEAN, RESULTS_CHART_TRAIN_WAIT,
    "trains queueing at the borders and hubs",
    "mean wait of the trains that got a server each day, before their dwell", "train wait for a server (days)",
    "no train waited at any node", NULL, MAX_NODE_LINES, false,
};

/* The weekly form of a node chart: a datablock of each day's x, then per
 * node its centred 7-day mean, minimum and maximum, and per node a band of
 * the range under a line of the mean. */
static void node_weeks(struct strbuf *b, const struct plot *p, const struct series *node, size_t nshow, size_t ndays)
{
    size_t items = 0;
    strbuf_printf(b, "# per day: x, then per node the centred 7-day mean, minimum and maximum\n$nodes << EOD\n");
    for (size_t day = 0; day < ndays; day++) {
        size_t lo = day >= 3 ? day - 3 : 0, hi = day + 3 < ndays ? day + 3 : ndays - 1;
        strbuf_printf(b, "%.10g", plot_x_of(p, day));
        for (size_t i = 0; i < nshow; i++) {
            double mn = INFINITY, mx = -INFINITY;
            for (size_t k = lo; k <= hi; k++) {
                mn = fmin(mn, node[i].v[k]);
                mx = fmax(mx, node[i].v[k]);
            }
            strbuf_printf(b, ",%.6g,%.6g,%.6g", series_mean(&node[i], lo, hi), mn, mx);
        }
        strbuf_printf(b, "\n");
    }
    strbuf_printf(b, "EOD\n");
    plot_warmup_keyentry(b, p, &items);
    for (size_t i = 0; i < nshow; i++) {
        plot_item(b, &items);
        strbuf_printf(b, "$nodes using ($1):%zu:%zu with filledcurves fillcolor rgb '%s' fillstyle transparent solid 0.15 "
                      "noborder notitle", 3 + 3 * i, 4 + 3 * i, plot_palette[i % PLOT_NPALETTE]);
        plot_item(b, &items);
        strbuf_printf(b, "$nodes using ($1):%zu with lines lc rgb '%s' lw 2.5 title ", 2 + 3 * i, plot_palette[i % PLOT_NPALETTE]);
        strbuf_quote_gnuplot(b, node[i].name);
    }
    if (!nshow) {
        plot_item(b, &items);
        strbuf_printf(b, "NaN notitle");
    }
    strbuf_printf(b, "\n");
}

/* The plot command of a node chart: the network's total when
 * `total`, then the first `nshow` nodes. */
static void node_lines(struct strbuf *b, const struct plot *p, const struct node_chart *c, const struct series *node,
                       size_t nshow, bool total)
{
    size_t items = 0;
    plot_warmup_keyentry(b, p, &items);
    if (total) {
        plot_item(b, &items);
        strbuf_printf(b, "'" RESULTS_THROUGHPUT_CSV "' using %s:'%s' with lines lc rgb '#555555' lw 1.5 dt 2 "
                      "title 'all nodes'", plot_x_col(p), c->total_col);
    }
    for (size_t i = 0; i < nshow; i++) {
        plot_item(b, &items);
        strbuf_printf(b, "'%s' using %s:(strcol('" RESULTS_COL_NODE "') eq ", c->file, plot_x_col(p));
        strbuf_quote_gnuplot(b, node[i].name);
        strbuf_printf(b, " ? column('%s') : NaN) with lines lc rgb '%s' lw 2 title ", c->value,
                   plot_palette[i % PLOT_NPALETTE]);
        strbuf_quote_gnuplot(b, node[i].name);
    }
    if (!nshow && !total) {
        /* gnuplot needs one data element beside key entries. */
        plot_item(b, &items);
        strbuf_printf(b, "NaN notitle");
    }
    strbuf_printf(b, "\n");
}

/* A node chart: each node that ever has a value above 0 (the c->max_lines
 * with the highest peaks), and the total when there are several and the
 * chart has one. */
static enum rm_status chart_nodes(struct plot *p, const struct node_chart *c)
{
    struct diag *d = p->d;
    struct table t = {0}, tt = {0};
    struct series *node = NULL;
    size_t nnode = 0, ndays;
    struct strbuf b = {0}, sub = {0};
    bool found, found_total = false;
    enum rm_status st = results_load(&t, p->dir, c->file, &found, d);
    if (st != RM_OK || !found)
        return st;
    size_t cday;
    if ((st = table_col(&t, RESULTS_COL_DAY, &cday, d)) != RM_OK || (st = table_ndays(&t, cday, &ndays, d)) != RM_OK ||
        (st = series_split(&t, RESULTS_COL_NODE, c->value, ndays, NULL, 0, &node, &nnode, d)) != RM_OK)
        goto out;
    plot_find_dates(p, &t);
    size_t nbusy = 0;
    for (size_t i = 0; i < nnode; i++)
        nbusy += node[i].peak > 0;
    if (nnode)
        qsort(node, nnode, sizeof *node, by_peak_desc);
    size_t nshow = nbusy < c->max_lines ? nbusy : c->max_lines;
    if (c->total_col && (st = results_load(&tt, p->dir, RESULTS_THROUGHPUT_CSV, &found_total, d)) != RM_OK)
        goto out;
    /* The network's total, when there is more than one line to add up. */
    size_t ctotal;
    bool total = found_total && nshow >= 2 && table_find(&tt, c->total_col, &ctotal);

    plot_scenario_text(&sub, p);
    strbuf_printf(&sub, "%s, ", c->desc);
    plot_replications_text(&sub, p);
    if (nbusy > nshow)
        strbuf_printf(&sub, "; the %zu of %zu nodes with the highest peak", nshow, nbusy);
    plot_preamble(&b, p, c->what, strbuf_str(&sub));
    plot_day_axis(&b, p, ndays);
    strbuf_printf(&b, "set ylabel '%s'\n", c->ylabel);
    strbuf_printf(&b, nshow ? "set yrange [0:*]\n" : "set yrange [0:1]\n");
    if (!nshow)
        strbuf_printf(&b, "set label 2 '%s' at graph 0.5, graph 0.5 center\n", c->none);
    if (c->weekly)
        node_weeks(&b, p, node, nshow, ndays);
    else
        node_lines(&b, p, c, node, nshow, total);
    st = gnuplot_draw(&p->gp, results_chart(c->chart)->name, &b, d);
out:
    table_fini(&t);
    table_fini(&tt);
    series_free(node, nnode);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    return st;
}

/* The backlog chart: batches held at the nodes. */
enum rm_status plot_chart_backlog(struct plot *p)
{
    return chart_nodes(p, &backlog_chart);
}

/* The train wait chart: how long trains queue for a server at each node. */
enum rm_status plot_chart_train_wait(struct plot *p)
{
    return chart_nodes(p, &train_wait_chart);
}

/* The names of column `col` in order of first appearance, as an index
 * (name -> position) and an array of borrowed names. */
static enum rm_status distinct_names(const struct plot *p, const struct table *t, size_t col, struct table_index *x,
                                     const char ***names, size_t *n)
{
    *names = malloc((t->nrow + 1) * sizeof **names);
    *n = 0;
    if (!*names)
        return diag_fail(p->d, RM_ENOMEM, "out of memory reading %s", t->name);
    for (size_t r = 0; r < t->nrow; r++) {
        const char *name = table_cell(t, r, col);
        size_t i;
        if (table_index_find(x, name, &i))
            continue;
        if (!table_index_add(x, name, *n))
            return diag_fail(p->d, RM_ENOMEM, "out of memory reading %s", t->name);
        (*names)[(*n)++] = name;
    }
    return RM_OK;
}

/* Tics naming positions 1..n of an axis with `names`. */
static void name_tics(struct strbuf *b, const char *axis, const char *const *names, size_t n, const char *extra)
{
    strbuf_printf(b, "set %stics (", axis);
    for (size_t i = 0; i < n; i++) {
        strbuf_printf(b, "%s", i ? ", " : "");
        strbuf_quote_gnuplot(b, names[i]);
        strbuf_printf(b, " %zu", i + 1);
    }
    strbuf_printf(b, ") scale 0 %s\n", extra);
}

/* The cells of the pairs chart as a datablock, one row per pair that
 * carries mail (posted > 0 with an on-time share): destination column,
 * origin row, on-time %, transit p95. */
static enum rm_status pair_cells(struct strbuf *b, const struct plot *p, const struct table *t,
                                 const struct table_index *ox, const struct table_index *dx, size_t *ncells)
{
    size_t co, cd, cposted, con, cp95;
    enum rm_status st;
    if ((st = table_col(t, RESULTS_COL_ORIGIN, &co, p->d)) != RM_OK || (st = table_col(t, RESULTS_COL_DESTINATION, &cd, p->d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_POSTED, &cposted, p->d)) != RM_OK ||
        (st = table_col(t, metric_name(METRIC_ON_TIME), &con, p->d)) != RM_OK ||
        (st = table_col(t, metric_name(METRIC_TRANSIT_P95), &cp95, p->d)) != RM_OK)
        return st;
    *ncells = 0;
    strbuf_printf(b, "# one row per pair that carries mail: destination, origin, on-time %%, transit p95 (days)\n"
                  "$cells << EOD\n");
    for (size_t r = 0; r < t->nrow; r++) {
        double posted, on_time, p95;
        size_t x, y;
        if ((st = table_num(t, r, cposted, &posted, p->d)) != RM_OK || (st = table_num(t, r, con, &on_time, p->d)) != RM_OK ||
            (st = table_num(t, r, cp95, &p95, p->d)) != RM_OK)
            return st;
        if (!(posted > 0) || !isfinite(on_time) || !table_index_find(ox, table_cell(t, r, co), &y) ||
            !table_index_find(dx, table_cell(t, r, cd), &x))
            continue;
        strbuf_printf(b, "%zu,%zu,%.6g,%.6g\n", x + 1, y + 1, on_time, isfinite(p95) ? p95 : NAN);
        (*ncells)++;
    }
    strbuf_printf(b, "EOD\n");
    return RM_OK;
}

/* The pairs chart: a heat map of origins (rows) by destinations (columns),
 * coloured by the share on time, red the worst, with the value in each
 * cell; pairs that carry no mail stay blank. */
enum rm_status plot_chart_pairs(struct plot *p)
{
    struct diag *d = p->d;
    struct table t = {0};
    struct table_index ox = {0}, dx = {0};
    const char **origins = NULL, **dests = NULL;
    size_t norigin = 0, ndest = 0, co, cd, ncells;
    struct strbuf b = {0}, sub = {0}, cells = {0};
    bool found;
    enum rm_status st = results_load(&t, p->dir, RESULTS_PAIRS_CSV, &found, d);
    if (st != RM_OK || !found)
        return st;
    if ((st = table_col(&t, RESULTS_COL_ORIGIN, &co, d)) != RM_OK || (st = table_col(&t, RESULTS_COL_DESTINATION, &cd, d)) != RM_OK ||
        (st = distinct_names(p, &t, co, &ox, &origins, &norigin)) != RM_OK ||
        (st = distinct_names(p, &t, cd, &dx, &dests, &ndest)) != RM_OK ||
        (st = pair_cells(&cells, p, &t, &ox, &dx, &ncells)) != RM_OK)
        goto out;
    plot_scenario_text(&sub, p);
    strbuf_printf(&sub, "share of batches on time");
    if (isfinite(p->rec.service_standard_d))
        strbuf_printf(&sub, " (within %.4g days)", p->rec.service_standard_d);
    strbuf_printf(&sub, " and 95th percentile of transit days; ");
    plot_replications_text(&sub, p);
    strbuf_printf(&sub, "; blank: no mail");
    plot_preamble(&b, p, "on time by origin and destination", strbuf_str(&sub));
    /* the colour scale is always 0-100 % on time, so a colour means the same
     * share in every run: a scale fitted to the pairs' range would paint
     * 85 % red when every pair lies between 85 and 95 */
    strbuf_printf(&b, "unset grid\nset border 0\nset key off\nset tmargin 6\n"
                  "set palette defined (0 '#d73027', 0.5 '#fee08b', 1 '#1a9850')\n"
                  "set cbrange [0:100]\nset cblabel 'on time (%%)'\nset cbtics out\n"
                  "set xrange [0.5:%zu.5]\nset yrange [%zu.5:0.5]\n"
                  "set xlabel 'destination'\nset ylabel 'origin'\n",
                  ndest ? ndest : 1, norigin ? norigin : 1);
    name_tics(&b, "x", dests, ndest, "");
    name_tics(&b, "y", origins, norigin, "");
    strbuf_put(&b, strbuf_str(&cells), cells.len);
    size_t font = ndest <= 12 ? 10 : ndest <= 24 ? 8 : 6;
    if (!ncells)
        strbuf_printf(&b, "set label 2 'no pair carried mail' at graph 0.5, graph 0.5 center\n"
                      "plot NaN notitle\n");
    else
        strbuf_printf(&b, "plot $cells using 1:2:(0.5):(0.5):3 with boxxyerror fillcolor palette fillstyle solid 1.0 "
                      "border lc rgb '#ffffff' notitle, \\\n"
                      "     $cells using 1:2:(sprintf('%%.0f%%%%\\np95 %%.1f d', $3, $4)) with labels font 'Sans,%zu' "
                      "tc rgb '#222222' notitle\n", font);
    st = gnuplot_draw(&p->gp, results_chart(RESULTS_CHART_PAIRS)->name, &b, d);
out:
    table_fini(&t);
    table_index_fini(&ox);
    table_index_fini(&dx);
    free(origins);
    free(dests);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    strbuf_fini(&cells);
    return st;
}


/* ---------------------------------------------------------------- budget */

/* A segment's fixed colour, so a colour means the same segment in every
 * chart: waits warm, handling purple, motion blues and greens. */
static const char *segment_colour(const char *segment)
{
    static const struct { const char *name, *colour; } colours[] = {
        { "origin_wait", "#f4a259" },          { "transfer_wait", "#f6d55c" },
        { "queue", "#d73027" },                { "handling", "#8e6bb3" },
        { "moving", "#4477aa" },               { "moving_rail_electric", "#2166ac" },
        { "moving_rail_diesel", "#6baed6" },   { "moving_rail", "#9ecae1" },
        { "moving_truck", "#1b7837" },         { "moving_air", "#7fbf7b" },
        { "moving_sea", "#35978f" },
    };
    for (size_t i = 0; i < sizeof colours / sizeof *colours; i++)
        if (!strcmp(colours[i].name, segment))
            return colours[i].colour;
    return "#999999";
}

/* White on a dark colour, dark grey on a light one ("#rrggbb"). */
static const char *text_colour_on(const char *colour)
{
    unsigned r = 0, g = 0, b = 0;
    if (sscanf(colour, "#%2x%2x%2x", &r, &g, &b) != 3)
        return "#222222";
    return 0.299 * r + 0.587 * g + 0.114 * b < 140 ? "#ffffff" : "#222222";
}

enum { BUDGET_MAX_BARS = 11, BUDGET_MAX_SEGMENTS = 16 };

/* One bar: a scope's row of each segment (SIZE_MAX: none) and its total. */
struct budget_bar {
    const char *scope;
    size_t row[BUDGET_MAX_SEGMENTS];
    double total;
};

static int by_bar_total_desc(const void *a, const void *b)
{
    double x = ((const struct budget_bar *)a)->total, y = ((const struct budget_bar *)b)->total;
    return (x < y) - (x > y);
}

/* The bars: the network (all), then the od pairs with the longest total,
 * at most BUDGET_MAX_BARS - 1 of them; the segments in the file's order. */
static enum rm_status budget_bars(const struct plot *p, const struct table *t, const char **segment, size_t *nseg,
                                  struct budget_bar *bar, size_t *nbar)
{
    size_t cseg, cscope, cmean;
    enum rm_status st;
    if ((st = table_col(t, RESULTS_COL_SEGMENT, &cseg, p->d)) != RM_OK
        || (st = table_col(t, RESULTS_COL_SCOPE, &cscope, p->d)) != RM_OK
        || (st = table_col(t, RESULTS_COL_MEAN, &cmean, p->d)) != RM_OK)
        return st;
    size_t cap = t->nrow + 1, n = 0;
    struct budget_bar *all = calloc(cap, sizeof *all);
    if (!all)
        return diag_fail(p->d, RM_ENOMEM, "out of memory reading %s", t->name);
    *nseg = 0;
    for (size_t r = 0; r < t->nrow; r++) {
        const char *seg = table_cell(t, r, cseg), *scope = table_cell(t, r, cscope);
        if (strcmp(scope, "all") && strncmp(scope, "od:", 3))
            continue;
        size_t k = 0, j = 0;
        while (k < *nseg && strcmp(segment[k], seg))
            k++;
        if (k == *nseg && *nseg < BUDGET_MAX_SEGMENTS)
            segment[(*nseg)++] = seg;
        while (j < n && strcmp(all[j].scope, scope))
            j++;
        if (j == n) {
            all[n].scope = scope;
            for (size_t i = 0; i < BUDGET_MAX_SEGMENTS; i++)
                all[n].row[i] = SIZE_MAX;
            n++;
        }
        double mean;
        if (k < BUDGET_MAX_SEGMENTS && (st = table_num(t, r, cmean, &mean, p->d)) == RM_OK && isfinite(mean)) {
            all[j].row[k] = r;
            all[j].total += mean;
        }
        if (st != RM_OK)
            break;
    }
    /* the network first, whatever its total */
    *nbar = 0;
    for (size_t j = 0; j < n; j++)
        if (!strcmp(all[j].scope, "all"))
            bar[(*nbar)++] = all[j];
    size_t pairs = 0;
    for (size_t j = 0; j < n; j++)
        if (strcmp(all[j].scope, "all"))
            all[pairs++] = all[j];
    qsort(all, pairs, sizeof *all, by_bar_total_desc);
    for (size_t j = 0; j < pairs && *nbar < BUDGET_MAX_BARS; j++)
        bar[(*nbar)++] = all[j];
    free(all);
    return st;
}

/* The budget chart: a stacked horizontal bar per scope, the network on
 * top, then the pairs with the longest mean transit; each segment in its
 * fixed colour, its days written inside when there is room, the total at
 * the end of the bar. */
enum rm_status plot_chart_budget(struct plot *p)
{
    struct table t = {0};
    struct strbuf b = {0}, sub = {0};
    const char *segment[BUDGET_MAX_SEGMENTS];
    struct budget_bar bar[BUDGET_MAX_BARS];
    size_t nseg = 0, nbar = 0;
    bool found;
    enum rm_status st = results_load(&t, p->dir, RESULTS_BUDGET_CSV, &found, p->d);
    if (st != RM_OK || !found)
        return st;
    size_t cmean = 0;
    if ((st = budget_bars(p, &t, segment, &nseg, bar, &nbar)) != RM_OK
        || (st = table_col(&t, RESULTS_COL_MEAN, &cmean, p->d)) != RM_OK)
        goto out;
    double widest = 0;
    for (size_t j = 0; j < nbar; j++)
        widest = fmax(widest, bar[j].total);
    plot_scenario_text(&sub, p);
    strbuf_printf(&sub, "mean days door to door per delivered batch, the network and the %zu pair%s with the "
                  "longest transit; ", nbar ? nbar - 1 : 0, nbar == 2 ? "" : "s");
    plot_replications_text(&sub, p);
    plot_preamble(&b, p, "where the time goes", strbuf_str(&sub));
    strbuf_printf(&b, "set key outside bottom center horizontal maxrows 2 samplen 1.5\n"
                  "set grid xtics noytics\nset xlabel 'days door to door'\nset bmargin 7\n"
                  "set xrange [0:%.6g]\nset yrange [%zu.6:0.4]\n",
                  widest > 0 ? widest * 1.12 : 1, nbar ? nbar : 1);
    strbuf_printf(&b, "set ytics (");
    for (size_t j = 0; j < nbar; j++) {
        strbuf_printf(&b, "%s", j ? ", " : "");
        strbuf_quote_gnuplot(&b, !strcmp(bar[j].scope, "all") ? "network" : bar[j].scope + 3);
        strbuf_printf(&b, " %zu", j + 1);
    }
    strbuf_printf(&b, ") scale 0\n");
    /* one block per segment: bar, from, to */
    for (size_t k = 0; k < nseg; k++) {
        strbuf_printf(&b, "$seg%zu << EOD\n", k);
        for (size_t j = 0; j < nbar; j++) {
            double from = 0, x = 0;
            for (size_t i = 0; i < k; i++)
                if (bar[j].row[i] != SIZE_MAX && table_num(&t, bar[j].row[i], cmean, &x, p->d) == RM_OK
                    && isfinite(x))
                    from += x;
            if (bar[j].row[k] != SIZE_MAX && table_num(&t, bar[j].row[k], cmean, &x, p->d) == RM_OK && x > 0)
                strbuf_printf(&b, "%zu,%.6g,%.6g\n", j + 1, from, from + x);
        }
        strbuf_printf(&b, "EOD\n");
    }
    strbuf_printf(&b, "$total << EOD\n");
    for (size_t j = 0; j < nbar; j++)
        strbuf_printf(&b, "%zu,%.6g\n", j + 1, bar[j].total);
    strbuf_printf(&b, "EOD\n");
    size_t n = 0;
    for (size_t k = 0; k < nseg; k++) {
        plot_item(&b, &n);
        strbuf_printf(&b, "$seg%zu using (($2+$3)/2):1:2:3:($1-0.36):($1+0.36) with boxxyerror fillstyle solid 1.0 "
                      "border lc rgb '#ffffff' fillcolor rgb '%s' title ", k, segment_colour(segment[k]));
        strbuf_quote_gnuplot(&b, segment[k]);
        plot_item(&b, &n);
        /* the days inside a segment wide enough for them */
        strbuf_printf(&b, "$seg%zu using (($2+$3)/2):1:(($3-$2) >= %.6g ? sprintf('%%.1f', $3-$2) : '') with labels "
                      "font 'Sans,8' tc rgb '%s' notitle", k, widest / 14,
                      text_colour_on(segment_colour(segment[k])));
    }
    plot_item(&b, &n);
    strbuf_printf(&b, "$total using 2:1:(sprintf(' %%.1f d', $2)) with labels left font 'Sans,9' notitle\n");
    st = gnuplot_draw(&p->gp, results_chart(RESULTS_CHART_BUDGET)->name, &b, p->d);
out:
    table_fini(&t);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    return st;
}
