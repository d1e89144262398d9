"""Hatching of imputed and outlier wells over a block's matrix (docs/design.md §18).

``score(impute=, outliers=)`` adds the masks ``imputed`` and ``outlier`` (block, row, col,
replicate); a cell with any masked replicate is hatched: ``///`` imputed, ``xxx`` outlier.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["HATCHES", "hatch_masked"]

#: mask variable → (hatch, label)
HATCHES = {"imputed": ("///", "imputed"), "outlier": ("xxx", "outlier")}


def hatch_masked(ax, screen: xr.Dataset, view) -> int:
    """Hatch the masked cells of one block on ``ax`` (cell ``(c, r)`` centred at x=c, y=r).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes of the block's heatmap.
    screen : xarray.Dataset
        The screen (masks are read if present).
    view : synergy.plot.BlockView-like
        The block's view (``index``, ``conc_row``, ``conc_col``).

    Returns
    -------
    int
        Number of hatched cells.
    """
    from matplotlib.patches import Rectangle

    n_row, n_col = view.conc_row.size, view.conc_col.size
    drawn = 0
    for name, (hatch, label) in HATCHES.items():
        if name not in screen:
            continue
        mask = screen[name].transpose("block", "row", "col", ...).values[view.index]
        cells = np.asarray(mask, dtype=bool).reshape(mask.shape[0], mask.shape[1], -1).any(-1)
        for k, (r, c) in enumerate(np.argwhere(cells[:n_row, :n_col])):
            ax.add_patch(
                Rectangle(
                    (c - 0.5, r - 0.5),
                    1,
                    1,
                    fill=False,
                    hatch=hatch,
                    edgecolor="#222222",
                    linewidth=0.0,
                    label=label if k == 0 else None,
                )
            )
            drawn += 1
    return drawn
