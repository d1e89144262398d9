"""Screens for the figure tests: real (menin, SynergyFinder's Mathews set) and degenerate."""

from __future__ import annotations

import io

import numpy as np
import pytest

import synergy


@pytest.fixture(scope="session")
def menin_scored():
    """Three menin blocks: MOLM-13 revumenib (1), ziftomenib (2) and CD34+ revumenib (13)."""
    screen = synergy.datasets.load("menin_venetoclax")
    return synergy.score(screen.sel(block=["1", "2", "13"]))


@pytest.fixture(scope="session")
def mathews_scored():
    """SynergyFinder's bundled Mathews set (6×6, one replicate)."""
    return synergy.score(synergy.datasets.load("sf_mathews"))


@pytest.fixture(scope="session")
def degenerate_scored():
    """Ragged simulated screen: block "1" has no row-drug wells (failed fit), all blocks
    miss ~15 % of their wells; block "3" of a 2×2 screen is appended separately."""
    screen = synergy.datasets.simulate(
        3, n_doses=6, noise_sd=5, n_replicates=2, missing_fraction=0.15, seed=3, ragged=True
    )
    response = screen["response"].values.copy()
    response[0, 1:, 0, :] = np.nan
    screen["response"].values = response
    return synergy.score(screen)


@pytest.fixture(scope="session")
def tiny_scored():
    """A 2×2 block (one dose of each drug besides 0)."""
    return synergy.score(synergy.datasets.simulate(1, n_doses=2, noise_sd=3, n_replicates=2))


def png_pixels(fig) -> np.ndarray:
    """Render a figure to PNG in memory (Agg) and read it back as an RGBA array."""
    from matplotlib.image import imread

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    buffer.seek(0)
    return imread(buffer, format="png")


def assert_nontrivial(fig, min_size: int = 150) -> None:
    """The rendered figure is big enough and not a blank canvas."""
    pixels = png_pixels(fig)
    height, width = pixels.shape[:2]
    assert height >= min_size and width >= min_size
    rgb = pixels[..., :3].reshape(-1, 3)
    assert rgb.std() > 0.02
    assert len(np.unique(np.round(rgb * 255).astype(np.uint8), axis=0)) > 20


@pytest.fixture(scope="session")
def nontrivial():
    """:func:`assert_nontrivial` as a fixture (tests import nothing from conftest)."""
    return assert_nontrivial
