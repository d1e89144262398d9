"""Dose–response curves of the two drugs of a block: wells, fitted Hill curve, 95 % band."""

from __future__ import annotations

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

__all__ = ["dose_response"]

_COLOURS = {"row": "#1f77b4", "col": "#d62728"}


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


def _status_word(screen: xr.Dataset, side: str, index: int) -> str:
    name = f"hill_{side}_status"
    if name not in screen:
        return ""
    code = int(screen[name].values[index])
    return status_codes.decode(screen[name].attrs).get(code, f"code {code}").replace("_", " ")


def _draw_side(
    ax, screen: xr.Dataset, view: BlockView, side: str, level: float, ylim: tuple[float, float]
) -> None:
    from synergy.hill.band import block_band

    colour = _COLOURS[side]
    if side == "row":
        doses, wells, drug = view.conc_row, view.response[:, 0, :], view.drug_row
    else:
        doses, wells, drug = view.conc_col, view.response[0, :, :], view.drug_col
    x_zero, low, high = _zero_position(doses)
    plot_dose = np.where(doses > 0, doses, x_zero)
    rep_x = np.repeat(plot_dose[:, None], wells.shape[1], axis=1)
    measured = np.isfinite(wells)
    ax.scatter(
        rep_x[measured],
        wells[measured],
        s=14,
        color=colour,
        alpha=0.45,
        linewidths=0,
        label="replicate wells",
    )
    count = measured.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, np.nansum(wells, axis=1) / np.maximum(count, 1), np.nan)
    has = np.isfinite(mean)
    ax.plot(plot_dose[has], mean[has], "o", mfc="white", mec=colour, ms=5, label="mean")

    name = f"hill_{side}"
    params = (
        np.asarray(screen[name].values[view.index], dtype=np.float64)
        if name in screen
        else np.full(4, np.nan)
    )
    status = _status_word(screen, side, view.index)
    if np.all(np.isfinite(params)):
        grid = np.geomspace(low / 1.5, high * 1.5, 160)
        fitted, lower, upper = block_band(screen, view.index, side, grid, level=level)
        ax.plot(grid, clip_to(fitted, ylim), color=colour, lw=1.8, label="Hill fit")
        if np.isfinite(lower).any():
            ax.fill_between(
                grid,
                clip_to(lower, ylim),
                clip_to(upper, ylim),
                where=np.isfinite(lower),
                color=colour,
                alpha=0.18,
                linewidth=0,
                label=f"{100 * level:.0f} % confidence band",
            )
        zero_fit, zero_lo, zero_hi = block_band(
            screen, view.index, side, np.array([0.0]), level=level
        )
        zero_fit, zero_lo, zero_hi = (clip_to(v, ylim) for v in (zero_fit, zero_lo, zero_hi))
        if np.isfinite(zero_lo[0]):
            ax.errorbar(
                [x_zero],
                zero_fit,
                yerr=[[zero_fit[0] - zero_lo[0]], [zero_hi[0] - zero_fit[0]]],
                fmt="_",
                color=colour,
                ms=12,
                capsize=3,
            )
        _mark_ic50(ax, screen, view, side, params, (low, high), (x_zero, high * 1.5))
        text = f"slope {params[1]:.2g}, bottom {params[2]:.3g}, top {params[3]:.3g} %"
        if status and status not in ("converged", "ok"):
            text += f"\nfit: {status}"
    else:
        text = f"no Hill fit ({status or 'not fitted'})"
    ax.text(0.02, 0.97, text, transform=ax.transAxes, va="top", fontsize=7.5, color="0.25")
    ax.set_xscale("log")
    ax.set_xlim(x_zero / 1.6, high * 1.6)
    _dose_ticks(ax, x_zero, low, high)
    ax.axvline(np.sqrt(x_zero * low), color="0.6", lw=0.8, ls=":")
    ax.set_xlabel(f"{drug} ({view.unit})" if view.unit else drug)
    ax.set_title(f"{drug} alone", fontsize=10)
    ax.grid(alpha=0.25)


def _mark_ic50(ax, screen, view, side, params, tested, xlim) -> None:
    ci_name = f"hill_{side}_ic50_ci"
    ci = (
        np.asarray(screen[ci_name].values[view.index], dtype=np.float64)
        if ci_name in screen
        else np.full(2, np.nan)
    )
    mark_ic50(ax, params, ci, view.unit, xlim, tested)


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
    (:func:`synergy.hill.band.block_band`, delta method), and the IC50 with its Wald
    interval (``hill_<side>_ic50_ci``).  Failed fits show the wells and the fit status.

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
    fig = new_figure(9.6, 4.0)
    axes = fig.subplots(1, 2, sharey=True)
    ylim = data_ylim(view.response[:, 0, :], view.response[0, :, :])
    for ax, side in zip(axes, ("row", "col"), strict=True):
        _draw_side(ax, screen, view, side, level, ylim)
        ax.legend(fontsize=7, loc="lower right", framealpha=0.85)
    axes[0].set_ylim(*ylim)
    axes[0].set_ylabel("inhibition (%)")
    fig.suptitle(view.title, fontsize=11)
    return fig
