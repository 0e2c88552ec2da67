#!/bin/sh
# tools/deps.sh [PROFILE]: checks for what a make target needs and, on
# Debian/Ubuntu, installs what is missing with apt-get (through sudo when not
# root). Elsewhere it names the packages and stops. The profiles:
#   run    building and running railmail (make run, make install): a C
#          compiler and the C library's headers, pkg-config, GSL, libcsv,
#          jansson, nettle, gnuplot
#   mpi    run's, and Open MPI (make mpi)
#   bench  run's, and /usr/bin/time (make bench)
#   test   (the default; make test, make deps) everything: run's, mpi's, and
#          what only the tests use: Criterion, python3 (results read with
#          its csv module), Chromium and poppler-utils (report.html rendered
#          and its PDF's pages counted), groff (the manual page rendered)
set -u
profile=${1:-test}
case $profile in
run | mpi | bench | test) ;;
*) echo "deps.sh: unknown profile \"$profile\"; expected run, mpi, bench or test" >&2; exit 2 ;;
esac
missing=""
have_header() { [ -f "/usr/include/$1" ] || [ -f "/usr/local/include/$1" ]; }
need_header() { have_header "$1" || missing="$missing $2"; }
need_command() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }

need_command cc gcc
need_header stdio.h libc6-dev  # gcc only recommends it: --no-install-recommends leaves it out
need_command pkg-config pkg-config
need_header gsl/gsl_rng.h libgsl-dev
need_header csv.h libcsv-dev
need_header nettle/sha2.h nettle-dev
need_header jansson.h libjansson-dev
need_command gnuplot gnuplot-nox
if [ "$profile" = mpi ] || [ "$profile" = test ]; then
    need_command mpicc libopenmpi-dev  # railmail-mpi (make mpi) and its tests
    need_command mpirun openmpi-bin
fi
if [ "$profile" = bench ]; then
    [ -x /usr/bin/time ] || missing="$missing time"
fi
if [ "$profile" = test ]; then
    need_header criterion/criterion.h libcriterion-dev
    need_command python3 python3
    need_command chromium chromium
    need_command pdfinfo poppler-utils
    need_command groff groff-base
fi
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "railmail needs:$missing (Debian package names)." >&2
    echo "Install them with your package manager, then run make again." >&2
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
