"""Plate quality control: control statistics, spatial effects, read drift (docs/design.md §15).

Per plate, from the raw signal of its controls (means and sample SDs):

- Z′ = 1 − 3 (σ_neg + σ_pos) / |μ_neg − μ_pos|  (Zhang et al. 1999), flagged below 0.5;
- SSMD = (μ_neg − μ_pos) / √(σ_neg² + σ_pos²);
- CVs of the negative and positive controls (%), signal-to-background μ_neg / μ_pos and
  signal window (|μ_neg − μ_pos| − 3 (σ_neg + σ_pos)) / σ_neg;

from the normalised response (:mod:`synergy.plates.spatial`): the largest row and column
factor of a median polish of log signal ratios, as % of the cell signal (flagged beyond
15 %), and the edge effect, mean log ratio of the outer-ring wells minus that of the inner
wells, as % of the cell signal, with Welch's t test (flagged beyond 10 % with p < 0.001);
a row or column effect counts only when it stands out of the well noise (its z, the
effect over the SE of a median, 1.253 σ / √n with σ the robust SD of the polish remainder,
at least 4);
from the negative controls' signal: the drift along the read order, median of the wells
read in the second half of the plate (rows read in order) minus the first half, in % of
the plate's negative median (flagged beyond 10 %).  Thresholds: :data:`QC_THRESHOLDS`.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy import stats

from synergy.plates.spatial import spatial_effects

__all__ = ["QC_FLAGS", "QC_THRESHOLDS", "SPATIAL_FLAGS", "qc"]

QC_FLAGS = {
    1: "z_prime_low",
    2: "row_effect",
    4: "column_effect",
    8: "edge_effect",
    16: "read_drift",
    32: "no_positive_control",
}
QC_THRESHOLDS = {
    "z_prime_min": 0.5,
    "row_effect_max": 15.0,
    "col_effect_max": 15.0,
    "edge_effect_max": 10.0,
    "edge_alpha": 1e-3,
    "drift_max": 10.0,
    "effect_z_min": 4.0,
}


def _moments(signal: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = mask.sum(axis=(1, 2)).astype(np.float64)
    x = np.where(mask, signal, 0.0)
    with np.errstate(all="ignore"):
        mean = x.sum(axis=(1, 2)) / n
        dev = np.where(mask, signal - mean[:, None, None], 0.0)
        sd = np.sqrt((dev**2).sum(axis=(1, 2)) / (n - 1))
    return mean, sd


def _welch(values: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean(group) − mean(rest) per plate and Welch's two-sided p (NaN-aware)."""
    seen = np.isfinite(values)
    a, b = seen & group, seen & ~group
    ma, sa = _moments(values, a)
    mb, sb = _moments(values, b)
    na, nb = a.sum(axis=(1, 2)), b.sum(axis=(1, 2))
    with np.errstate(all="ignore"):
        va, vb = sa**2 / na, sb**2 / nb
        t = (ma - mb) / np.sqrt(va + vb)
        dof = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    p = 2.0 * stats.t.sf(np.abs(t), dof)
    return ma - mb, p


SPATIAL_FLAGS = 2 | 4 | 8  # row, column, edge: they concern some wells of a plate


def _well_flags(
    flags: np.ndarray, bad_row: np.ndarray, bad_col: np.ndarray, ring: np.ndarray
) -> np.ndarray:
    """(plate, row, col) flags: spatial ones on the wells they concern, others everywhere."""
    out = np.broadcast_to((flags & ~SPATIAL_FLAGS)[:, None, None], (*bad_row.shape, ring.shape[1]))
    out = out | np.where(bad_row[:, :, None], 2, 0) | np.where(bad_col[:, None, :], 4, 0)
    out = out | np.where((flags[:, None, None] & 8 != 0) & ring[None], 8, 0)
    return out.astype(np.int16)


def _worst(labels: np.ndarray, effect: np.ndarray, bad: np.ndarray, word: str) -> str:
    """``row F: -49.8 %, row K: +16.2 %`` for the flagged rows (columns), worst first."""
    order = [i for i in np.argsort(-np.abs(effect), kind="stable") if bad[i]]
    return ", ".join(f"{word} {labels[i]}: {effect[i]:+.1f} %" for i in order[:4])


def qc(plates: xr.Dataset, **thresholds: float) -> xr.Dataset:
    """Quality-control statistics and flags of every plate.

    Parameters
    ----------
    plates : xarray.Dataset
        Normalised plates (:func:`synergy.plates.normalize`; normalised here if not).
    **thresholds : float
        Override :data:`QC_THRESHOLDS` (``z_prime_min``, ``row_effect_max``,
        ``col_effect_max``, ``edge_effect_max``, ``edge_alpha``, ``drift_max``).

    Returns
    -------
    xarray.Dataset
        Over ``plate``: ``z_prime``, ``ssmd``, ``cv_negative``, ``cv_positive`` (%),
        ``signal_to_background``, ``signal_window``, ``row_effect_max`` with
        ``worst_row``, ``col_effect_max`` with ``worst_col``, ``edge_effect`` (% of the
        cell signal) with ``edge_pvalue``, ``read_drift`` (%), ``qc_flags`` (bit mask,
        CF ``flag_masks``/``flag_meanings``) and ``qc_reason`` (words; "" when clean);
        over ``plate, qc_flag``: ``qc_flag_reason`` (the words of each flag); over
        ``plate, well_row, well_col``: ``well_flags``, the flags on the wells they concern
        (row and column effects on every row or column beyond its threshold, the edge
        effect on the outer ring; Z′, drift and a missing positive control on every well);
        ``attrs``: the thresholds used and ``run_drift`` (% change of the negative
        controls' median from the first plate read to the last, Theil-Sen slope).
    """
    unknown = set(thresholds) - set(QC_THRESHOLDS)
    if unknown:
        from synergy.errors import SynergyError

        raise SynergyError(f"unknown QC threshold {sorted(unknown)}; known: {list(QC_THRESHOLDS)}")
    limits = {**QC_THRESHOLDS, **thresholds}
    if "response" not in plates:
        from synergy.plates.normalise import normalize

        plates = normalize(plates)
    signal = np.asarray(plates["signal"].values, dtype=np.float64)
    role = np.asarray(plates["role"].values)
    mu_n, sd_n = _moments(signal, role == "negative")
    mu_p, sd_p = _moments(signal, role == "positive")
    with np.errstate(all="ignore"):
        z_prime = 1.0 - 3.0 * (sd_n + sd_p) / np.abs(mu_n - mu_p)
        ssmd = (mu_n - mu_p) / np.sqrt(sd_n**2 + sd_p**2)
        window = (np.abs(mu_n - mu_p) - 3.0 * (sd_n + sd_p)) / sd_n
        s_b = mu_n / mu_p
        cv_n, cv_p = 100.0 * sd_n / np.abs(mu_n), 100.0 * sd_p / np.abs(mu_p)
    effects = spatial_effects(plates)
    row = 100.0 * np.expm1(effects["row_effect"].values)  # % of the cell signal
    col = 100.0 * np.expm1(effects["col_effect"].values)
    n_plate, n_row, n_col = signal.shape
    noise = effects["noise"].values
    with np.errstate(all="ignore"):  # SE of a median of n wells: 1.253 σ / √n
        se_row = 1.253 * noise[:, None] / np.sqrt(effects["row_n"].values)
        se_col = 1.253 * noise[:, None] / np.sqrt(effects["col_n"].values)
        z_row = effects["row_effect"].values / se_row
        z_col = effects["col_effect"].values / se_col
    row = np.where(np.abs(z_row) >= limits["effect_z_min"], row, 0.0)  # not distinguishable
    col = np.where(np.abs(z_col) >= limits["effect_z_min"], col, 0.0)  # from the well noise
    worst_r = np.argmax(np.abs(row), axis=1)
    worst_c = np.argmax(np.abs(col), axis=1)
    row_max = row[np.arange(n_plate), worst_r]
    col_max = col[np.arange(n_plate), worst_c]
    r, c = np.indices((n_row, n_col))
    ring = (r == 0) | (r == n_row - 1) | (c == 0) | (c == n_col - 1)
    edge, edge_p = _welch(effects["residual"].values, np.broadcast_to(ring, signal.shape))
    edge = 100.0 * np.expm1(edge)
    first = np.broadcast_to(r < n_row // 2, signal.shape)
    neg = role == "negative"
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            early = np.nanmedian(np.where(neg & first, signal, np.nan), axis=(1, 2))
            late = np.nanmedian(np.where(neg & ~first, signal, np.nan), axis=(1, 2))
            centre = np.nanmedian(np.where(neg, signal, np.nan), axis=(1, 2))
        drift = 100.0 * (late - early) / centre
    order = np.asarray(plates["read_order"].values, dtype=np.float64)
    run_drift = float("nan")
    if n_plate > 1 and np.isfinite(centre).all():
        slope = stats.theilslopes(centre, order).slope  # robust to one odd plate
        run_drift = float(100.0 * slope * (order.max() - order.min()) / np.mean(centre))
    flags = np.zeros(n_plate, dtype=np.int16)
    flags |= np.where(z_prime < limits["z_prime_min"], 1, 0).astype(np.int16)
    flags |= np.where(np.abs(row_max) > limits["row_effect_max"], 2, 0).astype(np.int16)
    flags |= np.where(np.abs(col_max) > limits["col_effect_max"], 4, 0).astype(np.int16)
    edge_bad = (np.abs(edge) > limits["edge_effect_max"]) & (edge_p < limits["edge_alpha"])
    flags |= np.where(edge_bad, 8, 0).astype(np.int16)
    flags |= np.where(np.abs(drift) > limits["drift_max"], 16, 0).astype(np.int16)
    flags |= np.where(~np.isfinite(mu_p), 32, 0).astype(np.int16)
    rows = np.asarray(plates["well_row"].values).astype(str)
    cols = np.asarray(plates["well_col"].values).astype(str)
    bad_row = (np.abs(row) > limits["row_effect_max"]) & (flags[:, None] & 2 != 0)
    bad_col = (np.abs(col) > limits["col_effect_max"]) & (flags[:, None] & 4 != 0)
    well_flags = _well_flags(flags, bad_row, bad_col, ring)
    words = np.full((n_plate, len(QC_FLAGS)), "", dtype=object)
    for i in np.flatnonzero(flags):  # one short phrase per plate and flag
        words[i, 0] = f"z_prime_low (Z' = {z_prime[i]:.2f} < {limits['z_prime_min']})"
        words[i, 1] = "row_effect (" + _worst(rows, row[i], bad_row[i], "row") + ")"
        words[i, 2] = "column_effect (" + _worst(cols, col[i], bad_col[i], "column") + ")"
        words[i, 3] = f"edge_effect (edge wells {edge[i]:+.1f} %, p = {edge_p[i]:.1g})"
        words[i, 4] = f"read_drift ({drift[i]:+.1f} % along the read)"
        words[i, 5] = "no_positive_control (Z' undefined; negative-only normalisation)"
    bits = np.asarray(list(QC_FLAGS), dtype=np.int16)
    words = np.where(flags[:, None] & bits[None, :] != 0, words, "")
    reason = ["; ".join(w for w in line if w) for line in words]
    masks = bits
    return xr.Dataset(
        {
            "z_prime": ("plate", z_prime),
            "ssmd": ("plate", ssmd),
            "cv_negative": ("plate", cv_n, {"units": "%"}),
            "cv_positive": ("plate", cv_p, {"units": "%"}),
            "signal_to_background": ("plate", s_b),
            "signal_window": ("plate", window),
            "row_effect_max": ("plate", row_max, {"units": "% of signal"}),
            "worst_row": ("plate", rows[worst_r]),
            "col_effect_max": ("plate", col_max, {"units": "% of signal"}),
            "worst_col": ("plate", cols[worst_c]),
            "edge_effect": ("plate", edge, {"units": "% of signal"}),
            "edge_pvalue": ("plate", edge_p),
            "read_drift": ("plate", drift, {"units": "%"}),
            "qc_flags": (
                "plate",
                flags,
                {"flag_masks": masks, "flag_meanings": " ".join(QC_FLAGS.values())},
            ),
            "qc_reason": ("plate", np.asarray(reason, dtype=str)),
            "qc_flag_reason": (("plate", "qc_flag"), words.astype(str)),
            "well_flags": (
                ("plate", "well_row", "well_col"),
                well_flags,
                {
                    "flag_masks": masks,
                    "flag_meanings": " ".join(QC_FLAGS.values()),
                    "comment": "the plate's flags on the wells they concern: spatial flags "
                    "on the flagged rows, columns or edge ring; the others on every well",
                },
            ),
        },
        coords={
            "plate": plates["plate"],
            "well_row": plates["well_row"],
            "well_col": plates["well_col"],
            "qc_flag": ("qc_flag", list(QC_FLAGS.values())),
        },
        attrs={**{k: float(v) for k, v in limits.items()}, "run_drift": run_drift},
    )
