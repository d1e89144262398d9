"""Published per-well surfaces located among the screen's wells, and compared with ours.

One rule for any number of drugs: a published well is the screen's well of the same block
whose every dose matches (relative tolerance :data:`DOSE_RTOL`), the published drugs taken
in our order (:attr:`Matching.pairs <synergy.benchmark.Matching.pairs>` ``order``).  The
screen is read through its flat per-well views (:func:`synergy.io.layout.flat_doses`,
:func:`~synergy.io.layout.flat_values`): a pair grid's cell (row, col) is one of its wells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from synergy.benchmark.agreement import agreement
from synergy.benchmark.matching import Matching, normalise_id
from synergy.benchmark.per_drug import dose_columns
from synergy.io.layout import flat_doses, flat_values, n_drugs

__all__ = ["DOSE_RTOL", "compare_wells", "place_wells"]

#: relative tolerance when matching a published dose to the screen's doses
DOSE_RTOL = 1e-6


#: published rows matched at a time (bounds the (rows, wells) comparison in memory)
_CHUNK = 65536


def _well_of(doses: np.ndarray, conc: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each row of ``doses`` (n, N), the first well of block ``b[row]`` of ``conc``
    (B, W, N) with every dose equal within :data:`DOSE_RTOL` (-1 where none)."""
    out = np.empty(len(doses), dtype=np.int64)
    for start in range(0, len(doses), _CHUNK):
        part = slice(start, start + _CHUNK)
        wells = conc[b[part]]  # (n, W, N)
        hit = np.ones(wells.shape[:2], dtype=bool)
        for k in range(doses.shape[1]):  # drug by drug: (n, W) at a time
            hit &= np.isclose(doses[part, k, None], wells[:, :, k], rtol=DOSE_RTOL, atol=0.0)
        out[part] = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
    return out


def place_wells(screen: xr.Dataset, wells: pd.DataFrame, matching: Matching) -> pd.DataFrame:
    """Published wells of the matched blocks, located among the screen's wells.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen of either layout.
    wells : pandas.DataFrame
        :attr:`PublishedScores.wells <synergy.benchmark.PublishedScores.wells>` (``block``,
        the doses — ``conc_row``/``conc_col``, or ``conc_1..conc_N`` — and the models); doses
        in the screen's unit.
    matching : Matching
        The block pairs.

    Returns
    -------
    pandas.DataFrame
        The published rows of matched blocks (in the order of ``matching.pairs``) with
        ``published_block``, ``block`` (ours), the doses in our drug order (a swapped pair's
        doses swapped), ``b``, ``w`` (our block and well; -1 where no well has these doses),
        ``combination`` (at least two drugs dosed) and ``measured`` (we have a response
        there).
    """
    doses = dose_columns(n_drugs(screen))
    position = {b: k for k, b in enumerate(screen["block"].values.astype(str))}
    keys = [normalise_id(b) for b in wells["block"].tolist()]
    rows_of = pd.Series(np.arange(len(wells))).groupby(keys, sort=False).indices
    takes, blocks, orders = [], [], []
    for pair in matching.pairs.itertuples():
        take = rows_of.get(normalise_id(pair.published_block))
        if take is None or pair.block not in position:
            continue
        takes.append(take)
        blocks.append(np.full(len(take), position[pair.block]))
        orders.append(np.broadcast_to(np.asarray(pair.order), (len(take), len(doses))))
    if not takes:
        return pd.DataFrame(columns=[*wells.columns, "b", "w", "combination", "measured"])
    take, b, order = np.concatenate(takes), np.concatenate(blocks), np.concatenate(orders)
    out = wells.iloc[take].reset_index(drop=True)
    published = out[doses].to_numpy(float)
    ours = np.empty_like(published)
    ours[np.arange(len(take))[:, None], order] = published  # published drug k: ours order[k]
    w = _well_of(ours, flat_doses(screen), b)
    response = flat_values(screen, "response")
    measured = (w >= 0) & np.isfinite(response[b, np.maximum(w, 0)]).any(axis=-1)
    names = screen["block"].values.astype(str)
    extra = {"published_block": out["block"].to_numpy(), "block": names[b]}
    extra |= {column: ours[:, k] for k, column in enumerate(doses)}
    extra |= {"b": b, "w": w, "combination": (ours > 0).sum(axis=1) >= 2, "measured": measured}
    return out.assign(**extra)


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
        ``block``, the doses (``conc_row``/``conc_col``, or ``conc_1..conc_N``; our drug
        order), ``model``, ``ours``, ``theirs``, ``diff``, ``placed`` (the published doses
        are one of our wells).
    summary : pandas.DataFrame
        :func:`~synergy.benchmark.agreement.agreement` of the wells, one row per model.
    """
    doses = dose_columns(n_drugs(scored))
    placed = place_wells(scored, wells, matching)
    placed = placed[placed["combination"]]
    on_grid = placed["w"].to_numpy(int) >= 0
    b, w = placed["b"].to_numpy(int), placed["w"].to_numpy(int)
    rows, summary = [], {}
    for model in models:
        if model not in placed or model not in scored:
            continue
        ours = np.full(len(placed), np.nan)
        ours[on_grid] = flat_values(scored, model)[b[on_grid], w[on_grid]]
        theirs = placed[model].to_numpy(float)
        frame = placed[["block", *doses]].reset_index(drop=True)
        frame = frame.assign(model=model, ours=ours, theirs=theirs, diff=ours - theirs)
        rows.append(frame.assign(placed=on_grid))
        summary[model] = agreement(ours, theirs, tolerance)
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return table, pd.DataFrame.from_dict(summary, orient="index")
