"""Shared pieces of the figures: block selection, dose labels, colour maps, new figures.

Figures are built on :class:`matplotlib.figure.Figure` directly (no ``pyplot``), so they
hold no global state, never open a window and render with any backend (Agg included);
``fig.show()`` and Jupyter's inline display still work (:mod:`synergy.plot._figure`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.io.layout import require_pair
from synergy.models.registry import LABELS

SYNERGYFINDER_CMAP = "synergyfinder"
STATUS_WORDS = {0: "ok", 1: "warning", 2: "failed"}


def select_block(screen: xr.Dataset, block: str | int) -> int:
    """Position of a block given its id (str) or its position (int)."""
    if "block" not in screen.dims:
        raise SynergyError("a screen needs a 'block' dimension")
    n = screen.sizes["block"]
    if isinstance(block, (int, np.integer)) and not isinstance(block, bool):
        if not -n <= int(block) < n:
            raise SynergyError(f"block position {block} is out of range (screen has {n} blocks)")
        return int(block) % n
    ids = [str(v) for v in np.asarray(screen["block"].values)]
    if str(block) in ids:
        return ids.index(str(block))
    shown = ", ".join(ids[:8]) + (" …" if n > 8 else "")
    raise SynergyError(f"no block with id {block!r} in the screen (ids: {shown})")


@dataclass(frozen=True)
class BlockView:
    """One block's grid, trimmed of NaN padding (ragged screens)."""

    index: int
    block_id: str
    drug_row: str
    drug_col: str
    sample: str
    unit: str
    conc_row: np.ndarray
    conc_col: np.ndarray
    response: np.ndarray  # (R, C, K), % inhibition, NaN = no well

    @property
    def title(self) -> str:
        return f"{self.drug_row} × {self.drug_col} · {self.sample} (block {self.block_id})"

    def surface(self, screen: xr.Dataset, name: str) -> np.ndarray:
        """A (block, row, col) variable of this block, trimmed to the grid."""
        values = np.asarray(screen[name].values[self.index], dtype=np.float64)
        return values[: self.conc_row.size, : self.conc_col.size]

    def mean_response(self) -> np.ndarray:
        """Mean inhibition over the non-missing replicates (NaN where none), (R, C)."""
        count = np.sum(np.isfinite(self.response), axis=-1)
        total = np.nansum(self.response, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def block_view(screen: xr.Dataset, block: str | int) -> BlockView:
    """The :class:`BlockView` of ``block`` (id or position)."""
    require_pair(
        screen,
        "this figure",
        "use synergy.plot.slice_landscapes(screen, block, model) and "
        "synergy.plot.drug_curves(screen, block)",
    )
    i = select_block(screen, block)
    conc_row = np.asarray(screen["conc_row"].values[i], dtype=np.float64)
    conc_col = np.asarray(screen["conc_col"].values[i], dtype=np.float64)
    n_row = int(np.sum(np.isfinite(conc_row)))
    n_col = int(np.sum(np.isfinite(conc_col)))
    response = np.asarray(screen["response"].values[i], dtype=np.float64)[:n_row, :n_col]

    def coord(name: str, default: str) -> str:
        return str(screen[name].values[i]) if name in screen.coords else default

    return BlockView(
        index=i,
        block_id=str(screen["block"].values[i]),
        drug_row=coord("drug_row", "row drug"),
        drug_col=coord("drug_col", "column drug"),
        sample=coord("sample", "sample"),
        unit=unit_text(screen.attrs.get("conc_unit", "")),
        conc_row=conc_row[:n_row],
        conc_col=conc_col[:n_col],
        response=response,
    )


def format_dose(value: float) -> str:
    """Compact dose label: ``0``, ``0.41``, ``12.3``, ``2500``, ``1e5``, ``1e-3``."""
    if not np.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    if 100 <= abs(value) < 100_000:
        return f"{value:.0f}"
    if 0.01 <= abs(value) < 100:
        return f"{value:.3g}"
    mantissa, exponent = f"{value:.1e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


_UNITS = {"um": "µM", "micromolar": "µM", "µm": "µM", "nm": "nM", "mm": "mM", "pm": "pM",
          "ug/ml": "µg/mL", "ng/ml": "ng/mL", "mg/ml": "mg/mL"}  # fmt: skip


def unit_text(unit: object) -> str:
    """A concentration unit as a reader writes it: ``uM`` → ``µM``, ``ug/ml`` → ``µg/mL``."""
    text = str(unit or "").strip()
    return _UNITS.get(text.lower().replace("μ", "µ"), text)


# an interval wider than this many decades says the data cannot bound the IC50
_UNIDENTIFIED_DECADES = 4.0


def ic50_text(ic50: float, low: float, high: float) -> str:
    """An IC50 as SynergyFinder reports it: capped at the tested doses.

    ``> high`` above the top tested dose, ``< low`` below the lowest positive one,
    ``not identified`` when not finite or not positive, else :func:`format_dose`.
    """
    if not np.isfinite(ic50) or ic50 <= 0:
        return "not identified"
    if np.isfinite(high) and ic50 > high:
        return f"> {format_dose(high)}"
    if np.isfinite(low) and ic50 < low:
        return f"< {format_dose(low)}"
    return format_dose(ic50)


def interval_identified(lower: float, upper: float) -> bool:
    """Whether a dose interval says something: finite, positive and under four decades wide."""
    lower, upper = float(lower), float(upper)
    return bool(
        np.isfinite(lower)
        and np.isfinite(upper)
        and 0 < lower <= upper
        and np.log10(upper) - np.log10(lower) <= _UNIDENTIFIED_DECADES
    )


def dose_interval_text(
    lower: float, upper: float, low: float, high: float, *, sep: str = " – "
) -> str:
    """A dose interval capped at the tested doses ``[low, high]`` (``< low``, ``> high``);
    ``not identified`` when :func:`interval_identified` says so."""
    if not interval_identified(lower, upper):
        return "not identified"
    left = f"< {format_dose(low)}" if lower < low else format_dose(lower)
    right = f"> {format_dose(high)}" if upper > high else format_dose(upper)
    return f"{left}{sep}{right}"


def format_number(value: float, digits: int = 2) -> str:
    """A number for titles and tables (``–`` for NaN)."""
    if value is None or not np.isfinite(value):
        return "–"
    return f"{round(float(value), digits) + 0.0:.{digits}f}"


def label_dose_axes(ax, view: BlockView, *, max_ticks: int = 12) -> None:
    """Tick a heatmap on dose-index axes with the doses (x: column drug, y: row drug)."""
    for axis, conc, drug in (
        (ax.xaxis, view.conc_col, view.drug_col),
        (ax.yaxis, view.conc_row, view.drug_row),
    ):
        step = max(1, int(np.ceil(conc.size / max_ticks)))
        ticks = np.arange(0, conc.size, step)
        axis.set_ticks(ticks)
        axis.set_ticklabels([format_dose(conc[t]) for t in ticks])
        axis.set_label_text(f"{drug} ({view.unit})" if view.unit else drug)
    ax.tick_params(axis="x", labelrotation=45)


def synergy_cmap(name: str = SYNERGYFINDER_CMAP):
    """Diverging colour map of δ: SynergyFinder's green–white–red, or any matplotlib name.

    ``"synergyfinder"``: green = antagonism, red = synergy (SynergyFinder's default);
    colour-blind-safe alternatives: ``"RdBu_r"`` (red = synergy, blue = antagonism) or
    ``"PuOr_r"``.
    """
    import matplotlib
    from matplotlib.colors import LinearSegmentedColormap

    if name == SYNERGYFINDER_CMAP:
        cmap = LinearSegmentedColormap.from_list(
            SYNERGYFINDER_CMAP, ["#1a9641", "#a6d96a", "#ffffff", "#fdae61", "#d7191c"]
        )
    else:
        try:
            cmap = matplotlib.colormaps[name]
        except KeyError as exc:
            raise SynergyError(f"unknown colour map {name!r}") from exc
    return cmap.with_extremes(bad="#d9d9d9")


def new_figure(width: float, height: float, *, layout: str = "constrained"):
    """A matplotlib Figure not attached to pyplot (no window, any backend) that can show
    itself (:class:`synergy.plot._figure.SynergyFigure`)."""
    from synergy.plot._figure import SynergyFigure

    return SynergyFigure(figsize=(width, height), dpi=100, layout=layout)


def delta_image(ax, values: np.ndarray, cmap, limit: float):
    """A δ grid (rows on y from the bottom, NaN masked) on a colour scale ±``limit``."""
    return ax.imshow(
        np.ma.masked_invalid(values),
        origin="lower",
        cmap=cmap,
        vmin=-limit,
        vmax=limit,
        aspect="auto",
        interpolation="nearest",
    )


def note(ax, text: str) -> None:
    """Write a message in the middle of an empty axes."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, wrap=True)
    ax.set_xticks([])
    ax.set_yticks([])


def model_label(model: str) -> str:
    """How figures name a model (:data:`synergy.models.registry.LABELS`)."""
    return LABELS.get(model, model)


def score_text(screen: xr.Dataset, model: str, index: int) -> str:
    """``ZIP 6.51 [4.2, 8.8], p = 0.003`` from ``<model>_score`` (+ ``_low``/``_high``)."""
    name = f"{model}_score"
    if name not in screen:
        return f"{model_label(model)}: not scored"
    value = float(screen[name].values[index])
    if not np.isfinite(value):
        return f"{model_label(model)}: no score"
    text = f"{model_label(model)} {format_number(value)}"
    low, high = f"{model}_score_low", f"{model}_score_high"
    if low in screen and high in screen:
        lo, hi = float(screen[low].values[index]), float(screen[high].values[index])
        if np.isfinite(lo) and np.isfinite(hi):
            level = screen[low].attrs.get("level", screen.attrs.get("ci", 0.95))
            try:
                pct = f"{100 * float(level):.0f} % CI "
            except (TypeError, ValueError):
                pct = ""
            text += f" [{pct}{lo:.2f}, {hi:.2f}]"
    pvalue = f"{model}_pvalue"
    if pvalue in screen and np.isfinite(float(screen[pvalue].values[index])):
        text += f", p = {float(screen[pvalue].values[index]):.2g}"
    return text


def status_text(screen: xr.Dataset, index: int) -> str:
    """Block status in words (empty when ok with nothing to say)."""
    if "status" not in screen:
        return ""
    code = int(screen["status"].values[index])
    reason = str(screen["status_reason"].values[index]) if "status_reason" in screen else ""
    if code == 0:
        return ""
    return f"{STATUS_WORDS.get(code, code)}: {reason}" if reason else STATUS_WORDS.get(code, "")
