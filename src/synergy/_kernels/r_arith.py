"""R's floating-point arithmetic, reproduced exactly for the drc replica (numba).

- :func:`ld_sum`: R's ``sum`` accumulates in an x87 long double (64-bit mantissa); emulated
  with double-double error-free transformations and rounding to the 64-bit grid.
- :func:`lm_line`: intercept and slope of R's ``lm(v ~ u)``, computed as R does (LINPACK
  ``dqrdc2`` Householder QR with ``dqrsl``, column norms by BLAS ``dnrm2``; LAPACK >= 3.10's
  unscaled version reproduces the reference outputs, ``lapack310=False`` the classic one).

drc's start values and objective depend on these in the last bits, and drc's BFGS can end in
a different place when they differ (docs/synergyfinder.md §2).  Used by
:mod:`synergy._kernels.drc`; tested there against plain-Python transcriptions.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["ddot", "dnrm2", "ld_add", "ld_sum", "lm_line", "r_pow"]

_QR_TOL = 1e-7  # lm's tolerance for dqrdc2


@njit(cache=True, error_model="numpy")
def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@njit(cache=True, error_model="numpy")
def ld_add(hi, lo, x):
    """Add double ``x`` to the 64-bit-mantissa value ``hi + lo``, rounding to nearest-even.

    ``hi`` is the double nearest to the extended value and ``lo`` the exact remainder.  The
    exact sum is ``a2 + b2 + e2`` (error-free transformations); ``b2 + e2`` is rounded to the
    64-bit grid of a2's binade with the 1.5 * 2^52 trick, the tail ``e2`` breaking ties.
    """
    a, e1 = _two_sum(hi, x)
    if not math.isfinite(a):
        return a, 0.0
    b, e2 = _two_sum(e1, lo)
    a2, b2 = _two_sum(a, b)
    mag = abs(a2)
    if not 1e-250 < mag < 1e290:  # zero, or near under/overflow (never in practice)
        return _two_sum(a2, b2 + e2)
    q = 4503599627370497.0 * mag  # Rump's ufp: largest power of two <= |a2|
    ufp = abs(q - 0.9999999999999999 * q)
    unit = ufp * 1.0842021724855044e-19  # 2^-63 ufp: the 64-bit spacing in this binade
    rest = b2 if b2 != 0.0 else e2
    if mag == ufp and rest * a2 < 0.0:
        unit *= 0.5  # the exact sum lies in the binade below a2
    big = 6755399441055744.0 * unit  # 1.5 * 2^52 units: (v + big) - big rounds v to the grid
    r = (b2 + big) - big
    d = b2 - r
    if abs(d) == 0.5 * unit:  # b2 is a midpoint: the tail decides, else ties went to even
        if e2 > 0.0 and d > 0.0:
            r += unit
        elif e2 < 0.0 and d < 0.0:
            r -= unit
    return _two_sum(a2, r)


@njit(cache=True, error_model="numpy")
def ld_sum(values):
    """Sum of a 1-D float64 array as R's ``sum`` computes it (x87 long double accumulator)."""
    hi = 0.0
    lo = 0.0
    for v in values:
        hi, lo = ld_add(hi, lo, v)
    return hi


# --- start values: R's lm (LINPACK dqrdc2 + dqrsl) on [1, u] -------------------------------


@njit(cache=True, error_model="numpy")
def dnrm2(v, start, m, lapack310):
    """BLAS dnrm2: LAPACK >= 3.10 (plain sum of squares in the normal range) or the
    classic scaled version (reference BLAS before 3.10)."""
    if m < 1:
        return 0.0
    if lapack310:
        acc = 0.0
        normal = True
        for i in range(start, start + m):
            ax = abs(v[i])
            if ax != 0.0 and (ax < 1.4916681462400413e-154 or ax > 1.9979190722022350e146):
                normal = False
            acc += ax * ax
        if normal:
            return math.sqrt(acc)
    if m == 1:
        return abs(v[start])
    scale = 0.0
    ssq = 1.0
    for i in range(start, start + m):
        if v[i] != 0.0:
            ax = abs(v[i])
            if scale < ax:
                r = scale / ax
                ssq = 1.0 + ssq * (r * r)
                scale = ax
            else:
                r = ax / scale
                ssq = ssq + r * r
    return scale * math.sqrt(ssq)


@njit(cache=True, error_model="numpy")
def ddot(x, y, start, m):
    s = 0.0
    for i in range(start, start + m):
        s = s + x[i] * y[i]
    return s


@njit(cache=True, error_model="numpy", inline="always")
def lm_line(u, v, lapack310):
    """Intercept and slope of ``lm(v ~ u)``; ok False where R gives an NA slope."""
    m = u.shape[0]
    if m < 2:
        return math.nan, math.nan, False
    x0 = np.empty(m)  # np.ones would compile its own kernel
    for i in range(m):
        x0[i] = 1.0
    x1 = u.copy()
    qty = v.copy()
    row0 = np.int64(0)  # typed int64, not Literal[int]: one compilation of dnrm2 and ddot
    row1 = np.int64(1)
    qraux0 = dnrm2(x0, row0, m, lapack310)
    qraux1 = dnrm2(x1, row0, m, lapack310)
    norm1 = qraux1 if qraux1 != 0.0 else 1.0
    # Householder step on column 1 (rows 1..m)
    nrm = dnrm2(x0, row0, m, lapack310)
    inv = 1.0 / nrm
    for i in range(m):
        x0[i] = inv * x0[i]
    x0[0] = 1.0 + x0[0]
    tt = -ddot(x0, x1, row0, m) / x0[0]
    for i in range(m):
        x1[i] = x1[i] + tt * x0[i]
    if qraux1 != 0.0:
        r = abs(x1[0]) / qraux1
        w = max(1.0 - r * r, 0.0)
        qraux1 = qraux1 * math.sqrt(w) if abs(w) >= 1e-6 else dnrm2(x1, row1, m - 1, lapack310)
    qraux0 = x0[0]
    x0[0] = -nrm
    if not qraux1 >= norm1 * _QR_TOL:
        return math.nan, math.nan, False  # column 2 negligible: rank 1, NA slope
    if m > 2:  # Householder step on column 2 (rows 2..m)
        nrm = dnrm2(x1, row1, m - 1, lapack310)
        if nrm != 0.0:
            if x1[1] != 0.0:
                nrm = math.copysign(nrm, x1[1])
            inv = 1.0 / nrm
            for i in range(1, m):
                x1[i] = inv * x1[i]
            x1[1] = 1.0 + x1[1]
            qraux1 = x1[1]
            x1[1] = -nrm
    # dqrsl: Q'y, then back substitution
    if qraux0 != 0.0:
        temp = x0[0]
        x0[0] = qraux0
        tt = -ddot(x0, qty, row0, m) / x0[0]
        for i in range(m):
            qty[i] = qty[i] + tt * x0[i]
        x0[0] = temp
    if m > 2 and qraux1 != 0.0:
        temp = x1[1]
        x1[1] = qraux1
        tt = -ddot(x1, qty, row1, m - 1) / x1[1]
        for i in range(1, m):
            qty[i] = qty[i] + tt * x1[i]
        x1[1] = temp
    if x1[1] == 0.0 or x0[0] == 0.0:
        return math.nan, math.nan, False
    slope = qty[1] / x1[1]
    intercept = (qty[0] + (-slope) * x1[0]) / x0[0]
    return intercept, slope, True


@njit(cache=True, error_model="numpy")
def r_pow(x: float, y: float) -> float:
    """R's ``x ^ y`` (``R_pow`` in arithmetic.c), which differs from C ``pow`` for
    infinite or zero bases."""
    if y == 2.0:
        return x * x
    if x == 1.0 or y == 0.0:
        return 1.0
    if x == 0.0:
        if y > 0.0:
            return 0.0
        if y < 0.0:
            return math.inf
        return y
    if math.isfinite(x) and math.isfinite(y):
        if x < 0.0 and y != math.floor(y):
            return math.nan
        return x**y
    if math.isnan(x) or math.isnan(y):
        return x + y
    if not math.isfinite(x):
        if x > 0.0:
            return 0.0 if y < 0.0 else math.inf
        if math.isfinite(y) and y == math.floor(y):
            if y < 0.0:
                return 0.0
            return x if (y % 2.0) != 0.0 else -x
    if not math.isfinite(y) and x >= 0.0:
        if y > 0.0:
            return math.inf if x >= 1.0 else 0.0
        return math.inf if x < 1.0 else 0.0
    return math.nan
