"""Decide whether responses are inhibition or viability, and convert to % inhibition.

Detection rule for ``response_kind="auto"`` (the first that applies):

1. a ``response_kind`` (or ``data_type``) column: its value per row;
2. a response column named ``inhibition`` or ``viability``;
3. the median ``m`` of the control wells (every dose 0) together with the range of all
   responses: ``|m − 1| ≤ 0.25`` with 98 % of responses within −1.5 … 2.5 → viability as
   a fraction (when some well falls 0.2 below the controls; else ambiguous);
   otherwise ``|m| ≤ 20`` → % inhibition; ``|m − 100| ≤ 20`` → % viability.

Anything else is ambiguous and raises :class:`~synergy.errors.ResponseError` naming the
argument to pass.  Viability is read as a fraction when its controls' median is within
0.2 of 1 (or, without controls, when every value is ≤ 1.5); otherwise as %.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from synergy.errors import ResponseError

__all__ = [
    "PLAUSIBLE_RANGE",
    "control_mask",
    "implausible_blocks",
    "screen_response_warnings",
    "to_inhibition",
    "unscorable",
]

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
    """Inhibition, % viability or fraction viability from the controls *and* the extremes.

    Controls alone cannot tell a fraction (control ≈ 1) from % inhibition (control within
    20 of 0); the range of every other well can: fractions stay within −1.5 … 2.5 and fall
    well below the control where a drug acts, % inhibition rises to tens of %.
    """
    control = control_mask(table)
    response = table["response"]
    ctrl = response[control].dropna()
    source = table["_file"].iloc[0]
    how = "pass response_kind='inhibition' or 'viability' (--response-kind in the CLI)"
    if ctrl.empty:
        raise ResponseError(
            f"{source}: cannot tell inhibition from viability (no control well with every "
            f"dose 0); {how}"
        )
    median = float(ctrl.median())
    finite = response[np.isfinite(response.to_numpy(np.float64))]
    low, high = float(finite.quantile(0.01)), float(finite.quantile(0.99))
    if abs(median - 1) <= 0.25 and low >= -1.5 and high <= 2.5:
        if float(finite.min()) <= median - 0.2:
            return "viability", (
                f"control median {median:.3g} ≈ 1 and every response within "
                f"{float(finite.min()):.3g} … {float(finite.max()):.3g} (fraction viability)"
            )
        raise ResponseError(
            f"{source}: cannot tell fraction viability from % inhibition: controls' median is "
            f"{median:.3g} and every response lies within {float(finite.min()):.3g} … "
            f"{float(finite.max()):.3g} (no drug effect either way); {how}"
        )
    if abs(median) <= 20:
        return "inhibition", f"control median {median:.3g} ≈ 0"
    if abs(median - 100) <= 20:
        return "viability", f"control median {median:.3g} ≈ 100"
    raise ResponseError(
        f"{source}: cannot tell inhibition from viability: control wells' median is {median:.4g} "
        f"(expected ≈ 0 for % inhibition, ≈ 100 for % viability, ≈ 1 for fractions); {how}"
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


#: responses (% inhibition) outside this range get a warning status per block: real plates
#: reach −87 % inhibition (187 % viability, sf_mathews) but not orders of magnitude beyond
PLAUSIBLE_RANGE = (-150.0, 250.0)
_CONTROL_LIMIT = 50.0  # |control mean| beyond this (% inhibition): the kind is probably wrong
#: |response| (% inhibition) beyond which a block is not fitted at all: Hill fits need
#: y ± 100 to differ in double precision (ulp(1e16) = 2), and sums of squares must not
#: overflow; such a block fails with a status saying so, the other blocks are scored
UNSCORABLE = 1e15


def implausible_blocks(
    response: np.ndarray, control: np.ndarray, plausible: tuple[float, float] = PLAUSIBLE_RANGE
) -> np.ndarray:
    """Per block, why its responses look like the wrong scale or kind ('' where fine).

    Parameters
    ----------
    response : ndarray, shape (B, ...), % inhibition
        Every value of each block (NaN = no well).
    control : ndarray, shape (B, ...), % inhibition
        The control wells' values of each block (every dose 0).
    plausible : (low, high), % inhibition
        Values outside are flagged (×100 or ×10,000 scale, fractions read as %, typos).

    Returns
    -------
    ndarray of str, shape (B,)
        A sentence per flagged block, naming the values and the likely cause.
    """
    low, high = float(plausible[0]), float(plausible[1])
    flat = np.asarray(response, dtype=np.float64).reshape(len(response), -1)
    ctrl = np.asarray(control, dtype=np.float64).reshape(len(control), -1)
    finite = np.isfinite(flat)
    with np.errstate(invalid="ignore"):
        lo = np.min(np.where(finite, flat, np.inf), axis=1)
        hi = np.max(np.where(finite, flat, -np.inf), axis=1)
        n_out = np.sum(finite & ((flat < low) | (flat > high)), axis=1)
        n_ctrl = np.sum(np.isfinite(ctrl), axis=1)
        ctrl_mean = np.nansum(ctrl, axis=1) / np.maximum(n_ctrl, 1)
    out = np.full(len(flat), "", dtype=object)
    hopeless = unscorable(flat)
    for i in np.flatnonzero(n_out > 0):
        out[i] = (
            f"response: {n_out[i]} value(s) outside {low:g} … {high:g} % inhibition "
            f"(from {lo[i]:.3g} to {hi[i]:.3g}); "
            + (
                f"values beyond ±{UNSCORABLE:.0e} cannot be fitted: block not scored; "
                if hopeless[i]
                else ""
            )
            + "check the scale (×100, ×10,000?) and response_kind"
        )
    wrong_kind = (n_ctrl > 0) & (np.abs(ctrl_mean) > _CONTROL_LIMIT) & (n_out == 0)
    for i in np.flatnonzero(wrong_kind):
        out[i] = (
            f"response: control wells at {ctrl_mean[i]:.3g} % inhibition (expected ≈ 0); "
            "viability read as inhibition? check response_kind"
        )
    return out.astype(str)


def screen_response_warnings(
    screen, plausible: tuple[float, float] = PLAUSIBLE_RANGE
) -> np.ndarray:
    """:func:`implausible_blocks` of a screen (pair or N-drug layout): str per block."""
    response = np.asarray(screen["response"].values, dtype=np.float64)
    control = response[:, 0, :] if "well" in screen["response"].dims else response[:, 0, 0, :]
    return implausible_blocks(response, control, plausible)


def unscorable(response: np.ndarray) -> np.ndarray:
    """(B,) bool: blocks holding a response beyond ±:data:`UNSCORABLE` % inhibition."""
    flat = np.asarray(response, dtype=np.float64).reshape(len(response), -1)
    with np.errstate(invalid="ignore"):
        return np.any(np.abs(flat) > UNSCORABLE, axis=1)
