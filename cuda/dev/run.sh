#!/usr/bin/env bash
# Builds cuda/dev/lca_check against the library sources and runs it: validation, then benchmarks.
# Exit 0: every check passed; 77: no CUDA device (skipped, not passed); anything else: a failure.
# LCA4J_CHECK_FLAGS adds nvcc flags (e.g. -DLCA4J_CHUNK_STEPS=4), LCA4J_CHECK_BIN names the binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${LCA4J_CHECK_BIN:-${TMPDIR:-/tmp}/lca_check}"
nvcc -std=c++17 -O3 -arch=${LCA4J_CHECK_ARCH:-native} ${LCA4J_CHECK_FLAGS:-} -I"$ROOT/cuda/include" -o "$BIN" "$ROOT"/cuda/dev/lca_check.cu "$ROOT"/cuda/src/*.cu
exec "$BIN" "$@"
