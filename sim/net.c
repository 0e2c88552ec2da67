/* net: least-expected-time routing over scheduled services. A service gives
 * an edge from every stop to every later stop; its cost is half a headway of
 * waiting, the cut-off, and the mean running and dwell times in between.
 * A backward Dijkstra from each destination gives the table. */
#include "railmail/net.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define NO_HOP UINT32_MAX

struct net {
    const struct scenario *s;
    double at_h;            /* only services running then; NaN: every service */
    size_t n_nodes;
    double **cum;           /* per service: mean hours from stop 0 to stop k */
    double *dist;           /* [dest * n_nodes + node] expected hours */
    struct net_hop *hop;    /* [node * n_nodes + dest] */
};

/* A service the table may route mail on: it carries mail, and it runs at
 * the table's time (from start_d, before end_d). */
static bool usable(const struct net *n, const struct scenario_service *sv)
{
    return sv->carries_mail && (isnan(n->at_h) || (sv->start_h <= n->at_h && n->at_h < sv->end_h));
}

/* Expected hours riding service s from stop i to stop j, waiting included. */
static double ride_cost(const struct net *n, size_t s, size_t i, size_t j)
{
    const struct scenario_service *sv = &n->s->services[s];
    return scenario_headway_h(sv) / 2 + sv->cutoff_h + n->cum[s][j] - n->cum[s][i];
}

static void fill_cumulative(const struct scenario *s, size_t k, double *cum)
{
    const struct scenario_service *sv = &s->services[k];
    cum[0] = 0;
    for (size_t i = 1; i < sv->route_len; i++)
        cum[i] = cum[i - 1] + dist_mean(&s->legs[sv->legs[i - 1]].time_h)
                 + dist_mean(&s->nodes[sv->route[i]].dwell_h);
}

/* Dijkstra towards `dest` over reversed ride edges; O(V^2 + E) per pass. */
static void shortest_to(struct net *n, size_t dest, bool *done)
{
    const struct scenario *s = n->s;
    double *dist = n->dist + dest * n->n_nodes;
    for (size_t v = 0; v < n->n_nodes; v++) {
        dist[v] = INFINITY;
        done[v] = false;
    }
    dist[dest] = 0;
    for (;;) {
        size_t u = SIZE_MAX;
        for (size_t v = 0; v < n->n_nodes; v++)
            if (!done[v] && isfinite(dist[v]) && (u == SIZE_MAX || dist[v] < dist[u]))
                u = v;
        if (u == SIZE_MAX)
            return;
        done[u] = true;
        for (size_t k = 0; k < s->n_services; k++) {
            const struct scenario_service *sv = &s->services[k];
            if (!usable(n, sv))
                continue;
            for (size_t j = 1; j < sv->route_len; j++) {
                if (sv->route[j] != u)
                    continue;
                for (size_t i = 0; i < j; i++) {
                    double c = ride_cost(n, k, i, j) + dist[u];
                    if (c < dist[sv->route[i]])
                        dist[sv->route[i]] = c;
                }
            }
        }
    }
}

/* The hop that attains the least expected time; the first in service and
 * stop order wins a tie, so the table never depends on anything else. */
static void choose_hops(struct net *n, size_t dest)
{
    const struct scenario *s = n->s;
    const double *dist = n->dist + dest * n->n_nodes;
    for (size_t v = 0; v < n->n_nodes; v++) {
        struct net_hop *h = &n->hop[v * n->n_nodes + dest];
        h->service = NO_HOP;
        if (v == dest || !isfinite(dist[v]))
            continue;
        double best = INFINITY;
        for (size_t k = 0; k < s->n_services; k++) {
            const struct scenario_service *sv = &s->services[k];
            if (!usable(n, sv))
                continue;
            for (size_t i = 0; i + 1 < sv->route_len; i++) {
                if (sv->route[i] != v)
                    continue;
                for (size_t j = i + 1; j < sv->route_len; j++) {
                    double c = ride_cost(n, k, i, j) + dist[sv->route[j]];
                    if (c < best) {
                        best = c;
                        *h = (struct net_hop){ (uint32_t)k, (uint32_t)i, (uint32_t)j };
                    }
                }
            }
        }
    }
}

struct net *net_create(const struct scenario *s)
{
    return net_create_at(s, NAN);
}

struct net *net_create_at(const struct scenario *s, double at_h)
{
    struct net *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->s = s;
    n->at_h = at_h;
    n->n_nodes = s->n_nodes;
    size_t nn = s->n_nodes;
    n->cum = calloc(s->n_services ? s->n_services : 1, sizeof *n->cum);
    n->dist = malloc(nn * nn * sizeof *n->dist + 1);
    n->hop = malloc(nn * nn * sizeof *n->hop + 1);
    bool *done = malloc(nn + 1);
    if (!n->cum || !n->dist || !n->hop || !done)
        goto fail;
    for (size_t k = 0; k < s->n_services; k++) {
        n->cum[k] = malloc(s->services[k].route_len * sizeof **n->cum);
        if (!n->cum[k])
            goto fail;
        fill_cumulative(s, k, n->cum[k]);
    }
    for (size_t d = 0; d < nn; d++) {
        shortest_to(n, d, done);
        choose_hops(n, d);
    }
    free(done);
    return n;
fail:
    free(done);
    net_destroy(n);
    return NULL;
}

static int by_hour(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

size_t net_epochs(const struct scenario *s, double horizon_h, double **at_h)
{
    size_t n = 0;
    double *at = malloc((2 * s->n_services + 2) * sizeof *at);
    *at_h = NULL;
    if (!at)
        return SIZE_MAX;
    for (size_t k = 0; k < s->n_services; k++) {
        const struct scenario_service *sv = &s->services[k];
        if (sv->start_h > 0 && sv->start_h < horizon_h)
            at[n++] = sv->start_h;
        if (sv->end_h > 0 && sv->end_h < horizon_h)
            at[n++] = sv->end_h;
    }
    if (n == 0) {
        free(at);
        return 0;
    }
    at[n++] = 0;
    qsort(at, n, sizeof *at, by_hour);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || at[i] != at[u - 1])
            at[u++] = at[i];
    *at_h = at;
    return u;
}

void net_destroy(struct net *n)
{
    if (!n)
        return;
    if (n->cum)
        for (size_t k = 0; k < n->s->n_services; k++)
            free(n->cum[k]);
    free(n->cum);
    free(n->dist);
    free(n->hop);
    free(n);
}

bool net_next(const struct net *n, size_t node, size_t dest, struct net_hop *hop)
{
    const struct net_hop *h = &n->hop[node * n->n_nodes + dest];
    if (h->service == NO_HOP)
        return false;
    *hop = *h;
    return true;
}

double net_expected_h(const struct net *n, size_t node, size_t dest)
{
    return n->dist[dest * n->n_nodes + node];
}
