/* layout: the rows of a replication's record and the names of its daily
 * series, laid out once per model. Each scope gets a row for every metric
 * of the table reported at its kind, in table order, so a scope's values
 * are one block; the scopes that are unions of demand rows (origin:ID,
 * path:A>B, common) list their rows for the model to sum. */
#include "layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "railmail/calendar.h"
#include "railmail/metric.h"
#include "railmail/strbuf.h"

/* A series name "KIND" or "KIND:ID", malloc'd; NULL when out of memory. */
static char *series_name(const char *kind, const char *id)
{
    struct strbuf b = {0};
    strbuf_printf(&b, id ? "%s:%s" : "%s", kind, id);
    return strbuf_take(&b);
}

/* FNV-1a over a metric name and a scope, for the row index. */
static uint64_t row_hash(const char *metric, const char *scope)
{
    uint64_t h = 1469598103934665603u;
    for (const char *p = metric; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    h = (h ^ 0xff) * 1099511628211u;  /* a separator no name holds */
    for (const char *p = scope; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return h;
}

/* An open-addressing index from (metric, scope) to row: layout_row is
 * O(1), so pairing two runs' rows is linear, not quadratic. */
static bool build_index(struct layout *l)
{
    l->index_mask = 1;
    while (l->index_mask < 2 * l->month.row)  /* the rows it holds: a year's monthly rows are 3/4 of all */
        l->index_mask <<= 1;
    l->index = malloc(l->index_mask * sizeof *l->index);
    if (!l->index)
        return false;
    for (size_t i = 0; i < l->index_mask; i++)
        l->index[i] = SIZE_MAX;
    l->index_mask--;
    for (size_t row = 0; row < l->month.row; row++) {
        size_t at = row_hash(l->metric[row], l->scope[row]) & l->index_mask;
        while (l->index[at] != SIZE_MAX)
            at = (at + 1) & l->index_mask;
        l->index[at] = row;
    }
    return true;
}

int32_t layout_row_month(const struct layout *l, size_t row)
{
    return row < l->month.row || row >= l->budget.row ? -1 : l->month.first + (int32_t)((row - l->month.row) / l->month.stride);
}

size_t layout_row_in_month(const struct layout *l, const char *metric, const char *scope, int32_t month)
{
    size_t base = layout_row(l, metric, scope);
    if (base == SIZE_MAX || month < l->month.first || (size_t)(month - l->month.first) >= l->month.n
        || l->month.offset[base] == SIZE_MAX)
        return SIZE_MAX;
    return l->month.row + (size_t)(month - l->month.first) * l->month.stride + l->month.offset[base];
}

size_t layout_row(const struct layout *l, const char *metric, const char *scope)
{
    for (size_t at = row_hash(metric, scope) & l->index_mask; l->index[at] != SIZE_MAX;
         at = (at + 1) & l->index_mask) {
        size_t row = l->index[at];
        if (!strcmp(l->metric[row], metric) && !strcmp(l->scope[row], scope))
            return row;
    }
    return SIZE_MAX;
}

/* How many metrics of the table are reported at `kind` scopes: the rows
 * of each such scope. */
static size_t metrics_at(unsigned kind)
{
    size_t n = 0;
    for (size_t i = 0; i < METRIC_COUNT; i++)
        n += (metric_get(i)->scopes & kind) != 0;
    return n;
}

/* Adds a row for each metric reported at `kind` scopes, in table order,
 * and gives each its offset in a month (at the monthly kinds, for the
 * monthly metrics). */
static bool add_rows(struct layout *l, size_t *row, unsigned kind, const char *scope)
{
    bool by_month = (kind & METRIC_SCOPE_MONTHLY) != 0;
    for (size_t i = 0; i < METRIC_COUNT; i++) {
        const struct metric *mt = metric_get(i);
        if (!(mt->scopes & kind))
            continue;
        l->metric[*row] = mt->name;
        if (!(l->scope[*row] = strdup(scope)))
            return false;
        bool monthly = by_month && (mt->scopes & METRIC_SCOPE_MONTH);
        l->month.offset[*row] = monthly ? l->month.stride : SIZE_MAX;
        if (monthly)
            l->month.base[l->month.stride++] = *row;
        (*row)++;
    }
    return true;
}

/* "dest:", "od:", "common:", ...: what a scope of `kind` starts with. */
static const char *prefix_of(unsigned kind)
{
    return metric_scope_kind(kind)->prefix;
}

/* The rows of each scope of a union kind, named its prefix + its name. */
static bool add_union_rows(struct layout *l, size_t *row, const struct layout_union *u, unsigned kind)
{
    for (size_t g = 0; g < u->n; g++) {
        struct strbuf b = {0};
        strbuf_printf(&b, "%s%s", prefix_of(kind), u->name[g]);
        bool ok = strbuf_str(&b)[0] && add_rows(l, row, kind, strbuf_str(&b));
        strbuf_fini(&b);
        if (!ok)
            return false;
    }
    return true;
}

/* The months of the window [warmup, horizon) from start_date: which month
 * each day falls in, and how many of its days are inside the window. */
static bool build_months(struct layout *l)
{
    const struct scenario *s = l->s;
    size_t first_day = (size_t)floor(s->warmup_d), last_day = l->days ? l->days - 1 : 0;
    l->month.first = calendar_month(s->start_day + (int32_t)first_day);
    l->month.n = (size_t)(calendar_month(s->start_day + (int32_t)last_day) - l->month.first + 1);
    l->month.of_day = malloc((l->days + 1) * sizeof *l->month.of_day);
    l->month.window_d = calloc(l->month.n + 1, sizeof *l->month.window_d);
    if (!l->month.of_day || !l->month.window_d)
        return false;
    for (size_t day = 0; day < l->days; day++) {
        int32_t j = calendar_month(s->start_day + (int32_t)day) - l->month.first;
        l->month.of_day[day] = j;
        /* the part of the day inside [warmup, horizon), in days */
        double in = fmin(day + 1.0, s->horizon_d) - fmax((double)day, s->warmup_d);
        if (j >= 0 && in > 0)
            l->month.window_d[j] += in;
    }
    return true;
}

/* The summary rows, kind by kind, then each month's copy of the monthly
 * ones, which share their summary row's names. */
/* Room for `rows` rows' metric and scope names (the rows past l->rows
 * are the caller's to fill). */
static bool grow_names(struct layout *l, size_t rows)
{
    const char **metric = realloc(l->metric, (rows + 1) * sizeof *metric);
    if (metric)
        l->metric = metric;
    char **grown = realloc(l->scope, (rows + 1) * sizeof *grown);
    if (grown)
        l->scope = grown;
    return metric && grown;
}

static bool build_rows(struct layout *l)
{
    const struct scenario *s = l->s;
    l->row_dest = metrics_at(METRIC_SCOPE_ALL);
    l->row_od = l->row_dest + l->n_dest * metrics_at(METRIC_SCOPE_DEST);
    l->row_node = l->row_od + s->n_demand * metrics_at(METRIC_SCOPE_OD);
    l->row_service = l->row_node + s->n_nodes * metrics_at(METRIC_SCOPE_NODE);
    /* origin and path rows come last, so every earlier row keeps its place */
    l->origin.row = l->row_service + s->n_services * metrics_at(METRIC_SCOPE_SERVICE);
    l->path.row = l->origin.row + l->origin.n * metrics_at(METRIC_SCOPE_ORIGIN);
    l->common.row = l->path.row + l->path.n * metrics_at(METRIC_SCOPE_PATH);
    l->month.row = l->common.row + l->common.n * metrics_at(METRIC_SCOPE_COMMON);
    l->rows = l->month.row;
    l->metric = calloc(l->rows + 1, sizeof *l->metric);
    l->scope = calloc(l->rows + 1, sizeof *l->scope);
    l->month.offset = malloc((l->month.row + 1) * sizeof *l->month.offset);
    l->month.base = malloc((l->month.row + 1) * sizeof *l->month.base);
    if (!l->metric || !l->scope || !l->month.offset || !l->month.base)
        return false;
    size_t row = 0;
    char scope[600];
    bool ok = add_rows(l, &row, METRIC_SCOPE_ALL, metric_scope_kind(METRIC_SCOPE_ALL)->name);
    for (size_t d = 0; ok && d < l->n_dest; d++) {
        snprintf(scope, sizeof scope, "%s%s", prefix_of(METRIC_SCOPE_DEST), s->nodes[l->dest_node[d]].id);
        ok = add_rows(l, &row, METRIC_SCOPE_DEST, scope);
    }
    for (size_t i = 0; ok && i < s->n_demand; i++) {
        snprintf(scope, sizeof scope, "%s%s-%s", prefix_of(METRIC_SCOPE_OD), s->nodes[s->demand[i].origin].id,
                 s->nodes[s->demand[i].destination].id);
        ok = add_rows(l, &row, METRIC_SCOPE_OD, scope);
    }
    for (size_t n = 0; ok && n < s->n_nodes; n++) {
        snprintf(scope, sizeof scope, "%s%s", prefix_of(METRIC_SCOPE_NODE), s->nodes[n].id);
        ok = add_rows(l, &row, METRIC_SCOPE_NODE, scope);
    }
    for (size_t k = 0; ok && k < s->n_services; k++) {
        snprintf(scope, sizeof scope, "%s%s", prefix_of(METRIC_SCOPE_SERVICE), s->services[k].id);
        ok = add_rows(l, &row, METRIC_SCOPE_SERVICE, scope);
    }
    ok = ok && add_union_rows(l, &row, &l->origin, METRIC_SCOPE_ORIGIN);
    ok = ok && add_union_rows(l, &row, &l->path, METRIC_SCOPE_PATH);
    ok = ok && add_union_rows(l, &row, &l->common, METRIC_SCOPE_COMMON);
    if (!ok || row != l->month.row)
        return false;
    size_t rows = l->month.row + l->month.n * l->month.stride;
    if (!grow_names(l, rows))
        return false;
    l->rows = rows;
    for (; row < l->rows; row++) {
        size_t base = l->month.base[(row - l->month.row) % l->month.stride];
        l->metric[row] = l->metric[base];
        l->scope[row] = l->scope[base];
    }
    return build_index(l);
}

bool layout_row_budget(const struct layout *l, size_t row)
{
    return row >= l->budget.row && row < l->rows;
}

/* The budget's segments: the waits, then "moving_MODE" for each mode some
 * mail service rides ("moving" for legs without one), in the modes' order. */
static bool build_segments(struct layout *l)
{
    static const char *const waits[] = { [LAYOUT_ORIGIN_WAIT] = "origin_wait", [LAYOUT_TRANSFER_WAIT] = "transfer_wait",
                                         [LAYOUT_QUEUE] = "queue", [LAYOUT_HANDLING] = "handling" };
    const struct scenario *s = l->s;
    struct layout_budget *b = &l->budget;
    bool ridden[N_MODES] = {0};
    for (size_t k = 0; k < s->n_services; k++)
        for (size_t h = 0; s->services[k].carries_mail && h + 1 < s->services[k].route_len; h++)
            ridden[s->legs[s->services[k].legs[h]].mode] = true;
    for (size_t i = 0; i < LAYOUT_MOVING; i++)
        if (!(b->segment[b->n_segments++] = strdup(waits[i])))
            return false;
    for (size_t mode = 0; mode < N_MODES; mode++) {
        b->segment_of_mode[mode] = (uint8_t)b->n_segments;  /* a mode no service rides: never used */
        if (!ridden[mode])
            continue;
        const char *name = scenario_mode_name((enum scenario_mode)mode);
        struct strbuf sb = {0};
        strbuf_printf(&sb, name ? "moving_%s" : "moving", name);
        if (!(b->segment[b->n_segments++] = strbuf_take(&sb)))
            return false;
    }
    if (b->n_segments == LAYOUT_MOVING)  /* no mail service at all: a segment for the time in motion all the same */
        if (!(b->segment[b->n_segments++] = strdup("moving")))
            return false;
    return true;
}

/* The budget's rows, after the monthly ones: the scope all, then each
 * origin:, od: and path: scope, named as their summary rows are. */
static bool build_budget(struct layout *l)
{
    struct layout_budget *b = &l->budget;
    if (!build_segments(l))
        return false;
    size_t od = metrics_at(METRIC_SCOPE_OD), origin = metrics_at(METRIC_SCOPE_ORIGIN),
           path = metrics_at(METRIC_SCOPE_PATH);
    b->row = l->rows;
    b->n_scopes = 1 + l->origin.n + l->s->n_demand + l->path.n;
    size_t rows = l->rows + b->n_scopes * b->n_segments;
    if (!grow_names(l, rows))
        return false;
    size_t row = l->rows;
    for (size_t j = 0; j < b->n_scopes; j++) {
        size_t g = j;
        size_t of = g == 0 ? 0
                    : --g < l->origin.n ? l->origin.row + g * origin
                    : (g -= l->origin.n) < l->s->n_demand ? l->row_od + g * od
                    : l->path.row + (g - l->s->n_demand) * path;
        for (size_t k = 0; k < b->n_segments; k++, row++) {
            l->metric[row] = b->segment[k];
            l->scope[row] = l->scope[of];
        }
    }
    l->rows = rows;
    return true;
}

size_t layout_group(const struct layout *l, enum model_group g, size_t *count)
{
    switch (g) {
    case MODEL_DELIVERED_DEST:
        *count = l->n_dest;
        return MODEL_SERIES_GROUPS;
    case MODEL_BACKLOG_NODE:
        *count = l->s->n_nodes;
        return MODEL_SERIES_GROUPS + l->n_dest;
    case MODEL_TRAIN_WAIT_NODE:
        *count = l->s->n_nodes;
        return MODEL_SERIES_GROUPS + l->n_dest + l->s->n_nodes;
    }
    *count = 0;
    return 0;
}

/* The daily series' names: the network's two, then tonnes delivered per
 * destination, backlog and train wait per node. */
static bool build_series(struct layout *l)
{
    const struct scenario *s = l->s;
    l->series = MODEL_SERIES_GROUPS + l->n_dest + 2 * s->n_nodes;
    l->series_name = calloc(l->series, sizeof *l->series_name);
    if (!l->series_name)
        return false;
    const char *delivered = metric_name(METRIC_DELIVERED_T);  /* the daily series of the metric */
    l->series_name[MODEL_SERIES_DELIVERED_T] = series_name(delivered, NULL);
    l->series_name[MODEL_SERIES_BACKLOG] = series_name("backlog", NULL);
    size_t count, dest = layout_group(l, MODEL_DELIVERED_DEST, &count);
    size_t backlog = layout_group(l, MODEL_BACKLOG_NODE, &count);
    size_t wait = layout_group(l, MODEL_TRAIN_WAIT_NODE, &count);
    l->dest_series = dest;
    for (size_t d = 0; d < l->n_dest; d++)
        l->series_name[dest + d] = series_name(delivered, s->nodes[l->dest_node[d]].id);
    for (size_t n = 0; n < s->n_nodes; n++)
        l->series_name[backlog + n] = series_name("backlog", s->nodes[n].id);
    for (size_t n = 0; n < s->n_nodes; n++)
        l->series_name[wait + n] = series_name("train_wait_d", s->nodes[n].id);
    for (size_t i = 0; i < l->series; i++)
        if (!l->series_name[i])
            return false;
    return true;
}

/* The destination slots: the distinct destinations of demand, in order of
 * first appearance. */
static bool build_destinations(struct layout *l)
{
    const struct scenario *s = l->s;
    l->dest_of_node = malloc((s->n_nodes + 1) * sizeof *l->dest_of_node);
    l->dest_node = malloc((s->n_nodes + 1) * sizeof *l->dest_node);
    if (!l->dest_of_node || !l->dest_node)
        return false;
    for (size_t n = 0; n < s->n_nodes; n++)
        l->dest_of_node[n] = SIZE_MAX;
    for (size_t i = 0; i < s->n_demand; i++) {
        size_t node = s->demand[i].destination;
        if (l->dest_of_node[node] == SIZE_MAX) {
            l->dest_of_node[node] = l->n_dest;
            l->dest_node[l->n_dest++] = node;
        }
    }
    return true;
}

/* Gives each demand row the scope of its name in u (names[i], malloc'd and
 * taken over): equal names share a scope, numbered in order of first
 * appearance; then lists each scope's rows. */
static bool group_rows(struct layout_union *u, size_t n_rows, char **names)
{
    size_t mask = 1;
    while (mask < 2 * n_rows)
        mask <<= 1;
    size_t *slot = malloc(mask * sizeof *slot);
    u->of = malloc((n_rows + 1) * sizeof *u->of);
    u->name = calloc(n_rows + 1, sizeof *u->name);
    u->start = calloc(n_rows + 2, sizeof *u->start);
    u->member = malloc((n_rows + 1) * sizeof *u->member);
    bool ok = slot && u->of && u->name && u->start && u->member;
    for (size_t i = 0; ok && i < mask; i++)
        slot[i] = SIZE_MAX;
    mask--;
    for (size_t i = 0; i < n_rows; i++) {
        if (!ok || !names[i]) {
            free(names[i]);
            ok = false;
            continue;
        }
        size_t at = row_hash(names[i], "") & mask;
        while (slot[at] != SIZE_MAX && strcmp(u->name[slot[at]], names[i]) != 0)
            at = (at + 1) & mask;
        if (slot[at] == SIZE_MAX) {
            slot[at] = u->n;
            u->name[u->n++] = names[i];
        } else
            free(names[i]);
        u->of[i] = slot[at];
        u->start[u->of[i] + 1]++;
    }
    free(slot);
    if (!ok)
        return false;
    for (size_t g = 0; g < u->n; g++)
        u->start[g + 1] += u->start[g];
    size_t *fill = calloc(u->n + 1, sizeof *fill);
    if (!fill)
        return false;
    for (size_t i = 0; i < n_rows; i++)
        u->member[u->start[u->of[i]] + fill[u->of[i]]++] = i;
    free(fill);
    return true;
}

/* origin:ID scopes: the demand rows of each origin node. */
static bool build_origins(struct layout *l)
{
    const struct scenario *s = l->s;
    char **names = calloc(s->n_demand + 1, sizeof *names);
    if (!names)
        return false;
    for (size_t i = 0; i < s->n_demand; i++)
        names[i] = strdup(s->nodes[s->demand[i].origin].id);
    bool ok = group_rows(&l->origin, s->n_demand, names);
    free(names);
    return ok;
}

/* The services a batch of demand row i rides, "A>B": routing is fixed at
 * load, so each row has one path, the one the batch log lists. malloc'd. */
static char *path_of(const struct scenario *s, const struct net *net, size_t i)
{
    struct strbuf b = {0};
    size_t node = s->demand[i].origin, dest = s->demand[i].destination;
    struct net_hop hop;
    for (size_t hops = 0; node != dest && hops <= s->n_services; hops++) {
        if (!net_next(net, node, dest, &hop)) {
            strbuf_printf(&b, "%s(no route)", hops ? ">" : "");
            break;
        }
        strbuf_printf(&b, "%s%s", hops ? ">" : "", s->services[hop.service].id);
        node = s->services[hop.service].route[hop.alight_stop];
    }
    if (!b.len)
        strbuf_printf(&b, "(none)");
    return strbuf_take(&b);
}

/* path:A>B scopes: the demand rows whose batches ride the same services. */
static bool build_paths(struct layout *l, const struct net *net)
{
    const struct scenario *s = l->s;
    char **names = calloc(s->n_demand + 1, sizeof *names);
    if (!names)
        return false;
    for (size_t i = 0; i < s->n_demand; i++)
        names[i] = path_of(s, net, i);
    bool ok = group_rows(&l->path, s->n_demand, names);
    free(names);
    return ok;
}

/* The scopes common:NAME: each group's demand rows whose pair ("O-D") is
 * in its list. Groups may overlap (`of` stays unset). */
static bool build_common(struct layout *l, const struct model_common *groups, size_t n_groups)
{
    const struct scenario *s = l->s;
    struct layout_union *u = &l->common;
    if (n_groups == 0)
        return true;
    u->name = calloc(n_groups + 1, sizeof *u->name);
    u->start = calloc(n_groups + 2, sizeof *u->start);
    u->member = malloc((n_groups * s->n_demand + 1) * sizeof *u->member);
    if (!u->name || !u->start || !u->member)
        return false;
    size_t filled = 0;
    for (size_t g = 0; g < n_groups; g++) {
        if (!(u->name[g] = strdup(groups[g].name)))
            return false;
        u->n++;
        for (size_t i = 0; i < s->n_demand; i++) {
            char key[300];
            snprintf(key, sizeof key, "%s-%s", s->nodes[s->demand[i].origin].id,
                     s->nodes[s->demand[i].destination].id);
            for (size_t k = 0; k < groups[g].n_pairs; k++)
                if (!strcmp(key, groups[g].pairs[k])) {
                    u->member[filled++] = i;
                    break;
                }
        }
        u->start[g + 1] = filled;
    }
    return true;
}

/* Frees a union kind's lists and names (any of them NULL). */
static void union_fini(struct layout_union *u)
{
    if (u->name)
        for (size_t g = 0; g < u->n; g++)
            free(u->name[g]);
    free(u->name);
    free(u->of);
    free(u->start);
    free(u->member);
}

bool layout_init(struct layout *l, const struct scenario *s, const struct net *net,
                 const struct model_common *groups, size_t n_groups)
{
    *l = (struct layout){ .s = s, .days = (size_t)ceil(s->horizon_d) };
    return build_destinations(l) && build_origins(l) && build_paths(l, net) && build_common(l, groups, n_groups)
           && build_months(l) && build_rows(l) && build_budget(l) && build_series(l);
}

void layout_fini(struct layout *l)
{
    if (l->scope)
        for (size_t i = 0; i < l->month.row; i++)
            free(l->scope[i]);
    if (l->series_name)
        for (size_t i = 0; i < l->series; i++)
            free(l->series_name[i]);
    free(l->series_name);
    for (size_t k = 0; k < l->budget.n_segments; k++)
        free(l->budget.segment[k]);
    union_fini(&l->origin);
    union_fini(&l->path);
    union_fini(&l->common);
    free(l->month.of_day);
    free(l->month.window_d);
    free(l->month.offset);
    free(l->month.base);
    free(l->metric);
    free(l->scope);
    free(l->index);
    free(l->dest_node);
    free(l->dest_of_node);
}
