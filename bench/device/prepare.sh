#!/usr/bin/env bash
# Packs what one device call needs into an ignored folder, since the GPU machine has nvcc and a GPU
# but no JDK, Maven or datasets (and nothing can be fetched there). Each call may carry 64 MiB.
#   bench/device/prepare.sh check   -> .device/        for gpu_check.sh: a jlinked Java 25 runtime,
#                                      the CLI jar (liblca4j.so inside), JUnit's console launcher, JCuda
#   bench/device/prepare.sh bench   -> .device-bench/  for gpu_bench.sh: a headless runtime (xz), the
#                                      CLI jar, the bench classes and the Fashion-MNIST training files
# Then: device run `bash bench/device/gpu_check.sh`, carry [".device", "java/target/test-classes"],
#   or: device run `bash bench/device/gpu_bench.sh`, carry [".device-bench"].
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WHAT="${1:-check}"
JDK="${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* 2>/dev/null | sort -V | tail -1)}"
[[ -x "$JDK/bin/jlink" ]] || { echo "prepare.sh: no JDK 25 with jlink (set JAVA_HOME)"; exit 1; }
export JAVA_HOME="$JDK"
cd "$ROOT"
# The modules the CLI and its libraries use; java.desktop only for the report's charts.
MODULES=java.base,java.logging,jdk.unsupported,java.management,java.naming,java.xml,java.sql,jdk.incubator.vector
case "$WHAT" in
  check)
    mvn -B -q -ntp -pl java -am package -DskipTests
    mvn -B -q -ntp -pl java test-compile
    rm -rf .device && mkdir -p .device
    # jdk.zipfs: JUnit's console launcher scans jars as file systems.
    "$JDK/bin/jlink" --add-modules "$MODULES,java.desktop,jdk.zipfs" --strip-debug --compress=zip-9 --no-header-files --no-man-pages --output .device/jre
    tar -C .device -czf .device/jre.tgz jre && rm -rf .device/jre
    cp java/target/lca4j-*-cli.jar .device/lca4j-cli.jar
    mvn -B -q -ntp dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.11.4 -DoutputDirectory=.device
    # JCuda's Java classes (no natives) for the JCudaPointers device test.
    mvn -B -q -ntp dependency:copy -Dartifact=org.jcuda:jcuda:12.0.0 -Dmdep.stripVersion=true -DoutputDirectory=.device
    git describe --always --dirty > .device/commit.txt
    du -sh .device
    ;;
  bench)
    DATA="${LCA4J_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
    [[ -f "$DATA/train-images-idx3-ubyte.gz" ]] || { echo "prepare.sh: no Fashion-MNIST training files in $DATA (apt-get install dataset-fashion-mnist)"; exit 1; }
    mvn -B -q -ntp -pl java,bench -am package -DskipTests
    rm -rf .device-bench && mkdir -p .device-bench/data
    "$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --compress=zip-9 --no-header-files --no-man-pages --output .device-bench/jre
    tar -C .device-bench -cJf .device-bench/jre.txz jre && rm -rf .device-bench/jre
    cp java/target/lca4j-*-cli.jar .device-bench/lca4j-cli.jar
    cp bench/target/lca4j-bench-*.jar .device-bench/lca4j-bench.jar
    cp "$DATA"/train-images-idx3-ubyte.gz "$DATA"/train-labels-idx1-ubyte.gz .device-bench/data/
    git describe --always --dirty > .device-bench/commit.txt   # the device copy has no .git
    du -sh .device-bench
    ;;
  *) echo "prepare.sh: say check or bench, not '$WHAT'"; exit 2 ;;
esac
