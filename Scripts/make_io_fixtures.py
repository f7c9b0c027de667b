#!/usr/bin/env python3
"""Writes the file-format fixtures for the IO tests (Tests/TensorTests/Fixtures/io).

- all_dtypes.safetensors: one tensor per dtype (F32 F16 BF16 F64 I64 I32 I16 I8 U8 BOOL),
  a scalar (shape []), empty tensors, metadata {"format": "pt"}; written by the Python
  `safetensors` library. expected_<name>.npy holds each tensor's values (float64 / int64,
  bf16 as float64) for comparison, and writer_input/ the same tensors as .npy so the
  Swift writer can re-create the file and compare bytes.
- sharded/: a checkpoint in two shards plus model.safetensors.index.json, as
  transformers' save_pretrained writes them.
- npy_v1/v2/v3_*.npy: numpy.lib.format arrays in format versions 1.0, 2.0 and 3.0 for
  every supported dtype; fortran.npy and bigendian.npy must be rejected.

Usage:  python3 Scripts/make_io_fixtures.py [--check-swift-file FILE]
With --check-swift-file, loads a safetensors file written by our Swift writer with the
Python library instead, and prints what it holds (the "ours -> Python" round trip).
"""
import json
import os
import shutil
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "TensorTests", "Fixtures", "io")


def tensors():
    g = torch.Generator().manual_seed(1128)
    r = lambda *s: torch.randn(*s, generator=g)
    return {
        "weight_f32": r(3, 4),
        "half_f16": r(5).to(torch.float16),
        "brain_bf16": r(2, 3).to(torch.bfloat16),
        "double_f64": r(2, 2).to(torch.float64),
        "long_i64": torch.tensor([-(2 ** 40), 7, 2 ** 62], dtype=torch.int64),
        "int_i32": torch.tensor([[1, -2], [3, 2 ** 31 - 1]], dtype=torch.int32),
        "short_i16": torch.tensor([-32768, 5, 32767], dtype=torch.int16),
        "byte_i8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "ubyte_u8": torch.tensor([0, 200, 255], dtype=torch.uint8),
        "mask_bool": torch.tensor([True, False, True, True]),
        "scalar_f32": torch.tensor(3.5),
        "empty_f32": torch.zeros(0, 4),
        "empty_bf16": torch.zeros(2, 0, dtype=torch.bfloat16),
        "unicode_ñame": r(1),
    }


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check-swift-file":
        with safe_open(sys.argv[2], "pt") as f:
            print("metadata:", f.metadata())
            for key in f.keys():
                t = f.get_tensor(key)
                print(key, t.dtype, list(t.shape), t.flatten()[:4].tolist())
        return

    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(os.path.join(OUT, "writer_input"))
    ts = tensors()
    save_file(ts, os.path.join(OUT, "all_dtypes.safetensors"), metadata={"format": "pt"})
    for name, t in ts.items():
        values = t.to(torch.float64) if t.is_floating_point() else t.to(torch.int64)
        np.save(os.path.join(OUT, f"expected_{name}.npy"), values.numpy())
        # The writer's inputs as numpy can hold them (bf16 as its bit pattern in int16).
        if t.dtype == torch.bfloat16:
            np.save(os.path.join(OUT, "writer_input", f"{name}.bf16bits.npy"), t.view(torch.int16).numpy())
        else:
            np.save(os.path.join(OUT, "writer_input", f"{name}.npy"), t.numpy())

    # A two-shard checkpoint, as save_pretrained(max_shard_size=...) lays it out.
    shard_dir = os.path.join(OUT, "sharded")
    os.makedirs(shard_dir)
    g = torch.Generator().manual_seed(6)
    parts = [{"encoder.layers.0.attn.qkv.weight": torch.randn(6, 2, generator=g).to(torch.bfloat16),
              "embeddings.class_embedding": torch.randn(1, 1, 2, generator=g).to(torch.bfloat16)},
             {"encoder.layers.1.attn.qkv.weight": torch.randn(6, 2, generator=g).to(torch.bfloat16),
              "encoder.layers.1.ls1": torch.randn(2, generator=g).to(torch.bfloat16)}]
    weight_map, total = {}, 0
    for i, part in enumerate(parts):
        name = f"model-{i + 1:05d}-of-{len(parts):05d}.safetensors"
        save_file(part, os.path.join(shard_dir, name), metadata={"format": "pt"})
        for key, t in part.items():
            weight_map[key] = name
            total += t.numel() * t.element_size()
            np.save(os.path.join(shard_dir, f"expected_{key}.npy"), t.to(torch.float64).numpy())
    with open(os.path.join(shard_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)

    # .npy in every format version and dtype.
    rng = np.random.default_rng(3)
    arrays = {"f4": rng.standard_normal((2, 3)).astype("<f4"), "f2": rng.standard_normal(4).astype("<f2"),
              "f8": rng.standard_normal((2, 1, 2)), "i4": np.array([[-5, 6]], "<i4"),
              "i8": np.array([2 ** 40, -1], "<i8"), "u1": np.array([0, 9, 255], "|u1"),
              "b1": np.array([True, False]), "scalar": np.array(2.25, "<f4"), "empty": np.zeros((0, 2), "<f4")}
    for version in [(1, 0), (2, 0), (3, 0)]:
        for name, a in arrays.items():
            path = os.path.join(OUT, f"npy_v{version[0]}_{name}.npy")
            with open(path, "wb") as f:
                np.lib.format.write_array(f, a, version=version)
            np.save(os.path.join(OUT, f"npy_expected_{name}.npy"), a.astype(np.float64))
    np.save(os.path.join(OUT, "fortran.npy"), np.asfortranarray(rng.standard_normal((3, 2)).astype("<f4")))
    np.save(os.path.join(OUT, "bigendian.npy"), rng.standard_normal(3).astype(">f4"))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
