/* html: the report page a director reads instead of the CSVs. It is built
 * in a strbuf from the run record (what was run), the reloaded scenario
 * (the question in words, small input tables), the result CSVs (levels,
 * differences, verdicts) and the chart catalogue's charts drawn again as
 * SVG into a scratch directory and inlined. What the page shows depends on
 * the kind of results: a table has a section per kind. Nothing on the page
 * is fetched: the CSS is inline and a Content-Security-Policy forbids every
 * network load. All text from files is escaped, since names may hold
 * markup. Everything is read through the results module. */
#include "railmail/html.h"
#include "htmlpage.h"

#include "railmail/calendar.h"
#include "railmail/compare.h"
#include "railmail/csvread.h"
#include "railmail/outdir.h"
#include "railmail/plot.h"
#include "railmail/results.h"
#include "railmail/scenario.h"
#include "railmail/strbuf.h"
#include "railmail/table.h"
#include "railmail/metric.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ARMS 65  /* the baseline and compare's at most 64 proposals */
#define MAX_SETS 259 /* cli's 256 --set and the three that -r, -d and -s stand for */
#define SHOWN_NEW_PAIRS 6  /* per proposal; the rest are in its own folder */

struct page;

/* What the page of a kind of results shows (the table, `sections`, is
 * with the page's assembly at the end). */
struct section {
    void (*subtitle)(struct page *p);              /* the line under the title */
    enum rm_status (*summary)(struct page *p);     /* what a director reads first */
    void (*question)(struct page *p);              /* what the results answer, in words */
    enum rm_status (*results[4])(struct page *p);  /* the result sections, in order */
    bool arms;  /* a comparison: the baseline and its proposals, each with its own folder */
};

/* The page being written and what it is made from. */
struct page {
    struct strbuf b;
    const char *dir;
    struct results_record rec;    /* how the results were made */
    enum results_kind kind;
    const struct section *section;  /* what the page of this kind shows */
    const struct scenario *arm[MAX_ARMS];  /* the scenario; for compare the baseline, then each proposal */
    struct scenario *owned[MAX_ARMS];      /* those loaded here, freed with the page */
    size_t n_owned;
    const char *name[MAX_ARMS];   /* the baseline's and the proposals' names (borrowed from rec) */
    size_t n_arms;
    bool forecast[MAX_ARMS];      /* compare: which proposals are forecasts ("what if"), from their folders */
    /* compare: whether each proposal is judged over the pairs it shares
     * with the baseline (scope common; each arm's summary names it
     * common:NAME) rather than over all pairs */
    bool common[MAX_ARMS];
    char conf[32];                /* the confidence level in percent, "95" */
    char unit[64];                /* unit_of's text */
    bool oom;                     /* a piece of text could not be formatted */
    const char *banner;           /* a warning above everything (report --force), or NULL */
    struct diag *d;
};

/* ---------------------------------------------------------------- text */

/* HTML text or attribute value: the five markup characters as entities,
 * control characters as spaces (a name may hold a line end). */
static void esc(struct strbuf *b, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': strbuf_put(b, "&amp;", 5); break;
        case '<': strbuf_put(b, "&lt;", 4); break;
        case '>': strbuf_put(b, "&gt;", 4); break;
        case '"': strbuf_put(b, "&quot;", 6); break;
        case '\'': strbuf_put(b, "&#39;", 5); break;
        default:
            if (c < 0x20 || c == 0x7f)
                c = ' ';
            strbuf_put(b, (const char *)&c, 1);
        }
    }
}

/* Formats, then escapes onto the page. */
static void escf(struct page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void escf(struct page *p, const char *fmt, ...)
{
    struct strbuf t = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&t, fmt, ap);
    va_end(ap);
    esc(&p->b, strbuf_str(&t));
    p->oom |= t.oom;
    strbuf_fini(&t);
}

/* A number as a planner reads it: three significant figures or so, and a
 * dash where there is none. */
static const char *num(char buf[32], double v)
{
    double a = fabs(v);
    if (isnan(v))
        snprintf(buf, 32, "–");
    else if (a >= 100 || v == nearbyint(v))  /* counts and whole settings without decimals */
        snprintf(buf, 32, "%.0f", v);
    else if (a >= 10)
        snprintf(buf, 32, "%.1f", v);
    else
        snprintf(buf, 32, "%.2f", v);
    if (!strcmp(buf, "-0"))
        snprintf(buf, 32, "0");
    return buf;
}

/* "mean [low – high]" */
static void level(struct strbuf *b, double mean, double lo, double hi)
{
    char m[32], l[32], h[32];
    strbuf_printf(b, "%s", num(m, mean));
    if (!isnan(lo) && !isnan(hi) && (lo != mean || hi != mean))
        strbuf_printf(b, " <span class=\"ci\">[%s – %s]</span>", num(l, lo), num(h, hi));
}

/* "mean ± half" for dense tables (the intervals are symmetric t intervals). */
static void pm(struct strbuf *b, double mean, double lo, double hi)
{
    char m[32], h[32];
    strbuf_printf(b, "%s", num(m, mean));
    if (!isnan(lo) && !isnan(hi) && hi > lo)
        strbuf_printf(b, " <span class=\"ci\">± %s</span>", num(h, (hi - lo) / 2));
}

/* A metric's unit as the page prints it: a cost names the scenario's
 * currency ("USD per kg"). The text lives in the page until the next call. */
static const char *unit_of(struct page *p, const struct metric *mt)
{
    return p->arm[0] ? metric_unit(mt, p->arm[0]->currency, p->unit, sizeof p->unit) : mt->unit;
}

/* ---------------------------------------------------------------- the record */

/* The scenario directory, relative names taken from the recorded working
 * directory so that `railmail report` works from anywhere. */
static void scenario_path(const struct page *p, struct strbuf *path, const char *scenario)
{
    const char *cwd = p->rec.cwd;
    if (scenario[0] != '/' && cwd && *cwd)
        strbuf_printf(path, "%s/", cwd);
    strbuf_printf(path, "%s", scenario);
}

/* Loads the scenario (and for compare each proposal) as the run did. */
static enum rm_status load_arms(struct page *p)
{
    const char *scenario = p->rec.scenario_dir, *proposals[MAX_ARMS - 1];
    if (!scenario)
        return diag_error(p->d, &(struct diag_at){RESULTS_RUN_JSON, 0, 0}, "expected a \"scenario\" entry, found none");
    size_t n_sets = p->rec.n_sets < MAX_SETS ? p->rec.n_sets : MAX_SETS, n_prop = 0;
    if (p->section->arms)
        for (; n_prop < p->rec.n_proposals && n_prop < MAX_ARMS - 1; n_prop++)
            proposals[n_prop] = p->rec.proposals[n_prop];
    else if (p->rec.proposal)  /* a sweep of one proposal */
        proposals[n_prop++] = p->rec.proposal;
    struct strbuf base = {0};
    scenario_path(p, &base, scenario);
    struct diag *mine = diag_create();
    enum rm_status st = base.oom || !mine ? RM_ENOMEM : RM_OK;
    bool sweep_overlay = !p->section->arms;
    for (size_t i = 0; i <= n_prop && st == RM_OK; i++) {
        if (sweep_overlay && n_prop && i == 0)
            continue;  /* a swept proposal: its scenario only */
        struct strbuf overlay = {0};
        if (i > 0)
            strbuf_printf(&overlay, "%s/proposals/%s", base.s, proposals[i - 1]);
        bool what_if = i > 0 && p->rec.what_if_name && !strcmp(proposals[i - 1], p->rec.what_if_name);
        st = scenario_load_adding(base.s, i && !what_if ? strbuf_str(&overlay) : NULL,
                                  what_if ? p->rec.what_if : NULL, what_if ? p->rec.n_what_if : 0, p->rec.sets,
                                  n_sets, &p->owned[p->n_owned], mine);
        strbuf_fini(&overlay);
        if (st == RM_OK) {
            p->arm[p->n_arms] = p->owned[p->n_owned++];
            p->name[p->n_arms++] = i ? proposals[i - 1] : RESULTS_BASELINE;
        }
    }
    if (st == RM_ENOMEM)
        diag_fail(p->d, RM_ENOMEM, "out of memory");
    else if (st != RM_OK)
        diag_error(p->d, NULL, "report: the scenario of this run no longer loads: %s",
                   diag_count(mine) ? diag_message(mine, 0) : "unknown error");
    diag_destroy(mine);
    strbuf_fini(&base);
    return st;
}

/* Which proposals are forecasts, as each one's folder recorded it when it
 * ran (not as its scenario says now). A message names the folder, since
 * every proposal's file has the same name. */
static enum rm_status load_kinds(struct page *p)
{
    enum rm_status st = RM_OK;
    struct diag *mine = diag_create();
    if (!mine)
        return diag_fail(p->d, RM_ENOMEM, "out of memory");
    for (size_t a = 1; a < p->n_arms && st == RM_OK; a++) {
        struct strbuf dir = {0};
        strbuf_printf(&dir, "%s/%s", p->dir, p->name[a]);
        struct results_record r;
        if (dir.oom) {
            st = diag_fail(p->d, RM_ENOMEM, "out of memory");
        } else {
            st = results_record_load(&r, dir.s, mine);
            p->forecast[a] = st == RM_OK && r.forecast;
            results_record_fini(&r);  /* a failed load too */
            if (st == RM_ENOMEM)
                diag_fail(p->d, st, "out of memory");
            else if (st != RM_OK)
                diag_error(p->d, NULL, "%s/%s", dir.s, diag_count(mine) ? diag_message(mine, 0) : "unreadable");
        }
        strbuf_fini(&dir);
    }
    diag_destroy(mine);
    return st;
}

/* ---------------------------------------------------------------- tables */

/* A result CSV with the summary's columns (metric, scope, mean, ci_low,
 * ci_high), or the comparison's, looked up by metric and scope. */
struct csv {
    struct table t;
    bool found;
    size_t metric, scope, mean, lo, hi;
};

/* Loads sub/name (sub may be NULL), only the rows whose scope is `scope`
 * when that is not NULL. */
static enum rm_status csv_load_scope(struct page *p, struct csv *c, const char *sub, const char *name,
                                     const char *scope)
{
    struct strbuf dir = {0};
    strbuf_printf(&dir, "%s%s%s", p->dir, sub ? "/" : "", sub ? sub : "");
    *c = (struct csv){0};
    enum rm_status st = dir.oom ? diag_fail(p->d, RM_ENOMEM, "out of memory")
                                : results_load_where(&c->t, dir.s, name, scope ? RESULTS_COL_SCOPE : NULL, scope,
                                                     &c->found, p->d);
    strbuf_fini(&dir);
    if (st != RM_OK || !c->found)
        return st;
    if (!table_find(&c->t, RESULTS_COL_METRIC, &c->metric) || !table_find(&c->t, RESULTS_COL_SCOPE, &c->scope))
        c->metric = c->scope = SIZE_MAX;
    if (!table_find(&c->t, RESULTS_COL_MEAN, &c->mean))
        c->mean = SIZE_MAX;
    if (!table_find(&c->t, RESULTS_COL_CI_LOW, &c->lo) || !table_find(&c->t, RESULTS_COL_CI_HIGH, &c->hi))
        c->lo = c->hi = SIZE_MAX;
    return RM_OK;
}

static enum rm_status csv_load(struct page *p, struct csv *c, const char *sub, const char *name)
{
    return csv_load_scope(p, c, sub, name, NULL);
}

static void csv_fini(struct csv *c)
{
    if (c->found)
        table_fini(&c->t);
}

static double cell_num(const struct table *t, size_t r, size_t col)
{
    return table_value(t, r, col);
}

/* The row of (metric, scope) whose column `col` equals `value` (any when
 * col is SIZE_MAX); SIZE_MAX when there is none. */
static size_t csv_row(const struct csv *c, const char *metric, const char *scope, size_t col, const char *value)
{
    if (!c->found || c->metric == SIZE_MAX)
        return SIZE_MAX;
    for (size_t r = 0; r < c->t.nrow; r++)
        if (!strcmp(table_cell(&c->t, r, c->metric), metric) && !strcmp(table_cell(&c->t, r, c->scope), scope) &&
            (col == SIZE_MAX || !strcmp(table_cell(&c->t, r, col), value)))
            return r;
    return SIZE_MAX;
}

/* ---------------------------------------------------------------- sections */

static const char css[] =
    "@page{size:A4;margin:14mm 12mm}"
    "body{font:10.5pt/1.45 'DejaVu Sans',Arial,sans-serif;color:#1a1a1a;max-width:60em;margin:1.5em auto;padding:0 1em}"
    "h1{font-size:17pt;margin:0 0 .2em}h2{font-size:13pt;margin:1.6em 0 .4em;border-bottom:1px solid #bbb;"
    "break-after:avoid}h3{font-size:11pt;margin:1.2em 0 .3em;break-after:avoid}"
    ".sub{color:#555;margin:0 0 1em}p{margin:.4em 0}"
    "table{border-collapse:collapse;margin:.4em 0 1em;font-size:9pt;break-inside:avoid}"
    "th,td{border-bottom:1px solid #ddd;padding:.15em .5em;text-align:left;vertical-align:top}"
    "th{background:#f0f0f0}td.n,th.n{text-align:right}td.n,td.key{white-space:nowrap}"
    ".ci{color:#666;font-size:85%}.better{color:#1b7a2f;font-weight:bold}.worse{color:#b3261e;font-weight:bold}"
    ".neutral{color:#555}.note{color:#444;font-size:9.5pt}.flag{background:#fdecea;padding:.3em .6em;"
    "border-left:3px solid #b3261e;margin:.4em 0}.hash{font-family:'DejaVu Sans Mono',monospace;font-size:8pt;"
    "word-break:break-all}"
    "figure{margin:1em 0;break-inside:avoid}figure svg{width:100%;height:auto;max-width:100%;display:block}"
    "figcaption{font-size:9.5pt;color:#333;margin-top:.2em}"
    ".summary{background:#f3f6f9;border-left:4px solid #2c5d8a;padding:.2em 1em .6em;margin:1em 0;"
    "break-inside:avoid}.summary h2{border:0;margin-top:.6em}.summary ul{margin:.4em 0;padding-left:1.2em}"
    ".summary li{margin:.25em 0}dl.words dt{font-weight:bold;margin-top:.4em}dl.words dd{margin:0 0 0 1.5em}"
    "@media print{body{margin:0;max-width:none;padding:0}h2{break-before:auto}}";

static void head(struct page *p)
{
    struct strbuf *b = &p->b;
    const struct scenario *s = p->arm[0];
    const char *title = s->name && *s->name ? s->name : scenario_basename(s);
    strbuf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                     "style-src 'unsafe-inline'; img-src data:\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    escf(p, "railmail report: %s", title);
    strbuf_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css);
    esc(b, title);
    strbuf_printf(b, "</h1>\n<p class=\"sub\">");
    p->section->subtitle(p);
    char n[32], h[32], date[11];
    calendar_format(s->start_day, date);
    if (p->kind != RESULTS_CALIBRATE)  /* a calibration's window is the events' */
        escf(p, " · %s replications of %s days from %s", num(n, p->rec.replications), num(h, s->horizon_d), date);
    strbuf_printf(b, "</p>\n");
    if (p->banner) {
        strbuf_printf(b, "<p class=\"flag\">");
        esc(b, p->banner);
        strbuf_printf(b, "</p>\n");
    }
}

/* A proposal's description can run to pages of sources and reasoning:
 * the page shows its first sentence, without a leading "NAME: ". */
static void first_sentence(struct strbuf *b, const char *name, const char *text)
{
    size_t n = strlen(name);
    if (!text)
        return;
    if (!strncmp(text, name, n) && text[n] == ':')
        text += n + 1 + (text[n + 1] == ' ');
    const char *end = text;  /* a full stop before white space (a paragraph break is a line end) */
    while ((end = strchr(end, '.')) && end[1] && !strchr(" \t\r\n", end[1]))
        end++;
    if (end && !end[1])
        end = NULL;
    struct strbuf t = {0};
    strbuf_put(&t, text, end ? (size_t)(end - text) + 1 : strlen(text));
    esc(b, strbuf_str(&t));
    strbuf_fini(&t);
}

/* The line under the title, for each kind. */
static void run_subtitle(struct page *p)
{
    esc(&p->b, "Simulation run");
}

static void compare_subtitle(struct page *p)
{
    size_t forecasts = 0;
    for (size_t a = 1; a < p->n_arms; a++)
        forecasts += p->forecast[a];
    size_t options = p->n_arms - 1 - forecasts;
    escf(p, "Comparison of %zu option%s", options, options == 1 ? "" : "s");
    if (forecasts)
        escf(p, " and %zu forecast%s", forecasts, forecasts == 1 ? "" : "s");
    esc(&p->b, " with today's service (the baseline)");
}

static void sweep_subtitle(struct page *p)
{
    if (!html_optimise_subtitle(p))
        esc(&p->b, "Sweep: the same scenario at several settings");
}

/* The question each kind answers, in words. */
static void run_question(struct page *p)
{
    esc(&p->b, "How long does mail take from its origin in China to the destination post in Europe, how much of "
               "it arrives within the service standard, and where does it wait, under this scenario?");
}

static void compare_question(struct page *p)
{
    esc(&p->b, "If the rail service changed as each option below says, would mail from China reach Europe "
               "sooner and more reliably than under today's service (the baseline), and at what cost?");
    for (size_t a = 1; a < p->n_arms; a++)
        if (p->forecast[a]) {  /* once */
            esc(&p->b, " And what if the world changed as each forecast says?");
            break;
        }
}

static void sweep_question(struct page *p)
{
    struct strbuf *b = &p->b;
    if (html_optimise_question(p))
        return;
    size_t n = p->rec.n_vary < 8 ? p->rec.n_vary : 8;
    esc(b, "How do transit time and reliability change as ");
    for (size_t i = 0; i < n; i++) {  /* KEY=VALUES */
        const char *vary = p->rec.vary[i], *eq = strchr(vary, '=');
        struct strbuf key = {0};
        strbuf_put(&key, vary, eq ? (size_t)(eq - vary) : strlen(vary));
        strbuf_printf(b, "%s<code>", i ? " and " : "");
        esc(b, strbuf_str(&key));
        strbuf_printf(b, "</code>");
        if (eq)
            escf(p, " takes the values %s", eq + 1);
        strbuf_fini(&key);
    }
    if (p->rec.target) {
        esc(b, ", and what is the least value that meets the target ");
        strbuf_printf(b, "<code>");
        esc(b, p->rec.target);
        strbuf_printf(b, "</code>");
    }
    esc(b, "?");
}

/* The question the results answer, in words, and how the numbers were made. */
static void question(struct page *p)
{
    struct strbuf *b = &p->b;
    const struct scenario *s = p->arm[0];
    char h[32], w[32], st[32], c[32], sd[32], ro[32];
    strbuf_printf(b, "<h2>The question</h2>\n<p>");
    p->section->question(p);
    strbuf_printf(b, "</p>\n<p>");
    esc(b, s->description && *s->description ? s->description : "(the scenario has no description)");
    strbuf_printf(b, "</p>\n<p class=\"note\">");
    if (p->kind == RESULTS_CALIBRATE)
        esc(b, "The scenario was simulated over the window the events cover, as many times as it says, and its "
               "transit times set against the observed ones, one observation per train. ");
    else
        escf(p, "Each result is the mean of %s independent replications of %s simulated days (the first %s days are "
                "a warm-up and not counted), with its %s%% confidence interval in brackets. A batch is on time when "
                "it is delivered within %s days of posting. ",
             num(c, p->rec.replications), num(h, s->horizon_d), num(w, s->warmup_d), num(st, 100 * s->confidence),
             num(sd, s->service_standard_d));
    if (p->kind != RESULTS_CALIBRATE)
        escf(p, "Posting stops at the end of the simulated days and the mail posted is followed until it is "
                "delivered, for at most %s days more; mail still on the way then counts as late. ",
             num(ro, s->runout_d));
    esc(b, "\"Delivered\" here means that the batch (a receptacle dispatched to one destination office) has "
           "reached the destination country's inward office of exchange (EMD scan), not the addressee: national "
           "delivery comes after and is not modelled.");
    strbuf_printf(b, "</p>\n");
    if (p->section->arms) {
        strbuf_printf(b, "<h3>The proposals</h3>\n<table><tr><th>proposal</th><th>what it changes</th></tr>\n");
        for (size_t i = 1; i < p->n_arms; i++) {
            strbuf_printf(b, "<tr><td>");
            esc(b, p->name[i]);
            strbuf_printf(b, "</td><td>%s", p->forecast[i] ? "<b>forecast, what if:</b> " : "");
            first_sentence(b, p->name[i], p->arm[i]->description);
            strbuf_printf(b, "</td></tr>\n");
        }
        strbuf_printf(b, "</table>\n<p class=\"note\">The first sentence of each proposal's description; the "
                         "full text is in its description.txt.</p>\n");
    }
}

/* Services and frequencies, nodes with servers, demand by origin. */
static void inputs(struct page *p)
{
    struct strbuf *b = &p->b;
    const struct scenario *s = p->arm[0];
    char v[32];
    strbuf_printf(b, "<h2>The scenario's inputs</h2>\n");
    if (p->n_arms > 1)
        strbuf_printf(b, "<p class=\"note\">The baseline's; each proposal changes some of these rows.</p>\n");
    strbuf_printf(b, "<h3>Services</h3>\n<table><tr><th>service</th><th>route</th><th class=\"n\">departures "
                     "per week</th><th class=\"n\">capacity, t</th></tr>\n");
    for (size_t i = 0; i < s->n_services; i++) {
        const struct scenario_service *sv = &s->services[i];
        strbuf_printf(b, "<tr><td>");
        esc(b, sv->id);
        strbuf_printf(b, "</td><td>");
        for (size_t k = 0; k < sv->route_len; k++) {
            if (k)
                strbuf_printf(b, " → ");
            esc(b, s->nodes[sv->route[k]].id);
        }
        /* a weekday timetable gives the week's departures by count */
        strbuf_printf(b, "</td><td class=\"n\">%s</td><td class=\"n\">",
                      num(v, sv->n_week ? sv->n_week : sv->departures_per_week));
        strbuf_printf(b, "%s</td></tr>\n", sv->carries_mail ? num(v, sv->capacity_t) : "other freight, no mail");
    }
    strbuf_printf(b, "</table>\n<h3>Nodes</h3>\n<table><tr><th>node</th><th>name</th><th>country</th><th>kind</th>"
                     "<th class=\"n\">servers (trains at once)</th><th>tracking scan</th></tr>\n");
    static const char *const kinds[] = {"origin", "border", "hub", "destination"};
    for (size_t i = 0; i < s->n_nodes; i++) {
        const struct scenario_node *n = &s->nodes[i];
        strbuf_printf(b, "<tr><td>");
        esc(b, n->id);
        strbuf_printf(b, "</td><td>");
        esc(b, n->name);
        strbuf_printf(b, "</td><td>");
        esc(b, n->country);
        strbuf_printf(b, "</td><td>%s</td><td class=\"n\">", (size_t)n->kind < 4 ? kinds[n->kind] : "");
        if (n->servers)
            strbuf_printf(b, "%u", n->servers);
        else
            strbuf_printf(b, "no limit");
        strbuf_printf(b, "</td><td>%s</td></tr>\n", n->scan ? "yes" : "no");
    }
    strbuf_printf(b, "</table>\n<h3>Demand by origin</h3>\n<table><tr><th>origin</th><th class=\"n\">destinations"
                     "</th><th class=\"n\">batches per day</th></tr>\n");
    for (size_t o = 0; o < s->n_nodes; o++) {
        size_t dests = 0;
        double rate = 0;
        for (size_t k = 0; k < s->n_demand; k++)
            if (s->demand[k].origin == o)
                dests++, rate += s->demand[k].batches_per_day;
        if (!dests)
            continue;
        strbuf_printf(b, "<tr><td>");
        escf(p, "%s (%s)", s->nodes[o].name, s->nodes[o].id);
        strbuf_printf(b, "</td><td class=\"n\">%zu</td><td class=\"n\">%s</td></tr>\n", dests, num(v, rate));
    }
    strbuf_printf(b, "</table>\n");
}

/* The metrics of the headline table (run's printed order). */
static size_t headline_metrics(const struct metric **out, size_t max)
{
    size_t n = 0;
    const struct metric *posted = metric_get(METRIC_POSTED), *mt;
    if (!posted->run_rank && max)  /* what "of those" in the next row refers to */
        out[n++] = posted;
    for (unsigned rank = 1; n < max && (mt = metric_ranked(rank)); rank++)
        out[n++] = mt;
    return n;
}

static void metric_cell(struct page *p, const struct metric *mt)
{
    struct strbuf *b = &p->b;
    strbuf_printf(b, "<td>");
    esc(b, mt->label);
    strbuf_printf(b, " <span class=\"ci\">(");
    esc(b, unit_of(p, mt));
    strbuf_printf(b, ")</span></td>");
}

/* Headline levels of a run or sweep point, from its summary. */
static enum rm_status levels_run(struct page *p)
{
    struct csv c;
    enum rm_status st = csv_load_scope(p, &c, NULL, RESULTS_SUMMARY_CSV, "all");  /* the rest is per od, node... */
    if (st != RM_OK || !c.found)
        return st;
    struct strbuf *b = &p->b;
    const struct metric *mt[64];
    size_t n = headline_metrics(mt, 64);
    strbuf_printf(b, "<h2>Results for the whole network</h2>\n<table><tr><th>measure</th><th class=\"n\">mean "
                     "[confidence interval]</th><th>what it is</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        size_t r = csv_row(&c, mt[i]->name, "all", SIZE_MAX, NULL);
        if (r == SIZE_MAX || isnan(cell_num(&c.t, r, c.mean)))
            continue;
        strbuf_printf(b, "<tr>");
        metric_cell(p, mt[i]);
        strbuf_printf(b, "<td class=\"n\">");
        level(b, cell_num(&c.t, r, c.mean), cell_num(&c.t, r, c.lo), cell_num(&c.t, r, c.hi));
        strbuf_printf(b, "</td><td class=\"note\">");
        esc(b, mt[i]->description);
        strbuf_printf(b, "</td></tr>\n");
    }
    strbuf_printf(b, "</table>\n");
    csv_fini(&c);
    return RM_OK;
}

/* On time and transit per origin and destination. */
static enum rm_status pairs_table(struct page *p)
{
    struct table t;
    bool found;
    enum rm_status st = results_load(&t, p->dir, RESULTS_PAIRS_CSV, &found, p->d);
    if (st != RM_OK || !found)
        return st;
    /* the columns read: three, then a metric's mean or bound each */
    static const struct { enum metric_id id; const char *suffix; } of[7] = {
        {METRIC_ON_TIME, ""}, {METRIC_ON_TIME, RESULTS_CI_LOW_SUFFIX}, {METRIC_ON_TIME, RESULTS_CI_HIGH_SUFFIX},
        {METRIC_TRANSIT_P50, ""}, {METRIC_TRANSIT_P95, ""}, {METRIC_TRANSIT_P95, RESULTS_CI_LOW_SUFFIX},
        {METRIC_TRANSIT_P95, RESULTS_CI_HIGH_SUFFIX}};
    char cols[10][64] = {RESULTS_COL_ORIGIN, RESULTS_COL_DESTINATION, RESULTS_COL_POSTED};
    for (size_t i = 0; i < 7; i++)
        snprintf(cols[3 + i], sizeof cols[3 + i], "%s%s", metric_name(of[i].id), of[i].suffix);
    size_t col[10];
    for (size_t i = 0; i < 10; i++)
        if (!table_find(&t, cols[i], &col[i]))
            col[i] = SIZE_MAX;
    struct strbuf *b = &p->b;
    char v[32];
    strbuf_printf(b, "<h2>Results per origin and destination</h2>\n<table><tr><th>origin</th><th>destination</th>"
                     "<th class=\"n\">batches posted</th><th class=\"n\">on time, %%</th><th class=\"n\">median "
                     "transit, days</th><th class=\"n\">95th percentile transit, days</th></tr>\n");
    for (size_t r = 0; r < t.nrow; r++) {
        strbuf_printf(b, "<tr><td>");
        esc(b, col[0] != SIZE_MAX ? table_cell(&t, r, col[0]) : "");
        strbuf_printf(b, "</td><td>");
        esc(b, col[1] != SIZE_MAX ? table_cell(&t, r, col[1]) : "");
        strbuf_printf(b, "</td><td class=\"n\">%s</td><td class=\"n\">", num(v, cell_num(&t, r, col[2])));
        pm(b, cell_num(&t, r, col[3]), cell_num(&t, r, col[4]), cell_num(&t, r, col[5]));
        strbuf_printf(b, "</td><td class=\"n\">%s</td><td class=\"n\">", num(v, cell_num(&t, r, col[6])));
        pm(b, cell_num(&t, r, col[7]), cell_num(&t, r, col[8]), cell_num(&t, r, col[9]));
        strbuf_printf(b, "</td></tr>\n");
    }
    strbuf_printf(b, "</table>\n<p class=\"note\">± half the confidence interval.</p>\n");
    table_fini(&t);
    return RM_OK;
}

/* The rows of months_table: for each row of metrics[0] at scope all (a
 * month), that row, then for each of the n metrics the first row at scope
 * all of the same month, or SIZE_MAX; n + 1 entries a month (malloc'd, NULL
 * without memory). As csv_row for each cell, but in one pass over the file
 * instead of one per cell: the monthly CSV has thousands of rows a month. */
static size_t *month_cells(const struct csv *c, size_t cm, const char *const *metrics, size_t n, size_t *n_months)
{
    const struct table *t = &c->t;
    size_t count = 0;
    for (size_t r = 0; r < t->nrow; r++)
        count += !strcmp(table_cell(t, r, c->scope), "all") && !strcmp(table_cell(t, r, c->metric), metrics[0]);
    size_t *cells = malloc((count ? count : 1) * (n + 1) * sizeof *cells), m = 0;
    if (!cells)
        return NULL;
    for (size_t r = 0; r < t->nrow; r++) {
        if (strcmp(table_cell(t, r, c->scope), "all"))
            continue;
        const char *metric = table_cell(t, r, c->metric);
        if (!strcmp(metric, metrics[0])) {
            cells[m * (n + 1)] = r;
            for (size_t j = 0; j < n; j++)
                cells[m * (n + 1) + 1 + j] = SIZE_MAX;
            m++;
        }
    }
    for (size_t r = 0; r < t->nrow; r++) {  /* the first row of each cell */
        if (strcmp(table_cell(t, r, c->scope), "all"))
            continue;
        const char *metric = table_cell(t, r, c->metric), *month = table_cell(t, r, cm);
        for (size_t j = 0; j < n; j++)
            if (!strcmp(metric, metrics[j]))
                for (size_t i = 0; i < m; i++)
                    if (cells[i * (n + 1) + 1 + j] == SIZE_MAX && !strcmp(table_cell(t, cells[i * (n + 1)], cm), month))
                        cells[i * (n + 1) + 1 + j] = r;
    }
    *n_months = m;
    return cells;
}

/* The network's batches by month of posting. */
static enum rm_status months_table(struct page *p)
{
    struct csv c;
    enum rm_status st = csv_load_scope(p, &c, NULL, RESULTS_MONTHLY_CSV, "all");
    size_t cm;
    if (st != RM_OK || !c.found || !table_find(&c.t, RESULTS_COL_MONTH, &cm) || c.metric == SIZE_MAX) {
        csv_fini(&c);
        return st;
    }
    enum { N = 4 };  /* metrics */
    static const enum metric_id shown[N] = {METRIC_POSTED, METRIC_ON_TIME, METRIC_TRANSIT_MEAN, METRIC_TRANSIT_P95};
    const char *metrics[N];
    struct strbuf *b = &p->b;
    strbuf_printf(b, "<h2>Results by month of posting</h2>\n<table><tr><th>month</th>");
    for (size_t j = 0; j < N; j++) {
        const struct metric *mt = metric_get(shown[j]);
        metrics[j] = mt->name;
        strbuf_printf(b, "<th class=\"n\">");
        escf(p, "%s, %s", mt->label, unit_of(p, mt));
        strbuf_printf(b, "</th>");
    }
    strbuf_printf(b, "</tr>\n");
    size_t n_months = 0, *cells = month_cells(&c, cm, metrics, N, &n_months);
    if (!cells)
        p->oom = true;
    for (size_t i = 0; cells && i < n_months; i++) {
        strbuf_printf(b, "<tr><td class=\"key\">");
        esc(b, table_cell(&c.t, cells[(N + 1) * i], cm));
        strbuf_printf(b, "</td>");
        for (size_t j = 0; j < N; j++) {
            size_t k = cells[(N + 1) * i + 1 + j];
            strbuf_printf(b, "<td class=\"n\">");
            if (k != SIZE_MAX)
                pm(b, cell_num(&c.t, k, c.mean), cell_num(&c.t, k, c.lo), cell_num(&c.t, k, c.hi));
            strbuf_printf(b, "</td>");
        }
        strbuf_printf(b, "</tr>\n");
    }
    free(cells);
    strbuf_printf(b, "</table>\n<p class=\"note\">Batches by the month they were posted; ± half the confidence "
                     "interval. Mail posted near the end is followed until it is delivered, so the last months count like the "
                     "others.</p>\n");
    csv_fini(&c);
    return RM_OK;
}

/* ---------------------------------------------------------------- compare */

/* The verdict as a coloured word. */
static void verdict(struct strbuf *b, const char *v)
{
    const char *cls = !strcmp(v, RESULTS_VERDICT_BETTER) ? "better" : !strcmp(v, RESULTS_VERDICT_WORSE) ? "worse"
                                                                                                    : "neutral";
    strbuf_printf(b, "<span class=\"%s\">", cls);
    esc(b, v);
    strbuf_printf(b, "</span>");
}

/* A table's header row: the first column's name, then one per arm, with `mark` a
 * proposal judged over the pairs it shares with the baseline marked *. */
static void arms_header(struct page *p, const char *first, bool mark)
{
    struct strbuf *b = &p->b;
    strbuf_printf(b, "<tr><th>%s</th>", first);
    for (size_t a = 0; a < p->n_arms; a++) {
        strbuf_printf(b, "<th class=\"n\">");
        esc(b, p->name[a]);
        strbuf_printf(b, "%s</th>", mark && p->common[a] ? "*" : "");
    }
    strbuf_printf(b, "</tr>\n");
}

/* The row of metric mt in arm a's summary at `scope`; SIZE_MAX if none. */
static size_t level_row(const struct csv *arm, const struct metric *mt, const char *scope)
{
    return csv_row(arm, mt->name, scope, SIZE_MAX, NULL);
}

/* Each arm's headline levels side by side, from each arm's summary at the
 * scope its verdicts use: all pairs, or for a proposal that does not carry
 * the baseline's pairs the pairs the two share (common:NAME in both
 * summaries), with the baseline's level over those same pairs beneath, so
 * that no cell is set beside another over other pairs. */
static enum rm_status compare_levels(struct page *p)
{
    struct csv arm[MAX_ARMS];
    enum rm_status st = RM_OK;
    size_t loaded = 0;
    for (; loaded < p->n_arms && st == RM_OK; loaded++)
        st = csv_load(p, &arm[loaded], p->name[loaded], RESULTS_SUMMARY_CSV);
    struct strbuf *b = &p->b;
    const struct metric *mt[64];
    size_t n = headline_metrics(mt, 64);
    bool any_common = false;
    for (size_t a = 1; a < p->n_arms; a++)
        any_common |= p->common[a];
    const char *all = metric_scope_kind(METRIC_SCOPE_ALL)->name;
    if (st == RM_OK) {
        strbuf_printf(b, "<h2>Levels: baseline and proposals</h2>\n");
        strbuf_printf(b, "<p class=\"note\">Each proposal over the pairs it shares with the baseline%s</p>\n",
                      any_common ? ": a proposal marked * does not carry the same origin–destination pairs as the "
                                   "baseline, so its column covers only the pairs the two share, with the baseline's "
                                   "level over those same pairs beneath (mail on a new pair cannot make it look "
                                   "better; new pairs are shown apart). Measures of the whole network (backlog, "
                                   "utilisation, cost per tonne) have no value over a part of the pairs (–)."
                                 : " (here every proposal carries the baseline's pairs: all pairs).");
        strbuf_printf(b, "<table>");
        arms_header(p, "measure", true);
        for (size_t i = 0; i < n; i++) {
            bool any = false;  /* e.g. cost per tonne, when no service has a cost */
            for (size_t a = 0; a < p->n_arms; a++) {
                size_t r = level_row(&arm[a], mt[i], all);
                any |= r != SIZE_MAX && !isnan(cell_num(&arm[a].t, r, arm[a].mean));
            }
            if (!any)
                continue;
            strbuf_printf(b, "<tr>");
            metric_cell(p, mt[i]);
            for (size_t a = 0; a < p->n_arms; a++) {
                struct strbuf scope = {0};
                if (p->common[a])
                    strbuf_printf(&scope, "%s%s", metric_scope_kind(METRIC_SCOPE_COMMON)->prefix, p->name[a]);
                else
                    strbuf_printf(&scope, "%s", all);
                size_t r = level_row(&arm[a], mt[i], strbuf_str(&scope));
                strbuf_printf(b, "<td class=\"n\">");
                if (r != SIZE_MAX)
                    pm(b, cell_num(&arm[a].t, r, arm[a].mean), cell_num(&arm[a].t, r, arm[a].lo),
                       cell_num(&arm[a].t, r, arm[a].hi));
                else
                    strbuf_printf(b, "–");
                size_t rb = p->common[a] ? level_row(&arm[0], mt[i], strbuf_str(&scope)) : SIZE_MAX;
                if (rb != SIZE_MAX) {
                    char v[32];
                    strbuf_printf(b, "<br><span class=\"ci\">baseline %s</span>", num(v, cell_num(&arm[0].t, rb,
                                                                                           arm[0].mean)));
                }
                strbuf_printf(b, "</td>");
                strbuf_fini(&scope);
            }
            strbuf_printf(b, "</tr>\n");
        }
        strbuf_printf(b, "</table>\n<p class=\"note\">Mean ± half the confidence interval of each.</p>\n");
    }
    for (size_t a = 0; a < loaded; a++)
        csv_fini(&arm[a]);
    return st;
}

/* The pairs `arm` carries, "ORIGIN-DEST" in the order of its folder's pairs. */
struct pairs {
    struct table t;
    bool found;
    size_t origin, dest, posted, on_time, p95;
    size_t cost, co2;  /* per kg; SIZE_MAX in results without them */
};

static enum rm_status pairs_load(struct page *p, struct pairs *x, const char *arm)
{
    struct strbuf dir = {0};
    strbuf_printf(&dir, "%s/%s", p->dir, arm);
    *x = (struct pairs){0};
    enum rm_status st = dir.oom ? diag_fail(p->d, RM_ENOMEM, "out of memory")
                                : results_load(&x->t, dir.s, RESULTS_PAIRS_CSV, &x->found, p->d);
    strbuf_fini(&dir);
    if (st == RM_OK && x->found &&
        (!table_find(&x->t, RESULTS_COL_ORIGIN, &x->origin) || !table_find(&x->t, RESULTS_COL_DESTINATION, &x->dest) ||
         !table_find(&x->t, RESULTS_COL_POSTED, &x->posted) || !table_find(&x->t, metric_name(METRIC_ON_TIME), &x->on_time) ||
         !table_find(&x->t, metric_name(METRIC_TRANSIT_P95), &x->p95))) {
        table_fini(&x->t);
        x->found = false;
    }
    if (x->found && !table_find(&x->t, metric_name(METRIC_COST_PER_KG), &x->cost))
        x->cost = SIZE_MAX;
    if (x->found && !table_find(&x->t, metric_name(METRIC_CO2_PER_KG), &x->co2))
        x->co2 = SIZE_MAX;
    return st;
}

static void pairs_fini(struct pairs *x)
{
    if (x->found)
        table_fini(&x->t);
}

static size_t pairs_find(const struct pairs *x, const char *origin, const char *dest)
{
    for (size_t r = 0; x->found && r < x->t.nrow; r++)
        if (!strcmp(table_cell(&x->t, r, x->origin), origin) && !strcmp(table_cell(&x->t, r, x->dest), dest))
            return r;
    return SIZE_MAX;
}

/* Differences with verdicts, per proposal; then the existing pairs each
 * makes worse and the pairs it adds. */
static enum rm_status compare_diffs(struct page *p)
{
    struct csv c;
    enum rm_status st = csv_load(p, &c, NULL, RESULTS_COMPARE_CSV);
    size_t cp, cdiff, clo, chi, cv, cb, cpm, crel;
    if (st != RM_OK || !c.found)
        return st;
    if (!table_find(&c.t, RESULTS_COL_REL_PCT, &crel))
        crel = SIZE_MAX;
    if (!table_find(&c.t, RESULTS_COL_PROPOSAL, &cp) || !table_find(&c.t, RESULTS_COL_DIFF, &cdiff) ||
        !table_find(&c.t, RESULTS_COL_DIFF_CI_LOW, &clo) || !table_find(&c.t, RESULTS_COL_DIFF_CI_HIGH, &chi) ||
        !table_find(&c.t, RESULTS_COL_VERDICT, &cv) || !table_find(&c.t, RESULTS_COL_BASELINE_MEAN, &cb) ||
        !table_find(&c.t, RESULTS_COL_PROPOSAL_MEAN, &cpm) || c.metric == SIZE_MAX) {
        csv_fini(&c);
        return diag_error(p->d, &(struct diag_at){c.t.name, 1, 0}, "expected a comparison's columns");
    }
    struct strbuf *b = &p->b;
    const struct metric *mt[16];
    size_t n = 0;
    for (size_t i = 0; i < METRIC_COUNT && n < 16; i++)
        /* a column only for what the scenario measures (no cost without prices) */
        if ((metric_get(i)->flags & METRIC_HEADLINE_TABLE) && csv_row(&c, metric_get(i)->name, "all", SIZE_MAX, NULL)
                                                                 != SIZE_MAX)
            mt[n++] = metric_get(i);
    strbuf_printf(b, "<h2>Differences and verdicts</h2>\n<p>");
    escf(p, "How to read a verdict: \"better\" or \"worse\" means that the difference, proposal minus baseline "
           "measured on the same simulated days and the same posted mail, is larger than chance at %s%% confidence "
           "(after Holm's correction over the proposal's own headline measures) and larger than the measure's "
           "practical threshold (the smallest difference that matters, e.g. 0.1 day of transit or 1 point on "
           "time). \"No practical difference\" means the difference is real but within that threshold. \"No "
           "difference\" does not prove the two are equal, only that these replications cannot tell them apart; "
           "\"higher\" or \"lower\" is used for quantities that follow the amount of mail posted, where more is "
           "not in itself an improvement. Each proposal is judged over the pairs it shares with the baseline "
           "(marked * where that is not all pairs).", p->conf);
    strbuf_printf(b, "</p>\n<table><tr><th>proposal</th>");
    for (size_t j = 0; j < n; j++) {
        strbuf_printf(b, "<th class=\"n\">");
        escf(p, "%s, %s", mt[j]->label, unit_of(p, mt[j]));
        strbuf_printf(b, "</th>");
    }
    strbuf_printf(b, "</tr>\n");
    for (size_t a = 1; a < p->n_arms; a++) {
        strbuf_printf(b, "<tr><td>");
        esc(b, p->name[a]);
        strbuf_printf(b, "%s</td>", p->common[a] ? "*" : "");
        for (size_t j = 0; j < n; j++) {
            /* at the scope it is judged over; a measure of the network at all */
            size_t r = p->common[a] ? csv_row(&c, mt[j]->name, metric_scope_kind(METRIC_SCOPE_COMMON)->name, cp,
                                              p->name[a]) : SIZE_MAX;
            if (r == SIZE_MAX)
                r = csv_row(&c, mt[j]->name, metric_scope_kind(METRIC_SCOPE_ALL)->name, cp, p->name[a]);
            strbuf_printf(b, "<td class=\"n\">");
            if (r != SIZE_MAX) {
                char x[32], l[32], h[32];
                double diff = cell_num(&c.t, r, cdiff);
                strbuf_printf(b, "%s%s<br><span class=\"ci\">[%s – %s]</span><br>", diff > 0 ? "+" : "", num(x, diff),
                              num(l, cell_num(&c.t, r, clo)), num(h, cell_num(&c.t, r, chi)));
                verdict(b, table_cell(&c.t, r, cv));
            }
            strbuf_printf(b, "</td>");
        }
        strbuf_printf(b, "</tr>\n");
    }
    strbuf_printf(b, "</table>\n<p class=\"note\">Difference proposal minus baseline [confidence interval "
                     "of the difference], then the verdict.</p>\n");
    /* each proposal's trade-off, the sentence the terminal prints */
    strbuf_printf(b, "<p>In short:</p>\n<ul>\n");
    for (size_t a = 1; a < p->n_arms; a++) {
        struct compare_tradeoff_row rows[16];
        size_t k = 0;
        for (size_t j = 0; j < n; j++) {
            size_t r = csv_row(&c, mt[j]->name, metric_scope_kind(p->common[a] ? METRIC_SCOPE_COMMON
                                                                               : METRIC_SCOPE_ALL)->name, cp, p->name[a]);
            if (r != SIZE_MAX)
                rows[k++] = (struct compare_tradeoff_row){ mt[j]->name, cell_num(&c.t, r, cdiff),
                                                           crel == SIZE_MAX ? NAN : cell_num(&c.t, r, crel),
                                                           table_cell(&c.t, r, cv) };
        }
        struct strbuf line = {0};
        compare_tradeoff(&line, rows, k, p->arm[0]->currency);
        strbuf_printf(b, "<li><b>");
        esc(b, p->name[a]);
        strbuf_printf(b, "</b>: ");
        esc(b, line.oom ? "" : strbuf_str(&line));
        strbuf_printf(b, "</li>\n");
        p->oom |= line.oom;
        strbuf_fini(&line);
    }
    strbuf_printf(b, "</ul>\n");

    /* The existing pairs each proposal makes significantly worse. */
    struct pairs base;
    if ((st = pairs_load(p, &base, RESULTS_BASELINE)) == RM_OK && base.found) {
        bool any = false;
        for (size_t a = 1; a < p->n_arms; a++) {
            size_t k = 0;
            struct strbuf list = {0};
            for (size_t r = 0; r < base.t.nrow; r++) {
                struct strbuf scope = {0};
                strbuf_printf(&scope, "od:%s-%s", table_cell(&base.t, r, base.origin), table_cell(&base.t, r, base.dest));
                bool worse = false;
                for (size_t j = 0; j < METRIC_COUNT; j++) {
                    if (!(metric_get(j)->flags & METRIC_JUDGED_PER_PAIR))
                        continue;
                    size_t row = csv_row(&c, metric_get(j)->name, strbuf_str(&scope), cp, p->name[a]);
                    worse |= row != SIZE_MAX && !strcmp(table_cell(&c.t, row, cv), RESULTS_VERDICT_WORSE);
                }
                if (worse) {
                    strbuf_printf(&list, "%s", k++ ? ", " : "");
                    esc(&list, strbuf_str(&scope) + 3);
                }
                strbuf_fini(&scope);
            }
            if (k) {
                if (!any)
                    strbuf_printf(b, "<h3>Existing pairs made worse</h3>\n");
                any = true;
                strbuf_printf(b, "<p class=\"flag\"><b>");
                esc(b, p->name[a]);
                strbuf_printf(b, "</b>: worse for %zu existing pair%s (transit or on time, beyond the threshold; Holm's "
                                 "correction over the proposal's pairs): %s</p>\n",
                              k, k == 1 ? "" : "s", strbuf_str(&list));
            }
            strbuf_fini(&list);
        }
        if (!any)
            strbuf_printf(b, "<p class=\"note\">No proposal makes any existing origin–destination pair significantly "
                             "worse on transit or on time.</p>\n");
    }

    /* On time per existing pair, every arm; then pairs only a proposal carries. */
    struct pairs arm[MAX_ARMS];
    size_t loaded = 0;
    for (size_t a = 1; a < p->n_arms && st == RM_OK; a++, loaded++)
        st = pairs_load(p, &arm[a], p->name[a]);
    if (st == RM_OK && base.found) {
        char v[32];
        strbuf_printf(b, "<h2>On time per origin and destination, %%</h2>\n<table>");
        arms_header(p, "pair", false);
        for (size_t r = 0; r < base.t.nrow; r++) {
            const char *o = table_cell(&base.t, r, base.origin), *de = table_cell(&base.t, r, base.dest);
            strbuf_printf(b, "<tr><td class=\"key\">");
            escf(p, "%s-%s", o, de);
            strbuf_printf(b, "</td><td class=\"n\">%s</td>", num(v, cell_num(&base.t, r, base.on_time)));
            for (size_t a = 1; a < p->n_arms; a++) {
                size_t k = pairs_find(&arm[a], o, de);
                strbuf_printf(b, "<td class=\"n\">%s</td>", k == SIZE_MAX ? "–" : num(v, cell_num(&arm[a].t, k, arm[a].on_time)));
            }
            strbuf_printf(b, "</tr>\n");
        }
        strbuf_printf(b, "</table>\n");
        bool any = false;
        for (size_t a = 1; a < p->n_arms; a++) {
            size_t shown = 0, more = 0;
            for (size_t r = 0; arm[a].found && r < arm[a].t.nrow; r++) {
                const char *o = table_cell(&arm[a].t, r, arm[a].origin), *de = table_cell(&arm[a].t, r, arm[a].dest);
                if (pairs_find(&base, o, de) != SIZE_MAX)
                    continue;
                if (shown == SHOWN_NEW_PAIRS) {
                    more++;
                    continue;
                }
                if (!any) {
                    strbuf_printf(b, "<h3>New pairs (their own levels, no verdict: the baseline carries no such "
                                     "mail)</h3>\n<table><tr><th>proposal</th><th>pair</th><th class=\"n\">batches "
                                     "posted</th><th class=\"n\">on time, %%</th><th class=\"n\">95th percentile "
                                     "transit, days</th><th class=\"n\">cost per kg, ");
                    esc(b, p->arm[0]->currency);
                    strbuf_printf(b, "</th><th class=\"n\">CO2e per kg, g</th></tr>\n");
                }
                any = true;
                shown++;
                char q[32], t95[32], cost[32], co2[32];
                strbuf_printf(b, "<tr><td>");
                esc(b, p->name[a]);
                strbuf_printf(b, "</td><td class=\"key\">");
                escf(p, "%s-%s", o, de);
                strbuf_printf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                                 "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                              num(v, cell_num(&arm[a].t, r, arm[a].posted)), num(q, cell_num(&arm[a].t, r, arm[a].on_time)),
                              num(t95, cell_num(&arm[a].t, r, arm[a].p95)), num(cost, cell_num(&arm[a].t, r, arm[a].cost)),
                              num(co2, cell_num(&arm[a].t, r, arm[a].co2)));
            }
            if (more) {
                strbuf_printf(b, "<tr><td colspan=\"7\" class=\"note\">");
                escf(p, "and %zu more new pairs of %s (in %s/" RESULTS_PAIRS_CSV ")", more, p->name[a], p->name[a]);
                strbuf_printf(b, "</td></tr>\n");
            }
        }
        if (any)
            strbuf_printf(b, "</table>\n");
    }
    for (size_t a = 1; a <= loaded && a < p->n_arms; a++)
        pairs_fini(&arm[a]);
    pairs_fini(&base);
    csv_fini(&c);
    return st;
}

/* ---------------------------------------------------------------- sweep */

/* The target's answer as a sentence. */
static void target_sentence(struct page *p, const struct results_target *g)
{
    const char *const text[12] = {g->parameter, g->value, g->metric, g->scope, g->op, g->threshold_text,
                                  g->bound_text, g->bound_at, g->outcome, g->value_below, g->points_evaluated,
                                  g->points};
    const char *v[12];
    for (size_t i = 0; i < 12; i++)
        v[i] = text[i] ? text[i] : "";
    struct strbuf *b = &p->b;
    char bound[32];
    if (!isnan(g->bound))  /* the bound as the tables show numbers */
        v[6] = num(bound, g->bound);
    const struct metric *mt = metric_find(v[2]);
    if (mt)
        v[2] = mt->label;
    strbuf_printf(b, "<p class=\"flag\">");
    if (!strcmp(v[8], "none"))
        escf(p, "Target %s %s %s at %s: no value of %s in the range meets it with %s%% confidence (closest at %s, "
                "bound %s).", v[2], v[4], v[5], v[3], v[0], p->conf, v[7], v[6]);
    else if (!strcmp(v[8], "between"))
        escf(p, "Target %s %s %s at %s: the answer lies between %s = %s and %s; at %s the target holds with %s%% "
                "confidence (bound %s), at %s these replications cannot tell.", v[2], v[4], v[5], v[3], v[0], v[9],
             v[1], v[1], p->conf, v[6], v[9]);
    else
        escf(p, "Target %s %s %s at %s: the least value of %s that meets it with %s%% confidence is %s (confidence "
                "bound there %s%s%s).", v[2], v[4], v[5], v[3], v[0], p->conf, v[1], v[6], *v[9] ? "; not met at " : "",
             v[9]);
    escf(p, " %s of %s values were simulated.", v[10], v[11]);
    strbuf_printf(b, "</p>\n");
}

/* A sweep: the headline metrics at every point; the target's answer. */
static enum rm_status sweep_section(struct page *p)
{
    struct csv c;
    enum rm_status st = csv_load(p, &c, NULL, RESULTS_SWEEP_CSV);
    if (st != RM_OK || !c.found)
        return st;
    struct strbuf *b = &p->b;
    size_t nkeys = c.metric == SIZE_MAX ? 0 : c.metric;
    struct results_target target;
    if ((st = results_target_load(&target, p->dir, p->d)) != RM_OK) {
        csv_fini(&c);
        return st;
    }
    const char *tmetric = target.metric, *tscope = target.scope;
    strbuf_printf(b, "<h2>Results at each setting</h2>\n");
    if (target.found)
        target_sentence(p, &target);
    const struct metric *mt[16];
    size_t n = 0;
    for (size_t i = 0; i < METRIC_COUNT && n < 16; i++)
        if (metric_get(i)->flags & METRIC_HEADLINE_TABLE)
            mt[n++] = metric_get(i);
    strbuf_printf(b, "<table><tr>");
    for (size_t k = 0; k < nkeys; k++) {
        strbuf_printf(b, "<th>");
        esc(b, table_header(&c.t, k));
        strbuf_printf(b, "</th>");
    }
    for (size_t j = 0; j < n; j++) {
        strbuf_printf(b, "<th class=\"n\">");
        escf(p, "%s, %s", mt[j]->label, unit_of(p, mt[j]));
        strbuf_printf(b, "</th>");
    }
    if (tmetric && tscope) {
        strbuf_printf(b, "<th class=\"n\">");
        escf(p, "target: %s at %s", tmetric, tscope);
        strbuf_printf(b, "</th>");
    }
    strbuf_printf(b, "</tr>\n");
    /* A point starts where the first headline metric's network row is. */
    for (size_t r = 0; r < c.t.nrow && nkeys; r++) {
        if (strcmp(table_cell(&c.t, r, c.metric), n ? mt[0]->name : "") || strcmp(table_cell(&c.t, r, c.scope), "all"))
            continue;
        size_t end = r;
        while (end < c.t.nrow) {  /* this point's rows: the same key values */
            bool same = true;
            for (size_t k = 0; k < nkeys; k++)
                same &= !strcmp(table_cell(&c.t, end, k), table_cell(&c.t, r, k));
            if (!same)
                break;
            end++;
        }
        size_t start = r;
        while (start > 0) {
            bool same = true;
            for (size_t k = 0; k < nkeys; k++)
                same &= !strcmp(table_cell(&c.t, start - 1, k), table_cell(&c.t, r, k));
            if (!same)
                break;
            start--;
        }
        strbuf_printf(b, "<tr>");
        for (size_t k = 0; k < nkeys; k++) {
            strbuf_printf(b, "<td>");
            esc(b, table_cell(&c.t, r, k));
            strbuf_printf(b, "</td>");
        }
        for (size_t j = 0; j <= n; j++) {
            const char *metric = j < n ? mt[j]->name : tmetric, *scope = j < n ? "all" : tscope;
            if (!metric || !scope)
                break;
            strbuf_printf(b, "<td class=\"n\">");
            for (size_t q = start; q < end; q++)
                if (!strcmp(table_cell(&c.t, q, c.metric), metric) && !strcmp(table_cell(&c.t, q, c.scope), scope)) {
                    pm(b, cell_num(&c.t, q, c.mean), cell_num(&c.t, q, c.lo), cell_num(&c.t, q, c.hi));
                    break;
                }
            strbuf_printf(b, "</td>");
        }
        strbuf_printf(b, "</tr>\n");
    }
    strbuf_printf(b, "</table>\n<p class=\"note\">Every setting runs on the same random numbers; mean ± half the "
                     "confidence interval.</p>\n");
    results_target_fini(&target);
    csv_fini(&c);
    return RM_OK;
}

/* ---------------------------------------------------------------- summary */

/* What the director reads first: a few plain sentences built from the
 * same files as the detail below (the comparison's verdicts, the summaries,
 * the pairs), so that `railmail report` on any folder writes them. */

/* The measures that say how well mail is carried: the catalogue's
 * headline, less what it costs (which the summary gives apart, as the
 * price of an option). */
static bool is_price(const struct metric *mt)
{
    return mt == metric_get(METRIC_COST_PER_KG) || mt == metric_get(METRIC_CO2_PER_KG);
}

static size_t matters(const struct metric **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < METRIC_COUNT && n < max; i++)
        if ((metric_get(i)->flags & METRIC_HEADLINE_TABLE) && !is_price(metric_get(i)))
            out[n++] = metric_get(i);
    return n;
}

/* Whether a verdict says the difference does not matter or cannot be told. */
static bool no_change(const char *v)
{
    return !strcmp(v, "no difference") || !strcmp(v, "no practical difference");
}

/* The comparison's file with the columns the summary reads. */
struct verdicts {
    struct csv c;
    size_t prop, base, mean, rel, verdict;
};

static enum rm_status verdicts_load(struct page *p, struct verdicts *v)
{
    enum rm_status st = csv_load(p, &v->c, NULL, RESULTS_COMPARE_CSV);
    if (st != RM_OK || !v->c.found)
        return st;
    if (!table_find(&v->c.t, RESULTS_COL_PROPOSAL, &v->prop) || !table_find(&v->c.t, RESULTS_COL_BASELINE_MEAN, &v->base) ||
        !table_find(&v->c.t, RESULTS_COL_PROPOSAL_MEAN, &v->mean) || !table_find(&v->c.t, RESULTS_COL_REL_PCT, &v->rel) ||
        !table_find(&v->c.t, RESULTS_COL_VERDICT, &v->verdict) || v->c.metric == SIZE_MAX) {
        csv_fini(&v->c);
        v->c.found = false;
        return diag_error(p->d, &(struct diag_at){v->c.t.name, 1, 0}, "expected a comparison's columns");
    }
    return RM_OK;
}

/* Proposal a's row of `mt` at the scope the verdicts use; SIZE_MAX if none. */
static size_t verdict_row(const struct page *p, const struct verdicts *v, const struct metric *mt, size_t a)
{
    size_t r = p->common[a] ? csv_row(&v->c, mt->name, metric_scope_kind(METRIC_SCOPE_COMMON)->name, v->prop,
                                      p->name[a])
                            : SIZE_MAX;
    return r != SIZE_MAX ? r : csv_row(&v->c, mt->name, "all", v->prop, p->name[a]);
}

/* Two levels as num writes them, with more decimals while two that
 * differ would read the same ("18.2 to 18.2"). */
static void num_pair(char x[32], char y[32], double a, double b)
{
    num(x, a);
    num(y, b);
    for (int decimals = 2; a != b && !strcmp(x, y) && decimals <= 4; decimals++) {
        snprintf(x, 32, "%.*f", decimals, a);
        snprintf(y, 32, "%.*f", decimals, b);
    }
}

/* "18.2 → 17.1 days" */
static void change(struct page *p, const struct verdicts *v, size_t r, const struct metric *mt)
{
    char x[32], y[32];
    num_pair(x, y, cell_num(&v->c.t, r, v->base), cell_num(&v->c.t, r, v->mean));
    escf(p, "%s → %s %s", x, y, unit_of(p, mt));
}

/* What option a costs and emits per kg against today, where the scenario
 * prices and rates it: "; cost 4.80 → 6.68 USD per kg (+39 %), CO2
 * unchanged at 267 g CO2e per kg". A trade-off line from compare may
 * replace it. */
static void price_clause(struct page *p, const struct verdicts *v, size_t a)
{
    static const struct { enum metric_id id; const char *noun; } price[] = {
        {METRIC_COST_PER_KG, "cost"}, {METRIC_CO2_PER_KG, "CO2"}};
    bool first = true;
    for (size_t i = 0; i < sizeof price / sizeof *price; i++) {
        const struct metric *mt = metric_get(price[i].id);
        size_t r = verdict_row(p, v, mt, a);
        if (r == SIZE_MAX || isnan(cell_num(&v->c.t, r, v->base)) || isnan(cell_num(&v->c.t, r, v->mean)))
            continue;  /* not priced, or no intensities */
        escf(p, "%s%s ", first ? "; " : ", ", price[i].noun);
        first = false;
        if (no_change(table_cell(&v->c.t, r, v->verdict))) {
            char x[32];
            escf(p, "unchanged at %s %s", num(x, cell_num(&v->c.t, r, v->mean)), unit_of(p, mt));
            continue;
        }
        change(p, v, r, mt);
        escf(p, " (%+.0f %%)", cell_num(&v->c.t, r, v->rel));
    }
}

/* The labels of n metrics as "a, b or c". */
static void labels_or(struct page *p, const struct metric *const *mt, size_t n)
{
    for (size_t i = 0; i < n; i++)
        escf(p, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", mt[i]->label);
}

/* Which option does best on each measure that matters (the largest
 * difference judged better), an item per option, the options that win
 * most first; then those better on none. */
static void best_options(struct page *p, const struct verdicts *v)
{
    struct strbuf *b = &p->b;
    const struct metric *mt[16];
    size_t n = matters(mt, 16), best[16], wins[MAX_ARMS] = {0};
    for (size_t j = 0; j < n; j++) {
        double most = 0;
        best[j] = 0;
        for (size_t a = 1; a < p->n_arms; a++) {
            size_t r = verdict_row(p, v, mt[j], a);
            if (p->forecast[a] || r == SIZE_MAX || strcmp(table_cell(&v->c.t, r, v->verdict), "better"))
                continue;
            double gain = fabs(cell_num(&v->c.t, r, v->mean) - cell_num(&v->c.t, r, v->base));
            if (gain > most)
                most = gain, best[j] = a;
        }
        wins[best[j]] += best[j] != 0;
    }
    for (size_t most = n; most > 0; most--)
        for (size_t a = 1; a < p->n_arms; a++) {
            if (wins[a] != most)
                continue;
            strbuf_printf(b, "<li><b>");
            esc(b, p->name[a]);
            strbuf_printf(b, "</b> does best on ");
            for (size_t j = 0, k = 0; j < n; j++) {
                if (best[j] != a)
                    continue;
                k++;
                escf(p, "%s%s (", k == 1 ? "" : k == most ? " and " : ", ", mt[j]->label);
                change(p, v, verdict_row(p, v, mt[j], a), mt[j]);
                esc(b, ")");
            }
            price_clause(p, v, a);
            strbuf_printf(b, ".</li>\n");
        }
    struct strbuf list = {0};  /* the options better than today on none of these */
    size_t none = 0, options = 0;
    for (size_t a = 1; a < p->n_arms; a++) {
        options += !p->forecast[a];
        bool better = false;  /* on some measure, if not the best on it */
        for (size_t j = 0; j < n; j++) {
            size_t r = verdict_row(p, v, mt[j], a);
            better |= r != SIZE_MAX && !strcmp(table_cell(&v->c.t, r, v->verdict), "better");
        }
        if (p->forecast[a] || better)
            continue;
        strbuf_printf(&list, "%s", none++ ? ", " : "");
        esc(&list, p->name[a]);
    }
    if (options && none == options) {
        strbuf_printf(b, "<li>No option is clearly better than today's service on ");
        labels_or(p, mt, n);
        strbuf_printf(b, ".</li>\n");
    } else if (none) {
        strbuf_printf(b, "<li>Better than today on none of these: %s.</li>\n", strbuf_str(&list));
    }
    p->oom |= list.oom;
    strbuf_fini(&list);
}

/* The existing pairs each option makes worse on a measure judged per pair. */
static void harmed_pairs(struct page *p, const struct verdicts *v)
{
    struct strbuf *b = &p->b;
    const struct table *t = &v->c.t;
    bool any = false;
    for (size_t a = 1; a < p->n_arms; a++) {
        if (p->forecast[a])
            continue;
        size_t k = 0, *seen = malloc((t->nrow + 1) * sizeof *seen);
        if (!seen) {
            p->oom = true;
            return;
        }
        for (size_t r = 0; r < t->nrow; r++) {
            const char *scope = table_cell(t, r, v->c.scope);
            const struct metric *mt = metric_find(table_cell(t, r, v->c.metric));
            if (strncmp(scope, "od:", 3) || !mt || !(mt->flags & METRIC_JUDGED_PER_PAIR) ||
                strcmp(table_cell(t, r, v->prop), p->name[a]) || strcmp(table_cell(t, r, v->verdict), "worse"))
                continue;
            bool again = false;
            for (size_t i = 0; i < k && !again; i++)
                again = !strcmp(table_cell(t, seen[i], v->c.scope), scope);
            if (!again)
                seen[k++] = r;
        }
        if (k) {
            strbuf_printf(b, "<li><b>");
            esc(b, p->name[a]);
            strbuf_printf(b, "</b> ");
            escf(p, "makes %zu existing origin–destination pair%s worse: ", k, k == 1 ? "" : "s");
            for (size_t i = 0; i < k && i < SHOWN_NEW_PAIRS; i++)
                escf(p, "%s%s", i ? ", " : "", table_cell(t, seen[i], v->c.scope) + 3);
            if (k > SHOWN_NEW_PAIRS)
                escf(p, " and %zu more", k - SHOWN_NEW_PAIRS);
            strbuf_printf(b, ".</li>\n");
        }
        any |= k > 0;
        free(seen);
    }
    if (!any) {
        const struct metric *judged[16];
        size_t n = 0;
        for (size_t i = 0; i < METRIC_COUNT && n < 16; i++)
            if (metric_get(i)->flags & METRIC_JUDGED_PER_PAIR)
                judged[n++] = metric_get(i);
        strbuf_printf(b, "<li>No option makes any existing origin–destination pair worse on ");
        labels_or(p, judged, n);
        strbuf_printf(b, ".</li>\n");
    }
}

/* Each forecast as "what if": its first sentence, then what rises and falls. */
static void what_if(struct page *p, const struct verdicts *v)
{
    struct strbuf *b = &p->b;
    const struct metric *mt[18];
    size_t n = matters(mt, 16);
    mt[n++] = metric_get(METRIC_COST_PER_KG);
    mt[n++] = metric_get(METRIC_CO2_PER_KG);
    for (size_t a = 1; a < p->n_arms; a++) {
        if (!p->forecast[a])
            continue;
        struct strbuf what = {0};
        first_sentence(&what, p->name[a], p->arm[a]->description);
        while (what.len && strchr(". ", what.s[what.len - 1]))
            what.s[--what.len] = '\0';
        strbuf_printf(b, "<li><b>What if</b> %s (", strbuf_str(&what));
        esc(b, p->name[a]);
        strbuf_printf(b, "): ");
        p->oom |= what.oom;
        strbuf_fini(&what);
        size_t k = 0;
        for (size_t j = 0; j < n; j++) {
            size_t r = verdict_row(p, v, mt[j], a);
            const char *verdict = r == SIZE_MAX ? "" : table_cell(&v->c.t, r, v->verdict);
            bool up = !strcmp(verdict, "higher"), down = !strcmp(verdict, "lower");
            if (!up && !down)
                continue;
            char x[32], y[32];
            num_pair(x, y, cell_num(&v->c.t, r, v->base), cell_num(&v->c.t, r, v->mean));
            escf(p, "%s%s %s from %s to %s %s", k++ ? "; " : "", mt[j]->label, up ? "rises" : "falls", x, y,
                 unit_of(p, mt[j]));
        }
        strbuf_printf(b, "%s</li>\n", k ? "." : "no measure changes clearly.");
    }
}

/* What the disruptions an option adds cost (compare's own rows, where it
 * measured them): how long until the backlog is back to today's, and how
 * much more mail is late. */
static void closures(struct page *p, const struct verdicts *v)
{
    const char *all = metric_scope_kind(METRIC_SCOPE_ALL)->name;
    for (size_t a = 1; a < p->n_arms; a++) {
        size_t r = csv_row(&v->c, metric_name(METRIC_RECOVERY), all, v->prop, p->name[a]);
        size_t l = csv_row(&v->c, metric_name(METRIC_EXTRA_LATE), all, v->prop, p->name[a]);
        size_t t = csv_row(&v->c, metric_name(METRIC_EXTRA_LATE_T), all, v->prop, p->name[a]);
        if (r == SIZE_MAX || l == SIZE_MAX || t == SIZE_MAX)
            continue;
        char x[32], y[32], z[32];
        double days = cell_num(&v->c.t, r, v->mean);
        strbuf_printf(&p->b, "<li><b>");
        esc(&p->b, p->name[a]);
        strbuf_printf(&p->b, "</b> ");
        if (isnan(days))
            escf(p, "leaves the backlog above today's to the end of the horizon after the disruption it adds");
        else
            escf(p, "brings the backlog back to today's %s days after the disruption it adds ends", num(x, days));
        escf(p, "; %s more batches late (%s tonnes).", num(y, cell_num(&v->c.t, l, v->mean)),
             num(z, cell_num(&v->c.t, t, v->mean)));
        strbuf_printf(&p->b, "</li>\n");
    }
}

/* How sure the figures are, in two sentences. */
static void how_sure(struct page *p, const struct verdicts *v)
{
    char n[32], h[32];
    size_t practical = 0;
    for (size_t r = 0; v && r < v->c.t.nrow; r++)
        practical += !strcmp(table_cell(&v->c.t, r, v->verdict), "no practical difference");
    strbuf_printf(&p->b, "<p class=\"note\">");
    escf(p, "How sure: each figure is the mean of %s replications of %s simulated days, with its %s%% confidence "
            "interval (the range in brackets). ", num(n, p->rec.replications), num(h, p->arm[0]->horizon_d), p->conf);
    if (v)
        escf(p, "Every option runs on the same random numbers as today's service, and a difference is called "
                "better or worse only when it is clear at %s%% confidence after Holm's correction for the number "
                "of comparisons%s. ",
             p->conf, practical ? " and larger than the measure's practical threshold (smaller ones are called "
                                  "no practical difference)" : "");
    strbuf_printf(&p->b, "The words are explained under <a href=\"#words\">Words used</a> at the end.</p>\n");
}

static enum rm_status compare_summary(struct page *p)
{
    struct verdicts v;
    enum rm_status st = verdicts_load(p, &v);
    if (st != RM_OK || !v.c.found)
        return st;
    struct strbuf *b = &p->b;
    size_t forecasts = 0;
    for (size_t a = 1; a < p->n_arms; a++)
        forecasts += p->forecast[a];
    char n[32], h[32], date[11];
    calendar_format(p->arm[0]->start_day, date);
    strbuf_printf(b, "<section class=\"summary\">\n<h2>Summary</h2>\n<p>");
    escf(p, "Today's service (the baseline) against %zu option%s", p->n_arms - 1 - forecasts,
         p->n_arms - 1 - forecasts == 1 ? "" : "s");
    if (forecasts)
        escf(p, " and %zu forecast%s (\"what if\")", forecasts, forecasts == 1 ? "" : "s");
    escf(p, ", each simulated %s times over %s days from %s.", num(n, p->rec.replications),
         num(h, p->arm[0]->horizon_d), date);
    strbuf_printf(b, "</p>\n<ul>\n");
    best_options(p, &v);
    harmed_pairs(p, &v);
    closures(p, &v);
    what_if(p, &v);
    strbuf_printf(b, "</ul>\n");
    how_sure(p, &v);
    strbuf_printf(b, "</section>\n");
    csv_fini(&v.c);
    return RM_OK;
}

/* The item of the run's pairs with the lowest share on time, up to three. */
static enum rm_status worst_pairs(struct page *p)
{
    struct table t;
    bool found;
    enum rm_status st = results_load(&t, p->dir, RESULTS_PAIRS_CSV, &found, p->d);
    size_t co, cd, cq;
    if (st != RM_OK || !found)
        return st;
    if (table_find(&t, RESULTS_COL_ORIGIN, &co) && table_find(&t, RESULTS_COL_DESTINATION, &cd) &&
        table_find(&t, metric_name(METRIC_ON_TIME), &cq) && t.nrow > 1) {
        size_t shown[3], k = 0;
        for (; k < 3 && k < t.nrow; k++) {  /* the k-th lowest, ties in file order */
            size_t low = SIZE_MAX;
            for (size_t r = 0; r < t.nrow; r++) {
                bool taken = false;
                for (size_t i = 0; i < k; i++)
                    taken |= shown[i] == r;
                double q = cell_num(&t, r, cq);
                if (!taken && !isnan(q) && (low == SIZE_MAX || q < cell_num(&t, low, cq)))
                    low = r;
            }
            if (low == SIZE_MAX)
                break;
            shown[k] = low;
        }
        if (k)
            strbuf_printf(&p->b, "<li>The pairs with the least mail on time: ");
        for (size_t i = 0; i < k; i++) {
            char q[32];
            escf(p, "%s%s-%s (%s %%)", i ? ", " : "", table_cell(&t, shown[i], co), table_cell(&t, shown[i], cd),
                 num(q, cell_num(&t, shown[i], cq)));
        }
        if (k)
            strbuf_printf(&p->b, ".</li>\n");
    }
    table_fini(&t);
    return RM_OK;
}

/* A run or sweep of a forecast says so: it answers "what if", not "should we". */
static void forecast_note(struct page *p)
{
    if (p->rec.forecast)
        strbuf_printf(&p->b, "<p>This scenario is a forecast (\"what if\"): a change nobody here decides, not "
                             "an option to adopt.</p>\n");
}

/* A run: the headline levels with their intervals, then where to look. */
static enum rm_status run_summary(struct page *p)
{
    struct csv c;
    enum rm_status st = csv_load(p, &c, NULL, RESULTS_SUMMARY_CSV);
    if (st != RM_OK || !c.found)
        return st;
    struct strbuf *b = &p->b;
    const struct metric *mt[19] = {metric_get(METRIC_POSTED)};
    size_t n = 1 + matters(mt + 1, 16);
    mt[n++] = metric_get(METRIC_COST_PER_KG);
    mt[n++] = metric_get(METRIC_CO2_PER_KG);
    strbuf_printf(b, "<section class=\"summary\">\n<h2>Summary</h2>\n");
    forecast_note(p);
    char v[32], lo[32], hi[32];
    strbuf_printf(b, "<ul>\n");
    for (size_t i = 0; i < n; i++) {
        size_t r = csv_row(&c, mt[i]->name, "all", SIZE_MAX, NULL);
        double mean = r == SIZE_MAX ? NAN : cell_num(&c.t, r, c.mean);
        if (isnan(mean))
            continue;  /* e.g. a cost where nothing is priced */
        strbuf_printf(b, "<li>");
        escf(p, "%c%s: %s %s", toupper((unsigned char)mt[i]->label[0]), mt[i]->label + 1, num(v, mean),
             unit_of(p, mt[i]));
        double l = cell_num(&c.t, r, c.lo), h = cell_num(&c.t, r, c.hi);
        if (!isnan(l) && !isnan(h) && h > l)
            strbuf_printf(b, " <span class=\"ci\">[%s – %s]</span>", num(lo, l), num(hi, h));
        if (mt[i] == metric_get(METRIC_ON_TIME))  /* on time against what */
            escf(p, ", within the %s-day service standard", num(v, p->arm[0]->service_standard_d));
        strbuf_printf(b, "</li>\n");
    }
    /* where trains queue longest */
    const struct metric *wait = metric_get(METRIC_TRAIN_QUEUE_WAIT);
    size_t most = SIZE_MAX;
    for (size_t r = 0; r < c.t.nrow; r++)
        if (!strcmp(table_cell(&c.t, r, c.metric), wait->name) && !strncmp(table_cell(&c.t, r, c.scope), "node:", 5) &&
            cell_num(&c.t, r, c.mean) > (most == SIZE_MAX ? 0 : cell_num(&c.t, most, c.mean)))
            most = r;
    if (most != SIZE_MAX) {
        strbuf_printf(b, "<li>");
        escf(p, "Where to look: trains queue longest at %s, %s %s on average before a track or crane is free.",
             table_cell(&c.t, most, c.scope) + 5, num(v, cell_num(&c.t, most, c.mean)), unit_of(p, wait));
        strbuf_printf(b, "</li>\n");
    }
    csv_fini(&c);
    if ((st = worst_pairs(p)) != RM_OK)
        return st;
    strbuf_printf(b, "</ul>\n");
    how_sure(p, NULL);
    strbuf_printf(b, "</section>\n");
    return RM_OK;
}

/* A sweep: what was varied, and the target's answer when there is one. */
/* One measure of optimum.csv's row r: "batches on time at origin:CQ 82.4 [80.1 – 84.7] (>= 80)". */
static void optimum_measure(struct page *p, const struct csv *c, size_t r, size_t cop, size_t cthr)
{
    const char *name = table_cell(&c->t, r, c->metric), *op = table_cell(&c->t, r, cop);
    const struct metric *mt = metric_find(name);
    char m[32], lo[32], hi[32];
    escf(p, "%s at %s %s [%s – %s]", mt ? mt->label : name, table_cell(&c->t, r, c->scope),
         num(m, cell_num(&c->t, r, c->mean)), num(lo, cell_num(&c->t, r, c->lo)), num(hi, cell_num(&c->t, r, c->hi)));
    if (!strcmp(op, ">=") || !strcmp(op, "<="))
        escf(p, " (%s %s)", op, table_cell(&c->t, r, cthr));
}

/* An optimisation's answer, from optimum.csv: the best setting (or the
 * closest, when none meets every constraint), its measures, the number of
 * equivalents. */
static enum rm_status optimum_sentence(struct page *p, bool *found)
{
    struct csv c;
    enum rm_status st = csv_load(p, &c, NULL, RESULTS_OPTIMUM_CSV);
    size_t crole, cop, cthr;
    *found = st == RM_OK && c.found;
    if (!*found)
        return st;
    if (c.metric == SIZE_MAX || c.mean == SIZE_MAX || c.lo == SIZE_MAX || !table_find(&c.t, RESULTS_COL_ROLE, &crole)
        || !table_find(&c.t, RESULTS_COL_OPERATOR, &cop) || !table_find(&c.t, RESULTS_COL_THRESHOLD, &cthr)) {
        csv_fini(&c);
        return RM_OK;
    }
    size_t equivalents = 0, shown = 0;
    bool none = c.t.nrow > 0 && !strcmp(table_cell(&c.t, 0, crole), RESULTS_ROLE_CLOSEST);
    strbuf_printf(&p->b, "<p class=\"flag\">");
    escf(p, none ? "Optimisation: no setting meets every constraint with %s%% confidence; the closest is "
                 : "Optimisation: the best setting that meets every constraint with %s%% confidence is ", p->conf);
    for (size_t k = 0; k < crole; k++)
        escf(p, "%s%s = %s", k ? ", " : "", table_header(&c.t, k), c.t.nrow ? table_cell(&c.t, 0, k) : "");
    for (size_t r = 0; r < c.t.nrow; r++) {
        const char *role = table_cell(&c.t, r, crole);
        if (!strcmp(role, RESULTS_ROLE_EQUIVALENT)) {
            equivalents++;
            continue;
        }
        escf(p, "%s", shown++ ? "; " : ": ");
        optimum_measure(p, &c, r, cop, cthr);
    }
    escf(p, ".");
    if (equivalents)
        escf(p, " %zu other setting%s within the practical threshold of its %s %s equally good (" RESULTS_OPTIMUM_CSV
                ").", equivalents, equivalents == 1 ? "" : "s", table_cell(&c.t, 0, c.metric),
             equivalents == 1 ? "is" : "are");
    strbuf_printf(&p->b, "</p>\n");
    csv_fini(&c);
    return RM_OK;
}

static enum rm_status sweep_summary(struct page *p)
{
    struct results_target target;
    enum rm_status st = results_target_load(&target, p->dir, p->d);
    if (st != RM_OK)
        return st;
    struct strbuf *b = &p->b;
    strbuf_printf(b, "<section class=\"summary\">\n<h2>Summary</h2>\n");
    forecast_note(p);
    strbuf_printf(b, "<p>");
    sweep_question(p);
    strbuf_printf(b, "</p>\n");
    bool optimum = false;
    if (target.found)
        target_sentence(p, &target);
    else if ((st = optimum_sentence(p, &optimum)) == RM_OK && !optimum)
        strbuf_printf(b, "<p>No target was set: the table below gives the headline measures at each setting "
                         "(<code>--target</code> asks for the least setting that meets one).</p>\n");
    how_sure(p, NULL);
    strbuf_printf(b, "</section>\n");
    results_target_fini(&target);
    return st;
}

/* ---------------------------------------------------------------- words */

/* The words the page uses that a director may not know, for the kinds of
 * results whose page uses them. */
static const struct {
    const char *term, *text;
    unsigned kinds;
} words[] = {
    {"today's service (the baseline)", "the scenario as it is; each option changes some of its rows.",
     RESULTS_IN(RESULTS_COMPARE)},
    {"option and forecast", "an option is a change someone may decide to make; a forecast (\"what if\") is a change "
     "nobody here decides, such as more e-commerce mail. A forecast's differences are called higher or lower, "
     "never better or worse, and it is never the best option.", RESULTS_IN(RESULTS_COMPARE)},
    {"batch", "a postal receptacle dispatched to one destination office of exchange.", ~0u},
    {"replication", "one simulation of the whole period with its own random numbers (postings, running and "
     "handling times); each figure is the mean over the replications.", ~0u},
    {"paired replications", "every option is simulated on the same random numbers as today's service, replication "
     "by replication (common random numbers), so a difference comes from the change and not from luck.",
     RESULTS_IN(RESULTS_COMPARE)},
    {"paired replications", "every setting is simulated on the same random numbers, replication by replication "
     "(common random numbers), so a difference between settings comes from the setting and not from luck.",
     RESULTS_IN(RESULTS_SWEEP)},
    {"target", "a level a measure must reach, such as batches on time >= 60 %; the answer is the least setting "
     "whose confidence interval lies wholly on the right side of it.", RESULTS_IN(RESULTS_SWEEP)},
    {"confidence interval", "the range, [low – high] or ± half its width, that holds the true mean with the "
     "stated confidence; more replications make it narrower.", ~0u},
    {"Holm's correction", "many comparisons (options times measures) make some difference look clear by chance "
     "alone; Holm's method raises the bar for each so that the chance of any false \"better\" or \"worse\" stays "
     "at most one minus the confidence (5 % at 95 % confidence).", RESULTS_IN(RESULTS_COMPARE)},
    {"no difference, no practical difference", "no difference: these replications cannot tell the two apart, "
     "which does not prove them equal. No practical difference: the difference is clear but smaller than the "
     "measure's practical threshold, the least change that matters to a planner.", RESULTS_IN(RESULTS_COMPARE)},
    {"on time, service standard", "a batch is on time when it reaches its destination within the service "
     "standard, the days the scenario allows from posting.", ~0u},
    {"transit time", "days from posting at the origin to the EMD scan at the destination.", ~0u},
    {"EMD scan", "the UPU EDI tracking event \"arrival at the inward office of exchange\" of the destination "
     "country: here a batch is delivered when it gets this scan, not when it reaches the addressee.", ~0u},
    {"tracking gap", "for each batch, the longest time between two of its tracking events; the mean over batches.",
     ~0u},
    {"backlog, largest backlog", "the mail held at a node: batches waiting for a train, and batches aboard trains queueing for a "
     "track or crane or being handled there.", ~0u},
    {"warm-up", "the first days of each simulation, when the network fills with mail; batches posted then are "
     "not counted.", ~0u},
};

/* The glossary, at the end of the results. */
static void words_section(struct page *p)
{
    struct strbuf *b = &p->b;
    strbuf_printf(b, "<h2 id=\"words\">Words used</h2>\n<dl class=\"words\">\n");
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        if (!(words[i].kinds & RESULTS_IN(p->kind)))
            continue;
        strbuf_printf(b, "<dt>");
        esc(b, words[i].term);
        strbuf_printf(b, "</dt><dd>");
        esc(b, words[i].text);
        strbuf_printf(b, "</dd>\n");
    }
    strbuf_printf(b, "</dl>\n");
}

/* ---------------------------------------------------------------- charts */

/* NAME.svg from `scratch`, inlined: the XML prolog and the namespace
 * declarations dropped (an HTML parser puts <svg> in the SVG namespace and
 * knows xlink:href), and its ids
 * (and the references to them) prefixed with the chart's number, since
 * every gnuplot SVG uses the same ids and a page must not repeat one. */
static bool embed_svg(struct strbuf *b, const char *scratch, const char *name, size_t k)
{
    struct strbuf path = {0};
    strbuf_printf(&path, "%s/%s.svg", scratch, name);
    char *svg = NULL;
    size_t len;
    bool ok = !path.oom && csvread_slurp(path.s, &svg, &len) == RM_OK;
    strbuf_fini(&path);
    const char *s = ok ? strstr(svg, "<svg") : NULL;
    if (!s) {
        free(svg);
        return false;
    }
    static const char *const refs[] = {" id='", " id=\"", "href='#", "href=\"#", "url(#"};
    strbuf_printf(b, "<svg role=\"img\"");
    s += 4;
    while (*s) {
        size_t r = 0, at = SIZE_MAX;
        const char *next = NULL;
        for (size_t i = 0; i < sizeof refs / sizeof *refs; i++) {
            const char *f = strstr(s, refs[i]);
            if (f && (!next || f < next))
                next = f, at = i;
        }
        const char *xmlns = strstr(s, "xmlns");
        if (xmlns && (!next || xmlns < next)) {  /* namespaces: HTML puts inline SVG in its own */
            const char *q = strchr(xmlns, '"');
            const char *end = q ? strchr(q + 1, '"') : NULL;
            strbuf_put(b, s, (size_t)(xmlns - s));
            s = end ? end + 1 : xmlns + 5;
            continue;
        }
        const char *title = strstr(s, "<title>");
        if (title && (!next || title < next)) {  /* gnuplot's <title>Gnuplot</title>: a useless tooltip */
            const char *end = strstr(title, "</title>");
            strbuf_put(b, s, (size_t)(title - s));
            s = end ? end + 8 : title + 7;
            continue;
        }
        if (!next) {
            strbuf_put(b, s, strlen(s));
            break;
        }
        r = strlen(refs[at]);
        strbuf_put(b, s, (size_t)(next - s) + r);
        strbuf_printf(b, "c%zu-", k);
        s = next + r;
    }
    free(svg);
    return true;
}

/* A figure for chart NAME when it was drawn (not every chart applies). */
static void figure(struct page *p, const char *scratch, const char *name, const char *caption, size_t *k)
{
    struct strbuf f = {0};
    strbuf_printf(&f, "<figure>\n");
    if (embed_svg(&f, scratch, name, *k)) {
        strbuf_printf(&f, "\n<figcaption>");
        esc(&f, caption);
        strbuf_printf(&f, "</figcaption>\n</figure>\n");
        strbuf_put(&p->b, strbuf_str(&f), f.len);
        p->oom |= f.oom;
        ++*k;
    }
    strbuf_fini(&f);
}

/* plot's charts drawn as SVG in a scratch directory, each with its caption. */
static enum rm_status charts_section(struct page *p)
{
    struct strbuf *b = &p->b;
    strbuf_printf(b, "<h2>Charts</h2>\n");
    if (p->rec.no_plot) {
        strbuf_printf(b, "<p class=\"note\">This run was made with --no-plot: no charts.</p>\n");
        return RM_OK;
    }
    char *scratch;  /* removed by outdir_scratch_end, or by a signal's handler */
    enum rm_status made = outdir_scratch("report", &scratch, p->d);
    if (made != RM_OK)
        return made;
    bool drawn = false, arms = p->section->arms;
    enum rm_status st = plot_results_svg(p->dir, scratch, &drawn, p->d);
    if (st == RM_OK && arms) {  /* and the baseline's own charts, for its levels */
        struct strbuf base = {0};
        strbuf_printf(&base, "%s/" RESULTS_BASELINE, p->dir);
        bool base_drawn;
        st = base.oom ? diag_fail(p->d, RM_ENOMEM, "out of memory") : plot_results_svg(base.s, scratch, &base_drawn, p->d);
        strbuf_fini(&base);
    }
    size_t k = 0;
    for (enum results_chart_id id = 0; id < RESULTS_N_CHARTS && st == RM_OK; id++) {
        const struct results_chart *c = results_chart(id);
        char name[RESULTS_CHART_NAME_MAX];
        const char *metric;
        for (size_t i = 0; results_chart_name(id, i, name, &metric); i++) {
            struct strbuf caption = {0};
            const struct metric *mt = metric ? metric_find(metric) : NULL;
            if (mt)  /* one chart per metric */
                strbuf_printf(&caption, "The network's %s (%s) %s", mt->label, unit_of(p, mt), c->caption);
            else  /* a comparison shows the baseline's own charts, of a run */
                strbuf_printf(&caption, "%s%s", arms && c->kinds == RESULTS_IN(RESULTS_RUN) ? "The baseline: " : "",
                              c->caption);
            figure(p, scratch, name, strbuf_str(&caption), &k);
            strbuf_fini(&caption);
        }
    }
    if (st == RM_OK && !k)
        strbuf_printf(b, "<p class=\"note\">%s</p>\n", drawn ? "No chart applies to these results."
                                                             : "No charts: gnuplot was not found when this "
                                                               "report was written.");
    outdir_scratch_end(scratch);
    return st;
}

/* ---------------------------------------------------------------- record */

/* The command as a shell would take it. */
static void command_line(struct page *p, struct strbuf *out)
{
    for (size_t i = 0; i < p->rec.n_command; i++) {
        const char *a = p->rec.command[i];
        if (i)
            strbuf_put(out, " ", 1);
        if (*a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,") == strlen(a))
            strbuf_printf(out, "%s", a);
        else
            strbuf_quote_shell(out, a);
    }
}

static void record_row(struct strbuf *b, const char *key, const char *value)
{
    if (!value)
        return;
    strbuf_printf(b, "<tr><th>");
    esc(b, key);
    strbuf_printf(b, "</th><td>");
    esc(b, value);
    strbuf_printf(b, "</td></tr>\n");
}

/* How this page was made: enough to make it again (see the run record). */
static void record_section(struct page *p)
{
    struct strbuf *b = &p->b, cmd = {0}, ver = {0};
    const char *version = p->rec.version, *commit = p->rec.commit;
    strbuf_printf(&ver, "%s (commit %s)", version ? version : "unknown", commit ? commit : "unknown");
    command_line(p, &cmd);
    strbuf_printf(b, "<h2>How this report was made</h2>\n<table>\n");
    record_row(b, "railmail", strbuf_str(&ver));
    record_row(b, "command", strbuf_str(&cmd));
    record_row(b, "working directory", p->rec.cwd);
    record_row(b, "seed", p->rec.seed);
    record_row(b, "replications chosen by", p->rec.replications_chosen);
    record_row(b, "started (UTC)", p->rec.started_utc);
    strbuf_printf(b, "</table>\n<table><tr><th>input file</th><th>SHA-256</th></tr>\n");
    for (size_t i = 0; i < p->rec.n_inputs; i++) {
        strbuf_printf(b, "<tr><td>");
        esc(b, p->rec.inputs[i].path);
        strbuf_printf(b, "</td><td class=\"hash\">");
        esc(b, p->rec.inputs[i].sha256);
        strbuf_printf(b, "</td></tr>\n");
    }
    strbuf_printf(b, "</table>\n<p class=\"note\">" RESULTS_RUN_JSON " in the results directory holds the full record; "
                     "<code>railmail verify</code> runs it again and compares every file, and <code>railmail "
                     "report</code> writes this page again from the results.</p>\n");
    strbuf_fini(&cmd);
    strbuf_fini(&ver);
}

/* ---------------------------------------------------------------- the page */

/* htmlpage.h: for the sections of one kind kept in a file of their own. */
struct strbuf *html_page_text(struct page *p) { return &p->b; }
const char *html_page_dir(const struct page *p) { return p->dir; }
struct diag *html_page_diag(struct page *p) { return p->d; }
void html_esc(struct strbuf *b, const char *text) { esc(b, text); }
const char *html_num(char buf[32], double v) { return num(buf, v); }
void html_level(struct strbuf *b, double mean, double lo, double hi) { level(b, mean, lo, hi); }

/* The page of each kind of results. */
static const struct section sections[RESULTS_KINDS] = {
    [RESULTS_RUN] = {run_subtitle, run_summary, run_question, {levels_run, pairs_table, html_budget_section, months_table},
                     false},
    [RESULTS_COMPARE] = {compare_subtitle, compare_summary, compare_question, {compare_levels, compare_diffs}, true},
    [RESULTS_SWEEP] = {sweep_subtitle, sweep_summary, sweep_question, {html_optimise_section, sweep_section}, false},
    [RESULTS_CALIBRATE] = {html_calibrate_subtitle, html_calibrate_summary, html_calibrate_question,
                           {html_calibrate_fits, html_calibrate_validation}, false},
};

static enum rm_status build(struct page *p)
{
    head(p);
    enum rm_status st = p->section->summary(p);  /* the answer first, then the detail */
    if (st == RM_OK)
        question(p);
    for (size_t i = 0; i < 4 && p->section->results[i] && st == RM_OK; i++)
        st = p->section->results[i](p);
    if (st == RM_OK)
        st = charts_section(p);
    if (st == RM_OK) {  /* the inputs after the results: context, not the answer */
        words_section(p);
        inputs(p);
        record_section(p);
        strbuf_printf(&p->b, "</body>\n</html>\n");
    }
    return st;
}

/* Writes the page into dir, whole or not at all (outdir_write_file). */
static enum rm_status save(const struct page *p)
{
    struct strbuf path = {0};
    strbuf_printf(&path, "%s/" RESULTS_REPORT_HTML, p->dir);
    enum rm_status st = path.oom ? diag_fail(p->d, RM_ENOMEM, "out of memory")
                                 : outdir_write_file(path.s, p->b.s, p->b.len, p->d);
    strbuf_fini(&path);
    return st;
}

enum rm_status html_write(const char *dir, struct diag *d)
{
    return html_write_banner(dir, NULL, d);
}

static enum rm_status write_page(const char *dir, const struct scenario *s, const char *banner, struct diag *d);

enum rm_status html_write_banner(const char *dir, const char *banner, struct diag *d)
{
    return write_page(dir, NULL, banner, d);
}

enum rm_status html_write_run(const char *dir, const struct scenario *s, struct diag *d)
{
    return write_page(dir, s, NULL, d);
}

static enum rm_status write_page(const char *dir, const struct scenario *s, const char *banner, struct diag *d)
{
    struct page p = {.dir = dir, .d = d, .banner = banner};
    enum rm_status st = results_record_load(&p.rec, dir, d);
    if (st == RM_OK && !p.rec.from_run_json)
        st = diag_error(d, &(struct diag_at){dir, 0, 0}, "expected the run record of a results directory ("
                        RESULTS_RUN_JSON "), found none");
    if (st == RM_OK) {
        p.kind = p.rec.kind;  /* a record with its JSON file has a kind */
        p.section = &sections[p.kind];
    }
    if (st == RM_OK && s && p.kind == RESULTS_RUN && !p.rec.proposal) {
        p.arm[0] = s;  /* what load_arms would load again */
        p.name[p.n_arms++] = RESULTS_BASELINE;
    } else if (st == RM_OK) {
        st = load_arms(&p);
    }
    if (st == RM_OK && p.section->arms)
        st = load_kinds(&p);
    if (st == RM_OK)
        num(p.conf, 100 * p.arm[0]->confidence);
    if (st == RM_OK && p.section->arms) {
        struct csv c;
        const char *common = metric_scope_kind(METRIC_SCOPE_COMMON)->name;
        size_t cp;
        if ((st = csv_load(&p, &c, NULL, RESULTS_COMPARE_CSV)) == RM_OK && c.found && c.scope != SIZE_MAX
            && table_find(&c.t, RESULTS_COL_PROPOSAL, &cp))
            for (size_t r = 0; r < c.t.nrow; r++)
                if (!strcmp(table_cell(&c.t, r, c.scope), common))
                    for (size_t a = 1; a < p.n_arms; a++)
                        p.common[a] |= !strcmp(table_cell(&c.t, r, cp), p.name[a]);
        csv_fini(&c);
    }
    if (st == RM_OK && (st = build(&p)) == RM_OK)
        st = p.b.oom || p.oom ? diag_fail(d, RM_ENOMEM, "out of memory writing " RESULTS_REPORT_HTML) : save(&p);
    for (size_t i = 0; i < p.n_owned; i++)
        scenario_destroy(p.owned[i]);
    strbuf_fini(&p.b);
    results_record_fini(&p.rec);
    return st;
}
