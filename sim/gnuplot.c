/* gnuplot: charts drawn by a gnuplot started through the shell in the
 * results directory, reading the script from a pipe. SIGPIPE is blocked
 * while writing, so a gnuplot that dies early is an error, not the end of
 * the simulator; gnuplot's stderr goes to a temporary file, summarised into
 * the message; script and picture are written to fresh temporaries
 * beside them (mkstemp: never through a planted link), checked complete,
 * fsync'ed and renamed. */
#include "railmail/gnuplot.h"

#include "railmail/csvread.h"
#include "railmail/outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ERR_TEXT_MAX 600       /* characters of gnuplot's stderr kept in diag */

/* The file name extension and the `set terminal` line of each terminal. */
static const struct terminal {
    const char *ext, *set;
} terminals[] = {
    [GNUPLOT_PNG] = {"png", "set terminal pngcairo size 1200,700 font 'Sans,11' noenhanced\n"},
    [GNUPLOT_SVG] = {"svg", "set terminal svg size 1200,700 font 'Sans,11' noenhanced\n"},
};

/* Looks for an executable `prog` in each PATH directory, as the shell would
 * (an empty entry is the current directory). */
static bool on_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (;;) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        struct strbuf file = {0};
        if (len)
            strbuf_put(&file, path, len);
        else
            strbuf_put(&file, ".", 1);
        strbuf_printf(&file, "/%s", prog);
        struct stat sb;
        bool ok = !file.oom && stat(file.s, &sb) == 0 && S_ISREG(sb.st_mode) && access(file.s, X_OK) == 0;
        strbuf_fini(&file);
        if (ok)
            return true;
        if (!end)
            return false;
        path = end + 1;
    }
}

/* Keeps the informative lines of gnuplot's stderr (not the caret under the
 * echoed command), joined by "; ", and at most ERR_TEXT_MAX characters from
 * the end, where the error is. */
static void summarise_errors(struct strbuf *out, const char *text)
{
    struct strbuf all = {0};
    const char *c = text;
    while (*c) {
        const char *end = strchr(c, '\n');
        size_t len = end ? (size_t)(end - c) : strlen(c);
        const char *s = c;
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\r' || s[len - 1] == '\t'))
            len--;
        bool caret = len > 0 && strspn(s, "^ ") >= len;
        if (len && !caret) {
            if (all.len)
                strbuf_put(&all, "; ", 2);
            strbuf_put(&all, s, len);
        }
        if (!end)
            break;
        c = end + 1;
    }
    size_t len = all.oom ? 0 : all.len;
    if (len > ERR_TEXT_MAX) {
        strbuf_put(out, "...", 3);
        strbuf_put(out, all.s + len - ERR_TEXT_MAX, ERR_TEXT_MAX);
    } else {
        strbuf_put(out, strbuf_str(&all), len);
    }
    strbuf_fini(&all);
}

/* The shell command that runs gnuplot in the results directory, with its
 * stderr in `errpath`. */
static void shell_command(struct strbuf *cmd, const char *dir, const char *errpath)
{
    /* A relative directory starting with '-' must not look like an option to cd. */
    strbuf_printf(cmd, "cd ");
    if (dir[0] != '/')
        strbuf_printf(cmd, "./");
    strbuf_quote_shell(cmd, dir);
    strbuf_printf(cmd, " && exec gnuplot >/dev/null 2>");
    strbuf_quote_shell(cmd, errpath);
}

/* Runs `cmd` and writes it the script, drawing into `out_name` on terminal
 * `term`. SIGPIPE is blocked in this thread while writing, so that a
 * gnuplot which dies early makes the writes fail instead of killing the
 * simulator; a pending one is consumed. Returns pclose's status, or -1 with
 * *err set. */
static int pipe_script(const char *cmd, const struct terminal *term, const char *out_name, const struct strbuf *body,
                       int *err)
{
    sigset_t pipe_set, old_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    int status = -1;
    *err = 0;
    FILE *gp = popen(cmd, "w");
    if (!gp) {
        *err = errno;
    } else {
        fprintf(gp, "%sset output ", term->set);
        struct strbuf q = {0};
        strbuf_quote_gnuplot(&q, out_name);
        fprintf(gp, "%s\n%s\nunset output\n", strbuf_str(&q), strbuf_str(body));
        strbuf_fini(&q);
        status = pclose(gp);
        if (status == -1)
            *err = errno;
    }
    sigset_t pending;
    if (!sigismember(&old_set, SIGPIPE) && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    return status;
}

/* The error for a gnuplot that was killed or exited non-zero, with the
 * summary of what it printed. */
static enum rm_status failure(struct diag *d, const char *picture, int status, const struct strbuf *msg)
{
    if (WIFSIGNALED(status))
        return diag_fail(d, RM_ERUN, "gnuplot was killed by signal %d while drawing %s%s%s", WTERMSIG(status),
                         picture, msg->len ? ": " : "", strbuf_str(msg));
    if (msg->len)
        return diag_fail(d, RM_ERUN, "gnuplot failed drawing %s (exit status %d): %s", picture,
                         WEXITSTATUS(status), strbuf_str(msg));
    return diag_fail(d, RM_ERUN, "gnuplot failed drawing %s (exit status %d) and printed nothing", picture,
                     WEXITSTATUS(status));
}

/* Runs gnuplot in g->dir on the script, drawing into `out_name` (relative
 * to g->dir), and summarises its stderr into `msg`. *status is pclose's. */
static enum rm_status run(const struct gnuplot *g, const char *picture, const char *out_name,
                          const struct strbuf *body, int *status, struct strbuf *msg, struct diag *d)
{
    char *scratch;
    enum rm_status st = outdir_scratch("gnuplot", &scratch, d);
    if (st != RM_OK)
        return st;
    struct strbuf errpath = {0}, cmd = {0};
    strbuf_printf(&errpath, "%s/stderr", scratch);
    shell_command(&cmd, g->dir, strbuf_str(&errpath));
    if (errpath.oom || cmd.oom) {
        st = diag_fail(d, RM_ENOMEM, "out of memory drawing %s", picture);
    } else {
        int err;
        *status = pipe_script(cmd.s, &terminals[g->terminal], out_name, body, &err);
        char *errtext = NULL;
        size_t errlen;
        if (csvread_slurp(errpath.s, &errtext, &errlen) != RM_OK)
            errtext = NULL;
        summarise_errors(msg, errtext ? errtext : "");
        free(errtext);
        if (*status == -1)
            st = diag_fail(d, RM_ERUN, "cannot run gnuplot for %s: %s", picture, strerror(err));
    }
    outdir_scratch_end(scratch);
    strbuf_fini(&errpath);
    strbuf_fini(&cmd);
    return st;
}

/* Whether gnuplot finished the picture: a PNG ends with its IEND chunk, an
 * SVG with its closing tag. gnuplot exits 0 after a write error (a full
 * disk), leaving a truncated file that must not replace a good one. */
static bool complete(const char *path, enum gnuplot_terminal terminal)
{
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    unsigned char tail[64];
    size_t n = 0;
    if (fseek(f, -(long)sizeof tail, SEEK_END) != 0)
        rewind(f);
    n = fread(tail, 1, sizeof tail, f);
    fclose(f);
    if (terminal == GNUPLOT_PNG)
        return n >= sizeof iend && !memcmp(tail + n - sizeof iend, iend, sizeof iend);
    while (n && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' '))
        n--;
    return n >= 6 && !memcmp(tail + n - 6, "</svg>", 6);
}

/* Why a picture came out incomplete: a full file system says so. */
static const char *incomplete_reason(const char *path)
{
    struct statvfs fs;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    if (statvfs(slash ? dir : ".", &fs) == 0 && fs.f_bavail == 0)
        return strerror(ENOSPC);
    return "gnuplot stopped writing it";
}

/* Draws NAME.EXT into a fresh temporary beside it and puts it in place
 * only when gnuplot exits 0 and the picture is complete. */
static enum rm_status draw_picture(struct gnuplot *g, const char *name, const struct strbuf *body, struct diag *d)
{
    const char *ext = terminals[g->terminal].ext;
    struct strbuf picture = {0}, path = {0}, tmp = {0}, msg = {0};
    strbuf_printf(&picture, "%s.%s", name, ext);
    strbuf_printf(&path, "%s/%s", g->out_dir ? g->out_dir : g->dir, strbuf_str(&picture));
    enum rm_status st = RM_OK;
    int status = -1;
    if (picture.oom || path.oom) {
        st = diag_fail(d, RM_ENOMEM, "out of memory drawing %s.%s", name, ext);
        goto out;
    }
    if ((st = outdir_temp_file(path.s, &tmp, NULL, d)) != RM_OK)
        goto out;
    /* gnuplot runs in g->dir: there the temporary's own name, elsewhere its path (absolute) */
    const char *slash = strrchr(tmp.s, '/');
    const char *out_name = g->out_dir || !slash ? tmp.s : slash + 1;
    if ((st = run(g, picture.s, out_name, body, &status, &msg, d)) != RM_OK) {
        remove(tmp.s);
        goto out;
    }
    struct stat sb;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        /* The shell found no gnuplot after all: the charts stay as scripts. */
        g->found = false;
        remove(tmp.s);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        st = failure(d, picture.s, status, &msg);
        remove(tmp.s);
    } else if (stat(tmp.s, &sb) != 0 || sb.st_size == 0) {
        st = diag_fail(d, RM_ERUN, "gnuplot exited 0 but wrote no %s%s%s", picture.s, msg.len ? ": " : "",
                       strbuf_str(&msg));
        remove(tmp.s);
    } else if (!complete(tmp.s, g->terminal)) {
        st = diag_fail(d, RM_EIO, "%s: cannot write: %s; the earlier picture, if any, is kept", path.s,
                       incomplete_reason(path.s));
        remove(tmp.s);
    } else if ((st = outdir_put_in_place(tmp.s, path.s, d)) == RM_OK) {
        g->drawn++;
    }
out:
    strbuf_fini(&picture);
    strbuf_fini(&path);
    strbuf_fini(&tmp);
    strbuf_fini(&msg);
    return st;
}

char *gnuplot_version(void)
{
    if (!on_path("gnuplot"))
        return NULL;
    FILE *p = popen("gnuplot --version 2>/dev/null", "r");
    if (!p)
        return NULL;
    char line[128] = "";
    bool got = fgets(line, sizeof line, p) != NULL;
    pclose(p);
    line[strcspn(line, "\r\n")] = '\0';
    return got && line[0] ? strdup(line) : NULL;
}

void gnuplot_init(struct gnuplot *g, const char *dir, enum gnuplot_terminal terminal)
{
    *g = (struct gnuplot){.dir = dir, .terminal = terminal, .found = on_path("gnuplot")};
}

void gnuplot_output_dir(struct gnuplot *g, const char *out_dir)
{
    g->out_dir = out_dir;
}

enum rm_status gnuplot_draw(struct gnuplot *g, const char *name, const struct strbuf *body, struct diag *d)
{
    const struct terminal *term = &terminals[g->terminal];
    if (body->oom)
        return diag_fail(d, RM_ENOMEM, "out of memory writing %s.gp", name);
    struct strbuf gp = {0}, gptmp = {0}, script = {0};
    strbuf_printf(&gp, "%s/%s.gp", g->out_dir ? g->out_dir : g->dir, name);
    struct strbuf picture = {0};
    strbuf_printf(&picture, "%s.%s", name, term->ext);
    strbuf_printf(&script, "# ");
    strbuf_put_line(&script, name);
    strbuf_printf(&script, ".gp: draws ");
    strbuf_put_line(&script, strbuf_str(&picture));
    strbuf_printf(&script, " from the CSV files in this directory.\n# Redraw with: cd <this directory> && gnuplot ");
    strbuf_put_line(&script, name);
    strbuf_printf(&script, ".gp\n%sset output ", term->set);
    strbuf_quote_gnuplot(&script, strbuf_str(&picture));
    strbuf_printf(&script, "\n");
    strbuf_fini(&picture);
    strbuf_put(&script, strbuf_str(body), body->len);
    strbuf_printf(&script, "unset output\n");
    enum rm_status st = RM_OK;
    if (gp.oom || script.oom) {
        st = diag_fail(d, RM_ENOMEM, "out of memory writing %s.gp", name);
        goto out;
    }
    int fd;
    if ((st = outdir_temp_file(gp.s, &gptmp, &fd, d)) != RM_OK)
        goto out;
    FILE *f = fdopen(fd, "w");
    int err = errno;
    if (!f)
        close(fd);
    bool ok = f && fwrite(script.s, 1, script.len, f) == script.len;
    err = ok ? 0 : errno ? errno : err;
    if (f && fclose(f) != 0 && ok)
        ok = false, err = errno;
    if (!ok) {
        st = diag_fail(d, RM_EIO, "%s: cannot write: %s", gp.s, strerror(err ? err : EIO));
        remove(gptmp.s);
        goto out;
    }
    if ((st = outdir_put_in_place(gptmp.s, gp.s, d)) != RM_OK)
        goto out;
    g->written++;
    if (g->found)
        st = draw_picture(g, name, body, d);
out:
    strbuf_fini(&gp);
    strbuf_fini(&gptmp);
    strbuf_fini(&script);
    return st;
}
