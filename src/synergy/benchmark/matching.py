"""Pairing a screen's blocks with published rows: :func:`match_blocks`, for any N drugs.

By block id first (when the published table has ids; a block whose drugs disagree is not
paired by id), then by the drugs (in any order: the published order is kept as ``order``, a
pair in the other order is flagged ``swapped``) and the sample for what is left.  Blocks
without a partner on either side are listed, never dropped silently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from synergy.io.layout import drug_names, n_drugs

__all__ = ["Matching", "match_blocks", "normalise_id", "published_drugs"]


@dataclass
class Matching:
    """Which published row goes with which block of the screen.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per pair: ``block`` (ours), ``index`` (row of ``published.blocks``),
        ``published_block`` (its id or None), ``swapped`` (the published table has the
        drugs in another order), ``matched_by`` (``"block id"`` or ``"drugs and sample"``
        / ``"drugs"``) and ``order`` (for each published drug, the position of the same
        drug in our block).
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


def published_drugs(published: pd.DataFrame) -> list[tuple[str, ...] | None]:
    """Each published row's drugs, normalised (stripped, lower case), in the table's order; None
    where the row names no drugs (or not all of them).

    SynergyFinder's tables of N ≥ 3 drugs carry ``drugs`` (a tuple); pair tables carry
    ``drug_row`` and ``drug_col``.
    """
    n_rows = len(published)
    tuples = published["drugs"].tolist() if "drugs" in published else [None] * n_rows
    rows = published["drug_row"].tolist() if "drug_row" in published else [None] * n_rows
    cols = published["drug_col"].tolist() if "drug_col" in published else [None] * n_rows
    out: list[tuple[str, ...] | None] = []
    for names, row, col in zip(tuples, rows, cols, strict=True):
        if not isinstance(names, tuple):
            names = (row, col)
        normal = tuple(_norm(v) for v in names)
        out.append(None if any(v is None for v in normal) else normal)
    return out


def _order(ours: list[str | None], theirs: tuple[str, ...]) -> tuple[int, ...] | None:
    """For each published drug, the position of the same drug among ours (None if the two
    sets of drugs differ)."""
    if len(ours) != len(theirs) or sorted(map(str, ours)) != sorted(theirs):
        return None
    free = list(range(len(ours)))
    order = []
    for name in theirs:
        j = next(j for j in free if ours[j] == name)
        free.remove(j)
        order.append(j)
    return tuple(order)


def _describe(block, drugs, sample) -> str:
    parts = []
    if block is not None:
        parts.append(f"block {block!r}")
    if drugs is not None:
        parts.append(" × ".join(drugs))
    if sample is not None:
        parts.append(f"in {sample}")
    return " ".join(parts) or "a row"


def match_blocks(screen: xr.Dataset, published: pd.DataFrame) -> Matching:
    """Pair the screen's blocks with the rows of a published block table, for any N drugs.

    By block id first (when the table names the drugs too, they must be the block's drugs,
    in any order), then by the set of drugs and the sample (when the table gives one) for
    what is left.  A pair is N = 2: ``swapped`` says its drugs are the other way round.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen of either layout (docs/design.md §1, §1.1).
    published : pandas.DataFrame
        :attr:`PublishedScores.blocks <synergy.benchmark.PublishedScores.blocks>`
        (``block``, ``sample`` and the drugs: ``drug_row``/``drug_col``, or ``drugs``).

    Returns
    -------
    Matching
        ``pairs`` also has ``order``: for each published drug, the position of the same
        drug in our block (``swapped`` is True when that is not 0, 1, …, N − 1).
    """
    blocks = [str(b) for b in screen["block"].values]
    names = [[_norm(v) for v in row] for row in drug_names(screen).tolist()]
    n_drug = n_drugs(screen)
    same_order = tuple(range(n_drug))
    samples = [_norm(v) for v in screen["sample"].values] if "sample" in screen.coords else None
    by_id = {normalise_id(b): i for i, b in enumerate(blocks)}
    pub_index = published.index.tolist()
    pub_block = published["block"].tolist()
    pub_drugs = published_drugs(published)
    pub_samples = [_norm(v) for v in published["sample"].tolist()]
    taken: set[int] = set()
    rows, reasons = [], {}
    for k, index in enumerate(pub_index):
        theirs = pub_drugs[k]
        if theirs is not None and len(theirs) != n_drug:
            reasons[index] = f"{len(theirs)} drugs, the screen's blocks have {n_drug}"
            continue
        key = normalise_id(pub_block[k])
        if key is None or key not in by_id or by_id[key] in taken:
            continue
        i = by_id[key]
        order = same_order if theirs is None else _order(names[i], theirs)
        if order is None:
            reasons[index] = (
                f"same id as our block {blocks[i]!r} but other drugs ({' × '.join(names[i])})"
            )
            continue
        rows.append((blocks[i], index, pub_block[k], order != same_order, "block id", order))
        taken.add(i)
    paired = {r[1] for r in rows}
    by_drugs: dict[tuple, list[int]] = defaultdict(list)
    for i, row in enumerate(names):
        by_drugs[tuple(sorted(map(str, row)))].append(i)
    for k, index in enumerate(pub_index):
        if index in paired:
            continue
        theirs, sample = pub_drugs[k], pub_samples[k]
        if theirs is None:
            reasons.setdefault(index, "no block of that id in the screen")
            continue
        found = [
            i
            for i in by_drugs.get(tuple(sorted(theirs)), [])
            if i not in taken and (sample is None or samples is None or samples[i] == sample)
        ]
        if len(found) == 1:
            i = found[0]
            order = _order(names[i], theirs)
            by = "drugs and sample" if sample is not None else "drugs"
            rows.append((blocks[i], index, pub_block[k], order != same_order, by, order))
            taken.add(i)
        elif found:
            reasons[index] = f"ambiguous: {len(found)} blocks of ours have these drugs" + (
                "" if sample is not None else " (the table gives no sample)"
            )
        else:
            reasons.setdefault(
                index, "no block of ours has these drugs" + (" in this sample" if sample else "")
            )
    pairs = pd.DataFrame(
        rows, columns=["block", "index", "published_block", "swapped", "matched_by", "order"]
    )
    position = {b: i for i, b in enumerate(blocks)}
    pairs = pairs.sort_values("block", key=lambda c: c.map(position)).reset_index(drop=True)
    unmatched_screen = [blocks[i] for i in range(len(blocks)) if i not in taken]
    used = set(pairs["index"])
    unmatched_published = [
        f"{_describe(pub_block[k], pub_drugs[k], pub_samples[k])}: "
        f"{reasons.get(index, 'not paired')}"
        for k, index in enumerate(pub_index)
        if index not in used
    ]
    return Matching(pairs, unmatched_screen, unmatched_published)
