"""Self-contained HTML report of a scored screen (figures embedded, no network).

- :func:`render_report` — the page as a string;
- :func:`write_report` — the page written to a file (``synergy report`` on the command line);
- :func:`render_benchmark_report`, :func:`write_benchmark_report` — the comparison with a
  published table (``synergy benchmark --report``).
"""

from __future__ import annotations

from synergy.report._benchmark import render_benchmark_report, write_benchmark_report
from synergy.report._build import render_report, scored_models, write_report

__all__ = [
    "render_benchmark_report",
    "render_report",
    "scored_models",
    "write_benchmark_report",
    "write_report",
]
