"""The ``ds.synergy`` accessor: the same functions a notebook calls, on a screen Dataset.

Registered by ``import synergy`` (at once if xarray is already imported, otherwise the
moment xarray is: :mod:`synergy._register`).  A face only: every method delegates to a
function of the science or data layers (no numerics here).
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import pandas as pd
import xarray as xr

__all__ = ["SynergyAccessor"]


@xr.register_dataset_accessor("synergy")
class SynergyAccessor:
    """``screen.synergy.<method>``: validation, export, selection, fitting and scoring."""

    def __init__(self, screen: xr.Dataset) -> None:
        self._screen = screen

    def problems(self) -> list[str]:
        """Every violation of the screen invariants (:func:`synergy.io.screen.screen_problems`)."""
        from synergy.io.screen import screen_problems

        return screen_problems(self._screen)

    def validate(self):
        """A :class:`synergy.io.validate.ValidationReport` of this screen."""
        from synergy.io.validate import validate

        return validate(self._screen)

    def describe(self) -> pd.DataFrame:
        """One row per block: drugs, sample, grid sizes, replicates, missing wells."""
        from synergy.io.validate import describe

        return describe(self._screen)

    def to_table(self, level: str = "well") -> pd.DataFrame:
        """Tidy table in SynergyFinder column names (see :func:`synergy.to_table`)."""
        from synergy.io.table import to_table

        return to_table(self._screen, level=level)

    def save(self, path: str | os.PathLike):
        """Write the screen to ``.nc`` or ``.zarr`` (see :func:`synergy.save_screen`)."""
        from synergy.io.store import save_screen

        return save_screen(self._screen, path)

    def block(self, block_id: str | int) -> xr.Dataset:
        """The one-block screen with id ``block_id`` (ids are strings; ints are converted)."""
        return self._screen.sel(block=[str(block_id)])

    def _call(self, module: str, name: str, *args: Any, **kwargs: Any) -> Any:
        function = getattr(importlib.import_module(module), name)
        return function(self._screen, *args, **kwargs)

    def fit_hill(self, **kwargs: Any) -> xr.Dataset:
        """Fit the monotherapy edges (see :func:`synergy.hill.fit_screen`)."""
        return self._call("synergy.hill", "fit_screen", **kwargs)

    def score(self, *args: Any, **kwargs: Any) -> xr.Dataset:
        """Score the screen (see :func:`synergy.score`)."""
        return self._call("synergy.scoring", "score", *args, **kwargs)
