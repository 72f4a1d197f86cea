#!/usr/bin/env bash
# Packs what the GPU machine needs into .device/ (ignored by git), for one `device run` call that
# carries .device, java/target/test-classes (see gpu_check.sh). The device machine has nvcc and a GPU
# but no JDK or Maven, so this brings a jlinked Java 25 runtime (as a .tgz, to fit the 64 MiB carry
# limit), the CLI jar with liblca4j.so inside, and JUnit's console launcher.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JDK="${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* 2>/dev/null | sort -V | tail -1)}"
[[ -x "$JDK/bin/jlink" ]] || { echo "prepare.sh: no JDK 25 with jlink (set JAVA_HOME)"; exit 1; }
export JAVA_HOME="$JDK"
cd "$ROOT"
mvn -B -q -ntp -pl java -am package -DskipTests
mvn -B -q -ntp -pl java test-compile
rm -rf .device && mkdir -p .device
"$JDK/bin/jlink" --add-modules java.base,java.logging,jdk.unsupported,java.management,java.desktop,java.naming,java.xml,java.sql \
  --strip-debug --compress=zip-9 --no-header-files --no-man-pages --output .device/jre
tar -C .device -czf .device/jre.tgz jre && rm -rf .device/jre
cp java/target/lca4j-*-cli.jar .device/lca4j-cli.jar
mvn -B -q -ntp dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.11.4 -DoutputDirectory=.device
# JCuda's Java classes (no natives) for the JCudaPointers device test.
mvn -B -q -ntp dependency:copy -Dartifact=org.jcuda:jcuda:12.0.0 -Dmdep.stripVersion=true -DoutputDirectory=.device
du -sh .device
