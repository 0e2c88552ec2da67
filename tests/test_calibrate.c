/* calibrate, events and fit: the Kolmogorov distribution and the fits
 * against known values, events read whatever their order, and the
 * command end to end on events railmail made itself (tests/fixtures'
 * mini scenario, a few seconds under the sanitizers). */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "railmail/events.h"
#include "railmail/fit.h"
#include "railmail/scenario.h"

#define MINI "tests/fixtures/scenario-mini"

Test(fit, kolmogorov_q_matches_known_values)
{
    /* Q_KS(lambda) of the Kolmogorov distribution's tables: 1.358 is its 5% point */
    cr_assert_float_eq(fit_kolmogorov_q(1.358), 0.05, 5e-4);
    cr_assert_float_eq(fit_kolmogorov_q(1.0), 0.2700, 1e-4);
    cr_assert_float_eq(fit_kolmogorov_q(0.5), 0.9639, 1e-4);
    cr_assert_float_eq(fit_kolmogorov_q(1.18), 1 - 0.8767, 2e-3);  /* both sides of the switch */
    cr_assert_eq(fit_kolmogorov_q(0), 1);
}

Test(fit, ks_of_equal_and_disjoint_samples)
{
    double x[] = { 1.25, 2.5, 3.75, 5.125 }, y[] = { 10.5, 11.25, 12.5, 13.75 }, d, p;
    fit_ks2(x, 4, x, 4, &d, &p);
    cr_assert_eq(d, 0);
    cr_assert_float_eq(p, 1, 1e-12);
    fit_ks2(x, 4, y, 4, &d, &p);
    cr_assert_eq(d, 1);
    cr_assert_lt(p, 0.05);
}

Test(fit, lognormal_is_the_closed_form_for_fixed_legs)
{
    /* logs -0.5, 0, 0.5 (times the scale 2.385): mu = log 2.385, s2 = 1/6 */
    double x[3] = { 2.385 * exp(-0.5), 2.385, 2.385 * exp(0.5) };
    struct fit_result r;
    cr_assert(fit_values(DIST_FIXED, x, 3, 0.95, 2.385, &r));
    cr_assert_eq(r.params.kind, DIST_LOGNORMAL);
    cr_assert_float_eq(r.mean, 2.385 * exp(1.0 / 12), 1e-9);
    cr_assert_float_eq(r.params.q[1], sqrt(expm1(1.0 / 6)), 1e-9);
    cr_assert_lt(r.ci_low, r.mean);
    cr_assert_gt(r.ci_high, r.mean);
    struct fit_params half = fit_scale(&r.params, 0.5);
    cr_assert_float_eq(fit_mean(&half), r.mean / 2, 1e-9);
}

Test(fit, gamma_by_the_simplex_recovers_its_mean)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    double x[2000];
    for (size_t i = 0; i < 2000; i++)
        x[i] = gsl_ran_gamma(g, 4, 3.125);  /* shape 4, scale 3.125: mean 12.5, cv 0.5 */
    struct fit_result r;
    cr_assert(fit_values(DIST_GAMMA, x, 2000, 0.95, 12.5, &r));
    cr_assert_eq(r.params.kind, DIST_GAMMA);
    cr_assert_float_eq(r.params.q[0], 12.5, 0.4);
    cr_assert_float_eq(r.params.q[1], 0.5, 0.03);
    gsl_rng_free(g);
}

Test(events, iso_times_with_offsets)
{
    int32_t day = 19723;  /* 2024-01-01 */
    double h;
    cr_assert(events_parse_time("2024-01-02T06:30:00Z", day, &h));
    cr_assert_float_eq(h, 30.5, 1e-9);
    cr_assert(events_parse_time("2024-01-02T14:30:00+08:00", day, &h));
    cr_assert_float_eq(h, 30.5, 1e-9);
    cr_assert(events_parse_time("2024-01-01T00:00:00-01:30", day, &h));
    cr_assert_float_eq(h, 1.5, 1e-9);
    cr_assert_not(events_parse_time("2024-01-02T06:30:00", day, &h));  /* no zone */
    cr_assert_not(events_parse_time("2024-01-02T25:00:00Z", day, &h));
}

Test(events, rows_are_sorted_by_id_and_time_and_codes_read_either_way)
{
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    cr_assert_eq(scenario_load(MINI, NULL, NULL, 0, &s, d), RM_OK);
    const char csv[] = "id,time_h,node,event\n"
                       "B,12.5,AKZ,scan\n"
                       "A,3.25,CQ,posted (EMA)\n"
                       "B,2.5,CQ,EMC\n"
                       "A,4.5,CQ,departed (EMC)\n";
    struct events ev;
    cr_assert_eq(events_parse("e.csv", csv, sizeof csv - 1, s, NULL, &ev, d), RM_OK);
    cr_assert_eq(ev.n, 4);
    cr_assert_str_eq(ev.rows[0].id, "A");
    cr_assert_eq(ev.rows[0].code, EVENTS_EMA);
    cr_assert_eq(ev.rows[1].code, EVENTS_EMC);
    cr_assert_float_eq(ev.rows[2].time_h, 2.5, 1e-12);
    cr_assert_eq(ev.rows[3].code, EVENTS_SCAN);
    events_fini(&ev);
    scenario_destroy(s);
    diag_destroy(d);
}

/* The text of file `name` in `dir`, malloc'd. */
static char *slurp_in(const char *dir, const char *name)
{
    char *path = e2e_format("%s/%s", dir, name), *text = e2e_slurp(path);
    free(path);
    return text;
}

/* Row `row` of `file` in calibration.csv: its fitted mean, interval and
 * whether it changed. */
static void row_of(const char *dir, const char *file, const char *row, double *mean, double *lo, double *hi,
                   bool *changed)
{
    char *text = slurp_in(dir, "calibration.csv");
    char *key = e2e_format("%s,%s,", file, row), *at = strstr(text, key);
    cr_assert(at, "no row for %s in %s", row, text);
    char *end = strchr(at, '\n');
    *end = '\0';
    /* the last five fields hold no commas: fitted_mean,ci_low,ci_high,n,changed */
    char *f[5];
    for (int i = 4; i >= 0; i--) {
        char *comma = strrchr(at, ',');
        f[i] = comma + 1;
        *comma = '\0';
    }
    *mean = strtod(f[0], NULL), *lo = strtod(f[1], NULL), *hi = strtod(f[2], NULL);
    *changed = !strcmp(f[4], "yes");
    free(key);
    free(text);
}

static void leg_row(const char *dir, const char *leg, double *mean, double *lo, double *hi, bool *changed)
{
    row_of(dir, "legs.csv", leg, mean, lo, hi, changed);
}

Test(calibrate, a_leg_that_differs_is_recovered_and_the_others_stay, .timeout = 120)
{
    char *tmp = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -q --no-plot --tracking -s 3 "
                                      "--set 'legs.BRS-WAW.time_h=lognormal(40,0.15)' -o %s/truth", tmp), 0);
    char *out = e2e_format("%s/out.txt", tmp);
    cr_assert_eq(e2e_runf(out, NULL, "calibrate " MINI " %s/truth/tracking.csv --set 'legs.BRS-WAW.time_h=fixed(30)' "
                                     "-o %s/cal", tmp, tmp), 0);
    char *dir = e2e_format("%s/cal", tmp);
    double mean, lo, hi;
    bool changed;
    leg_row(dir, "BRS>WAW", &mean, &lo, &hi, &changed);
    cr_assert(changed);
    cr_assert(lo <= 40 && 40 <= hi, "40 h outside [%g, %g]", lo, hi);
    cr_assert_float_eq(mean, 40, 1.5);
    leg_row(dir, "CQ>AKZ", &mean, &lo, &hi, &changed);
    cr_assert_not(changed);
    leg_row(dir, "AKZ>BRS", &mean, &lo, &hi, &changed);
    cr_assert_not(changed);
    char *overlay = slurp_in(dir, "overlay/legs.csv");
    cr_assert(strstr(overlay, "BRS,WAW,210,\"lognormal("), "%s", overlay);
    cr_assert_null(strstr(overlay, "CQ,AKZ"));
    /* and it runs as a proposal laid over the scenario */
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -q --no-plot -r 2 --overlay %s/overlay -o %s/over", dir, tmp), 0);
    /* the calibrated scenario reproduces the pair the scenario did not */
    char *v = slurp_in(dir, "validation.csv");
    cr_assert(strstr(v, "\nscenario,CQ-WAW,") && strstr(strstr(v, "\nscenario,CQ-WAW,"), ",not consistent\n"));
    cr_assert(e2e_exists(dir, "validation.gp"));  /* the chart's script, drawn where gnuplot is */
    char *cal = strstr(v, "\ncalibrated,CQ-WAW,");
    cr_assert(cal);
    cr_assert(strstr(cal, ",consistent\n") < strchr(cal + 1, '\n') + 1);
    /* a results folder like any other: its record, its page, verify and report */
    char *json = slurp_in(dir, "run.json"), *page = slurp_in(dir, "report.html");
    cr_assert(strstr(json, "\"kind\": \"calibrate\"") && strstr(json, "truth/tracking.csv"), "%s", json);
    cr_assert(strstr(page, "<h2>Summary</h2>") && strstr(page, "<b>BRS&gt;WAW</b>: fixed(30) → lognormal(")
              && strstr(page, "<h2>What the events show</h2>")
              && strstr(page, "<h2>Observed against simulated, pair by pair</h2>"), "the page's sections");
    if (e2e_exists(dir, "validation.png"))  /* calibrate's chart, inlined as it was drawn */
        cr_assert(strstr(page, "src=\"data:image/png;base64,iVBORw0KGgo"), "the chart on the page");
    cr_assert_eq(e2e_runf(NULL, NULL, "verify %s", dir), 0, "verify makes the calibration again, byte for byte");
    char *path = e2e_format("%s/report.html", dir);
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "report %s", dir), 0);
    char *again = slurp_in(dir, "report.html");
    cr_assert_str_eq(again, page, "railmail report writes the same page");
    free(again), free(path), free(page), free(json);
    free(v);
    free(overlay);
    free(dir);
    free(out);
    e2e_rmtree(tmp);
}

Test(calibrate, the_scenarios_own_events_calibrate_to_itself, .timeout = 120)
{
    char *tmp = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -q --no-plot --tracking -s 3 -o %s/own", tmp), 0);
    char *out = e2e_format("%s/out.txt", tmp);
    cr_assert_eq(e2e_runf(out, NULL, "calibrate " MINI " %s/own/tracking.csv -o %s/cal", tmp, tmp), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "legs: 3 fitted, 0 changed"), "%s", text);
    cr_assert(strstr(text, "scenario: 2 of 2 pairs consistent"), "%s", text);
    char *v = slurp_in(tmp, "cal/validation.csv");
    cr_assert_null(strstr(v, "not consistent"), "%s", v);
    /* the timetable and the demand are found again within their intervals */
    char *dir = e2e_format("%s/cal", tmp);
    static const char *const rows[][2] = { { "services.csv", "CQ-BRS,departures_per_week" },
                                           { "demand.csv", "CQ-WAW,batches_per_day" },
                                           { "demand.csv", "CQ-BRS,batches_per_day" } };
    static const double truth[] = { 3, 12.5, 2.25 };
    for (size_t i = 0; i < 3; i++) {
        double mean, lo, hi;
        bool changed;
        row_of(dir, rows[i][0], rows[i][1], &mean, &lo, &hi, &changed);
        cr_assert(lo <= truth[i] && truth[i] <= hi, "%s %s: %g outside [%g, %g]", rows[i][0], rows[i][1], truth[i],
                  lo, hi);
    }
    free(dir);
    free(v);
    free(text);
    free(out);
    e2e_rmtree(tmp);
}

Test(calibrate, malformed_events_name_file_line_and_column, .timeout = 60)
{
    char *tmp = e2e_tmpdir();
    e2e_write(tmp, "events.csv", "id,time,node,event\n"
                                 "R1,2024-01-01T06:00:00Z,CQ,EMA\n"
                                 "R1,2024-01-01T10:00:00+08:00,CQ,EMX\n");
    char *err = e2e_format("%s/err.txt", tmp);
    cr_assert_eq(e2e_runf(NULL, err, "calibrate " MINI " %s/events.csv -o %s/cal", tmp, tmp), 2);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, "events.csv:3:4: event: expected EMA"), "%s", text);
    cr_assert_not(e2e_exists(tmp, "cal"));
    free(text);
    free(err);
    e2e_rmtree(tmp);
}

Test(calibrate, impossible_sequences_are_skipped_and_counted, .timeout = 60)
{
    char *tmp = e2e_tmpdir();
    /* A rides CQ to AKZ (its events out of order); B is seen at AKZ
     * before it left CQ, which no service makes possible */
    e2e_write(tmp, "events.csv", "id,time_h,node,event\n"
                                 "A,110.5,AKZ,scanned\n"
                                 "A,2.25,CQ,EMA\n"
                                 "A,10.5,CQ,EMC\n"
                                 "C,2.5,CQ,EMA\n"
                                 "C,10.5,CQ,EMC\n"
                                 "C,108.25,AKZ,scan\n"
                                 "B,3.5,CQ,EMA\n"
                                 "B,10.5,AKZ,EMC\n");
    char *out = e2e_format("%s/out.txt", tmp);
    cr_assert_eq(e2e_runf(out, NULL, "calibrate " MINI " %s/events.csv -o %s/cal", tmp, tmp), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "events: 2 of 3 ids (1 skipped"), "%s", text);
    cr_assert(strstr(text, "events.csv:8: posting (EMA) not followed"), "%s", text);
    free(text);
    free(out);
    e2e_rmtree(tmp);
}

Test(calibrate, demand_growth_is_recovered, .timeout = 120)
{
    char *tmp = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -q --no-plot --tracking -d 400 -s 3 "
                                      "--set demand.CQ-WAW.growth_pct_per_year=40 -o %s/grown", tmp), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "calibrate " MINI " %s/grown/tracking.csv -o %s/cal", tmp, tmp), 0);
    char *dir = e2e_format("%s/cal", tmp);
    double mean, lo, hi;
    bool changed;
    row_of(dir, "demand.csv", "CQ-WAW,growth_pct_per_year", &mean, &lo, &hi, &changed);
    cr_assert(lo <= 40 && 40 <= hi, "40%% outside [%g, %g]", lo, hi);
    free(dir);
    e2e_rmtree(tmp);
}

Test(calibrate, office_codes_map_to_nodes, .timeout = 60)
{
    char *tmp = e2e_tmpdir();
    /* the post's own codes: CNCKGA for Chongqing, KZALT for Altynkol */
    e2e_write(tmp, "codes.csv", "code,node\nCNCKGA,CQ\nKZALT,AKZ\n");
    e2e_write(tmp, "events.csv", "id,time,node,event\n"
                                 "R1,2024-01-01T06:00:00+08:00,CNCKGA,EMA\n"
                                 "R1,2024-01-01T20:30:00+08:00,CNCKGA,EMC\n"
                                 "R1,2024-01-05T23:15:00+06:00,KZALT,scan\n"
                                 "R2,2024-01-01T07:00:00+08:00,CNCKGA,EMA\n"
                                 "R2,2024-01-01T20:30:00+08:00,CNCKGA,EMC\n"
                                 "R2,2024-01-06T03:45:00+06:00,AKZ,scan\n");
    char *out = e2e_format("%s/out.txt", tmp), *err = e2e_format("%s/err.txt", tmp);
    cr_assert_eq(e2e_runf(out, NULL, "calibrate " MINI " %s/events.csv --map %s/codes.csv -o %s/cal", tmp, tmp, tmp),
                 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "events: 2 of 2 ids"), "%s", text);
    e2e_write(tmp, "codes.csv", "code,node\nCNCKGA,CQX\n");
    cr_assert_eq(e2e_runf(NULL, err, "calibrate " MINI " %s/events.csv --map %s/codes.csv -o %s/cal", tmp, tmp, tmp),
                 2);
    char *msg = e2e_slurp(err);
    cr_assert(strstr(msg, "codes.csv:2:2: node: expected a node id of the scenario, got \"CQX\""), "%s", msg);
    free(msg);
    free(text);
    free(out);
    free(err);
    e2e_rmtree(tmp);
}

Test(events, missing_columns_and_zoneless_times_are_errors)
{
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    cr_assert_eq(scenario_load(MINI, NULL, NULL, 0, &s, d), RM_OK);
    struct events ev;
    const char no_event[] = "id,time,node\nA,2024-01-01T06:00:00Z,CQ\n";
    cr_assert_eq(events_parse("e.csv", no_event, sizeof no_event - 1, s, NULL, &ev, d), RM_EINPUT);
    cr_assert(strstr(diag_message(d, 0), "e.csv:1: expected the columns id,time,node,event"), "%s", diag_message(d, 0));
    events_fini(&ev);
    diag_clear(d);
    const char zoneless[] = "id,time,node,event\nA,2024-01-01T06:00:00,CQ,EMA\n";
    cr_assert_eq(events_parse("e.csv", zoneless, sizeof zoneless - 1, s, NULL, &ev, d), RM_EINPUT);
    cr_assert(strstr(diag_message(d, 0), "e.csv:2:2: time: expected an ISO 8601 date-time"), "%s", diag_message(d, 0));
    events_fini(&ev);
    scenario_destroy(s);
    diag_destroy(d);
}

Test(calibrate, the_default_scenario_calibrates_to_itself_with_its_seasons, .timeout = 120)
{
    char *tmp = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run scenarios/china-europe-via-belarus -q --no-plot --tracking -r 1 -o %s/own",
                          tmp), 0);
    char *out = e2e_format("%s/out.txt", tmp);
    cr_assert_eq(e2e_runf(out, NULL, "calibrate scenarios/china-europe-via-belarus %s/own/tracking.csv "
                                     "--set scenario.replications=2 -o %s/cal", tmp, tmp), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "legs: 28 fitted, 0 changed"), "%s", text);
    cr_assert(strstr(text, "scenario: 32 of 32 pairs consistent"), "%s", text);
    char *dir = e2e_format("%s/cal", tmp);
    double mean, lo, hi;
    bool changed;
    row_of(dir, "seasonality.csv", "CQ-Nov,factor", &mean, &lo, &hi, &changed);
    cr_assert(lo <= 1.4 && 1.4 <= hi, "November's 1.4 outside [%g, %g]", lo, hi);
    row_of(dir, "seasonality.csv", "CQ-Feb,factor", &mean, &lo, &hi, &changed);
    cr_assert(lo <= 0.65 && 0.65 <= hi, "February's 0.65 outside [%g, %g]", lo, hi);
    free(dir);
    free(text);
    free(out);
    e2e_rmtree(tmp);
}
