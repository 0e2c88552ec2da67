/* The page of a calibration (railmail calibrate): which of the scenario's
 * legs the tracking events moved and by how much, and whether the scenario
 * as it was and the calibrated one reproduce the observed transit times
 * pair by pair. Read from the calibration's files through results.c, as
 * every page is; its chart, drawn by calibrate from the events themselves,
 * is inlined as it was drawn. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nettle/base64.h>

#include "htmlpage.h"
#include "railmail/csvread.h"
#include "railmail/results.h"
#include "railmail/table.h"

void html_calibrate_subtitle(struct page *p)
{
    html_esc(html_page_text(p), "Calibration: the scenario's legs fitted to tracking events, and checked against them");
}

void html_calibrate_question(struct page *p)
{
    html_esc(html_page_text(p), "Does the scenario reproduce the transit times the post's own tracking events show, "
                                "pair by pair, and which changes to its legs would make it?");
}

/* One of the calibration's files, with the columns a section reads. */
struct file {
    struct table t;
    bool found;
    size_t col[16];
};

static enum rm_status load(struct page *p, struct file *f, const char *name, const char *const *cols, size_t n)
{
    *f = (struct file){0};
    enum rm_status st = results_load(&f->t, html_page_dir(p), name, &f->found, html_page_diag(p));
    for (size_t i = 0; st == RM_OK && f->found && i < n; i++)
        st = table_col(&f->t, cols[i], &f->col[i], html_page_diag(p));
    if (st != RM_OK && f->found)
        table_fini(&f->t), f->found = false;
    return st;
}

static void fini(struct file *f)
{
    if (f->found)
        table_fini(&f->t);
}

static const char *cell(const struct file *f, size_t r, size_t i)
{
    return table_cell(&f->t, r, f->col[i]);
}

static double value(const struct file *f, size_t r, size_t i)
{
    return table_value(&f->t, r, f->col[i]);
}

enum { F_FILE, F_ROW, F_COLUMN, F_CURRENT, F_FITTED, F_MEAN, F_LOW, F_HIGH, F_N, F_CHANGED };
static const char *const fit_cols[] = { "file", "row", "column", "current", "fitted", "fitted_mean",
                                        "ci_low", "ci_high", "n", "changed" };
enum { V_MODEL, V_PAIR, V_N_OBS, V_N_SIM, V_OBS, V_OBS_LO, V_OBS_HI, V_SIM, V_SIM_LO, V_SIM_HI, V_OBS95,
       V_SIM95, V_KS, V_P, V_VERDICT };
static const char *const val_cols[] = { "model", "pair", "n_observed", "n_simulated", "observed_mean_d",
                                        "observed_mean_ci_low", "observed_mean_ci_high", "simulated_mean_d",
                                        "simulated_mean_ci_low", "simulated_mean_ci_high", "observed_p95_d",
                                        "simulated_p95_d", "ks_d", "p_value", "verdict" };
#define N_OF(a) (sizeof a / sizeof *a)

/* "1 of 2 pairs consistent" for one model, and its all-pairs row. */
static void verdicts(struct strbuf *b, const struct file *v, const char *model)
{
    size_t pairs = 0, consistent = 0, all = SIZE_MAX;
    for (size_t r = 0; r < v->t.nrow; r++) {
        if (strcmp(cell(v, r, V_MODEL), model))
            continue;
        if (!strcmp(cell(v, r, V_PAIR), "all")) {
            all = r;
            continue;
        }
        pairs++;
        consistent += !strcmp(cell(v, r, V_VERDICT), "consistent");
    }
    char p[32];
    strbuf_printf(b, "%zu of %zu pairs consistent with the observations", consistent, pairs);
    if (all != SIZE_MAX) {
        strbuf_printf(b, " (all pairs together: ");
        html_esc(b, cell(v, all, V_VERDICT));
        strbuf_printf(b, ", Kolmogorov–Smirnov p = %s)", html_num(p, value(v, all, V_P)));
    }
}

enum rm_status html_calibrate_summary(struct page *p)
{
    struct strbuf *b = html_page_text(p);
    struct file fits, val;
    enum rm_status st = load(p, &fits, RESULTS_CALIBRATION_CSV, fit_cols, N_OF(fit_cols));
    if (st == RM_OK)
        st = load(p, &val, RESULTS_VALIDATION_CSV, val_cols, N_OF(val_cols));
    if (st != RM_OK) {
        fini(&fits);
        return st;
    }
    size_t legs = 0, changed = 0;
    for (size_t r = 0; fits.found && r < fits.t.nrow; r++)
        if (!strcmp(cell(&fits, r, F_FILE), "legs.csv")) {
            legs++;
            changed += !strcmp(cell(&fits, r, F_CHANGED), "yes");
        }
    strbuf_printf(b, "<section class=\"summary\">\n<h2>Summary</h2>\n<p>The tracking events fitted %zu of the "
                     "scenario's legs; %zu %s outside what the events allow and %s changed:</p>\n<ul>\n",
                  legs, changed, changed == 1 ? "was" : "were", changed == 1 ? "is" : "are");
    for (size_t r = 0; fits.found && r < fits.t.nrow; r++) {
        if (strcmp(cell(&fits, r, F_FILE), "legs.csv") || strcmp(cell(&fits, r, F_CHANGED), "yes"))
            continue;
        strbuf_printf(b, "<li><b>");
        html_esc(b, cell(&fits, r, F_ROW));
        strbuf_printf(b, "</b>: ");
        html_esc(b, cell(&fits, r, F_CURRENT));
        strbuf_printf(b, " → ");
        html_esc(b, cell(&fits, r, F_FITTED));
        strbuf_printf(b, ", a mean of ");
        html_level(b, value(&fits, r, F_MEAN), value(&fits, r, F_LOW), value(&fits, r, F_HIGH));
        strbuf_printf(b, " hours from ");
        html_esc(b, cell(&fits, r, F_N));
        strbuf_printf(b, " trains.</li>\n");
    }
    if (val.found) {
        strbuf_printf(b, "<li>The scenario as it was: ");
        verdicts(b, &val, "scenario");
        strbuf_printf(b, ".</li>\n<li>Calibrated: ");
        verdicts(b, &val, "calibrated");
        strbuf_printf(b, ".</li>\n");
    }
    strbuf_printf(b, "</ul>\n<p class=\"note\">The changed rows are in <code>overlay/</code> beside this page: "
                     "run them with <code>railmail run SCENARIO --overlay DIR/overlay</code>, or copy them into the "
                     "scenario's <code>proposals/</code> to compare. A leg is changed only when its current mean "
                     "lies outside what the events allow (Holm-corrected over the legs); a pair is consistent when "
                     "the two-sample Kolmogorov–Smirnov test, over one observation per train, does not tell the "
                     "observed and simulated transit times apart (Holm-corrected over the pairs). Timetables and "
                     "demand are reported as the events show them, not proposed.</p>\n</section>\n");
    fini(&fits);
    fini(&val);
    return RM_OK;
}

enum rm_status html_calibrate_fits(struct page *p)
{
    struct strbuf *b = html_page_text(p);
    struct file f;
    enum rm_status st = load(p, &f, RESULTS_CALIBRATION_CSV, fit_cols, N_OF(fit_cols));
    if (st != RM_OK || !f.found)
        return st;
    strbuf_printf(b, "<h2>What the events show</h2>\n<table><tr><th>file</th><th>row</th><th>column</th>"
                     "<th>the scenario's</th><th>fitted</th><th class=\"n\">mean [interval]</th><th class=\"n\">n</th>"
                     "<th>changed</th></tr>\n");
    for (size_t r = 0; r < f.t.nrow; r++) {
        strbuf_printf(b, "<tr>");
        for (size_t i = F_FILE; i <= F_FITTED; i++) {
            strbuf_printf(b, "<td>");
            html_esc(b, cell(&f, r, i));
            strbuf_printf(b, "</td>");
        }
        strbuf_printf(b, "<td class=\"n\">");
        html_level(b, value(&f, r, F_MEAN), value(&f, r, F_LOW), value(&f, r, F_HIGH));
        strbuf_printf(b, "</td><td class=\"n\">");
        html_esc(b, cell(&f, r, F_N));
        strbuf_printf(b, "</td><td>");
        html_esc(b, cell(&f, r, F_CHANGED));
        strbuf_printf(b, "</td></tr>\n");
    }
    strbuf_printf(b, "</table>\n");
    fini(&f);
    return RM_OK;
}

/* The chart calibrate drew from the events, inlined as it is: a PNG (its
 * signature checked: the folder may come from anyone) as a data address,
 * which the page's Content-Security-Policy allows for images only. */
static void chart(struct strbuf *b, const char *dir)
{
    static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    char path[4200], *data = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/" RESULTS_VALIDATION_CHART ".png", dir);
    if (csvread_slurp(path, &data, &len) != RM_OK || len < sizeof png || memcmp(data, png, sizeof png)) {
        free(data);
        return;
    }
    char *text = malloc(BASE64_ENCODE_RAW_LENGTH(len) + 1);
    if (text) {
        base64_encode_raw(text, len, (const uint8_t *)data);
        text[BASE64_ENCODE_RAW_LENGTH(len)] = '\0';
        strbuf_printf(b, "<figure><img alt=\"observed and simulated transit times\" style=\"max-width:100%%\" "
                         "src=\"data:image/png;base64,%s\"><figcaption>Transit times observed and simulated, one "
                         "observation per train: the scenario as it was and the calibrated one, for all pairs and "
                         "the pairs the calibrated scenario fits worst.</figcaption></figure>\n", text);
    }
    free(text);
    free(data);
}

enum rm_status html_calibrate_validation(struct page *p)
{
    struct strbuf *b = html_page_text(p);
    struct file v;
    enum rm_status st = load(p, &v, RESULTS_VALIDATION_CSV, val_cols, N_OF(val_cols));
    if (st != RM_OK || !v.found)
        return st;
    strbuf_printf(b, "<h2>Observed against simulated, pair by pair</h2>\n<table><tr><th>model</th><th>pair</th>"
                     "<th class=\"n\">trains observed</th><th class=\"n\">mean observed (days)</th>"
                     "<th class=\"n\">mean simulated</th><th class=\"n\">p95 observed</th><th class=\"n\">p95 "
                     "simulated</th><th class=\"n\">KS p</th><th>verdict</th></tr>\n");
    for (size_t r = 0; r < v.t.nrow; r++) {
        char x[32];
        strbuf_printf(b, "<tr><td>");
        html_esc(b, cell(&v, r, V_MODEL));
        strbuf_printf(b, "</td><td>");
        html_esc(b, cell(&v, r, V_PAIR));
        strbuf_printf(b, "</td><td class=\"n\">");
        html_esc(b, cell(&v, r, V_N_OBS));
        strbuf_printf(b, "</td><td class=\"n\">");
        html_level(b, value(&v, r, V_OBS), value(&v, r, V_OBS_LO), value(&v, r, V_OBS_HI));
        strbuf_printf(b, "</td><td class=\"n\">");
        html_level(b, value(&v, r, V_SIM), value(&v, r, V_SIM_LO), value(&v, r, V_SIM_HI));
        strbuf_printf(b, "</td><td class=\"n\">%s</td>", html_num(x, value(&v, r, V_OBS95)));
        strbuf_printf(b, "<td class=\"n\">%s</td>", html_num(x, value(&v, r, V_SIM95)));
        strbuf_printf(b, "<td class=\"n\">%s</td><td>", html_num(x, value(&v, r, V_P)));
        html_esc(b, cell(&v, r, V_VERDICT));
        strbuf_printf(b, "</td></tr>\n");
    }
    strbuf_printf(b, "</table>\n");
    chart(b, html_page_dir(p));
    fini(&v);
    return RM_OK;
}
