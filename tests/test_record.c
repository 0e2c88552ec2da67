/* record: run.json names every input with the SHA-256 that sha256sum gives,
 * and verify makes the results again and finds what changed. */
#include "e2e.h"

/* The sha256 run.json gives for a path ending in `name`, or NULL. */
static char *recorded_sha(const char *results, const char *name)
{
    char *path = e2e_format("%s/run.json", results), *json = e2e_slurp(path);
    free(path);
    cr_assert(json, "no run.json in %s", results);
    char *key = e2e_format("/%s\",", name), *at = strstr(json, key), *sha = NULL;
    if (at && (at = strstr(at, "\"sha256\": \"")))
        sha = strndup(at + strlen("\"sha256\": \""), 64);
    free(key);
    free(json);
    return sha;
}

/* What sha256sum says of a file. */
static char *sha256sum(const char *file)
{
    char *cmd = e2e_format("sha256sum '%s'", file);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    char line[256] = "";
    cr_assert(fgets(line, sizeof line, p));
    pclose(p);
    free(cmd);
    return strndup(line, 64);
}

Test(record, run_json_hashes_every_input_as_sha256sum_does, .timeout = 60)
{
    char *s = e2e_copy("tests/fixtures/scenario-mini"), *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q --no-plot -o %s/a", s, t), 0);
    char *a = e2e_format("%s/a", t);
    const char *files[] = { "scenario.csv", "nodes.csv", "legs.csv", "services.csv", "demand.csv", "disruptions.csv" };
    char *before[6];
    for (int i = 0; i < 6; i++) {
        char *file = e2e_format("%s/%s", s, files[i]), *want = sha256sum(file);
        before[i] = recorded_sha(a, files[i]);
        cr_assert(before[i] && !strcmp(before[i], want), "%s: run.json %s, sha256sum %s", files[i], before[i], want);
        free(file);
        free(want);
    }
    /* one byte more in legs.csv: its hash changes, and only its */
    e2e_sh("printf '# one more byte\\n' >> '%s/legs.csv'", s);
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q --no-plot -o %s/b", s, t), 0);
    char *b = e2e_format("%s/b", t);
    for (int i = 0; i < 6; i++) {
        char *after = recorded_sha(b, files[i]);
        cr_assert_eq(strcmp(after, before[i]) != 0, !strcmp(files[i], "legs.csv"), "%s", files[i]);
        free(after);
        free(before[i]);
    }
    char *json = e2e_format("%s/run.json", a), *text = e2e_slurp(json);
    cr_assert(strstr(text, "\"version\"") && strstr(text, "\"command\"") && strstr(text, "\"started_utc\"")
              && strstr(text, "\"wall_s\"") && strstr(text, "\"host\"") && strstr(text, "\"flags\""), "%s", text);
    free(text);
    free(json);
    free(a);
    free(b);
    e2e_rmtree(s);
    e2e_rmtree(t);
}

Test(record, verify_passes_untouched_and_names_what_changed, .timeout = 120)
{
    char *s = e2e_copy("tests/fixtures/scenario-mini"), *t = e2e_tmpdir();
    char *out = e2e_format("%s/out", t);
    cr_assert_eq(e2e_runf(NULL, NULL, "compare tests/e2e/weekly daily -r 3 -q --no-plot -o %s/c", t), 0);
    cr_assert_eq(e2e_runf(out, NULL, "verify %s/c", t), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q -o %s/r", s, t), 0);
    cr_assert_eq(e2e_runf(out, NULL, "verify %s/r", t), 0);
    char *text = e2e_slurp(out);
    cr_assert(strstr(text, "verified:"), "%s", text);
    free(text);
    /* an edited result file */
    e2e_sh("sed -i 's/^delivered_batches,all,[0-9]*/delivered_batches,all,1/' '%s/r/summary.csv'", t);
    cr_assert_eq(e2e_runf(out, NULL, "verify %s/r", t), 1);
    text = e2e_slurp(out);
    cr_assert(strstr(text, "differs: 1 file") && strstr(text, "  summary.csv\n"), "%s", text);
    free(text);
    /* an edited input: every file that follows from it differs, and the input is named */
    e2e_sh("sed -i 's/BRS,Brest,BY,hub,3,/BRS,Brest,BY,hub,2,/' '%s/nodes.csv'", s);
    cr_assert_eq(e2e_runf(out, NULL, "verify %s/r", t), 1);
    text = e2e_slurp(out);
    cr_assert(strstr(text, "replications.csv") && strstr(text, "nodes.csv has changed since"), "%s", text);
    free(text);
    /* no record: a usage error */
    cr_assert_eq(e2e_runf(NULL, NULL, "verify %s", s), 2);
    free(out);
    e2e_rmtree(s);
    e2e_rmtree(t);
}

Test(record, verify_refuses_a_run_json_of_another_shape_with_the_key, .timeout = 60)
{
    char *t = e2e_tmpdir(), *err = e2e_format("%s/err", t);
    cr_assert_eq(e2e_runf(NULL, NULL, "run tests/fixtures/scenario-mini -r 2 -q --no-plot -o %s/r", t), 0);
    /* the first input's path a number: once a crash, now a message naming it */
    e2e_sh("sed -i '0,/\"path\": \"[^\"]*\"/s//\"path\": 17/' '%s/r/run.json'", t);
    cr_assert_eq(e2e_runf(NULL, err, "verify %s/r", t), 2);
    char *text = e2e_slurp(err);
    cr_assert(strstr(text, "run.json: inputs[0].path: expected a text, found a number"), "%s", text);
    free(text);
    /* the report reads the same record the same way */
    cr_assert_eq(e2e_runf(NULL, err, "report %s/r", t), 2);
    text = e2e_slurp(err);
    cr_assert(strstr(text, "inputs[0].path: expected a text, found a number"), "%s", text);
    free(text);
    free(err);
    e2e_rmtree(t);
}
