"""Agreement statistics of paired scores (ours vs published): correlations with Fisher-z
intervals, absolute differences, Bland–Altman bias and limits of agreement, ROC AUC."""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["agreement", "fisher_ci", "roc_auc"]

_Z975 = 1.959963984540054


def fisher_ci(r: float, n: int, level: float = 0.95, se_factor: float = 1.0) -> tuple[float, float]:
    """Confidence interval of a correlation by Fisher's z transform.

    ``z = artanh(r)``, interval ``tanh(z ± q · se_factor / sqrt(n − 3))`` with ``q`` the
    normal quantile of ``level``.  ``se_factor = 1`` for Pearson's r; 1.06 for Spearman's ρ
    (Fieller, Hartley & Pearson 1957).  NaN for n < 4; ``(r, r)`` when |r| = 1.

    Parameters
    ----------
    r : float
        Sample correlation.
    n : int
        Number of pairs.
    level : float
        Confidence level.
    se_factor : float
        Multiplier of the standard error ``1 / sqrt(n − 3)``.

    Returns
    -------
    (lower, upper) : tuple of float
    """
    if n < 4 or not np.isfinite(r):
        return float("nan"), float("nan")
    if abs(r) >= 1.0:
        return float(r), float(r)
    q = stats.norm.ppf(0.5 + level / 2.0)
    z = np.arctanh(r)
    half = q * se_factor / np.sqrt(n - 3)
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def agreement(ours: np.ndarray, theirs: np.ndarray, tolerance: float) -> dict[str, float]:
    """Agreement of paired scores (pairs with a NaN on either side are left out and counted).

    Parameters
    ----------
    ours, theirs : ndarray (n,)
        Paired scores, % points.
    tolerance : float
        Largest |ours − theirs| counted as agreeing, % points.

    Returns
    -------
    dict
        ``n`` (pairs used), ``n_missing`` (pairs with a NaN), ``pearson_r`` with
        ``pearson_lower``/``pearson_upper`` (95 %, Fisher z), ``spearman_rho`` with
        ``spearman_lower``/``spearman_upper`` (95 %, Fisher z with se × 1.06),
        ``mean_abs_diff``, ``median_abs_diff``, ``max_abs_diff``, ``within_tolerance`` and
        ``within_1`` (shares of pairs with |diff| ≤ tolerance / ≤ 1 point), ``n_outside``
        (pairs beyond tolerance), ``bias`` (mean of ours − theirs), ``loa_lower`` and
        ``loa_upper`` (Bland–Altman limits of agreement, bias ± 1.96 SD of the differences).
        Correlations are NaN with fewer than 3 pairs or a constant side.
    """
    ours = np.asarray(ours, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    ok = np.isfinite(ours) & np.isfinite(theirs)
    x, y = ours[ok], theirs[ok]
    n = int(ok.sum())
    diff = x - y
    out: dict[str, float] = {"n": n, "n_missing": int((~ok).sum())}
    varied = n >= 3 and np.ptp(x) > 0 and np.ptp(y) > 0
    r = float(stats.pearsonr(x, y)[0]) if varied else float("nan")
    rho = float(stats.spearmanr(x, y)[0]) if varied else float("nan")
    out["pearson_r"] = r
    out["pearson_lower"], out["pearson_upper"] = fisher_ci(r, n)
    out["spearman_rho"] = rho
    out["spearman_lower"], out["spearman_upper"] = fisher_ci(rho, n, se_factor=1.06)
    absdiff = np.abs(diff)
    nan = float("nan")
    out["mean_abs_diff"] = float(absdiff.mean()) if n else nan
    out["median_abs_diff"] = float(np.median(absdiff)) if n else nan
    out["max_abs_diff"] = float(absdiff.max()) if n else nan
    out["within_tolerance"] = float(np.mean(absdiff <= tolerance)) if n else nan
    out["within_1"] = float(np.mean(absdiff <= 1.0)) if n else nan
    out["n_outside"] = int(np.sum(absdiff > tolerance))
    bias = float(diff.mean()) if n else nan
    sd = float(diff.std(ddof=1)) if n > 1 else nan
    out["bias"] = bias
    out["loa_lower"] = bias - _Z975 * sd
    out["loa_upper"] = bias + _Z975 * sd
    return out


def roc_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Area under the ROC curve of a score separating positives from negatives.

    The Mann–Whitney form: P(score of a positive > score of a negative) + ½ P(tie), over
    the finite scores (NaN if a side has none).
    """
    pos = np.asarray(positive, dtype=np.float64)
    neg = np.asarray(negative, dtype=np.float64)
    pos, neg = pos[np.isfinite(pos)], neg[np.isfinite(neg)]
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    ranks = stats.rankdata(np.concatenate([pos, neg]))
    u = ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2.0
    return float(u / (pos.size * neg.size))
