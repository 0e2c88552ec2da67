#!/bin/sh
# Builds the libFuzzer targets with clang and ASan+UBSan and runs them for
# SECONDS in all: tests/fuzz/fuzz_scenario.c (the scenario loader, seeds in
# tests/fuzz/corpus/) for half, tests/fuzz/fuzz_results.c (what plot,
# report and verify read back from a results folder, seeds in
# tests/fuzz/corpus_results/) for a third, tests/fuzz/fuzz_events.c (calibrate's
# tracking events and office codes, seeds in tests/fuzz/corpus_events/) for the rest.
# Usage: sh tests/fuzz/run.sh BUILD_DIR SECONDS   (from the repo root)
# Exits non-zero on a crash, leak, timeout or sanitizer report; the input
# that caused it is left in BUILD_DIR as crash-*, leak-* or timeout-*.
set -u
build=${1:-build/fuzz}
seconds=${2:-60}
CLANG=${CLANG:-}
if [ -z "$CLANG" ]; then
    for c in clang clang-16 clang-15 clang-14; do
        if command -v "$c" >/dev/null 2>&1; then CLANG=$c; break; fi
    done
fi
if [ -z "$CLANG" ]; then
    echo "fuzz: needs clang with libFuzzer; on Debian: apt-get install clang libclang-rt-14-dev" >&2
    exit 1
fi
mkdir -p "$build/corpus" || exit 1

# libFuzzer's runtime lives in a package of its own on Debian (libclang-rt-N-dev).
probe="$build/probe.c"
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' > "$probe"
if ! "$CLANG" -fsanitize=fuzzer -o "$build/probe" "$probe" 2>/dev/null; then
    ver=$("$CLANG" -dumpversion | cut -d. -f1)
    pkg="libclang-rt-$ver-dev"
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
        echo "fuzz: installing $pkg for libFuzzer" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >&2
    fi
    if ! "$CLANG" -fsanitize=fuzzer -o "$build/probe" "$probe" 2>/dev/null; then
        echo "fuzz: $CLANG cannot link libFuzzer; install $pkg (Debian) and run again" >&2
        exit 1
    fi
fi

GSL_LIBS=$(pkg-config --libs gsl 2>/dev/null || echo "-lgsl -lgslcblas -lm")
# shellcheck disable=SC2086
"$CLANG" -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -g -O1 \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -o "$build/fuzz_scenario" tests/fuzz/fuzz_scenario.c \
    sim/scenario.c sim/metric.c sim/csvread.c sim/csvwrite.c sim/dist.c sim/stream.c sim/diag.c sim/num.c sim/strbuf.c sim/calendar.c -lcsv -lnettle $GSL_LIBS -lm || exit 1

"$CLANG" -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -g -O1 \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -o "$build/fuzz_results" tests/fuzz/fuzz_results.c \
    sim/results.c sim/metric.c sim/table.c sim/csvread.c sim/num.c sim/strbuf.c sim/diag.c sim/escape.c \
    -lcsv -ljansson -lm || exit 1

"$CLANG" -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -g -O1 \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -o "$build/fuzz_events" tests/fuzz/fuzz_events.c sim/events.c \
    sim/scenario.c sim/metric.c sim/csvread.c sim/csvwrite.c sim/dist.c sim/stream.c sim/diag.c sim/num.c sim/strbuf.c sim/calendar.c \
    -lcsv -lnettle $GSL_LIBS -lm || exit 1

case $build in
/*) dir=$build ;;
*) dir=./$build ;;
esac
results_seconds=$((seconds / 3))
[ "$results_seconds" -ge 1 ] || results_seconds=1
events_seconds=$((seconds / 6))
[ "$events_seconds" -ge 1 ] || events_seconds=1
scenario_seconds=$((seconds - results_seconds - events_seconds))
[ "$scenario_seconds" -ge 1 ] || scenario_seconds=1
fuzz() {  # $1 target, $2 seconds, $3 the seeds in git
    mkdir -p "$build/corpus-$1" || exit 1
    # New inputs go to the build directory; the seeds in git stay as they are.
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$dir/$1" -max_total_time="$2" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/" \
        "$build/corpus-$1" "$3"
    status=$?
    if [ $status -ne 0 ]; then
        echo "fuzz: $1 failed (status $status); see the artifact in $build/" >&2
        exit $status
    fi
    echo "fuzz: $1: no crash, leak or timeout in ${2}s" >&2
}
fuzz fuzz_scenario "$scenario_seconds" tests/fuzz/corpus
fuzz fuzz_results "$results_seconds" tests/fuzz/corpus_results
fuzz fuzz_events "$events_seconds" tests/fuzz/corpus_events
