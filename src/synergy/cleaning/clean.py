"""``score(impute=, outliers=)`` on a screen: masks, counts and statuses (docs/design.md §18).

:func:`clean_wells` runs before anything is fitted: outliers are detected on the data as
read (:mod:`synergy.cleaning.outliers`), excluded if asked, then every cell of the grid
without a measured replicate is imputed (:mod:`synergy.cleaning.impute`), in its first
replicate slot.  With neither option the screen is returned as it is (the same object).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy.cleaning.impute import IMPUTE_METHODS, impute_hill_bliss
from synergy.cleaning.outliers import DEFAULT_THRESHOLD, OUTLIER_MODES, detect_outliers
from synergy.errors import SynergyError
from synergy.io.layout import require_pair
from synergy.io.response_kind import unscorable
from synergy.io.wells import replicate_mean

__all__ = ["check_cleaning", "clean_wells", "hold_imputed", "restore_imputed"]

WELL_DIMS = ("block", "row", "col", "replicate")


def check_cleaning(impute: str | None, outliers: str | None, outlier_threshold: float) -> None:
    """Check the options of :func:`clean_wells`.

    Raises
    ------
    synergy.errors.SynergyError
        On an unknown method or mode, or a threshold that is not a number > 0.
    """
    if impute is not None and impute not in IMPUTE_METHODS:
        raise SynergyError(f"impute must be None or one of {IMPUTE_METHODS}, got {impute!r}")
    if outliers is not None and outliers not in OUTLIER_MODES:
        raise SynergyError(f"outliers must be None or one of {OUTLIER_MODES}, got {outliers!r}")
    value = float(outlier_threshold)
    if not (np.isfinite(value) and value > 0):
        raise SynergyError(f"outlier_threshold must be a number > 0, got {outlier_threshold!r}")


def _block_var(values: np.ndarray, long_name: str, block, family: str = "") -> xr.DataArray:
    """A (block,) count, or a status of ``family`` with its CF flag attributes."""
    attrs = {"long_name": long_name}
    if family:
        attrs.update(status_codes.flag_attrs(family))
        values = values.astype(np.int8)
    return xr.DataArray(values, dims="block", coords={"block": block}, attrs=attrs)


def _mask(values: np.ndarray, long_name: str, block) -> xr.DataArray:
    return xr.DataArray(
        values, dims=WELL_DIMS, coords={"block": block}, attrs={"long_name": long_name}
    )


def clean_wells(
    screen: xr.Dataset,
    impute: str | None = None,
    outliers: str | None = None,
    outlier_threshold: float = DEFAULT_THRESHOLD,
) -> xr.Dataset:
    """Flag or exclude outlier wells and impute missing cells of every block.

    Parameters
    ----------
    screen : xarray.Dataset
        A pair screen (docs/design.md §1), % inhibition.
    impute : {None, "hill_bliss"}
        Fill cells of the dose grid without a measured replicate
        (:func:`synergy.cleaning.impute.impute_hill_bliss`); None: leave them missing.
    outliers : {None, "flag", "exclude"}
        Detect outlier values (:func:`synergy.cleaning.outliers.detect_outliers`) and mark
        them (``"flag"``) or also leave them out of the scores (``"exclude"``).
    outlier_threshold : float
        k of the detector, in robust standard deviations of the block's residuals.

    Returns
    -------
    xarray.Dataset
        ``screen`` itself when both options are None; otherwise a new Dataset whose
        ``response`` holds what is scored, with ``response_observed`` (the responses as
        given) and, per option, ``imputed``/``n_imputed``/``impute_status`` and
        ``outlier``/``n_outliers``/``outlier_status`` (masks over block, row, col,
        replicate; counts and statuses over block, explained in :mod:`synergy.status`).

    Raises
    ------
    SynergyError
        On an unknown option, or on an N-drug screen.
    """
    check_cleaning(impute, outliers, outlier_threshold)
    if impute is None and outliers is None:
        return screen
    require_pair(
        screen,
        "Imputing and flagging wells (impute=, outliers=)",
        "score it without impute= and outliers=",
    )
    observed = screen["response_observed"] if "response_observed" in screen else screen["response"]
    observed = observed.transpose(*WELL_DIMS)
    values = np.array(observed.values, dtype=np.float64)
    skip = unscorable(values)  # blocks not fitted at all stay as they are
    block = screen["block"].values
    out = screen.drop_vars(
        [
            v
            for v in (
                "imputed",
                "outlier",
                "n_imputed",
                "n_outliers",
                "impute_status",
                "outlier_status",
            )
            if v in screen
        ]
    )
    if outliers is not None:
        flagged, _ = detect_outliers(
            np.where(skip[:, None, None, None], np.nan, values), outlier_threshold
        )
        n_out = flagged.sum(axis=(1, 2, 3))
        if outliers == "exclude":
            values[flagged] = np.nan
        code = np.where(n_out > 0, 1 if outliers == "flag" else 2, 0)
        out["outlier"] = _mask(
            flagged, f"value flagged as an outlier (outliers={outliers!r})", block
        )
        out["n_outliers"] = _block_var(n_out, "values flagged as outliers", block)
        out["outlier_status"] = _block_var(code, "outlier wells", block, "outliers")
    if impute is not None:
        conc_row = np.asarray(screen["conc_row"].values, dtype=np.float64)
        conc_col = np.asarray(screen["conc_col"].values, dtype=np.float64)
        mean = replicate_mean(values)
        grid = np.isfinite(conc_row)[:, :, None] & np.isfinite(conc_col)[:, None, :]
        missing = grid & ~np.isfinite(mean) & ~skip[:, None, None]
        filled, cells = impute_hill_bliss(
            np.where(skip[:, None, None], np.nan, mean), conc_row, conc_col
        )
        cells &= missing
        values[..., 0] = np.where(cells, filled, values[..., 0])
        imputed = np.zeros(values.shape, dtype=bool)
        imputed[..., 0] = cells
        n_imp = cells.sum(axis=(1, 2))
        code = np.where((missing & ~cells).any(axis=(1, 2)), 2, np.where(n_imp > 0, 1, 0))
        out["imputed"] = _mask(imputed, f"value imputed (impute={impute!r}), not measured", block)
        out["n_imputed"] = _block_var(n_imp, "cells of the dose grid imputed", block)
        out["impute_status"] = _block_var(code, "imputation of missing wells", block, "impute")
    out["response_observed"] = observed.transpose(*screen["response"].dims)
    out["response"] = observed.copy(data=values).transpose(*screen["response"].dims)
    return out


def hold_imputed(response: np.ndarray, imputed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split ``response`` (B, R, C, K) into the measured values and the imputed cells.

    Returns
    -------
    measured : ndarray (B, R, C, K)
        ``response`` with the imputed values NaN (what the bootstrap may resample).
    held : ndarray (B, R, C)
        The imputed value of each imputed cell, NaN elsewhere.
    """
    imputed = np.asarray(imputed, dtype=bool)
    held = np.where(imputed, response, np.nan)
    with np.errstate(invalid="ignore"):
        cell = np.where(
            imputed.any(axis=-1), np.nanmax(np.where(imputed, held, -np.inf), axis=-1), np.nan
        )
    return np.where(imputed, np.nan, response), cell


def restore_imputed(means: np.ndarray, held: np.ndarray) -> np.ndarray:
    """Put the imputed cells back, unchanged, into resampled means (B, N, R, C)."""
    return np.where(np.isfinite(held)[:, None], held[:, None], means)
