"""Writes the reference fit of `Tests/LinearProbeTests/SoftmaxRegressionTests.swift`:
multinomial logistic regression on standardised features with an L2 penalty on the
weights (not the bias), minimised to convergence by PyTorch's L-BFGS in float64.

    /work/venv/bin/python Scripts/make_probe_fixtures.py

The objective is the probe's:  mean_i CE(W x̂_i + b, y_i) + (l2 / 2) ||W||²,
x̂ = (x − mean) / std with the population std of the training rows (a constant feature
gets std 1). It is strictly convex in W, so its minimiser is unique and the Swift fit
(float32 tape, its own L-BFGS) must land on the same point.

Writes Tests/LinearProbeTests/Fixtures/softmax_regression.safetensors with `features`
float32 [N, D], `labels` int64 [N], and the float64 reference `mean`, `std` [D],
`weight` [C, D], `bias` [C], `loss` [] and `l2` []: synthetic features (4 classes, 12
features on different scales, one constant).

    /work/venv/bin/python Scripts/make_probe_fixtures.py --features FEATURES.safetensors

also writes digits_random_tiny.safetensors, the same reference on real probe input: the
first 20 rows per class of a merged pooled-features file (`embeddings` [n, D] and its
`.paths.txt`, class = first folder), as made by the digits demo of Docs/Training.md
(`linear-probe digits-folder --per-class 60`, `linear-probe train … --model random-tiny`).
Random features are badly conditioned, a harder case for the solver.
"""
import sys
import os

import numpy as np
import torch
from safetensors.numpy import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "LinearProbeTests", "Fixtures", "softmax_regression.safetensors")


def reference_fit(features, labels, l2):
    """Standardisation and the float64 L-BFGS optimum of the probe's objective."""
    classes = int(labels.max()) + 1
    x = torch.tensor(features, dtype=torch.float64)
    mean = x.mean(0)
    std = x.std(0, unbiased=False)
    std[std < 1e-12] = 1.0
    xs = (x - mean) / std
    y = torch.tensor(labels)
    weight = torch.zeros(classes, x.shape[1], dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(classes, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], lr=1, max_iter=10_000, tolerance_grad=1e-12,
                                  tolerance_change=1e-15, history_size=20, line_search_fn="strong_wolfe")

    def objective():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(xs @ weight.T + bias, y) + 0.5 * l2 * (weight ** 2).sum()
        loss.backward()
        return loss

    for _ in range(50):
        optimizer.step(objective)
        loss = objective()
        gradient = max(weight.grad.abs().max().item(), bias.grad.abs().max().item())
        if gradient < 1e-9:
            break
    assert gradient < 1e-8, gradient
    accuracy = ((xs @ weight.T + bias).argmax(1) == y).double().mean().item()
    print(f"loss {loss.item():.12f}, max |gradient| {gradient:.2e}, train accuracy {accuracy:.4f}")
    return {
        "features": features, "labels": labels,
        "mean": mean.numpy(), "std": std.numpy(),
        "weight": weight.detach().numpy(), "bias": bias.detach().numpy(),
        "loss": np.array(loss.item()), "l2": np.array(l2),
    }


def digits_fixture(path):
    from safetensors.numpy import load_file
    rows = load_file(path)["embeddings"]
    paths = open(path[: -len(".safetensors")] + ".paths.txt").read().splitlines()
    names = sorted({p.split("/")[0] for p in paths})
    keep, labels = [], []
    for name in names:
        chosen = [i for i, p in enumerate(paths) if p.split("/")[0] == name][:20]
        keep += chosen
        labels += [names.index(name)] * len(chosen)
    return reference_fit(rows[keep].astype(np.float32), np.array(labels, dtype=np.int64), 1e-3)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--features":
        out = os.path.join(os.path.dirname(OUT), "digits_random_tiny.safetensors")
        save_file(digits_fixture(sys.argv[2]), out, metadata={"producer": "Scripts/make_probe_fixtures.py --features",
                                                               "torch": torch.__version__})
    rng = np.random.default_rng(17)
    classes, per_class, width = 4, 40, 12
    centres = rng.normal(0, 1.2, size=(classes, width))
    rows, labels = [], []
    for c in range(classes):
        scale = rng.uniform(0.5, 3.0, size=width)            # features on different scales
        rows.append((centres[c] + rng.normal(0, 1.0, size=(per_class, width))) * scale + rng.normal(0, 5, size=width))
        labels += [c] * per_class
    features = np.concatenate(rows).astype(np.float32)
    features[:, 5] = 2.5                                     # a constant feature (std 0 → 1)
    labels = np.array(labels, dtype=np.int64)
    l2 = 1e-2

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    save_file(reference_fit(features, labels, l2), OUT, metadata={"producer": "Scripts/make_probe_fixtures.py", "torch": torch.__version__})


if __name__ == "__main__":
    main()
