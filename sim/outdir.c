/* outdir: the results directory. A run writes into a fresh temporary
 * sibling OUT.tmp-XXXXXX; commit renames OUT aside, renames the temporary
 * directory to OUT and deletes the old one. */
#define _XOPEN_SOURCE 700
#include "railmail/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct outdir {
    char *out;        /* as given, without trailing slashes */
    char *temp;       /* OUT.tmp-XXXXXX */
    bool committed;
};

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

/* Length of a path without its trailing slashes. */
static size_t trimmed(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    return n;
}

/* Only a new path, an empty directory or earlier results (with meta.csv)
 * may be replaced: -o pointed at anything else would be deleted. */
static enum rm_status check_replaceable(const char *out_dir, struct diag *d)
{
    struct stat sb;
    if (stat(out_dir, &sb) != 0)
        return RM_OK;
    if (!S_ISDIR(sb.st_mode))
        return diag_error(d, NULL, "%s: expected a results directory, found a file", out_dir);
    char meta[4200];
    snprintf(meta, sizeof meta, "%s/meta.csv", out_dir);
    if (access(meta, F_OK) == 0)
        return RM_OK;
    DIR *dir = opendir(out_dir);
    struct dirent *e;
    bool empty = true;
    while (dir && empty && (e = readdir(dir)))
        empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    if (dir)
        closedir(dir);
    if (empty)
        return RM_OK;
    return diag_error(d, NULL, "%s: expected a new directory or earlier railmail results (with meta.csv), "
                      "found other files; choose another --out", out_dir);
}

enum rm_status outdir_begin(const char *out, struct outdir **od, struct diag *d)
{
    *od = NULL;
    enum rm_status st = check_replaceable(out, d);
    if (st != RM_OK)
        return st;
    size_t n = trimmed(out);
    struct outdir *o = calloc(1, sizeof *o);
    char *t = malloc(n + 16);
    if (o)
        o->out = strndup(out, n);
    if (!o || !t || !o->out) {
        free(t);
        outdir_discard(o);
        return diag_fail(d, RM_ENOMEM, "out of memory");
    }
    snprintf(t, n + 16, "%.*s.tmp-XXXXXX", (int)n, out);
    st = mkdirs(t, d);
    if (st == RM_OK && !mkdtemp(t))
        st = diag_fail(d, RM_EIO, "cannot create a directory next to %s: %s", o->out, strerror(errno));
    if (st != RM_OK) {
        free(t);
        outdir_discard(o);
        return st;
    }
    mode_t mask = umask(0);  /* mkdtemp makes it private; results are for sharing */
    umask(mask);
    chmod(t, 0777 & ~mask);
    o->temp = t;
    *od = o;
    return RM_OK;
}

const char *outdir_temp(const struct outdir *od)
{
    return od->temp;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tree(const char *path)
{
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void outdir_discard(struct outdir *od)
{
    if (!od)
        return;
    if (od->temp && !od->committed)
        remove_tree(od->temp);
    free(od->temp);
    free(od->out);
    free(od);
}

enum rm_status outdir_commit(struct outdir *od, struct diag *d)
{
    char old[4200];
    snprintf(old, sizeof old, "%s.old-%ld", od->out, (long)getpid());
    bool had = rename(od->out, old) == 0;
    if (!had && errno != ENOENT)
        return diag_fail(d, RM_EIO, "cannot replace %s: %s", od->out, strerror(errno));
    if (rename(od->temp, od->out) != 0) {
        int err = errno;
        if (had)
            rename(old, od->out);
        return diag_fail(d, RM_EIO, "cannot move results into %s: %s", od->out, strerror(err));
    }
    od->committed = true;
    if (had)
        remove_tree(old);
    return RM_OK;
}
