/* escape: control characters shown as C escapes; other text unchanged. */
#include "railmail/escape.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void assert_escaped(const char *text, const char *want)
{
    char buf[256];
    cr_assert_str_eq(escape_text(buf, sizeof buf, text), want, "escaping \"%s\"", text);
}

Test(escape, control_characters_become_c_escapes)
{
    assert_escaped("nl\nname", "nl\\nname");
    assert_escaped("cr\rtab\t", "cr\\rtab\\t");
    assert_escaped("\x1b[2J\x1b]0;pwned\a", "\\x1b[2J\\x1b]0;pwned\\x07");
    assert_escaped("del\x7f", "del\\x7f");
    /* U+009B, the one-character CSI, in UTF-8 */
    assert_escaped("c1\xc2\x9b" "31m", "c1\\u009b31m");
}

Test(escape, other_text_passes_unchanged)
{
    assert_escaped("more-trains", "more-trains");
    assert_escaped("a,b q\"q x;y \\n", "a,b q\"q x;y \\n");
    assert_escaped("Brest — Małaszewicze, café \xc2\xa0", "Brest — Małaszewicze, café \xc2\xa0");
    assert_escaped("", "");
}

Test(escape, a_short_buffer_cuts_before_an_escape_never_inside)
{
    char buf[6];
    cr_assert_str_eq(escape_text(buf, sizeof buf, "ab\ncd"), "ab\\nc");
    cr_assert_str_eq(escape_text(buf, sizeof buf, "abc\x1b"), "abc");
    cr_assert_str_eq(escape_text(buf, 1, "abc"), "");
}

Test(escape, a_line_is_escaped_whole_and_ends_once)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    escape_line(f, "proposal \"%s\": expected %d", "x\ny\x1b[1m", 2);
    char long_name[3000];
    memset(long_name, 'n', sizeof long_name - 2);
    long_name[sizeof long_name - 2] = '\n';
    long_name[sizeof long_name - 1] = '\0';
    escape_line(f, "%s", long_name);  /* longer than the line buffers on the stack */
    fclose(f);
    cr_assert_eq(strncmp(text, "proposal \"x\\ny\\x1b[1m\": expected 2\n", 35), 0, "%s", text);
    cr_assert_eq(len, 35 + sizeof long_name - 2 + 3);
    cr_assert_eq(strcmp(text + len - 3, "\\n\n"), 0);
    free(text);
}
