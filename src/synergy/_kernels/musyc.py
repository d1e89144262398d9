"""Batched bounded least-squares fit of the two-drug MuSyC surface (numba), γ = 1 or fitted.

The surface and its analytic Jacobian are in :mod:`synergy._kernels.musyc_surface`
(closed form of the 4-state steady state, Meyer et al. 2019; Wooten et al. 2021).

The LM engine (normal equations, Cholesky, bounded LM) is :mod:`synergy._kernels.musyc_lm`.

Fit parameters ``q = (E0, E1, E2, E3, ln h1, ln h2, ln C1, ln C2, ln alpha12, ln alpha21)``
(effects in the response's unit, C in the dose unit), or 12 with ``ln gamma12, ln gamma21``
appended (the γ surface; the number of columns of ``init`` chooses).  Per block
(``prange`` over blocks):

1. Start from ``init`` (the wrapper passes the monotherapy Hill fits, and for the γ fit
   the γ = 1 fit).  The nine ``(ln alpha12, ln alpha21)`` pairs in ``{0, ±ln 10}²`` — for
   the γ fit the nine ``(ln gamma12, ln gamma21)`` pairs in ``{0, ±ln 3}²`` and then the
   nine alpha pairs with γ = 1 (the γ = 1 fit's alpha may sit on a bound that the γ
   surface does not need) — are screened, each with the four effects solved by linear
   least squares (the surface is linear in them) and the other parameters held.
2. Levenberg–Marquardt from the pair (0, 0) and from the best other pair (abandoned when after
   3 iterations its SSE is still 1.1 times the first run's, unless in the γ fit the first
   run did not converge); the lower SSE wins.  Marquardt
   scaling, Nielsen's damping update, analytic Jacobian; bounds by projection with an
   active set (a parameter on a bound whose gradient points outwards is held); steps of
   the log-parameters capped at 2.  Converged when an accepted step lowers the SSE by at
   most ``1e-10`` relative or moves no parameter by more than ``1e-9``, when 5 steps in a
   row each lower it by less than ``1e-8`` relative (a parameter creeping towards
   infinity), or when no step lowers it (damping above ``1e16``); NOT_CONVERGED after
   ``max_iter``; HIT_BOUND when a parameter ends on its bound.
3. Covariance ``sigma^2 (J^T J)^-1`` in ``q``, ``sigma^2 = SSE / (n − p)`` (p = 10 or 12); NaN where
   ``J^T J`` is singular.

References: the surface against a direct solve of the 4-state linear system, the fit
against ``scipy.optimize.least_squares`` (``tests/_kernels/test_musyc_kernel.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from synergy._kernels.musyc_lm import (
    CONVERGED,
    NOT_CONVERGED,
    accumulate,
    chol_solve,
    cholesky,
    lm,
    new_work,
)
from synergy._kernels.musyc_surface import (
    N_PARAMS,
    musyc_grid,
    musyc_jacobian,
    musyc_value,
)

__all__ = [
    "CONVERGED",
    "HIT_BOUND",
    "NON_FINITE_DATA",
    "NOT_CONVERGED",
    "N_PARAMS",
    "TOO_FEW_POINTS",
    "accumulate",
    "fit_musyc",
    "fitted_block",
    "lm",
    "musyc_grid",
    "musyc_jacobian",
    "musyc_value",
    "new_work",
    "prepare",
]

HIT_BOUND = 2
TOO_FEW_POINTS = 5
NON_FINITE_DATA = 6

_ABORT_FACTOR = 1.1  # this factor times the first start's SSE, or stop
# starts of (ln alpha12, ln alpha21): alpha = 1 first, then ten-fold shifts either way
_L10 = np.log(10.0)
_GAMMA_START = np.log(3.0)  # gamma starts: 1 and three-fold shifts either way
_ALPHA_STARTS = np.array(
    [[0.0, 0.0], [_L10, _L10], [-_L10, -_L10], [_L10, -_L10], [-_L10, _L10],
     [_L10, 0.0], [-_L10, 0.0], [0.0, _L10], [0.0, -_L10]]
)  # fmt: skip


@njit(cache=True, error_model="numpy")
def _solve_effects(u1, u2, y, n, q, A, g, jac, L, d):
    """Least-squares effects E0..E3 with the nonlinear parameters of q held (in place)."""
    sse = accumulate(u1, u2, y, n, q, A, g, jac)
    # normal equations in the effect increments (the surface is linear in E0..E3)
    scale = 0.0
    for j in range(4):
        scale = max(scale, A[j, j])
    for j in range(4):
        A[j, j] += 1e-10 * scale + 1e-300
    if cholesky(A, L, 4):
        chol_solve(L, g, d, 4)
        for j in range(4):
            q[j] += d[j]
    return sse


@njit(cache=True, error_model="numpy")
def prepare(dose1, dose2, resp, u1, u2, y):
    """Copy the measured points into u1, u2 (ln dose, -inf = 0) and y.

    Returns (n points, n combination points, bad) where ``bad`` flags an infinite response
    or a negative or non-finite dose at a measured point.
    """
    n = 0
    n_combo = 0
    bad = False
    for i in range(resp.shape[0]):
        if np.isnan(resp[i]):
            continue
        x1 = dose1[i]
        x2 = dose2[i]
        if not (np.isfinite(resp[i]) and np.isfinite(x1) and np.isfinite(x2)):
            bad = True
        if x1 < 0.0 or x2 < 0.0:
            bad = True
        u1[n] = np.log(x1) if x1 > 0.0 else -np.inf
        u2[n] = np.log(x2) if x2 > 0.0 else -np.inf
        y[n] = resp[i]
        if x1 > 0.0 and x2 > 0.0:
            n_combo += 1
        n += 1
    return n, n_combo, bad


@njit(cache=True, error_model="numpy")
def fitted_block(dose1, dose2, resp, q):
    """The points of a fitted block: (u1, u2, y, n), n = 0 when it cannot be refitted.

    n = 0 when a parameter of ``q`` is NaN (a failed fit), the data are bad (see
    :func:`prepare`) or there are no more points than parameters.
    """
    m = resp.shape[0]
    u1 = np.empty(m)
    u2 = np.empty(m)
    y = np.empty(m)
    for j in range(q.shape[0]):
        if not np.isfinite(q[j]):
            return u1, u2, y, 0
    n, _, bad = prepare(dose1, dose2, resp, u1, u2, y)
    if bad or n <= q.shape[0]:
        return u1, u2, y, 0
    return u1, u2, y, n


@njit(cache=True, error_model="numpy")
def _screen_starts(u1, u2, y, n, q0, lo, hi, work, first_q, other_q):
    """Screen the start pairs (module docstring, step 1) from q0, the effects re-solved.

    10 parameters: the nine (ln alpha12, ln alpha21) pairs, the first (0, 0).  12: the nine
    (ln gamma12, ln gamma21) pairs, the first (0, 0), then the nine alpha pairs with the
    gammas of q0.  Fills ``first_q`` and ``other_q`` (the best other start); returns the
    latter's SSE.
    """
    p = q0.shape[0]
    A, g, jac, _, L, d = work[:6]
    q = q0.copy()
    other_sse = np.inf
    n_groups = 1 if p == N_PARAMS else 2
    for group in range(n_groups):
        k0 = 10 if (p > N_PARAMS and group == 0) else 8
        scale = _GAMMA_START / _L10 if k0 == 10 else 1.0
        for s in range(_ALPHA_STARTS.shape[0]):
            for j in range(p):
                q[j] = q0[j]
            for a in range(2):
                x = scale * _ALPHA_STARTS[s, a]
                q[k0 + a] = min(max(x, lo[k0 + a]), hi[k0 + a])
            _solve_effects(u1, u2, y, n, q, A, g, jac, L, d)
            for j in range(4):
                q[j] = min(max(q[j], lo[j]), hi[j])
            sse_s = accumulate(u1, u2, y, n, q, A, g, jac)
            if group == 0 and s == 0:
                first_q[:] = q
            elif sse_s < other_sse:
                other_sse = sse_s
                other_q[:] = q
    return other_sse


@njit(cache=True, error_model="numpy")
def _fit_one(dose1, dose2, resp, init, bounds, max_iter, params, cov):
    """Fit one block; returns (sse, n_points, n_iter, status)."""
    p = init.shape[0]
    for j in range(p):
        params[j] = np.nan
        for k in range(p):
            cov[j, k] = np.nan
    m = resp.shape[0]
    u1 = np.empty(m)
    u2 = np.empty(m)
    y = np.empty(m)
    n, n_combo, bad = prepare(dose1, dose2, resp, u1, u2, y)
    if bad:
        return np.nan, n, 0, NON_FINITE_DATA
    if n <= p or n_combo == 0:
        return np.nan, n, 0, TOO_FEW_POINTS
    work = new_work(p)
    A, g, jac, M, L, d = work[:6]
    lo = bounds[:, 0]
    hi = bounds[:, 1]
    q = np.empty(p)
    for j in range(p):
        q[j] = min(max(init[j], lo[j]), hi[j])
    if max_iter > 0:
        # screen the starts (effects solved linearly at each); LM runs from the first
        # and from the best other start, the lower SSE wins
        first_q = q.copy()
        other_q = q.copy()
        other_sse = _screen_starts(u1, u2, y, n, q, lo, hi, work, first_q, other_q)
        q[:] = first_q
        sse, n_iter, status = lm(u1, u2, y, n, q, lo, hi, max_iter, work)
        if np.isfinite(other_sse):
            first_q[:] = q
            q[:] = other_q
            # the γ fit keeps the second run when the first (from the γ = 1 fit) did not settle
            keep = p > N_PARAMS and status != CONVERGED
            abort_sse = np.inf if keep else _ABORT_FACTOR * sse
            sse2, n_iter2, status2 = lm(u1, u2, y, n, q, lo, hi, max_iter, work, abort_sse)
            n_iter += n_iter2
            if sse2 < sse or not np.isfinite(sse):
                sse, status = sse2, status2
            else:
                q[:] = first_q
    else:
        n_iter, status = 0, CONVERGED
    sse = accumulate(u1, u2, y, n, q, A, g, jac)
    if not np.isfinite(sse):
        return np.nan, n, n_iter, NOT_CONVERGED
    for j in range(p):
        params[j] = q[j]
        if status == CONVERGED and max_iter > 0:
            tol = 1e-9 * (hi[j] - lo[j])
            if q[j] <= lo[j] + tol or q[j] >= hi[j] - tol:
                status = HIT_BOUND
    # covariance sigma^2 (J^T J)^-1 (scaled to unit diagonal for conditioning)
    for j in range(p):
        d[j] = 1.0 / np.sqrt(A[j, j]) if A[j, j] > 0.0 else 0.0
    for j in range(p):
        for k in range(p):
            M[j, k] = A[j, k] * d[j] * d[k]
    if d.min() > 0.0 and cholesky(M, L, p):
        sigma2 = sse / (n - p)
        col = np.empty(p)
        e = np.empty(p)
        for c in range(p):
            for i in range(p):
                e[i] = 1.0 if i == c else 0.0
            chol_solve(L, e, col, p)
            for j in range(p):
                cov[j, c] = sigma2 * col[j] * d[j] * d[c]
    return sse, n, n_iter, status


@njit(cache=True, error_model="numpy", parallel=True)
def fit_musyc(dose1, dose2, response, init, bounds, max_iter):
    """Fit the MuSyC surface to B blocks (algorithm in the module docstring).

    Parameters
    ----------
    dose1, dose2 : float64 (B, N)
        Doses of drug 1 (row) and drug 2 (column) of each point, ≥ 0, any unit.
    response : float64 (B, N)
        Responses (e.g. % inhibition); NaN = missing point (padding).
    init : float64 (B, p)
        Start ``q`` (p = 10: γ = 1; p = 12: γ fitted); the effects are re-solved by linear
        least squares from it.
    bounds : float64 (B, p, 2)
        Lower/upper bounds of ``q``.
    max_iter : int
        LM iterations; 0 evaluates SSE and covariance at ``init`` unchanged.

    Returns
    -------
    params : float64 (B, p)
        Fitted ``q`` (NaN for TOO_FEW_POINTS / NON_FINITE_DATA).
    covariance : float64 (B, p, p)
        Wald covariance of ``q``.
    sse : float64 (B,)
    n_points : int64 (B,)
    n_iter : int64 (B,)
    status : int64 (B,)
        CONVERGED, HIT_BOUND, NOT_CONVERGED, TOO_FEW_POINTS or NON_FINITE_DATA.
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
            dose1[b], dose2[b], response[b], init[b], bounds[b], max_iter, params[b],
            covariance[b],
        )  # fmt: skip
        sse[b], n_points[b], n_iter[b], status[b] = out
    return params, covariance, sse, n_points, n_iter, status
