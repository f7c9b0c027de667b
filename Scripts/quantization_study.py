#!/usr/bin/env python3
"""Fidelity of integer-GEMM schemes for InternViT-300M's linear layers (issue 16), against a
float64 forward of the original code (Scripts/internvit_reference.py).

Each scheme fake-quantises the inputs of the four Linear layers of every block (qkv, proj,
fc1, fc2) exactly as the integer GEMM would see them: weights per output channel, symmetric,
rounded once; activations per token (row), rounded on the fly; the products then summed
exactly (float64 here, int32 in the kernel) and dequantised with the two scales. Attention
softmax, norms, GELU and residuals stay float32. PyTorch float32 and bfloat16 are listed
for scale.

Usage: python3 Scripts/quantization_study.py [--image PHOTO] [--threads N]
       python3 Scripts/quantization_study.py --pixels PHOTOS.npy [--truth FLOAT64.npy]
                                             [--checkpoint DIR] [--schemes NAME,...]
  Without --image the input is the full-size fixture's pixels (uniform noise, seed 1, as in
  `make_internvit_fixtures.py --full-size`); with it, PHOTO is resized to 448x448 (bicubic)
  and normalised with InternViT's ImageNet mean/std. --pixels takes preprocessed tiles
  [B, 3, 448, 448] (e.g. `photos.npy` of `bench_precision.py`'s work folder) and reports
  every scheme per tile and the worst tile; --truth reuses float64 outputs [B, N, C] of
  those pixels (`float64.npy` there) instead of running the float64 forward again.
The checkpoint is the full-size random one of `make_internvit_fixtures.py --full-size`
(seed 300), built in memory, or --checkpoint DIR (config.json + model.safetensors).
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import internvit_reference as ref  # noqa: E402
from make_internvit_fixtures import official_config  # noqa: E402


def quantise_symmetric(x, bits, dim):
    """Rounds x to signed `bits`-bit integers with one scale per slice along `dim`."""
    qmax = 2 ** (bits - 1) - 1
    scale = x.abs().amax(dim=dim, keepdim=True).clamp_min(1e-30) / qmax
    return torch.round(x / scale).clamp(-qmax, qmax) * scale


def quantise_asymmetric_u8(x, dim, block=None):
    """Per-row u8 with a zero point (what `vpdpbusd`'s unsigned operand takes); with
    `block`, one scale and zero point per `block` consecutive values of the row instead."""
    if block is not None:
        shape = x.shape
        blocks = x.reshape(*shape[:-1], shape[-1] // block, block)
        return quantise_asymmetric_u8(blocks, dim=-1).reshape(shape)
    lo = x.amin(dim=dim, keepdim=True).clamp_max(0)
    hi = x.amax(dim=dim, keepdim=True).clamp_min(0)
    scale = (hi - lo).clamp_min(1e-30) / 255
    zero = torch.round(-lo / scale)
    q = torch.round(x / scale + zero).clamp(0, 255)
    return (q - zero) * scale


class FakeQuantLinear(torch.nn.Module):
    """A Linear whose weight and input go through the integer grid of one scheme."""

    def __init__(self, linear, weight_bits, activation_bits, asymmetric, block=None, class_token=None):
        super().__init__()
        self.bias = linear.bias
        self.float_weight = linear.weight.detach().double()
        self.weight = quantise_symmetric(self.float_weight, weight_bits, dim=1)
        self.activation_bits, self.asymmetric, self.block = activation_bits, asymmetric, block
        # class_token: None (every row quantised), "dequantised" (token 0's row, float
        # activations x the dequantised int8 weights: shippable) or "float" (token 0's row x
        # the float weights: an upper bound, the float weights are dropped when shipping).
        self.class_token = class_token

    def forward(self, x):
        x = x.double()
        if self.asymmetric:
            xq = quantise_asymmetric_u8(x, dim=-1, block=self.block)
        else:
            xq = quantise_symmetric(x, self.activation_bits, dim=-1)
        y = xq @ self.weight.t()  # exact integer products, dequantised
        if self.class_token is not None:  # x: [B, N, C], token 0 of each image
            weight = self.weight if self.class_token == "dequantised" else self.float_weight
            y[:, 0] = x[:, 0] @ weight.t()
        return (y.float() + self.bias) if self.bias is not None else y.float()


SCHEMES = {
    # name: {layer kind: (weight bits, activation bits, asymmetric u8 activations)}
    "W8A8 symmetric": {k: (8, 8, False) for k in ("qkv", "proj", "fc1", "fc2")},
    "W8A8 u8 per-token zero point": {k: (8, 8, True) for k in ("qkv", "proj", "fc1", "fc2")},
    "W8A8 u8 with a scale per 256 k of a token": {k: (8, 8, True, 256) for k in ("qkv", "proj", "fc1", "fc2")},
    "W8A8 u8 + class token row float x dequantised weights":
        {k: (8, 8, True, None, "dequantised") for k in ("qkv", "proj", "fc1", "fc2")},
    "W8A8 u8 + class token row float x float weights (bound)":
        {k: (8, 8, True, None, "float") for k in ("qkv", "proj", "fc1", "fc2")},
    "int8 MLP (u8) + 12-bit attention": {"qkv": (12, 12, False), "proj": (12, 12, False),
                                          "fc1": (8, 8, True), "fc2": (8, 8, True)},
    "12-bit attention+fc1, u8 fc2": {"qkv": (12, 12, False), "proj": (12, 12, False),
                                      "fc1": (12, 12, False), "fc2": (8, 8, True)},
    "W12A12 (int16 lanes)": {k: (12, 12, False) for k in ("qkv", "proj", "fc1", "fc2")},
}


def quantised_model(base, scheme):
    model = ref.InternVisionModel(base.cfg).eval()
    model.load_state_dict(base.state_dict())
    for layer in model.encoder.layers:
        for kind, parent in (("qkv", layer.attn), ("proj", layer.attn), ("fc1", layer.mlp), ("fc2", layer.mlp)):
            setattr(parent, kind, FakeQuantLinear(getattr(parent, kind), *scheme[kind]))
    return model


def fidelity(out, truth):
    """rel-L2 and minimum token cosine of each tile of `out` [B, N, C] against `truth`."""
    out, truth = out.double(), truth.double()
    return [(((o - t).norm() / t.norm()).item(), F.cosine_similarity(o, t, dim=-1).min().item())
            for o, t in zip(out, truth)]


def load_checkpoint(folder):
    """config and float32 state of a checkpoint folder (config.json + model.safetensors)."""
    import json
    from safetensors.torch import load_file
    with open(os.path.join(folder, "config.json")) as f:
        cfg = ref.config_with_defaults(json.load(f))
    return cfg, {k: v.float() for k, v in load_file(os.path.join(folder, "model.safetensors")).items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--image")
    parser.add_argument("--pixels", help="preprocessed tiles [B, 3, 448, 448] (.npy)")
    parser.add_argument("--truth", help="float64 last_hidden_state of --pixels [B, N, C] (.npy)")
    parser.add_argument("--checkpoint", help="checkpoint folder instead of the in-memory seed-300 one")
    parser.add_argument("--schemes", help="comma-separated scheme names (default: all)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.checkpoint:
        cfg, state = load_checkpoint(args.checkpoint)
    else:
        cfg = ref.config_with_defaults(official_config(1024, 24, 16, 4096, 448, True, False, "layer_norm", 1.0))
        state = {k: v.float() for k, v in ref.random_state(cfg, seed=300).items()}
    if args.pixels:
        pixels = torch.from_numpy(np.load(args.pixels)).float()
        source = f"{args.pixels} ({pixels.shape[0]} tiles)"
    elif args.image:
        from PIL import Image
        img = Image.open(args.image).convert("RGB").resize((448, 448), Image.BICUBIC)
        x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255).permute(2, 0, 1)
        mean, std = torch.tensor([0.485, 0.456, 0.406]), torch.tensor([0.229, 0.224, 0.225])
        pixels = ((x - mean[:, None, None]) / std[:, None, None])[None]
        source = args.image
    else:
        torch.manual_seed(1)
        pixels = (torch.rand(1, 3, 448, 448) * 4.4 - 2.1).float()
        source = "full-size fixture pixels (noise)"
    schemes = {name: SCHEMES[name] for name in args.schemes.split(",")} if args.schemes else SCHEMES
    base = ref.InternVisionModel(cfg).eval()
    base.load_state_dict(state)
    base.cfg = cfg

    def tiles(model, dtype=torch.float32):  # one tile at a time: [B, N, C]
        return torch.cat([model(pixels[i:i + 1].to(dtype))[0].double() for i in range(pixels.shape[0])])

    rows = []
    with torch.no_grad():
        start = time.perf_counter()
        if args.truth:
            truth = torch.from_numpy(np.load(args.truth)).double().reshape(pixels.shape[0], -1, cfg["hidden_size"])
        else:
            truth = tiles(base.double(), torch.float64)
            print(f"float64 reference: {time.perf_counter() - start:.1f} s", flush=True)
        base.float()
        measured = [("PyTorch float32", base, torch.float32)]
        if not args.schemes:
            measured.append(("PyTorch bfloat16", base, torch.bfloat16))
        for name, model, dtype in measured:
            rows.append((name, fidelity(tiles(model.to(dtype), dtype), truth)))
            print(rows[-1], flush=True)
        base.float()
        for name, scheme in schemes.items():
            rows.append((name, fidelity(tiles(quantised_model(base, scheme)), truth)))
            print(rows[-1], flush=True)
    print(f"\ninput: {source}; torch {torch.__version__}; bounds: rel-L2 <= 1.2e-2, min token cosine >= 0.9998\n")
    print("| scheme | rel-L2 vs float64 (worst tile) | min token cosine (worst tile) | per tile (rel-L2 / cosine) | meets both |")
    print("|---|---|---|---|---|")
    for name, per_tile in rows:
        rel, cos = max(r for r, _ in per_tile), min(c for _, c in per_tile)
        each = "; ".join(f"{r:.2e} / {c:.6f}" for r, c in per_tile)
        print(f"| {name} | {rel:.2e} | {cos:.6f} | {each} | {'yes' if rel <= 1.2e-2 and cos >= 0.9998 else 'no'} |")


if __name__ == "__main__":
    main()
