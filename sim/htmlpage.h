#ifndef RAILMAIL_HTMLPAGE_H
#define RAILMAIL_HTMLPAGE_H
/* Internal to the page (html.c) and the sections kept in files of their
 * own (htmlcalib.c, htmlbudget.c, htmloptimise.c): what such a section needs of the page
 * being written. Not for other modules. */
#include <stdbool.h>
#include <stddef.h>
#include "railmail/diag.h"
#include "railmail/status.h"
#include "railmail/strbuf.h"

struct page;

struct strbuf *html_page_text(struct page *p);   /* the page's text so far, to append to */
const char *html_page_dir(const struct page *p);  /* the results folder */
struct diag *html_page_diag(struct page *p);
/* Text as HTML (the markup characters as entities, control characters as
 * spaces), and a number as a planner reads it ("–" for none). */
void html_esc(struct strbuf *b, const char *text);
const char *html_num(char buf[32], double v);
/* "mean [low – high]", the interval left out where there is none. */
void html_level(struct strbuf *b, double mean, double lo, double hi);

/* A run's time budget (htmlbudget.c). */
enum rm_status html_budget_section(struct page *p);

/* An optimisation's answer, on a sweep's page (htmloptimise.c); nothing
 * in a folder without one. */
enum rm_status html_optimise_section(struct page *p);
/* An optimisation's subtitle and question in place of a sweep's; false,
 * writing nothing, in a folder without an answer. */
bool html_optimise_subtitle(struct page *p);
bool html_optimise_question(struct page *p);

/* calibrate's page (htmlcalib.c). */
void html_calibrate_subtitle(struct page *p);
void html_calibrate_question(struct page *p);
enum rm_status html_calibrate_summary(struct page *p);
enum rm_status html_calibrate_fits(struct page *p);
enum rm_status html_calibrate_validation(struct page *p);
#endif /* RAILMAIL_HTMLPAGE_H */
