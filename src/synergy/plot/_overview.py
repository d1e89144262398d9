"""Screen overview: blocks ranked by a synergy score (with CIs), faceted by sample or drug."""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.io.layout import drug_names
from synergy.plot._common import model_label, new_figure

__all__ = ["screen_overview"]

_STATUS_COLOURS = {0: "#1f4e79", 1: "#e08e0b", 2: "#b2182b"}
_STATUS_LABELS = {0: "ok", 1: "warning", 2: "failed"}


def _text(screen: xr.Dataset, name: str) -> np.ndarray:
    if name not in screen.coords and name not in screen:
        raise SynergyError(f"the screen has no {name!r} to facet by")
    return np.asarray(screen[name].values).astype(str)


def screen_overview(
    screen: xr.Dataset,
    score: str = "zip",
    *,
    by: str | None = "sample",
    top: int = 30,
):
    """Blocks ranked by a synergy score, one panel per group.

    Each block is a point (its ``<score>_score``, % points) with its confidence interval
    when ``<score>_score_low``/``_high`` exist; points are coloured by the block's status
    (ok / warning / failed), blocks without a score are listed as such.  Labels name the
    drug pair (and the sample when not faceting by it).

    Parameters
    ----------
    screen : xarray.Dataset
        A scored screen.
    score : str, default "zip"
        Model whose block score ranks the blocks.
    by : str or None, default "sample"
        Block coordinate to facet by (``sample``, ``drug_row``, ``drug_col``,
        ``sample_kind``) or None for one panel.  N-drug screens (``drug`` dimension) are
        labelled with all their drugs.
    top : int, default 30
        Largest number of blocks shown per panel (the highest scores).

    Returns
    -------
    matplotlib.figure.Figure
    """
    name = f"{score}_score"
    if name not in screen:
        raise SynergyError(f"the screen has no {name!r}: run synergy.score first")
    values = np.asarray(screen[name].values, dtype=np.float64)
    n_block = values.size
    low = screen.get(f"{score}_score_low")
    high = screen.get(f"{score}_score_high")
    ci = None
    if low is not None and high is not None:
        ci = (np.asarray(low.values, np.float64), np.asarray(high.values, np.float64))
    status = (
        np.asarray(screen["status"].values, dtype=np.int64)
        if "status" in screen
        else np.zeros(n_block, np.int64)
    )
    groups = _text(screen, by) if by else np.full(n_block, "all blocks")
    pair = np.array([" × ".join(row) for row in drug_names(screen).tolist()])  # every drug
    if by != "sample" and "sample" in screen.coords:
        pair = np.char.add(np.char.add(pair, " · "), _text(screen, "sample"))
    ids = np.asarray(screen["block"].values).astype(str)
    names = list(dict.fromkeys(groups.tolist()))
    counts = [min(int(np.sum(groups == g)), top) for g in names]
    ncols = 1 if len(names) == 1 else 2
    nrows = int(np.ceil(len(names) / ncols))
    height = max(2.6, sum(sorted(counts, reverse=True)[:nrows]) * 0.28 + 1.2 * nrows)
    longest = max((len(label) for label in pair), default=0)  # long N-drug labels
    fig = new_figure((6.2 + max(0.0, 0.055 * (longest - 45))) * ncols, height)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    finite = values[np.isfinite(values)]
    if ci is not None:
        finite = np.concatenate([finite, ci[0][np.isfinite(ci[0])], ci[1][np.isfinite(ci[1])]])
    span = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    pad = 0.08 * max(span[1] - span[0], 1.0)
    for ax, group in zip(axes.ravel(), names, strict=False):
        members = np.flatnonzero(groups == group)
        order = members[np.argsort(-np.nan_to_num(values[members], nan=-np.inf), kind="stable")]
        order = order[:top][::-1]
        y = np.arange(order.size)
        for code, colour in _STATUS_COLOURS.items():
            pick = status[order] == code
            if not pick.any():
                continue
            xs = values[order][pick]
            xerr = None
            if ci is not None:
                lo, hi = ci[0][order][pick], ci[1][order][pick]
                xerr = np.vstack([np.clip(xs - lo, 0, None), np.clip(hi - xs, 0, None)])
                xerr = np.where(np.isfinite(xerr), xerr, 0.0)
            shown = np.isfinite(xs)
            ax.errorbar(
                xs[shown],
                y[pick][shown],
                xerr=None if xerr is None else xerr[:, shown],
                fmt="o",
                color=colour,
                ms=5,
                capsize=2,
                label=_STATUS_LABELS[code],
            )
        missing = ~np.isfinite(values[order])
        for row in np.flatnonzero(missing):
            ax.text(span[0] - pad / 2, y[row], "no score", va="center", fontsize=7, color="0.4")
        ax.axvline(0.0, color="0.5", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels([f"{pair[i]} ({ids[i]})" for i in order], fontsize=7.5)
        ax.set_ylim(-0.7, max(order.size - 0.3, 0.7))
        ax.set_title(str(group), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    axes.ravel()[0].set_xlim(span[0] - pad, span[1] + pad)
    for ax in axes[-1]:
        ax.set_xlabel(f"{model_label(score)} synergy score (% points)")
    handles, labels = [], []
    for ax in axes.ravel()[: len(names)]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    if handles:
        fig.legend(handles, labels, loc="outside upper right", fontsize=8, title="status")
    ci_note = " with CIs" if ci is not None else " (no CIs in the screen)"
    fig.suptitle(f"{n_block} blocks ranked by {model_label(score)} score{ci_note}", fontsize=11)
    return fig
