/* Tests for outdir: which directories -o may replace (only empty ones and
 * railmail's own results, checked entry by entry against the marker), and
 * end-to-end through the railmail binary in $RAILMAIL. Each test works in
 * its own fresh directory under /tmp. */
#include "railmail/outdir.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MINI "tests/fixtures/scenario-mini"

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
