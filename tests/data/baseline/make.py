"""Stored outputs of ``synergy.score`` on fixed screens: the baseline the scoring core is held to.

Run from the repository root (it overwrites ``tests/data/baseline/baseline.npz``; record the
commit in ``tests/data/baseline/README.md``)::

    PYTHONPATH=src .venv/bin/python tests/data/baseline/make.py

``tests/test_stored_baseline.py`` imports :data:`CASES` and :func:`score_case` from here and
compares a fresh run with the stored arrays (docs/design.md §16).  Each case is a screen
(a bundled set, or a simulated one with a fixed seed) scored with one set of options; every
data variable of the result is stored under ``"<case>/<variable>"`` (numbers as they are,
text as fixed-width unicode), with the block ids under ``"<case>/block"``.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

HERE = Path(__file__).resolve().parent
STORE = HERE / "baseline.npz"
REFERENCE_MODELS = ("bliss", "hsa", "loewe", "zip")


@dataclass(frozen=True)
class Case:
    """One stored run: ``screen()`` scored with ``options``."""

    name: str
    screen: Callable[[], xr.Dataset]
    options: dict[str, Any] = field(default_factory=dict)


def _bundled(name: str) -> Callable[[], xr.Dataset]:
    def load() -> xr.Dataset:
        from synergy.datasets import load as load_set

        return load_set(name)

    return load


def _bundled_as_multi(name: str) -> Callable[[], xr.Dataset]:
    """A pair set read through the N-drug layout (``read_screen(..., layout="multi")``)."""

    def load() -> xr.Dataset:
        from synergy.datasets import BUNDLED, path
        from synergy.io.reader import read_screen

        return read_screen(
            path(name) / "data.csv", response_kind=BUNDLED[name].response_kind, layout="multi"
        )

    return load


_NOISY_RAGGED = {"ragged": True, "n_replicates": 2, "missing_fraction": 0.05, "truth": False}


def _simulated_ragged(n_blocks: int, seed: int, **options: Any) -> xr.Dataset:
    """Ragged pair blocks (a random 3…n_doses doses per drug), 2 replicates, 5 % missing."""
    from synergy.datasets import simulate

    return simulate(n_blocks, seed=seed, **_NOISY_RAGGED, **options)


# 1,000 blocks of 3–6 doses per drug, Bliss truth shifted by 0.3 (seed 23)
_ragged_screen = functools.partial(
    _simulated_ragged, 1000, 23, model="bliss", n_doses=6, synergy_strength=0.3, noise_sd=5.0
)
# 12 blocks on a MuSyC truth, for the models beyond the reference four (seed 7)
_small_ragged_screen = functools.partial(
    _simulated_ragged, 12, 7, model="musyc", n_doses=5, alpha12=2.0, alpha21=0.5, noise_sd=4.0
)


def _ragged_200() -> xr.Dataset:
    """The first 200 blocks of :func:`_ragged_screen`."""
    return _ragged_screen().isel(block=slice(0, 200))


def _multi_screen() -> xr.Dataset:
    """20 simulated three-drug cubes (Bliss with a potency shift, noise; seed 5)."""
    from synergy.datasets import simulate_multi

    return simulate_multi(
        20, n_drugs=3, n_doses=4, synergy_strength=0.5, n_replicates=2, noise_sd=4.0, seed=5
    )


PAIR_SETS = ("sf_mathews", "sf_oneil", "drugcomb_examples", "ncats_10023_malaria")
PAIR_OPTIONS = {
    "sf3": {},
    "sf3_exact": {"loewe_solver": "exact"},
    "sf3_lsq": {"fitter": "lsq"},
    "sf2": {"convention": "synergyfinder2"},
}
MULTI_OPTIONS = {"sf3": {}, "sf3_exact": {"loewe_solver": "exact"}, "sf3_lsq": {"fitter": "lsq"}}
OTHER_MODELS = ("musyc", "ci", "zimmer", "braid")

CASES: tuple[Case, ...] = (
    *(
        Case(f"{name}:{label}", _bundled(name), options)
        for name in (*PAIR_SETS, "menin_venetoclax")
        for label, options in PAIR_OPTIONS.items()
    ),
    *(
        Case(f"{name}:multi_layout:{label}", _bundled_as_multi(name), options)
        for name in ("sf_mathews", "sf_oneil")
        for label, options in MULTI_OPTIONS.items()
    ),
    *(
        Case(f"sf_ncats_3drug:{label}", _bundled("sf_ncats_3drug"), options)
        for label, options in MULTI_OPTIONS.items()
    ),
    *(
        Case(f"simulated_3drug:{label}", _multi_screen, options)
        for label, options in MULTI_OPTIONS.items()
    ),
    Case("simulated_ragged_1000:sf3", _ragged_screen, {}),
    Case("simulated_ragged_200:sf3_exact", _ragged_200, {"loewe_solver": "exact"}),
    Case("simulated_ragged_200:sf2", _ragged_200, {"convention": "synergyfinder2"}),
    Case("simulated_ragged_12:other_models", _small_ragged_screen, {"models": OTHER_MODELS}),
)


def score_case(case: Case, screen: xr.Dataset | None = None) -> dict[str, np.ndarray]:
    """Score one case; return its arrays keyed ``"<case>/<variable>"``.

    The variables of the input screen (responses, doses …) are left out: they are not
    outputs.  ``screen`` is ``case.screen()`` already loaded, if given.
    """
    from synergy.scoring import score

    screen = case.screen() if screen is None else screen
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scored = score(screen, **case.options)
    arrays = {f"{case.name}/block": np.asarray(scored["block"].values, dtype=str)}
    for name, var in scored.data_vars.items():
        if name in screen.data_vars:
            continue
        values = np.asarray(var.values)
        if values.dtype.kind == "O":
            values = values.astype(str)
        arrays[f"{case.name}/{name}"] = values
    return arrays


def main() -> int:
    arrays: dict[str, np.ndarray] = {}
    screens: dict[Callable[[], xr.Dataset], xr.Dataset] = {}
    for case in CASES:
        screen = screens.setdefault(case.screen, case.screen())
        arrays.update(score_case(case, screen))
        print(case.name, file=sys.stderr)
    np.savez_compressed(STORE, **arrays)
    print(f"{STORE}: {len(arrays)} arrays, {STORE.stat().st_size / 1e6:.2f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
