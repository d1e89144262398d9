"""Self-contained HTML "benchmark" report of a :class:`synergy.benchmark.BenchmarkResult`.

- :func:`render_benchmark_report` — the page as a string: verdict, per-model summary, the
  benchmark figures (:mod:`synergy.plot`), the blocks beyond tolerance with their evidence,
  blocks without a partner, and which convention / baseline correction reproduces the table;
- :func:`write_benchmark_report` — the page written to a file (``synergy benchmark
  --report``).

Figures are embedded as data-URI PNGs: the page needs no network and no other file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from synergy.report._html import esc, figure_img, number, page, status_cell, table

__all__ = ["render_benchmark_report", "write_benchmark_report"]

_SUMMARY = [
    ("n", "n", 0),
    ("n_missing", "missing", 0),
    ("pearson_r", "Pearson r", 3),
    ("spearman_rho", "Spearman ρ", 3),
    ("mean_abs_diff", "mean |diff|", 3),
    ("median_abs_diff", "median |diff|", 3),
    ("max_abs_diff", "max |diff|", 3),
    ("within_tolerance", "≤ tolerance", 0),
    ("within_1", "≤ 1 point", 0),
    ("bias", "bias", 3),
]


def _interval(row: pd.Series, name: str) -> str:
    low, high = row.get(f"{name}_lower", np.nan), row.get(f"{name}_upper", np.nan)
    if not (np.isfinite(low) and np.isfinite(high)):
        return ""
    return f' <span class="small">[{number(low)}, {number(high)}]</span>'


def _cell(row: pd.Series, key: str, digits: int) -> str:
    value = row[key]
    if key.startswith("within"):
        return "–" if not np.isfinite(value) else f"{100 * value:.0f} %"
    text = number(value, digits)
    if key in ("pearson_r", "spearman_rho"):
        text += _interval(row, key.split("_")[0])
    return text


def summary_table(summary: pd.DataFrame) -> str:
    """The per-model agreement as an HTML table (one row per model)."""
    header = ["model", *(label for _, label, _ in _SUMMARY), "limits of agreement"]
    rows = []
    for model, row in summary.iterrows():
        loa = f"[{number(row.loa_lower, 3)}, {number(row.loa_upper, 3)}]"
        rows.append([esc(model), *(_cell(row, k, d) for k, _, d in _SUMMARY), loa])
    return table(header, rows, text_columns=[0])


def _choice_table(
    title: str, frame: pd.DataFrame | None, key: str, best: dict, ties: dict, kind: str
) -> str:
    if frame is None or frame.empty:
        return ""
    header = ["model", key, "mean |diff|", "max |diff|", "≤ tolerance", "best"]
    rows = [
        [
            esc(r.model),
            esc(getattr(r, key)),
            number(r.mean_abs_diff, 3),
            number(r.max_abs_diff, 3),
            f"{100 * r.within_tolerance:.0f} %" if np.isfinite(r.within_tolerance) else "–",
            esc(best.get(r.model, "")),
        ]
        for r in frame.itertuples()
    ]
    overall = best.get("overall", "?")
    tied = ties.get(f"{kind}:overall")
    overall = esc(f"tie ({' = '.join(tied)})" if overall == "tie" and tied else overall)
    return (
        f"<h3>{esc(title)}</h3>{table(header, rows, text_columns=[0, 1, 5])}"
        f"<p>overall: <b>{overall}</b> (a tie is reported as a tie, not guessed)</p>"
    )


def _outside_section(result, max_rows: int) -> str:
    bad = result.outside()
    if bad.empty:
        return (
            f"<p>Every matched block is within ± {result.tolerance:g} points for every model.</p>"
        )
    header = ["block", "drugs", "model", "ours", "published", "diff", "our fits", "status", "why"]
    rows = []
    for r in bad.head(max_rows).itertuples():
        drugs = getattr(r, "drugs", None) or f"{r.drug_row} × {r.drug_col}"
        why = r.explanation if isinstance(r.explanation, str) else ""
        rows.append(
            [
                esc(r.block),
                esc(drugs),
                esc(r.model),
                number(r.ours, 3),
                number(r.theirs, 3),
                number(r.diff, 3),
                esc(r.fit_status),
                status_cell(r.status),
                esc(why),
            ]
        )
    more = (
        f'<p class="small">… {len(bad) - max_rows} more rows (write them with --table)</p>'
        if len(bad) > max_rows
        else ""
    )
    return table(header, rows, text_columns=[0, 1, 2, 6, 7, 8]) + more


def _figures(result) -> str:
    from synergy.plot import (
        benchmark_bland_altman,
        benchmark_scatter,
        benchmark_well_differences,
    )

    images = [
        figure_img(benchmark_scatter(result), alt="ours vs published, per model"),
        figure_img(benchmark_bland_altman(result), alt="Bland–Altman, per model"),
    ]
    if result.wells is not None and len(result.wells):
        images.append(figure_img(benchmark_well_differences(result), alt="per-well differences"))
    return '<div class="figs">' + "".join(images) + "</div>"


def render_benchmark_report(
    result, *, title: str | None = None, max_outside: int = 0, max_rows: int = 200
) -> str:
    """The benchmark report as one self-contained HTML page.

    Parameters
    ----------
    result : synergy.benchmark.BenchmarkResult
        What :func:`synergy.benchmark.compare` returned.
    title : str, optional
        Page title (default: "Benchmark against published scores").
    max_outside : int, default 0
        Blocks per model allowed beyond tolerance for the verdict (as ``--max-outside``).
    max_rows : int, default 200
        Most rows of the beyond-tolerance table.

    Returns
    -------
    str
        The HTML page (figures as data-URI PNGs; no external resource).
    """
    s = result.settings
    title = title or "Benchmark against published scores"
    subtitle = [
        esc(
            f"convention {s.get('convention')}, fitter {s.get('fitter')}, tolerance "
            f"{result.tolerance:g} points, models {', '.join(s.get('models', []))}"
        ),
        *(esc(f"read {t}") for t in s.get("tables", [])),
    ]
    verdict = result.verdict(max_outside)
    colour = 0 if result.passed(max_outside) else 2
    parts = [
        f'<p class="status-{colour}"><b>{esc(verdict)}</b></p>',
        "<h2>Agreement per model</h2>",
        summary_table(result.summary),
        '<p class="small">Correlations with 95 % intervals (Fisher z); bias and limits of '
        "agreement: Bland–Altman (ours − published, mean ± 1.96 SD), % points.</p>",
    ]
    if result.well_summary is not None and len(result.well_summary):
        parts += ["<h3>Per-well δ (combination wells)</h3>", summary_table(result.well_summary)]
    parts += ["<h2>Figures</h2>", _figures(result)]
    parts += [
        f"<h2>Blocks beyond ± {result.tolerance:g} points</h2>",
        _outside_section(result, max_rows),
    ]
    parts += [_unmatched(result)]
    if result.conventions is not None or result.baselines is not None:
        parts.append("<h2>Which pipeline made this table?</h2>")
    parts.append(
        _choice_table(
            "SynergyFinder convention",
            result.conventions,
            "convention",
            result.best,
            result.ties,
            "convention",
        )
    )
    parts.append(
        _choice_table(
            f"Baseline correction (correct_baseline, under {s.get('convention')})",
            result.baselines,
            "correct_baseline",
            result.best_baseline,
            result.ties,
            "baseline",
        )
    )
    return page(title, subtitle, "".join(parts))


def _unmatched(result) -> str:
    items = [f"only in the screen: block {b!r}" for b in result.unmatched_screen]
    items += [f"only in the published table: {t}" for t in result.unmatched_published]
    n_pairs = result.blocks["block"].nunique()
    head = f"<h2>Matching</h2><p>{n_pairs} block(s) matched; {len(items)} without a partner.</p>"
    if not items:
        return head
    return head + "<ul>" + "".join(f"<li>{esc(t)}</li>" for t in items) + "</ul>"


def write_benchmark_report(result, path: str | Path, **options) -> Path:
    """Write :func:`render_benchmark_report` to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.write_text(render_benchmark_report(result, **options), encoding="utf-8")
    return out
