"""The parametric-bootstrap calibration of MuSyC's alpha tests against independent references.

- the observed signed root ``sign(ln alpha) sqrt((S_0 − S) / (S / ν))`` against
  ``scipy.optimize.least_squares`` fits with and without ``ln alpha = 0``;
- the Monte Carlo test's bookkeeping: the critical values are order statistics of the same
  draws that give the p-value, so ``r > c`` exactly when the one-sided p-value is at most
  ``(1 − ci) / 2``;
- the calibrated profile interval excludes 0 on the side whose test rejects;
- determinism (seeded per block) and the wiring into ``fit_musyc``.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import least_squares

from synergy._kernels import musyc as k
from synergy._kernels.musyc_calibrate import calibrate_alpha
from synergy._kernels.musyc_profile import profile_alpha

from .test_musyc_kernel import bounds_for, grid_block, to_q

N_BOOT = 39  # (39 + 1) * 0.025 = 1: the critical values are the extreme draws


@pytest.fixture(scope="module")
def blocks():
    """Four blocks: additive, potency-synergistic, antagonistic, additive and noisy."""
    rng = np.random.default_rng(21)
    alphas = [(1.0, 1.0), (8.0, 3.0), (0.25, 0.5), (1.0, 1.0)]
    noise = [3.0, 3.0, 3.0, 8.0]
    qs, data = [], []
    for (a12, a21), sd in zip(alphas, noise, strict=True):
        e = np.array([0.0, rng.uniform(50, 80), rng.uniform(50, 80), 0.0])
        e[3] = max(e[1], e[2]) + 10.0
        h = np.exp(rng.uniform(np.log(0.8), np.log(2.5), 2))
        c = 10 ** rng.uniform(-1, 1, 2)
        q = to_q(e, h, c, np.array([a12, a21]))
        qs.append(q)
        data.append(grid_block(rng, q, sd))
    d1, d2, y = (np.ascontiguousarray([blk[i] for blk in data]) for i in range(3))
    bounds = bounds_for(len(qs))
    params, _cov, sse, n, _it, status = k.fit_musyc(d1, d2, y, np.array(qs), bounds, 200)
    assert np.all(status == k.CONVERGED)
    seeds = np.arange(5, 5 + len(qs), dtype=np.int64)
    r, pvalue, crit = calibrate_alpha(d1, d2, y, params, bounds, N_BOOT, 0.95, seeds, 200)
    return dict(d1=d1, d2=d2, y=y, bounds=bounds, params=params, sse=sse, n=n, r=r,
                pvalue=pvalue, crit=crit)  # fmt: skip


def _scipy_sse(d1, d2, y, q0, bounds, fixed=None):
    """Least SSE by scipy's trf from q0 (and from q0 with both alphas 0), q[fixed] = 0."""
    free = [j for j in range(10) if j != fixed]

    def residual(theta):
        q = np.zeros(10)
        q[free] = theta
        return k.musyc_value(d1, d2, q) - y

    best = np.inf
    for start in (q0, np.r_[q0[:8], 0.0, 0.0]):
        lo, hi = bounds[free, 0], bounds[free, 1]
        x0 = np.clip(start[free], lo + 1e-9, hi - 1e-9)
        fit = least_squares(residual, x0, bounds=(lo, hi), method="trf", xtol=1e-14,
                            ftol=1e-14, gtol=1e-14, max_nfev=5000)  # fmt: skip
        best = min(best, 2.0 * fit.cost)
    return best


def test_observed_signed_root_matches_scipy(blocks):
    for b in range(len(blocks["n"])):
        args = (blocks["d1"][b], blocks["d2"][b], blocks["y"][b])
        q = blocks["params"][b]
        sse = min(blocks["sse"][b], _scipy_sse(*args, q, blocks["bounds"][b]))
        dof = blocks["n"][b] - 10
        for a in range(2):
            sse0 = _scipy_sse(*args, q, blocks["bounds"][b], fixed=8 + a)
            expected = np.sign(q[8 + a]) * np.sqrt(max(sse0 - sse, 0.0) / (sse / dof))
            assert blocks["r"][b, a] == pytest.approx(expected, rel=1e-3, abs=1e-3)


def test_critical_values_and_pvalues_are_one_monte_carlo_test(blocks):
    r, pvalue, crit = blocks["r"], blocks["pvalue"], blocks["crit"]
    assert np.all((pvalue > 0) & (pvalue <= 1))
    assert np.all(np.isfinite(crit)) and np.all(crit > 0)
    # a one-sided rejection at 2.5 % each side <=> two-sided p <= 2 / (N_BOOT + 1) = 5 %
    rejects = (r > crit[..., 0]) | (r < -crit[..., 1])
    np.testing.assert_array_equal(rejects, pvalue <= 2.0 / (N_BOOT + 1) + 1e-12)
    # the synergistic block's alpha12 (8-fold) is called; the additive block's are not
    assert r[1, 0] > crit[1, 0, 0]
    assert not rejects[0].any()
    # the critical values (extremes of 39 draws) are of the size of Student's t (1.98)
    assert np.all((crit > 1.0) & (crit < 6.0)) and 1.8 < np.median(crit) < 3.5


def test_calibrated_profile_interval_excludes_zero_exactly_when_the_test_rejects(blocks):
    from scipy.stats import t as student_t

    tq = student_t.ppf(0.975, blocks["n"] - 10)
    wald = np.ascontiguousarray(np.broadcast_to(tq[:, None], (len(tq), 2)))
    ends, _ = profile_alpha(
        blocks["d1"], blocks["d2"], blocks["y"], blocks["params"], wald, blocks["bounds"],
        np.ascontiguousarray(blocks["crit"]), 200,
    )  # fmt: skip
    r, crit = blocks["r"], blocks["crit"]
    clear = (np.abs(r - crit[..., 0]) > 0.05) & (np.abs(r + crit[..., 1]) > 0.05)
    assert clear.sum() >= 6
    np.testing.assert_array_equal((ends[..., 0] > 0)[clear], (r > crit[..., 0])[clear])
    np.testing.assert_array_equal((ends[..., 1] < 0)[clear], (r < -crit[..., 1])[clear])
    # an infinite critical value is an unbounded end, without profile fits
    crit_inf = blocks["crit"].copy()
    crit_inf[:, :, 1] = np.inf
    ends_inf, _ = profile_alpha(
        blocks["d1"], blocks["d2"], blocks["y"], blocks["params"], wald, blocks["bounds"],
        crit_inf, 200,
    )  # fmt: skip
    assert np.all(ends_inf[..., 1] == np.inf)
    np.testing.assert_allclose(ends_inf[..., 0], ends[..., 0])


def test_seeded_per_block(blocks):
    args = (blocks["d1"][:2], blocks["d2"][:2], blocks["y"][:2], blocks["params"][:2],
            blocks["bounds"][:2], N_BOOT, 0.95)  # fmt: skip
    seeds = np.array([5, 6], dtype=np.int64)
    again = calibrate_alpha(*args, seeds, 200)
    np.testing.assert_array_equal(again[2], blocks["crit"][:2])
    other = calibrate_alpha(*args, seeds + 100, 200)
    assert not np.array_equal(other[2], blocks["crit"][:2])
    # block 1 alone with its seed: the same as in the batch (seeded per block, not position)
    alone = calibrate_alpha(*(a[1:2] for a in args[:5]), N_BOOT, 0.95, seeds[1:], 200)
    np.testing.assert_array_equal(alone[2][0], blocks["crit"][1])
    # a block with a NaN parameter is skipped, not an error
    params = blocks["params"][:2].copy()
    params[1, 3] = np.nan
    out = calibrate_alpha(args[0], args[1], args[2], params, args[4], N_BOOT, 0.95, seeds, 200)
    assert np.all(np.isnan(out[2][1])) and np.all(np.isfinite(out[2][0]))
