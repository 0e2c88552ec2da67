#ifndef RAILMAIL_NUM_H
#define RAILMAIL_NUM_H
/* The one parser of the numbers people type: scenario cells, distribution
 * arguments, --set values and the command line's counts. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest number accepted, in characters: longer ones are typing errors. */
#define NUM_MAX_LEN 100

/* Parses exactly the `len` characters at `text` as a decimal number:
 * an optional sign, digits with at most one `decimal_mark` ('.' or ',')
 * and at least one digit, then an optional exponent (e or E, an optional
 * sign, digits). Nothing else: no spaces (trim first), no thousands
 * separators, no hex, no inf or nan. The value must be finite (1e999 is
 * refused; values below the smallest double become 0), and -0 reads as 0.
 * Returns false and leaves *out unchanged when the text is not such a
 * number. */
bool num_parse(const char *text, size_t len, char decimal_mark, double *out);

/* Parses the NUL-terminated `text` as a whole number: one or more digits
 * and nothing else (no sign, no spaces, no point, no exponent), at most
 * UINT64_MAX. Returns false and leaves *out unchanged otherwise. */
bool num_parse_whole(const char *text, uint64_t *out);
#endif /* RAILMAIL_NUM_H */
