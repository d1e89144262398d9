"""synergy.hill.fit / HillFit: shapes, options, degenerate curves, calibration, lmfit."""

from __future__ import annotations

import numpy as np
import pytest

import synergy.hill as hill
from synergy.errors import SynergyError
from synergy.hill import HillStatus as S

DOSES = np.array([0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0])


def curve(ic50=1.0, slope=1.2, bottom=2.0, top=90.0, noise=2.0, seed=0, conc=DOSES):
    rng = np.random.default_rng(seed)
    return hill.evaluate(conc, ic50, slope, bottom, top) + rng.normal(0, noise, conc.shape)


def simulate(n: int, seed: int, n_points: int = 10):
    """Well-posed curves (docs/design.md §6.13): IC50 inside the doses, slope 0.3–5, sd 1–10."""
    rng = np.random.default_rng(seed)
    top_dose = 10 ** rng.uniform(-1, 3, n)
    conc = np.zeros((n, n_points))
    conc[:, 1:] = top_dose[:, None] / 3.0 ** np.arange(n_points - 1)[::-1]
    log_ic50 = rng.uniform(np.log(conc[:, 1]), np.log(conc[:, -1]))
    slope = np.exp(rng.uniform(np.log(0.3), np.log(5.0), n))
    bottom = rng.normal(0.0, 5.0, n)
    top = rng.uniform(30.0, 110.0, n)
    sd = rng.uniform(1.0, 10.0, n)
    clean = hill.evaluate(
        conc, np.exp(log_ic50)[:, None], slope[:, None], bottom[:, None], top[:, None]
    )
    return conc, clean + rng.normal(0.0, 1.0, conc.shape) * sd[:, None], np.exp(log_ic50)


def test_single_curve_scalars_and_methods():
    y = curve()
    fit = hill.fit(DOSES, y)
    assert fit.batch_shape == ()
    assert fit.status == S.CONVERGED
    assert np.ndim(fit.ic50) == 0
    assert fit.ic50 == pytest.approx(1.0, rel=0.2)
    assert fit.params.shape == (4,) and fit.covariance.shape == (4, 4)
    np.testing.assert_allclose(fit.predict(DOSES), hill.evaluate(DOSES, *fit.params))
    assert fit.predict([0.0])[0] == fit.bottom
    mid = 0.5 * (fit.bottom + fit.top)
    assert fit.inverse([mid])[0] == pytest.approx(fit.ic50, rel=1e-12)
    assert np.isnan(fit.inverse([fit.top + 1.0])[0])
    lo, hi = fit.ic50_ci()
    assert lo < fit.ic50 < hi
    assert np.sqrt(lo * hi) == pytest.approx(fit.ic50, rel=1e-12)  # symmetric in ln
    assert fit.sse == pytest.approx(np.sum((fit.predict(DOSES) - y) ** 2), rel=1e-10)
    assert fit.n_points == 10 and fit.fitter == "lsq"


def test_batch_shapes_broadcast_conc():
    ys = np.stack([[curve(seed=s), curve(seed=s + 10)] for s in range(3)])
    fit = hill.fit(DOSES, ys)  # 1-D doses shared by a (3, 2) batch
    assert fit.batch_shape == (3, 2)
    assert fit.stderr.shape == (3, 2, 4)
    single = hill.fit(DOSES, ys[1, 1])
    np.testing.assert_allclose(fit.params[1, 1], single.params, rtol=1e-12)
    assert fit.predict(DOSES).shape == (3, 2, 10)
    assert fit.ic50_ci()[0].shape == (3, 2)


def test_decreasing_curve_top_below_bottom():
    y = curve(bottom=100.0, top=5.0)
    fit = hill.fit(DOSES, y)
    assert fit.status == S.CONVERGED
    assert fit.top < fit.bottom and fit.hill_slope > 0
    assert fit.ic50 == pytest.approx(1.0, rel=0.25)


def test_fixed_bounds_and_weights():
    y = curve()
    fit = hill.fit(DOSES, y, fixed={"bottom": 0.0, "top": 100.0})
    assert fit.bottom == 0.0 and fit.top == 100.0
    assert np.all(fit.stderr[2:] == 0.0) and np.all(fit.stderr[:2] > 0)
    bounded = hill.fit(DOSES, y, bounds={"top": (0.0, 80.0)})
    assert bounded.top == pytest.approx(80.0) and bounded.status == S.HIT_BOUND
    w = np.ones(10)
    w[3] = 0.0
    weighted = hill.fit(DOSES, y, weights=w)
    dropped = hill.fit(np.delete(DOSES, 3), np.delete(y, 3))
    np.testing.assert_allclose(weighted.params, dropped.params, rtol=1e-6)
    assert weighted.n_points == 9
    per_curve = hill.fit(DOSES, np.stack([y, y]), fixed={"bottom": np.array([0.0, np.nan])})
    assert per_curve.bottom[0] == 0.0 and per_curve.bottom[1] != 0.0


def test_bad_arguments_raise_synergy_error():
    y = curve()
    with pytest.raises(SynergyError):
        hill.fit(DOSES, y, fixed={"slope": 1.0})
    with pytest.raises(SynergyError):
        hill.fit(DOSES, y, bounds={"top": (10.0, 5.0)})
    with pytest.raises(SynergyError):
        hill.fit(DOSES[:5], y)
    with pytest.raises(SynergyError):
        hill.fit(DOSES, y).ic50_ci(1.5)


def test_degenerate_curves():
    rng = np.random.default_rng(3)
    fitted = {S.CONVERGED, S.IC50_EXTRAPOLATED, S.HIT_BOUND, S.FLAT}
    bell = np.r_[0, 10, 30, 60, 80, 90, 80, 55, 30, 10.0] + rng.normal(0, 1, 10)
    cases = {
        "flat": (rng.normal(50.0, 2.0, 10), {S.FLAT}),
        "all_dead_constant": (100.0 + rng.normal(0.0, 1.0, 10), {S.FLAT}),
        "all_dead_but_control": (
            np.r_[0.0, 100.0 + rng.normal(0.0, 1.0, 9)],
            {S.IC50_EXTRAPOLATED, S.HIT_BOUND},
        ),
        "ic50_far_above_top_dose": (curve(ic50=1e4, slope=1.0, seed=4), {S.FLAT}),
        "ic50_above_top_dose": (curve(ic50=1000.0, slope=1.0, seed=5), fitted),
        "non_monotone": (bell, fitted),
        "nan_wells": (
            np.where(np.isin(np.arange(10), [2, 5, 7]), np.nan, curve(seed=6)),
            {S.CONVERGED},
        ),
        "all_nan": (np.full(10, np.nan), {S.TOO_FEW_POINTS}),
        "three_points": (np.r_[0.0, 50.0, 90.0, np.full(7, np.nan)], {S.TOO_FEW_POINTS}),
        "infinite": (np.r_[curve(seed=7)[:9], np.inf], {S.NON_FINITE_DATA}),
    }
    ys = np.stack([c[0] for c in cases.values()])
    fit = hill.fit(DOSES, ys)
    for (name, (_, expected)), status, params in zip(
        cases.items(), fit.status, fit.params, strict=True
    ):
        assert S(status) in expected, (name, S(status))
        if S(status) >= S.TOO_FEW_POINTS:
            assert np.all(np.isnan(params)), name
        else:
            assert np.all(np.isfinite(params)), name
    assert fit.n_points[list(cases).index("nan_wells")] == 7
    # only the last dose responds: whatever the status, the IC50 is not pinned down
    lower, upper = fit.ic50_ci()
    i = list(cases).index("ic50_above_top_dose")
    assert S(fit.status[i]) != S.CONVERGED or not (upper[i] / lower[i] < 10)
    # one dose level (plus the control) cannot give a slope
    single = hill.fit(np.r_[0.0, np.full(6, 1.0)], np.r_[0, 40, 42, 41, 39, 40, 43.0])
    assert single.status == S.TOO_FEW_POINTS
    negative = hill.fit(np.r_[-1.0, DOSES[1:]], curve())
    assert negative.status == S.NON_FINITE_DATA


def test_from_params_wraps_and_scores_given_fits():
    y = curve()
    fit = hill.fit(DOSES, y)
    wrapped = hill.HillFit.from_params(*fit.params, conc=DOSES, response=y)
    assert wrapped.fitter == "given" and wrapped.n_iter == 0
    assert wrapped.sse == pytest.approx(fit.sse, rel=1e-12)
    np.testing.assert_allclose(wrapped.covariance, fit.covariance, rtol=1e-8)
    bare = hill.HillFit.from_params([1.0, 2.0], 1.0, 0.0, 100.0)
    assert bare.batch_shape == (2,) and np.all(np.isnan(bare.stderr))
    np.testing.assert_allclose(bare.predict([1.0, 2.0])[:, 0], [50.0, 100.0 / 3.0])


def test_wald_interval_calibration():
    """Student-t Wald 95 % intervals of ln(IC50) cover the truth in 90–98 % of 1,000 curves.

    Counted over the curves with an interval; a step-like fit (slope -> inf, singular
    Jacobian: the IC50 is only bracketed by two doses) has none, and those must stay rare.
    """
    conc, y, true_ic50 = simulate(1000, seed=21)
    fit = hill.fit(conc, y)
    lower, upper = fit.ic50_ci(0.95)
    available = ~np.isnan(lower) & ~np.isnan(upper)  # an upper bound may be inf
    covered = (lower <= true_ic50) & (true_ic50 <= upper)
    assert available.mean() >= 0.9
    assert 0.90 <= covered[available].mean() <= 0.98, covered[available].mean()


def test_lmfit_agrees_on_a_subset():
    """lmfit.Model.fit from a naive start never beats the kernel (same model, bounds)."""
    lmfit = pytest.importorskip("lmfit")
    conc, y, _ = simulate(40, seed=22)
    fit = hill.fit(conc, y)
    from synergy.hill.uncertainty import hill_log_model

    model = lmfit.Model(hill_log_model, independent_vars=["x"])
    n_equal = 0
    for i in range(len(conc)):
        b = fit.bounds[i]
        params = model.make_params(
            log_ic50=dict(
                value=np.median(np.log(conc[i, 1:])), min=np.log(b[0, 0]), max=np.log(b[0, 1])
            ),
            hill_slope=dict(value=1.0, min=b[1, 0], max=b[1, 1]),
            bottom=dict(value=y[i].min(), min=b[2, 0], max=b[2, 1]),
            top=dict(value=y[i].max(), min=b[3, 0], max=b[3, 1]),
        )  # fmt: skip
        res = model.fit(y[i], params, x=conc[i])
        lm_sse = float(np.sum(res.residual**2))
        assert fit.sse[i] <= lm_sse * (1 + 1e-6)
        n_equal += abs(fit.sse[i] - lm_sse) <= 1e-6 * lm_sse
    assert n_equal >= 0.7 * len(conc)  # lmfit from one naive start often stops elsewhere


def test_conf_int_polishes_from_the_kernel_solution():
    pytest.importorskip("lmfit")
    y = curve(noise=3.0, seed=11)
    fit = hill.fit(DOSES, y)
    ci = fit.conf_int(sigmas=(1, 2))
    result = ci["result"]
    assert result.params["log_ic50"].value == pytest.approx(np.log(fit.ic50), abs=1e-5)
    assert np.sum(result.residual**2) == pytest.approx(fit.sse, rel=1e-8)
    probs = [p for p, _ in ci["ic50"]]
    values = [v for _, v in ci["ic50"]]
    assert values == sorted(values) and probs[len(probs) // 2] == 0.0
    # the 1-sigma profile interval is close to the Wald one for a well-determined curve
    se = fit.log_ic50_stderr
    lo1, hi1 = np.log(values[1]), np.log(values[3])
    assert (hi1 - lo1) / 2 == pytest.approx(se, rel=0.35)
    _model, params = fit.to_lmfit()
    assert set(params) == {"log_ic50", "hill_slope", "bottom", "top"}
    with pytest.raises(SynergyError):
        hill.HillFit.from_params(1.0, 1.0, 0.0, 100.0).conf_int()
