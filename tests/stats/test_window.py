"""Therapeutic window: leukemic vs normal blocks of the same pair (issue #6, DESIGN §6.22)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import synergy
from synergy.errors import SynergyError
from synergy.stats import therapeutic_window


@pytest.fixture(scope="module")
def menin_window():
    menin = synergy.datasets.menin_venetoclax()
    scored = synergy.score(menin, ("bliss",), n_boot=100, seed=1)
    return menin, scored, therapeutic_window(scored, margin=20.0)


def test_pairs_and_differences(menin_window):
    menin, scored, window = menin_window
    assert window.sizes["pair"] == 12
    assert set(window.reference_sample.values) == {"CD34+"}
    assert np.all(window.drug_row.values == menin.drug_row.values[:12])
    observed = menin.response.mean("replicate").values
    for p in (0, 5, 11):
        leuk = int(np.flatnonzero(menin.block.values == window.block.values[p])[0])
        norm = int(np.flatnonzero(menin.block.values == window.reference_block.values[p])[0])
        np.testing.assert_allclose(
            window.inhibition_difference.values[p], observed[leuk] - observed[norm]
        )
        diff = observed[leuk, 1:, 1:] - observed[norm, 1:, 1:]
        assert window.window.values[p, 1:, 1:].tolist() == (diff > 20.0).tolist()
        assert not window.window.values[p, 0].any()
        assert window.selectivity.values[p] == pytest.approx(diff.mean())
        assert window.window_fraction.values[p] == pytest.approx(np.mean(diff > 20.0))
        delta = scored.bliss.values
        np.testing.assert_allclose(window.bliss_difference.values[p], delta[leuk] - delta[norm])
    assert set(window.grid_method.values) == {"observed"}


def _paired_screen(n_pair, noise_sd=4.0, seed=5):
    grid = np.r_[0.0, 10.0 * 3.0 ** np.arange(-3, 4)]
    drugs = [f"d{k}" for k in range(n_pair)]
    common = {"conc_row": grid, "conc_col": grid, "noise_sd": noise_sd, "n_replicates": 3}
    leuk = synergy.datasets.simulate(
        [f"L{k}" for k in range(n_pair)], drug_row=drugs, sample="AML", seed=seed,
        synergy_strength=2.0, **common,
    )  # fmt: skip
    norm = synergy.datasets.simulate(
        [f"N{k}" for k in range(n_pair)], drug_row=drugs, sample="CD34+", seed=seed + 1,
        hill_row={"ic50": 100.0, "top": 40.0}, hill_col={"ic50": 100.0, "top": 40.0}, **common,
    )  # fmt: skip
    keep = ["response", "true_response"]
    screen = xr.concat([leuk[keep], norm[keep]], dim="block")
    kind = ["leukemic"] * n_pair + ["normal"] * n_pair
    screen = screen.assign_coords(sample_kind=("block", kind))
    screen.attrs = {k: v for k, v in leuk.attrs.items() if k != "truth"}
    return screen


def test_selectivity_interval_covers_truth():
    """Bootstrap intervals of the selectivity cover the noise-free selectivity (true
    surfaces; the selectivity is a mean of well differences, so unbiased) in 90-98 %."""
    screen = _paired_screen(150)
    scored = synergy.score(
        screen[["response"]].assign_attrs(screen.attrs), ("bliss",), n_boot=100, seed=1
    )
    window = therapeutic_window(scored)
    assert window.sizes["pair"] == 150
    true = screen.true_response.values
    truth = (true[:150] - true[150:])[:, 1:, 1:].mean(axis=(1, 2))
    covered = (window.selectivity_low.values <= truth) & (truth <= window.selectivity_high.values)
    assert 0.90 <= covered.mean() <= 0.98
    # score differences get normal intervals from the blocks' bootstrap standard errors
    se = scored.bliss_score_se.values
    half = window.bliss_score_difference_high - window.bliss_score_difference
    np.testing.assert_allclose(half, 1.959964 * np.hypot(se[:150], se[150:]), rtol=1e-6)


def _block(ic50_row, ic50_col, doses_row, doses_col, sample, kind):
    screen = synergy.datasets.simulate(
        [sample], hill_row={"ic50": ic50_row, "top": 90.0},
        hill_col={"ic50": ic50_col, "top": 80.0}, conc_row=doses_row, conc_col=doses_col,
        sample=sample,
    )  # fmt: skip
    return screen.assign_coords(sample_kind=("block", [kind]))


def test_different_grids_use_fitted_surface():
    """Noise-free normal block on a finer grid: its fitted surface at the leukemic grid is
    the true normal surface there (up to log-dose interpolation)."""
    grid_leuk = np.r_[0.0, 10.0 * 3.0 ** np.arange(-3, 4)]
    grid_norm = np.r_[0.0, 10.0 * 1.5 ** np.arange(-9, 10)]
    screen = synergy.datasets.simulate(
        ["AML", "CD34+"], sample=["AML", "CD34+"],
        hill_row={"ic50": [5.0, 50.0], "top": 90.0}, hill_col={"ic50": [20.0, 80.0], "top": 80.0},
        conc_row=[grid_leuk, grid_norm], conc_col=[grid_leuk, grid_norm], truth=False,
    )  # fmt: skip
    scored = synergy.score(screen, ("bliss", "zip"), fitter="lsq")
    window = therapeutic_window(scored, reference="CD34+")
    assert window.sizes["row"] == 20 and window.sizes["pair"] == 1
    assert window.grid_method.values.tolist() == ["fitted"]
    expected = _block(50.0, 80.0, grid_leuk, grid_leuk, "x", "normal").true_response.values[0]
    got = scored.response.values[0, :8, :8, 0] - window.inhibition_difference.values[0, :8, :8]
    np.testing.assert_allclose(got, expected, atol=1.0)
    assert np.isnan(window.selectivity_low.values[0])


def test_which_blocks_are_normal_must_be_said():
    grid = [0.0, 1.0, 3.0, 9.0]
    screen = synergy.datasets.simulate(2, sample=["a", "b"], conc_row=grid, conc_col=grid)
    scored = synergy.score(screen, ("bliss",))
    with pytest.raises(SynergyError, match="normal"):
        therapeutic_window(scored)
    with pytest.raises(SynergyError, match="not in the screen"):
        therapeutic_window(scored, reference="CD34+")
    window = therapeutic_window(scored, reference="b")
    assert window.sizes["pair"] == 1 and window.block.item() == "1"


def test_window_fraction_interval(menin_window):
    _, _, window = menin_window
    frac = window.window_fraction.values
    assert np.all(window.window_fraction_low.values <= frac + 1e-12)
    assert np.all(frac <= window.window_fraction_high.values + 1e-12)
    assert np.all((window.window_fraction_low >= 0) & (window.window_fraction_high <= 1))
