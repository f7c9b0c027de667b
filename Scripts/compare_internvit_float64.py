#!/usr/bin/env python3
"""Fidelity of saved InternViT outputs against a float64 forward of the original code
(Scripts/internvit_reference.py) on the same checkpoint and pixels (issue 16's bounds:
rel-L2 <= 1.2e-2 and every token's cosine >= 0.9998).

Usage: python3 Scripts/compare_internvit_float64.py DIR OUTPUT.npy [OUTPUT.npy ...]
  DIR holds config.json, model.safetensors and pixels.npy (`make_internvit_fixtures.py
  --full-size DIR`); each OUTPUT.npy is a last_hidden_state [1, N, C], e.g. from
  `internvit embed --pixels DIR/pixels.npy --model DIR --precision int8 --output OUTPUT.npy`.
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import internvit_reference as ref  # noqa: E402

folder, outputs = sys.argv[1], sys.argv[2:]
with open(os.path.join(folder, "config.json")) as f:
    cfg = ref.config_with_defaults(json.load(f))
model = ref.InternVisionModel(cfg).double().eval()
model.load_state_dict({k: v.double() for k, v in load_file(os.path.join(folder, "model.safetensors")).items()})
pixels = torch.from_numpy(np.load(os.path.join(folder, "pixels.npy"))).double()
with torch.no_grad():
    truth = model(pixels)[0].numpy()  # [1, N, C]
for path in outputs:
    ours = np.load(path).astype(np.float64).reshape(truth.shape)  # [1, N, C]
    rel = np.linalg.norm(ours - truth) / np.linalg.norm(truth)
    cos = (ours * truth).sum(-1) / (np.linalg.norm(ours, axis=-1) * np.linalg.norm(truth, axis=-1))
    print(f"{path}: rel-L2 {rel:.3e}, min token cosine {cos.min():.6f}")
