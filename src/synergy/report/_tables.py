"""Tables and header lines of the static report, one code path for pair and N-drug screens.

A block is a list of drugs (:func:`synergy.report._data.block_drugs`) with one single-drug
fit each (:func:`synergy.report._data.per_drug`); the columns a screen does not hold (MSA,
p-values, the doses of the largest δ, RI) are left out rather than switched on the layout.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy.io.layout import fit_variables, flat_doses, n_drugs, per_drug_values
from synergy.plot import dose_interval_text, ic50_text, unit_text
from synergy.report._cells import LABELS, score_cell, values
from synergy.report._data import (
    block_drugs,
    hill_arrays,
    per_drug,
    single_drug_doses,
    tested_range,
)
from synergy.report._html import anchor, dose, esc, number, status_cell, table

__all__ = ["hill_table", "ranked_table", "scores_table", "summary"]


def _explained(screen: xr.Dataset, name: str, code: float, ok: str = "ok") -> str:
    """Status ``code`` of the variable ``name`` in words with its flag word:
    ``explanation (word)``; ``ok`` for 0, ``–`` when the screen does not hold ``name``."""
    if name not in screen:
        return "–"
    word = status_codes.decode(screen[name].attrs).get(int(code), f"code_{int(code)}")
    return ok if int(code) == 0 else f"{status_codes.explain(word)} ({word})"


def ranked_table(screen: xr.Dataset, models: list[str], order: np.ndarray) -> str:
    """The blocks ranked by ``models[0]``'s score: drugs, sample, scores, MSA (or the
    largest δ where there is no MSA), each drug's IC50, status and why."""
    ids = values(screen, "block").astype(str)
    samples, reasons = values(screen, "sample"), values(screen, "status_reason")
    drugs = block_drugs(screen)
    params, _, _ = hill_arrays(screen)
    low, high = tested_range(single_drug_doses(screen))
    unit = unit_text(screen.attrs.get("conc_unit", ""))
    label = LABELS.get(models[0], models[0])
    peak, peak_name = f"{models[0]}_msa", f"{label} MSA"
    if peak not in screen:
        peak, peak_name = f"{models[0]}_max", f"{label} max δ"
    header = ["rank", "block", "drugs", "sample", *(f"{LABELS.get(m, m)} score" for m in models)]
    header += [peak_name, f"IC50s ({unit})", "status", "why"]
    status = values(screen, "status") if "status" in screen else np.zeros(len(ids), int)
    rows = []
    for rank, i in enumerate(order, start=1):
        ic50 = [ic50_text(params[i, k, 0], low[i, k], high[i, k]) for k in range(len(drugs[i]))]
        rows.append(
            [
                str(rank),
                f'<a href="#{anchor(ids[i])}">{esc(ids[i])}</a>',
                esc(" × ".join(drugs[i])),
                esc(samples[i]),
                *(score_cell(screen, m, i) for m in models),
                number(screen[peak].values[i]) if peak in screen else "–",
                esc(" / ".join(ic50)) if np.isfinite(params[i, :, 0]).any() else "–",
                status_cell(int(status[i])),
                f'<span class="reason">{esc(reasons[i])}</span>',
            ]
        )
    return table(header, rows, text_columns=(1, 2, 3, len(header) - 1))


def summary(screen: xr.Dataset, models: list[str]) -> list[str]:
    """Header lines: size and design of the screen, drugs, samples, scoring, status counts."""
    n = screen.sizes["block"]
    unit = esc(unit_text(screen.attrs.get("conc_unit", "?")))
    reps = screen.sizes.get("replicate", 1)
    drugs = block_drugs(screen)
    names = sorted({name for row in drugs for name in row})
    samples = sorted(set(values(screen, "sample").astype(str)))
    doses = int(np.isfinite(single_drug_doses(screen)).sum(axis=2).max(initial=0))
    wells = int(np.isfinite(flat_doses(screen)).all(axis=2).sum(axis=1).max(initial=0))
    design = (
        f"{n} blocks of {n_drugs(screen)} drugs · up to {doses} doses of a drug (0 included) "
        f"and {wells} dose combinations per block"
    )
    lines = [
        f"{design} · {reps} replicate(s) · doses in {unit} · response: % inhibition",
        "drugs: "
        + esc(", ".join(names[:16]))
        + (" …" if len(names) > 16 else "")
        + " · samples: "
        + esc(", ".join(samples[:12])),
    ]
    try:
        scoring = json.loads(str(screen.attrs.get("scoring", "{}")))
    except json.JSONDecodeError:
        scoring = {}
    how = [f"{scoring[k]} {k}" for k in ("convention", "fitter") if scoring.get(k)]
    if scoring.get("n_boot"):
        how.append(f"{scoring['n_boot']} bootstrap resamples for the CIs")
    lines.append(
        f"scored: {esc(', '.join(LABELS.get(m, m) for m in models))}"
        + (f" ({esc(', '.join(how))})" if how else "")
    )
    if "status" in screen:
        status = np.asarray(screen["status"].values)
        words = status_codes.meanings("block")
        counts = ", ".join(f"{int(np.sum(status == c))} {w}" for c, w in sorted(words.items()))
        lines.append(f"block status: {counts}")
    return lines


def scores_table(screen: xr.Dataset, models: list[str], i: int, drugs: list[str]) -> str:
    """Block ``i``'s scores: score, p-value, MSA, largest and smallest δ (with their doses
    when the screen records them), scored wells and the status in words."""
    unit = unit_text(screen.attrs.get("conc_unit", ""))
    has = {s: any(f"{m}_{s}" in screen for m in models) for s in ("pvalue", "msa", "max_conc")}
    header = ["model", "score (% points)"] + (["p-value"] if has["pvalue"] else [])
    header += (["MSA"] if has["msa"] else []) + ["max δ"]
    header += [f"max at ({' / '.join(drugs)}, {unit})"] if has["max_conc"] else []
    header += ["min δ"] + (["min at"] if has["max_conc"] else []) + ["wells", "status"]
    rows = []
    for m in models:

        def get(suffix: str, digits: int = 2, m: str = m) -> str:
            name = f"{m}_{suffix}"
            return number(screen[name].values[i], digits) if name in screen else "–"

        def at(suffix: str, m: str = m) -> str:
            name = f"{m}_{suffix}_conc"
            return " / ".join(map(dose, screen[name].values[i])) if name in screen else "–"

        wells = f"{m}_n_wells"
        row = [esc(LABELS.get(m, m)), score_cell(screen, m, i)]
        row += [get("pvalue", 3)] if has["pvalue"] else []
        row += ([get("msa")] if has["msa"] else []) + [get("max")]
        row += [at("max")] if has["max_conc"] else []
        row += [get("min")] + ([at("min")] if has["max_conc"] else [])
        row += [str(int(screen[wells].values[i])) if wells in screen else "–"]
        name = f"{m}_status"
        row += [esc(_explained(screen, name, screen[name].values[i] if name in screen else 0))]
        rows.append(row)
    text = [0, len(header) - 1]
    if has["max_conc"]:  # the doses columns
        text += [header.index("max δ") + 1, header.index("min at")]
    return table(header, rows, text_columns=tuple(text))


def hill_table(screen: xr.Dataset, i: int, drugs: list[str]) -> str:
    """Block ``i``'s single-drug Hill fits, one row per drug ("" without fits)."""
    params, ci, names = hill_arrays(screen)
    if not np.isfinite(params[i]).any() and not any(name in screen for name in names):
        return ""
    low, high = tested_range(single_drug_doses(screen.isel(block=[i])))
    unit = unit_text(screen.attrs.get("conc_unit", ""))
    sse, codes = per_drug(screen, "_sse")[i], per_drug(screen, "_status")[i]
    fallback = per_drug(screen, "_model")[i]
    extra = all(name in screen for name in fit_variables(screen, "ri"))
    ri = per_drug_values(screen, "ri")[i] if extra else None
    header = ["drug", f"IC50 ({unit})", "95 % CI", "slope", "bottom (%)", "top (%)", "SSE"]
    header += (["RI (%)"] if extra else []) + ["fit quality"]
    rows = []
    for k, drug in enumerate(drugs):
        meaning = _explained(screen, names[k], codes[k], ok="good")
        if fallback[k] == 1:
            meaning += " (L.4 fallback)"
        p = params[i, k]
        row = [
            esc(drug),
            esc(ic50_text(p[0], low[0, k], high[0, k])),
            esc(dose_interval_text(ci[i, k, 0], ci[i, k, 1], low[0, k], high[0, k])),
            number(p[1]),
            number(p[2], 1),
            number(p[3], 1),
            number(sse[k], 1),
        ]
        row += [number(ri[k], 1)] if extra else []
        rows.append([*row, esc(meaning)])
    return table(header, rows, text_columns=(0, len(header) - 1))
