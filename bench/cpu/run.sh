#!/usr/bin/env bash
# The full CPU benchmark behind the README's performance table: LcaStepBenchmark at 10^5..10^8
# parameters in 4 and 200 layers (lca4j, the ND4J path, a plain loop, and the copy ceiling), with
# JMH's default iterations (about 25 minutes on 2 cores). Results go to bench/results/cpu/<machine>-<date>.{json,md},
# <machine> from LCA4J_MACHINE (default: the host name).
#   bench/cpu/run.sh [extra JMH options]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
name="$MACHINE-$(date +%Y%m%d)"
# Before the run: its own result files, once tracked, would mark the commit -dirty.
HEAD_LINES="$(header "CPU LCA step benchmark")"
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar LcaStepBenchmark -rf json -rff "$RESULTS/$name.json" "$@"
{
  printf '%s\n\n' "$HEAD_LINES"
  "$JDK/bin/java" -cp bench/target/benchmarks.jar org.lca4j.bench.BenchTable "$RESULTS/$name.json"
} > "$RESULTS/$name.md"
cat "$RESULTS/$name.md"
