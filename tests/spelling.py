#!/usr/bin/env python3
"""The vocabulary has one owner (issue 22): each metric name, result file
name and chart name is spelled in at most two source files under sim/ and
include/ (its definition and at most one use by name), comments included.
Prints the names spelled in more and exits 1 if there are any.

What counts as a spelling: a metric name as a whole word inside a string
literal or a comment (names that are plain English words, such as
"trains", only as a whole string literal); a result file's name
(summary.csv) anywhere in a literal or comment; a chart's name as a whole
string literal or followed by .png, .gp or .svg."""
import glob, os, re, sys

os.chdir(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..'))
files = sorted(glob.glob('sim/**/*.[ch]', recursive=True) + glob.glob('include/**/*.h', recursive=True))
token = re.compile(r'"(?:\\.|[^"\\\n])*"|//[^\n]*|/\*.*?\*/', re.S)
parts = {f: [m.group(0) for m in token.finditer(open(f).read())] for f in files}

metric_src = open('sim/metric.c').read()
metrics = sorted(set(re.findall(r'\[METRIC_[A-Z0-9_]+\]\s*=\s*\{\s*"([a-z0-9_]+)"', metric_src)))
results_h = open('include/railmail/results.h').read()
result_files = sorted(set(re.findall(r'#define RESULTS_[A-Z0-9_]+ "([A-Za-z0-9_.-]+\.(?:csv|json|html)|\.railmail-[a-z]+)"', results_h))
                      | set(re.findall(r'"([a-z_]+\.csv)"', open('sim/eventlog.c').read())))
charts = sorted(set(re.findall(r'X\([A-Z_]+,\s*"([a-z_]+)"', results_h)))
plain = {'trains', 'events'}
# A scenario file's column may share a metric's name (services.csv's
# cost_per_t, the tariff, and the metric cost_per_t): the loader's spelling
# of its own column is no use of the metric.
columns = set(re.findall(r'\{"([a-z0-9_]+)", (?:true|false)\}', open('sim/scenario.c').read()))
loader = {'sim/scenario.c', 'include/railmail/scenario.h'}
commands = {'run', 'compare', 'sweep', 'plot', 'verify', 'report', 'validate', 'optimise'}  # a chart may share a command's name

def word(n):
    return re.compile(r'(?<![A-Za-z0-9_])' + re.escape(n) + r'(?![A-Za-z0-9_])')

def spelled(name, test):
    return [f for f in files if not (name in columns and f in loader) and any(test(p) for p in parts[f])]

bad = []
for n in metrics:
    w = word(n)
    test = (lambda p, n=n: p == '"' + n + '"') if n in plain else (lambda p, w=w: bool(w.search(p)))
    bad.append(('metric', n, spelled(n, test)))
for n in result_files:
    w = re.compile(r'(?<![A-Za-z0-9_])' + re.escape(n) + r'(?![A-Za-z0-9_])')
    bad.append(('result file', n, spelled(n, lambda p, w=w: bool(w.search(p)))))
for n in charts:
    w = re.compile(r'(?<![A-Za-z0-9_])' + re.escape(n) + r'\.(?:png|gp|svg)\b')
    exact = n not in commands
    bad.append(('chart', n, spelled(n, lambda p, n=n, w=w, e=exact: (e and p == '"' + n + '"') or bool(w.search(p)))))
over = [(k, n, fs) for k, n, fs in bad if len(fs) > 2]
for k, n, fs in over:
    print(f'{k} {n} is spelled in {len(fs)} files: {", ".join(fs)}')
if '-v' in sys.argv:
    for k, n, fs in bad:
        print(f'{len(fs)} {k} {n}: {" ".join(fs)}')
sys.exit(1 if over else 0)
