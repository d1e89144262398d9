"""Published per-well surfaces placed on the screen's dose grid, and compared with ours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from synergy.benchmark.agreement import agreement
from synergy.benchmark.matching import Matching, normalise_id

__all__ = ["compare_wells", "place_wells"]

#: relative tolerance when matching a published dose to the screen's grid
DOSE_RTOL = 1e-6


def _index(grid: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Position of each value in the grid (-1 where none matches)."""
    hit = np.isclose(values[:, None], grid[None, :], rtol=DOSE_RTOL, atol=0.0)
    hit &= np.isfinite(grid)[None, :]
    return np.where(hit.any(axis=1), hit.argmax(axis=1), -1)


def place_wells(screen: xr.Dataset, wells: pd.DataFrame, matching: Matching) -> pd.DataFrame:
    """Published wells of the matched blocks, located on the screen's grid.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen.
    wells : pandas.DataFrame
        :attr:`PublishedScores.wells <synergy.benchmark.PublishedScores.wells>`
        (``block``, ``conc_row``, ``conc_col``, models);
        doses in the screen's unit.  A swapped pair's doses are swapped.
    matching : Matching
        The block pairs.

    Returns
    -------
    pandas.DataFrame
        The published rows with ``block`` (ours), ``b``, ``i``, ``j`` (positions; -1 where a
        dose is not on our grid), ``combination`` (both doses > 0) and ``measured`` (we have
        a response there).
    """
    position = {b: k for k, b in enumerate(screen["block"].values.astype(str))}
    keys = [normalise_id(b) for b in wells["block"].tolist()]
    rows_of = pd.Series(np.arange(len(wells))).groupby(keys, sort=False).indices
    conc_row = screen["conc_row"].values
    conc_col = screen["conc_col"].values
    response = screen["response"].values
    parts = []
    for pair in matching.pairs.itertuples():
        take = rows_of.get(normalise_id(pair.published_block))
        if take is None or pair.block not in position:
            continue
        part = wells.iloc[take].copy()
        b = position[pair.block]
        x_row, x_col = part["conc_row"].to_numpy(float), part["conc_col"].to_numpy(float)
        if pair.swapped:
            x_row, x_col = x_col, x_row
        i, j = _index(conc_row[b], x_row), _index(conc_col[b], x_col)
        part["published_block"] = part["block"]
        part["block"] = pair.block
        part["b"], part["i"], part["j"] = b, i, j
        part["conc_row"], part["conc_col"] = x_row, x_col
        part["combination"] = (x_row > 0) & (x_col > 0)
        placed = (i >= 0) & (j >= 0)
        measured = np.zeros(len(part), dtype=bool)
        measured[placed] = np.isfinite(response[b, i[placed], j[placed]]).any(axis=-1)
        part["measured"] = measured
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*wells.columns, "b", "i", "j", "combination", "measured"])
    return pd.concat(parts, ignore_index=True)


def compare_wells(
    scored: xr.Dataset,
    wells: pd.DataFrame,
    matching: Matching,
    models: tuple[str, ...],
    tolerance: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-well δ of the combination wells, ours vs published, and its agreement per model.

    Returns
    -------
    table : pandas.DataFrame
        ``block``, ``conc_row``, ``conc_col``, ``model``, ``ours``, ``theirs``, ``diff``,
        ``placed`` (the published dose pair is on our grid).
    summary : pandas.DataFrame
        :func:`~synergy.benchmark.agreement.agreement` of the wells, one row per model.
    """
    placed = place_wells(scored, wells, matching)
    placed = placed[placed["combination"]]
    rows, summary = [], {}
    on_grid = (placed["i"] >= 0) & (placed["j"] >= 0)
    b, i, j = (placed[k].to_numpy(int) for k in ("b", "i", "j"))
    for model in models:
        if model not in placed or model not in scored:
            continue
        ours = np.full(len(placed), np.nan)
        ours[on_grid] = scored[model].values[b[on_grid], i[on_grid], j[on_grid]]
        theirs = placed[model].to_numpy(float)
        rows.append(
            pd.DataFrame(
                {
                    "block": placed["block"].to_numpy(),
                    "conc_row": placed["conc_row"].to_numpy(),
                    "conc_col": placed["conc_col"].to_numpy(),
                    "model": model,
                    "ours": ours,
                    "theirs": theirs,
                    "diff": ours - theirs,
                    "placed": on_grid.to_numpy(),
                }
            )
        )
        summary[model] = agreement(ours, theirs, tolerance)
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return table, pd.DataFrame.from_dict(summary, orient="index")
