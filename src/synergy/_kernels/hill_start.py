"""Deterministic, data-driven start values of the Hill kernel (numba).

A grid of ``THETA_GRID`` centred log-IC50 values across the tested log-dose range, widened
by a quarter of its span on each side, times the slopes (0.125, 0.5, 1.5, 4, 16).  At every
grid point bottom and top are the exact weighted linear least-squares solution (clipped to
their bounds) and the SSE follows from sums, so the whole grid costs one exponential per
point (powers of e^(theta - u)/8, stepped from one theta to the next by a multiplication).

:func:`grid_starts` picks up to four starts: the best grid point with slope <= 4 (or the
fixed slope); the best one with another slope; the best one at least three theta steps away;
the best step-like one (slope 16) — the last three only when their grid SSE is within a
factor ``SECOND_START`` of the first.  Used by :mod:`synergy._kernels.hill_lsq` (whose
tests cover it).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["SECOND_START", "THETA_GRID", "best_step", "end_gap", "grid_starts"]

THETA_GRID = 7  # log-IC50 start values across the tested range, widened by GRID_WIDEN
GRID_WIDEN = 0.25  # of the log-dose span, on each side
SECOND_START = 2.0  # further starts if their grid SSE is within this factor of the best


@njit(cache=True, error_model="numpy")
def _asymptotes_sse(sw, sy, syy, sg, sgg, syg, f2, f3, lo2, hi2, lo3, hi3):
    """Weighted LSQ (bottom, top) given the g-sums, clipped to their bounds; returns
    (sse, bottom, top) with the SSE from the sums.

    ``sw, sy, syy`` = (sum w, sum w y, sum w y^2); ``f2, f3`` the fixed bottom/top (NaN =
    free); scalars only (no arrays: no reference counting in the grid's inner loop).
    """
    if not np.isnan(f2) and not np.isnan(f3):
        b = f2
        t = f3
    elif not np.isnan(f2):
        c1 = (syg - f2 * sg) / sgg if sgg > 1e-300 else 0.0
        b = f2
        t = min(max(f2 + c1, lo3), hi3)
    elif not np.isnan(f3):
        s1 = sw - 2.0 * sg + sgg  # sum w (1 - g)^2
        c0 = ((sy - syg) - f3 * (sw - sg)) / s1 if s1 > 1e-300 else 0.0
        b = min(max(f3 + c0, lo2), hi2)
        t = f3
    else:
        det = sw * sgg - sg * sg
        if det > 1e-12 * sw * sgg and det > 0.0:
            c0 = (sgg * sy - sg * syg) / det
            c1 = (sw * syg - sg * sy) / det
        else:
            c0 = sy / sw
            c1 = 0.0
        b = min(max(c0, lo2), hi2)
        t = min(max(c0 + c1, lo3), hi3)
    c0 = b
    c1 = t - b
    sse = syy - 2.0 * c0 * sy - 2.0 * c1 * syg + c0 * c0 * sw + 2.0 * c0 * c1 * sg
    return sse + c1 * c1 * sgg, b, t


@njit(cache=True, error_model="numpy")
def grid_starts(
    v, y, w, n, span, theta_fixed, fixed, lo, hi, sums, sse_g, q_g, ebase, gk, starts, start_sse
):
    """Fill ``starts`` (rows of centred (theta, h, bottom, top)) and their grid SSE
    ``start_sse``; returns their number.

    ``v`` centred log-doses (-inf = zero dose), ``span`` their range; ``lo``/``hi`` bounds of
    (centred theta, h, bottom, top); ``sums`` = (sum w, sum w y, sum w y^2); ``sse_g``
    (THETA_GRID, 5), ``q_g`` (THETA_GRID, 5, 4), ``ebase`` (P,) and ``gk`` (5, P) are
    scratch.

    Grid points (theta, slope_k), asymptotes solved, go to ``sse_g[it, k]``, ``q_g[it, k]``.
    Slopes (0.125, 0.5, 1.5, 4, 16), or the fixed slope in k = 0 (the rest inf).  With the
    default slopes one exponential per point serves all five (powers of e^z/8); ``ebase``
    keeps e^(z/8) per point, multiplied by e^(dtheta/8) from one grid theta to the next
    (when both are inside the bounds) instead of recomputed.  Overflow to inf (g = 0) and
    underflow to 0 (g = 1) are both exact enough here.  Written as one function over
    scalars and indexed arrays (no array views or array-taking calls in the loops).
    """
    sw = sums[0]
    sy = sums[1]
    syy = sums[2]
    f2 = fixed[2]
    f3 = fixed[3]
    lo2 = lo[2]
    hi2 = hi[2]
    lo3 = lo[3]
    hi3 = hi[3]
    n_h = 1 if not np.isnan(fixed[1]) else 5
    h0 = min(max(fixed[1] if n_h == 1 else 0.125, lo[1]), hi[1])
    h1 = min(max(0.5, lo[1]), hi[1])
    h2 = min(max(1.5, lo[1]), hi[1])
    h3 = min(max(4.0, lo[1]), hi[1])
    h4 = min(max(16.0, lo[1]), hi[1])
    powers = n_h == 5 and h0 == 0.125 and h1 == 0.5 and h2 == 1.5 and h3 == 4.0 and h4 == 16.0
    n_starts = 1
    n_t = THETA_GRID if np.isnan(fixed[0]) else 1
    d_theta = span * (1.0 + 2.0 * GRID_WIDEN) / (n_t - 1) if n_t > 1 else 0.0
    step0 = np.exp(0.125 * d_theta) if span < 1000.0 else 0.0
    prev_exact = False
    for it in range(n_t):
        theta = theta_fixed
        if n_t > 1:
            theta = span * (-0.5 - GRID_WIDEN) + d_theta * it
        exact = lo[0] <= theta <= hi[0]
        theta = min(max(theta, lo[0]), hi[0])
        step = step0 if (exact and prev_exact) else 0.0
        prev_exact = exact
        s0 = s1 = s2 = s3 = s4 = 0.0
        ss0 = ss1 = ss2 = ss3 = ss4 = 0.0
        sy0 = sy1 = sy2 = sy3 = sy4 = 0.0
        if powers:
            # g of the five slopes at every point into gk, in a loop without branches or
            # calls (vectorised: the divisions dominate); a zero dose (v = -inf) gets
            # e = inf, g = 0, adding exact zeros to the sums below
            if step > 0.0:
                mult = step
            else:
                mult = 1.0
                for i in range(n):
                    ebase[i] = np.exp(0.125 * (theta - v[i]))
            for i in range(n):
                e0 = ebase[i] * mult
                ebase[i] = e0
                e1 = e0 * e0
                e1 = e1 * e1  # ^4
                e3 = e1 * e1  # ^8
                e2 = e3 * e1  # ^12
                e3 = e3 * e3  # ^16
                e3 = e3 * e3  # ^32
                e4 = e3 * e3  # ^64
                e4 = e4 * e4  # ^128
                gk[0, i] = 1.0 / (1.0 + e0)
                gk[1, i] = 1.0 / (1.0 + e1)
                gk[2, i] = 1.0 / (1.0 + e2)
                gk[3, i] = 1.0 / (1.0 + e3)
                gk[4, i] = 1.0 / (1.0 + e4)
        else:
            for i in range(n):
                dt = theta - v[i]
                if v[i] == -np.inf:
                    e0 = e1 = e2 = e3 = e4 = np.inf
                elif n_h == 1:
                    e0 = np.exp(min(h0 * dt, 700.0))
                    e1 = e2 = e3 = e4 = 0.0
                else:
                    e0 = np.exp(min(h0 * dt, 700.0))
                    e1 = np.exp(min(h1 * dt, 700.0))
                    e2 = np.exp(min(h2 * dt, 700.0))
                    e3 = np.exp(min(h3 * dt, 700.0))
                    e4 = np.exp(min(h4 * dt, 700.0))
                gk[0, i] = 1.0 / (1.0 + e0)
                gk[1, i] = 1.0 / (1.0 + e1)
                gk[2, i] = 1.0 / (1.0 + e2)
                gk[3, i] = 1.0 / (1.0 + e3)
                gk[4, i] = 1.0 / (1.0 + e4)
        for i in range(n):
            wi = w[i]
            wy = wi * y[i]
            g = gk[0, i]
            s0 += wi * g
            ss0 += wi * g * g
            sy0 += wy * g
            g = gk[1, i]
            s1 += wi * g
            ss1 += wi * g * g
            sy1 += wy * g
            g = gk[2, i]
            s2 += wi * g
            ss2 += wi * g * g
            sy2 += wy * g
            g = gk[3, i]
            s3 += wi * g
            ss3 += wi * g * g
            sy3 += wy * g
            g = gk[4, i]
            s4 += wi * g
            ss4 += wi * g * g
            sy4 += wy * g
        for k in range(5):
            if k == 0:
                hk, sg, sgg, syg = h0, s0, ss0, sy0
            elif k == 1:
                hk, sg, sgg, syg = h1, s1, ss1, sy1
            elif k == 2:
                hk, sg, sgg, syg = h2, s2, ss2, sy2
            elif k == 3:
                hk, sg, sgg, syg = h3, s3, ss3, sy3
            else:
                hk, sg, sgg, syg = h4, s4, ss4, sy4
            if k > 0 and n_h == 1:
                sse_g[it, k] = np.inf
                continue
            sse, b, t = _asymptotes_sse(sw, sy, syy, sg, sgg, syg, f2, f3, lo2, hi2, lo3, hi3)
            sse_g[it, k] = sse
            q_g[it, k, 0] = theta
            q_g[it, k, 1] = hk
            q_g[it, k, 2] = b
            q_g[it, k, 3] = t
    # start 1: the best grid point with slope <= 4 (or the fixed slope)
    t1 = 0
    k1 = 0
    for it in range(n_t):
        for k in range(4):
            if sse_g[it, k] < sse_g[t1, k1]:
                t1 = it
                k1 = k
    for j in range(4):
        starts[0, j] = q_g[t1, k1, j]
    start_sse[0] = sse_g[t1, k1]
    limit = SECOND_START * sse_g[t1, k1]
    # start 2: the best such point with another slope; start 3: the best such point at
    # least three theta steps away
    for other in range(2):
        t2 = -1
        k2 = 0
        for it in range(n_t):
            for k in range(4):
                away = k != k1 if other == 0 else abs(it - t1) >= 3
                if away and (t2 < 0 or sse_g[it, k] < sse_g[t2, k2]):
                    t2 = it
                    k2 = k
        if t2 >= 0 and sse_g[t2, k2] <= limit:
            for j in range(4):
                starts[n_starts, j] = q_g[t2, k2, j]
            start_sse[n_starts] = sse_g[t2, k2]
            n_starts += 1
    # start 4: the best step-like grid point (slope 16)
    t3 = 0
    for it in range(n_t):
        if sse_g[it, 4] < sse_g[t3, 4]:
            t3 = it
    if sse_g[t3, 4] <= limit:
        for j in range(4):
            starts[n_starts, j] = q_g[t3, 4, j]
        start_sse[n_starts] = sse_g[t3, 4]
        n_starts += 1
    return n_starts


@njit(cache=True, error_model="numpy")
def best_step(v, y, w, n, order, sse0):
    """Least SSE of a step between adjacent positive log-doses, and where it turns.

    Two kinds, over the points (one per dose level) sorted by log-dose into ``order``
    (insertion sort, n <= P; the zero dose, if any, sorts first): a two-level step between
    two adjacent doses (theta at their midpoint), and a step through one positive dose whose
    response lies between the levels below and above it (theta at that dose: a steep curve
    gives it any intermediate value).  Returns (sse, theta) in centred log-dose, or (inf, 0).
    """
    for i in range(n):
        order[i] = i
    for i in range(1, n):
        k = order[i]
        j = i - 1
        while j >= 0 and v[order[j]] > v[k]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = k
    tot_w = 0.0
    tot_wy = 0.0
    tot_wyy = 0.0
    for i in range(n):
        tot_w += w[i]
        tot_wy += w[i] * y[i]
        tot_wyy += w[i] * y[i] * y[i]
    best = np.inf
    theta = 0.0
    cw = 0.0  # sums over the points before position i
    cwy = 0.0
    cwyy = 0.0
    for i in range(n):
        k = order[i]
        wk = w[k]
        yk = y[k]
        if v[k] > -np.inf and cw > 0.0:
            # through the dose at position i: below = positions < i, above = positions > i
            rw = tot_w - cw - wk
            rwy = tot_wy - cwy - wk * yk
            rwyy = tot_wyy - cwyy - wk * yk * yk
            if rw > 0.0:
                m_lo = cwy / cw
                m_hi = rwy / rw
                if min(m_lo, m_hi) <= yk <= max(m_lo, m_hi):
                    sse = sse0 + (cwyy - cwy * m_lo) + (rwyy - rwy * m_hi)
                    if sse < best:
                        best = sse
                        theta = v[k]
            # between position i - 1 and i: below = positions < i
            rw = tot_w - cw
            rwy = tot_wy - cwy
            if v[order[i - 1]] > -np.inf:
                sse = sse0 + (cwyy - cwy * cwy / cw) + (tot_wyy - cwyy - rwy * rwy / rw)
                if sse < best:
                    best = sse
                    theta = 0.5 * (v[order[i - 1]] + v[k])
        cw += wk
        cwy += wk * yk
        cwyy += wk * yk * yk
    return best, theta


@njit(cache=True, error_model="numpy")
def end_gap(v, n, above):
    """Midpoint of the two largest (``above``) or smallest positive log-doses among v[:n]."""
    end1 = -np.inf if above else np.inf
    end2 = end1
    for i in range(n):
        x = v[i]
        if x > -np.inf:
            if (above and x > end1) or (not above and x < end1):
                end2 = end1
                end1 = x
            elif (above and x > end2) or (not above and x < end2):
                end2 = x
    return 0.5 * (end1 + end2)
