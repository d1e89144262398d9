"""Damped Newton on (phi, hill_slope) with the asymptotes projected out (numba).

One optimiser run of the Hill kernel (:mod:`synergy._kernels.hill_lsq`, whose docstring
describes the algorithm) from one start, and :func:`settled`, which decides whether a
first run needs further starts.  Tested through ``tests/_kernels/test_hill_lsq.py``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from synergy._kernels.hill_core import accumulate as _accumulate
from synergy._kernels.hill_core import cholesky_solve as _cholesky_solve
from synergy._kernels.hill_core import derivatives as _derivatives
from synergy._kernels.hill_varpro import project as _project

__all__ = ["ABORT_FACTOR", "CONVERGED", "EXTRA_FACTOR", "NOT_CONVERGED", "lm", "settled"]

CONVERGED = 0
NOT_CONVERGED = 4

_LAMBDA0 = 1e-2
_LAMBDA_DOWN = 1.0 / 3.0
_SLOPE_STEP = 3.0  # largest factor by which one step may change the slope
_ABORT_AFTER = 3  # iterations after which a further start must be below
ABORT_FACTOR = 1.2  # this factor times the best SSE so far, or stop
_NEWTON_SWITCH = 0.1  # exact Hessian once a step lowers the SSE by less than this fraction
_FTOL = 1e-12
_PTOL = 1e-10  # a step predicted to lower the SSE by at most this fraction is the last
_XTOL = 1e-10
_STALL = 1e-9  # relative SSE reduction per step counted as "stalled"
_STALL_STEPS = 4  # consecutive stalled steps that end a run
_JUMP_SLOPE = 8.0  # a run whose slope grows beyond this tries the slope's upper bound ...
_CREEP = 0.2  # ... when its SSE reductions shrink by less than this factor per step
EXTRA_FACTOR = 1.5  # a further start runs when its grid SSE is below this times the best
_SETTLED_SLOPE = (0.3, 5.0)  # fit's SSE, or when the first fit is not settled


@njit(cache=True, error_model="numpy")
def _same_basin(q0, q1, q2, q3, b0, b1, b2, b3, sse, best_sse):
    """True when q = (phi, h, b, t) is next to ``best`` with an SSE within 1e-4 of it
    (scalars: no reference counting in the iteration loop)."""
    if not sse <= best_sse * (1.0 + 1e-4):
        return False
    scale = abs(b3 - b2) + 1e-12
    return (
        abs(q0 / q1 - b0 / b1) < 0.01
        and abs(q1 - b1) < 0.01 * b1
        and abs(q2 - b2) < 0.01 * scale
        and abs(q3 - b3) < 0.01 * scale
    )


@njit(cache=True, error_model="numpy")
def settled(q, status, fixed, lo, hi, half_span):
    """True when a first fit q = (phi, h, b, t) needs no further start.

    That is: converged with no free parameter on a bound, a slope within _SETTLED_SLOPE and
    log-IC50 within the tested log-doses (centred: ``|theta| <= half_span``).
    """
    if status != CONVERGED:
        return False
    theta = q[0] / q[1]
    if np.isnan(fixed[0]) and abs(theta) > half_span:
        return False
    if np.isnan(fixed[1]) and not (_SETTLED_SLOPE[0] <= q[1] <= _SETTLED_SLOPE[1]):
        return False
    for j in range(4):
        val = theta if j == 0 else q[j]
        tol = 1e-6 * (hi[j] - lo[j])
        if np.isnan(fixed[j]) and not (lo[j] + tol < val < hi[j] - tol):
            return False
    return True


@njit(cache=True, error_model="numpy")
def lm(
    v, y, w, n, sse0, q, theta_fixed, fixed, lo, hi, max_iter, abort_sse, best,
    A, H, gr, M, L, rhs, d, qt, act, gv, ggv,
):  # fmt: skip
    """Damped Newton in (phi, h) from q = (phi, h, bottom, top) (updated in place).

    Variable projection: bottom and top are re-solved exactly (within their bounds) at every
    trial point (:func:`synergy._kernels.hill_varpro.project`); the step in (phi, h) solves
    the full 4x4 system damped on (phi, h) only, i.e. its Schur complement on the asymptotes.
    ``lo``/``hi`` bound (theta - u_mid, h, bottom, top); ``theta_fixed`` is the fixed centred
    theta or NaN.  A run still above ``abort_sse`` after _ABORT_AFTER iterations stops (a
    further start that will not beat the first), and so does one that has reached the basin
    of the best solution so far (``best``).  ``A``, ``H``, ``M``, ``L`` (4, 4), ``gr``,
    ``rhs``, ``d``, ``qt``, ``act`` (4,) and ``gv``, ``ggv`` (P,) are scratch, passed one by
    one (a tuple of arrays would be reference-counted member by member at every call).
    Returns (sse, n_iter, status).
    """
    sse = _project(v, y, w, n, sse0, q, fixed, lo, hi, gv, ggv)
    if not np.isfinite(sse):
        return sse, 0, NOT_CONVERGED
    _derivatives(v, y, w, n, sse0, q, gv, ggv, A, H, gr)
    lam = _LAMBDA0
    nu = 2.0
    n_slow = 0
    newton = False
    jumped = not np.isnan(fixed[1]) or not np.isfinite(hi[1])
    red_before = np.inf
    stale = 0
    b0 = best[0]
    b1 = best[1]
    b2 = best[2]
    b3 = best[3]
    for it in range(1, max_iter + 1):
        if it > _ABORT_AFTER and sse > abort_sse:
            return sse, it - 1, NOT_CONVERGED
        if np.isfinite(abort_sse) and _same_basin(
            q[0], q[1], q[2], q[3], b0, b1, b2, b3, sse, abort_sse / ABORT_FACTOR
        ):
            return sse, it - 1, CONVERGED
        # derivatives at q, computed only once the run goes on (1: g, e g^2 in gv, ggv are
        # those of q; 2: they are not)
        if stale == 1:
            _derivatives(v, y, w, n, sse0, q, gv, ggv, A, H, gr)
        elif stale == 2:
            _accumulate(v, y, w, n, sse0, q, A, H, gr, gv, ggv)
        stale = 0
        # active set; a held theta ties phi to the slope (dphi = theta dh)
        theta = q[0] / q[1]
        hold_theta = not np.isnan(theta_fixed)
        tol_theta = 1e-12 * (abs(theta) + 1.0)  # theta = phi / h is rounded
        if not hold_theta and theta <= lo[0] + tol_theta and gr[0] <= 0.0:
            hold_theta = True
        if not hold_theta and theta >= hi[0] - tol_theta and gr[0] >= 0.0:
            hold_theta = True
        act[0] = 1.0 if hold_theta else 0.0
        n_free = 0
        for j in range(1, 4):
            gj = gr[j] + (theta * gr[0] if (j == 1 and hold_theta) else 0.0)
            held = not np.isnan(fixed[j])
            if not held and q[j] <= lo[j] and gj <= 0.0:
                held = True
            if not held and q[j] >= hi[j] and gj >= 0.0:
                held = True
            act[j] = 1.0 if held else 0.0
            if not held and j == 1:
                n_free += 1
        if n_free == 0 and hold_theta:
            return sse, it, CONVERGED
        solved = False
        for attempt in range(2):
            use_h = (attempt == 0) == newton
            for j in range(4):
                rhs[j] = gr[j]
                for k in range(4):
                    M[j, k] = H[j, k] if use_h else A[j, k]
            if hold_theta:
                # substitute dphi = theta dh
                M[1, 1] += theta * (2.0 * M[0, 1] + theta * M[0, 0])
                for k in range(2, 4):
                    M[1, k] += theta * M[0, k]
                    M[k, 1] = M[1, k]
                rhs[1] += theta * rhs[0]
            for j in range(4):
                if act[j] > 0.0:
                    for k in range(4):
                        M[j, k] = 0.0
                        M[k, j] = 0.0
            for j in range(4):
                if act[j] > 0.0:
                    M[j, j] = 1.0
                    rhs[j] = 0.0
                else:
                    dj = A[j, j] if A[j, j] > 1e-300 else 1e-300
                    M[j, j] += (lam if j < 2 else 1e-12) * dj
            if _cholesky_solve(M, rhs, L, d):
                solved = True
                break
        if not solved:
            lam *= nu
            nu *= 2.0
            if lam > 1e16:
                return sse, it, CONVERGED
            continue
        pred = 0.0
        for j in range(4):
            pred += 2.0 * d[j] * gr[j]
            for k in range(4):
                pred -= d[j] * H[j, k] * d[k]
        # the slope changes by at most a factor _SLOPE_STEP per step
        qt[1] = min(max(q[1] + d[1], lo[1]), hi[1])
        qt[1] = min(max(qt[1], q[1] / _SLOPE_STEP), q[1] * _SLOPE_STEP)
        if hold_theta:
            qt[0] = theta * qt[1]
        else:
            th = (q[0] + d[0]) / qt[1]
            qt[0] = min(max(th, lo[0]), hi[0]) * qt[1]
        sse_t = _project(v, y, w, n, sse0, qt, fixed, lo, hi, gv, ggv)
        if 0.0 <= pred <= _PTOL * sse:
            # converged: the quadratic model has no more to give; keep the step if it helps
            if sse_t < sse:
                for j in range(4):
                    q[j] = qt[j]
                sse = sse_t
            return sse, it, CONVERGED
        small_step = True
        for j in range(4):
            if abs(qt[j] - q[j]) > _XTOL * (abs(q[j]) + 1.0):
                small_step = False
        if sse_t < sse:
            red = sse - sse_t
            rho = red / pred if pred > 0.0 else 0.5
            newton = red < _NEWTON_SWITCH * sse
            h_before = q[1]
            for j in range(4):
                q[j] = qt[j]
            sse = sse_t
            stale = 1  # derivatives at the next iteration, if there is one
            creeping = q[1] > h_before and red > _CREEP * red_before and red < 0.01 * sse
            red_before = red if q[1] > h_before else 0.0
            if not jumped and creeping and q[1] >= _JUMP_SLOPE and q[1] < hi[1]:
                # a steepening curve: try the slope bound at once, keeping g at the dose
                # nearest theta (the valley of a step creeps towards an infinite slope with
                # theta -> that dose, g there fixed)
                jumped = True
                theta = q[0] / q[1]
                u_k = theta
                dist = np.inf
                for i in range(n):
                    if v[i] > -np.inf and abs(v[i] - theta) < dist:
                        dist = abs(v[i] - theta)
                        u_k = v[i]
                th_new = u_k + (theta - u_k) * q[1] / hi[1]
                qt[0] = min(max(th_new, lo[0]), hi[0]) * hi[1]
                qt[1] = hi[1]
                sse_t = _project(v, y, w, n, sse0, qt, fixed, lo, hi, gv, ggv)
                if sse_t < sse:
                    for j in range(4):
                        q[j] = qt[j]
                    sse = sse_t
                    n_slow = 0
                    continue
                stale = 2  # gv, ggv now hold the rejected jump
            f = 2.0 * rho - 1.0
            f = 1.0 - f * f * f
            lam *= f if f > _LAMBDA_DOWN else _LAMBDA_DOWN
            if lam < 1e-15:
                lam = 1e-15
            nu = 2.0
            if red <= _FTOL * sse or small_step:
                return sse, it, CONVERGED
            n_slow = n_slow + 1 if red <= _STALL * sse else 0
            if n_slow >= _STALL_STEPS:
                return sse, it, CONVERGED
        else:
            if small_step:
                return sse, it, CONVERGED
            lam *= nu
            nu *= 2.0
            if lam > 1e16:
                return sse, it, CONVERGED
    return sse, max_iter, NOT_CONVERGED
