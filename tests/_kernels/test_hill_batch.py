"""The batched bookkeeping kernels of hill.fit against plain numpy/scipy re-computations."""

from __future__ import annotations

import numpy as np
from scipy import special

from synergy._kernels import hill_batch as b
from synergy.hill import HillStatus


def _ranges(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    cmin = 10 ** rng.uniform(-3, 1, n)
    r = np.stack(
        [cmin, cmin * 10 ** rng.uniform(0, 4, n), *np.sort(rng.normal(50, 40, (2, n)), 0)], 1
    )
    r[:5] = [np.inf, -np.inf, np.inf, -np.inf]  # no used points
    r[5:8, :2] = [np.inf, -np.inf]  # no positive dose
    return r


def test_status_codes_match_hill_status():
    assert b._CONVERGED == HillStatus.CONVERGED
    assert b._IC50_EXTRAPOLATED == HillStatus.IC50_EXTRAPOLATED
    assert b._HIT_BOUND == HillStatus.HIT_BOUND
    assert b._FLAT == HillStatus.FLAT


def test_default_bounds_match_numpy_formula():
    r = _ranges(200)
    out = b.default_bounds(r, 0.01, 20.0, 1e3, 100.0)
    cmin, cmax, ymin, ymax = r.T
    with np.errstate(all="ignore"):
        margin = np.maximum(ymax - ymin, 100.0)
    np.testing.assert_array_equal(out[:, 0, 0], np.where(np.isfinite(cmin), cmin / 1e3, 0.0))
    np.testing.assert_array_equal(out[:, 0, 1], np.where(np.isfinite(cmax), cmax * 1e3, np.inf))
    np.testing.assert_array_equal(out[:, 1], np.broadcast_to([0.01, 20.0], (200, 2)))
    for j in (2, 3):
        np.testing.assert_array_equal(
            out[:, j, 0], np.where(np.isfinite(ymin), ymin - margin, -np.inf)
        )
        np.testing.assert_array_equal(
            out[:, j, 1], np.where(np.isfinite(ymax), ymax + margin, np.inf)
        )
    assert b.bounds_ok(out) == (True, True)
    bad = out.copy()
    bad[3, 2] = [1.0, 1.0]
    assert b.bounds_ok(bad) == (False, True)
    bad = out.copy()
    bad[7, 1, 0] = -1.0
    assert b.bounds_ok(bad) == (True, False)


def test_kernel_args_and_natural_match_numpy():
    rng = np.random.default_rng(1)
    n = 100
    fixed = np.full((n, 4), np.nan)
    fixed[::3, 0] = 10 ** rng.uniform(-2, 2, len(fixed[::3]))
    fixed[1::4, 2] = 0.0
    bounds = b.default_bounds(_ranges(n, 2), 0.01, 20.0, 1e3, 100.0)
    with np.errstate(divide="ignore"):
        kf, kb = b.kernel_args(fixed, bounds)
        ref_f = fixed.copy()
        ref_f[:, 0] = np.log(fixed[:, 0])
        ref_b = bounds.copy()
        ref_b[:, 0] = np.log(bounds[:, 0])
    np.testing.assert_array_equal(kf, ref_f)
    np.testing.assert_array_equal(kb, ref_b)
    params = rng.normal(size=(n, 4))
    params[:, 0] = np.exp(params[:, 0])
    a = rng.normal(size=(n, 4, 4))
    cov = a @ np.swapaxes(a, 1, 2)
    cov[4] = np.nan
    scale = np.ones((n, 4))
    scale[:, 0] = params[:, 0]
    expected = cov * scale[:, :, None] * scale[:, None, :]
    r = _ranges(n, 3)
    cmin, cmax = b.natural(params, cov, r)
    np.testing.assert_array_equal(cov, expected)
    np.testing.assert_array_equal(cmin, np.where(np.isfinite(r[:, 0]), r[:, 0], np.nan))
    np.testing.assert_array_equal(cmax, np.where(np.isfinite(r[:, 1]), r[:, 1], np.nan))


def test_flat_test_and_status_match_numpy():
    rng = np.random.default_rng(4)
    n = 400
    sse = rng.uniform(0, 100, n)
    sse_null = sse * rng.uniform(0.9, 5, n)
    sse[:10] = 0.0
    sse_null[:5] = 0.0
    sse[10:15] = np.nan
    n_points = rng.integers(3, 12, n)
    fixed = np.full((n, 4), np.nan)
    fixed[::5, 2] = 0.0
    fixed[::7, 0] = 1.0
    kstatus = rng.choice([0, 2, 4, 5, 6], n)
    params = np.exp(rng.normal(size=(n, 4)))
    cmin = np.full(n, 0.5)
    cmax = np.full(n, 2.0)
    df1, df2, x = b.f_statistic(sse, sse_null, n_points, fixed)
    p = special.fdtrc(df1, df2, x)
    status = b.finish_status(p, df1, df2, sse, sse_null, kstatus, fixed, params, cmin, cmax, 0.05)
    # reference: the numpy formulas hill.fit used before these kernels
    k_free = np.sum(np.isnan(fixed), 1)
    k_null = np.where(np.isnan(fixed[:, 2]), 1, 0)
    r1 = (k_free - k_null).astype(float)
    r2 = (n_points - k_free).astype(float)
    with np.errstate(all="ignore"):
        f_stat = ((sse_null - sse) / r1) / (sse / r2)
        ref = special.fdtrc(r1, r2, np.maximum(f_stat, 0.0))
    ref = np.where(sse <= 0.0, np.where(sse_null > 0.0, 0.0, 1.0), ref)
    ref = np.where((r1 > 0) & (r2 > 0) & np.isfinite(sse), ref, np.nan)
    np.testing.assert_array_equal(p, ref)
    ref_status = kstatus.astype(np.int8)
    fitted = (kstatus == 0) | (kstatus == 2)
    ref_status[fitted & (ref > 0.05)] = HillStatus.FLAT
    outside = (params[:, 0] < cmin) | (params[:, 0] > cmax)
    ref_status[(ref_status == 0) & outside & np.isnan(fixed[:, 0])] = HillStatus.IC50_EXTRAPOLATED
    np.testing.assert_array_equal(status, ref_status)
    assert status.dtype == np.int8
    assert set(np.unique(status)) >= {0, 1, 2, 3}
