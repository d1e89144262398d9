"""Load a tabular file (CSV/TSV/Excel/parquet) or DataFrame into a raw pandas table.

The raw table keeps every input row with its origin: ``_file`` (path or ``"DataFrame"``)
and ``_line`` (1-based line of the file, header = line 1; for a DataFrame the row's
position), so later checks can name file and line.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from synergy.errors import FormatError, SynergyError
from synergy.io.columns import match_columns

__all__ = ["load_table"]

_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
_STRING_ROLES = ("block", "drug_row", "drug_col", "sample", "replicate", "response_kind")
_UNIT_ROLES = ("conc_unit", "conc_unit_row", "conc_unit_col")


def _sniff_delimiter(path: Path) -> str:
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline()
        if not header.strip():
            raise FormatError(f"{path}: the file is empty (no header line)")
    counts = {sep: header.count(sep) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise FormatError(
            f"{path}: the header line has a single field {header.strip()[:80]!r}; "
            "expected a comma-, tab- or semicolon-separated table with named columns"
        )
    return best


def _read_file(path: Path, sheet: str | int | None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if not path.exists():
        raise FormatError(f"{path}: no such file")
    if suffix in _EXCEL_SUFFIXES:
        try:
            return pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object)
        except ImportError as exc:  # pragma: no cover - depends on installed extras
            raise SynergyError(
                f"{path}: reading Excel needs openpyxl: pip install 'synergy-toolkit[io]'"
            ) from exc
    if suffix == ".parquet":
        try:
            return pd.read_parquet(path)
        except ImportError as exc:  # pragma: no cover
            raise SynergyError(
                f"{path}: reading parquet needs pyarrow: pip install 'synergy-toolkit[io]'"
            ) from exc
    if suffix not in _TEXT_SUFFIXES and suffix:
        raise FormatError(
            f"{path}: unknown file type {suffix!r}; read .csv, .tsv, .txt, .xlsx or .parquet, "
            "or pass a pandas DataFrame"
        )
    if os.path.getsize(path) == 0:
        raise FormatError(f"{path}: the file is empty")
    sep = _sniff_delimiter(path)
    header = pd.read_csv(path, sep=sep, nrows=0, encoding="utf-8-sig").columns
    roles = match_columns(header, source=str(path))
    # text columns as categories: ~2x faster to parse and to check than strings on big tables
    as_str = {roles[r]: "category" for r in (*_STRING_ROLES, *_UNIT_ROLES) if r in roles}
    try:
        return pd.read_csv(path, sep=sep, dtype=as_str, encoding="utf-8-sig", skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: cannot parse the table: {exc}") from exc


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
        first_line = 0  # DataFrame rows are named by position
    else:
        path = Path(source)
        name = str(path)
        table = _read_file(path, sheet)
        first_line = 2  # line 1 is the header
    if table.shape[1] == 0 or (table.shape[0] == 0 and table.shape[1] == 0):
        raise FormatError(f"{name}: the table is empty")
    roles = match_columns(table.columns, source=name)
    if table.shape[0] == 0:
        raise FormatError(f"{name}: the table has a header but no rows")
    table["_file"] = pd.Categorical.from_codes(
        np.zeros(len(table), dtype=np.int8), categories=[name]
    )
    table["_line"] = pd.RangeIndex(first_line, first_line + len(table))
    return table, roles, name
