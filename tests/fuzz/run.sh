#!/bin/sh
# Builds the libFuzzer target tests/fuzz/fuzz_scenario.c with clang and
# ASan+UBSan and runs it for SECONDS from the seeds in tests/fuzz/corpus/.
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
    sim/scenario.c sim/csvread.c sim/csvwrite.c sim/dist.c sim/stream.c sim/diag.c sim/num.c sim/strbuf.c sim/calendar.c -lcsv -lnettle $GSL_LIBS -lm || exit 1

case $build in
/*) bin=$build/fuzz_scenario ;;
*) bin=./$build/fuzz_scenario ;;
esac
# New inputs go to the build directory; the seeds in git stay as they are.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/" \
    "$build/corpus" tests/fuzz/corpus
status=$?
if [ $status -ne 0 ]; then
    echo "fuzz: failed (status $status); see the artifact in $build/" >&2
    exit $status
fi
echo "fuzz: no crash, leak or timeout in ${seconds}s" >&2
