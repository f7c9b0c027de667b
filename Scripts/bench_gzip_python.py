"""Peer of `tensor-bench gzip`: the best time of Python's gzip.decompress (zlib) on a file.

    python3 Scripts/bench_gzip_python.py FILE.gz           prints "gzip SECONDS"
    python3 Scripts/bench_gzip_python.py --write FILE.gz   writes a 32 MB benchmark file:
        CSV-like text with numbers (like digits.csv) and a raw image-like byte ramp,
        compressed by gzip level 6 (dynamic Huffman blocks, long and short matches)
"""
import gzip
import random
import sys
import time


def write(path):
    rng = random.Random(0)
    rows = "".join(",".join(str(rng.randrange(17)) for _ in range(64)) + f",{rng.randrange(10)}\n" for _ in range(60_000))
    ramp = bytes((x * 3 + y + rng.randrange(4)) & 0xFF for y in range(1500) for x in range(4000))
    payload = (rows.encode() + ramp)[: 32 << 20]
    with open(path, "wb") as f:
        f.write(gzip.compress(payload, compresslevel=6, mtime=0))


def main():
    if sys.argv[1] == "--write":
        write(sys.argv[2])
        return
    data = open(sys.argv[1], "rb").read()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        gzip.decompress(data)
        best = min(best, time.perf_counter() - start)
    print(f"gzip {best:.6f}")


if __name__ == "__main__":
    main()
