#!/usr/bin/env bash
# Everything issue 4 needs checked on a GPU, in one call of the device tool (benchmarks: gpu_bench.sh):
#   bench/device/prepare.sh check      # here, first
#   device run: bash bench/device/gpu_check.sh   carry: .device, java/target/test-classes
# 1. cuda/dev: every kernel vs its CPU reference (odd sizes, 1-700 layers, 1e8 parameters, bit-exact
#    reruns, plain vs fused optimizer bits, the MLP pieces);  2. the Java GPU tests (CudaLcaAccumulator
#    vs the CPU backend, the device-resident training loop vs the CPU harness, leaks over 10,000 steps,
#    cuBLAS SGEMM, the GPU MLP vs nn/Mlp, JCuda pointers) through JUnit's console launcher;  3. the
#    demo on synthetic data with --device cuda and --device cpu, per-layer LCA compared;  4. the
#    small kernel checks under compute-sanitizer (memcheck, racecheck), last because slowest. Logs go
#    to $OUT; the exit status is the first failure's.
# LCA4J_EMULATED=java/target/emu bash bench/device/gpu_check.sh rehearses it here on the CPU emulation
# (bench/device/emulated.sh): small kernel checks, no compute-sanitizer, nothing it prints is a GPU's.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-/tmp/gpu_check}"
mkdir -p "$OUT"
cd "$ROOT"
source bench/device/emulated.sh
status=0
fail() { echo "FAILED: $*"; [[ $status -eq 0 ]] && status=1; }
nvidia-smi -L | tee "$OUT/kernels.txt"
echo "== 1. kernels (cuda/dev/lca_check)"
"${LCA_CHECK[@]}" ${EMULATED:+--quick} --checks-only 2>&1 | tee -a "$OUT/kernels.txt" || fail "kernel checks"
echo "== 2. Java GPU tests"
source bench/device/cublas.sh
echo "cuBLAS: ${LCA4J_CUBLAS_LIB:-(library path)}"
tar -C .device -xzf .device/jre.tgz
JAVA=".device/jre/bin/java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xss8m${EMULATED:+ -Dlca4j.test.emulated-device=true}"
$JAVA -jar .device/junit-platform-console-standalone-*.jar execute --disable-banner --details=tree \
  -cp .device/lca4j-cli.jar:.device/jcuda.jar:java/target/test-classes --select-package org.lca4j.cuda --exclude-tag no-device --exclude-tag emulation 2>&1 | tee "$OUT/java-gpu-tests.txt" || fail "Java GPU tests"
# The no-device and emulation tests are left out (they skip where a GPU is, and the emulation's
# switches do not work on one); any other skip means GPU tests did
# not run (no device or no cuBLAS seen from Java).
aborted=$(grep -oE '\[ *[0-9]+ tests aborted' "$OUT/java-gpu-tests.txt" | grep -oE '[0-9]+')
[[ "$aborted" == 0 ]] || fail "Java GPU tests: $aborted skipped, so they did not run on the GPU"
echo "== 3. demo, cuda vs cpu"
for d in cuda cpu; do
  rm -rf "$OUT/demo-$d"  # a rehearsal may reuse OUT; lca never writes over a run
  $JAVA -jar .device/lca4j-cli.jar demo --data synthetic --device $d --no-progress --out "$OUT/demo-$d" \
    > "$OUT/demo-$d.txt" 2>&1 || fail "demo --device $d"
  tail -25 "$OUT/demo-$d.txt"
done
# With --device cuda the gradients come from cuBLAS, so the two trajectories differ by float32
# rounding that grows over 220 steps: compare within float tolerance, per step and over the run.
python3 - "$OUT/demo-cuda/layers.csv" "$OUT/demo-cpu/layers.csv" <<'PY' || fail "demo cuda vs cpu"
import csv, sys
from collections import defaultdict
a, b = ({(int(r["step"]), r["estimator"], r["layer"]): (float(r["lca"]), float(r["helped_fraction"])) for r in csv.DictReader(open(p))} for p in sys.argv[1:])
assert a.keys() == b.keys(), "different rows"
scale = defaultdict(float)  # largest |LCA| over the layers of one step and estimator (CPU run)
total_a, total_b = defaultdict(float), defaultdict(float)
for (t, e, l), (v, _) in b.items():
    scale[t, e] = max(scale[t, e], abs(v))
for k in a:
    total_a[k[1], k[2]] += a[k][0]
    total_b[k[1], k[2]] += b[k][0]
step = max(abs(a[k][0] - b[k][0]) / max(scale[k[0], k[1]], 1e-30) for k in a)
tscale = defaultdict(float)
for (e, l), v in total_b.items():
    tscale[e] = max(tscale[e], abs(v))
total = max(abs(total_a[k] - total_b[k]) / max(tscale[k[0]], 1e-30) for k in total_b)
hf = max(abs(a[k][1] - b[k][1]) for k in a)
print(f"demo cuda vs cpu: {len(a)} rows; per-layer LCA: worst step difference {step:.2e}, worst run-total difference {total:.2e} "
      f"(of the largest layer's); helped fraction {hf:.2e}")
sys.exit(0 if step < 5e-2 and total < 1e-2 and hf < 1e-2 else 1)
PY
[[ -n "$EMULATED" ]] && exit $status  # compute-sanitizer needs the GPU
echo "== 4. compute-sanitizer"
# The small checks again under compute-sanitizer: out-of-bounds and misaligned accesses, then
# shared-memory races in the block reductions. --no-oom: memcheck reports the out-of-memory that the
# error-recovery check provokes on purpose as an API error (it runs, unsanitized, in step 1).
for tool in memcheck racecheck; do
  timeout 90 compute-sanitizer --tool $tool --error-exitcode 3 "${TMPDIR:-/tmp}/lca_check" --quick --no-oom > "/tmp/sanitizer-$tool.txt" 2>&1
  rc=$?
  tail -3 "/tmp/sanitizer-$tool.txt" | tee -a "$OUT/kernels.txt"
  if [[ $rc -eq 124 ]]; then echo "compute-sanitizer $tool: did not finish in 90 s (not a failure)" | tee -a "$OUT/kernels.txt"
  elif [[ $rc -ne 0 ]]; then grep -m 20 "=========" "/tmp/sanitizer-$tool.txt" | tee -a "$OUT/kernels.txt"; fail "compute-sanitizer $tool"; fi
done
# $OUT brings back at most 8 files: keep the logs and each demo's run.json.
for d in cuda cpu; do [[ -f "$OUT/demo-$d/run.json" ]] && mv "$OUT/demo-$d/run.json" "$OUT/demo-$d.run.json"; rm -rf "$OUT/demo-$d"; done
exit $status
