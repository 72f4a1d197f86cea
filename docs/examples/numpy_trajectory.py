"""Trains a small ReLU MLP with plain numpy SGD and writes a trajectory for `./lca analyze`.

    python3 docs/examples/numpy_trajectory.py OUT [--steps 15]
    ./lca analyze OUT

writes OUT/trajectory/{model.json, theta.npy, ref_x.npy, ref_y.npy} in the format of the README's
"Writing a trajectory", and OUT/numpy_loss.npy: L_R(θ_t) for t = 0..T as numpy computes it, which
analyze's steps.csv (`loss_before`, `loss_after`) should match to float32 rounding.
"""
import argparse
import json
import os

import numpy as np

WIDTHS = [6, 12, 8, 3]  # inputs, hidden..., classes


def loss_and_grads(params, x, y):
    """Mean softmax cross-entropy and its gradient; params = [W1, b1, W2, b2, ...], W [out, in]."""
    layers = len(params) // 2
    hs = [x.astype(np.float64)]
    for l in range(layers):
        z = hs[-1] @ params[2 * l].astype(np.float64).T + params[2 * l + 1]
        hs.append(np.maximum(z, 0) if l < layers - 1 else z)
    z = hs[-1] - hs[-1].max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    rows = np.arange(len(y))
    loss = -logp[rows, y].mean()
    d = np.exp(logp)
    d[rows, y] -= 1
    d /= len(y)
    grads = [None] * len(params)
    for l in reversed(range(layers)):
        grads[2 * l], grads[2 * l + 1] = d.T @ hs[l], d.sum(axis=0)
        d = (d @ params[2 * l].astype(np.float64)) * (hs[l] > 0)
    return loss, grads


def flat(params):
    """θ as lca4j lays it out: fc1.weight [out, in] row-major, fc1.bias, fc2.weight, ..."""
    return np.concatenate([p.ravel() for p in params]).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=50)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    rows = 300
    x = rng.standard_normal((rows, WIDTHS[0])).astype(np.float32)
    teacher = rng.standard_normal((WIDTHS[0], WIDTHS[-1]))
    y = np.argmax(x @ teacher + 0.3 * rng.standard_normal((rows, WIDTHS[-1])), axis=1).astype(np.int32)
    params = []
    for w_in, w_out in zip(WIDTHS, WIDTHS[1:]):
        params.append((rng.standard_normal((w_out, w_in)) * np.sqrt(2 / w_in)).astype(np.float32))
        params.append(np.zeros(w_out, np.float32))

    thetas, losses = [flat(params)], [loss_and_grads(params, x, y)[0]]
    for _ in range(args.steps):
        batch = rng.choice(rows, args.batch, replace=False)
        _, grads = loss_and_grads(params, x[batch], y[batch])
        params = [(p - args.lr * g).astype(np.float32) for p, g in zip(params, grads)]
        thetas.append(flat(params))
        losses.append(loss_and_grads(params, x, y)[0])

    out = os.path.join(args.out, "trajectory")
    os.makedirs(out, exist_ok=True)
    layers = []
    for l, (w_in, w_out) in enumerate(zip(WIDTHS, WIDTHS[1:]), start=1):
        layers += [{"name": f"fc{l}.weight", "shape": [w_out, w_in]}, {"name": f"fc{l}.bias", "shape": [w_out]}]
    model = {"widths": WIDTHS, "activation": "relu", "loss": "softmax_cross_entropy_mean", "layers": layers,
             "initial_loss": float(losses[0]), "steps": args.steps}
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(model, f, indent=1)
    np.save(os.path.join(out, "theta.npy"), np.stack(thetas))  # float32 [T+1, D], C order
    np.save(os.path.join(out, "ref_x.npy"), x)                  # float32 [M, inputs]
    np.save(os.path.join(out, "ref_y.npy"), y)                  # int32 [M]
    np.save(os.path.join(args.out, "numpy_loss.npy"), np.array(losses))
    print(f"{out}: {args.steps} steps, L_R {losses[0]:.5f} -> {losses[-1]:.5f}")


if __name__ == "__main__":
    main()
