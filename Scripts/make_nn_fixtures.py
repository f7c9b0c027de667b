#!/usr/bin/env python3
"""Writes the layer fixtures for the NN tests (Tests/NNTests/Fixtures/<case>/).

For each case a PyTorch module is built with seeded weights and saved by its
state_dict keys (weights.safetensors in float32, weights_bf16.safetensors in bfloat16),
with input.npy and the reference outputs. References are computed in float64 from the
same weights (output.npy; output_bf16.npy from the bf16-rounded weights), so the Swift
tests measure our float32 error against the exact result.

Usage: python3 Scripts/make_nn_fixtures.py              rewrites every case
       python3 Scripts/make_nn_fixtures.py --only NAME  rewrites only case NAME (the same
                                                        bytes as a full run: every case's
                                                        random numbers are still drawn)
(versions: Scripts/requirements.txt). For a fixture that needs only numpy, see
Scripts/layer_fixture.py.
"""
import copy
import json
import math
import os
import shutil

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "NNTests", "Fixtures")
torch.manual_seed(1128)


class InternRMSNorm(nn.Module):
    """InternViT's RMSNorm (modeling_intern_vit.py)."""

    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(dim) * 0.2 + 1)
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


class InternStyleAttention(nn.Module):
    """InternAttention._naive_attn: fused qkv, optional q/k RMSNorm over the full width."""

    def __init__(self, dim, heads, qkv_bias=True, qk_norm=False):
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.qk_norm = qk_norm
        if qk_norm:
            self.q_norm, self.k_norm = InternRMSNorm(dim), InternRMSNorm(dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        if self.qk_norm:
            B_, H_, N_, D_ = q.shape
            q = self.q_norm(q.transpose(1, 2).flatten(-2, -1)).view(B_, N_, H_, D_).transpose(1, 2)
            k = self.k_norm(k.transpose(1, 2).flatten(-2, -1)).view(B_, N_, H_, D_).transpose(1, 2)
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x), attn


class SeparateAttention(nn.Module):
    """BERT/ViT-style attention: separate query/key/value, output 'dense', additive mask."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.dense = nn.Linear(dim, dim)

    def forward(self, x, mask):
        B, N, C = x.shape
        split = lambda t: t.view(B, N, self.heads, C // self.heads).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-2, -1) / math.sqrt(C // self.heads) + mask[:, None]
        attn = scores.softmax(-1)
        return self.dense((attn @ v).transpose(1, 2).reshape(B, N, C)), attn


class SwiGLU(nn.Module):
    """The Docs/Extending.md example: w2(silu(w1 x) * w3 x)."""

    def __init__(self, dim, hidden):
        super().__init__()
        self.w1, self.w2, self.w3 = nn.Linear(dim, hidden, bias=False), nn.Linear(hidden, dim, bias=False), nn.Linear(dim, hidden, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class LayerScaleGamma(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.randn(dim))

    def forward(self, x):
        return x * self.gamma


def randomize(module):
    """Non-trivial values for every parameter (norm weights near 1, others ~N(0, 0.2))."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("norm.weight") or name.endswith("_norm.weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    return module


ONLY = None  # set by --only: the one case to write


def write_case(name, module, inputs, forward, params=None):
    if ONLY is not None and name != ONLY:
        return
    folder = os.path.join(OUT, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    module.eval()
    state = {k: v.detach().contiguous() for k, v in module.state_dict().items()}
    save_file(state, os.path.join(folder, "weights.safetensors"), metadata={"format": "pt"})
    save_file({k: v.to(torch.bfloat16) for k, v in state.items()}, os.path.join(folder, "weights_bf16.safetensors"),
              metadata={"format": "pt"})
    for i, x in enumerate(inputs):
        np.save(os.path.join(folder, f"input{i}.npy"), x.numpy())
    with torch.no_grad():
        for suffix, cast in [("", lambda t: t), ("_bf16", lambda t: t.to(torch.bfloat16))]:
            m64 = copy.deepcopy(module)
            m64.load_state_dict({k: cast(v).to(torch.float64) for k, v in state.items()})
            m64 = m64.double()
            outs = forward(m64, [x.double() if x.is_floating_point() else x for x in inputs])
            outs = outs if isinstance(outs, tuple) else (outs,)
            for j, o in enumerate(outs):
                np.save(os.path.join(folder, f"output{j}{suffix}.npy"), o.float().numpy())
    with open(os.path.join(folder, "case.json"), "w") as f:
        json.dump({"keys": sorted(state.keys()), "params": params or {}}, f, indent=1)


def main():
    if ONLY is None:
        shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT, exist_ok=True)
    r = lambda *s: torch.randn(*s)

    write_case("linear", randomize(nn.Linear(37, 23)), [r(2, 5, 37)], lambda m, x: m(x[0]))
    write_case("linear_nobias", randomize(nn.Linear(64, 48, bias=False)), [r(7, 64)], lambda m, x: m(x[0]))
    write_case("linear_gelu", randomize(nn.Linear(40, 70)), [r(3, 40)], lambda m, x: F.gelu(m(x[0])))
    write_case("layer_norm", randomize(nn.LayerNorm(48, eps=1e-6)), [r(3, 7, 48) * 2 + 1], lambda m, x: m(x[0]),
               {"eps": 1e-6})
    write_case("rms_norm", InternRMSNorm(48), [r(3, 7, 48)], lambda m, x: m(x[0]), {"eps": 1e-6})
    write_case("conv_patchify", randomize(nn.Conv2d(3, 16, 14, 14)), [r(2, 3, 60, 45)], lambda m, x: m(x[0]),
               {"kernel": [14, 14], "stride": [14, 14], "padding": [0, 0], "in": 3, "out": 16})
    write_case("conv_general", randomize(nn.Conv2d(4, 6, (3, 5), stride=(2, 1), padding=(1, 2))), [r(2, 4, 11, 9)],
               lambda m, x: m(x[0]), {"kernel": [3, 5], "stride": [2, 1], "padding": [1, 2], "in": 4, "out": 6})
    ids = torch.tensor([[3, 0, 49], [7, 7, 12]], dtype=torch.int32)
    write_case("embedding", randomize(nn.Embedding(50, 12)), [ids], lambda m, x: m(x[0].long()))
    write_case("attention_fused", randomize(InternStyleAttention(64, 4)), [r(2, 9, 64)], lambda m, x: m(x[0]),
               {"heads": 4})
    # 300 tokens: more than one block of queries in the fused kernel (probabilities not stored).
    write_case("attention_qknorm", randomize(InternStyleAttention(64, 4, qkv_bias=False, qk_norm=True)), [r(2, 300, 64)],
               lambda m, x: m(x[0])[0], {"heads": 4})
    mask = torch.zeros(2, 1, 7)
    mask[1, 0, 5:] = float("-inf")    # the second sequence has 5 real tokens
    write_case("attention_masked", randomize(SeparateAttention(32, 2)), [r(2, 7, 32), mask],
               lambda m, x: m(x[0], x[1]), {"heads": 2})
    mlp = nn.Sequential()
    mlp.fc1, mlp.act, mlp.fc2 = nn.Linear(24, 96), nn.GELU(), nn.Linear(96, 24)
    write_case("mlp", randomize(mlp), [r(2, 6, 24)], lambda m, x: m.fc2(m.act(m.fc1(x[0]))))
    write_case("layer_scale", LayerScaleGamma(24), [r(4, 24)], lambda m, x: m(x[0]))
    seq = nn.Sequential(nn.Linear(10, 20), nn.GELU(approximate="tanh"), nn.Linear(20, 5))
    write_case("sequential", randomize(seq), [r(3, 10)], lambda m, x: m(x[0]))
    write_case("swiglu", randomize(SwiGLU(32, 88)), [r(2, 5, 32)], lambda m, x: m(x[0]))
    print("wrote", OUT)


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--only":
        ONLY = sys.argv[2]
    elif len(sys.argv) != 1:
        sys.exit("usage: make_nn_fixtures.py [--only NAME]")
    main()
