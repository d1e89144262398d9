"""The Loewe reference with SynergyFinder 3's grid solver, one thread, and the Hill
helpers every Loewe solver shares (numba).

:func:`loewe_grid_blocks` gives the numbers of
:func:`synergy._kernels.loewe.loewe_reference_blocks` with ``solver = SOLVER_GRID`` (the
default) without the exact-root and SynergyFinder 2 solvers in its code, so that the first
``synergy.score`` on an empty numba cache does not compile them (~2 s of CPU;
``docs/design.md``, compile time).  :mod:`synergy._kernels.loewe` re-exports the helpers.
Tested equal to the all-solver kernel (which the parallel variant runs) in
``tests/_kernels/test_parallel_variants.py``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from synergy._kernels.r_arith import r_pow

__all__ = [
    "FLAG_FALLBACK",
    "FLAG_NO_ROOT",
    "FLAG_SOLVED",
    "dose_for_effect",
    "doses_on_grid",
    "effect_grid",
    "hill_effect",
    "loewe_grid_blocks",
]

# per-well flags written by the kernel (NaN = well not computed)
FLAG_SOLVED = 0.0
FLAG_FALLBACK = 1.0
FLAG_NO_ROOT = 2.0


@njit(cache=True, error_model="numpy")
def dose_for_effect(y: float, ic50: float, slope: float, bottom: float, top: float) -> float:
    """Dose of one drug alone giving effect ``y`` (SynergyFinder's rule), in dose units.

    ``0`` when ``y`` is below the curve's reach, ``inf`` when above it.
    """
    if top >= bottom:  # rising: drc form b < 0, c = bottom, d = top
        c = bottom
        d = top
        p = -1.0 / slope
    else:  # falling: drc form b > 0, c = top, d = bottom
        c = top
        d = bottom
        p = 1.0 / slope
    res = ic50 * r_pow((y - d) / (c - y), p)
    if math.isnan(res):
        return math.inf if y > max(c, d) else 0.0
    return res


@njit(cache=True, error_model="numpy")
def hill_effect(x: float, ic50: float, slope: float, bottom: float, top: float) -> float:
    """Hill curve ``bottom + (top − bottom) / (1 + (ic50 / x) ** slope)`` at dose ``x ≥ 0``."""
    if x <= 0.0:
        return bottom
    return bottom + (top - bottom) / (1.0 + (ic50 / x) ** slope)


@njit(cache=True, error_model="numpy")
def effect_grid(y_min: float, y_max: float, n_grid: int) -> np.ndarray:
    """R's ``seq(y_min, y_max, length.out = n_grid)``: equal steps, the last exactly y_max."""
    grid = np.empty(n_grid)
    step = (y_max - y_min) / (n_grid - 1)
    for k in range(n_grid):
        grid[k] = y_max if k == n_grid - 1 else y_min + k * step
    return grid


@njit(cache=True, error_model="numpy")
def doses_on_grid(grid: np.ndarray, params: np.ndarray) -> np.ndarray:
    """X_i(y) of each drug (rows of ``params``) at each grid effect: (N, n_grid)."""
    big = np.empty((params.shape[0], grid.shape[0]))
    for i in range(params.shape[0]):
        p = params[i]
        for k in range(grid.shape[0]):
            big[i, k] = dose_for_effect(grid[k], p[0], p[1], p[2], p[3])
    return big


@njit(cache=True, error_model="numpy", inline="always")
def _fits_usable(p1, p2):
    """Both Hill fits finite with ic50 > 0 and slope > 0."""
    ok = True
    for k in range(4):
        if not (math.isfinite(p1[k]) and math.isfinite(p2[k])):
            ok = False
    return ok and p1[0] > 0.0 and p2[0] > 0.0 and p1[1] > 0.0 and p2[1] > 0.0


@njit(cache=True, error_model="numpy", inline="always")
def _grid_minimiser(x1, x2, big1, big2, n_grid):
    """Index of the first grid point minimising |x1/X1 + x2/X2 - 1| (SynergyFinder 3)."""
    best = abs(x1 / big1[0] + x2 / big2[0] - 1.0)
    best_k = 0
    for k in range(1, n_grid):
        dist = abs(x1 / big1[k] + x2 / big2[k] - 1.0)
        if dist < best:
            best = dist
            best_k = k
    return best_k


@njit(cache=True, error_model="numpy")
def loewe_grid_blocks(
    b0, b1, conc_row, conc_col, observed, par_row, par_col, n_grid, out_reference, out_flag
):
    """:func:`~synergy._kernels.loewe.loewe_reference_blocks` with the grid solver, one thread.

    The same numbers without the exact-root and SynergyFinder 2 solvers, so that the
    default path does not compile them.
    """
    n_row, n_col = observed.shape[1], observed.shape[2]
    for blk in range(b0, b1):
        p1 = par_row[blk]
        p2 = par_col[blk]
        if not _fits_usable(p1, p2):
            continue
        y_min = min(min(p1[2], p1[3]), min(p2[2], p2[3]))
        y_max = max(max(p1[2], p1[3]), max(p2[2], p2[3]))
        params = np.empty((2, 4))
        for k in range(4):  # element-wise (see loewe_reference_blocks)
            params[0, k] = p1[k]
            params[1, k] = p2[k]
        grid = effect_grid(y_min, y_max, n_grid)
        big = doses_on_grid(grid, params)
        big1 = big[0]
        big2 = big[1]
        for i in range(n_row):
            x1 = conc_row[blk, i]
            if not (x1 > 0.0 and math.isfinite(x1)):
                continue
            for j in range(n_col):
                x2 = conc_col[blk, j]
                y = observed[blk, i, j]
                if not (x2 > 0.0 and math.isfinite(x2) and math.isfinite(y)):
                    continue
                cap1 = dose_for_effect(y, p1[0], p1[1], p1[2], p1[3])
                cap2 = dose_for_effect(y, p2[0], p2[1], p2[2], p2[3])
                if not math.isfinite(cap1) and not math.isfinite(cap2):
                    total = x1 + x2
                    out_reference[blk, i, j] = max(
                        hill_effect(total, p1[0], p1[1], p1[2], p1[3]),
                        hill_effect(total, p2[0], p2[1], p2[2], p2[3]),
                    )
                    out_flag[blk, i, j] = FLAG_FALLBACK
                    continue
                out_reference[blk, i, j] = grid[_grid_minimiser(x1, x2, big1, big2, n_grid)]
                out_flag[blk, i, j] = FLAG_SOLVED
