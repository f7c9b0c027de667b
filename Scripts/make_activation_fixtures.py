#!/usr/bin/env python3
"""Writes the activation fixtures for NN's `Activation` (Tests/NNTests/Fixtures/activations/).

input0.npy is float32: a dense sweep of [-12, 12] (where GELU's two forms and SiLU bend),
wide values out to +-1e4, and 0 / +-inf. The outputs are PyTorch's functions evaluated in
float64 on those float32 values, rounded to float32, so the Swift test measures our
float32 error against the exact result:
  output0.npy  torch.nn.functional.gelu(x, approximate='none')   ("gelu")
  output1.npy  torch.nn.functional.gelu(x, approximate='tanh')   ("gelu_new", "gelu_pytorch_tanh")
  output2.npy  torch.nn.functional.silu(x)                       ("silu")

Usage: python3 Scripts/make_activation_fixtures.py      (versions: Scripts/requirements.txt)
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "NNTests", "Fixtures", "activations")


def main():
    sweep = np.linspace(-12, 12, 4801, dtype=np.float32)
    rng = np.random.default_rng(1128)
    wide = (rng.standard_normal(600) * 30).astype(np.float32)
    edges = np.array([0.0, -0.0, 1e-30, -1e-30, 1e4, -1e4, 88.0, -88.0, np.inf, -np.inf], dtype=np.float32)
    x = np.concatenate([sweep, wide, edges]).astype(np.float32)
    x64 = torch.from_numpy(x.astype(np.float64))
    outputs = [
        F.gelu(x64, approximate="none"),
        F.gelu(x64, approximate="tanh"),
        F.silu(x64),
    ]
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "input0.npy"), x)
    for j, y in enumerate(outputs):
        np.save(os.path.join(OUT, f"output{j}.npy"), y.numpy().astype(np.float32))
    print(f"wrote {OUT}: {x.size} values, torch {torch.__version__}, numpy {np.__version__}")


if __name__ == "__main__":
    main()
