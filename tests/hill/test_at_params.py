"""hill_at_params (Hill curves evaluated at given parameters with numpy, no optimiser)
against the fit kernel's own evaluation mode, ``fit_hill_lsq(max_iter=0)``, and the Wald
covariance against scipy's ``curve_fit``."""

from __future__ import annotations

import numpy as np
from scipy.optimize import curve_fit

from synergy._kernels import hill_lsq as k
from synergy.hill.at_params import hill_at_params


def _data(n: int = 60, seed: int = 3):
    rng = np.random.default_rng(seed)
    conc = np.zeros((n, 12))
    conc[:, 1:] = 10 ** rng.uniform(-1, 2, n)[:, None] / 3.0 ** np.arange(11)[::-1]
    conc[:, 6] = conc[:, 5]  # a replicate dose (merged points, within-dose SSE)
    theta = np.log(conc[:, 5]) + rng.normal(0, 1, n)
    init = np.stack(
        [theta, rng.uniform(0.3, 5, n), rng.normal(0, 5, n), rng.uniform(40, 110, n)], axis=1
    )
    g = 1.0 / (1.0 + np.exp(init[:, 1:2] * (init[:, 0:1] - np.log(np.where(conc > 0, conc, 1)))))
    g[conc == 0] = 0.0
    y = init[:, 2:3] + (init[:, 3:4] - init[:, 2:3]) * g + rng.normal(0, 6, conc.shape)
    w = rng.uniform(0.5, 2.0, conc.shape)
    fixed = np.full((n, 4), np.nan)
    fixed[::4, 2] = 0.0  # bottom fixed
    fixed[1::4, 3] = 100.0  # top fixed
    fixed[2::7, 0] = theta[2::7]  # ic50 fixed
    y[3::5, 2] = np.nan  # missing points
    y[10] = np.nan  # no points at all
    y[11, 4] = np.inf  # bad data
    init[12, 1] = np.nan  # a failed fit
    init[13, 3] = np.nan
    fixed[13, 3] = 90.0  # ... whose missing parameter is fixed: evaluated
    return conc, y, w, fixed, init


def test_same_numbers_as_the_fit_kernel_evaluation_mode():
    conc, y, w, fixed, init = _data()
    bounds = np.empty((conc.shape[0], 4, 2))
    bounds[:] = [[-50.0, 50.0], [1e-2, 20.0], [-1e3, 1e3], [-1e3, 1e3]]
    got = hill_at_params(conc, y, w, fixed, init)
    ref = k.fit_hill_lsq(conc, y, w, fixed, bounds, init, 0)
    failed = np.zeros(conc.shape[0], bool)
    failed[12] = True  # lsq evaluates a failed fit at its first grid start instead
    for a, b in zip(got, ref, strict=True):
        # same NaNs and integers; floats to rounding (replicates not merged, no centring)
        np.testing.assert_allclose(a[~failed], b[~failed], rtol=1e-10, atol=0.0)
    np.testing.assert_array_equal(got[4], ref[4])  # points
    np.testing.assert_array_equal(got[6][~failed], ref[6][~failed])  # status
    assert np.any(got[1][~failed] != 0.0)  # covariances present (not all fixed)
    assert got[6][12] == k.NOT_CONVERGED and np.all(np.isnan(got[0][12]))
    assert np.isnan(got[2][12]) and np.all(np.isnan(got[1][12]))
    assert got[6][10] == k.TOO_FEW_POINTS and got[6][11] == k.NON_FINITE_DATA
    assert np.all(np.isfinite(got[2][~failed & (got[6] == k.CONVERGED)]))


def test_covariance_matches_scipy_curve_fit():
    """Wald covariance at the least-squares optimum: scipy's ``curve_fit`` (pcov, scaled by
    the residual variance) at its own optimum, all four parameters free."""
    rng = np.random.default_rng(11)
    conc = np.concatenate([[0.0], 10.0 ** np.linspace(-2, 2, 9), [1.0]])
    u = np.log(np.where(conc > 0, conc, 1.0))

    def model(c, theta, h, b, t):
        g = np.where(c > 0, 1.0 / (1.0 + np.exp(h * (theta - u))), 0.0)
        return b + (t - b) * g

    y = model(conc, 0.3, 1.2, 5.0, 95.0) + rng.normal(0, 4, conc.size)
    sigma = rng.uniform(0.5, 2.0, conc.size)
    popt, pcov = curve_fit(model, conc, y, p0=(0.0, 1.0, 0.0, 100.0), sigma=sigma,
                           xtol=1e-15, ftol=1e-15, gtol=1e-15)  # fmt: skip
    got = hill_at_params(
        conc[None], y[None], 1.0 / sigma[None] ** 2, np.full((1, 4), np.nan), popt[None]
    )
    assert got[6][0] == k.CONVERGED
    np.testing.assert_allclose(got[1][0], pcov, rtol=1e-6)
    np.testing.assert_allclose(got[2][0], np.sum(((y - model(conc, *popt)) / sigma) ** 2))
