/* Inputs that change over time and edits to many rows at once: --set and
 * proposal rows with patterns and relative changes, recurring disruptions,
 * services that start, end or grow, seasonality and weekday timetables.
 * End to end through the binary ($RAILMAIL) where output is compared, from
 * memory where only the loaded values are. */
#include "e2e.h"

#include "railmail/scenario.h"

#define MINI "tests/fixtures/scenario-mini"

/* Whether every file railmail wrote in a and b (except the reuse records,
 * whose key names each --set as typed) is byte for byte the same. */
static bool same_results(const char *a, const char *b)
{
    char *cmd = e2e_format("diff -r -q -x '.railmail-*' -x run.json -x report.html '%s' '%s' >/dev/null", a, b);
    bool same = system(cmd) == 0;
    free(cmd);
    return same;
}

Test(inputs, a_wildcard_set_equals_the_same_edits_one_row_at_a_time, .timeout = 120)
{
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -o %s/wild --no-plot -q --batches "
                          "--set 'demand.CQ-*.batches_per_day*=1.3' "
                          "--set 'demand.*.growth_pct_per_year=30' "
                          "--set 'services.*.cutoff_h*=0.5'", t), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -o %s/one --no-plot -q --batches "
                          "--set demand.CQ-WAW.batches_per_day*=1.3 "
                          "--set demand.CQ-BRS.batches_per_day*=1.3 "
                          "--set demand.CQ-WAW.growth_pct_per_year=30 "
                          "--set demand.CQ-BRS.growth_pct_per_year=30 "
                          "--set services.CQ-BRS.cutoff_h=3 "
                          "--set services.BRS-WAW.cutoff_h=1 "
                          "--set services.FRT-BRS.cutoff_h=0", t), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -o %s/none --no-plot -q --batches", t), 0);
    char *wild = e2e_format("%s/wild", t), *one = e2e_format("%s/one", t),
         *none = e2e_format("%s/none", t);
    cr_expect(same_results(wild, one), "a wildcard --set differs from the same edits one by one");
    cr_expect(!same_results(wild, none), "the edits changed nothing");
    free(wild);
    free(one);
    free(none);
    e2e_rmtree(t);
}

Test(inputs, a_wildcard_that_matches_nothing_exits_2, .timeout = 60)
{
    char *t = e2e_tmpdir();
    char *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, err, "run " MINI " -o %s/r --no-plot -q "
                          "--set 'demand.XX-*.batches_per_day*=1.3'", t), 2);
    char *msg = e2e_slurp(err);
    cr_expect_str_eq(msg, "railmail: --set demand.XX-*.batches_per_day*: expected a pattern "
                     "matching the ID of at least one row of demand.csv (ORIGIN-DESTINATION), "
                     "got \"XX-*\", which matches none\n");
    cr_expect(!e2e_exists(t, "r"), "nothing is written after bad input");
    free(msg);
    free(err);
    e2e_rmtree(t);
}

Test(inputs, a_proposal_pattern_row_equals_the_same_wildcard_sets, .timeout = 120)
{
    char *t = e2e_tmpdir();
    char *sc = e2e_copy(MINI);
    e2e_mkdir(sc, "proposals");
    e2e_mkdir(sc, "proposals/p");
    e2e_write(sc, "proposals/p/description.txt", "All mail grows 30 % a year, Chongqing's by 1.3.\n");
    /* empty cells leave a row's values, "*F" multiplies */
    e2e_write(sc, "proposals/p/demand.csv",
              "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\n"
              "CQ,*,*1.3,,\n"
              "*,*,,,30\n");
    cr_assert_eq(e2e_runf(NULL, NULL, "compare %s p -o %s/c --no-plot -q", sc, t), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -o %s/r --no-plot -q "
                          "--set 'demand.CQ-*.batches_per_day*=1.3' "
                          "--set 'demand.*.growth_pct_per_year=30'", sc, t), 0);
    char *a = e2e_format("%s/c/p/summary.csv", t), *b = e2e_format("%s/r/summary.csv", t);
    char *x = e2e_slurp(a), *y = e2e_slurp(b);
    cr_expect_str_eq(x, y, "the proposal's pattern rows differ from the same --set");
    free(x);
    free(y);
    free(a);
    free(b);
    e2e_rmtree(sc);
    e2e_rmtree(t);
}

/* ---- loading, from memory --------------------------------------------- */

static const struct scenario_file mini[] = {
    {"scenario.csv", "key,value\nname,mini\nhorizon_d,120.5\nwarmup_d,14\n", 0},
    {"nodes.csv", "id,name,country,kind,servers,dwell_h,scan\n"
                  "CQ,Chongqing,CN,origin,,fixed(2.5),1\n"
                  "AKZ,Altynkol,KZ,border,2,fixed(8.5),1\n"
                  "BRS,Brest,BY,hub,3,fixed(12.25),1\n"
                  "WAW,Warsaw,PL,destination,,fixed(3.75),0\n", 0},
    {"legs.csv", "from,to,km,time_h\nCQ,AKZ,3900,fixed(96.5)\nAKZ,BRS,5200,fixed(130.25)\n"
                 "BRS,WAW,210,fixed(6.5)\n", 0},
    {"services.csv", "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
                     "CQ-BRS,CQ>AKZ>BRS,3,10.5,41.5,6\n"
                     "BRS-WAW,BRS>WAW,7,8,20,2\n", 0},
    {"demand.csv", "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\n"
                   "CQ,WAW,12.5,fixed(25.5),8.5\n"
                   "CQ,BRS,2.25,fixed(18),\n", 0},
};
#define N_MINI (sizeof mini / sizeof *mini)

/* The mini files with their lengths filled in, `extra` added or replacing. */
static size_t mini_files(struct scenario_file *out, const struct scenario_file *extra,
                         size_t n_extra)
{
    size_t n = 0;
    for (size_t i = 0; i < N_MINI; i++) {
        out[n] = mini[i];
        for (size_t j = 0; j < n_extra; j++)
            if (strcmp(extra[j].name, mini[i].name) == 0)
                out[n] = extra[j];
        out[n].len = strlen(out[n].data);
        n++;
    }
    for (size_t j = 0; j < n_extra; j++) {
        bool known = false;
        for (size_t i = 0; i < N_MINI; i++)
            known |= strcmp(extra[j].name, mini[i].name) == 0;
        if (!known) {
            out[n] = extra[j];
            out[n++].len = strlen(extra[j].data);
        }
    }
    return n;
}

/* Loads the mini scenario with `extra` files and `sets`; NULL and the
 * messages in *msgs (joined by "\n", to free) when it fails. */
static struct scenario *load(const struct scenario_file *extra, size_t n_extra,
                             const char *const *sets, size_t n_sets, char **msgs)
{
    struct scenario_file fs[16];
    size_t n = mini_files(fs, extra, n_extra);
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    scenario_load_memory("sc/x", fs, n, NULL, NULL, 0, sets, n_sets, &s, d);
    size_t len = 1;
    for (size_t i = 0; i < diag_count(d); i++)
        len += strlen(diag_message(d, i)) + 1;
    char *all = calloc(1, len);
    for (size_t i = 0; i < diag_count(d); i++) {
        strcat(all, diag_message(d, i));
        strcat(all, "\n");
    }
    diag_destroy(d);
    if (msgs)
        *msgs = all;
    else
        free(all);
    return s;
}

Test(inputs, relative_sets_multiply_and_leave_empty_cells_empty)
{
    const char *sets[] = {"demand.*.batches_per_day*=1.5", "demand.*-BRS.growth_pct_per_year*=3",
                          "scenario.horizon_d*=2", "legs.*-BRS.km*=0.5"};
    char *msgs;
    struct scenario *s = load(NULL, 0, sets, 4, &msgs);
    cr_assert_not_null(s, "%s", msgs);
    cr_expect_float_eq(s->demand[0].batches_per_day, 18.75, 1e-12);
    cr_expect_float_eq(s->demand[1].batches_per_day, 3.375, 1e-12);
    cr_expect_float_eq(s->demand[0].growth_pct_per_year, 8.5, 1e-12);  /* not matched */
    cr_expect_eq(s->demand[1].growth_pct_per_year, 0);                  /* empty stays 0 */
    cr_expect_float_eq(s->horizon_d, 241, 1e-12);
    cr_expect_float_eq(s->legs[1].km, 2600, 1e-12);
    cr_expect_float_eq(s->legs[0].km, 3900, 1e-12);
    scenario_destroy(s);
    free(msgs);
}

Test(inputs, relative_sets_on_what_is_no_number_are_errors)
{
    const char *sets[] = {"demand.*.kg_per_batch*=2", "services.*.cutoff_h*=lots",
                          "scenario.seedling*=2"};
    char *msgs;
    cr_assert_null(load(NULL, 0, sets, 3, &msgs));
    cr_expect(strstr(msgs, "--set demand.*.kg_per_batch*: kg_per_batch: expected a number to "
                     "multiply, got \"fixed(25.5)\"\n"), "%s", msgs);
    cr_expect(strstr(msgs, "--set services.*.cutoff_h*: expected a number to multiply by after "
                     "\"*=\", got \"lots\"\n"), "%s", msgs);
    cr_expect(strstr(msgs, "--set scenario.seedling*: expected a key that scenario.csv gives to "
                     "multiply, got \"seedling\"\n"), "%s", msgs);
    free(msgs);
}

/* ---- timetables and disruptions that change over time ---------------- */

/* The departed_h of every train of replication 1 in dir/trains.csv; *n
 * their number. */
static double *departures(const char *dir, size_t *n)
{
    FILE *f = e2e_open(dir, "trains.csv");
    char line[512];
    size_t cap = 1024;
    double *t = malloc(cap * sizeof *t);
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        int rep;
        double h;
        if (sscanf(line, "%d,%*[^,],%*[^,],%lf", &rep, &h) == 2 && rep == 1) {
            if (*n == cap)
                t = realloc(t, (cap *= 2) * sizeof *t);
            t[(*n)++] = h;
        }
    }
    fclose(f);
    return t;
}

/* A copy of tests/e2e/closure (one service O>D, 5.6 a week from 3 h) with
 * its services.csv and disruptions.csv replaced. */
static char *closure_with(const char *services, const char *disruptions)
{
    char *sc = e2e_copy("tests/e2e/closure");
    e2e_write(sc, "services.csv", services);
    e2e_write(sc, "disruptions.csv", disruptions);
    return sc;
}

Test(inputs, a_growing_service_runs_the_integral_of_its_rate, .timeout = 60)
{
    /* 7 a week (H = 24 h) from 5.5 h growing 30 % a year: the rate at hour t
     * is e^(g t) / H with g = ln(1.3) / 8760, so by hour 8760 the integral
     * from 5.5 h is (1.3 - e^(5.5 g)) / (g H) = 417.13: departures 0..417. */
    char *sc = closure_with("id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h,"
                            "growth_pct_per_year\nOD,O>D,7,5.5,1000,0,30\n",
                            "target,start_d,duration_d,capacity_factor\n");
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -o %s/r --no-plot -q -r 1 -d 365", sc, t), 0);
    char *r = e2e_format("%s/r", t);
    size_t n;
    double *dep = departures(r, &n);
    double g = log(1.3) / 8760, integral = (1.3 - exp(5.5 * g)) / (g * 24);
    cr_expect_float_eq(integral, 417.13, 0.01);
    cr_expect_eq(n, 418, "expected 418 departures in the year, got %zu", n);
    /* the k-th is where the integral reaches k */
    for (size_t k = 0; k < n; k += 97) {
        double want = 5.5 + log1p(k * g * 24 * exp(-5.5 * g)) / g;
        cr_expect_float_eq(dep[k], want, 0.0005, "departure %zu at %g, expected %g", k, dep[k], want);
    }
    free(dep);
    free(r);
    e2e_rmtree(t);
    e2e_rmtree(sc);
}

Test(inputs, a_repeated_closure_closes_the_node_every_year, .timeout = 120)
{
    /* The first node closes on days 100-110 of each of three years: no train
     * leaves inside a window, and every timetable slot outside one runs. */
    char *sc = closure_with("id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
                            "OD,O>D,5.6,3,1000,0\n",
                            "target,start_d,duration_d,capacity_factor,repeat_d\nO,100,10,0,365\n");
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -o %s/r --no-plot -q -r 1 -d 1095", sc, t), 0);
    char *r = e2e_format("%s/r", t);
    size_t n;
    double *dep = departures(r, &n);
    size_t expected = 0, in_windows = 0;
    for (size_t k = 0;; k++) {
        double h = 3 + k * 30.0;  /* 168 / 5.6 */
        if (h > 1095 * 24)
            break;
        bool closed = false;
        for (int y = 0; y < 3; y++)
            closed |= h >= (100 + 365 * y) * 24 && h < (110 + 365 * y) * 24;
        expected += !closed;
        in_windows += closed;
    }
    cr_expect_eq(in_windows, 3 * 8, "each window holds 8 slots");
    cr_expect_eq(n, expected, "expected %zu departures, got %zu", expected, n);
    for (size_t i = 0; i < n; i++)
        for (int y = 0; y < 3; y++)
            cr_expect(!(dep[i] >= (100 + 365 * y) * 24 && dep[i] < (110 + 365 * y) * 24),
                      "a train left at %g h, inside the closure of year %d", dep[i], y + 1);
    free(dep);
    free(r);
    e2e_rmtree(t);
    e2e_rmtree(sc);
}

Test(inputs, a_service_with_start_and_end_runs_only_between_them, .timeout = 60)
{
    /* 5.6 a week from 3 h (every 30 h), from day 100 until day 130: the first
     * slot at or after 2400 h is 3 + 80 * 30 = 2403 h, the last before 3120 h
     * is 3 + 103 * 30 = 3093 h: 24 trains. */
    char *sc = closure_with("id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h,"
                            "start_d,end_d\nOD,O>D,5.6,3,1000,0,100,130\n",
                            "target,start_d,duration_d,capacity_factor\n");
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -o %s/r --no-plot -q -r 1", sc, t), 0);
    char *r = e2e_format("%s/r", t);
    size_t n;
    double *dep = departures(r, &n);
    cr_assert_eq(n, 24);
    cr_expect_float_eq(dep[0], 2403, 1e-9);
    cr_expect_float_eq(dep[n - 1], 3093, 1e-9);
    free(dep);
    free(r);
    e2e_rmtree(t);
    e2e_rmtree(sc);
}

Test(inputs, departures_start_at_start_d_exactly_and_stop_at_end_d)
{
    /* from memory: scenario_departure_h skips what comes before start_d */
    const struct scenario_file extra[] = {
        {"services.csv", "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h,"
                         "start_d,end_d,growth_pct_per_year\n"
                         "CQ-BRS,CQ>AKZ>BRS,3,10.5,41.5,6,,,\n"
                         "BRS-WAW,BRS>WAW,7,8,20,2,2.25,9.5,\n"
                         "GROW,CQ>AKZ,7,8,0,0,41.5,,-20\n", 0},
    };
    char *msgs;
    struct scenario *s = load(extra, 1, NULL, 0, &msgs);
    cr_assert_not_null(s, "%s", msgs);
    const struct scenario_service *a = &s->services[0], *b = &s->services[1], *g = &s->services[2];
    cr_expect_eq(a->skipped, 0);
    cr_expect_eq(scenario_departure_h(a, 3), 10.5 + 3 * 56.0);  /* unchanged, bit for bit */
    /* every 24 h from 8 h; from 54 h until 228 h: 56 h is the first, 224 h the last */
    cr_expect_eq(b->skipped, 2);
    cr_expect_eq(scenario_departure_h(b, 0), 56);
    cr_expect_eq(scenario_departure_h(b, 7), 224);
    cr_expect(isinf(scenario_departure_h(b, 8)));
    cr_expect(scenario_departure_h(g, 0) >= 41.5 * 24);
    cr_expect(scenario_timetable_h(g, g->skipped - 1) < 41.5 * 24);
    scenario_destroy(s);
    free(msgs);
}

/* ---- seasonality ------------------------------------------------------ */

/* Batches of dir/batches.csv posted in [from_h, to_h), all replications. */
static size_t posted_between(const char *dir, double from_h, double to_h)
{
    FILE *f = e2e_open(dir, "batches.csv");
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        double h;
        if (sscanf(line, "%*d,%*d,%*[^,],%*[^,],%*[^,],%lf", &h) == 1 && h >= from_h && h < to_h)
            n++;
    }
    fclose(f);
    return n;
}

Test(inputs, a_factor_2_month_posts_twice_as_many_batches_a_day, .timeout = 120)
{
    /* 40 batches a day from 2024-01-01; March (days 60-90) at factor 2. Over
     * 4 replications February (29 days) expects 4 * 29 * 40 = 4640 batches,
     * March 4 * 31 * 80 = 9920 and April (30 days) 4800; Poisson counts, so
     * 4 standard deviations are 4 sqrt(n): 272, 398 and 277. */
    char *sc = e2e_copy("tests/e2e/closure");
    e2e_write(sc, "seasonality.csv", "origin,month,factor\n*,3,2\n");
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -o %s/r --no-plot -q -r 4 --batches", sc, t), 0);
    char *r = e2e_format("%s/r", t);
    double feb = (double)posted_between(r, 31 * 24, 60 * 24);
    double mar = (double)posted_between(r, 60 * 24, 91 * 24);
    double apr = (double)posted_between(r, 91 * 24, 121 * 24);
    cr_expect(fabs(feb - 4640) < 4 * sqrt(4640), "February: %g batches, expected 4640", feb);
    cr_expect(fabs(mar - 9920) < 4 * sqrt(9920), "March: %g batches, expected 9920", mar);
    cr_expect(fabs(apr - 4800) < 4 * sqrt(4800), "April: %g batches, expected 4800", apr);
    /* per day, March against its neighbours: 2 within 4 relative sd */
    double ratio = (mar / 31) / ((feb + apr) / 59);
    double rel_sd = sqrt(1 / 9920.0 + 1 / 9440.0);
    cr_expect(fabs(ratio - 2) < 2 * 4 * rel_sd, "March posts %g times a day as much", ratio);
    free(r);
    e2e_rmtree(t);
    e2e_rmtree(sc);
}

Test(inputs, seasonality_of_1_everywhere_changes_nothing, .timeout = 120)
{
    char *sc = e2e_copy(MINI);
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -o %s/without --no-plot -q --batches", sc, t), 0);
    e2e_write(sc, "seasonality.csv", "origin,month,factor\n*,1,1\n*,2,1\n*,3,1\n*,4,1\n*,5,1\n"
              "*,6,1\n*,7,1\n*,8,1\nCQ,9,1\n*,10,1\n*,11,1\n*,12,1\n");
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -o %s/ones --no-plot -q --batches", sc, t), 0);
    e2e_write(sc, "seasonality.csv", "origin,month,factor\nCQ,2,1.25\n");
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -o %s/feb --no-plot -q --batches", sc, t), 0);
    char *a = e2e_format("%s/without", t), *b = e2e_format("%s/ones", t),
         *c = e2e_format("%s/feb", t);
    cr_expect(same_results(a, b), "factors of 1 changed the results");
    cr_expect(!same_results(a, c), "a factor of 1.25 in February changed nothing");
    free(a);
    free(b);
    free(c);
    e2e_rmtree(t);
    e2e_rmtree(sc);
}

Test(inputs, seasonality_resolves_per_origin_then_star_then_1)
{
    const struct scenario_file extra[] = {
        {"seasonality.csv", "origin,month,factor\n*,11,1.5\nCQ,Feb,0.6\n*,2,0.9\nBRS,11,2\n", 0},
    };
    char *msgs;
    struct scenario *s = load(extra, 1, NULL, 0, &msgs);
    cr_assert_not_null(s, "%s", msgs);
    const struct scenario_demand *m = &s->demand[0];  /* from CQ */
    cr_expect(m->seasonal);
    cr_expect_eq(m->season[0], 1);
    cr_expect_eq(m->season[1], 0.6);
    cr_expect_eq(m->season[10], 1.5);
    scenario_destroy(s);
    free(msgs);
}

/* ---- timetables as planners write them -------------------------------- */

Test(inputs, weekday_trains_leave_on_those_days_at_that_hour, .timeout = 120)
{
    /* Tuesdays and Fridays at 18:00 from Monday 2024-01-01: gaps of 72 h and
     * 96 h, so a batch posted at random waits (72^2 + 96^2) / (2 * 168) =
     * 42.857 h on average, not the 42 h of even spacing; then 6.5 h running
     * and 2.385 h dwell at D. */
    char *sc = closure_with("id,route,weekdays,departure_h,capacity_t,cutoff_h\n"
                            "OD,O>D,Tue;Fri,18,1000,0\n",
                            "target,start_d,duration_d,capacity_factor\n");
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -o %s/r --no-plot -q -r 6 -d 365", sc, t), 0);
    char *r = e2e_format("%s/r", t);
    size_t n;
    double *dep = departures(r, &n);
    cr_expect_eq(n, 2 * 52, "52 weeks and a Monday hold 104 Tuesdays and Fridays, got %zu", n);
    for (size_t i = 0; i < n; i++) {
        int weekday = (int)floor(dep[i] / 24) % 7;  /* day 0 is a Monday */
        cr_expect(weekday == 1 || weekday == 4, "a train left on weekday %d (%g h)", weekday, dep[i]);
        cr_expect_float_eq(fmod(dep[i], 24), 18, 1e-9, "a train left at %g h", dep[i]);
    }
    double expected_d = ((72.0 * 72 + 96.0 * 96) / (2 * 168) + 6.5 + 2.385) / 24;
    double lo = e2e_summary(r, "transit_mean_d", "all", "ci_low");
    double hi = e2e_summary(r, "transit_mean_d", "all", "ci_high");
    double even_d = (42 + 6.5 + 2.385) / 24;
    cr_expect(lo <= expected_d && expected_d <= hi, "CI [%g, %g] misses %g", lo, hi, expected_d);
    cr_expect(even_d < lo, "even spacing (%g) is inside the CI [%g, %g]", even_d, lo, hi);
    free(dep);
    free(r);
    e2e_rmtree(t);
    e2e_rmtree(sc);
}

Test(inputs, weekdays_count_from_the_start_dates_weekday)
{
    /* 2024-03-07 is a Thursday: Tue is 5 days on, Fri 1, Sun 3 */
    const struct scenario_file extra[] = {
        {"scenario.csv", "key,value\nname,mini\nhorizon_d,120.5\nwarmup_d,14\n"
                         "start_date,2024-03-07\n", 0},
        {"services.csv", "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h,"
                         "weekdays,departure_h\n"
                         "CQ-BRS,CQ>AKZ>BRS,,,41.5,6,tuesday / FRI sun,6.25\n"
                         "BRS-WAW,BRS>WAW,7,8,20,2,,\n", 0},
    };
    char *msgs;
    struct scenario *s = load(extra, 2, NULL, 0, &msgs);
    cr_assert_not_null(s, "%s", msgs);
    const struct scenario_service *v = &s->services[0];
    cr_expect_eq(v->n_week, 3);
    cr_expect_eq(scenario_departure_h(v, 0), 24 + 6.25);
    cr_expect_eq(scenario_departure_h(v, 1), 72 + 6.25);
    cr_expect_eq(scenario_departure_h(v, 2), 120 + 6.25);
    cr_expect_eq(scenario_departure_h(v, 3), 168 + 24 + 6.25);
    cr_expect_eq(v->departures_per_week, 3);
    cr_expect_eq(scenario_departure_h(&s->services[1], 2), 8 + 2 * 24.0);
    scenario_destroy(s);
    free(msgs);
}

/* Routing follows start_d: before a fast service starts, mail takes the
 * slow route that runs; from its start, the fast one. */
Test(inputs, routing_uses_a_service_only_from_its_start, .timeout = 120)
{
    char *sc = e2e_copy("tests/e2e/closure");
    e2e_write(sc, "nodes.csv", "id,name,country,kind,servers,dwell_h,scan\nO,Origin,CN,origin,,fixed(0),0\n"
                               "M,Middle,KZ,hub,,fixed(1),0\nD,Destination,DE,destination,,fixed(2.385),0\n");
    e2e_write(sc, "legs.csv", "from,to,km,time_h\nO,M,500,fixed(20)\nM,D,500,fixed(20)\nO,D,300,fixed(6.5)\n");
    e2e_write(sc, "services.csv", "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h,start_d\n"
                                  "SLOW,O>M>D,7,1,1000,0,\nFAST,O>D,7,2,1000,0,100\n");
    e2e_write(sc, "disruptions.csv", "target,start_d,duration_d,capacity_factor\n");
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -o %s/r --no-plot -q -r 1 --batches", sc, t), 0);
    char *r = e2e_format("%s/r", t);
    FILE *f = e2e_open(r, "batches.csv");
    free(r);
    char line[512];
    size_t slow_before = 0, fast_before = 0, slow_after = 0, fast_after = 0;
    while (fgets(line, sizeof line, f)) {
        double posted;
        char services[64];
        if (sscanf(line, "%*d,%*d,%*[^,],%*[^,],%*f,%lf,%*[^,],%*[^,],%*[^,],%63s", &posted, services) != 2)
            continue;
        bool fast = !strcmp(services, "FAST");
        if (posted < 99 * 24)
            fast ? fast_before++ : slow_before++;
        else if (posted > 101 * 24)
            fast ? fast_after++ : slow_after++;
    }
    fclose(f);
    cr_assert_gt(slow_before, 1000);
    cr_assert_eq(fast_before, 0, "%zu batches waited for a service that had not started", fast_before);
    cr_assert_gt(fast_after, 1000);
    cr_assert_eq(slow_after, 0, "%zu batches took the slow route after the fast one started", slow_after);
    e2e_rmtree(t);
    e2e_rmtree(sc);
}
