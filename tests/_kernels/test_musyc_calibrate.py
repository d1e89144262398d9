"""The parametric-bootstrap calibration of MuSyC's alpha tests against independent references.

- the observed signed root ``sign(ln alpha) sqrt((S_0 − S) / (S / ν))`` against
  ``scipy.optimize.least_squares`` fits with and without ``ln alpha = 0``;
- whole tests (p-value, critical values) against numpy's stream and scipy refits of every
  draw at all points (the kernel refits replicate means with loose stopping);
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
    r, pvalue, crit, _ = calibrate_alpha(d1, d2, y, params, bounds, N_BOOT, 0.95, seeds, 200)
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


def _scipy_fit(d1, d2, y, q0, bounds, fixed=None):
    """(SSE, q) of scipy's trf from q0 with q[fixed] = 0 (the others free)."""
    free = [j for j in range(10) if j != fixed]
    q = np.zeros(10)

    def residual(theta):
        q[free] = theta
        return k.musyc_value(d1, d2, q) - y

    lo, hi = bounds[free, 0], bounds[free, 1]
    fit = least_squares(residual, np.clip(q0[free], lo + 1e-9, hi - 1e-9), bounds=(lo, hi),
                        method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12)  # fmt: skip
    q[free] = fit.x
    return 2.0 * fit.cost, q.copy()


@pytest.mark.parametrize("b", [0, 1])
def test_bootstrap_draws_match_a_scipy_reference(blocks, b):
    """The whole test of one block redone with numpy's stream and scipy's refits.

    numba's generator seeded with s gives the draws of ``np.random.RandomState(s)``; the
    reference refits every draw at all its points (the kernel refits the replicate means,
    with loose stopping) from the kernel's starts, and forms p-value and critical values.
    """
    n_boot, ci, seed = 19, 0.9, 40 + b  # (19 + 1) * 0.05 = 1: the extreme draws
    d1, d2, y, bounds = blocks["d1"][b], blocks["d2"][b], blocks["y"][b], blocks["bounds"][b]
    q_hat = blocks["params"][b]
    r, pvalue, crit, q_null_kernel = calibrate_alpha(
        d1[None], d2[None], y[None], q_hat[None], bounds[None], n_boot, ci,
        np.array([seed], dtype=np.int64), 200,
    )  # fmt: skip
    rng = np.random.RandomState(seed)  # the legacy stream, which numba reproduces
    n, dof = y.size, y.size - 10
    sse_hat = float(np.sum((y - k.musyc_value(d1, d2, q_hat)) ** 2))
    for a in range(2):
        fixed = 8 + a
        fits = [_scipy_fit(d1, d2, y, s, bounds, fixed) for s in (q_hat, np.r_[q_hat[:8], 0, 0])]
        sse_null, q_null = min(fits, key=lambda f: f[0])
        low = min(sse_null, sse_hat)
        r_obs = np.sign(q_hat[fixed]) * np.sqrt((sse_null - low) / (low / dof))
        assert r[0, a] == pytest.approx(r_obs, rel=1e-3, abs=1e-3)
        # the null fit it returns: alpha held at 1, the SSE scipy's
        assert q_null_kernel[0, a, fixed] == 0.0
        sse_kernel = float(np.sum((y - k.musyc_value(d1, d2, q_null_kernel[0, a])) ** 2))
        assert sse_kernel == pytest.approx(sse_null, rel=1e-6)
        mean = k.musyc_value(d1, d2, q_null)
        sd = np.sqrt(sse_null / (dof + 1))
        r_star = []
        for _ in range(n_boot):
            y_star = mean + sd * rng.standard_normal(n)
            sse_full, q_star = _scipy_fit(d1, d2, y_star, q_null, bounds)
            sse_0 = min(_scipy_fit(d1, d2, y_star, s, bounds, fixed)[0] for s in (q_null, q_star))
            low = min(sse_0, sse_full)
            r_star.append(np.sign(q_star[fixed]) * np.sqrt((sse_0 - low) / (low / dof)))
        r_star = np.sort(r_star)
        assert crit[0, a, 0] == pytest.approx(r_star[-1], rel=1e-3, abs=1e-3)
        assert crit[0, a, 1] == pytest.approx(-r_star[0], rel=1e-3, abs=1e-3)
        tail = min(np.sum(r_star >= r[0, a]), np.sum(r_star <= r[0, a]))
        assert pvalue[0, a] == pytest.approx(min(1.0, 2.0 * (1 + tail) / (n_boot + 1)))


def test_replicate_runs_are_found_only_when_every_point_has_them():
    from synergy._kernels.musyc_calibrate import _replicates

    def reference(u1, u2):
        # sizes of the runs of equal (u1, u2): all equal -> that size, else 1
        pairs = list(zip(u1, u2, strict=True))
        sizes, i = [], 0
        while i < len(pairs):
            j = i + 1
            while j < len(pairs) and pairs[j] == pairs[i]:
                j += 1
            sizes.append(j - i)
            i = j
        return sizes[0] if len(set(sizes)) == 1 else 1

    grid = np.log(np.r_[0.0, 1.0, 3.0, 9.0] + 1e-300)
    cases = []
    for n_rep in (1, 2, 3):
        u1 = np.repeat(np.repeat(grid, 4), n_rep)
        u2 = np.repeat(np.tile(grid, 4), n_rep)
        cases.append((u1, u2))
        cases.append((u1[1:], u2[1:]))  # one well missing: runs differ
    u1 = np.repeat(np.r_[-np.inf, 0.0], 2)
    cases.append((u1, np.full(4, -np.inf)))  # 0-dose (-inf) runs count as equal doses
    for u1, u2 in cases:
        u1, u2 = np.ascontiguousarray(u1), np.ascontiguousarray(u2)
        assert _replicates(u1, u2, u1.size) == reference(u1, u2)
