#!/usr/bin/env bash
# Issue 5's GPU benchmarks in one command, on any machine with an NVIDIA GPU:
#   ./lca bench --gpu                    # a checkout with a JDK: builds, then runs this with local paths
#   bench/device/prepare.sh bench        # or, for this project's device tool: pack here, then
#   device run: bash bench/device/gpu_bench.sh   carry: .device-bench
# 1. the fused LCA kernel vs a device-to-device copy of the same bytes and vs an unfused reference
#    (element-wise product, then one reduction per layer), 1e6–1e9 parameters in 10–1000 layers, and
#    the optimizer step plain / fused / separate, and the MLP's bias-gradient kernel vs a candidate
#    (cuda/dev/lca_check --bench-only);
# 2. a whole training step on the GPU with LCA off / fused / separate (GpuStepOverhead);
# 3. the paper's MNIST-FC run with exact LCA on all 55k rows (Fashion-MNIST), --device cuda vs cpu.
# Results go to $OUT (JSON + markdown); bench/device/tables.py makes the markdown of step 1.
# Where things are: LCA4J_JAVA (a java binary), LCA4J_CLI_JAR, LCA4J_BENCH_JAR, LCA4J_DATA (an MNIST-
# format directory); unset, they come from .device-bench (prepare.sh's package).
# LCA4J_EMULATED=java/target/emu rehearses it here on the CPU emulation (bench/device/emulated.sh):
# small sizes only, headers marked EMULATED; its numbers say nothing about a GPU.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-/tmp/gpu_bench}"
PKG=.device-bench
mkdir -p "$OUT"
cd "$ROOT"
source bench/device/emulated.sh
status=0
fail() { echo "FAILED: $*"; [[ $status -eq 0 ]] && status=1; }
if ! nvidia-smi -L > /dev/null 2>&1; then
  echo "gpu_bench: no NVIDIA GPU here (nvidia-smi finds none); these benchmarks need one" >&2
  exit 77
fi
# The device copy has no .git: prepare.sh leaves the commit in the package (used only in that mode).
if [[ -z "${LCA4J_JAVA:-}" && -f "$PKG/commit.txt" ]]; then COMMIT="$(cat "$PKG/commit.txt")"
else COMMIT="$(git describe --always --dirty 2>/dev/null || echo unknown)"; fi
GPU="$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)"
# One line naming what the results come from, at the top of every table.
HEADER="GPU: $GPU (name, driver, memory); $(date -u +%F); commit $COMMIT${EMULATED:+ (EMULATED rehearsal: not GPU figures)}"
# A rehearsal keeps to sizes the emulation gets through in minutes.
SMALL=${EMULATED:+--max-params 300000}
[[ -n "$EMULATED" ]] && QUICK=1
echo "$HEADER" | tee "$OUT/env.txt"
source bench/device/cublas.sh
echo "cuBLAS: ${LCA4J_CUBLAS_LIB:-(library path)}" | tee -a "$OUT/env.txt"
if [[ -z "${LCA4J_JAVA:-}" ]]; then
  tar -C "$PKG" -xJf "$PKG/jre.txz" || { echo "gpu_bench: no $PKG/jre.txz: run bench/device/prepare.sh bench, or set LCA4J_JAVA and the jars"; exit 2; }
  LCA4J_JAVA="$PKG/jre/bin/java"
fi
CLI_JAR="${LCA4J_CLI_JAR:-$PKG/lca4j-cli.jar}"
DATA="${LCA4J_DATA:-$PKG/data}"
# The flags ./lca gives the CLI (the CPU backend's Vector API path included).
JAVA="$LCA4J_JAVA --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xss8m"
CP="$CLI_JAR:${LCA4J_BENCH_JAR:-$PKG/lca4j-bench.jar}"

echo "== 1. kernels"
timeout 200 "${LCA_CHECK[@]}" --bench-only $SMALL --json "$OUT/kernels.jsonl" 2>&1 | tee /tmp/kernels.txt || fail "kernel benchmarks"
python3 bench/device/tables.py "$OUT/kernels.jsonl" "$HEADER" > "$OUT/kernels.md" || fail "kernel tables"

echo "== 2. training step"
timeout 240 $JAVA -cp "$CP" org.lca4j.bench.GpuStepOverhead "$OUT/step-overhead.json" "$OUT/step-overhead.md" ${QUICK:+--quick} $SMALL || fail "step overhead"
[[ -f "$OUT/step-overhead.md" ]] && sed -i "1i $HEADER\n" "$OUT/step-overhead.md"

echo "== 3. exact LCA, paper MNIST-FC run: GPU vs CPU"
# The paper preset's settings spelled out (the preset also writes the report, whose charts need
# java.desktop, left out of the device runtime to fit the carry limit). The CPU run is cut at
# CPU_LIMIT seconds (0: never) to keep a device call inside its 10 minutes (that machine has no
# native BLAS); a cut run is reported from the steps it finished.
PAPER=(train --data "$DATA" --model mnist-fc --optimizer sgd --momentum 0.9 --lr 0.01 --batch 250 --epochs 1
       --reference-size 0 --validation-size 5000 --estimators exact --no-progress)
{
  echo "$HEADER"
  echo
  echo "| device | steps done | wall time s | exact LCA ms/step | step ms (all work) | conservation rel. error |"
  echo "|---|---:|---:|---:|---:|---:|"
} > "$OUT/exact.md"
for d in cuda cpu; do
  limit=$([[ $d == cpu ]] && echo "${CPU_LIMIT:-150}" || echo "${GPU_LIMIT:-300}")
  rm -rf "/tmp/exact-$d"
  timeout "$limit" $JAVA -jar "$CLI_JAR" "${PAPER[@]}" --device $d --out "/tmp/exact-$d" > "/tmp/exact-$d.txt" 2>&1
  rc=$?
  tail -3 "/tmp/exact-$d.txt"
  [[ $rc -eq 0 || $rc -eq 124 ]] || { tail -20 "/tmp/exact-$d.txt"; fail "exact --device $d"; continue; }
  python3 - "/tmp/exact-$d" "$d" "$rc" "$limit" >> "$OUT/exact.md" <<'PY' || fail "exact $d table"
import csv, json, sys
run, device, rc, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
r = json.load(open(f"{run}/run.json")); e = r["environment"]
steps = list(csv.DictReader(open(f"{run}/steps.csv")))
step_ms = sum(float(x["step_ms"]) for x in steps) / max(1, len(steps))
where = f"{device}: {e['lca_device']}; {e.get('gradients', '')}; {e['cpus']} CPUs, {e['blas']}"
if rc == 0:
    s = r["summary"]
    print(f"| {where} | {s['steps']} | {s['seconds']:.1f} | {s['exact_ms_per_step']:.1f} | {step_ms:.1f} | {s['conservation']['rel_error']:.1e} |")
else:
    print(f"| {where} | {len(steps)} of 220 (stopped at the {limit} s limit) | – | – | {step_ms:.1f} | – |")
PY
  cp "/tmp/exact-$d/run.json" "$OUT/exact-$d.run.json"
done
cat "$OUT/exact.md"
exit $status
