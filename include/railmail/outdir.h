#ifndef RAILMAIL_OUTDIR_H
#define RAILMAIL_OUTDIR_H
/* The results directory. Results are written into a temporary sibling of
 * OUT and moved into place only when complete, so a failed run leaves
 * earlier results untouched. Every results directory railmail writes holds
 * a marker, .railmail-results, listing each file and directory in it; an
 * existing OUT is replaced only when it is empty or its marker lists
 * everything in it, so railmail never deletes what it did not write. */
#include <stdbool.h>
#include <stddef.h>
#include "railmail/diag.h"
#include "railmail/strbuf.h"

/* The marker's name, in every results directory railmail writes. */
#define OUTDIR_MARKER ".railmail-results"

struct outdir;  /* opaque: the final and the temporary path */

/* Checks that `out` may be replaced (RM_EINPUT with a sentence if not),
 * removes the temporary siblings OUT.tmp-PID-XXXXXX of railmail processes
 * that died, creates the parents of `out` and a fresh temporary sibling to
 * write into, named with this process's PID and flock'ed while it lives. */
enum rm_status outdir_begin(const char *out, struct outdir **od, struct diag *d);
/* The temporary directory that receives the results. */
const char *outdir_temp(const struct outdir *od);
/* Writes the marker, fsyncs every file and directory of the temporary
 * tree, checks `out` again, exchanges the tree with `out` atomically
 * (renameat2 RENAME_EXCHANGE; two renames only where the kernel or file
 * system cannot), deletes the old tree and fsyncs the parent. */
enum rm_status outdir_commit(struct outdir *od, struct diag *d);
/* Removes the temporary directory unless it was committed, and frees `od`;
 * every outdir_begin ends in one outdir_discard. NULL is a no-op. */
void outdir_discard(struct outdir *od);

/* Removes the temporary directories of this process, for a signal that
 * ends it: call it from an ordinary thread (it is not async-signal-safe),
 * then _exit. An exchange in progress finishes first; no outdir function
 * returns afterwards. */
void outdir_interrupt(void);

/* Removes in `dir` the stale temporaries (marked, unlocked, their
 * process gone) of every output whose name starts with `family`: what
 * killed processes left of outputs whose names change from run to run
 * (railmail-mpi's ranks). */
void outdir_sweep(const char *dir, const char *family);

/* A file replaced whole or not at all, never written through a link: the
 * new text goes to PATH.XXXXXX.tmp, made by mkstemps in PATH's directory
 * (so created there and then, not a name planted beforehand), which is
 * fsync'ed and renamed over PATH. Errors name PATH and the errno text. */
enum rm_status outdir_write_file(const char *path, const void *data, size_t len, struct diag *d);
/* The two halves, for a file another program writes (gnuplot's pictures):
 * the fresh temporary's name into `tmp` and, when fd is not NULL, its open
 * descriptor; then its fsync and rename over PATH (removed on failure). */
enum rm_status outdir_temp_file(const char *path, struct strbuf *tmp, int *fd, struct diag *d);
enum rm_status outdir_put_in_place(const char *tmp, const char *path, struct diag *d);

/* Removes `path` and everything below it; symbolic links are removed, not
 * followed. For folders railmail made itself (a point run again). */
void outdir_remove_tree(const char *path);

/* Scratch space outside every results directory: a fresh directory made
 * with mkdtemp under $TMPDIR (or /tmp), named railmail-WHAT-XXXXXX, which
 * outdir_interrupt removes if a signal ends the process first. *path is
 * malloc'd; outdir_scratch_end removes the directory with what it holds
 * and frees the path (NULL is a no-op). */
enum rm_status outdir_scratch(const char *what, char **path, struct diag *d);
void outdir_scratch_end(char *path);

/* Whether `dir` holds results railmail wrote: its marker, or its parent's
 * listing it (an arm of a comparison). plot and report write only there. */
bool outdir_is_results(const char *dir);

/* After `railmail plot DIR` redrew the charts of finished results: adds the
 * regular files among `files` (names in DIR) to the marker of DIR, or of
 * its parent when DIR is an arm of a comparison, so a later run may still
 * replace them. Does nothing where there is no marker. */
enum rm_status outdir_adopt(const char *dir, const char *const *files, size_t n, struct diag *d);
#endif /* RAILMAIL_OUTDIR_H */
