#ifndef RAILMAIL_OUTDIR_H
#define RAILMAIL_OUTDIR_H
/* The results directory. Results are written into a temporary sibling of
 * OUT and moved into place only when complete, so a failed run leaves
 * earlier results untouched. */
#include "railmail/diag.h"

struct outdir;  /* opaque: the final and the temporary path */

/* Checks that `out` may be replaced, creates its parents and a fresh
 * temporary sibling to write into. */
enum rm_status outdir_begin(const char *out, struct outdir **od, struct diag *d);
/* The temporary directory that receives the results. */
const char *outdir_temp(const struct outdir *od);
/* Moves the temporary directory into place as `out`. */
enum rm_status outdir_commit(struct outdir *od, struct diag *d);
/* Removes the temporary directory unless it was committed, and frees `od`;
 * every outdir_begin ends in one outdir_discard. NULL is a no-op. */
void outdir_discard(struct outdir *od);
#endif /* RAILMAIL_OUTDIR_H */
