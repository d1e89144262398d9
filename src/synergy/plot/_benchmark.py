"""Figures of a benchmark against published scores (:class:`synergy.benchmark.BenchmarkResult`).

- :func:`benchmark_scatter` — ours vs published per model: identity line, tolerance band,
  blocks beyond tolerance labelled with their block id;
- :func:`benchmark_bland_altman` — difference vs mean per model: bias and limits of
  agreement (from the result's summary, nothing recomputed);
- :func:`benchmark_well_differences` — per-well ours − published heatmaps of the blocks whose
  surfaces differ most (when the published tables have surfaces).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synergy.errors import SynergyError
from synergy.plot._common import format_dose, format_number, model_label, new_figure, note

__all__ = ["benchmark_bland_altman", "benchmark_scatter", "benchmark_well_differences"]

_INSIDE = "#1f4e79"
_OUTSIDE = "#b2182b"
_BAND = "#9ecae1"
#: most blocks labelled per panel (the worst first)
MAX_LABELS = 12


def _models(result, models: Sequence[str] | str | None) -> list[str]:
    available = list(dict.fromkeys(result.blocks["model"]))
    if models is None:
        return available
    chosen = [models] if isinstance(models, str) else list(models)
    absent = [m for m in chosen if m not in available]
    if absent:
        raise SynergyError(f"the benchmark compared {available}, not {absent}")
    return chosen


def _panels(n: int, width: float = 4.2, height: float = 4.0):
    ncols = min(n, 2) if n <= 4 else 3
    nrows = int(np.ceil(n / ncols))
    fig = new_figure(width * ncols, height * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def _limits(values: np.ndarray, pad: float) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    span = max(high - low, 2.0 * pad, 1.0)
    return low - 0.08 * span - pad, high + 0.08 * span + pad


def _label_worst(ax, part: pd.DataFrame, x: str, y: str) -> None:
    bad = part[~part["within"]].sort_values("abs_diff", ascending=False, na_position="last")
    bad = bad[np.isfinite(bad[x]) & np.isfinite(bad[y])]
    for row in bad.head(MAX_LABELS).itertuples():
        ax.annotate(
            str(row.block),
            (getattr(row, x), getattr(row, y)),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=8,
            color=_OUTSIDE,
        )
    if len(bad) > MAX_LABELS:
        ax.text(0.02, 0.02, f"+{len(bad) - MAX_LABELS} more beyond tolerance",
                transform=ax.transAxes, fontsize=7, color=_OUTSIDE)  # fmt: skip


def benchmark_scatter(result, models: Sequence[str] | str | None = None):
    """Our block scores against the published ones, one panel per model.

    Each matched block is a point (x: published, y: ours, % points); the identity line and
    the band of ± ``tolerance`` around it show agreement; blocks beyond tolerance are red
    and labelled with their block id (the ``MAX_LABELS`` = 12 worst).  Blocks with a score
    missing on either side are counted in the title.

    Parameters
    ----------
    result : synergy.benchmark.BenchmarkResult
        What :func:`synergy.benchmark.compare` returned.
    models : str or sequence of str, optional
        Models to draw (default: every model compared).

    Returns
    -------
    matplotlib.figure.Figure
    """
    chosen = _models(result, models)
    tol = result.tolerance
    fig, axes = _panels(len(chosen))
    for ax, model in zip(axes, chosen, strict=True):
        part = result.blocks[result.blocks["model"] == model]
        ours, theirs = part["ours"].to_numpy(float), part["theirs"].to_numpy(float)
        both = np.isfinite(ours) & np.isfinite(theirs)
        low, high = _limits(np.concatenate([ours, theirs]), tol)
        line = np.array([low, high])
        ax.fill_between(line, line - tol, line + tol, color=_BAND, alpha=0.45, lw=0,
                        label=f"± {tol:g} points")  # fmt: skip
        ax.plot(line, line, color="0.35", lw=1, ls="--", label="identity")
        inside = both & part["within"].to_numpy(bool)
        ax.scatter(theirs[inside], ours[inside], s=22, color=_INSIDE, label="within tolerance")
        outside = both & ~inside
        if outside.any():
            ax.scatter(theirs[outside], ours[outside], s=30, color=_OUTSIDE, marker="D",
                       label="beyond tolerance")  # fmt: skip
        _label_worst(ax, part, "theirs", "ours")
        ax.set_xlim(low, high)
        ax.set_ylim(low, high)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel(f"published {model_label(model)} score")
        ax.set_ylabel(f"our {model_label(model)} score")
        row = result.summary.loc[model]
        missing = f", {int(row.n_missing)} missing" if int(row.n_missing) else ""
        ax.set_title(
            f"{model_label(model)}: n = {int(row.n)}{missing}, "
            f"r = {format_number(row.pearson_r, 3)}"
            f"\nmean |diff| {format_number(row.mean_abs_diff, 3)}, "
            f"{int(row.n_outside)} beyond ± {tol:g}",
            fontsize=10,
        )
        ax.grid(alpha=0.25)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Ours vs published ({result.settings.get('convention', '?')})", fontsize=11)
    return fig


def benchmark_bland_altman(result, models: Sequence[str] | str | None = None):
    """Bland–Altman plot per model: ours − published against their mean.

    The bias (mean difference) and the 95 % limits of agreement (bias ± 1.96 SD) are the
    result's summary (``bias``, ``loa_lower``, ``loa_upper``); the shaded band is
    ± ``tolerance``; blocks beyond tolerance are red and labelled.

    Parameters
    ----------
    result : synergy.benchmark.BenchmarkResult
        What :func:`synergy.benchmark.compare` returned.
    models : str or sequence of str, optional
        Models to draw (default: every model compared).

    Returns
    -------
    matplotlib.figure.Figure
    """
    chosen = _models(result, models)
    tol = result.tolerance
    fig, axes = _panels(len(chosen), width=4.6, height=3.4)
    for ax, model in zip(axes, chosen, strict=True):
        part = result.blocks[result.blocks["model"] == model].copy()
        part["mean"] = (part["ours"] + part["theirs"]) / 2.0
        x, diff = part["mean"].to_numpy(float), part["diff"].to_numpy(float)
        both = np.isfinite(x) & np.isfinite(diff)
        row = result.summary.loc[model]
        x_low, x_high = _limits(x, 0.0)
        ax.axhspan(-tol, tol, color=_BAND, alpha=0.45, lw=0, label=f"± {tol:g} points")
        ax.axhline(0.0, color="0.35", lw=0.8)
        lines = [(row.bias, "-", f"bias {format_number(row.bias, 3)}")]
        lines += [
            (row.loa_lower, ":", f"limits of agreement [{format_number(row.loa_lower, 3)}, "
                                 f"{format_number(row.loa_upper, 3)}]"),
            (row.loa_upper, ":", None),
        ]  # fmt: skip
        for value, style, label in lines:
            if np.isfinite(value):
                ax.axhline(value, color="#6a3d9a", lw=1.2, ls=style, label=label)
        inside = both & part["within"].to_numpy(bool)
        ax.scatter(x[inside], diff[inside], s=20, color=_INSIDE)
        if (both & ~inside).any():
            ax.scatter(x[both & ~inside], diff[both & ~inside], s=28, color=_OUTSIDE, marker="D")
        _label_worst(ax, part, "mean", "diff")
        values = np.concatenate([diff, [row.loa_lower, row.loa_upper, row.bias]])
        ax.set_ylim(*_limits(values, tol))
        ax.set_xlim(x_low, x_high)
        ax.set_xlabel(f"mean of ours and published {model_label(model)}")
        ax.set_ylabel("ours − published (points)")
        ax.set_title(f"{model_label(model)} (n = {int(row.n)})", fontsize=10)
        ax.grid(alpha=0.25)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("Bland–Altman: ours − published", fontsize=11)
    return fig


def _worst_blocks(wells: pd.DataFrame, n_blocks: int) -> list[str]:
    size = wells.assign(a=wells["diff"].abs()).groupby("block", sort=False)["a"].max()
    return size.fillna(np.inf).sort_values(ascending=False).index[:n_blocks].tolist()


def _pair_grid(part: pd.DataFrame, rows: str, cols: str) -> tuple[np.ndarray, list, list]:
    """Signed difference on a (rows dose × cols dose) grid; with more drugs the well of the
    largest |difference| over the other drugs' doses is shown."""
    order = part.assign(a=part["diff"].abs().fillna(np.inf)).sort_values("a", ascending=False)
    first = order.drop_duplicates([rows, cols])
    grid = first.pivot(index=rows, columns=cols, values="diff").sort_index().sort_index(axis=1)
    return grid.to_numpy(float), grid.index.tolist(), grid.columns.tolist()


def benchmark_well_differences(
    result, model: str | None = None, *, n_blocks: int = 4, cmap: str = "PuOr_r"
):
    """Per-well δ differences (ours − published) of the blocks whose surfaces differ most.

    One heatmap per block (the ``n_blocks`` with the largest |difference| in any
    combination well), rows the row drug's doses, columns the column drug's; cells are
    annotated when the grid is small.  N-drug screens show the first two drugs' doses, each
    cell the well with the largest |difference| over the other drugs' doses.

    Parameters
    ----------
    result : synergy.benchmark.BenchmarkResult
        A comparison whose published tables had per-well surfaces (``result.wells``).
    model : str, optional
        Model to draw (default: the one with the largest per-well |difference|).
    n_blocks : int, default 4
        Number of blocks drawn.
    cmap : str, default "PuOr_r"
        Diverging colour map (centred at 0, symmetric limits; grey = no comparison).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib import colormaps

    wells = result.wells
    if wells is None or len(wells) == 0:
        fig = new_figure(5.0, 2.4)
        note(fig.subplots(), "the published tables have no per-well surfaces to compare")
        return fig
    if model is None:
        size = wells.assign(a=wells["diff"].abs()).groupby("model", sort=False)["a"].max()
        model = str(size.fillna(np.inf).idxmax())
    elif model not in set(wells["model"]):
        raise SynergyError(f"no per-well comparison of {model!r}: {sorted(set(wells['model']))}")
    part = wells[(wells["model"] == model) & wells["placed"]]
    if part.empty:
        fig = new_figure(5.0, 2.4)
        note(fig.subplots(), f"no published {model} well is on our dose grid")
        return fig
    conc = ["conc_row", "conc_col"] if "conc_row" in part else [
        c for c in part.columns if c.startswith("conc_")][:2]  # fmt: skip
    blocks = _worst_blocks(part, n_blocks)
    info = result.blocks.drop_duplicates("block").set_index("block")
    unit = str(result.scored.attrs.get("conc_unit", "")) if result.scored is not None else ""
    grids = [_pair_grid(part[part["block"] == b], *conc) for b in blocks]
    limit = max([np.nanmax(np.abs(g), initial=0.0) for g, _, _ in grids] + [result.tolerance])
    fig, axes = _panels(len(blocks), width=4.4, height=3.9)
    colours = colormaps[cmap].with_extremes(bad="#d9d9d9")
    for ax, block, (grid, doses_row, doses_col) in zip(axes, blocks, grids, strict=True):
        image = ax.imshow(np.ma.masked_invalid(grid), origin="lower", cmap=colours,
                          vmin=-limit, vmax=limit, aspect="auto")  # fmt: skip
        if grid.size <= 100:
            for (i, j), value in np.ndenumerate(grid):
                if np.isfinite(value):
                    colour = "white" if abs(value) > 0.6 * limit else "black"
                    ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6.5,
                            color=colour)  # fmt: skip
        names = _drug_names(info, block, conc)
        for axis, doses, name in ((ax.xaxis, doses_col, names[1]), (ax.yaxis, doses_row, names[0])):
            axis.set_ticks(np.arange(len(doses)))
            axis.set_ticklabels([format_dose(float(d)) for d in doses])
            axis.set_label_text(f"{name} ({unit})" if unit else name)
        ax.tick_params(axis="x", labelrotation=45)
        worst = np.nanmax(np.abs(grid), initial=0.0)
        ax.set_title(f"block {block}: max |diff| {worst:.3f}", fontsize=10)
        fig.colorbar(image, ax=ax, shrink=0.8, label="ours − published (points)")
    fig.suptitle(f"Per-well {model_label(model)} δ: ours − published", fontsize=11)
    return fig


def _drug_names(info: pd.DataFrame, block: str, conc: list[str]) -> list[str]:
    if block not in info.index:
        return ["row drug", "column drug"]
    row = info.loc[block]
    if "drugs" in info.columns and isinstance(row.get("drugs"), str) and conc[0] != "conc_row":
        names = row["drugs"].split(" × ")
        return [names[int(c.split("_")[1]) - 1] for c in conc]
    return [str(row["drug_row"]), str(row["drug_col"])]
