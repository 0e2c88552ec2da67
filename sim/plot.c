/* plot: the chart recipes, what each chart of a results directory shows.
 * Each chart is a gnuplot script built in a strbuf that reads the CSVs by
 * relative file name, and the gnuplot module saves and draws it. The C side
 * reads the CSVs (through table and series) only to pick ranges, series
 * names and 7-day averages; gnuplot reads the data itself. meta.csv is read
 * here rather than in table: a key,value file needs nothing beyond table_col
 * and table_num, and which keys matter (heading, horizon, warm-up, proposal
 * order) is the charts' business. */
#include "railmail/plot.h"

#include "railmail/calendar.h"
#include "railmail/gnuplot.h"
#include "railmail/metric.h"
#include "railmail/num.h"
#include "railmail/series.h"
#include "railmail/strbuf.h"
#include "railmail/table.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEST_LINES 8       /* more destinations: the total only */
#define MAX_NODE_LINES 10      /* train waits: more nodes, the largest only */

/* Colours: the total in navy, series in a colour-blind-tolerant palette. */
static const char *const palette[] = {
    "#f28e2b", "#4e79a7", "#59a14f", "#e15759", "#b07aa1",
    "#9c755f", "#76b7b2", "#edc948", "#ff9da7", "#bab0ac",
};
#define NPALETTE (sizeof palette / sizeof palette[0])

/* Writes a datablock of centred 7-day averages: one row per day that has a
 * full window (every day when there are fewer than 7), one column per series. */
static void avg7_block(struct strbuf *b, const char *block, const struct series *s, size_t n,
                       size_t ndays, const int32_t *start_day)
{
    strbuf_printf(b, "# centred 7-day averages of tonnes delivered per day, computed from the CSV\n");
    strbuf_printf(b, "%s << EOD\n# day", block);
    for (size_t i = 0; i < n; i++) {
        strbuf_put(b, ",", 1);
        strbuf_put_line(b, s[i].name);
    }
    strbuf_printf(b, "\n");
    for (size_t day = 0; day < ndays; day++) {
        size_t lo = day >= 3 ? day - 3 : 0, hi = day + 3 < ndays ? day + 3 : ndays - 1;
        if (ndays >= 7 && (day < 3 || day + 3 >= ndays))
            continue;
        if (start_day) {
            char date[11];
            calendar_format(*start_day + (int32_t)day, date);
            strbuf_printf(b, "%s", date);
        } else
            strbuf_printf(b, "%zu", day);
        for (size_t i = 0; i < n; i++)
            strbuf_printf(b, ",%.6g", series_mean(&s[i], lo, hi));
        strbuf_printf(b, "\n");
    }
    strbuf_printf(b, "EOD\n");
}

/* ---------------------------------------------------------------- meta */

struct meta {
    char *kind, *scenario, *title;
    double horizon_d, warmup_d, replications, confidence, service_standard_d;
    char **proposals;      /* in the order the comparison ran them */
    size_t nproposals, cap;
    bool listed;           /* a `proposals` row was read */
};

static void meta_fini(struct meta *m)
{
    free(m->kind);
    free(m->scenario);
    free(m->title);
    for (size_t i = 0; i < m->nproposals; i++)
        free(m->proposals[i]);
    free(m->proposals);
}

/* Appends the first `len` bytes of `name` to m->proposals. */
static bool add_proposal(struct meta *m, const char *name, size_t len)
{
    if (m->nproposals == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 8;
        char **grown = realloc(m->proposals, cap * sizeof *grown);
        if (!grown)
            return false;
        m->proposals = grown;
        m->cap = cap;
    }
    char *p = malloc(len + 1);
    if (!p)
        return false;
    memcpy(p, name, len);
    p[len] = '\0';
    m->proposals[m->nproposals++] = p;
    return true;
}

/* Appends the names of a `proposals` row, "a;b;c", skipping empty ones. */
static bool split_proposals(struct meta *m, const char *list)
{
    const char *start = list;
    for (;;) {
        const char *end = strchr(start, ';');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        while (len && *start == ' ')
            start++, len--;
        while (len && start[len - 1] == ' ')
            len--;
        if (len && !add_proposal(m, start, len))
            return false;
        if (!end)
            return true;
        start = end + 1;
    }
}

/* Reads meta.csv if present; absent keys stay NULL or NaN. */
static enum rm_status meta_load(struct meta *m, const char *dir, struct diag *d)
{
    *m = (struct meta){.horizon_d = NAN, .warmup_d = NAN, .replications = NAN,
                       .confidence = NAN, .service_standard_d = NAN};
    struct table t;
    bool found;
    enum rm_status st = table_load(&t, dir, "meta.csv", &found, d);
    if (st != RM_OK || !found)
        return st;
    size_t ck, cv;
    if ((st = table_col(&t, "key", &ck, d)) != RM_OK || (st = table_col(&t, "value", &cv, d)) != RM_OK)
        goto out;
    for (size_t r = 0; r < t.nrow && st == RM_OK; r++) {
        const char *k = table_cell(&t, r, ck), *v = table_cell(&t, r, cv);
        char **text = strcmp(k, "kind") == 0       ? &m->kind
                      : strcmp(k, "scenario") == 0 ? &m->scenario
                      : strcmp(k, "title") == 0    ? &m->title
                                                   : NULL;
        double *num = strcmp(k, "horizon_d") == 0            ? &m->horizon_d
                      : strcmp(k, "warmup_d") == 0           ? &m->warmup_d
                      : strcmp(k, "replications") == 0       ? &m->replications
                      : strcmp(k, "confidence") == 0         ? &m->confidence
                      : strcmp(k, "service_standard_d") == 0 ? &m->service_standard_d
                                                             : NULL;
        if (text) {
            free(*text);
            if (!(*text = strdup(v)))
                st = diag_fail(d, RM_ENOMEM, "out of memory reading meta.csv");
        } else if (num) {
            st = table_num(&t, r, cv, num, d);
        } else if (strcmp(k, "proposals") == 0 && !m->listed) {
            /* names joined by ';', when none holds one (report.c) */
            m->listed = true;
            if (!split_proposals(m, v))
                st = diag_fail(d, RM_ENOMEM, "out of memory reading meta.csv");
        } else if (strcmp(k, "proposal") == 0) {
            /* one name per row, any name */
            if (!add_proposal(m, v, strlen(v)))
                st = diag_fail(d, RM_ENOMEM, "out of memory reading meta.csv");
        }
    }
out:
    table_fini(&t);
    return st;
}

/* ---------------------------------------------------------------- charts */

struct plot {
    const char *dir;
    struct meta meta;
    const char *heading;   /* meta title, else scenario, else the directory */
    struct gnuplot gp;
    struct diag *d;
    /* The daily CSV of the chart being drawn has a date column: the x axis
     * is a calendar from start_day (the date of day 0), else day numbers. */
    bool dated;
    int32_t start_day;
};

/* The settings every chart shares: title and subtitle, axes, grid, key. */
static void preamble(struct strbuf *b, const struct plot *p, const char *what, const char *subtitle)
{
    struct strbuf t = {0};
    strbuf_printf(&t, "%s: %s", p->heading, what);
    strbuf_printf(b, "set encoding utf8\nset datafile separator comma\nset datafile missing NaN\n");
    /* Title and subtitle as labels, so the subtitle sits under the title. */
    strbuf_printf(b, "set label 98 ");
    strbuf_quote_gnuplot(b, strbuf_str(&t));
    strbuf_printf(b, " at screen 0.5, screen 0.955 center font 'Sans Bold,14'\n");
    strbuf_fini(&t);
    if (subtitle && *subtitle) {
        strbuf_printf(b, "set label 99 ");
        strbuf_quote_gnuplot(b, subtitle);
        strbuf_printf(b, " at screen 0.5, screen 0.915 center font 'Sans,10' tc rgb '#555555'\n");
    }
    strbuf_printf(b, "set tmargin 5\nset border 3 lc rgb '#444444'\nset tics nomirror out\n"
                  "set grid ytics lc rgb '#e0e0e0' lt 1 lw 1\n"
                  "set key outside below center horizontal Left reverse spacing 1.2 width 2 samplen 3\n");
}

/* Whether a daily table has dates (results written before start_date have
 * none): sets p->dated and p->start_day from its first row with both. */
static void find_dates(struct plot *p, const struct table *t)
{
    size_t cday, cdate;
    p->dated = false;
    if (!table_find(t, "day", &cday) || !table_find(t, "date", &cdate))
        return;
    for (size_t r = 0; r < t->nrow; r++) {
        char *end;
        const char *text = table_cell(t, r, cday);
        unsigned long day = strtoul(text, &end, 10);
        int32_t date;
        if (end != text && *end == '\0' && day < TABLE_MAX_DAYS && calendar_parse(table_cell(t, r, cdate), &date)) {
            p->dated = true;
            p->start_day = date - (int32_t)day;
            return;
        }
    }
}

/* The x column of a daily CSV in a using clause. */
static const char *x_col(const struct plot *p)
{
    return p->dated ? "'date'" : "'day'";
}

/* An x coordinate for day `day` (a fraction of a day is fine): the day
 * itself, or gnuplot's time (seconds since 1970-01-01) on a calendar. */
static double x_of(const struct plot *p, double day)
{
    return p->dated ? (p->start_day + day) * 86400.0 : day;
}

/* A calendar axis from day 0 to day h: a tick at the start of each month
 * (every second, third or twelfth on long horizons), named "Jan 2024" in
 * January and at the first tick, "Feb" otherwise. */
static void month_tics(struct strbuf *b, const struct plot *p, double h)
{
    static const char *const name[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int32_t first = calendar_month(p->start_day), last = calendar_month(p->start_day + (int32_t)ceil(h));
    int32_t months = last - first + 1, step = months <= 18 ? 1 : months <= 36 ? 2 : months <= 72 ? 3 : 12;
    strbuf_printf(b, "set xdata time\nset timefmt '%%Y-%%m-%%d'\nset xtics (");
    bool any = false;
    for (int32_t m = first; m <= last; m++) {
        int32_t day = calendar_month_start(m);
        if (day < p->start_day || (m % 12) % step != 0)
            continue;
        strbuf_printf(b, any ? ", " : "");
        if (!any || m % 12 == 0)
            strbuf_printf(b, "'%s %d' %.10g", name[m % 12], (int)(m / 12), day * 86400.0);
        else
            strbuf_printf(b, "'%s' %.10g", name[m % 12], day * 86400.0);
        any = true;
    }
    if (!any)
        strbuf_printf(b, "'' %.10g", x_of(p, 0));
    strbuf_printf(b, ")\n");
}

/* Shades the warm-up and bounds the x axis by the horizon. */
static void day_axis(struct strbuf *b, const struct plot *p, size_t ndays)
{
    double h = isfinite(p->meta.horizon_d) && p->meta.horizon_d > 0 ? p->meta.horizon_d : (double)ndays;
    if (h <= 0)
        h = 1;
    if (p->dated) {
        char date[11];
        calendar_format(p->start_day, date);
        month_tics(b, p, h);
        strbuf_printf(b, "set xrange [%.10g:%.10g]\nset xlabel 'date (the run starts on %s)'\n", x_of(p, 0),
                      x_of(p, h), date);
    } else
        strbuf_printf(b, "set xrange [0:%.10g]\nset xlabel 'simulated day (day 0 starts on a Monday)'\n", h);
    double w = p->meta.warmup_d;
    if (isfinite(w) && w > 0) {
        strbuf_printf(b,
                   "set object 1 rect from %.10g, graph 0 to %.10g, graph 1 behind fillcolor rgb '#ececec' "
                   "fillstyle solid 1.0 noborder\n"
                   "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead lc rgb '#999999' dt 2 back\n",
                   x_of(p, 0), x_of(p, w), x_of(p, w), x_of(p, w));
    }
}

/* Starts a plot command or separates its elements; *n counts them. */
static void plot_item(struct strbuf *b, size_t *n)
{
    strbuf_printf(b, (*n)++ ? ", \\\n     " : "plot ");
}

static bool has_warmup(const struct plot *p)
{
    return isfinite(p->meta.warmup_d) && p->meta.warmup_d > 0;
}

static void warmup_keyentry(struct strbuf *b, const struct plot *p, size_t *n)
{
    if (!has_warmup(p))
        return;
    plot_item(b, n);
    strbuf_printf(b, "keyentry with boxes fillcolor rgb '#ececec' fillstyle solid 1.0 border lc rgb '#cccccc' "
                  "title 'warm-up (not in statistics)'");
}

/* "10 replications, " or nothing. */
static void replications_text(struct strbuf *b, const struct plot *p)
{
    double r = p->meta.replications;
    if (isfinite(r) && r > 0)
        strbuf_printf(b, "mean of %.0f replication%s", r, r == 1 ? "" : "s");
    else
        strbuf_printf(b, "mean over replications");
}

static void confidence_text(struct strbuf *b, const struct plot *p)
{
    double c = p->meta.confidence;
    if (isfinite(c) && c > 0 && c < 1)
        strbuf_printf(b, "%.4g%% confidence", 100 * c);
    else
        strbuf_printf(b, "confidence");
}

static void scenario_text(struct strbuf *b, const struct plot *p)
{
    if (p->meta.scenario && *p->meta.scenario && p->meta.title && *p->meta.title)
        strbuf_printf(b, "scenario %s, ", p->meta.scenario);
}

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

/* The total of throughput.csv as a series named "all" over ndays days (the
 * horizon when it is longer than the file); *any when a day has a mean. */
static enum rm_status throughput_total(const struct plot *p, const struct table *t, size_t *ndays,
                                       struct series **out, bool *any)
{
    struct diag *d = p->d;
    size_t cday, cmean, clo, chi;
    enum rm_status st;
    *out = NULL;
    *any = false;
    if ((st = table_col(t, "day", &cday, d)) != RM_OK || (st = table_col(t, "delivered_t_mean", &cmean, d)) != RM_OK ||
        (st = table_col(t, "delivered_t_ci_low", &clo, d)) != RM_OK ||
        (st = table_col(t, "delivered_t_ci_high", &chi, d)) != RM_OK || (st = table_ndays(t, cday, ndays, d)) != RM_OK)
        return st;
    if (isfinite(p->meta.horizon_d) && p->meta.horizon_d > *ndays && p->meta.horizon_d < TABLE_MAX_DAYS)
        *ndays = (size_t)ceil(p->meta.horizon_d);
    struct series *all = calloc(1, sizeof *all);
    if (!all || !series_init(all, "all", *ndays)) {
        free(all);
        return diag_fail(d, RM_ENOMEM, "out of memory reading throughput.csv");
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
        return diag_fail(p->d, RM_ENOMEM, "out of memory drawing throughput.png");
    cols[0] = *all;
    for (size_t i = 0; per_dest && i < ndest; i++)
        cols[1 + i] = dest[i];
    avg7_block(b, "$avg7", cols, 1 + (per_dest ? ndest : 0), ndays, p->dated ? &p->start_day : NULL);
    free(cols);

    struct strbuf key = {0};
    strbuf_printf(&key, "'");
    confidence_text(&key, p);
    strbuf_printf(&key, " interval of the daily mean'");
    size_t items = 0;
    warmup_keyentry(b, p, &items);
    plot_item(b, &items);
    strbuf_printf(b, "'throughput.csv' using %s:'delivered_t_ci_low':'delivered_t_ci_high' with filledcurves "
                  "fillcolor rgb '#c6dbef' fillstyle solid 1.0 noborder title %s", x_col(p), strbuf_str(&key));
    strbuf_fini(&key);
    plot_item(b, &items);
    strbuf_printf(b, "'' using %s:'delivered_t_mean' with lines lc rgb '#6baed6' lw 1 title 'daily mean'", x_col(p));
    plot_item(b, &items);
    strbuf_printf(b, "$avg7 using 1:2 with lines lc rgb '#08306b' lw 3 title '%s, 7-day average'",
               per_dest ? "all destinations" : "all mail");
    for (size_t i = 0; per_dest && i < ndest; i++) {
        plot_item(b, &items);
        strbuf_printf(b, "$avg7 using 1:%zu with lines lc rgb '%s' lw 2 title ", i + 3, palette[i % NPALETTE]);
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
    if ((st = table_col(tw, "week", &cweek, p->d)) != RM_OK || (st = table_col(tw, "days", &cdays, p->d)) != RM_OK ||
        (st = table_col(tw, "delivered_t_mean", &cmean, p->d)) != RM_OK ||
        (st = table_col(tw, "delivered_t_ci_low", &clo, p->d)) != RM_OK ||
        (st = table_col(tw, "delivered_t_ci_high", &chi, p->d)) != RM_OK)
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
        strbuf_printf(b, "%.10g", x_of(p, 7 * week + 3.5));
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

/* throughput.png from throughput_weekly.csv: tonnes delivered per week,
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
    scenario_text(&sub, p);
    replications_text(&sub, p);
    strbuf_printf(&sub, "; bars: ");
    confidence_text(&sub, p);
    strbuf_printf(&sub, " interval of the weekly total");
    if (ndest > nstack)
        strbuf_printf(&sub, "; the %d largest of %zu destinations", MAX_DEST_AREAS, ndest);
    preamble(&b, p, "mail delivered per week", strbuf_str(&sub));
    day_axis(&b, p, ndays);
    strbuf_printf(&b, "set ylabel 'mail delivered (tonnes per week)'\n%s", any ? "set yrange [0:*]\n" : "set yrange [0:1]\n");
    strbuf_put(&b, strbuf_str(&block), block.len);
    size_t items = 0;
    warmup_keyentry(&b, p, &items);
    /* the top of each layer, the highest first, so lower layers cover the rest */
    for (size_t i = nstack; i-- > 0;) {
        plot_item(&b, &items);
        bool other = ndest > nstack - 1 + (ndest <= MAX_DEST_AREAS + 1) && i == nstack - 1;
        strbuf_printf(&b, "$weeks using ($1):%zu with filledcurves x1 fillcolor rgb '%s' fillstyle solid 0.85 noborder "
                      "title ", 5 + i, other ? "#bab0ac" : palette[i % NPALETTE]);
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
    confidence_text(&b, p);
    strbuf_printf(&b, " interval'\n");
    st = gnuplot_draw(&p->gp, "throughput", &b, p->d);
out:
    strbuf_fini(&b);
    strbuf_fini(&sub);
    strbuf_fini(&block);
    return st;
}

/* throughput.png: the daily mean with its band, the 7-day average, and one
 * 7-day line per destination when there are at most MAX_DEST_LINES. */
static enum rm_status chart_throughput(struct plot *p)
{
    struct diag *d = p->d;
    struct table t = {0}, td = {0};
    struct series *dest = NULL, *all = NULL;
    size_t ndest = 0, ndays;
    struct strbuf b = {0}, sub = {0};
    bool found, found_dest = false, any;
    enum rm_status st = table_load(&t, p->dir, "throughput.csv", &found, d);
    if (st != RM_OK || !found)
        return st;
    if ((st = throughput_total(p, &t, &ndays, &all, &any)) != RM_OK)
        goto out;
    find_dates(p, &t);
    if ((st = table_load(&td, p->dir, "throughput_dest.csv", &found_dest, d)) != RM_OK)
        goto out;
    if (found_dest) {
        if ((st = series_split(&td, "destination", "delivered_t_mean", ndays, NULL, 0, &dest, &ndest, d)) != RM_OK)
            goto out;
        if (ndest)
            qsort(dest, ndest, sizeof *dest, by_total_desc);
    }
    bool per_dest = ndest >= 2 && ndest <= MAX_DEST_LINES;
    /* Results with weekly totals get the weekly chart; older ones the daily. */
    struct table tw = {0};
    bool found_weekly;
    if ((st = table_load(&tw, p->dir, "throughput_weekly.csv", &found_weekly, d)) != RM_OK)
        goto out;
    if (found_weekly) {
        st = throughput_weekly_chart(p, &tw, dest, ndest, ndays);
        table_fini(&tw);
        goto out;
    }

    scenario_text(&sub, p);
    replications_text(&sub, p);
    strbuf_printf(&sub, "; band: ");
    confidence_text(&sub, p);
    strbuf_printf(&sub, " interval of the daily mean");
    if (ndest > MAX_DEST_LINES)
        strbuf_printf(&sub, "; %zu destinations, total shown", ndest);
    preamble(&b, p, "mail delivered per day", strbuf_str(&sub));
    day_axis(&b, p, ndays);
    strbuf_printf(&b, "set ylabel 'mail delivered (tonnes per day)'\n");
    strbuf_printf(&b, any ? "set yrange [0:*]\n" : "set yrange [0:1]\n");
    if ((st = throughput_lines(&b, p, all, dest, ndest, per_dest, ndays)) == RM_OK)
        st = gnuplot_draw(&p->gp, "throughput", &b, d);
out:
    table_fini(&t);
    table_fini(&td);
    series_free(dest, ndest);
    series_free(all, all ? 1 : 0);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    return st;
}

/* The mean of metric/scope in summary.csv (NaN when absent). */
static double summary_mean(const struct table *s, const char *metric, const char *scope)
{
    size_t cm, cs, cmean;
    if (!table_find(s, "metric", &cm) || !table_find(s, "scope", &cs) || !table_find(s, "mean", &cmean))
        return NAN;
    for (size_t r = 0; r < s->nrow; r++) {
        if (strcmp(table_cell(s, r, cm), metric) == 0 && strcmp(table_cell(s, r, cs), scope) == 0) {
            char *end;
            const char *v = table_cell(s, r, cmean);
            double x = strtod(v, &end);
            return end != v && *end == '\0' ? x : NAN;
        }
    }
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

/* What chart_transit needs from transit.csv: the bin width (the smallest
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
    if ((st = table_col(t, "transit_d", &cx, d)) != RM_OK || (st = table_col(t, "batches_pct", &cpct, d)) != RM_OK ||
        (st = table_col(t, "cum_pct", &ccum, d)) != RM_OK)
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

/* transit.png: the histogram of transit days, its cumulative share on the
 * right axis, and the service standard, median and 95th percentile. */
static enum rm_status chart_transit(struct plot *p)
{
    struct diag *d = p->d;
    struct table t = {0}, s = {0};
    struct strbuf b = {0}, sub = {0}, keys = {0};
    struct transit_bins bins;
    bool found, found_summary;
    enum rm_status st = table_load(&t, p->dir, "transit.csv", &found, d);
    if (st != RM_OK || !found)
        return st;
    if ((st = transit_scan(&t, &bins, d)) != RM_OK)
        goto out;
    if ((st = table_load(&s, p->dir, "summary.csv", &found_summary, d)) != RM_OK)
        goto out;
    double width = bins.width;
    double standard = p->meta.service_standard_d;
    double p50 = found_summary ? summary_mean(&s, metric_name(METRIC_TRANSIT_P50), "all") : NAN;
    double p95 = found_summary ? summary_mean(&s, metric_name(METRIC_TRANSIT_P95), "all") : NAN;
    double on_time = found_summary ? summary_mean(&s, metric_name(METRIC_ON_TIME), "all") : NAN;
    bool any = isfinite(bins.first), clipped;
    double lo, hi;
    transit_xrange(&bins, (const double[]){standard, p50, p95}, &lo, &hi, &clipped);

    scenario_text(&sub, p);
    strbuf_printf(&sub, "door to door, batches posted after the warm-up, pooled over ");
    if (isfinite(p->meta.replications) && p->meta.replications > 0)
        strbuf_printf(&sub, "%.0f replications", p->meta.replications);
    else
        strbuf_printf(&sub, "replications");
    if (clipped)
        strbuf_printf(&sub, "; the slowest 0.1%% lie beyond the right edge");
    preamble(&b, p, "transit time", strbuf_str(&sub));
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
    strbuf_printf(&b, "plot 'transit.csv' using (column('transit_d') + %.10g):'batches_pct' with boxes "
                   "fillcolor rgb '#9ecae1' fillstyle solid 1.0 border lc rgb '#ffffff' title 'share of batches', \\\n"
                   "     '' using (column('transit_d') + %.10g):'cum_pct' axes x1y2 with lines lc rgb '#08306b' lw 2 "
                   "title 'cumulative share (right axis)'",
               width / 2, width);
    strbuf_put(&b, strbuf_str(&keys), keys.len);
    strbuf_printf(&b, "\n");
    st = gnuplot_draw(&p->gp, "transit", &b, d);
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
    const char *name, *what;    /* PNG name and title */
    const char *desc, *ylabel;  /* subtitle and y axis */
    const char *none;           /* label when no node has a value */
    const char *total_col;      /* throughput.csv column with the total, or NULL */
    size_t max_lines;           /* the nodes with the highest peaks drawn */
    bool weekly;                /* a 7-day mean per node over a band of its daily range,
                                   not a daily line: a sawtooth of weekly trains reads badly */
};

static const struct node_chart backlog_chart = {
    "backlog.csv", "backlog_batches_mean", "backlog", "mail waiting at the nodes",
    "batches waiting for a train at the end of each day: 7-day mean (line), the week's lowest to highest day (band)",
    "batches waiting (end of day)",
    "no batch waited at any node", NULL, 3, true,
};

static const struct node_chart train_wait_chart = {
    "train_wait.csv", "train_wait_d_mean", "train_wait", "trains queueing at the borders and hubs",
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
        strbuf_printf(b, "%.10g", x_of(p, day));
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
    warmup_keyentry(b, p, &items);
    for (size_t i = 0; i < nshow; i++) {
        plot_item(b, &items);
        strbuf_printf(b, "$nodes using ($1):%zu:%zu with filledcurves fillcolor rgb '%s' fillstyle transparent solid 0.15 "
                      "noborder notitle", 3 + 3 * i, 4 + 3 * i, palette[i % NPALETTE]);
        plot_item(b, &items);
        strbuf_printf(b, "$nodes using ($1):%zu with lines lc rgb '%s' lw 2.5 title ", 2 + 3 * i, palette[i % NPALETTE]);
        strbuf_quote_gnuplot(b, node[i].name);
    }
    if (!nshow) {
        plot_item(b, &items);
        strbuf_printf(b, "NaN notitle");
    }
    strbuf_printf(b, "\n");
}

/* The plot command of a node chart: the total from throughput.csv when
 * `total`, then the first `nshow` nodes. */
static void node_lines(struct strbuf *b, const struct plot *p, const struct node_chart *c, const struct series *node,
                       size_t nshow, bool total)
{
    size_t items = 0;
    warmup_keyentry(b, p, &items);
    if (total) {
        plot_item(b, &items);
        strbuf_printf(b, "'throughput.csv' using %s:'%s' with lines lc rgb '#555555' lw 1.5 dt 2 "
                      "title 'all nodes'", x_col(p), c->total_col);
    }
    for (size_t i = 0; i < nshow; i++) {
        plot_item(b, &items);
        strbuf_printf(b, "'%s' using %s:(strcol('node') eq ", c->file, x_col(p));
        strbuf_quote_gnuplot(b, node[i].name);
        strbuf_printf(b, " ? column('%s') : NaN) with lines lc rgb '%s' lw 2 title ", c->value,
                   palette[i % NPALETTE]);
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
    enum rm_status st = table_load(&t, p->dir, c->file, &found, d);
    if (st != RM_OK || !found)
        return st;
    size_t cday;
    if ((st = table_col(&t, "day", &cday, d)) != RM_OK || (st = table_ndays(&t, cday, &ndays, d)) != RM_OK ||
        (st = series_split(&t, "node", c->value, ndays, NULL, 0, &node, &nnode, d)) != RM_OK)
        goto out;
    find_dates(p, &t);
    size_t nbusy = 0;
    for (size_t i = 0; i < nnode; i++)
        nbusy += node[i].peak > 0;
    if (nnode)
        qsort(node, nnode, sizeof *node, by_peak_desc);
    size_t nshow = nbusy < c->max_lines ? nbusy : c->max_lines;
    if (c->total_col && (st = table_load(&tt, p->dir, "throughput.csv", &found_total, d)) != RM_OK)
        goto out;
    /* The total from throughput.csv, when there is more than one line to add up. */
    size_t ctotal;
    bool total = found_total && nshow >= 2 && table_find(&tt, c->total_col, &ctotal);

    scenario_text(&sub, p);
    strbuf_printf(&sub, "%s, ", c->desc);
    replications_text(&sub, p);
    if (nbusy > nshow)
        strbuf_printf(&sub, "; the %zu of %zu nodes with the highest peak", nshow, nbusy);
    preamble(&b, p, c->what, strbuf_str(&sub));
    day_axis(&b, p, ndays);
    strbuf_printf(&b, "set ylabel '%s'\n", c->ylabel);
    strbuf_printf(&b, nshow ? "set yrange [0:*]\n" : "set yrange [0:1]\n");
    if (!nshow)
        strbuf_printf(&b, "set label 2 '%s' at graph 0.5, graph 0.5 center\n", c->none);
    if (c->weekly)
        node_weeks(&b, p, node, nshow, ndays);
    else
        node_lines(&b, p, c, node, nshow, total);
    st = gnuplot_draw(&p->gp, c->name, &b, d);
out:
    table_fini(&t);
    table_fini(&tt);
    series_free(node, nnode);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    return st;
}

/* backlog.png: batches waiting at the nodes. */
static enum rm_status chart_backlog(struct plot *p)
{
    return chart_nodes(p, &backlog_chart);
}

/* train_wait.png: how long trains queue for a server at each node. */
static enum rm_status chart_train_wait(struct plot *p)
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
 * origin row, on-time %, transit p95; *lo and *hi get the on-time range. */
static enum rm_status pair_cells(struct strbuf *b, const struct plot *p, const struct table *t,
                                 const struct table_index *ox, const struct table_index *dx, double *lo, double *hi,
                                 size_t *ncells)
{
    size_t co, cd, cposted, con, cp95;
    enum rm_status st;
    if ((st = table_col(t, "origin", &co, p->d)) != RM_OK || (st = table_col(t, "destination", &cd, p->d)) != RM_OK ||
        (st = table_col(t, "posted", &cposted, p->d)) != RM_OK ||
        (st = table_col(t, metric_name(METRIC_ON_TIME), &con, p->d)) != RM_OK ||
        (st = table_col(t, metric_name(METRIC_TRANSIT_P95), &cp95, p->d)) != RM_OK)
        return st;
    *lo = INFINITY;
    *hi = -INFINITY;
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
        *lo = fmin(*lo, on_time);
        *hi = fmax(*hi, on_time);
        (*ncells)++;
    }
    strbuf_printf(b, "EOD\n");
    return RM_OK;
}

/* pairs.png: a heat map of origins (rows) by destinations (columns),
 * coloured by the share on time, red the worst, with the value in each
 * cell; pairs that carry no mail stay blank. */
static enum rm_status chart_pairs(struct plot *p)
{
    struct diag *d = p->d;
    struct table t = {0};
    struct table_index ox = {0}, dx = {0};
    const char **origins = NULL, **dests = NULL;
    size_t norigin = 0, ndest = 0, co, cd, ncells;
    struct strbuf b = {0}, sub = {0}, cells = {0};
    bool found;
    double lo, hi;
    enum rm_status st = table_load(&t, p->dir, "pairs.csv", &found, d);
    if (st != RM_OK || !found)
        return st;
    if ((st = table_col(&t, "origin", &co, d)) != RM_OK || (st = table_col(&t, "destination", &cd, d)) != RM_OK ||
        (st = distinct_names(p, &t, co, &ox, &origins, &norigin)) != RM_OK ||
        (st = distinct_names(p, &t, cd, &dx, &dests, &ndest)) != RM_OK ||
        (st = pair_cells(&cells, p, &t, &ox, &dx, &lo, &hi, &ncells)) != RM_OK)
        goto out;
    strbuf_printf(&sub, "share of batches on time");
    if (isfinite(p->meta.service_standard_d))
        strbuf_printf(&sub, " (within %.4g days)", p->meta.service_standard_d);
    strbuf_printf(&sub, " and 95th percentile of transit days; ");
    replications_text(&sub, p);
    strbuf_printf(&sub, "; blank: no mail");
    preamble(&b, p, "on time by origin and destination", strbuf_str(&sub));
    /* the colour scale spans the pairs' range in steps of 10 points, so the
     * worst stand out even when all are close */
    double c0 = ncells ? fmax(0, floor(lo / 10) * 10) : 0, c1 = ncells ? fmin(100, ceil(hi / 10) * 10) : 100;
    if (c1 <= c0)
        c1 = fmin(100, c0 + 10), c0 = c1 - 10;
    strbuf_printf(&b, "unset grid\nset border 0\nset key off\nset tmargin 6\n"
                  "set palette defined (0 '#d73027', 0.5 '#fee08b', 1 '#1a9850')\n"
                  "set cbrange [%.10g:%.10g]\nset cblabel 'on time (%%)'\nset cbtics out\n"
                  "set xrange [0.5:%zu.5]\nset yrange [%zu.5:0.5]\n"
                  "set xlabel 'destination'\nset ylabel 'origin'\n",
                  c0, c1, ndest ? ndest : 1, norigin ? norigin : 1);
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
    st = gnuplot_draw(&p->gp, "pairs", &b, d);
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

/* ---------------------------------------------------------------- monthly */

#define MONTHLY_WORST 3   /* pairs drawn beside the network */

/* monthly.csv read into series by scope: for each scope (the network, the
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
    enum rm_status st = table_load(&mo->t, p->dir, "monthly.csv", found, p->d);
    if (st != RM_OK || !*found)
        return st;
    if ((st = table_col(&mo->t, "month", &mo->cmonth, p->d)) != RM_OK ||
        (st = table_col(&mo->t, "metric", &mo->cmetric, p->d)) != RM_OK ||
        (st = table_col(&mo->t, "scope", &mo->cscope, p->d)) != RM_OK ||
        (st = table_col(&mo->t, "mean", &mo->cmean, p->d)) != RM_OK ||
        (st = table_col(&mo->t, "ci_low", &mo->clo, p->d)) != RM_OK ||
        (st = table_col(&mo->t, "ci_high", &mo->chi, p->d)) != RM_OK)
        return st;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t r = 0; r < mo->t.nrow; r++) {
        char date[16];
        int32_t day;
        snprintf(date, sizeof date, "%.7s-01", table_cell(&mo->t, r, mo->cmonth));
        if (strlen(table_cell(&mo->t, r, mo->cmonth)) != 7 || !calendar_parse(date, &day))
            return diag_error(p->d, &(struct diag_at){"monthly.csv", r + 2, mo->cmonth + 1},
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
        const char *scope = table_cell(&mo->t, r, mo->cscope), *text = table_cell(&mo->t, r, mo->cmean);
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
        char *end;
        double x = strtod(text, &end);
        if (end != text && isfinite(x))
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

/* monthly.png: by month of posting, the network's on-time share and transit
 * p50 and p95 beside those of the worst pairs, and the train waits of the
 * nodes where trains wait longest, each with its confidence band. */
static enum rm_status chart_monthly(struct plot *p)
{
    struct monthly mo = {0};
    struct strbuf b = {0}, sub = {0};
    bool found, any;
    double *v = NULL;
    const char *worst[MONTHLY_WORST], *nodes[MONTHLY_WORST];
    enum rm_status st = monthly_load(p, &mo, &found);
    if (st != RM_OK || !found || mo.n == 0)
        goto out;
    if (!(v = malloc((3 * mo.n + 1) * sizeof *v))) {
        st = diag_fail(p->d, RM_ENOMEM, "out of memory drawing monthly.png");
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
    for (size_t k = 0; k < 3 && st == RM_OK; k++) {
        char block[32];
        snprintf(block, sizeof block, "$all_%s", what[k].block);
        if ((st = monthly_values(p, &mo, metric_name(what[k].id), "all", 1, v, &any)) == RM_OK)
            monthly_block(&b, &mo, block, v);
        for (size_t i = 0; i < nworst && st == RM_OK && k != 1; i++) {
            snprintf(block, sizeof block, "$pair%zu_%s", i, what[k].block);
            if ((st = monthly_values(p, &mo, metric_name(what[k].id), worst[i], 1, v, &any)) == RM_OK)
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
    replications_text(&sub, p);
    strbuf_printf(&sub, "; bands: ");
    confidence_text(&sub, p);
    strbuf_printf(&sub, " intervals; batches by month of posting (the last month's slowest are still on the way), "
                  "trains by month they got a server");
    strbuf_printf(&b, "set label 99 ");
    strbuf_quote_gnuplot(&b, strbuf_str(&sub));
    strbuf_printf(&b, " at screen 0.5, screen 0.925 center font 'Sans,10' tc rgb '#555555'\n");
    size_t items = 0;
    /* on time */
    monthly_panel(&b, &mo, "batches on time", "on time (%)");
    strbuf_printf(&b, "set yrange [0:100]\n");
    monthly_line(&b, &items, "$all_on", "#08306b", "1", "network");
    for (size_t i = 0; i < nworst; i++) {
        char block[32];
        snprintf(block, sizeof block, "$pair%zu_on", i);
        monthly_line(&b, &items, block, palette[i % NPALETTE], "1", worst[i] + 3);
    }
    strbuf_printf(&b, "\nunset label 99\n");
    /* transit */
    items = 0;
    monthly_panel(&b, &mo, "transit time, posting to delivery", "days");
    strbuf_printf(&b, "set yrange [0:*]\n");
    monthly_line(&b, &items, "$all_p50", "#08306b", "1", "network, median (p50)");
    monthly_line(&b, &items, "$all_p95", "#08306b", "2", "network, 95th percentile (p95)");
    for (size_t i = 0; i < nworst; i++) {
        char block[32], title[128];
        snprintf(block, sizeof block, "$pair%zu_p95", i);
        snprintf(title, sizeof title, "%s, p95", worst[i] + 3);
        monthly_line(&b, &items, block, palette[i % NPALETTE], "2", title);
    }
    if (isfinite(p->meta.service_standard_d)) {
        plot_item(&b, &items);
        strbuf_printf(&b, "%.10g with lines lc rgb '#d62728' dt 3 lw 1.5 title 'service standard'", p->meta.service_standard_d);
    }
    strbuf_printf(&b, "\n");
    /* train waits */
    items = 0;
    monthly_panel(&b, &mo, "trains queueing for a server", "wait (days)");
    strbuf_printf(&b, "set yrange [0:*]\n");
    for (size_t i = 0; i < nnodes; i++) {
        char block[32];
        snprintf(block, sizeof block, "$node%zu", i);
        monthly_line(&b, &items, block, palette[(i + 4) % NPALETTE], "1", nodes[i] + 5);
    }
    if (!nnodes) {
        plot_item(&b, &items);
        strbuf_printf(&b, "NaN notitle");
    }
    strbuf_printf(&b, "\nunset multiplot\n");
    st = gnuplot_draw(&p->gp, "monthly", &b, p->d);
out:
    table_fini(&mo.t);
    free(v);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    return st;
}

/* The comparison's panels: the metric table's chart headline, in its order. */
#define MAX_PANELS 16

/* The unit of a difference: a change in a percentage is in points. */
static const char *diff_unit(const struct metric *mt)
{
    return strcmp(mt->unit, "%") ? mt->unit : "percentage points";
}

/* The proposals in meta.csv's order, then any others in compare.csv's. */
static enum rm_status proposal_order(const struct plot *p, const struct table *t, size_t col, bool skip_baseline,
                                     char ***out, size_t *nout)
{
    size_t cap = p->meta.nproposals + t->nrow + 1, n = 0;
    char **names = malloc(cap * sizeof *names);
    if (!names)
        return diag_fail(p->d, RM_ENOMEM, "out of memory reading %s", t->name);
    struct table_index seen = {0};
    for (size_t r = 0; r < p->meta.nproposals + t->nrow; r++) {
        const char *s = r < p->meta.nproposals ? p->meta.proposals[r] : table_cell(t, r - p->meta.nproposals, col);
        size_t i;
        if (table_index_find(&seen, s, &i) || (skip_baseline && strcmp(s, "baseline") == 0))
            continue;
        if (!table_index_add(&seen, s, n)) {
            table_index_fini(&seen);
            free(names);
            return diag_fail(p->d, RM_ENOMEM, "out of memory reading %s", t->name);
        }
        names[n++] = (char *)s;
    }
    table_index_fini(&seen);
    *out = names;
    *nout = n;
    return RM_OK;
}

/* The integer colour of a verdict, for `lc rgb variable` and labels. */
static unsigned verdict_colour(const char *v)
{
    return strcmp(v, "better") == 0          ? 0x2ca02cu
           : strcmp(v, "worse") == 0         ? 0xd62728u
           : strcmp(v, "no difference") == 0 ? 0x8c8c8cu
                                             : 0x1f77b4u;
}

/* The columns of compare.csv that the chart reads. */
struct compare_cols {
    size_t prop, metric, scope, diff, lo, hi, rel, verdict;
    const struct metric *panel[MAX_PANELS];  /* the headline metrics drawn */
    size_t n_panels;
};

static enum rm_status compare_columns(const struct table *t, struct compare_cols *c, struct diag *d)
{
    enum rm_status st;
    if ((st = table_col(t, "proposal", &c->prop, d)) != RM_OK || (st = table_col(t, "metric", &c->metric, d)) != RM_OK ||
        (st = table_col(t, "scope", &c->scope, d)) != RM_OK || (st = table_col(t, "diff", &c->diff, d)) != RM_OK ||
        (st = table_col(t, "diff_ci_low", &c->lo, d)) != RM_OK || (st = table_col(t, "diff_ci_high", &c->hi, d)) != RM_OK ||
        (st = table_col(t, "rel_pct", &c->rel, d)) != RM_OK || (st = table_col(t, "verdict", &c->verdict, d)) != RM_OK)
        return st;
    c->n_panels = 0;
    for (size_t i = 0; i < METRIC_COUNT && c->n_panels < MAX_PANELS; i++)
        if (metric_get(i)->flags & METRIC_HEADLINE_CHART)
            c->panel[c->n_panels++] = metric_get(i);
    return RM_OK;
}

/* True when row r of compare.csv is headline m over the whole network. */
static bool is_headline(const struct table *t, const struct compare_cols *c, size_t r, size_t m)
{
    return strcmp(table_cell(t, r, c->metric), c->panel[m]->name) == 0 &&
           strcmp(table_cell(t, r, c->scope), "all") == 0;
}

/* Which panels have data, and the x range of each (always including 0);
 * *neutral when a verdict is neither better, worse nor no difference. */
static enum rm_status compare_ranges(const struct table *t, const struct compare_cols *c, bool *present,
                                     double *lo, double *hi, bool *neutral, struct diag *d)
{
    *neutral = false;
    for (size_t m = 0; m < c->n_panels; m++) {
        present[m] = false;
        lo[m] = hi[m] = 0;
    }
    for (size_t r = 0; r < t->nrow; r++) {
        for (size_t m = 0; m < c->n_panels; m++) {
            if (!is_headline(t, c, r, m))
                continue;
            double v[3];
            enum rm_status st;
            if ((st = table_num(t, r, c->diff, &v[0], d)) != RM_OK || (st = table_num(t, r, c->lo, &v[1], d)) != RM_OK ||
                (st = table_num(t, r, c->hi, &v[2], d)) != RM_OK)
                return st;
            present[m] = true;
            for (size_t k = 0; k < 3; k++) {
                if (isfinite(v[k])) {
                    lo[m] = fmin(lo[m], v[k]);
                    hi[m] = fmax(hi[m], v[k]);
                }
            }
            *neutral |= verdict_colour(table_cell(t, r, c->verdict)) == 0x1f77b4u;
        }
    }
    return RM_OK;
}

/* The gnuplot functions every panel uses and the multiplot layout. */
static void compare_setup(struct strbuf *b, const struct plot *p, char **names, size_t nnames, size_t rows,
                          size_t cols, double left)
{
    strbuf_printf(b, "set encoding utf8\nset datafile separator comma\nset datafile missing NaN\n");
    strbuf_printf(b, "# the row of each proposal, and the colour of each verdict\nproposal_row(s) = ");
    for (size_t i = 0; i < nnames; i++) {
        strbuf_printf(b, "s eq ");
        strbuf_quote_gnuplot(b, names[i]);
        strbuf_printf(b, " ? %zu : ", i + 1);
    }
    strbuf_printf(b, "NaN\nverdict_colour(v) = v eq 'better' ? 0x2ca02c : v eq 'worse' ? 0xd62728 : "
                  "v eq 'no difference' ? 0x8c8c8c : 0x1f77b4\n"
                  "headline(m) = strcol('metric') eq m && strcol('scope') eq 'all'\n");
    strbuf_printf(b, "unset key\nset border 3 lc rgb '#444444'\nset tics nomirror out\nset ytics scale 0\n"
                  "set grid xtics lc rgb '#e0e0e0' lt 1\nset offsets 0, 0, 0, 0\n");
    strbuf_printf(b, "set yrange [%.10g:0.4]\n", (double)nnames + 0.6);
    struct strbuf title = {0};
    strbuf_printf(&title, "%s: each proposal against the baseline", p->heading);
    strbuf_printf(b, "set multiplot layout %zu,%zu title ", rows, cols);
    strbuf_quote_gnuplot(b, strbuf_str(&title));
    strbuf_fini(&title);
    strbuf_printf(b, " font 'Sans Bold,14' margins %.4f, 0.97, %.4f, 0.80 spacing %.4f, %.4f\n", left,
               rows > 1 ? 0.09 : 0.12, 0.035, 0.15);
}

/* The subtitle and the verdict legend, set in the first panel: coloured
 * points with labels in one row, centred (a key would wrap to the width of
 * one panel). */
static void compare_legend(struct strbuf *b, const char *subtitle, bool neutral)
{
    strbuf_printf(b, "set label 99 ");
    strbuf_quote_gnuplot(b, subtitle);
    strbuf_printf(b, " at screen 0.5, screen 0.92 center font 'Sans,10' tc rgb '#555555'\n");
    static const char *const verdict[] = {"better", "worse", "no difference",
                                          "higher or lower (neither better nor worse)"};
    size_t nv = neutral ? 4 : 3;
    double width[4], total = 0;
    for (size_t i = 0; i < nv; i++)
        total += width[i] = (double)strlen(verdict[i]) * 7.5 + 50;
    double x = 600 - total / 2;
    for (size_t i = 0; i < nv; i++) {
        strbuf_printf(b, "set label %zu '%s' at screen %.4f, screen 0.875 left point pt 7 ps 1.5 "
                      "lc rgb '#%06x' offset 1.2, 0\n",
                   90 + i, verdict[i], x / 1200, verdict_colour(verdict[i]));
        x += width[i];
    }
}

/* The position of `name` in `names`, nnames if absent. */
static size_t proposal_index(char **names, size_t nnames, const char *name)
{
    size_t i = 0;
    while (i < nnames && strcmp(names[i], name) != 0)
        i++;
    return i;
}

/* True when gnuplot, reading compare.csv itself, would get `name` back as
 * it is: it splits quoted fields at commas, keeps doubled quotes, reads a
 * line end as the end of the row, and strbuf_quote_gnuplot turns control
 * characters into spaces. */
static bool reads_back(const char *name)
{
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        if (*c < 0x20 || *c == 0x7f || *c == ',' || *c == '"')
            return false;
    return true;
}

/* The points of panel m as a datablock in the script, for proposal names
 * that gnuplot cannot read back from compare.csv: x, row, interval and
 * verdict colour, as the plot command would take them from the file. */
static void compare_points(struct strbuf *b, const struct table *t, const struct compare_cols *c, size_t m,
                           char **names, size_t nnames, struct diag *d)
{
    strbuf_printf(b, "$points << EOD\n");
    for (size_t r = 0; r < t->nrow; r++) {
        if (!is_headline(t, c, r, m))
            continue;
        size_t row = proposal_index(names, nnames, table_cell(t, r, c->prop));
        double v[3];
        if (row == nnames || table_num(t, r, c->diff, &v[0], d) != RM_OK ||
            table_num(t, r, c->lo, &v[1], d) != RM_OK || table_num(t, r, c->hi, &v[2], d) != RM_OK)
            continue;
        for (size_t k = 0; k < 3; k++) {
            if (isfinite(v[k]))
                strbuf_printf(b, "%.10g,", v[k]);
            else
                strbuf_printf(b, "NaN,");
            if (k == 0)
                strbuf_printf(b, "%zu,", row + 1);
        }
        strbuf_printf(b, "%u\n", verdict_colour(table_cell(t, r, c->verdict)));
    }
    strbuf_printf(b, "EOD\n");
}

/* The value above each point of panel m, from the C side so units and
 * signs read well. */
static void compare_values(struct strbuf *b, const struct table *t, const struct compare_cols *c, size_t m,
                           char **names, size_t nnames, struct diag *d)
{
    for (size_t r = 0, id = 10; r < t->nrow; r++) {
        if (!is_headline(t, c, r, m))
            continue;
        size_t row = proposal_index(names, nnames, table_cell(t, r, c->prop));
        double diff, rel;
        if (row == nnames || table_num(t, r, c->diff, &diff, d) != RM_OK || !isfinite(diff))
            continue;
        if (table_num(t, r, c->rel, &rel, d) != RM_OK)
            rel = NAN;
        struct strbuf text = {0};
        strbuf_printf(&text, "%+.3g", diff);
        if (isfinite(rel))
            strbuf_printf(&text, " (%+.0f%%)", rel);
        strbuf_printf(b, "set label %zu ", id++);
        strbuf_quote_gnuplot(b, strbuf_str(&text));
        strbuf_printf(b, " at %.10g, %zu center offset 0, 1.1 tc rgb '#%06x' front\n", diff, row + 1,
                   verdict_colour(table_cell(t, r, c->verdict)));
        strbuf_fini(&text);
    }
}

/* Panel m of the comparison over [lo, hi] widened by 18% each side; the
 * proposal names label the y axis of the panels in the first column. */
static void compare_panel(struct strbuf *b, const struct table *t, const struct compare_cols *c, size_t m, double lo,
                          double hi, char **names, size_t nnames, bool first_column, bool inline_points,
                          struct diag *d)
{
    double span = hi - lo;
    if (!(span > 0))
        span = fmax(1.0, fabs(hi));
    double x0 = lo - 0.18 * span, x1 = hi + 0.18 * span;
    strbuf_printf(b, "set title '%s' font 'Sans Bold,11'\nset xlabel 'change from baseline (%s)'\n",
               c->panel[m]->label, diff_unit(c->panel[m]));
    strbuf_printf(b, "set xrange [%.10g:%.10g]\nset ytics (", x0, x1);
    for (size_t i = 0; i < nnames; i++) {
        strbuf_printf(b, "%s", i ? ", " : "");
        strbuf_quote_gnuplot(b, first_column ? names[i] : "");
        strbuf_printf(b, " %zu", i + 1);
    }
    strbuf_printf(b, ")\nset arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb '#666666' lw 1.5 back\n");
    compare_values(b, t, c, m, names, nnames, d);
    if (inline_points) {
        compare_points(b, t, c, m, names, nnames, d);
        strbuf_printf(b, "plot $points using 1:2:3:4:5 with xerrorbars lc rgb variable pt 7 ps 1.5 lw 2 notitle\n");
        return;
    }
    strbuf_printf(b, "plot 'compare.csv' using (headline('%s') ? column('diff') : NaN):(proposal_row(strcol('proposal')))"
                  ":'diff_ci_low':'diff_ci_high':(verdict_colour(strcol('verdict'))) "
                  "with xerrorbars lc rgb variable pt 7 ps 1.5 lw 2 notitle",
               c->panel[m]->name);
    strbuf_printf(b, "\n");
}

/* compare.png: small multiples, one panel per headline metric, each showing
 * every proposal's difference from the baseline with its interval,
 * coloured by verdict. */
static enum rm_status chart_compare(struct plot *p)
{
    struct diag *d = p->d;
    struct table t = {0};
    struct strbuf b = {0}, sub = {0};
    struct compare_cols c;
    char **names = NULL;
    size_t nnames = 0;
    double lo[MAX_PANELS], hi[MAX_PANELS];
    bool present[MAX_PANELS], neutral, found;
    enum rm_status st = table_load(&t, p->dir, "compare.csv", &found, d);
    if (st != RM_OK || !found)
        return st;
    if ((st = compare_columns(&t, &c, d)) != RM_OK ||
        (st = proposal_order(p, &t, c.prop, true, &names, &nnames)) != RM_OK ||
        (st = compare_ranges(&t, &c, present, lo, hi, &neutral, d)) != RM_OK)
        goto out;
    size_t npanel = 0, maxlen = 8;
    bool inline_points = false;
    for (size_t m = 0; m < c.n_panels; m++)
        npanel += present[m];
    if (npanel == 0 || nnames == 0)
        goto out;  /* nothing to compare: no chart */
    for (size_t i = 0; i < nnames; i++) {
        if (strlen(names[i]) > maxlen)
            maxlen = strlen(names[i]);
        inline_points |= !reads_back(names[i]);
    }
    size_t cols = npanel <= 3 ? npanel : npanel == 4 ? 2 : 3, rows = (npanel + cols - 1) / cols;
    compare_setup(&b, p, names, nnames, rows, cols, fmin(0.3, (double)(maxlen * 8 + 40) / 1200.0));

    scenario_text(&sub, p);
    strbuf_printf(&sub, "proposal minus baseline, ");
    replications_text(&sub, p);
    strbuf_printf(&sub, " with common random numbers; bars: ");
    confidence_text(&sub, p);
    strbuf_printf(&sub, " intervals of the difference");
    for (size_t m = 0, panel = 0; m < c.n_panels; m++) {
        if (!present[m])
            continue;
        strbuf_printf(&b, "\n# panel: %s\nunset label\n", c.panel[m]->name);
        if (panel == 0)
            compare_legend(&b, strbuf_str(&sub), neutral);
        compare_panel(&b, &t, &c, m, lo[m], hi[m], names, nnames, panel % cols == 0, inline_points, d);
        panel++;
    }
    strbuf_printf(&b, "unset multiplot\n");
    st = gnuplot_draw(&p->gp, "compare", &b, d);
out:
    table_fini(&t);
    free(names);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    return st;
}

/* One series of delivered tonnes per variant of compare_throughput.csv: the
 * baseline first, then meta.csv's order, then the file's. */
static enum rm_status variant_series(const struct plot *p, const struct table *t, size_t ndays,
                                     struct series **s, size_t *ns)
{
    const char **order = malloc((p->meta.nproposals + 1) * sizeof *order);
    if (!order)
        return diag_fail(p->d, RM_ENOMEM, "out of memory reading compare_throughput.csv");
    order[0] = "baseline";
    for (size_t i = 0; i < p->meta.nproposals; i++)
        order[i + 1] = p->meta.proposals[i];
    enum rm_status st = series_split(t, "proposal", "delivered_t_mean", ndays, order, p->meta.nproposals + 1, s, ns,
                                    p->d);
    free(order);
    return st;
}

/* compare_throughput.png: 7-day averages of delivered tonnes, the baseline
 * and each proposal. */
static enum rm_status chart_compare_throughput(struct plot *p)
{
    struct diag *d = p->d;
    struct table t = {0};
    struct series *s = NULL;
    size_t ns = 0, ndays, cday;
    struct strbuf b = {0}, sub = {0};
    bool found;
    enum rm_status st = table_load(&t, p->dir, "compare_throughput.csv", &found, d);
    if (st != RM_OK || !found)
        return st;
    if ((st = table_col(&t, "day", &cday, d)) != RM_OK || (st = table_ndays(&t, cday, &ndays, d)) != RM_OK)
        goto out;
    if (isfinite(p->meta.horizon_d) && p->meta.horizon_d > ndays && p->meta.horizon_d < TABLE_MAX_DAYS)
        ndays = (size_t)ceil(p->meta.horizon_d);
    if ((st = variant_series(p, &t, ndays, &s, &ns)) != RM_OK)
        goto out;
    find_dates(p, &t);
    /* Names listed in meta.csv but absent from the file draw no line. */
    bool any = false;
    for (size_t i = 0; i < ns; i++)
        any |= s[i].peak > 0;

    scenario_text(&sub, p);
    replications_text(&sub, p);
    strbuf_printf(&sub, ", centred 7-day average; every variant runs on the same random numbers");
    preamble(&b, p, "mail delivered per day, baseline and proposals", strbuf_str(&sub));
    day_axis(&b, p, ndays);
    strbuf_printf(&b, "set ylabel 'mail delivered (tonnes per day, 7-day average)'\n");
    strbuf_printf(&b, any ? "set yrange [0:*]\n" : "set yrange [0:1]\n");
    avg7_block(&b, "$avg7", s, ns, ndays, p->dated ? &p->start_day : NULL);
    size_t items = 0;
    warmup_keyentry(&b, p, &items);
    for (size_t i = 0; i < ns; i++) {
        plot_item(&b, &items);
        if (i == 0 && strcmp(s[0].name, "baseline") == 0)
            strbuf_printf(&b, "$avg7 using 1:2 with lines lc rgb '#222222' lw 3 title 'baseline'");
        else {
            strbuf_printf(&b, "$avg7 using 1:%zu with lines lc rgb '%s' lw 2 title ", i + 2,
                       palette[(i + NPALETTE - 1) % NPALETTE]);
            strbuf_quote_gnuplot(&b, s[i].name);
        }
    }
    if (!ns) {
        plot_item(&b, &items);
        strbuf_printf(&b, "NaN notitle");
    }
    strbuf_printf(&b, "\n");
    st = gnuplot_draw(&p->gp, "compare_throughput", &b, d);
out:
    table_fini(&t);
    series_free(s, ns);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    return st;
}

/* ---------------------------------------------------------------- sweep */

#define MAX_SWEEP_LINES NPALETTE  /* values of a second key drawn */
#define MAX_SWEEP_XTICS 15        /* more values: gnuplot's own tics */

/* One point of a sweep chart: the first key's value, the second's (0
 * with one key) and the metric's mean and interval there. */
struct sweep_point {
    double x, line, mean, lo, hi;
};

static int by_line_then_x(const void *a, const void *b)
{
    const struct sweep_point *u = a, *v = b;
    if (u->line != v->line)
        return u->line < v->line ? -1 : 1;
    return (u->x > v->x) - (u->x < v->x);
}

/* What target.csv says, for the line on the charts. */
struct sweep_goal {
    bool found;
    char *metric, *scope, *op, *value, *outcome;
    double threshold;
};

static void goal_fini(struct sweep_goal *g)
{
    free(g->metric);
    free(g->scope);
    free(g->op);
    free(g->value);
    free(g->outcome);
}

static enum rm_status goal_load(const struct plot *p, struct sweep_goal *g)
{
    *g = (struct sweep_goal){.threshold = NAN};
    struct table t;
    bool found;
    enum rm_status st = table_load(&t, p->dir, "target.csv", &found, p->d);
    if (st != RM_OK || !found)
        return st;
    size_t ck, cv;
    if ((st = table_col(&t, "key", &ck, p->d)) == RM_OK && (st = table_col(&t, "value", &cv, p->d)) == RM_OK) {
        for (size_t r = 0; r < t.nrow && st == RM_OK; r++) {
            const char *k = table_cell(&t, r, ck);
            char **text = !strcmp(k, "metric")    ? &g->metric
                          : !strcmp(k, "scope")   ? &g->scope
                          : !strcmp(k, "operator") ? &g->op
                          : !strcmp(k, "value")   ? &g->value
                          : !strcmp(k, "outcome") ? &g->outcome
                                                  : NULL;
            if (text) {
                free(*text);
                if (!(*text = strdup(table_cell(&t, r, cv))))
                    st = diag_fail(p->d, RM_ENOMEM, "out of memory reading target.csv");
            } else if (!strcmp(k, "threshold")) {
                st = table_num(&t, r, cv, &g->threshold, p->d);
            }
        }
    }
    g->found = st == RM_OK && g->metric && g->scope && g->op && isfinite(g->threshold);
    table_fini(&t);
    return st;
}

/* The columns of sweep.csv: the varied keys come before `metric`. */
struct sweep_cols {
    size_t nkeys, metric, scope, mean, lo, hi;
};

/* The rows of (metric, scope) in sweep.csv, sorted by second key, then x. */
static enum rm_status sweep_points(const struct plot *p, const struct table *t, const struct sweep_cols *c,
                                   const char *metric, const char *scope, struct sweep_point **out, size_t *n)
{
    *n = 0;
    *out = malloc((t->nrow + 1) * sizeof **out);
    if (!*out)
        return diag_fail(p->d, RM_ENOMEM, "out of memory reading sweep.csv");
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

/* sweep_NAME.png: (metric, scope) against the first key with its
 * confidence band, one line per value of the second key, and the target
 * when it is about this metric and scope. */
static enum rm_status sweep_chart(struct plot *p, const struct table *t, const struct sweep_cols *c, const char *metric,
                                  const char *scope, const char *name, const struct sweep_goal *g)
{
    struct sweep_point *pt = NULL;
    size_t n;
    enum rm_status st = sweep_points(p, t, c, metric, scope, &pt, &n);
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
    scenario_text(&sub, p);
    replications_text(&sub, p);
    strbuf_printf(&sub, " per point, common random numbers; band: ");
    confidence_text(&sub, p);
    strbuf_printf(&sub, " interval");
    if (g && g->found)
        strbuf_printf(&sub, "; the points the target search ran");
    if (nlines > MAX_SWEEP_LINES)
        strbuf_printf(&sub, "; the first %zu values of %s", (size_t)MAX_SWEEP_LINES, table_header(t, 1));
    preamble(&b, p, strbuf_str(&what), strbuf_str(&sub));
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

    /* one datablock per line: x, mean, ci_low, ci_high, from sweep.csv */
    strbuf_printf(&b, "# from sweep.csv: %s at %s; columns: value, mean, ci_low, ci_high\n", metric, scope);
    size_t line = 0, first[MAX_SWEEP_LINES + 1];
    bool band[MAX_SWEEP_LINES] = {false};
    for (size_t i = 0; i < n && line < MAX_SWEEP_LINES; i++) {
        if (i == 0 || pt[i].line != pt[i - 1].line) {
            if (i)
                strbuf_printf(&b, "EOD\n"), line++;
            if (line == MAX_SWEEP_LINES)
                break;
            first[line] = i;
            strbuf_printf(&b, "$line%zu << EOD\n", line);
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
    confidence_text(&band_title, p);
    strbuf_printf(&band_title, " interval");
    size_t items = 0;
    bool any_band = false;
    for (size_t k = 0; k < line; k++) {
        any_band |= band[k];
        const char *colour = nlines == 1 ? "#08306b" : palette[k % NPALETTE];
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
    free(pt);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    strbuf_fini(&what);
    strbuf_fini(&keys);
    return st;
}

/* The sweep's charts: each chart headline metric over the network, and
 * with a target, the target's metric at its scope (sweep_target.png). */
static enum rm_status chart_sweep(struct plot *p)
{
    struct table t = {0};
    struct sweep_goal g;
    bool found;
    enum rm_status st = table_load(&t, p->dir, "sweep.csv", &found, p->d);
    if (st != RM_OK || !found)
        return st;
    struct sweep_cols c;
    if ((st = table_col(&t, "metric", &c.metric, p->d)) != RM_OK || (st = table_col(&t, "scope", &c.scope, p->d)) != RM_OK ||
        (st = table_col(&t, "mean", &c.mean, p->d)) != RM_OK || (st = table_col(&t, "ci_low", &c.lo, p->d)) != RM_OK ||
        (st = table_col(&t, "ci_high", &c.hi, p->d)) != RM_OK) {
        table_fini(&t);
        return st;
    }
    c.nkeys = c.metric;
    if (c.nkeys < 1 || c.nkeys > 2) {
        table_fini(&t);
        return diag_error(p->d, &(struct diag_at){"sweep.csv", 1, 0},
                          "expected one or two varied keys before the metric column, found %zu", c.nkeys);
    }
    if ((st = goal_load(p, &g)) == RM_OK) {
        for (size_t i = 0; i < METRIC_COUNT && st == RM_OK; i++) {
            const struct metric *mt = metric_get(i);
            if (!(mt->flags & METRIC_HEADLINE_CHART))
                continue;
            char name[96];
            snprintf(name, sizeof name, "sweep_%s", mt->name);
            st = sweep_chart(p, &t, &c, mt->name, "all", name, &g);
        }
        if (st == RM_OK && g.found)
            st = sweep_chart(p, &t, &c, g.metric, g.scope, "sweep_target", &g);
    }
    goal_fini(&g);
    table_fini(&t);
    return st;
}

/* The last component of a path, for a heading when meta.csv has none. */
static char *base_name(const char *dir)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && dir[start - 1] != '/')
        start--;
    char *s = malloc(len - start + 1);
    if (s) {
        memcpy(s, dir + start, len - start);
        s[len - start] = '\0';
    }
    return s;
}

/* Draws every chart of `dir` on `terminal` into `out_dir` (NULL: dir);
 * `required`: finding nothing to draw is an error. */
static enum rm_status draw_charts(const char *dir, const char *out_dir, enum gnuplot_terminal terminal,
                                  bool required, bool *drawn, struct diag *d)
{
    *drawn = false;
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return diag_error(d, &(struct diag_at){dir, 0, 0}, "expected a results directory: %s", strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return diag_error(d, &(struct diag_at){dir, 0, 0}, "expected a results directory, found a file");
    struct plot p = {.dir = dir, .d = d};
    char *base = NULL;
    enum rm_status st = meta_load(&p.meta, dir, d);
    if (st != RM_OK)
        goto out;
    if (p.meta.title && *p.meta.title)
        p.heading = p.meta.title;
    else if (p.meta.scenario && *p.meta.scenario)
        p.heading = p.meta.scenario;
    else if ((base = base_name(dir)))
        p.heading = base;
    else {
        st = diag_fail(d, RM_ENOMEM, "out of memory");
        goto out;
    }
    gnuplot_init(&p.gp, dir, terminal);
    if (out_dir)
        gnuplot_output_dir(&p.gp, out_dir);
    enum rm_status (*const charts[])(struct plot *) = {
        chart_throughput, chart_transit, chart_backlog, chart_train_wait, chart_pairs, chart_monthly, chart_compare,
        chart_compare_throughput, chart_sweep,
    };
    for (size_t i = 0; i < sizeof charts / sizeof charts[0] && st == RM_OK; i++)
        st = charts[i](&p);
    if (st == RM_OK && required && p.gp.written == 0)
        st = diag_error(d, &(struct diag_at){dir, 0, 0},
                        "expected results to plot (throughput.csv, transit.csv, backlog.csv, compare.csv or sweep.csv), "
                        "found none");
    if (st == RM_OK)
        *drawn = p.gp.found && p.gp.drawn == p.gp.written;
out:
    meta_fini(&p.meta);
    free(base);
    return st;
}

enum rm_status plot_results(const char *dir, bool *drawn, struct diag *d)
{
    return draw_charts(dir, NULL, GNUPLOT_PNG, true, drawn, d);
}

enum rm_status plot_results_svg(const char *dir, const char *out_dir, bool *drawn, struct diag *d)
{
    return draw_charts(dir, out_dir, GNUPLOT_SVG, false, drawn, d);
}
