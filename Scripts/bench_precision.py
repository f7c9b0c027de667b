#!/usr/bin/env python3
"""Side by side, in one run: speed, peak memory and fidelity of every precision of ours
(`internvit`, release build) against PyTorch float32 / bfloat16 and ONNX Runtime float32 /
dynamic int8, on one checkpoint in the official layout and real photos (issue 16).

  swift build -c release --product internvit
  /work/venv/bin/python Scripts/bench_precision.py [--checkpoint DIR] [--json OUT.json]

Engines (each run in its own process, so peak RSS is per engine; the peers and the
preparation steps live in Scripts/bench_precision_engines.py, so this driver never imports
torch or onnxruntime):
  ours <precision>   `internvit bench --model DIR --iterations K --threads T` for speed (its
                     per-tile forward time: warm-up forward, then K timed forwards, median) and
                     `internvit embed --pixels PHOTOS.npy` for the outputs; float32 plus every
                     `--precision` value `internvit bench --help` lists (int8, int16, ...);
                     weights kept as stored (bf16) unless --ours-dtypes says otherwise.
  PyTorch float32    the original forward (Scripts/internvit_reference.py), torch.set_num_threads(T).
  PyTorch bfloat16   the model card's way: `model.to(torch.bfloat16)`, pixels in bf16.
  ORT float32        ONNX Runtime on the graph `torch.onnx.export` makes of the original code
                     (TorchScript exporter, opset 17, batch 1), intra_op_num_threads=T.
  ORT int8           that graph through `onnxruntime.quantization.quantize_dynamic` (MatMul
                     weights, QInt8, per tensor: the defaults).
Every engine is timed the same way: one warm-up forward, then K timed forwards of one tile
in the process (median of the K). Rounds alternate the engines (the order reverses every
other round) so drift on a shared machine hits all of them; the table gives the median and
range of the per-round medians, and ours / peer ratios of the medians.

Fidelity: each engine's last_hidden_state on the photos (CLIPImageProcessor steps of the
model card: Pillow bicubic resize of the shortest edge, center crop, ImageNet mean/std)
against a float64 forward of the reference port on the same pixels and the bf16 weights:
rel-L2 of the whole [tokens, width] state and the minimum cosine over tokens, the worst
photo of each. The issue's bound for an integer option: rel-L2 <= 1.2e-2 and every token's
cosine >= 0.9998. Ours float32 is also compared with PyTorch float32 (parity: rel-L2 <= 1e-5).

--checkpoint DIR defaults to /tmp/internvit-300m-full; if DIR has no model.safetensors, the
full-size random checkpoint of `make_internvit_fixtures.py --full-size DIR` (InternViT-300M-448px,
official layout, bf16, seed 300) is written there first.
The exported ONNX files and the float64 outputs are cached in --work (default
/tmp/bench-precision-work) and reused while the checkpoint and photos are unchanged.
OPENBLAS_* variables are removed from every engine's environment; TENSOR_NUM_THREADS=T.
Versions: Scripts/requirements.txt.
"""
import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(SCRIPTS)
DEFAULT_PHOTOS = ["Examples/Images/sample.jpg", "Tests/ImagingTests/Fixtures/clip/landscape.png",
                  "Tests/ImagingTests/Fixtures/clip/portrait.png"]
PEERS = ["pytorch-float32", "pytorch-bfloat16", "ort-float32", "ort-int8"]
LABELS = {"pytorch-float32": "PyTorch float32", "pytorch-bfloat16": "PyTorch bfloat16 (model.to(bf16))",
          "ort-float32": "ONNX Runtime float32", "ort-int8": "ONNX Runtime int8 (quantize_dynamic)"}
REL_BOUND, COS_BOUND, PARITY_BOUND = 1.2e-2, 0.9998, 1e-5


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def engine_environment(threads):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS")}
    env.update(TENSOR_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    return env


class EngineFailure(Exception):
    """A child process failed; the engine is reported as failed and the run goes on."""


def run_child(command, env, what):
    """Runs a child to completion; returns (stdout, peak RSS in MB) from its own rusage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise EngineFailure(f"{what} failed (exit {process.returncode}): {' '.join(command)}\n{stderr[-3000:]}")
    return stdout, usage.ru_maxrss / 1024  # Linux: kilobytes


def engines_command(args, *extra):
    """A child running Scripts/bench_precision_engines.py (peers, export, float64 reference)."""
    return [sys.executable, os.path.join(SCRIPTS, "bench_precision_engines.py"), "--checkpoint", args.checkpoint,
            "--work", args.work, "--threads", str(args.threads), *extra]


def ensure_checkpoint(args):
    if os.path.exists(os.path.join(args.checkpoint, "model.safetensors")):
        return
    if os.path.exists(args.checkpoint) and (not os.path.isdir(args.checkpoint) or os.listdir(args.checkpoint)):
        raise SystemExit(f"{args.checkpoint} exists but holds no model.safetensors: give a checkpoint or a new folder")
    if os.path.isdir(args.checkpoint):
        os.rmdir(args.checkpoint)  # empty: write_checkpoint makes it
    log(f"writing the full-size random checkpoint to {args.checkpoint} (as make_internvit_fixtures.py --full-size) ...")
    try:
        run_child(engines_command(args, "--prepare", "checkpoint"), engine_environment(args.threads), "writing the checkpoint")
    except EngineFailure as failure:
        raise SystemExit(str(failure))


def preprocess(photo, size, crop):
    """The model card's CLIPImageProcessor (transformers 4.37.2, PIL path): shortest edge to
    `size` (long edge truncated) with Pillow bicubic, center crop, /255, ImageNet mean/std."""
    from PIL import Image
    image = Image.open(photo).convert("RGB")
    w, h = image.size
    short, long = min(w, h), max(w, h)
    new_short, new_long = size, int(size * long / short)
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    image = image.resize((new_w, new_h), Image.BICUBIC)
    top, left = (new_h - crop) // 2, (new_w - crop) // 2
    image = image.crop((left, top, left + crop, top + crop))
    x = (np.asarray(image, dtype=np.float64) * (1 / 255)).astype(np.float32)
    mean, std = np.array([0.485, 0.456, 0.406], np.float32), np.array([0.229, 0.224, 0.225], np.float32)
    return ((x - mean) / std).transpose(2, 0, 1)  # [3, crop, crop]


def checkpoint_identity(checkpoint):
    parts = []
    for name in ("config.json", "model.safetensors"):
        st = os.stat(os.path.join(checkpoint, name))
        parts.append(f"{os.path.realpath(os.path.join(checkpoint, name))}:{st.st_size}:{st.st_mtime_ns}")
    return parts


def prepare(args):
    """Photos -> pixels, ONNX export, float64 reference; each cached under --work."""
    os.makedirs(args.work, exist_ok=True)
    with open(os.path.join(args.checkpoint, "config.json")) as f:
        config = json.load(f)
    size = crop = config.get("vision_config", config).get("image_size", 448)
    pre_path = os.path.join(args.checkpoint, "preprocessor_config.json")
    if os.path.exists(pre_path):
        with open(pre_path) as f:
            pre = json.load(f)
        size, crop = pre.get("size", size), pre.get("crop_size", crop)
        size, crop = (size.get("shortest_edge", size) if isinstance(size, dict) else size,
                      crop.get("height", crop) if isinstance(crop, dict) else crop)
    photos = [os.path.join(ROOT, p) if not os.path.isabs(p) else p for p in args.photos]
    pixels = np.stack([preprocess(p, size, crop) for p in photos])  # [P, 3, crop, crop]
    digest = hashlib.sha256(pixels.tobytes()).hexdigest()
    identity = {"checkpoint": checkpoint_identity(args.checkpoint), "pixels": digest, "size": crop}
    stamp_path = os.path.join(args.work, "photos.json")
    cached = os.path.exists(stamp_path) and json.load(open(stamp_path)) == identity
    if not cached:
        for name in ("model.float32.onnx", "model.int8.onnx", "float64.npy"):
            if os.path.exists(os.path.join(args.work, name)):
                os.remove(os.path.join(args.work, name))
    np.save(os.path.join(args.work, "photos.npy"), pixels)
    with open(stamp_path, "w") as f:
        json.dump(identity, f)
    env = engine_environment(args.threads)
    if any(e.startswith("ort") for e in args.engines) and not os.path.exists(os.path.join(args.work, "model.int8.onnx")):
        prepare_step(args, env, "onnx", "ONNX export",
                     "exporting the original forward to ONNX (float32) and quantize_dynamic (int8) ...")
    if not os.path.exists(os.path.join(args.work, "float64.npy")):
        prepare_step(args, env, "float64", "float64 reference", f"float64 reference forward on {len(photos)} photos ...")
    return photos, config


def prepare_step(args, env, kind, what, message):
    """Runs `bench_precision_engines.py --prepare KIND` in a child, timed; a failure ends the run."""
    log(message)
    t0 = time.perf_counter()
    try:
        run_child(engines_command(args, "--prepare", kind), env, what)
    except EngineFailure as failure:
        raise SystemExit(str(failure))
    log(f"  done in {time.perf_counter() - t0:.0f} s")


PRECISION_NAME = re.compile(r"^(float|bfloat|int|uint|w|fp|bf)[0-9]+[a-z0-9-]*$")


def our_precisions(binary, requested):
    """The --precision values `internvit bench --help` and `embed --help` list (float32 always),
    or `requested` (--ours-precisions) when given."""
    def listed(command):
        text = subprocess.run([binary, command, "--help"], capture_output=True, text=True).stdout
        names = []
        for alternatives in re.findall(r"--precision[ =]\[?([A-Za-z0-9_|-]+)", text):
            names += [p for p in alternatives.split("|") if PRECISION_NAME.match(p)]
        if "--precision" in text and not names:
            log(f"warning: `internvit {command} --help` mentions --precision but lists no value this script can read; "
                "name them with --ours-precisions")
        return list(dict.fromkeys(names))
    bench, embed = listed("bench"), listed("embed")
    chosen = requested if requested else bench
    ordered = ["float32"] + [p for p in dict.fromkeys(chosen) if p != "float32"]
    bench_set = set(bench) | set(p for p in (requested or []) if p != "float32")
    embed_set = set(embed) | set(p for p in (requested or []) if p != "float32")
    return ordered, bench_set, embed_set


def ours_engines(args):
    precisions, bench_set, embed_set = our_precisions(args.binary, args.ours_precisions)
    engines = []
    for dtype in args.ours_dtypes:
        for precision in precisions:
            name = f"ours-{precision}" + ("" if dtype == "bfloat16" else f"-{dtype}-weights")
            flags = ["--dtype", dtype] + (["--precision", precision] if precision in bench_set else [])
            embed_flags = ["--dtype", dtype] + (["--precision", precision] if precision in embed_set else [])
            fidelity_ok = precision == "float32" or precision in embed_set
            label = f"ours {precision}" + (" (bf16 weights)" if dtype == "bfloat16" and precision == "float32" else "")
            if dtype != "bfloat16":
                label += f" ({dtype} weights)"
            engines.append({"name": name, "label": label, "bench": flags, "embed": embed_flags,
                            "fidelity": fidelity_ok, "ours": True, "precision": precision})
    return engines


def run_fidelity(args, engine, env):
    out = os.path.join(args.work, f"out.{engine['name']}.npy")
    photos = os.path.join(args.work, "photos.npy")
    if engine.get("ours"):
        if not engine["fidelity"]:
            return None
        command = [args.binary, "embed", "--pixels", photos, "--model", args.checkpoint, "--output", out + ".tmp.npy",
                   "--threads", str(args.threads), *engine["embed"]]
        if os.path.exists(out + ".tmp.npy"):
            os.remove(out + ".tmp.npy")
    else:
        command = engines_command(args, "--worker", engine["name"], "--pixels", photos, "--output", out + ".tmp.npy")
    run_child(command, env, f"{engine['label']} (fidelity)")
    os.replace(out + ".tmp.npy", out)
    return np.load(out)


def run_timing(args, engine, env):
    """One process: load, warm-up, K timed forwards of one tile. Returns (median s, RSS MB)."""
    if engine.get("ours"):
        command = [args.binary, "bench", "--model", args.checkpoint, "--iterations", str(args.iterations),
                   "--threads", str(args.threads), *engine["bench"]]
        stdout, rss = run_child(command, env, f"{engine['label']} (bench)")
        match = re.search(r"median ([0-9.]+) s, min ([0-9.]+) s", stdout)
        if not match:
            raise SystemExit(f"cannot read the tile time in the output of {' '.join(command)}:\n{stdout}")
        kernel = next((line for line in stdout.splitlines() if line.startswith("kernel selected")), "")
        return float(match.group(1)), rss, kernel.strip()
    stdout, rss = run_child(engines_command(args, "--worker", engine["name"], "--pixels",
                                         os.path.join(args.work, "photos.npy"), "--iterations", str(args.iterations)),
                            env, f"{engine['label']} (timing)")
    result = json.loads(stdout.strip().splitlines()[-1])
    engine["runtime_rss_mb"] = result["runtime_rss_mb"]
    return statistics.median(result["times"]), rss, ""


def fidelity(out, truth):
    """Worst photo: largest rel-L2 of [N, D], smallest per-token cosine."""
    rels, coss = [], []
    for o, t in zip(out.astype(np.float64), truth):
        rels.append(float(np.linalg.norm(o - t) / np.linalg.norm(t)))
        cos = (o * t).sum(-1) / (np.linalg.norm(o, axis=-1) * np.linalg.norm(t, axis=-1))
        coss.append(float(cos.min()))
    return max(rels), min(coss), rels, coss


def tile_flops(config):
    """Matmul FLOPs of one tile (docs: internvit-reference.md section 7)."""
    c = config.get("vision_config", config)
    d, f, layers, p = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"], c.get("patch_size", 14)
    grid = c.get("image_size", 448) // p
    patches = grid * grid
    n = patches + 1
    return 2 * patches * 3 * p * p * d + layers * (2 * n * (4 * d * d + 2 * d * f) + 4 * n * n * d)


def fail(engine, failure):
    """Marks an engine failed (its first error line goes in the table, all of it on stderr)."""
    engine["error"] = next((line for line in str(failure).splitlines()[::-1] if line.strip()), "failed")[:200].replace("|", "/")
    log(f"  {engine['label']} FAILED; it is left out of the rest of the run:\n{failure}")


def driver(args):
    args.binary = os.path.abspath(args.binary)
    if "ours" in args.engines and not os.access(args.binary, os.X_OK):
        raise SystemExit(f"{args.binary} not found: build it first with `swift build -c release --product internvit`")
    ensure_checkpoint(args)
    started = time.perf_counter()
    ours = ours_engines(args) if "ours" in args.engines else []
    peers = [{"name": e, "label": LABELS[e]} for e in PEERS if e in args.engines]
    engines = ours + peers
    args.engines = [e["name"] for e in engines]
    photos, config = prepare(args)
    env = engine_environment(args.threads)
    truth = np.load(os.path.join(args.work, "float64.npy"))
    flops = tile_flops(config)
    load_before = os.getloadavg()

    log("fidelity: every engine on the photos ...")
    outputs = {}
    for engine in engines:
        t0 = time.perf_counter()
        try:
            out = run_fidelity(args, engine, env)
        except EngineFailure as failure:
            fail(engine, failure)
            continue
        if out is not None:
            outputs[engine["name"]] = out
            engine["rel"], engine["cos"], engine["rels"], engine["coss"] = fidelity(out, truth)
            log(f"  {engine['label']}: rel-L2 {engine['rel']:.2e}, min cos {engine['cos']:.6f} ({time.perf_counter() - t0:.0f} s)")
    parity = None
    if "ours-float32" in outputs and "pytorch-float32" in outputs:
        parity = fidelity(outputs["ours-float32"], outputs["pytorch-float32"].astype(np.float64))
        log(f"  ours float32 vs PyTorch float32: rel-L2 {parity[0]:.2e}, min cos {parity[1]:.9f}")

    for engine in engines:
        engine["times"], engine["rss"] = [], []
    for round_index in range(args.rounds):
        order = engines if round_index % 2 == 0 else engines[::-1]
        log(f"round {round_index + 1}/{args.rounds} (load average {os.getloadavg()[0]:.1f}) ...")
        for engine in order:
            if "error" in engine:
                continue
            try:
                seconds, rss, kernel = run_timing(args, engine, env)
            except EngineFailure as failure:
                fail(engine, failure)
                continue
            engine["times"].append(seconds)
            engine["rss"].append(rss)
            if kernel:
                engine["kernel"] = kernel
            log(f"  {engine['label']}: {seconds:.3f} s, peak RSS {rss:.0f} MB")
    load_after = os.getloadavg()
    for engine in engines:
        if engine["times"]:
            engine["median"] = statistics.median(engine["times"])
            engine["peak_rss_mb"] = max(engine["rss"])

    report = render(args, engines, parity, flops, load_before, load_after, time.perf_counter() - started)
    print(report)
    if args.json:
        keep = ("name", "label", "times", "median", "rss", "peak_rss_mb", "runtime_rss_mb", "rel", "cos", "rels", "coss",
                "kernel", "error")
        with open(args.json, "w") as f:
            json.dump({"engines": [{k: e[k] for k in keep if k in e} for e in engines],
                       "parity_ours_vs_pytorch_float32": None if parity is None else {"rel": parity[0], "cos": parity[1]},
                       "photos": [os.path.relpath(p, ROOT) for p in photos], "checkpoint": args.checkpoint,
                       "threads": args.threads, "rounds": args.rounds, "iterations": args.iterations,
                       "load_average": [load_before, load_after], "tile_gflop": flops / 1e9}, f, indent=1)
    if parity is not None and parity[0] > PARITY_BOUND:
        print(f"\nWARNING: ours float32 vs PyTorch float32 rel-L2 {parity[0]:.2e} > {PARITY_BOUND:g}", file=sys.stderr)


def render(args, engines, parity, flops, load_before, load_after, seconds):
    """The Markdown report: one table of engines, ours / peer ratios, and the issue's checks."""
    v = versions()
    kernel = next((e["kernel"] for e in engines if e.get("kernel")), "")
    lines = [f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs; load average "
             f"{load_before[0]:.1f} before the rounds, {load_after[0]:.1f} after; {args.threads} threads; "
             f"{args.rounds} alternating rounds x {args.iterations} timed forwards of one "
             f"{np.load(os.path.join(args.work, 'photos.npy')).shape[-1]}² tile "
             f"({flops / 1e9:.1f} GFLOP) per engine; torch {v['torch']}, onnxruntime {v['onnxruntime']}, "
             f"onnx {v['onnx']}; ours: {kernel or 'internvit release build'}; whole run {seconds / 60:.1f} min.",
             f"Fidelity: worst of {len(args.photos)} photos ({', '.join(os.path.basename(p) for p in args.photos)}) "
             "against a float64 forward of the reference port on the same pixels.", "",
             "| engine | tile, median | range of round medians | GFLOP/s | peak RSS | rel-L2 vs float64 | min token cosine | rel-L2 ≤ 1.2e-2 and cos ≥ 0.9998 |",
             "|---|---|---|---|---|---|---|---|"]
    for e in engines:
        if "median" not in e:
            lines.append(f"| {e['label']} | failed: {e.get('error', 'no timing')} | | | | | | |")
            continue
        ok = "—" if "rel" not in e else ("yes" if e["rel"] <= REL_BOUND and e["cos"] >= COS_BOUND else "**no**")
        rel = f"{e['rel']:.2e}" if "rel" in e else "n/a"
        cos = f"{e['cos']:.6f}" if "cos" in e else "n/a"
        runtime = f" ({e['runtime_rss_mb']:.0f} MB before weights)" if "runtime_rss_mb" in e else ""
        lines.append(f"| {e['label']} | {e['median']:.3f} s | {min(e['times']):.3f}–{max(e['times']):.3f} s | "
                     f"{flops / max(e['median'], 1e-9) / 1e9:.0f} | {e['peak_rss_mb']:.0f} MB{runtime} | {rel} | {cos} | {ok} |")
    ours = [e for e in engines if e.get("ours") and "median" in e]
    peers = [e for e in engines if not e.get("ours") and "median" in e]
    if ours and peers:
        lines += ["", "Ratio of tile medians, ours / peer (below 1: ours faster):", "",
                  "| ours | " + " | ".join(p["label"] for p in peers) + " |",
                  "|---|" + "---|" * len(peers)]
        for o in ours:
            lines.append(f"| {o['label']} | " + " | ".join(f"{o['median'] / max(p['median'], 1e-9):.2f}×" for p in peers) + " |")
    by_name = {e["name"]: e for e in engines if "median" in e}
    checks = []
    if parity is not None:
        checks.append(f"float32 parity, ours vs PyTorch float32: rel-L2 {parity[0]:.2e} (bound {PARITY_BOUND:g}), "
                      f"min token cosine {parity[1]:.9f}: {'ok' if parity[0] <= PARITY_BOUND else 'FAILS'}")
    f32, ort32 = by_name.get("ours-float32"), by_name.get("ort-float32")
    if f32 and ort32:
        r = f32["median"] / ort32["median"]
        checks.append(f"ours float32 / ONNX Runtime float32 = {r:.2f}× (bound 0.95×, goal 0.85×): {'ok' if r <= 0.95 else 'not met'}")
    if f32:
        checks.append(f"ours float32 peak RSS {f32['peak_rss_mb']:.0f} MB (bound 800 MB): "
                      f"{'ok' if f32['peak_rss_mb'] <= 800 else 'not met'}")
    integer = [e for e in ours if e["precision"] != "float32"]
    if integer:
        fastest = min(integer, key=lambda e: e["median"])
        bf16, ort8 = by_name.get("pytorch-bfloat16"), by_name.get("ort-int8")
        if bf16:
            r = fastest["median"] / bf16["median"]
            goal = f", {fastest['median'] / ort8['median']:.2f}× ONNX Runtime int8 (goal ≤ 1.0×)" if ort8 else ""
            checks.append(f"fastest integer option ({fastest['label']}) / PyTorch bfloat16 = {r:.2f}× (bound 1.0×){goal}: "
                          f"{'ok' if r <= 1.0 else 'not met'}")
        for e in integer:
            if "rel" in e:
                checks.append(f"{e['label']} fidelity: rel-L2 {e['rel']:.2e}, min token cosine {e['cos']:.6f} "
                              f"(bounds {REL_BOUND:g}, {COS_BOUND}): "
                              f"{'ok' if e['rel'] <= REL_BOUND and e['cos'] >= COS_BOUND else 'not met'}")
    elif ours:
        checks.append("no integer --precision listed by `internvit bench --help`: only ours float32 was run")
    if checks:
        lines += ["", "Checks (issue 16):", ""] + [f"- {c}" for c in checks]
    return "\n".join(lines)


def versions():
    """Peer library versions, read from package metadata (the driver does not import them)."""
    from importlib import metadata
    found = {}
    for name in ("torch", "onnxruntime", "onnx", "numpy", "pillow"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", default="/tmp/internvit-300m-full")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "internvit"))
    parser.add_argument("--photos", nargs="+", default=DEFAULT_PHOTOS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=2, help="timed forwards per engine per round")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engines", nargs="+", default=["ours"] + PEERS, help="ours and/or " + " ".join(PEERS))
    parser.add_argument("--ours-dtypes", nargs="+", default=["bfloat16"], choices=["bfloat16", "float32"],
                        help="internvit --dtype (weights in memory) for ours")
    parser.add_argument("--ours-precisions", nargs="+",
                        help="internvit --precision values to run (default: those `internvit bench --help` lists)")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "bench-precision-work"))
    parser.add_argument("--json")
    args = parser.parse_args()
    args.checkpoint = os.path.abspath(args.checkpoint)
    if args.rounds < 1 or args.iterations < 1:
        parser.error("--rounds and --iterations must be at least 1")
    unknown = set(args.engines) - set(["ours"] + PEERS)
    if unknown:
        parser.error(f"unknown engines {sorted(unknown)}")
    driver(args)


if __name__ == "__main__":
    main()
