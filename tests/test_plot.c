/* Tests for plot: each test copies a hand-made results directory from
 * tests/fixtures/ to a fresh temporary directory, draws it, and checks the
 * PNGs (signature and IHDR size) and the .gp scripts. PATH is changed inside
 * single tests only: Criterion runs each test in its own process. */
#include "railmail/plot.h"
#include "railmail/results.h"
#include "railmail/strbuf.h"

#include "e2e.h"

#include <stdint.h>
#include <time.h>

#define RUN_FIXTURE "tests/fixtures/plot-run"
#define COMPARE_FIXTURE "tests/fixtures/plot-compare"

/* True when dir holds a file whose name ends with `suffix`. */
static bool any_with_suffix(const char *path, const char *suffix)
{
    DIR *dir = opendir(path);
    cr_assert_not_null(dir);
    struct dirent *e;
    bool found = false;
    while ((e = readdir(dir))) {
        size_t n = strlen(e->d_name), k = strlen(suffix);
        if (n >= k && strcmp(e->d_name + n - k, suffix) == 0)
            found = true;
    }
    closedir(dir);
    return found;
}

/* Checks the 8-byte PNG signature and the IHDR width and height. */
static void assert_png(const char *dir, const char *name, uint32_t width, uint32_t height)
{
    char *p = e2e_format("%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    cr_assert_not_null(f, "%s was not drawn", name);
    unsigned char h[24];
    cr_assert_eq(fread(h, 1, sizeof h, f), sizeof h, "%s is too short for a PNG", name);
    fclose(f);
    free(p);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    cr_assert_arr_eq(h, sig, 8, "%s lacks the PNG signature", name);
    cr_assert_arr_eq(h + 12, "IHDR", 4, "%s: the first chunk is not IHDR", name);
    uint32_t w = (uint32_t)h[16] << 24 | (uint32_t)h[17] << 16 | (uint32_t)h[18] << 8 | h[19];
    uint32_t ht = (uint32_t)h[20] << 24 | (uint32_t)h[21] << 16 | (uint32_t)h[22] << 8 | h[23];
    cr_assert_eq(w, width, "%s: width %u, expected %u", name, w, width);
    cr_assert_eq(ht, height, "%s: height %u, expected %u", name, ht, height);
}

/* A NULL-terminated list of strings, for assert_script. */
#define STRINGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The script `name` in `dir` holds each string of `has` and none of
 * `lacks` (NULL-terminated lists; either may be NULL). */
static void assert_script(const char *dir, const char *name, const char *const *has, const char *const *lacks)
{
    char *p = e2e_format("%s/%s", dir, name);
    char *s = e2e_slurp(p);
    cr_assert_not_null(s, "%s was not written", name);
    free(p);
    for (; has && *has; has++)
        cr_assert_not_null(strstr(s, *has), "%s: expected to find \"%s\"", name, *has);
    for (; lacks && *lacks; lacks++)
        cr_assert_null(strstr(s, *lacks), "%s: did not expect \"%s\"", name, *lacks);
    free(s);
}

/* Points PATH at an empty directory (returned, to be removed). */
static char *hide_gnuplot(void)
{
    char *bin = e2e_tmpdir();
    setenv("PATH", bin, 1);
    return bin;
}

/* Puts a fake gnuplot with this shell body first on PATH. */
static char *fake_gnuplot(const char *body)
{
    char *bin = e2e_tmpdir(), *exe = e2e_format("%s/gnuplot", bin);
    e2e_write(bin, "gnuplot", body);
    cr_assert_eq(chmod(exe, 0755), 0);
    free(exe);
    setenv("PATH", bin, 1);
    return bin;
}

static void assert_one_message_contains(struct diag *d, const char *what)
{
    cr_assert_geq(diag_count(d), 1, "expected an error message");
    cr_assert_not_null(strstr(diag_message(d, 0), what), "message \"%s\" lacks \"%s\"", diag_message(d, 0),
                       what);
}

Test(plot, run_draws_four_pngs_of_1200x700)
{
    char *dir = e2e_copy(RUN_FIXTURE);
    struct diag *d = diag_create();
    bool drawn = false;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    cr_assert(drawn);
    cr_assert_eq(diag_count(d), 0);
    assert_png(dir, "throughput.png", 1200, 700);
    assert_png(dir, "transit.png", 1200, 700);
    assert_png(dir, "backlog.png", 1200, 700);
    assert_png(dir, "train_wait.png", 1200, 700);
    cr_assert_not(e2e_exists(dir, "compare.png"));
    cr_assert_not(e2e_exists(dir, "compare_throughput.gp"));
    cr_assert_not(any_with_suffix(dir, ".tmp"));
    diag_destroy(d);
    e2e_rmtree(dir);
}

Test(plot, run_scripts_read_the_right_files_and_columns)
{
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(RUN_FIXTURE);
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK);

    assert_script(dir, "throughput.gp",
                  STRINGS("set output 'throughput.png'", "set terminal pngcairo size 1200,700",
                          /* Weekly tonnage: the total with its interval as error bars over the
                           * destinations stacked, the largest (WAW) at the bottom in the first colour. */
                          "mail delivered per week", "$weeks using ($1):2:3:4 with yerrorlines",
                          "$weeks using ($1):5 with filledcurves x1 fillcolor rgb '#f28e2b'",
                          "title 'to WAW'", "'to LEI'", "China-Europe rail mail via Brest, baseline",
                          /* A calendar axis from 2024-01-01 (1704067200 s) for 84 days, a tick per month. */
                          "set xdata time", "set timefmt '%Y-%m-%d'",
                          "set xtics ('Jan 2024' 1704067200, 'Feb' 1706745600, 'Mar' 1709251200)",
                          "set xrange [1704067200:1711324800]", "rect from 1704067200, graph 0 to 1705276800, graph 1",
                          "the run starts on 2024-01-01",
                          /* Week 1 (days 7-13) at its middle, 2024-01-11 12:00: the weekly file's total
                           * and interval, then WAW's daily means summed (45.7427) and PRG's added on. */
                          "\n1704974400,89.6853,78.362,101.009,45.7427,72.4072,"),
                  STRINGS("to the other"));
    assert_script(dir, "transit.gp",
                  STRINGS("plot 'transit.csv' using (column('transit_d') + 0.125):'batches_pct' with boxes",
                          "'cum_pct' axes x1y2", "set arrow 1 from 14, graph 0 to 14, graph 1",
                          "set arrow 2 from 11.5, graph 0", "set arrow 3 from 15.2, graph 0",
                          "'service standard: 14 days (88.4% on time)'"),
                  NULL);
    assert_script(dir, "backlog.gp",
                  /* the three nodes with the highest peaks, as 7-day means over their daily range */
                  STRINGS("$nodes using ($1):2 with lines", "title 'CQ'", "title 'BRE'",
                          "$nodes using ($1):3:4 with filledcurves", "set xdata time"),
                  /* AKZ never has a backlog: no line. */
                  STRINGS("'AKZ'"));
    assert_script(dir, "train_wait.gp",
                  STRINGS("'train_wait.csv' using 'date':(strcol('node') eq 'BRE' ? column('train_wait_d_mean') : NaN)",
                          "'train wait for a server (days)'"),
                  /* AKZ never makes a train wait and CQ has no server: no lines, and no total. */
                  STRINGS("'AKZ'", "'CQ'", "throughput.csv"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, compare_draws_two_pngs_and_no_run_charts)
{
    char *dir = e2e_copy(COMPARE_FIXTURE);
    struct diag *d = diag_create();
    bool drawn = false;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    cr_assert(drawn);
    assert_png(dir, "compare.png", 1200, 700);
    assert_png(dir, "compare_throughput.png", 1200, 700);
    cr_assert_not(e2e_exists(dir, "throughput.gp"));
    cr_assert_not(e2e_exists(dir, "transit.png"));
    cr_assert_not(any_with_suffix(dir, ".tmp"));

    assert_script(dir, "compare.gp",
                  STRINGS("set output 'compare.png'",
                          "proposal_row(s) = s eq 'freq-4' ? 1 : s eq 'brest-crane' ? 2 : s eq 'combined' ? 3 : NaN",
                          "set multiplot layout 2,3",
                          "plot 'compare.csv' using (headline('transit_mean_d', 1) ? column('diff') : NaN)",
                          "plot 'compare.csv' using (headline('transit_p95_d', 1) ? column('diff') : NaN)",
                          "plot 'compare.csv' using (headline('on_time_pct', 1) ? column('diff') : NaN)",
                          "plot 'compare.csv' using (headline('throughput_t_per_d', 1) ? column('diff') : NaN)",
                          "plot 'compare.csv' using (headline('tracking_gap_max_h', 1) ? column('diff') : NaN)",
                          "plot 'compare.csv' using (headline('max_backlog_batches', 0) ? column('diff') : NaN)",
                          ":'diff_ci_low':'diff_ci_high':(verdict_colour(strcol('verdict')))",
                          /* The tracking gap of brest-crane is worse: its label is red, at
                           * its row, left of its bar where the panel has more room. */
                          "'+2.5 (+4%)' at 0.5, 2 right offset -0.8, 0 tc rgb '#d62728'"),
                  NULL);
    assert_script(dir, "compare_throughput.gp",
                  STRINGS("# day,baseline,freq-4,brest-crane,combined",
                          "$avg7 using 1:2 with lines lc rgb '#222222' lw 3 title 'baseline'",
                          "$avg7 using 1:5 with lines"),
                  NULL);
    diag_destroy(d);
    e2e_rmtree(dir);
}

Test(plot, without_gnuplot_writes_scripts_and_no_png)
{
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(RUN_FIXTURE);
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK);
    cr_assert_not(drawn);
    cr_assert_eq(diag_count(d), 0);
    cr_assert(e2e_exists(dir, "throughput.gp"));
    cr_assert(e2e_exists(dir, "transit.gp"));
    cr_assert(e2e_exists(dir, "backlog.gp"));
    cr_assert_not(any_with_suffix(dir, ".png"));
    cr_assert_not(any_with_suffix(dir, ".tmp"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, gnuplot_error_is_reported_and_leaves_no_png)
{
    char *bin = fake_gnuplot("#!/bin/sh\n"
                             "while read -r line; do :; done\n"
                             "echo '         line 7: undefined variable: bogus' >&2\n"
                             "for f in throughput.png.*.tmp; do echo 'half a picture' > \"$f\"; done\n"
                             "exit 1\n");
    char *dir = e2e_copy(RUN_FIXTURE);
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_ERUN);
    cr_assert_not(drawn);
    assert_one_message_contains(d, "gnuplot failed drawing throughput.png (exit status 1)");
    assert_one_message_contains(d, "line 7: undefined variable: bogus");
    cr_assert_not(any_with_suffix(dir, ".png"));
    cr_assert_not(any_with_suffix(dir, ".tmp"));
    cr_assert(e2e_exists(dir, "throughput.gp"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, gnuplot_dying_without_reading_is_an_error_not_a_crash)
{
    /* Exits at once while a script far larger than a pipe's buffer is being
     * written (a 20000-day horizon makes a long datablock): SIGPIPE. */
    char *bin = fake_gnuplot("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n");
    char *dir = e2e_copy(RUN_FIXTURE);
    e2e_write(dir, "meta.csv", "key,value\nkind,run\nscenario,long\nhorizon_d,20000\nwarmup_d,14\n");
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_ERUN);
    assert_one_message_contains(d, "(exit status 3): cannot open display");
    cr_assert_not(any_with_suffix(dir, ".png"));
    cr_assert_not(any_with_suffix(dir, ".tmp"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, gnuplot_exiting_0_without_a_picture_is_an_error)
{
    char *bin = fake_gnuplot("#!/bin/sh\nwhile read -r line; do :; done\nexit 0\n");
    char *dir = e2e_copy(RUN_FIXTURE);
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_ERUN);
    assert_one_message_contains(d, "gnuplot exited 0 but wrote no throughput.png");
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, without_weekly_totals_more_than_eight_destinations_draw_the_total_only)
{
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(RUN_FIXTURE);
    char *weekly = e2e_format("%s/throughput_weekly.csv", dir);
    cr_assert_eq(remove(weekly), 0);  /* results written before the weekly file */
    free(weekly);
    char text[20000] = "day,destination,delivered_t_mean\n";
    for (int day = 0; day < 84; day++)
        for (int k = 1; k <= 9; k++)
            snprintf(text + strlen(text), sizeof text - strlen(text), "%d,D%d,%.3f\n", day, k, 0.37 * k);
    e2e_write(dir, "throughput_dest.csv", text);
    struct diag *d = diag_create();
    bool drawn;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK);
    assert_script(dir, "throughput.gp", STRINGS("9 destinations, total shown", "'all mail, 7-day average'"),
                  STRINGS("'to D1,", "$avg7 using 1:3"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, nine_destinations_draw_the_five_largest_and_the_other_four)
{
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(RUN_FIXTURE);
    char text[20000] = "day,date,destination,delivered_t_mean\n";
    for (int day = 0; day < 84; day++)
        for (int k = 1; k <= 9; k++)
            snprintf(text + strlen(text), sizeof text - strlen(text), "%d,2024-01-%02d,D%d,%.3f\n", day, 1 + day % 28,
                     k, 0.37 * k);
    e2e_write(dir, "throughput_dest.csv", text);
    struct diag *d = diag_create();
    bool drawn;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK);
    assert_script(dir, "throughput.gp",
                  STRINGS("the 5 largest of 9 destinations", "'to D9'", "'to D5'", "'to the other 4 destinations'",
                          /* week 1: D9 alone 7 x 3.33 = 23.31; all nine 7 x 0.37 x 45 = 116.55 */
                          ",23.31,", ",116.55\n"),
                  STRINGS("'to D4'", "'to D1'"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, more_than_three_nodes_draw_the_three_largest_backlogs)
{
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(RUN_FIXTURE);
    char text[40000] = "day,node,backlog_batches_mean\n";
    for (int day = 0; day < 84; day++)
        for (int k = 1; k <= 12; k++)
            snprintf(text + strlen(text), sizeof text - strlen(text), "%d,N%02d,%.3f\n", day, k,
                     day == 40 ? 2.385 * k : 0.0);
    e2e_write(dir, "backlog.csv", text);
    struct diag *d = diag_create();
    bool drawn;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK);
    assert_script(dir, "backlog.gp",
                  STRINGS("'N11'", "'N10'",
                          /* Largest first: N12 takes the first colour. */
                          "$nodes using ($1):2 with lines lc rgb '#f28e2b' lw 2.5 title 'N12'",
                          "the 3 of 12 nodes with the highest peak"),
                  STRINGS("'N09'", "'N01'"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, a_bad_number_is_an_input_error_with_its_position)
{
    char *dir = e2e_copy(RUN_FIXTURE);
    e2e_write(dir, "throughput.csv",
              "day,delivered_t_mean,delivered_t_ci_low,delivered_t_ci_high,backlog_batches_mean\n"
              "0,1.5,1.25,1.75,3\n"
              "1,abc,1.25,1.75,3\n");
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_EINPUT);
    cr_assert_not(drawn);
    cr_assert_str_eq(diag_message(d, 0), "throughput.csv:3:2: delivered_t_mean: expected a number, got \"abc\"");
    cr_assert_not(e2e_exists(dir, "throughput.png"));
    diag_destroy(d);
    e2e_rmtree(dir);
}

Test(plot, a_missing_column_is_an_input_error_naming_the_header)
{
    char *dir = e2e_copy(RUN_FIXTURE);
    e2e_write(dir, "transit.csv", "transit_d,pct\n8,1\n");
    struct diag *d = diag_create();
    bool drawn;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_EINPUT);
    cr_assert_str_eq(diag_message(d, 0), "transit.csv:1: expected a column \"batches_pct\", found \"transit_d,pct\"");
    diag_destroy(d);
    e2e_rmtree(dir);
}

Test(plot, a_directory_without_results_is_an_error)
{
    char *dir = e2e_tmpdir();
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_EINPUT);
    assert_one_message_contains(d, "expected results to plot");
    cr_assert_not(drawn);
    diag_destroy(d);
    e2e_rmtree(dir);

    d = diag_create();
    cr_assert_eq(plot_results("/nonexistent/railmail-results", &drawn, d), RM_EINPUT);
    assert_one_message_contains(d, "/nonexistent/railmail-results: expected a results directory");
    diag_destroy(d);
}

Test(plot, quotes_in_directory_and_title_survive_shell_and_gnuplot)
{
    char *parent = e2e_tmpdir(), *dir = e2e_format("%s/it's a \"dir\"", parent);
    cr_assert_eq(mkdir(dir, 0755), 0);
    e2e_copy_into(RUN_FIXTURE, dir);
    e2e_write(dir, "meta.csv",
              "key,value\nkind,run\nscenario,it's x\ntitle,\"Brest's \"\"new\"\" crane, @home\"\nhorizon_d,84\nwarmup_d,14\n");
    struct diag *d = diag_create();
    bool drawn = false;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    cr_assert(drawn);
    assert_png(dir, "throughput.png", 1200, 700);
    /* the name it is run under heads the chart, its title opens the subtitle */
    assert_script(dir, "throughput.gp",
                  STRINGS("'it''s x: mail delivered per week'", "set label 99 'Brest''s \"new\" crane, @home; "), NULL);
    diag_destroy(d);
    free(dir);
    e2e_rmtree(parent);
}

Test(plot, a_saved_script_redraws_its_chart_alone)
{
    char *dir = e2e_copy(RUN_FIXTURE);
    struct diag *d = diag_create();
    bool drawn;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK);
    static const char *const names[] = {"throughput", "transit", "backlog"};
    for (size_t i = 0; i < 3; i++) {
        char png[64], cmd[512];
        snprintf(png, sizeof png, "%s.png", names[i]);
        char *path = e2e_format("%s/%s", dir, png);
        cr_assert_eq(unlink(path), 0);
        snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot %s.gp 2>/dev/null", dir, names[i]);
        cr_assert_eq(system(cmd), 0, "%s failed", cmd);
        assert_png(dir, png, 1200, 700);
        free(path);
    }
    diag_destroy(d);
    e2e_rmtree(dir);
}

Test(plot, header_only_csvs_draw_empty_charts)
{
    /* No rows at all: every chart is still drawn, with fixed ranges. */
    char *dir = e2e_copy(RUN_FIXTURE);
    static const char *const files[][2] = {
        {"throughput.csv", "day,delivered_t_mean,delivered_t_ci_low,delivered_t_ci_high,backlog_batches_mean\n"},
        {"throughput_dest.csv", "day,destination,delivered_t_mean\n"},
        {"backlog.csv", "day,node,backlog_batches_mean\n"},
        {"transit.csv", "transit_d,batches_pct,cum_pct\n"},
        {"compare_throughput.csv", "day,proposal,delivered_t_mean\n"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        e2e_write(dir, files[i][0], files[i][1]);
    struct diag *d = diag_create();
    bool drawn = false;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    cr_assert(drawn);
    assert_png(dir, "throughput.png", 1200, 700);
    assert_png(dir, "transit.png", 1200, 700);
    assert_png(dir, "backlog.png", 1200, 700);
    assert_png(dir, "compare_throughput.png", 1200, 700);
    diag_destroy(d);
    e2e_rmtree(dir);
}

/* text with every `from` replaced by `to`, malloc'd */
static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t n = 0, lf = strlen(from), lt = strlen(to);
    for (const char *c = strstr(text, from); c; c = strstr(c + lf, from))
        n++;
    char *out = malloc(strlen(text) + n * lt + 1), *o = out;
    cr_assert_not_null(out);
    for (const char *c = text;;) {
        const char *hit = strstr(c, from);
        size_t keep = hit ? (size_t)(hit - c) : strlen(c);
        memcpy(o, c, keep);
        o += keep;
        if (!hit)
            break;
        memcpy(o, to, lt);
        o += lt;
        c = hit + lf;
    }
    *o = '\0';
    return out;
}

/* Renames the proposals of a copy of the compare fixture in its CSVs. */
static void rename_proposals(const char *dir, const char *const from[3], const char *const to_csv[3])
{
    static const char *const files[] = {"compare.csv", "compare_throughput.csv"};
    for (size_t f = 0; f < 2; f++) {
        char *p = e2e_format("%s/%s", dir, files[f]);
        char *text = e2e_slurp(p);
        cr_assert_not_null(text, "cannot read %s", p);
        for (size_t i = 0; i < 3; i++) {
            char *next = replace_all(text, from[i], to_csv[i]);
            free(text);
            text = next;
        }
        e2e_write(dir, files[f], text);
        free(text);
        free(p);
    }
}

Test(plot, hostile_proposal_names_are_drawn_from_the_script_and_inject_nothing)
{
    /* gnuplot cannot read "a,b" or "q""q" or a line end back from compare.csv,
     * and a name holding a line "EOD" would end a datablock and run what
     * follows: the points go into the script, names into comments flattened. */
    char *dir = e2e_copy(COMPARE_FIXTURE);
    static const char *const from[3] = {"freq-4", "brest-crane", "combined"};
    static const char *const to[3] = {"\"a,b\"", "\"q\"\"q\"", "\"x\nEOD\nsystem('touch injected')\""};
    rename_proposals(dir, from, to);
    /* one row per name, in an order other than the files' */
    e2e_write(dir, "meta.csv",
              "key,value\nkind,compare\nscenario,hostile\nhorizon_d,84\nwarmup_d,14\nreplications,10\n"
              "confidence,0.95\nproposal,\"x\nEOD\nsystem('touch injected')\"\nproposal,\"a,b\"\n"
              "proposal,\"q\"\"q\"\n");
    struct diag *d = diag_create();
    bool drawn = false;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    cr_assert(drawn);
    assert_png(dir, "compare.png", 1200, 700);
    assert_png(dir, "compare_throughput.png", 1200, 700);
    cr_assert_not(e2e_exists(dir, "injected"), "a proposal name ran a gnuplot command");

    assert_script(dir, "compare.gp",
                  STRINGS("proposal_row(s) = s eq 'x EOD system(''touch injected'')' ? 1 : s eq 'a,b' ? 2 : "
                          "s eq 'q\"q' ? 3 : NaN",
                          "plot $points using 1:2:3:4:5 with xerrorbars",
                          /* mean transit, rows in compare.csv's order, placed by meta.csv's: a,b
                           * (row 2) and the third (row 1) are better, green */
                          "$points << EOD\n-1.2,2,-1.5,-0.9,2924588\n", "\n-1.9,1,-2.25,-1.55,2924588\n"),
                  STRINGS("plot 'compare.csv'"));
    assert_script(dir, "compare_throughput.gp",
                  STRINGS("# day,baseline,x EOD system('touch injected'),a,b,q\"q\n",
                          "title 'x EOD system(''touch injected'')'"),
                  NULL);
    diag_destroy(d);
    e2e_rmtree(dir);
}

/* Writes a long-format node file of `nodes` nodes over `days` days; node k
 * peaks at k / 1000 + day, so the last node has the highest peak. */
static void write_node_file(const char *dir, const char *name, const char *value, int nodes, int days)
{
    char *p = e2e_format("%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fprintf(f, "day,node,%s\n", value);
    for (int day = 0; day < days; day++)
        for (int k = 0; k < nodes; k++)
            fprintf(f, "%d,N%05d,%.3f\n", day, k, k / 1000.0 + day + 0.385);
    cr_assert_eq(fclose(f), 0);
    free(p);
}

Test(plot, twenty_thousand_nodes_plot_in_linear_time, .timeout = 60)
{
    /* Finding each row's series by a linear search over the names took
     * 20 s here under ASan (98 s for 200,000 nodes); an index takes well
     * under a second. */
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(RUN_FIXTURE);
    write_node_file(dir, "backlog.csv", "backlog_batches_mean", 20000, 3);
    write_node_file(dir, "train_wait.csv", "train_wait_d_mean", 20000, 3);
    struct diag *d = diag_create();
    bool drawn = true;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert_lt(s, 5.0, "plotting 20,000 nodes took %.1f s", s);
    assert_script(dir, "backlog.gp",
                  STRINGS("the 3 of 20000 nodes with the highest peak", "lw 2.5 title 'N19999'", "'N19997'"),
                  STRINGS("'N19996'"));
    assert_script(dir, "train_wait.gp",
                  STRINGS("the 10 of 20000 nodes with the highest peak",
                          "eq 'N19999' ? column('train_wait_d_mean') : NaN) with lines lc rgb '#f28e2b'",
                          "eq 'N19990'"),
                  STRINGS("'N19989'"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

/* Every .gp file in dir is among the chart files `railmail plot` adopts. */
static size_t assert_scripts_adopted(const char *dir)
{
    size_t n, scripts = 0;
    char **files = results_chart_files(&n);
    cr_assert_not_null(files);
    DIR *dp = opendir(dir);
    cr_assert_not_null(dp);
    struct dirent *e;
    while ((e = readdir(dp))) {
        size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 3, ".gp"))
            continue;
        bool adopted = false;
        for (size_t i = 0; i < n && !adopted; i++)
            adopted = !strcmp(files[i], e->d_name);
        cr_assert(adopted, "%s is drawn but not adopted after railmail plot", e->d_name);
        scripts++;
    }
    closedir(dp);
    free(files);
    return scripts;
}

Test(plot, every_chart_drawn_is_one_the_catalogue_adopts)
{
    char *bin = hide_gnuplot();
    struct diag *d = diag_create();
    bool drawn;
    /* a sweep of one key over two values, with a row for each per-metric chart and a target */
    char *sweep = e2e_tmpdir();
    struct strbuf rows = {0};
    strbuf_printf(&rows, "services.X.departures_per_week,metric,scope,mean,ci_low,ci_high,sd,n\n");
    char name[RESULTS_CHART_NAME_MAX];
    const char *metric;
    size_t per_metric = 0;
    for (size_t k = 0; results_chart_name(RESULTS_CHART_SWEEP_METRIC, k, name, &metric); k++, per_metric++)
        for (int v = 1; v <= 2; v++)
            strbuf_printf(&rows, "%d,%s,all,%.3f,%.3f,%.3f,0.5,3\n", v, metric, 2.385 * v, 2.0 * v, 2.8 * v);
    e2e_write(sweep, "sweep.csv", strbuf_str(&rows));
    strbuf_fini(&rows);
    e2e_write(sweep, "target.csv", "key,value\nparameter,services.X.departures_per_week\nvalue,2\nmetric,on_time_pct\n"
                                   "scope,all\noperator,>=\nthreshold,3.5\nbound,4\noutcome,met\n");
    e2e_write(sweep, "meta.csv", "key,value\nkind,sweep\nreplications,3\n");
    const char *const dirs[] = {RUN_FIXTURE, COMPARE_FIXTURE, NULL};
    size_t scripts = 0;
    for (size_t i = 0; i < 3; i++) {
        char *dir = dirs[i] ? e2e_copy(dirs[i]) : sweep;
        cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
        scripts += assert_scripts_adopted(dir);
        if (!dirs[i])
            cr_assert_eq(assert_scripts_adopted(dir), per_metric + 1, "a chart per metric and the target's");
        e2e_rmtree(dir);
    }
    cr_assert_geq(scripts, 4 + 2 + per_metric + 1);
    diag_destroy(d);
    e2e_rmtree(bin);
}

Test(plot, the_pairs_colour_scale_is_0_to_100_whatever_the_pairs)
{
    /* Every pair between 85 and 95 % on time: a scale fitted to them would
     * paint 85 % red; the scale stays 0-100 %. */
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(RUN_FIXTURE);
    e2e_write(dir, "pairs.csv",
              "origin,destination,posted,on_time_pct,on_time_pct_ci_low,on_time_pct_ci_high,"
              "transit_p95_d,transit_p95_d_ci_low,transit_p95_d_ci_high\n"
              "CQ,DE,300,85.2,84,86,14.1,14,14.2\n"
              "CQ,FR,200,94.8,94,95,13.9,13.8,14\n");
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    assert_script(dir, "pairs.gp", STRINGS("set cbrange [0:100]\n", "\n1,1,85.2,14.1\n"),
                  STRINGS("set cbrange [80:100]"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

/* A sweep's folder whose target search ran 1, 2, 3 and 7 of the values 1 to 7. */
static char *skipping_sweep(void)
{
    char *dir = e2e_tmpdir();
    e2e_write(dir, "meta.csv", "key,value\nkind,sweep\nscenario,mini\ntitle,mini\nreplications,10\nconfidence,0.95\n"
                               "vary,trains\ntarget,on_time_pct >= 80\n");
    e2e_write(dir, "points.csv", "point,trains\npoint-001,1\npoint-002,2\npoint-003,3\npoint-007,7\n");
    e2e_write(dir, "sweep.csv", "trains,metric,scope,mean,ci_low,ci_high,sd,n\n"
                                "1,on_time_pct,all,46,44,49,3,10\n2,on_time_pct,all,82,80,84,3,10\n"
                                "3,on_time_pct,all,92,91,94,2,10\n7,on_time_pct,all,96,95,97,1,10\n");
    e2e_write(dir, "target.csv", "key,value\nparameter,trains\nvalue,3\nmet,yes\nmetric,on_time_pct\nscope,all\n"
                                 "operator,>=\nthreshold,80\nbound,91\nbound_at,3\nconfidence,0.95\noutcome,between\n"
                                 "value_below,2\npoints_evaluated,4\npoints,7\n");
    return dir;
}

Test(plot, a_sweep_draws_no_line_across_the_values_its_search_skipped)
{
    char *bin = hide_gnuplot();
    char *dir = skipping_sweep();
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    /* 3 and 7 are not neighbours in the grid: a blank line between them
     * breaks the line and the band, and the lone 7 shows its interval as a bar. */
    static const char *const charts[] = {"sweep_target.gp", "sweep_on_time_pct.gp"};
    for (size_t i = 0; i < 2; i++)
        assert_script(dir, charts[i],
                      STRINGS("$line0 << EOD\n1,46,44,49\n2,82,80,84\n3,92,91,94\n\n7,96,95,97\nEOD\n",
                              "$line0 using 1:2:3:4 with yerrorbars"),
                      STRINGS("3,92,91,94\n7,96"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, a_sweep_that_ran_every_value_joins_them_all)
{
    char *bin = hide_gnuplot();
    char *dir = skipping_sweep();
    e2e_write(dir, "points.csv", "point,trains\npoint-001,1\npoint-002,2\npoint-003,3\npoint-004,7\n");
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    assert_script(dir, "sweep_on_time_pct.gp", STRINGS("\n3,92,91,94\n7,96,95,97\nEOD\n"),
                  STRINGS("with yerrorbars"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, every_chart_is_headed_by_the_name_the_scenario_is_run_under)
{
    /* The fixture's scenario is run as china-europe-via-belarus and titled
     * "China-Europe rail mail via Brest, baseline": every title says the
     * first, every subtitle opens with the second. */
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(RUN_FIXTURE);
    e2e_write(dir, "pairs.csv", "origin,destination,posted,on_time_pct,transit_p95_d\nCQ,DE,300,85.2,14.1\n");
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    static const char *const charts[] = {"throughput.gp", "transit.gp", "backlog.gp", "train_wait.gp", "pairs.gp"};
    for (size_t i = 0; i < sizeof charts / sizeof *charts; i++)
        assert_script(dir, charts[i],
                      STRINGS("set label 98 'china-europe-via-belarus: ", "'China-Europe rail mail via Brest, baseline; "),
                      STRINGS("scenario china-europe-via-belarus", "set label 98 'China-Europe"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, a_subtitle_too_long_for_a_line_takes_two)
{
    /* backlog.png's subtitle ran past both edges of the picture. */
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(RUN_FIXTURE);
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    char *p = e2e_format("%s/backlog.gp", dir), *s = e2e_slurp(p);
    cr_assert_not_null(s);
    const char *l99 = strstr(s, "set label 99 '"), *l97 = strstr(s, "set label 97 '");
    cr_assert(l99 && l97, "expected the subtitle on two labels");
    cr_assert_lt(strcspn(l99 + 14, "'"), 160);  /* neither line longer than the picture holds */
    cr_assert_lt(strcspn(l97 + 14, "'"), 160);
    cr_assert_not_null(strstr(s, "set tmargin 6\n"));
    free(s);
    free(p);
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, compare_labels_say_plus_0_percent_only_for_no_change)
{
    /* A change of 0.3 % read "(+0%)", as did no change at all. */
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(COMPARE_FIXTURE);
    e2e_write(dir, "compare.csv",
              "proposal,metric,scope,baseline_mean,proposal_mean,diff,diff_ci_low,diff_ci_high,rel_pct,p_value,verdict\n"
              "freq-4,transit_mean_d,all,10,10.03,0.03,0.01,0.05,0.3,0.001,worse\n"
              "brest-crane,transit_mean_d,all,10,10,0,0,0,0,1,no difference\n"
              "combined,transit_mean_d,all,10,9.9996,-0.0004,-0.001,0.0002,-0.004,0.5,no difference\n");
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    assert_script(dir, "compare.gp", STRINGS("'+0.03 (+0.3%)'", "'+0 (+0%)'", "'-0.0004 (-0.004%)'"),
                  STRINGS("'+0.03 (+0%)'", "(-0%)", "center offset 0, 1.1"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

Test(plot, compare_plots_each_proposal_at_the_scope_the_table_judges_it)
{
    /* compare.png plotted scope all while the table judged "common": the
     * chart must show a proposal that adds pairs over the pairs it shares
     * with the baseline, and one that does not over all pairs. */
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(COMPARE_FIXTURE);
    e2e_write(dir, "compare.csv",
              "proposal,metric,scope,baseline_mean,proposal_mean,diff,diff_ci_low,diff_ci_high,rel_pct,p_value,"
              "threshold,verdict\n"
              "freq-4,transit_mean_d,all,10,9.5,-0.5,-0.6,-0.4,-5,0.001,0.1,better\n"
              "combined,transit_mean_d,all,10,9.65,-0.35,-0.45,-0.25,-3.5,0.001,0.1,better\n"
              "combined,transit_mean_d,common,10,10.0284,0.0284,0.02,0.036,0.284,0.001,0.1,no practical difference\n"
              "combined,max_backlog_batches,all,100,110.5,10.5,8,13,10.5,0.001,0,worse\n");
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    /* the labels come from the judged rows; the script's own filter names the scope per proposal, and a
     * measure of the whole network stays at all */
    assert_script(dir, "compare.gp",
                  STRINGS("'-0.5 (-5%)'", "'+0.0284 (+0.28%)'", "'+10.5 (+10%)'", "s eq 'combined' ? 'common'",
                          "headline('transit_mean_d', 1)", "headline('max_backlog_batches', 0)",
                          "over the pairs both carry", "no practical difference"),
                  STRINGS("'-0.35 (-3.5%)'"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

/* The budget chart: the network's bar first, then the pairs by their total,
 * longest first (CQ-FR before CQ-DE), each segment stacked from where the
 * one before ends and drawn in its fixed colour; path and origin scopes
 * are no bars. */
Test(plot, the_budget_stacks_segments_in_fixed_colours_network_first)
{
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(RUN_FIXTURE);
    e2e_write(dir, "budget.csv",
              "segment,scope,mean,ci_low,ci_high,sd,n\n"
              "origin_wait,all,1.5,1.4,1.6,0.1,3\nqueue,all,0.25,0.2,0.3,0.1,3\nmoving_truck,all,2.75,2.7,2.8,0.1,3\n"
              "origin_wait,origin:CQ,1.5,1.4,1.6,0.1,3\n"
              "origin_wait,od:CQ-DE,1.5,1.4,1.6,0.1,3\nqueue,od:CQ-DE,0.25,0.2,0.3,0.1,3\n"
              "moving_truck,od:CQ-DE,2.5,2.4,2.6,0.1,3\n"
              "origin_wait,od:CQ-FR,2,1.9,2.1,0.1,3\nqueue,od:CQ-FR,0.5,0.4,0.6,0.1,3\n"
              "moving_truck,od:CQ-FR,3,2.9,3.1,0.1,3\n"
              "origin_wait,path:A>B,9,9,9,0,3\n");
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    assert_script(dir, "budget.gp",
                  STRINGS("set ytics ('network' 1, 'CQ-FR' 2, 'CQ-DE' 3)", "$seg0 << EOD\n1,0,1.5\n2,0,2\n3,0,1.5\nEOD",
                          "$seg1 << EOD\n1,1.5,1.75\n2,2,2.5\n3,1.5,1.75\nEOD",
                          "$total << EOD\n1,4.5\n2,5.5\n3,4.25\nEOD",
                          "fillcolor rgb '#f4a259' title 'origin_wait'", "fillcolor rgb '#d73027' title 'queue'",
                          "fillcolor rgb '#1b7837' title 'moving_truck'"),
                  STRINGS("A>B", "origin:CQ"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

/* A difference only the order of a sum makes is no change, shown as such,
 * and a large one is a number, not 1.63e+03. */
Test(plot, compare_labels_rounding_noise_and_large_differences_plainly)
{
    char *bin = hide_gnuplot();
    char *dir = e2e_copy(COMPARE_FIXTURE);
    e2e_write(dir, "compare.csv",
              "proposal,metric,scope,baseline_mean,proposal_mean,diff,diff_ci_low,diff_ci_high,rel_pct,p_value,"
              "threshold,verdict\n"
              "freq-4,co2_g_per_kg,all,267.1,267.1,1.7e-14,-1e-13,1e-13,6.4e-15,0.9,2.67,no difference\n"
              "freq-4,max_backlog_batches,all,547.5,2181.5,1634,1500,1700,298.4,0.001,0,higher\n");
    struct diag *d = diag_create();
    bool drawn = true;
    cr_assert_eq(plot_results(dir, &drawn, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    assert_script(dir, "compare.gp", STRINGS("'~0 (rounding)'", "'+1634 (+298%)'"), STRINGS("e-14", "e+03"));
    diag_destroy(d);
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}
