/* html: report.html is written by run, compare and sweep, listed in the
 * results marker, fetches nothing, escapes hostile names, is written again
 * byte for byte by `railmail report`, and renders in headless Chromium
 * without a console message, to a screenshot and a PDF with pages. */
#define _GNU_SOURCE  /* strcasestr */
#include "e2e.h"

#include <ctype.h>

/* The report of results directory `dir`, which must exist. */
static char *report_of(const char *dir)
{
    char *path = e2e_format("%s/report.html", dir), *html = e2e_slurp(path);
    cr_assert(html, "no %s", path);
    free(path);
    return html;
}

/* Whether `name` is a line of dir's .railmail-results marker. */
static bool in_marker(const char *dir, const char *name)
{
    char *path = e2e_format("%s/.railmail-results", dir), *text = e2e_slurp(path), *want = e2e_format("\n%s\n", name);
    bool found = text && strstr(text, want);
    free(path);
    free(text);
    free(want);
    return found;
}

/* The first resource the page would load: the value of a src= or href=
 * attribute or of a CSS url( ) that is neither a fragment of the page
 * (#id, as gnuplot's SVG refers to its own markers) nor a data: URL; and
 * any <link>, <script> or @import. NULL when there is none. The SVG xmlns
 * attributes name namespaces and load nothing, so they are not looked at. */
static char *first_resource(const char *html)
{
    static const char *const attrs[] = { "src=", "href=", "url(" };
    for (size_t i = 0; i < 3; i++)
        for (const char *at = html; (at = strcasestr(at, attrs[i])); at++) {
            const char *v = at + strlen(attrs[i]);
            if (i < 2 && !isspace((unsigned char)at[-1]) && at[-1] != ':')
                continue;  /* part of a longer word, e.g. data-src= */
            if (*v == '"' || *v == '\'')
                v++;
            if (*v != '#' && strncmp(v, "data:", 5))
                return strndup(at, 60);
        }
    static const char *const tags[] = { "<link", "<script", "@import", "<iframe", "<object", "<embed" };
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++)
        if (strcasestr(html, tags[i]))
            return strdup(tags[i]);
    return NULL;
}

/* Checks the report of `dir` and that `railmail report` writes it again
 * byte for byte (and keeps it in the marker). */
static void check_report(const char *dir, const char *const *expect, size_t n)
{
    char *html = report_of(dir), *bad = first_resource(html);
    cr_assert_null(bad, "%s/report.html loads a resource: %s", dir, bad);
    cr_assert(strstr(html, "Content-Security-Policy") && strstr(html, "default-src 'none'"));
    /* No address anywhere inside markup: the inline SVG keeps no xmlns (a
     * namespace name, not a resource, but an address all the same). An
     * address in escaped text (a description citing its source) is text. */
    bool in_tag = false;
    for (const char *c = html; *c; c++) {
        in_tag = *c == '<' ? true : *c == '>' ? false : in_tag;
        cr_assert(!in_tag || strncmp(c, "://", 3), "an address in markup: %.80s", c > html + 40 ? c - 40 : html);
    }
    for (size_t i = 0; i < n; i++)
        cr_assert(strstr(html, expect[i]), "%s/report.html lacks \"%s\"", dir, expect[i]);
    cr_assert(in_marker(dir, "report.html"), "report.html is not in %s/.railmail-results", dir);
    char *path = e2e_format("%s/report.html", dir);
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(e2e_runf(NULL, NULL, "report %s", dir), 0);
    char *again = report_of(dir);
    cr_assert_str_eq(again, html, "railmail report wrote another page for %s", dir);
    cr_assert(in_marker(dir, "report.html"));
    free(again);
    free(path);
    free(html);
}

/* The page's visible text: no tags, no style sheet, no chart. */
static char *visible_text(const char *html)
{
    char *text = strdup(html), *out = text;
    cr_assert(text);
    for (const char *c = html; *c;) {
        const char *skip[][2] = {{"<style", "</style>"}, {"<svg", "</svg>"}};
        bool skipped = false;
        for (size_t i = 0; i < 2 && !skipped; i++)
            if (!strncmp(c, skip[i][0], strlen(skip[i][0]))) {
                const char *end = strstr(c, skip[i][1]);
                c = end ? end + strlen(skip[i][1]) : c + strlen(c);
                skipped = true;
            }
        if (skipped)
            continue;
        if (*c == '<') {
            const char *end = strchr(c, '>');
            c = end ? end + 1 : c + strlen(c);
            *out++ = ' ';
            continue;
        }
        *out++ = *c++;
    }
    *out = '\0';
    return text;
}

/* Whether `word` stands as a word (not inside a longer one) in `text`. */
static bool has_word(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *at = text; (at = strcasestr(at, word)); at += n)
        if ((at == text || !isalpha((unsigned char)at[-1])) && !isalpha((unsigned char)at[n]))
            return true;
    return false;
}

/* The summary comes first and the glossary is there; no internal words. */
static void check_plain(const char *dir)
{
    char *html = report_of(dir), *text = visible_text(html);
    const char *summary = strstr(html, "<h2>Summary</h2>"), *detail = strstr(html, "<h2>The question</h2>");
    cr_assert(summary && detail && summary < detail, "%s: no summary before the detail", dir);
    cr_assert(strstr(html, "<h2 id=\"words\">Words used</h2>") && strstr(html, "href=\"#words\""), "%s: no glossary",
              dir);
    static const char *const jargon[] = {"arm", "arms"};
    for (size_t i = 0; i < sizeof jargon / sizeof *jargon; i++)
        cr_assert_not(has_word(text, jargon[i]), "%s: \"%s\" in the page's text", dir, jargon[i]);
    free(text);
    free(html);
}

Test(html, run_compare_and_sweep_write_a_self_contained_report_that_report_writes_again, .timeout = 300)
{
    char *s = e2e_copy("tests/fixtures/scenario-mini"), *t = e2e_tmpdir();
    e2e_mkdir(s, "proposals");
    e2e_mkdir(s, "proposals/faster");
    e2e_write(s, "proposals/faster/services.csv",
              "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h,cost_per_train\n"
              "CQ-BRS,CQ>AKZ>BRS,7,10.5,41.5,6,125000\n");
    e2e_write(s, "proposals/faster/description.txt", "faster: seven trains a week from Chongqing. More words.\n");
    e2e_mkdir(s, "proposals/growth");  /* a forecast: what if mail doubles */
    e2e_write(s, "proposals/growth/scenario.csv", "key,value\nkind,forecast\n");
    e2e_write(s, "proposals/growth/demand.csv", "origin,destination,batches_per_day,kg_per_batch,growth_pct_per_year\n"
                                                "CQ,WAW,25,\"lognormal(25.5,0.3)\",8.5\n");
    e2e_write(s, "proposals/growth/description.txt", "growth: twice the mail to Warsaw.\n");

    cr_assert_eq(e2e_runf(NULL, NULL, "run %s -r 3 -q -o %s/run", s, t), 0);
    char *run = e2e_format("%s/run", t);
    const char *run_expect[] = { "<h2>Summary</h2>", "Batches on time: ", "EMD scan", "<h2>Results for the whole network</h2>", "<h2>Results per origin and destination</h2>",
                                 "<h2>Results by month of posting</h2>", "<figure>", "<svg", "Chongqing",
                                 "<h2>Where the time goes</h2>", "in motion, on legs without a mode",
                                 "inward office of exchange (EMD)", "<h2>How this report was made</h2>", "SHA-256" };
    check_report(run, run_expect, sizeof run_expect / sizeof *run_expect);
    check_plain(run);

    cr_assert_eq(e2e_runf(NULL, NULL, "compare %s -r 3 -q -o %s/cmp", s, t), 0);
    char *cmp = e2e_format("%s/cmp", t);
    const char *cmp_expect[] = { "<h2>Levels: baseline and proposals</h2>", "<h2>Differences and verdicts</h2>",
                                 "How to read a verdict", "seven trains a week from Chongqing.", "faster", "<svg",
                                 "against 1 option and 1 forecast", "<b>faster</b> does best on ",
                                 "<b>What if</b> twice the mail to Warsaw (growth): ", "forecast, what if:",
                                 "<dt>Holm&#39;s correction</dt>", "no practical difference", "EMD scan" };
    check_report(cmp, cmp_expect, sizeof cmp_expect / sizeof *cmp_expect);
    check_plain(cmp);
    /* the forecast is never the best option */
    char *html = report_of(cmp);
    cr_assert_null(strstr(html, "<b>growth</b> does best"));
    free(html);
    /* its kind is read back from its folder, checked */
    e2e_sh("sed -i 's/^scenario_kind,forecast$/scenario_kind,maybe/' '%s/growth/meta.csv'", cmp);
    char *err = e2e_format("%s/err", t), *msg = NULL;
    cr_assert_eq(e2e_runf(NULL, err, "report %s", cmp), 2);
    msg = e2e_slurp(err);
    cr_assert(msg && strstr(msg, "growth/meta.csv:") && strstr(msg, ":2: scenario_kind: expected decision or "
                                                                     "forecast, got \"maybe\""), "%s", msg);
    free(msg);
    free(err);

    cr_assert_eq(e2e_runf(NULL, NULL, "sweep %s -r 3 -q --no-plot -o %s/sw --vary services.CQ-BRS.departures_per_week=2,3 "
                          "--target 'on_time_pct>=1'", s, t), 0);
    char *sw = e2e_format("%s/sw", t);
    const char *sw_expect[] = { "<h2>Summary</h2>", "<h2>Results at each setting</h2>", "services.CQ-BRS.departures_per_week",
                                "Target batches on time &gt;= 1 at all", "--no-plot: no charts" };
    check_report(sw, sw_expect, sizeof sw_expect / sizeof *sw_expect);
    check_plain(sw);

    /* A report of something that is not results is an input error. */
    cr_assert_eq(e2e_runf(NULL, NULL, "report %s", s), 2);
    free(run);
    free(cmp);
    free(sw);
    e2e_rmtree(t);
    e2e_rmtree(s);
}

/* A scenario whose names and description are markup, with quotes and a
 * line end; a proposal whose directory name is markup. */
static char *hostile_scenario(void)
{
    char *s = e2e_copy("tests/fixtures/scenario-mini");
    e2e_write(s, "scenario.csv",
              "key,value\nname,\"<script>alert('n')<script> \"\"q\"\" & y\"\n"
              "description,\"A <b>bold</b> \"\"test\"\" &\n<img src=x onerror=alert(1)>\"\n"
              "horizon_d,120.5\nwarmup_d,14\nreplications,3\nseed,42\nservice_standard_d,18\nconfidence,0.9\n");
    e2e_write(s, "nodes.csv",
              "id,name,country,kind,servers,dwell_h,scan\nCQ,Chongqing,CN,origin,,fixed(2.5),1\n"
              "AKZ,Altynkol,KZ,border,2,\"lognormal(8.5,0.4)\",1\n"
              "BRS,\"<img src=x onerror=alert(2)> Brest \"\"q\"\"\",BY,hub,3,\"gamma(12.25,0.5)\",1\n"
              "WAW,Warsaw,PL,destination,,fixed(3.75),0\n");
    e2e_mkdir(s, "proposals");
    e2e_mkdir(s, "proposals/<b onmouseover='x'>\"p\"");
    e2e_write(s, "proposals/<b onmouseover='x'>\"p\"/services.csv",
              "id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h,cost_per_train\n"
              "CQ-BRS,CQ>AKZ>BRS,7,10.5,41.5,6,125000\n");
    e2e_write(s, "proposals/<b onmouseover='x'>\"p\"/description.txt", "<script>more</script> trains. Rest.\n");
    return s;
}

Test(html, hostile_names_are_escaped, .timeout = 120)
{
    char *s = hostile_scenario(), *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "compare '%s' -q -o %s/cmp", s, t), 0);
    char *cmp = e2e_format("%s/cmp", t), *html = report_of(cmp);
    static const char *const raw[] = { "<script", "<img", "<b onmouseover", "<b>bold" };
    for (size_t i = 0; i < sizeof raw / sizeof *raw; i++)
        cr_assert_null(strcasestr(html, raw[i]), "raw markup from the inputs: %s", raw[i]);
    cr_assert(strstr(html, "<h1>&lt;script&gt;alert(&#39;n&#39;)&lt;script&gt; &quot;q&quot; &amp; y</h1>"));
    cr_assert(strstr(html, "&lt;img src=x onerror=alert(2)&gt; Brest &quot;q&quot;"));
    cr_assert(strstr(html, "<td>&lt;b onmouseover=&#39;x&#39;&gt;&quot;p&quot;</td>"));
    free(html);
    free(cmp);
    e2e_rmtree(t);
    e2e_rmtree(s);
}

/* ---- a real browser ---- */

static bool have(const char *cmd)
{
    char *sh = e2e_format("command -v %s >/dev/null 2>&1", cmd);
    int rc = system(sh);
    free(sh);
    return rc == 0;
}

/* Runs headless Chromium on file `page` with `what` (e.g. --dump-dom),
 * stdout into `out`, stderr (its log) into `log`; a fresh profile each
 * time, no background traffic, at most 60 s. The exit status. */
static int chromium(const char *page, const char *what, const char *out, const char *log)
{
    char *profile = e2e_tmpdir();
    char *cmd = e2e_format("timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking "
                           "--disable-component-update --disable-sync --no-first-run --user-data-dir=%s "
                           "--enable-logging=stderr --v=0 %s 'file://%s' >'%s' 2>'%s'",
                           profile, what, page, out, log);
    int rc = system(cmd);
    free(cmd);
    e2e_rmtree(profile);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The first line of Chromium's log where the page spoke to the console
 * (an error, a refused load) or threw; NULL when there is none. */
static char *console_line(const char *log)
{
    char *text = e2e_slurp(log), *line = NULL;
    cr_assert(text);
    for (char *l = strtok(text, "\n"); l && !line; l = strtok(NULL, "\n"))
        if (strstr(l, ":CONSOLE") || strstr(l, "Uncaught"))
            line = strdup(l);
    free(text);
    return line;
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *at = text; (at = strstr(at, what)); at += strlen(what))
        n++;
    return n;
}

Test(html, renders_in_headless_chromium_without_console_errors_to_a_screenshot_and_a_pdf, .timeout = 300)
{
    if (!have("chromium") || !have("pdfinfo")) {
        printf("html: skipped the browser test: %s not found (make deps installs chromium and poppler-utils)\n",
               have("chromium") ? "pdfinfo" : "chromium");
        cr_skip_test("chromium or pdfinfo not found");
    }
    char *s = hostile_scenario(), *t = e2e_tmpdir();
    cr_assert_eq(e2e_runf(NULL, NULL, "compare '%s' -q -o %s/cmp", s, t), 0);
    char *page = e2e_format("%s/cmp/report.html", t), *out = e2e_format("%s/out", t), *log = e2e_format("%s/log", t);

    /* The detector sees a refused load, so silence below means something. */
    char *bad = e2e_format("%s/bad.html", t);
    e2e_write(t, "bad.html", "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv="
                             "\"Content-Security-Policy\" content=\"default-src 'none'\"></head><body>"
                             "<img src=\"https://example.invalid/x.png\"></body></html>");
    cr_assert_eq(chromium(bad, "--dump-dom", out, log), 0);
    char *line = console_line(log);
    cr_assert(line, "chromium logged no console line for a page with a refused load");
    free(line);

    cr_assert_eq(chromium(page, "--dump-dom", out, log), 0);
    line = console_line(log);
    cr_assert_null(line, "console: %s", line);
    char *dom = e2e_slurp(out);
    cr_assert(dom);
    cr_assert_geq(count(dom, "<table"), 6, "tables in the DOM: %zu", count(dom, "<table"));
    cr_assert_geq(count(dom, "<figure>"), 2, "figures in the DOM: %zu", count(dom, "<figure>"));
    cr_assert_geq(count(dom, "<svg"), 2);
    cr_assert(strstr(dom, "<h2>Differences and verdicts</h2>"));
    cr_assert_null(strcasestr(dom, "<script"), "a script element in the DOM");
    free(dom);

    char *png = e2e_format("%s/shot.png", t), *what = e2e_format("--window-size=1000,1400 --screenshot=%s", png);
    cr_assert_eq(chromium(page, what, out, log), 0);
    line = console_line(log);
    cr_assert_null(line, "console: %s", line);
    FILE *f = fopen(png, "rb");
    unsigned char magic[8] = { 0 };
    cr_assert(f, "no screenshot");
    cr_assert_eq(fread(magic, 1, 8, f), 8);
    fclose(f);
    cr_assert(!memcmp(magic, "\x89PNG\r\n\x1a\n", 8), "the screenshot is not a PNG");

    char *pdf = e2e_format("%s/report.pdf", t);
    free(what);
    what = e2e_format("--no-pdf-header-footer --print-to-pdf=%s", pdf);
    cr_assert_eq(chromium(page, what, out, log), 0);
    char *cmd = e2e_format("pdfinfo '%s' | sed -n 's/^Pages: *//p' > '%s'", pdf, out);
    e2e_sh("%s", cmd);
    char *pages = e2e_slurp(out);
    cr_assert(pages && atoi(pages) >= 1, "pdfinfo pages: %s", pages ? pages : "(none)");
    free(pages);
    free(cmd);
    free(pdf);
    free(what);
    free(png);
    free(bad);
    free(page);
    free(out);
    free(log);
    e2e_rmtree(t);
    e2e_rmtree(s);
}
