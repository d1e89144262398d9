"""Decide whether responses are inhibition or viability, and convert to % inhibition.

Detection rule for ``response_kind="auto"`` (the first that applies):

1. a ``response_kind`` (or ``data_type``) column: its value per row;
2. a response column named ``inhibition`` or ``viability``;
3. the median response of the control wells (every dose 0):
   ``|m| ≤ 20`` → % inhibition; ``|m − 100| ≤ 20`` → % viability;
   ``|m − 1| ≤ 0.2`` with every response ≤ 2 → viability as a fraction.

Anything else is ambiguous and raises :class:`~synergy.errors.ResponseError` naming the
argument to pass.  Viability is read as a fraction when its controls' median is within
0.2 of 1 (or, without controls, when every value is ≤ 1.5); otherwise as %.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from synergy.errors import ResponseError

__all__ = ["control_mask", "to_inhibition"]

_CONC_K = re.compile(r"conc_\d+")

_KINDS = {"inhibition": "inhibition", "viability": "viability", "response": None}


def control_mask(table: pd.DataFrame) -> pd.Series:
    """Rows whose every dose is 0 (``conc_row``, ``conc_col`` or ``conc_1`` … ``conc_N``)."""
    columns = [c for c in table.columns if c in ("conc_row", "conc_col") or _CONC_K.fullmatch(c)]
    return (table[columns] == 0).all(axis=1)


def _kind_of_values(values: pd.Series, table: pd.DataFrame) -> pd.Series:
    normal = values.astype(str).str.strip().str.lower()
    known = normal.isin(["inhibition", "viability"])
    if not known.all():
        bad = table.loc[~known.to_numpy()]
        raise ResponseError(
            f"{bad['_file'].iloc[0]}, lines {bad['_line'].head(5).tolist()}; column "
            f"'response_kind': unknown value {normal[~known].iloc[0]!r}; "
            "use 'inhibition' or 'viability'"
        )
    return normal


def _detect(table: pd.DataFrame) -> tuple[str, str]:
    control = control_mask(table)
    response = table["response"]
    ctrl = response[control].dropna()
    source = table["_file"].iloc[0]
    if ctrl.empty:
        raise ResponseError(
            f"{source}: cannot tell inhibition from viability (no control well with both doses 0); "
            "pass response_kind='inhibition' or 'viability'"
        )
    median = float(ctrl.median())
    if abs(median) <= 20:
        return "inhibition", f"control median {median:.3g} ≈ 0"
    if abs(median - 100) <= 20:
        return "viability", f"control median {median:.3g} ≈ 100"
    if abs(median - 1) <= 0.2 and float(response.max()) <= 2:
        return "viability", f"control median {median:.3g} ≈ 1 (fraction)"
    raise ResponseError(
        f"{source}: cannot tell inhibition from viability: control wells' median is {median:.4g} "
        "(expected ≈ 0 for inhibition, ≈ 100 or ≈ 1 for viability); pass "
        "response_kind='inhibition' or 'viability'"
    )


def _viability_scale(response: pd.Series, control: pd.Series) -> str:
    ctrl = response[control].dropna()
    if not ctrl.empty:
        return "fraction" if abs(float(ctrl.median()) - 1) <= 0.2 else "percent"
    return "fraction" if float(response.max()) <= 1.5 else "percent"


def to_inhibition(table: pd.DataFrame, response_kind: str) -> tuple[pd.Series, dict]:
    """Return the responses as % inhibition, and a record of what was decided and why."""
    if response_kind not in ("auto", "inhibition", "viability"):
        raise ResponseError(
            f"response_kind must be 'auto', 'inhibition' or 'viability', got {response_kind!r}"
        )
    record: dict = {"requested": response_kind}
    column_name = str(table.attrs.get("response_column", "response")).strip().lower()
    if response_kind != "auto":
        kinds = pd.Series(response_kind, index=table.index)
        record["rule"] = "given by the caller"
    elif "response_kind" in table:
        kinds = _kind_of_values(table["response_kind"], table)
        record["rule"] = "response_kind column"
    elif any(k in column_name for k in ("inhibition", "viability")):
        kind = "inhibition" if "inhibition" in column_name else "viability"
        kinds = pd.Series(kind, index=table.index)
        record["rule"] = f"response column named {column_name!r}"
    else:
        kind, why = _detect(table)
        kinds = pd.Series(kind, index=table.index)
        record["rule"] = f"detected from controls: {why}"
    response = table["response"].astype(np.float64)
    viability = (kinds == "viability").to_numpy()
    out = response.copy()
    if viability.any():
        control = control_mask(table)
        scale = _viability_scale(response[viability], control[viability])
        factor = 100.0 if scale == "fraction" else 1.0
        out[viability] = 100.0 - factor * response[viability]
        record["viability_scale"] = scale
    record["kinds"] = {str(k): int(v) for k, v in kinds.value_counts().items()}
    record["stored_as"] = "percent inhibition"
    return out, record
