#!/usr/bin/env bash
# Builds liblca4j.so from cuda/ with nvcc into DEST (default: java/target/classes/native/linux-x86_64,
# where the jar picks it up as a resource). cudart is linked statically, so users need only the
# NVIDIA driver. Without nvcc it says so and exits 0: the jar is then built without the CUDA part and
# the library falls back to the CPU. Rebuilds only when a CUDA source is newer than the library.
#   NVCC=/path/to/nvcc  LCA4J_CUDA_ARCHS="80 90"  native-build/build.sh [DEST]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/java/target/classes/native/linux-x86_64}"
source "$ROOT/native-build/common.sh"
need_nvcc native-build "building without the CUDA library (the CPU backend is used)"
if [[ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]]; then
  echo "native-build: only linux-x86_64 is built; skipping on $(uname -s)-$(uname -m)"
  exit 0
fi
LIB="$DEST/liblca4j.so"
SOURCES=("$ROOT"/cuda/src/*.cu)
up_to_date "$LIB" "$ROOT/cuda/src" "$ROOT/cuda/include" "$0" && exit 0
mkdir -p "$DEST"
# Machine code for Ampere and Hopper, plus PTX of the newest so later GPUs can JIT it.
ARCHS=(${LCA4J_CUDA_ARCHS:-80 90})
GENCODE=()
for a in "${ARCHS[@]}"; do GENCODE+=("-gencode=arch=compute_$a,code=sm_$a"); done
last=${ARCHS[${#ARCHS[@]}-1]}
GENCODE+=("-gencode=arch=compute_$last,code=compute_$last")
echo "native-build: $("$NVCC" --version | tail -1 | sed 's/^Build //') -> $LIB (sm ${ARCHS[*]})"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$NVCC" -std=c++17 -O3 -shared -Xcompiler -fPIC,-fvisibility=hidden -cudart static "${GENCODE[@]}" \
  -I"$ROOT/cuda/include" -Xcompiler -Wall -o "$TMP/liblca4j.so" "${SOURCES[@]}"
mv "$TMP/liblca4j.so" "$LIB"
