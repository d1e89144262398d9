"""The Hill curve: evaluation, inversion, and conversion to and from drc's LL.4.

One parametrisation everywhere (docs/design.md §3)::

    E(x) = bottom + (top - bottom) / (1 + (ic50 / x) ** hill_slope),   hill_slope > 0

so ``bottom = E(0)`` and ``top = E(inf)``; ``top < bottom`` is allowed (an effect that
falls with dose).  Parameter order everywhere: ``(ic50, hill_slope, bottom, top)``.

drc's LL.4 is ``f(x) = c + (d - c) / (1 + exp(b (ln x - ln e)))``; its L.4 fallback is the
same curve on ``ln x`` with ``e`` a log-EC50.  ``b < 0`` maps to
``(ic50, hill_slope, bottom, top) = (e, -b, c, d)`` and ``b > 0`` to ``(e, b, d, c)``.

All functions are numpy-vectorised (broadcasting), no loops over curves.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "HILL_PARAMS",
    "PARAM_NAMES",
    "ZERO_DOSE",
    "evaluate",
    "from_drc",
    "hill_predict",
    "inverse",
    "to_drc",
]

#: the Hill parameters, in the order every fit array and ``param`` coordinate uses
HILL_PARAMS = ("ic50", "hill_slope", "bottom", "top")
PARAM_NAMES = HILL_PARAMS
#: SynergyFinder's L.4 fallback evaluates dose 0 as 1e-10 (in the input's unit)
ZERO_DOSE = 1e-10


def evaluate(
    conc: ArrayLike, ic50: ArrayLike, hill_slope: ArrayLike, bottom: ArrayLike, top: ArrayLike
) -> np.ndarray:
    """Effect of the Hill curve at dose ``conc``.

    ``E(x) = bottom + (top - bottom) / (1 + (ic50 / x) ** hill_slope)``; ``E(0) = bottom``.

    Parameters
    ----------
    conc : array_like
        Doses (>= 0), in the unit of ``ic50``.
    ic50 : array_like
        Midpoint dose (relative IC50, drc's ``e``), same unit as ``conc``.
    hill_slope : array_like
        Slope (> 0, dimensionless).
    bottom, top : array_like
        Effects at zero and infinite dose (e.g. % inhibition).

    Returns
    -------
    ndarray
        Effects, broadcast shape of the inputs, in the unit of ``bottom``/``top``.
    """
    x = np.asarray(conc, dtype=np.float64)
    ic50 = np.asarray(ic50, dtype=np.float64)
    hill_slope = np.asarray(hill_slope, dtype=np.float64)
    bottom = np.asarray(bottom, dtype=np.float64)
    top = np.asarray(top, dtype=np.float64)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        z = hill_slope * (np.log(ic50) - np.log(x))
        g = 1.0 / (1.0 + np.exp(np.minimum(z, 700.0)))
        g = np.where(x == 0.0, 0.0, g)
    return bottom + (top - bottom) * g


def inverse(
    effect: ArrayLike, ic50: ArrayLike, hill_slope: ArrayLike, bottom: ArrayLike, top: ArrayLike
) -> np.ndarray:
    """Dose at which the Hill curve reaches ``effect``.

    ``x = ic50 * ((effect - bottom) / (top - effect)) ** (1 / hill_slope)``, defined for
    ``effect`` strictly between ``bottom`` and ``top``; NaN elsewhere (the curve never
    reaches it).

    Parameters
    ----------
    effect : array_like
        Effects, in the unit of ``bottom``/``top``.
    ic50, hill_slope, bottom, top : array_like
        Hill parameters (see :func:`evaluate`).

    Returns
    -------
    ndarray
        Doses in the unit of ``ic50``; NaN where the effect is not reached.
    """
    effect = np.asarray(effect, dtype=np.float64)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ratio = (effect - np.asarray(bottom, dtype=np.float64)) / (
            np.asarray(top, dtype=np.float64) - effect
        )
        dose = np.exp(
            np.log(np.asarray(ic50, dtype=np.float64))
            + np.log(ratio) / np.asarray(hill_slope, dtype=np.float64)
        )
    return np.where((ratio > 0.0) & np.isfinite(ratio), dose, np.nan)


def from_drc(
    b: ArrayLike, c: ArrayLike, d: ArrayLike, e: ArrayLike, *, log_e: ArrayLike = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Convert drc's LL.4 (or L.4) parameters to ``(ic50, hill_slope, bottom, top)``.

    ``b < 0`` maps to ``(e, -b, c, d)``, ``b > 0`` to ``(e, b, d, c)``; ``b = 0`` (a
    constant curve at ``(c + d) / 2``) to slope 0 with bottom = top = ``(c + d) / 2``.

    Parameters
    ----------
    b, c, d, e : array_like
        drc's slope, lower limit, upper limit and EC50 (dose unit), broadcast together.
    log_e : bool or array of bool, default False
        True where ``e`` is drc's L.4 log-EC50 (natural log of the dose), as in
        SynergyFinder's fallback fits; then ``ic50 = exp(e)``.

    Returns
    -------
    ic50, hill_slope, bottom, top : ndarray
    """
    b, c, d, e, log_e = np.broadcast_arrays(
        np.asarray(b, dtype=np.float64),
        np.asarray(c, dtype=np.float64),
        np.asarray(d, dtype=np.float64),
        np.asarray(e, dtype=np.float64),
        np.asarray(log_e, dtype=bool),
    )
    with np.errstate(over="ignore"):
        ic50 = np.where(log_e, np.exp(e), e)
    rising = b < 0.0
    flat = b == 0.0
    mid = 0.5 * (c + d)
    hill_slope = np.abs(b)
    bottom = np.where(flat, mid, np.where(rising, c, d))
    top = np.where(flat, mid, np.where(rising, d, c))
    return ic50, hill_slope, bottom, top


def to_drc(
    ic50: ArrayLike, hill_slope: ArrayLike, bottom: ArrayLike, top: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Convert ``(ic50, hill_slope, bottom, top)`` to drc's LL.4 ``(b, c, d, e)``.

    Uses drc's orientation for effects rising with dose: ``b = -hill_slope``,
    ``c = bottom``, ``d = top``, ``e = ic50`` (the same curve as drc's ``b > 0`` form with
    ``c`` and ``d`` swapped).

    Parameters
    ----------
    ic50, hill_slope, bottom, top : array_like
        Hill parameters.

    Returns
    -------
    b, c, d, e : ndarray
    """
    ic50, hill_slope, bottom, top = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (ic50, hill_slope, bottom, top))
    )
    return -hill_slope, bottom.copy(), top.copy(), ic50.copy()


def hill_predict(
    conc: np.ndarray, params: np.ndarray, l4: np.ndarray, zero_dose: float = ZERO_DOSE
) -> np.ndarray:
    """Evaluate each block's Hill curve at its doses, in SynergyFinder's arithmetic.

    The form ``bottom + (top − bottom) / (1 + (ic50 / x) ** hill_slope)`` rounds as R does
    (the Loewe and ZIP references depend on it bit for bit); :func:`evaluate` is the
    overflow-safe log form for everything else.

    ``E(x) = bottom + (top − bottom) / (1 + (ic50 / x) ** hill_slope)``, ``E(0) = bottom``;
    for L.4 fits dose 0 is evaluated as ``zero_dose`` (SynergyFinder's substitution).

    Parameters
    ----------
    conc : (B, N) doses in the screen's unit (NaN stays NaN)
    params : (B, 4) Hill fits (:data:`HILL_PARAMS`)
    l4 : (B,) bool, L.4 fallback fits
    zero_dose : dose that replaces 0 for L.4 fits

    Returns
    -------
    (B, N) float64, % inhibition
    """
    ic50, slope, bottom, top = (params[:, k : k + 1] for k in range(4))
    x = np.where((conc == 0) & l4[:, None], zero_dose, conc)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ratio = (ic50 / x) ** slope
        value = bottom + (top - bottom) / (1.0 + ratio)
    return np.where(x == 0, np.broadcast_to(bottom, value.shape), value)
