#!/usr/bin/env bash
# Fuzzes the CSV loader or the weights-file reader with libFuzzer and AddressSanitizer.
#
#   fuzz/run.sh csv|weights [runs] [extra libFuzzer flags...]     (runs defaults to 1000000; -1 = forever)
#
# Builds the target in release with `-sanitize=fuzzer,address -DANNEAL_LIBFUZZER` (scratch path .build-fuzz),
# which instruments the core too (coverage and ASan),
# then runs it on the seed corpus fuzz/corpus/<target>/ (read only) plus a working corpus in
# fuzz/out/<target>/corpus/ (gitignored, kept between runs). A crash is written to fuzz/out/<target>/crash-*;
# replay it with a plain build: `swift build && .build/debug/anneal-fuzz-<target> fuzz/out/<target>/crash-*`,
# then add it to fuzz/corpus/<target>/ with a named test in Tests/AnnealTests/FuzzCorpusTests.swift.
#
# A target (fuzz/<target>/) holds only its property check and hands it to the driver both share,
# fuzz/driver/FuzzDriver.swift: libFuzzer's LLVMFuzzerRunDriver under -DANNEAL_LIBFUZZER, file replay otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${1:-}"
case "$target" in
    csv | weights) ;;
    *) echo "usage: fuzz/run.sh csv|weights [runs] [libFuzzer flags...]" >&2; exit 2 ;;
esac
runs="${2:-1000000}"
shift $(( $# >= 2 ? 2 : 1 ))

scratch=.build-fuzz
# Linked with lld: GNU gold (the default here) dies with an internal error on the instrumented objects.
swift build -c release --scratch-path "$scratch" --product "anneal-fuzz-$target" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DANNEAL_LIBFUZZER -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
binary="$scratch/release/anneal-fuzz-$target"

out="fuzz/out/$target"
mkdir -p "$out/corpus"
# -max_len: CSV and weights bugs show up in small files; 4 kB keeps each run fast.
exec "$binary" -runs="$runs" -max_len=4096 -print_final_stats=1 -artifact_prefix="$out/" \
    "$@" "$out/corpus" "fuzz/corpus/$target"
