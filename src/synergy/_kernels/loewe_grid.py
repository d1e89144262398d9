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
FLAG_NO_GRID = 3.0  # N ≥ 3 only: no grid effect has a defined distance


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


@njit(cache=True, error_model="numpy")
def fits_usable(pars):
    """Every drug's Hill fit (rows of ``pars``) finite with ic50 > 0 and slope > 0."""
    ok = True
    for i in range(pars.shape[0]):
        for k in range(4):
            if not math.isfinite(pars[i, k]):
                ok = False
        if not (pars[i, 0] > 0.0 and pars[i, 1] > 0.0):
            ok = False
    return ok


@njit(cache=True, error_model="numpy")
def block_grid(pars, n_grid):
    """The effect grid between the lowest and highest asymptote of all the drugs, and X_i on
    it (N, n_grid); the drugs are taken one after another (for N = 2 the pair's order)."""
    y_min = min(pars[0, 2], pars[0, 3])
    y_max = max(pars[0, 2], pars[0, 3])
    for i in range(1, pars.shape[0]):
        y_min = min(y_min, min(pars[i, 2], pars[i, 3]))
        y_max = max(y_max, max(pars[i, 2], pars[i, 3]))
    grid = effect_grid(y_min, y_max, n_grid)
    return grid, doses_on_grid(grid, pars)


@njit(cache=True, error_model="numpy")
def well_doses(conc, blk, w, doses):
    """Copy well ``w``'s doses into ``doses``; returns (drugs with dose > 0, their dose sum,
    every dose finite).  The sum adds the doses in drug order (for N = 2: ``x1 + x2``)."""
    n_present = 0
    total = 0.0
    finite = True
    for i in range(doses.shape[0]):
        x = conc[blk, w, i]
        doses[i] = x
        if not math.isfinite(x):
            finite = False
        elif x > 0.0:
            total = x if n_present == 0 else total + x
            n_present += 1
    return n_present, total, finite


@njit(cache=True, error_model="numpy")
def fallback_effect(total, pars):
    """``max_i f_i(Σ x)``: the Loewe fallback where no drug alone reaches the effect."""
    best = hill_effect(total, pars[0, 0], pars[0, 1], pars[0, 2], pars[0, 3])
    for i in range(1, pars.shape[0]):
        best = max(best, hill_effect(total, pars[i, 0], pars[i, 1], pars[i, 2], pars[i, 3]))
    return best


@njit(cache=True, error_model="numpy")
def reached(y, pars):
    """Whether some drug alone reaches effect ``y`` (a finite X_i(y))."""
    for i in range(pars.shape[0]):
        if math.isfinite(dose_for_effect(y, pars[i, 0], pars[i, 1], pars[i, 2], pars[i, 3])):
            return True
    return False


@njit(cache=True, error_model="numpy")
def grid_minimiser(doses, big):
    """Index of the first grid point minimising |Σ x_i/X_i − 1| (SynergyFinder 3); -1 if none.

    R's arithmetic: a drug with dose 0 adds ``0 / X_i`` (NaN where ``X_i = 0``: that grid
    effect is skipped, R's ``na.rm``), ``x/∞ = 0``, ``x/0 = ∞``.  For two drugs the sum is
    ``x1/X1 + x2/X2`` as the pair always computed it (never NaN with both doses > 0).
    """
    n_grid = big.shape[1]
    best = math.inf
    best_k = -1
    if doses.shape[0] == 2:  # the pair's loop, unrolled (the same operations)
        x1 = doses[0]
        x2 = doses[1]
        for k in range(n_grid):
            dist = abs(x1 / big[0, k] + x2 / big[1, k] - 1.0)
            if dist < best or (best_k < 0 and dist == best):
                best = dist
                best_k = k
        return best_k
    for k in range(n_grid):
        total = doses[0] / big[0, k]
        for i in range(1, doses.shape[0]):
            total = total + doses[i] / big[i, k]
        dist = abs(total - 1.0)
        # the first minimiser; NaN never wins, +inf only if nothing is finite
        if dist < best or (best_k < 0 and dist == best):
            best = dist
            best_k = k
    return best_k


@njit(cache=True, error_model="numpy")
def grid_step(y, total, doses, pars, grid, big):
    """(reference, flag, grid index) of one well by SynergyFinder 3's rule: the fallback
    ``max f_i(Σ x)`` where no drug alone reaches ``y`` (index -1), else the grid's first
    minimiser (``FLAG_NO_GRID`` and NaN, index -1, where no grid effect is defined)."""
    if not reached(y, pars):
        return fallback_effect(total, pars), FLAG_FALLBACK, -1
    best_k = grid_minimiser(doses, big)
    if best_k < 0:
        return math.nan, FLAG_NO_GRID, -1
    return grid[best_k], FLAG_SOLVED, best_k


@njit(cache=True, error_model="numpy")
def loewe_grid_blocks(b0, b1, conc, observed, params, n_grid, out_reference, out_flag):
    """:func:`~synergy._kernels.loewe.loewe_reference_blocks` with the grid solver, one thread.

    The same numbers without the exact-root and SynergyFinder 2 solvers, so that the
    default path does not compile them.
    """
    n_well, n_drug = conc.shape[1], conc.shape[2]
    doses = np.empty(n_drug)
    for blk in range(b0, b1):
        pars = params[blk]
        if not fits_usable(pars):
            continue
        grid, big = block_grid(pars, n_grid)
        for w in range(n_well):
            y = observed[blk, w]
            n_present, total, finite = well_doses(conc, blk, w, doses)
            if not (finite and n_present >= 2 and math.isfinite(y)):
                continue
            reference, flag, _ = grid_step(y, total, doses, pars, grid, big)
            out_reference[blk, w] = reference
            out_flag[blk, w] = flag
