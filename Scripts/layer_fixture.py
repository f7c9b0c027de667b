#!/usr/bin/env python3
"""Writes one layer fixture with numpy only (no PyTorch), in the layout `NNTesting.LayerFixture`
reads:

    FOLDER/NAME/weights.safetensors        parameters by checkpoint key, float32
    FOLDER/NAME/weights_bf16.safetensors   the same rounded to bfloat16
    FOLDER/NAME/input0.npy …               inputs (float32, or int32 for ids)
    FOLDER/NAME/output0.npy …              forward(weights, inputs) in float64, stored float32
    FOLDER/NAME/output0_bf16.npy …         the same from the bf16-rounded weights

Only FOLDER/NAME is (re)written; other cases in FOLDER are left alone.

Use it from your own script (Docs/Extending.md has a complete example):

    import numpy as np
    from layer_fixture import write_case, silu

    rng = np.random.default_rng(0)
    weights = {"w1.weight": rng.standard_normal((88, 32)) * 0.2, ...}
    def forward(w, inputs):
        x = inputs[0]
        return [silu(x @ w["w1.weight"].T) ...]
    write_case("Tests/MyLayersTests/Fixtures", "swiglu", weights, [x], forward)

Requires numpy (Scripts/requirements.txt pins the version the repository's fixtures use).
"""
import json
import math
import os
import shutil
import struct

import numpy as np

__all__ = ["write_case", "save_safetensors", "round_to_bfloat16", "gelu", "gelu_tanh", "silu", "softmax",
           "layer_norm", "rms_norm"]


def round_to_bfloat16(a):
    """float32 values rounded to the nearest bfloat16 (ties to even), returned as float64, and
    the 16-bit patterns (uint16) that store them."""
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    rounded = ((bits.astype(np.uint64) + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    values = (rounded.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return values, rounded


def save_safetensors(path, tensors, bf16=False):
    """Writes a safetensors file: `tensors` maps names to arrays, stored as F32, or as BF16 when
    `bf16`. Keys are sorted, as the safetensors library writes them."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        array = np.asarray(tensors[name])
        if bf16:
            data, dtype = round_to_bfloat16(array)[1].tobytes(), "BF16"
        else:
            data, dtype = np.ascontiguousarray(array, dtype="<f4").tobytes(), "F32"
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def write_case(folder, name, weights, inputs, forward):
    """Writes case `name` under `folder`: `weights` (name → array), `inputs` (a list of arrays),
    and the outputs of `forward(weights, inputs)` (a list of arrays), computed in float64 from the
    float32 weights and again from the bfloat16-rounded weights."""
    case = os.path.join(folder, name)
    shutil.rmtree(case, ignore_errors=True)
    os.makedirs(case)
    w32 = {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}
    save_safetensors(os.path.join(case, "weights.safetensors"), w32)
    save_safetensors(os.path.join(case, "weights_bf16.safetensors"), w32, bf16=True)
    stored_inputs = []
    for i, x in enumerate(inputs):
        x = np.asarray(x)
        x = x.astype(np.int32) if np.issubdtype(x.dtype, np.integer) else x.astype(np.float32)
        np.save(os.path.join(case, f"input{i}.npy"), x)
        stored_inputs.append(x.astype(np.float64) if x.dtype == np.float32 else x)
    variants = {"": {k: v.astype(np.float64) for k, v in w32.items()},
                "_bf16": {k: round_to_bfloat16(v)[0] for k, v in w32.items()}}
    for suffix, w in variants.items():
        for j, y in enumerate(forward(w, stored_inputs)):
            np.save(os.path.join(case, f"output{j}{suffix}.npy"), np.asarray(y, dtype=np.float32))
    print(f"wrote {case}")


# Reference functions in float64, with PyTorch's definitions.

def gelu(x):
    """Exact GELU, x·Φ(x) (torch.nn.GELU())."""
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def gelu_tanh(x):
    """tanh-approximate GELU (torch.nn.GELU(approximate="tanh"))."""
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def silu(x):
    """x·sigmoid(x) (torch.nn.SiLU())."""
    return x / (1 + np.exp(-x))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def rms_norm(x, weight, eps=1e-6):
    return x / np.sqrt((x ** 2).mean(-1, keepdims=True) + eps) * weight
