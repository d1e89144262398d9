"""The simulator reproduces the screens stored by the code before pairs and N-drug cubes were
one function (tests/data/simulated, commit 76f186f): every draw bit for bit."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import synergy
from synergy.errors import SynergyError

STORED = Path(__file__).parents[1] / "data" / "simulated"
_spec = importlib.util.spec_from_file_location("simulated_make", STORED / "make.py")
make = sys.modules.setdefault("simulated_make", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(make)


@pytest.fixture(scope="module")
def stored() -> dict[str, np.ndarray]:
    with np.load(make.STORE) as store:
        return {key: store[key] for key in store.files}


@pytest.mark.parametrize("case", list(make.CASES))
def test_draws_match_the_stored_screens(case, stored):
    fresh = make.arrays(case, make.CASES[case]())
    expected = {k: v for k, v in stored.items() if k.split("/")[0] == case}
    assert expected and sorted(fresh) == sorted(expected)
    for key, values in expected.items():
        assert fresh[key].dtype == values.dtype, key
        assert np.array_equal(fresh[key], values, equal_nan=values.dtype.kind == "f"), key


def test_cubes_come_from_simulate(stored):
    """``simulate(n_drugs=3)`` is the N-drug cube path: the stored three-drug draws."""
    screen = synergy.datasets.simulate(
        2, n_drugs=3, n_doses=4, synergy_strength=0.5, seed=4, noise_sd=4.0, n_replicates=2
    )
    assert np.array_equal(screen["response"].values, stored["cube3_bliss_seed4/response"])
    assert np.array_equal(screen["true_hill"].values, stored["cube3_bliss_seed4/true_hill"])
    by_id = synergy.datasets.simulate(
        ["2"], n_drugs=3, n_doses=4, synergy_strength=0.5, seed=4, noise_sd=4.0, n_replicates=2
    )  # draws are keyed by block id
    assert np.array_equal(by_id["response"].values[0], stored["cube3_bliss_seed4/response"][1])


def test_pair_only_options_are_refused_for_cubes():
    with pytest.raises(SynergyError, match="missing_fraction"):
        synergy.datasets.simulate(1, n_drugs=3, missing_fraction=0.1)
    with pytest.raises(SynergyError, match="layout='pair'"):
        synergy.datasets.simulate(1, n_drugs=3, layout="pair")
    with pytest.raises(SynergyError, match="model"):
        synergy.datasets.simulate(1, n_drugs=3, model="musyc")
