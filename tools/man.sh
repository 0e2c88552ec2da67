#!/bin/sh
# tools/man.sh BINARY TEMPLATE DATADIR: writes railmail(1) to stdout. The
# commands, options and metrics come from the binary's own --help and
# `COMMAND --help`, turned into roff here, so that the page and the help
# cannot drift apart; TEMPLATE (docs/railmail.1.in) holds the rest (scenario
# files, result files, environment, exit status, examples) and the places
# marked @SYNOPSIS@, @COMMANDS@, @DESCRIPTION@, @OPTIONS@, @METRICS@,
# @VERSION@ and @DATADIR@.
set -eu
bin=$(command -v "$1" 2>/dev/null || true)
case $bin in /*) ;; "") echo "man.sh: cannot run $1" >&2; exit 1 ;; *) bin=$(pwd)/$bin ;; esac
template=$2
datadir=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# From an empty directory and without RAILMAIL_SCENARIOS, so that nothing
# of this checkout shows through.
(cd "$tmp" && unset RAILMAIL_SCENARIOS && "$bin" --help) >"$tmp/main"
version=$("$bin" --version | awk '{ print $2 }')
commands=$(awk '/^  [a-z]/ { print $1 }' "$tmp/main")
files=""
for c in $commands; do
    (cd "$tmp" && unset RAILMAIL_SCENARIOS && "$bin" "$c" --help) >"$tmp/help.$c"
    files="$files $tmp/help.$c"
done

# One pass over the main help and every command's: each option entry (its
# tag and text, continuation lines joined) is kept per command; an entry
# that run's help has and another command's too goes under OPTIONS once;
# the metric catalogue, which run, compare and sweep all print, goes under
# METRICS once.
# shellcheck disable=SC2086
awk -v out="$tmp" '
function esc(s) {  # roff: backslashes, and the characters to keep ASCII
    gsub(/\\/, "\\e", s)
    gsub(/-/, "\\-", s)
    gsub(/"/, "\\(dq", s)
    gsub("\047", "\\(aq", s)
    gsub(/`/, "\\(ga", s)
    return s
}
function text(s) {  # a line of running text
    s = esc(s)
    if (s ~ /^[.'\'']/)
        s = "\\&" s
    return s
}
function split_entry(s, parts,    i) {  # "tag  text": at the first run of two spaces
    sub(/^ +/, "", s)
    i = index(s, "  ")
    if (i == 0) { parts[1] = s; parts[2] = ""; return }
    parts[1] = substr(s, 1, i - 1)
    parts[2] = substr(s, i)
    sub(/^ +/, "", parts[2])
}
function flush_entry() {
    if (tag != "") {
        n = ++nent[cmd]
        etag[cmd, n] = tag
        etext[cmd, n] = desc
        key = tag SUBSEP desc
        if (!((key, cmd) in seen)) { seen[key, cmd] = 1; count[key]++ }
    }
    tag = ""
    desc = ""
}
FNR == 1 {
    flush_entry()
    cmd = FILENAME
    sub(/.*\/help\./, "", cmd)
    order[++ncmd] = cmd
    state = "usage"
}
state == "usage" {
    u = $0
    sub(/^usage: */, "", u)
    usage[cmd] = u
    state = "desc"
    next
}
/^Metrics in summary.csv/ {
    flush_entry()
    state = "metrics"
    if (metrics_head == "") { metrics_head = $0; sub(/:$/, "", metrics_head); metrics_from = cmd }
    next
}
state == "metrics" {
    if (cmd == metrics_from && $0 ~ /^  [a-z]/) {
        m = $0
        sub(/^ +/, "", m)
        mname[++nmetric] = substr(m, 1, index(m, " ") - 1)
        m = substr(m, index(m, " "))
        sub(/^ +/, "", m)
        mtext[nmetric] = m
    }
    next
}
function indent(s) { return match(s, /^ +/) ? RLENGTH : 0 }
indent($0) >= 1 && indent($0) <= 6 && substr($0, indent($0) + 1, 1) == "-" {  # an option
    flush_entry()
    split_entry($0, parts)
    tag = parts[1]
    desc = parts[2]
    state = "options"
    next
}
indent($0) >= 7 && tag != "" {  # its continuation
    c = $0
    sub(/^ +/, "", c)
    desc = desc " " c
    next
}
{
    flush_entry()
    if (state == "options" && $0 != "")
        state = "desc"
    if ($0 == "") {
        if (body[cmd] != "" && last[cmd] != "blank") { body[cmd] = body[cmd] ".PP\n"; last[cmd] = "blank" }
    } else if ($0 ~ /^ /) {  # an example: as it is
        ex = $0
        sub(/^ +/, "", ex)
        body[cmd] = body[cmd] ".RS 4\n.nf\n" text(ex) "\n.fi\n.RE\n"
        last[cmd] = "example"
    } else {
        body[cmd] = body[cmd] text($0) "\n"
        last[cmd] = "text"
    }
}
END {
    flush_entry()
    for (j = 1; j <= nent["run"]; j++) {
        key = etag["run", j] SUBSEP etext["run", j]
        if (count[key] > 1)
            shared[key] = 1
    }
    shared_by = ""
    for (i = 1; i <= ncmd; i++) {
        c = order[i]
        for (j = 1; j <= nent[c]; j++)
            if ((etag[c, j] SUBSEP etext[c, j]) in shared) {
                has_shared[c] = 1
                shared_by = shared_by (shared_by == "" ? "" : ", ") c
                break
            }
    }
    f = out "/synopsis"
    for (i = 1; i <= ncmd; i++)
        printf ".B railmail\n%s\n.br\n", esc(substr(usage[order[i]], 10)) > f
    printf ".B railmail\n\\-\\-help | \\-\\-version | COMMAND \\-\\-help\n" > f
    close(f)

    f = out "/commands"
    for (i = 1; i <= ncmd; i++) {
        c = order[i]
        printf ".SS \"%s\"\n", esc(usage[c]) > f
        b = body[c]
        sub(/^(\.PP\n)+/, "", b)
        sub(/(\.PP\n)+$/, "", b)
        printf "%s", b > f
        own = 0
        for (j = 1; j <= nent[c]; j++) {
            key = etag[c, j] SUBSEP etext[c, j]
            if (key in shared)
                continue
            if (own++ == 0)
                printf ".PP\n" > f
            printf ".TP\n.B \"%s\"\n%s\n", esc(etag[c, j]), text(etext[c, j]) > f
        }
        if (c in has_shared)
            printf ".PP\n%s\n.BR OPTIONS .\n", own ? "It also takes the options under" : "It takes the options under" > f
    }
    close(f)

    f = out "/options"
    printf "Options of %s:\n", shared_by > f
    for (j = 1; j <= nent["run"]; j++) {
        key = etag["run", j] SUBSEP etext["run", j]
        if (key in shared)
            printf ".TP\n.B \"%s\"\n%s\n", esc(etag["run", j]), text(etext["run", j]) > f
    }
    close(f)

    f = out "/metrics"
    printf "%s.\n", text(metrics_head) > f
    for (i = 1; i <= nmetric; i++)
        printf ".TP\n.B %s\n%s\n", esc(mname[i]), text(mtext[i]) > f
    close(f)
}' $files

# The main help: its commands, each with its line.
awk '
function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); gsub("\047", "\\(aq", s); return s }
/^  [a-z]/ {
    name = $1
    line = $0
    sub(/^  [a-z]+ +/, "", line)
    i = index(line, "   ")
    what = substr(line, i)
    sub(/^ +/, "", what)
    printf ".TP\n.B %s\n%s\n", name, esc(what)
}' "$tmp/main" >"$tmp/description"

esc_sed() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }
sed -e "/^@SYNOPSIS@\$/{r $tmp/synopsis" -e 'd;}' \
    -e "/^@DESCRIPTION@\$/{r $tmp/description" -e 'd;}' \
    -e "/^@COMMANDS@\$/{r $tmp/commands" -e 'd;}' \
    -e "/^@OPTIONS@\$/{r $tmp/options" -e 'd;}' \
    -e "/^@METRICS@\$/{r $tmp/metrics" -e 'd;}' \
    -e "s|@VERSION@|$(esc_sed "$version")|g" \
    -e "s|@DATADIR@|$(esc_sed "$(printf '%s' "$datadir" | sed 's/-/\\-/g')")|g" \
    "$template"
