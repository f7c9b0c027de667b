#!/usr/bin/env python3
"""The peer engines of Scripts/bench_precision.py, run by it one process per engine, so each
has its own peak RSS and the driver never imports torch or onnxruntime.

  bench_precision_engines.py --worker ENGINE --checkpoint DIR --work W --pixels P.npy
      [--iterations K | --output OUT.npy] [--threads T]
      ENGINE: pytorch-float32, pytorch-bfloat16, ort-float32, ort-int8. With --output the
      engine runs every tile of P.npy and saves last_hidden_state; otherwise it times one
      tile (one warm-up forward, then K timed ones). Prints one JSON line.
  bench_precision_engines.py --prepare checkpoint|onnx|float64 --checkpoint DIR --work W
      the full-size random checkpoint; the ONNX export (float32) and quantize_dynamic (int8);
      the float64 forward of W/photos.npy.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

SCRIPTS = os.path.dirname(os.path.abspath(__file__))


def load_torch_model(checkpoint, dtype):
    """The reference port with the checkpoint's weights in `dtype`, built on the meta device and
    filled tensor by tensor, so the process never holds a second copy of the weights."""
    import torch
    from safetensors import safe_open
    sys.path.insert(0, SCRIPTS)
    import internvit_reference as ref
    ref.InternAttention.record_attention = False
    with open(os.path.join(checkpoint, "config.json")) as f:
        cfg = ref.config_with_defaults(json.load(f))
    with torch.device("meta"):
        model = ref.InternVisionModel(cfg)
    state = {}
    with safe_open(os.path.join(checkpoint, "model.safetensors"), framework="pt") as f:
        for key in f.keys():
            state[key] = f.get_tensor(key).to(dtype)
    model.load_state_dict(state, strict=True, assign=True)
    return model.eval()


def last_hidden_state_only(model):
    """The port wrapped so a forward returns only last_hidden_state (what ONNX exports)."""
    import torch

    class LastHiddenState(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, pixel_values):  # [B, 3, H, W] -> [B, N, D]
            return self.model(pixel_values)[0]
    return LastHiddenState().eval()


def torch_runner(engine, checkpoint, threads):
    import torch
    torch.set_num_threads(threads)
    dtype = {"pytorch-float32": torch.float32, "pytorch-bfloat16": torch.bfloat16,
             "pytorch-float64": torch.float64}[engine]
    model = load_torch_model(checkpoint, dtype)

    def forward(pixels):  # [B, 3, H, W] float32 numpy -> [B, N, D] float32 numpy
        with torch.no_grad():
            return model(torch.from_numpy(pixels).to(dtype))[0].float().numpy()
    return forward


def ort_runner(engine, work, threads):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    path = os.path.join(work, "model.float32.onnx" if engine == "ort-float32" else "model.int8.onnx")
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])

    def forward(pixels):  # the graph has batch 1: one tile at a time
        return np.concatenate([session.run(None, {"pixel_values": pixels[i:i + 1]})[0] for i in range(len(pixels))])
    return forward


def resident_mb():
    """This process's current resident memory (Linux /proc), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def worker(args):
    if args.worker.startswith("pytorch"):
        import torch  # noqa: F401  (the runtime's own footprint, before any weights)
    else:
        import onnxruntime  # noqa: F401
    runtime_mb = resident_mb()
    start = time.perf_counter()
    if args.worker.startswith("pytorch"):
        forward = torch_runner(args.worker, args.checkpoint, args.threads)
    else:
        forward = ort_runner(args.worker, args.work, args.threads)
    load_seconds = time.perf_counter() - start
    pixels = np.load(args.pixels)
    result = {"engine": args.worker, "load_seconds": load_seconds, "runtime_rss_mb": runtime_mb}
    if args.output:  # fidelity: all photos, outputs saved
        np.save(args.output, forward(pixels).astype(np.float32))
    else:  # timing: one tile, one warm-up, then K timed forwards
        tile = np.ascontiguousarray(pixels[:1])
        forward(tile)
        times = []
        for _ in range(args.iterations):
            t0 = time.perf_counter()
            out = forward(tile)
            times.append(time.perf_counter() - t0)
            assert np.isfinite(out).all()
        result["times"] = times
    print(json.dumps(result), flush=True)


# --- preparation ----------------------------------------------------------------------------------

def export_onnx(args):
    """Exports the original forward in float32 with the TorchScript exporter (batch 1, opset 17),
    then quantize_dynamic's int8 version of it."""
    import torch
    torch.set_num_threads(args.threads)
    model = last_hidden_state_only(load_torch_model(args.checkpoint, torch.float32))
    size = json.load(open(os.path.join(args.work, "photos.json")))["size"]
    pixels = torch.from_numpy(np.load(os.path.join(args.work, "photos.npy"))[:1])
    assert pixels.shape[-1] == size
    float_path = os.path.join(args.work, "model.float32.onnx")
    torch.onnx.export(model, (pixels,), float_path + ".tmp", dynamo=False, opset_version=17,
                      input_names=["pixel_values"], output_names=["last_hidden_state"], do_constant_folding=True)
    os.replace(float_path + ".tmp", float_path)
    from onnxruntime.quantization import QuantType, quantize_dynamic
    int8_path = os.path.join(args.work, "model.int8.onnx")
    quantize_dynamic(float_path, int8_path + ".tmp", op_types_to_quantize=["MatMul"], weight_type=QuantType.QInt8)
    os.replace(int8_path + ".tmp", int8_path)


def float64_reference(args):
    """last_hidden_state of the reference port in float64 (bf16 weights widened exactly)."""
    forward = torch_runner("pytorch-float64", args.checkpoint, args.threads)
    out_path = os.path.join(args.work, "float64.npy")
    np.save(out_path + ".tmp.npy", forward(np.load(os.path.join(args.work, "photos.npy"))).astype(np.float64))
    os.replace(out_path + ".tmp.npy", out_path)


def write_full_size_checkpoint(folder):
    """The checkpoint `make_internvit_fixtures.py --full-size` writes (official layout, bf16,
    seed 300), without its PyTorch timing."""
    sys.path.insert(0, SCRIPTS)
    import make_internvit_fixtures as fixtures
    config = fixtures.official_config(1024, 24, 16, 4096, 448, True, False, "layer_norm", 1.0)
    fixtures.write_checkpoint(folder, config, fixtures.ref.random_state(fixtures.ref.config_with_defaults(config), seed=300))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--worker", choices=["pytorch-float32", "pytorch-bfloat16", "ort-float32", "ort-int8"])
    parser.add_argument("--prepare", choices=["checkpoint", "onnx", "float64"])
    parser.add_argument("--pixels")
    parser.add_argument("--output")
    parser.add_argument("--iterations", type=int, default=2)
    args = parser.parse_args()
    if args.worker:
        worker(args)
    elif args.prepare == "checkpoint":
        write_full_size_checkpoint(args.checkpoint)
    elif args.prepare == "onnx":
        export_onnx(args)
    elif args.prepare == "float64":
        float64_reference(args)
    else:
        parser.error("give --worker ENGINE or --prepare STEP")


if __name__ == "__main__":
    main()
