#!/usr/bin/env bash
# Times the chunked kernels (fused LCA, fused optimizer + LCA) compiled with other chunk lengths and
# blocks-per-SM bounds (cuda/src/common.cuh: LCA4J_CHUNK_STEPS, LCA4J_MIN_BLOCKS) and the development
# variants, to choose the library's defaults from measurements, llm.c style. Suffixes:
#   s  the optimizer kernel specialized per buffer combination (cuda/src/optim_lca.cu: LCA4J_OPT_SPECIALIZE)
#   p  both kernels spread over exactly the resident blocks instead of chunked (cuda/src/partials.cuh:
#      LCA4J_SPREAD)
# One device call, no Java:
#   device run: bash bench/device/chunk_variants.sh     (results: $OUT/variants.md and one .jsonl each)
# Each variant is checked against the CPU references (--quick) before it is timed.
# LCA4J_EMULATED=1 rehearses it here: each variant built on the CPU emulation (native-build/build-emu.sh),
# small sizes only; the table then says EMULATED and its numbers say nothing about a GPU.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-/tmp/chunk_variants}"
mkdir -p "$OUT"
cd "$ROOT"
if [[ -n "${LCA4J_EMULATED:-}" ]]; then
  nvidia-smi() { echo "lca4j-emu (EMULATED on the CPU - not a GPU), n/a"; }
  MAX_PARAMS="${MAX_PARAMS:-300000}"
fi
nvidia-smi -L > /dev/null 2>&1 || { echo "chunk_variants: no NVIDIA GPU here" >&2; exit 77; }
VARIANTS=(${LCA4J_VARIANTS:-8x3 8x3s 8x3p 8x3sp 8x4sp})   # steps x min-blocks [s][p]; the first is the library's
status=0
build_and_check() {  # $1 variant: leaves /tmp/lca_check_$1 and its check's output in /tmp/check_$1.txt
  local b="${1%%[sp]*}" suffix spec spread flags
  suffix="${1#"$b"}"
  spec=$([[ "$suffix" == *s* ]] && echo 1 || echo 0)
  spread=$([[ "$suffix" == *p* ]] && echo 1 || echo 0)
  flags="-DLCA4J_CHUNK_STEPS=${b%x*} -DLCA4J_MIN_BLOCKS=${b#*x} -DLCA4J_OPT_SPECIALIZE=$spec -DLCA4J_SPREAD=$spread"
  if [[ -n "${LCA4J_EMULATED:-}" ]]; then
    LCA4J_EMU_CXXFLAGS="$flags" bash native-build/build-emu.sh "/tmp/emu_variant_$1" > /dev/null &&
      cp "/tmp/emu_variant_$1/lca_check" "/tmp/lca_check_$1" && "/tmp/lca_check_$1" --quick --no-oom
  else
    # One command with its environment: run.sh must see the binary's name, or the builds share one.
    LCA4J_CHECK_ARCH=sm_90 LCA4J_CHECK_BIN="/tmp/lca_check_$1" LCA4J_CHECK_FLAGS="$flags" bash cuda/dev/run.sh --quick --no-oom
  fi
}
for v in "${VARIANTS[@]}"; do  # builds in parallel: the compiler is the slow part
  ( build_and_check "$v" > "/tmp/check_$v.txt" 2>&1; echo "variant $v: checks rc $?" ) &
done
wait
for v in "${VARIANTS[@]}"; do
  tail -1 "/tmp/check_$v.txt"
  grep -q "all checks passed" "/tmp/check_$v.txt" || { echo "variant $v FAILED its checks"; grep -m5 FAIL "/tmp/check_$v.txt"; status=1; continue; }
  "/tmp/lca_check_$v" --bench-only --max-params "${MAX_PARAMS:-100000000}" --json "$OUT/variant-$v.jsonl" > "/tmp/bench_$v.txt" 2>&1 || status=1
done
GPU="$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1)"
python3 - "$OUT" "$GPU" "${VARIANTS[@]}" > "$OUT/variants.md" <<'PY'
import json, sys
out, gpu, variants = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = {v: [json.loads(l) for l in open(f"{out}/variant-{v}.jsonl")] for v in variants if __import__("os").path.exists(f"{out}/variant-{v}.jsonl")}
if not rows:
    sys.exit("chunk_variants: no variant was timed")
print(f"GPU: {gpu}. Variant = chunk steps (x 1024 elements per chunk) x min blocks per SM, s = optimizer kernel specialized, "
      "p = spread over the resident blocks; "
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
