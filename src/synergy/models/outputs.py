"""What a reference model returns, for either layout: the one place the outputs differ (§16.1).

The models compute δ and the reference on the well view (:mod:`synergy.models.well_view`);
:func:`model_outputs` turns them into the screen's variables:

* a pair screen gets its ``(block, row, col)`` surfaces (a reshape of the well arrays) and the
  grid summaries of :func:`synergy.models.summary.summarise` (mean, 3×3 MSA windows, max/min
  with their row and column doses);
* a screen in the well layout gets ``(block, well)`` arrays and :func:`summarise_wells`
  (mean over the wells where every drug is present, max/min with their doses per drug).

The summaries of the well layout: δ is defined at every well with two or more drugs present
(SynergyFinder 3 scores those; wells with one drug or none keep reference = observed, δ = 0).
The block score is the mean δ over the measured wells where **every** drug is present
(SynergyFinder 3's summary for multi-drug blocks), with the number of wells used.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from synergy._kernels.surface import ordered_sum
from synergy.models.common import SEVERITY_FAILED, status_attrs, surface_variable
from synergy.models.summary import summarise
from synergy.models.well_view import WellView, grid_surface, well_variable

__all__ = ["MULTI_STATUS_CODES", "model_outputs", "summarise_wells"]


def model_outputs(
    screen: xr.Dataset,
    view: WellView,
    model: str,
    label: str,
    wells: dict[str, tuple[np.ndarray, dict[str, Any]]],
    delta: np.ndarray,
    base_status: np.ndarray,
    status_codes: tuple[int, ...],
    blocks: dict[str, xr.DataArray] | None = None,
) -> dict[str, xr.DataArray]:
    """The variables of one model from its well results, in the screen's layout.

    Parameters
    ----------
    screen : xarray.Dataset
        The screen (block ids, doses).
    view : WellView
        Its well view.
    model : str
        Variable prefix; label : its name in words.
    wells : dict
        ``name -> ((B, W) values, attrs)``: the per-well variables (δ, reference, …).
    delta : (B, W) float64
        δ in % points, for the summaries.
    base_status : (B,) int8
        The model's own status codes.
    status_codes : tuple of int
        Codes the pair layout's ``<model>_status`` can take (its flag attributes).
    blocks : dict, optional
        Per-block variables of the model, placed before the summaries.
    """
    if view.grid is None:
        data = {name: well_variable(screen, v, attrs) for name, (v, attrs) in wells.items()}
        data.update(blocks or {})
        data.update(summarise_wells(model, screen, view, delta, base_status, label))
        return data
    data = {
        name: surface_variable(screen, grid_surface(view, v), attrs)
        for name, (v, attrs) in wells.items()
    }
    data.update(blocks or {})
    combo = grid_surface(view, view.present >= 2)
    observed = grid_surface(view, view.observed)
    data.update(
        summarise(
            model, screen, grid_surface(view, delta), combo, observed, base_status, status_codes
        )
    )
    return data


MULTI_STATUS_CODES = (0, 2, 3, 4, 5, 6, 10, 11, 12, 13)


def summarise_wells(
    model: str,
    screen: xr.Dataset,
    view: WellView,
    delta: np.ndarray,
    base_status: np.ndarray,
    label: str,
) -> dict[str, xr.DataArray]:
    """Block score, well count, max/min δ (with doses) and status of one model.

    Parameters
    ----------
    model : variable prefix (``"bliss"`` …); label : its name in words (``"Bliss"``)
    delta : (B, W) δ in % points
    base_status : (B,) int8 codes from the model (0 when nothing went wrong)
    """
    n_drug = view.conc.shape[2]
    full = view.present == n_drug
    measured = full & np.isfinite(view.observed)
    scored = full & np.isfinite(delta)
    n_wells = scored.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(n_wells > 0, ordered_sum(np.where(scored, delta, 0.0)) / n_wells, np.nan)
    masked = np.where(scored, delta, np.nan)
    has = n_wells > 0
    idx_max = np.where(has, np.nanargmax(np.where(has[:, None], masked, 0.0), axis=1), 0)
    idx_min = np.where(has, np.nanargmin(np.where(has[:, None], masked, 0.0), axis=1), 0)
    rows = np.arange(delta.shape[0])
    status = base_status.astype(np.int8).copy()
    no_full = ~(full & (view.present >= 0)).any(axis=1)
    missing_full = full.sum(axis=1) > measured.sum(axis=1)
    status = np.maximum(status, np.where(missing_full, 2, 0).astype(np.int8))
    combo_missing_edges = (view.present >= 2) & np.isfinite(view.observed)
    combo_missing_edges &= (view.single < 0).any(axis=2)
    status = np.maximum(status, np.where(combo_missing_edges.any(axis=1), 3, 0).astype(np.int8))
    status = np.where(
        (status < SEVERITY_FAILED) & ~has, np.where(no_full | ~measured.any(axis=1), 12, 13), status
    ).astype(np.int8)
    coords = {"block": screen["block"].values}

    def per_block(values, attrs):
        return xr.DataArray(values, dims=("block",), coords=coords, attrs=attrs)

    def at(index):
        conc = view.conc[rows, index]  # (B, N)
        return xr.DataArray(
            np.where(has[:, None], conc, np.nan),
            dims=("block", "drug"),
            coords=coords,
            attrs={"units": screen.attrs.get("conc_unit", "")},
        )

    return {
        f"{model}_score": per_block(
            score,
            {
                "long_name": f"{label} synergy score: mean δ over measured wells where every "
                "drug is present",
                "units": "%",
            },
        ),
        f"{model}_n_wells": per_block(
            n_wells.astype(np.int64), {"long_name": f"wells averaged into {model}_score"}
        ),
        f"{model}_max": per_block(
            np.where(has, masked[rows, idx_max], np.nan), {"long_name": f"largest {label} δ"}
        ),
        f"{model}_max_conc": at(idx_max),
        f"{model}_min": per_block(
            np.where(has, masked[rows, idx_min], np.nan), {"long_name": f"smallest {label} δ"}
        ),
        f"{model}_min_conc": at(idx_min),
        f"{model}_status": per_block(status, status_attrs(model, MULTI_STATUS_CODES)),
    }
