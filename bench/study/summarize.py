#!/usr/bin/env python3
"""Prints the README's "What we found" tables (Markdown) from study run.json files.

Usage: bench/study/summarize.py bench/results/study/*.run.json
"""
import json
import sys

METRICS = [("layer_pearson_r", "layer r"), ("cumulative_rel_error", "cum. rel. err"),
           ("param_step_sign_agreement", "param sign agr."), ("helped_fraction_mad", "helped-frac. MAD")]


def fmt(v):
    return "–" if v is None else f"{v:.3f}"


def table(name, s):
    c = s["conservation"]
    print(f"### {name}\n")
    line = (f"steps {s['steps']}, conservation rel. error {c['rel_error']:.2e}, "
            f"exact helped fraction {100 * s['mean_helped_fraction']['exact']:.1f}%")
    if not s.get("estimators"):
        # An exact-only run (sgd-momentum-5epochs): no estimators to compare.
        print(line + ", exact LCA only (no estimators)\n")
        return
    print(line + ", best by cost: " + ", ".join(f"{k} evals → {v}" for k, v in s["best_by_cost"].items()) + "\n")
    head = ["estimator", "extra evals"] + [f"{label} (all / early / late)" for _, label in METRICS]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for est, r in s["estimators"].items():
        ph = r.get("phases") or {}
        cells = [est, str(r["extra_evals_per_step"])]
        for key, _ in METRICS:
            e = (ph.get("early") or {}).get(key)
            l = (ph.get("late") or {}).get(key)
            cells.append(f"{fmt(r.get(key))} / {fmt(e)} / {fmt(l)}")
        print("| " + " | ".join(cells) + " |")
    print()


for path in sys.argv[1:]:
    with open(path) as f:
        run = json.load(f)
    table(path.rsplit("/", 1)[-1].replace(".run.json", ""), run["summary"])
