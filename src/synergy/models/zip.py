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
from synergy.models.common import (
    combination_mask,
    doses,
    hill_fits,
    lacks_monotherapy,
    observed_surface,
    surface_variable,
)
from synergy.models.reference import bliss_of_pair
from synergy.models.summary import summarise

__all__ = ["MIN_SLICE_POINTS", "SliceFitter", "score_zip", "slice_fitter", "zip_fitted_surface"]

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


def zip_fitted_surface(
    conc_row: np.ndarray,
    conc_col: np.ndarray,
    observed: np.ndarray,
    fitter: SliceFitter,
    order: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """ZIP's fitted surface from row and column slices of every block.

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
    pos_row = np.isfinite(conc_row) & (conc_row > 0)
    pos_col = np.isfinite(conc_col) & (conc_col > 0)
    finite = np.isfinite(observed)

    # along the row drug: one slice per (block, column dose > 0); response obs[b, :, j]
    along_row = pos_col & finite[:, 0, :] & (finite.sum(axis=1) >= MIN_SLICE_POINTS)
    pred_row = np.full(observed.shape, np.nan)
    blk, col = np.nonzero(along_row)
    if blk.size:
        keys = None if order is None else order[blk, :, col]
        pred_row[blk, :, col] = _fit_in_order(
            fitter, conc_row[blk], observed[blk, :, col], observed[blk, 0, col], keys
        )
    # along the column drug: one slice per (block, row dose > 0); response obs[b, i, :]
    along_col = pos_row & finite[:, :, 0] & (finite.sum(axis=2) >= MIN_SLICE_POINTS)
    pred_col = np.full(observed.shape, np.nan)
    blk, row = np.nonzero(along_col)
    if blk.size:
        keys = None if order is None else order[blk, row, :]
        pred_col[blk, row, :] = _fit_in_order(
            fitter, conc_col[blk], observed[blk, row, :], observed[blk, row, 0], keys
        )

    combo = pos_row[:, :, None] & pos_col[:, None, :]
    ok_row = np.isfinite(pred_row)
    ok_col = np.isfinite(pred_col)
    both = (pred_row + pred_col) / 2.0
    fitted = np.where(ok_row & ok_col, both, np.where(ok_row, pred_row, pred_col))
    fitted = np.where(combo, fitted, np.nan)
    one_failed = combo & (ok_row != ok_col)
    return fitted, one_failed


def score_zip(
    screen: xr.Dataset, *, fitter: str | SliceFitter = "drc", zero_dose: float = ZERO_DOSE
) -> xr.Dataset:
    """ZIP δ surfaces and block scores of every block (SynergyFinder 3's definition).

    See the module docstring for the definition.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen with single-drug fits ``hill_row``, ``hill_col`` (block, param), which
        give the reference; the slices are fitted here.
    fitter : {"drc", "lsq"} or callable
        Slice fitter: drc's procedure (SynergyFinder's numbers), the least-squares Hill
        kernel (bottom fixed), or a callable (see :func:`zip_fitted_surface`).
    zero_dose : float
        Dose (screen unit) that replaces 0 in L.4-fallback fits (SynergyFinder: 1e-10).

    Returns
    -------
    xarray.Dataset
        ``zip`` (δ, % points), ``zip_reference`` (%), ``zip_fit`` (%), the summaries of
        :mod:`synergy.models.summary` and ``zip_status``.
    """
    observed = observed_surface(screen)
    conc_row, conc_col = doses(screen)
    combo = combination_mask(conc_row, conc_col)
    par_row, l4_row = hill_fits(screen, "row")
    par_col, l4_col = hill_fits(screen, "col")
    f_row = hill_predict(conc_row, par_row, l4_row, zero_dose)
    f_col = hill_predict(conc_col, par_col, l4_col, zero_dose)
    reference = bliss_of_pair(f_row[:, :, None], f_col[:, None, :])
    order = screen["input_order"].values if "input_order" in screen else None
    fitted, one_failed = zip_fitted_surface(
        conc_row, conc_col, observed, slice_fitter(fitter, zero_dose), order
    )
    reference = np.where(combo, reference, observed)
    fitted = np.where(combo, fitted, observed)
    delta = np.where(
        combo,
        np.where(np.isfinite(observed), fitted - reference, np.nan),
        np.where(np.isfinite(observed), 0.0, np.nan),
    )

    base = np.zeros(observed.shape[0], dtype=np.int8)
    base[np.any(one_failed, axis=(1, 2))] = 6
    fits_ok = np.all(np.isfinite(par_row), axis=1) & np.all(np.isfinite(par_col), axis=1)
    # fits may be injected for a block without single-drug wells: then it is scored
    base[~fits_ok] = np.where(lacks_monotherapy(observed)[~fits_ok], 10, 11)

    fitter_name = fitter if isinstance(fitter, str) else getattr(fitter, "__name__", "callable")
    attrs = {"units": "%", "fitter": fitter_name}
    data = {
        "zip": surface_variable(
            screen, delta, {**attrs, "long_name": "ZIP synergy δ = zip_fit − zip_reference"}
        ),
        "zip_reference": surface_variable(
            screen,
            reference,
            {**attrs, "long_name": "ZIP reference: Bliss of the fitted single-drug curves"},
        ),
        "zip_fit": surface_variable(
            screen,
            fitted,
            {**attrs, "long_name": "ZIP fitted surface: mean of row- and column-slice fits"},
        ),
    }
    data.update(summarise("zip", screen, delta, combo, observed, base, ZIP_STATUS_CODES))
    return xr.Dataset(data)
