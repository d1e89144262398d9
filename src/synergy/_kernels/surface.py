"""Per-well references and per-block summaries of δ surfaces (vectorised numpy).

These are elementwise or windowed reductions over dense ``(block, row, col)`` arrays, so
plain numpy is as fast as a compiled kernel here; every function is batched over
blocks and keeps NaN as "no value" (a NaN never becomes 0).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "extremes",
    "masked_mean",
    "most_synergistic_area",
    "ordered_sum",
    "pair_wells",
]


def ordered_sum(values: np.ndarray, n_axes: int = 1) -> np.ndarray:
    """Sum over the last ``n_axes`` axes, adding the values one after another in C order.

    Unlike ``ndarray.sum`` (pairwise, so its rounding depends on the length of the axis),
    padding with zeros never changes the result: a block scores the same bits whatever the
    grid it is padded to (docs/design.md §16).
    """
    lead = values.shape[: values.ndim - n_axes]
    flat = values.reshape((*lead, -1))
    if flat.shape[-1] == 0:
        return np.zeros(lead)
    return np.add.accumulate(flat, axis=-1)[..., -1]


def masked_mean(values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the finite ``values`` where ``mask`` holds, over the last two axes.

    Returns ``(mean, count)``, each of shape ``values.shape[:-2]``; the mean is NaN
    where the count is 0.
    """
    use = mask & np.isfinite(values)
    count = use.sum(axis=(-2, -1))
    total = ordered_sum(np.where(use, values, 0.0), 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return mean, count.astype(np.int64)


def most_synergistic_area(
    delta: np.ndarray, mask: np.ndarray, size: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Largest mean δ over ``size × size`` windows of combination wells (docs/design.md §6.11).

    Parameters
    ----------
    delta : (B, R, C) float64, δ in % points
    mask : (B, R, C) bool, True at combination wells (both doses > 0)
    size : window edge in wells, contiguous in dose index

    Returns
    -------
    msa : (B,) float64, % points; NaN when the block has no window made only of
        measured combination wells
    row, col : (B,) int64, index (in ``row``/``col``) of the best window's first row
        and column (lowest doses); -1 when there is none.  Ties go to the first
        window in row-major order.
    """
    n_block, n_row, n_col = delta.shape
    msa = np.full(n_block, np.nan)
    row = np.full(n_block, -1, dtype=np.int64)
    col = np.full(n_block, -1, dtype=np.int64)
    if n_row < size or n_col < size or n_block == 0:
        return msa, row, col
    values = np.where(mask, delta, np.nan)
    windows = sliding_window_view(values, (size, size), axis=(1, 2))
    # a window holding any NaN (missing well, edge, padding) has a NaN mean: skipped
    means = windows.sum(axis=(-2, -1)) / float(size * size)
    flat = means.reshape(n_block, -1)
    has = np.any(np.isfinite(flat), axis=1)
    if not np.any(has):
        return msa, row, col
    best = np.argmax(np.where(np.isfinite(flat), flat, -np.inf), axis=1)
    n_win_col = means.shape[2]
    msa[has] = flat[has, best[has]]
    row[has] = best[has] // n_win_col
    col[has] = best[has] % n_win_col
    return msa, row, col


def extremes(
    delta: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Largest and smallest finite δ over the wells in ``mask`` and where they are.

    Returns ``(max, max_row, max_col, min, min_row, min_col)``, each (B,): values in
    % points (NaN when no well), indices into ``row``/``col`` (-1 when none); ties go to
    the first well in row-major order.
    """
    n_block = delta.shape[0]
    use = mask & np.isfinite(delta)
    has = use.reshape(n_block, -1).any(axis=1)
    flat_hi = np.where(use, delta, -np.inf).reshape(n_block, -1)
    flat_lo = np.where(use, delta, np.inf).reshape(n_block, -1)
    i_hi = np.argmax(flat_hi, axis=1)
    i_lo = np.argmin(flat_lo, axis=1)
    n_col = delta.shape[2]
    rows = np.arange(n_block)
    v_hi = np.where(has, flat_hi[rows, i_hi], np.nan)
    v_lo = np.where(has, flat_lo[rows, i_lo], np.nan)
    r_hi = np.where(has, i_hi // n_col, -1)
    c_hi = np.where(has, i_hi % n_col, -1)
    r_lo = np.where(has, i_lo // n_col, -1)
    c_lo = np.where(has, i_lo % n_col, -1)
    return v_hi, r_hi, c_hi, v_lo, r_lo, c_lo


def pair_wells(conc_row: np.ndarray, conc_col: np.ndarray) -> np.ndarray:
    """(B, R·C, 2) doses of a pair grid's wells in C order (row drug first)."""
    n_block, n_row, n_col = conc_row.shape[0], conc_row.shape[1], conc_col.shape[1]
    conc = np.empty((n_block, n_row * n_col, 2))
    conc[:, :, 0] = np.repeat(conc_row, n_col, axis=1)
    conc[:, :, 1] = np.tile(conc_col, (1, n_row))
    return conc
