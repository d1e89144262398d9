"""Data preparation of one curve for the Hill kernel (numba).

:func:`prepare` drops missing points, checks the data, takes log-doses and merges points at
the same dose (replicates) into their weighted mean (:mod:`synergy._kernels.hill_lsq`
step 1).  Tested through ``tests/_kernels/test_hill_lsq.py``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["prepare"]


@njit(cache=True, error_model="numpy")
def prepare(conc, resp, wt, r, v, y, w, level, sums):
    """Used points of curve ``r`` of (N, P) data into v (log-dose), y, w, replicates
    merged; returns (n, n_used, bad).

    Points at the same dose become one point with their summed weight at their weighted
    mean response (exact for least squares: ``J`` is the same for all of them);
    ``sums[3]`` gets the within-dose sum of squares, added to every SSE.  ``n`` is the
    number of distinct doses, ``n_used`` of used points; ``level`` (P,) is scratch.
    """
    n = 0
    n_used = 0
    bad = False
    for i in range(conc.shape[1]):
        yi = resp[r, i]
        wi = wt[r, i]
        if np.isnan(yi) or wi == 0.0:
            continue
        xi = conc[r, i]
        if not (np.isfinite(yi) and np.isfinite(xi) and xi >= 0.0 and wi > 0.0):
            bad = True
        if not np.isfinite(wi):
            bad = True
        vi = np.log(xi) if xi > 0.0 else -np.inf
        k = 0
        while k < n and v[k] != vi:
            k += 1
        if k == n:
            v[k] = vi
            y[k] = 0.0
            w[k] = 0.0
            n += 1
        y[k] += wi * yi
        w[k] += wi
        level[n_used] = k
        n_used += 1
    for k in range(n):
        y[k] /= w[k]
    # within-dose sum of squares (second pass: no cancellation)
    sse0 = 0.0
    if n < n_used and not bad:
        m = 0
        for i in range(conc.shape[1]):
            yi = resp[r, i]
            wi = wt[r, i]
            if np.isnan(yi) or wi == 0.0:
                continue
            res = yi - y[level[m]]
            sse0 += wi * res * res
            m += 1
    sums[3] = sse0
    return n, n_used, bad
