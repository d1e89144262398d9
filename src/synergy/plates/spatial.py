"""Row, column and edge effects of plates: a two-way median polish of residuals.

A combination plate cannot be polished directly: its dose matrices put the drugs' own
effects along the rows and columns.  The polish therefore runs on
*residuals*: each sample well against the median response of every well with the same
condition (sample, drugs and doses) on all plates, each negative control against its
plate's median, as the log ratio of the cell signal left (:func:`spatial_effects`;
evaporation and dispenser faults scale the signal of the cells they touch).  What stays is
the plate's own spatial pattern (an edge that dried more, a row a dispenser tip missed).
This needs three or more plates per condition to tell which plate deviates (with two, the
median is their mean); a condition on one plate only gives no residual (NaN), so such
plates are judged on their controls.  Effects shared by every plate of a layout are
confounded with the treatments unless the layouts vary (docs/design.md §15).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["correct_spatial", "expected_response", "median_polish", "spatial_effects"]

_DIMS = ("plate", "well_row", "well_col")


def _nanmedian(values: np.ndarray, axis) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(values, axis=axis)


def expected_response(plates: xr.Dataset, response: str = "response") -> np.ndarray:
    """Expected response of every well (plate, well_row, well_col); NaN where unknown.

    Sample wells: the median over all wells of the same sample, drugs and doses (NaN when
    the condition occurs once).  Control and blank wells: their plate's median for the
    role.  Empty wells: NaN.
    """
    values = np.asarray(plates[response].values, dtype=np.float64)
    role = np.asarray(plates["role"].values)
    out = np.full(values.shape, np.nan)
    for name in ("negative", "positive", "blank"):
        mask = role == name
        centre = _nanmedian(np.where(mask, values, np.nan), axis=(1, 2))
        out = np.where(mask, centre[:, None, None], out)
    sample = (role == "sample").ravel()
    if sample.any():
        n_drug = plates.sizes["drug"]
        names = np.asarray(plates["drug_name"].values).reshape(-1, n_drug)[sample]
        conc = np.asarray(plates["conc"].values).reshape(-1, n_drug)[sample]
        keys = {"s": np.asarray(plates["sample"].values).ravel()[sample]}
        keys.update({f"d{k}": names[:, k] for k in range(n_drug)})
        keys.update({f"c{k}": conc[:, k] for k in range(n_drug)})
        frame = pd.DataFrame(keys)
        group = frame.groupby(list(keys), sort=False, dropna=False).ngroup().to_numpy()
        y = pd.Series(values.ravel()[sample])
        med = y.groupby(group).transform("median").to_numpy()
        count = y.notna().groupby(group).transform("sum").to_numpy()
        flat = out.ravel()
        flat[np.flatnonzero(sample)] = np.where(count >= 2, med, np.nan)
        out = flat.reshape(values.shape)
    return out


def median_polish(
    residual: np.ndarray, n_iter: int = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tukey's two-way median polish of every plate at once (NaN = no well).

    Parameters
    ----------
    residual : (P, R, C) array
    n_iter : int
        Sweeps (rows then columns); 10 is ample for plates.

    Returns
    -------
    overall (P,), row_effect (P, R), col_effect (P, C), remainder (P, R, C)
        ``residual = overall + row_effect + col_effect + remainder`` where finite; the
        row and column effects have median 0.
    """
    rest = np.array(residual, dtype=np.float64)
    n_plate, n_row, n_col = rest.shape
    overall = np.zeros(n_plate)
    row = np.zeros((n_plate, n_row))
    col = np.zeros((n_plate, n_col))
    for _ in range(n_iter):  # a few whole-array sweeps
        step = np.nan_to_num(_nanmedian(rest, axis=2))
        rest -= step[:, :, None]
        row += step
        shift = np.nan_to_num(_nanmedian(col, axis=1))
        col -= shift[:, None]
        overall += shift
        step = np.nan_to_num(_nanmedian(rest, axis=1))
        rest -= step[:, None, :]
        col += step
        shift = np.nan_to_num(_nanmedian(row, axis=1))
        row -= shift[:, None]
        overall += shift
    return overall, row, col, rest


def _viability(values: np.ndarray, kind: str) -> np.ndarray:
    """Fraction of the vehicle's cell signal left in each well."""
    return 1.0 - values / 100.0 if kind == "inhibition" else values / 100.0


def _from_viability(fraction: np.ndarray, kind: str) -> np.ndarray:
    return 100.0 * (1.0 - fraction) if kind == "inhibition" else 100.0 * fraction


def spatial_effects(
    plates: xr.Dataset,
    response: str = "response",
    min_viability: float = 0.5,
    min_wells: int = 2,
) -> xr.Dataset:
    """Spatial factors of every plate: a median polish of log signal ratios.

    Evaporation and a dispenser that misses a row scale the *cell* signal of the wells they
    touch, so the polish runs on ``log(v_obs / v_exp)``: ``v`` the fraction of the vehicle's
    signal left (1 − inhibition / 100), ``v_exp`` from
    :func:`~synergy.plates.spatial.expected_response`.  Wells
    expected to keep less than ``min_viability`` of the signal (almost fully inhibited:
    their ratio is noise) and wells without cells (positive controls, blanks) are left out,
    and so are rows and columns with fewer than ``min_wells`` usable wells (effect 0).

    Returns
    -------
    xarray.Dataset
        ``residual`` (plate, well_row, well_col; log ratio), ``row_effect`` (plate,
        well_row), ``col_effect`` (plate, well_col), ``overall`` (plate) and ``remainder``;
        effects are natural logs of signal factors (−0.1 ≈ 10 % of the signal lost);
        ``row_n``/``col_n`` the wells behind each effect, ``noise`` (plate) the robust
        SD (1.4826 MAD) of one well's remainder, ``residual_percent``: the residual as
        % of the expected cell signal (−20: a fifth of it missing) and ``remainder_percent``
        the same after the fitted row and column factors.
    """
    kind = plates[response].attrs.get("response_kind", "inhibition")
    observed = _viability(np.asarray(plates[response].values, dtype=np.float64), kind)
    expected = _viability(expected_response(plates, response), kind)
    role = np.asarray(plates["role"].values)
    cells = np.isin(role, ("sample", "negative")) & (expected >= min_viability)
    with np.errstate(all="ignore"):
        residual = np.where(cells, np.log(np.maximum(observed, 1e-3) / expected), np.nan)
    seen = np.isfinite(residual)  # a row or column with few usable wells gets no effect
    residual[np.broadcast_to((seen.sum(axis=2) < min_wells)[:, :, None], seen.shape)] = np.nan
    residual[np.broadcast_to((seen.sum(axis=1) < min_wells)[:, None, :], seen.shape)] = np.nan
    overall, row, col, rest = median_polish(residual)
    seen = np.isfinite(residual)
    # robust SD of one well; a well that *is* its condition's median (residual exactly 0)
    # says nothing about the noise and would shrink it
    informative = np.where(residual != 0.0, rest, np.nan)
    noise = 1.4826 * _nanmedian(np.abs(informative), axis=(1, 2))
    coords = {name: plates[name] for name in _DIMS}
    unit = {"units": "log signal ratio"}
    return xr.Dataset(
        {
            "residual": (_DIMS, residual, unit),
            "row_effect": (("plate", "well_row"), row, unit),
            "col_effect": (("plate", "well_col"), col, unit),
            "overall": ("plate", overall, unit),
            "remainder": (_DIMS, rest, unit),
            "row_n": (("plate", "well_row"), seen.sum(axis=2)),
            "col_n": (("plate", "well_col"), seen.sum(axis=1)),
            "noise": ("plate", noise, unit),
            "residual_percent": (
                _DIMS,
                100.0 * np.expm1(residual),
                {"units": "%", "long_name": "cell signal against the expected, % (0: as expected)"},
            ),
            "remainder_percent": (
                _DIMS,
                100.0 * np.expm1(rest),
                {"units": "%", "long_name": "the same after the row and column factors"},
            ),
        },
        coords=coords,
    )


def correct_spatial(plates: xr.Dataset, response: str = "response") -> xr.Dataset:
    """Add ``response_corrected``: each well's cell signal divided by its plate's row and
    column factors, re-anchored on the corrected negative controls.

    The raw ``signal`` and ``response`` are kept.  Re-anchoring (the corrected negative
    controls' median back to the vehicle level) matters when controls sit on a dried edge.

    Returns
    -------
    xarray.Dataset
        ``plates`` with ``response_corrected``, ``row_effect`` and ``col_effect``.
    """
    effects = spatial_effects(plates, response)
    kind = plates[response].attrs.get("response_kind", "inhibition")
    row = effects["row_effect"].values
    col = effects["col_effect"].values
    fraction = _viability(np.asarray(plates[response].values, dtype=np.float64), kind)
    role = np.asarray(plates["role"].values)
    cells = np.isin(role, ("sample", "negative"))
    factor = np.exp(row[:, :, None] + col[:, None, :])
    corrected = np.where(cells, fraction / factor, fraction)
    if kind in ("inhibition", "viability"):
        neg = _nanmedian(np.where(role == "negative", corrected, np.nan), axis=(1, 2))
        corrected = np.where(cells, corrected / neg[:, None, None], corrected)
    out = plates.copy()
    attrs = dict(plates[response].attrs, comment="row and column factors removed (median polish)")
    out["response_corrected"] = (_DIMS, _from_viability(corrected, kind), attrs)
    out["row_effect"] = effects["row_effect"]
    out["col_effect"] = effects["col_effect"]
    return out
