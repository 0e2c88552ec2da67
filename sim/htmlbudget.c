/* The time budget's section of a run's page: where a batch's door-to-door
 * days go, read from the budget file through results.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "htmlpage.h"
#include "railmail/results.h"
#include "railmail/table.h"

/* What a segment of the time budget is, in words ("moving_truck": in
 * motion by truck). */
static void segment_words(struct strbuf *b, const char *segment)
{
    static const struct { const char *name, *words; } of[] = {
        { "origin_wait", "waiting at the origin for the first train (cut-offs and full trains included)" },
        { "transfer_wait", "waiting at a transfer, from unloading to the next train's leaving" },
        { "queue", "aboard a train queueing for a server at a node (a track, a crane)" },
        { "handling", "aboard a train during its dwell at nodes: gauge change, customs, unloading" },
        { "moving", "in motion, on legs without a mode" },
    };
    for (size_t i = 0; i < sizeof of / sizeof *of; i++)
        if (!strcmp(of[i].name, segment)) {
            html_esc(b, of[i].words);
            return;
        }
    if (!strncmp(segment, "moving_", 7)) {  /* "rail_electric": "rail electric" */
        strbuf_printf(b, "in motion by ");
        for (const char *c = segment + 7; *c; c++) {
            char one[2] = { *c == '_' ? ' ' : *c, 0 };
            html_esc(b, one);
        }
    }
}

/* Where the time goes: the network's time budget, largest segment first,
 * with its interval and its share of the door-to-door mean. */
enum rm_status html_budget_section(struct page *p)
{
    struct table t;
    bool found;
    enum rm_status st = results_load_where(&t, html_page_dir(p), RESULTS_BUDGET_CSV, RESULTS_COL_SCOPE, "all", &found,
                                           html_page_diag(p));
    if (st != RM_OK || !found)
        return st;
    size_t cseg, cmean, clo, chi, n = 0, *row = malloc((t.nrow + 1) * sizeof *row);
    double total = 0;
    if (!row || !table_find(&t, RESULTS_COL_SEGMENT, &cseg) || !table_find(&t, RESULTS_COL_MEAN, &cmean)) {
        free(row);
        table_fini(&t);
        return row ? RM_OK : diag_fail(html_page_diag(p), RM_ENOMEM, "out of memory");
    }
    bool ci = table_find(&t, RESULTS_COL_CI_LOW, &clo) && table_find(&t, RESULTS_COL_CI_HIGH, &chi);
    for (size_t r = 0; r < t.nrow; r++) {  /* largest first: an insertion sort of a dozen rows */
        double x = table_value(&t, r, cmean);
        size_t j = n++;
        for (; j > 0 && table_value(&t, row[j - 1], cmean) < x; j--)
            row[j] = row[j - 1];
        row[j] = r;
        total += isfinite(x) ? x : 0;
    }
    struct strbuf *b = html_page_text(p);
    char v[32];
    strbuf_printf(b, "<h2>Where the time goes</h2>\n<p>A delivered batch takes %s days door to door on average; "
                     "this is where they go, largest first.</p>\n<table><tr><th>segment</th><th class=\"n\">days "
                     "[confidence interval]</th><th class=\"n\">share, %%</th><th>what it is</th></tr>\n",
                  html_num(v, total));
    for (size_t i = 0; i < n; i++) {
        size_t r = row[i];
        double x = table_value(&t, r, cmean);
        strbuf_printf(b, "<tr><td>");
        html_esc(b, table_cell(&t, r, cseg));
        strbuf_printf(b, "</td><td class=\"n\">");
        html_level(b, x, ci ? table_value(&t, r, clo) : NAN, ci ? table_value(&t, r, chi) : NAN);
        strbuf_printf(b, "</td><td class=\"n\">%.1f</td><td class=\"note\">", total > 0 ? 100 * x / total : 0.0);
        segment_words(b, table_cell(&t, r, cseg));
        strbuf_printf(b, "</td></tr>\n");
    }
    strbuf_printf(b, "</table>\n<p class=\"note\">Every origin, pair and path has its own budget in %s, and "
                     "<code>railmail show DIR budget od:O-D</code> prints one.</p>\n", RESULTS_BUDGET_CSV);
    free(row);
    table_fini(&t);
    return RM_OK;
}
