"""Loewe additivity from the single-drug Hill fits (SynergyFinder 3).

For a combination well with doses ``x1``, ``x2`` > 0 and observed inhibition ``y``
(replicate mean), with ``Xi(y)`` the dose of drug i alone that reaches ``y``::

    Xi(y) = ic50_i · ((y − bottom_i) / (top_i − y)) ** (1 / hill_slope_i)

(undefined → ``Xi = ∞`` if ``y`` is above both asymptotes of drug i, else 0):

* if ``X1(y) = X2(y) = ∞`` (no drug alone reaches ``y``) the reference is
  ``max(f1(x1 + x2), f2(x1 + x2))`` — the doses are added raw, so this fallback depends
  on the concentration unit (docs/design.md §6.2, §6.6); the wells that take it are flagged
  in ``loewe_fallback`` and counted in ``loewe_n_fallback``;
* otherwise the reference ``y*`` solves ``x1/X1(y*) + x2/X2(y*) = 1`` on the range
  between the lowest and highest asymptote of both curves:

  - ``solver="grid100"`` (SynergyFinder 3): 100 equally spaced ``y`` over that range,
    the first one minimising ``|x1/X1 + x2/X2 − 1|``; the reference is quantised to the
    grid step ``(max − min)/99`` (about 1 % point for a 0–100 % range);
  - ``solver="exact"``: the lowest root of that equation (safeguarded Newton/bisection
    from the grid's first sign change); where there is none (falling curves), the grid
    minimiser, flagged ``loewe_no_exact_root``.

  How much they differ (``benchmarks/bench_models.py``, 10,000 simulated 8×8 blocks):
  block scores by 0.04 points (median), 0.27 (99th percentile), 0.6–1.7 (max); wells by
  0.03 (median), 1.8–5.7 (max).  On SynergyFinder's examples: blocks by up to 0.11,
  wells by up to 1.1 points.  A sham combination (a drug with itself) scores
  |δ| < 1e-13 with ``exact`` and up to 0.5 points with ``grid100``.

δ = observed − reference; non-combination wells keep reference = observed, δ = 0.
SynergyFinder 3.7 (``R/calculate_synergy_score.R``: ``Loewe``, ``.SolveLoewe``,
``.SolveExpDose``) is reproduced to rounding with ``grid100`` given its fits; see
:mod:`synergy._kernels.loewe` for the exact rules.

Reference: Loewe S (1953) Arzneimittelforschung 3:285-290.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy._kernels.loewe import (
    FLAG_FALLBACK,
    FLAG_NO_ROOT,
    SOLVER_EXACT,
    SOLVER_GRID,
    SOLVER_SF2,
    loewe_reference_kernel,
    loewe_wells_kernel,
)
from synergy.errors import SynergyError
from synergy.hill.screen import drug_fits
from synergy.models.common import lacks_monotherapy
from synergy.models.outputs import model_outputs
from synergy.models.well_view import WellView, delta_and_reference, well_view

__all__ = ["LOEWE_SOLVERS", "N_GRID", "loewe_reference", "loewe_wells", "score_loewe"]

LOEWE_SOLVERS = {"grid100": SOLVER_GRID, "exact": SOLVER_EXACT, "sf2": SOLVER_SF2}
N_GRID = 100
LOEWE_STATUS_CODES = (0, 1, 2, 4, 5, 10, 11, 12, 13)


def _solver_code(solver: str) -> int:
    if solver not in LOEWE_SOLVERS:
        raise SynergyError(f"loewe_solver must be one of {sorted(LOEWE_SOLVERS)}, got {solver!r}")
    return LOEWE_SOLVERS[solver]


def loewe_reference(
    conc_row: np.ndarray,
    conc_col: np.ndarray,
    observed: np.ndarray,
    par_row: np.ndarray,
    par_col: np.ndarray,
    solver: str = "grid100",
) -> tuple[np.ndarray, np.ndarray]:
    """Loewe reference at the combination wells of every block of a pair grid.

    Parameters
    ----------
    conc_row : (B, R) doses of the row drug; conc_col : (B, C) of the column drug, in
        one unit (NaN padded)
    observed : (B, R, C) observed % inhibition (replicate means)
    par_row, par_col : (B, 4) Hill fits (ic50, hill_slope, bottom, top)
    solver : "grid100", "exact" or "sf2"

    Returns
    -------
    reference : (B, R, C) float64, % inhibition; NaN where not a combination well, not
        measured, or the fits are not finite
    flag : (B, R, C) float64, 0 solved, 1 fallback max fi(x1 + x2), 2 no exact root
        (grid minimiser used); NaN where not computed
    """
    code = _solver_code(solver)
    c64 = np.ascontiguousarray
    observed = c64(observed, dtype=np.float64)
    reference = np.full(observed.shape, np.nan)
    flag = np.full(observed.shape, np.nan)
    loewe_reference_kernel(
        c64(conc_row, dtype=np.float64),
        c64(conc_col, dtype=np.float64),
        observed,
        c64(par_row, dtype=np.float64),
        c64(par_col, dtype=np.float64),
        code,
        N_GRID,
        reference,
        flag,
    )
    return reference, flag


def loewe_wells(
    view: WellView, params: np.ndarray, solver: str = "grid100"
) -> tuple[np.ndarray, np.ndarray]:
    """Loewe reference and flags (B, W) at every well of a well view with ≥ 2 drugs present.

    ``params`` (B, N, 4): each drug's Hill fit.  See :func:`loewe_reference` for the values.
    """
    code = _solver_code(solver)
    reference = np.full(view.observed.shape, np.nan)
    flag = np.full(view.observed.shape, np.nan)
    loewe_wells_kernel(
        np.ascontiguousarray(view.conc),
        np.ascontiguousarray(view.observed),
        np.ascontiguousarray(params, dtype=np.float64),
        code,
        N_GRID,
        reference,
        flag,
    )
    return reference, flag


_FORMULAS = {
    "grid100": "SynergyFinder 3 grid of 100 y, first minimiser; fallback max "
    "f_i(x1+x2) where no drug alone reaches y",
    "exact": "exact root; fallback max f_i(x1+x2) where no drug alone reaches y",
    "sf2": "SynergyFinder 2: nleqslv Newton from max(c)+1; fallback max f_i(x1+x2) "
    "where it fails; capped at 100",
}


def score_loewe(
    screen: xr.Dataset, *, solver: str = "grid100", view: WellView | None = None
) -> xr.Dataset:
    """Loewe δ surfaces and block scores of every block, from the single-drug fits.

    See the module docstring for the definition (SynergyFinder 3 by default); one
    implementation for any number of drugs (the well view, docs/design.md §16.1).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen with single-drug fits: ``hill_row``, ``hill_col`` (block, param) for
        pairs, e.g. from :func:`synergy.hill.fit_screen` or injected from another tool;
        ``hill`` (block, drug, param) in the well layout.
    solver : {"grid100", "exact", "sf2"}
        SynergyFinder 3's 100-point grid (default), the exact root, or SynergyFinder 2's
        definition (pairs only).
    view : WellView, optional
        The screen's well view, if already computed.

    Returns
    -------
    xarray.Dataset
        ``loewe`` (δ, % points), ``loewe_reference`` (%), ``loewe_fallback`` (bool: the
        well took the ``max fi(x1 + x2)`` fallback), ``loewe_n_fallback``, the block
        summaries and ``loewe_status``.
    """
    view = well_view(screen) if view is None else view
    params = drug_fits(screen)[0]
    reference, flag = loewe_wells(view, params, solver)
    reference, delta = delta_and_reference(view, reference)
    fallback = flag == FLAG_FALLBACK
    n_drug = view.conc.shape[2]
    n_fallback = (fallback & (view.present == n_drug)).sum(axis=1)

    base = np.zeros(view.observed.shape[0], dtype=np.int8)
    base[np.any(fallback, axis=1)] = 4  # any well (N drugs: also wells with 2 of them)
    base[np.any(flag == FLAG_NO_ROOT, axis=1)] = 5
    if view.grid is not None:
        # fits may be injected for a block without single-drug wells: then it is scored
        bad_fits = ~np.all(
            np.isfinite(params).all(axis=2) & (params[:, :, 0] > 0) & (params[:, :, 1] > 0),
            axis=1,
        )
        observed = view.observed.reshape(view.observed.shape[0], *view.grid)
        base[bad_fits] = np.where(lacks_monotherapy(observed)[bad_fits], 10, 11)
    else:
        base[~np.isfinite(params).all(axis=(1, 2))] = 11

    formula = "Σ x_i/X_i(y*) = 1 (Loewe 1953); " + _FORMULAS[solver]
    attrs = {"units": "%", "formula": formula, "solver": solver}
    wells = {
        "loewe": (delta, {**attrs, "long_name": "Loewe synergy δ = observed − reference"}),
        "loewe_reference": (
            reference,
            {**attrs, "long_name": "Loewe additive reference (% inhibition)"},
        ),
        "loewe_fallback": (
            fallback,
            {"long_name": "well scored with the fallback max f_i(Σ x) (unit-dependent)"},
        ),
    }
    n_fallback_var = xr.DataArray(
        n_fallback.astype(np.int64),
        dims=("block",),
        coords={"block": screen["block"].values},
        attrs={"long_name": "wells with every drug scored with the Loewe fallback"},
    )
    data = model_outputs(
        screen, view, "loewe", "Loewe", wells, delta, base, LOEWE_STATUS_CODES,
        {"loewe_n_fallback": n_fallback_var},
    )  # fmt: skip
    return xr.Dataset(data)
