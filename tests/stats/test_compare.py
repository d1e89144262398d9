"""synergy.compare: group differences with per-block uncertainty, BH-corrected (issue #6)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import synergy
from synergy.errors import SynergyError
from synergy.stats.compare import benjamini_hochberg, random_effects_mean


def test_benjamini_hochberg_matches_scipy():
    p = np.random.default_rng(0).uniform(size=40) ** 2
    np.testing.assert_allclose(benjamini_hochberg(p), stats.false_discovery_control(p))
    with_nan = np.r_[p[:5], np.nan]
    out = benjamini_hochberg(with_nan)
    assert np.isnan(out[-1])
    np.testing.assert_allclose(out[:5], stats.false_discovery_control(p[:5]))


def test_random_effects_mean_known_cases():
    # equal errors, no heterogeneity beyond them: the plain mean, se = σ/√n
    mean, se, tau2 = random_effects_mean(np.array([1.0, 2.0, 3.0]), np.array([5.0, 5.0, 5.0]))
    assert mean == pytest.approx(2.0) and se == pytest.approx(5 / np.sqrt(3)) and tau2 == 0.0
    # DerSimonian-Laird by hand: scores 0, 10 with se 1, 1: Q = 50, tau2 = (50 - 1)/(2 - 1)
    mean, se, tau2 = random_effects_mean(np.array([0.0, 10.0]), np.array([1.0, 1.0]))
    assert tau2 == pytest.approx(49.0)
    assert se == pytest.approx(np.sqrt(50.0 / 2))
    # no per-block errors: plain mean and sd/√n
    mean, se, _ = random_effects_mean(np.array([1.0, 2.0, 6.0]), np.zeros(3))
    assert se == pytest.approx(np.std([1, 2, 6], ddof=1) / np.sqrt(3))


def _two_groups(strength_b, n_per=8, seed=1, n_boot=60):
    n = 2 * n_per
    strength = np.r_[np.zeros(n_per), np.full(n_per, strength_b)]
    drugs = ["A"] * n_per + ["B"] * n_per
    hill = {"ic50": 30.0, "hill_slope": 1.5, "top": 90.0}
    screen = synergy.datasets.simulate(
        n, noise_sd=5, n_replicates=3, seed=seed, synergy_strength=strength,
        drug_row=drugs, hill_row=hill, hill_col=hill,
    )  # fmt: skip
    return synergy.score(screen, ("bliss",), n_boot=n_boot, seed=2)


def test_known_difference_is_detected():
    scored = _two_groups(2.0)
    table = synergy.compare(scored, score="bliss", by="drug_row", reference="A")
    assert len(table) == 1
    row = table.iloc[0]
    truth_b = scored.bliss_score.values[8:].mean() - scored.bliss_score.values[:8].mean()
    assert row["group"] == "B" and row["difference"] == pytest.approx(truth_b, abs=1.0)
    assert row["p_adjusted"] < 0.01 and row["low"] > 0


def test_identical_groups_rejected_at_nominal_rate():
    """One null block per drug in each of 120 samples: p-values uniform, ~5 % below 0.05."""
    n_sample = 120
    n = 2 * n_sample
    samples = np.repeat([f"s{k}" for k in range(n_sample)], 2)
    drugs = np.tile(["A", "B"], n_sample)
    hill = {"ic50": 30.0, "hill_slope": 1.5, "top": 90.0}
    screen = synergy.datasets.simulate(
        n, noise_sd=5, n_replicates=3, seed=3, drug_row=list(drugs), sample=list(samples),
        hill_row=hill, hill_col=hill,
    )  # fmt: skip
    scored = synergy.score(screen, ("bliss",), n_boot=60, seed=2)
    table = synergy.compare(scored, score="bliss", by="drug_row", within="sample")
    assert len(table) == n_sample and set(table["sample"]) == set(samples)
    assert 0.0 <= np.mean(table["pvalue"] < 0.05) <= 0.11
    assert stats.kstest(table["pvalue"], "uniform").pvalue > 0.01
    assert np.mean(table["p_adjusted"] < 0.05) <= 0.05
    # one block against one block: the difference and its error are the blocks' own
    first = table.iloc[0]
    pair = scored.where(scored.sample == first["sample"], drop=True)
    assert first["difference"] == pytest.approx(float(np.diff(pair.bliss_score.values[::-1])[0]))
    assert first["se"] == pytest.approx(float(np.hypot(*pair.bliss_score_se.values)))


def test_without_bootstrap_and_errors():
    scored = _two_groups(2.0, n_boot=0)
    table = synergy.compare(scored, score="bliss")
    assert "between-block only" in table.attrs["method"]
    a, b = scored.bliss_score.values[:8], scored.bliss_score.values[8:]
    assert table.iloc[0]["group"] == "A" and table.iloc[0]["reference"] == "B"
    assert table.iloc[0]["difference"] == pytest.approx(a.mean() - b.mean())
    assert table.iloc[0]["se"] == pytest.approx(np.hypot(a.std(ddof=1), b.std(ddof=1)) / np.sqrt(8))
    with pytest.raises(SynergyError, match="zip_score"):
        synergy.compare(scored, score="zip")
    with pytest.raises(SynergyError, match="coordinate"):
        synergy.compare(scored, score="bliss", by="cell_line")
