"""Therapeutic window of one block: leukemic minus normal δ and inhibition, well by well.

The per-block view used by :func:`synergy.plot.therapeutic_window` and the report, over the
numbers of :func:`synergy.stats.therapeutic_window` (one implementation).  Which sample is
normal comes from the ``sample_kind`` coordinate (``"normal"``) or is given explicitly
(docs/design.md §6.22).  Blocks on the same dose grid are compared well by well; blocks on
different grids on the normal block's fitted surface at this block's doses (which needs ZIP
scored; without it the result says why and holds NaN).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.errors import SynergyError

__all__ = ["find_normal_block", "therapeutic_window"]


def _position(screen: xr.Dataset, block: str | int) -> int:
    ids = [str(v) for v in np.asarray(screen["block"].values)]
    if isinstance(block, (int, np.integer)) and not isinstance(block, bool):
        if not -len(ids) <= int(block) < len(ids):
            raise SynergyError(f"block position {block} is out of range ({len(ids)} blocks)")
        return int(block) % len(ids)
    if str(block) not in ids:
        raise SynergyError(f"no block with id {block!r} in the screen")
    return ids.index(str(block))


def find_normal_block(screen: xr.Dataset, block: str | int) -> int | None:
    """Position of the normal-cell block of the same drug pair as ``block`` (None if none).

    The first block with the same ``drug_row`` and ``drug_col`` whose ``sample_kind`` is
    ``"normal"``.

    Raises
    ------
    SynergyError
        When the screen has no ``sample_kind`` coordinate (say which block is normal with
        ``normal=``).
    """
    if "sample_kind" not in screen.coords:
        raise SynergyError(
            "the screen has no 'sample_kind' coordinate: name the normal-cell block with normal="
        )
    i = _position(screen, block)
    kind = np.asarray(screen["sample_kind"].values).astype(str)
    same = (np.asarray(screen["drug_row"].values) == screen["drug_row"].values[i]) & (
        np.asarray(screen["drug_col"].values) == screen["drug_col"].values[i]
    )
    hits = np.flatnonzero(same & (kind == "normal"))
    hits = hits[hits != i]
    return int(hits[0]) if hits.size else None


def therapeutic_window(
    screen: xr.Dataset,
    block: str | int,
    *,
    model: str = "zip",
    normal: str | int | None = None,
) -> xr.Dataset:
    """Leukemic-minus-normal differences of δ and of mean inhibition for one block.

    ``delta_difference = δ_block − δ_normal`` (``model``'s δ, % points) and
    ``inhibition_difference = ȳ_block − ȳ_normal`` (mean observed % inhibition over the
    replicates), well by well on the block's dose grid; positive values mean more synergy /
    more killing in the (leukemic) block than in the normal cells.

    Parameters
    ----------
    screen : xarray.Dataset
        A scored screen (holding ``model``).
    block : str or int
        The leukemic block (id or position).
    model : str, default "zip"
        δ surface to compare.
    normal : str or int, optional
        The normal-cell block; default :func:`find_normal_block`.

    Returns
    -------
    xarray.Dataset
        ``delta_difference``, ``inhibition_difference`` (row, col) and their means over
        the combination wells (``delta_difference_mean``, ``inhibition_difference_mean``;
        non-zero doses of both drugs, non-missing), with coordinates
        ``conc_row``, ``conc_col`` of the block; attrs ``block``, ``normal_block``,
        ``model``, ``method`` (``"same dose grid, well by well"`` or why not compared: the
        differences are then NaN).
    """
    if model not in screen:
        raise SynergyError(f"the screen has no δ surface {model!r}: run synergy.score first")
    i = _position(screen, block)
    j = find_normal_block(screen, i) if normal is None else _position(screen, normal)
    if j is None:
        raise SynergyError(
            f"block {screen['block'].values[i]!s}: no normal-cell block of the same drug pair"
            " (sample_kind == 'normal'); pass normal="
        )
    from synergy.stats.window import therapeutic_window as compare_samples

    two = screen.isel(block=[i, j]).assign_coords(
        sample_kind=("block", ["leukemic", "normal"]),
        drug_row=("block", [str(screen["drug_row"].values[i])] * 2),
        drug_col=("block", [str(screen["drug_col"].values[i])] * 2),
        sample=("block", ["block", "normal"]),
    )
    conc_row = np.asarray(screen["conc_row"].values[i], dtype=np.float64)
    conc_col = np.asarray(screen["conc_col"].values[i], dtype=np.float64)
    try:
        pair = compare_samples(two, n_boot=0).isel(pair=0)
    except SynergyError as exc:  # different grids and no fitted surface to compare on
        nan = np.full((conc_row.size, conc_col.size), np.nan)
        d_delta, d_inhib, method = nan, nan.copy(), f"not compared: {exc}"
    else:
        d_delta = pair[f"{model}_difference"].values
        d_inhib = pair["inhibition_difference"].values
        method = (
            "same dose grid, well by well"
            if str(pair["grid_method"].values) == "observed"
            else "different dose grids: the normal block's fitted surface at this block's "
            "doses (log10-dose interpolation, no extrapolation; synergy.stats.therapeutic_window)"
        )
    dims = ("row", "col")
    combo = np.zeros(d_delta.shape, dtype=bool)
    combo[1:, 1:] = True
    means = {}
    for name, values in (("delta_difference", d_delta), ("inhibition_difference", d_inhib)):
        used = combo & np.isfinite(values)
        means[f"{name}_mean"] = xr.DataArray(
            float(values[used].mean()) if used.any() else np.nan,
            attrs={"units": "%", "long_name": f"mean {name} over the combination wells"},
        )
    return xr.Dataset(
        {
            **means,
            "delta_difference": xr.DataArray(
                d_delta, dims=dims, attrs={"units": "%", "long_name": f"{model} δ difference"}
            ),
            "inhibition_difference": xr.DataArray(
                d_inhib, dims=dims, attrs={"units": "%", "long_name": "mean inhibition difference"}
            ),
        },
        coords={"conc_row": ("row", conc_row), "conc_col": ("col", conc_col)},
        attrs={
            "block": str(screen["block"].values[i]),
            "normal_block": str(screen["block"].values[j]),
            "model": model,
            "method": method,
        },
    )
