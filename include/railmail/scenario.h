#ifndef RAILMAIL_SCENARIO_H
#define RAILMAIL_SCENARIO_H
/* A scenario: the CSV files of a scenario directory, optionally overlaid by a
 * proposal directory and by --set overrides, loaded into validated, typed
 * records with node references resolved to indices. One object, one destroy. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "railmail/diag.h"
#include "railmail/dist.h"
#include "railmail/status.h"

enum scenario_node_kind { NODE_ORIGIN, NODE_BORDER, NODE_HUB, NODE_DESTINATION };

struct scenario_node {
    char *id, *name, *country;
    enum scenario_node_kind kind;
    unsigned servers;       /* trains handled at once; 0 = no limit */
    struct dist dwell_h;    /* time one train holds a server */
    bool scan;              /* records a tracking event for each batch */
};

struct scenario_leg {
    size_t from, to;        /* node indices */
    double km;
    struct dist time_h;     /* running time over the leg */
};

struct scenario_service {
    char *id;
    size_t *route;          /* node indices, route_len >= 2 */
    size_t route_len;
    size_t *legs;           /* leg index of hop i (route[i] -> route[i+1]) */
    double departures_per_week;  /* > 0 */
    double first_departure_h;    /* >= 0 */
    double capacity_t;           /* 0: carries no mail, still occupies nodes */
    double cutoff_h;             /* >= 0 */
    double cost_per_train;       /* 0 when not given */
};

struct scenario_demand {
    size_t origin, destination;  /* node indices */
    double batches_per_day;      /* > 0 */
    struct dist kg_per_batch;
    double growth_pct_per_year;  /* > -100 */
};

enum scenario_target_kind { TARGET_NODE, TARGET_SERVICE };

struct scenario_disruption {
    enum scenario_target_kind target_kind;
    size_t target;               /* node or service index */
    double start_d, duration_d;
    double capacity_factor;      /* >= 0; 0 closes the node or the service */
};

struct scenario {
    char *dir;                   /* as given on the command line */
    char *name, *description;
    double horizon_d, warmup_d;  /* defaults 365, 28 */
    unsigned replications;       /* default 10 */
    uint64_t seed;               /* default 1 */
    double service_standard_d;   /* on time if transit <= this */
    double confidence;           /* default 0.95 */

    struct scenario_node *nodes;          size_t n_nodes;
    struct scenario_leg *legs;            size_t n_legs;
    struct scenario_service *services;    size_t n_services;
    struct scenario_demand *demand;       size_t n_demand;
    struct scenario_disruption *disruptions; size_t n_disruptions;
};

/* Loads `base_dir`, lays `overlay_dir` over it when not NULL (a proposal:
 * same id replaces, new id adds, scenario keys override) and then applies
 * each of the n_sets "FILE.ID.COLUMN=VALUE" overrides. Every problem found is
 * added to `d`; returns RM_OK with *out set only if there was none. */
enum rm_status scenario_load(const char *base_dir, const char *overlay_dir,
                             const char *const *sets, size_t n_sets,
                             struct scenario **out, struct diag *d);
void scenario_destroy(struct scenario *s);  /* NULL is a no-op */

/* Index of the node with this id, or SIZE_MAX. */
size_t scenario_node_find(const struct scenario *s, const char *id);
/* Index of the leg from -> to, or SIZE_MAX. */
size_t scenario_leg_find(const struct scenario *s, size_t from, size_t to);
const char *scenario_node_kind_name(enum scenario_node_kind kind);
#endif /* RAILMAIL_SCENARIO_H */
