"""Deprecated alias: the N-drug layout lives with the pair layout (docs/design.md §16.2).

:func:`is_multi` is :func:`synergy.io.layout.is_multi`; the builders and checks are in
:mod:`synergy.io.screen`; :func:`multi_screen_from_long` is
:func:`synergy.io.reader.screen_from_long` with ``layout="multi"``.  Import from there.
"""

from __future__ import annotations

import pandas as pd
import xarray as xr

from synergy.io.layout import is_multi
from synergy.io.screen import MULTI_DIMS, build_multi_screen, multi_problems

__all__ = [
    "MULTI_DIMS",
    "build_multi_screen",
    "is_multi",
    "multi_problems",
    "multi_screen_from_long",
]


def multi_screen_from_long(table: pd.DataFrame, n_drugs: int, **kwargs) -> xr.Dataset:
    """:func:`synergy.io.reader.screen_from_long` into the well layout (``layout="multi"``)."""
    from synergy.io.reader import screen_from_long

    return screen_from_long(table, n_drugs=n_drugs, layout="multi", **kwargs)
