"""Shared fit and output assembly of the Zimmer and BRAID models (see zimmer.py, braid.py).

Both surfaces share MuSyC's first seven parameters ``(E0, E1, E2, ln h1, ln h2, ln C1,
ln C2)`` — started from the monotherapy Hill fits with MuSyC's starts and bounds
(:func:`synergy.models.surface_inputs.start_and_bounds`) — followed by interaction parameters
fitted as shifted logs ``ln(θ + shift)`` (Zimmer's ``a12, a21`` with shift 1, BRAID's κ
with shift 2), so that ``θ > −shift`` holds by construction.  Their intervals are
profile-likelihood intervals (:mod:`synergy._kernels.interaction_profile`) or Wald
intervals symmetric in the shifted log, ``ln(θ + shift) ± t·se``; either is mapped back to
θ (Student's t on ``n − P`` degrees of freedom).  Stderr of θ by the delta method.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy._kernels import interaction_fit as kernel
from synergy.errors import SynergyError
from synergy.models.musyc import _t_quantile
from synergy.models.surface_inputs import fit_points, monotherapy_status, start_and_bounds

__all__ = ["STATUS_MEANINGS", "InteractionSpec", "fit_interaction"]

# MuSyC's codes without its alpha-specific one (6, alpha_on_bound): synergy.status
STATUS_MEANINGS = status_codes.meanings("interaction")

_MUSYC_COLUMNS = [0, 1, 2, 4, 5, 6, 7]  # E0, E1, E2, ln h1, ln h2, ln C1, ln C2
_KERNEL_TO_STATUS = {
    kernel.CONVERGED: 0,
    kernel.HIT_BOUND: 7,
    kernel.NOT_CONVERGED: 8,
    kernel.TOO_FEW_POINTS: 12,
    kernel.NON_FINITE_DATA: 15,
}
INTERACTION_BOUNDS = (1e-3, 1e3)  # of theta + shift


@dataclass(frozen=True)
class InteractionSpec:
    """What distinguishes one model: its kernel code, names and interaction parameters."""

    name: str  # variable prefix, "zimmer" or "braid"
    label: str  # for long names
    code: int  # kernel model code
    interaction: tuple[str, ...]  # interaction parameter names
    shift: float  # theta + shift > 0
    start_values: tuple[float, ...]  # further starts of theta, each parameter
    meaning: dict[str, str]  # long name of each interaction parameter


def _starts(spec: InteractionSpec) -> np.ndarray:
    """(S, K) start grid of the shifted logs: every combination except the null one."""
    values = np.log(np.asarray((0.0, *spec.start_values)) + spec.shift)
    grids = np.meshgrid(*([values] * len(spec.interaction)), indexing="ij")
    starts = np.stack([g.ravel() for g in grids], axis=1)[1:]
    return np.ascontiguousarray(starts)


def _init_and_bounds(spec, screen, resp):
    with warnings.catch_warnings():  # all-NaN blocks (they fail as too few points)
        warnings.simplefilter("ignore", RuntimeWarning)
        init10, bounds10 = start_and_bounds(screen, resp)
    n_int = len(spec.interaction)
    null = np.log(spec.shift)
    init = np.concatenate([init10[:, _MUSYC_COLUMNS], np.full((len(init10), n_int), null)], 1)
    inter = np.broadcast_to(np.log(INTERACTION_BOUNDS), (len(init10), n_int, 2))
    bounds = np.concatenate([bounds10[:, _MUSYC_COLUMNS], inter], axis=1)
    if spec.code == kernel.ZIMMER:  # the baseline must stay below 100 %
        bounds[:, 0, 1] = np.minimum(bounds[:, 0, 1], 90.0)
        bounds[:, 0, 0] = np.minimum(bounds[:, 0, 0], 80.0)
        init[:, 0] = np.clip(init[:, 0], bounds[:, 0, 0], bounds[:, 0, 1])
    return np.ascontiguousarray(init), np.ascontiguousarray(bounds)


def _profile_ends(spec, points, q, se_q, bounds, tq, max_iter):
    """(B, K, 2) profile-likelihood ends of the interaction parameters (fit units)."""
    from synergy._kernels.interaction_profile import profile_interaction

    n_int = len(spec.interaction)
    half = np.ascontiguousarray(tq[:, None] * se_q[:, -n_int:])
    ends, _ = profile_interaction(
        spec.code, *points, np.ascontiguousarray(q), half, bounds,
        np.ascontiguousarray(tq, dtype=np.float64), int(max_iter),
    )  # fmt: skip
    return ends


def check_fit_options(ci: float, intervals: str) -> None:
    """The interval options of Zimmer's and BRAID's fits (:class:`SynergyError` otherwise)."""
    if not 0 < ci < 1:
        raise SynergyError(f"ci must be in (0, 1), got {ci!r}")
    if intervals not in ("profile", "wald"):
        raise SynergyError(f"intervals must be 'profile' or 'wald', got {intervals!r}")


def fit_interaction(
    screen: xr.Dataset, spec: InteractionSpec, *, ci: float, intervals: str, max_iter: int
) -> tuple[xr.Dataset, dict[str, np.ndarray]]:
    """Fit ``spec``'s surface to every block; the Dataset of ``fit_zimmer``/``fit_braid``.

    Also returns the raw fit (``q``, ``cov``, ``status``) for model-specific additions.
    """
    check_fit_options(ci, intervals)
    dose1, dose2, resp = fit_points(screen)
    init, bounds = _init_and_bounds(spec, screen, resp)
    q, cov, sse, n_points, n_iter, kstatus = kernel.fit_surface(
        spec.code, dose1, dose2, resp, init, bounds, _starts(spec), int(max_iter)
    )
    status = np.array([_KERNEL_TO_STATUS[int(s)] for s in kstatus], dtype=np.int8)
    var = np.diagonal(cov, axis1=1, axis2=2)
    se_fit = np.sqrt(np.where(var >= 0, var, np.nan))
    status = monotherapy_status(dose1, dose2, resp, status, se_fit, 3)
    failed = status >= 10
    q[failed] = np.nan
    cov[failed] = np.nan
    var = np.diagonal(cov, axis1=1, axis2=2)
    se_q = np.sqrt(np.where(var >= 0, var, np.nan))
    n_par = q.shape[1]
    tq = _t_quantile(ci, n_points - n_par)

    coords = {"block": screen["block"].values}
    if intervals == "profile":
        ends = _profile_ends(spec, (dose1, dose2, resp), q, se_q, bounds, tq, max_iter)
        level = f"{ci:.0%} profile-likelihood interval (F test, n - {n_par} dof)"
    else:
        half = (tq[:, None] * se_q[:, 7:])[..., None] * np.array([-1.0, 1.0])
        ends = q[:, 7:, None] + half
        level = f"{ci:.0%} Wald interval in ln(theta + {spec.shift:g}) (Student t, n - {n_par} dof)"

    def per_block(values, **attrs):
        return xr.DataArray(values, dims=("block",), coords=coords, attrs=attrs)

    params = q.copy()
    params[:, 3:7] = np.exp(q[:, 3:7])
    stderr = se_q.copy()
    stderr[:, 3:7] = params[:, 3:7] * se_q[:, 3:7]
    out = {}
    undefined = np.zeros(len(q), dtype=bool)
    for k, name in enumerate(spec.interaction):
        j = 7 + k
        params[:, j] = np.exp(q[:, j]) - spec.shift
        stderr[:, j] = np.exp(q[:, j]) * se_q[:, j]
        with np.errstate(over="ignore", invalid="ignore"):  # unbounded: +inf
            interval = np.exp(ends[:, k])
        out[f"{spec.name}_{name}"] = per_block(params[:, j], long_name=spec.meaning[name])
        out[f"{spec.name}_{name}_stderr"] = per_block(
            stderr[:, j], long_name=f"Wald (delta-method) stderr of {name}"
        )
        out[f"{spec.name}_{name}_ci"] = xr.DataArray(
            interval - spec.shift, dims=("block", "bound"), coords=coords,
            attrs={"long_name": f"{name}, {level}"},
        )  # fmt: skip
        undefined |= ~np.isfinite(se_q[:, j]) | ~np.any(np.isfinite(ends[:, k]), axis=1)
    status[undefined & (status == 0)] = 9
    out[f"{spec.name}_sse"] = per_block(sse, long_name="residual sum of squares", units="%^2")
    out[f"{spec.name}_n_points"] = per_block(n_points, long_name="wells x replicates fitted")
    out[f"{spec.name}_n_iter"] = per_block(n_iter, long_name="Levenberg-Marquardt iterations")
    conc_row = np.ascontiguousarray(screen["conc_row"].values, dtype=np.float64)
    conc_col = np.ascontiguousarray(screen["conc_col"].values, dtype=np.float64)
    out[f"{spec.name}_fitted"] = xr.DataArray(
        kernel.surface_grid(spec.code, conc_row, conc_col, np.ascontiguousarray(q)),
        dims=("block", "row", "col"), coords=coords,
        attrs={"long_name": f"fitted {spec.label} surface", "units": "%"},
    )  # fmt: skip
    codes = tuple(sorted(STATUS_MEANINGS))
    out[f"{spec.name}_status"] = per_block(
        status,
        long_name=f"status of the {spec.label} fit",
        flag_values=np.asarray(codes, dtype=np.int8),
        flag_meanings=" ".join(STATUS_MEANINGS[c] for c in codes),
        comment="0 ok; 7-9 warning (estimates exist); >= 10 failed (NaN)",
    )
    raw = {"params": params, "stderr": stderr, "q": q, "cov": cov, "status": status}
    return xr.Dataset(out).assign_coords(bound=("bound", ["lower", "upper"])), raw
