"""The full BRAID surface (κ, δ and a free E3) with its Jacobian (numba).

Twarog, Stewart, Shelat, Bhatt, "BRAID: a unifying paradigm for the analysis of combined
drug action", Sci Rep 6:25523, 2016.  With ``Δ3 = E3 − E0`` the combination's maximal
effect above the baseline and ``r_i = (E_i − E0) / Δ3`` (``0 < r_i ≤ 1``)::

    D_i = r_i a_i / (1 + (1 − r_i) a_i),   a_i = (d_i / C_i)^h_i
    D   = D1^(1/H) + D2^(1/H) + κ · (D1 D2)^(1/(2H)),   H = δ · sqrt(h1 h2)
    E   = E0 + Δ3 / (1 + D^(−H))

Each edge is the drug's Hill curve (``Δ3 r_i = E_i − E0``).  κ > 0 and δ > 1 synergy,
κ < 0 and δ < 1 antagonism; ``δ = 1`` and ``E3`` the stronger drug's maximum is the κ
variant of :mod:`synergy._kernels.interaction_surfaces` (model code ``BRAID``).

E3 is fitted through ``b = ln(Δ3 / Δs) ≥ 0`` (``Δs`` the stronger drug's ``E_i − E0``), so
that E3 lies at or beyond both drugs by construction (``b = 0``: E3 tied to the stronger
drug).  Fit parameters, model code :data:`BRAID_FULL`::

    q = (E0, E1, E2, ln h1, ln h2, ln C1, ln C2, b, ln δ, ln(κ + 2))

The fit itself is :func:`synergy._kernels.interaction_fit.fit_surface` (its ``accumulate``
hands this model to :func:`braid_full_accumulate`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from synergy._kernels.interaction_surfaces import _logistic, braid_drug, braid_sum

__all__ = [
    "BRAID_FULL",
    "N_FULL",
    "braid_full_accumulate",
    "braid_full_grid",
    "braid_full_point",
    "braid_full_value",
]

BRAID_FULL = 2
N_FULL = 10  # fit parameters


@njit(cache=True, error_model="numpy", inline="always")
def _constants(q):
    """``(h1, h2, H, κ + 2, r1, r2, ln r1, ln r2, Δs, e^b, first)`` of q (ln r = 0 if r ≤ 0)."""
    d1e = q[1] - q[0]
    d2e = q[2] - q[0]
    first = abs(d1e) >= abs(d2e)
    dse = d1e if first else d2e
    shrink = np.exp(-q[7])
    r1 = d1e / dse * shrink if dse != 0.0 else 0.0
    r2 = d2e / dse * shrink if dse != 0.0 else 0.0
    return (
        np.exp(q[3]), np.exp(q[4]), np.exp(q[8] + 0.5 * (q[3] + q[4])), np.exp(q[9]), r1, r2,
        np.log(r1) if r1 > 0.0 else 0.0, np.log(r2) if r2 > 0.0 else 0.0, dse, np.exp(q[7]),
        first,
    )  # fmt: skip


@njit(cache=True, error_model="numpy", inline="always")
def _combine(on1, ld1, g1, gr1, z1, on2, ld2, g2, gr2, z2, e0, h1, h2, big_h, kappa2, r1, r2,
             dse, grow, first, jac):  # fmt: skip
    """Full BRAID value from the two drugs' :func:`braid_drug` terms; fills ``jac`` (10)."""
    for j in range(N_FULL):
        jac[j] = 0.0
    if dse == 0.0 or not (on1 or on2):
        jac[0] = 1.0
        return e0
    ln_d, w1, w2, root, dn = braid_sum(on1, ld1, on2, ld2, 1.0 / big_h, kappa2 - 2.0)
    frac = _logistic(big_h * ln_d)
    d3 = dse * grow  # E3 − E0
    slope = frac * (1.0 - frac)
    g = d3 * slope  # dE / d(H ln D)
    q1 = slope * w1 * gr1  # dE/dE_i of the weaker drug (through r_i)
    q2 = slope * w2 * gr2
    qo, ro = (q2, r2) if first else (q1, r1)
    ro0 = ro * grow  # the weaker drug's r relative to the stronger one
    jac[0] = 1.0 - grow * frac + qo * (ro0 - 1.0)
    strong = grow * frac - qo * ro0
    jac[1] = strong if first else qo
    jac[2] = qo if first else strong
    spread = big_h * ln_d - (w1 * ld1 + w2 * ld2)  # d(H ln D) / d ln H
    jac[3] = g * (0.5 * spread + w1 * g1 * z1)
    jac[4] = g * (0.5 * spread + w2 * g2 * z2)
    jac[5] = -g * w1 * g1 * h1
    jac[6] = -g * w2 * g2 * h2
    jac[7] = d3 * (frac - slope * (w1 * gr1 * r1 + w2 * gr2 * r2))
    jac[8] = g * spread
    jac[9] = g * big_h * root / dn * kappa2
    return e0 + d3 * frac


@njit(cache=True, error_model="numpy")
def braid_full_point(u1, u2, q, jac):
    """Full BRAID at log-doses (u1, u2) (``-inf`` = dose 0); fills ``jac`` (dE/dq, 10)."""
    h1, h2, big_h, kappa2, r1, r2, lr1, lr2, dse, grow, first = _constants(q)
    on1, ld1, g1, gr1, z1 = braid_drug(u1, q[5], h1, r1, lr1)
    on2, ld2, g2, gr2, z2 = braid_drug(u2, q[6], h2, r2, lr2)
    return _combine(on1, ld1, g1, gr1, z1, on2, ld2, g2, gr2, z2, q[0], h1, h2, big_h, kappa2,
                    r1, r2, dse, grow, first, jac)  # fmt: skip


@njit(cache=True, error_model="numpy")
def braid_full_accumulate(u1, u2, y, n, q, A, g, jac):
    """SSE at q, ``A = J^T J`` and ``g = J^T r`` over the n points (as ``accumulate``)."""
    p = q.shape[0]
    A[:, :] = 0.0
    g[:] = 0.0
    h1, h2, big_h, kappa2, r1, r2, lr1, lr2, dse, grow, first = _constants(q)
    sse = 0.0
    v1 = v2 = np.nan
    on1 = on2 = False
    ld1 = g1 = gr1 = z1 = ld2 = g2 = gr2 = z2 = 0.0
    for i in range(n):
        if u1[i] != v1:  # a drug's terms are reused while its dose repeats
            v1 = u1[i]
            on1, ld1, g1, gr1, z1 = braid_drug(v1, q[5], h1, r1, lr1)
        if u2[i] != v2:
            v2 = u2[i]
            on2, ld2, g2, gr2, z2 = braid_drug(v2, q[6], h2, r2, lr2)
        value = _combine(on1, ld1, g1, gr1, z1, on2, ld2, g2, gr2, z2, q[0], h1, h2, big_h,
                         kappa2, r1, r2, dse, grow, first, jac)  # fmt: skip
        r = y[i] - value
        sse += r * r
        for j in range(p):
            g[j] += jac[j] * r
            for k in range(j + 1):
                A[j, k] += jac[j] * jac[k]
    for j in range(p):
        for k in range(j):
            A[k, j] = A[j, k]
    return sse


@njit(cache=True, error_model="numpy")
def braid_full_value(dose1, dose2, q):
    """Surface at the points (dose1[i], dose2[i]) (doses ≥ 0), float64 (N,)."""
    out = np.empty(dose1.shape[0])
    jac = np.empty(N_FULL)
    for i in range(dose1.shape[0]):
        u1 = np.log(dose1[i]) if dose1[i] > 0.0 else -np.inf
        u2 = np.log(dose2[i]) if dose2[i] > 0.0 else -np.inf
        out[i] = braid_full_point(u1, u2, q, jac)
    return out


@njit(cache=True, error_model="numpy", parallel=True)
def braid_full_grid(conc_row, conc_col, q):
    """Surface of each block on its dose grid, float64 (B, R, C); NaN at NaN doses/params."""
    B, R = conc_row.shape
    C = conc_col.shape[1]
    out = np.full((B, R, C), np.nan)
    for b in prange(B):
        if not np.all(np.isfinite(q[b])):
            continue
        jac = np.empty(N_FULL)
        for r in range(R):
            for c in range(C):
                x1 = conc_row[b, r]
                x2 = conc_col[b, c]
                if np.isfinite(x1) and np.isfinite(x2):
                    u1 = np.log(x1) if x1 > 0.0 else -np.inf
                    u2 = np.log(x2) if x2 > 0.0 else -np.inf
                    out[b, r, c] = braid_full_point(u1, u2, q[b], jac)
    return out
