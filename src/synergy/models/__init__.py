"""Reference synergy models: Bliss, HSA, Loewe, ZIP (SynergyFinder 3 conventions).

Each ``score_<model>(screen, ...)`` returns a Dataset over the screen's blocks with the δ
surface ``<model>`` (block, row, col; % points, positive = synergy), its
``<model>_reference``, the block summaries of :mod:`synergy.models.summary` and
``<model>_status``.  :func:`synergy.scoring.score` runs several and adds the block
``status``.  Every model ``score`` accepts is declared in :mod:`synergy.models.registry`.
"""

from __future__ import annotations

from synergy.models import builtin as _builtin  # noqa: F401  (fills the model registry)
from synergy.models.bliss import score_bliss
from synergy.models.hsa import score_hsa
from synergy.models.loewe import loewe_reference, score_loewe
from synergy.models.zip import score_zip, zip_fitted_surface
from synergy.models.zip_sf2 import score_zip_sf2

__all__ = [
    "loewe_reference",
    "score_bliss",
    "score_hsa",
    "score_loewe",
    "score_zip",
    "score_zip_sf2",
    "zip_fitted_surface",
]
