/* Tests for datadir: where the default scenario is looked for, in order:
 * $RAILMAIL_SCENARIOS, ./scenarios, the installed data directory. Each test
 * runs in its own process (Criterion), so it may change directory and
 * environment. */
#include "railmail/datadir.h"

#include "e2e.h"

#define NAME DATADIR_DEFAULT_SCENARIO

Test(datadir, the_environment_variable_comes_first_even_when_missing)
{
    char buf[256];
    setenv(DATADIR_ENV, "/nowhere/at all", 1);
    cr_assert_str_eq(datadir_scenario(NAME, buf, sizeof buf), "/nowhere/at all/" NAME);
    setenv(DATADIR_ENV, "", 1);  /* empty: as if not set */
    cr_assert_str_eq(datadir_scenario(NAME, buf, sizeof buf), "scenarios/" NAME);
}

Test(datadir, a_checkout_takes_its_own_scenarios)
{
    char buf[256];
    unsetenv(DATADIR_ENV);
    cr_assert_str_eq(datadir_scenario(NAME, buf, sizeof buf), "scenarios/" NAME);
}

Test(datadir, elsewhere_the_installed_one_or_the_relative_path_to_report)
{
    char buf[4096], *t = e2e_tmpdir();
    unsetenv(DATADIR_ENV);
    cr_assert_eq(chdir(t), 0);
    char *installed = e2e_format("%s/scenarios/%s", datadir_path(), NAME);
    struct stat st;
    const char *want = stat(installed, &st) == 0 && S_ISDIR(st.st_mode) ? installed : "scenarios/" NAME;
    cr_assert_str_eq(datadir_scenario(NAME, buf, sizeof buf), want);
    /* a ./scenarios without it does not hide the installed one */
    e2e_mkdir(t, "scenarios");
    cr_assert_str_eq(datadir_scenario(NAME, buf, sizeof buf), want);
    e2e_mkdir(t, "scenarios/" NAME);
    cr_assert_str_eq(datadir_scenario(NAME, buf, sizeof buf), "scenarios/" NAME);
    free(installed);
    e2e_rmtree(t);
}

Test(datadir, a_path_that_does_not_fit_is_null)
{
    char buf[16];
    setenv(DATADIR_ENV, "/a/long/directory/name", 1);
    cr_assert_null(datadir_scenario(NAME, buf, sizeof buf));
}
