"""Dose–response matrix (annotated heatmap) and plate QC (raw replicates, replicate SD)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.plot._common import (
    BlockView,
    block_view,
    format_number,
    label_dose_axes,
    new_figure,
)
from synergy.plot.masks import hatch_masked

__all__ = ["plate_qc", "replicate_sd", "response_matrix"]


def replicate_sd(response: np.ndarray) -> np.ndarray:
    """Replicate standard deviation of each well, in % points of inhibition.

    The sample sd (``ddof = 1``) over the non-missing replicates; NaN with fewer than two.
    (The CV of the raw signal, ``sd / mean viability``, is what plate readers report, but it
    explodes where viability approaches 0 — at the doses that matter — so the spread is
    shown on the response scale.)

    Parameters
    ----------
    response : ndarray (..., K)
        % inhibition, replicates on the last axis, NaN = no well.

    Returns
    -------
    ndarray (...)
        sd in % points.
    """
    y = np.asarray(response, dtype=np.float64)
    measured = np.isfinite(y)
    count = measured.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(measured, y, 0.0).sum(axis=-1) / count
        squares = np.where(measured, (y - mean[..., None]) ** 2, 0.0).sum(axis=-1)
        sd = np.sqrt(squares / (count - 1))
    return np.where(count >= 2, sd, np.nan)


def _annotate(ax, values: np.ndarray, image, digits: int) -> None:
    n_row, n_col = values.shape
    size = 8 if max(n_row, n_col) <= 8 else 6 if max(n_row, n_col) <= 12 else 0
    if size == 0:
        return
    for r in range(n_row):
        for c in range(n_col):
            value = values[r, c]
            if not np.isfinite(value):
                ax.text(c, r, "–", ha="center", va="center", fontsize=size, color="0.3")
                continue
            red, green, blue, _ = image.cmap(image.norm(value))
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(
                c,
                r,
                format_number(value, digits),
                ha="center",
                va="center",
                fontsize=size,
                color="white" if dark else "black",
            )


def _edges(ax, view: BlockView) -> None:
    """Outline the monotherapy edges (row 0 and column 0)."""
    from matplotlib.patches import Rectangle

    n_row, n_col = view.conc_row.size, view.conc_col.size
    style = {"fill": False, "edgecolor": "#444444", "linewidth": 1.4, "linestyle": "-"}
    ax.add_patch(Rectangle((-0.5, -0.5), n_col, 1, **style))
    ax.add_patch(Rectangle((-0.5, -0.5), 1, n_row, **style))


def _heat(ax, view: BlockView, values: np.ndarray, cmap: str, vmin, vmax, digits: int):
    import matplotlib

    colour = matplotlib.colormaps[cmap].with_extremes(bad="#eeeeee")
    image = ax.imshow(
        np.ma.masked_invalid(values),
        origin="lower",
        cmap=colour,
        vmin=vmin,
        vmax=vmax,
        aspect="auto",
        interpolation="nearest",
    )
    _annotate(ax, values, image, digits)
    label_dose_axes(ax, view)
    _edges(ax, view)
    return image


def response_matrix(screen: xr.Dataset, block: str | int, *, cmap: str = "YlOrRd"):
    """The dose–response matrix of one block: mean observed % inhibition, annotated.

    Cells are wells on the dose grid (column drug on x, row drug on y, zero doses labelled
    ``0``; the single-drug edges are outlined); each holds the mean over its non-missing
    replicates (``–`` where no well was measured).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen.
    block : str or int
        Block id (str) or position (int).
    cmap : str, default "YlOrRd"
        Sequential matplotlib colour map.

    Returns
    -------
    matplotlib.figure.Figure
    """
    view = block_view(screen, block)
    fig = new_figure(5.6, 4.6)
    ax = fig.add_subplot()
    values = view.mean_response()
    image = _heat(ax, view, values, cmap, 0.0, 100.0, 1 if values.shape[1] <= 8 else 0)
    hatch_masked(ax, screen, view)  # imputed / outlier wells (docs/design.md §18)
    n_rep = view.response.shape[-1]
    fig.colorbar(image, ax=ax, label=f"inhibition (%), mean of ≤ {n_rep} replicates")
    ax.set_title(f"{view.title}\nobserved response", fontsize=10)
    return fig


def plate_qc(screen: xr.Dataset, block: str | int, *, max_replicates: int = 4):
    """Plate QC of one block: every replicate's raw responses and the replicate CV.

    One heatmap per replicate (% inhibition as read, monotherapy edges outlined, missing
    wells grey) and one of the replicate spread (:func:`replicate_sd`, % points).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen.
    block : str or int
        Block id (str) or position (int).
    max_replicates : int, default 4
        Replicates shown (the CV uses all of them).

    Returns
    -------
    matplotlib.figure.Figure
    """
    view = block_view(screen, block)
    n_rep = view.response.shape[-1]
    shown = min(n_rep, max_replicates)
    fig = new_figure(3.5 * (shown + 1) + 0.6, 3.6)
    axes = fig.subplots(1, shown + 1, squeeze=False)[0]
    digits = 0
    image = None
    for k in range(shown):
        image = _heat(axes[k], view, view.response[..., k], "YlOrRd", 0.0, 100.0, digits)
        axes[k].set_title(f"replicate {k + 1}", fontsize=9)
    fig.colorbar(image, ax=axes[:shown], label="inhibition (%)", shrink=0.85)
    spread = replicate_sd(view.response)
    finite = spread[np.isfinite(spread)]
    top = max(10.0, float(np.ceil(finite.max() / 5.0) * 5.0)) if finite.size else 10.0
    sd_image = _heat(axes[-1], view, spread, "Purples", 0.0, top, 1)
    axes[-1].set_title("replicate SD (% points)", fontsize=9)
    fig.colorbar(sd_image, ax=axes[-1], label="SD (% points)", shrink=0.85)
    for ax in axes[1:]:
        ax.set_ylabel("")
    n_missing = int(np.sum(~np.isfinite(view.response)))
    fig.suptitle(
        f"{view.title} · plate QC ({n_rep} replicates, {n_missing} missing values)", fontsize=10
    )
    return fig
