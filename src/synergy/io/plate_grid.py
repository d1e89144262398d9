"""Wells and grids of SBS plates: formats, row letters, well names, roles, and the
rectangular ``1 … C`` × ``A …`` blocks that readers export and plate maps are drawn in
(data layer; docs/design.md §15)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from synergy.errors import FormatError, SynergyError

__all__ = [
    "PLATE_FORMATS",
    "ROLES",
    "ROLE_ALIASES",
    "format_of",
    "grid_block",
    "parse_wells",
    "row_labels",
    "text_cells",
    "well_name",
    "well_names",
]

# SBS formats: wells -> (rows, columns)
PLATE_FORMATS: dict[int, tuple[int, int]] = {
    6: (2, 3),
    12: (3, 4),
    24: (4, 6),
    48: (6, 8),
    96: (8, 12),
    384: (16, 24),
    1536: (32, 48),
}
ROLES = ("sample", "negative", "positive", "blank", "empty")
ROLE_ALIASES = {
    "neg": "negative",
    "dmso": "negative",
    "vehicle": "negative",
    "negative_control": "negative",
    "pos": "positive",
    "positive_control": "positive",
    "kill": "positive",
    "treatment": "sample",
    "compound": "sample",
    "medium": "blank",
    "background": "blank",
}
_WELL = re.compile(r"^\s*([A-Za-z]{1,2})\s*0*(\d{1,2})\s*$")


def row_labels(n_rows: int) -> list[str]:
    """Row letters of a plate: ``A`` … ``Z``, then ``AA`` … (1536-well plates)."""
    letters = [chr(ord("A") + i) for i in range(26)]
    return [letters[i] if i < 26 else "A" + letters[i - 26] for i in range(n_rows)]


def format_of(n_rows: int, n_cols: int) -> int:
    """The SBS format (number of wells) of a grid, or a :class:`~synergy.errors.SynergyError`."""
    for n, shape in PLATE_FORMATS.items():
        if shape == (n_rows, n_cols):
            return n
    raise FormatError(
        f"a plate grid of {n_rows} rows x {n_cols} columns is no SBS format "
        f"({', '.join(f'{n}: {r}x{c}' for n, (r, c) in PLATE_FORMATS.items())})"
    )


def well_name(row: int, col: int) -> str:
    """Name of one well from its 0-based row and column (``well_name(1, 6)`` is ``B07``)."""
    return f"{row_labels(int(row) + 1)[-1]}{int(col) + 1:02d}"


def well_names(n_rows: int, n_cols: int) -> np.ndarray:
    """Names ``A01`` … of every well, shape (n_rows, n_cols)."""
    rows = np.array(row_labels(n_rows), dtype=object)
    cols = np.array([f"{c:02d}" for c in range(1, n_cols + 1)], dtype=object)
    return (rows[:, None] + cols[None, :]).astype(str)


def parse_wells(wells: pd.Series, where: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """0-based (row, column) of well names like ``B07``/``B7``; ``where`` names each row."""
    parts = wells.astype(str).str.extract(_WELL)
    bad = parts[0].isna().to_numpy()
    if bad.any():
        i = np.flatnonzero(bad)
        raise FormatError(
            f"{where.iloc[i[0]]}: well {wells.iloc[i[0]]!r} is not a well name like 'B07' "
            f"or 'B7' ({bad.sum()} such wells)"
        )
    letters = parts[0].str.upper()
    first = letters.str[0].map(ord).to_numpy() - ord("A")
    two = letters.str.len().to_numpy() == 2
    second = letters.str[-1].map(ord).to_numpy() - ord("A")
    row = np.where(two, 26 + second, first).astype(np.int64)
    col = parts[1].astype(np.int64).to_numpy() - 1
    return row, col


def grid_block(lines: list[list[str]], start: int, what: str) -> tuple[list[list[str]], int]:
    """One rectangular grid from ``lines[start]`` on: blank lines, a header row ``1 … C``,
    rows ``A …`` (row labels in the column before the first header number).

    ``what`` names the grid in messages (``"reads.txt, plate P1"``).  Returns the cell
    text, shape (R, C) as lists, and the index of the first line after the grid; a header
    that is not ``1, 2, …``, rows out of order or a shape that is no SBS format are
    :class:`~synergy.errors.SynergyError`.
    """
    i = start
    while i < len(lines) and not any(c.strip() for c in lines[i]):
        i += 1
    header = [c.strip() for c in lines[i]] if i < len(lines) else []
    numbers = [_integer_text(c) for c in header if c]
    if not numbers or numbers != [str(k) for k in range(1, len(numbers) + 1)]:
        raise FormatError(
            f"{what}: expected a header row 1, 2, … above the grid, got {numbers[:6]}"
        )
    first = next(k for k, c in enumerate(header) if c)
    n_cols = len(numbers)
    i += 1
    rows: list[list[str]] = []
    while i < len(lines):
        cells = [c.strip() for c in lines[i]]
        label = cells[first - 1] if 1 <= first <= len(cells) else ""
        if not re.fullmatch(r"[A-Za-z]{1,2}", label):
            break
        if label.upper() != row_labels(len(rows) + 1)[-1]:
            raise FormatError(
                f"{what}: row {label!r} where row {row_labels(len(rows) + 1)[-1]!r} was expected"
            )
        rows.append((cells[first : first + n_cols] + [""] * n_cols)[:n_cols])
        i += 1
    try:
        format_of(len(rows), n_cols)
    except SynergyError as exc:
        raise FormatError(f"{what}: {exc}") from None
    return rows, i


def _integer_text(cell: str) -> str:
    """``"3.0"`` (a spreadsheet's number) as ``"3"``; other text unchanged."""
    try:
        value = float(cell)
    except ValueError:
        return cell
    return str(int(value)) if value.is_integer() else cell


def text_cells(path: str, sheet: str | int | None = 0) -> list[list[str]]:
    """Every line of a text table (tab, comma or semicolon, sniffed) or Excel sheet as cell
    text; ``sheet=None`` reads every sheet of a workbook, one after the other."""
    if path.lower().endswith((".xlsx", ".xlsm", ".xls")):
        sheets = pd.read_excel(path, sheet_name=sheet, header=None)
        lines: list[list[str]] = []
        for raw in sheets.values() if isinstance(sheets, dict) else [sheets]:
            lines += raw.astype(object).where(raw.notna(), "").astype(str).to_numpy().tolist()
            lines.append([])  # a sheet ends a grid
        return lines
    with open(path, encoding="utf-8-sig") as handle:
        text = handle.read().splitlines()
    sep = max(("\t", ",", ";"), key=lambda s: sum(line.count(s) for line in text[:50]))
    return [line.split(sep) for line in text]
