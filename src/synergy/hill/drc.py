"""``fitter="drc"``: drc's LL.4 fitting procedure as SynergyFinder 3 calls it, batched.

SynergyFinder 3 fits every dose-response curve (single drugs, ZIP slices) with
``drc::drm(response ~ dose, fct = LL.4(fixed = c(NA, Emin, Emax, NA)))`` and falls back to
``L.4`` on ln(dose) (dose 0 -> 1e-10) when drc fails.  drc's fits are local optima of a
particular procedure (scaling, self-starter, R's BFGS with central differences), often not
the least-squares optimum; reproducing SynergyFinder's numbers requires this procedure
(``docs/synergyfinder.md`` §2, ``docs/design.md`` §6.23).  :func:`fit_drc` replicates it in one
parallel numba kernel (:mod:`synergy._kernels.drc`) for any number of curves.

Model (drc's parameters, ``f = 1``)::

    LL.4:  y(x) = c + (d - c) / (1 + exp(b * (ln x - ln e)))      x = dose, e = EC50
    L.4 :  y(x) = c + (d - c) / (1 + exp(b * (ln x - e)))          e = ln EC50

``b < 0`` is a curve rising with dose from ``c`` (at x = 0) to ``d``; drc also returns
``b > 0`` fits, where ``c`` is the high-dose level.  References: Ritz C, Baty F, Streibig JC,
Gerhard D (2015) Dose-Response Analysis Using R, PLoS ONE 10:e0146021 (drc 3.0-1); Nash JC
(1990) Compact Numerical Methods for Computers, Algorithm 21 (R's ``optim`` BFGS); Zheng S
et al. (2022) SynergyFinder 3.0, Nucleic Acids Res 50:W739.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from synergy import status as status_codes
from synergy._kernels import drc as _k
from synergy.errors import SynergyError

__all__ = ["STATUS_MEANINGS", "ZERO_DOSE", "DrcFit", "fit_drc"]

ZERO_DOSE = 1e-10
"""Dose substituted for 0 in SynergyFinder's L.4 fallback (in the caller's dose unit)."""

STATUS_MEANINGS = status_codes.meanings("drc")  # words and explanations: synergy.status
"""Status codes of :class:`DrcFit`: 0 LL.4 fitted; 1 LL.4 failed, L.4 fallback fitted;
2 both failed (SynergyFinder would stop with an error); 3 fewer than 2 points;
4 an infinite value, a negative dose or an infinite fixed value."""


@dataclass(frozen=True, eq=False)
class DrcFit:
    """drc fits of N curves (every array has shape ``(N,)``).

    Attributes
    ----------
    b, c, d, e : ndarray of float
        drc's parameters: slope ``b`` (dimensionless), asymptotes ``c`` and ``d`` (response
        units; fixed values are returned as given), ``e`` the EC50 (dose unit) — where ``l4``
        is True, ``e`` is ln(EC50) (ln of the dose unit).  NaN where the fit failed.
    l4 : ndarray of bool
        True where the L.4 fallback on ln(dose) was used.
    sse : ndarray of float
        Residual sum of squares (response units squared) of the kept fit.
    n_iter : ndarray of int
        BFGS iterations (gradient evaluations) of the kept fit.
    status : ndarray of int
        See :data:`STATUS_MEANINGS`.
    zero_dose : float
        Dose standing for 0 in L.4 predictions (dose unit).
    """

    b: np.ndarray
    c: np.ndarray
    d: np.ndarray
    e: np.ndarray
    l4: np.ndarray
    sse: np.ndarray
    n_iter: np.ndarray
    status: np.ndarray
    zero_dose: float = ZERO_DOSE

    @property
    def params(self) -> np.ndarray:
        """(N, 4) array of ``b, c, d, e``."""
        return np.stack([self.b, self.c, self.d, self.e], axis=-1)

    def predict(self, conc: ArrayLike) -> np.ndarray:
        """Fitted responses at ``conc``.

        Parameters
        ----------
        conc : array_like, shape (N, Q) or (Q,)
            Doses (dose unit, >= 0); a 1-D array is used for every curve.  NaN gives NaN.

        Returns
        -------
        ndarray, shape (N, Q)
            Responses (response units).  LL.4 rows follow drc at dose 0 (``c`` for b < 0,
            ``d`` for b > 0); L.4 rows evaluate at ln(dose) with 0 replaced by ``zero_dose``,
            as SynergyFinder predicts.  NaN rows where the fit failed.
        """
        n = self.b.shape[0]
        x = np.asarray(conc, dtype=np.float64)
        if x.ndim == 1:
            x = np.broadcast_to(x, (n, x.shape[0]))
        if x.ndim != 2 or x.shape[0] != n:
            raise SynergyError(f"conc must have shape ({n}, Q) or (Q,), got {x.shape}")
        return _k.predict_drc_batch(
            np.ascontiguousarray(self.params),
            np.ascontiguousarray(self.status, dtype=np.int64),
            np.ascontiguousarray(x, dtype=np.float64),
            float(self.zero_dose),
        )

    def to_hill(self) -> dict[str, np.ndarray]:
        """The fits in the toolkit's Hill parametrisation (``docs/design.md`` §3).

        ``E(x) = bottom + (top - bottom) / (1 + (ic50 / x) ** hill_slope)`` with
        ``hill_slope >= 0``: ``b < 0`` maps to ``(-b, c, d, e)``, ``b > 0`` to ``(b, d, c, e)``
        (``b = 0``: slope 0, bottom = top = (c + d) / 2); for L.4 fits ``ic50 = exp(e)``
        (dose unit).  Same conversion as :func:`synergy.hill.model.from_drc`.

        Returns
        -------
        dict
            ``ic50`` (dose unit), ``hill_slope`` (dimensionless), ``bottom`` and ``top``
            (response units), each an (N,) array.
        """
        from synergy.hill.model import from_drc

        ic50, slope, bottom, top = from_drc(self.b, self.c, self.d, self.e, log_e=self.l4)
        return {"ic50": ic50, "hill_slope": slope, "bottom": bottom, "top": top}


def _per_curve(value: ArrayLike | None, n: int, name: str) -> np.ndarray:
    if value is None:
        return np.full(n, np.nan)
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise SynergyError(f"{name} must be a scalar or have shape ({n},), got {arr.shape}")
    return np.ascontiguousarray(arr)


def fit_drc(
    conc: ArrayLike,
    response: ArrayLike,
    *,
    fixed_c: ArrayLike | None = None,
    fixed_d: ArrayLike | None = None,
    zero_dose: float = ZERO_DOSE,
) -> DrcFit:
    """Fit drc's LL.4 (with SynergyFinder's L.4 fallback) to N curves at once.

    Follows ``drm(response ~ dose, fct = LL.4(fixed = c(NA, fixed_c, fixed_d, NA)))`` as
    SynergyFinder 3's ``FitDoseResponse`` calls it: if all responses are equal, 1e-10 is added
    to the last point; dose and response are scaled by powers of ten of their
    medians; start values from drc's self-starter (a linear regression of
    ln((d0 - y) / (y - c0)) on ln dose computed as R's ``lm``); R's ``optim`` BFGS (reltol
    1e-7, at most 500 iterations, parscale = |start|, central differences); then the
    numerical Hessian.  A non-finite value anywhere in that (start, objective, gradient,
    Hessian) fails the fit, and L.4 on ln(dose) (dose 0 -> ``zero_dose``, no scaling, same
    fixed values) is fitted instead.

    Points are used in the order given.  SynergyFinder fits its table's rows in their order
    (its ZIP slices: the row order of the input file; the single-drug fits of the bundled
    ``synergyfinder3_drc.csv``: ascending dose), and that order changes the last bits of the
    start values and of every sum.  Most
    fits do not care, but fits that crawl along a flat valley (often until the 500-iteration
    limit) end elsewhere: pass the points in SynergyFinder's order to reproduce it bit for
    bit.  With it, the bundled SynergyFinder examples agree to ~1e-14 relative (fits) and
    ~1e-13 (ZIP surfaces); in ascending dose order the ZIP surfaces of ``sf_mathews`` (whose
    file lists doses descending) differ by up to 0.13 points on one slice.  Readers record
    the input's row order of the wells (``input_order``) and the ZIP and CSS slice fits
    follow it, so scores reproduce SynergyFinder's from the same file.

    Parameters
    ----------
    conc : array_like, shape (N, P) or (P,)
        Doses (any unit, >= 0).  A 1-D array is one curve, or is shared by every curve when
        ``response`` is 2-D.  NaN marks a missing point (ragged curves).
    response : array_like, shape (N, P) or (P,)
        Responses (e.g. % inhibition); NaN marks a missing point.
    fixed_c, fixed_d : array_like, shape (N,) or scalar, optional
        Fixed values of drc's ``c`` and ``d`` (response units), NaN = free.  SynergyFinder's
        ``Emin`` fixes ``c``, ``Emax`` fixes ``d``; ZIP slices fix ``c`` to the observed
        response at dose 0 of the slice.
    zero_dose : float
        Dose used for 0 in the L.4 fallback (same unit as ``conc``; SynergyFinder: 1e-10).

    Returns
    -------
    DrcFit
        Parameters, fallback flags, SSE, iterations and status for every curve.  Nothing
        raises for numerical trouble in a curve: it gets a status and NaN parameters.

    Raises
    ------
    SynergyError
        If the shapes do not match or ``zero_dose`` is not a positive finite number.
    """
    y = np.asarray(response, dtype=np.float64)
    x = np.asarray(conc, dtype=np.float64)
    if y.ndim == 1:
        y = y[None, :]
        if x.ndim == 1:
            x = x[None, :]
    if x.ndim == 1 and y.ndim == 2 and x.shape[0] == y.shape[1]:
        x = np.broadcast_to(x, y.shape)
    if y.ndim != 2 or x.shape != y.shape:
        raise SynergyError(
            f"conc and response must have matching shapes (N, P); got {x.shape} and {y.shape}"
        )
    if not (np.isfinite(zero_dose) and zero_dose > 0):
        raise SynergyError(f"zero_dose must be a positive finite dose, got {zero_dose!r}")
    n = y.shape[0]
    params, sse, n_iter, status = _k.fit_drc_batch(
        np.ascontiguousarray(x),
        np.ascontiguousarray(y),
        _per_curve(fixed_c, n, "fixed_c"),
        _per_curve(fixed_d, n, "fixed_d"),
        float(zero_dose),
        True,  # BLAS dnrm2 of LAPACK >= 3.10, which reproduces SynergyFinder's start values
    )
    return DrcFit(
        b=params[:, 0],
        c=params[:, 1],
        d=params[:, 2],
        e=params[:, 3],
        l4=status == _k.L4_FALLBACK,
        sse=sse,
        n_iter=n_iter,
        status=status,
        zero_dose=float(zero_dose),
    )
