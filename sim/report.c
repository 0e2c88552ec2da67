/* report: writes the CSVs of a results directory from the replication
 * records. Every file is written in replication and row order, so equal
 * inputs give equal bytes. */
#include "railmail/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "railmail/calendar.h"
#include "railmail/csvwrite.h"
#include "railmail/metric.h"
#include "railmail/results.h"
#include "railmail/strbuf.h"

static FILE *open_csv(const char *dir, const char *name, const char *header, struct diag *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
    else
        csvwrite_header(f, header);
    return f;
}

static enum rm_status close_csv(FILE *f, const char *dir, const char *name, struct diag *d)
{
    if ((ferror(f) | fclose(f)) == 0)
        return RM_OK;
    return diag_fail(d, RM_EIO, "cannot write %s/%s", dir, name);
}

/* The summary's row after what `l` holds already (the monthly file's month). */
static void summary_row(struct csvwrite_line *l, const char *metric, const char *scope,
                        const struct stats_summary *s)
{
    csvwrite_line_field(l, metric), csvwrite_line_char(l, ',');
    csvwrite_line_field(l, scope), csvwrite_line_char(l, ',');
    csvwrite_line_number(l, s->mean), csvwrite_line_char(l, ',');
    csvwrite_line_number(l, s->ci_low), csvwrite_line_char(l, ',');
    csvwrite_line_number(l, s->ci_high), csvwrite_line_char(l, ',');
    csvwrite_line_number(l, s->sd), csvwrite_line_char(l, ',');
    csvwrite_line_uint(l, s->n);
    csvwrite_line_next(l);
}

void report_summary_row(FILE *f, const char *metric, const char *scope, const struct stats_summary *s)
{
    struct csvwrite_line l;
    csvwrite_line_start(&l, f);
    summary_row(&l, metric, scope, s);
    csvwrite_line_flush(&l);
}

/* Every row with at least one finite value across replications. */
static void write_summary(FILE *f, const struct run_result *r)
{
    const struct model *m = r->model;
    struct csvwrite_line l;
    csvwrite_line_start(&l, f);
    for (size_t row = 0; row < model_rows(m); row++) {
        const struct stats_summary *s = &r->summary[row];
        if (s->n == 0 || model_row_month(m, row) >= 0 || model_row_budget(m, row))
            continue;
        summary_row(&l, model_row_metric(m, row), model_row_scope(m, row), s);
    }
    csvwrite_line_flush(&l);
}

/* The time budget: the summary's columns for every segment of every
 * scope with a batch delivered, scope by scope. */
static void write_budget(FILE *f, const struct run_result *r)
{
    const struct model *m = r->model;
    size_t segments, scopes, first = model_budget(m, &segments, &scopes);
    struct csvwrite_line l;
    csvwrite_line_start(&l, f);
    for (size_t row = first; row < first + segments * scopes; row++)
        if (r->summary[row].n > 0)
            summary_row(&l, model_row_metric(m, row), model_row_scope(m, row), &r->summary[row]);
    csvwrite_line_flush(&l);
}

static void write_replications(FILE *f, const struct run_result *r)
{
    const struct model *m = r->model;
    struct csvwrite_line l;
    csvwrite_line_start(&l, f);
    for (unsigned i = 0; i < r->n; i++)
        for (size_t row = 0; row < model_rows(m); row++) {
            double v = run_value(r, i, row);
            if (isnan(v) || model_row_month(m, row) >= 0 || model_row_budget(m, row))
                continue;
            csvwrite_line_uint(&l, i + 1), csvwrite_line_char(&l, ',');
            csvwrite_line_field(&l, model_row_metric(m, row)), csvwrite_line_char(&l, ',');
            csvwrite_line_field(&l, model_row_scope(m, row)), csvwrite_line_char(&l, ',');
            csvwrite_line_number(&l, v);
            csvwrite_line_next(&l);
        }
    csvwrite_line_flush(&l);
}

/* The monthly file: the summary's columns after the month, for every
 * monthly row with at least one finite value, month by month. */
static void write_monthly(FILE *f, const struct run_result *r)
{
    const struct model *m = r->model;
    struct csvwrite_line l;
    csvwrite_line_start(&l, f);
    for (size_t row = 0; row < model_rows(m); row++) {
        const struct stats_summary *s = &r->summary[row];
        int32_t month = model_row_month(m, row);
        if (s->n == 0 || month < 0)
            continue;
        char text[8];
        calendar_month_format(month, text);
        csvwrite_line_put(&l, text, strlen(text)), csvwrite_line_char(&l, ',');
        summary_row(&l, model_row_metric(m, row), model_row_scope(m, row), s);
    }
    csvwrite_line_flush(&l);
}

/* Mean across replications of daily series `series` on `day`. */
static double day_mean(const struct run_result *r, size_t series, size_t day)
{
    return r->daily_mean[day * model_series(r->model) + series];
}

/* "DAY,DATE," of a daily row: the simulated day and its calendar date. */
static void day_fields(struct csvwrite_line *l, size_t day, int32_t start_day)
{
    char date[11];
    calendar_format(start_day + (int32_t)day, date);
    csvwrite_line_uint(l, day), csvwrite_line_char(l, ',');
    csvwrite_line_put(l, date, strlen(date)), csvwrite_line_char(l, ',');
}

static void write_throughput(FILE *f, const struct run_result *r, int32_t start_day)
{
    struct csvwrite_line l;
    csvwrite_line_start(&l, f);
    for (size_t day = 0; day < model_days(r->model); day++) {
        day_fields(&l, day, start_day);
        csvwrite_line_number(&l, day_mean(r, MODEL_SERIES_DELIVERED_T, day)), csvwrite_line_char(&l, ',');
        csvwrite_line_number(&l, r->delivered_ci[2 * day]), csvwrite_line_char(&l, ',');
        csvwrite_line_number(&l, r->delivered_ci[2 * day + 1]), csvwrite_line_char(&l, ',');
        csvwrite_line_number(&l, day_mean(r, MODEL_SERIES_BACKLOG, day));
        csvwrite_line_next(&l);
    }
    csvwrite_line_flush(&l);
}

/* Tonnes delivered per week (days 7w .. 7w+6, `days` fewer in a last,
 * partial week) with the interval of the weekly total across replications. */
static void write_weekly(FILE *f, const struct run_result *r, int32_t start_day)
{
    size_t days = model_days(r->model);
    for (size_t w = 0; w < run_weeks(r->model); w++) {
        char date[11];
        calendar_format(start_day + (int32_t)(7 * w), date);
        fprintf(f, "%zu,%s,%zu,", w, date, days - 7 * w < 7 ? days - 7 * w : 7);
        csvwrite_number(f, r->weekly[3 * w]), fputc(',', f);
        csvwrite_number(f, r->weekly[3 * w + 1]), fputc(',', f);
        csvwrite_number(f, r->weekly[3 * w + 2]);
        fputc('\n', f);
    }
}

/* Long format: one row per day and name, for series first..first+count-1. */
static void write_long(FILE *f, const struct run_result *r, size_t first, size_t count, int32_t start_day)
{
    const struct model *m = r->model;
    struct csvwrite_line l;
    csvwrite_line_start(&l, f);
    for (size_t day = 0; day < model_days(m); day++)
        for (size_t k = first; k < first + count; k++) {
            const char *name = strchr(model_series_name(m, k), ':') + 1;
            day_fields(&l, day, start_day);
            csvwrite_line_field(&l, name), csvwrite_line_char(&l, ',');
            csvwrite_line_number(&l, day_mean(r, k, day));
            csvwrite_line_next(&l);
        }
    csvwrite_line_flush(&l);
}

/* Transit days pooled over replications in quarter-day bins (the
 * histogram's coarser bins land whole in the quarter where they start). */
static void write_transit(FILE *f, const struct run_result *r)
{
    static const double width = 0.25;
    uint64_t total = 0;
    for (size_t b = 0; b < STATS_HIST_BINS; b++)
        total += r->transit[b];
    uint64_t cum = 0, count = 0;
    size_t q = 0;
    for (size_t b = 0; b < STATS_HIST_BINS && cum < total; b++) {
        size_t qb = (size_t)(stats_hist_bin_low(b) / width + 1e-9);
        for (; q < qb; q++, count = 0)
            fprintf(f, "%.2f,%.4f,%.4f\n", q * width, 100.0 * count / total, 100.0 * cum / total);
        count += r->transit[b];
        cum += r->transit[b];
    }
    if (total)
        fprintf(f, "%.2f,%.4f,%.4f\n", q * width, 100.0 * count / total, 100.0 * cum / total);
}

/* The row of `metric` at `scope` and its summary; NULL when the model has none. */
static const struct stats_summary *summary_at(const struct run_result *r, const char *metric, const char *scope)
{
    size_t row = model_row(r->model, metric, scope);
    return row == SIZE_MAX ? NULL : &r->summary[row];
}

/* "MEAN,CI_LOW,CI_HIGH" of a summary (empty fields where undefined). */
static void summary_fields(FILE *f, const struct stats_summary *s)
{
    csvwrite_number(f, s ? s->mean : NAN), fputc(',', f);
    csvwrite_number(f, s ? s->ci_low : NAN), fputc(',', f);
    csvwrite_number(f, s ? s->ci_high : NAN);
}

/* The pairs' measures after origin, destination and posted (the batches
 * posted): each metric's mean and interval, columns named after it. What
 * a director asks of a pair: reliability, speed, and what a kilogram costs
 * (in meta.csv's currency) and emits. */
static const enum metric_id pair_metric[] = { METRIC_ON_TIME, METRIC_TRANSIT_P50, METRIC_TRANSIT_P95,
                                              METRIC_COST_PER_KG, METRIC_CO2_PER_KG };

/* The pairs' header: origin,destination,posted,M,M_ci_low,M_ci_high,... */
static void pairs_header(struct strbuf *b)
{
    strbuf_printf(b, RESULTS_PAIRS_KEY_COLUMNS);
    for (size_t k = 0; k < sizeof pair_metric / sizeof *pair_metric; k++) {
        const char *m = metric_name(pair_metric[k]);
        strbuf_printf(b, ",%s,%s" RESULTS_CI_LOW_SUFFIX ",%s" RESULTS_CI_HIGH_SUFFIX, m, m, m);
    }
}

/* The pairs' file: one row per origin-destination pair, in demand.csv's
 * order, with what a director asks of it: volume, reliability, speed, and
 * what a kilogram costs (in the scenario's currency) and emits. */
static void write_pairs(FILE *f, const struct scenario *s, const struct run_result *r)
{
    for (size_t i = 0; i < s->n_demand; i++) {
        const char *o = s->nodes[s->demand[i].origin].id, *dst = s->nodes[s->demand[i].destination].id;
        struct strbuf scope = {0};
        strbuf_printf(&scope, "od:%s-%s", o, dst);
        const struct stats_summary *posted = summary_at(r, metric_name(METRIC_POSTED), strbuf_str(&scope));
        csvwrite_field(f, o), fputc(',', f);
        csvwrite_field(f, dst), fputc(',', f);
        csvwrite_number(f, posted ? posted->mean : NAN);
        for (size_t k = 0; k < sizeof pair_metric / sizeof *pair_metric; k++)
            fputc(',', f), summary_fields(f, summary_at(r, metric_name(pair_metric[k]), strbuf_str(&scope)));
        fputc('\n', f);
        strbuf_fini(&scope);
    }
}

/* A `key,value` row of the chart settings with a number written as %g. */
static void meta_number(FILE *f, const char *key, double x)
{
    char text[64];
    snprintf(text, sizeof text, "%g", x);
    csvwrite_pair(f, key, text);
}

/* The names joined by ';', malloc'd, when that reads back exactly: no name
 * is empty, holds a ';' or has a space at either end (the reader trims
 * each name). NULL otherwise, or without memory. */
static char *joined(const char *const *names, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(names[i]);
        if (!k || strchr(names[i], ';') || names[i][0] == ' ' || names[i][k - 1] == ' ')
            return NULL;
        len += k + 1;
    }
    char *list = malloc(len);
    if (!list)
        return NULL;
    list[0] = '\0';
    for (size_t i = 0, at = 0; i < n; i++)
        at += (size_t)sprintf(list + at, "%s%s", i ? ";" : "", names[i]);
    return list;
}

/* The proposals in one row `proposals,a;b;c`, as earlier versions wrote
 * them, when that reads back exactly; otherwise one `proposal` row each. */
static void write_proposals(FILE *f, const char *const *names, size_t n)
{
    char *list = joined(names, n);
    if (list)
        csvwrite_pair(f, RESULTS_KEY_PROPOSALS, list);
    for (size_t i = 0; !list && i < n; i++)
        csvwrite_pair(f, RESULTS_KEY_PROPOSAL, names[i]);
    free(list);
}

/* One row per precision target: what was asked, what was reached. */
static void write_precision(FILE *f, const struct run_precision *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char text[600];
        snprintf(text, sizeof text, "%s@%s half-width <= %g%s: %.6g, %s", p[i].metric, p[i].scope, p[i].half,
                 p[i].relative ? "% of the mean" : "", p[i].achieved, p[i].met ? "met" : "not met");
        csvwrite_pair(f, RESULTS_KEY_PRECISION, text);
    }
}

static void write_meta(FILE *f, const struct scenario *s, unsigned replications, enum results_kind kind,
                       const char *const *proposals, size_t n_proposals)
{
    csvwrite_pair(f, RESULTS_KEY_KIND, results_kind_name(kind));
    csvwrite_pair(f, RESULTS_KEY_SCENARIO, scenario_basename(s));
    csvwrite_pair(f, RESULTS_KEY_TITLE, s->name ? s->name : s->dir);
    csvwrite_pair_text(f, RESULTS_KEY_DESCRIPTION, s->description ? s->description : "");
    meta_number(f, RESULTS_KEY_HORIZON_D, s->horizon_d);
    meta_number(f, RESULTS_KEY_WARMUP_D, s->warmup_d);
    char text[32];
    snprintf(text, sizeof text, "%u", replications);
    csvwrite_pair(f, RESULTS_KEY_REPLICATIONS, text);
    snprintf(text, sizeof text, "%llu", (unsigned long long)s->seed);
    csvwrite_pair(f, RESULTS_KEY_SEED, text);
    meta_number(f, RESULTS_KEY_CONFIDENCE, s->confidence);
    meta_number(f, RESULTS_KEY_SERVICE_STANDARD_D, s->service_standard_d);
    meta_number(f, RESULTS_KEY_RUNOUT_D, s->runout_d);
    csvwrite_pair(f, RESULTS_KEY_CURRENCY, s->currency);
    csvwrite_pair(f, RESULTS_KEY_SCENARIO_KIND, s->forecast ? RESULTS_SCENARIO_FORECAST : RESULTS_SCENARIO_DECISION);
    if (n_proposals)
        write_proposals(f, proposals, n_proposals);
}

/* What each file of a run needs, so one loop can write them all. */
struct run_file {
    const struct scenario *s;
    const struct run_result *r;
    enum results_kind kind;
};

static void summary_file(FILE *f, const struct run_file *x) { write_summary(f, x->r); }
static void replications_file(FILE *f, const struct run_file *x) { write_replications(f, x->r); }
static void throughput_file(FILE *f, const struct run_file *x) { write_throughput(f, x->r, x->s->start_day); }
static void group_file(FILE *f, const struct run_file *x, enum model_group g)
{
    size_t count, first = model_group(x->r->model, g, &count);
    write_long(f, x->r, first, count, x->s->start_day);
}
static void dest_file(FILE *f, const struct run_file *x) { group_file(f, x, MODEL_DELIVERED_DEST); }
static void backlog_file(FILE *f, const struct run_file *x) { group_file(f, x, MODEL_BACKLOG_NODE); }
static void train_wait_file(FILE *f, const struct run_file *x) { group_file(f, x, MODEL_TRAIN_WAIT_NODE); }
static void transit_file(FILE *f, const struct run_file *x) { write_transit(f, x->r); }
static void pairs_file(FILE *f, const struct run_file *x) { write_pairs(f, x->s, x->r); }
static void monthly_file(FILE *f, const struct run_file *x) { write_monthly(f, x->r); }
static void budget_file(FILE *f, const struct run_file *x) { write_budget(f, x->r); }
static void weekly_file(FILE *f, const struct run_file *x) { write_weekly(f, x->r, x->s->start_day); }
static void meta_file(FILE *f, const struct run_file *x)
{
    write_meta(f, x->s, x->r->n, x->kind, NULL, 0);
    write_precision(f, x->r->precision, x->r->n_precision);
}

enum rm_status report_run(const char *dir, const struct scenario *s, const struct run_result *r,
                          enum results_kind kind, struct diag *d)
{
    struct run_file x = { s, r, kind };
    struct strbuf pairs = { 0 };
    pairs_header(&pairs);
    if (pairs.oom)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    const struct {
        const char *name, *header;
        void (*write)(FILE *, const struct run_file *);
    } file[] = {
        { RESULTS_SUMMARY_CSV, RESULTS_SUMMARY_COLUMNS, summary_file },
        { RESULTS_MONTHLY_CSV, RESULTS_MONTHLY_COLUMNS, monthly_file },
        { RESULTS_REPLICATIONS_CSV, RESULTS_REPLICATIONS_COLUMNS, replications_file },
        { RESULTS_THROUGHPUT_CSV, RESULTS_THROUGHPUT_COLUMNS, throughput_file },
        { RESULTS_THROUGHPUT_DEST_CSV, RESULTS_THROUGHPUT_DEST_COLUMNS, dest_file },
        { RESULTS_THROUGHPUT_WEEKLY_CSV, RESULTS_THROUGHPUT_WEEKLY_COLUMNS, weekly_file },
        { RESULTS_BACKLOG_CSV, RESULTS_BACKLOG_COLUMNS, backlog_file },
        { RESULTS_TRAIN_WAIT_CSV, RESULTS_TRAIN_WAIT_COLUMNS, train_wait_file },
        { RESULTS_TRANSIT_CSV, RESULTS_TRANSIT_COLUMNS, transit_file },
        { RESULTS_PAIRS_CSV, strbuf_str(&pairs), pairs_file },
        { RESULTS_BUDGET_CSV, RESULTS_BUDGET_COLUMNS, budget_file },
        { RESULTS_META_CSV, RESULTS_KEY_VALUE_COLUMNS, meta_file },
    };
    enum rm_status st = RM_OK;
    for (size_t i = 0; st == RM_OK && i < sizeof file / sizeof *file; i++) {
        FILE *f = open_csv(dir, file[i].name, file[i].header, d);
        if (!f) {
            st = RM_EIO;
            break;
        }
        file[i].write(f, &x);
        st = close_csv(f, dir, file[i].name, d);
    }
    strbuf_fini(&pairs);
    return st;
}

enum rm_status report_meta(const char *dir, const struct scenario *s, unsigned replications,
                           enum results_kind kind, const char *const *proposals, size_t n_proposals,
                           const struct run_precision *precision, size_t n_precision, struct diag *d)
{
    FILE *f = open_csv(dir, RESULTS_META_CSV, RESULTS_KEY_VALUE_COLUMNS, d);
    if (!f)
        return RM_EIO;
    write_meta(f, s, replications, kind, proposals, n_proposals);
    write_precision(f, precision, n_precision);
    return close_csv(f, dir, RESULTS_META_CSV, d);
}
