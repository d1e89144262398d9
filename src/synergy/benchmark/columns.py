"""Column helpers shared by the published-table readers (pairs, N drugs, fit tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synergy.errors import ColumnError

__all__ = ["MODELS", "block_ids", "numeric_column"]

#: the reference models whose scores a published table can hold
MODELS = ("bliss", "hsa", "loewe", "zip")


def block_ids(values: pd.Series) -> pd.Series:
    """Block ids as str: 1, 1.0 and "1" all become "1"."""
    numeric = pd.to_numeric(values, errors="coerce")
    integral = numeric.notna() & np.isfinite(numeric) & (numeric == np.round(numeric))
    text = values.astype(str).str.strip()
    if integral.all():
        return numeric.astype(np.int64).astype(str)
    return text


def numeric_column(table: pd.DataFrame, column: str, name: str) -> np.ndarray:
    """Column ``column`` of ``table`` as float64; NA/empty cells are NaN.

    Raises
    ------
    ColumnError
        Naming the table ``name``, the column and the first lines that are not numbers.
    """
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna() & table[column].notna() & (table[column].astype(str).str.strip() != "")
    bad &= ~table[column].astype(str).str.strip().str.upper().isin(["NA", "NAN", ""])
    if bad.any():
        lines = (np.flatnonzero(bad.to_numpy()) + 2).tolist()[:8]
        raise ColumnError(
            f"{name}: column {column!r} must be numeric; lines {lines} hold "
            f"{table.loc[bad, column].astype(str).tolist()[:3]}"
        )
    return values.to_numpy(dtype=np.float64)
