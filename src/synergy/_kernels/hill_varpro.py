"""Variable projection for the Hill kernel: the asymptotes solved exactly (numba).

Given ``(phi, hill_slope)`` the curve ``bottom + (top - bottom) g`` is linear in
``(bottom, top)``: :func:`project` solves the weighted linear least squares for the free
ones within their bounds (a convex quadratic in at most two variables: the unconstrained
solution, or the best point on the box's edges) and returns the SSE there.  The optimiser
(:mod:`synergy._kernels.hill_lsq`) steps in ``(phi, hill_slope)`` only and re-solves the
asymptotes at every trial point (Golub & Pereyra 1973; Kaufman 1975; the step is the
Schur complement of the full system on the asymptotes).  Tested through
``tests/_kernels/test_hill_lsq.py``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from synergy._kernels.hill_core import g_terms

__all__ = ["project"]


@njit(cache=True, error_model="numpy", inline="always")
def _quad(b, t, syy, r2, r3, s22, s23, s33):
    """SSE at (bottom, top) from the normal-equation sums (comparisons only)."""
    return syy - 2.0 * (b * r2 + t * r3) + b * b * s22 + 2.0 * b * t * s23 + t * t * s33


@njit(cache=True, error_model="numpy")
def project(v, y, w, n, sse0, q, fixed, lo, hi, gv, ggv):
    """Best (bottom, top) within bounds at q's (phi, h), into q[2:4]; returns the SSE
    (plus ``sse0``, the within-dose sum of squares of merged replicates).

    Fills gv, ggv (:func:`synergy._kernels.hill_core.g_terms`) for the derivatives.
    """
    phi = q[0]
    h = q[1]
    sw = sg = sgg = sy = syg = syy = 0.0
    for i in range(n):
        # g and e g^2 as :func:`synergy._kernels.hill_core.g_terms`, in the same pass
        g, gg = g_terms(v[i], phi, h)
        gv[i] = g
        ggv[i] = gg
        wi = w[i]
        wy = wi * y[i]
        sw += wi
        sg += wi * g
        sgg += wi * g * g
        sy += wy
        syg += wy * g
        syy += wy * y[i]
    # basis (1 - g, g) for (bottom, top)
    s22 = sw - 2.0 * sg + sgg
    s23 = sg - sgg
    s33 = sgg
    r2 = sy - syg
    r3 = syg
    # every array read before the branches (keeps numba's reference-count pruning
    # effective: this runs at every trial point)
    b = fixed[2]
    t = fixed[3]
    lo2 = lo[2]
    hi2 = hi[2]
    lo3 = lo[3]
    hi3 = hi[3]
    b_free = np.isnan(b)
    t_free = np.isnan(t)
    if b_free and t_free:
        det = s22 * s33 - s23 * s23
        if det > 1e-12 * s22 * s33 and det > 0.0:
            b = (s33 * r2 - s23 * r3) / det
            t = (s22 * r3 - s23 * r2) / det
        else:  # g (nearly) constant: one level
            b = t = sy / sw
        if not (lo2 <= b <= hi2 and lo3 <= t <= hi3):
            # the optimum lies on an edge of the box: best of the four edges
            best = np.inf
            for edge in range(4):
                if edge < 2:
                    be = lo2 if edge == 0 else hi2
                    te = (r3 - be * s23) / s33 if s33 > 1e-300 else be
                    te = min(max(te, lo3), hi3)
                else:
                    te = lo3 if edge == 2 else hi3
                    be = (r2 - te * s23) / s22 if s22 > 1e-300 else te
                    be = min(max(be, lo2), hi2)
                val = _quad(be, te, syy, r2, r3, s22, s23, s33)
                if val < best:
                    best = val
                    b = be
                    t = te
    elif t_free:
        t = (r3 - b * s23) / s33 if s33 > 1e-300 else b
        t = min(max(t, lo3), hi3)
    elif b_free:
        b = (r2 - t * s23) / s22 if s22 > 1e-300 else t
        b = min(max(b, lo2), hi2)
    q[2] = b
    q[3] = t
    s = t - b
    sse = sse0
    for i in range(n):
        r = y[i] - b - s * gv[i]
        sse += w[i] * r * r
    return sse
