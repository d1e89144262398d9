"""Single-drug Hill fits of every block of a screen, either layout: :func:`fit_screen`.

The single-drug data of the row drug are the wells whose column dose is 0, **including the
(0, 0) control well** (so ``E(0) = bottom`` is anchored by the control, as in SynergyFinder);
likewise for the column drug.  For N drugs, the data of drug i are the wells where drug i is
the only drug present, plus the all-zero control well.  :func:`single_drug_arrays` gives both
layouts' curves as one (B·N, P) batch, and every curve of every block goes to the kernel in
one call (no Python loop over blocks); only the names of the fit variables differ
(``hill_row``/``hill_col`` or ``hill`` on a ``drug`` dimension).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import xarray as xr

from synergy._kernels.single_drug import single_drug_points
from synergy.errors import ScreenError, SynergyError
from synergy.hill.drc_arrays import FORMULA, fit_drc_arrays
from synergy.hill.fit import fit
from synergy.hill.model import HILL_PARAMS, PARAM_NAMES
from synergy.hill.status import FLAT_ALPHA, flag_attrs
from synergy.io.layout import dose_coords, fit_variables, flat_doses, flat_values, layout_variables
from synergy.io.wells import replicate_mean

__all__ = [
    "FORMULA",
    "drug_fits",
    "fit_drc_arrays",
    "fit_screen",
    "monotherapy_arrays",
    "read_fit",
    "single_drug_arrays",
]


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


def single_drug_arrays(
    screen: xr.Dataset, replicates: Literal["all", "mean"] = "mean"
) -> tuple[np.ndarray, np.ndarray]:
    """Doses and responses of each drug alone, (B·N, P) each, row ``b·N + i`` = drug i of b.

    One path for both layouts, on the flat wells of :func:`synergy.io.layout.flat_doses`:
    drug i's points are the measured wells where it is the only drug present, and the
    control (every dose 0).  A pair's drugs are its row drug (i = 0: the grid's column 0)
    and column drug (i = 1: row 0).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen of either layout (docs/design.md §1, §1.1).
    replicates : {"all", "mean"}
        Every replicate a point, or one point per well (the replicate mean).

    Returns
    -------
    conc, response : ndarray (B·N, P)
        Doses of drug i (``conc_unit``), ascending, the control (dose 0) first; % inhibition;
        NaN padded.
    """
    conc = flat_doses(screen)  # (B, W, N); a pair grid's well row·C + col
    if replicates not in ("all", "mean"):
        raise SynergyError(f"replicates must be 'all' or 'mean', got {replicates!r}")
    response = np.ascontiguousarray(flat_values(screen, "response"), dtype=np.float64)
    return single_drug_points(conc, response, replicates == "mean")  # (B, W, K) in


def read_fit(screen: xr.Dataset, name: str) -> tuple[np.ndarray, np.ndarray]:
    """One single-drug fit variable ``name`` (and its ``<name>_model``) as arrays.

    Returns ``params`` (B, n, 4) float64 in the order of ``HILL_PARAMS`` and the L.4 flags
    (B, n) bool (n = 1 for ``hill_row``/``hill_col``, N for ``hill``).
    """
    if name not in screen:
        raise ScreenError(
            f"the screen has no {name!r}: fit it first (synergy.score or synergy.hill.fit_screen)"
        )
    fits = screen[name]
    if "param" in fits.coords:
        fits = fits.sel(param=list(HILL_PARAMS))
    n_block = screen.sizes["block"]
    params = np.asarray(fits.transpose("block", ...).values, dtype=np.float64)
    if params.shape[-1] != 4:
        raise ScreenError(f"{name} must have 4 parameters {HILL_PARAMS}, got {params.shape}")
    params = params.reshape(n_block, -1, 4)
    model = f"{name}_model"
    if model not in screen:
        return params, np.zeros(params.shape[:2], dtype=bool)
    return params, (np.asarray(screen[model].values) == 1).reshape(n_block, -1)


def drug_fits(screen: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Every drug's single-drug Hill fit, either layout: ``params`` (B, N, 4) float64 in the
    order of ``HILL_PARAMS`` and the L.4 flags (B, N) bool.

    Read from the layout's fit variables (:func:`synergy.io.layout.fit_variables`): pairs
    ``hill_row``, ``hill_col`` (N = 2, row drug first); the well layout ``hill`` (block, drug,
    param) and ``hill_model``.
    """
    parts = [read_fit(screen, name) for name in fit_variables(screen)]
    params = np.concatenate([p for p, _ in parts], axis=1)
    return np.ascontiguousarray(params), np.concatenate([l4 for _, l4 in parts], axis=1)


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
        An N-drug screen gets ``hill`` (block, drug, param), ``hill_stderr`` (block, drug,
        param), ``hill_ic50_ci`` (block, drug, bound), ``hill_status``, ``hill_sse``,
        ``hill_n_points`` and ``hill_model`` (block, drug) instead: one path fits both layouts
        (:func:`~synergy.hill.screen.single_drug_arrays`); only the variables' names and dims
        differ.
    """
    if "response" not in screen or not all(c in screen.coords for c in dose_coords(screen)):
        needed = ", ".join(repr(c) for c in ("response", *dose_coords(screen)))
        raise ScreenError(f"fit_screen needs a screen with {needed}")
    if fitter not in ("lsq", "drc"):
        raise SynergyError(f"fitter must be 'lsq' or 'drc', got {fitter!r}")
    n_block = screen.sizes["block"]
    conc, resp = single_drug_arrays(screen, replicates)
    drc_status = drc_attrs = None
    if fitter == "lsq":
        fits = fit(conc, resp, flat_alpha=flat_alpha)
        l4 = np.zeros(conc.shape[0], dtype=bool)
    else:
        fits, drc_status, drc_attrs, l4 = fit_drc_arrays(conc, resp)
    unit = str(screen.attrs.get("conc_unit", ""))
    lower, upper = fits.ic50_ci(0.95)
    common = {"fitter": fitter, "replicates": replicates, "ic50_units": unit}
    # every fit variable as (B, N, ...) with its trailing dims and attrs ({name}: the fit's name)
    parts: dict[str, tuple[np.ndarray, tuple[str, ...], dict]] = {
        "": (
            fits.params,
            ("param",),
            {
                "long_name": "Hill fit of the drug alone (its wells with every other dose 0,"
                " the control included)",
                "formula": FORMULA,
                "units": f"ic50: {unit}; hill_slope: 1; bottom, top: % inhibition",
                **common,
            },
        ),
        "_stderr": (
            fits.stderr,
            ("param",),
            {"long_name": "Wald standard error of {name} (ic50 by the delta method)", **common},
        ),
        "_ic50_ci": (
            np.stack([lower, upper], axis=-1),
            ("bound",),
            {
                "long_name": "Wald 95 % confidence interval of the IC50 of {name}, symmetric"
                " in ln(ic50)",
                "units": unit,
                "level": 0.95,
            },
        ),
        "_status": (fits.status.astype(np.int8), (), {**flag_attrs(), **common}),
        "_sse": (fits.sse, (), {"long_name": "residual sum of squares of {name}", "units": "%^2"}),
        "_n_points": (fits.n_points.astype(np.int64), (), {"long_name": "wells used by {name}"}),
        "_model": (
            l4.astype(np.int8),
            (),
            {
                "long_name": "curve family of {name}: LL.4 on dose, or SynergyFinder's L.4"
                " fallback on ln(dose) (dose 0 predicted at 1e-10)",
                "flag_values": np.array([0, 1], dtype=np.int8),
                "flag_meanings": "ll4 l4_fallback",
            },
        ),
    }
    out = screen.copy()
    out = out.assign_coords(param=("param", list(PARAM_NAMES)), bound=("bound", ["lower", "upper"]))
    for suffix, (values, dims, attrs) in parts.items():
        values = np.asarray(values).reshape(n_block, -1, *np.shape(values)[1:])  # (B, N, …)
        names = fit_variables(out, suffix=suffix)  # the pair's names (ignored for N drugs)
        found = layout_variables(out, values, pair=names, wells=f"hill{suffix}", extra_dims=dims)
        for name, var in found.items():
            text = dict(attrs)
            if "long_name" in text:
                text["long_name"] = text["long_name"].format(name=name.removesuffix(suffix))
            out[name] = var.assign_attrs(text)
    if drc_status is not None:  # drc's own codes: recorded for pairs only
        codes = drc_status.reshape(n_block, -1)
        names = fit_variables(out, suffix="_drc_status")
        for name, var in layout_variables(out, codes, pair=names, wells=None).items():
            out[name] = var.assign_attrs(drc_attrs)
    return out
