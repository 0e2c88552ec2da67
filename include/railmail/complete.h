#ifndef RAILMAIL_COMPLETE_H
#define RAILMAIL_COMPLETE_H
/* Shell completion: what may stand in place of the last word of a railmail
 * command line. railmail answers (`railmail complete -- WORDS...`) so that
 * the bash script stays a few lines and never reads a scenario itself. */
#include <stdio.h>

/* The line printed instead of candidates when the word is a directory (a
 * scenario, a results directory, --out): the shell completes those. */
#define COMPLETE_DIRS ":dirs"

/* Prints to `out`, one per line and sorted, every candidate for the last of
 * the n words (the words after "railmail"; the last is the one being
 * completed, "" after a space, and n 0 is taken as one empty word):
 * commands, options, metric names and scopes (--metric, --target,
 * --precision), --set and --vary keys and proposal names of the scenario on
 * the line (or the default one). A candidate is the whole word; one that
 * needs more after it ends in '.', '@', ':' or '='. Prints nothing when
 * there is nothing to offer (a number, an unknown command, a scenario that
 * does not load). */
void complete_words(int n, const char *const *words, FILE *out);
#endif /* RAILMAIL_COMPLETE_H */
