"""Pairing a screen's blocks with published rows: :func:`match_blocks`.

By block id first (when the published table has ids; a pair whose drugs disagree is not
paired by id), then by (drug_row, drug_col, sample) — in either drug order, a swapped pair
is flagged — for what is left.  Blocks without a partner on either side are listed, never
dropped silently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["Matching", "match_blocks"]


@dataclass
class Matching:
    """Which published row goes with which block of the screen.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per pair: ``block`` (ours), ``index`` (row of ``published.blocks``),
        ``published_block`` (its id or None), ``swapped`` (the published table has the
        drugs in the other order), ``matched_by`` (``"block id"`` or ``"drugs and sample"``
        / ``"drugs"``).
    unmatched_screen : list of str
        Our blocks with no published row.
    unmatched_published : list of str
        Published rows with no block of ours, described by id and drugs, with the reason.
    """

    pairs: pd.DataFrame
    unmatched_screen: list[str] = field(default_factory=list)
    unmatched_published: list[str] = field(default_factory=list)


def normalise_id(value: object) -> str | None:
    """Block id as compared: stripped text, integral numbers without leading zeros or ``.0``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if np.isfinite(number) and number == int(number) else text


def _norm(text: object) -> str | None:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    return str(text).strip().lower()


def _describe(block, drug_row, drug_col, sample) -> str:
    parts = []
    if block is not None:
        parts.append(f"block {block!r}")
    if drug_row is not None:
        parts.append(f"{drug_row} × {drug_col}")
    if sample is not None:
        parts.append(f"in {sample}")
    return " ".join(parts)


def match_blocks(screen: xr.Dataset, published: pd.DataFrame) -> Matching:
    """Pair the screen's blocks with the rows of a published block table.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (docs/design.md §1).
    published : pandas.DataFrame
        :attr:`PublishedScores.blocks <synergy.benchmark.PublishedScores.blocks>`
        (``block``, ``drug_row``, ``drug_col``, ``sample``).

    Returns
    -------
    Matching
    """
    blocks = [str(b) for b in screen["block"].values]
    drug_row = [_norm(v) for v in screen["drug_row"].values]
    drug_col = [_norm(v) for v in screen["drug_col"].values]
    samples = [_norm(v) for v in screen["sample"].values]
    by_id = {normalise_id(b): i for i, b in enumerate(blocks)}
    pub_index = published.index.tolist()
    pub_block = published["block"].tolist()
    pub_rows = [_norm(v) for v in published["drug_row"].tolist()]
    pub_cols = [_norm(v) for v in published["drug_col"].tolist()]
    pub_samples = [_norm(v) for v in published["sample"].tolist()]
    taken: set[int] = set()
    rows, reasons = [], {}
    for k, index in enumerate(pub_index):
        key = normalise_id(pub_block[k])
        if key is None or key not in by_id:
            continue
        i, p_row, p_col = by_id[key], pub_rows[k], pub_cols[k]
        swapped = False
        if p_row is not None and p_col is not None:
            same = (p_row, p_col) == (drug_row[i], drug_col[i])
            swapped = not same and (p_col, p_row) == (drug_row[i], drug_col[i])
            if not (same or swapped):
                reasons[index] = (
                    f"same id as our block {blocks[i]!r} but other drugs "
                    f"({drug_row[i]} × {drug_col[i]})"
                )
                continue
        rows.append((blocks[i], index, pub_block[k], bool(swapped), "block id"))
        taken.add(i)
    paired = {r[1] for r in rows}
    with_sample: dict[tuple, list[int]] = defaultdict(list)
    without_sample: dict[tuple, list[int]] = defaultdict(list)
    for i, key in enumerate(zip(drug_row, drug_col, samples, strict=True)):
        with_sample[key].append(i)
        without_sample[key[:2]].append(i)
    for k, index in enumerate(pub_index):
        if index in paired:
            continue
        p_row, p_col, sample = pub_rows[k], pub_cols[k], pub_samples[k]
        if p_row is None or p_col is None:
            reasons.setdefault(index, "no block of that id in the screen")
            continue
        if sample is not None:
            same = with_sample.get((p_row, p_col, sample), [])
            swap = with_sample.get((p_col, p_row, sample), [])
        else:
            same = without_sample.get((p_row, p_col), [])
            swap = without_sample.get((p_col, p_row), [])
        found = sorted({i for i in [*same, *swap] if i not in taken})
        if len(found) == 1:
            i = found[0]
            by = "drugs and sample" if sample is not None else "drugs"
            rows.append((blocks[i], index, pub_block[k], i not in same, by))
            taken.add(i)
        elif len(found) > 1:
            reasons[index] = f"ambiguous: {len(found)} blocks of ours have these drugs" + (
                "" if sample is not None else " (the table gives no sample)"
            )
        else:
            reasons.setdefault(
                index,
                "no block of ours has these drugs" + (" in this sample" if sample else ""),
            )
    pairs = pd.DataFrame(
        rows, columns=["block", "index", "published_block", "swapped", "matched_by"]
    )
    order = {b: i for i, b in enumerate(blocks)}
    pairs = pairs.sort_values("block", key=lambda c: c.map(order)).reset_index(drop=True)
    unmatched_screen = [blocks[i] for i in range(len(blocks)) if i not in taken]
    used = set(pairs["index"])
    unmatched_published = [
        f"{_describe(pub_block[k], pub_rows[k], pub_cols[k], pub_samples[k])}: "
        f"{reasons.get(index, 'not paired')}"
        for k, index in enumerate(pub_index)
        if index not in used
    ]
    return Matching(pairs, unmatched_screen, unmatched_published)
