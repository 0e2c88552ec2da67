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
    /* on_time_pct's denominator is every batch posted after the warm-up,
     * delivered or still on the way at the end of the run-out (model.c
     * put_batch_scope), counted here from batches.csv. */
    check_with_python(t, out,
        "warmup_h = 28 * 24\n"
        "weight = {}\n"
        "for b in rows('batches.csv'):\n"
        "    if float(b['posted_h']) >= warmup_h:\n"
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

/* ---- monthly.csv ----------------------------------------------------------- */

Test(report, malaszewicze_2021_brest_wait_rises_month_by_month_from_april, .timeout = 180)
{
    char *t = e2e_tmpdir(), args[4400], out[4200];
    snprintf(out, sizeof out, "%s/r", t);
    snprintf(args, sizeof args, "run scenarios/malaszewicze-2021 -r 3 -o %s -q --no-plot", out);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    /* the scenario README's hand table: Apr 0.5 d ... Dec 12.4 d */
    check_with_python(t, out,
        "wait = {r['month']: float(r['mean']) / 24 for r in rows('monthly.csv')\n"
        "        if r['metric'] == 'train_queue_wait_h' and r['scope'] == 'node:BRS'}\n"
        "months = ['2021-%02d' % m for m in range(4, 13)]\n"
        "assert sorted(wait) == ['2021-%02d' % m for m in range(1, 13)], sorted(wait)\n"
        "assert all(wait[a] < wait[b] for a, b in zip(months, months[1:])), wait\n"
        "assert wait['2021-03'] < 0.5 and wait['2021-04'] < 1.5 and 10 < wait['2021-12'] < 16, wait\n"
        "first_week = min(m for m in months if wait[m] > 7)\n"
        "assert first_week == '2021-08', wait\n");
    e2e_rmtree(t);
}

Test(report, a_year_from_2024_01_01_has_twelve_posting_months_that_match_batches_csv, .timeout = 180)
{
    char *t = e2e_tmpdir(), args[4400], out[4200];
    snprintf(out, sizeof out, "%s/r", t);
    snprintf(args, sizeof args, "run scenarios/china-europe-via-belarus -r 2 --batches -o %s -q --no-plot", out);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    check_with_python(t, out,
        "import datetime\n"
        "monthly = rows('monthly.csv')\n"
        "months = sorted({r['month'] for r in monthly if r['metric'] == 'posted_batches'})\n"
        "assert months == ['2024-%02d' % m for m in range(1, 13)], months\n"
        "for metric in ('posted_batches', 'delivered_batches', 'on_time_pct', 'transit_mean_d', 'transit_p50_d',\n"
        "               'transit_p95_d', 'throughput_t_per_d', 'max_backlog_batches'):\n"
        "    assert any(r['metric'] == metric and r['scope'] == 'all' for r in monthly), metric\n"
        "assert any(r['metric'] == 'on_time_pct' and r['scope'].startswith('origin:') for r in monthly)\n"
        "assert any(r['metric'] == 'transit_p95_d' and r['scope'] == 'od:CQ-DE' for r in monthly)\n"
        "assert any(r['metric'] == 'train_queue_wait_h' and r['scope'] == 'node:BRS' for r in monthly)\n"
        "# posted per month after the 28-day warm-up, counted from batches.csv, per replication\n"
        "count = {}\n"
        "for b in rows('batches.csv'):\n"
        "    h = float(b['posted_h'])\n"
        "    if h < 28 * 24:\n"
        "        continue\n"
        "    month = (datetime.date(2024, 1, 1) + datetime.timedelta(hours=h)).strftime('%Y-%m')\n"
        "    for scope in ('all', 'od:%s-%s' % (b['origin'], b['destination'])):\n"
        "        count[(month, scope)] = count.get((month, scope), 0) + 1\n"
        "checked = 0\n"
        "for r in monthly:\n"
        "    if r['metric'] == 'posted_batches' and (r['scope'], r['month']) in (('all', '2024-05'), ('all', '2024-01'),\n"
        "                                                                 ('od:CQ-DE', '2024-09')):\n"
        "        assert float(r['mean']) * 2 == count[(r['month'], r['scope'])], (r, count[(r['month'], r['scope'])])\n"
        "        checked += 1\n"
        "assert checked == 3\n"
        "# summary.csv and replications.csv hold no monthly rows\n"
        "assert len(rows('summary.csv')) == len({(r['metric'], r['scope']) for r in rows('summary.csv')})\n");
    e2e_rmtree(t);
}

Test(report, compare_writes_the_paired_differences_by_month, .timeout = 180)
{
    char *t = e2e_tmpdir(), args[4400], out[4200];
    snprintf(out, sizeof out, "%s/c", t);
    snprintf(args, sizeof args, "compare scenarios/china-europe-via-belarus ecommerce-growth -r 3 -d 120 -o %s -q --no-plot",
             out);
    cr_assert_eq(e2e_run(args, NULL, NULL), 0);
    check_with_python(t, out,
        "rows_ = rows('compare_monthly.csv')\n"
        "months = sorted({r['month'] for r in rows_})\n"
        "assert months == ['2024-01', '2024-02', '2024-03', '2024-04'], months\n"
        "base = {(r['month'], r['metric'], r['scope']): float(r['mean'])\n"
        "        for r in csv.DictReader(open(os.path.join(out, 'baseline', 'monthly.csv')))}\n"
        "for r in rows_:\n"
        "    if r['metric'] == 'posted_batches' and r['scope'] == 'all':\n"
        "        assert float(r['baseline_mean']) == base[(r['month'], 'posted_batches', 'all')], r\n"
        "        assert float(r['proposal_mean']) > float(r['baseline_mean']), r\n"
        "assert not any(r['metric'] == 'posted_batches' and r['scope'] == 'all' and 'month' in r\n"
        "               for r in rows('compare.csv'))\n"
        "assert len(rows('compare.csv')) == len({(r['proposal'], r['metric'], r['scope']) for r in rows('compare.csv')})\n");
    e2e_rmtree(t);
}
