"""Shared simulated plates (small: 6 plates of 384 wells)."""

from __future__ import annotations

import pytest

from synergy.datasets import simulate_plates


@pytest.fixture(scope="session")
def noisy():
    """Default artefacts: P0002 strong edge, P0003 row F dispenser fault, reader drift."""
    return simulate_plates(seed=3)


@pytest.fixture(scope="session")
def exact():
    """No noise, no artefacts: normalised responses equal the truth bit for bit."""
    return simulate_plates(
        noise=0, edge=0, strong_edge=0, fault=0, run_drift=0, read_decay=0, seed=5
    )
