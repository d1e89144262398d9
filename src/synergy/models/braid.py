"""BRAID: the response-additive interaction surface with interaction parameter κ.

Twarog, Stewart, Shelat, Bhatt, "BRAID: a unifying paradigm for the analysis of combined
drug action", Sci Rep 6:25523, 2016.  The κ variant fitted here has potentiation δ = 1 and
the combined maximal effect equal to the stronger drug's (``E3 = Ef``, the one of E1, E2
farther from the shared baseline E0)::

    D_i = r_i a_i / (1 + (1 − r_i) a_i),   a_i = (d_i / C_i)^h_i,  r_i = (E_i − E0)/(Ef − E0)
    D   = D1^(1/h) + D2^(1/h) + κ · (D1 D2)^(1/(2h)),   h = sqrt(h1 h2)
    E   = E0 + (Ef − E0) / (1 + D^(−h))

Each edge is the drug's Hill curve (bottom E0, top E_i, EC50 C_i, slope h_i).
**κ > 0 synergy, κ < 0 antagonism** (κ > −2); κ = 0 is BRAID's additive null (for two
equal curves it is Loewe additivity; in general it is BRAID's own reference, neither
Loewe nor Bliss).

Fit: bounded Levenberg–Marquardt with an analytic Jacobian, batched over blocks
(:mod:`synergy._kernels.interaction_fit`), started from the monotherapy Hill fits with
κ = 0 and further starts κ ∈ {−1.5, 2, 10}.  κ is fitted as ln(κ + 2) in
[ln 1e-3, ln 1e3] (κ up to 998); its interval is a profile-likelihood interval (or the
Wald interval of ln(κ + 2)) mapped back (:mod:`synergy.models._interaction`).
``variant="full"`` fits the full model instead: κ, the potency parameter δ and a free E3
(:mod:`synergy.models.braid_full`); ``variant="free_e3"`` frees E3 and holds δ = 1.
Not implemented: BRAID's index of achievable efficacy.  Calibration on
simulated truth: ``benchmarks/bench_braid_zimmer.py``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy._kernels.interaction_fit import BRAID
from synergy.errors import SynergyError
from synergy.models._interaction import STATUS_MEANINGS, InteractionSpec, fit_interaction

__all__ = ["BRAID_PARAMS", "STATUS_MEANINGS", "fit_braid"]

BRAID_PARAMS = ("E0", "E1", "E2", "E3", "h1", "h2", "C1", "C2", "kappa")
SPEC = InteractionSpec(
    name="braid",
    label="BRAID",
    code=BRAID,
    interaction=("kappa",),
    shift=2.0,
    start_values=(-1.5, 2.0, 10.0),
    meaning={"kappa": "BRAID kappa (interaction, > 0 synergistic, > -2)"},
)


def fit_braid(
    screen: xr.Dataset,
    *,
    ci: float = 0.95,
    intervals: str = "profile",
    max_iter: int = 200,
    variant: str = "kappa",
) -> xr.Dataset:
    """Fit the BRAID κ surface (δ = 1, E3 = the stronger drug's maximum) to every block.

    ``variant="full"`` fits the full BRAID model (κ, δ and a free E3) instead.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (docs/design.md §1), responses in % inhibition, with the monotherapy Hill fits
        ``hill_row``/``hill_col`` (:func:`synergy.hill.fit_screen`), used as start values
        (read off the surface where a fit is missing, e.g. without single-drug wells).
    ci : float
        Confidence level of κ's interval.
    intervals : {"profile", "wald"}
        Profile-likelihood intervals (default; F-test criterion, a few times the cost of
        the fit) or Wald intervals (symmetric in the shifted log; cheaper, less even
        on the two sides: ``benchmarks/README.md``).
    max_iter : int
        Levenberg–Marquardt iterations per block and start.
    variant : {"kappa", "free_e3", "full"}
        ``"kappa"`` (default): δ = 1, E3 the stronger drug's maximum.  ``"full"``: κ, δ and
        E3 fitted (:func:`synergy.models.braid_full.fit_braid_full`); ``braid_param`` gains
        ``delta``, and ``braid_delta``, ``braid_delta_stderr``, ``braid_delta_ci`` are added
        (δ > 1 synergy, < 1 antagonism).  ``"free_e3"``: κ and E3 fitted, δ held at 1 (the
        peer package's ``mode="kappa"``).  These two set the ``braid_variant`` attribute.

    Returns
    -------
    xarray.Dataset
        Over the screen's blocks:

        - ``braid`` (block, braid_param): E0, E1, E2, E3 (% inhibition; E3 is E1 or E2,
          whichever lies farther from E0), h1, h2, C1 (``conc_unit``), C2, kappa;
        - ``braid_stderr`` (block, braid_param): Wald standard errors (delta method for
          h, C and κ, fitted as logs);
        - ``braid_kappa`` (block) with ``braid_kappa_stderr`` and ``braid_kappa_ci``
          (block, bound): > 0 synergy; ``intervals`` at level ``ci``;
        - ``braid_sse``, ``braid_n_points``, ``braid_n_iter`` (block);
        - ``braid_fitted`` (block, row, col): the fitted surface, % inhibition;
        - ``braid_status`` (block): MuSyC's codes (:data:`STATUS_MEANINGS`: 5 fitted
          without single-drug wells, 7 a parameter on its bound, 8 not converged, 9 κ's
          interval undefined, 10 no monotherapy wells and too few doses to fit without,
          11 not identifiable without single-drug wells, 12 too few points, 15
          non-finite data; :mod:`synergy.models.surface_inputs`).
    """
    if variant in ("full", "free_e3"):
        from synergy.models.braid_full import fit_braid_full

        return fit_braid_full(screen, ci=ci, intervals=intervals, max_iter=max_iter,
                              fit_delta=variant == "full")  # fmt: skip
    if variant != "kappa":
        raise SynergyError(f"BRAID variant must be 'kappa', 'free_e3' or 'full', got {variant!r}")
    ds, raw = fit_interaction(screen, SPEC, ci=ci, intervals=intervals, max_iter=max_iter)
    params, stderr = raw["params"], raw["stderr"]
    e0 = params[:, 0]
    first = np.abs(params[:, 1] - e0) >= np.abs(params[:, 2] - e0)
    e3 = np.where(first, params[:, 1], params[:, 2])
    e3_se = np.where(first, stderr[:, 1], stderr[:, 2])
    params = np.concatenate([params[:, :3], e3[:, None], params[:, 3:]], axis=1)
    stderr = np.concatenate([stderr[:, :3], e3_se[:, None], stderr[:, 3:]], axis=1)
    coords = {"block": ds["block"].values}
    ds["braid"] = xr.DataArray(
        params, dims=("block", "braid_param"), coords=coords,
        attrs={"long_name": "BRAID (kappa, delta = 1) parameters",
               "units": "E: %; h: 1; C: conc_unit; kappa: 1"},
    )  # fmt: skip
    ds["braid_stderr"] = xr.DataArray(
        stderr,
        dims=("block", "braid_param"),
        coords=coords,
        attrs={"long_name": "Wald standard errors of the BRAID parameters"},
    )
    return ds.assign_coords(braid_param=("braid_param", list(BRAID_PARAMS)))
