/* libFuzzer target over the CSV and distribution layer: the input is split
 * at 0x1e bytes into the six base files (scenario, nodes, legs, services,
 * demand, disruptions), six overlay files and --set strings, which are
 * loaded from memory and destroyed; sanitizers catch the rest. An empty part
 * is an absent file. Seeds come from tests/fuzz/make_corpus.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "railmail/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[6] = {"scenario.csv", "nodes.csv", "legs.csv",
                                     "services.csv", "demand.csv", "disruptions.csv"};

#define MAX_SETS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario_file base[6], overlay[6];
    size_t n_base = 0, n_overlay = 0, n_sets = 0;
    char *sets[MAX_SETS];
    const char *p = (const char *)data, *end = p + size;
    for (size_t part = 0; p <= end && n_sets < MAX_SETS; part++) {
        const char *q = memchr(p, 0x1e, (size_t)(end - p));
        if (!q)
            q = end;
        size_t len = (size_t)(q - p);
        if (part < 12 && len > 0) {
            struct scenario_file f = {names[part % 6], p, len};
            if (part < 6)
                base[n_base++] = f;
            else
                overlay[n_overlay++] = f;
        } else if (part >= 12) {
            sets[n_sets] = malloc(len + 1);
            if (!sets[n_sets])
                break;
            memcpy(sets[n_sets], p, len);
            sets[n_sets][len] = '\0';
            n_sets++;
        }
        p = q + 1;
    }
    struct diag *d = diag_create();
    struct scenario *s = NULL;
    if (d) {
        scenario_load_memory("fuzz", base, n_base, n_overlay ? "fuzz/proposals/p" : NULL,
                             overlay, n_overlay, (const char *const *)sets, n_sets, &s, d);
        for (size_t i = 0; i < diag_count(d); i++)
            (void)strlen(diag_message(d, i));
    }
    scenario_destroy(s);
    diag_destroy(d);
    for (size_t i = 0; i < n_sets; i++)
        free(sets[i]);
    return 0;
}
