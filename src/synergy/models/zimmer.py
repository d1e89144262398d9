"""Zimmer's effective-dose model: each drug shifts the other's potency by a12, a21.

Zimmer, Katzir, Dekel, Mayo, Alon, "Prediction of multidimensional drug dose responses
based on measurements of drug pairs", PNAS 113:10442–10447, 2016.  Each drug's dose is
replaced by an effective dose that depends on the other drug's effective dose::

    x1 = d1 / (1 + a12 · x2 / (x2 + C2)),     x2 = d2 / (1 + a21 · x1 / (x1 + C1))

and the combination's unaffected fraction is the product of the single drugs' at the
effective doses (Bliss).  In % inhibition with a shared baseline E0 and drug maxima E1, E2::

    100 − E = (100 − E0) · (1 − (E1 − E0)/(100 − E0) · H1) · (1 − (E2 − E0)/(100 − E0) · H2)
    H_i = (x_i / C_i)^h_i / (1 + (x_i / C_i)^h_i)

(the paper's surface for E0 = 0, E1 = E2 = 100; closed form of the effective doses in
:mod:`synergy._kernels.interaction_surfaces`).  ``a12`` is drug 2 (column drug) acting
on drug 1 (row drug), ``a21`` drug 1 on drug 2.  **Sign: a < 0 is synergy** (the partner
raises the drug's effective dose; down to −1, an unbounded shift), a > 0 antagonism,
a = 0 Bliss independence of the two Hill curves.  A saturating partner multiplies the
drug's EC50 by ``1 + a``.

Fit: bounded Levenberg–Marquardt with an analytic Jacobian, batched over blocks
(:mod:`synergy._kernels.interaction_fit`), started from the monotherapy Hill fits with
a = 0 and eight further (a12, a21) starts in {−0.75, 0, 3}².  a is fitted as ln(1 + a) in
[ln 1e-3, ln 1e3]; intervals are profile-likelihood intervals (or Wald intervals of
ln(1 + a)) mapped back (:mod:`synergy.models._interaction`).  Calibration on simulated truth:
``benchmarks/bench_braid_zimmer.py``.
"""

from __future__ import annotations

import xarray as xr

from synergy._kernels.interaction_fit import ZIMMER
from synergy.models._interaction import STATUS_MEANINGS, InteractionSpec, fit_interaction

__all__ = ["STATUS_MEANINGS", "ZIMMER_PARAMS", "fit_zimmer"]

ZIMMER_PARAMS = ("E0", "E1", "E2", "h1", "h2", "C1", "C2", "a12", "a21")
SPEC = InteractionSpec(
    name="zimmer",
    label="Zimmer effective-dose",
    code=ZIMMER,
    interaction=("a12", "a21"),
    shift=1.0,
    start_values=(-0.75, 3.0),
    meaning={
        "a12": "a12: column drug's effect on the row drug's effective dose (< 0 synergistic)",
        "a21": "a21: row drug's effect on the column drug's effective dose (< 0 synergistic)",
    },
)


def fit_zimmer(
    screen: xr.Dataset, *, ci: float = 0.95, intervals: str = "profile", max_iter: int = 200
) -> xr.Dataset:
    """Fit Zimmer's effective-dose surface to every block of a screen.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (docs/design.md §1), responses in % inhibition, with the monotherapy Hill fits
        ``hill_row``/``hill_col`` (:func:`synergy.hill.fit_screen`), used as start values.
    ci : float
        Confidence level of the intervals of a12 and a21.
    intervals : {"profile", "wald"}
        Profile-likelihood intervals (default; F-test criterion, a few times the cost of
        the fit) or Wald intervals (symmetric in the shifted log; cheaper, less even
        on the two sides: ``benchmarks/README.md``).
    max_iter : int
        Levenberg–Marquardt iterations per block and start.

    Returns
    -------
    xarray.Dataset
        Over the screen's blocks:

        - ``zimmer`` (block, zimmer_param): E0, E1, E2 (% inhibition), h1, h2 (Hill
          slopes), C1, C2 (EC50s, ``conc_unit``), a12, a21 (dimensionless, > −1);
        - ``zimmer_stderr`` (block, zimmer_param): Wald standard errors (delta method
          for h, C and a, fitted as logs);
        - ``zimmer_a12``, ``zimmer_a21`` (block) with ``…_stderr`` and ``…_ci`` (block,
          bound): < 0 synergy; ``intervals`` at level ``ci``;
        - ``zimmer_sse``, ``zimmer_n_points``, ``zimmer_n_iter`` (block);
        - ``zimmer_fitted`` (block, row, col): the fitted surface, % inhibition;
        - ``zimmer_status`` (block): MuSyC's codes (:data:`STATUS_MEANINGS`: 5 fitted
          without single-drug wells, 7 a parameter on its bound, 8 not converged, 9 an
          interval of a12/a21 undefined, 10 no monotherapy wells and too few doses to fit
          without, 11 not identifiable without single-drug wells, 12 too few points, 15
          non-finite data; :mod:`synergy.models.surface_inputs`).
    """
    ds, raw = fit_interaction(screen, SPEC, ci=ci, intervals=intervals, max_iter=max_iter)
    ds["zimmer"] = xr.DataArray(
        raw["params"], dims=("block", "zimmer_param"), coords={"block": ds["block"].values},
        attrs={"long_name": "Zimmer effective-dose model parameters",
               "units": "E: %; h: 1; C: conc_unit; a: 1"},
    )  # fmt: skip
    ds["zimmer_stderr"] = (("block", "zimmer_param"), raw["stderr"])
    ds["zimmer_stderr"].attrs["long_name"] = "Wald standard errors of the Zimmer parameters"
    return ds.assign_coords(zimmer_param=("zimmer_param", list(ZIMMER_PARAMS)))
