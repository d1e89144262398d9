"""Read the plate-matrix layout: one dose matrix per block, doses on the margins.

The layout SynergyFinder's web app calls "matrix" (and many plate exports use)::

    Drug1:,MK-1775            <- metadata lines: key, value
    Drug2:,Niraparib
    Cell:,OCUBM
    ConcUnit:,uM
    ,0,0.223,0.775,2.75,10    <- header: blank corner, then doses of drug 2 (columns)
    0,-0.0006,2.13,2.27,24.5,44.5
    0.0325,2.37,57.8,55.1,75.6,84.3   <- dose of drug 1 (rows), then responses
    ...
    Drug1:,Paclitaxel          <- the next block starts with its metadata

Metadata keys (case and trailing colon ignored): ``Drug1``/``drug_row``,
``Drug2``/``drug_col``, ``Cell``/``sample``/``cell_line``, ``ConcUnit``/``conc_unit``
(or ``ConcUnit1``/``ConcUnit2``), ``PairIndex``/``block_id``, ``Replicate``,
``response_kind``.  Without a block id, blocks are numbered 1, 2, … in file order; a
block id that occurs again adds a replicate.  Excel files are read sheet by sheet.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import xarray as xr

from synergy.errors import FormatError
from synergy.io.columns import normalise_name
from synergy.io.reader import ResponseKind, screen_from_long
from synergy.io.sniff import DELIMITERS, file_kind, read_text

__all__ = ["read_matrix"]

_META = {
    "drug1": "drug_row",
    "drug_row": "drug_row",
    "drug2": "drug_col",
    "drug_col": "drug_col",
    "cell": "sample",
    "cell_line": "sample",
    "sample": "sample",
    "concunit": "conc_unit",
    "conc_unit": "conc_unit",
    "concunit1": "conc_unit_row",
    "conc_unit1": "conc_unit_row",
    "concunit2": "conc_unit_col",
    "conc_unit2": "conc_unit_col",
    "pairindex": "block_id",
    "block_id": "block_id",
    "block": "block_id",
    "replicate": "replicate",
    "response_kind": "response_kind",
}


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _rows_of(path: Path) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """(sheet name, [(file line, cells as text)]) for each sheet of the file."""
    kind = file_kind(path)
    if kind in ("zip", "xls"):
        try:
            sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
        except ImportError as exc:  # pragma: no cover - depends on installed extras
            raise FormatError(
                f"{path}: reading Excel needs openpyxl: pip install 'synergy-toolkit[io]'"
            ) from exc
        except Exception as exc:  # a damaged workbook
            raise FormatError(
                f"{path}: cannot open the Excel workbook ({type(exc).__name__}: {exc}); "
                "open and save it again in Excel, or export it as CSV"
            ) from exc
        out = []
        for name, frame in sheets.items():
            rows = [
                (i, ["" if pd.isna(v) else str(v) for v in row])
                for i, row in enumerate(frame.itertuples(False), start=1)
            ]
            out.append((str(name), rows))
        return out
    text = read_text(path, need_delimiter=False)
    delimiter = max(DELIMITERS, key=lambda sep: sum(line.count(sep) for line in text.lines[:50]))
    cells = [[c.strip() for c in row] for row in csv.reader(text.lines, delimiter=delimiter)]
    return [("", list(zip(text.numbers, cells, strict=True)))]


def _parse(rows: list[tuple[int, list[str]]], source: str, sheet: str) -> list[dict]:
    records: list[dict] = []
    meta: dict[str, str] = {}
    col_doses: list[float] | None = None
    n_blocks = 0
    counter: dict[str, int] = {}
    previous = 0
    for line_no, row in rows:
        cells = list(row)
        while cells and cells[-1] == "":
            cells.pop()
        if line_no > previous + 1 or not cells:  # a gap (blank lines) ends a matrix
            col_doses = None
        previous = line_no
        if not cells:
            continue
        key = normalise_name(cells[0])
        if key in _META and _number(cells[0]) is None:
            if col_doses is not None or "block" in meta:  # a new block starts
                meta, col_doses = {}, None
            meta[_META[key]] = cells[1] if len(cells) > 1 else ""
            continue
        numbers = [_number(c) for c in cells[1:]]
        if col_doses is None:
            if _number(cells[0]) is None and numbers and all(n is not None for n in numbers):
                col_doses = [n for n in numbers if n is not None]  # header of a matrix
                n_blocks += 1
                block = meta.get("block_id", str(n_blocks) if not sheet else f"{sheet}:{n_blocks}")
                counter[block] = counter.get(block, 0) + 1
                meta = {**meta, "block": block, "block_id": block}
                if "replicate" not in meta:
                    meta["replicate"] = str(counter[block])
                continue
            raise FormatError(
                f"{source}{f' sheet {sheet!r}' if sheet else ''}, line {line_no}: expected "
                "metadata (Drug1:, Drug2:, ConcUnit: …) or a header of column doses, "
                f"found {cells[:6]}"
            )
        row_dose = _number(cells[0])
        if row_dose is None:
            raise FormatError(
                f"{source}, line {line_no}: the first cell of a matrix row must be the row "
                f"drug's dose, found {cells[0]!r}"
            )
        if len(cells) - 1 > len(col_doses):
            raise FormatError(
                f"{source}, line {line_no}: {len(cells) - 1} responses but "
                f"{len(col_doses)} column doses in the header"
            )
        for dose, value in zip(col_doses, cells[1:], strict=False):
            records.append(
                {
                    **meta,
                    "conc_row": row_dose,
                    "conc_col": dose,
                    "response": value or None,
                    "_file": source,
                    "_line": line_no,
                }
            )
    return records


def read_matrix(
    source: str | os.PathLike,
    *,
    response_kind: ResponseKind = "auto",
    conc_unit: str | None = None,
) -> xr.Dataset:
    """Read a file of dose matrices (one per block, doses on the margins) into a screen.

    Parameters
    ----------
    source : path
        CSV/TSV/TXT, or Excel (every sheet read; block ids prefixed by the sheet name
        when not given).  Layout in the module docstring.
    response_kind, conc_unit
        As in :func:`synergy.read_screen`.

    Returns
    -------
    xarray.Dataset
        The screen, validated as any other (the same checks and messages as
        :func:`synergy.read_screen`, naming the file and line).
    """
    path = Path(source)
    if not path.exists():
        raise FormatError(f"{path}: no such file")
    sheets = _rows_of(path)
    records: list[dict] = []
    for sheet, rows in sheets:
        records.extend(_parse(rows, str(path), sheet if len(sheets) > 1 else ""))
    if not records:
        raise FormatError(f"{path}: no dose matrix found (see synergy.io.matrix for the layout)")
    table = pd.DataFrame.from_records(records)
    for role in ("drug_row", "drug_col"):
        if role not in table:
            raise FormatError(
                f"{path}: no {'Drug1' if role == 'drug_row' else 'Drug2'}: line found"
            )
    table["_file"] = table["_file"].astype("category")
    table.attrs["response_column"] = "response"
    provenance = {"reader": "synergy.read_matrix", "sources": [str(path)]}
    return screen_from_long(
        table, response_kind=response_kind, conc_unit=conc_unit, provenance=provenance
    )
