"""δ of N-drug blocks (docs/design.md §1): slices through the dose cube, two drugs at a time.

An N-drug block is a flat list of wells with a dose of each drug (``conc (block, well,
drug)``); :func:`synergy.io.wells.dose_cube` places them on the block's dense dose grid, and
the figures draw that grid two drugs at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.io.layout import require_wells
from synergy.plot._common import (
    SYNERGYFINDER_CMAP,
    delta_image,
    format_dose,
    model_label,
    new_figure,
    score_text,
    select_block,
    status_text,
    synergy_cmap,
    unit_text,
)

__all__ = ["MultiView", "multi_view", "require_multi", "slice_landscapes"]


@dataclass(frozen=True)
class MultiView:
    """One N-drug block: its doses (W, N) without padding wells, and its labels."""

    index: int
    block_id: str
    drug_names: tuple[str, ...]
    sample: str
    unit: str
    conc: np.ndarray  # (W, N), padding wells removed
    keep: np.ndarray  # (W_all,) bool, the wells kept

    @property
    def title(self) -> str:
        return f"{' × '.join(self.drug_names)} · {self.sample} (block {self.block_id})"

    def dose_label(self, drug: int) -> str:
        name = self.drug_names[drug]
        return f"{name} ({self.unit})" if self.unit else name

    def well_values(self, screen: xr.Dataset, name: str) -> np.ndarray:
        """A (block, well) variable of this block, padding wells removed."""
        return np.asarray(screen[name].values[self.index], dtype=np.float64)[self.keep]


def require_multi(screen: xr.Dataset, figure: str) -> None:
    """Raise unless ``screen`` is an N-drug screen (``drug`` dimension)."""
    require_wells(screen, figure, "use synergy.plot.landscapes / dose_response")


def multi_view(screen: xr.Dataset, block: str | int) -> MultiView:
    """The :class:`MultiView` of ``block`` (id or position) of an N-drug screen."""
    i = select_block(screen, block)
    conc = np.asarray(screen["conc"].transpose("block", "well", "drug").values[i], np.float64)
    keep = np.isfinite(conc).all(axis=1)
    names = tuple(str(v) for v in np.asarray(screen["drug_name"].values[i]))
    sample = str(screen["sample"].values[i]) if "sample" in screen.coords else "sample"
    return MultiView(
        index=i,
        block_id=str(screen["block"].values[i]),
        drug_names=names,
        sample=sample,
        unit=unit_text(screen.attrs.get("conc_unit", "")),
        conc=conc[keep],
        keep=keep,
    )


def _drug_position(screen: xr.Dataset, view: MultiView, drug: int | str) -> int:
    """Position (0-based) of a drug given as its ``drug`` coordinate (1 … N) or its name."""
    labels = [int(v) for v in np.asarray(screen["drug"].values)]
    if isinstance(drug, str):
        if drug in view.drug_names:
            return view.drug_names.index(drug)
        raise SynergyError(
            f"block {view.block_id} has no drug {drug!r} (drugs: {', '.join(view.drug_names)})"
        )
    if isinstance(drug, (int, np.integer)) and int(drug) in labels:
        return labels.index(int(drug))
    raise SynergyError(
        f"drug {drug!r} is not a drug of the screen: give its number ({labels[0]} … "
        f"{labels[-1]}, the input's drug1 … drugN) or its name"
    )


def _fixed_wells(
    screen: xr.Dataset, view: MultiView, shown: list[int], at: Mapping[int | str, float] | None
) -> tuple[np.ndarray, list[str]]:
    """Wells of the block whose doses of the drugs not drawn equal ``at``; labels of these."""
    at = dict(at or {})
    fixed = {_drug_position(screen, view, k): float(v) for k, v in at.items()}
    if any(k in shown for k in fixed):
        drawn = ", ".join(view.drug_names[k] for k in fixed if k in shown)
        raise SynergyError(f"at= fixes {drawn}, which the figure draws on an axis or as panels")
    missing = [k for k in range(len(view.drug_names)) if k not in shown and k not in fixed]
    if missing:
        names = ", ".join(f"{k + 1} ({view.drug_names[k]})" for k in missing)
        raise SynergyError(
            f"block {view.block_id} has {len(view.drug_names)} drugs; a slice grid draws 3: fix "
            f"the dose of drug(s) {names} with at={{drug: dose}} (e.g. at={{{missing[0] + 1}: 0}})"
        )
    select = np.ones(view.conc.shape[0], dtype=bool)
    labels = []
    for k, dose in fixed.items():
        available = np.unique(view.conc[:, k])
        match = available[np.isclose(available, dose, rtol=1e-9, atol=0.0)]
        if match.size == 0:
            shown_doses = ", ".join(format_dose(d) for d in available)
            raise SynergyError(
                f"block {view.block_id}: {view.drug_names[k]} has no dose {dose:g} "
                f"(doses: {shown_doses})"
            )
        select &= view.conc[:, k] == match[0]
        labels.append(f"{view.drug_names[k]} {format_dose(match[0])}")
    return select, labels


def _ticks(axis, doses: np.ndarray, max_ticks: int) -> None:
    step = max(1, int(np.ceil(doses.size / max_ticks)))
    ticks = np.arange(0, doses.size, step)
    axis.set_ticks(ticks)
    axis.set_ticklabels([format_dose(doses[t]) for t in ticks])


def slice_landscapes(
    screen: xr.Dataset,
    block: str | int,
    model: str = "zip",
    *,
    drugs: tuple[int | str, int | str, int | str] | None = None,
    at: Mapping[int | str, float] | None = None,
    cmap: str = SYNERGYFINDER_CMAP,
    vmax: float | None = None,
    ncols: int | None = None,
    max_ticks: int = 6,
):
    """δ of an N-drug block as a grid of 2D heatmaps, one per dose of a third drug.

    Each panel is a slice of the block's dose cube (:func:`synergy.io.wells.dose_cube`)
    at one dose of the panel drug: the first drug on y, the second on x, in dose-index
    order with the zero dose its own row/column (labelled ``0``), so the panel at dose 0
    of the third drug is the plain pair.  All panels share one colour scale centred on 0
    (δ in % points, positive = synergy); wells without δ are grey.  The well of the
    largest δ (``<model>_max_conc``) is outlined where it falls in the drawn slices, and
    the block score is in the title.

    Parameters
    ----------
    screen : xarray.Dataset
        A scored N-drug screen (:func:`synergy.score`).
    block : str or int
        Block id (str) or position (int).
    model : str, default "zip"
        A δ surface (block, well) of the screen: ``zip``, ``bliss``, ``hsa``, ``loewe``.
    drugs : (y, x, panel), optional
        The drugs on the y axis, the x axis and across panels, as ``drug`` numbers (1 … N,
        the input's drug1 … drugN) or names; default ``(1, 2, 3)``.
    at : dict, optional
        For blocks of more than three drugs: the dose (``conc_unit``) at which each other
        drug is held, ``{drug: dose}`` (number or name).  Required for every drug not in
        ``drugs``.
    cmap : str, default "synergyfinder"
        ``"synergyfinder"`` (green antagonism – white – red synergy) or a matplotlib
        diverging map; ``"RdBu_r"`` and ``"PuOr_r"`` are colour-blind safe.
    vmax : float, optional
        Colour limit (± vmax); default the largest |δ| of the drawn wells rounded up to 5.
    ncols : int, optional
        Panels per row (default: at most 6, rows about equally full).
    max_ticks : int, default 6
        Most dose labels per axis.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    SynergyError
        On a pair screen, a model without a (block, well) δ, an unknown drug or dose, or a
        block of more than three drugs without ``at`` for the others.
    """
    from synergy.io.wells import dose_cube
    from synergy.plot._landscape import _limit

    require_multi(screen, "slice_landscapes")
    if model not in screen or screen[model].dims != ("block", "well"):
        scored = [m for m in ("zip", "bliss", "hsa", "loewe") if m in screen]
        raise SynergyError(
            f"the screen has no δ {model!r} (block, well); scored: "
            f"{', '.join(scored) or 'none — run synergy.score first'}"
        )
    view = multi_view(screen, block)
    n_drug = len(view.drug_names)
    wanted = drugs if drugs is not None else tuple(range(1, min(n_drug, 3) + 1))
    shown = [_drug_position(screen, view, d) for d in wanted]
    if len(set(shown)) != len(shown) or not 2 <= len(shown) <= 3:
        raise SynergyError(f"drugs= needs 2 or 3 different drugs (y, x[, panel]), got {wanted}")
    select, fixed_labels = _fixed_wells(screen, view, shown, at)
    delta = view.well_values(screen, model)[select]
    doses, cube = dose_cube(view.conc[select][:, shown], delta)
    if len(shown) == 2:
        doses, cube = [*doses, np.array([np.nan])], cube[:, :, None]
    limit = _limit(cube, vmax)
    n_panel = cube.shape[2]
    ncols = int(ncols) if ncols else int(np.ceil(n_panel / np.ceil(n_panel / 6)))
    ncols = max(1, min(ncols, n_panel))
    nrows = int(np.ceil(n_panel / ncols))
    fig, axes, cax = _grid(nrows, ncols, 2.5 if ncols > 2 else 3.4)
    colour = synergy_cmap(cmap)
    peak = _peak_cell(screen, view, model, shown, doses, fixed_labels, select)
    image = None
    for p, ax in enumerate(axes.ravel()[:n_panel]):
        image = delta_image(ax, cube[:, :, p], colour, limit)
        if len(shown) == 3:
            dose = doses[2][p]
            label = f"{view.drug_names[shown[2]]} {format_dose(dose)}"
            pair_only = dose == 0 and not np.any(np.delete(view.conc[select], shown, axis=1))
            ax.set_title(label + (" (pair only)" if pair_only else ""), fontsize=8.5)
        if peak is not None and peak[2] == p:
            from matplotlib.patches import Rectangle

            ax.add_patch(
                Rectangle(
                    (peak[1] - 0.5, peak[0] - 0.5),
                    1,
                    1,
                    fill=False,
                    edgecolor="black",
                    linewidth=1.8,
                    label="largest δ",
                )
            )
        if not np.isfinite(cube[:, :, p]).any():
            ax.text(0.5, 0.5, "no δ", ha="center", va="center", transform=ax.transAxes)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[n_panel:]:
        ax.set_visible(False)
    _ticks(axes[0, 0].yaxis, doses[0], max_ticks)
    _ticks(axes[0, 0].xaxis, doses[1], max_ticks)
    for ax in axes[:, 0]:
        ax.set_ylabel(view.dose_label(shown[0]), fontsize=8)
    for ax in axes.ravel()[max(0, n_panel - ncols) : n_panel]:
        ax.set_xlabel(view.dose_label(shown[1]), fontsize=8)
        ax.xaxis.set_tick_params(labelbottom=True, labelrotation=45)
    fig.colorbar(image, cax=cax, label=f"{model_label(model)} δ (% points; > 0 synergy)")
    title = f"{view.title}\n{score_text(screen, model, view.index)}"
    if fixed_labels:
        title += f" · slices at {', '.join(fixed_labels)}"
    if peak is not None:
        title += " · □ largest δ"
    fig.suptitle(title, fontsize=10.5, y=1 - 0.08 / fig.get_figheight(), va="top")
    status = status_text(screen, view.index)
    if status:
        short = status if len(status) < 150 else status[:149] + "…"
        fig.text(0.5, 0.005, short, ha="center", va="bottom", fontsize=7, color="0.35")
    return fig


def _grid(nrows: int, ncols: int, side: float):
    """A figure of ``nrows × ncols`` square-ish heatmap panels sharing axes, and a colour-bar
    axes; laid out by hand (margins in inches), which renders several times faster than
    matplotlib's constrained layout on a dozen panels."""
    left, right, bottom, top, gap_w, gap_h = 0.85, 1.25, 0.85, 0.75, 0.12, 0.32
    width = left + right + side * ncols + gap_w * (ncols - 1)
    height = bottom + top + 0.9 * side * nrows + gap_h * (nrows - 1)
    fig = new_figure(width, height, layout="none")
    axes = fig.subplots(
        nrows,
        ncols,
        squeeze=False,
        sharex=True,
        sharey=True,
        gridspec_kw={
            "left": left / width,
            "right": 1 - right / width,
            "bottom": bottom / height,
            "top": 1 - top / height,
            "wspace": gap_w / side,
            "hspace": gap_h / (0.9 * side),
        },
    )
    span = 1 - (top + bottom) / height
    cax = fig.add_axes(
        (1 - (right - 0.2) / width, bottom / height + 0.15 * span, 0.16 / width, 0.7 * span)
    )
    return fig, axes, cax


def _peak_cell(screen, view, model, shown, doses, fixed_labels, select):
    """(y, x, panel) indices of the ``<model>_max_conc`` well in the drawn cube, or None."""
    name = f"{model}_max_conc"
    if name not in screen or screen[name].dims != ("block", "drug"):
        return None
    where = np.asarray(screen[name].values[view.index], dtype=np.float64)
    if not np.isfinite(where).all():
        return None
    held = view.conc[select]
    others = [k for k in range(len(view.drug_names)) if k not in shown]
    if others and not np.all(held[0, others] == where[others]):
        return None  # the peak is in a slice not drawn
    cell = []
    for axis, k in enumerate(shown):
        hit = np.flatnonzero(doses[axis] == where[k])
        if hit.size == 0:
            return None
        cell.append(int(hit[0]))
    return (*cell, 0) if len(cell) == 2 else tuple(cell)
