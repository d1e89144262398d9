"""Reference models for screens of N ≥ 3 drugs (docs/design.md §1.1, §16).

:func:`score_wells` is the registry's ``score_wells`` of Bliss, HSA, Loewe and ZIP
(:mod:`synergy.models.builtin`): what :func:`synergy.score` runs on an N-drug screen through
:func:`synergy.models.dispatch.score_models`, after refusing the settings that have no
N-drug definition.  The models themselves (:mod:`synergy.models.bliss`, ``hsa``, ``loewe``,
``zip``) are one implementation for either layout (docs/design.md §16.1).
"""

from __future__ import annotations

import xarray as xr

from synergy.errors import SynergyError
from synergy.models.registry import ModelContext
from synergy.models.well_view import well_view

__all__ = ["check_wells_settings", "score_multi", "score_wells"]


def check_wells_settings(convention: str, loewe_solver: str) -> None:
    """Refuse a convention or Loewe solver that has no N-drug definition."""
    if convention != "synergyfinder3":
        raise SynergyError(
            f"convention={convention!r} has no N-drug definitions (SynergyFinder 2 / DrugComb "
            "scored pairs only); use 'synergyfinder3'"
        )
    if loewe_solver not in ("grid100", "exact"):
        raise SynergyError(
            f"loewe_solver {loewe_solver!r}: N-drug screens use 'grid100' or 'exact'"
        )


def score_wells(screen: xr.Dataset, model: str, context: ModelContext) -> xr.Dataset:
    """One reference model on an N-drug screen: the new variables (the registry's
    ``score_wells`` of Bliss, HSA, Loewe and ZIP; :mod:`synergy.models.registry`).

    Parameters
    ----------
    screen : xarray.Dataset
        An N-drug screen; with Loewe or ZIP it must hold the single-drug fits ``hill``.
    model : {"bliss", "hsa", "loewe", "zip"}
    context : synergy.models.registry.ModelContext
        ``convention`` (``"synergyfinder3"`` only), ``loewe_solver`` (``"grid100"`` or
        ``"exact"``), ``fitter`` (ZIP's slices); the well index is computed once per
        ``context.shared``.
    """
    check_wells_settings(context.convention, context.loewe_solver)
    view = well_view(screen, context.shared)
    if model == "bliss":
        from synergy.models.bliss import score_bliss

        return score_bliss(screen, view=view)
    if model == "hsa":
        from synergy.models.hsa import score_hsa

        return score_hsa(screen, view=view)
    if model == "loewe":
        from synergy.models.loewe import score_loewe

        return score_loewe(screen, solver=context.loewe_solver, view=view)
    from synergy.models.zip import score_zip

    return score_zip(screen, fitter=context.fitter, view=view)


def score_multi(
    screen: xr.Dataset,
    models: tuple[str, ...],
    *,
    convention: str = "synergyfinder3",
    loewe_solver: str = "grid100",
    fitter: str = "drc",
) -> list[xr.Dataset]:
    """Score an N-drug screen with each model; one Dataset of new variables per model
    (:func:`synergy.models.dispatch.score_models` on the registry's models).

    Raises
    ------
    SynergyError
        For a model, convention or solver that has no N-drug definition.
    """
    from synergy.models.dispatch import score_models

    return score_models(screen, tuple(models), convention, loewe_solver, fitter)
