/* libFuzzer target over calibrate's input: a post's tracking events (and
 * its office codes' map) read against tests/fixtures/scenario-mini, loaded
 * once. The input is split at the first 0x1e byte into the events file and
 * the map (an empty map part: no --map). Whatever the bytes, the readers
 * must report at FILE:LINE:COL or succeed, never crash or leak; sanitizers
 * catch the rest. Seeds are in tests/fuzz/corpus_events/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "railmail/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct scenario *s;

static void unload(void)
{
    scenario_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!s) {
        struct diag *d = diag_create();
        if (scenario_load("tests/fixtures/scenario-mini", NULL, NULL, 0, &s, d) != RM_OK)
            abort();  /* run from the repository's root */
        diag_destroy(d);
        atexit(unload);
    }
    const char *p = (const char *)data, *sep = memchr(p, 0x1e, size);
    size_t events_len = sep ? (size_t)(sep - p) : size;
    struct diag *d = diag_create();
    struct events_map map;
    bool with_map = sep && size > events_len + 1;
    if (with_map)
        events_map_parse("codes.csv", sep + 1, size - events_len - 1, s, &map, d);
    struct events ev;
    bool ok = events_parse("events.csv", p, events_len, s, with_map ? &map : NULL, &ev, d) == RM_OK;
    for (size_t i = 1; ok && i < ev.n; i++)  /* read whole: sorted by id, then time */
        if (events_same_id(&ev.rows[i - 1], &ev.rows[i]) && ev.rows[i - 1].time_h > ev.rows[i].time_h)
            abort();
    events_fini(&ev);
    if (with_map)
        events_map_fini(&map);
    diag_destroy(d);
    return 0;
}
