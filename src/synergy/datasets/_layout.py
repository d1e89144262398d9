"""Per-block inputs of the simulator: Hill parameter tables and dose grids.

Used by :func:`synergy.datasets.simulate.simulate`: each block's monotherapy Hill parameters
(drawn, or taken from the caller and checked) and its dose grids (centred on the IC50, or
given), with random draws keyed by ``(seed, block id, purpose)``
(:func:`synergy.datasets.streams.block_uniforms`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from synergy.datasets.streams import block_uniforms
from synergy.errors import SynergyError
from synergy.hill.model import HILL_PARAMS

__all__ = [
    "HILL_PARAMS",
    "PURPOSE",
    "centred_grid",
    "grids",
    "hill_table",
    "pad",
    "per_block",
]

_HILL_DEFAULTS = {"hill_slope": 1.0, "bottom": 0.0, "top": 100.0}
PURPOSE = {"hill_row": 1, "hill_col": 2, "grid_row": 3, "grid_col": 4, "noise": 5, "missing": 6}


def per_block(value: Any, n_block: int, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n_block, float(arr))
    if arr.shape != (n_block,):
        raise SynergyError(f"{name} must be a number or have one value per block ({n_block})")
    return arr.copy()


def hill_table(spec: Any, block_ids: list[str], seed: int, purpose: str) -> np.ndarray:
    """Per-block Hill parameters, shape (B, 4) in the order of :data:`HILL_PARAMS`."""
    n_block = len(block_ids)
    if spec is None:
        table = np.empty((n_block, 4))
        for i, block_id in enumerate(block_ids):
            u_ic50, u_slope, u_top = block_uniforms(seed, block_id, PURPOSE[purpose], 3)
            table[i] = (10.0 ** (3.0 * u_ic50), 0.7 + 2.3 * u_slope, 0.0, 60.0 + 40.0 * u_top)
        return table
    if isinstance(spec, Mapping):
        unknown = set(spec) - set(HILL_PARAMS)
        if unknown or "ic50" not in spec:
            raise SynergyError(
                f"{purpose}: keys must be among {HILL_PARAMS} and include 'ic50', "
                f"got {sorted(spec)}"
            )
        columns = [per_block(spec.get(k, _HILL_DEFAULTS.get(k)), n_block, k) for k in HILL_PARAMS]
        table = np.stack(columns, axis=1)
    else:
        table = np.asarray(spec, dtype=np.float64)
        if table.shape == (4,):
            table = np.tile(table, (n_block, 1))
        if table.shape != (n_block, 4):
            raise SynergyError(
                f"{purpose} must be a mapping or an array of shape (4,) or ({n_block}, 4) "
                f"ordered {HILL_PARAMS}, got shape {table.shape}"
            )
    bad = ~np.all(np.isfinite(table), axis=1) | (table[:, 0] <= 0) | (table[:, 1] <= 0)
    if bad.any():
        raise SynergyError(
            f"{purpose}: ic50 and hill_slope must be finite and > 0 "
            f"(blocks {[block_ids[i] for i in np.flatnonzero(bad)][:5]})"
        )
    return table


def centred_grid(ic50: float, n_doses: int, dose_step: float) -> np.ndarray:
    """0 followed by ``n_doses − 1`` doses in steps of ``dose_step``, centred on ``ic50``."""
    k = np.arange(n_doses - 1) - (n_doses - 2) / 2.0
    return np.concatenate([[0.0], ic50 * dose_step**k])


def grids(
    spec: Any,
    ic50: np.ndarray,
    block_ids: list[str],
    *,
    n_doses: int,
    dose_step: float,
    ragged: bool,
    seed: int,
    purpose: str,
) -> list[np.ndarray]:
    """One 1-D dose grid per block (first dose 0, ascending)."""
    n_block = len(block_ids)
    if spec is None:
        grids = []
        for i, block_id in enumerate(block_ids):
            n = n_doses
            if ragged:
                fewest = max(3, (n_doses + 1) // 2)
                u = block_uniforms(seed, block_id, PURPOSE[purpose], 1)[0]
                n = fewest + int(u * (n_doses + 1 - fewest))
            grids.append(centred_grid(ic50[i], n, dose_step))
        return grids
    if isinstance(spec, np.ndarray) and spec.ndim == 2:
        rows = list(spec)
    elif isinstance(spec[0], Sequence | np.ndarray):
        rows = list(spec)  # one grid per block, possibly ragged
    else:
        rows = [spec] * n_block
    if len(rows) != n_block:
        raise SynergyError(f"{purpose}: got {len(rows)} dose grids for {n_block} blocks")
    grids = []
    for block_id, row in zip(block_ids, rows, strict=True):
        grid = np.asarray(row, dtype=np.float64)
        grid = grid[np.isfinite(grid)]
        if grid.size < 2 or grid[0] != 0.0 or np.any(np.diff(grid) <= 0):
            raise SynergyError(
                f"block {block_id!r}: {purpose} must ascend from 0 (include the zero dose) "
                f"with at least one positive dose, got {grid.tolist()}"
            )
        grids.append(grid)
    return grids


def pad(grids: list[np.ndarray]) -> np.ndarray:
    out = np.full((len(grids), max(g.size for g in grids)), np.nan)
    for i, grid in enumerate(grids):
        out[i, : grid.size] = grid
    return out
