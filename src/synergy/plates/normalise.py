"""Normalise raw plate signal to % inhibition (or viability, or growth) per plate.

Per plate, from its own control wells, with medians as centres (robust to a few bad
control wells; docs/design.md §15):

- two controls (the default when the plate has positive controls)::

      inhibition = 100 · (neg − x) / (neg − pos)

  ``neg`` the median of the negative (vehicle) wells, ``pos`` of the positive (kill) wells;
- negative only (no positive control): ``pos`` is the median of the blank wells (medium
  without cells) when there are any, else 0 (a reader whose background is subtracted);
  the choice per plate is kept in ``normalization``;
- ``response_kind="viability"``: ``100 · (x − pos) / (neg − pos)`` = 100 − inhibition;
- time-zero growth (``time_zero={plate: time-zero plate}``): ``100 · (x − t0) / (neg − t0)``,
  ``t0`` the median of the time-zero plate's negative wells.  This is % growth relative to
  the vehicle (100 = untreated growth, 0 = stasis, < 0 = kill); it has its own
  ``response_kind="growth"`` and is never mapped to % inhibition.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from synergy.errors import SynergyError

__all__ = ["control_centres", "normalize"]

_KINDS = ("inhibition", "viability", "growth")


def _median_of(plates: xr.Dataset, role: str, values: np.ndarray | None = None) -> np.ndarray:
    signal = np.asarray(plates["signal"].values) if values is None else values
    mask = np.asarray(plates["role"].values) == role
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmedian(np.where(mask, signal, np.nan), axis=(1, 2))


def control_centres(plates: xr.Dataset, values: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Median signal of the negative, positive and blank wells of each plate (NaN if none)."""
    return {role: _median_of(plates, role, values) for role in ("negative", "positive", "blank")}


def normalize(
    plates: xr.Dataset,
    *,
    response_kind: str = "inhibition",
    method: str = "auto",
    time_zero: Mapping[str, str] | None = None,
) -> xr.Dataset:
    """Add the normalised ``response`` (plate, well_row, well_col) to a plate Dataset.

    Parameters
    ----------
    plates : xarray.Dataset
        From :func:`synergy.read_plates` (``signal`` and ``role``).
    response_kind : {"inhibition", "viability", "growth"}
        % inhibition (0 = vehicle, 100 = kill control), % viability (100 − inhibition) or
        % growth from a time-zero plate (needs ``time_zero``).
    method : {"auto", "two_controls", "negative_only"}
        ``"auto"``: two controls on plates with positive-control wells, negative only on
        the others (against the blank wells' median, or 0 without blanks).
    time_zero : mapping, optional
        ``{plate: time-zero plate}`` for ``response_kind="growth"``; the time-zero plates
        get NaN responses.

    Returns
    -------
    xarray.Dataset
        ``plates`` with ``response`` (%, attrs ``response_kind``), ``neg_center``,
        ``pos_center`` (plate, signal units) and ``normalization`` (plate, str).

    Raises
    ------
    SynergyError
        An unknown kind or method; growth without ``time_zero``; a plate whose controls
        give no window (neg == pos); positive controls demanded where a plate has none.
    """
    if response_kind not in _KINDS:
        raise SynergyError(f"response_kind must be one of {_KINDS}, got {response_kind!r}")
    if method not in ("auto", "two_controls", "negative_only"):
        raise SynergyError(
            f"method must be 'auto', 'two_controls' or 'negative_only', got {method!r}"
        )
    barcodes = np.asarray(plates["plate"].values).astype(str)
    signal = np.asarray(plates["signal"].values, dtype=np.float64)
    centres = control_centres(plates)
    neg, pos, blank = centres["negative"], centres["positive"], centres["blank"]
    has_pos = np.isfinite(pos)
    if method == "two_controls" and not has_pos.all():
        raise SynergyError(
            f"plate {barcodes[~has_pos][0]}: no positive-control well; use method='auto' or "
            "'negative_only'"
        )
    two = has_pos & (method != "negative_only")
    low = np.where(two, pos, np.where(np.isfinite(blank), blank, 0.0))
    one = np.where(np.isfinite(blank), "negative_vs_blank", "negative_vs_zero")
    how = np.where(two, "two_controls", one)
    out = plates.copy()
    if response_kind == "growth":
        if not time_zero:
            raise SynergyError("response_kind='growth' needs time_zero={plate: time-zero plate}")
        index = {b: i for i, b in enumerate(barcodes)}
        t0 = np.full(barcodes.size, np.nan)
        for plate, zero in time_zero.items():  # one entry per plate, not per well
            for name in (plate, zero):
                if name not in index:
                    raise SynergyError(f"time_zero: plate {name} is not among the plates read")
            t0[index[plate]] = neg[index[zero]]
        low = t0
        is_zero = np.isin(barcodes, [str(z) for z in time_zero.values()])
        how = np.where(
            np.isfinite(t0),
            "time_zero_growth",
            np.where(is_zero, "time_zero_plate", "no_time_zero"),
        )
    window = neg - low
    flat = np.isfinite(window) & (np.abs(window) <= 1e-12 * np.maximum(np.abs(neg), 1.0))
    if flat.any():
        raise SynergyError(
            f"plate {barcodes[flat][0]}: negative and positive controls have the same median "
            f"signal ({neg[flat][0]:.6g}); no window to normalise"
        )
    w, n, lo = window[:, None, None], neg[:, None, None], low[:, None, None]
    if response_kind == "inhibition":
        response = 100.0 * (n - signal) / w
    else:  # viability and growth: 100 · (x − low) / (neg − low)
        response = 100.0 * (signal - lo) / w
    names = {
        "inhibition": "inhibition (0 = vehicle, 100 = positive control)",
        "viability": "viability (100 = vehicle, 0 = positive control)",
        "growth": "growth relative to vehicle since time zero (100 = untreated, 0 = stasis)",
    }
    out["response"] = (
        ("plate", "well_row", "well_col"),
        response,
        {"units": "%", "response_kind": response_kind, "long_name": names[response_kind]},
    )
    out["neg_center"] = ("plate", neg, {"long_name": "median signal of the negative controls"})
    out["pos_center"] = ("plate", low, {"long_name": "median signal of the 0 % reference wells"})
    out["normalization"] = ("plate", how.astype(str))
    out.attrs["response_kind"] = response_kind
    return out
