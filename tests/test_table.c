/* table: results CSVs read by column name, cells parsed with their
 * positions, and the name index. Each test writes its CSV into a fresh
 * temporary directory. */
#include "railmail/table.h"

#include "e2e.h"

static char *dir;
static struct diag *d;
static struct table t;  /* what load read */

static void setup(void)
{
    dir = e2e_tmpdir();
    d = diag_create();
}

static void teardown(void)
{
    e2e_rmtree(dir);
}

TestSuite(table, .init = setup, .fini = teardown);

/* Writes t.csv with `text` and loads it into t; returns table_load's status. */
static enum rm_status load_status(const char *text, bool *found)
{
    e2e_write(dir, "t.csv", text);
    table_fini(&t);
    return table_load(&t, dir, "t.csv", found, d);
}

/* The same, when the table must be read. */
static void load(const char *text)
{
    bool found = false;
    cr_assert_eq(load_status(text, &found), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    cr_assert(found);
}

/* Loading `text` must fail with `want` and leave the table empty. */
static void assert_load_error(const char *text, const char *want)
{
    bool found = true;
    cr_assert_eq(load_status(text, &found), RM_EINPUT);
    cr_assert_not(found);
    cr_assert_eq(t.nrow, 0);
    cr_assert_str_eq(diag_message(d, 0), want);
}

/* table_load_where keeps the rows whose column holds the value, the
 * quoted ones too, and still fails on a row of another width at its line. */
Test(table, where_keeps_the_matching_rows_and_still_checks_widths)
{
    bool found = false;
    e2e_write(dir, "t.csv", "metric,scope,mean\nposted,all,1\nposted,od:A-B,2\n\"late\", all ,3\nx,\"al\"\"l\",4\n");
    cr_assert_eq(table_load_where(&t, dir, "t.csv", "scope", "all", &found, d), RM_OK);
    cr_assert(found);
    cr_assert_eq(t.nrow, 2);
    cr_assert_str_eq(table_cell(&t, 0, 2), "1");
    cr_assert_str_eq(table_cell(&t, 1, 0), "late");
    table_fini(&t);
    e2e_write(dir, "t.csv", "metric,scope,mean\nposted,node:X,1\nposted,all\n");
    cr_assert_eq(table_load_where(&t, dir, "t.csv", "scope", "all", &found, d), RM_EINPUT);
    cr_assert_str_eq(diag_message(d, 0), "t.csv:3: expected 3 fields as in the header, found 2");
}

Test(table, a_missing_file_is_not_found_and_not_an_error)
{
    bool found = true;
    cr_assert_eq(table_load(&t, dir, "absent.csv", &found, d), RM_OK);
    cr_assert_not(found);
    cr_assert_eq(diag_count(d), 0);
}

Test(table, columns_are_found_by_name_in_any_order)
{
    load("\xef\xbb\xbfnode,day,value\n# a comment\nBRS,3,2.385\n\nMAL,4,\"7,5\"\n");
    cr_assert_eq(t.ncol, 3);
    cr_assert_eq(t.nrow, 2);
    size_t c;
    cr_assert(table_find(&t, "day", &c));
    cr_assert_eq(c, 1);
    cr_assert(table_find(&t, "node", &c));
    cr_assert_eq(c, 0, "the byte order mark is not part of the first name");
    cr_assert_str_eq(table_cell(&t, 1, 0), "MAL");
    cr_assert_str_eq(table_cell(&t, 1, 2), "7,5");
    cr_assert_str_eq(table_header(&t, 2), "value");
    cr_assert_not(table_find(&t, "Value", &c));
}

Test(table, a_missing_column_is_an_error_quoting_the_header)
{
    load("# results\ntransit_d,pct\n8,1\n");
    size_t c;
    cr_assert_eq(table_col(&t, "batches_pct", &c, d), RM_EINPUT);
    cr_assert_str_eq(diag_message(d, 0), "t.csv:2: expected a column \"batches_pct\", found \"transit_d,pct\"");
}

Test(table, a_row_of_another_width_is_an_error_at_its_line)
{
    assert_load_error("day,value\n0,1.5\n1,2.5,9\n", "t.csv:3: expected 2 fields as in the header, found 3");
}

Test(table, an_empty_file_is_an_error)
{
    assert_load_error("", "t.csv:1: expected a header row, found an empty file");
}

Test(table, numbers_parse_and_an_empty_cell_is_nan)
{
    load("day,value\n0,2.385\n1,\n2,-1e3 \n");
    double v;
    cr_assert_eq(table_num(&t, 0, 1, &v, d), RM_OK);
    cr_assert_float_eq(v, 2.385, 1e-12);
    cr_assert_eq(table_num(&t, 1, 1, &v, d), RM_OK);
    cr_assert(isnan(v));
    cr_assert_eq(table_num(&t, 2, 1, &v, d), RM_OK);
    cr_assert_float_eq(v, -1000.0, 1e-12);
}

Test(table, a_bad_number_is_an_error_at_its_line_and_column)
{
    load("day,value\n0,1.5\n1,1.5x\n");
    double v;
    cr_assert_eq(table_num(&t, 1, 1, &v, d), RM_EINPUT);
    cr_assert_str_eq(diag_message(d, 0), "t.csv:3:2: value: expected a number, got \"1.5x\"");
}

Test(table, days_are_whole_numbers_below_the_limit)
{
    load("day\n17\n2.5\n-1\n100000\n");
    size_t day;
    cr_assert_eq(table_day(&t, 0, 0, &day, d), RM_OK);
    cr_assert_eq(day, 17);
    cr_assert_eq(table_day(&t, 1, 0, &day, d), RM_EINPUT);
    cr_assert_str_eq(diag_message(d, 0), "t.csv:3:1: day: expected a whole number of days from 0, got \"2.5\"");
    cr_assert_eq(table_day(&t, 2, 0, &day, d), RM_EINPUT);
    cr_assert_eq(table_day(&t, 3, 0, &day, d), RM_EINPUT);
    cr_assert_str_eq(diag_message(d, 2), "t.csv:5:1: day: expected a whole number of days from 0, got \"100000\"");
}

Test(table, ndays_is_the_largest_day_plus_one)
{
    load("day,node\n3,A\n41,B\n7,C\n");
    size_t n = 0;
    cr_assert_eq(table_ndays(&t, 0, &n, d), RM_OK);
    cr_assert_eq(n, 42);
    load("day,node\n");
    cr_assert_eq(table_ndays(&t, 0, &n, d), RM_OK);
    cr_assert_eq(n, 0);
}

Test(table, index_finds_every_key_it_was_given)
{
    enum { N = 5000 };
    static char keys[N][8];
    struct table_index x = {0};
    size_t v;
    cr_assert_not(table_index_find(&x, "N00000", &v), "an empty index finds nothing");
    for (size_t i = 0; i < N; i++) {
        snprintf(keys[i], sizeof keys[i], "N%05zu", i);
        cr_assert(table_index_add(&x, keys[i], 3 * i + 1));
    }
    cr_assert_eq(x.n, N);
    cr_assert_geq(x.cap, 2 * N);
    for (size_t i = 0; i < N; i++) {
        cr_assert(table_index_find(&x, keys[i], &v), "%s lost", keys[i]);
        cr_assert_eq(v, 3 * i + 1);
    }
    cr_assert_not(table_index_find(&x, "N05000", &v));
    cr_assert_not(table_index_find(&x, "", &v));
    table_index_fini(&x);
    cr_assert_null(x.slot);
}
