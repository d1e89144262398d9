"""Published tables of N ≥ 3 drugs (SynergyFinder 3's multi-drug output) and their matching.

SynergyFinder 3 writes a combination of N drugs as ``drug1..drugN`` (block table) and
``conc1..concN`` (per-well surface); its single-drug fits name the drug ``conc1..concN``.
Published drugs are paired with the screen's (``drug_name`` (block, drug)) by name, so the
order of the drugs may differ between the two:
:attr:`Matching.pairs <synergy.benchmark.Matching.pairs>` then carries
``order`` (for each published drug, the position of the same drug in our block).
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd
import xarray as xr

from synergy.benchmark.columns import MODELS, block_ids
from synergy.benchmark.matching import Matching, _norm, normalise_id
from synergy.errors import SynergyError

__all__ = ["match_multi", "multi_canonical", "multi_merge_wells", "n_table_drugs"]

_NUMBERED = re.compile(r"^(drug|conc)(\d+)$", re.IGNORECASE)


def n_table_drugs(table: pd.DataFrame) -> int:
    """Number of drugs of a SynergyFinder multi-drug table (``drug1..N`` or ``conc1..N``
    with N ≥ 3), else 0."""
    found: dict[str, set[int]] = defaultdict(set)
    for column in table.columns:
        hit = _NUMBERED.match(str(column).strip())
        if hit:
            found[hit.group(1).lower()].add(int(hit.group(2)))
    n = 0
    for numbers in found.values():
        k = 0
        while k + 1 in numbers:
            k += 1
        n = max(n, k)
    return n if n >= 3 else 0


def _column(table: pd.DataFrame, name: str) -> str | None:
    lower = {str(c).strip().lower(): c for c in table.columns}
    return lower.get(name.lower())


def multi_canonical(
    table: pd.DataFrame, used: dict[str, str], name: str, n_drugs: int, numeric
) -> tuple[str, pd.DataFrame, dict[str, str]]:
    """A multi-drug block or well table in our shape.

    Returns
    -------
    level : {"block", "well"}
    frame : pandas.DataFrame
        ``block``, ``drugs`` (tuple of the table's drug names, in its order, or None),
        ``sample``, ``drug_row``/``drug_col`` (None), per-well ``conc_1..conc_N`` (the
        table's drug order) and the models.
    used : dict
        Role → column, the drug and dose columns included.
    """

    drugs = [_column(table, f"drug{k}") for k in range(1, n_drugs + 1)]
    concs = [_column(table, f"conc{k}") for k in range(1, n_drugs + 1)]
    level = "well" if all(concs) else "block"
    if "block" not in used and not all(drugs):
        raise SynergyError(f"{name}: a {n_drugs}-drug table needs block_id or drug1..drug{n_drugs}")
    out = pd.DataFrame(index=range(len(table)))
    out["block"] = block_ids(table[used["block"]]).to_numpy() if "block" in used else None
    if all(drugs):
        names = table[drugs].astype(str).apply(lambda c: c.str.strip())
        out["drugs"] = [tuple(row) for row in names.to_numpy().tolist()]
    else:
        out["drugs"] = None
    out["drug_row"] = out["drug_col"] = None
    out["sample"] = (
        table[used["sample"]].astype(str).str.strip().to_numpy() if "sample" in used else None
    )
    if level == "well":
        for k, column in enumerate(concs, start=1):
            out[f"conc_{k}"] = numeric(table, column, name)
    for model in MODELS:
        if model in used:
            out[model] = numeric(table, used[model], name)
    used = {role: col for role, col in used.items() if role not in ("drug_row", "drug_col")}
    used |= {f"drug{k}": c for k, c in enumerate(drugs, start=1) if c}
    if level == "well":
        used |= {f"conc{k}": c for k, c in enumerate(concs, start=1)}
    return level, out, used


def multi_merge_wells(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate multi-drug well tables (replicate rows of a well → their mean)."""

    wells = pd.concat(parts, ignore_index=True)
    if wells["block"].isna().any():
        raise SynergyError("per-well tables need a block id column (block_id)")
    keys = ["block", *sorted(c for c in wells.columns if c.startswith("conc_"))]
    models = [m for m in MODELS if m in wells]
    means = wells.groupby(keys, sort=False)[models].mean()
    return means.reset_index()


def multi_blocks_from_wells(wells: pd.DataFrame) -> pd.DataFrame:
    """Block scores of a publication with surfaces only: mean δ over the wells where every
    drug is present (SynergyFinder's definition)."""

    concs = [c for c in wells.columns if c.startswith("conc_")]
    every = (wells[concs] > 0).all(axis=1)
    models = [m for m in MODELS if m in wells]
    out = wells[every].groupby("block", sort=False)[models].mean().reset_index()
    out["drugs"] = None
    out["drug_row"] = out["drug_col"] = out["sample"] = None
    return out


def _order(ours: list[str], theirs: tuple[str, ...]) -> tuple[int, ...] | None:
    """For each published drug, the position of the same drug among ours (None if the
    two sets of drugs differ)."""
    if sorted(ours) != sorted(theirs):
        return None
    free = list(range(len(ours)))
    order = []
    for name in theirs:
        j = next(j for j in free if ours[j] == name)
        free.remove(j)
        order.append(j)
    return tuple(order)


def match_multi(screen: xr.Dataset, published: pd.DataFrame) -> Matching:
    """Pair an N-drug screen's blocks with the rows of a published multi-drug block table.

    By block id first (the drugs, when the table names them, must be the same set), then
    by the sorted set of drugs and the sample (when given) for what is left.

    Returns
    -------
    Matching
        ``pairs`` adds ``order`` (tuple: for each published drug, our drug's position);
        ``swapped`` is True when the orders differ.
    """
    blocks = [str(b) for b in screen["block"].values]
    names = [[_norm(v) for v in row] for row in screen["drug_name"].values.tolist()]
    samples = [_norm(v) for v in screen["sample"].values] if "sample" in screen.coords else None
    n_drug = screen.sizes["drug"]
    by_id = {normalise_id(b): i for i, b in enumerate(blocks)}
    by_set: dict[tuple, list[int]] = defaultdict(list)
    for i, row in enumerate(names):
        by_set[tuple(sorted(row))].append(i)
    taken: set[int] = set()
    rows, reasons = [], {}
    for index, r in published.iterrows():
        theirs = None if r["drugs"] is None else tuple(_norm(v) for v in r["drugs"])
        if theirs is not None and len(theirs) != n_drug:
            reasons[index] = f"{len(theirs)} drugs, the screen's blocks have {n_drug}"
            continue
        key = normalise_id(r["block"])
        if key is not None and key in by_id and by_id[key] not in taken:
            i = by_id[key]
            order = tuple(range(n_drug)) if theirs is None else _order(names[i], theirs)
            if order is None:
                reasons[index] = f"same id as our block {blocks[i]!r} but other drugs"
                continue
            rows.append(
                (blocks[i], index, r["block"], order != tuple(range(n_drug)), "block id", order)
            )
            taken.add(i)
            continue
        if theirs is None:
            reasons[index] = "no block of that id in the screen"
            continue
        sample = _norm(r["sample"])
        found = [
            i
            for i in by_set.get(tuple(sorted(theirs)), [])
            if i not in taken and (sample is None or samples is None or samples[i] == sample)
        ]
        if len(found) == 1:
            i = found[0]
            order = _order(names[i], theirs)
            by = "drugs and sample" if sample is not None else "drugs"
            rows.append((blocks[i], index, r["block"], order != tuple(range(n_drug)), by, order))
            taken.add(i)
        else:
            reasons[index] = (
                f"ambiguous: {len(found)} blocks of ours have these drugs"
                if found
                else "no block of ours has these drugs" + (" in this sample" if sample else "")
            )
    pairs = pd.DataFrame(
        rows, columns=["block", "index", "published_block", "swapped", "matched_by", "order"]
    )
    position = {b: i for i, b in enumerate(blocks)}
    pairs = pairs.sort_values("block", key=lambda c: c.map(position)).reset_index(drop=True)
    unmatched_published = []
    for index, r in published.iterrows():
        if index in set(pairs["index"]):
            continue
        what = f"block {r['block']!r}" if r["block"] is not None else "a row"
        if r["drugs"] is not None:
            what += " " + " × ".join(r["drugs"])
        unmatched_published.append(f"{what}: {reasons.get(index, 'not paired')}")
    unmatched_screen = [b for i, b in enumerate(blocks) if i not in taken]
    return Matching(pairs, unmatched_screen, unmatched_published)
