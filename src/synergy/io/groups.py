"""Screens grouped by grid shape: memory and time proportional to the wells (docs/design.md §16).

A dense screen pads every block to the largest grid (docs/design.md §1): one 100×100 block
among 5,000 3×3 blocks makes every block 100×100.  The scoring core and the batch path
therefore work on *shape groups*: the blocks whose grids have similar extents, each group
trimmed to its own largest grid.  :func:`shape_groups` splits a dense screen,
:func:`join_groups` puts scored groups back into one dense screen in the input's block order,
and a ragged screen too large to hold densely is simply kept as the list of its groups
(:func:`synergy.batch.score_screen` scores such a list group by group).

The padded dimensions are ``row``/``col`` for pairs and ``well`` for N drugs; a block's
extent along one of them is one past its last finite dose.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import xarray as xr

from synergy.io.layout import cell_dims, dose_coords

__all__ = [
    "DENSE_WASTE_LIMIT",
    "POSITIONS_ATTR",
    "fill_value",
    "grid_extents",
    "group_plan",
    "join_groups",
    "join_groups_lazily",
    "padded_dims",
    "plan_groups",
    "shape_groups",
]

#: group a screen only when its dense grids hold more than this many times its real cells
DENSE_WASTE_LIMIT = 2.0
#: attribute of a shape group: the positions of its blocks in the whole screen (int64)
POSITIONS_ATTR = "block_positions"


def padded_dims(screen: xr.Dataset) -> tuple[str, ...]:
    """The dimensions a block's grid is padded along: ``("well",)`` for N drugs, else
    ``("row", "col")`` (:func:`synergy.io.layout.cell_dims`)."""
    return cell_dims(screen)


def _extent(conc: np.ndarray) -> np.ndarray:
    """One past the last index along axis 1 with a finite dose, per block (any further axes
    are reduced: a well counts when any of its doses is finite)."""
    finite = np.isfinite(conc)
    if finite.ndim > 2:
        finite = finite.reshape(finite.shape[0], finite.shape[1], -1).any(axis=2)
    n = finite.shape[1]
    last = n - np.argmax(finite[:, ::-1], axis=1)
    return np.where(finite.any(axis=1), last, 0).astype(np.int64)


def grid_extents(screen: xr.Dataset) -> np.ndarray:
    """Each block's grid extent along :func:`padded_dims`, shape ``(block, n_padded_dims)``."""
    if padded_dims(screen) == ("well",):
        return _extent(screen["conc"].transpose("block", "well", "drug").values)[:, None]
    rows = _extent(screen["conc_row"].transpose("block", "row").values)
    cols = _extent(screen["conc_col"].transpose("block", "col").values)
    return np.stack([rows, cols], axis=1)


def _bucket(extent: np.ndarray) -> np.ndarray:
    """Extents rounded up to a power of two: at most 2× padding per dimension."""
    return np.left_shift(1, np.ceil(np.log2(np.maximum(extent, 1))).astype(np.int64))


def group_plan(screen: xr.Dataset, waste_limit: float | None = None) -> list[np.ndarray]:
    """Positions of the blocks of each shape group, in block order within a group.

    One group (every block) when the dense grids hold at most ``waste_limit`` times the
    blocks' own grid cells; otherwise one group per power-of-two bucket of the extents
    (each padded only to its own largest grid), ordered by their first block.
    ``waste_limit`` defaults to ``DENSE_WASTE_LIMIT`` (2.0); 0 always groups.
    """
    needed = dose_coords(screen)
    if "block" not in screen.dims or any(name not in screen for name in needed):
        return [np.arange(screen.sizes.get("block", 0))]  # not a screen: score says why
    full = np.array([screen.sizes[d] for d in padded_dims(screen)], dtype=np.int64)
    return plan_groups(grid_extents(screen), full, waste_limit)


def plan_groups(
    extents: np.ndarray, full: np.ndarray, waste_limit: float | None = None
) -> list[np.ndarray]:
    """:func:`group_plan` from the blocks' extents ``(block, n_padded_dims)`` and the dense
    sizes ``full`` of the padded dimensions (readers plan the groups before any screen exists)."""
    waste_limit = DENSE_WASTE_LIMIT if waste_limit is None else waste_limit
    n_blocks = extents.shape[0]
    real = np.prod(np.maximum(extents, 1), axis=1).sum()
    if n_blocks == 0 or n_blocks * np.prod(full) <= waste_limit * real:
        return [np.arange(n_blocks)]
    keys = _bucket(extents)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    return [np.flatnonzero(inverse.ravel() == g) for g in order]


def shape_groups(screen: xr.Dataset, plan: Sequence[np.ndarray] | None = None) -> list[xr.Dataset]:
    """The screen as groups of blocks, each trimmed to its largest grid.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (either layout).
    plan : sequence of int arrays, optional
        Block positions of each group (default :func:`group_plan`).

    Returns
    -------
    list of xarray.Dataset
        One screen per group, with the input's attrs and ``attrs["block_positions"]``
        (``POSITIONS_ATTR``): its blocks' positions in ``screen``, which
        :func:`join_groups` uses to put them back in order.
    """
    plan = group_plan(screen) if plan is None else plan
    extents = grid_extents(screen)
    dims = padded_dims(screen)
    groups = []
    for positions in plan:
        top = extents[positions].max(axis=0) if positions.size else np.zeros(len(dims), int)
        trim = {d: slice(0, max(int(t), 1)) for d, t in zip(dims, top, strict=True)}
        group = screen.isel(block=positions).isel(trim)
        group.attrs = {**group.attrs, POSITIONS_ATTR: np.asarray(positions, dtype=np.int64)}
        groups.append(group)
    return groups


def fill_value(dtype: np.dtype):
    """What a cell holds where a block has no value: NaN, False, −1 (codes, counts) or ""."""
    if dtype.kind in "fc":
        return np.nan
    if dtype.kind == "b":
        return False
    if dtype.kind in "iu":
        return -1
    return ""


def join_groups(
    groups: Sequence[xr.Dataset],
    plan: Sequence[np.ndarray] | None = None,
    sizes: dict[str, int] | None = None,
) -> xr.Dataset:
    """One dense Dataset from groups of blocks (e.g. scored groups), in block order.

    Parameters
    ----------
    groups : sequence of xarray.Dataset
        Group ``g`` holds the blocks at positions ``plan[g]`` of the result.
    plan : sequence of int arrays, optional
        As :func:`group_plan` returns (together a permutation of ``0 … B−1``).  Default:
        each group's ``attrs["block_positions"]`` when every group has it (groups of
        :func:`shape_groups` or ``read_screen(..., groups=True)``), else the groups one
        after another (``join_groups`` then concatenates screens of different grids into
        one dense screen).
    sizes : dict, optional
        Sizes of the padded dimensions of the result (e.g. the input's ``row``/``col``).
        Default: the largest of the groups'.

    Returns
    -------
    xarray.Dataset
        Every variable of the first group; variables along ``block`` gathered from all
        groups, padded cells NaN (float), False (bool), −1 (integer) or "" (text).
        Attributes (but ``block_positions``) and variables without ``block`` come from
        the first group.
    """
    first = groups[0]
    if plan is None and all(POSITIONS_ATTR in g.attrs for g in groups):
        plan = [np.asarray(g.attrs[POSITIONS_ATTR], dtype=np.int64) for g in groups]
    if plan is None:
        starts = np.cumsum([0] + [g.sizes["block"] for g in groups])
        plan = [np.arange(a, b) for a, b in itertools.pairwise(starts)]
    if sizes is None:
        sizes = {d: max(g.sizes[d] for g in groups) for d in padded_dims(first)}
    n_blocks = sum(len(p) for p in plan)
    variables = {}
    for name, var in first.variables.items():
        if "block" not in var.dims:
            variables[name] = var
            continue
        parts = [g.variables[name] for g in groups]
        shape = [n_blocks if d == "block" else sizes.get(str(d), var.sizes[d]) for d in var.dims]
        dtype = np.result_type(*(p.dtype for p in parts))
        if dtype.kind in "USO":
            dtype = np.dtype(object)
        data = np.full(shape, fill_value(dtype), dtype=dtype)
        for part, positions in zip(parts, plan, strict=True):
            index = tuple(positions if d == "block" else slice(0, part.sizes[d]) for d in part.dims)
            data[index] = part.values
        if np.dtype(first.variables[name].dtype).kind in "U":
            data = data.astype(str)
        variables[name] = xr.Variable(var.dims, data, attrs=var.attrs, encoding=var.encoding)
    coords = {name: variables[name] for name in first.coords}
    data_vars = {name: variables[name] for name in first.data_vars}
    attrs = {k: v for k, v in first.attrs.items() if k != POSITIONS_ATTR}
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def join_groups_lazily(
    groups: Sequence[xr.Dataset],
    plan: Sequence[np.ndarray] | None = None,
    sizes: dict[str, int] | None = None,
    chunk_blocks: int = 256,
) -> xr.Dataset:
    """:func:`join_groups` without holding the dense screen: a padded numeric variable is
    a dask array whose chunks (``chunk_blocks`` blocks each) are gathered from the groups
    when computed, e.g. chunk by chunk by ``save_screen``; the rest is joined at once.

    Without dask (the ``dask`` extra) this is :func:`join_groups`.  The values are the same
    either way, so ``.load()`` of the result is identical to ``join_groups(groups, …)``.
    """
    try:
        import dask
        import dask.array as dsa
    except ImportError:  # pragma: no cover - dask is an optional extra
        return join_groups(groups, plan, sizes)
    if plan is None and all(POSITIONS_ATTR in g.attrs for g in groups):
        plan = [np.asarray(g.attrs[POSITIONS_ATTR], dtype=np.int64) for g in groups]
    if plan is None:
        starts = np.cumsum([0] + [g.sizes["block"] for g in groups])
        plan = [np.arange(a, b) for a, b in itertools.pairwise(starts)]
    dims = padded_dims(groups[0])
    if sizes is None:
        sizes = {d: max(g.sizes[d] for g in groups) for d in dims}
    padded = [
        name
        for name, var in groups[0].variables.items()
        if "block" in var.dims and set(var.dims) & set(dims) and var.dtype.kind in "fiub"
    ]
    small = [g.drop_vars(padded) for g in groups]
    joined = join_groups(small, plan, sizes)
    n_blocks = joined.sizes["block"]
    for name in padded:
        var = groups[0].variables[name]
        parts = [g.variables[name] for g in groups]
        dtype = np.result_type(*(p.dtype for p in parts))
        pieces = []
        for start in range(0, n_blocks, chunk_blocks):
            stop = min(start + chunk_blocks, n_blocks)
            shape = tuple(
                stop - start if d == "block" else sizes.get(str(d), var.sizes[d]) for d in var.dims
            )
            gather = dask.delayed(_gather, pure=True)(parts, plan, start, shape, dtype, var.dims)
            pieces.append(dsa.from_delayed(gather, shape=shape, dtype=dtype))
        data = dsa.concatenate(pieces, axis=var.dims.index("block"))
        variable = xr.Variable(var.dims, data, attrs=var.attrs, encoding=var.encoding)
        if name in groups[0].coords:
            joined = joined.assign_coords({name: variable})
        else:
            joined[name] = variable
    return joined


def _gather(parts, plan, start, shape, dtype, dims) -> np.ndarray:
    """Blocks ``start … start + shape[block]`` of one variable, from the groups holding them."""
    axis = dims.index("block")
    data = np.full(shape, fill_value(np.dtype(dtype)), dtype=dtype)
    for part, positions in zip(parts, plan, strict=True):
        mine = np.flatnonzero((positions >= start) & (positions < start + shape[axis]))
        if not mine.size:
            continue
        index = tuple(
            positions[mine] - start if d == "block" else slice(0, part.sizes[d]) for d in dims
        )
        data[index] = part.isel(block=mine).values
    return data
