"""JSON payloads of the interactive report: the screen overview and each block's detail."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from synergy.io.layout import flat_doses, flat_values
from synergy.plot import dose_interval_text, format_dose, ic50_text, unit_text
from synergy.report._data import (
    CURVE_POINTS,
    NAN_CODE,
    _r,
    _texts,
    b64,
    block_drugs,
    block_statuses,
    explain_all,
    fit_words,
    hill_arrays,
    labels,
    msa_positions,
    score_models,
    score_severities,
    single_drug_doses,
    status_words,
    tenths,
    tested_range,
    width_codes,
)


def _rounded(values: np.ndarray, digits: int = 3) -> list:
    return [_r(v, digits) for v in np.ravel(values)]


def overview(screen: xr.Dataset, models: list[str], order: np.ndarray) -> dict:
    """Columns of the ranked table (one entry per block, in ``order``) and screen facts."""
    drugs = block_drugs(screen)
    params, _, status_names = hill_arrays(screen)
    low, high = tested_range(single_drug_doses(screen))
    words = fit_words(screen, status_names)
    scores = score_models(screen, models)
    reasons = _texts(screen, "status_reason")
    unique_reasons = sorted(set(reasons))
    status = (
        np.asarray(screen["status"].values, int)
        if "status" in screen
        else np.zeros(screen.sizes["block"], int)
    )
    ids = np.asarray(screen["block"].values).astype(str)  # once: item access converts it all
    samples = _texts(screen, "sample")
    rows = []
    for i in order:
        i = int(i)
        ic50 = [ic50_text(params[i, k, 0], low[i, k], high[i, k]) for k in range(len(drugs[i]))]
        fit = [w for w, _ in words[i] if w and w not in ("converged", "ok")]
        rows.append(
            [
                str(ids[i]),
                drugs[i],
                str(samples[i]),
                int(status[i]),
                unique_reasons.index(reasons[i]),
                [[_r(scores[m][key][i], 4) for key in ("score", "low", "high")] for m in models],
                _r(scores[models[0]]["msa"][i], 4),
                ic50,
                ", ".join(sorted(set(fit))) or "good",
                i,
            ]
        )
    return {
        "words": status_words(screen),
        "block": block_statuses(),
        "severity": score_severities(screen, models),
        "models": models,
        "refs": [m for m in models if f"{m}_reference" in screen],
        "labels": labels(models),
        "unit": unit_text(screen.attrs.get("conc_unit", "")),
        "reasons": list(unique_reasons),
        "rows": rows,
    }


def _mean(response: np.ndarray) -> np.ndarray:
    count = np.sum(np.isfinite(response), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.nansum(response, axis=-1) / np.maximum(count, 1), np.nan)


def _panels(arrays: dict, i: int, drugs: list[str], curve_doses: list) -> list[dict]:
    """Block ``i``'s dose panels: rows = first drug, columns = second drug; one panel per
    dose of a third drug (drugs beyond it at dose 0), one panel for a pair.

    A panel's grids travel as one base64 string (:data:`arrays` ``"grids"``, in order);
    a block's one unlabelled panel whose axes are its two curves' doses (a pair's grid)
    travels as its grids alone: the page takes the doses from the curves."""
    keep = arrays["finite"][i]
    conc = arrays["conc"][i][keep]
    codes = arrays["grids"][i][:, keep]  # (G, wells)
    rest = conc[:, 3:] == 0 if conc.shape[1] > 3 else np.ones((conc.shape[0], 0), bool)
    base = rest.all(axis=1)
    levels = np.unique(conc[base, 2]) if conc.shape[1] > 2 else np.array([np.nan])
    panels = []
    for level in levels:
        here = base & (conc[:, 2] == level) if conc.shape[1] > 2 else base
        y_doses, x_doses = np.unique(conc[here, 0]), np.unique(conc[here, 1])
        grid = np.full((codes.shape[0], y_doses.size, x_doses.size), NAN_CODE, dtype="<i2")
        iy = np.searchsorted(y_doses, conc[here, 0])
        ix = np.searchsorted(x_doses, conc[here, 1])
        grid[:, iy, ix] = codes[:, here]
        label = f"{drugs[2]} at {format_dose(level)}" if conc.shape[1] > 2 else ""
        if conc.shape[1] > 3:
            label += f" ({', '.join(drugs[3:])} at 0)"
        shared = (
            levels.size == 1
            and not label
            and len(curve_doses) == 2
            and np.array_equal(y_doses, curve_doses[0])
            and np.array_equal(x_doses, curve_doses[1])
        )
        if shared:
            panels.append({"g": b64(grid)})
        else:
            panels.append(
                {
                    "label": label,
                    "x": _rounded(x_doses, 5),
                    "y": _rounded(y_doses, 5),
                    "g": b64(grid),
                }
            )
    return panels


def _arrays(screen: xr.Dataset, models: list[str]) -> dict[str, np.ndarray]:
    """The screen's variables the payloads read, as numpy arrays with each block's wells
    flat, coded for the page once for all blocks (xarray's item access and per-block
    coding cost more than building a block's payload).

    ``conc`` (B, W, N) doses; ``finite`` (B, W) wells with every dose; ``alone`` (B, W, N)
    the single-drug wells of each drug; ``replicates`` (B, W, K) coded responses;
    ``grids`` (B, G, W) coded panels' layers: the observed mean, the δ of each model, the
    references of the models that have one (the page's ``D.refs``)."""
    conc = flat_doses(screen)
    response = np.asarray(flat_values(screen, "response"), float)
    layers = [_mean(response), *(flat_values(screen, m) for m in models)]
    layers += [flat_values(screen, f"{m}_reference") for m in models if f"{m}_reference" in screen]
    finite = np.isfinite(conc).all(axis=2)
    zero = conc == 0
    others_zero = zero.sum(axis=2, keepdims=True) - zero == conc.shape[2] - 1
    return {
        "ids": np.asarray(screen["block"].values).astype(str),
        "conc": conc,
        "finite": finite,
        "alone": finite[:, :, None] & others_zero,
        "replicates": tenths(response),
        "grids": np.stack([tenths(layer) for layer in layers], axis=1),
    }


def block_payload(models: list[str], i: int, context: dict) -> dict:
    """Everything the page draws for block ``i``: curves, panels, scores, fits, status."""
    drugs = context["drugs"][i]
    params, ci, words = context["params"], context["ci"], context["words"][i]
    low, high = context["low"], context["high"]
    arrays = context["arrays"]
    curves, curve_doses = [], []
    for k in range(len(drugs)):
        alone = arrays["alone"][i, :, k]  # drug k's single-drug wells
        curve_doses.append(arrays["conc"][i, alone, k])
        curve = {
            "x": _rounded(curve_doses[k], 5),
            # replicate responses (dose-major, replicates inner), as the panels' grids
            "y": b64(arrays["replicates"][i, alone]),
            "ic50": ic50_text(params[i, k, 0], low[i, k], high[i, k]),
            "ci": dose_interval_text(ci[i, k, 0], ci[i, k, 1], low[i, k], high[i, k]),
            "p": [_r(params[i, k, 0], 4), _r(params[i, k, 1], 3)]
            + [_r(v, 4) for v in np.round(params[i, k, 2:], 1)],
            "fit": words[k][0],
        }
        if context["has_fit"][i, k]:
            # the fitted curve and its band half-width at CURVE_POINTS log-spaced doses
            # from fx[0] to fx[1]
            grid = context["grid"][i, k]
            curve["fx"] = [_r(grid[0], 5), _r(grid[-1], 5)]
            curve["fy"] = b64(context["fitted"][i, k])
            if context["has_band"][i, k]:
                curve["fb"] = b64(context["half"][i, k])
        curves.append(curve)
    scores = context["scores"]
    return {
        "id": str(arrays["ids"][i]),
        "drugs": drugs,
        "curves": curves,
        "panels": _panels(arrays, i, drugs, curve_doses),
        "scores": {
            m: [_r(scores[m][key][i], 4) for key in ("msa", "max")]
            + [context["model_status"][m][i][0]]
            + [int(v) for v in context["msa_at"][m][i]]
            for m in models
        },
    }


def _curve_bands(
    screen: xr.Dataset, params: np.ndarray, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Doses (B, D, CURVE_POINTS) from the lowest tested dose / 1.5 to the highest × 1.5,
    log-spaced, and every single-drug fit there with its 95 % band's half-width
    (:func:`synergy.hill.band.screen_bands`, all blocks at once; NaN without a fit)."""
    from synergy.hill.band import screen_bands

    with np.errstate(invalid="ignore"):
        grid = np.geomspace(low / 1.5, high * 1.5, CURVE_POINTS, axis=-1)
    if not np.isfinite(params).all(axis=-1).any():  # no fit anywhere (e.g. Bliss only)
        nan = np.full(grid.shape, np.nan)
        return grid, nan, nan.copy()
    fitted, lower, upper = screen_bands(screen, grid)
    return grid, fitted, 0.5 * (upper - lower)


def block_context(screen: xr.Dataset, models: list[str]) -> dict:
    """What every block payload reads, computed once for the screen."""
    params, ci, status_names = hill_arrays(screen)
    low, high = tested_range(single_drug_doses(screen))
    grid, fitted, half = _curve_bands(screen, params, low, high)
    return {
        "arrays": _arrays(screen, models),
        "grid": grid,
        "fitted": tenths(fitted),  # coded for the page, all blocks at once
        "half": width_codes(half),
        "has_fit": np.all(np.isfinite(fitted), axis=-1),
        "has_band": np.any(np.isfinite(half), axis=-1),
        "drugs": block_drugs(screen),
        "params": params,
        "ci": ci,
        "low": low,
        "high": high,
        "words": fit_words(screen, status_names),
        "scores": score_models(screen, models),
        "model_status": {m: explain_all(screen, f"{m}_status") for m in models},
        "msa_at": {m: msa_positions(screen, m) for m in models},
    }


def safe_json(payload: object) -> str:
    """Compact JSON that can sit inside a ``<script>`` element (no ``</``)."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("</", "<\\/")


def script(call: str, payload: object, lead: str = "") -> str:
    """``call(<lead><json>);`` with the JSON safe inside a ``<script>`` element."""
    return f"{call}({lead}{safe_json(payload)});\n"
