"""Index arithmetic of N-drug screens (docs/design.md §1): which well is which (data layer).

Every model of an N-drug block looks up other wells of the same block: the single-drug well of
drug i at a well's dose of drug i (Bliss, HSA, the single-drug fits), and the wells that share
every other drug's dose (ZIP's slices).  These are computed once, for all blocks at once, with
pandas index lookups (no Python loop over blocks or wells), and handed to the models as
integer arrays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from synergy.errors import ScreenError

__all__ = [
    "Slices",
    "dose_cube",
    "gather",
    "n_present",
    "observed_wells",
    "replicate_mean",
    "single_drug_index",
    "slices_along",
    "well_doses",
]


def well_doses(screen: xr.Dataset) -> np.ndarray:
    """Doses (B, W, N) float64, C-contiguous (NaN for padding wells)."""
    conc = screen["conc"].transpose("block", "well", "drug").values
    return np.ascontiguousarray(conc, dtype=np.float64)


def replicate_mean(response: np.ndarray) -> np.ndarray:
    """Mean over the last axis (replicates), NaN ignored; NaN where nothing was measured.

    The sum is compensated (Kahan, in replicate order) and then divided by the count, as
    pandas' ``groupby().mean()`` computes it: the replicate-mean tables behind
    SynergyFinder's reference outputs were made that way, and drc's fits can move with the
    last bit of a response.  The compensated sum is never less accurate than a plain one.
    """
    response = np.asarray(response, dtype=np.float64)
    total = np.zeros(response.shape[:-1])
    compensation = np.zeros(response.shape[:-1])
    count = np.zeros(response.shape[:-1])
    for k in range(response.shape[-1]):  # K replicates: a few vectorised steps
        value = response[..., k]
        seen = np.isfinite(value)
        y = np.where(seen, value, 0.0) - compensation
        t = total + y
        compensation = np.where(seen, (t - total) - y, compensation)
        total = np.where(seen, t, total)
        count += seen
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def observed_wells(screen: xr.Dataset) -> np.ndarray:
    """Replicate mean of ``response`` (:func:`replicate_mean`), (B, W) float64."""
    response = np.asarray(screen["response"].transpose("block", "well", "replicate").values)
    return np.ascontiguousarray(replicate_mean(response), dtype=np.float64)


def n_present(conc: np.ndarray) -> np.ndarray:
    """Drugs with a dose > 0 in each well, (B, W) int; -1 for padding wells."""
    valid = np.isfinite(conc).all(axis=2)
    return np.where(valid, (np.nan_to_num(conc) > 0).sum(axis=2), -1)


def _keys(conc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    valid = np.isfinite(conc).all(axis=2)
    return np.nonzero(valid)


def single_drug_index(conc: np.ndarray) -> np.ndarray:
    """For each well and drug i, the well holding drug i alone at the same dose of drug i.

    Parameters
    ----------
    conc : (B, W, N) doses

    Returns
    -------
    (B, W, N) int64
        Index into the well axis of the same block; where the well's dose of drug i is 0
        this is the all-zero control well.  -1 where the block has no such well (or the
        well is padding).

    Raises
    ------
    ScreenError
        When a block lists the same dose combination twice.
    """
    n_block, n_well, n_drug = conc.shape
    blk, well = _keys(conc)
    columns = [conc[blk, well, k] for k in range(n_drug)]
    index = pd.MultiIndex.from_arrays([blk, *columns])
    if not index.is_unique:
        raise ScreenError("an N-drug block lists the same dose combination in two wells")
    lookup = pd.Series(well, index=index)
    out = np.full((n_block, n_well, n_drug), -1, dtype=np.int64)
    zeros = np.zeros(blk.size)
    for drug in range(n_drug):  # one vectorised lookup per drug (N is small)
        query = pd.MultiIndex.from_arrays(
            [blk, *[columns[k] if k == drug else zeros for k in range(n_drug)]]
        )
        found = lookup.reindex(query).to_numpy(dtype=np.float64)
        out[blk, well, drug] = np.where(np.isnan(found), -1, found).astype(np.int64)
    return out


class Slices(NamedTuple):
    """ZIP's slices along one drug: wells sharing every other drug's dose.

    ``well`` (S, P) int64: the slice's wells in ascending dose of the drug, or in input
    order (-1 padding);
    ``block`` (S,) int64: the block of each slice.
    """

    well: np.ndarray
    block: np.ndarray


def slices_along(conc: np.ndarray, drug: int, order: np.ndarray | None = None) -> Slices:
    """Group every block's wells by the doses of all drugs but ``drug``.

    Parameters
    ----------
    conc : (B, W, N) doses
    drug : index of the drug along which the slices run
    order : (B, W) int, optional
        Rank of each well in the input (``input_order``; -1 = not in the input): the slice's
        wells follow it (SynergyFinder fits slices in its table's row order); default
        ascending dose.

    Returns
    -------
    Slices
    """
    n_drug = conc.shape[2]
    blk, well = _keys(conc)
    if blk.size == 0:
        return Slices(np.empty((0, 0), dtype=np.int64), np.empty(0, dtype=np.int64))
    others = {f"c{k}": conc[blk, well, k] for k in range(n_drug) if k != drug}
    frame = pd.DataFrame({"b": blk, **others})
    group = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    if order is None:
        key = conc[blk, well, drug]
    else:
        key = np.where(order[blk, well] >= 0, order[blk, well], np.iinfo(np.int64).max)
    sort = np.lexsort((conc[blk, well, drug], key, group))
    group, blk, well = group[sort], blk[sort], well[sort]
    position = pd.Series(group).groupby(group).cumcount().to_numpy()
    n_slices = int(group.max()) + 1
    out = np.full((n_slices, int(position.max()) + 1), -1, dtype=np.int64)
    out[group, position] = well
    block_of = np.empty(n_slices, dtype=np.int64)
    block_of[group] = blk
    return Slices(out, block_of)


def gather(values: np.ndarray, block: np.ndarray, well: np.ndarray) -> np.ndarray:
    """``values[block, well]`` with NaN where ``well`` is -1 (broadcasting ``block``)."""
    safe = np.where(well >= 0, well, 0)
    picked = values[block, safe] if block.ndim == well.ndim else values[block[:, None], safe]
    return np.where(well >= 0, picked, np.nan)


def dose_cube(conc: np.ndarray, values: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """One block's wells as a dense array over its dose grid (for slices and figures).

    Parameters
    ----------
    conc : (W, N) doses of one block (NaN rows = padding)
    values : (W,) a value per well (e.g. δ or the observed mean)

    Returns
    -------
    doses : list of N ascending arrays, the distinct doses of each drug
    cube : ndarray of shape (len(doses[0]), …, len(doses[N-1])), NaN where no well
    """
    keep = np.isfinite(conc).all(axis=1)
    conc, values = conc[keep], values[keep]
    doses = [np.unique(conc[:, k]) for k in range(conc.shape[1])]
    cube = np.full([d.size for d in doses], np.nan)
    index = tuple(np.searchsorted(d, conc[:, k]) for k, d in enumerate(doses))
    cube[index] = values
    return doses, cube
