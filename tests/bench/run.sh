#!/bin/sh
# make bench: the event-queue and engine micro-benchmarks, then the large
# scenario on one thread (wall time, events per second, peak memory; median
# of 3), the same at twice the horizon, the default scenario as `make run`, and
# a sweep of the default scenario (median of 3), and calibrate on a million tracking
# events (median of 3).
set -eu
bin=$1
for b in bench_evq bench_engine bench_mm1; do
    if [ -x "$bin/$b" ]; then "$bin/$b"; fi
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
measure() {  # $1 label, rest: railmail arguments; prints the median of 3
    label=$1; shift
    for i in 1 2 3; do
        rm -rf "$out/res"  # a fresh directory: a run into earlier results would reuse their replications
        /usr/bin/time -f "%e %M" -o "$out/time" ./railmail "$@" -o "$out/res" -q --no-plot
        events=$(awk -F, '$1=="events" && $2=="all" {print $3}' "$out/res/summary.csv")
        tracked=$(awk -F, '$1=="tracking_events" && $2=="all" {print $3}' "$out/res/summary.csv")
        read -r wall rss < "$out/time"
        echo "$wall $rss $events $tracked"
    done | sort -n | sed -n 2p | awk -v l="$label" -v days="$days" '{
        printf "%-26s wall %6.2f s  peak RSS %6.1f MB  %5.2f M engine events/s  %5.2f M batch events/s  %4.2f M batches/s\n",
               l, $1, $2 / 1024, $3 / $1 / 1e6, $4 / $1 / 1e6, 20000 * days / $1 / 1e6 }'
}
echo
echo "large scenario (tests/bench/large: 20 origins x 30 destinations, 20,000 batches/day),"
echo "1 replication on 1 thread. Engine events: postings, train departures, arrivals and dwell ends,"
echo "daily ticks. Batch events: every batch's tracking events (posting, departures, scans, transfers,"
echo "delivery), which the model handles inside the engine events without scheduling them."
echo "Batches: 20,000 posted a day, whole horizon."
days=365 measure "one year" run tests/bench/large -r 1 -j 1
days=730 measure "two years (memory check)" run tests/bench/large -r 1 -j 1 -d 730
echo
echo "default scenario, 10 replications, all cores, charts included (what make run does):"
/usr/bin/time -f "wall %e s, peak RSS %M KB" ./railmail run -q -o "$out/default"
echo
echo "sweep of the default scenario: 7 values x 20 replications, all cores, charts included"
echo "(railmail sweep --vary services.CQ-MAL.departures_per_week=1:7 -r 20; issue 16 asks for under 10 s):"
for i in 1 2 3; do
    rm -rf "$out/sweep"
    /usr/bin/time -f "%e %M" -o "$out/time" ./railmail sweep --vary services.CQ-MAL.departures_per_week=1:7 \
        -r 20 -q -o "$out/sweep"
    cat "$out/time"
done | sort -n | sed -n 2p | awk '{ printf "wall %.2f s (median of 3), peak RSS %.1f MB\n", $1, $2 / 1024 }'
echo
echo "calibrate: about a million tracking events (the default scenario's own, 17 replications of a year),"
echo "read, fitted and validated (the scenario and the calibrated one simulated, 10 replications each):"
./railmail run -q --no-plot --tracking -r 17 -s 11 -o "$out/events"
wc -l < "$out/events/tracking.csv" | awk '{ printf "%d events\n", $1 - 1 }'
for i in 1 2 3; do
    rm -rf "$out/calibration"
    /usr/bin/time -f "%e %M" -o "$out/time" ./railmail calibrate scenarios/china-europe-via-belarus \
        "$out/events/tracking.csv" -o "$out/calibration" >/dev/null
    cat "$out/time"
done | sort -n | sed -n 2p | awk '{ printf "wall %.2f s (median of 3), peak RSS %.1f MB\n", $1, $2 / 1024 }'
