"""Zero interaction potency (ZIP), as SynergyFinder 3 computes it.

All in % inhibition, for each block (Yadav et al. 2015; SynergyFinder 3.7
``R/calculate_synergy_score.R``: ``ZIP``):

* **reference** at a combination well: Bliss independence of the *fitted* single-drug
  curves at the well's doses, ``100·(1 − (1 − f1(x1)/100)(1 − f2(x2)/100))``, with
  ``f1``, ``f2`` the fits ``hill_row``/``hill_col`` of the screen;
* **fitted surface** (``zip_fit``): for every column dose ``x2 > 0``, an LL.4 curve is fitted
  along the row drug over all its doses *including 0*, with drc's ``c`` fixed to the
  observed response at (0, x2) and ``b, d, e`` free; likewise along the column drug for
  every row dose ``x1 > 0``.  The surface is the mean of the two slice predictions at the
  well;
* δ = ``zip_fit − reference`` (positive = synergy).

``fitter="drc"`` reproduces SynergyFinder: drc's procedure, where ``c`` is drc's lower
parameter and a fit with ``b > 0`` turns it into the high-dose level (docs/synergyfinder.md §1.7);
slices that drc cannot fit fall back to L.4 on ln-dose.  ``fitter="lsq"`` uses the bounded
least-squares Hill kernel with ``bottom`` (the response at dose 0) fixed to the observed
dose-0 response.  Any callable ``(conc (N, P), response (N, P), baseline (N,)) -> (N, P)``
predictions may be given instead (NaN rows = fit failed).  All slices of all blocks go to
the fitter in two batched calls (one along rows, one along columns).

Deviations from SynergyFinder (which imputes missing wells first): a slice is fitted on
its measured wells only; a slice whose dose-0 well is missing, or with fewer than three
measured wells, is not fitted; where one of a well's two slices failed, ``zip_fit`` is the
other slice's prediction (status ``zip_slice_fit_failed``); δ is NaN where the well itself
was not measured (``zip_fit`` is still the slices' prediction there).  Non-combination wells
keep ``zip_fit`` = reference = observed, δ = 0, as SynergyFinder reports them.

A noise-free Bliss-independent Hill surface has δ ≡ 0 (every slice is then an exact Hill
curve whose bottom is the observed dose-0 response); a sham combination is not ZIP's null
(docs/design.md §6.7).

Reference: Yadav B, Wennerberg K, Aittokallio T, Tang J (2015) Comput Struct Biotechnol J
13:504-513.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.hill.model import ZERO_DOSE, hill_predict
from synergy.hill.screen import drug_fits
from synergy.io.wells import gather
from synergy.models.common import lacks_monotherapy
from synergy.models.outputs import model_outputs
from synergy.models.reference import bliss_combine
from synergy.models.well_view import (
    WellView,
    grid_expand,
    grid_surface,
    grid_view,
    view_slices,
    well_view,
)

__all__ = [
    "MIN_SLICE_POINTS",
    "SliceFitter",
    "score_zip",
    "slice_fitter",
    "zip_fitted_surface",
    "zip_fitted_wells",
]

SliceFitter = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
MIN_SLICE_POINTS = 3
ZIP_STATUS_CODES = (0, 1, 2, 6, 10, 11, 12, 13)


def _drc_slices(zero_dose: float) -> SliceFitter:
    def fit(conc: np.ndarray, response: np.ndarray, baseline: np.ndarray) -> np.ndarray:
        from synergy.hill.drc import fit_drc

        result = fit_drc(conc, response, fixed_c=baseline, zero_dose=zero_dose)
        return np.asarray(result.predict(conc), dtype=np.float64)

    return fit


def _lsq_slices(conc: np.ndarray, response: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    from synergy import hill

    result = hill.fit(conc, response, fixed={"bottom": baseline})
    params = np.asarray(result.params, dtype=np.float64)
    return hill_predict(conc, params, np.zeros(len(params), dtype=bool))


def slice_fitter(fitter: str | SliceFitter, zero_dose: float = ZERO_DOSE) -> SliceFitter:
    """The slice fitter for a name (``"drc"``, ``"lsq"``) or a callable (returned as is)."""
    if callable(fitter):
        return fitter
    if fitter == "drc":
        return _drc_slices(zero_dose)
    if fitter == "lsq":
        return _lsq_slices
    raise SynergyError(f"fitter must be 'drc', 'lsq' or a callable, got {fitter!r}")


def _fit_in_order(
    fitter: SliceFitter,
    conc: np.ndarray,
    response: np.ndarray,
    baseline: np.ndarray,
    keys: np.ndarray | None,
) -> np.ndarray:
    """Fit slices with their points permuted by ``keys`` (ascending); predictions unpermuted.

    Points without a key (-1: not in the input) go last, in dose order.
    """
    if keys is None:
        return fitter(
            np.ascontiguousarray(conc),
            np.ascontiguousarray(response),
            np.ascontiguousarray(baseline),
        )
    sort_key = np.where(keys >= 0, keys, np.iinfo(np.int64).max)
    perm = np.argsort(sort_key, axis=1, kind="stable")
    pred = fitter(
        np.ascontiguousarray(np.take_along_axis(conc, perm, axis=1)),
        np.ascontiguousarray(np.take_along_axis(response, perm, axis=1)),
        np.ascontiguousarray(baseline),
    )
    out = np.empty_like(pred)
    np.put_along_axis(out, perm, pred, axis=1)
    return out


def zip_fitted_wells(view: WellView, fitter: SliceFitter) -> tuple[np.ndarray, np.ndarray]:
    """ZIP's fitted surface at every well of a well view, any number of drugs.

    For each drug, every slice along it (:func:`synergy.models.well_view.view_slices`) that
    holds a combination well, its response where the drug is absent and at least
    :data:`MIN_SLICE_POINTS` measured wells is fitted with that response as its bottom; all
    the slices along one drug go to the fitter in one batched call.  A well's fitted value is
    the mean of its slices' predictions, over those available (for two drugs ``(a + b) / 2``
    or the one available).

    Parameters
    ----------
    view : WellView
    fitter : callable ``(conc (S, P), response (S, P), baseline (S,)) -> (S, P)``

    Returns
    -------
    fitted : (B, W) float64, % inhibition; NaN off combination wells
    one_failed : (B, W) bool, combination wells where a slice fit was missing
    """
    n_block, n_well, n_drug = view.conc.shape
    preds = np.full((n_drug, n_block, n_well), np.nan)
    for drug in range(n_drug):  # one batched fit per drug (N is small)
        well, block, keys = view_slices(view, drug)
        if block.size == 0:
            continue
        conc = gather(view.conc[:, :, drug], block, well)
        response = gather(view.observed, block, well)
        if view.grid is None:  # the slice's response where the drug is absent (any position)
            zero = conc == 0
            at_zero = response[np.arange(len(conc)), np.argmax(zero, axis=1)]
            baseline = np.where(zero.any(axis=1), at_zero, np.nan)
        else:  # a grid line starts at its edge well
            baseline = response[:, 0]
        others = view.present[block[:, None], np.maximum(well, 0)]
        needed = ((others >= 2) & (well >= 0)).any(axis=1)
        use = needed & np.isfinite(baseline)
        use &= np.isfinite(response).sum(axis=1) >= MIN_SLICE_POINTS
        if not use.any():
            continue
        pred = _fit_in_order(
            fitter, conc[use], response[use], baseline[use], None if keys is None else keys[use]
        )
        wells = well[use]
        blocks = np.broadcast_to(block[use][:, None], wells.shape)
        keep = wells >= 0
        preds[drug, blocks[keep], wells[keep]] = pred[keep]
    combo = view.present >= 2
    # the mean over the slices available, one drug after another (N is small): for two
    # drugs (a + b) / 2 or the one available
    total = np.zeros((n_block, n_well))
    n_available = np.zeros((n_block, n_well), dtype=np.int64)
    for drug in range(n_drug):
        available = np.isfinite(preds[drug])
        total = total + np.where(available, preds[drug], 0.0)
        n_available += available
    with np.errstate(invalid="ignore", divide="ignore"):
        fitted = np.where(n_available > 0, total / n_available, np.nan)
    one_failed = combo & (n_available > 0) & (n_available < n_drug)
    return np.where(combo, fitted, np.nan), one_failed


def zip_fitted_surface(
    conc_row: np.ndarray,
    conc_col: np.ndarray,
    observed: np.ndarray,
    fitter: SliceFitter,
    order: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """ZIP's fitted surface from row and column slices of every block of a pair grid.

    Parameters
    ----------
    conc_row : (B, R) doses of the row drug, conc_col : (B, C) of the column drug (NaN padded)
    observed : (B, R, C) observed % inhibition (replicate means)
    fitter : callable ``(conc (N, P), response (N, P), baseline (N,)) -> (N, P)``
    order : (B, R, C) int, optional
        Rank of each well in the input table (``input_order``): each slice's points are
        handed to the fitter in that order, as SynergyFinder fits them (drc's result depends
        on the order in the last bits); default ascending dose.

    Returns
    -------
    fitted : (B, R, C) float64, mean of the row- and column-slice predictions (the one
        available where the other failed), % inhibition; NaN off combination wells
    one_failed : (B, R, C) bool, combination wells where a slice fit was missing
    """
    view = grid_view(
        np.ascontiguousarray(conc_row, dtype=np.float64),
        np.ascontiguousarray(conc_col, dtype=np.float64),
        observed,
        order,
    )
    fitted, one_failed = zip_fitted_wells(view, fitter)
    return grid_surface(view, fitted), grid_surface(view, one_failed)


def single_predictions(
    view: WellView, params: np.ndarray, l4: np.ndarray, zero_dose: float
) -> list[np.ndarray]:
    """f_i(x_i) of every drug's single-drug fit at every well: one (B, W) array per drug
    (on a pair grid evaluated per row and per column, then repeated across the grid)."""
    if view.grid is not None:
        n_col = view.grid[1]
        along = (view.conc[:, ::n_col, 0], view.conc[:, :n_col, 1])  # conc_row, conc_col
        return [
            grid_expand(view, i, hill_predict(along[i], params[:, i], l4[:, i], zero_dose))
            for i in range(2)
        ]
    return [
        hill_predict(view.conc[:, :, i], params[:, i], l4[:, i], zero_dose)
        for i in range(view.conc.shape[2])
    ]


def score_zip(
    screen: xr.Dataset,
    *,
    fitter: str | SliceFitter = "drc",
    zero_dose: float = ZERO_DOSE,
    view: WellView | None = None,
) -> xr.Dataset:
    """ZIP δ surfaces and block scores of every block (SynergyFinder 3's definition).

    See the module docstring for the definition; one implementation for any number of
    drugs (the well view, docs/design.md §16.1).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen with single-drug fits (``hill_row``, ``hill_col`` for pairs; ``hill`` in
        the well layout), which give the reference; the slices are fitted here.
    fitter : {"drc", "lsq"} or callable
        Slice fitter: drc's procedure (SynergyFinder's numbers), the least-squares Hill
        kernel (bottom fixed), or a callable (see :func:`zip_fitted_surface`).
    zero_dose : float
        Dose (screen unit) that replaces 0 in L.4-fallback fits (SynergyFinder: 1e-10).
    view : WellView, optional
        The screen's well view, if already computed.

    Returns
    -------
    xarray.Dataset
        ``zip`` (δ, % points), ``zip_reference`` (%), ``zip_fit`` (%), the block summaries
        and ``zip_status``.
    """
    view = well_view(screen) if view is None else view
    params, l4 = drug_fits(screen)
    observed = view.observed
    combo = view.present >= 2
    reference = bliss_combine(single_predictions(view, params, l4, zero_dose))
    fitted, one_failed = zip_fitted_wells(view, slice_fitter(fitter, zero_dose))
    reference = np.where(combo, reference, observed)
    fitted = np.where(combo, fitted, observed)
    delta = np.where(
        combo,
        np.where(np.isfinite(observed), fitted - reference, np.nan),
        np.where(np.isfinite(observed), 0.0, np.nan),
    )

    base = np.zeros(observed.shape[0], dtype=np.int8)
    base[np.any(one_failed, axis=1)] = 6
    bad_fits = ~np.all(np.isfinite(params), axis=(1, 2))
    if view.grid is not None:
        # fits may be injected for a block without single-drug wells: then it is scored
        grid_observed = grid_surface(view, observed)
        base[bad_fits] = np.where(lacks_monotherapy(grid_observed)[bad_fits], 10, 11)
    else:
        base[bad_fits] = 11

    fitter_name = fitter if isinstance(fitter, str) else getattr(fitter, "__name__", "callable")
    attrs = {"units": "%", "fitter": fitter_name}
    wells = {
        "zip": (delta, {**attrs, "long_name": "ZIP synergy δ = zip_fit − zip_reference"}),
        "zip_reference": (
            reference,
            {**attrs, "long_name": "ZIP reference: Bliss of the fitted single-drug curves"},
        ),
        "zip_fit": (
            fitted,
            {**attrs, "long_name": "ZIP fitted surface: mean of the slice fits"},
        ),
    }
    return xr.Dataset(
        model_outputs(screen, view, "zip", "ZIP", wells, delta, base, ZIP_STATUS_CODES)
    )
