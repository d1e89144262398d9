"""Load a tabular file (CSV/TSV/Excel/parquet) or DataFrame into a raw pandas table.

The raw table keeps every input row with its origin: ``_file`` (path or ``"DataFrame"``)
and ``_line`` (1-based line of the file, header = line 1; for a DataFrame the row's
position), so later checks can name file and line.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from synergy.errors import FormatError, SynergyError
from synergy.io.columns import match_columns
from synergy.io.sniff import file_kind, not_text_message, read_text

__all__ = ["load_table"]

_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_STRING_ROLES = ("block", "drug_row", "drug_col", "sample", "replicate", "response_kind")
_UNIT_ROLES = ("conc_unit", "conc_unit_row", "conc_unit_col")
# numbers: empty cells and the usual spellings of "missing"; text roles: empty cells only
_NA_VALUES = [
    *("", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "-NaN", "<NA>", "None", "null", "NULL"),
    *("#N/A", "#N/A N/A", "#NA", "-1.#IND", "1.#IND", "-1.#QNAN", "1.#QNAN", "-"),
]


def _excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """The sheet as text cells (a numeric Excel id ``1`` is read as ``1``, never ``1.0``)."""
    try:
        book = pd.ExcelFile(path)
    except ImportError as exc:  # pragma: no cover - depends on installed extras
        raise SynergyError(
            f"{path}: reading Excel needs openpyxl: pip install 'synergy-toolkit[io]'"
        ) from exc
    except Exception as exc:  # zipfile.BadZipFile, KeyError, XML errors of a damaged book
        raise FormatError(
            f"{path}: cannot open the Excel workbook ({type(exc).__name__}: {exc}); it may be "
            "truncated or damaged: open and save it again in Excel, or export it as CSV"
        ) from exc
    with book:
        names = [str(n) for n in book.sheet_names]
        wanted = 0 if sheet is None else sheet
        if isinstance(wanted, int) and str(wanted) in names:  # a sheet named "2"
            wanted = str(wanted)
        if isinstance(wanted, str) and wanted not in names:
            raise FormatError(
                f"{path}: no sheet named {wanted!r}; the workbook has {names}; "
                "pass sheet= (--sheet) with one of them"
            )
        if isinstance(wanted, int) and not 0 <= wanted < len(names):
            raise FormatError(
                f"{path}: no sheet number {wanted} (the workbook has {len(names)}: {names}); "
                "sheets are numbered from 0"
            )
        try:
            return pd.read_excel(book, sheet_name=wanted, dtype=object)
        except Exception as exc:
            raise FormatError(
                f"{path}: cannot read sheet {wanted!r} ({type(exc).__name__}: {exc}); "
                "export it as CSV"
            ) from exc


def _parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except ImportError as exc:  # pragma: no cover
        raise SynergyError(
            f"{path}: reading parquet needs pyarrow: pip install 'synergy-toolkit[io]'"
        ) from exc
    except Exception as exc:  # pyarrow.ArrowInvalid, OSError on truncated files
        raise FormatError(
            f"{path}: cannot read the parquet file ({type(exc).__name__}: {exc}); it may be "
            "truncated: write or copy it again"
        ) from exc


def _text(path: Path) -> tuple[pd.DataFrame, list[int]]:
    """A delimited text table and the file line of each row (:mod:`synergy.io.sniff`)."""
    text = read_text(path)
    header = next(csv.reader([text.lines[0]], delimiter=text.delimiter))
    roles = match_columns([h.strip() for h in header], source=str(path))
    # identifiers are text exactly as written (block 001, drug 0123, sample 1e3)
    as_text = {roles[r]: str for r in (*_STRING_ROLES, *_UNIT_ROLES) if r in roles}
    body = "\n".join(text.lines)
    decimal = "," if text.delimiter == ";" and _decimal_comma(text.lines[1:50]) else "."
    try:
        table = pd.read_csv(
            io.StringIO(body),
            sep=text.delimiter,
            dtype=as_text,
            keep_default_na=False,
            na_values={h.strip(): [""] if h.strip() in as_text else _NA_VALUES for h in header},
            skipinitialspace=True,
            decimal=decimal,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise FormatError(
            f"{path}: cannot parse the table ({' '.join(str(exc).split())}); check that every "
            f"row has the header's {len(header)} fields separated by {text.delimiter!r}"
        ) from exc
    table.columns = [str(c).strip() for c in table.columns]
    for column in as_text:
        table[column] = table[column].astype("category")  # ~2x faster checks on big tables
    return table, text.numbers[1 : len(table) + 1]


def _decimal_comma(lines: list[str]) -> bool:
    """Semicolon tables whose numbers are written 0,5 (European Excel exports)."""
    return any(re.search(r"(^|;)\s*-?\d+,\d+\s*(;|$)", line) for line in lines)


def _read_file(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, list[int] | None]:
    """The file's table, routed by its content (first bytes), and its rows' file lines."""
    suffix = path.suffix.lower()
    kind = file_kind(path)
    if kind == "empty":
        raise FormatError(f"{path}: the file is empty (0 bytes)")
    if kind in ("zip", "xls"):
        return _excel(path, sheet), None
    if kind == "parquet":
        return _parquet(path), None
    if suffix in _EXCEL_SUFFIXES | {".parquet"} and kind not in ("text", "gzip"):
        raise FormatError(not_text_message(path, kind))
    if kind in ("hdf5", "netcdf3"):
        raise FormatError(
            f"{path}: a netCDF/HDF5 file (a saved screen?); name it .nc and open it with "
            "synergy.open_screen, or give the long table it was made from"
        )
    if kind == "binary":
        raise FormatError(not_text_message(path, kind))
    if suffix and suffix not in _TEXT_SUFFIXES | _EXCEL_SUFFIXES | {".parquet", ".gz"}:
        raise FormatError(
            f"{path}: unknown file type {suffix!r}; read .csv, .tsv, .txt, .xlsx or .parquet, "
            "or pass a pandas DataFrame"
        )
    return _text(path)


def load_table(
    source: str | os.PathLike | pd.DataFrame, *, sheet: str | int | None = None
) -> tuple[pd.DataFrame, dict[str, str], str]:
    """Read one source into a raw table with ``_file`` and ``_line`` columns.

    Returns
    -------
    table : DataFrame
        The input's rows, columns as in the input, plus ``_file`` and ``_line``.
    roles : dict
        ``{canonical role: input column}`` (see :func:`synergy.io.columns.match_columns`).
    name : str
        The source's name for messages (path, or ``"DataFrame"``).
    """
    if isinstance(source, pd.DataFrame):
        name = "DataFrame"
        table = source.reset_index(drop=True).copy()
        first_line, lines = 0, None  # DataFrame rows are named by position
    else:
        path = Path(source)
        name = str(path)
        table, lines = _read_file(path, sheet)
        first_line = 2  # line 1 is the header
    if table.shape[1] == 0 or (table.shape[0] == 0 and table.shape[1] == 0):
        raise FormatError(f"{name}: the table is empty")
    roles = match_columns(table.columns, source=name)
    if table.shape[0] == 0:
        raise FormatError(f"{name}: the table has a header but no rows")
    table["_file"] = pd.Categorical.from_codes(
        np.zeros(len(table), dtype=np.int8), categories=[name]
    )
    if lines is not None and len(lines) == len(table):
        table["_line"] = np.asarray(lines, dtype=np.int64)
    else:
        table["_line"] = pd.RangeIndex(first_line, first_line + len(table))
    return table, roles, name
