"""SynergyFinder's baseline correction (``CorrectBaseLine``, SynergyFinder 3.7).

Inhibition below 0 at low doses (cells growing better than the control) drags Bliss and ZIP
references; SynergyFinder offers to lift the baseline before scoring:

1. Fit every drug's single-drug data (its wells with the other drugs at 0, the control
   included) with the four-parameter log-logistic model, all parameters free.
2. ``baseline`` = the smallest fitted value of any drug at its tested doses (often < 0).
3. ``"part"``: every response ``y < 0`` becomes ``y − (100 − y) / 100 · baseline``;
   ``"all"``: every response does.  (``y = 100`` is left where it is; with a negative
   baseline responses move up, less so the closer they are to 100.)

The models then run on the corrected responses, single-drug fits included (SynergyFinder
refits inside every model).  SynergyFinder applies the correction to its replicate-mean table
(to each bootstrap draw with replicates); here it is applied to every replicate value, which
is the same for ``"all"`` (linear) and for data without replicates.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.errors import SynergyError

__all__ = ["BASELINE_CORRECTIONS", "baseline_of", "correct_baseline"]

BASELINE_CORRECTIONS = ("non", "part", "all")


def baseline_of(screen: xr.Dataset, fitter: str) -> np.ndarray:
    """SynergyFinder's baseline of every block: the lowest single-drug fitted value, (B,) %.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (pair or N-drug layout) without fits, or with fits that are ignored.
    fitter : {"drc", "lsq"}
        Fitter of the single drugs (SynergyFinder: ``"drc"``).
    """
    from synergy.hill import fit_screen
    from synergy.hill.model import hill_predict

    bare = screen.drop_vars([v for v in screen.data_vars if str(v).startswith("hill")])
    fitted = fit_screen(bare, fitter=fitter, replicates="mean")
    from synergy.hill.screen import drug_fits, single_drug_arrays

    conc, _ = single_drug_arrays(bare, "mean")  # (B·N, P), either layout
    params, l4 = drug_fits(fitted)
    values = hill_predict(conc, params.reshape(-1, 4), l4.reshape(-1))
    values = values.reshape(screen.sizes["block"], -1)
    with np.errstate(invalid="ignore"):
        return np.where(
            np.isfinite(values).any(axis=1),
            np.nanmin(np.where(np.isfinite(values), values, np.inf), axis=1),
            np.nan,
        )


def correct_baseline(screen: xr.Dataset, method: str, fitter: str) -> xr.Dataset:
    """A copy of ``screen`` with SynergyFinder's baseline correction applied.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (pair or N-drug layout).
    method : {"non", "part", "all"}
        No correction, negative responses only, or every response.
    fitter : {"drc", "lsq"}
        Fitter of the single drugs that give the baseline.

    Returns
    -------
    xarray.Dataset
        ``response`` corrected and ``baseline`` (block, %) added (0 with ``"non"``); a block
        whose single drugs cannot be fitted keeps its responses (baseline NaN).
    """
    if method not in BASELINE_CORRECTIONS:
        raise SynergyError(
            f"correct_baseline must be one of {BASELINE_CORRECTIONS}, got {method!r}"
        )
    out = screen.copy()
    block = screen["block"].values
    if method == "non":
        baseline = np.zeros(len(block))
    else:
        baseline = baseline_of(screen, fitter)
        response = screen["response"].values
        shift = np.nan_to_num(baseline).reshape(-1, *([1] * (response.ndim - 1)))
        corrected = response - (100.0 - response) / 100.0 * shift
        if method == "part":
            corrected = np.where(response < 0, corrected, response)
        out["response"] = screen["response"].copy(data=corrected)
    out["baseline"] = xr.DataArray(
        baseline,
        dims=("block",),
        coords={"block": block},
        attrs={
            "long_name": "SynergyFinder's baseline: lowest fitted single-drug value",
            "units": "%",
            "correction": method,
        },
    )
    return out
