"""Reads a run directory with numpy exactly as the README's "Outputs" describes its files, and checks
that they agree with each other and with docs/LCA.md. Prints one line per check; exits 1 if any fails.

    python3 docs/examples/check_run.py RUN_DIR

Checked: each estimator's cumulative/<estimator>/<layer>.npy has the layer's shape from run.json and
sums to Σ_t of its layers.csv `lca` and to run.json's layer_totals; helped_fraction lies in [0, 1];
steps.csv `lca` is the sum of the step's exact rows, `loss_change` = `loss_after` − `loss_before`,
`error` = `loss_change` − `lca` (and the same for val_*); summary.conservation agrees with steps.csv;
mean_helped_fraction is the mean over steps of the share of all parameters with A < 0; samples/
has the documented dtypes and shapes, each column sums to the parameter's cumulative value, and, when
every parameter is sampled, gives layers.csv's lca and helped_fraction; and trajectory/'s θ rows give
steps.csv's loss_before and loss_after when L_R is computed in numpy from ref_x.npy and ref_y.npy.
"""
import csv
import json
import os
import sys

import numpy as np

failed = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failed.append(what)


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def reference_loss(theta_row, widths, x, y):
    """L_R(θ) for the README's network: W [out, in] row-major, ReLU between layers, mean softmax cross-entropy."""
    h, o = x.astype(np.float64), 0
    for l in range(len(widths) - 1):
        w_in, w_out = widths[l], widths[l + 1]
        w = theta_row[o:o + w_out * w_in].reshape(w_out, w_in).astype(np.float64)
        b = theta_row[o + w_out * w_in:o + w_out * w_in + w_out].astype(np.float64)
        o += w_out * w_in + w_out
        h = h @ w.T + b
        if l < len(widths) - 2:
            h = np.maximum(h, 0)
    z = h - h.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean()


def main(d):
    run = json.load(open(os.path.join(d, "run.json")))
    summary, layers = run["summary"], run["layers"]
    steps = list(csv.DictReader(open(os.path.join(d, "steps.csv"))))
    rows = list(csv.DictReader(open(os.path.join(d, "layers.csv"))))
    T = len(steps)
    estimators = list(dict.fromkeys(r["estimator"] for r in rows))
    size = {l["name"]: l["size"] for l in layers}
    D = sum(size.values())
    per_layer, per_step, helped = {}, {}, {}
    for r in rows:
        e, t, lca, hf = r["estimator"], int(r["step"]), float(r["lca"]), float(r["helped_fraction"])
        per_layer[(e, r["layer"])] = per_layer.get((e, r["layer"]), 0.0) + lca
        per_step[(e, t)] = per_step.get((e, t), 0.0) + lca
        helped[(e, t)] = helped.get((e, t), 0.0) + hf * size[r["layer"]] / D
    check(all(0 <= float(r["helped_fraction"]) <= 1 for r in rows), "layers.csv helped_fraction within [0, 1]")
    check(json.load(open(os.path.join(d, "cumulative", "steps.json")))["steps"] == T, "cumulative/steps.json holds all steps")
    check(sorted(summary["layer_totals"]) == sorted(estimators), "layer_totals has every estimator of layers.csv")

    cumulative = {}
    for e in estimators:
        bad = []
        for l in layers:
            a = np.load(os.path.join(d, "cumulative", e, l["name"] + ".npy"))
            cumulative[(e, l["name"])] = a
            if a.dtype != np.float64 or list(a.shape) != l["shape"]:
                bad.append(f"{l['name']} {a.dtype} {list(a.shape)} (run.json: {l['shape']})")
            total = summary["layer_totals"][e][l["name"]]
            if not (close(a.sum(), per_layer[(e, l["name"])]) and close(a.sum(), total)):
                bad.append(f"{l['name']}: npy sum {float(a.sum())!r}, layers.csv sum {per_layer[(e, l['name'])]!r}, layer_totals {total!r}")
        check(not bad, f"cumulative/{e}: float64 in the layer's shape, sums = layers.csv = layer_totals" + ("; " + "; ".join(bad) if bad else ""))
        check(close(np.mean([helped[(e, t)] for t in range(T)]), summary["mean_helped_fraction"][e]),
              f"mean_helped_fraction[{e}] = mean over steps of the share of all parameters with A < 0")

    for prefix, name, key in (("", "exact", "conservation"), ("val_", "exact_val", "validation_conservation")):
        if key not in summary:
            continue
        col = lambda k: np.array([float(r[prefix + k]) for r in steps])
        before, after, change, lca, error = (col(k) for k in ("loss_before", "loss_after", "loss_change", "lca", "error"))
        splits = np.array([int(r[prefix + "splits"]) for r in steps])
        check(all(close(lca[t], per_step[(name, t)], 1e-12) for t in range(T)), f"steps.csv {prefix}lca = Σ of the step's {name} rows")
        check(np.all(change == after - before), f"steps.csv {prefix}loss_change = {prefix}loss_after − {prefix}loss_before")
        check(np.all(error == change - lca), f"steps.csv {prefix}error = {prefix}loss_change − {prefix}lca")
        check(np.all(after[:-1] == before[1:]), f"steps.csv {prefix}loss_after of a step = {prefix}loss_before of the next")
        c = summary[key]
        tol = run["config"]["tol"]
        check(close(c["total_lca"], lca.sum(), 1e-12) and c["initial_loss"] == before[0] and c["final_loss"] == after[-1]
              and c["total_loss_change"] == after[-1] - before[0]
              and close(c["rel_error"], abs(c["total_lca"] - c["total_loss_change"]) / abs(c["total_loss_change"]))
              and close(c["max_step_abs_error"], np.abs(error).max()) and close(c["sum_abs_error"], np.abs(error).sum())
              and close(c["mean_splits"], splits.mean()) and c["max_splits_used"] == splits.max()
              and c["steps_over_tolerance"] == int((np.abs(error) > tol).sum()), f"summary.{key} agrees with steps.csv")
        check(abs(c["total_lca"] - c["total_loss_change"]) <= c["sum_abs_error"] + 1e-12, f"summary.{key}: |Σ A − ΔL_R| ≤ Σ_t |e_t|")

    samples = os.path.join(d, "samples")
    if os.path.isdir(samples):
        idx = np.load(os.path.join(samples, "indices.npy"))
        check(idx.dtype == np.int32 and len(idx) == min(512, D) and np.all(np.diff(idx) > 0) and 0 <= idx[0] and idx[-1] < D,
              f"samples/indices.npy int32, ascending, {min(512, D)} indices into θ")
        sampled = sorted(f[:-4] for f in os.listdir(samples) if f != "indices.npy")
        check(sampled == sorted(e for e in estimators if e != "exact_val"), "samples/ holds exact and each approximate estimator")
        for e in sampled:
            a = np.load(os.path.join(samples, e + ".npy"))
            flat = np.concatenate([cumulative[(e, l["name"])].ravel() for l in layers])
            ok = a.dtype == np.float64 and a.shape == (T, len(idx)) and np.allclose(a.sum(axis=0), flat[idx], rtol=1e-9, atol=1e-300)
            if ok and len(idx) == D:
                for r in (r for r in rows if r["estimator"] == e):
                    l = next(l for l in layers if l["name"] == r["layer"])
                    A = a[int(r["step"]), l["offset"]:l["offset"] + l["size"]]
                    ok = ok and close(A.sum(), float(r["lca"]), 1e-9) and close((A < 0).mean(), float(r["helped_fraction"]), 1e-12)
            check(ok, f"samples/{e}.npy float64 [T, {len(idx)}], columns sum to cumulative/" + (", rows give layers.csv" if len(idx) == D else ""))

    traj = os.path.join(d, "trajectory")
    if os.path.isdir(traj):
        model = json.load(open(os.path.join(traj, "model.json")))
        theta = np.load(os.path.join(traj, "theta.npy"))
        x, y = np.load(os.path.join(traj, "ref_x.npy")), np.load(os.path.join(traj, "ref_y.npy"))
        check(theta.dtype == np.float32 and theta.shape == (T + 1, D) and x.dtype == np.float32 and y.dtype == np.int32,
              "trajectory/: theta float32 [T+1, D], ref_x float32, ref_y int32")
        loss = np.array([reference_loss(r, model["widths"], x, y) for r in theta])
        before = np.array([float(r["loss_before"]) for r in steps])
        worst = max(np.abs(loss[:-1] - before).max(), abs(loss[-1] - float(steps[-1]["loss_after"])))
        check(worst < 1e-6, f"L_R(θ_t) from trajectory/ in numpy = steps.csv loss_before (max |difference| {worst:.1e})")
    print(f"{len(failed)} of the checks failed" if failed else "all checks hold")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
