"""The keyed resampling kernels against slow pure-Python references (issue #6)."""

from __future__ import annotations

import numpy as np
import pytest

from synergy._kernels.resample import normal_resample, residual_resample
from synergy.stats.bootstrap import block_keys, resample_means
from synergy.stats.noise import replicate_moments, replicate_residual_pool

MASK = (1 << 64) - 1


def py_uniform(key: int, counter: int) -> float:
    """SplitMix64 output function on key + (counter + 1)·φ, in Python integers."""
    z = (key + (counter + 1) * 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    z ^= z >> 31
    return (z >> 11) * 2.0**-53


def py_counter(resample: int, well: int, draw: int) -> int:
    return (resample << 32) + (well << 12) + draw


def _response(seed=0, n_block=3, n_row=3, n_col=4, n_rep=3):
    rng = np.random.default_rng(seed)
    response = 50 + 10 * rng.standard_normal((n_block, n_row, n_col, n_rep))
    response[0, 1, 2, :2] = np.nan  # a well with one replicate
    response[1, 2, 3, :] = np.nan  # a missing well
    return response


@pytest.mark.parametrize("block_cols", [[4, 4, 4], [4, 3, 2]])
def test_residual_resample_matches_python_loop(block_cols):
    """Well key ``row·C_b + col`` with ``C_b`` the block's own columns; cells beyond are NaN."""
    response = _response()
    mean, _, count = replicate_moments(response)
    pool, size = replicate_residual_pool(response)
    keys = block_keys(5, ["a", "b", "c"])
    out = np.empty((3, 4, 3, 4))
    residual_resample(mean, count, pool, size, keys, np.array(block_cols), 2, out)
    for b in range(3):
        n_col = block_cols[b]
        for r in range(4):
            for i in range(3):
                for j in range(4):
                    n = int(count[b, i, j])
                    if n == 0 or j >= n_col:
                        assert np.isnan(out[b, r, i, j])
                        continue
                    draws = [
                        pool[
                            b,
                            int(
                                py_uniform(int(keys[b]), py_counter(2 + r, i * n_col + j, k))
                                * size[b]
                            ),
                        ]
                        for k in range(n)
                    ]
                    assert out[b, r, i, j] == pytest.approx(
                        mean[b, i, j] + np.mean(draws), abs=1e-12
                    )


@pytest.mark.parametrize("block_cols", [[4, 4, 4], [4, 2, 3]])
def test_normal_resample_matches_python_loop(block_cols):
    response = _response(1)
    mean, sd, count = replicate_moments(response)
    keys = block_keys(3, ["x", "y", "z"])
    out = np.empty((3, 2, 3, 4))
    normal_resample(mean, sd, count, keys, np.array(block_cols), 0, out)
    assert np.isnan(out[1, :, :, block_cols[1] :]).all()
    for b, r, i, j in [(0, 0, 0, 0), (2, 1, 2, 2), (0, 1, 1, 2), (1, 0, 2, 1)]:
        u1 = py_uniform(int(keys[b]), py_counter(r, i * block_cols[b] + j, 0))
        u2 = py_uniform(int(keys[b]), py_counter(r, i * block_cols[b] + j, 1))
        z = np.sqrt(-2 * np.log(1 - u1)) * np.cos(2 * np.pi * u2)
        expected = mean[b, i, j] + sd[b, i, j] / np.sqrt(count[b, i, j]) * z
        assert out[b, r, i, j] == pytest.approx(expected, abs=1e-12)
    assert sd[0, 1, 2] == 0.0  # one replicate: no spread (SynergyFinder's R gives NaN)


def test_replicate_pool_small_k_correction():
    response = np.full((1, 1, 2, 3), np.nan)
    response[0, 0, 0] = [1.0, 2.0, 6.0]  # mean 3, deviations -2, -1, 3
    response[0, 0, 1, :2] = [10.0, 14.0]  # mean 12, deviations -2, 2
    pool, size = replicate_residual_pool(response)
    expected = sorted(
        [-2 * np.sqrt(1.5), -np.sqrt(1.5), 3 * np.sqrt(1.5), -2 * np.sqrt(2), 2 * np.sqrt(2)]
    )
    assert size[0] == 5
    t_factor = np.sqrt(3 / (3 - 2))  # ν = (3 − 1) + (2 − 1): sd of Student's t_3
    np.testing.assert_allclose(sorted(pool[0, :5]), np.multiply(expected, t_factor), atol=1e-12)
    # E[pool²] = σ²: with ν = 2 per block (one well of 3) there is no t factor
    rng = np.random.default_rng(0)
    noise = 4.0 * rng.standard_normal((2000, 1, 1, 3))
    pool, size = replicate_residual_pool(noise)
    assert np.mean(pool[:, :3] ** 2) == pytest.approx(16.0, rel=0.05)


def test_draws_do_not_depend_on_chunking_or_order():
    response = _response(2)
    conc_row = np.tile([0.0, 1.0, 3.0], (3, 1))
    conc_col = np.tile([0.0, 1.0, 3.0, 9.0], (3, 1))
    ids = ["p", "q", "r"]
    whole, _ = resample_means(response, conc_row, conc_col, ids, 6, seed=9)
    tail, _ = resample_means(response, conc_row, conc_col, ids, 2, seed=9, first=4)
    np.testing.assert_array_equal(whole[:, 4:], tail)
    order = [2, 0, 1]
    shuffled, _ = resample_means(
        response[order], conc_row[order], conc_col[order], [ids[k] for k in order], 6, seed=9
    )
    np.testing.assert_array_equal(shuffled, whole[order])
    other, _ = resample_means(response, conc_row, conc_col, ids, 6, seed=10)
    assert not np.allclose(other, whole, equal_nan=True)


def test_nanquantile_matches_numpy():
    from synergy.stats.bootstrap import nanquantile

    rng = np.random.default_rng(4)
    x = rng.normal(size=(7, 13, 3))
    x[x > 1.2] = np.nan
    x[0, :, 0] = np.nan
    for q in (0.0, 0.025, 0.5, 0.975, 1.0):
        with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
            expected = np.nanquantile(x, q, axis=1)
        np.testing.assert_allclose(nanquantile(x, q, axis=1), expected, atol=1e-14)


def test_own_grid_reduce_ignores_the_padding():
    """Each block reduced on its own grid: the same bits as the block alone, where numpy's
    pairwise sum over the padded row (padding as zeros) rounds differently."""
    from synergy.stats.resampling import own_grid_reduce

    rng = np.random.default_rng(8)
    own = rng.normal(size=(40, 5, 7)) * 10.0 ** rng.integers(-3, 4, size=(40, 5, 7))
    padded = np.zeros((40, 20, 20))
    padded[:, :5, :7] = own
    extents = np.tile([5, 7], (40, 1))
    got = own_grid_reduce(padded, extents, lambda x: x.sum(axis=1))
    np.testing.assert_array_equal(got, own.reshape(40, -1).sum(axis=1))
    assert not np.array_equal(padded.reshape(40, -1).sum(axis=1), got)  # the naive sum moves


def test_fitted_surface_noise_does_not_depend_on_the_padding():
    """Blocks without replicates draw from residuals of a surface fitted on their own grid:
    the same resamples whether padded to 20×20 or not (docs/design.md §16.3)."""
    from synergy.datasets import simulate

    screen = simulate(6, n_doses=6, noise_sd=5.0, n_replicates=1, seed=21, truth=False)
    response = screen["response"].transpose("block", "row", "col", "replicate").values
    conc_row, conc_col = screen["conc_row"].values, screen["conc_col"].values
    ids = [str(b) for b in screen["block"].values]
    alone, noise = resample_means(response, conc_row, conc_col, ids, 5, seed=3)
    assert (noise == 1).all()
    pad = np.full((6, 20, 20, 1), np.nan)
    pad[:, :6, :6] = response
    wide_row, wide_col = (
        np.pad(c, ((0, 0), (0, 14)), constant_values=np.nan) for c in (conc_row, conc_col)
    )
    padded, _ = resample_means(pad, wide_row, wide_col, ids, 5, seed=3)
    np.testing.assert_array_equal(padded[:, :, :6, :6], alone)
    assert np.isnan(padded[:, :, 6:]).all() and np.isnan(padded[:, :, :, 6:]).all()
