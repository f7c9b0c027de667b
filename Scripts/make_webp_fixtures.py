#!/usr/bin/env python3
"""Writes the WebP fixtures (Tests/ImagingTests/Fixtures/webp/) and, with --corpus DIR,
Pillow's decodes of a folder of WebP files for the corpus comparison.

Each fixture <name>.webp is encoded by Pillow 12.3.0 (libwebp 1.6.0) from a crop of the
repository's sample photo (Examples/Images/sample.jpg), and expected/<name>.npy is the
oracle: Image.open(f).convert("RGB") as uint8 [H, W, 3] -- what the model card's pipeline
reads. Variants: lossy at several qualities and methods and odd sizes (one to many
macroblocks, partial macroblocks), lossy with an ALPH plane (lossless and lossy alpha,
alpha filters), lossless (several methods, palettes of 2 / 4 / 16 / 200 colours, which
exercise colour indexing with bit packing, exact mode), lossless with alpha, and animated
files (the first frame is decoded; one with a first frame smaller than the canvas, made
by Pillow's encoder when the first frame is mostly transparent).

--corpus DIR: for every DIR/*.webp (e.g. Pillow's Tests/images from its sdist, fetched with
`pip download --no-binary pillow --no-deps pillow==12.3.0`) writes DIR/<name>.rgb (raw
RGB bytes of Pillow's decode) and DIR/<name>.size ("W H"); the Swift test
WebPCorpusTests compares against them when INTERNVIT_WEBP_CORPUS=DIR is set.

Versions: Scripts/requirements.txt (Pillow 12.3.0; webp 0.4.0 for the encoder settings Pillow
does not expose). Usage:
  python3 Scripts/make_webp_fixtures.py [--corpus DIR]
"""
import io
import os
import sys

import numpy as np
from PIL import Image, features

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ImagingTests", "Fixtures", "webp")
SAMPLE = os.path.join(ROOT, "Examples", "Images", "sample.jpg")


def photo(w, h, left=0, top=0, scale=1):
    """A w x h crop of the 640 x 480 sample photo (downscaled by `scale` first)."""
    im = Image.open(SAMPLE).convert("RGB")
    if scale != 1:
        im = im.resize((im.width // scale, im.height // scale), Image.Resampling.LANCZOS)
    return im.crop((left, top, left + w, top + h))


def with_alpha(im, kind="gradient"):
    rgba = im.convert("RGBA")
    w, h = im.size
    a = np.zeros((h, w), np.uint8)
    if kind == "gradient":
        a[:] = (np.arange(w)[None, :] * 255 // max(w - 1, 1)).astype(np.uint8)
    else:  # holes: fully transparent blocks, so RGB under alpha 0 matters
        a[:] = 255
        a[h // 4: h // 2, w // 4: w // 2] = 0
    rgba.putalpha(Image.fromarray(a))
    return rgba


def palette(im, colors):
    return im.quantize(colors).convert("RGB")


def save(name, data):
    path = os.path.join(OUT, name + ".webp")
    with open(path, "wb") as f:
        f.write(data)
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    np.save(os.path.join(OUT, "expected", name + ".npy"), rgb)
    print(f"{name}: {len(data)} bytes, {rgb.shape[1]}x{rgb.shape[0]}")


def encode(im, **kw):
    buf = io.BytesIO()
    im.save(buf, "WEBP", **kw)
    return buf.getvalue()


def fixtures():
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    base = photo(64, 48, 300, 200)
    # Lossy: qualities, methods, sizes (1 pixel, partial macroblocks, odd dimensions).
    for q in (5, 50, 90, 100):
        save(f"lossy_q{q}", encode(base, quality=q))
    for m in (0, 6):
        save(f"lossy_m{m}", encode(base, quality=75, method=m))
    for (w, h) in ((1, 1), (3, 2), (17, 9), (33, 31), (15, 64)):
        save(f"lossy_{w}x{h}", encode(photo(w, h, 250, 180), quality=80))
    save("lossy_flat", encode(Image.new("RGB", (40, 24), (200, 30, 90)), quality=60))
    save("lossy_detail", encode(photo(48, 40, 400, 300), quality=70))
    whole = Image.open(SAMPLE).convert("RGB").resize((96, 72), Image.Resampling.LANCZOS)
    for q in (30, 80, 97):
        save(f"lossy_whole_q{q}", encode(whole, quality=q))
    save("lossless_whole", encode(whole, lossless=True))
    # Lossy with alpha (VP8X + ALPH): lossless alpha (default), lossy alpha, holes.
    save("lossy_alpha", encode(with_alpha(base), quality=80))
    save("lossy_alpha_q50", encode(with_alpha(base), quality=80, alpha_quality=50))
    save("lossy_alpha_holes", encode(with_alpha(photo(35, 21, 150, 150), "holes"), quality=70))
    # Lossless: methods, palettes (colour indexing with 1/2/4/8 bits per index), exact.
    for m in (0, 4, 6):
        save(f"lossless_m{m}", encode(base, lossless=True, method=m))
    for n in (2, 4, 16, 200):
        save(f"lossless_palette{n}", encode(palette(photo(37, 23, 350, 250), n), lossless=True))
    save("lossless_odd", encode(photo(31, 17, 50, 50), lossless=True, quality=100))
    # Tall and narrow: the encoder uses meta prefix codes whose groups first appear out of
    # numeric order in the group image.
    save("lossless_meta_codes", encode(Image.open(SAMPLE).convert("RGB").resize((17, 600), Image.Resampling.BICUBIC),
                                      lossless=True))
    save("lossless_alpha", encode(with_alpha(base), lossless=True))
    save("lossless_alpha_exact", encode(with_alpha(photo(35, 21, 150, 150), "holes"), lossless=True, exact=True))
    save("lossless_alpha_holes", encode(with_alpha(photo(35, 21, 150, 150), "holes"), lossless=True))
    # Animation: first frame only.
    frames = [photo(40, 30, 100 * k + 50, 150) for k in range(3)]
    save("anim_lossy", encode(frames[0], save_all=True, append_images=frames[1:], duration=100, quality=70))
    save("anim_lossless", encode(frames[0], save_all=True, append_images=frames[1:], duration=100, lossless=True))
    # A first frame that is transparent except a small patch: the encoder may store a
    # sub-rectangle, and the rest of the canvas is transparent black.
    sparse = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    sparse.paste(photo(10, 8, 300, 300), (12, 10))
    save("anim_sparse_first", encode(sparse, save_all=True, append_images=[with_alpha(frames[1])], duration=50,
                                     lossless=True))
    save("anim_sparse_first_lossy", encode(sparse, save_all=True, append_images=[with_alpha(frames[1])], duration=50,
                                           quality=60))
    save("anim_lossy_alpha", encode(with_alpha(frames[0]), save_all=True, append_images=[with_alpha(frames[1])],
                                    duration=50, quality=60))
    libwebp_variants(Image.open(SAMPLE).convert("RGB").resize((96, 72), Image.Resampling.LANCZOS))


def libwebp_variants(base):
    """Encoder settings Pillow does not expose (pywebp 0.4.0 calls libwebp's WebPEncode with a
    full WebPConfig): simple loop filter, sharpness, one segment, no filter, raw and
    filtered alpha planes. Pillow is still the decoding oracle."""
    import webp
    rgb = np.ascontiguousarray(np.asarray(base))
    rgba = np.ascontiguousarray(np.asarray(with_alpha(base)))
    variants = {
        "simple_filter": (rgb, dict(filter_type=0, filter_strength=60)),
        "sharpness7": (rgb, dict(filter_sharpness=7, filter_strength=80)),
        "sharpness3": (rgb, dict(filter_sharpness=3, filter_strength=50)),
        "one_segment": (rgb, dict(segments=1)),
        "no_filter": (rgb, dict(filter_strength=0)),
        "alpha_raw": (rgba, dict(alpha_compression=0)),
        "alpha_filter_best": (rgba, dict(alpha_filtering=2)),
    }
    for name, (pixels, options) in variants.items():
        config = webp.WebPConfig.new(preset=webp.WebPPreset.PHOTO, quality=40)
        for key, value in options.items():
            setattr(config.ptr, key, value)
        assert config.validate(), name
        save("libwebp_" + name, bytes(webp.WebPPicture.from_numpy(pixels).encode(config).buffer()))


def corpus(folder):
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".webp"):
            continue
        stem = os.path.join(folder, name[:-5])
        try:
            im = Image.open(os.path.join(folder, name)).convert("RGB")
        except Exception as error:  # Pillow rejects it: record why
            with open(stem + ".size", "w") as f:
                f.write(f"error {type(error).__name__}: {error}\n")
            continue
        with open(stem + ".rgb", "wb") as f:
            f.write(im.tobytes())
        with open(stem + ".size", "w") as f:
            f.write(f"{im.width} {im.height}\n")


if __name__ == "__main__":
    assert features.version("webp") == "1.6.0", features.version("webp")
    if len(sys.argv) == 3 and sys.argv[1] == "--corpus":
        corpus(sys.argv[2])
    else:
        fixtures()
