/* plotoptimise: an optimisation's chart and its section of the page are
 * drawn for its folder and not for a sweep's, and what they read back from
 * the folder is checked (a bad number, a bad yes/no refused at its place)
 * or quoted (a key's name reaches gnuplot only inside a string). */
#include "e2e.h"

#include <unistd.h>

#define TWO "tests/e2e/two-origins"
/* nine settings, five of them run, well under a second */
#define OPTIMISE                                                                                                   \
    "optimise " TWO " --vary services.S1.departures_per_week=8:10 --vary services.S2.departures_per_week=8:10 "    \
    "--minimise cost_total --subject-to 'on_time_pct@origin:O1>=75' --subject-to 'on_time_pct@origin:O2>=75' "     \
    "-r 4 -d 60"

/* Whether `file` in `dir` contains `what`. */
static bool holds(const char *dir, const char *file, const char *what)
{
    char *path = e2e_format("%s/%s", dir, file), *text = e2e_slurp(path);
    bool found = text && strstr(text, what);
    free(text);
    free(path);
    return found;
}

Test(plotoptimise, an_optimisation_has_its_chart_and_section_and_a_sweep_has_neither, .timeout = 120)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t), *r = e2e_format("%s/r", t), *s = e2e_format("%s/s", t);
    cr_assert_eq(e2e_runf(NULL, err, OPTIMISE " -o %s", r), 0);
    if (e2e_exists(r, "optimise.gp") && !e2e_exists(r, "optimise.png"))
        cr_skip_test("gnuplot not installed");  /* the script is written either way */
    cr_assert(e2e_exists(r, "optimise.png"));
    cr_assert(e2e_exists(r, "optimise.gp"));
    /* the map of the 3 x 3 grid: the answer's setting and its constraints in the key, the blank cells said */
    cr_assert(holds(r, "optimise.gp", "the answer (9, 9): 86700 EUR"));
    cr_assert(holds(r, "optimise.gp", "batches on time at origin:O1 "));
    cr_assert(holds(r, "optimise.gp", "5 of 9 settings simulated"));
    cr_assert(holds(r, "optimise.gp", "blank: not simulated"));
    cr_assert(holds(r, "meta.csv", "vary_values,8;9;10\n"));
    /* the page: the section, and the chart inlined with its caption */
    cr_assert(holds(r, "report.html", "<h2>The answer in detail</h2>"));
    cr_assert(holds(r, "report.html", "5 of the grid's 9 settings were simulated, 2 of them meeting every "
                                      "constraint"));
    cr_assert(holds(r, "report.html", "<figcaption>The objective at every setting the optimisation simulated"));
    cr_assert_eq(e2e_runf(NULL, err, "sweep " TWO " --vary services.S1.departures_per_week=8:9 -r 3 -d 60 -o %s", s),
                 0);
    cr_assert(!e2e_exists(s, "optimise.gp"));
    cr_assert(!e2e_exists(s, "optimise.png"));
    cr_assert(!holds(s, "report.html", "The answer in detail"));
    cr_assert(!holds(s, "report.html", "The objective at every setting the optimisation simulated"));
    free(s);
    free(r);
    free(err);
    e2e_rmtree(t);
}

/* An optimisation's folder with line `line` of points.csv replaced by `text`. */
static char *crafted(const char *t, unsigned line, const char *text)
{
    char *r = e2e_format("%s/r", t), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, err, OPTIMISE " --no-plot -o %s", r), 0);
    e2e_sh("cd '%s' && awk 'NR == %u { print \"%s\"; next } { print }' points.csv > p && mv p points.csv", r, line,
           text);
    free(err);
    return r;
}

static void refused(const char *r, const char *t, const char *message)
{
    char *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, err, "plot %s", r), 2);
    char *text = e2e_slurp(err);
    cr_assert(text && strstr(text, message), "expected \"%s\", got \"%s\"", message, text);
    cr_assert(!e2e_exists(r, "optimise.png"));
    free(text);
    free(err);
}

Test(plotoptimise, a_bad_number_or_yes_no_in_the_points_is_refused_at_its_place, .timeout = 120)
{
    char *t = e2e_tmpdir();
    char *r = crafted(t, 3, "point-004,9,8,no,83200x,83200,83200,8,");
    refused(r, t, "points.csv:3:5: objective: expected a number, got \"83200x\"");
    free(r);
    e2e_rmtree(t);
    t = e2e_tmpdir();
    r = crafted(t, 2, "point-003,8,10,maybe,85900,85900,85900,8,");
    refused(r, t, "points.csv:2:4: feasible: expected yes or no, got \"maybe\"");
    free(r);
    e2e_rmtree(t);
    t = e2e_tmpdir();
    r = crafted(t, 4, "point-005,9,9,yes,86700,86700,86700,8,chosen,extra");
    refused(r, t, "points.csv:4");
    free(r);
    e2e_rmtree(t);
}

Test(plotoptimise, a_sweep_chart_of_an_optimisation_draws_no_line_across_settings_not_run, .timeout = 120)
{
    char *t = e2e_tmpdir(), *r = e2e_format("%s/r", t), *err = e2e_format("%s/err", t);
    /* bisecting 20 values of S1 runs 5 and 7 but not 6 on the line S2 = 10 */
    cr_assert_eq(e2e_runf(NULL, err, "optimise " TWO " --vary services.S1.departures_per_week=1:20 --vary "
                          "services.S2.departures_per_week=9,10 --minimise cost_total --subject-to "
                          "'on_time_pct@origin:O1>=75' --subject-to 'on_time_pct@origin:O2>=75' -r 3 -d 40 -q -o %s",
                          r), 0);
    cr_assert(holds(r, "points.csv", "point-010,5,10,") && holds(r, "points.csv", "point-014,7,10,") &&
              !holds(r, "points.csv", "point-012,"));
    cr_assert(holds(r, "sweep_on_time_pct.gp", "only the settings the search ran, no line across those it did not"));
    cr_assert(holds(r, "sweep_on_time_pct.gp", "\n\n7,"), "no break in the line before 7");
    free(err);
    free(r);
    e2e_rmtree(t);
}

Test(plotoptimise, a_key_named_to_run_gnuplot_commands_stays_inside_a_string, .timeout = 120)
{
    char *t = e2e_tmpdir(), *r = e2e_format("%s/r", t), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, err, OPTIMISE " --no-plot -o %s", r), 0);
    /* the first key renamed in both files, a quote and a command in its name */
    e2e_sh("cd '%s' && for f in points.csv optimum.csv; do sed \"1s/services.S1.departures_per_week/x' ; system "
           "'touch pwned' ; '/\" $f > p && mv p $f; done", r);
    cr_assert_eq(e2e_runf(NULL, err, "plot %s", r), 0);
    cr_assert(!e2e_exists(r, "pwned"), "gnuplot ran the key's name as a command");
    cr_assert(holds(r, "optimise.gp", "set xlabel 'x'' ; system ''touch pwned'' ; '''"));
    free(err);
    free(r);
    e2e_rmtree(t);
}

Test(plotoptimise, points_ranked_by_selection_are_read_by_name, .timeout = 120)
{
    char *t = e2e_tmpdir(), *r = e2e_format("%s/r", t), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, err, OPTIMISE " --no-plot -o %s", r), 0);
    /* the columns a ranking adds: more replications at the answer, a second setting equivalent */
    e2e_write(r, "points.csv",
              "point,services.S1.departures_per_week,services.S2.departures_per_week,feasible,objective,"
              "objective_ci_low,objective_ci_high,replications,selection\n"
              "point-003,8,10,no,85900,85900,85900,4,\n"
              "point-004,9,8,no,83200,83200,83200,4,\n"
              "point-005,9,9,yes,86700,86700,86700,12,chosen\n"
              "point-006,9,10,yes,90900,90900,90900,12,equivalent\n"
              "point-007,10,8,no,89200,89200,89200,4,\n");
    cr_assert_eq(e2e_runf(NULL, err, "plot %s", r), 0);
    cr_assert(holds(r, "optimise.gp", "mean of 4 to 12 replications per setting"));
    cr_assert(holds(r, "optimise.gp", "as good (within 867 EUR): 1 setting"));  /* 1 % of the best: no threshold of its own */
    cr_assert_eq(e2e_runf(NULL, err, "report %s", r), 0);
    cr_assert(holds(r, "report.html", "<li><code>services.S1.departures_per_week</code> = 9, "
                                      "<code>services.S2.departures_per_week</code> = 10: 90900</li>"));
    /* a selection word railmail does not write */
    e2e_sh("cd '%s' && rm optimise.png && sed 's/,equivalent$/,best/' points.csv > p && mv p points.csv", r);
    refused(r, t, "points.csv:5:9: selection: expected chosen, equivalent, eliminated, dropped or nothing, got \"best\"");
    free(err);
    free(r);
    e2e_rmtree(t);
}
