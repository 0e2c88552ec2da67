/* csvwrite: which fields are quoted, how, and that numbers keep the format
 * every result file has always had. */
#include "railmail/csvwrite.h"
#include "railmail/csvread.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What `write` puts into a file, as a malloc'd string. */
static char *written(void (*write)(FILE *, const void *), const void *arg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    write(f, arg);
    cr_assert_eq(fclose(f), 0);
    return text;
}

static void field(FILE *f, const void *text) { csvwrite_field(f, text); }
static void number(FILE *f, const void *x) { csvwrite_number(f, *(const double *)x); }
static void header(FILE *f, const void *cols) { csvwrite_header(f, cols); }

static void assert_field(const char *text, const char *want)
{
    char *got = written(field, text);
    cr_assert_str_eq(got, want, "field \"%s\"", text);
    free(got);
    char *dup = csvwrite_field_dup(text);
    cr_assert_str_eq(dup, want, "dup of \"%s\"", text);
    free(dup);
    cr_assert_eq(csvwrite_needs_quotes(text), strcmp(text, want) != 0);
}

Test(csvwrite, plain_names_are_written_as_they_are)
{
    assert_field("CQ-BRS", "CQ-BRS");
    assert_field("node:BRS", "node:BRS");
    assert_field("more-trains", "more-trains");
    assert_field("x;y", "x;y");
    assert_field("no difference", "no difference");
    assert_field("a#b", "a#b");
    assert_field("", "");
}

Test(csvwrite, commas_quotes_and_line_ends_are_quoted_with_quotes_doubled)
{
    assert_field("a,b", "\"a,b\"");
    assert_field("q\"q", "\"q\"\"q\"");
    assert_field("\"", "\"\"\"\"");
    assert_field("two\nlines", "\"two\nlines\"");
    assert_field("cr\rhere", "\"cr\rhere\"");
    assert_field("lognormal(8.5,0.4)", "\"lognormal(8.5,0.4)\"");
}

Test(csvwrite, edge_spaces_and_a_leading_hash_are_quoted)
{
    /* readers trim unquoted fields and skip lines that start with '#' */
    assert_field(" lead", "\" lead\"");
    assert_field("trail ", "\"trail \"");
    assert_field("\ttab", "\"\ttab\"");
    assert_field("#comment", "\"#comment\"");
    assert_field("in side", "in side");
}

Test(csvwrite, numbers_keep_the_result_format)
{
    static const struct { double x; const char *want; } cases[] = {
        { 42, "42" }, { -3, "-3" }, { 0, "0" }, { 2.385, "2.385" }, { 1.0 / 3, "0.333333" },
        { 123456.789, "123457" }, { 2.5e15, "2.5e+15" }, { 1e-7, "1e-07" }, { NAN, "" },
        { INFINITY, "inf" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = written(number, &cases[i].x);
        cr_assert_str_eq(got, cases[i].want, "number %g", cases[i].x);
        free(got);
    }
}

/* The printf formats that csvwrite reproduces without printf, checked
 * against printf itself: near and at ties (which go to even), signs, -0,
 * and both ends of the ranges where printf takes over again. */
Test(csvwrite, numbers_and_fixed_decimals_print_as_printf_does)
{
    static const double xs[] = { 0.5, 1.5, 2.5, 0.125, 0.375, 123456.5, 1234565, 12.34565, 0.0001, 9.99999e-5,
                                 999999.4, 999999.5, 1e9, 1e15 + 0.5, -0.0, -0.0004, -2.5, 1.0 / 3, 2.0 / 3,
                                 8759.9995, 0.0005, 0.0015, 1e-300, 1e300, 7.123456789 };
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
        char want[400];
        double x = xs[i];
        if (x == floor(x) && fabs(x) < 1e15)
            snprintf(want, sizeof want, "%.0f", x);
        else
            snprintf(want, sizeof want, "%.6g", x);
        char *got = written(number, &x);
        cr_assert_str_eq(got, want, "number %.17g", x);
        free(got);
        for (unsigned dec = 0; dec <= 4; dec++) {
            char *text = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&text, &len);
            struct csvwrite_line l;
            csvwrite_line_start(&l, f);
            csvwrite_line_fixed(&l, x, dec);
            csvwrite_line_flush(&l);
            fclose(f);
            snprintf(want, sizeof want, "%.*f", (int)dec, x);
            cr_assert_str_eq(text, want, "%%.%uf of %.17g", dec, x);
            free(text);
        }
    }
}

/* A line holds its fields until it ends (csvwrite_line_end) or until the
 * writer flushes after many lines (csvwrite_line_next); fields are quoted
 * as csvwrite_field quotes them, and lines longer than the buffer too. */
Test(csvwrite, lines_write_what_the_field_functions_write)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    struct csvwrite_line l;
    csvwrite_line_start(&l, f);
    csvwrite_line_field(&l, "a,b"), csvwrite_line_char(&l, ',');
    csvwrite_line_field(&l, " x"), csvwrite_line_char(&l, ',');
    csvwrite_line_field(&l, ""), csvwrite_line_char(&l, ',');
    csvwrite_line_uint(&l, 18446744073709551615ull), csvwrite_line_char(&l, ',');
    csvwrite_line_number(&l, NAN), csvwrite_line_char(&l, ',');
    csvwrite_line_number(&l, 2.385);
    csvwrite_line_next(&l);
    cr_assert_eq(fflush(f), 0);
    cr_assert_eq(len, 0, "held until flushed");
    char big[10000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    csvwrite_line_field(&l, big);
    csvwrite_line_end(&l);
    fclose(f);
    cr_assert_eq(strncmp(text, "\"a,b\",\" x\",,18446744073709551615,,2.385\n", 40), 0, "%s", text);
    cr_assert_eq(strlen(text), 40 + sizeof big);
    cr_assert_eq(text[strlen(text) - 1], '\n');
    free(text);
}

Test(csvwrite, rows_headers_and_pairs_end_with_a_newline)
{
    char *got = written(header, "day,node,backlog_batches_mean");
    cr_assert_str_eq(got, "day,node,backlog_batches_mean\n");
    free(got);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    csvwrite_row(f, (const char *const[]){ "a,b", "q\"q", "plain" }, 3);
    csvwrite_pair(f, "proposal", "nl\nname");
    fclose(f);
    cr_assert_str_eq(text, "\"a,b\",\"q\"\"q\",plain\nproposal,\"nl\nname\"\n");
    free(text);
}

Test(csvwrite, hostile_names_read_back_exactly_through_csvread)
{
    static const char *const names[] = {
        "a,b", "q\"q", "x;y", "nl\nname", "crlf\r\n", " lead", "trail ", "\ttab\t", "#hash", "  # both ",
        "\"\"", ",", "plain", "esc\x1b[31m", "caf\xc3\xa9",
    };
    size_t n = sizeof names / sizeof *names;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    csvwrite_header(f, "name,value");
    for (size_t i = 0; i < n; i++) {
        csvwrite_field(f, names[i]);
        fputc(',', f);
        csvwrite_number(f, 2.385 * (double)i);
        fputc('\n', f);
    }
    /* each name also first and alone on its row, where '#' and blanks matter most */
    for (size_t i = 0; i < n; i++)
        csvwrite_row(f, &names[i], 1);
    fclose(f);
    struct csvread_table t;
    struct diag *d = diag_create();
    cr_assert_eq(csvread_parse("names.csv", text, len, &t, d), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    cr_assert_eq(t.n_rows, 1 + 2 * n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(t.rows[1 + i].n_fields, 2);
        cr_assert_str_eq(t.rows[1 + i].fields[0].text, names[i]);
        cr_assert_eq(t.rows[1 + n + i].n_fields, 1);
        cr_assert_str_eq(t.rows[1 + n + i].fields[0].text, names[i]);
    }
    csvread_fini(&t);
    diag_destroy(d);
    free(text);
}
