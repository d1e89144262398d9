"""The Hill curve, its derivatives, a 4x4 solver and the Wald covariance for the Hill
kernels (numba).

In log-dose ``u = ln x`` with ``theta = ln ic50``:
``E = bottom + (top - bottom) / (1 + exp(hill_slope * (theta - u)))``, ``E(0) = bottom``.
The optimiser (:mod:`synergy._kernels.hill_lsq`) works in ``(phi, hill_slope, bottom, top)``
with ``phi = hill_slope * (theta - u_mid)`` on centred log-doses ``v = u - u_mid``, so that
``E = bottom + (top - bottom) / (1 + exp(phi - hill_slope * v))``; :func:`accumulate` gives
the SSE, ``J^T W J``, the exact Hessian and ``J^T W r`` there, analytically, and
:func:`covariance` gives ``sigma^2 (J^T W J)^-1`` in ``(theta, hill_slope, bottom, top)``.
Tested through ``tests/_kernels/test_hill_lsq.py`` (against scipy and numpy).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "accumulate",
    "cholesky_solve",
    "covariance",
    "curve_ranges",
    "derivatives",
    "g_terms",
    "hill_dose",
    "hill_value",
]


@njit(cache=True, error_model="numpy", inline="always")
def hill_value(x, theta, hill_slope, bottom, top):
    """Hill curve at dose ``x`` (>= 0), with ``theta = ln(ic50)``; ``E(0) = bottom``."""
    if x <= 0.0:
        return bottom
    return bottom + (top - bottom) / (1.0 + np.exp(min(hill_slope * (theta - np.log(x)), 700.0)))


@njit(cache=True, error_model="numpy", inline="always")
def hill_dose(effect, theta, hill_slope, bottom, top):
    """Dose at which the Hill curve reaches ``effect``; NaN outside the open (bottom, top)."""
    ratio = (effect - bottom) / (top - effect)
    if not (ratio > 0.0 and np.isfinite(ratio)):
        return np.nan
    return np.exp(theta + np.log(ratio) / hill_slope)


@njit(cache=True, error_model="numpy", inline="always")
def g_terms(v, phi, h):
    """``(g, e g^2)`` at centred log-dose v (-inf = zero dose: (0, 0)), ``g = 1 / (1 + e)``,
    ``e = exp(phi - h v)``; ``e g^2 = -dg/dphi``.  Scalars only (inlined in point loops)."""
    g = 0.0
    gg = 0.0
    if v > -np.inf:
        e = np.exp(min(phi - h * v, 700.0))
        g = 1.0 / (1.0 + e)
        gg = e * g * g
    return g, gg


@njit(cache=True, error_model="numpy")
def accumulate(v, y, w, n, sse0, q, A, H, gr, gv, ggv):
    """SSE at q = (phi, h, bottom, top) on centred log-doses v (-inf = zero dose).

    ``sse0`` is added to the SSE: the within-dose sum of squares when replicates are
    merged into their weighted means (:mod:`synergy._kernels.hill_lsq`).
    Fills A = J^T W J, H = A - sum w r d2E (half the Hessian of the SSE), gr = J^T W r;
    gv, ggv get g and e g^2 per point (see :func:`g_terms`).
    """
    return _derivatives(v, y, w, n, sse0, q, gv, ggv, A, H, gr, True)


@njit(cache=True, error_model="numpy")
def derivatives(v, y, w, n, sse0, q, gv, ggv, A, H, gr):
    """:func:`accumulate` given g and e g^2 per point (:func:`g_terms`)."""
    return _derivatives(v, y, w, n, sse0, q, gv, ggv, A, H, gr, False)


@njit(cache=True, error_model="numpy", inline="always")
def _derivatives(v, y, w, n, sse0, q, gv, ggv, A, H, gr, fresh):
    """Body of :func:`accumulate` (``fresh``: compute g, e g^2 into gv, ggv) and of
    :func:`derivatives` (g, e g^2 given); one leaf loop, no calls (a call would keep
    numba's reference counting of the array arguments)."""
    phi = q[0]
    h = q[1]
    b = q[2]
    s = q[3] - q[2]
    sse = sse0
    a00 = a01 = a02 = a03 = a11 = a12 = a13 = a22 = a23 = a33 = 0.0
    h00 = h01 = h02 = h11 = h12 = 0.0
    g0 = g1 = g2 = g3 = 0.0
    for i in range(n):
        wi = w[i]
        if v[i] == -np.inf:
            if fresh:
                gv[i] = 0.0
                ggv[i] = 0.0
            r = y[i] - b
            sse += wi * r * r
            a22 += wi
            g2 += wi * r
            continue
        vi = v[i]
        if fresh:
            e = np.exp(min(phi - h * vi, 700.0))
            g = 1.0 / (1.0 + e)
            gg = e * g * g
            gv[i] = g
            ggv[i] = gg
        else:
            g = gv[i]
            gg = ggv[i]
        r = y[i] - (b + s * g)
        wr = wi * r
        sse += wr * r
        j0 = -s * gg
        j1 = -j0 * vi
        j2 = 1.0 - g
        wj0 = wi * j0
        wj1 = wi * j1
        wj2 = wi * j2
        a00 += wj0 * j0
        a01 += wj0 * j1
        a02 += wj0 * j2
        a03 += wj0 * g
        a11 += wj1 * j1
        a12 += wj1 * j2
        a13 += wj1 * g
        a22 += wj2 * j2
        a23 += wj2 * g
        a33 += wi * g * g
        g0 += wr * j0
        g1 += wr * j1
        g2 += wr * j2
        g3 += wr * g
        c = wr * s * (1.0 - 2.0 * g) * gg
        h00 += c
        h01 -= c * vi
        h11 += c * vi * vi
        h02 += wr * gg
        h12 -= wr * gg * vi
    A[0, 0] = a00
    A[0, 1] = A[1, 0] = a01
    A[0, 2] = A[2, 0] = a02
    A[0, 3] = A[3, 0] = a03
    A[1, 1] = a11
    A[1, 2] = A[2, 1] = a12
    A[1, 3] = A[3, 1] = a13
    A[2, 2] = a22
    A[2, 3] = A[3, 2] = a23
    A[3, 3] = a33
    for j in range(4):
        for k in range(4):
            H[j, k] = A[j, k]
    # d2E/dphi dtop = -d2E/dphi dbottom, d2E/dh dtop = -d2E/dh dbottom
    H[0, 0] -= h00
    H[1, 1] -= h11
    H[0, 1] -= h01
    H[1, 0] -= h01
    H[0, 2] -= h02
    H[2, 0] -= h02
    H[0, 3] += h02
    H[3, 0] += h02
    H[1, 2] -= h12
    H[2, 1] -= h12
    H[1, 3] += h12
    H[3, 1] += h12
    gr[0] = g0
    gr[1] = g1
    gr[2] = g2
    gr[3] = g3
    return sse


@njit(cache=True, error_model="numpy")
def cholesky_solve(M, rhs, L, out):
    """Solve M out = rhs for a symmetric positive definite 4x4 M; False if not PD
    (then ``out`` holds NaN or inf).  ``L`` gets the lower Cholesky factor.

    Unrolled on scalars, four divisions (reciprocals of the diagonal), no early exit
    (keeps numba's reference-count pruning effective); the solver of every damped-Newton
    step.
    """
    m00 = M[0, 0]
    m10 = M[1, 0]
    m20 = M[2, 0]
    m30 = M[3, 0]
    m11 = M[1, 1]
    m21 = M[2, 1]
    m31 = M[3, 1]
    m22 = M[2, 2]
    m32 = M[3, 2]
    m33 = M[3, 3]
    ok = m00 > 0.0
    l00 = np.sqrt(m00)
    i0 = 1.0 / l00
    l10 = m10 * i0
    l20 = m20 * i0
    l30 = m30 * i0
    s = m11 - l10 * l10
    ok = ok and s > 0.0
    l11 = np.sqrt(s)
    i1 = 1.0 / l11
    l21 = (m21 - l20 * l10) * i1
    l31 = (m31 - l30 * l10) * i1
    s = m22 - l20 * l20 - l21 * l21
    ok = ok and s > 0.0
    l22 = np.sqrt(s)
    i2 = 1.0 / l22
    l32 = (m32 - l30 * l20 - l31 * l21) * i2
    s = m33 - l30 * l30 - l31 * l31 - l32 * l32
    ok = ok and s > 0.0
    l33 = np.sqrt(s)
    i3 = 1.0 / l33
    # L z = rhs, then L^T x = z
    z0 = rhs[0] * i0
    z1 = (rhs[1] - l10 * z0) * i1
    z2 = (rhs[2] - l20 * z0 - l21 * z1) * i2
    z3 = (rhs[3] - l30 * z0 - l31 * z1 - l32 * z2) * i3
    x3 = z3 * i3
    x2 = (z2 - l32 * x3) * i2
    x1 = (z1 - l21 * x2 - l31 * x3) * i1
    x0 = (z0 - l10 * x1 - l20 * x2 - l30 * x3) * i0
    out[0] = x0
    out[1] = x1
    out[2] = x2
    out[3] = x3
    L[0, 0] = l00
    L[1, 0] = l10
    L[2, 0] = l20
    L[3, 0] = l30
    L[1, 1] = l11
    L[2, 1] = l21
    L[3, 1] = l31
    L[2, 2] = l22
    L[3, 2] = l32
    L[3, 3] = l33
    return ok


@njit(cache=True, error_model="numpy")
def covariance(A, q, fixed, n, sse, cov, M, At, L, rhs, d):
    """Covariance of (theta, h, bottom, top) from A (in phi) at q = (phi, h, b, t).

    ``M``, ``At``, ``L`` (4, 4) and ``rhs``, ``d`` (4,) are scratch.
    """
    h = q[1]
    th = q[0] / h
    # A in (theta, h, b, t): T^T A T with dphi = h dtheta + theta dh
    for j in range(4):
        for k in range(4):
            At[j, k] = A[j, k]
    At[0, 0] = h * h * A[0, 0]
    At[0, 1] = At[1, 0] = h * (th * A[0, 0] + A[0, 1])
    At[1, 1] = th * th * A[0, 0] + 2.0 * th * A[0, 1] + A[1, 1]
    for k in range(2, 4):
        At[0, k] = At[k, 0] = h * A[0, k]
        At[1, k] = At[k, 1] = th * A[0, k] + A[1, k]
    k_free = 0
    for j in range(4):
        if np.isnan(fixed[j]):
            k_free += 1
        for k in range(4):
            cov[j, k] = 0.0
            M[j, k] = (
                At[j, k]
                if (np.isnan(fixed[j]) and np.isnan(fixed[k]))
                else (1.0 if j == k else 0.0)
            )
    if k_free == 0:
        return
    sigma2 = sse / (n - k_free) if n > k_free else np.nan
    for j in range(4):
        rhs[j] = 0.0
    ok = cholesky_solve(M, rhs, L, d)  # factorises M into L
    for c in range(4):
        # solve L L^T x = e_c
        for i in range(4):
            t = 1.0 if i == c else 0.0
            for k in range(i):
                t -= L[i, k] * d[k]
            d[i] = t / L[i, i] if ok else np.nan
        for i in range(3, -1, -1):
            t = d[i]
            for k in range(i + 1, 4):
                t -= L[k, i] * d[k]
            d[i] = t / L[i, i] if ok else np.nan
        for j in range(4):
            if np.isnan(fixed[j]) and np.isnan(fixed[c]):
                cov[j, c] = sigma2 * d[j]


@njit(cache=True, error_model="numpy")
def curve_ranges(conc, response, weights):
    """Per curve (N, 4): lowest and highest positive dose, lowest and highest response.

    Over the used points (finite response and dose, weight > 0); ±inf when there are none
    (one pass over the data, for default bounds and the tested-dose range).
    """
    N, P = conc.shape
    out = np.empty((N, 4))
    for i in range(N):
        cmin = ymin = np.inf
        cmax = ymax = -np.inf
        for k in range(P):
            y = response[i, k]
            c = conc[i, k]
            if not (np.isfinite(y) and np.isfinite(c) and weights[i, k] > 0.0):
                continue
            ymin = min(ymin, y)
            ymax = max(ymax, y)
            if c > 0.0:
                cmin = min(cmin, c)
                cmax = max(cmax, c)
        out[i, 0] = cmin
        out[i, 1] = cmax
        out[i, 2] = ymin
        out[i, 3] = ymax
    return out
