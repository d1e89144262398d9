"""HTML reports of a scored screen (no network).

- :func:`write_interactive_report` — the interactive report (``synergy report``): overview,
  ranked table and every block drawn in the browser from embedded data; a page and a data
  folder, or one file (``self_contained``);
- :func:`render_report` — the static page (matplotlib figures as embedded PNGs) as a string;
- :func:`write_report` — the static page written to a file (``synergy report --static``);
- :func:`render_benchmark_report`, :func:`write_benchmark_report` — the comparison with a
  published table (``synergy benchmark --report``).
"""

from __future__ import annotations

from synergy.report._benchmark import render_benchmark_report, write_benchmark_report
from synergy.report._build import render_report, scored_models, write_report
from synergy.report._interactive import write_interactive_report

__all__ = [
    "render_benchmark_report",
    "render_report",
    "scored_models",
    "write_benchmark_report",
    "write_interactive_report",
    "write_report",
]
