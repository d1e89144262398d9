"""Profile-likelihood intervals of MuSyC's log alpha (and log gamma) (numba, batched).

For parameter ``k`` (``ln alpha12``, ``ln alpha21``, or with γ fitted ``ln gamma12``,
``ln gamma21``) of a fitted block with residual sum
of squares ``S`` over ``n`` points, the profile ``S_k(θ)`` is the least SSE with ``q[k] = θ``
held (the other p − 1 parameters refitted by :func:`synergy._kernels.musyc.lm`; p = 10, or
12 for the γ fit).  The interval is ``{θ : (S_k(θ) − S) / σ² ≤ t²}`` with
``σ² = S / (n − p)`` and ``t`` the Student-t quantile with ``n − p`` degrees of freedom —
the F-test criterion of ``lmfit.conf_interval`` (for one parameter ``F(1, n − p) = t²``),
which is what the tests compare it with.  Wald intervals are this criterion on the quadratic
approximation of ``S_k``; the profile follows the skewed, flat-topped likelihood of alpha.

Each end is found by a bracketing search on ``r(θ) = sqrt((S_k(θ) − S) / σ²)``, which is
close to linear in θ: the first trial is the Wald end (step capped at 2), then secant
steps outwards until ``r > t``, then interpolation inside the bracket, each profile fit
warm-started from the nearest inner solution (a second, direct start from the fit at the
points beyond ``t`` changed no end on 4,000 additive blocks and cost 16 %: not kept);
stops when ``|r − t| ≤ 0.005 t`` (at most :data:`MAX_STEPS` profile fits).  When the
parameter's bound is reached with ``r < t`` the end is ±inf (the data do not bound alpha
on that side).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from synergy._kernels.musyc import accumulate, fitted_block, lm, new_work

__all__ = ["MAX_STEPS", "profile_alpha", "profile_params"]

MAX_STEPS = 16
_ALPHAS = np.array([8, 9], dtype=np.int64)
_RTOL = 0.005
_SSE_TOL = 1e-3  # loose refits stop when the next step would gain < this x sigma^2


@njit(cache=True, error_model="numpy")
def _profile_end(u1, u2, y, n, q_hat, k, direction, sse_min, sigma2, t_crit, wald, lo, hi,
                 max_iter, work):  # fmt: skip
    """One end of the profile interval of q[k]; returns (θ, number of profile fits)."""
    p = q_hat.shape[0]
    limit = hi[k] if direction > 0 else lo[k]
    lo_p = lo.copy()
    hi_p = hi.copy()
    q = q_hat.copy()
    q_in = q_hat.copy()
    theta_hat = q_hat[k]
    theta_in = theta_hat
    r_in = 0.0
    theta_out = np.nan
    r_out = np.nan
    step = wald if (np.isfinite(wald) and wald > 1e-3) else 1.0
    theta = theta_hat + direction * min(step, 2.0)
    for it in range(MAX_STEPS):
        if direction * (theta - limit) >= 0.0:
            theta = limit
        lo_p[k] = theta
        hi_p[k] = theta
        for j in range(p):
            q[j] = min(max(q_in[j], lo_p[j]), hi_p[j])
        sse, _, _ = lm(u1, u2, y, n, q, lo_p, hi_p, max_iter, work, np.inf, _SSE_TOL * sigma2)
        r = np.sqrt(max(sse - sse_min, 0.0) / sigma2)
        if r >= (1.0 - _RTOL) * t_crit:
            # a loose refit can only overstate r: polish the points it puts at or beyond t
            sse, _, _ = lm(u1, u2, y, n, q, lo_p, hi_p, max_iter, work)
            r = np.sqrt(max(sse - sse_min, 0.0) / sigma2)
        if abs(r - t_crit) <= _RTOL * t_crit:
            return theta, it + 1
        if r < t_crit:
            if theta == limit:
                return direction * np.inf, it + 1
            theta_in = theta
            r_in = r
            q_in[:] = q
            if np.isfinite(theta_out):
                theta = theta_in + (theta_out - theta_in) * (t_crit - r_in) / (r_out - r_in)
            else:
                # secant through the last two inner points, growing by 1.25x to 4x
                grow = 4.0
                if r > 0.0:
                    grow = min(max(t_crit / r, 1.25), 4.0)
                theta = theta_hat + (theta - theta_hat) * grow
        else:
            theta_out = theta
            r_out = r
            theta = theta_in + (theta_out - theta_in) * (t_crit - r_in) / (r_out - r_in)
    return theta, MAX_STEPS


@njit(cache=True, error_model="numpy", parallel=True)
def profile_params(
    dose1, dose2, response, params, index, wald_half, bounds, t_crit, max_iter, sse_ref
):
    """Profile intervals of the parameters ``q[index[j]]`` of B blocks.

    Parameters
    ----------
    dose1, dose2, response : float64 (B, N)
        The points the blocks were fitted to (as for :func:`~synergy._kernels.musyc.
        fit_musyc`).
    params : float64 (B, p)
        Fitted ``q``, p = 10 or 12 (γ fitted; then profiled with the γs free too; a block
        with a NaN is skipped: NaN ends).
    index : int64 (K,)
        Parameters to profile: 8, 9 for ``ln alpha12``, ``ln alpha21``; 10, 11 for
        ``ln gamma12``, ``ln gamma21`` (p = 12).
    wald_half : float64 (B, K)
        Wald half-widths of those parameters (first trial steps; NaN = 1).
    bounds : float64 (B, p, 2)
        Bounds of ``q`` used in the fit.
    t_crit : float64 (B, K, 2)
        Critical value ``t`` of ``[block, parameter, (lower, upper end)]``: the Student t
        quantile (n − p dof) at every position, or the bootstrap-calibrated values of
        :func:`synergy._kernels.musyc_calibrate.calibrate_alpha` (NaN: that end is NaN).
    max_iter : int
        LM iterations per profile fit.
    sse_ref : float64 (B,)
        The fit's SSE ``S`` (NaN: the SSE at ``params``).  Given, ``params`` may be another
        point to search from — e.g. the fit with ``q[k] = 0`` where the confidence set is
        not connected (:func:`synergy.models.musyc_calibration.join_disconnected`).

    Returns
    -------
    ends : float64 (B, K, 2)
        ``[block, parameter, (lower, upper)]`` in ``q``'s scale (natural logs); ±inf where
        the data do not bound the parameter before its bound.
    n_fits : int64 (B,)
        Profile fits run.
    """
    B = response.shape[0]
    K = index.shape[0]
    ends = np.full((B, K, 2), np.nan)
    n_fits = np.zeros(B, dtype=np.int64)
    p = params.shape[1]
    for b in prange(B):
        u1, u2, y, n = fitted_block(dose1[b], dose2[b], response[b], params[b])
        if n == 0:
            continue
        work = new_work(p)
        q_hat = params[b].copy()
        sse_min = accumulate(u1, u2, y, n, q_hat, work[0], work[1], work[2])
        if np.isfinite(sse_ref[b]):
            sse_min = sse_ref[b]
        sigma2 = sse_min / (n - p)
        if not sigma2 > 0.0:
            continue
        lo = bounds[b, :, 0].copy()
        hi = bounds[b, :, 1].copy()
        for a in range(K):
            for side in range(2):
                t_end = t_crit[b, a, side]
                if not t_end < np.inf:  # NaN: no interval; +inf: unbounded on this side
                    ends[b, a, side] = t_end if np.isnan(t_end) else (2 * side - 1) * np.inf
                    continue
                end, used = _profile_end(
                    u1, u2, y, n, q_hat, index[a], 1.0 if side == 1 else -1.0, sse_min,
                    sigma2, t_end, wald_half[b, a], lo, hi, max_iter, work,
                )  # fmt: skip
                ends[b, a, side] = end
                n_fits[b] += used
    return ends, n_fits


def profile_alpha(dose1, dose2, response, params, wald_half, bounds, t_crit, max_iter):
    """Profile intervals of ``ln alpha12`` (q[8]) and ``ln alpha21`` (q[9]) of B blocks.

    :func:`profile_params` with ``index = (8, 9)``: ``wald_half`` (B, 2), ``t_crit``
    (B, 2, 2); returns ``ends`` (B, 2, 2) in ln alpha and ``n_fits`` (B,).
    """
    sse_ref = np.full(response.shape[0], np.nan)
    return profile_params(
        dose1, dose2, response, params, _ALPHAS, wald_half, bounds, t_crit, max_iter, sse_ref
    )
