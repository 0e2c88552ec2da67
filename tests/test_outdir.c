/* Tests for outdir: which directories -o may replace (only empty ones and
 * railmail's own results, checked entry by entry against the marker), and
 * end-to-end through the railmail binary in $RAILMAIL. Each test works in
 * its own fresh directory under /tmp. */
#include "railmail/outdir.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MINI "tests/fixtures/scenario-mini"
#define LARGE "tests/bench/large"  /* runs for seconds: long enough to interrupt */

static const char *bin(void)
{
    const char *b = getenv("RAILMAIL");
    return b ? b : "./railmail";
}

/* Runs railmail with `args`, stdout and stderr discarded; exit status. */
static int railmail(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null 2>&1", bin(), args);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *tmpdir(void)
{
    char *t = strdup("/tmp/railmail-outdir-XXXXXX");
    cr_assert(mkdtemp(t));
    return t;
}

static void sh(const char *fmt, const char *dir)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, fmt, dir, dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "failed: %s", cmd);
}

static bool exists(const char *dir, const char *name)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* Makes results at dir/name through outdir, holding `files`. */
static void make_results(const char *dir, const char *name, const char *const *files, size_t n)
{
    char out[4400];
    snprintf(out, sizeof out, "%s/%s", dir, name);
    struct diag *d = diag_create();
    struct outdir *od = NULL;
    cr_assert_eq(outdir_begin(out, &od, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(files[i]);
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", outdir_temp(od), files[i]);
        if (files[i][len - 1] == '/')
            cr_assert_eq(mkdir(path, 0777), 0);
        else
            write_file(outdir_temp(od), files[i], "1.25\n");
    }
    cr_assert_eq(outdir_commit(od, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    outdir_discard(od);
    diag_destroy(d);
}

/* outdir_begin's status on dir/name; its first message into `msg`. */
static enum rm_status try_begin(const char *dir, const char *name, char *msg, size_t len)
{
    char out[4400];
    snprintf(out, sizeof out, "%s/%s", dir, name);
    struct diag *d = diag_create();
    struct outdir *od = NULL;
    enum rm_status st = outdir_begin(out, &od, d);
    snprintf(msg, len, "%s", diag_count(d) ? diag_message(d, 0) : "");
    outdir_discard(od);
    diag_destroy(d);
    return st;
}

/* Names in dir starting with `prefix`. */
static int count_prefixed(const char *dir, const char *prefix)
{
    char cmd[4400], line[64];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -c '^%s' || true", dir, prefix);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    cr_assert(fgets(line, sizeof line, p));
    pclose(p);
    return atoi(line);
}

static const char *const run_files[] = { "summary.csv", "meta.csv", "transit.csv" };
static const char *const compare_files[] = { "compare.csv", "meta.csv", "baseline/", "baseline/summary.csv",
                                             "daily/", "daily/summary.csv" };

/* ---- what may be replaced ----------------------------------------------------- */

Test(outdir, the_issue_reproduction_exits_2_and_keeps_the_users_files, .timeout = 60)
{
    char *t = tmpdir(), args[4400];
    sh("mkdir %s/src && echo x >%s/src/main.c && echo k,v >%s/meta.csv", t);
    snprintf(args, sizeof args, "run " MINI " -r 1 -q --no-plot -o %s", t);
    cr_assert_eq(railmail(args), 2);
    cr_assert(exists(t, "src/main.c"), "railmail deleted a directory it did not write");
    cr_assert(exists(t, "meta.csv"));
    cr_assert_eq(count_prefixed("/tmp", strrchr(t, '/') + 1), 1, "a temporary sibling was left behind");
    sh("rm -rf %s", t);
    free(t);
}

Test(outdir, results_of_an_earlier_version_are_refused_with_a_sentence)
{
    char *t = tmpdir(), msg[4400];
    sh("mkdir %s/old && echo key,value >%s/old/meta.csv && echo x >%s/old/summary.csv", t);
    cr_assert_eq(try_begin(t, "old", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "earlier railmail version") && strstr(msg, "remove them or choose another --out"),
              "message: %s", msg);
    cr_assert(exists(t, "old/summary.csv"));
    sh("rm -rf %s", t);
    free(t);
}

Test(outdir, one_unlisted_file_beside_the_marker_is_refused)
{
    char *t = tmpdir(), msg[4400];
    make_results(t, "r", run_files, 3);
    cr_assert(exists(t, "r/.railmail-results"));
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_OK, "%s", msg);
    write_file(t, "r/notes.txt", "mine\n");
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "\"notes.txt\", which railmail did not write"), "message: %s", msg);
    cr_assert(exists(t, "r/notes.txt") && exists(t, "r/summary.csv"));
    sh("rm -rf %s", t);
    free(t);
}

Test(outdir, an_unlisted_file_in_a_subdirectory_is_refused)
{
    char *t = tmpdir(), msg[4400];
    make_results(t, "c", compare_files, 6);
    cr_assert_eq(try_begin(t, "c", msg, sizeof msg), RM_OK, "%s", msg);
    write_file(t, "c/daily/notes.txt", "mine\n");
    cr_assert_eq(try_begin(t, "c", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "\"daily/notes.txt\""), "message: %s", msg);
    sh("rm -f %s/c/daily/notes.txt && mkdir %s/c/mine", t);
    cr_assert_eq(try_begin(t, "c", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "\"mine/\""), "message: %s", msg);
    sh("rm -rf %s", t);
    free(t);
}

Test(outdir, a_listed_name_of_another_kind_is_refused)
{
    char *t = tmpdir(), msg[4400];
    make_results(t, "r", run_files, 3);
    /* summary.csv is listed as a file: a link or directory of that name is not railmail's */
    sh("rm %s/r/summary.csv && ln -s /etc/passwd %s/r/summary.csv", t);
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "\"summary.csv\""), "message: %s", msg);
    sh("rm %s/r/summary.csv && mkdir %s/r/summary.csv", t);
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_EINPUT);
    sh("rm -rf %s", t);
    free(t);
}

Test(outdir, empty_new_and_file_paths)
{
    char *t = tmpdir(), msg[4400];
    sh("mkdir %s/empty && echo x >%s/file", t);
    cr_assert_eq(try_begin(t, "empty", msg, sizeof msg), RM_OK, "%s", msg);
    cr_assert_eq(try_begin(t, "new/deeper", msg, sizeof msg), RM_OK, "%s", msg);
    cr_assert_eq(try_begin(t, "file", msg, sizeof msg), RM_EINPUT);
    cr_assert(strstr(msg, "found a file"), "message: %s", msg);
    sh("ln -s %s/empty %s/link", t);
    cr_assert_eq(try_begin(t, "link", msg, sizeof msg), RM_EINPUT);
    cr_assert(exists(t, "empty") && exists(t, "file"));
    sh("rm -rf %s", t);
    free(t);
}

Test(outdir, names_with_newlines_and_backslashes_are_listed_exactly)
{
    char *t = tmpdir(), msg[4400];
    const char *const odd[] = { "a\nb/", "a\nb/x\\y.csv", "q\"q.csv", "meta.csv" };
    make_results(t, "r", odd, 4);
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_OK, "%s", msg);
    /* "a" and "b" alone are not what railmail wrote */
    write_file(t, "r/a", "x");
    cr_assert_eq(try_begin(t, "r", msg, sizeof msg), RM_EINPUT);
    sh("rm -rf %s", t);
    free(t);
}

Test(outdir, a_failed_run_leaves_nothing_behind)
{
    char *t = tmpdir(), out[4400];
    snprintf(out, sizeof out, "%s/r", t);
    struct diag *d = diag_create();
    struct outdir *od = NULL;
    cr_assert_eq(outdir_begin(out, &od, d), RM_OK);
    write_file(outdir_temp(od), "summary.csv", "x\n");
    outdir_discard(od);
    diag_destroy(d);
    cr_assert_eq(count_prefixed(t, "r"), 0);
    sh("rm -rf %s", t);
    free(t);
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
    char *t = tmpdir(), out[4400];
    snprintf(out, sizeof out, "%s/r", t);
    make_results(t, "r", run_files, 3);
    struct watcher w = { .looks = 0 };
    snprintf(w.path, sizeof w.path, "%s/summary.csv", out);
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
    sh("rm -rf %s", t);
    free(t);
}

Test(outdir, committed_results_are_the_written_tree)
{
    char *t = tmpdir(), out[4400];
    snprintf(out, sizeof out, "%s/r", t);
    struct diag *d = diag_create();
    struct outdir *od = NULL;
    cr_assert_eq(outdir_begin(out, &od, d), RM_OK);
    struct stat before, after;
    cr_assert_eq(stat(outdir_temp(od), &before), 0);
    write_file(outdir_temp(od), "summary.csv", "2.385\n");
    cr_assert_eq(outdir_commit(od, d), RM_OK);
    outdir_discard(od);
    cr_assert_eq(stat(out, &after), 0);
    cr_assert_eq(before.st_ino, after.st_ino, "the tree was copied, not renamed");
    cr_assert(exists(t, "r/summary.csv") && exists(t, "r/.railmail-results"));
    diag_destroy(d);
    sh("rm -rf %s", t);
    free(t);
}

/* ---- end to end ------------------------------------------------------------- */

Test(outdir, run_replaces_its_own_results_twice_in_a_row, .timeout = 60)
{
    char *t = tmpdir(), args[4400];
    snprintf(args, sizeof args, "run " MINI " -r 1 -q --no-plot -o %s/r/", t);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(railmail(args), 0, "run %d", i + 1);
    cr_assert(exists(t, "r/.railmail-results") && exists(t, "r/summary.csv"));
    cr_assert_eq(count_prefixed(t, "r"), 1, "an old or temporary sibling was left behind");
    sh("rm -rf %s", t);
    free(t);
}

Test(outdir, compare_replaces_its_own_results_twice_in_a_row, .timeout = 120)
{
    char *t = tmpdir(), args[4400];
    snprintf(args, sizeof args, "compare tests/e2e/weekly daily scans -r 2 -d 60 -q --no-plot -o %s/c", t);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(railmail(args), 0, "compare %d", i + 1);
    cr_assert(exists(t, "c/baseline/summary.csv") && exists(t, "c/daily/summary.csv"));
    cr_assert_eq(count_prefixed(t, "c"), 1, "an old or temporary sibling was left behind");
    write_file(t, "c/baseline/notes.txt", "mine\n");
    cr_assert_eq(railmail(args), 2);
    cr_assert(exists(t, "c/baseline/notes.txt"));
    sh("rm -rf %s", t);
    free(t);
}

Test(outdir, charts_drawn_later_still_belong_to_the_results, .timeout = 120)
{
    char *t = tmpdir(), args[4400];
    snprintf(args, sizeof args, "run " MINI " -r 1 -q --no-plot -o %s/r", t);
    cr_assert_eq(railmail(args), 0);
    snprintf(args, sizeof args, "plot %s/r", t);
    railmail(args);  /* without gnuplot it still writes the .gp scripts */
    cr_assert(exists(t, "r/throughput.gp"));
    snprintf(args, sizeof args, "run " MINI " -r 1 -q --no-plot -o %s/r", t);
    cr_assert_eq(railmail(args), 0);
    snprintf(args, sizeof args, "compare tests/e2e/weekly daily -r 2 -d 60 -q --no-plot -o %s/c", t);
    cr_assert_eq(railmail(args), 0);
    snprintf(args, sizeof args, "plot %s/c/daily", t);
    railmail(args);
    cr_assert(exists(t, "c/daily/throughput.gp"));
    snprintf(args, sizeof args, "compare tests/e2e/weekly daily -r 2 -d 60 -q --no-plot -o %s/c", t);
    cr_assert_eq(railmail(args), 0);
    sh("rm -rf %s", t);
    free(t);
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
        execl(bin(), "railmail", "run", LARGE, "-r", "1", "-j", "1", "-q", "--no-plot", "-o", out, (char *)NULL);
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
    char *t = tmpdir(), out[4400], temp[4400];
    snprintf(out, sizeof out, "%s/r", t);
    pid_t pid = start_long_run(out);
    wait_until_simulating(t, "r", pid, temp, sizeof temp);
    cr_assert_eq(kill(pid, sig), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "railmail was killed by signal %d instead of exiting",
              WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    cr_assert_eq(WEXITSTATUS(status), 128 + sig);
    cr_assert_eq(count_prefixed(t, "r"), 0, "the interrupted run left %s or its results behind", temp);
    sh("rm -rf %s", t);
    free(t);
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
    char *t = tmpdir(), out[4400];
    snprintf(out, sizeof out, "%s/r", t);
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
    sh("rm -rf %s", t);
    free(t);
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
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert_eq(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/%s/baseline", dir, name);
    cr_assert_eq(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/%s/baseline/.trains.1.part", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("1,CQ-MAL,1,34,290.5,12.5,62.5\n", f);
    fclose(f);
}

Test(outdir, stale_temporary_directories_of_dead_processes_are_removed_live_ones_kept, .timeout = 60)
{
    char *t = tmpdir(), dead[64], mine[64], locked[64], args[4400], path[4400];
    snprintf(dead, sizeof dead, "r.tmp-%ld-aB3dE6", (long)dead_pid());
    snprintf(mine, sizeof mine, "r.tmp-%ld-gH9jK1", (long)getpid());     /* a live process */
    snprintf(locked, sizeof locked, "r.tmp-%ld-mN4pQ7", (long)dead_pid()); /* its lock still held */
    const char *kept[] = { mine, locked, "r.tmp-sT5uV2", "rr.tmp-1-wX8yZ0" };
    make_temp(t, dead);
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        make_temp(t, kept[i]);
    snprintf(path, sizeof path, "%s/%s", t, locked);
    int lock = open(path, O_RDONLY | O_DIRECTORY);
    cr_assert(lock >= 0 && flock(lock, LOCK_EX) == 0);
    snprintf(args, sizeof args, "run " MINI " -r 1 -q --no-plot -o %s/r", t);
    cr_assert_eq(railmail(args), 0);
    cr_assert(!exists(t, dead), "the temporary directory of a dead process was kept");
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++)
        cr_assert(exists(t, kept[i]), "%s was removed", kept[i]);
    close(lock);
    sh("rm -rf %s", t);
    free(t);
}

Test(outdir, a_second_run_keeps_the_temporary_directory_of_a_running_one, .timeout = 120)
{
    char *t = tmpdir(), out[4400], temp[4400], args[4600];
    snprintf(out, sizeof out, "%s/r", t);
    pid_t pid = start_long_run(out);
    wait_until_simulating(t, "r", pid, temp, sizeof temp);
    snprintf(args, sizeof args, "run " MINI " -r 1 -q --no-plot -o %s", out);
    cr_assert_eq(railmail(args), 0);
    cr_assert_eq(access(temp, F_OK), 0, "a second run removed the temporary directory of a running one");
    cr_assert_eq(kill(pid, SIGTERM), 0);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 143);
    cr_assert(exists(t, "r/summary.csv"));
    cr_assert_eq(count_prefixed(t, "r"), 1);
    sh("rm -rf %s", t);
    free(t);
}
