"""SSE, Wald covariance and flatness sums of Hill curves at given parameters (numba).

:meth:`synergy.hill.HillFit.from_params` wraps parameters from another fitter (drc's
procedure, a file) and needs the SSE, the covariance and the status at those parameters,
not a fit.  This kernel computes them with the same helpers and in the same order as
:func:`synergy._kernels.hill_lsq.fit_hill_lsq` with ``max_iter = 0`` (prepare the points,
centre the log-doses, :func:`~synergy._kernels.hill_core.accumulate`,
:func:`~synergy._kernels.hill_core.covariance`), so the numbers are bit for bit the same,
without compiling the optimiser (its start grid and damped Newton cost ~20 s of numba
compilation on a cold cache).  One serial loop: wrapping is cheap next to any fit.

Difference from ``fit_hill_lsq(max_iter=0)``: a curve with a NaN among its free parameters
(a failed fit) gets NaN SSE and covariance and ``NOT_CONVERGED``, instead of the numbers at
the optimiser's first grid start.  Tested against ``fit_hill_lsq(max_iter=0)`` in
``tests/_kernels/test_hill_eval.py``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from synergy._kernels.hill_core import accumulate as _accumulate
from synergy._kernels.hill_core import covariance as _covariance
from synergy._kernels.hill_lsq import CONVERGED as _CONVERGED
from synergy._kernels.hill_lsq import NON_FINITE_DATA as _NON_FINITE_DATA
from synergy._kernels.hill_lsq import NOT_CONVERGED as _NOT_CONVERGED
from synergy._kernels.hill_lsq import TOO_FEW_POINTS as _TOO_FEW_POINTS
from synergy._kernels.hill_prepare import prepare as _prepare

__all__ = ["hill_at_params"]


@njit(cache=True, error_model="numpy")
def hill_at_params(conc, response, weights, fixed, init):
    """Evaluate N Hill curves at ``init`` (no fit).

    Parameters
    ----------
    conc, response, weights : float64 (N, P)
        As :func:`synergy._kernels.hill_lsq.fit_hill_lsq`.
    fixed : float64 (N, 4)
        Fixed values of (theta = ln ic50, hill_slope, bottom, top); NaN = free.
    init : float64 (N, 4)
        Parameters (theta, hill_slope, bottom, top) at which to evaluate.

    Returns
    -------
    params, covariance, sse, sse_null, n_points, n_iter, status
        As :func:`synergy._kernels.hill_lsq.fit_hill_lsq` (``n_iter`` is 0; status
        CONVERGED, NOT_CONVERGED for a NaN free parameter, TOO_FEW_POINTS without points,
        NON_FINITE_DATA).
    """
    N, P = conc.shape
    params = np.empty((N, 4))
    covariance = np.empty((N, 4, 4))
    sse_out = np.empty(N)
    sse_null_out = np.empty(N)
    n_points = np.empty(N, dtype=np.int64)
    n_iter = np.empty(N, dtype=np.int64)
    status = np.empty(N, dtype=np.int64)
    v, y, w = np.empty(P), np.empty(P), np.empty(P)
    gv, ggv = np.empty(P), np.empty(P)
    level = np.empty(P, dtype=np.int64)
    sums, q, fx = np.empty(4), np.empty(4), np.empty(4)
    gr, rhs, d = np.empty(4), np.empty(4), np.empty(4)
    A, H, M, L = np.empty((4, 4)), np.empty((4, 4)), np.empty((4, 4)), np.empty((4, 4))
    At, cov = np.empty((4, 4)), np.empty((4, 4))
    for r in range(N):  # (np.full and np.zeros would compile their own kernels)
        for j in range(4):
            fx[j] = fixed[r, j]
            params[r, j] = np.nan
            for k in range(4):
                covariance[r, j, k] = np.nan
        sse_out[r] = np.nan
        sse_null_out[r] = np.nan
        n_points[r] = 0
        n_iter[r] = 0
        status[r] = _CONVERGED
        n, n_used, bad = _prepare(conc, response, weights, r, v, y, w, level, sums)
        n_points[r] = n_used
        if bad:
            status[r] = _NON_FINITE_DATA
            continue
        sse0 = sums[3]
        umin = np.inf
        umax = -np.inf
        n_pos = 0
        sw = 0.0
        swy = 0.0
        for i in range(n):
            if v[i] > -np.inf:
                n_pos += 1
                umin = min(umin, v[i])
                umax = max(umax, v[i])
            sw += w[i]
            swy += w[i] * y[i]
        c_null = fx[2] if not np.isnan(fx[2]) else swy / sw
        sse_null = sse0
        for i in range(n):
            sse_null += w[i] * (y[i] - c_null) ** 2
        sse_null_out[r] = sse_null
        if n == 0:
            status[r] = _TOO_FEW_POINTS
            continue
        u_mid = 0.5 * (umin + umax) if n_pos > 0 else 0.0
        for i in range(n):
            v[i] -= u_mid
        missing = False
        for j in range(4):
            val = init[r, j] if np.isnan(fx[j]) else fx[j]
            missing = missing or np.isnan(val)
            q[j] = val - u_mid if j == 0 else val
        if missing:
            status[r] = _NOT_CONVERGED
            continue
        q[0] = q[0] * q[1]  # phi = h * theta
        sse = _accumulate(v, y, w, n, sse0, q, A, H, gr, gv, ggv)
        if not np.isfinite(sse):
            status[r] = _NOT_CONVERGED
            continue
        sse = _accumulate(v, y, w, n, sse0, q, A, H, gr, gv, ggv)
        _covariance(A, q, fx, n_used, sse, cov, M, At, L, rhs, d)
        theta = q[0] / q[1]
        params[r, 0] = theta + u_mid if np.isnan(fx[0]) else fx[0]
        for j in range(1, 4):
            params[r, j] = q[j] if np.isnan(fx[j]) else fx[j]
        for j in range(4):
            for k in range(4):
                covariance[r, j, k] = cov[j, k]
        sse_out[r] = sse
    return params, covariance, sse_out, sse_null_out, n_points, n_iter, status
