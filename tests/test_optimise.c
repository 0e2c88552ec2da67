/* optimise: the frontier search against a full scan on made-up feasible
 * regions, and optimisations through the binary on two origins whose
 * on-time shares are known by hand. */
#include "e2e.h"

#include <stdint.h>
#include <unistd.h>

#include "railmail/optimise.h"

#define TWO "tests/e2e/two-origins"

/* ---- the search on made-up regions ----------------------------------------- */

/* A region: feasible when every key's value index reaches its least, or,
 * with `hole`, also infeasible at that one setting (non-monotone). */
struct region {
    const struct optimise_search *s;
    size_t least[OPTIMISE_MAX_KEYS];
    size_t hole;      /* SIZE_MAX: none */
    size_t probes;
};

static bool feasible_at(const struct region *r, size_t i)
{
    size_t at[OPTIMISE_MAX_KEYS];
    optimise_setting_at(r->s, i, at);
    if (i == r->hole)
        return false;
    for (size_t k = 0; k < r->s->n_keys; k++)
        if (at[k] < r->least[k])
            return false;
    return true;
}

static enum rm_status region_probe(void *ctx, size_t i, bool *feasible, struct diag *d)
{
    (void)d;
    struct region *r = ctx;
    r->probes++;
    *feasible = feasible_at(r, i);
    return RM_OK;
}

/* Every setting's state after the search is what the region says. */
static void states_match(const struct optimise_search *s, const struct region *r)
{
    for (size_t i = 0; i < s->settings; i++)
        cr_assert_eq(s->state[i], feasible_at(r, i) ? OPTIMISE_FEASIBLE : OPTIMISE_INFEASIBLE, "setting %zu", i);
}

Test(optimise, the_frontier_of_a_monotone_region_is_found_with_fewer_settings_than_the_grid)
{
    const size_t n[3] = { 7, 6, 5 };
    const size_t least[][3] = { { 3, 2, 1 }, { 0, 0, 0 }, { 6, 5, 4 }, { 7, 0, 0 }, { 1, 5, 2 } };
    for (size_t c = 0; c < sizeof least / sizeof *least; c++) {
        struct optimise_search s;
        cr_assert_eq(optimise_search_init(&s, n, 3, 0), RM_OK);
        struct region r = { &s, { least[c][0], least[c][1], least[c][2] }, SIZE_MAX, 0 };
        struct diag *d = diag_create();
        cr_assert_eq(optimise_frontier(&s, region_probe, &r, d), RM_OK);
        states_match(&s, &r);
        cr_assert_eq(optimise_unknown(&s), 0);
        cr_assert_eq(r.probes, s.n_ran);
        cr_assert_lt(s.n_ran, s.settings / 2, "case %zu: %zu of %zu run", c, s.n_ran, s.settings);
        /* the least feasible setting, when there is one, ran */
        if (least[c][0] < 7) {
            size_t i = (least[c][0] * 6 + least[c][1]) * 5 + least[c][2];
            cr_assert(s.ran[i], "case %zu: the corner of the feasible region did not run", c);
        }
        optimise_search_fini(&s);
        diag_destroy(d);
    }
}

Test(optimise, the_frontier_trusts_monotonicity_and_the_wider_search_does_not)
{
    const size_t n[2] = { 5, 5 };
    struct optimise_search s;
    cr_assert_eq(optimise_search_init(&s, n, 2, 0), RM_OK);
    /* feasible from (1, 1) up but for a hole at (2, 4), which the search
     * runs first: what it implies below the hole is wrong */
    struct region r = { &s, { 1, 1 }, 2 * 5 + 4, 0 };
    struct diag *d = diag_create();
    cr_assert_eq(optimise_frontier(&s, region_probe, &r, d), RM_OK);
    cr_assert(s.ran[2 * 5 + 4]);
    cr_assert_eq(s.state[1 * 5 + 1], OPTIMISE_INFEASIBLE, "implied by the hole above it");
    cr_assert(!s.ran[1 * 5 + 1]);
    cr_assert_eq(optimise_widen(&s, false, region_probe, &r, d), RM_OK);
    cr_assert_eq(s.n_ran, 25);
    cr_assert_eq(r.probes, 25, "a setting ran twice");
    states_match(&s, &r);
    cr_assert(s.widened);
    optimise_search_fini(&s);
    diag_destroy(d);
}

Test(optimise, a_budget_stops_the_search_and_counts_what_is_left)
{
    const size_t n[2] = { 7, 7 };
    struct optimise_search s;
    cr_assert_eq(optimise_search_init(&s, n, 2, 3), RM_OK);
    struct region r = { &s, { 3, 3 }, SIZE_MAX, 0 };
    struct diag *d = diag_create();
    cr_assert_eq(optimise_frontier(&s, region_probe, &r, d), RM_OK);
    cr_assert_eq(s.n_ran, 3);
    cr_assert(s.budget_hit);
    cr_assert_gt(optimise_unknown(&s), 0);
    for (size_t i = 0; i < s.settings; i++)  /* what is known is right */
        if (s.state[i] != OPTIMISE_UNKNOWN)
            cr_assert_eq(s.state[i], feasible_at(&r, i) ? OPTIMISE_FEASIBLE : OPTIMISE_INFEASIBLE);
    optimise_search_fini(&s);
    diag_destroy(d);
}

/* ---- through the binary ----------------------------------------------------- */

/* At each origin of two-origins, a batch is on time when it waits at most
 * 15 h of its train's headway 168/k h: on time 15 k / 168, so 71.4 % at
 * k = 8 and 80.4 % at 9 (the lower bound of 9 clears 75 with 8
 * replications, as sweep's test finds). A train costs 1000 at O1 and 700
 * at O2, so the cheapest plan meeting 75 % at both is 9 and 9. */
#define KEYS "--vary services.S1.departures_per_week=6:12 --vary services.S2.departures_per_week=6:12"
#define BOTH "--subject-to 'on_time_pct@origin:O1>=75' --subject-to 'on_time_pct@origin:O2>=75'"

/* The lines of `file` in `dir` whose text contains `what`. */
static size_t lines_with(const char *dir, const char *file, const char *what)
{
    char *path = e2e_format("%s/%s", dir, file), *text = e2e_slurp(path);
    cr_assert(text, "no %s", path);
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        n += strstr(line, what) != NULL;
    free(text);
    free(path);
    return n;
}

Test(optimise, the_cheapest_plan_known_by_hand_is_found_with_fewer_than_half_the_grid, .timeout = 240)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(out, err, "optimise " TWO " " KEYS " --minimise cost_total " BOTH " -o %s/r --no-plot", t),
                 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "cheapest plan meeting on_time_pct@origin:O1 >= 75 and on_time_pct@origin:O2 >= 75 with "
                     "95% confidence: services.S1.departures_per_week = 9, services.S2.departures_per_week = 9\n"),
              "%s", text);
    cr_assert(strstr(text, "(97.5% interval): met"), "%s", text);
    unsigned ran = 0, all = 0;
    const char *line = strstr(text, " settings simulated");
    cr_assert(line);
    while (line > text && line[-1] != '\n')
        line--;
    cr_assert_eq(sscanf(line, "%u of %u", &ran, &all), 2);
    cr_assert_eq(all, 49);
    cr_assert_lt(ran, 49 / 2, "%u of 49 simulated", ran);
    free(text);
    char *r = e2e_format("%s/r", t);
    /* optimum.csv: the setting, the objective and both constraints */
    cr_assert_eq(lines_with(r, "optimum.csv", "9,9,optimum,"), 3);
    cr_assert_eq(lines_with(r, "optimum.csv", "9,9,optimum,cost_total,all,min,"), 1);
    cr_assert_eq(lines_with(r, "optimum.csv", "9,9,optimum,on_time_pct,origin:O1,>=,75,"), 1);
    /* cost_total is 1000 x 9 + 700 x 9 trains a week over 130 days: the same in every replication */
    cr_assert_eq(lines_with(r, "optimum.csv", ",283900,283900,283900,0.95,8"), 1);
    cr_assert_eq(lines_with(r, "points.csv", "point-"), ran);
    cr_assert_eq(lines_with(r, "points.csv", "point-025,9,9,yes,283900,"), 1);
    /* every setting run is feasible exactly when both origins have 9 trains or more */
    char *path = e2e_format("%s/points.csv", r), *points = e2e_slurp(path);
    size_t rows = 0;
    for (char *row = strtok(points, "\n"); row; row = strtok(NULL, "\n")) {
        unsigned point, s1, s2;
        char yes[4];
        if (sscanf(row, "point-%u,%u,%u,%3[a-z],", &point, &s1, &s2, yes) != 4)
            continue;
        cr_assert_eq(!strcmp(yes, "yes"), s1 >= 9 && s2 >= 9, "%s", row);
        rows++;
    }
    cr_assert_eq(rows, ran);
    free(points);
    free(path);
    cr_assert_eq(lines_with(r, "meta.csv", "kind,sweep"), 1);
    /* the page's summary gives the answer */
    cr_assert_eq(lines_with(r, "report.html", "Optimisation: the best setting that meets every constraint with 95% "
                            "confidence is services.S1.departures_per_week = 9, services.S2.departures_per_week = 9: "),
                 1);
    char *summary = e2e_format("%s/point-025/summary.csv", r), *before = e2e_slurp(summary);
    cr_assert(before);
    /* again into the same folder: every setting's replications are reused, and the same numbers come out */
    cr_assert_eq(e2e_runf(out, err, "optimise " TWO " " KEYS " --minimise cost_total " BOTH " -o %s/r --no-plot", t),
                 0);
    text = e2e_slurp(out);
    char *again = e2e_format("(the replications of %u settings reused from the earlier results", ran);
    cr_assert(strstr(text, again), "%s", text);
    char *after = e2e_slurp(summary);
    cr_assert_str_eq(before, after);
    free(again), free(after), free(before), free(text);
    free(summary);
    free(r);
    free(out);
    free(err);
    e2e_rmtree(t);
}

Test(optimise, an_objective_that_improves_upwards_is_noticed_and_every_feasible_setting_runs, .timeout = 240)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(out, err, "optimise " TWO " " KEYS " --maximise cost_total " BOTH " -o %s/r --no-plot", t),
                 0);
    char *text = e2e_slurp(out), *warn = e2e_slurp(err);
    cr_assert(strstr(text, "plan with the highest cost_total meeting ") &&
              strstr(text, "services.S1.departures_per_week = 12, services.S2.departures_per_week = 12\n"), "%s", text);
    cr_assert(strstr(warn, "the search assumes it gets worse as the keys grow; running every setting the "
                     "constraints allow"), "%s", warn);
    char *r = e2e_format("%s/r", t);
    cr_assert_eq(lines_with(r, "points.csv", ",yes,"), 16, "9 to 12 at each origin are feasible and all ran");
    free(r);
    free(text);
    free(warn);
    free(out);
    free(err);
    e2e_rmtree(t);
}

Test(optimise, a_constraint_that_gets_harder_as_the_keys_grow_is_noticed_and_the_grid_runs, .timeout = 240)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t), *err = e2e_format("%s/err", t);
    /* the cost rises with every train: a cap on it is met below, not above */
    cr_assert_eq(e2e_runf(out, err, "optimise " TWO " " KEYS " --minimise cost_total --subject-to "
                          "'on_time_pct@origin:O1>=75' --subject-to 'cost_total<=300000' -o %s/r --no-plot", t), 0);
    char *text = e2e_slurp(out), *warn = e2e_slurp(err);
    cr_assert(strstr(warn, "optimise: cost_total@all rises from ") &&
              strstr(warn, "while the search assumes that larger values make cost_total <= 300000 easier to meet; "
                     "running the whole grid"), "%s", warn);
    cr_assert(strstr(text, "49 of 49 settings simulated"), "%s", text);
    /* the fewest trains O1's target allows, and the fewest at O2 */
    cr_assert(strstr(text, ": services.S1.departures_per_week = 9, services.S2.departures_per_week = 6\n"), "%s",
              text);
    free(text);
    free(warn);
    free(out);
    free(err);
    e2e_rmtree(t);
}

Test(optimise, three_keys_with_charts_on_give_the_answer_and_a_page_without_sweep_charts, .timeout = 240)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t), *err = e2e_format("%s/err", t);
    /* a third key that changes nothing the constraints see: the same plan, at its least value */
    int rc = e2e_runf(out, err, "optimise " TWO " " KEYS " --vary services.S1.capacity_t=1000,2000 --minimise "
                      "cost_total " BOTH " -o %s/r", t);
    char *text = e2e_slurp(out), *warn = e2e_slurp(err);
    cr_assert_eq(rc, 0, "%s", warn);
    cr_assert(strstr(text, ": services.S1.departures_per_week = 9, services.S2.departures_per_week = 9, "
                     "services.S1.capacity_t = 1000\n"), "%s", text);
    cr_assert(strstr(text, " of 98 settings simulated"), "%s", text);
    char *r = e2e_format("%s/r", t);
    cr_assert(e2e_exists(r, "report.html"));
    cr_assert(!e2e_exists(r, "sweep_on_time_pct.png"));
    free(r);
    free(text);
    free(warn);
    free(out);
    free(err);
    e2e_rmtree(t);
}

Test(optimise, a_budget_caps_the_settings_simulated_and_says_what_was_left, .timeout = 240)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(out, err, "optimise " TWO " " KEYS " --minimise cost_total " BOTH " --budget 4 -o %s/r "
                          "--no-plot", t), 0);
    char *text = e2e_slurp(out), *warn = e2e_slurp(err);
    cr_assert(strstr(text, "4 of 49 settings simulated, "), "%s", text);
    cr_assert(strstr(text, " left unexplored (--budget)"), "%s", text);
    cr_assert(strstr(warn, "--budget 4: ") && strstr(warn, " of 49 settings left unexplored"), "%s", warn);
    char *r = e2e_format("%s/r", t);
    cr_assert_eq(lines_with(r, "points.csv", "point-"), 4);
    free(r);
    free(text);
    free(warn);
    free(out);
    free(err);
    e2e_rmtree(t);
}

Test(optimise, a_constraint_no_setting_meets_exits_1_and_shows_the_closest, .timeout = 240)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t), *err = e2e_format("%s/err", t);
    /* at 12 a week 15 x 12 / 168 = 107 %: every batch is on time, so 99 is met at O1 but 95 at O2 only from 11 */
    cr_assert_eq(e2e_runf(out, err, "optimise " TWO " --vary services.S1.departures_per_week=6:12 "
                          "--vary services.S2.departures_per_week=6:8 --minimise cost_total " BOTH
                          " --subject-to 'on_time_pct@origin:O2>=95' -o %s/r --no-plot", t), 1);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "no setting meets on_time_pct@origin:O1 >= 75, on_time_pct@origin:O2 >= 75 and "
                     "on_time_pct@origin:O2 >= 95 with 95% confidence\n"), "%s", text);
    cr_assert(strstr(text, "closest: services.S1.departures_per_week = "), "%s", text);
    cr_assert(strstr(text, "services.S2.departures_per_week = 8\n"), "%s", text);
    cr_assert(strstr(text, "(98.33% interval): not met"), "%s", text);
    char *r = e2e_format("%s/r", t), *text2;
    cr_assert_eq(lines_with(r, "optimum.csv", ",closest,"), 4);
    cr_assert_eq(lines_with(r, "optimum.csv", ",optimum,"), 0);
    cr_assert_eq(lines_with(r, "report.html", "Optimisation: no setting meets every constraint with 95% confidence; "
                            "the closest is services.S1.departures_per_week = "), 1);
    /* verify runs it again (exit 1 included) and finds the same files */
    cr_assert_eq(e2e_runf(out, err, "verify %s", r), 0);
    text2 = e2e_slurp(out);
    cr_assert(strstr(text2, "verified: every file in "), "%s", text2);
    free(text2);
    free(r);
    free(text);
    free(out);
    free(err);
    e2e_rmtree(t);
}

/* Three settings of O1's train whose mean transit differs by about 0.003
 * days, judged with a practical threshold well below that. */
#define CLOSE "optimise " TWO " --vary services.S1.departures_per_week=10.6,10.8,11 --minimise transit_mean_d " \
              "--subject-to 'on_time_pct@origin:O1>=75' --set services.S2.departures_per_week=11 "              \
              "--set scenario.threshold.transit_mean_d=%s --no-plot"

static bool same_file(const char *a, const char *b, const char *name)
{
    char *x = e2e_format("%s/%s", a, name), *y = e2e_format("%s/%s", b, name);
    char *tx = e2e_slurp(x), *ty = e2e_slurp(y);
    bool same = tx && ty && !strcmp(tx, ty);
    free(tx), free(ty), free(x), free(y);
    return same;
}

Test(optimise, close_contenders_get_more_replications_until_the_best_is_chosen_alike_for_any_jobs, .timeout = 240)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(out, err, CLOSE " -j 1 -o %s/r1", "0.0002", t), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, ": services.S1.departures_per_week = 11\n"), "%s", text);
    cr_assert(strstr(text, "chosen among 3 feasible settings by Kim and Nelson's procedure on paired replications: "
                     "the best with probability at least 95% when it leads the others by the practical threshold "
                     "(0.0002 days) or more; the leaders ran "), "%s", text);
    unsigned n = 0;
    cr_assert_eq(sscanf(strstr(text, "the leaders ran ") + 16, "%u", &n), 1);
    cr_assert_gt(n, 8, "the first stage's 8 replications could not tell them apart");
    char *r1 = e2e_format("%s/r1", t), *r2 = e2e_format("%s/r2", t);
    char *row = e2e_format("point-003,11,yes,"), *chosen = e2e_format(",%u,chosen", n);
    cr_assert_eq(lines_with(r1, "points.csv", row), 1);
    cr_assert_eq(lines_with(r1, "points.csv", chosen), 1);
    /* the point's own files are a run of that many replications, and nothing set aside is left */
    char *summary_n = e2e_format("on_time_pct,all,");
    char *path = e2e_format("%s/point-003/summary.csv", r1), *summary = e2e_slurp(path);
    char *tail = e2e_format(",%u\n", n);
    const char *at = strstr(summary, summary_n);
    cr_assert(at && !strncmp(strchr(at, '\n') - strlen(tail) + 1, tail, strlen(tail)), "%s", at);
    cr_assert(!e2e_exists(r1, ".point-003-earlier"));
    /* the page asks the question and states the selection's probability */
    cr_assert_eq(lines_with(r1, "report.html", "Which setting of <code>services.S1.departures_per_week</code> gives "
                            "the lowest mean transit time while batches on time at origin:O1 &gt;= 75 with "
                            "confidence?"), 2);
    cr_assert_eq(lines_with(r1, "report.html", "It was chosen among the 3 settings that meet every constraint by Kim "
                            "and Nelson's sequential procedure, on replications paired by their random numbers: with "
                            "probability at least 95% it is the best whenever the best leads the others by 0.0002 "
                            "days or more"), 1);
    /* the same files with two threads, and verify reruns the selection */
    cr_assert_eq(e2e_runf(out, err, CLOSE " -j 2 -o %s/r2", "0.0002", t), 0);
    const char *files[] = { "points.csv", "optimum.csv", "sweep.csv", "point-001/summary.csv",
                            "point-003/summary.csv", "point-003/replications.csv" };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        cr_assert(same_file(r1, r2, files[i]), "%s differs between -j 1 and -j 2", files[i]);
    cr_assert_eq(e2e_runf(out, err, "verify %s", r1), 0);
    free(tail), free(summary), free(path), free(summary_n), free(chosen), free(row), free(r2), free(r1);
    free(text);
    free(out);
    free(err);
    e2e_rmtree(t);
}

Test(optimise, a_contender_within_the_threshold_of_the_chosen_is_as_good, .timeout = 240)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(out, err, CLOSE " -o %s/r", "0.002", t), 0);
    char *text = e2e_slurp(out), *r = e2e_format("%s/r", t);
    cr_assert(strstr(text, "as good (transit_mean_d within 0.002 days of the chosen setting's, paired):\n"
                     "  services.S1.departures_per_week = 10.6: "), "%s", text);
    cr_assert_eq(lines_with(r, "points.csv", ",equivalent"), 1);
    cr_assert_eq(lines_with(r, "optimum.csv", ",equivalent,transit_mean_d,"), 1);
    free(r);
    free(text);
    free(out);
    free(err);
    e2e_rmtree(t);
}

Test(optimise, a_selection_stopped_by_max_replications_says_so, .timeout = 240)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(out, err, CLOSE " --max-replications 10 -o %s/r", "0.0002", t), 0);
    char *warn = e2e_slurp(err);
    cr_assert(strstr(warn, "--max-replications 10: the selection among 3 feasible settings stopped before it could "
                     "separate them"), "%s", warn);
    free(warn);
    free(out);
    free(err);
    e2e_rmtree(t);
}

Test(optimise, precision_rounds_give_each_setting_the_replications_its_constraints_need, .timeout = 240)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(out, err, "optimise " TWO " " KEYS " --minimise cost_total " BOTH
                          " --precision 'on_time_pct@origin:O1=0.5' -o %s/r --no-plot", t), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, ": services.S1.departures_per_week = 9, services.S2.departures_per_week = 9\n"), "%s", text);
    /* the settings near O1's 50 % need more replications than the first round's 8 to reach +-0.5 points */
    char *r = e2e_format("%s/r", t), *path = e2e_format("%s/points.csv", r), *points = e2e_slurp(path);
    unsigned most = 0, least = UINT32_MAX;
    for (char *row = strtok(points, "\n"); row; row = strtok(NULL, "\n")) {
        unsigned reps;
        const char *comma = row;
        for (int k = 0; k < 7 && comma; k++)
            comma = strchr(comma + 1, ',');
        if (strncmp(row, "point-", 6) || !comma || sscanf(comma + 1, "%u", &reps) != 1)
            continue;
        most = reps > most ? reps : most;
        least = reps < least ? reps : least;
    }
    cr_assert_eq(least, 8);
    cr_assert_gt(most, 8, "no setting ran more than the first round");
    cr_assert_eq(e2e_runf(out, err, "verify %s", r), 0);
    free(points), free(path), free(r), free(text);
    free(out);
    free(err);
    e2e_rmtree(t);
}

static void refused(const char *args, const char *message)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t), *out = e2e_format("%s/r", t);
    cr_assert_eq(e2e_runf(NULL, err, "optimise " TWO " -o %s %s", out, args), 2, "%s: expected exit 2", args);
    char *text = e2e_slurp(err);
    cr_assert(text && strstr(text, message), "%s: expected \"%s\", got \"%s\"", args, message, text);
    cr_assert_neq(access(out, F_OK), 0, "%s: results written", args);
    free(text);
    free(err);
    free(out);
    e2e_rmtree(t);
}

Test(optimise, bad_arguments_exit_2_before_simulating, .timeout = 120)
{
    refused(BOTH " --minimise cost_total", "railmail: optimise: expected --vary KEY=VALUES");
    refused(KEYS " " BOTH, "railmail: optimise: expected --minimise METRIC@SCOPE or --maximise METRIC@SCOPE");
    refused(KEYS " --minimise cost_total", "railmail: optimise: expected at least one --subject-to");
    refused(KEYS " --minimise cost_total --maximise on_time_pct " BOTH,
            "railmail: --maximise: expected one objective, got cost_total and on_time_pct");
    refused(KEYS " --minimise cost_totl " BOTH, "railmail: --minimise: unknown metric \"cost_totl\"");
    refused(KEYS " --minimise cost_total --subject-to 'on_time_pct@origin:O3>=75'",
            "railmail: --subject-to: unknown scope \"origin:O3\" for on_time_pct in this scenario");
    refused(KEYS " --minimise cost_total --subject-to 'on_time_pct@origin:O1=75'",
            "railmail: --subject-to: expected METRIC@SCOPE>=X or METRIC@SCOPE<=X");
    refused("--vary services.S1.departures_per_week=3,1 --minimise cost_total " BOTH,
            "railmail: --vary services.S1.departures_per_week: expected values in increasing order");
    refused("--vary services.S3.departures_per_week=1:3 --minimise cost_total " BOTH,
            "railmail: --vary services.S3.departures_per_week: expected ID of a row of services.csv");
    refused("--vary a=1 --vary b=1 --vary c=1 --vary d=1 --vary e=1 --minimise cost_total " BOTH,
            "railmail: --vary: expected at most 4 keys, got 5");
    refused(KEYS " --minimise cost_total " BOTH " --budget 0", "railmail: --budget: expected a whole number from 1");
    refused(KEYS " --minimise cost_total " BOTH " -r 2",
            "railmail: --subject-to: a confidence bound needs at least 3 replications");
    refused(KEYS " --minimise cost_total " BOTH " --precision 'on_time_pct@origin:NOPE=1'",
            "railmail: --precision on_time_pct@origin:NOPE=1: expected a scope");
}
