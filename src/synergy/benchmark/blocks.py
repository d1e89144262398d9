"""The per-block comparison table of :func:`synergy.benchmark.compare`, for any N drugs.

One row per matched block and model: ours, theirs, the difference, whether it is within
tolerance, the status of our single-drug fits and our block status.  Pairs name their drugs
``drug_row``/``drug_col``, blocks of N ≥ 3 drugs ``drugs`` ("A × B × C", our order);
everything else is the same table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from synergy import status as status_codes
from synergy.benchmark.matching import Matching
from synergy.benchmark.per_drug import per_drug_array
from synergy.benchmark.published import PublishedScores
from synergy.io.layout import drug_names, fit_variables

__all__ = ["block_table", "fit_status"]


def _drug_columns(scored: xr.Dataset, b: np.ndarray) -> tuple[dict[str, object], list]:
    """The drug columns of the rows ``b`` — ``drug_row``/``drug_col`` for two drugs, ``drugs``
    ("A × B × C", our order) beyond — and, per drug, (label per row, status codes, status
    variable) of its single-drug fit (labels: ``row``/``col`` of a pair, else the names)."""
    names = drug_names(scored)[b]
    if names.shape[1] == 2:
        columns: dict[str, object] = {"drug_row": names[:, 0], "drug_col": names[:, 1]}
        labels = [np.full(len(b), side) for side in ("row", "col")]
    else:
        columns = {"drugs": [" × ".join(row) for row in names.tolist()]}
        labels = list(names.T)
    codes = per_drug_array(scored, "hill", "_status")
    if codes is None:
        return columns, []
    variables = fit_variables(scored, "hill", "_status")
    return columns, [
        (labels[j], codes[b, j], variables[min(j, len(variables) - 1)])
        for j in range(names.shape[1])
    ]


def fit_status(scored: xr.Dataset, b: np.ndarray) -> np.ndarray:
    """Words for our single-drug fits' statuses of blocks ``b``, e.g. ``"row: converged; col:
    flat"`` (pairs) or ``"A: converged; B: flat; C: converged"`` (N drugs); ``"published
    fits"`` where the published fits were injected."""
    _, fits = _drug_columns(scored, b)
    parts = []
    for labels, codes, name in fits:
        words = status_codes.decode(scored[name].attrs)
        parts.append(
            [
                f"{label}: {words.get(int(c), f'code {int(c)}')}"
                for label, c in zip(labels.tolist(), np.asarray(codes).tolist(), strict=True)
            ]
        )
    if not parts:
        return np.full(len(b), "", dtype=object)
    out = np.array(["; ".join(p) for p in zip(*parts, strict=True)], dtype=object)
    injected = set(str(scored.attrs.get("published_fits", "")).split(","))
    ids = scored["block"].values.astype(str)[b]
    out[np.isin(ids, list(injected))] = "published fits"
    return out


def block_table(
    scored: xr.Dataset,
    published: PublishedScores,
    matching: Matching,
    models: tuple[str, ...],
    tolerance: float,
) -> pd.DataFrame:
    """Ours against the published score, one row per matched block and model."""
    position = {b: k for k, b in enumerate(scored["block"].values.astype(str))}
    pairs = matching.pairs
    b = np.array([position[x] for x in pairs["block"]], dtype=int)
    pub = published.blocks.loc[pairs["index"].to_numpy()]
    status = scored["status"].values[b] if "status" in scored else np.zeros(len(b), int)
    reason = scored["status_reason"].values[b] if "status_reason" in scored else [""] * len(b)
    sample = scored["sample"].values[b].astype(str) if "sample" in scored.coords else None
    drugs, _ = _drug_columns(scored, b)
    words = fit_status(scored, b)
    parts = []
    for model in models:
        ours = np.asarray(scored[f"{model}_score"].values, dtype=float)[b]
        theirs = pub[model].to_numpy(dtype=float)
        diff = ours - theirs
        parts.append(
            pd.DataFrame(
                {
                    "block": pairs["block"].to_numpy(),
                    "published_block": pairs["published_block"].to_numpy(),
                    **drugs,
                    "sample": sample,
                    "swapped": pairs["swapped"].to_numpy(bool),
                    "matched_by": pairs["matched_by"].to_numpy(),
                    "model": model,
                    "ours": ours,
                    "theirs": theirs,
                    "diff": diff,
                    "abs_diff": np.abs(diff),
                    "within": np.abs(diff) <= tolerance,
                    "fit_status": words,
                    "status": np.asarray(status).astype(int),
                    "status_reason": np.asarray(reason).astype(str),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
