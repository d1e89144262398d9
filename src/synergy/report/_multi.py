"""Report pieces of N-drug screens (docs/design.md §1): ranked table, summary, block sections."""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.plot import dose_interval_text, ic50_text, unit_text
from synergy.report._cells import LABELS, figure, score_cell, values
from synergy.report._data import single_drug_doses, tested_range
from synergy.report._html import anchor, dose, esc, number, status_cell, table
from synergy.report._params import flag_word


def is_multi(screen: xr.Dataset) -> bool:
    """Whether the screen is in the N-drug layout (``drug`` dimension)."""
    return "drug" in screen.dims


def drug_names(screen: xr.Dataset, i: int) -> list[str]:
    """The drug names of block ``i``."""
    return [str(v) for v in np.asarray(screen["drug_name"].transpose("block", "drug").values[i])]


def _tested(screen: xr.Dataset, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Lowest positive and highest tested dose of each drug of block ``i``, (D,) each."""
    low, high = tested_range(single_drug_doses(screen.isel(block=[i])))
    return low[0], high[0]


def _doses_text(values: np.ndarray) -> str:
    return " / ".join(dose(v) for v in values)


def ranked_table(screen: xr.Dataset, models: list[str], order: np.ndarray) -> str:
    """The blocks ranked by ``models[0]``'s score: drugs, sample, scores, IC50s, status."""

    ids = values(screen, "block").astype(str)
    unit = unit_text(screen.attrs.get("conc_unit", ""))
    header = ["rank", "block", "drugs", "sample"]
    header += [f"{LABELS.get(m, m)} score" for m in models]
    header += [f"{LABELS.get(models[0], models[0])} max δ", f"IC50s ({unit})", "status", "why"]
    rows = []
    for rank, i in enumerate(order, start=1):
        row = [
            str(rank),
            f'<a href="#{anchor(ids[i])}">{esc(ids[i])}</a>',
            esc(" × ".join(drug_names(screen, i))),
            esc(values(screen, "sample")[i]),
        ]
        row += [score_cell(screen, m, i) for m in models]
        peak = f"{models[0]}_max"
        row.append(number(screen[peak].values[i]) if peak in screen else "–")
        if "hill" in screen:
            low, high = _tested(screen, i)
            ic50 = screen["hill"].values[i, :, 0]
            row.append(esc(" / ".join(map(ic50_text, ic50, low, high))))
        else:
            row.append("–")
        status = int(screen["status"].values[i]) if "status" in screen else 0
        row.append(status_cell(status))
        row.append(f'<span class="reason">{esc(values(screen, "status_reason")[i])}</span>')
        rows.append(row)
    return table(header, rows, text_columns=(1, 2, 3, len(header) - 1))


def summary(screen: xr.Dataset, models: list[str]) -> list[str]:
    """Header lines: size and design of the screen, drugs, samples, scoring, status counts."""

    n = screen.sizes["block"]
    wells = np.isfinite(screen["conc"].transpose("block", "well", "drug").values).all(axis=2)
    names = sorted({name for i in range(n) for name in drug_names(screen, i)})
    samples = sorted(set(values(screen, "sample").astype(str)))
    lines = [
        f"{n} blocks of {screen.sizes['drug']} drugs · up to {int(wells.sum(axis=1).max())} "
        f"dose combinations per block · {screen.sizes.get('replicate', 1)} replicate(s) · doses "
        f"in {esc(unit_text(screen.attrs.get('conc_unit', '?')))} · response: % inhibition",
        "drugs: "
        + esc(", ".join(names[:16]))
        + (" …" if len(names) > 16 else "")
        + " · samples: "
        + esc(", ".join(samples[:12])),
        f"scored: {esc(', '.join(LABELS.get(m, m) for m in models))} (N-drug definitions of "
        "SynergyFinder 3)",
    ]
    if "status" in screen:
        status = np.asarray(screen["status"].values)
        counts = ", ".join(
            f"{int(np.sum(status == c))} {w}" for c, w in ((0, "ok"), (1, "warning"), (2, "failed"))
        )
        lines.append(f"block status: {counts}")
    return lines


def scores_table(screen: xr.Dataset, models: list[str], i: int) -> str:
    """Block ``i``'s scores: score, largest and smallest δ with the doses where they are."""

    names = drug_names(screen, i)
    unit = unit_text(screen.attrs.get("conc_unit", ""))
    where = f"doses ({' / '.join(names)}, {unit})"
    header = ["model", "score (% points)", "max δ", f"max at {where}", "min δ", "min at"]
    header += ["wells", "status"]
    rows = []
    for m in models:

        def get(suffix: str, m: str = m) -> str:
            name = f"{m}_{suffix}"
            return number(screen[name].values[i]) if name in screen else "–"

        def at(suffix: str, m: str = m) -> str:
            name = f"{m}_{suffix}_conc"
            return _doses_text(screen[name].values[i]) if name in screen else "–"

        wells = f"{m}_n_wells"
        rows.append(
            [
                esc(LABELS.get(m, m)),
                score_cell(screen, m, i),
                get("max"),
                at("max"),
                get("min"),
                at("min"),
                str(int(screen[wells].values[i])) if wells in screen else "–",
                esc(flag_word(screen, f"{m}_status", i)),
            ]
        )
    return table(header, rows, text_columns=(0, 3, 5, 7))


def hill_table(screen: xr.Dataset, i: int) -> str:
    """Block ``i``'s single-drug Hill fits, one row per drug ("" without fits)."""
    if "hill" not in screen:
        return ""
    unit = unit_text(screen.attrs.get("conc_unit", ""))
    header = ["drug", f"IC50 ({unit})", "95 % CI", "slope", "bottom (%)", "top (%)", "SSE"]
    extra = [name for name in ("ri",) if name in screen and screen[name].dims == ("block", "drug")]
    header += ["RI (%)" for _ in extra] + ["fit status"]
    rows = []
    low, high = _tested(screen, i)
    for k, name in enumerate(drug_names(screen, i)):
        p = np.asarray(screen["hill"].values[i, k], dtype=np.float64)
        ci = screen["hill_ic50_ci"].values[i, k] if "hill_ic50_ci" in screen else [np.nan] * 2
        meaning = flag_word(screen, "hill_status", (i, k))
        if "hill_model" in screen and int(screen["hill_model"].values[i, k]) == 1:
            meaning += " (L.4 fallback)"
        rows.append(
            [
                esc(name),
                esc(ic50_text(p[0], low[k], high[k])),
                esc(dose_interval_text(ci[0], ci[1], low[k], high[k])),
                number(p[1]),
                number(p[2], 1),
                number(p[3], 1),
                number(screen["hill_sse"].values[i, k], 1) if "hill_sse" in screen else "–",
                *(number(screen[e].values[i, k], 1) for e in extra),
                esc(meaning),
            ]
        )
    return table(header, rows, text_columns=(0, len(header) - 1))


def block_section(screen: xr.Dataset, models: list[str], i: int, dpi: int) -> str:
    """Block ``i``'s section: status, scores, fits, drug curves, a slice grid per model."""
    from synergy import plot

    block_id = str(values(screen, "block")[i])
    title = (
        f"{esc(' × '.join(drug_names(screen, i)))} · {esc(values(screen, 'sample')[i])} "
        f"<span class='small'>(block {esc(block_id)})</span>"
    )
    status = int(screen["status"].values[i]) if "status" in screen else 0
    reason = esc(values(screen, "status_reason")[i])
    parts = [
        f'<section class="block" id="{anchor(block_id)}"><h3>{title}</h3>',
        f"<p>status: {status_cell(status)} <span class='reason'>{reason}</span></p>",
        scores_table(screen, models, i),
        hill_table(screen, i),
        '<div class="figs">',
        figure(lambda: plot.drug_curves(screen, i), "dose–response curves", dpi),
    ]
    n_drug = screen.sizes["drug"]
    if n_drug > 3:
        parts.append(
            f"<p class='small'>{n_drug} drugs: the slices hold drugs 4 … {n_drug} at dose 0 "
            "(synergy.plot.slice_landscapes(..., at={drug: dose}) draws other slices).</p>"
        )
    at = {k: 0.0 for k in range(4, n_drug + 1)}
    for m in models:
        parts.append(
            figure(
                lambda m=m: plot.slice_landscapes(screen, i, m, at=at),
                f"{m} slices through the dose cube",
                dpi,
            )
        )
    parts.append('</div><p class="small"><a href="#top">back to the table</a></p></section>')
    return "\n".join(parts)
