"""Bliss, HSA, Loewe and ZIP for blocks of N drugs, as SynergyFinder 3.7 defines them.

All in % inhibition, δ = observed-side − reference (positive = synergy), at every well with
two or more drugs present; wells with one drug or none score 0 (SynergyFinder 3.7,
``R/calculate_synergy_score.R``: ``Bliss``, ``HSA``, ``Loewe``, ``ZIP`` for any number of
drugs).  For a well with doses ``x_1 … x_N`` and ``y_i`` the observed response of drug i alone
at ``x_i`` (the control well where ``x_i = 0``):

- **Bliss**: reference ``100 · (1 − Π_i (1 − y_i / 100))``.
- **HSA**: reference ``max_i y_i``.
- **Loewe**: the ``y*`` solving ``Σ_i x_i / X_i(y*) = 1`` with ``X_i`` the inverse of drug i's
  Hill fit; if no drug alone reaches the observed ``y``, ``max_i f_i(Σ_j x_j)``
  (:mod:`synergy._kernels.loewe_multi`; ``"grid100"`` or ``"exact"``).
- **ZIP**: for each drug i, LL.4 fits along drug i's doses at every combination of the other
  drugs' doses (the slice's bottom fixed to its observed response where drug i is 0), the N
  slice predictions averaged (over those available) into the fitted surface; reference =
  Bliss of the fitted single-drug curves at the well's doses (``f_i(0)`` where ``x_i = 0``).

Reference: Zheng S et al. (2022) SynergyFinder 3.0. Nucleic Acids Res 50:W739–W743.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy._kernels.loewe import FLAG_FALLBACK, FLAG_NO_ROOT
from synergy._kernels.loewe_multi import loewe_multi_kernel
from synergy.hill.model import HILL_PARAMS, ZERO_DOSE, hill_predict
from synergy.io.wells import gather, slices_along
from synergy.models.loewe import LOEWE_SOLVERS, N_GRID
from synergy.models.multi.common import (
    MultiBlock,
    delta_and_reference,
    edge_values,
    summarise_multi,
    well_variable,
)
from synergy.models.zip import MIN_SLICE_POINTS, slice_fitter

__all__ = ["multi_fits", "score_multi_model"]


def multi_fits(screen: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Hill fits (B, N, 4) in ``(ic50, hill_slope, bottom, top)`` order, and L.4 flags (B, N)."""
    params = screen["hill"].sel(param=list(HILL_PARAMS)).transpose("block", "drug", "param")
    params = np.ascontiguousarray(params.values, dtype=np.float64)
    l4 = np.asarray(screen["hill_model"].values) == 1 if "hill_model" in screen else None
    if l4 is None:
        l4 = np.zeros(params.shape[:2], dtype=bool)
    return params, l4


def _fits_ok(params: np.ndarray) -> np.ndarray:
    return np.all(np.isfinite(params), axis=(1, 2))


def _bliss(block: MultiBlock) -> tuple[np.ndarray, np.ndarray]:
    alone = edge_values(block, block.observed)
    return 100.0 * (1.0 - np.prod(1.0 - alone / 100.0, axis=2)), np.zeros(len(alone), np.int8)


def _hsa(block: MultiBlock) -> tuple[np.ndarray, np.ndarray]:
    alone = edge_values(block, block.observed)
    with np.errstate(invalid="ignore"):
        reference = np.where(np.isnan(alone).any(axis=2), np.nan, np.max(alone, axis=2))
    return reference, np.zeros(len(alone), np.int8)


def _predict_each(block: MultiBlock, params: np.ndarray, l4: np.ndarray) -> np.ndarray:
    """f_i(x_i) of every drug's single-drug fit at every well, (B, W, N)."""
    n_block, n_well, n_drug = block.conc.shape
    flat_conc = np.transpose(block.conc, (0, 2, 1)).reshape(n_block * n_drug, n_well)
    pred = hill_predict(flat_conc, params.reshape(-1, 4), l4.reshape(-1), ZERO_DOSE)
    return np.transpose(pred.reshape(n_block, n_drug, n_well), (0, 2, 1))


def _loewe(block: MultiBlock, params: np.ndarray, solver: str):
    reference = np.full(block.observed.shape, np.nan)
    flag = np.full(block.observed.shape, np.nan)
    loewe_multi_kernel(
        block.conc, block.observed, params, LOEWE_SOLVERS[solver], N_GRID, reference, flag
    )
    status = np.where(np.any(flag == FLAG_FALLBACK, axis=1), 4, 0)
    status = np.where(np.any(flag == FLAG_NO_ROOT, axis=1), 5, status).astype(np.int8)
    return reference, status, flag


def _zip(block: MultiBlock, params: np.ndarray, l4: np.ndarray, fitter: str):
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
    reference = 100.0 * (1.0 - np.prod(1.0 - single / 100.0, axis=2))
    status = np.where(one_failed.any(axis=1), 6, 0).astype(np.int8)
    return reference, status, fitted


_LABELS = {"bliss": "Bliss", "hsa": "HSA", "loewe": "Loewe", "zip": "ZIP"}


def score_multi_model(
    screen: xr.Dataset,
    block: MultiBlock,
    model: str,
    *,
    loewe_solver: str = "grid100",
    fitter: str = "drc",
) -> xr.Dataset:
    """δ surface (block, well), reference, block summaries and status of one model.

    Parameters
    ----------
    screen : xarray.Dataset
        An N-drug screen; Loewe and ZIP need its single-drug fits ``hill`` (block, drug, param).
    block : MultiBlock
        :func:`synergy.models.multi.common.multi_block` of the screen.
    model : {"bliss", "hsa", "loewe", "zip"}
    loewe_solver : {"grid100", "exact"}
    fitter : {"drc", "lsq"}
        ZIP's slice fitter.

    Returns
    -------
    xarray.Dataset
        ``<model>`` (δ, % points), ``<model>_reference`` (%), for ZIP ``zip_fit``, for Loewe
        ``loewe_fallback`` (block, well) and ``loewe_n_fallback``, and the summaries of
        :func:`~synergy.models.multi.common.summarise_multi`.
    """
    label = _LABELS[model]
    extra: dict[str, xr.DataArray] = {}
    attrs = {"units": "%"}
    if model == "bliss":
        reference, status = _bliss(block)
    elif model == "hsa":
        reference, status = _hsa(block)
    else:
        params, l4 = multi_fits(screen)
        fits_ok = _fits_ok(params)
        if model == "loewe":
            reference, status, flag = _loewe(block, params, loewe_solver)
            attrs["solver"] = loewe_solver
            fallback = flag == FLAG_FALLBACK
            every_drug = block.present == block.conc.shape[2]
            extra["loewe_fallback"] = well_variable(
                screen, fallback, {"long_name": "well scored with the fallback max f_i(Σ x)"}
            )
            extra["loewe_n_fallback"] = xr.DataArray(
                (fallback & every_drug).sum(axis=1).astype(np.int64),
                dims=("block",),
                coords={"block": screen["block"].values},
                attrs={"long_name": "wells with every drug scored with the Loewe fallback"},
            )
        else:
            reference, status, fitted = _zip(block, params, l4, fitter)
            attrs["fitter"] = fitter
            extra["zip_fit"] = well_variable(
                screen, fitted, {**attrs, "long_name": "ZIP fitted surface: mean of the slice fits"}
            )
        status = np.where(fits_ok, status, 11).astype(np.int8)
    if model == "zip":
        combo = block.present >= 2
        reference = np.where(combo, reference, block.observed)
        delta = np.where(
            combo,
            extra["zip_fit"].values - reference,
            np.where(np.isfinite(block.observed), 0.0, np.nan),
        )
        delta = np.where(np.isfinite(block.observed), delta, np.nan)
    else:
        reference, delta = delta_and_reference(block, reference)
    data = {
        model: well_variable(screen, delta, {**attrs, "long_name": f"{label} synergy δ"}),
        f"{model}_reference": well_variable(
            screen, reference, {**attrs, "long_name": f"{label} reference (% inhibition)"}
        ),
        **extra,
    }
    data.update(summarise_multi(model, screen, block, delta, status, label))
    return xr.Dataset(data)
