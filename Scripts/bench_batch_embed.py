#!/usr/bin/env python3
"""Images/s of `internvit embed DIR --output-dir OUT --pooled` against a PyTorch + Pillow
loop (the model card's CLIPImageProcessor steps in a Dataset, a DataLoader with worker
processes, the original forward in float32) on the same checkpoint and the same JPEG
photos, in the same run. Also reports the cosine between the two pooled outputs per image
(the JPEG decoders and resize differ slightly; a mismatch in preprocessing would show).

  python3 Scripts/bench_batch_embed.py --checkpoint DIR --photos DIR [--count 64]
      [--internvit .build/release/internvit] [--threads 2] [--workers 2] [--batch 8]

--checkpoint: a checkpoint directory (`make_internvit_fixtures.py --full-size DIR` writes a
random InternViT-300M-448px one). If it does not exist, one with InternViT-300M-448px's
widths, 448-pixel input and random weights is written there with --layers layers (default
24, the real depth; fewer keep a benchmark short on a busy machine and weigh decoding and
preprocessing more). --photos: a folder of JPEGs; if it does not
exist, it is made from the real photographs bundled in the scikit-image wheel (pip only
downloads the wheel), re-encoded as JPEG (quality 90) at several crops and scales to give
--count files (nothing is committed). Build ours with
`TENSOR_TARGET_CPU=native swift build -c release --product internvit`.
"""
import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

import numpy as np
import torch
from PIL import Image
from safetensors.numpy import load_file as load_numpy
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import internvit_reference as ref  # noqa: E402

PHOTOS = ["astronaut.png", "chelsea.png", "coffee.png", "motorcycle_left.png", "motorcycle_right.png",
          "rocket.jpg", "hubble_deep_field.jpg", "retina.jpg", "ihc.png", "grass.png", "gravel.png", "brick.png"]
SKIMAGE = "scikit-image==0.26.0"


def make_checkpoint(folder, layers):
    """InternViT-300M-448px's configuration with `layers` layers and seeded random weights."""
    import make_internvit_fixtures as fixtures
    config = fixtures.official_config(1024, layers, 16, 4096, 448, True, False, "layer_norm", 1.0)
    fixtures.write_checkpoint(folder, config, fixtures.random_state(fixtures.ref.config_with_defaults(config), seed=300))


def make_photos(folder, count):
    """JPEG files cut from scikit-image's bundled photographs at several crops and scales."""
    scratch = tempfile.mkdtemp()
    subprocess.run([sys.executable, "-m", "pip", "download", SKIMAGE, "--no-deps", "--only-binary", ":all:",
                    "-d", scratch, "-q"], check=True)
    wheel = next(os.path.join(scratch, f) for f in os.listdir(scratch) if f.endswith(".whl"))
    sources = []
    with zipfile.ZipFile(wheel) as z:
        for name in PHOTOS:
            sources.append((name, Image.open(io.BytesIO(z.read("skimage/data/" + name))).convert("RGB")))
    shutil.rmtree(scratch)
    os.makedirs(folder)
    variants = [(1.0, None), (2.5, None), (1.6, "tl"), (1.6, "br"), (3.0, "center"), (1.0, "flip")]
    made = 0
    while made < count:
        name, image = sources[made % len(sources)]
        scale, crop = variants[(made // len(sources)) % len(variants)]
        w, h = image.size
        out = image.resize((int(w * scale), int(h * scale)), Image.LANCZOS) if scale != 1 else image
        W, H = out.size
        if crop == "tl":
            out = out.crop((0, 0, W * 3 // 4, H * 3 // 4))
        elif crop == "br":
            out = out.crop((W // 4, H // 4, W, H))
        elif crop == "center":
            out = out.crop((W // 8, H // 8, W * 7 // 8, H * 7 // 8))
        elif crop == "flip":
            out = out.transpose(Image.FLIP_LEFT_RIGHT)
        sub = os.path.join(folder, f"set{made // len(sources)}")
        os.makedirs(sub, exist_ok=True)
        out.save(os.path.join(sub, f"{made:03d}-{os.path.splitext(name)[0]}.jpg"), quality=90)
        made += 1


def clip_preprocess(img, size, crop, mean, std):
    """CLIPImageProcessor: shortest edge `size` (bicubic), center crop, rescale, normalise."""
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    nh, nw = (int(size * long / short), size) if w <= h else (size, int(size * long / short))
    resized = np.array(img.resize((nw, nh), Image.BICUBIC))
    top, left = (nh - crop) // 2, (nw - crop) // 2
    x = resized[top:top + crop, left:left + crop].astype(np.float32) * np.float32(1 / 255)
    x = (x - np.array(mean, np.float32)) / np.array(std, np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))


class Photos(torch.utils.data.Dataset):
    def __init__(self, paths, pre):
        self.paths, self.pre = paths, pre

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        return clip_preprocess(Image.open(self.paths[i]).convert("RGB"), **self.pre)


def image_paths(folder):
    """Our input order: relative paths, bytewise."""
    rel = []
    for root, _, files in os.walk(folder):
        rel += [os.path.relpath(os.path.join(root, f), folder) for f in files if f.lower().endswith((".jpg", ".jpeg"))]
    return sorted(rel, key=lambda p: p.encode())


def run_ours(binary, checkpoint, photos, threads):
    out = tempfile.mkdtemp()
    start = time.perf_counter()
    proc = subprocess.run([binary, "embed", photos, "--output-dir", out, "--model", checkpoint, "--pooled",
                           "--threads", str(threads), "--log-every", "86400"], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"internvit failed ({proc.returncode}):\n{proc.stderr}")
    lines = [l for l in proc.stderr.splitlines() if "images/s" in l]
    m = re.search(r"(\d+)/(\d+) images.* ([0-9.]+) images/s, elapsed", lines[-1])
    merged = os.path.join(out, "merged.safetensors")
    subprocess.run([binary, "merge", out, "--output", merged], check=True, capture_output=True)
    pooled = load_numpy(merged)["embeddings"]
    shutil.rmtree(out)
    return float(m.group(3)), wall, pooled


def run_torch(checkpoint, photos, paths, threads, workers, batch):
    torch.set_num_threads(threads)
    with open(os.path.join(checkpoint, "config.json")) as f:
        cfg = ref.config_with_defaults(json.load(f))
    with open(os.path.join(checkpoint, "preprocessor_config.json")) as f:
        pp = json.load(f)
    size = pp["size"] if isinstance(pp["size"], int) else pp["size"]["shortest_edge"]
    crop = pp["crop_size"] if isinstance(pp["crop_size"], int) else pp["crop_size"]["height"]
    pre = dict(size=size, crop=crop, mean=pp["image_mean"], std=pp["image_std"])
    model = ref.InternVisionModel(cfg).eval()
    model.load_state_dict({k: v.float() for k, v in load_file(os.path.join(checkpoint, "model.safetensors")).items()})
    loader = torch.utils.data.DataLoader(Photos([os.path.join(photos, p) for p in paths], pre), batch_size=batch,
                                         num_workers=workers, shuffle=False)
    rows = []
    start = time.perf_counter()
    with torch.no_grad():
        for pixels in loader:
            _, pooled, _ = model(pixels)
            rows.append(pooled.numpy())
    seconds = time.perf_counter() - start
    return len(paths) / seconds, np.concatenate(rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--photos", required=True)
    parser.add_argument("--count", type=int, default=64)
    parser.add_argument("--internvit", default=".build/release/internvit")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--layers", type=int, default=24)
    args = parser.parse_args()
    if not os.path.isdir(args.checkpoint):
        make_checkpoint(args.checkpoint, args.layers)
    if not os.path.isdir(args.photos):
        make_photos(args.photos, args.count)
    paths = image_paths(args.photos)
    sizes = [Image.open(os.path.join(args.photos, p)).size for p in paths]
    with open(os.path.join(args.checkpoint, "config.json")) as f:
        config = json.load(f)
    print(f"checkpoint {args.checkpoint}: width {config['hidden_size']}, {config['num_hidden_layers']} layers, "
          f"{config['image_size']} px")
    print(f"{len(paths)} JPEG photos, {min(s[0] * s[1] for s in sizes) / 1e6:.2f}-{max(s[0] * s[1] for s in sizes) / 1e6:.2f} MP")
    ours, wall, ours_rows = run_ours(args.internvit, args.checkpoint, args.photos, args.threads)
    print(f"ours (internvit embed --output-dir --pooled, {args.threads} threads + 1 decode thread): "
          f"{ours:.3f} images/s (process wall {wall:.1f} s incl. model load)")
    theirs, torch_rows = run_torch(args.checkpoint, args.photos, paths, args.threads, args.workers, args.batch)
    print(f"pytorch {torch.__version__} + Pillow {Image.__version__} (DataLoader {args.workers} workers, batch "
          f"{args.batch}, {args.threads} threads, float32): {theirs:.3f} images/s")
    print(f"ratio ours / pytorch: {ours / theirs:.2f}")
    cos = (ours_rows * torch_rows).sum(1) / (np.linalg.norm(ours_rows, axis=1) * np.linalg.norm(torch_rows, axis=1))
    print(f"pooled outputs, ours vs pytorch: cosine min {cos.min():.6f}, mean {cos.mean():.6f}")


if __name__ == "__main__":
    main()
