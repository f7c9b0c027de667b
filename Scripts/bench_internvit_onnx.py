#!/usr/bin/env python3
"""Times ONNX Runtime's float32 forward of a full-size InternViT checkpoint directory written by
`make_internvit_fixtures.py --full-size DIR`, for comparison with `internvit bench` in the same run.

The graph is the original forward (Scripts/internvit_reference.py) exported once with
`torch.onnx.export(..., dynamo=False)` to DIR/model_fp32.onnx. Prints the median and minimum
latency per 448x448 tile and the CPU time per tile of all threads. The intra-op pool's
spin-waiting is switched off (it burns CPU time while waiting; `--spin` keeps ONNX Runtime's
default, which is the faster setting on an idle machine).
Usage: python3 Scripts/bench_internvit_onnx.py DIR [ROUNDS] [--spin]
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
folder = arguments[0]
rounds = int(arguments[1]) if len(arguments) > 1 else 3
onnx_path = os.path.join(folder, "model_fp32.onnx")
pixels = np.load(os.path.join(folder, "pixels.npy")).astype(np.float32)
if not os.path.exists(onnx_path):
    import torch
    from safetensors.torch import load_file

    import internvit_reference as ref

    with open(os.path.join(folder, "config.json")) as f:
        cfg = ref.config_with_defaults(json.load(f))
    model = ref.InternVisionModel(cfg).eval()
    model.load_state_dict({k: v.float() for k, v in load_file(os.path.join(folder, "model.safetensors")).items()})

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return self.inner(x)[0]

    with torch.no_grad():
        torch.onnx.export(LastHiddenState(model), (torch.from_numpy(pixels),), onnx_path,
                          input_names=["pixel_values"], output_names=["last_hidden_state"],
                          opset_version=17, dynamo=False)

import onnxruntime as ort  # noqa: E402

options = ort.SessionOptions()
options.intra_op_num_threads = 2
options.inter_op_num_threads = 1
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
if "--spin" not in sys.argv:
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
session.run(None, {"pixel_values": pixels})  # warm-up
times, cpu = [], []
for _ in range(rounds):
    start, cpu_start = time.perf_counter(), time.process_time()
    session.run(None, {"pixel_values": pixels})
    times.append(time.perf_counter() - start)
    cpu.append(time.process_time() - cpu_start)
times.sort()
print(f"onnxruntime {ort.__version__} float32, 2 threads{' (spinning)' if '--spin' in sys.argv else ''}: "
      f"median {times[len(times) // 2]:.3f} s, min {times[0]:.3f} s per 448x448 tile; "
      f"CPU time per tile (all threads) {sum(cpu) / len(cpu):.3f} s")
