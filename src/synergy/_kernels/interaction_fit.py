"""Batched bounded least-squares fits of the Zimmer and BRAID surfaces (numba).

Surfaces, parameters and analytic Jacobians: :mod:`synergy._kernels.interaction_surfaces`
(model codes ``ZIMMER``, ``BRAID``).  The first three parameters are effects (% inhibition),
the others logs (``ln h``, ``ln C``) and shifted logs of the interaction parameters
(``ln(1 + a)``, ``ln(κ + 2)``).  Per block (``prange`` over blocks):

1. Start from ``init`` (the wrapper passes the monotherapy Hill fits and the null
   interaction); the SSE is screened at each row of ``starts`` (values of the interaction
   parameters, the other parameters held).
2. Levenberg–Marquardt (:func:`lm`) from the null start and from the best other start
   (abandoned when after 3 iterations its SSE is still 1.1 times the first run's); the
   lower SSE wins.  Marquardt scaling, Nielsen's damping update, analytic Jacobian, bounds
   by projection with an active set (a parameter on a bound whose gradient points outwards
   is held), steps of the log parameters capped at 2.  Converged when an accepted step
   lowers the SSE by at most 1e-10 relative or moves no parameter by more than 1e-9
   relative, when 5 accepted steps in a row each lower it by less than 1e-8 relative, or
   when no step lowers it (damping above 1e16); NOT_CONVERGED after ``max_iter``;
   HIT_BOUND when a parameter ends on its bound.
3. Covariance ``sigma^2 (J^T J)^-1`` in ``q`` with ``sigma^2 = SSE / (n − P)``, NaN where
   ``J^T J`` is singular.

The linear algebra and the point preparation are MuSyC's
(:mod:`synergy._kernels.musyc`).  Reference: ``scipy.optimize.least_squares`` on the same
points (``tests/_kernels/test_interaction_kernels.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from synergy._kernels.braid_full import BRAID_FULL, braid_full_accumulate
from synergy._kernels.interaction_surfaces import (
    BRAID,
    ZIMMER,
    braid_combine,
    braid_constants,
    braid_drug,
    surface_grid,
    zimmer_combine,
    zimmer_ratio,
)
from synergy._kernels.musyc import prepare
from synergy._kernels.musyc_lm import chol_solve as _chol_solve
from synergy._kernels.musyc_lm import cholesky as _cholesky

__all__ = [
    "BRAID",
    "BRAID_FULL",
    "CONVERGED",
    "HIT_BOUND",
    "NON_FINITE_DATA",
    "NOT_CONVERGED",
    "TOO_FEW_POINTS",
    "ZIMMER",
    "fit_surface",
    "surface_grid",
]

CONVERGED = 0
HIT_BOUND = 2
NOT_CONVERGED = 4
TOO_FEW_POINTS = 5
NON_FINITE_DATA = 6

N_EFFECTS = 3  # parameters before the logs
_MAX_LOG_STEP = 2.0
_FTOL = 1e-10
_XTOL = 1e-9
_STALL = 1e-8
_STALL_STEPS = 5
_ABORT_AFTER = 3
_ABORT_FACTOR = 1.1


@njit(cache=True, error_model="numpy")
def accumulate(model, u1, u2, y, n, q, A, g, jac):
    """SSE at q, ``A = J^T J`` and ``g = J^T r`` (r = y − E) over the n points.

    The surface's per-block constants are scalars and the per-point helpers take and return
    scalars only (no reference counting in the point loop).  The full BRAID
    (``BRAID_FULL``) has its own loop (:mod:`synergy._kernels.braid_full`).
    """
    if model == BRAID_FULL:
        return braid_full_accumulate(u1, u2, y, n, q, A, g, jac)
    p = q.shape[0]
    for j in range(p):
        g[j] = 0.0
        for k in range(p):
            A[j, k] = 0.0
    zimmer = model == ZIMMER
    e0, e1, e2 = q[0], q[1], q[2]
    h1 = np.exp(q[3])
    h2 = np.exp(q[4])
    ln_c1, ln_c2 = q[5], q[6]
    c12 = np.exp(q[7])  # Zimmer: 1 + a12; BRAID: kappa + 2 (recomputed below)
    c21 = np.exp(q[8]) if zimmer else 0.0
    h, kappa2, r1, r2, lr1, lr2, dfe, first = braid_constants(e0, e1, e2, q[3], q[4], q[7])
    sse = 0.0
    # each drug's dose terms are reused while its dose repeats (rows of a grid, replicates)
    v1 = v2 = np.nan
    x1 = x2 = 0.0  # Zimmer: d / C
    on1 = on2 = False  # BRAID: braid_drug's terms
    ld1 = g1 = gr1 = z1 = ld2 = g2 = gr2 = z2 = 0.0
    jac2 = np.empty(p)
    r_even = 0.0
    for i in range(n):
        if u1[i] != v1:
            v1 = u1[i]
            if zimmer:
                x1 = zimmer_ratio(v1, ln_c1)
            else:
                on1, ld1, g1, gr1, z1 = braid_drug(v1, ln_c1, h1, r1, lr1)
        if u2[i] != v2:
            v2 = u2[i]
            if zimmer:
                x2 = zimmer_ratio(v2, ln_c2)
            else:
                on2, ld2, g2, gr2, z2 = braid_drug(v2, ln_c2, h2, r2, lr2)
        if zimmer:
            t = zimmer_combine(x1, x2, e0, e1, e2, h1, h2, c12, c21)
        else:
            t = braid_combine(on1, ld1, g1, gr1, z1, on2, ld2, g2, gr2, z2, e0, h1, h2, h,
                              kappa2, r1, r2, dfe, first)  # fmt: skip
        r = y[i] - t[0]
        sse += r * r
        if i % 2 == 0:
            for j in range(p):
                jac[j] = t[j + 1]
            r_even = r
            if i == n - 1:
                for j in range(p):
                    g[j] += jac[j] * r
                    for k in range(j + 1):
                        A[j, k] += jac[j] * jac[k]
        else:
            # two points per pass over A (the sums keep their order: bit-identical)
            for j in range(p):
                jac2[j] = t[j + 1]
            for j in range(p):
                g[j] = g[j] + jac[j] * r_even + jac2[j] * r
                for k in range(j + 1):
                    A[j, k] = A[j, k] + jac[j] * jac[k] + jac2[j] * jac2[k]
    for j in range(p):
        for k in range(j):
            A[k, j] = A[j, k]
    return sse


@njit(cache=True, error_model="numpy")
def _damped_step(q, A, g, lo, hi, lam, M, L, d, qt):
    """Trial point qt of one projected LM step; False if the damped system is not PD.

    Returns (ok, small) with ``small`` when no parameter moves by more than _XTOL.
    """
    p = q.shape[0]
    for j in range(p):
        held = (q[j] <= lo[j] and g[j] <= 0.0) or (q[j] >= hi[j] and g[j] >= 0.0)
        d[j] = 0.0 if held else 1.0
    for j in range(p):
        for k in range(p):
            M[j, k] = A[j, k] * d[j] * d[k]
        M[j, j] = 1.0 if d[j] == 0.0 else A[j, j] * (1.0 + lam) + 1e-300
    for j in range(p):
        d[j] *= g[j]
    if not _cholesky(M, L, p):
        return False, False
    _chol_solve(L, d, qt, p)
    small = True
    for j in range(p):
        step = qt[j]
        if j >= N_EFFECTS:
            step = min(max(step, -_MAX_LOG_STEP), _MAX_LOG_STEP)
        qt[j] = min(max(q[j] + step, lo[j]), hi[j])
        if abs(qt[j] - q[j]) > _XTOL * (abs(q[j]) + 1.0):
            small = False
    return True, small


@njit(cache=True, error_model="numpy")
def lm(model, u1, u2, y, n, q, lo, hi, max_iter, abort_sse=np.inf):
    """Levenberg–Marquardt from q (updated in place); returns (sse, n_iter, status)."""
    p = q.shape[0]
    A = np.empty((p, p))
    At = np.empty((p, p))
    M = np.empty((p, p))
    L = np.empty((p, p))
    g = np.empty(p)
    gt = np.empty(p)
    d = np.empty(p)
    qt = np.empty(p)
    jac = np.empty(p)
    sse = accumulate(model, u1, u2, y, n, q, A, g, jac)
    if not np.isfinite(sse):
        return sse, 0, NOT_CONVERGED
    lam, nu, n_slow = 1e-3, 2.0, 0
    for it in range(1, max_iter + 1):
        if it > _ABORT_AFTER and sse > abort_sse:
            return sse, it - 1, NOT_CONVERGED
        ok, small = _damped_step(q, A, g, lo, hi, lam, M, L, d, qt)
        sse_t = accumulate(model, u1, u2, y, n, qt, At, gt, jac) if ok else np.inf
        if sse_t < sse:
            pred = 0.0
            for j in range(p):
                dj = qt[j] - q[j]
                pred += dj * (lam * A[j, j] * dj + g[j])
            red = sse - sse_t
            rho = red / pred if pred > 0.0 else 0.5
            q[:] = qt
            g[:] = gt
            A[:, :] = At
            sse = sse_t
            f = 2.0 * rho - 1.0
            lam = max(lam * max(1.0 / 3.0, 1.0 - f * f * f), 1e-12)
            nu = 2.0
            if red <= _FTOL * sse or small:
                return sse, it, CONVERGED
            n_slow = n_slow + 1 if red <= _STALL * sse else 0
            if n_slow >= _STALL_STEPS:
                return sse, it, CONVERGED
        else:
            if ok and small:
                return sse, it, CONVERGED
            lam *= nu
            nu *= 2.0
            if lam > 1e16:
                return sse, it, CONVERGED
    return sse, max_iter, NOT_CONVERGED


@njit(cache=True, error_model="numpy")
def _covariance(model, u1, u2, y, n, q, sse, cov):
    """``cov = sigma^2 (J^T J)^-1`` at q (scaled to unit diagonal); NaN if singular."""
    p = q.shape[0]
    A = np.empty((p, p))
    g = np.empty(p)
    jac = np.empty(p)
    accumulate(model, u1, u2, y, n, q, A, g, jac)
    scale = np.empty(p)
    for j in range(p):
        scale[j] = 1.0 / np.sqrt(A[j, j]) if A[j, j] > 0.0 else 0.0
    if not scale.min() > 0.0:
        return
    M = np.empty((p, p))
    L = np.empty((p, p))
    for j in range(p):
        for k in range(p):
            M[j, k] = A[j, k] * scale[j] * scale[k]
    if not _cholesky(M, L, p):
        return
    sigma2 = sse / (n - p)
    unit = np.empty(p)
    col = np.empty(p)
    for c in range(p):
        unit[:] = 0.0
        unit[c] = 1.0
        _chol_solve(L, unit, col, p)
        for j in range(p):
            cov[j, c] = sigma2 * col[j] * scale[j] * scale[c]


@njit(cache=True, error_model="numpy")
def _fit_one(model, dose1, dose2, resp, init, bounds, starts, max_iter, q, cov):
    """Fit one block (q, cov filled in place); returns (sse, n_points, n_iter, status)."""
    p = init.shape[0]
    q[:] = np.nan
    cov[:, :] = np.nan
    m = resp.shape[0]
    u1 = np.empty(m)
    u2 = np.empty(m)
    y = np.empty(m)
    n, n_combo, bad = prepare(dose1, dose2, resp, u1, u2, y)
    if bad:
        return np.nan, n, 0, NON_FINITE_DATA
    if n <= p or n_combo == 0:
        return np.nan, n, 0, TOO_FEW_POINTS
    lo = bounds[:, 0]
    hi = bounds[:, 1]
    for j in range(p):
        q[j] = min(max(init[j], lo[j]), hi[j])
    n_iter, status = 0, CONVERGED
    if max_iter > 0:
        # screen the interaction starts; LM from the null start and the best other one
        n_int = starts.shape[1]
        A = np.empty((p, p))
        g = np.empty(p)
        jac = np.empty(p)
        other = q.copy()
        trial = q.copy()
        other_sse = np.inf
        for s in range(starts.shape[0]):
            for k in range(n_int):
                j = p - n_int + k
                trial[j] = min(max(starts[s, k], lo[j]), hi[j])
            sse_s = accumulate(model, u1, u2, y, n, trial, A, g, jac)
            if sse_s < other_sse:
                other_sse = sse_s
                other[:] = trial
        sse, n_iter, status = lm(model, u1, u2, y, n, q, lo, hi, max_iter)
        if np.isfinite(other_sse):
            best = q.copy()
            sse2, n_iter2, status2 = lm(
                model, u1, u2, y, n, other, lo, hi, max_iter, _ABORT_FACTOR * sse
            )
            n_iter += n_iter2
            if sse2 < sse or not np.isfinite(sse):
                sse, status = sse2, status2
                q[:] = other
            else:
                q[:] = best
    A = np.empty((p, p))
    g = np.empty(p)
    jac = np.empty(p)
    sse = accumulate(model, u1, u2, y, n, q, A, g, jac)
    if not np.isfinite(sse):
        q[:] = np.nan
        return np.nan, n, n_iter, NOT_CONVERGED
    if status == CONVERGED and max_iter > 0:
        for j in range(p):
            tol = 1e-9 * (hi[j] - lo[j])
            if q[j] <= lo[j] + tol or q[j] >= hi[j] - tol:
                status = HIT_BOUND
    _covariance(model, u1, u2, y, n, q, sse, cov)
    return sse, n, n_iter, status


@njit(cache=True, error_model="numpy", parallel=True)
def fit_surface(model, dose1, dose2, response, init, bounds, starts, max_iter):
    """Fit the ``model`` surface (ZIMMER, BRAID or BRAID_FULL) to B blocks (module docstring).

    Parameters
    ----------
    model : int
        :data:`ZIMMER`, :data:`BRAID` or :data:`BRAID_FULL` (the full BRAID,
        :mod:`synergy._kernels.braid_full`).
    dose1, dose2 : float64 (B, N)
        Doses of drug 1 (row) and drug 2 (column) at each point, ≥ 0, any unit.
    response : float64 (B, N)
        Responses, % inhibition; NaN = missing point (padding).
    init : float64 (B, P)
        Start ``q``.
    bounds : float64 (B, P, 2)
        Lower/upper bounds of ``q``.
    starts : float64 (S, K)
        Further start values of the last K parameters (the interaction parameters).
    max_iter : int
        LM iterations; 0 evaluates SSE and covariance at ``init``.

    Returns
    -------
    params (B, P), covariance (B, P, P), sse (B,), n_points (B,), n_iter (B,), status (B,)
        ``status``: CONVERGED, HIT_BOUND, NOT_CONVERGED, TOO_FEW_POINTS or NON_FINITE_DATA;
        params NaN for the last three.
    """
    B, p = init.shape
    params = np.empty((B, p))
    covariance = np.empty((B, p, p))
    sse = np.empty(B)
    n_points = np.empty(B, dtype=np.int64)
    n_iter = np.empty(B, dtype=np.int64)
    status = np.empty(B, dtype=np.int64)
    for b in prange(B):
        out = _fit_one(
            model, dose1[b], dose2[b], response[b], init[b], bounds[b], starts, max_iter,
            params[b], covariance[b],
        )  # fmt: skip
        sse[b], n_points[b], n_iter[b], status[b] = out
    return params, covariance, sse, n_points, n_iter, status
