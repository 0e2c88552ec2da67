#!/usr/bin/env python3
"""Runs the commands a document shows and checks that they still print what
it shows, so that the guide cannot go stale (issue 24).

    python3 tests/guide_check.py RAILMAIL FILE...            check
    python3 tests/guide_check.py --update RAILMAIL FILE...   rewrite the outputs
    python3 tests/guide_check.py --links FILE...             check links

Every ```console block of FILE is run, top to bottom, as a reader would: a
line beginning with "$ " is a command, run by sh; the lines after it, up to
the next command, are what it prints (stdout and stderr through one pipe).
A line "..." stands for any number of lines that are not shown. ```sh and
other blocks are shown but never run.

Each FILE runs in a fresh temporary directory holding a copy of scenarios/,
tests/ as a link to the checkout's (tests/bad/... for validate), and
./railmail (also on PATH as railmail) as a link to RAILMAIL, so that
results/... and every other path the commands write stays in that directory.
RAILMAIL_SCENARIOS is unset and the locale is C.

Lines are compared with runs of blanks as one blank, so that a table whose
figures change width still matches, and with numbers compared by value: a
whole number exactly, a number with a decimal point within one unit of its
last printed digit or a relative 1e-6, whichever is larger, so that a value
rounded the other way on another machine's libm is no failure. Words,
identifiers and the order of lines must match exactly. Paths into the
temporary directory are shown relative to it.

--update replaces each command's shown output with what it prints now,
keeping every "..." where it was (found by the lines around it with their
numbers masked); review the diff before committing it.

--links checks every relative link and image of each FILE as a forge shows
it: the file or folder it names exists, and its #anchor is a heading of the
Markdown file it names (lower case, punctuation but - and _ dropped, blanks
as -, as GitHub and GitLab make them).

Exits 1 on any difference (check), a block it cannot align (update) or a
broken link (links), 2 on bad usage."""
import os, re, shutil, subprocess, sys, tempfile

NUMBER = re.compile(r'\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')
ELISION = '...'


def blocks(text):
    """The ```console blocks of a document: (first line index, last line
    index exclusive) of their bodies in text.splitlines()."""
    lines = text.splitlines()
    found, i = [], 0
    while i < len(lines):
        m = re.match(r'^(\s*)(```+)\s*(\S*)', lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.group(2), m.group(3)
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            j += 1
        if lang == 'console':
            found.append((i + 1, j))
        i = j + 1
    return found


def steps(lines):
    """A block's commands, each with its shown output: [(command, [lines])]."""
    out = []
    for ln in lines:
        if ln.startswith('$ '):
            out.append((ln[2:], []))
        elif ln.startswith('> ') and out and not out[-1][1]:
            out[-1] = (out[-1][0] + '\n' + ln[2:], [])
        elif out:
            out[-1][1].append(ln)
        elif ln.strip():
            raise ValueError(f'output before any command: {ln!r}')
    return out


def tokens(line):
    """A line as words and numbers, with runs of blanks as one blank."""
    line = ' '.join(line.split())
    parts, at = [], 0
    for m in NUMBER.finditer(line):
        if m.start() > at:
            parts.append(('w', line[at:m.start()]))
        parts.append(('n', m.group(0)))
        at = m.end()
    if at < len(line):
        parts.append(('w', line[at:]))
    return parts


def close(shown, got):
    a, b = float(shown), float(got)
    if '.' not in shown and 'e' not in shown.lower():
        return shown == got
    decimals = len(shown.split('.')[1].split('e')[0].split('E')[0]) if '.' in shown else 0
    tol = max(10.0 ** -decimals if decimals else 0.0, 1e-6 * max(abs(a), abs(b)))
    return abs(a - b) <= tol * (1 + 1e-9)


def same(shown, got):
    """Whether a printed line matches the shown one (numbers with tolerance)."""
    s, g = tokens(shown), tokens(got)
    if len(s) != len(g):
        return False
    for (ks, vs), (kg, vg) in zip(s, g):
        if ks != kg or (ks == 'w' and vs != vg) or (ks == 'n' and not close(vs, vg)):
            return False
    return True


def shape(shown, got):
    """Whether two lines are the same but for their numbers (for --update)."""
    s, g = tokens(shown), tokens(got)
    return [(k, v if k == 'w' else '#') for k, v in s] == [(k, v if k == 'w' else '#') for k, v in g]


def align(shown, got, eq):
    """Matches shown lines, with "..." lines, against printed ones. Returns
    for each shown line the index of its printed line (None for "...") or a
    message saying where they part."""
    segs, cur = [], []
    for ln in shown:
        if ln.strip() == ELISION:
            segs.append(cur)
            cur = []
        else:
            cur.append(ln)
    segs.append(cur)
    elided = len(segs) > 1
    where, at = [], 0

    def first_difference(seg, start):
        for k, ln in enumerate(seg):
            if start + k >= len(got):
                return f'shown:   {ln}\nprinted: (nothing more)'
            if not eq(ln, got[start + k]):
                return f'shown:   {ln}\nprinted: {got[start + k]}'
        return None

    for n, seg in enumerate(segs):
        last = n == len(segs) - 1
        if n == 0:
            start = 0
        elif last:
            start = len(got) - len(seg)
            if start < at:
                return f'the lines after "..." were not printed:\n  ' + '\n  '.join(seg)
        else:
            start = next((s for s in range(at, len(got) - len(seg) + 1)
                          if all(eq(ln, got[s + k]) for k, ln in enumerate(seg))), None)
            if start is None:
                return 'these lines between "..." were not printed:\n  ' + '\n  '.join(seg)
        diff = first_difference(seg, start)
        if diff:
            return diff
        if n > 0:
            where.append(None)
        where.extend(range(start, start + len(seg)))
        at = start + len(seg)
    if not elided and at != len(got):
        return f'shown:   (nothing more)\nprinted: {got[at]}'
    return where


def trim(lines):
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def run_document(railmail, path, update, root):
    text = open(path, encoding='utf-8').read()
    lines = text.splitlines()
    tmp = tempfile.mkdtemp(prefix='railmail-guide-')
    failures, edits = [], []
    try:
        shutil.copytree(os.path.join(root, 'scenarios'), os.path.join(tmp, 'scenarios'), symlinks=True)
        os.symlink(os.path.join(root, 'tests'), os.path.join(tmp, 'tests'))
        os.symlink(railmail, os.path.join(tmp, 'railmail'))
        env = dict(os.environ, LC_ALL='C', PATH=tmp + os.pathsep + os.environ.get('PATH', ''))
        env.pop('RAILMAIL_SCENARIOS', None)
        env.pop('LANG', None)
        real = os.path.realpath(tmp)
        for first, end in blocks(text):
            try:
                todo = steps(lines[first:end])
            except ValueError as e:
                failures.append(f'{path}:{first + 1}: {e}')
                continue
            line_no = first
            for cmd, shown in todo:
                out_at = line_no + 1 + cmd.count('\n')  # the first shown line
                p = subprocess.run(['sh', '-c', cmd], cwd=tmp, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
                got = p.stdout.decode('utf-8', 'replace').replace(real + '/', '').replace(tmp + '/', '')
                got = got.replace(real, '.').replace(tmp, '.')
                got = trim(got.splitlines())
                shown_t = trim(shown)
                at = f'{path}:{line_no + 1}: $ ' + cmd.replace('\n', '\n> ')
                where = align(shown_t, got, same)
                if isinstance(where, str):
                    if update:
                        w = align(shown_t, got, shape) if ELISION in [s.strip() for s in shown_t] else None
                        if isinstance(w, str):
                            failures.append(f'{at}\n  cannot place the "..." lines: {w}')
                        else:
                            new = got if w is None else [shown_t[i] if k is None else got[k] for i, k in enumerate(w)]
                            edits.append((out_at, out_at + len(shown_t), new))
                    else:
                        failures.append(f'{at}\n' + '\n'.join('  ' + x for x in where.splitlines())
                                        + f'\n  (exit status {p.returncode})')
                line_no = out_at + len(shown)
        if update and edits:
            for a, b, new in sorted(edits, reverse=True):
                lines[a:b] = new
            with open(path, 'w', encoding='utf-8') as f:
                f.write('\n'.join(lines) + ('\n' if text.endswith('\n') else ''))
            print(f'{path}: rewrote the output of {len(edits)} commands')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return failures


def outside_code(text):
    """Lines of a Markdown text that are not in fenced blocks, with inline
    code removed: [(line number, text)]."""
    out, fence = [], None
    for n, ln in enumerate(text.splitlines(), 1):
        m = re.match(r'^\s*(```+|~~~+)', ln)
        if m:
            if fence is None:
                fence = m.group(1)
            elif ln.strip().startswith(fence):
                fence = None
            continue
        if fence is None:
            out.append((n, re.sub(r'(`+).*?\1', '', ln)))
    return out


def anchors(path):
    """The anchors of a Markdown file's headings, as a forge makes them."""
    seen, found = {}, set()
    for _, ln in outside_code(open(path, encoding='utf-8').read().replace('`', '')):
        m = re.match(r'^#{1,6}\s+(.*?)\s*#*\s*$', ln)
        if not m:
            continue
        a = re.sub(r'[^\w\- ]', '', m.group(1).strip().lower()).replace(' ', '-')
        k = seen.get(a, 0)
        seen[a] = k + 1
        found.add(a if k == 0 else f'{a}-{k}')
    return found


def check_links(paths):
    """Broken relative links and anchors of Markdown files, one message each."""
    bad, n = [], 0
    for path in paths:
        text = open(path, encoding='utf-8').read()
        for line_no, ln in outside_code(text):
            for m in re.finditer(r'!?\[[^\]]*\]\(([^)\s]+)\)', ln):
                target = m.group(1)
                if re.match(r'^[a-z][a-z0-9+.-]*:', target):
                    continue  # http:, mailto: and the like
                n += 1
                file, _, anchor = target.partition('#')
                dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
                if not os.path.exists(dest):
                    bad.append(f'{path}:{line_no}: {target}: no {dest}')
                elif anchor and (not dest.endswith('.md') or anchor not in anchors(dest)):
                    bad.append(f'{path}:{line_no}: {target}: no heading #{anchor} in {dest}')
    return bad, n


def main(argv):
    if argv[:1] == ['--links']:
        if len(argv) < 2:
            print(__doc__.splitlines()[5].strip(), file=sys.stderr)
            return 2
        bad, n = check_links(argv[1:])
        for b in bad:
            print(b, file=sys.stderr)
        if not bad:
            print(f'guide_check: the {n} relative links of {", ".join(argv[1:])} lead somewhere')
        return 1 if bad else 0
    update = '--update' in argv
    args = [a for a in argv if a != '--update']
    if len(args) < 2:
        print(__doc__.splitlines()[3].strip(), file=sys.stderr)
        return 2
    root = os.getcwd()
    railmail = os.path.abspath(args[0])
    if not os.access(railmail, os.X_OK):
        print(f'guide_check: {args[0]}: not an executable', file=sys.stderr)
        return 2
    failures, n = [], 0
    for path in args[1:]:
        text = open(path, encoding='utf-8').read()
        n += sum(1 for a, b in blocks(text) for ln in text.splitlines()[a:b] if ln.startswith('$ '))
        failures += run_document(railmail, path, update, root)
    for f in failures:
        print(f, file=sys.stderr)
    if not failures and not update:
        print(f'guide_check: the {n} commands of {", ".join(args[1:])} print what is shown')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
