#!/usr/bin/env bash
# Compiles the device checks and benchmarks (cuda/dev/lca_check.cu) against the library sources
# (and the development variants of the optimizer and fused LCA kernels),
# without running them, so a change to the C API that breaks them fails the build here rather than
# on a GPU machine. Without nvcc it says so and exits 0. Rebuilds only when a source changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/java/target/lca_check}"
source "$ROOT/native-build/common.sh"
need_nvcc check-dev "cuda/dev/lca_check.cu not compiled"
up_to_date "$OUT" "$ROOT/cuda" "$0" && exit 0
mkdir -p "$(dirname "$OUT")"
echo "check-dev: compiling cuda/dev/lca_check.cu (not run: it needs a GPU; bench/device/gpu_check.sh runs it)"
"$NVCC" -std=c++17 -O1 -arch=sm_90 -I"$ROOT/cuda/include" -Xcompiler -Wall -o "$OUT" "$ROOT"/cuda/dev/lca_check.cu "$ROOT"/cuda/src/*.cu
# The development variants bench/device/chunk_variants.sh times on a GPU must keep compiling too.
for variant in "optim_lca -DLCA4J_OPT_SPECIALIZE=1" "optim_lca -DLCA4J_SPREAD=1" "optim_lca -DLCA4J_OPT_SPECIALIZE=1 -DLCA4J_SPREAD=1" \
               "layer_lca -DLCA4J_SPREAD=1"; do
  src="${variant%% *}"
  "$NVCC" -std=c++17 -O1 -arch=sm_90 ${variant#* } -I"$ROOT/cuda/include" -Xcompiler -Wall -c -o "$OUT.variant.o" "$ROOT/cuda/src/$src.cu"
done
rm -f "$OUT.variant.o"
