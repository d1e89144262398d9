"""Per-curve bookkeeping around the Hill fit kernel, batched (numba).

:func:`synergy.hill.fit` used numpy for these steps; on 1e5 curves they took about as long
as the fit itself on one of two cores (temporaries of the (N, 4, 4) covariance, serial
passes), so they run here, one pass each, with the same arithmetic.  The passes are serial
loops: they cost ~1 ms per 1e5 curves next to ~0.5 s of fitting, and ``parallel=True`` would
add ~2-4 s of numba compilation each to the first run (``docs/design.md``, compile time):

- :func:`default_bounds`: the documented default bounds from the curves' data ranges;
- :func:`kernel_args`: the fit kernel's copies of ``fixed`` and ``bounds`` with ln(ic50);
- :func:`natural`: the covariance from ln(ic50) to ic50 by the delta method (in place), and
  the tested-dose range;
- :func:`f_statistic` and :func:`finish_status`: the flatness F-test (its p-value from
  ``scipy.special.fdtrc`` in between) and the final status codes.

Tested through ``tests/hill`` (against numpy re-computations of the same formulas).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "bounds_ok",
    "default_bounds",
    "f_statistic",
    "finish_status",
    "kernel_args",
    "natural",
]

# status codes (synergy.hill.status.HillStatus; kernel codes in hill_lsq)
_CONVERGED = 0
_IC50_EXTRAPOLATED = 1
_HIT_BOUND = 2
_FLAT = 3


@njit(cache=True, error_model="numpy")
def default_bounds(ranges, slope_lo, slope_hi, ic50_factor, margin_min):
    """Default bounds (N, 4, 2) of (ic50, hill_slope, bottom, top) from ``ranges`` (N, 4).

    ``ranges`` = lowest/highest positive dose and lowest/highest response of the used
    points (±inf when none; :func:`synergy._kernels.hill_core.curve_ranges`).  ic50 in
    [cmin / ic50_factor, cmax * ic50_factor] (0 and inf without doses); slope in
    [slope_lo, slope_hi]; bottom and top in [ymin - s, ymax + s], s = max(ymax - ymin,
    margin_min) (±inf without points).
    """
    N = ranges.shape[0]
    out = np.empty((N, 4, 2))
    for i in range(N):
        cmin = ranges[i, 0]
        cmax = ranges[i, 1]
        ymin = ranges[i, 2]
        ymax = ranges[i, 3]
        margin = max(ymax - ymin, margin_min)
        out[i, 0, 0] = cmin / ic50_factor if np.isfinite(cmin) else 0.0
        out[i, 0, 1] = cmax * ic50_factor if np.isfinite(cmax) else np.inf
        out[i, 1, 0] = slope_lo
        out[i, 1, 1] = slope_hi
        low = ymin - margin if np.isfinite(ymin) else -np.inf
        high = ymax + margin if np.isfinite(ymax) else np.inf
        for j in range(2, 4):
            out[i, j, 0] = low
            out[i, j, 1] = high
    return out


@njit(cache=True, error_model="numpy")
def bounds_ok(bounds):
    """(every lower bound below its upper bound, ic50 and slope bounds >= 0) of (N, 4, 2)."""
    N = bounds.shape[0]
    bad_order = 0
    negative = 0
    for i in range(N):
        for j in range(4):
            if not bounds[i, j, 0] < bounds[i, j, 1]:
                bad_order += 1
        for j in range(2):
            if bounds[i, j, 0] < 0.0:
                negative += 1
    return bad_order == 0, negative == 0


@njit(cache=True, error_model="numpy")
def kernel_args(fixed, bounds):
    """Copies of ``fixed`` (N, 4) and ``bounds`` (N, 4, 2) with ic50 replaced by ln(ic50)."""
    N = fixed.shape[0]
    kfixed = np.empty((N, 4))
    kbounds = np.empty((N, 4, 2))
    for i in range(N):
        for j in range(4):
            kfixed[i, j] = fixed[i, j]
            kbounds[i, j, 0] = bounds[i, j, 0]
            kbounds[i, j, 1] = bounds[i, j, 1]
        kfixed[i, 0] = np.log(fixed[i, 0])
        kbounds[i, 0, 0] = np.log(bounds[i, 0, 0])
        kbounds[i, 0, 1] = np.log(bounds[i, 0, 1])
    return kfixed, kbounds


@njit(cache=True, error_model="numpy")
def natural(params, cov, ranges):
    """The delta method from ln(ic50) to ic50 in ``cov`` (N, 4, 4), in place, given
    ``params`` (N, 4) with ic50 already in column 0; returns the tested positive-dose
    range (cmin, cmax), NaN when none.

    ``cov * s s^T`` with ``s = (ic50, 1, 1, 1)``: row and column 0 scaled, in numpy's order
    of operations (``(c * s_j) * s_k``).  (The caller takes ``np.exp`` of ln(ic50) itself:
    numpy's exp and libm's may differ in the last bit.)
    """
    N = params.shape[0]
    cmin = np.empty(N)
    cmax = np.empty(N)
    for i in range(N):
        ic50 = params[i, 0]
        cov[i, 0, 0] = cov[i, 0, 0] * ic50 * ic50
        for k in range(1, 4):
            cov[i, 0, k] = cov[i, 0, k] * ic50
            cov[i, k, 0] = cov[i, k, 0] * ic50
        cmin[i] = ranges[i, 0] if np.isfinite(ranges[i, 0]) else np.nan
        cmax[i] = ranges[i, 1] if np.isfinite(ranges[i, 1]) else np.nan
    return cmin, cmax


@njit(cache=True, error_model="numpy")
def f_statistic(sse, sse_null, n_points, fixed):
    """Degrees of freedom and F statistic of the fit against the no-dose-effect model.

    ``df1 = k_free - k_null`` (k_null = 1 when bottom is free, else 0), ``df2 = n - k_free``,
    ``x = max(((sse_null - sse) / df1) / (sse / df2), 0)`` (NaN kept); the p-value is
    ``scipy.special.fdtrc(df1, df2, x)``, finished by :func:`finish_status`.
    """
    N = sse.shape[0]
    df1 = np.empty(N)
    df2 = np.empty(N)
    x = np.empty(N)
    for i in range(N):
        k_free = 0
        for j in range(4):
            k_free += 1 if np.isnan(fixed[i, j]) else 0
        k_null = 1 if np.isnan(fixed[i, 2]) else 0
        d1 = float(k_free - k_null)
        d2 = float(n_points[i] - k_free)
        f = ((sse_null[i] - sse[i]) / d1) / (sse[i] / d2)
        df1[i] = d1
        df2[i] = d2
        x[i] = 0.0 if f < 0.0 else f
    return df1, df2, x


@njit(cache=True, error_model="numpy")
def finish_status(p, df1, df2, sse, sse_null, kstatus, fixed, params, cmin, cmax, alpha):
    """Final p-values (in place) and status codes (int8) of the fits.

    p-value: 0 for a perfect fit of data with an effect (sse = 0 < sse_null), 1 for constant
    data, NaN without degrees of freedom or SSE.  Status: the kernel's, ``flat`` for a
    converged or bound fit with p > ``alpha``, ``ic50_extrapolated`` for a converged one
    whose free IC50 lies outside [cmin, cmax].
    """
    N = p.shape[0]
    status = np.empty(N, dtype=np.int8)
    for i in range(N):
        pi = p[i]
        if sse[i] <= 0.0:
            pi = 0.0 if sse_null[i] > 0.0 else 1.0
        if not (df1[i] > 0.0 and df2[i] > 0.0 and np.isfinite(sse[i])):
            pi = np.nan
        p[i] = pi
        st = kstatus[i]
        if st in (_CONVERGED, _HIT_BOUND) and pi > alpha:
            st = _FLAT
        outside = params[i, 0] < cmin[i] or params[i, 0] > cmax[i]
        if st == _CONVERGED and outside and np.isnan(fixed[i, 0]):
            st = _IC50_EXTRAPOLATED
        status[i] = st
    return status
