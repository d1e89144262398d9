"""The block-level ``status`` and ``status_reason`` of a scored screen (docs/design.md §6.3).

``status`` (block, int8) is the worst over the models' ``<model>_status`` and the Hill
fits' ``hill_row_status``/``hill_col_status`` (and, for screens read from plates, the
plates' QC verdict ``plate_qc_status``): 0 ok, 1 warning (scores exist, read the
reason), 2 failed (at least one requested score is NaN); notes (the Loewe fallback on some
wells, no 3 × 3 window for the most synergistic area) leave it at 0 but appear in
``status_reason``.  A Hill status counts as a
warning unless its meaning is ``converged``/``ok``/``ic50_extrapolated``; a fit that
failed already fails the models that need it.  ``status_reason`` (block, str)
lists every non-ok status and note in words, ``"<variable>: <meaning>"`` joined by
``"; "`` (empty when there is nothing to say), with the number of Loewe fallback wells
where there are any.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.models._common import severity

__all__ = ["STATUS_ATTRS", "combine_status"]

# Hill fit outcomes that do not call a score into question
BENIGN_HILL_STATUS = frozenset({"ok", "converged", "ic50_extrapolated"})

STATUS_ATTRS = {
    "long_name": "worst status of the block's fits and scores",
    "flag_values": np.asarray([0, 1, 2], dtype=np.int8),
    "flag_meanings": "ok warning failed",
}


def _meanings(var: xr.DataArray) -> dict[int, str]:
    values = np.atleast_1d(var.attrs.get("flag_values", []))
    words = str(var.attrs.get("flag_meanings", "")).split()
    return {int(v): w for v, w in zip(values, words, strict=False)}


def _reasons(name: str, codes: np.ndarray, meanings: dict[int, str]) -> np.ndarray:
    """Object array of ``"name: meaning"`` per block ('' where the code is 0)."""
    uniq, inverse = np.unique(codes, return_inverse=True)
    words = np.array(
        ["" if c == 0 else f"{name}: {meanings.get(int(c), f'code {int(c)}')}" for c in uniq],
        dtype=object,
    )
    return words[inverse.reshape(codes.shape)]


def combine_status(
    scored: xr.Dataset, models: tuple[str, ...]
) -> tuple[xr.DataArray, xr.DataArray]:
    """Block ``status`` and ``status_reason`` from the per-model and Hill statuses.

    Parameters
    ----------
    scored : xarray.Dataset
        Screen holding ``<model>_status`` for each of ``models`` and optionally
        ``hill_row_status``, ``hill_col_status`` (read through their ``flag_meanings``).
    models : tuple of str
        The models scored.

    Returns
    -------
    status : DataArray (block,) int8, 0 ok / 1 warning / 2 failed
    status_reason : DataArray (block,) str
    """
    n_block = scored.sizes["block"]
    worst = np.zeros(n_block, dtype=np.int8)
    parts: list[np.ndarray] = []
    for name in ("hill_row_status", "hill_col_status"):
        if name in scored:
            codes = np.asarray(scored[name].values).astype(np.int64)
            meanings = _meanings(scored[name])
            benign = [c for c, word in meanings.items() if word in BENIGN_HILL_STATUS]
            codes = np.where(np.isin(codes, benign), 0, codes)
            worst = np.maximum(worst, (codes != 0).astype(np.int8))
            parts.append(_reasons(name.removesuffix("_status"), codes, meanings))
    if "plate_qc_status" in scored:  # blocks read from flagged plates (synergy.plates)
        codes = np.asarray(scored["plate_qc_status"].values).astype(np.int64)
        worst = np.maximum(worst, (codes != 0).astype(np.int8))
        detail = np.asarray(scored.get("plate_qc_reason", scored["plate_qc_status"]).values)
        parts.append(np.where(codes != 0, np.char.add("plate_qc: ", detail.astype(str)), ""))
    for model in models:
        var = scored[f"{model}_status"]
        codes = np.asarray(var.values).astype(np.int64)
        worst = np.maximum(worst, severity(codes))
        reason = _reasons(model, codes, _meanings(var))
        if f"{model}_n_fallback" in scored:
            n_fb = np.asarray(scored[f"{model}_n_fallback"].values)
            n_wells = np.asarray(scored[f"{model}_n_wells"].values)
            has = n_fb > 0
            extra = np.array(
                [
                    f"{model}: fallback max f(x1+x2) on {a} of {b} wells"
                    for a, b in zip(n_fb[has], n_wells[has], strict=True)
                ],
                dtype=object,
            )
            # keep the fallback count even when another condition set the code
            reason = reason.copy()
            reason[has] = np.where(
                (codes[has] == 4) | (reason[has] == ""),
                extra,
                np.array(
                    [f"{r}; {e}" for r, e in zip(reason[has], extra, strict=True)], dtype=object
                ),
            )
        parts.append(reason)
    if parts:
        stacked = np.stack(parts, axis=1)
        text = np.array(["; ".join(p for p in row if p) for row in stacked], dtype=object)
    else:
        text = np.full(n_block, "", dtype=object)
    block = scored["block"].values
    status = xr.DataArray(worst, dims=("block",), coords={"block": block}, attrs=STATUS_ATTRS)
    reason = xr.DataArray(
        text.astype(str),
        dims=("block",),
        coords={"block": block},
        attrs={"long_name": "why the block's status is not ok, and notes ('' if none)"},
    )
    return status, reason
