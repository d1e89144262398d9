"""Read long dose-response tables into a screen (docs/design.md §1).

One row per well and replicate, in the column names of SynergyFinder 2/3, DrugComb
and their common aliases (:mod:`synergy.io.columns`).  Everything is vectorised
(pandas/numpy, no per-row Python), so a 10,000-block 8×8×3 table (1.9 M rows) reads
in seconds.  Every problem is a :class:`~synergy.errors.SynergyError` naming the
file, lines, block and column.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TypeAlias, overload

import numpy as np
import pandas as pd
import xarray as xr

from synergy.errors import SynergyError
from synergy.io.checks import (
    check_consistent_per_block,
    check_doses,
    check_responses,
    check_text,
)
from synergy.io.columns import n_drugs
from synergy.io.groups import POSITIONS_ATTR, plan_groups
from synergy.io.load import load_table
from synergy.io.long_cells import (
    DoseIndex,
    LongCells,
    assemble,
    dose_grids,
    dose_wells,
    unify_text_widths,
    warn_if_large,
)
from synergy.io.long_table import average_controls, first_rows, replicate_index, resolve_units
from synergy.io.response_kind import to_inhibition

__all__ = [
    "DENSE_WARN_BYTES",
    "groups_from_long",
    "index_long",
    "read_screen",
    "screen_from_long",
]

#: read_screen warns when a ragged table's dense screen would take more than this (bytes)
DENSE_WARN_BYTES = 1 << 30

Source: TypeAlias = str | os.PathLike | pd.DataFrame
ResponseKind: TypeAlias = Literal["auto", "inhibition", "viability"]


@overload
def read_screen(
    source: Source | Sequence[Source],
    *,
    response_kind: ResponseKind = ...,
    conc_unit: str | None = ...,
    sheet: str | int | None = ...,
    layout: Literal["auto", "pair", "multi"] = ...,
    groups: Literal[False] = ...,
) -> xr.Dataset: ...


@overload
def read_screen(
    source: Source | Sequence[Source],
    *,
    response_kind: ResponseKind = ...,
    conc_unit: str | None = ...,
    sheet: str | int | None = ...,
    layout: Literal["auto", "pair", "multi"] = ...,
    groups: Literal[True],
) -> list[xr.Dataset]: ...


@overload
def read_screen(
    source: Source | Sequence[Source],
    *,
    response_kind: ResponseKind = ...,
    conc_unit: str | None = ...,
    sheet: str | int | None = ...,
    layout: Literal["auto", "pair", "multi"] = ...,
    groups: bool,
) -> xr.Dataset | list[xr.Dataset]: ...


def read_screen(
    source: Source | Sequence[Source],
    *,
    response_kind: ResponseKind = "auto",
    conc_unit: str | None = None,
    sheet: str | int | None = None,
    layout: Literal["auto", "pair", "multi"] = "auto",
    groups: bool = False,
) -> xr.Dataset | list[xr.Dataset]:
    """Read a long dose-response table (or several: one screen) into a screen Dataset.

    Parameters
    ----------
    source : path, DataFrame, or a list of them
        CSV/TSV/TXT (encoding, gzip and delimiter detected; blank, ``#`` comment and
        delimiter-only lines skipped: :mod:`synergy.io.sniff`), Excel (``.xlsx``, needs
        the ``io`` extra), parquet, or a pandas DataFrame, one row per well and replicate.
        Block, drug, sample and replicate ids are read as text exactly as written.  Several
        sources form one screen; block ids that occur in more than one file are
        prefixed with the file's stem (``plate3:17``) and a ``source_file``
        coordinate is kept (docs/design.md §6.1).
    response_kind : {"auto", "inhibition", "viability"}
        What the response column holds.  ``"viability"`` accepts % (control ≈ 100)
        or a fraction (control ≈ 1) and converts to % inhibition = 100 − viability %.
        ``"auto"`` uses, in order: a ``response_kind``/``data_type`` column; a response
        column named ``inhibition`` or ``viability``; the control wells' median together
        with the range of every response (fractions: controls ≈ 1 and responses within
        −1.5 … 2.5; then |median| ≤ 20 → inhibition, |median − 100| ≤ 20 → viability %;
        :mod:`synergy.io.response_kind`).  Anything else is ambiguous and raises a
        :class:`~synergy.errors.ResponseError` that says what to pass.
    conc_unit : str, optional
        Unit of the screen's concentrations (``"nM"``, ``"uM"`` …).  Default: the
        input's most common unit.  Without any unit column the input is taken to be
        in ``conc_unit`` (``"unspecified"`` if not given).
    sheet : str or int, optional
        Excel sheet to read (default: the first).
    layout : {"auto", "pair", "multi"}
        ``"auto"``: pairs (``drug1``/``drug2`` only) get the pair layout of docs/design.md §1,
        tables with ``drug3``/``conc3`` … (SynergyFinder's multi-drug table) the N-drug
        layout of ``docs/design.md`` §1.1 (:mod:`synergy.io.layout`).  ``"multi"`` reads a pair
        table into the N-drug layout too (N = 2).
    groups : bool
        Return the screen as its shape groups, never building the dense screen: a list
        of screens, each padded only to its own largest grid, equal to
        ``synergy.io.groups.shape_groups(read_screen(source))`` (docs/design.md §16.4).
        Meant for ragged tables (one 100×100 block among thousands of 3×3 blocks), whose
        dense screen would pad every block to the largest grid; score the list with
        :func:`synergy.score_screen`.  A uniform or mildly ragged table gives one group.

    Returns
    -------
    xarray.Dataset or list of xarray.Dataset
        A screen: ``response`` (block, row, col, replicate) in % inhibition, NaN where
        no well was measured; dose grids ascending from 0 (a zero dose is added where
        the input has none, its wells NaN).  ``attrs["provenance"]`` (JSON) records the
        sources, the response kind detected and how, unit conversions, and counts.
        With ``groups=True``, the list of its shape groups in the order of their first
        block (:func:`synergy.io.groups.group_plan`).

    Warns
    -----
    UserWarning
        When the table is ragged enough to be grouped and its dense screen would take
        more than ``DENSE_WARN_BYTES`` (1 GiB): the warning names ``groups=True``.

    Raises
    ------
    SynergyError
        Any input problem, with file, lines, block and column in the message.

    Notes
    -----
    Replicates: a ``replicate`` column gives each value its replicate index (labels
    sorted, numerically if they are numbers); without it, repeated wells become
    replicates in file order.  Control wells (both doses 0) beyond the number of
    replicates of the other wells are averaged into cell (0, 0), their count kept in
    ``n_control`` (docs/design.md §6.4).  An empty response cell is a missing well (NaN),
    counted in the provenance; a text response is an error.
    """
    sources = list(source) if isinstance(source, list | tuple) else [source]
    if not sources:
        raise SynergyError("read_screen: no source given")
    loaded = [load_table(s, sheet=sheet) for s in sources]
    tables = []
    for table, roles, _name in loaded:
        tables.append(_canonical(table, roles))
    names = [name for _, _, name in loaded]
    drug_counts = {name: n_drugs(roles) for _, roles, name in loaded}
    if len(set(drug_counts.values())) > 1:
        raise SynergyError(
            "read_screen: the sources mix screens of different numbers of drugs "
            f"({drug_counts}); a screen has one layout — read pairs and triplets as two screens"
        )
    n_drug = next(iter(drug_counts.values()))
    if layout not in ("auto", "pair", "multi"):
        raise SynergyError(f"layout must be 'auto', 'pair' or 'multi', got {layout!r}")
    if layout == "pair" and n_drug > 2:
        raise SynergyError(f"layout='pair' but the table has {n_drug} drugs (drug3 …)")
    table = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
    table.attrs = dict(tables[0].attrs)
    generated = "block" not in table
    if generated:
        drug_roles = [c for c in table.columns if c in ("drug_row", "drug_col")]
        drug_roles += [c for c in table.columns if c.startswith("drug_") and c[5:].isdigit()]
        key = table[drug_roles[0]].astype(str)
        for role in drug_roles[1:]:
            key = key + "\x00" + table[role].astype(str)
        sample = table["sample"].astype(str) if "sample" in table else ""
        key = key + "\x00" + sample + "\x00" + table["_file"].astype(str)
        table["block"] = (pd.factorize(key)[0] + 1).astype(str)
    multi = len(sources) > 1
    if multi:
        table["block"] = _prefix_colliding(table, names)
    provenance = {
        "reader": "synergy.read_screen",
        "sources": names,
        "n_input_rows": len(table),
        "block_ids_generated": bool(generated),
    }
    options: dict[str, Any] = {
        "n_drugs": n_drug,
        "layout": layout,
        "response_kind": response_kind,
        "conc_unit": conc_unit,
        "provenance": provenance,
        "extra_coords": {"source_file": "_file"} if multi else {},
    }
    return groups_from_long(table, **options) if groups else screen_from_long(table, **options)


def _canonical(table: pd.DataFrame, roles: dict[str, str]) -> pd.DataFrame:
    """Rename the matched columns to their roles; keep ``_file``/``_line``."""
    out = pd.DataFrame({role: table[col] for role, col in roles.items()})
    out["_file"] = table["_file"].to_numpy()
    out["_line"] = table["_line"].to_numpy()
    out.attrs["response_column"] = roles["response"]
    out.attrs["columns"] = dict(roles)
    return out


def _prefix_colliding(table: pd.DataFrame, names: list[str]) -> pd.Series:
    block = table["block"].astype(str)
    per_file = table.assign(block=block).groupby("block")["_file"].nunique()
    colliding = set(per_file.index[per_file > 1])
    if not colliding:
        return block
    stems = {name: Path(name).stem for name in names}
    if len(set(stems.values())) < len(stems):
        stems = {name: f"{Path(name).stem}{i}" for i, name in enumerate(names)}
    prefixed = table["_file"].map(stems) + ":" + block
    return block.where(~block.isin(colliding), prefixed)


_PAIR_TO_K = {
    "drug_row": "drug_1",
    "drug_col": "drug_2",
    "conc_row": "conc_1",
    "conc_col": "conc_2",
    "conc_unit_row": "conc_unit_1",
    "conc_unit_col": "conc_unit_2",
}


def screen_from_long(table: pd.DataFrame, **options: Any) -> xr.Dataset:
    """Assemble a screen from a canonical long table (:func:`index_long` with ``options``).

    Used by :func:`read_screen`, :func:`synergy.io.matrix.read_matrix` and the plate reader.
    Warns when a ragged table's dense screen would exceed ``DENSE_WARN_BYTES``.
    """
    cells = index_long(table, **options)
    warn_if_large(cells, DENSE_WARN_BYTES)
    return assemble(cells, np.arange(len(cells.block_ids)))


def groups_from_long(
    table: pd.DataFrame, *, waste_limit: float | None = None, **options: Any
) -> list[xr.Dataset]:
    """The shape groups of the screen of a canonical long table, never the dense screen.

    Each is the screen of one group of :func:`synergy.io.groups.plan_groups` (``waste_limit``
    as there), with ``attrs["block_positions"]``; ``options`` as for :func:`index_long`.
    """
    cells = index_long(table, **options)
    plan = plan_groups(cells.extents, np.asarray(cells.shape), waste_limit)
    parts = unify_text_widths([assemble(cells, positions) for positions in plan])
    for part, positions in zip(parts, plan, strict=True):
        part.attrs[POSITIONS_ATTR] = np.asarray(positions, dtype=np.int64)
    return parts


def index_long(
    table: pd.DataFrame,
    *,
    n_drugs: int = 2,
    layout: Literal["auto", "pair", "multi"] = "auto",
    response_kind: ResponseKind = "auto",
    conc_unit: str | None = None,
    provenance: dict | None = None,
    extra_coords: dict[str, str] | None = None,
) -> LongCells:
    """Check a canonical long table and index its rows into a screen's cells.

    ``table`` has columns ``block, drug_row, drug_col, conc_row, conc_col, response``
    and optionally ``sample, replicate, conc_unit[_row|_col], response_kind``, plus
    ``_file`` and ``_line`` for messages; drugs 3 … N as ``drug_k``, ``conc_k``,
    ``conc_unit_k``.  One path for both layouts: the same checks, unit conversion,
    response-kind rule, replicate rule and control averaging; only the cell index differs
    (a dose grid per drug for pairs, the distinct dose combinations for N drugs).
    ``layout="auto"`` gives pairs the pair layout and N ≥ 3 drugs the well layout;
    ``"multi"`` puts a pair into the well layout too.

    Every check and whole-table step runs here, on the rows, once; what is kept is per row
    or per block (:class:`synergy.io.long_cells.LongCells`), so :func:`screen_from_long`
    (every block) and :func:`groups_from_long` (one screen per shape group) assemble from
    it without the other's padding (docs/design.md §16.4).
    """
    wells = n_drugs > 2 or layout == "multi"
    provenance = dict(provenance or {})
    if wells:
        table = table.rename(columns=_PAIR_TO_K).copy()
        table.attrs["columns"] = {
            _PAIR_TO_K.get(role, role): col for role, col in table.attrs.get("columns", {}).items()
        }
        drugs = tuple(f"drug_{k}" for k in range(1, n_drugs + 1))
        concs = tuple(f"conc_{k}" for k in range(1, n_drugs + 1))
        units = {c: f"conc_unit_{k}" for k, c in enumerate(concs, start=1)}
        provenance_n = {"n_drugs": n_drugs}
    else:
        table = table.copy()
        drugs, concs = ("drug_row", "drug_col"), ("conc_row", "conc_col")
        units, provenance_n = None, {}
    for role in ("block", *drugs):
        table[role] = check_text(table, role, what=role.replace("_", " "))
    if "sample" in table:
        table["sample"] = check_text(table, "sample", what="sample", allow_empty=True)
    else:
        table["sample"] = ""
    for role in concs:
        table[role] = check_doses(table, role)
    table["response"] = check_responses(table)
    for role in (*drugs, "sample"):
        check_consistent_per_block(table, role, what=role.replace("_", " "))
    unit, unit_record = resolve_units(table, conc_unit, units)
    table["response"], kind_record = to_inhibition(table, response_kind)
    provenance.update(conc_unit=unit, units=unit_record, response=kind_record, **provenance_n)

    block_code, block_ids = pd.factorize(table["block"], sort=False)
    n_block = len(block_ids)
    doses = [table[c].to_numpy(np.float64) for c in concs]
    axes: tuple[DoseIndex, ...]
    cells: tuple[np.ndarray, ...]
    if wells:  # cells: the distinct dose combinations of a block
        axis, well_idx = dose_wells(block_code, doses, n_block)
        axes, cells = (axis,), (well_idx,)
    else:  # cells: the dose grid of each drug
        (rows, row_idx), (cols, col_idx) = (dose_grids(block_code, d, n_block) for d in doses)
        axes, cells = (rows, cols), (row_idx, col_idx)
    shape = tuple(int(a.size.max()) for a in axes)
    cell_code = np.ravel_multi_index((block_code.astype(np.int64), *cells), (n_block, *shape))
    rep_idx, n_rep, rep_record = replicate_index(table, cell_code)
    control = np.logical_and.reduce([idx == 0 for idx in cells])  # cell 0: every dose 0
    values = table["response"].to_numpy(np.float64)
    average, n_control, blocks_avg, means = average_controls(
        block_code, control, rep_idx, n_rep, values, n_block
    )
    if blocks_avg.size:
        provenance["controls_averaged_blocks"] = len(blocks_avg)
    provenance.update(replicates=rep_record, n_missing_response=int(table["response"].isna().sum()))
    order_code, order_rank = first_rows(cell_code[np.isfinite(values)])
    first = np.unique(block_code, return_index=True)[1]
    long_cells = LongCells(
        wells=wells,
        block_ids=np.asarray(block_ids),
        per_block=table.iloc[first],
        drugs=drugs,
        axes=axes,
        block_code=block_code,
        cells=cells,
        rep_idx=rep_idx,
        n_rep=n_rep,
        values=values,
        averaged=average,
        controls=(blocks_avg, means),
        n_control=n_control,
        order_code=order_code,
        order_rank=order_rank,
        common={"conc_unit": unit, "provenance": provenance},
        extra_coords=dict(extra_coords or {}),
    )
    return long_cells


def describe_provenance(screen: xr.Dataset) -> dict:
    """The screen's provenance as a dict (``attrs["provenance"]`` is a JSON string)."""
    return json.loads(screen.attrs.get("provenance", "{}"))
