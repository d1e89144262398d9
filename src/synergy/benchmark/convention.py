"""Agreement per model, and which SynergyFinder convention reproduces a published table.

``convention="auto"`` scores under both conventions; per block and model the convention
whose |ours − published| is smaller is the closer one, ``"tie"`` when the two differ by at
most :data:`TIE_POINTS`; per model the convention closer on more blocks wins (then the
smaller mean |diff|, else ``"tie"``); overall, the convention winning more models
(``"tie"`` when they win as many).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synergy.benchmark.agreement import agreement

__all__ = ["CONVENTIONS", "TIE_POINTS", "choose", "summarise"]

CONVENTIONS = ("synergyfinder3", "synergyfinder2")
#: two conventions tie on a block when their |diff| differ by at most this (% points)
TIE_POINTS = 0.01


def summarise(table: pd.DataFrame, models: tuple[str, ...], tolerance: float) -> pd.DataFrame:
    """Per-model agreement (:func:`~synergy.benchmark.agreement.agreement`) of a block table
    with ``model``, ``ours`` and ``theirs`` columns; one row per model (index ``model``)."""
    rows = {}
    for model in models:
        part = table[table["model"] == model]
        rows[model] = agreement(part["ours"].to_numpy(), part["theirs"].to_numpy(), tolerance)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "model"
    return out


def _closer(a3: np.ndarray, a2: np.ndarray) -> np.ndarray:
    """Per row: the convention with the smaller |diff| (a NaN loses), or ``"tie"``."""
    gap = np.abs(a3 - a2)
    out = np.where(a3 < a2, CONVENTIONS[0], CONVENTIONS[1]).astype(object)
    out[np.isnan(a3) & ~np.isnan(a2)] = CONVENTIONS[1]
    out[np.isnan(a2) & ~np.isnan(a3)] = CONVENTIONS[0]
    out[(gap <= TIE_POINTS) | (np.isnan(a3) & np.isnan(a2))] = "tie"
    return out


def choose(
    tables: dict[str, pd.DataFrame], models: tuple[str, ...], tolerance: float
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Which convention reproduces the published scores.

    Parameters
    ----------
    tables : dict
        Convention → block table (``block``, ``model``, ``ours``, ``theirs``, ``abs_diff``),
        rows in the same order for both conventions.
    models : tuple of str
        Models compared.
    tolerance : float
        Agreement tolerance, % points.

    Returns
    -------
    conventions : pandas.DataFrame
        The per-model agreement under each convention (``convention``, ``model`` + the
        :func:`summarise` columns) and ``best``.
    blocks : pandas.DataFrame
        ``block``, ``model``, ``abs_diff_<convention>`` and ``closer``.
    best : dict
        Model → ``"synergyfinder3"``, ``"synergyfinder2"`` or ``"tie"``; and ``"overall"``.
    """
    first, second = (tables[c] for c in CONVENTIONS)
    blocks = first[["block", "model"]].copy()
    blocks["abs_diff_synergyfinder3"] = first["abs_diff"].to_numpy()
    blocks["abs_diff_synergyfinder2"] = second["abs_diff"].to_numpy()
    blocks["closer"] = _closer(first["abs_diff"].to_numpy(), second["abs_diff"].to_numpy())
    summaries = []
    for convention in CONVENTIONS:
        s = summarise(tables[convention], models, tolerance).reset_index()
        s.insert(0, "convention", convention)
        summaries.append(s)
    conventions = pd.concat(summaries, ignore_index=True)
    best: dict[str, str] = {}
    for model in models:
        counts = blocks.loc[blocks["model"] == model, "closer"].value_counts()
        wins = [int(counts.get(c, 0)) for c in CONVENTIONS]
        if wins[0] != wins[1]:
            best[model] = CONVENTIONS[int(np.argmax(wins))]
            continue
        means = conventions.loc[conventions["model"] == model, "mean_abs_diff"].to_numpy()
        gap = means[0] - means[1]
        best[model] = "tie" if not abs(gap) > TIE_POINTS else CONVENTIONS[int(gap > 0)]
    votes = [sum(v == c for v in best.values()) for c in CONVENTIONS]
    best["overall"] = "tie" if votes[0] == votes[1] else CONVENTIONS[int(np.argmax(votes))]
    conventions["best"] = conventions["model"].map(best)
    return conventions, blocks, best
