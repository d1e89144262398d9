"""Bootstrap intervals of N-drug screens (issue #12 item 3)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import synergy
from synergy.datasets import path, simulate_multi
from synergy.stats import bootstrap


def test_two_drugs_through_the_n_drug_layout_give_the_pair_intervals():
    """Same wells, same keyed draws: the N-drug bootstrap equals the pair one exactly."""
    table = path("sf_oneil") / "data.csv"
    kwargs = {"n_boot": 12, "seed": 2, "well_intervals": True, "fitter": "lsq"}
    pair = synergy.score(synergy.read_screen(table), **kwargs)
    multi = synergy.score(synergy.read_screen(table, layout="multi"), **kwargs)
    for model in ("bliss", "hsa", "loewe", "zip"):
        for suffix in ("_score_low", "_score_high", "_pvalue"):
            np.testing.assert_array_equal(multi[model + suffix], pair[model + suffix])
        np.testing.assert_array_equal(
            multi[f"{model}_low"].values, pair[f"{model}_low"].values.reshape(2, -1)
        )


@pytest.fixture(scope="module")
def triplets() -> xr.Dataset:
    screen = simulate_multi(6, n_doses=5, n_replicates=3, noise_sd=4.0, synergy_strength=1.0)
    return synergy.score(screen, fitter="lsq")


def test_three_drug_intervals_are_chunking_invariant(triplets):
    whole = bootstrap(triplets, ("bliss", "zip"), n_boot=10, seed=5, fitter="lsq")
    chunked = bootstrap(
        triplets, ("bliss", "zip"), n_boot=10, seed=5, fitter="lsq", max_resampled=20
    )
    xr.testing.assert_identical(whole, chunked)
    low, high = whole["bliss_score_low"].values, whole["bliss_score_high"].values
    assert (low < high).all() and np.isfinite(low).all()
    score = triplets["bliss_score"].values
    assert ((low <= score) & (score <= high)).mean() >= 0.8


def test_three_drugs_without_replicates_say_why_there_is_no_interval():
    scored = synergy.score(simulate_multi(2, n_doses=5), models=("bliss",), n_boot=5)
    assert np.isnan(scored["bliss_score_low"].values).all()
    assert (scored["bootstrap_noise"].values == 2).all()
