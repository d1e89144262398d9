"""The one layout switch of a screen (docs/design.md §1, §1.1, §16).

A screen has one of two layouts: pairs dense on ``(block, row, col, replicate)``, or N drugs
flat on ``(block, well, drug, replicate)`` (a ``drug`` dimension).  This module is where the
two are told apart; everything else reads a screen through its layout-neutral views:

* the cells of a block, flattened: :func:`flat_values` (any variable as ``(B, W, …)``, a pair
  grid's cell ``(row, col)`` being well ``row·C + col``), :func:`flat_doses` ``(B, W, N)``,
  and back to the screen's own dimensions with :func:`cell_array`;
* the drugs: :func:`n_drugs`, :func:`drug_names` ``(B, N)``, :func:`per_drug_names` (the
  layout's names of per-drug columns or variables), :func:`fit_variables` and
  :func:`per_drug_variables` (per-drug results: ``x_row``/``x_col`` for pairs, one ``x`` on a
  ``drug`` axis for N drugs);
* per-drug results back as one array: :func:`per_drug_values` ``(B, N, …)``;
* :func:`require_pair` and :func:`require_wells`, the refusals of figures and options
  defined on one layout only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import xarray as xr

from synergy.errors import SynergyError

__all__ = [
    "LAYOUTS",
    "Layout",
    "block_coords",
    "cell_array",
    "cell_dims",
    "dose_coords",
    "drug_axes",
    "drug_names",
    "fit_variables",
    "flat_doses",
    "flat_values",
    "is_multi",
    "layout_of",
    "layout_variables",
    "measured_cells",
    "n_drugs",
    "per_drug_names",
    "per_drug_values",
    "per_drug_variables",
    "require_pair",
    "require_wells",
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
        names = screen["drug_name"].transpose("block", "drug").values
    else:
        names = np.stack([screen["drug_row"].values, screen["drug_col"].values], axis=1)
    return (names, *_dose_axes(screen))


def _dose_axes(screen: xr.Dataset) -> tuple[list[np.ndarray], tuple[str, ...]]:
    """Each drug's doses and the cell dimension indexing them (:func:`drug_axes` without
    the drug names, which a resampled screen does not carry)."""
    if is_multi(screen):
        conc = screen["conc"].transpose("block", "well", "drug").values
        return [conc[:, :, i] for i in range(conc.shape[2])], ("well",) * conc.shape[2]
    return [screen["conc_row"].values, screen["conc_col"].values], ("row", "col")


def measured_cells(screen: xr.Dataset) -> np.ndarray:
    """Cells of each block's own design (every drug's dose finite), bool ``(block, *cells)``."""
    cells = cell_dims(screen)
    doses, dims = _dose_axes(screen)
    mask = np.ones((screen.sizes["block"], *(screen.sizes[d] for d in cells)), dtype=bool)
    for dose, dim in zip(doses, dims, strict=True):
        shape = [dose.shape[0], *(screen.sizes[d] if d == dim else 1 for d in cells)]
        mask &= np.isfinite(dose).reshape(shape)
    return mask


def block_coords(screen: xr.Dataset) -> xr.Coordinates:
    """The screen's ``block`` coordinate with its index, to label new per-block variables
    (reusing the index: ~10× faster than rebuilding it from the ids for every variable)."""
    return xr.Coordinates(
        {"block": screen["block"].variable}, indexes={"block": screen.xindexes["block"]}
    )


def n_drugs(screen: xr.Dataset) -> int:
    """Drugs per block: 2 for a pair screen, the size of ``drug`` for the well layout."""
    return int(screen.sizes["drug"]) if is_multi(screen) else 2


def drug_names(screen: xr.Dataset) -> np.ndarray:
    """Each block's drug names ``(B, N)`` as str (a pair's row drug first)."""
    return np.asarray(drug_axes(screen)[0]).astype(str)


def per_drug_names(screen: xr.Dataset, pair: Sequence[str], template: str) -> list[str]:
    """The layout's names of a per-drug column or variable.

    ``pair`` for a pair screen (e.g. ``("drug_row", "drug_col")``); ``template`` formatted
    with 1 … N for N drugs (e.g. ``"drug{}"`` gives ``drug1 … drugN``).
    """
    if is_multi(screen):
        return [template.format(i) for i in range(1, n_drugs(screen) + 1)]
    return list(pair)


def fit_variables(screen: xr.Dataset, stem: str = "hill", suffix: str = "") -> list[str]:
    """Variables holding a per-drug result ``stem…suffix``: ``[stem_row…, stem_col…]`` for a
    pair, ``[stem…]`` (with a ``drug`` axis) for N drugs."""
    if is_multi(screen):
        return [f"{stem}{suffix}"]
    return [f"{stem}_row{suffix}", f"{stem}_col{suffix}"]


def per_drug_variables(
    screen: xr.Dataset,
    stem: str,
    values: np.ndarray,
    extra_dims: Sequence[str] = (),
    coords: Mapping[str, Any] | None = None,
    attrs: Mapping[str, Any] | None = None,
) -> dict[str, xr.DataArray]:
    """Per-drug results ``values`` ``(B, N, *extra)`` as the layout's variables.

    Pairs: ``stem_row``/``stem_col`` on ``(block, *extra_dims)``; N drugs: ``stem`` on
    ``(block, drug, *extra_dims)``.  ``coords`` are added to each (e.g. the ``param`` axis).
    """
    found = layout_variables(
        screen,
        values,
        pair=fit_variables(screen, stem),
        wells=stem,
        extra_dims=extra_dims,
        attrs=attrs,
    )
    return {name: var.assign_coords(dict(coords or {})) for name, var in found.items()}


def per_drug_values(screen: xr.Dataset, stem: str, suffix: str = "") -> np.ndarray:
    """A per-drug result ``stem…suffix`` as one array ``(B, N, *rest)`` (drugs in the order
    of :func:`drug_names`), whatever the layout: the inverse of :func:`per_drug_variables`.

    ``rest`` are the variables' other dimensions in their order (e.g. ``param``).  Raises
    ``KeyError`` when the screen does not hold every variable of :func:`fit_variables`.
    """
    names = fit_variables(screen, stem, suffix)
    if is_multi(screen):
        return np.asarray(screen[names[0]].transpose("block", "drug", ...).values)
    parts = [np.asarray(screen[name].transpose("block", ...).values) for name in names]
    return np.stack(parts, axis=1)


def flat_values(screen: xr.Dataset, name: str) -> np.ndarray:
    """Variable ``name`` with each block's cells flattened: ``(B, W, *rest)``.

    ``rest`` are the variable's other dimensions in their order (e.g. ``replicate``); a pair
    grid's cell ``(row, col)`` is well ``row·C + col`` (C order).
    """
    cells = cell_dims(screen)
    var = screen[name].transpose("block", *cells, ...)
    values = np.asarray(var.values)
    n_cell = int(np.prod([screen.sizes[d] for d in cells]))
    return values.reshape(values.shape[0], n_cell, *values.shape[1 + len(cells) :])


def flat_doses(screen: xr.Dataset) -> np.ndarray:
    """Each well's doses ``(B, W, N)`` float64, C-contiguous, wells as in :func:`flat_values`
    (NaN: a padding well or an untested dose)."""
    doses, dims = _dose_axes(screen)
    cells = cell_dims(screen)
    n_block = screen.sizes["block"]
    shape = tuple(screen.sizes[d] for d in cells)
    columns = []
    for dose, dim in zip(doses, dims, strict=True):
        view = [n_block, *(screen.sizes[d] if d == dim else 1 for d in cells)]
        columns.append(
            np.broadcast_to(np.asarray(dose, np.float64).reshape(view), (n_block, *shape))
        )
    conc = np.stack(columns, axis=-1).reshape(n_block, int(np.prod(shape)), len(columns))
    return np.ascontiguousarray(conc)


def cell_array(
    screen: xr.Dataset,
    values: np.ndarray,
    extra_dims: Sequence[str] = (),
    attrs: Mapping[str, Any] | None = None,
) -> xr.DataArray:
    """Flat per-well ``values`` ``(B, W, *extra)`` back on the screen's dims
    ``(block, *cells, *extra_dims)`` (the inverse of :func:`flat_values`)."""
    cells = cell_dims(screen)
    shape = (values.shape[0], *(screen.sizes[d] for d in cells), *values.shape[2:])
    return xr.DataArray(
        np.reshape(values, shape),
        dims=("block", *cells, *extra_dims),
        coords=block_coords(screen),
        attrs=dict(attrs or {}),
    )


def require_pair(screen: xr.Dataset, what: str, instead: str) -> None:
    """Refuse an N-drug screen where only a pair grid is defined.

    Raises :class:`~synergy.errors.SynergyError` saying ``what`` needs drug pairs ``(block,
    row, col)`` and what to do ``instead``.
    """
    if is_multi(screen):
        raise SynergyError(
            f"{what} is defined for drug pairs (block, row, col); this screen holds "
            f"{n_drugs(screen)}-drug blocks (block, well, drug): {instead}"
        )


def layout_variables(
    screen: xr.Dataset,
    values: np.ndarray,
    *,
    pair: Sequence[str] | None,
    wells: str | None,
    extra_dims: Sequence[str] = (),
    drug_dims: Sequence[str] = (),
    attrs: Mapping[str, Any] | None = None,
) -> dict[str, xr.DataArray]:
    """Per-drug results ``values`` ``(B, N, *extra)`` under each layout's own names.

    A pair screen gets one variable per drug, ``pair[i]`` on ``(block, *extra_dims)``; an
    N-drug screen one variable ``wells`` on ``(block, drug, *extra_dims)``.  ``None`` where a
    result exists in one layout only (returns ``{}`` in the other).  ``drug_dims`` name the
    extra dimensions that index drugs too (they get the ``drug`` coordinate).
    """
    base = block_coords(screen)
    attrs = dict(attrs or {})
    if not is_multi(screen):
        if pair is None:
            return {}
        return {
            name: xr.DataArray(values[:, i], dims=("block", *extra_dims), coords=base, attrs=attrs)
            for i, name in enumerate(pair)
        }
    if wells is None:
        return {}
    drugs = screen["drug"].values
    dims = ("block", "drug", *extra_dims)
    var = xr.DataArray(values, dims=dims, coords=base, attrs=attrs)
    return {wells: var.assign_coords({"drug": drugs, **{d: drugs for d in drug_dims}})}


def require_wells(screen: xr.Dataset, what: str, instead: str) -> None:
    """Refuse a drug-pair screen where only the N-drug (well) layout is defined.

    Raises :class:`~synergy.errors.SynergyError` saying ``what`` needs N-drug blocks
    ``(block, well, drug)`` and what to do ``instead``.
    """
    if not is_multi(screen):
        raise SynergyError(
            f"{what} draws N-drug screens (block, well, drug); this is a drug-pair screen "
            f"(block, row, col): {instead}"
        )
