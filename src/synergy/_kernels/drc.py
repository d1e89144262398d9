"""Batched replica of drc's LL.4 fit as SynergyFinder 3 calls it (numba).

``drc::drm(response ~ dose, fct = LL.4(fixed = c(NA, c, d, NA)))`` (drc 3.0-1) with R's
``optim(method = "BFGS")``, curve by curve (:func:`fit_drc_batch`: one thread for small
batches, ``prange`` over chunks of curves for large ones).  Model (``f = 1``)::

    LL.4:  y = c + (d - c) / (1 + exp(b * log(x / e)))     x = dose
    L.4 :  y = c + (d - c) / (1 + exp(b * (x - e)))        x = ln(dose), dose 0 -> zero_dose

Procedure per curve (facts from drc's ``drm``, ``llogistic.ssf``, ``findcd``, ``findbe1``,
``drmOpt`` and R's ``optim``/``vmmin``/``optimhess``; see ``docs/synergyfinder.md`` §2):

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

Bit-level facts that matter (each moved SynergyFinder's fits when wrong): R's ``sum`` and
``lm`` (:mod:`synergy._kernels.r_arith`); drc squares residuals as ``x * x``; ``exp``/``log``
are glibc's (other libms may differ in rare last bits).  The slow, obvious reference is a
plain-Python transcription in ``tests/_kernels/test_drc.py``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from synergy._kernels.drc_optim import _LL4, optimhess_ok, rss, vmmin
from synergy._kernels.r_arith import ld_sum, lm_line

__all__ = [
    "FAILED",
    "L4_FALLBACK",
    "NON_FINITE_DATA",
    "OK",
    "PARALLEL_MIN_CURVES",
    "TOO_FEW_POINTS",
    "fit_drc_batch",
    "fit_drc_range",
    "ld_sum",
    "predict_drc_batch",
]

OK = 0
L4_FALLBACK = 1
FAILED = 2
TOO_FEW_POINTS = 3
NON_FINITE_DATA = 4

PARALLEL_MIN_CURVES = 2048
"""Batches from this size run on all cores (smaller ones: one thread, ~0.1 ms per curve, and
no parallel variant to compile on the first run)."""
_CHUNK = 16  # curves per parallel task

_L4 = 1.0  # model flags (float64, one numba specialisation): _LL4 = 0.0 in drc_optim


@njit(cache=True, error_model="numpy", inline="always")
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
    a0, b0, ok = lm_line(u[:m], v[:m], lapack310)
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
    ok, iterations = vmmin(kind, xs, ys, qf, idx, p, ps)
    if not ok:
        return False, iterations
    par = np.empty(m)
    for k in range(m):
        par[k] = p[k] * ps[k]
    if not optimhess_ok(kind, xs, ys, qf, idx, par, ps):
        return False, iterations
    for k in range(4):
        out[k] = qf[k]
    for k in range(m):
        out[idx[k]] = par[k]
    return True, iterations


@njit(cache=True, error_model="numpy", inline="always")
def _median(values):
    # insertion sort: a handful of points, and np.sort's quicksort costs ~2 s to compile
    s = values.copy()
    for i in range(1, s.shape[0]):
        v = s[i]
        j = i - 1
        while j >= 0 and s[j] > v:
            s[j + 1] = s[j]
            j -= 1
        s[j + 1] = v
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


@njit(cache=True, error_model="numpy", inline="always")
def _fixed_values(c, d):
    """(NaN, c, d, NaN): drc's ``fixed`` (np.array of a list compiles list machinery)."""
    qf = np.empty(4)
    qf[0] = math.nan
    qf[1] = c
    qf[2] = d
    qf[3] = math.nan
    return qf


@njit(cache=True, error_model="numpy", inline="always")
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
    qf = _fixed_values(fc / resp_scale, fd / resp_scale)
    q = np.empty(4)
    sx = np.empty(n)  # element loops: an array expression compiles numba's ufunc machinery
    sy = np.empty(n)
    for i in range(n):
        sx[i] = xs[i] / dose_scale
        sy[i] = ys[i] / resp_scale
    ok, iterations = _fit_model(_LL4, sx, sy, qf, lapack310, q)
    if ok:
        out[0] = q[0]
        out[1] = fc if not math.isnan(fc) else q[1] * resp_scale
        out[2] = fd if not math.isnan(fd) else q[2] * resp_scale
        out[3] = q[3] * dose_scale
        return OK, iterations, rss(_LL4, xs, ys, out)
    # L.4 fallback on log dose, no scaling
    lx = np.empty(n)
    for i in range(n):
        lx[i] = np.log(xs[i] if xs[i] != 0.0 else zero_dose)
    qf = _fixed_values(fc, fd)
    ok, iterations = _fit_model(_L4, lx, ys, qf, lapack310, q)
    if ok:
        for k in range(4):
            out[k] = q[k]
        return L4_FALLBACK, iterations, rss(_L4, lx, ys, out)
    return FAILED, iterations, math.nan


@njit(cache=True, error_model="numpy")
def fit_drc_range(
    i0, i1, conc, response, fixed_c, fixed_d, zero_dose, lapack310, params, sse, n_iter, status
):
    """Fit curves ``i0 .. i1 - 1`` into ``params``, ``sse``, ``n_iter``, ``status`` (in place;
    arguments as :func:`fit_drc_batch`, outputs pre-filled with NaN, NaN, 0, 0)."""
    q = np.empty(4)
    for i in range(i0, i1):
        for k in range(4):
            q[k] = np.nan
        st, it, s = _fit_one(conc[i], response[i], fixed_c[i], fixed_d[i], zero_dose, lapack310, q)
        status[i] = st
        n_iter[i] = it
        sse[i] = s
        if st in (OK, L4_FALLBACK):
            for k in range(4):
                params[i, k] = q[k]


@njit(cache=True, parallel=True, error_model="numpy")
def _fit_drc_parallel(
    conc, response, fixed_c, fixed_d, zero_dose, lapack310, params, sse, n_iter, status
):
    """:func:`fit_drc_range` on all cores, ``prange`` over chunks of curves."""
    n_curves = conc.shape[0]
    for c in prange((n_curves + _CHUNK - 1) // _CHUNK):
        i0 = np.int64(c * _CHUNK)
        i1 = np.int64(min(n_curves, (c + 1) * _CHUNK))
        fit_drc_range(
            i0, i1, conc, response, fixed_c, fixed_d, zero_dose, lapack310,
            params, sse, n_iter, status,
        )  # fmt: skip


def fit_drc_batch(conc, response, fixed_c, fixed_d, zero_dose, lapack310):
    """Fit N curves the way drc/SynergyFinder does.

    Batches of :data:`PARALLEL_MIN_CURVES` curves or more run on all cores; smaller ones on
    one thread (same numbers), which spares the first run the compilation of the parallel
    variant (a few seconds).

    Parameters
    ----------
    conc, response : (N, P) float64, C-contiguous
        Doses (any unit, >= 0) and responses; NaN marks a missing point.
    fixed_c, fixed_d : (N,) float64, C-contiguous
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
    args = (conc, response, fixed_c, fixed_d, float(zero_dose), bool(lapack310))
    if n_curves >= PARALLEL_MIN_CURVES:
        _fit_drc_parallel(*args, params, sse, n_iter, status)
    else:
        fit_drc_range(0, n_curves, *args, params, sse, n_iter, status)
    return params, sse, n_iter, status


@njit(cache=True, error_model="numpy")
def predict_drc_batch(params, status, conc, zero_dose):
    """Evaluate fitted curves: (N, 4) params, (N,) status, (N, Q) doses -> (N, Q).

    LL.4 rows use drc's formula (dose 0 gives c for b < 0 and d for b > 0); L.4 rows
    evaluate at ln(dose) with dose 0 replaced by ``zero_dose``.
    """
    out = np.empty(conc.shape)  # every element is written below
    for i in range(conc.shape[0]):
        b, c, d, e = params[i, 0], params[i, 1], params[i, 2], params[i, 3]
        for j in range(conc.shape[1]):
            x = conc[i, j]
            if status[i] == L4_FALLBACK:
                z = b * (np.log(x if x != 0.0 else zero_dose) - e)
            else:
                z = b * np.log(x / e)
            out[i, j] = c + (d - c) / (1.0 + np.exp(z))
    return out
