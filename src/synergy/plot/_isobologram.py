"""Isobologram (Loewe additivity) of one block at chosen effect levels."""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.plot._common import block_view, new_figure, note

__all__ = ["isobologram"]


def isobologram(
    screen: xr.Dataset,
    block: str | int,
    effects: tuple[float, ...] = (30.0, 50.0, 70.0),
    *,
    limit: float = 1.6,
):
    """Normalised isobologram: observed iso-effect curves against Loewe additivity.

    For each effect level ``y`` (% inhibition) the doses are scaled by the dose at which
    each drug alone reaches ``y`` (``X_row(y)``, ``X_col(y)``: the inverse of the fitted
    Hill curves ``hill_row``/``hill_col``, :func:`synergy.hill.inverse`), so Loewe
    additivity is the line ``x_row / X_row + x_col / X_col = 1`` for every level.  The
    observed iso-effect curve is the ``y`` contour of the mean observed response on the
    scaled dose grid: below the line = synergy (less drug needed), above = antagonism.
    Levels a drug alone never reaches are listed, not drawn.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen with Hill fits (:func:`synergy.hill.fit_screen` or :func:`synergy.score`).
    block : str or int
        Block id (str) or position (int).
    effects : tuple of float, default (30, 50, 70)
        Effect levels, % inhibition.
    limit : float, default 1.6
        Axis limit in units of the single-drug iso-effect dose.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    from synergy.hill.model import inverse

    view = block_view(screen, block)
    fig = new_figure(5.4, 5.0)
    ax = fig.add_subplot()
    ax.set_title(f"{view.title}\nisobologram (Loewe)", fontsize=10)
    if "hill_row" not in screen or "hill_col" not in screen:
        note(ax, "no Hill fits: run synergy.hill.fit_screen or synergy.score")
        return fig
    p_row = np.asarray(screen["hill_row"].values[view.index], dtype=np.float64)
    p_col = np.asarray(screen["hill_col"].values[view.index], dtype=np.float64)
    mean = view.mean_response()
    colours = matplotlib.colormaps["viridis"](np.linspace(0.1, 0.85, max(len(effects), 1)))
    ax.plot([0, 1], [1, 0], color="0.3", lw=1.2, ls="--", label="Loewe additivity")
    skipped = []
    n_row, n_col = mean.shape
    complete = np.isfinite(mean).all() and n_row >= 2 and n_col >= 2
    for effect, colour in zip(effects, colours, strict=True):
        x_row = float(inverse(effect, *p_row))
        x_col = float(inverse(effect, *p_col))
        if not (np.isfinite(x_row) and np.isfinite(x_col)):
            who = [d for d, x in ((view.drug_row, x_row), (view.drug_col, x_col)) if not x > 0]
            skipped.append(f"{effect:g} %: not reached by {' and '.join(who)} alone")
            continue
        finite = mean[np.isfinite(mean)]
        if not complete or not finite.min() < effect < finite.max():
            skipped.append(f"{effect:g} %: no observed iso-effect curve")
            continue
        grid_x, grid_y = np.meshgrid(view.conc_col / x_col, view.conc_row / x_row)
        ax.contour(grid_x, grid_y, mean, levels=[effect], colors=[colour], linewidths=1.8)
        ax.plot([], [], color=colour, lw=1.8, label=f"observed {effect:g} % inhibition")
    ax.set_xlim(0, limit)
    ax.set_ylim(0, limit)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{view.drug_col} dose / dose alone for the effect")
    ax.set_ylabel(f"{view.drug_row} dose / dose alone for the effect")
    ax.grid(alpha=0.25)
    ax.legend(fontsize=7.5, loc="upper right")
    if skipped:
        ax.text(
            0.02,
            0.02,
            "\n".join(skipped),
            transform=ax.transAxes,
            fontsize=7,
            color="0.35",
            va="bottom",
        )
    return fig
