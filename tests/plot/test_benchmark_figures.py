"""Benchmark figures render (Agg, warnings as errors) and show what the result holds."""

from __future__ import annotations

import numpy as np
import pytest

import synergy.plot as splot
from synergy.benchmark import compare, read_published
from synergy.datasets import load, path, simulate
from synergy.errors import SynergyError
from synergy.io.table import to_table
from synergy.scoring import score

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(scope="module")
def moved():
    """Five simulated blocks compared with their own scores, two blocks' ZIP moved."""
    scored = score(simulate(5, n_doses=5, noise_sd=3.0, seed=4, truth=False))
    table = to_table(scored, level="block")
    table.loc[table.block_id == "2", "ZIP_synergy"] += 4.0
    table.loc[table.block_id == "4", "ZIP_synergy"] -= 2.0
    return compare(scored, table)


@pytest.fixture(scope="module")
def mathews():
    """SynergyFinder 3's Mathews outputs (blocks + surfaces), our lsq fits: real differences."""
    files = ["synergyfinder3_summary.csv", "synergyfinder3_surface.csv"]
    pub = read_published([path("sf_mathews") / f for f in files])
    return compare(load("sf_mathews"), pub, fitter="lsq", check_fits=False)


def test_scatter_labels_blocks_beyond_tolerance(moved, nontrivial):
    fig = splot.benchmark_scatter(moved)
    nontrivial(fig)
    assert len(fig.axes) == 4
    zip_ax = fig.axes[3]
    labels = sorted(t.get_text() for t in zip_ax.texts)
    assert labels == ["2", "4"]
    assert all(not ax.texts for ax in fig.axes[:3])  # nothing beyond tolerance there
    (band,) = [c for c in zip_ax.collections if c.get_label().startswith("±")]
    assert "2 beyond ± 0.5" in zip_ax.get_title()
    assert band.get_label() == "± 0.5 points"


def test_bland_altman_draws_the_summary_lines(moved, nontrivial):
    fig = splot.benchmark_bland_altman(moved, ["zip", "bliss"])
    nontrivial(fig)
    ax = fig.axes[0]
    row = moved.summary.loc["zip"]
    levels = sorted(line.get_ydata()[0] for line in ax.lines)
    np.testing.assert_allclose(levels, sorted([0.0, row.bias, row.loa_lower, row.loa_upper]))
    assert row.bias == pytest.approx(-0.4)  # (−4 + 2) / 5 blocks
    assert sorted(t.get_text() for t in ax.texts) == ["2", "4"]


def test_well_differences_of_real_surfaces(mathews, nontrivial):
    fig = splot.benchmark_well_differences(mathews, n_blocks=2)
    nontrivial(fig)
    heatmaps = [ax for ax in fig.axes if ax.images]
    assert len(heatmaps) == 2
    worst = mathews.wells.assign(a=mathews.wells["diff"].abs())
    model = worst.groupby("model")["a"].max().idxmax()
    block = worst[worst.model == model].sort_values("a").iloc[-1]["block"]
    assert heatmaps[0].get_title().startswith(f"block {block}:")
    assert model.upper() in fig._suptitle.get_text().upper()
    nontrivial(splot.benchmark_scatter(mathews))
    nontrivial(splot.benchmark_bland_altman(mathews))


def test_degenerate_results_render(moved, nontrivial):
    # no surfaces: a note, not an error; one block (no limits of agreement) still draws
    nontrivial(splot.benchmark_well_differences(moved), min_size=100)
    one = compare(moved.scored.isel(block=[0]), to_table(moved.scored.isel(block=[0])))
    nontrivial(splot.benchmark_scatter(one, "zip"))
    nontrivial(splot.benchmark_bland_altman(one, "zip"))
    with pytest.raises(SynergyError, match="not \\['musyc'\\]"):
        splot.benchmark_scatter(moved, "musyc")


def test_three_drug_result_renders(nontrivial):
    from synergy.datasets import load_bundled

    files = ["synergyfinder3_summary.csv", "synergyfinder3_surface.csv"]
    pub = read_published([path("sf_ncats_3drug") / f for f in files])
    result = compare(load_bundled("sf_ncats_3drug"), pub, tolerance=0.01)
    fig = splot.benchmark_well_differences(result, "zip")
    nontrivial(fig)
    (ax,) = [ax for ax in fig.axes if ax.images]
    assert ax.get_xlabel().startswith("Pyronaridine") and ax.get_ylabel().startswith("Piperaquine")
    nontrivial(splot.benchmark_scatter(result))
