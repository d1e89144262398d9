"""Turn the user's ``fixed``/``bounds`` arguments into the kernel's per-curve arrays.

One job: argument normalisation for :func:`synergy.hill.fit` (parameter order
``(ic50, hill_slope, bottom, top)``, docs/design.md §3), including the documented default bounds.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from synergy._kernels.hill_batch import bounds_ok as _kernel_bounds_ok
from synergy._kernels.hill_batch import default_bounds as _kernel_default_bounds
from synergy._kernels.hill_core import curve_ranges as _kernel_ranges
from synergy.errors import SynergyError
from synergy.hill.model import PARAM_NAMES

__all__ = [
    "DEFAULT_ASYMPTOTE_MARGIN",
    "DEFAULT_IC50_FACTOR",
    "DEFAULT_SLOPE_BOUNDS",
    "default_bounds",
]

DEFAULT_SLOPE_BOUNDS = (1e-2, 20.0)
"""Default bounds of the Hill slope."""
DEFAULT_IC50_FACTOR = 1e3
"""Default IC50 bounds: [lowest positive tested dose / 1000, highest tested dose * 1000]."""
DEFAULT_ASYMPTOTE_MARGIN = 100.0
"""Default bottom/top bounds: [min(y) - s, max(y) + s] with s = max(max(y) - min(y), 100)."""


def fixed_array(fixed: Mapping[str, ArrayLike] | ArrayLike | None, shape: tuple) -> np.ndarray:
    out = np.full((*shape, 4), np.nan)
    if fixed is None:
        return out
    if not isinstance(fixed, Mapping):
        return np.broadcast_to(np.asarray(fixed, dtype=np.float64), (*shape, 4)).copy()
    for name, value in fixed.items():
        if name not in PARAM_NAMES:
            raise SynergyError(
                f"unknown parameter {name!r} in fixed=; expected one of {PARAM_NAMES}"
            )
        out[..., PARAM_NAMES.index(name)] = np.broadcast_to(np.asarray(value, np.float64), shape)
    bad_ic50 = ~np.isnan(out[..., 0]) & ~(out[..., 0] > 0)
    bad_slope = ~np.isnan(out[..., 1]) & ~(out[..., 1] > 0)
    if np.any(bad_ic50 | bad_slope):
        raise SynergyError("fixed ic50 and hill_slope must be > 0")
    return out


def curve_ranges(conc: np.ndarray, response: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(*S, 4): lowest/highest positive dose and lowest/highest response of the used points
    (finite response and dose, weight > 0) of each curve; ±inf where there are none."""
    conc, response, weights = np.broadcast_arrays(conc, response, weights)
    shape = conc.shape
    flat = [np.ascontiguousarray(a.reshape(-1, shape[-1]), dtype=np.float64)
            for a in (conc, response, weights)]  # fmt: skip
    return _kernel_ranges(*flat).reshape(*shape[:-1], 4)


def default_bounds(
    conc: np.ndarray, response: np.ndarray, weights: np.ndarray, ranges: np.ndarray | None = None
) -> np.ndarray:
    """Default bounds (N, 4, 2) of (ic50, hill_slope, bottom, top) per curve.

    - ic50 in [lowest positive tested dose / 1000, highest tested dose * 1000];
    - hill_slope in [0.01, 20] (steeper is a step between two doses: the fit ends on the
      bound, status ``hit_bound``);
    - bottom and top in [min(y) - s, max(y) + s], s = max(max(y) - min(y), 100), wide
      enough for SynergyFinder's fits (tops above 100, bottoms below 0 occur).

    Only used points (finite response, positive weight) count.  Curves without such
    points get infinite bounds (they end as ``too_few_points`` anyway).  ``ranges``: the
    curves' ``curve_ranges``, if already known.
    """
    if ranges is None:
        ranges = curve_ranges(conc, response, weights)
    flat = np.ascontiguousarray(ranges.reshape(-1, 4), dtype=np.float64)
    out = _kernel_default_bounds(
        flat, *DEFAULT_SLOPE_BOUNDS, DEFAULT_IC50_FACTOR, DEFAULT_ASYMPTOTE_MARGIN
    )
    return out.reshape(*conc.shape[:-1], 4, 2)


def bounds_array(
    bounds: Mapping[str, tuple[ArrayLike, ArrayLike]] | None,
    conc: np.ndarray,
    response: np.ndarray,
    weights: np.ndarray,
    ranges: np.ndarray | None = None,
) -> np.ndarray:
    out = default_bounds(conc, response, weights, ranges)
    shape = conc.shape[:-1]
    for name, (low, high) in (bounds or {}).items():
        if name not in PARAM_NAMES:
            raise SynergyError(
                f"unknown parameter {name!r} in bounds=; expected one of {PARAM_NAMES}"
            )
        j = PARAM_NAMES.index(name)
        out[..., j, 0] = np.broadcast_to(np.asarray(low, np.float64), shape)
        out[..., j, 1] = np.broadcast_to(np.asarray(high, np.float64), shape)
    ordered, non_negative = _kernel_bounds_ok(np.ascontiguousarray(out.reshape(-1, 4, 2)))
    if not ordered:
        raise SynergyError("every lower bound must be below its upper bound")
    if not non_negative:
        raise SynergyError("bounds of ic50 and hill_slope must be >= 0")
    return out
