/* gnuplot: scripts saved beside their pictures, terminals, and what becomes
 * of gnuplot's failures. Fake gnuplots are shell scripts alone on PATH, so
 * they use shell builtins only; Criterion runs each test in its own
 * process, so PATH changes stay inside. */
#include "railmail/gnuplot.h"

#include "e2e.h"

static char *dir, *bin;
static struct diag *d;
static struct gnuplot g;

static char *path_of(const char *in, const char *name)
{
    static char path[192];
    snprintf(path, sizeof path, "%s/%s", in, name);
    return path;
}

static void make_dirs(void)
{
    dir = e2e_tmpdir();
    bin = e2e_tmpdir();
    d = diag_create();
}

static void remove_dirs(void)
{
    e2e_rmtree(dir);
    e2e_rmtree(bin);
}

TestSuite(gnuplot, .init = make_dirs, .fini = remove_dirs);

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s was not written", path);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* Puts a fake gnuplot with this shell body alone on PATH. */
static void fake_gnuplot(const char *body)
{
    e2e_write(bin, "gnuplot", body);
    cr_assert_eq(chmod(path_of(bin, "gnuplot"), 0755), 0);
    setenv("PATH", bin, 1);
}

/* Draws chart "c" into g with a body that plots a function (no data files). */
static enum rm_status draw_c(enum gnuplot_terminal terminal)
{
    struct strbuf body = {0};
    strbuf_printf(&body, "plot sin(x) title 'sine'\n");
    gnuplot_init(&g, dir, terminal);
    enum rm_status st = gnuplot_draw(&g, "c", &body, d);
    strbuf_fini(&body);
    return st;
}

Test(gnuplot, png_script_is_saved_beside_its_picture)
{
    cr_assert_eq(draw_c(GNUPLOT_PNG), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    cr_assert(g.found);
    cr_assert_eq(g.written, 1);
    cr_assert_eq(g.drawn, 1);
    cr_assert_str_eq(read_text(path_of(dir, "c.gp")),
                     "# c.gp: draws c.png from the CSV files in this directory.\n"
                     "# Redraw with: cd <this directory> && gnuplot c.gp\n"
                     "set terminal pngcairo size 1200,700 font 'Sans,11' noenhanced\n"
                     "set output 'c.png'\nplot sin(x) title 'sine'\nunset output\n");
    cr_assert_eq(memcmp(read_text(path_of(dir, "c.png")), "\x89PNG", 4), 0);
    cr_assert_neq(access(path_of(dir, "c.png.tmp"), F_OK), 0);
}

Test(gnuplot, svg_terminal_draws_an_svg)
{
    cr_assert_eq(draw_c(GNUPLOT_SVG), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    cr_assert_eq(g.drawn, 1);
    const char *gp = read_text(path_of(dir, "c.gp"));
    cr_assert_not_null(strstr(gp, "set terminal svg size 1200,700"));
    cr_assert_not_null(strstr(gp, "set output 'c.svg'\n"));
    cr_assert_not_null(strstr(read_text(path_of(dir, "c.svg")), "<svg"));
    cr_assert_neq(access(path_of(dir, "c.png"), F_OK), 0);
}

Test(gnuplot, a_shell_without_gnuplot_leaves_the_script_only)
{
    fake_gnuplot("#!/bin/sh\nexit 127\n");
    cr_assert_eq(draw_c(GNUPLOT_PNG), RM_OK);
    cr_assert_not(g.found);
    cr_assert_eq(g.written, 1);
    cr_assert_eq(g.drawn, 0);
    cr_assert_eq(diag_count(d), 0);
}

Test(gnuplot, long_complaints_keep_their_last_600_characters)
{
    /* 40 lines of 29 characters, each under a caret line that is dropped */
    fake_gnuplot("#!/bin/sh\nwhile read -r line; do :; done\ni=10\n"
                 "while [ $i -lt 50 ]; do\n"
                 "    echo \"  line $i: undefined variable\" >&2; echo '     ^' >&2; i=$((i + 1))\n"
                 "done\nexit 2\n");
    cr_assert_eq(draw_c(GNUPLOT_PNG), RM_ERUN);
    const char *m = diag_message(d, 0), *want = "gnuplot failed drawing c.png (exit status 2): ...";
    cr_assert_eq(strncmp(m, want, strlen(want)), 0, "%s", m);
    cr_assert_eq(strlen(m), strlen(want) + 600, "%s", m);
    const char *last = "; line 49: undefined variable";
    cr_assert_str_eq(m + strlen(m) - strlen(last), last);
    cr_assert_null(strstr(m, "^"));
    cr_assert_neq(access(path_of(dir, "c.png"), F_OK), 0);
}

Test(gnuplot, a_killed_gnuplot_is_named_with_its_signal)
{
    fake_gnuplot("#!/bin/sh\nwhile read -r line; do :; done\necho 'out of patience' >&2\nkill -9 $$\n");
    cr_assert_eq(draw_c(GNUPLOT_PNG), RM_ERUN);
    cr_assert_str_eq(diag_message(d, 0), "gnuplot was killed by signal 9 while drawing c.png: out of patience");
}

Test(gnuplot, a_body_out_of_memory_writes_nothing)
{
    struct strbuf body = {0};
    strbuf_printf(&body, "plot x\n");
    body.oom = true;
    gnuplot_init(&g, dir, GNUPLOT_PNG);
    cr_assert_eq(gnuplot_draw(&g, "c", &body, d), RM_ENOMEM);
    cr_assert_str_eq(diag_message(d, 0), "out of memory writing c.gp");
    cr_assert_eq(g.written, 0);
    cr_assert_neq(access(path_of(dir, "c.gp"), F_OK), 0);
    strbuf_fini(&body);
}

/* Issue 23: the old temporary names were fixed (c.gp.tmp, c.png.tmp), so a
 * link planted there made railmail write through it into another file. */
Test(gnuplot, a_link_at_a_temporary_name_is_not_written_through)
{
    e2e_write(bin, "victim", "keep me\n");
    char victim[192];
    snprintf(victim, sizeof victim, "%s", path_of(bin, "victim"));
    cr_assert_eq(symlink(victim, path_of(dir, "c.gp.tmp")), 0);
    cr_assert_eq(symlink(victim, path_of(dir, "c.png.tmp")), 0);
    cr_assert_eq(draw_c(GNUPLOT_PNG), RM_OK, "%s", diag_count(d) ? diag_message(d, 0) : "");
    cr_assert_str_eq(read_text(path_of(bin, "victim")), "keep me\n");
    cr_assert_eq(memcmp(read_text(path_of(dir, "c.png")), "\x89PNG", 4), 0);
}

/* gnuplot exits 0 after a write error (a full disk): a picture that does
 * not end as its format does must not replace the old one. */
Test(gnuplot, an_incomplete_picture_keeps_the_old_one)
{
    e2e_write(dir, "c.png", "old picture\n");
    e2e_write(dir, "c.svg", "old drawing\n");
    /* writes a PNG signature and no IEND, or an SVG without its end, to the file of `set output` */
    fake_gnuplot("#!/bin/sh\nwhile read -r line; do case \"$line\" in \"set output '\"*) out=${line#set output \\'}; "
                 "out=${out%\\'};; esac; done\n"
                 "case \"$out\" in *.png.*) printf '\\211PNG\\r\\n' > \"$out\";; *) printf '<svg><g>' > \"$out\";; esac\n"
                 "exit 0\n");
    cr_assert_eq(draw_c(GNUPLOT_PNG), RM_EIO);
    cr_assert(strstr(diag_message(d, 0), "c.png: cannot write: "), "%s", diag_message(d, 0));
    cr_assert_str_eq(read_text(path_of(dir, "c.png")), "old picture\n");
    diag_clear(d);
    cr_assert_eq(draw_c(GNUPLOT_SVG), RM_EIO);
    cr_assert_str_eq(read_text(path_of(dir, "c.svg")), "old drawing\n");
    /* nothing left behind but the scripts and the old pictures */
    DIR *dp = opendir(dir);
    cr_assert_not_null(dp);
    struct dirent *e;
    while ((e = readdir(dp)))
        cr_assert(e->d_name[0] == '.' || !strcmp(e->d_name, "c.gp") || !strcmp(e->d_name, "c.png")
                  || !strcmp(e->d_name, "c.svg"), "left behind: %s", e->d_name);
    closedir(dp);
}
