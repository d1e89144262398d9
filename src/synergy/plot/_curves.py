"""Dose–response curves of each drug of a block alone: wells, fitted Hill curve, 95 % band.

One drawing for pair blocks (:func:`dose_response`: the row and the column drug) and N-drug
blocks (:func:`drug_curves`: every drug); the two differ only in where a drug's wells and
fit are stored (:func:`_pair_drugs`, :func:`_multi_drugs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy.plot._common import (
    BlockView,
    block_view,
    dose_interval_text,
    format_dose,
    ic50_text,
    interval_identified,
    new_figure,
)

__all__ = ["dose_response", "drug_curves"]

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


@dataclass(frozen=True)
class DrugData:
    """One drug of a block alone: what its curve panel draws."""

    name: str
    tested: np.ndarray  # every dose of the drug in the block (x range)
    doses: np.ndarray  # (P,) dose of each single-drug point (0 = control)
    wells: np.ndarray  # (P,) % inhibition of each point (every replicate), NaN = none
    params: np.ndarray  # (4,) stored Hill fit, NaN = none
    ci: np.ndarray  # (2,) IC50 interval
    status: str  # the fit's flag word ("" when the screen has none)
    fallback: bool  # drc's L.4 fallback model was fitted


def _zero_position(doses: np.ndarray) -> tuple[float, float, float]:
    """Where to draw dose 0 on a log axis: one grid step (or a decade) below the lowest dose."""
    positive = np.unique(doses[np.isfinite(doses) & (doses > 0)])
    if positive.size == 0:
        return 0.1, 1.0, 10.0
    low, high = float(positive[0]), float(positive[-1])
    ratio = float(positive[1] / positive[0]) if positive.size > 1 else 10.0
    ratio = min(max(ratio, 2.0), 10.0)
    return low / ratio, low, high


def data_ylim(*responses: np.ndarray) -> tuple[float, float]:
    """y range of a curve panel: the measured wells and the 0–100 % scale, 6 % margin.

    Set from the data, never from the fits: a degenerate fit's band (which can run to
    ±10^4 %) is clipped to this range rather than hiding the wells.
    """
    finite = [np.asarray(r, dtype=np.float64) for r in responses]
    finite = [r[np.isfinite(r)] for r in finite]
    values = np.concatenate([*finite, np.array([0.0, 100.0])])
    low, high = float(values.min()), float(values.max())
    margin = 0.06 * (high - low)
    return low - margin, high + margin


def clip_to(values: np.ndarray, ylim: tuple[float, float]) -> np.ndarray:
    """``values`` clipped to the axes' y range (NaN kept): bands end on the frame."""
    return np.clip(np.asarray(values, dtype=np.float64), ylim[0], ylim[1])


def _word(screen: xr.Dataset, name: str, index) -> str:
    if name not in screen:
        return ""
    code = int(np.asarray(screen[name].values)[index])
    return status_codes.decode(screen[name].attrs).get(code, f"code {code}").replace("_", " ")


def _stored(screen: xr.Dataset, name: str, index, size: int) -> np.ndarray:
    if name not in screen:
        return np.full(size, np.nan)
    return np.asarray(np.asarray(screen[name].values)[index], dtype=np.float64)


def _pair_drugs(screen: xr.Dataset, view: BlockView) -> list[DrugData]:
    """The row and the column drug of a pair block (wells at the other drug's dose 0)."""
    out = []
    for side, doses, wells, name in (
        ("row", view.conc_row, view.response[:, 0, :], view.drug_row),
        ("col", view.conc_col, view.response[0, :, :], view.drug_col),
    ):
        fit = f"hill_{side}"
        out.append(
            DrugData(
                name=name,
                tested=doses,
                doses=np.repeat(doses, wells.shape[1]),
                wells=wells.ravel(),
                params=_stored(screen, fit, view.index, 4),
                ci=_stored(screen, f"{fit}_ic50_ci", view.index, 2),
                status=_word(screen, f"{fit}_status", view.index),
                fallback=bool(_stored(screen, f"{fit}_model", view.index, 1).ravel()[0] == 1),
            )
        )
    return out


def _multi_drugs(screen: xr.Dataset, view) -> list[DrugData]:
    """Every drug of an N-drug block (wells where it is the only drug, and the control)."""
    from synergy.hill.screen import single_drug_arrays

    conc, wells = single_drug_arrays(screen.isel(block=[view.index]), replicates="all")
    i, n = view.index, len(view.drug_names)
    return [
        DrugData(
            name=view.drug_names[k],
            tested=view.conc[:, k],
            doses=conc[k],
            wells=wells[k],
            params=_stored(screen, "hill", (i, k), 4),
            ci=_stored(screen, "hill_ic50_ci", (i, k), 2),
            status=_word(screen, "hill_status", (i, k)),
            fallback=bool(_stored(screen, "hill_model", (i, k), 1).ravel()[0] == 1),
        )
        for k in range(n)
    ]


def _bands(screen: xr.Dataset, index: int, drugs: list[DrugData], level: float):
    """Each drug's dose grid (160 log-spaced doses, then 0) and the fit with its band there,
    (D, 161) each (:func:`synergy.hill.band.screen_bands`: one call for the block)."""
    from synergy.hill.band import screen_bands

    grids = []
    for drug in drugs:
        _, low, high = _zero_position(drug.tested)
        grids.append(np.append(np.geomspace(low / 1.5, high * 1.5, 160), 0.0))
    grid = np.stack(grids)
    if not any(np.all(np.isfinite(d.params)) for d in drugs):
        nan = np.full(grid.shape, np.nan)
        return grid, nan, nan.copy(), nan.copy()
    fitted, lower, upper = screen_bands(screen.isel(block=[index]), grid[None], level=level)
    return grid, fitted[0], lower[0], upper[0]


def _draw_drug(ax, drug: DrugData, colour: str, band, unit: str, level: float, ylim) -> None:
    """One drug's panel: wells, their means, the fit and its band clipped to ``ylim``, the
    band at dose 0, the IC50 with its interval, the fit in words."""
    x_zero, low, high = _zero_position(drug.tested)
    finite = np.isfinite(drug.doses) & np.isfinite(drug.wells)
    doses, wells = drug.doses[finite], drug.wells[finite]
    plot_dose = np.where(doses > 0, doses, x_zero)
    ax.scatter(
        plot_dose, wells, s=14, color=colour, alpha=0.45, linewidths=0, label="replicate wells"
    )
    levels = np.unique(doses)
    mean = np.array([wells[doses == d].mean() for d in levels])
    ax.plot(np.where(levels > 0, levels, x_zero), mean, "o", mfc="white", mec=colour, ms=5,
            label="mean")  # fmt: skip
    grid, fitted, lower, upper = band
    if np.all(np.isfinite(drug.params)):
        ax.plot(grid[:-1], clip_to(fitted[:-1], ylim), color=colour, lw=1.8, label="Hill fit")
        if np.isfinite(lower[:-1]).any():
            ax.fill_between(
                grid[:-1],
                clip_to(lower[:-1], ylim),
                clip_to(upper[:-1], ylim),
                where=np.isfinite(lower[:-1]),
                color=colour,
                alpha=0.18,
                linewidth=0,
                label=f"{100 * level:.0f} % confidence band",
            )
        zero_fit, zero_lo, zero_hi = (clip_to(v[-1:], ylim) for v in (fitted, lower, upper))
        if np.isfinite(zero_lo[0]):
            ax.errorbar([x_zero], zero_fit, yerr=[zero_fit - zero_lo, zero_hi - zero_fit],
                        fmt="_", color=colour, ms=12, capsize=3)  # fmt: skip
        mark_ic50(ax, drug.params, drug.ci, unit, (x_zero, high * 1.5), (low, high))
        p = drug.params
        text = f"slope {p[1]:.2g}, bottom {p[2]:.3g}, top {p[3]:.3g} %"
        if drug.fallback:
            text += "\nL.4 fallback fit"
        if drug.status and drug.status not in ("converged", "ok"):
            text += f"\nfit: {drug.status}"
    else:
        text = f"no Hill fit ({drug.status or 'not fitted'})"
    if not finite.any():
        text += "\nno single-drug wells"
    ax.text(0.02, 0.97, text, transform=ax.transAxes, va="top", fontsize=7.5, color="0.25")
    ax.set_xscale("log")
    ax.set_xlim(x_zero / 1.6, high * 1.6)
    _dose_ticks(ax, x_zero, low, high)
    ax.axvline(np.sqrt(x_zero * low), color="0.6", lw=0.8, ls=":")
    ax.set_xlabel(f"{drug.name} ({unit})" if unit else drug.name)
    ax.set_title(f"{drug.name} alone", fontsize=10)
    ax.grid(alpha=0.25)


def _curves_figure(screen, index, title, unit, drugs, *, level, ncols, legend):
    """The panels of ``drugs`` (``ncols`` per row) on one y range from the wells."""
    ncols = max(1, min(ncols, len(drugs)))
    nrows = int(np.ceil(len(drugs) / ncols))
    fig = new_figure(4.8 * ncols, 3.6 * nrows + 0.4)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    ylim = data_ylim(*(d.wells for d in drugs))
    grid, fitted, lower, upper = _bands(screen, index, drugs, level)
    for k, (ax, drug) in enumerate(zip(axes.ravel(), drugs, strict=False)):
        band = (grid[k], fitted[k], lower[k], upper[k])
        _draw_drug(ax, drug, COLOURS[k % len(COLOURS)], band, unit, level, ylim)
        ax.legend(fontsize=7, loc=legend, framealpha=0.85)
    for ax in axes.ravel()[len(drugs) :]:
        ax.set_visible(False)
    axes[0, 0].set_ylim(*ylim)
    for ax in axes[:, 0]:
        ax.set_ylabel("inhibition (%)")
    fig.suptitle(title, fontsize=11)
    return fig


def mark_ic50(ax, params, ci, unit: str, xlim, tested: tuple[float, float]) -> None:
    """IC50 as a diamond at mid-effect with its interval ``ci`` (NaN: none), labelled.

    The label caps the IC50 at the ``tested`` doses as SynergyFinder does (``> top dose``)
    and names an interval that does not bound it "not identified"; an IC50 outside
    ``xlim`` is named in the legend only; the interval is clipped to ``xlim``.
    """
    ic50, _, bottom, top = params
    mid = 0.5 * (bottom + top)
    unit = f" {unit}" if unit else ""
    label = f"IC50 {ic50_text(ic50, *tested)}{unit}"
    identified = interval_identified(*ci)
    interval = dose_interval_text(ci[0], ci[1], *tested, sep=", ")
    label += f" [{interval}]" if identified else ", CI not identified"
    if not xlim[0] <= ic50 <= xlim[1]:
        ax.plot([], [], " ", label=label)
        return
    if identified:
        lo, hi = max(ci[0], xlim[0]), min(ci[1], xlim[1])
        ax.errorbar(
            [ic50],
            [mid],
            xerr=[[max(ic50 - lo, 0.0)], [max(hi - ic50, 0.0)]],
            fmt="D",
            color="black",
            ms=5,
            capsize=3,
            lw=1.2,
            label=label,
        )
    else:
        ax.plot([ic50], [mid], "D", color="black", ms=5, label=label)


def _dose_ticks(ax, x_zero: float, low: float, high: float) -> None:
    from matplotlib.ticker import FixedLocator, NullLocator

    first = int(np.ceil(np.log10(low / 1.5)))
    last = int(np.floor(np.log10(high * 1.5)))
    decades = [10.0**k for k in range(first, last + 1)]
    if len(decades) > 6:
        decades = decades[:: int(np.ceil(len(decades) / 6))]
    ticks = [x_zero, *decades]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels(["0", *(format_dose(d) for d in decades)])


def dose_response(screen: xr.Dataset, block: str | int, *, level: float = 0.95):
    """Dose–response curves of the row and column drug of one block.

    Each panel shows the single-drug wells (replicates as points, their mean as open
    circles, the zero dose at its own position left of a dotted break), the fitted Hill
    curve (``hill_row``/``hill_col``) with its pointwise confidence band clipped to the
    y range of the wells and the 0–100 % scale (``data_ylim``)
    (:func:`synergy.hill.band.screen_bands`, delta method, as
    :func:`synergy.hill.band.block_band`), and the IC50 with its Wald interval
    (``hill_<side>_ic50_ci``).  Failed fits show the wells and the fit status.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen with Hill fits (:func:`synergy.hill.fit_screen` or :func:`synergy.score`);
        without fits only the wells are drawn.
    block : str or int
        Block id (str) or position (int).
    level : float, default 0.95
        Coverage of the confidence band.

    Returns
    -------
    matplotlib.figure.Figure
    """
    view = block_view(screen, block)
    drugs = _pair_drugs(screen, view)
    return _curves_figure(
        screen, view.index, view.title, view.unit, drugs, level=level, ncols=2,
        legend="lower right",
    )  # fmt: skip


def drug_curves(screen: xr.Dataset, block: str | int, *, level: float = 0.95, ncols: int = 3):
    """Dose–response curve of each drug of an N-drug block, alone.

    One panel per drug, drawn as :func:`dose_response` draws a pair's: its single-drug
    wells (every replicate as a point, the mean as an open circle;
    :func:`synergy.hill.screen.single_drug_arrays`), the zero dose at its own position left
    of a dotted break on the log axis, the fitted Hill curve (``hill``) with its pointwise
    confidence band (:func:`synergy.hill.band.screen_bands`), and the IC50 with its Wald
    interval (``hill_ic50_ci``).  Drugs without a fit show their wells and the fit status.

    Parameters
    ----------
    screen : xarray.Dataset
        An N-drug screen with single-drug fits (:func:`synergy.score` or
        :func:`synergy.hill.fit_screen`); without fits only the wells are drawn.
    block : str or int
        Block id (str) or position (int).
    level : float, default 0.95
        Coverage of the confidence band.
    ncols : int, default 3
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from synergy.plot._slices import multi_view, require_multi

    require_multi(screen, "drug_curves")
    view = multi_view(screen, block)
    drugs = _multi_drugs(screen, view)
    return _curves_figure(
        screen, view.index, view.title, view.unit, drugs, level=level, ncols=ncols,
        legend="best",
    )  # fmt: skip
