#!/usr/bin/env bash
# Times the chunked kernels (fused LCA, fused optimizer + LCA) compiled with other chunk lengths and
# blocks-per-SM bounds (cuda/src/common.cuh: LCA4J_CHUNK_STEPS, LCA4J_MIN_BLOCKS) and, with an "s"
# suffix, the optimizer kernel specialized per buffer combination (cuda/src/optim_lca.cu:
# LCA4J_OPT_SPECIALIZE), to choose the library's defaults from measurements, llm.c style. One device
# call, no Java:
#   device run: bash bench/device/chunk_variants.sh     (results: $OUT/variants.md and one .jsonl each)
# Each variant is checked against the CPU references (--quick) before it is timed.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-/tmp/chunk_variants}"
mkdir -p "$OUT"
cd "$ROOT"
nvidia-smi -L > /dev/null 2>&1 || { echo "chunk_variants: no NVIDIA GPU here" >&2; exit 77; }
VARIANTS=(${LCA4J_VARIANTS:-8x3 8x3s 8x4s 4x3s})   # steps x min-blocks [s]; the first is the library's
status=0
for v in "${VARIANTS[@]}"; do  # builds in parallel: nvcc is the slow part
  ( LCA4J_CHECK_ARCH=sm_90 LCA4J_CHECK_BIN="/tmp/lca_check_$v" \
    b="${v%s}"; spec=$([[ "$v" == *s ]] && echo 1 || echo 0)
    LCA4J_CHECK_FLAGS="-DLCA4J_CHUNK_STEPS=${b%x*} -DLCA4J_MIN_BLOCKS=${b#*x} -DLCA4J_OPT_SPECIALIZE=$spec" \
      bash cuda/dev/run.sh --quick --no-oom > "/tmp/check_$v.txt" 2>&1
    echo "variant $v: checks rc $?" ) &
done
wait
for v in "${VARIANTS[@]}"; do
  tail -1 "/tmp/check_$v.txt"
  grep -q "all checks passed" "/tmp/check_$v.txt" || { echo "variant $v FAILED its checks"; grep -m5 FAIL "/tmp/check_$v.txt"; status=1; continue; }
  "/tmp/lca_check_$v" --bench-only --max-params "${MAX_PARAMS:-100000000}" --json "$OUT/variant-$v.jsonl" > "/tmp/bench_$v.txt" 2>&1 || status=1
done
python3 - "$OUT" "${VARIANTS[@]}" > "$OUT/variants.md" <<'PY'
import json, subprocess, sys
out, variants = sys.argv[1], sys.argv[2:]
rows = {v: [json.loads(l) for l in open(f"{out}/variant-{v}.jsonl")] for v in variants if __import__("os").path.exists(f"{out}/variant-{v}.jsonl")}
gpu = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"], capture_output=True, text=True).stdout.strip()
print(f"GPU: {gpu}. Variant = chunk steps (x 1024 elements per chunk) x min blocks per SM, s = optimizer kernel specialized; "
      "% of a D2D copy of the same bytes (layer_lca), ms (optimizer).\n")
keys = [(r["params"], r["layers"], r["cumulative"]) for r in next(iter(rows.values())) if r["kernel"] == "layer_lca"]
print("| layer_lca params, layers, cumulative | " + " | ".join(rows) + " |")
print("|---|" + "---:|" * len(rows))
for k in keys:
    cells = []
    for v, rs in rows.items():
        r = next(r for r in rs if r["kernel"] == "layer_lca" and (r["params"], r["layers"], r["cumulative"]) == k)
        cells.append(f"{100 * r['copy_ms'] / r['fused_ms']:.0f}% ({r['fused_ms']:.3f} ms)")
    print(f"| {k[0]:.0e}, {k[1]}, {k[2]} | " + " | ".join(cells) + " |")
print("\n| optimizer (momentum) params | " + " | ".join(f"{v}: plain / fused / fused+trap / from state / from state+trap ms" for v in rows) + " |")
print("|---|" + "---:|" * len(rows))
for p in [r["params"] for r in next(iter(rows.values())) if r["kernel"] == "optimizer_momentum"]:
    cells = []
    for v, rs in rows.items():
        r = next(r for r in rs if r["kernel"] == "optimizer_momentum" and r["params"] == p)
        cells.append(" / ".join("–" if r.get(k) is None else f"{r[k]:.3f}" for k in ("plain_ms", "fused_ms", "fused_all_ms", "state_ms", "state_all_ms")))
    print(f"| {p:.0e} | " + " | ".join(cells) + " |")
PY
cat "$OUT/variants.md"
exit $status
