"""Agreement per model, and which SynergyFinder convention reproduces a published table.

``convention="auto"`` scores under both conventions, then under the winner with SynergyFinder's
baseline corrections (``correct_baseline`` = ``"non"``, ``"part"``, ``"all"``).  Among the
settings compared, per block and model the one whose |ours − published| is smallest is the
closer one, ``"tie"`` when another is within :data:`TIE_POINTS`; per model the setting closer
on more blocks wins (then the smaller mean |diff|, else ``"tie"``, naming the tied settings);
overall, the setting winning more models (``"tie"`` when several win as many).
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


def _closer(diffs: np.ndarray, labels: list[str]) -> np.ndarray:
    """Per row of ``diffs`` (rows × options, |diff|): the option with the smallest |diff| (a
    NaN loses), or ``"tie"`` when another is within :data:`TIE_POINTS` of it."""
    filled = np.where(np.isnan(diffs), np.inf, diffs)
    low = filled.min(axis=1, keepdims=True)
    near = (filled - low <= TIE_POINTS) | (np.isinf(filled) & np.isinf(low))
    out = np.array([labels[k] for k in filled.argmin(axis=1)], dtype=object)
    out[near.sum(axis=1) > 1] = "tie"
    return out


def choose(
    tables: dict[str, pd.DataFrame],
    models: tuple[str, ...],
    tolerance: float,
    key: str = "convention",
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str], dict[str, list[str]]]:
    """Which scoring setting (convention, or baseline correction) reproduces the table.

    Parameters
    ----------
    tables : dict
        Setting → block table (``block``, ``model``, ``ours``, ``theirs``, ``abs_diff``),
        rows in the same order for every setting.
    models : tuple of str
        Models compared.
    tolerance : float
        Agreement tolerance, % points.
    key : str
        Name of the setting's column (``"convention"``, ``"correct_baseline"``).

    Returns
    -------
    settings : pandas.DataFrame
        The per-model agreement under each setting (``key``, ``model`` + the
        :func:`summarise` columns) and ``best``.
    blocks : pandas.DataFrame
        ``block``, ``model``, ``abs_diff_<setting>`` and ``closer``.
    best : dict
        Model → the setting closer on more blocks (then: smaller mean |diff|), or ``"tie"``;
        ``"overall"``: the setting best for more models, or ``"tie"``.
    ties : dict
        For every ``"tie"`` of ``best``: the settings tied.
    """
    labels = list(tables)
    first = tables[labels[0]]
    blocks = first[["block", "model"]].copy()
    diffs = np.column_stack([tables[c]["abs_diff"].to_numpy(float) for c in labels])
    for k, label in enumerate(labels):
        blocks[f"abs_diff_{label}"] = diffs[:, k]
    blocks["closer"] = _closer(diffs, labels)
    summaries = []
    for label in labels:
        s = summarise(tables[label], models, tolerance).reset_index()
        s.insert(0, key, label)
        summaries.append(s)
    frame = pd.concat(summaries, ignore_index=True)
    best: dict[str, str] = {}
    ties: dict[str, list[str]] = {}
    for model in models:
        counts = blocks.loc[blocks["model"] == model, "closer"].value_counts()
        wins = np.array([int(counts.get(c, 0)) for c in labels])
        candidates = [c for c, w in zip(labels, wins, strict=True) if w == wins.max()]
        if len(candidates) > 1:
            means = frame[frame["model"] == model].set_index(key)["mean_abs_diff"]
            values = means.reindex(candidates).to_numpy(float)
            values = np.where(np.isnan(values), np.inf, values)
            candidates = [c for c, v in zip(candidates, values, strict=True)
                          if v - values.min() <= TIE_POINTS or np.isinf(values.min())]  # fmt: skip
        best[model] = candidates[0] if len(candidates) == 1 else "tie"
        if len(candidates) > 1:
            ties[model] = candidates
    votes = np.array([sum(v == c for v in best.values()) for c in labels])
    top = [c for c, v in zip(labels, votes, strict=True) if v == votes.max()]
    if votes.max() > 0 and len(top) == 1:
        best["overall"] = top[0]
    else:
        best["overall"] = "tie"
        ties["overall"] = top if votes.max() > 0 else sorted(
            {c for m in models for c in ties.get(m, [])}, key=labels.index)  # fmt: skip
    frame["best"] = frame["model"].map(best)
    return frame, blocks, best, ties
