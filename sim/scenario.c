/* scenario: loads a scenario directory in three stages. Each CSV file becomes
 * a list of text records whose cells remember where they came from; a
 * proposal's records then replace or join the baseline's by key and --set
 * overrides replace single cells; only then are the cells typed and checked,
 * so every message points at the file, line and column that holds the value.
 * Loaders keep going after an error so that `validate` reports them all. */
#include "railmail/scenario.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "railmail/calendar.h"
#include "railmail/csvread.h"
#include "railmail/csvwrite.h"
#include "railmail/num.h"
#include "railmail/strbuf.h"

#include <nettle/sha2.h>

enum file_id { F_SCENARIO, F_NODES, F_LEGS, F_SERVICES, F_DEMAND, F_DISRUPTIONS, F_SEASONALITY,
               N_FILES };
#define MAX_COLS 17

struct column {
    const char *name;
    bool required;
};

struct schema {
    const char *set_name;  /* FILE in --set FILE.ID.COLUMN */
    const char *file;
    bool required_file;    /* in the base directory */
    size_t n_cols;
    size_t n_key;          /* the key is made of columns 0 .. n_key-1 */
    struct column cols[MAX_COLS];
};

/* Column numbers within each schema. */
enum { SC_KEY, SC_VALUE };
enum { N_ID, N_NAME, N_COUNTRY, N_KIND, N_SERVERS, N_DWELL, N_SCAN };
enum { L_FROM, L_TO, L_KM, L_TIME, L_MODE, L_CO2 };
enum { S_ID, S_ROUTE, S_DEPS, S_FIRST, S_CAP, S_CUTOFF, S_COST, S_START, S_END, S_GROWTH,
       S_WEEKDAYS, S_DEPARTURE_H, S_COST_T, S_SLOT_T, S_COST_SLOT, S_SLOTS_BOOKED,
       S_COST_EXTRA };
enum { D_ORIGIN, D_DEST, D_BATCHES, D_KG, D_GROWTH };
enum { X_TARGET, X_START, X_DURATION, X_FACTOR, X_REPEAT };
enum { Y_ORIGIN, Y_MONTH, Y_FACTOR };

static const struct schema schemas[N_FILES] = {
    [F_SCENARIO] = {"scenario", "scenario.csv", true, 2, 1,
                    {{"key", true}, {"value", true}}},
    [F_NODES] = {"nodes", "nodes.csv", true, 7, 1,
                 {{"id", true}, {"name", true}, {"country", true}, {"kind", true},
                  {"servers", true}, {"dwell_h", true}, {"scan", true}}},
    [F_LEGS] = {"legs", "legs.csv", true, 6, 2,
                {{"from", true}, {"to", true}, {"km", true}, {"time_h", true}, {"mode", false},
                 {"co2_g_per_tkm", false}}},
    /* a timetable is departures_per_week and first_departure_h, or weekdays
     * and departure_h: a row gives one form (convert_timetable) */
    [F_SERVICES] = {"services", "services.csv", true, 17, 1,
                    {{"id", true}, {"route", true}, {"departures_per_week", false},
                     {"first_departure_h", false}, {"capacity_t", true},
                     {"cutoff_h", true}, {"cost_per_train", false}, {"start_d", false},
                     {"end_d", false}, {"growth_pct_per_year", false}, {"weekdays", false},
                     {"departure_h", false}, {"cost_per_t", false}, {"slot_t", false},
                     {"cost_per_slot", false}, {"slots_booked", false},
                     {"cost_per_extra_slot", false}}},
    [F_DEMAND] = {"demand", "demand.csv", true, 5, 2,
                  {{"origin", true}, {"destination", true}, {"batches_per_day", true},
                   {"kg_per_batch", true}, {"growth_pct_per_year", true}}},
    [F_DISRUPTIONS] = {"disruptions", "disruptions.csv", false, 5, 2,
                       {{"target", true}, {"start_d", true}, {"duration_d", true},
                        {"capacity_factor", true}, {"repeat_d", false}}},
    [F_SEASONALITY] = {"seasonality", "seasonality.csv", false, 3, 2,
                       {{"origin", true}, {"month", true}, {"factor", true}}},
};

/* The keys scenario.csv may give. */
static const char *const setting_keys[] = {"name", "description", "horizon_d", "warmup_d",
                                           "replications", "seed", "service_standard_d",
                                           "confidence", "start_date", "currency", "kind", "runout_d"};

/* Limits beyond which a value is a typing error rather than a plan. */
#define MAX_HORIZON_D ((double)SCENARIO_MAX_HORIZON_D)
#define MIN_WINDOW_D (1.0 / 1440)  /* a disruption's shortest window and gap: one minute */
#define MAX_REPLICATIONS SCENARIO_MAX_REPLICATIONS
/* A disruption scales capacity: 100 times a node's servers or a service's
 * tonnes is already beyond any real network. */
#define MAX_CAPACITY_FACTOR 100.0
#define MAX_DEPARTURES_PER_WEEK 10080.0  /* one a minute */
#define MAX_SERVERS 10000u
#define MAX_BATCHES_PER_DAY 1e6
#define MAX_GROWTH_PCT 1000.0
#define MAX_ID_LEN 64

/* A cell's text (NULL: its column is absent) and where it was written. */
struct cell {
    const char *text;
    struct diag_at at;
    int origin;  /* 0 base, 1 overlay, 2 --set */
    char sep;    /* its file's field separator, ',' or ';' (',' for --set) */
};

struct record {
    struct cell c[MAX_COLS];
    struct diag_at at;  /* the row: file and line, no column */
    const char *key;    /* columns 0 .. n_key-1 joined by '\x1f' */
    bool shape_ok;      /* as many fields as the header */
    size_t replaced;    /* an overlay row: the base row it replaced, in
                           loader.replaced[file]; SIZE_MAX if it added one */
};

struct records {
    struct record *r;
    size_t n, cap;
};

/* Positions in a list found by a key: open addressing with linear probing,
 * at most half full, so a lookup is O(1) on average and loading stays
 * linear in the number of rows (a linear search per row took 84 s for a
 * 200,000-row nodes.csv). The keys stay in the list; `same` compares. */
struct index {
    size_t *pos;     /* SIZE_MAX: empty slot */
    uint64_t *hash;
    size_t cap, n;   /* cap: 0 or a power of two */
};

typedef bool index_same(const void *list, size_t pos, const void *key);

/* Where the files come from: a directory or memory. */
struct source {
    const char *dir;  /* NULL: no such source */
    const struct scenario_file *files;
    size_t n_files;
    bool memory;
};

struct loader {
    struct diag *d;
    bool nomem;
    struct source src[2];                      /* base, overlay */
    struct csvread_table tables[2][N_FILES];
    struct records recs[N_FILES];              /* merged */
    struct index by_key[N_FILES];              /* recs[f] by key */
    struct records replaced[N_FILES];          /* base rows an overlay replaced */
    struct index legs_by_ends;                 /* scenario legs by (from, to) */
    unsigned suggestions_left;                 /* "did you mean" searches */
    bool usable[N_FILES];                      /* headers good wherever read */
    char **owned;                              /* strings freed at the end */
    size_t n_owned, cap_owned;
    char *description_txt;                     /* the overlay's, trimmed */
    struct scenario_input *inputs;             /* every file read */
    size_t n_inputs, cap_inputs;
    struct sha256_ctx key;                     /* see scenario.h */
    const char *const *rows;                   /* --what-ifs: rows "FILE.csv=ROW" and cells */
    size_t n_rows;
    struct csvread_table *added;               /* their tables, one each */
};

/* ---- small helpers ---------------------------------------------------- */

static char *keep(struct loader *L, char *s)
{
    if (!s) {
        L->nomem = true;
        return NULL;
    }
    if (L->n_owned == L->cap_owned) {
        size_t cap = L->cap_owned ? 2 * L->cap_owned : 32;
        char **grown = realloc(L->owned, cap * sizeof *grown);
        if (!grown) {
            free(s);
            L->nomem = true;
            return NULL;
        }
        L->owned = grown;
        L->cap_owned = cap;
    }
    L->owned[L->n_owned++] = s;
    return s;
}

static char *keep_printf(struct loader *L, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *keep_printf(struct loader *L, const char *fmt, ...)
{
    struct strbuf b = {0};
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    return keep(L, strbuf_take(&b));
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Trims spaces, tabs and line ends at both ends, in place. */
static void trim(char *s)
{
    size_t n = strlen(s), a = 0;
    while (a < n && isspace((unsigned char)s[a]))
        a++;
    while (n > a && isspace((unsigned char)s[n - 1]))
        n--;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
}

/* The found text as it goes into a message: escaped and cut short. */
static const char *shown(const char *text, char *buf, size_t len)
{
    size_t o = 0;
    const size_t max = 60;
    for (size_t i = 0; text && text[i] && o + 8 < len; i++) {
        if (i == max) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else if (c == '\r') {
            buf[o++] = '\\';
            buf[o++] = 'r';
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o] = '\0';
    return buf;
}

/* Reports "column: expected <what>, got "<text>"<then>" at the cell. */
static void bad_cell_then(struct loader *L, const struct cell *c, const char *column,
                          const char *expected, const char *then)
{
    char buf[256];
    diag_error(L->d, &c->at, "%s: expected %s, got \"%s\"%s", column, expected,
               shown(c->text ? c->text : "", buf, sizeof buf), then);
}

/* Reports "column: expected <what>, got "<text>"" at the cell. */
static void bad_cell(struct loader *L, const struct cell *c, const char *column,
                     const char *expected)
{
    bad_cell_then(L, c, column, expected, "");
}

/* ---- "did you mean" ---------------------------------------------------- */

#define SUGGEST_MAX_LEN 64   /* ids are at most 64 characters */
#define SUGGEST_SEARCHES 32  /* per load: a hostile file cannot make it slow */

/* Edit distance between a and b ignoring case, with a swap of two
 * neighbours counting as one edit (optimal string alignment); limit + 1
 * as soon as it must exceed limit, or when a string is too long. */
static size_t edit_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN || (la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    size_t rows[3][SUGGEST_MAX_LEN + 1];
    size_t *two = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t row_min = cur[0];
        int ca = tolower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            int cb = tolower((unsigned char)b[j - 1]);
            size_t d = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < d)
                d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && two[j - 2] + 1 < d)
                d = two[j - 2] + 1;
            cur[j] = d;
            if (d < row_min)
                row_min = d;
        }
        if (row_min > limit)
            return limit + 1;
        size_t *t = two;
        two = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb] <= limit ? prev[lb] : limit + 1;
}

/* The nearest candidates to a typed name: those at the smallest distance
 * within a third of its length (at least 1), at most three. */
struct suggestion {
    const char *typed;
    const char *names[3];
    size_t n, best, limit;
};

static void suggest_start(struct suggestion *g, const char *typed)
{
    size_t len = strlen(typed);
    *g = (struct suggestion){.typed = typed, .limit = len < 4 ? 1 : (len + 2) / 3};
    g->best = g->limit + 1;
}

static void suggest_try(struct suggestion *g, const char *candidate)
{
    if (!candidate || strcmp(candidate, g->typed) == 0)
        return;
    size_t d = edit_distance(g->typed, candidate, g->best < g->limit ? g->best : g->limit);
    if (d > g->limit || d > g->best)
        return;
    if (d < g->best) {
        g->best = d;
        g->n = 0;
    }
    if (g->n < 3)
        g->names[g->n++] = candidate;
}

/* "; did you mean A?", "; did you mean A or B?", "; did you mean A, B or
 * C?", or "" when no candidate came near. */
static const char *suggest_text(const struct suggestion *g, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < g->n && o < len; i++) {
        char one[96];
        const char *sep = i == 0 ? "; did you mean " : i + 1 < g->n ? ", " : " or ";
        int w = snprintf(buf + o, len - o, "%s%s%s", sep, shown(g->names[i], one, sizeof one),
                         i + 1 == g->n ? "?" : "");
        if (w < 0)
            break;
        o += (size_t)w;
    }
    return buf;
}

/* Suggestions for an unknown id among the ids of nodes and/or services,
 * while the load's budget of searches lasts. */
static const char *suggest_id(struct loader *L, const struct scenario *s, const char *typed,
                              bool nodes, bool services, char *buf, size_t len)
{
    buf[0] = '\0';
    if (L->suggestions_left == 0)
        return buf;
    L->suggestions_left--;
    struct suggestion g;
    suggest_start(&g, typed);
    for (size_t i = 0; nodes && i < s->n_nodes; i++)
        suggest_try(&g, s->nodes[i].id);
    for (size_t i = 0; services && i < s->n_services; i++)
        suggest_try(&g, s->services[i].id);
    return suggest_text(&g, buf, len);
}

static const char *text_of(const struct cell *c)
{
    return c->text ? c->text : "";
}

/* The decimal mark of a cell's file: a file separated by ';' comes from a
 * spreadsheet in a locale that writes 12,5. */
static char decimal_mark(const struct cell *c)
{
    return c->sep == ';' ? ',' : '.';
}

static bool parse_number(const struct cell *c, const char *t, double *out)
{
    return num_parse(t, strlen(t), decimal_mark(c), out);
}

/* What to add to a message about a number in a ';' file written with a
 * decimal point, which such a file does not take. */
static const char *mark_hint(const struct cell *c)
{
    return c->sep == ';' && c->text && strchr(c->text, '.')
               ? " (a file separated by ';' takes a decimal comma)" : "";
}

enum lower { GE, GT };  /* lower bound inclusive or strict */

/* A number with lo (per `lower`) and <= hi, else the message. */
static bool get_number(struct loader *L, const struct cell *c, const char *column,
                       double lo, enum lower lower, double hi, const char *expected,
                       double *out)
{
    double v;
    if (!parse_number(c, text_of(c), &v) || (lower == GE ? v < lo : v <= lo) || v > hi) {
        char buf[256];
        diag_error(L->d, &c->at, "%s: expected %s, got \"%s\"%s", column, expected,
                   shown(text_of(c), buf, sizeof buf), mark_hint(c));
        return false;
    }
    *out = v;
    return true;
}

static bool get_dist(struct loader *L, const struct cell *c, const char *column,
                     struct dist *out)
{
    char why[200] = "";
    char buf[256];
    if (!dist_parse_sep(text_of(c), c->sep == ';' ? ';' : ',', out, why, sizeof why)) {
        if (!why[0])
            snprintf(why, sizeof why, "expected a distribution such as lognormal(8.5,0.4)");
        diag_error(L->d, &c->at, "%s: %s, got \"%s\"%s", column, why,
                   shown(text_of(c), buf, sizeof buf), mark_hint(c));
        return false;
    }
    if (!(dist_min(out) >= 0)) {
        bad_cell(L, c, column, "a distribution of values >= 0");
        return false;
    }
    return true;
}

static bool valid_id(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > MAX_ID_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (!isalnum(c) && c != '_' && c != '-' && c != '.')
            return false;
    }
    return true;
}

#define ID_EXPECTED "an id of at most 64 letters, digits, '_', '-' or '.'"

/* ---- stage 1: files into records -------------------------------------- */

/* Notes a file read: its hash for the record, and its name and hash in
 * the scenario's key. */
static void note_input(struct loader *L, int which, const char *path, const char *data, size_t len)
{
    if (L->n_inputs == L->cap_inputs) {
        size_t cap = L->cap_inputs ? 2 * L->cap_inputs : 8;
        struct scenario_input *grown = realloc(L->inputs, cap * sizeof *grown);
        if (!grown) {
            L->nomem = true;
            return;
        }
        L->inputs = grown;
        L->cap_inputs = cap;
    }
    struct scenario_input *in = &L->inputs[L->n_inputs];
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, len, (const uint8_t *)data);
    sha256_digest(&c, sizeof in->sha256, in->sha256);
    if (!(in->path = strdup(path))) {
        L->nomem = true;
        return;
    }
    L->n_inputs++;
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    uint8_t role = (uint8_t)which;  /* base or overlay: the same file means another thing */
    sha256_update(&L->key, 1, &role);
    sha256_update(&L->key, strlen(name) + 1, (const uint8_t *)name);
    sha256_update(&L->key, sizeof in->sha256, in->sha256);
}

/* Reads one file of a source into a malloc'd buffer. A missing file sets
 * *missing and is not reported (the caller knows whether it is required);
 * anything that is not a regular file of at most CSVREAD_MAX_BYTES is
 * reported and never read. */
static bool read_source_file(struct loader *L, int which, const char *name, char **data,
                             size_t *len, bool *missing, const char *path)
{
    const struct source *s = &L->src[which];
    struct diag_at at = {path, 0, 0};
    *missing = false;
    if (s->memory) {
        for (size_t i = 0; i < s->n_files; i++) {
            if (s->files[i].name && strcmp(s->files[i].name, name) == 0) {
                if (s->files[i].len > CSVREAD_MAX_BYTES) {
                    diag_error(L->d, &at, "expected a file of at most %zu MiB, got %.1f MiB",
                               CSVREAD_MAX_BYTES >> 20,
                               ceil((double)s->files[i].len / (1 << 20) * 10) / 10);
                    return false;
                }
                *data = malloc(s->files[i].len + 1);
                if (!*data) {
                    L->nomem = true;
                    return false;
                }
                if (s->files[i].len)
                    memcpy(*data, s->files[i].data, s->files[i].len);
                (*data)[s->files[i].len] = '\0';
                *len = s->files[i].len;
                note_input(L, which, path, *data, *len);
                return true;
            }
        }
        *missing = true;
        return false;
    }
    char why[128];
    enum rm_status rc = csvread_slurp_input(path, data, len, why, sizeof why);
    if (rc == RM_OK) {
        note_input(L, which, path, *data, *len);
        return true;
    }
    if (rc == RM_ENOMEM) {
        L->nomem = true;
        return false;
    }
    if (rc == RM_EINPUT) {
        diag_error(L->d, &at, "%s", why);
        return false;
    }
    if (errno == ENOENT) {
        *missing = true;
        return false;
    }
    diag_error(L->d, &at, "expected a readable file, got: %s", strerror(errno));
    return false;
}

/* Key of a record: its key columns joined; disruption start days are
 * compared as numbers so that "3" and "3.0" are the same row. */
static const char *make_key(struct loader *L, enum file_id f, const struct record *r)
{
    const struct schema *sc = &schemas[f];
    if (sc->n_key == 1)
        return text_of(&r->c[0]);  /* lives as long as the loader's tables */
    const char *second = text_of(&r->c[1]);
    double v;
    if (f == F_DISRUPTIONS && parse_number(&r->c[1], second, &v))
        return keep_printf(L, "%s\x1f%.17g", text_of(&r->c[0]), v);
    return keep_printf(L, "%s\x1f%s", text_of(&r->c[0]), second);
}

static struct record *push_record(struct loader *L, struct records *rs)
{
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? 2 * rs->cap : 16;
        struct record *grown = realloc(rs->r, cap * sizeof *grown);
        if (!grown) {
            L->nomem = true;
            return NULL;
        }
        rs->r = grown;
        rs->cap = cap;
    }
    return &rs->r[rs->n++];
}

static uint64_t hash_text(const char *t)
{
    uint64_t h = 1469598103934665603u;  /* FNV-1a */
    for (; *t; t++)
        h = (h ^ (unsigned char)*t) * 1099511628211u;
    return h;
}

static size_t index_find(const struct index *ix, uint64_t h, index_same *same,
                         const void *list, const void *key)
{
    if (ix->cap == 0)
        return SIZE_MAX;
    for (size_t i = h & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
        if (ix->pos[i] == SIZE_MAX)
            return SIZE_MAX;
        if (ix->hash[i] == h && same(list, ix->pos[i], key))
            return ix->pos[i];
    }
}

static void index_put(struct index *ix, uint64_t h, size_t pos)
{
    size_t i = h & (ix->cap - 1);
    while (ix->pos[i] != SIZE_MAX)
        i = (i + 1) & (ix->cap - 1);
    ix->pos[i] = pos;
    ix->hash[i] = h;
    ix->n++;
}

/* Makes room for `more` entries without growing again. */
static void index_reserve(struct loader *L, struct index *ix, size_t more)
{
    size_t cap = ix->cap ? ix->cap : 64;
    while (2 * (ix->n + more) > cap)
        cap *= 2;
    if (cap > ix->cap) {
        struct index grown = {.cap = cap};
        grown.pos = malloc(grown.cap * sizeof *grown.pos);
        grown.hash = malloc(grown.cap * sizeof *grown.hash);
        if (!grown.pos || !grown.hash) {
            free(grown.pos);
            free(grown.hash);
            L->nomem = true;
            return;
        }
        for (size_t i = 0; i < grown.cap; i++)
            grown.pos[i] = SIZE_MAX;
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->pos[i] != SIZE_MAX)
                index_put(&grown, ix->hash[i], ix->pos[i]);
        free(ix->pos);
        free(ix->hash);
        *ix = grown;
    }
}

/* Adds `pos` under hash h (the caller has checked that its key is new). */
static void index_add(struct loader *L, struct index *ix, uint64_t h, size_t pos)
{
    index_reserve(L, ix, 1);
    if (ix->cap)
        index_put(ix, h, pos);
}

static void index_fini(struct index *ix)
{
    free(ix->pos);
    free(ix->hash);
    *ix = (struct index){0};
}

static bool same_key(const void *list, size_t pos, const void *key)
{
    const struct records *rs = list;
    return rs->r[pos].key && strcmp(rs->r[pos].key, key) == 0;
}

/* Position of the record with this key in rs (indexed by ix), or SIZE_MAX. */
static size_t find_key(const struct index *ix, const struct records *rs, const char *key)
{
    return index_find(ix, hash_text(key), same_key, rs, key);
}

/* Position of the merged record of file f with this key, or SIZE_MAX. */
static size_t record_find(const struct loader *L, enum file_id f, const char *key)
{
    return find_key(&L->by_key[f], &L->recs[f], key);
}

/* "id, name, ..." for messages. */
static void column_list(const struct schema *sc, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sc->n_cols && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", sc->cols[i].name);
}

static void duplicate_key(struct loader *L, enum file_id f, const struct record *r,
                          const struct record *first)
{
    const struct schema *sc = &schemas[f];
    size_t col = sc->n_key - 1;
    char buf[256], shownkey[256];
    if (sc->n_key == 1)
        shown(text_of(&r->c[0]), shownkey, sizeof shownkey);
    else
        snprintf(shownkey, sizeof shownkey, "%s", shown(text_of(&r->c[col]), buf, sizeof buf));
    const char *what = f == F_SCENARIO ? "each key once"
                       : f == F_LEGS ? "one row per from and to"
                       : f == F_DEMAND ? "one row per origin and destination"
                       : f == F_DISRUPTIONS ? "one row per target and start_d"
                       : f == F_SEASONALITY ? "one row per origin and month"
                                            : "a unique id";
    diag_error(L->d, &r->c[col].at, "%s: expected %s, got \"%s\" again (first on line %u)",
               sc->cols[col].name, what, shownkey, first->at.line);
}

/* A row a --what-if adds whose key a row of the scenario already has:
 * which one was meant cannot be told, as with two settings of one cell. */
static void key_taken(struct loader *L, enum file_id f, const struct record *r, const struct record *there)
{
    const struct schema *sc = &schemas[f];
    char key[256], id[256];
    if (sc->n_key == 1)
        snprintf(id, sizeof id, "%s", shown(text_of(&r->c[0]), key, sizeof key));
    else
        snprintf(id, sizeof id, "%s-%s", shown(text_of(&r->c[0]), key, sizeof key), text_of(&r->c[1]));
    diag_error(L->d, &r->c[sc->n_key - 1].at, "%s: expected a row no file has yet (a --what-if row adds one), "
               "got %s, which %s:%u already has; change its cells with --what-if '%s.%s.COLUMN=VALUE'",
               sc->cols[sc->n_key - 1].name, id, there->at.file, there->at.line, sc->set_name, id);
}

static int paren_balance(const char *t)
{
    int b = 0;
    for (; *t; t++)
        b += (*t == '(') - (*t == ')');
    return b;
}

/* A distribution written unquoted, lognormal(8.5,0.4), arrives as two
 * fields. In a row with more fields than the header, fields that open a
 * parenthesis are joined with the ones that close it, so that hand-written
 * files work; a row of the right length is never touched. */
static void join_distributions(struct loader *L, struct csvread_row *row, char delim)
{
    size_t out = 0;
    for (size_t i = 0; i < row->n_fields && !L->nomem; out++) {
        struct csvread_field f = row->fields[i++];
        int bal = paren_balance(f.text);
        if (bal > 0 && strchr(f.text, '(')) {
            size_t j = i;
            int b = bal;
            while (j < row->n_fields && b > 0)
                b += paren_balance(row->fields[j++].text);
            if (b == 0) {
                size_t len = strlen(f.text);
                for (size_t k = i; k < j; k++)
                    len += 1 + strlen(row->fields[k].text);
                char *joined = keep(L, malloc(len + 1));  /* the table owns the pieces */
                if (!joined)
                    return;
                strcpy(joined, f.text);
                for (size_t k = i; k < j; k++) {
                    strcat(joined, delim == ';' ? ";" : ",");
                    strcat(joined, row->fields[k].text);
                }
                f.text = joined;
                i = j;
            }
        }
        row->fields[out] = f;
    }
    row->n_fields = out;
}

/* Whether an id given to --set or in a proposal's key cell is a pattern:
 * ids never hold '*', '?' or '[' (valid_id), so these can only mean a glob. */
static bool is_pattern(const char *t)
{
    return strpbrk(t, "*?[") != NULL;
}

/* The text a relative change "COLUMN*=FACTOR" gives a cell: its number
 * times the factor, written so that it reads back as the same double. An
 * empty cell (0 or no value) stays empty. Reports and returns NULL when the
 * cell holds no number. */
static const char *multiplied(struct loader *L, const struct cell *old, double factor,
                              const char *column, const struct diag_at *at)
{
    const char *t = text_of(old);
    if (!t[0])
        return "";
    double v;
    if (!parse_number(old, t, &v)) {
        char buf[256];
        diag_error(L->d, at, "%s: expected a number to multiply, got \"%s\"", column,
                   shown(t, buf, sizeof buf));
        return NULL;
    }
    return keep_printf(L, "%.17g", v * factor);
}

/* Whether a proposal row's key cells hold a glob pattern (see is_pattern). */
static bool key_is_pattern(enum file_id f, const struct record *r)
{
    bool any = false;
    for (size_t k = 0; k < schemas[f].n_key; k++)
        any |= r->c[k].text && is_pattern(r->c[k].text);
    /* seasonality's origin "*" is a row of its own: every origin */
    return f != F_SCENARIO && f != F_SEASONALITY && any;
}

/* Whether the key cells of pattern row p match row r: each as a glob,
 * except a disruption's literal start_d, compared as a number. */
static bool key_matches(enum file_id f, const struct record *p, const struct record *r)
{
    for (size_t k = 0; k < schemas[f].n_key; k++) {
        const char *pt = text_of(&p->c[k]), *rt = text_of(&r->c[k]);
        double a, b;
        if (f == F_DISRUPTIONS && k == X_START && !is_pattern(pt)) {
            if (!parse_number(&p->c[k], pt, &a) || !parse_number(&r->c[k], rt, &b) || a != b)
                return false;
        } else if (fnmatch(pt, rt, 0) != 0) {
            return false;
        }
    }
    return true;
}

/* A proposal row whose key is a pattern changes every row that matches it
 * (rows the proposal added included): a cell "*F" multiplies the row's
 * number by F, an empty cell leaves it, any other replaces it. A pattern
 * that matches no row is an error at its key. */
static void apply_pattern_row(struct loader *L, enum file_id f, const struct record *p)
{
    const struct schema *sc = &schemas[f];
    double factor[MAX_COLS];
    for (size_t c = sc->n_key; c < sc->n_cols; c++) {
        const struct cell *pc = &p->c[c];
        if (pc->text && pc->text[0] == '*' &&
            (!parse_number(pc, pc->text + 1, &factor[c]) || !isfinite(factor[c]))) {
            bad_cell(L, pc, sc->cols[c].name, "a factor such as *1.3, a value or empty");
            return;
        }
    }
    size_t matched = 0;
    for (size_t i = 0; i < L->recs[f].n && !L->nomem; i++) {
        struct record *r = &L->recs[f].r[i];
        if (!r->shape_ok || !key_matches(f, p, r))
            continue;
        matched++;
        if (r->replaced == SIZE_MAX && r->c[0].origin == 0) {
            struct record *old = push_record(L, &L->replaced[f]);  /* as a replaced row */
            if (!old)
                return;
            *old = *r;
            r->replaced = L->replaced[f].n - 1;
        }
        for (size_t c = sc->n_key; c < sc->n_cols; c++) {
            const struct cell *pc = &p->c[c];
            if (!pc->text || !pc->text[0])
                continue;
            if (pc->text[0] != '*') {
                r->c[c] = *pc;
                continue;
            }
            const char *t = multiplied(L, &r->c[c], factor[c], sc->cols[c].name, &pc->at);
            if (t)
                r->c[c] = (struct cell){t, pc->at, 1, ','};
        }
    }
    if (matched == 0 && !L->nomem) {
        size_t k = is_pattern(text_of(&p->c[0])) ? 0 : 1;
        bad_cell_then(L, &p->c[k], sc->cols[k].name, "a pattern that matches at least one row",
                      ", which matches none");
    }
}

static void merge_rows(struct loader *L, int which, enum file_id f, struct csvread_table *t,
                       const char *path, bool added);

/* Reads one file of one source into records and merges them into L->recs. */
static void load_file(struct loader *L, int which, enum file_id f)
{
    const struct schema *sc = &schemas[f];
    const struct source *s = &L->src[which];
    const char *path = keep_printf(L, "%s/%s", s->dir, sc->file);
    if (!path)
        return;
    char *data = NULL;
    size_t len = 0;
    bool missing;
    if (!read_source_file(L, which, sc->file, &data, &len, &missing, path)) {
        if (missing && which == 0 && sc->required_file) {
            struct diag_at at = {path, 0, 0};
            char cols[256];
            column_list(sc, cols, sizeof cols);
            diag_error(L->d, &at, "expected a file with columns %s, got no such file", cols);
            L->usable[f] = false;
        } else if (!missing) {
            L->usable[f] = false;
        }
        return;
    }
    struct csvread_table *t = &L->tables[which][f];
    enum rm_status rc = csvread_parse(path, data, len, t, L->d);
    free(data);
    if (rc == RM_ENOMEM) {
        L->nomem = true;
        return;
    }
    if (rc != RM_OK)
        L->usable[f] = false;  /* rows after a syntax error are lost */
    for (size_t i = 0; i < t->n_rows; i++)
        for (size_t j = 0; j < t->rows[i].n_fields; j++)
            trim(t->rows[i].fields[j].text);

    if (t->n_rows == 0) {
        if (rc == RM_OK) {
            char cols[256];
            column_list(sc, cols, sizeof cols);
            diag_error(L->d, &(struct diag_at){path, 0, 0}, "expected a header row (%s), got an empty file", cols);
        }
        L->usable[f] = false;
        return;
    }
    merge_rows(L, which, f, t, path, false);
}

/* Merges the rows of t, file f of source `which` read from `path`, into
 * L->recs: a base row is appended, an overlay row replaces the row with
 * its key or is appended. A row a --what-if adds (`added`) must have a
 * key no row has yet. */
static void merge_rows(struct loader *L, int which, enum file_id f, struct csvread_table *t,
                       const char *path, bool added)
{
    const struct schema *sc = &schemas[f];
    char cols[256];
    column_list(sc, cols, sizeof cols);

    /* The header: which field holds which column. */
    const struct csvread_row *h = &t->rows[0];
    size_t field_of[MAX_COLS];
    for (size_t c = 0; c < MAX_COLS; c++)
        field_of[c] = SIZE_MAX;
    bool header_ok = true;
    for (size_t j = 0; j < h->n_fields; j++) {
        const struct csvread_field *hf = &h->fields[j];
        struct diag_at at = {path, hf->line, hf->col};
        char buf[256];
        size_t c = 0;
        while (c < sc->n_cols && strcmp(sc->cols[c].name, hf->text) != 0)
            c++;
        if (c == sc->n_cols) {
            diag_error(L->d, &at, "expected a column name among %s, got \"%s\"", cols,
                       shown(hf->text, buf, sizeof buf));
            header_ok = false;
        } else if (field_of[c] != SIZE_MAX) {
            diag_error(L->d, &at, "%s: expected each column once, got it again",
                       sc->cols[c].name);
            header_ok = false;
        } else {
            field_of[c] = j;
        }
    }
    for (size_t c = 0; c < sc->n_cols; c++) {
        if (sc->cols[c].required && field_of[c] == SIZE_MAX) {
            struct diag_at at = {path, h->line, 0};
            diag_error(L->d, &at, "%s: expected a column of that name in the header, "
                       "got none", sc->cols[c].name);
            header_ok = false;
        }
    }
    if (!header_ok) {
        L->usable[f] = false;
        return;
    }

    /* The rows go straight into the merged list: a base row is appended,
     * an overlay row replaces the row with its key or is appended. `seen`
     * finds this file's own duplicates: for the base, the merged index
     * itself (it holds nothing else yet); for an overlay, one of its own,
     * pointing into the merged list. */
    struct records *all = &L->recs[f];
    struct index overlay_ix = {0};
    struct records patterns = {0};
    struct index *seen = which == 0 ? &L->by_key[f] : &overlay_ix;
    /* Room for every row at once: no copies as the lists grow. */
    if (all->cap < all->n + t->n_rows) {
        struct record *grown = realloc(all->r, (all->n + t->n_rows) * sizeof *grown);
        if (!grown) {
            L->nomem = true;
            return;
        }
        all->r = grown;
        all->cap = all->n + t->n_rows;
    }
    index_reserve(L, &L->by_key[f], t->n_rows);
    if (which == 1)
        index_reserve(L, &overlay_ix, t->n_rows);
    for (size_t i = 1; i < t->n_rows && !L->nomem; i++) {
        if (t->rows[i].n_fields > h->n_fields)
            join_distributions(L, &t->rows[i], t->delim);
        const struct csvread_row *row = &t->rows[i];
        struct record r = {.at = {path, row->line, 0}, .replaced = SIZE_MAX};
        r.shape_ok = row->n_fields == h->n_fields;
        if (!r.shape_ok)
            diag_error(L->d, &r.at, "expected %zu fields as in the header, got %zu",
                       h->n_fields, row->n_fields);
        for (size_t c = 0; c < sc->n_cols; c++) {
            size_t j = field_of[c];
            if (j == SIZE_MAX)
                continue;
            if (j < row->n_fields) {
                r.c[c].text = row->fields[j].text;
                r.c[c].at = (struct diag_at){path, row->fields[j].line, row->fields[j].col};
            } else {
                r.c[c].text = "";
                r.c[c].at = (struct diag_at){path, row->line, (unsigned)j + 1};
            }
            r.c[c].origin = which;
            r.c[c].sep = t->delim;
        }
        if (added && r.shape_ok && key_is_pattern(f, &r)) {
            diag_error(L->d, &r.c[0].at, "%s: expected the key of one new row, got a pattern", sc->cols[0].name);
            continue;
        }
        if (which == 1 && r.shape_ok && key_is_pattern(f, &r)) {
            struct record *later = push_record(L, &patterns);  /* after the literal rows */
            if (!later)
                break;
            *later = r;
            continue;
        }
        if (!(r.key = make_key(L, f, &r)))
            break;
        uint64_t hk = hash_text(r.key);
        size_t first = find_key(seen, all, r.key);
        if (first != SIZE_MAX) {
            duplicate_key(L, f, &r, &all->r[first]);
            continue;
        }
        size_t at = which == 1 ? record_find(L, f, r.key) : SIZE_MAX;
        if (added && at != SIZE_MAX) {
            key_taken(L, f, &r, &all->r[at]);
            continue;
        }
        if (at != SIZE_MAX) {
            /* Keep the base row: messages about what the change broke
             * compare with it. */
            struct record *old = push_record(L, &L->replaced[f]);
            if (!old)
                break;
            *old = all->r[at];
            r.replaced = L->replaced[f].n - 1;
            all->r[at] = r;
        } else {
            struct record *appended = push_record(L, all);
            if (!appended)
                break;
            *appended = r;
            at = all->n - 1;
            if (which == 1)
                index_add(L, &L->by_key[f], hk, at);
        }
        index_add(L, seen, hk, at);
    }
    index_fini(&overlay_ix);
    for (size_t i = 0; i < patterns.n && !L->nomem; i++)
        apply_pattern_row(L, f, &patterns.r[i]);
    free(patterns.r);
}

/* The header a --what-if row is read under: the overlay's file's, or the
 * base's, or where the scenario has no such file, every column of the
 * file in the documented order. */
static void header_of(const struct loader *L, enum file_id f, struct strbuf *b)
{
    const struct csvread_table *t = L->tables[1][f].n_rows ? &L->tables[1][f] : &L->tables[0][f];
    if (t->n_rows)
        for (size_t j = 0; j < t->rows[0].n_fields; j++)
            strbuf_printf(b, "%s%s", j ? "," : "", t->rows[0].fields[j].text);
    else
        for (size_t c = 0; c < schemas[f].n_cols; c++)
            strbuf_printf(b, "%s%s", c ? "," : "", schemas[f].cols[c].name);
}

/* Adds the row of --what-if i, "FILE.csv=ROW" (FILE.csv as the
 * scenario's files are named), read in the columns of the scenario's own
 * file; its messages name "--what-if FILE.csv", line 1, and the field.
 * The text is part of the scenario's key: it changes what is simulated. */
static void add_row(struct loader *L, size_t i)
{
    const char *text = L->rows[i], *eq = strchr(text, '=');
    enum file_id f = F_SCENARIO;
    while (f < N_FILES && (!eq || strlen(schemas[f].file) != (size_t)(eq - text)
                           || strncmp(schemas[f].file, text, (size_t)(eq - text))))
        f++;
    if (f == N_FILES) {
        char buf[256];
        diag_error(L->d, NULL, "--what-if \"%s\": expected FILE.csv=ROW, FILE.csv one of the scenario's files "
                   "(nodes.csv, legs.csv, services.csv, demand.csv, disruptions.csv, seasonality.csv), or "
                   "FILE.ID.COLUMN=VALUE", shown(text, buf, sizeof buf));
        return;
    }
    uint8_t role = 3;  /* after base, overlay and --set */
    sha256_update(&L->key, 1, &role);
    sha256_update(&L->key, strlen(text) + 1, (const uint8_t *)text);
    if (!L->usable[f])
        return;  /* its own file is broken, and said so */
    struct strbuf data = {0};
    header_of(L, f, &data);
    strbuf_printf(&data, "\n%s\n", eq + 1);
    const char *label = keep_printf(L, "--what-if %s", schemas[f].file);
    struct csvread_table *t = &L->added[i];
    if (data.oom || !label || csvread_parse(label, strbuf_str(&data), strlen(strbuf_str(&data)), t, L->d) == RM_ENOMEM)
        L->nomem = true;
    strbuf_fini(&data);
    if (L->nomem || t->n_rows != 2) {
        if (!L->nomem && t->n_rows > 2)
            diag_error(L->d, &(struct diag_at){label, 1, 0}, "expected one row, got %zu", t->n_rows - 1);
        return;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        t->rows[r].line = 1;  /* the row the argument adds, whatever its header */
        for (size_t j = 0; j < t->rows[r].n_fields; j++) {
            trim(t->rows[r].fields[j].text);
            t->rows[r].fields[j].line = 1;
        }
    }
    merge_rows(L, 1, f, t, label, true);
}

/* An option --what-if builds is described by its changes, as a proposal
 * is by its description.txt. */
static void what_if_description(struct loader *L)
{
    struct strbuf b = {0};
    strbuf_printf(&b, "the baseline changed by --what-if:");
    for (size_t i = 0; i < L->n_rows; i++)
        strbuf_printf(&b, "%s %s", i ? ";" : "", L->rows[i]);
    L->description_txt = keep(L, strbuf_take(&b));
}

static void load_description_txt(struct loader *L)
{
    const struct source *s = &L->src[1];
    const char *path = keep_printf(L, "%s/description.txt", s->dir);
    if (!path)
        return;
    char *data = NULL;
    size_t len = 0;
    bool missing;
    if (!read_source_file(L, 1, "description.txt", &data, &len, &missing, path)) {
        if (missing) {
            struct diag_at at = {path, 0, 0};
            diag_warn(L->d, &at, "expected a file saying what the proposal changes, "
                      "got no such file");
        }
        return;
    }
    trim(data);
    L->description_txt = keep(L, data);
}

/* ---- stage 2: --set overrides ----------------------------------------- */

/* Finds the row a --set names: ids may contain '-', so FROM-TO keys are
 * tried at every '-' and TARGET-START_D at the last. */
static size_t find_set_row(struct loader *L, enum file_id f, const char *id)
{
    if (schemas[f].n_key == 1)
        return record_find(L, f, id);
    size_t n = strlen(id);
    char *tmp = malloc(n + 1);
    if (!tmp) {
        L->nomem = true;
        return SIZE_MAX;
    }
    size_t found = SIZE_MAX;
    for (size_t i = n; i-- > 0 && found == SIZE_MAX;) {
        if (id[i] != '-')
            continue;
        memcpy(tmp, id, n + 1);
        tmp[i] = '\x1f';
        if (f == F_DISRUPTIONS) {
            double v;
            tmp[i] = '\0';
            if (!num_parse(tmp + i + 1, strlen(tmp + i + 1), '.', &v))
                break;
            char *key = keep_printf(L, "%s\x1f%.17g", tmp, v);
            if (key)
                found = record_find(L, f, key);
            break;  /* only the last '-' */
        }
        found = record_find(L, f, tmp);
    }
    free(tmp);
    return found;
}

/* A --set that changes what replications simulate belongs to the key;
 * how many run and the interval's confidence do not. */
static void key_set(struct loader *L, const char *set)
{
    static const char *const outside[] = { "scenario.replications=", "scenario.replications.value=",
                                           "scenario.confidence=", "scenario.confidence.value=" };
    for (size_t i = 0; i < sizeof outside / sizeof *outside; i++)
        if (!strncmp(set, outside[i], strlen(outside[i])))
            return;
    sha256_update(&L->key, strlen(set) + 1, (const uint8_t *)set);
}

/* A row's key as --set writes it: its key columns joined by '-'. */
static const char *shown_key(struct loader *L, enum file_id f, const struct record *r)
{
    if (schemas[f].n_key == 1)
        return text_of(&r->c[0]);
    return keep_printf(L, "%s-%s", text_of(&r->c[0]), text_of(&r->c[1]));
}

/* Sets column c of record r to `value`, or multiplies it by `factor` when
 * `relative`, as written at `at` by a --set. A cell that an earlier --set
 * (a -d, -r or -s, a --vary, a pattern) already set is refused, with both:
 * which one was meant cannot be told. */
static void set_cell(struct loader *L, enum file_id f, struct record *r, size_t c,
                     const char *value, bool relative, double factor, const struct diag_at *at)
{
    if (r->c[c].origin == 2) {
        char now[128], then[128];
        diag_error(L->d, at, "%s: expected each cell set once (by --set, --vary, --what-if, -d, -r or -s), got \"%s%s\" "
                   "after \"%s\" from %s", schemas[f].cols[c].name, relative ? "*" : "",
                   shown(value, now, sizeof now), shown(text_of(&r->c[c]), then, sizeof then), r->c[c].at.file);
        return;
    }
    if (relative && !(value = multiplied(L, &r->c[c], factor, schemas[f].cols[c].name, at)))
        return;
    r->c[c] = (struct cell){value, *at, 2, ','};
}

/* A --set whose ID is a glob pattern: every row whose key (as --set writes
 * it) matches is changed; a pattern that matches no row is an error. */
static void apply_set_pattern(struct loader *L, enum file_id f, const char *pattern, size_t c,
                              const char *value, bool relative, double factor,
                              const struct diag_at *at)
{
    const struct schema *sc = &schemas[f];
    size_t matched = 0, not_numbers = 0;
    const struct record *first_bad = NULL;
    for (size_t i = 0; i < L->recs[f].n && !L->nomem; i++) {
        struct record *r = &L->recs[f].r[i];
        const char *key = shown_key(L, f, r);
        if (!key || fnmatch(pattern, key, 0) != 0)
            continue;
        matched++;
        double v;
        const char *t = text_of(&r->c[c]);
        if (relative && t[0] && !parse_number(&r->c[c], t, &v)) {  /* said once below, not per row */
            first_bad = first_bad ? first_bad : r;
            not_numbers++;
            continue;
        }
        set_cell(L, f, r, c, value, relative, factor, at);
    }
    if (first_bad) {  /* once, then which rows: not once per row */
        char buf[256], more[64] = "";
        if (not_numbers > 1)
            snprintf(more, sizeof more, " and %zu more", not_numbers - 1);
        diag_error(L->d, at, "%s: expected a number to multiply, got \"%s\"", sc->cols[c].name,
                   shown(text_of(&first_bad->c[c]), buf, sizeof buf));
        diag_error(L->d, at, "%s: no number to multiply in row %s%s of %s", sc->cols[c].name,
                   shown_key(L, f, first_bad), more, sc->file);
    }
    if (matched == 0 && !L->nomem) {
        char buf[256];
        const char *form = f == F_LEGS ? " (FROM-TO)" : f == F_DEMAND ? " (ORIGIN-DESTINATION)"
                           : f == F_DISRUPTIONS ? " (TARGET-START_D)"
                           : f == F_SEASONALITY ? " (ORIGIN-MONTH)" : "";
        diag_error(L->d, at, "expected a pattern matching the ID of at least one row of %s%s, "
                   "got \"%s\", which matches none", sc->file, form,
                   shown(pattern, buf, sizeof buf));
    }
}

static void apply_set(struct loader *L, const char *set, const char *option)
{
    key_set(L, set);
    const char *eq = strchr(set, '=');
    char buf[256];
    const char *label = keep_printf(L, "%s %.*s", option, eq ? (int)(eq - set) : (int)strlen(set),
                                    set);
    if (!label)
        return;
    struct diag_at at = {label, 0, 0};
    const char *dot = strchr(set, '.');
    if (!eq || !dot || dot > eq) {
        diag_error(L->d, &at, "expected FILE.ID.COLUMN=VALUE, got \"%s\"",
                   shown(set, buf, sizeof buf));
        return;
    }
    enum file_id f = F_SCENARIO;
    while (f < N_FILES && (strlen(schemas[f].set_name) != (size_t)(dot - set) ||
                           strncmp(schemas[f].set_name, set, (size_t)(dot - set)) != 0))
        f++;
    char *lhs = keep_printf(L, "%.*s", (int)(eq - dot - 1), dot + 1);
    char *value = keep_printf(L, "%s", eq + 1);
    if (!lhs || !value)
        return;
    trim(value);
    if (f == N_FILES) {
        diag_error(L->d, &at, "expected FILE among scenario, nodes, legs, services, "
                   "demand, disruptions, seasonality, got \"%s\"",
                   shown(keep_printf(L, "%.*s", (int)(dot - set), set), buf, sizeof buf));
        return;
    }
    const struct schema *sc = &schemas[f];
    if (!L->usable[f] && f != F_SCENARIO)
        return;  /* its file is already reported */
    /* "COLUMN*=FACTOR" multiplies what the cell holds. */
    size_t lhs_len = strlen(lhs);
    bool relative = lhs_len > 0 && lhs[lhs_len - 1] == '*';
    double factor = 1;
    if (relative) {
        lhs[--lhs_len] = '\0';
        if (!num_parse(value, strlen(value), '.', &factor) || !isfinite(factor)) {
            diag_error(L->d, &at, "expected a number to multiply by after \"*=\", got \"%s\"",
                       shown(value, buf, sizeof buf));
            return;
        }
    }
    if (f == F_SCENARIO) {
        size_t n = strlen(lhs);
        if (n > 6 && strcmp(lhs + n - 6, ".value") == 0)
            lhs[n - 6] = '\0';
        size_t i = record_find(L, f, lhs);
        if (relative && i == SIZE_MAX) {
            diag_error(L->d, &at, "expected a key that scenario.csv gives to multiply, "
                       "got \"%s\"", shown(lhs, buf, sizeof buf));
            return;
        }
        struct record *r = i != SIZE_MAX ? &L->recs[f].r[i] : push_record(L, &L->recs[f]);
        if (!r)
            return;
        if (i == SIZE_MAX) {
            *r = (struct record){.at = at, .key = lhs, .shape_ok = true, .replaced = SIZE_MAX};
            r->c[SC_KEY] = (struct cell){lhs, at, 2, ','};
            index_add(L, &L->by_key[f], hash_text(lhs), L->recs[f].n - 1);
        }
        set_cell(L, f, r, SC_VALUE, value, relative, factor, &at);
        return;
    }
    char *col = strrchr(lhs, '.');
    if (!col || col == lhs) {
        diag_error(L->d, &at, "expected FILE.ID.COLUMN=VALUE, got \"%s\"",
                   shown(set, buf, sizeof buf));
        return;
    }
    *col++ = '\0';
    size_t c = sc->n_key;
    while (c < sc->n_cols && strcmp(sc->cols[c].name, col) != 0)
        c++;
    if (c == sc->n_cols) {
        char cols[256];
        column_list(sc, cols, sizeof cols);
        bool is_key = false;
        for (size_t k = 0; k < sc->n_key; k++)
            is_key |= strcmp(sc->cols[k].name, col) == 0;
        diag_error(L->d, &at, "expected COLUMN among %s%s, got \"%s\"", cols,
                   is_key ? " other than the row key" : "", shown(col, buf, sizeof buf));
        return;
    }
    if (is_pattern(lhs)) {
        apply_set_pattern(L, f, lhs, c, value, relative, factor, &at);
        return;
    }
    size_t i = find_set_row(L, f, lhs);
    if (i == SIZE_MAX) {
        const char *form = f == F_LEGS ? " (FROM-TO)" : f == F_DEMAND ? " (ORIGIN-DESTINATION)"
                           : f == F_DISRUPTIONS ? " (TARGET-START_D)"
                           : f == F_SEASONALITY ? " (ORIGIN-MONTH)" : "";
        char hint[300] = "";
        if (sc->n_key == 1 && L->suggestions_left > 0) {
            L->suggestions_left--;
            struct suggestion g;
            suggest_start(&g, lhs);
            for (size_t k = 0; k < L->recs[f].n; k++)
                suggest_try(&g, L->recs[f].r[k].key);
            suggest_text(&g, hint, sizeof hint);
        }
        diag_error(L->d, &at, "expected ID of a row of %s%s, got \"%s\"%s", sc->file, form,
                   shown(lhs, buf, sizeof buf), hint);
        return;
    }
    set_cell(L, f, &L->recs[f].r[i], c, value, relative, factor, &at);
}

/* ---- stage 3: typed records ------------------------------------------- */

static const char *const node_kinds[] = {"origin", "border", "hub", "destination"};

const char *scenario_node_kind_name(enum scenario_node_kind kind)
{
    return (unsigned)kind < 4 ? node_kinds[kind] : "?";
}

size_t scenario_node_find(const struct scenario *s, const char *id)
{
    for (size_t i = 0; i < s->n_nodes; i++)
        if (s->nodes[i].id && strcmp(s->nodes[i].id, id) == 0)
            return i;
    return SIZE_MAX;
}

size_t scenario_leg_find(const struct scenario *s, size_t from, size_t to)
{
    for (size_t i = 0; i < s->n_legs; i++)
        if (s->legs[i].from == from && s->legs[i].to == to)
            return i;
    return SIZE_MAX;
}

/* The loader's lookups go through its indices: node i and service i are
 * record i of their files, whose keys are their ids. */
static size_t node_find(const struct loader *L, const struct scenario *s, const char *id)
{
    size_t i = record_find(L, F_NODES, id);
    return i < s->n_nodes ? i : SIZE_MAX;
}

static size_t service_find(const struct loader *L, const struct scenario *s, const char *id)
{
    size_t i = record_find(L, F_SERVICES, id);
    return i < s->n_services ? i : SIZE_MAX;
}

static uint64_t hash_ends(size_t from, size_t to)
{
    uint64_t h = (uint64_t)from * 0x9E3779B97F4A7C15u ^ (uint64_t)to;
    h ^= h >> 29;
    return h * 0xBF58476D1CE4E5B9u;
}

static bool same_ends(const void *list, size_t pos, const void *key)
{
    const struct scenario *s = list;
    const size_t *ends = key;
    return s->legs[pos].from == ends[0] && s->legs[pos].to == ends[1];
}

static size_t leg_find(const struct loader *L, const struct scenario *s, size_t from, size_t to)
{
    const size_t ends[2] = {from, to};
    return index_find(&L->legs_by_ends, hash_ends(from, to), same_ends, s, ends);
}

const char *scenario_basename(const struct scenario *s)
{
    const char *slash = strrchr(s->dir, '/');
    return slash && slash[1] ? slash + 1 : s->dir;
}

const char *scenario_set_file(size_t f)
{
    return f < N_FILES ? schemas[f].set_name : NULL;
}

const char *scenario_set_column(size_t f, size_t c)
{
    if (f == F_SCENARIO)
        return c < sizeof setting_keys / sizeof *setting_keys ? setting_keys[c] : NULL;
    return f < N_FILES && c < schemas[f].n_cols - schemas[f].n_key ? schemas[f].cols[schemas[f].n_key + c].name
                                                                    : NULL;
}

/* Writes "A-B" into buf, or NULL when it does not fit. */
static const char *pair_id(char *buf, size_t size, const char *a, const char *b)
{
    int n = snprintf(buf, size, "%s-%s", a, b);
    return n >= 0 && (size_t)n < size ? buf : NULL;
}

const char *scenario_set_id(const struct scenario *s, size_t f, size_t i, char *buf, size_t size)
{
    const struct scenario_node *nd = s->nodes;
    switch (f) {
    case F_NODES:
        return i < s->n_nodes ? nd[i].id : NULL;
    case F_LEGS:
        return i < s->n_legs ? pair_id(buf, size, nd[s->legs[i].from].id, nd[s->legs[i].to].id) : NULL;
    case F_SERVICES:
        return i < s->n_services ? s->services[i].id : NULL;
    case F_DEMAND:
        return i < s->n_demand ? pair_id(buf, size, nd[s->demand[i].origin].id, nd[s->demand[i].destination].id)
                               : NULL;
    case F_DISRUPTIONS: {
        if (i >= s->n_disruptions)
            return NULL;
        const struct scenario_disruption *x = &s->disruptions[i];
        char start[32];  /* --set compares start days as numbers: the shortest that reads back */
        snprintf(start, sizeof start, "%.15g", x->start_d);
        if (strtod(start, NULL) != x->start_d)
            snprintf(start, sizeof start, "%.17g", x->start_d);
        return pair_id(buf, size, x->target_kind == TARGET_NODE ? nd[x->target].id : s->services[x->target].id,
                       start);
    }
    default:  /* scenario.csv has keys, not rows; seasonality's rows are folded into demand */
        return NULL;
    }
}

/* Resolves a node reference; reports it unless nodes.csv is unusable. */
static size_t node_ref(struct loader *L, const struct scenario *s, const struct cell *c,
                       const char *column)
{
    size_t i = node_find(L, s, text_of(c));
    if (i == SIZE_MAX && L->usable[F_NODES]) {
        char hint[300];
        bad_cell_then(L, c, column, "a node id from nodes.csv",
                      suggest_id(L, s, text_of(c), true, false, hint, sizeof hint));
    }
    return i;
}

/* start_date: the calendar day simulated day 0 is, as ISO 8601. */
static void convert_start_date(struct loader *L, struct scenario *s, const struct cell *c)
{
    const char *t = text_of(c);
    if (calendar_parse(t, &s->start_day))
        return;
    /* A month that parses with day 01 has fewer days than the date says. */
    char first[11], next[11];
    int32_t a, b;
    unsigned y, m;
    if (strlen(t) == 10 && sscanf(t, "%4u-%2u", &y, &m) == 2 && snprintf(first, sizeof first, "%.8s01", t) == 10
        && calendar_parse(first, &a)) {
        snprintf(next, sizeof next, "%04u-%02u-01", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
        char expected[96];
        snprintf(expected, sizeof expected, "a day of that month (%.7s has %d days)", t,
                 calendar_parse(next, &b) ? (int)(b - a) : 31);
        bad_cell(L, c, "start_date", expected);
        return;
    }
    bad_cell(L, c, "start_date", "a date YYYY-MM-DD from 1900-01-01 to 2999-12-31");
}

/* currency: an ISO 4217 code, printed with every cost. */
static void convert_currency(struct loader *L, struct scenario *s, const struct cell *c)
{
    const char *t = text_of(c);
    bool ok = strlen(t) == 3;
    for (size_t i = 0; ok && i < 3; i++)
        ok = t[i] >= 'A' && t[i] <= 'Z';
    if (!ok)
        bad_cell(L, c, "currency", "a currency code of three capital letters such as USD or EUR");
    else
        memcpy(s->currency, t, 4);
}

/* kind: whether the scenario is a decision (an option to adopt, the
 * default) or a forecast (demand or an external change nobody decides),
 * which compare reports as "what if" with neutral verdicts. */
static void convert_kind(struct loader *L, struct scenario *s, const struct cell *c)
{
    const char *t = text_of(c);
    if (!strcmp(t, "forecast"))
        s->forecast = true;
    else if (!strcmp(t, "decision"))
        s->forecast = false;
    else
        bad_cell(L, c, "kind", "decision or forecast");
}

/* threshold.METRIC,VALUE: compare's practical threshold for a metric, a
 * number in its unit or a percentage of the baseline's mean ("1%"). */
static void convert_threshold(struct loader *L, struct scenario *s, const struct record *r)
{
    static const char prefix[] = "threshold.";
    const struct metric *mt = metric_find(text_of(&r->c[SC_KEY]) + sizeof prefix - 1);
    if (!mt) {
        char expected[128];
        snprintf(expected, sizeof expected, "threshold.METRIC with a metric railmail reports, e.g. threshold.%s",
                 metric_name(METRIC_TRANSIT_MEAN));
        bad_cell(L, &r->c[SC_KEY], "key", expected);
        return;
    }
    if (!r->shape_ok)
        return;
    const struct cell *c = &r->c[SC_VALUE];
    const char *t = text_of(c);
    size_t len = strlen(t);
    bool relative = len > 0 && t[len - 1] == '%';
    char number[NUM_MAX_LEN + 1];
    double v;
    bool ok = len - relative < sizeof number;
    if (ok) {
        memcpy(number, t, len - relative);
        number[len - relative] = '\0';
        ok = parse_number(c, number, &v) && v >= 0;
    }
    if (!ok) {
        bad_cell(L, c, text_of(&r->c[SC_KEY]), "a number >= 0 in the metric's unit, or a percentage "
                 "of the baseline's mean such as 1%");
        return;
    }
    struct scenario_threshold *grown = realloc(s->thresholds, (s->n_thresholds + 1) * sizeof *grown);
    if (!grown) {
        L->nomem = true;
        return;
    }
    s->thresholds = grown;
    s->thresholds[s->n_thresholds++] = (struct scenario_threshold){ mt, { v, relative } };
}

static void convert_settings(struct loader *L, struct scenario *s)
{
    const char *const *keys = setting_keys;
    enum { N_KEYS = sizeof setting_keys / sizeof *setting_keys };
    const struct cell *cell_of[N_KEYS] = {0};
    const struct records *rs = &L->recs[F_SCENARIO];
    for (size_t i = 0; i < rs->n; i++) {
        const struct record *r = &rs->r[i];
        if (!strncmp(text_of(&r->c[SC_KEY]), "threshold.", 10)) {
            convert_threshold(L, s, r);
            continue;
        }
        size_t k = 0;
        while (k < N_KEYS && strcmp(keys[k], text_of(&r->c[SC_KEY])) != 0)
            k++;
        if (k == N_KEYS) {
            bad_cell(L, &r->c[SC_KEY], "key", "one of name, description, horizon_d, "
                     "warmup_d, replications, seed, service_standard_d, confidence, start_date, "
                     "currency, kind, runout_d, threshold.METRIC");
            continue;
        }
        if (r->shape_ok)
            cell_of[k] = &r->c[SC_VALUE];
    }
    /* The name becomes a directory under results/, so it must be one. */
    const char *name = cell_of[0] ? text_of(cell_of[0]) : "";
    bool name_ok = strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
    for (const char *p = name; *p; p++)
        name_ok &= *p != '/' && *p != '\\' && (unsigned char)*p >= 0x20 && *p != 0x7f;
    if (!name_ok)
        bad_cell(L, cell_of[0], "name", "a name without '/', '\\' or control characters "
                 "that is not \".\" or \"..\"");
    if (name[0] && name_ok)
        s->name = dup_or_null(name);
    else
        s->name = dup_or_null(scenario_basename(s));
    /* Both head the result files: a spreadsheet must not take either for a formula. */
    if (name[0] && name_ok && csvwrite_is_formula(name))
        bad_cell(L, cell_of[0], "name", "a name that does not begin with '=', '+', '-' or '@' (a "
                 "spreadsheet would read it as a formula)");
    if (csvwrite_is_formula(scenario_basename(s)))
        diag_error(L->d, NULL, "%s: expected a scenario directory whose name does not begin with '=', "
                   "'+', '-' or '@' (a spreadsheet would read it as a formula); rename it", s->dir);
    /* A proposal's description.txt wins over the baseline's description,
     * not over one the proposal or a --set gives. */
    const char *desc = cell_of[1] ? text_of(cell_of[1]) : "";
    if (L->description_txt && (!cell_of[1] || cell_of[1]->origin == 0))
        desc = L->description_txt;
    s->description = dup_or_null(desc);
    if (!s->name || !s->description)
        L->nomem = true;

    bool horizon_ok = true;
    if (cell_of[2])
        horizon_ok = get_number(L, cell_of[2], "horizon_d", 0, GT, MAX_HORIZON_D,
                                "a number > 0 and <= 36500", &s->horizon_d);
    bool warmup_ok = true;
    if (cell_of[3])
        warmup_ok = get_number(L, cell_of[3], "warmup_d", 0, GE, INFINITY, "a number >= 0",
                               &s->warmup_d);
    if (horizon_ok && warmup_ok && s->warmup_d >= s->horizon_d) {
        char expected[96];
        /* The later of the two (a proposal's or a --set's over the base)
         * is the one that broke the pair. */
        if (cell_of[3] && (!cell_of[2] || cell_of[3]->origin >= cell_of[2]->origin)) {
            snprintf(expected, sizeof expected, "a number < horizon_d (%g)", s->horizon_d);
            bad_cell(L, cell_of[3], "warmup_d", expected);
        } else {
            snprintf(expected, sizeof expected, "a number > warmup_d (%g)", s->warmup_d);
            bad_cell(L, cell_of[2], "horizon_d", expected);
        }
    }
    uint64_t u;
    if (cell_of[4]) {
        if (!num_parse_whole(text_of(cell_of[4]), &u) || u < 1 || u > MAX_REPLICATIONS) {
            char expected[64];
            snprintf(expected, sizeof expected, "a whole number from 1 to %u", MAX_REPLICATIONS);
            bad_cell(L, cell_of[4], "replications", expected);
        } else
            s->replications = (unsigned)u;
    }
    if (cell_of[5]) {
        if (!num_parse_whole(text_of(cell_of[5]), &u))
            bad_cell(L, cell_of[5], "seed",
                     "a whole number from 0 to 18446744073709551615");
        else
            s->seed = u;
    }
    if (cell_of[6])
        get_number(L, cell_of[6], "service_standard_d", 0, GT, MAX_HORIZON_D,
                   "a number > 0 and <= 36500", &s->service_standard_d);
    if (cell_of[7])
        get_number(L, cell_of[7], "confidence", 0, GT, nextafter(1.0, 0.0),
                   "a number > 0 and < 1", &s->confidence);
    if (cell_of[8])
        convert_start_date(L, s, cell_of[8]);
    if (cell_of[9])
        convert_currency(L, s, cell_of[9]);
    if (cell_of[10])
        convert_kind(L, s, cell_of[10]);
    /* by default three service standards: mail still on the way then is
     * stuck, not slow (a proposal's own standard moves it too) */
    s->runout_d = 3 * s->service_standard_d;
    if (cell_of[11])
        get_number(L, cell_of[11], "runout_d", 0, GE, MAX_HORIZON_D, "a number >= 0 and <= 36500", &s->runout_d);
}

static void convert_nodes(struct loader *L, struct scenario *s)
{
    const struct records *rs = &L->recs[F_NODES];
    s->nodes = calloc(rs->n ? rs->n : 1, sizeof *s->nodes);
    if (!s->nodes) {
        L->nomem = true;
        return;
    }
    for (size_t i = 0; i < rs->n; i++) {
        const struct record *r = &rs->r[i];
        struct scenario_node *n = &s->nodes[s->n_nodes++];
        n->id = dup_or_null(text_of(&r->c[N_ID]));
        if (!n->id) {
            L->nomem = true;
            return;
        }
        if (!valid_id(n->id))
            bad_cell(L, &r->c[N_ID], "id", ID_EXPECTED);
        if (!r->shape_ok)
            continue;
        n->name = dup_or_null(text_of(&r->c[N_NAME])[0] ? text_of(&r->c[N_NAME]) : n->id);
        n->country = dup_or_null(text_of(&r->c[N_COUNTRY]));
        if (!n->name || !n->country) {
            L->nomem = true;
            return;
        }
        const char *kind = text_of(&r->c[N_KIND]);
        size_t k = 0;
        while (k < 4 && strcmp(node_kinds[k], kind) != 0)
            k++;
        if (k == 4)
            bad_cell(L, &r->c[N_KIND], "kind", "origin, border, hub or destination");
        else
            n->kind = (enum scenario_node_kind)k;
        const char *servers = text_of(&r->c[N_SERVERS]);
        uint64_t u;
        if (!servers[0])
            n->servers = 0;
        else if (!num_parse_whole(servers, &u) || u < 1 || u > MAX_SERVERS)
            bad_cell(L, &r->c[N_SERVERS], "servers",
                     "a whole number >= 1 and <= 10000, or empty for no limit");
        else
            n->servers = (unsigned)u;
        get_dist(L, &r->c[N_DWELL], "dwell_h", &n->dwell_h);
        const char *scan = text_of(&r->c[N_SCAN]);
        if (!scan[0] || strcmp(scan, "0") == 0)
            n->scan = false;
        else if (strcmp(scan, "1") == 0)
            n->scan = true;
        else
            bad_cell(L, &r->c[N_SCAN], "scan", "0, 1 or empty");
    }
}

/* Default intensities, g CO2e per tonne-km, by mode; the scenario README's
 * "Carbon" section cites each: rail and truck the CE Delft/KiM 2014 figures,
 * air an official long-haul air freight factor (radiative forcing
 * included), sea GLEC's container trade-lane figure at 10 t per TEU, and
 * electric and diesel rail a split of the rail mix (assumed). */
#define INTENSITY_RAIL 11.3
#define INTENSITY_RAIL_ELECTRIC 8.07
#define INTENSITY_RAIL_DIESEL 24.2
#define INTENSITY_TRUCK 90.3
#define INTENSITY_AIR 1134.0
#define INTENSITY_SEA 8.04
static const struct { const char *name; double g_per_tkm; } modes[N_MODES] = {
    [MODE_NONE] = {NULL, NAN},
    [MODE_RAIL_ELECTRIC] = {"rail_electric", INTENSITY_RAIL_ELECTRIC},
    [MODE_RAIL_DIESEL] = {"rail_diesel", INTENSITY_RAIL_DIESEL},
    [MODE_RAIL] = {"rail", INTENSITY_RAIL},
    [MODE_TRUCK] = {"truck", INTENSITY_TRUCK},
    [MODE_AIR] = {"air", INTENSITY_AIR},
    [MODE_SEA] = {"sea", INTENSITY_SEA},
};

const char *scenario_mode_name(enum scenario_mode m)
{
    return m < N_MODES ? modes[m].name : NULL;
}

double scenario_mode_g_per_tkm(enum scenario_mode m)
{
    return m < N_MODES ? modes[m].g_per_tkm : NAN;
}

/* mode and co2_g_per_tkm: the leg's intensity is the one given, else its
 * mode's default, else unknown (NaN: no carbon figures). */
static void convert_leg_carbon(struct loader *L, const struct record *r, struct scenario_leg *g)
{
    g->mode = MODE_NONE;
    g->co2_g_per_tkm = NAN;
    const char *mode = r->c[L_MODE].text ? r->c[L_MODE].text : "";
    if (mode[0]) {
        size_t m = 1;
        while (m < N_MODES && strcmp(modes[m].name, mode) != 0)
            m++;
        if (m == N_MODES)
            bad_cell(L, &r->c[L_MODE], "mode",
                     "rail_electric, rail_diesel, rail, truck, air, sea or empty");
        else {
            g->mode = (enum scenario_mode)m;
            g->co2_g_per_tkm = modes[m].g_per_tkm;
        }
    }
    if (r->c[L_CO2].text && r->c[L_CO2].text[0])
        get_number(L, &r->c[L_CO2], "co2_g_per_tkm", 0, GE, 1e6, "a number >= 0 or empty",
                   &g->co2_g_per_tkm);
}

static void convert_legs(struct loader *L, struct scenario *s)
{
    const struct records *rs = &L->recs[F_LEGS];
    s->legs = calloc(rs->n ? rs->n : 1, sizeof *s->legs);
    if (!s->legs) {
        L->nomem = true;
        return;
    }
    for (size_t i = 0; i < rs->n; i++) {
        const struct record *r = &rs->r[i];
        struct scenario_leg *g = &s->legs[s->n_legs++];
        g->from = node_ref(L, s, &r->c[L_FROM], "from");
        g->to = node_ref(L, s, &r->c[L_TO], "to");
        if (g->from != SIZE_MAX && g->from == g->to)
            bad_cell(L, &r->c[L_TO], "to", "a node other than from");
        if (g->from != SIZE_MAX && g->to != SIZE_MAX &&
            leg_find(L, s, g->from, g->to) == SIZE_MAX)
            index_add(L, &L->legs_by_ends, hash_ends(g->from, g->to), s->n_legs - 1);
        if (!r->shape_ok)
            continue;
        get_number(L, &r->c[L_KM], "km", 0, GE, INFINITY, "a number >= 0", &g->km);
        get_dist(L, &r->c[L_TIME], "time_h", &g->time_h);
        convert_leg_carbon(L, r, g);
    }
}

/* Parses "A>B>C" into node and leg indices; reports what is wrong.
 * stamp[n] == mark when node n is already on this route (mark is unique to
 * the route), so a repeated stop is found in constant time. */
static void convert_route(struct loader *L, struct scenario *s, const struct cell *c,
                          struct scenario_service *v, size_t *stamp, size_t mark)
{
    const char *t = text_of(c);
    char buf[256], buf2[256];
    size_t stops = 1;
    for (const char *p = t; *p; p++)
        stops += *p == '>';
    v->route = calloc(stops, sizeof *v->route);
    v->legs = calloc(stops, sizeof *v->legs);
    char *copy = dup_or_null(t);
    if (!v->route || !v->legs || !copy) {
        free(copy);
        L->nomem = true;
        return;
    }
    bool ok = true;
    char *p = copy;
    for (size_t i = 0; i < stops; i++) {
        char *end = strchr(p, '>');
        if (end)
            *end = '\0';
        trim(p);
        if (!p[0]) {
            ok = false;
        } else {
            size_t n = node_find(L, s, p);
            if (n == SIZE_MAX) {
                char hint[300];
                if (L->usable[F_NODES])
                    diag_error(L->d, &c->at, "route: expected node ids from nodes.csv, "
                               "got \"%s\" in \"%s\"%s", shown(p, buf, sizeof buf),
                               shown(t, buf2, sizeof buf2),
                               suggest_id(L, s, p, true, false, hint, sizeof hint));
                ok = false;
            }
            if (n != SIZE_MAX && stamp[n] == mark) {
                diag_error(L->d, &c->at, "route: expected each node once, got \"%s\" "
                           "twice in \"%s\"", shown(p, buf, sizeof buf),
                           shown(t, buf2, sizeof buf2));
                ok = false;
                n = SIZE_MAX;
            }
            if (n != SIZE_MAX) {
                stamp[n] = mark;
                v->route[v->route_len++] = n;
            }
        }
        if (end)
            p = end + 1;
    }
    free(copy);
    bool empty_stop = false;
    for (size_t i = 0, len = strlen(t), start = 0; i <= len; i++) {
        if (i == len || t[i] == '>') {
            size_t a = start, b = i;
            while (a < b && isspace((unsigned char)t[a]))
                a++;
            empty_stop |= a == b;
            start = i + 1;
        }
    }
    if (empty_stop || stops < 2) {
        bad_cell(L, c, "route", "at least two node ids joined by '>'");
        v->route_len = 0;
        return;
    }
    if (!ok) {
        v->route_len = 0;
        return;
    }
    for (size_t i = 0; i + 1 < v->route_len; i++) {
        v->legs[i] = leg_find(L, s, v->route[i], v->route[i + 1]);
        if (v->legs[i] == SIZE_MAX) {
            ok = false;
            if (L->usable[F_LEGS])
                diag_error(L->d, &c->at, "route: expected a leg in legs.csv for every hop, "
                           "got none for %s>%s", s->nodes[v->route[i]].id,
                           s->nodes[v->route[i + 1]].id);
        }
    }
    if (!ok)
        v->route_len = 0;
}

/* Whether an optional cell holds something. */
static bool given(const struct cell *c)
{
    return c->text && c->text[0];
}

static int by_hour(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* "Tue;Fri" (names or three-letter abbreviations in any case, separated by
 * ';', '/' or spaces, each day once) as bits, Monday bit 0; 0 if bad. */
static unsigned parse_weekdays(const char *t)
{
    static const char *const names[] = {"monday", "tuesday", "wednesday", "thursday", "friday",
                                        "saturday", "sunday"};
    unsigned days = 0;
    for (const char *p = t;;) {
        p += strspn(p, "; /");
        if (!*p)
            break;
        size_t n = strcspn(p, "; /");
        int d = 0;
        while (d < 7 && !(n >= 3 && n <= strlen(names[d]) && strncasecmp(p, names[d], n) == 0))
            d++;
        if (d == 7 || days & (1u << d))
            return 0;
        days |= 1u << d;
        p += n;
    }
    return days;
}

/* A service's timetable in one of its two forms: departures_per_week from
 * first_departure_h, or the named weekdays at departure_h (hours since
 * 00:00 of start_date's day, so day 0 is start_date's weekday). The weekday
 * form also sets departures_per_week and first_departure_h, which routing
 * reads for the headway. */
static void convert_timetable(struct loader *L, const struct scenario *s, const struct record *r,
                              struct scenario_service *v)
{
    const struct cell *deps = &r->c[S_DEPS], *first = &r->c[S_FIRST];
    const struct cell *days = &r->c[S_WEEKDAYS], *hour = &r->c[S_DEPARTURE_H];
    if (!given(days) && !given(hour)) {
        if (!deps->text || !first->text) {
            diag_error(L->d, &r->at, "expected departures_per_week and first_departure_h, or "
                       "weekdays and departure_h, got %s", !deps->text && !first->text
                       ? "neither" : !deps->text ? "no departures_per_week column"
                       : "no first_departure_h column");
            return;
        }
        get_number(L, deps, "departures_per_week", 0, GT, MAX_DEPARTURES_PER_WEEK,
                   "a number > 0 and <= 10080 (one a minute)", &v->departures_per_week);
        get_number(L, first, "first_departure_h", 0, GE, INFINITY, "a number >= 0",
                   &v->first_departure_h);
        return;
    }
    const struct cell *mixed = given(deps) ? deps : given(first) ? first : NULL;
    if (mixed) {
        bad_cell(L, mixed, mixed == deps ? "departures_per_week" : "first_departure_h",
                 "empty in a row that gives weekdays and departure_h (one timetable form a row)");
        return;
    }
    unsigned bits = parse_weekdays(text_of(days));
    if (!bits)
        bad_cell(L, days, "weekdays", "day names once each separated by ';', e.g. Tue;Fri");
    double h;
    bool hour_ok = get_number(L, hour, "departure_h", 0, GE, nextafter(CALENDAR_HOURS_PER_DAY, 0.0),
                              "an hour of the day >= 0 and < 24", &h);
    if (given(&r->c[S_GROWTH]))
        bad_cell(L, &r->c[S_GROWTH], "growth_pct_per_year",
                 "empty in a row with weekdays (a weekly timetable does not grow)");
    if (!bits || !hour_ok)
        return;
    int day0 = calendar_weekday(s->start_day);
    for (int d = 0; d < 7; d++)
        if (bits & (1u << d))
            v->week_h[v->n_week++] = ((d - day0 + 7) % 7) * CALENDAR_HOURS_PER_DAY + h;
    qsort(v->week_h, v->n_week, sizeof *v->week_h, by_hour);
    v->departures_per_week = v->n_week;
    v->first_departure_h = v->week_h[0];
}

/* The first timetable departure at or after start_h: the inverse of the
 * integrated rate gives it to within rounding, then the timetable itself
 * decides, so that scenario_departure_h never returns one before start_h. */
static uint64_t departures_before(const struct scenario_service *v)
{
    if (!(v->start_h > v->first_departure_h))
        return 0;
    double H = CALENDAR_HOURS_PER_WEEK / v->departures_per_week, g = v->growth_per_h, n;
    if (g == 0)
        n = (v->start_h - v->first_departure_h) / H;
    else
        n = expm1(g * (v->start_h - v->first_departure_h)) * exp(g * v->first_departure_h) / (g * H);
    if (!(n < 1e15))
        return UINT64_C(1000000000000000);  /* beyond any horizon */
    uint64_t j = n > 0 ? (uint64_t)ceil(n) : 0;
    while (j > 0 && scenario_timetable_h(v, j - 1) >= v->start_h)
        j--;
    while (scenario_timetable_h(v, j) < v->start_h)
        j++;
    return j;
}

/* start_d, end_d and growth_pct_per_year of a service (all optional). */
static void convert_service_period(struct loader *L, const struct record *r,
                                   struct scenario_service *v)
{
    v->start_d = 0;
    v->end_d = INFINITY;
    bool ok = true;
    if (given(&r->c[S_START]))
        ok &= get_number(L, &r->c[S_START], "start_d", 0, GE, MAX_HORIZON_D,
                         "a number >= 0 and <= 36500, or empty", &v->start_d);
    if (given(&r->c[S_END])) {
        char expected[96];
        snprintf(expected, sizeof expected, "a number > start_d (%g) and <= 36500, or empty",
                 v->start_d);
        ok &= get_number(L, &r->c[S_END], "end_d", v->start_d, GT, MAX_HORIZON_D, expected,
                         &v->end_d);
    }
    if (given(&r->c[S_GROWTH]))
        ok &= get_number(L, &r->c[S_GROWTH], "growth_pct_per_year", -100, GT, MAX_GROWTH_PCT,
                         "a number > -100 and <= 1000, or empty for 0", &v->growth_pct_per_year);
    v->start_h = v->start_d * CALENDAR_HOURS_PER_DAY;
    v->end_h = v->end_d * CALENDAR_HOURS_PER_DAY;
    v->growth_per_h = log1p(v->growth_pct_per_year / 100) / CALENDAR_HOURS_PER_YEAR;
    if (ok && v->departures_per_week > 0)
        v->skipped = departures_before(v);
}

/* An optional cost column: true when given (and then checked). */
static bool get_cost(struct loader *L, const struct cell *c, const char *column, double *out)
{
    if (!c->text || !c->text[0])
        return false;
    get_number(L, c, column, 0, GE, 1e15, "a number >= 0 or empty", out);
    return true;
}

/* The cost models of a service. Slots need their size: slots_booked or a
 * slot price without slot_t is an error at that column. */
static void convert_service_cost(struct loader *L, const struct record *r, struct scenario_service *v)
{
    bool any = get_cost(L, &r->c[S_COST], "cost_per_train", &v->cost_per_train);
    any |= get_cost(L, &r->c[S_COST_T], "cost_per_t", &v->cost_per_t);
    bool slot = r->c[S_SLOT_T].text && r->c[S_SLOT_T].text[0];
    if (slot)
        get_number(L, &r->c[S_SLOT_T], "slot_t", 0, GT, 1e9, "a number of tonnes > 0 or empty",
                   &v->slot_t);
    bool per_slot = get_cost(L, &r->c[S_COST_SLOT], "cost_per_slot", &v->cost_per_slot);
    bool extra = get_cost(L, &r->c[S_COST_EXTRA], "cost_per_extra_slot", &v->cost_per_extra_slot);
    if (!extra)
        v->cost_per_extra_slot = v->cost_per_slot;
    const struct cell *booked = &r->c[S_SLOTS_BOOKED];
    bool book = booked->text && booked->text[0];
    if (book) {
        uint64_t u;
        if (!num_parse_whole(booked->text, &u) || u > 1000000)
            bad_cell(L, booked, "slots_booked", "a whole number >= 0 and <= 1000000, or empty");
        else
            v->slots_booked = (unsigned)u;
    }
    /* every slot column needs the slot's size */
    const struct cell *needs[] = { book ? booked : NULL, per_slot ? &r->c[S_COST_SLOT] : NULL,
                                   extra ? &r->c[S_COST_EXTRA] : NULL };
    for (size_t i = 0; !slot && i < sizeof needs / sizeof *needs; i++)
        if (needs[i]) {
            char buf[256];
            diag_error(L->d, &needs[i]->at, "%s: expected slot_t (the tonnes of a slot) on the same "
                       "row, got \"%s\" without it", schemas[F_SERVICES].cols[needs[i] == booked ?
                       S_SLOTS_BOOKED : needs[i] == &r->c[S_COST_SLOT] ? S_COST_SLOT : S_COST_EXTRA].name,
                       shown(needs[i]->text, buf, sizeof buf));
            break;
        }
    v->has_cost = any || (slot && (per_slot || extra));
}

static void convert_services(struct loader *L, struct scenario *s)
{
    const struct records *rs = &L->recs[F_SERVICES];
    s->services = calloc(rs->n ? rs->n : 1, sizeof *s->services);
    size_t *stamp = calloc(s->n_nodes + 1, sizeof *stamp);
    if (!s->services || !stamp) {
        free(stamp);
        L->nomem = true;
        return;
    }
    for (size_t i = 0; i < rs->n; i++) {
        const struct record *r = &rs->r[i];
        struct scenario_service *v = &s->services[s->n_services++];
        v->id = dup_or_null(text_of(&r->c[S_ID]));
        if (!v->id) {
            L->nomem = true;
            break;
        }
        if (!valid_id(v->id))
            bad_cell(L, &r->c[S_ID], "id", ID_EXPECTED);
        if (!r->shape_ok)
            continue;
        convert_route(L, s, &r->c[S_ROUTE], v, stamp, i + 1);
        convert_timetable(L, s, r, v);
        get_number(L, &r->c[S_CAP], "capacity_t", 0, GE, INFINITY, "a number >= 0",
                   &v->capacity_t);
        get_number(L, &r->c[S_CUTOFF], "cutoff_h", 0, GE, INFINITY, "a number >= 0",
                   &v->cutoff_h);
        convert_service_cost(L, r, v);
        v->carries_mail = v->capacity_t > 0;
        convert_service_period(L, r, v);
    }
    free(stamp);
}

/* Which nodes mail can reach from one origin: a batch at node n boards any
 * carrying service (capacity_t > 0) that stops at n and alights at any later
 * stop. Stops are indexed by node, and a service boarded at stop p need not
 * be scanned again from any later stop, so one search is linear in the
 * number of stops it reaches; only what a search touched is reset. */
struct reach {
    size_t *off;      /* stops at node n: stop[off[n] .. off[n+1]) */
    size_t *svc, *pos;
    size_t *boarded;  /* per service: earliest stop boarded, SIZE_MAX if none */
    size_t *touched;  /* services boarded in the current search */
    size_t n_touched;
    size_t *queue;    /* nodes seen in the current search, in order */
    size_t n_seen;
    bool *seen;
    size_t origin;    /* whose search `seen` holds, SIZE_MAX if none */
    double until_h;   /* services whose first departure is at or after it are left out */
};

static bool reach_init(struct reach *R, const struct scenario *s)
{
    size_t n = s->n_nodes, stops = 0;
    for (size_t k = 0; k < s->n_services; k++)
        stops += s->services[k].route_len;
    *R = (struct reach){.origin = SIZE_MAX};
    R->off = calloc(n + 1, sizeof *R->off);
    R->svc = calloc(stops + 1, sizeof *R->svc);
    R->pos = calloc(stops + 1, sizeof *R->pos);
    R->boarded = malloc((s->n_services + 1) * sizeof *R->boarded);
    R->touched = calloc(s->n_services + 1, sizeof *R->touched);
    R->queue = calloc(n + 1, sizeof *R->queue);
    R->seen = calloc(n + 1, sizeof *R->seen);
    if (!R->off || !R->svc || !R->pos || !R->boarded || !R->touched || !R->queue || !R->seen)
        return false;
    for (size_t k = 0; k < s->n_services; k++)
        R->boarded[k] = SIZE_MAX;
    for (size_t k = 0; k < s->n_services; k++)
        for (size_t j = 0; j < s->services[k].route_len; j++)
            R->off[s->services[k].route[j] + 1]++;
    for (size_t i = 0; i < n; i++)
        R->off[i + 1] += R->off[i];
    size_t *fill = R->queue;  /* borrowed as a cursor per node */
    memcpy(fill, R->off, n * sizeof *fill);
    for (size_t k = 0; k < s->n_services; k++) {
        for (size_t j = 0; j < s->services[k].route_len; j++) {
            size_t at = fill[s->services[k].route[j]]++;
            R->svc[at] = k;
            R->pos[at] = j;
        }
    }
    return true;
}

static void reach_fini(struct reach *R)
{
    free(R->off);
    free(R->svc);
    free(R->pos);
    free(R->boarded);
    free(R->touched);
    free(R->queue);
    free(R->seen);
}

static bool reachable(struct reach *R, const struct scenario *s, size_t from, size_t to)
{
    if (R->origin != from) {
        for (size_t i = 0; i < R->n_seen; i++)
            R->seen[R->queue[i]] = false;
        for (size_t i = 0; i < R->n_touched; i++)
            R->boarded[R->touched[i]] = SIZE_MAX;
        R->origin = from;
        R->n_touched = 0;
        size_t head = 0, tail = 0;
        R->queue[tail++] = from;
        R->seen[from] = true;
        while (head < tail) {
            size_t n = R->queue[head++];
            for (size_t i = R->off[n]; i < R->off[n + 1]; i++) {
                const struct scenario_service *v = &s->services[R->svc[i]];
                size_t p = R->pos[i], stop = R->boarded[R->svc[i]];
                if (!v->carries_mail || p >= stop || !(scenario_departure_h(v, 0) < R->until_h))
                    continue;
                if (stop == SIZE_MAX)
                    R->touched[R->n_touched++] = R->svc[i];
                R->boarded[R->svc[i]] = p;
                if (stop > v->route_len)
                    stop = v->route_len;
                for (size_t j = p + 1; j < stop; j++) {
                    if (!R->seen[v->route[j]]) {
                        R->seen[v->route[j]] = true;
                        R->queue[tail++] = v->route[j];
                    }
                }
            }
        }
        R->n_seen = tail;
    }
    return R->seen[to];
}

struct od {
    size_t origin, destination, row;
};

static int by_origin(const void *a, const void *b)
{
    const struct od *x = a, *y = b;
    if (x->origin != y->origin)
        return x->origin < y->origin ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Marks unserved[i] for each demand row whose destination no carrying
 * service reaches from its origin (services that run only after `until_h`
 * left out). Rows are taken by origin, so that each origin is searched
 * once however the rows are ordered. */
static void find_unserved(struct loader *L, const struct scenario *s, double until_h, bool *unserved)
{
    const struct records *rs = &L->recs[F_DEMAND];
    struct od *ods = malloc((rs->n ? rs->n : 1) * sizeof *ods);
    struct reach R;
    bool reach_ok = reach_init(&R, s);
    R.until_h = until_h;
    if (!ods || !reach_ok) {
        L->nomem = true;
        goto out;
    }
    size_t n = 0;
    for (size_t i = 0; i < rs->n; i++) {
        size_t o = node_find(L, s, text_of(&rs->r[i].c[D_ORIGIN]));
        size_t d = node_find(L, s, text_of(&rs->r[i].c[D_DEST]));
        if (o != SIZE_MAX && d != SIZE_MAX && o != d && rs->r[i].shape_ok)
            ods[n++] = (struct od){o, d, i};
    }
    qsort(ods, n, sizeof *ods, by_origin);
    for (size_t i = 0; i < n; i++)
        unserved[ods[i].row] = !reachable(&R, s, ods[i].origin, ods[i].destination);
out:
    free(ods);
    reach_fini(&R);
}

/* Whether the route text names node id as a stop. */
static bool route_has(const char *route, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = route; *p;) {
        while (isspace((unsigned char)*p))
            p++;
        const char *end = strchr(p, '>');
        const char *e = end ? end : p + strlen(p);
        while (e > p && isspace((unsigned char)e[-1]))
            e--;
        if ((size_t)(e - p) == n && memcmp(p, id, n) == 0)
            return true;
        p = end ? end + 1 : e + strlen(e);
    }
    return false;
}

/* The cell of a proposal or a --set that can have cut a destination off:
 * a service's capacity_t turned to 0 or its route changed, preferring a
 * service that used to stop at `dest`. NULL when no service changed. */
static const struct cell *cut_by(const struct loader *L, const struct scenario *s,
                                 const char *dest, const char **column)
{
    const struct records *rs = &L->recs[F_SERVICES];
    const struct cell *first = NULL;
    for (size_t k = 0; k < rs->n && k < s->n_services; k++) {
        const struct record *r = &rs->r[k];
        const struct record *old = r->replaced != SIZE_MAX
                                       ? &L->replaced[F_SERVICES].r[r->replaced] : NULL;
        const struct cell *cap = &r->c[S_CAP], *route = &r->c[S_ROUTE];
        double was = 0;
        bool carried = old ? parse_number(&old->c[S_CAP], text_of(&old->c[S_CAP]), &was) &&
                                 was > 0
                           : cap->origin == 2;
        const struct cell *c = NULL;
        if (cap->origin > 0 && !s->services[k].carries_mail && carried)
            c = cap;
        else if (route->origin > 0 &&
                 (old ? strcmp(text_of(&old->c[S_ROUTE]), text_of(route)) != 0
                      : route->origin == 2))
            c = route;
        if (!c)
            continue;
        const char *served = old ? text_of(&old->c[S_ROUTE]) : text_of(route);
        if (!first || route_has(served, dest)) {
            first = c;
            *column = c == cap ? "capacity_t" : "route";
            if (route_has(served, dest))
                break;
        }
    }
    return first;
}

/* Reports a demand row whose destination no carrying service reaches. When
 * the row is the baseline's and a proposal or a --set changed a service,
 * the message goes to the cell that changed, naming the row it cut off. */
static void report_unserved(struct loader *L, const struct scenario *s, const struct record *r,
                            const struct scenario_demand *m)
{
    const char *from = s->nodes[m->origin].id, *to = s->nodes[m->destination].id;
    const struct cell *dest = &r->c[D_DEST];
    const char *column = NULL;
    const struct cell *cause = dest->origin == 0 ? cut_by(L, s, to, &column) : NULL;
    char expected[400];
    if (!cause) {
        snprintf(expected, sizeof expected,
                 "a destination that services with capacity_t > 0 reach from %s "
                 "(directly or with transfers)", from);
        bad_cell(L, dest, "destination", expected);
        return;
    }
    snprintf(expected, sizeof expected,
             "a value that still lets services with capacity_t > 0 carry mail from %s to %s "
             "(directly or with transfers), as %s:%u asks", from, to, dest->at.file,
             dest->at.line);
    bad_cell(L, cause, column, expected);
}

static void convert_demand(struct loader *L, struct scenario *s, bool network_ok)
{
    const struct records *rs = &L->recs[F_DEMAND];
    s->demand = calloc(rs->n ? rs->n : 1, sizeof *s->demand);
    bool *unserved = calloc(rs->n ? rs->n : 1, sizeof *unserved);
    bool *idle = calloc(rs->n ? rs->n : 1, sizeof *idle);  /* served only by services that never run in time */
    if (!s->demand || !unserved || !idle) {
        L->nomem = true;
        goto out;
    }
    if (network_ok) {
        find_unserved(L, s, INFINITY, unserved);
        find_unserved(L, s, s->horizon_d * CALENDAR_HOURS_PER_DAY, idle);
    }
    for (size_t i = 0; i < rs->n; i++) {
        const struct record *r = &rs->r[i];
        struct scenario_demand *m = &s->demand[s->n_demand++];
        m->origin = node_ref(L, s, &r->c[D_ORIGIN], "origin");
        m->destination = node_ref(L, s, &r->c[D_DEST], "destination");
        bool ends_ok = m->origin != SIZE_MAX && m->destination != SIZE_MAX;
        if (ends_ok && m->origin == m->destination) {
            bad_cell(L, &r->c[D_DEST], "destination", "a node other than the origin");
            ends_ok = false;
        }
        if (!r->shape_ok)
            continue;
        get_number(L, &r->c[D_BATCHES], "batches_per_day", 0, GT, MAX_BATCHES_PER_DAY,
                   "a number > 0 and <= 1000000", &m->batches_per_day);
        get_dist(L, &r->c[D_KG], "kg_per_batch", &m->kg_per_batch);
        if (text_of(&r->c[D_GROWTH])[0])
            get_number(L, &r->c[D_GROWTH], "growth_pct_per_year", -100, GT, MAX_GROWTH_PCT,
                       "a number > -100 and <= 1000, or empty for 0", &m->growth_pct_per_year);
        if (ends_ok && network_ok && unserved[i])
            report_unserved(L, s, r, m);
        else if (ends_ok && network_ok && idle[i]) {
            char expected[300];
            snprintf(expected, sizeof expected, "a destination that services running within the horizon reach "
                     "from %s; the services that reach it leave first at or after horizon_d (%g)",
                     s->nodes[m->origin].id, s->horizon_d);
            bad_cell(L, &r->c[D_DEST], "destination", expected);
        }
    }
out:
    free(unserved);
    free(idle);
}

/* A target that is both node n and service v. When a proposal added one
 * of the two ids (a new row, not one replacing the base's) and the target
 * is the base's, the added id is to blame. */
static void ambiguous_target(struct loader *L, const struct cell *target, size_t n, size_t v)
{
    const struct record *node = &L->recs[F_NODES].r[n], *service = &L->recs[F_SERVICES].r[v];
    bool node_new = node->c[N_ID].origin == 1 && node->replaced == SIZE_MAX;
    bool service_new = service->c[S_ID].origin == 1 && service->replaced == SIZE_MAX;
    const struct cell *added = node_new ? &node->c[N_ID] : service_new ? &service->c[S_ID] : NULL;
    if (!added || target->origin != 0) {
        bad_cell(L, target, "target", "an id that is not both a node and a service");
        return;
    }
    char expected[300];
    snprintf(expected, sizeof expected, "an id that is not also a %s id, as %s:%u:%u "
             "targets it", node_new ? "service" : "node", target->at.file, target->at.line,
             target->at.col);
    bad_cell(L, added, "id", expected);
}

/* repeat_d (optional): the window recurs every repeat_d days, which must
 * be at least its duration plus a minute, so that a disruption never
 * overlaps itself and the simulation never spins on windows that open and
 * close in the same instant. */
static void convert_repeat(struct loader *L, const struct record *r, struct scenario_disruption *x)
{
    if (!given(&r->c[X_REPEAT]))
        return;
    char expected[160];
    snprintf(expected, sizeof expected, "a number >= duration_d (%g) and <= 36500, or empty "
             "for once", x->duration_d);
    if (!get_number(L, &r->c[X_REPEAT], "repeat_d", x->duration_d, GE, MAX_HORIZON_D, expected, &x->repeat_d))
        return;
    double least = x->duration_d + MIN_WINDOW_D;
    snprintf(expected, sizeof expected, "a number >= duration_d plus one minute (%.6g) and <= 36500, or "
             "empty for once", least);
    if (get_number(L, &r->c[X_REPEAT], "repeat_d", least, GE, MAX_HORIZON_D, expected, &x->repeat_d))
        x->repeat_h = x->repeat_d * CALENDAR_HOURS_PER_DAY;
}

/* A disruption's start_d: days from start_date, or a date YYYY-MM-DD on or
 * after it (a closure is announced by date). */
static void convert_start(struct loader *L, const struct scenario *s, const struct cell *c, double *start_d)
{
    int32_t day;
    const char *text = text_of(c);
    if (!strchr(text, '-') || !calendar_parse(text, &day)) {
        get_number(L, c, "start_d", 0, GE, MAX_HORIZON_D,
                   "a number >= 0 and <= 36500, or a date YYYY-MM-DD", start_d);
        return;
    }
    *start_d = day - s->start_day;
    if (*start_d < 0 || *start_d > MAX_HORIZON_D) {
        char first[11];
        calendar_format(s->start_day, first);
        bad_cell(L, c, "start_d", *start_d < 0 ? keep_printf(L, "a date on or after start_date %s", first)
                                               : "a date within 36500 days of start_date");
    }
}

static void convert_disruptions(struct loader *L, struct scenario *s)
{
    const struct records *rs = &L->recs[F_DISRUPTIONS];
    s->disruptions = calloc(rs->n ? rs->n : 1, sizeof *s->disruptions);
    if (!s->disruptions) {
        L->nomem = true;
        return;
    }
    for (size_t i = 0; i < rs->n; i++) {
        const struct record *r = &rs->r[i];
        struct scenario_disruption *x = &s->disruptions[s->n_disruptions++];
        const char *target = text_of(&r->c[X_TARGET]);
        size_t n = node_find(L, s, target), v = service_find(L, s, target);
        if (n != SIZE_MAX && v != SIZE_MAX) {
            ambiguous_target(L, &r->c[X_TARGET], n, v);
        } else if (n != SIZE_MAX) {
            x->target_kind = TARGET_NODE;
            x->target = n;
        } else if (v != SIZE_MAX) {
            x->target_kind = TARGET_SERVICE;
            x->target = v;
        } else if (L->usable[F_NODES] && L->usable[F_SERVICES]) {
            char hint[300];
            bad_cell_then(L, &r->c[X_TARGET], "target", "a node id or a service id",
                          suggest_id(L, s, target, true, true, hint, sizeof hint));
        }
        if (!r->shape_ok)
            continue;
        convert_start(L, s, &r->c[X_START], &x->start_d);
        bool window_ok = get_number(L, &r->c[X_DURATION], "duration_d", 0, GT, MAX_HORIZON_D,
                                    "a number > 0 and <= 36500", &x->duration_d)
                         && get_number(L, &r->c[X_DURATION], "duration_d", MIN_WINDOW_D, GE, MAX_HORIZON_D,
                                       "a number of days from one minute (1/1440) to 36500", &x->duration_d);
        get_number(L, &r->c[X_FACTOR], "capacity_factor", 0, GE, MAX_CAPACITY_FACTOR,
                   "a number >= 0 and <= 100", &x->capacity_factor);
        x->start_h = x->start_d * CALENDAR_HOURS_PER_DAY;
        x->end_h = (x->start_d + x->duration_d) * CALENDAR_HOURS_PER_DAY;
        if (window_ok)
            convert_repeat(L, r, x);
    }
}

/* A month as 1 to 12 or its English name or abbreviation (any case);
 * 0 when it is neither. */
static int parse_month(const char *t)
{
    static const char *const names[] = {"january", "february", "march", "april", "may", "june",
                                        "july", "august", "september", "october", "november",
                                        "december"};
    uint64_t u;
    if (num_parse_whole(t, &u))
        return u >= 1 && u <= 12 ? (int)u : 0;
    size_t n = strlen(t);
    for (int m = 0; m < 12 && n >= 3; m++)
        if (n <= strlen(names[m]) && strncasecmp(t, names[m], n) == 0)
            return m + 1;
    return 0;
}

/* seasonality.csv (optional): each demand row's posting rate is multiplied
 * in calendar month m by the factor of its origin for m, else by that of
 * origin "*" for m, else by 1. */
static void convert_seasonality(struct loader *L, struct scenario *s)
{
    const struct records *rs = &L->recs[F_SEASONALITY];
    double all[12];
    size_t slots = (s->n_nodes + 1) * 12;  /* per origin, then origin "*" */
    double *of_origin = calloc(slots, sizeof *of_origin);
    const struct record **set_by = calloc(slots, sizeof *set_by);
    if (!of_origin || !set_by) {
        free(of_origin);
        free(set_by);
        L->nomem = true;
        return;
    }
    for (int m = 0; m < 12; m++)
        all[m] = NAN;
    for (size_t i = 0; i < slots; i++)
        of_origin[i] = NAN;
    for (size_t i = 0; i < rs->n; i++) {
        const struct record *r = &rs->r[i];
        const char *origin = text_of(&r->c[Y_ORIGIN]);
        size_t n = strcmp(origin, "*") == 0 ? SIZE_MAX - 1 : node_find(L, s, origin);
        if (n == SIZE_MAX && L->usable[F_NODES]) {
            char hint[300];
            bad_cell_then(L, &r->c[Y_ORIGIN], "origin", "a node id from nodes.csv or *",
                          suggest_id(L, s, origin, true, false, hint, sizeof hint));
        }
        if (!r->shape_ok)
            continue;
        int month = parse_month(text_of(&r->c[Y_MONTH]));
        if (month == 0)
            bad_cell(L, &r->c[Y_MONTH], "month", "a month 1 to 12 or its name (Jan, February)");
        double factor;
        if (!get_number(L, &r->c[Y_FACTOR], "factor", 0, GE, MAX_CAPACITY_FACTOR,
                        "a number >= 0 and <= 100", &factor) || month == 0 || n == SIZE_MAX)
            continue;
        /* "Feb" and "2" are one month: the keys differ, the month does not */
        size_t slot = (n == SIZE_MAX - 1 ? s->n_nodes : n) * 12 + (size_t)month - 1;
        if (set_by[slot]) {
            duplicate_key(L, F_SEASONALITY, r, set_by[slot]);
            continue;
        }
        set_by[slot] = r;
        if (n == SIZE_MAX - 1)
            all[month - 1] = factor;
        else
            of_origin[slot] = factor;
    }
    for (size_t i = 0; i < s->n_demand; i++) {
        struct scenario_demand *m = &s->demand[i];
        m->seasonal = false;
        for (int k = 0; k < 12; k++) {
            double f = m->origin < s->n_nodes ? of_origin[m->origin * 12 + (size_t)k] : NAN;
            m->season[k] = !isnan(f) ? f : !isnan(all[k]) ? all[k] : 1;
            m->seasonal |= m->season[k] != 1;
        }
    }
    free(of_origin);
    free(set_by);
}

void scenario_destroy(struct scenario *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_inputs; i++)
        free(s->inputs[i].path);
    free(s->inputs);
    free(s->dir);
    free(s->name);
    free(s->description);
    for (size_t i = 0; i < s->n_nodes; i++) {
        free(s->nodes[i].id);
        free(s->nodes[i].name);
        free(s->nodes[i].country);
    }
    free(s->nodes);
    free(s->legs);
    for (size_t i = 0; i < s->n_services; i++) {
        free(s->services[i].id);
        free(s->services[i].route);
        free(s->services[i].legs);
    }
    free(s->services);
    free(s->demand);
    free(s->disruptions);
    free(s->thresholds);
    free(s);
}

/* ---- the files of a directory ----------------------------------------- */

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool ends_with_csv(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strncasecmp(name + n - 4, ".csv", 4) == 0;
}

/* Reports each .csv file of a source that railmail does not read, which
 * would otherwise be ignored without a word (a proposal's service.csv
 * changed nothing). Other files (README.md, description.txt), the
 * proposals/ directory, hidden files and office lock files (~$...) are
 * left alone. */
static void check_file_names(struct loader *L, int which)
{
    const struct source *src = &L->src[which];
    char **names = NULL;
    size_t n = 0, cap = 0;
    DIR *dp = NULL;
    if (!src->memory && !(dp = opendir(src->dir)))
        return;  /* dir_exists has said why */
    for (size_t i = 0;; i++) {
        const char *name;
        if (src->memory) {
            if (i == src->n_files)
                break;
            name = src->files[i].name;
        } else {
            struct dirent *e = readdir(dp);
            if (!e)
                break;
            name = e->d_name;
        }
        if (!name || name[0] == '.' || strncmp(name, "~$", 2) == 0 || !ends_with_csv(name))
            continue;
        bool known = false;
        for (int f = 0; f < N_FILES; f++)
            known |= strcmp(name, schemas[f].file) == 0;
        if (known)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            char **grown = realloc(names, cap * sizeof *grown);
            if (!grown) {
                L->nomem = true;
                break;
            }
            names = grown;
        }
        if (!(names[n] = keep_printf(L, "%s", name)))
            break;
        n++;
    }
    if (dp)
        closedir(dp);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);  /* readdir's order is arbitrary */
    for (size_t i = 0; i < n; i++) {
        struct suggestion g;
        suggest_start(&g, names[i]);
        for (int f = 0; f < N_FILES; f++)
            suggest_try(&g, schemas[f].file);
        char hint[300];
        suggest_text(&g, hint, sizeof hint);
        struct diag_at at = {keep_printf(L, "%s/%s", src->dir, names[i]), 0, 0};
        if (!at.file)
            break;
        diag_error(L->d, &at, "unknown scenario file%s", hint[0] ? hint :
                   "; expected scenario.csv, nodes.csv, legs.csv, services.csv, demand.csv, "
                   "disruptions.csv or seasonality.csv");
    }
    free(names);
}

/* True when `path` names an existing file or directory. */
static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A proposal given where a scenario is expected (`railmail run
 * scenarios/x/proposals/y`): a directory in one named "proposals" that
 * holds a description.txt, or one without nodes.csv whose grandparent has
 * one. Reports it with the command that was meant and returns true. */
static bool proposal_given_as_scenario(struct loader *L, const char *dir)
{
    char *nodes = keep_printf(L, "%s/nodes.csv", dir);
    char *up_nodes = keep_printf(L, "%s/../../nodes.csv", dir);
    char *desc = keep_printf(L, "%s/description.txt", dir);
    /* dir = head/name; the scenario is head's own head. */
    const char *given = dir;
    char cwd[4096];
    while (strncmp(dir, "./", 2) == 0)
        dir += 2;
    if (strcmp(dir, ".") == 0) {  /* run from inside it: name it in full */
        if (!getcwd(cwd, sizeof cwd))
            return false;
        dir = cwd;
    }
    const char *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : dir;
    char *head = keep_printf(L, "%.*s", slash ? (int)(slash - dir) : 0, dir);
    if (!nodes || !up_nodes || !desc || !head)
        return false;
    char *head_slash = strrchr(head, '/');
    const char *parent = head_slash ? head_slash + 1 : head;
    if (!slash && getcwd(cwd, sizeof cwd))
        parent = strrchr(cwd, '/') ? strrchr(cwd, '/') + 1 : cwd;
    bool in_proposals = strcmp(parent, "proposals") == 0;
    if (!(in_proposals && exists(desc)) && (exists(nodes) || !exists(up_nodes)))
        return false;
    const char *scenario = ".."; /* dir is "y" */
    if (head_slash) {           /* "scenarios/x/proposals/y" */
        *head_slash = '\0';
        scenario = head_slash == head ? "/" : head;
    } else if (slash) {         /* "proposals/y" */
        scenario = ".";
    }
    struct diag_at at = {given, 0, 0};
    diag_error(L->d, &at, "this is a proposal of %s; use \"railmail compare %s %s\"", scenario,
               scenario, name);
    return true;
}

/* Drops trailing slashes so that messages read "dir/nodes.csv". */
static char *clean_dir(const char *dir)
{
    char *c = dup_or_null(dir);
    if (!c)
        return NULL;
    size_t n = strlen(c);
    while (n > 1 && c[n - 1] == '/')
        c[--n] = '\0';
    return c;
}

static bool dir_exists(struct loader *L, const char *dir)
{
    struct stat st;
    struct diag_at at = {dir, 0, 0};
    if (stat(dir, &st) != 0)
        diag_error(L->d, &at, "expected a scenario directory, got %s",
                   errno == ENOENT ? "no such directory" : strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        diag_error(L->d, &at, "expected a scenario directory, got a file");
    else
        return true;
    return false;
}

static enum rm_status load(struct loader *L, const char *const *sets, size_t n_sets,
                           struct scenario **out)
{
    *out = NULL;
    size_t errors0 = diag_count(L->d);
    sha256_init(&L->key);
    struct scenario *s = calloc(1, sizeof *s);
    char *overlay_dir = NULL;
    enum rm_status rc = RM_ENOMEM;
    if (!s)
        goto done;
    s->dir = clean_dir(L->src[0].dir);
    if (L->src[1].dir)
        overlay_dir = clean_dir(L->src[1].dir);
    if (!s->dir || (L->src[1].dir && !overlay_dir))
        goto done;
    L->src[0].dir = s->dir;
    L->src[1].dir = overlay_dir;
    char *dir = s->dir;
    *s = (struct scenario){.dir = dir, .horizon_d = 365, .warmup_d = 28,
                           .replications = 10, .seed = 1, .service_standard_d = 18,
                           .confidence = 0.95, .start_day = CALENDAR_DEFAULT_START,
                           .currency = "USD"};
    bool dirs_ok = true;
    for (int w = 0; w < 2; w++)
        if (L->src[w].dir && !L->src[w].memory)
            dirs_ok &= dir_exists(L, L->src[w].dir);
    if (!dirs_ok) {
        rc = RM_EINPUT;
        goto done;
    }
    if (!L->src[1].dir && !L->src[0].memory && proposal_given_as_scenario(L, L->src[0].dir)) {
        rc = RM_EINPUT;
        goto done;
    }
    for (int w = 0; w < 2; w++)
        if (L->src[w].dir)
            check_file_names(L, w);
    for (int f = 0; f < N_FILES; f++)
        L->usable[f] = true;
    for (int w = 0; w < 2; w++)
        for (int f = 0; f < N_FILES && L->src[w].dir; f++)
            load_file(L, w, (enum file_id)f);
    if (L->src[1].dir)
        load_description_txt(L);
    if (L->n_rows && !(L->added = calloc(L->n_rows, sizeof *L->added)))
        L->nomem = true;
    if (L->n_rows && !L->src[1].dir)  /* what the option is, where no proposal says */
        what_if_description(L);
    for (size_t i = 0; i < L->n_rows && !L->nomem; i++)
        if (scenario_what_if_is_row(L->rows[i]))
            add_row(L, i);
    for (size_t i = 0; i < n_sets && !L->nomem; i++)
        apply_set(L, sets[i], "--set");
    for (size_t i = 0; i < L->n_rows && !L->nomem; i++)
        if (!scenario_what_if_is_row(L->rows[i]))
            apply_set(L, L->rows[i], "--what-if");
    if (L->nomem)
        goto done;

    convert_settings(L, s);
    convert_nodes(L, s);
    convert_legs(L, s);
    convert_services(L, s);
    /* Reachability only means something when the network itself is sound. */
    bool network_ok = diag_count(L->d) == errors0;
    convert_demand(L, s, network_ok);
    convert_disruptions(L, s);
    convert_seasonality(L, s);
    if (L->nomem)
        goto done;
    rc = diag_count(L->d) == errors0 ? RM_OK : RM_EINPUT;
    s->inputs = L->inputs;  /* handed over */
    s->n_inputs = L->n_inputs;
    L->inputs = NULL;
    L->n_inputs = 0;
    sha256_digest(&L->key, sizeof s->key, s->key);
done:
    for (size_t i = 0; i < L->n_inputs; i++)
        free(L->inputs[i].path);
    free(L->inputs);
    if (L->nomem || rc == RM_ENOMEM)
        rc = diag_fail(L->d, RM_ENOMEM, "out of memory loading scenario %s",
                       L->src[0].dir ? L->src[0].dir : "");
    for (int w = 0; w < 2; w++)
        for (int f = 0; f < N_FILES; f++)
            csvread_fini(&L->tables[w][f]);
    for (size_t i = 0; L->added && i < L->n_rows; i++)
        csvread_fini(&L->added[i]);
    free(L->added);
    for (int f = 0; f < N_FILES; f++) {
        free(L->recs[f].r);
        free(L->replaced[f].r);
        index_fini(&L->by_key[f]);
    }
    index_fini(&L->legs_by_ends);
    for (size_t i = 0; i < L->n_owned; i++)
        free(L->owned[i]);
    free(L->owned);
    free(overlay_dir);
    if (rc == RM_OK)
        *out = s;
    else
        scenario_destroy(s);
    return rc;
}

enum rm_status scenario_load(const char *base_dir, const char *overlay_dir,
                             const char *const *sets, size_t n_sets,
                             struct scenario **out, struct diag *d)
{
    struct loader L = {.d = d, .suggestions_left = SUGGEST_SEARCHES};
    L.src[0] = (struct source){.dir = base_dir};
    L.src[1] = (struct source){.dir = overlay_dir};
    return load(&L, sets, n_sets, out);
}

enum rm_status scenario_proposal_dir(const char *scenario_dir, const char *name, char **out, struct diag *d)
{
    *out = NULL;
    if (!name[0] || name[0] == '.' || strchr(name, '/'))
        return diag_error(d, NULL, "--proposal \"%s\": expected a directory name under proposals/", name);
    if (csvwrite_is_formula(name))  /* it reaches the chart settings, as compare's proposal names do */
        return diag_error(d, NULL, "proposal \"%s\": expected a name that does not begin with '=', '+', '-' "
                          "or '@' (a spreadsheet would read it as a formula); rename its directory", name);
    size_t len = strlen(scenario_dir) + strlen(name) + 16;
    if (!(*out = malloc(len)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    snprintf(*out, len, "%s/proposals/%s", scenario_dir, name);
    struct stat sb;
    if (stat(*out, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return diag_error(d, NULL, "--proposal: %s: expected a proposal directory, found none", *out);
    return RM_OK;
}

bool scenario_what_if_is_row(const char *what_if)
{
    size_t lhs = strcspn(what_if, "=");
    return lhs > 4 && !strncmp(what_if + lhs - 4, ".csv", 4) && memchr(what_if, '.', lhs - 4) == NULL;
}

enum rm_status scenario_load_adding(const char *base_dir, const char *overlay_dir, const char *const *what_if,
                                    size_t n_what_if, const char *const *sets, size_t n_sets, struct scenario **out,
                                    struct diag *d)
{
    struct loader L = {.d = d, .suggestions_left = SUGGEST_SEARCHES, .rows = what_if, .n_rows = n_what_if};
    L.src[0] = (struct source){.dir = base_dir};
    L.src[1] = (struct source){.dir = overlay_dir};
    return load(&L, sets, n_sets, out);
}

enum rm_status scenario_load_memory(const char *base_dir,
                                    const struct scenario_file *base, size_t n_base,
                                    const char *overlay_dir,
                                    const struct scenario_file *overlay, size_t n_overlay,
                                    const char *const *sets, size_t n_sets,
                                    struct scenario **out, struct diag *d)
{
    struct loader L = {.d = d, .suggestions_left = SUGGEST_SEARCHES};
    L.src[0] = (struct source){.dir = base_dir, .files = base, .n_files = n_base,
                               .memory = true};
    L.src[1] = (struct source){.dir = overlay_dir, .files = overlay,
                               .n_files = n_overlay, .memory = true};
    return load(&L, sets, n_sets, out);
}
