/* strbuf: appending, growing, quoting for gnuplot and the shell, and the
 * sticky out-of-memory flag. */
#include "railmail/strbuf.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* What `quote` appends for `text`, as a new string. */
static char *quoted(void (*quote)(struct strbuf *, const char *), const char *text)
{
    struct strbuf b = {0};
    quote(&b, text);
    char *s = strbuf_take(&b);
    cr_assert_not_null(s);
    return s;
}

static void assert_quoted(void (*quote)(struct strbuf *, const char *), const char *text, const char *want)
{
    char *s = quoted(quote, text);
    cr_assert_str_eq(s, want, "quoting \"%s\"", text);
    free(s);
}

Test(strbuf, empty_buffer_reads_as_empty_text)
{
    struct strbuf b = {0};
    cr_assert_str_eq(strbuf_str(&b), "");
    cr_assert_eq(b.len, 0);
    strbuf_fini(&b);
    strbuf_fini(&b);  /* twice is harmless */
}

Test(strbuf, printf_and_put_append_in_order)
{
    struct strbuf b = {0};
    strbuf_printf(&b, "%.3f days", 2.385);
    strbuf_put(&b, "; xyz", 3);  /* only the first 3 bytes */
    strbuf_printf(&b, "%s%zu", "=", (size_t)17);
    cr_assert_str_eq(strbuf_str(&b), "2.385 days; x=17");
    cr_assert_eq(b.len, strlen("2.385 days; x=17"));
    cr_assert_not(b.oom);
    strbuf_fini(&b);
}

Test(strbuf, grows_past_its_first_kilobyte_without_losing_text)
{
    struct strbuf b = {0};
    for (int i = 0; i < 1000; i++)
        strbuf_printf(&b, "%03d,", i);
    cr_assert_eq(b.len, 4000);
    cr_assert_geq(b.cap, 4001);
    cr_assert_eq(strncmp(b.s, "000,001,002,", 12), 0);
    cr_assert_str_eq(b.s + 3996, "999,");
    strbuf_fini(&b);
}

Test(strbuf, take_hands_the_text_over_and_empties_the_buffer)
{
    struct strbuf b = {0};
    strbuf_printf(&b, "delivered_t:%s", "WAW");
    char *s = strbuf_take(&b);
    cr_assert_str_eq(s, "delivered_t:WAW");
    cr_assert_null(b.s);
    cr_assert_eq(b.len, 0);
    free(s);
    s = strbuf_take(&b);
    cr_assert_str_eq(s, "");
    free(s);
}

Test(strbuf, out_of_memory_is_sticky)
{
    struct strbuf b = {0};
    strbuf_printf(&b, "kept until memory ran out");
    b.oom = true;  /* as a failed realloc leaves it */
    strbuf_printf(&b, "%d", 42);
    strbuf_put(&b, "x", 1);
    strbuf_quote_gnuplot(&b, "y");
    cr_assert_eq(b.len, strlen("kept until memory ran out"));
    cr_assert_str_eq(strbuf_str(&b), "");
    cr_assert_null(strbuf_take(&b));
    cr_assert_null(b.s);
    cr_assert_not(b.oom);
}

Test(strbuf, gnuplot_quote_doubles_quotes_and_flattens_control_characters)
{
    assert_quoted(strbuf_quote_gnuplot, "Brest's crane", "'Brest''s crane'");
    assert_quoted(strbuf_quote_gnuplot, "x\nEOD\nsystem('touch a')", "'x EOD system(''touch a'')'");
    assert_quoted(strbuf_quote_gnuplot, "tab\tdel\x7f \"q\"", "'tab del  \"q\"'");
    assert_quoted(strbuf_quote_gnuplot, "", "''");
}

Test(strbuf, put_line_keeps_text_on_one_line)
{
    assert_quoted(strbuf_put_line, "a,b\r\nEOD\n", "a,b  EOD ");
    assert_quoted(strbuf_put_line, "q'q \"x\"", "q'q \"x\"");
}

Test(strbuf, shell_quote_closes_and_escapes_each_quote)
{
    assert_quoted(strbuf_quote_shell, "it's a \"dir\"", "'it'\\''s a \"dir\"'");
    assert_quoted(strbuf_quote_shell, "-n $HOME `x`", "'-n $HOME `x`'");
}
