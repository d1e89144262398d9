"""Per-block sensitivity as SynergyFinder 3 reports it: IC50, RI, CSS and S.

Definitions (SynergyFinder 3.7, ``R/calculate_sensitivity_score.R``: ``CalculateSensitivity``,
``CalculateRI``, ``CalculateCSS``, ``CalculateIC50``; DrugComb for S), all in % inhibition,
for each drug i of a block (pairs: row drug = 1, column drug = 2):

- **IC50** (``ic50``): the relative IC50 of drug i's single-drug fit (its wells alone and the
  control), capped at its top tested dose (SynergyFinder's reported IC50).
- **RI** (relative inhibition, ``ri``): LL.4 fitted to drug i's single-drug wells at doses
  > 0 only; RI = the mean of the fitted curve over log10 dose between the lowest and the
  highest of those doses (100 × the normalised area: a DSS with threshold 0).  With one dose,
  its response.
- **CSS** (combination sensitivity score) of drug a with drug b at its IC50
  (``css[a, b]``, SynergyFinder's ``css<a>_ic50<b>``): in the wells holding only drugs a and b,
  for each dose of a, fit the curve along b (LL.4, all wells of that slice, b's dose 0
  included) and predict it at b's IC50 (above); with two wells the response at the non-zero
  dose of b, with constant responses that response.  Predictions above 100 are capped at 100
  (SynergyFinder subtracts a random 0–0.01 jitter; we cap deterministically, docs/design.md
  §6.10).  CSS = the RI of those predictions along a's doses.
- **css** (block): the mean of every ``css[a, b]`` (pairs: of the two).
- **S** (DrugComb's synergy from sensitivity): ``s_sum`` = css − Σ_i RI_i, ``s_max`` =
  css − max_i RI_i, ``s_mean`` = css − mean_i RI_i.

``fitter="drc"`` fits as SynergyFinder does (drc's LL.4 with its L.4 fallback; SynergyFinder's
RI falls back to L.4 on log10 dose, ours on ln dose — the same curve family, so only the rare
fallback fits can differ in the last digits); ``"lsq"`` uses the bounded least-squares core.
SynergyFinder rounds RI and CSS to 3 decimals; we do not.  All curves of all blocks go through
one batched fit per step.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.io.layout import flat_doses, flat_values, layout_variables
from synergy.sensitivity.curve import integral_log10

__all__ = ["block_sensitivity", "wells_of"]


def wells_of(screen: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Doses (B, W, N) and replicate-mean responses (B, W) of either layout (flat wells)."""
    from synergy.io.wells import replicate_mean

    observed = replicate_mean(flat_values(screen, "response"))
    return flat_doses(screen), np.ascontiguousarray(observed, dtype=np.float64)


def _curves(mask: np.ndarray, dose: np.ndarray, value: np.ndarray, key: np.ndarray | None = None):
    """Pad the selected (dose, value) points of each curve: (C, P) each.

    Points in ascending dose, or ascending ``key`` (the wells' input order; -1 last) if given.
    """
    row, col = np.nonzero(mask)
    if key is None:
        order = np.lexsort((dose[row, col], row))
    else:
        rank = np.where(key[row, col] >= 0, key[row, col], np.iinfo(np.int64).max)
        order = np.lexsort((dose[row, col], rank, row))
    row, col = row[order], col[order]
    position = np.arange(row.size) - np.searchsorted(row, row)
    width = max(int(position.max(initial=-1)) + 1, 1)
    conc = np.full((mask.shape[0], width), np.nan)
    resp = np.full((mask.shape[0], width), np.nan)
    conc[row, position] = dose[row, col]
    resp[row, position] = value[row, col]
    return conc, resp


def _fit(conc: np.ndarray, resp: np.ndarray, fitter: str) -> np.ndarray:
    """Hill parameters (C, 4) = (ic50, hill_slope, bottom, top); NaN where not fitted."""
    if conc.shape[0] == 0:
        return np.empty((0, 4))
    if fitter == "drc":
        from synergy.hill.drc import fit_drc
        from synergy.hill.model import from_drc

        result = fit_drc(conc, resp)
        return np.stack(from_drc(result.b, result.c, result.d, result.e, log_e=result.l4), -1)
    from synergy.hill import fit

    return np.asarray(fit(conc, resp).params, dtype=np.float64)


def _ri(conc: np.ndarray, resp: np.ndarray, fitter: str) -> np.ndarray:
    """RI of each curve (points at doses > 0): mean fitted effect over log10 dose."""
    positive = np.where(np.isfinite(resp) & (conc > 0), conc, np.nan)
    conc_pos, resp_pos = _curves(np.isfinite(positive), np.nan_to_num(positive), resp)
    n_points = np.isfinite(resp_pos).sum(axis=1)
    out = np.full(conc.shape[0], np.nan)
    single = n_points == 1
    out[single] = resp_pos[single, 0]
    many = np.flatnonzero(n_points >= 2)
    params = _fit(conc_pos[many], resp_pos[many], fitter)
    with np.errstate(divide="ignore", invalid="ignore"):
        u1 = np.log10(np.nanmin(conc_pos[many], axis=1))
        u2 = np.log10(np.nanmax(conc_pos[many], axis=1))
        area = integral_log10(u1, u2, *params.T)
        out[many] = area / (u2 - u1)
    return out


def _predict(params: np.ndarray, dose: np.ndarray) -> np.ndarray:
    from synergy.hill.model import evaluate

    return evaluate(dose, *params.T)


def block_sensitivity(screen: xr.Dataset, *, fitter: str = "drc") -> xr.Dataset:
    """IC50, RI, CSS and S of every block (see the module docstring for the definitions).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (pair or N-drug layout), responses in % inhibition; replicates are averaged
        per well first (SynergyFinder's replicate-mean table).
    fitter : {"drc", "lsq"}
        drc's procedure (SynergyFinder's numbers) or the least-squares Hill core.

    Returns
    -------
    xarray.Dataset
        Pairs: ``ic50_row``, ``ic50_col`` (screen unit), ``ri_row``, ``ri_col``,
        ``css_row`` (the row drug with the column drug at its IC50; SynergyFinder's
        ``css1_ic502``), ``css_col``, ``css``, ``s_sum``, ``s_max``, ``s_mean`` (block,
        % inhibition).  N-drug screens: ``sf_ic50``, ``ri`` (block, drug),
        ``css_pair`` (block, drug, drug_ic50; NaN on the diagonal) and the same block scores.
    """
    if fitter not in ("drc", "lsq"):
        raise SynergyError(f"fitter must be 'drc' or 'lsq', got {fitter!r}")
    conc, observed = wells_of(screen)
    n_block, n_well, n_drug = conc.shape
    # SynergyFinder fits CSS slices in its table's row order (RI and single drugs: ascending)
    input_rank = (
        np.asarray(screen["input_order"].values).reshape(n_block, n_well)
        if "input_order" in screen
        else None
    )
    dose = np.nan_to_num(conc)
    present = np.where(np.isfinite(conc).all(axis=2), (dose > 0).sum(axis=2), -1)
    measured = np.isfinite(observed)
    # single-drug curves, row b·N + i: drug i alone and the control
    alone = ((present == 1)[:, :, None] & (dose > 0)) | (present == 0)[:, :, None]
    alone &= measured[:, :, None]
    flat = np.transpose(alone, (0, 2, 1)).reshape(n_block * n_drug, n_well)
    doses_i = np.transpose(dose, (0, 2, 1)).reshape(n_block * n_drug, n_well)
    values = np.repeat(observed, n_drug, axis=0)
    single_conc, single_resp = _curves(flat, doses_i, values)
    params = _fit(single_conc, single_resp, fitter)
    top_dose = np.nanmax(np.where(np.isfinite(single_resp), single_conc, np.nan), axis=1)
    ic50 = np.minimum(params[:, 0], top_dose).reshape(n_block, n_drug)
    ri = _ri(single_conc, single_resp, fitter).reshape(n_block, n_drug)

    css = np.full((n_block, n_drug, n_drug), np.nan)
    pairs = list(permutations(range(n_drug), 2))
    for a, b in pairs:  # one batched fit per ordered pair of drugs (N is small)
        others = [k for k in range(n_drug) if k not in (a, b)]
        in_pair = measured & (present >= 0)
        if others:
            in_pair &= (dose[:, :, others] == 0).all(axis=2)
        # slices along b at each dose of a: key (block, dose of a)
        levels = [np.unique(dose[i, in_pair[i], a]) for i in range(n_block)]
        width = max((lv.size for lv in levels), default=0)
        if width == 0:
            continue
        level_of = np.full((n_block, width), np.nan)
        for i, lv in enumerate(levels):
            level_of[i, : lv.size] = lv
        member = in_pair[:, None, :] & (dose[:, None, :, a] == level_of[:, :, None])
        member = member.reshape(n_block * width, n_well)
        key = None if input_rank is None else np.repeat(input_rank, width, axis=0)
        s_conc, s_resp = _curves(
            member,
            np.repeat(dose[:, :, b], width, axis=0),
            np.repeat(observed, width, axis=0),
            key,
        )
        n_pts = np.isfinite(s_resp).sum(axis=1)
        pred = np.full(n_block * width, np.nan)
        two = n_pts == 2
        pred[two] = s_resp[two, 1]
        const = (n_pts > 2) & (
            np.nanmax(s_resp, axis=1, initial=-np.inf) == np.nanmin(s_resp, axis=1, initial=np.inf)
        )
        pred[const] = s_resp[const, 0]
        fitted = np.flatnonzero((n_pts > 2) & ~const)
        at = np.repeat(ic50[:, b], width)[fitted]
        pred[fitted] = _predict(_fit(s_conc[fitted], s_resp[fitted], fitter), at)
        pred = np.minimum(pred, 100.0)  # SynergyFinder: 100 minus a 0–0.01 jitter
        css[:, a, b] = _ri(level_of, pred.reshape(n_block, width), fitter)
    with np.errstate(invalid="ignore"):
        css_mean = (
            np.nanmean(np.where(np.eye(n_drug, dtype=bool), np.nan, css), axis=(1, 2))
            if n_drug > 1
            else np.full(n_block, np.nan)
        )
    s_sum = css_mean - ri.sum(axis=1)
    s_max = css_mean - ri.max(axis=1)
    s_mean = css_mean - ri.mean(axis=1)
    return _as_dataset(screen, ic50, ri, css, css_mean, (s_sum, s_max, s_mean), fitter)


def _as_dataset(screen, ic50, ri, css, css_mean, s_scores, fitter) -> xr.Dataset:
    unit = str(screen.attrs.get("conc_unit", ""))
    coords = {"block": screen["block"].values}
    common = {"fitter": fitter, "units": "%"}

    def block_var(values, long_name, **attrs):
        return xr.DataArray(
            values,
            dims=("block",),
            coords=coords,
            attrs={**common, "long_name": long_name, **attrs},
        )

    data = {
        "css": block_var(css_mean, "combination sensitivity score: mean CSS of the drugs"),
        "s_sum": block_var(s_scores[0], "S (DrugComb): css minus the sum of the RIs"),
        "s_max": block_var(s_scores[1], "S_max: css minus the largest RI"),
        "s_mean": block_var(s_scores[2], "S_mean: css minus the mean RI"),
    }
    ic50_attrs = {"long_name": "IC50 capped at the top tested dose (SynergyFinder)", "units": unit}
    data.update(
        layout_variables(
            screen, ic50, pair=("ic50_row", "ic50_col"), wells="sf_ic50", attrs=ic50_attrs
        )
    )
    ri_attrs = {**common, "long_name": "relative inhibition: mean fitted effect, doses > 0"}
    data.update(layout_variables(screen, ri, pair=("ri_row", "ri_col"), wells="ri", attrs=ri_attrs))
    # a pair: each drug's CSS with the other drug at its IC50; N drugs: every pair (i, j)
    other = css[:, [0, 1], [1, 0]]
    other_attrs = {**common, "long_name": "CSS of the drug, the other drug at its IC50"}
    data.update(
        layout_variables(screen, other, pair=("css_row", "css_col"), wells=None, attrs=other_attrs)
    )
    pair_attrs = {**common, "long_name": "CSS of drug with drug_ic50 at its IC50"}
    data.update(
        layout_variables(
            screen,
            css,
            pair=None,
            wells="css_pair",
            extra_dims=("drug_ic50",),
            drug_dims=("drug_ic50",),
            attrs=pair_attrs,
        )
    )
    return xr.Dataset(data)
