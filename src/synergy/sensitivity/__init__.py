"""Drug-sensitivity measures (one owner for these: docs/design.md §2, §6.10).

- per curve, from Hill fits (:mod:`synergy.sensitivity.curve`): the relative, absolute and
  SynergyFinder IC50, Emax, AUC, DSS;
- per block, as SynergyFinder 3 and DrugComb report them (:mod:`synergy.sensitivity.block`):
  IC50 of each drug (capped at its top dose), RI, CSS and S.
"""

from __future__ import annotations

from synergy.sensitivity.block import block_sensitivity
from synergy.sensitivity.curve import (
    NEVER_REACHED,
    REACHED,
    REACHED_OUTSIDE_TESTED,
    AbsoluteIC50,
    absolute_ic50,
    auc,
    dss,
    effect_at_max_dose,
    emax,
    integral_log10,
    relative_ic50,
    synergyfinder_ic50,
)

__all__ = [
    "NEVER_REACHED",
    "REACHED",
    "REACHED_OUTSIDE_TESTED",
    "AbsoluteIC50",
    "absolute_ic50",
    "auc",
    "block_sensitivity",
    "dss",
    "effect_at_max_dose",
    "emax",
    "integral_log10",
    "relative_ic50",
    "synergyfinder_ic50",
]
