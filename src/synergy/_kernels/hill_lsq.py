"""Batched bounded least-squares fit of the 4-parameter Hill curve (numba).

Model, in log-dose ``u = ln x`` with log-IC50 ``theta = ln ic50``::

    E(x) = bottom + (top - bottom) * g,   g = 1 / (1 + exp(hill_slope * (theta - u)))

i.e. ``bottom + (top - bottom) / (1 + (ic50 / x) ** hill_slope)``; a zero dose gives ``g = 0``,
``E = bottom``.  Inputs and outputs use ``(theta, hill_slope, bottom, top)``.

Algorithm, per curve (``prange`` over chunks of curves in batches from ``PARALLEL_MIN_CURVES``):

1. Data checks.  Missing points (NaN response, zero weight) are dropped.  A used point with an
   infinite response, a negative or non-finite dose, or a negative/non-finite weight gives
   ``NON_FINITE_DATA``; fewer points than free parameters + 1, fewer distinct doses than free
   parameters, or fewer than two positive doses while theta or the slope is free gives
   ``TOO_FEW_POINTS``.  Both leave NaN parameters.  Points at the same dose (replicates) are
   merged into one point at their weighted mean with their summed weight, and the within-dose
   sum of squares is added to every SSE: exact for least squares, and the optimiser's cost
   then grows with the number of doses, not of points.
2. Start values (deterministic, data-driven; :mod:`synergy._kernels.hill_start`): a grid of
   7 log-IC50 values across the tested log-dose range widened by a quarter of its span on
   each side, times slopes (0.125, 0.5, 1.5, 4, 16), with exactly solved asymptotes.  The
   optimiser runs from the best grid point with slope <= 4; candidates for further starts
   (grid SSE within a factor 2 of it) are the best with another slope, the best three theta
   steps away and the best step-like one.  A candidate runs only when its grid SSE is below
   1.5 times the best fitted SSE so far, or when the first fit is not *settled* (converged,
   no free parameter on a bound, slope in [0.3, 5], log-IC50 within the tested log-doses);
   it is abandoned when after 3 iterations it is still 1.2 times above the best SSE so far,
   or when it reaches the best one's basin.  Then three checks for basins the grid misses
   on noisy curves (``_fit_curves``): an asymptote on its bound with log-IC50 beyond the
   tested doses also runs from a curve turning between the two doses at that end (slope 4;
   abandoned unless below the best after 3 iterations); the least-squares step between
   adjacent doses, or through one dose (exact, :func:`.hill_start.best_step`), runs from
   slope 8 when it beats the fit; a steep fit (slope > 8, short of its bound) also runs
   from slope 2 at its log-IC50.  The lowest SSE wins (~0.6 more iterations per curve).
3. Damped Newton with variable projection (:mod:`synergy._kernels.hill_lm`): the steps are
   in ``(phi, hill_slope)`` with ``phi = hill_slope * (theta - u_mid)`` — the
   logistic-regression intercept, in which the valleys of steep curves are straight — and
   ``u_mid`` the centre of the tested log-doses; at every trial point bottom and top are
   the exact weighted linear least-squares solution within their bounds
   (:mod:`synergy._kernels.hill_varpro`; Golub & Pereyra 1973), and derivatives are computed
   only at accepted points.  The step solves the full 4x4 system damped on (phi, slope) only
   — its Schur complement on the asymptotes, i.e. the reduced problem's Gauss–Newton
   matrix (Kaufman 1975) or, once steps lower the SSE by less than 10 %, its exact Hessian
   (Gauss–Newton when that is not positive definite); Marquardt scaling; Nielsen's damping
   update; the slope changes by at most a factor 3 per step.  A run whose slope grows past
   8 while the SSE reductions shrink by less than a factor 5 per step (a step-like curve
   creeping towards an infinite slope) tries once the slope's upper bound, keeping ``g`` at
   the dose nearest log-IC50, and keeps it if the SSE is lower.
   Bounds by projection with an active set (a parameter on a bound whose gradient points
   outwards is held; a held theta ties phi to the slope).  Converged when an accepted step
   lowers the SSE by at most ``1e-12`` relative or moves no parameter by more than ``1e-10``
   relative, when the next step is predicted (by the quadratic model) to lower it by at most
   ``1e-10`` relative (the step is taken if it helps), when 4 consecutive steps each lower it
   by less than ``1e-9`` relative (a valley creeping towards an infinite slope), or when no
   step lowers it any more (damping above ``1e16``); ``NOT_CONVERGED`` after ``max_iter``
   iterations.
   A stalled step-like fit (singular Jacobian, slope above half its upper bound) is moved
   to the slope bound when that does not raise the SSE (reported as ``HIT_BOUND``).
   Cost on one core (``benchmarks/bench_hill.py`` well-posed curves): about 4.7 us per
   10-point curve and 4.3 us per 24-point curve (8 doses x 3 replicates, merged), ~12
   iterations summed over ~1.3 starts.
4. Covariance ``sigma^2 (J^T W J)^-1`` in ``(theta, hill_slope, bottom, top)`` over the
   non-fixed parameters, ``sigma^2 = SSE / (n - k_free)``; fixed rows/columns are 0; NaN when
   ``J^T W J`` is singular.

Speed note (numba): arrays passed to a call that LLVM does not inline are reference-counted
(an atomic increment and decrement each) unless numba's pruning pass removes the pairs,
which it does only in functions without calls whose array arguments are last used on every
path at the same place.  So the hot helpers take scalars or are such leaves (no early exit,
array reads before branches), scratch arrays are arguments (never a tuple of arrays, never
views made per curve), and one function loops over a chunk's curves: this halved the cost.

``max_iter = 0`` skips 2–3 and evaluates the SSE and covariance at ``init`` (uncertainty for
parameters from another fitter).  The reference for this kernel is
:func:`scipy.optimize.least_squares` (``tests/_kernels/test_hill_lsq.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from synergy._kernels.hill_core import accumulate as _accumulate
from synergy._kernels.hill_core import covariance as _covariance
from synergy._kernels.hill_core import hill_dose, hill_value
from synergy._kernels.hill_lm import ABORT_FACTOR, CONVERGED, EXTRA_FACTOR, NOT_CONVERGED
from synergy._kernels.hill_lm import lm as _lm
from synergy._kernels.hill_lm import settled as _settled
from synergy._kernels.hill_prepare import prepare as _prepare
from synergy._kernels.hill_start import THETA_GRID, best_step, end_gap, grid_starts

__all__ = [
    "CONVERGED",
    "HIT_BOUND",
    "NON_FINITE_DATA",
    "NOT_CONVERGED",
    "PARALLEL_MIN_CURVES",
    "TOO_FEW_POINTS",
    "fit_chunk",
    "fit_hill_lsq",
    "hill_dose",
    "hill_value",
]

# kernel status codes (ordered by severity); synergy.hill.status adds
# IC50_EXTRAPOLATED = 1 and FLAT = 3
HIT_BOUND = 2
TOO_FEW_POINTS = 5
NON_FINITE_DATA = 6

_CHUNK = 32  # curves per parallel task (scratch arrays are allocated once per chunk)
PARALLEL_MIN_CURVES = 256
"""Batches from this size run on all cores (smaller: one thread, ~5 us a curve, and no
parallel variant to compile on the first run)."""


@njit(cache=True, error_model="numpy", inline="always")
def _extra_run(
    slope, theta, abort_sse, best_sse, best_status,
    v, y, w, n, sse0, q, theta_fixed, fx, lo, hi, max_iter, best,
    A, H, gr, M, L, rhs, d, qt, act, gv, ggv,
):  # fmt: skip
    """LM from (theta, slope) and the best asymptotes; ``best`` updated if lower (inlined)."""
    q[1] = min(max(slope, lo[1]), hi[1])
    q[0] = q[1] * min(max(theta, lo[0]), hi[0])
    q[2] = best[2]
    q[3] = best[3]
    sse, n_it, st = _lm(
        v, y, w, n, sse0, q, theta_fixed, fx, lo, hi, max_iter, abort_sse, best,
        A, H, gr, M, L, rhs, d, qt, act, gv, ggv,
    )  # fmt: skip
    if sse < best_sse:
        for j in range(4):
            best[j] = q[j]
        return sse, st, n_it
    return best_sse, best_status, n_it


@njit(cache=True, error_model="numpy")
def _fit_curves(
    i0, i1, conc, resp, wt, fixed, bounds, init, max_iter,
    params, covariance, sse_out, sse_null_out, n_points, n_iter, status,
    v, y, w, level, ebase, gv, ggv, sums, lo, hi, q, best, qt, gr, rhs, d, act, start_sse,
    fx, starts, A, H, M, L, At, cov, sse_g, q_g, gk,
):  # fmt: skip
    """Fit curves ``i0 .. i1 - 1``: arguments and outputs as :func:`fit_hill_lsq` (filled in
    place), then scratch arrays (see there).

    One function loops over the chunk's curves and every array is an argument: numba
    reference-counts the arrays of a call made with local or view arrays, and the arguments
    of a function at its entry and exits, at every call; here that happens once per chunk.
    """
    for r in range(i0, i1):
        for j in range(4):
            params[r, j] = np.nan
            fx[j] = fixed[r, j]
            for k in range(4):
                covariance[r, j, k] = np.nan
        sse_null_out[r] = np.nan
        sse_out[r] = np.nan
        n_iter[r] = 0
        n, n_used, bad = _prepare(conc, resp, wt, r, v, y, w, level, sums)
        n_points[r] = n_used
        if bad:
            status[r] = NON_FINITE_DATA
            continue
        # distinct dose levels (one point each), tested log-dose range, weighted sums
        sse0 = sums[3]
        n_levels = n
        n_pos = 0
        umin = np.inf
        umax = -np.inf
        sums[0] = sums[1] = 0.0
        sums[2] = sse0
        for i in range(n):
            if v[i] > -np.inf:
                n_pos += 1
                umin = min(umin, v[i])
                umax = max(umax, v[i])
            sums[0] += w[i]
            sums[1] += w[i] * y[i]
            sums[2] += w[i] * y[i] * y[i]
        # the no-dose-effect model: the weighted mean, or the fixed bottom
        c_null = fx[2] if not np.isnan(fx[2]) else sums[1] / sums[0]
        sse_null = sse0
        for i in range(n):
            sse_null += w[i] * (y[i] - c_null) ** 2
        sse_null_out[r] = sse_null
        k_free = 0
        for j in range(4):
            k_free += 1 if np.isnan(fx[j]) else 0
        nonlin_free = np.isnan(fx[0]) or np.isnan(fx[1])
        if n == 0 or (
            max_iter > 0 and (n_used <= k_free or n_levels < k_free or (nonlin_free and n_pos < 2))
        ):
            status[r] = TOO_FEW_POINTS
            continue
        # centre the log-doses
        u_mid = 0.5 * (umin + umax) if n_pos > 0 else 0.0
        for i in range(n):
            v[i] -= u_mid
        for j in range(4):
            lo[j] = bounds[r, j, 0]
            hi[j] = bounds[r, j, 1]
        lo[0] -= u_mid
        hi[0] -= u_mid
        theta_fixed = fx[0] - u_mid
        n_starts = 1
        use_init = True
        for j in range(4):
            if np.isnan(fx[j]) and np.isnan(init[r, j]):
                use_init = False
        if use_init:
            for j in range(4):
                val = init[r, j] if np.isnan(fx[j]) else fx[j]
                starts[0, j] = val - u_mid if j == 0 else val
                if max_iter > 0:
                    starts[0, j] = min(max(starts[0, j], lo[j]), hi[j])
        else:
            n_starts = grid_starts(
                v, y, w, n, umax - umin, theta_fixed, fx, lo, hi, sums,
                sse_g, q_g, ebase, gk, starts, start_sse,
            )  # fmt: skip
        total_iter = 0
        best_sse = np.inf
        best_status = NOT_CONVERGED
        for s in range(n_starts):
            if (
                s > 0
                and start_sse[s] > EXTRA_FACTOR * best_sse
                and _settled(best, best_status, fx, lo, hi, 0.5 * (umax - umin))
            ):
                continue
            q[0] = starts[s, 0] * starts[s, 1]  # phi = h * theta
            for j in range(1, 4):
                q[j] = starts[s, j]
            if max_iter == 0:
                sse = _accumulate(v, y, w, n, sse0, q, A, H, gr, gv, ggv)
                n_it = 0
                st = CONVERGED
            else:
                abort_sse = ABORT_FACTOR * best_sse if s > 0 else np.inf
                sse, n_it, st = _lm(
                    v, y, w, n, sse0, q, theta_fixed, fx, lo, hi, max_iter, abort_sse, best,
                    A, H, gr, M, L, rhs, d, qt, act, gv, ggv,
                )  # fmt: skip
            total_iter += n_it
            if s == 0 or sse < best_sse:
                best_sse = sse
                best_status = st
                for j in range(4):
                    best[j] = q[j]
        free = np.isnan(fx[0]) and np.isnan(fx[1])
        if max_iter > 0 and np.isfinite(best_sse) and not use_init and free and n_pos >= 2:
            # basins the grid misses on noisy curves (module docstring, step 2)
            th = best[0] / best[1]
            on_bound = False
            for j in range(2, 4):
                tol = 1e-9 * (hi[j] - lo[j])
                if np.isnan(fx[j]) and (best[j] <= lo[j] + tol or best[j] >= hi[j] - tol):
                    on_bound = True
            above = th > umax - u_mid
            if on_bound and (above or th < umin - u_mid):
                best_sse, best_status, n_it = _extra_run(
                    4.0, end_gap(v, n, above), best_sse, best_sse, best_status,
                    v, y, w, n, sse0, q, theta_fixed, fx, lo, hi, max_iter, best,
                    A, H, gr, M, L, rhs, d, qt, act, gv, ggv,
                )  # fmt: skip
                total_iter += n_it
            step_sse, step_theta = best_step(v, y, w, n, level, sse0)
            if np.isnan(fx[2]) and np.isnan(fx[3]) and step_sse < best_sse * (1.0 - 1e-9):
                best_sse, best_status, n_it = _extra_run(
                    8.0, step_theta, np.inf, best_sse, best_status,
                    v, y, w, n, sse0, q, theta_fixed, fx, lo, hi, max_iter, best,
                    A, H, gr, M, L, rhs, d, qt, act, gv, ggv,
                )  # fmt: skip
                total_iter += n_it
            if 8.0 < best[1] < 0.99 * hi[1]:
                best_sse, best_status, n_it = _extra_run(
                    2.0, best[0] / best[1], np.inf, best_sse, best_status,
                    v, y, w, n, sse0, q, theta_fixed, fx, lo, hi, max_iter, best,
                    A, H, gr, M, L, rhs, d, qt, act, gv, ggv,
                )  # fmt: skip
                total_iter += n_it
        n_iter[r] = total_iter
        if not np.isfinite(best_sse):
            status[r] = NOT_CONVERGED
            continue
        sse = _accumulate(v, y, w, n, sse0, best, A, H, gr, gv, ggv)
        _covariance(A, best, fx, n_used, sse, cov, M, At, L, rhs, d)
        if max_iter > 0 and np.isnan(fx[1]) and np.isnan(cov[1, 1]) and best[1] > 0.5 * hi[1]:
            # a step (singular Jacobian) that stalled below the slope bound: an infinitely
            # steep curve, reported on the bound if that is no worse
            qt[0] = best[0] / best[1] * hi[1]
            qt[1] = hi[1]
            qt[2] = best[2]
            qt[3] = best[3]
            sse_b = _accumulate(v, y, w, n, sse0, qt, A, H, gr, gv, ggv)
            if sse_b <= sse * (1.0 + 1e-9):
                for j in range(4):
                    best[j] = qt[j]
                sse = sse_b
                _covariance(A, best, fx, n_used, sse, cov, M, At, L, rhs, d)
            else:
                sse = _accumulate(v, y, w, n, sse0, best, A, H, gr, gv, ggv)
        theta = best[0] / best[1]
        params[r, 0] = theta + u_mid if np.isnan(fx[0]) else fx[0]
        for j in range(1, 4):
            params[r, j] = best[j] if np.isnan(fx[j]) else fx[j]
        for j in range(4):
            for k in range(4):
                covariance[r, j, k] = cov[j, k]
        if best_status == CONVERGED and max_iter > 0:
            best[0] = theta
            for j in range(4):
                tol = 1e-9 * (hi[j] - lo[j])
                if np.isnan(fx[j]) and (best[j] <= lo[j] + tol or best[j] >= hi[j] - tol):
                    best_status = HIT_BOUND
        sse_out[r] = sse
        status[r] = best_status


def fit_hill_lsq(conc, response, weights, fixed, bounds, init, max_iter):
    """Fit N Hill curves (see the module docstring for the algorithm).

    Batches of :data:`PARALLEL_MIN_CURVES` curves or more run on all cores (``prange`` over
    chunks of curves); smaller ones on one thread (same numbers), which spares the first
    run the compilation of the parallel variant.

    Parameters
    ----------
    conc : float64 (N, P)
        Doses (>= 0, any unit); NaN allowed where the response is NaN.
    response : float64 (N, P)
        Responses (e.g. % inhibition); NaN = missing point.
    weights : float64 (N, P)
        Weights of the squared residuals (> 0; 0 drops a point).
    fixed : float64 (N, 4)
        Fixed values of (theta = ln ic50, hill_slope, bottom, top); NaN = free.
    bounds : float64 (N, 4, 2)
        Lower and upper bounds of (theta, hill_slope, bottom, top); hill_slope's lower > 0.
    init : float64 (N, 4)
        Start values; a row with a NaN among its free parameters uses the data-driven grid.
    max_iter : int
        Iterations per start; 0 = only evaluate SSE and covariance at ``init`` (no bounds).

    Returns
    -------
    params : float64 (N, 4)
        (theta, hill_slope, bottom, top); NaN for ``TOO_FEW_POINTS``/``NON_FINITE_DATA``.
    covariance : float64 (N, 4, 4)
        Covariance of (theta, hill_slope, bottom, top) from the Jacobian.
    sse : float64 (N,)
        Weighted residual sum of squares.
    sse_null : float64 (N,)
        SSE of the no-dose-effect model (weighted mean, or the fixed bottom).
    n_points : int64 (N,)
        Points used.
    n_iter : int64 (N,)
        Iterations, summed over starts.
    status : int64 (N,)
        CONVERGED, HIT_BOUND, NOT_CONVERGED, TOO_FEW_POINTS or NON_FINITE_DATA.
    """
    N = conc.shape[0]
    params = np.empty((N, 4))
    covariance = np.empty((N, 4, 4))
    sse = np.empty(N)
    sse_null = np.empty(N)
    n_points = np.empty(N, dtype=np.int64)
    n_iter = np.empty(N, dtype=np.int64)
    status = np.empty(N, dtype=np.int64)
    args = (conc, response, weights, fixed, bounds, init, int(max_iter))
    out = (params, covariance, sse, sse_null, n_points, n_iter, status)
    if N >= PARALLEL_MIN_CURVES:
        _fit_parallel(*args, *out)
    else:
        fit_chunk(0, N, *args, *out)
    return out


@njit(cache=True, error_model="numpy")
def fit_chunk(
    i0, i1, conc, response, weights, fixed, bounds, init, max_iter,
    params, covariance, sse, sse_null, n_points, n_iter, status,
):  # fmt: skip
    """Fit curves ``i0 .. i1 - 1`` (arguments and outputs of :func:`fit_hill_lsq`, outputs
    filled in place): the scratch arrays, once, then :func:`_fit_curves`."""
    P = conc.shape[1]
    v, y, w = np.empty(P), np.empty(P), np.empty(P)
    ebase, gv, ggv = np.empty(P), np.empty(P), np.empty(P)
    level = np.empty(P, dtype=np.int64)
    sums, lo, hi, q, best = np.empty(4), np.empty(4), np.empty(4), np.empty(4), np.empty(4)
    qt, gr, rhs, d, act = np.empty(4), np.empty(4), np.empty(4), np.empty(4), np.empty(4)
    start_sse, fx = np.empty(4), np.empty(4)
    starts, A, H = np.empty((4, 4)), np.empty((4, 4)), np.empty((4, 4))
    M, L, At, cov = np.empty((4, 4)), np.empty((4, 4)), np.empty((4, 4)), np.empty((4, 4))
    sse_g = np.empty((THETA_GRID, 5))
    q_g = np.empty((THETA_GRID, 5, 4))
    gk = np.empty((5, P))
    _fit_curves(
        i0, i1, conc, response, weights, fixed, bounds, init,
        max_iter, params, covariance, sse, sse_null, n_points, n_iter, status,
        v, y, w, level, ebase, gv, ggv, sums, lo, hi, q, best, qt, gr, rhs, d, act,
        start_sse, fx, starts, A, H, M, L, At, cov, sse_g, q_g, gk,
    )  # fmt: skip


@njit(cache=True, error_model="numpy", parallel=True)
def _fit_parallel(
    conc, response, weights, fixed, bounds, init, max_iter,
    params, covariance, sse, sse_null, n_points, n_iter, status,
):  # fmt: skip
    """:func:`fit_chunk` on all cores, ``prange`` over chunks of ``_CHUNK`` curves."""
    N = conc.shape[0]
    for c in prange((N + _CHUNK - 1) // _CHUNK):
        fit_chunk(
            np.int64(c * _CHUNK), np.int64(min(N, (c + 1) * _CHUNK)),
            conc, response, weights, fixed, bounds, init, max_iter,
            params, covariance, sse, sse_null, n_points, n_iter, status,
        )  # fmt: skip
