#!/bin/sh
# Checks for what railmail needs and, on Debian/Ubuntu, installs what is missing
# with apt-get (through sudo when not root). Elsewhere it names the packages and stops.
# With the argument `bench` it also checks what `make bench` needs.
set -u
missing=""
have_header() { [ -f "/usr/include/$1" ] || [ -f "/usr/local/include/$1" ]; }
have_header gsl/gsl_rng.h        || missing="$missing libgsl-dev"
have_header csv.h                || missing="$missing libcsv-dev"
have_header criterion/criterion.h || missing="$missing libcriterion-dev"
have_header nettle/sha2.h        || missing="$missing nettle-dev"
have_header jansson.h            || missing="$missing libjansson-dev"
command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"   # tests read results with its csv module
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
# the report test renders report.html in a real browser and counts the PDF's pages
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v pdfinfo >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v cc >/dev/null 2>&1    || missing="$missing gcc"
command -v mpicc >/dev/null 2>&1 || missing="$missing libopenmpi-dev"  # railmail-mpi (make mpi) and its tests
command -v mpirun >/dev/null 2>&1 || missing="$missing openmpi-bin"
# `sh tools/deps.sh bench`: the benchmarks also time with /usr/bin/time.
if [ "${1:-}" = bench ]; then
    [ -x /usr/bin/time ] || missing="$missing time"
fi
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "railmail needs:$missing (Debian package names)." >&2
    echo "Install GSL, libcsv, Criterion, gnuplot (and Open MPI for make mpi) with your package manager, then run make again." >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
        echo "railmail needs:$missing; run as root: apt-get install$missing" >&2
        exit 1
    fi
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2 || exit 1
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >&2 || {
    echo "apt-get could not install:$missing" >&2
    exit 1
}
