"""Outlier detection (synergy.cleaning.outliers; docs/design.md §18): injected outliers found,
clean blocks left alone, exclusion moves the score back towards the clean one."""

from __future__ import annotations

import numpy as np
import pytest

import synergy
from synergy.cleaning import DEFAULT_THRESHOLD, detect_outliers
from synergy.cleaning.outliers import neighbour_prediction
from synergy.datasets import simulate


def _values(screen):
    return screen["response"].transpose("block", "row", "col", "replicate").values.copy()


def _inject(screen, n_blocks):
    """Set one combination value per block to 0 where the truth reads >= 85 %."""
    values = _values(screen)
    where = []
    for b in range(n_blocks):
        r, c = np.argwhere(screen["true_response"].values[b, 1:, 1:] >= 85.0)[0] + 1
        values[b, r, c, 0] = 0.0
        where.append((b, r, c, 0))
    return values, where


def test_neighbour_prediction_against_loops():
    rng = np.random.default_rng(0)
    values = rng.normal(50, 20, (2, 4, 5, 2))
    values[0, 1, 2, :] = np.nan
    values[1, 3, 0, 1] = np.nan
    got, spread = neighbour_prediction(values)
    cell = np.full((2, 6, 7), np.nan)  # padded replicate medians
    for b, r, c in np.ndindex(2, 4, 5):
        kept = values[b, r, c][np.isfinite(values[b, r, c])]
        cell[b, r + 1, c + 1] = np.median(kept) if kept.size else np.nan
    for b, r, c in np.ndindex(2, 4, 5):
        up, down = cell[b, r, c + 1], cell[b, r + 2, c + 1]
        left, right = cell[b, r + 1, c], cell[b, r + 1, c + 2]
        pairs = [(p, q) for p, q in ((up, down), (left, right)) if np.isfinite(p + q)]
        if pairs:
            want = np.mean([(p + q) / 2 for p, q in pairs])
            half = np.mean([abs(p - q) / 2 for p, q in pairs])
        else:
            around = [v for v in (up, down, left, right) if np.isfinite(v)]
            want = np.median(around) if around else np.nan
            half = (max(around) - min(around)) / 2 if around else np.nan
        np.testing.assert_allclose(got[b, r, c], want, rtol=1e-12)
        np.testing.assert_allclose(spread[b, r, c], half, rtol=1e-12)


def test_injected_outliers_are_flagged_and_nothing_else():
    screen = simulate(6, n_doses=8, noise_sd=3.0, seed=21, synergy_strength=1.0)
    values, where = _inject(screen, 6)
    flagged, scale = detect_outliers(values)
    assert sorted(map(tuple, np.argwhere(flagged))) == sorted(where)
    assert np.all((scale > 1.5) & (scale < 10))  # a robust σ near the noise, not the outlier


def test_a_bad_replicate_is_flagged_not_its_cell():
    screen = simulate(4, n_doses=6, n_replicates=3, noise_sd=4.0, seed=8)
    values, where = _inject(screen, 4)
    flagged, _ = detect_outliers(values)
    assert sorted(map(tuple, np.argwhere(flagged))) == sorted(where)


def test_noise_free_block_is_not_flagged():
    screen = simulate(20, n_doses=8, noise_sd=0.0, seed=2)
    flagged, _ = detect_outliers(_values(screen))
    assert not flagged.any()


def test_false_flag_rate_on_clean_noisy_blocks_is_below_one_percent():
    screen = simulate(60, n_doses=8, n_replicates=1, noise_sd=3.0, seed=77)
    values = _values(screen)
    flagged, _ = detect_outliers(values, DEFAULT_THRESHOLD)
    assert flagged.sum() <= 0.01 * np.isfinite(values).sum()


@pytest.fixture(scope="module")
def dirty():
    screen = simulate(4, n_doses=7, noise_sd=3.0, seed=5, synergy_strength=0.5)
    values, where = _inject(screen, 4)
    bad = screen.copy()
    bad["response"] = screen["response"].copy(data=values)
    return screen, bad, where


def test_exclusion_moves_the_score_towards_the_clean_one(dirty):
    clean, bad, where = dirty
    models = ("bliss", "zip")
    ref = synergy.score(clean, models)
    kept = synergy.score(bad, models)
    flagged = synergy.score(bad, models, outliers="flag")
    excluded = synergy.score(bad, models, outliers="exclude")
    for m in models:
        np.testing.assert_array_equal(flagged[f"{m}_score"], kept[f"{m}_score"])
        off_kept = np.abs(kept[f"{m}_score"].values - ref[f"{m}_score"].values)
        off_excl = np.abs(excluded[f"{m}_score"].values - ref[f"{m}_score"].values)
        assert np.all(off_excl < off_kept)
    assert list(flagged["n_outliers"].values) == [1, 1, 1, 1]
    assert list(excluded["outlier_status"].values) == [2, 2, 2, 2]
    assert all("Outliers: " in r for r in excluded["status_reason"].values)
    for b, r, c, k in where:
        assert np.isnan(excluded["response"].values[b, r, c, k])
        assert excluded["response_observed"].values[b, r, c, k] == 0.0


def test_excluded_then_imputed(dirty):
    _, bad, where = dirty
    out = synergy.score(bad, ("bliss",), outliers="exclude", impute="hill_bliss")
    for b, r, c, k in where:
        assert out["outlier"].values[b, r, c, k] and out["imputed"].values[b, r, c, k]
        assert out["response"].values[b, r, c, k] > 60.0  # back near the surface (>= 85 %)
