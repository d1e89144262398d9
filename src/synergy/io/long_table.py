"""Helpers of the long-table readers shared by pairs (:mod:`synergy.io.reader`) and N-drug
screens (:mod:`synergy.io.layout`): units, replicate numbering, controls, input order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synergy.errors import ColumnError, SynergyError, UnitError
from synergy.io.checks import check_consistent_per_block, check_duplicate_wells, check_text
from synergy.io.response_kind import control_mask
from synergy.io.units import MOLAR_FACTORS, canonical_unit, conversion_factor

__all__ = [
    "INPUT_ORDER_ATTRS",
    "average_controls",
    "first_rows",
    "replicate_index",
    "resolve_units",
]


def resolve_units(
    table: pd.DataFrame, conc_unit: str | None, drug_units: dict[str, str] | None = None
) -> tuple[str, dict]:
    """Convert every concentration column to one unit in place; return it and a record.

    ``drug_units`` maps each concentration column to its own unit column (default: the
    pair's ``conc_unit_row``/``conc_unit_col``); a missing one falls back to ``conc_unit``.
    """
    drug_units = drug_units or {"conc_row": "conc_unit_row", "conc_col": "conc_unit_col"}
    unit_roles = {side: role if role in table else "conc_unit" for side, role in drug_units.items()}
    if not any(r in table for r in unit_roles.values()):
        target = canonical_unit(conc_unit) if conc_unit else "unspecified"
        return target, {"input_units": None, "note": "no unit column; taken as " + target}
    unit_of: dict[str, np.ndarray] = {}  # per row: the canonical unit, as a code into `names`
    names: list[str] = list(MOLAR_FACTORS)
    for side, role in unit_roles.items():
        if role not in table:
            raise ColumnError(
                f"{table['_file'].iloc[0]}: a unit column exists for some drugs only; "
                f"add {role!r} (or one 'conc_unit' column for every drug)"
            )
        raw = check_text(table, role, what="concentration unit")
        canon = []
        for u in raw.cat.categories:
            try:
                canon.append(names.index(canonical_unit(u)))
            except SynergyError as exc:
                bad = table.loc[(raw == u).to_numpy()]
                raise type(exc)(
                    f"{bad['_file'].iloc[0]}, lines {bad['_line'].head(8).tolist()}; "
                    f"column {role!r}: {exc}"
                ) from None
        unit_of[side] = np.asarray(canon, dtype=np.int64)[raw.cat.codes.to_numpy()]
        check_consistent_per_block(
            table.assign(**{role: unit_of[side]}),
            role,
            what=f"unit of the {side.replace('conc_', '')} drug",
            labels=names,
            error=UnitError,
            fix="use one unit per drug within a block",
        )
    counts = np.bincount(np.concatenate(list(unit_of.values())), minlength=len(names))
    target = canonical_unit(conc_unit) if conc_unit else names[int(np.argmax(counts))]
    factors = np.array([conversion_factor(u, target) for u in names])
    for side, codes in unit_of.items():
        table[side] = table[side].to_numpy(np.float64) * factors[codes]
    return target, {"input_units": {names[i]: int(n) for i, n in enumerate(counts) if n}}


INPUT_ORDER_ATTRS = {
    "long_name": "rank of the well's first measured row in the input (-1: none)",
    "comment": "SynergyFinder fits ZIP and CSS slices in its table's row order; drc's result "
    "depends on that order in the last bits, so slice fits follow it (docs/synergyfinder.md §2)",
}


def first_rows(well: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct wells of ``well`` and the input rank of each one's first row.

    ``well`` is the flat well index of every measured input row, in input order.  A screen's
    ``input_order`` holds these ranks at the wells (-1 elsewhere); ``to_table(level="well")``
    writes wells in this order, so a round trip keeps it.

    Returns
    -------
    codes : (M,) int64, the distinct well indices, ascending
    ranks : (M,) int64, 0 for the well whose first row comes first in the input, …
    """
    codes, first = np.unique(well, return_index=True)
    return codes, np.argsort(np.argsort(first, kind="stable"), kind="stable")


def average_controls(
    block_code: np.ndarray,
    control: np.ndarray,
    rep_idx: np.ndarray,
    n_rep: int,
    values: np.ndarray,
    n_block: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which control rows to average into one control value per block (docs/design.md §6.4).

    Controls (every dose 0) beyond the replicate count are averaged, with their count kept.

    Returns
    -------
    average : (rows,) bool, control rows that are averaged (not stored one by one)
    n_control : (B,) int, control rows per block
    blocks : (M,) int, blocks whose controls are averaged
    means : (M,) float, their mean control response (NaN values left out)
    """
    n_control = np.bincount(block_code[control], minlength=n_block)
    overflow = np.bincount(block_code[control & (rep_idx >= n_rep)], minlength=n_block) > 0
    average = control & ((n_control > n_rep) | overflow)[block_code]
    blocks = np.unique(block_code[average])
    sums = np.bincount(
        block_code[average], weights=np.nan_to_num(values[average]), minlength=n_block
    )
    counts = np.bincount(
        block_code[average], weights=np.isfinite(values[average]), minlength=n_block
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums[blocks] / counts[blocks]
    return average, n_control, blocks, means


def replicate_index(table: pd.DataFrame, well: np.ndarray) -> tuple[np.ndarray, int, dict]:
    """Replicate index of each row, the replicate count K, and a record for provenance.

    ``well`` numbers the rows' wells (one code per block and dose combination).
    """
    control = control_mask(table).to_numpy()
    if "replicate" in table:
        labels = check_text(table, "replicate", what="replicate label")
        check_duplicate_wells(table, well, labels.to_numpy())
        uniq = pd.unique(labels[~control]) if (~control).any() else pd.unique(labels)
        numeric = pd.to_numeric(pd.Series(uniq), errors="coerce")
        order = np.argsort(numeric.to_numpy(), kind="stable") if numeric.notna().all() else None
        ordered = list(uniq[order]) if order is not None else sorted(uniq)
        code = {label: i for i, label in enumerate(ordered)}
        rep = labels.map(code).fillna(len(ordered)).to_numpy(np.int64)
        return rep, max(len(ordered), 1), {"from": "replicate column", "labels": ordered[:50]}
    rep = pd.Series(well).groupby(well).cumcount().to_numpy(np.int64)
    n_rep = int(rep[~control].max()) + 1 if (~control).any() else 1
    return rep, n_rep, {"from": "file order of repeated wells", "n": n_rep}
