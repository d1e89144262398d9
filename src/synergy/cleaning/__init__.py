"""Well cleaning before scoring: imputation of missing wells and outlier detection.

Science layer (docs/design.md §18).  :func:`clean_wells` is what ``synergy.score(impute=,
outliers=)`` calls; the array functions :func:`impute_hill_bliss` and
:func:`detect_outliers` work on plain ``(block, row, col[, replicate])`` arrays.
"""

from __future__ import annotations

from synergy.cleaning.clean import check_cleaning, clean_wells, hold_imputed, restore_imputed
from synergy.cleaning.impute import IMPUTE_METHODS, impute_hill_bliss
from synergy.cleaning.outliers import DEFAULT_THRESHOLD, OUTLIER_MODES, detect_outliers

__all__ = [
    "DEFAULT_THRESHOLD",
    "IMPUTE_METHODS",
    "OUTLIER_MODES",
    "check_cleaning",
    "clean_wells",
    "detect_outliers",
    "hold_imputed",
    "impute_hill_bliss",
    "restore_imputed",
]
