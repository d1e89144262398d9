"""The Zimmer and BRAID kernels against slow, obvious references.

- Zimmer: the effective doses solved numerically from the two defining equations
  (``scipy.optimize.brentq`` on drug 1's effective dose, drug 2's substituted), the
  effect as the product of unaffected fractions, written out here in plain numpy.
- BRAID: the paper's formula written out in plain numpy (E3 = the stronger top, δ = 1).
- Null models: Zimmer with a = 0 is Bliss of the two Hill curves
  (:func:`synergy.datasets._surfaces.bliss_independent`); BRAID with κ = 0 and two equal
  curves is the curve at the summed dose (Loewe's sham combination).
- Jacobians: central finite differences of the kernels' surfaces.
- Fits: ``scipy.optimize.least_squares`` on the same model and points.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq, least_squares

from synergy._kernels import interaction_fit as fit
from synergy._kernels import interaction_surfaces as surf
from synergy.datasets import _surfaces as ref_surf


def zimmer_reference(d1, d2, e0, e1, e2, h1, h2, c1, c2, a12, a21):
    """E at one dose pair, effective doses by brentq on x1 (x2 substituted)."""

    def x2_of(x1):
        return d2 / (1.0 + a21 * x1 / (x1 + c1))

    def excess(x1):
        x2 = x2_of(x1)
        return x1 * (1.0 + a12 * x2 / (x2 + c2)) - d1

    x1 = 0.0 if d1 == 0 else brentq(excess, 0.0, d1 / min(1.0 + a12, 1.0) * 1.01 + 1e-300,
                                    xtol=1e-300, rtol=1e-15)  # fmt: skip
    x2 = x2_of(x1)
    frac1 = 1.0 / (1.0 + (c1 / x1) ** h1) if x1 > 0 else 0.0
    frac2 = 1.0 / (1.0 + (c2 / x2) ** h2) if x2 > 0 else 0.0
    unaffected1 = 1.0 - (e1 - e0) / (100.0 - e0) * frac1
    unaffected2 = 1.0 - (e2 - e0) / (100.0 - e0) * frac2
    return 100.0 - (100.0 - e0) * unaffected1 * unaffected2, x1, x2


def braid_reference(d1, d2, e0, e1, e2, h1, h2, c1, c2, kappa):
    """The BRAID κ surface (δ = 1, Ef = the stronger top) in plain numpy."""
    ef = e1 if abs(e1 - e0) >= abs(e2 - e0) else e2
    big_d = 0.0
    parts = []
    for d, e, h, c in ((d1, e1, h1, c1), (d2, e2, h2, c2)):
        ratio = (e - e0) / (ef - e0)
        a = (d / c) ** h
        parts.append(ratio * a / (1.0 + (1.0 - ratio) * a))
    h = np.sqrt(h1 * h2)
    big_d = (
        parts[0] ** (1 / h)
        + parts[1] ** (1 / h)
        + kappa * np.sqrt(parts[0] ** (1 / h) * parts[1] ** (1 / h))
    )
    if big_d == 0:
        return e0
    return e0 + (ef - e0) / (1.0 + big_d ** (-h))


def random_case(rng, model):
    e0 = rng.uniform(-5, 10)
    e1, e2 = rng.uniform(30, 100, 2)
    h = np.exp(rng.uniform(np.log(0.5), np.log(4.0), 2))
    c = 10 ** rng.uniform(-2, 2, 2)
    if model == surf.ZIMMER:
        inter = rng.uniform(-0.9, 5.0, 2)
        q = np.r_[e0, e1, e2, np.log(h), np.log(c), np.log1p(inter)]
    else:
        inter = rng.uniform(-1.9, 10.0, 1)
        q = np.r_[e0, e1, e2, np.log(h), np.log(c), np.log(inter + 2.0)]
    d1 = np.r_[0.0, 0.0, c[0] * 10 ** rng.uniform(-2, 2, 12)]
    d2 = np.r_[0.0, c[1] * 10 ** rng.uniform(-2, 2, 12), 0.0]
    return q, (e0, e1, e2, *h, *c, *inter), d1, d2


def test_zimmer_effective_doses_solve_the_defining_equations():
    rng = np.random.default_rng(0)
    for _ in range(200):
        r1, r2 = 10 ** rng.uniform(-3, 3, 2)
        a12, a21 = rng.uniform(-0.99, 20.0, 2)
        s1, s2 = surf.zimmer_doses(r1, r2, 1.0 + a12, 1.0 + a21)
        _, x1, x2 = zimmer_reference(r1, r2, 0, 100, 100, 1, 1, 1.0, 1.0, a12, a21)
        assert s1 == pytest.approx(x1, rel=1e-9)
        assert s2 == pytest.approx(x2, rel=1e-9)
        assert s1 * (1 + a12 * s2 / (1 + s2)) == pytest.approx(r1, rel=1e-11)
        assert s2 * (1 + a21 * s1 / (1 + s1)) == pytest.approx(r2, rel=1e-11)


@pytest.mark.parametrize("model", [surf.ZIMMER, surf.BRAID])
def test_surface_matches_the_reference(model):
    rng = np.random.default_rng(1)
    for _ in range(20):
        q, args, d1, d2 = random_case(rng, model)
        got = surf.surface_value(model, d1, d2, q)
        if model == surf.ZIMMER:
            want = [zimmer_reference(x, y, *args)[0] for x, y in zip(d1, d2, strict=True)]
        else:
            want = [braid_reference(x, y, *args) for x, y in zip(d1, d2, strict=True)]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_null_models():
    rng = np.random.default_rng(2)
    d1 = np.repeat(np.r_[0.0, np.geomspace(0.01, 100, 7)], 8)
    d2 = np.tile(np.r_[0.0, np.geomspace(0.01, 100, 7)], 8)
    for _ in range(10):
        q, (e0, e1, e2, h1, h2, c1, c2, *_), _, _ = random_case(rng, surf.ZIMMER)
        q[7:] = 0.0  # a12 = a21 = 0
        bliss = ref_surf.bliss_independent(
            ref_surf.hill(d1, c1, h1, e0, e1), ref_surf.hill(d2, c2, h2, e0, e2), e0
        )
        np.testing.assert_allclose(surf.surface_value(surf.ZIMMER, d1, d2, q), bliss, atol=1e-9)
        # BRAID, kappa = 0, the same curve twice: the curve at the summed dose
        qb = np.r_[e0, e1, e1, np.log(h1), np.log(h1), np.log(c1), np.log(c1), np.log(2.0)]
        sham = ref_surf.hill(d1 + d2, c1, h1, e0, e1)
        np.testing.assert_allclose(surf.surface_value(surf.BRAID, d1, d2, qb), sham, atol=1e-9)


@pytest.mark.parametrize("model", [surf.ZIMMER, surf.BRAID])
def test_jacobian_matches_finite_differences(model):
    rng = np.random.default_rng(3)
    for _ in range(20):
        q, _, d1, d2 = random_case(rng, model)
        jac = surf.surface_jacobian(model, d1, d2, q)
        num = np.empty_like(jac)
        for j in range(q.size):
            step = np.zeros(q.size)
            step[j] = 1e-6
            up = surf.surface_value(model, d1, d2, q + step)
            down = surf.surface_value(model, d1, d2, q - step)
            num[:, j] = (up - down) / 2e-6
        np.testing.assert_allclose(jac, num, rtol=1e-5, atol=1e-5 * np.abs(jac).max())


def grid_points(q, model, noise, rng, n_doses=7):
    c1, c2 = np.exp(q[5]), np.exp(q[6])
    g1 = np.r_[0.0, c1 * 3.0 ** np.arange(-(n_doses // 2), n_doses - n_doses // 2)]
    g2 = np.r_[0.0, c2 * 3.0 ** np.arange(-(n_doses // 2), n_doses - n_doses // 2)]
    d1 = np.repeat(g1, g2.size)
    d2 = np.tile(g2, g1.size)
    y = surf.surface_value(model, d1, d2, q) + noise * rng.standard_normal(d1.size)
    return d1, d2, y


def null_start(q, model):
    start = q.copy()
    start[7:] = 0.0 if model == surf.ZIMMER else np.log(2.0)
    return start


def run_kernel(model, d1, d2, y, init, max_iter=200):
    p = init.size
    bounds = np.empty((1, p, 2))
    bounds[0, :3] = (-100.0, 200.0)
    bounds[0, 3:5] = np.log((0.05, 20.0))
    bounds[0, 5:7] = (-30.0, 30.0)
    bounds[0, 7:] = np.log((1e-3, 1e3))
    if model == surf.ZIMMER:
        bounds[0, 0] = (-100.0, 90.0)
    starts = np.array([[np.log(0.25)] * (p - 7), [np.log(4.0)] * (p - 7)])
    return fit.fit_surface(
        model, d1[None], d2[None], y[None], init[None], bounds, starts, max_iter
    ), bounds[0]


def noisy_fits(model, seed, count, noise):
    """Random cases on 8 x 8 grids with noise, each fitted from the null start."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        q, _, _, _ = random_case(rng, model)
        d1, d2, y = grid_points(q, model, noise, rng)
        out, bounds = run_kernel(model, d1, d2, y, null_start(q, model))
        yield q, (d1, d2, y), out, bounds


@pytest.mark.parametrize("model", [surf.ZIMMER, surf.BRAID])
def test_fit_matches_scipy_least_squares(model):
    same = 0
    for q, (d1, d2, y), out, bounds in noisy_fits(model, 4, 8, 3.0):
        params, cov, sse, n, _, status = out
        assert status[0] in (fit.CONVERGED, fit.HIT_BOUND)

        def residuals(p, d1=d1, d2=d2, y=y):
            return surf.surface_value(model, d1, d2, p) - y

        ref = least_squares(residuals, q, bounds=(bounds[:, 0], bounds[:, 1]), method="trf",
                            x_scale="jac", xtol=1e-14, ftol=1e-14, gtol=1e-14)  # fmt: skip
        assert sse[0] <= 2.0 * ref.cost * (1 + 1e-7) + 1e-9
        if sse[0] > 2.0 * ref.cost * (1 - 1e-5):  # the same optimum: the same parameters
            same += 1
            np.testing.assert_allclose(params[0], ref.x, rtol=1e-3, atol=2e-3)
            jac = surf.surface_jacobian(model, d1, d2, ref.x)
            want = 2 * ref.cost / (n[0] - q.size) * np.linalg.inv(jac.T @ jac)
            np.testing.assert_allclose(np.diag(cov[0]), np.diag(want), rtol=2e-2)
    assert same >= 6  # scipy, started from the truth, finds no better optimum in most cases


@pytest.mark.parametrize("model", [surf.ZIMMER, surf.BRAID])
def test_noise_free_recovery_from_the_null_start(model):
    rng = np.random.default_rng(5)
    for _ in range(8):
        q, _, _, _ = random_case(rng, model)
        d1, d2, y = grid_points(q, model, 0.0, rng)
        (params, _, sse, *_), _ = run_kernel(model, d1, d2, y, null_start(q, model), 400)
        assert sse[0] < 1e-12
        np.testing.assert_allclose(params[0], q, atol=1e-5)


@pytest.mark.parametrize("model", [surf.ZIMMER, surf.BRAID])
def test_degenerate_points_get_statuses(model):
    q, _, _, _ = random_case(np.random.default_rng(6), model)
    d1, d2, y = grid_points(q, model, 1.0, np.random.default_rng(7))
    few = np.where(np.arange(y.size) < 5, y, np.nan)
    assert run_kernel(model, d1, d2, few, q)[0][5][0] == fit.TOO_FEW_POINTS
    bad = y.copy()
    bad[3] = np.inf
    out = run_kernel(model, d1, d2, bad, q)[0]
    assert out[5][0] == fit.NON_FINITE_DATA and np.isnan(out[0]).all()
    mono = np.where((d1 > 0) & (d2 > 0), np.nan, y)  # no combination point
    assert run_kernel(model, d1, d2, mono, q)[0][5][0] == fit.TOO_FEW_POINTS


def held_residuals(x, model, k, theta, free, d1, d2, y):
    """Residuals with q[k] = theta and the other parameters x."""
    full = np.empty(free.size + 1)
    full[free] = x
    full[k] = theta
    return surf.surface_value(model, d1, d2, full) - y


@pytest.mark.parametrize("model", [surf.ZIMMER, surf.BRAID])
def test_profile_ends_meet_the_f_test_criterion_by_scipy(model):
    """At each profile end, scipy's refit with θ held gives (S(θ) − S)/σ² = t² (±2 %)."""
    from scipy.stats import t as student_t

    from synergy._kernels.interaction_profile import profile_interaction

    checked = 0
    for q, (d1, d2, y), out, bounds in noisy_fits(model, 8, 3, 4.0):
        params, cov, sse, n = out[0], out[1], out[2][0], out[3][0]
        p = q.size
        n_int = p - 7
        t_crit = student_t.ppf(0.975, n - p)
        half = t_crit * np.sqrt(np.diagonal(cov[0])[7:])[None]
        ends, n_fits = profile_interaction(
            model, d1[None], d2[None], y[None], params, half, bounds[None],
            np.array([t_crit]), 200,
        )  # fmt: skip
        assert n_fits[0] >= 2 * n_int
        sigma2 = sse / (n - p)
        for a in range(n_int):
            k = 7 + a
            for end in ends[0, a]:
                if not np.isfinite(end):
                    continue
                free = np.delete(np.arange(p), k)

                ref = least_squares(
                    held_residuals, params[0, free], args=(model, k, end, free, d1, d2, y),
                    bounds=(bounds[free, 0], bounds[free, 1]), x_scale="jac",
                    xtol=1e-12, ftol=1e-12,
                )  # fmt: skip
                r = np.sqrt(max(2 * ref.cost - sse, 0.0) / sigma2)
                assert r == pytest.approx(t_crit, rel=0.02)
                checked += 1
    assert checked >= 5  # most ends are finite on these blocks
