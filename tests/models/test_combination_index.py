"""Chou–Talalay combination index against analytic nulls and scipy's linear regression.

Loewe additivity of median-effect curves (Hill curves from 0 to 100 %) is CI = 1 by
definition, and a drug combined with itself is Loewe-additive; the simulator's Loewe
surfaces are computed by its own root finder (``synergy.datasets._surfaces``).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import linregress

from synergy.datasets import simulate
from synergy.io.screen import build_screen
from synergy.models.combination_index import combination_index, median_effect_fit

GRID_ROW = [0, 1, 3, 9, 27, 81, 243]
GRID_COL = [0, 3, 9, 27, 81, 243, 729]


def loewe_screen(strength, slope_col=0.8, **kwargs):
    return simulate(
        len(strength), model="loewe", synergy_strength=strength,
        hill_row={"ic50": 10.0, "hill_slope": 1.5, "top": 100.0},
        hill_col={"ic50": 60.0, "hill_slope": slope_col, "top": 100.0},
        conc_row=GRID_ROW, conc_col=GRID_COL, **kwargs,
    )  # fmt: skip


def test_median_effect_fit_is_scipy_linregress():
    rng = np.random.default_rng(0)
    dose = np.tile(3.0 ** np.arange(-3, 5), (6, 1))
    fa = 1 / (1 + (5.0 / dose) ** rng.uniform(0.5, 2, (6, 1))) + rng.normal(0, 0.05, dose.shape)
    fa[0, 2] = np.nan
    fa[1, 0] = -0.01  # outside (0, 1): left out
    dm, m, r, n = median_effect_fit(dose, fa)
    for b in range(6):
        use = np.isfinite(fa[b]) & (fa[b] > 0) & (fa[b] < 1)
        ref = linregress(np.log(dose[b][use]), np.log(fa[b][use] / (1 - fa[b][use])))
        assert n[b] == use.sum()
        np.testing.assert_allclose([m[b], r[b]], [ref.slope, ref.rvalue], rtol=1e-12)
        np.testing.assert_allclose(dm[b], np.exp(-ref.intercept / ref.slope), rtol=1e-12)


def test_loewe_additive_surface_has_ci_one():
    screen = loewe_screen([0.0])
    out = combination_index(screen)
    ci = out["ci"].values[0, 1:, 1:]
    np.testing.assert_allclose(ci, 1.0, atol=1e-9)
    lines = out["ci_median_effect"].sel(ci_param=["dm", "m"]).values[0]
    np.testing.assert_allclose(lines[:2], [[10.0, 1.5], [60.0, 0.8]], rtol=1e-12)
    # DRI: CI = 1/DRI_row + 1/DRI_col
    dri = 1 / out["ci_dri_row"].values + 1 / out["ci_dri_col"].values
    np.testing.assert_allclose(dri[0, 1:, 1:], ci, rtol=1e-12)
    assert out["ci_status"].values.tolist() == [0]


def test_equal_slopes_series_is_additive_at_every_fa():
    """With m1 = m2 the constant-ratio mixture follows the median-effect law exactly."""
    out = combination_index(loewe_screen([0.0], slope_col=1.5))
    np.testing.assert_allclose(out["ci_at_fa"].values, 1.0, atol=1e-9)
    np.testing.assert_allclose(out["ci_series_ratio"].values, [1 / 3])
    # DRI at fa = 0.5: Dx_i(0.5) = Dm_i, and the mixture dose splits 1:3 between the drugs
    dm12 = 1 / (0.25 / 10.0 + 0.75 / 60.0)  # Loewe mixture of fractions 1/4, 3/4
    dri_row = out["ci_dri_row_at_fa"].sel(fa=0.5).values
    np.testing.assert_allclose(dri_row, 10.0 / (0.25 * dm12), rtol=1e-9)


def test_potency_synergy_and_antagonism():
    out = combination_index(loewe_screen([1.0, -0.5]))
    ci = out["ci"].values[:, 1:, 1:]
    finite = np.isfinite(ci)
    assert np.all(ci[0][finite[0]] < 1.0) and np.all(ci[1][finite[1]] > 1.0)
    assert out["ci_log_mean"].values[0] < 0 < out["ci_log_mean"].values[1]
    assert np.all(out["ci_at_fa"].values[0] < 1) and np.all(out["ci_at_fa"].values[1] > 1)


def test_a_drug_combined_with_itself_is_additive():
    dose = np.array([0, 1, 2, 4, 8, 16, 32.0])
    total = dose[:, None] + dose[None, :]
    with np.errstate(divide="ignore"):
        response = 100 / (1 + (6.0 / total) ** 1.2)
    response[0, 0] = 0.0
    screen = build_screen(
        ["1"], "x", "x", "cells", dose[None], dose[None], response[None, :, :, None],
        conc_unit="nM",
    )  # fmt: skip
    out = combination_index(screen)
    np.testing.assert_allclose(out["ci"].values[0, 1:, 1:], 1.0, atol=1e-9)
    np.testing.assert_allclose(out["ci_at_fa"].values, 1.0, atol=1e-9)


def test_swapping_drugs_and_units():
    screen = loewe_screen([0.7, -0.3], noise_sd=2.0, n_replicates=2, seed=3)
    screen = screen[["response"]]
    out = combination_index(screen)
    swapped = build_screen(
        screen["block"].values, "b", "a", "s", screen["conc_col"].values,
        screen["conc_row"].values,
        screen["response"].transpose("block", "col", "row", "replicate").values,
        conc_unit="nM",
    )  # fmt: skip
    back = combination_index(swapped)
    np.testing.assert_allclose(out["ci"].values, back["ci"].values.transpose(0, 2, 1))
    np.testing.assert_allclose(
        out["ci_dri_row"].values, back["ci_dri_col"].values.transpose(0, 2, 1)
    )
    scaled = combination_index(
        screen.assign_coords(conc_row=screen["conc_row"] * 1e3, conc_col=screen["conc_col"] * 1e3)
    )
    np.testing.assert_allclose(scaled["ci"].values, out["ci"].values, rtol=1e-10)
    np.testing.assert_allclose(scaled["ci_at_fa"].values, out["ci_at_fa"].values, rtol=1e-10)


def test_statuses():
    screen = loewe_screen([0.0, 0.0, 0.0])
    response = screen["response"].values.copy()
    response[0, 1:, 0] = np.nan  # row drug never alone
    response[1, 0, 1:] = 5.0  # column drug flat: no median-effect line
    screen = screen.assign(response=(screen["response"].dims, response))
    uneven = simulate(
        1, model="loewe", hill_row={"ic50": 10.0, "top": 100.0},
        hill_col={"ic50": 10.0, "top": 100.0}, conc_row=[0, 1, 2, 4, 8, 16],
        conc_col=[0, 1, 3, 9, 27, 81],
    )  # fmt: skip
    out = combination_index(screen)
    assert out["ci_status"].values.tolist() == [10, 11, 0]
    assert np.all(np.isnan(out["ci"].values[:2]))
    other = combination_index(uneven)
    assert other["ci_status"].values.tolist() == [1]  # no constant-ratio series
    assert np.all(np.isnan(other["ci_at_fa"].values))
    assert np.all(np.isfinite(other["ci"].values[0, 1:, 1:]))


def test_score_registers_ci():
    import synergy

    scored = synergy.score(loewe_screen([0.0, 1.0]), models=["hsa", "ci"])
    assert {"ci", "ci_at_fa", "ci_status", "status"} <= set(scored.data_vars)
    assert scored["status"].values.tolist() == [0, 0]
