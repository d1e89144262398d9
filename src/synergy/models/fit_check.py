"""Cross-fitter check: where does a score rest on a fit the other fitter improves?

docs/design.md §6.23: ``synergy`` has two named fitters.  ``"drc"`` reproduces SynergyFinder's
fits (drc's BFGS, which stops in local optima and collapses saturated curves —
docs/synergyfinder.md §3); ``"lsq"`` is the bounded least-squares Hill core, never worse in SSE.
:func:`check_fits` refits the single drugs with the *other* fitter, compares the residual
sums of squares of both fits **on the same points** (the replicate means of the drug's
monotherapy edge, the (0, 0) control included — the points both fitters are given), and for
the blocks where the other fitter lowers the SSE of either drug by more than ``threshold``
(relative; default 1 %) rescores the fitted models (Loewe, ZIP) with the other fitter.  The
user then sees, block by block, where a number (e.g. SynergyFinder's) rests on a poor fit,
and what it becomes with the better one.

Only single-drug fits are compared: ZIP's slice fits are not (their SSE is not kept), but a
flagged block's ``zip_score_other`` is computed with the other fitter's slices too.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.hill.model import hill_predict
from synergy.models.common import doses, hill_fits, observed_surface, status_attrs
from synergy.models.registry import REGISTRY

__all__ = ["FITTED_MODELS", "FIT_CHECK_CODE", "check_fits", "edge_sse"]

#: the shipped models rescored with the other fitter (the registry's ``check_fits``)
FITTED_MODELS = ("loewe", "zip")
# the code of ``fit_check_status`` (shared code space of models.common.STATUS_MEANINGS)
FIT_CHECK_CODE = 7
DEFAULT_THRESHOLD = 0.01


def edge_sse(screen: xr.Dataset, side: str) -> np.ndarray:
    """Residual sum of squares of ``hill_<side>`` on the replicate means of its edge.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen with ``hill_<side>`` (and optionally ``hill_<side>_model``).
    side : {"row", "col"}

    Returns
    -------
    (B,) float64
        Σ (observed − fitted)² over the measured wells of the monotherapy edge of the
        ``side`` drug, zero dose included (% inhibition squared); NaN where the fit is NaN
        or no well was measured.
    """
    observed = observed_surface(screen)
    conc_row, conc_col = doses(screen)
    if side == "row":
        conc, edge = conc_row, observed[:, :, 0]
    else:
        conc, edge = conc_col, observed[:, 0, :]
    params, l4 = hill_fits(screen, side)
    fitted = hill_predict(conc, params, l4)
    measured = np.isfinite(edge) & np.isfinite(conc)
    residual = np.where(measured, edge - fitted, 0.0)
    sse = np.sum(residual**2, axis=1)
    usable = measured.any(axis=1) & np.all(np.isfinite(params), axis=1)
    return np.where(usable, sse, np.nan)


def _improves(sse_used: np.ndarray, sse_other: np.ndarray, threshold: float) -> np.ndarray:
    """Other fit better by more than ``threshold`` (relative), or usable where used is not."""
    with np.errstate(invalid="ignore"):
        better = sse_other < (1.0 - threshold) * sse_used
    return better | (np.isnan(sse_used) & np.isfinite(sse_other))


def check_fits(
    scored: xr.Dataset,
    models: tuple[str, ...],
    score_fitted,
    *,
    fitter: str,
    threshold: float = DEFAULT_THRESHOLD,
) -> xr.Dataset:
    """Compare the single-drug fits of a scored screen with the other fitter's.

    Parameters
    ----------
    scored : xarray.Dataset
        A screen with the single-drug fits the scores used (``hill_row``, ``hill_col``).
    models : tuple of str
        Models scored; Loewe and ZIP (the fitted models) are rescored where flagged.
    score_fitted : callable
        ``score_fitted(screen_with_fits, fitted_models, fitter) -> Dataset`` scoring the
        fitted models of a screen with the given single-drug fits and slice fitter (the
        scoring layer passes its own, so conventions and solvers stay the same).
    fitter : {"drc", "lsq"}
        The fitter the scores used; the check runs the other one.
    threshold : float
        Relative SSE improvement above which a block is flagged (default 0.01 = 1 %).

    Returns
    -------
    xarray.Dataset
        ``hill_row_sse_edge``/``hill_col_sse_edge`` (block): SSE of the fits used;
        ``hill_row_other``/``hill_col_other`` (block, param) and their
        ``…_sse_edge`` (block): the other fitter's fits; ``fit_check_status`` (block; 0 ok,
        7 ``other_fitter_better_fit``: a warning); ``fit_check_side`` (block; 0 none,
        1 row drug, 2 column drug, 3 both); for each fitted model ``m`` in ``models``,
        ``m_score_other`` (block): the score with the other fitter, on flagged blocks (NaN
        on the others, where the two fits agree).
    """
    from synergy.hill import fit_screen

    other = "lsq" if fitter == "drc" else "drc"
    bare = scored.drop_vars([v for v in scored.data_vars if str(v).startswith("hill_")])
    keep = [v for v in ("response", "input_order") if v in bare]  # input order: slice fits
    refit = fit_screen(bare[keep], fitter=other, replicates="mean")
    block = scored["block"].values
    data: dict[str, xr.DataArray] = {}
    flagged = np.zeros(len(block), dtype=bool)
    side_code = np.zeros(len(block), dtype=np.int8)
    for bit, side in ((1, "row"), (2, "col")):
        used = edge_sse(scored, side)
        alternative = edge_sse(refit, side)
        better = _improves(used, alternative, threshold)
        flagged |= better
        side_code += np.where(better, bit, 0).astype(np.int8)
        data[f"hill_{side}_other"] = refit[f"hill_{side}"].assign_attrs(
            long_name=f"hill_{side} as the {other!r} fitter finds it (check_fits)"
        )
        for name, values, who in (
            (f"hill_{side}_sse_edge", used, "the fit the scores used"),
            (f"hill_{side}_other_sse_edge", alternative, f"the {other!r} fit"),
        ):
            data[name] = xr.DataArray(
                values,
                dims=("block",),
                coords={"block": block},
                attrs={
                    "long_name": f"SSE of {who} on the replicate means of the {side} edge",
                    "units": "%^2",
                },
            )
    codes = np.where(flagged, FIT_CHECK_CODE, 0).astype(np.int8)
    attrs = status_attrs("fit_check", (0, FIT_CHECK_CODE))
    attrs["long_name"] = f"cross-fitter check: the {other!r} fitter improves a single-drug fit"
    attrs["threshold"] = threshold
    data["fit_check_status"] = xr.DataArray(
        codes, dims=("block",), coords={"block": block}, attrs=attrs
    )
    data["fit_check_side"] = xr.DataArray(
        side_code,
        dims=("block",),
        coords={"block": block},
        attrs={"long_name": "fit the other fitter improves: 0 none, 1 row, 2 col, 3 both"},
    )
    fitted_models = tuple(m for m in models if m in REGISTRY and REGISTRY[m].check_fits)
    where = np.flatnonzero(flagged)
    for model in fitted_models:
        data[f"{model}_score_other"] = xr.DataArray(
            np.full(len(block), np.nan),
            dims=("block",),
            coords={"block": block},
            attrs={
                "long_name": f"{model} score with the {other!r} fitter, on blocks flagged by "
                "fit_check_status (NaN where the fits agree)",
                "units": "%",
            },
        )
    if fitted_models and where.size:
        rescored = score_fitted(refit.isel(block=where), fitted_models, other)
        for model in fitted_models:
            data[f"{model}_score_other"].values[where] = rescored[f"{model}_score"].values
    return xr.Dataset(data)
