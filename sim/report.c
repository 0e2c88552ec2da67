/* report: writes the CSVs of a results directory from the replication
 * records. Every file is written in replication and row order, so equal
 * inputs give equal bytes. */
#include "railmail/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void report_number(FILE *f, double x)
{
    if (isnan(x))
        return;
    if (x == floor(x) && fabs(x) < 1e15)
        fprintf(f, "%.0f", x);
    else
        fprintf(f, "%.6g", x);
}

void report_field(FILE *f, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static FILE *open_csv(const char *dir, const char *name, const char *header, struct diag *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
    else
        fputs(header, f);
    return f;
}

static enum rm_status close_csv(FILE *f, const char *dir, const char *name, struct diag *d)
{
    if ((ferror(f) | fclose(f)) == 0)
        return RM_OK;
    return diag_fail(d, RM_EIO, "cannot write %s/%s", dir, name);
}

/* Every row with at least one finite value across replications. */
static void write_summary(FILE *f, const struct run_result *r)
{
    const struct model *m = r->model;
    for (size_t row = 0; row < model_rows(m); row++) {
        const struct stats_summary *s = &r->summary[row];
        if (s->n == 0)
            continue;
        fprintf(f, "%s,%s,", model_row_metric(m, row), model_row_scope(m, row));
        report_number(f, s->mean), fputc(',', f);
        report_number(f, s->ci_low), fputc(',', f);
        report_number(f, s->ci_high), fputc(',', f);
        report_number(f, s->sd);
        fprintf(f, ",%zu\n", s->n);
    }
}

static void write_replications(FILE *f, const struct run_result *r)
{
    const struct model *m = r->model;
    for (unsigned i = 0; i < r->n; i++)
        for (size_t row = 0; row < model_rows(m); row++) {
            double v = run_value(r, i, row);
            if (isnan(v))
                continue;
            fprintf(f, "%u,%s,%s,", i + 1, model_row_metric(m, row), model_row_scope(m, row));
            report_number(f, v);
            fputc('\n', f);
        }
}

/* Mean across replications of daily series `series` on `day`. */
static double day_mean(const struct run_result *r, size_t series, size_t day)
{
    return r->daily_mean[day * model_series(r->model) + series];
}

static void write_throughput(FILE *f, const struct run_result *r)
{
    for (size_t day = 0; day < model_days(r->model); day++) {
        fprintf(f, "%zu,", day);
        report_number(f, day_mean(r, 0, day)), fputc(',', f);
        report_number(f, r->delivered_ci[2 * day]), fputc(',', f);
        report_number(f, r->delivered_ci[2 * day + 1]), fputc(',', f);
        report_number(f, day_mean(r, 1, day));
        fputc('\n', f);
    }
}

/* Long format: one row per day and name, for series first..first+count-1. */
static void write_long(FILE *f, const struct run_result *r, size_t first, size_t count)
{
    const struct model *m = r->model;
    for (size_t day = 0; day < model_days(m); day++)
        for (size_t k = first; k < first + count; k++) {
            const char *name = strchr(model_series_name(m, k), ':') + 1;
            fprintf(f, "%zu,%s,", day, name);
            report_number(f, day_mean(r, k, day));
            fputc('\n', f);
        }
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

static void write_meta(FILE *f, const struct scenario *s, unsigned replications, const char *kind,
                       const char *proposals)
{
    fprintf(f, "kind,%s\nscenario,", kind);
    const char *base = strrchr(s->dir, '/');
    report_field(f, base && base[1] ? base + 1 : s->dir);
    fputs("\ntitle,", f);
    report_field(f, s->name ? s->name : s->dir);
    fputs("\ndescription,", f);
    report_field(f, s->description ? s->description : "");
    fprintf(f, "\nhorizon_d,%g\nwarmup_d,%g\nreplications,%u\nseed,%llu\nconfidence,%g\nservice_standard_d,%g\n",
            s->horizon_d, s->warmup_d, replications, (unsigned long long)s->seed, s->confidence,
            s->service_standard_d);
    if (proposals) {
        fputs("proposals,", f);
        report_field(f, proposals);
        fputc('\n', f);
    }
}

/* What each file of a run needs, so one loop can write them all. */
struct run_file {
    const struct scenario *s;
    const struct run_result *r;
    const char *kind, *proposals;
};

static void summary_file(FILE *f, const struct run_file *x) { write_summary(f, x->r); }
static void replications_file(FILE *f, const struct run_file *x) { write_replications(f, x->r); }
static void throughput_file(FILE *f, const struct run_file *x) { write_throughput(f, x->r); }
static void group_file(FILE *f, const struct run_file *x, enum model_group g)
{
    size_t count, first = model_group(x->r->model, g, &count);
    write_long(f, x->r, first, count);
}
static void dest_file(FILE *f, const struct run_file *x) { group_file(f, x, MODEL_DELIVERED_DEST); }
static void backlog_file(FILE *f, const struct run_file *x) { group_file(f, x, MODEL_BACKLOG_NODE); }
static void train_wait_file(FILE *f, const struct run_file *x) { group_file(f, x, MODEL_TRAIN_WAIT_NODE); }
static void transit_file(FILE *f, const struct run_file *x) { write_transit(f, x->r); }
static void meta_file(FILE *f, const struct run_file *x) { write_meta(f, x->s, x->r->n, x->kind, x->proposals); }

enum rm_status report_run(const char *dir, const struct scenario *s, const struct run_result *r,
                          const char *kind, const char *proposals, struct diag *d)
{
    struct run_file x = { s, r, kind, proposals };
    static const struct {
        const char *name, *header;
        void (*write)(FILE *, const struct run_file *);
    } file[] = {
        { "summary.csv", "metric,scope,mean,ci_low,ci_high,sd,n\n", summary_file },
        { "replications.csv", "replication,metric,scope,value\n", replications_file },
        { "throughput.csv", "day,delivered_t_mean,delivered_t_ci_low,delivered_t_ci_high,backlog_batches_mean\n",
          throughput_file },
        { "throughput_dest.csv", "day,destination,delivered_t_mean\n", dest_file },
        { "backlog.csv", "day,node,backlog_batches_mean\n", backlog_file },
        { "train_wait.csv", "day,node,train_wait_d_mean\n", train_wait_file },
        { "transit.csv", "transit_d,batches_pct,cum_pct\n", transit_file },
        { "meta.csv", "key,value\n", meta_file },
    };
    for (size_t i = 0; i < sizeof file / sizeof *file; i++) {
        FILE *f = open_csv(dir, file[i].name, file[i].header, d);
        if (!f)
            return RM_EIO;
        file[i].write(f, &x);
        enum rm_status st = close_csv(f, dir, file[i].name, d);
        if (st != RM_OK)
            return st;
    }
    return RM_OK;
}

enum rm_status report_meta(const char *dir, const struct scenario *s, unsigned replications,
                           const char *kind, const char *proposals, struct diag *d)
{
    FILE *f = open_csv(dir, "meta.csv", "key,value\n", d);
    if (!f)
        return RM_EIO;
    write_meta(f, s, replications, kind, proposals);
    return close_csv(f, dir, "meta.csv", d);
}
