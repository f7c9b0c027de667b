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
  Without --image the input is the full-size fixture's pixels (uniform noise, seed 1, as in
  `make_internvit_fixtures.py --full-size`); with it, PHOTO is resized to 448x448 (bicubic)
  and normalised with InternViT's ImageNet mean/std.
The checkpoint is the full-size random one of `make_internvit_fixtures.py --full-size`
(seed 300), built in memory.
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


def quantise_asymmetric_u8(x, dim):
    """Per-row u8 with a zero point (what `vpdpbusd`'s unsigned operand takes)."""
    lo = x.amin(dim=dim, keepdim=True).clamp_max(0)
    hi = x.amax(dim=dim, keepdim=True).clamp_min(0)
    scale = (hi - lo).clamp_min(1e-30) / 255
    zero = torch.round(-lo / scale)
    q = torch.round(x / scale + zero).clamp(0, 255)
    return (q - zero) * scale


class FakeQuantLinear(torch.nn.Module):
    """A Linear whose weight and input go through the integer grid of one scheme."""

    def __init__(self, linear, weight_bits, activation_bits, asymmetric):
        super().__init__()
        self.bias = linear.bias
        self.weight = quantise_symmetric(linear.weight.detach().double(), weight_bits, dim=1)
        self.activation_bits, self.asymmetric = activation_bits, asymmetric

    def forward(self, x):
        x = x.double()
        if self.asymmetric:
            xq = quantise_asymmetric_u8(x, dim=-1)
        else:
            xq = quantise_symmetric(x, self.activation_bits, dim=-1)
        y = xq @ self.weight.t()  # exact integer products, dequantised
        return (y.float() + self.bias) if self.bias is not None else y.float()


SCHEMES = {
    # name: {layer kind: (weight bits, activation bits, asymmetric u8 activations)}
    "W8A8 symmetric": {k: (8, 8, False) for k in ("qkv", "proj", "fc1", "fc2")},
    "W8A8 u8 per-token zero point": {k: (8, 8, True) for k in ("qkv", "proj", "fc1", "fc2")},
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
            w, a, asym = scheme[kind]
            setattr(parent, kind, FakeQuantLinear(getattr(parent, kind), w, a, asym))
    return model


def fidelity(out, truth):
    out, truth = out.double()[0], truth[0]
    rel = ((out - truth).norm() / truth.norm()).item()
    cos = F.cosine_similarity(out, truth, dim=-1).min().item()
    return rel, cos


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--image")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cfg = ref.config_with_defaults(official_config(1024, 24, 16, 4096, 448, True, False, "layer_norm", 1.0))
    state = {k: v.float() for k, v in ref.random_state(cfg, seed=300).items()}
    if args.image:
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
    base = ref.InternVisionModel(cfg).eval()
    base.load_state_dict(state)
    base.cfg = cfg
    rows = []
    with torch.no_grad():
        start = time.perf_counter()
        truth = base.double()(pixels.double())[0]
        print(f"float64 reference: {time.perf_counter() - start:.1f} s", flush=True)
        base.float()
        rows.append(("PyTorch float32", *fidelity(base(pixels)[0], truth)))
        print(rows[-1], flush=True)
        rows.append(("PyTorch bfloat16", *fidelity(base.bfloat16()(pixels.bfloat16())[0], truth)))
        print(rows[-1], flush=True)
        base.float()
        for name, scheme in SCHEMES.items():
            rows.append((name, *fidelity(quantised_model(base, scheme)(pixels)[0], truth)))
            print(rows[-1], flush=True)
    print(f"\ninput: {source}; torch {torch.__version__}; bounds: rel-L2 <= 1.2e-2, min token cosine >= 0.9998\n")
    print("| scheme | rel-L2 vs float64 | min token cosine | meets both |")
    print("|---|---|---|---|")
    for name, rel, cos in rows:
        print(f"| {name} | {rel:.2e} | {cos:.6f} | {'yes' if rel <= 1.2e-2 and cos >= 0.9998 else 'no'} |")


if __name__ == "__main__":
    main()
