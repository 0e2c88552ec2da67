/* Helpers for tests that run the railmail binary (path in $RAILMAIL, set by
 * make): run it, make and remove a temporary directory, read a summary. */
#ifndef RAILMAIL_TESTS_E2E_H
#define RAILMAIL_TESTS_E2E_H
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static inline const char *e2e_bin(void)
{
    const char *b = getenv("RAILMAIL");
    return b ? b : "./railmail";
}

/* Runs railmail with `args`, stdout into `out` and stderr into `err` (either
 * may be NULL for /dev/null); the exit status. */
static inline int e2e_run(const char *args, const char *out, const char *err)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "%s %s >%s 2>%s", e2e_bin(), args, out ? out : "/dev/null",
             err ? err : "/dev/null");
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static inline char *e2e_tmpdir(void)
{
    char *t = strdup("/tmp/railmail-e2e-XXXXXX");
    cr_assert(mkdtemp(t));
    return t;
}

static inline void e2e_rmtree(char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}

/* The whole of a small file, malloc'd; NULL when it cannot be read. */
static inline char *e2e_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = calloc(1, 1 << 20);
    size_t n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    (void)n;
    fclose(f);
    return text;
}
#endif /* RAILMAIL_TESTS_E2E_H */
