"""Vectorised checks of a canonical long table; each failure names file, lines, block, column."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synergy.errors import ColumnError, DoseError, ResponseError, SynergyError, where

__all__ = [
    "check_consistent_per_block",
    "check_doses",
    "check_duplicate_wells",
    "check_responses",
    "check_text",
]


def _locate(table: pd.DataFrame, mask: np.ndarray | pd.Series, column: str) -> str:
    """'file, lines …; block …; column …' for the rows in ``mask`` (first file shown)."""
    rows = table.loc[np.asarray(mask)]
    column = input_name(table, column)
    file = rows["_file"].iloc[0]
    rows = rows[rows["_file"] == file]
    label_lines = rows["_line"].astype(int).tolist()
    blocks = pd.unique(rows["block"].astype(str)).tolist() if "block" in rows else []
    text = where(file=file, lines=label_lines, column=column)
    if file == "DataFrame":
        text = text.replace("line", "row")
    if blocks:
        shown = ", ".join(repr(b) for b in blocks[:5]) + (" …" if len(blocks) > 5 else "")
        text += f"; block{'s' if len(blocks) > 1 else ''} {shown}"
    return text


def plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (messages show ``2.5``, not
    ``np.float64(2.5)``); other values unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def stripped_text(values: pd.Series) -> pd.Series:
    """``values`` as stripped strings, computed once per distinct value (fast on big tables)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = [str(u).strip() for u in uniques] + ([""] if (codes < 0).any() else [])
    remap, categories = pd.factorize(pd.Series(text, dtype=object))
    categorical = pd.Categorical.from_codes(
        remap[codes], categories=pd.Index(categories, dtype=object)
    )
    return pd.Series(categorical, index=values.index)


def input_name(table: pd.DataFrame, role: str) -> str:
    """The input's own name of the column that fills ``role`` (for messages)."""
    return table.attrs.get("columns", {}).get(role, role)


def check_text(
    table: pd.DataFrame, role: str, *, what: str, allow_empty: bool = False
) -> pd.Series:
    """Stripped text of a column (block, drug, unit…); raise
    :class:`~synergy.errors.ColumnError` where empty (unless ``allow_empty``) or where a
    name holds a control character (NUL, tab…)."""
    text = stripped_text(table[role])
    if not allow_empty:
        empty = (text == "").to_numpy()
        if empty.any():
            raise ColumnError(
                f"{_locate(table, empty, role)}: empty {what}; fill it in or drop the rows"
            )
    categories = text.cat.categories
    control = [c for c in categories if any(ord(ch) < 32 or ord(ch) == 127 for ch in c)]
    if control:
        rows = text.isin(control).to_numpy()
        raise ColumnError(
            f"{_locate(table, rows, role)}: {what} {control[0]!r} holds a control character "
            "(NUL, tab, line break …); names must be printable text: fix the cell"
        )
    return text


_NOT_NUMBERS = {"b": "true/false", "c": "complex", "M": "date/time", "m": "time span"}


def refuse_non_numeric(table: pd.DataFrame, role: str, error: type[SynergyError]) -> None:
    """Raise ``error`` naming the column when it holds booleans, complex numbers or dates
    (as a column dtype, or as cells of a mixed column) instead of plain numbers."""
    raw = table[role]
    kind = raw.dtype.kind
    if kind in _NOT_NUMBERS:
        raise error(
            f"{table['_file'].iloc[0]}; column {input_name(table, role)!r}: holds "
            f"{_NOT_NUMBERS[kind]} values ({raw.dtype}), not numbers; write plain numbers"
        )
    if kind == "O":
        uniques = pd.unique(raw.dropna())
        odd = [
            v
            for v in uniques[:100_000]
            if isinstance(v, bool | np.bool_ | complex | np.complexfloating)
            or hasattr(v, "isoformat")
        ]
        if odd:
            rows = raw.isin(odd[:50]).to_numpy()
            raise error(
                f"{_locate(table, rows, role)}: {type(odd[0]).__name__} value {str(odd[0])!r} "
                "where a number belongs; write plain numbers"
            )


def check_doses(table: pd.DataFrame, role: str) -> pd.Series:
    """Concentrations as float; raise :class:`~synergy.errors.DoseError` on text, empty,
    negative or infinite."""
    refuse_non_numeric(table, role, DoseError)
    raw = table[role]
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype(np.float64)
    else:
        values = pd.to_numeric(raw, errors="coerce").astype(np.float64)
    bad_text = values.isna() & raw.notna()
    if bad_text.any():
        shown = pd.unique(raw[bad_text].astype(str))[:3].tolist()
        raise DoseError(
            f"{_locate(table, bad_text, role)}: non-numeric concentration {shown}; "
            "write doses as numbers and put the unit in a conc_unit column"
        )
    if values.isna().any():
        raise DoseError(
            f"{_locate(table, values.isna(), role)}: missing concentration; "
            "a single-drug well has the other drug's dose 0, not empty"
        )
    bad = (values < 0) | ~np.isfinite(values)
    if bad.any():
        shown = [plain(v) for v in values[bad].unique()[:3]]
        raise DoseError(f"{_locate(table, bad, role)}: negative or infinite concentration {shown}")
    return values


def check_responses(table: pd.DataFrame) -> pd.Series:
    """Responses as float (empty = missing well, NaN); raise on text or infinity."""
    refuse_non_numeric(table, "response", ResponseError)
    raw = table["response"]
    if pd.api.types.is_numeric_dtype(raw):
        values = raw.astype(np.float64)
        bad_text = pd.Series(False, index=raw.index)
    else:
        values = pd.to_numeric(raw, errors="coerce").astype(np.float64)
        candidates = values.isna() & raw.notna()
        bad_text = candidates.copy()
        bad_text[candidates] = raw[candidates].astype(str).str.strip() != ""
    if bad_text.any():
        shown = pd.unique(raw[bad_text].astype(str))[:3].tolist()
        raise ResponseError(
            f"{_locate(table, bad_text, 'response')}: non-numeric response {shown}; "
            "leave a missing well empty (or NA)"
        )
    infinite = np.isinf(values)
    if infinite.any():
        raise ResponseError(f"{_locate(table, infinite, 'response')}: infinite response")
    return values


def check_consistent_per_block(
    table: pd.DataFrame,
    role: str,
    *,
    what: str,
    labels: list[str] | None = None,
    error: type[SynergyError] = ColumnError,
    fix: str = "give each block its own id",
) -> None:
    """Raise :class:`~synergy.errors.ColumnError` if a block has more than one value of ``role``.

    ``labels`` names the values when the column holds integer codes.
    """
    block_code = pd.factorize(table["block"])[0]
    value_code = pd.factorize(table[role], use_na_sentinel=False)[0]
    pairs = np.unique(block_code.astype(np.int64) * (int(value_code.max()) + 1) + value_code)
    n_values = np.bincount(pairs // (int(value_code.max()) + 1))
    if not (n_values > 1).any():
        return
    bad_blocks = table["block"].iloc[
        np.flatnonzero(np.isin(block_code, np.flatnonzero(n_values > 1)))
    ]
    bad_blocks = pd.unique(bad_blocks)
    block = bad_blocks[0]
    rows = table[table["block"] == block]
    parts = []
    for value, group in rows.groupby(role, sort=False, dropna=False, observed=True):
        lines = group["_line"].astype(int).tolist()
        shown = labels[int(value)] if labels is not None else plain(value)
        parts.append(
            f"{shown!r} (line{'s' if len(lines) > 1 else ''} {lines[:5]}"
            f"{' …' if len(lines) > 5 else ''})"
        )
    more = f" (and {len(bad_blocks) - 1} more blocks)" if len(bad_blocks) > 1 else ""
    line_word = "rows" if rows["_file"].iloc[0] == "DataFrame" else "lines"
    raise error(
        f"{rows['_file'].iloc[0]}; block {plain(block)!r}; column {input_name(table, role)!r}: "
        f"a block must have one {what}, "
        f"found {', '.join(parts).replace('(line', '(' + line_word[:-1])}{more}; {fix}"
    )


def check_duplicate_wells(table: pd.DataFrame, well: np.ndarray, labels: np.ndarray) -> None:
    """Raise :class:`~synergy.errors.ResponseError` if a (well, replicate label) occurs twice."""
    key = pd.DataFrame({"w": well, "r": labels})
    dup = key.duplicated(keep=False).to_numpy()
    if dup.any():
        raise ResponseError(
            f"{_locate(table, dup, 'replicate')}: the same well and replicate occur more than "
            "once; "
            "number replicates distinctly or drop the replicate column to number them in file order"
        )
