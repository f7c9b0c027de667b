#!/usr/bin/env python3
"""Writes the reference fixtures for the Tensor core tests (Tests/TensorTests/Fixtures/core).

Each case is a set of small .npy files (inputs and the expected output computed by numpy
or PyTorch) plus an entry in manifest.json that names the operation, its parameters and
the files. The Swift tests replay every case with our implementation and compare.

Usage:  python3 Scripts/make_tensor_fixtures.py
Versions: Scripts/requirements.txt (numpy 2.4.6, torch 2.15.0).
"""
import json
import math
import os
import shutil
import struct

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "TensorTests", "Fixtures", "core")

rng = np.random.default_rng(20261128)
cases = []


def save(name, array):
    path = os.path.join(OUT, name + ".npy")
    np.save(path, np.array(array, order="C"))  # (ascontiguousarray would turn 0-d into 1-d)
    return name + ".npy"


def add_case(op, inputs, expected, **params):
    index = len(cases)
    files = [save(f"c{index:03d}_in{k}", x) for k, x in enumerate(inputs)]
    out = save(f"c{index:03d}_out", expected)
    # Parameters are written as strings ("true"/"false" for booleans) so readers need no
    # type guessing.
    text = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in params.items()}
    cases.append({"op": op, "inputs": files, "expected": out, "params": text})


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def view(x, kind):
    """The non-contiguous views the Swift side applies before the op."""
    if kind == "transpose":
        return x.T
    if kind == "step2":
        return x[:, ::2]
    return x


MASK = (1 << 64) - 1


class SeededGenerator:
    """xoshiro256** seeded by SplitMix64: the algorithm of Sources/Tensor/SeededGenerator.swift,
    written independently here so the Swift stream is checked against a second implementation."""

    def __init__(self, seed):
        x = seed

        def split_mix():
            nonlocal x
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            return z ^ (z >> 31)

        self.s = [split_mix() for _ in range(4)]

    def next(self):
        s = self.s
        rotl = lambda v, k: ((v << k) | (v >> (64 - k))) & MASK
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def unit(self):
        return (self.next() >> 11) * 2.0 ** -53

    def normal_pair(self):
        while True:
            u = 2 * self.unit() - 1
            v = 2 * self.unit() - 1
            s = u * u + v * v
            if s >= 1 or s == 0:
                continue
            f = math.sqrt(-2 * portable_log(s) / s)
            return u * f, v * f


def portable_log(x):
    """log(x) from +, -, *, / only, term for term as the Swift portableLog."""
    m, e = math.frexp(x)          # x = m * 2**e, m in [0.5, 1)
    m, e = m * 2, float(e - 1)    # Swift's significand in [1, 2) and exponent
    if m > 1.4142135623730951:
        m /= 2
        e += 1
    s = (m - 1) / (m + 1)
    s2 = s * s
    term, total, k = s, 0.0, 1.0
    while k < 40:
        total += term / k
        term *= s2
        k += 2
    return 2 * total + e * 0.6931471805599453


def exact_gelu(x):
    x64 = x.astype(np.float64)
    return (0.5 * x64 * (1 + np.vectorize(math.erf)(x64 / math.sqrt(2)))).astype(np.float32)


def exact_gelu_tanh(x):
    x64 = x.astype(np.float64)
    return (0.5 * x64 * (1 + np.tanh(math.sqrt(2 / math.pi) * (x64 + 0.044715 * x64 ** 3)))).astype(np.float32)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)

    # --- element-wise binary ops with broadcasting (float32 IEEE: must be exact) ---
    shape_pairs = [((2, 3), (2, 3)), ((2, 3), (3,)), ((3, 1, 5), (4, 1)), ((4, 1), (1, 5)),
                   ((1,), (2, 2)), ((0, 3), (3,)), ((2, 0), (1,)), ((), (2, 3)),
                   ((5, 1, 1), (1, 1, 7)), ((17, 33), (33,)), ((2, 40), (2, 40)),
                   ((3, 37), (3, 1)), ((1, 1, 1), (1,)), ((65,), ())]
    ops = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
           "maximum": np.maximum, "minimum": np.minimum}
    for name, fn in ops.items():
        for sa, sb in shape_pairs:
            a, b = randn(*sa), randn(*sb)
            if name == "div":
                b = (np.sign(b) + (b == 0)) * (0.5 + np.abs(b)).astype(np.float32)
            add_case("binary", [a, b], fn(a, b).astype(np.float32), name=name, view="none")
        # Non-contiguous operands: the Swift test transposes / slices the first input.
        a, b = randn(7, 5), randn(7)
        add_case("binary", [a, b], fn(view(a, "transpose"), b).astype(np.float32), name=name, view="transpose")
        a, b = randn(4, 10), randn(5)
        add_case("binary", [a, b], fn(view(a, "step2"), b).astype(np.float32), name=name, view="step2")
    # NaN propagation of maximum/minimum.
    a = np.array([1, np.nan, 3, -np.inf, 0], np.float32)
    b = np.array([np.nan, 2, 1, 5, -0.0], np.float32)
    add_case("binary", [a, b], np.maximum(a, b), name="maximum", view="none")
    add_case("binary", [a, b], np.minimum(a, b), name="minimum", view="none")

    # --- unary maths, reference PyTorch float32 on CPU ---
    grid = np.concatenate([np.linspace(-12, 12, 241), randn(300) * 3,
                           [0.0, -0.0, 1e-7, -1e-7, 1e-30, 20, -20, 40, -40]]).astype(np.float32)
    positive = np.concatenate([np.abs(grid) + 1e-3, [1e-38, 1e-30, 1.0, 3e38]]).astype(np.float32)
    edges = np.array([-104, -103, -100, -88, -87.5, -87.3, 0, 1, 80, 88.5, 88.72, 88.73, 89, 100,
                      np.inf, -np.inf, np.nan], np.float32)
    t = torch.from_numpy
    unary = {
        "exp": (lambda x: torch.exp(t(x)), np.concatenate([grid, edges]).astype(np.float32)),
        "log": (lambda x: torch.log(t(x)), positive),
        # PyTorch's CPU sqrt is not correctly rounded (1 ulp off on ~17% of these values in
        # torch 2.15); numpy's is IEEE-exact, as ours is, so numpy is the oracle here.
        "sqrt": (lambda x: t(np.sqrt(x)), positive),
        "rsqrt": (lambda x: torch.rsqrt(t(x)), positive),
        "tanh": (lambda x: torch.tanh(t(x)), grid),
        # erf against the float64 value rounded once (our vectorised erf is checked
        # against the truth, within 2.3 ulp by Scripts/fit_erf.py).
        "erf": (lambda x: t(np.vectorize(math.erf)(x.astype(np.float64)).astype(np.float32)), grid),
        # GELU in float64, rounded once: PyTorch's CPU GELU uses a vectorised erf
        # accurate to ~1.5e-7 absolute (5e-7 off at x = -3), so the exact formula is
        # the stricter oracle. (Our result is within 1e-6 of PyTorch's either way.)
        "gelu": (lambda x: t(exact_gelu(x)), grid),
        "gelu_tanh": (lambda x: t(exact_gelu_tanh(x)), grid),
        "sigmoid": (lambda x: torch.sigmoid(t(x)), np.concatenate([grid, [-100, 100, 88, -88]]).astype(np.float32)),
        "silu": (lambda x: torch.nn.functional.silu(t(x)), grid),
        "abs": (lambda x: torch.abs(t(x)), grid),
        "neg": (lambda x: torch.neg(t(x)), grid),
        "square": (lambda x: torch.square(t(x)), grid),
    }
    for name, (fn, x) in unary.items():
        add_case("unary", [x], fn(x).numpy(), name=name, view="none")
    # A strided view through a unary op.
    x = randn(6, 8)
    add_case("unary", [x], torch.exp(t(np.ascontiguousarray(view(x, "transpose")))).numpy(), name="exp", view="transpose")

    # --- reductions (numpy, float32 input; reference in float64 then rounded) ---
    for shape in [(3, 4, 5), (7, 37), (1, 1000), (4, 1, 3), (2, 0, 3)]:
        x = randn(*shape)
        for axis in range(len(shape)):
            for keep in (False, True):
                x64 = x.astype(np.float64)
                add_case("reduce", [x], x64.sum(axis=axis, keepdims=keep).astype(np.float32), name="sum", axis=axis, keep=keep)
                if shape[axis] == 0:
                    continue
                add_case("reduce", [x], x64.mean(axis=axis, keepdims=keep).astype(np.float32), name="mean", axis=axis, keep=keep)
                add_case("reduce", [x], x.max(axis=axis, keepdims=keep), name="max", axis=axis, keep=keep)
                add_case("reduce", [x], x.min(axis=axis, keepdims=keep), name="min", axis=axis, keep=keep)
                add_case("reduce", [x], x.argmax(axis=axis, keepdims=keep).astype(np.int32), name="argmax", axis=axis, keep=keep)
                add_case("reduce", [x], x64.var(axis=axis, keepdims=keep).astype(np.float32), name="var", axis=axis, keep=keep, correction=0)
                if shape[axis] > 1:
                    add_case("reduce", [x], x64.var(axis=axis, ddof=1, keepdims=keep).astype(np.float32), name="var", axis=axis, keep=keep, correction=1)
    x = np.array([[1, 5, np.nan, 5], [2, 9, 9, 0]], np.float32)
    add_case("reduce", [x], x.argmax(axis=1).astype(np.int32), name="argmax", axis=1, keep=False)
    add_case("reduce", [x], x.max(axis=1), name="max", axis=1, keep=False)

    # --- softmax (PyTorch) ---
    for x, axis in [(randn(4, 37) * 3, -1), (randn(5, 6), 0), (randn(2, 3, 17), 1),
                    (np.array([[1e4, -1e4, 0, 1e4 - 1], [-1e4, -1e4 + 2, -1e4 + 1, -1e4]], np.float32), -1),
                    (np.array([[0, -np.inf, 1, -np.inf], [5, 5, 5, 5]], np.float32), -1),
                    (randn(3, 1), -1), (randn(2, 100) * 20, -1)]:
        add_case("softmax", [x], torch.softmax(t(x), dim=axis).numpy(), axis=axis)

    # --- layer norm and RMS norm over the last axis (PyTorch) ---
    for shape, eps in [((3, 70), 1e-5), ((2, 5, 64), 1e-6), ((4, 1), 1e-5), ((2, 17), 1e-6)]:
        x = randn(*shape) * 2 + 0.5
        w, b = randn(shape[-1]), randn(shape[-1])
        y = torch.nn.functional.layer_norm(t(x), (shape[-1],), t(w), t(b), eps).numpy()
        add_case("layer_norm", [x, w, b], y, eps=eps)
        y = torch.nn.functional.layer_norm(t(x), (shape[-1],), None, None, eps).numpy()
        add_case("layer_norm", [x], y, eps=eps)
        # RMSNorm as InternRMSNorm computes it: x * rsqrt(mean(x^2) + eps) * w.
        xt = t(x)
        y = (xt * torch.rsqrt(xt.pow(2).mean(-1, keepdim=True) + eps)) * t(w)
        add_case("rms_norm", [x, w], y.numpy(), eps=eps)

    # --- concatenate / stack (numpy) ---
    a, b, c = randn(2, 3, 4), randn(2, 3, 4), randn(2, 3, 4)
    for axis in range(3):
        parts = [a, np.concatenate([b, c], axis=axis)]
        add_case("concatenate", parts, np.concatenate(parts, axis=axis), axis=axis)
    for axis in range(4):
        add_case("stack", [a, b, c], np.stack([a, b, c], axis=axis), axis=axis)
    empty, rows = randn(0, 3), randn(2, 3)
    add_case("concatenate", [empty, rows], np.concatenate([empty, rows], axis=0), axis=0)

    # --- gather rows (embedding look-up, PyTorch's F.embedding) ---
    table = randn(10, 4)
    idx = np.array([3, 0, 3, 9, 7], np.int32)
    add_case("gather_rows", [table, idx], torch.nn.functional.embedding(t(idx.astype(np.int64)), t(table)).numpy())
    idx2 = np.array([[1, 2], [8, 1]], np.int32)
    add_case("gather_rows", [table, idx2], table[idx2])

    # --- matmul (numpy in float64, rounded: tolerance from K in the test) ---
    for sa, sb in [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 6)), ((4,), (4, 5)),
                   ((3, 4), (4,)), ((4,), (4,)), ((6, 1), (1, 7)), ((17, 33), (33, 19)), ((0, 3), (3, 2)),
                   ((2, 3), (3, 0)), ((1, 64), (64, 1))]:
        a, b = randn(*sa), randn(*sb)
        add_case("matmul", [a, b], np.matmul(a.astype(np.float64), b.astype(np.float64)).astype(np.float32))

    # --- bfloat16 rounding (PyTorch's Float -> BFloat16), as bit patterns in int32 ---
    special = [0x3F808000, 0x3F818000, 0x3F808001, 0x3F807FFF, 0x3F817FFF, 0x3F818001,  # halfway / near
               0x00008000, 0x00018000, 0x00007FFF, 0x00000001, 0x00010000, 0x007F8000, 0x007FFFFF,  # subnormals
               0x80008000, 0x80018000, 0x7F7FFFFF, 0x7F7F8000, 0x7F7F7FFF, 0xFF7FFFFF,  # near max → inf
               0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001, 0x7FFFFFFF,  # inf / NaN
               0x00000000, 0x80000000, 0x3F800000, 0xBF800000]
    bits = np.concatenate([np.array(special, np.uint32),
                           rng.integers(0, 2**32, size=4000, dtype=np.uint64).astype(np.uint32)])
    floats = bits.view(np.float32)
    # PyTorch has two conversion paths that differ only for NaN: the tensor kernel
    # (`tensor.to(torch.bfloat16)`, vectorised) writes 0xFFFF, the scalar c10::BFloat16
    # constructor (0-dim tensors) writes 0x7FC0. Record both.
    tensor_path = torch.from_numpy(floats.copy()).to(torch.bfloat16).view(torch.int16).numpy().astype(np.uint16)
    add_case("bfloat16", [bits.view(np.int32)], tensor_path.astype(np.int32), path="tensor")
    scalar_path = np.array([torch.tensor(float(f), dtype=torch.float32).to(torch.bfloat16).view(torch.int16).item() & 0xFFFF
                            for f in floats[:len(special) + 200]], np.int32)
    add_case("bfloat16", [bits[:len(special) + 200].view(np.int32)], scalar_path, path="scalar")

    # --- the seeded generator: same algorithm, independent implementation ---
    g = SeededGenerator(42)
    normals = []
    while len(normals) < 1001:
        a, b = g.normal_pair()
        normals += [a, b]
    add_case("random_normal", [], np.array(normals[:1001], np.float64).astype(np.float32), seed=42, mean=0.0, std=1.0)
    g = SeededGenerator(7)
    uniforms = [-2.0 + 5.0 * g.unit() for _ in range(1000)]
    add_case("random_uniform", [], np.array(uniforms, np.float64).astype(np.float32), seed=7, low=-2.0, high=3.0)

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "Scripts/make_tensor_fixtures.py",
                   "numpy": np.__version__, "torch": torch.__version__, "cases": cases}, f, indent=1)
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
