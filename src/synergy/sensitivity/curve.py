"""Per-curve drug-sensitivity measures from Hill fits.

Every function takes a :class:`synergy.hill.HillFit` (any batch shape ``S``) for the curve
``E(x) = bottom + (top - bottom) / (1 + (ic50 / x) ** hill_slope)`` with effects in
% inhibition, and returns arrays of shape ``S``.  The tested dose range is the fit's
``conc_min``/``conc_max`` (lowest and highest positive dose used), unless given.

Which IC50 is which:

- :func:`relative_ic50` — the curve's midpoint parameter ``ic50`` (drc's ``e``; the dose of
  half the fitted effect range, whatever the asymptotes).  It is what "IC50"/"EC50" means in
  drc and SynergyFinder.
- :func:`absolute_ic50` — the dose where the fitted curve crosses 50 % inhibition (NaN and a
  flag where it never does).
- :func:`synergyfinder_ic50` — SynergyFinder's reported IC50: the relative IC50 capped at the
  top tested dose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from synergy.errors import SynergyError
from synergy.hill.model import evaluate, inverse

if TYPE_CHECKING:
    from synergy.hill.fit import HillFit

__all__ = [
    "AbsoluteIC50",
    "absolute_ic50",
    "auc",
    "dss",
    "effect_at_max_dose",
    "emax",
    "integral_log10",
    "relative_ic50",
    "synergyfinder_ic50",
]

# absolute_ic50 flags
REACHED = 0
REACHED_OUTSIDE_TESTED = 1
NEVER_REACHED = 2


class AbsoluteIC50(NamedTuple):
    """Dose where the fitted curve crosses an effect level, with a flag.

    ``flag``: 0 crossed inside the tested doses, 1 crossed outside them (extrapolated),
    2 never crossed (the level is not strictly between bottom and top; ``dose`` NaN).
    """

    dose: np.ndarray
    flag: np.ndarray


def _range(
    fit: HillFit, conc_min: ArrayLike | None, conc_max: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray]:
    lo = fit.conc_min if conc_min is None else np.asarray(conc_min, dtype=np.float64)
    hi = fit.conc_max if conc_max is None else np.asarray(conc_max, dtype=np.float64)
    return np.broadcast_to(lo, fit.batch_shape), np.broadcast_to(hi, fit.batch_shape)


def relative_ic50(fit: HillFit) -> np.ndarray:
    """Relative IC50: the midpoint parameter ``ic50`` of the fit (dose unit of the fit)."""
    return np.asarray(fit.ic50)


def absolute_ic50(
    fit: HillFit,
    effect: float = 50.0,
    *,
    conc_min: ArrayLike | None = None,
    conc_max: ArrayLike | None = None,
) -> AbsoluteIC50:
    """Absolute IC50: the dose where the fitted curve reaches ``effect`` % inhibition.

    ``x = ic50 * ((effect - bottom) / (top - effect)) ** (1 / hill_slope)``, defined when
    ``effect`` lies strictly between bottom and top.

    Parameters
    ----------
    fit : HillFit
        Fits, effects in % inhibition.
    effect : float, default 50
        Effect level (% inhibition).
    conc_min, conc_max : array_like, optional
        Tested dose range (default: the fit's).

    Returns
    -------
    AbsoluteIC50
        ``dose`` (dose unit; NaN where never reached) and ``flag`` (int8: 0 inside the
        tested doses, 1 outside them, 2 never reached).
    """
    lo, hi = _range(fit, conc_min, conc_max)
    dose = np.asarray(inverse(effect, fit.ic50, fit.hill_slope, fit.bottom, fit.top))
    flag = np.where(
        np.isnan(dose),
        NEVER_REACHED,
        np.where((dose >= lo) & (dose <= hi), REACHED, REACHED_OUTSIDE_TESTED),
    ).astype(np.int8)
    return AbsoluteIC50(dose, flag)


def synergyfinder_ic50(fit: HillFit, *, conc_max: ArrayLike | None = None) -> np.ndarray:
    """SynergyFinder's reported IC50: ``min(ic50, top tested dose)`` (dose unit).

    SynergyFinder 3 (``CalculateIC50``) reports drc's ``e`` (``exp(e)`` for its L.4
    fallback), replaced by the highest tested dose when it exceeds it.
    """
    _, hi = _range(fit, None, conc_max)
    ic50 = np.asarray(fit.ic50)
    return np.where(ic50 > hi, hi, ic50)


def emax(fit: HillFit) -> np.ndarray:
    """Fitted maximal effect: the upper asymptote ``top`` = E(inf) (% inhibition)."""
    return np.asarray(fit.top)


def effect_at_max_dose(fit: HillFit, *, conc_max: ArrayLike | None = None) -> np.ndarray:
    """Fitted effect at the highest tested dose (% inhibition)."""
    _, hi = _range(fit, None, conc_max)
    return np.asarray(evaluate(hi, fit.ic50, fit.hill_slope, fit.bottom, fit.top))


def _softplus(z: np.ndarray) -> np.ndarray:
    """ln(1 + e^z) without overflow."""
    return np.logaddexp(0.0, z)


def integral_log10(
    u1: np.ndarray,
    u2: np.ndarray,
    ic50: ArrayLike,
    slope: ArrayLike,
    bottom: ArrayLike,
    top: ArrayLike,
) -> np.ndarray:
    """Integral of E(10**u) over u in [u1, u2] (u = log10 dose), in closed form.

    With c = log10(ic50), k = slope * ln 10: E = bottom + (top - bottom) / (1 + e^(k (c - u)))
    and its antiderivative is bottom * u + (top - bottom) * softplus(k (u - c)) / k.
    """
    c = np.log10(ic50)
    k = np.asarray(slope) * np.log(10.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        shape = (_softplus(k * (u2 - c)) - _softplus(k * (u1 - c))) / k
    shape = np.where(k > 0, shape, 0.5 * (u2 - u1))  # slope 0: E = (bottom + top) / 2
    return np.asarray(bottom) * (u2 - u1) + (np.asarray(top) - np.asarray(bottom)) * shape


def auc(
    fit: HillFit,
    *,
    normalize: bool = False,
    conc_min: ArrayLike | None = None,
    conc_max: ArrayLike | None = None,
) -> np.ndarray:
    """Area under the fitted curve over the tested log10-dose range.

    ``AUC = integral from log10(conc_min) to log10(conc_max) of E(10**u) du``, in closed form
    (see :func:`integral_log10`); units % inhibition x decades of dose.

    Parameters
    ----------
    fit : HillFit
        Fits.
    normalize : bool, default False
        Divide by the width ``log10(conc_max / conc_min)``: the mean fitted effect over the
        tested range (% inhibition).
    conc_min, conc_max : array_like, optional
        Tested dose range (default: the fit's).

    Returns
    -------
    ndarray
        AUC; NaN where the range or the fit is missing.
    """
    lo, hi = _range(fit, conc_min, conc_max)
    with np.errstate(divide="ignore", invalid="ignore"):
        u1 = np.log10(lo)
        u2 = np.log10(hi)
        area = integral_log10(u1, u2, fit.ic50, fit.hill_slope, fit.bottom, fit.top)
        return area / (u2 - u1) if normalize else area


def dss(
    fit: HillFit,
    kind: Literal[1, 2, 3] = 2,
    *,
    threshold: float = 10.0,
    bottom: Literal["zero", "fitted"] = "zero",
    conc_min: ArrayLike | None = None,
    conc_max: ArrayLike | None = None,
) -> np.ndarray:
    """Drug sensitivity score (Yadav et al. 2014, Sci Rep 4:5193), DSS1–DSS3.

    With x = log10 dose, x_min and x_2 the lowest and highest tested doses, t the activity
    threshold (% inhibition), a = min(top, 100), d the bottom (0 as in Yadav's code, or the
    fitted one), c = log10(ic50), b the slope:

    - x_1 = the dose where the curve reaches t, ``c - ln((a - t) / (t - d)) / (b ln 10)``,
      clipped to [x_min, x_2];
    - AUC = integral over [x_1, x_2] of (E - t) dx
      = [a x + (a - d) ln(1 + 10^(b (c - x))) / (b ln 10)] from x_1 to x_2 - t (x_2 - x_1);
    - DSS1 = 100 AUC / ((x_2 - x_min) (100 - t));
    - DSS2 = DSS1 / log10(a), set to 0 when above 50;
    - DSS3 = DSS1 * (log10(100) / log10(a)) * (x_2 - x_1) / (x_2 - x_min).

    As in the reference implementation (Yadav's R code): 0 when ic50 >= the top tested dose,
    when the slope is 0, when a <= t, or when the score falls outside [0, 100]; NaN where the
    fit is missing.  Not rounded (the reference rounds to 4 decimals).

    Parameters
    ----------
    fit : HillFit
        Fits, effects in % inhibition.
    kind : {1, 2, 3}, default 2
        DSS1, DSS2 or DSS3.
    threshold : float, default 10
        Activity threshold t (% inhibition).
    bottom : {"zero", "fitted"}, default "zero"
        Lower asymptote d: 0 as in Yadav's code, or the fitted bottom.
    conc_min, conc_max : array_like, optional
        Tested dose range (default: the fit's).

    Returns
    -------
    ndarray
        The score (dimensionless, 0–100).
    """
    if kind not in (1, 2, 3):
        raise SynergyError(f"kind must be 1, 2 or 3, got {kind!r}")
    if bottom not in ("zero", "fitted"):
        raise SynergyError(f"bottom must be 'zero' or 'fitted', got {bottom!r}")
    lo, hi = _range(fit, conc_min, conc_max)
    t = float(threshold)
    ic50 = np.asarray(fit.ic50, dtype=np.float64)
    b = np.asarray(fit.hill_slope, dtype=np.float64)
    a = np.minimum(np.asarray(fit.top, dtype=np.float64), 100.0)
    d = np.zeros_like(a) if bottom == "zero" else np.asarray(fit.bottom, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x_min = np.log10(lo)
        x2 = np.log10(hi)
        c = np.log10(ic50)
        if t != 0.0:
            x1 = c - (np.log(a - t) - np.log(t - d)) / (b * np.log(10.0))
            x1 = np.where(np.isnan(x1), x_min, x1)
            x1 = np.clip(x1, x_min, x2)
        else:
            x1 = x_min
        area = integral_log10(x1, x2, ic50, b, d, a) - t * (x2 - x1)
        dss1 = 100.0 * area / ((x2 - x_min) * (100.0 - t))
        if kind == 1:
            score = dss1
        elif kind == 2:
            score = dss1 / np.log10(a)
            score = np.where(score > 50.0, 0.0, score)
        else:
            score = dss1 * (2.0 / np.log10(a)) * (x2 - x1) / (x2 - x_min)
    zero = (ic50 >= hi) | (b == 0) | ~(a > t) | (score < 0) | (score > 100)
    missing = ~np.isfinite(ic50 + b + a + d + lo + hi)
    return np.where(missing, np.nan, np.where(zero, 0.0, score))
