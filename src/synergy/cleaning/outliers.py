"""Robust detection of outlier wells in dose matrices (docs/design.md §18).

Every measured value ``y`` (block, row, col, replicate) is compared with a leave-one-out
prediction of its cell from its 4 neighbouring cells' replicate medians
(:func:`neighbour_prediction`: linear interpolation in dose index along the axes with a
neighbour on both sides; the whole grid, single-drug edges included; a cell's own
replicates are not used).  The residual ``r = y − prediction`` counts only beyond the
neighbours' own spread ``g`` (a monotone surface lies between its neighbours):
``z = max(0, |r| − g) / σ`` with ``σ = 1.4826·median |r|`` over the block's values (at least
``MIN_SCALE`` % points), and the block's worst value is flagged while ``z > k``, one value
at a time: flagged values leave the neighbours' medians
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
DEFAULT_THRESHOLD = 5.0  # k, calibrated by benchmarks/bench_outliers.py (≤ 1 % false flags)
MIN_SCALE = 1.0  # % points: floor of σ (noise-free blocks)
MAX_FRACTION = 0.1


def _nanmedian(values: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():  # all-NaN slices are NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(values, axis=axis)


def neighbour_prediction(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leave-cell-out prediction of every cell from its neighbours' replicate medians.

    Along each axis with a measured neighbour on both sides, the mean of the two (linear
    interpolation in dose index) and half their difference; the prediction is the mean of
    those one or two axis interpolations and its *spread* the mean of their half
    differences.  Where no axis has both neighbours (corners, gaps): the median of the
    neighbours there are, and half their range.  A surface monotone along an axis lies
    between the two neighbours, so its interpolation error is at most the spread.

    Parameters
    ----------
    values : ndarray (B, R, C, K)
        % inhibition, NaN = not measured (or excluded).

    Returns
    -------
    prediction, spread : ndarray (B, R, C)
        % inhibition and % points; NaN without any neighbour.
    """
    cell = _nanmedian(values, axis=-1)
    n_block, n_row, n_col = cell.shape
    padded = np.full((n_block, n_row + 2, n_col + 2), np.nan)
    padded[:, 1:-1, 1:-1] = cell
    up, down = padded[:, :-2, 1:-1], padded[:, 2:, 1:-1]
    left, right = padded[:, 1:-1, :-2], padded[:, 1:-1, 2:]
    around = np.stack([up, down, left, right])
    with warnings.catch_warnings():  # all-NaN slices are NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        middle = np.nanmean(np.stack([(up + down) / 2.0, (left + right) / 2.0]), axis=0)
        half = np.nanmean(np.stack([np.abs(up - down), np.abs(left - right)]) / 2.0, axis=0)
        range_half = (np.nanmax(around, axis=0) - np.nanmin(around, axis=0)) / 2.0
    axis = np.isfinite(middle)
    prediction = np.where(axis, middle, _nanmedian(around, axis=0))
    return prediction, np.where(axis, half, range_half)


def _excess(values: np.ndarray, scale, min_scale: float) -> tuple[np.ndarray, np.ndarray]:
    """``max(0, |r| − g)`` of every value, and σ of each block (computed if ``scale`` is None)."""
    prediction, spread = neighbour_prediction(values)
    with np.errstate(invalid="ignore"):
        residual = np.abs(values - prediction[..., None])
        if scale is None:
            flat = residual.reshape(residual.shape[0], -1)
            scale = np.maximum(1.4826 * _nanmedian(flat, axis=1), min_scale)
        return np.maximum(residual - spread[..., None], 0.0), scale


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
        k: a value is an outlier when ``max(0, |r| − g) > k·σ``.
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
    residual, scale = _excess(values, None, min_scale)
    cap = np.maximum(1, np.floor(max_fraction * measured.reshape(n_block, -1).sum(axis=1)))
    active = np.isfinite(scale)
    count = np.zeros(n_block, dtype=np.int64)
    blocks = np.arange(n_block)
    while active.any():
        z = residual.reshape(n_block, -1) / scale[:, None]
        z = np.where(np.isfinite(z), z, -1.0)
        worst = np.argmax(z, axis=1)
        hit = active & (z[blocks, worst] > threshold) & (count < cap)
        if not hit.any():
            break
        flagged.reshape(n_block, -1)[blocks[hit], worst[hit]] = True
        count += hit
        active = hit
        residual, _ = _excess(np.where(flagged, np.nan, values), scale, min_scale)
    return flagged, scale
