"""Bootstrap calibration of MuSyC's log alpha intervals: the wrapper of the kernel.

:func:`calibrated_critical_values` runs :func:`synergy._kernels.musyc_calibrate.
calibrate_alpha` (a parametric-bootstrap Monte Carlo test of alpha = 1 per block and
alpha, drawn from the block's null fit; the test statistic is the signed root ``r`` of the
likelihood-ratio statistic on the F scale) with each block's random stream keyed by
``(seed, block id)`` (DESIGN.md §3).  Its critical values ``c_boot`` replace Student's
``t`` (n − p dof) at the two ends of the profile interval, and its two-sided p-value is
reported; the interval then excludes 0 exactly when ``p ≤ 1 − ci``.

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

__all__ = ["CALIBRATION_KEY", "calibrated_critical_values", "default_draws"]

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
    *,
    n_draws: int,
    ci: float,
    seed: int,
    max_iter: int,
) -> tuple[np.ndarray, np.ndarray]:
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
    """
    from scipy.stats import t as t_dist

    from synergy._kernels.musyc_calibrate import calibrate_alpha
    from synergy.datasets._random import block_digest

    block_seeds = np.array(
        [
            int.from_bytes(block_digest(seed, str(b), (CALIBRATION_KEY,), 4), "little")
            for b in block_ids
        ],
        dtype=np.int64,
    )
    dose1, dose2, response = points
    signed_root, p_boot, c_boot = calibrate_alpha(
        dose1, dose2, response, np.ascontiguousarray(params, dtype=np.float64), bounds,
        int(n_draws), float(ci), block_seeds, int(max_iter),
    )  # fmt: skip
    dof = np.asarray(dof, dtype=np.float64)[:, None]
    with np.errstate(all="ignore"):
        valid = dof > 0
        t_crit = np.where(valid, t_dist.ppf(0.5 + ci / 2.0, np.where(valid, dof, 1.0)), np.nan)
        p_t = np.where(
            valid, 2.0 * t_dist.sf(np.abs(signed_root), np.where(valid, dof, 1.0)), np.nan
        )
    degenerate = np.any(c_boot < 0.5 * t_crit[:, :, None], axis=2)
    critical = np.where(degenerate[:, :, None], t_crit[:, :, None], c_boot)
    p_value = np.where(degenerate, p_t, p_boot)
    return critical, p_value
