"""Imputed and outlier wells are hatched in the response matrix (synergy.plot.masks)."""

from __future__ import annotations

import warnings

import numpy as np

import synergy
from synergy.datasets import simulate
from synergy.plot import response_matrix


def test_masked_cells_are_hatched():
    screen = simulate(1, n_doses=5, noise_sd=2.0, seed=4, truth=False)
    screen["response"].values[0, 2, 2, 0] = np.nan
    screen["response"].values[0, 4, 3, 0] = -40.0  # far below its neighbours (~90 %)
    scored = synergy.score(screen, models=("bliss",), impute="hill_bliss", outliers="flag")
    assert bool(scored["outlier"].values[0, 4, 3, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = response_matrix(scored, 0)
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert sorted((p.get_hatch(), p.get_x(), p.get_y()) for p in hatched) == [
        ("///", 1.5, 1.5),
        ("xxx", 2.5, 3.5),
    ]
    plain = response_matrix(screen, 0)
    assert not [p for p in plain.axes[0].patches if p.get_hatch()]
