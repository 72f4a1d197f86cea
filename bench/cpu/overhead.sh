#!/usr/bin/env bash
# LCA's cost on a whole CPU training step (TrainingOverhead in bench/: plain training vs each
# estimator vs exact LCA, MNIST-FC and a 1.9M-parameter MLP, synthetic data). About 10 minutes on 2
# cores for the default 200 steps. Results: bench/results/cpu/training-overhead-<machine>-<date>.{json,md},
# <machine> from LCA4J_MACHINE (default: the host name).
#   bench/cpu/overhead.sh [steps]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
name="training-overhead-$MACHINE-$(date +%Y%m%d)"
TMP="$(mktemp)"
# Before the run: its own result files, once tracked, would mark the commit -dirty.
HEAD_LINES="$(header "LCA's cost on a CPU training step" "${1:-200} steps per run; times are the median step (exact LCA: the mean)")"
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
  org.lca4j.bench.TrainingOverhead "${1:-200}" "$TMP" "$RESULTS/$name.json" 2>/dev/null
{
  printf '%s\n\n' "$HEAD_LINES"
  cat "$TMP"
} > "$RESULTS/$name.md"
rm -f "$TMP"
cat "$RESULTS/$name.md"
