"""SynergyFinder's baseline correction (correct_baseline="part"|"all")."""

from __future__ import annotations

import numpy as np
import pytest

import synergy
from synergy.datasets import simulate, simulate_multi
from synergy.errors import SynergyError
from synergy.models.baseline import baseline_of, correct_baseline

HILL_ROW = {"ic50": 30.0, "hill_slope": 1.2, "bottom": -12.0, "top": 90.0}
HILL_COL = {"ic50": 50.0, "hill_slope": 2.0, "bottom": -12.0, "top": 80.0}


@pytest.fixture(scope="module")
def negative():
    return simulate(3, hill_row=HILL_ROW, hill_col=HILL_COL, truth=False)


def test_baseline_is_the_lowest_fitted_single_drug_value(negative):
    """Noise-free curves: the fits are exact, the lowest fitted value is the lower bottom."""
    np.testing.assert_allclose(baseline_of(negative, "lsq"), -12.0, atol=1e-6)
    np.testing.assert_allclose(baseline_of(negative, "drc"), -12.0, atol=1e-3)


@pytest.mark.parametrize("method", ["part", "all"])
def test_correction_formula(negative, method):
    corrected = correct_baseline(negative, method, "lsq")
    y = negative["response"].values
    b = corrected["baseline"].values[:, None, None, None]
    expect = y - (100 - y) / 100 * b
    if method == "part":
        expect = np.where(y < 0, expect, y)
    np.testing.assert_allclose(corrected["response"].values, expect, rtol=1e-12, equal_nan=True)
    # the control well (inhibition -12) rises
    assert (corrected["response"].values[:, 0, 0] > y[:, 0, 0]).all()


def test_score_refits_on_corrected_data(negative):
    plain = synergy.score(negative, fitter="lsq")
    lifted = synergy.score(negative, fitter="lsq", correct_baseline="all")
    assert "baseline" in lifted and "baseline" not in plain
    # the fits are refitted: the row drug's bottom moves from -12 to about -12 - 1.12 * -12
    bottom = lifted["hill_row"].sel(param="bottom").values
    np.testing.assert_allclose(bottom, -12 - 1.12 * -12, atol=1e-4)
    assert not np.allclose(lifted["zip_score"], plain["zip_score"])
    with pytest.raises(SynergyError, match="refit=None"):
        synergy.score(plain, correct_baseline="part", refit=False)


def test_n_drug_screens_are_corrected_too():
    screen = simulate_multi(2, n_doses=5)
    corrected = correct_baseline(screen, "all", "lsq")
    assert corrected["baseline"].shape == (2,)
    np.testing.assert_allclose(corrected["baseline"].values, 0.0, atol=1e-6)  # bottoms are 0
