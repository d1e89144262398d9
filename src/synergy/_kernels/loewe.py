"""Loewe additivity reference, batched over blocks (numba).

For a combination well with doses ``x1 > 0``, ``x2 > 0`` and observed inhibition ``y``,
the Loewe reference is the effect ``y*`` that solves

    x1 / X1(y*) + x2 / X2(y*) = 1,

where ``Xi(y)`` is the dose of drug i alone that gives effect ``y`` (the inverse Hill
curve).  SynergyFinder 3.7 (``R/calculate_synergy_score.R``: ``.SolveExpDoesLL4``,
``.SolveLoewe``, ``Loewe``) fixes every detail reproduced here:

* ``Xi(y) = ic50 · r ** p`` with ``r = (y − d) / (c − y)`` and ``p = 1 / b`` in drc's
  LL.4 form ``(b, c, d, e)``; a curve in our parametrisation maps to the form drc
  returns in practice (``c < d``): a rising curve to ``b = −hill_slope``, a falling one
  to ``b = +hill_slope``.  The power follows R's ``^`` (``(−∞) ** 0.5`` is NaN, ``0 **
  −p`` is ∞).  Where the result is NaN the effect is out of the curve's reach:
  ``Xi = ∞`` if ``y > max(c, d)``, else ``0``.  L.4 fits (ln-dose, ``e`` = ln EC50)
  invert with the same formula once ``ic50 = exp(e)``.
* If ``Xi(y) = ∞`` for both drugs (no drug alone reaches ``y``), the reference is
  ``max_i fi(x1 + x2)`` (the raw dose sum: unit-dependent, docs/design.md §6.6).
* ``grid100``: 100 equally spaced ``y`` from the lowest to the highest asymptote of
  both curves (R's ``seq(min, max, length.out = 100)``), the first one minimising
  ``|x1/X1 + x2/X2 − 1|`` (``x/∞ = 0``, ``x/0 = ∞``).
* ``exact``: the lowest root of ``g(y) = x1/X1(y) + x2/X2(y) − 1`` on the same range:
  the first sign change of ``g`` on that grid is refined by safeguarded Newton
  (bisection whenever a Newton step leaves the bracket or stalls).  A sign change
  across a jump of ``g`` (falling curves jump from ∞ to finite at their asymptotes) is
  not a root; the next one is tried.  With no root at all the grid minimiser is used
  and the well is flagged.
* ``sf2`` (SynergyFinder 2, DrugComb; ``Loewe`` of synergyfinder 2.x as TidyComb calls
  it): the observed ``y`` plays no part.  SynergyFinder 2 solves the equation with
  ``nleqslv`` Newton from ``max(c) + 1`` and falls back to ``max_i fi(x1 + x2)`` whenever
  nleqslv ends with an error or a code ≥ 3; either is capped at 100.  That iteration is
  reproduced step by step in :mod:`synergy._kernels.loewe_sf2` (a flat single drug makes
  the start NaN: every well falls back).

Arrays are float64, C-contiguous; one compiled signature per kernel.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from synergy._kernels.loewe_grid import (
    FLAG_FALLBACK,
    FLAG_NO_GRID,
    FLAG_NO_ROOT,
    FLAG_SOLVED,
    block_grid,
    dose_for_effect,
    doses_on_grid,
    effect_grid,
    fallback_effect,
    fits_usable,
    grid_step,
    hill_effect,
    loewe_grid_blocks,
    well_doses,
)
from synergy._kernels.loewe_sf2 import sf2_newton
from synergy._kernels.surface import pair_wells

__all__ = [
    "FLAG_FALLBACK",
    "FLAG_NO_GRID",
    "FLAG_NO_ROOT",
    "FLAG_SOLVED",
    "SOLVER_EXACT",
    "SOLVER_GRID",
    "SOLVER_SF2",
    "dose_for_effect",
    "doses_on_grid",
    "effect_grid",
    "first_root",
    "hill_effect",
    "loewe_g",
    "loewe_reference_blocks",
    "loewe_reference_kernel",
    "loewe_wells_kernel",
]

SOLVER_GRID = 0
SOLVER_EXACT = 1
SOLVER_SF2 = 2
PARALLEL_MIN_BLOCKS = 256
"""Screens from this many blocks run on all cores (smaller: one thread, ~0.1 ms a block)."""


@njit(cache=True, error_model="numpy")
def _dlog_dose_dy(y: float, slope: float, bottom: float, top: float) -> float:
    """d ln X(y) / dy inside the curve's range (p · (c − d) / ((y − d)(c − y)))."""
    if top >= bottom:
        c = bottom
        d = top
        p = -1.0 / slope
    else:
        c = top
        d = bottom
        p = 1.0 / slope
    return p * (c - d) / ((y - d) * (c - y))


@njit(cache=True, error_model="numpy")
def loewe_g(y, doses, params):
    """Σ x_i/X_i(y) − 1 over the drugs with x_i > 0, and its derivative in y.

    ``doses`` (N,), ``params`` (N, 4).  Drugs with dose 0 are left out (they add nothing to
    Loewe's equation).  NaN derivative where undefined.
    """
    total = 0.0
    dg = 0.0
    for i in range(doses.shape[0]):
        x = doses[i]
        if x == 0.0:
            continue
        p = params[i]
        big = dose_for_effect(y, p[0], p[1], p[2], p[3])
        t = x / big
        total += t
        if 0.0 < big < math.inf:
            dg -= t * _dlog_dose_dy(y, p[1], p[2], p[3])
    return total - 1.0, dg


@njit(cache=True, error_model="numpy")
def _refine_root(a, b, ga, doses, params):
    """Safeguarded Newton on [a, b] where g(a), g(b) differ in sign; NaN if it is a jump."""
    # orient so that g(lo) > 0 > g(hi) in the iteration's bookkeeping
    rising = ga < 0.0
    lo = a
    hi = b
    y = 0.5 * (lo + hi)
    collapsed = False
    g_prev_abs = math.inf
    for _ in range(200):
        g, dg = loewe_g(y, doses, params)
        if g == 0.0:
            return y
        if (g > 0.0) != rising:
            lo = y
        else:
            hi = y
        width = hi - lo
        if width <= 4e-16 * max(abs(lo), abs(hi)) or width <= 1e-300:
            collapsed = True
            break
        step_ok = False
        y_new = y
        if math.isfinite(g) and math.isfinite(dg) and dg != 0.0:
            y_new = y - g / dg
            # Newton only while it stays in the bracket and at least halves |g|
            step_ok = lo < y_new < hi and abs(g) <= 0.5 * g_prev_abs
        g_prev_abs = abs(g)
        if step_ok:
            converged = abs(y_new - y) <= 1e-15 * max(abs(y), 1e-300)
            y = y_new
            if converged:
                return y  # Newton cannot move y any more: a root to the last bit
        else:
            y = 0.5 * (lo + hi)
    g_y, _ = loewe_g(y, doses, params)
    if abs(g_y) <= 1e-9:
        return y
    if collapsed:
        g_lo, _ = loewe_g(lo, doses, params)
        g_hi, _ = loewe_g(hi, doses, params)
        if math.isfinite(g_lo) and math.isfinite(g_hi):
            return y  # a steep root resolved to the last bit of y
    return math.nan  # g jumps through 0 (an asymptote of a falling curve)


@njit(cache=True, error_model="numpy")
def _grid_g(k, big, doses):
    """Σ x_i / big[i, k] − 1 over the drugs with x_i > 0 (``big``: X_i on the grid)."""
    total = 0.0
    for i in range(doses.shape[0]):
        if doses[i] != 0.0:
            total += doses[i] / big[i, k]
    return total - 1.0


@njit(cache=True, error_model="numpy")
def first_root(grid, big, doses, params):
    """Lowest root of Σ x_i/X_i − 1 from the first sign change on ``grid``; NaN if none.

    ``big`` (N, n_grid) holds X_i at the grid points; drugs with dose 0 are left out.
    """
    n_grid = grid.shape[0]
    g_prev = _grid_g(0, big, doses)
    if g_prev == 0.0:
        return grid[0]
    for k in range(1, n_grid):
        g_k = _grid_g(k, big, doses)
        if g_k == 0.0:
            return grid[k]
        if (g_k > 0.0) != (g_prev > 0.0):
            root = _refine_root(grid[k - 1], grid[k], g_prev, doses, params)
            if not math.isnan(root):
                return root
        g_prev = g_k
    return math.nan


@njit(cache=True, error_model="numpy")
def _drc_form(p: np.ndarray) -> np.ndarray:
    """drc's LL.4 ``(b, c, d, e)`` of a Hill fit ``(ic50, slope, bottom, top)`` (c < d)."""
    out = np.empty(4)
    if p[3] >= p[2]:
        out[0] = -p[1]
        out[1] = p[2]
        out[2] = p[3]
    else:
        out[0] = p[1]
        out[1] = p[3]
        out[2] = p[2]
    out[3] = p[0]
    return out


@njit(cache=True, error_model="numpy")
def loewe_reference_blocks(b0, b1, conc, observed, params, solver, n_grid, out_reference, out_flag):
    """:func:`loewe_wells_kernel` of blocks ``b0 .. b1 - 1`` (one thread), every solver."""
    n_well, n_drug = conc.shape[1], conc.shape[2]
    doses = np.empty(n_drug)
    for blk in range(b0, b1):
        pars = params[blk]
        if not fits_usable(pars):
            continue
        grid, big = block_grid(pars, n_grid)
        # drc's LL.4 coefficients (b, c, d, e), for SynergyFinder 2's equation (two drugs)
        drc1 = _drc_form(pars[0])
        drc2 = _drc_form(pars[pars.shape[0] - 1])
        for w in range(n_well):
            y = observed[blk, w]
            n_present, total, finite = well_doses(conc, blk, w, doses)
            if not (finite and n_present >= 2 and math.isfinite(y)):
                continue
            if solver == SOLVER_SF2:
                # SynergyFinder 2: x1 is the column drug's dose in its equation
                root, termcd = sf2_newton(doses[1], doses[0], drc2, drc1)
                if termcd < 3:
                    out_reference[blk, w] = min(root, 100.0)
                    out_flag[blk, w] = FLAG_SOLVED
                else:
                    out_reference[blk, w] = min(fallback_effect(total, pars), 100.0)
                    out_flag[blk, w] = FLAG_FALLBACK
                continue
            reference, flag, best_k = grid_step(y, total, doses, pars, grid, big)
            if best_k < 0 or solver == SOLVER_GRID:
                out_reference[blk, w] = reference
                out_flag[blk, w] = flag
                continue
            root = first_root(grid, big, doses, pars)
            if math.isnan(root):
                out_reference[blk, w] = grid[best_k]
                out_flag[blk, w] = FLAG_NO_ROOT
            else:
                out_reference[blk, w] = root
                out_flag[blk, w] = FLAG_SOLVED


@njit(cache=True, parallel=True, error_model="numpy")
def _loewe_reference_parallel(conc, observed, params, solver, n_grid, out_reference, out_flag):
    """:func:`loewe_reference_blocks` on all cores, ``prange`` over blocks."""
    for blk in prange(observed.shape[0]):
        b = np.int64(blk)
        loewe_reference_blocks(
            b, b + 1, conc, observed, params, solver, n_grid, out_reference, out_flag
        )


def loewe_wells_kernel(
    conc: np.ndarray,
    observed: np.ndarray,
    params: np.ndarray,
    solver: int,
    n_grid: int,
    out_reference: np.ndarray,
    out_flag: np.ndarray,
) -> None:
    """Loewe reference of every well with two or more drugs present, any number of drugs.

    One implementation for pairs and N drugs (docs/design.md §16.1): for N = 2 it performs
    the pair's operations in the pair's order (dose sum ``x1 + x2``, fallback ``max(f1, f2)``,
    grid distance ``|x1/X1 + x2/X2 − 1|``).  For N drugs, a drug with dose 0 adds ``0/X_i``
    on the grid (R's arithmetic, NaN skipped) and nothing to the exact root's equation.

    Screens of :data:`PARALLEL_MIN_BLOCKS` blocks or more run on all cores; smaller ones on
    one thread (same numbers), which spares the first run the compilation of the parallel
    variant (a few seconds).

    Parameters
    ----------
    conc : (B, W, N) float64, doses (one unit; NaN = padding well)
    observed : (B, W) float64, observed % inhibition (replicate means), NaN = none
    params : (B, N, 4) float64, Hill fits (ic50, hill_slope, bottom, top) of each drug
    solver : 0 = grid (SynergyFinder 3), 1 = exact root, 2 = SynergyFinder 2 (N = 2 only)
    n_grid : number of grid points (100 in SynergyFinder 3)
    out_reference : (B, W) float64, written: Loewe reference (% inhibition) at wells with
        two or more doses > 0, a finite observation and usable fits; untouched elsewhere
    out_flag : (B, W) float64, written at the same wells: 0 solved, 1 fallback
        ``max f_i(Σ x)``, 2 no exact root (grid minimiser used), 3 no grid effect defined
    """
    if solver == SOLVER_SF2 and conc.shape[2] != 2:
        raise ValueError("SynergyFinder 2's Loewe solver is defined for two drugs only")
    args = (conc, observed, params, int(solver), int(n_grid))
    if observed.shape[0] >= PARALLEL_MIN_BLOCKS:
        _loewe_reference_parallel(*args, out_reference, out_flag)
    elif solver == SOLVER_GRID:  # the default: compiles no root solver
        loewe_grid_blocks(0, observed.shape[0], *args[:3], args[4], out_reference, out_flag)
    else:
        loewe_reference_blocks(0, observed.shape[0], *args, out_reference, out_flag)


def loewe_reference_kernel(
    conc_row: np.ndarray,
    conc_col: np.ndarray,
    observed: np.ndarray,
    par_row: np.ndarray,
    par_col: np.ndarray,
    solver: int,
    n_grid: int,
    out_reference: np.ndarray,
    out_flag: np.ndarray,
) -> None:
    """:func:`loewe_wells_kernel` on a pair grid (N = 2, wells in C order).

    Parameters
    ----------
    conc_row : (B, R) float64, doses of the row drug (any unit, NaN padded)
    conc_col : (B, C) float64, doses of the column drug (same unit)
    observed : (B, R, C) float64, observed % inhibition (replicate means), NaN = none
    par_row, par_col : (B, 4) float64, Hill fits (ic50, hill_slope, bottom, top)
    solver, n_grid : as in :func:`loewe_wells_kernel`
    out_reference, out_flag : (B, R, C) float64, C-contiguous, written as there
    """
    if not (out_reference.flags.c_contiguous and out_flag.flags.c_contiguous):
        raise ValueError("out_reference and out_flag must be C-contiguous")
    n_block = observed.shape[0]
    conc = pair_wells(conc_row, conc_col)
    params = np.ascontiguousarray(np.stack([par_row, par_col], axis=1), dtype=np.float64)
    flat = (n_block, conc.shape[1])
    loewe_wells_kernel(
        conc,
        np.ascontiguousarray(observed).reshape(flat),
        params,
        solver,
        n_grid,
        out_reference.reshape(flat),
        out_flag.reshape(flat),
    )
