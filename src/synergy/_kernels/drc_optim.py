"""drc's objective and R's ``optim(method = "BFGS")`` with ``optimhess`` (numba).

Written from R's ``src/appl/optim.c`` (``vmmin``, Nash's variable metric),
``src/library/stats/src/optim.c`` (``fminfn``/``fmingr`` with parscale, central differences,
``optimhess``) and drc's ``drmEMls`` (residual sum of squares, summed as R's ``sum``).  Used by
:mod:`synergy._kernels.drc` (see it for the procedure and the tests).  numba's cache does not
notice edits to callees in another file: clear ``__pycache__`` after editing this module.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from synergy._kernels.r_arith import ld_add

__all__ = ["fminfn", "optimhess_ok", "rss", "vmmin"]

# model flag passed as float64 (0.0 = LL.4, 1.0 = L.4) so numba compiles one specialization
_LL4 = 0.0
_NDEPS = 1e-3  # optim's default finite-difference step (parscale units)
_RELTOL = 1e-7  # drmc() default
_MAXIT = 500  # drmc() default
_STEPREDN = 0.2  # vmmin constants
_ACCTOL = 1e-4
_RELTEST = 10.0


# --- objective -----------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def rss(kind, xs, ys, q):
    b, c, d, e = q[0], q[1], q[2], q[3]
    hi = 0.0
    lo = 0.0
    for i in range(xs.shape[0]):
        z = b * np.log(xs[i] / e) if kind == _LL4 else b * (xs[i] - e)
        r = ys[i] - (c + (d - c) / (1.0 + np.exp(z)))
        hi, lo = ld_add(hi, lo, r * r)
    return hi


@njit(cache=True, error_model="numpy")
def _set_params(qf, idx, p, ps, q):
    for k in range(4):
        q[k] = qf[k]
    for k in range(idx.shape[0]):
        q[idx[k]] = p[k] * ps[k]


@njit(cache=True, error_model="numpy")
def fminfn(kind, xs, ys, qf, idx, p, ps, q):
    """optim's ``fminfn``: returns (value, ok); a non-finite parameter is an R error."""
    for k in range(idx.shape[0]):
        if not math.isfinite(p[k]):
            return math.nan, False
    _set_params(qf, idx, p, ps, q)
    return rss(kind, xs, ys, q), True


@njit(cache=True, error_model="numpy")
def _fmingr(kind, xs, ys, qf, idx, p, ps, g, q):
    """optim's numerical ``fmingr``; False where a difference is not finite (R error)."""
    _set_params(qf, idx, p, ps, q)
    for i in range(idx.shape[0]):
        j = idx[i]
        q[j] = (p[i] + _NDEPS) * ps[i]
        val1 = rss(kind, xs, ys, q)
        q[j] = (p[i] - _NDEPS) * ps[i]
        val2 = rss(kind, xs, ys, q)
        g[i] = (val1 - val2) / (2.0 * _NDEPS)
        if not math.isfinite(g[i]):
            return False
        q[j] = p[i] * ps[i]
    return True


# --- vmmin (Nash's variable metric, as in R's optim "BFGS") -------------------------------


@njit(cache=True, error_model="numpy", inline="always")
def vmmin(kind, xs, ys, qf, idx, p, ps):
    """Minimise in place over ``p`` (parscale units).  Returns (ok, iterations)."""
    m = idx.shape[0]
    q = np.empty(4)
    g = np.empty(m)
    t = np.empty(m)
    xk = np.empty(m)
    c = np.empty(m)
    bmat = np.empty((m, m))  # np.zeros would compile its own kernel
    for i in range(m):
        for j in range(m):
            bmat[i, j] = 0.0
    f, ok = fminfn(kind, xs, ys, qf, idx, p, ps, q)
    if not ok or not math.isfinite(f):
        return False, 0
    fmin = f
    if not _fmingr(kind, xs, ys, qf, idx, p, ps, g, q):
        return False, 1
    iteration = 1
    gradcount = 1
    ilast = gradcount
    count = 0
    for _guard in range(100 * _MAXIT):
        if ilast == gradcount:
            for i in range(m):
                for j in range(m):
                    bmat[i, j] = 0.0
                bmat[i, i] = 1.0
        for i in range(m):
            xk[i] = p[i]
            c[i] = g[i]
        gradproj = 0.0
        for i in range(m):
            s = 0.0
            for j in range(m):
                s -= bmat[i, j] * g[j]
            t[i] = s
            gradproj += s * g[i]
        if gradproj < 0.0:  # downhill: backtracking line search
            steplength = 1.0
            accpoint = False
            while True:
                count = 0
                for i in range(m):
                    p[i] = xk[i] + steplength * t[i]
                    if _RELTEST + xk[i] == _RELTEST + p[i]:
                        count += 1
                if count < m:
                    f, ok = fminfn(kind, xs, ys, qf, idx, p, ps, q)
                    if not ok:
                        return False, iteration
                    accpoint = math.isfinite(f) and (f <= fmin + gradproj * steplength * _ACCTOL)
                    if not accpoint:
                        steplength *= _STEPREDN
                if count == m or accpoint:
                    break
            enough = (f > -math.inf) and abs(f - fmin) > _RELTOL * (abs(fmin) + _RELTOL)
            if not enough:
                count = m
                fmin = f
            if count < m:  # progress: new gradient, BFGS update of the inverse Hessian
                fmin = f
                if not _fmingr(kind, xs, ys, qf, idx, p, ps, g, q):
                    return False, iteration
                gradcount += 1
                iteration += 1
                d1 = 0.0
                for i in range(m):
                    t[i] = steplength * t[i]
                    c[i] = g[i] - c[i]
                    d1 += t[i] * c[i]
                if d1 > 0.0:
                    d2 = 0.0
                    for i in range(m):
                        s = 0.0
                        for j in range(m):
                            s += bmat[i, j] * c[j]
                        xk[i] = s
                        d2 += s * c[i]
                    d2 = 1.0 + d2 / d1
                    for i in range(m):
                        for j in range(i + 1):
                            bmat[i, j] += (d2 * t[i] * t[j] - xk[i] * t[j] - t[i] * xk[j]) / d1
                            bmat[j, i] = bmat[i, j]
                else:
                    ilast = gradcount
            elif ilast < gradcount:  # no progress: restart from the identity
                count = 0
                ilast = gradcount
        else:  # uphill: reset unless just reset
            count = 0
            if ilast == gradcount:
                count = m
            else:
                ilast = gradcount
        if iteration >= _MAXIT:
            break
        if gradcount - ilast > 2 * m:
            ilast = gradcount
        if count == m and ilast == gradcount:
            break
    return True, iteration


@njit(cache=True, error_model="numpy", inline="always")
def optimhess_ok(kind, xs, ys, qf, idx, par, ps):
    """optim(hessian = TRUE)'s ``optimhess``: only whether it raises matters here."""
    m = idx.shape[0]
    q = np.empty(4)
    g = np.empty(m)
    dpar = np.empty(m)
    for i in range(m):
        dpar[i] = par[i] / ps[i]
    for i in range(m):
        eps = _NDEPS / ps[i]
        dpar[i] = dpar[i] + eps
        if not _fmingr(kind, xs, ys, qf, idx, dpar, ps, g, q):
            return False
        dpar[i] = dpar[i] - 2.0 * eps
        if not _fmingr(kind, xs, ys, qf, idx, dpar, ps, g, q):
            return False
        dpar[i] = dpar[i] + eps
    return True
