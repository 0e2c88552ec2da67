#ifndef RAILMAIL_CSVREAD_H
#define RAILMAIL_CSVREAD_H
/* CSV reading on top of libcsv's streaming parser, with the positions libcsv
 * does not report: the line where each field starts and its column (the
 * field's 1-based index in its row). Accepts RFC 4180 plus what spreadsheets
 * write: CRLF or LF, a UTF-8 BOM, `#` comment lines, blank lines, and ';'
 * as the field separator (what Excel writes where the decimal mark is a
 * comma), found per file. */
#include <stdbool.h>
#include <stddef.h>
#include "railmail/diag.h"
#include "railmail/status.h"

struct csvread_field {
    char *text;          /* NUL-terminated; unquoted fields are trimmed; owned
                            by the table (may be changed in place, never
                            freed or replaced by a pointer to free) */
    unsigned line, col;  /* where the field starts; col = field number */
};

struct csvread_row {
    struct csvread_field *fields;
    size_t n_fields;
    unsigned line;       /* line of the first field */
};

/* Every non-comment, non-blank row in file order; rows[0] is the header
 * when n_rows > 0. Caller-owned storage: csvread_parse ... csvread_fini. */
struct csvread_chunk;

struct csvread_table {
    struct csvread_row *rows;
    size_t n_rows;
    char delim;          /* the field separator: ',' or ';' */
    struct csvread_chunk *chunks;  /* where texts and field arrays live */
};

/* Parses `len` bytes of `data`. `file` names the data in messages. A row of
 * empty fields only (",,,") is dropped like a blank line. The separator is
 * ';' when the first line is "sep=;" (as Excel writes it; the line is then
 * no row), or when the first row that is no comment holds more ';' than ','
 * outside quotes; otherwise ',' ("sep=," is accepted and skipped too). On a syntax error
 * (a stray quote, an unterminated quoted field, a NUL byte) the message goes
 * to `d`, the rows before it are kept and RM_EINPUT is returned; RM_ENOMEM
 * when memory runs out. The table is valid (possibly empty) in every case and
 * must be passed to csvread_fini. */
enum rm_status csvread_parse(const char *file, const char *data, size_t len,
                             struct csvread_table *out, struct diag *d);
void csvread_fini(struct csvread_table *t);

/* As csvread_parse, but a row after the header is dropped when it has the
 * header's number of fields and its field in the header's first column
 * named `col` is not `value` (col NULL, or no such column: every row is
 * kept). Every row is still read, so the same syntax errors are found; a
 * reader that needs a few rows of a large file holds only those, and rows
 * of another width stay for it to report. */
enum rm_status csvread_parse_where(const char *file, const char *data, size_t len, const char *col,
                                   const char *value, struct csvread_table *out, struct diag *d);

/* The largest file railmail reads as input: 64 MiB, far above any
 * scenario (the large benchmark's files total a few hundred kB). */
#define CSVREAD_MAX_BYTES ((size_t)64 << 20)

/* Reads the whole file at `path` into a malloc'd buffer (NUL-terminated,
 * *len excludes the NUL), if it is a regular file (symlinks followed) of
 * at most CSVREAD_MAX_BYTES: anything else is refused before a byte is
 * read (a FIFO, a device or a directory is never read from, so nothing
 * blocks) and RM_EINPUT returned with `why` (which may be NULL when why_len
 * is 0) saying so, e.g. "expected a regular file, got a FIFO". Returns
 * RM_EIO with errno set when the file cannot be opened or read, RM_ENOMEM
 * when memory runs out; reports nothing. */
enum rm_status csvread_slurp_input(const char *path, char **data, size_t *len, char *why,
                                   size_t why_len);

/* As csvread_slurp_input, for callers that only tell a missing file from an
 * unreadable one: a refused file is RM_EIO with errno EINVAL (not a regular
 * file) or EFBIG (too large). */
enum rm_status csvread_slurp(const char *path, char **data, size_t *len);
#endif /* RAILMAIL_CSVREAD_H */
