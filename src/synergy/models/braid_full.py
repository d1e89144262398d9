"""The full BRAID model: κ, δ and a free E3 (``fit_braid(..., variant="full")``).

Twarog, Stewart, Shelat, Bhatt, Sci Rep 6:25523, 2016 (formula and parameters:
:mod:`synergy._kernels.braid_full`).  Besides κ, the full model has the potency-synergy
parameter δ (> 1 synergy, < 1 antagonism; it scales the combined curve's slope, ``H = δ h``)
and the combination's maximal effect E3, at or beyond both drugs' maxima.  ``δ = 1`` with
E3 tied to the stronger drug is the κ variant of :mod:`synergy.models.braid`.

Fit: the same batched bounded Levenberg–Marquardt as the κ variant
(:func:`synergy._kernels.interaction_fit.fit_surface`, model code ``BRAID_FULL``), from
the same starts (monotherapy Hill fits, or the surface without single-drug wells) with E3
started at the most extreme response (never inside the drugs' maxima), δ = 1, κ = 0, and
further starts δ ∈ {0.5, 1, 2} × κ ∈ {0, −1.5, 2, 10}.  E3 is fitted as
``b = ln((E3 − E0) / (Es − E0)) ∈ [0, ln 100]`` (Es the stronger drug's maximum), δ as
``ln δ`` in [ln 0.01, ln 100], κ as ``ln(κ + 2)`` as in the κ variant.  A fit ending with
E3 tied to the stronger drug (``b = 0``) is not a bound failure: that is the κ variant's
surface.  Intervals of κ and δ: profile likelihood (or Wald in their logs) mapped back.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy._kernels import interaction_fit as kernel
from synergy._kernels.braid_full import BRAID_FULL, braid_full_grid
from synergy.models._interaction import (
    _KERNEL_TO_STATUS,
    STATUS_MEANINGS,
    InteractionSpec,
    _init_and_bounds,
    check_fit_options,
)
from synergy.models.musyc import _t_quantile
from synergy.models.surface_inputs import fit_points, monotherapy_status

__all__ = ["BRAID_FULL_PARAMS", "fit_braid_full"]

BRAID_FULL_PARAMS = ("E0", "E1", "E2", "E3", "h1", "h2", "C1", "C2", "kappa", "delta")
DELTA_BOUNDS = (1e-2, 1e2)
E3_RATIO_MAX = 100.0  # (E3 − E0) / (Es − E0) at most
_DELTA_STARTS = (1.0, 0.5, 2.0)
_KAPPA_STARTS = (0.0, -1.5, 2.0, 10.0)
_B, _DELTA, _KAPPA = 7, 8, 9  # positions in q
# the κ variant's starts and bounds of its 8 parameters (E0 … ln C2, ln(κ + 2))
_KAPPA_SPEC = InteractionSpec("braid", "BRAID", kernel.BRAID, ("kappa",), 2.0, (), {})


def _starts() -> np.ndarray:
    """(S, 2) further starts of (ln δ, ln(κ + 2)), the null (δ = 1, κ = 0) left out."""
    pairs = [(np.log(d), np.log(k + 2.0)) for d in _DELTA_STARTS for k in _KAPPA_STARTS]
    return np.ascontiguousarray(pairs[1:], dtype=np.float64)


def _init_and_bounds_full(screen, resp, fit_delta):
    init8, bounds8 = _init_and_bounds(_KAPPA_SPEC, screen, resp)
    n_block = len(init8)
    e0 = init8[:, 0]
    strong = np.where(
        np.abs(init8[:, 1] - e0) >= np.abs(init8[:, 2] - e0), init8[:, 1], init8[:, 2]
    )
    span = strong - e0
    with np.errstate(all="ignore"):
        extreme = np.where(span >= 0, np.nanmax(resp, axis=1), np.nanmin(resp, axis=1))
        b0 = np.log(np.clip((extreme - e0) / span, 1.0, E3_RATIO_MAX))
    b0 = np.where(np.isfinite(b0), b0, 0.0)
    extra = np.stack([b0, np.zeros(n_block), init8[:, 7]], axis=1)
    init = np.concatenate([init8[:, :7], extra], axis=1)
    more = np.empty((n_block, 3, 2))
    more[:, 0] = (0.0, np.log(E3_RATIO_MAX))
    more[:, 1] = np.log(DELTA_BOUNDS) if fit_delta else 0.0  # δ = 1 held
    more[:, 2] = bounds8[:, 7]
    bounds = np.concatenate([bounds8[:, :7], more], axis=1)
    return np.ascontiguousarray(init), np.ascontiguousarray(bounds)


def _status(kstatus, q, bounds):
    """Kernel codes mapped to the status table; E3 tied to a drug (b = 0) alone is no bound,
    nor is a held parameter (lower = upper bound)."""
    tol = 1e-9 * (bounds[..., 1] - bounds[..., 0])
    at_bound = (q <= bounds[..., 0] + tol) | (q >= bounds[..., 1] - tol)
    at_bound &= bounds[..., 1] > bounds[..., 0]
    at_bound[:, _B] &= q[:, _B] >= bounds[:, _B, 1] - tol[:, _B]  # b = 0 is E3 tied
    free = (kstatus == kernel.HIT_BOUND) & ~at_bound.any(axis=1)
    kstatus = np.where(free, kernel.CONVERGED, kstatus)
    return np.array([_KERNEL_TO_STATUS[int(s)] for s in kstatus], dtype=np.int8)


def _held_delta(cov, n_points):
    """Covariance with δ held at 1: the others' conditional covariance, on n − 9 dof."""
    out = cov.copy()
    with np.errstate(all="ignore"):
        link = cov[:, :, _DELTA] / cov[:, _DELTA, _DELTA, None]
        out -= link[:, :, None] * cov[:, None, _DELTA, :]
        out *= ((n_points - 10.0) / (n_points - 9.0))[:, None, None]
    out[:, _DELTA, :] = 0.0
    out[:, :, _DELTA] = 0.0
    return out


def _interval_ends(points, q, se_q, bounds, tq, intervals, max_iter, first):
    """(B, 2, 2) ends of (ln δ, ln(κ + 2)) at the fit's level, from parameter ``first`` on
    (NaN before it)."""
    ends = np.full((len(q), 2, 2), np.nan)
    if intervals == "wald":
        half = (tq[:, None] * se_q[:, first:])[..., None] * np.array([-1.0, 1.0])
        ends[:, first - _DELTA :] = q[:, first:, None] + half
        return ends
    from synergy._kernels.interaction_profile import profile_interaction

    half = np.ascontiguousarray(tq[:, None] * se_q[:, first:])
    ends[:, first - _DELTA :], _ = profile_interaction(
        BRAID_FULL, *points, np.ascontiguousarray(q), half, bounds,
        np.ascontiguousarray(tq, dtype=np.float64), int(max_iter),
    )  # fmt: skip
    return ends


def _natural(q, cov):
    """Parameters in BRAID_FULL_PARAMS order and their delta-method standard errors."""
    n_block = len(q)
    jac = np.zeros((n_block, 10, 10))  # d(natural) / dq
    params = np.empty((n_block, 10))
    e0 = q[:, 0]
    first = np.abs(q[:, 1] - e0) >= np.abs(q[:, 2] - e0)
    strong = np.where(first, q[:, 1], q[:, 2])
    grow = np.exp(q[:, _B])
    params[:, :3] = q[:, :3]
    params[:, 3] = e0 + (strong - e0) * grow  # E3
    for j in range(3):
        jac[:, j, j] = 1.0
    jac[:, 3, 0] = 1.0 - grow
    jac[:, 3, 1] = np.where(first, grow, 0.0)
    jac[:, 3, 2] = np.where(first, 0.0, grow)
    jac[:, 3, _B] = (strong - e0) * grow
    params[:, 4:8] = np.exp(q[:, 3:7])
    for j in range(4):
        jac[:, 4 + j, 3 + j] = params[:, 4 + j]
    params[:, 8] = np.exp(q[:, _KAPPA]) - 2.0
    jac[:, 8, _KAPPA] = np.exp(q[:, _KAPPA])
    params[:, 9] = np.exp(q[:, _DELTA])
    jac[:, 9, _DELTA] = params[:, 9]
    var = np.einsum("bij,bjk,bik->bi", jac, cov, jac)
    return params, np.sqrt(np.where(var >= 0, var, np.nan))


def fit_braid_full(
    screen: xr.Dataset,
    *,
    ci: float = 0.95,
    intervals: str = "profile",
    max_iter: int = 200,
    fit_delta: bool = True,
) -> xr.Dataset:
    """Fit the full BRAID surface (κ, δ, free E3) to every block.

    Parameters and outputs as :func:`synergy.models.braid.fit_braid` (``variant="full"``),
    with ``braid_param`` extended by ``delta`` and E3 a fitted parameter (at or beyond the
    stronger drug's maximum), plus ``braid_delta``, ``braid_delta_stderr`` and
    ``braid_delta_ci`` (block, bound): δ > 1 synergy, < 1 antagonism.  ``fit_delta=False``
    holds δ = 1 (``variant="free_e3"``: κ and E3 fitted; δ's stderr 0, interval NaN).
    """
    check_fit_options(ci, intervals)
    dose1, dose2, resp = fit_points(screen)
    init, bounds = _init_and_bounds_full(screen, resp, fit_delta)
    q, cov, sse, n_points, n_iter, kstatus = kernel.fit_surface(
        BRAID_FULL, dose1, dose2, resp, init, bounds, _starts(), int(max_iter)
    )
    status = _status(kstatus, q, bounds)
    n_par = 10 if fit_delta else 9
    if not fit_delta:
        cov = _held_delta(cov, n_points)
    var = np.diagonal(cov, axis1=1, axis2=2)
    se_q = np.sqrt(np.where(var >= 0, var, np.nan))
    status = monotherapy_status(dose1, dose2, resp, status, se_q, 3)
    failed = status >= 10
    q[failed] = np.nan
    cov[failed] = np.nan
    se_q[failed] = np.nan
    tq = _t_quantile(ci, n_points - n_par)
    first = _DELTA if fit_delta else _KAPPA
    ends = _interval_ends((dose1, dose2, resp), q, se_q, bounds, tq, intervals, max_iter, first)
    with np.errstate(over="ignore", invalid="ignore"):
        ends = np.exp(ends)
    params, stderr = _natural(q, cov)
    kind = "profile-likelihood" if intervals == "profile" else "Wald (in the log)"
    level = f"{ci:.0%} {kind} interval (n - {n_par} dof)"
    coords = {"block": screen["block"].values}

    def per_block(values, **attrs):
        return xr.DataArray(values, dims=("block",), coords=coords, attrs=attrs)

    def interval(values, name):
        return xr.DataArray(values, dims=("block", "bound"), coords=coords,
                            attrs={"long_name": f"{name}, {level}"})  # fmt: skip

    undefined = ~np.isfinite(se_q[:, first:]).all(axis=1)
    undefined |= ~np.isfinite(ends[:, first - _DELTA :]).any(axis=2).all(axis=1)
    status[undefined & (status == 0)] = 9
    codes = tuple(sorted(STATUS_MEANINGS))
    ds_kind = "kappa, delta, E3" if fit_delta else "kappa, E3; delta = 1"
    out = {
        "braid": xr.DataArray(params, dims=("block", "braid_param"), coords=coords,
                              attrs={"long_name": f"BRAID ({ds_kind}) parameters",
                                     "units": "E: %; h: 1; C: conc_unit; kappa, delta: 1"}),
        "braid_stderr": xr.DataArray(stderr, dims=("block", "braid_param"), coords=coords,
                                     attrs={"long_name": "Wald (delta-method) standard errors"}),
        "braid_kappa": per_block(params[:, 8], long_name="BRAID kappa (> 0 synergistic, > -2)"),
        "braid_kappa_stderr": per_block(stderr[:, 8], long_name="Wald stderr of kappa"),
        "braid_kappa_ci": interval(ends[:, 1] - 2.0, "kappa"),
        "braid_delta": per_block(params[:, 9], long_name="BRAID delta (> 1 synergistic)"),
        "braid_delta_stderr": per_block(stderr[:, 9], long_name="Wald stderr of delta"),
        "braid_delta_ci": interval(ends[:, 0], "delta"),
        "braid_sse": per_block(sse, long_name="residual sum of squares", units="%^2"),
        "braid_n_points": per_block(n_points, long_name="wells x replicates fitted"),
        "braid_n_iter": per_block(n_iter, long_name="Levenberg-Marquardt iterations"),
        "braid_fitted": xr.DataArray(
            braid_full_grid(np.ascontiguousarray(screen["conc_row"].values, dtype=np.float64),
                            np.ascontiguousarray(screen["conc_col"].values, dtype=np.float64),
                            np.ascontiguousarray(q)),
            dims=("block", "row", "col"), coords=coords,
            attrs={"long_name": "fitted full BRAID surface", "units": "%"}),
        "braid_status": per_block(
            status, long_name="status of the full BRAID fit",
            flag_values=np.asarray(codes, dtype=np.int8),
            flag_meanings=" ".join(STATUS_MEANINGS[c] for c in codes),
            comment="0 ok; 7-9 warning (estimates exist); >= 10 failed (NaN)"),
    }  # fmt: skip
    ds = xr.Dataset(out).assign_coords(bound=("bound", ["lower", "upper"]))
    ds.attrs["braid_variant"] = "full" if fit_delta else "free_e3"
    return ds.assign_coords(braid_param=("braid_param", list(BRAID_FULL_PARAMS)))
