/* Tests for results: the run record is loaded from run.json, from meta.csv
 * where run.json is absent or silent, from neither; a value of the wrong
 * type is refused naming its key; and the chart catalogue gives every chart
 * its files. */
#include "railmail/results.h"

#include "e2e.h"

static const char run_json[] =
    "{\n"
    "  \"railmail\": {\"version\": \"9.8.7\", \"commit\": \"abc123\"},\n"
    "  \"command\": [\"railmail\", \"compare\", \"sc\", \"-r\", \"7\"],\n"
    "  \"cwd\": \"/home/planner\",\n"
    "  \"started_utc\": \"2024-05-06T07:08:09Z\",\n"
    "  \"inputs\": [{\"path\": \"sc/nodes.csv\", \"sha256\": \"00ff\"}, {\"path\": \"sc/legs.csv\", \"sha256\": \"ee11\"}],\n"
    "  \"kind\": \"compare\",\n"
    "  \"scenario\": \"scenarios/via-brest\",\n"
    "  \"seed\": \"17\",\n"
    "  \"replications\": 7,\n"
    "  \"replications_chosen\": \"-r\",\n"
    "  \"horizon_d\": 90.5,\n"
    "  \"warmup_d\": 14,\n"
    "  \"sets\": [\"scenario.seed=17\"],\n"
    "  \"plot\": \"no\",\n"
    "  \"target\": null,\n"
    "  \"proposals\": [\"fast lane\", \"more;trains\"]\n"
    "}\n";

static const char meta_csv[] =
    "key,value\n"
    "kind,compare\n"
    "scenario,via-brest\n"
    "title,\"Via Brest, 2024\"\n"
    "horizon_d,90.5\n"
    "warmup_d,14\n"
    "replications,3\n"
    "seed,17\n"
    "confidence,0.9\n"
    "service_standard_d,12.75\n"
    "proposals, fast ; slow;;\n";

static struct diag *d;

static void setup(void)
{
    d = diag_create();
}

static void teardown(void)
{
    diag_destroy(d);
}

static void load_ok(struct results_record *r, const char *dir)
{
    enum rm_status st = results_record_load(r, dir, d);
    cr_assert_eq(st, RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
}

static void load_fails_with(const char *dir, const char *message)
{
    struct results_record r;
    cr_assert_eq(results_record_load(&r, dir, d), RM_EINPUT);
    cr_assert_eq(diag_count(d), 1);
    cr_assert_not_null(strstr(diag_message(d, 0), message), "message \"%s\" lacks \"%s\"", diag_message(d, 0),
                       message);
    results_record_fini(&r);
}

TestSuite(results, .init = setup, .fini = teardown);

Test(results, run_json_alone_gives_the_whole_record)
{
    char *dir = e2e_tmpdir();
    e2e_write(dir, "run.json", run_json);
    struct results_record r;
    load_ok(&r, dir);
    cr_assert(r.from_run_json);
    cr_assert_not(r.from_meta);
    cr_assert(r.has_kind);
    cr_assert_eq(r.kind, RESULTS_COMPARE);
    cr_assert_str_eq(r.scenario_dir, "scenarios/via-brest");
    cr_assert_str_eq(r.scenario, "via-brest");
    cr_assert_null(r.title);
    cr_assert_str_eq(r.seed, "17");
    cr_assert_eq(r.replications, 7);
    cr_assert_eq(r.horizon_d, 90.5);
    cr_assert_eq(r.warmup_d, 14);
    cr_assert(isnan(r.confidence) && isnan(r.service_standard_d));
    cr_assert_eq(r.n_proposals, 2);
    cr_assert_str_eq(r.proposals[0], "fast lane");
    cr_assert_str_eq(r.proposals[1], "more;trains");
    cr_assert_eq(r.n_sets, 1);
    cr_assert_str_eq(r.sets[0], "scenario.seed=17");
    cr_assert_null(r.target);
    cr_assert(r.no_plot);
    cr_assert_eq(r.n_command, 5);
    cr_assert_str_eq(r.command[1], "compare");
    cr_assert_str_eq(r.cwd, "/home/planner");
    cr_assert_str_eq(r.version, "9.8.7");
    cr_assert_str_eq(r.commit, "abc123");
    cr_assert_str_eq(r.replications_chosen, "-r");
    cr_assert_eq(r.n_inputs, 2);
    cr_assert_str_eq(r.inputs[1].path, "sc/legs.csv");
    cr_assert_str_eq(r.inputs[1].sha256, "ee11");
    results_record_fini(&r);
    e2e_rmtree(dir);
}

Test(results, meta_csv_alone_gives_what_the_charts_need)
{
    char *dir = e2e_tmpdir();
    e2e_write(dir, "meta.csv", meta_csv);
    struct results_record r;
    load_ok(&r, dir);
    cr_assert(r.from_meta);
    cr_assert_not(r.from_run_json);
    cr_assert_eq(r.kind, RESULTS_COMPARE);
    cr_assert_null(r.scenario_dir);
    cr_assert_str_eq(r.scenario, "via-brest");
    cr_assert_str_eq(r.title, "Via Brest, 2024");
    cr_assert_eq(r.replications, 3);
    cr_assert_eq(r.confidence, 0.9);
    cr_assert_eq(r.service_standard_d, 12.75);
    cr_assert_eq(r.n_proposals, 2, "names trimmed, empty ones skipped");
    cr_assert_str_eq(r.proposals[0], "fast");
    cr_assert_str_eq(r.proposals[1], "slow");
    cr_assert_eq(r.n_command, 0);
    cr_assert_null(r.command);
    cr_assert_not(r.no_plot);
    results_record_fini(&r);
    e2e_rmtree(dir);
}

Test(results, run_json_wins_and_meta_csv_fills_in)
{
    char *dir = e2e_tmpdir();
    e2e_write(dir, "run.json", run_json);
    e2e_write(dir, "meta.csv", meta_csv);
    struct results_record r;
    load_ok(&r, dir);
    cr_assert(r.from_run_json && r.from_meta);
    cr_assert_eq(r.replications, 7, "run.json's count, not meta.csv's 3");
    cr_assert_str_eq(r.proposals[0], "fast lane");
    cr_assert_str_eq(r.title, "Via Brest, 2024");
    cr_assert_eq(r.confidence, 0.9);
    cr_assert_eq(r.service_standard_d, 12.75);
    results_record_fini(&r);
    e2e_rmtree(dir);
}

Test(results, meta_csv_with_one_proposal_per_row_keeps_any_name)
{
    char *dir = e2e_tmpdir();
    e2e_write(dir, "meta.csv", "key,value\nkind,compare\nproposal,a;b\nproposal,\" c \"\n");
    struct results_record r;
    load_ok(&r, dir);
    cr_assert_eq(r.n_proposals, 2);
    cr_assert_str_eq(r.proposals[0], "a;b");
    cr_assert_str_eq(r.proposals[1], " c ");
    results_record_fini(&r);
    e2e_rmtree(dir);
}

Test(results, neither_file_is_no_error_and_gives_an_empty_record)
{
    char *dir = e2e_tmpdir();
    struct results_record r;
    load_ok(&r, dir);
    cr_assert_not(r.from_run_json || r.from_meta || r.has_kind);
    cr_assert(isnan(r.horizon_d) && isnan(r.warmup_d) && isnan(r.replications));
    cr_assert_null(r.scenario);
    cr_assert_null(r.title);
    cr_assert_eq(r.n_proposals, 0);
    cr_assert_eq(r.n_inputs, 0);
    results_record_fini(&r);
    results_record_fini(&r);  /* twice is harmless */
    e2e_rmtree(dir);
}

Test(results, a_value_of_the_wrong_type_is_refused_with_its_key)
{
    char *dir = e2e_tmpdir();
    e2e_write(dir, "run.json", "{\"kind\": \"run\", \"inputs\": [{\"path\": 3, \"sha256\": \"00\"}]}");
    load_fails_with(dir, "run.json: inputs[0].path: expected a text, found a number");
    diag_clear(d);
    e2e_write(dir, "run.json", "{\"kind\": \"run\", \"inputs\": [{\"path\": \"a\"}]}");
    load_fails_with(dir, "inputs[0].sha256: expected a text, found none");
    diag_clear(d);
    e2e_write(dir, "run.json", "{\"kind\": \"run\", \"sets\": [\"a\", {}]}");
    load_fails_with(dir, "sets[1]: expected a text, found an object");
    diag_clear(d);
    e2e_write(dir, "run.json", "{\"kind\": \"run\", \"replications\": \"10\"}");
    load_fails_with(dir, "replications: expected a number, found a text");
    diag_clear(d);
    e2e_write(dir, "run.json", "{\"kind\": \"rerun\"}");
    load_fails_with(dir, "kind: expected run, compare, sweep or calibrate");
    diag_clear(d);
    e2e_write(dir, "run.json", "[1, 2]");
    load_fails_with(dir, "expected the run record of a results directory, found a list");
    diag_clear(d);
    e2e_write(dir, "run.json", "{\"kind\": ");
    load_fails_with(dir, "run.json:1:");
    e2e_rmtree(dir);
}

Test(results, meta_csv_values_are_checked_at_their_cell)
{
    char *dir = e2e_tmpdir();
    e2e_write(dir, "meta.csv", "key,value\nkind,run\nhorizon_d,0x10\n");
    load_fails_with(dir, "meta.csv:3:2: value: expected a number, got \"0x10\"");
    diag_clear(d);
    e2e_write(dir, "meta.csv", "key,value\nkind,walk\n");
    load_fails_with(dir, "meta.csv:2:2: kind: expected run, compare, sweep or calibrate, got \"walk\"");
    e2e_rmtree(dir);
}

Test(results, kinds_read_back_by_name)
{
    for (enum results_kind k = RESULTS_RUN; k < RESULTS_KINDS; k++) {
        enum results_kind back;
        cr_assert(results_kind_parse(results_kind_name(k), &back));
        cr_assert_eq(back, k);
    }
    enum results_kind k;
    cr_assert_not(results_kind_parse("Run", &k));
    cr_assert_not(results_kind_parse(NULL, &k));
}

Test(results, every_csv_of_the_schema_has_a_header_and_a_writer)
{
    size_t n = 0;
    for (const struct results_file *f; (f = results_file(n)); n++) {
        cr_assert(f->name && *f->name && f->writer && *f->writer && f->readers && f->what);
        cr_assert(f->kinds, "%s: no kind of results holds it", f->name);
        cr_assert_eq(results_file_find(f->name), f, "%s twice in the schema", f->name);
        if (strstr(f->name, ".csv"))
            cr_assert_not_null(f->columns, "%s: no header", f->name);
    }
    cr_assert_geq(n, 20);
    cr_assert_null(results_file_find("trains.csv"), "the event logs are not the schema's");
}

Test(results, the_target_is_read_with_its_threshold_checked)
{
    char *dir = e2e_tmpdir();
    e2e_write(dir, "target.csv", "key,value\nparameter,services.X.departures_per_week\nvalue,3\nmetric,on_time_pct\n"
                                 "scope,all\noperator,>=\nthreshold,80.5\nbound,81.25\noutcome,met\n");
    struct results_target g;
    cr_assert_eq(results_target_load(&g, dir, d), RM_OK);
    cr_assert(g.found);
    cr_assert_str_eq(g.value, "3");
    cr_assert_str_eq(g.op, ">=");
    cr_assert_eq(g.threshold, 80.5);
    cr_assert_eq(g.bound, 81.25);
    cr_assert_null(g.value_below);
    results_target_fini(&g);
    e2e_write(dir, "target.csv", "key,value\nthreshold,lots\n");
    cr_assert_eq(results_target_load(&g, dir, d), RM_EINPUT);
    cr_assert_not_null(strstr(diag_message(d, 0), "target.csv:2:2: value: expected a number, got \"lots\""));
    results_target_fini(&g);
    e2e_rmtree(dir);
}

/* True when `name` is among the n files. */
static bool listed(char **files, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(files[i], name))
            return true;
    return false;
}

Test(results, every_chart_of_the_catalogue_has_its_files_in_the_adopted_list)
{
    size_t n;
    char **files = results_chart_files(&n);
    cr_assert_not_null(files);
    size_t charts = 0;
    for (enum results_chart_id id = 0; id < RESULTS_N_CHARTS; id++) {
        const struct results_chart *c = results_chart(id);
        cr_assert(c->name && c->caption && c->kinds && c->inputs[0], "chart %d is incomplete", (int)id);
        char name[RESULTS_CHART_NAME_MAX];
        const char *metric;
        size_t k = 0;
        for (; results_chart_name(id, k, name, &metric); k++, charts++) {
            cr_assert_eq(metric != NULL, c->per_metric);
            char *gp = e2e_format("%s.gp", name), *png = e2e_format("%s.png", name);
            cr_assert(listed(files, n, gp) && listed(files, n, png), "%s is not adopted", name);
            free(gp);
            free(png);
        }
        cr_assert_geq(k, 1, "%s: no chart", c->name);
    }
    cr_assert_eq(n, 2 * charts, "each chart's script and picture, nothing else");
    cr_assert_null(files[n]);
    cr_assert(listed(files, n, "train_wait.png") && listed(files, n, "sweep_on_time_pct.gp"));
    free(files);
}

Test(results, the_train_wait_caption_speaks_of_days_as_its_axis_does)
{
    const char *caption = results_chart(RESULTS_CHART_TRAIN_WAIT)->caption;
    cr_assert_null(strstr(caption, "Hours"));
    cr_assert_not_null(strstr(caption, "Days trains queue"));
}
