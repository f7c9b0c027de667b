#!/usr/bin/env python3
"""Per-step statistics of the original InternViT forward, taken with PyTorch forward
hooks, for `internvit trace` and `InternVisionModel.forward(trace:)`.

The model is the line-by-line port of the original modeling_intern_vit.py
(Scripts/internvit_reference.py), run in float64 on the checkpoint's weights. Hooks on its
modules give exactly the steps the Swift trace names:

    embeddings                      output of model.embeddings
    encoder.layers.L.norm1          output of norm1
    encoder.layers.L.attn.qkv       output of attn.qkv                [B, N, 3D]
    encoder.layers.L.attn.q_norm    output of attn.q_norm (6B family) [B, N, D]
    encoder.layers.L.attn.k_norm    output of attn.k_norm (6B family) [B, N, D]
    encoder.layers.L.attn.context   input of attn.proj (heads merged) [B, N, D]
    encoder.layers.L.attn.proj      output of attn.proj
    encoder.layers.L.norm2          output of norm2
    encoder.layers.L.mlp.fc1        output of mlp.fc1 (before GELU)   [B, N, F]
    encoder.layers.L.mlp.act        input of mlp.fc2 (after GELU)     [B, N, F]
    encoder.layers.L.mlp.fc2        output of mlp.fc2
    encoder.layers.L                output of the layer

Statistics: mean, std (population, ddof=0), min, max over all elements.

Usage:
  python3 Scripts/make_trace_fixtures.py
      writes Tests/InternViTTests/Fixtures/cases/<checkpoint>_<case>_trace.json for the
      tiny official-layout checkpoints and the pixels of the existing parity cases.
  python3 Scripts/make_trace_fixtures.py --checkpoint DIR --pixels PIXELS.npy \\
          [--layers 0,23] --output REF.json
      the same for any checkpoint (e.g. the real InternViT-300M-448px) and pixels written
      by `internvit preprocess`.
  python3 Scripts/make_trace_fixtures.py --random-checkpoint DIR
      writes a full-size InternViT-300M-448px checkpoint with seeded random weights in the
      official layout (bf16 model.safetensors, config.json, preprocessor_config.json), for
      running the full-size check without the released weights.
  python3 Scripts/make_trace_fixtures.py --compare SWIFT.json REF.json
      checks `internvit trace IMAGE --model DIR --json` against REF.json: every statistic
      within 1e-3 of the reference tensor's std.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import internvit_reference as ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "InternViTTests", "Fixtures")


def load_checkpoint(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    config = config.get("vision_config", config)
    index = os.path.join(folder, "model.safetensors.index.json")
    state = {}
    if os.path.exists(index):
        with open(index) as f:
            for shard in sorted(set(json.load(f)["weight_map"].values())):
                state.update(load_file(os.path.join(folder, shard)))
    else:
        state = load_file(os.path.join(folder, "model.safetensors"))
    return ref.config_with_defaults(config), state


def stats(name, tensor):
    t = tensor.detach().double()
    return {"name": name, "shape": list(t.shape), "mean": t.mean().item(), "std": t.std(unbiased=False).item(),
            "min": t.min().item(), "max": t.max().item()}


def trace(cfg, state, pixels, layers=None):
    model = ref.InternVisionModel(cfg).double().eval()
    model.load_state_dict({k: v.double() for k, v in state.items()}, strict=True)
    steps = []

    def output_hook(name):
        return lambda module, inputs, output: steps.append(stats(name, output))

    def input_hook(name):
        return lambda module, inputs: steps.append(stats(name, inputs[0]))

    if layers is None:
        model.embeddings.register_forward_hook(output_hook("embeddings"))
    for index, layer in enumerate(model.encoder.layers):
        if layers is not None and index not in layers:
            continue
        p = f"encoder.layers.{index}"
        layer.norm1.register_forward_hook(output_hook(f"{p}.norm1"))
        layer.attn.qkv.register_forward_hook(output_hook(f"{p}.attn.qkv"))
        if cfg["qk_normalization"]:
            layer.attn.q_norm.register_forward_hook(output_hook(f"{p}.attn.q_norm"))
            layer.attn.k_norm.register_forward_hook(output_hook(f"{p}.attn.k_norm"))
        layer.attn.proj.register_forward_pre_hook(input_hook(f"{p}.attn.context"))
        layer.attn.proj.register_forward_hook(output_hook(f"{p}.attn.proj"))
        layer.norm2.register_forward_hook(output_hook(f"{p}.norm2"))
        layer.mlp.fc1.register_forward_hook(output_hook(f"{p}.mlp.fc1"))
        layer.mlp.fc2.register_forward_pre_hook(input_hook(f"{p}.mlp.act"))
        layer.mlp.fc2.register_forward_hook(output_hook(f"{p}.mlp.fc2"))
        layer.register_forward_hook(output_hook(p))
    with torch.no_grad():
        model(torch.from_numpy(pixels).double())
    return steps


def compare(ours, reference):
    ours = {s["name"]: s for s in ours}
    worst, failures = 0.0, []
    for r in reference:
        o = ours.get(r["name"])
        if o is None:
            failures.append(f"{r['name']}: missing from the Swift trace")
            continue
        if o["shape"] != r["shape"]:
            failures.append(f"{r['name']}: shape {o['shape']} != {r['shape']}")
        for key in ("mean", "std", "min", "max"):
            error = abs(o[key] - r[key]) / max(r["std"], 1e-12)
            worst = max(worst, error)
            if error > 1e-3:
                failures.append(f"{r['name']}.{key}: {o[key]} vs {r[key]} ({error:.2e} of std)")
    print(f"{len(reference)} steps, worst difference {worst:.2e} of each tensor's std")
    for f in failures:
        print("FAIL", f)
    return not failures


def write_random_checkpoint(folder):
    """InternViT-300M-448px's official config.json and preprocessor_config.json, and bf16
    weights with realistic magnitudes (internvit_reference.random_state)."""
    config = {"architectures": ["InternVisionModel"], "attention_dropout": 0.0, "drop_path_rate": 0.1,
              "dropout": 0.0, "hidden_act": "gelu", "hidden_size": 1024, "image_size": 448,
              "initializer_factor": 1.0, "initializer_range": 0.02, "intermediate_size": 4096,
              "layer_norm_eps": 1e-06, "model_type": "intern_vit_6b", "norm_type": "layer_norm",
              "num_attention_heads": 16, "num_channels": 3, "num_hidden_layers": 24, "patch_size": 14,
              "qk_normalization": False, "qkv_bias": True, "torch_dtype": "bfloat16", "use_flash_attn": True}
    preprocessor = {"crop_size": 448, "do_center_crop": True, "do_normalize": True, "do_resize": True,
                    "feature_extractor_type": "CLIPFeatureExtractor", "image_mean": [0.485, 0.456, 0.406],
                    "image_std": [0.229, 0.224, 0.225], "resample": 3, "size": 448}
    state = ref.random_state(ref.config_with_defaults(config), seed=300)
    from safetensors.torch import save_file
    os.makedirs(folder, exist_ok=True)
    save_file(state, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
    for name, value in (("config.json", config), ("preprocessor_config.json", preprocessor)):
        with open(os.path.join(folder, name), "w") as f:
            json.dump(value, f, indent=2)
    print(f"wrote {folder}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint")
    parser.add_argument("--pixels")
    parser.add_argument("--layers", help="comma-separated layer indices (default: all, with embeddings)")
    parser.add_argument("--output")
    parser.add_argument("--compare", nargs=2, metavar=("SWIFT_JSON", "REFERENCE_JSON"))
    parser.add_argument("--random-checkpoint", metavar="DIR")
    args = parser.parse_args()
    if args.random_checkpoint:
        write_random_checkpoint(args.random_checkpoint)
        return
    if args.compare:
        with open(args.compare[0]) as a, open(args.compare[1]) as b:
            sys.exit(0 if compare(json.load(a), json.load(b)) else 1)
    if args.checkpoint:
        cfg, state = load_checkpoint(args.checkpoint)
        layers = None if args.layers is None else {int(i) for i in args.layers.split(",")}
        steps = trace(cfg, state, np.load(args.pixels), layers)
        with open(args.output, "w") as f:
            json.dump(steps, f, indent=1)
        print(f"wrote {len(steps)} steps to {args.output}")
        return
    for checkpoint in ("internvit-tiny300m", "internvit-tiny6b"):
        cfg, state = load_checkpoint(os.path.join(FIXTURES, checkpoint))
        for case in ("native", "wide"):
            pixels = np.load(os.path.join(FIXTURES, "cases", f"{checkpoint}_{case}_pixels.npy"))
            steps = trace(cfg, state, pixels)
            path = os.path.join(FIXTURES, "cases", f"{checkpoint}_{case}_trace.json")
            with open(path, "w") as f:
                json.dump(steps, f, indent=1)
            print(f"wrote {len(steps)} steps to {path}")


if __name__ == "__main__":
    main()
