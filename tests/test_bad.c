/* The bad-input corpus: every directory tests/bad/NAME/ holding an
 * `expected` file is a scenario with one flaw (in its proposal
 * proposals/p/ when it has one); loading it must fail with RM_EINPUT and
 * report exactly that line among its messages. FIFOs, devices, directories
 * and oversized files in place of scenario files cannot live in git, so
 * those cases are made at run time. Runs from the repo root, as `make test`
 * does. */
#include "e2e.h"

#include <fcntl.h>

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
    char proposal[600];
    snprintf(proposal, sizeof proposal, "%s/proposals/p", dir);
    struct stat st;
    bool has_proposal = stat(proposal, &st) == 0;
    if (has_proposal) {  /* the flaw is in the proposal: the base must load */
        enum rm_status base = scenario_load(dir, NULL, NULL, 0, &s, d);
        cr_expect_eq(base, RM_OK, "%s: the base must load: %s", name,
                     diag_count(d) ? diag_message(d, 0) : "");
        scenario_destroy(s);
        s = NULL;
        diag_clear(d);
    }
    enum rm_status rc = scenario_load(dir, has_proposal ? proposal : NULL, NULL, 0, &s, d);
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

/* ---- files that are no regular files, made at run time ---------------- */

/* A copy of the template in a new temporary directory, with an empty
 * proposal proposals/p/ (holding a description.txt). */
static char *template_copy(void)
{
    char *dir = e2e_copy("tests/fixtures/scenario-mini");
    e2e_mkdir(dir, "proposals");
    e2e_mkdir(dir, "proposals/p");
    e2e_write(dir, "proposals/p/description.txt", "Nothing yet.\n");
    return dir;
}

enum replacement { FIFO, DEV_ZERO, DIRECTORY, OVERSIZE };

/* Puts a FIFO, a symlink to /dev/zero, a directory or a sparse 65 MiB file
 * at dir/name instead of what is there. */
static void replace_with(const char *dir, const char *name, enum replacement what)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    remove(path);
    switch (what) {
    case FIFO:
        cr_assert_eq(mkfifo(path, 0600), 0);
        break;
    case DEV_ZERO:
        cr_assert_eq(symlink("/dev/zero", path), 0);
        break;
    case DIRECTORY:
        cr_assert_eq(mkdir(path, 0700), 0);
        break;
    case OVERSIZE: {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        cr_assert_geq(fd, 0);
        cr_assert_eq(ftruncate(fd, (off_t)65 << 20), 0);
        close(fd);
        break;
    }
    }
}

/* Loads dir (with its proposal p when `proposal`) and expects exactly one
 * error: "dir/<file>: <message>". */
static void expect_refused(const char *dir, bool proposal, const char *file, const char *message)
{
    char prop[600], want[1200];
    snprintf(prop, sizeof prop, "%s/proposals/p", dir);
    snprintf(want, sizeof want, "%s/%s: %s", dir, file, message);
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    enum rm_status rc = scenario_load(dir, proposal ? prop : NULL, NULL, 0, &s, d);
    cr_expect_eq(rc, RM_EINPUT, "%s: expected RM_EINPUT, got %d", file, (int)rc);
    cr_expect_null(s);
    cr_expect_eq(diag_count(d), 1, "%s: expected one message, got %zu, the first: %s", file,
                 diag_count(d), diag_count(d) ? diag_message(d, 0) : "(none)");
    if (diag_count(d))
        cr_expect_str_eq(diag_message(d, 0), want);
    scenario_destroy(s);
    diag_destroy(d);
}

Test(bad, a_fifo_as_a_scenario_file_is_refused_without_blocking, .timeout = 20)
{
    char *dir = template_copy();
    replace_with(dir, "nodes.csv", FIFO);
    expect_refused(dir, false, "nodes.csv", "expected a regular file, got a FIFO");
    e2e_rmtree(dir);
}

Test(bad, a_fifo_as_a_proposal_file_or_description_is_refused, .timeout = 20)
{
    char *dir = template_copy();
    replace_with(dir, "proposals/p/description.txt", FIFO);
    expect_refused(dir, true, "proposals/p/description.txt", "expected a regular file, got a FIFO");
    replace_with(dir, "proposals/p/description.txt", DIRECTORY);
    replace_with(dir, "proposals/p/services.csv", FIFO);
    /* two messages now: check the one of services.csv among them */
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    char prop[600], want[700];
    snprintf(prop, sizeof prop, "%s/proposals/p", dir);
    snprintf(want, sizeof want, "%s/proposals/p/services.csv: expected a regular file, got a FIFO",
             dir);
    cr_expect_eq(scenario_load(dir, prop, NULL, 0, &s, d), RM_EINPUT);
    bool found = false;
    for (size_t i = 0; i < diag_count(d); i++)
        found |= strcmp(diag_message(d, i), want) == 0;
    cr_expect(found, "expected the message\n  %s", want);
    diag_destroy(d);
    e2e_rmtree(dir);
}

Test(bad, a_symlink_to_a_device_is_refused_before_reading, .timeout = 20)
{
    char *dir = template_copy();
    replace_with(dir, "legs.csv", DEV_ZERO);
    expect_refused(dir, false, "legs.csv", "expected a regular file, got a character device");
    e2e_rmtree(dir);
}

Test(bad, a_directory_named_like_a_scenario_file_is_refused, .timeout = 20)
{
    char *dir = template_copy();
    replace_with(dir, "nodes.csv", DIRECTORY);
    expect_refused(dir, false, "nodes.csv", "expected a regular file, got a directory");
    e2e_rmtree(dir);
}

Test(bad, a_file_over_the_size_limit_is_refused_unread, .timeout = 20)
{
    char *dir = template_copy();
    replace_with(dir, "demand.csv", OVERSIZE);
    expect_refused(dir, false, "demand.csv", "expected a file of at most 64 MiB, got 65.0 MiB");
    /* one byte over: the size is rounded up, never shown as 64.0 */
    char path[700];
    snprintf(path, sizeof path, "%s/demand.csv", dir);
    cr_assert_eq(truncate(path, ((off_t)64 << 20) + 1), 0);
    expect_refused(dir, false, "demand.csv", "expected a file of at most 64 MiB, got 64.1 MiB");
    e2e_rmtree(dir);
}
