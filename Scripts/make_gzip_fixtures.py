"""Writes the gzip fixtures of `Tests/ImagingTests/GzipTests.swift` with Python's own
`gzip` and `zlib` (the reference decoder is `gzip.decompress`).

    /work/venv/bin/python Scripts/make_gzip_fixtures.py

Into Tests/ImagingTests/Fixtures/gzip/:
  valid/NAME.gz + valid/NAME.out   a gzip file and the bytes `gzip.decompress` returns
  hostile/NAME.gz                  files `gzip.decompress` refuses (or that RFC 1952
                                   says a decoder must refuse), and
  hostile.json                     for each: the ImageError kind the Swift decoder must
                                   throw and what Python said.

Block types are forced with zlib strategies: level 0 gives stored blocks, Z_FIXED fixed
Huffman blocks, the default strategy on text dynamic blocks (the script checks which
block type each body starts with, so a zlib change cannot silently swap them).
"""
import gzip
import json
import os
import random
import struct
import zlib

ROOT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ImagingTests", "Fixtures", "gzip")


def raw_deflate(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY):
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    return compressor.compress(data) + compressor.flush()


def fixed_block_with_match_before_start():
    """A final fixed-Huffman block whose first symbol is a match (length 3, distance 1):
    it reaches before the start of the output."""
    bits = [1, 1, 0]                                   # BFINAL, BTYPE = 01 (LSB first)
    bits += [0, 0, 0, 0, 0, 0, 1]                      # length code 257 (7-bit code, MSB first)
    bits += [0, 0, 0, 0, 0]                            # distance code 0 (distance 1)
    bits += [0, 0, 0, 0, 0, 0, 0]                      # end of block (256)
    bits += [0] * (-len(bits) % 8)
    return bytes(sum(bit << i for i, bit in enumerate(bits[k:k + 8])) for k in range(0, len(bits), 8))


def first_block_type(body):
    return (body[0] >> 1) & 3


def member(data, body=None, flags=0, extra=b"", name=b"", comment=b"", header_crc=True, mtime=0):
    """One gzip member with the optional header fields of RFC 1952, section 2.3."""
    body = raw_deflate(data) if body is None else body
    header = bytearray(b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", mtime) + b"\x00\xff")
    if flags & 0x04:
        header += struct.pack("<H", len(extra)) + extra
    if flags & 0x08:
        header += name + b"\x00"
    if flags & 0x10:
        header += comment + b"\x00"
    if flags & 0x02:
        crc16 = zlib.crc32(bytes(header)) & 0xFFFF
        header += struct.pack("<H", crc16 if header_crc else crc16 ^ 0x5A5A)
    return bytes(header) + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def main():
    rng = random.Random(17)
    text = b"".join(b"line %d: the quick brown fox jumps over the lazy dog %d\n" % (i, rng.randrange(1000)) for i in range(400))
    noise = bytes(rng.randrange(256) for _ in range(3000))
    far_block = bytes(rng.randrange(256) for _ in range(20000))

    stored = raw_deflate(noise, level=0)
    fixed = raw_deflate(text[:600], strategy=zlib.Z_FIXED)
    dynamic = raw_deflate(text)
    assert first_block_type(stored) == 0 and first_block_type(fixed) == 1 and first_block_type(dynamic) == 2

    valid = {
        "stored": member(noise, body=stored),
        "fixed": member(text[:600], body=fixed),
        "dynamic": member(text, body=dynamic),
        "empty": gzip.compress(b"", mtime=0),
        "fname": member(text[:200], flags=0x08, name=b"digits.csv"),
        "fextra": member(text[:200], flags=0x04, extra=b"AP\x04\x00abcd"),
        "fcomment": member(text[:200], flags=0x10, comment=b"a comment"),
        "fhcrc": member(text[:200], flags=0x02),
        "all-header-fields": member(text[:300], flags=0x1E, extra=b"xy\x00\x00", name=b"n.txt", comment=b"c"),
        "multi-member": member(text[:100]) + member(noise[:50], body=raw_deflate(noise[:50], level=0)) + gzip.compress(b"", mtime=0),
        "zero-padded": gzip.compress(text[:100], mtime=0) + b"\x00" * 7,
        # Python's own writer (FNAME from the file name, level 9).
        "python-gzipfile": None,
        # Long back-references (distance 20,000: distance code 28, length 258) over 60 KB.
        "long-matches": gzip.compress(far_block * 3, compresslevel=9, mtime=0),
    }
    import io
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="digits.csv", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as f:
        f.write(text)
    valid["python-gzipfile"] = buffer.getvalue()

    good = gzip.compress(text, mtime=0)
    crc_offset = len(good) - 8
    bad_crc = bytearray(good); bad_crc[crc_offset] ^= 0x01
    bad_size = bytearray(good); bad_size[crc_offset + 4] ^= 0x01
    absurd_size = bytearray(good); absurd_size[crc_offset + 4:] = b"\xff\xff\xff\xff"
    bad_method = bytearray(good); bad_method[2] = 7
    reserved = bytearray(good); reserved[3] |= 0x20
    bad_block = bytearray(gzip.compress(b"abc", mtime=0)); bad_block[10] |= 0x06   # block type 3
    far_distance = member(b"", body=fixed_block_with_match_before_start())
    hostile = {
        # name: (bytes, Swift ImageError kind)
        "truncated-body": (good[: len(good) // 2], "truncated"),
        "truncated-trailer": (good[:-3], "truncated"),
        "truncated-header": (good[:6], "truncated"),
        "unterminated-fname": (member(b"x", flags=0x08, name=b"n")[:11] + b"abcdef", "truncated"),
        "bad-crc": (bytes(bad_crc), "corrupt"),
        "bad-isize": (bytes(bad_size), "corrupt"),
        "absurd-isize": (bytes(absurd_size), "corrupt"),
        "trailing-garbage": (good + b"garbage!", "corrupt"),
        "not-gzip": (b"PK\x03\x04 this is a zip file, not gzip at all.......", "corrupt"),
        "bad-method": (bytes(bad_method), "unsupported"),
        "reserved-flag": (bytes(reserved), "corrupt"),
        "bad-header-crc": (member(text[:200], flags=0x02, header_crc=False), "corrupt"),
        "invalid-block-type": (bytes(bad_block), "corrupt"),
        "distance-too-far": (far_distance, "corrupt"),
        "second-member-truncated": (good + good[:30], "truncated"),
    }

    os.makedirs(os.path.join(ROOT, "valid"), exist_ok=True)
    os.makedirs(os.path.join(ROOT, "hostile"), exist_ok=True)
    for name, data in valid.items():
        expected = gzip.decompress(data)
        with open(os.path.join(ROOT, "valid", name + ".gz"), "wb") as f:
            f.write(data)
        with open(os.path.join(ROOT, "valid", name + ".out"), "wb") as f:
            f.write(expected)
    verdicts = {}
    for name, (data, kind) in hostile.items():
        try:
            gzip.decompress(data)
            python = "accepted"
        except Exception as error:  # noqa: BLE001 - recording whatever Python says
            python = f"{type(error).__name__}: {error}"
        verdicts[name] = {"kind": kind, "python": python}
        with open(os.path.join(ROOT, "hostile", name + ".gz"), "wb") as f:
            f.write(data)
    with open(os.path.join(ROOT, "hostile.json"), "w") as f:
        json.dump(verdicts, f, indent=1, sort_keys=True)
        f.write("\n")
    for name, verdict in sorted(verdicts.items()):
        print(f"{name:26} swift: {verdict['kind']:12} python: {verdict['python']}")


if __name__ == "__main__":
    main()
