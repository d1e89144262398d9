"""Uncertainty and statistics of synergy scores (issue #6).

- :func:`bootstrap` — bootstrap intervals and p-values of block scores (used by
  :func:`synergy.score` with ``n_boot > 0``);
- :func:`compare` — differences of scores between groups of blocks;
- :func:`therapeutic_window` — leukemic vs normal-cell blocks of the same pair.
"""

from __future__ import annotations

from synergy.stats.bootstrap import BOOTSTRAP_METHODS, bootstrap, sf_pvalue
from synergy.stats.compare import compare
from synergy.stats.window import therapeutic_window

__all__ = ["BOOTSTRAP_METHODS", "bootstrap", "compare", "sf_pvalue", "therapeutic_window"]
