"""Assemble the report of a scored screen: summary, ranked block table, per-block sections."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.io.layout import is_multi, n_drugs, require_pair
from synergy.report._cells import LABELS, figure, scored_models, values
from synergy.report._data import block_drugs
from synergy.report._glossary import glossary_html
from synergy.report._html import anchor, esc, page, status_cell
from synergy.report._params import parametric_table
from synergy.report._plates import plate_qc_section
from synergy.report._tables import hill_table, ranked_table, scores_table, summary

EXTRA_FIGURES = ("plate_qc", "isobologram", "landscape_3d")


def block_figures(screen: xr.Dataset, models: list[str], i: int, dpi: int, extra: tuple) -> list:
    """Block ``i``'s figures: the curves of its drugs, then per layout the dose–response
    matrix, the landscapes and the therapeutic window (pairs) or the δ slices through the
    dose cube (N-drug blocks), then the ``extra`` figures (pairs).

    The one place of the faces (report, plot, accessor) that branches on the layout
    (docs/design.md §16.2): everything else reads a screen through the layout-neutral
    views of :mod:`synergy.io.layout`.
    """
    from synergy import plot

    if is_multi(screen):
        parts = [figure(lambda: plot.drug_curves(screen, i), "dose–response curves", dpi)]
        n_drug = n_drugs(screen)
        if n_drug > 3:
            parts.append(
                f"<p class='small'>{n_drug} drugs: the slices hold drugs 4 … {n_drug} at dose 0 "
                "(synergy.plot.slice_landscapes(..., at={drug: dose}) draws other slices).</p>"
            )
        at = {k: 0.0 for k in range(4, n_drug + 1)}
        return parts + [
            figure(
                lambda m=m: plot.slice_landscapes(screen, i, m, at=at),
                f"{m} slices through the dose cube",
                dpi,
            )
            for m in models
        ]
    parts = [
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
    return parts


def _block_section(
    screen: xr.Dataset, models: list[str], i: int, dpi: int, extra: tuple[str, ...] = ()
) -> str:
    """Block ``i``'s section: status, scores, fits, MuSyC / CI results, figures."""
    block_id = str(values(screen, "block").astype(str)[i])
    drugs = block_drugs(screen)[i]
    title = (
        f"{esc(' × '.join(drugs))} · {esc(values(screen, 'sample')[i])} "
        f"<span class='small'>(block {esc(block_id)})</span>"
    )
    status = int(screen["status"].values[i]) if "status" in screen else 0
    reason = esc(values(screen, "status_reason")[i])
    parts = [
        f'<section class="block" id="{anchor(block_id)}"><h3>{title}</h3>',
        f"<p>status: {status_cell(status)} <span class='reason'>{reason}</span></p>",
        scores_table(screen, models, i, drugs),
        hill_table(screen, i, drugs),
        parametric_table(screen, i),
        '<div class="figs">',
        *block_figures(screen, models, i, dpi, extra),
        '</div><p class="small"><a href="#top">back to the table</a></p></section>',
    ]
    return "\n".join(parts)


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
    if extra:
        require_pair(
            screen,
            f"extra figure(s) {', '.join(extra)}",
            "these draw drug pairs; an N-drug report has the drug curves and the δ slices of "
            "every model",
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
    sections = [_block_section(screen, models, int(i), dpi, tuple(extra)) for i in shown]
    ranked = ranked_table(screen, models, order)
    legend = (
        "MSA: most synergistic area, the mean δ of the 3×3 square of adjacent doses with "
        "the highest mean (the box on the landscapes); max δ: the largest δ of a well. "
        "IC50: midpoint of each drug's Hill fit, '> top dose' beyond the tested doses."
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
        *summary(screen, models),
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
