"""Checks of :func:`synergy.score`'s options: models, convention, solver, fitter, bootstrap
and the models' own options (docs/design.md §13), shared by ``score`` and
:class:`synergy.options.ScoringOptions`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import xarray as xr

from synergy.errors import SynergyError
from synergy.models import registry
from synergy.models.baseline import BASELINE_CORRECTIONS
from synergy.models.loewe import LOEWE_SOLVERS

__all__ = [
    "CONVENTIONS",
    "check_bootstrap",
    "check_model_options",
    "check_options",
    "known_models",
]

CONVENTIONS = {
    "synergyfinder3": {"fitter": "drc", "loewe_solver": "grid100"},
    "synergyfinder2": {"fitter": "drc", "loewe_solver": "sf2"},
}


def check_options(
    models: Sequence[str],
    convention: str,
    loewe_solver: str | None,
    fitter: str | None,
    correct_baseline: str,
    n_boot: int,
    ci: float,
) -> tuple[tuple[str, ...], str, str]:
    """Check :func:`synergy.score`'s options; return ``(models, fitter, loewe_solver)`` resolved.

    Raises
    ------
    SynergyError
        On an unknown model, convention, solver or fitter, or an option not implemented.
    """
    if isinstance(models, str):
        models = (models,)
    models = tuple(dict.fromkeys(m.lower() for m in models))
    known = registry.model_names()
    unknown = [m for m in models if m not in known]
    if unknown or not models:
        raise SynergyError(f"unknown model(s) {unknown or models}: choose from {known}")
    prefixes: dict[str, str] = {}
    for m in models:
        other = prefixes.setdefault(registry.get(m).prefix, m)
        if other != m:
            raise SynergyError(
                f"choose one of {other!r} and {m!r}: both write the "
                f"{registry.get(m).prefix}_* variables"
            )
    if convention not in CONVENTIONS:
        raise SynergyError(f"convention must be one of {sorted(CONVENTIONS)}, got {convention!r}")
    loewe_solver = loewe_solver or CONVENTIONS[convention]["loewe_solver"]
    if loewe_solver not in LOEWE_SOLVERS:
        raise SynergyError(
            f"loewe_solver must be one of {sorted(LOEWE_SOLVERS)}, got {loewe_solver!r}"
        )
    fitter = fitter or CONVENTIONS[convention]["fitter"]
    if fitter not in ("drc", "lsq"):
        raise SynergyError(f"fitter must be 'drc' or 'lsq', got {fitter!r}")
    if correct_baseline not in BASELINE_CORRECTIONS:
        raise SynergyError(
            f"correct_baseline must be one of {BASELINE_CORRECTIONS}, got {correct_baseline!r}"
        )
    if not 0 < ci < 1:
        raise SynergyError(f"ci must be in (0, 1), got {ci!r}")
    return models, fitter, loewe_solver


def check_bootstrap(n_boot: int, method: str, screen: xr.Dataset | None = None) -> None:
    """Check ``n_boot`` and the bootstrap method.

    Raises
    ------
    SynergyError
        On a negative, fractional or single bootstrap count, or an unknown method.
    """
    if isinstance(n_boot, bool) or int(n_boot) != n_boot or n_boot < 0 or n_boot == 1:
        raise SynergyError(f"n_boot must be 0 (no bootstrap) or an integer >= 2, got {n_boot!r}")
    if method not in ("resample", "synergyfinder"):
        raise SynergyError(f"bootstrap must be 'resample' or 'synergyfinder', got {method!r}")


def known_models() -> tuple[str, ...]:
    """Every model :func:`synergy.score` accepts now (:mod:`synergy.models.registry`)."""
    return registry.model_names()


def check_model_options(
    model_options: Mapping[str, Mapping[str, Any]] | None, models: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """Each model's keyword options checked against the registry's declared names and types."""
    options = {str(m): dict(o) for m, o in (model_options or {}).items()}
    takes = [m for m in models if registry.get(m).options]
    for model in options:
        if model not in takes:
            raise SynergyError(
                f"model_options for {model!r}: options are for the models that take them "
                f"{[m for m in known_models() if registry.get(m).options]} among "
                f"models={list(models)}"
            )
        options[model] = registry.get(model).check_options(options[model])
    return options
