"""HTML pieces of the report: page template, tables, embedded figures (no network)."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence

import numpy as np

CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 0;
       color: #1b1b1b; background: #fafafa; }
header { background: #1f3b57; color: white; padding: 18px 32px; }
header h1 { margin: 0 0 4px 0; font-size: 22px; }
header p { margin: 2px 0; opacity: 0.9; font-size: 13px; }
main { padding: 12px 32px 40px 32px; max-width: 1250px; }
h2 { border-bottom: 2px solid #1f3b57; padding-bottom: 4px; margin-top: 32px; }
h3 { margin: 4px 0 8px 0; }
section.block { background: white; border: 1px solid #ddd; border-radius: 6px;
                padding: 12px 18px; margin: 18px 0; }
table { border-collapse: collapse; font-size: 12.5px; margin: 6px 0 12px 0; }
th, td { border: 1px solid #d0d0d0; padding: 3px 8px; text-align: right; }
th { background: #eef2f6; }
td.text, th.text { text-align: left; white-space: nowrap; }
td.text:last-child { white-space: normal; }
tr:nth-child(even) td { background: #f7f9fb; }
.status-0 { color: #1a7f37; } .status-1 { color: #b35c00; } .status-2 { color: #b42318; }
.reason { color: #555; font-size: 12px; }
.figs { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.figs img { max-width: 100%; border: 1px solid #eee; }
nav { font-size: 13px; line-height: 1.7; }
nav a { margin-right: 10px; white-space: nowrap; }
.small { font-size: 12px; color: #555; }
"""

STATUS_WORDS = {0: "ok", 1: "warning", 2: "failed"}


def esc(value: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(value), quote=True)


def anchor(block_id: str) -> str:
    """Anchor name of a block's section (ids may hold any character)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else f"_{ord(ch):x}_" for ch in block_id)
    return f"block-{safe}"


def figure_img(fig, *, dpi: int = 80, alt: str = "") -> str:
    """An ``<img>`` holding the figure as a base64 PNG data URI (the figure is then closed)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    fig.clear()
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'


def dose(value: object) -> str:
    """A dose cell's text, three significant digits (``–`` for NaN)."""
    from synergy.plot import format_dose

    try:
        return format_dose(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return esc(value)


def number(value: object, digits: int = 2) -> str:
    """A number cell's text (``–`` for NaN/None)."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return esc(value)
    if not np.isfinite(x):
        return "–"
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 10 ** (-digits)):
        return f"{x:.{max(digits, 1)}g}"
    return f"{round(x, digits) + 0.0:.{digits}f}"


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], text_columns: Sequence[int] = ()
) -> str:
    """An HTML table; cells are given as ready (escaped) HTML."""
    text = set(text_columns)

    def cls(j: int) -> str:
        return ' class="text"' if j in text else ""

    head = "".join(f"<th{cls(j)}>{esc(h)}</th>" for j, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(j)}>{cell}</td>" for j, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def status_cell(code: int) -> str:
    """Status in words, coloured."""
    return f'<span class="status-{int(code)}">{STATUS_WORDS.get(int(code), int(code))}</span>'


def page(title: str, subtitle_lines: Sequence[str], body: str) -> str:
    """The whole self-contained page."""
    subtitle = "".join(f"<p>{line}</p>" for line in subtitle_lines)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body><header><h1>{esc(title)}</h1>{subtitle}</header><main>{body}</main>"
        "</body></html>\n"
    )
