/* The documents cannot go stale (issue 24): every command shown in a
 * ```console block of README.md, docs/guide.md and docs/reference.md is run
 * by tests/guide_check.py against the binary under test, and what it prints
 * must be what the document shows (figures within their last printed digit);
 * every relative link and anchor must lead somewhere. The checker itself is
 * checked on small documents that should and should not pass. */
#include "e2e.h"

/* Runs tests/guide_check.py with `args` (after the binary for a check);
 * its exit status, with what it printed in *said (malloc'd). */
static int guide_check(bool links, const char *args, char **said)
{
    char *t = e2e_tmpdir(), *out = e2e_format("%s/out", t);
    char *cmd = links ? e2e_format("python3 tests/guide_check.py --links %s >'%s' 2>&1", args, out)
                      : e2e_format("python3 tests/guide_check.py '%s' %s >'%s' 2>&1", e2e_bin(), args, out);
    int rc = system(cmd);
    *said = e2e_slurp(out);
    cr_assert(*said);
    free(cmd);
    free(out);
    e2e_rmtree(t);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void prints_what_it_shows(const char *doc)
{
    char *said;
    int rc = guide_check(false, doc, &said);
    cr_assert_eq(rc, 0, "%s no longer shows what railmail prints (rewrite it with "
                 "python3 tests/guide_check.py --update ./railmail %s, then read the diff):\n%s", doc, doc, said);
    free(said);
}

Test(guide, every_command_of_the_guide_prints_what_the_guide_shows, .timeout = 600)
{
    prints_what_it_shows("docs/guide.md");
}

Test(guide, the_readme_run_prints_what_the_readme_shows, .timeout = 120)
{
    prints_what_it_shows("README.md");
}

Test(guide, the_reference_examples_print_what_the_reference_shows, .timeout = 120)
{
    prints_what_it_shows("docs/reference.md");
}

Test(guide, every_relative_link_and_anchor_leads_somewhere)
{
    char *said;
    int rc = guide_check(true, "README.md docs/*.md scenarios/*/README.md", &said);
    cr_assert_eq(rc, 0, "%s", said);
    free(said);
}

/* guide_check.py's verdict on a document holding one ```console block of
 * `block` (commands and what they print). */
static int verdict(const char *block, char **said)
{
    char *t = e2e_tmpdir(), *doc = e2e_format("# A test\n\nSome words.\n\n```console\n%s```\n\nMore words.\n", block);
    e2e_write(t, "doc.md", doc);
    char *path = e2e_format("%s/doc.md", t);
    int rc = guide_check(false, path, said);
    free(path);
    free(doc);
    e2e_rmtree(t);
    return rc;
}

static void passes(const char *block)
{
    char *said;
    cr_expect_eq(verdict(block, &said), 0, "should pass:\n%s\nchecker said:\n%s", block, said);
    free(said);
}

static void fails(const char *block, const char *why)
{
    char *said;
    cr_expect_eq(verdict(block, &said), 1, "should fail:\n%s\nchecker said:\n%s", block, said);
    cr_expect(strstr(said, why), "expected \"%s\" in:\n%s", why, said);
    free(said);
}

Test(guide, the_checker_fails_on_a_stale_output_and_only_then, .timeout = 120)
{
    const char *echo = "$ echo 'transit 18.23 d,  52 batches, CQ-DE'\n";
    char *b;
    /* a figure rounded the other way, blanks, a line ... of none or some */
    passes(b = e2e_format("%stransit 18.24 d, 52 batches, CQ-DE\n", echo));
    free(b);
    passes(b = e2e_format("%s   transit   18.22 d,     52 batches,   CQ-DE   \n...\n", echo));
    free(b);
    passes("$ printf 'a\\nb 2.5\\nc\\nd 1e-3\\n'\na\n...\nd 0.001\n");
    passes("$ printf 'a\\nb\\nc\\nd\\n'\na\n...\nc\n...\n");
    /* a command continued on a "> " line; the temporary directory as . */
    passes("$ echo one two |\n>     tr o 0\n0ne tw0\n$ pwd\n.\n");
    /* a figure off by more than its last digit, a count off by one, a word,
     * a line left out or too many */
    fails(b = e2e_format("%stransit 18.25 d, 52 batches, CQ-DE\n", echo), "shown:   transit 18.25");
    free(b);
    fails(b = e2e_format("%stransit 18.23 d, 53 batches, CQ-DE\n", echo), "printed: transit 18.23 d,  52");
    free(b);
    fails(b = e2e_format("%stransit 18.23 d, 52 batches, CQ-FR\n", echo), "CQ-FR");
    free(b);
    fails("$ printf 'a\\nb\\nc\\n'\na\nc\n", "shown:   c");
    fails("$ printf 'a\\nb\\n'\na\nb\nc\n", "printed: (nothing more)");
    fails("$ printf 'a\\nb\\nc\\n'\na\n...\nd\n", "shown:   d");
    fails("$ printf 'a\\nb\\nc\\n'\na\nb\n...\nb\nc\n", "were not printed");
    fails("$ true\n$ echo 12.5\n12.3\n", "$ echo 12.5");
}

Test(guide, the_link_checker_names_a_missing_file_or_heading)
{
    char *t = e2e_tmpdir(), *said;
    e2e_write(t, "a.md", "# Top\n\n## On time, but at what cost per kg and CO2?\n\n"
                         "[up](#top), [here](#on-time-but-at-what-cost-per-kg-and-co2), [there](b.md#the-b-side),\n"
                         "![a picture](b.md), [gone](#nope), [lost](c.md), `[in code](x.md)`\n\n"
                         "```\n[in a block](y.md)\n```\n");
    e2e_write(t, "b.md", "# The `b` side\n");
    char *a = e2e_format("%s/a.md", t);
    cr_assert_eq(guide_check(true, a, &said), 1, "%s", said);
    cr_expect(strstr(said, "a.md:6: #nope: no heading #nope"), "%s", said);
    cr_expect(strstr(said, "a.md:6: c.md: no "), "%s", said);
    cr_expect(!strstr(said, "b.md") && !strstr(said, "x.md") && !strstr(said, "y.md") && !strstr(said, "#on-time"),
              "%s", said);
    free(said);
    free(a);
    e2e_rmtree(t);
}
