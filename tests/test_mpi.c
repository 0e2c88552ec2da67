/* railmail-mpi (path in $RAILMAIL_MPI, set by make) under mpirun against
 * railmail -j 1 (in $RAILMAIL): the same results byte for byte, input
 * errors reported once, and a rank that fails or dies fails the job and
 * leaves earlier results as they were. Skipped, saying why, where mpirun
 * or railmail-mpi is missing. */
#include "e2e.h"

#define MINI "tests/fixtures/scenario-mini"
#define RANKS 3

/* The mpirun command line for `args` on `ranks` ranks, or skips the test. */
static char *mpi_command(int ranks, const char *args)
{
    const char *bin = getenv("RAILMAIL_MPI");
    if (system("command -v mpirun >/dev/null 2>&1") != 0)
        cr_skip_test("mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)");
    if (!bin || access(bin, X_OK) != 0)
        cr_skip_test("railmail-mpi was not built (make mpi)");
    return e2e_format("mpirun --oversubscribe%s -n %d %s %s", geteuid() == 0 ? " --allow-run-as-root" : "", ranks,
                      bin, args);
}

/* Runs `args` with railmail-mpi on `ranks` ranks; the exit status. */
static int mpi_run_on(int ranks, const char *args, const char *err, const char *env)
{
    char *mpi = mpi_command(ranks, args);
    char *cmd = e2e_format("%s %s >/dev/null 2>'%s'", env ? env : "", mpi, err ? err : "/dev/null");
    int rc = system(cmd);
    free(cmd);
    free(mpi);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int mpi_run(const char *args, const char *err, const char *env)
{
    return mpi_run_on(RANKS, args, err, env);
}

/* Every file of a and b but run.json and report.html (both print the
 * command, the ranks and the start time) is the same, hidden ones included. */
static void same_tree(const char *a, const char *b)
{
    char *cmd = e2e_format("diff -r -x run.json -x report.html '%s' '%s' >/dev/null && test -s '%s/report.html'", a, b, a);
    cr_assert_eq(system(cmd), 0, "%s and %s differ", a, b);
    free(cmd);
}

static void records_ranks(const char *dir, int ranks)
{
    char *path = e2e_format("%s/run.json", dir), *json = e2e_slurp(path), *want = e2e_format("\"ranks\": %d", ranks);
    cr_assert(strstr(json, want), "run.json does not record %d ranks:\n%s", ranks, json);
    free(want);
    free(json);
    free(path);
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* `args` (with %s for the results directory) by railmail -j 1 and by
 * railmail-mpi -j 2 on `ranks` ranks. */
static void same_on_ranks(int ranks, const char *args)
{
    char *t = e2e_tmpdir(), *one = e2e_format("%s/one", t), *dir = e2e_format("%s/ranks", t);
    char *a = e2e_format(args, one), *b = e2e_format(args, dir);
    char *a1 = e2e_format("%s -j 1", a), *b2 = e2e_format("%s -j 2", b);
    char *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_run(a1, NULL, NULL), 0, "railmail %s failed", a1);
    cr_assert_eq(mpi_run_on(ranks, b2, err, NULL), 0, "railmail-mpi %s failed:\n%s", b2, e2e_slurp(err));
    same_tree(one, dir);
    records_ranks(dir, ranks);
    free(a), free(b), free(a1), free(b2), free(err), free(one), free(dir);
    e2e_rmtree(t);
}

static void same_as_one_thread(const char *args)
{
    same_on_ranks(RANKS, args);
}

Test(mpi, run_is_the_same_as_one_thread, .timeout = 180)
{
    same_as_one_thread("run " MINI " -r 5 --batches --tracking -q -o %s");
}

Test(mpi, compare_is_the_same_as_one_thread, .timeout = 180)
{
    same_as_one_thread("compare tests/e2e/weekly daily identical -r 4 -d 60 -q -o %s");
}

Test(mpi, sweep_is_the_same_as_one_thread, .timeout = 180)
{
    same_as_one_thread("sweep tests/e2e/wait-half-headway -d 60 -r 3 "
                       "--vary services.OD.departures_per_week=1:3 -q -o %s");
}

/* A sweep's whole grid: points, not replications, spread over the ranks,
 * 5 points on 2 ranks and on 3 (neither divides them), with a warning
 * from a point (mail left undelivered) passed on as one process gives it. */
#define GRID "sweep tests/e2e/wait-half-headway -d 60 -r 3 --vary services.OD.departures_per_week=1:5 --no-plot"

Test(mpi, a_grids_points_on_two_ranks_are_the_same_as_one_thread, .timeout = 180)
{
    same_on_ranks(2, GRID " -q -o %s");
}

Test(mpi, a_grids_points_on_three_ranks_are_the_same_as_one_thread, .timeout = 180)
{
    same_on_ranks(3, GRID " -q -o %s");
}

/* Earlier results of the points are on rank 0's disk only: they go to the
 * rank that reruns the point. A damaged one is simulated again with the
 * warning naming rank 0's folder, not the rank's copy of it. */
Test(mpi, a_grids_earlier_results_are_reused_on_the_ranks_that_run_the_points, .timeout = 240)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t), *one = e2e_format("%s/one", t);
    char *dir = e2e_format("%s/ranks", t);
    cr_assert_eq(e2e_runf(NULL, NULL, GRID " -j 1 -q -o %s", one), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, GRID " -r 5 -j 1 -q -o %s", one), 0);
    char *first = e2e_format(GRID " -q -o %s", dir), *again = e2e_format(GRID " -r 5 -q -o %s", dir);
    cr_assert_eq(mpi_run_on(2, first, err, NULL), 0, "%s", e2e_slurp(err));
    e2e_sh("printf x | dd of='%s/point-004/.railmail-records' bs=1 seek=100 conv=notrunc 2>/dev/null", dir);
    cr_assert_eq(mpi_run_on(2, again, err, NULL), 0, "%s", e2e_slurp(err));
    same_tree(one, dir);
    char *text = e2e_slurp(err), *named = e2e_format("kept in %s/point-004 do not match", dir);
    cr_assert(strstr(text, named), "%s", text);
    cr_assert_eq(count(text, "point-004 do not match"), 1, "%s", text);
    free(named), free(text), free(first), free(again), free(dir), free(one), free(err);
    e2e_rmtree(t);
}

/* Rounds of sequential replications (3, then 3 more at a time) stop at the
 * same round: replications.csv and summary.csv's n say how many ran. */
Test(mpi, precision_rounds_stop_where_one_thread_stops, .timeout = 180)
{
    same_as_one_thread("compare tests/e2e/weekly daily -r 3 --precision on_time_pct=0.5 -q -o %s");
}

/* Earlier results are taken over from rank 0's disk as railmail would. */
Test(mpi, reuse_is_the_same_as_one_thread, .timeout = 180)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -r 3 -j 1 -q -o %s/one", t), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -r 7 -j 1 -q -o %s/one", t), 0);
    char *first = e2e_format("run " MINI " -r 3 -q -o %s/ranks", t);
    char *again = e2e_format("run " MINI " -r 7 -q -o %s/ranks", t);
    cr_assert_eq(mpi_run(first, err, NULL), 0);
    cr_assert_eq(mpi_run(again, err, NULL), 0);
    char *one = e2e_format("%s/one", t), *ranks = e2e_format("%s/ranks", t), *json = e2e_format("%s/run.json", ranks);
    same_tree(one, ranks);
    char *text = e2e_slurp(json);
    cr_assert(strstr(text, "\"replications_reused\": 3"), "%s", text);
    free(text), free(json), free(one), free(ranks), free(first), free(again), free(err);
    e2e_rmtree(t);
}

Test(mpi, an_input_error_is_reported_once_with_exit_2, .timeout = 120)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t), *args = e2e_format("run tests/bad/capacity-negative -q -o %s/r", t);
    cr_assert_eq(mpi_run(args, err, NULL), 2);
    char *text = e2e_slurp(err);
    cr_assert_eq(count(text, "tests/bad/capacity-negative/"), 1, "%s", text);
    cr_assert_eq(count(text, "railmail: "), 1, "%s", text);
    cr_assert_not(e2e_exists(t, "r"));
    free(text), free(args), free(err);
    e2e_rmtree(t);
}

/* Earlier results (`first`, %s the results directory), then `more` that
 * `env` makes fail on `ranks` ranks: the job fails with `message` and the
 * earlier results are untouched, file for file. */
static void fault_leaves(int ranks, const char *first_args, const char *more_args, const char *env,
                         const char *message)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t), *r = e2e_format("%s/r", t), *keep = e2e_format("%s/keep", t);
    char *first = e2e_format(first_args, r), *more = e2e_format(more_args, r);
    cr_assert_eq(mpi_run_on(ranks, first, err, NULL), 0);
    e2e_sh("cp -a '%s' '%s'", r, keep);
    cr_assert_neq(mpi_run_on(ranks, more, err, env), 0);
    char *text = e2e_slurp(err);
    cr_assert_eq(count(text, message), 1, "%s", text);
    char *cmd = e2e_format("diff -r '%s' '%s' >/dev/null", keep, r);
    cr_assert_eq(system(cmd), 0, "the earlier results changed");
    free(cmd), free(text), free(first), free(more), free(r), free(keep), free(err);
    e2e_rmtree(t);
}

static void fault_leaves_results(const char *env, const char *message)
{
    fault_leaves(RANKS, "run " MINI " -r 3 -q -o %s", "run " MINI " -r 9 -q -o %s", env, message);
}

Test(mpi, a_rank_that_dies_fails_the_job, .timeout = 180)
{
    fault_leaves_results("RAILMAIL_MPI_FAULT=1:5", "rank 1: fault injected at replication 5");
}

Test(mpi, a_rank_that_fails_fails_the_job_with_its_message, .timeout = 180)
{
    fault_leaves_results("RAILMAIL_MPI_FAULT=2:6:fail", "rank 2: fault injected at replication 6");
}

/* Issue 23: what a SIGKILLed rank left in TMPDIR stayed forever; now the
 * next job's ranks remove the marked temporaries dead ranks left, and
 * nothing else. */
Test(mpi, a_killed_ranks_leftovers_are_removed_by_the_next_job, .timeout = 180)
{
    char *t = e2e_tmpdir(), *tmp = e2e_format("%s/tmp", t), *err = e2e_format("%s/err", t);
    e2e_mkdir(t, "tmp");
    pid_t dead = fork();
    cr_assert_neq(dead, -1);
    if (dead == 0)
        _exit(0);
    cr_assert_eq(waitpid(dead, NULL, 0), dead);
    char *left = e2e_format("tmp/railmail-mpi-rank1-%ld.tmp-%ld-aB3dE6", (long)dead, (long)dead);
    char *marker = e2e_format("%s/.railmail-temporary", left), *part = e2e_format("%s/.trains.1.part", left);
    e2e_mkdir(t, left);
    char *text = e2e_format("railmail temporary results for railmail-mpi-rank1-%ld\n", (long)dead);
    e2e_write(t, marker, text);
    free(text);
    e2e_write(t, part, "1,CQ-BRS,1,34,290.5,12.5,62.5\n");
    char *alike = e2e_format("tmp/railmail-mpi-rank1-%ld.tmp-%ld-notour", (long)dead, (long)dead);
    e2e_mkdir(t, alike);
    char *env = e2e_format("TMPDIR='%s'", tmp);
    cr_assert_eq(mpi_run(e2e_format("run " MINI " -r 3 -q --no-plot -o %s/r", t), err, env), 0, "%s", e2e_slurp(err));
    cr_assert(!e2e_exists(t, left), "a dead rank's marked temporary was kept");
    cr_assert(e2e_exists(t, alike), "an unmarked look-alike was removed");
    free(alike), free(env), free(marker), free(part), free(left), free(err), free(tmp);
    e2e_rmtree(t);
}

/* A point of a grid that fails on a rank, or a rank that dies on its
 * point, fails the job with that rank's message (RAILMAIL_MPI_FAULT counts
 * points where points are spread). */
Test(mpi, a_grids_point_that_fails_on_a_rank_fails_the_job_with_its_message, .timeout = 180)
{
    fault_leaves(2, GRID " -q -o %s", GRID " -r 4 -q -o %s", "RAILMAIL_MPI_FAULT=1:4:fail",
                 "rank 1: fault injected at setting 4");
}

Test(mpi, a_rank_that_dies_on_a_grids_point_fails_the_job, .timeout = 180)
{
    fault_leaves(3, GRID " -q -o %s", GRID " -r 4 -q -o %s", "RAILMAIL_MPI_FAULT=2:3",
                 "rank 2: fault injected at setting 3");
}

/* optimise on two ranks, byte for byte as railmail -j 1: its frontier's
 * settings spread their replications, its whole-grid search (a cap on a
 * cost that rises with the trains) spreads the settings, and the
 * selection's extra replications (a threshold far below the differences'
 * noise) run on every rank alike. */
static void optimise_alike(const char *what)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t), *one = e2e_format("%s/one", t);
    char *dir = e2e_format("%s/ranks", t);
    char *args = e2e_format("optimise tests/e2e/two-origins %s -r 4 -d 60 --no-plot -q -o %%s", what);
    char *a = e2e_format(args, one), *b = e2e_format(args, dir), *a1 = e2e_format("%s -j 1", a);
    cr_assert_eq(e2e_run(a1, NULL, NULL), 0, "railmail %s failed", a1);
    cr_assert_eq(mpi_run_on(2, b, err, NULL), 0, "%s", e2e_slurp(err));
    same_tree(one, dir);
    free(args), free(a), free(b), free(a1), free(dir), free(one), free(err);
    e2e_rmtree(t);
}

Test(mpi, optimise_frontier_and_whole_grid_on_two_ranks_as_one_process, .timeout = 240)
{
    optimise_alike("--vary services.S1.departures_per_week=6:9 --minimise cost_total "
                   "--subject-to 'on_time_pct@origin:O1>=75'");
    optimise_alike("--vary services.S1.departures_per_week=6:10 --vary services.S2.departures_per_week=6:8 "
                   "--minimise cost_total --subject-to 'on_time_pct@origin:O1>=75' --subject-to 'cost_total<=300000'");
}

Test(mpi, optimise_selection_on_two_ranks_as_one_process, .timeout = 240)
{
    optimise_alike("--vary services.S1.departures_per_week=10.6,10.8,11 --minimise transit_mean_d "
                   "--subject-to 'on_time_pct@origin:O1>=75' --set services.S2.departures_per_week=11 "
                   "--set scenario.threshold.transit_mean_d=0.0002");
}
