/* Tests for report's per-origin, per-path and per-pair results, end to end:
 * railmail runs a short fixed-seed simulation and a Python script reads the
 * CSVs back and checks each promise against the replications themselves. */
#include "e2e.h"

/* Runs `script` (Python, reading the results directory as argv[1]) and
 * fails with what it printed when it exits non-zero. */
static void check_with_python(const char *t, const char *out, const char *script)
{
    char path[4200], cmd[9000];
    snprintf(path, sizeof path, "%s/check.py", t);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("import csv, os, sys\nout = sys.argv[1]\n"
          "def rows(name):\n"
          "    with open(os.path.join(out, name), newline='', encoding='utf-8') as f:\n"
          "        return list(csv.DictReader(f))\n", f);
    fputs(script, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' 2>&1", path, out);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    char why[4096] = "";
    size_t got = fread(why, 1, sizeof why - 1, p);
    why[got] = '\0';
    cr_assert_eq(pclose(p), 0, "%s", why);
}

/* One run of the default scenario shared by the tests of a process. */
static char *default_run(char **t)
{
    *t = e2e_tmpdir();
    char args[4400], *out = malloc(4200);
    cr_assert(out);
    snprintf(out, 4200, "%s/r", *t);
    snprintf(args, sizeof args, "run scenarios/china-europe-via-belarus -r 3 -d 150 --batches -o %s -q", out);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    return out;
}

Test(report, origin_on_time_is_the_weighted_mean_of_its_pairs, .timeout = 120)
{
    char *t, *out = default_run(&t);
    /* on_time_pct's denominator is delivered + still on the way past the
     * standard (model.c put_batch_scope), counted here from batches.csv. */
    check_with_python(t, out,
        "warmup_h, horizon_h, late_h = 28 * 24, 150 * 24, (150 - 18) * 24\n"
        "weight = {}\n"
        "for b in rows('batches.csv'):\n"
        "    posted = float(b['posted_h'])\n"
        "    if posted < warmup_h:\n"
        "        continue\n"
        "    if b['delivered_h'] or posted < late_h:\n"
        "        k = (b['replication'], b['origin'], b['destination'])\n"
        "        weight[k] = weight.get(k, 0) + 1\n"
        "value = {(r['replication'], r['metric'], r['scope']): float(r['value']) for r in rows('replications.csv')}\n"
        "origins = {o for (_, o, _) in weight}\n"
        "assert len(origins) == 4, origins\n"
        "checked = 0\n"
        "for rep in ('1', '2', '3'):\n"
        "    for o in origins:\n"
        "        num = den = 0\n"
        "        for (r, oo, d), w in weight.items():\n"
        "            if r == rep and oo == o:\n"
        "                num += value[(rep, 'on_time_pct', 'od:%s-%s' % (o, d))] * w\n"
        "                den += w\n"
        "        got = value[(rep, 'on_time_pct', 'origin:' + o)]\n"
        "        assert abs(got - num / den) < 1e-4 * max(1, got), (rep, o, got, num / den)\n"
        "        checked += 1\n"
        "assert checked == 12\n");
    e2e_rmtree(t);
    free(out);
}

Test(report, paths_and_origins_partition_the_batches, .timeout = 120)
{
    char *t, *out = default_run(&t);
    check_with_python(t, out,
        "value = {}\n"
        "for r in rows('replications.csv'):\n"
        "    if r['metric'] == 'posted_batches':\n"
        "        value[(r['replication'], r['scope'])] = float(r['value'])\n"
        "for rep in ('1', '2', '3'):\n"
        "    total = value[(rep, 'all')]\n"
        "    for kind in ('path:', 'origin:', 'od:', 'dest:'):\n"
        "        part = sum(v for (r, s), v in value.items() if r == rep and s.startswith(kind))\n"
        "        assert part == total, (rep, kind, part, total)\n"
        "# each path scope is the services its batches rode, as batches.csv lists them\n"
        "paths = {s[5:] for (_, s) in value if s.startswith('path:')}\n"
        "rode = {b['services'] for b in rows('batches.csv') if b['delivered_h']}\n"
        "assert rode <= paths and len(paths) == 32, (sorted(rode - paths), len(paths))\n");
    e2e_rmtree(t);
    free(out);
}

Test(report, pairs_csv_and_heat_map_have_one_cell_per_pair_with_mail, .timeout = 120)
{
    char *t, *out = default_run(&t);
    check_with_python(t, out,
        "pairs = rows('pairs.csv')\n"
        "summary = {(r['metric'], r['scope']): r for r in rows('summary.csv')}\n"
        "assert len(pairs) == 32, len(pairs)\n"
        "for p in pairs:\n"
        "    s = summary[('on_time_pct', 'od:%s-%s' % (p['origin'], p['destination']))]\n"
        "    assert (p['on_time_pct'], p['on_time_pct_ci_low'], p['on_time_pct_ci_high']) == "
        "(s['mean'], s['ci_low'], s['ci_high']), p\n"
        "    s = summary[('transit_p95_d', 'od:%s-%s' % (p['origin'], p['destination']))]\n"
        "    assert p['transit_p95_d'] == s['mean'], p\n"
        "    assert p['posted'] == summary[('posted_batches', 'od:%s-%s' % (p['origin'], p['destination']))]['mean']\n"
        "gp = open(os.path.join(out, 'pairs.gp')).read()\n"
        "cells = gp.split('$cells << EOD\\n')[1].split('EOD\\n')[0].splitlines()\n"
        "carrying = [p for p in pairs if float(p['posted'] or 0) > 0]\n"
        "assert len(cells) == len(carrying) == 32, (len(cells), len(carrying))\n"
        "assert len({tuple(c.split(',')[:2]) for c in cells}) == len(cells)\n"
        "assert os.path.getsize(os.path.join(out, 'pairs.png')) > 0 or 'gnuplot' not in os.environ.get('PATH', 'gnuplot')\n");
    e2e_rmtree(t);
    free(out);
}
