#!/usr/bin/env bash
# Issue 5's GPU benchmarks in one call of the device tool:
#   bench/device/prepare.sh bench        # here, first
#   device run: bash bench/device/gpu_bench.sh   carry: .device-bench
# 1. the fused LCA kernel vs a device-to-device copy of the same bytes and vs an unfused reference
#    (element-wise product, then one reduction per layer), 1e6–1e9 parameters in 10–1000 layers, and
#    the optimizer step plain / fused / separate (cuda/dev/lca_check --bench-only);
# 2. a whole training step on the GPU with LCA off / fused / separate (GpuStepOverhead);
# 3. the paper's MNIST-FC run with exact LCA on all 55k rows (Fashion-MNIST), --device cuda vs cpu.
# Results go to $OUT (JSON + markdown); bench/device/tables.py makes the markdown of step 1.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-/tmp/gpu_bench}"
PKG=.device-bench
mkdir -p "$OUT"
cd "$ROOT"
status=0
fail() { echo "FAILED: $*"; [[ $status -eq 0 ]] && status=1; }
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; date -u +%FT%TZ; git rev-parse --short HEAD 2>/dev/null; } | tee "$OUT/env.txt"
if [[ -z "${LCA4J_CUBLAS_LIB:-}" ]]; then
  LCA4J_CUBLAS_LIB="$(python3 -c "import nvidia, glob, os; print(next(iter(sorted(f for d in nvidia.__path__ for f in glob.glob(os.path.join(d, '**', 'libcublas.so.1*'), recursive=True))), ''))" 2>/dev/null || true)"
  export LCA4J_CUBLAS_LIB
fi
echo "cuBLAS: ${LCA4J_CUBLAS_LIB:-(library path)}" | tee -a "$OUT/env.txt"
tar -C "$PKG" -xJf "$PKG/jre.txz"
JAVA="$PKG/jre/bin/java --enable-native-access=ALL-UNNAMED"
CP="$PKG/lca4j-cli.jar:$PKG/lca4j-bench.jar"

echo "== 1. kernels"
LCA4J_CHECK_ARCH=sm_90 bash cuda/dev/run.sh --bench-only --json "$OUT/kernels.jsonl" 2>&1 | tee /tmp/kernels.txt || fail "kernel benchmarks"
python3 bench/device/tables.py "$OUT/kernels.jsonl" "$(head -1 "$OUT/env.txt")" > "$OUT/kernels.md" || fail "kernel tables"

echo "== 2. training step"
$JAVA -cp "$CP" org.lca4j.bench.GpuStepOverhead "$OUT/step-overhead.json" "$OUT/step-overhead.md" ${QUICK:+--quick} || fail "step overhead"

echo "== 3. exact LCA, paper MNIST-FC run: GPU vs CPU"
# The paper preset's settings spelled out (the preset also writes the report, whose charts need
# java.desktop, left out of this runtime to fit the carry limit).
PAPER=(train --data "$PKG/data" --model mnist-fc --optimizer sgd --momentum 0.9 --lr 0.01 --batch 250 --epochs 1
       --reference-size 0 --validation-size 5000 --estimators exact --no-progress)
{
  echo "| device | wall time s | exact LCA ms/step | training ms/step | conservation rel. error |"
  echo "|---|---:|---:|---:|---:|"
} > "$OUT/exact.md"
for d in cuda cpu; do
  $JAVA -jar "$PKG/lca4j-cli.jar" "${PAPER[@]}" --device $d --out "/tmp/exact-$d" > "/tmp/exact-$d.txt" 2>&1 || { tail -20 "/tmp/exact-$d.txt"; fail "exact --device $d"; continue; }
  tail -5 "/tmp/exact-$d.txt"
  python3 - "/tmp/exact-$d/run.json" "$d" >> "$OUT/exact.md" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); s = r["summary"]; e = r["environment"]
t = s.get("training_ms_per_step")
t = "–" if t is None else f"{t:.2f}"  # measured only when estimators run beside exact
print(f"| {sys.argv[2]}: {e['lca_device']}; {e.get('gradients', '')}; {e['cpus']} CPUs, {e['blas']} | {s['seconds']:.1f} | {s['exact_ms_per_step']:.1f} | {t} | {s['conservation']['rel_error']:.1e} |")
PY
  cp "/tmp/exact-$d/run.json" "$OUT/exact-$d.run.json"
done
cat "$OUT/exact.md"
exit $status
