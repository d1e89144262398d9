"""Bliss and HSA: SynergyFinder 3's outputs, the analytic null, a slow reference, statuses."""

from __future__ import annotations

import numpy as np
import pytest
from model_cases import synthetic_screen

from synergy.io.screen import build_screen
from synergy.models import score_bliss, score_hsa

SF_COLUMNS = {"bliss": "Bliss", "hsa": "HSA"}
SCORERS = {"bliss": score_bliss, "hsa": score_hsa}


@pytest.mark.parametrize("model", ["bliss", "hsa"])
def test_matches_synergyfinder(sf_case, model):
    scored = SCORERS[model](sf_case.raw)
    col = SF_COLUMNS[model]
    np.testing.assert_allclose(
        scored[f"{model}_reference"].values, sf_case.well(f"{col}_ref"), rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(scored[model].values, sf_case.well(f"{col}_synergy"), atol=1e-9)
    np.testing.assert_allclose(
        scored[f"{model}_score"].values, sf_case.block(f"{col}_synergy"), atol=1e-9
    )
    assert (scored[f"{model}_status"].values == 0).all()


def _random_grid(rng, n_block, n_dose):
    steps = rng.uniform(1.5, 4.0, size=(n_block, n_dose - 1))
    first = rng.uniform(0.01, 1.0, size=(n_block, 1))
    return np.concatenate([np.zeros((n_block, 1)), first * np.cumprod(steps, axis=1)], axis=1)


def test_bliss_null_is_zero():
    rng = np.random.default_rng(1)
    n_block = 7
    par = lambda: np.column_stack(  # noqa: E731
        [
            rng.uniform(0.1, 10, n_block),
            rng.uniform(0.5, 3, n_block),
            np.zeros(n_block),
            rng.uniform(40, 100, n_block),
        ]
    )
    screen = synthetic_screen(
        _random_grid(rng, n_block, 6), _random_grid(rng, n_block, 5), par(), par(), "bliss"
    )
    scored = score_bliss(screen)
    assert np.abs(scored["bliss"].values).max() < 1e-9
    assert np.abs(scored["bliss_score"].values).max() < 1e-9
    assert (scored["bliss_n_wells"].values == 20).all()


def _slow(observed, conc_row, conc_col, rule):
    """Loop transcription of SynergyFinder's Bliss/HSA (NaN where no well)."""
    ref = np.full(observed.shape, np.nan)
    delta = np.full(observed.shape, np.nan)
    for b in range(observed.shape[0]):
        for i in range(observed.shape[1]):
            for j in range(observed.shape[2]):
                y = observed[b, i, j]
                if np.isnan(conc_row[b, i]) or np.isnan(conc_col[b, j]):
                    continue
                if conc_row[b, i] == 0 or conc_col[b, j] == 0:
                    if np.isnan(y):
                        continue
                    ref[b, i, j], delta[b, i, j] = y, 0.0
                    continue
                y1, y2 = observed[b, i, 0], observed[b, 0, j]
                ref[b, i, j] = rule(y1, y2)
                delta[b, i, j] = y - ref[b, i, j]
    return ref, delta


@pytest.mark.parametrize("model", ["bliss", "hsa"])
def test_against_slow_reference_with_gaps(model):
    rng = np.random.default_rng(7)
    n_block, n_row, n_col, n_rep = 5, 5, 4, 3
    conc_row = _random_grid(rng, n_block, n_row)
    conc_col = _random_grid(rng, n_block, n_col)
    conc_row[1, -1] = np.nan  # ragged block
    response = rng.uniform(-10, 110, size=(n_block, n_row, n_col, n_rep))
    response[1, -1] = np.nan
    response[2, 3, 2, :] = np.nan  # missing combination well
    response[3, 2, 0, :] = np.nan  # missing monotherapy well
    response[0, 1, 1, 1] = np.nan  # one missing replicate
    screen = build_screen(
        range(n_block), "A", "B", "s", conc_row, conc_col, response, conc_unit="nM"
    )
    scored = SCORERS[model](screen)
    with np.errstate(invalid="ignore"):
        observed = np.nansum(response, -1) / np.isfinite(response).sum(-1)
    if model == "bliss":
        rule = lambda a, b: 100 * (1 - (1 - a / 100) * (1 - b / 100))  # noqa: E731
    else:
        rule = lambda a, b: np.nan if np.isnan(a) or np.isnan(b) else max(a, b)  # noqa: E731
    ref, delta = _slow(observed, conc_row, conc_col, rule)
    np.testing.assert_allclose(scored[f"{model}_reference"].values, ref, atol=1e-12)
    np.testing.assert_allclose(scored[model].values, delta, atol=1e-12)
    combo = (conc_row[:, :, None] > 0) & (conc_col[:, None, :] > 0)
    expect = [np.nanmean(np.where(combo[b], delta[b], np.nan)) for b in range(n_block)]
    np.testing.assert_allclose(scored[f"{model}_score"].values, expect, atol=1e-12)
    assert scored[f"{model}_n_wells"].values.tolist() == [12, 9, 11, 9, 12]
    # 2: a combination well missing; 3: a monotherapy well missing
    assert scored[f"{model}_status"].values.tolist() == [0, 0, 2, 3, 0]


@pytest.mark.parametrize("model", ["bliss", "hsa"])
def test_block_without_monotherapy_is_scored_with_status(model):
    rng = np.random.default_rng(3)
    conc = np.tile([0.0, 1.0, 3.0, 10.0], (2, 1))
    response = rng.uniform(0, 100, size=(2, 4, 4, 1))
    response[1, 1:, 0] = np.nan  # no single-drug well of the row drug in block 1
    screen = build_screen(["a", "b"], "A", "B", "s", conc, conc, response, conc_unit="nM")
    scored = SCORERS[model](screen)
    assert scored[f"{model}_status"].values.tolist() == [0, 10]
    assert np.isfinite(scored[f"{model}_score"].values[0])
    assert np.isnan(scored[f"{model}_score"].values[1])
    assert "no_monotherapy" in scored[f"{model}_status"].attrs["flag_meanings"]
