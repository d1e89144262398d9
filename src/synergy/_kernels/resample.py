"""Keyed random draws for bootstrap resamples of replicate-mean surfaces (numba).

Every draw is a pure function of ``(block key, resample number, well, draw number)``: a
counter-based generator (SplitMix64's output function applied to ``key + (counter + 1)·φ``,
φ = 0x9E3779B97F4A7C15), so a resample of a block is the same whatever the chunking of
blocks or resamples and whatever the number of threads (docs/design.md §3).  The block key is a
64-bit BLAKE2b digest of ``(seed, block id)`` (:func:`synergy.datasets.streams.block_digest`).

Counter layout: ``resample · 2**32 + well · 2**12 + draw`` with ``well = row · C_b + col``
(so up to 4096 draws per well and 2**20 wells per block), ``C_b`` the block's *own* column
extent (``block_cols[b]``: one past its last column with a finite dose), not the width of
the array the block is padded to: a block draws the same numbers in a screen of any grid
(docs/design.md §16.3).  Cells at ``col ≥ C_b`` lie outside the block's grid and are NaN.

Two resamplers, both batched over blocks (``prange``) and writing into ``out``:

* :func:`residual_resample` — ``y*[b, r, i, j] = mean[b, i, j] + (1/n) Σ_k pool[b, ⌊u·P_b⌋]``
  over ``n = count[b, i, j]`` draws from the block's residual pool (size ``P_b``);
* :func:`normal_resample` — ``y* = mean + sd / √n · z`` with ``z`` standard normal
  (Box–Muller from two keyed uniforms): the mean of ``n`` draws from N(mean, sd²), as
  SynergyFinder's ``.Bootstrapping`` draws them.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["keyed_uniform", "normal_resample", "residual_resample"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_ONE = np.uint64(1)
_TWO53 = 2.0**-53


@njit(cache=True, inline="always")
def keyed_uniform(key: np.uint64, counter: np.uint64) -> float:
    """A uniform in [0, 1) (53 bits) from ``(key, counter)`` (SplitMix64 output function)."""
    z = key + (counter + _ONE) * _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return float(z >> _S11) * _TWO53


@njit(cache=True, inline="always")
def _counter(resample: int, well: int, draw: int) -> np.uint64:
    return (
        (np.uint64(resample) << np.uint64(32))
        + (np.uint64(well) << np.uint64(12))
        + np.uint64(draw)
    )


@njit(cache=True, parallel=True)
def residual_resample(
    mean, count, pool, pool_size, keys, block_cols, first, out
):  # pragma: no cover
    """Resampled replicate means from each block's residual pool.

    Parameters
    ----------
    mean : (B, R, C) float64, replicate means (% inhibition), NaN = no well
    count : (B, R, C) int64, measured replicates per well
    pool : (B, P) float64, residuals (% points) in the first ``pool_size[b]`` entries
    pool_size : (B,) int64; 0 leaves the block's wells at their means
    keys : (B,) uint64, block keys
    block_cols : (B,) int64, each block's own column extent ``C_b`` (the well key's stride)
    first : int, number of the first resample written (resample ``first + r`` → ``out[:, r]``)
    out : (B, N, R, C) float64, written
    """
    n_block, n_res, n_row, n_col = out.shape
    for b in prange(n_block):
        key = keys[b]
        size = pool_size[b]
        cols = block_cols[b]
        for r in range(n_res):
            for i in range(n_row):
                for j in range(n_col):
                    m = mean[b, i, j]
                    n = count[b, i, j]
                    if n == 0 or j >= cols or not np.isfinite(m):
                        out[b, r, i, j] = np.nan
                        continue
                    if size == 0:
                        out[b, r, i, j] = m
                        continue
                    well = i * cols + j
                    total = 0.0
                    for k in range(n):
                        u = keyed_uniform(key, _counter(first + r, well, k))
                        idx = int(u * size)
                        if idx >= size:
                            idx = size - 1
                        total += pool[b, idx]
                    out[b, r, i, j] = m + total / n


@njit(cache=True, parallel=True)
def normal_resample(mean, sd, count, keys, block_cols, first, out):  # pragma: no cover
    """Replicate means drawn as ``mean + sd/√n · z`` (SynergyFinder's parametric bootstrap).

    Parameters
    ----------
    mean, sd : (B, R, C) float64, replicate mean and standard deviation (ddof 1; 0 for a
        single replicate), % inhibition; NaN mean = no well
    count : (B, R, C) int64, measured replicates per well
    keys : (B,) uint64, block keys
    block_cols : (B,) int64, each block's own column extent ``C_b`` (the well key's stride)
    first : int, number of the first resample written
    out : (B, N, R, C) float64, written
    """
    n_block, n_res, n_row, n_col = out.shape
    for b in prange(n_block):
        key = keys[b]
        cols = block_cols[b]
        for r in range(n_res):
            for i in range(n_row):
                for j in range(n_col):
                    m = mean[b, i, j]
                    n = count[b, i, j]
                    if n == 0 or j >= cols or not np.isfinite(m):
                        out[b, r, i, j] = np.nan
                        continue
                    well = i * cols + j
                    u1 = keyed_uniform(key, _counter(first + r, well, 0))
                    u2 = keyed_uniform(key, _counter(first + r, well, 1))
                    z = np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)
                    out[b, r, i, j] = m + sd[b, i, j] / np.sqrt(n) * z
