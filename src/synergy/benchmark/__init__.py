"""Benchmarking against published synergy scores, and method recovery on simulated truth.

- :func:`read_published` — SynergyFinder 3 block / well / fit tables (of 2 or N ≥ 3 drugs),
  DrugComb summaries, or any table through an explicit column mapping, to one shape
  (:class:`PublishedScores`).
- :func:`match_blocks` — pair the screen's blocks with published rows (block id, or drugs
  in any order and sample), for any number of drugs.
- :func:`compare` — ours vs published per block, model and well, agreement per model, and
  the evidence for every block beyond tolerance (:class:`BenchmarkResult`), for pairs and
  N-drug screens alike; ``convention="auto"`` names the SynergyFinder convention (and
  baseline correction) that made the table.
- :func:`recovery` — ROC AUC and bias of each score on simulated screens with known truth.
"""

from __future__ import annotations

from synergy.benchmark.agreement import agreement, fisher_ci, roc_auc
from synergy.benchmark.compare import compare
from synergy.benchmark.convention import CONVENTIONS, TIE_POINTS
from synergy.benchmark.fits import fit_sse, inject_published_fits
from synergy.benchmark.matching import Matching, match_blocks
from synergy.benchmark.published import FORMATS, PublishedScores, read_published
from synergy.benchmark.recovery import SCENARIOS, RecoveryResult, recovery
from synergy.benchmark.result import BenchmarkResult

__all__ = [
    "CONVENTIONS",
    "FORMATS",
    "SCENARIOS",
    "TIE_POINTS",
    "BenchmarkResult",
    "Matching",
    "PublishedScores",
    "RecoveryResult",
    "agreement",
    "compare",
    "fisher_ci",
    "fit_sse",
    "inject_published_fits",
    "match_blocks",
    "read_published",
    "recovery",
    "roc_auc",
]
