"""Confidence bands of Hill curves: analytic gradient and delta method vs references."""

from __future__ import annotations

import numpy as np
import pytest

from synergy.hill.band import block_band, confidence_band, hill_gradient
from synergy.hill.model import evaluate

PARAMS = np.array([50.0, 1.3, 2.0, 88.0])
DOSES = np.array([0.0, 1.0, 5.0, 20.0, 50.0, 120.0, 600.0, 3000.0])


def test_gradient_matches_central_differences():
    grad = hill_gradient(DOSES, PARAMS)
    numeric = np.empty_like(grad)
    for j in range(4):
        step = np.zeros(4)
        step[j] = 1e-6 * max(abs(PARAMS[j]), 1.0)
        numeric[:, j] = (evaluate(DOSES, *(PARAMS + step)) - evaluate(DOSES, *(PARAMS - step))) / (
            2 * step[j]
        )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_band_matches_monte_carlo_for_small_covariance():
    rng = np.random.default_rng(7)
    a = rng.normal(size=(4, 4))
    cov = 1e-4 * (a @ a.T + 4 * np.eye(4)) * np.outer([50, 1, 10, 10], [50, 1, 10, 10]) / 10
    fitted, lower, upper = confidence_band(DOSES, PARAMS, cov, level=0.95)
    draws = rng.multivariate_normal(PARAMS, cov, size=40_000)
    curves = evaluate(DOSES[None, :], *(draws[:, [j]] for j in range(4)))
    mc_lo, mc_hi = np.quantile(curves, [0.025, 0.975], axis=0)
    np.testing.assert_allclose(fitted, evaluate(DOSES, *PARAMS))
    width = upper - lower
    np.testing.assert_allclose(width, mc_hi - mc_lo, rtol=0.05)
    # at zero dose only the bottom varies
    assert width[0] == pytest.approx(2 * 1.959964 * np.sqrt(cov[2, 2]), rel=1e-5)


def test_band_student_t_wider_and_nan_covariance():
    cov = np.diag([4.0, 0.01, 1.0, 1.0])
    _, lo_n, hi_n = confidence_band(DOSES, PARAMS, cov)
    _, lo_t, hi_t = confidence_band(DOSES, PARAMS, cov, df=5)
    assert np.all(hi_t - lo_t > hi_n - lo_n)
    fitted, lo, hi = confidence_band(DOSES, PARAMS, np.full((4, 4), np.nan))
    assert np.all(np.isfinite(fitted)) and np.all(np.isnan(lo)) and np.all(np.isnan(hi))


def test_block_band_uses_the_fit_covariance():
    import synergy
    from synergy.hill.fit import fit
    from synergy.hill.screen import monotherapy_arrays

    screen = synergy.hill.fit_screen(
        synergy.datasets.load("menin_venetoclax").isel(block=[0, 1]), fitter="lsq"
    )
    conc, resp = monotherapy_arrays(screen, "row")
    ref = fit(conc[1], resp[1])
    x = np.geomspace(1.0, 3000.0, 7)
    df = float(ref.n_points - 4)
    expected = confidence_band(x, ref.params, ref.covariance, df=df)
    got = block_band(screen, 1, "row", x)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert np.all(got[2] > got[1])
