#ifndef RAILMAIL_NET_H
#define RAILMAIL_NET_H
/* The network's routing table: for every node and destination, the service a
 * batch boards next and where it gets off, by least expected time, computed
 * once at load time and deterministic on ties. */
#include <stdbool.h>
#include <stdint.h>
#include "railmail/scenario.h"

struct net;

struct net_hop {
    uint32_t service;      /* index into scenario services */
    uint32_t board_stop;   /* position of the boarding node in the route */
    uint32_t alight_stop;  /* position where the batch gets off */
};

/* NULL when out of memory. The scenario must outlive the net. */
struct net *net_create(const struct scenario *s);
/* The table over the services running at hour at_h only (start_d <= t <
 * end_d): routing while a service has not started or has ended. */
struct net *net_create_at(const struct scenario *s, double at_h);
void net_destroy(struct net *n);  /* NULL is a no-op */

/* When routing changes inside the horizon: the hours at which a service
 * starts or ends (start_d, end_d) strictly between 0 and horizon_h, with 0
 * first, in order and distinct, each the start of a period in which the
 * same services run (net_create_at gives its table). Returns how many, the
 * hours in *at_h (malloc'd); 0 and NULL when every service runs throughout,
 * SIZE_MAX when out of memory. */
size_t net_epochs(const struct scenario *s, double horizon_h, double **at_h);

/* The next hop of a batch at `node` bound for `dest`; false when the batch
 * is there already or no service carries it on. */
bool net_next(const struct net *n, size_t node, size_t dest, struct net_hop *hop);

/* Expected hours from `node` to `dest` (half a headway of wait, cut-off,
 * mean running times and dwells, no queueing); INFINITY when unreachable. */
double net_expected_h(const struct net *n, size_t node, size_t dest);
#endif /* RAILMAIL_NET_H */
