#!/usr/bin/env python3
"""Prints the README's debiased_trap tables (Markdown) from the run.json files of debiased.sh.

Usage: bench/study/debiased.py bench/results/study/debiased/*.run.json

Per run: mean per-layer Pearson r and mean cumulative relative error (docs/LCA.md, "How an estimator
is judged") of free_trap and debiased_trap over all steps / the early 10% / the rest, whether
debiased_trap meets the target (r >= 0.95 and error <= 0.10 over all steps), and how much of the
noise bias it removed: N = same_batch + next_batch_end - 2 exact summed over the run (free_trap
carries N/2), against its own estimate N_hat = 2 (free_trap - debiased_trap).
"""
import json
import sys

R_TARGET, ERR_TARGET = 0.95, 0.10


def three(est, key):
    ph = est.get("phases") or {}
    vals = [est.get(key), (ph.get("early") or {}).get(key), (ph.get("late") or {}).get(key)]
    return " / ".join("–" if v is None else f"{v:.2f}" for v in vals)


def total(s, name):
    return sum(s["layer_totals"][name].values())


rows = []
for path in sys.argv[1:]:
    with open(path) as f:
        run = json.load(f)
    s, c = run["summary"], run["config"]
    name = path.rsplit("/", 1)[-1].replace(".run.json", "")
    free, deb = s["estimators"]["free_trap"], s["estimators"]["debiased_trap"]
    n = total(s, "same_batch") + total(s, "next_batch_end") - 2 * total(s, "exact")
    n_hat = 2 * (total(s, "free_trap") - total(s, "debiased_trap"))
    met = deb["layer_pearson_r"] >= R_TARGET and deb["cumulative_rel_error"] <= ERR_TARGET
    rows.append((name, c["optimizer"], three(free, "layer_pearson_r"), three(deb, "layer_pearson_r"),
                 three(free, "cumulative_rel_error"), three(deb, "cumulative_rel_error"),
                 f"{n:.2f}", f"{n_hat / n:.2f}" if n else "–", "yes" if met else "no"))

head = ["run", "optimizer", "free_trap r (all / early / late)", "debiased_trap r", "free_trap cum. err",
        "debiased_trap cum. err", "noise bias N", "N̂/N", "target met"]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for r in rows:
    print("| " + " | ".join(r) + " |")
