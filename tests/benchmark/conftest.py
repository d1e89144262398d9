"""Fixtures of the benchmark tests: a small simulated screen, its scores, and the bundled
published tables (package data)."""

from __future__ import annotations

import pytest

from synergy.datasets import simulate
from synergy.io.table import to_table
from synergy.scoring import score

N_BLOCKS = 6


@pytest.fixture(scope="session")
def sim_screen():
    """Six blocks, distinct drug pairs, two samples, noisy (so the scores differ)."""
    return simulate(
        N_BLOCKS,
        n_doses=5,
        noise_sd=4.0,
        synergy_strength=[0.0, 0.5, 1.0, 2.0, -0.3, 0.0],
        seed=11,
        drug_row=[f"row{k}" for k in range(N_BLOCKS)],
        drug_col=[f"col{k}" for k in range(N_BLOCKS)],
        sample=["A", "A", "A", "B", "B", "B"],
        truth=False,
    )


@pytest.fixture(scope="session")
def sim_scored(sim_screen):
    return score(sim_screen)


@pytest.fixture()
def own_table(sim_scored):
    """Our own block scores written as a SynergyFinder-style table (to_table)."""
    return to_table(sim_scored, level="block")
