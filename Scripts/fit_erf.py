#!/usr/bin/env python3
"""Fits the polynomial coefficients of the vectorised erf in
Sources/Tensor/Kernels/VectorMath.swift and checks the float32 evaluation.

erf(x) for |x| < 0.875:   x * P(x^2)
erf(x) for 0.875 <= |x| < 4:   1 - exp(-x^2) * Q(|x| - 2.4375)     (Q ~ erfc(x) * exp(x^2))
erf(x) for |x| >= 4:   +-1 (erf(3.92) already rounds to 1 in float32)

Coefficients are least-squares fits on Chebyshev nodes in float64 (mpmath-free: math.erf
and math.erfc are accurate to ~1 ulp in double), then the float32 evaluation is emulated
with numpy float32 arithmetic (FMA Horner emulated in float64 then rounded, as
`addingProduct` does) and compared with the correctly rounded float32 erf.

Usage: python3 Scripts/fit_erf.py
"""
import math

import numpy as np

SPLIT, TOP, CENTER = 0.875, 4.0, 2.4375
P_DEGREE, Q_DEGREE = 7, 14


def cheb_nodes(a, b, n):
    k = np.arange(n)
    return (a + b) / 2 + (b - a) / 2 * np.cos((2 * k + 1) * np.pi / (2 * n))


def fit():
    # P: erf(x)/x as a polynomial in x^2 on [0, SPLIT^2].
    x = cheb_nodes(1e-6, SPLIT, 400)
    y = np.array([math.erf(v) / v for v in x])
    p = np.polynomial.polynomial.polyfit(x * x, y, P_DEGREE, w=1 / np.abs(y))
    # Q: erfc(x) * exp(x^2) as a polynomial in (x - CENTER) on [SPLIT, TOP].
    x = cheb_nodes(SPLIT, TOP, 800)
    y = np.array([math.erfc(v) * math.exp(v * v) for v in x])
    q = np.polynomial.polynomial.polyfit(x - CENTER, y, Q_DEGREE, w=1 / np.abs(y))
    return p.astype(np.float32), q.astype(np.float32)


def fma32(a, b, c):
    return np.float32(np.float64(a) * np.float64(b) + np.float64(c))


def horner32(coefficients, t):
    r = np.float32(coefficients[-1])
    for c in coefficients[-2::-1]:
        r = fma32(r, t, c)
    return r


def erf32(x, p, q):
    """The float32 evaluation as the Swift code performs it (exp correctly rounded here)."""
    a = np.float32(abs(x))
    if a < SPLIT:
        return np.float32(x * horner32(p, np.float32(a * a)))
    if a >= TOP:
        return np.float32(math.copysign(1.0, x))
    hi = np.float32(a * a)
    lo = np.float32(np.float64(a) * np.float64(a) - np.float64(hi))
    e = np.float32(math.exp(-float(hi)))
    e = np.float32(e * np.float32(1 - lo))
    r = np.float32(1 - np.float32(e * horner32(q, np.float32(a - np.float32(CENTER)))))
    return np.float32(math.copysign(float(r), x))


def main():
    p, q = fit()
    worst = 0.0
    xs = np.concatenate([np.linspace(-4.5, 4.5, 200001), np.geomspace(1e-30, 1, 2000)]).astype(np.float32)
    for x in xs:
        ours = erf32(x, p, q)
        exact = math.erf(float(x))
        ref = np.float32(exact)
        ulp = float(np.spacing(np.abs(ref))) if ref != 0 else 1e-45
        worst = max(worst, abs(float(ours) - exact) / ulp)
    print(f"max error {worst:.2f} ulp over {len(xs)} points")
    print("P (x * P(x^2)), low degree first:", ", ".join(repr(float(v)) for v in p))
    print("Q (erfc*exp(x^2) in |x|-2.4375), low degree first:", ", ".join(repr(float(v)) for v in q))


if __name__ == "__main__":
    main()
