"""Inputs of the fitted surface models (MuSyC, Zimmer, BRAID): points, starts, bounds.

Every well and replicate of a block is one point; starts come from the monotherapy Hill fits
(``hill_row`` / ``hill_col``), bounds from the tested doses and the observed responses.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.models.common import hill_fits

__all__ = ["ALPHA_BOUNDS", "C_MARGIN", "H_BOUNDS", "fit_points", "start_and_bounds"]

H_BOUNDS = (0.05, 20.0)
ALPHA_BOUNDS = (1e-4, 1e4)
C_MARGIN = 1e3  # C may lie this factor beyond the tested doses


def fit_points(screen: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(B, N) doses of each drug and responses of every well and replicate."""
    response = screen["response"].transpose("block", "row", "col", "replicate").values
    n_block, n_row, n_col, n_rep = response.shape
    conc_row = np.asarray(screen["conc_row"].values, dtype=np.float64)
    conc_col = np.asarray(screen["conc_col"].values, dtype=np.float64)
    shape = (n_block, n_row, n_col, n_rep)
    dose1 = np.broadcast_to(conc_row[:, :, None, None], shape).reshape(n_block, -1)
    dose2 = np.broadcast_to(conc_col[:, None, :, None], shape).reshape(n_block, -1)
    resp = np.asarray(response, dtype=np.float64).reshape(n_block, -1)
    return tuple(np.ascontiguousarray(a, dtype=np.float64) for a in (dose1, dose2, resp))


def _log_range(conc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest ln dose > 0 per block (NaN when none)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(conc > 0, np.log(np.where(conc > 0, conc, 1.0)), np.nan)
    all_nan = ~np.any(np.isfinite(logs), axis=1)
    logs[all_nan] = 0.0
    lo, hi = np.nanmin(logs, axis=1), np.nanmax(logs, axis=1)
    lo[all_nan] = hi[all_nan] = np.nan
    return lo, hi


def start_and_bounds(screen: xr.Dataset, resp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start q (B, 10) from the Hill fits and bounds (B, 10, 2)."""
    n_block = resp.shape[0]
    p_row, _ = hill_fits(screen, "row")
    p_col, _ = hill_fits(screen, "col")
    lo1, hi1 = _log_range(np.asarray(screen["conc_row"].values, dtype=np.float64))
    lo2, hi2 = _log_range(np.asarray(screen["conc_col"].values, dtype=np.float64))
    with np.errstate(all="ignore"):
        y_lo = np.nanmin(np.where(np.isfinite(resp), resp, np.nan), axis=1)
        y_hi = np.nanmax(np.where(np.isfinite(resp), resp, np.nan), axis=1)
    y_lo = np.where(np.isfinite(y_lo), y_lo, 0.0)
    y_hi = np.where(np.isfinite(y_hi), y_hi, 100.0)
    span = np.maximum(y_hi - y_lo, 10.0)
    init = np.empty((n_block, 10))
    with np.errstate(all="ignore"):
        init[:, 0] = 0.5 * (p_row[:, 2] + p_col[:, 2])
        init[:, 1] = p_row[:, 3]
        init[:, 2] = p_col[:, 3]
        init[:, 3] = np.where(
            np.abs(p_row[:, 3] - init[:, 0]) >= np.abs(p_col[:, 3] - init[:, 0]),
            p_row[:, 3],
            p_col[:, 3],
        )
        init[:, 4] = np.log(p_row[:, 1])
        init[:, 5] = np.log(p_col[:, 1])
        init[:, 6] = np.log(p_row[:, 0])
        init[:, 7] = np.log(p_col[:, 0])
    init[:, 8:] = 0.0
    # blocks whose Hill fits failed start from the data: mid-dose C, slope 1
    fallback = {
        0: y_lo, 1: y_hi, 2: y_hi, 3: y_hi, 4: 0.0, 5: 0.0,
        6: 0.5 * (lo1 + hi1), 7: 0.5 * (lo2 + hi2),
    }  # fmt: skip
    for j, value in fallback.items():
        bad = ~np.isfinite(init[:, j])
        init[bad, j] = np.broadcast_to(value, (n_block,))[bad]
    bounds = np.empty((n_block, 10, 2))
    bounds[:, :4, 0] = (y_lo - span)[:, None]
    bounds[:, :4, 1] = (y_hi + span)[:, None]
    bounds[:, 4:6] = np.log(H_BOUNDS)
    margin = np.log(C_MARGIN)
    bounds[:, 6, 0], bounds[:, 6, 1] = lo1 - margin, hi1 + margin
    bounds[:, 7, 0], bounds[:, 7, 1] = lo2 - margin, hi2 + margin
    bounds[:, 8:] = np.log(ALPHA_BOUNDS)
    # blocks without positive doses of a drug: any finite bounds (they fail as too few points)
    bounds[~np.isfinite(bounds)] = 0.0
    init = np.clip(np.where(np.isfinite(init), init, 0.0), bounds[..., 0], bounds[..., 1])
    return np.ascontiguousarray(init), np.ascontiguousarray(bounds)
