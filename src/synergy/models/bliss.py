"""Bliss independence from the observed single-drug wells (SynergyFinder 3).

Reference at a combination well (two or more doses > 0), all in % inhibition::

    bliss_reference = 100 · (1 − Π_i (1 − y_i / 100))

with ``y_i`` the observed response of drug i alone at the well's dose of drug i (for a
pair: the row drug's well at column dose 0, the column drug's at row dose 0); replicate
means.  One implementation for any number of drugs (:mod:`synergy.models.reference`).
δ = observed − reference (positive = synergy).  Non-combination wells keep reference =
observed, δ = 0, as SynergyFinder reports them.

Reference: Bliss CI (1939) Ann Appl Biol 26:585-615; SynergyFinder 3.7
``R/calculate_synergy_score.R`` (``Bliss``), which this reproduces to rounding.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from synergy.errors import SynergyError
from synergy.models.common import lacks_monotherapy
from synergy.models.outputs import model_outputs
from synergy.models.reference import BLISS_FORMULAS, bliss_combine
from synergy.models.well_view import WellView, delta_and_reference, edge_values, well_view

__all__ = ["score_bliss", "score_edge_model", "score_from_edges"]

EDGE_STATUS_CODES = (0, 1, 2, 3, 10, 12, 13)


def score_edge_model(
    screen: xr.Dataset,
    model: str,
    combine: Callable[[list[np.ndarray]], np.ndarray],
    description: str,
    view: WellView | None = None,
) -> xr.Dataset:
    """Score a model whose reference combines the observed single-drug wells, either layout.

    One implementation for any number of drugs (docs/design.md §16.1): the single-drug
    responses of every well are looked up on the well view, combined by ``combine``, and
    δ = observed − reference; the outputs take the screen's layout
    (:func:`synergy.models.outputs.model_outputs`).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen of either layout (docs/design.md §1, §1.1).
    model : str
        Variable prefix (``"bliss"``, ``"hsa"``).
    combine : callable
        ``alone -> (B, W)`` reference in % inhibition from the drugs' single-drug responses
        at each well (``alone``: one (B, W) array per drug).
    description : str
        The formula, stored in the variables' attrs.
    view : WellView, optional
        The screen's well view, if already computed.

    Returns
    -------
    xarray.Dataset
        ``<model>`` (δ, % points), ``<model>_reference`` (% inhibition) on (block, row, col)
        or (block, well), and the block summaries and ``<model>_status``.
    """
    view = well_view(screen) if view is None else view
    reference = combine(edge_values(view, view.observed))
    reference, delta = delta_and_reference(view, reference)
    base = np.zeros(view.observed.shape[0], dtype=np.int8)
    if view.grid is not None:  # the well layout's summaries set these codes themselves
        combo = view.present >= 2
        unreferenced = combo & np.isfinite(view.observed) & ~np.isfinite(reference)
        base[np.any(unreferenced, axis=1)] = 3
        n_block, (n_row, n_col) = view.observed.shape[0], view.grid
        base[lacks_monotherapy(view.observed.reshape(n_block, n_row, n_col))] = 10
    label = model.upper() if model == "hsa" else model.capitalize()
    attrs = {"units": "%", "formula": description}
    wells = {
        model: (delta, {**attrs, "long_name": f"{label} synergy δ = observed − reference"}),
        f"{model}_reference": (
            reference,
            {**attrs, "long_name": f"{label} reference (% inhibition)"},
        ),
    }
    return xr.Dataset(
        model_outputs(screen, view, model, label, wells, delta, base, EDGE_STATUS_CODES)
    )


def score_from_edges(
    screen: xr.Dataset,
    model: str,
    reference_fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
    description: str,
) -> xr.Dataset:
    """Score a pair model whose reference combines the two observed single-drug wells.

    :func:`score_edge_model` with ``combine = reference_fn(y_row, y_col)``; ``reference_fn``
    is elementwise (numpy broadcasting), in % inhibition.
    """
    return score_edge_model(
        screen, model, lambda alone: reference_fn(alone[0], alone[1]), description
    )


def score_bliss(
    screen: xr.Dataset, *, convention: str = "synergyfinder3", view: WellView | None = None
) -> xr.Dataset:
    """Bliss δ surfaces and block scores of every block of a screen (any number of drugs).

    reference = 100·(1 − Π_i (1 − y_i/100)) from the observed single-drug wells
    (replicate means) at the well's doses; δ = observed − reference, in % points.
    Non-combination wells: reference = observed, δ = 0.  Reproduces SynergyFinder 3.7's
    ``Bliss`` (Bliss 1939).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (docs/design.md §1, §1.1), responses in % inhibition.
    convention : {"synergyfinder3", "synergyfinder2"}
        The floating-point form of the formula: SynergyFinder 3's above, or
        SynergyFinder 2's ``y1 + y2 − y1·y2/100`` (equal to ~1e-14;
        :func:`synergy.models.reference.bliss_combine`).
    view : WellView, optional
        The screen's well view, if already computed.

    Returns
    -------
    xarray.Dataset
        ``bliss`` (δ, % points), ``bliss_reference`` (%), ``bliss_score`` and the other
        summaries of :mod:`synergy.models.outputs`, ``bliss_status``.
    """
    if convention not in BLISS_FORMULAS:
        raise SynergyError(f"unknown convention {convention!r}")
    return score_edge_model(
        screen,
        "bliss",
        lambda alone: bliss_combine(alone, convention),
        BLISS_FORMULAS[convention],
        view,
    )
