"""ZIP as SynergyFinder 2 computes it (DrugComb's published scores).

``convention="synergyfinder2"`` reproduces ``ZIP`` of synergyfinder 2.x as DrugComb's
pipeline (TidyComb ``CalculateMat``) calls it, with the single-drug fits given.  All in
% inhibition; it differs from SynergyFinder 3 (:mod:`synergy.models.zip`) in four ways:

* the single-drug predictions ``f1(x1)``, ``f2(x2)`` are taken at the non-zero doses with
  ``predict(model, newdata = dose)``: for a fit that fell back to L.4 (ln-dose) this
  evaluates the L.4 curve at the *raw* dose, ``bottom + (top − bottom) / (1 + exp(slope ·
  (ln ic50 − x)))`` — SynergyFinder 2's code does so, and so do we;
* reference = ``f1 + f2 − f1 · f2 / 100`` (Bliss of the fitted single drugs);
* for each column dose ``x2 > 0`` an LL.4 curve is fitted along the row drug over its
  *non-zero* doses only, with drc's ``c`` fixed to ``f2(x2)`` (the other drug's fitted
  value) and ``d`` fixed to 100, ``b``, ``e`` free; likewise along the column drug.  A
  slice that cannot be fitted keeps the observed responses (status
  ``zip_slice_fit_failed``).  A block with a single non-zero dose on either axis is not
  fitted at all: the fitted surface is the observed one;
* the fitted surface is the mean of the two slice predictions; δ = fitted − reference.

DrugComb also added N(0, 0.001²) noise to every well and imputed missing ones before
scoring, so its published numbers are matched to about 0.01 (see the tests).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.hill.model import ZERO_DOSE
from synergy.models.common import (
    combination_mask,
    doses,
    hill_fits,
    lacks_monotherapy,
    observed_surface,
    surface_variable,
)
from synergy.models.reference import bliss_combine
from synergy.models.summary import summarise
from synergy.models.zip import ZIP_STATUS_CODES

__all__ = ["BoundedSliceFitter", "predict_sf2", "score_zip_sf2", "zip_sf2_fitted_surface"]

# (conc (N, P), response (N, P), c (N,), d (N,)) -> predictions (N, P), NaN rows = failed
BoundedSliceFitter = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]
SF2_TOP = 100.0


def _drc_bounded(zero_dose: float) -> BoundedSliceFitter:
    def fit(conc, response, c_fixed, d_fixed):
        from synergy.hill.drc import fit_drc

        result = fit_drc(conc, response, fixed_c=c_fixed, fixed_d=d_fixed, zero_dose=zero_dose)
        return np.asarray(result.predict(conc), dtype=np.float64)

    return fit


def _lsq_bounded(conc, response, c_fixed, d_fixed):
    from synergy import hill
    from synergy.hill.model import hill_predict

    result = hill.fit(conc, response, fixed={"bottom": c_fixed, "top": d_fixed})
    params = np.asarray(result.params, dtype=np.float64)
    return hill_predict(conc, params, np.zeros(len(params), dtype=bool))


def bounded_slice_fitter(
    fitter: str | BoundedSliceFitter, zero_dose: float = ZERO_DOSE
) -> BoundedSliceFitter:
    """Slice fitter with c and d fixed: ``"drc"``, ``"lsq"`` or a callable (as is)."""
    if callable(fitter):
        return fitter
    if fitter == "drc":
        return _drc_bounded(zero_dose)
    if fitter == "lsq":
        return _lsq_bounded
    raise SynergyError(f"fitter must be 'drc', 'lsq' or a callable, got {fitter!r}")


def predict_sf2(conc: np.ndarray, params: np.ndarray, l4: np.ndarray) -> np.ndarray:
    """Single-drug predictions as SynergyFinder 2's ZIP takes them, (B, N) % inhibition.

    LL.4 fits: the Hill curve at the dose.  L.4 fits: the L.4 curve evaluated at the raw
    dose ``x`` (not ln x), as ``predict(model, newdata = data.frame(dose))`` does there.
    """
    ic50, slope, bottom, top = (params[:, k : k + 1] for k in range(4))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        ll4 = bottom + (top - bottom) / (1.0 + (ic50 / conc) ** slope)
        l4_raw = bottom + (top - bottom) / (1.0 + np.exp(slope * (np.log(ic50) - conc)))
    return np.where(l4[:, None], l4_raw, ll4)


def _slices(fitter, conc, response, c_fixed, ok):
    """Fit the slices where ``ok``; (N, P) predictions, NaN where not fitted or failed."""
    pred = np.full(response.shape, np.nan)
    if ok.any():
        pred[ok] = fitter(
            np.ascontiguousarray(conc[ok]),
            np.ascontiguousarray(response[ok]),
            np.ascontiguousarray(c_fixed[ok]),
            np.full(int(ok.sum()), SF2_TOP),
        )
    return pred


def zip_sf2_fitted_surface(
    conc_row: np.ndarray,
    conc_col: np.ndarray,
    observed: np.ndarray,
    f_row: np.ndarray,
    f_col: np.ndarray,
    fitter: BoundedSliceFitter,
) -> tuple[np.ndarray, np.ndarray]:
    """SynergyFinder 2's fitted surface at the combination wells of every block.

    Parameters
    ----------
    conc_row : (B, R), conc_col : (B, C) doses (first 0, NaN padded)
    observed : (B, R, C) observed % inhibition
    f_row : (B, R), f_col : (B, C) single-drug predictions (:func:`predict_sf2`)
    fitter : callable ``(conc, response, c, d) -> predictions``

    Returns
    -------
    fitted : (B, R, C), mean of the two slice fits (observed where a slice failed)
    failed : (B, R, C) bool, combination wells where a slice kept the observed value
    """
    pos_row = np.isfinite(conc_row) & (conc_row > 0)
    pos_col = np.isfinite(conc_col) & (conc_col > 0)
    combo = pos_row[:, :, None] & pos_col[:, None, :]
    fit_block = (pos_row.sum(axis=1) > 1) & (pos_col.sum(axis=1) > 1)
    x_row = np.where(pos_row, conc_row, np.nan)[:, 1:]
    x_col = np.where(pos_col, conc_col, np.nan)[:, 1:]
    inner = observed[:, 1:, 1:]
    n_block, n_r, n_c = inner.shape

    # along the row drug, one slice per (block, column j): c = f_col[b, j]
    conc = np.repeat(x_row[:, None, :], n_c, axis=1).reshape(-1, n_r)
    resp = inner.transpose(0, 2, 1).reshape(-1, n_r)
    c_fixed = f_col[:, 1:].reshape(-1)
    ok = (fit_block[:, None] & pos_col[:, 1:]).reshape(-1) & np.isfinite(c_fixed)
    along_row = _slices(fitter, conc, resp, c_fixed, ok).reshape(n_block, n_c, n_r)
    along_row = along_row.transpose(0, 2, 1)
    # along the column drug, one slice per (block, row i): c = f_row[b, i]
    conc = np.repeat(x_col[:, None, :], n_r, axis=1).reshape(-1, n_c)
    resp = inner.reshape(-1, n_c)
    c_fixed = f_row[:, 1:].reshape(-1)
    ok = (fit_block[:, None] & pos_row[:, 1:]).reshape(-1) & np.isfinite(c_fixed)
    along_col = _slices(fitter, conc, resp, c_fixed, ok).reshape(n_block, n_r, n_c)

    failed_inner = (~np.isfinite(along_row) | ~np.isfinite(along_col)) & fit_block[:, None, None]
    along_row = np.where(np.isfinite(along_row), along_row, inner)
    along_col = np.where(np.isfinite(along_col), along_col, inner)
    fitted = np.full(observed.shape, np.nan)
    fitted[:, 1:, 1:] = (along_row + along_col) / 2.0
    failed = np.zeros(observed.shape, dtype=bool)
    failed[:, 1:, 1:] = failed_inner
    return np.where(combo, fitted, np.nan), failed & combo & np.isfinite(observed)


def score_zip_sf2(
    screen: xr.Dataset,
    *,
    fitter: str | BoundedSliceFitter = "drc",
    zero_dose: float = ZERO_DOSE,
) -> xr.Dataset:
    """ZIP δ surfaces and block scores by SynergyFinder 2's definition (module docstring).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen with single-drug fits ``hill_row``/``hill_col`` (and ``hill_*_model``
        flags for L.4 fallbacks).
    fitter : {"drc", "lsq"} or callable
        Slice fitter with drc's c and d fixed (see
        :func:`~synergy.models.zip_sf2.zip_sf2_fitted_surface`).
    zero_dose : float
        Dose replacing 0 in L.4-fallback slice fits (screen unit).

    Returns
    -------
    xarray.Dataset
        ``zip``, ``zip_reference``, ``zip_fit``, the summaries and ``zip_status``, as
        :func:`synergy.models.score_zip`.
    """
    observed = observed_surface(screen)
    conc_row, conc_col = doses(screen)
    combo = combination_mask(conc_row, conc_col)
    par_row, l4_row = hill_fits(screen, "row")
    par_col, l4_col = hill_fits(screen, "col")
    f_row = predict_sf2(conc_row, par_row, l4_row)
    f_col = predict_sf2(conc_col, par_col, l4_col)
    reference = bliss_combine([f_row[:, :, None], f_col[:, None, :]], "synergyfinder2")
    fitted, failed = zip_sf2_fitted_surface(
        conc_row, conc_col, observed, f_row, f_col, bounded_slice_fitter(fitter, zero_dose)
    )
    reference = np.where(combo, reference, observed)
    fitted = np.where(combo, fitted, observed)
    finite = np.isfinite(observed)
    delta = np.where(combo & finite, fitted - reference, np.where(finite & ~combo, 0.0, np.nan))

    base = np.zeros(observed.shape[0], dtype=np.int8)
    base[np.any(failed, axis=(1, 2))] = 6
    fits_ok = np.all(np.isfinite(par_row), axis=1) & np.all(np.isfinite(par_col), axis=1)
    base[~fits_ok] = np.where(lacks_monotherapy(observed)[~fits_ok], 10, 11)

    attrs = {"units": "%", "fitter": fitter if isinstance(fitter, str) else "callable"}
    data = {
        "zip": surface_variable(
            screen, delta, {**attrs, "long_name": "ZIP synergy δ (SynergyFinder 2)"}
        ),
        "zip_reference": surface_variable(
            screen, reference, {**attrs, "long_name": "ZIP reference (SynergyFinder 2)"}
        ),
        "zip_fit": surface_variable(
            screen, fitted, {**attrs, "long_name": "ZIP fitted surface (SynergyFinder 2)"}
        ),
    }
    data.update(summarise("zip", screen, delta, combo, observed, base, ZIP_STATUS_CODES))
    return xr.Dataset(data)
