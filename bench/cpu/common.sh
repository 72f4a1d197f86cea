# Sourced by bench/cpu's scripts: the JDK, the built benchmark jar, where results go (named after
# LCA4J_MACHINE, default the host name) and the header of a result file.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JDK="${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* | sort -V | tail -1)}"
export JAVA_HOME="$JDK"
mvn -B -q -ntp -pl bench -am package -DskipTests
RESULTS="$ROOT/bench/results/cpu"
mkdir -p "$RESULTS"
MACHINE="${LCA4J_MACHINE:-$(hostname -s)}"

# header TITLE [NOTE]: a result file's first lines, naming date, commit, machine and JDK.
header() {
  echo "# $1, $(date -u +%Y-%m-%d), commit $(git describe --always --dirty)"
  echo
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/Mem:/{print $2}') GiB;" \
       "$("$JDK/bin/java" -version 2>&1 | head -1)${2:+; $2}"
  echo
}
