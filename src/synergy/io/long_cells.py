"""A checked long table indexed into a screen's cells, assembled whole or by shape group.

:func:`synergy.io.reader.screen_from_long` does every check and every whole-table step
(units, response kind, replicates, control averaging, input order) once, on the rows; what
it keeps is per row (block, cell and replicate index, value) or per block (dose grids as
``(block, rank, dose)`` entries, extents, controls) — nothing of the padded size.
:func:`assemble` then builds the dense screen of any subset of blocks, padded only to that
subset's largest grid: all blocks (the dense screen) or one shape group
(docs/design.md §16.4).  Both layouts go through the same code: pairs index a dose grid per
drug, N-drug screens the distinct dose combinations of each block.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from synergy.io.groups import plan_groups
from synergy.io.layout import cell_dims
from synergy.io.long_table import INPUT_ORDER_ATTRS
from synergy.io.screen import build_multi_screen, build_screen

__all__ = [
    "DoseIndex",
    "LongCells",
    "assemble",
    "dose_grids",
    "dose_wells",
    "unify_text_widths",
    "warn_if_large",
]


@dataclass(frozen=True)
class DoseIndex:
    """One padded dose axis of every block, held sparsely.

    Attributes
    ----------
    block : (E,) int64, the block of each entry
    rank : (E,) int64, the entry's position on the block's axis (0: the all-zero dose)
    dose : (E,) or (E, N) float64, its dose (pairs) or doses of each drug (wells)
    size : (B,) int64, entries per block: its extent along the axis
    """

    block: np.ndarray
    rank: np.ndarray
    dose: np.ndarray
    size: np.ndarray

    def dense(self, local: np.ndarray, n_local: int, width: int) -> np.ndarray:
        """The doses of the blocks with ``local >= 0`` at rows ``local``, NaN padded to
        ``width``: ``(n_local, width)`` or ``(n_local, width, N)``."""
        out = np.full((n_local, width, *self.dose.shape[1:]), np.nan)
        at = local[self.block]
        keep = at >= 0
        out[at[keep], self.rank[keep]] = self.dose[keep]
        return out


def _ranked(block_code: np.ndarray, keys: pd.DataFrame, n_block: int):
    """Distinct (block, dose…) entries ranked within their block (all-zero first; an
    all-zero entry is added where a block has none), and each row's rank."""
    doses = list(keys.columns)
    frame = keys.assign(b=block_code)
    uniq = frame.drop_duplicates().sort_values(["b", *doses], kind="stable")
    b = uniq["b"].to_numpy()
    has_zero = np.zeros(n_block, dtype=bool)
    has_zero[b[(uniq[doses].to_numpy() == 0).all(axis=1)]] = True
    rank = uniq.groupby("b").cumcount().to_numpy() + (~has_zero)[b]
    size = np.bincount(b, minlength=n_block) + (~has_zero)
    lookup = pd.Series(rank, index=pd.MultiIndex.from_frame(uniq[["b", *doses]]))
    row_rank = lookup.reindex(pd.MultiIndex.from_frame(frame[["b", *doses]])).to_numpy(np.int64)
    missing = np.flatnonzero(~has_zero)  # every block gets its all-zero dose (NaN wells)
    entries = np.concatenate(
        [uniq[doses].to_numpy(np.float64), np.zeros((missing.size, len(doses)))]
    )
    index = DoseIndex(
        block=np.concatenate([b, missing]).astype(np.int64),
        rank=np.concatenate([rank, np.zeros(missing.size, np.int64)]).astype(np.int64),
        dose=entries,
        size=size.astype(np.int64),
    )
    return index, row_rank


def dose_grids(
    block_code: np.ndarray, conc: np.ndarray, n_block: int
) -> tuple[DoseIndex, np.ndarray]:
    """Per-block ascending dose grid of one drug (0 first) and each row's dose index."""
    index, row_rank = _ranked(block_code, pd.DataFrame({"c": conc}), n_block)
    return DoseIndex(index.block, index.rank, index.dose[:, 0], index.size), row_rank


def dose_wells(
    block_code: np.ndarray, doses: list[np.ndarray], n_block: int
) -> tuple[DoseIndex, np.ndarray]:
    """Per-block wells (distinct dose combinations sorted by ``(conc_1, …, conc_N)``, the
    all-zero control first) and each row's well index."""
    keys = pd.DataFrame({f"c{k}": dose for k, dose in enumerate(doses)})
    return _ranked(block_code, keys, n_block)


@dataclass
class LongCells:
    """What :func:`assemble` needs of a checked long table; per row or per block only.

    ``axes`` holds one :class:`DoseIndex` per padded dimension (pairs: the row and column
    drug's grids; wells: the wells) and ``cells`` each row's index along them.  ``averaged``
    marks control rows averaged into cell 0 (``controls``: those blocks and their means);
    ``order_code``/``order_rank`` are the measured cells (flat into ``(B, *extent)``, the
    largest extents) and the input rank of their first row.
    """

    wells: bool
    block_ids: np.ndarray
    per_block: pd.DataFrame
    drugs: tuple[str, ...]
    axes: tuple[DoseIndex, ...]
    block_code: np.ndarray
    cells: tuple[np.ndarray, ...]
    rep_idx: np.ndarray
    n_rep: int
    values: np.ndarray
    averaged: np.ndarray
    controls: tuple[np.ndarray, np.ndarray]
    n_control: np.ndarray
    order_code: np.ndarray
    order_rank: np.ndarray
    common: dict[str, Any]
    extra_coords: dict[str, str]

    @property
    def extents(self) -> np.ndarray:
        """Each block's extent along each padded dimension, ``(B, n_dims)``."""
        return np.stack([axis.size for axis in self.axes], axis=1)

    @property
    def shape(self) -> tuple[int, ...]:
        """The dense screen's padded sizes (the largest extents)."""
        return tuple(int(axis.size.max()) for axis in self.axes)


def assemble(cells: LongCells, positions: np.ndarray) -> xr.Dataset:
    """The screen of the blocks at ``positions`` (ascending), padded to their largest grid.

    ``positions`` = every block gives the dense screen; one shape group gives that group
    exactly as :func:`synergy.io.groups.shape_groups` cuts it from the dense screen.
    """
    n_block = len(cells.block_ids)
    n_local = len(positions)
    local = np.full(n_block, -1, dtype=np.int64)
    local[positions] = np.arange(n_local)
    top = tuple(max(int(axis.size[positions].max()), 1) for axis in cells.axes)
    row_local = local[cells.block_code]
    rows = (row_local >= 0) & ~cells.averaged
    response = np.full((n_local, *top, cells.n_rep), np.nan)
    at = (row_local[rows], *(idx[rows] for idx in cells.cells), cells.rep_idx[rows])
    response[at] = cells.values[rows]
    blocks_avg, means = cells.controls
    in_group = local[blocks_avg] >= 0
    if in_group.any():
        at_control: tuple[Any, ...] = (local[blocks_avg[in_group]], *(0,) * len(cells.axes))
        response[at_control] = np.nan
        response[(*at_control, 0)] = means[in_group]
    per_block = cells.per_block.iloc[positions]
    coords = {
        name: ("block", per_block[col].to_numpy()) for name, col in cells.extra_coords.items()
    }
    common = {**cells.common, "n_control": cells.n_control[positions]}
    block_ids = np.asarray(cells.block_ids, dtype=str)[positions]
    if cells.wells:
        screen = build_multi_screen(
            block_ids,
            np.stack([per_block[d].astype(str).to_numpy() for d in cells.drugs], axis=1),
            per_block["sample"].astype(str).to_numpy(),
            cells.axes[0].dense(local, n_local, top[0]),
            response,
            extra_coords=coords,
            **common,
        )
    else:
        screen = build_screen(
            block=block_ids,
            drug_row=per_block["drug_row"].to_numpy(),
            drug_col=per_block["drug_col"].to_numpy(),
            sample=per_block["sample"].to_numpy(),
            conc_row=cells.axes[0].dense(local, n_local, top[0]),
            conc_col=cells.axes[1].dense(local, n_local, top[1]),
            response=response,
            extra_coords=coords,
            **common,
        )
    order = np.full((n_local, *top), -1, dtype=np.int64)
    where = np.unravel_index(cells.order_code, (n_block, *cells.shape))
    mine = local[where[0]] >= 0
    order[(local[where[0][mine]], *(w[mine] for w in where[1:]))] = cells.order_rank[mine]
    screen["input_order"] = (("block", *cell_dims(screen)), order, INPUT_ORDER_ATTRS)
    return screen


def unify_text_widths(groups: list[xr.Dataset]) -> list[xr.Dataset]:
    """Give each text variable of every group the widest group's dtype (``<U n``), as
    cutting the groups from one dense screen would."""
    for name, var in groups[0].variables.items():
        if var.dtype.kind != "U":
            continue
        widest = max((g.variables[name].dtype for g in groups), key=lambda d: d.itemsize)
        for group in groups:
            if group.variables[name].dtype != widest:
                group[name] = group.variables[name].astype(widest)
    return groups


def warn_if_large(cells: LongCells, limit: int) -> None:
    """Warn (scikit-learn style: what, and the call to use) when a table would be grouped
    and its dense screen would take more than ``limit`` bytes (response and input order)."""
    cells_per_block = int(np.prod(cells.shape))
    n_block = len(cells.block_ids)
    dense = n_block * cells_per_block * (cells.n_rep + 1) * 8  # response and input_order
    if dense <= limit:
        return
    if len(plan_groups(cells.extents, np.asarray(cells.shape))) == 1:
        return  # uniform enough: groups would not save memory
    real = int(np.prod(np.maximum(cells.extents, 1), axis=1).sum())
    warnings.warn(
        f"read_screen: the table is ragged ({n_block} blocks padded to "
        f"{' x '.join(map(str, cells.shape))} cells, {n_block * cells_per_block / real:.0f} "
        f"times their {real} cells) and its dense screen takes {dense / 2**30:.1f} GiB; "
        "read it as shape groups with read_screen(..., groups=True) and score the list with "
        "synergy.score_screen (docs/design.md §16.4)",
        UserWarning,
        stacklevel=4,
    )
