"""Dose–response curves of each drug of an N-drug block (docs/design.md §1)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy.plot._common import new_figure
from synergy.plot._curves import _dose_ticks, _zero_position, clip_to, data_ylim, mark_ic50
from synergy.plot._multi import _DRUG_COLOURS, MultiView, multi_view, require_multi

__all__ = ["drug_curves"]


def _status_words(screen: xr.Dataset, name: str, index: int, drug: int) -> str:
    if name not in screen:
        return ""
    code = int(screen[name].values[index, drug])
    return status_codes.decode(screen[name].attrs).get(code, f"code {code}")


def drug_curves(screen: xr.Dataset, block: str | int, *, level: float = 0.95, ncols: int = 3):
    """Dose–response curve of each drug of an N-drug block, alone.

    One panel per drug: its single-drug wells (every replicate as a point, the replicate
    mean as an open circle; :func:`synergy.hill.multi.single_drug_arrays`), the zero dose
    at its own position left of a dotted break on the log axis, the fitted Hill curve
    (``hill``, evaluated with :func:`synergy.hill.evaluate`) with its pointwise confidence
    band (:func:`synergy.hill.band.confidence_band` with the Wald covariance of
    :meth:`synergy.hill.HillFit.from_params` at the stored parameters, as
    :func:`synergy.hill.band.block_band` does for pairs), and the IC50 with its Wald
    interval (``hill_ic50_ci``).  Drugs without a fit show their wells and the fit status.

    Parameters
    ----------
    screen : xarray.Dataset
        An N-drug screen with single-drug fits (:func:`synergy.score` or
        :func:`synergy.hill.multi.fit_multi_screen`); without fits only the wells are drawn.
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
    from synergy.hill.multi import single_drug_arrays

    require_multi(screen, "drug_curves")
    view = multi_view(screen, block)
    one = screen.isel(block=[view.index])
    conc_all, resp_all = single_drug_arrays(one, replicates="all")
    conc_mean, resp_mean = single_drug_arrays(one, replicates="mean")
    fitted_on = str(screen["hill"].attrs.get("replicates", "all")) if "hill" in screen else "all"
    fit_data = (conc_mean, resp_mean) if fitted_on == "mean" else (conc_all, resp_all)
    n_drug = len(view.drug_names)
    ncols = max(1, min(ncols, n_drug))
    nrows = int(np.ceil(n_drug / ncols))
    fig = new_figure(3.9 * ncols + 0.4, 3.5 * nrows + 0.6)
    ylim = data_ylim(resp_all)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    for k, ax in enumerate(axes.ravel()[:n_drug]):
        _draw_drug(
            ax,
            screen,
            view,
            k,
            (conc_all[k], resp_all[k]),
            (conc_mean[k], resp_mean[k]),
            (fit_data[0][k], fit_data[1][k], level),
            ylim,
        )
    for ax in axes.ravel()[n_drug:]:
        ax.set_visible(False)
    # y range of the wells and the 0-100 % scale: curves and bands are clipped to it
    axes[0, 0].set_ylim(*ylim)
    for ax in axes[:, 0]:
        ax.set_ylabel("inhibition (%)")
    fig.suptitle(view.title, fontsize=11)
    return fig


def _band(grid: np.ndarray, params: np.ndarray, fit_data) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise band of one drug's stored fit (the Wald covariance at the stored parameters
    from the wells it was fitted to; no refit), as block_band for pairs."""
    from synergy.hill.band import confidence_band
    from synergy.hill.fit import HillFit

    dose, response, level = fit_data
    wrapped = HillFit.from_params(*params, conc=dose, response=response)
    df = float(wrapped.n_points - np.sum(np.isnan(wrapped.fixed)))
    _, lower, upper = confidence_band(grid, params, wrapped.covariance, level=level, df=df)
    return lower, upper


def _draw_drug(
    ax, screen: xr.Dataset, view: MultiView, k: int, points, means, fit_data, ylim
) -> None:
    from synergy.hill import evaluate

    colour = _DRUG_COLOURS[k % len(_DRUG_COLOURS)]
    doses = view.conc[:, k]
    x_zero, low, high = _zero_position(doses)
    x, y = points
    has = np.isfinite(x) & np.isfinite(y)
    ax.scatter(
        np.where(x[has] > 0, x[has], x_zero),
        y[has],
        s=14,
        color=colour,
        alpha=0.45,
        linewidths=0,
        label="replicate wells",
    )
    xm, ym = means
    has = np.isfinite(xm) & np.isfinite(ym)
    ax.plot(
        np.where(xm[has] > 0, xm[has], x_zero),
        ym[has],
        "o",
        mfc="white",
        mec=colour,
        ms=5,
        label="mean",
    )
    params = (
        np.asarray(screen["hill"].values[view.index, k], dtype=np.float64)
        if "hill" in screen
        else np.full(4, np.nan)
    )
    status = _status_words(screen, "hill_status", view.index, k).replace("_", " ")
    if np.all(np.isfinite(params)):
        grid = np.geomspace(low / 1.5, high * 1.5, 160)
        fitted = clip_to(evaluate(grid, *params), ylim)
        ax.plot(grid, fitted, color=colour, lw=1.8, label="Hill fit")
        lower, upper = _band(grid, params, fit_data)
        if np.isfinite(lower).any():
            ax.fill_between(
                grid,
                clip_to(lower, ylim),
                clip_to(upper, ylim),
                where=np.isfinite(lower),
                color=colour,
                alpha=0.18,
                linewidth=0,
                label=f"{100 * fit_data[2]:.0f} % confidence band",
            )
        _mark_ic50(ax, screen, view, k, params, (low, high), (x_zero, high * 1.5))
        text = f"slope {params[1]:.2g}, bottom {params[2]:.3g}, top {params[3]:.3g} %"
        if "hill_model" in screen and int(screen["hill_model"].values[view.index, k]) == 1:
            text += "\nL.4 fallback fit"
        if status and status not in ("converged", "ok"):
            text += f"\nfit: {status}"
    else:
        text = f"no Hill fit ({status or 'not fitted'})"
    if not np.isfinite(y).any():
        text += "\nno single-drug wells"
    ax.text(0.03, 0.97, text, transform=ax.transAxes, va="top", fontsize=7, color="0.25")
    ax.set_xscale("log")
    ax.set_xlim(x_zero / 1.6, high * 1.6)
    _dose_ticks(ax, x_zero, low, high)
    ax.axvline(np.sqrt(x_zero * low), color="0.6", lw=0.8, ls=":")
    ax.set_xlabel(view.dose_label(k), fontsize=9)
    ax.set_title(f"{view.drug_names[k]} alone", fontsize=10)
    ax.grid(alpha=0.25)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=6.5, loc="best", framealpha=0.85)


def _mark_ic50(ax, screen, view: MultiView, k: int, params, tested, xlim) -> None:
    ci = (
        np.asarray(screen["hill_ic50_ci"].values[view.index, k], dtype=np.float64)
        if "hill_ic50_ci" in screen
        else np.full(2, np.nan)
    )
    mark_ic50(ax, params, ci, view.unit, xlim, tested)
