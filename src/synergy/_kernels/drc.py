"""Batched replica of drc's LL.4 fit as SynergyFinder 3 calls it (numba).

``drc::drm(response ~ dose, fct = LL.4(fixed = c(NA, c, d, NA)))`` (drc 3.0-1) with R's
``optim(method = "BFGS")``, curve by curve, ``prange`` over curves.  Model (``f = 1``)::

    LL.4:  y = c + (d - c) / (1 + exp(b * log(x / e)))     x = dose
    L.4 :  y = c + (d - c) / (1 + exp(b * (x - e)))        x = ln(dose), dose 0 -> zero_dose

Procedure per curve (facts from drc's ``drm``, ``llogistic.ssf``, ``findcd``, ``findbe1``,
``drmOpt`` and R's ``optim``/``vmmin``/``optimhess``; see ``SYNERGYFINDER.md`` §2):

1. Points with a NaN dose or response are dropped; the rest are used in the order given
   (SynergyFinder: the row order of its table).  The QR and the sums depend on that order in
   the last bits, which moves fits that crawl along flat valleys.  If all responses are
   equal, ``1e-10`` is added to the last point (``FitDoseResponse``).
2. LL.4 scaling: dose / 10^floor(log10(median dose)), response / 10^floor(log10(median
   response)); a factor is 1 when it is NaN or below ``1e-15``.  Fixed c, d are scaled too.
3. Start: c0 = min - 0.001 range, d0 = max + 0.001 range, least squares of
   ln((d0 - y) / (y - c0)) on ln x (doses > 0; NaN rows dropped) computed as R's ``lm`` does
   (LINPACK ``dqrdc2``/``dqrsl`` Householder QR), b0 = slope, e0 = exp(-intercept / b0)
   (L.4: -intercept / b0 on all points).
4. Objective: residual sum of squares, accumulated in x87 extended precision as R's ``sum``
   does (emulated exactly with double-double arithmetic).
5. ``vmmin`` (Nash's variable metric) on parameters / parscale (parscale = |start|, entries
   below 1e-4 set to 1), central-difference gradient with step 1e-3 in those units,
   ``reltol = 1e-7``, ``maxit = 500``; then ``optimhess`` at the solution.  A non-finite start,
   objective at the start, finite-difference gradient (in ``vmmin`` or in ``optimhess``) or a
   non-finite parameter handed to the objective is an R error -> the fit failed -> the L.4
   fallback (no scaling, same fixed values).

Status codes: ``OK`` (LL.4), ``L4_FALLBACK``, ``FAILED`` (LL.4 and L.4 both failed),
``TOO_FEW_POINTS`` (< 2 points), ``NON_FINITE_DATA`` (an infinite value, a negative dose or
an infinite fixed value).  Parameters are NaN unless the status is OK or L4_FALLBACK.

Bit-level facts that matter (each one moved SynergyFinder's own fits when wrong): R's ``sum``
accumulates in an x87 long double (emulated exactly here with double-double arithmetic);
``lm``'s column norms come from BLAS ``dnrm2`` (LAPACK >= 3.10 version reproduces the
reference outputs; ``lapack310=False`` gives the classic scaled one); drc squares residuals
as ``x * x``; ``exp``/``log`` are the C library's (glibc's FMA code paths on x86-64 reproduce
the reference outputs, other libms may differ in rare last bits).  The slow, obvious
reference is a plain-Python transcription in ``tests/_kernels/test_drc.py``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = [
    "FAILED",
    "L4_FALLBACK",
    "NON_FINITE_DATA",
    "OK",
    "TOO_FEW_POINTS",
    "fit_drc_batch",
    "ld_sum",
    "predict_drc_batch",
]

OK = 0
L4_FALLBACK = 1
FAILED = 2
TOO_FEW_POINTS = 3
NON_FINITE_DATA = 4

# model flag passed as float64 (0.0 = LL.4, 1.0 = L.4) so numba compiles one specialization
_LL4 = 0.0
_L4 = 1.0
_NDEPS = 1e-3  # optim's default finite-difference step (parscale units)
_RELTOL = 1e-7  # drmc() default
_MAXIT = 500  # drmc() default
_STEPREDN = 0.2  # vmmin constants
_ACCTOL = 1e-4
_RELTEST = 10.0
_QR_TOL = 1e-7  # lm's tolerance for dqrdc2


# --- R's sum (x87 long double accumulator), drc's objective, optim's BFGS ------------------
# Written from R's src/appl/optim.c, src/library/stats/src/optim.c and drc's drmEMls.
# One module on purpose: numba's cache does not notice edits to callees in other files.


@njit(cache=True, error_model="numpy")
def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@njit(cache=True, error_model="numpy")
def _ld_add(hi, lo, x):
    """Add double ``x`` to the 64-bit-mantissa value ``hi + lo``, rounding to nearest-even.

    ``hi`` is the double nearest to the extended value and ``lo`` the exact remainder.  The
    exact sum is ``a2 + b2 + e2`` (error-free transformations); ``b2 + e2`` is rounded to the
    64-bit grid of a2's binade with the 1.5 * 2^52 trick, the tail ``e2`` breaking ties.
    """
    a, e1 = _two_sum(hi, x)
    if not math.isfinite(a):
        return a, 0.0
    b, e2 = _two_sum(e1, lo)
    a2, b2 = _two_sum(a, b)
    mag = abs(a2)
    if not 1e-250 < mag < 1e290:  # zero, or near under/overflow (never in practice)
        return _two_sum(a2, b2 + e2)
    q = 4503599627370497.0 * mag  # Rump's ufp: largest power of two <= |a2|
    ufp = abs(q - 0.9999999999999999 * q)
    unit = ufp * 1.0842021724855044e-19  # 2^-63 ufp: the 64-bit spacing in this binade
    rest = b2 if b2 != 0.0 else e2
    if mag == ufp and rest * a2 < 0.0:
        unit *= 0.5  # the exact sum lies in the binade below a2
    big = 6755399441055744.0 * unit  # 1.5 * 2^52 units: (v + big) - big rounds v to the grid
    r = (b2 + big) - big
    d = b2 - r
    if abs(d) == 0.5 * unit:  # b2 is a midpoint: the tail decides, else ties went to even
        if e2 > 0.0 and d > 0.0:
            r += unit
        elif e2 < 0.0 and d < 0.0:
            r -= unit
    return _two_sum(a2, r)


@njit(cache=True, error_model="numpy")
def ld_sum(values):
    """Sum of a 1-D float64 array as R's ``sum`` computes it (x87 long double accumulator)."""
    hi = 0.0
    lo = 0.0
    for v in values:
        hi, lo = _ld_add(hi, lo, v)
    return hi


# --- objective -----------------------------------------------------------------------------


@njit(cache=True, error_model="numpy")
def _rss(kind, xs, ys, q):
    b, c, d, e = q[0], q[1], q[2], q[3]
    hi = 0.0
    lo = 0.0
    for i in range(xs.shape[0]):
        z = b * np.log(xs[i] / e) if kind == _LL4 else b * (xs[i] - e)
        r = ys[i] - (c + (d - c) / (1.0 + np.exp(z)))
        hi, lo = _ld_add(hi, lo, r * r)
    return hi


@njit(cache=True, error_model="numpy")
def _set_params(qf, idx, p, ps, q):
    for k in range(4):
        q[k] = qf[k]
    for k in range(idx.shape[0]):
        q[idx[k]] = p[k] * ps[k]


@njit(cache=True, error_model="numpy")
def _fminfn(kind, xs, ys, qf, idx, p, ps, q):
    """optim's ``fminfn``: returns (value, ok); a non-finite parameter is an R error."""
    for k in range(idx.shape[0]):
        if not math.isfinite(p[k]):
            return math.nan, False
    _set_params(qf, idx, p, ps, q)
    return _rss(kind, xs, ys, q), True


@njit(cache=True, error_model="numpy")
def _fmingr(kind, xs, ys, qf, idx, p, ps, g, q):
    """optim's numerical ``fmingr``; False where a difference is not finite (R error)."""
    _set_params(qf, idx, p, ps, q)
    for i in range(idx.shape[0]):
        j = idx[i]
        q[j] = (p[i] + _NDEPS) * ps[i]
        val1 = _rss(kind, xs, ys, q)
        q[j] = (p[i] - _NDEPS) * ps[i]
        val2 = _rss(kind, xs, ys, q)
        g[i] = (val1 - val2) / (2.0 * _NDEPS)
        if not math.isfinite(g[i]):
            return False
        q[j] = p[i] * ps[i]
    return True


# --- vmmin (Nash's variable metric, as in R's optim "BFGS") -------------------------------


@njit(cache=True, error_model="numpy")
def _vmmin(kind, xs, ys, qf, idx, p, ps):
    """Minimise in place over ``p`` (parscale units).  Returns (ok, iterations)."""
    m = idx.shape[0]
    q = np.empty(4)
    g = np.empty(m)
    t = np.empty(m)
    xk = np.empty(m)
    c = np.empty(m)
    bmat = np.zeros((m, m))
    f, ok = _fminfn(kind, xs, ys, qf, idx, p, ps, q)
    if not ok or not math.isfinite(f):
        return False, 0
    fmin = f
    if not _fmingr(kind, xs, ys, qf, idx, p, ps, g, q):
        return False, 1
    iteration = 1
    gradcount = 1
    ilast = gradcount
    count = 0
    for _guard in range(100 * _MAXIT):
        if ilast == gradcount:
            for i in range(m):
                for j in range(m):
                    bmat[i, j] = 0.0
                bmat[i, i] = 1.0
        for i in range(m):
            xk[i] = p[i]
            c[i] = g[i]
        gradproj = 0.0
        for i in range(m):
            s = 0.0
            for j in range(m):
                s -= bmat[i, j] * g[j]
            t[i] = s
            gradproj += s * g[i]
        if gradproj < 0.0:  # downhill: backtracking line search
            steplength = 1.0
            accpoint = False
            while True:
                count = 0
                for i in range(m):
                    p[i] = xk[i] + steplength * t[i]
                    if _RELTEST + xk[i] == _RELTEST + p[i]:
                        count += 1
                if count < m:
                    f, ok = _fminfn(kind, xs, ys, qf, idx, p, ps, q)
                    if not ok:
                        return False, iteration
                    accpoint = math.isfinite(f) and (f <= fmin + gradproj * steplength * _ACCTOL)
                    if not accpoint:
                        steplength *= _STEPREDN
                if count == m or accpoint:
                    break
            enough = (f > -math.inf) and abs(f - fmin) > _RELTOL * (abs(fmin) + _RELTOL)
            if not enough:
                count = m
                fmin = f
            if count < m:  # progress: new gradient, BFGS update of the inverse Hessian
                fmin = f
                if not _fmingr(kind, xs, ys, qf, idx, p, ps, g, q):
                    return False, iteration
                gradcount += 1
                iteration += 1
                d1 = 0.0
                for i in range(m):
                    t[i] = steplength * t[i]
                    c[i] = g[i] - c[i]
                    d1 += t[i] * c[i]
                if d1 > 0.0:
                    d2 = 0.0
                    for i in range(m):
                        s = 0.0
                        for j in range(m):
                            s += bmat[i, j] * c[j]
                        xk[i] = s
                        d2 += s * c[i]
                    d2 = 1.0 + d2 / d1
                    for i in range(m):
                        for j in range(i + 1):
                            bmat[i, j] += (d2 * t[i] * t[j] - xk[i] * t[j] - t[i] * xk[j]) / d1
                            bmat[j, i] = bmat[i, j]
                else:
                    ilast = gradcount
            elif ilast < gradcount:  # no progress: restart from the identity
                count = 0
                ilast = gradcount
        else:  # uphill: reset unless just reset
            count = 0
            if ilast == gradcount:
                count = m
            else:
                ilast = gradcount
        if iteration >= _MAXIT:
            break
        if gradcount - ilast > 2 * m:
            ilast = gradcount
        if count == m and ilast == gradcount:
            break
    return True, iteration


@njit(cache=True, error_model="numpy")
def _optimhess_ok(kind, xs, ys, qf, idx, par, ps):
    """optim(hessian = TRUE)'s ``optimhess``: only whether it raises matters here."""
    m = idx.shape[0]
    q = np.empty(4)
    g = np.empty(m)
    dpar = np.empty(m)
    for i in range(m):
        dpar[i] = par[i] / ps[i]
    for i in range(m):
        eps = _NDEPS / ps[i]
        dpar[i] = dpar[i] + eps
        if not _fmingr(kind, xs, ys, qf, idx, dpar, ps, g, q):
            return False
        dpar[i] = dpar[i] - 2.0 * eps
        if not _fmingr(kind, xs, ys, qf, idx, dpar, ps, g, q):
            return False
        dpar[i] = dpar[i] + eps
    return True


# --- start values: R's lm (LINPACK dqrdc2 + dqrsl) on [1, u] -------------------------------


@njit(cache=True, error_model="numpy")
def _dnrm2(v, start, m, lapack310):
    """BLAS dnrm2: LAPACK >= 3.10 (plain sum of squares in the normal range) or the
    classic scaled version (reference BLAS before 3.10)."""
    if m < 1:
        return 0.0
    if lapack310:
        acc = 0.0
        normal = True
        for i in range(start, start + m):
            ax = abs(v[i])
            if ax != 0.0 and (ax < 1.4916681462400413e-154 or ax > 1.9979190722022350e146):
                normal = False
            acc += ax * ax
        if normal:
            return math.sqrt(acc)
    if m == 1:
        return abs(v[start])
    scale = 0.0
    ssq = 1.0
    for i in range(start, start + m):
        if v[i] != 0.0:
            ax = abs(v[i])
            if scale < ax:
                r = scale / ax
                ssq = 1.0 + ssq * (r * r)
                scale = ax
            else:
                r = ax / scale
                ssq = ssq + r * r
    return scale * math.sqrt(ssq)


@njit(cache=True, error_model="numpy")
def _ddot(x, y, start, m):
    s = 0.0
    for i in range(start, start + m):
        s = s + x[i] * y[i]
    return s


@njit(cache=True, error_model="numpy")
def _lm_line(u, v, lapack310):
    """Intercept and slope of ``lm(v ~ u)``; ok False where R gives an NA slope."""
    m = u.shape[0]
    if m < 2:
        return math.nan, math.nan, False
    x0 = np.ones(m)
    x1 = u.copy()
    qty = v.copy()
    qraux0 = _dnrm2(x0, 0, m, lapack310)
    qraux1 = _dnrm2(x1, 0, m, lapack310)
    norm1 = qraux1 if qraux1 != 0.0 else 1.0
    # Householder step on column 1 (rows 1..m)
    nrm = _dnrm2(x0, 0, m, lapack310)
    inv = 1.0 / nrm
    for i in range(m):
        x0[i] = inv * x0[i]
    x0[0] = 1.0 + x0[0]
    tt = -_ddot(x0, x1, 0, m) / x0[0]
    for i in range(m):
        x1[i] = x1[i] + tt * x0[i]
    if qraux1 != 0.0:
        r = abs(x1[0]) / qraux1
        w = max(1.0 - r * r, 0.0)
        qraux1 = qraux1 * math.sqrt(w) if abs(w) >= 1e-6 else _dnrm2(x1, 1, m - 1, lapack310)
    qraux0 = x0[0]
    x0[0] = -nrm
    if not qraux1 >= norm1 * _QR_TOL:
        return math.nan, math.nan, False  # column 2 negligible: rank 1, NA slope
    if m > 2:  # Householder step on column 2 (rows 2..m)
        nrm = _dnrm2(x1, 1, m - 1, lapack310)
        if nrm != 0.0:
            if x1[1] != 0.0:
                nrm = math.copysign(nrm, x1[1])
            inv = 1.0 / nrm
            for i in range(1, m):
                x1[i] = inv * x1[i]
            x1[1] = 1.0 + x1[1]
            qraux1 = x1[1]
            x1[1] = -nrm
    # dqrsl: Q'y, then back substitution
    if qraux0 != 0.0:
        temp = x0[0]
        x0[0] = qraux0
        tt = -_ddot(x0, qty, 0, m) / x0[0]
        for i in range(m):
            qty[i] = qty[i] + tt * x0[i]
        x0[0] = temp
    if m > 2 and qraux1 != 0.0:
        temp = x1[1]
        x1[1] = qraux1
        tt = -_ddot(x1, qty, 1, m - 1) / x1[1]
        for i in range(1, m):
            qty[i] = qty[i] + tt * x1[i]
        x1[1] = temp
    if x1[1] == 0.0 or x0[0] == 0.0:
        return math.nan, math.nan, False
    slope = qty[1] / x1[1]
    intercept = (qty[0] + (-slope) * x1[0]) / x0[0]
    return intercept, slope, True


@njit(cache=True, error_model="numpy")
def _start(kind, xs, ys, lapack310, out):
    """drc's self-starter (findcd + findbe1) into ``out`` = (b0, c0, d0, e0); ok flag."""
    n = xs.shape[0]
    ymin = ys[0]
    ymax = ys[0]
    for i in range(1, n):
        ymin = min(ymin, ys[i])
        ymax = max(ymax, ys[i])
    spread = 0.001 * (ymax - ymin)
    c0 = ymin - spread
    d0 = ymax + spread
    u = np.empty(n)
    v = np.empty(n)
    m = 0
    for i in range(n):
        if kind == _LL4:
            if not (xs[i] > 0.0 and math.isfinite(xs[i])):
                continue
            ui = np.log(xs[i])
        else:
            ui = xs[i]
        vi = np.log((d0 - ys[i]) / (ys[i] - c0))
        if math.isnan(vi):
            continue
        if not math.isfinite(vi) or not math.isfinite(ui):
            return False  # lm.fit: NA/NaN/Inf in 'y'
        u[m] = ui
        v[m] = vi
        m += 1
    a0, b0, ok = _lm_line(u[:m], v[:m], lapack310)
    if not ok:
        return False
    out[0] = b0
    out[1] = c0
    out[2] = d0
    out[3] = np.exp(-a0 / b0) if kind == _LL4 else -a0 / b0
    return True


@njit(cache=True, error_model="numpy")
def _fit_model(kind, xs, ys, qf, lapack310, out):
    """One drm() call: start, optim BFGS, Hessian.  ``qf``: fixed values, NaN = free.
    Writes all four parameters to ``out``; returns (ok, iterations)."""
    start = np.empty(4)
    if not _start(kind, xs, ys, lapack310, start):
        return False, 0
    m = 0
    for k in range(4):
        if math.isnan(qf[k]):
            m += 1
    idx = np.empty(m, dtype=np.int64)
    p = np.empty(m)
    ps = np.empty(m)
    j = 0
    for k in range(4):
        if math.isnan(qf[k]):
            idx[j] = k
            ps[j] = abs(start[k])
            if ps[j] < 1e-4:
                ps[j] = 1.0
            p[j] = start[k] / ps[j]
            if not math.isfinite(p[j]):
                return False, 0  # optim: non-finite value supplied
            j += 1
    ok, iterations = _vmmin(kind, xs, ys, qf, idx, p, ps)
    if not ok:
        return False, iterations
    par = np.empty(m)
    for k in range(m):
        par[k] = p[k] * ps[k]
    if not _optimhess_ok(kind, xs, ys, qf, idx, par, ps):
        return False, iterations
    for k in range(4):
        out[k] = qf[k]
    for k in range(m):
        out[idx[k]] = par[k]
    return True, iterations


@njit(cache=True, error_model="numpy")
def _median(values):
    s = np.sort(values)
    h = s.shape[0] // 2
    if s.shape[0] % 2 == 1:
        return s[h]
    return (s[h - 1] + s[h]) / 2.0


@njit(cache=True, error_model="numpy")
def _scale_factor(values):
    f = math.pow(10.0, np.floor(np.log10(_median(values))))
    if math.isnan(f) or f < 1e-15:
        return 1.0
    return f


@njit(cache=True, error_model="numpy")
def _fit_one(conc, resp, fc, fd, zero_dose, lapack310, out):
    """FitDoseResponse for one curve; returns (status, iterations, sse)."""
    npts = conc.shape[0]
    xs = np.empty(npts)
    ys = np.empty(npts)
    n = 0
    bad = math.isinf(fc) or math.isinf(fd)
    for j in range(npts):
        if math.isnan(conc[j]) or math.isnan(resp[j]):
            continue
        if not (math.isfinite(conc[j]) and math.isfinite(resp[j])) or conc[j] < 0.0:
            bad = True
        xs[n] = conc[j]
        ys[n] = resp[j]
        n += 1
    if bad:
        return NON_FINITE_DATA, 0, math.nan
    if n < 2:
        return TOO_FEW_POINTS, 0, math.nan
    xs = xs[:n]
    ys = ys[:n]
    all_equal = True
    for i in range(1, n):
        if ys[i] != ys[0]:
            all_equal = False
    if all_equal:
        ys[n - 1] = ys[n - 1] + 1e-10
    # LL.4 on scaled dose and response
    dose_scale = _scale_factor(xs)
    resp_scale = _scale_factor(ys)
    qf = np.array([math.nan, fc / resp_scale, fd / resp_scale, math.nan])
    q = np.empty(4)
    ok, iterations = _fit_model(_LL4, xs / dose_scale, ys / resp_scale, qf, lapack310, q)
    if ok:
        out[0] = q[0]
        out[1] = fc if not math.isnan(fc) else q[1] * resp_scale
        out[2] = fd if not math.isnan(fd) else q[2] * resp_scale
        out[3] = q[3] * dose_scale
        return OK, iterations, _rss(_LL4, xs, ys, out)
    # L.4 fallback on log dose, no scaling
    lx = np.empty(n)
    for i in range(n):
        lx[i] = np.log(xs[i] if xs[i] != 0.0 else zero_dose)
    qf = np.array([math.nan, fc, fd, math.nan])
    ok, iterations = _fit_model(_L4, lx, ys, qf, lapack310, q)
    if ok:
        for k in range(4):
            out[k] = q[k]
        return L4_FALLBACK, iterations, _rss(_L4, lx, ys, out)
    return FAILED, iterations, math.nan


@njit(cache=True, parallel=True, error_model="numpy")
def fit_drc_batch(conc, response, fixed_c, fixed_d, zero_dose, lapack310):
    """Fit N curves the way drc/SynergyFinder does.

    Parameters
    ----------
    conc, response : (N, P) float64
        Doses (any unit, >= 0) and responses; NaN marks a missing point.
    fixed_c, fixed_d : (N,) float64
        Fixed values of drc's c and d (response units); NaN = free.
    zero_dose : float
        Dose substituted for 0 in the L.4 fallback (same unit as ``conc``).
    lapack310 : bool
        Use BLAS dnrm2 of LAPACK >= 3.10 (True) or the classic one in the start values.

    Returns
    -------
    params : (N, 4) float64
        b, c, d, e (for L.4 fits e is ln EC50); NaN unless status is OK or L4_FALLBACK.
    sse : (N,) float64
        Residual sum of squares in response units.
    n_iter : (N,) int64
        vmmin iterations (gradient evaluations) of the fit that was kept.
    status : (N,) int64
        OK, L4_FALLBACK, FAILED, TOO_FEW_POINTS or NON_FINITE_DATA.
    """
    n_curves = conc.shape[0]
    params = np.full((n_curves, 4), np.nan)
    sse = np.full(n_curves, np.nan)
    n_iter = np.zeros(n_curves, dtype=np.int64)
    status = np.zeros(n_curves, dtype=np.int64)
    for i in prange(n_curves):
        out = np.full(4, np.nan)
        st, it, s = _fit_one(
            conc[i], response[i], fixed_c[i], fixed_d[i], zero_dose, lapack310, out
        )
        status[i] = st
        n_iter[i] = it
        sse[i] = s
        if st in (OK, L4_FALLBACK):
            for k in range(4):
                params[i, k] = out[k]
    return params, sse, n_iter, status


@njit(cache=True, parallel=True, error_model="numpy")
def predict_drc_batch(params, status, conc, zero_dose):
    """Evaluate fitted curves: (N, 4) params, (N,) status, (N, Q) doses -> (N, Q).

    LL.4 rows use drc's formula (dose 0 gives c for b < 0 and d for b > 0); L.4 rows
    evaluate at ln(dose) with dose 0 replaced by ``zero_dose``.
    """
    out = np.full(conc.shape, np.nan)
    for i in prange(conc.shape[0]):
        b, c, d, e = params[i, 0], params[i, 1], params[i, 2], params[i, 3]
        for j in range(conc.shape[1]):
            x = conc[i, j]
            if status[i] == L4_FALLBACK:
                z = b * (np.log(x if x != 0.0 else zero_dose) - e)
            else:
                z = b * np.log(x / e)
            out[i, j] = c + (d - c) / (1.0 + np.exp(z))
    return out
