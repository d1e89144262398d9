"""The block-level ``status`` and ``status_reason`` of a scored screen (docs/design.md §4).

``status`` (block, int8) is the worst over the models' ``<model>_status`` and the Hill
fits' ``hill_row_status``/``hill_col_status`` (and, for screens read from plates, the
plates' QC verdict ``plate_qc_status``): 0 ok, 1 warning (scores exist, read the
reason), 2 failed (at least one requested score is NaN); notes (the Loewe fallback on some
wells, no 3 × 3 window for the most synergistic area) leave it at 0 but appear in
``status_reason``.  A Hill status counts as a warning unless its meaning is
``converged``/``ok``/``ic50_extrapolated``; a fit that failed already fails the models that
need it.  ``status_reason`` (block, str) says in plain words what happened, one
``"<who>: <explanation>"`` per non-ok status or note (:mod:`synergy.status`), joined by
``"; "`` (empty when there is nothing to say), e.g. ``"Loewe: 26 of 49 wells had an effect
neither drug reaches alone; SynergyFinder's fallback (the stronger drug at the summed dose)
was used"``.  The codes themselves stay in the ``*_status`` variables.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy.models.common import severity
from synergy.models.registry import LABELS

__all__ = ["FALLBACK_REASON", "STATUS_ATTRS", "WHO", "combine_status"]

# Hill fit outcomes that do not call a score into question
BENIGN_HILL_STATUS = frozenset({"ok", "converged", "ic50_extrapolated"})

STATUS_ATTRS = {
    "long_name": "worst status of the block's fits and scores",
    **status_codes.flag_attrs("block"),
}


#: who a status is about, for statuses that are not a registered model's
WHO = {
    "hill_row": "row drug's curve",
    "hill_col": "column drug's curve",
    "fit_check": "Fits",
    "impute": "Imputation",
    "outlier": "Outliers",
}
FALLBACK_REASON = (
    "{who}: {n} of {m} wells had an effect neither drug reaches alone; SynergyFinder's "
    "fallback (the stronger drug at the summed dose) was used"
)


def _meanings(var: xr.DataArray) -> dict[int, str]:
    return status_codes.decode(var.attrs)


def _reasons(name: str, codes: np.ndarray, meanings: dict[int, str]) -> np.ndarray:
    """Object array of ``"who: explanation"`` per block ('' where the code is 0)."""
    who = WHO.get(name) or LABELS.get(name, name)
    uniq, inverse = np.unique(codes, return_inverse=True)
    words = np.array(
        [
            ""
            if c == 0
            else f"{who}: {status_codes.explain(meanings.get(int(c), f'code_{int(c)}'))}"
            for c in uniq
        ],
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
    for name in ("impute_status", "outlier_status"):  # synergy.cleaning (docs/design.md §18)
        if name in scored:
            codes = np.asarray(scored[name].values).astype(np.int64)
            worst = np.maximum(worst, (codes != 0).astype(np.int8))
            parts.append(_reasons(name.removesuffix("_status"), codes, _meanings(scored[name])))
    for model in models:
        var = scored[f"{model}_status"]
        codes = np.asarray(var.values).astype(np.int64)
        worst = np.maximum(worst, severity(codes))
        reason = _reasons(model, codes, _meanings(var))
        if f"{model}_n_fallback" in scored:
            n_fb = np.asarray(scored[f"{model}_n_fallback"].values)
            n_wells = np.asarray(scored[f"{model}_n_wells"].values)
            has = n_fb > 0
            who = LABELS.get(model, model)
            extra = np.array(
                [
                    FALLBACK_REASON.format(who=who, n=a, m=b)
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
