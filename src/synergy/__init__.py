"""synergy — drug-combination pharmacology on xarray screens.

``import synergy`` stays light: heavy parts (lmfit, matplotlib, dask, the numba
kernels) load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from synergy._register import register_accessor as _register_accessor
from synergy._version import __version__
from synergy.errors import SynergyError

if TYPE_CHECKING:  # what the lazy names below are, for type checkers (py.typed)
    from synergy import (
        benchmark,
        datasets,
        hill,
        plot,
        report,
        sensitivity,
        stats,
        window,
    )
    from synergy.batch import score_screen as score_screen
    from synergy.io.matrix import read_matrix
    from synergy.io.reader import read_screen
    from synergy.io.store import open_screen as open_screen
    from synergy.io.store import save_screen as save_screen
    from synergy.io.table import to_table
    from synergy.io.validate import describe as describe
    from synergy.io.validate import validate
    from synergy.scoring import score
    from synergy.stats.compare import compare

_register_accessor()  # ds.synergy: now, or as soon as xarray is imported (kept light)

__all__ = [
    "ScoringOptions",
    "SynergyError",
    "__version__",
    "benchmark",
    "compare",
    "datasets",
    "hill",
    "plates",
    "plates_to_screen",
    "plot",
    "read_matrix",
    "read_plates",
    "read_screen",
    "report",
    "score",
    "sensitivity",
    "stats",
    "to_table",
    "validate",
    "window",
]

_LAZY = {
    "read_screen": ("synergy.io.reader", "read_screen"),
    "read_matrix": ("synergy.io.matrix", "read_matrix"),
    "read_plates": ("synergy.io.plates", "read_plates"),
    "plates_to_screen": ("synergy.plates.to_screen", "plates_to_screen"),
    "plates": ("synergy.plates", None),
    "to_table": ("synergy.io.table", "to_table"),
    "validate": ("synergy.io.validate", "validate"),
    "open_screen": ("synergy.io.store", "open_screen"),
    "save_screen": ("synergy.io.store", "save_screen"),
    "score": ("synergy.scoring", "score"),
    "ScoringOptions": ("synergy.options", "ScoringOptions"),
    "compare": ("synergy.stats.compare", "compare"),
    "score_screen": ("synergy.batch", "score_screen"),
    "describe": ("synergy.io.validate", "describe"),
    "datasets": ("synergy.datasets", None),
    "hill": ("synergy.hill", None),
    "benchmark": ("synergy.benchmark", None),
    "plot": ("synergy.plot", None),
    "report": ("synergy.report", None),
    "stats": ("synergy.stats", None),
    "sensitivity": ("synergy.sensitivity", None),
    "window": ("synergy.window", None),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'synergy' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
