"""The bootstrap's resamples: keyed draws per measured well, and the resampled screen.

:func:`resample_means` turns each block's replicates into ``n_boot`` resampled replicate-mean
grids (:mod:`synergy._kernels.resample`, noise pools of :mod:`synergy.stats.noise`);
:func:`resampled_screen` makes a screen of them to rescore.  Both layouts go through one
path: a block's cells form a grid ``(R, C)`` — a pair's dose grid, or an N-drug block's wells
as one row ``(1, W)`` (:func:`~synergy.stats.resampling.resample_grid`).

Draws are keyed by (seed, block id, resample, well) with ``well = row · C_b + col`` and
``C_b`` the block's own column extent (docs/design.md §16.3): a block draws the same numbers
whatever grid it is padded to (alone, in a uniform screen, among larger blocks, in a shape
group), and every reduction over a block's wells here is made on the block's own grid, so a
block's intervals do not depend on the padding either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy._kernels.resample import normal_resample, residual_resample
from synergy.datasets.streams import block_digest
from synergy.io.groups import grid_extents, padded_dims
from synergy.io.layout import cell_array, dose_coords
from synergy.stats.noise import fitted_residual_pool, replicate_moments, replicate_residual_pool

__all__ = [
    "NOISE_MEANINGS",
    "block_keys",
    "column_extent",
    "own_grid_reduce",
    "resample_grid",
    "resample_means",
    "resampled_screen",
]

_PURPOSE = 11  # key of the bootstrap streams (simulate uses 1-6)
NOISE_MEANINGS = status_codes.meanings("bootstrap_noise")  # explained in synergy.status


def block_keys(seed: int, block_ids: Sequence[str]) -> np.ndarray:
    """64-bit keys of the blocks' bootstrap streams: BLAKE2b of (seed, purpose, block id)."""
    return np.array(
        [int.from_bytes(block_digest(seed, str(b), (_PURPOSE,), 8), "little") for b in block_ids],
        dtype=np.uint64,
    )


def column_extent(conc: np.ndarray) -> np.ndarray:
    """One past the last finite entry of each row of ``conc`` (B, n), int64 (0: none)."""
    finite = np.isfinite(conc)
    last = finite.shape[1] - np.argmax(finite[:, ::-1], axis=1)
    return np.where(finite.any(axis=1), last, 0).astype(np.int64)


def resample_grid(screen: xr.Dataset) -> tuple[tuple[int, int], np.ndarray]:
    """The resampler's grid of a screen and each block's own extent on it.

    The grid is the screen's padded cell dimensions (:func:`synergy.io.groups.padded_dims`)
    as two axes: ``(R, C)`` for a pair's ``(row, col)``, ``(1, W)`` for the wells of N drugs;
    cell ``(i, j)`` is flat well ``i·C + j`` (:func:`synergy.io.layout.flat_values`).

    Returns
    -------
    grid : (R, C)
    extents : (B, 2) int64, each block's own rows and columns on the grid (one past its
        last finite dose; :func:`synergy.io.groups.grid_extents`)
    """
    sizes = tuple(int(screen.sizes[d]) for d in padded_dims(screen))
    extents = grid_extents(screen)
    n_missing = 2 - len(sizes)
    grid = (1,) * n_missing + sizes
    pad = np.ones((extents.shape[0], n_missing), dtype=np.int64)
    return grid, np.concatenate([pad, extents.astype(np.int64)], axis=1)


def own_grid_reduce(
    values: np.ndarray, extents: np.ndarray, reduce: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """``reduce`` over each block's own grid: ``values[b, :R_b, :C_b]`` flattened.

    Blocks of the same extents are reduced in one call of ``reduce`` (a (n, R_b·C_b) array
    → (n,)), so the result does not depend on the padding, and for blocks spanning the whole
    grid it is ``reduce`` of the whole flattened grid.

    Parameters
    ----------
    values : (B, R, C) ndarray
    extents : (B, 2) int
        Each block's rows and columns (:func:`~synergy.stats.resampling.resample_grid`).
    reduce : callable

    Returns
    -------
    (B,) float64
    """
    out = np.full(values.shape[0], np.nan)
    shapes, inverse = np.unique(extents, axis=0, return_inverse=True)
    for k, (n_row, n_col) in enumerate(shapes):
        sel = np.flatnonzero(inverse.ravel() == k)
        out[sel] = reduce(values[sel, :n_row, :n_col].reshape(sel.size, -1))
    return out


def _fitted_pools(conc_row, conc_col, mean):
    """:func:`~synergy.stats.noise.fitted_residual_pool` of each block on its own grid.

    Returns ``(pools, size)``: a list of ``(positions, pool)`` and the (B,) pool sizes.
    """
    extents = np.stack([column_extent(conc_row), column_extent(conc_col)], axis=1)
    size = np.zeros(mean.shape[0], dtype=np.int64)
    pools = []
    shapes, inverse = np.unique(extents, axis=0, return_inverse=True)
    for k, (n_row, n_col) in enumerate(shapes):
        sel = np.flatnonzero(inverse.ravel() == k)
        if n_row == 0 or n_col == 0:
            continue  # no dose grid: no residuals
        pool, size[sel] = fitted_residual_pool(
            conc_row[sel, :n_row], conc_col[sel, :n_col], mean[sel, :n_row, :n_col]
        )
        pools.append((sel, pool))
    return pools, size


def _noise(response, conc_row, conc_col, method):
    """Per-block inputs of the resampler and the noise code of each block."""
    mean, sd, count = replicate_moments(response)
    n_block = mean.shape[0]
    if method == "synergyfinder":
        has_rep = np.any(count >= 2, axis=(1, 2))
        return (mean, sd, count), np.where(has_rep, 0, 2).astype(np.int8)
    pool, size = replicate_residual_pool(response)
    code = np.where(size == 0, 2, 0).astype(np.int8)
    idx = np.flatnonzero(size == 0)
    if conc_row is not None and idx.size:  # fitted-surface residuals: on a dose grid only
        f_pools, f_size = _fitted_pools(conc_row[idx], conc_col[idx], mean[idx])
        width = max([pool.shape[1], *(p.shape[1] for _, p in f_pools)])
        grown = np.zeros((n_block, width))
        grown[:, : pool.shape[1]] = pool
        grown[idx] = 0.0
        for sel, f_pool in f_pools:
            grown[idx[sel], : f_pool.shape[1]] = f_pool
        pool, size = grown, size.copy()
        size[idx] = f_size
        code[idx] = np.where(f_size > 0, 1, 2)
    return (mean, count, np.ascontiguousarray(pool), size.astype(np.int64)), code


def resample_means(
    response: np.ndarray,
    conc_row: np.ndarray | None,
    conc_col: np.ndarray | None,
    block_ids: Sequence[str],
    n_boot: int,
    seed: int,
    method: str = "resample",
    first: int = 0,
    block_cols: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Resampled replicate-mean grids of every block.

    Parameters
    ----------
    response : (B, R, C, K) % inhibition on the resampler's grid
        (:func:`~synergy.stats.resampling.resample_grid`)
    conc_row, conc_col : (B, R), (B, C) doses of a pair grid, for fitted-surface residuals of
        blocks without replicates; None (N drugs): no fitted-surface residuals
    block_ids : the blocks' ids (keys of the draws)
    n_boot : resamples to draw; first : number of the first one (for chunking resamples)
    seed : seed of the draws
    method : "resample" or "synergyfinder" (:mod:`synergy.stats.bootstrap`)
    block_cols : (B,) int, each block's own column extent ``C_b`` (well key
        ``row·C_b + col``); default one past the last finite ``conc_col``, or ``C`` without
        doses

    Returns
    -------
    means : (B, n_boot, R, C) float64, % inhibition (NaN outside each block's grid)
    noise : (B,) int8, ``NOISE_MEANINGS`` code of each block
    """
    response = np.ascontiguousarray(response, dtype=np.float64)
    n_block, n_row, n_col = response.shape[:3]
    if block_cols is None:
        block_cols = np.full(n_block, n_col) if conc_col is None else column_extent(conc_col)
    block_cols = np.ascontiguousarray(block_cols, dtype=np.int64)
    inputs, code = _noise(response, conc_row, conc_col, method)
    keys = block_keys(seed, block_ids)
    out = np.empty((n_block, n_boot, n_row, n_col))
    if method == "synergyfinder":
        mean, sd, count = inputs
        normal_resample(mean, sd, count, keys, block_cols, int(first), out)
    else:
        mean, count, pool, size = inputs
        residual_resample(mean, count, pool, size, keys, block_cols, int(first), out)
    return out, code


def resampled_screen(scored: xr.Dataset, positions: np.ndarray, means: np.ndarray) -> xr.Dataset:
    """The resamples of some blocks as one screen to rescore.

    Parameters
    ----------
    scored : xarray.Dataset
        The screen the resamples come from (either layout).
    positions : (b,) int
        Positions of the resampled blocks in ``scored``.
    means : (b, n_boot, R, C) float64
        Their resampled replicate means on the resampler's grid
        (:func:`~synergy.stats.resampling.resample_grid`).

    Returns
    -------
    xarray.Dataset
        ``b · n_boot`` blocks numbered 0 …: each block's doses repeated ``n_boot`` times and
        ``response`` the resampled means as one replicate; ``conc_unit`` kept.
    """
    n_boot = means.shape[1]
    doses = {name: scored[name].variable for name in dose_coords(scored)}
    base = xr.Dataset(coords=doses)
    base = base.assign_coords({d: scored[d].values for d in base.dims if d in scored.indexes})
    total = positions.size * n_boot
    rs = base.isel(block=np.repeat(positions, n_boot)).assign_coords(block=np.arange(total))
    response = cell_array(rs, means.reshape(total, -1, 1), ("replicate",))
    rs = rs.assign(response=response)
    rs.attrs = {"conc_unit": str(scored.attrs.get("conc_unit", ""))}
    return rs
