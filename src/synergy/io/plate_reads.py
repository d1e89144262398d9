"""Plate reads: grid exports and long tables into one long table (data layer).

Grid exports are what most readers write: a line ``Plate: BARCODE``, a header row
``1 … 24``, rows ``A … P``, one section per plate (tab-, comma- or semicolon-separated, or
an Excel sheet).  Long tables have columns ``plate, well, signal``.  Cells are converted to
numbers in one pass over all plates; a text cell is an error naming plate and well.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from synergy.errors import ColumnError, FormatError, SynergyError
from synergy.io.plate_grid import grid_block, parse_wells, text_cells, well_name

__all__ = ["read_plate_reads"]

Source = str | os.PathLike | pd.DataFrame
_PLATE_LINE = re.compile(r"^\s*plate\s*[:=]?\s*[,;\t]*\s*([^,;\t]+?)\s*[,;\t]*$", re.IGNORECASE)


def _grid_sections(lines: list[list[str]], name: str) -> dict[str, np.ndarray]:
    """Parse grid-export rows (already split into cells) into {barcode: (R, C) signal}."""
    plates: dict[str, list[list[str]]] = {}
    i = 0
    while i < len(lines):
        cells = [c.strip() for c in lines[i]]
        joined = " ".join(c for c in cells if c)
        match = _PLATE_LINE.match(joined) if joined.lower().startswith("plate") else None
        if not match:
            i += 1
            continue
        barcode = match.group(1).strip()
        rows, i = grid_block(lines, i + 1, f"{name}, plate {barcode}")
        if barcode in plates:
            raise SynergyError(f"{name}: plate {barcode} appears twice; barcodes must be unique")
        plates[barcode] = rows
    if not plates:
        raise FormatError(f"{name}: no 'Plate: BARCODE' section found")
    return _to_numbers(plates, name)


def _to_numbers(cells: dict[str, list[list[str]]], name: str) -> dict[str, np.ndarray]:
    """Every plate's cell text to float grids in one pass ('' = not read, NaN)."""
    flat = [c for rows in cells.values() for r in rows for c in r]
    text = pd.Series(flat, dtype=object)
    values = pd.to_numeric(text, errors="coerce").to_numpy(np.float64)
    bad = np.isnan(values) & (text.str.strip() != "").to_numpy()
    grids: dict[str, np.ndarray] = {}
    start = 0
    for barcode, rows in cells.items():  # one slice per plate
        shape = (len(rows), len(rows[0]))
        size = shape[0] * shape[1]
        if bad[start : start + size].any():
            i = int(np.flatnonzero(bad[start : start + size])[0])
            r, c = divmod(i, shape[1])
            raise FormatError(
                f"{name}, plate {barcode} well {well_name(r, c)}: value {flat[start + i]!r} is "
                "not a number (an over-range read? re-export or blank it)"
            )
        grids[barcode] = values[start : start + size].reshape(shape)
        start += size
    return grids


def _read_one(source: Source, sheet: str | int | None) -> tuple[str, pd.DataFrame]:
    """One reads source as a long table (plate, well_row, well_col, signal, _source)."""
    if isinstance(source, pd.DataFrame):
        name, raw = "DataFrame", source
    else:
        name = os.fspath(source)
        if not os.path.exists(name):
            raise FormatError(f"{name}: no such file")
        lines = text_cells(name, 0 if sheet is None else sheet)
        head = [c.strip().lower() for c in lines[0]] if lines else []
        if {"plate", "well", "signal"} <= set(head):
            raw = pd.DataFrame(lines[1:], columns=head)
        else:
            grids = _grid_sections(lines, name)
            return name, _grids_to_long(grids, name)
    raw = raw.rename(columns=lambda c: str(c).strip().lower())
    for col in ("plate", "well", "signal"):
        if col not in raw:
            raise ColumnError(f"{name}: long reads need columns plate, well, signal; no {col!r}")
    raw = raw[raw["plate"].astype(str).str.strip() != ""]
    where = name + ", plate " + raw["plate"].astype(str) + " well " + raw["well"].astype(str)
    row, col = parse_wells(raw["well"], where)
    signal = pd.to_numeric(raw["signal"], errors="coerce").to_numpy(np.float64)
    text = raw["signal"].notna().to_numpy() & (raw["signal"].astype(str).str.strip() != "")
    bad = text & np.isnan(signal)
    if bad.any():
        i = np.flatnonzero(bad)[0]
        raise FormatError(f"{where.iloc[i]}: signal {raw['signal'].iloc[i]!r} is not a number")
    long = pd.DataFrame({"plate": raw["plate"].astype(str).str.strip().to_numpy(), "well_row": row})
    long["well_col"], long["signal"], long["_source"] = col, signal, name
    return name, long


def _grids_to_long(grids: dict[str, np.ndarray], name: str) -> pd.DataFrame:
    shapes = {b: g.shape for b, g in grids.items()}
    plate = np.repeat(np.array(list(grids), dtype=object), [g.size for g in grids.values()])
    rows = np.concatenate([np.indices(g.shape)[0].ravel() for g in grids.values()])
    cols = np.concatenate([np.indices(g.shape)[1].ravel() for g in grids.values()])
    signal = np.concatenate([g.ravel() for g in grids.values()])
    long = pd.DataFrame({"plate": plate, "well_row": rows, "well_col": cols, "signal": signal})
    long["_source"] = name
    long.attrs["shapes"] = shapes
    return long


def read_plate_reads(
    reads: Source | Sequence[Source], *, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read plate reads (grid exports or long ``plate, well, signal`` tables) into one table.

    Returns a DataFrame ``plate, well_row, well_col (0-based), signal, _source`` in read
    order (file order).  A barcode found in two sources or twice in one is an error.
    """
    sources = list(reads) if isinstance(reads, list | tuple) else [reads]
    if not sources:
        raise SynergyError("read_plates: no reads given")
    frames = []
    seen: dict[str, str] = {}
    for source in sources:
        name, long = _read_one(source, sheet)
        for barcode in pd.unique(long["plate"]):
            if barcode in seen:
                raise SynergyError(
                    f"plate {barcode}: read in {seen[barcode]} and again in {name}; "
                    "barcodes must be unique (rename the re-read plate)"
                )
            seen[barcode] = name
        frames.append(long)
    shapes = {b: s for f in frames for b, s in f.attrs.get("shapes", {}).items()}
    table = pd.concat(frames, ignore_index=True)
    table.attrs = {"shapes": shapes} if len(shapes) == table["plate"].nunique() else {}
    dup = table.duplicated(["plate", "well_row", "well_col"]).to_numpy()
    if dup.any():
        i = np.flatnonzero(dup)[0]
        well = well_name(table["well_row"].iloc[i], table["well_col"].iloc[i])
        raise SynergyError(
            f"{table['_source'].iloc[i]}: plate {table['plate'].iloc[i]} well {well} is read "
            "twice; each plate's well once (duplicated barcode?)"
        )
    return table
