"""The model registry: what :func:`synergy.score` and the faces know about each model.

Every model :func:`synergy.score` accepts is one :class:`ModelSpec` in :data:`REGISTRY`,
declaring its name, the variables it writes, whether it needs the single-drug fits, whether
it scores N-drug screens, whether :func:`synergy.stats.bootstrap` resamples its score and
:func:`synergy.models.fit_check.check_fits` rescores it, its typed keyword options, and the
function that scores a pair screen.  ``score``, the bootstrap, the batch path, the CLI
(``--models`` help), ``to_table``, the report and ``compare`` read this table; adding a model
is one :func:`register` call (docs/design.md, "Model registry").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from synergy.errors import SynergyError

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "LABELS",
    "REGISTRY",
    "ModelContext",
    "ModelSpec",
    "block_score_models",
    "get",
    "model_names",
    "register",
    "surface_models",
    "unregister",
]

#: variables every δ-score model writes after its prefix (:mod:`synergy.models.summary`)
SCORE_SUFFIXES = (
    "",
    "_reference",
    "_score",
    "_n_wells",
    "_msa",
    "_msa_row",
    "_msa_col",
    "_max",
    "_max_conc_row",
    "_max_conc_col",
    "_min",
    "_min_conc_row",
    "_min_conc_col",
    "_status",
)
#: variables of a fitted surface model (MuSyC, Zimmer, BRAID)
FITTED_SUFFIXES = (
    "",
    "_fitted",
    "_param",
    "_stderr",
    "_sse",
    "_n_points",
    "_n_iter",
    "_status",
)


@dataclass(frozen=True)
class ModelContext:
    """The scoring settings a model's function may read (one call of :func:`synergy.score`).

    ``options`` are the model's own keyword options (validated against
    :attr:`ModelSpec.options`).
    """

    convention: str = "synergyfinder3"
    loewe_solver: str = "grid100"
    fitter: str = "drc"
    ci: float = 0.95
    options: Mapping[str, Any] = field(default_factory=dict)
    #: what the models of one ``score`` call share (e.g. the N-drug well index), by key
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class ModelSpec:
    """One model :func:`synergy.score` accepts.

    Attributes
    ----------
    name : str
        What ``models=`` takes, e.g. ``"zip"``.
    label : str
        How figures, tables and the report name it, e.g. ``"ZIP"``.
    score : callable
        ``score(screen, context) -> Dataset`` of the new variables of a pair screen
        (:class:`ModelContext`).
    variables : tuple of str
        Names of the variables it writes (block score models: at least ``<prefix>``,
        ``<prefix>_score`` and ``<prefix>_status``).
    prefix : str
        Prefix of its variables (``musyc_gamma`` writes ``musyc_*``); default ``name``.
        Two models with one prefix cannot be scored together.
    surface : bool
        Writes the δ surface ``<prefix>`` (% points, positive = synergy; drawn as a landscape).
    needs_fits : bool
        Needs the single-drug Hill fits (``hill_row``/``hill_col``, or ``hill``).
    score_wells : callable, optional
        ``score_wells(screen, context) -> Dataset``: the same model on the well layout of
        screens of N ≥ 3 drugs (docs/design.md §1.1); None for models of drug pairs only.
    n_drugs : bool
        Scores screens of three or more drugs: True exactly when ``score_wells`` is given
        (set from it).
    bootstrap : bool
        Has a δ surface and block score the bootstrap resamples (``n_boot``).
    check_fits : bool
        Rescored with the other fitter by ``check_fits`` (``<prefix>_score_other``).
    options : mapping of str to type
        Keyword options of its function (``score(model_options={name: {...}})``) and
        their types; ``seed`` is filled from ``score``'s seed when declared.
    default : bool
        Among :func:`synergy.score`'s default models.
    description : str
        One line for ``--models`` help.
    """

    name: str
    label: str
    score: Callable[[xr.Dataset, ModelContext], xr.Dataset]
    variables: tuple[str, ...]
    prefix: str = ""
    surface: bool = False
    needs_fits: bool = False
    n_drugs: bool = False
    bootstrap: bool = False
    check_fits: bool = False
    options: Mapping[str, type] = field(default_factory=dict)
    default: bool = False
    description: str = ""
    score_wells: Callable[[xr.Dataset, ModelContext], xr.Dataset] | None = None

    def __post_init__(self) -> None:
        if not self.prefix:
            object.__setattr__(self, "prefix", self.name)
        if self.n_drugs and self.score_wells is None:
            raise SynergyError(f"model {self.name!r}: n_drugs=True needs score_wells")
        object.__setattr__(self, "n_drugs", self.score_wells is not None)
        if f"{self.prefix}_status" not in self.variables:
            raise SynergyError(f"model {self.name!r} must write {self.prefix}_status")
        if self.bootstrap and not (self.surface and f"{self.prefix}_score" in self.variables):
            raise SynergyError(
                f"model {self.name!r}: bootstrap needs the surface {self.prefix} and "
                f"{self.prefix}_score"
            )

    def check_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """``options`` checked against :attr:`options` (names and types); a new dict."""
        out = dict(options)
        for key, value in out.items():
            if key not in self.options:
                raise SynergyError(
                    f"model_options for {self.name!r}: unknown option {key!r}; "
                    f"it takes {sorted(self.options) or 'no options'}"
                )
            kind = self.options[key]
            ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
            if kind is float:
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not (ok or value is None):
                raise SynergyError(
                    f"model_options for {self.name!r}: {key} must be {kind.__name__}, got {value!r}"
                )
        return out


REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec, *, replace: bool = False) -> ModelSpec:
    """Add a model to :data:`REGISTRY` (``replace=True`` to redefine one); returns ``spec``."""
    if spec.name in REGISTRY and not replace:
        raise SynergyError(f"model {spec.name!r} is already registered")
    REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a model from :data:`REGISTRY` (for tests and plug-ins)."""
    REGISTRY.pop(name, None)


def get(name: str) -> ModelSpec:
    """The registered model ``name``; :class:`~synergy.errors.SynergyError` naming the
    choices otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise SynergyError(f"unknown model {name!r}: choose from {tuple(REGISTRY)}") from None


def model_names(*, default: bool | None = None) -> tuple[str, ...]:
    """Registered model names, in registration order (only the defaults with ``default=True``)."""
    return tuple(n for n, s in REGISTRY.items() if default is None or s.default == default)


def surface_models(screen: xr.Dataset) -> list[str]:
    """Registered models whose δ surface ``<prefix>`` (block, row, col) ``screen`` holds."""
    found = []
    for spec in REGISTRY.values():
        p = spec.prefix
        if (
            spec.surface
            and p in screen
            and screen[p].dims == ("block", "row", "col")
            and p not in found
        ):
            found.append(p)
    return found


def block_score_models(screen: xr.Dataset) -> list[str]:
    """Registered models whose δ surface and block score ``screen`` holds (prefixes)."""
    surfaces = (("block", "row", "col"), ("block", "well"))
    found = []
    for spec in REGISTRY.values():
        p = spec.prefix
        has = spec.surface and p in screen and f"{p}_score" in screen and screen[p].dims in surfaces
        if has and screen[f"{p}_score"].dims == ("block",) and p not in found:
            found.append(p)
    return found


class _Labels(Mapping[str, str]):
    """Display labels of the registered models, by name or variable prefix (live view)."""

    def __getitem__(self, key: str) -> str:
        if key in REGISTRY:
            return REGISTRY[key].label
        for spec in REGISTRY.values():
            if spec.prefix == key:
                return spec.label
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(REGISTRY)

    def __len__(self) -> int:
        return len(REGISTRY)


#: ``LABELS.get(model, model)``: how figures, tables and the report name a model
LABELS: Mapping[str, str] = _Labels()
