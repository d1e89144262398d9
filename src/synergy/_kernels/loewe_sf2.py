"""SynergyFinder 2's Loewe solver for one combination well (numba).

SynergyFinder 2.0 (``R/calculate_synergy_score.R``: ``Loewe``, ``eq.LL4.LL4``, ``fun``;
the version DrugComb's pipeline TidyComb calls) finds the Loewe reference ``y`` of a well
with doses ``x1`` (column drug) and ``x2`` (row drug) as the root of

    g(y) = x1 / X1(y) + x2 / X2(y) − 1,   Xi(y) = e_i · ((y − d_i) / (c_i − y)) ** (1 / b_i)

(drc's LL.4 coefficients ``b, c, d, e``; R's ``^``, so ``g`` is NaN wherever ``y`` lies
outside the range between ``c_i`` and ``d_i`` of either drug), by
``nleqslv(max(c_1, c_2) + 1, g, method = "Newton")`` with every other setting at its
default.  The well is *solved* when nleqslv ends with code 1 (``|g| ≤ 1e-8``) or 2 (two
iterates within 1e-8, whatever ``g``); otherwise — the start is NaN (nleqslv stops with an
error), a finite-difference step lands on NaN (another error), or the trust region
collapses (code 3) — the reference falls back to ``max_i fi(x1 + x2)``.  Either value is
capped at 100.

A drug whose fitted curve is flat (``c ≈ d``, a range narrower than 1 % point) makes the
start ``max(c) + 1`` NaN, so SynergyFinder 2 falls back at every well, although ``g`` has a
root inside the narrow range: this is why its Loewe departs from the lowest-root
definition on such blocks (often by more than 10 points).

The iteration is nleqslv's Newton method with its default double-dogleg trust region
(Dennis & Schnabel 1996, §6.4), written out for one unknown, where the dogleg reduces to
the Newton step shortened to the trust radius:

* Jacobian by forward difference, step ``h = √ε (1 + |y|)``; a non-finite ``g(y + h)`` is
  an error (fallback);
* a non-finite ``g`` at a trial point counts as ``√DBL_MAX`` (the trust region shrinks);
* initial trust radius = the first Newton step's length, no maximum step;
* trust-region update of Dennis & Schnabel's Algorithm A6.4.5 (sufficient decrease
  ``1e-4``, shrink to ``max(0.1 Δ, min(0.5 Δ, quadratic minimiser))``, doubling while the
  quadratic model predicts well), a step shorter than ``btol = 1e-3`` (relative) that does
  not decrease ``½ g²`` ends the search (code 3);
* stop: ``|g| ≤ ftol = 1e-8`` (code 1), relative step ``≤ xtol = 1e-8`` (code 2), a zero
  derivative (code 6), 150 iterations (code 4).

Checked against nleqslv 3.3.4 itself (``benchmarks/bench_sf2_loewe.py``).
"""

from __future__ import annotations

import math

from numba import njit

from synergy._kernels.r_arith import r_pow

__all__ = ["TERM_ERROR", "sf2_g", "sf2_newton"]

#: nleqslv stopped with an error (NaN start, NaN in a finite-difference step)
TERM_ERROR = 999
_EPS = 2.220446049250313e-16
_BIG = math.sqrt(1.7976931348623157e308)  # what nleqslv puts for a non-finite g (n = 1)
_FTOL = 1e-8
_XTOL = 1e-8
_BTOL = 1e-3
_MAXIT = 150
_ALPHA = 1e-4


@njit(cache=True, error_model="numpy")
def sf2_g(y: float, x_col: float, x_row: float, drc_col, drc_row) -> float:
    """``eq.LL4.LL4`` of SynergyFinder 2 at effect ``y`` (NaN outside both curves' ranges).

    ``drc_col``, ``drc_row``: drc's LL.4 coefficients ``(b, c, d, e)``.
    """
    b1, c1, d1, e1 = drc_col[0], drc_col[1], drc_col[2], drc_col[3]
    b2, c2, d2, e2 = drc_row[0], drc_row[1], drc_row[2], drc_row[3]
    t1 = x_col / (e1 * r_pow((y - d1) / (c1 - y), 1.0 / b1))
    t2 = x_row / (e2 * r_pow((y - d2) / (c2 - y), 1.0 / b2))
    return t1 + t2 - 1.0


@njit(cache=True, error_model="numpy")
def sf2_newton(x_col: float, x_row: float, drc_col, drc_row):
    """nleqslv's Newton/double-dogleg iteration on :func:`sf2_g` from ``max(c) + 1``.

    Returns
    -------
    y : float
        The last iterate (NaN after an error).
    termcd : int
        nleqslv's termination code (1 and 2 are accepted by SynergyFinder 2), or
        :data:`TERM_ERROR` when nleqslv stops with an error.
    """
    xc = max(drc_col[1], drc_row[1]) + 1.0
    fc = sf2_g(xc, x_col, x_row, drc_col, drc_row)
    if not math.isfinite(fc):
        return math.nan, TERM_ERROR
    if abs(fc) <= _FTOL:
        return xc, 1
    p = math.sqrt(max(10.0 ** math.log10(_EPS), _EPS))
    fcnorm = 0.5 * fc * fc
    dlt = -2.0
    for it in range(1, _MAXIT + 1):
        # forward-difference derivative; a NaN here is an error in nleqslv
        xh = xc + (p + p * abs(xc))
        h = xh - xc
        fh = sf2_g(xh, x_col, x_row, drc_col, drc_row)
        if not math.isfinite(fh):
            return math.nan, TERM_ERROR
        jac = (fh - fc) / h
        if jac == 0.0:
            return xc, 6
        dn = -fc / jac
        dnlen = abs(dn)
        grad = jac * fc
        if dlt == -2.0:
            dlt = dnlen
        retcd = 4
        xprev = xc
        fprev = fc
        fpnsav = fcnorm
        xp = xc
        fp = fc
        fpnorm = fcnorm
        while retcd > 1:
            if dnlen <= dlt:
                step = dn
                dlt = dnlen
                newton = True
            else:
                step = dn * (dlt / dnlen)
                newton = False
            model = fc + jac * step
            fpred = 0.5 * model * model
            xp = xc + step
            fp = sf2_g(xp, x_col, x_row, drc_col, drc_row)
            if not math.isfinite(fp):
                fp = _BIG
            fpnorm = 0.5 * fp * fp
            # trust-region update (Dennis & Schnabel A6.4.5)
            ared = fpnorm - fcnorm
            pred = fpred - fcnorm
            slope = grad * step
            if retcd == 3 and (fpnorm >= fpnsav or ared > _ALPHA * slope):
                retcd = 0
                xp = xprev
                fp = fprev
                fpnorm = fpnsav
                dlt = 0.5 * dlt
            elif ared > _ALPHA * slope:
                if abs(step) / max(abs(xp), 1.0) < _BTOL:
                    retcd = 1
                else:
                    retcd = 2
                    dltmp = -slope * abs(step) / (2.0 * (ared - slope))
                    dlt = 0.1 * dlt if dltmp < 0.1 * dlt else min(0.5 * dlt, dltmp)
            elif retcd != 2 and abs(pred - ared) <= 0.1 * abs(ared) and not newton:
                xprev = xp
                fprev = fp
                fpnsav = fpnorm
                dlt = 2.0 * dlt
                retcd = 3
            else:
                retcd = 0
                if ared >= 0.1 * pred:
                    dlt = 0.5 * dlt
                elif ared <= 0.75 * pred:
                    dlt = 2.0 * dlt
        if abs(fp) <= _FTOL:
            return xp, 1
        if retcd == 1:
            return xp, 3
        if abs(xp - xc) / max(abs(xp), 1.0) <= _XTOL:
            return xp, 2
        if it >= _MAXIT:
            return xp, 4
        xc = xp
        fc = fp
        fcnorm = fpnorm
    return xc, 4
