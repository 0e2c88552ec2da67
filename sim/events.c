/* events: tracking events as a post exports them, or as railmail's own
 * the tracking log holds them, read into one array of small rows sorted by id
 * and time. Ids are not copied: the rows point into the parsed table, and
 * a qsort by (id, time, line) brings each id's events together in order,
 * whatever order the export wrote them in. */
#include "railmail/events.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "railmail/calendar.h"
#include "railmail/num.h"

static const char *const code_names[] = { "EMA", "EMC", "EMK", "scan", "EMJ", "EMD" };

const char *events_code_name(enum events_code c)
{
    return code_names[c];
}

/* n digits at text into *v; false unless all are digits. */
static bool digits(const char *text, int n, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)text[i]))
            return false;
        *v = *v * 10 + (unsigned)(text[i] - '0');
    }
    return true;
}

bool events_parse_time(const char *text, int32_t start_day, double *hours)
{
    char date[11];
    int32_t day;
    unsigned hh, mm, ss = 0;
    if (strlen(text) < 16 || (text[10] != 'T' && text[10] != 't' && text[10] != ' '))
        return false;
    memcpy(date, text, 10);
    date[10] = '\0';
    if (!calendar_parse(date, &day) || !digits(text + 11, 2, &hh) || text[13] != ':' || !digits(text + 14, 2, &mm))
        return false;
    const char *at = text + 16;
    double frac = 0;
    if (*at == ':') {
        if (!digits(at + 1, 2, &ss))
            return false;
        at += 3;
        if (*at == '.' || *at == ',') {  /* decimal seconds */
            double scale = 0.1;
            if (!isdigit((unsigned char)at[1]))
                return false;
            for (at++; isdigit((unsigned char)*at); at++, scale /= 10)
                frac += (*at - '0') * scale;
        }
    }
    if (hh > 24 || mm > 59 || ss > 60 || (hh == 24 && (mm || ss || frac > 0)))
        return false;
    double offset_h;
    unsigned oh, om;
    if ((*at == 'Z' || *at == 'z') && !at[1])
        offset_h = 0;
    else if ((*at == '+' || *at == '-') && digits(at + 1, 2, &oh) && at[3] == ':' && digits(at + 4, 2, &om) &&
             !at[6] && oh <= 18 && om <= 59)
        offset_h = (*at == '-' ? -1 : 1) * (oh + om / 60.0);
    else
        return false;  /* a time without a zone is ambiguous: refused */
    *hours = (double)(day - start_day) * CALENDAR_HOURS_PER_DAY + hh + mm / 60.0 + (ss + frac) / 3600.0 - offset_h;
    return true;
}

/* The code an event's text names: "EMA", or railmail's "posted (EMA)", or
 * "scan"/"scanned"; -1 when none. */
static int parse_code(const char *text)
{
    const char *open = strrchr(text, '(');
    char code[16];
    size_t len = strlen(text);
    if (open && len > 0 && text[len - 1] == ')') {
        text = open + 1;
        len = (size_t)(strchr(text, ')') - text);
    }
    if (len >= sizeof code)
        return -1;
    memcpy(code, text, len);
    code[len] = '\0';
    if (!strcasecmp(code, "scan") || !strcasecmp(code, "scanned"))
        return EVENTS_SCAN;
    for (int c = 0; c <= EVENTS_EMD; c++)
        if (!strcasecmp(code, code_names[c]))
            return c;
    return -1;
}

/* The columns of the file: the index of each field in a row, -1 when the
 * header lacks it. */
struct columns {
    int id, replication, batch, time, time_h, node, event;
};

static enum rm_status find_columns(const char *file, const struct csvread_row *h, struct columns *c,
                                   struct diag *d)
{
    *c = (struct columns){ -1, -1, -1, -1, -1, -1, -1 };
    struct {
        const char *name;
        int *at;
    } known[] = { { "id", &c->id },     { "replication", &c->replication }, { "batch", &c->batch },
                  { "time", &c->time }, { "time_h", &c->time_h },           { "node", &c->node },
                  { "event", &c->event } };
    for (size_t i = 0; i < h->n_fields; i++)
        for (size_t k = 0; k < sizeof known / sizeof *known; k++)
            if (!strcmp(h->fields[i].text, known[k].name) && *known[k].at < 0)
                *known[k].at = (int)i;
    struct diag_at at = { file, h->line, 0 };
    bool id = c->id >= 0 || (c->replication >= 0 && c->batch >= 0);
    if (!id || (c->time < 0 && c->time_h < 0) || c->node < 0 || c->event < 0)
        return diag_error(d, &at, "expected the columns id,time,node,event (or time_h for time, or "
                                  "replication,batch for id, as the tracking log has them), got \"%s%s\"",
                          h->n_fields ? h->fields[0].text : "", h->n_fields > 1 ? ",..." : "");
    return RM_OK;
}

static int by_code(const void *pa, const void *pb)
{
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* The node a code stands for, SIZE_MAX when none. */
static size_t map_find(const struct events_map *m, const char *code)
{
    const char **at = m && m->n ? bsearch(&code, m->code, m->n, sizeof *m->code, by_code) : NULL;
    return at ? m->node[at - m->code] : SIZE_MAX;
}

enum rm_status events_map_parse(const char *file, const char *data, size_t len, const struct scenario *s,
                                struct events_map *out, struct diag *d)
{
    *out = (struct events_map){ 0 };
    enum rm_status st = csvread_parse(file, data, len, &out->table, d);
    if (st != RM_OK)
        return st;
    const struct csvread_table *t = &out->table;
    int code = -1, node = -1;
    for (size_t i = 0; t->n_rows && i < t->rows[0].n_fields; i++) {
        code = strcmp(t->rows[0].fields[i].text, "code") ? code : (int)i;
        node = strcmp(t->rows[0].fields[i].text, "node") ? node : (int)i;
    }
    if (code < 0 || node < 0)
        return diag_error(d, &(struct diag_at){ file, t->n_rows ? t->rows[0].line : 0, 0 },
                          "expected the columns code,node");
    out->code = malloc(t->n_rows * sizeof *out->code);
    out->node = malloc(t->n_rows * sizeof *out->node);
    if (!out->code || !out->node)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    for (size_t r = 1; r < t->n_rows; r++) {
        const struct csvread_row *row = &t->rows[r];
        if (row->n_fields != t->rows[0].n_fields) {
            st = diag_error(d, &(struct diag_at){ file, row->line, 0 }, "expected %zu fields, got %zu",
                            t->rows[0].n_fields, row->n_fields);
            continue;
        }
        const struct csvread_field *nf = &row->fields[node];
        size_t n = scenario_node_find(s, nf->text);
        if (n == SIZE_MAX) {
            st = diag_error(d, &(struct diag_at){ file, nf->line, nf->col },
                            "node: expected a node id of the scenario, got \"%s\"", nf->text);
            continue;
        }
        out->code[out->n] = row->fields[code].text;
        out->node[out->n++] = n;
    }
    /* sorted together: the codes with their nodes */
    for (size_t i = 1; i < out->n; i++)
        for (size_t j = i; j > 0 && strcmp(out->code[j - 1], out->code[j]) > 0; j--) {
            const char *tc = out->code[j];
            size_t tn = out->node[j];
            out->code[j] = out->code[j - 1], out->node[j] = out->node[j - 1];
            out->code[j - 1] = tc, out->node[j - 1] = tn;
        }
    for (size_t i = 1; i < out->n; i++)
        if (!strcmp(out->code[i - 1], out->code[i]))
            st = diag_error(d, &(struct diag_at){ file, 0, 0 }, "code: \"%s\" given twice", out->code[i]);
    return st;
}

void events_map_fini(struct events_map *m)
{
    free(m->code);
    free(m->node);
    csvread_fini(&m->table);
    *m = (struct events_map){ 0 };
}

/* Reads one row into *out; false with the message in d. */
static bool read_row(const char *file, const struct csvread_row *row, const struct columns *c,
                     size_t n_columns, const struct scenario *s, const struct events_map *map,
                     struct events_row *out, struct diag *d)
{
    if (row->n_fields != n_columns) {
        struct diag_at at = { file, row->line, 0 };
        diag_error(d, &at, "expected %zu fields, got %zu", n_columns, row->n_fields);
        return false;
    }
    const struct csvread_field *f = row->fields;
    bool ok = true;
    *out = (struct events_row){ .line = row->line };
    if (c->id >= 0) {
        out->id = f[c->id].text;
    } else {
        out->id = f[c->replication].text;
        uint64_t run;
        if (!num_parse_whole(out->id, &run) || run > UINT32_MAX) {
            struct diag_at at = { file, f[c->replication].line, f[c->replication].col };
            ok = (diag_error(d, &at, "replication: expected a whole number, got \"%s\"", out->id), false);
        }
        out->run = (uint32_t)run;
        if (!num_parse_whole(f[c->batch].text, &out->batch)) {
            struct diag_at at = { file, f[c->batch].line, f[c->batch].col };
            ok = (diag_error(d, &at, "batch: expected a whole number, got \"%s\"", f[c->batch].text), false);
        }
    }
    if (c->time >= 0) {
        const struct csvread_field *t = &f[c->time];
        if (!events_parse_time(t->text, s->start_day, &out->time_h)) {
            struct diag_at at = { file, t->line, t->col };
            ok = (diag_error(d, &at, "time: expected an ISO 8601 date-time such as 2024-03-01T06:00:00Z "
                                     "or 2024-03-01T14:00:00+08:00, got \"%s\"", t->text), false);
        }
    } else {
        const struct csvread_field *t = &f[c->time_h];
        if (!num_parse(t->text, strlen(t->text), '.', &out->time_h)) {
            struct diag_at at = { file, t->line, t->col };
            ok = (diag_error(d, &at, "time_h: expected hours from the start date, got \"%s\"", t->text), false);
        }
    }
    const struct csvread_field *n = &f[c->node];
    size_t node = map_find(map, n->text);
    if (node == SIZE_MAX)
        node = scenario_node_find(s, n->text);
    if (node == SIZE_MAX) {
        struct diag_at at = { file, n->line, n->col };
        ok = (diag_error(d, &at, "node: expected a node id of the scenario%s, got \"%s\"",
                         map ? " or a code of the map" : "", n->text), false);
    }
    out->node = (uint32_t)node;
    const struct csvread_field *e = &f[c->event];
    int code = parse_code(e->text);
    if (code < 0) {
        struct diag_at at = { file, e->line, e->col };
        ok = (diag_error(d, &at, "event: expected EMA, EMC, EMK, EMJ, EMD or scanned (bare or as "
                                 "the tracking log writes them, \"posted (EMA)\"), got \"%s\"", e->text), false);
    }
    out->code = (uint8_t)code;
    return ok;
}

/* By id, then time, then line: an id's events in order. */
static int by_id_time(const void *pa, const void *pb)
{
    const struct events_row *a = pa, *b = pb;
    int c = a->id == b->id ? 0 : strcmp(a->id, b->id);
    if (c)
        return c;
    if (a->batch != b->batch)
        return a->batch < b->batch ? -1 : 1;
    if (a->time_h != b->time_h)
        return a->time_h < b->time_h ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

enum rm_status events_parse(const char *file, const char *data, size_t len, const struct scenario *s,
                            const struct events_map *map, struct events *out, struct diag *d)
{
    *out = (struct events){ .file = file };
    enum rm_status st = csvread_parse(file, data, len, &out->table, d);
    if (st != RM_OK)
        return st;
    const struct csvread_table *t = &out->table;
    if (t->n_rows == 0)
        return diag_error(d, &(struct diag_at){ file, 0, 0 }, "expected a header id,time,node,event, got an empty file");
    struct columns c;
    if ((st = find_columns(file, &t->rows[0], &c, d)) != RM_OK)
        return st;
    out->rows = malloc((t->n_rows - 1 + 1) * sizeof *out->rows);
    if (!out->rows)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    size_t errors = 0;
    for (size_t i = 1; i < t->n_rows && errors < 20; i++) {  /* a wrong file says so 20 times at most */
        if (read_row(file, &t->rows[i], &c, t->rows[0].n_fields, s, map, &out->rows[out->n], d))
            out->n++;
        else
            errors++;
    }
    if (errors)
        return RM_EINPUT;
    qsort(out->rows, out->n, sizeof *out->rows, by_id_time);
    return RM_OK;
}

void events_fini(struct events *e)
{
    free(e->rows);
    e->rows = NULL;
    e->n = 0;
    csvread_fini(&e->table);
}
