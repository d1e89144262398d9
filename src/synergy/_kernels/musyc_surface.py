"""The two-drug MuSyC surface (γ = 1 or fitted γ12, γ21) and its Jacobian (numba).

Surface (Meyer et al., Cell Systems 8:97, 2019; Wooten et al., Nat Commun 12:4607, 2021).
Cells occupy four states, U (unaffected), A1, A2 (affected by drug 1 or 2) and A12, with
effects E0, E1, E2, E3.  With ``a1 = (d1 / C1)**h1``, ``a2 = (d2 / C2)**h2``,
``b1 = (alpha21 · d1 / C1)**h1`` and ``b2 = (alpha12 · d2 / C2)**h2`` and equal off-rates
(the time unit), the rates are::

    U  ⇄ A1 : on a1, off 1          A2 ⇄ A12 : on b1, off 1   (drug 1 binds)
    U  ⇄ A2 : on a2, off 1          A1 ⇄ A12 : on b2, off 1   (drug 2 binds)

``alpha12`` multiplies drug 2's effective dose when drug 1 acts, ``alpha21`` drug 1's when
drug 2 acts (> 1 potency synergy).  The steady state (matrix-tree theorem on the 4-cycle
U–A1–A12–A2) has the unnormalised occupancies::

    wU   = 2 + b1 + b2
    wA1  = a1 (2 + b1) + a2 b1
    wA2  = a2 (2 + b2) + a1 b2
    wA12 = b1 b2 (a1 + a2) + a2 b1 + a1 b2

and ``E(d1, d2) = (E0 wU + E1 wA1 + E2 wA2 + E3 wA12) / (wU + wA1 + wA2 + wA12)``.  With
detailed balance (``b1 a2 = b2 a1``, i.e. ``alpha12**h2 = alpha21**h1``) this reduces to
``U : A1 : A2 : A12 = 1 : a1 : a2 : alpha12**h2 a1 a2``; a single-drug edge is the Hill curve
``E0 + (E1 − E0) a1 / (1 + a1)``.  The same surface generates the simulator's MuSyC screens
(:func:`synergy.datasets._surfaces.musyc_surface`) and is Wooten's ``synergy`` 1.0 MuSyC
with ``r1r = r2r = 1`` and ``gamma12 = gamma21 = 1``.

Cooperativity γ (Meyer et al. 2019, Fig. 1; Wooten et al. 2021, Methods): the second
binding step's rate is raised to γ, ``A1 → A12`` at ``r2**g12 (alpha12 d2)**(g12 h2)`` and
back at ``r₋2**g12``, ``A2 → A12`` at ``r1**g21 (alpha21 d1)**(g21 h1)`` and back at
``r₋1**g21``, with ``r_i = r₋i / C_i**h_i``.  With the off-rates as the time unit
(``r₋1 = r₋2 = 1``, as in ``synergy`` 1.0's defaults) the back rates stay 1 and the on-rates
are ``b1 = (alpha21 d1 / C1)**(g21 h1)``, ``b2 = (alpha12 d2 / C2)**(g12 h2)``: the closed
form above holds unchanged with these ``b1``, ``b2`` (γ12 scales drug 2's Hill slope once
drug 1 acts, γ21 drug 1's once drug 2 acts; γ = 1 gives back the surface above exactly).

:func:`point` gives E and its analytic gradient in the fit parameters
``q = (E0, E1, E2, E3, ln h1, ln h2, ln C1, ln C2, ln alpha12, ln alpha21)``, with
``ln gamma12, ln gamma21`` appended for the γ surface (12 parameters); the
reference is a direct solve of the 4-state linear system
(``tests/_kernels/test_musyc_kernel.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "N_PARAMS",
    "combine_terms",
    "dose_terms",
    "musyc_grid",
    "musyc_jacobian",
    "musyc_value",
    "point",
    "point_terms",
]

N_PARAMS = 10
_ZMAX = 200.0  # cap on |ln a|: a**3 stays far from overflow


@njit(cache=True, error_model="numpy", inline="always")
def dose_terms(u, h, ln_c, ln_alpha, g):
    """One drug's ``(a, b, d a / d ln h, d b / d ln h)`` at log-dose u (-inf = dose 0).

    ``a = (d / C)**h``, ``b = (alpha d / C)**(g h)``: drug 1 with ``(h1, ln C1, ln alpha21,
    g21)``, drug 2 with ``(h2, ln C2, ln alpha12, g12)``; ``d b / d ln h`` is also
    ``d b / d ln g``.  Depends on the dose alone, so points at the same dose share it.
    """
    a = b = da = db = 0.0
    if u > -np.inf:
        z = min(max(h * (u - ln_c), -_ZMAX), _ZMAX)
        y = min(max(g * h * (u - ln_c + ln_alpha), -_ZMAX), _ZMAX)
        a = np.exp(z)
        b = np.exp(y)
        da = z * a
        db = y * b
    return a, b, da, db


@njit(cache=True, error_model="numpy", inline="always")
def point_terms(u1, u2, e0, e1, e2, e3, h1, h2, c1, c2, la12, la21, g12, g21):
    """MuSyC value and gradient at log-doses (u1, u2) (-inf = dose 0), all scalars.

    Takes the effects, ``h1 = exp(q[4])``, ``h2 = exp(q[5])``, ``c1, c2, la12, la21 =
    q[6:10]`` and ``g12 = exp(q[10])``, ``g21 = exp(q[11])`` (1 for γ = 1); returns
    ``(E, dE/dq[0], …, dE/dq[11])`` (the last two meaningful with γ only).  Scalars only:
    no arrays to reference-count in the per-point hot loop (module docstring of
    :mod:`synergy._kernels.hill_lsq`).
    """
    a1, b1, da1, db1 = dose_terms(u1, h1, c1, la21, g21)
    a2, b2, da2, db2 = dose_terms(u2, h2, c2, la12, g12)
    return combine_terms(a1, b1, da1, db1, a2, b2, da2, db2, e0, e1, e2, e3, h1, h2, g12, g21)


@njit(cache=True, error_model="numpy", inline="always")
def combine_terms(a1, b1, da1, db1, a2, b2, da2, db2, e0, e1, e2, e3, h1, h2, g12, g21):
    """:func:`point_terms` from the two drugs' :func:`dose_terms`."""
    s12 = a1 + a2
    w0 = 2.0 + b1 + b2
    w1 = a1 * (2.0 + b1) + a2 * b1
    w2 = a2 * (2.0 + b2) + a1 * b2
    w3 = b1 * b2 * s12 + a2 * b1 + a1 * b2
    total = w0 + w1 + w2 + w3
    e = (e0 * w0 + e1 * w1 + e2 * w2 + e3 * w3) / total
    r0 = (e0 - e) / total
    r1 = (e1 - e) / total
    r2 = (e2 - e) / total
    r3 = (e3 - e) / total
    # dE/dx = sum_k (E_k - E) dw_k/dx / total for x in (a1, a2, b1, b2)
    g_a1 = r1 * (2.0 + b1) + r2 * b2 + r3 * (b1 * b2 + b2)
    g_a2 = r1 * b1 + r2 * (2.0 + b2) + r3 * (b1 * b2 + b1)
    g_b1 = r0 + r1 * s12 + r3 * (b2 * s12 + a2)
    g_b2 = r0 + r2 * s12 + r3 * (b1 * s12 + a1)
    return (
        e, w0 / total, w1 / total, w2 / total, w3 / total,
        g_a1 * da1 + g_b1 * db1,
        g_a2 * da2 + g_b2 * db2,
        -h1 * (g_a1 * a1 + g21 * g_b1 * b1),
        -h2 * (g_a2 * a2 + g12 * g_b2 * b2),
        g12 * h2 * g_b2 * b2,
        g21 * h1 * g_b1 * b1,
        g_b2 * db2,
        g_b1 * db1,
    )  # fmt: skip


@njit(cache=True, error_model="numpy")
def point(u1, u2, q, jac):
    """MuSyC value at log-doses (u1, u2) (-inf = dose 0); fills ``jac`` (dE/dq).

    ``q`` has 10 parameters (γ = 1) or 12 (``…, ln gamma12, ln gamma21``); ``jac`` as many.
    """
    p = q.shape[0]
    g12 = np.exp(q[10]) if p > N_PARAMS else 1.0  # b2's exponent factor
    g21 = np.exp(q[11]) if p > N_PARAMS else 1.0  # b1's exponent factor
    t = point_terms(
        u1, u2, q[0], q[1], q[2], q[3], np.exp(q[4]), np.exp(q[5]), q[6], q[7], q[8], q[9],
        g12, g21,
    )  # fmt: skip
    for j in range(p):
        jac[j] = t[j + 1]
    return t[0]


@njit(cache=True, error_model="numpy")
def musyc_value(dose1, dose2, q):
    """MuSyC surface at the points (dose1[i], dose2[i]) for parameters q (10 or 12,)."""
    out = np.empty(dose1.shape[0])
    jac = np.empty(q.shape[0])
    for i in range(dose1.shape[0]):
        u1 = np.log(dose1[i]) if dose1[i] > 0.0 else -np.inf
        u2 = np.log(dose2[i]) if dose2[i] > 0.0 else -np.inf
        out[i] = point(u1, u2, q, jac)
    return out


@njit(cache=True, error_model="numpy")
def musyc_jacobian(dose1, dose2, q):
    """Analytic Jacobian dE/dq at the points, float64 (N, 10 or 12)."""
    out = np.empty((dose1.shape[0], q.shape[0]))
    for i in range(dose1.shape[0]):
        u1 = np.log(dose1[i]) if dose1[i] > 0.0 else -np.inf
        u2 = np.log(dose2[i]) if dose2[i] > 0.0 else -np.inf
        point(u1, u2, q, out[i])
    return out


@njit(cache=True, error_model="numpy", parallel=True)
def musyc_grid(conc_row, conc_col, q):
    """MuSyC surface of each block on its dose grid, float64 (B, R, C).

    ``conc_row`` (B, R), ``conc_col`` (B, C) doses (NaN = padding), ``q`` (B, 10 or 12);
    NaN where a dose or a parameter is NaN.
    """
    B, R = conc_row.shape
    C = conc_col.shape[1]
    p = q.shape[1]
    out = np.empty((B, R, C))
    for b in prange(B):
        jac = np.empty(p)
        ok = True
        for j in range(p):
            if not np.isfinite(q[b, j]):
                ok = False
        for r in range(R):
            x1 = conc_row[b, r]
            u1 = np.log(x1) if x1 > 0.0 else -np.inf
            for c in range(C):
                x2 = conc_col[b, c]
                u2 = np.log(x2) if x2 > 0.0 else -np.inf
                if ok and np.isfinite(x1) and np.isfinite(x2):
                    out[b, r, c] = point(u1, u2, q[b], jac)
                else:
                    out[b, r, c] = np.nan
    return out
