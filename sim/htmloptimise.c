/* The section of an optimisation's page: the answer's constraints one by
 * one with their intervals and whether each is met, the settings as good
 * as it, and how much of the grid was simulated. The summary above already
 * says the answer in a sentence and the chart is among the page's charts;
 * this is the detail behind both, read through results_optimum_load as
 * the chart is. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "htmlpage.h"
#include "railmail/metric.h"
#include "railmail/results.h"

#define SHOWN_EQUIVALENTS 20  /* the rest are in the answer's file */

/* A measure's label and unit: "batches on time at origin:CQ", "%". */
static void measure_cell(struct strbuf *b, const struct results_optimum *o, const struct results_optimum_measure *m)
{
    const struct metric *mt = metric_find(m->metric);
    char unit[64];
    html_esc(b, mt ? mt->label : m->metric);
    if (strcmp(m->scope, "all")) {
        html_esc(b, " at ");
        html_esc(b, m->scope);
    }
    if (mt) {
        html_esc(b, ", ");
        html_esc(b, metric_unit(mt, o->currency ? o->currency : "currency", unit, sizeof unit));
    }
}

/* "K = v, L = w" */
static void setting_words(struct strbuf *b, const struct results_optimum *o, const struct results_optimum_point *q)
{
    char v[32];
    for (size_t k = 0; k < o->n_keys; k++) {
        strbuf_printf(b, "%s<code>", k ? ", " : "");
        html_esc(b, o->key[k]);
        strbuf_printf(b, "</code> = %s", html_num(v, q->value[k]));
    }
}

/* The answer's measures: the objective, then each constraint against its
 * threshold at its own confidence. */
static void measures_table(struct strbuf *b, const struct results_optimum *o)
{
    char v[32];
    strbuf_printf(b, "<table><tr><th>measure at this setting</th><th class=\"n\">mean [confidence interval]</th>"
                     "<th class=\"n\">confidence</th><th>constraint</th><th>met</th></tr>\n");
    for (size_t i = 0; i < o->n_measures; i++) {
        const struct results_optimum_measure *m = &o->measure[i];
        strbuf_printf(b, "<tr><td>");
        measure_cell(b, o, m);
        strbuf_printf(b, "</td><td class=\"n\">");
        html_level(b, m->mean, m->lo, m->hi);
        strbuf_printf(b, "</td><td class=\"n\">%s%%</td><td>", html_num(v, 100 * m->confidence));
        if (i == 0) {
            strbuf_printf(b, "the objective, %s</td><td></td></tr>\n", strcmp(m->op, "max") ? "lowest" : "highest");
            continue;
        }
        html_esc(b, m->op);
        strbuf_printf(b, " %s</td><td>", html_num(v, m->threshold));
        int met = results_optimum_met(m);
        html_esc(b, met > 0 ? "met" : met < 0 ? "not met" : "cannot tell");
        strbuf_printf(b, "</td></tr>\n");
    }
    strbuf_printf(b, "</table>\n");
}

/* The settings whose objective is within the practical threshold of the
 * answer's: the replications cannot rank them for a planner. */
static void equivalents_list(struct strbuf *b, const struct results_optimum *o)
{
    size_t n = 0;
    for (size_t i = 0; i < o->n_points; i++)
        n += o->point[i].selection == RESULTS_SEL_EQUIVALENT;
    if (!n) {
        strbuf_printf(b, "<p>No other setting simulated comes within the objective's practical threshold of it.</p>\n");
        return;
    }
    char v[32];
    strbuf_printf(b, "<p>As good as it (the objective within %s of it, the metric's practical threshold, so that "
                     "these replications cannot rank them for a planner: choose on other grounds):</p>\n<ul>\n",
                  html_num(v, o->measure[0].threshold));
    size_t shown = 0;
    for (size_t i = 0; i < o->n_points && shown < SHOWN_EQUIVALENTS; i++) {
        const struct results_optimum_point *q = &o->point[i];
        if (q->selection != RESULTS_SEL_EQUIVALENT)
            continue;
        strbuf_printf(b, "<li>");
        setting_words(b, o, q);
        strbuf_printf(b, ": ");
        html_level(b, q->objective, q->lo, q->hi);
        strbuf_printf(b, "</li>\n");
        shown++;
    }
    strbuf_printf(b, "</ul>\n");
    if (n > shown)
        strbuf_printf(b, "<p class=\"note\">%zu more in " RESULTS_OPTIMUM_CSV ".</p>\n", n - shown);
}

/* How the answer was chosen among the feasible settings, with the
 * probability of correct selection (the points' selection column, the
 * zone in the answer's objective row and the confidence beside it). */
static void selection_words(struct strbuf *b, const struct results_optimum *o)
{
    size_t contenders = 0;
    unsigned least = 0, most = 0;  /* the contenders' replications */
    for (size_t i = 0; i < o->n_points; i++) {
        const struct results_optimum_point *q = &o->point[i];
        if (q->selection == RESULTS_SEL_NONE)
            continue;
        contenders++;
        least = !least || q->replications < least ? q->replications : least;
        most = q->replications > most ? q->replications : most;
    }
    if (!o->ranked || contenders < 2)
        return;
    const struct metric *mt = metric_find(o->measure[0].metric);
    char c[32], zone[40], unit[64];
    snprintf(zone, sizeof zone, "%.4g", o->measure[0].threshold);
    strbuf_printf(b, "<p>It was chosen among the %zu settings that meet every constraint by Kim and Nelson's "
                     "sequential procedure, on replications paired by their random numbers: with probability at "
                     "least %s%% it is the best whenever the best leads the others by %s ",
                  contenders, html_num(c, 100 * o->measure[0].confidence), zone);
    html_esc(b, mt ? metric_unit(mt, o->currency ? o->currency : "currency", unit, sizeof unit) : "");
    strbuf_printf(b, " or more (the indifference zone: the objective's practical threshold); a smaller difference is "
                     "none a planner pays for.");
    if (least && least < most)
        strbuf_printf(b, " They ran %u to %u replications each: the procedure gives the close ones more.", least,
                      most);
    else if (least)
        strbuf_printf(b, " They ran %u replications each.", least);
    strbuf_printf(b, "</p>\n");
}

/* How much of the grid ran, and how to read the chart. */
static void coverage(struct strbuf *b, const struct results_optimum *o)
{
    size_t feasible = 0;
    for (size_t i = 0; i < o->n_points; i++)
        feasible += o->point[i].feasible;
    if (o->grid_known)
        strbuf_printf(b, "<p>%zu of the grid's %zu settings were simulated, %zu of them meeting every constraint. "
                         "The search assumes that more of each key makes the constraints easier to meet, so a setting "
                         "at least as large in every key as one that meets them meets them too, and one at most as "
                         "large as one that fails fails too: those were not simulated.</p>\n",
                      o->n_points, o->settings, feasible);
    else
        strbuf_printf(b, "<p>%zu settings were simulated, %zu of them meeting every constraint.</p>\n", o->n_points,
                      feasible);
    strbuf_printf(b, "<p class=\"note\">How to read the optimisation's chart below: each mark is a setting "
                     "simulated, filled (or coloured) when it meets every constraint with confidence and grey when "
                     "it fails one or the replications cannot tell; the star is the answer and the rings the "
                     "settings as good as it. With two keys it is a map of the grid, and a blank cell was not "
                     "simulated. Every setting's measures are in the table below, and each setting's own results "
                     "in its point folder.</p>\n");
}

enum rm_status html_optimise_section(struct page *p)
{
    struct results_optimum o;
    enum rm_status st = results_optimum_load(&o, html_page_dir(p), html_page_diag(p));
    if (st != RM_OK || !o.found)
        return st;
    struct strbuf *b = html_page_text(p);
    strbuf_printf(b, "<h2>The answer in detail</h2>\n<p>");
    html_esc(b, o.closest ? "No setting simulated meets every constraint with confidence; the closest (whose "
                            "intervals fall shortest of the thresholds) is "
                          : "The answer is ");
    setting_words(b, &o, &o.point[o.best]);
    strbuf_printf(b, ", where:</p>\n");
    measures_table(b, &o);
    if (o.n_measures > 2)
        strbuf_printf(b, "<p class=\"note\">Each constraint is judged at a higher confidence than the page's (the "
                         "Bonferroni correction), so that all of them hold together at the page's confidence.</p>\n");
    if (!o.closest) {
        selection_words(b, &o);
        equivalents_list(b, &o);
    }
    coverage(b, &o);
    results_optimum_fini(&o);
    return RM_OK;
}

/* Whether the page's folder holds an optimisation's answer. */
static bool has_answer(struct page *p)
{
    struct strbuf path = { 0 };
    strbuf_printf(&path, "%s/" RESULTS_OPTIMUM_CSV, html_page_dir(p));
    bool there = !path.oom && access(strbuf_str(&path), F_OK) == 0;
    strbuf_fini(&path);
    return there;
}

bool html_optimise_subtitle(struct page *p)
{
    if (!has_answer(p))
        return false;
    html_esc(html_page_text(p), "Optimisation: the best of several settings that meets every constraint");
    return true;
}

bool html_optimise_question(struct page *p)
{
    struct results_optimum o;
    if (!has_answer(p) || results_optimum_load(&o, html_page_dir(p), html_page_diag(p)) != RM_OK || !o.found)
        return false;  /* a damaged answer is said by the section below */
    struct strbuf *b = html_page_text(p);
    const struct results_optimum_measure *obj = &o.measure[0];
    const struct metric *mt = metric_find(obj->metric);
    char v[32];
    html_esc(b, "Which setting of ");
    for (size_t k = 0; k < o.n_keys; k++) {
        strbuf_printf(b, "%s<code>", k == 0 ? "" : k + 1 == o.n_keys ? " and " : ", ");
        html_esc(b, o.key[k]);
        strbuf_printf(b, "</code>");
    }
    html_esc(b, strcmp(obj->op, "max") ? " gives the lowest " : " gives the highest ");
    html_esc(b, mt ? mt->label : obj->metric);
    if (strcmp(obj->scope, "all"))
        html_esc(b, " at "), html_esc(b, obj->scope);
    html_esc(b, " while ");
    for (size_t i = 1; i < o.n_measures; i++) {
        const struct results_optimum_measure *m = &o.measure[i];
        const struct metric *c = metric_find(m->metric);
        html_esc(b, i == 1 ? "" : i + 1 == o.n_measures ? " and " : ", ");
        html_esc(b, c ? c->label : m->metric);
        if (strcmp(m->scope, "all"))
            html_esc(b, " at "), html_esc(b, m->scope);
        html_esc(b, " ");
        html_esc(b, m->op);
        html_esc(b, " ");
        html_esc(b, html_num(v, m->threshold));
    }
    html_esc(b, o.n_measures > 2 ? ", all with confidence?" : " with confidence?");
    results_optimum_fini(&o);
    return true;
}
