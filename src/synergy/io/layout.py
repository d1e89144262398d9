"""The one layout switch of a screen (docs/design.md §1, §1.1, §16).

A screen has one of two layouts: pairs dense on ``(block, row, col, replicate)``, or N drugs
flat on ``(block, well, drug, replicate)`` (a ``drug`` dimension).  Code that must tell them
apart asks :func:`layout_of` (or :func:`is_multi`) here, never the dimensions directly, so the
places that depend on the layout are the callers of this module.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import numpy as np
import xarray as xr

__all__ = [
    "LAYOUTS",
    "Layout",
    "cell_dims",
    "dose_coords",
    "drug_axes",
    "is_multi",
    "layout_of",
    "measured_cells",
]

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


def drug_axes(screen: xr.Dataset) -> tuple[np.ndarray, list[np.ndarray], tuple[str, ...]]:
    """Each block's drugs (B, N), each drug's doses, and the cell dimension that indexes them.

    Pairs: the grids ``conc_row`` (B, R) on ``row`` and ``conc_col`` (B, C) on ``col``;
    N drugs: each drug's doses in every well (B, W) on ``well``.
    """
    if is_multi(screen):
        conc = screen["conc"].transpose("block", "well", "drug").values
        names = screen["drug_name"].transpose("block", "drug").values
        return names, [conc[:, :, i] for i in range(conc.shape[2])], ("well",) * conc.shape[2]
    names = np.stack([screen["drug_row"].values, screen["drug_col"].values], axis=1)
    return names, [screen["conc_row"].values, screen["conc_col"].values], ("row", "col")


def measured_cells(screen: xr.Dataset) -> np.ndarray:
    """Cells of each block's own design (every drug's dose finite), bool ``(block, *cells)``."""
    cells = cell_dims(screen)
    _, doses, dims = drug_axes(screen)
    mask = np.ones((screen.sizes["block"], *(screen.sizes[d] for d in cells)), dtype=bool)
    for dose, dim in zip(doses, dims, strict=True):
        shape = [dose.shape[0], *(screen.sizes[d] if d == dim else 1 for d in cells)]
        mask &= np.isfinite(dose).reshape(shape)
    return mask
