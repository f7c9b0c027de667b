"""Small byte-level writers for the format fixtures Pillow cannot write
(used by Scripts/make_format_fixtures.py): GIF with literal-only LZW, BMP with any header,
depth, bit fields or RLE, TIFF with strips or tiles, any compression and predictor, and
PackBits. They only need to produce valid files: the expected pixels always come from
Pillow reading them back.
"""
import struct

import numpy as np


def lzw_gif(indices, bits):
    """GIF LZW data (sub-blocked) that codes every index as a literal, with a clear code
    before the table would make codes grow: simple, valid, and decodable by any reader."""
    clear, end = 1 << bits, (1 << bits) + 1
    size = bits + 1
    codes = [clear]
    since = 0
    for v in indices:
        if since == (1 << size) - clear - 3:
            codes.append(clear)
            since = 0
        codes.append(int(v))
        since += 1
    codes.append(end)
    out, acc, n = bytearray(), 0, 0
    for c in codes:
        acc |= c << n
        n += size
        while n >= 8:
            out.append(acc & 255)
            acc >>= 8
            n -= 8
    if n:
        out.append(acc & 255)
    blocks = bytearray([bits])
    for i in range(0, len(out), 255):
        chunk = out[i:i + 255]
        blocks += bytes([len(chunk)]) + chunk
    return bytes(blocks + b"\x00")


def gif_frame(x, y, w, h, indices, bits, local_palette=None, interlace=False, transparency=None):
    out = bytearray()
    if transparency is not None:
        out += b"!\xf9\x04" + bytes([1]) + b"\x00\x00" + bytes([transparency]) + b"\x00"
    flags = 0x40 if interlace else 0
    if local_palette is not None:
        flags |= 0x80 | (bits - 1)
    out += b"," + struct.pack("<4HB", x, y, w, h, flags)
    if local_palette is not None:
        out += bytes(local_palette)
    rows = list(range(h))
    if interlace:
        rows = list(range(0, h, 8)) + list(range(4, h, 8)) + list(range(2, h, 4)) + list(range(1, h, 2))
    ordered = np.concatenate([indices[r] for r in rows])
    return bytes(out) + lzw_gif(ordered, max(bits, 2))


def gif_file(w, h, frames, global_palette=None, bits=8):
    flags = (0x80 | (bits - 1) | ((bits - 1) << 4)) if global_palette is not None else 0
    out = bytearray(b"GIF89a" + struct.pack("<2H3B", w, h, flags, 0, 0))
    if global_palette is not None:
        out += bytes(global_palette)
    for f in frames:
        out += f
    return bytes(out + b";")


def bmp_file(w, h, bits, rows, palette=None, compression=0, header=40, masks=None, top_down=False, data=None):
    """rows: list of bytes per stored row (already padded), or `data` for RLE."""
    pixels = data if data is not None else b"".join(rows)
    pal = b""
    if palette is not None:
        pal = b"".join(bytes([b, g, r, 0]) for r, g, b in palette) if header != 12 else \
            b"".join(bytes([b, g, r]) for r, g, b in palette)
    extra = b""
    if header == 12:
        info = struct.pack("<I4H", 12, w, h, 1, bits)
    else:
        info = struct.pack("<IiiHHIIiiII", header, w, -h if top_down else h, 1, bits, compression, len(pixels), 2835, 2835,
                           len(palette) if palette else 0, 0)
        if masks is not None:
            if header >= 52:
                info += struct.pack("<4I", *(list(masks) + [0])[:4])
            else:
                extra = struct.pack("<3I", *masks[:3])
        info += bytes(header - len(info))
    offset = 14 + len(info) + len(extra) + len(pal)
    head = b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset)
    return head + info + extra + pal + pixels


def pad(row):
    return row + bytes((-len(row)) % 4)


def rle8(indices):
    out = bytearray()
    for row in indices:
        x = 0
        while x < len(row):
            run = 1
            while x + run < len(row) and run < 255 and row[x + run] == row[x]:
                run += 1
            if run >= 3 or len(row) - x < 3:
                out += bytes([run, row[x]])
                x += run
            else:
                n = min(len(row) - x, 255)
                # absolute run up to the next repeat
                end = x + 3
                while end < x + n and not (end + 2 < len(row) and row[end] == row[end + 1] == row[end + 2]):
                    end += 1
                chunk = bytes(row[x:end])
                out += bytes([0, len(chunk)]) + chunk + (b"\x00" if len(chunk) % 2 else b"")
                x = end
        out += b"\x00\x00"
    return bytes(out + b"\x00\x01")


def rle4(indices):
    out = bytearray()
    for row in indices:
        x = 0
        while x < len(row):
            if x + 1 < len(row) and x % 6 == 0:
                # an absolute run of 4 (even: Pillow drops the last pixel of odd runs)
                n = min(4, len(row) - x) // 2 * 2
                if n >= 3:
                    px = row[x:x + n]
                    data = bytes((int(px[i]) << 4) | int(px[i + 1]) for i in range(0, n, 2))
                    out += bytes([0, n]) + data + (b"\x00" if len(data) % 2 else b"")
                    x += n
                    continue
            n = min(len(row) - x, 5)
            out += bytes([n, (int(row[x]) << 4) | int(row[x + 1] if x + 1 < len(row) else row[x])])
            # an encoded run alternates the two nibbles: only exact when they describe the pixels
            x += n
        out += b"\x00\x00"
    return bytes(out + b"\x00\x01")


def tiff_file(w, h, spp, bps, photometric, chunks, *, tiled=None, rows_per_strip=None, compression=1, predictor=None,
              planar=1, extra=None, colormap=None, big_endian=False, sample_format=None, more_tags=()):
    """A one-page TIFF; `chunks` are the (already compressed) strips or tiles."""
    e = ">" if big_endian else "<"
    entries = []
    data = bytearray()
    base = 8

    def add(tag, typ, values):
        entries.append((tag, typ, values))

    add(256, 4, [w])
    add(257, 4, [h])
    add(258, 3, [bps] * spp)
    add(259, 3, [compression])
    add(262, 3, [photometric])
    add(277, 3, [spp])
    add(284, 3, [planar])
    if predictor:
        add(317, 3, [predictor])
    if extra is not None:
        add(338, 3, extra)
    if sample_format is not None:
        add(339, 3, [sample_format] * spp)
    if colormap is not None:
        add(320, 3, colormap)
    for tag, typ, values in more_tags:
        add(tag, typ, values)
    offsets = []
    for c in chunks:
        offsets.append(base + len(data))
        data += c
        if len(data) % 2:
            data += b"\x00"
    if tiled:
        add(322, 3, [tiled[0]])
        add(323, 3, [tiled[1]])
        add(324, 4, offsets)
        add(325, 4, [len(c) for c in chunks])
    else:
        add(273, 4, offsets)
        add(278, 4, [rows_per_strip or h])
        add(279, 4, [len(c) for c in chunks])
    entries.sort()
    ifd_offset = base + len(data)
    blob = bytearray()
    blob_base = ifd_offset + 2 + 12 * len(entries) + 4
    ifd = struct.pack(e + "H", len(entries))
    for tag, typ, values in entries:
        size = {3: 2, 4: 4}[typ]
        fmt = e + ("H" if typ == 3 else "I") * len(values)
        raw = struct.pack(fmt, *values)
        if len(raw) <= 4:
            ifd += struct.pack(e + "HHI", tag, typ, len(values)) + raw + bytes(4 - len(raw))
        else:
            ifd += struct.pack(e + "HHII", tag, typ, len(values), blob_base + len(blob))
            blob += raw
    ifd += struct.pack(e + "I", 0)
    head = (b"MM\x00\x2a" if big_endian else b"II\x2a\x00") + struct.pack(e + "I", ifd_offset)
    return head + bytes(data) + ifd + bytes(blob)


def tiff_lzw(data):
    """TIFF LZW (MSB-first, early change) with literal codes and periodic clears."""
    codes, out, acc, n = [256], bytearray(), 0, 0
    since = 0
    for b in data:
        if since == 250:
            codes.append(256)
            since = 0
        codes.append(b)
        since += 1
    codes.append(257)
    for c in codes:
        acc = (acc << 9) | c
        n += 9
        while n >= 8:
            out.append((acc >> (n - 8)) & 255)
            n -= 8
    if n:
        out.append((acc << (8 - n)) & 255)
    return bytes(out)


def differenced(rows, spp, word):
    """Horizontal differencing of uint rows [h, w*spp] (word: np dtype)."""
    a = rows.astype(word)
    d = a.copy()
    d[:, spp:] = a[:, spp:] - a[:, :-spp]
    return d


def packbits(data):
    """PackBits with literal runs of up to 128 and repeat runs of 3+."""
    out, i = bytearray(), 0
    while i < len(data):
        run = 1
        while i + run < len(data) and run < 128 and data[i + run] == data[i]:
            run += 1
        if run >= 3:
            out += bytes([(257 - run) & 255, data[i]])
            i += run
        else:
            j = i
            while j < len(data) and j - i < 128 and not (j + 2 < len(data) and data[j] == data[j + 1] == data[j + 2]):
                j += 1
            out += bytes([j - i - 1]) + data[i:j]
            i = j
    return bytes(out)
