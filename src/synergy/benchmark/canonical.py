"""Published block and per-well tables brought to one shape, for any number of drugs.

A pair table names its drugs ``drug_row``/``drug_col`` and its doses ``conc_row``/
``conc_col``; SynergyFinder's tables of N ≥ 3 drugs number them ``drug1..drugN`` and
``conc1..concN`` (its single-drug fits name the drug ``conc1..concN``).  In our shape a block
row has ``block``, ``sample``, the drugs (``drug_row``/``drug_col``, or ``drugs``: a tuple
in the table's order) and the models; a well row has ``block``, the doses
(:func:`~synergy.benchmark.per_drug.dose_columns`, in the table's drug order) and the
models.  Merging replicate rows of a well and deriving block scores from surfaces is one
rule for every N.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import pandas as pd

from synergy.benchmark.columns import MODELS, block_ids, numeric_column
from synergy.benchmark.per_drug import dose_columns
from synergy.errors import SynergyError

__all__ = [
    "blocks_from_wells",
    "canonical",
    "check_unique",
    "merge_wells",
    "n_table_drugs",
    "numbered_canonical",
    "replicate_flag",
]

_NUMBERED = re.compile(r"^(drug|conc)(\d+)$", re.IGNORECASE)
#: columns describing a published block, carried from its wells (first non-empty value)
_DESCRIPTION = ("drug_row", "drug_col", "drugs", "sample")


def _column(table: pd.DataFrame, name: str) -> str | None:
    """The table's column called ``name`` (case-insensitive), or None."""
    lower = {str(c).strip().lower(): c for c in table.columns}
    return lower.get(name.lower())


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


def canonical(table: pd.DataFrame, used: dict[str, str], name: str) -> pd.DataFrame:
    """A pair block or well table (roles ``used``) in our shape."""
    out = pd.DataFrame(index=range(len(table)))
    out["block"] = block_ids(table[used["block"]]).to_numpy() if "block" in used else None
    for role in ("drug_row", "drug_col", "sample"):
        if role in used:
            text = table[used[role]].astype(str).str.strip()
            out[role] = text.where(table[used[role]].notna(), None).to_numpy()
        else:
            out[role] = None
    for role in ("conc_row", "conc_col", *MODELS):
        if role in used:
            out[role] = numeric_column(table, used[role], name)
    return out


def numbered_canonical(
    table: pd.DataFrame,
    used: dict[str, str],
    name: str,
    n_drugs: int,
    numeric: Callable[[pd.DataFrame, str, str], np.ndarray] = numeric_column,
) -> tuple[str, pd.DataFrame, dict[str, str]]:
    """A SynergyFinder table of N ≥ 3 drugs (``drug1..N``, ``conc1..N``) in our shape.

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
        for column, dose in zip(concs, dose_columns(n_drugs), strict=True):
            out[dose] = numeric(table, column, name)
    for model in MODELS:
        if model in used:
            out[model] = numeric(table, used[model], name)
    used = {role: col for role, col in used.items() if role not in ("drug_row", "drug_col")}
    used |= {f"drug{k}": c for k, c in enumerate(drugs, start=1) if c}
    if level == "well":
        used |= {f"conc{k}": c for k, c in enumerate(concs, start=1)}
    return level, out, used


def replicate_flag(table: pd.DataFrame, part: pd.DataFrame, used: dict[str, str]) -> None:
    """SynergyFinder's ``replicate`` column (TRUE: scored with replicates, i.e. bootstrap
    means) → ``replicated`` (bool); left out unless every value is TRUE/FALSE."""
    column = _column(table, "replicate")
    if column is None:
        return
    text = table[column].astype(str).str.strip().str.lower()
    if text.isin(["true", "false"]).all():
        part["replicated"] = (text == "true").to_numpy()
        used["replicated"] = column


def check_unique(blocks: pd.DataFrame, what: str) -> None:
    """Refuse a block table naming a block twice (by id, else by drugs and sample)."""
    if blocks["block"].isna().all() and "drugs" in blocks:
        key = blocks["drugs"].astype(str) + " " + blocks["sample"].astype(str)
    elif blocks["block"].isna().all():
        key = blocks[["drug_row", "drug_col", "sample"]].astype(str).agg(" × ".join, axis=1)
    else:
        key = blocks["block"]
    repeated = key[key.duplicated(keep=False)]
    if len(repeated):
        lines = (repeated.index.to_numpy() + 2).tolist()[:8]
        raise SynergyError(
            f"{what}: block {repeated.iloc[0]!r} appears more than once (lines {lines}); a "
            "block table has one row per block"
        )


def _doses(wells: pd.DataFrame, n_drugs: int) -> list[str]:
    return [c for c in dose_columns(n_drugs) if c in wells]


def merge_wells(parts: list[pd.DataFrame], n_drugs: int) -> pd.DataFrame:
    """Concatenate per-well tables; replicate rows of a well (our own well tables) → their
    mean.  The block's description (drugs, sample) is carried from its first row."""
    wells = pd.concat(parts, ignore_index=True)
    if wells["block"].isna().any():
        raise SynergyError("per-well tables need a block id column (block_id)")
    keys = ["block", *_doses(wells, n_drugs)]
    models = [m for m in MODELS if m in wells]
    described = [c for c in _DESCRIPTION if c in wells]
    first = wells.groupby(keys, sort=False)[described].first()
    means = wells.groupby(keys, sort=False)[models].mean()
    return first.join(means).reset_index()


def blocks_from_wells(wells: pd.DataFrame, n_drugs: int) -> pd.DataFrame:
    """Block scores of a publication with surfaces only: the mean δ over the combination
    wells, where every drug's dose is > 0 (SynergyFinder's definition)."""
    models = [m for m in MODELS if m in wells]
    every = (wells[_doses(wells, n_drugs)] > 0).all(axis=1)
    scores = wells[every].groupby("block", sort=False)[models].mean()
    described = [c for c in _DESCRIPTION if c in wells]
    first = wells.groupby("block", sort=False)[described].first()
    return first.join(scores).reset_index()
