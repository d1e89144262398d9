"""MuSyC: potency, efficacy (and cooperativity) synergy as parameters of a fitted surface.

The surface (Meyer et al., Cell Systems 8:97–108, 2019; Wooten et al., Nat Commun
12:4607, 2021) is the steady state of a 4-state model (U, A1, A2, A12 with effects
E0, E1, E2, E3), written out in closed form in :mod:`synergy._kernels.musyc_surface`::

    E = (E0 wU + E1 wA1 + E2 wA2 + E3 wA12) / (wU + wA1 + wA2 + wA12)
    wU = 2 + b1 + b2,  wA1 = a1 (2 + b1) + a2 b1,  wA2 = a2 (2 + b2) + a1 b2,
    wA12 = b1 b2 (a1 + a2) + a2 b1 + a1 b2,
    a1 = (d1/C1)^h1, a2 = (d2/C2)^h2, b1 = (alpha21 d1/C1)^h1, b2 = (alpha12 d2/C2)^h2

(equal off-rates; the concentration unit then does not matter).  Each block's surface is
fitted to every measured well and replicate (bounded Levenberg–Marquardt, analytic
Jacobian, batched over blocks, started from the monotherapy Hill fits ``hill_row`` /
``hill_col``: E0 = bottom, E1/E2 = tops, C = ic50, h = hill_slope, alpha = 1).

Reported synergy parameters, in % inhibition (effects rise with dose):

- **potency**: ``log10 alpha12`` (drug 1 = row drug multiplies drug 2's potency by
  alpha12) and ``log10 alpha21``; > 0 synergy, < 0 antagonism.
- **efficacy**: ``beta = (E3 − Es) / (Es − E0)`` with ``Es`` the stronger single drug (the
  one of E1, E2 farther from E0): the extra effect of the combination beyond the stronger
  drug, as a fraction of that drug's effect.  This is Meyer et al.'s
  ``β = (min(E1, E2) − E3) / (E0 − min(E1, E2))`` written for effects that fall with
  dose; in % inhibition the stronger drug is the larger top and numerator and
  denominator both change sign, so β > 0 is efficacy synergy in both conventions.
- **cooperativity** (``fit_gamma=True``; ``synergy.score(models=["musyc_gamma"])``):
  ``log10 gamma12`` (drug 1 multiplies drug 2's Hill slope by gamma12 once drug 1 acts:
  ``b2 = (alpha12 d2/C2)^(gamma12 h2)``) and ``log10 gamma21`` (``b1`` likewise); > 0
  synergy.  The γ variant has 12 parameters and is fitted from the γ = 1 fit (which it
  never fits worse, up to the γ bounds ``GAMMA_BOUNDS``); it writes the same ``musyc_*``
  variables plus ``musyc_log_gamma12/21`` — one screen holds one MuSyC variant, which is
  why ``score`` refuses ``"musyc"`` and ``"musyc_gamma"`` together.

Uncertainty: Wald standard errors from the Jacobian at the optimum (``sigma^2 (J^T J)^-1``,
``sigma^2 = SSE / (n − p)``, p = 10 or 12 parameters), in log space for h, C, alpha and
gamma (their stderr by the delta method), β's by the delta method.  Intervals of log alpha
are profile-likelihood intervals (:mod:`synergy._kernels.musyc_profile`) whose two ends
take their critical values from a parametric-bootstrap test of alpha = 1 (by default
``4/(1 − ci) − 1`` draws, 79 at 95 %, from each block's null fit,
:mod:`synergy._kernels.musyc_calibrate`; Student's t where the statistic is degenerate,
:mod:`synergy.models.musyc_calibration`), with p-values: the plain F test (``calibrate=0``,
a twentieth of the cost) calls ~3.4 % of additive surfaces synergistic on each alpha
instead of 2.5 % (``benchmarks/bench_musyc_null.py``); ``intervals="wald"`` gives the
symmetric ones.  When a fitted alpha ends on its bound (:data:`ALPHA_BOUNDS`), alpha12 and
alpha21 trade off along a ridge of the surface and no interval of theirs is calibrated
(a parameter on the boundary: Self & Liang, JASA 82:605, 1987; Andrews, Econometrica
68:399, 2000); both are then reported as not identified (``alpha_on_bound``).
Log gamma's are F-test profile intervals (Wald with ``intervals="wald"``); β's are Wald
intervals with Student's t (n − p dof), conditional on which drug is the stronger.
Recovery and calibration on simulated truth: ``benchmarks/bench_musyc.py`` and
``benchmarks/bench_musyc_gamma.py``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy._kernels import musyc as kernel
from synergy.errors import SynergyError
from synergy.models.musyc_calibration import default_draws, profile_intervals
from synergy.models.surface_inputs import (
    ALPHA_BOUNDS,
    fit_points,
    monotherapy_status,
    start_and_bounds,
)

__all__ = [
    "ALPHA_BOUNDS",
    "MUSYC_PARAMS",
    "STATUS_MEANINGS",
    "default_draws",
    "fit_musyc",
    "musyc_surface_values",
]

MUSYC_PARAMS = ("E0", "E1", "E2", "E3", "h1", "h2", "C1", "C2", "alpha12", "alpha21")
GAMMA_PARAMS = ("gamma12", "gamma21")  # appended when fit_gamma=True
_LOG_PARAMS = slice(4, None)  # h, C, alpha (and gamma) are fitted as natural logs
_LN10 = np.log(10.0)

# codes in the one code space of <model>_status (synergy.models.common.severity):
# 0 ok, 5-9 warnings (estimates exist), >= 10 failed (NaN)
STATUS_MEANINGS = status_codes.meanings("musyc")  # words and explanations: synergy.status
_KERNEL_TO_STATUS = {
    kernel.CONVERGED: 0,
    kernel.HIT_BOUND: 7,
    kernel.NOT_CONVERGED: 8,
    kernel.TOO_FEW_POINTS: 12,
    kernel.NON_FINITE_DATA: 15,
}
GAMMA_BOUNDS = (1e-2, 1e2)


def _beta(params: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """β and its delta-method standard error per block."""
    e0, e1, e2, e3 = (params[:, k] for k in range(4))
    first = np.abs(e1 - e0) >= np.abs(e2 - e0)
    es = np.where(first, e1, e2)
    with np.errstate(all="ignore"):
        beta = (e3 - es) / (es - e0)
        grad = np.zeros((params.shape[0], 4))
        grad[:, 0] = (e3 - es) / (es - e0) ** 2
        d_es = -(e3 - e0) / (es - e0) ** 2
        grad[:, 1] = np.where(first, d_es, 0.0)
        grad[:, 2] = np.where(first, 0.0, d_es)
        grad[:, 3] = 1.0 / (es - e0)
        var = np.einsum("bi,bij,bj->b", grad, cov[:, :4, :4], grad)
    return beta, np.sqrt(var)


def _t_quantile(ci: float, dof: np.ndarray) -> np.ndarray:
    from scipy.stats import t

    with np.errstate(all="ignore"):
        return np.where(dof > 0, t.ppf(0.5 + ci / 2.0, np.maximum(dof, 1)), np.nan)


def _fit_gamma(dose1, dose2, resp, init, bounds, fit10, max_iter):
    """The γ fit (12 parameters) started from the γ = 1 fit ``fit10`` (kernel outputs)."""
    q10, n_iter10 = fit10[0], fit10[4]
    start = np.where(np.isfinite(q10), q10, init)
    n_block = init.shape[0]
    init12 = np.ascontiguousarray(np.concatenate([start, np.zeros((n_block, 2))], axis=1))
    bounds12 = np.empty((n_block, 12, 2))
    bounds12[:, :10] = bounds
    bounds12[:, 10:] = np.log(GAMMA_BOUNDS)
    init12 = np.clip(init12, bounds12[..., 0], bounds12[..., 1])
    q, cov, sse, n_points, n_iter, kstatus = kernel.fit_musyc(
        dose1, dose2, resp, init12, bounds12, max_iter
    )
    return (q, cov, sse, n_points, n_iter + n_iter10, kstatus), bounds12


def fit_musyc(
    screen: xr.Dataset,
    *,
    fit_gamma: bool = False,
    ci: float = 0.95,
    intervals: str = "profile",
    calibrate: int | None = None,
    alpha_on_bound: str = "unidentified",
    seed: int = 0,
    max_iter: int = 200,
) -> xr.Dataset:
    """Fit the MuSyC surface (γ = 1, or with γ12, γ21 fitted) to every block of a screen.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (docs/design.md §1), responses in % inhibition, with the monotherapy Hill fits
        ``hill_row``/``hill_col`` (:func:`synergy.hill.fit_screen`), used as start values.
    fit_gamma : bool
        Also fit the cooperativity parameters γ12, γ21 (12 parameters, started from the
        γ = 1 fit; ``synergy.score(models=["musyc_gamma"])``).  Off: γ12 = γ21 = 1.
    ci : float
        Confidence level of the intervals.
    intervals : {"profile", "wald"}
        Intervals of log alpha and log gamma: profile likelihood (default; the criterion of
        ``lmfit.conf_interval``, :mod:`synergy._kernels.musyc_profile`; for log alpha with
        the critical values of ``calibrate``) or Wald (symmetric in the log, from the
        Jacobian).  Wald intervals of log alpha are too often above 0 on additive surfaces
        (the likelihood of alpha is skewed; ``benchmarks/README.md``).  beta's interval is
        always Wald.
    calibrate : int or None
        With profile intervals: bootstrap draws per block and alpha of a parametric-
        bootstrap test of alpha = 1 from the block's null fit
        (:mod:`synergy._kernels.musyc_calibrate`), whose critical values replace Student's
        t in the profile intervals of log alpha (each end its own one-sided Monte Carlo
        test; the F test's t where the bootstrap statistic is degenerate, e.g. an alpha
        not identified: :mod:`synergy.models.musyc_calibration`), and which adds the p-values
        ``musyc_log_alpha12_pvalue`` / ``…21_pvalue`` (the interval, the hull of the
        confidence set, excludes 0 only when ``p ≤ 1 − ci``).
        ``None`` (default): ``round(4 / (1 − ci)) − 1`` draws (79 at ci = 0.95: two draws
        beyond each critical value); ``0``: Student's t (the F test; ~20 times faster,
        but ~3.4 % instead of 2.5 % false synergy calls per alpha on additive surfaces).
        Costs about ``4 calibrate`` refits per block; ``(calibrate + 1)(1 − ci)/2`` should
        be a whole number.  Must be 0 or None with Wald intervals.
    alpha_on_bound : {"unidentified", "keep"}
        Blocks whose fitted alpha12 or alpha21 ends on its bound (:data:`ALPHA_BOUNDS`,
        e.g. alpha12 = 1e-4: drug 1 cannot bind once drug 2 has, traded against a large
        alpha21).  The likelihood-ratio statistic is then non-regular and neither the F
        test nor the bootstrap calibrates the intervals (on additive surfaces ~9 % of
        such blocks exclude 0 on a side).  ``"unidentified"`` (default): both log alpha
        intervals are (−inf, inf), their p-values NaN, status ``alpha_on_bound``; the
        estimates stay.  ``"keep"``: the intervals as computed, status ``hit_bound``.
    seed : int
        Seed of the calibration's draws; each block's stream is keyed by ``(seed, block id)``,
        so a block's intervals do not depend on the other blocks or their order.
    max_iter : int
        Levenberg–Marquardt iterations per block.

    Returns
    -------
    xarray.Dataset
        Over the screen's blocks:

        - ``musyc`` (block, musyc_param): E0, E1, E2, E3 (% inhibition), h1, h2 (Hill
          slopes), C1, C2 (EC50s, ``conc_unit``), alpha12, alpha21 (fold potency shifts);
        - ``musyc_stderr`` (block, musyc_param): Wald standard errors (delta method for
          h, C and alpha, which are fitted as logs);
        - ``musyc_log_alpha12`` / ``musyc_log_alpha21`` (block): log10 alpha, with
          ``…_ci`` (block, bound) intervals (``intervals``; ±inf where the data do not
          bound alpha on that side);
        - ``musyc_beta`` (block), ``musyc_beta_stderr``, ``musyc_beta_ci`` (block, bound);
        - with ``fit_gamma``: gamma12, gamma21 appended to ``musyc_param``, and
          ``musyc_log_gamma12`` / ``musyc_log_gamma21`` (block, log10 gamma) with
          ``…_ci`` (block, bound) intervals (``intervals``; F test);
        - ``musyc_sse``, ``musyc_n_points``, ``musyc_n_iter`` (block);
        - ``musyc_fitted`` (block, row, col): the fitted surface, % inhibition;
        - ``musyc_status`` (block): codes of :data:`STATUS_MEANINGS` with CF flag attrs
          (``alpha_on_bound``: see ``alpha_on_bound``; ``hit_bound``: another parameter
          ended on its bound; ``synergy_ci_undefined``: beta
          or a log alpha (or log gamma) has no finite interval end — singular covariance,
          or the data do not bound alpha on either side, e.g. when a drug has no effect;
          ``fitted_without_monotherapy`` / ``not_identifiable`` / ``no_monotherapy``: a
          block without a drug's single-drug wells, :mod:`synergy.models.surface_inputs`).
    """
    if not 0 < ci < 1:
        raise SynergyError(f"ci must be in (0, 1), got {ci!r}")
    if intervals not in ("profile", "wald"):
        raise SynergyError(f"intervals must be 'profile' or 'wald', got {intervals!r}")
    if alpha_on_bound not in ("unidentified", "keep"):
        raise SynergyError(
            f"alpha_on_bound must be 'unidentified' or 'keep', got {alpha_on_bound!r}"
        )
    if calibrate is None:
        calibrate = default_draws(ci) if intervals == "profile" else 0
    if (
        isinstance(calibrate, bool)
        or int(calibrate) != calibrate
        or calibrate < 0
        or (calibrate and intervals != "profile")
    ):
        raise SynergyError(
            f"calibrate={calibrate!r}: needs a whole number of draws >= 0 (None: "
            f"{default_draws(ci)} at ci={ci}), and profile intervals"
        )
    calibrate = int(calibrate)
    dose1, dose2, resp = fit_points(screen)
    init, bounds = start_and_bounds(screen, resp)
    fit = kernel.fit_musyc(dose1, dose2, resp, init, bounds, int(max_iter))
    if fit_gamma:
        fit, bounds = _fit_gamma(dose1, dose2, resp, init, bounds, fit, int(max_iter))
    q, cov, sse, n_points, n_iter, kstatus = fit
    n_par = q.shape[1]
    status = np.array([_KERNEL_TO_STATUS[int(s)] for s in kstatus], dtype=np.int8)
    # blocks lacking a drug alone: fitted from the surface where it determines them
    var = np.diagonal(cov, axis1=1, axis2=2)
    se_fit = np.sqrt(np.where(var >= 0, var, np.nan))
    status = monotherapy_status(dose1, dose2, resp, status, se_fit, 4)
    failed = status >= 10
    # an alpha on its bound: alpha12 and alpha21 are not separately identified
    alpha_lo, alpha_hi = bounds[:, 8:10, 0], bounds[:, 8:10, 1]
    edge = 1e-9 * (alpha_hi - alpha_lo)
    on_bound = ~failed & np.any(
        (q[:, 8:10] <= alpha_lo + edge) | (q[:, 8:10] >= alpha_hi - edge), axis=1
    )
    unidentified = on_bound if alpha_on_bound == "unidentified" else np.zeros_like(on_bound)
    q[failed] = np.nan
    cov[failed] = np.nan
    var = np.diagonal(cov, axis1=1, axis2=2)
    se_q = np.sqrt(np.where(var >= 0, var, np.nan))
    params = q.copy()
    params[:, _LOG_PARAMS] = np.exp(q[:, _LOG_PARAMS])
    stderr = se_q.copy()
    stderr[:, _LOG_PARAMS] = params[:, _LOG_PARAMS] * se_q[:, _LOG_PARAMS]
    beta, beta_se = _beta(q, cov)
    tq = _t_quantile(ci, n_points - n_par)

    block = screen["block"].values
    coords = {"block": block}
    level = f"{ci:.0%} Wald interval (Student t, n - {n_par} dof)"

    def per_block(values, **attrs):
        return xr.DataArray(values, dims=("block",), coords=coords, attrs=attrs)

    def interval(center, half, **attrs):
        values = np.stack([center - half, center + half], axis=1)
        return xr.DataArray(values, dims=("block", "bound"), coords=coords, attrs=attrs)

    out = {
        "musyc": xr.DataArray(
            params, dims=("block", "musyc_param"), coords=coords,
            attrs={"long_name": "MuSyC parameters" + (" (gamma fitted)" if fit_gamma
                                                       else " (gamma = 1)"),
                   "units": "E: %; h: 1; C: conc_unit; alpha, gamma: fold"},
        ),
        "musyc_stderr": xr.DataArray(
            stderr, dims=("block", "musyc_param"), coords=coords,
            attrs={"long_name": "Wald standard errors of the MuSyC parameters"},
        ),
    }  # fmt: skip
    n_gamma = n_par - 10
    if intervals == "profile":
        ends, pvalue, alpha_level = profile_intervals(
            (dose1, dose2, resp), q, sse, tq[:, None] * se_q[:, 8:], bounds, unidentified,
            screen["block"].values, n_points - n_par, tq, n_draws=calibrate, ci=ci,
            seed=seed, max_iter=max_iter,
        )  # fmt: skip
    for a, (k, name) in enumerate(((8, "alpha12"), (9, "alpha21"))):
        log10 = q[:, k] / _LN10
        out[f"musyc_log_{name}"] = per_block(
            log10, long_name=f"log10 {name} (potency synergy, > 0 synergistic)", units="1"
        )
        if calibrate:
            out[f"musyc_log_{name}_pvalue"] = per_block(
                pvalue[:, a], long_name=f"two-sided parametric-bootstrap p-value of {name} = 1"
            )
        if intervals == "profile":
            out[f"musyc_log_{name}_ci"] = xr.DataArray(
                ends[:, a] / _LN10, dims=("block", "bound"), coords=coords,
                attrs={"long_name": f"log10 {name}, {alpha_level}"},
            )  # fmt: skip
        else:
            half = tq * se_q[:, k] / _LN10
            out[f"musyc_log_{name}_ci"] = interval(log10, half, long_name=f"log10 {name}, {level}")
        out[f"musyc_log_{name}_ci"].values[unidentified] = (-np.inf, np.inf)
    status[unidentified & (status < 10)] = 6
    for k, name in enumerate(GAMMA_PARAMS[:n_gamma], start=10):
        log10 = q[:, k] / _LN10
        out[f"musyc_log_{name}"] = per_block(
            log10, long_name=f"log10 {name} (cooperativity, > 0 synergistic)", units="1"
        )
        if intervals == "profile":
            out[f"musyc_log_{name}_ci"] = xr.DataArray(
                ends[:, k - 8] / _LN10, dims=("block", "bound"), coords=coords,
                attrs={"long_name": f"log10 {name}, {ci:.0%} profile-likelihood interval "
                                    f"(F test, n - {n_par} dof)"},
            )  # fmt: skip
        else:
            half = tq * se_q[:, k] / _LN10
            out[f"musyc_log_{name}_ci"] = interval(log10, half, long_name=f"log10 {name}, {level}")
    # a synergy parameter without a finite interval: beta's or an alpha's (no finite end)
    undefined = ~np.isfinite(beta_se)
    for name in ("alpha12", "alpha21", *GAMMA_PARAMS[:n_gamma]):
        ends_a = out[f"musyc_log_{name}_ci"].values
        undefined |= ~np.any(np.isfinite(ends_a), axis=1)
    status[undefined & (status == 0)] = 9
    out["musyc_beta"] = per_block(
        beta, long_name="efficacy synergy beta = (E3 - Es)/(Es - E0), > 0 synergistic"
    )
    out["musyc_beta_stderr"] = per_block(beta_se, long_name="delta-method stderr of beta")
    out["musyc_beta_ci"] = interval(beta, tq * beta_se, long_name=f"beta, {level}")
    out["musyc_sse"] = per_block(sse, long_name="residual sum of squares", units="%^2")
    out["musyc_n_points"] = per_block(n_points, long_name="wells x replicates fitted")
    out["musyc_n_iter"] = per_block(n_iter, long_name="Levenberg-Marquardt iterations")
    out["musyc_fitted"] = xr.DataArray(
        musyc_surface_values(q, screen["conc_row"].values, screen["conc_col"].values),
        dims=("block", "row", "col"), coords=coords,
        attrs={"long_name": "fitted MuSyC surface", "units": "%"},
    )  # fmt: skip
    codes = tuple(sorted(STATUS_MEANINGS))
    out["musyc_status"] = per_block(
        status,
        long_name="status of the MuSyC fit",
        flag_values=np.asarray(codes, dtype=np.int8),
        flag_meanings=" ".join(STATUS_MEANINGS[c] for c in codes),
        comment="0 ok; 6-9 warning (estimates exist); >= 10 failed (NaN)",
    )
    ds = xr.Dataset(out)
    return ds.assign_coords(
        musyc_param=("musyc_param", list((MUSYC_PARAMS + GAMMA_PARAMS)[:n_par])),
        bound=("bound", ["lower", "upper"]),
    )


def musyc_surface_values(q: np.ndarray, conc_row: np.ndarray, conc_col: np.ndarray) -> np.ndarray:
    """MuSyC surface (B, R, C) on each block's dose grid for kernel parameters q (B, 10 or 12).

    ``q = (E0, E1, E2, E3, ln h1, ln h2, ln C1, ln C2, ln alpha12, ln alpha21)`` with
    ``ln gamma12, ln gamma21`` appended for the γ surface; NaN where a dose or a parameter
    is NaN.
    """
    return kernel.musyc_grid(
        *(np.ascontiguousarray(a, dtype=np.float64) for a in (conc_row, conc_col, q))
    )
