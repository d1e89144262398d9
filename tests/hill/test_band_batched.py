"""Batched confidence bands (``confidence_bands``, ``screen_bands``) against the per-curve
and per-block functions they vectorise."""

from __future__ import annotations

import numpy as np
import pytest

import synergy
from synergy.errors import SynergyError
from synergy.hill.band import block_band, confidence_band, confidence_bands, screen_bands
from synergy.hill.fit import HillFit
from synergy.hill.screen import single_drug_arrays

pytestmark = pytest.mark.filterwarnings("error")


def _grid(low: float, high: float, n: int = 24) -> np.ndarray:
    return np.concatenate([[0.0], np.geomspace(low, high, n - 1)])


def test_confidence_bands_equal_one_curve_at_a_time():
    rng = np.random.default_rng(3)
    params = np.column_stack(
        [
            rng.uniform(1, 500, 12),
            rng.uniform(0.3, 4, 12),
            rng.uniform(-5, 10, 12),
            rng.uniform(60, 110, 12),
        ]
    ).reshape(3, 4, 4)
    a = rng.normal(size=(3, 4, 4, 4))
    cov = 1e-2 * a @ np.swapaxes(a, -1, -2)
    cov[0, 1] = np.nan  # a curve without covariance
    params[2, 3] = np.nan  # a curve without a fit
    df = rng.integers(-1, 12, size=(3, 4)).astype(float)  # some without residual df
    doses = np.stack([_grid(p[0] / 50, p[0] * 50) for p in params.reshape(-1, 4)]).reshape(3, 4, -1)
    for dof in (None, df):
        fitted, lower, upper = confidence_bands(doses, params, cov, level=0.9, df=dof)
        for i in np.ndindex(3, 4):
            one_df = None if dof is None else float(dof[i])
            if not np.all(np.isfinite(params[i])):
                assert np.isnan(fitted[i]).all() and np.isnan(lower[i]).all()
                continue
            want = confidence_band(doses[i], params[i], cov[i], level=0.9, df=one_df)
            for got, ref in zip((fitted[i], lower[i], upper[i]), want, strict=True):
                np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)


def test_confidence_bands_refuse_bad_shapes_and_levels():
    with pytest.raises(SynergyError, match="level"):
        confidence_bands([1.0], np.ones(4), np.eye(4), level=1.0)
    with pytest.raises(SynergyError, match="covariance"):
        confidence_bands([1.0], np.ones((2, 4)), np.eye(4))


@pytest.mark.parametrize("name", ["menin_venetoclax", "sf_mathews"])
def test_screen_bands_equal_block_band_for_pairs(name):
    """Every block of two bundled screens (sf_mathews holds flat and degenerate fits)."""
    screen = synergy.score(synergy.datasets.load(name), ("zip",))
    n = screen.sizes["block"]
    doses = np.stack(
        [
            np.stack([_grid(1e-3, 1e4), _grid(2e-3, 5e3)])
            * (1 + 0.1 * i)  # each block its own doses
            for i in range(n)
        ]
    )
    fitted, lower, upper = screen_bands(screen, doses, level=0.95)
    assert fitted.shape == (n, 2, doses.shape[-1])
    has_band = 0
    for i in range(n):
        for k, side in enumerate(("row", "col")):
            want = block_band(screen, i, side, doses[i, k])
            for got, ref in zip((fitted[i, k], lower[i, k], upper[i, k]), want, strict=True):
                np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)
            has_band += bool(np.isfinite(want[1]).any())
    assert has_band > 0  # the comparison covered real bands, not only NaN


def test_screen_bands_follow_the_replicate_handling_of_the_fit():
    screen = synergy.hill.fit_screen(
        synergy.datasets.load("menin_venetoclax").isel(block=[0, 1, 2]),
        fitter="lsq",
        replicates="mean",
    )
    doses = _grid(1e-2, 1e3)
    _, lower, upper = screen_bands(screen, doses)
    for i in range(3):
        _, lo, hi = block_band(screen, i, "col", doses)
        np.testing.assert_allclose(lower[i, 1], lo, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(upper[i, 1], hi, rtol=1e-12, atol=1e-12)


def test_screen_bands_equal_the_per_block_band_for_n_drugs():
    """N-drug screens: the per-block band is the Wald covariance at the stored fit from the
    drug's single-drug wells of that block alone (as ``plot.drug_curves`` draws it)."""
    screen = synergy.datasets.simulate_multi(3, n_doses=6, noise_sd=3, n_replicates=2, seed=2)
    response = screen["response"].values.copy()
    response[2, 5:9] = np.nan  # a block with missing wells
    screen["response"].values = response
    scored = synergy.score(screen, ("zip", "loewe"))
    n_drug = scored.sizes["drug"]
    doses = _grid(1e-3, 1e3)
    fitted, lower, upper = screen_bands(scored, doses)
    replicates = scored["hill"].attrs.get("replicates", "all")
    params = scored["hill"].transpose("block", "drug", ...).values
    for i in range(3):
        conc, resp = single_drug_arrays(scored.isel(block=[i]), replicates)
        for k in range(n_drug):
            wrapped = HillFit.from_params(*params[i, k], conc=conc[k], response=resp[k])
            df = float(wrapped.n_points - np.sum(np.isnan(wrapped.fixed)))
            want = confidence_band(doses, params[i, k], wrapped.covariance, df=df)
            for got, ref in zip((fitted[i, k], lower[i, k], upper[i, k]), want, strict=True):
                np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)
    assert np.isfinite(lower).any()


def test_screen_bands_need_fits():
    with pytest.raises(SynergyError, match="fit it first"):
        screen_bands(synergy.datasets.load("menin_venetoclax"), [1.0])
