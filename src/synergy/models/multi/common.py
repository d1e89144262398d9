"""Shared pieces of the N-drug models: the block's wells, δ, summaries and status.

δ is defined at every well with two or more drugs present (SynergyFinder 3 scores those;
wells with one drug or none keep reference = observed, δ = 0).  The block score is the mean
δ over the measured wells where **every** drug is present (SynergyFinder 3's summary for
multi-drug blocks), with the number of wells used.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import xarray as xr

from synergy._kernels.surface import ordered_sum
from synergy.io.wells import gather, n_present, observed_wells, single_drug_index, well_doses
from synergy.models.common import SEVERITY_FAILED, status_attrs

__all__ = ["MultiBlock", "edge_values", "multi_block", "summarise_multi", "well_variable"]


class MultiBlock(NamedTuple):
    """Arrays of an N-drug screen the models share (see :func:`multi_block`)."""

    conc: np.ndarray  # (B, W, N) doses
    observed: np.ndarray  # (B, W) replicate means, % inhibition
    present: np.ndarray  # (B, W) drugs with dose > 0; -1 padding
    single: np.ndarray  # (B, W, N) well of drug i alone at the well's dose (-1: none)
    order: np.ndarray | None  # (B, W) rank of each well in the input, if known


def multi_block(screen: xr.Dataset) -> MultiBlock:
    """Doses, observed means, drugs present, single-drug lookups and input order of blocks."""
    conc = well_doses(screen)
    order = np.asarray(screen["input_order"].values) if "input_order" in screen else None
    return MultiBlock(conc, observed_wells(screen), n_present(conc), single_drug_index(conc), order)


def edge_values(block: MultiBlock, values: np.ndarray) -> np.ndarray:
    """(B, W, N): ``values`` (B, W) at each well's single-drug wells (NaN where missing)."""
    n_block = block.conc.shape[0]
    return gather(values, np.arange(n_block)[:, None, None], block.single)


def well_variable(screen: xr.Dataset, values: np.ndarray, attrs: dict[str, Any]) -> xr.DataArray:
    """Wrap a (B, W) array as a DataArray on the screen's block/well."""
    return xr.DataArray(
        values, dims=("block", "well"), coords={"block": screen["block"].values}, attrs=attrs
    )


def delta_and_reference(block: MultiBlock, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference = observed where fewer than two drugs are present; δ = observed − reference."""
    combo = block.present >= 2
    observed = block.observed
    reference = np.where(combo, reference, observed)
    delta = np.where(combo, observed - reference, np.where(np.isfinite(observed), 0.0, np.nan))
    return reference, delta


MULTI_STATUS_CODES = (0, 2, 3, 4, 5, 6, 10, 11, 12, 13)


def summarise_multi(
    model: str,
    screen: xr.Dataset,
    block: MultiBlock,
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
    n_drug = block.conc.shape[2]
    full = block.present == n_drug
    measured = full & np.isfinite(block.observed)
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
    no_full = ~(full & (block.present >= 0)).any(axis=1)
    missing_full = full.sum(axis=1) > measured.sum(axis=1)
    status = np.maximum(status, np.where(missing_full, 2, 0).astype(np.int8))
    combo_missing_edges = (block.present >= 2) & np.isfinite(block.observed)
    combo_missing_edges &= (block.single < 0).any(axis=2)
    status = np.maximum(status, np.where(combo_missing_edges.any(axis=1), 3, 0).astype(np.int8))
    status = np.where(
        (status < SEVERITY_FAILED) & ~has, np.where(no_full | ~measured.any(axis=1), 12, 13), status
    ).astype(np.int8)
    coords = {"block": screen["block"].values}

    def per_block(values, attrs):
        return xr.DataArray(values, dims=("block",), coords=coords, attrs=attrs)

    def at(index):
        conc = block.conc[rows, index]  # (B, N)
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
