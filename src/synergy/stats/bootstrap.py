"""Bootstrap intervals and p-values of synergy scores, batched over blocks and resamples.

Both methods turn each block into ``n_boot`` resampled replicate-mean surfaces, stack the
resamples of many blocks along ``block`` (a screen of ``b · n_boot`` blocks, in chunks of
at most ``max_resampled``), score that screen once with the same model functions as
:func:`synergy.score` (single-drug fits and ZIP slices refitted for every resample, in
batched kernel calls), and reduce over the resamples.  Draws are keyed by (seed, block id,
resample, well), the well numbered on the block's own grid (:mod:`synergy.stats.resampling`,
docs/design.md §16.3), so results do not depend on the chunking, the order of blocks, the
number of workers or the grid a block is padded to.  Both layouts go through one path: an
N-drug block's wells are resampled as one row of its grid.

``method="resample"`` (default)
    Residual bootstrap (:mod:`synergy.stats.noise`): every well's replicate mean is moved by
    the mean of ``n`` draws from its block's pool of scaled replicate deviations (the
    small-K correction of docs/design.md §6.14), or of fitted-surface residuals when the block
    has no replicates.  Interval: percentile ``[(1 − ci)/2, (1 + ci)/2]`` of the resampled
    scores.  p-value of "score ≠ 0": ``2·Φ(−|s| / se)`` with ``s`` the block's score and
    ``se`` the standard deviation of its resampled scores — a Wald test with a bootstrap
    standard error, continuous (not limited to multiples of 1/n_boot) and uniform under the
    null when the score is close to normal (a mean over ≥ 9 wells).
``method="synergyfinder"``
    SynergyFinder 3.7's own (``CalculateSynergy`` and ``.Bootstrapping`` in
    ``R/calculate_synergy_score.R``): with replicates, each iteration draws every well as the
    mean of ``n`` draws from N(mean, sd²) of its ``n`` replicates (drawn here in one normal
    of sd/√n — the same distribution, not R's stream), rescores, and ``z = |mean_i S_i| /
    sd_i(S_i)`` over the iterations' block scores ``S_i`` gives ``p = exp(−0.717 z −
    0.416 z²)``; the interval is the percentile interval of the ``S_i`` (SynergyFinder shows
    the 2.5/97.5 % quantiles per well) and ``<model>_score_boot_mean`` is the mean of the
    ``S_i`` (the number SynergyFinder reports as the score).  Without replicates: ``z =
    |mean δ| / sd(δ)`` over the block's combination wells, same formula, no interval.
    A well with one replicate has sd 0 here (R would produce NaN).

With ``correct_baseline`` (:mod:`synergy.models.baseline`) the resamples are drawn around the
corrected responses and the baseline is not re-estimated per resample (SynergyFinder corrects
each bootstrap draw).  Fitted-surface residuals (blocks without replicates) need a dose grid:
N-drug blocks without replicates get no interval.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import xarray as xr
from scipy import special

from synergy.cleaning import hold_imputed, restore_imputed
from synergy.errors import SynergyError
from synergy.io.layout import cell_array, cell_dims, drug_axes, flat_doses, flat_values
from synergy.models import registry
from synergy.models.dispatch import Rescore, rescore_function
from synergy.stats.resampling import (
    NOISE_MEANINGS,
    block_keys,
    own_grid_reduce,
    resample_grid,
    resample_means,
    resampled_screen,
)

__all__ = [
    "BOOTSTRAP_METHODS",
    "block_keys",
    "bootstrap",
    "pvalue_notes",
    "resample_means",
    "sf_pvalue",
]

BOOTSTRAP_METHODS = ("resample", "synergyfinder")
MAX_RESAMPLED = 20_000


def sf_pvalue(z: np.ndarray) -> np.ndarray:
    """SynergyFinder's p-value from a z statistic: ``exp(−0.717 z − 0.416 z²)``.

    (Altman & Bland 2011, BMJ 343:d2304, approximation of the two-sided normal p-value.)
    """
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-0.717 * z - 0.416 * z * z)


def nanquantile(values: np.ndarray, q: float, axis: int) -> np.ndarray:
    """``np.nanquantile`` (linear interpolation, R's type 7) without its per-row Python loop.

    Sorts once along ``axis`` (NaN last) and interpolates at ``q·(n − 1)`` with ``n`` the
    finite count; NaN where ``n`` is 0.
    """
    x = np.sort(np.moveaxis(values, axis, -1), axis=-1)
    n = np.isfinite(x).sum(axis=-1)
    pos = q * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    x_lo = np.take_along_axis(x, lo[..., None], axis=-1)[..., 0]
    x_hi = np.take_along_axis(x, hi[..., None], axis=-1)[..., 0]
    frac = pos - lo
    with np.errstate(invalid="ignore"):
        out = np.where(frac > 0, x_lo + frac * (x_hi - x_lo), x_lo)
    return np.where(n > 0, out, np.nan)


def _reduce_block(boot, score, delta, combo, extents, noise, method, ci, n_boot):
    """Per-block interval, SE, p-value, counts and mean from resampled scores ``boot`` (B, N).

    ``delta`` and ``combo`` are the blocks' δ and combination wells on the resampler's grid,
    ``extents`` each block's own grid on it (reductions over wells use only that grid).
    An interval needs at least half the resamples finite and a noise estimate; otherwise
    it is NaN (``<model>_n_boot`` and ``bootstrap_noise`` say why).
    """
    n_ok = np.isfinite(boot).sum(axis=1)
    enough = (n_ok >= max(2, n_boot // 2)) & (noise != 2) & np.isfinite(score)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", category=RuntimeWarning)
        low = nanquantile(boot, (1 - ci) / 2, axis=1)
        high = nanquantile(boot, (1 + ci) / 2, axis=1)
        se = np.nanstd(boot, axis=1, ddof=1)
        boot_mean = np.nanmean(boot, axis=1)
        if method == "synergyfinder":
            pvalue = np.where(enough, sf_pvalue(np.abs(boot_mean) / se), np.nan)
            # blocks without replicates: z from the spread of the block's well scores
            d = np.where(combo, delta, np.nan)
            mean_d = own_grid_reduce(d, extents, lambda x: np.nanmean(x, axis=1))
            sd_d = own_grid_reduce(d, extents, lambda x: np.nanstd(x, axis=1, ddof=1))
            z_wells = np.abs(mean_d) / sd_d
            norep = (noise == 2) & np.isfinite(score)
            pvalue = np.where(norep, sf_pvalue(z_wells), pvalue)
        else:
            pvalue = np.where(enough & (se > 0), 2.0 * special.ndtr(-np.abs(score) / se), np.nan)
    low, high, se, boot_mean = (np.where(enough, v, np.nan) for v in (low, high, se, boot_mean))
    return low, high, se, pvalue, n_ok, boot_mean


def pvalue_notes(
    pvalue: np.ndarray, score: np.ndarray, noise: np.ndarray, n_ok: np.ndarray, n_boot: int
) -> np.ndarray:
    """Why each block's bootstrap p-value is NaN, in words ("" where it is not NaN).

    Parameters
    ----------
    pvalue, score : ndarray (B,)
        The blocks' p-values and scores.
    noise : ndarray (B,) int
        ``bootstrap_noise`` codes (``NOISE_MEANINGS``).
    n_ok : ndarray (B,) int
        Resamples with a finite score.
    n_boot : int
        Resamples drawn per block.

    Returns
    -------
    ndarray (B,) of str
    """
    need = max(2, n_boot // 2)
    why = np.select(
        [~np.isfinite(score), noise == 2, n_ok < need],
        [
            "no score for this block (see status_reason)",
            "no noise estimate (no replicates, no fitted-surface residuals)",
            f"fewer than {need} of {n_boot} resamples gave a score (see the n_boot variable)",
        ],
        default="every resample gave the same score: no spread to test against",
    )
    return np.where(np.isfinite(pvalue), "", why).astype(str)


def bootstrap(
    scored: xr.Dataset,
    models: Sequence[str],
    *,
    n_boot: int,
    ci: float = 0.95,
    seed: int | None = None,
    method: str = "resample",
    convention: str = "synergyfinder3",
    fitter: str = "drc",
    loewe_solver: str = "grid100",
    rescore: Rescore | None = None,
    well_intervals: bool = False,
    max_resampled: int = MAX_RESAMPLED,
) -> xr.Dataset:
    """Bootstrap intervals and p-values of every block score (see the module docstring).

    Parameters
    ----------
    scored : xarray.Dataset
        A screen scored by :func:`synergy.score` with ``models`` (``<model>_score`` and the
        δ surfaces ``<model>`` are read).
    models : sequence of str
        Models to bootstrap.
    n_boot : int
        Resamples per block (≥ 2; SynergyFinder uses 10 iterations).
    ci : float
        Interval level, e.g. 0.95.
    seed : int, optional
        Seed of the draws (0 when None, so results are reproducible by default).
    method : {"resample", "synergyfinder"}
        Default residual bootstrap, or SynergyFinder 3's parametric bootstrap.
    convention, fitter, loewe_solver : str
        As in :func:`synergy.score`; every resample is refitted with ``fitter``.  Used when
        ``rescore`` is not given.
    rescore : callable, optional
        ``rescore(screen, models) -> {model: Dataset}`` scoring the resampled screens
        (:func:`synergy.score` passes its own; default
        :func:`synergy.models.dispatch.rescore_function` of the three settings above).
    well_intervals : bool
        Also return per-well intervals ``<model>_low``/``<model>_high`` on the screen's
        cells: (block, row, col) for pairs, (block, well) for N drugs.
    max_resampled : int
        Resampled blocks scored per call (memory bound; results do not depend on it).

    Returns
    -------
    xarray.Dataset
        Per model ``m`` (block): ``m_score_low``, ``m_score_high`` (% points), ``m_score_se``
        (bootstrap standard error), ``m_pvalue``, ``m_pvalue_note`` (why the p-value is
        NaN, :func:`~synergy.stats.bootstrap.pvalue_notes`; "" where it is not),
        ``m_n_boot`` (resamples with a
        finite score); with ``method="synergyfinder"`` also ``m_score_boot_mean``;
        ``bootstrap_noise`` (block: where the noise estimate came from); per well on request
        ``m_low``, ``m_high``.
    """
    if method not in BOOTSTRAP_METHODS:
        raise SynergyError(f"bootstrap must be one of {BOOTSTRAP_METHODS}, got {method!r}")
    if int(n_boot) < 2:
        raise SynergyError(f"n_boot must be at least 2 for intervals, got {n_boot!r}")
    resampled = [n for n in registry.model_names() if registry.get(n).bootstrap]
    other = [m for m in models if m not in resampled]
    if other:
        raise SynergyError(
            f"the bootstrap resamples the scores of {tuple(resampled)}, not {other}: MuSyC, "
            "Zimmer, BRAID and CI report their own intervals"
        )
    if rescore is None:
        rescore = rescore_function(convention, loewe_solver, fitter)
    n_boot = int(n_boot)
    seed = 0 if seed is None else int(seed)
    grid, extents = resample_grid(scored)  # pairs (R, C); N drugs' wells as one row (1, W)
    n_block, n_well = scored.sizes["block"], grid[0] * grid[1]
    response = np.asarray(flat_values(scored, "response"), dtype=np.float64)
    response = response.reshape(n_block, *grid, -1)
    _, doses, axes = drug_axes(scored)
    # fitted-surface residuals need a dose grid: each drug's doses along its own cell axis
    on_grid = sorted(axes) == sorted(cell_dims(scored)) and len(axes) == 2
    grid_doses = [np.asarray(d, dtype=np.float64) for d in doses] if on_grid else None
    held = None
    if "imputed" in scored:  # imputed values are not resampled (design §18)
        imputed = flat_values(scored, "imputed").reshape(response.shape)
        response, held = hold_imputed(response, imputed)
    ids = [str(b) for b in scored["block"].values]
    boot = {m: np.full((n_block, n_boot), np.nan) for m in models}
    lo_q, hi_q = (1 - ci) / 2, (1 + ci) / 2
    wells = {m: np.full((2, n_block, n_well), np.nan) for m in models if well_intervals}
    noise = np.zeros(n_block, dtype=np.int8)
    cells = cell_dims(scored)
    step = max(1, max_resampled // n_boot)
    for start in range(0, n_block, step):
        part = slice(start, min(start + step, n_block))
        rows, cols = (None, None) if grid_doses is None else (d[part] for d in grid_doses)
        means, noise[part] = resample_means(
            response[part], rows, cols, ids[part], n_boot, seed, method,
            block_cols=extents[part, 1],
        )  # fmt: skip
        if held is not None:
            means = restore_imputed(means, held[part])
        rs = resampled_screen(scored, np.arange(n_block)[part], means)
        results = rescore(rs, tuple(models))
        for m, res in results.items():
            boot[m][part] = res[f"{m}_score"].values.reshape(-1, n_boot)
            if well_intervals:
                delta = res[m].transpose("block", *cells).values.reshape(-1, n_boot, n_well)
                wells[m][0, part] = nanquantile(delta, lo_q, axis=1)
                wells[m][1, part] = nanquantile(delta, hi_q, axis=1)
    # the block score's wells: every drug present
    combo = np.all(flat_doses(scored) > 0, axis=2).reshape(n_block, *grid)
    block = scored["block"].values
    out: dict[str, xr.DataArray] = {}

    def var(values, long_name, units="%"):
        attrs = {"long_name": long_name, "bootstrap": method, "n_boot": n_boot, "ci": ci}
        if units:
            attrs["units"] = units
        return xr.DataArray(values, dims=("block",), coords={"block": block}, attrs=attrs)

    for m in models:
        score = np.asarray(scored[f"{m}_score"].values, dtype=np.float64)
        delta = np.asarray(flat_values(scored, m), dtype=np.float64).reshape(combo.shape)
        low, high, se, pvalue, n_ok, boot_mean = _reduce_block(
            boot[m], score, delta, combo, extents, noise, method, ci, n_boot
        )
        pct = f"{100 * ci:g} %"
        out[f"{m}_score_low"] = var(low, f"lower bound of the {pct} bootstrap interval of {m}")
        out[f"{m}_score_high"] = var(high, f"upper bound of the {pct} bootstrap interval of {m}")
        out[f"{m}_score_se"] = var(se, f"bootstrap standard error of {m}_score")
        test = "SynergyFinder's exp(-0.717z-0.416z^2)" if method == "synergyfinder" else "Wald"
        out[f"{m}_pvalue"] = var(pvalue, f"p-value of {m}_score != 0 ({test})", units="")
        notes = pvalue_notes(pvalue, score, noise, n_ok, n_boot)
        out[f"{m}_pvalue_note"] = var(notes, f"why {m}_pvalue is NaN ('': it is not)", units="")
        out[f"{m}_n_boot"] = var(n_ok, "resamples with a finite score", units="")
        if method == "synergyfinder":
            out[f"{m}_score_boot_mean"] = var(
                boot_mean, f"mean of the resampled {m} scores (SynergyFinder's reported score)"
            )
        if well_intervals:
            for k, name in enumerate(("low", "high")):
                vals = np.where((noise != 2)[:, None], wells[m][k], np.nan)
                attrs = {"units": "%", "long_name": f"{name} bound of the {pct} interval of δ"}
                out[f"{m}_{name}"] = cell_array(scored, vals, attrs=attrs)
    codes = sorted(NOISE_MEANINGS)
    out["bootstrap_noise"] = xr.DataArray(
        noise,
        dims=("block",),
        coords={"block": block},
        attrs={
            "long_name": "where the bootstrap's noise came from (no_noise_estimate: no interval)",
            "flag_values": np.array(codes, dtype=np.int8),
            "flag_meanings": " ".join(NOISE_MEANINGS[c] for c in codes),
            "bootstrap": method,
        },
    )
    return xr.Dataset(out)
