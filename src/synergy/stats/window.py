"""Therapeutic window: leukemic versus normal-cell blocks of the same drug pair (§6.22).

For each leukemic block and each normal block of the same (drug_row, drug_col) pair:

* ``inhibition_difference`` (pair, row, col) = leukemic − normal % inhibition at every well
  of the leukemic grid (% points; positive = the combination hits leukemic cells harder);
* ``<model>_difference`` (pair, row, col) = leukemic δ − normal δ for each scored model;
* ``window`` (pair, row, col): combination wells where ``inhibition_difference > margin``,
  the dose region of selective killing; ``window_fraction`` its share of the combination
  wells, with a bootstrap interval (``window_fraction_low``/``_high``, as below);
* ``selectivity`` (pair) = mean inhibition difference over the combination wells, with a
  bootstrap interval (``selectivity_low``/``_high``): both blocks' replicate means are
  resampled with the keyed draws of :mod:`synergy.stats.bootstrap` (the same draws as the
  blocks' own bootstrap) and the summary recomputed per resample;
* ``<model>_score_difference`` (pair) = leukemic − normal block score, with a normal interval
  from the blocks' bootstrap standard errors (independent blocks) when the screen was scored
  with ``n_boot``;
* ``max_difference`` and its doses ``max_difference_conc_row``/``_conc_col``.

Which blocks are normal is explicit: ``reference=`` (sample names), else the ``sample_kind``
coordinate (``"normal"``).  Grids: when both blocks have the same doses the observed
replicate means are compared well by well (``attrs["method"]``: ``"observed"``).  Otherwise
the normal block is evaluated at the leukemic grid on its *fitted* surface — ZIP's
slice-fitted surface (``zip_fit``) at combination wells, the single-drug Hill fits on the
edges — interpolated bilinearly in log10 dose, never extrapolated (NaN outside the normal
block's tested range); then no selectivity interval is computed (``"fitted"``).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence

import numpy as np
import xarray as xr
from scipy import special

from synergy.errors import SynergyError
from synergy.hill.model import hill_predict
from synergy.models.common import combination_mask, hill_fits, observed_surface
from synergy.stats.bootstrap import resample_means

__all__ = ["therapeutic_window"]


def _normal_mask(scored: xr.Dataset, reference: str | Sequence[str] | None) -> np.ndarray:
    samples = np.asarray(scored["sample"].values).astype(str)
    if reference is not None:
        names = [reference] if isinstance(reference, str) else list(reference)
        unknown = sorted(set(names) - set(samples))
        if unknown:
            raise SynergyError(f"reference sample(s) {unknown} are not in the screen")
        return np.isin(samples, names)
    if "sample_kind" not in scored.coords and "sample_kind" not in scored:
        raise SynergyError(
            "say which samples are normal cells: reference='CD34+' or a 'sample_kind' "
            "coordinate with 'normal'"
        )
    return np.asarray(scored["sample_kind"].values).astype(str) == "normal"


def _interp_log(conc_from: np.ndarray, surface: np.ndarray, conc_to: np.ndarray) -> np.ndarray:
    """Bilinear interpolation in log10 dose of one block's surface at positive doses."""
    rows, cols = conc_from
    to_rows, to_cols = conc_to
    out = np.full((to_rows.size, to_cols.size), np.nan)
    pr, pc = np.isfinite(rows) & (rows > 0), np.isfinite(cols) & (cols > 0)
    lr, lc = np.log10(rows[pr]), np.log10(cols[pc])
    sub = surface[np.ix_(pr, pc)]
    for a, x in enumerate(to_rows):
        for b, y in enumerate(to_cols):
            if not (x > 0 and y > 0):
                continue
            u, v = np.log10(x), np.log10(y)
            if not (lr[0] <= u <= lr[-1] and lc[0] <= v <= lc[-1]):
                continue
            i = min(np.searchsorted(lr, u, side="right") - 1, lr.size - 2)
            j = min(np.searchsorted(lc, v, side="right") - 1, lc.size - 2)
            i, j = max(i, 0), max(j, 0)
            tu = 0.0 if lr.size < 2 else (u - lr[i]) / (lr[i + 1] - lr[i])
            tv = 0.0 if lc.size < 2 else (v - lc[j]) / (lc[j + 1] - lc[j])
            i1, j1 = min(i + 1, lr.size - 1), min(j + 1, lc.size - 1)
            out[a, b] = (
                (1 - tu) * (1 - tv) * sub[i, j]
                + tu * (1 - tv) * sub[i1, j]
                + (1 - tu) * tv * sub[i, j1]
                + tu * tv * sub[i1, j1]
            )
    return out


def _inside(conc: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Doses that are 0 or within the block's tested positive range (no extrapolation)."""
    positive = own[np.isfinite(own) & (own > 0)]
    return (conc == 0) | ((conc >= positive.min()) & (conc <= positive.max()))


def _fitted_at(scored: xr.Dataset, k: int, conc_r: np.ndarray, conc_c: np.ndarray, var: str):
    """Normal block ``k``'s fitted surface (or δ ``var``) at another grid (module docstring)."""
    if "zip_fit" not in scored:
        raise SynergyError(
            "leukemic and normal blocks have different dose grids: score the screen with "
            "'zip' so the normal block's fitted surface (zip_fit) can be evaluated"
        )
    own_r, own_c = scored.conc_row.values[k], scored.conc_col.values[k]
    surface = scored[var].values[k] if var != "inhibition" else scored.zip_fit.values[k]
    out = _interp_log((own_r, own_c), surface, (conc_r, conc_c))
    if var == "inhibition":  # edges from the single-drug Hill fits, exactly
        par_r, l4_r = hill_fits(scored.isel(block=[k]), "row")
        par_c, l4_c = hill_fits(scored.isel(block=[k]), "col")
        inside_r = _inside(conc_r, own_r)
        inside_c = _inside(conc_c, own_c)
        out[:, 0] = np.where(inside_r, hill_predict(conc_r[None], par_r, l4_r)[0], np.nan)
        out[0, :] = np.where(inside_c, hill_predict(conc_c[None], par_c, l4_c)[0], np.nan)
    else:
        out[:, 0] = 0.0
        out[0, :] = 0.0
    return out


def therapeutic_window(
    scored: xr.Dataset,
    reference: str | Sequence[str] | None = None,
    *,
    margin: float = 20.0,
    ci: float = 0.95,
    n_boot: int | None = None,
    seed: int | None = None,
) -> xr.Dataset:
    """Leukemic-versus-normal comparison of every drug pair (see the module docstring).

    Parameters
    ----------
    scored : xarray.Dataset
        A screen scored by :func:`synergy.score` (any models; with ``n_boot`` the score
        differences get intervals).
    reference : str or sequence of str, optional
        Sample name(s) of the normal cells; default: ``sample_kind == "normal"``.
    margin : float
        % points by which leukemic inhibition must exceed normal inhibition for a well to
        be in the window.
    ci : float
        Interval level.
    n_boot, seed : int, optional
        Resamples and seed of the selectivity interval; default: the scoring's own
        (``attrs["scoring"]``), else 200 and 0.  ``n_boot=0``: no interval.

    Returns
    -------
    xarray.Dataset
        Dims ``pair``, ``row``, ``col``; coords ``block``, ``reference_block``, ``drug_row``,
        ``drug_col``, ``sample``, ``reference_sample``, ``conc_row``, ``conc_col`` (leukemic
        grid); the variables of the module docstring; ``attrs["method"]`` per pair in
        ``grid_method`` ("observed" or "fitted").
    """
    normal = _normal_mask(scored, reference)
    settings = json.loads(scored.attrs.get("scoring", "{}"))
    n_boot = int(settings.get("n_boot") or 200) if n_boot is None else int(n_boot)
    seed = int(settings.get("seed") or 0) if seed is None else int(seed)
    models = [m for m in ("bliss", "hsa", "loewe", "zip") if f"{m}_score" in scored]
    drug_r = np.asarray(scored.drug_row.values).astype(str)
    drug_c = np.asarray(scored.drug_col.values).astype(str)
    ids = np.asarray(scored.block.values).astype(str)
    pairs = [
        (i, k)
        for i in np.flatnonzero(~normal)
        for k in np.flatnonzero(normal)
        if drug_r[i] == drug_r[k] and drug_c[i] == drug_c[k]
    ]
    if not pairs:
        raise SynergyError("no drug pair was tested in both a leukemic and a normal sample")
    leuk, norm = (np.array(v) for v in zip(*pairs, strict=True))
    observed = observed_surface(scored)
    conc_r = scored.conc_row.values[leuk]
    conc_c = scored.conc_col.values[leuk]
    same = np.array([
        np.array_equal(scored.conc_row.values[i], scored.conc_row.values[k], equal_nan=True)
        and np.array_equal(scored.conc_col.values[i], scored.conc_col.values[k], equal_nan=True)
        for i, k in pairs
    ])  # fmt: skip
    normal_inh = np.where(same[:, None, None], observed[norm], np.nan)
    normal_delta = {
        m: np.where(same[:, None, None], scored[m].values[norm], np.nan) for m in models
    }
    for p in np.flatnonzero(~same):
        normal_inh[p] = _fitted_at(scored, norm[p], conc_r[p], conc_c[p], "inhibition")
        for m in models:
            normal_delta[m][p] = _fitted_at(scored, norm[p], conc_r[p], conc_c[p], m)
    combo = combination_mask(conc_r, conc_c)
    diff = observed[leuk] - normal_inh
    data = {
        "inhibition_difference": (("pair", "row", "col"), diff, {"units": "%"}),
        "window": (("pair", "row", "col"), combo & (diff > margin), {"margin": margin}),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        n_combo = (combo & np.isfinite(diff)).sum(axis=(1, 2))
        selectivity = np.nanmean(np.where(combo, diff, np.nan), axis=(1, 2))
    data["window_fraction"] = ("pair", data["window"][1].sum(axis=(1, 2)) / n_combo)
    data["selectivity"] = ("pair", selectivity, {"units": "%"})
    flat = np.where(combo & np.isfinite(diff), diff, -np.inf).reshape(len(pairs), -1)
    best = flat.argmax(axis=1)
    rr, cc = np.unravel_index(best, diff.shape[1:])
    found = np.isfinite(flat.max(axis=1))
    data["max_difference"] = ("pair", np.where(found, flat.max(axis=1), np.nan), {"units": "%"})
    data["max_difference_conc_row"] = (
        "pair",
        np.where(found, conc_r[np.arange(len(pairs)), rr], np.nan),
    )
    data["max_difference_conc_col"] = (
        "pair",
        np.where(found, conc_c[np.arange(len(pairs)), cc], np.nan),
    )
    bounds = np.full((4, len(pairs)), np.nan)
    if n_boot >= 2 and same.any():
        bounds = _selectivity_interval(scored, leuk, norm, combo, same, n_boot, seed, ci, margin)
    data["selectivity_low"] = ("pair", bounds[0], {"units": "%"})
    data["selectivity_high"] = ("pair", bounds[1], {"units": "%"})
    data["window_fraction_low"] = ("pair", bounds[2])
    data["window_fraction_high"] = ("pair", bounds[3])
    z = special.ndtri(0.5 + ci / 2)
    for m in models:
        data[f"{m}_difference"] = (("pair", "row", "col"), scored[m].values[leuk] - normal_delta[m])
        s = scored[f"{m}_score"].values
        data[f"{m}_score_difference"] = ("pair", s[leuk] - s[norm], {"units": "%"})
        if f"{m}_score_se" in scored:
            se = scored[f"{m}_score_se"].values
            err = np.hypot(se[leuk], se[norm])
            data[f"{m}_score_difference_low"] = ("pair", s[leuk] - s[norm] - z * err)
            data[f"{m}_score_difference_high"] = ("pair", s[leuk] - s[norm] + z * err)
    coords = {
        "block": ("pair", ids[leuk]),
        "reference_block": ("pair", ids[norm]),
        "drug_row": ("pair", drug_r[leuk]),
        "drug_col": ("pair", drug_c[leuk]),
        "sample": ("pair", np.asarray(scored["sample"].values).astype(str)[leuk]),
        "reference_sample": ("pair", np.asarray(scored["sample"].values).astype(str)[norm]),
        "grid_method": ("pair", np.where(same, "observed", "fitted")),
        "conc_row": (("pair", "row"), conc_r),
        "conc_col": (("pair", "col"), conc_c),
    }
    method = (
        "observed: same dose grid, replicate means compared well by well; fitted: normal "
        "block's zip_fit (combinations) and Hill fits (edges) interpolated bilinearly in "
        "log10 dose at the leukemic grid, no extrapolation, no selectivity interval"
    )
    attrs = {"method": method, "margin": margin, "ci": ci, "n_boot": n_boot, "seed": seed,
             "conc_unit": str(scored.attrs.get("conc_unit", ""))}  # fmt: skip
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _selectivity_interval(scored, leuk, norm, combo, same, n_boot, seed, ci, margin):
    """Percentile intervals of the selectivity and the window fraction from keyed resamples
    of both blocks' means: ``(sel_low, sel_high, frac_low, frac_high)``, each (pairs,)."""
    response = scored["response"].transpose("block", "row", "col", "replicate").values
    conc_r, conc_c = scored.conc_row.values, scored.conc_col.values
    ids = np.asarray(scored.block.values).astype(str)
    used = np.unique(np.r_[leuk, norm])
    means, noise = resample_means(
        response[used], conc_r[used], conc_c[used], list(ids[used]), n_boot, seed
    )
    where = {b: k for k, b in enumerate(used)}
    li = np.array([where[b] for b in leuk])
    ni = np.array([where[b] for b in norm])
    diff = means[li] - means[ni]  # (pairs, n_boot, R, C)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        use = combo[:, None] & np.isfinite(diff)
        sel = np.nanmean(np.where(use, diff, np.nan), axis=(2, 3))
        frac = (use & (diff > margin)).sum(axis=(2, 3)) / use.sum(axis=(2, 3))
        qs = [(1 - ci) / 2, (1 + ci) / 2]
        out = np.concatenate([np.nanquantile(sel, qs, axis=1), np.nanquantile(frac, qs, axis=1)])
    ok = same & (noise[li] != 2) & (noise[ni] != 2)
    return np.where(ok[None], out, np.nan)
