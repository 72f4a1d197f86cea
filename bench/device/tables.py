#!/usr/bin/env python3
"""Markdown tables from cuda/dev/lca_check's --json lines (one object per benchmark).

Usage: tables.py kernels.jsonl "header line (GPU, driver, date, commit)" > kernels.md
GB/s counts the bytes each kernel must move (read + write); "% of copy" is a device-to-device copy
of the same bytes, timed in the same run, over the kernel's time: 100% means the kernel runs at the
measured memory ceiling.
"""
import json
import sys


def main(path, device):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    lca = [r for r in rows if r["kernel"] == "layer_lca"]
    opt = [r for r in rows if r["kernel"].startswith("optimizer")]
    bias = [r for r in rows if r["kernel"] == "bias_grad"]
    print(f"{device}\n")
    print("| parameters | layers | cumulative | fused ms | fused GB/s | % of copy | unfused ms | fused speed-up | copy GB/s |")
    print("|---:|---:|:---:|---:|---:|---:|---:|---:|---:|")
    for r in lca:
        gbs = r["bytes"] / (r["fused_ms"] * 1e-3) / 1e9
        copy = r["bytes"] / (r["copy_ms"] * 1e-3) / 1e9
        unfused = r["unfused_ms"]
        unf = "–" if unfused is None else f"{unfused:.3f}"  # not run: cumulative case, or no room for A
        speed = "–" if unfused is None else f"{unfused / r['fused_ms']:.1f}×"
        print(f"| {r['params']:,} | {r['layers']} | {'yes' if r['cumulative'] else 'no'} | {r['fused_ms']:.3f} | {gbs:.0f} | "
              f"{100 * r['copy_ms'] / r['fused_ms']:.0f}% | {unf} | {speed} | {copy:.0f} |")
    if opt:
        # Older result files have no from-state columns: shown as a dash.
        print("\n| parameters | plain momentum step ms | fused: next_batch_end + same_batch | fused: + free_trap | same, Δθ from state "
              "| + free_trap, Δθ from state | plain + separate LCA launch |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for r in opt:
            p = r["plain_ms"]
            cells = [f"{r[k]:.3f} ms ({100 * (r[k] / p - 1):+.0f}%)" if r.get(k) is not None else "–"
                     for k in ("fused_ms", "fused_all_ms", "state_ms", "state_all_ms", "separate_ms")]
            print(f"| {r['params']:,} | {p:.3f} | " + " | ".join(cells) + " |")
    if bias:
        # The MLP's bias gradient: the library's row-order kernel (the CPU's bits) vs a faster-shaped
        # candidate in cuda/dev; worth switching only if the library's time is a visible share of a step.
        print("\n| bias gradient rows × columns | library ms (thread per column) | candidate ms (8 strands + tree) |")
        print("|---:|---:|---:|")
        for r in bias:
            print(f"| {r['rows']} × {r['out']} | {r['library_ms']:.4f} | {r['candidate_ms']:.4f} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "unknown")
