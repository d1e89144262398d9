"""Agreement statistics against scipy and brute-force references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from synergy.benchmark import agreement, fisher_ci, roc_auc


def test_agreement_against_scipy_and_by_hand():
    rng = np.random.default_rng(0)
    theirs = rng.normal(0, 10, 40)
    ours = theirs + rng.normal(0.3, 0.6, 40)
    ours[3] = np.nan
    a = agreement(ours, theirs, tolerance=0.5)
    ok = np.isfinite(ours)
    x, y = ours[ok], theirs[ok]
    ref = stats.pearsonr(x, y)
    lo, hi = ref.confidence_interval(0.95)
    assert a["n"] == 39 and a["n_missing"] == 1
    assert a["pearson_r"] == pytest.approx(ref.statistic)
    assert (a["pearson_lower"], a["pearson_upper"]) == pytest.approx((lo, hi))
    assert a["spearman_rho"] == pytest.approx(stats.spearmanr(x, y).statistic)
    d = x - y
    assert a["bias"] == pytest.approx(d.mean())
    assert a["loa_upper"] - a["loa_lower"] == pytest.approx(2 * 1.959964 * d.std(ddof=1))
    assert a["max_abs_diff"] == pytest.approx(np.abs(d).max())
    assert a["median_abs_diff"] == pytest.approx(np.median(np.abs(d)))
    assert a["within_tolerance"] == pytest.approx(np.mean(np.abs(d) <= 0.5))
    assert a["n_outside"] == int(np.sum(np.abs(d) > 0.5))
    assert a["within_1"] == pytest.approx(np.mean(np.abs(d) <= 1))


def test_spearman_interval_uses_fieller_factor():
    lo, hi = fisher_ci(0.6, 20, se_factor=1.06)
    z, half = np.arctanh(0.6), 1.959964 * 1.06 / np.sqrt(17)
    assert (lo, hi) == pytest.approx((np.tanh(z - half), np.tanh(z + half)))
    assert np.isnan(fisher_ci(0.5, 3)[0]) and fisher_ci(1.0, 10) == (1.0, 1.0)


def test_few_or_constant_pairs_give_nan_correlations():
    a = agreement(np.array([1.0, 2.0]), np.array([1.0, 2.6]), 0.5)
    assert np.isnan(a["pearson_r"]) and a["within_tolerance"] == 0.5
    b = agreement(np.ones(5), np.arange(5.0), 0.5)
    assert np.isnan(b["spearman_rho"])


def test_roc_auc_matches_pairwise_count():
    rng = np.random.default_rng(1)
    pos = np.round(rng.normal(1, 1, 30), 1)
    neg = np.round(rng.normal(0, 1, 25), 1)
    pairs = pos[:, None] - neg[None, :]
    brute = (np.sum(pairs > 0) + 0.5 * np.sum(pairs == 0)) / pairs.size
    assert roc_auc(pos, neg) == pytest.approx(brute)
    assert roc_auc([2, 3], [0, 1]) == 1.0 and roc_auc([0], [0]) == 0.5
    assert np.isnan(roc_auc([], [1.0]))
