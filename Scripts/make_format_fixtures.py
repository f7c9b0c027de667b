#!/usr/bin/env python3
"""Writes the fixtures of the GIF, BMP, TIFF, CMYK/YCCK JPEG and Netpbm decoders
(Tests/ImagingTests/Fixtures/formats/<format>/), with Pillow 12.3.0 as the oracle.

Every fixture file <name>.<ext> has expected/<name>.npy = Pillow's
Image.open(f).convert("RGB") as uint8 [H, W, 3]. Pictures are crops of the real photo
Examples/Images/sample.jpg (and, when PILLOW_TESTS_IMAGES points at the `Tests/images`
folder of Pillow's sdist, a few odd files from Pillow's own corpus). Pillow writes what it
can (GIF, 1/8/24/32-bit BMP, raw/LZW/Deflate/PackBits TIFF strips, multi-page TIFF,
CMYK JPEG, PBM/PGM/PPM); the small writers below craft the rest (GIF with a frame offset,
local palette and transparency, interlacing; BMP 4-bit, 16-bit 5-5-5/5-6-5, RLE4/RLE8,
top-down, bit-field 32-bit; TIFF tiles, predictor, planar, 16-bit RGB, palette, CMYK).

Usage: python3 Scripts/make_format_fixtures.py   (versions: Scripts/requirements.txt)
       PILLOW_TESTS_IMAGES=/path/to/pillow-12.3.0/Tests/images adds the corpus files.
"""
import io
import os
import shutil
import zlib

import numpy as np
from PIL import Image

from format_writers import (bmp_file, differenced, gif_file, gif_frame, packbits, pad, rle4, rle8, tiff_file,
                            tiff_lzw)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ImagingTests", "Fixtures", "formats")
PHOTO = Image.open(os.path.join(ROOT, "Examples", "Images", "sample.jpg")).convert("RGB")
CORPUS = os.environ.get("PILLOW_TESTS_IMAGES")


def photo(w, h, left=0.3, top=0.3):
    """A w x h crop-and-shrink of the sample photo (real image statistics)."""
    W, H = PHOTO.size
    box = (int(W * left), int(H * top), int(W * left) + 4 * w, int(H * top) + 4 * h)
    return PHOTO.crop(box).resize((w, h), Image.BICUBIC)


def save(fmt, name, data):
    folder = os.path.join(OUT, fmt)
    os.makedirs(os.path.join(folder, "expected"), exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data)
    rgb = np.asarray(Image.open(path).convert("RGB"))
    np.save(os.path.join(folder, "expected", os.path.splitext(name)[0] + ".npy"), rgb)


def pil_bytes(im, fmt, **kw):
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


# --- GIF ------------------------------------------------------------------------------

def make_gif():
    im = photo(64, 48)
    save("gif", "photo_adaptive.gif", pil_bytes(im.quantize(256), "GIF"))
    save("gif", "photo_interlaced.gif", pil_bytes(im.quantize(64), "GIF", interlace=True))
    save("gif", "photo_gray.gif", pil_bytes(im.convert("L"), "GIF"))
    save("gif", "photo_transparent.gif", pil_bytes(im.quantize(32), "GIF", transparency=3))
    second = photo(64, 48, 0.5, 0.5).quantize(256)
    save("gif", "photo_animated.gif", pil_bytes(im.quantize(256), "GIF", save_all=True, append_images=[second],
                                               duration=100, loop=0))
    save("gif", "photo_odd_size.gif", pil_bytes(photo(37, 29).quantize(200), "GIF"))
    # Crafted: a smaller first frame at an offset, a local palette that overrides the
    # global one, a transparent index filling the canvas, interlacing, and an index past
    # a 2-colour palette (black in Pillow).
    q = photo(40, 30).quantize(16)
    idx = np.asarray(q)
    pal = (q.getpalette() + [0] * 48)[:48]
    glob = bytes(range(48))[::-1] * 1
    frame = gif_frame(5, 3, 40, 30, idx, 4, local_palette=pal, interlace=True, transparency=7)
    save("gif", "crafted_offset_local_interlaced.gif", gif_file(50, 40, [frame], global_palette=glob, bits=4))
    small = np.array([[0, 1, 2, 3] * 4] * 6, dtype=np.uint8)
    save("gif", "crafted_index_past_palette.gif",
         gif_file(16, 6, [gif_frame(0, 0, 16, 6, small, 2)], global_palette=bytes([200, 10, 10, 10, 200, 10]), bits=1))
    save("gif", "crafted_no_palette.gif", gif_file(16, 6, [gif_frame(0, 0, 16, 6, small * 60, 8)]))
    save("gif", "crafted_frame_outside_screen.gif",
         gif_file(10, 4, [gif_frame(4, 2, 16, 6, small, 2, local_palette=bytes([9, 8, 7, 100, 110, 120, 30, 60, 90, 255, 0, 128]))]))


# --- BMP ------------------------------------------------------------------------------

def make_bmp():
    im = photo(61, 45)
    save("bmp", "photo_24.bmp", pil_bytes(im, "BMP"))
    save("bmp", "photo_32_rgba.bmp", pil_bytes(im.convert("RGBA"), "BMP"))
    save("bmp", "photo_8_palette.bmp", pil_bytes(im.quantize(256), "BMP"))
    save("bmp", "photo_8_gray.bmp", pil_bytes(im.convert("L"), "BMP"))
    save("bmp", "photo_1.bmp", pil_bytes(im.convert("1"), "BMP"))
    a = np.asarray(im)
    w, h = im.size
    # 4-bit palette, bottom-up and top-down
    q = im.quantize(16)
    idx = np.asarray(q)
    pal = [tuple(q.getpalette()[3 * i:3 * i + 3]) for i in range(16)]

    def pack4(row):
        row = list(row) + [0] * (len(row) % 2)
        return bytes((row[i] << 4) | row[i + 1] for i in range(0, len(row), 2))

    rows = [pad(pack4(r)) for r in idx]
    save("bmp", "crafted_4.bmp", bmp_file(w, h, 4, rows[::-1], palette=pal))
    save("bmp", "crafted_4_topdown.bmp", bmp_file(w, h, 4, rows, palette=pal, top_down=True))
    # 8-bit OS/2 (12-byte header, 3-byte palette entries)
    q8 = im.quantize(256)
    pal8 = [tuple(q8.getpalette()[3 * i:3 * i + 3]) for i in range(256)]
    rows8 = [pad(bytes(r)) for r in np.asarray(q8)]
    save("bmp", "crafted_8_os2.bmp", bmp_file(w, h, 8, rows8[::-1], palette=pal8, header=12))
    # 16-bit 5-5-5 (BI_RGB) and 5-6-5 (bit fields, 40-byte header with masks after it)
    r5, g5, b5 = (a[..., 0].astype(np.uint16) >> 3), (a[..., 1].astype(np.uint16) >> 3), (a[..., 2].astype(np.uint16) >> 3)
    g6 = a[..., 1].astype(np.uint16) >> 2
    p555 = (r5 << 10) | (g5 << 5) | b5
    p565 = (r5 << 11) | (g6 << 5) | b5
    save("bmp", "crafted_16_555.bmp", bmp_file(w, h, 16, [pad(r.astype("<u2").tobytes()) for r in p555][::-1]))
    save("bmp", "crafted_16_565.bmp", bmp_file(w, h, 16, [pad(r.astype("<u2").tobytes()) for r in p565][::-1], compression=3,
                                               masks=(0xF800, 0x7E0, 0x1F)))
    # 32-bit bit fields (XBGR layout, v4 header) and top-down 24-bit
    xbgr = np.concatenate([np.zeros((h, w, 1), np.uint8), a[..., ::-1]], -1)
    save("bmp", "crafted_32_xbgr_v4.bmp", bmp_file(w, h, 32, [r.tobytes() for r in xbgr][::-1], compression=3, header=108,
                                                   masks=(0xFF000000, 0xFF0000, 0xFF00, 0)))
    save("bmp", "crafted_24_topdown.bmp", bmp_file(w, h, 24, [pad(r[:, ::-1].tobytes()) for r in a], top_down=True))
    # RLE8 and RLE4
    save("bmp", "crafted_rle8.bmp", bmp_file(w, h, 8, None, palette=pal8, compression=1, data=rle8(list(np.asarray(q8))[::-1])))
    save("bmp", "crafted_rle4.bmp", bmp_file(w, h, 4, None, palette=pal, compression=2, data=rle4(list(idx)[::-1])))


# --- TIFF -----------------------------------------------------------------------------

def make_tiff():
    im = photo(64, 48)
    a = np.asarray(im)
    w, h = im.size
    for comp, tag in [("raw", None), ("tiff_lzw", "lzw"), ("tiff_adobe_deflate", "deflate"), ("packbits", "packbits")]:
        kw = {} if comp == "raw" else {"compression": comp}
        save("tiff", f"photo_rgb_{tag or 'raw'}.tif", pil_bytes(im, "TIFF", **kw))
    save("tiff", "photo_rgba_lzw.tif", pil_bytes(im.convert("RGBA"), "TIFF", compression="tiff_lzw"))
    save("tiff", "photo_gray_deflate.tif", pil_bytes(im.convert("L"), "TIFF", compression="tiff_adobe_deflate"))
    save("tiff", "photo_palette_raw.tif", pil_bytes(im.quantize(100), "TIFF"))
    save("tiff", "photo_bilevel_packbits.tif", pil_bytes(im.convert("1"), "TIFF", compression="packbits"))
    g16 = (np.asarray(im.convert("L")).astype(np.uint16) * 3 - 200).clip(0, 65535).astype(np.uint16)
    save("tiff", "photo_gray16_raw.tif", pil_bytes(Image.fromarray(g16), "TIFF"))
    save("tiff", "photo_gray16_lzw.tif", pil_bytes(Image.fromarray(g16), "TIFF", compression="tiff_lzw"))
    save("tiff", "photo_multipage.tif", pil_bytes(im, "TIFF", save_all=True, append_images=[photo(30, 20, 0.6, 0.6)]))
    save("tiff", "photo_strips_lzw.tif", pil_bytes(im, "TIFF", compression="tiff_lzw", tiffinfo={278: 5}))
    save("tiff", "photo_orientation6.tif", pil_bytes(photo(40, 30), "TIFF", tiffinfo={274: 6}))
    save("tiff", "photo_cmyk_raw.tif", pil_bytes(im.convert("CMYK"), "TIFF"))
    # JPEG in TIFF: Pillow writes photometric RGB (not decoded here); a YCbCr one is crafted
    # from whole JPEG streams, one per strip (4:2:0, YCbCrSubsampling 2, 2).
    jw, jh = 61, 45
    ycc = photo(jw, jh, 0.2, 0.4)
    strips = [pil_bytes(ycc.crop((0, y, jw, min(y + 16, jh))), "JPEG", quality=85, subsampling=2) for y in range(0, jh, 16)]
    save("tiff", "crafted_jpeg_ycbcr_strips.tif",
         tiff_file(jw, jh, 3, 8, 6, strips, rows_per_strip=16, compression=7, more_tags=[(530, 3, [2, 2])]))
    save("tiff", "photo_jpeg_gray.tif", pil_bytes(im.convert("L"), "TIFF", compression="jpeg"))
    # Crafted: tiles (Deflate, with the predictor; raw, big-endian), predictor on LZW strips,
    # planar RGB, 16-bit RGB, 4-bit palette, WhiteIsZero, associated alpha.
    rows = a.reshape(h, w * 3)
    tiles = []
    for ty in range(0, h, 32):
        for tx in range(0, w, 32):
            t = np.zeros((32, 32, 3), np.uint8)
            part = a[ty:ty + 32, tx:tx + 32]
            t[:part.shape[0], :part.shape[1]] = part
            tiles.append(t)
    pred = [zlib.compress(differenced(t.reshape(32, 96), 3, np.uint8).astype(np.uint8).tobytes()) for t in tiles]
    save("tiff", "crafted_tiles_deflate_predictor.tif",
         tiff_file(w, h, 3, 8, 2, pred, tiled=(32, 32), compression=8, predictor=2))
    save("tiff", "crafted_tiles_raw_bigendian.tif",
         tiff_file(w, h, 3, 8, 2, [t.tobytes() for t in tiles], tiled=(32, 32), big_endian=True))
    strips = [tiff_lzw(differenced(rows[y:y + 7], 3, np.uint8).astype(np.uint8).tobytes()) for y in range(0, h, 7)]
    save("tiff", "crafted_strips_lzw_predictor.tif", tiff_file(w, h, 3, 8, 2, strips, rows_per_strip=7, compression=5, predictor=2))
    planes = [zlib.compress(a[..., c].tobytes()) for c in range(3)]
    save("tiff", "crafted_planar_deflate.tif", tiff_file(w, h, 3, 8, 2, planes, compression=8, planar=2))
    rgb16 = (a.astype(np.uint16) * 257 + np.arange(w, dtype=np.uint16)[None, :, None]).astype(np.uint16)
    d16 = differenced(rgb16.reshape(h, w * 3), 3, np.uint16).astype(np.uint16)
    save("tiff", "crafted_rgb16_deflate_predictor.tif",
         tiff_file(w, h, 3, 16, 2, [zlib.compress(d16.astype("<u2").tobytes())], compression=8, predictor=2))
    save("tiff", "crafted_rgb16_bigendian.tif", tiff_file(w, h, 3, 16, 2, [rgb16.astype(">u2").tobytes()], big_endian=True))
    q = im.quantize(16)
    idx = np.asarray(q)
    packed = b"".join(bytes((int(r[i]) << 4) | int(r[i + 1]) for i in range(0, w, 2)) for r in idx)
    p = q.getpalette()[:48] + [0] * 0
    cmap = [v * 257 for v in p[0::3]] + [v * 257 for v in p[1::3]] + [v * 257 for v in p[2::3]]
    save("tiff", "crafted_palette4_packbits.tif",
         tiff_file(w, h, 1, 4, 3, [packbits(packed)], compression=32773, colormap=cmap))
    gray = np.asarray(im.convert("L"))
    save("tiff", "crafted_whiteiszero.tif", tiff_file(w, h, 1, 8, 0, [gray.tobytes()]))
    rgba = np.asarray(im.convert("RGBA")).copy()
    rgba[..., 3] = (np.arange(w)[None, :] * 4 % 256).astype(np.uint8)
    pm = rgba.copy()
    pm[..., :3] = (rgba[..., :3].astype(np.uint32) * rgba[..., 3:4] // 255).astype(np.uint8)
    save("tiff", "crafted_rgba_associated.tif", tiff_file(w, h, 4, 8, 2, [tiff_lzw(pm.tobytes())], compression=5, extra=[1]))


# --- CMYK / YCCK JPEG -----------------------------------------------------------------

def make_jpeg():
    im = photo(64, 48)
    save("jpeg-cmyk", "photo_cmyk.jpg", pil_bytes(im.convert("CMYK"), "JPEG", quality=90))
    save("jpeg-cmyk", "photo_cmyk_odd.jpg", pil_bytes(photo(37, 29).convert("CMYK"), "JPEG", quality=75))
    save("jpeg-cmyk", "photo_cmyk_progressive.jpg", pil_bytes(im.convert("CMYK"), "JPEG", quality=85, progressive=True))
    if CORPUS:
        # YCCK (Adobe transform 2) with 2x2 sampled Y and K, from Pillow's own test images.
        with open(os.path.join(CORPUS, "pil_sample_cmyk.jpg"), "rb") as f:
            save("jpeg-cmyk", "pillow_ycck.jpg", f.read())


# --- Netpbm ---------------------------------------------------------------------------

def make_netpbm():
    im = photo(37, 29)
    save("netpbm", "photo.pbm", pil_bytes(im.convert("1"), "PPM"))
    bits = np.asarray(im.convert("1"))
    text = "P1\n# plain PBM\n%d %d\n" % (im.size[0], im.size[1])
    text += "\n".join("".join("0" if v else "1" for v in row) for row in bits) + "\n"
    save("netpbm", "photo_plain.pbm", text.encode())
    gray = np.asarray(im.convert("L")).astype(np.int64)
    g16 = (gray * 300).clip(0, 65535)
    save("netpbm", "gray16_maxval65535.pgm", b"P5\n%d %d\n65535\n" % im.size + g16.astype(">u2").tobytes())
    small = gray * 3
    save("netpbm", "gray16_small_values.pgm", b"P5\n%d %d\n65535\n" % im.size + small.astype(">u2").tobytes())
    g1000 = gray * 1000 // 255
    save("netpbm", "gray_maxval1000.pgm", b"P5\n%d %d\n1000\n" % im.size + g1000.astype(">u2").tobytes())
    g4095 = gray * 4095 // 255
    save("netpbm", "gray_maxval4095_plain.pgm",
         (b"P2\n%d %d\n4095\n" % im.size) + " ".join(str(v) for v in g4095.ravel()).encode() + b"\n")
    g100 = gray * 100 // 255
    save("netpbm", "gray_maxval100.pgm", b"P5 %d %d 100\n" % im.size + g100.astype(np.uint8).tobytes())
    rgb = np.asarray(im).astype(np.int64)
    save("netpbm", "rgb_maxval1000.ppm", b"P6\n%d %d\n1000\n" % im.size + (rgb * 1000 // 255).astype(">u2").tobytes())
    save("netpbm", "rgb_maxval31_plain.ppm",
         (b"P3\n%d %d\n31\n" % im.size) + " ".join(str(v) for v in (rgb * 31 // 255).ravel()).encode() + b"\n")


# --- Pillow's corpus: odd files worth keeping -------------------------------------------

def copy_corpus():
    if not CORPUS:
        print("PILLOW_TESTS_IMAGES not set: corpus fixtures kept as they are")
        return
    picks = {
        "gif": ["hopper.gif", "dispose_bgnd.gif", "iss634.gif", "first_frame_transparency.gif", "no_palette.gif",
                "transparent_dispose.gif"],
        "bmp": ["bmp/g/pal1wb.bmp", "bmp/g/pal4rle.bmp", "bmp/g/pal8rle.bmp", "bmp/g/rgb16-565pal.bmp", "bmp/g/rgb32bf.bmp",
                "bmp/q/pal8oversizepal.bmp", "bmp/b/rletopdown.bmp", "bmp/q/rgb32-111110.bmp", "bmp/g/pal8os2.bmp"],
        "tiff": ["tiff_tiled_planar_raw.tif", "tiff_strip_planar_lzw.tiff", "tiff_adobe_deflate.tif",
                 "16bit.cropped.tif", "tiff_gray_2_4_bpp/hopper2.tif", "tiff_gray_2_4_bpp/hopper4IR.tif", "tiff_wrong_bits_per_sample_2.tiff"],
    }
    # Files Pillow refuses, kept to check that they are refused here too.
    os.makedirs(os.path.join(OUT, "rejected"), exist_ok=True)
    for name in ["bmp/q/pal8oversizepal.bmp"]:
        try:
            Image.open(os.path.join(CORPUS, name)).convert("RGB")
            raise SystemExit(name + " is decoded by Pillow: not a rejection fixture")
        except (OSError, ValueError, SyntaxError):
            shutil.copy(os.path.join(CORPUS, name), os.path.join(OUT, "rejected", os.path.basename(name)))
    for fmt, names in picks.items():
        for name in names:
            src = os.path.join(CORPUS, name)
            if not os.path.exists(src):
                print("missing in corpus:", name)
                continue
            try:
                Image.open(src).convert("RGB")
            except Exception as e:  # Pillow itself rejects it: not an exactness fixture
                print("Pillow rejects", name, e)
                continue
            if os.path.getsize(src) > 60000 or Image.open(src).size[0] * Image.open(src).size[1] > 128 * 128:
                print("too large, skipped:", name)
                continue
            with open(src, "rb") as f:
                save(fmt, "pillow_" + os.path.basename(name).replace(".tiff", ".tif"), f.read())


if __name__ == "__main__":
    for sub in ["gif", "bmp", "tiff", "jpeg-cmyk", "netpbm"]:
        shutil.rmtree(os.path.join(OUT, sub), ignore_errors=True)
    make_gif()
    make_bmp()
    make_tiff()
    make_jpeg()
    make_netpbm()
    copy_corpus()
    for sub in sorted(os.listdir(OUT)):
        files = [f for f in os.listdir(os.path.join(OUT, sub)) if f != "expected"]
        print(sub, len(files), "files")
