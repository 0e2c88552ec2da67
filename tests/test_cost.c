/* Money and carbon: cost per kg under each cost model and CO2 per kg by
 * hand, on tests/e2e/cost: one departure of exactly 100 kg (40 batches of
 * 2.5 kg fill a 0.1 t train) from O through the border X to the hub M,
 * then one on to D. The model
 * is run through its API, so values are compared at full precision. */
#include "e2e.h"

#include "railmail/diag.h"
#include "railmail/model.h"
#include "railmail/scenario.h"

#define COST "tests/e2e/cost"

/* The value of (metric, scope) in replication 1 of the cost scenario with
 * `sets` applied (NULL-terminated). */
static double value_with(const char *metric, const char *scope, const char *const *sets)
{
    size_t n_sets = 0;
    while (sets && sets[n_sets])
        n_sets++;
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    cr_assert_eq(scenario_load(COST, NULL, sets, n_sets, &s, d), RM_OK, "%s",
                 diag_count(d) ? diag_message(d, 0) : "");
    struct model *m = model_create(s);
    cr_assert(m);
    struct model_record rec;
    cr_assert_eq(model_record_init(m, &rec), RM_OK);
    struct model_sinks sinks = {0};
    cr_assert_eq(model_run(m, 1, &sinks, &rec, d), RM_OK);
    size_t row = model_row(m, metric, scope);
    cr_assert_neq(row, SIZE_MAX, "no row %s@%s", metric, scope);
    double v = rec.values[row];
    model_record_fini(&rec);
    model_destroy(m);
    scenario_destroy(s);
    diag_destroy(d);
    return v;
}

#define VALUE(metric, scope, ...) value_with(metric, scope, (const char *const[]){ __VA_ARGS__, NULL })

Test(cost, the_fixture_carries_exactly_100_kg)
{
    cr_assert_eq(VALUE("delivered_t", "od:O-D", "scenario.seed=5"), 0.1);
    cr_assert_eq(VALUE("trains", "service:OM", "scenario.seed=5"), 1);
}

Test(cost, per_train_is_the_train_cost_over_its_kg)
{
    /* 123.45 for one train of 100 kg */
    cr_assert_float_eq(VALUE("cost_per_kg", "od:O-D", "services.OM.cost_per_train=123.45"), 1.2345, 1e-12);
    cr_assert_float_eq(VALUE("cost_per_kg", "all", "services.OM.cost_per_train=123.45"), 1.2345, 1e-12);
    cr_assert_float_eq(VALUE("cost_total", "service:OM", "services.OM.cost_per_train=123.45"), 123.45, 1e-12);
    /* without any cost column there is no cost, not a cost of 0 */
    cr_assert(isnan(VALUE("cost_per_kg", "all", "scenario.seed=5")));
}

Test(cost, per_tonne_is_the_tariff_over_1000)
{
    /* 876.5 per tonne: 0.1 t cost 87.65, 0.8765 per kg */
    cr_assert_float_eq(VALUE("cost_per_kg", "od:O-D", "services.OM.cost_per_t=876.5"), 0.8765, 1e-12);
}

Test(cost, slots_are_whole_containers)
{
    /* 100 kg in 25 kg slots: 4 slots at 40, 160, 1.6 per kg; all 4 full */
    const char *const sets[] = { "services.OM.slot_t=0.025", "services.OM.cost_per_slot=40", NULL };
    cr_assert_float_eq(value_with("cost_per_kg", "od:O-D", sets), 1.6, 1e-12);
    cr_assert_float_eq(value_with("slot_fill_pct", "service:OM", sets), 100, 1e-9);
    /* 100 kg in 30 kg slots, 2 booked at 40, 2 more on demand at 55: 190 */
    const char *const extra[] = { "services.OM.slot_t=0.03", "services.OM.cost_per_slot=40",
                                  "services.OM.slots_booked=2", "services.OM.cost_per_extra_slot=55", NULL };
    cr_assert_float_eq(value_with("cost_per_kg", "od:O-D", extra), 1.9, 1e-12);
    cr_assert_float_eq(value_with("slot_fill_pct", "all", extra), 100.0 * 100 / 120, 1e-9);
}

Test(cost, a_half_empty_booked_slot_costs_twice_a_full_one_per_kg)
{
    /* one 100 kg slot booked at 40: full it is 0.4 per kg; with the train
     * (and so the slot) holding 50 kg, take-or-pay makes it 0.8 */
    const char *const full[] = { "services.OM.slot_t=0.1", "services.OM.cost_per_slot=40",
                                 "services.OM.slots_booked=1", NULL };
    const char *const half[] = { "services.OM.slot_t=0.1", "services.OM.cost_per_slot=40",
                                 "services.OM.slots_booked=1", "services.OM.capacity_t=0.05", NULL };
    double f = value_with("cost_per_kg", "od:O-D", full), h = value_with("cost_per_kg", "od:O-D", half);
    cr_assert_float_eq(f, 0.4, 1e-12);
    cr_assert_float_eq(h, 0.8, 1e-12);
    cr_assert_float_eq(h, 2 * f, 1e-12);
    cr_assert_float_eq(value_with("slot_fill_pct", "service:OM", half), 50, 1e-9);
    /* booked slots are paid on every departure: three booked, one used */
    const char *const three[] = { "services.OM.slot_t=0.1", "services.OM.cost_per_slot=40",
                                  "services.OM.slots_booked=3", NULL };
    cr_assert_float_eq(value_with("cost_per_kg", "od:O-D", three), 1.2, 1e-12);
}

Test(cost, cost_models_add_up)
{
    /* 10 + 0.1 t x 200 + 4 slots x 5 = 50 per 100 kg */
    const char *const sets[] = { "services.OM.cost_per_train=10", "services.OM.cost_per_t=200",
                                 "services.OM.slot_t=0.025", "services.OM.cost_per_slot=5", NULL };
    cr_assert_float_eq(value_with("cost_per_kg", "od:O-D", sets), 0.5, 1e-12);
    cr_assert_float_eq(value_with("cost_total", "all", sets), 50, 1e-12);
}

Test(cost, co2_of_a_batch_is_its_weight_times_km_times_intensity_over_its_legs)
{
    /* O-X rail_electric and X-M rail_diesel at their modes' defaults, M-D
     * by truck at 77.7 g per tkm (given on the leg) */
    double electric = scenario_mode_g_per_tkm(MODE_RAIL_ELECTRIC), diesel = scenario_mode_g_per_tkm(MODE_RAIL_DIESEL);
    cr_assert(electric > 0 && diesel > electric);
    double per_kg = (1000 * electric + 234.5 * diesel + 321.25 * 77.7) / 1000;  /* g per kg: 1 kg = 0.001 t */
    double got = VALUE("co2_g_per_kg", "od:O-D", "scenario.seed=5");
    /* A batch keeps its CO2 in a float (it must stay one cache line), so
     * the sum is exact to float precision, 2^-24 per leg added. */
    cr_assert_float_eq(got, per_kg, 1e-6 * per_kg, "%.17g against %.17g", got, per_kg);
    /* 100 kg of it, in kg */
    cr_assert_float_eq(VALUE("co2_kg_total", "all", "scenario.seed=5"), per_kg * 100 / 1000, 1e-6 * per_kg);
    /* per service, the legs it ran */
    cr_assert_float_eq(VALUE("co2_g_per_kg", "service:MD", "scenario.seed=5"), 321.25 * 77.7 / 1000, 1e-12);
    /* a train still on its way at the end of the run counts its rides
     * whole, as it counts its kg boarded (MD arrives at 45 h and finishes
     * its dwell at 46 h; runout_d 0 ends the run at the horizon) */
    cr_assert_float_eq(VALUE("co2_g_per_kg", "service:MD", "scenario.horizon_d=1.9", "scenario.runout_d=0"),
                       321.25 * 77.7 / 1000, 1e-12);
    cr_assert_eq(VALUE("delivered_t", "all", "scenario.horizon_d=1.9", "scenario.runout_d=0"), 0);
    /* with the run-out the same train arrives, and its mail is delivered */
    cr_assert_float_eq(VALUE("co2_g_per_kg", "service:MD", "scenario.horizon_d=1.9"), 321.25 * 77.7 / 1000, 1e-12);
    cr_assert_gt(VALUE("delivered_t", "all", "scenario.horizon_d=1.9"), 0);
    /* an intensity given on the leg replaces the mode's */
    cr_assert_float_eq(VALUE("co2_g_per_kg", "od:O-D", "legs.X-M.co2_g_per_tkm=20.5"),
                       (1000 * electric + 234.5 * 20.5 + 321.25 * 77.7) / 1000, 1e-6 * per_kg);
    /* a leg of unknown intensity makes the figure unknown, not smaller */
    cr_assert(isnan(VALUE("co2_g_per_kg", "od:O-D", "legs.M-D.co2_g_per_tkm=", "legs.M-D.mode=")));
}

Test(cost, the_modes_have_their_names_and_defaults)
{
    const char *names[] = { "rail_electric", "rail_diesel", "rail", "truck", "air", "sea" };
    for (int m = MODE_RAIL_ELECTRIC; m < N_MODES; m++) {
        cr_assert_str_eq(scenario_mode_name((enum scenario_mode)m), names[m - 1]);
        cr_assert_gt(scenario_mode_g_per_tkm((enum scenario_mode)m), 0);
    }
    /* by intensity: sea < electric rail < rail < diesel rail < truck < air */
    cr_assert_lt(scenario_mode_g_per_tkm(MODE_SEA), scenario_mode_g_per_tkm(MODE_RAIL_ELECTRIC));
    cr_assert_lt(scenario_mode_g_per_tkm(MODE_RAIL_ELECTRIC), scenario_mode_g_per_tkm(MODE_RAIL_DIESEL));
    cr_assert_lt(scenario_mode_g_per_tkm(MODE_RAIL_DIESEL), scenario_mode_g_per_tkm(MODE_TRUCK));
    cr_assert_lt(scenario_mode_g_per_tkm(MODE_TRUCK), scenario_mode_g_per_tkm(MODE_AIR));
    cr_assert_null(scenario_mode_name(MODE_NONE));
}

/* The diff column of compare.csv's row for (proposal, metric, scope). */
static char *diff_of(const char *csv, const char *proposal, const char *metric, const char *scope)
{
    char *key = e2e_format("\n%s,%s,%s,", proposal, metric, scope);
    const char *row = strstr(csv, key);
    cr_assert(row, "compare.csv has no row %s", key + 1);
    const char *p = row + strlen(key);
    for (int i = 0; i < 2; i++)  /* baseline_mean, proposal_mean */
        p = strchr(p, ',') + 1;
    char *diff = e2e_format("%.*s", (int)strcspn(p, ","), p);
    free(key);
    return diff;
}

Test(cost, a_proposal_that_only_adds_scans_leaves_cost_and_co2_unchanged, .timeout = 120)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t);
    /* random running times and weights, so the zero is not a coincidence */
    cr_assert_eq(e2e_runf(out, NULL, "compare " COST " scans -r 3 -d 20 --no-plot -o %s/c "
                          "--set 'legs.O-X.time_h=lognormal(6,0.2)' --set 'demand.O-D.kg_per_batch=lognormal(2.5,0.5)' "
                          "--set services.OM.capacity_t=5 --set services.OM.departures_per_week=3 "
                          "--set services.MD.departures_per_week=7 "
                          "--set services.OM.slot_t=1 --set services.OM.cost_per_slot=700 "
                          "--set services.MD.cost_per_t=50 --metric cost_per_kg --metric tracking_gap_max_h", t), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "cost_per_kg (EUR)"), "the currency is not printed with the cost: %s", text);
    free(text);
    char *path = e2e_format("%s/c/compare.csv", t);
    char *csv = e2e_slurp(path);
    const char *checks[][2] = { { "cost_per_kg", "all" }, { "cost_total", "all" }, { "cost_per_kg", "od:O-D" },
                                { "co2_g_per_kg", "all" }, { "co2_kg_total", "od:O-D" },
                                { "cost_per_kg", "service:OM" }, { "slot_fill_pct", "service:OM" } };
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
        char *diff = diff_of(csv, "scans", checks[i][0], checks[i][1]);
        cr_assert_str_eq(diff, "0", "%s@%s changed by %s", checks[i][0], checks[i][1], diff);
        free(diff);
    }
    /* and the scans did change what they should */
    char *gap = diff_of(csv, "scans", "tracking_events_per_batch", "all");
    cr_assert_str_neq(gap, "0");
    free(gap);
    free(csv);
    free(path);
    free(out);
    e2e_rmtree(t);
}

Test(cost, pairs_csv_has_cost_and_co2_per_kg, .timeout = 60)
{
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run " COST " -q --no-plot -o %s/r --set services.OM.cost_per_train=123.45", t),
                 0);
    char *path = e2e_format("%s/r/pairs.csv", t);
    char *csv = e2e_slurp(path);
    cr_assert(strstr(csv, ",cost_per_kg,cost_per_kg_ci_low,cost_per_kg_ci_high,co2_g_per_kg,"), "%s", csv);
    /* the O-D row ends with cost 1.2345 (sd 0: no interval) and CO2 per kg */
    cr_assert(strstr(csv, ",1.2345,1.2345,1.2345,"), "%s", csv);
    free(csv);
    free(path);
    path = e2e_format("%s/r/meta.csv", t);
    csv = e2e_slurp(path);
    cr_assert(strstr(csv, "\ncurrency,EUR\n"), "%s", csv);
    free(csv);
    free(path);
    e2e_rmtree(t);
}

Test(cost, a_sweep_target_may_name_a_cost_per_service, .timeout = 60)
{
    /* cost_per_kg is a batch metric and a service metric under one name */
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t);
    cr_assert_eq(e2e_runf(out, NULL, "sweep " COST " --no-plot -r 3 -o %s/s --vary services.OM.cost_per_train=1,2,3 "
                          "--target 'cost_per_kg@service:OM<=0.015'", t), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "cost_per_kg@service:OM (EUR)"), "the currency is not printed with the cost: %s", text);
    free(text);
    free(out);
    char *path = e2e_format("%s/s/target.csv", t);
    char *csv = e2e_slurp(path);
    /* 0.01 per kg at 1, 0.02 at 2: the first value meets it */
    cr_assert(strstr(csv, "\nvalue,1\n") && strstr(csv, "\noutcome,met\n"), "%s", csv);
    free(csv);
    free(path);
    e2e_rmtree(t);
}

/* The Xi'an-Hamburg question in one command: the new pair's own cost and
 * CO2 per kg beside its on-time share, in the scenario's currency. */
Test(cost, compare_names_a_new_pairs_cost_and_co2, .timeout = 120)
{
    char *t = e2e_tmpdir();
    char *out = e2e_format("%s/out", t);
    cr_assert_eq(e2e_runf(out, NULL, "compare scenarios/china-europe-via-belarus xian-hamburg -r 2 -d 120 --no-plot -o %s/c",
                          t), 0);
    char *text = e2e_slurp(out);
    const char *line = strstr(text, "XA-HAM (on time ");
    cr_assert(line, "%s", text);
    cr_assert(strstr(line, " per kg, ") && strstr(line, "USD ") && strstr(line, " g CO2e per kg)"), "%s", text);
    free(text);
    /* and report.html's table of new pairs has both columns */
    char *page = e2e_format("%s/c/report.html", t);
    text = e2e_slurp(page);
    const char *row = strstr(text, "<td class=\"key\">XA-HAM</td>");
    cr_assert(strstr(text, "cost per kg, USD</th><th class=\"n\">CO2e per kg, g</th>") && row, "no new-pair table");
    const char *end = strstr(row, "</tr>"), *blank = strstr(row, ">–<");  /* a missing value prints – */
    cr_assert(end && (!blank || blank > end), "a cell of XA-HAM's row is empty");
    free(text);
    free(page);
    free(out);
    e2e_rmtree(t);
}
