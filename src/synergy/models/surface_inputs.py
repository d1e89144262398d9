"""Inputs of the fitted surface models (MuSyC, Zimmer, BRAID): points, starts, bounds.

Every well and replicate of a block is one point; starts come from the monotherapy Hill fits
(``hill_row`` / ``hill_col``), bounds from the tested doses and the observed responses.

Grids without single-drug wells (every dose > 0, or a drug's edge not measured): the surface
itself determines the single-drug curves, so such blocks are fitted too.  Where a drug's
Hill fit is missing, its start comes from the surface (:func:`surface_starts`): the column
(row) of wells at the other drug's lowest measured dose stands in for the drug's curve — E0
from the lowest-dose corner, the drug's maximal effect from the far end of that line, its
potency from where the line crosses half-way, slope 1.  After the fit,
:func:`monotherapy_status` says what such a block's estimates rest on: code 5
(``fitted_without_monotherapy``) when the fit is regular, 11 (``not_identifiable``: NaN)
when it ends on a bound, its covariance is singular, an effect's standard error exceeds
:data:`MAX_EFFECT_SE` or a potency's or slope's spans more than a factor ``C_MARGIN`` (in
ln units), 10 (``no_monotherapy``) when a drug has fewer than :data:`MIN_SURFACE_DOSES`
doses in the measured wells.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.models.common import hill_fits

__all__ = [
    "ALPHA_BOUNDS",
    "C_MARGIN",
    "H_BOUNDS",
    "MAX_EFFECT_SE",
    "MIN_SURFACE_DOSES",
    "fit_points",
    "monotherapy_status",
    "start_and_bounds",
    "surface_starts",
]

H_BOUNDS = (0.05, 20.0)
ALPHA_BOUNDS = (1e-4, 1e4)
C_MARGIN = 1e3  # C may lie this factor beyond the tested doses
#: without single-drug wells, each drug needs this many distinct doses > 0 in measured wells
MIN_SURFACE_DOSES = 3
#: without single-drug wells, a fit whose effects have a larger standard error (% points),
#: or whose ln h / ln C have one above ln C_MARGIN, is not identifiable
MAX_EFFECT_SE = 100.0


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


def _mean_surface(screen: xr.Dataset) -> np.ndarray:
    """(B, R, C) replicate mean, NaN where nothing was measured (no warnings)."""
    response = np.asarray(
        screen["response"].transpose("block", "row", "col", "replicate").values, dtype=float
    )
    count = np.isfinite(response).sum(axis=-1)
    total = np.where(np.isfinite(response), response, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _line_start(dose: np.ndarray, line: np.ndarray, corner: float) -> tuple[float, float]:
    """(far end, ln potency) of one drug's line of wells at the other's lowest dose."""
    ok = np.isfinite(dose) & (dose > 0) & np.isfinite(line)
    if ok.sum() < 2:
        return np.nan, np.nan
    x, y = np.log(dose[ok]), line[ok]
    top = y[np.argmax(x)]
    half = 0.5 * (corner + top)
    above = (y - half) * np.sign(top - corner) >= 0
    k = int(np.argmax(above)) if above.any() else len(x) - 1
    if k == 0:
        return top, x[0]
    # ln dose where the line crosses half-way between its neighbours k-1 and k
    frac = np.clip((half - y[k - 1]) / (y[k] - y[k - 1]) if y[k] != y[k - 1] else 0.5, 0, 1)
    return top, x[k - 1] + frac * (x[k] - x[k - 1])


def surface_starts(screen: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Hill-like starts (ic50, slope, bottom, top) of the row and column drugs, (B, 4) each,
    read off the surface (see the module docstring); NaN where the grid has no such line."""
    surface = _mean_surface(screen)
    conc_row = np.asarray(screen["conc_row"].values, dtype=np.float64)
    conc_col = np.asarray(screen["conc_col"].values, dtype=np.float64)
    n_block = surface.shape[0]
    starts = np.full((2, n_block, 4), np.nan)
    for b in range(n_block):
        measured = np.isfinite(surface[b])
        rows = np.flatnonzero((conc_row[b] > 0) & measured.any(axis=1))
        cols = np.flatnonzero((conc_col[b] > 0) & measured.any(axis=0))
        if rows.size == 0 or cols.size == 0:
            continue
        i0, j0 = rows[np.argmin(conc_row[b, rows])], cols[np.argmin(conc_col[b, cols])]
        corner = surface[b, i0, j0]
        if not np.isfinite(corner):
            continue
        for side, (dose, line) in enumerate(
            ((conc_row[b], surface[b, :, j0]), (conc_col[b], surface[b, i0, :]))
        ):
            top, ln_c = _line_start(dose, line, corner)
            starts[side, b] = (np.exp(ln_c), 1.0, corner, top)
    return starts[0], starts[1]


def monotherapy_status(
    dose1: np.ndarray,
    dose2: np.ndarray,
    resp: np.ndarray,
    status: np.ndarray,
    se: np.ndarray,
    n_effects: int,
) -> np.ndarray:
    """Status of blocks fitted without a drug's single-drug wells (module docstring).

    Parameters
    ----------
    dose1, dose2, resp : (B, N) the fitted points (:func:`fit_points`)
    status : (B,) int8, the fit's status (0 ok, 7 hit_bound, 8 not_converged, ≥ 10 failed)
    se : (B, P) standard errors of the fitted parameters in fit units (NaN where
        undefined): ``n_effects`` effects (%) first, then ln h1, ln h2, ln C1, ln C2
    n_effects : int
        4 for MuSyC (E0, E1, E2, E3), 3 for Zimmer and BRAID

    Returns
    -------
    (B,) int8 status: unchanged where both drugs have single-drug wells.
    """
    d1, d2 = np.nan_to_num(dose1), np.nan_to_num(dose2)
    ok = np.isfinite(resp)
    mono = (ok & (d1 > 0) & (d2 == 0)).any(axis=1) & (ok & (d2 > 0) & (d1 == 0)).any(axis=1)
    combo = ok & (d1 > 0) & (d2 > 0)
    n_doses = np.array([
        [np.unique(d[k][combo[k]]).size for k in range(len(d))] for d in (d1, d2)
    ]).min(axis=0)  # fmt: skip
    out = status.copy()
    edge = ~mono & (status < 10)
    too_few = edge & (n_doses < MIN_SURFACE_DOSES)
    out[too_few] = 10
    rest = edge & ~too_few
    core = se[:, : n_effects + 4]
    vague = ~np.all(np.isfinite(core) & (core > 0), axis=1)
    vague |= np.any(core[:, :n_effects] > MAX_EFFECT_SE, axis=1)
    vague |= np.any(core[:, n_effects:] > np.log(C_MARGIN), axis=1)
    out[rest & ((status == 7) | vague)] = 11
    out[rest & ~((status == 7) | vague) & (status == 0)] = 5
    return out


def start_and_bounds(screen: xr.Dataset, resp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start q (B, 10) from the Hill fits (from the surface where a fit is missing) and
    bounds (B, 10, 2)."""
    n_block = resp.shape[0]
    p_row, _ = hill_fits(screen, "row")
    p_col, _ = hill_fits(screen, "col")
    missing = ~(np.all(np.isfinite(p_row), axis=1) & np.all(np.isfinite(p_col), axis=1))
    if missing.any():
        s_row, s_col = surface_starts(screen)
        p_row = np.where(missing[:, None] & ~np.isfinite(p_row), s_row, p_row)
        p_col = np.where(missing[:, None] & ~np.isfinite(p_col), s_col, p_col)
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
