#!/usr/bin/python3
"""Fit the polynomial coefficients of engine/vmath.c's vectorised erf.

Three pieces (x >= 0; erf is odd):
  [0, 1):  erf(x) = x * P(x^2)                 P fitted to erf(x)/x
  [1, 2):  erfc(x) = exp(-x^2) * Q1(x - 1.5)   Q1 fitted to erfc(x)*exp(x^2)
  [2, 4):  erfc(x) = exp(-x^2) * Q2(x - 3)     Q2 likewise
beyond 3.92 erf(x) rounds to 1 in float32.  Least-squares fits on Chebyshev
nodes in double precision (scipy's erf/erfcx are accurate to a few 1e-16);
the printed max relative error is that of the double-precision polynomial.
"""
import numpy as np
from scipy.special import erf, erfcx

def fit(f, lo, hi, center, deg, var=lambda x: x):
    k = np.arange(4000)
    x = 0.5 * (lo + hi) + 0.5 * (hi - lo) * np.cos(np.pi * (k + 0.5) / 4000)
    t = var(x) - center
    y = f(x)
    # weighted (relative) least squares in the monomial basis of t
    V = np.vander(t, deg + 1, increasing=True) / y[:, None]
    c, *_ = np.linalg.lstsq(V, np.ones_like(y), rcond=None)
    rel = np.max(np.abs(np.polyval(c[::-1], t) / y - 1))
    return c, rel

for name, args in [
    ("ERF_P", (lambda x: np.where(x == 0, 2 / np.sqrt(np.pi), erf(x) / np.where(x == 0, 1, x)), 0.0, 1.0, 0.0, 6,
               lambda x: x * x)),
    ("ERF_Q1", (erfcx, 1.0, 2.0, 1.5, 7)),
    ("ERF_Q2", (erfcx, 2.0, 4.0, 3.0, 8)),
]:
    c, rel = fit(*args)
    print(f"/* {name}: degree {len(c) - 1}, max relative error {rel:.2e} */")
    print(f"static const float {name}[{len(c)}] = {{" + ", ".join(f"{v:.9e}f" for v in c) + "};")
