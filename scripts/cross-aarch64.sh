#!/bin/sh
# Compiles Anneal's C kernels for aarch64 Linux with the Swift toolchain's clang (a cross-compile: no aarch64
# machine needed) and checks in the disassembly that the portable level is vectorized for NEON: fused terms
# as `fmla` on 4-lane vectors (v.4s), rounded ones as `fmul` then `fadd` on them, and no call to a libm fmaf.
#
#   scripts/cross-aarch64.sh            (from anywhere; CC=... to use another clang)
#
# The kernels include the C library's headers (pthread.h, sched.h): Debian's libc6-dev-arm64-cross provides
# them under /usr/aarch64-linux-gnu. Only the kernels are compiled: a whole Swift cross-build of Anneal would
# need an aarch64 Swift SDK. Prints the objects' instruction counts; exits non-zero when a check fails.
set -eu
cd "$(dirname "$0")/.."
CC=${CC:-clang}
OBJDUMP=${OBJDUMP:-llvm-objdump}
OUT=${TMPDIR:-/tmp}/anneal-cross-aarch64
SYSROOT=${SYSROOT:-/usr/aarch64-linux-gnu}
mkdir -p "$OUT"

if [ ! -d "$SYSROOT/include" ]; then
    echo "cross-aarch64: no aarch64 C library headers in $SYSROOT/include (Debian: apt-get install libc6-dev-arm64-cross)" >&2
    exit 2
fi

# The release build's optimization, for the generic aarch64 (ARMv8-A: NEON, no SVE).
# Every source file of the kernels (the x86 levels' files compile to nothing there).
: > "$OUT/Kernels.s"
for source in Sources/AnnealKernels/*.c; do
    object="$OUT/$(basename "$source" .c).o"
    "$CC" --target=aarch64-linux-gnu -isystem "$SYSROOT/include" -std=gnu11 -O2 -Wall -Wextra \
        -I Sources/AnnealKernels/include -c "$source" -o "$object"
    "$OBJDUMP" -d --no-show-raw-insn "$object" >> "$OUT/Kernels.s"
done

count() { grep -cE "$1" "$OUT/Kernels.s" || true; }
fmla=$(count 'fmla[[:space:]]+v[0-9]+\.4s')
fmul=$(count 'fmul[[:space:]]+v[0-9]+\.4s')
fadd=$(count 'fadd[[:space:]]+v[0-9]+\.4s')
fmaf=$(count 'bl[[:space:]].*fmaf')
echo "aarch64 kernels: fmla.4s $fmla, fmul.4s $fmul, fadd.4s $fadd, calls to fmaf $fmaf ($OUT/Kernels.s)"
status=0
[ "$fmla" -gt 0 ] || { echo "cross-aarch64: no NEON fmla: the fused products are not vectorized" >&2; status=1; }
[ "$fmul" -gt 0 ] && [ "$fadd" -gt 0 ] || { echo "cross-aarch64: no NEON fmul/fadd: the rounded products are not vectorized" >&2; status=1; }
[ "$fmaf" -eq 0 ] || { echo "cross-aarch64: fused terms call libm's fmaf" >&2; status=1; }
exit $status
