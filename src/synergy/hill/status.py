"""Status codes of Hill fits (docs/design.md §6.3): small integers, higher = worse.

Every curve of a batch ends with exactly one code, the most severe that applies:

====  ===================  ==============================================================
code  name                 meaning
====  ===================  ==============================================================
0     converged            the optimiser converged inside the bounds
1     ic50_extrapolated    converged, but the IC50 lies outside the tested positive doses
2     hit_bound            a free parameter ended on one of its bounds (see the bounds
                           documented in :func:`synergy.hill.fit`); the fit is the best
                           inside the bounds, not an interior optimum
3     flat                 no dose effect: an F-test of the fit against the constant model
                           (the fixed bottom when bottom is fixed) gives p > ``flat_alpha``
                           (default 0.05); the asymptotes are meaningful, the IC50 and
                           slope are not
4     not_converged        the iteration limit was reached; parameters are the last iterate
5     too_few_points       fewer points than free parameters + 1, fewer distinct doses than
                           free parameters, or fewer than two positive doses; parameters NaN
6     non_finite_data      a used point has an infinite response, a negative or non-finite
                           dose, or a negative/non-finite weight; parameters NaN
====  ===================  ==============================================================

Missing points (NaN response) are not errors: they are dropped.  Nothing raises inside a
batch.  Codes are stored as ``int8`` with CF ``flag_values``/``flag_meanings`` attrs
(:func:`flag_attrs`), so ``status == 0`` selects clean fits and ``status.max()`` is the
worst in a block.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from synergy._kernels import hill_lsq as _k

__all__ = ["FLAT_ALPHA", "HillStatus", "count_status", "flag_attrs", "status_names"]

FLAT_ALPHA = 0.05
"""Default significance level of the flatness F-test (p > FLAT_ALPHA = flat)."""


class HillStatus(IntEnum):
    """Outcome of one Hill fit; the integer order is the severity order."""

    CONVERGED = _k.CONVERGED
    IC50_EXTRAPOLATED = 1
    HIT_BOUND = _k.HIT_BOUND
    FLAT = 3
    NOT_CONVERGED = _k.NOT_CONVERGED
    TOO_FEW_POINTS = _k.TOO_FEW_POINTS
    NON_FINITE_DATA = _k.NON_FINITE_DATA


def flag_attrs() -> dict[str, object]:
    """CF-style attributes for a status variable.

    Returns
    -------
    dict
        ``flag_values`` (int8 array 0..6), ``flag_meanings`` (space-separated names) and a
        ``long_name``.
    """
    return {
        "long_name": "Hill fit status (higher = worse)",
        "flag_values": np.array([s.value for s in HillStatus], dtype=np.int8),
        "flag_meanings": " ".join(s.name.lower() for s in HillStatus),
    }


def status_names(status: np.ndarray) -> np.ndarray:
    """Names (e.g. ``"hit_bound"``) of an array of status codes; ``"unknown"`` otherwise.

    Parameters
    ----------
    status : array of int
        Status codes.

    Returns
    -------
    ndarray of str
        Same shape as ``status``.
    """
    codes = np.asarray(status)
    names = np.array([s.name.lower() for s in HillStatus] + ["unknown"])
    index = np.where((codes >= 0) & (codes < len(HillStatus)), codes, len(HillStatus))
    return names[index.astype(np.intp)]


def count_status(status: np.ndarray) -> dict[str, int]:
    """Number of fits per status name (every status listed, zeros included).

    Parameters
    ----------
    status : array of int
        Status codes of any shape.

    Returns
    -------
    dict
        ``{"converged": n0, "ic50_extrapolated": n1, ...}``.
    """
    codes = np.asarray(status).ravel()
    return {s.name.lower(): int(np.sum(codes == s.value)) for s in HillStatus}
