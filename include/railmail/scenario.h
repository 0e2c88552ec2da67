#ifndef RAILMAIL_SCENARIO_H
#define RAILMAIL_SCENARIO_H
/* A scenario: the CSV files of a scenario directory, optionally overlaid by a
 * proposal directory and by --set overrides, loaded into validated, typed
 * records with node references resolved to indices. One object, one destroy. */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "railmail/calendar.h"
#include "railmail/diag.h"
#include "railmail/dist.h"
#include "railmail/metric.h"
#include "railmail/status.h"

/* Limits shared by scenario.csv and the command line (-r, -d). 10,000
 * replications already narrow a confidence interval to 1% of a standard
 * deviation; more is a typing error, and every replication keeps a record
 * until the run is summarised. */
#define SCENARIO_MAX_REPLICATIONS 10000u
#define SCENARIO_MAX_HORIZON_D 36500u  /* days: a century */

enum scenario_node_kind { NODE_ORIGIN, NODE_BORDER, NODE_HUB, NODE_DESTINATION };

struct scenario_node {
    char *id, *name, *country;
    enum scenario_node_kind kind;
    unsigned servers;       /* trains handled at once; 0 = no limit */
    struct dist dwell_h;    /* time one train holds a server */
    bool scan;              /* records a tracking event for each batch */
};

/* How a leg is run, for its default carbon intensity (scenario_mode_g_per_tkm). */
enum scenario_mode { MODE_NONE, MODE_RAIL_ELECTRIC, MODE_RAIL_DIESEL, MODE_RAIL, MODE_TRUCK,
                     MODE_AIR, MODE_SEA, N_MODES };

struct scenario_leg {
    size_t from, to;        /* node indices */
    double km;
    struct dist time_h;     /* running time over the leg */
    enum scenario_mode mode;     /* MODE_NONE when not given */
    double co2_g_per_tkm;        /* co2_g_per_tkm, else the mode's default;
                                    NaN when neither is given */
};

/* The mode's name in legs.csv ("rail_electric", ...), NULL for MODE_NONE,
 * and its default well-to-wheel intensity in g CO2e per tonne-km (the
 * GLEC Framework figures the README cites). */
const char *scenario_mode_name(enum scenario_mode m);
double scenario_mode_g_per_tkm(enum scenario_mode m);

struct scenario_service {
    char *id;
    size_t *route;          /* node indices, route_len >= 2 */
    size_t route_len;
    size_t *legs;           /* leg index of hop i (route[i] -> route[i+1]) */
    double departures_per_week;  /* > 0 */
    double first_departure_h;    /* >= 0 */
    double capacity_t;           /* 0: carries no mail, still occupies nodes */
    double cutoff_h;             /* >= 0 */
    /* Cost models (scenario currency), each 0 when not given; a departure
     * pays the sum: cost_per_train, cost_per_t for every tonne boarded, and
     * for slots of slot_t tonnes (0: no slots) the slots_booked whether
     * used or not at cost_per_slot, and the slots its peak load needs
     * beyond those at cost_per_extra_slot (cost_per_slot when not given). */
    double cost_per_train, cost_per_t;
    double slot_t, cost_per_slot, cost_per_extra_slot;
    unsigned slots_booked;
    bool has_cost;               /* some cost column is given */
    bool carries_mail;           /* capacity_t > 0 (worked out at load) */
    double start_d, end_d;       /* runs from start_d, until before end_d; 0 and
                                    INFINITY when not given */
    double growth_pct_per_year;  /* > -100; departures per week grow continuously */
    /* Worked out at load: */
    double start_h, end_h;       /* start_d and end_d in hours */
    double growth_per_h;         /* log1p(growth_pct_per_year / 100) / 8760 */
    uint64_t skipped;            /* timetable departures before start_h */
    double week_h[7];            /* weekdays form: the departures of week 0, hours */
    unsigned n_week;             /* 0: departures_per_week form */
};

/* The j-th departure (from 0) of the service's timetable, start_d and end_d
 * aside. Departures per week are departures_per_week * e^(g t) at hour t;
 * the j-th is where their integral from first_departure_h reaches j:
 * t_j = f + ln(1 + j g H e^(-g f)) / g with H = 168 / departures_per_week,
 * and f + j H without growth. INFINITY when a shrinking timetable has
 * stopped. */
static inline double scenario_timetable_h(const struct scenario_service *sv, uint64_t j)
{
    if (sv->n_week)  /* weekdays: the same hours every week */
        return (double)(j / sv->n_week) * CALENDAR_HOURS_PER_WEEK + sv->week_h[j % sv->n_week];
    double g = sv->growth_per_h;
    if (g == 0)
        return sv->first_departure_h + (double)j * CALENDAR_HOURS_PER_WEEK / sv->departures_per_week;
    double x = (double)j * g * CALENDAR_HOURS_PER_WEEK / sv->departures_per_week * exp(-g * sv->first_departure_h);
    return x > -1 ? sv->first_departure_h + log1p(x) / g : INFINITY;
}

/* The k-th departure (from 0) of a service from its first node, in hours
 * (INFINITY when it runs no more), and the hours between departures at
 * hour 0: the timetable's one definition. */
static inline double scenario_departure_h(const struct scenario_service *sv, uint64_t k)
{
    double t = scenario_timetable_h(sv, k + sv->skipped);
    return t < sv->end_h ? t : INFINITY;
}
static inline double scenario_headway_h(const struct scenario_service *sv)
{
    return CALENDAR_HOURS_PER_WEEK / sv->departures_per_week;
}

struct scenario_demand {
    size_t origin, destination;  /* node indices */
    double batches_per_day;      /* > 0 */
    struct dist kg_per_batch;
    double growth_pct_per_year;  /* > -100 */
    double season[12];           /* rate factor per calendar month, January first
                                    (seasonality.csv; 1 without) */
    bool seasonal;               /* some factor is not 1 */
};

enum scenario_target_kind { TARGET_NODE, TARGET_SERVICE };

struct scenario_disruption {
    enum scenario_target_kind target_kind;
    size_t target;               /* node or service index */
    double start_d, duration_d;
    double start_h, end_h;       /* the same window in hours (worked out at load) */
    double capacity_factor;      /* >= 0 and <= 100; 0 closes the node or the service */
    double repeat_d, repeat_h;   /* the window recurs every repeat_d days (>= duration_d);
                                    0: once */
};

/* Window w (from 0) of a disruption: [start_h + w repeat_h, end_h + w repeat_h). */
static inline double scenario_disruption_start_h(const struct scenario_disruption *d, uint64_t w)
{
    return d->start_h + (double)w * d->repeat_h;
}
static inline double scenario_disruption_end_h(const struct scenario_disruption *d, uint64_t w)
{
    return d->end_h + (double)w * d->repeat_h;
}

/* Whether hour t lies in one of the disruption's windows. */
static inline bool scenario_disruption_active(const struct scenario_disruption *d, double t)
{
    if (!(t >= d->start_h))
        return false;
    if (d->repeat_h == 0)
        return t < d->end_h;
    double w = floor((t - d->start_h) / d->repeat_h);
    /* the windows are computed as above, so check the neighbours too */
    for (double v = w > 0 ? w - 1 : 0; v <= w + 1; v++)
        if (t >= scenario_disruption_start_h(d, (uint64_t)v) &&
            t < scenario_disruption_end_h(d, (uint64_t)v))
            return true;
    return false;
}

/* A file the scenario was read from, and the SHA-256 of its bytes. */
struct scenario_input {
    char *path;
    unsigned char sha256[32];
};

struct scenario {
    char *dir;                   /* as given on the command line */
    struct scenario_input *inputs;  /* every file read, in the order read */
    size_t n_inputs;
    /* SHA-256 over every input file (name and content) and every --set
     * except scenario.replications and scenario.confidence: equal keys
     * simulate equal replications, so earlier ones can be reused. */
    unsigned char key[32];
    char *name, *description;
    double horizon_d, warmup_d;  /* defaults 365, 28 */
    unsigned replications;       /* default 10 */
    uint64_t seed;               /* default 1 */
    double service_standard_d;   /* on time if transit <= this */
    /* After the horizon postings stop and the run goes on until every batch
     * posted is delivered, or for at most this many days (default 3 *
     * service_standard_d), so that the last months' mail is measured whole. */
    double runout_d;
    double confidence;           /* default 0.95 */
    int32_t start_day;           /* start_date, days since 1970-01-01 (calendar.h);
                                    default 2024-01-01; simulated day 0 */
    char currency[4];            /* three capital letters (ISO 4217); default USD */
    bool forecast;               /* kind,forecast: a change nobody decides (demand, the world),
                                    compared as "what if" with neutral verdicts; default decision */
    /* scenario.csv's threshold.METRIC keys: compare's practical thresholds
     * where they differ from the catalogue's defaults */
    struct scenario_threshold { const struct metric *metric; struct metric_threshold t; } *thresholds;
    size_t n_thresholds;

    struct scenario_node *nodes;          size_t n_nodes;
    struct scenario_leg *legs;            size_t n_legs;
    struct scenario_service *services;    size_t n_services;
    struct scenario_demand *demand;       size_t n_demand;
    struct scenario_disruption *disruptions; size_t n_disruptions;
};

/* Files and columns (every column named here is required in the header,
 * except those in brackets; columns may come in any order; unknown columns are
 * an error):
 *   scenario.csv     key,value  (keys: name description horizon_d warmup_d
 *                    replications seed service_standard_d runout_d
 *                    confidence start_date currency kind, and threshold.METRIC)
 *   nodes.csv        id,name,country,kind,servers,dwell_h,scan
 *   legs.csv         from,to,km,time_h[,mode][,co2_g_per_tkm]
 *   services.csv     id,route,departures_per_week,first_departure_h,
 *                    capacity_t,cutoff_h[,cost_per_train][,start_d][,end_d]
 *                    [,growth_pct_per_year][,weekdays][,departure_h]
 *                    [,cost_per_t][,slot_t][,cost_per_slot][,slots_booked]
 *                    [,cost_per_extra_slot]
 *                    (a row gives departures_per_week and first_departure_h,
 *                    or weekdays, e.g. Tue;Fri, and departure_h, not both)
 *   demand.csv       origin,destination,batches_per_day,kg_per_batch,
 *                    growth_pct_per_year (empty growth = 0)
 *   disruptions.csv  target,start_d,duration_d,capacity_factor[,repeat_d]
 *                    (optional file)
 *   seasonality.csv  origin,month,factor (optional file; origin a node id or
 *                    "*" for every origin without its own row for that month,
 *                    month 1-12 or a name)
 * Any other .csv file in a scenario or proposal directory is an error (with
 * the nearest file name); each file must be a regular file of at most
 * CSVREAD_MAX_BYTES. A file whose header holds more ';' than ',' (or whose
 * first line is "sep=;") is read with ';' and decimal commas.
 * Messages read "FILE:LINE:COL: column: expected ..., got \"...\"", where COL
 * is the field's number in its row and LINE the line where the field starts;
 * an unknown id adds "; did you mean ID?" when one is near. An error that a
 * proposal causes in a check across rows is reported at the proposal's cell.
 *
 * Row keys (for overlays and --set): nodes and services by id, legs by
 * FROM-TO, demand by ORIGIN-DESTINATION, disruptions by TARGET-START_D,
 * seasonality by ORIGIN-MONTH,
 * scenario.csv by key. An overlay file replaces whole rows, so it needs the
 * same columns as a base file; a proposal's description.txt, when present,
 * becomes the description unless its scenario.csv sets one.
 *
 * --set forms: "FILE.ID.COLUMN=VALUE" with FILE one of nodes, legs, services,
 * demand, disruptions and ID the row key above (ids may contain '.' and '-';
 * the column is after the last '.'), e.g. services.CQ-BRS.departures_per_week=4,
 * legs.AKZ-BRS.km=1105.5; and "scenario.KEY=VALUE" (scenario.KEY.value=VALUE
 * is accepted too), e.g. scenario.horizon_d=400. A --set changes an existing
 * row (scenario keys may be added); errors are reported as
 * "--set FILE.ID.COLUMN: column: ...".
 * An ID with '*', '?' or '[' is a glob pattern (fnmatch) over the row keys
 * as --set writes them, e.g. demand.CQ-*.growth_pct_per_year=30, and sets
 * every row that matches; one that matches no row is an error.
 * "COLUMN*=FACTOR" multiplies the number the cell holds (an empty cell
 * stays empty), e.g. demand.*.batches_per_day*=1.3.
 * A proposal row whose key cells hold such a pattern changes every row that
 * matches (after the proposal's other rows): a cell "*F" multiplies, an
 * empty cell leaves the value, any other replaces it. */

/* Loads `base_dir`, lays `overlay_dir` over it when not NULL (a proposal:
 * same id replaces, new id adds, scenario keys override) and then applies
 * each of the n_sets "FILE.ID.COLUMN=VALUE" overrides. Every problem found is
 * added to `d`; returns RM_OK with *out set only if there was none. A
 * proposal without description.txt adds a warning (diag_warn) and loads.
 * A base_dir that is a proposal (in a directory named proposals, with a
 * description.txt, or without nodes.csv where ../../nodes.csv exists) is
 * one error saying which compare command was meant. */
enum rm_status scenario_load(const char *base_dir, const char *overlay_dir,
                             const char *const *sets, size_t n_sets,
                             struct scenario **out, struct diag *d);
void scenario_destroy(struct scenario *s);  /* NULL is a no-op */

/* The folder of proposal `name` of the scenario at scenario_dir, checked
 * as sweep's and optimise's --proposal is: a directory name under
 * proposals/ (no '/', not hidden) that a spreadsheet would not read as a
 * formula and that exists. *out is malloc'd, the caller's. */
enum rm_status scenario_proposal_dir(const char *scenario_dir, const char *name, char **out, struct diag *d);

/* Whether a --what-if adds a row ("FILE.csv=ROW") rather than setting a
 * cell as --set does ("FILE.ID.COLUMN=VALUE"). */
bool scenario_what_if_is_row(const char *what_if);
/* The default name of the option --what-if builds. */
#define SCENARIO_WHAT_IF_NAME "what-if"

/* As scenario_load, with the n_what_if changes of a --what-if: each row
 * "FILE.csv=ROW" is added after the overlay, e.g.
 * "disruptions.csv=BRS,2024-11-13,5,0,", read in the columns of the
 * scenario's own FILE.csv (all of the file's columns, in the order the
 * reference lists them, where the scenario has none), and one whose key a
 * row already has is an error naming both; each cell "FILE.ID.COLUMN=VALUE"
 * is set after the sets, as a --set is, and a cell both set is an error.
 * Messages name "--what-if". The changes belong to the key. */
enum rm_status scenario_load_adding(const char *base_dir, const char *overlay_dir, const char *const *what_if,
                                    size_t n_what_if, const char *const *sets, size_t n_sets, struct scenario **out,
                                    struct diag *d);

/* One scenario file held in memory: `name` is e.g. "nodes.csv". */
struct scenario_file {
    const char *name;
    const char *data;
    size_t len;
};

/* As scenario_load, but the files come from memory (tests, fuzzing): `base`
 * and `overlay` list the files present; `base_dir` and `overlay_dir` only
 * name them in messages, and overlay_dir NULL means no overlay. */
enum rm_status scenario_load_memory(const char *base_dir,
                                    const struct scenario_file *base, size_t n_base,
                                    const char *overlay_dir,
                                    const struct scenario_file *overlay, size_t n_overlay,
                                    const char *const *sets, size_t n_sets,
                                    struct scenario **out, struct diag *d);

/* The last component of s->dir (trailing slashes are dropped from dir at
 * load), e.g. "china-europe-via-belarus"; the default scenario name. */
const char *scenario_basename(const struct scenario *s);

/* What --set can name, for the shell's completion. The FILE of file f
 * (from 0) as --set writes it, "scenario", "nodes", ...; NULL past the last. */
const char *scenario_set_file(size_t f);
/* Column c (from 0) of file f that --set may change: those after the row
 * key, and for scenario the keys scenario.csv may give; NULL past the last. */
const char *scenario_set_column(size_t f, size_t c);
/* The ID of row i (from 0) of file f of the loaded scenario s as --set
 * writes it ("BRS", "CQ-AKZ", "BRS-180"), in buf when it is made of two
 * parts; NULL past the last row, and for scenario (keys, not rows) and
 * seasonality (its rows are folded into demand at load). */
const char *scenario_set_id(const struct scenario *s, size_t f, size_t i, char *buf, size_t size);

/* Index of the node with this id, or SIZE_MAX. */
size_t scenario_node_find(const struct scenario *s, const char *id);
/* Index of the leg from -> to, or SIZE_MAX. */
size_t scenario_leg_find(const struct scenario *s, size_t from, size_t to);
const char *scenario_node_kind_name(enum scenario_node_kind kind);
#endif /* RAILMAIL_SCENARIO_H */
