/* The bad-input corpus: every directory tests/bad/NAME/ holding an
 * `expected` file is a scenario with one flaw; loading it must fail with
 * RM_EINPUT and report exactly that line among its messages. Runs from the
 * repo root, as `make test` does. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "railmail/scenario.h"

#define BAD_DIR "tests/bad"

/* Reads the first line of `path` without its line end; false if none. */
static bool read_expected(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (ok)
        buf[strcspn(buf, "\r\n")] = '\0';
    return ok;
}

/* Checks one case; returns true when it behaves as expected. */
static bool check_case(const char *name)
{
    char dir[512], path[600], expected[2048];
    snprintf(dir, sizeof dir, "%s/%s", BAD_DIR, name);
    snprintf(path, sizeof path, "%s/expected", dir);
    if (!read_expected(path, expected, sizeof expected))
        return true;  /* not a case */
    struct diag *d = diag_create();
    cr_assert_not_null(d);
    struct scenario *s = NULL;
    enum rm_status rc = scenario_load(dir, NULL, NULL, 0, &s, d);
    bool found = false;
    for (size_t i = 0; i < diag_count(d); i++)
        found |= strcmp(diag_message(d, i), expected) == 0;
    cr_expect_eq(rc, RM_EINPUT, "%s: expected RM_EINPUT, got %d", name, (int)rc);
    cr_expect_null(s, "%s: a failed load must not return a scenario", name);
    cr_expect(found, "%s: expected the message\n  %s\ngot %zu message(s), the first:\n  %s",
              name, expected, diag_count(d), diag_count(d) ? diag_message(d, 0) : "(none)");
    scenario_destroy(s);
    diag_destroy(d);
    return rc == RM_EINPUT && found;
}

Test(bad, every_case_reports_its_expected_message)
{
    DIR *dp = opendir(BAD_DIR);
    cr_assert_not_null(dp, "cannot open %s (run from the repo root)", BAD_DIR);
    size_t cases = 0, failed = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s/expected", BAD_DIR, e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        fclose(f);
        cases++;
        failed += !check_case(e->d_name);
    }
    closedir(dp);
    cr_expect_geq(cases, 40, "expected at least 40 cases in %s, got %zu", BAD_DIR, cases);
    cr_expect_eq(failed, 0, "%zu of %zu cases failed", failed, cases);
}

Test(bad, template_is_valid)
{
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    enum rm_status rc = scenario_load("tests/fixtures/scenario-mini", NULL, NULL, 0, &s, d);
    cr_assert_eq(rc, RM_OK, "the template must load: %s",
                 diag_count(d) ? diag_message(d, 0) : "");
    scenario_destroy(s);
    diag_destroy(d);
}
