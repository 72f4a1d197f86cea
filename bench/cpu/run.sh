#!/usr/bin/env bash
# The full CPU benchmark behind the README's performance table: LcaStepBenchmark at 10^5..10^8
# parameters in 4 and 200 layers (lca4j, the ND4J path, a plain loop, and the copy ceiling), with
# JMH's default iterations (about 25 minutes on 2 cores). Results go to bench/results/cpu/<host>-<date>.{json,md}.
#   bench/cpu/run.sh [extra JMH options]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JDK="${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* | sort -V | tail -1)}"
export JAVA_HOME="$JDK"
mvn -B -q -ntp -pl bench -am package -DskipTests
RESULTS="$ROOT/bench/results/cpu"
mkdir -p "$RESULTS"
name="$(hostname -s)-$(date +%Y%m%d)"
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar LcaStepBenchmark -rf json -rff "$RESULTS/$name.json" "$@"
{
  echo "# CPU LCA step benchmark, $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD)"
  echo
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/Mem:/{print $2}') GiB;" \
       "$("$JDK/bin/java" -version 2>&1 | head -1)"
  echo
  "$JDK/bin/java" -cp bench/target/benchmarks.jar org.lca4j.bench.BenchTable "$RESULTS/$name.json"
} > "$RESULTS/$name.md"
cat "$RESULTS/$name.md"
