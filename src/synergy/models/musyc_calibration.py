"""Intervals of MuSyC's log alpha (bootstrap-calibrated) and log gamma: the kernels' wrapper.

:func:`profile_intervals` is what :func:`synergy.models.musyc.fit_musyc` calls: the
calibration below, the profile search (:mod:`synergy._kernels.musyc_profile`) and the
hull of disconnected confidence sets (:func:`join_disconnected`).

:func:`calibrated_critical_values` runs :func:`synergy._kernels.musyc_calibrate.
calibrate_alpha` (a parametric-bootstrap Monte Carlo test of alpha = 1 per block and
alpha, drawn from the block's null fit; the test statistic is the signed root ``r`` of the
likelihood-ratio statistic on the F scale) with each block's random stream keyed by
``(seed, block id)`` (docs/design.md §3).  Its critical values ``c_boot`` replace Student's
``t`` (n − p dof) at the two ends of the profile interval, and its two-sided p-value is
reported.  The interval excludes 0 only when ``p ≤ 1 − ci``: where the likelihood of
alpha has two modes, :func:`join_disconnected` reports the hull of the confidence set
(which may then hold 0 although the test rejects it; 2 of 7,808 block-alphas on additive
blocks, plus 3 within the end search's tolerance).

**Nearly flat likelihood.**  Where a drug has (almost) no effect, the other drug's
alpha is (almost) not identified: the likelihood is nearly flat in it, the bootstrap
``r*`` hardly vary and ``c_boot`` is small, and inverting it would give a narrow interval
around an estimate the noise put there.  A block and alpha with a critical value below
``t/2`` falls back to the F test: critical value ``t`` at both ends and
``p = 2 P(T > |r|)``, so it gets the open interval (and ``synergy_ci_undefined`` status)
of the uncalibrated profile.  With ``r*`` standard normal (the regular case) the second
largest of 79 draws falls below ``t/2 ≈ 1`` with probability 1.5e-5; on 2,000 additive
blocks the smallest ``c_boot/t`` was 0.54 (1st percentile 0.73), and the MuSyC-γ fit of a
block whose column drug has no effect gives 0.33 (``tests/models/test_musyc_gamma.py``).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CALIBRATION_KEY",
    "calibrated_critical_values",
    "default_draws",
    "join_disconnected",
    "profile_intervals",
]

CALIBRATION_KEY = 8  # purpose key of the calibration's random streams


def default_draws(ci: float) -> int:
    """Default bootstrap draws of the calibration: ``round(4 / (1 − ci)) − 1`` (79 at 95 %).

    The smallest ``N`` with two draws beyond each one-sided critical value
    (``(N + 1)(1 − ci)/2 = 2``): each one-sided Monte Carlo test is exact in the bootstrap
    world, and its critical value is not the single largest draw.
    """
    return round(4.0 / (1.0 - ci)) - 1


def calibrated_critical_values(
    points: tuple[np.ndarray, np.ndarray, np.ndarray],
    params: np.ndarray,
    bounds: np.ndarray,
    block_ids: np.ndarray,
    dof: np.ndarray,
    t_quantile: np.ndarray,
    *,
    n_draws: int,
    ci: float,
    seed: int,
    max_iter: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Critical values of the profile intervals of ln alpha12, ln alpha21, and p-values.

    Parameters
    ----------
    points : tuple of float64 (B, N) arrays
        ``(dose1, dose2, response)``: each block's fitted points
        (:func:`synergy.models.surface_inputs.fit_points`; doses in ``conc_unit``,
        response in % inhibition).
    params : float64 (B, p)
        Fitted kernel parameters ``q`` (p = 10, or 12 with γ); a block with a NaN is not
        tested (NaN outputs).
    bounds : float64 (B, p, 2)
        Bounds of ``q`` used in the fit.
    block_ids : array of str (B,)
        Block ids: each block's random stream is keyed by ``(seed, block id)``.
    dof : array (B,)
        Residual degrees of freedom ``n − p`` of each block's fit.
    t_quantile : float64 (B,)
        Student's t at ``(1 + ci)/2`` with those dof (NaN where dof ≤ 0).
    n_draws : int
        Bootstrap draws per block and alpha (≥ 1).
    ci : float
        Confidence level of the intervals.
    seed : int
        Seed of the draws.
    max_iter : int
        Levenberg–Marquardt iterations per refit.

    Returns
    -------
    critical : float64 (B, 2, 2)
        ``[block, (alpha12, alpha21), (lower end, upper end)]``: the bootstrap's, or
        Student's ``t`` at both ends where either is below ``t/2`` (NaN for blocks not
        tested).
    p_value : float64 (B, 2)
        Two-sided p-value of alpha = 1: the bootstrap's, or the t test's where the
        critical values fell back to ``t``.
    null_params : float64 (B, 2, p)
        The fit with each alpha held at 1 (for :func:`join_disconnected`).
    """
    from scipy.stats import t as t_dist

    from synergy._kernels.musyc_calibrate import calibrate_alpha
    from synergy.datasets.streams import block_digest

    block_seeds = np.array(
        [
            int.from_bytes(block_digest(seed, str(b), (CALIBRATION_KEY,), 4), "little")
            for b in block_ids
        ],
        dtype=np.int64,
    )
    dose1, dose2, response = points
    signed_root, p_boot, c_boot, null_params = calibrate_alpha(
        dose1, dose2, response, np.ascontiguousarray(params, dtype=np.float64), bounds,
        int(n_draws), float(ci), block_seeds, int(max_iter),
    )  # fmt: skip
    dof = np.asarray(dof, dtype=np.float64)[:, None]
    with np.errstate(all="ignore"):
        p_t = np.where(dof > 0, 2.0 * t_dist.sf(np.abs(signed_root), np.maximum(dof, 1.0)), np.nan)
    t_crit = np.broadcast_to(np.asarray(t_quantile, dtype=np.float64)[:, None, None], c_boot.shape)
    degenerate = np.any(c_boot < 0.5 * t_crit, axis=2)
    critical = np.where(degenerate[:, :, None], t_crit, c_boot)
    p_value = np.where(degenerate, p_t, p_boot)
    return critical, p_value, null_params


def join_disconnected(
    points: tuple[np.ndarray, np.ndarray, np.ndarray],
    ends: np.ndarray,
    critical: np.ndarray,
    p_value: np.ndarray,
    null_params: np.ndarray,
    sse: np.ndarray,
    wald_half: np.ndarray,
    bounds: np.ndarray,
    *,
    ci: float,
    max_iter: int,
) -> np.ndarray:
    """Profile intervals of ln alpha widened to hold 0 where the test does not reject it.

    The profile search walks out from the estimate and stops where ``r(θ)`` first reaches
    the critical value.  When the likelihood of alpha has a second mode, ``r`` can rise
    above the critical value and fall below it again before ``θ = 0``: the confidence set
    ``{θ : r(θ) ≤ c}`` is then not connected, the test keeps alpha = 1 (``p > 1 − ci``),
    yet the interval around the estimate excludes 0 (~0.1 % of block-alphas on additive
    blocks).  There the end on 0's side is searched again, outwards from ``θ = 0`` (warm
    from the null fit), so the reported interval is the hull of both pieces and excludes
    0 only when the test rejects (``tests/models/test_musyc.py`` has such a block).

    Parameters
    ----------
    points : tuple of float64 (B, N) arrays
        ``(dose1, dose2, response)`` of the fit.
    ends : float64 (B, 2, 2)
        Profile ends ``[block, (alpha12, alpha21), (lower, upper)]``, ln alpha.
    critical, p_value, null_params
        Outputs of :func:`calibrated_critical_values`.
    sse : float64 (B,)
        The fit's SSE.
    wald_half : float64 (B, 2)
        Wald half-widths of ln alpha (first trial steps).
    bounds : float64 (B, p, 2)
        Bounds of the fit.
    ci : float
        Confidence level.
    max_iter : int
        LM iterations per profile fit.

    Returns
    -------
    float64 (B, 2, 2)
        The ends, widened where needed.
    """
    from synergy._kernels.musyc_profile import profile_params

    ends = ends.copy()
    dose1, dose2, response = points
    for a in range(2):
        above, below = ends[:, a, 0] > 0, ends[:, a, 1] < 0
        rows = np.flatnonzero((above | below) & (p_value[:, a] > 1.0 - ci))
        if rows.size == 0:
            continue
        side = np.where(above[rows], 0, 1)  # the end on 0's side
        t_crit = np.full((rows.size, 1, 2), np.nan)
        t_crit[np.arange(rows.size), 0, side] = critical[rows, a, side]
        new, _ = profile_params(
            dose1[rows], dose2[rows], response[rows],
            np.ascontiguousarray(null_params[rows, a]), np.array([8 + a]),
            np.ascontiguousarray(wald_half[rows, a : a + 1]), bounds[rows], t_crit,
            int(max_iter), np.ascontiguousarray(sse[rows], dtype=np.float64),
        )  # fmt: skip
        ends[rows, a, side] = new[np.arange(rows.size), 0, side]
    return ends


def profile_intervals(
    points: tuple[np.ndarray, np.ndarray, np.ndarray],
    params: np.ndarray,
    sse: np.ndarray,
    wald_half: np.ndarray,
    bounds: np.ndarray,
    unidentified: np.ndarray,
    block_ids: np.ndarray,
    dof: np.ndarray,
    t_quantile: np.ndarray,
    *,
    n_draws: int,
    ci: float,
    seed: int,
    max_iter: int,
) -> tuple[np.ndarray, np.ndarray | None, str]:
    """Profile intervals of ln alpha12, ln alpha21 (and ln gamma12, ln gamma21 with p = 12).

    Parameters
    ----------
    points : tuple of float64 (B, N) arrays
        ``(dose1, dose2, response)`` of the fit.
    params : float64 (B, p)
        Fitted kernel parameters ``q`` (p = 10, or 12 with γ).
    sse : float64 (B,)
        The fit's SSE.
    wald_half : float64 (B, p − 8)
        Wald half-widths of ln alpha (and ln gamma): first trial steps of the search.
    bounds : float64 (B, p, 2)
        Bounds of the fit.
    unidentified : bool (B,)
        Blocks whose alphas get no interval (an alpha on its bound): NaN ends, no test.
    block_ids : array of str (B,)
        Block ids (the calibration's random streams).
    dof : array (B,)
        Residual degrees of freedom ``n − p``.
    t_quantile : float64 (B,)
        Student's t at ``(1 + ci)/2`` with those dof: the F test's critical value.
    n_draws : int
        Bootstrap draws of the calibration of alpha's intervals (0: the F test's t).
    ci : float
        Confidence level.
    seed : int
        Seed of the draws.
    max_iter : int
        Levenberg–Marquardt iterations per fit.

    Returns
    -------
    ends : float64 (B, p − 8, 2)
        ``[block, parameter, (lower, upper)]`` in natural logs (±inf: unbounded).
    p_value : float64 (B, 2) or None
        Two-sided p-values of alpha = 1 (None without calibration).
    level : str
        Description of alpha's intervals (for ``long_name``).
    """
    from synergy._kernels.musyc_profile import profile_params

    n_block, n_par = params.shape
    # log alpha's ends, then (γ fitted) log gamma's, always with the F test's t
    t_crit = np.repeat(
        np.repeat(np.asarray(t_quantile, dtype=np.float64)[:, None, None], n_par - 8, axis=1),
        2, axis=2,
    )  # fmt: skip
    level = f"{ci:.0%} profile-likelihood interval (F test, n - {n_par} dof)"
    p_value = None
    if n_draws:
        q_test = np.array(params, order="C")  # a copy
        q_test[unidentified] = np.nan  # not tested: no alpha interval
        t_crit[:, :2], p_value, null_q = calibrated_critical_values(
            points, q_test, bounds, block_ids, dof, t_quantile, n_draws=n_draws, ci=ci,
            seed=seed, max_iter=max_iter,
        )  # fmt: skip
        level = (
            f"{ci:.0%} profile-likelihood interval, critical values of a parametric-"
            f"bootstrap test of alpha = 1 ({n_draws} draws per block)"
        )
    t_crit[unidentified, :2] = np.nan  # no alpha interval; gamma's still profiled
    dose1, dose2, response = points
    ends, _ = profile_params(
        dose1, dose2, response, np.ascontiguousarray(params, dtype=np.float64),
        np.arange(8, n_par), np.ascontiguousarray(wald_half, dtype=np.float64), bounds,
        t_crit, int(max_iter), np.full(n_block, np.nan),
    )  # fmt: skip
    if n_draws:  # the hull where the confidence set is not connected
        ends[:, :2] = join_disconnected(
            points, ends[:, :2], t_crit[:, :2], p_value, null_q, sse, wald_half[:, :2],
            bounds, ci=ci, max_iter=max_iter,
        )  # fmt: skip
    return ends, p_value, level
