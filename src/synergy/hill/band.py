"""Confidence bands of fitted Hill curves (delta method), for plots and tables.

For the curve ``E(x; θ) = bottom + (top - bottom) / (1 + (ic50 / x) ** hill_slope)`` with
parameters ``θ = (ic50, hill_slope, bottom, top)`` and Wald covariance ``Σ`` (natural
parameters, as :attr:`synergy.hill.HillFit.covariance`), the pointwise band is

    E(x; θ̂) ± q · sqrt(∇θE(x)ᵀ Σ ∇θE(x))

with ``q`` the Student-t quantile on the fit's residual degrees of freedom (or the normal
quantile when they are not given).  The gradient is analytic: with
``g = 1 / (1 + exp(u))``, ``u = hill_slope · (ln ic50 − ln x)``:
``∂E/∂bottom = 1 − g``, ``∂E/∂top = g``,
``∂E/∂hill_slope = −(top − bottom) g (1 − g) (ln ic50 − ln x)``,
``∂E/∂ic50 = −(top − bottom) g (1 − g) hill_slope / ic50``; at ``x = 0`` only
``∂E/∂bottom = 1`` is non-zero.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike
from scipy import special

from synergy.errors import SynergyError
from synergy.io.layout import fit_variables

__all__ = [
    "block_band",
    "confidence_band",
    "confidence_bands",
    "hill_gradient",
    "screen_bands",
]


def hill_gradient(conc: ArrayLike, params: ArrayLike) -> np.ndarray:
    """Gradient of the Hill curve with respect to ``(ic50, hill_slope, bottom, top)``.

    Parameters
    ----------
    conc : array_like (M,)
        Doses (>= 0), unit of ``ic50``.
    params : array_like (4,)
        ``(ic50, hill_slope, bottom, top)``.

    Returns
    -------
    ndarray (M, 4)
        ``∂E/∂θ`` at each dose (response unit per parameter unit).
    """
    return _gradients(np.asarray(conc, dtype=np.float64), np.asarray(params, dtype=np.float64))


def confidence_band(
    conc: ArrayLike,
    params: ArrayLike,
    covariance: ArrayLike,
    *,
    level: float = 0.95,
    df: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pointwise confidence band of one fitted Hill curve by the delta method.

    Parameters
    ----------
    conc : array_like (M,)
        Doses (>= 0) at which to evaluate, unit of ``ic50``.
    params : array_like (4,)
        ``(ic50, hill_slope, bottom, top)``.
    covariance : array_like (4, 4)
        Wald covariance of the parameters (natural parametrisation; rows of fixed
        parameters 0).
    level : float, default 0.95
        Coverage probability of the pointwise band.
    df : float, optional
        Residual degrees of freedom (Student-t quantile); None: normal quantile.

    Returns
    -------
    fitted, lower, upper : ndarray (M,)
        The curve and its band (response unit); the band is NaN where the covariance is
        unavailable (NaN), e.g. a failed or singular fit.
    """
    if not 0.0 < level < 1.0:
        raise SynergyError(f"level must be in (0, 1), got {level}")
    from synergy.hill.model import evaluate

    p = np.asarray(params, dtype=np.float64)
    cov = np.asarray(covariance, dtype=np.float64)
    if p.shape != (4,) or cov.shape != (4, 4):
        raise SynergyError(f"params must be (4,) and covariance (4, 4), got {p.shape}, {cov.shape}")
    x = np.asarray(conc, dtype=np.float64)
    fitted = evaluate(x, *p)
    grad = hill_gradient(x, p)
    with np.errstate(invalid="ignore"):
        var = np.einsum("mi,ij,mj->m", grad, cov, grad)
        if df is not None and df > 0:
            q = float(special.stdtrit(df, 0.5 + level / 2.0))
        elif df is not None:
            q = np.nan
        else:
            q = float(special.ndtri(0.5 + level / 2.0))
        half = q * np.sqrt(np.maximum(var, 0.0))
    half = np.where(np.isfinite(var), half, np.nan)
    return fitted, fitted - half, fitted + half


def block_band(
    screen: xr.Dataset,
    block: int,
    side: Literal["row", "col"],
    conc: ArrayLike,
    *,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Confidence band of the single-drug fit ``hill_<side>`` of one block of a screen.

    The screen stores standard errors, not covariances, so the Wald covariance is
    recomputed at the stored parameters from the block's single-drug wells
    (:meth:`synergy.hill.HillFit.from_params`, no refit), with the replicate handling the
    fit recorded (``attrs["replicates"]``); degrees of freedom = points − free parameters.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen with ``hill_<side>`` (from :func:`synergy.hill.fit_screen` or
        :func:`synergy.score`).
    block : int
        Position of the block.
    side : {"row", "col"}
        Which drug.
    conc : array_like (M,)
        Doses at which to evaluate, in ``screen.attrs["conc_unit"]``.
    level : float, default 0.95
        Coverage probability.

    Returns
    -------
    fitted, lower, upper : ndarray (M,)
        As :func:`confidence_band`; all NaN when the block has no fit.
    """
    from synergy.hill.fit import HillFit
    from synergy.hill.screen import monotherapy_arrays

    name = f"hill_{side}"
    if name not in screen:
        raise SynergyError(f"the screen has no {name!r}: fit it first (synergy.hill.fit_screen)")
    params = np.asarray(screen[name].values[block], dtype=np.float64)
    x = np.asarray(conc, dtype=np.float64)
    if not np.all(np.isfinite(params)):
        nan = np.full(x.shape, np.nan)
        return nan, nan.copy(), nan.copy()
    replicates = screen[name].attrs.get("replicates", "all")
    sub = screen.isel(block=[block])
    dose, response = monotherapy_arrays(sub, side, "mean" if replicates == "mean" else "all")
    wrapped = HillFit.from_params(*params, conc=dose[0], response=response[0])
    df = float(wrapped.n_points - np.sum(np.isnan(wrapped.fixed)))
    return confidence_band(x, params, wrapped.covariance, level=level, df=df)


def _gradients(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """:func:`hill_gradient` of many curves: doses (..., M), parameters (..., 4) → (..., M, 4)."""
    ic50, slope, bottom, top = (p[..., k, None] for k in range(4))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        log_ratio = np.log(ic50) - np.log(x)
        g = 1.0 / (1.0 + np.exp(np.minimum(slope * log_ratio, 700.0)))
        dg = -g * (1.0 - g)
        span = top - bottom
        grad = np.stack([span * dg * slope / ic50, span * dg * log_ratio, 1.0 - g, g], axis=-1)
    grad[x == 0.0] = np.array([0.0, 0.0, 1.0, 0.0])
    return grad


def confidence_bands(
    conc: ArrayLike,
    params: ArrayLike,
    covariance: ArrayLike,
    *,
    level: float = 0.95,
    df: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pointwise confidence bands of many fitted Hill curves at once (delta method).

    The batched form of :func:`confidence_band`: the same definition, one curve per
    leading index, vectorised over curves and doses (no Python loop per curve).

    Parameters
    ----------
    conc : array_like (..., M)
        Doses (>= 0) of each curve, unit of its ``ic50``.
    params : array_like (..., 4)
        ``(ic50, hill_slope, bottom, top)`` of each curve.
    covariance : array_like (..., 4, 4)
        Wald covariance of each curve's parameters (rows of fixed parameters 0).
    level : float, default 0.95
        Coverage probability of the pointwise bands.
    df : array_like (...), optional
        Residual degrees of freedom per curve (Student-t quantile; <= 0 gives NaN bands);
        None: normal quantile.

    Returns
    -------
    fitted, lower, upper : ndarray (..., M)
        The curves and their bands (response unit); NaN where a curve's parameters are not
        finite (fitted too) or its covariance is unavailable (band only).
    """
    if not 0.0 < level < 1.0:
        raise SynergyError(f"level must be in (0, 1), got {level}")
    from synergy.hill.model import evaluate

    p = np.asarray(params, dtype=np.float64)
    cov = np.asarray(covariance, dtype=np.float64)
    if p.shape[-1:] != (4,) or cov.shape[-2:] != (4, 4) or cov.shape[:-2] != p.shape[:-1]:
        raise SynergyError(
            f"params must be (..., 4) and covariance (..., 4, 4), got {p.shape}, {cov.shape}"
        )
    x = np.asarray(conc, dtype=np.float64)
    x = np.broadcast_to(x, (*p.shape[:-1], x.shape[-1]))
    fitted = evaluate(x, *(p[..., k, None] for k in range(4)))
    fitted = np.where(np.all(np.isfinite(p), axis=-1)[..., None], fitted, np.nan)
    grad = _gradients(x, p)
    with np.errstate(invalid="ignore"):
        var = np.einsum("...mi,...ij,...mj->...m", grad, cov, grad)
        if df is None:
            q = np.full(p.shape[:-1], float(special.ndtri(0.5 + level / 2.0)))
        else:
            dof = np.broadcast_to(np.asarray(df, dtype=np.float64), p.shape[:-1])
            q = np.where(
                dof > 0, special.stdtrit(np.where(dof > 0, dof, 1.0), 0.5 + level / 2.0), np.nan
            )
        half = q[..., None] * np.sqrt(np.maximum(var, 0.0))
    half = np.where(np.isfinite(var), half, np.nan)
    return fitted, fitted - half, fitted + half


def _fit_data(screen: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every block's single-drug fits (B, D, 4) and the wells they were fitted to
    (B, D, P) each, with the replicate handling the fits recorded (either layout)."""
    from synergy.hill.screen import drug_fits, single_drug_arrays

    params, _ = drug_fits(screen)  # names the missing fit variable
    n_block, n_drug = params.shape[:2]
    replicates = screen[fit_variables(screen)[0]].attrs.get("replicates", "all")
    dose, response = single_drug_arrays(screen, "mean" if replicates == "mean" else "all")
    shape = (n_block, n_drug, dose.shape[-1])
    return params, dose.reshape(shape), response.reshape(shape)


def screen_bands(
    screen: xr.Dataset, conc: ArrayLike, *, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Confidence bands of every single-drug fit of a screen at once.

    The batched form of :func:`block_band` (pairs: drug 0 = ``hill_row``, drug 1 =
    ``hill_col``; N-drug screens: ``hill`` per drug): the Wald covariance at the stored
    parameters from each drug's single-drug wells (:meth:`synergy.hill.HillFit.from_params`
    in one batched call, no refit), degrees of freedom = points − free parameters, then
    :func:`confidence_bands`.

    Parameters
    ----------
    screen : xarray.Dataset
        A pair or N-drug screen with single-drug fits (:func:`synergy.score`).
    conc : array_like (B, D, M)
        Doses at which to evaluate each block's drugs, in ``screen.attrs["conc_unit"]``
        (D = 2 for pairs; anything that broadcasts to (B, D, M)).
    level : float, default 0.95
        Coverage probability.

    Returns
    -------
    fitted, lower, upper : ndarray (B, D, M)
        As :func:`block_band` for each block and drug; all NaN where a drug has no fit.
    """
    from synergy.hill.fit import HillFit

    params, dose, response = _fit_data(screen)
    wrapped = HillFit.from_params(*np.moveaxis(params, -1, 0), conc=dose, response=response)
    df = wrapped.n_points - np.sum(np.isnan(wrapped.fixed), axis=-1)
    x = np.asarray(conc, dtype=np.float64)
    x = np.broadcast_to(x, (*params.shape[:-1], x.shape[-1]))
    return confidence_bands(x, params, wrapped.covariance, level=level, df=df)
