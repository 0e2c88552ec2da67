/* record: the run record, how a results directory was made (the program,
 * the command, every input file's SHA-256, the times, the machine), written
 * as JSON through jansson, and `railmail verify`, which reads it back
 * through the results module, runs the recorded command again and compares
 * every file byte for byte. */
#define _DEFAULT_SOURCE    /* gethostname */
#include "railmail/record.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <nettle/sha2.h>

#include "railmail/csvread.h"
#include "railmail/results.h"
#include "railmail/outdir.h"
#include "railmail/strbuf.h"
#include "railmail/plot.h"
#include "railmail/escape.h"
#include "railmail/gnuplot.h"
#include "railmail/version.h"

#ifndef RAILMAIL_COMMIT
#define RAILMAIL_COMMIT "unknown"
#endif
#ifndef RAILMAIL_CFLAGS
#define RAILMAIL_CFLAGS "unknown"
#endif

#if defined(__clang__)
#define COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define COMPILER "gcc " __VERSION__
#else
#define COMPILER "unknown"
#endif

struct record {
    json_t *root, *inputs;
    struct timespec start_wall, start_mono;
};

static void utc_text(const struct timespec *t, char *buf, size_t len)
{
    struct tm tm;
    gmtime_r(&t->tv_sec, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void hex(const unsigned char *sha, char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", sha[i]);
}

struct record *record_begin(int argc, char **argv)
{
    struct record *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    clock_gettime(CLOCK_REALTIME, &r->start_wall);
    clock_gettime(CLOCK_MONOTONIC, &r->start_mono);
    json_t *command = json_array();
    for (int i = 0; i < argc; i++)
        json_array_append_new(command, json_string(argv[i]));
    char cwd[4096], host[256] = "";
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = '\0';
    gethostname(host, sizeof host - 1);
    char started[32];
    utc_text(&r->start_wall, started, sizeof started);
    r->inputs = json_array();  /* borrowed below: the root owns it */
    r->root = json_pack("{s:{s:s, s:s, s:s, s:s}, s:o, s:s, s:s, s:s, s:o}", RESULTS_KEY_RAILMAIL,
                        RESULTS_KEY_VERSION, RAILMAIL_VERSION, RESULTS_KEY_COMMIT, RAILMAIL_COMMIT,
                        RESULTS_KEY_COMPILER, COMPILER, RESULTS_KEY_FLAGS, RAILMAIL_CFLAGS, RESULTS_KEY_COMMAND,
                        command, RESULTS_KEY_CWD, cwd, RESULTS_KEY_HOST, host, RESULTS_KEY_STARTED_UTC, started,
                        RESULTS_KEY_INPUTS, r->inputs);
    if (!r->root) {
        record_destroy(r);
        return NULL;
    }
    return r;
}

void record_set(struct record *r, const char *key, const char *value)
{
    json_object_set_new(r->root, key, value ? json_string(value) : json_null());
}

/* A whole number is written as one ("ranks": 2, not 2.0). */
void record_set_number(struct record *r, const char *key, double value)
{
    bool whole = value == floor(value) && fabs(value) < 0x1p53;
    json_object_set_new(r->root, key, whole ? json_integer((json_int_t)value) : json_real(value));
}

void record_set_list(struct record *r, const char *key, const char *const *values, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_string(values[i]));
    json_object_set_new(r->root, key, list);
}

void record_scenario(struct record *r, const struct scenario *s)
{
    for (size_t i = 0; i < s->n_inputs; i++) {
        size_t k;
        json_t *in;
        bool known = false;
        json_array_foreach(r->inputs, k, in)
            known |= !strcmp(json_string_value(json_object_get(in, RESULTS_KEY_PATH)), s->inputs[i].path);
        if (known)
            continue;
        char sha[65];
        hex(s->inputs[i].sha256, sha);
        json_array_append_new(r->inputs, json_pack("{s:s, s:s}", RESULTS_KEY_PATH, s->inputs[i].path,
                                                   RESULTS_KEY_SHA256, sha));
    }
}

enum rm_status record_write(struct record *r, const char *dir, struct diag *d)
{
    struct timespec end_wall, end_mono;
    clock_gettime(CLOCK_REALTIME, &end_wall);
    clock_gettime(CLOCK_MONOTONIC, &end_mono);
    char finished[32];
    utc_text(&end_wall, finished, sizeof finished);
    record_set(r, RESULTS_KEY_FINISHED_UTC, finished);
    record_set_number(r, RESULTS_KEY_WALL_S, (double)(end_mono.tv_sec - r->start_mono.tv_sec)
                                       + (end_mono.tv_nsec - r->start_mono.tv_nsec) / 1e9);
    char path[4200];
    snprintf(path, sizeof path, "%s/" RESULTS_RUN_JSON, dir);
    if (json_dump_file(r->root, path, JSON_INDENT(2) | JSON_ENSURE_ASCII) != 0)
        return diag_fail(d, RM_EIO, "cannot write %s", path);
    return RM_OK;
}

void record_destroy(struct record *r)
{
    if (!r)
        return;
    json_decref(r->root);
    free(r);
}

/* ---- verify ------------------------------------------------------------------ */

/* The SHA-256 of a file now, as hex; false when it cannot be read. */
static bool file_sha(const char *path, char out[65])
{
    char *data;
    size_t len;
    if (csvread_slurp(path, &data, &len) != RM_OK)
        return false;
    unsigned char sha[32];
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, len, (const uint8_t *)data);
    sha256_digest(&c, sizeof sha, sha);
    free(data);
    hex(sha, out);
    return true;
}

void record_input(struct record *r, const char *path)
{
    char sha[65];
    if (file_sha(path, sha))
        json_array_append_new(r->inputs, json_pack("{s:s, s:s}", RESULTS_KEY_PATH, path, RESULTS_KEY_SHA256, sha));
}

/* Runs the recorded command in the recorded directory with -o `out`. */
static enum rm_status rerun(const struct results_record *rec, const char *self, const char *out, struct diag *d)
{
    size_t n = rec->n_command;
    if (n < 2)
        return diag_error(d, NULL, RESULTS_RUN_JSON ": expected the command that made the results, found none");
    /* the record is read back: only a command that makes results is run again */
    const char *cmd = rec->command[1];
    bool optimise = !strcmp(cmd, "optimise") || !strcmp(cmd, "optimize");
    if (strcmp(cmd, "run") && strcmp(cmd, "compare") && strcmp(cmd, "sweep") && strcmp(cmd, "calibrate") && !optimise) {
        char shown[64];
        return diag_error(d, NULL, RESULTS_RUN_JSON ": command: expected run, compare, sweep, optimise or calibrate, "
                          "got \"%s\"",
                          escape_text(shown, sizeof shown, cmd));
    }
    char **argv = calloc(n + 4, sizeof *argv);
    if (!argv)
        return diag_fail(d, RM_ENOMEM, "out of memory");
    size_t k = 0;
    argv[k++] = (char *)self;
    argv[k++] = (char *)rec->command[1];  /* the command, then -o and -q before any "--" */
    argv[k++] = "-o";
    argv[k++] = (char *)out;
    argv[k++] = "-q";
    for (size_t i = 2; i < n; i++) {
        const char *a = rec->command[i];
        if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
            i++;  /* and its value */
            continue;
        }
        if (!strncmp(a, "--out=", 6) || (!strncmp(a, "-o", 2) && a[2]))
            continue;
        argv[k++] = (char *)a;
    }
    const char *cwd = rec->cwd;
    pid_t pid = fork();
    if (pid == 0) {
        if (cwd && cwd[0] && chdir(cwd) != 0)
            _exit(126);
        execv(self, argv);
        _exit(127);
    }
    free(argv);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return diag_fail(d, RM_ERUN, "cannot run railmail again: %s", strerror(errno));
    /* an optimisation that finds no feasible setting exits 1 after writing its results */
    if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && !(optimise && WEXITSTATUS(status) == 1)))
        return diag_fail(d, RM_ERUN, "the recorded command failed when run again (exit status %d)",
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return RM_OK;
}

static bool same_file(const char *a, const char *b)
{
    int fa = open(a, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), fb = open(b, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    FILE *f = fa >= 0 ? fdopen(fa, "rb") : NULL, *g = fb >= 0 ? fdopen(fb, "rb") : NULL;
    if (fa >= 0 && !f)
        close(fa);
    if (fb >= 0 && !g)
        close(fb);
    bool same = f && g;
    while (same) {
        char x[1 << 14], y[1 << 14];
        size_t n = fread(x, 1, sizeof x, f), m = fread(y, 1, sizeof y, g);
        same = n == m && !memcmp(x, y, n);
        if (n < sizeof x)
            break;
    }
    if (f)
        fclose(f);
    if (g)
        fclose(g);
    return same;
}

/* The names of files that differ, for sorting. */
struct diffs {
    char **name;
    size_t n, cap;
};

static void add_diff(struct diffs *df, const char *name)
{
    if (df->n == df->cap) {
        size_t cap = df->cap ? 2 * df->cap : 16;
        char **grown = realloc(df->name, cap * sizeof *grown);
        if (!grown)
            return;
        df->name = grown;
        df->cap = cap;
    }
    if ((df->name[df->n] = strdup(name)))
        df->n++;
}

/* Adds every file under rel that is missing on one side or differs, the run
 * record excepted (it records times) and the report page (it prints the
 * record: the command, which verify runs with another -o, and the start
 * time). */
static void compare_trees(const char *a, const char *b, const char *rel, struct diffs *df)
{
    char da[4200], db[4200];
    snprintf(da, sizeof da, "%s%s%s", a, rel[0] ? "/" : "", rel);
    snprintf(db, sizeof db, "%s%s%s", b, rel[0] ? "/" : "", rel);
    for (int side = 0; side < 2; side++) {
        DIR *dir = opendir(side ? db : da);
        struct dirent *e;
        while (dir && (e = readdir(dir))) {
            /* the record and the page are compared on their own; the marker lists
             * what the folder holds, charts plot added later included */
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")
                || (!rel[0] && (!strcmp(e->d_name, RESULTS_RUN_JSON) || !strcmp(e->d_name, RESULTS_REPORT_HTML)
                                || !strcmp(e->d_name, OUTDIR_MARKER))))
                continue;
            char sub[4400], pa[8800], pb[8800];
            snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
            snprintf(pa, sizeof pa, "%s/%s", a, sub);
            snprintf(pb, sizeof pb, "%s/%s", b, sub);
            struct stat sa, sb;  /* links not followed; only regular files are opened (a FIFO would block) */
            bool ina = lstat(pa, &sa) == 0, inb = lstat(pb, &sb) == 0;
            if (side == 1 && ina)
                continue;  /* seen from side a */
            if (ina && inb && S_ISDIR(sa.st_mode) && S_ISDIR(sb.st_mode))
                compare_trees(a, b, sub, df);
            else if (!ina || !inb || !S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode) || !same_file(pa, pb))
                add_diff(df, sub);
        }
        if (dir)
            closedir(dir);
    }
}

/* The run record's entries that the command alone decides: a record whose
 * command was run again must agree with its own on these (an edited seed
 * would otherwise pass, and then show in a report written again). */
static const char *const decided[] = {
    RESULTS_KEY_KIND, RESULTS_KEY_SCENARIO, RESULTS_KEY_SEED, RESULTS_KEY_REPLICATIONS, RESULTS_KEY_REPLICATIONS_CHOSEN,
    RESULTS_KEY_PRECISION, RESULTS_KEY_HORIZON_D, RESULTS_KEY_WARMUP_D, RESULTS_KEY_SETS, RESULTS_KEY_PROPOSALS,
    RESULTS_KEY_PROPOSAL, RESULTS_KEY_VARY, RESULTS_KEY_TARGET, RESULTS_KEY_PLOT, RESULTS_KEY_WHAT_IF,
    RESULTS_KEY_WHAT_IF_NAME };

static json_t *load_json(const char *dir)
{
    char path[4200], *data;
    size_t len;
    snprintf(path, sizeof path, "%s/" RESULTS_RUN_JSON, dir);
    if (csvread_slurp(path, &data, &len) != RM_OK)
        return NULL;
    json_t *j = json_loadb(data, len, 0, NULL);
    free(data);
    return j;
}

/* Adds the run record to the differences, with a reason per entry, when the
 * record disagrees with the one its command makes again. */
static void compare_records(const char *dir, const char *again, struct diffs *df, json_t *reasons)
{
    json_t *a = load_json(dir), *b = load_json(again);
    bool differ = !a || !b;
    for (size_t i = 0; a && b && i < sizeof decided / sizeof *decided; i++) {
        json_t *x = json_object_get(a, decided[i]), *y = json_object_get(b, decided[i]);
        if ((x || y) && !(x && y && json_equal(x, y))) {
            char *xs = x ? json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
            char *ys = y ? json_dumps(y, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
            json_array_append_new(reasons, json_sprintf(RESULTS_RUN_JSON " says %s %s, but its command makes %s",
                                                         decided[i], xs ? xs : "nothing", ys ? ys : "nothing"));
            free(xs);
            free(ys);
            differ = true;
        }
    }
    if (differ)
        add_diff(df, RESULTS_RUN_JSON);
    json_decref(a);
    json_decref(b);
}

/* The page without the rows that print when and how it was made: the
 * command (verify runs it with another -o) and the start time. */
static char *page_without_times(const char *path)
{
    char *data;
    size_t len;
    if (csvread_slurp(path, &data, &len) != RM_OK)
        return NULL;
    static const char *const rows[] = { "<tr><th>command</th>", "<tr><th>started (UTC)</th>" };
    char *w = data;
    for (char *line = data; line < data + len;) {
        char *end = memchr(line, '\n', (size_t)(data + len - line));
        size_t n = end ? (size_t)(end - line) + 1 : (size_t)(data + len - line);
        bool drop = false;
        for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
            drop |= !strncmp(line, rows[i], strlen(rows[i]));
        if (!drop) {
            memmove(w, line, n);
            w += n;
        }
        line += n;
    }
    *w = '\0';
    return data;
}

/* The page, the times and the command aside. */
static void compare_pages(const char *dir, const char *again, struct diffs *df)
{
    struct strbuf pa = {0}, pb = {0};
    strbuf_printf(&pa, "%s/" RESULTS_REPORT_HTML, dir);
    strbuf_printf(&pb, "%s/" RESULTS_REPORT_HTML, again);
    char *a = page_without_times(strbuf_str(&pa)), *b = page_without_times(strbuf_str(&pb));
    if ((a || b) && !(a && b && !strcmp(a, b)))
        add_diff(df, RESULTS_REPORT_HTML);
    free(a);
    free(b);
    strbuf_fini(&pa);
    strbuf_fini(&pb);
}

/* Whether `name` is a picture gnuplot drew, whose bytes depend on its version. */
static bool is_picture(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && !strcmp(name + n - 4, ".png")) || (n > 4 && !strcmp(name + n - 4, ".svg"));
}

/* Charts `railmail plot` drew later into an arm or a point (they are in
 * its marker): drawn again into the same folder of the run made again, so
 * they are compared rather than called edits. */
static void redraw_later_charts(const char *dir, const char *again, struct diag *d)
{
    DIR *top = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    char **charts = results_chart_files(&n);
    while (top && charts && (e = readdir(top))) {
        struct strbuf sub = {0}, theirs = {0};
        strbuf_printf(&sub, "%s/%s", dir, e->d_name);
        strbuf_printf(&theirs, "%s/%s", again, e->d_name);
        struct stat sb;
        bool later = false;
        if (e->d_name[0] != '.' && !sub.oom && !theirs.oom && lstat(sub.s, &sb) == 0 && S_ISDIR(sb.st_mode))
            for (size_t i = 0; i < n && !later; i++) {
                struct strbuf a = {0}, b = {0};
                strbuf_printf(&a, "%s/%s", sub.s, charts[i]);
                strbuf_printf(&b, "%s/%s", theirs.s, charts[i]);
                later = !a.oom && !b.oom && access(a.s, F_OK) == 0 && access(b.s, F_OK) != 0;
                strbuf_fini(&a);
                strbuf_fini(&b);
            }
        bool drawn;
        if (later)
            plot_results(theirs.s, &drawn, d);
        strbuf_fini(&sub);
        strbuf_fini(&theirs);
    }
    free(charts);
    if (top)
        closedir(top);
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* An input's path as the run read it: relative ones from its directory. */
static void input_path(const struct results_record *rec, const char *p, char *full, size_t size)
{
    const char *cwd = rec->cwd;
    snprintf(full, size, "%s%s%s", p[0] == '/' || !cwd ? "" : cwd, p[0] == '/' || !cwd ? "" : "/", p);
}

/* dir's run record, which must be there; on failure `rec` is finished. */
static enum rm_status load_record(struct results_record *rec, const char *dir, struct diag *d)
{
    enum rm_status st = results_record_load_json(rec, dir, d);
    if (st == RM_OK && !rec->from_run_json)
        st = diag_error(d, &(struct diag_at){ dir, 0, 0 }, "expected the run record railmail writes (" RESULTS_RUN_JSON
                        "), found none");
    if (st != RM_OK)
        results_record_fini(rec);
    return st;
}

enum rm_status record_changed_inputs(const char *dir, struct strbuf *names, size_t *n, struct diag *d)
{
    *n = 0;
    struct results_record rec;
    enum rm_status st = load_record(&rec, dir, d);
    if (st != RM_OK)
        return st;
    for (size_t k = 0; st == RM_OK && k < rec.n_inputs; k++) {
        char full[8400], now[65];
        input_path(&rec, rec.inputs[k].path, full, sizeof full);
        if (!file_sha(full, now) || strcmp(now, rec.inputs[k].sha256))
            strbuf_printf(names, "%s%s", (*n)++ ? ", " : "", rec.inputs[k].path);
    }
    results_record_fini(&rec);
    return st;
}

enum rm_status record_verify(const char *dir, const char *self, FILE *out, struct diag *d)
{
    struct results_record rec;
    enum rm_status st = load_record(&rec, dir, d);
    if (st != RM_OK)
        return st;
    /* what changed since, to say why files differ */
    json_t *reasons = json_array();
    const char *version = rec.version;
    if (!version || strcmp(version, RAILMAIL_VERSION))
        json_array_append_new(reasons, json_sprintf("made by railmail %s, this is %s", version ? version : "?",
                                                     RAILMAIL_VERSION));
    for (size_t k = 0; k < rec.n_inputs; k++) {
        const char *p = rec.inputs[k].path, *sha = rec.inputs[k].sha256;
        char full[8400], now[65];
        input_path(&rec, p, full, sizeof full);
        if (!file_sha(full, now))
            json_array_append_new(reasons, json_sprintf("input %s can no longer be read", p));
        else if (strcmp(now, sha))
            json_array_append_new(reasons, json_sprintf("input %s has changed since (SHA-256 %.12s..., was %.12s...)",
                                                         p, now, sha));
    }
    char *tmp = NULL;
    st = outdir_scratch("verify", &tmp, d);
    char again[4200];
    snprintf(again, sizeof again, "%s/again", tmp ? tmp : "");
    if (st == RM_OK)
        st = rerun(&rec, self, again, d);
    struct diffs df = { 0 };
    size_t not_compared = 0;
    char *gnuplot = gnuplot_version();
    const char *made_by = rec.gnuplot;
    bool same_gnuplot = gnuplot && made_by && !strcmp(gnuplot, made_by);
    if (st == RM_OK) {
        redraw_later_charts(dir, again, d);
        compare_trees(dir, again, "", &df);
        compare_records(dir, again, &df, reasons);
        compare_pages(dir, again, &df);
        for (size_t i = 0; !same_gnuplot && i < df.n;) {  /* pictures of another gnuplot: not compared */
            if (!is_picture(df.name[i])) {
                i++;
                continue;
            }
            free(df.name[i]);
            df.name[i] = df.name[--df.n];
            not_compared++;
        }
        if (df.n)
            qsort(df.name, df.n, sizeof *df.name, by_name);
    }
    if (st == RM_OK && not_compared)
        fprintf(out, "not compared: %zu chart picture%s, drawn by %s then and %s here\n", not_compared,
                not_compared == 1 ? "" : "s", made_by ? made_by : "no gnuplot", gnuplot ? gnuplot : "no gnuplot");
    free(gnuplot);
    if (st == RM_OK && df.n == 0) {
        fprintf(out, "verified: every file in %s is what %s makes again\n", dir, RESULTS_RUN_JSON);
    } else if (st == RM_OK) {
        fprintf(out, "differs: %zu file%s in %s\n", df.n, df.n == 1 ? "" : "s", dir);
        for (size_t i = 0; i < df.n; i++)
            fprintf(out, "  %s\n", df.name[i]);
        size_t k;
        json_t *f;
        json_array_foreach(reasons, k, f)
            fprintf(out, "likely reason: %s\n", json_string_value(f));
        if (json_array_size(reasons) == 0)
            fprintf(out, "likely reason: the files were edited after the run (inputs and version are unchanged)\n");
        st = RM_ERUN;
    }
    for (size_t i = 0; i < df.n; i++)
        free(df.name[i]);
    free(df.name);
    outdir_scratch_end(tmp);
    json_decref(reasons);
    results_record_fini(&rec);
    return st;
}
