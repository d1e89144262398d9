"""Shared pieces of the reference models: observed surface, masks, Hill fits, outputs.

Conventions for every model's surface variables (``bliss``, ``hsa``, ``loewe``, ``zip``):

* δ = observed − reference in % points (ZIP: fitted − reference), positive = synergy.
* At wells that are not combinations (a dose is 0: the monotherapy edges and the
  (0, 0) control) the reference is the observed response and δ = 0, as SynergyFinder
  3 reports them; where no well was measured, reference and δ are NaN.
* At a combination well that was not measured δ is NaN; its reference is kept where it
  does not depend on the well (Bliss, HSA, ZIP) and NaN where it does (Loewe).
* Summaries use combination wells only (both doses > 0, measured).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from synergy import status as status_codes

__all__ = [
    "SEVERITY_FAILED",
    "STATUS_MEANINGS",
    "combination_mask",
    "doses",
    "hill_fits",
    "in_grid_mask",
    "lacks_monotherapy",
    "observed_surface",
    "severity",
    "status_attrs",
    "surface_variable",
]


# One code space for every <model>_status: the code kept for a block is the most
# severe condition that applies (the highest code).  0 = ok, 1-9 = the score exists with
# a note (1, 4: by definition, e.g. SynergyFinder's Loewe fallback) or a warning (2, 3, 5,
# 6: data or fits are missing in part; 7: the other fitter fits a single drug better),
# >= 10 = failed (the score is NaN).
STATUS_MEANINGS: dict[int, str] = status_codes.meanings("score")  # explained in synergy.status
SEVERITY_FAILED = 10
NOTE_CODES = (1, 4)


def severity(codes: np.ndarray) -> np.ndarray:
    """Map status codes to 0 = ok (or a note), 1 = warning, 2 = failed."""
    codes = np.asarray(codes)
    warn = (codes > 0) & ~np.isin(codes, NOTE_CODES)
    return np.where(codes >= SEVERITY_FAILED, 2, np.where(warn, 1, 0)).astype(np.int8)


def status_attrs(model: str, codes: tuple[int, ...]) -> dict[str, Any]:
    """CF flag attributes of ``<model>_status`` restricted to the codes it can take."""
    return {
        "long_name": f"status of the {model} score",
        "flag_values": np.asarray(codes, dtype=np.int8),
        "flag_meanings": " ".join(STATUS_MEANINGS[c] for c in codes),
        "comment": "0 ok; 1, 4 note; 2, 3, 5, 6, 7 warning (score computed, see "
        "status_reason); >= 10 failed (score NaN)",
    }


def observed_surface(screen: xr.Dataset) -> np.ndarray:
    """Replicate mean of ``response``, (B, R, C) float64, NaN where no replicate was measured.

    Compensated as pandas' mean (:func:`synergy.io.wells.replicate_mean`).
    """
    from synergy.io.wells import replicate_mean

    response = np.asarray(screen["response"].transpose("block", "row", "col", "replicate").values)
    return np.ascontiguousarray(replicate_mean(response), dtype=np.float64)


def doses(screen: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """``conc_row`` (B, R) and ``conc_col`` (B, C) as C-contiguous float64."""
    conc_row = np.ascontiguousarray(screen["conc_row"].values, dtype=np.float64)
    conc_col = np.ascontiguousarray(screen["conc_col"].values, dtype=np.float64)
    return conc_row, conc_col


def combination_mask(conc_row: np.ndarray, conc_col: np.ndarray) -> np.ndarray:
    """(B, R, C) bool: both doses finite and > 0 (the wells SynergyFinder averages)."""
    pos_row = np.isfinite(conc_row) & (conc_row > 0)
    pos_col = np.isfinite(conc_col) & (conc_col > 0)
    return pos_row[:, :, None] & pos_col[:, None, :]


def in_grid_mask(conc_row: np.ndarray, conc_col: np.ndarray) -> np.ndarray:
    """(B, R, C) bool: the well lies inside the block's dose grid (not padding)."""
    return np.isfinite(conc_row)[:, :, None] & np.isfinite(conc_col)[:, None, :]


def lacks_monotherapy(observed: np.ndarray) -> np.ndarray:
    """(B,) bool: True where a drug has no measured single-drug well (dose > 0) at all."""
    mono_row = np.any(np.isfinite(observed[:, 1:, 0]), axis=1)
    mono_col = np.any(np.isfinite(observed[:, 0, 1:]), axis=1)
    return ~(mono_row & mono_col)


def hill_fits(screen: xr.Dataset, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Single-drug Hill fits of the ``side`` ("row" or "col") drug from the screen.

    Returns
    -------
    params : (B, 4) float64, C-contiguous: ic50 (conc unit), hill_slope (> 0), bottom,
        top (% inhibition), in the order of ``HILL_PARAMS`` (:mod:`synergy.hill.model`)
    l4 : (B,) bool, True where the fit is SynergyFinder's L.4 fallback
        (``hill_<side>_model`` == 1), whose predictions evaluate dose 0 as
        ``ZERO_DOSE``
    """
    from synergy.hill.screen import read_fit

    params, l4 = read_fit(screen, f"hill_{side}")
    return np.ascontiguousarray(params[:, 0]), l4[:, 0]


def surface_variable(screen: xr.Dataset, values: np.ndarray, attrs: dict[str, Any]) -> xr.DataArray:
    """Wrap a (B, R, C) array as a DataArray on the screen's block/row/col."""
    return xr.DataArray(
        values,
        dims=("block", "row", "col"),
        coords={"block": screen["block"].values},
        attrs=attrs,
    )
