/* plotmonthly: the monthly chart of a run's folder: by month of posting,
 * the network beside its worst pairs and the nodes where trains wait
 * longest, each with its confidence band, in three panels. */
#include "plotdraw.h"

#include "railmail/calendar.h"
#include "railmail/metric.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONTHLY_WORST 3   /* pairs drawn beside the network */
/* A month whose mail is still undelivered at the end of the run-out for
 * more than this share has no transit drawn: its delivered mail is the
 * fast part only. */
#define MONTHLY_MAX_UNDELIVERED 0.01

/* The monthly CSV read into series by scope: for each scope (the network, the
 * od pairs, the nodes) and metric, the mean and interval per month. */
struct monthly {
    int32_t first;                 /* first month (calendar.h) */
    size_t n;                      /* months */
    struct table t;
    size_t cmonth, cmetric, cscope, cmean, clo, chi;
};

/* The month slot of a row, or SIZE_MAX when its month does not parse. */
static size_t month_slot(const struct monthly *mo, size_t r)
{
    char date[16];
    int32_t day;
    snprintf(date, sizeof date, "%.7s-01", table_cell(&mo->t, r, mo->cmonth));
    if (strlen(table_cell(&mo->t, r, mo->cmonth)) != 7 || !calendar_parse(date, &day))
        return SIZE_MAX;
    int32_t j = calendar_month(day) - mo->first;
    return j >= 0 && (size_t)j < mo->n ? (size_t)j : SIZE_MAX;
}

static enum rm_status monthly_load(struct plot *p, struct monthly *mo, bool *found)
{
    enum rm_status st = results_load(&mo->t, p->dir, RESULTS_MONTHLY_CSV, found, p->d);
    if (st != RM_OK || !*found)
        return st;
    if ((st = table_col(&mo->t, RESULTS_COL_MONTH, &mo->cmonth, p->d)) != RM_OK ||
        (st = table_col(&mo->t, RESULTS_COL_METRIC, &mo->cmetric, p->d)) != RM_OK ||
        (st = table_col(&mo->t, RESULTS_COL_SCOPE, &mo->cscope, p->d)) != RM_OK ||
        (st = table_col(&mo->t, RESULTS_COL_MEAN, &mo->cmean, p->d)) != RM_OK ||
        (st = table_col(&mo->t, RESULTS_COL_CI_LOW, &mo->clo, p->d)) != RM_OK ||
        (st = table_col(&mo->t, RESULTS_COL_CI_HIGH, &mo->chi, p->d)) != RM_OK)
        return st;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t r = 0; r < mo->t.nrow; r++) {
        char date[16];
        int32_t day;
        snprintf(date, sizeof date, "%.7s-01", table_cell(&mo->t, r, mo->cmonth));
        if (strlen(table_cell(&mo->t, r, mo->cmonth)) != 7 || !calendar_parse(date, &day))
            return diag_error(p->d, &(struct diag_at){mo->t.name, r + 2, mo->cmonth + 1},
                              "month: expected YYYY-MM, got \"%s\"", table_cell(&mo->t, r, mo->cmonth));
        int32_t m = calendar_month(day);
        lo = m < lo ? m : lo;
        hi = m > hi ? m : hi;
    }
    mo->first = lo;
    mo->n = mo->t.nrow ? (size_t)(hi - lo + 1) : 0;
    return RM_OK;
}

/* One line of the chart: (metric, scope) per month, mean and interval. */
static enum rm_status monthly_values(struct plot *p, const struct monthly *mo, const char *metric, const char *scope,
                                     double scale, double *v /* [3 * n] */, bool *any)
{
    *any = false;
    for (size_t i = 0; i < 3 * mo->n; i++)
        v[i] = NAN;
    for (size_t r = 0; r < mo->t.nrow; r++) {
        if (strcmp(table_cell(&mo->t, r, mo->cmetric), metric) != 0 || strcmp(table_cell(&mo->t, r, mo->cscope), scope) != 0)
            continue;
        size_t j = month_slot(mo, r);
        enum rm_status st;
        if (j == SIZE_MAX)
            continue;
        if ((st = table_num(&mo->t, r, mo->cmean, &v[3 * j], p->d)) != RM_OK ||
            (st = table_num(&mo->t, r, mo->clo, &v[3 * j + 1], p->d)) != RM_OK ||
            (st = table_num(&mo->t, r, mo->chi, &v[3 * j + 2], p->d)) != RM_OK)
            return st;
        for (size_t k = 0; k < 3; k++)
            v[3 * j + k] *= scale;
        *any |= isfinite(v[3 * j]);
    }
    return RM_OK;
}

/* The share of each month's mail at `scope` still undelivered at the end
 * of the run-out (0 where the file does not say), into share[n]; `tmp`
 * holds 6 * n values. */
static enum rm_status monthly_undelivered(struct plot *p, const struct monthly *mo, const char *scope, double *tmp,
                                          double *share)
{
    bool any;
    double *posted = tmp, *delivered = tmp + 3 * mo->n;
    enum rm_status st = monthly_values(p, mo, metric_name(METRIC_POSTED), scope, 1, posted, &any);
    if (st == RM_OK)
        st = monthly_values(p, mo, metric_name(METRIC_DELIVERED), scope, 1, delivered, &any);
    for (size_t j = 0; j < mo->n && st == RM_OK; j++) {
        double n = posted[3 * j], d = delivered[3 * j];
        share[j] = n > 0 && d >= 0 ? 1 - d / n : 0;
    }
    return st;
}

/* Transit values of months with too much mail undelivered left out. */
static void drop_undelivered(const struct monthly *mo, const double *share, double *v)
{
    for (size_t j = 0; j < mo->n; j++)
        if (share[j] > MONTHLY_MAX_UNDELIVERED)
            v[3 * j] = v[3 * j + 1] = v[3 * j + 2] = NAN;
}

/* Greys the months of the current panel whose network mail is too much
 * undelivered (objects from 50 on); false if none. */
static bool shade_undelivered(struct strbuf *b, const struct monthly *mo, const double *share)
{
    size_t objects = 0;
    for (size_t j = 0; j < mo->n; j++) {
        if (!(share[j] > MONTHLY_MAX_UNDELIVERED))
            continue;
        int32_t m = mo->first + (int32_t)j;
        strbuf_printf(b, "set object %zu rect from %.10g, graph 0 to %.10g, graph 1 fc rgb '#e6e6e6' fs solid 1.0 "
                      "noborder behind\n", 50 + objects++, calendar_month_start(m) * 86400.0,
                      calendar_month_start(m + 1) * 86400.0);
    }
    return objects > 0;
}

/* The `count` scopes with prefix whose mean of `metric` over the months is
 * the lowest (highest when `high`), into worst[] (borrowed from the table). */
static size_t monthly_worst(const struct monthly *mo, const char *metric, const char *prefix, bool high,
                            const char **worst, size_t count)
{
    /* One pass: each scope's months summed in first-seen order, then the
     * `count` worst of them kept in order (a scan per scope was quadratic:
     * 2 G instructions for 600 pairs). */
    struct table_index seen = {0};
    struct { const char *scope; double sum, k; } *acc = NULL;
    size_t nacc = 0, plen = strlen(prefix);
    for (size_t r = 0; r < mo->t.nrow; r++) {
        const char *scope = table_cell(&mo->t, r, mo->cscope);
        if (strcmp(table_cell(&mo->t, r, mo->cmetric), metric) != 0 || strncmp(scope, prefix, plen) != 0)
            continue;
        size_t i;
        if (!table_index_find(&seen, scope, &i)) {
            void *grown = realloc(acc, (nacc + 1) * sizeof *acc);
            if (!grown || !table_index_add(&seen, scope, nacc)) {
                free(grown ? grown : acc);
                table_index_fini(&seen);
                return 0;  /* out of memory: the chart names no scope */
            }
            acc = grown;
            i = nacc++;
            acc[i].scope = scope, acc[i].sum = 0, acc[i].k = 0;
        }
        double x = table_value(&mo->t, r, mo->cmean);
        if (isfinite(x))
            acc[i].sum += x, acc[i].k++;
    }
    table_index_fini(&seen);
    double score[MONTHLY_WORST];
    size_t n = 0;
    for (size_t i = 0; i < nacc; i++) {
        if (!acc[i].k)
            continue;
        double x = (high ? -1 : 1) * acc[i].sum / acc[i].k;
        size_t at = n < count ? n++ : count;
        if (at == count && !(x < score[count - 1]))
            continue;
        if (at == count)
            at = count - 1;
        while (at > 0 && x < score[at - 1]) {
            score[at] = score[at - 1];
            worst[at] = worst[at - 1];
            at--;
        }
        score[at] = x;
        worst[at] = acc[i].scope;
    }
    free(acc);
    return n;
}

/* A datablock of one line: mid-month x, then mean, low, high. */
static void monthly_block(struct strbuf *b, const struct monthly *mo, const char *name, const double *v)
{
    strbuf_printf(b, "%s << EOD\n", name);
    for (size_t j = 0; j < mo->n; j++) {
        int32_t day = calendar_month_start(mo->first + (int32_t)j) + 14;
        strbuf_printf(b, "%.10g", day * 86400.0);
        for (size_t k = 0; k < 3; k++)
            strbuf_printf(b, isfinite(v[3 * j + k]) ? ",%.6g" : ",NaN", v[3 * j + k]);
        strbuf_printf(b, "\n");
    }
    strbuf_printf(b, "EOD\n");
}

/* One line with its band in the current panel. */
static void monthly_line(struct strbuf *b, size_t *items, const char *block, const char *colour, const char *dash,
                         const char *title)
{
    plot_item(b, items);
    strbuf_printf(b, "%s using ($1):3:4 with filledcurves fillcolor rgb '%s' fillstyle transparent solid 0.15 noborder "
                  "notitle", block, colour);
    plot_item(b, items);
    strbuf_printf(b, "%s using ($1):2 with linespoints lc rgb '%s' lw 2 dt %s pt 7 ps 0.6 title ", block, colour, dash);
    strbuf_quote_gnuplot(b, title);
}

/* The panel settings: title, y label, and a month axis. */
static void monthly_panel(struct strbuf *b, const struct monthly *mo, const char *title, const char *ylabel)
{
    static const char *const name[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    strbuf_printf(b, "set title '%s' font 'Sans Bold,11'\nset ylabel '%s'\nset xtics (", title, ylabel);
    size_t step = mo->n <= 13 ? 1 : mo->n <= 26 ? 2 : mo->n <= 60 ? 6 : 12;
    for (size_t j = 0, k = 0; j < mo->n; j++) {
        int32_t m = mo->first + (int32_t)j;
        if (j % step)
            continue;
        strbuf_printf(b, "%s'%s", k++ ? ", " : "", name[m % 12]);
        if (j == 0 || m % 12 == 0)
            strbuf_printf(b, " %d", (int)(m / 12));
        strbuf_printf(b, "' %.10g", (calendar_month_start(m) + 14) * 86400.0);
    }
    strbuf_printf(b, ") rotate by 45 right\n");
    strbuf_printf(b, "set xrange [%.10g:%.10g]\n", calendar_month_start(mo->first) * 86400.0,
                  calendar_month_start(mo->first + (int32_t)mo->n) * 86400.0);
}

/* The monthly chart: by month of posting, the network's on-time share and transit
 * p50 and p95 beside those of the worst pairs, and the train waits of the
 * nodes where trains wait longest, each with its confidence band. */
enum rm_status plot_chart_monthly(struct plot *p)
{
    struct monthly mo = {0};
    struct strbuf b = {0}, sub = {0};
    bool found, any;
    double *v = NULL;
    const char *worst[MONTHLY_WORST], *nodes[MONTHLY_WORST];
    bool shaded = false;
    enum rm_status st = monthly_load(p, &mo, &found);
    if (st != RM_OK || !found || mo.n == 0)
        goto out;
    /* v: a line's values [3n], then the network's and a pair's undelivered
     * shares [n each], then room for monthly_undelivered [6n] */
    if (!(v = malloc((11 * mo.n + 1) * sizeof *v))) {
        st = diag_fail(p->d, RM_ENOMEM, "out of memory drawing %s.png", results_chart(RESULTS_CHART_MONTHLY)->name);
        goto out;
    }
    const char *wait = metric_name(METRIC_TRAIN_QUEUE_WAIT);
    size_t nworst = monthly_worst(&mo, metric_name(METRIC_ON_TIME), "od:", false, worst, MONTHLY_WORST);
    size_t nnodes = monthly_worst(&mo, wait, "node:", true, nodes, MONTHLY_WORST);
    strbuf_printf(&b, "set encoding utf8\nset datafile separator comma\nset datafile missing NaN\n"
                  "set xdata time\nset timefmt '%%Y-%%m-%%d'\nset border 3 lc rgb '#444444'\nset tics nomirror out\n"
                  "set grid ytics lc rgb '#e0e0e0' lt 1 lw 1\n"
                  "set key outside below center vertical Left reverse samplen 2 font 'Sans,9'\n");
    /* the data: the network, the worst pairs, the nodes */
    static const struct { enum metric_id id; const char *block; } what[] = {
        {METRIC_ON_TIME, "on"}, {METRIC_TRANSIT_P50, "p50"}, {METRIC_TRANSIT_P95, "p95"}};
    double *all_left = v + 3 * mo.n, *pair_left = v + 4 * mo.n, *tmp = v + 5 * mo.n;
    st = monthly_undelivered(p, &mo, "all", tmp, all_left);
    for (size_t k = 0; k < 3 && st == RM_OK; k++) {
        char block[32];
        snprintf(block, sizeof block, "$all_%s", what[k].block);
        if ((st = monthly_values(p, &mo, metric_name(what[k].id), "all", 1, v, &any)) == RM_OK) {
            if (k > 0)
                drop_undelivered(&mo, all_left, v);
            monthly_block(&b, &mo, block, v);
        }
        for (size_t i = 0; i < nworst && st == RM_OK && k != 1; i++) {
            snprintf(block, sizeof block, "$pair%zu_%s", i, what[k].block);
            if ((st = monthly_values(p, &mo, metric_name(what[k].id), worst[i], 1, v, &any)) == RM_OK && k > 0
                && (st = monthly_undelivered(p, &mo, worst[i], tmp, pair_left)) == RM_OK)
                drop_undelivered(&mo, pair_left, v);
            if (st == RM_OK)
                monthly_block(&b, &mo, block, v);
        }
    }
    for (size_t i = 0; i < nnodes && st == RM_OK; i++) {
        char block[32];
        snprintf(block, sizeof block, "$node%zu", i);
        if ((st = monthly_values(p, &mo, wait, nodes[i], 1.0 / CALENDAR_HOURS_PER_DAY, v, &any)) == RM_OK)
            monthly_block(&b, &mo, block, v);
    }
    if (st != RM_OK)
        goto out;
    strbuf_printf(&sub, "%s: by month", p->heading);
    strbuf_printf(&b, "set multiplot layout 1,3 title ");
    strbuf_quote_gnuplot(&b, strbuf_str(&sub));
    strbuf_printf(&b, " font 'Sans Bold,14' margins 0.06, 0.98, 0.28, 0.84 spacing 0.06, 0\n");
    strbuf_fini(&sub);
    plot_scenario_text(&sub, p);
    plot_replications_text(&sub, p);
    strbuf_printf(&sub, "; bands: ");
    plot_confidence_text(&sub, p);
    strbuf_printf(&sub, " intervals; batches by month of posting");
    plot_runout_text(&sub, p);
    strbuf_printf(&sub, "; trains by month they got a server");
    plot_subtitle(&b, strbuf_str(&sub), 0.93);
    size_t items = 0;
    /* on time */
    monthly_panel(&b, &mo, "batches on time", "on time (%)");
    strbuf_printf(&b, "set yrange [0:100]\n");
    monthly_line(&b, &items, "$all_on", "#08306b", "1", "network");
    for (size_t i = 0; i < nworst; i++) {
        char block[32];
        snprintf(block, sizeof block, "$pair%zu_on", i);
        monthly_line(&b, &items, block, plot_palette[i % PLOT_NPALETTE], "1", worst[i] + 3);
    }
    strbuf_printf(&b, "\nunset label 99\nunset label 97\n");
    /* transit */
    items = 0;
    monthly_panel(&b, &mo, "transit time, posting to delivery", "days");
    strbuf_printf(&b, "set yrange [0:*]\n");
    shaded = shade_undelivered(&b, &mo, all_left);
    monthly_line(&b, &items, "$all_p50", "#08306b", "1", "network, median (p50)");
    monthly_line(&b, &items, "$all_p95", "#08306b", "2", "network, 95th percentile (p95)");
    for (size_t i = 0; i < nworst; i++) {
        char block[32], title[128];
        snprintf(block, sizeof block, "$pair%zu_p95", i);
        snprintf(title, sizeof title, "%s, p95", worst[i] + 3);
        monthly_line(&b, &items, block, plot_palette[i % PLOT_NPALETTE], "2", title);
    }
    if (isfinite(p->rec.service_standard_d)) {
        plot_item(&b, &items);
        strbuf_printf(&b, "%.10g with lines lc rgb '#d62728' dt 3 lw 1.5 title 'service standard'", p->rec.service_standard_d);
    }
    if (shaded) {
        plot_item(&b, &items);
        strbuf_printf(&b, "NaN with boxes fc rgb '#e6e6e6' fs solid 1.0 title 'over %.0f %% of the mail undelivered: "
                      "no transit'", 100 * MONTHLY_MAX_UNDELIVERED);
    }
    strbuf_printf(&b, "\n");
    strbuf_printf(&b, "unset for [o=50:%zu] object o\n", 50 + mo.n);
    /* train waits */
    items = 0;
    monthly_panel(&b, &mo, "trains queueing for a server", "wait (days)");
    strbuf_printf(&b, "set yrange [0:*]\n");
    for (size_t i = 0; i < nnodes; i++) {
        char block[32];
        snprintf(block, sizeof block, "$node%zu", i);
        monthly_line(&b, &items, block, plot_palette[(i + 4) % PLOT_NPALETTE], "1", nodes[i] + 5);
    }
    if (!nnodes) {
        plot_item(&b, &items);
        strbuf_printf(&b, "NaN notitle");
    }
    strbuf_printf(&b, "\nunset multiplot\n");
    st = gnuplot_draw(&p->gp, results_chart(RESULTS_CHART_MONTHLY)->name, &b, p->d);
out:
    table_fini(&mo.t);
    free(v);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    return st;
}

