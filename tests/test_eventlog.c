/* eventlog: the rows of the trains', batches' and tracking events' logs,
 * byte for byte, with ids that need quoting and the empty fields of
 * batches and trains still on the way. */
#include "railmail/eventlog.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct scenario_node nodes[] = { { .id = "CQ" }, { .id = "MAL,PL" }, { .id = "LGE" } };
static struct scenario_service services[] = { { .id = "CQ-MAL" }, { .id = "MAL \"fast\"" }, { .id = "LAST" } };
static struct scenario scenario = { .nodes = nodes, .n_nodes = 3, .services = services, .n_services = 3 };

struct written {
    char *text;
    size_t len;
    FILE *f;
};

static FILE *start(struct written *w)
{
    *w = (struct written){ 0 };
    w->f = open_memstream(&w->text, &w->len);
    cr_assert_not_null(w->f);
    return w->f;
}

static void assert_written(struct written *w, const char *want)
{
    cr_assert_eq(fclose(w->f), 0);
    cr_assert_str_eq(w->text, want);
    free(w->text);
}

Test(eventlog, files_have_their_names_stems_and_columns)
{
    cr_assert_str_eq(eventlog_name(EVENTLOG_TRAINS), "trains.csv");
    cr_assert_str_eq(eventlog_stem(EVENTLOG_BATCHES), "batches");
    cr_assert_str_eq(eventlog_columns(EVENTLOG_TRACKING), "replication,batch,time_h,node,event");
    for (int f = 0; f < EVENTLOG_FILES; f++) {
        size_t stem = strlen(eventlog_stem(f));
        cr_assert_eq(strncmp(eventlog_name(f), eventlog_stem(f), stem), 0);
        cr_assert_str_eq(eventlog_name(f) + stem, ".csv");
        cr_assert_eq(strncmp(eventlog_columns(f), "replication,", 12), 0);
    }
}

Test(eventlog, tracking_rows_name_the_event_and_quote_the_node)
{
    struct eventlog *l = eventlog_create(&scenario);
    cr_assert_not_null(l);
    struct written w;
    FILE *f = start(&w);
    eventlog_event(l, f, 3, 41, 2.3854, 0, EVENTLOG_POSTED);
    eventlog_event(l, f, 3, 41, 17.0004, 1, EVENTLOG_SCANNED);
    eventlog_event(l, f, 3, 41, 29.25, 1, EVENTLOG_TRANSFERRED);
    eventlog_event(l, f, 3, 41, 30.5, 1, EVENTLOG_DEPARTED_AGAIN);
    eventlog_event(l, f, 3, 42, 1.5, 0, EVENTLOG_DEPARTED);
    eventlog_event(l, f, 3, 41, 100.125, 2, EVENTLOG_DELIVERED);
    assert_written(&w, "3,41,2.385,CQ,posted (EMA)\n"
                       "3,41,17.000,\"MAL,PL\",scanned\n"
                       "3,41,29.250,\"MAL,PL\",transferred (EMJ)\n"
                       "3,41,30.500,\"MAL,PL\",departed (EMK)\n"
                       "3,42,1.500,CQ,departed (EMC)\n"
                       "3,41,100.125,LGE,delivered (EMD)\n");
    eventlog_destroy(l);
}

Test(eventlog, train_rows_leave_unknown_arrival_and_load_empty)
{
    struct eventlog *l = eventlog_create(&scenario);
    struct written w;
    FILE *f = start(&w);
    eventlog_train(l, f, &(struct eventlog_train){ 2, 1, 7, 34.25, 290.5, 12.3854, 62.54 });
    eventlog_train(l, f, &(struct eventlog_train){ 2, 0, 8, 50, NAN, 0, NAN });
    assert_written(&w, "2,\"MAL \"\"fast\"\"\",7,34.250,290.500,12.385,62.5\n"
                       "2,CQ-MAL,8,50.000,,0.000,\n");
    eventlog_destroy(l);
}

Test(eventlog, batch_rows_join_the_services_ridden_into_one_field)
{
    struct eventlog *l = eventlog_create(&scenario);
    struct written w;
    FILE *f = start(&w);
    const uint16_t rode[] = { 0, 1, 2 };
    eventlog_batch(l, f, &(struct eventlog_batch){ 1, 9, 0, 2, 12.5, 2.385, 10.25, 60.745, rode, 2, false });
    eventlog_batch(l, f, &(struct eventlog_batch){ 1, 10, 0, 2, 8, 3, NAN, NAN, rode, 0, false });
    eventlog_batch(l, f, &(struct eventlog_batch){ 1, 11, 0, 1, 8, 3, 4, NAN, rode + 2, 1, true });
    assert_written(&w, "1,9,CQ,LGE,12.500,2.385,10.250,60.745,2.4317,\"CQ-MAL>MAL \"\"fast\"\"\"\n"
                       "1,10,CQ,LGE,8.000,3.000,,,,\n"
                       "1,11,CQ,\"MAL,PL\",8.000,3.000,4.000,,,LAST>...\n");
    eventlog_destroy(l);
}
