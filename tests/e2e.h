/* Helpers for tests that work in temporary directories (copies of scenarios
 * and fixtures, files to load, results) and for those that run the railmail
 * binary (path in $RAILMAIL, set by make): make, copy and remove a
 * directory, write and read files, run railmail, read a summary. Criterion
 * runs each test in its own process, so the helpers assert rather than
 * return errors, and the test frees what they return malloc'd. */
#ifndef RAILMAIL_TESTS_E2E_H
#define RAILMAIL_TESTS_E2E_H
#include <criterion/criterion.h>

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The railmail binary under test. */
static inline const char *e2e_bin(void)
{
    const char *b = getenv("RAILMAIL");
    return b ? b : "./railmail";
}

static inline char *e2e_vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static inline char *e2e_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int e2e_runf(const char *out, const char *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void e2e_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A string formatted as by vprintf, malloc'd. */
static inline char *e2e_vformat(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    cr_assert_geq(n, 0);
    char *s = malloc((size_t)n + 1);
    cr_assert(s);
    vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    return s;
}

/* A string (a path, a command) formatted as by printf, malloc'd. */
static inline char *e2e_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = e2e_vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* Runs railmail with `args`, stdout into `out` and stderr into `err` (either
 * may be NULL for /dev/null); the exit status. */
static inline int e2e_run(const char *args, const char *out, const char *err)
{
    char *cmd = e2e_format("%s %s >'%s' 2>'%s'", e2e_bin(), args, out ? out : "/dev/null",
                           err ? err : "/dev/null");
    int rc = system(cmd);
    free(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* e2e_run with the arguments formatted as by printf. */
static inline int e2e_runf(const char *out, const char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *args = e2e_vformat(fmt, ap);
    va_end(ap);
    int rc = e2e_run(args, out, err);
    free(args);
    return rc;
}

/* Runs a shell command formatted as by printf, which must exit 0. */
static inline void e2e_sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = e2e_vformat(fmt, ap);
    va_end(ap);
    cr_assert_eq(system(cmd), 0, "failed: %s", cmd);
    free(cmd);
}

/* A new empty directory under /tmp, malloc'd. */
static inline char *e2e_tmpdir(void)
{
    char *t = strdup("/tmp/railmail-e2e-XXXXXX");
    cr_assert(t && mkdtemp(t));
    return t;
}

/* Removes `path` and all below it; links are removed, not followed. In C,
 * not rm -rf, so that it works with any name and with PATH changed. */
static inline void e2e_remove(const char *path)
{
    struct stat st;
    cr_assert_eq(lstat(path, &st), 0, "cannot find %s", path);
    if (!S_ISDIR(st.st_mode)) {
        cr_assert_eq(unlink(path), 0, "cannot remove %s", path);
        return;
    }
    DIR *d = opendir(path);
    cr_assert(d, "cannot open %s", path);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            char *below = e2e_format("%s/%s", path, e->d_name);
            e2e_remove(below);
            free(below);
        }
    closedir(d);
    cr_assert_eq(rmdir(path), 0, "cannot remove %s", path);
}

/* Removes the directory `dir` and all below it, and frees the string. */
static inline void e2e_rmtree(char *dir)
{
    e2e_remove(dir);
    free(dir);
}

/* True when dir/name exists (name may hold slashes). */
static inline bool e2e_exists(const char *dir, const char *name)
{
    char *path = e2e_format("%s/%s", dir, name);
    bool found = access(path, F_OK) == 0;
    free(path);
    return found;
}

/* Opens dir/name (name may hold slashes) for reading; it must exist. */
static inline FILE *e2e_open(const char *dir, const char *name)
{
    char *path = e2e_format("%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot read %s", path);
    free(path);
    return f;
}

/* Makes the directory dir/name, which must not exist yet. */
static inline void e2e_mkdir(const char *dir, const char *name)
{
    char *path = e2e_format("%s/%s", dir, name);
    cr_assert_eq(mkdir(path, 0777), 0, "cannot make %s", path);
    free(path);
}

/* Writes `text` to dir/name (name may hold slashes), replacing it. */
static inline void e2e_write(const char *dir, const char *name, const char *text)
{
    char *path = e2e_format("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0, "cannot write %s", path);
    free(path);
}

/* All that is left to read from `f`, malloc'd and NUL-terminated. */
static inline char *e2e_read(FILE *f)
{
    size_t cap = 1 << 16, n = 0, got;
    char *text = malloc(cap);
    cr_assert(text);
    while ((got = fread(text + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            text = realloc(text, cap *= 2);
            cr_assert(text);
        }
    }
    text[n] = '\0';
    return text;
}

/* The whole of a file, malloc'd; NULL when it cannot be read. */
static inline char *e2e_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = e2e_read(f);
    fclose(f);
    return text;
}

/* Copies what is in the directory `from` (files and directories, as in a
 * scenario or fixture) into the existing directory `to`. */
static inline void e2e_copy_into(const char *from, const char *to)
{
    DIR *d = opendir(from);
    cr_assert(d, "cannot open %s (run the tests from the repository root)", from);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *src = e2e_format("%s/%s", from, e->d_name), *dst = e2e_format("%s/%s", to, e->d_name);
        struct stat st;
        cr_assert_eq(stat(src, &st), 0, "cannot read %s", src);
        if (S_ISDIR(st.st_mode)) {
            cr_assert_eq(mkdir(dst, 0777), 0, "cannot make %s", dst);
            e2e_copy_into(src, dst);
        } else {
            FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
            cr_assert(in && out, "cannot copy %s to %s", src, dst);
            char buf[4096];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, in)) > 0)
                cr_assert_eq(fwrite(buf, 1, n, out), n, "cannot write %s", dst);
            fclose(in);
            cr_assert_eq(fclose(out), 0, "cannot write %s", dst);
        }
        free(src);
        free(dst);
    }
    closedir(d);
}

/* A new temporary directory holding a copy of the directory `from`, so a
 * test can change a scenario or fixture; malloc'd, for e2e_rmtree. */
static inline char *e2e_copy(const char *from)
{
    char *t = e2e_tmpdir();
    e2e_copy_into(from, t);
    return t;
}

/* The value in column `column` (mean, ci_low, ci_high, sd, n) of the row
 * (metric, scope) of dir/summary.csv; both row and column must be there. */
static inline double e2e_summary(const char *dir, const char *metric, const char *scope, const char *column)
{
    FILE *f = e2e_open(dir, "summary.csv");
    char line[1024], *key = e2e_format("%s,%s,", metric, scope);
    cr_assert(fgets(line, sizeof line, f), "%s/summary.csv is empty", dir);
    int k = 0;  /* commas before the column */
    size_t len = strlen(column);
    const char *p = line;
    while (strncmp(p, column, len) || (p[len] != ',' && p[len] != '\n')) {
        p = strchr(p, ',');
        cr_assert(p, "%s/summary.csv has no column %s", dir, column);
        p++;
        k++;
    }
    double v = NAN;
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key))) {
            p = line;
            for (int i = 0; i < k && p; i++)
                if ((p = strchr(p, ',')))
                    p++;
            cr_assert(p, "%s/summary.csv: row %s is short", dir, key);
            v = strtod(p, NULL);
            found = true;
        }
    fclose(f);
    cr_assert(found, "%s/summary.csv has no row %s", dir, key);
    free(key);
    return v;
}
#endif /* RAILMAIL_TESTS_E2E_H */
