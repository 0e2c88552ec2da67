/* Tests for num: the one number parser takes decimal numbers written as
 * people write them and nothing that strtod would also take. */
#include "railmail/num.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

static bool parse(const char *text, char mark, double *v)
{
    return num_parse(text, strlen(text), mark, v);
}

Test(num, decimal_forms_are_accepted)
{
    static const struct { const char *text; double value; } ok[] = {
        {"2.385", 2.385}, {"-2.385", -2.385}, {"+2.385", 2.385}, {"42", 42}, {"5.", 5},
        {".25", 0.25}, {"1e3", 1000}, {"2.5E-2", 0.025}, {"7e+1", 70}, {"0007", 7},
        {"1e-400", 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        double v = -1;
        cr_assert(parse(ok[i].text, '.', &v), "\"%s\" refused", ok[i].text);
        cr_assert_eq(v, ok[i].value, "\"%s\" read as %.17g", ok[i].text, v);
    }
    double v = 1;
    cr_assert(parse("-0", '.', &v));
    cr_assert(!signbit(v), "-0 must read as 0");
}

Test(num, hex_inf_nan_spaces_and_junk_are_refused)
{
    static const char *const bad[] = {
        "", "0x10", "0X1p3", "inf", "-inf", "infinity", "nan", "NAN", "1e999", "-1e999",
        " 1", "1 ", "1,5", "1.2.3", ".", "-", "+", "e5", "1e", "1e+", "1_000", "1'000",
        "12.5kg", "--1", "+-1", "1e5.5", "٣",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double v = 2.385;
        cr_assert(!parse(bad[i], '.', &v), "\"%s\" accepted", bad[i]);
        cr_assert_eq(v, 2.385, "\"%s\": output changed on failure", bad[i]);
    }
}

Test(num, decimal_comma_replaces_the_point)
{
    double v = 0;
    cr_assert(parse("12,5", ',', &v));
    cr_assert_eq(v, 12.5);
    cr_assert(parse("-0,125e2", ',', &v));
    cr_assert_eq(v, -12.5);
    cr_assert(!parse("12.5", ',', &v), "a point in a decimal-comma number");
    cr_assert(!parse("1,234,5", ',', &v));
}

Test(num, only_len_characters_are_read)
{
    double v = 0;
    cr_assert(num_parse("2.385,4", 5, '.', &v));
    cr_assert_eq(v, 2.385);
    cr_assert(num_parse("19)", 2, '.', &v));
    cr_assert_eq(v, 19);
}

Test(num, length_is_bounded)
{
    char text[NUM_MAX_LEN + 2];
    memset(text, '0', sizeof text);
    text[NUM_MAX_LEN - 1] = '7';
    text[NUM_MAX_LEN] = '\0';
    double v = 0;
    cr_assert(parse(text, '.', &v));
    cr_assert_eq(v, 7);
    text[NUM_MAX_LEN] = '0';
    text[NUM_MAX_LEN + 1] = '\0';
    cr_assert(!parse(text, '.', &v), "a number longer than NUM_MAX_LEN");
}

Test(num, whole_numbers_are_digits_only)
{
    uint64_t u = 0;
    cr_assert(num_parse_whole("18446744073709551615", &u));
    cr_assert_eq(u, UINT64_MAX);
    cr_assert(num_parse_whole("0042", &u));
    cr_assert_eq(u, 42);
    static const char *const bad[] = {"", "18446744073709551616", "-1", "+1", "1.0", "1e3",
                                      "0x10", " 1", "1 "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        u = 7;
        cr_assert(!num_parse_whole(bad[i], &u), "\"%s\" accepted", bad[i]);
        cr_assert_eq(u, 7);
    }
}
