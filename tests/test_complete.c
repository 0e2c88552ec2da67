/* Tests for complete: what the shell is offered after each kind of word,
 * from the table of commands and options, the metric catalogue and the
 * scenario on the line; and that the table lists every command and option
 * the help does. */
#include "railmail/complete.h"

#include "e2e.h"

#include "railmail/metric.h"

#define DEFAULT "scenarios/china-europe-via-belarus"

/* What complete_words prints for the words of `line` split at spaces (a
 * final space: the word being completed is empty), malloc'd. */
static char *offers(const char *line)
{
    char *copy = strdup(line), *words[64], *save = NULL;
    int n = 0;
    for (char *w = strtok_r(copy, " ", &save); w && n < 63; w = strtok_r(NULL, " ", &save))
        words[n++] = w;
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] == ' ')
        words[n++] = "";
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    cr_assert(out);
    complete_words(n, (const char *const *)words, out);
    cr_assert_eq(fclose(out), 0);
    free(copy);
    return text;
}

/* The offers for `line` are exactly `expected` (lines, each ending in \n). */
static void offered(const char *line, const char *expected)
{
    char *got = offers(line);
    cr_assert_str_eq(got, expected, "after \"%s\"", line);
    free(got);
}

/* Among the offers for `line` is the line `one`. */
static void among(const char *line, const char *one)
{
    char *got = offers(line), *want = e2e_format("\n%s\n", one), *all = e2e_format("\n%s", got);
    cr_assert(strstr(all, want), "after \"%s\": expected \"%s\" among:\n%s", line, one, got);
    free(got);
    free(want);
    free(all);
}

Test(complete, the_first_word_is_a_command_or_a_main_option)
{
    offered("com", "compare\ncomplete\n");
    offered("v", "validate\nverify\n");
    offered("--", "--help\n--version\n");
    offered("nothing", "");
    among("", "run");
}

Test(complete, options_are_those_of_the_command)
{
    offered("run --pre", "--precision\n");
    offered("run --met", "");  /* --metric is compare's and sweep's */
    offered("compare --met", "--metric\n");
    offered("sweep --v", "--vary\n");
    offered("plot -", "--help\n");
    offered("unknown -", "");
}

Test(complete, a_directory_operand_or_value_asks_the_shell_for_directories)
{
    offered("run ", COMPLETE_DIRS "\n");
    offered("run -o ", COMPLETE_DIRS "\n");
    offered("run -qo ", COMPLETE_DIRS "\n");
    offered("run --out=res", COMPLETE_DIRS "\n");
    offered("plot ", COMPLETE_DIRS "\n");
    offered("validate a b ", COMPLETE_DIRS "\n");
    offered("run " DEFAULT " ", "");  /* run takes one scenario */
    offered("run -r ", "");           /* a number: nothing to offer */
    offered("run -r5 ", COMPLETE_DIRS "\n");
}

Test(complete, set_keys_come_a_part_at_a_time_from_the_scenario)
{
    among("run --set ", "services.");
    among("run --set ", "scenario.");
    offered("run --set serv", "services.\n");
    among("run --set services.", "services.CQ-MAL.");
    offered("run --set services.CQ-MAL.departures_p", "services.CQ-MAL.departures_per_week=\n");
    offered("run --set scenario.hor", "scenario.horizon_d=\n");
    offered("run --set legs.CQ-", "legs.CQ-AKZ.\n");
    offered("run --set disruptions.", "disruptions.BRS-180.\n");
    offered("run --set=demand.CQ-D", "--set=demand.CQ-DE.\n");
    offered("run --set services.CQ-MAL.departures_per_week=4", "");
    /* the keys of the scenario on the line, not the default one's */
    offered("run --set services.FRT-BRS-", "");
    offered("sweep scenarios/malaszewicze-2021 --vary services.FRT-BRS-", "services.FRT-BRS-X.\n");
}

Test(complete, a_proposal_adds_its_rows_to_the_keys)
{
    char *t = e2e_copy(DEFAULT);
    e2e_mkdir(t, "proposals/extra");
    e2e_write(t, "proposals/extra/services.csv",
              "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\n"
              "CQ-MAL-2,CQ>AKZ>KZRU>RUBY>MSQ>BRS>MAL,2,30.5,41.5,6\n");
    e2e_write(t, "proposals/extra/description.txt", "a second train\n");
    char *plain = e2e_format("sweep %s --set services.CQ-MAL-", t);
    char *with = e2e_format("sweep %s --proposal extra --set services.CQ-MAL-", t);
    offered(plain, "");
    offered(with, "services.CQ-MAL-2.\n");
    free(plain);
    free(with);
    e2e_rmtree(t);
}

Test(complete, metric_names_then_scopes_then_what_the_option_needs_next)
{
    offered("compare --metric on_t", "on_time_pct\n");
    offered("sweep --target on_t", "on_time_pct@\n");
    offered("run --precision transit_p95", "transit_p95_d@\n");
    among("sweep --target on_time_pct@", "on_time_pct@all>=");
    among("sweep --target on_time_pct@", "on_time_pct@od:");
    among("sweep --target on_time_pct@od:", "on_time_pct@od:CQ-DE>=");
    offered("sweep --target transit_p95_d@od:CQ-D", "transit_p95_d@od:CQ-DE<=\n");  /* lower is better */
    offered("run --precision on_time_pct@od:CQ-D", "on_time_pct@od:CQ-DE=\n");
    offered("compare --metric train_queue_wait_h@node:BR", "train_queue_wait_h@node:BRS\n");
    offered("compare --metric bogus@", "");
}

Test(complete, without_a_scenario_the_scopes_are_the_catalogues_kinds)
{
    offered("sweep /nonexistent --target load_pct@", "load_pct@service:\n");
    among("sweep /nonexistent --target on_time_pct@", "on_time_pct@all>=");
    among("sweep /nonexistent --target on_time_pct@", "on_time_pct@path:");
    among("sweep /nonexistent --set ", "scenario.");
}

Test(complete, proposals_of_the_scenario_on_the_line)
{
    among("compare " DEFAULT " ", "more-trains");
    offered("compare " DEFAULT " more-t", "more-trains\n");
    offered("sweep " DEFAULT " --proposal more-t", "more-trains\n");
    offered("sweep --proposal=more-t", "--proposal=more-trains\n");
}

Test(complete, after_a_double_dash_nothing_is_an_option)
{
    offered("run -- --s", COMPLETE_DIRS "\n");
}

/* Every command `railmail --help` lists and every long option each
 * `railmail COMMAND --help` lists is offered: the table cannot fall behind
 * the help unnoticed. */
Test(complete, the_table_has_every_command_and_option_of_the_help)
{
    char *t = e2e_tmpdir(), *path = e2e_format("%s/out", t);
    cr_assert_eq(e2e_run("--help", path, NULL), 0);
    char *help = e2e_slurp(path), *save = NULL;
    char *commands = offers("");
    for (char *l = strtok_r(help, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char name[32];
        if (strncmp(l, "  ", 2) || sscanf(l, "%31s", name) != 1 || name[0] == '-')
            continue;
        char *want = e2e_format("%s\n", name);
        cr_assert(strstr(commands, want), "--help lists %s, complete does not", name);
        char *opts_line = e2e_format("%s --", name), *opts = offers(opts_line);
        cr_assert_eq(e2e_runf(path, NULL, "%s --help", name), 0);
        char *cmd_help = e2e_slurp(path), *save2 = NULL;
        for (char *o = strtok_r(cmd_help, "\n", &save2); o; o = strtok_r(NULL, "\n", &save2)) {
            size_t indent = strspn(o, " ");
            if (indent < 1 || indent > 6 || o[indent] != '-')
                continue;  /* not an option's line */
            char *end = strstr(o + indent, "  ");
            if (end)
                *end = '\0';  /* the tag: "-r, --replications N" */
            const char *p = strstr(o, "--");
            size_t n = p ? strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-") : 0;
            cr_assert(n > 0, "`%s --help`: no long name in \"%s\"", name, o);
            char *opt = e2e_format("%.*s\n", (int)n + 2, p);
            cr_assert(strstr(opts, opt), "`%s --help` lists %.*s, complete does not offer it", name, (int)n + 2, p);
            free(opt);
        }
        free(cmd_help);
        free(opts);
        free(opts_line);
        free(want);
    }
    free(commands);
    free(help);
    free(path);
    e2e_rmtree(t);
}
