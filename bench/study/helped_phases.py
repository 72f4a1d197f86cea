#!/usr/bin/env python3
"""Exact helped fraction over all parameters, by phase of training, from run directories' layers.csv.

Usage: bench/study/helped_phases.py RUN_DIR [RUN_DIR ...]
"""
import csv
import json
import sys


def helped_by_step(d):
    sizes = {l["name"]: l["size"] for l in json.load(open(d + "/run.json"))["layers"]}
    total = sum(sizes.values())
    hf = {}
    for row in csv.DictReader(open(d + "/layers.csv")):
        if row["estimator"] == "exact":
            t = int(row["step"])
            hf[t] = hf.get(t, 0.0) + float(row["helped_fraction"]) * sizes[row["layer"]] / total
    return [hf[t] for t in sorted(hf)]


for d in sys.argv[1:]:
    h = helped_by_step(d)
    e = max(1, -(-len(h) // 10))  # the first 10% of steps, as the study's early phase
    mean = lambda xs: sum(xs) / len(xs)
    print(f"{d}: {len(h)} steps, helped fraction mean {mean(h):.3f}, first 10% {mean(h[:e]):.3f}, "
          f"rest {mean(h[e:]):.3f}, last 10% {mean(h[-e:]):.3f}, min {min(h):.3f}")
