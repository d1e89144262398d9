"""Simulated screens on Zimmer's effective-dose and BRAID's κ surfaces (known truth).

The dose grids and monotherapy Hill curves are :func:`synergy.datasets.simulate`'s (same
``seed``, ``hill_row``/``hill_col``, ``n_doses``, ``dose_step``); the combination wells
follow the chosen surface (:mod:`synergy._kernels.interaction_surfaces`; both share the
Hill curves' bottom as E0 and their tops as E1, E2), with Gaussian noise added per well and
replicate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from synergy.datasets.streams import block_rng
from synergy.errors import SynergyError

__all__ = ["simulate_interaction"]

_NOISE_KEY = 41  # purpose key of the noise draws (distinct from simulate's)


def _per_block(value: float | Sequence[float], n_block: int, name: str) -> np.ndarray:
    out = np.broadcast_to(np.asarray(value, dtype=np.float64), (n_block,)).copy()
    if not np.all(np.isfinite(out)):
        raise SynergyError(f"{name} must be finite")
    return out


def simulate_interaction(
    blocks: int | Sequence[str] = 4,
    *,
    model: str = "zimmer",
    a12: float | Sequence[float] = 0.0,
    a21: float | Sequence[float] = 0.0,
    kappa: float | Sequence[float] = 0.0,
    noise_sd: float = 0.0,
    n_replicates: int = 1,
    seed: int = 0,
    **simulate_kwargs: Any,
) -> xr.Dataset:
    """Simulate a screen whose combination wells follow Zimmer's or BRAID's surface.

    Parameters
    ----------
    blocks : int or sequence of str
        As :func:`synergy.datasets.simulate`.
    model : {"zimmer", "braid"}
        The surface: Zimmer's effective-dose model (``a12``, ``a21`` > −1; < 0 synergy) or
        BRAID with δ = 1 and E3 = the stronger top (``kappa`` > −2; > 0 synergy).
    a12, a21, kappa : float or sequence (one per block)
        Interaction parameters of the chosen model (the others are ignored).
    noise_sd : float
        Standard deviation of the Gaussian noise, % points.
    n_replicates : int
        Replicates per well.
    seed : int
        Seed of the Hill curves, grids (as ``simulate``) and of the noise.
    **simulate_kwargs
        Passed to :func:`synergy.datasets.simulate` (``hill_row``, ``hill_col``,
        ``n_doses``, ``dose_step``, ``conc_row``, ``conc_col``, names …).

    Returns
    -------
    xarray.Dataset
        A screen with ``true_response`` (block, row, col; %), ``true_hill_row``,
        ``true_hill_col`` (block, param) and per block ``true_a12``, ``true_a21`` (zimmer)
        or ``true_kappa`` (braid).
    """
    from synergy._kernels.interaction_surfaces import BRAID, ZIMMER, surface_grid
    from synergy.datasets.simulate import simulate

    if model not in ("zimmer", "braid"):
        raise SynergyError(f"model must be 'zimmer' or 'braid', got {model!r}")
    if noise_sd < 0 or n_replicates < 1:
        raise SynergyError("need noise_sd ≥ 0 and n_replicates ≥ 1")
    base = simulate(blocks, model="bliss", n_replicates=n_replicates, seed=seed, **simulate_kwargs)
    n_block = base.sizes["block"]
    p_row = base["true_hill_row"].values  # ic50, slope, bottom, top
    p_col = base["true_hill_col"].values
    common = [p_row[:, 2], p_row[:, 3], p_col[:, 3], np.log(p_row[:, 1]), np.log(p_col[:, 1])]
    common += [np.log(p_row[:, 0]), np.log(p_col[:, 0])]
    if model == "zimmer":
        t12, t21 = _per_block(a12, n_block, "a12"), _per_block(a21, n_block, "a21")
        if np.any(t12 <= -1) or np.any(t21 <= -1):
            raise SynergyError("a12 and a21 must be > -1")
        q = np.column_stack([*common, np.log1p(t12), np.log1p(t21)])
        truth = {"true_a12": t12, "true_a21": t21}
        code = ZIMMER
    else:
        t_kappa = _per_block(kappa, n_block, "kappa")
        if np.any(t_kappa <= -2):
            raise SynergyError("kappa must be > -2")
        q = np.column_stack([*common, np.log(t_kappa + 2.0)])
        truth = {"true_kappa": t_kappa}
        code = BRAID
    conc_row = np.ascontiguousarray(base["conc_row"].values, dtype=np.float64)
    conc_col = np.ascontiguousarray(base["conc_col"].values, dtype=np.float64)
    true = surface_grid(code, conc_row, conc_col, np.ascontiguousarray(q))
    response = np.repeat(true[..., None], n_replicates, axis=-1)
    if noise_sd > 0:
        for i, block_id in enumerate(base["block"].values):
            rng = block_rng(seed, str(block_id), _NOISE_KEY)
            response[i] += noise_sd * rng.standard_normal(response[i].shape)
    response[np.isnan(base["response"].values)] = np.nan  # padding of ragged grids
    drop = [v for v in base.data_vars if str(v).startswith("true_") and "hill" not in str(v)]
    screen = base.drop_vars(drop)
    screen["response"] = (base["response"].dims, response, base["response"].attrs)
    screen["true_response"] = (("block", "row", "col"), true, {"units": "%"})
    for name, values in truth.items():
        screen[name] = ("block", values)
    provenance = json.loads(base.attrs["provenance"])
    provenance |= {"generator": "synergy.datasets.simulate_interaction", "model": model,
                   "noise_sd": noise_sd, "noise_key": _NOISE_KEY}  # fmt: skip
    screen.attrs["provenance"] = json.dumps(provenance, sort_keys=True)
    variables = ["true_hill_col", "true_hill_row", "true_response", *truth]
    screen.attrs["truth"] = json.dumps({"model": model, "variables": sorted(variables)})
    return screen
