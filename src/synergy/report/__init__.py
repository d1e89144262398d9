"""Self-contained HTML report of a scored screen (figures embedded, no network).

- :func:`render_report` — the page as a string;
- :func:`write_report` — the page written to a file (``synergy report`` on the command line).
"""

from __future__ import annotations

from synergy.report._build import render_report, scored_models, write_report

__all__ = ["render_report", "scored_models", "write_report"]
