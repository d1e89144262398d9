"""Cells and lists shared by the pair and N-drug report sections."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.models.registry import LABELS, block_score_models
from synergy.report._html import esc, figure_img, number

__all__ = ["LABELS", "PREFERRED", "figure", "score_cell", "scored_models", "values"]

PREFERRED = ("zip", "bliss", "hsa", "loewe", "musyc")


def scored_models(screen: xr.Dataset) -> list[str]:
    """Registered models (:mod:`synergy.models.registry`) with a δ surface and a block score
    in the screen: the preferred order first, then the order of registration."""
    found = block_score_models(screen)
    return [m for m in PREFERRED if m in found] + [m for m in found if m not in PREFERRED]


def values(screen: xr.Dataset, name: str) -> np.ndarray:
    return np.asarray(screen[name].values) if name in screen else np.full(screen.sizes["block"], "")


def score_cell(screen: xr.Dataset, model: str, i: int) -> str:
    text = number(screen[f"{model}_score"].values[i])
    low, high = f"{model}_score_low", f"{model}_score_high"
    if low in screen and high in screen:
        text += f' <span class="small">[{number(screen[low].values[i])}, '
        text += f"{number(screen[high].values[i])}]</span>"
    return text


def figure(make: Callable[[], object], alt: str, dpi: int) -> str:
    try:
        return figure_img(make(), dpi=dpi, alt=alt)
    except SynergyError as exc:
        return f'<p class="reason">{esc(alt)}: not drawn ({esc(exc)})</p>'
