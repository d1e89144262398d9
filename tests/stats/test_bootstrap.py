"""Bootstrap intervals and p-values against a per-block loop, an analytic case and
simulated truth (issue #6)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy import stats

import synergy
from synergy.errors import SynergyError
from synergy.models import score_bliss, score_hsa, score_loewe, score_zip
from synergy.stats import bootstrap
from synergy.stats.bootstrap import resample_means, sf_pvalue
from synergy.stats.noise import replicate_moments, replicate_residual_pool

MODELS = ("bliss", "hsa", "loewe", "zip")


@pytest.fixture(scope="module")
def small():
    screen = synergy.datasets.simulate(
        3, noise_sd=4, n_replicates=3, seed=3, synergy_strength=[0.0, 0.5, 1.0], n_doses=6
    )
    return synergy.score(screen, fitter="lsq")


def _one_block(conc_row, conc_col, surface):
    return xr.Dataset(
        {"response": (("block", "row", "col", "replicate"), surface[None, :, :, None])},
        coords={
            "block": ["0"],
            "conc_row": (("block", "row"), conc_row[None]),
            "conc_col": (("block", "col"), conc_col[None]),
        },
        attrs={"conc_unit": "nM"},
    )


def test_vectorised_equals_per_block_loop(small):
    """Same draws, scored one block and one resample at a time with the model functions."""
    n_boot = 4
    out = bootstrap(small, MODELS, n_boot=n_boot, seed=11, fitter="lsq", ci=0.5)
    response = small["response"].values
    means, _ = resample_means(
        response,
        small.conc_row.values,
        small.conc_col.values,
        [str(b) for b in small.block.values],
        n_boot,
        seed=11,
    )
    for b in range(small.sizes["block"]):
        scores = {m: [] for m in MODELS}
        for r in range(n_boot):
            one = _one_block(small.conc_row.values[b], small.conc_col.values[b], means[b, r])
            fitted = synergy.hill.fit_screen(one, fitter="lsq", replicates="mean")
            scores["bliss"].append(score_bliss(one).bliss_score.item())
            scores["hsa"].append(score_hsa(one).hsa_score.item())
            scores["loewe"].append(score_loewe(fitted).loewe_score.item())
            scores["zip"].append(score_zip(fitted, fitter="lsq").zip_score.item())
        for m in MODELS:
            boot = np.array(scores[m])
            assert out[f"{m}_score_low"].values[b] == pytest.approx(
                np.quantile(boot, 0.25), abs=1e-9
            )
            assert out[f"{m}_score_high"].values[b] == pytest.approx(
                np.quantile(boot, 0.75), abs=1e-9
            )
            assert out[f"{m}_score_se"].values[b] == pytest.approx(boot.std(ddof=1), abs=1e-9)


def test_chunking_does_not_change_results(small):
    whole = bootstrap(small, ("bliss", "zip"), n_boot=6, seed=2, fitter="lsq")
    chunked = bootstrap(small, ("bliss", "zip"), n_boot=6, seed=2, fitter="lsq", max_resampled=6)
    xr.testing.assert_identical(whole, chunked)


def test_bliss_se_matches_analytic_variance():
    """Bootstrap SE of a Bliss score against the exact variance under the resampler.

    With well means moved by independent draws of variance v = mean(pool²)/n, and a_i = 1 −
    y_i0/100, b_j = 1 − y_0j/100, the block score is mean(y_c) − 100 + 100/N·(Σa)(Σb) over N
    combination wells, so Var = v/N + (100/N)²·Var(A·B) with A = Σa*, B = Σb* independent:
    Var(AB) = μA²·VarB + μB²·VarA + VarA·VarB.
    """
    screen = synergy.datasets.simulate(2, noise_sd=6, n_replicates=3, seed=4, n_doses=5)
    scored = synergy.score(screen, ("bliss",))
    out = bootstrap(scored, ("bliss",), n_boot=4000, seed=1)
    pool, size = replicate_residual_pool(screen.response.values)
    mean, _, _ = replicate_moments(screen.response.values)
    for b in range(2):
        v = np.mean(pool[b, : size[b]] ** 2) / 3
        a = 1 - mean[b, 1:, 0] / 100
        c = 1 - mean[b, 0, 1:] / 100
        n = a.size * c.size
        var_a, var_c = a.size * v / 1e4, c.size * v / 1e4
        var_ab = a.sum() ** 2 * var_c + c.sum() ** 2 * var_a + var_a * var_c
        se = np.sqrt(v / n + (100 / n) ** 2 * var_ab)
        assert out.bliss_score_se.values[b] == pytest.approx(se, rel=0.04)


def test_score_adds_variables_and_is_seeded(small):
    screen = small[["response"]].assign_coords(small[["conc_row", "conc_col"]].coords)
    screen.attrs = small.attrs
    one = synergy.score(screen, ("bliss", "hsa"), n_boot=20, seed=5, well_intervals=True)
    two = synergy.score(screen, ("bliss", "hsa"), n_boot=20, seed=5, well_intervals=True)
    other = synergy.score(screen, ("bliss", "hsa"), n_boot=20, seed=6)
    for m in ("bliss", "hsa"):
        for suffix in ("_score_low", "_score_high", "_pvalue", "_low", "_high"):
            assert f"{m}{suffix}" in one
        assert np.all(one[f"{m}_score_low"] <= one[f"{m}_score"])
        assert np.all(one[f"{m}_score"] <= one[f"{m}_score_high"])
        combo = (one.conc_row > 0) & (one.conc_col > 0)
        assert bool((one[f"{m}_low"] <= one[f"{m}_high"]).where(combo, True).all())
    xr.testing.assert_identical(one, two)
    assert not np.allclose(one.bliss_score_low, other.bliss_score_low)
    assert '"n_boot": 20' in one.attrs["scoring"]


def test_bad_bootstrap_options(small):
    with pytest.raises(SynergyError, match="n_boot"):
        synergy.score(small, ("bliss",), n_boot=1)
    with pytest.raises(SynergyError, match="bootstrap"):
        synergy.score(small, ("bliss",), n_boot=5, bootstrap="jackknife")
    scored = synergy.score(small, ("bliss",))
    with pytest.raises(SynergyError, match="own intervals"):
        synergy.stats.bootstrap(scored, ("bliss", "musyc"), n_boot=5)


def test_synergyfinder_method(small):
    out = bootstrap(small, ("bliss",), n_boot=10, seed=1, method="synergyfinder")
    z = np.abs(out.bliss_score_boot_mean.values) / out.bliss_score_se.values
    np.testing.assert_allclose(out.bliss_pvalue.values, np.exp(-0.717 * z - 0.416 * z**2))
    # without replicates: z = |mean δ| / sd(δ) over the combination wells, no interval
    single = small.isel(replicate=[0])
    scored = synergy.score(
        single[["response"]].assign_coords(single[["conc_row", "conc_col"]].coords), ("bliss",)
    )
    out = bootstrap(scored, ("bliss",), n_boot=10, seed=1, method="synergyfinder")
    for b in range(scored.sizes["block"]):
        delta = scored.bliss.values[b, 1:, 1:].ravel()
        zb = abs(delta.mean()) / delta.std(ddof=1)
        assert out.bliss_pvalue.values[b] == pytest.approx(np.exp(-0.717 * zb - 0.416 * zb**2))
    assert np.all(np.isnan(out.bliss_score_low.values))
    assert sf_pvalue(0.0) == 1.0


def test_calibration_bliss_with_replicates():
    """95 % intervals cover the expected Bliss score (= the noise-free score: Bliss is
    unbiased under independent noise) in 90–98 % of blocks; null p-values uniform."""
    n = 300
    strength = np.where(np.arange(n) % 2 == 0, 0.0, np.linspace(0.0, 6.0, n))
    screen = synergy.datasets.simulate(
        n, noise_sd=5, n_replicates=3, seed=7, synergy_strength=strength
    )
    scored = synergy.score(screen, ("bliss",), n_boot=100, seed=1, well_intervals=True)
    combo = (screen.conc_row > 0) & (screen.conc_col > 0)
    truth = screen.true_bliss_delta.where(combo).mean(("row", "col")).values
    # per well too: intervals of δ cover the true δ (pooled residuals: 128 df per block)
    true_delta = screen.true_bliss_delta.where(combo)
    inside = (scored.bliss_low <= true_delta) & (true_delta <= scored.bliss_high)
    assert 0.90 <= float(inside.where(combo).mean()) <= 0.98
    covered = (scored.bliss_score_low.values <= truth) & (truth <= scored.bliss_score_high.values)
    assert 0.90 <= covered.mean() <= 0.98
    assert stats.kstest(scored.bliss_pvalue.values[strength == 0], "uniform").pvalue > 0.01
    # synergy is detected where it is large (true score > 4 standard errors of ~1 point)
    big = np.abs(truth) > 4.0
    assert big.sum() > 20
    assert np.mean(scored.bliss_pvalue.values[big] < 0.05) > 0.9


def _expected_zip(screen, strength, n_draws):
    """Monte-Carlo expectation of the ZIP score: mean over noise draws of the same blocks."""
    draws = []
    for k in range(n_draws):
        again = synergy.datasets.simulate(
            screen.sizes["block"],
            noise_sd=5,
            n_replicates=3,
            seed=100 + k,
            synergy_strength=strength,
            hill_row=screen.true_hill_row.values,
            hill_col=screen.true_hill_col.values,
            truth=False,
        )
        draws.append(synergy.score(again, ("zip",), fitter="lsq").zip_score.values)
    return np.mean(draws, axis=0)


def test_calibration_zip_with_replicates():
    """95 % ZIP intervals cover the simulated expectation of the score (DESIGN §6.14)."""
    n = 150
    strength = np.where(np.arange(n) % 2 == 0, 0.0, np.linspace(0.0, 3.0, n))
    screen = synergy.datasets.simulate(
        n, noise_sd=5, n_replicates=3, seed=7, synergy_strength=strength
    )
    scored = synergy.score(screen, ("zip",), fitter="lsq", n_boot=60, seed=1)
    expected = _expected_zip(screen, strength, 20)
    covered = (scored.zip_score_low.values <= expected) & (expected <= scored.zip_score_high.values)
    assert 0.90 <= covered.mean() <= 0.98
    assert stats.kstest(scored.zip_pvalue.values[strength == 0], "uniform").pvalue > 0.01


def test_calibration_bliss_without_replicates():
    """One replicate: noise from fitted-surface residuals; intervals still cover."""
    n = 200
    screen = synergy.datasets.simulate(n, noise_sd=5, n_replicates=1, seed=8)
    scored = synergy.score(screen, ("bliss",), n_boot=60, seed=1)
    assert np.all(scored.bootstrap_noise.values == 1)
    combo = (screen.conc_row > 0) & (screen.conc_col > 0)
    truth = screen.true_bliss_delta.where(combo).mean(("row", "col")).values
    covered = (scored.bliss_score_low.values <= truth) & (truth <= scored.bliss_score_high.values)
    assert 0.87 <= covered.mean() <= 0.98
    # the noise estimate: SE near the sd of the score over fresh noise draws (Monte Carlo)
    draws = [
        synergy.score(
            synergy.datasets.simulate(
                n,
                noise_sd=5,
                seed=200 + k,
                hill_row=screen.true_hill_row.values,
                hill_col=screen.true_hill_col.values,
                truth=False,
            ),
            ("bliss",),
        ).bliss_score.values
        for k in range(30)
    ]
    sd = np.std(draws, axis=0, ddof=1)
    assert np.median(scored.bliss_score_se.values) == pytest.approx(np.median(sd), rel=0.1)


def test_synergyfinder_method_sizes_match_synergyfinder(data_dir):
    """SynergyFinder's own bootstrap on sf_oneil (R's stream, 10 iterations) can only be
    matched in size: per-well 95 % intervals of Bliss δ and the block scores' bootstrap means."""
    import pandas as pd

    screen = synergy.datasets.load_bundled("sf_oneil")
    scored = synergy.score(
        screen, ("bliss",), n_boot=10, seed=123, bootstrap="synergyfinder", well_intervals=True
    )
    surface = pd.read_csv(data_dir / "sf_oneil" / "synergyfinder3_surface_bootstrap.csv")
    surface = surface[(surface.conc1 > 0) & (surface.conc2 > 0)]
    width_sf = np.median(surface.Bliss_synergy_ci_right - surface.Bliss_synergy_ci_left)
    combo = (scored.conc_row > 0) & (scored.conc_col > 0)
    width = float((scored.bliss_high - scored.bliss_low).where(combo).median())
    assert 0.5 < width / width_sf < 2.0
    summary = pd.read_csv(data_dir / "sf_oneil" / "synergyfinder3_replicates_summary.csv")
    np.testing.assert_allclose(scored.bliss_score_boot_mean, summary.Bliss_synergy, atol=3.0)
    assert np.all(scored.bliss_pvalue < 1e-10)  # SynergyFinder: 1e-57 and < 2e-324


def test_batch_chunks_give_the_same_intervals():
    """Draws keyed by block id: chunked batch scoring equals one call, bit for bit."""
    from synergy.batch import score_screen

    screen = synergy.datasets.simulate(6, noise_sd=5, n_replicates=3, seed=9, n_doses=5)
    whole = synergy.score(screen, ("bliss", "zip"), fitter="lsq", n_boot=8, seed=4)
    chunked = score_screen(
        screen, ("bliss", "zip"), chunk_blocks=2, progress=False, fitter="lsq", n_boot=8, seed=4
    )
    for name in ("bliss_score_low", "zip_score_high", "zip_pvalue", "bootstrap_noise"):
        np.testing.assert_array_equal(chunked[name].values, whole[name].values)


def test_ragged_missing_and_failed_blocks():
    """Padding, missing wells and a block without data: intervals only where a score is."""
    screen = synergy.datasets.simulate(
        5, noise_sd=5, n_replicates=3, seed=2, ragged=True, missing_fraction=0.1
    )
    response = screen.response.values.copy()
    response[4] = np.nan  # nothing measured: every score fails
    response[3, 1:, 0, 1:] = np.nan  # wells with one replicate on an edge
    screen["response"] = (screen.response.dims, response)
    scored = synergy.score(screen, ("bliss", "zip"), fitter="lsq", n_boot=20, seed=1)
    for m in ("bliss", "zip"):
        ok = np.isfinite(scored[f"{m}_score"].values)
        assert not ok[4] and ok.sum() >= 3  # ZIP also fails where a drug has < 4 doses
        low, high = scored[f"{m}_score_low"].values, scored[f"{m}_score_high"].values
        pvalue = scored[f"{m}_pvalue"].values
        assert np.all(np.isfinite(low[ok]) & np.isfinite(high[ok]) & np.isfinite(pvalue[ok]))
        assert np.all(np.isnan(low[~ok]) & np.isnan(pvalue[~ok]))
        assert scored[f"{m}_n_boot"].values[4] == 0
    assert scored.bootstrap_noise.values[4] == 2  # no noise estimate for the empty block


def test_n_drug_screens_without_replicates_get_no_interval():
    """N-drug bootstrap (tests/stats/test_multi_bootstrap.py): no replicates, no noise."""
    screen = synergy.datasets.load_bundled("sf_ncats_3drug")
    scored = synergy.score(screen, ("bliss",), n_boot=4)
    assert np.isnan(scored["bliss_score_low"].values).all()
