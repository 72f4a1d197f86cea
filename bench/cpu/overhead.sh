#!/usr/bin/env bash
# LCA's cost on a whole CPU training step (TrainingOverhead in bench/: plain training vs each
# estimator vs exact LCA, MNIST-FC and a 1.9M-parameter MLP, synthetic data). About 10 minutes on 2
# cores for the default 200 steps. Results: bench/results/cpu/training-overhead-<machine>-<date>.{json,md},
# <machine> from LCA4J_MACHINE (default: the host name).
#   bench/cpu/overhead.sh [steps]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JDK="${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* | sort -V | tail -1)}"
export JAVA_HOME="$JDK"
mvn -B -q -ntp -pl bench -am package -DskipTests
RESULTS="$ROOT/bench/results/cpu"
mkdir -p "$RESULTS"
name="training-overhead-${LCA4J_MACHINE:-$(hostname -s)}-$(date +%Y%m%d)"
TMP="$(mktemp)"
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
  org.lca4j.bench.TrainingOverhead "${1:-200}" "$TMP" "$RESULTS/$name.json" 2>/dev/null
{
  echo "# LCA's cost on a CPU training step, $(date -u +%Y-%m-%d), commit $(git describe --always --dirty)"
  echo
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/Mem:/{print $2}') GiB;" \
       "$("$JDK/bin/java" -version 2>&1 | head -1); ${1:-200} steps per run"
  echo
  cat "$TMP"
} > "$RESULTS/$name.md"
rm -f "$TMP"
cat "$RESULTS/$name.md"
