"""Assemble the report of a scored screen: summary, ranked block table, per-block sections."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy.errors import SynergyError
from synergy.plot import dose_interval_text, ic50_text, unit_text
from synergy.report import _multi
from synergy.report._cells import LABELS, figure, score_cell, scored_models, values
from synergy.report._glossary import glossary_html
from synergy.report._html import anchor, esc, number, page, status_cell, table
from synergy.report._params import parametric_table
from synergy.report._plates import plate_qc_section


def _ranked_table(screen: xr.Dataset, models: list[str], order: np.ndarray) -> str:
    ids = values(screen, "block").astype(str)
    unit = unit_text(screen.attrs.get("conc_unit", ""))
    header = ["rank", "block", "row drug", "column drug", "sample"]
    header += [f"{LABELS.get(m, m)} score" for m in models]
    header += [f"{LABELS.get(models[0], models[0])} MSA", f"IC50 row ({unit})"]
    header += [f"IC50 col ({unit})", "status", "why"]
    rows = []
    for rank, i in enumerate(order, start=1):
        row = [
            str(rank),
            f'<a href="#{anchor(ids[i])}">{esc(ids[i])}</a>',
            esc(values(screen, "drug_row")[i]),
            esc(values(screen, "drug_col")[i]),
            esc(values(screen, "sample")[i]),
        ]
        row += [score_cell(screen, m, i) for m in models]
        msa = f"{models[0]}_msa"
        row.append(number(screen[msa].values[i]) if msa in screen else "–")
        for side in ("row", "col"):
            name = f"hill_{side}"
            low, high = _tested(screen, side, i)
            row.append(ic50_text(screen[name].values[i, 0], low, high) if name in screen else "–")
        status = int(screen["status"].values[i]) if "status" in screen else 0
        row.append(status_cell(status))
        row.append(f'<span class="reason">{esc(values(screen, "status_reason")[i])}</span>')
        rows.append(row)
    return table(header, rows, text_columns=(1, 2, 3, 4, len(header) - 1))


def _tested(screen: xr.Dataset, side: str, i: int) -> tuple[float, float]:
    """Lowest positive and highest tested dose of block ``i``'s ``side`` drug."""
    doses = np.asarray(screen[f"conc_{side}"].values[i], dtype=np.float64)
    positive = doses[np.isfinite(doses) & (doses > 0)]
    return (float(positive.min()), float(positive.max())) if positive.size else (np.nan, np.nan)


def _scores_table(screen: xr.Dataset, models: list[str], i: int) -> str:
    header = ["model", "score (% points)", "p-value", "MSA", "max δ", "min δ", "wells", "status"]
    rows = []
    for m in models:

        def get(suffix: str, digits: int = 2, m: str = m) -> str:
            name = f"{m}_{suffix}"
            return number(screen[name].values[i], digits) if name in screen else "–"

        status = f"{m}_status"
        meaning = "–"
        if status in screen:
            code = int(screen[status].values[i])
            word = status_codes.decode(screen[status].attrs).get(code, f"code_{code}")
            meaning = "ok" if code == 0 else f"{status_codes.explain(word)} ({word})"
        wells = f"{m}_n_wells"
        rows.append(
            [
                esc(LABELS.get(m, m)),
                score_cell(screen, m, i),
                get("pvalue", 3),
                get("msa"),
                get("max"),
                get("min"),
                str(int(screen[wells].values[i])) if wells in screen else "–",
                esc(meaning),
            ]
        )
    return table(header, rows, text_columns=(0, 7))


def _hill_table(screen: xr.Dataset, i: int) -> str:
    unit = unit_text(screen.attrs.get("conc_unit", ""))
    header = [
        "drug",
        f"IC50 ({unit})",
        "95 % CI",
        "slope",
        "bottom (%)",
        "top (%)",
        "SSE",
        "fit quality",
    ]
    rows = []
    for side, drug in (("row", "drug_row"), ("col", "drug_col")):
        name = f"hill_{side}"
        if name not in screen:
            continue
        p = np.asarray(screen[name].values[i], dtype=np.float64)
        ci_name = f"{name}_ic50_ci"
        ci = screen[ci_name].values[i] if ci_name in screen else [np.nan, np.nan]
        status = f"{name}_status"
        meaning = "–"
        if status in screen:
            code = int(screen[status].values[i])
            word = status_codes.decode(screen[status].attrs).get(code, f"code_{code}")
            meaning = status_codes.explain(word)
            meaning = "good" if code == 0 else f"{meaning} ({word})"
        model = f"{name}_model"
        if model in screen and int(screen[model].values[i]) == 1:
            meaning += " (L.4 fallback)"
        sse = f"{name}_sse"
        low, high = _tested(screen, side, i)
        rows.append(
            [
                esc(values(screen, drug)[i]),
                esc(ic50_text(p[0], low, high)),
                esc(dose_interval_text(ci[0], ci[1], low, high)),
                number(p[1]),
                number(p[2], 1),
                number(p[3], 1),
                number(screen[sse].values[i], 1) if sse in screen else "–",
                esc(meaning),
            ]
        )
    return table(header, rows, text_columns=(0, 7))


EXTRA_FIGURES = ("plate_qc", "isobologram", "landscape_3d")


def _block_section(
    screen: xr.Dataset, models: list[str], i: int, dpi: int, extra: tuple[str, ...] = ()
) -> str:
    from synergy import plot

    ids = values(screen, "block").astype(str)
    block_id = ids[i]
    title = (
        f"{esc(values(screen, 'drug_row')[i])} × {esc(values(screen, 'drug_col')[i])} · "
        f"{esc(values(screen, 'sample')[i])} <span class='small'>(block {esc(block_id)})</span>"
    )
    status = int(screen["status"].values[i]) if "status" in screen else 0
    reason = esc(values(screen, "status_reason")[i])
    parts = [
        f'<section class="block" id="{anchor(block_id)}"><h3>{title}</h3>',
        f"<p>status: {status_cell(status)} <span class='reason'>{reason}</span></p>",
        _scores_table(screen, models, i),
        _hill_table(screen, i),
        parametric_table(screen, i),
        '<div class="figs">',
        figure(lambda: plot.dose_response(screen, i), "dose–response curves", dpi),
        figure(lambda: plot.response_matrix(screen, i), "dose–response matrix", dpi),
        figure(
            lambda: plot.landscapes(screen, i, tuple(models), ncols=4), "synergy landscapes", dpi
        ),
    ]
    kinds = values(screen, "sample_kind").astype(str)
    if kinds[i] not in ("", "normal"):
        from synergy.window import find_normal_block

        if find_normal_block(screen, i) is not None:
            parts.append(
                figure(
                    lambda: plot.therapeutic_window(screen, i, models[0]),
                    "therapeutic window",
                    dpi,
                )
            )
    for name in extra:
        make = getattr(plot, name)
        args = (screen, i, models[0]) if name == "landscape_3d" else (screen, i)
        parts.append(figure(lambda make=make, args=args: make(*args), name, dpi))
    parts.append('</div><p class="small"><a href="#top">back to the table</a></p></section>')
    return "\n".join(parts)


def _summary(screen: xr.Dataset, models: list[str]) -> list[str]:
    n = screen.sizes["block"]
    unique = {
        name: sorted(set(values(screen, name).astype(str)))
        for name in ("drug_row", "drug_col", "sample")
    }
    lines = [
        f"{n} blocks · {screen.sizes['row']}×{screen.sizes['col']} dose grid (largest) · "
        f"{screen.sizes.get('replicate', 1)} replicate(s) · doses in "
        f"{esc(unit_text(screen.attrs.get('conc_unit', '?')))} · response: % inhibition",
        "row drugs: "
        + esc(", ".join(unique["drug_row"][:12]))
        + (" …" if len(unique["drug_row"]) > 12 else "")
        + " · column drugs: "
        + esc(", ".join(unique["drug_col"][:12]))
        + " · samples: "
        + esc(", ".join(unique["sample"][:12])),
    ]
    try:
        scoring = json.loads(str(screen.attrs.get("scoring", "{}")))
    except json.JSONDecodeError:
        scoring = {}
    if scoring:
        how = [f"{scoring[k]} {k}" for k in ("convention", "fitter") if scoring.get(k)]
        if scoring.get("n_boot"):
            how.append(f"{scoring['n_boot']} bootstrap resamples for the CIs")
        lines.append(
            f"scored: {esc(', '.join(LABELS.get(m, m) for m in models))}"
            + (f" ({esc(', '.join(how))})" if how else "")
        )
    if "status" in screen:
        status = np.asarray(screen["status"].values)
        counts = ", ".join(
            f"{int(np.sum(status == c))} {w}" for c, w in ((0, "ok"), (1, "warning"), (2, "failed"))
        )
        lines.append(f"block status: {counts}")
    return lines


def _prepare(screen: xr.Dataset, rank_by: str | None, title: str | None) -> tuple[list, str]:
    """Scored models (ranking model first) and the page title; errors in words."""
    models = scored_models(screen)
    if not models:
        raise SynergyError("the screen holds no synergy scores: run synergy.score first")
    if rank_by is not None:
        if rank_by not in models:
            raise SynergyError(f"rank_by={rank_by!r} is not scored (scored: {', '.join(models)})")
        models = [rank_by, *(m for m in models if m != rank_by)]
    if title is None:
        try:
            title = json.loads(str(screen.attrs.get("provenance", "{}"))).get("description")
        except (json.JSONDecodeError, AttributeError):
            title = None
        title = title or "synergy report"
    return models, title


def render_report(
    screen: xr.Dataset,
    *,
    title: str | None = None,
    rank_by: str | None = None,
    max_blocks: int = 60,
    dpi: int = 72,
    extra: tuple[str, ...] = (),
) -> str:
    """The HTML report of a scored screen, as one self-contained string.

    Holds the screen summary, the blocks ranked by a synergy score (table with links), the
    screen overview figure and, for the ``max_blocks`` best-ranked blocks, a section with
    the scores (with CIs and p-values when present), the Hill fits and their status, and
    the figures (dose–response curves, response matrix, landscapes of every scored model,
    the therapeutic window where a normal-cell block of the same pair exists), and
    MuSyC's β and log α and Chou–Talalay's CI when the screen holds them.  N-drug screens
    (docs/design.md §1) get the same page with each drug's curve and, per model, the δ
    slices through the dose cube (:func:`synergy.plot.slice_landscapes`; drugs beyond the
    third held at dose 0).  Figures are base64 PNGs; the page loads nothing from the
    network.

    Parameters
    ----------
    screen : xarray.Dataset
        A scored screen (:func:`synergy.score`).
    title : str, optional
        Page title (default: from the provenance's description, else "synergy report").
    rank_by : str, optional
        Model whose score ranks the blocks (default: the first scored of ZIP, Bliss, HSA,
        Loewe).
    max_blocks : int, default 60
        Blocks that get a section (the rest are in the table only; the page says so).
    dpi : int, default 72
        Resolution of the embedded figures.
    extra : tuple of str, default ()
        More figures per block, any of ``"plate_qc"``, ``"isobologram"``,
        ``"landscape_3d"`` (of the ranking model); drug pairs only.

    Returns
    -------
    str
        The HTML page.
    """
    from synergy import plot

    unknown = [name for name in extra if name not in EXTRA_FIGURES]
    if unknown:
        raise SynergyError(
            f"unknown extra figure(s) {', '.join(unknown)}; choose from {', '.join(EXTRA_FIGURES)}"
        )
    multi = _multi.is_multi(screen)
    if multi and extra:
        raise SynergyError(
            f"extra figure(s) {', '.join(extra)} draw drug pairs; an N-drug report has the drug "
            "curves and the δ slices of every model"
        )
    models, title = _prepare(screen, rank_by, title)
    started = time.perf_counter()
    scores = np.asarray(screen[f"{models[0]}_score"].values, dtype=np.float64)
    order = np.argsort(-np.nan_to_num(scores, nan=-np.inf), kind="stable")
    by = "sample" if "sample" in screen.coords else None
    overview = figure(
        lambda: plot.screen_overview(screen, models[0], by=by), "screen overview", dpi
    )
    shown = order[:max_blocks]
    if multi:
        sections = [_multi.block_section(screen, models, int(i), dpi) for i in shown]
        ranked = _multi.ranked_table(screen, models, order)
        legend = "max δ: the largest δ of a well. IC50s: relative IC50 of each drug's Hill fit."
    else:
        sections = [_block_section(screen, models, int(i), dpi, tuple(extra)) for i in shown]
        ranked = _ranked_table(screen, models, order)
        legend = (
            "MSA: most synergistic area, the mean δ of the 3×3 square of adjacent doses with "
            "the highest mean (the box on the landscapes). IC50: midpoint of the Hill fit, "
            "'> top dose' beyond the tested doses."
        )
    note = ""
    if len(order) > len(shown):
        note = (
            f"<p class='small'>Sections for the {len(shown)} best-ranked blocks; the other "
            f"{len(order) - len(shown)} are in the table only (max_blocks).</p>"
        )
    body = "\n".join(
        [
            '<h2 id="top">Blocks ranked by '
            f"{esc(LABELS.get(models[0], models[0]))} synergy score</h2>",
            "<p class='small'>Scores: mean δ over the combination wells (% points; > 0 "
            f"synergy); CIs in brackets when the screen holds them. {legend}</p>",
            ranked,
            f'<div class="figs">{overview}</div>',
            plate_qc_section(screen),
            "<h2>Blocks</h2>",
            note,
            *sections,
            glossary_html(),
        ]
    )
    from synergy._version import __version__

    elapsed = time.perf_counter() - started
    subtitle = [
        *(_multi.summary(screen, models) if multi else _summary(screen, models)),
        f"synergy {esc(__version__)} · rendered in {elapsed:.1f} s",
    ]
    return page(title, subtitle, body)


def write_report(screen: xr.Dataset, path: str | Path, **kwargs) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8) and return the path.

    Parameters
    ----------
    screen : xarray.Dataset
        A scored screen.
    path : str or Path
        The ``.html`` file to write.
    **kwargs
        Passed to :func:`render_report`.
    """
    out = Path(path)
    out.write_text(render_report(screen, **kwargs), encoding="utf-8")
    return out
