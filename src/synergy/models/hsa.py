"""Highest single agent from the observed single-drug wells (SynergyFinder 3).

Reference at a combination well: ``max_i y_i``, the largest observed response of the
drugs alone at the well's doses (replicate means), % inhibition; δ = observed −
reference.  Non-combination wells keep reference = observed, δ = 0.

Reference: Berenbaum MC (1989) Pharmacol Rev 41:93-141; SynergyFinder 3.7
``R/calculate_synergy_score.R`` (``HSA``), which this reproduces exactly.
"""

from __future__ import annotations

import xarray as xr

from synergy.models.bliss import score_edge_model
from synergy.models.reference import hsa_combine
from synergy.models.well_view import WellView

__all__ = ["score_hsa"]


def score_hsa(screen: xr.Dataset, *, view: WellView | None = None) -> xr.Dataset:
    """HSA δ surfaces and block scores of every block of a screen.

    reference = max(y1, y2) of the observed single-drug wells (replicate means) at the
    well's doses, % inhibition; δ = observed − reference (% points).  Non-combination
    wells: reference = observed, δ = 0.  Reproduces SynergyFinder 3.7's ``HSA``.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen of either layout (docs/design.md §1, §1.1).
    view : WellView, optional
        The screen's well view, if already computed.

    Returns
    -------
    xarray.Dataset
        ``hsa``, ``hsa_reference``, ``hsa_score`` and the other summaries, ``hsa_status``.
    """
    return score_edge_model(
        screen, "hsa", hsa_combine, "max_i y_i, observed single-drug wells (SynergyFinder 3)", view
    )
