"""The MuSyC kernel against slow, obvious references.

- Surface: the steady state of the 4-state mass-action scheme solved directly as a linear
  system (``np.linalg.solve`` on the generator with one balance row replaced by the
  normalisation), not the kernel's closed form.
- Jacobian: central finite differences of the kernel's surface.
- Fit: ``scipy.optimize.least_squares`` on the same model, started from the truth.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import least_squares

from synergy._kernels import musyc as k


def steady_state_effect(d1, d2, e, h1, h2, c1, c2, alpha12, alpha21):
    """E at one dose pair: solve Q^T p = 0, sum(p) = 1 for the 4 states (U, A1, A2, A12)."""
    a1 = (d1 / c1) ** h1
    a2 = (d2 / c2) ** h2
    b1 = (alpha21 * d1 / c1) ** h1  # A2 -> A12
    b2 = (alpha12 * d2 / c2) ** h2  # A1 -> A12
    rates = np.zeros((4, 4))  # rates[i, j]: i -> j
    rates[0, 1], rates[1, 0] = a1, 1.0
    rates[0, 2], rates[2, 0] = a2, 1.0
    rates[2, 3], rates[3, 2] = b1, 1.0
    rates[1, 3], rates[3, 1] = b2, 1.0
    generator = rates - np.diag(rates.sum(axis=1))
    system = generator.T.copy()
    system[-1] = 1.0
    rhs = np.zeros(4)
    rhs[-1] = 1.0
    return float(np.dot(np.linalg.solve(system, rhs), e))


def random_params(rng):
    e = np.array([rng.uniform(-5, 10), rng.uniform(30, 100), rng.uniform(20, 90), 0.0])
    e[3] = rng.uniform(40, 120)
    h = np.exp(rng.uniform(np.log(0.4), np.log(4.0), 2))
    c = 10 ** rng.uniform(-2, 2, 2)
    alpha = 10 ** rng.uniform(-2, 2, 2)  # generally without detailed balance
    return e, h, c, alpha


def to_q(e, h, c, alpha):
    return np.concatenate([e, np.log(h), np.log(c), np.log(alpha)])


def test_surface_matches_the_linear_steady_state():
    rng = np.random.default_rng(0)
    for _ in range(30):
        e, h, c, alpha = random_params(rng)
        d1 = np.r_[0.0, 0.0, c[0] * 10 ** rng.uniform(-2, 2, 10)]
        d2 = np.r_[0.0, c[1] * 10 ** rng.uniform(-2, 2, 10), 0.0]
        got = k.musyc_value(d1, d2, to_q(e, h, c, alpha))
        want = [
            steady_state_effect(x1, x2, e, *h, *c, *alpha) for x1, x2 in zip(d1, d2, strict=True)
        ]
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-11)


def test_single_drug_edges_are_hill_curves():
    rng = np.random.default_rng(1)
    e, h, c, alpha = random_params(rng)
    dose = c[0] * 10 ** np.linspace(-2, 2, 9)
    got = k.musyc_value(dose, np.zeros(9), to_q(e, h, c, alpha))
    want = e[0] + (e[1] - e[0]) / (1 + (c[0] / dose) ** h[0])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_jacobian_matches_finite_differences():
    rng = np.random.default_rng(2)
    for _ in range(10):
        e, h, c, alpha = random_params(rng)
        q = to_q(e, h, c, alpha)
        d1 = np.r_[0.0, c[0] * 10 ** rng.uniform(-1.5, 1.5, 12)]
        d2 = np.r_[c[1] * 10 ** rng.uniform(-1.5, 1.5, 12), 0.0]
        jac = k.musyc_jacobian(d1, d2, q)
        num = np.empty_like(jac)
        for j in range(10):
            step = np.zeros(10)
            step[j] = 1e-6
            num[:, j] = (k.musyc_value(d1, d2, q + step) - k.musyc_value(d1, d2, q - step)) / 2e-6
        np.testing.assert_allclose(jac, num, rtol=1e-6, atol=1e-6)


def grid_block(rng, q, noise_sd, n_rep=2):
    """(N,) doses and noisy responses on an 8 x 8 three-fold grid centred on C1, C2."""
    c1, c2 = np.exp(q[6]), np.exp(q[7])
    g1 = np.r_[0.0, c1 * 3.0 ** np.arange(-3.5, 3.0)]
    g2 = np.r_[0.0, c2 * 3.0 ** np.arange(-3.5, 3.0)]
    d1 = np.repeat(np.repeat(g1, 8), n_rep)
    d2 = np.repeat(np.tile(g2, 8), n_rep)
    y = k.musyc_value(d1, d2, q) + noise_sd * rng.standard_normal(d1.size)
    return d1, d2, y


def bounds_for(n_block):
    b = np.empty((n_block, 10, 2))
    b[:, :4] = (-200.0, 300.0)
    b[:, 4:6] = np.log([0.05, 20.0])
    b[:, 6:8] = (-20.0, 20.0)
    b[:, 8:] = np.log([1e-4, 1e4])
    return b


def test_noise_free_fit_recovers_the_parameters():
    rng = np.random.default_rng(3)
    qs, d1s, d2s, ys = [], [], [], []
    for _ in range(8):
        e, h, c, alpha = random_params(rng)
        alpha = 10 ** rng.uniform(-0.8, 0.8, 2)
        q = to_q(e, h, c, alpha)
        d1, d2, y = grid_block(rng, q, 0.0)
        qs.append(q), d1s.append(d1), d2s.append(d2), ys.append(y)
    qs = np.array(qs)
    init = qs.copy()
    init[:, 4:] += rng.uniform(-0.3, 0.3, (8, 6))  # off the truth (effects are re-solved)
    init[:, :4] += rng.uniform(-10, 10, (8, 4))
    params, _cov, sse, _n, _n_iter, status = k.fit_musyc(
        np.array(d1s), np.array(d2s), np.array(ys), init, bounds_for(8), 200
    )
    assert np.all(status == k.CONVERGED)
    np.testing.assert_allclose(params, qs, atol=1e-5)
    assert np.all(sse < 1e-12)


def test_fit_reaches_scipy_least_squares_from_the_truth():
    rng = np.random.default_rng(4)
    n_block = 12
    qs, data = [], []
    for _ in range(n_block):
        e, h, c, alpha = random_params(rng)
        alpha = 10 ** rng.uniform(-0.8, 0.8, 2)
        e[3] = max(e[1], e[2]) + rng.uniform(-10, 20)
        q = to_q(e, h, c, alpha)
        qs.append(q)
        data.append(grid_block(rng, q, 4.0))
    d1, d2, y = (np.array([blk[i] for blk in data]) for i in range(3))
    init = np.array(qs)
    init[:, 8:] = 0.0  # alpha = 1, as the wrapper starts
    init[:, 4:8] += 0.2
    params, cov, sse, _n, _n_iter, status = k.fit_musyc(d1, d2, y, init, bounds_for(n_block), 200)
    n_equal = 0
    for b in range(n_block):
        ref = least_squares(
            lambda q, b=b: k.musyc_value(d1[b], d2[b], q) - y[b],
            qs[b],
            jac=lambda q, b=b: k.musyc_jacobian(d1[b], d2[b], q),
            method="lm",
            xtol=1e-12,
            ftol=1e-12,
            max_nfev=5000,
        )
        # these random blocks (shallow slopes, weak effects, alpha far from 1) are harder
        # than screens: a fit may end in another basin, but never far above scipy's
        assert sse[b] <= 2 * ref.cost * 1.02
        n_equal += sse[b] <= 2 * ref.cost * (1 + 1e-7) or status[b] != k.CONVERGED
        # Wald covariance: sigma^2 (J^T J)^-1 at the optimum
        jac = k.musyc_jacobian(d1[b], d2[b], params[b])
        want = sse[b] / (y.shape[1] - 10) * np.linalg.inv(jac.T @ jac)
        np.testing.assert_allclose(cov[b], want, rtol=1e-5, atol=1e-12)
    assert n_equal >= n_block - 1


def test_status_codes_for_bad_blocks():
    rng = np.random.default_rng(5)
    e, h, c, alpha = random_params(rng)
    q = to_q(e, h, c, alpha)
    d1, d2, y = grid_block(rng, q, 1.0)
    few = y.copy()
    few[10:] = np.nan  # 10 points: fewer than 11
    inf = y.copy()
    inf[3] = np.inf
    mono = y.copy()
    mono[(d1 > 0) & (d2 > 0)] = np.nan  # no combination well
    ys = np.array([y, few, inf, mono])
    doses = np.broadcast_to(d1, ys.shape).copy(), np.broadcast_to(d2, ys.shape).copy()
    out = k.fit_musyc(*doses, ys, np.tile(q, (4, 1)), bounds_for(4), 100)
    status = out[-1]
    assert status.tolist() == [
        k.CONVERGED, k.TOO_FEW_POINTS, k.NON_FINITE_DATA, k.TOO_FEW_POINTS
    ]  # fmt: skip
    assert np.all(np.isnan(out[0][1:]))


@pytest.mark.parametrize("max_iter", [0])
def test_max_iter_zero_evaluates_at_init(max_iter):
    rng = np.random.default_rng(6)
    e, h, c, alpha = random_params(rng)
    q = to_q(e, h, c, alpha)
    d1, d2, y = grid_block(rng, q, 2.0)
    params, _cov, sse, *_ = k.fit_musyc(d1[None], d2[None], y[None], q[None], bounds_for(1), 0)
    np.testing.assert_allclose(params[0], q)
    np.testing.assert_allclose(sse[0], np.sum((y - k.musyc_value(d1, d2, q)) ** 2), rtol=1e-12)


def test_grid_evaluation_matches_pointwise():
    rng = np.random.default_rng(7)
    e, h, c, alpha = random_params(rng)
    q = to_q(e, h, c, alpha)
    rows = np.array([[0.0, 0.1, 1.0, np.nan], [0.0, 2.0, 20.0, 200.0]])
    cols = np.array([[0.0, 0.5, 5.0], [0.0, 1.0, np.nan]])
    qq = np.stack([q, q])
    qq[1, 3] = np.nan  # a failed block gives NaN
    grid = k.musyc_grid(rows, cols, qq)
    want = k.musyc_value(np.repeat(rows[0], 3), np.tile(cols[0], 4), q).reshape(4, 3)
    np.testing.assert_allclose(grid[0, :3], want[:3])
    assert np.all(np.isnan(grid[0, 3])) and np.all(np.isnan(grid[1]))


def test_profile_intervals_match_lmfit_conf_interval():
    """The profile ends of ln alpha against lmfit.conf_interval (same F-test criterion)."""
    lmfit = pytest.importorskip("lmfit")
    from scipy.stats import t as student_t

    from synergy._kernels.musyc_profile import profile_alpha

    rng = np.random.default_rng(8)
    n_block = 3
    qs, data = [], []
    for _ in range(n_block):
        e, h, c, alpha = random_params(rng)
        h = np.exp(rng.uniform(np.log(0.8), np.log(2.5), 2))
        alpha = 10 ** rng.uniform(-0.5, 0.5, 2)
        e[0], e[1], e[2] = 0.0, rng.uniform(50, 90), rng.uniform(50, 90)
        e[3] = max(e[1], e[2]) + rng.uniform(5, 20)
        q = to_q(e, h, c, alpha)
        qs.append(q)
        data.append(grid_block(rng, q, 5.0, n_rep=1))
    d1, d2, y = (np.array([blk[i] for blk in data]) for i in range(3))
    bounds = bounds_for(n_block)
    params, cov, _sse, n, _n_iter, status = k.fit_musyc(d1, d2, y, np.array(qs), bounds, 200)
    assert np.all(status == k.CONVERGED)
    tq = student_t.ppf(0.975, n - 10)
    wald = tq[:, None] * np.sqrt(np.diagonal(cov, axis1=1, axis2=2)[:, 8:])
    t_crit = np.ascontiguousarray(np.broadcast_to(tq[:, None, None], (n_block, 2, 2)))
    ends, _ = profile_alpha(d1, d2, y, params, wald, bounds, t_crit, 200)
    n_agree = 0
    for b in range(n_block):
        pars = lmfit.Parameters()
        for j in range(10):
            pars.add(f"q{j}", value=params[b, j], min=bounds[b, j, 0], max=bounds[b, j, 1])

        def residual(p, b=b):
            q = np.array([p[f"q{j}"].value for j in range(10)])
            return k.musyc_value(d1[b], d2[b], q) - y[b]

        mini = lmfit.Minimizer(residual, pars)
        result = mini.minimize(method="leastsq")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "bound reached": an open end
            ci = lmfit.conf_interval(mini, result, p_names=["q8", "q9"], sigmas=[0.95])
        for a, name in enumerate(("q8", "q9")):
            want = np.array([ci[name][0][1], ci[name][-1][1]])
            open_end = (want <= bounds[b, 8 + a, 0] + 1e-6) | (want >= bounds[b, 8 + a, 1] - 1e-6)
            want = np.where(open_end, np.sign(want) * np.inf, want)
            finite = np.r_[want, ends[b, a], params[b, 8 + a]]
            width = np.ptp(finite[np.isfinite(finite)])
            agree = np.isclose(ends[b, a], want, rtol=0, atol=0.01 * width) | (
                np.isinf(want) & (ends[b, a] == want)
            )
            n_agree += agree.sum()
            for side in np.flatnonzero(~agree):
                # a flat profile near the threshold: the end still solves r(theta) = t
                theta = ends[b, a, side]
                free = [j for j in range(10) if j != 8 + a]

                def held(x, b=b, a=a, theta=theta, free=free):
                    q = np.empty(10)
                    q[free] = x
                    q[8 + a] = theta
                    return k.musyc_value(d1[b], d2[b], q) - y[b]

                fit = least_squares(held, params[b, free], method="lm")
                sse_b = np.sum(residual(result.params) ** 2)
                r = np.sqrt((2 * fit.cost - sse_b) / (sse_b / (n[b] - 10)))
                np.testing.assert_allclose(r, tq[b], rtol=0.03)
    assert n_agree >= 2 * 2 * n_block - 1


@settings(deadline=None, max_examples=60)
@given(
    e=st.lists(st.floats(-50, 150), min_size=4, max_size=4),
    logs=st.lists(st.floats(-3, 3), min_size=6, max_size=6),
    d=st.lists(st.floats(0, 1e3), min_size=2, max_size=2),
    scale=st.floats(-3, 3),
    shift=st.floats(-50, 50),
)
def test_surface_symmetries(e, logs, d, scale, shift):
    """Swapping the drugs permutes the parameters; effects transform affinely."""
    q = np.array([*e, logs[0] / 3, logs[1] / 3, *logs[2:]])
    d1, d2 = np.array([d[0]]), np.array([d[1]])
    value = k.musyc_value(d1, d2, q)
    swap = q[[0, 2, 1, 3, 5, 4, 7, 6, 9, 8]]
    np.testing.assert_allclose(k.musyc_value(d2, d1, swap), value, rtol=1e-10, atol=1e-9)
    affine = q.copy()
    affine[:4] = shift + scale * q[:4]
    np.testing.assert_allclose(
        k.musyc_value(d1, d2, affine), shift + scale * value, rtol=1e-10, atol=1e-8
    )
