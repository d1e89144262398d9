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
)
from synergy.errors import SynergyError
from synergy.models.common import (
    combination_mask,
    doses,
    edge_filled,
    hill_fits,
    lacks_monotherapy,
    observed_surface,
    surface_variable,
)
from synergy.models.summary import summarise

__all__ = ["LOEWE_SOLVERS", "N_GRID", "loewe_reference", "score_loewe"]

LOEWE_SOLVERS = {"grid100": SOLVER_GRID, "exact": SOLVER_EXACT, "sf2": SOLVER_SF2}
N_GRID = 100
LOEWE_STATUS_CODES = (0, 1, 2, 4, 5, 10, 11, 12, 13)


def _valid_fits(params: np.ndarray) -> np.ndarray:
    return np.all(np.isfinite(params), axis=1) & (params[:, 0] > 0) & (params[:, 1] > 0)


def loewe_reference(
    conc_row: np.ndarray,
    conc_col: np.ndarray,
    observed: np.ndarray,
    par_row: np.ndarray,
    par_col: np.ndarray,
    solver: str = "grid100",
) -> tuple[np.ndarray, np.ndarray]:
    """Loewe reference at the combination wells of every block (arrays in, arrays out).

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
    if solver not in LOEWE_SOLVERS:
        raise SynergyError(f"loewe_solver must be one of {sorted(LOEWE_SOLVERS)}, got {solver!r}")
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
        LOEWE_SOLVERS[solver],
        N_GRID,
        reference,
        flag,
    )
    return reference, flag


def score_loewe(screen: xr.Dataset, *, solver: str = "grid100") -> xr.Dataset:
    """Loewe δ surfaces and block scores of every block, from ``hill_row``/``hill_col``.

    See the module docstring for the definition (SynergyFinder 3 by default).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen with single-drug fits ``hill_row``, ``hill_col`` (block, param), e.g.
        from :func:`synergy.hill.fit_screen` or injected from another tool.
    solver : {"grid100", "exact", "sf2"}
        SynergyFinder 3's 100-point grid (default), the exact root, or SynergyFinder 2's
        definition.

    Returns
    -------
    xarray.Dataset
        ``loewe`` (δ, % points), ``loewe_reference`` (%), ``loewe_fallback`` (bool: the
        well took the ``max fi(x1 + x2)`` fallback), ``loewe_n_fallback``, the summaries
        of :mod:`synergy.models.summary` and ``loewe_status``.
    """
    observed = observed_surface(screen)
    conc_row, conc_col = doses(screen)
    combo = combination_mask(conc_row, conc_col)
    par_row, _ = hill_fits(screen, "row")
    par_col, _ = hill_fits(screen, "col")
    reference, flag = loewe_reference(conc_row, conc_col, observed, par_row, par_col, solver)
    reference, delta = edge_filled(reference, observed, combo)
    fallback = flag == FLAG_FALLBACK
    n_fallback = fallback.sum(axis=(1, 2))

    base = np.zeros(observed.shape[0], dtype=np.int8)
    base[n_fallback > 0] = 4
    base[np.any(flag == FLAG_NO_ROOT, axis=(1, 2))] = 5
    # fits may be injected for a block without single-drug wells: then it is scored
    bad_fits = ~(_valid_fits(par_row) & _valid_fits(par_col))
    base[bad_fits] = np.where(lacks_monotherapy(observed)[bad_fits], 10, 11)

    formula = (
        "x1/X1(y*) + x2/X2(y*) = 1 (Loewe 1953); "
        + {
            "grid100": "SynergyFinder 3 grid of 100 y, first minimiser; fallback max "
            "f_i(x1+x2) where no drug alone reaches y",
            "exact": "exact root; fallback max f_i(x1+x2) where no drug alone reaches y",
            "sf2": "SynergyFinder 2: nleqslv Newton from max(c)+1; fallback max f_i(x1+x2) "
            "where it fails; capped at 100",
        }[solver]
    )
    data = {
        "loewe": surface_variable(
            screen,
            delta,
            {
                "units": "%",
                "long_name": "Loewe synergy δ = observed − reference",
                "formula": formula,
                "solver": solver,
            },
        ),
        "loewe_reference": surface_variable(
            screen,
            reference,
            {
                "units": "%",
                "long_name": "Loewe additive reference (% inhibition)",
                "formula": formula,
                "solver": solver,
            },
        ),
        "loewe_fallback": surface_variable(
            screen,
            fallback,
            {"long_name": "well scored with the fallback max f_i(x1 + x2) (unit-dependent)"},
        ),
        "loewe_n_fallback": xr.DataArray(
            n_fallback.astype(np.int64),
            dims=("block",),
            coords={"block": screen["block"].values},
            attrs={"long_name": "combination wells scored with the Loewe fallback"},
        ),
    }
    data.update(summarise("loewe", screen, delta, combo, observed, base, LOEWE_STATUS_CODES))
    return xr.Dataset(data)
