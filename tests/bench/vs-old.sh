#!/bin/sh
# make bench, last part: the large benchmark (one year, one thread) with this
# tree's ./railmail and with the binary built from commit $OLD (bb0c20f, the
# reference of issue 15), run in alternation so that both see the same load
# on a shared machine. Prints the median wall and user seconds and peak RSS
# of each, and the old/new ratios. The old commit is built in a temporary
# worktree that is removed afterwards.
set -eu
OLD=${OLD:-bb0c20f}
RUNS=${RUNS:-9}
tmp=$(mktemp -d)
old="$tmp/old"
cleanup() {
    git worktree remove --force "$old" >/dev/null 2>&1 || rm -rf "$old"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # through the EXIT trap: no worktree left behind
if ! git worktree add --detach "$old" "$OLD" >/dev/null 2>&1; then
    echo "vs-old: cannot check out $OLD (not a git clone with that commit?); skipped"
    exit 0
fi
make -s -C "$old" railmail >/dev/null 2>&1 || { echo "vs-old: $OLD does not build here; skipped"; exit 0; }
once() {  # $1 binary, $2 label: appends "label wall user rss_kb" to $tmp/times
    rm -rf "$tmp/res"  # fresh: a run into earlier results would reuse them
    /usr/bin/time -f "%e %U %M" -o "$tmp/t" "$1" run tests/bench/large -r 1 -j 1 -o "$tmp/res" -q --no-plot
    echo "$2 $(cat "$tmp/t")" >> "$tmp/times"
}
: > "$tmp/times"
i=0
while [ $i -lt "$RUNS" ]; do
    once "$old/railmail" old
    once ./railmail new
    i=$((i + 1))
done
median() {  # $1 label, $2 column (2 wall, 3 user, 4 rss)
    awk -v l="$1" '$1 == l' "$tmp/times" | sort -n -k"$2" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}
least() {  # $1 label, $2 column: the fastest run, the one least disturbed by other load
    awk -v l="$1" '$1 == l' "$tmp/times" | sort -n -k"$2" | awk -v c="$2" 'NR == 1 { print $c }'
}
# The ratio of each pair of runs made back to back, old then new, and the
# median of those: load on a shared machine comes and goes over seconds,
# so a pair sees much the same load, where medians taken over the whole
# series can each catch a different spell.
paired() {  # $1 column
    awk -v c="$1" '$1 == "old" { o = $c } $1 == "new" { print o / $c }' "$tmp/times" | sort -n |
        awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
ow=$(median old 2) ou=$(median old 3) om=$(median old 4)
nw=$(median new 2) nu=$(median new 3) nm=$(median new 4)
echo
echo "large scenario, one year, one thread: $OLD against this tree, $RUNS runs each in alternation (medians)"
printf "  %-8s wall %6.2f s  user %6.2f s  peak RSS %6.1f MB  (fastest: %.2f s wall, %.2f s user)\n" "$OLD" "$ow" "$ou" \
    "$(echo "$om" | awk '{print $1/1024}')" "$(least old 2)" "$(least old 3)"
printf "  %-8s wall %6.2f s  user %6.2f s  peak RSS %6.1f MB  (fastest: %.2f s wall, %.2f s user)\n" "this" "$nw" "$nu" \
    "$(echo "$nm" | awk '{print $1/1024}')" "$(least new 2)" "$(least new 3)"
awk -v ow="$ow" -v nw="$nw" -v ou="$ou" -v nu="$nu" -v om="$om" -v nm="$nm" 'BEGIN {
    printf "  old/new: wall %.2fx, user %.2fx; peak RSS new/old %.2f\n", ow / nw, ou / nu, nm / om }'
printf "  old/new, median of the %s back-to-back pairs: wall %.2fx, user %.2fx\n" "$RUNS" "$(paired 2)" "$(paired 3)"
