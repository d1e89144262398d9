"""Levenberg–Marquardt engine of the MuSyC fits (numba): normal equations, Cholesky, LM.

Used by :mod:`synergy._kernels.musyc` (the batched fit, algorithm in its docstring) and
:mod:`synergy._kernels.musyc_profile` (the constrained refits of the profile).  Parameters
``q`` of the surface of :mod:`synergy._kernels.musyc_surface` (10, or 12 with γ); steps of
the log-parameters (index ≥ 4) capped at 2; bounds by projection with an active set.

Speed note (numba; the rule is in :mod:`synergy._kernels.hill_lsq`'s docstring):
:func:`accumulate` reads q into scalars once and evaluates the surface with all-scalar
inline helpers (no arrays passed per point, so no reference counting in the point loop),
reuses each drug's dose terms while its dose repeats (grid rows, replicates: ~1 exp per
point instead of 4) and adds two points per pass over ``A`` (each sum keeps its order).
Results are bit-identical to the straightforward loop; together ~1.8x on the fits.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from synergy._kernels.musyc_surface import N_PARAMS, combine_terms, dose_terms

__all__ = ["CONVERGED", "NOT_CONVERGED", "accumulate", "chol_solve", "cholesky", "lm", "new_work"]

CONVERGED = 0
NOT_CONVERGED = 4

_MAX_LOG_STEP = 2.0
_FTOL = 1e-10
_XTOL = 1e-9
_STALL = 1e-8  # relative SSE reduction per step counted as "stalled"
_STALL_STEPS = 5  # consecutive stalled steps that end a run (a parameter creeping away)
_ABORT_AFTER = 3  # iterations after which a further start must be below abort_sse


@njit(cache=True, error_model="numpy")
def accumulate(u1, u2, y, n, q, A, g, jac):
    """SSE at q, ``A = J^T J`` and ``g = J^T r`` (r = y − E) over the n points."""
    p = q.shape[0]
    for j in range(p):
        g[j] = 0.0
        for k in range(p):
            A[j, k] = 0.0
    e0, e1, e2, e3 = q[0], q[1], q[2], q[3]
    h1 = np.exp(q[4])
    h2 = np.exp(q[5])
    c1, c2, la12, la21 = q[6], q[7], q[8], q[9]
    g12 = np.exp(q[10]) if p > N_PARAMS else 1.0
    g21 = np.exp(q[11]) if p > N_PARAMS else 1.0
    sse = 0.0
    # each drug's dose terms are reused while its dose repeats (rows of a grid, replicates)
    v1 = v2 = np.nan
    a1 = b1 = da1 = db1 = a2 = b2 = da2 = db2 = 0.0
    jac2 = np.empty(p)
    r_even = 0.0
    for i in range(n):
        if u1[i] != v1:
            v1 = u1[i]
            a1, b1, da1, db1 = dose_terms(v1, h1, c1, la21, g21)
        if u2[i] != v2:
            v2 = u2[i]
            a2, b2, da2, db2 = dose_terms(v2, h2, c2, la12, g12)
        t = combine_terms(a1, b1, da1, db1, a2, b2, da2, db2, e0, e1, e2, e3, h1, h2, g12, g21)
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
def cholesky(M, L, m):
    """Cholesky factor of the leading m × m block of M into L; False if not PD."""
    for j in range(m):
        s = M[j, j]
        for k in range(j):
            s -= L[j, k] * L[j, k]
        if not s > 0.0:
            return False
        L[j, j] = np.sqrt(s)
        for i in range(j + 1, m):
            t = M[i, j]
            for k in range(j):
                t -= L[i, k] * L[j, k]
            L[i, j] = t / L[j, j]
    return True


@njit(cache=True, error_model="numpy")
def chol_solve(L, rhs, out, m):
    for i in range(m):
        t = rhs[i]
        for k in range(i):
            t -= L[i, k] * out[k]
        out[i] = t / L[i, i]
    for i in range(m - 1, -1, -1):
        t = out[i]
        for k in range(i + 1, m):
            t -= L[k, i] * out[k]
        out[i] = t / L[i, i]


@njit(cache=True, error_model="numpy")
def lm(u1, u2, y, n, q, lo, hi, max_iter, w, abort_sse=np.inf, ftol_abs=0.0):
    """Levenberg–Marquardt from q (updated in place); returns (sse, n_iter, status).

    A run whose SSE is still above ``abort_sse`` after :data:`_ABORT_AFTER` iterations
    stops (NOT_CONVERGED): a further start that is not heading below the best so far.
    ``ftol_abs``: also converged when the next step, nearly Gauss–Newton (damping ≤ 1e-2)
    and neither capped nor projected onto a bound, predicts an SSE gain of at most this much
    (the profile's and the calibration's refits need the SSE only to a fraction of
    sigma^2; a cut step's prediction bounds nothing).
    """
    A, g, jac, M, L, d, qt, At, gt, held = w
    p = q.shape[0]
    sse = accumulate(u1, u2, y, n, q, A, g, jac)
    if not np.isfinite(sse):
        return sse, 0, NOT_CONVERGED
    lam = 1e-3
    nu = 2.0
    n_slow = 0
    for it in range(1, max_iter + 1):
        if it > _ABORT_AFTER and sse > abort_sse:
            return sse, it - 1, NOT_CONVERGED
        for j in range(p):
            at_lo = q[j] <= lo[j] and g[j] <= 0.0
            at_hi = q[j] >= hi[j] and g[j] >= 0.0
            held[j] = 1.0 if (at_lo or at_hi) else 0.0
        for j in range(p):
            for k in range(p):
                M[j, k] = 0.0 if (held[j] > 0.0 or held[k] > 0.0) else A[j, k]
            M[j, j] = 1.0 if held[j] > 0.0 else A[j, j] * (1.0 + lam) + 1e-300
            d[j] = 0.0 if held[j] > 0.0 else g[j]
        if not cholesky(M, L, p):
            lam *= nu
            nu *= 2.0
            if lam > 1e16:
                return sse, it, CONVERGED
            continue
        chol_solve(L, d, qt, p)
        small = True
        cut = False  # a step component capped or projected onto a bound
        for j in range(p):
            raw = qt[j]
            step = raw
            if j >= 4:
                step = min(max(step, -_MAX_LOG_STEP), _MAX_LOG_STEP)
            d[j] = step
            target = q[j] + step
            qt[j] = min(max(target, lo[j]), hi[j])
            if step != raw or qt[j] != target:
                cut = True
            if abs(qt[j] - q[j]) > _XTOL * (abs(q[j]) + 1.0):
                small = False
        if ftol_abs > 0.0 and lam <= 1e-2 and not cut:
            # nearly Gauss-Newton step: stop when it predicts a gain below ftol_abs
            pred = 0.0
            for j in range(p):
                dj = qt[j] - q[j]
                pred += dj * (lam * A[j, j] * dj + g[j])
            if pred <= ftol_abs:
                return sse, it, CONVERGED
        sse_t = accumulate(u1, u2, y, n, qt, At, gt, jac)
        if sse_t < sse:
            pred = 0.0
            for j in range(p):
                dj = qt[j] - q[j]
                pred += dj * (lam * A[j, j] * dj + g[j])
            red = sse - sse_t
            rho = red / pred if pred > 0.0 else 0.5
            for j in range(p):
                q[j] = qt[j]
                g[j] = gt[j]
                for k in range(p):
                    A[j, k] = At[j, k]
            sse = sse_t
            f = 2.0 * rho - 1.0
            lam *= max(1.0 / 3.0, 1.0 - f * f * f)
            lam = max(lam, 1e-12)
            nu = 2.0
            if red <= _FTOL * sse or small:
                return sse, it, CONVERGED
            n_slow = n_slow + 1 if red <= _STALL * sse else 0
            if n_slow >= _STALL_STEPS:
                return sse, it, CONVERGED
        else:
            if small:
                return sse, it, CONVERGED
            lam *= nu
            nu *= 2.0
            if lam > 1e16:
                return sse, it, CONVERGED
    return sse, max_iter, NOT_CONVERGED


@njit(cache=True, error_model="numpy")
def new_work(p):
    """Scratch arrays of :func:`lm` for p parameters: (A, g, jac, M, L, d, qt, At, gt, held)."""
    return (
        np.empty((p, p)), np.empty(p), np.empty(p), np.empty((p, p)), np.empty((p, p)),
        np.empty(p), np.empty(p), np.empty((p, p)), np.empty(p), np.empty(p),
    )  # fmt: skip
