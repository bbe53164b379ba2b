#!/usr/bin/env bash
# Memory over 10,000 create / compile / train one epoch / free cycles, through the C API and through Python.
#
#   benchmarks/leaks/run.sh [cycles]          (default 10000; figures recorded in benchmarks/leaks/RESULTS.md)
#
# Builds libanneal.so in release (scratch path .build-rb unless SCRATCH is set), the C loop against it, and
# runs both loops; each prints its resident set size every 1,000 cycles.
set -euo pipefail
cd "$(dirname "$0")/../.."
cycles="${1:-10000}"
scratch="${SCRATCH:-.build-rb}"
swift build -c release --scratch-path "$scratch" --product anneal
libdir="$PWD/$scratch/release"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -Iinclude benchmarks/leaks/leak_c.c -o "$out/leak_c" \
    -L"$libdir" -lanneal -Wl,-rpath,"$libdir"
echo "== C API: $cycles cycles"
/usr/bin/time -f "%e s, max RSS %M kB" "$out/leak_c" examples/data/ionosphere.csv "$cycles"
echo "== Python ($(python3 -c 'import sys; print(sys.version.split()[0])'), numpy: $(python3 -c 'import numpy; print(numpy.__version__)' 2>/dev/null || echo no)): $cycles cycles"
ANNEAL_LIBRARY="$libdir/libanneal.so" /usr/bin/time -f "%e s, max RSS %M kB" python3 benchmarks/leaks/leak_python.py "$cycles"
