/* layout: the rows of a replication's record on tests/fixtures/scenario-mini
 * (two demand rows from CQ, to WAW over CQ-BRS then BRS-WAW and to BRS on
 * CQ-BRS; four nodes, three services). The checks follow the metric table
 * rather than count its rows, so adding a metric changes none of them. */
#include "../sim/layout.h"

#include <criterion/criterion.h>
#include <string.h>

#include "railmail/diag.h"
#include "railmail/metric.h"
#include "railmail/net.h"

#define MINI "tests/fixtures/scenario-mini"

static struct scenario *s;
static struct net *net;
static struct diag *d;

static void load(void)
{
    d = diag_create();
    cr_assert_eq(scenario_load(MINI, NULL, NULL, 0, &s, d), RM_OK);
    net = net_create(s);
    cr_assert_not_null(net);
}

static void unload(void)
{
    net_destroy(net);
    scenario_destroy(s);
    diag_destroy(d);
}

/* The kind of scope a scope's name gives (a METRIC_SCOPE_* bit). */
static unsigned kind_of(const char *scope)
{
    static const struct { const char *prefix; unsigned kind; } kinds[] = {
        { "dest:", METRIC_SCOPE_DEST },     { "od:", METRIC_SCOPE_OD },     { "node:", METRIC_SCOPE_NODE },
        { "service:", METRIC_SCOPE_SERVICE }, { "origin:", METRIC_SCOPE_ORIGIN }, { "path:", METRIC_SCOPE_PATH },
    };
    if (!strcmp(scope, "all"))
        return METRIC_SCOPE_ALL;
    if (!strncmp(scope, "common:", 7))
        return METRIC_SCOPE_COMMON;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (!strncmp(scope, kinds[i].prefix, strlen(kinds[i].prefix)))
            return kinds[i].kind;
    cr_assert_fail("scope \"%s\" of no kind", scope);
    return 0;
}

/* The name of the first metric of the table reported at `kind` scopes. */
static const char *first_at(unsigned kind)
{
    for (size_t i = 0; i < METRIC_COUNT; i++)
        if (metric_get(i)->scopes & kind)
            return metric_get(i)->name;
    return NULL;
}

TestSuite(layout, .init = load, .fini = unload);

Test(layout, each_scope_is_one_block_of_its_kinds_metrics_in_table_order)
{
    struct layout l;
    const char *pairs[] = { "CQ-BRS" }, *both[] = { "CQ-BRS", "CQ-WAW" };
    const struct model_common groups[] = { { "fast", pairs, 1 }, { "wide", both, 2 } };
    cr_assert(layout_init(&l, s, net, groups, 2));
    static const unsigned order[] = { METRIC_SCOPE_ALL, METRIC_SCOPE_DEST, METRIC_SCOPE_OD, METRIC_SCOPE_NODE,
                                      METRIC_SCOPE_SERVICE, METRIC_SCOPE_ORIGIN, METRIC_SCOPE_PATH,
                                      METRIC_SCOPE_COMMON };
    size_t at = 0, scopes = 0;
    for (size_t row = 0; row < l.month.row; scopes++) {
        const char *scope = l.scope[row];
        unsigned kind = kind_of(scope);
        while (at < 8 && order[at] != kind)
            at++;
        cr_assert_lt(at, 8, "scope %s out of order", scope);
        for (size_t i = 0; i < METRIC_COUNT; i++) {
            if (!(metric_get(i)->scopes & kind))
                continue;
            cr_assert_str_eq(l.scope[row], scope);
            cr_assert_str_eq(l.metric[row], metric_get(i)->name, "row %zu", row);
            cr_assert_eq(layout_row(&l, l.metric[row], scope), row);
            cr_assert_eq(layout_row_month(&l, row), -1);
            row++;
        }
    }
    /* all, 2 dest, 2 od, 4 node, 3 service, 1 origin, 2 path, 2 common (which may overlap) */
    cr_assert_eq(scopes, 1 + 2 + 2 + 4 + 3 + 1 + 2 + 2);
    cr_assert_eq(l.row_dest, layout_row(&l, first_at(METRIC_SCOPE_DEST), "dest:WAW"));
    cr_assert_eq(l.row_od, layout_row(&l, first_at(METRIC_SCOPE_OD), "od:CQ-WAW"));
    cr_assert_eq(l.row_node, layout_row(&l, first_at(METRIC_SCOPE_NODE), "node:CQ"));
    cr_assert_eq(l.row_service, layout_row(&l, first_at(METRIC_SCOPE_SERVICE), "service:CQ-BRS"));
    cr_assert_eq(l.origin.row, layout_row(&l, first_at(METRIC_SCOPE_ORIGIN), "origin:CQ"));
    cr_assert_eq(l.common.row, layout_row(&l, first_at(METRIC_SCOPE_COMMON), "common:fast"));
    cr_assert_eq(l.common.start[1] - l.common.start[0], 1);
    cr_assert_eq(l.common.start[2] - l.common.start[1], 2);
    cr_assert_eq(layout_row(&l, "posted_batches", "node:CQ"), SIZE_MAX);
    layout_fini(&l);
}

Test(layout, months_repeat_the_monthly_metrics_of_all_origin_od_and_node_scopes)
{
    struct layout l;
    cr_assert(layout_init(&l, s, net, NULL, 0));
    cr_assert_gt(l.month.n, 1);
    cr_assert_gt(l.month.stride, 0);
    cr_assert_eq(l.budget.row, l.month.row + l.month.n * l.month.stride);
    for (size_t row = l.month.row; row < l.budget.row; row++) {
        int32_t month = layout_row_month(&l, row);
        cr_assert_eq(month, l.month.first + (int32_t)((row - l.month.row) / l.month.stride));
        unsigned kind = kind_of(l.scope[row]);
        cr_assert(kind & (METRIC_SCOPE_ALL | METRIC_SCOPE_ORIGIN | METRIC_SCOPE_OD | METRIC_SCOPE_NODE), "%s",
                  l.scope[row]);
        cr_assert(metric_scopes(metric_find(l.metric[row])) & METRIC_SCOPE_MONTH, "%s", l.metric[row]);
        cr_assert_eq(layout_row_in_month(&l, l.metric[row], l.scope[row], month), row);
    }
    cr_assert_eq(layout_row_in_month(&l, "transit_p99_d", "all", l.month.first), SIZE_MAX);
    cr_assert_eq(layout_row_in_month(&l, "on_time_pct", "all", l.month.first - 1), SIZE_MAX);
    layout_fini(&l);
}

Test(layout, destinations_unions_and_series_follow_the_demand_rows)
{
    struct layout l;
    cr_assert(layout_init(&l, s, net, NULL, 0));
    cr_assert_eq(l.n_dest, 2);
    cr_assert_str_eq(s->nodes[l.dest_node[0]].id, "WAW");
    cr_assert_str_eq(s->nodes[l.dest_node[1]].id, "BRS");
    cr_assert_eq(l.dest_of_node[l.dest_node[1]], 1);
    cr_assert_eq(l.origin.n, 1);
    cr_assert_str_eq(l.origin.name[0], "CQ");
    cr_assert_eq(l.origin.start[1] - l.origin.start[0], 2);
    cr_assert_eq(l.path.n, 2);
    cr_assert_str_eq(l.path.name[l.path.of[0]], "CQ-BRS>BRS-WAW");
    cr_assert_str_eq(l.path.name[l.path.of[1]], "CQ-BRS");
    cr_assert_eq(l.common.n, 0);
    static const char *const series[] = { "delivered_t", "backlog", "delivered_t:WAW", "delivered_t:BRS",
                                          "backlog:CQ", "backlog:AKZ", "backlog:BRS", "backlog:WAW",
                                          "train_wait_d:CQ", "train_wait_d:AKZ", "train_wait_d:BRS",
                                          "train_wait_d:WAW" };
    cr_assert_eq(l.series, sizeof series / sizeof *series);
    for (size_t i = 0; i < l.series; i++)
        cr_assert_str_eq(l.series_name[i], series[i]);
    size_t count;
    cr_assert_eq(layout_group(&l, MODEL_TRAIN_WAIT_NODE, &count), 8);
    cr_assert_eq(count, 4);
    cr_assert_eq(l.dest_series, 2);
    layout_fini(&l);
}

/* The time budget's rows follow the monthly ones: every segment at all,
 * each origin, each od row and each path, under the summary rows' scope
 * names, in no month; the mini network rides legs of no mode. */
Test(layout, the_budget_follows_the_months_scope_by_scope)
{
    struct layout l;
    cr_assert(layout_init(&l, s, net, NULL, 0));
    const struct layout_budget *b = &l.budget;
    cr_assert_eq(b->n_segments, LAYOUT_MOVING + 1);
    cr_assert_str_eq(b->segment[LAYOUT_MOVING], "moving");
    cr_assert_str_eq(b->segment[LAYOUT_QUEUE], "queue");
    cr_assert_eq(b->n_scopes, 1 + l.origin.n + s->n_demand + l.path.n);
    cr_assert_eq(l.rows, b->row + b->n_scopes * b->n_segments);
    cr_assert_str_eq(l.scope[b->row], "all");
    cr_assert_str_eq(l.scope[b->row + b->n_segments], "origin:CQ");
    cr_assert_str_eq(l.scope[b->row + 2 * b->n_segments], "od:CQ-WAW");
    cr_assert_str_eq(l.metric[b->row + 2 * b->n_segments + LAYOUT_HANDLING], "handling");
    for (size_t row = b->row; row < l.rows; row++) {
        cr_assert(layout_row_budget(&l, row));
        cr_assert_eq(layout_row_month(&l, row), -1);
    }
    cr_assert_not(layout_row_budget(&l, b->row - 1));
    layout_fini(&l);
}
