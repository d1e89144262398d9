"""lmfit bridge: profile-likelihood intervals for chosen curves, polished from the kernel.

The batched kernel gives every curve a Wald covariance from the Jacobian
(:attr:`HillFit.covariance <synergy.hill.HillFit.covariance>`).  For a few chosen curves,
:func:`conf_int` builds an
``lmfit.Model`` whose parameters start at the kernel's solution, lets lmfit polish it (a few
iterations, not a refit from scratch) and runs ``lmfit.conf_interval`` (profile likelihood,
F-test based).  lmfit is imported only here, on first use.

The lmfit model uses the kernel's parametrisation: ``log_ic50`` (natural log of the dose),
``hill_slope``, ``bottom``, ``top``; intervals of ``ic50`` are ``exp`` of those of
``log_ic50`` (profile intervals are invariant under monotone reparametrisation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from synergy.errors import SynergyError

if TYPE_CHECKING:
    from synergy.hill.fit import HillFit

__all__ = ["conf_int", "hill_log_model", "lmfit_model"]

_NAMES = ("log_ic50", "hill_slope", "bottom", "top")


def hill_log_model(
    x: np.ndarray, log_ic50: float, hill_slope: float, bottom: float, top: float
) -> np.ndarray:
    """Hill curve in the kernel's parametrisation (``E(0) = bottom``).

    ``E(x) = bottom + (top - bottom) / (1 + exp(hill_slope * (log_ic50 - ln x)))``.
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", over="ignore"):
        z = hill_slope * (log_ic50 - np.log(x))
        g = np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(z, 700.0))), 0.0)
    return bottom + (top - bottom) * g


def _curve(fit: HillFit, index: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    idx = index if isinstance(index, tuple) else (index,)
    if len(idx) != len(fit.batch_shape):
        raise SynergyError(
            f"index {index!r} does not select one curve of batch shape {fit.batch_shape}"
        )
    return fit.params[idx], fit.fixed[idx], fit.bounds[idx], np.asarray(idx, dtype=object)


def lmfit_model(fit: HillFit, index: Any = ()) -> tuple[Any, Any]:
    """``lmfit.Model`` and ``Parameters`` at the solution of curve ``index`` of ``fit``.

    Parameters
    ----------
    fit : HillFit
        Fits (any fitter).
    index : int or tuple of int
        Curve of the batch; ``()`` for a single fit.

    Returns
    -------
    model : lmfit.Model
        Independent variable ``x`` (dose, the fit's unit).
    params : lmfit.Parameters
        ``log_ic50``, ``hill_slope``, ``bottom``, ``top`` at the solution, with the fit's
        bounds (where finite) and ``vary=False`` for fixed parameters.
    """
    import lmfit

    p, fixed, bounds, _ = _curve(fit, index)
    if not np.all(np.isfinite(p)):
        raise SynergyError(f"curve {index!r} has no fitted parameters (status {fit.status[index]})")
    model = lmfit.Model(hill_log_model, independent_vars=["x"])
    params = model.make_params()
    values = (np.log(p[0]), p[1], p[2], p[3])
    with np.errstate(divide="ignore"):
        lows = (np.log(bounds[0, 0]), bounds[1, 0], bounds[2, 0], bounds[3, 0])
        highs = (np.log(bounds[0, 1]), bounds[1, 1], bounds[2, 1], bounds[3, 1])
    for j, name in enumerate(_NAMES):
        par = params[name]
        par.set(value=float(values[j]), vary=bool(np.isnan(fixed[j])))
        if np.isfinite(lows[j]):
            par.set(min=float(min(lows[j], values[j])))
        if np.isfinite(highs[j]):
            par.set(max=float(max(highs[j], values[j])))
    return model, params


def conf_int(fit: HillFit, index: Any = (), sigmas: tuple[float, ...] = (1, 2)) -> dict:
    """Profile-likelihood confidence intervals of one curve by ``lmfit.conf_interval``.

    The lmfit fit starts at the kernel's solution (a polish of a few iterations), so its
    parameters agree with :class:`~synergy.hill.HillFit` to the optimiser tolerance.

    Parameters
    ----------
    fit : HillFit
        Fits carrying their data (from :func:`synergy.hill.fit`, or
        :meth:`HillFit.from_params <synergy.hill.HillFit.from_params>` with ``conc``/``response``).
    index : int or tuple of int
        Curve of the batch; ``()`` for a single fit.
    sigmas : tuple of float, default (1, 2)
        Interval levels in standard deviations (lmfit's convention; a value < 1 is a
        probability).

    Returns
    -------
    dict
        lmfit's ``{name: [(probability, value), ...]}`` for the varying parameters among
        ``log_ic50``, ``hill_slope``, ``bottom``, ``top``, plus ``ic50`` (exp of
        ``log_ic50``, dose unit) and ``"result"``: the ``lmfit.model.ModelResult``.
    """
    import lmfit

    if fit.conc is None or fit.response is None:
        raise SynergyError("conf_int needs the data: wrap fits with from_params(conc=, response=)")
    _, _, _, idx = _curve(fit, index)
    idx = tuple(idx)
    x = np.asarray(fit.conc[idx], dtype=np.float64)
    y = np.asarray(fit.response[idx], dtype=np.float64)
    w = np.ones_like(y) if fit.weights is None else np.asarray(fit.weights[idx], dtype=np.float64)
    used = np.isfinite(y) & (w > 0)
    model, params = lmfit_model(fit, index)
    result = model.fit(y[used], params, x=x[used], weights=np.sqrt(w[used]), scale_covar=True)
    if result.covar is None:
        raise SynergyError(
            f"curve {index!r}: lmfit could not estimate a covariance (singular Jacobian);"
            " profile intervals are not available"
        )
    ci = lmfit.conf_interval(result, result, sigmas=sigmas)
    out: dict[str, Any] = dict(ci)
    if "log_ic50" in ci:
        out["ic50"] = [(prob, float(np.exp(value))) for prob, value in ci["log_ic50"]]
    out["result"] = result
    return out
