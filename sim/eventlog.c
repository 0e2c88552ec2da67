/* eventlog: the trains', batches' and tracking events' logs of a run, one
 * table of their files and columns and one writer per row. Times are
 * written as "%.3f" hours. Rows are assembled without printf (csvwrite's
 * lines, exactly printf's digits): a train's row cost about 9,000
 * instructions with it, and a year of the large benchmark tracks tens of
 * millions of events. */
#include "railmail/eventlog.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "railmail/calendar.h"
#include "railmail/csvwrite.h"

struct eventlog {
    const struct scenario *s;
    char **node_field, **service_field;  /* the ids as CSV fields */
};

static const struct {
    const char *name, *stem, *columns;
} files[EVENTLOG_FILES] = {
    [EVENTLOG_TRAINS] = { "trains.csv", "trains",
                          "replication,service,train,departed_h,arrived_h,load_t,max_load_pct" },
    [EVENTLOG_BATCHES] = { "batches.csv", "batches",
                           "replication,batch,origin,destination,kg,posted_h,departed_h,delivered_h,transit_d,"
                           "services" },
    [EVENTLOG_TRACKING] = { "tracking.csv", "tracking", "replication,batch,time_h,node,event" },
};

static const char *const event_text[] = {
    [EVENTLOG_POSTED] = "posted (EMA)",
    [EVENTLOG_DEPARTED] = "departed (EMC)",
    [EVENTLOG_DEPARTED_AGAIN] = "departed (EMK)",
    [EVENTLOG_SCANNED] = "scanned",
    [EVENTLOG_TRANSFERRED] = "transferred (EMJ)",
    [EVENTLOG_DELIVERED] = "delivered (EMD)",
};

const char *eventlog_name(enum eventlog_file f)
{
    return files[f].name;
}

const char *eventlog_stem(enum eventlog_file f)
{
    return files[f].stem;
}

const char *eventlog_columns(enum eventlog_file f)
{
    return files[f].columns;
}

struct eventlog *eventlog_create(const struct scenario *s)
{
    struct eventlog *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->s = s;
    l->node_field = calloc(s->n_nodes + 1, sizeof *l->node_field);
    l->service_field = calloc(s->n_services + 1, sizeof *l->service_field);
    if (!l->node_field || !l->service_field)
        goto fail;
    for (size_t n = 0; n < s->n_nodes; n++)
        if (!(l->node_field[n] = csvwrite_field_dup(s->nodes[n].id)))
            goto fail;
    for (size_t k = 0; k < s->n_services; k++)
        if (!(l->service_field[k] = csvwrite_field_dup(s->services[k].id)))
            goto fail;
    return l;
fail:
    eventlog_destroy(l);
    return NULL;
}

void eventlog_destroy(struct eventlog *l)
{
    if (!l)
        return;
    for (size_t n = 0; l->node_field && n < l->s->n_nodes; n++)
        free(l->node_field[n]);
    for (size_t k = 0; l->service_field && k < l->s->n_services; k++)
        free(l->service_field[k]);
    free(l->node_field);
    free(l->service_field);
    free(l);
}

/* Adds text as it is (a field quoted already, or one that needs no quotes). */
static void put(struct csvwrite_line *w, const char *text)
{
    csvwrite_line_put(w, text, strlen(text));
}

void eventlog_event(const struct eventlog *l, FILE *f, unsigned replication, uint64_t batch, double time_h,
                    size_t node, enum eventlog_event ev)
{
    struct csvwrite_line w;
    csvwrite_line_start(&w, f);
    csvwrite_line_uint(&w, replication), csvwrite_line_char(&w, ',');
    csvwrite_line_uint(&w, batch), csvwrite_line_char(&w, ',');
    csvwrite_line_fixed(&w, time_h, 3), csvwrite_line_char(&w, ',');
    put(&w, l->node_field[node]), csvwrite_line_char(&w, ',');
    put(&w, event_text[ev]);
    csvwrite_line_end(&w);
}

void eventlog_train(const struct eventlog *l, FILE *f, const struct eventlog_train *row)
{
    struct csvwrite_line w;
    csvwrite_line_start(&w, f);
    csvwrite_line_uint(&w, row->replication), csvwrite_line_char(&w, ',');
    put(&w, l->service_field[row->service]), csvwrite_line_char(&w, ',');
    csvwrite_line_uint(&w, row->number), csvwrite_line_char(&w, ',');
    csvwrite_line_fixed(&w, row->departed_h, 3), csvwrite_line_char(&w, ',');
    if (!isnan(row->arrived_h))
        csvwrite_line_fixed(&w, row->arrived_h, 3);
    csvwrite_line_char(&w, ',');
    csvwrite_line_fixed(&w, row->load_t, 3), csvwrite_line_char(&w, ',');
    if (!isnan(row->max_load_pct))
        csvwrite_line_fixed(&w, row->max_load_pct, 1);
    csvwrite_line_end(&w);
}

bool eventlog_batch(const struct eventlog *l, FILE *f, const struct eventlog_batch *row)
{
    /* The services ridden, "A>B", are one field: joined first, then quoted
     * as a whole if need be. */
    size_t need = sizeof ">...";
    for (unsigned i = 0; i < row->n_services; i++)
        need += strlen(l->s->services[row->services[i]].id) + 1;
    char buf[512], *services = need <= sizeof buf ? buf : malloc(need), *at = services;
    if (!services)
        return false;
    for (unsigned i = 0; i < row->n_services; i++) {
        const char *id = l->s->services[row->services[i]].id;
        size_t len = strlen(id);
        if (i)
            *at++ = '>';
        memcpy(at, id, len);
        at += len;
    }
    if (row->more)
        at += sprintf(at, ">...");
    *at = '\0';
    struct csvwrite_line w;
    csvwrite_line_start(&w, f);
    csvwrite_line_uint(&w, row->replication), csvwrite_line_char(&w, ',');
    csvwrite_line_uint(&w, row->batch), csvwrite_line_char(&w, ',');
    put(&w, l->node_field[row->origin]), csvwrite_line_char(&w, ',');
    put(&w, l->node_field[row->destination]), csvwrite_line_char(&w, ',');
    csvwrite_line_fixed(&w, row->kg, 3), csvwrite_line_char(&w, ',');
    csvwrite_line_fixed(&w, row->posted_h, 3), csvwrite_line_char(&w, ',');
    if (!isnan(row->departed_h))
        csvwrite_line_fixed(&w, row->departed_h, 3);
    csvwrite_line_char(&w, ',');
    if (!isnan(row->delivered_h)) {  /* and the transit time in days */
        csvwrite_line_fixed(&w, row->delivered_h, 3), csvwrite_line_char(&w, ',');
        csvwrite_line_fixed(&w, (row->delivered_h - row->posted_h) / CALENDAR_HOURS_PER_DAY, 4);
    } else
        csvwrite_line_char(&w, ',');
    csvwrite_line_char(&w, ',');
    csvwrite_line_field(&w, services);
    csvwrite_line_end(&w);
    if (services != buf)
        free(services);
    return true;
}
