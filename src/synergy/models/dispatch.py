"""Run the registered models on a screen: the loop :func:`synergy.score` and the bootstrap share.

:func:`score_models` calls each model's function from :mod:`synergy.models.registry`;
:func:`rescore_function` wraps it (with the single-drug refits) as the
``rescore`` callable :func:`synergy.stats.bootstrap` receives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import xarray as xr

from synergy.errors import SynergyError
from synergy.io.layout import n_drugs
from synergy.models import registry
from synergy.models.registry import ModelContext

__all__ = ["Rescore", "check_wells_settings", "rescore_function", "score_models"]

Rescore = Callable[[xr.Dataset, tuple[str, ...]], dict[str, xr.Dataset]]


def check_wells_settings(convention: str, loewe_solver: str) -> None:
    """Refuse a convention or Loewe solver that has no definition for three or more drugs."""
    if convention != "synergyfinder3":
        raise SynergyError(
            f"convention={convention!r} has no N-drug definitions (SynergyFinder 2 / DrugComb "
            "scored pairs only); use 'synergyfinder3'"
        )
    if loewe_solver not in ("grid100", "exact"):
        raise SynergyError(
            f"loewe_solver {loewe_solver!r}: N-drug screens use 'grid100' or 'exact'"
        )


def score_models(
    screen: xr.Dataset,
    models: tuple[str, ...],
    convention: str,
    loewe_solver: str,
    fitter: str,
    ci: float = 0.95,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[xr.Dataset]:
    """One Dataset of new variables per model, in the order of ``models``, either layout.

    Each model is its :class:`~synergy.models.registry.ModelSpec`'s ``score`` on a pair screen
    and its ``score_wells`` on a screen of three or more drugs (for Bliss, HSA, Loewe and ZIP
    the same function: one implementation on the well view, docs/design.md §16.1).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (with the single-drug fits the models need).
    models : tuple of str
        Registered model names (:mod:`synergy.models.registry`).
    convention, loewe_solver, fitter, ci : str, str, str, float
        As in :func:`synergy.score`.
    options : mapping, optional
        Each model's keyword options, by model name.

    Returns
    -------
    list of xarray.Dataset

    Raises
    ------
    SynergyError
        A model of drug pairs only, or a convention or Loewe solver without an N-drug
        definition, on a screen of three or more drugs.
    """
    options = options or {}
    many = n_drugs(screen) > 2
    if many:
        check_wells_settings(convention, loewe_solver)
        pair_only = [m for m in models if not registry.get(m).n_drugs]
        if pair_only:
            raise SynergyError(
                f"model(s) {pair_only} are defined for drug pairs only; N-drug screens score "
                f"{[m for m in registry.model_names() if registry.get(m).n_drugs]}"
            )
    shared: dict[str, Any] = {}
    out = []
    for m in models:
        spec = registry.get(m)
        context = ModelContext(convention, loewe_solver, fitter, ci, options.get(m, {}), shared)
        run = spec.score_wells if many else spec.score
        out.append(run(screen, context))
    return out


def rescore_function(convention: str, loewe_solver: str, fitter: str) -> Rescore:
    """``rescore(screen, models) -> {model: Dataset}``: how :func:`synergy.stats.bootstrap`
    scores its resampled screens, with the same functions as :func:`synergy.score`.

    Parameters
    ----------
    convention, loewe_solver, fitter : str
        As in :func:`synergy.score`; the single drugs are refitted with ``fitter``.

    Returns
    -------
    callable
        ``rescore(screen, models)``: one Dataset of new variables per model (pairs and
        N-drug screens).
    """

    def rescore(resampled: xr.Dataset, models: tuple[str, ...]) -> dict[str, xr.Dataset]:
        if any(registry.get(m).needs_fits for m in models):
            from synergy.hill import fit_screen

            resampled = fit_screen(resampled, fitter=fitter, replicates="mean")
        parts = score_models(resampled, models, convention, loewe_solver, fitter)
        return dict(zip(models, parts, strict=True))

    return rescore
