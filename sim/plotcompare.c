/* plotcompare: the charts of a comparison's folder: each proposal's
 * difference from the baseline on the headline metrics with its interval
 * and verdict, in small multiples, and the tonnes every arm delivers. */
#include "plotdraw.h"

#include "railmail/metric.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The comparison's panels: the metric table's chart headline, in its order. */
#define MAX_PANELS 16


/* The unit of a difference: a change in a percentage is in points. */
static const char *diff_unit(const struct metric *mt)
{
    return strcmp(mt->unit, "%") ? mt->unit : "percentage points";
}

/* The proposals in the record's order, then any others in the file's. */
static enum rm_status proposal_order(const struct plot *p, const struct table *t, size_t col, bool skip_baseline,
                                     char ***out, size_t *nout)
{
    size_t cap = p->rec.n_proposals + t->nrow + 1, n = 0;
    char **names = malloc(cap * sizeof *names);
    if (!names)
        return diag_fail(p->d, RM_ENOMEM, "out of memory reading %s", t->name);
    struct table_index seen = {0};
    for (size_t r = 0; r < p->rec.n_proposals + t->nrow; r++) {
        const char *s = r < p->rec.n_proposals ? p->rec.proposals[r] : table_cell(t, r - p->rec.n_proposals, col);
        size_t i;
        if (table_index_find(&seen, s, &i) || (skip_baseline && strcmp(s, RESULTS_BASELINE) == 0))
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

/* The verdicts and their colours, for `lc rgb variable`, labels and the
 * legend; anything else (higher, lower) is blue. */
static const struct { const char *verdict; unsigned colour; } verdicts[] = {
    { RESULTS_VERDICT_BETTER, 0x2ca02cu },
    { RESULTS_VERDICT_WORSE, 0xd62728u },
    { RESULTS_VERDICT_NOT_PRACTICAL, 0x6b6b6bu },
    { RESULTS_VERDICT_NONE, 0xb4b4b4u },
};
enum { N_VERDICTS = sizeof verdicts / sizeof *verdicts };
#define NEUTRAL_COLOUR 0x1f77b4u

static unsigned verdict_colour(const char *v)
{
    for (size_t i = 0; i < N_VERDICTS; i++)
        if (!strcmp(v, verdicts[i].verdict))
            return verdicts[i].colour;
    return NEUTRAL_COLOUR;
}

/* The columns of the comparison's CSV that the chart reads. */
struct compare_cols {
    size_t prop, metric, scope, diff, lo, hi, rel, verdict;
    const struct metric *panel[MAX_PANELS];  /* the headline metrics drawn */
    size_t n_panels;
    /* the proposals, and whether each is judged over scope common (the
     * pairs it shares with the baseline) rather than all */
    char **names;
    size_t nnames;
    bool *common;
};

static enum rm_status compare_columns(const struct table *t, struct compare_cols *c, struct diag *d)
{
    enum rm_status st;
    if ((st = table_col(t, RESULTS_COL_PROPOSAL, &c->prop, d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_METRIC, &c->metric, d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_SCOPE, &c->scope, d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_DIFF, &c->diff, d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_DIFF_CI_LOW, &c->lo, d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_DIFF_CI_HIGH, &c->hi, d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_REL_PCT, &c->rel, d)) != RM_OK ||
        (st = table_col(t, RESULTS_COL_VERDICT, &c->verdict, d)) != RM_OK)
        return st;
    c->n_panels = 0;
    for (size_t i = 0; i < METRIC_COUNT && c->n_panels < MAX_PANELS; i++)
        if (metric_get(i)->flags & METRIC_HEADLINE_CHART)
            c->panel[c->n_panels++] = metric_get(i);
    return RM_OK;
}

/* The position of `name` in `names`, nnames if absent. */
static size_t proposal_index(char **names, size_t nnames, const char *name)
{
    size_t i = 0;
    while (i < nnames && strcmp(names[i], name) != 0)
        i++;
    return i;
}

static const char *scope_name(unsigned kind)
{
    return metric_scope_kind(kind)->name;
}

/* Marks the proposals with rows at scope common: those are judged over it,
 * as the table and the verdicts are. */
static enum rm_status judged_scopes(const struct table *t, struct compare_cols *c, struct diag *d)
{
    if (!(c->common = calloc(c->nnames + 1, sizeof *c->common)))
        return diag_fail(d, RM_ENOMEM, "out of memory reading %s", t->name);
    for (size_t r = 0; r < t->nrow; r++)
        if (!strcmp(table_cell(t, r, c->scope), scope_name(METRIC_SCOPE_COMMON))) {
            size_t i = proposal_index(c->names, c->nnames, table_cell(t, r, c->prop));
            if (i < c->nnames)
                c->common[i] = true;
        }
    return RM_OK;
}

/* Whether a metric is measured over pairs of mail (and so has a scope
 * common), rather than over the network only (a backlog). */
static bool per_pair(const struct metric *mt)
{
    return (metric_scopes(mt) & METRIC_SCOPE_COMMON) != 0;
}

/* True when row r of the comparison's CSV is headline m at the scope its
 * proposal is judged over (all for a metric of the network only). */
static bool is_headline(const struct table *t, const struct compare_cols *c, size_t r, size_t m)
{
    if (strcmp(table_cell(t, r, c->metric), c->panel[m]->name) != 0)
        return false;
    size_t i = proposal_index(c->names, c->nnames, table_cell(t, r, c->prop));
    bool common = i < c->nnames && c->common[i] && per_pair(c->panel[m]);
    return i < c->nnames && !strcmp(table_cell(t, r, c->scope), scope_name(common ? METRIC_SCOPE_COMMON
                                                                                   : METRIC_SCOPE_ALL));
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
            *neutral |= verdict_colour(table_cell(t, r, c->verdict)) == NEUTRAL_COLOUR;
        }
    }
    return RM_OK;
}

/* The gnuplot functions every panel uses and the multiplot layout. */
static void compare_setup(struct strbuf *b, const struct plot *p, const struct compare_cols *c, size_t rows,
                          size_t cols, double left)
{
    char **names = c->names;
    size_t nnames = c->nnames;
    strbuf_printf(b, "set encoding utf8\nset datafile separator comma\nset datafile missing NaN\n");
    strbuf_printf(b, "# the row of each proposal, and the colour of each verdict\nproposal_row(s) = ");
    for (size_t i = 0; i < nnames; i++) {
        strbuf_printf(b, "s eq ");
        strbuf_quote_gnuplot(b, names[i]);
        strbuf_printf(b, " ? %zu : ", i + 1);
    }
    strbuf_printf(b, "NaN\nverdict_colour(v) = ");
    for (size_t i = 0; i < N_VERDICTS; i++)
        strbuf_printf(b, "v eq '%s' ? 0x%06x : ", verdicts[i].verdict, verdicts[i].colour);
    strbuf_printf(b, "0x%06x\n# the scope each proposal is judged over\njudged_scope(s) = ", NEUTRAL_COLOUR);
    for (size_t i = 0; i < nnames; i++) {
        if (!c->common[i])
            continue;
        strbuf_printf(b, "s eq ");
        strbuf_quote_gnuplot(b, names[i]);
        strbuf_printf(b, " ? '%s' : ", scope_name(METRIC_SCOPE_COMMON));
    }
    strbuf_printf(b, "'%s'\n# a metric of pairs (pairs 1) at that scope, one of the network (0) at all\n"
                  "headline(m, pairs) = strcol('" RESULTS_COL_METRIC "') eq m && strcol('" RESULTS_COL_SCOPE
                  "') eq (pairs ? judged_scope(strcol('" RESULTS_COL_PROPOSAL "')) : '%s')\n",
                  scope_name(METRIC_SCOPE_ALL), scope_name(METRIC_SCOPE_ALL));
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
    const char *verdict[N_VERDICTS + 1];
    unsigned colour[N_VERDICTS + 1];
    for (size_t i = 0; i < N_VERDICTS; i++)
        verdict[i] = verdicts[i].verdict, colour[i] = verdicts[i].colour;
    verdict[N_VERDICTS] = "higher or lower (neither better nor worse)";
    colour[N_VERDICTS] = NEUTRAL_COLOUR;
    size_t nv = neutral ? N_VERDICTS + 1 : N_VERDICTS;
    double width[N_VERDICTS + 1], total = 0;
    for (size_t i = 0; i < nv; i++)
        total += width[i] = (double)strlen(verdict[i]) * 7 + 45;
    double x = 600 - total / 2;
    for (size_t i = 0; i < nv; i++) {
        strbuf_printf(b, "set label %zu '%s' at screen %.4f, screen 0.875 left point pt 7 ps 1.5 "
                      "lc rgb '#%06x' offset 1.2, 0\n",
                   90 + i, verdict[i], x / 1200, colour[i]);
        x += width[i];
    }
}

/* True when gnuplot, reading the comparison's CSV itself, would get `name` back as
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
 * that gnuplot cannot read back from the CSV: x, row, interval and
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

/* "+2.18 (+4%)": the difference and, when known, its relative change, in
 * whole percent from 1 % up and to two digits below, so that "(+0%)" means
 * no change at all; "~0 (rounding)" for a difference below a billionth of
 * the baseline, which only the order of a sum's terms makes. */
static void value_text(struct strbuf *text, double diff, double rel)
{
    if (diff != 0 && fabs(rel) < 1e-9) {  /* the same sums added in another order: no change, but not exactly 0 */
        strbuf_printf(text, "~0 (rounding)");
        return;
    }
    strbuf_printf(text, fabs(diff) >= 1000 ? "%+.0f" : "%+.3g", diff);  /* 1630, not 1.63e+03 */
    if (!isfinite(rel))
        return;
    if (rel == 0)
        strbuf_printf(text, " (+0%%)");
    else if (fabs(rel) >= 0.995)
        strbuf_printf(text, " (%+.0f%%)", rel);
    else
        strbuf_printf(text, " (%+.2g%%)", rel);
}

/* The value beside each point of panel m, from the C side so units and
 * signs read well: at the point's height, on the side of its bar with
 * more room in [x0, x1], so that it crosses neither the axis's names nor
 * another row's value. */
static void compare_values(struct strbuf *b, const struct table *t, const struct compare_cols *c, size_t m,
                           char **names, size_t nnames, double x0, double x1, struct diag *d)
{
    for (size_t r = 0, id = 10; r < t->nrow; r++) {
        if (!is_headline(t, c, r, m))
            continue;
        size_t row = proposal_index(names, nnames, table_cell(t, r, c->prop));
        double diff, rel, lo, hi;
        if (row == nnames || table_num(t, r, c->diff, &diff, d) != RM_OK || !isfinite(diff))
            continue;
        if (table_num(t, r, c->rel, &rel, d) != RM_OK)
            rel = NAN;
        if (table_num(t, r, c->lo, &lo, d) != RM_OK || !isfinite(lo))
            lo = diff;
        if (table_num(t, r, c->hi, &hi, d) != RM_OK || !isfinite(hi))
            hi = diff;
        lo = fmin(lo, diff);
        hi = fmax(hi, diff);
        struct strbuf text = {0};
        value_text(&text, diff, rel);
        bool right = x1 - hi >= lo - x0;
        strbuf_printf(b, "set label %zu ", id++);
        strbuf_quote_gnuplot(b, strbuf_str(&text));
        strbuf_printf(b, " at %.10g, %zu %s offset %s, 0 tc rgb '#%06x' front\n", right ? hi : lo, row + 1,
                      right ? "left" : "right", right ? "0.8" : "-0.8", verdict_colour(table_cell(t, r, c->verdict)));
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
    compare_values(b, t, c, m, names, nnames, x0, x1, d);
    if (inline_points) {
        compare_points(b, t, c, m, names, nnames, d);
        strbuf_printf(b, "plot $points using 1:2:3:4:5 with xerrorbars lc rgb variable pt 7 ps 1.5 lw 2 notitle\n");
        return;
    }
    strbuf_printf(b, "plot '" RESULTS_COMPARE_CSV "' using (headline('%s', %d) ? column('" RESULTS_COL_DIFF "') : NaN)"
                  ":(proposal_row(strcol('" RESULTS_COL_PROPOSAL "'))):'" RESULTS_COL_DIFF_CI_LOW "':'"
                  RESULTS_COL_DIFF_CI_HIGH "':(verdict_colour(strcol('" RESULTS_COL_VERDICT "'))) "
                  "with xerrorbars lc rgb variable pt 7 ps 1.5 lw 2 notitle",
               c->panel[m]->name, per_pair(c->panel[m]));
    strbuf_printf(b, "\n");
}

/* The comparison chart: small multiples, one panel per headline metric, each showing
 * every proposal's difference from the baseline with its interval,
 * coloured by verdict. */
enum rm_status plot_chart_compare(struct plot *p)
{
    struct diag *d = p->d;
    struct table t = {0};
    struct strbuf b = {0}, sub = {0};
    struct compare_cols c;
    char **names = NULL;
    size_t nnames = 0;
    double lo[MAX_PANELS], hi[MAX_PANELS];
    bool present[MAX_PANELS], neutral, found;
    enum rm_status st = results_load(&t, p->dir, RESULTS_COMPARE_CSV, &found, d);
    if (st != RM_OK || !found)
        return st;
    c.common = NULL;
    if ((st = compare_columns(&t, &c, d)) != RM_OK ||
        (st = proposal_order(p, &t, c.prop, true, &names, &nnames)) != RM_OK)
        goto out;
    c.names = names;
    c.nnames = nnames;
    if ((st = judged_scopes(&t, &c, d)) != RM_OK ||
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
    compare_setup(&b, p, &c, rows, cols, fmin(0.3, (double)(maxlen * 8 + 40) / 1200.0));

    plot_scenario_text(&sub, p);
    strbuf_printf(&sub, "proposal minus baseline over the pairs both carry, ");
    plot_replications_text(&sub, p);
    strbuf_printf(&sub, " (common random numbers); bars: ");
    plot_confidence_text(&sub, p);
    strbuf_printf(&sub, " intervals");
    for (size_t m = 0, panel = 0; m < c.n_panels; m++) {
        if (!present[m])
            continue;
        strbuf_printf(&b, "\n# panel: ");
        strbuf_put_line(&b, c.panel[m]->name);
        strbuf_printf(&b, "\nunset label\n");
        if (panel == 0)
            compare_legend(&b, strbuf_str(&sub), neutral);
        compare_panel(&b, &t, &c, m, lo[m], hi[m], names, nnames, panel % cols == 0, inline_points, d);
        panel++;
    }
    strbuf_printf(&b, "unset multiplot\n");
    st = gnuplot_draw(&p->gp, results_chart(RESULTS_CHART_COMPARE)->name, &b, d);
out:
    table_fini(&t);
    free(names);
    free(c.common);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    return st;
}

/* One series of delivered tonnes per variant of the comparison's daily CSV: the
 * baseline first, then the record's order, then the file's. */
static enum rm_status variant_series(const struct plot *p, const struct table *t, size_t ndays,
                                     struct series **s, size_t *ns)
{
    const char **order = malloc((p->rec.n_proposals + 1) * sizeof *order);
    if (!order)
        return diag_fail(p->d, RM_ENOMEM, "out of memory reading " RESULTS_COMPARE_THROUGHPUT_CSV);
    order[0] = RESULTS_BASELINE;
    for (size_t i = 0; i < p->rec.n_proposals; i++)
        order[i + 1] = p->rec.proposals[i];
    enum rm_status st = series_split(t, RESULTS_COL_PROPOSAL, RESULTS_COL_DELIVERED_T_MEAN, ndays, order, p->rec.n_proposals + 1, s, ns,
                                    p->d);
    free(order);
    return st;
}

/* The comparison's throughput chart: 7-day averages of delivered tonnes, the baseline
 * and each proposal. */
enum rm_status plot_chart_compare_throughput(struct plot *p)
{
    struct diag *d = p->d;
    struct table t = {0};
    struct series *s = NULL;
    size_t ns = 0, ndays, cday;
    struct strbuf b = {0}, sub = {0};
    bool found;
    enum rm_status st = results_load(&t, p->dir, RESULTS_COMPARE_THROUGHPUT_CSV, &found, d);
    if (st != RM_OK || !found)
        return st;
    if ((st = table_col(&t, RESULTS_COL_DAY, &cday, d)) != RM_OK || (st = table_ndays(&t, cday, &ndays, d)) != RM_OK)
        goto out;
    if (isfinite(p->rec.horizon_d) && p->rec.horizon_d > ndays && p->rec.horizon_d < TABLE_MAX_DAYS)
        ndays = (size_t)ceil(p->rec.horizon_d);
    if ((st = variant_series(p, &t, ndays, &s, &ns)) != RM_OK)
        goto out;
    plot_find_dates(p, &t);
    /* Names the record lists but the file lacks draw no line. */
    bool any = false;
    for (size_t i = 0; i < ns; i++)
        any |= s[i].peak > 0;

    plot_scenario_text(&sub, p);
    plot_replications_text(&sub, p);
    strbuf_printf(&sub, ", centred 7-day average; every variant runs on the same random numbers");
    plot_preamble(&b, p, "mail delivered per day, baseline and proposals", strbuf_str(&sub));
    plot_day_axis(&b, p, ndays);
    strbuf_printf(&b, "set ylabel 'mail delivered (tonnes per day, 7-day average)'\n");
    strbuf_printf(&b, any ? "set yrange [0:*]\n" : "set yrange [0:1]\n");
    plot_avg7_block(&b, "$avg7", s, ns, ndays, p->dated ? &p->start_day : NULL);
    size_t items = 0;
    plot_warmup_keyentry(&b, p, &items);
    for (size_t i = 0; i < ns; i++) {
        plot_item(&b, &items);
        if (i == 0 && strcmp(s[0].name, RESULTS_BASELINE) == 0)
            strbuf_printf(&b, "$avg7 using 1:2 with lines lc rgb '#222222' lw 3 title 'baseline'");
        else {
            strbuf_printf(&b, "$avg7 using 1:%zu with lines lc rgb '%s' lw 2 title ", i + 2,
                       plot_palette[(i + PLOT_NPALETTE - 1) % PLOT_NPALETTE]);
            strbuf_quote_gnuplot(&b, s[i].name);
        }
    }
    if (!ns) {
        plot_item(&b, &items);
        strbuf_printf(&b, "NaN notitle");
    }
    strbuf_printf(&b, "\n");
    st = gnuplot_draw(&p->gp, results_chart(RESULTS_CHART_COMPARE_THROUGHPUT)->name, &b, d);
out:
    table_fini(&t);
    series_free(s, ns);
    strbuf_fini(&b);
    strbuf_fini(&sub);
    return st;
}

