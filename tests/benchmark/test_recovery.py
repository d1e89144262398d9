"""recovery(): analytic nulls at zero noise, perfect separation without noise, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from synergy.benchmark import SCENARIOS, recovery
from synergy.errors import SynergyError


@pytest.fixture(scope="module")
def result():
    return recovery(n_blocks=6, noise=(0.0, 8.0), seed=3)


def test_tables_have_every_model_noise_and_null(result):
    assert len(result.scores) == 2 * len(SCENARIOS) * 6 * 4
    assert len(result.auc) == 2 * 4 and len(result.bias) == 2 * 4 * 2
    assert result.scores["score"].notna().all()
    assert "ROC AUC" in "\n".join(result.lines())


def test_zero_noise_nulls_score_zero(result):
    bias = result.bias.set_index(["noise", "model", "null"])
    # Bliss and ZIP are 0 on a Bliss-independent surface (docs/design.md §6.7), ZIP up to the fits
    assert abs(bias.loc[(0.0, "bliss", "bliss_null"), "mean"]) < 1e-9
    assert abs(bias.loc[(0.0, "zip", "bliss_null"), "mean"]) < 1e-3  # drc stops at rel. 1e-7
    # Loewe on a Loewe-additive surface: 0 up to SynergyFinder's 100-point grid
    assert abs(bias.loc[(0.0, "loewe", "loewe_null"), "mean"]) < 0.3


def test_zero_noise_separates_perfectly_and_noise_blurs(result):
    auc = result.auc.set_index(["noise", "model"])
    for model in ("bliss", "zip"):
        assert auc.loc[(0.0, model), "auc_synergy_vs_bliss"] == 1.0
        assert auc.loc[(0.0, model), "auc_antagonism"] == 1.0
    assert auc.loc[(0.0, "loewe"), "auc_synergy_vs_loewe"] == 1.0
    assert (auc.xs(8.0, level="noise")["auc_synergy_vs_bliss"] < 1.0).all()


def test_deterministic_and_checked():
    a = recovery(n_blocks=3, noise=4.0, seed=9, models=("bliss",))
    b = recovery(n_blocks=3, noise=4.0, seed=9, models=("bliss",))
    np.testing.assert_array_equal(a.scores["score"], b.scores["score"])
    with pytest.raises(SynergyError):
        recovery(n_blocks=1)
    with pytest.raises(SynergyError):
        recovery(n_blocks=3, antagonism=0.5)
