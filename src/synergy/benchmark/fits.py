"""Published single-drug fits: injecting them into a screen, and their SSE on our data.

DESIGN.md §3: science functions accept ``hill_row``/``hill_col`` already in the screen, so
scoring with another tool's own fits reproduces its numbers when only its fitting differs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from synergy.benchmark.matching import Matching, normalise_id
from synergy.errors import SynergyError
from synergy.models._common import HILL_PARAMS, hill_predict

__all__ = ["fit_sse", "inject_published_fits", "published_fit_arrays"]

_OTHER_SIDE = {"row": "col", "col": "row"}


def published_fit_arrays(
    screen: xr.Dataset, fits: pd.DataFrame, matching: Matching
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The published fits laid out on the screen's blocks, per side.

    A swapped pair takes the published row drug's fit for our column drug.

    Returns
    -------
    dict
        ``side -> (params (B, 4), l4 (B,) bool, has (B,) bool)``; NaN parameters where the
        published table has no fit for the block.
    """
    n_block = screen.sizes["block"]
    position = {b: i for i, b in enumerate(screen["block"].values.astype(str))}
    keys = zip(fits["block"].map(normalise_id), fits["side"], strict=True)
    lookup = {key: r for r, key in enumerate(keys)}
    out = {}
    values = fits[list(HILL_PARAMS)].to_numpy(dtype=np.float64)
    l4_all = fits["l4"].to_numpy(dtype=bool)
    for side in ("row", "col"):
        params = np.full((n_block, 4), np.nan)
        l4 = np.zeros(n_block, dtype=bool)
        has = np.zeros(n_block, dtype=bool)
        for pair in matching.pairs.itertuples():
            pub_side = _OTHER_SIDE[side] if pair.swapped else side
            row = lookup.get((normalise_id(pair.published_block), pub_side))
            if row is None or pair.block not in position:
                continue
            i = position[pair.block]
            params[i], l4[i], has[i] = values[row], l4_all[row], True
        out[side] = (params, l4, has)
    return out


def inject_published_fits(
    screen: xr.Dataset, fits: pd.DataFrame, matching: Matching, fitter: str = "drc"
) -> tuple[xr.Dataset, list[str]]:
    """Replace the single-drug fits of matched blocks by the published tool's own fits.

    Blocks without a published fit (for either drug) keep fits of ``fitter``.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (fits present or not).
    fits : pandas.DataFrame
        :attr:`PublishedScores.fits`.
    matching : Matching
        Pairs of our blocks and published rows (swapped pairs swap the fits).
    fitter : {"drc", "lsq"}
        Fitter of the blocks the published table has no fit for.

    Returns
    -------
    screen : xarray.Dataset
        With ``hill_row``/``hill_col`` (+ ``_model``) replaced where published fits exist;
        their ``hill_<side>_status`` set to 0 there and ``attrs["published_fits"]`` naming
        the blocks (comma-separated).
    injected : list of str
        Our blocks whose two fits both came from the published table.
    """
    from synergy.hill import fit_screen

    keep = [v for v in screen.data_vars if not str(v).startswith(("hill_row", "hill_col"))]
    out = fit_screen(screen[keep], fitter=fitter, replicates="mean")
    arrays = published_fit_arrays(out, fits, matching)
    both = arrays["row"][2] & arrays["col"][2]
    if not both.any():
        raise SynergyError(
            "the published fit table has no fits for the matched blocks (by block id and drug "
            "side conc1/conc2)"
        )
    for side, (params, l4, _) in arrays.items():
        name = f"hill_{side}"
        values = out[name].sel(param=list(HILL_PARAMS)).values.copy()
        values[both] = params[both]
        out[name] = (("block", "param"), values, out[name].attrs | {"source": "mixed"})
        model = out[f"{name}_model"].values.copy()
        model[both] = l4[both].astype(model.dtype)
        out[f"{name}_model"] = (("block",), model, out[f"{name}_model"].attrs)
        status = out[f"{name}_status"].values.copy()
        status[both] = 0
        out[f"{name}_status"] = (("block",), status, out[f"{name}_status"].attrs)
        for extra in ("stderr", "ic50_ci", "sse", "drc_status"):
            if f"{name}_{extra}" in out:
                out = out.drop_vars(f"{name}_{extra}")
    injected = out["block"].values.astype(str)[both].tolist()
    out.attrs["published_fits"] = ",".join(injected)
    return out, injected


def fit_sse(
    screen: xr.Dataset, side: str, params: np.ndarray, l4: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """SSE of given single-drug fits on the screen's single-drug points.

    The points are the replicate means at the drug's doses with the other dose 0, the
    (0, 0) control included — the points SynergyFinder fits (SYNERGYFINDER.md §1).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen.
    side : {"row", "col"}
        Which drug.
    params : ndarray (B, 4)
        Hill parameters (:data:`~synergy.models._common.HILL_PARAMS`) per block.
    l4 : ndarray (B,) bool
        SynergyFinder's L.4 fallback fits (dose 0 evaluated at 1e-10).

    Returns
    -------
    sse : ndarray (B,)
        Sum of squared residuals, %²; NaN where the parameters are NaN.
    n_points : ndarray (B,) int
    """
    from synergy.hill.screen import monotherapy_arrays

    conc, response = monotherapy_arrays(screen, side, "mean")
    ok = np.isfinite(conc) & np.isfinite(response)
    predicted = hill_predict(np.where(ok, conc, 1.0), params, np.asarray(l4, dtype=bool))
    residual = np.where(ok, response - predicted, 0.0)
    sse = np.sum(residual**2, axis=1)
    sse = np.where(np.all(np.isfinite(params), axis=1), sse, np.nan)
    return sse, ok.sum(axis=1)
