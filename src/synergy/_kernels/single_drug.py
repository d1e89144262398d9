"""The single-drug points of every block and drug, gathered from flat wells (docs/design.md §16.2).

Drug i's points in block b are the measured wells where drug i is the only drug with a dose
> 0, and the control wells (every dose 0), in well order, replicates inner.  One pass counts
the points of each curve, a second writes them left-aligned into NaN-padded rows ``b·N + i``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["single_drug_points"]


@njit(cache=True)
def _alone(conc, b, w):  # pragma: no cover - compiled
    """Drugs with a dose > 0 in well (b, w); -1 for a padding well (a dose not finite)."""
    present = 0
    for i in range(conc.shape[2]):
        dose = conc[b, w, i]
        if not np.isfinite(dose):
            return -1
        if dose > 0:
            present += 1
    return present


@njit(cache=True)
def _replicate_mean(response, b, w):  # pragma: no cover - compiled
    """Mean of the finite replicates of well (b, w), summed compensated in replicate order
    with the operations of :func:`synergy.io.wells.replicate_mean` (NaN: none finite)."""
    total = 0.0
    compensation = 0.0
    count = 0
    for k in range(response.shape[2]):
        value = response[b, w, k]
        if np.isfinite(value):
            y = value - compensation
            t = total + y
            compensation = (t - total) - y
            total = t
            count += 1
    return total / count if count else np.nan


@njit(cache=True)
def single_drug_points(conc, response, mean):  # pragma: no cover - compiled
    """Doses and responses of each drug alone.

    Parameters
    ----------
    conc : (B, W, N) float64, each well's doses (NaN: padding)
    response : (B, W, K) float64, % inhibition per replicate (NaN: not measured)
    mean : bool, one point per well (the replicate mean) instead of one per replicate

    Returns
    -------
    conc_out, resp_out : (B·N, P) float64, row ``b·N + i`` = drug i of block b; NaN padded
    """
    n_block, n_well, n_drug = conc.shape
    n_rep = response.shape[2]
    count = np.zeros(n_block * n_drug, np.int64)
    for b in range(n_block):
        for w in range(n_well):
            present = _alone(conc, b, w)
            if present < 0 or present > 1:
                continue
            finite = 0
            for k in range(n_rep):
                if np.isfinite(response[b, w, k]):
                    finite += 1
            if mean:
                finite = min(finite, 1)
            for i in range(n_drug):
                if present == 0 or conc[b, w, i] > 0:
                    count[b * n_drug + i] += finite
    width = max(1, count.max()) if count.size else 1
    conc_out = np.full((n_block * n_drug, width), np.nan)
    resp_out = np.full((n_block * n_drug, width), np.nan)
    count[:] = 0
    for b in range(n_block):
        for w in range(n_well):
            present = _alone(conc, b, w)
            if present < 0 or present > 1:
                continue
            for i in range(n_drug):
                if present == 1 and not conc[b, w, i] > 0:
                    continue
                row = b * n_drug + i
                for k in range(1 if mean else n_rep):
                    value = _replicate_mean(response, b, w) if mean else response[b, w, k]
                    if np.isfinite(value):
                        conc_out[row, count[row]] = conc[b, w, i]
                        resp_out[row, count[row]] = value
                        count[row] += 1
    return conc_out, resp_out
