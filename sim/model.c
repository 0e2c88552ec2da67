/* model: batches of mail posted at origins wait in a FIFO per (service, stop),
 * board trains first-come first-served after the cut-off while capacity
 * lasts, ride leg by leg through nodes whose servers trains queue for, and
 * transfer at hubs until delivered. Batches are values in ring buffers
 * (queues and train stops) and trains are recycled through a free list, so
 * the event loop allocates only when the number in flight reaches a new high. */
#include "railmail/model.h"

#include "railmail/calendar.h"

#include <assert.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "railmail/calendar.h"
#include "railmail/engine.h"
#include "railmail/eventlog.h"
#include "railmail/metric.h"
#include "railmail/net.h"
#include "railmail/stream.h"

#include "layout.h"

#define MAX_HOPS 5

/* The record's layout by the catalogue's groups of rows (metric.h): each
 * kind of scope holds one contiguous group, checked in model_create. */
enum {
    FIRST_ALL = METRIC_TRAIN_UTILISATION, FIRST_NODE = METRIC_SERVER_UTILISATION, FIRST_SERVICE = METRIC_TRAINS,
    N_BATCH_METRICS = FIRST_ALL, N_ALL_METRICS = FIRST_NODE - FIRST_ALL,
    FIRST_COMPARISON = METRIC_RECOVERY,  /* compare's own: no row in a run */
    N_NODE_METRICS = FIRST_SERVICE - FIRST_NODE, N_SERVICE_METRICS = FIRST_COMPARISON - FIRST_SERVICE
};
static const double quantile_of[] = { [METRIC_TRANSIT_P50] = 0.50, [METRIC_TRANSIT_P90] = 0.90,
                                      [METRIC_TRANSIT_P95] = 0.95, [METRIC_TRANSIT_P99] = 0.99 };

struct model {
    const struct scenario *s;
    struct net *net;
    /* The record's rows and series, and the destination slots, which also
     * number the accumulators of dest scopes and the routing tables' columns. */
    struct layout layout;
    size_t n_queues;
    size_t *qbase;            /* service -> first queue (one per stop) */
    /* [n_queues]: g CO2e per tonne from a service's first stop to each stop
     * (NaN past a leg of unknown intensity), so a ride's CO2 is one
     * subtraction */
    double *co2_g_per_t;
    bool *scan;               /* [n_queues]: the stop's node records a scan */
    bool has_cost, has_co2;   /* some service has a cost model, some leg an intensity */
    struct eventlog *log;     /* the rows streamed per train, batch and tracking event */
    /* Routing while services start and end: table k holds from epoch_h[k]
     * (the services running then); none when every service runs throughout. */
    struct net **epoch_net;
    double *epoch_h;
    size_t n_epochs;
    /* The same tables as the queues a batch waits in: table k (0: every
     * service, k > 0: epoch k - 1, falling back to table 0 where no running
     * service reaches the destination) gives, at [node * n_dest + slot of
     * the destination], the hop from there. Looked up once per batch move,
     * so it saves the net's call and the service's queue base. */
    struct hop *hops;
};

/* The next hop of a batch as the queue it joins: queue = UINT32_MAX where
 * there is none (the node is the destination or unreachable). */
struct hop { uint32_t queue; uint16_t board_stop, alight_stop; };

/* A batch travels by value: it lives in the ring of the queue it waits in,
 * or of the train stop where it gets off, so boarding and unloading copy a
 * few contiguous bytes and never chase an index into a large array. It is
 * one cache line (rings are line-aligned), so a move writes one line. While
 * it waits in a queue, last_event_h is when it joined it (posting and
 * transfer are tracking events), which the cut-off reads. */
struct batch {
    double posted_h, departed_h, last_event_h, kg;
    uint32_t id;              /* numbered per replication: posting refuses the 2^32nd */
    float co2_g;              /* of the legs ridden so far (float: the line has no room for 8 bytes) */
    float gap_max_h;          /* longest silence between tracking events */
    uint32_t demand;
    uint16_t board_stop, alight_stop;  /* on its current train */
    uint8_t hops;
    uint8_t events;           /* tracking events so far, saturating at 255 */
    uint16_t svc[MAX_HOPS];   /* services ridden, for the batch log */
};

#define BATCH_ALIGN 64
static_assert(sizeof(struct batch) == BATCH_ALIGN, "a batch is one cache line");

/* A FIFO of batches in a power-of-two ring. */
struct ring { struct batch *slot; uint32_t head, n, cap; };

struct rep;

/* A train's rings, one per stop. They stay with the service when the train
 * ends, for its next train: rings grow to what one service's trains carry
 * to each stop, rather than every recycled train growing a ring at every
 * stop any service ever unloaded at. */
struct cargo_set {
    struct cargo_set *next_free, *next_all;
    struct ring ring[];       /* [max_stops] */
};

struct train {
    struct rep *r;
    struct train *next;       /* node queue or free list */
    uint32_t service, number, stop;
    struct cargo_set *set;    /* while it runs: its service's */
    struct ring *cargo;       /* set->ring: batches by the stop they get off at */
    double *left_h;           /* [route_len]: when the train left each stop */
    /* [route_len], in the same block as left_h: when it arrived at each
     * stop and when a server took it there, for the time budget */
    double *arrived_h, *served_h;
    uint32_t on_board;
    /* with a cost model: the demand row and kg of every batch boarded, to
     * share the departure's cost by weight when the train finishes */
    struct ride { uint32_t demand; double kg; } *ride;
    uint32_t n_ride, cap_ride;
    double capacity_kg, load_kg, max_load_kg, boarded_kg;
    double departed_h, queued_h;
    bool live;
};

struct node_state {
    unsigned servers, busy;   /* servers in use now; UINT_MAX = no limit */
    struct train *q_head, *q_tail;
    uint32_t waiting, waiting_max;  /* its backlog (add_waiting) */
    double busy_h, wait_sum_h;
    uint64_t waits, handled;
    /* the trains still queueing at the horizon, with their wait so far
     * (note_queues_at_horizon) */
    double horizon_wait_sum_h;
    uint64_t horizon_waits;
    double day_wait_sum_h;    /* trains that got a server today */
    uint32_t day_waits;
    /* those that got one at the very end of today, which is the start of
     * tomorrow (an event due with the day's end, run before it) */
    double next_wait_sum_h;
    uint32_t next_waits;
};

struct service_state {
    struct rep *r;
    uint32_t k, number;
    struct cargo_set *spare;  /* rings of its ended trains */
    uint64_t trains;
    double transit_sum_h, load_pct_sum;
    double cost, boarded_kg, co2_g, slot_load_kg, slot_paid_kg;  /* departures after the warm-up */
    uint64_t arrived, loaded;
};

/* 80 bytes on a 64-bit target (the pointers first, no padding between):
 * unload finds a batch's by its index, and a multiple of 80 is two
 * instructions. */
struct demand_state {
    struct rep *r;
    const struct scenario_demand *dm; /* its row */
    /* its first hop in routing table 0; in table k that is k tables on */
    const struct hop *hop;
    struct scope_acc *od;             /* its accumulator: r->acc[1 + n_dest + row] */
    double rate_per_h, growth_per_h;  /* growth as a continuous rate */
    gsl_rng *post, *kg;
    uint32_t row;
    uint32_t dest_node;               /* its destination */
    uint32_t dest;                    /* the destination's slot: accumulator 1 + dest, column of the hops */
    bool season;                      /* rate also follows calendar months */
};

struct disruption_state {
    struct rep *r;
    uint32_t i;
    uint64_t window;  /* the window whose start or end comes next */
};

/* A batch scope's sums. The scopes all and dest add up per batch only the
 * sums of fractional values (kg, days, hours, g), whose rounding depends on
 * the order of the additions; their counts, events_sum (a sum of whole
 * numbers, exact) and transit_max_d are those of their od rows, added up
 * in collect() (add_counts), which gives the same values for less work
 * per batch. */
struct scope_acc {
    uint64_t posted, delivered, on_time, in_flight;
    double delivered_kg, window_kg, transit_sum_d, transit_max_d, gap_sum_h, events_sum;
    double cost, co2_g;
    struct stats_hist *hist;
};

/* What a month holds of one od row: batches by month of posting, tonnes by
 * month of delivery. */
struct month_acc {
    uint64_t posted, delivered, on_time, in_flight;
    double transit_sum_d, window_kg;
};

/* The monthly view of a replication. A month's histograms (one compact
 * one per od row) live only while batches posted in it are on the way:
 * when the month is over and the last of them is delivered its quantiles
 * go into the record and the histograms are freed, so memory follows the
 * months in flight, not the horizon. */
struct months {
    struct month_acc *acc;            /* [n * n_demand] */
    struct stats_small_hist **hist;   /* [n]: n_demand histograms, or NULL */
    uint64_t *open;                   /* [n]: posted in the month, not yet delivered */
    bool *done;                       /* [n]: quantiles written, histograms freed */
    double *wait_sum_h;               /* [n * n_nodes]: trains that got a server in the month */
    uint64_t *waits;
    uint32_t *backlog_max;            /* [n]: the network's largest backlog */
    struct stats_small_hist *scratch; /* a merged histogram */
    struct stats_small_hist *spare;   /* a closed month's histograms, for the next month */
    size_t first_open;                /* months before it are done */
};

struct rep {
    const struct model *m;
    const struct scenario *s;
    struct engine *e;
    const struct model_sinks *out;
    struct model_record *rec;
    unsigned replication;
    /* Postings stop at the horizon; the run-out goes on to end_h at most
     * (horizon + runout_d), until every batch posted is delivered and every
     * train that left by the horizon has arrived (live_trains). Statistics
     * by time (throughput, backlog, waits, utilisation, the daily series)
     * cover the window [warmup, horizon]; those of batches cover the mail
     * posted in it, wherever it is delivered. */
    double warmup_h, horizon_h, end_h;
    uint64_t live_trains;
    double runout_sink_t;     /* what the run-out's deliveries add to no day */
    bool failed;

    /* batches posted so far, the next one's id; tracking_events leaves
     * out the postings (one each), added in collect() */
    uint64_t next_id, delivered, tracking_events;
    uint32_t waiting, waiting_max;

    struct ring *queues;      /* per (service, stop) */
    size_t max_stops;         /* longest route: size of a train's per-stop arrays */
    struct node_state *nodes;
    struct service_state *services;
    struct demand_state *demand;
    struct disruption_state *disruptions;
    gsl_rng **run_rng, **dwell_rng;   /* per (service, hop) and (service, stop) */
    size_t n_rng;

    struct train **trains;            /* every train ever made, for the final count */
    size_t n_trains, cap_trains;
    struct train *free_train;
    struct cargo_set *cargo_sets;     /* every set made, for the tear-down */

    float *ride_gap_h;                /* [max_stops]: ride_end_at's */
    uint8_t *ride_events;
    /* The time budget (layout.h), in hours. A batch's segments are added
     * to its od row's sums as each ride ends (the wait before it, then the
     * ride's queue, handling and motion, ride_end_at's ride_budget_h by the
     * stop it boarded at; add_budget), so a batch carries none of them
     * (a batch of two cache lines cost 20 % on the large benchmark); those
     * of the batches still on the way at the end are taken out again
     * (take_out_open). */
    double *budget_h;                 /* [n_demand * n_segments] */
    double *budget_open_h;            /* [n_demand]: the open batches' time after their first departure */
    double *ride_budget_h;            /* [max_stops * n_segments] */
    /* The batches getting off at one stop by group (od row, stop boarded
     * at): how many and the sum of their last events, so that a group's
     * segments are added once (add_budget) rather than once per batch,
     * which cost twice the instructions. Zero between stops. */
    struct budget_group { double last_h; uint32_t n; } *group;  /* [n_demand * max_stops] */
    uint32_t *group_touched, n_touched;
    struct scope_acc *acc;            /* all, dests, od rows */
    struct stats_hist *scratch;       /* a union scope's histogram in collect() */
    struct months month;
    double util_pct_sum, cost, slot_load_kg, slot_paid_kg;
    uint64_t util_n;
    unsigned day;
};

/* ---- model: static tables ---------------------------------------------- */

/* The layout collect() writes at fixed offsets (N_*_METRICS rows a scope):
 * each kind of scope holds one contiguous group of the table (checked
 * here), which layout.c gives as one block a scope. */
static bool groups_match_table(void)
{
    for (size_t i = 0; i < METRIC_COUNT; i++) {
        unsigned want = i < FIRST_ALL ? METRIC_SCOPE_BATCH : i < FIRST_NODE ? METRIC_SCOPE_ALL
                        : i < FIRST_SERVICE ? METRIC_SCOPE_NODE : i < FIRST_COMPARISON ? METRIC_SCOPE_SERVICE : 0;
        if ((metric_get(i)->scopes & ~(unsigned)METRIC_SCOPE_MONTH) != want)
            return false;
    }
    return true;
}

/* One routing table per period in which the same services run, when a
 * service starts or ends before the end of the run-out (start_d, end_d):
 * each holds from its boundary, and mail is routed only on services
 * running then. */
static bool build_epochs(struct model *m)
{
    const struct scenario *s = m->s;
    size_t n = net_epochs(s, (s->horizon_d + s->runout_d) * CALENDAR_HOURS_PER_DAY, &m->epoch_h);
    if (n == 0 || n == SIZE_MAX)
        return n == 0;
    m->epoch_net = calloc(n, sizeof *m->epoch_net);
    if (!m->epoch_net)
        return false;
    m->n_epochs = n;
    for (size_t k = 0; k < n; k++)
        if (!(m->epoch_net[k] = net_create_at(s, m->epoch_h[k])))
            return false;
    return true;
}

/* Fills one table of m->hops from a net, and from `fallback` where the net
 * has no hop (NULL: none). */
static void fill_hops(const struct model *m, struct hop *table, const struct net *n, const struct net *fallback)
{
    size_t nn = m->s->n_nodes;
    for (size_t node = 0; node < nn; node++)
        for (size_t d = 0; d < m->layout.n_dest; d++) {
            struct net_hop h;
            struct hop *out = &table[node * m->layout.n_dest + d];
            size_t dest = m->layout.dest_node[d];
            if (net_next(n, node, dest, &h) || (fallback && net_next(fallback, node, dest, &h)))
                *out = (struct hop){ (uint32_t)(m->qbase[h.service] + h.board_stop), (uint16_t)h.board_stop,
                                     (uint16_t)h.alight_stop };
            else
                *out = (struct hop){ UINT32_MAX, 0, 0 };
        }
}

/* The routing tables as queues (after build_epochs). */
static bool build_hops(struct model *m)
{
    size_t per = m->s->n_nodes * m->layout.n_dest;
    m->hops = malloc(((m->n_epochs + 1) * per + 1) * sizeof *m->hops);
    if (!m->hops)
        return false;
    fill_hops(m, m->hops, m->net, NULL);
    for (size_t k = 0; k < m->n_epochs; k++)
        fill_hops(m, &m->hops[(k + 1) * per], m->epoch_net[k], m->net);
    return true;
}

/* The per-stop carbon factors and whether the scenario has costs and
 * intensities at all (without, those metrics are NaN, not 0). */
static bool build_money_and_carbon(struct model *m)
{
    const struct scenario *s = m->s;
    m->co2_g_per_t = malloc((m->n_queues + 1) * sizeof *m->co2_g_per_t);
    m->scan = malloc(m->n_queues + 1);
    if (!m->co2_g_per_t || !m->scan)
        return false;
    for (size_t g = 0; g < s->n_legs; g++)
        m->has_co2 |= !isnan(s->legs[g].co2_g_per_tkm);
    for (size_t k = 0; k < s->n_services; k++) {
        const struct scenario_service *sv = &s->services[k];
        double *cum = &m->co2_g_per_t[m->qbase[k]];
        m->has_cost |= sv->has_cost;
        for (size_t i = 0; i < sv->route_len; i++)
            m->scan[m->qbase[k] + i] = s->nodes[sv->route[i]].scan;
        cum[0] = 0;
        for (size_t i = 0; i + 1 < sv->route_len; i++) {
            const struct scenario_leg *g = &s->legs[sv->legs[i]];
            cum[i + 1] = cum[i] + g->km * g->co2_g_per_tkm;
        }
    }
    return true;
}

struct model *model_create(const struct scenario *s)
{
    return model_create_common(s, NULL, 0);
}

struct model *model_create_common(const struct scenario *s, const struct model_common *groups, size_t n_groups)
{
    struct model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    assert(groups_match_table());
    m->s = s;
    m->net = net_create(s);
    m->qbase = malloc((s->n_services + 1) * sizeof *m->qbase);
    if (!m->net || !m->qbase || !layout_init(&m->layout, s, m->net, groups, n_groups))
        goto fail;
    for (size_t k = 0; k < s->n_services; k++) {
        m->qbase[k] = m->n_queues;
        m->n_queues += s->services[k].route_len;
    }
    if (!build_money_and_carbon(m) || !build_epochs(m) || !build_hops(m) || !(m->log = eventlog_create(s)))
        goto fail;
    return m;
fail:
    model_destroy(m);
    return NULL;
}

void model_destroy(struct model *m)
{
    if (!m)
        return;
    layout_fini(&m->layout);
    eventlog_destroy(m->log);
    free(m->qbase);
    free(m->co2_g_per_t);
    free(m->scan);
    net_destroy(m->net);
    for (size_t k = 0; k < m->n_epochs; k++)
        net_destroy(m->epoch_net[k]);
    free(m->epoch_net);
    free(m->epoch_h);
    free(m->hops);
    free(m);
}

/* The record's layout, as layout.c gives it. */
size_t model_rows(const struct model *m) { return m->layout.rows; }
const char *model_row_metric(const struct model *m, size_t row) { return m->layout.metric[row]; }
const char *model_row_scope(const struct model *m, size_t row) { return m->layout.scope[row]; }
size_t model_row(const struct model *m, const char *metric, const char *scope)
{
    return layout_row(&m->layout, metric, scope);
}
int32_t model_row_month(const struct model *m, size_t row) { return layout_row_month(&m->layout, row); }
size_t model_row_in_month(const struct model *m, const char *metric, const char *scope, int32_t month)
{
    return layout_row_in_month(&m->layout, metric, scope, month);
}
size_t model_months(const struct model *m, int32_t *first)
{
    *first = m->layout.month.first;
    return m->layout.month.n;
}
size_t model_days(const struct model *m) { return m->layout.days; }
size_t model_series(const struct model *m) { return m->layout.series; }

size_t model_budget(const struct model *m, size_t *segments, size_t *scopes)
{
    *segments = m->layout.budget.n_segments;
    *scopes = m->layout.budget.n_scopes;
    return m->layout.budget.row;
}
bool model_row_budget(const struct model *m, size_t row) { return layout_row_budget(&m->layout, row); }
size_t model_group(const struct model *m, enum model_group g, size_t *count)
{
    return layout_group(&m->layout, g, count);
}
const char *model_series_name(const struct model *m, size_t i) { return m->layout.series_name[i]; }

enum rm_status model_record_init(const struct model *m, struct model_record *rec)
{
    rec->values = calloc(m->layout.rows + 1, sizeof *rec->values);
    rec->daily = calloc(m->layout.series * m->layout.days + 1, sizeof *rec->daily);
    rec->transit = calloc(1, sizeof *rec->transit);
    if (!rec->values || !rec->daily || !rec->transit) {
        model_record_fini(rec);
        return RM_ENOMEM;
    }
    return RM_OK;
}

void model_record_clear(const struct model *m, struct model_record *rec)
{
    memset(rec->values, 0, m->layout.rows * sizeof *rec->values);
    memset(rec->daily, 0, m->layout.series * m->layout.days * sizeof *rec->daily);
    memset(rec->transit, 0, sizeof *rec->transit);
}

void model_record_fini(struct model_record *rec)
{
    free(rec->values);
    free(rec->daily);
    free(rec->transit);
    rec->values = rec->daily = NULL;
    rec->transit = NULL;
}

size_t model_memory_estimate(const struct model *m)
{
    const struct scenario *s = m->s;
    double years = s->horizon_d / CALENDAR_DAYS_PER_YEAR, batches = 0;
    size_t max_stops = 0;
    for (size_t k = 0; k < s->n_services; k++)
        if (s->services[k].route_len > max_stops)
            max_stops = s->services[k].route_len;
    for (size_t i = 0; i < s->n_demand; i++) {
        const struct scenario_demand *dm = &s->demand[i];
        double growth = pow(1 + dm->growth_pct_per_year / 100, years);
        double days = net_expected_h(m->net, dm->origin, dm->destination) / CALENDAR_HOURS_PER_DAY;
        batches += dm->batches_per_day * (growth > 1 ? growth : 1) * (isfinite(days) ? days : s->horizon_d);
    }
    /* rings grow by doubling, and queues may hold a backlog: four times
     * the batches on the way by Little's law */
    double bytes = 4 * batches * sizeof(struct batch)
                   + (double)(3 + m->layout.n_dest + s->n_demand) * sizeof(struct stats_hist)
                   + (double)(m->layout.rows + m->layout.series * m->layout.days) * sizeof(double)
                   /* the monthly view: every month's counts, and the histograms
                    * of about three months in flight */
                   + (double)m->layout.month.n * s->n_demand * sizeof(struct month_acc)
                   + 3.0 * s->n_demand * sizeof(struct stats_small_hist)
                   /* the time budget's sums per od row, and its groups by od
                    * row and stop */
                   + (double)s->n_demand * (m->layout.budget.n_segments + 1) * sizeof(double)
                   + (double)s->n_demand * max_stops * (sizeof(uint32_t) + 2 * sizeof(double));
    return bytes < (double)(SIZE_MAX / 4) ? (size_t)bytes : SIZE_MAX / 4;
}

/* ---- replication: helpers ---------------------------------------------- */

static void fail_nomem(struct rep *r)
{
    r->failed = true;
    engine_stop(r->e);
}

static void schedule(struct rep *r, double t, engine_handler *h, void *arg)
{
    if (t <= r->end_h && engine_schedule(r->e, t, h, arg) != RM_OK)
        fail_nomem(r);
}

/* Whether hour t lies in the statistics window, after the warm-up and
 * not in the run-out. */
static inline bool in_window(const struct rep *r, double t)
{
    return t >= r->warmup_h && t <= r->horizon_h;
}

/* The day of time t (hours), the last for t at the horizon or beyond
 * (nothing of the run-out is written by day). Times lie in [0, horizon +
 * runout], at most twice SCENARIO_MAX_HORIZON_D days, so the day fits a
 * uint32_t, a conversion without the range test of one to a 64-bit
 * unsigned. */
static size_t day_of(const struct rep *r, double t)
{
    size_t day = (uint32_t)(t / CALENDAR_HOURS_PER_DAY);
    return day < r->m->layout.days ? day : r->m->layout.days - 1;
}

static double *daily_at(struct rep *r, size_t series, size_t day)
{
    return &r->rec->daily[day * r->m->layout.series + series];
}

static double *daily(struct rep *r, size_t series, double t)
{
    return daily_at(r, series, day_of(r, t));
}

/* The month slot of time t (hours), -1 before the statistics window's
 * first month. */
static int32_t month_of(const struct rep *r, double t)
{
    return r->m->layout.month.of_day[day_of(r, t)];
}

static const struct scenario_demand *demand_of(const struct rep *r, const struct batch *b)
{
    return &r->s->demand[b->demand];
}

/* A batch's tracking events (posting, departures, scans, transfers,
 * delivery) are kept in its own record as their count (saturating at 255),
 * the last one's time and the longest silence between two, (float)(t -
 * last_event_h) at each; the run's total is counted where events happen
 * (postings, one per id, in collect), and log_event gives an event's row
 * with --tracking. */
static void log_event(struct rep *r, const struct batch *b, double t, size_t node, enum eventlog_event ev)
{
    eventlog_event(r->m->log, r->out->tracking, r->replication, b->id, t, node, ev);
}


static struct batch *ring_at(const struct ring *q, uint32_t i)
{
    return &q->slot[(q->head + i) & (q->cap - 1)];
}

/* Doubles a full ring, its slots line-aligned. Rare: out of the hot path. */
static bool ring_grow(struct ring *q)
{
    uint32_t cap = q->cap ? 2 * q->cap : 64;
    struct batch *grown = aligned_alloc(BATCH_ALIGN, (size_t)cap * sizeof *grown);
    if (!grown)
        return false;
    for (uint32_t i = 0; i < q->n; i++)
        grown[i] = *ring_at(q, i);
    free(q->slot);
    *q = (struct ring){ grown, 0, q->n, cap };
    return true;
}

/* Room for one more batch, the ring grown if full; false when out of
 * memory. (A slot pointer that could be NULL would cost a test per push.) */
static inline bool ring_reserve(struct ring *q)
{
    return q->n < q->cap || ring_grow(q);
}

/* The slot the next push fills, once reserved. The caller fills it and
 * counts it (q->n++). */
static inline struct batch *ring_tail(const struct ring *q)
{
    return &q->slot[(q->head + q->n) & (q->cap - 1)];
}

static inline bool ring_push(struct ring *q, const struct batch *b)
{
    if (!ring_reserve(q))
        return false;
    *ring_tail(q) = *b;
    q->n++;
    return true;
}

/* Drops the first k batches (read in place by the caller). */
static void ring_drop(struct ring *q, uint32_t k)
{
    q->head = (q->head + k) & (q->cap - 1);
    q->n -= k;
    /* An emptied ring starts again at its first slot: a train's rings are
     * emptied at every stop, so they only ever touch as many slots as the
     * most batches they held, not all the slots doubling gave them. */
    if (q->n == 0)
        q->head = 0;
}

/* The routing table in force at hour t (0 without epochs). */
static inline size_t table_at(const struct model *m, double t)
{
    size_t k = m->n_epochs;
    while (k > 0 && m->epoch_h[k - 1] > t)
        k--;
    return k;
}

/* The hops from `node` under the routing in force at hour t, by
 * destination slot; a destination no running service reaches waits for
 * the first that will (the tables fall back to every service's). */
static const struct hop *hops_from(const struct model *m, double t, size_t node)
{
    return &m->hops[(table_at(m, t) * m->s->n_nodes + node) * m->layout.n_dest];
}

/* Puts a batch into the queue of its next hop (add_waiting counts it).
 * Inline, as are end_ride and next_posting: once per batch move. */
static inline void join_queue(struct rep *r, struct batch *b, const struct hop *hop)
{
    assert(hop->queue != UINT32_MAX && "scenario validation guarantees a route");
    b->board_stop = hop->board_stop;
    b->alight_stop = hop->alight_stop;
    if (!ring_push(&r->queues[hop->queue], b))
        fail_nomem(r);
}

/* k more batches are held at `node`: the backlogs, and after the warm-up
 * (in_window) their maxima, the month's too (`month`, the month slot of
 * the time). A node's backlog is the batches waiting there for a train
 * plus those aboard trains queueing for a server or being handled there
 * (counted per train, from its arrival to its leaving: on_arrive, unload).
 * The backlogs only grow here, so k batches at once reach the same maxima
 * as one at a time. */
static inline void add_waiting(struct rep *r, size_t node, bool in_window, int32_t month, uint32_t k)
{
    struct node_state *ns = &r->nodes[node];
    ns->waiting += k;
    r->waiting += k;
    if (in_window) {
        if (ns->waiting > ns->waiting_max)
            ns->waiting_max = ns->waiting;
        if (r->waiting > r->waiting_max)
            r->waiting_max = r->waiting;
        uint32_t *month_max = &r->month.backlog_max[month];
        if (r->waiting > *month_max)
            *month_max = r->waiting;
    }
}

/* A batch's row in the batch log, delivered at delivered_h (NaN: not yet). */
static void log_batch(struct rep *r, const struct batch *b, double delivered_h)
{
    const struct scenario_demand *dm = demand_of(r, b);
    struct eventlog_batch row = { .replication = r->replication, .batch = b->id, .origin = dm->origin,
                                  .destination = dm->destination, .kg = b->kg, .posted_h = b->posted_h,
                                  .departed_h = b->departed_h, .delivered_h = delivered_h, .services = b->svc,
                                  .n_services = b->hops < MAX_HOPS ? b->hops : MAX_HOPS,
                                  .more = b->hops > MAX_HOPS };
    if (!eventlog_batch(r->m->log, r->out->batches, &row))
        fail_nomem(r);
}

static void close_month(struct rep *r, size_t j);

/* What every batch unloaded at one train stop shares, computed once per
 * stop: the time and with it the warm-up test, the day and the month; the
 * accumulators and daily series of the node as a destination (every batch
 * delivered there has it as its destination); the hops from the node. */
struct stop {
    double t;
    size_t node;
    bool in_window;              /* t after the warm-up, by the horizon */
    int32_t now;                 /* t's month slot, -1 before the statistics window */
    struct scope_acc *all, *dest;       /* dest NULL if the node is no destination */
    /* the day's tonnes delivered, network and node: added up here, the
     * same additions in the same order as into the record, where unload
     * writes them back */
    double *delivered_at, *dest_at;
    double delivered_t, dest_t;
    struct month_acc *now_acc;          /* demand row 0's in t's month, NULL before the warm-up */
    const struct hop *hops;             /* from the node, by destination slot */
};

static struct stop stop_at(struct rep *r, size_t node, double t)
{
    const struct model *m = r->m;
    size_t day = day_of(r, t), dest = m->layout.dest_of_node[node];
    bool runout = t > r->horizon_h;  /* its tonnes go to no day */
    struct stop c = { .t = t, .node = node, .in_window = in_window(r, t), .now = m->layout.month.of_day[day],
                      .all = &r->acc[0],
                      .delivered_at = runout ? &r->runout_sink_t : daily_at(r, MODEL_SERIES_DELIVERED_T, day),
                      .hops = hops_from(m, t, node) };
    if (dest != SIZE_MAX) {
        c.dest = &r->acc[1 + dest];
        c.dest_at = runout ? &r->runout_sink_t : daily_at(r, m->layout.dest_series + dest, day);
        c.dest_t = *c.dest_at;
    }
    c.delivered_t = *c.delivered_at;
    if (c.in_window)
        c.now_acc = &r->month.acc[(size_t)c.now * r->s->n_demand];
    return c;
}

/* A delivery in the monthly view: the batch's posting month (after the
 * warm-up) and the tonnes of the delivery's month; a month whose last
 * batch this was is closed. */
static void month_deliver(struct rep *r, const struct stop *c, const struct batch *b, double transit_d)
{
    if (c->in_window)
        c->now_acc[b->demand].window_kg += b->kg;
    if (b->posted_h < r->warmup_h)
        return;
    size_t j = (size_t)month_of(r, b->posted_h);
    struct month_acc *a = &r->month.acc[j * r->s->n_demand + b->demand];
    a->delivered++;
    a->transit_sum_d += transit_d;
    a->on_time += transit_d <= r->s->service_standard_d;
    stats_small_add(&r->month.hist[j][b->demand], transit_d);
    if (--r->month.open[j] == 0 && c->now > (int32_t)j)
        close_month(r, j);
}

/* A delivered batch posted after the warm-up, in one batch scope: the
 * sums that all and dest keep per batch too. */
static inline void sum_delivery(struct scope_acc *a, const struct batch *b, double transit_d)
{
    a->delivered_kg += b->kg;
    a->transit_sum_d += transit_d;
    a->gap_sum_h += b->gap_max_h;
    a->co2_g += b->co2_g;
}

/* The rest of a delivery after the warm-up, in its od row only. */
static inline void count_delivery(struct scope_acc *od, const struct batch *b, double transit_d, bool on_time)
{
    od->delivered++;
    if (transit_d > od->transit_max_d)
        od->transit_max_d = transit_d;
    od->events_sum += b->events;
    od->on_time += on_time;
}

/* Delivers a batch at its destination, the stop's node; its tracking event
 * is noted and counted by the caller. */
static void deliver(struct rep *r, struct stop *c, const struct demand_state *ds, struct batch *B)
{
    struct scope_acc *od = ds->od;
    double transit_d = (c->t - B->posted_h) / CALENDAR_HOURS_PER_DAY;
    if (c->in_window) {
        c->all->window_kg += B->kg;
        c->dest->window_kg += B->kg;
        od->window_kg += B->kg;
    }
    if (B->posted_h >= r->warmup_h) {
        sum_delivery(c->all, B, transit_d);
        sum_delivery(c->dest, B, transit_d);
        sum_delivery(od, B, transit_d);
        count_delivery(od, B, transit_d, transit_d <= r->s->service_standard_d);
        /* only the od row's histogram: those of all and dest are their od
         * rows' merged in collect(), the same counts for a third of the work */
        stats_hist_add(od->hist, transit_d);
    }
    month_deliver(r, c, B, transit_d);
    double t = B->kg / 1000;
    c->delivered_t += t;
    c->dest_t += t;
    if (r->out->batches)
        log_batch(r, B, c->t);
}

/* ---- replication: trains ----------------------------------------------- */

static engine_handler on_arrive, on_dwell_end;

static struct train *train_new(struct rep *r)
{
    struct train *tr = r->free_train;
    if (tr) {
        r->free_train = tr->next;
        return tr;
    }
    if (r->n_trains == r->cap_trains) {
        size_t cap = r->cap_trains ? 2 * r->cap_trains : 64;
        struct train **grown = realloc(r->trains, cap * sizeof *grown);
        if (!grown)
            return NULL;
        r->trains = grown;
        r->cap_trains = cap;
    }
    tr = malloc(sizeof *tr);
    if (!tr)
        return NULL;
    tr->left_h = malloc(3 * r->max_stops * sizeof *tr->left_h);
    tr->ride = NULL;
    tr->cap_ride = 0;
    if (!tr->left_h) {
        free(tr);
        return NULL;
    }
    tr->arrived_h = tr->left_h + r->max_stops;
    tr->served_h = tr->arrived_h + r->max_stops;
    r->trains[r->n_trains++] = tr;
    return tr;
}

/* Rings for a train of service k: those of one of its ended trains, or new. */
static struct cargo_set *cargo_take(struct rep *r, struct service_state *ss)
{
    struct cargo_set *c = ss->spare;
    if (c) {
        ss->spare = c->next_free;
        return c;
    }
    c = calloc(1, sizeof *c + r->max_stops * sizeof c->ring[0]);
    if (!c)
        return NULL;
    c->next_all = r->cargo_sets;
    r->cargo_sets = c;
    return c;
}

/* Remembers a boarded batch's demand row and kg, for the cost's share;
 * the list keeps its memory when the train is recycled. */
static bool note_ride(struct train *tr, const struct batch *b)
{
    if (tr->n_ride == tr->cap_ride) {
        uint32_t cap = tr->cap_ride ? 2 * tr->cap_ride : 64;
        struct ride *grown = realloc(tr->ride, cap * sizeof *grown);
        if (!grown)
            return false;
        tr->ride = grown;
        tr->cap_ride = cap;
    }
    tr->ride[tr->n_ride++] = (struct ride){ b->demand, b->kg };
    return true;
}

/* With --tracking, the rows of the first k batches of q leaving `node` at
 * t, in order. Out of line and cold (GCC, Clang): inlined into board, its
 * call took registers from the boarding loop, an instruction a batch. */
static __attribute__((noinline, cold)) void log_departures(struct rep *r, const struct ring *q, uint32_t k,
                                                           double t, size_t node)
{
    for (uint32_t i = 0; i < k; i++) {
        const struct batch *b = ring_at(q, i);
        log_event(r, b, t, node, b->hops ? EVENTLOG_DEPARTED_AGAIN : EVENTLOG_DEPARTED);
    }
}

/* Boards waiting batches first-come first-served: those that arrived at least
 * cutoff_h ago, while capacity lasts. The first that does not fit stops it. */
static void board(struct rep *r, struct train *tr, double t)
{
    const struct scenario_service *sv = &r->s->services[tr->service];
    struct ring *q = &r->queues[r->m->qbase[tr->service] + tr->stop];
    size_t node = sv->route[tr->stop];
    double latest = t - sv->cutoff_h;
    bool priced = sv->has_cost;  /* remember the rides to share the cost */
    /* the train's load and the queue in locals: the stores through the
     * rings could alias them, which would keep them in memory */
    double load_kg = tr->load_kg, boarded_kg = tr->boarded_kg, capacity_kg = tr->capacity_kg;
    uint32_t on_board = tr->on_board, n = q->n, head = q->head, mask = q->cap - 1, k = 0;
    struct batch *slot = q->slot;
    uint16_t stop = (uint16_t)tr->stop;
    struct ring *cargo = tr->cargo;
    for (; k < n; k++) {
        struct batch *e = &slot[(head + k) & mask];
        /* A batch is never split: one heavier than the whole train takes
         * an empty train to itself rather than block the queue for ever.
         * A waiting batch's last event is when it joined the queue. */
        bool fits = load_kg + e->kg <= capacity_kg || (on_board == 0 && capacity_kg > 0);
        if (e->last_event_h > latest || !fits)
            break;
        e->board_stop = stop;
        if ((priced && !note_ride(tr, e)) || !ring_push(&cargo[e->alight_stop], e)) {
            fail_nomem(r);
            break;
        }
        on_board++;
        load_kg += e->kg;
        boarded_kg += e->kg;
    }
    if (r->out->tracking)
        log_departures(r, q, k, t, node);
    tr->load_kg = load_kg;
    tr->boarded_kg = boarded_kg;
    tr->on_board = on_board;
    /* the boarded prefix leaves the queue at once */
    ring_drop(q, k);
    r->nodes[node].waiting -= k;
    r->waiting -= k;
    r->tracking_events += k;  /* the departures */
    if (tr->load_kg > tr->max_load_kg)
        tr->max_load_kg = tr->load_kg;
}

/* The product of the factors of every disruption of `target` active at t;
 * overlapping disruptions compound. Closed means closed: any active factor
 * of 0 gives 0, whatever the others (0 times an overflowed product would be
 * NaN, which compares as open). A positive product stays positive and finite
 * (between DBL_MIN and MAX_FACTOR), so a deep cut never closes by underflow. */
static double disruption_factor(const struct rep *r, enum scenario_target_kind kind, size_t target, double t)
{
    enum { MAX_FACTOR = 1000000 };
    double f = 1;
    for (size_t i = 0; i < r->s->n_disruptions; i++) {
        const struct scenario_disruption *d = &r->s->disruptions[i];
        if (d->target_kind == kind && d->target == target && scenario_disruption_active(d, t)) {
            if (!(d->capacity_factor > 0))
                return 0;
            f *= d->capacity_factor;
        }
    }
    return f > MAX_FACTOR ? MAX_FACTOR : f < DBL_MIN ? DBL_MIN : f;
}

static void run_leg(struct rep *r, struct train *tr, double t)
{
    const struct scenario_service *sv = &r->s->services[tr->service];
    gsl_rng *g = r->run_rng[r->m->qbase[tr->service] + tr->stop];
    if (in_window(r, tr->departed_h)) {  /* the service's CO2: its load over the leg */
        const double *cum = &r->m->co2_g_per_t[r->m->qbase[tr->service] + tr->stop];
        r->services[tr->service].co2_g += tr->load_kg / 1000 * (cum[1] - cum[0]);
    }
    double run = dist_sample(&r->s->legs[sv->legs[tr->stop]].time_h, g);
    tr->stop++;
    schedule(r, t + run, on_arrive, tr);
}

static void on_depart(struct engine *e, void *arg)
{
    struct service_state *ss = arg;
    struct rep *r = ss->r;
    const struct scenario_service *sv = &r->s->services[ss->k];
    double t = engine_now(e);
    uint32_t number = ss->number++;
    schedule(r, scenario_departure_h(sv, ss->number), on_depart, ss);
    double factor = disruption_factor(r, TARGET_SERVICE, ss->k, t);
    if (factor <= 0 || r->nodes[sv->route[0]].servers == 0)
        return;  /* cancelled: the service or its first node is closed */
    struct train *tr = train_new(r);
    struct cargo_set *set = tr ? cargo_take(r, ss) : NULL;
    if (!set) {
        if (tr) {  /* back to the free list, unused */
            tr->live = false;
            tr->next = r->free_train;
            r->free_train = tr;
        }
        fail_nomem(r);
        return;
    }
    double *left_h = tr->left_h, *arrived_h = tr->arrived_h, *served_h = tr->served_h;
    struct ride *ride = tr->ride;
    uint32_t cap_ride = tr->cap_ride;
    *tr = (struct train){ .r = r, .service = ss->k, .number = number, .stop = 0,
                          .set = set, .cargo = set->ring, .left_h = left_h,
                          .arrived_h = arrived_h, .served_h = served_h,
                          .ride = ride, .cap_ride = cap_ride,
                          .capacity_kg = sv->capacity_t * factor * 1000,
                          .departed_h = t, .live = true };
    if (in_window(r, t))
        ss->trains++;
    if (t <= r->horizon_h)
        r->live_trains++;
    tr->left_h[0] = t;
    board(r, tr, t);
    run_leg(r, tr, t);
}

static void start_dwell(struct rep *r, struct train *tr, double t)
{
    size_t node = r->s->services[tr->service].route[tr->stop];
    struct node_state *ns = &r->nodes[node];
    ns->busy++;
    tr->served_h[tr->stop] = t;
    double dwell = dist_sample(&r->s->nodes[node].dwell_h,
                               r->dwell_rng[r->m->qbase[tr->service] + tr->stop]);
    if (t < (r->day + 1) * CALENDAR_HOURS_PER_DAY) {
        ns->day_wait_sum_h += t - tr->queued_h;
        ns->day_waits++;
    } else {
        ns->next_wait_sum_h += t - tr->queued_h;
        ns->next_waits++;
    }
    /* trains that get a server in the window; those queued at the horizon
     * count with their wait until then (note_queues_at_horizon) */
    if (tr->queued_h >= r->warmup_h && t <= r->horizon_h) {
        ns->wait_sum_h += t - tr->queued_h;
        ns->waits++;
        ns->handled++;
        size_t at = (size_t)month_of(r, t) * r->s->n_nodes + node;
        r->month.wait_sum_h[at] += t - tr->queued_h;
        r->month.waits[at]++;
    }
    double from = fmax(t, r->warmup_h), to = fmin(t + dwell, r->horizon_h);
    if (to > from)
        ns->busy_h += to - from;
    schedule(r, t + dwell, on_dwell_end, tr);
}

static void on_arrive(struct engine *e, void *arg)
{
    struct train *tr = arg;
    struct rep *r = tr->r;
    double t = engine_now(e);
    size_t node = r->s->services[tr->service].route[tr->stop];
    struct node_state *ns = &r->nodes[node];
    tr->queued_h = t;
    tr->arrived_h[tr->stop] = t;
    tr->next = NULL;
    if (tr->on_board)  /* held at the node until the train leaves it */
        add_waiting(r, node, in_window(r, t), month_of(r, t), tr->on_board);
    if (!ns->q_head && ns->busy < ns->servers) {
        start_dwell(r, tr, t);
        return;
    }
    if (ns->q_tail)
        ns->q_tail->next = tr;
    else
        ns->q_head = tr;
    ns->q_tail = tr;
}

/* Frees servers to the trains queued at a node, first come first served. */
static void admit_queued(struct rep *r, struct node_state *ns, double t)
{
    while (ns->q_head && ns->busy < ns->servers) {
        struct train *tr = ns->q_head;
        ns->q_head = tr->next;
        if (!ns->q_head)
            ns->q_tail = NULL;
        start_dwell(r, tr, t);
    }
}

/* What the batches getting off a train at one stop share for end_ride. */
struct ride_end {
    const double *left_h;     /* the train's departures by stop */
    const double *co2_cum;    /* g CO2e per tonne from the first stop; NULL without intensities */
    /* by the stop a batch boarded at: the tracking events its ride adds
     * (departure, scans, the event here) and the longest silence between
     * them, all but the first silence, which depends on the batch */
    const float *gap_h;
    const uint8_t *events;
    double t;                 /* now: the event here */
    uint32_t upto;            /* the stop */
    uint16_t service;
};

/* Writes a ride into the batch when it gets off (or at the end): its
 * departure, the scans it passed and its event here (delivery or
 * transfer). The train remembers when it left each stop, so riding
 * batches need no visit on the way. The ride's tracking events are
 * taken at once, their silences as if one by one: none is NaN, so the
 * longest is the same in any order. */
static inline void end_ride(const struct ride_end *x, struct batch *b)
{
    /* the byte-sized fields are written last: a store through a uint8_t
     * may alias anything, which would reload every pointer of x */
    uint32_t from = b->board_stop;
    unsigned hops = b->hops, events = b->events + x->events[from];
    double left = x->left_h[from];
    if (isnan(b->departed_h))
        b->departed_h = left;
    if (hops < MAX_HOPS)
        b->svc[hops] = x->service;
    if (x->co2_cum)
        b->co2_g = (float)(b->co2_g + b->kg / 1000 * (x->co2_cum[x->upto] - x->co2_cum[from]));
    float gap = (float)(left - b->last_event_h), gap_max = b->gap_max_h;
    if (gap > gap_max)
        gap_max = gap;
    if (x->gap_h[from] > gap_max)
        gap_max = x->gap_h[from];
    b->gap_max_h = gap_max;
    b->last_event_h = x->t;
    b->hops = (uint8_t)(hops + (hops < UINT8_MAX));
    b->events = events < UINT8_MAX ? (uint8_t)events : UINT8_MAX;  /* saturating, as one by one */
}

/* The time budget of the rides that end at the train's current stop, by
 * the stop they began at (r->ride_budget_h): from its leaving there, the
 * legs in motion by mode, then at each stop on the way and here the
 * queue for a server and the dwell (handling). */
static void ride_budget_at(struct rep *r, const struct train *tr)
{
    const struct layout_budget *b = &r->m->layout.budget;
    const struct scenario_service *sv = &r->s->services[tr->service];
    size_t n = b->n_segments;
    double *at = r->ride_budget_h + tr->stop * n;
    for (size_t k = 0; k < n; k++)
        at[k] = 0;
    for (uint32_t k = tr->stop; k-- > 0;) {
        double *seg = at - n, arrived = tr->arrived_h[k + 1], served = tr->served_h[k + 1];
        memcpy(seg, at, n * sizeof *seg);
        seg[LAYOUT_QUEUE] += served - arrived;
        seg[LAYOUT_HANDLING] += tr->left_h[k + 1] - served;
        seg[b->segment_of_mode[r->s->legs[sv->legs[k]].mode]] += arrived - tr->left_h[k];
        at = seg;
    }
}

/* A batch getting off here into its group, before end_ride moves its
 * last event to now. */
static inline void group_budget(struct rep *r, const struct batch *b)
{
    uint32_t g = b->demand * (uint32_t)r->max_stops + b->board_stop;
    struct budget_group *x = &r->group[g];
    if (x->n++ == 0)
        r->group_touched[r->n_touched++] = g;
    x->last_h += b->last_event_h;
}

/* The groups' time budgets into their od rows: the wait before the ride
 * (the ride's departure minus each batch's last event: at the origin when
 * the train boarded them there, else at a transfer), and the ride's
 * queue, handling and motion, n times. */
static void add_budget(struct rep *r, const struct train *tr)
{
    size_t n_seg = r->m->layout.budget.n_segments, stops = r->max_stops;
    const size_t *route = r->s->services[tr->service].route;
    for (uint32_t i = 0; i < r->n_touched; i++) {
        uint32_t g = r->group_touched[i], k = (uint32_t)(g % stops), row = (uint32_t)(g / stops);
        struct budget_group *x = &r->group[g];
        double n = x->n, *seg = &r->budget_h[row * n_seg];
        const double *ride = &r->ride_budget_h[k * n_seg];
        bool origin = route[k] == r->s->demand[row].origin;
        seg[origin ? LAYOUT_ORIGIN_WAIT : LAYOUT_TRANSFER_WAIT] += n * tr->left_h[k] - x->last_h;
        for (size_t j = LAYOUT_QUEUE; j < n_seg; j++)
            seg[j] += n * ride[j];
        *x = (struct budget_group){ 0 };
    }
    r->n_touched = 0;
}

/* The rides that end at the train's current stop at t, for every stop they
 * may have begun at: a backward pass over the stops, in r's scratch arrays. */
static struct ride_end ride_end_at(struct rep *r, const struct train *tr, double t)
{
    size_t q = r->m->qbase[tr->service];
    const bool *scan = &r->m->scan[q];
    const double *left_h = tr->left_h;
    float inner = 0;      /* the longest silence after the first event past the stop */
    uint8_t events = 1;   /* the event here */
    double next = t;      /* the first event past the stop */
    for (uint32_t k = tr->stop; k-- > 0;) {
        float first = (float)(next - left_h[k]);
        r->ride_gap_h[k] = first > inner ? first : inner;
        r->ride_events[k] = (uint8_t)(events + 1 < UINT8_MAX ? events + 1 : UINT8_MAX);
        if (scan[k]) {  /* a ride from k - 1 on passes k's scan */
            inner = r->ride_gap_h[k];
            events = r->ride_events[k];
            next = left_h[k];
        }
    }
    ride_budget_at(r, tr);
    return (struct ride_end){ .left_h = left_h, .co2_cum = r->m->has_co2 ? &r->m->co2_g_per_t[q] : NULL,
                              .gap_h = r->ride_gap_h, .events = r->ride_events, .t = t,
                              .upto = tr->stop, .service = (uint16_t)tr->service };
}

/* With --tracking, the scan rows of the batches riding through a node. */
static void log_scans(struct rep *r, const struct train *tr, size_t node, double t)
{
    const struct scenario_service *sv = &r->s->services[tr->service];
    for (size_t k = tr->stop + 1; k < sv->route_len; k++)
        for (uint32_t i = 0; i < tr->cargo[k].n; i++)
            log_event(r, ring_at(&tr->cargo[k], i), t, node, EVENTLOG_SCANNED);
}

/* Unloads the batches that get off here: delivered or moved to a queue. */
static void unload(struct rep *r, struct train *tr, size_t node, double t)
{
    struct ring *here = &tr->cargo[tr->stop];
    if (r->out->tracking && r->s->nodes[node].scan)
        log_scans(r, tr, node, t);
    if (r->s->nodes[node].scan)
        r->tracking_events += tr->on_board - here->n;  /* riding through */
    uint32_t n = here->n, head = here->head, mask = here->cap - 1, delivered = 0;
    struct batch *slot = here->slot;
    if (r->out->tracking)  /* the rows of the events here, in order */
        for (uint32_t i = 0; i < n; i++) {
            const struct batch *b = &slot[(head + i) & mask];
            bool home = r->demand[b->demand].dest_node == node;
            log_event(r, b, t, node, home ? EVENTLOG_DELIVERED : EVENTLOG_TRANSFERRED);
        }
    struct ride_end x = ride_end_at(r, tr, t);
    struct stop c = stop_at(r, node, t);
    double load_kg = tr->load_kg;
    /* read in place, then dropped at once */
    for (uint32_t i = 0; i < n; i++) {
        struct batch *b = &slot[(head + i) & mask];
        if (b->posted_h >= r->warmup_h)
            group_budget(r, b);
        end_ride(&x, b);
        load_kg -= b->kg;
        const struct demand_state *ds = &r->demand[b->demand];
        if (ds->dest_node == node) {
            deliver(r, &c, ds, b);
            delivered++;
        } else {
            join_queue(r, b, &c.hops[ds->dest]);
        }
    }
    tr->load_kg = load_kg;
    add_budget(r, tr);
    /* the backlog counted the train's batches since it arrived: those
     * delivered and those riding on leave it, those transferring stay,
     * in their queues; the backlog only shrinks here */
    uint32_t leave = tr->on_board - (n - delivered);
    r->nodes[node].waiting -= leave;
    r->waiting -= leave;
    tr->on_board -= n;
    r->tracking_events += n;  /* a delivery or a transfer each */
    r->delivered += delivered;
    if (delivered) {
        *c.delivered_at = c.delivered_t;
        *c.dest_at = c.dest_t;
    }
    ring_drop(here, n);
}

/* What a departure costs under its service's models: per train, per
 * tonne boarded, and slots (those booked whether used or not, and the
 * ones its peak load needs beyond them). */
static double departure_cost(const struct scenario_service *sv, const struct train *tr, double *paid_slots)
{
    double cost = sv->cost_per_train + sv->cost_per_t * tr->boarded_kg / 1000;
    *paid_slots = 0;
    if (sv->slot_t > 0) {
        /* slots are whole containers; the tolerance keeps a load of exactly
         * n slots from rounding up to n + 1 */
        double used = ceil(tr->max_load_kg / (sv->slot_t * 1000) - 1e-9);
        double extra = used > sv->slots_booked ? used - sv->slots_booked : 0;
        cost += sv->slots_booked * sv->cost_per_slot + extra * sv->cost_per_extra_slot;
        *paid_slots = sv->slots_booked + extra;
    }
    return cost;
}

/* Charges a departure after the warm-up: to the network, its service, and
 * the batch scopes of the batches it carried, shared by weight. */
static void charge(struct rep *r, const struct train *tr)
{
    const struct scenario_service *sv = &r->s->services[tr->service];
    struct service_state *ss = &r->services[tr->service];
    ss->boarded_kg += tr->boarded_kg;
    if (!sv->has_cost)
        return;
    double paid_slots;
    double cost = departure_cost(sv, tr, &paid_slots);
    r->cost += cost;
    ss->cost += cost;
    if (sv->slot_t > 0) {
        ss->slot_load_kg += tr->max_load_kg;
        ss->slot_paid_kg += paid_slots * sv->slot_t * 1000;
    }
    if (!(tr->boarded_kg > 0))
        return;
    double per_kg = cost / tr->boarded_kg;
    struct scope_acc *dest = &r->acc[1], *od = &r->acc[1 + r->m->layout.n_dest];
    for (uint32_t i = 0; i < tr->n_ride; i++) {
        const struct ride *x = &tr->ride[i];
        double share = per_kg * x->kg;
        od[x->demand].cost += share;
        dest[r->m->layout.dest_of_node[r->s->demand[x->demand].destination]].cost += share;
    }
}

static void finish_train(struct rep *r, struct train *tr, double arrived_h)
{
    const struct scenario_service *sv = &r->s->services[tr->service];
    struct service_state *ss = &r->services[tr->service];
    double pct = sv->carries_mail ? 100 * tr->max_load_kg / tr->capacity_kg : NAN;
    /* a service's statistics are of its departures in the window, each
     * whole, the run-out's part of its journey too */
    bool counted = in_window(r, tr->departed_h);
    if (counted && !isnan(arrived_h)) {
        ss->transit_sum_h += arrived_h - tr->departed_h;
        ss->arrived++;
    }
    if (counted && !isnan(pct)) {
        ss->load_pct_sum += pct;
        ss->loaded++;
    }
    if (counted)
        charge(r, tr);
    if (r->out->trains && tr->departed_h <= r->horizon_h)  /* the log's trains leave by the horizon */
        eventlog_train(r->m->log, r->out->trains,
                       &(struct eventlog_train){ .replication = r->replication, .service = tr->service,
                                                 .number = tr->number, .departed_h = tr->departed_h,
                                                 .arrived_h = arrived_h, .load_t = tr->boarded_kg / 1000,
                                                 .max_load_pct = pct });
}

/* The end of a train's dwell at its current stop at t: it unloads, boards
 * and goes on, or ends. */
static void end_dwell(struct rep *r, struct train *tr, double t)
{
    const struct scenario_service *sv = &r->s->services[tr->service];
    size_t node = sv->route[tr->stop];
    struct node_state *ns = &r->nodes[node];
    tr->left_h[tr->stop] = t;
    unload(r, tr, node, t);
    bool last = tr->stop + 1 == sv->route_len;
    if (!last)
        board(r, tr, t);
    ns->busy--;
    admit_queued(r, ns, t);
    if (!last) {
        run_leg(r, tr, t);
        return;
    }
    assert(tr->on_board == 0 && "every batch gets off by the last stop");
    finish_train(r, tr, t);
    if (tr->departed_h <= r->horizon_h)
        r->live_trains--;
    tr->live = false;
    tr->next = r->free_train;
    r->free_train = tr;
    struct service_state *ss = &r->services[tr->service];
    tr->set->next_free = ss->spare;
    ss->spare = tr->set;
    tr->set = NULL;
    tr->cargo = NULL;
}

/* Whether the run-out has nothing left to measure: every batch posted is
 * delivered and every train that left by the horizon has arrived. */
static bool runout_done(const struct rep *r)
{
    return r->delivered == r->next_id && r->live_trains == 0;
}

/* Deliveries and arrivals happen only here, so in the run-out the run
 * ends here once nothing is left (a function of the replication's own
 * events: the same whatever the threads). */
static void on_dwell_end(struct engine *e, void *arg)
{
    struct train *tr = arg;
    struct rep *r = tr->r;
    double t = engine_now(e);
    end_dwell(r, tr, t);
    if (t > r->horizon_h && runout_done(r))
        engine_stop(e);
}

/* ---- replication: posting, disruptions, days --------------------------- */

/* Hour at which the calendar month holding hour t ends. */
static double month_end_h(const struct scenario *s, double t, int *month_of_year)
{
    int32_t day = s->start_day + (int32_t)floor(t / CALENDAR_HOURS_PER_DAY);
    int32_t month = calendar_month(day);
    *month_of_year = (int)(month % 12);
    return (double)(calendar_month_start(month + 1) - s->start_day) * CALENDAR_HOURS_PER_DAY;
}

/* next_posting with a rate that is also multiplied by a factor per calendar
 * month: walks the months from t, taking off each month's integral of the
 * rate from E, and inverts the integral inside the month where E runs out. */
static double next_seasonal_posting(const struct demand_state *ds, double t, double E)
{
    const struct rep *r = ds->r;
    const double *season = r->s->demand[ds->row].season;
    double g = ds->growth_per_h;
    for (int idle = 0; t <= r->horizon_h && idle < 12;) {
        int moy;
        double end = month_end_h(r->s, t, &moy);
        double rate = ds->rate_per_h * season[moy];
        idle = rate > 0 ? 0 : idle + 1;  /* twelve months at 0: it never posts again */
        if (rate > 0) {
            double x = g == 0 ? 0 : g * E / (rate * exp(g * t));
            double at = g == 0 ? t + E / rate : x > -1 ? t + log1p(x) / g : INFINITY;
            if (at < end)
                return at;
            E -= g == 0 ? rate * (end - t) : rate * (exp(g * end) - exp(g * t)) / g;
            if (E < 0)
                E = 0;  /* rounding: it ran out at the month's end */
        }
        t = end;
    }
    return INFINITY;
}

/* Next arrival of a Poisson process whose rate grows as exp(g t): inverts
 * the integrated rate, Lambda(t') - Lambda(t) = E with E ~ Exp(1). */
static inline double next_posting(const struct demand_state *ds, double t)
{
    /* gsl_ran_exponential(ds->post, 1.0), -1.0 * log1p(-u) in GSL, with
     * the uniform drawn inline */
    double E = -log1p(-stream_uniform(ds->post));
    if (ds->season)
        return next_seasonal_posting(ds, t, E);
    double g = ds->growth_per_h;
    if (g == 0)
        return t + E / ds->rate_per_h;
    double x = g * E / (ds->rate_per_h * exp(g * t));
    if (x <= -1)
        return INFINITY;  /* a shrinking demand that has dried up */
    return t + log1p(x) / g;
}

/* A month's histograms, one per od row: a closed month's, cleared, or new
 * (reusing them spares a month's worth of fresh pages, 2 MB for the large
 * benchmark, each to be faulted in). */
static struct stats_small_hist *month_hists(struct rep *r)
{
    size_t n = r->s->n_demand + 1;
    struct stats_small_hist *h = r->month.spare;
    if (!h)
        return calloc(n, sizeof *h);
    r->month.spare = NULL;
    memset(h, 0, n * sizeof *h);
    return h;
}

/* A posting after the warm-up in the monthly view; the month's histograms
 * are made at its first. */
static void month_post(struct rep *r, const struct batch *b, size_t j)
{
    if (!r->month.hist[j] && !(r->month.hist[j] = month_hists(r))) {
        fail_nomem(r);
        return;
    }
    r->month.acc[j * r->s->n_demand + b->demand].posted++;
    r->month.open[j]++;
}

static void on_post(struct engine *e, void *arg)
{
    struct demand_state *ds = arg;
    struct rep *r = ds->r;
    double t = engine_now(e);
    const struct model *m = r->m;
    const struct scenario_demand *dm = ds->dm;
    if (r->next_id > UINT32_MAX) {  /* ids are 32 bits: hours of one replication away */
        fail_nomem(r);
        return;
    }
    size_t table = table_at(m, t);
    const struct hop *hop = table ? &ds->hop[table * m->s->n_nodes * m->layout.n_dest] : ds->hop;
    assert(hop->queue != UINT32_MAX && "scenario validation guarantees a route");
    struct ring *q = &r->queues[hop->queue];
    if (!ring_reserve(q)) {
        fail_nomem(r);
        return;
    }
    struct batch *b = ring_tail(q);
    /* Made in its queue's ring. Posting is its first tracking event, with
     * no silence before it (0, as (float)(t - t) would give). */
    *b = (struct batch){ .posted_h = t, .departed_h = NAN, .last_event_h = t,
                         .kg = dist_sample(&dm->kg_per_batch, ds->kg),
                         .id = (uint32_t)r->next_id++, .demand = ds->row,
                         .board_stop = hop->board_stop, .alight_stop = hop->alight_stop, .events = 1 };
    q->n++;
    bool in_window = t >= r->warmup_h;
    int32_t month = in_window ? month_of(r, t) : -1;
    if (in_window) {
        ds->od->posted++;  /* all's and dest's are summed in collect() */
        month_post(r, b, (size_t)month);
    }
    if (r->out->tracking)
        log_event(r, b, t, dm->origin, EVENTLOG_POSTED);
    add_waiting(r, dm->origin, in_window, month, 1);
}

/* The posting of a demand row after one at t, +INFINITY past the horizon.
 * A row's postings depend on nothing the simulation does, so the engine
 * draws them ahead as an arrival stream (engine_stream) and merges the
 * rows' streams with the other events: far cheaper than a schedule per
 * posting, in exactly the same order. */
static double posting_after(void *arg, double t)
{
    struct demand_state *ds = arg;
    double next = next_posting(ds, t);
    return next <= ds->r->horizon_h ? next : INFINITY;
}

/* A node's servers under a capacity factor: rounded, but never to 0 unless
 * the factor is 0, so a partial cut never closes a node by accident. */
static unsigned scaled_servers(const struct scenario_node *n, double factor)
{
    if (factor <= 0)
        return 0;
    if (n->servers == 0)
        return UINT_MAX;
    double s = round(n->servers * factor);
    return s < 1 ? 1 : s > UINT_MAX - 1.0 ? UINT_MAX - 1 : (unsigned)s;
}

/* The first start or end of one of the disruption's windows after t,
 * from window *w on (which it advances); INFINITY after the last. */
static double next_change_h(const struct scenario_disruption *d, uint64_t *w, double t)
{
    for (;;) {
        double start = scenario_disruption_start_h(d, *w), end = scenario_disruption_end_h(d, *w);
        if (t < start)
            return start;
        if (t < end)
            return end;
        if (d->repeat_h == 0)
            return INFINITY;
        ++*w;
    }
}

/* At the start or end of a node disruption: the node's servers follow every
 * disruption active now, and queued trains take any server that is free. */
static void on_disruption(struct engine *e, void *arg)
{
    struct disruption_state *ds = arg;
    struct rep *r = ds->r;
    const struct scenario_disruption *d = &r->s->disruptions[ds->i];
    double t = engine_now(e), next = next_change_h(d, &ds->window, t);
    r->nodes[d->target].servers = scaled_servers(&r->s->nodes[d->target],
                                                 disruption_factor(r, TARGET_NODE, d->target, t));
    if (isfinite(next))
        schedule(r, next, on_disruption, ds);
    admit_queued(r, &r->nodes[d->target], t);
}

/* The end-of-day values of the daily series for the day that ends at t. */
static void snapshot_day(struct rep *r, double t)
{
    size_t n_nodes, backlog = model_group(r->m, MODEL_BACKLOG_NODE, &n_nodes);
    size_t wait = model_group(r->m, MODEL_TRAIN_WAIT_NODE, &n_nodes);
    *daily(r, MODEL_SERIES_BACKLOG, t - 1) = r->waiting;
    for (size_t n = 0; n < n_nodes; n++) {
        struct node_state *ns = &r->nodes[n];
        *daily(r, backlog + n, t - 1) = ns->waiting;
        *daily(r, wait + n, t - 1) = ns->day_waits ? ns->day_wait_sum_h / CALENDAR_HOURS_PER_DAY / ns->day_waits : NAN;
        ns->day_wait_sum_h = ns->next_wait_sum_h;
        ns->day_waits = ns->next_waits;
        ns->next_wait_sum_h = 0;
        ns->next_waits = 0;
    }
}

/* Closes every month that is over by t and has no batch on the way. */
static void close_months(struct rep *r, double t)
{
    int32_t now = month_of(r, t);
    while (r->month.first_open < r->m->layout.month.n && r->month.done[r->month.first_open])
        r->month.first_open++;
    for (size_t j = r->month.first_open; j < r->m->layout.month.n && (int32_t)j < now; j++)
        if (!r->month.done[j] && r->month.open[j] == 0)
            close_month(r, j);
}

static void on_day(struct engine *e, void *arg)
{
    struct rep *r = arg;
    snapshot_day(r, engine_now(e));
    close_months(r, engine_now(e));
    if (r->out->days_done)
        atomic_fetch_add_explicit(r->out->days_done, 1, memory_order_relaxed);
    r->day++;
    double next = (r->day + 1) * CALENDAR_HOURS_PER_DAY;
    if (next <= r->horizon_h)  /* the days end with the horizon */
        schedule(r, next, on_day, r);
}

/* ---- replication: set-up, results, tear-down --------------------------- */

static gsl_rng *open_stream(struct rep *r, const char *kind, const char *a, const char *b)
{
    char id[512];
    snprintf(id, sizeof id, "%s:%s:%s", kind, a, b);
    return stream_create(r->s->seed, r->replication, id);
}

static bool make_streams(struct rep *r)
{
    const struct scenario *s = r->s;
    r->n_rng = r->m->n_queues;
    r->run_rng = calloc(r->n_rng, sizeof *r->run_rng);
    r->dwell_rng = calloc(r->n_rng, sizeof *r->dwell_rng);
    if (!r->run_rng || !r->dwell_rng)
        return false;
    for (size_t k = 0; k < s->n_services; k++) {
        const struct scenario_service *sv = &s->services[k];
        for (size_t i = 0; i < sv->route_len; i++) {
            char leg[300];
            size_t q = r->m->qbase[k] + i;
            const char *here = s->nodes[sv->route[i]].id;
            if (i + 1 < sv->route_len) {
                snprintf(leg, sizeof leg, "%s>%s", here, s->nodes[sv->route[i + 1]].id);
                if (!(r->run_rng[q] = open_stream(r, "run", sv->id, leg)))
                    return false;
            }
            if (i > 0 && !(r->dwell_rng[q] = open_stream(r, "dwell", here, sv->id)))
                return false;
        }
    }
    for (size_t i = 0; i < s->n_demand; i++) {
        const char *o = s->nodes[s->demand[i].origin].id, *d = s->nodes[s->demand[i].destination].id;
        if (!(r->demand[i].post = open_stream(r, "post", o, d))
            || !(r->demand[i].kg = open_stream(r, "kg", o, d)))
            return false;
    }
    return true;
}

static bool months_init(struct rep *r)
{
    size_t n = r->m->layout.month.n;
    struct months *mo = &r->month;
    mo->acc = calloc(n * r->s->n_demand + 1, sizeof *mo->acc);
    mo->hist = calloc(n + 1, sizeof *mo->hist);
    mo->open = calloc(n + 1, sizeof *mo->open);
    mo->done = calloc(n + 1, sizeof *mo->done);
    mo->wait_sum_h = calloc(n * r->s->n_nodes + 1, sizeof *mo->wait_sum_h);
    mo->waits = calloc(n * r->s->n_nodes + 1, sizeof *mo->waits);
    mo->backlog_max = calloc(n + 1, sizeof *mo->backlog_max);
    mo->scratch = malloc(sizeof *mo->scratch);
    return mo->acc && mo->hist && mo->open && mo->done && mo->wait_sum_h && mo->waits && mo->backlog_max
           && mo->scratch;
}

static void months_fini(struct rep *r)
{
    struct months *mo = &r->month;
    for (size_t j = 0; mo->hist && j < r->m->layout.month.n; j++)
        free(mo->hist[j]);
    free(mo->hist);
    free(mo->acc);
    free(mo->open);
    free(mo->done);
    free(mo->wait_sum_h);
    free(mo->waits);
    free(mo->backlog_max);
    free(mo->scratch);
    free(mo->spare);
}

static bool rep_init(struct rep *r)
{
    const struct scenario *s = r->s;
    const struct model *m = r->m;
    r->warmup_h = s->warmup_d * CALENDAR_HOURS_PER_DAY;
    r->horizon_h = s->horizon_d * CALENDAR_HOURS_PER_DAY;
    r->end_h = (s->horizon_d + s->runout_d) * CALENDAR_HOURS_PER_DAY;
    r->e = engine_create(1024);
    r->queues = calloc(m->n_queues + 1, sizeof *r->queues);
    r->nodes = calloc(s->n_nodes + 1, sizeof *r->nodes);
    r->services = calloc(s->n_services + 1, sizeof *r->services);
    r->demand = calloc(s->n_demand + 1, sizeof *r->demand);
    r->disruptions = calloc(s->n_disruptions + 1, sizeof *r->disruptions);
    size_t n_acc = 1 + m->layout.n_dest + s->n_demand;
    r->acc = calloc(n_acc, sizeof *r->acc);
    r->scratch = malloc(sizeof *r->scratch);
    if (!r->e || !r->queues || !r->nodes || !r->services || !r->demand || !r->disruptions || !r->acc
        || !r->scratch)
        return false;
    /* histograms for od rows only: all and dest merge theirs in collect() */
    for (size_t i = 1 + m->layout.n_dest; i < n_acc; i++)
        if (!(r->acc[i].hist = calloc(1, sizeof *r->acc[i].hist)))
            return false;
    if (!months_init(r))
        return false;
    for (size_t n = 0; n < s->n_nodes; n++)
        r->nodes[n].servers = scaled_servers(&s->nodes[n], 1);
    for (size_t k = 0; k < s->n_services; k++)
        if (s->services[k].route_len > r->max_stops)
            r->max_stops = s->services[k].route_len;
    r->ride_gap_h = malloc(r->max_stops * sizeof *r->ride_gap_h);
    r->ride_events = malloc(r->max_stops);
    size_t n_seg = m->layout.budget.n_segments;
    r->budget_h = calloc(s->n_demand * n_seg + 1, sizeof *r->budget_h);
    r->budget_open_h = calloc(s->n_demand + 1, sizeof *r->budget_open_h);
    r->ride_budget_h = malloc((r->max_stops * n_seg + 1) * sizeof *r->ride_budget_h);
    size_t groups = s->n_demand * r->max_stops;
    if (groups > UINT32_MAX)
        return false;
    r->group = calloc(groups + 1, sizeof *r->group);
    r->group_touched = malloc((groups + 1) * sizeof *r->group_touched);
    if (!r->ride_gap_h || !r->ride_events || !r->budget_h || !r->budget_open_h || !r->ride_budget_h || !r->group
        || !r->group_touched)
        return false;
    return make_streams(r);
}

static bool rep_start(struct rep *r)
{
    const struct scenario *s = r->s;
    for (size_t k = 0; k < s->n_services; k++) {
        r->services[k] = (struct service_state){ .r = r, .k = (uint32_t)k };
        schedule(r, scenario_departure_h(&s->services[k], 0), on_depart, &r->services[k]);
    }
    for (size_t i = 0; i < s->n_demand; i++) {
        struct demand_state *ds = &r->demand[i];
        ds->r = r;
        ds->row = (uint32_t)i;
        ds->rate_per_h = s->demand[i].batches_per_day / CALENDAR_HOURS_PER_DAY;
        ds->growth_per_h = log1p(s->demand[i].growth_pct_per_year / 100) / CALENDAR_HOURS_PER_YEAR;
        ds->season = s->demand[i].seasonal;
        ds->dest_node = (uint32_t)s->demand[i].destination;
        ds->dest = (uint32_t)r->m->layout.dest_of_node[ds->dest_node];
        ds->od = &r->acc[1 + r->m->layout.n_dest + i];
        ds->dm = &s->demand[i];
        ds->hop = &r->m->hops[ds->dm->origin * r->m->layout.n_dest + ds->dest];
        if (engine_stream(r->e, posting_after(ds, 0), posting_after, on_post, ds) != RM_OK)
            fail_nomem(r);
    }
    for (size_t i = 0; i < s->n_disruptions; i++) {
        r->disruptions[i] = (struct disruption_state){ r, (uint32_t)i, 0 };
        if (s->disruptions[i].target_kind == TARGET_NODE)
            schedule(r, s->disruptions[i].start_h, on_disruption, &r->disruptions[i]);
    }
    schedule(r, CALENDAR_HOURS_PER_DAY, on_day, r);
    return !r->failed;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

static void put_batch_scope(struct rep *r, size_t row, const struct scope_acc *a)
{
    double *v = &r->rec->values[row];
    double window_d = (r->horizon_h - r->warmup_h) / CALENDAR_HOURS_PER_DAY;
    v[METRIC_POSTED] = (double)a->posted;
    v[METRIC_DELIVERED] = (double)a->delivered;
    v[METRIC_IN_FLIGHT] = (double)a->in_flight;
    v[METRIC_LOST] = (double)a->posted - (double)a->delivered - (double)a->in_flight;
    v[METRIC_DELIVERED_T] = a->delivered_kg / 1000;
    v[METRIC_TRANSIT_MEAN] = ratio(a->transit_sum_d, (double)a->delivered);
    v[METRIC_TRANSIT_MAX] = a->delivered ? a->transit_max_d : NAN;
    stats_hist_quantiles(a->hist, &quantile_of[METRIC_TRANSIT_P50], METRIC_TRANSIT_P99 - METRIC_TRANSIT_P50 + 1, &v[METRIC_TRANSIT_P50]);
    /* batches still on the way at the end of the run-out are late */
    v[METRIC_ON_TIME] = 100 * ratio((double)a->on_time, (double)(a->delivered + a->in_flight));
    v[METRIC_THROUGHPUT] = ratio(a->window_kg / 1000, window_d);
    v[METRIC_TRACKING_GAP] = ratio(a->gap_sum_h, (double)a->delivered);
    v[METRIC_TRACKING_PER_BATCH] = ratio(a->events_sum, (double)a->delivered);
    v[METRIC_COST_TOTAL] = r->m->has_cost ? a->cost : NAN;
    v[METRIC_COST_PER_KG] = r->m->has_cost ? ratio(a->cost, a->window_kg) : NAN;
    v[METRIC_CO2_TOTAL] = r->m->has_co2 ? a->co2_g / 1000 : NAN;
    v[METRIC_CO2_PER_KG] = r->m->has_co2 ? ratio(a->co2_g, a->delivered_kg) : NAN;
}

/* Counts every batch still in the system at the end of the run, for the
 * conservation check and the in-flight metrics (in its od row: all's and
 * dest's are summed in collect(); and in its posting month). */
static uint64_t count_ring(struct rep *r, const struct ring *q)
{
    struct scope_acc *od = &r->acc[1 + r->m->layout.n_dest];
    for (uint32_t i = 0; i < q->n; i++) {
        const struct batch *b = ring_at(q, i);
        if (b->posted_h < r->warmup_h)
            continue;
        od[b->demand].in_flight++;
        if (b->hops) {  /* the rides it has ended are in the budget: its waits and rides so far */
            r->budget_h[(size_t)b->demand * r->m->layout.budget.n_segments + LAYOUT_ORIGIN_WAIT] -= b->departed_h - b->posted_h;
            r->budget_open_h[b->demand] += b->last_event_h - b->departed_h;
        }
        r->month.acc[(size_t)month_of(r, b->posted_h) * r->s->n_demand + b->demand].in_flight++;
    }
    return q->n;
}

static uint64_t count_in_system(struct rep *r)
{
    uint64_t n = 0;
    for (size_t q = 0; q < r->m->n_queues; q++)
        n += count_ring(r, &r->queues[q]);
    for (size_t i = 0; i < r->n_trains; i++) {
        struct train *tr = r->trains[i];
        if (!tr->live)
            continue;
        for (size_t k = tr->stop; k < r->s->services[tr->service].route_len; k++)
            n += count_ring(r, &tr->cargo[k]);
    }
    return n;
}

/* The CO2 of the legs a train still on its way at the end of the run has
 * not begun, for its service: the rides of the batches aboard count whole,
 * as their kg boarded does (the legs run are counted as each begins). */
static void charge_unfinished_rides(struct rep *r, const struct train *tr)
{
    const double *cum = &r->m->co2_g_per_t[r->m->qbase[tr->service]];
    if (!in_window(r, tr->departed_h))
        return;
    for (size_t k = tr->stop + 1; k < r->s->services[tr->service].route_len; k++)
        for (uint32_t j = 0; j < tr->cargo[k].n; j++) {
            const struct batch *b = ring_at(&tr->cargo[k], j);
            r->services[tr->service].co2_g += b->kg / 1000 * (cum[k] - cum[tr->stop]);
        }
}

/* The trains still on the way at the end of the run: their CO2, cost and
 * rows so far, and the rows of the batches not delivered. */
static void finish_at_end(struct rep *r)
{
    for (size_t i = 0; i < r->n_trains; i++) {
        struct train *tr = r->trains[i];
        if (!tr->live)
            continue;
        charge_unfinished_rides(r, tr);
        finish_train(r, tr, NAN);
        if (r->out->batches)
            for (size_t k = tr->stop; k < r->s->services[tr->service].route_len; k++)
                for (uint32_t j = 0; j < tr->cargo[k].n; j++) {
                    /* a copy with its ride so far, so no statistic moves */
                    struct batch view = *ring_at(&tr->cargo[k], j);
                    if (isnan(view.departed_h))
                        view.departed_h = tr->left_h[view.board_stop];
                    if (view.hops < MAX_HOPS)
                        view.svc[view.hops] = (uint16_t)tr->service;
                    view.hops++;
                    log_batch(r, &view, NAN);
                }
    }
    if (r->out->batches)
        for (size_t q = 0; q < r->m->n_queues; q++)
            for (uint32_t i = 0; i < r->queues[q].n; i++)
                log_batch(r, ring_at(&r->queues[q], i), NAN);
}

/* The record cell of summary row `base` in month slot j; NULL when the
 * row is not reported by month. */
static double *month_cell(const struct rep *r, size_t j, size_t base)
{
    const struct layout_months *ml = &r->m->layout.month;
    size_t offset = ml->offset[base];
    return offset == SIZE_MAX ? NULL : &r->rec->values[ml->row + j * ml->stride + offset];
}

/* The quantiles of month j at a batch scope whose summary rows start at `base`. */
static void put_month_quantiles(struct rep *r, size_t j, size_t base, const struct stats_small_hist *h)
{
    static const size_t q[] = { METRIC_TRANSIT_P50, METRIC_TRANSIT_P90, METRIC_TRANSIT_P95, METRIC_TRANSIT_P99 };
    for (size_t k = 0; k < sizeof q / sizeof *q; k++) {
        double *cell = month_cell(r, j, base + q[k]);
        if (cell)
            *cell = stats_small_quantile(h, quantile_of[q[k]]);
    }
}

/* Month j's quantiles (od rows, each origin's and the network's, merged)
 * into the record; then its histograms are freed. */
static void close_month(struct rep *r, size_t j)
{
    const struct model *m = r->m;
    struct stats_small_hist *h = r->month.hist[j], *sum = r->month.scratch;
    if (h) {
        for (size_t i = 0; i < r->s->n_demand; i++)
            put_month_quantiles(r, j, m->layout.row_od + i * N_BATCH_METRICS, &h[i]);
        for (size_t g = 0; g < m->layout.origin.n; g++) {
            memset(sum, 0, sizeof *sum);
            for (size_t k = m->layout.origin.start[g]; k < m->layout.origin.start[g + 1]; k++)
                stats_small_merge(sum, &h[m->layout.origin.member[k]]);
            put_month_quantiles(r, j, m->layout.origin.row + g * N_BATCH_METRICS, sum);
        }
        memset(sum, 0, sizeof *sum);
        for (size_t i = 0; i < r->s->n_demand; i++)
            stats_small_merge(sum, &h[i]);
        put_month_quantiles(r, j, 0, sum);
    }
    if (r->month.spare)
        free(h);
    else
        r->month.spare = h;
    r->month.hist[j] = NULL;
    r->month.done[j] = true;
}

static void month_acc_add(struct month_acc *into, const struct month_acc *a)
{
    into->posted += a->posted;
    into->delivered += a->delivered;
    into->on_time += a->on_time;
    into->in_flight += a->in_flight;
    into->transit_sum_d += a->transit_sum_d;
    into->window_kg += a->window_kg;
}

/* Month j's counts, shares and means at a batch scope (rows from `base`). */
static void put_month_batch(struct rep *r, size_t j, size_t base, const struct month_acc *a)
{
    double v[N_BATCH_METRICS];
    for (size_t k = 0; k < N_BATCH_METRICS; k++)
        v[k] = NAN;
    v[METRIC_POSTED] = (double)a->posted;
    v[METRIC_DELIVERED] = (double)a->delivered;
    v[METRIC_TRANSIT_MEAN] = ratio(a->transit_sum_d, (double)a->delivered);
    v[METRIC_ON_TIME] = 100 * ratio((double)a->on_time, (double)(a->delivered + a->in_flight));
    v[METRIC_THROUGHPUT] = ratio(a->window_kg / 1000, r->m->layout.month.window_d[j]);
    for (size_t k = 0; k < N_BATCH_METRICS; k++) {
        double *cell = month_cell(r, j, base + k);
        if (cell && !(k >= METRIC_TRANSIT_P50 && k <= METRIC_TRANSIT_P99))
            *cell = v[k];
    }
}

/* Month j of each scope of a union kind, summed from its od rows'. */
static void put_month_unions(struct rep *r, size_t j, const struct month_acc *od, const struct layout_union *u)
{
    for (size_t g = 0; g < u->n; g++) {
        struct month_acc sum = {0};
        for (size_t k = u->start[g]; k < u->start[g + 1]; k++)
            month_acc_add(&sum, &od[u->member[k]]);
        put_month_batch(r, j, u->row + g * N_BATCH_METRICS, &sum);
    }
}

/* The monthly rows: every month still open is closed (its batches still
 * on the way at the end of the run-out stay out of its quantiles, as in
 * the summary), then each month's batch scopes, node waits and largest
 * backlog. A month's train wait is that of the trains that got a server
 * in it, like the daily series: a train still queueing at the horizon has
 * no such month (its wait so far would pull the last month down), and
 * counts in the summary only. */
static void collect_months(struct rep *r)
{
    const struct model *m = r->m;
    size_t nd = r->s->n_demand, nn = r->s->n_nodes;
    for (size_t j = 0; j < m->layout.month.n; j++)
        if (!r->month.done[j])
            close_month(r, j);
    for (size_t j = 0; j < m->layout.month.n; j++) {
        const struct month_acc *od = &r->month.acc[j * nd];
        struct month_acc all = {0};
        for (size_t i = 0; i < nd; i++) {
            put_month_batch(r, j, m->layout.row_od + i * N_BATCH_METRICS, &od[i]);
            month_acc_add(&all, &od[i]);
        }
        put_month_batch(r, j, 0, &all);
        put_month_unions(r, j, od, &m->layout.origin);
        put_month_unions(r, j, od, &m->layout.common);
        for (size_t n = 0; n < nn; n++) {
            double *cell = month_cell(r, j, m->layout.row_node + n * N_NODE_METRICS + (METRIC_TRAIN_QUEUE_WAIT - FIRST_NODE));
            if (cell)
                *cell = ratio(r->month.wait_sum_h[j * nn + n], (double)r->month.waits[j * nn + n]);
        }
        double *cell = month_cell(r, j, METRIC_MAX_BACKLOG);
        if (cell)
            *cell = r->month.backlog_max[j];
    }
}

/* Adds an od row's counts, events and longest transit into another
 * scope's: whole numbers and a maximum, the same in any order. */
static void add_counts(struct scope_acc *into, const struct scope_acc *a)
{
    into->posted += a->posted;
    into->delivered += a->delivered;
    into->on_time += a->on_time;
    into->in_flight += a->in_flight;
    into->transit_max_d = fmax(into->transit_max_d, a->transit_max_d);
    into->events_sum += a->events_sum;
}

/* Adds an od row's accumulator into a union scope's. */
static void acc_add(struct scope_acc *into, const struct scope_acc *a)
{
    add_counts(into, a);
    into->delivered_kg += a->delivered_kg;
    into->window_kg += a->window_kg;
    into->transit_sum_d += a->transit_sum_d;
    into->gap_sum_h += a->gap_sum_h;
    into->cost += a->cost;
    into->co2_g += a->co2_g;
}

/* The rows of a union kind, each summed from its od rows' accumulators (a
 * scope of one row is that row's); r->scratch holds a merged histogram. */
static void put_union_scopes(struct rep *r, const struct layout_union *u)
{
    const struct scope_acc *od = &r->acc[1 + r->m->layout.n_dest];
    for (size_t g = 0; g < u->n; g++) {
        size_t first = u->start[g], end = u->start[g + 1];
        size_t row = u->row + g * N_BATCH_METRICS;
        if (end - first == 1) {
            put_batch_scope(r, row, &od[u->member[first]]);
            continue;
        }
        struct scope_acc sum = { .hist = r->scratch };
        memset(r->scratch, 0, sizeof *r->scratch);
        for (size_t k = first; k < end; k++) {
            acc_add(&sum, &od[u->member[k]]);
            stats_hist_merge(r->scratch, od[u->member[k]].hist);
        }
        put_batch_scope(r, row, &sum);
    }
}

/* Takes the batches still on the way at the end out of the time budget:
 * their origin waits exactly (count_ring), the rest of the time they had
 * added (budget_open_h) from the od row's other segments in proportion,
 * so that the segments add up to the delivered batches' transit. Exact
 * when every batch is delivered, as the run-out sees to unless it ends
 * first (run_warn_undelivered says so). */
static void take_out_open(struct rep *r)
{
    size_t n = r->m->layout.budget.n_segments;
    for (size_t i = 0; i < r->s->n_demand; i++) {
        double open = r->budget_open_h[i], *seg = &r->budget_h[i * n], rest = 0;
        if (!(open > 0))
            continue;
        for (size_t k = LAYOUT_TRANSFER_WAIT; k < n; k++)
            rest += seg[k];
        double keep = rest > open ? (rest - open) / rest : 0;
        for (size_t k = LAYOUT_TRANSFER_WAIT; k < n; k++)
            seg[k] *= keep;
    }
}

/* One budget scope's row: its segments' sums (hours) as days per batch delivered. */
static void put_budget_scope(struct rep *r, size_t scope, const double *sum_h, uint64_t delivered)
{
    const struct layout_budget *b = &r->m->layout.budget;
    double *v = &r->rec->values[b->row + scope * b->n_segments];
    for (size_t k = 0; k < b->n_segments; k++)
        v[k] = ratio(sum_h[k] / CALENDAR_HOURS_PER_DAY, (double)delivered);
}

/* The sums of a union scope's od rows (NULL: every od row) into sum_h. */
static uint64_t sum_budget(const struct rep *r, const size_t *member, size_t count, double *sum_h)
{
    size_t n = r->m->layout.budget.n_segments;
    const struct scope_acc *od = &r->acc[1 + r->m->layout.n_dest];
    uint64_t delivered = 0;
    for (size_t k = 0; k < n; k++)
        sum_h[k] = 0;
    for (size_t j = 0; j < count; j++) {
        size_t i = member ? member[j] : j;
        for (size_t k = 0; k < n; k++)
            sum_h[k] += r->budget_h[i * n + k];
        delivered += od[i].delivered;
    }
    return delivered;
}

/* The time budget's rows, scope by scope in the layout's order. */
static void put_budget(struct rep *r)
{
    const struct layout *l = &r->m->layout;
    double sum_h[LAYOUT_MAX_SEGMENTS];
    size_t scope = 0;
    take_out_open(r);
    put_budget_scope(r, scope++, sum_h, sum_budget(r, NULL, r->s->n_demand, sum_h));
    for (size_t g = 0; g < l->origin.n; g++) {
        uint64_t delivered = sum_budget(r, &l->origin.member[l->origin.start[g]],
                                        l->origin.start[g + 1] - l->origin.start[g], sum_h);
        put_budget_scope(r, scope++, sum_h, delivered);
    }
    for (size_t i = 0; i < r->s->n_demand; i++) {
        uint64_t delivered = sum_budget(r, &i, 1, sum_h);
        put_budget_scope(r, scope++, sum_h, delivered);
    }
    for (size_t g = 0; g < l->path.n; g++) {
        uint64_t delivered = sum_budget(r, &l->path.member[l->path.start[g]],
                                        l->path.start[g + 1] - l->path.start[g], sum_h);
        put_budget_scope(r, scope++, sum_h, delivered);
    }
}

/* The trains still queueing at the horizon count in their node's wait
 * with their wait until then, as if the run ended there (node statistics
 * are of the window). */
static void note_queues_at_horizon(struct rep *r)
{
    for (size_t n = 0; n < r->s->n_nodes; n++) {
        struct node_state *ns = &r->nodes[n];
        for (const struct train *tr = ns->q_head; tr; tr = tr->next)
            if (tr->queued_h >= r->warmup_h) {
                ns->horizon_wait_sum_h += r->horizon_h - tr->queued_h;
                ns->horizon_waits++;
            }
    }
}

/* Runs the replication to the horizon, then through the run-out: postings
 * have stopped (their streams end at the horizon), everything else goes
 * on as a function of time, until nothing is left or end_h. */
static enum rm_status run_to_end(struct rep *r)
{
    if (engine_run(r->e, r->horizon_h) != RM_OK || r->failed)
        return RM_ENOMEM;
    if (fmod(r->horizon_h, CALENDAR_HOURS_PER_DAY) != 0)
        snapshot_day(r, r->horizon_h);  /* the last, partial day */
    note_queues_at_horizon(r);
    if (r->end_h > r->horizon_h && !runout_done(r) && (engine_run(r->e, r->end_h) != RM_OK || r->failed))
        return RM_ENOMEM;
    return RM_OK;
}

static void collect(struct rep *r)
{
    const struct scenario *s = r->s;
    const struct model *m = r->m;
    double *v = r->rec->values;
    double window_h = r->horizon_h - r->warmup_h;
    const struct scope_acc *od = &r->acc[1 + m->layout.n_dest];
    struct scope_acc all = r->acc[0];
    all.hist = r->rec->transit;
    memset(all.hist, 0, sizeof *all.hist);
    for (size_t i = 0; i < s->n_demand; i++) {
        add_counts(&all, &od[i]);
        stats_hist_merge(all.hist, od[i].hist);
    }
    put_batch_scope(r, 0, &all);
    for (size_t d = 0; d < m->layout.n_dest; d++) {
        struct scope_acc dest = r->acc[1 + d];
        dest.hist = r->scratch;
        memset(dest.hist, 0, sizeof *dest.hist);
        for (size_t i = 0; i < s->n_demand; i++)
            if (r->demand[i].dest == d) {
                add_counts(&dest, &od[i]);
                stats_hist_merge(dest.hist, od[i].hist);
            }
        put_batch_scope(r, m->layout.row_dest + d * N_BATCH_METRICS, &dest);
    }
    for (size_t i = 0; i < s->n_demand; i++)
        put_batch_scope(r, m->layout.row_od + i * N_BATCH_METRICS, &od[i]);
    double util_sum = 0;
    uint64_t util_n = 0;
    for (size_t k = 0; k < s->n_services; k++) {
        const struct service_state *ss = &r->services[k];
        double *sv = &v[m->layout.row_service + k * N_SERVICE_METRICS];
        sv[METRIC_TRAINS - FIRST_SERVICE] = (double)ss->trains;
        sv[METRIC_TRAIN_TRANSIT - FIRST_SERVICE] = ratio(ss->transit_sum_h / CALENDAR_HOURS_PER_DAY, (double)ss->arrived);
        sv[METRIC_LOAD - FIRST_SERVICE] = ratio(ss->load_pct_sum, (double)ss->loaded);
        const struct scenario_service *svc = &s->services[k];
        sv[METRIC_SERVICE_COST_TOTAL - FIRST_SERVICE] = svc->has_cost ? ss->cost : NAN;
        sv[METRIC_SERVICE_COST_PER_KG - FIRST_SERVICE] = svc->has_cost ? ratio(ss->cost, ss->boarded_kg) : NAN;
        sv[METRIC_SERVICE_SLOT_FILL - FIRST_SERVICE] = 100 * ratio(ss->slot_load_kg, ss->slot_paid_kg);
        sv[METRIC_SERVICE_CO2_TOTAL - FIRST_SERVICE] = m->has_co2 && svc->carries_mail ? ss->co2_g / 1000 : NAN;
        sv[METRIC_SERVICE_CO2_PER_KG - FIRST_SERVICE] = m->has_co2 ? ratio(ss->co2_g, ss->boarded_kg) : NAN;
        r->slot_load_kg += ss->slot_load_kg;
        r->slot_paid_kg += ss->slot_paid_kg;
        util_sum += ss->load_pct_sum;
        util_n += ss->loaded;
    }
    for (size_t n = 0; n < s->n_nodes; n++) {
        const struct node_state *ns = &r->nodes[n];
        double *nv = &v[m->layout.row_node + n * N_NODE_METRICS];
        unsigned servers = s->nodes[n].servers;
        nv[METRIC_SERVER_UTILISATION - FIRST_NODE] = servers ? 100 * ratio(ns->busy_h, servers * window_h) : NAN;
        double wait_sum = ns->wait_sum_h + ns->horizon_wait_sum_h, waits = (double)(ns->waits + ns->horizon_waits);
        nv[METRIC_TRAIN_QUEUE_WAIT - FIRST_NODE] = ratio(wait_sum, waits);
        nv[METRIC_NODE_BACKLOG - FIRST_NODE] = ns->waiting_max;
        nv[METRIC_TRAINS_HANDLED - FIRST_NODE] = (double)ns->handled;
    }
    put_union_scopes(r, &m->layout.origin);
    put_union_scopes(r, &m->layout.path);
    put_union_scopes(r, &m->layout.common);
    v[METRIC_TRAIN_UTILISATION] = ratio(util_sum, (double)util_n);
    v[METRIC_MAX_BACKLOG] = r->waiting_max;
    v[METRIC_COST_PER_T] = r->cost > 0 ? ratio(r->cost, r->acc[0].window_kg / 1000) : NAN;
    v[METRIC_SLOT_FILL] = 100 * ratio(r->slot_load_kg, r->slot_paid_kg);
    /* at scope all, every departure's cost, the ones that carried no mail too */
    v[METRIC_COST_TOTAL] = m->has_cost ? r->cost : NAN;
    v[METRIC_COST_PER_KG] = m->has_cost ? ratio(r->cost, r->acc[0].window_kg) : NAN;
    v[METRIC_ENGINE_EVENTS] = (double)engine_events(r->e);
    v[METRIC_TRACKING_EVENTS] = (double)(r->tracking_events + r->next_id);  /* the postings too */
    collect_months(r);
    put_budget(r);
}

static void rep_fini(struct rep *r)
{
    if (r->run_rng)
        for (size_t i = 0; i < r->n_rng; i++) {
            gsl_rng_free(r->run_rng[i]);
            gsl_rng_free(r->dwell_rng[i]);
        }
    free(r->run_rng);
    free(r->dwell_rng);
    if (r->demand)
        for (size_t i = 0; i < r->s->n_demand; i++) {
            gsl_rng_free(r->demand[i].post);
            gsl_rng_free(r->demand[i].kg);
        }
    if (r->acc)
        for (size_t i = 0; i < 1 + r->m->layout.n_dest + r->s->n_demand; i++)
            free(r->acc[i].hist);
    for (size_t i = 0; i < r->n_trains; i++) {
        free(r->trains[i]->left_h);
        free(r->trains[i]->ride);
        free(r->trains[i]);
    }
    for (struct cargo_set *c = r->cargo_sets, *next; c; c = next) {
        next = c->next_all;
        for (size_t k = 0; k < r->max_stops; k++)
            free(c->ring[k].slot);
        free(c);
    }
    free(r->trains);
    free(r->acc);
    free(r->ride_gap_h);
    free(r->ride_events);
    free(r->budget_h);
    free(r->budget_open_h);
    free(r->ride_budget_h);
    free(r->group);
    free(r->group_touched);
    free(r->scratch);
    months_fini(r);
    free(r->disruptions);
    free(r->demand);
    free(r->services);
    free(r->nodes);
    if (r->queues)
        for (size_t q = 0; q < r->m->n_queues; q++)
            free(r->queues[q].slot);
    free(r->queues);
    engine_destroy(r->e);
}

enum rm_status model_run(const struct model *m, unsigned replication,
                         const struct model_sinks *sinks, struct model_record *rec,
                         struct diag *d)
{
    struct rep r = { .m = m, .s = m->s, .out = sinks, .rec = rec, .replication = replication };
    enum rm_status st = RM_ENOMEM;
    if (!rep_init(&r) || !rep_start(&r))
        goto done;
    if (run_to_end(&r) != RM_OK)
        goto done;
    uint64_t in_system = count_in_system(&r);
    if (r.next_id != r.delivered + in_system) {
        st = diag_fail(d, RM_ERUN,
                       "replication %u: conservation of batches broken: %llu posted, %llu delivered, %llu in the system",
                       replication, (unsigned long long)r.next_id, (unsigned long long)r.delivered,
                       (unsigned long long)in_system);
        goto done;
    }
    finish_at_end(&r);
    collect(&r);
    st = RM_OK;
done:
    if (st == RM_ENOMEM)
        diag_fail(d, st, "replication %u: out of memory", replication);
    rep_fini(&r);
    return st;
}
