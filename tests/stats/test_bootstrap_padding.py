"""Bootstrap draws per measured well (docs/design.md §16.3): a uniform screen keeps the draws
of the padded-grid rule bit for bit, and a block's intervals do not depend on the grid it is
padded to, so ragged bootstrapped screens are scored by shape groups."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import synergy
from synergy.datasets import simulate
from synergy.io import groups
from synergy.models.dispatch import rescore_function
from synergy.stats import bootstrap
from synergy.stats.bootstrap import block_keys, nanquantile
from synergy.stats.noise import replicate_moments, replicate_residual_pool

from .test_resample import py_uniform

MODELS = ("bliss", "hsa", "loewe", "zip")
INTERVALS = ("_score_low", "_score_high", "_score_se", "_pvalue", "_n_boot", "_low", "_high")


def padded_rule_means(response, keys, n_boot, method):
    """Frozen copy of the resampler before §16.3, one draw at a time: well ``i·C + j`` with
    ``C`` the width of the (padded) array."""
    n_block, n_row, n_col = response.shape[:3]
    mean, sd, count = replicate_moments(response)
    pool, size = replicate_residual_pool(response)
    out = np.full((n_block, n_boot, n_row, n_col), np.nan)
    for b in range(n_block):
        for r in range(n_boot):
            for i in range(n_row):
                for j in range(n_col):
                    n, m = int(count[b, i, j]), mean[b, i, j]
                    if n == 0:
                        continue
                    base = (r << 32) + ((i * n_col + j) << 12)
                    if method == "synergyfinder":
                        u1 = py_uniform(int(keys[b]), base)
                        u2 = py_uniform(int(keys[b]), base + 1)
                        z = np.sqrt(-2.0 * np.log(1.0 - u1)) * np.cos(2.0 * np.pi * u2)
                        out[b, r, i, j] = m + sd[b, i, j] / np.sqrt(n) * z
                        continue
                    total = 0.0
                    for k in range(n):
                        idx = min(int(py_uniform(int(keys[b]), base + k) * size[b]), size[b] - 1)
                        total += pool[b, idx]
                    out[b, r, i, j] = m + total / n
    return out


@pytest.fixture(scope="module")
def uniform():
    screen = simulate(
        3, n_doses=5, noise_sd=4.0, n_replicates=3, seed=7, synergy_strength=[0.0, 0.6, 1.2]
    )
    return synergy.score(screen, fitter="lsq")


@pytest.mark.parametrize("method", ["resample", "synergyfinder"])
def test_uniform_screen_keeps_the_padded_rule_draws(uniform, method):
    """Intervals from the old rule's draws, rescored by hand, equal ``bootstrap`` bit for bit."""
    n_boot, seed = 6, 13
    assert (groups.grid_extents(uniform) == [5, 5]).all()  # every block spans the grid
    out = bootstrap(
        uniform, MODELS, n_boot=n_boot, seed=seed, fitter="lsq", method=method, well_intervals=True
    )
    response = uniform["response"].transpose("block", "row", "col", "replicate").values
    ids = [str(b) for b in uniform["block"].values]
    means = padded_rule_means(response, block_keys(seed, ids), n_boot, method)
    n_block, _, n_row, n_col = means.shape
    stacked = xr.Dataset(
        {"response": (("block", "row", "col", "replicate"), means.reshape(-1, n_row, n_col, 1))},
        coords={
            "block": np.arange(n_block * n_boot),
            "conc_row": (("block", "row"), np.repeat(uniform["conc_row"].values, n_boot, 0)),
            "conc_col": (("block", "col"), np.repeat(uniform["conc_col"].values, n_boot, 0)),
        },
    )
    results = rescore_function("synergyfinder3", "grid100", "lsq")(stacked, MODELS)
    low, high = (1 - 0.95) / 2, (1 + 0.95) / 2  # bootstrap's default ci, as it computes them
    for m in MODELS:
        boot = results[m][f"{m}_score"].values.reshape(n_block, n_boot)
        assert np.isfinite(boot).all()
        np.testing.assert_array_equal(out[f"{m}_score_low"], nanquantile(boot, low, axis=1))
        np.testing.assert_array_equal(out[f"{m}_score_high"], nanquantile(boot, high, axis=1))
        np.testing.assert_array_equal(out[f"{m}_score_se"], np.nanstd(boot, axis=1, ddof=1))
        delta = results[m][m].values.reshape(n_block, n_boot, n_row, n_col)
        np.testing.assert_array_equal(out[f"{m}_high"], nanquantile(delta, high, axis=1))


@pytest.fixture(scope="module")
def three_screens():
    """Block "b1" alone, in a uniform 5×5 screen, and in a ragged one with a 20×20 block;
    block "b2" has one replicate per well (fitted-surface noise)."""
    small = simulate(
        ["b0", "b1", "b2", "b3"], n_doses=5, noise_sd=4.0, n_replicates=3, seed=5, truth=False
    )
    response = small["response"].values.copy()
    response[2, :, :, 1:] = np.nan
    small["response"] = small["response"].copy(data=response)
    large = simulate(["big"], n_doses=20, noise_sd=4.0, n_replicates=3, seed=6, truth=False)
    return small.isel(block=[1]), small, groups.join_groups([small, large])


@pytest.mark.parametrize("method", ["resample", "synergyfinder"])
@pytest.mark.parametrize("block", ["b1", "b2"])
def test_a_block_scores_the_same_whatever_its_padding(three_screens, monkeypatch, method, block):
    alone, uniform, ragged = three_screens
    if block == "b2":
        alone = uniform.isel(block=[2])
    assert ragged.sizes["row"] == 20 and len(groups.group_plan(ragged)) == 2
    options = {"n_boot": 8, "seed": 4, "well_intervals": True, "bootstrap": method}
    runs = [synergy.score(screen, **options) for screen in (alone, uniform, ragged)]
    monkeypatch.setattr(groups, "DENSE_WASTE_LIMIT", np.inf)  # the ragged screen held dense
    runs.append(synergy.score(ragged, **options))
    first = runs[0].sel(block=block)
    noise = 1 if block == "b2" and method == "resample" else (2 if block == "b2" else 0)
    assert int(first["bootstrap_noise"]) == noise
    for run in runs[1:]:
        one = run.sel(block=block)
        for name in [f"{m}{s}" for m in MODELS for s in INTERVALS] + ["bootstrap_noise"]:
            expected = first[name]
            trim = {d: slice(0, first.sizes[d]) for d in ("row", "col")}
            got = one[name].isel(trim, missing_dims="ignore")
            np.testing.assert_array_equal(got.values, expected.values, err_msg=name)
            if "row" in one[name].dims:
                assert np.isnan(one[name].values[5:]).all()


@pytest.mark.parametrize(
    "options",
    [
        {"well_intervals": True},
        {"well_intervals": True, "bootstrap": "synergyfinder"},
        {"well_intervals": True, "impute": "hill_bliss"},
    ],
)
def test_bootstrapped_ragged_screen_is_scored_by_shape_groups(monkeypatch, options):
    """The grouped path gives the dense path's Dataset bit for bit (design §16, §16.3)."""
    screen = simulate(
        16, n_doses=7, ragged=True, noise_sd=4.0, n_replicates=2, missing_fraction=0.08,
        seed=11, truth=False,
    )  # fmt: skip
    assert len(groups.group_plan(screen, waste_limit=0.0)) > 1
    calls = []
    real = groups.shape_groups
    monkeypatch.setattr("synergy.scoring.shape_groups", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(groups, "DENSE_WASTE_LIMIT", np.inf)
    dense = synergy.score(screen, n_boot=6, seed=3, **options)
    monkeypatch.setattr(groups, "DENSE_WASTE_LIMIT", 0.0)
    grouped = synergy.score(screen, n_boot=6, seed=3, **options)
    assert calls == [1]  # only the second call went through the groups
    if "impute" in options:  # imputed cells held out of the resampling (design §18)
        assert grouped["n_imputed"].values.sum() > 0
    xr.testing.assert_identical(grouped, dense)
