#!/bin/sh
# Rebuilds the seed corpus tests/fuzz/corpus/ from the scenario fixtures and
# the bad-input corpus: each seed is the six files of a scenario joined by
# 0x1e bytes, the layout fuzz_scenario.c splits. Run from the repo root.
set -eu
out=tests/fuzz/corpus
rm -rf "$out"
mkdir -p "$out"
rs=$(printf '\036')
for dir in tests/fixtures/scenario-* tests/bad/*/; do
    dir=${dir%/}
    [ -f "$dir/nodes.csv" ] || [ -f "$dir/scenario.csv" ] || continue
    seed="$out/$(basename "$dir")"
    : > "$seed"
    first=1
    for f in scenario nodes legs services demand disruptions; do
        [ $first -eq 1 ] || printf '%s' "$rs" >> "$seed"
        first=0
        [ -f "$dir/$f.csv" ] && cat "$dir/$f.csv" >> "$seed"
    done
done
# One seed with an overlay and --set strings.
mini=tests/fixtures/scenario-mini
{
    for f in scenario nodes legs services demand disruptions; do cat "$mini/$f.csv"; printf '%s' "$rs"; done
    printf 'key,value\nhorizon_d,200\n%s%s%s' "$rs" "$rs" "$rs"
    printf 'id,route,departures_per_week,first_departure_h,capacity_t,cutoff_h\nCQ-BRS,CQ>AKZ>BRS,5,1,40,6\n'
    printf '%s%s%s' "$rs" "$rs" "$rs"
    printf 'services.CQ-BRS.departures_per_week=4%slegs.AKZ-BRS.km=12%sscenario.seed.value=3%sdisruptions.BRS-40.capacity_factor=0' "$rs" "$rs" "$rs"
} > "$out/overlay-and-sets"
echo "$(ls "$out" | wc -l) seeds in $out"
