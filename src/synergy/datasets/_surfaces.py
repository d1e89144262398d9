"""Noise-free dose-response surfaces used by the simulator (plain numpy, broadcasting).

Every function takes doses and parameters as arrays that broadcast against each other and
returns % inhibition.  Parameter names follow docs/design.md §3:
``E(x) = bottom + (top − bottom) / (1 + (ic50 / x) ** hill_slope)``.

These are *generators of truth*, not scoring models: the scoring models live in
``synergy.models`` and are tested against surfaces built here.
"""

from __future__ import annotations

import numpy as np

_EPS = float(np.finfo(np.float64).eps)

__all__ = [
    "bliss_independent",
    "hill",
    "loewe_additive",
    "loewe_dose_ratio",
    "musyc_surface",
    "occupancy",
]


def occupancy(dose: np.ndarray, ic50: np.ndarray, hill_slope: np.ndarray) -> np.ndarray:
    """Fraction of a drug's maximal effect reached at ``dose``: ``1 / (1 + (ic50 / dose)**h)``.

    Parameters
    ----------
    dose, ic50 : array_like, same concentration unit
        ``dose = 0`` gives 0; NaN doses give NaN.
    hill_slope : array_like, > 0

    Returns
    -------
    ndarray in [0, 1]
    """
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        return 1.0 / (1.0 + (np.asarray(ic50) / np.asarray(dose)) ** np.asarray(hill_slope))


def hill(
    dose: np.ndarray,
    ic50: np.ndarray,
    hill_slope: np.ndarray,
    bottom: np.ndarray,
    top: np.ndarray,
) -> np.ndarray:
    """Hill curve ``bottom + (top − bottom) / (1 + (ic50 / dose)**hill_slope)``, in % inhibition."""
    return bottom + (top - bottom) * occupancy(dose, ic50, hill_slope)


def bliss_independent(
    effect_1: np.ndarray, effect_2: np.ndarray, bottom: np.ndarray | float = 0.0
) -> np.ndarray:
    """Bliss independence of two effects in % inhibition.

    ``100 · (1 − (1 − E1/100)(1 − E2/100))`` for ``bottom = 0``.  With a common untreated
    effect ``bottom = b ≠ 0`` it is applied to the fractions of the range left above ``b``,
    ``u_i = (E_i − b) / (100 − b)``: ``E = b + (100 − b)(1 − (1 − u1)(1 − u2))``, so a drug
    at dose 0 (``E_i = b``) leaves the other's effect unchanged.
    """
    span = 100.0 - bottom
    unaffected = (1.0 - (effect_1 - bottom) / span) * (1.0 - (effect_2 - bottom) / span)
    return bottom + span * (1.0 - unaffected)


def loewe_dose_ratio(
    effect: np.ndarray,
    dose: np.ndarray,
    ic50: np.ndarray,
    hill_slope: np.ndarray,
    bottom: np.ndarray,
    top: np.ndarray,
) -> np.ndarray:
    """``dose / X(effect)``, where ``X`` is the inverse Hill curve (rising curves, top > bottom).

    ``X(E) = ic50 · ((E − bottom) / (top − E)) ** (1 / hill_slope)`` for ``bottom < E < top``.
    A drug that cannot reach ``E`` alone (``E ≥ top``) has ``X(E) = ∞`` and contributes 0;
    ``E ≤ bottom`` gives ``∞`` for a positive dose.
    """
    effect, dose, ic50, hill_slope, bottom, top = (
        np.asarray(a, dtype=np.float64) for a in (effect, dose, ic50, hill_slope, bottom, top)
    )
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ratio = dose / ic50 * ((top - effect) / (effect - bottom)) ** (1.0 / hill_slope)
    ratio = np.where(effect >= top, 0.0, ratio)
    return np.where(dose == 0.0, 0.0, ratio)


def loewe_additive(
    dose_1: np.ndarray,
    dose_2: np.ndarray,
    params_1: tuple[np.ndarray, np.ndarray, np.ndarray],
    params_2: tuple[np.ndarray, np.ndarray, np.ndarray],
    bottom: np.ndarray,
    *,
    max_iter: int = 200,
) -> np.ndarray:
    """Loewe-additive effect: the ``E`` solving ``x1 / X1(E) + x2 / X2(E) = 1`` in every well.

    Parameters
    ----------
    dose_1, dose_2 : array_like, broadcastable, concentration units of each drug
    params_1, params_2 : (ic50, hill_slope, top) of each drug, broadcastable to the doses;
        both curves rise (``top > bottom``).
    bottom : array_like
        The common lower asymptote ``E(0)`` of both drugs (Loewe additivity of two Hill
        curves is defined here only for a shared bottom).
    max_iter : int
        Cap on solver steps (most wells converge in under 10).

    Returns
    -------
    ndarray, % inhibition
        Single-drug wells (one dose 0) equal that drug's Hill curve exactly.

    Notes
    -----
    When the tops differ, a drug contributes ``x_i / X_i(E) = 0`` for effects above its own
    top (it cannot reach them alone, ``X_i = ∞``).  The left side ``Σ(E)`` is then continuous
    and strictly decreasing from ``+∞`` (at ``bottom``) to ``0`` (at the larger top), so every
    combination well has exactly one root in ``(bottom, max(top_1, top_2))``.  It is found by
    a safeguarded Newton iteration (Newton steps inside a shrinking bracket, bisection when a
    step leaves the bracket or stalls) on ``log Σ`` as a function of
    ``z = logit((E − bottom) / (max top − bottom))``, in which ``log Σ`` is close to linear
    at both ends; it stops when ``|log Σ|`` reaches its rounding level (≥ 1e-13) or the
    resolution of ``z``.
    """
    ic50_1, slope_1, top_1 = params_1
    ic50_2, slope_2, top_2 = params_2
    inputs = (dose_1, dose_2, ic50_1, slope_1, top_1, ic50_2, slope_2, top_2, bottom)
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in inputs))
    x1, x2, c1, h1, t1, c2, h2, t2, b = (np.ravel(a).copy() for a in arrays)
    shape = arrays[0].shape
    out = np.full(x1.shape, np.nan)
    only_1 = (x2 == 0.0) & np.isfinite(x1)
    only_2 = (x1 == 0.0) & np.isfinite(x2) & ~only_1
    out[only_1] = hill(x1[only_1], c1[only_1], h1[only_1], b[only_1], t1[only_1])
    out[only_2] = hill(x2[only_2], c2[only_2], h2[only_2], b[only_2], t2[only_2])
    both = np.flatnonzero((x1 > 0.0) & (x2 > 0.0))
    width = np.maximum(t1, t2) - b

    def effect(z: np.ndarray, i: np.ndarray) -> np.ndarray:
        return b[i] + width[i] / (1.0 + np.exp(-z))

    def log_sum(z: np.ndarray, i: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """log Σ, its derivative in z, and its rounding level."""
        e = effect(z, i)
        above_bottom = e - b[i]
        total, from_bottom, from_tops = (np.zeros_like(z) for _ in range(3))
        rounding_tops = np.zeros_like(z)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            for x, c, h, t in ((x1, c1, h1, t1), (x2, c2, h2, t2)):
                below_top = t[i] - e
                reach = below_top > 0
                ratio = np.where(reach, x[i] / c[i] * (below_top / above_bottom) ** (1 / h[i]), 0)
                total += ratio
                from_bottom += ratio / h[i]
                from_tops += np.where(reach, ratio / h[i] / below_top, 0.0)
                rounding_tops += np.where(reach, ratio / h[i] * np.abs(t[i]) / below_top, 0.0)
            dlog_de = -(from_bottom / above_bottom + from_tops) / total
            de_dz = width[i] / ((1.0 + np.exp(-z)) * (1.0 + np.exp(z)))
            # rounding of E − bottom and of top − E moves log Σ by about this much
            scale_bottom = np.maximum(np.abs(e), np.abs(b[i])) / above_bottom
            rounding = 8.0 * _EPS * (1.0 + (from_bottom * scale_bottom + rounding_tops) / total)
            return np.log(total), dlog_de * de_dz, rounding

    limit = 700.0  # exp(±700) stays finite and normal
    # start at the stronger single-drug effect: Σ ≥ 1 there, so the root is at or above it
    single_1 = hill(x1[both], c1[both], h1[both], b[both], t1[both])
    single_2 = hill(x2[both], c2[both], h2[both], b[both], t2[both])
    share = (np.maximum(single_1, single_2) - b[both]) / width[both]
    with np.errstate(divide="ignore"):
        z = np.clip(np.log(share) - np.log1p(-share), -limit, limit)
    lo, hi = np.full(both.size, -limit), np.full(both.size, limit)
    last_step = np.full(both.size, 2 * limit)
    active = np.arange(both.size)
    for _ in range(max_iter):
        if active.size == 0:
            break
        za = z[active]
        f, dfdz, rounding = log_sum(za, both[active])
        root_above = f > 0  # Σ > 1: E (and z) must grow
        lo[active] = np.where(root_above, za, lo[active])
        hi[active] = np.where(root_above, hi[active], za)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = za - f / dfdz
        # |log Σ| at rounding level, or a Newton step below the resolution of z
        resolution = 4.0 * np.spacing(np.maximum(np.abs(za), 1.0))
        done = (np.abs(f) <= np.maximum(rounding, 1e-13)) | (np.abs(newton - za) <= resolution)
        done |= hi[active] - lo[active] <= resolution
        inside = np.isfinite(newton) & (newton > lo[active]) & (newton < hi[active])
        fast = np.abs(newton - za) < 0.5 * last_step[active]
        z_next = np.where(inside & fast, newton, 0.5 * (lo[active] + hi[active]))
        last_step[active] = np.abs(z_next - za)
        z[active] = np.where(done, za, z_next)
        active = active[~done]
    out[both] = effect(z, both)
    return out.reshape(shape)


def _musyc_state_weights(
    fwd: list[np.ndarray], bwd: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Steady state of a 4-state cycle by the matrix-tree theorem (all terms positive).

    Nodes in cycle order ``n0..n3``; ``fwd[i]`` is the rate ``n_i → n_{i+1}``, ``bwd[i]``
    the rate ``n_{i+1} → n_i`` (indices mod 4).  The weight of node ``r`` is the sum, over
    the four spanning trees (the cycle minus one edge), of the product of the rates of the
    tree's edges oriented towards ``r``.
    """
    weights = []
    for root in range(4):
        total = 0.0
        for removed in range(4):
            term = 1.0
            for node in range(4):
                if node == root:
                    continue
                clockwise = [(node + j) % 4 for j in range((root - node) % 4)]
                term = term * (fwd[node] if removed not in clockwise else bwd[(node - 1) % 4])
            total = total + term
        weights.append(total)
    norm = weights[0] + weights[1] + weights[2] + weights[3]
    return tuple(w / norm for w in weights)  # type: ignore[return-value]


def musyc_surface(
    dose_1: np.ndarray,
    dose_2: np.ndarray,
    params_1: tuple[np.ndarray, np.ndarray, np.ndarray],
    params_2: tuple[np.ndarray, np.ndarray, np.ndarray],
    e0: np.ndarray,
    e3: np.ndarray,
    alpha12: np.ndarray,
    alpha21: np.ndarray,
    gamma12: np.ndarray | float = 1.0,
    gamma21: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Two-drug MuSyC surface (Meyer et al. 2019; Wooten et al. 2021), γ12 = γ21 = 1 by default.

    Parameters
    ----------
    dose_1, dose_2 : array_like, broadcastable
    params_1, params_2 : (C, h, E_max) of each drug: its IC50, Hill slope and top
    e0 : array_like
        Effect without drug (the common bottom).
    e3 : array_like
        Effect with both drugs saturating.
    alpha12, alpha21 : array_like, > 0
        Potency synergy: drug 1 multiplies drug 2's effective dose by ``alpha12``; drug 2
        multiplies drug 1's by ``alpha21``.
    gamma12, gamma21 : array_like, > 0
        Cooperativity: the on-rate of drug 2 given drug 1 is raised to ``gamma12`` (its
        off-rate, 1, stays 1), that of drug 1 given drug 2 to ``gamma21``.

    Returns
    -------
    ndarray, % inhibition: ``E0·U + E1·A1 + E2·A2 + E3·A12`` (state occupancies below).

    Notes
    -----
    Cells move between four states, U (unaffected), A1, A2 (affected by one drug) and A12,
    with ``a1 = (d1/C1)**h1`` and ``a2 = (d2/C2)**h2``:

        U ⇄ A1   on a1, off 1          A2 ⇄ A12  on alpha21**h1 · a1, off 1
        U ⇄ A2   on a2, off 1          A1 ⇄ A12  on alpha12**h2 · a2, off 1

    The occupancies are the steady state of this mass-action scheme.  We take equal
    off-rates for the two drugs (r₋₁ = r₋₂), which makes the surface independent of the
    concentration unit.  With detailed balance (``alpha12**h2 == alpha21**h1``) the steady
    state is ``U : A1 : A2 : A12 = 1 : a1 : a2 : alpha12**h2 · a1 · a2`` whatever the rates;
    otherwise it depends on the ratio of the off-rates.  Wooten's ``synergy`` 1.0.0 also fixes
    the reverse (off) rates, r₋₁ = r₋₂ = 1, so it gives this same surface (checked against it
    in ``benchmarks/bench_musyc.py``; parameters agree to fit noise).
    """
    c1, h1, e1 = (np.asarray(a, dtype=np.float64) for a in params_1)
    c2, h2, e2 = (np.asarray(a, dtype=np.float64) for a in params_2)
    d1 = np.asarray(dose_1, dtype=np.float64)
    d2 = np.asarray(dose_2, dtype=np.float64)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        a1 = (d1 / c1) ** h1
        a2 = (d2 / c2) ** h2
        on_2_given_1 = (np.asarray(alpha12, dtype=np.float64) ** h2 * a2) ** gamma12
        on_1_given_2 = (np.asarray(alpha21, dtype=np.float64) ** h1 * a1) ** gamma21
    one = np.ones(np.broadcast_shapes(a1.shape, a2.shape))
    # cycle U(0) - A1(1) - A12(2) - A2(3) - U
    fwd = [a1 * one, on_2_given_1 * one, one, one]
    bwd = [one, one, on_1_given_2 * one, a2 * one]
    u, a_1, a_12, a_2 = _musyc_state_weights(fwd, bwd)
    return e0 * u + e1 * a_1 + e2 * a_2 + e3 * a_12
