"""Synergy landscapes: the δ surface of any model as a 2D heatmap or a 3D surface."""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.models.registry import surface_models
from synergy.plot._common import (
    SYNERGYFINDER_CMAP,
    BlockView,
    block_view,
    delta_image,
    label_dose_axes,
    model_label,
    new_figure,
    note,
    score_text,
    status_text,
    synergy_cmap,
)

__all__ = ["landscape", "landscape_3d", "landscapes"]


def _delta(screen: xr.Dataset, view: BlockView, model: str) -> np.ndarray:
    if model not in screen or screen[model].dims != ("block", "row", "col"):
        scored = surface_models(screen)
        raise SynergyError(
            f"the screen has no δ surface {model!r} (block, row, col); scored: "
            f"{', '.join(scored) or 'none — run synergy.score first'}"
        )
    return view.surface(screen, model)


def _limit(delta: np.ndarray, vmax: float | None) -> float:
    if vmax is not None:
        return float(vmax)
    finite = np.abs(delta[np.isfinite(delta)])
    top = float(finite.max()) if finite.size else 1.0
    return max(5.0, float(np.ceil(top / 5.0) * 5.0))


def _contour_levels(delta: np.ndarray, limit: float) -> np.ndarray:
    finite = delta[np.isfinite(delta)]
    if finite.size == 0:
        return np.array([])
    from matplotlib.ticker import MaxNLocator

    levels = MaxNLocator(nbins=8).tick_values(-limit, limit)
    return levels[(levels > finite.min()) & (levels < finite.max())]


def _draw_heatmap(ax, screen: xr.Dataset, view: BlockView, model: str, cmap, vmax, contours):
    delta = _delta(screen, view, model)
    limit = _limit(delta, vmax)
    image = delta_image(ax, delta, cmap, limit)
    label_dose_axes(ax, view)
    n_row, n_col = delta.shape
    finite = np.isfinite(delta)
    if contours and n_row >= 2 and n_col >= 2 and finite.all():
        levels = _contour_levels(delta, limit)
        if levels.size:
            lines = ax.contour(
                np.arange(n_col),
                np.arange(n_row),
                delta,
                levels=levels,
                colors="0.25",
                linewidths=0.7,
            )
            ax.clabel(lines, fmt="%g", fontsize=7)
    msa_row, msa_col = f"{model}_msa_row", f"{model}_msa_col"
    if msa_row in screen and msa_col in screen:
        r0 = int(screen[msa_row].values[view.index])
        c0 = int(screen[msa_col].values[view.index])
        if r0 >= 0 and c0 >= 0:
            from matplotlib.patches import Rectangle

            ax.add_patch(
                Rectangle(
                    (c0 - 0.5, r0 - 0.5),
                    3,
                    3,
                    fill=False,
                    edgecolor="black",
                    linewidth=2,
                    linestyle="--",
                    label="most synergistic 3×3 area",
                )
            )
            ax.legend(loc="upper left", fontsize=6.5, framealpha=0.8, handlelength=1.6)
    if not finite.any():
        ax.text(0.5, 0.5, "no δ (see status)", ha="center", va="center", transform=ax.transAxes)
    return image


def landscape(
    screen: xr.Dataset,
    block: str | int,
    model: str = "zip",
    *,
    cmap: str = SYNERGYFINDER_CMAP,
    vmax: float | None = None,
    contours: bool = True,
):
    """2D synergy landscape of one block: δ of ``model`` on the dose grid.

    Cells are wells in dose-index order (column drug on x, row drug on y, the zero dose of
    each drug its own column/row labelled ``0``), coloured on a diverging scale centred on
    0 (δ in % points; positive = synergy), with contour lines, the most synergistic 3×3 area
    (``<model>_msa_row``/``_col``) outlined, and the block score in the title (with its CI
    and p-value when ``<model>_score_low``/``_high``/``_pvalue`` exist).  Missing wells are
    grey.

    Parameters
    ----------
    screen : xarray.Dataset
        A scored screen (:func:`synergy.score`).
    block : str or int
        Block id (str) or position (int).
    model : str, default "zip"
        Any δ surface in the screen: ``zip``, ``bliss``, ``hsa``, ``loewe``, ...
    cmap : str, default "synergyfinder"
        ``"synergyfinder"`` (green antagonism – white – red synergy) or a matplotlib
        diverging map; ``"RdBu_r"`` and ``"PuOr_r"`` are colour-blind safe.
    vmax : float, optional
        Colour limit (± vmax); default the largest |δ| rounded up to 5.
    contours : bool, default True
        Draw contour lines (only on blocks without missing wells).

    Returns
    -------
    matplotlib.figure.Figure
    """
    view = block_view(screen, block)
    fig = new_figure(5.6, 4.6)
    ax = fig.add_subplot()
    image = _draw_heatmap(ax, screen, view, model, synergy_cmap(cmap), vmax, contours)
    fig.colorbar(image, ax=ax, label=f"{model_label(model)} δ (% points; > 0 synergy)")
    title = f"{view.title}\n{score_text(screen, model, view.index)}"
    status = status_text(screen, view.index)
    ax.set_title(title, fontsize=10)
    if status:
        fig.supxlabel(_shorten(status, 90), fontsize=7, color="0.35")
    return fig


def landscapes(
    screen: xr.Dataset,
    block: str | int,
    models: tuple[str, ...] | None = None,
    *,
    cmap: str = SYNERGYFINDER_CMAP,
    contours: bool = True,
    ncols: int = 2,
):
    """The 2D landscapes of several models side by side, on one colour scale.

    Parameters
    ----------
    screen : xarray.Dataset
        A scored screen.
    block : str or int
        Block id or position.
    models : tuple of str, optional
        Default: every reference model scored (``zip``, ``bliss``, ``hsa``, ``loewe``).
    cmap : str
        As :func:`landscape`.
    contours : bool
        As :func:`landscape`.
    ncols : int, default 2
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    view = block_view(screen, block)
    if models is None:
        found = surface_models(screen)
        order = [m for m in ("zip", "bliss", "hsa", "loewe", "musyc") if m in found]
        models = tuple(order + [m for m in found if m not in order])
    if not models:
        raise SynergyError("the screen holds no δ surface: run synergy.score first")
    surfaces = [_delta(screen, view, m) for m in models]
    stacked = np.concatenate([s.ravel() for s in surfaces])
    limit = _limit(stacked, None)
    n = len(models)
    ncols = max(1, min(n, ncols))
    nrows = int(np.ceil(n / ncols))
    width = 4.6 if ncols <= 2 else 3.7
    fig = new_figure(width * ncols + 0.9, 0.85 * width * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    colour = synergy_cmap(cmap)
    image = None
    for ax, model in zip(axes.ravel(), models, strict=False):
        image = _draw_heatmap(ax, screen, view, model, colour, limit, contours)
        ax.set_title(score_text(screen, model, view.index), fontsize=9)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.colorbar(image, ax=axes, label="δ (% points; > 0 synergy)", shrink=0.8)
    fig.suptitle(view.title, fontsize=11)
    status = status_text(screen, view.index)
    if status:
        fig.supxlabel(_shorten(status, 150), fontsize=7, color="0.35")
    return fig


def landscape_3d(
    screen: xr.Dataset,
    block: str | int,
    model: str = "zip",
    *,
    cmap: str = SYNERGYFINDER_CMAP,
    vmax: float | None = None,
    elev: float = 28.0,
    azim: float = -130.0,
):
    """3D synergy landscape: δ of ``model`` as a surface over the dose-index grid.

    Same data, colour scale and title as :func:`landscape`; wells without δ leave a hole.

    Parameters
    ----------
    screen : xarray.Dataset
        A scored screen.
    block : str or int
        Block id or position.
    model : str, default "zip"
        Any δ surface in the screen.
    cmap, vmax : as :func:`landscape`
    elev, azim : float
        View angles (degrees).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    view = block_view(screen, block)
    delta = _delta(screen, view, model)
    limit = _limit(delta, vmax)
    colour = synergy_cmap(cmap)
    norm = Normalize(-limit, limit)
    fig = new_figure(6.6, 5.4, layout="none")
    ax = fig.add_axes((0.02, 0.02, 0.8, 0.86), projection="3d")
    n_row, n_col = delta.shape
    x, y = np.meshgrid(np.arange(n_col), np.arange(n_row))
    if np.isfinite(delta).any() and n_row >= 2 and n_col >= 2:
        ax.plot_surface(
            x,
            y,
            np.ma.masked_invalid(delta),
            cmap=colour,
            norm=norm,
            rstride=1,
            cstride=1,
            linewidth=0.3,
            edgecolor="0.35",
            antialiased=True,
        )
        finite = delta[np.isfinite(delta)]
        ax.set_zlim(min(-5.0, float(finite.min())), max(5.0, float(finite.max())))
    else:
        note(ax, "no δ surface to draw (see status)")
    label_dose_axes(ax, view, max_ticks=6)
    ax.tick_params(axis="both", labelsize=7, pad=1)
    ax.tick_params(axis="x", labelrotation=0)
    ax.xaxis.labelpad = 8
    ax.yaxis.labelpad = 8
    ax.set_zlabel("δ (% points)", labelpad=4)
    ax.view_init(elev=elev, azim=azim)
    ax.set_box_aspect(None, zoom=0.88)
    cax = fig.add_axes((0.86, 0.25, 0.025, 0.5))
    fig.colorbar(ScalarMappable(norm, colour), cax=cax, label=f"{model_label(model)} δ")
    fig.suptitle(f"{view.title}\n{score_text(screen, model, view.index)}", fontsize=10)
    return fig


def _shorten(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
