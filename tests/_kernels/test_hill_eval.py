"""hill_at_params (Hill curves evaluated at given parameters, no optimiser) against the fit
kernel's own evaluation mode, ``fit_hill_lsq(max_iter=0)``: the same numbers bit for bit."""

from __future__ import annotations

import numpy as np

from synergy._kernels import hill_eval as e
from synergy._kernels import hill_lsq as k


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
    got = e.hill_at_params(conc, y, w, fixed, init)
    ref = k.fit_hill_lsq(conc, y, w, fixed, bounds, init, 0)
    failed = np.zeros(conc.shape[0], bool)
    failed[12] = True  # lsq evaluates a failed fit at its first grid start instead
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_array_equal(a[~failed], b[~failed])
    assert got[6][12] == k.NOT_CONVERGED and np.all(np.isnan(got[0][12]))
    assert np.isnan(got[2][12]) and np.all(np.isnan(got[1][12]))
    assert got[6][10] == k.TOO_FEW_POINTS and got[6][11] == k.NON_FINITE_DATA
    assert np.all(np.isfinite(got[2][~failed & (got[6] == k.CONVERGED)]))
