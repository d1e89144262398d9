"""The single-drug points kernel against a slow reference written from its definition."""

from __future__ import annotations

import numpy as np
import pytest

from synergy._kernels.single_drug import single_drug_points
from synergy.io.wells import replicate_mean


def reference(conc: np.ndarray, response: np.ndarray, mean: bool):
    """Drug i's points: wells where it is the only drug with a dose > 0, and the controls
    (every dose 0), in well order, replicates inner; a well with a NaN dose is padding."""
    n_block, n_well, n_drug = conc.shape
    if mean:
        response = replicate_mean(response)[:, :, None]
    rows = []
    for b in range(n_block):
        for i in range(n_drug):
            points = []
            for w in range(n_well):
                doses = conc[b, w]
                if not np.isfinite(doses).all():
                    continue
                others = np.delete(doses, i)
                if np.any(others > 0):
                    continue
                points += [(doses[i], v) for v in response[b, w] if np.isfinite(v)]
            rows.append(points)
    width = max(1, max(len(p) for p in rows))
    out = np.full((2, len(rows), width), np.nan)
    for r, points in enumerate(rows):
        for j, (dose, value) in enumerate(points):
            out[:, r, j] = dose, value
    return out[0], out[1]


@pytest.mark.parametrize("n_drug", [2, 3, 4])
@pytest.mark.parametrize("mean", [False, True])
def test_kernel_equals_reference(n_drug, mean):
    rng = np.random.default_rng(n_drug + 10 * mean)
    n_block, n_well, n_rep = 7, 30, 3
    levels = np.array([0.0, 0.1, 1.0, 10.0])
    conc = levels[rng.integers(0, 4, size=(n_block, n_well, n_drug))]
    conc[rng.random((n_block, n_well)) < 0.3, :] = 0.0  # controls
    single = rng.random((n_block, n_well)) < 0.4  # single-drug wells
    keep = rng.integers(0, n_drug, size=(n_block, n_well))
    conc = np.where(single[:, :, None] & (np.arange(n_drug) != keep[:, :, None]), 0.0, conc)
    conc[:, -3:, :] = np.nan  # padding wells
    conc[0, 0, 0] = np.nan  # a partial well is padding too
    response = rng.normal(50, 20, size=(n_block, n_well, n_rep))
    response[rng.random(response.shape) < 0.2] = np.nan
    response[1] = np.nan  # a block with nothing measured
    got = single_drug_points(conc, response, mean)
    want = reference(conc, response, mean)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)  # the same bits, NaN padding included
