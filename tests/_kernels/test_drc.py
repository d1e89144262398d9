"""The drc replica kernel against a slow plain-Python transcription of the same procedure.

The reference below is written from R's sources as plain Python (closures for ``fn``/``gr``
as ``optim`` builds them, LINPACK's Householder QR for ``lm``, an 80-bit ``numpy.longdouble``
accumulator for R's ``sum``), independently of the kernel's code layout.  The kernel must
agree with it to the last bits.  Independent checks: R's ``sum`` against numpy's long double,
the start-value regression against ``numpy.linalg.lstsq``, and (in
``tests/hill/test_drc.py``) SynergyFinder 3's own fits.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synergy._kernels import drc, r_arith

X87 = np.finfo(np.longdouble).nmant == 63
needs_x87 = pytest.mark.skipif(not X87, reason="numpy.longdouble is not x87 extended here")


# --- slow reference -------------------------------------------------------------------------


def _r_sum(values) -> float:
    """R's ``sum`` of doubles: long double accumulator, rounded to double at the end."""
    acc = np.longdouble(0.0)
    for v in values:
        acc = acc + np.longdouble(v)
    return float(acc)


def _log(x: float) -> float:
    return -math.inf if x == 0 else (math.log(x) if x > 0 else math.nan)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _curve(kind: str, x: float, b: float, c: float, d: float, e: float) -> float:
    z = b * _log(x / e) if kind == "LL.4" else b * (x - e)
    if math.isnan(z):
        return math.nan
    return c + (d - c) / (1.0 + _exp(z))


def _r_lm(u: list[float], v: list[float]) -> tuple[float, float] | None:
    """``coef(lm(v ~ u))`` by LINPACK dqrdc2/dqrsl (tol 1e-7); None for an NA slope."""
    m = len(u)
    if m < 2:
        return None

    def nrm2(vec):  # LAPACK 3.10 dnrm2 in the normal range
        return math.sqrt(sum_seq(a * a for a in vec))

    def sum_seq(it):
        s = 0.0
        for a in it:
            s = s + a
        return s

    cols = [[1.0] * m, list(u)]
    qraux = [nrm2(cols[0]), nrm2(cols[1])]
    norm_tol = (qraux[1] if qraux[1] != 0 else 1.0) * 1e-7
    for col in (0, 1):
        if col == 1 and not qraux[1] >= norm_tol:
            return None
        if col == m - 1:  # l == n: no reflection
            continue
        h = cols[col]
        nrm = nrm2(h[col:])
        if nrm == 0:
            continue
        if h[col] != 0:
            nrm = math.copysign(nrm, h[col])
        for i in range(col, m):
            h[i] = (1.0 / nrm) * h[i]
        h[col] = 1.0 + h[col]
        if col == 0:
            other = cols[1]
            t = -sum_seq(h[i] * other[i] for i in range(m)) / h[0]
            for i in range(m):
                other[i] = other[i] + t * h[i]
            if qraux[1] != 0:
                w = max(1.0 - (abs(other[0]) / qraux[1]) ** 2, 0.0)
                qraux[1] = qraux[1] * math.sqrt(w) if abs(w) >= 1e-6 else nrm2(other[1:])
        qraux[col] = h[col]
        h[col] = -nrm
    qty = list(v)
    for col in range(min(2, m - 1)):
        h = cols[col]
        if qraux[col] == 0:
            continue
        diag, h[col] = h[col], qraux[col]
        t = -sum_seq(h[i] * qty[i] for i in range(col, m)) / h[col]
        for i in range(col, m):
            qty[i] = qty[i] + t * h[i]
        h[col] = diag
    slope = qty[1] / cols[1][1]
    return (qty[0] + (-slope) * cols[1][0]) / cols[0][0], slope


def _r_optim_bfgs(fn, par: list[float]) -> tuple[list[float], int] | None:
    """optim(par, fn, method = "BFGS", hessian = TRUE, control = list(maxit = 500,
    reltol = 1e-7, parscale = ps)) with drc's parscale; None where R raises an error."""
    ps = [abs(p) if abs(p) >= 1e-4 else 1.0 for p in par]
    n = len(par)

    def f(p):
        if not all(math.isfinite(a) for a in p):
            raise FloatingPointError
        return fn([a * s for a, s in zip(p, ps, strict=True)])

    def grad(p):
        x = [a * s for a, s in zip(p, ps, strict=True)]
        g = []
        for i in range(n):
            x[i] = (p[i] + 1e-3) * ps[i]
            v1 = fn(x)
            x[i] = (p[i] - 1e-3) * ps[i]
            v2 = fn(x)
            g.append((v1 - v2) / (2 * 1e-3))
            if not math.isfinite(g[i]):
                raise FloatingPointError
            x[i] = p[i] * ps[i]
        return g

    try:
        b = [a / s for a, s in zip(par, ps, strict=True)]
        fval = f(b)
        if not math.isfinite(fval):
            return None
        fmin = fval
        g = grad(b)
        iters = gradcount = ilast = 1
        while True:
            if ilast == gradcount:
                hinv = [[float(i == j) for j in range(n)] for i in range(n)]
            x0, g0 = list(b), list(g)
            t = [-sum_left(hinv[i], g) for i in range(n)]
            gradproj = sum_left(t, g)
            if gradproj < 0:
                step, accept = 1.0, False
                while True:
                    b = [x0[i] + step * t[i] for i in range(n)]
                    count = sum(10.0 + x0[i] == 10.0 + b[i] for i in range(n))
                    if count < n:
                        fval = f(b)
                        accept = math.isfinite(fval) and fval <= fmin + gradproj * step * 1e-4
                        if not accept:
                            step *= 0.2
                    if count == n or accept:
                        break
                if not (fval > -math.inf and abs(fval - fmin) > 1e-7 * (abs(fmin) + 1e-7)):
                    count, fmin = n, fval
                if count < n:
                    fmin = fval
                    g = grad(b)
                    gradcount += 1
                    iters += 1
                    t = [step * a for a in t]
                    y = [g[i] - g0[i] for i in range(n)]
                    d1 = sum_left(t, y)
                    if d1 > 0:
                        hy = [sum_left(hinv[i], y) for i in range(n)]
                        d2 = 1.0 + sum_left(hy, y) / d1
                        for i in range(n):
                            for j in range(i + 1):
                                hinv[i][j] += (d2 * t[i] * t[j] - hy[i] * t[j] - t[i] * hy[j]) / d1
                                hinv[j][i] = hinv[i][j]
                    else:
                        ilast = gradcount
                elif ilast < gradcount:
                    count, ilast = 0, gradcount
            else:
                count = n if ilast == gradcount else 0
                ilast = gradcount
            if iters >= 500:
                break
            if gradcount - ilast > 2 * n:
                ilast = gradcount
            if count == n and ilast == gradcount:
                break
        result = [a * s for a, s in zip(b, ps, strict=True)]
        dpar = [a / s for a, s in zip(result, ps, strict=True)]  # optimhess
        for i in range(n):
            eps = 1e-3 / ps[i]
            dpar[i] = dpar[i] + eps
            grad(dpar)
            dpar[i] = dpar[i] - 2 * eps
            grad(dpar)
            dpar[i] = dpar[i] + eps
        return result, iters
    except FloatingPointError:
        return None


def sum_left(a, b) -> float:
    s = 0.0
    for x, y in zip(a, b, strict=True):
        s += x * y
    return s


def _drm(kind: str, x: list[float], y: list[float], fixed: list[float]):
    """One drm() call (start values, optim, scale back); None on failure."""
    dscale = rscale = 1.0
    if kind == "LL.4":

        def factor(vals):
            f = 10.0 ** math.floor(math.log10(m)) if (m := float(np.median(vals))) > 0 else 0.0
            return f if f >= 1e-15 else 1.0

        dscale, rscale = factor(x), factor(y)
    xs = [a / dscale for a in x]
    ys = [a / rscale for a in y]
    fx = [math.nan, fixed[1] / rscale, fixed[2] / rscale, math.nan]
    lo, hi = min(ys), max(ys)
    c0, d0 = lo - 0.001 * (hi - lo), hi + 0.001 * (hi - lo)
    rows = [
        (_log(a) if kind == "LL.4" else a, _log((d0 - b) / (b - c0)))
        for a, b in zip(xs, ys, strict=True)
        if (a > 0 or kind == "L.4")
    ]
    rows = [r for r in rows if not math.isnan(r[1])]
    if any(math.isinf(r[1]) for r in rows):
        return None
    coef = _r_lm([r[0] for r in rows], [r[1] for r in rows])
    if coef is None:
        return None
    a0, b0 = coef
    start = [b0, c0, d0, _exp(-a0 / b0) if kind == "LL.4" else -a0 / b0]
    free = [k for k in range(4) if math.isnan(fx[k])]

    def rss(p):
        q = list(fx)
        for k, v in zip(free, p, strict=True):
            q[k] = v
        res = [b - _curve(kind, a, *q) for a, b in zip(xs, ys, strict=True)]
        return _r_sum(r * r for r in res)  # drc's robustFct: x * x

    if not all(math.isfinite(start[k]) for k in free):
        return None
    res = _r_optim_bfgs(rss, [start[k] for k in free])
    if res is None:
        return None
    q = list(fixed)
    for k, v in zip(free, res[0], strict=True):
        q[k] = v * (1.0, rscale, rscale, dscale)[k]
    return q, res[1]


def reference_fit(conc, resp, fixed_c=math.nan, fixed_d=math.nan):
    """SynergyFinder's FitDoseResponse: (status, [b, c, d, e], iterations)."""
    pts = [(a, b) for a, b in zip(conc, resp, strict=True) if not (np.isnan(a) or np.isnan(b))]
    x = [p[0] for p in pts]
    y = [p[1] for p in pts]
    if len(set(y)) == 1:
        y[-1] = y[-1] + 1e-10
    fixed = [math.nan, fixed_c, fixed_d, math.nan]
    out = _drm("LL.4", x, y, fixed)
    if out is not None:
        return drc.OK, out[0], out[1]
    out = _drm("L.4", [math.log(a if a != 0 else 1e-10) for a in x], y, fixed)
    if out is not None:
        return drc.L4_FALLBACK, out[0], out[1]
    return drc.FAILED, [math.nan] * 4, 0


# --- curves ---------------------------------------------------------------------------------

CURVES = [  # (conc, response, fixed_c): SynergyFinder examples and edge cases
    ([0, 0.0325, 0.08, 0.2, 0.5], [-0.000626, 2.371026, 10.368144, 27.062045, 60.77337], None),
    ([0, 0.223, 0.775, 2.75, 10.0], [-0.000626, 2.127464, 2.268122, 24.505645, 44.475959], None),
    (  # sf_mathews block 1 ispinesib: drc's flat local optimum (b > 0, e ~ 2e17)
        [0, 9.7656, 39.0626, 156.25, 625, 2500],
        [-22.956184, 59.22438, 60.245686, 60.76255, 60.62738, 54.209366],
        None,
    ),
    (
        [0, 0.1954, 0.7812, 3.125, 12.5, 50],
        [53.019165, 58.9566, 64.31239, 67.29226, 66.19142, 86.71329],
        53.019165,
    ),
    ([0, 1, 3, 10, 30, 100], [5.0, 12.0, 35.0, 71.0, 88.0, 93.0], 5.0),
    ([0, 0, 5, 5], [1.0, 2.0, 40.0, 44.0], None),  # one positive dose: LL.4 fails -> L.4
    ([1, 2, 4, 8, 16], [70.0, 50.0, 30.0, 20.0, 15.0], None),  # falling, no zero dose
]


def _batch(curves):
    width = max(len(c[0]) for c in curves)
    conc = np.full((len(curves), width), np.nan)
    resp = np.full((len(curves), width), np.nan)
    fixed = np.full(len(curves), np.nan)
    for i, (x, y, fc) in enumerate(curves):
        conc[i, : len(x)] = x
        resp[i, : len(y)] = y
        fixed[i] = np.nan if fc is None else fc
    return conc, resp, fixed


def _kernel(conc, resp, fixed_c, fixed_d=None):
    fixed_d = np.full(conc.shape[0], np.nan) if fixed_d is None else fixed_d
    return drc.fit_drc_batch(conc, resp, fixed_c, fixed_d, 1e-10, True)


@needs_x87
def test_kernel_matches_plain_python_reference():
    conc, resp, fixed = _batch(CURVES)
    params, _sse, n_iter, status = _kernel(conc, resp, fixed)
    for i, (x, y, fc) in enumerate(CURVES):
        ref_status, ref_params, ref_iter = reference_fit(x, y, np.nan if fc is None else fc)
        assert status[i] == ref_status, i
        assert n_iter[i] == ref_iter, i
        np.testing.assert_allclose(params[i], ref_params, rtol=1e-13, atol=0, err_msg=str(i))
    assert status[5] == drc.L4_FALLBACK
    assert params[2, 0] > 0 and params[2, 3] > 1e15  # the ispinesib collapse


@needs_x87
@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.floats(-1e6, 1e6, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-100),
        min_size=1,
        max_size=12,
    )
)
def test_r_sum_emulation_matches_long_double(values):
    sq = np.array(values) ** 2
    arr = np.array(values)
    assert drc.ld_sum(sq) == _r_sum(sq)
    assert drc.ld_sum(arr) == _r_sum(arr)


@needs_x87
def test_r_sum_emulation_near_binade_edges():
    rng = np.random.default_rng(7)
    for _ in range(3000):
        k = rng.integers(2, 9)
        v = np.ldexp(1.0, int(rng.integers(-3, 4))) * (1 + rng.integers(-3, 4, k) * 2.0**-52)
        v = v * rng.choice([1.0, -1.0, 2.0**-11, 2.0**-63], k)
        assert drc.ld_sum(v) == _r_sum(v)


def test_start_regression_is_least_squares():
    rng = np.random.default_rng(3)
    for m in (2, 3, 5, 9):
        u = np.log(np.sort(rng.uniform(0.01, 100, m)))
        v = rng.normal(size=m)
        a, b, ok = r_arith.lm_line(u, v, True)
        ref = np.linalg.lstsq(np.c_[np.ones(m), u], v, rcond=None)[0]
        assert ok
        np.testing.assert_allclose([a, b], ref, rtol=1e-10, atol=1e-12)
        assert r_arith.lm_line(u, v, True)[:2] == tuple(_r_lm(list(u), list(v)))
        classic = r_arith.lm_line(u, v, False)  # reference BLAS dnrm2 before LAPACK 3.10
        np.testing.assert_allclose(classic[:2], ref, rtol=1e-10, atol=1e-12)
    assert not r_arith.lm_line(np.array([0.3, 0.3, 0.3]), np.array([1.0, 2.0, 3.0]), True)[2]
    assert not r_arith.lm_line(np.array([0.3]), np.array([1.0]), True)[2]


def test_status_codes_and_missing_points():
    conc = np.array(
        [
            [0, 1, 2, np.nan, 4, 8],
            [0, 1, 2, 3, 4, 8],
            [0, 1, 2, 3, 4, 8],
            [0, 1, np.nan, np.nan, np.nan, np.nan],
            [0, 0, 0, 0, np.nan, np.nan],
            [0, 1, 2, 3, 4, 8],
            [0, 1, 2, 3, 4, 8],
        ]
    )
    resp = np.array(
        [
            [1, 5, 20, 99, 60, 80],  # 99 sits at a NaN dose: dropped
            [1, 5, 20, np.inf, 60, 80],
            [1, 5, 20, 40, 60, 80],
            [1, 5, 20, 40, 60, 80],  # only 2 points with a dose
            [1, 5, 20, 40, np.nan, np.nan],  # no positive dose, all ln-doses equal
            [7, 7, 7, 7, 7, 7],  # all equal: 1e-10 is added to the last one
            [1, 5, 20, 40, 60, 80],
        ],
        dtype=float,
    )
    fixed_c = np.array([np.nan, np.nan, -np.inf, np.nan, np.nan, np.nan, 1.0])
    params, sse, _it, status = _kernel(conc, resp, fixed_c)
    assert list(status[1:3]) == [drc.NON_FINITE_DATA] * 2
    assert status[4] == drc.FAILED
    assert status[0] in (drc.OK, drc.L4_FALLBACK) and status[6] in (drc.OK, drc.L4_FALLBACK)
    assert params[6, 1] == 1.0  # a fixed c is returned as given
    dropped = _kernel(
        conc[:1, [0, 1, 2, 4, 5]].copy(), resp[:1, [0, 1, 2, 4, 5]].copy(), fixed_c[:1].copy()
    )
    np.testing.assert_array_equal(params[0], dropped[0][0])
    assert np.isfinite(params[5]).all() and sse[5] < 1e-18
    assert np.isnan(params[1:3]).all() and np.isnan(params[4]).all()
    too_few = _kernel(np.array([[3.0, np.nan]]), np.array([[1.0, 2.0]]), np.array([np.nan]))
    assert too_few[3][0] == drc.TOO_FEW_POINTS


@needs_x87
def test_point_order_is_kept_and_batch_position_does_not_matter():
    conc, resp, fixed = _batch(CURVES[:5])
    params, _sse, _n_iter, status = _kernel(conc, resp, fixed)
    rng = np.random.default_rng(0)
    order = rng.permutation(conc.shape[0])
    moved = _kernel(conc[order].copy(), resp[order].copy(), fixed[order].copy())
    np.testing.assert_array_equal(moved[0], params[order])
    np.testing.assert_array_equal(moved[3], status[order])
    # points are used in the given order (R's QR and sums see them that way): reversed
    # curves equal the reference on the reversed data; well-posed fits barely move, but
    # sf_oneil's MK-1775 (210 iterations along a flat valley) ends 4 % away
    rev = _kernel(conc[:, ::-1].copy(), resp[:, ::-1].copy(), fixed)
    for i in (0, 1, 4):
        x, y, fc = CURVES[i]
        ref = reference_fit(x[::-1], y[::-1], np.nan if fc is None else fc)
        np.testing.assert_allclose(rev[0][i], ref[1], rtol=1e-13)
    np.testing.assert_allclose(rev[0][[1, 4]], params[[1, 4]], rtol=1e-6)
    assert np.abs(rev[0][0] / params[0] - 1).max() > 0.01


def test_predict_follows_drc_at_zero_dose_and_l4_substitution():
    params = np.array([[-1.5, 2.0, 90.0, 3.0], [0.8, 10.0, 70.0, 5.0], [-2.0, 1.0, 50.0, 0.5]])
    status = np.array([drc.OK, drc.OK, drc.L4_FALLBACK])
    conc = np.array([[0.0, 3.0, 1e9], [0.0, 5.0, 1e9], [0.0, math.exp(0.5), 1e9]])
    pred = drc.predict_drc_batch(params, status, conc, 1e-10)
    assert pred[0, 0] == 2.0 and pred[1, 0] == 70.0  # b < 0 -> c, b > 0 -> d at dose 0
    np.testing.assert_allclose(pred[:, 1], [46.0, 40.0, 25.5], rtol=1e-14)
    l4_zero = 1.0 + 49.0 / (1.0 + math.exp(-2.0 * (math.log(1e-10) - 0.5)))
    assert pred[2, 0] == pytest.approx(l4_zero, rel=1e-14)
