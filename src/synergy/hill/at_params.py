"""SSE, Wald covariance and status of Hill curves at given parameters (numpy, batched).

:meth:`synergy.hill.HillFit.from_params` wraps parameters from another fitter (drc's
procedure, a file) and needs the SSE, the covariance and the status at those parameters,
not a fit.  The formulas are those of the lsq kernel's evaluation mode
(``synergy._kernels.hill_lsq.fit_hill_lsq`` with ``max_iter = 0``: ``J^T W J`` of the
residuals, ``sigma^2 (J^T W J)^-1`` on the free parameters with ``sigma^2 = SSE / (n -
k_free)``, NaN where ``J^T W J`` is not positive definite), computed with numpy
element-wise operations over all curves at once (loops run over points and the 4
parameters, never over curves).  numpy instead of a numba kernel: the first run on an
empty numba cache compiles nothing here (the kernel cost ~4 s of compilation;
``docs/design.md``, compile time).

Differences from the kernel, all at rounding level (tested to 1e-10 relative in
``tests/hill/test_at_params.py``): replicate points are not merged into their weighted
means first, log-doses are not centred, and the Jacobian is taken in ``theta = ln ic50``
directly rather than in ``phi = hill_slope (theta - u_mid)``.  A curve with a NaN among its
free parameters (a failed fit) gets NaN SSE and covariance and ``NOT_CONVERGED``.
"""

from __future__ import annotations

import numpy as np

from synergy._kernels.hill_lsq import (
    CONVERGED,
    NON_FINITE_DATA,
    NOT_CONVERGED,
    TOO_FEW_POINTS,
)

__all__ = ["hill_at_params"]


def hill_at_params(
    conc: np.ndarray,
    response: np.ndarray,
    weights: np.ndarray,
    fixed: np.ndarray,
    init: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Evaluate N Hill curves at ``init`` (no fit).

    Parameters
    ----------
    conc, response, weights : float64 (N, P)
        Doses (>= 0, any unit), responses (NaN = missing point) and weights (0 = unused).
    fixed : float64 (N, 4)
        Fixed values of (theta = ln ic50, hill_slope, bottom, top); NaN = free.
    init : float64 (N, 4)
        Parameters (theta, hill_slope, bottom, top) at which to evaluate.

    Returns
    -------
    params, covariance, sse, sse_null, n_points, n_iter, status
        As ``synergy._kernels.hill_lsq.fit_hill_lsq``: params (N, 4) with theta, covariance
        (N, 4, 4) of (theta, hill_slope, bottom, top) (zero rows for fixed parameters),
        SSE and the SSE of the constant model (N,), used points (N,), ``n_iter`` (all 0)
        and the kernel status (CONVERGED, NOT_CONVERGED for a NaN free parameter or a
        non-finite SSE, TOO_FEW_POINTS without points, NON_FINITE_DATA).
    """
    N = conc.shape[0]
    used = ~np.isnan(response) & (weights != 0.0)
    with np.errstate(invalid="ignore"):
        good = np.isfinite(response) & np.isfinite(conc) & (conc >= 0.0) & (weights > 0.0)
    bad = np.any(used & ~(good & np.isfinite(weights)), axis=1)
    n_used = used.sum(axis=1)
    ok_pts = used & good
    w = np.where(ok_pts, weights, 0.0)
    y = np.where(ok_pts, response, 0.0)
    x = np.where(ok_pts, conc, 0.0)
    free = np.isnan(fixed)
    p = np.where(free, init, fixed)

    params = np.full((N, 4), np.nan)
    covariance = np.full((N, 4, 4), np.nan)
    sse = np.full(N, np.nan)
    sse_null = np.full(N, np.nan)
    status = np.full(N, CONVERGED, dtype=np.int64)

    # SSE of the constant model: the fixed bottom, or the weighted mean
    sw = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        c_null = np.where(free[:, 2], (w * y).sum(axis=1) / sw, fixed[:, 2])
    null = np.where(ok_pts, w * (y - c_null[:, None]) ** 2, 0.0).sum(axis=1)
    sse_null[~bad] = null[~bad]

    missing = np.any(np.isnan(p), axis=1)
    with np.errstate(all="ignore"):
        theta, h, b, t = (p[:, j : j + 1] for j in range(4))
        s = t - b
        positive = x > 0.0
        u = np.log(np.where(positive, x, 1.0))
        e = np.exp(np.minimum(h * (theta - u), 700.0))
        g = np.where(positive, 1.0 / (1.0 + e), 0.0)
        gg = np.where(positive, e * g * g, 0.0)
        res = y - (b + s * g)
        sse_all = (w * res * res).sum(axis=1)
        # Jacobian of E in (theta, hill_slope, bottom, top); zero doses: dE/dbottom = 1
        jac = (-s * gg * h, -s * gg * (theta - u), 1.0 - g, g)
        jtwj = np.empty((N, 4, 4))
        for j in range(4):
            wj = w * jac[j]
            for k in range(j, 4):
                jtwj[:, j, k] = jtwj[:, k, j] = (wj * jac[k]).sum(axis=1)
    finite = np.isfinite(sse_all)
    status[bad] = NON_FINITE_DATA
    status[~bad & (n_used == 0)] = TOO_FEW_POINTS
    evaluated = ~bad & (n_used > 0)
    status[evaluated & (missing | ~finite)] = NOT_CONVERGED
    ok = evaluated & ~missing & finite
    params[ok] = p[ok]
    sse[ok] = sse_all[ok]
    covariance[ok] = _wald(jtwj[ok], free[ok], n_used[ok], sse_all[ok])
    return params, covariance, sse, sse_null, n_used.astype(np.int64), np.zeros(N, np.int64), status


def _wald(jtwj: np.ndarray, free: np.ndarray, n: np.ndarray, sse: np.ndarray) -> np.ndarray:
    """``sigma^2 M^-1`` on the free parameters (0 for fixed ones), NaN where M is not
    positive definite; M = ``jtwj`` with the rows/columns of fixed parameters replaced by
    those of the identity.  An unrolled Cholesky vectorised over curves (K, 4, 4)."""
    both = free[:, :, None] & free[:, None, :]
    eye = np.broadcast_to(np.eye(4), jtwj.shape)
    M = np.where(both, jtwj, eye)
    k_free = free.sum(axis=1)
    with np.errstate(all="ignore"):
        sigma2 = np.where(n > k_free, sse / (n - k_free), np.nan)
        # one contiguous (K,) array per matrix element: strided (K, 4, 4) slices are slow
        m = [[np.ascontiguousarray(M[:, i, j]) for j in range(4)] for i in range(4)]
        L = [[None] * 4 for _ in range(4)]
        pd = np.ones(M.shape[0], dtype=bool)
        for i in range(4):
            for j in range(i + 1):
                acc = m[i][j]
                for k in range(j):
                    acc = acc - L[i][k] * L[j][k]
                if i == j:
                    pd &= acc > 0.0
                    L[i][i] = np.sqrt(acc)
                else:
                    L[i][j] = acc / L[j][j]
        # M^-1 column by column: L z = e_c, L^T x = z
        inv = np.empty_like(M)
        for c in range(4):
            z: list = [None] * 4
            for i in range(4):
                acc = np.full(M.shape[0], 1.0 if i == c else 0.0)
                for k in range(i):
                    acc = acc - L[i][k] * z[k]
                z[i] = acc / L[i][i]
            for i in range(3, -1, -1):
                acc = z[i]
                for k in range(i + 1, 4):
                    acc = acc - L[k][i] * z[k]
                z[i] = acc / L[i][i]
                inv[:, i, c] = z[i]
        inv[~pd] = np.nan
        cov = np.where(both, sigma2[:, None, None] * inv, 0.0)
    return cov
