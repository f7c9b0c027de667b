#!/usr/bin/env python3
"""Writes Pillow 12.3.0's decodes of a folder of images (e.g. the `Tests/images` folder of
Pillow's sdist: pip download --no-binary pillow --no-deps pillow==12.3.0) for the
corpus comparison in Tests/ImagingTests/FormatCorpusTests.swift.

For every GIF, BMP, TIFF, Netpbm and 4-component JPEG file (picked by signature, as
ImageDecoder does), OUT/manifest.tsv gets a line `index  format  path  status` and, when
Pillow decodes it, OUT/<index>.npy = Image.open(f).convert("RGB") (uint8 [H, W, 3]);
status is `ok` or `pillow-error: <message>`.

Usage: python3 Scripts/pillow_corpus_expected.py CORPUS_DIR OUT_DIR
then:  INTERNVIT_FORMAT_CORPUS=OUT_DIR swift test --filter FormatCorpusTests
"""
import os
import sys
import warnings

import numpy as np
from PIL import Image

warnings.simplefilter("ignore")


def jpeg_components(head):
    i = 2
    while i + 4 <= len(head):
        if head[i] != 0xFF:
            return None
        marker = head[i + 1]
        length = head[i + 2] << 8 | head[i + 3]
        if marker in (0xC0, 0xC1, 0xC2) and i + 9 < len(head):
            return head[i + 9]
        i += 2 + length
    return None


def kind(path):
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:2] == b"BM":
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if len(head) >= 2 and head[0:1] == b"P" and head[1:2] in b"123456":
        return "netpbm"
    if head[:2] == b"\xff\xd8" and jpeg_components(head) == 4:
        return "jpeg-cmyk"
    return None


def main(corpus, out):
    os.makedirs(out, exist_ok=True)
    lines = []
    for folder, _, files in os.walk(corpus):
        for name in sorted(files):
            path = os.path.join(folder, name)
            fmt = kind(path)
            if fmt is None:
                continue
            index = len(lines)
            try:
                with Image.open(path) as im:
                    rgb = np.asarray(im.convert("RGB"))
                np.save(os.path.join(out, f"{index}.npy"), rgb)
                status = "ok"
            except Exception as e:  # noqa: BLE001 - Pillow's own verdict is the data
                status = "pillow-error: " + f"{type(e).__name__}: {e}".replace("\t", " ").replace("\n", " ")[:200]
            lines.append(f"{index}\t{fmt}\t{os.path.abspath(path)}\t{status}")
    with open(os.path.join(out, "manifest.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(len(lines), "files")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
