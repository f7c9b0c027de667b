#!/usr/bin/env python3
"""Times PyTorch's float32 forward of a full-size InternViT checkpoint directory written by
`make_internvit_fixtures.py --full-size DIR` (the original forward, Scripts/internvit_reference.py),
for comparison with `internvit bench` in the same run.
Usage: python3 Scripts/bench_internvit_torch.py DIR [THREADS] [float32|bfloat16]
(bfloat16: the float32 model under `torch.autocast("cpu", dtype=torch.bfloat16)`, oneDNN's
bf16 path, as the model card runs it)
"""
import contextlib
import json
import os
import sys
import time

import numpy as np
import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import internvit_reference as ref  # noqa: E402

folder = sys.argv[1]
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
with open(os.path.join(folder, "config.json")) as f:
    cfg = ref.config_with_defaults(json.load(f))
model = ref.InternVisionModel(cfg).eval()
model.load_state_dict({k: v.float() for k, v in load_file(os.path.join(folder, "model.safetensors")).items()})
pixels = torch.from_numpy(np.load(os.path.join(folder, "pixels.npy")))
precision = sys.argv[3] if len(sys.argv) > 3 else "float32"
assert precision in ("float32", "bfloat16"), precision
autocast = torch.autocast("cpu", dtype=torch.bfloat16) if precision == "bfloat16" else contextlib.nullcontext()
with torch.no_grad(), autocast:
    model(pixels)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        model(pixels)
        times.append(time.perf_counter() - start)
times.sort()
print(f"pytorch {torch.__version__} {precision}, {torch.get_num_threads()} threads: median {times[1]:.3f} s, min {times[0]:.3f} s per 448x448 tile")
