"""N-drug simulator: shapes, keyed determinism, its truths."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import synergy
from synergy.datasets import simulate_multi
from synergy.errors import SynergyError
from synergy.hill import evaluate


def test_shape_and_full_factorial_grid():
    screen = simulate_multi(2, n_drugs=3, n_doses=4, n_replicates=2)
    assert dict(screen.sizes) == {"block": 2, "well": 64, "drug": 3, "replicate": 2, "param": 4}
    assert screen["conc"].values[0, 0].tolist() == [0, 0, 0]
    assert np.unique(screen["conc"].values[0, :, 2]).tolist() == [0, 1000 / 9, 1000 / 3, 1000]


def test_draws_are_keyed_by_block_id():
    small = simulate_multi(2, noise_sd=3.0, n_replicates=2, seed=4)
    large = simulate_multi(5, noise_sd=3.0, n_replicates=2, seed=4)
    xr.testing.assert_identical(small["response"], large["response"].isel(block=slice(0, 2)))
    other = simulate_multi(2, noise_sd=3.0, n_replicates=2, seed=5)
    assert not np.allclose(small["response"].values, other["response"].values)


def test_truths():
    bliss = simulate_multi(1, n_drugs=4, n_doses=3)
    hills = bliss["true_hill"].values[0]
    conc = bliss["conc"].values[0]
    alone = np.stack([evaluate(conc[:, i], *hills[i]) for i in range(4)], axis=1)
    expect = 100 * (1 - np.prod(1 - alone / 100, axis=1))
    np.testing.assert_allclose(bliss["true_response"].values[0], expect, rtol=1e-12)
    sham = simulate_multi(1, model="loewe", n_doses=3)
    conc = sham["conc"].values[0]
    np.testing.assert_allclose(
        sham["true_response"].values[0], evaluate(conc.sum(axis=1), *sham["true_hill"].values[0, 0])
    )
    synergistic = synergy.score(simulate_multi(3, synergy_strength=2.0), models=("bliss",))
    assert (synergistic["bliss_score"].values > 0).all()


def test_bad_arguments():
    with pytest.raises(SynergyError, match="n_drugs"):
        simulate_multi(1, n_drugs=1)
    with pytest.raises(SynergyError, match="model"):
        simulate_multi(1, model="musyc")
