"""Batched least-squares Hill fits: :func:`fit` and the :class:`HillFit` result.

The fitting itself is the numba kernel :func:`synergy._kernels.hill_lsq.fit_hill_lsq`
(bounded damped-Newton/Levenberg–Marquardt on log-IC50, analytic derivatives, data-driven
grid starts); this module broadcasts inputs, sets default bounds, converts parameters and
finishes the status codes (:mod:`synergy.hill.status`), the per-curve arithmetic of these
steps in the parallel kernels of :mod:`synergy._kernels.hill_batch`.  No Python loop over
curves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from synergy._kernels import hill_batch as _b
from synergy._kernels import hill_lsq as _k
from synergy.errors import SynergyError
from synergy.hill.at_params import hill_at_params
from synergy.hill.inputs import (
    DEFAULT_SLOPE_BOUNDS,
    bounds_array,
    curve_ranges,
    default_bounds,
    fixed_array,
)
from synergy.hill.model import evaluate, inverse
from synergy.hill.status import FLAT_ALPHA

__all__ = ["DEFAULT_SLOPE_BOUNDS", "HillFit", "default_bounds", "fit"]  # bounds re-exported

MAX_ITER = 100

_Index = int | tuple[int, ...]


@dataclass(frozen=True, eq=False)
class HillFit:
    """Hill fits of a batch of curves (leading batch shape ``S``; ``S = ()`` for one curve).

    Parameter order everywhere is ``(ic50, hill_slope, bottom, top)`` for the curve
    ``E(x) = bottom + (top - bottom) / (1 + (ic50 / x) ** hill_slope)``; ``ic50`` is in the
    dose unit of the input (relative IC50, drc's ``e``).

    Attributes
    ----------
    params : ndarray (*S, 4)
        Fitted parameters; NaN where the status is ``too_few_points``/``non_finite_data``.
    covariance : ndarray (*S, 4, 4)
        Wald covariance ``sigma^2 (J^T W J)^-1``, ``sigma^2 = SSE / (n - k_free)``, in the
        natural parameters (the IC50 row by the delta method from log-IC50); rows and
        columns of fixed parameters are 0; NaN where unavailable.
    sse : ndarray (*S,)
        Weighted residual sum of squares (response unit squared).
    n_points : ndarray of int (*S,)
        Points used (finite response, positive weight).
    status : ndarray of int8 (*S,)
        :class:`~synergy.hill.status.HillStatus` codes.
    flat_p_value : ndarray (*S,)
        p-value of the F-test of the fit against the no-dose-effect model.
    conc_min, conc_max : ndarray (*S,)
        Lowest and highest positive tested dose among the used points.
    n_iter : ndarray of int (*S,)
        Optimiser iterations (0 for wrapped parameters).
    fixed : ndarray (*S, 4)
        Fixed parameter values, NaN = free.
    bounds : ndarray (*S, 4, 2)
        Bounds used (natural parameters, IC50 in dose units).
    conc, response, weights : ndarray (*S, P) or None
        The data, kept for :meth:`conf_int` (None when wrapped without data).
    fitter : str
        ``"lsq"``, ``"drc"`` or ``"given"``.
    """

    params: np.ndarray
    covariance: np.ndarray
    sse: np.ndarray
    n_points: np.ndarray
    status: np.ndarray
    flat_p_value: np.ndarray
    conc_min: np.ndarray
    conc_max: np.ndarray
    n_iter: np.ndarray
    fixed: np.ndarray
    bounds: np.ndarray
    conc: np.ndarray | None = None
    response: np.ndarray | None = None
    weights: np.ndarray | None = None
    fitter: str = "lsq"

    # -- parameters ---------------------------------------------------------------------
    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Leading batch shape ``S``."""
        return self.params.shape[:-1]

    @property
    def ic50(self) -> np.ndarray:
        """Relative IC50 (midpoint dose), dose unit of the input."""
        return self.params[..., 0]

    @property
    def hill_slope(self) -> np.ndarray:
        """Hill slope (> 0, dimensionless)."""
        return self.params[..., 1]

    @property
    def bottom(self) -> np.ndarray:
        """Effect at zero dose, response unit."""
        return self.params[..., 2]

    @property
    def top(self) -> np.ndarray:
        """Effect at infinite dose, response unit."""
        return self.params[..., 3]

    @property
    def stderr(self) -> np.ndarray:
        """Wald standard errors (*S, 4) of (ic50, hill_slope, bottom, top); 0 if fixed."""
        with np.errstate(invalid="ignore"):
            return np.sqrt(np.diagonal(self.covariance, axis1=-2, axis2=-1))

    @property
    def log_ic50_stderr(self) -> np.ndarray:
        """Wald standard error of ln(ic50) (dimensionless)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.stderr[..., 0] / self.ic50

    # -- curve ----------------------------------------------------------------------------
    def predict(self, conc: ArrayLike) -> np.ndarray:
        """Fitted effects at ``conc``.

        Parameters
        ----------
        conc : array_like, shape (M,) or (*S, M)
            Doses in the dose unit of the fit; a 1-D array is used for every curve.

        Returns
        -------
        ndarray (*S, M)
            Effects in the response unit.
        """
        x = np.asarray(conc, dtype=np.float64)
        p = self.params[..., None, :]
        return evaluate(x, p[..., 0], p[..., 1], p[..., 2], p[..., 3])

    def inverse(self, effect: ArrayLike) -> np.ndarray:
        """Doses at which the fitted curves reach ``effect`` (NaN where never reached).

        Parameters
        ----------
        effect : array_like, shape (M,) or (*S, M)
            Effects in the response unit.

        Returns
        -------
        ndarray (*S, M)
            Doses in the dose unit of the fit.
        """
        e = np.asarray(effect, dtype=np.float64)
        p = self.params[..., None, :]
        return inverse(e, p[..., 0], p[..., 1], p[..., 2], p[..., 3])

    def ic50_ci(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Wald confidence interval of the IC50, symmetric on ln(ic50).

        ``exp(ln(ic50) -/+ t * se)`` with ``se`` the Wald standard error of ln(ic50) and ``t``
        the Student-t quantile with ``n_points - k_free`` degrees of freedom (the residual
        degrees of freedom of sigma^2).

        Parameters
        ----------
        level : float, default 0.95
            Coverage probability.

        Returns
        -------
        lower, upper : ndarray (*S,)
            Interval bounds in the dose unit; NaN where the stderr is unavailable (a
            singular Jacobian: e.g. a step-like fit whose IC50 is only bracketed by two
            doses) or the IC50 is fixed.
        """
        if not 0.0 < level < 1.0:
            raise SynergyError(f"level must be in (0, 1), got {level}")
        df = self.n_points - np.sum(np.isnan(self.fixed), axis=-1)
        with np.errstate(invalid="ignore", over="ignore"):
            t = special.stdtrit(np.where(df > 0, df, np.nan), 0.5 + level / 2.0)
            half = t * self.log_ic50_stderr
            half = np.where(np.isnan(self.fixed[..., 0]), half, np.nan)
            return self.ic50 * np.exp(-half), self.ic50 * np.exp(half)

    # -- lmfit ----------------------------------------------------------------------------
    def to_lmfit(self, index: _Index = ()) -> tuple[Any, Any]:
        """An ``lmfit.Model`` of the curve and ``Parameters`` at this fit's solution.

        The model is parametrised as the kernel is: ``log_ic50`` (natural log of the dose),
        ``hill_slope``, ``bottom``, ``top``; bounds and fixed parameters are carried over.

        Parameters
        ----------
        index : int or tuple of int
            Which curve of the batch (``()`` for a single fit).

        Returns
        -------
        model : lmfit.Model
        params : lmfit.Parameters
        """
        from synergy.hill.uncertainty import lmfit_model

        return lmfit_model(self, index)

    def conf_int(self, index: _Index = (), sigmas: tuple[float, ...] = (1, 2)) -> dict:
        """Profile-likelihood confidence intervals by lmfit, polished from this solution.

        See :func:`synergy.hill.uncertainty.conf_int`.
        """
        from synergy.hill.uncertainty import conf_int

        return conf_int(self, index, sigmas=sigmas)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_params(
        cls,
        ic50: ArrayLike,
        hill_slope: ArrayLike,
        bottom: ArrayLike,
        top: ArrayLike,
        *,
        conc: ArrayLike | None = None,
        response: ArrayLike | None = None,
        weights: ArrayLike | None = None,
        status: ArrayLike | None = None,
        fixed: Mapping[str, ArrayLike] | None = None,
        fitter: str = "given",
    ) -> HillFit:
        """Wrap parameters from another fitter or a file.

        With ``conc`` and ``response`` the SSE, the Wald covariance at these parameters
        and the flatness test are computed (batched kernel, no refit); without, they are
        NaN.  ``status`` (if given) is kept as is; otherwise it is computed from the data
        (data problems, flat, IC50 outside the tested doses) or set to ``converged``.

        Parameters
        ----------
        ic50, hill_slope, bottom, top : array_like
            Parameters, broadcast to the batch shape ``S``.
        conc, response : array_like (*S, P), optional
            Data the parameters were fitted to.
        weights : array_like (*S, P), optional
            Weights of the squared residuals (default 1).
        status : array_like of int (*S,), optional
            Status codes to keep.
        fixed : mapping, optional
            Parameters that were fixed (they get zero variance).
        fitter : str
            Name recorded in :attr:`fitter`.
        """
        p = np.stack(
            np.broadcast_arrays(
                *(np.asarray(v, dtype=np.float64) for v in (ic50, hill_slope, bottom, top))
            ),
            axis=-1,
        )
        shape = p.shape[:-1]
        if conc is None or response is None:
            nan = np.full(shape, np.nan)
            st = np.zeros(shape, np.int8) if status is None else np.asarray(status, np.int8)
            return cls(
                params=p,
                covariance=np.full((*shape, 4, 4), np.nan),
                sse=nan,
                n_points=np.zeros(shape, np.int64),
                status=np.broadcast_to(st, shape).copy(),
                flat_p_value=nan.copy(),
                conc_min=nan.copy(),
                conc_max=nan.copy(),
                n_iter=np.zeros(shape, np.int64),
                fixed=fixed_array(fixed, shape),
                bounds=np.full((*shape, 4, 2), np.nan),
                fitter=fitter,
            )
        result = _run(conc, response, weights, fixed, None, init=p, max_iter=0, batch=shape)
        # keep the given numbers bit for bit (the kernel works on ln(ic50))
        given = np.where(np.isnan(result.fixed), p, result.fixed)
        result = _replace(result, params=np.where(np.isnan(result.params), result.params, given))
        if status is not None:
            result = _replace(result, status=np.broadcast_to(np.asarray(status, np.int8), shape))
        return _replace(result, fitter=fitter)


def _replace(fit_: HillFit, **changes: Any) -> HillFit:
    from dataclasses import replace

    return replace(fit_, **changes)


def fit(
    conc: ArrayLike,
    response: ArrayLike,
    *,
    fixed: Mapping[str, ArrayLike] | None = None,
    bounds: Mapping[str, tuple[ArrayLike, ArrayLike]] | None = None,
    weights: ArrayLike | None = None,
    flat_alpha: float = FLAT_ALPHA,
) -> HillFit:
    """Least-squares fit of ``E(x) = bottom + (top - bottom) / (1 + (ic50/x)^hill_slope)``.

    Ordinary (or weighted) least squares, bounded, on log-IC50; one curve or a batch; no
    Python loop over curves, nothing raises for a bad curve (its status says why).

    Parameters
    ----------
    conc : array_like (*S, P) or (P,)
        Doses (>= 0, any unit; zero dose = untreated, E = bottom). NaN allowed where the
        response is NaN.
    response : array_like (*S, P)
        Responses (e.g. % inhibition); NaN = missing point.
    fixed : mapping, optional
        ``{"bottom": 0.0, "top": array}``: values (scalar or batch-shaped) of parameters
        held fixed; 3- and 2-parameter fits.
    bounds : mapping, optional
        ``{"top": (0, 150)}``: (lower, upper) of parameters, overriding the defaults of
        :func:`default_bounds` (ic50 bounds in dose units).
    weights : array_like (*S, P), optional
        Weights of the squared residuals (e.g. 1/variance); default 1.
    flat_alpha : float, default 0.05
        Significance level of the flatness F-test (p > flat_alpha: status ``flat``).

    Returns
    -------
    HillFit
        Batch shape ``S`` (``()`` for one curve).
    """
    return _run(conc, response, weights, fixed, bounds, flat_alpha=flat_alpha)


def _run(
    conc: ArrayLike,
    response: ArrayLike,
    weights: ArrayLike | None,
    fixed: Mapping[str, ArrayLike] | None,
    bounds: Mapping[str, tuple[ArrayLike, ArrayLike]] | None,
    *,
    init: np.ndarray | None = None,
    max_iter: int = MAX_ITER,
    flat_alpha: float = FLAT_ALPHA,
    batch: tuple[int, ...] | None = None,
) -> HillFit:
    c = np.asarray(conc, dtype=np.float64)
    y = np.asarray(response, dtype=np.float64)
    if y.ndim == 0:
        raise SynergyError("response must have at least one dimension (points)")
    w = np.ones(y.shape) if weights is None else np.asarray(weights, dtype=np.float64)
    try:
        c, y, w = np.broadcast_arrays(c, y, w)
    except ValueError as exc:
        raise SynergyError(
            f"conc {np.shape(conc)}, response {np.shape(response)} and weights do not broadcast"
        ) from exc
    if batch is not None and y.shape[:-1] != batch:
        c, y, w = (np.broadcast_to(a, (*batch, y.shape[-1])) for a in (c, y, w))
    shape = y.shape[:-1]
    n_curves = int(np.prod(shape, dtype=np.int64))
    n_pts = y.shape[-1]
    c2 = np.ascontiguousarray(c.reshape(n_curves, n_pts))
    y2 = np.ascontiguousarray(y.reshape(n_curves, n_pts))
    w2 = np.ascontiguousarray(w.reshape(n_curves, n_pts))
    fixed_nat = fixed_array(fixed, shape).reshape(n_curves, 4)
    ranges = curve_ranges(c2, y2, w2)
    bnd = bounds_array(bounds, c2, y2, w2, ranges)
    kernel_fixed, kernel_bounds = _b.kernel_args(fixed_nat, np.ascontiguousarray(bnd))
    kernel_init = np.full((n_curves, 4), np.nan)
    if init is not None:
        kernel_init = np.broadcast_to(init, (*shape, 4)).reshape(n_curves, 4).copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            kernel_init[:, 0] = np.log(kernel_init[:, 0])
    if max_iter == 0:  # wrapped parameters: numpy, no kernel to compile (at_params)
        params, cov, sse, sse_null, n_points, n_iter, kstatus = hill_at_params(
            c2, y2, w2, kernel_fixed, kernel_init
        )
    else:
        params, cov, sse, sse_null, n_points, n_iter, kstatus = _k.fit_hill_lsq(
            c2, y2, w2, kernel_fixed, kernel_bounds, kernel_init, max_iter
        )
    # ln(ic50) -> ic50 in place (batched kernels: no (N, 4, 4) temporaries, no serial passes)
    with np.errstate(over="ignore", invalid="ignore"):
        np.exp(params[:, 0], out=params[:, 0])
    cmin, cmax = _b.natural(params, cov, ranges)
    df1, df2, f_stat = _b.f_statistic(sse, sse_null, n_points, fixed_nat)
    p_flat = special.fdtrc(df1, df2, f_stat)
    status = _b.finish_status(
        p_flat, df1, df2, sse, sse_null, kstatus, fixed_nat, params, cmin, cmax, flat_alpha
    )
    return HillFit(
        params=params.reshape(*shape, 4),
        covariance=cov.reshape(*shape, 4, 4),
        sse=sse.reshape(shape),
        n_points=n_points.reshape(shape),
        status=status.reshape(shape),
        flat_p_value=p_flat.reshape(shape),
        conc_min=cmin.reshape(shape),
        conc_max=cmax.reshape(shape),
        n_iter=n_iter.reshape(shape),
        fixed=fixed_nat.reshape(*shape, 4),
        bounds=bnd.reshape(*shape, 4, 2),
        conc=c,
        response=y,
        weights=w,
        fitter="lsq",
    )
