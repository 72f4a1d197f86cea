#!/usr/bin/env bash
# Builds cuda/dev/lca_check against the library sources and runs it: validation, then benchmarks.
# Exit 0: every check passed; 77: no CUDA device (skipped, not passed); anything else: a failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${TMPDIR:-/tmp}/lca_check"
nvcc -std=c++17 -O3 -arch=${LCA4J_CHECK_ARCH:-native} -I"$ROOT/cuda/include" -o "$BIN" "$ROOT"/cuda/dev/lca_check.cu "$ROOT"/cuda/src/*.cu
exec "$BIN" "$@"
