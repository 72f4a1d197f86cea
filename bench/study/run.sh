#!/usr/bin/env bash
# Reproduces the README's "What we found": the paper's MNIST-FC for one epoch on Fashion-MNIST with
# exact LCA on the whole 55,000-row training split and every estimator, under three optimizers.
# Each run takes a few minutes on 2 cores; run.json of each is copied to bench/results/study/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/runs/study}"
RESULTS="$ROOT/bench/results/study"
mkdir -p "$OUT" "$RESULTS"
cd "$ROOT"
run() {  # name, then train options
  local name=$1; shift
  ./lca train "$@" --report --no-progress --out "$OUT/$name"
  cp "$OUT/$name/run.json" "$RESULTS/$name.run.json"
}
run sgd-momentum --preset paper-mnist-fc
run sgd --optimizer sgd --momentum 0 --lr 0.1 --validation-size 5000
run adam --optimizer adam --lr 0.001 --validation-size 5000
