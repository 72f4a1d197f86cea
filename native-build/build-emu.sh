#!/usr/bin/env bash
# Builds the CPU emulation of lca4j's CUDA library (cuda/emu/cuda_runtime.h says what it is and is
# not) from the very sources in cuda/src, with g++ instead of nvcc, into DEST (default java/target/emu):
#   liblca4j.so   the C API, kernels run as fibers on the CPU, and the five cuBLAS calls the
#                 Java side binds (point both lca4j.native.path and lca4j.cublas.path at it)
#   lca_check     cuda/dev/lca_check.cu against the emulation
#   lca_check_variants  the same, with the development variants (LCA4J_OPT_SPECIALIZE, LCA4J_SPREAD)
#   emu_selftest  the emulation's own checks (cuda/emu/emu_selftest.cu; run by emu-checks.sh)
# The only rewrites are syntax g++ lacks: `k<<<grid, block, shm, stream>>>(args)` becomes a call
# through lca4j_emu::launcher, and `const __grid_constant__ T a` becomes `const T &a` (one copy per
# launch, as on the GPU). Needs only g++; rebuilds only when a source changed (or DEST is new).
# LCA4J_EMU_CXXFLAGS adds compiler flags, e.g. "-fsanitize=undefined" for an undefined-behaviour run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/java/target/emu}"
CXX="${CXX:-g++}"
if ! command -v "$CXX" >/dev/null 2>&1; then
  echo "build-emu: $CXX not found; the emulated-device tests cannot run" >&2
  exit 1
fi
source "$ROOT/native-build/common.sh"
up_to_date "$DEST/lca_check" "$ROOT/cuda" "$0" && exit 0
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/src" "$TMP/dev" "$DEST"
rewrite() {  # $1 source, $2 destination
  perl -pe 's/(\b\w+(?:<[\w, -]+>)?)<<<(.*?)>>>/::lca4j_emu::launcher($1, $2)/g;
            s/const\s+__grid_constant__\s+(\w+(?:<\w+>)?)\s+(\w+)/const $1 &$2/g' "$1" > "$2"
  # A launch this cannot rewrite (split over lines, say) must fail here, not compile into nothing.
  if grep -n '<<<' "$2" >&2; then echo "build-emu: cannot rewrite the launch above in $1" >&2; exit 1; fi
}
for f in "$ROOT"/cuda/src/*.cu "$ROOT"/cuda/src/*.cuh; do rewrite "$f" "$TMP/src/$(basename "$f")"; done
rewrite "$ROOT/cuda/dev/lca_check.cu" "$TMP/dev/lca_check.cu"
rewrite "$ROOT/cuda/emu/emu_selftest.cu" "$TMP/dev/emu_selftest.cu"
# -ffp-contract=off: no FMAs, as the kernels' _rn intrinsics promise; -O2 keeps a check run short.
FLAGS=(-std=c++17 -O2 -g -fPIC -ffp-contract=off -U_FORTIFY_SOURCE -Wall -Wno-unused-function -Wno-unknown-pragmas -Wno-sign-compare
       -I"$ROOT/cuda/emu" -I"$ROOT/cuda/include" -I"$TMP/src" ${LCA4J_EMU_CXXFLAGS:-})
SRCS=()
for f in "$TMP"/src/*.cu; do SRCS+=(-x c++ "$f"); done
echo "build-emu: $("$CXX" --version | head -1) -> $DEST (CPU emulation of cuda/src)"
"$CXX" "${FLAGS[@]}" -shared -fvisibility=hidden -o "$TMP/liblca4j.so" "${SRCS[@]}" -x c++ "$ROOT/cuda/emu/emu.cpp" \
  "$ROOT/cuda/emu/cublas_emu.cpp" -lpthread
"$CXX" "${FLAGS[@]}" -o "$TMP/lca_check" -x c++ "$TMP/dev/lca_check.cu" "${SRCS[@]}" -x c++ "$ROOT/cuda/emu/emu.cpp" -lpthread
# The development variants bench/device/chunk_variants.sh times on a GPU, checked here by the same
# lca_check so that a variant is correct before device time is spent on it.
"$CXX" "${FLAGS[@]}" -DLCA4J_OPT_SPECIALIZE=1 -DLCA4J_SPREAD=1 -o "$TMP/lca_check_variants" -x c++ "$TMP/dev/lca_check.cu" \
  "${SRCS[@]}" -x c++ "$ROOT/cuda/emu/emu.cpp" -lpthread
mv "$TMP/liblca4j.so" "$DEST/"
"$CXX" "${FLAGS[@]}" -o "$TMP/emu_selftest" -x c++ "$TMP/dev/emu_selftest.cu" -x c++ "$ROOT/cuda/emu/emu.cpp" -lpthread
mv "$TMP/lca_check" "$TMP/lca_check_variants" "$TMP/emu_selftest" "$DEST/"
