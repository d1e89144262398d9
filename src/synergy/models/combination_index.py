"""Chou–Talalay combination index (CI) and dose-reduction index (DRI).

Definitions (Chou & Talalay, Adv Enzyme Regul 22:27–55, 1984; Chou, Pharmacol Rev
58:621–681, 2006), with the fraction affected ``fa = inhibition / 100`` of the replicate
means and ``fu = 1 − fa``:

- **Median-effect equation** of each drug alone: ``fa / fu = (D / Dm)**m``.  Fitted as the
  least-squares line ``ln(fa/fu) = m ln D − m ln Dm`` through the single-drug wells with
  ``D > 0`` and ``0 < fa < 1`` (wells outside (0, 1) have no logit and are left out, as in
  CompuSyn); ``r`` is the line's correlation coefficient.  ``m`` is the slope, ``Dm`` the
  median-effect dose (in ``conc_unit``).
- **Dose for an effect**: ``Dx(fa) = Dm (fa / (1 − fa))**(1/m)``.
- **CI at a measured combination well** (doses d1, d2, observed fa in (0, 1)), the
  mutually exclusive form: ``CI = d1 / Dx1(fa) + d2 / Dx2(fa)``; CI < 1 synergy, = 1
  additive (Loewe), > 1 antagonism.  **DRI**: ``DRI_i = Dx_i(fa) / d_i`` (how many fold
  the dose of drug i alone would have to be).
- **Constant-ratio series**: combination wells whose dose ratio ``d1 / d2`` is the same
  (a diagonal of a matrix with equal dilution steps).  The mixture's total dose
  ``D = d1 + d2`` gets its own median-effect line (``m12``, ``Dm12``); at
  ``fa ∈ {0.5, 0.75, 0.9}`` the mixture dose ``Dx12(fa)`` splits into
  ``d1 = Dx12 · p``, ``d2 = Dx12 · (1 − p)``, ``p = d1 / (d1 + d2)``, and
  ``CI(fa) = d1 / Dx1(fa) + d2 / Dx2(fa)``.  A block's reported series is the one with
  the most wells (at least 3 usable), ties broken by the ratio closest to ``Dm1 / Dm2``.
  A Loewe-additive mixture follows the median-effect law exactly only when ``m1 = m2``;
  otherwise its line is Chou's log-linear approximation and ``CI(fa)`` of an additive pair
  departs from 1 (by about 0.1 for slopes 1.5 and 0.8), while the well CIs stay exact.

Responses are % inhibition; effects are not rescaled to the control (``fa = 0`` is 0 %
inhibition).  A drug whose median-effect slope is not positive has no ``Dx``.
"""

from __future__ import annotations

import warnings

import numpy as np
import xarray as xr

from synergy import status as status_codes
from synergy._kernels.surface import ordered_sum
from synergy.models.common import doses, observed_surface

__all__ = ["FA_LEVELS", "STATUS_MEANINGS", "combination_index", "median_effect_fit"]

FA_LEVELS = (0.5, 0.75, 0.9)
MIN_POINTS = 2  # points of a median-effect line (CompuSyn's minimum)
MIN_SERIES = 3  # usable wells of a constant-ratio series
POOR_R = 0.9  # |r| below this is flagged
STATUS_MEANINGS = status_codes.meanings("ci")  # words and explanations: synergy.status


def median_effect_fit(dose: np.ndarray, fa: np.ndarray) -> tuple[np.ndarray, ...]:
    """Median-effect lines of many dose–effect series at once (NaN-aware).

    Parameters
    ----------
    dose : (..., N) doses (> 0 used; NaN or ≤ 0 ignored)
    fa : (..., N) fractions affected (points outside (0, 1) or NaN ignored)

    Returns
    -------
    dm : (...) median-effect dose ``Dm`` (dose unit); NaN when fewer than 2 points or
        the slope is not positive
    m : (...) slope of ``ln(fa/fu)`` on ``ln D`` (NaN when fewer than 2 points)
    r : (...) correlation coefficient
    n : (...) points used
    """
    with np.errstate(all="ignore"):
        use = (dose > 0) & (fa > 0) & (fa < 1) & np.isfinite(dose) & np.isfinite(fa)
        x = np.where(use, np.log(np.where(use, dose, 1.0)), 0.0)
        y = np.where(use, np.log(np.where(use, fa, 0.5) / (1 - np.where(use, fa, 0.5))), 0.0)
        n = use.sum(axis=-1)
        mx = ordered_sum(x) / n
        my = ordered_sum(y) / n
        dx = np.where(use, x - mx[..., None], 0.0)
        dy = np.where(use, y - my[..., None], 0.0)
        sxx = ordered_sum(dx * dx)
        sxy = ordered_sum(dx * dy)
        syy = ordered_sum(dy * dy)
        m = np.where((n >= MIN_POINTS) & (sxx > 0), sxy / sxx, np.nan)
        r = np.where(np.isfinite(m) & (syy > 0), sxy / np.sqrt(sxx * syy), np.nan)
        dm = np.where(m > 0, np.exp(mx - my / m), np.nan)
    return dm, m, r, n


def dose_for_effect(fa: np.ndarray, dm: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``Dx = Dm (fa / (1 − fa))**(1/m)``; NaN outside 0 < fa < 1 or without a line."""
    with np.errstate(all="ignore"):
        ok = (fa > 0) & (fa < 1) & (m > 0)
        return np.where(ok, dm * (fa / (1 - fa)) ** (1 / m), np.nan)


def _series(conc_row, conc_col, fa, dm_row, dm_col):
    """Best constant-ratio series per block: (mask (B, R, C), share of drug 1 p (B,))."""
    n_block, n_row, n_col = fa.shape
    with np.errstate(all="ignore"):
        log_ratio = np.log(conc_row)[:, :, None] - np.log(conc_col)[:, None, :]
    usable = (conc_row[:, :, None] > 0) & (conc_col[:, None, :] > 0) & (fa > 0) & (fa < 1)
    best = np.zeros(n_block, dtype=np.int64)
    best_gap = np.full(n_block, np.inf)
    best_mask = np.zeros(fa.shape, dtype=bool)
    with np.errstate(all="ignore"):
        target = np.log(dm_row / dm_col)
    rows, cols = np.indices((n_row, n_col))
    for offset in range(-(n_col - 1), n_row):
        on_diag = (rows - cols) == offset
        ratio = np.where(on_diag & usable, log_ratio, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            centre = np.nanmedian(ratio.reshape(n_block, -1), axis=1)
        same = on_diag & usable & (np.abs(log_ratio - centre[:, None, None]) < 1e-6)
        count = same.sum(axis=(1, 2))
        gap = np.abs(centre - target)
        gap = np.where(np.isfinite(gap), gap, np.inf)
        better = (count >= MIN_SERIES) & ((count > best) | ((count == best) & (gap < best_gap)))
        best = np.where(better, count, best)
        best_gap = np.where(better, gap, best_gap)
        best_mask[better] = same[better]
    d1 = np.where(best_mask, np.broadcast_to(conc_row[:, :, None], fa.shape), np.nan)
    d2 = np.where(best_mask, np.broadcast_to(conc_col[:, None, :], fa.shape), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        share = np.nanmedian((d1 / (d1 + d2)).reshape(n_block, -1), axis=1)
    return best_mask, share


def combination_index(screen: xr.Dataset) -> xr.Dataset:
    """Chou–Talalay CI and DRI of every block (definitions in the module docstring).

    Parameters
    ----------
    screen : xarray.Dataset
        A screen (docs/design.md §1), % inhibition; replicates are averaged per well.

    Returns
    -------
    xarray.Dataset
        - ``ci`` (block, row, col): CI at each measured combination well with
          0 < fa < 1 (NaN elsewhere); ``ci_dri_row``/``ci_dri_col``: DRI of each drug;
        - ``ci_median_effect`` (block, ci_drug = row/col/mixture, ci_param = dm/m/r/n):
          median-effect lines (``dm`` in ``conc_unit``; the mixture's is in total dose);
        - ``ci_at_fa`` (block, fa), ``ci_dri_row_at_fa``, ``ci_dri_col_at_fa``: CI and DRI
          of the constant-ratio series at fa = 0.5, 0.75, 0.9; ``ci_series_ratio``
          (block): its d1/d2; ``ci_series_n_wells``;
        - ``ci_n_wells`` (block): combination wells with a CI; ``ci_log_mean`` (block):
          mean ln CI over them (< 0 synergy on average);
        - ``ci_status`` (block): :data:`STATUS_MEANINGS` with CF flag attrs.
    """
    fa = observed_surface(screen) / 100.0
    conc_row, conc_col = doses(screen)
    n_block = fa.shape[0]
    fits = {}
    fits["row"] = median_effect_fit(conc_row[:, 1:], fa[:, 1:, 0])
    fits["col"] = median_effect_fit(conc_col[:, 1:], fa[:, 0, 1:])
    (dm1, m1, r1, n1), (dm2, m2, r2, n2) = fits["row"], fits["col"]
    x1 = np.broadcast_to(conc_row[:, :, None], fa.shape)
    x2 = np.broadcast_to(conc_col[:, None, :], fa.shape)
    combo = (x1 > 0) & (x2 > 0) & np.isfinite(fa)
    dx1 = dose_for_effect(fa, dm1[:, None, None], m1[:, None, None])
    dx2 = dose_for_effect(fa, dm2[:, None, None], m2[:, None, None])
    with np.errstate(all="ignore"):
        ci = np.where(combo, x1 / dx1 + x2 / dx2, np.nan)
        dri1 = np.where(combo, dx1 / x1, np.nan)
        dri2 = np.where(combo, dx2 / x2, np.nan)
    n_wells = np.isfinite(ci).sum(axis=(1, 2))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        log_ci = np.log(ci)  # mean over the non-NaN wells, added in well order (§16)
        counted = ~np.isnan(log_ci)
        log_mean = ordered_sum(np.where(counted, log_ci, 0.0), 2) / counted.sum(axis=(1, 2))

    mask, share = _series(conc_row, conc_col, fa, dm1, dm2)
    total = np.where(mask, x1 + x2, np.nan)
    dm12, m12, r12, n12 = median_effect_fit(
        total.reshape(n_block, -1), np.where(mask, fa, np.nan).reshape(n_block, -1)
    )
    levels = np.asarray(FA_LEVELS)[None, :]
    dx12 = dose_for_effect(levels, dm12[:, None], m12[:, None])
    with np.errstate(all="ignore"):
        d1_fa = dx12 * share[:, None]
        d2_fa = dx12 * (1 - share[:, None])
        dx1_fa = dose_for_effect(levels, dm1[:, None], m1[:, None])
        dx2_fa = dose_for_effect(levels, dm2[:, None], m2[:, None])
        ci_fa = d1_fa / dx1_fa + d2_fa / dx2_fa
        ratio = share / (1 - share)

    status = np.zeros(n_block, dtype=np.int8)
    status[~np.isfinite(dm12)] = 1
    poor = (np.abs(r1) < POOR_R) | (np.abs(r2) < POOR_R)
    status[poor] = 8
    status[(n_wells == 0) & (combo.sum(axis=(1, 2)) == 0)] = 12
    status[~np.isfinite(dm1) | ~np.isfinite(dm2)] = 11
    status[(n1 < MIN_POINTS) | (n2 < MIN_POINTS)] = 10

    block = screen["block"].values
    coords = {"block": block}
    surf = ("block", "row", "col")

    def var(dims, values, **attrs):
        return xr.DataArray(values, dims=dims, coords=coords, attrs=attrs)

    lines = np.stack(
        [np.stack(f, axis=-1) for f in (fits["row"], fits["col"], (dm12, m12, r12, n12))],
        axis=1,
    ).astype(np.float64)
    codes = tuple(sorted(STATUS_MEANINGS))
    out = xr.Dataset(
        {
            "ci": var(surf, ci, long_name="Chou-Talalay combination index (< 1 synergy)"),
            "ci_dri_row": var(surf, dri1, long_name="dose-reduction index, row drug"),
            "ci_dri_col": var(surf, dri2, long_name="dose-reduction index, column drug"),
            "ci_median_effect": var(
                ("block", "ci_drug", "ci_param"), lines,
                long_name="median-effect lines ln(fa/fu) = m ln(D/Dm)",
                units="dm: conc_unit (mixture: total dose); m, r: 1; n: points",
            ),
            "ci_at_fa": var(("block", "fa"), ci_fa, long_name="CI of the constant-ratio series"),
            "ci_dri_row_at_fa": var(("block", "fa"), dx1_fa / d1_fa, long_name="DRI, row drug"),
            "ci_dri_col_at_fa": var(("block", "fa"), dx2_fa / d2_fa, long_name="DRI, col drug"),
            "ci_series_ratio": var(("block",), ratio, long_name="d_row / d_col of the series"),
            "ci_series_n_wells": var(("block",), mask.sum(axis=(1, 2)), long_name="series wells"),
            "ci_n_wells": var(("block",), n_wells, long_name="combination wells with a CI"),
            "ci_log_mean": var(("block",), log_mean, long_name="mean ln CI over the wells"),
            "ci_status": var(
                ("block",), status, long_name="status of the combination index",
                flag_values=np.asarray(codes, dtype=np.int8),
                flag_meanings=" ".join(STATUS_MEANINGS[c] for c in codes),
                comment="0 ok; 1 note; 8 warning; >= 10 failed (no CI)",
            ),
        }
    )  # fmt: skip
    return out.assign_coords(
        ci_drug=("ci_drug", ["row", "col", "mixture"]),
        ci_param=("ci_param", ["dm", "m", "r", "n"]),
        fa=("fa", list(FA_LEVELS)),
    )
