"""The per-block comparison table of :func:`synergy.benchmark.compare`, for both layouts.

One row per matched block and model: ours, theirs, the difference, whether it is within
tolerance, the status of our single-drug fits and our block status.  Pairs name their drugs
``drug_row``/``drug_col``, N-drug screens ``drugs`` ("A × B × C", our order); everything
else is the same table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from synergy import status as status_codes
from synergy.benchmark.matching import Matching
from synergy.benchmark.published import PublishedScores
from synergy.io.layout import is_multi

__all__ = ["block_table", "fit_status"]


def _drug_columns(scored: xr.Dataset, b: np.ndarray) -> tuple[dict[str, object], list]:
    """The drug columns of the rows ``b`` and, per drug, (label per row, status codes or
    None) of its single-drug fit (the layout switch of this module)."""
    if is_multi(scored):
        names = scored["drug_name"].values[b].astype(str)
        codes = scored["hill_status"].values[b] if "hill_status" in scored else None
        fits = [
            (names[:, j], None if codes is None else codes[:, j], "hill_status")
            for j in range(names.shape[1])
        ]
        return {"drugs": [" × ".join(row) for row in names.tolist()]}, fits
    columns = {
        "drug_row": scored["drug_row"].values[b].astype(str),
        "drug_col": scored["drug_col"].values[b].astype(str),
    }
    fits = []
    for side in ("row", "col"):
        name = f"hill_{side}_status"
        if name in scored:
            fits.append((np.full(len(b), side), scored[name].values[b], name))
    return columns, fits


def fit_status(scored: xr.Dataset, b: np.ndarray) -> np.ndarray:
    """Words for our single-drug fits' statuses of blocks ``b``, e.g. ``"row: converged; col:
    flat"`` (pairs) or ``"A: converged; B: flat; C: converged"`` (N drugs); ``"published
    fits"`` where the published fits were injected."""
    _, fits = _drug_columns(scored, b)
    parts = []
    for labels, codes, name in fits:
        if codes is None:
            continue
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
