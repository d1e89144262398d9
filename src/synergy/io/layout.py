"""The one layout switch of a screen (docs/design.md §1, §1.1, §16).

A screen has one of two layouts: pairs dense on ``(block, row, col, replicate)``, or N drugs
flat on ``(block, well, drug, replicate)`` (a ``drug`` dimension).  Code that must tell them
apart asks :func:`layout_of` (or :func:`is_multi`) here, never the dimensions directly, so the
places that depend on the layout are the callers of this module.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import xarray as xr

__all__ = ["LAYOUTS", "Layout", "cell_dims", "dose_coords", "is_multi", "layout_of"]

Layout: TypeAlias = Literal["pair", "wells"]
LAYOUTS: tuple[Layout, ...] = ("pair", "wells")


def layout_of(screen: xr.Dataset) -> Layout:
    """``"wells"`` for the N-drug layout (a ``drug`` dimension), else ``"pair"``."""
    return "wells" if "drug" in screen.dims else "pair"


def is_multi(screen: xr.Dataset) -> bool:
    """True for the N-drug (well) layout, False for the pair layout."""
    return layout_of(screen) == "wells"


def cell_dims(screen: xr.Dataset) -> tuple[str, ...]:
    """The dimensions that index a block's wells: ``("row", "col")`` or ``("well",)``."""
    return ("well",) if is_multi(screen) else ("row", "col")


def dose_coords(screen: xr.Dataset) -> tuple[str, ...]:
    """The dose coordinates of the layout: ``("conc_row", "conc_col")`` or ``("conc",)``."""
    return ("conc",) if is_multi(screen) else ("conc_row", "conc_col")
