"""Block summaries: mean, most synergistic area and extremes against slow loops."""

from __future__ import annotations

import numpy as np
import pytest

from synergy._kernels.surface import extremes, masked_mean, most_synergistic_area


def _case(seed):
    rng = np.random.default_rng(seed)
    n_block, n_row, n_col = 12, 7, 6
    delta = rng.normal(0, 10, (n_block, n_row, n_col)).round(1)  # ties on purpose
    mask = np.zeros(delta.shape, bool)
    mask[:, 1:, 1:] = True
    mask[3, 5:, :] = False  # ragged block
    mask[4, 4:, :] = False  # only 3 combination rows
    mask[5, 3:, :] = False  # 2 combination rows: no 3x3 window
    delta[rng.random(delta.shape) < 0.08] = np.nan
    delta[6] = np.nan  # nothing measured
    return delta, mask


def _slow_msa(delta, mask, size=3):
    out = []
    for b in range(delta.shape[0]):
        best = (np.nan, -1, -1)
        for r in range(delta.shape[1] - size + 1):
            for c in range(delta.shape[2] - size + 1):
                win = delta[b, r : r + size, c : c + size]
                if not mask[b, r : r + size, c : c + size].all() or np.isnan(win).any():
                    continue
                value = win.sum() / size**2
                if np.isnan(best[0]) or value > best[0]:
                    best = (value, r, c)
        out.append(best)
    return [np.array(v) for v in zip(*out, strict=True)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_msa_matches_loop(seed):
    delta, mask = _case(seed)
    msa, row, col = most_synergistic_area(delta, mask)
    slow_msa, slow_row, slow_col = _slow_msa(delta, mask)
    np.testing.assert_allclose(msa, slow_msa, atol=1e-12)
    np.testing.assert_array_equal(row, slow_row)
    np.testing.assert_array_equal(col, slow_col)
    assert np.isnan(msa[[5, 6]]).all() and (row[[5, 6]] == -1).all()


@pytest.mark.parametrize("seed", [0, 1])
def test_mean_and_extremes_match_loop(seed):
    delta, mask = _case(seed)
    mean, count = masked_mean(delta, mask)
    v_hi, r_hi, c_hi, v_lo, r_lo, c_lo = extremes(delta, mask)
    for b in range(delta.shape[0]):
        values = [
            (delta[b, i, j], i, j)
            for i in range(delta.shape[1])
            for j in range(delta.shape[2])
            if mask[b, i, j] and np.isfinite(delta[b, i, j])
        ]
        assert count[b] == len(values)
        if not values:
            assert np.isnan(mean[b]) and np.isnan(v_hi[b]) and r_hi[b] == -1 and c_lo[b] == -1
            continue
        assert mean[b] == pytest.approx(np.mean([v for v, _, _ in values]), abs=1e-12)
        hi = max(values, key=lambda t: t[0])  # first maximum in row-major order
        lo = min(values, key=lambda t: t[0])
        assert (v_hi[b], r_hi[b], c_hi[b]) == hi
        assert (v_lo[b], r_lo[b], c_lo[b]) == lo
