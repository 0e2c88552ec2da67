/* outdir: the results directory. A run writes into a fresh temporary
 * sibling OUT.tmp-PID-XXXXXX, locked while it lives; commit lists
 * everything written in a marker file that railmail owns
 * (.railmail-results), fsyncs every file and directory, exchanges the new
 * tree with OUT in one rename (renameat2 RENAME_EXCHANGE) and deletes the
 * old tree. An existing OUT is replaced only when it is empty or its marker
 * lists every entry in it, so railmail deletes nothing it did not write. */
#define _GNU_SOURCE  /* renameat2, syscall */
#include "railmail/outdir.h"

#include "railmail/results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "railmail/strbuf.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)  /* linux/fs.h */
#endif

#define MARKER OUTDIR_MARKER
#define MARKER_HEADER "# railmail results: railmail replaces this directory only while it holds nothing but the entries below\n"
/* A temporary directory's own marker, written when it is made and removed
 * just before it becomes OUT: it names the output, so a stale-temporary
 * sweep removes only directories that railmail made for that output, never
 * a user's folder whose name looks like one. */
#define TEMP_MARKER ".railmail-temporary"
#define TEMP_MARKER_TEXT "railmail temporary results for %s\n"
#define MARKER_MAX (4 << 20)    /* bytes; a 64-proposal comparison lists about 1,000 entries */
#define REL_MAX 4096            /* bytes of a path built here */

struct outdir {
    char *out;            /* as given, without trailing slashes */
    char *temp;           /* OUT.tmp-PID-XXXXXX */
    int lock;             /* the temporary directory, open and flock'ed */
    bool committed;
    struct outdir *next;  /* in `live` */
};

/* The temporary directories of this process, so that outdir_interrupt can
 * remove them when a signal ends the process. Global because a signal is
 * process-wide; the mutex also makes an exchange and the removal that
 * follows it finish before an interrupt removes anything. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct outdir *live;

/* ---- names: a sorted set of relative paths -------------------------------- */

/* Relative paths inside a results directory; a directory's ends in '/'. */
struct names {
    char **v;
    size_t n, cap;
    bool sorted;
};

static int names_add(struct names *s, const char *name, size_t len)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        char **v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    if (!(s->v[s->n] = strndup(name, len)))
        return -1;
    s->n++;
    s->sorted = false;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_sort(struct names *s)
{
    if (s->n)
        qsort(s->v, s->n, sizeof *s->v, by_name);
    s->sorted = true;
}

static bool names_has(struct names *s, const char *name)
{
    if (!s->sorted)
        names_sort(s);
    return s->n && bsearch(&name, s->v, s->n, sizeof *s->v, by_name);
}

static void names_fini(struct names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    *s = (struct names){ 0 };
}

/* ---- walking a tree without following symbolic links ----------------------- */

/* A walk visits every entry below a directory, sorted by name within each
 * directory. A directory is visited before its contents when `pre`, after
 * them otherwise; a visit that returns nonzero stops the walk. */
struct walk {
    int (*visit)(struct walk *w, int dirfd, const char *name, const struct stat *sb);
    bool pre;
    char rel[REL_MAX];  /* the visited entry relative to the top, dirs with '/' */
    void *ctx;
};

static int walk_dir(struct walk *w, int fd, size_t len);

static int walk_entry(struct walk *w, int fd, const char *name, size_t len)
{
    struct stat sb;
    if (fstatat(fd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0 : -1;  /* gone meanwhile: nothing to do */
    bool dir = S_ISDIR(sb.st_mode);
    int n = snprintf(w->rel + len, sizeof w->rel - len, "%s%s", name, dir ? "/" : "");
    if (n < 0 || (size_t)n >= sizeof w->rel - len) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int rc = 0;
    if (dir && w->pre && (rc = w->visit(w, fd, name, &sb)))
        return rc;
    if (dir) {
        int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
            return -1;
        if ((rc = walk_dir(w, sub, len + (size_t)n)))
            return rc;
        w->rel[len + (size_t)n] = '\0';
    }
    if (!dir || !w->pre)
        rc = w->visit(w, fd, name, &sb);
    return rc;
}

/* Walks the directory open at `fd` (closed on return); w->rel[0..len) is
 * its path relative to the top. */
static int walk_dir(struct walk *w, int fd, size_t len)
{
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return -1;
    }
    struct names entries = { 0 };
    struct dirent *e;
    int rc = 0;
    errno = 0;
    while (rc == 0 && (e = readdir(dir)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            rc = names_add(&entries, e->d_name, strlen(e->d_name));
    if (rc == 0 && errno)
        rc = -1;
    names_sort(&entries);
    for (size_t i = 0; rc == 0 && i < entries.n; i++)
        rc = walk_entry(w, dirfd(dir), entries.v[i], len);
    int err = errno;
    names_fini(&entries);
    closedir(dir);
    errno = err;
    return rc;
}

/* Walks the tree below `path`. */
static int walk_tree(struct walk *w, const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    w->rel[0] = '\0';
    return walk_dir(w, fd, 0);
}

static int remove_visit(struct walk *w, int dirfd, const char *name, const struct stat *sb)
{
    (void)w;
    if (unlinkat(dirfd, name, S_ISDIR(sb->st_mode) ? AT_REMOVEDIR : 0) != 0 && errno != ENOENT)
        return -1;
    return 0;
}

void outdir_remove_tree(const char *path)
{
    struct walk w = { .visit = remove_visit };
    walk_tree(&w, path);
    rmdir(path);
}

/* ---- the marker ------------------------------------------------------------ */

static int list_visit(struct walk *w, int dirfd, const char *name, const struct stat *sb)
{
    (void)dirfd, (void)name, (void)sb;
    if (!strcmp(w->rel, MARKER))
        return 0;
    return names_add(w->ctx, w->rel, strlen(w->rel));
}

/* Writes one relative path per line; a backslash and control characters
 * (a newline in a proposal's name) are written as \xHH. */
static void write_name(FILE *f, const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p == '\\' || *p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    fputc('\n', f);
}

/* Lists everything in `dir` in its marker, written last. */
static enum rm_status write_marker(const char *dir, struct diag *d)
{
    struct names all = { 0 };
    struct walk w = { .visit = list_visit, .pre = true, .ctx = &all };
    if (walk_tree(&w, dir) != 0) {
        names_fini(&all);
        return diag_fail(d, RM_EIO, "cannot list %s: %s", dir, strerror(errno));
    }
    names_sort(&all);
    char path[REL_MAX + 64];
    snprintf(path, sizeof path, "%s/" MARKER, dir);
    FILE *f = fopen(path, "w");
    enum rm_status st = RM_OK;
    if (!f) {
        st = diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
    } else {
        fputs(MARKER_HEADER, f);
        for (size_t i = 0; i < all.n; i++)
            write_name(f, all.v[i]);
        if (ferror(f) | fclose(f))
            st = diag_fail(d, RM_EIO, "cannot write %s", path);
    }
    names_fini(&all);
    return st;
}

static int hex(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads the marker of the directory open at `dirfd` into `out`; -1 with
 * errno ENOENT when there is none. Only a regular file is read, and only up
 * to MARKER_MAX bytes. */
static int read_marker(int dirfd, struct names *out)
{
    int fd = openat(dirfd, MARKER, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > MARKER_MAX) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    char *text = malloc((size_t)sb.st_size + 1);
    ssize_t got = text ? read(fd, text, (size_t)sb.st_size) : -1;
    close(fd);
    if (got < 0) {
        free(text);
        return -1;
    }
    text[got] = '\0';
    int rc = 0;
    for (char *line = text, *next; rc == 0 && *line; line = next) {
        char *end = strchr(line, '\n');
        next = end ? end + 1 : line + strlen(line);
        if (end)
            *end = '\0';
        if (*line == '#' || !*line)
            continue;
        char *o = line;  /* decode \xHH in place: the text only shrinks */
        for (char *p = line; *p; p++)
            if (p[0] == '\\' && p[1] == 'x' && hex(p[2]) >= 0 && hex(p[3]) >= 0) {
                *o++ = (char)(hex(p[2]) * 16 + hex(p[3]));
                p += 3;
            } else {
                *o++ = *p;
            }
        rc = names_add(out, line, (size_t)(o - line));
    }
    free(text);
    return rc;
}

/* ---- may OUT be replaced? ---------------------------------------------------- */

struct check {
    struct names *listed;
    const char *unlisted;  /* w->rel of the first entry not in the marker */
};

static int check_visit(struct walk *w, int dirfd, const char *name, const struct stat *sb)
{
    (void)dirfd, (void)name;
    struct check *c = w->ctx;
    if (!strcmp(w->rel, MARKER) && S_ISREG(sb->st_mode))
        return 0;
    if ((S_ISREG(sb->st_mode) || S_ISDIR(sb->st_mode)) && names_has(c->listed, w->rel))
        return 0;
    c->unlisted = w->rel;
    return 1;
}

/* Only a new path, an empty directory, or a directory whose marker lists
 * every entry in it (each file and directory, at every depth) may be
 * replaced: -o pointed at anything else would be deleted. Examines `path`;
 * messages name it `out`. */
static enum rm_status check_replaceable(const char *path, const char *out, struct diag *d)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT)
            return RM_OK;
        return diag_fail(d, RM_EIO, "cannot examine %s: %s", out, strerror(errno));
    }
    if (S_ISLNK(sb.st_mode))
        return diag_error(d, NULL, "%s: expected a results directory, found a symbolic link; "
                          "give the directory it points to or choose another --out", out);
    if (!S_ISDIR(sb.st_mode))
        return diag_error(d, NULL, "%s: expected a results directory, found a file", out);
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return diag_fail(d, RM_EIO, "cannot read %s: %s", out, strerror(errno));
    struct names listed = { 0 };
    bool marked = read_marker(fd, &listed) == 0;
    int err = errno;
    bool old_results = !marked && faccessat(fd, RESULTS_META_CSV, F_OK, 0) == 0;
    close(fd);
    enum rm_status st = RM_OK;
    if (!marked && err != ENOENT && err != EINVAL) {
        st = diag_fail(d, RM_EIO, "cannot read %s/" MARKER ": %s", out, strerror(err));
    } else if (old_results) {
        st = diag_error(d, NULL, "%s: holds results of an earlier railmail version (" RESULTS_META_CSV " but no " MARKER
                        "), which cannot be checked file by file; remove them or choose another --out", out);
    } else {
        struct check c = { &listed, NULL };
        struct walk w = { .visit = check_visit, .pre = true, .ctx = &c };
        int rc = walk_tree(&w, path);
        if (rc < 0)
            st = diag_fail(d, RM_EIO, "cannot read %s: %s", out, strerror(errno));
        else if (c.unlisted && marked)
            st = diag_error(d, NULL, "%s: holds \"%s\", which railmail did not write; railmail replaces only "
                            "an empty directory or its own results, so choose another --out", out, c.unlisted);
        else if (c.unlisted)
            st = diag_error(d, NULL, "%s: expected a new or empty directory or earlier railmail results, "
                            "found \"%s\" and no " MARKER "; choose another --out", out, c.unlisted);
    }
    names_fini(&listed);
    return st;
}

/* ---- begin, commit, discard -------------------------------------------------- */

static enum rm_status mkdirs(char *path, struct diag *d)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        int rc = mkdir(path, 0777);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return diag_fail(d, RM_EIO, "cannot create %s: %s", path, strerror(errno));
    }
    return RM_OK;
}

/* The directory holding `path` (without trailing slashes) into `buf`. */
static void parent_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, len, ".");
    else
        snprintf(buf, len, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

/* Length of a path without its trailing slashes. */
static size_t trimmed(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    return n;
}

/* The text of a temporary directory's marker for the output `out`: its
 * last component, which is what its siblings share. */
static void temp_marker_text(const char *out, char *buf, size_t len)
{
    const char *slash = strrchr(out, '/');
    snprintf(buf, len, TEMP_MARKER_TEXT, slash ? slash + 1 : out);
}

/* Whether the directory open at `dir` holds, as a regular file and not
 * through a link, the marker that railmail writes into a temporary
 * directory for the output named `base`. */
static bool marked_for(int dir, const char *base)
{
    char want[REL_MAX + 64], got[REL_MAX + 64];
    temp_marker_text(base, want, sizeof want);
    int fd = openat(dir, TEMP_MARKER, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat sb;
    ssize_t n = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? read(fd, got, sizeof got - 1) : -1;
    close(fd);
    if (n < 0)
        return false;
    got[n] = '\0';
    return !strcmp(got, want);
}

/* Whether the temporary directory `name` in the directory open at `fd`
 * was left by a railmail process that is gone: its name carries the PID of
 * its owner, which holds an flock on it for as long as it lives. All three
 * must say so (the marker railmail wrote into it names this output, the
 * lock is free and kill(PID, 0) finds no such process), so a user's
 * look-alike folder, a reused PID or a directory created a moment ago is
 * kept. */
static bool stale(int fd, const char *name, const char *base)
{
    const char *p = name + strlen(base) + strlen(".tmp-");
    char *end;
    errno = 0;
    long pid = strtol(p, &end, 10);
    if (errno || end == p || pid <= 0 || *end != '-' || strlen(end + 1) != 6)
        return false;  /* not a name railmail gives */
    int dir = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dir < 0)
        return false;
    bool gone = marked_for(dir, base) && flock(dir, LOCK_EX | LOCK_NB) == 0 && kill((pid_t)pid, 0) != 0
                && errno == ESRCH;
    close(dir);
    return gone;
}

/* Removes, in `parent`, the stale temporaries (stale() says which) of the
 * outputs named `family` (exact) or whose names start with it: entries
 * NAME.tmp-PID-XXXXXX, NAME being everything before the last ".tmp-". */
static void sweep_stale(const char *parent, const char *family, bool exact)
{
    char path[2 * REL_MAX + 8], base[REL_MAX];
    DIR *dir = opendir(parent);
    if (!dir)
        return;
    struct names found = { 0 };
    struct dirent *e;
    size_t len = strlen(family);
    while ((e = readdir(dir))) {
        const char *tmp = NULL;
        for (const char *p = strstr(e->d_name, ".tmp-"); p; p = strstr(p + 1, ".tmp-"))
            tmp = p;
        size_t n = tmp ? (size_t)(tmp - e->d_name) : 0;
        if (!tmp || n < len || (exact && n != len) || n >= sizeof base || strncmp(e->d_name, family, len))
            continue;
        snprintf(base, sizeof base, "%.*s", (int)n, e->d_name);
        if (stale(dirfd(dir), e->d_name, base))
            names_add(&found, e->d_name, strlen(e->d_name));
    }
    closedir(dir);
    for (size_t i = 0; i < found.n; i++) {
        snprintf(path, sizeof path, "%s/%s", parent, found.v[i]);
        outdir_remove_tree(path);
    }
    names_fini(&found);
}

/* Removes the OUT.tmp-PID-XXXXXX siblings of `out` that railmail processes
 * killed outright (SIGKILL, a power cut) left behind, and only those. */
static void remove_stale(const char *out)
{
    const char *slash = strrchr(out, '/');
    char parent[REL_MAX];
    parent_of(out, parent, sizeof parent);
    sweep_stale(parent, slash ? slash + 1 : out, true);
}

void outdir_sweep(const char *dir, const char *family)
{
    sweep_stale(dir, family, false);
}

/* Writes the temporary directory's marker, which a later run's sweep of
 * stale temporaries requires before it removes anything. */
static enum rm_status write_temp_marker(const struct outdir *o, struct diag *d)
{
    char text[REL_MAX + 64];
    temp_marker_text(o->out, text, sizeof text);
    int dir = o->lock, fd = dir < 0 ? -1 : openat(dir, TEMP_MARKER, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    size_t len = strlen(text);
    bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
    int err = errno;
    if (fd >= 0)
        ok &= close(fd) == 0;
    if (!ok)
        return diag_fail(d, RM_EIO, "cannot write into %s: %s", o->temp, strerror(err));
    return RM_OK;
}

/* Creates the temporary directory, locks it and makes it known to
 * outdir_interrupt, all under live_lock, so an interrupt either finds it or
 * finds nothing to remove. */
static enum rm_status make_temp(struct outdir *o, struct diag *d)
{
    size_t len = strlen(o->out) + 48;
    if (!(o->temp = malloc(len)))
        return diag_fail(d, RM_ENOMEM, "out of memory");
    snprintf(o->temp, len, "%s.tmp-%ld-XXXXXX", o->out, (long)getpid());
    enum rm_status st = mkdirs(o->temp, d);
    pthread_mutex_lock(&live_lock);
    if (st == RM_OK && !mkdtemp(o->temp))
        st = diag_fail(d, RM_EIO, "cannot create a directory next to %s: %s", o->out, strerror(errno));
    if (st != RM_OK) {
        pthread_mutex_unlock(&live_lock);
        free(o->temp);
        o->temp = NULL;  /* nothing was created */
        return st;
    }
    o->lock = open(o->temp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (o->lock >= 0)
        flock(o->lock, LOCK_EX);  /* a fresh directory: nobody else holds it */
    o->next = live;
    live = o;
    pthread_mutex_unlock(&live_lock);
    mode_t mask = umask(0);  /* mkdtemp makes it private; results are for sharing */
    umask(mask);
    chmod(o->temp, 0777 & ~mask);
    return write_temp_marker(o, d);
}

enum rm_status outdir_begin(const char *out, struct outdir **od, struct diag *d)
{
    *od = NULL;
    size_t n = trimmed(out);
    struct outdir *o = calloc(1, sizeof *o);
    if (!o || !(o->out = strndup(out, n))) {
        free(o);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    o->lock = -1;
    const char *slash = strrchr(o->out, '/'), *base = slash ? slash + 1 : o->out;
    enum rm_status st = !n ? diag_error(d, NULL, "expected the name of a results directory, got \"\"")
                        : !strcmp(base, ".") || !strcmp(base, "..")
                            ? diag_error(d, NULL, "%s: expected the name of a results directory, not \"%s\" "
                                         "(a directory cannot be replaced from inside itself), e.g. %s/results",
                                         o->out, base, o->out)
                            : check_replaceable(o->out, o->out, d);
    if (st == RM_OK) {
        remove_stale(o->out);
        st = make_temp(o, d);
    }
    if (st != RM_OK) {
        outdir_discard(o);
        return st;
    }
    *od = o;
    return RM_OK;
}

const char *outdir_temp(const struct outdir *od)
{
    return od->temp;
}

/* Takes `od` out of `live`; the caller holds live_lock. */
static void forget(struct outdir *od)
{
    for (struct outdir **p = &live; *p; p = &(*p)->next)
        if (*p == od) {
            *p = od->next;
            break;
        }
}

void outdir_discard(struct outdir *od)
{
    if (!od)
        return;
    pthread_mutex_lock(&live_lock);
    if (od->temp && !od->committed)
        outdir_remove_tree(od->temp);
    forget(od);
    pthread_mutex_unlock(&live_lock);
    if (od->lock >= 0)
        close(od->lock);
    free(od->temp);
    free(od->out);
    free(od);
}

void outdir_interrupt(void)
{
    pthread_mutex_lock(&live_lock);  /* kept: the process ends next */
    for (struct outdir *od = live; od; od = od->next)
        if (!od->committed)
            outdir_remove_tree(od->temp);
}

/* ---- files written in place ------------------------------------------------ */

enum rm_status outdir_temp_file(const char *path, struct strbuf *tmp, int *fd, struct diag *d)
{
    strbuf_printf(tmp, "%s.XXXXXX.tmp", path);
    if (tmp->oom)
        return diag_fail(d, RM_ENOMEM, "out of memory writing %s", path);
    int f = mkstemps(tmp->s, 4);
    if (f < 0)
        return diag_fail(d, RM_EIO, "%s: cannot write: %s", path, strerror(errno));
    mode_t mask = umask(0);  /* mkstemp makes it private; results are for sharing */
    umask(mask);
    fchmod(f, 0666 & ~mask);
    if (fd)
        *fd = f;
    else
        close(f);
    return RM_OK;
}

enum rm_status outdir_put_in_place(const char *tmp, const char *path, struct diag *d)
{
    int fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    int rc = fd < 0 ? -1 : fsync(fd);
    int err = errno;
    if (fd >= 0)
        close(fd);
    if (rc != 0 && err != EINVAL) {
        remove(tmp);
        return diag_fail(d, RM_EIO, "%s: cannot write: %s", path, strerror(err));
    }
    if (rename(tmp, path) != 0) {
        err = errno;
        remove(tmp);
        return diag_fail(d, RM_EIO, "%s: cannot write: %s", path, strerror(err));
    }
    return RM_OK;
}

enum rm_status outdir_write_file(const char *path, const void *data, size_t len, struct diag *d)
{
    struct strbuf tmp = {0};
    int fd;
    enum rm_status st = outdir_temp_file(path, &tmp, &fd, d);
    if (st != RM_OK) {
        strbuf_fini(&tmp);
        return st;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n, left -= (size_t)n;
    }
    int err = errno;
    bool ok = left == 0;
    if (close(fd) != 0 && ok)
        ok = false, err = errno;
    if (!ok) {
        remove(tmp.s);
        st = diag_fail(d, RM_EIO, "%s: cannot write: %s", path, strerror(err ? err : EIO));
    } else {
        st = outdir_put_in_place(tmp.s, path, d);
    }
    strbuf_fini(&tmp);
    return st;
}

/* ---- scratch space --------------------------------------------------------- */

/* A scratch directory is an outdir without an output: in `live`, so that
 * outdir_interrupt removes it, and never committed. */
enum rm_status outdir_scratch(const char *what, char **path, struct diag *d)
{
    *path = NULL;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    char cwd[REL_MAX] = "";
    if (tmp[0] != '/' && !getcwd(cwd, sizeof cwd))  /* absolute: gnuplot runs elsewhere */
        return diag_fail(d, RM_EIO, "cannot find the current directory: %s", strerror(errno));
    struct outdir *o = calloc(1, sizeof *o);
    size_t len = strlen(cwd) + strlen(tmp) + strlen(what) + 32;
    if (!o || !(o->temp = malloc(len))) {
        free(o);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    o->lock = -1;
    snprintf(o->temp, len, "%s%s%s/railmail-%s-XXXXXX", cwd, cwd[0] ? "/" : "", tmp, what);
    pthread_mutex_lock(&live_lock);
    bool made = mkdtemp(o->temp) != NULL;
    int err = errno;
    if (made) {
        o->next = live;
        live = o;
    }
    pthread_mutex_unlock(&live_lock);
    if (!made) {
        enum rm_status st = diag_fail(d, RM_EIO, "cannot make a scratch directory in %s: %s", tmp, strerror(err));
        free(o->temp);
        free(o);
        return st;
    }
    if (!(*path = strdup(o->temp))) {
        outdir_discard(o);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    return RM_OK;
}

void outdir_scratch_end(char *path)
{
    if (!path)
        return;
    pthread_mutex_lock(&live_lock);
    struct outdir *o = live;
    while (o && (o->out || strcmp(o->temp, path)))
        o = o->next;
    pthread_mutex_unlock(&live_lock);
    free(path);
    outdir_discard(o);
}

/* fsyncs what `fd` refers to and closes it; -1 with errno when that fails
 * (EINVAL, a file system that cannot sync, is no failure). */
static int sync_fd(int fd)
{
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    errno = err;
    return rc != 0 && err != EINVAL ? -1 : 0;
}

static int sync_visit(struct walk *w, int dirfd, const char *name, const struct stat *sb)
{
    (void)w;
    if (!S_ISREG(sb->st_mode) && !S_ISDIR(sb->st_mode))
        return 0;
    return sync_fd(openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
}

static int sync_dir(const char *dir)
{
    return sync_fd(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

/* fsyncs `path`: every file, then each directory after its contents, then
 * `path` itself, so no completed name can point at unwritten data after a
 * power cut (the discipline of SQLite and git). */
static int sync_tree(const char *path)
{
    struct walk w = { .visit = sync_visit };
    if (walk_tree(&w, path) != 0)
        return -1;
    return sync_dir(path);
}

/* fsyncs the directory holding `path`, so a rename in it is durable. */
static int sync_parent(const char *path)
{
    char parent[REL_MAX];
    parent_of(path, parent, sizeof parent);
    return sync_dir(parent);
}

/* Swaps the names `a` and `b` atomically; both must exist. ENOSYS or
 * EINVAL when the kernel or the file system cannot. */
static int exchange(const char *a, const char *b)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 28))
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#elif defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
    (void)a, (void)b;
    errno = ENOSYS;
    return -1;
#endif
}

/* Where the kernel cannot exchange: OUT is renamed aside, the new tree
 * renamed in, the old one deleted. A crash between the two renames leaves
 * the old results at OUT.old-PID. */
static enum rm_status replace_by_renames(struct outdir *od, struct diag *d)
{
    char old[REL_MAX + 64];
    snprintf(old, sizeof old, "%s.old-%ld", od->out, (long)getpid());
    if (rename(od->out, old) != 0)
        return diag_fail(d, RM_EIO, "cannot replace %s: %s", od->out, strerror(errno));
    if (rename(od->temp, od->out) != 0) {
        int err = errno;
        rename(old, od->out);
        return diag_fail(d, RM_EIO, "cannot move results into %s: %s", od->out, strerror(err));
    }
    od->committed = true;
    outdir_remove_tree(old);
    return RM_OK;
}

/* Puts the temporary tree at OUT. With an exchange, at every instant
 * either the old or the new results are at OUT; the old tree, now under
 * the temporary name, is checked once more and deleted. */
static enum rm_status replace(struct outdir *od, struct diag *d)
{
    if (exchange(od->temp, od->out) != 0) {
        if (errno == ENOSYS || errno == EINVAL)
            return replace_by_renames(od, d);
        if (errno != ENOENT || rename(od->temp, od->out) != 0)  /* ENOENT: no OUT yet */
            return diag_fail(d, RM_EIO, "cannot move results into %s: %s", od->out, strerror(errno));
        od->committed = true;
        return RM_OK;
    }
    /* Something may have been put into OUT since it was checked: then the
     * old tree goes back in place, untouched. */
    enum rm_status st = check_replaceable(od->temp, od->out, d);
    if (st != RM_OK) {
        if (exchange(od->temp, od->out) != 0)
            return diag_fail(d, RM_EIO, "cannot move %s back to %s: %s", od->temp, od->out, strerror(errno));
        return st;
    }
    od->committed = true;
    outdir_remove_tree(od->temp);
    return RM_OK;
}

enum rm_status outdir_commit(struct outdir *od, struct diag *d)
{
    /* No longer a temporary: the marker goes before the results marker
     * lists the tree (a crash from here on leaves an unmarked directory,
     * which no sweep removes). */
    if (od->lock >= 0 && unlinkat(od->lock, TEMP_MARKER, 0) != 0)
        return diag_fail(d, RM_EIO, "cannot write %s: %s", od->temp, strerror(errno));
    enum rm_status st = write_marker(od->temp, d);
    if (st != RM_OK)
        return st;
    if (sync_tree(od->temp) != 0)
        return diag_fail(d, RM_EIO, "cannot write %s to disk: %s", od->temp, strerror(errno));
    /* OUT may have changed since the run began. */
    if ((st = check_replaceable(od->out, od->out, d)) != RM_OK)
        return st;
    pthread_mutex_lock(&live_lock);
    st = replace(od, d);
    pthread_mutex_unlock(&live_lock);
    if (st != RM_OK)
        return st;
    if (sync_parent(od->out) != 0)
        return diag_fail(d, RM_EIO, "cannot write the directory holding %s to disk: %s", od->out, strerror(errno));
    return RM_OK;
}

/* ---- charts added later ------------------------------------------------------- */

/* The marker that covers `dir`: in `dir`, or in its parent when `dir` is
 * an arm of a comparison or a point of a sweep (OUT/baseline), listing it.
 * Its folder goes to `top`, the prefix of dir's entries in it ("" or
 * "baseline/") to `prefix`, its names to `listed` (to be freed). */
static bool find_marker(const char *dir, char *top, char *prefix, struct names *listed)
{
    size_t len = trimmed(dir);
    snprintf(top, REL_MAX, "%.*s", (int)len, dir);
    prefix[0] = '\0';
    int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool marked = fd >= 0 && read_marker(fd, listed) == 0;
    if (fd >= 0)
        close(fd);
    if (marked)
        return true;
    names_fini(listed);
    char *slash = strrchr(top, '/');
    const char *base = slash ? slash + 1 : top;
    if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
        return false;
    snprintf(prefix, REL_MAX + 2, "%s/", base);
    if (slash == top)
        top[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(top, ".");
    fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    marked = fd >= 0 && read_marker(fd, listed) == 0 && names_has(listed, prefix);
    if (fd >= 0)
        close(fd);
    if (!marked)
        names_fini(listed);
    return marked;
}

bool outdir_is_results(const char *dir)
{
    char top[REL_MAX], prefix[REL_MAX + 2];
    struct names listed = { 0 };
    bool marked = find_marker(dir, top, prefix, &listed);
    names_fini(&listed);
    return marked;
}

enum rm_status outdir_adopt(const char *dir, const char *const *files, size_t n, struct diag *d)
{
    size_t len = trimmed(dir);
    char top[REL_MAX], prefix[REL_MAX + 2];
    struct names listed = { 0 };
    if (!find_marker(dir, top, prefix, &listed))
        return RM_OK;  /* not railmail's results: nothing to keep track of */
    char path[2 * REL_MAX + 8];
    snprintf(path, sizeof path, "%s/" MARKER, top);
    FILE *f = fopen(path, "a");
    enum rm_status st = RM_OK;
    if (!f)
        st = diag_fail(d, RM_EIO, "cannot write %s: %s", path, strerror(errno));
    for (size_t i = 0; f && i < n; i++) {
        char rel[2 * REL_MAX], file[2 * REL_MAX + 8];
        struct stat sb;
        snprintf(rel, sizeof rel, "%s%s", prefix, files[i]);
        snprintf(file, sizeof file, "%.*s/%s", (int)len, dir, files[i]);
        if (lstat(file, &sb) == 0 && S_ISREG(sb.st_mode) && !names_has(&listed, rel))
            write_name(f, rel);
    }
    if (f && (ferror(f) | fclose(f)))
        st = diag_fail(d, RM_EIO, "cannot write %s", path);
    names_fini(&listed);
    return st;
}
