"""Pairing a screen's blocks with published rows: :func:`match_blocks`.

By block id first (when the published table has ids; a pair whose drugs disagree is not
paired by id), then by (drug_row, drug_col, sample) — in either drug order, a swapped pair
is flagged — for what is left.  Blocks without a partner on either side are listed, never
dropped silently.
"""

from __future__ import annotations

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


def _describe(row: pd.Series) -> str:
    parts = []
    if row["block"] is not None:
        parts.append(f"block {row['block']!r}")
    if row["drug_row"] is not None:
        parts.append(f"{row['drug_row']} × {row['drug_col']}")
    if row["sample"] is not None:
        parts.append(f"in {row['sample']}")
    return " ".join(parts)


def match_blocks(screen: xr.Dataset, published: pd.DataFrame) -> Matching:
    """Pair the screen's blocks with the rows of a published block table.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (DESIGN.md §1).
    published : pandas.DataFrame
        :attr:`PublishedScores.blocks` (``block``, ``drug_row``, ``drug_col``, ``sample``).

    Returns
    -------
    Matching
    """
    ours = pd.DataFrame(
        {
            "block": screen["block"].values.astype(str),
            "drug_row": [_norm(v) for v in screen["drug_row"].values],
            "drug_col": [_norm(v) for v in screen["drug_col"].values],
            "sample": [_norm(v) for v in screen["sample"].values],
        }
    )
    ours["key"] = [normalise_id(b) for b in ours["block"]]
    by_id = {key: i for i, key in enumerate(ours["key"])}
    taken: set[int] = set()
    rows, reasons = [], {}
    for index, row in published.iterrows():
        pub_row, pub_col = _norm(row["drug_row"]), _norm(row["drug_col"])
        key = normalise_id(row["block"])
        if key is None or key not in by_id:
            continue
        i = by_id[key]
        if pub_row is not None and pub_col is not None:
            same = (pub_row, pub_col) == (ours.drug_row[i], ours.drug_col[i])
            swapped = (pub_col, pub_row) == (ours.drug_row[i], ours.drug_col[i])
            if not (same or swapped):
                reasons[index] = (
                    f"same id as our block {ours.block[i]!r} but other drugs "
                    f"({ours.drug_row[i]} × {ours.drug_col[i]})"
                )
                continue
        else:
            swapped = False
        rows.append((ours.block[i], index, row["block"], bool(swapped), "block id"))
        taken.add(i)
    paired = {r[1] for r in rows}
    for index, row in published.iterrows():
        if index in paired:
            continue
        pub_row, pub_col = _norm(row["drug_row"]), _norm(row["drug_col"])
        if pub_row is None or pub_col is None:
            reasons.setdefault(index, "no block of that id in the screen")
            continue
        sample = _norm(row["sample"])
        free = ours.index.difference(list(taken))
        cand = ours.loc[free]
        if sample is not None:
            cand = cand[cand["sample"] == sample]
        same = cand[(cand.drug_row == pub_row) & (cand.drug_col == pub_col)]
        swap = cand[(cand.drug_row == pub_col) & (cand.drug_col == pub_row)]
        found = pd.concat([same, swap])
        if len(found) == 1:
            i = found.index[0]
            by = "drugs and sample" if sample is not None else "drugs"
            rows.append((ours.block[i], index, row["block"], i in swap.index, by))
            taken.add(i)
        elif len(found) > 1:
            reasons[index] = f"ambiguous: {len(found)} blocks of ours have these drugs" + (
                "" if sample is not None else " (the table gives no sample)"
            )
        else:
            reasons.setdefault(
                index,
                "no block of ours has these drugs"
                + (" in this sample" if sample is not None else ""),
            )
    pairs = pd.DataFrame(
        rows, columns=["block", "index", "published_block", "swapped", "matched_by"]
    )
    order = {b: i for i, b in enumerate(ours["block"])}
    pairs = pairs.sort_values("block", key=lambda s: s.map(order)).reset_index(drop=True)
    unmatched_screen = [ours.block[i] for i in range(len(ours)) if i not in taken]
    unmatched_published = [
        f"{_describe(published.loc[i])}: {reasons.get(i, 'not paired')}"
        for i in published.index
        if i not in paired and i not in set(pairs["index"])
    ]
    return Matching(pairs, unmatched_screen, unmatched_published)
