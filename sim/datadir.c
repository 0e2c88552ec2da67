/* datadir: the lookup of the shipped scenarios, from the command line's
 * point of view. A checkout's ./scenarios wins over the installed copy so
 * that a developer always runs the scenarios they are editing; the
 * environment variable wins over both. */
#include "railmail/datadir.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* make passes PREFIX/share/railmail; a build without it (the PGO training
 * build) gets make's default PREFIX. */
#ifndef RAILMAIL_DATADIR
#define RAILMAIL_DATADIR "/usr/local/share/railmail"
#endif

const char *datadir_path(void)
{
    return RAILMAIL_DATADIR;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Writes "dir/name" into buf; false when it does not fit. */
static bool join(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    return n >= 0 && (size_t)n < size;
}

const char *datadir_scenario(const char *name, char *buf, size_t size)
{
    const char *env = getenv(DATADIR_ENV);
    if (env && *env)
        return join(buf, size, env, name) ? buf : NULL;
    if (join(buf, size, "scenarios", name) && is_dir(buf))
        return buf;
    if (join(buf, size, RAILMAIL_DATADIR "/scenarios", name) && is_dir(buf))
        return buf;
    return join(buf, size, "scenarios", name) ? buf : NULL;
}
