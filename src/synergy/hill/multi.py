"""Single-drug Hill fits of every drug of an N-drug screen (docs/design.md §1).

The single-drug data of drug i are the wells where drug i is the only drug present, plus the
all-zero control well (as for pairs: ``E(0) = bottom`` is anchored by the control, as in
SynergyFinder's ``ExtractSingleDrug``).  All drugs of all blocks go to the kernel in one
batched call.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.hill.drc_arrays import FORMULA, fit_drc_arrays
from synergy.hill.fit import fit
from synergy.hill.model import PARAM_NAMES
from synergy.hill.status import FLAT_ALPHA, flag_attrs
from synergy.io.wells import n_present, replicate_mean, well_doses

__all__ = ["fit_multi_screen", "single_drug_arrays"]


def single_drug_arrays(
    screen: xr.Dataset, replicates: Literal["all", "mean"] = "mean"
) -> tuple[np.ndarray, np.ndarray]:
    """Doses and responses of each drug alone, (B·N, P) each, row ``b·N + i`` = drug i of b.

    Parameters
    ----------
    screen : xarray.Dataset
        An N-drug screen.
    replicates : {"all", "mean"}
        Every replicate a point, or one point per well (the replicate mean).

    Returns
    -------
    conc, response : ndarray (B·N, P)
        Doses of drug i (``conc_unit``), ascending, the control (dose 0) first; % inhibition;
        NaN padded.
    """
    conc = well_doses(screen)
    n_block, n_well, n_drug = conc.shape
    response = np.asarray(screen["response"].transpose("block", "well", "replicate").values)
    if replicates == "mean":
        response = replicate_mean(response)[:, :, None]
    elif replicates != "all":
        raise SynergyError(f"replicates must be 'all' or 'mean', got {replicates!r}")
    n_rep = response.shape[2]
    present = n_present(conc)
    alone = ((present == 1)[:, :, None] & (np.nan_to_num(conc) > 0)) | (present == 0)[:, :, None]
    alone = alone & np.isfinite(response).any(axis=2)[:, :, None]  # (B, W, N)
    # rows b·N + i; points in well order (ascending dose of drug i), replicates inner
    mask = np.repeat(np.transpose(alone, (0, 2, 1)), n_rep, axis=2)  # (B, N, W·K)
    doses = np.repeat(np.transpose(conc, (0, 2, 1)), n_rep, axis=2)
    values = np.broadcast_to(response.reshape(n_block, 1, n_well * n_rep), mask.shape)
    mask = mask.reshape(n_block * n_drug, -1) & np.isfinite(values.reshape(n_block * n_drug, -1))
    width = max(int(mask.sum(axis=1).max(initial=0)), 1)
    row, col = np.nonzero(mask)
    position = np.arange(row.size) - np.searchsorted(row, row, side="left")
    out_conc = np.full((n_block * n_drug, width), np.nan)
    out_resp = np.full((n_block * n_drug, width), np.nan)
    out_conc[row, position] = doses.reshape(n_block * n_drug, -1)[row, col]
    out_resp[row, position] = values.reshape(n_block * n_drug, -1)[row, col]
    return out_conc, out_resp


def fit_multi_screen(
    screen: xr.Dataset,
    *,
    fitter: Literal["drc", "lsq"] = "drc",
    replicates: Literal["all", "mean"] = "all",
    flat_alpha: float = FLAT_ALPHA,
) -> xr.Dataset:
    """Fit the Hill curve of each drug alone in every block of an N-drug screen.

    Adds ``hill`` (block, drug, param: ic50, hill_slope, bottom, top), ``hill_stderr``
    (block, drug, param), ``hill_ic50_ci`` (block, drug, bound), ``hill_status``,
    ``hill_sse``, ``hill_n_points`` and ``hill_model`` (block, drug; 1 = SynergyFinder's L.4
    fallback, ``fitter="drc"`` only), with the meanings of
    :func:`synergy.hill.fit_screen`'s pair variables.

    Parameters
    ----------
    screen : xarray.Dataset
        An N-drug screen (docs/design.md §1).
    fitter : {"drc", "lsq"}
        drc's procedure (default, SynergyFinder's numbers; :func:`synergy.score`'s
        default too), or the bounded least-squares kernel.
    replicates : {"all", "mean"}
        Fit every replicate, or the replicate means (SynergyFinder's table).
    flat_alpha : float
        Significance level of the flatness F-test.

    Returns
    -------
    xarray.Dataset
        A new Dataset: the screen plus the variables above.
    """
    if fitter not in ("lsq", "drc"):
        raise SynergyError(f"fitter must be 'lsq' or 'drc', got {fitter!r}")
    n_block, n_drug = screen.sizes["block"], screen.sizes["drug"]
    conc, response = single_drug_arrays(screen, replicates)
    if fitter == "lsq":
        fits = fit(conc, response, flat_alpha=flat_alpha)
        l4 = np.zeros(conc.shape[0], dtype=bool)
    else:
        fits, _, _, l4 = fit_drc_arrays(conc, response)
    lower, upper = fits.ic50_ci(0.95)
    unit = str(screen.attrs.get("conc_unit", ""))
    common = {"fitter": fitter, "replicates": replicates, "ic50_units": unit}

    def per_drug(values: np.ndarray) -> np.ndarray:
        return np.asarray(values).reshape(n_block, n_drug, *np.shape(values)[1:])

    out = screen.copy().assign_coords(
        param=("param", list(PARAM_NAMES)), bound=("bound", ["lower", "upper"])
    )
    out["hill"] = (
        ("block", "drug", "param"),
        per_drug(fits.params),
        {
            "long_name": "Hill fit of each drug alone (its single-drug wells and the control)",
            "formula": FORMULA,
            "units": f"ic50: {unit}; hill_slope: 1; bottom, top: % inhibition",
            **common,
        },
    )
    out["hill_stderr"] = (
        ("block", "drug", "param"),
        per_drug(fits.stderr),
        {"long_name": "Wald standard error of hill (ic50 by the delta method)", **common},
    )
    out["hill_ic50_ci"] = (
        ("block", "drug", "bound"),
        np.stack([per_drug(lower), per_drug(upper)], axis=-1),
        {"long_name": "Wald 95 % confidence interval of the IC50", "units": unit, "level": 0.95},
    )
    out["hill_status"] = (
        ("block", "drug"),
        per_drug(fits.status).astype(np.int8),
        {**flag_attrs(), **common},
    )
    out["hill_sse"] = (
        ("block", "drug"),
        per_drug(fits.sse),
        {"long_name": "residual sum of squares of hill", "units": "%^2"},
    )
    out["hill_n_points"] = (
        ("block", "drug"),
        per_drug(fits.n_points).astype(np.int64),
        {"long_name": "wells used by hill"},
    )
    out["hill_model"] = (
        ("block", "drug"),
        per_drug(l4).astype(np.int8),
        {
            "long_name": "curve family: LL.4 on dose, or SynergyFinder's L.4 fallback",
            "flag_values": np.array([0, 1], dtype=np.int8),
            "flag_meanings": "ll4 l4_fallback",
        },
    )
    return out
