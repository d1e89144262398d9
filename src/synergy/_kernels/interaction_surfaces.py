"""Zimmer's effective-dose surface and the BRAID surface with their Jacobians (numba).

Both are written for effects rising with dose (% inhibition), parametrised by the fit
vector ``q`` below, and evaluated at log-doses ``u = ln d`` (``-inf`` = dose 0).

**Zimmer** (Zimmer, Katzir, Dekel, Mayo, Alon, PNAS 113:10442, 2016).  Each drug's dose is
replaced by an effective dose that the other drug's (effective) dose modifies::

    x1 = d1 / (1 + a12 · x2 / (x2 + C2)),     x2 = d2 / (1 + a21 · x1 / (x1 + C1))

(``a12``: drug 2's effect on drug 1's potency; ``a12 < 0`` raises drug 1's effective dose:
synergy; ``a12 > 0`` antagonism; ``a > −1``).  In units of C (``r = d / C``,
``s = x / C``) eliminating ``s2 = r2 (1 + s1) / (1 + c21 s1)`` (``c = 1 + a``) leaves the
quadratic ``A s1² + B s1 − r1 (1 + r2) = 0`` with ``A = c21 + c12 r2`` and
``B = 1 + c12 r2 − c21 r1 − r1 r2``, whose one non-negative root is the effective dose
(:func:`zimmer_doses`; reference: a numeric solve of the two equations in the tests).  The
combined effect is the product of the single drugs' unaffected fractions at the effective
doses (Bliss on the range above the shared baseline E0, up to 100 %)::

    100 − E = (100 − E0) · (1 − f1) · (1 − f2),   f_i = (E_i − E0) / (100 − E0) · H_i,
    H_i = s_i^h_i / (1 + s_i^h_i)

so each edge is the Hill curve ``E0 + (E_i − E0) H_i(d_i / C_i)`` and ``a12 = a21 = 0`` is
Bliss independence of the two curves.  With ``E0 = 0`` and ``E1 = E2 = 100`` it is the
paper's surface (the fraction unaffected ``(1 − H1)(1 − H2)``).  Fit parameters
``q = (E0, E1, E2, ln h1, ln h2, ln C1, ln C2, ln(1 + a12), ln(1 + a21))``; the Jacobian of
the effective doses comes from implicit differentiation of the two defining equations.

**BRAID** (Twarog, Stewart, Shelat, Bhatt, Sci Rep 6:25523, 2016), the κ variant with
δ = 1 and the combined maximal effect ``E3`` equal to the stronger drug's (``Ef``, the one
of E1, E2 farther from E0)::

    D_i = r_i a_i / (1 + (1 − r_i) a_i),   a_i = (d_i / C_i)^h_i,  r_i = (E_i − E0)/(Ef − E0)
    D   = D1^(1/h) + D2^(1/h) + κ · (D1 D2)^(1/(2h)),   h = sqrt(h1 h2)
    E   = E0 + (Ef − E0) / (1 + D^(−h))

κ > 0 synergy, κ < 0 antagonism, κ > −2 (D stays positive); κ = 0 is BRAID's
response-additive null.  Each edge is the Hill curve ``E0 + (E_i − E0) a_i / (1 + a_i)``.
A drug whose effect is opposite to the stronger one's (r ≤ 0) contributes nothing (BRAID
needs both effects on the same side).  Fit parameters
``q = (E0, E1, E2, ln h1, ln h2, ln C1, ln C2, ln(κ + 2))``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "BRAID",
    "N_PARAMS",
    "N_PRE",
    "ZIMMER",
    "braid_combine",
    "braid_constants",
    "braid_drug",
    "braid_point",
    "braid_sum",
    "braid_terms",
    "prepare_params",
    "surface_grid",
    "surface_jacobian",
    "surface_point",
    "surface_value",
    "zimmer_combine",
    "zimmer_doses",
    "zimmer_point",
    "zimmer_ratio",
    "zimmer_terms",
]

ZIMMER = 0
BRAID = 1
N_PARAMS = (9, 8)  # fit parameters per model code
N_PRE = 10  # per-block constants of prepare_params
_ZMAX = 200.0  # cap on |ln a|


@njit(cache=True, error_model="numpy")
def _logistic(t):
    if t >= 0.0:
        return 1.0 / (1.0 + np.exp(-t))
    e = np.exp(t)
    return e / (1.0 + e)


@njit(cache=True, error_model="numpy")
def zimmer_doses(r1, r2, c12, c21):
    """Effective doses (s1, s2) in units of C1, C2 for doses r = d / C and c = 1 + a."""
    quad_a = c21 + c12 * r2
    quad_b = 1.0 + c12 * r2 - c21 * r1 - r1 * r2
    const = r1 * (1.0 + r2)  # minus the constant term
    disc = np.sqrt(quad_b * quad_b + 4.0 * quad_a * const)
    # the two forms of the root, each free of cancellation on its side
    s1 = 2.0 * const / (quad_b + disc) if quad_b > 0.0 else (disc - quad_b) / (2.0 * quad_a)
    s2 = r2 * (1.0 + s1) / (1.0 + c21 * s1)
    return s1, s2


@njit(cache=True, error_model="numpy")
def _hill_fraction(s, h):
    """(H, dH/d ln a, ln a) of the Hill fraction ``s^h / (1 + s^h)`` (0 at s = 0)."""
    if not s > 0.0:
        return 0.0, 0.0, 0.0
    z = min(max(h * np.log(s), -_ZMAX), _ZMAX)
    frac = _logistic(z)
    return frac, frac * (1.0 - frac), z


@njit(cache=True, error_model="numpy", inline="always")
def braid_constants(e0, e1, e2, ln_h1, ln_h2, ln_kappa2):
    """BRAID's per-block constants ``(h, κ + 2, r1, r2, ln r1, ln r2, Ef − E0, first)``.

    ``first``: drug 1 is the stronger one (``Ef = E1``); ``ln r`` is 0 where r ≤ 0.
    """
    d1e = e1 - e0
    d2e = e2 - e0
    first = abs(d1e) >= abs(d2e)
    dfe = d1e if first else d2e
    r1 = d1e / dfe if dfe != 0.0 else 0.0
    r2 = d2e / dfe if dfe != 0.0 else 0.0
    return (
        np.exp(0.5 * (ln_h1 + ln_h2)), np.exp(ln_kappa2), r1, r2,
        np.log(r1) if r1 > 0.0 else 0.0, np.log(r2) if r2 > 0.0 else 0.0, dfe, first,
    )  # fmt: skip


@njit(cache=True, error_model="numpy")
def prepare_params(model, q, pre):
    """Fill ``pre`` (N_PRE,) with the per-block constants of q (exps hoisted out of points)."""
    pre[0] = np.exp(q[3])  # h1
    pre[1] = np.exp(q[4])  # h2
    if model == ZIMMER:
        pre[2] = np.exp(q[7])  # c12 = 1 + a12
        pre[3] = np.exp(q[8])  # c21
        return
    h, kappa2, r1, r2, lr1, lr2, dfe, first = braid_constants(q[0], q[1], q[2], q[3], q[4], q[7])
    pre[2] = h  # h = sqrt(h1 h2)
    pre[3] = kappa2  # kappa + 2
    pre[4] = r1
    pre[5] = r2
    pre[6] = lr1
    pre[7] = lr2
    pre[8] = dfe
    pre[9] = 1.0 if first else 0.0


@njit(cache=True, error_model="numpy", inline="always")
def zimmer_terms(u1, u2, e0, e1, e2, ln_c1, ln_c2, h1, h2, c12, c21):
    """Zimmer value and gradient at (u1, u2), scalars only: ``(E, dE/dq[0], …, dE/dq[8])``.

    ``h = exp(ln h)``, ``c = 1 + a``; no arrays, so nothing to reference-count per point.
    """
    r1 = zimmer_ratio(u1, ln_c1)
    r2 = zimmer_ratio(u2, ln_c2)
    return zimmer_combine(r1, r2, e0, e1, e2, h1, h2, c12, c21)


@njit(cache=True, error_model="numpy", inline="always")
def zimmer_ratio(u, ln_c):
    """``r = d / C`` at log-dose u (-inf = dose 0)."""
    return np.exp(u - ln_c) if u > -np.inf else 0.0


@njit(cache=True, error_model="numpy", inline="always")
def zimmer_combine(r1, r2, e0, e1, e2, h1, h2, c12, c21):
    """:func:`zimmer_terms` from the doses in units of C (:func:`zimmer_ratio`)."""
    s1, s2 = zimmer_doses(r1, r2, c12, c21)
    f1, k1, z1 = _hill_fraction(s1, h1)
    f2, k2, z2 = _hill_fraction(s2, h2)
    span = 100.0 - e0
    v1 = span - (e1 - e0) * f1  # unaffected share left by each drug, times span
    v2 = span - (e2 - e0) * f2
    e = 100.0 - v1 * v2 / span
    j0 = ((1.0 - f1) * v2 + v1 * (1.0 - f2)) / span - v1 * v2 / (span * span)
    g1 = (e1 - e0) * v2 / span * k1  # dE / d ln a1
    g2 = (e2 - e0) * v1 / span * k2
    # d ln s / d(ln C1, ln C2, ln c12, ln c21) by implicit differentiation of
    # ln s1 + ln((1 + c12 s2)/(1 + s2)) = ln r1 and its mirror image
    m12 = c12 * s2 / (1.0 + c12 * s2)
    m21 = c21 * s1 / (1.0 + c21 * s1)
    d12 = m12 - s2 / (1.0 + s2)
    d21 = m21 - s1 / (1.0 + s1)
    det = 1.0 - d12 * d21
    w1 = g1 * h1 / det
    w2 = g2 * h2 / det
    return (
        e, j0, f1 * v2 / span, f2 * v1 / span, g1 * z1, g2 * z2, -w1 + w2 * d21,
        w1 * d12 - w2, m12 * (-w1 + w2 * d21), m21 * (w1 * d12 - w2),
    )  # fmt: skip


@njit(cache=True, error_model="numpy")
def zimmer_point(u1, u2, q, pre, jac):
    """Zimmer surface at log-doses (u1, u2); fills ``jac`` (dE/dq, 9)."""
    t = zimmer_terms(u1, u2, q[0], q[1], q[2], q[5], q[6], pre[0], pre[1], pre[2], pre[3])
    for j in range(9):
        jac[j] = t[j + 1]
    return t[0]


@njit(cache=True, error_model="numpy", inline="always")
def braid_drug(u, ln_c, h_i, r, ln_r):
    """(active, ln D_i, d ln D_i / d ln a_i, d ln D_i / d r_i, ln a_i) of one drug."""
    if not (u > -np.inf and r > 0.0):
        return False, 0.0, 0.0, 0.0, 0.0
    z = min(max(h_i * (u - ln_c), -_ZMAX), _ZMAX)
    a = np.exp(z)
    den = 1.0 + (1.0 - r) * a
    return True, ln_r + z - np.log(den), 1.0 / den, 1.0 / r + a / den, z


@njit(cache=True, error_model="numpy", inline="always")
def braid_terms(u1, u2, e0, ln_c1, ln_c2, h1, h2, h, kappa2, r1, r2, lr1, lr2, dfe, first):
    """BRAID value and gradient at (u1, u2), scalars only: ``(E, dE/dq[0], …, dE/dq[7], 0)``.

    Constants as returned by :func:`braid_constants`, ``h1, h2`` the slopes; the tuple has
    Zimmer's length (a trailing 0) so both surfaces share one point loop.
    """
    on1, ld1, g1, gr1, z1 = braid_drug(u1, ln_c1, h1, r1, lr1)
    on2, ld2, g2, gr2, z2 = braid_drug(u2, ln_c2, h2, r2, lr2)
    return braid_combine(on1, ld1, g1, gr1, z1, on2, ld2, g2, gr2, z2, e0, h1, h2, h, kappa2,
                         r1, r2, dfe, first)  # fmt: skip


@njit(cache=True, error_model="numpy", inline="always")
def braid_sum(on1, ld1, on2, ld2, p, kappa):
    """BRAID's sum ``D = P1 + P2 + κ sqrt(P1 P2)``, ``ln P_i = p ln D_i`` (inactive: P_i = 0).

    Returns ``(ln D, w1, w2, root, dn)``: ``w_i = d ln D / d ln P_i`` and ``root / dn =
    sqrt(P1 P2) / D``, both scaled by the larger P (no overflow).
    """
    lp1 = p * ld1 if on1 else -np.inf
    lp2 = p * ld2 if on2 else -np.inf
    top = max(lp1, lp2)
    p1 = np.exp(lp1 - top)
    p2 = np.exp(lp2 - top)
    root = np.sqrt(p1 * p2)
    dn = p1 + p2 + kappa * root
    w1 = (p1 + 0.5 * kappa * root) / dn
    w2 = (p2 + 0.5 * kappa * root) / dn
    return top + np.log(dn), w1, w2, root, dn


@njit(cache=True, error_model="numpy", inline="always")
def braid_combine(on1, ld1, g1, gr1, z1, on2, ld2, g2, gr2, z2, e0, h1, h2, h, kappa2, r1, r2,
                  dfe, first):  # fmt: skip
    """:func:`braid_terms` from the two drugs' :func:`braid_drug` terms."""
    if dfe == 0.0 or not (on1 or on2):
        return (e0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    ln_d, w1, w2, root, dn = braid_sum(on1, ld1, on2, ld2, 1.0 / h, kappa2 - 2.0)
    frac = _logistic(h * ln_d)
    e = e0 + dfe * frac
    slope = frac * (1.0 - frac)  # dF / d(h ln D)
    g = dfe * slope
    # effects: through E0, Ef and r of the weaker drug
    qo = slope * (w2 * gr2 if first else w1 * gr1)
    ro = r2 if first else r1
    j_strong = frac - qo * ro
    mean_ld = -0.5 * (w1 * ld1 + w2 * ld2) + 0.5 * h * ln_d
    return (
        e, 1.0 - frac + qo * (ro - 1.0), j_strong if first else qo, qo if first else j_strong,
        g * (mean_ld + w1 * g1 * z1), g * (mean_ld + w2 * g2 * z2), -g * w1 * g1 * h1,
        -g * w2 * g2 * h2, g * h * root / dn * kappa2, 0.0,
    )  # fmt: skip


@njit(cache=True, error_model="numpy")
def braid_point(u1, u2, q, pre, jac):
    """BRAID (κ, δ = 1, E3 = Ef) surface at log-doses (u1, u2); fills ``jac`` (dE/dq, 8)."""
    t = braid_terms(
        u1, u2, q[0], q[5], q[6], pre[0], pre[1], pre[2], pre[3], pre[4], pre[5], pre[6],
        pre[7], pre[8], pre[9] > 0.0,
    )  # fmt: skip
    for j in range(8):
        jac[j] = t[j + 1]
    return t[0]


@njit(cache=True, error_model="numpy")
def surface_point(model, u1, u2, q, pre, jac):
    """Value and Jacobian of model ``ZIMMER`` or ``BRAID`` at log-doses (u1, u2).

    ``pre`` holds :func:`prepare_params` of q.
    """
    if model == ZIMMER:
        return zimmer_point(u1, u2, q, pre, jac)
    return braid_point(u1, u2, q, pre, jac)


@njit(cache=True, error_model="numpy")
def _log_dose(x):
    return np.log(x) if x > 0.0 else -np.inf


@njit(cache=True, error_model="numpy")
def surface_value(model, dose1, dose2, q):
    """Surface at the points (dose1[i], dose2[i]) for parameters q; float64 (N,)."""
    out = np.empty(dose1.shape[0])
    jac = np.empty(q.shape[0])
    pre = np.empty(N_PRE)
    prepare_params(model, q, pre)
    for i in range(dose1.shape[0]):
        out[i] = surface_point(model, _log_dose(dose1[i]), _log_dose(dose2[i]), q, pre, jac)
    return out


@njit(cache=True, error_model="numpy")
def surface_jacobian(model, dose1, dose2, q):
    """Analytic Jacobian dE/dq at the points, float64 (N, P)."""
    out = np.empty((dose1.shape[0], q.shape[0]))
    pre = np.empty(N_PRE)
    prepare_params(model, q, pre)
    for i in range(dose1.shape[0]):
        surface_point(model, _log_dose(dose1[i]), _log_dose(dose2[i]), q, pre, out[i])
    return out


@njit(cache=True, error_model="numpy", parallel=True)
def surface_grid(model, conc_row, conc_col, q):
    """Surface of each block on its dose grid, float64 (B, R, C); NaN at NaN doses/params."""
    B, R = conc_row.shape
    C = conc_col.shape[1]
    out = np.empty((B, R, C))
    for b in prange(B):
        jac = np.empty(q.shape[1])
        pre = np.empty(N_PRE)
        prepare_params(model, q[b], pre)
        ok = np.all(np.isfinite(q[b]))
        for r in range(R):
            for c in range(C):
                x1 = conc_row[b, r]
                x2 = conc_col[b, c]
                if ok and np.isfinite(x1) and np.isfinite(x2):
                    out[b, r, c] = surface_point(
                        model, _log_dose(x1), _log_dose(x2), q[b], pre, jac
                    )
                else:
                    out[b, r, c] = np.nan
    return out
