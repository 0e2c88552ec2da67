#ifndef RAILMAIL_SHOW_H
#define RAILMAIL_SHOW_H
/* show: reads a results folder railmail wrote and prints one answer to a
 * planner's question, aligned and with its confidence intervals, or as CSV
 * for a machine: the pairs sorted worst first, a metric month by month, the
 * month a threshold is crossed, where a scope's time goes. A comparison shows each option in turn (or
 * the one --option names), a sweep each point. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "railmail/diag.h"
#include "railmail/status.h"

enum show_view { SHOW_PAIRS, SHOW_MONTHS, SHOW_WHEN, SHOW_BUDGET };
#define SHOW_VIEWS 4

/* "pairs", "months", "when", "budget": the view as the command line names it. */
const char *show_view_name(enum show_view v);

struct show_request {
    const char *dir;
    enum show_view view;
    const char *arg;     /* months: METRIC@SCOPE; when: METRIC@SCOPE>X; budget: SCOPE or NULL (all); pairs: NULL */
    const char *option;  /* a comparison's option or a sweep's point; NULL: each */
    const char *by;      /* pairs: the metric to sort by; NULL: the share on time */
    size_t worst, best;  /* pairs: only the N worst (or best); 0: every pair, worst first */
    bool csv;
};

/* Reads the words after `railmail show` into q (borrowing them); a usage
 * error is RM_EINPUT with a message naming the view and the argument. */
enum rm_status show_parse(int argc, char *const *argv, struct show_request *q, struct diag *d);

/* Prints the answer to f. A folder railmail did not write, a view its
 * files cannot answer and a file that does not read are input errors. */
enum rm_status show_print(const struct show_request *q, FILE *f, struct diag *d);
#endif /* RAILMAIL_SHOW_H */
