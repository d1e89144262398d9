"""Whole screens: chunked scoring, dask, progress, checkpoints and resume (docs/design.md §2).

- :func:`score_screen` — score a screen chunk by chunk (in this process or on dask),
  resumably; output identical to :func:`synergy.score` on the whole screen.
- :func:`run_screen` — the same, returning a :class:`BatchRun` (what the run did).
- :func:`run_groups` — score a ragged screen held as its shape groups and write it as
  one screen (docs/design.md §16.4).
- :func:`status_counts` — blocks per status and per flag, for summaries.

dask is imported only when ``scheduler=`` or ``workers=`` is given.
"""

from __future__ import annotations

from synergy.batch.groups import run_groups
from synergy.batch.run import BatchRun, checkpoint_path, run_screen
from synergy.batch.score import score_screen
from synergy.batch.summary import StatusCounts, status_counts

__all__ = [
    "BatchRun",
    "StatusCounts",
    "checkpoint_path",
    "run_groups",
    "run_screen",
    "score_screen",
    "status_counts",
]
