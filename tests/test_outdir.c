/* Tests for outdir: which directories -o may replace (only empty ones and
 * railmail's own results, checked entry by entry against the marker), and
 * end-to-end through the railmail binary in $RAILMAIL. Each test works in
 * its own fresh directory under /tmp. */
#include "railmail/outdir.h"

#include "e2e.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/file.h>
#include <time.h>

#define MINI "tests/fixtures/scenario-mini"
#define LARGE "tests/bench/large"  /* runs for seconds: long enough to interrupt */

/* Makes results at dir/name through outdir, holding `files`. */
static void make_results(const char *dir, const char *name, const char *const *files, size_t n)
{
    char *out = e2e_format("%s/%s", dir, name);
    struct diag *d = diag_create();
    struct outdir *od = NULL;
    cr_assert_eq(outdir_begin(out, &od, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    for (size_t i = 0; i < n; i++) {
        if (files[i][strlen(files[i]) - 1] == '/')
            e2e_mkdir(outdir_temp(od), files[i]);
        else
            e2e_write(outdir_temp(od), files[i], "1.25\n");
    }
    cr_assert_eq(outdir_commit(od, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    outdir_discard(od);
    diag_destroy(d);
    free(out);
}

/* outdir_begin's status on dir/name; its first message into `msg`. */
static enum rm_status try_begin(const char *dir, const char *name, char *msg, size_t len)
{
    char *out = e2e_format("%s/%s", dir, name);
    struct diag *d = diag_create();
    struct outdir *od = NULL;
    enum rm_status st = outdir_begin(out, &od, d);
    snprintf(msg, len, "%s", diag_count(d) ? diag_message(d, 0) : "");
    outdir_discard(od);
    diag_destroy(d);
    free(out);
    return st;
}

/* Names in dir starting with `prefix`. */
static int count_prefixed(const char *dir, const char *prefix)
{
    char *cmd = e2e_format("ls -A '%s' | grep -c '^%s' || true", dir, prefix), line[64];
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    cr_assert(fgets(line, sizeof line, p));
    pclose(p);
    free(cmd);
    return atoi(line);
}

static const char *const run_files[] = { "summary.csv", "meta.csv", "transit.csv" };
static const char *const compare_files[] = { "compare.csv", "meta.csv", "baseline/", "baseline/summary.csv",
                                             "daily/", "daily/summary.csv" };

/* ---- what may be replaced ----------------------------------------------------- */

Test(outdir, the_issue_reproduction_exits_2_and_keeps_the_users_files, .timeout = 60)
{
    char *t = e2e_tmpdir();
    e2e_sh("mkdir %s/src && echo x >%s/src/main.c && echo k,v >%s/meta.csv", t, t, t);
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -r 1 -q --no-plot -o %s", t), 2);
    cr_assert(e2e_exists(t, "src/main.c"), "railmail deleted a directory it did not write");
    cr_assert(e2e_exists(t, "meta.csv"));
    cr_assert_eq(count_prefixed("/tmp", strrchr(t, '/') + 1), 1, "a temporary sibling was left behind");
    e2e_rmtree(t);
}

Test(outdir, results_of_an_earlier_version_are_refused_with_a_sentence)
{
    char *t = e2e_tmpdir(), msg[4400];
    e2e_sh("mkdir %s/old && echo key,value >%s/old/meta.csv && echo x >%s/old/summary.csv", t, t, t);
    cr_assert_eq(try_begin(t, "old", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "earlier railmail version") && strstr(msg, "remove them or choose another --out"),
              "message: %s", msg);
    cr_assert(e2e_exists(t, "old/summary.csv"));
    e2e_rmtree(t);
}

Test(outdir, one_unlisted_file_beside_the_marker_is_refused)
{
    char *t = e2e_tmpdir(), msg[4400];
    make_results(t, "r", run_files, 3);
    cr_assert(e2e_exists(t, "r/.railmail-results"));
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_OK, "%s", msg);
    e2e_write(t, "r/notes.txt", "mine\n");
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "\"notes.txt\", which railmail did not write"), "message: %s", msg);
    cr_assert(e2e_exists(t, "r/notes.txt") && e2e_exists(t, "r/summary.csv"));
    e2e_rmtree(t);
}

Test(outdir, an_unlisted_file_in_a_subdirectory_is_refused)
{
    char *t = e2e_tmpdir(), msg[4400];
    make_results(t, "c", compare_files, 6);
    cr_assert_eq(try_begin(t, "c", msg, sizeof msg), RM_OK, "%s", msg);
    e2e_write(t, "c/daily/notes.txt", "mine\n");
    cr_assert_eq(try_begin(t, "c", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "\"daily/notes.txt\""), "message: %s", msg);
    e2e_sh("rm -f %s/c/daily/notes.txt && mkdir %s/c/mine", t, t);
    cr_assert_eq(try_begin(t, "c", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "\"mine/\""), "message: %s", msg);
    e2e_rmtree(t);
}

Test(outdir, a_listed_name_of_another_kind_is_refused)
{
    char *t = e2e_tmpdir(), msg[4400];
    make_results(t, "r", run_files, 3);
    /* summary.csv is listed as a file: a link or directory of that name is not railmail's */
    e2e_sh("rm %s/r/summary.csv && ln -s /etc/passwd %s/r/summary.csv", t, t);
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "\"summary.csv\""), "message: %s", msg);
    e2e_sh("rm %s/r/summary.csv && mkdir %s/r/summary.csv", t, t);
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_EINPUT);
    e2e_rmtree(t);
}

Test(outdir, empty_new_and_file_paths)
{
    char *t = e2e_tmpdir(), msg[4400];
    e2e_sh("mkdir %s/empty && echo x >%s/file", t, t);
    cr_assert_eq(try_begin(t, "empty", msg, sizeof msg), RM_OK, "%s", msg);
    cr_assert_eq(try_begin(t, "new/deeper", msg, sizeof msg), RM_OK, "%s", msg);
    cr_assert_eq(try_begin(t, "file", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "found a file"), "message: %s", msg);
    e2e_sh("ln -s %s/empty %s/link", t, t);
    cr_assert_eq(try_begin(t, "link", msg, sizeof msg), RM_EINPUT);
    cr_assert(e2e_exists(t, "empty") && e2e_exists(t, "file"));
    e2e_rmtree(t);
}

Test(outdir, names_with_newlines_and_backslashes_are_listed_exactly)
{
    char *t = e2e_tmpdir(), msg[4400];
    const char *const odd[] = { "a\nb/", "a\nb/x\\y.csv", "q\"q.csv", "meta.csv" };
    make_results(t, "r", odd, 4);
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_OK, "%s", msg);
    /* "a" and "b" alone are not what railmail wrote */
    e2e_write(t, "r/a", "x");
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_EINPUT);
    e2e_rmtree(t);
}

Test(outdir, a_failed_run_leaves_nothing_behind)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/r", t);
    struct diag *d = diag_create();
    struct outdir *od = NULL;
    cr_assert_eq(outdir_begin(out, &od, d), RM_OK);
    e2e_write(outdir_temp(od), "summary.csv", "x\n");
    outdir_discard(od);
    diag_destroy(d);
    cr_assert_eq(count_prefixed(t, "r"), 0);
    free(out);
    e2e_rmtree(t);
}

/* ---- atomic replacement ------------------------------------------------------ */

struct watcher {
    char path[4500];      /* OUT/summary.csv */
    atomic_bool stop;
    long looks, misses;
};

/* Looks for OUT/summary.csv as fast as it can until told to stop. */
static void *watch(void *arg)
{
    struct watcher *w = arg;
    while (!atomic_load(&w->stop)) {
        w->looks++;
        if (access(w->path, F_OK) != 0)
            w->misses++;
    }
    return NULL;
}

Test(outdir, out_always_holds_complete_results_while_replaced, .timeout = 60)
{
    char *t = e2e_tmpdir();
    make_results(t, "r", run_files, 3);
    struct watcher w = { .looks = 0 };
    snprintf(w.path, sizeof w.path, "%s/r/summary.csv", t);
    atomic_init(&w.stop, false);
    pthread_t tid;
    cr_assert_eq(pthread_create(&tid, NULL, watch, &w), 0);
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int commits = 0;
    do {  /* a second of replacements, at least 20 */
        make_results(t, "r", run_files, 3);
        commits++;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (commits < 20 || (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 < 1);
    atomic_store(&w.stop, true);
    pthread_join(tid, NULL);
    cr_assert_eq(w.misses, 0, "%s was missing %ld times in %ld looks during %d replacements", w.path,
                 w.misses, w.looks, commits);
    cr_assert_eq(count_prefixed(t, "r"), 1, "an old or temporary sibling was left behind");
    e2e_rmtree(t);
}

Test(outdir, committed_results_are_the_written_tree)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/r", t);
    struct diag *d = diag_create();
    struct outdir *od = NULL;
    cr_assert_eq(outdir_begin(out, &od, d), RM_OK);
    struct stat before, after;
    cr_assert_eq(stat(outdir_temp(od), &before), 0);
    e2e_write(outdir_temp(od), "summary.csv", "2.385\n");
    cr_assert_eq(outdir_commit(od, d), RM_OK);
    outdir_discard(od);
    cr_assert_eq(stat(out, &after), 0);
    cr_assert_eq(before.st_ino, after.st_ino, "the tree was copied, not renamed");
    cr_assert(e2e_exists(t, "r/summary.csv") && e2e_exists(t, "r/.railmail-results"));
    diag_destroy(d);
    free(out);
    e2e_rmtree(t);
}

/* ---- end to end ------------------------------------------------------------- */

Test(outdir, run_replaces_its_own_results_twice_in_a_row, .timeout = 60)
{
    char *t = e2e_tmpdir();
    for (int i = 0; i < 3; i++)
        cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -r 1 -q --no-plot -o %s/r/", t), 0, "run %d", i + 1);
    cr_assert(e2e_exists(t, "r/.railmail-results") && e2e_exists(t, "r/summary.csv"));
    cr_assert_eq(count_prefixed(t, "r"), 1, "an old or temporary sibling was left behind");
    e2e_rmtree(t);
}

Test(outdir, compare_replaces_its_own_results_twice_in_a_row, .timeout = 120)
{
    char *t = e2e_tmpdir();
    char *args = e2e_format("compare tests/e2e/weekly daily scans -r 2 -d 60 -q --no-plot -o %s/c", t);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(e2e_run(args, NULL, NULL), 0, "compare %d", i + 1);
    cr_assert(e2e_exists(t, "c/baseline/summary.csv") && e2e_exists(t, "c/daily/summary.csv"));
    cr_assert_eq(count_prefixed(t, "c"), 1, "an old or temporary sibling was left behind");
    e2e_write(t, "c/baseline/notes.txt", "mine\n");
    cr_assert_eq(e2e_run(args, NULL, NULL), 2);
    cr_assert(e2e_exists(t, "c/baseline/notes.txt"));
    free(args);
    e2e_rmtree(t);
}

Test(outdir, charts_drawn_later_still_belong_to_the_results, .timeout = 120)
{
    char *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -r 1 -q --no-plot -o %s/r", t), 0);
    e2e_runf(NULL, NULL, "plot %s/r", t);  /* without gnuplot it still writes the .gp scripts */
    cr_assert(e2e_exists(t, "r/throughput.gp"));
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -r 1 -q --no-plot -o %s/r", t), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "compare tests/e2e/weekly daily -r 2 -d 60 -q --no-plot -o %s/c", t), 0);
    e2e_runf(NULL, NULL, "plot %s/c/daily", t);
    cr_assert(e2e_exists(t, "c/daily/throughput.gp"));
    cr_assert_eq(e2e_runf(NULL, NULL, "compare tests/e2e/weekly daily -r 2 -d 60 -q --no-plot -o %s/c", t), 0);
    e2e_rmtree(t);
}

/* ---- interrupts and stale temporary directories ------------------------------- */

/* Starts `railmail run LARGE -o out` in the background; its PID. */
static pid_t start_long_run(const char *out)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execl(e2e_bin(), "railmail", "run", LARGE, "-r", "1", "-j", "1", "-q", "--no-plot", "-o", out, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Waits until the run `pid` writes its first part file into dir/NAME.tmp-PID-*,
 * so that it is simulating; that temporary directory into `temp`. */
static void wait_until_simulating(const char *dir, const char *name, pid_t pid, char *temp, size_t len)
{
    char prefix[256], part[8800];
    snprintf(prefix, sizeof prefix, "%s.tmp-%ld-", name, (long)pid);
    for (int i = 0; i < 600; i++) {
        DIR *d = opendir(dir);
        cr_assert(d);
        struct dirent *e;
        while ((e = readdir(d)))
            if (!strncmp(e->d_name, prefix, strlen(prefix))) {
                snprintf(temp, len, "%s/%s", dir, e->d_name);
                snprintf(part, sizeof part, "%s/.trains.1.part", temp);
                if (access(part, F_OK) == 0) {
                    closedir(d);
                    nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
                    return;
                }
            }
        closedir(d);
        int status;
        cr_assert_eq(waitpid(pid, &status, WNOHANG), 0, "railmail ended before it was interrupted");
        nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
    }
    cr_assert_fail("railmail did not start simulating within 30 s");
}

/* Interrupts a long run with `sig`: exit status 128 + sig, nothing left. */
static void interrupt_run(int sig)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/r", t), temp[4400];
    pid_t pid = start_long_run(out);
    wait_until_simulating(t, "r", pid, temp, sizeof temp);
    cr_assert_eq(kill(pid, sig), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "railmail was killed by signal %d instead of exiting",
              WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    cr_assert_eq(WEXITSTATUS(status), 128 + sig);
    cr_assert_eq(count_prefixed(t, "r"), 0, "the interrupted run left %s or its results behind", temp);
    free(out);
    e2e_rmtree(t);
}

Test(outdir, sigterm_exits_143_and_removes_the_temporary_directory, .timeout = 120)
{
    interrupt_run(SIGTERM);
}

Test(outdir, sigint_exits_130_and_removes_the_temporary_directory, .timeout = 120)
{
    interrupt_run(SIGINT);
}

Test(outdir, interrupt_removes_the_temporary_directories_of_this_process)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/r", t);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {  /* no Criterion asserts in the child */
        struct diag *d = diag_create();
        struct outdir *od = NULL;
        if (outdir_begin(out, &od, d) != RM_OK)
            _exit(1);
        char path[4500];
        snprintf(path, sizeof path, "%s/summary.csv", outdir_temp(od));
        FILE *f = fopen(path, "w");
        if (!f)
            _exit(1);
        fclose(f);
        outdir_interrupt();
        _exit(0);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_assert_eq(count_prefixed(t, "r"), 0);
    free(out);
    e2e_rmtree(t);
}

/* A PID that no process has: a child that has exited and been waited for. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0)
        _exit(0);
    cr_assert_eq(waitpid(pid, NULL, 0), pid);
    return pid;
}

static void make_temp(const char *dir, const char *name)
{
    char *baseline = e2e_format("%s/baseline", name), *part = e2e_format("%s/.trains.1.part", baseline);
    e2e_mkdir(dir, name);
    e2e_mkdir(dir, baseline);
    e2e_write(dir, part, "1,CQ-MAL,1,34,290.5,12.5,62.5\n");
    free(baseline);
    free(part);
}

/* A temporary directory as railmail makes it for the output `out`: with
 * the marker that ties it to that output. */
static void make_marked_temp(const char *dir, const char *name, const char *out)
{
    char *marker = e2e_format("%s/.railmail-temporary", name), *text = e2e_format("railmail temporary results for %s\n", out);
    make_temp(dir, name);
    e2e_write(dir, marker, text);
    free(marker);
    free(text);
}

Test(outdir, stale_temporary_directories_of_dead_processes_are_removed_live_ones_kept, .timeout = 60)
{
    char *t = e2e_tmpdir(), dead[64], mine[64], locked[64];
    snprintf(dead, sizeof dead, "r.tmp-%ld-aB3dE6", (long)dead_pid());
    snprintf(mine, sizeof mine, "r.tmp-%ld-gH9jK1", (long)getpid());     /* a live process */
    snprintf(locked, sizeof locked, "r.tmp-%ld-mN4pQ7", (long)dead_pid()); /* its lock still held */
    const char *kept[] = { mine, locked, "r.tmp-sT5uV2", "rr.tmp-1-wX8yZ0" };
    make_marked_temp(t, dead, "r");
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        make_marked_temp(t, kept[i], "r");
    char *path = e2e_format("%s/%s", t, locked);
    int lock = open(path, O_RDONLY | O_DIRECTORY);
    cr_assert(lock >= 0 && flock(lock, LOCK_EX) == 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -r 1 -q --no-plot -o %s/r", t), 0);
    cr_assert(!e2e_exists(t, dead), "the temporary directory of a dead process was kept");
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        cr_assert(e2e_exists(t, kept[i]), "%s was removed", kept[i]);
    close(lock);
    free(path);
    e2e_rmtree(t);
}

/* A user's folder named like a temporary of a dead process is not
 * railmail's: without the marker railmail writes (or with one naming
 * another output, or a marker that is a link) it is kept. */
Test(outdir, a_look_alike_of_a_stale_temporary_without_its_marker_is_kept, .timeout = 60)
{
    char *t = e2e_tmpdir(), bare[64], other[64], linked[64], real[64];
    snprintf(bare, sizeof bare, "r.tmp-%ld-aB3dE6", (long)dead_pid());
    snprintf(other, sizeof other, "r.tmp-%ld-cD4eF7", (long)dead_pid());
    snprintf(linked, sizeof linked, "r.tmp-%ld-gH5iJ8", (long)dead_pid());
    snprintf(real, sizeof real, "r.tmp-%ld-kL6mN9", (long)dead_pid());
    e2e_mkdir(t, "o.tmp-2024-backup");
    e2e_write(t, "o.tmp-2024-backup/notes.txt", "mine\n");
    make_temp(t, bare);
    make_marked_temp(t, other, "s");
    make_temp(t, linked);
    make_marked_temp(t, real, "r");
    char *target = e2e_format("%s/%s/.railmail-temporary", t, real), *link = e2e_format("%s/%s/.railmail-temporary", t, linked);
    cr_assert_eq(symlink(target, link), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -r 1 -q --no-plot -o %s/o", t), 0);
    cr_assert(e2e_exists(t, "o.tmp-2024-backup/notes.txt"), "a user's folder named like a temporary was removed");
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -r 1 -q --no-plot -o %s/r", t), 0);
    cr_assert(e2e_exists(t, bare), "an unmarked look-alike was removed");
    cr_assert(e2e_exists(t, other), "a temporary marked for another output was removed");
    cr_assert(e2e_exists(t, linked), "a temporary whose marker is a link was removed");
    cr_assert(!e2e_exists(t, real), "the marked stale temporary was kept");
    free(target);
    free(link);
    e2e_rmtree(t);
}

Test(outdir, a_second_run_keeps_the_temporary_directory_of_a_running_one, .timeout = 120)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/r", t), temp[4400];
    pid_t pid = start_long_run(out);
    wait_until_simulating(t, "r", pid, temp, sizeof temp);
    cr_assert_eq(e2e_runf(NULL, NULL, "run " MINI " -r 1 -q --no-plot -o %s", out), 0);
    cr_assert_eq(access(temp, F_OK), 0, "a second run removed the temporary directory of a running one");
    cr_assert_eq(kill(pid, SIGTERM), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 143);
    cr_assert(e2e_exists(t, "r/summary.csv"));
    cr_assert_eq(count_prefixed(t, "r"), 1);
    free(out);
    e2e_rmtree(t);
}
