#ifndef RAILMAIL_GNUPLOT_H
#define RAILMAIL_GNUPLOT_H
/* Running gnuplot: each chart's script is saved as NAME.gp beside its
 * picture, so that a user can restyle and redraw it, and piped to gnuplot,
 * which draws to a temporary name that is renamed only on success, so no
 * picture is ever half-written. gnuplot's complaints become a diag message. */
#include <stdbool.h>
#include <stddef.h>
#include "railmail/diag.h"
#include "railmail/status.h"
#include "railmail/strbuf.h"

/* What gnuplot draws: 1200x700 pixels either way, NAME.png or NAME.svg. */
enum gnuplot_terminal { GNUPLOT_PNG, GNUPLOT_SVG };

/* The charts of one directory. Caller-owned storage: gnuplot_init, nothing
 * to free. Read the fields, never write them. */
struct gnuplot {
    const char *dir;                 /* the data, and by default scripts and pictures (borrowed) */
    const char *out_dir;             /* scripts and pictures, when elsewhere (borrowed) */
    enum gnuplot_terminal terminal;
    bool found;                      /* gnuplot is on PATH: pictures are drawn */
    size_t written, drawn;           /* scripts saved, pictures drawn */
};

/* "gnuplot 5.4 patchlevel 4" as `gnuplot --version` says, malloc'd; NULL
 * when there is no gnuplot on PATH. Charts' bytes depend on it, so the run
 * record keeps it and verify compares charts only under the same one. */
char *gnuplot_version(void);

/* Looks for gnuplot on PATH, as the shell would, once. */
void gnuplot_init(struct gnuplot *g, const char *dir, enum gnuplot_terminal terminal);

/* Saves scripts and pictures in `out_dir` instead of dir (the report's SVG
 * charts are drawn into a scratch directory). gnuplot still runs in dir, so
 * `out_dir` must be an absolute path. */
void gnuplot_output_dir(struct gnuplot *g, const char *out_dir);

/* Saves dir/NAME.gp: a comment, the terminal, `set output 'NAME.png'`,
 * `body` (commands reading data by file names relative to dir) and `unset
 * output`. Then, when gnuplot was found, runs it in dir on the same script
 * and renames its picture into place. A body that ran out of memory is
 * RM_ENOMEM. A gnuplot that fails, is killed or draws nothing is RM_ERUN
 * with what it printed; one the shell cannot run after all (exit status
 * 127) clears `found` and is not an error. */
enum rm_status gnuplot_draw(struct gnuplot *g, const char *name, const struct strbuf *body, struct diag *d);
#endif /* RAILMAIL_GNUPLOT_H */
