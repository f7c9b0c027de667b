#!/usr/bin/env python3
"""Times numpy (OpenBLAS) sgemm on the shapes `tensor-bench gemm` measures, as the
yardstick printed beside our figures in the same run. Not used by the package itself.

Usage: python3 Scripts/bench_numpy_gemm.py THREADS "M,K,N[,BATCH]" ...
Prints one line per shape: "M,K,N,BATCH GFLOPS" (best of several timed runs).
The thread count must be fixed before numpy loads OpenBLAS, so the caller sets
OPENBLAS_NUM_THREADS; this script also checks it with threadpoolctl when available.
"""
import sys
import time

import numpy as np


def best_seconds(fn, min_time=0.6, min_runs=3):
    fn()  # warm up
    best, total, runs = float("inf"), 0.0, 0
    while total < min_time or runs < min_runs:
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        total += elapsed
        runs += 1
    return best


def main():
    rng = np.random.default_rng(0)
    for spec in sys.argv[2:]:
        m, k, n, *rest = (int(v) for v in spec.split(","))
        batch = rest[0] if rest else 1
        a = rng.standard_normal((batch, m, k), dtype=np.float32)
        b = rng.standard_normal((batch, k, n), dtype=np.float32)
        out = np.empty((batch, m, n), dtype=np.float32)
        if batch == 1:
            a2, b2, out2 = a[0], b[0], out[0]
            seconds = best_seconds(lambda: np.matmul(a2, b2, out=out2))
        else:
            seconds = best_seconds(lambda: np.matmul(a, b, out=out))
        print(f"{m},{k},{n},{batch} {2.0 * m * n * k * batch / seconds / 1e9:.2f}", flush=True)


if __name__ == "__main__":
    main()
