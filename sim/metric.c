/* metric: the catalogue of every metric railmail reports and the kinds of
 * scope it reports them at. A metric is one row here plus its computation
 * in the model's collect(); summary rows, compare's directions, headlines
 * and verdicts, the charts' panels, --metric, --target, --precision and
 * --help all read this table, so a metric's name is written only here. */
#include "railmail/metric.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "railmail/num.h"

#define BATCH METRIC_SCOPE_BATCH
#define MONTH METRIC_SCOPE_MONTH
#define LOWER METRIC_LOWER_BETTER
#define HIGHER METRIC_HIGHER_BETTER
#define NEUTRAL METRIC_NEUTRAL
#define TABLE METRIC_HEADLINE_TABLE
#define CHART METRIC_HEADLINE_CHART
#define JUDGED METRIC_JUDGED_PER_PAIR

/* The rows, in record order (metric.h's enum names them). */
static const struct metric catalogue[METRIC_COUNT] = {
    [METRIC_POSTED] = {
        "posted_batches", "batches", NEUTRAL, BATCH | MONTH, 0, 0, "batches posted",
        "batches posted after the warm-up", true },
    [METRIC_DELIVERED] = {
        "delivered_batches", "batches", HIGHER, BATCH | MONTH, 1, 0, "batches delivered",
        "of those, batches delivered by the end of the run-out", true },
    [METRIC_IN_FLIGHT] = {
        "in_flight_batches", "batches", LOWER, BATCH, 2, 0, "batches in flight",
        "of those, batches still undelivered at the end of the run-out (runout_d days after the horizon "
        "at most); counted late" },
    [METRIC_LOST] = {
        "lost_batches", "batches", LOWER, BATCH, 0, 0, "batches lost",
        "posted minus delivered minus in flight: always 0, checked every replication" },
    [METRIC_DELIVERED_T] = {
        "delivered_t", "tonnes", HIGHER, BATCH, 0, 0, "tonnes delivered",
        "tonnes delivered of the batches posted after the warm-up, through the run-out", true },
    [METRIC_TRANSIT_MEAN] = {
        "transit_mean_d", "days", LOWER, BATCH | MONTH, 3, TABLE | CHART | JUDGED, "mean transit time",
        "mean door-to-door days (posting to delivery) of delivered batches", .threshold = { 0.1, false } },
    [METRIC_TRANSIT_P50] = {
        "transit_p50_d", "days", LOWER, BATCH | MONTH, 4, 0, "median transit time",
        "median door-to-door days", .threshold = { 0.1, false } },
    [METRIC_TRANSIT_P90] = {
        "transit_p90_d", "days", LOWER, BATCH, 0, 0, "90th percentile transit time",
        "90th percentile of door-to-door days", .threshold = { 0.1, false } },
    [METRIC_TRANSIT_P95] = {
        "transit_p95_d", "days", LOWER, BATCH | MONTH, 5, TABLE | CHART | JUDGED, "95th percentile transit time",
        "95th percentile of door-to-door days", .threshold = { 0.1, false } },
    [METRIC_TRANSIT_P99] = {
        "transit_p99_d", "days", LOWER, BATCH, 0, 0, "99th percentile transit time",
        "99th percentile of door-to-door days", .threshold = { 0.1, false } },
    [METRIC_TRANSIT_MAX] = {
        "transit_max_d", "days", LOWER, BATCH, 0, 0, "longest transit time",
        "longest door-to-door days of a delivered batch", .threshold = { 0.1, false } },
    [METRIC_ON_TIME] = {
        "on_time_pct", "%", HIGHER, BATCH | MONTH, 6, TABLE | CHART | JUDGED, "batches on time",
        "share of the batches posted after the warm-up delivered within service_standard_d; those still "
        "undelivered at the end of the run-out count as late",
        .threshold = { 1, false } },
    [METRIC_THROUGHPUT] = {
        "throughput_t_per_d", "tonnes per day", HIGHER, BATCH | MONTH, 7, CHART, "throughput",
        "tonnes delivered per day from the warm-up to the horizon", true },
    [METRIC_TRACKING_GAP] = {
        "tracking_gap_max_h", "hours", LOWER, BATCH, 10, TABLE | CHART,
        "longest gap between tracking events",
        "mean over delivered batches of the longest silence between two tracking events",
        .threshold = { 1, false } },
    [METRIC_TRACKING_PER_BATCH] = {
        "tracking_events_per_batch", "events", HIGHER, BATCH, 0, 0, "tracking events per batch",
        "tracking events recorded per delivered batch" },
    /* Money and carbon. A departure's cost (services.csv) is shared among
     * the batches aboard by weight; a batch's CO2 is its tonnes times the
     * km times the g CO2e per tonne-km of every leg it rode (legs.csv). */
    [METRIC_COST_TOTAL] = {
        "cost_total", "currency", LOWER, BATCH, 0, 0, "cost",
        "cost of the departures after the warm-up (at scope all every departure, "
        "elsewhere the batches' share by weight)", true },
    [METRIC_COST_PER_KG] = {
        "cost_per_kg", "currency per kg", LOWER, BATCH, 12, TABLE | CHART, "cost per kg",
        "cost_total per kg delivered after the warm-up", .threshold = { 1, true } },
    [METRIC_CO2_TOTAL] = {
        "co2_kg_total", "kg CO2e", LOWER, BATCH, 0, 0, "CO2",
        "kg CO2e of the delivered batches posted after the warm-up: weight x km x "
        "g CO2e per tonne-km of every leg ridden", true },
    [METRIC_CO2_PER_KG] = {
        "co2_g_per_kg", "g CO2e per kg", LOWER, BATCH, 13, TABLE | CHART, "CO2 per kg",
        "g CO2e per kg of mail delivered (co2_kg_total over delivered_t)", .threshold = { 1, true } },
    [METRIC_TRAIN_UTILISATION] = {
        "train_utilisation_pct", "%", NEUTRAL, METRIC_SCOPE_ALL, 9, 0, "train utilisation",
        "mean peak load of every mail-carrying conveyance, as a share of its capacity" },
    [METRIC_MAX_BACKLOG] = {
        "max_backlog_batches", "batches", LOWER, METRIC_SCOPE_ALL | MONTH, 8, CHART, "largest backlog",
        "most batches held at the nodes at once, network-wide: waiting for a train, or aboard trains queueing for a server or being handled" },
    [METRIC_COST_PER_T] = {
        "cost_per_t", "currency per tonne", LOWER, METRIC_SCOPE_ALL, 11, 0, "cost per tonne",
        "cost of every departure after the warm-up (all cost models) per tonne delivered",
        .threshold = { 1, true } },
    [METRIC_SLOT_FILL] = {
        "slot_fill_pct", "%", HIGHER, METRIC_SCOPE_ALL, 0, 0, "slot fill",
        "peak load of departures with slots as a share of the tonnes of the slots paid for" },
    [METRIC_ENGINE_EVENTS] = {
        "events", "events", NEUTRAL, METRIC_SCOPE_ALL, 0, 0, "engine events",
        "events the simulation engine executed" },
    [METRIC_TRACKING_EVENTS] = {
        "tracking_events", "events", NEUTRAL, METRIC_SCOPE_ALL, 0, 0, "tracking events",
        "tracking events of every batch (posting, departures, scans, transfers, delivery)" },
    [METRIC_SERVER_UTILISATION] = {
        "server_utilisation_pct", "%", NEUTRAL, METRIC_SCOPE_NODE, 0, 0, "server utilisation",
        "share of the node's server hours that trains held" },
    [METRIC_TRAIN_QUEUE_WAIT] = {
        "train_queue_wait_h", "hours", LOWER, METRIC_SCOPE_NODE | MONTH, 0, 0, "train queue wait",
        "mean hours a train queued for a server in the window, those still queueing at the horizon with their wait until then" },
    [METRIC_NODE_BACKLOG] = {
        "backlog_batches_max", "batches", LOWER, METRIC_SCOPE_NODE, 0, 0, "largest backlog",
        "most batches held at the node at once: waiting for a train there, or aboard trains queueing for a server or being handled there" },
    [METRIC_TRAINS_HANDLED] = {
        "trains_handled", "trains", NEUTRAL, METRIC_SCOPE_NODE, 0, 0, "trains handled",
        "trains that got a server at the node" },
    [METRIC_TRAINS] = {
        "trains", "trains", NEUTRAL, METRIC_SCOPE_SERVICE, 0, 0, "trains",
        "departures of the service from the warm-up to the horizon" },
    [METRIC_TRAIN_TRANSIT] = {
        "train_transit_d", "days", LOWER, METRIC_SCOPE_SERVICE, 0, 0, "train transit time",
        "mean days from the first stop's departure to the last stop's arrival" },
    [METRIC_LOAD] = {
        "load_pct", "%", NEUTRAL, METRIC_SCOPE_SERVICE, 0, 0, "load",
        "mean peak load of a train as a share of its capacity" },
    /* the same names per service: one metric, reported at more scopes */
    [METRIC_SERVICE_COST_TOTAL] = {
        "cost_total", "currency", LOWER, METRIC_SCOPE_SERVICE, 0, 0, "cost",
        "cost of the service's departures after the warm-up", true },
    [METRIC_SERVICE_COST_PER_KG] = {
        "cost_per_kg", "currency per kg", LOWER, METRIC_SCOPE_SERVICE, 0, 0, "cost per kg",
        "the service's cost_total per kg boarded", .threshold = { 1, true } },
    [METRIC_SERVICE_SLOT_FILL] = {
        "slot_fill_pct", "%", HIGHER, METRIC_SCOPE_SERVICE, 0, 0, "slot fill",
        "peak load as a share of the tonnes of the slots paid for" },
    [METRIC_SERVICE_CO2_TOTAL] = {
        "co2_kg_total", "kg CO2e", LOWER, METRIC_SCOPE_SERVICE, 0, 0, "CO2",
        "kg CO2e of the mail the service's departures after the warm-up carried", true },
    [METRIC_SERVICE_CO2_PER_KG] = {
        "co2_g_per_kg", "g CO2e per kg", LOWER, METRIC_SCOPE_SERVICE, 0, 0, "CO2 per kg",
        "the service's co2_kg_total in g per kg boarded", .threshold = { 1, true } },
    /* compare's, from each replication's daily backlog and late mail */
    [METRIC_RECOVERY] = {
        "recovery_d", "days", LOWER, 0, 0, 0, "days to recover",
        "compare, for a proposal that adds or changes disruptions: days from the end of the last window it adds "
        "until the network's backlog stays within max(1 batch, 2 % of the baseline's mean) of the baseline's "
        "for 7 days", .threshold = { 1, false } },
    [METRIC_EXTRA_LATE] = {
        "extra_late_batches", "batches", LOWER, 0, 0, 0, "extra late batches",
        "compare, with recovery_d: late batches (posted and not on time) against the baseline's, "
        "paired by replication", .threshold = { 1, false } },
    [METRIC_EXTRA_LATE_T] = {
        "extra_late_t", "tonnes", LOWER, 0, 0, 0, "extra late tonnes",
        "compare, with recovery_d: extra_late_batches times the replication's mean batch weight", .threshold = { 0.1, false } },
};

/* In bit order: kind[k] is bit 1 << k. */
static const struct metric_scope_kind kind[] = {
    { "all", "", "all" },
    { "dest", "dest:", "dest:ID" },
    { "od", "od:", "od:ORIGIN-DEST" },
    { "node", "node:", "node:ID" },
    { "service", "service:", "service:ID" },
    { "origin", "origin:", "origin:ID" },
    { "path", "path:", "path:SVC>SVC" },
    { "month", "", NULL },
    /* "common:PROPOSAL" in a record, "common" in a comparison's files */
    { "common", "common:", "common" },
};
enum { N_KINDS = sizeof kind / sizeof *kind };
static_assert(1u << (N_KINDS - 1) == METRIC_SCOPE_COMMON, "a kind for every scope bit");

const struct metric_scope_kind *metric_scope_kind(unsigned bit)
{
    for (size_t k = 0; k < N_KINDS; k++)
        if (bit == 1u << k)
            return &kind[k];
    return NULL;
}

/* Whether `text` is made of what scenario ids are made of (letters,
 * digits, '_', '-', '.'), and '>' between a path's services. */
static bool ids_only(const char *text)
{
    for (const char *c = text; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("_-.>", *c))
            return false;
    return true;
}

unsigned metric_scope_of(const char *scope)
{
    for (size_t k = 0; k < N_KINDS; k++) {
        if (!kind[k].shape)
            continue;  /* month */
        size_t n = strlen(kind[k].prefix);
        /* common names a proposal, whose directory name may be any text */
        bool common = 1u << k == METRIC_SCOPE_COMMON;
        if (common && !strcmp(scope, kind[k].name))
            return 1u << k;
        if (n ? !strncmp(scope, kind[k].prefix, n) && scope[n] && (common || ids_only(scope + n))
              : !strcmp(scope, kind[k].name))
            return 1u << k;
    }
    return 0;
}

void metric_scopes_text(struct strbuf *b, unsigned scopes)
{
    const char *sep = "";
    for (size_t k = 0; k < N_KINDS; k++)
        if ((scopes & 1u << k) && kind[k].shape)
            strbuf_printf(b, "%s%s", sep, kind[k].shape), sep = ", ";
}

const struct metric *metric_get(enum metric_id id)
{
    return (size_t)id < METRIC_COUNT ? &catalogue[id] : NULL;
}

const char *metric_name(enum metric_id id)
{
    assert((size_t)id < METRIC_COUNT);
    return catalogue[id].name;
}

const struct metric *metric_find(const char *name)
{
    for (size_t i = 0; i < METRIC_COUNT; i++)
        if (!strcmp(catalogue[i].name, name))
            return &catalogue[i];
    return NULL;
}

bool metric_is_first(const struct metric *mt)
{
    return metric_find(mt->name) == mt;
}

unsigned metric_scopes(const struct metric *mt)
{
    unsigned scopes = 0;
    for (size_t i = 0; i < METRIC_COUNT; i++)
        if (!strcmp(catalogue[i].name, mt->name))
            scopes |= catalogue[i].scopes;
    return scopes;
}

bool metric_has_scope(const struct metric *mt, const char *scope)
{
    return (metric_scope_of(scope) & metric_scopes(mt) & METRIC_SCOPE_RUN) != 0;
}

const struct metric *metric_ranked(unsigned rank)
{
    for (size_t i = 0; rank && i < METRIC_COUNT; i++)
        if (catalogue[i].run_rank == rank)
            return &catalogue[i];
    return NULL;
}

/* A money unit: "currency" or "currency per ..." */
static const char money[] = "currency";

bool metric_is_money(const struct metric *mt)
{
    return !strncmp(mt->unit, money, sizeof money - 1);
}

const char *metric_unit(const struct metric *mt, const char *currency, char *buf, size_t size)
{
    if (!metric_is_money(mt))
        return mt->unit;
    snprintf(buf, size, "%s%s", currency, mt->unit + sizeof money - 1);
    return buf;
}

enum rm_status metric_unknown(struct diag *d, const char *what, const char *name)
{
    struct strbuf list = { 0 };
    const char *sep = "";
    for (size_t i = 0; i < METRIC_COUNT; i++)
        if (metric_is_first(&catalogue[i]))
            strbuf_printf(&list, "%s%s", sep, catalogue[i].name), sep = ", ";
    enum rm_status st = list.oom ? diag_fail(d, RM_ENOMEM, "out of memory")
                                 : diag_error(d, NULL, "%s: unknown metric \"%s\"; the metrics are %s", what, name,
                                              strbuf_str(&list));
    strbuf_fini(&list);
    return st;
}

enum rm_status metric_ref_parse(const char *text, size_t len, const char *what, struct metric_ref *out,
                                struct diag *d)
{
    *out = (struct metric_ref){ 0 };
    const char *at = memchr(text, '@', len);
    char *name = strbuf_trim_dup(text, at ? (size_t)(at - text) : len);
    out->scope = at ? strbuf_trim_dup(at + 1, len - (size_t)(at + 1 - text)) : strdup(kind[0].name);
    enum rm_status st = RM_OK;
    if (!name || !out->scope)
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    else if (!(out->metric = metric_find(name)))
        st = metric_unknown(d, what, name);
    free(name);
    if (st != RM_OK)
        metric_ref_fini(out);
    return st;
}

void metric_ref_fini(struct metric_ref *r)
{
    free(r->scope);
    *r = (struct metric_ref){ 0 };
}

bool metric_threshold_parse(const char *text, struct metric_threshold *out)
{
    size_t len = strlen(text);
    bool relative = len > 0 && text[len - 1] == '%';
    double v;
    if (len == 0 || !num_parse(text, len - relative, '.', &v) || !(v >= 0) || !isfinite(v))
        return false;
    *out = (struct metric_threshold){ v, relative };
    return true;
}

const char *metric_threshold_text(const struct metric_threshold *t, char *buf, size_t size)
{
    snprintf(buf, size, "%g%s", t->value, t->relative ? "%" : "");
    return buf;
}

double metric_threshold_of(const struct metric_threshold *t, double baseline_mean)
{
    return t->relative ? t->value / 100 * fabs(baseline_mean) : t->value;
}
