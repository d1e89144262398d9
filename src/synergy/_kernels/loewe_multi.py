"""Loewe additivity reference for N-drug wells, batched over blocks (numba).

The N-drug form of :mod:`synergy._kernels.loewe` (SynergyFinder 3.7, ``Loewe`` and
``.SolveLoewe`` for any number of drugs).  For a well with doses ``x_1 … x_N`` (at least two
> 0) and observed inhibition ``y``:

* if ``X_i(y) = ∞`` for every drug (no drug alone reaches ``y``), the reference is
  ``max_i f_i(Σ_j x_j)`` (raw dose sum, unit-dependent: docs/design.md §6.6);
* ``grid``: 100 equally spaced effects between the lowest and the highest asymptote of all
  the drugs, the first minimising ``|Σ_i x_i / X_i(y) − 1|``.  As in R, a drug with
  ``x_i = 0`` adds ``0 / X_i`` — nothing, unless ``X_i = 0`` (the effect is below its reach),
  where ``0 / 0`` is NaN and that grid effect is skipped (R's ``min(…, na.rm = TRUE)``);
* ``exact``: the lowest root of ``Σ_{x_i > 0} x_i / X_i(y) − 1`` on the same range (first
  sign change on the grid, refined by safeguarded Newton); with no root the grid
  minimiser, flagged.

For N = 2 both solvers give what :func:`~synergy._kernels.loewe.loewe_reference_kernel`
gives (tested).  Arrays are float64, C-contiguous.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from synergy._kernels.loewe import (
    FLAG_FALLBACK,
    FLAG_NO_ROOT,
    FLAG_SOLVED,
    SOLVER_GRID,
    dose_for_effect,
    doses_on_grid,
    effect_grid,
    first_root,
    hill_effect,
)

__all__ = ["loewe_multi_kernel"]


@njit(cache=True, error_model="numpy")
def _grid_distance(k, big, doses):
    """|Σ x_i / big[i, k] − 1| with R's arithmetic (0/0 = NaN, x/∞ = 0, x/0 = ∞)."""
    total = 0.0
    for i in range(doses.shape[0]):
        total += doses[i] / big[i, k]
    return abs(total - 1.0)


@njit(cache=True, parallel=True, error_model="numpy")
def loewe_multi_kernel(
    conc: np.ndarray,
    observed: np.ndarray,
    params: np.ndarray,
    solver: int,
    n_grid: int,
    out_reference: np.ndarray,
    out_flag: np.ndarray,
) -> None:
    """Loewe reference of every well with two or more drugs present.

    Parameters
    ----------
    conc : (B, W, N) float64, doses (one unit; NaN = padding well)
    observed : (B, W) float64, observed % inhibition (replicate means), NaN = none
    params : (B, N, 4) float64, Hill fits (ic50, hill_slope, bottom, top) of each drug
    solver : 0 = grid (SynergyFinder 3), 1 = exact root
    n_grid : grid points (100 in SynergyFinder 3)
    out_reference : (B, W) float64, written where at least two doses are > 0, the
        observation is finite and every fit is finite; untouched elsewhere
    out_flag : (B, W) float64, written at the same wells: 0 solved, 1 fallback
        ``max f_i(Σ x)``, 2 no exact root (grid minimiser used), 3 no grid effect defined
    """
    n_block, n_well, n_drug = conc.shape
    for blk in prange(n_block):
        pars = params[blk]
        ok = True
        for i in range(n_drug):
            for k in range(4):
                if not math.isfinite(pars[i, k]):
                    ok = False
            if pars[i, 0] <= 0.0 or pars[i, 1] <= 0.0:
                ok = False
        if not ok:
            continue
        y_min = math.inf
        y_max = -math.inf
        for i in range(n_drug):
            y_min = min(y_min, min(pars[i, 2], pars[i, 3]))
            y_max = max(y_max, max(pars[i, 2], pars[i, 3]))
        grid = effect_grid(y_min, y_max, n_grid)
        big = doses_on_grid(grid, pars)
        doses = np.empty(n_drug)
        for w in range(n_well):
            y = observed[blk, w]
            n_present = 0
            total = 0.0
            finite = math.isfinite(y)
            for i in range(n_drug):
                doses[i] = conc[blk, w, i]
                if not math.isfinite(doses[i]):
                    finite = False
                elif doses[i] > 0.0:
                    n_present += 1
                    total += doses[i]
            if not finite or n_present < 2:
                continue
            reached = False
            fallback = -math.inf
            for i in range(n_drug):
                p = pars[i]
                if math.isfinite(dose_for_effect(y, p[0], p[1], p[2], p[3])):
                    reached = True
                fallback = max(fallback, hill_effect(total, p[0], p[1], p[2], p[3]))
            if not reached:
                out_reference[blk, w] = fallback
                out_flag[blk, w] = FLAG_FALLBACK
                continue
            best = math.inf
            best_k = -1
            for k in range(n_grid):
                dist = _grid_distance(k, big, doses)
                # the first minimiser; NaN never wins (R's na.rm), +inf only if nothing is finite
                if dist < best or (best_k < 0 and dist == best):
                    best = dist
                    best_k = k
            if best_k < 0:
                out_reference[blk, w] = math.nan
                out_flag[blk, w] = 3.0
                continue
            if solver == SOLVER_GRID:
                out_reference[blk, w] = grid[best_k]
                out_flag[blk, w] = FLAG_SOLVED
                continue
            root = first_root(grid, big, doses, pars)
            if math.isnan(root):
                out_reference[blk, w] = grid[best_k]
                out_flag[blk, w] = FLAG_NO_ROOT
            else:
                out_reference[blk, w] = root
                out_flag[blk, w] = FLAG_SOLVED
