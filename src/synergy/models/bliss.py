"""Bliss independence from the observed single-drug wells (SynergyFinder 3).

Reference at a combination well (both doses > 0), all in % inhibition::

    bliss_reference = 100 · (1 − (1 − y1 / 100) · (1 − y2 / 100))

with ``y1`` the observed response of the row drug alone at the well's row dose (the
well at column dose 0) and ``y2`` that of the column drug alone (row dose 0); replicate
means.  δ = observed − reference (positive = synergy).  Non-combination wells keep
reference = observed, δ = 0, as SynergyFinder reports them.

Reference: Bliss CI (1939) Ann Appl Biol 26:585-615; SynergyFinder 3.7
``R/calculate_synergy_score.R`` (``Bliss``), which this reproduces to rounding.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import xarray as xr

from synergy._kernels.surface import bliss_reference, bliss_reference_sf2
from synergy.errors import SynergyError
from synergy.models.common import (
    combination_mask,
    doses,
    edge_filled,
    lacks_monotherapy,
    observed_surface,
    surface_variable,
)
from synergy.models.summary import summarise

__all__ = ["score_bliss", "score_from_edges"]

EDGE_STATUS_CODES = (0, 1, 2, 3, 10, 12, 13)


def score_from_edges(
    screen: xr.Dataset,
    model: str,
    reference_fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
    description: str,
) -> xr.Dataset:
    """Score a model whose reference combines the observed single-drug wells.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (docs/design.md §1).
    model : str
        Variable prefix (``"bliss"``, ``"hsa"``).
    reference_fn : callable
        ``(y_row (B, R, 1), y_col (B, 1, C)) -> (B, R, C)`` reference in % inhibition.
    description : str
        The formula, stored in the variables' attrs.

    Returns
    -------
    xarray.Dataset
        ``<model>`` (δ, % points), ``<model>_reference`` (% inhibition) on
        (block, row, col), and the summaries of :func:`synergy.models.summary.summarise`.
    """
    observed = observed_surface(screen)
    conc_row, conc_col = doses(screen)
    combo = combination_mask(conc_row, conc_col)
    reference = reference_fn(observed[:, :, :1], observed[:, :1, :])
    reference, delta = edge_filled(reference, observed, combo)

    base = np.zeros(observed.shape[0], dtype=np.int8)
    unreferenced = np.any(combo & np.isfinite(observed) & ~np.isfinite(reference), axis=(1, 2))
    base[unreferenced] = 3
    base[lacks_monotherapy(observed)] = 10

    label = model.upper() if model == "hsa" else model.capitalize()
    data = {
        model: surface_variable(
            screen,
            delta,
            {
                "units": "%",
                "long_name": f"{label} synergy δ = observed − reference",
                "formula": description,
            },
        ),
        f"{model}_reference": surface_variable(
            screen,
            reference,
            {
                "units": "%",
                "long_name": f"{label} reference (% inhibition)",
                "formula": description,
            },
        ),
    }
    data.update(summarise(model, screen, delta, combo, observed, base, EDGE_STATUS_CODES))
    return xr.Dataset(data)


def score_bliss(screen: xr.Dataset, *, convention: str = "synergyfinder3") -> xr.Dataset:
    """Bliss δ surfaces and block scores of every block of a screen.

    reference = 100·(1 − (1 − y1/100)(1 − y2/100)) from the observed single-drug wells
    (replicate means) at the well's doses; δ = observed − reference, in % points.
    Non-combination wells: reference = observed, δ = 0.  Reproduces SynergyFinder 3.7's
    ``Bliss`` (Bliss 1939).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (docs/design.md §1), responses in % inhibition.
    convention : {"synergyfinder3", "synergyfinder2"}
        The floating-point form of the formula: SynergyFinder 3's above, or
        SynergyFinder 2's ``y1 + y2 − y1·y2/100`` (equal to ~1e-14).

    Returns
    -------
    xarray.Dataset
        ``bliss`` (δ, % points), ``bliss_reference`` (%), ``bliss_score`` and the other
        summaries of :mod:`synergy.models.summary`, ``bliss_status``.
    """
    if convention == "synergyfinder3":
        return score_from_edges(
            screen,
            "bliss",
            bliss_reference,
            "100*(1-(1-y1/100)*(1-y2/100)), y1, y2 observed single-drug wells (SynergyFinder 3)",
        )
    if convention == "synergyfinder2":
        return score_from_edges(
            screen,
            "bliss",
            bliss_reference_sf2,
            "y1 + y2 - y1*y2/100, y1, y2 observed single-drug wells (SynergyFinder 2)",
        )
    raise SynergyError(f"unknown convention {convention!r}")
