"""Plate maps: which well of which plate holds what (data layer; docs/design.md §15).

A plate map is a long table, one row per well::

    plate, well, role, drug1, conc1, drug2, conc2, …, conc_unit [, sample, replicate]

``well`` is ``B07`` or ``B7`` (rows ``A`` … ``P`` for 384 wells, ``A`` … ``AF`` for 1536);
``role`` is one of :data:`ROLES`; wells absent from the map are ``empty``.  A ``layout``
column may replace (or accompany) ``plate``: the rows then describe a layout that several
plates share, and :func:`synergy.read_plates` assigns plates to layouts.  A map may also be
drawn as grids, one per variable and layout (``Layout: NAME``, ``Variable: role``, a header
``1 … 24``, rows ``A … P``; :mod:`synergy.io.plate_map_grid`): files holding a
``Variable:`` line are read that way.  Every problem is a
:class:`~synergy.errors.SynergyError` naming the layout (or plate) and the well.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

from synergy.errors import ColumnError, DoseError, FormatError, SynergyError
from synergy.io.plate_grid import (
    PLATE_FORMATS,
    ROLE_ALIASES,
    ROLES,
    format_of,
    parse_wells,
    row_labels,
    text_cells,
    well_name,
    well_names,
)
from synergy.io.plate_map_grid import is_grid_map, read_grid_map
from synergy.io.units import canonical_unit, conversion_factor

__all__ = [
    "PLATE_FORMATS",
    "ROLES",
    "ROLE_ALIASES",
    "format_of",
    "parse_wells",
    "read_plate_map",
    "row_labels",
    "well_name",
    "well_names",
]


def _load(source: str | os.PathLike | pd.DataFrame, sheet: str | int | None) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        table = source.copy()
    else:
        path = os.fspath(source)
        if not os.path.exists(path):
            raise FormatError(f"{path}: no such file")
        excel = path.lower().endswith((".xlsx", ".xlsm", ".xls"))
        lines = text_cells(path, 0 if sheet is None else sheet)
        if is_grid_map(lines):  # grids, one per variable; a workbook: every sheet
            every = text_cells(path, None) if excel and sheet is None else lines
            table = read_grid_map(path, every)
        elif excel:
            table = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object)
        else:
            table = pd.read_csv(path, sep=None, engine="python", dtype=object)
    table.columns = [str(c).strip().lower() for c in table.columns]
    return table


def _drug_numbers(columns: list[str]) -> list[int]:
    found = sorted({int(m.group(1)) for c in columns if (m := re.fullmatch(r"drug_?(\d+)", c))})
    for k in found:
        if f"conc{k}" not in columns and f"conc_{k}" not in columns:
            raise ColumnError(f"plate map: column 'drug{k}' has no 'conc{k}' column")
    if found != list(range(1, len(found) + 1)):
        raise ColumnError(f"plate map: drug columns must be drug1 … drugN, got numbers {found}")
    return found


def read_plate_map(
    source: str | os.PathLike | pd.DataFrame,
    *,
    sheet: str | int | None = None,
    conc_unit: str | None = None,
) -> pd.DataFrame:
    """Read a plate map into a canonical long table.

    Parameters
    ----------
    source : path (CSV/TSV/Excel) or DataFrame
        One row per well: ``plate`` (or ``layout``), ``well``, ``role`` (one of
        ``sample, negative, positive, blank, empty``; ``neg``/``dmso``/``vehicle`` and
        ``pos``/``kill`` are accepted), ``drug1, conc1, …, drugN, concN``, ``conc_unit``
        and optionally ``sample`` and ``replicate``.  Or a file of grids, one per layout
        and variable (:mod:`synergy.io.plate_map_grid`), detected by its ``Variable:``
        lines.
    sheet : str or int, optional
        Excel sheet (default: the first; a grid map: every sheet, in order).
    conc_unit : str, optional
        Unit every dose is converted to (default: the map's most common unit).

    Returns
    -------
    pandas.DataFrame
        Columns ``layout`` (str: the plate or layout name), ``well_row``, ``well_col``
        (0-based int), ``well`` (``B07``), ``role``, ``drug_1 … drug_N`` (str, ``""``
        where absent), ``conc_1 … conc_N`` (float, in ``attrs["conc_unit"]``; 0 where the
        drug is absent), ``sample``, ``replicate`` (str, ``""`` when not given);
        ``attrs``: ``conc_unit``, ``n_drugs``, ``keyed_by`` (``"plate"`` or ``"layout"``),
        ``grid_shape`` ((rows, columns) of a grid map, else None).

    Raises
    ------
    SynergyError
        Unknown roles, bad well names, duplicated wells, sample wells without a drug or
        dose, negative or non-numeric doses — each naming the plate (layout) and well.
    """
    table = _load(source, sheet)
    key = "layout" if "layout" in table else "plate"
    grid_shape = table.attrs.get("grid_shape")  # a grid map: name its file and key word
    origin = f"plate map {os.fspath(source)}" if grid_shape else "plate map"
    word = f"{key} " if grid_shape else "plate "
    for col in (key, "well", "role"):
        if col not in table:
            raise ColumnError(
                f"{origin}: no column {col!r}; columns are {list(table.columns)} "
                "(need plate or layout, well, role, drug1, conc1, …)"
            )
    numbers = _drug_numbers(list(table.columns))
    layout = table[key].astype(str).str.strip()
    where = word + layout + " well " + table["well"].astype(str).str.strip()
    row, col = parse_wells(table["well"], where)
    out = pd.DataFrame({"layout": layout.to_numpy(), "well_row": row, "well_col": col})
    out["well"] = [f"{r}{c + 1:02d}" for r, c in zip(_letters(row), col, strict=True)]
    where = word + out["layout"] + " well " + out["well"]
    role = table["role"].astype(str).str.strip().str.lower().replace(ROLE_ALIASES)
    unknown = ~role.isin(ROLES).to_numpy()
    if unknown.any():
        i = np.flatnonzero(unknown)[0]
        raise SynergyError(
            f"{origin}, {where.iloc[i]}: role {table['role'].iloc[i]!r} is not one of "
            f"{', '.join(ROLES)}"
        )
    out["role"] = role.to_numpy()
    dup = out.duplicated(["layout", "well_row", "well_col"], keep=False).to_numpy()
    if dup.any():
        i = np.flatnonzero(dup)[0]
        raise SynergyError(
            f"{origin}, {where.iloc[i]}: the well is listed {int(dup.sum())} times; "
            "list each well of a plate once"
        )
    units = _units(table, where, conc_unit)
    sample_well = out["role"].to_numpy() == "sample"
    for k in numbers:
        drug = table[f"drug{k}" if f"drug{k}" in table else f"drug_{k}"]
        conc_raw = table[f"conc{k}" if f"conc{k}" in table else f"conc_{k}"]
        name = drug.fillna("").astype(str).str.strip().to_numpy()
        conc = pd.to_numeric(conc_raw, errors="coerce").to_numpy(np.float64)
        text = conc_raw.notna().to_numpy() & np.isnan(conc)
        bad = text | (conc < 0) | (sample_well & (name != "") & np.isnan(conc))
        if bad.any():
            i = np.flatnonzero(bad)[0]
            raise DoseError(
                f"{origin}, {where.iloc[i]}; column 'conc{k}': dose {conc_raw.iloc[i]!r} "
                "must be a number >= 0"
            )
        out[f"drug_{k}"] = name
        out[f"conc_{k}"] = np.where(name == "", 0.0, np.nan_to_num(conc) * units[0])
    if numbers:
        no_drug = sample_well & (out[[f"drug_{k}" for k in numbers]] == "").all(axis=1)
        if no_drug.any():
            i = np.flatnonzero(no_drug.to_numpy())[0]
            raise SynergyError(
                f"{origin}, {where.iloc[i]}: a sample well names no drug; give drug1/conc1 "
                "(dose 0 for the vehicle) or mark it 'negative'"
            )
    elif sample_well.any():
        raise ColumnError(f"{origin}: sample wells but no drug1/conc1 columns")
    for opt in ("sample", "replicate"):
        values = table[opt].fillna("").astype(str).str.strip() if opt in table else ""
        out[opt] = values if isinstance(values, str) else values.to_numpy()
    out.attrs.update(conc_unit=units[1], n_drugs=len(numbers), keyed_by=key, grid_shape=grid_shape)
    return out


def _letters(row: np.ndarray) -> list[str]:
    labels = np.array(row_labels(int(row.max()) + 1 if row.size else 1), dtype=object)
    return list(labels[row])


def _units(table: pd.DataFrame, where: pd.Series, target: str | None) -> tuple[np.ndarray, str]:
    """Per-row factor to the target unit, and the target unit."""
    if "conc_unit" not in table:
        unit = canonical_unit(target) if target else "unspecified"
        return np.ones(len(table)), unit
    raw = table["conc_unit"].fillna("").astype(str).str.strip()
    given = raw != ""
    canon: dict[str, str] = {}
    for u in raw[given].unique():
        try:
            canon[u] = canonical_unit(u)
        except SynergyError as exc:
            i = np.flatnonzero((raw == u).to_numpy())[0]
            raise type(exc)(f"plate map, {where.iloc[i]}; column 'conc_unit': {exc}") from None
    if not canon:
        unit = canonical_unit(target) if target else "unspecified"
        return np.ones(len(table)), unit
    counts = raw[given].map(canon).value_counts()
    unit = canonical_unit(target) if target else str(counts.index[0])
    factor = raw.map({u: conversion_factor(c, unit) for u, c in canon.items()}).fillna(1.0)
    return factor.to_numpy(np.float64), unit
