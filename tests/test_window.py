"""synergy.window: leukemic minus normal differences, checked against direct arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

import synergy
from synergy.errors import SynergyError
from synergy.window import find_normal_block, therapeutic_window


@pytest.fixture(scope="module")
def scored():
    screen = synergy.datasets.load("menin_venetoclax").sel(block=["1", "5", "13"])
    return synergy.score(screen, models=("bliss",))


def test_normal_block_is_the_same_pair_in_normal_cells(scored):
    assert find_normal_block(scored, "1") == 2
    assert find_normal_block(scored, "5") == 2
    assert find_normal_block(scored, "13") is None


def test_differences_are_well_by_well(scored):
    out = therapeutic_window(scored, "5", model="bliss")
    response = scored["response"].values
    expected_inhib = response[1].mean(axis=-1) - response[2].mean(axis=-1)
    expected_delta = scored["bliss"].values[1] - scored["bliss"].values[2]
    np.testing.assert_allclose(out["inhibition_difference"].values, expected_inhib)
    np.testing.assert_allclose(out["delta_difference"].values, expected_delta)
    assert out["delta_difference_mean"] == pytest.approx(expected_delta[1:, 1:].mean())
    assert out["inhibition_difference_mean"] == pytest.approx(expected_inhib[1:, 1:].mean())
    assert out.attrs["normal_block"] == "13" and out.attrs["method"].startswith("same dose grid")


def test_missing_wells_and_explicit_normal(scored):
    screen = scored.copy(deep=True)
    response = screen["response"].values
    response[2, 3, 4, :] = np.nan
    response[1, 2, 2, :2] = np.nan
    out = therapeutic_window(screen, 1, model="bliss", normal="13")
    assert np.isnan(out["inhibition_difference"].values[3, 4])
    assert out["inhibition_difference"].values[2, 2] == pytest.approx(
        response[1, 2, 2, 2] - response[2, 2, 2].mean()
    )


def test_different_grids_are_not_compared(scored):
    screen = scored.copy(deep=True)
    screen["conc_row"].values[2] = screen["conc_row"].values[2] * 2
    out = therapeutic_window(screen, "1", model="bliss")
    assert "differ" in out.attrs["method"]
    assert np.all(np.isnan(out["delta_difference"].values))
    assert np.isnan(out["delta_difference_mean"])


def test_errors_name_the_problem(scored):
    with pytest.raises(SynergyError, match="no normal-cell block"):
        therapeutic_window(scored, "13", model="bliss")
    with pytest.raises(SynergyError, match="sample_kind"):
        therapeutic_window(scored.drop_vars("sample_kind"), "1", model="bliss")
    with pytest.raises(SynergyError, match="no δ surface 'zip'"):
        therapeutic_window(scored, "1", model="zip")


def test_different_grids_compare_on_the_fitted_surface_when_zip_is_scored():
    screen = synergy.datasets.load("menin_venetoclax").sel(block=["1", "13"])
    screen["conc_row"].values[1] = screen["conc_row"].values[1] * 1.5
    scored = synergy.score(screen, models=("bliss", "zip"), fitter="lsq")
    out = therapeutic_window(scored, "1", model="zip")
    assert "fitted surface" in out.attrs["method"]
    assert np.isfinite(out["inhibition_difference_mean"])
    # the same numbers as the screen-wide statistics function
    from synergy.stats import therapeutic_window as screen_window

    whole = screen_window(scored, n_boot=0).isel(pair=0)
    np.testing.assert_array_equal(out["delta_difference"].values, whole["zip_difference"].values)
