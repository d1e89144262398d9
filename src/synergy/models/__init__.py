"""Reference synergy models: Bliss, HSA, Loewe, ZIP (SynergyFinder 3 conventions).

Each ``score_<model>(screen, ...)`` returns a Dataset over the screen's blocks with the δ
surface ``<model>`` (block, row, col; % points, positive = synergy), its
``<model>_reference``, the block summaries of :mod:`synergy.models.summary` and
``<model>_status``.  :func:`synergy.scoring.score` runs several and adds the block
``status``.  Every model ``score`` accepts is declared in :mod:`synergy.models.registry`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from synergy.models import builtin as _builtin  # noqa: F401  (fills the model registry)

_WHERE = {
    "loewe_reference": "loewe",
    "score_bliss": "bliss",
    "score_hsa": "hsa",
    "score_loewe": "loewe",
    "score_zip": "zip",
    "score_zip_sf2": "zip_sf2",
    "zip_fitted_surface": "zip",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    # imported on first use, so the registry loads without the models' numba kernels
    if name in _WHERE:
        return getattr(import_module(f"synergy.models.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'synergy.models' has no attribute {name!r}")
