#!/usr/bin/env python3
"""Writes the imaging fixtures (Tests/ImagingTests/Fixtures/).

- png/: every PNG colour type and bit depth, interlaced and not, with tRNS; written by
  PIL where it can, otherwise by the small PNG encoder below (which also varies the row
  filter so all five are exercised). expected/<name>.npy = PIL's Image.open().convert("RGB").
- jpeg/: baseline and progressive JPEGs at 4:4:4, 4:2:2, 4:2:0 (PIL) and 4:4:0, 4:1:1
  (libjpeg-turbo's cjpeg, from Debian's libjpeg-turbo-progs), restart intervals, grayscale,
  odd sizes, an EXIF orientation; expected = PIL's decode.
- resize/: PIL Image.resize (BICUBIC, BILINEAR; shrink and enlarge) inputs and outputs.
- clip/: CLIPImageProcessor outputs for InternViT's preprocessor_config.json, from
  transformers' PIL path (CLIPImageProcessorPil in transformers 5.24 -- the 4.x
  CLIPImageProcessor), cross-checked against the 4.37 steps written out with PIL + numpy.
- tiling/: InternVL's dynamic_preprocess + build_transform outputs, and the grid chosen
  for many image sizes and max_num values (grids.json).

pixel_values are float32 functions of 8-bit crops: (float32(u8 * (1/255)) - mean) / std.
To keep the fixtures small, the 8-bit crops are stored (<name>_u8.npy, [N, H, W, 3]) and
the script asserts that re-normalising them gives the processors' float outputs bit for
bit. Multi-tile cases use a 56-pixel tile (the same algorithm at 448 costs megabytes).

Versions: Scripts/requirements.txt (Pillow 12.3.0). Usage: python3 Scripts/make_image_fixtures.py
"""
import io
import json
import os
import shutil
import struct
import subprocess
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ImagingTests", "Fixtures")
rng = np.random.default_rng(2026)


def picture(w, h, seed=0):
    """A test picture: gradients, a disc, stripes and noise (edges and smooth areas)."""
    g = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * x / max(w - 1, 1)
    gch = 255 * y / max(h - 1, 1)
    b = 128 + 100 * np.sin(x / 3.0) * np.cos(y / 5.0)
    disc = (x - w * 0.6) ** 2 + (y - h * 0.4) ** 2 < (min(w, h) * 0.25) ** 2
    img = np.stack([r, gch, b], -1)
    img[disc] = [250, 30, 40]
    img[:, ::7] = img[:, ::7] * 0.3
    img += g.normal(0, 12, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


# --- a small PNG encoder for what PIL cannot write ---------------------------------------

def png_bytes(samples, color_type, depth, palette=None, trns=None, interlace=False):
    """samples: uint array [h, w, channels] at `depth` bits."""
    h, w = samples.shape[:2]
    channels = samples.shape[2]

    def pack_row(row):
        flat = row.reshape(-1).astype(np.uint32)
        if depth == 16:
            return flat.astype(">u2").tobytes()
        if depth == 8:
            return flat.astype(np.uint8).tobytes()
        per = 8 // depth
        out = bytearray((len(flat) * depth + 7) // 8)
        for i, v in enumerate(flat):
            out[i // per] |= int(v) << (8 - depth - (i % per) * depth)
        return bytes(out)

    bpp = max(1, channels * depth // 8)

    def filtered(rows):
        data, prev = bytearray(), None
        for index, raw in enumerate(rows):
            f = index % 5
            cur = bytearray(raw)
            p = prev or bytearray(len(cur))
            out = bytearray(len(cur))
            for i in range(len(cur)):
                a = cur[i - bpp] if i >= bpp else 0
                b = p[i]
                c = p[i - bpp] if i >= bpp else 0
                if f == 0: pred = 0
                elif f == 1: pred = a
                elif f == 2: pred = b
                elif f == 3: pred = (a + b) // 2
                else:
                    pp = a + b - c
                    pa, pb, pc = abs(pp - a), abs(pp - b), abs(pp - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                out[i] = (cur[i] - pred) & 255
            data += bytes([f]) + out
            prev = cur
        return data

    if interlace:
        data = bytearray()
        for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                data += filtered([pack_row(r) for r in sub])
    else:
        data = filtered([pack_row(r) for r in samples])

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, int(interlace)))
    if palette is not None:
        out += chunk(b"PLTE", bytes(palette))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    out += chunk(b"IDAT", zlib.compress(bytes(data), 6)) + chunk(b"IEND", b"")
    return out


def save_expected(folder, name, path):
    rgb = np.array(Image.open(path).convert("RGB"))
    np.save(os.path.join(folder, "expected", name + ".npy"), rgb)


def make_png():
    folder = os.path.join(OUT, "png")
    os.makedirs(os.path.join(folder, "expected"))
    w, h = 37, 29
    rgb = picture(w, h, 1)
    gray = rgb.mean(-1).astype(np.uint8)
    files = {}
    # PIL-written
    Image.fromarray(gray).save(os.path.join(folder, "gray8.png")); files["gray8"] = 1
    Image.fromarray(rgb).save(os.path.join(folder, "rgb8.png"))
    alpha = (np.arange(w * h).reshape(h, w) % 256).astype(np.uint8)
    Image.fromarray(np.dstack([rgb, alpha])).save(os.path.join(folder, "rgba8.png"))
    Image.fromarray(np.dstack([gray, alpha]), "LA").save(os.path.join(folder, "gray_alpha8.png"))
    Image.fromarray(gray > 128).save(os.path.join(folder, "gray1_pil.png"))
    Image.fromarray((gray.astype(np.uint16) * 257).astype(np.uint16)).save(os.path.join(folder, "gray16.png"))
    Image.fromarray(((gray.astype(np.uint16) * 3) % 700).astype(np.uint16)).save(os.path.join(folder, "gray16_small.png"))
    pal = Image.fromarray(rgb).quantize(colors=200)
    pal.save(os.path.join(folder, "palette8.png"))
    pal.save(os.path.join(folder, "palette8_trns.png"), transparency=3)
    # Hand-encoded (other depths, 16-bit colour, interlacing, tRNS on gray / RGB)
    g2 = (gray >> 6)[..., None]; g4 = (gray >> 4)[..., None]; g1 = (gray >> 7)[..., None]
    c16 = (rgb.astype(np.uint16) * 257 + rng.integers(0, 256, rgb.shape)).astype(np.uint16)
    a16 = (alpha.astype(np.uint16) * 250)[..., None]
    palette = [int(v) for v in rng.integers(0, 256, 3 * 16)]
    idx4 = (gray >> 4)[..., None]; idx2 = (gray >> 6)[..., None]; idx1 = (gray >> 7)[..., None]
    hand = {
        "gray1": (g1, 0, 1, None, None), "gray2": (g2, 0, 2, None, None), "gray4": (g4, 0, 4, None, None),
        "gray8_trns": (gray[..., None], 0, 8, None, struct.pack(">H", 77)),
        "rgb8_trns": (rgb, 2, 8, None, struct.pack(">HHH", 10, 20, 30)),
        "rgb16": (c16, 2, 16, None, None), "rgba16": (np.dstack([c16, a16]), 6, 16, None, None),
        "gray_alpha16": (np.dstack([c16[..., :1], a16]), 4, 16, None, None),
        "palette4": (idx4, 3, 4, palette, None), "palette2": (idx2, 3, 2, palette[:12], bytes([0, 128])),
        "palette1": (idx1, 3, 1, palette[:6], None),
        "rgb8_adam7": (rgb, 2, 8, None, None), "gray4_adam7": (g4, 0, 4, None, None),
        "rgba16_adam7": (np.dstack([c16, a16]), 6, 16, None, None), "palette2_adam7": (idx2, 3, 2, palette[:12], None),
    }
    for name, (samples, ct, depth, plte, trns) in hand.items():
        with open(os.path.join(folder, name + ".png"), "wb") as f:
            f.write(png_bytes(samples, ct, depth, plte, trns, interlace=name.endswith("adam7")))
    # An Adam7 image smaller than the first pass grid (empty passes).
    with open(os.path.join(folder, "rgb8_adam7_tiny.png"), "wb") as f:
        f.write(png_bytes(rgb[:3, :2], 2, 8, interlace=True))
    for file in sorted(os.listdir(folder)):
        if file.endswith(".png"):
            save_expected(folder, file[:-4], os.path.join(folder, file))


def make_jpeg():
    folder = os.path.join(OUT, "jpeg")
    os.makedirs(os.path.join(folder, "expected"))
    cases = []
    for (w, h) in [(37, 29), (64, 48), (17, 9)]:
        img = Image.fromarray(picture(w, h, w))
        for sub, label in [(0, "444"), (1, "422"), (2, "420")]:
            for progressive in (False, True):
                name = f"{label}_{'prog' if progressive else 'base'}_{w}x{h}"
                img.save(os.path.join(folder, name + ".jpg"), quality=90, subsampling=sub, progressive=progressive)
                cases.append(name)
    img = Image.fromarray(picture(50, 40, 5))
    img.save(os.path.join(folder, "420_restart.jpg"), quality=85, subsampling=2, restart_marker_blocks=3)
    img.save(os.path.join(folder, "444_prog_restart.jpg"), quality=85, subsampling=0, progressive=True, restart_marker_rows=1)
    img.convert("L").save(os.path.join(folder, "gray.jpg"), quality=90)
    img.convert("L").save(os.path.join(folder, "gray_prog.jpg"), quality=90, progressive=True)
    img.save(os.path.join(folder, "420_q100.jpg"), quality=100, subsampling=2)
    img.save(os.path.join(folder, "420_q20.jpg"), quality=20, subsampling=2)
    exif = Image.Exif(); exif[0x0112] = 6
    img.save(os.path.join(folder, "orientation6.jpg"), quality=90, exif=exif.tobytes())
    # Sampling factors PIL cannot write, via cjpeg.
    ppm = os.path.join(folder, "source.ppm")
    Image.fromarray(picture(45, 35, 9)).save(ppm)
    for name, sample, extra in [("440", "1x2,1x1,1x1", []), ("411", "4x1,1x1,1x1", []), ("440_prog", "1x2,1x1,1x1", ["-progressive"]),
                                ("mixed_2x1_1x2_1x1", "2x1,1x2,1x1", []), ("420_restart_cjpeg", "2x2,1x1,1x1", ["-restart", "2B"])]:
        subprocess.run(["cjpeg", "-quality", "88", "-sample", sample, *extra, "-outfile", os.path.join(folder, name + ".jpg"), ppm], check=True)
    os.remove(ppm)
    for file in sorted(os.listdir(folder)):
        if file.endswith(".jpg"):
            save_expected(folder, file[:-4], os.path.join(folder, file))


def make_resize():
    folder = os.path.join(OUT, "resize")
    os.makedirs(folder)
    src = picture(61, 47, 3)
    np.save(os.path.join(folder, "input.npy"), src)
    cases = []
    for (w, h) in [(30, 20), (100, 80), (61, 23), (13, 47), (448, 345), (7, 5)]:
        for name, flt in [("bicubic", Image.BICUBIC), ("bilinear", Image.BILINEAR)]:
            out = np.array(Image.fromarray(src).resize((w, h), flt))
            np.save(os.path.join(folder, f"{name}_{w}x{h}.npy"), out)
            cases.append({"filter": name, "width": w, "height": h})
    with open(os.path.join(folder, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


PRE = {"crop_size": 448, "do_center_crop": True, "do_normalize": True, "do_resize": True,
       "feature_extractor_type": "CLIPFeatureExtractor", "image_mean": [0.485, 0.456, 0.406],
       "image_std": [0.229, 0.224, 0.225], "resample": 3, "size": 448}


def clip_437(img):
    """CLIPImageProcessor.preprocess of transformers 4.37 (PIL path), step by step."""
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = 448, int(448 * long / short)
    nh, nw = (new_long, new_short) if w <= h else (new_short, new_long)
    resized = np.array(img.resize((nw, nh), Image.BICUBIC)) if (nw, nh) != (w, h) else np.array(img)
    top, left = (nh - 448) // 2, (nw - 448) // 2
    crop = resized[top:top + 448, left:left + 448]
    x = (crop.astype(np.float64) * (1 / 255)).astype(np.float32)
    x = (x - np.array(PRE["image_mean"], np.float32)) / np.array(PRE["image_std"], np.float32)
    return x.transpose(2, 0, 1)[None]


def normalise(u8, mean, std):
    """The processors' float pixels from 8-bit values [N, H, W, 3] -> [N, 3, H, W]."""
    x = (u8.astype(np.float64) * (1 / 255)).astype(np.float32)
    x = (x - np.array(mean, np.float32)) / np.array(std, np.float32)
    return x.transpose(0, 3, 1, 2)


def make_clip():
    from transformers import CLIPImageProcessorPil
    folder = os.path.join(OUT, "clip")
    os.makedirs(folder)
    configs = {"internvit": PRE, "small": dict(PRE, size=112, crop_size=112)}
    for config_name, config in configs.items():
        with open(os.path.join(folder, f"preprocessor_config_{config_name}.json"), "w") as f:
            json.dump(config, f, indent=2)
    cases = {"landscape": ((640, 480), "internvit"), "portrait": ((333, 500), "small"), "square": ((448, 448), "internvit"),
             "small": ((120, 90), "small"), "wide": ((900, 200), "small"), "tiny": ((50, 30), "small")}
    for name, ((w, h), config_name) in cases.items():
        config = configs[config_name]
        processor = CLIPImageProcessorPil(**{k: v for k, v in config.items() if k != "feature_extractor_type"})
        img = Image.fromarray(picture(w, h, w + h))
        img.save(os.path.join(folder, name + ".png"))
        values = processor(images=img, return_tensors="np")["pixel_values"]
        size = config["size"]
        if config_name == "internvit":
            assert np.array_equal(values, clip_437(img)), name
        # Recover the 8-bit crop and check it encodes the output exactly.
        mean, std = np.array(config["image_mean"], np.float32), np.array(config["image_std"], np.float32)
        u8 = np.rint(((values.transpose(0, 2, 3, 1) * std + mean) * 255).astype(np.float64)).astype(np.uint8)
        assert np.array_equal(normalise(u8, mean, std), values), name
        np.save(os.path.join(folder, f"{name}_{config_name}_u8.npy"), u8)


# --- InternVL dynamic tiling (README load_image / dynamic_preprocess) -------------------

IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def find_closest_aspect_ratio(aspect_ratio, target_ratios, width, height, image_size):
    best_ratio_diff = float("inf")
    best_ratio = (1, 1)
    area = width * height
    for ratio in target_ratios:
        target_aspect_ratio = ratio[0] / ratio[1]
        ratio_diff = abs(aspect_ratio - target_aspect_ratio)
        if ratio_diff < best_ratio_diff:
            best_ratio_diff = ratio_diff
            best_ratio = ratio
        elif ratio_diff == best_ratio_diff:
            if area > 0.5 * image_size * image_size * ratio[0] * ratio[1]:
                best_ratio = ratio
    return best_ratio


def dynamic_preprocess(image, min_num=1, max_num=12, image_size=448, use_thumbnail=False):
    orig_width, orig_height = image.size
    aspect_ratio = orig_width / orig_height
    target_ratios = set((i, j) for n in range(min_num, max_num + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                        if i * j <= max_num and i * j >= min_num)
    target_ratios = sorted(target_ratios, key=lambda x: x[0] * x[1])
    target_aspect_ratio = find_closest_aspect_ratio(aspect_ratio, target_ratios, orig_width, orig_height, image_size)
    target_width = image_size * target_aspect_ratio[0]
    target_height = image_size * target_aspect_ratio[1]
    blocks = target_aspect_ratio[0] * target_aspect_ratio[1]
    resized_img = image.resize((target_width, target_height))
    processed_images = []
    for i in range(blocks):
        box = ((i % (target_width // image_size)) * image_size, (i // (target_width // image_size)) * image_size,
               ((i % (target_width // image_size)) + 1) * image_size, ((i // (target_width // image_size)) + 1) * image_size)
        processed_images.append(resized_img.crop(box))
    assert len(processed_images) == blocks
    if use_thumbnail and len(processed_images) != 1:
        processed_images.append(image.resize((image_size, image_size)))
    return processed_images, target_aspect_ratio


def make_tiling():
    import torch
    import torchvision.transforms as T
    from torchvision.transforms.functional import InterpolationMode
    folder = os.path.join(OUT, "tiling")
    os.makedirs(folder)
    for name, (w, h, max_num, size) in {"square448": (460, 450, 12, 448), "wide": (500, 230, 12, 56),
                                        "tall": (300, 700, 6, 56), "tiny": (5, 4, 12, 56), "many": (900, 130, 40, 56)}.items():
        transform = T.Compose([T.Lambda(lambda img: img.convert("RGB") if img.mode != "RGB" else img),
                               T.Resize((size, size), interpolation=InterpolationMode.BICUBIC), T.ToTensor(),
                               T.Normalize(mean=IMAGENET_MEAN, std=IMAGENET_STD)])
        img = Image.fromarray(picture(w, h, w * 3 + h))
        img.save(os.path.join(folder, name + ".png"))
        tiles, grid = dynamic_preprocess(img, image_size=size, use_thumbnail=True, max_num=max_num)
        pixel_values = torch.stack([transform(t) for t in tiles]).numpy()
        u8 = np.stack([np.array(t) for t in tiles])
        assert np.array_equal(normalise(u8, IMAGENET_MEAN, IMAGENET_STD), pixel_values), name
        np.save(os.path.join(folder, f"{name}_tile{size}_max{max_num}_u8.npy"), u8)
    grids = []
    sizes = [(w, h) for w in (1, 5, 13, 100, 224, 448, 500, 640, 672, 896, 1000, 1344, 1792, 3000, 4000)
             for h in (1, 4, 7, 100, 224, 336, 448, 480, 896, 1000, 2000, 4000)]
    sizes += [(5, 4), (500, 400), (2240, 1792), (896, 448), (448, 896), (1344, 448), (1000, 750), (1024, 768)]
    for max_num in (1, 2, 6, 12, 24, 40):
        for w, h in sizes:
            target_ratios = sorted(set((i, j) for n in range(1, max_num + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                                       if i * j <= max_num), key=lambda x: x[0] * x[1])
            grids.append([w, h, max_num, list(find_closest_aspect_ratio(w / h, target_ratios, w, h, 448))])
    with open(os.path.join(folder, "grids.json"), "w") as f:
        json.dump(grids, f)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    make_png()
    make_jpeg()
    make_resize()
    make_clip()
    make_tiling()
    print("wrote", OUT)


if __name__ == "__main__":
    main()
