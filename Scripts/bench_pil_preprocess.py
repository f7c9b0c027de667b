#!/usr/bin/env python3
"""Times Pillow on what `tensor-bench image` times in Swift: decode a JPEG to RGB, then
InternViT's CLIPImageProcessor steps (shortest edge 448 bicubic, center crop, rescale,
normalise), best of several runs. Prints "decode SECONDS" and "preprocess SECONDS".
Usage: python3 Scripts/bench_pil_preprocess.py IMAGE.jpg
"""
import sys
import time

import numpy as np
from PIL import Image


def preprocess(img):
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    nh, nw = (int(448 * long / short), 448) if w <= h else (448, int(448 * long / short))
    resized = np.array(img.resize((nw, nh), Image.BICUBIC))
    top, left = (nh - 448) // 2, (nw - 448) // 2
    crop = resized[top:top + 448, left:left + 448]
    x = (crop.astype(np.float64) * (1 / 255)).astype(np.float32)
    x = (x - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
    return x.transpose(2, 0, 1)[None]


def best(fn, runs=5):
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


path = sys.argv[1]
decode = best(lambda: Image.open(path).convert("RGB"))
image = Image.open(path).convert("RGB")
pre = best(lambda: preprocess(image))
print(f"decode {decode:.4f}")
print(f"preprocess {pre:.4f}")
