/* plot: the charts of a results directory. Each chart is a gnuplot script
 * built in a strbuf that reads the CSVs by relative file name, and the
 * gnuplot module saves and draws it. The C side reads the CSVs (through
 * results, table and series) only to pick ranges, series names and 7-day
 * averages; gnuplot reads the data itself. This file draws what every chart
 * shares and walks the chart catalogue (results.h); the charts of each kind
 * of results are in plotrun.c, plotmonthly.c, plotcompare.c and
 * plotsweep.c. */
#include "railmail/plot.h"

#include "plotdraw.h"
#include "railmail/calendar.h"
#include "railmail/num.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Colours: the total in navy, series in a colour-blind-tolerant palette. */
const char *const plot_palette[] = {
    "#f28e2b", "#4e79a7", "#59a14f", "#e15759", "#b07aa1",
    "#9c755f", "#76b7b2", "#edc948", "#ff9da7", "#bab0ac",
};
_Static_assert(sizeof plot_palette / sizeof *plot_palette == PLOT_NPALETTE, "PLOT_NPALETTE counts the palette");

/* One row per day with a full window, one column per series. */
void plot_avg7_block(struct strbuf *b, const char *block, const struct series *s, size_t n, size_t ndays,
                     const int32_t *start_day)
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


/* The most characters of a subtitle's line in Sans 10 across 1200 pixels,
 * with a margin: a longer subtitle is cut at both ends. */
#define SUBTITLE_LINE_MAX 160

/* Where a subtitle longer than a line breaks: after the last "; " that
 * leaves the first line within SUBTITLE_LINE_MAX, else the last ", ", else
 * the last space; 0 when it fits or has none. */
static size_t subtitle_break(const char *s)
{
    size_t len = strlen(s);
    if (len <= SUBTITLE_LINE_MAX)
        return 0;
    static const char *const seps[] = {"; ", ", ", " "};
    for (size_t k = 0; k < 3; k++) {
        size_t at = 0, n = strlen(seps[k]);
        for (const char *q = s; (q = strstr(q, seps[k])) && (size_t)(q - s) + n <= SUBTITLE_LINE_MAX + 1; q += n)
            at = (size_t)(q - s) + n;
        if (at > len / 3)  /* a first line of at least a third */
            return at;
    }
    return 0;
}

/* The subtitle as label 99 centred at screen height y, or, too long for one
 * line, as labels 99 and 97 at y and y - 0.027; true when it took two. */
bool plot_subtitle(struct strbuf *b, const char *subtitle, double y)
{
    if (!subtitle || !*subtitle)
        return false;
    size_t cut = subtitle_break(subtitle), end = cut;
    while (end > 0 && strchr(" ;,", subtitle[end - 1]))
        end--;
    struct strbuf t = {0};
    strbuf_put(&t, subtitle, cut ? end : strlen(subtitle));
    strbuf_printf(b, "set label 99 ");
    strbuf_quote_gnuplot(b, strbuf_str(&t));
    strbuf_printf(b, " at screen 0.5, screen %.4g center font 'Sans,10' tc rgb '#555555'\n", y);
    strbuf_fini(&t);
    if (!cut)
        return false;
    strbuf_printf(b, "set label 97 ");
    strbuf_quote_gnuplot(b, subtitle + cut);
    strbuf_printf(b, " at screen 0.5, screen %.4g center font 'Sans,10' tc rgb '#555555'\n", y - 0.027);
    return true;
}

/* The settings every chart shares: title and subtitle, axes, grid, key. A
 * subtitle too long for one line takes two. */
void plot_preamble(struct strbuf *b, const struct plot *p, const char *what, const char *subtitle)
{
    struct strbuf t = {0};
    strbuf_printf(&t, "%s: %s", p->heading, what);
    strbuf_printf(b, "set encoding utf8\nset datafile separator comma\nset datafile missing NaN\n");
    bool two = subtitle && subtitle_break(subtitle);
    /* Title and subtitle as labels, so the subtitle sits under the title. */
    strbuf_printf(b, "set label 98 ");
    strbuf_quote_gnuplot(b, strbuf_str(&t));
    strbuf_printf(b, " at screen 0.5, screen %s center font 'Sans Bold,14'\n", two ? "0.962" : "0.955");
    strbuf_fini(&t);
    plot_subtitle(b, subtitle, two ? 0.925 : 0.915);
    strbuf_printf(b, "set tmargin %d\nset border 3 lc rgb '#444444'\nset tics nomirror out\n", two ? 6 : 5);
    strbuf_printf(b,
                  "set grid ytics lc rgb '#e0e0e0' lt 1 lw 1\n"
                  "set key outside below center horizontal Left reverse spacing 1.2 width 2 samplen 3\n");
}

/* Whether a daily table has dates (results written before start_date have
 * none): sets p->dated and p->start_day from its first row with both. */
void plot_find_dates(struct plot *p, const struct table *t)
{
    size_t cday, cdate;
    p->dated = false;
    if (!table_find(t, RESULTS_COL_DAY, &cday) || !table_find(t, RESULTS_COL_DATE, &cdate))
        return;
    for (size_t r = 0; r < t->nrow; r++) {
        uint64_t day;
        int32_t date;
        if (num_parse_whole(table_cell(t, r, cday), &day) && day < TABLE_MAX_DAYS &&
            calendar_parse(table_cell(t, r, cdate), &date)) {
            p->dated = true;
            p->start_day = date - (int32_t)day;
            return;
        }
    }
}

/* The x column of a daily CSV in a using clause. */
const char *plot_x_col(const struct plot *p)
{
    return p->dated ? "'" RESULTS_COL_DATE "'" : "'" RESULTS_COL_DAY "'";
}

/* An x coordinate for day `day` (a fraction of a day is fine): the day
 * itself, or gnuplot's time (seconds since 1970-01-01) on a calendar. */
double plot_x_of(const struct plot *p, double day)
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
        strbuf_printf(b, "'' %.10g", plot_x_of(p, 0));
    strbuf_printf(b, ")\n");
}

/* Shades the warm-up and bounds the x axis by the horizon. */
void plot_day_axis(struct strbuf *b, const struct plot *p, size_t ndays)
{
    double h = isfinite(p->rec.horizon_d) && p->rec.horizon_d > 0 ? p->rec.horizon_d : (double)ndays;
    if (h <= 0)
        h = 1;
    if (p->dated) {
        char date[11];
        calendar_format(p->start_day, date);
        month_tics(b, p, h);
        strbuf_printf(b, "set xrange [%.10g:%.10g]\nset xlabel 'date (the run starts on %s)'\n", plot_x_of(p, 0),
                      plot_x_of(p, h), date);
    } else
        strbuf_printf(b, "set xrange [0:%.10g]\nset xlabel 'simulated day (day 0 starts on a Monday)'\n", h);
    double w = p->rec.warmup_d;
    if (isfinite(w) && w > 0) {
        strbuf_printf(b,
                   "set object 1 rect from %.10g, graph 0 to %.10g, graph 1 behind fillcolor rgb '#ececec' "
                   "fillstyle solid 1.0 noborder\n"
                   "set arrow 1 from %.10g, graph 0 to %.10g, graph 1 nohead lc rgb '#999999' dt 2 back\n",
                   plot_x_of(p, 0), plot_x_of(p, w), plot_x_of(p, w), plot_x_of(p, w));
    }
}

/* Starts a plot command or separates its elements; *n counts them. */
void plot_item(struct strbuf *b, size_t *n)
{
    strbuf_printf(b, (*n)++ ? ", \\\n     " : "plot ");
}

static bool has_warmup(const struct plot *p)
{
    return isfinite(p->rec.warmup_d) && p->rec.warmup_d > 0;
}

/* The warm-up's key entry, when there is a warm-up. */
void plot_warmup_keyentry(struct strbuf *b, const struct plot *p, size_t *n)
{
    if (!has_warmup(p))
        return;
    plot_item(b, n);
    strbuf_printf(b, "keyentry with boxes fillcolor rgb '#ececec' fillstyle solid 1.0 border lc rgb '#cccccc' "
                  "title 'warm-up (not in statistics)'");
}

/* "mean of 10 replications", or "mean over replications" without a count. */
void plot_replications_text(struct strbuf *b, const struct plot *p)
{
    double r = p->rec.replications;
    if (isfinite(r) && r > 0)
        strbuf_printf(b, "mean of %.0f replication%s", r, r == 1 ? "" : "s");
    else
        strbuf_printf(b, "mean over replications");
}

void plot_runout_text(struct strbuf *b, const struct plot *p)
{
    double d = p->rec.runout_d;
    if (d > 0)
        strbuf_printf(b, ", followed past the horizon until delivered (at most %.4g days, then late)", d);
    else if (d == 0)
        strbuf_printf(b, ", those on the way at the horizon counted late");
}

/* "95% confidence", or "confidence" without a level. */
void plot_confidence_text(struct strbuf *b, const struct plot *p)
{
    double c = p->rec.confidence;
    if (isfinite(c) && c > 0 && c < 1)
        strbuf_printf(b, "%.4g%% confidence", 100 * c);
    else
        strbuf_printf(b, "confidence");
}

/* "TITLE; " when the scenario's own title (its name in scenario.csv)
 * differs from the name it is run under, which heads the chart; else
 * nothing. */
void plot_scenario_text(struct strbuf *b, const struct plot *p)
{
    if (p->rec.title && *p->rec.title && strcmp(p->rec.title, p->heading) != 0)
        strbuf_printf(b, "%s; ", p->rec.title);
}


/* The last component of a path, for a heading when the record has none. */
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
    enum rm_status st = results_record_load(&p.rec, dir, d);
    if (st != RM_OK)
        goto out;
    /* Every chart is headed by the name the scenario is run under (its
     * directory's, as the terminal and results/NAME say it); its title,
     * when another, opens the subtitle. */
    if (p.rec.scenario && *p.rec.scenario)
        p.heading = p.rec.scenario;
    else if (p.rec.title && *p.rec.title)
        p.heading = p.rec.title;
    else if ((base = base_name(dir)))
        p.heading = base;
    else {
        st = diag_fail(d, RM_ENOMEM, "out of memory");
        goto out;
    }
    gnuplot_init(&p.gp, dir, terminal);
    if (out_dir)
        gnuplot_output_dir(&p.gp, out_dir);
    static enum rm_status (*const draw[RESULTS_N_CHARTS])(struct plot *) = {
#define DRAW(id, name, kinds, per_metric, fn, inputs, caption) [RESULTS_CHART_##id] = fn,
        RESULTS_CHARTS(DRAW)
#undef DRAW
    };
    for (size_t i = 0; i < RESULTS_N_CHARTS && st == RM_OK; i++)
        st = draw[i](&p);
    if (st == RM_OK && required && p.gp.written == 0)
        st = diag_error(d, &(struct diag_at){dir, 0, 0},
                        "expected results to plot (" RESULTS_THROUGHPUT_CSV ", " RESULTS_TRANSIT_CSV ", "
                        RESULTS_BACKLOG_CSV ", " RESULTS_COMPARE_CSV " or " RESULTS_SWEEP_CSV "), found none");
    if (st == RM_OK)
        *drawn = p.gp.found && p.gp.drawn == p.gp.written;
out:
    results_record_fini(&p.rec);
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
