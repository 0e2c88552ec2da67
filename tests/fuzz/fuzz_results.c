/* libFuzzer target over the read-back side: what plot, report and verify
 * read from a results folder. The input is split at 0x1e bytes into the
 * files of a folder (run.json, meta.csv, summary.csv, monthly.csv,
 * compare.csv, sweep.csv, target.csv, pairs.csv, an optimisation's
 * points.csv and optimum.csv; an empty part is an
 * absent file), written into a fresh folder under TMPDIR, and read back
 * through the loaders every command uses (results.h): the run record, each
 * CSV, the sweep's target. Sanitizers catch the rest. Seeds are in
 * tests/fuzz/corpus_results/, the crafted folders of issue 23 among them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "railmail/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { RESULTS_RUN_JSON, RESULTS_META_CSV, RESULTS_SUMMARY_CSV, RESULTS_MONTHLY_CSV,
                                     RESULTS_COMPARE_CSV, RESULTS_SWEEP_CSV, RESULTS_TARGET_CSV, RESULTS_PAIRS_CSV,
                                     RESULTS_POINTS_CSV, RESULTS_OPTIMUM_CSV };
#define N_FILES (sizeof names / sizeof *names)

static char dir[64];

static void remove_dir(void)
{
    rmdir(dir);
}

static void write_file(const char *name, const char *p, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(p, 1, len, f);
        fclose(f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/railmail-fuzz-XXXXXX", tmp && *tmp && strlen(tmp) < 30 ? tmp : "/tmp");
        if (!mkdtemp(dir))
            abort();
        atexit(remove_dir);
    }
    const char *p = (const char *)data, *end = p + size;
    bool present[N_FILES] = { false };
    for (size_t part = 0; part < N_FILES && p <= end; part++) {
        const char *q = memchr(p, 0x1e, (size_t)(end - p));
        if (!q)
            q = end;
        if (q > p) {
            write_file(names[part], p, (size_t)(q - p));
            present[part] = true;
        }
        p = q + 1;
    }
    struct diag *d = diag_create();
    if (d) {
        struct results_record rec;
        if (results_record_load(&rec, dir, d) == RM_OK)
            results_record_fini(&rec);
        else
            results_record_fini(&rec);
        struct results_optimum o;
        results_optimum_load(&o, dir, d);  /* points.csv, optimum.csv and meta.csv's keys */
        results_optimum_fini(&o);
        for (size_t i = 2; i < N_FILES; i++) {
            struct table t;
            bool found;
            if (i == 6) {
                struct results_target g;
                results_target_load(&g, dir, d);
                results_target_fini(&g);
            } else if (results_load(&t, dir, names[i], &found, d) == RM_OK && found) {
                table_fini(&t);
            }
        }
        diag_destroy(d);
    }
    for (size_t i = 0; i < N_FILES; i++)
        if (present[i]) {
            char path[128];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            unlink(path);
        }
    return 0;
}
