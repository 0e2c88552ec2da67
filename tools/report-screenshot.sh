#!/bin/sh
# Makes docs/report.png, the guide's picture of report.html: the default
# scenario's comparison (10 replications, seed 1), rendered by headless
# Chromium. Run from the repository root after `make railmail`.
set -eu
out=${1:-docs/report.png}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./railmail compare scenarios/china-europe-via-belarus -q -o "$tmp/results"
timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$tmp/profile" \
    --hide-scrollbars --window-size=1000,1500 --screenshot="$out" "file://$tmp/results/report.html" 2>/dev/null
echo "$out"
