"""Screens as tidy pandas tables, in SynergyFinder's column names.

``level="well"`` writes one row per measured replicate value (the input format of
SynergyFinder 3 plus ``sample`` and ``replicate``), so table → screen → table is
lossless (docs/design.md §6.16).  ``level="block"`` writes one row per block with every
per-block variable of the screen (scores, statuses, Hill parameters), the four
model scores under SynergyFinder's names (``ZIP_synergy`` …).  One path for both layouts:
N-drug screens get ``drug1 … drugN``, ``conc1 … concN`` (SynergyFinder's multi-drug table).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from synergy.errors import SynergyError
from synergy.io.layout import cell_dims, drug_axes

__all__ = ["SF_SCORE_NAMES", "TABLE_SUFFIXES", "to_table", "write_table"]

#: our per-block score variables -> SynergyFinder 3's column names
SF_SCORE_NAMES = {
    "zip_score": "ZIP_synergy",
    "bliss_score": "Bliss_synergy",
    "hsa_score": "HSA_synergy",
    "loewe_score": "Loewe_synergy",
}

#: file types :func:`write_table` writes (the same columns in each)
TABLE_SUFFIXES = (".csv", ".tsv", ".parquet", ".xlsx")
#: rows of one Excel worksheet, the header included
EXCEL_MAX_ROWS = 1_048_576

#: our per-well surfaces -> SynergyFinder 3's surface column names
SF_SURFACE_NAMES = {
    "zip": "ZIP_synergy",
    "bliss": "Bliss_synergy",
    "hsa": "HSA_synergy",
    "loewe": "Loewe_synergy",
    "zip_reference": "ZIP_ref",
    "bliss_reference": "Bliss_ref",
    "hsa_reference": "HSA_ref",
    "loewe_reference": "Loewe_ref",
    "zip_fit": "ZIP_fit",
}


def to_table(
    screen: xr.Dataset | list[xr.Dataset],
    level: Literal["well", "block"] = "well",
    path: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Export a screen as a tidy table (and write it to ``path``).

    Parameters
    ----------
    screen : xarray.Dataset or list of xarray.Dataset
        A screen (docs/design.md §1), scored or not; or its shape groups
        (``read_screen(..., groups=True)``, ``level="block"`` only: the rows come out in
        the screen's block order, as from the joined screen).
    level : {"well", "block"}
        ``"well"``: columns ``block_id, drug1, drug2, conc1, conc2, response,
        conc_unit1, conc_unit2, sample, replicate, response_kind`` (+ ``source_file``),
        one row per non-missing replicate value (in the input's well order when the screen
        records it, ``input_order``); ``response`` in % inhibition,
        concentrations in ``attrs["conc_unit"]``; on a scored screen also each well's δ
        and reference (``ZIP_synergy``, ``ZIP_ref``, ``ZIP_fit``, ``Bliss_synergy`` …, in
        % points).  ``"block"``: one row per block (block scores as ``ZIP_synergy`` …).
        N-drug screens: ``drug1 … drugN``, ``conc1 … concN`` (and ``n_wells`` per block).
    path : path, optional
        Also write the table there: ``.csv``, ``.tsv``, ``.parquet`` or ``.xlsx``, the same
        columns in each (:func:`~synergy.io.table.write_table`).

    Returns
    -------
    pandas.DataFrame
    """
    if level not in ("well", "block"):
        raise SynergyError(f"to_table: level must be 'well' or 'block', got {level!r}")
    if isinstance(screen, list | tuple):
        return _groups_table(list(screen), level, path)
    if path is not None:
        table = to_table(screen, level)
        write_table(table, path)
        return table
    if level == "well":
        return _well_table(screen)
    return _block_table(screen)


def _groups_table(
    groups: list[xr.Dataset], level: str, path: str | os.PathLike | None
) -> pd.DataFrame:
    """The block table of a screen held as shape groups, in the screen's block order."""
    if level != "block" or any("block_positions" not in g.attrs for g in groups):
        raise SynergyError(
            "to_table of shape groups writes level='block' of groups that carry "
            "attrs['block_positions']; for wells, table each group or join_groups first"
        )
    positions = np.concatenate([np.asarray(g.attrs["block_positions"]) for g in groups])
    parts = pd.concat([_block_table(g) for g in groups], ignore_index=True)
    table = parts.iloc[np.argsort(positions, kind="stable")].reset_index(drop=True)
    if path is not None:
        write_table(table, path)
    return table


def _per_block_text(values: np.ndarray, block_index: np.ndarray) -> pd.Categorical:
    """A per-block text coordinate expanded to rows, as a categorical (fast for big screens)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(codes[block_index], categories=pd.Index(uniques, dtype=object))


def _constant_text(value: str, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])


def _well_table(screen: xr.Dataset) -> pd.DataFrame:
    cells = cell_dims(screen)
    response = screen["response"].transpose("block", *cells, "replicate").values
    index = np.nonzero(np.isfinite(response))
    if "input_order" in screen:  # wells in the order the input listed them
        order = screen["input_order"].transpose("block", *cells).values[index[:-1]]
        rows = np.lexsort((index[-1], order))
        index = tuple(i[rows] for i in index)
    b, k, cell_of = index[0], index[-1], dict(zip(cells, index[1:-1], strict=True))
    names, doses, dose_dims = drug_axes(screen)
    n_drug, n = len(doses), len(b)
    unit = screen.attrs.get("conc_unit", "unspecified")
    columns: dict[str, object] = {"block_id": _per_block_text(screen["block"].values, b)}
    for i in range(n_drug):
        columns[f"drug{i + 1}"] = _per_block_text(names[:, i], b)
    for i in range(n_drug):
        columns[f"conc{i + 1}"] = doses[i][b, cell_of[dose_dims[i]]]
    columns["response"] = response[index]
    for i in range(n_drug):
        columns[f"conc_unit{i + 1}"] = _constant_text(unit, n)
    columns["sample"] = _per_block_text(screen["sample"].values, b)
    columns["replicate"] = k + 1
    columns["response_kind"] = _constant_text("inhibition", n)
    if "source_file" in screen.coords:
        columns["source_file"] = _per_block_text(screen["source_file"].values, b)
    # scored screens: the δ surfaces and references of each well, repeated on its replicates
    for name, var in screen.data_vars.items():
        if var.dims == ("block", *cells) and np.issubdtype(var.dtype, np.floating):
            columns[SF_SURFACE_NAMES.get(str(name), str(name))] = var.values[index[:-1]]
        elif set(var.dims) == set(screen["response"].dims) and var.dtype == bool:
            masks = var.transpose("block", *cells, "replicate").values  # imputed, outlier (§18)
            columns[str(name)] = masks[index]
    return pd.DataFrame(columns)


def _n_distinct(doses: np.ndarray) -> np.ndarray:
    """Distinct finite doses of each block (B, D) -> (B,)."""
    ordered = np.sort(doses, axis=1)  # NaN last
    finite = np.isfinite(ordered)
    new = np.concatenate([finite[:, :1], finite[:, 1:] & (ordered[:, 1:] != ordered[:, :-1])], 1)
    return new.sum(axis=1)


def _block_table(screen: xr.Dataset) -> pd.DataFrame:
    cells = cell_dims(screen)
    names, doses, _ = drug_axes(screen)
    columns: dict[str, np.ndarray] = {"block_id": screen["block"].values.astype(str)}
    for i in range(len(doses)):
        columns[f"drug{i + 1}"] = names[:, i].astype(str)
    columns["sample"] = screen["sample"].values.astype(str)
    columns["conc_unit"] = np.full(screen.sizes["block"], screen.attrs.get("conc_unit", ""))
    for i, dose in enumerate(doses):
        columns[f"n_conc{i + 1}"] = _n_distinct(dose)
    if cells == ("well",):
        columns["n_wells"] = np.isfinite(screen["conc"].values).all(axis=2).sum(axis=1)
    columns["n_values"] = np.isfinite(screen["response"].values).sum(
        axis=tuple(range(1, screen["response"].ndim))
    )
    for name, coord in screen.coords.items():
        if coord.dims == ("block",) and name not in ("block", "drug_row", "drug_col", "sample"):
            columns[str(name)] = coord.values
    for name, var in screen.data_vars.items():
        if var.dims == ("block",):
            columns[SF_SCORE_NAMES.get(str(name), str(name))] = var.values
        elif len(var.dims) == 2 and var.dims[0] == "block" and var.dims[1] not in cells:
            labels = screen[var.dims[1]].values.astype(str)
            for j, label in enumerate(labels):
                columns[f"{name}_{label}"] = var.values[:, j]
        elif var.dims == ("block", "drug", "param"):  # N-drug Hill fits
            for i, drug in enumerate(screen["drug"].values):
                for j, param in enumerate(screen["param"].values):
                    columns[f"{name}_{param}_{drug}"] = var.values[:, i, j]
    return pd.DataFrame(columns)


def write_table(table: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a table as csv, tsv, parquet or Excel, by the suffix of ``path``.

    The same columns in every format, no index column; Excel (``.xlsx``, needs openpyxl:
    the ``io`` extra) gets one worksheet, ``synergy``, with missing values as empty cells
    and numbers to 16 significant digits (openpyxl's; csv and parquet keep every digit).
    Written under a temporary name in the same folder, then renamed: an interrupted write
    leaves no half-written table.

    Parameters
    ----------
    table : pandas.DataFrame
        E.g. :func:`to_table`'s.
    path : path
        ``.csv``, ``.tsv``, ``.parquet`` or ``.xlsx``.

    Raises
    ------
    SynergyError
        On another suffix, a missing optional writer, or more rows than an Excel sheet holds.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise SynergyError(
            f"{path}: write a table as {', '.join(TABLE_SUFFIXES)}, not {path.suffix!r}"
        )
    if suffix == ".xlsx":
        if len(table) + 1 > EXCEL_MAX_ROWS:
            raise SynergyError(
                f"{path}: {len(table):,} rows do not fit in an Excel sheet "
                f"({EXCEL_MAX_ROWS - 1:,} at most): write .csv or .parquet"
            )
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise SynergyError(
                f"{path}: writing Excel needs openpyxl: pip install 'synergy-toolkit[io]'"
            ) from None
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if suffix == ".parquet":
            table.to_parquet(tmp, index=False)
        elif suffix == ".xlsx":
            table.to_excel(tmp, index=False, sheet_name="synergy", engine="openpyxl")
        else:
            table.to_csv(tmp, index=False, sep="\t" if suffix == ".tsv" else ",")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
