"""The flat well view both layouts share: what the reference models compute on (§16.1).

Every reference model (Bliss, HSA, Loewe, ZIP) is one implementation over a block's wells,
whatever the number of drugs; a screen of either layout (docs/design.md §1, §1.1) is seen as

* ``conc`` (B, W, N): each well's doses (NaN: padding well);
* ``observed`` (B, W): replicate means, % inhibition (compensated as pandas' mean);
* ``present`` (B, W): drugs with a dose > 0 (-1: padding);
* ``single`` (B, W, N): the well holding drug i alone at the well's dose of drug i (-1: none;
  not stored for a pair grid, whose single-drug wells are the grid's edges);
* ``order`` (B, W): each well's rank in the input, when known;
* ``grid``: ``(R, C)`` for a pair screen, whose well ``w`` is ``(row, col) = divmod(w, C)``
  (C order), so every well result reshapes to the ``(block, row, col)`` surface for free;
  ``None`` for the well layout.

A pair screen is N = 2: its single-drug wells are the grid's edges (``(row, 0)`` for the
row drug, ``(0, col)`` for the column drug, the rule the pair models always used); an
N-drug screen looks its single-drug wells up by dose (:func:`synergy.io.wells.single_drug_index`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import xarray as xr

from synergy._kernels.surface import pair_wells
from synergy.io.layout import is_multi
from synergy.io.wells import (
    gather,
    n_present,
    observed_wells,
    single_drug_index,
    slices_along,
    well_doses,
)

__all__ = [
    "WellView",
    "delta_and_reference",
    "edge_values",
    "grid_expand",
    "grid_surface",
    "grid_view",
    "multi_view",
    "pair_view",
    "view_slices",
    "well_variable",
    "well_view",
]


class WellView(NamedTuple):
    """A screen's wells as the reference models see them (see the module docstring)."""

    conc: np.ndarray  # (B, W, N) doses
    observed: np.ndarray  # (B, W) replicate means, % inhibition
    present: np.ndarray  # (B, W) drugs with dose > 0; -1 padding
    single: np.ndarray | None  # (B, W, N) well of drug i alone at the well's dose (-1: none);
    # None on a pair grid, whose single-drug wells are its edges (see edge_values)
    order: np.ndarray | None  # (B, W) rank of each well in the input, if known
    grid: tuple[int, int] | None = None  # (R, C) of a pair screen, None for the well layout


def multi_view(screen: xr.Dataset) -> WellView:
    """The well view of a screen in the well layout (``block, well, drug``)."""
    conc = well_doses(screen)
    order = np.asarray(screen["input_order"].values) if "input_order" in screen else None
    return WellView(
        conc, observed_wells(screen), n_present(conc), single_drug_index(conc), order, None
    )


def pair_view(screen: xr.Dataset) -> WellView:
    """The well view of a pair screen (``block, row, col``): N = 2, wells in C order."""
    from synergy.models.common import doses, observed_surface

    conc_row, conc_col = doses(screen)
    order = None
    if "input_order" in screen:
        order = screen["input_order"].transpose("block", "row", "col").values
    return grid_view(conc_row, conc_col, observed_surface(screen), order)


def grid_view(
    conc_row: np.ndarray,
    conc_col: np.ndarray,
    observed: np.ndarray,
    order: np.ndarray | None = None,
) -> WellView:
    """The well view of pair arrays: doses (B, R), (B, C), means and input order (B, R, C)."""
    n_block, n_row, n_col = observed.shape
    conc = pair_wells(conc_row, conc_col)
    flat = (n_block, n_row * n_col)
    if order is not None:
        order = np.asarray(order).reshape(flat)
    observed = np.ascontiguousarray(observed, dtype=np.float64).reshape(flat)
    # n_present of the grid's wells, from the doses per row and per column
    on_grid = np.isfinite(conc_row)[:, :, None] & np.isfinite(conc_col)[:, None, :]
    count = (conc_row > 0)[:, :, None].astype(np.int64) + (conc_col > 0)[:, None, :]
    present = np.where(on_grid, count, -1).reshape(flat)
    return WellView(conc, observed, present, None, order, (n_row, n_col))


def view_slices(view: WellView, drug: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """ZIP's slices along ``drug``: the wells sharing every other drug's dose.

    Returns ``(well (S, P), block (S,), keys)``.  The well layout's slices come from
    :func:`synergy.io.wells.slices_along`, already in input (or dose) order, ``keys`` None;
    a pair grid's slices are its columns (along the row drug) or rows (along the column
    drug), every grid position in grid order with the grid edge first, and ``keys`` (S, P)
    the wells' input order (None if unknown), by which the fitter sees the points.
    """
    if view.grid is None:
        slices = slices_along(view.conc, drug, view.order)
        return slices.well, slices.block, None
    n_block = view.conc.shape[0]
    n_row, n_col = view.grid
    index = np.arange(n_row * n_col).reshape(n_row, n_col)
    lines = index.T if drug == 0 else index  # (C, R) columns or (R, C) rows
    well = np.tile(lines, (n_block, 1))
    block = np.repeat(np.arange(n_block), lines.shape[0])
    keys = None if view.order is None else view.order[block[:, None], well]
    return well, block, keys


def well_view(screen: xr.Dataset, shared: dict[str, Any] | None = None) -> WellView:
    """The well view of a screen of either layout, computed once per ``shared`` dict.

    ``shared`` is :class:`~synergy.models.registry.ModelContext`'s: the models scored in one
    call share the view (key ``"multi_block"`` for the well layout, as before, and
    ``"pair_view"`` for pairs).
    """
    key = "multi_block" if is_multi(screen) else "pair_view"
    if shared is not None and key in shared:
        return shared[key]
    view = multi_view(screen) if key == "multi_block" else pair_view(screen)
    if shared is not None:
        shared[key] = view
    return view


def edge_values(view: WellView, values: np.ndarray) -> list[np.ndarray]:
    """``values`` (B, W) at each well's single-drug wells: one (B, W) array per drug (NaN
    where missing).  On a pair grid: the edge column and row repeated across the grid."""
    if view.grid is not None:
        n_block, (n_row, n_col) = values.shape[0], view.grid
        grid = values.reshape(n_block, n_row, n_col)
        return [grid_expand(view, 0, grid[:, :, 0]), grid_expand(view, 1, grid[:, 0, :])]
    blocks = np.arange(view.conc.shape[0])[:, None]
    return [gather(values, blocks, view.single[:, :, i]) for i in range(view.conc.shape[2])]


def grid_expand(view: WellView, drug: int, along: np.ndarray) -> np.ndarray:
    """(B, W) from a value per row (``drug`` 0, (B, R)) or per column (``drug`` 1, (B, C))."""
    n_row, n_col = view.grid
    if drug == 0:
        return np.repeat(along, n_col, axis=1)
    return np.tile(along, (1, n_row))


def delta_and_reference(view: WellView, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference = observed where fewer than two drugs are present; δ = observed − reference.

    Returns ``(reference, delta)``, both (B, W); δ = 0 at measured non-combination wells,
    NaN where nothing was measured.
    """
    combo = view.present >= 2
    observed = view.observed
    reference = np.where(combo, reference, observed)
    delta = np.where(combo, observed - reference, np.where(np.isfinite(observed), 0.0, np.nan))
    return reference, delta


def grid_surface(view: WellView, values: np.ndarray) -> np.ndarray:
    """A (B, W) well result of a pair view as its (B, R, C) surface (a reshape, no copy)."""
    if view.grid is None:
        raise ValueError("the well layout has no (row, col) grid")
    return values.reshape(values.shape[0], *view.grid)


def well_variable(screen: xr.Dataset, values: np.ndarray, attrs: dict[str, Any]) -> xr.DataArray:
    """Wrap a (B, W) array as a DataArray on the screen's block/well."""
    return xr.DataArray(
        values, dims=("block", "well"), coords={"block": screen["block"].values}, attrs=attrs
    )
