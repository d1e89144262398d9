"""Profile-likelihood intervals of the Zimmer / BRAID interaction parameters (numba, batched).

For an interaction parameter ``θ = q[k]`` (``ln(1 + a12)``, ``ln(1 + a21)`` or
``ln(κ + 2)``) of a block fitted with residual sum of squares ``S`` over ``n`` points and
``P`` parameters, the profile ``S_k(θ)`` is the least SSE with ``q[k] = θ`` held and the
other parameters refitted (:func:`synergy._kernels.interaction_fit.lm`).  The interval is
``{θ : (S_k(θ) − S) / σ² ≤ t²}``, ``σ² = S / (n − P)``, ``t`` the Student-t quantile on
``n − P`` degrees of freedom (the F-test criterion of ``lmfit.conf_interval``; for one
parameter ``F(1, n − P) = t²``), as MuSyC's :mod:`synergy._kernels.musyc_profile`.

Each end is searched on ``r(θ) = sqrt((S_k(θ) − S) / σ²)``, nearly linear in θ: first
trial at the Wald end (step capped at 2), doubling outwards while ``r < t``, then linear
interpolation of r inside the bracket, each profile fit warm-started from the nearest
inner solution; done when ``|r − t| ≤ 0.005 t`` or after :data:`MAX_FITS` fits.  Reaching
the parameter's bound with ``r < t`` gives ±inf (the data do not bound θ on that side).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from synergy._kernels.interaction_fit import accumulate, lm
from synergy._kernels.musyc import prepare

__all__ = ["MAX_FITS", "profile_interaction"]

MAX_FITS = 16
_RTOL = 0.005


@njit(cache=True, error_model="numpy")
def _held_fit(model, u1, u2, y, n, start, k, theta, lo, hi, max_iter, q):
    """SSE of the fit with q[k] = theta held, from ``start``; q holds the solution."""
    lo_k, hi_k = lo[k], hi[k]
    lo[k] = theta
    hi[k] = theta
    for j in range(q.shape[0]):
        q[j] = min(max(start[j], lo[j]), hi[j])
    sse, _, _ = lm(model, u1, u2, y, n, q, lo, hi, max_iter)
    lo[k], hi[k] = lo_k, hi_k
    return sse


@njit(cache=True, error_model="numpy")
def _one_end(model, u1, u2, y, n, q_hat, k, side, sse_min, sigma2, t_crit, wald, lo, hi,
             max_iter):  # fmt: skip
    """End of the interval of q[k] on ``side`` (±1); returns (θ or ±inf, fits run)."""
    limit = hi[k] if side > 0 else lo[k]
    q = q_hat.copy()
    q_in = q_hat.copy()
    theta_in, r_in = q_hat[k], 0.0
    theta_out, r_out = np.nan, np.nan
    step = min(wald, 2.0) if (np.isfinite(wald) and wald > 1e-3) else 1.0
    theta = q_hat[k] + side * step
    for fits in range(1, MAX_FITS + 1):
        if side * (theta - limit) >= 0.0:
            theta = limit
        sse = _held_fit(model, u1, u2, y, n, q_in, k, theta, lo, hi, max_iter, q)
        r = np.sqrt(max(sse - sse_min, 0.0) / sigma2)
        if abs(r - t_crit) <= _RTOL * t_crit:
            return theta, fits
        if r > t_crit:
            theta_out, r_out = theta, r
        elif theta == limit:
            return side * np.inf, fits
        else:
            theta_in, r_in = theta, r
            q_in[:] = q
        if np.isfinite(theta_out):
            theta = theta_in + (theta_out - theta_in) * (t_crit - r_in) / (r_out - r_in)
        else:
            theta = q_hat[k] + 2.0 * (theta - q_hat[k])
    return theta, MAX_FITS


@njit(cache=True, error_model="numpy")
def _block_points(model, dose1, dose2, response, q_hat):
    """(u1, u2, y, n, SSE at q_hat, sigma²) of one block; sigma² = NaN if unusable."""
    m = response.shape[0]
    p = q_hat.shape[0]
    u1, u2, y = np.empty(m), np.empty(m), np.empty(m)
    n, _, bad = prepare(dose1, dose2, response, u1, u2, y)
    if bad or n <= p:
        return u1, u2, y, n, np.nan, np.nan
    scratch = np.empty((p, p))
    sse = accumulate(model, u1, u2, y, n, q_hat, scratch, np.empty(p), np.empty(p))
    return u1, u2, y, n, sse, sse / (n - p)


@njit(cache=True, error_model="numpy", parallel=True)
def profile_interaction(model, dose1, dose2, response, params, wald_half, bounds, t_crit,
                        max_iter):  # fmt: skip
    """Profile intervals of the last K parameters (the interaction ones) of B blocks.

    Parameters
    ----------
    model : int
        ``ZIMMER`` or ``BRAID`` (:mod:`synergy._kernels.interaction_surfaces`).
    dose1, dose2, response : float64 (B, N)
        The points the blocks were fitted to.
    params : float64 (B, P)
        Fitted ``q`` (a block with a NaN gets NaN ends).
    wald_half : float64 (B, K)
        Wald half-widths of the K interaction parameters (first trial steps).
    bounds : float64 (B, P, 2)
        Bounds used in the fit.
    t_crit : float64 (B,)
        Student-t quantile on n − P degrees of freedom.
    max_iter : int
        LM iterations per profile fit.

    Returns
    -------
    ends : float64 (B, K, 2)
        (lower, upper) of each interaction parameter in fit units; ±inf where the data do
        not bound it before its bound.
    n_fits : int64 (B,)
        Profile fits run.
    """
    B = response.shape[0]
    n_int = wald_half.shape[1]
    ends = np.full((B, n_int, 2), np.nan)
    n_fits = np.zeros(B, dtype=np.int64)
    for b in prange(B):
        if not (np.all(np.isfinite(params[b])) and np.isfinite(t_crit[b])):
            continue
        q_hat = params[b].copy()
        u1, u2, y, n, sse_min, sigma2 = _block_points(model, dose1[b], dose2[b], response[b],
                                                      q_hat)  # fmt: skip
        if not sigma2 > 0.0:
            continue
        lo = bounds[b, :, 0].copy()
        hi = bounds[b, :, 1].copy()
        for a in range(n_int):
            for s in range(2):
                end, used = _one_end(
                    model, u1, u2, y, n, q_hat, q_hat.shape[0] - n_int + a, 2.0 * s - 1.0,
                    sse_min, sigma2, t_crit[b], wald_half[b, a], lo, hi, max_iter,
                )  # fmt: skip
                ends[b, a, s] = end
                n_fits[b] += used
    return ends, n_fits
