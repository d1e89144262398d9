"""The scoring settings as one small frozen, validated object: :class:`ScoringOptions`.

``synergy.score(screen, options=ScoringOptions(...))`` is the same call as the keyword form;
every scored Dataset records its options (``attrs["scoring"]``, JSON) and
:meth:`ScoringOptions.from_dataset` gives them back, also from files written before the
object existed.  The batch path (:func:`synergy.batch.run.check_settings`) and the CLI
validate through it instead of re-deriving the rules.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import xarray as xr

from synergy.cleaning import DEFAULT_THRESHOLD, check_cleaning
from synergy.errors import SynergyError
from synergy.io.response_kind import PLAUSIBLE_RANGE
from synergy.models import registry

__all__ = ["ScoringOptions"]


def _frozen(options: Mapping[str, Mapping[str, Any]] | None) -> tuple:
    """Model options as nested sorted tuples (hashable, order-free)."""
    return tuple(
        sorted((str(m), tuple(sorted(dict(o).items()))) for m, o in (options or {}).items())
    )


@dataclass(frozen=True)
class ScoringOptions:
    """Every setting of :func:`synergy.score`, checked when made (see ``score`` for each).

    ``loewe_solver`` and ``fitter`` left ``None`` mean the convention's; ``model_options``
    holds each model's keyword options (types declared in :mod:`synergy.models.registry`).

    Raises
    ------
    SynergyError
        On an unknown model, convention, solver, fitter or option, or options that do not
        go together (the checks of :func:`synergy.score`).
    """

    models: tuple[str, ...] = field(default_factory=lambda: registry.model_names(default=True))
    convention: str = "synergyfinder3"
    loewe_solver: str | None = None
    fitter: str | None = None
    refit: bool | None = None
    correct_baseline: str = "non"
    n_boot: int = 0
    ci: float = 0.95
    seed: int | None = None
    check_fits: bool = False
    sensitivity: bool = False
    bootstrap: str = "resample"
    well_intervals: bool = False
    model_options: tuple = ()
    response_range: tuple[float, float] = PLAUSIBLE_RANGE
    impute: str | None = None
    outliers: str | None = None
    outlier_threshold: float = DEFAULT_THRESHOLD

    def __post_init__(self) -> None:
        from synergy.scoring_checks import check_bootstrap, check_model_options

        models = (self.models,) if isinstance(self.models, str) else tuple(self.models)
        object.__setattr__(self, "models", models)
        if isinstance(self.model_options, Mapping):
            object.__setattr__(self, "model_options", _frozen(self.model_options))
        low, high = (float(v) for v in self.response_range)  # a list when read from JSON
        if not low < high:
            raise SynergyError(
                f"response_range must be (low, high) with low < high, got {self.response_range}"
            )
        object.__setattr__(self, "response_range", (low, high))
        resolved, _, _ = self.resolved()
        object.__setattr__(self, "models", resolved)
        check_bootstrap(self.n_boot, self.bootstrap)
        check_cleaning(self.impute, self.outliers, self.outlier_threshold)
        check_model_options(self.model_options_dict(), resolved)
        if self.correct_baseline != "non" and self.refit is False:
            raise SynergyError(
                "correct_baseline needs single-drug fits of the corrected data: use refit=None"
            )

    def resolved(self) -> tuple[tuple[str, ...], str, str]:
        """``(models, fitter, loewe_solver)`` with the convention's defaults filled in."""
        from synergy.scoring_checks import check_options

        return check_options(
            self.models,
            self.convention,
            self.loewe_solver,
            self.fitter,
            self.correct_baseline,
            self.n_boot,
            self.ci,
        )

    def model_options_dict(self) -> dict[str, dict[str, Any]]:
        """``model_options`` as ``{model: {option: value}}``."""
        return {m: dict(o) for m, o in self.model_options}

    def as_kwargs(self) -> dict[str, Any]:
        """The keyword form: ``synergy.score(screen, **options.as_kwargs())``."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["models"] = tuple(self.models)
        out["model_options"] = self.model_options_dict()
        return out

    def to_json(self) -> str:
        """JSON of every field (what :func:`synergy.score` stores in ``attrs["scoring"]``)."""
        out = asdict(self)
        out["models"] = list(self.models)
        out["model_options"] = self.model_options_dict()
        return json.dumps(out, sort_keys=True)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ScoringOptions:
        """Options from a mapping of fields; unknown keys are refused."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise SynergyError(f"unknown scoring option(s) {unknown}; accepted: {sorted(names)}")
        return cls(**dict(values))

    @classmethod
    def from_dataset(cls, scored: xr.Dataset) -> ScoringOptions:
        """The options a Dataset was scored with (``attrs["scoring"]``).

        Reads the full record of this version (``"options"``) and, from older files, the
        settings they stored (fields they did not record take their defaults).
        """
        text = scored.attrs.get("scoring")
        if not text:
            raise SynergyError(
                "the Dataset has no attrs['scoring']: it was not scored by synergy.score"
            )
        record = json.loads(text)
        if "options" in record:
            return cls.from_mapping(record["options"])
        old = {k: v for k, v in record.items() if k in {f.name for f in fields(cls)}}
        return cls.from_mapping(old)
