"""Writes Tests/AutogradTests/Fixtures/autograd.safetensors: for each case, float32
inputs, a projection r of the output, and torch.autograd's gradients of
L = sum(f(inputs) * r) with respect to every input. The Swift test builds the same f
on Variables (Tests/AutogradTests/PyTorchGradientTests.swift) and compares.

Run: /work/venv/bin/python Scripts/make_autograd_fixtures.py (torch, safetensors pinned
in Scripts/requirements.txt)."""
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(17)


def attention(q, k, v):
    return torch.softmax(q @ k.transpose(-2, -1) * 0.5, dim=-1) @ v


def patch_embedding(img, w, b):
    # A stride-2 2x2 convolution with 3 output channels, flattened to [B, N, D].
    return F.conv2d(img, w.reshape(3, 2, 2, 2), b, stride=2).flatten(2).transpose(1, 2)


CASES = {
    "linear_gelu": ([[3, 4], [5, 4], [5]], lambda x, w, b: F.gelu(F.linear(x, w, b))),
    "gelu_tanh": ([[10]], lambda x: F.gelu(x * 2, approximate="tanh")),
    "layer_norm": ([[2, 3, 6], [6], [6]], lambda x, w, b: F.layer_norm(x, (6,), w, b, eps=1e-5)),
    "rms_norm": ([[2, 5], [5]], lambda x, w: F.rms_norm(x, (5,), w, eps=1e-6)),
    "softmax": ([[2, 3, 5]], lambda x: torch.softmax(x, dim=-1)),
    "attention": ([[2, 4, 3], [2, 4, 3], [2, 4, 3]], attention),
    "cross_entropy": ([[4, 5]], lambda z: F.cross_entropy(z, torch.tensor([1, 0, 4, 2]))),
    "patch_embedding": ([[1, 2, 4, 4], [3, 8], [3]], patch_embedding),
    "embedding": ([[6, 3]], lambda t: F.embedding(torch.tensor([0, 2, 2, 5]), t)),
    "concat_slice": ([[2, 3], [2, 2]], lambda a, b: torch.cat([a, b], dim=1)[:, 1:4] * torch.cat([a, b], dim=1).mean(dim=0)[1:4]),
    "broadcast_mul_add": ([[2, 3, 4], [4], [3, 1]], lambda x, w, b: x * w + b),
    # Added for vit-train's recipe (after the others, so their random inputs are unchanged).
    "cross_entropy_smoothed": ([[4, 5]], lambda z: F.cross_entropy(z, torch.tensor([1, 0, 4, 2]), label_smoothing=0.1)),
    "silu": ([[2, 5]], lambda x: F.silu(x * 2)),
}

tensors = {}
for name, (shapes, function) in CASES.items():
    inputs = [torch.randn(*shape, dtype=torch.float32, requires_grad=True) for shape in shapes]
    output = function(*inputs)
    projection = torch.randn(output.shape, dtype=torch.float32)
    (output * projection).sum().backward()
    tensors[f"{name}.projection"] = projection.contiguous()
    for index, tensor in enumerate(inputs):
        tensors[f"{name}.input{index}"] = tensor.detach().contiguous()
        tensors[f"{name}.grad{index}"] = tensor.grad.contiguous()

path = Path(__file__).resolve().parent.parent / "Tests/AutogradTests/Fixtures/autograd.safetensors"
save_file(tensors, str(path))
print(f"wrote {len(CASES)} cases to {path}")
