"""Therapeutic-window figure: leukemic vs normal δ and inhibition, on the leukemic grid."""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.plot._common import (
    SYNERGYFINDER_CMAP,
    block_view,
    delta_image,
    label_dose_axes,
    model_label,
    new_figure,
    note,
    synergy_cmap,
)

__all__ = ["therapeutic_window"]


def therapeutic_window(
    screen: xr.Dataset,
    block: str | int,
    model: str = "zip",
    *,
    normal: str | int | None = None,
    cmap: str = "RdBu_r",
):
    """Leukemic minus normal cells, one block: difference of δ and of mean inhibition.

    Two heatmaps on the leukemic block's dose grid (:func:`synergy.window.therapeutic_window`
    computes them): ``δ_leukemic − δ_normal`` of ``model`` and the difference of the mean
    observed inhibition; positive (red) = more synergy / more killing in the leukemic cells.
    When the two blocks' dose grids differ the panels say so.

    Parameters
    ----------
    screen : xarray.Dataset
        A scored screen with a normal-cell block of the same drug pair (``sample_kind``
        coordinate) or ``normal=``.
    block : str or int
        The leukemic block (id or position).
    model : str, default "zip"
        δ surface to compare.
    normal : str or int, optional
        The normal-cell block (default: found through ``sample_kind``).
    cmap : str, default "RdBu_r"
        Diverging colour map (``"synergyfinder"`` for green–white–red).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from synergy.window import therapeutic_window as window

    view = block_view(screen, block)
    result = window(screen, view.index, model=model, normal=normal)
    normal_index = [str(v) for v in screen["block"].values].index(result.attrs["normal_block"])
    normal_sample = (
        str(screen["sample"].values[normal_index]) if "sample" in screen.coords else "normal"
    )
    fig = new_figure(10.4, 4.4)
    axes = fig.subplots(1, 2)
    colour = synergy_cmap(cmap if cmap != SYNERGYFINDER_CMAP else SYNERGYFINDER_CMAP)
    panels = (
        ("delta_difference", f"{model_label(model)} δ difference (% points)"),
        ("inhibition_difference", "inhibition difference (% points)"),
    )
    n_row, n_col = view.conc_row.size, view.conc_col.size
    for ax, (name, label) in zip(axes, panels, strict=True):
        values = np.asarray(result[name].values, dtype=np.float64)[:n_row, :n_col]
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            note(ax, result.attrs["method"])
            ax.set_title(label, fontsize=9)
            continue
        limit = max(5.0, float(np.ceil(np.abs(finite).max() / 5.0) * 5.0))
        image = delta_image(ax, values, colour, limit)
        label_dose_axes(ax, view)
        fig.colorbar(image, ax=ax, label=label, shrink=0.9)
        mean = float(result[f"{name}_mean"])
        ax.set_title(f"{label}\nmean over combination wells {mean:+.1f}", fontsize=9)
    axes[1].set_ylabel("")
    fig.suptitle(
        f"{view.drug_row} × {view.drug_col}: {view.sample} (block {view.block_id}) minus "
        f"{normal_sample} (block {result.attrs['normal_block']}) — {result.attrs['method']}",
        fontsize=10,
    )
    return fig
