/* csvread: CSV tables with positions. libcsv reports neither lines nor
 * columns, so we feed it one byte at a time and note the line on which each
 * field starts (a line whose fields all end on it is split here instead,
 * as libcsv would: a call per byte costs libcsv about 100 instructions);
 * comment lines are skipped before libcsv sees them, because a quote inside
 * a comment would otherwise open a quoted field. The field separator (','
 * or ';') is chosen per file before parsing starts. Texts and
 * rows' field arrays live in large chunks freed with the table, rather than
 * in a malloc each: a 200,000-row file has over a million fields. */
#include "railmail/csvread.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Storage freed all at once by csvread_fini. */
struct csvread_chunk {
    struct csvread_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

#define CHUNK_BYTES ((size_t)64 << 10)

/* n bytes, aligned for any type, from the table's chunks; NULL when memory
 * runs out. */
static void *chunk_alloc(struct csvread_table *t, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct csvread_chunk *c = t->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_BYTES ? n : CHUNK_BYTES;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        *c = (struct csvread_chunk){.next = t->chunks, .cap = cap};
        t->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

struct state {
    struct csvread_table *t;
    struct csvread_field *cur;  /* fields of the row being read (malloc'd) */
    size_t n_cur, cap_cur;
    size_t cap_rows;
    unsigned line;              /* line of the byte being fed */
    unsigned field_line;        /* line where the current field started */
    size_t field_off;           /* byte offset where it started */
    bool in_row, field_started;
    bool nomem;
    const char *where_col, *where_value;  /* csvread_parse_where's; NULL: every row */
    size_t where_at;            /* where_col's index once the header is read; SIZE_MAX: none */
};

/* A data row that csvread_parse_where drops: of the header's width, with
 * another text than where_value in the where column. */
static bool dropped(const struct state *st, const struct csvread_field *f, size_t n)
{
    return st->where_at != SIZE_MAX && st->t->n_rows > 0 && n == st->t->rows[0].n_fields &&
           strcmp(f[st->where_at].text, st->where_value) != 0;
}

/* Finds the where column in the header just read. */
static void where_header(struct state *st)
{
    const struct csvread_row *h = &st->t->rows[0];
    st->where_at = SIZE_MAX;
    for (size_t i = 0; st->where_col && i < h->n_fields; i++)
        if (!strcmp(h->fields[i].text, st->where_col)) {
            st->where_at = i;
            break;
        }
}

static void on_field(void *s, size_t n, void *data)
{
    struct state *st = data;
    if (st->nomem)
        return;
    if (st->n_cur == st->cap_cur) {
        size_t cap = st->cap_cur ? 2 * st->cap_cur : 8;
        struct csvread_field *grown = realloc(st->cur, cap * sizeof *grown);
        if (!grown) {
            st->nomem = true;
            return;
        }
        st->cur = grown;
        st->cap_cur = cap;
    }
    char *text = chunk_alloc(st->t, n + 1);
    if (!text) {
        st->nomem = true;
        return;
    }
    if (n)
        memcpy(text, s, n);
    text[n] = '\0';
    unsigned col = (unsigned)st->n_cur + 1;
    st->cur[st->n_cur++] = (struct csvread_field){
        .text = text, .line = st->field_line, .col = col};
    st->field_started = false;
}

/* A row of empty fields is what a spreadsheet writes for a blank line. */
static bool all_empty(const struct csvread_field *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].text[0])
            return false;
    return true;
}

static void on_row(int c, void *data)
{
    (void)c;
    struct state *st = data;
    st->in_row = false;
    st->field_started = false;
    if (st->nomem || st->n_cur == 0 || all_empty(st->cur, st->n_cur))
        goto reset;
    struct csvread_table *t = st->t;
    if (dropped(st, st->cur, st->n_cur))
        goto reset;
    if (t->n_rows == st->cap_rows) {
        size_t cap = st->cap_rows ? 2 * st->cap_rows : 16;
        struct csvread_row *grown = realloc(t->rows, cap * sizeof *grown);
        if (!grown) {
            st->nomem = true;
            goto reset;
        }
        t->rows = grown;
        st->cap_rows = cap;
    }
    struct csvread_field *fields = chunk_alloc(t, st->n_cur * sizeof *fields);
    if (!fields) {
        st->nomem = true;
        goto reset;
    }
    memcpy(fields, st->cur, st->n_cur * sizeof *fields);
    t->rows[t->n_rows++] = (struct csvread_row){
        .fields = fields, .n_fields = st->n_cur, .line = st->cur[0].line};
    if (t->n_rows == 1)
        where_header(st);
reset:
    st->n_cur = 0;  /* the buffer is kept for the next row */
}

/* Header name of column `col` for messages, or NULL before the header. */
static const char *column_name(const struct csvread_table *t, unsigned col)
{
    if (t->n_rows == 0 || col == 0 || col > t->rows[0].n_fields)
        return NULL;
    return t->rows[0].fields[col - 1].text;
}

static void syntax_error(struct diag *d, const char *file, const struct state *st,
                         const char *data, size_t at, char delim)
{
    unsigned col = (unsigned)st->n_cur + 1;
    struct diag_at pos = {file, st->line, col};
    const char *name = column_name(st->t, col);
    char prefix[96] = "";
    if (name)
        snprintf(prefix, sizeof prefix, "%.80s: ", name);
    unsigned char c = (unsigned char)data[at];
    char found[8];
    if (c >= 0x20 && c < 0x7f)
        snprintf(found, sizeof found, "'%c'", c);
    else
        snprintf(found, sizeof found, "0x%02x", c);
    if (data[st->field_off] == '"')
        diag_error(d, &pos, "%sexpected '%c' or a line end after a closing '\"', got %s",
                   prefix, delim, found);
    else
        diag_error(d, &pos, "%sexpected '\"' only in a field quoted as a whole (with '\"' "
                   "doubled), got %s", prefix, found);
}

/* Index just past the line that starts at i (after its LF, CRLF or CR). */
static size_t next_line(const char *data, size_t i, size_t end)
{
    while (i < end && data[i] != '\n' && data[i] != '\r')
        i++;
    if (i + 1 < end && data[i] == '\r' && data[i + 1] == '\n')
        return i + 2;
    return i < end ? i + 1 : i;
}

/* True when the line at i is blank or a `#` comment, as the parser skips. */
static bool skipped_line(const char *data, size_t i, size_t end)
{
    while (i < end && (data[i] == ' ' || data[i] == '\t'))
        i++;
    return i == end || data[i] == '#' || data[i] == '\n' || data[i] == '\r';
}

/* What a file may not start with, after its byte order mark: a second
 * mark (saved twice as UTF-8 with BOM: the first column's name would hold
 * an invisible character), or an Excel "sep=" line naming a separator
 * other than ',' or ';'. */
static enum rm_status check_start(const char *file, const char *p, size_t n, struct diag *d)
{
    struct diag_at at = { file, 1, 1 };
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        return diag_error(d, &at, "expected at most one byte order mark, got two (save the file as UTF-8 again)");
    size_t q = n && p[0] == '"';
    if (n - q >= 5 && memcmp(p + q, "sep=", 4) == 0 && p[q + 4] != ',' && p[q + 4] != ';') {
        unsigned char c = (unsigned char)p[q + 4];
        char shown[8];
        if (c == '\t')
            snprintf(shown, sizeof shown, "\\t");
        else if (c < 0x20 || c >= 0x7f)
            snprintf(shown, sizeof shown, "\\x%02x", c);
        else
            snprintf(shown, sizeof shown, "%c", c);
        return diag_error(d, &at, "expected \"sep=,\" or \"sep=;\" (railmail reads comma- or "
                          "semicolon-separated files), got \"sep=%s\"", shown);
    }
    return RM_OK;
}

/* Chooses the separator of the data from *i on. A first line "sep=;" or
 * "sep=," (Excel's hint, possibly quoted) decides and is skipped, moving *i
 * and *line past it; otherwise the first row that the parser will read
 * decides: ';' if it holds more ';' than ',' outside quotes. */
static char find_delim(const char *data, size_t *i, size_t end, unsigned *line)
{
    size_t p = *i;
    bool quoted = p < end && data[p] == '"';
    p += quoted;
    if (end - p >= 5 && memcmp(data + p, "sep=", 4) == 0 &&
        (data[p + 4] == ',' || data[p + 4] == ';')) {
        char delim = data[p + 4];
        size_t q = p + 5;
        if (quoted && q < end && data[q] == '"')
            q++;
        while (q < end && (data[q] == delim || data[q] == ' ' || data[q] == '\t'))
            q++;
        if (q == end || data[q] == '\n' || data[q] == '\r') {
            *i = next_line(data, q, end);
            (*line)++;
            return delim;
        }
    }
    p = *i;
    while (p < end && skipped_line(data, p, end)) {
        size_t q = next_line(data, p, end);
        if (q == p)
            break;
        p = q;
    }
    size_t commas = 0, semis = 0;
    bool in_quotes = false;
    for (; p < end && (in_quotes || (data[p] != '\n' && data[p] != '\r')); p++) {
        if (data[p] == '"')
            in_quotes = !in_quotes;
        else if (!in_quotes)
            commas += data[p] == ',', semis += data[p] == ';';
    }
    return semis > commas ? ';' : ',';
}

/* The length of the line at i with its line end, when it ends before `end`;
 * 0 otherwise. memchr finds the line end a vector at a time. */
static size_t whole_line(const char *data, size_t i, size_t end)
{
    const char *lf = memchr(data + i, '\n', end - i);
    size_t j = lf ? (size_t)(lf - data) : end;
    const char *cr = memchr(data + i, '\r', j - i);  /* a CR before it ends the line there */
    if (cr)
        j = (size_t)(cr - data);
    if (j == end)
        return 0;
    if (data[j] == '\r' && j + 1 < end && data[j + 1] == '\n')
        j++;
    return j + 1 - i;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Appends a field to the row being read, its text already in the table's
 * storage; false when memory runs out. */
static bool add_field(struct state *st, char *text)
{
    if (st->n_cur == st->cap_cur) {
        size_t cap = st->cap_cur ? 2 * st->cap_cur : 8;
        struct csvread_field *grown = realloc(st->cur, cap * sizeof *grown);
        if (!grown) {
            st->nomem = true;
            return false;
        }
        st->cur = grown;
        st->cap_cur = cap;
    }
    st->cur[st->n_cur] = (struct csvread_field){.text = text, .line = st->line, .col = (unsigned)st->n_cur + 1};
    st->n_cur++;
    return true;
}

/* A quoted field of a line in place, from the opening quote at *at: its
 * text (quotes undoubled) ended in place, *at moved to the separator after
 * it; NULL when libcsv would read it otherwise (it goes on past the line, or
 * the closing quote is followed by more than spaces: an error there). */
static char *quoted_field(char *copy, size_t n, size_t *at, char delim)
{
    size_t i = *at + 1;
    char *text = copy + *at, *out = text;
    for (;; i++) {
        if (i >= n)
            return NULL;
        if (copy[i] == '"') {
            if (i + 1 < n && copy[i + 1] == '"')
                i++;  /* a doubled quote: one quote of text */
            else
                break;
        }
        *out++ = copy[i];
    }
    for (i++; i < n && is_blank(copy[i]); i++)
        ;
    if (i < n && copy[i] != delim)
        return NULL;
    *out = '\0';
    *at = i;
    return text;
}

/* True when a quote-free line (n bytes without its line end) is a row that
 * csvread_parse_where drops, found without splitting it: most rows of a
 * large file a reader filters are dropped. */
static bool skipped_row(const struct state *st, const char *line, size_t n, char delim)
{
    if (st->where_at == SIZE_MAX || st->t->n_rows == 0 || memchr(line, '"', n))
        return false;
    size_t fields = 1, start = 0, end = n;
    for (size_t i = 0; i < n; i++)
        if (line[i] == delim) {
            if (fields == st->where_at)
                start = i + 1;
            else if (fields == st->where_at + 1)
                end = i;
            fields++;
        }
    if (fields != st->t->rows[0].n_fields)
        return false;  /* its width is the reader's error to find */
    while (start < end && is_blank(line[start]))
        start++;
    while (end > start && is_blank(line[end - 1]))
        end--;
    size_t len = strlen(st->where_value);
    return end - start != len || memcmp(line + start, st->where_value, len) != 0;
}

/* Splits a line (see whole_line; n without its line end) into fields as
 * libcsv would: at each separator, spaces and tabs trimmed at both ends of
 * each field unless it is quoted as a whole, no row when the line is blank.
 * The line is copied once into the table's storage and each field ended
 * there in place (libcsv costs about 45 instructions a byte even when fed a
 * line at once, 100 fed a byte at a time). Returns false, with nothing
 * changed, when libcsv must read the line: a quote elsewhere than around a
 * whole field (an error), or a quoted field that goes on past the line. */
static bool split_line(struct state *st, const char *line, size_t n, char delim)
{
    size_t a = 0;
    while (a < n && is_blank(line[a]))
        a++;
    if (a == n)
        return true;
    if (skipped_row(st, line, n, delim))
        return true;
    char *copy = chunk_alloc(st->t, n + 1);
    if (!copy) {
        st->nomem = true;
        return true;
    }
    struct csvread_chunk *c = st->t->chunks;  /* where copy is: given back if the row is dropped */
    size_t mark = (size_t)(copy - (char *)c->data), rows = st->t->n_rows;
    memcpy(copy, line, n);
    copy[n] = delim;  /* a sentinel that ends the last field */
    for (size_t start = 0; start <= n;) {
        size_t b = start, end;
        while (b < n && is_blank(copy[b]))
            b++;
        char *text = copy + b;
        if (b < n && copy[b] == '"') {
            end = b;
            if (!(text = quoted_field(copy, n, &end, delim))) {
                st->n_cur = 0;
                c->used = mark;
                return false;
            }
        } else {
            for (end = b; copy[end] != delim; end++)
                if (copy[end] == '"') {  /* libcsv's error to report */
                    st->n_cur = 0;
                    c->used = mark;
                    return false;
                }
            size_t e = end;
            while (e > b && is_blank(copy[e - 1]))
                e--;
            copy[e] = '\0';
        }
        if (!add_field(st, text))
            return true;
        start = end + 1;
    }
    on_row(line[n], st);
    if (st->t->n_rows == rows)
        c->used = mark;
    return true;
}

enum rm_status csvread_parse(const char *file, const char *data, size_t len,
                             struct csvread_table *out, struct diag *d)
{
    return csvread_parse_where(file, data, len, NULL, NULL, out, d);
}

enum rm_status csvread_parse_where(const char *file, const char *data, size_t len, const char *col,
                                   const char *value, struct csvread_table *out, struct diag *d)
{
    *out = (struct csvread_table){.delim = ','};
    struct state st = {.t = out, .line = 1, .where_col = col, .where_value = value, .where_at = SIZE_MAX};
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return diag_fail(d, RM_ENOMEM, "out of memory reading %s", file);

    enum rm_status rc = RM_OK;
    size_t nul = len;
    const char *z = memchr(data, '\0', len);
    if (z)
        nul = (size_t)(z - data);
    size_t i = 0;
    if (nul >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    if ((rc = check_start(file, data + i, nul - i, d)) != RM_OK) {
        csv_free(&p);
        return rc;
    }
    out->delim = find_delim(data, &i, nul, &st.line);
    csv_set_delim(&p, (unsigned char)out->delim);
    bool line_start = true;
    while (i < nul && !st.nomem) {
        if (line_start && !st.in_row) {
            size_t j = i;
            while (j < nul && (data[j] == ' ' || data[j] == '\t'))
                j++;
            if (j < nul && data[j] == '#') {
                i = j;
                while (i < nul && data[i] != '\n' && data[i] != '\r')
                    i++;
                line_start = false;
                continue;
            }
        }
        size_t whole = line_start && !st.in_row ? whole_line(data, i, nul) : 0;
        if (whole && split_line(&st, data + i, whole - 1 - (whole >= 2 && data[i + whole - 2] == '\r'),
                                out->delim)) {  /* libcsv stays where a row begins */
            st.line++;
            i += whole;
            continue;
        }
        line_start = false;
        char c = data[i];
        bool nl = c == '\n' || c == '\r';
        if (!st.field_started && c != ' ' && c != '\t' && (st.in_row || !nl)) {
            st.field_started = st.in_row = true;
            st.field_line = st.line;
            st.field_off = i;
        }
        if (csv_parse(&p, &data[i], 1, on_field, on_row, &st) != 1) {
            if (csv_error(&p) == CSV_ENOMEM) {
                st.nomem = true;
            } else {
                syntax_error(d, file, &st, data, i, out->delim);
                rc = RM_EINPUT;
            }
            break;
        }
        if (c == '\n' || (c == '\r' && (i + 1 >= nul || data[i + 1] != '\n'))) {
            st.line++;
            line_start = true;
        }
        i++;
    }
    if (rc == RM_OK && !st.nomem && nul == len) {
        if (csv_fini(&p, on_field, on_row, &st) != 0) {
            struct diag_at pos = {file, st.field_line, (unsigned)st.n_cur + 1};
            rc = diag_error(d, &pos, "expected a closing '\"' for the quoted field "
                            "that starts here, got the end of the file");
        }
    }
    csv_free(&p);
    free(st.cur);
    if (st.nomem)
        return diag_fail(d, RM_ENOMEM, "out of memory reading %s", file);
    if (rc == RM_OK && nul < len) {
        unsigned line = 1;
        for (size_t k = 0; k < nul; k++)
            line += data[k] == '\n';
        struct diag_at pos = {file, line, 0};
        rc = diag_error(d, &pos, "expected text, got a NUL byte");
    }
    return rc;
}

void csvread_fini(struct csvread_table *t)
{
    if (!t)
        return;
    while (t->chunks) {
        struct csvread_chunk *next = t->chunks->next;
        free(t->chunks);
        t->chunks = next;
    }
    free(t->rows);
    *t = (struct csvread_table){0};
}

/* What a file that is not regular is, for messages. */
static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

static enum rm_status refuse(char *why, size_t why_len, const struct stat *sb, size_t max)
{
    if (why && why_len) {
        if (!S_ISREG(sb->st_mode))
            snprintf(why, why_len, "expected a regular file, got %s", file_kind(sb->st_mode));
        else  /* rounded up: a size just over the limit never reads as within it */
            snprintf(why, why_len, "expected a file of at most %zu MiB, got %.1f MiB",
                     max >> 20, ceil((double)sb->st_size / (1 << 20) * 10) / 10);
    }
    return RM_EINPUT;
}

/* The file is checked by stat before it is opened, so that a FIFO or a
 * device is never opened (opening a FIFO blocks until a writer comes, and
 * some devices act on open); then it is opened without blocking and checked
 * again on the descriptor, in case it was swapped in between. At most max+1
 * bytes are read, in case it grows. */
static enum rm_status slurp(const char *path, size_t max, char **data, size_t *len, char *why,
                            size_t why_len)
{
    *data = NULL;
    *len = 0;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return RM_EIO;
    if (!S_ISREG(sb.st_mode) || (uintmax_t)sb.st_size > max)
        return refuse(why, why_len, &sb, max);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return RM_EIO;
    if (fstat(fd, &sb) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return RM_EIO;
    }
    if (!S_ISREG(sb.st_mode) || (uintmax_t)sb.st_size > max) {
        close(fd);
        return refuse(why, why_len, &sb, max);
    }
    size_t cap = (size_t)sb.st_size + 2, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        return RM_ENOMEM;
    }
    while (n <= max) {
        if (cap - n < 2) {
            char *grown = realloc(buf, 2 * cap);
            if (!grown) {
                free(buf);
                close(fd);
                return RM_ENOMEM;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int err = errno;
            free(buf);
            close(fd);
            errno = err;
            return RM_EIO;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (n > max) {  /* it grew after fstat */
        free(buf);
        sb.st_size = (off_t)n;
        return refuse(why, why_len, &sb, max);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return RM_OK;
}

enum rm_status csvread_slurp_input(const char *path, char **data, size_t *len, char *why,
                                   size_t why_len)
{
    return slurp(path, CSVREAD_MAX_BYTES, data, len, why, why_len);
}

enum rm_status csvread_slurp(const char *path, char **data, size_t *len)
{
    enum rm_status rc = slurp(path, SIZE_MAX / 4, data, len, NULL, 0);
    if (rc == RM_EINPUT) {
        errno = EINVAL;
        rc = RM_EIO;
    }
    return rc;
}
