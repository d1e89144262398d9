"""Robust detection of outlier wells in dose matrices (docs/design.md §18).

Every measured value ``y`` (block, row, col, replicate) is compared with a leave-one-out
prediction of its cell: the median of its 4 neighbouring cells' replicate medians (the
whole grid, single-drug edges included; a cell's own replicates are not used).  The residual
``r = y − prediction`` is scaled by the block's robust spread ``σ = 1.4826·median |r|``
(over its values, at least ``MIN_SCALE`` % points), and the block's worst value is flagged
while ``|r| > k·σ``, one value at a time: flagged values leave the neighbours' medians
before the next residuals are computed, so a real outlier does not make its neighbours look
deviant.  At most ``MAX_FRACTION`` of a block's values are flagged.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = [
    "DEFAULT_THRESHOLD",
    "MAX_FRACTION",
    "MIN_SCALE",
    "OUTLIER_MODES",
    "detect_outliers",
    "neighbour_prediction",
]

OUTLIER_MODES = ("flag", "exclude")
DEFAULT_THRESHOLD = 6.0  # k, calibrated by benchmarks/bench_outliers.py (≤ 1 % false flags)
MIN_SCALE = 1.0  # % points: floor of σ (noise-free blocks)
MAX_FRACTION = 0.1


def _nanmedian(values: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():  # all-NaN slices are NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(values, axis=axis)


def neighbour_prediction(values: np.ndarray) -> np.ndarray:
    """Median of the 4 neighbouring cells' replicate medians, (B, R, C); NaN without any.

    Parameters
    ----------
    values : ndarray (B, R, C, K)
        % inhibition, NaN = not measured (or excluded).
    """
    cell = _nanmedian(values, axis=-1)
    n_block, n_row, n_col = cell.shape
    padded = np.full((n_block, n_row + 2, n_col + 2), np.nan)
    padded[:, 1:-1, 1:-1] = cell
    around = np.stack(
        [
            padded[:, :-2, 1:-1],
            padded[:, 2:, 1:-1],
            padded[:, 1:-1, :-2],
            padded[:, 1:-1, 2:],
        ]
    )
    return _nanmedian(around, axis=0)


def detect_outliers(
    response: np.ndarray,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    max_fraction: float = MAX_FRACTION,
    min_scale: float = MIN_SCALE,
) -> tuple[np.ndarray, np.ndarray]:
    """Flag outlier values of every block (module docstring).

    Parameters
    ----------
    response : ndarray (B, R, C, K)
        % inhibition, NaN = no well.
    threshold : float
        k: a value is an outlier when ``|r| > k·σ``.
    max_fraction : float
        At most this share of a block's measured values is flagged (at least one).
    min_scale : float
        Floor of σ, % points.

    Returns
    -------
    flagged : ndarray (B, R, C, K) of bool
    scale : ndarray (B,)
        σ of each block, % points (NaN for a block with no residual).
    """
    values = np.array(response, dtype=np.float64)
    n_block = values.shape[0]
    measured = np.isfinite(values)
    flagged = np.zeros(values.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        residual = values - neighbour_prediction(values)[..., None]
    flat = np.abs(residual).reshape(n_block, -1)
    scale = np.maximum(1.4826 * _nanmedian(flat, axis=1), min_scale)
    cap = np.maximum(1, np.floor(max_fraction * measured.reshape(n_block, -1).sum(axis=1)))
    active = np.isfinite(scale)
    count = np.zeros(n_block, dtype=np.int64)
    blocks = np.arange(n_block)
    while active.any():
        z = np.abs(residual).reshape(n_block, -1) / scale[:, None]
        z = np.where(np.isfinite(z), z, -1.0)
        worst = np.argmax(z, axis=1)
        hit = active & (z[blocks, worst] > threshold) & (count < cap)
        if not hit.any():
            break
        flagged.reshape(n_block, -1)[blocks[hit], worst[hit]] = True
        count += hit
        active = hit
        kept = np.where(flagged, np.nan, values)
        with np.errstate(invalid="ignore"):
            residual = kept - neighbour_prediction(kept)[..., None]
    return flagged, scale
