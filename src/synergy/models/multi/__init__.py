"""Reference models for screens of N ≥ 3 drugs (docs/design.md §1; issue #12).

:func:`score_multi` is what :func:`synergy.score` runs on an N-drug screen; the definitions are
in :mod:`synergy.models.multi.models`.
"""

from __future__ import annotations

import xarray as xr

from synergy.errors import SynergyError
from synergy.models.multi.common import multi_block
from synergy.models.multi.models import score_multi_model

__all__ = ["MULTI_MODELS", "score_multi"]

MULTI_MODELS = ("bliss", "hsa", "loewe", "zip")


def score_multi(
    screen: xr.Dataset,
    models: tuple[str, ...],
    *,
    convention: str = "synergyfinder3",
    loewe_solver: str = "grid100",
    fitter: str = "drc",
) -> list[xr.Dataset]:
    """Score an N-drug screen with each model; one Dataset of new variables per model.

    Parameters
    ----------
    screen : xarray.Dataset
        An N-drug screen; with Loewe or ZIP it must hold the single-drug fits ``hill``.
    models : tuple of {"bliss", "hsa", "loewe", "zip"}
    convention : {"synergyfinder3"}
        SynergyFinder 3.7's multi-drug definitions (SynergyFinder 2's DrugComb pipeline
        scored pairs only).
    loewe_solver : {"grid100", "exact"}
    fitter : {"drc", "lsq"}
        ZIP's slice fitter.

    Raises
    ------
    SynergyError
        For a model, convention or solver that has no N-drug definition.
    """
    unknown = [m for m in models if m not in MULTI_MODELS]
    if unknown:
        raise SynergyError(
            f"model(s) {unknown} are defined for drug pairs only; "
            f"N-drug screens score {MULTI_MODELS}"
        )
    if convention != "synergyfinder3":
        raise SynergyError(
            f"convention={convention!r} has no N-drug definitions (SynergyFinder 2 / DrugComb "
            "scored pairs only); use 'synergyfinder3'"
        )
    if loewe_solver not in ("grid100", "exact"):
        raise SynergyError(
            f"loewe_solver {loewe_solver!r}: N-drug screens use 'grid100' or 'exact'"
        )
    block = multi_block(screen)
    return [
        score_multi_model(screen, block, m, loewe_solver=loewe_solver, fitter=fitter)
        for m in models
    ]
