/* complete: the command line as the shell's completion sees it. One table
 * holds every command with its options, which of them take a value and of
 * what kind, and what the operands are; tests/test_install.c checks it
 * against each command's --help, so that the two cannot drift apart. Values
 * come from the metric catalogue and from the scenario on the line, loaded
 * as a run loads it (so a key offered is a key --set accepts). */
#include "railmail/complete.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "railmail/compare.h"
#include "railmail/datadir.h"
#include "railmail/diag.h"
#include "railmail/metric.h"
#include "railmail/model.h"
#include "railmail/scenario.h"
#include "railmail/show.h"

/* What an option takes. */
enum value {
    V_FLAG,       /* nothing */
    V_TEXT,       /* a number: nothing to offer */
    V_DIR,        /* a directory */
    V_KEY,        /* FILE.ID.COLUMN=..., as --set and --vary take */
    V_METRIC,     /* METRIC[@SCOPE] */
    V_TARGET,     /* METRIC@SCOPE>=X or <=X */
    V_PRECISION,  /* METRIC@SCOPE=H */
    V_PROPOSAL    /* a proposal of the scenario */
};

struct option_spec {
    const char *name;  /* "--replications" */
    char letter;       /* 'r', or 0 */
    enum value value;
};

/* The options of run, which compare, sweep and optimise take too. */
static const struct option_spec run_options[] = {
    {"--replications", 'r', V_TEXT}, {"--seed", 's', V_TEXT},   {"--days", 'd', V_TEXT},
    {"--out", 'o', V_DIR},           {"--jobs", 'j', V_TEXT},   {"--set", 0, V_KEY},
    {"--batches", 0, V_FLAG},        {"--tracking", 0, V_FLAG}, {"--no-plot", 0, V_FLAG},
    {"--quiet", 'q', V_FLAG},        {"--precision", 0, V_PRECISION},
    {"--max-replications", 0, V_TEXT}, {"--help", 0, V_FLAG},   {0}};
static const struct option_spec compare_options[] = {
    {"--metric", 0, V_METRIC}, {"--threshold", 0, V_METRIC}, {"--what-if", 0, V_KEY},
    {"--what-if-name", 0, V_TEXT}, {0}};
static const struct option_spec sweep_options[] = {
    {"--vary", 0, V_KEY}, {"--target", 0, V_TARGET}, {"--every-month", 0, V_FLAG}, {"--proposal", 0, V_PROPOSAL},
    {"--metric", 0, V_METRIC}, {0}};
static const struct option_spec optimise_options[] = {
    {"--vary", 0, V_KEY}, {"--minimise", 0, V_METRIC}, {"--maximise", 0, V_METRIC}, {"--minimize", 0, V_METRIC},
    {"--maximize", 0, V_METRIC}, {"--subject-to", 0, V_TARGET}, {"--budget", 0, V_TEXT},
    {"--proposal", 0, V_PROPOSAL}, {0}};
static const struct option_spec help_option[] = {{"--help", 0, V_FLAG}, {0}};
static const struct option_spec report_options[] = {{"--force", 0, V_FLAG}, {0}};
static const struct option_spec show_options[] = {
    {"--worst", 0, V_TEXT}, {"--best", 0, V_TEXT}, {"--by", 0, V_METRIC}, {"--option", 0, V_TEXT},
    {"--csv", 0, V_FLAG}, {0}};
static const struct option_spec run_only_options[] = {{"--overlay", 0, V_DIR}, {0}};
static const struct option_spec calibrate_options[] = {{"--out", 'o', V_DIR}, {"--set", 0, V_KEY},
                                                       {"--map", 0, V_TEXT}, {"--quiet", 'q', V_FLAG}, {0}};
static const struct option_spec main_options[] = {{"--help", 'h', V_FLAG}, {"--version", 0, V_FLAG}, {0}};

/* What a command's operands are. */
enum operands {
    OP_SCENARIO,            /* [SCENARIO] */
    OP_SCENARIO_PROPOSALS,  /* SCENARIO [PROPOSAL...] */
    OP_SCENARIOS,           /* SCENARIO... */
    OP_RESULTS,             /* RESULTS_DIR */
    OP_SHOW,                /* RESULTS_DIR VIEW [METRIC@SCOPE] */
    OP_WORDS                /* complete's: anything */
};

struct command_spec {
    const char *name;
    const struct option_spec *options[2];  /* either may be NULL */
    enum operands operands;
};

/* Every command, in the order --help lists them. */
static const struct command_spec commands[] = {
    {"run", {run_options, run_only_options}, OP_SCENARIO},
    {"compare", {run_options, compare_options}, OP_SCENARIO_PROPOSALS},
    {"sweep", {run_options, sweep_options}, OP_SCENARIO},
    {"optimise", {run_options, optimise_options}, OP_SCENARIO},
    {"validate", {help_option, NULL}, OP_SCENARIOS},
    {"plot", {help_option, NULL}, OP_RESULTS},
    {"verify", {help_option, NULL}, OP_RESULTS},
    {"report", {help_option, report_options}, OP_RESULTS},
    {"show", {help_option, show_options}, OP_SHOW},
    {"calibrate", {help_option, calibrate_options}, OP_SCENARIO},
    {"complete", {NULL, NULL}, OP_WORDS},
};
#define N_COMMANDS (sizeof commands / sizeof *commands)

/* What is being completed and what the line says so far. */
struct line {
    const char *word;          /* the word being completed */
    const char *scenario;      /* the first operand; NULL: the default */
    const char *proposal;      /* sweep's --proposal */
    struct scenario *s;        /* loaded on first need */
    bool loaded;
    char **offers;             /* candidates, malloc'd */
    size_t n, cap;
    bool dirs, nomem;
};

/* Offers the candidate formatted as by printf, when it begins with the word. */
static void offer(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void offer(struct line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || l->nomem)
        return;
    char *text = malloc((size_t)len + 1);
    if (!text) {
        l->nomem = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(text, (size_t)len + 1, fmt, ap);
    va_end(ap);
    if (strncmp(text, l->word, strlen(l->word)) != 0) {
        free(text);
        return;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **grown = realloc(l->offers, cap * sizeof *grown);
        if (!grown) {
            free(text);
            l->nomem = true;
            return;
        }
        l->offers = grown;
        l->cap = cap;
    }
    l->offers[l->n++] = text;
}

/* The scenario on the line (with sweep's --proposal laid over it), or the
 * default one; NULL when it does not load. */
static const struct scenario *scenario_of(struct line *l)
{
    if (l->loaded)
        return l->s;
    l->loaded = true;
    char dir_buf[4096], overlay[8192];
    const char *dir = l->scenario ? l->scenario
                                  : datadir_scenario(DATADIR_DEFAULT_SCENARIO, dir_buf, sizeof dir_buf);
    const char *over = NULL;
    if (dir && l->proposal) {
        snprintf(overlay, sizeof overlay, "%s/proposals/%s", dir, l->proposal);
        over = overlay;
    }
    struct diag *d = diag_create();
    if (d && dir)
        scenario_load(dir, over, NULL, 0, &l->s, d);
    diag_destroy(d);
    return l->s;
}

/* The option of `cmd` named by `arg` ("--out", "--out=DIR", or a cluster
 * of letters as in "-qr"); NULL when there is none. *attached: the value
 * is in arg itself. */
static const struct option_spec *option_of(const struct command_spec *cmd, const char *arg, bool *attached)
{
    *attached = false;
    for (int k = 0; k < 2; k++)
        for (const struct option_spec *o = cmd->options[k]; o && o->name; o++) {
            if (arg[1] == '-') {
                size_t len = strlen(o->name);
                if (!strncmp(arg, o->name, len) && (arg[len] == '\0' || arg[len] == '=')) {
                    *attached = arg[len] == '=';
                    return o;
                }
            }
        }
    if (arg[1] == '-')
        return NULL;
    /* letters: the first that takes a value takes the rest of the word, or the next */
    for (const char *c = arg + 1; *c; c++)
        for (int k = 0; k < 2; k++)
            for (const struct option_spec *o = cmd->options[k]; o && o->name; o++)
                if (o->letter == *c && o->value != V_FLAG) {
                    *attached = c[1] != '\0';
                    return o;
                }
    return NULL;
}

/* A --set or --vary key, cut after the part being typed: "FILE.", then
 * "FILE.ID.", then "FILE.ID.COLUMN=" (scenario: "scenario.KEY="). */
static void offer_key(struct line *l, const char *prefix, const char *file, const char *id, const char *column)
{
    char full[1024];
    int len = snprintf(full, sizeof full, "%s%s.%s%s%s=", prefix, file, id ? id : "", id ? "." : "", column);
    if (len < 0 || (size_t)len >= sizeof full || strncmp(full, l->word, strlen(l->word)) != 0)
        return;
    size_t typed = strlen(l->word), cut = strlen(prefix) + strlen(file) + 1;
    if (typed >= cut && id)
        cut += strlen(id) + 1;
    if (typed >= cut)
        cut = (size_t)len;
    full[cut] = '\0';
    offer(l, "%s", full);
}

static void offer_keys(struct line *l, const char *prefix)
{
    const struct scenario *s = scenario_of(l);
    const char *file, *column, *id;
    char buf[512];
    for (size_t f = 0; (file = scenario_set_file(f)); f++) {
        if (!strcmp(file, "scenario")) {  /* scenario.KEY: keys, not rows */
            for (size_t c = 0; (column = scenario_set_column(f, c)); c++)
                offer_key(l, prefix, file, NULL, column);
            continue;
        }
        for (size_t i = 0; s && (id = scenario_set_id(s, f, i, buf, sizeof buf)); i++)
            for (size_t c = 0; (column = scenario_set_column(f, c)); c++)
                offer_key(l, prefix, file, id, column);
    }
}

/* METRIC@SCOPE then `end`, cut after "KIND:" while the ID is not begun. */
static void offer_scope(struct line *l, const char *prefix, const char *metric, const char *scope, const char *end)
{
    const char *colon = strchr(scope, ':');
    size_t base = strlen(prefix) + strlen(metric) + 1;
    if (colon && (!colon[1] || strlen(l->word) < base + (size_t)(colon - scope) + 1))
        offer(l, "%s%s@%.*s", prefix, metric, (int)(colon - scope) + 1, scope);
    else
        offer(l, "%s%s@%s%s", prefix, metric, scope, end);
}

/* Metric names, then (after '@') the scopes the scenario on the line has
 * for that metric, then what --target or --precision needs next. */
static void offer_metrics(struct line *l, enum value kind, const char *prefix)
{
    const char *text = l->word + strlen(prefix), *at = strchr(text, '@');
    if (!at) {
        for (size_t i = 0; i < METRIC_COUNT; i++)
            if (metric_is_first(metric_get(i)))
                offer(l, "%s%s%s", prefix, metric_get(i)->name, kind == V_METRIC ? "" : "@");
        return;
    }
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(at - text), text);
    const struct metric *mt = metric_find(name);
    if (!mt)
        return;
    const char *end = kind == V_PRECISION ? "="
                      : kind != V_TARGET ? ""
                      : mt->direction == METRIC_LOWER_BETTER ? "<=" : ">=";
    const struct scenario *s = scenario_of(l);
    struct model *m = s ? model_create(s) : NULL;
    for (size_t r = 0; m && r < model_rows(m); r++)
        if (model_row_month(m, r) < 0 && !strcmp(model_row_metric(m, r), mt->name))
            offer_scope(l, prefix, mt->name, model_row_scope(m, r), end);
    if (!m)  /* no scenario: the kinds of scope, from the catalogue */
        for (unsigned k = 1; metric_scope_kind(k); k <<= 1)
            if (metric_scopes(mt) & METRIC_SCOPE_RUN & k)
                offer_scope(l, prefix, mt->name,
                            metric_scope_kind(k)->prefix[0] ? metric_scope_kind(k)->prefix
                                                            : metric_scope_kind(k)->name, end);
    model_destroy(m);
}

static void offer_proposals(struct line *l, const char *prefix)
{
    char dir_buf[4096], *names[256];
    const char *dir = l->scenario ? l->scenario
                                  : datadir_scenario(DATADIR_DEFAULT_SCENARIO, dir_buf, sizeof dir_buf);
    size_t n = dir ? compare_list_proposals(dir, names, sizeof names / sizeof *names) : 0;
    for (size_t i = 0; i < n; i++) {
        offer(l, "%s%s", prefix, names[i]);
        free(names[i]);
    }
}

/* The value of an option of kind `kind`; `prefix` is "--opt=" when the
 * value is attached to the option, else "". */
static void offer_value(struct line *l, enum value kind, const char *prefix)
{
    switch (kind) {
    case V_DIR: l->dirs = true; break;
    case V_KEY: offer_keys(l, prefix); break;
    case V_METRIC:
    case V_TARGET:
    case V_PRECISION: offer_metrics(l, kind, prefix); break;
    case V_PROPOSAL: offer_proposals(l, prefix); break;
    case V_FLAG:
    case V_TEXT: break;
    }
}

static void offer_options(struct line *l, const struct option_spec *const *options, size_t n)
{
    for (size_t k = 0; k < n; k++)
        for (const struct option_spec *o = options[k]; o && o->name; o++)
            offer(l, "%s", o->name);
}

/* show's operands: the folder, the view, then a months view's metric or
 * the start of a when view's condition. */
static void complete_show(struct line *l, size_t operands, const char *before)
{
    if (operands == 0)
        l->dirs = true;
    else if (operands == 1)
        for (int v = 0; v < SHOW_VIEWS; v++)
            offer(l, "%s", show_view_name((enum show_view)v));
    else if (operands == 2 && strcmp(before, show_view_name(SHOW_PAIRS)) && strcmp(before, show_view_name(SHOW_BUDGET))) {
        l->scenario = NULL;  /* the first operand is results, not a scenario: scope kinds only */
        l->loaded = true;
        offer_metrics(l, V_METRIC, "");
    }
}

/* What may come at word i (the last) of a command's words. */
static void complete_command(struct line *l, const struct command_spec *cmd, int n, const char *const *words)
{
    const struct option_spec *pending = NULL;
    bool options_end = false, attached;
    size_t operands = 0;
    for (int i = 1; i < n - 1; i++) {
        const char *w = words[i];
        if (pending) {
            if (pending->value == V_PROPOSAL)
                l->proposal = w;
            pending = NULL;
        } else if (!options_end && !strcmp(w, "--")) {
            options_end = true;
        } else if (!options_end && w[0] == '-' && w[1]) {
            const struct option_spec *o = option_of(cmd, w, &attached);
            if (o && o->value != V_FLAG && !attached)
                pending = o;
            else if (o && o->value == V_PROPOSAL)
                l->proposal = strchr(w, '=') + 1;
        } else {
            if (operands++ == 0)
                l->scenario = w;
        }
    }
    const char *cur = l->word;
    if (pending) {
        offer_value(l, pending->value, "");
    } else if (!options_end && cur[0] == '-') {
        const struct option_spec *o = option_of(cmd, cur, &attached);
        if (o && attached && cur[1] == '-') {
            char prefix[64];
            snprintf(prefix, sizeof prefix, "%s=", o->name);
            offer_value(l, o->value, prefix);
        } else if (!attached) {
            offer_options(l, cmd->options, 2);
        }
    } else {
        switch (cmd->operands) {
        case OP_SCENARIO: l->dirs = operands == 0; break;
        case OP_SCENARIO_PROPOSALS:
            if (operands == 0)
                l->dirs = true;
            else
                offer_proposals(l, "");
            break;
        case OP_SCENARIOS: l->dirs = true; break;
        case OP_RESULTS: l->dirs = operands == 0; break;
        case OP_SHOW: complete_show(l, operands, words[n - 2]); break;
        case OP_WORDS: break;
        }
    }
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void complete_words(int n, const char *const *words, FILE *out)
{
    static const char *const none[] = {""};
    if (n < 1) {
        n = 1;
        words = none;
    }
    struct line l = {.word = words[n - 1]};
    if (n == 1) {
        if (l.word[0] == '-')
            offer_options(&l, (const struct option_spec *const[]){main_options}, 1);
        else
            for (size_t c = 0; c < N_COMMANDS; c++)
                offer(&l, "%s", commands[c].name);
    } else {
        for (size_t c = 0; c < N_COMMANDS; c++)
            if (!strcmp(words[0], commands[c].name))
                complete_command(&l, &commands[c], n, words);
    }
    if (l.dirs) {
        fprintf(out, "%s\n", COMPLETE_DIRS);
    } else if (!l.nomem) {
        if (l.n)
            qsort(l.offers, l.n, sizeof *l.offers, by_text);
        for (size_t i = 0; i < l.n; i++)
            if (i == 0 || strcmp(l.offers[i], l.offers[i - 1]))
                fprintf(out, "%s\n", l.offers[i]);
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.offers[i]);
    free(l.offers);
    scenario_destroy(l.s);
}
