/* series: a long-format table grouped into daily series by key, and their
 * means over a window. */
#include "railmail/series.h"

#include "e2e.h"

static struct diag *d;
static struct table t;  /* what load read */

static void setup(void)
{
    d = diag_create();
}

static void teardown(void)
{
}

TestSuite(series, .init = setup, .fini = teardown);

/* Loads `text` into t through a temporary file (removed again). */
static void load(const char *text)
{
    char *dir = e2e_tmpdir();
    e2e_write(dir, "long.csv", text);
    bool found = false;
    cr_assert_eq(table_load(&t, dir, "long.csv", &found, d), RM_OK);
    cr_assert(found);
    e2e_rmtree(dir);
}

Test(series, split_groups_rows_by_key_in_order_of_first_appearance)
{
    load("day,node,v\n0,BRS,2.385\n0,MAL,1\n2,BRS,0.5\n2,BRS,0.25\n9,MAL,7\n1,MAL,\n");
    struct series *s;
    size_t n;
    cr_assert_eq(series_split(&t, "node", "v", 3, NULL, 0, &s, &n, d), RM_OK);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(s[0].name, "BRS");
    cr_assert_float_eq(s[0].v[0], 2.385, 1e-12);
    cr_assert_float_eq(s[0].v[1], 0.0, 1e-12);
    cr_assert_float_eq(s[0].v[2], 0.75, 1e-12, "two rows of one day add up");
    cr_assert_float_eq(s[0].total, 3.135, 1e-12);
    cr_assert_float_eq(s[0].peak, 2.385, 1e-12);
    /* day 9 lies beyond ndays and day 1 is empty: left out */
    cr_assert_str_eq(s[1].name, "MAL");
    cr_assert_float_eq(s[1].total, 1.0, 1e-12);
    series_free(s, n);
}

Test(series, keys_given_in_order_come_first_even_when_absent)
{
    load("day,proposal,v\n0,b,1\n0,baseline,2\n0,c,3\n");
    static const char *const order[] = {"baseline", "absent", "c"};
    struct series *s;
    size_t n;
    cr_assert_eq(series_split(&t, "proposal", "v", 1, order, 3, &s, &n, d), RM_OK);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(s[0].name, "baseline");
    cr_assert_str_eq(s[1].name, "absent");
    cr_assert_float_eq(s[1].peak, 0.0, 1e-12);
    cr_assert_str_eq(s[2].name, "c");
    cr_assert_str_eq(s[3].name, "b");
    series_free(s, n);
}

Test(series, a_bad_value_is_reported_at_its_position)
{
    load("day,node,v\n0,BRS,1\n1.5,BRS,1\n");
    struct series *s;
    size_t n = 7;
    cr_assert_eq(series_split(&t, "node", "v", 3, NULL, 0, &s, &n, d), RM_EINPUT);
    cr_assert_null(s);
    cr_assert_eq(n, 0);
    cr_assert_str_eq(diag_message(d, 0), "long.csv:3:1: day: expected a whole number of days from 0, got \"1.5\"");
    cr_assert_eq(series_split(&t, "node", "w", 3, NULL, 0, &s, &n, d), RM_EINPUT);
    cr_assert_str_eq(diag_message(d, 1), "long.csv:1: expected a column \"w\", found \"day,node,v\"");
}

Test(series, mean_covers_both_ends_of_the_window)
{
    struct series s;
    cr_assert(series_init(&s, "all", 5));
    cr_assert_str_eq(s.name, "all");
    const double v[5] = {0.52812, 4.76831, 2.40747, 7.93085, 1.90869};
    for (size_t i = 0; i < 5; i++)
        s.v[i] = v[i];
    cr_assert_float_eq(series_mean(&s, 1, 3), (4.76831 + 2.40747 + 7.93085) / 3, 1e-12);
    cr_assert_float_eq(series_mean(&s, 4, 4), 1.90869, 1e-12);
    free(s.name);
    free(s.v);
}
