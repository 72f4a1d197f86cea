#!/usr/bin/env bash
# Reproduces the README's "What we found": the paper's MNIST-FC for one epoch with exact LCA on the
# whole 55,000-row training split and every estimator, under three optimizers, plus a 5-epoch
# exact-only run for the helped fraction later in training. About 8 minutes on 2 cores.
#   bench/study/run.sh [OUT_DIR]            on Fashion-MNIST (dataset-fashion-mnist)
#   DATA=/path/to/mnist bench/study/run.sh  on any MNIST-format directory; results get its name
# Each run's run.json is copied to bench/results/study/; summarize.py and helped_phases.py print
# the README's tables from them and from the run directories.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/runs/study}"
DATA="${DATA:-fashion-mnist}"
PREFIX=""
[[ "$DATA" != fashion-mnist ]] && PREFIX="$(basename "$DATA")-"
RESULTS="$ROOT/bench/results/study"
mkdir -p "$OUT" "$RESULTS"
cd "$ROOT"
run() {  # name, then train options
  local name=$PREFIX$1; shift
  rm -rf "${OUT:?}/$name"  # a rerun replaces its own earlier run (lca train never writes over one)
  ./lca train --data "$DATA" "$@" --no-progress --out "$OUT/$name"
  cp "$OUT/$name/run.json" "$RESULTS/$name.run.json"
}
run sgd-momentum --preset paper-mnist-fc
# Plain SGD at lr 0.1: the step size SGD+momentum 0.9 reaches at lr 0.01 (0.01 / (1 - 0.9)).
run sgd --optimizer sgd --momentum 0 --lr 0.1 --validation-size 5000 --report
run adam --optimizer adam --lr 0.001 --validation-size 5000 --report
run sgd-momentum-5epochs --epochs 5 --reference-size 10000 --estimators exact --validation-size 5000
python3 bench/study/summarize.py "$RESULTS"/${PREFIX}{sgd-momentum,sgd,adam}.run.json
python3 bench/study/helped_phases.py "$OUT"/${PREFIX}{sgd-momentum,sgd,adam,sgd-momentum-5epochs}
