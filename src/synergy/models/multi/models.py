"""ZIP for blocks in the well layout (N drugs), as SynergyFinder 3.7 defines it.

Bliss, HSA and Loewe have one implementation for pairs and N drugs
(:mod:`synergy.models.bliss`, :mod:`~synergy.models.hsa`, :mod:`~synergy.models.loewe` on
the well view, docs/design.md §16.1); ZIP's pair path (:mod:`synergy.models.zip`) remains
a separate implementation of the same definition.

All in % inhibition, δ = observed-side − reference (positive = synergy), at every well with
two or more drugs present; wells with one drug or none score 0 (SynergyFinder 3.7,
``R/calculate_synergy_score.R``: ``Bliss``, ``HSA``, ``Loewe``, ``ZIP`` for any number of
drugs).  For a well with doses ``x_1 … x_N`` and ``y_i`` the observed response of drug i alone
at ``x_i`` (the control well where ``x_i = 0``):

- **Bliss**: reference ``100 · (1 − Π_i (1 − y_i / 100))``.
- **HSA**: reference ``max_i y_i``.
- **Loewe**: the ``y*`` solving ``Σ_i x_i / X_i(y*) = 1`` with ``X_i`` the inverse of drug i's
  Hill fit; if no drug alone reaches the observed ``y``, ``max_i f_i(Σ_j x_j)``
  (:mod:`synergy._kernels.loewe`; ``"grid100"`` or ``"exact"``).
- **ZIP**: for each drug i, LL.4 fits along drug i's doses at every combination of the other
  drugs' doses (the slice's bottom fixed to its observed response where drug i is 0), the N
  slice predictions averaged (over those available) into the fitted surface; reference =
  Bliss of the fitted single-drug curves at the well's doses (``f_i(0)`` where ``x_i = 0``).

Reference: Zheng S et al. (2022) SynergyFinder 3.0. Nucleic Acids Res 50:W739–W743.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.hill.model import ZERO_DOSE, hill_predict
from synergy.io.wells import gather, slices_along
from synergy.models.common import drug_fits
from synergy.models.outputs import summarise_wells
from synergy.models.reference import bliss_combine
from synergy.models.well_view import WellView, well_variable
from synergy.models.zip import MIN_SLICE_POINTS, slice_fitter

__all__ = ["score_zip_wells"]


def _fits_ok(params: np.ndarray) -> np.ndarray:
    return np.all(np.isfinite(params), axis=(1, 2))


def _predict_each(block: WellView, params: np.ndarray, l4: np.ndarray) -> np.ndarray:
    """f_i(x_i) of every drug's single-drug fit at every well, (B, W, N)."""
    n_block, n_well, n_drug = block.conc.shape
    flat_conc = np.transpose(block.conc, (0, 2, 1)).reshape(n_block * n_drug, n_well)
    pred = hill_predict(flat_conc, params.reshape(-1, 4), l4.reshape(-1), ZERO_DOSE)
    return np.transpose(pred.reshape(n_block, n_drug, n_well), (0, 2, 1))


def _zip(block: WellView, params: np.ndarray, l4: np.ndarray, fitter: str):
    n_block, n_well, n_drug = block.conc.shape
    fit_slices = slice_fitter(fitter, ZERO_DOSE)
    preds = np.full((n_block, n_well, n_drug), np.nan)
    for drug in range(n_drug):  # one batched fit per drug (N is small)
        slices = slices_along(block.conc, drug, block.order)
        if slices.block.size == 0:
            continue
        conc = gather(block.conc[:, :, drug], slices.block, slices.well)
        response = gather(block.observed, slices.block, slices.well)
        # the slice's response where the drug is absent (at any position: input order)
        zero = conc == 0
        at_zero = response[np.arange(len(conc)), np.argmax(zero, axis=1)]
        baseline = np.where(zero.any(axis=1), at_zero, np.nan)
        others = block.present[slices.block[:, None], np.maximum(slices.well, 0)]
        needed = ((others >= 2) & (slices.well >= 0)).any(axis=1)
        use = (
            needed & np.isfinite(baseline) & (np.isfinite(response).sum(axis=1) >= MIN_SLICE_POINTS)
        )
        if not use.any():
            continue
        pred = fit_slices(
            np.ascontiguousarray(conc[use]),
            np.ascontiguousarray(response[use]),
            np.ascontiguousarray(baseline[use]),
        )
        wells = slices.well[use]
        blocks = np.broadcast_to(slices.block[use][:, None], wells.shape)
        keep = wells >= 0
        preds[blocks[keep], wells[keep], drug] = pred[keep]
    combo = block.present >= 2
    available = np.isfinite(preds)
    with np.errstate(invalid="ignore"):
        fitted = np.where(
            available.any(axis=2), np.nansum(preds, axis=2) / available.sum(axis=2), np.nan
        )
    one_failed = combo & available.any(axis=2) & ~available.all(axis=2)
    fitted = np.where(combo, fitted, block.observed)
    single = _predict_each(block, params, l4)
    reference = bliss_combine(single)  # the Bliss rule of every layout
    status = np.where(one_failed.any(axis=1), 6, 0).astype(np.int8)
    return reference, status, fitted


def score_zip_wells(screen: xr.Dataset, block: WellView, *, fitter: str = "drc") -> xr.Dataset:
    """ZIP on a screen in the well layout: δ (block, well), reference, ``zip_fit``, block
    summaries and status.

    Parameters
    ----------
    screen : xarray.Dataset
        An N-drug screen with its single-drug fits ``hill`` (block, drug, param).
    block : WellView
        :func:`synergy.models.well_view.well_view` of the screen.
    fitter : {"drc", "lsq"}
        ZIP's slice fitter.
    """
    attrs = {"units": "%", "fitter": fitter}
    params, l4 = drug_fits(screen)
    reference, status, fitted = _zip(block, params, l4, fitter)
    status = np.where(_fits_ok(params), status, 11).astype(np.int8)
    combo = block.present >= 2
    reference = np.where(combo, reference, block.observed)
    delta = np.where(combo, fitted - reference, np.where(np.isfinite(block.observed), 0.0, np.nan))
    delta = np.where(np.isfinite(block.observed), delta, np.nan)
    data = {
        "zip": well_variable(screen, delta, {**attrs, "long_name": "ZIP synergy δ"}),
        "zip_reference": well_variable(
            screen, reference, {**attrs, "long_name": "ZIP reference (% inhibition)"}
        ),
        "zip_fit": well_variable(
            screen, fitted, {**attrs, "long_name": "ZIP fitted surface: mean of the slice fits"}
        ),
    }
    data.update(summarise_wells("zip", screen, block, delta, status, "ZIP"))
    return xr.Dataset(data)
