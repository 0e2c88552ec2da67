/* metric: METRIC@SCOPE parsed and trimmed, the scope kinds' shapes, and the
 * flags that replaced hand lists (judged per pair, monthly, run's ranks). */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "railmail/metric.h"

/* ---- METRIC@SCOPE ----------------------------------------------------------- */

static void parses(const char *text, enum metric_id id, const char *scope)
{
    struct diag *d = diag_create();
    struct metric_ref r;
    cr_assert_eq(metric_ref_parse(text, strlen(text), "--test", &r, d), RM_OK, "%s: %s", text,
                 diag_count(d) ? diag_message(d, 0) : "");
    cr_assert_eq(r.metric, metric_get(id), "%s: metric %s", text, r.metric->name);
    cr_assert_str_eq(r.scope, scope, "%s", text);
    metric_ref_fini(&r);
    cr_assert_null(r.scope);
    diag_destroy(d);
}

Test(metric, a_ref_names_a_metric_and_a_scope_all_when_left_out)
{
    parses("on_time_pct@od:CQ-DE", METRIC_ON_TIME, "od:CQ-DE");
    parses("transit_p95_d", METRIC_TRANSIT_P95, "all");
    parses("train_queue_wait_h@node:BRS", METRIC_TRAIN_QUEUE_WAIT, "node:BRS");
    parses("transit_p50_d@path:CQ-MAL>MAL-DE", METRIC_TRANSIT_P50, "path:CQ-MAL>MAL-DE");
    /* a name with rows at two kinds of scope gives its first row */
    parses("cost_total@service:CQ-MAL", METRIC_COST_TOTAL, "service:CQ-MAL");
    /* the first @ splits; the rest is the scope's, for the model to refuse */
    parses("on_time_pct@all@x", METRIC_ON_TIME, "all@x");
}

Test(metric, spaces_and_tabs_around_the_parts_are_trimmed)
{
    parses(" on_time_pct @ od:CQ-DE\t", METRIC_ON_TIME, "od:CQ-DE");
    parses("\ttransit_mean_d ", METRIC_TRANSIT_MEAN, "all");
    parses("load_pct@ service:CQ MAL ", METRIC_LOAD, "service:CQ MAL");  /* not inside */
}

Test(metric, only_len_bytes_are_read)
{
    struct diag *d = diag_create();
    struct metric_ref r;
    const char *text = "on_time_pct@od:CQ-DE>=80";
    cr_assert_eq(metric_ref_parse(text, 20, "--target", &r, d), RM_OK);
    cr_assert_str_eq(r.scope, "od:CQ-DE");
    metric_ref_fini(&r);
    cr_assert_eq(metric_ref_parse(text, 11, "--target", &r, d), RM_OK);
    cr_assert_eq(r.metric, metric_get(METRIC_ON_TIME));
    cr_assert_str_eq(r.scope, "all");
    metric_ref_fini(&r);
    diag_destroy(d);
}

static void refused(const char *text, const char *message)
{
    struct diag *d = diag_create();
    struct metric_ref r;
    cr_assert_eq(metric_ref_parse(text, strlen(text), "--precision x", &r, d), RM_EINPUT, "%s: accepted", text);
    cr_assert_null(r.metric);
    cr_assert_null(r.scope);
    cr_assert_eq(diag_count(d), 1);
    cr_assert(!strncmp(diag_message(d, 0), message, strlen(message)), "%s: got \"%s\"", text, diag_message(d, 0));
    diag_destroy(d);
}

Test(metric, an_unknown_name_is_refused_with_every_name_once)
{
    refused("on_tme_pct@all", "--precision x: unknown metric \"on_tme_pct\"; the metrics are posted_batches, "
            "delivered_batches, ");
    refused(" bogus ", "--precision x: unknown metric \"bogus\"; the metrics are ");
    refused("@all", "--precision x: unknown metric \"\"; the metrics are ");
    refused("", "--precision x: unknown metric \"\"; the metrics are ");
    /* names are whole and case matters */
    refused("on_time", "--precision x: unknown metric \"on_time\"");
    refused("ON_TIME_PCT", "--precision x: unknown metric \"ON_TIME_PCT\"");

    struct diag *d = diag_create();
    cr_assert_eq(metric_unknown(d, "--metric", "x"), RM_EINPUT);
    const char *list = strstr(diag_message(d, 0), "the metrics are ") + strlen("the metrics are ");
    size_t names = 1;
    for (const char *c = list; *c; c++)
        names += *c == ',';
    size_t first = 0;
    for (size_t i = 0; i < METRIC_COUNT; i++)
        first += metric_is_first(metric_get(i));
    cr_assert_eq(names, first, "%zu names listed, %zu metrics", names, first);
    cr_assert_eq(first, METRIC_COUNT - 5, "the service's cost, carbon and slot fill share their names");
    cr_assert(strstr(list, "cost_total, ") && !strstr(strstr(list, "cost_total, ") + 1, "cost_total"),
              "cost_total listed once");
    diag_destroy(d);
}

/* ---- scopes ----------------------------------------------------------------- */

Test(metric, a_scope_has_a_kind_by_its_shape)
{
    cr_assert_eq(metric_scope_of("all"), METRIC_SCOPE_ALL);
    cr_assert_eq(metric_scope_of("common"), METRIC_SCOPE_COMMON);
    cr_assert_eq(metric_scope_of("dest:DE"), METRIC_SCOPE_DEST);
    cr_assert_eq(metric_scope_of("od:CQ-DE"), METRIC_SCOPE_OD);
    cr_assert_eq(metric_scope_of("node:BRS"), METRIC_SCOPE_NODE);
    cr_assert_eq(metric_scope_of("service:CQ-MAL"), METRIC_SCOPE_SERVICE);
    cr_assert_eq(metric_scope_of("origin:CQ"), METRIC_SCOPE_ORIGIN);
    cr_assert_eq(metric_scope_of("path:A>B"), METRIC_SCOPE_PATH);
    /* an id is required after a prefix; month is a flag, not a scope */
    cr_assert_eq(metric_scope_of("od:"), 0);
    cr_assert_eq(metric_scope_of("month"), 0);
    cr_assert_eq(metric_scope_of("al"), 0);
    cr_assert_eq(metric_scope_of("All"), 0);
    cr_assert_eq(metric_scope_of(" all"), 0);
    cr_assert_eq(metric_scope_of("nope:X"), 0);
    cr_assert_eq(metric_scope_of(""), 0);
}

Test(metric, every_scope_bit_has_a_kind_named_as_help_lists_it)
{
    static const char *const name[] = {"all", "dest", "od", "node", "service", "origin", "path", "month", "common"};
    size_t k = 0;
    for (unsigned bit = 1; metric_scope_kind(bit); bit <<= 1, k++)
        cr_assert_str_eq(metric_scope_kind(bit)->name, name[k]);
    cr_assert_eq(k, 9);
    cr_assert_null(metric_scope_kind(0));
    cr_assert_null(metric_scope_kind(METRIC_SCOPE_ALL | METRIC_SCOPE_OD));
    cr_assert_str_eq(metric_scope_kind(METRIC_SCOPE_OD)->prefix, "od:");
    cr_assert_str_eq(metric_scope_kind(METRIC_SCOPE_ALL)->prefix, "");
}

Test(metric, scopes_text_lists_the_shapes_in_bit_order)
{
    struct strbuf b = {0};
    metric_scopes_text(&b, metric_scopes(metric_get(METRIC_ON_TIME)) & METRIC_SCOPE_RUN);
    cr_assert_str_eq(strbuf_str(&b), "all, dest:ID, od:ORIGIN-DEST, origin:ID, path:SVC>SVC");
    strbuf_fini(&b);
    metric_scopes_text(&b, metric_scopes(metric_get(METRIC_COST_TOTAL)) & METRIC_SCOPE_RUN);
    cr_assert_str_eq(strbuf_str(&b), "all, dest:ID, od:ORIGIN-DEST, service:ID, origin:ID, path:SVC>SVC");
    strbuf_fini(&b);
    metric_scopes_text(&b, METRIC_SCOPE_MONTH | METRIC_SCOPE_NODE);  /* month has no shape */
    cr_assert_str_eq(strbuf_str(&b), "node:ID");
    strbuf_fini(&b);
}

Test(metric, a_metric_has_a_scope_of_its_kinds_in_a_run)
{
    const struct metric *on_time = metric_get(METRIC_ON_TIME), *wait = metric_get(METRIC_TRAIN_QUEUE_WAIT);
    cr_assert(metric_has_scope(on_time, "all"));
    cr_assert(metric_has_scope(on_time, "origin:CQ"));
    cr_assert(!metric_has_scope(on_time, "node:BRS"));
    cr_assert(!metric_has_scope(on_time, "common"), "common is a comparison's, not a run's");
    cr_assert(metric_has_scope(wait, "node:BRS"));
    cr_assert(!metric_has_scope(wait, "all"));
    /* a name with rows at two kinds has both */
    cr_assert(metric_has_scope(metric_get(METRIC_COST_TOTAL), "service:CQ-MAL"));
    cr_assert(metric_has_scope(metric_get(METRIC_SERVICE_COST_TOTAL), "od:CQ-DE"));
}

/* ---- flags ------------------------------------------------------------------ */

Test(metric, judged_per_pair_are_the_transit_and_on_time_metrics)
{
    enum metric_id judged[3];
    size_t n = 0;
    for (size_t i = 0; i < METRIC_COUNT; i++)
        if (metric_get(i)->flags & METRIC_JUDGED_PER_PAIR) {
            cr_assert_lt(n, 3);
            judged[n++] = (enum metric_id)i;
        }
    cr_assert_eq(n, 3);
    cr_assert_eq(judged[0], METRIC_TRANSIT_MEAN);
    cr_assert_eq(judged[1], METRIC_TRANSIT_P95);
    cr_assert_eq(judged[2], METRIC_ON_TIME);
    for (size_t j = 0; j < n; j++)  /* a pair's verdicts need od scopes */
        cr_assert(metric_get(judged[j])->scopes & METRIC_SCOPE_OD);
}

Test(metric, monthly_metrics_are_flagged_and_have_a_monthly_kind)
{
    size_t monthly = 0;
    for (size_t i = 0; i < METRIC_COUNT; i++) {
        const struct metric *mt = metric_get(i);
        if (!(mt->scopes & METRIC_SCOPE_MONTH))
            continue;
        monthly++;
        cr_assert(mt->scopes & METRIC_SCOPE_MONTHLY, "%s: monthly at no kind that has months", mt->name);
    }
    cr_assert_eq(monthly, 9);
    cr_assert(metric_get(METRIC_POSTED)->scopes & METRIC_SCOPE_MONTH);
    cr_assert(metric_get(METRIC_TRAIN_QUEUE_WAIT)->scopes & METRIC_SCOPE_MONTH);
    cr_assert(!(metric_get(METRIC_TRANSIT_P90)->scopes & METRIC_SCOPE_MONTH));
}

Test(metric, run_ranks_run_from_one_without_a_gap)
{
    unsigned rank = 1;
    for (; metric_ranked(rank); rank++)
        cr_assert_eq(metric_ranked(rank)->run_rank, rank);
    size_t ranked = 0;
    for (size_t i = 0; i < METRIC_COUNT; i++)
        ranked += metric_get(i)->run_rank != 0;
    cr_assert_eq(rank - 1, ranked, "ranks 1..%u, %zu metrics ranked", rank - 1, ranked);
    cr_assert_eq(metric_ranked(1), metric_get(METRIC_DELIVERED));
    cr_assert_null(metric_ranked(0));
}

Test(metric, headline_flags_and_directions)
{
    cr_assert(metric_get(METRIC_TRANSIT_MEAN)->flags & METRIC_HEADLINE_TABLE);
    cr_assert(metric_get(METRIC_THROUGHPUT)->flags & METRIC_HEADLINE_CHART);
    cr_assert(!(metric_get(METRIC_THROUGHPUT)->flags & METRIC_HEADLINE_TABLE));
    cr_assert_eq(metric_get(METRIC_ON_TIME)->direction, METRIC_HIGHER_BETTER);
    cr_assert_eq(metric_get(METRIC_TRANSIT_P95)->direction, METRIC_LOWER_BETTER);
    cr_assert_eq(metric_get(METRIC_ENGINE_EVENTS)->direction, METRIC_NEUTRAL);
    cr_assert_null(metric_get(METRIC_COUNT));
    cr_assert_str_eq(metric_name(METRIC_ON_TIME), "on_time_pct");
    cr_assert_eq(metric_find("on_time_pct"), metric_get(METRIC_ON_TIME));
    cr_assert_null(metric_find("on_time"));
}

Test(metric, a_cost_prints_in_the_scenario_currency)
{
    char buf[64];
    const struct metric *kg = metric_get(METRIC_COST_PER_KG), *co2 = metric_get(METRIC_CO2_PER_KG);
    cr_assert(metric_is_money(kg));
    cr_assert(metric_is_money(metric_get(METRIC_COST_TOTAL)));
    cr_assert(!metric_is_money(co2));
    cr_assert_str_eq(metric_unit(kg, "USD", buf, sizeof buf), "USD per kg");
    cr_assert_eq(metric_unit(kg, "USD", buf, sizeof buf), buf);
    cr_assert_str_eq(metric_unit(metric_get(METRIC_COST_TOTAL), "EUR", buf, sizeof buf), "EUR");
    cr_assert_eq(metric_unit(co2, "USD", buf, sizeof buf), co2->unit);
}

Test(metric, every_enum_entry_has_a_row)
{
    for (size_t i = 0; i < METRIC_COUNT; i++) {
        const struct metric *mt = metric_get(i);
        cr_assert(mt->name && mt->unit && mt->label && mt->description, "row %zu is empty", i);
        /* compare's own have no row in a run: theirs are the comparison's */
        bool compares = i == METRIC_RECOVERY || i == METRIC_EXTRA_LATE || i == METRIC_EXTRA_LATE_T;
        cr_assert(compares || (mt->scopes & METRIC_SCOPE_RUN), "%s: no scope", mt->name);
    }
}

/* One owner for the vocabulary (issue 22): a metric's, a result file's and
 * a chart's name is spelled in at most two source files under sim/ and
 * include/, comments included; tests/spelling.py says which are not. */
Test(metric, every_name_is_spelled_in_at_most_two_source_files)
{
    cr_assert_eq(system("python3 tests/spelling.py >&2"), 0, "names spelled in more than two files (above)");
}
