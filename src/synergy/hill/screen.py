"""Single-drug Hill fits of every block of a screen: :func:`fit_screen`.

The single-drug data of the row drug are the wells whose column dose is 0, **including the
(0, 0) control well** (so ``E(0) = bottom`` is anchored by the control, as in SynergyFinder);
likewise for the column drug.  Row and column curves of all blocks go to the kernel in one
batched call (no Python loop over blocks).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import xarray as xr

from synergy.errors import ScreenError, SynergyError
from synergy.hill.drc_arrays import FORMULA, fit_drc_arrays
from synergy.hill.fit import fit
from synergy.hill.model import PARAM_NAMES
from synergy.hill.status import FLAT_ALPHA, flag_attrs
from synergy.io.wells import replicate_mean

__all__ = ["FORMULA", "fit_drc_arrays", "fit_screen", "monotherapy_arrays"]


def monotherapy_arrays(
    screen: xr.Dataset, axis: Literal["row", "col"], replicates: Literal["all", "mean"] = "all"
) -> tuple[np.ndarray, np.ndarray]:
    """Doses and responses of one drug alone in every block.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (docs/design.md §1).
    axis : {"row", "col"}
        ``"row"``: the row drug (wells with column dose 0); ``"col"``: the column drug.
    replicates : {"all", "mean"}
        ``"all"``: every replicate is a point; ``"mean"``: one point per dose, the mean of its
        non-missing replicates.

    Returns
    -------
    conc : ndarray (B, R*K) or (B, R)
        Doses in ``screen.attrs["conc_unit"]`` (NaN padding where the grid is shorter).
    response : ndarray, same shape
        % inhibition, NaN = no well.
    """
    response = np.asarray(screen["response"].values, dtype=np.float64)
    if axis == "row":
        conc = np.asarray(screen["conc_row"].values, dtype=np.float64)
        resp = response[:, :, 0, :]
    elif axis == "col":
        conc = np.asarray(screen["conc_col"].values, dtype=np.float64)
        resp = response[:, 0, :, :]
    else:
        raise SynergyError(f"axis must be 'row' or 'col', got {axis!r}")
    n_block, n_dose, n_rep = resp.shape
    if replicates == "mean":
        return conc, replicate_mean(resp)
    if replicates != "all":
        raise SynergyError(f"replicates must be 'all' or 'mean', got {replicates!r}")
    conc_all = np.repeat(conc[:, :, None], n_rep, axis=2).reshape(n_block, n_dose * n_rep)
    return conc_all, resp.reshape(n_block, n_dose * n_rep)


def fit_screen(
    screen: xr.Dataset,
    *,
    fitter: Literal["drc", "lsq"] = "drc",
    replicates: Literal["all", "mean"] = "all",
    flat_alpha: float = FLAT_ALPHA,
) -> xr.Dataset:
    """Fit the Hill curve of each drug alone in every block and add the fits to the screen.

    Adds, for ``side`` in ``row``/``col``:

    - ``hill_<side>`` (block, param): ``ic50`` (relative IC50, in ``attrs["conc_unit"]``),
      ``hill_slope``, ``bottom``, ``top`` (% inhibition), for the curve
      ``E(x) = bottom + (top - bottom) / (1 + (ic50 / x) ** hill_slope)``;
    - ``hill_<side>_stderr`` (block, param): Wald standard errors (ic50's by the delta method);
    - ``hill_<side>_ic50_ci`` (block, bound): Wald 95 % interval of the IC50, symmetric in
      ln(ic50), in ``conc_unit``;
    - ``hill_<side>_status`` (block): :class:`~synergy.hill.status.HillStatus` codes with CF
      ``flag_values``/``flag_meanings``;
    - ``hill_<side>_sse`` (block) and ``hill_<side>_n_points`` (block);
    - ``hill_<side>_model`` (block): 0 = the curve above, 1 = SynergyFinder's L.4 fallback
      (same curve on ln dose, dose 0 predicted at 1e-10; ``fitter="drc"`` only);
    - with ``fitter="drc"`` also ``hill_<side>_drc_status`` (drc's own codes).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (docs/design.md §1); responses in % inhibition.
    fitter : {"drc", "lsq"}
        ``"drc"`` (default, as :func:`synergy.score`'s): drc's procedure as SynergyFinder
        calls it (:mod:`synergy.hill.drc`), to reproduce SynergyFinder's numbers
        (docs/design.md §6.23); ``"lsq"``: the bounded least-squares kernel
        (:func:`synergy.hill.fit`), the best fits (drc can stop in a local optimum).  The
        fits record their fitter (the ``fitter`` attribute): :func:`synergy.score` with
        another fitter refits them, with a logged notice (the fitter rule,
        docs/design.md §9).  To score lsq fits as they are, pass ``fitter="lsq"`` to both.
    replicates : {"all", "mean"}
        Fit every replicate well (default) or the replicate means (SynergyFinder's table).
    flat_alpha : float
        Significance level of the flatness F-test (see :mod:`synergy.hill.status`).

    Returns
    -------
    xarray.Dataset
        A new Dataset: the screen plus the variables above (existing ones are replaced).
        An N-drug screen gets ``hill`` (block, drug, param) and its companions instead
        (:func:`synergy.hill.multi.fit_multi_screen`).
    """
    if "drug" in screen.dims:  # N-drug layout (docs/design.md §1)
        from synergy.hill.multi import fit_multi_screen

        return fit_multi_screen(screen, fitter=fitter, replicates=replicates, flat_alpha=flat_alpha)
    if "response" not in screen or "conc_row" not in screen.coords:
        raise ScreenError("fit_screen needs a screen with 'response', 'conc_row' and 'conc_col'")
    if fitter not in ("lsq", "drc"):
        raise SynergyError(f"fitter must be 'lsq' or 'drc', got {fitter!r}")
    n_block = screen.sizes["block"]
    conc_r, resp_r = monotherapy_arrays(screen, "row", replicates)
    conc_c, resp_c = monotherapy_arrays(screen, "col", replicates)
    width = max(conc_r.shape[1], conc_c.shape[1])
    conc = np.full((2 * n_block, width), np.nan)
    resp = np.full((2 * n_block, width), np.nan)
    conc[:n_block, : conc_r.shape[1]] = conc_r
    conc[n_block:, : conc_c.shape[1]] = conc_c
    resp[:n_block, : resp_r.shape[1]] = resp_r
    resp[n_block:, : resp_c.shape[1]] = resp_c
    drc_status = drc_attrs = None
    if fitter == "lsq":
        fits = fit(conc, resp, flat_alpha=flat_alpha)
        l4 = np.zeros(2 * n_block, dtype=bool)
    else:
        fits, drc_status, drc_attrs, l4 = fit_drc_arrays(conc, resp)
    unit = str(screen.attrs.get("conc_unit", ""))
    lower, upper = fits.ic50_ci(0.95)
    stderr = fits.stderr
    out = screen.copy()
    out = out.assign_coords(param=("param", list(PARAM_NAMES)), bound=("bound", ["lower", "upper"]))
    drug_of = {"row": "drug_row", "col": "drug_col"}
    for side, part in (("row", slice(0, n_block)), ("col", slice(n_block, 2 * n_block))):
        name = f"hill_{side}"
        common = {"fitter": fitter, "replicates": replicates, "ic50_units": unit}
        out[name] = xr.DataArray(
            fits.params[part],
            dims=("block", "param"),
            attrs={
                "long_name": f"Hill fit of the {drug_of[side]} alone (wells with the other dose 0,"
                " the (0, 0) control included)",
                "formula": FORMULA,
                "units": f"ic50: {unit}; hill_slope: 1; bottom, top: % inhibition",
                **common,
            },
        )
        out[f"{name}_stderr"] = xr.DataArray(
            stderr[part],
            dims=("block", "param"),
            attrs={
                "long_name": f"Wald standard error of {name} (ic50 by the delta method)",
                **common,
            },
        )
        out[f"{name}_ic50_ci"] = xr.DataArray(
            np.stack([lower[part], upper[part]], axis=-1),
            dims=("block", "bound"),
            attrs={
                "long_name": f"Wald 95 % confidence interval of the IC50 of {name}, symmetric"
                " in ln(ic50)",
                "units": unit,
                "level": 0.95,
            },
        )
        out[f"{name}_status"] = xr.DataArray(
            fits.status[part].astype(np.int8), dims=("block",), attrs={**flag_attrs(), **common}
        )
        out[f"{name}_sse"] = xr.DataArray(
            fits.sse[part],
            dims=("block",),
            attrs={"long_name": f"residual sum of squares of {name}", "units": "%^2"},
        )
        out[f"{name}_n_points"] = xr.DataArray(
            fits.n_points[part].astype(np.int64),
            dims=("block",),
            attrs={"long_name": f"wells used by {name}"},
        )
        out[f"{name}_model"] = xr.DataArray(
            l4[part].astype(np.int8),
            dims=("block",),
            attrs={
                "long_name": f"curve family of {name}: LL.4 on dose, or SynergyFinder's L.4"
                " fallback on ln(dose) (dose 0 predicted at 1e-10)",
                "flag_values": np.array([0, 1], dtype=np.int8),
                "flag_meanings": "ll4 l4_fallback",
            },
        )
        if drc_status is not None:
            out[f"{name}_drc_status"] = xr.DataArray(
                drc_status[part], dims=("block",), attrs=dict(drc_attrs)
            )
    return out
