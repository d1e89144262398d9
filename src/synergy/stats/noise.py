"""Per-block noise pools for the bootstrap: replicate residuals, or fitted-surface residuals.

The default bootstrap (:mod:`synergy.stats.bootstrap`) perturbs each well's replicate mean by
the mean of ``n`` residuals drawn from its block's *pool*.  The pool is built so that a draw
has the variance of one replicate, σ² (% points²):

* **with replicates** (any well of the block with n ≥ 2 measured replicates): the replicate
  deviations ``(y_k − ȳ) · √(n / (n − 1))``.  A deviation from the well's own mean has
  variance σ²(n − 1)/n; the factor undoes that shrinkage — the small-K correction of
  docs/design.md §6.14 (a plain bootstrap over K = 3 replicates is too narrow by √((K−1)/K)).
  Pooling over the block's wells (rather than resampling each well's own three values) gives
  every well a noise estimate with Σ(n − 1) degrees of freedom (128 for 8 × 8 × 3) instead
  of 2 (a well resampled from its own K = 3 values has only 10 distinct means), so per-well
  intervals are usable, and wells with one replicate still get noise.  It assumes one noise
  level per block: with noise that varies between wells, block scores (averages over wells)
  stay calibrated, per-well intervals are too wide where the noise is low and too narrow
  where it is high.
* **without replicates**: residuals of a fitted surface — ZIP's slice-fitted surface at the
  combination wells (bounded least-squares slices, bottom fixed to the observed dose-0 well),
  the single-drug Hill fits on the edges — scaled by ``√(N / (N − p))`` with ``N`` the number
  of residuals and ``p`` the effective number of fitted parameters: 4 per single-drug curve
  and 3 per slice, halved for slices because each combination well's fitted value is the
  mean of two slice predictions (trace of the averaged hat matrix).  The ZIP surface is
  smooth in both doses whatever the synergy (it is the model-free smoother SynergyFinder
  itself uses), so its residuals estimate noise rather than synergy; a surface it cannot
  follow inflates the residuals (conservative intervals).

Both pools are further scaled by ``√(ν / (ν − 2))`` with ν their degrees of freedom (Σ(n − 1)
over the wells, or ``N − p``): the sd of Student's t, so that intervals and p-values account
for σ being estimated (≈ 1.03 for ν = 36 without replicates, 1.008 for ν = 128 with 8 × 8 × 3).
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["fitted_residual_pool", "replicate_moments", "replicate_residual_pool"]


def replicate_moments(response: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Replicate mean, standard deviation (ddof 1; 0 for one replicate) and count per well.

    Parameters
    ----------
    response : (B, R, C, K) float64, % inhibition, NaN = no well

    Returns
    -------
    mean : (B, R, C) float64 (NaN where no replicate), sd : (B, R, C) float64,
    count : (B, R, C) int64
    """
    finite = np.isfinite(response)
    count = finite.sum(axis=-1).astype(np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        mean = np.nanmean(response, axis=-1)
        sd = np.where(count >= 2, np.nanstd(response, axis=-1, ddof=1), 0.0)
    sd = np.where(count > 0, sd, np.nan)
    return np.ascontiguousarray(mean), np.ascontiguousarray(sd), count


def _compact(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Finite entries of each row moved to the front: ``(pool (B, P), size (B,))``."""
    flat = values.reshape(values.shape[0], -1)
    finite = np.isfinite(flat)
    size = finite.sum(axis=1).astype(np.int64)
    order = np.argsort(~finite, axis=1, kind="stable")
    pool = np.take_along_axis(np.where(finite, flat, 0.0), order, axis=1)
    return np.ascontiguousarray(pool), size


def replicate_residual_pool(response: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scaled replicate deviations of each block (module docstring), compacted.

    Parameters
    ----------
    response : (B, R, C, K) float64, % inhibition

    Returns
    -------
    pool : (B, P) float64, residuals in % points in the first ``size[b]`` entries
    size : (B,) int64, 0 for a block without any well of ≥ 2 replicates
    """
    mean, _, count = replicate_moments(response)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(count >= 2, np.sqrt(count / np.maximum(count - 1, 1)), np.nan)
    deviation = (response - mean[..., None]) * scale[..., None]
    dof = np.where(count >= 2, count - 1, 0).sum(axis=(1, 2))
    pool, size = _compact(deviation * _t_factor(dof)[:, None, None, None])
    return pool, size


def _t_factor(dof: np.ndarray) -> np.ndarray:
    """``√(ν / (ν − 2))``: the sd of Student's t with ν degrees of freedom (1 if ν ≤ 2)."""
    dof = np.asarray(dof, dtype=np.float64)
    return np.where(dof > 2, np.sqrt(dof / np.maximum(dof - 2, 1e-300)), 1.0)


def fitted_residual_pool(
    conc_row: np.ndarray, conc_col: np.ndarray, mean: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Residuals of a fitted surface for blocks without replicates (module docstring).

    Parameters
    ----------
    conc_row : (B, R), conc_col : (B, C) doses (NaN padded)
    mean : (B, R, C) observed % inhibition (one value per well)

    Returns
    -------
    pool : (B, P) float64, scaled residuals (% points), centred per block
    size : (B,) int64 (0 where there are no more residuals than parameters)
    """
    from synergy import hill
    from synergy.models.common import combination_mask
    from synergy.models.zip import slice_fitter, zip_fitted_surface

    n_block = mean.shape[0]
    combo = combination_mask(conc_row, conc_col)
    fitted, _ = zip_fitted_surface(conc_row, conc_col, mean, slice_fitter("lsq"))
    combo_res = np.where(combo & np.isfinite(fitted), mean - fitted, np.nan)
    # slices fitted: a row slice per column dose > 0 whose prediction exists
    n_slices = np.any(np.isfinite(fitted), axis=1).sum(axis=1) + np.any(
        np.isfinite(fitted), axis=2
    ).sum(axis=1)
    edges = []
    n_params = 1.5 * n_slices.astype(np.float64)
    for conc, resp in ((conc_row, mean[:, :, 0]), (conc_col, mean[:, 0, :])):
        fit = hill.fit(conc, resp)
        params = np.asarray(fit.params, dtype=np.float64)
        ic50, slope, bottom, top = (params[:, k : k + 1] for k in range(4))
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            pred = bottom + (top - bottom) / (1.0 + (ic50 / conc) ** slope)
        pred = np.where(conc == 0, bottom, pred)
        edges.append(resp - pred)
        n_params += 4.0 * np.all(np.isfinite(params), axis=1)
    residuals = np.concatenate([combo_res.reshape(n_block, -1), *edges], axis=1)
    n_res = np.isfinite(residuals).sum(axis=1)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", category=RuntimeWarning)
        dof = n_res - n_params
        scale = np.where(dof > 0, np.sqrt(n_res / dof) * _t_factor(dof), np.nan)
        centre = np.nanmean(residuals, axis=1)
    pool, size = _compact((residuals - centre[:, None]) * scale[:, None])
    size = np.where(np.isfinite(scale), size, 0)
    return pool, size
