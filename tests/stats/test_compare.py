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


def _pairs(n_boot, samples=("s1", "s1", "s2", "s2"), drugs=("A", "B", "A", "B"), seed=4):
    hill = {"ic50": 30.0, "hill_slope": 1.5, "top": 90.0}
    screen = synergy.datasets.simulate(
        len(drugs), noise_sd=5, n_replicates=3, seed=seed, drug_row=list(drugs),
        sample=list(samples), hill_row=hill, hill_col=hill,
    )  # fmt: skip
    return synergy.score(screen, ("bliss",), n_boot=n_boot, seed=2)


def test_without_bootstrap_the_table_says_why():
    table = synergy.compare(_two_groups(2.0, n_boot=0), score="bliss")
    row = table.iloc[0]
    assert np.isfinite(row["pvalue"])  # 8 blocks per group: between-block spread
    assert "no bootstrap: score with n_boot=" in row["note"]
    assert row["also_differ"] == ""
    assert any("n_boot=" in note for note in table.attrs["notes"])
    # one block per group and no bootstrap: no p-value, and the note says both reasons
    single = synergy.compare(_pairs(0), score="bliss", by="drug_row", within="sample")
    assert len(single) == 2 and single["pvalue"].isna().all()
    for note in single["note"]:
        assert "one block per group: no between-block variance" in note
        assert "no bootstrap" in note and "no p-value" in note
    assert any("without a p-value" in note for note in single.attrs["notes"])


def test_one_block_per_group_with_bootstrap_gets_a_caution():
    table = synergy.compare(_pairs(40), score="bliss", by="drug_row", within="sample")
    assert np.isfinite(table["pvalue"]).all()
    for note in table["note"]:
        assert note.startswith("one block per group: no between-block variance")
        assert "measurement noise only" in note and "no bootstrap" not in note


def test_groups_differing_in_another_factor_are_flagged():
    # A measured in s1 only, B in s2 only: drug and cell line are confounded
    scored = _pairs(0, samples=("s1", "s1", "s2", "s2"), drugs=("A", "A", "B", "B"))
    table = synergy.compare(scored, score="bliss", by="drug_row")
    assert table["also_differ"].tolist() == ["sample"]
    assert "also differ in sample: not only drug_row" in table["note"].iloc[0]
    assert any("more than the compared factor" in n for n in table.attrs["notes"])
    # both drugs in both samples: nothing to flag
    balanced = synergy.compare(_pairs(0), score="bliss", by="drug_row")
    assert balanced["also_differ"].tolist() == [""]


def test_bootstrap_pvalue_notes():
    from synergy.stats.bootstrap import pvalue_notes

    pvalue = np.array([0.2, np.nan, np.nan, np.nan, np.nan])
    score = np.array([1.0, np.nan, 2.0, 2.0, 2.0])
    noise = np.array([0, 0, 2, 0, 0])
    n_ok = np.array([50, 0, 50, 3, 50])
    notes = pvalue_notes(pvalue, score, noise, n_ok, 50)
    assert notes[0] == ""
    assert "no score" in notes[1] and "no noise estimate" in notes[2]
    assert "fewer than 25 of 50 resamples" in notes[3] and "same score" in notes[4]
    scored = _pairs(20)
    assert (scored.bliss_pvalue_note.values == "").all() and scored.bliss_pvalue.notnull().all()
