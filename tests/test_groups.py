"""Shape groups (synergy.io.groups; docs/design.md §16): splitting, joining, and scores that
do not depend on the grid a block is padded to."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from synergy.batch import score_screen
from synergy.datasets import simulate, simulate_multi
from synergy.errors import SynergyError
from synergy.io import groups
from synergy.scoring import score


@pytest.fixture(scope="module")
def ragged():
    return simulate(
        60,
        n_doses=7,
        ragged=True,
        noise_sd=4.0,
        n_replicates=2,
        missing_fraction=0.05,
        seed=11,
        truth=False,
    )


def test_extents_count_the_finite_doses(ragged):
    extents = groups.grid_extents(ragged)
    for b in range(ragged.sizes["block"]):  # slow reference: last finite dose, by hand
        rows = [i for i, c in enumerate(ragged["conc_row"].values[b]) if np.isfinite(c)]
        cols = [j for j, c in enumerate(ragged["conc_col"].values[b]) if np.isfinite(c)]
        assert tuple(extents[b]) == (rows[-1] + 1, cols[-1] + 1)
    assert extents.min() < ragged.sizes["row"]  # the fixture is ragged


def test_groups_trim_and_join_back_exactly(ragged):
    plan = groups.group_plan(ragged, waste_limit=0.0)
    assert len(plan) > 1
    assert np.array_equal(np.sort(np.concatenate(plan)), np.arange(ragged.sizes["block"]))
    parts = groups.shape_groups(ragged, plan)
    for part, positions in zip(parts, plan, strict=True):
        extents = groups.grid_extents(ragged)[positions]
        assert part.sizes["row"] == extents[:, 0].max()
        assert part.sizes["col"] == extents[:, 1].max()
    joined = groups.join_groups(parts, plan, {"row": ragged.sizes["row"], "col": 7})
    xr.testing.assert_identical(joined, ragged)


def test_uniform_screen_is_one_group():
    screen = simulate(5, n_doses=4, truth=False)
    assert [list(p) for p in groups.group_plan(screen)] == [[0, 1, 2, 3, 4]]


def test_one_large_block_makes_groups():
    small = simulate(50, n_doses=3, truth=False, seed=1)
    large = simulate(["big"], n_doses=20, truth=False, seed=2)
    screen = groups.join_groups([small, large])
    assert screen.sizes["row"] == 20 and np.isnan(screen["response"].values[0, 3:]).all()
    plan = groups.group_plan(screen)
    assert [p.tolist() for p in plan] == [list(range(50)), [50]]


def _scored(screen, waste_limit, monkeypatch, **options):
    monkeypatch.setattr(groups, "DENSE_WASTE_LIMIT", waste_limit)
    return score(screen, **options)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"convention": "synergyfinder2"},
        {"loewe_solver": "exact", "fitter": "lsq"},
        {"check_fits": True, "sensitivity": True, "correct_baseline": "part"},
    ],
)
def test_scores_do_not_depend_on_padding(ragged, monkeypatch, options):
    dense = _scored(ragged, np.inf, monkeypatch, **options)
    grouped = _scored(ragged, 0.0, monkeypatch, **options)
    xr.testing.assert_identical(grouped, dense)


def test_other_models_do_not_depend_on_padding(monkeypatch):
    screen = simulate(
        8, model="musyc", n_doses=5, ragged=True, alpha12=2.0, noise_sd=3.0, seed=3, truth=False
    )
    models = ("ci", "zimmer", "braid")
    dense = _scored(screen, np.inf, monkeypatch, models=models)
    grouped = _scored(screen, 0.0, monkeypatch, models=models)
    xr.testing.assert_identical(grouped, dense)


def test_n_drug_scores_do_not_depend_on_padding(monkeypatch):
    cubes = simulate_multi(4, n_drugs=3, n_doses=4, noise_sd=3.0, seed=2)
    squares = simulate_multi(4, n_drugs=3, n_doses=2, noise_sd=3.0, seed=3)
    squares = squares.assign_coords(block=[f"s{b}" for b in squares["block"].values])
    screen = groups.join_groups([cubes, squares])
    assert len(groups.group_plan(screen, waste_limit=0.0)) == 2
    dense = _scored(screen, np.inf, monkeypatch)
    grouped = _scored(screen, 0.0, monkeypatch)
    xr.testing.assert_identical(grouped, dense)


def test_batch_of_a_ragged_screen_equals_one_call(ragged):
    whole = score(ragged)
    chunked = score_screen(ragged, chunk_blocks=17, progress=False)
    xr.testing.assert_identical(chunked, whole)


def test_join_matches_xarray_padding():
    small = simulate(3, n_doses=3, truth=False, seed=4)
    large = simulate(["big"], n_doses=9, truth=False, seed=5)
    padded = small.pad(row=(0, 6), col=(0, 6), constant_values=float("nan"))
    padded["n_control"] = small["n_control"]
    expected = xr.concat([padded, large], dim="block", data_vars="all")
    xr.testing.assert_identical(groups.join_groups([small, large]), expected)


def test_batch_scores_a_list_of_shape_groups():
    small = simulate(30, n_doses=3, noise_sd=3.0, n_replicates=2, truth=False, seed=6)
    large = simulate(["big"], n_doses=12, noise_sd=3.0, n_replicates=2, truth=False, seed=7)
    scored = score_screen([small, large], chunk_blocks=7, progress=False)
    assert len(scored) == 2
    xr.testing.assert_identical(scored[0], score(small))
    xr.testing.assert_identical(scored[1], score(large))
    dense = score(groups.join_groups([small, large]))
    xr.testing.assert_identical(groups.join_groups(scored), dense)
    with pytest.raises(SynergyError, match="shape groups"):
        score_screen([small, large], out="x.nc", progress=False)


def test_bootstrapped_ragged_screen_keeps_its_grid(ragged, monkeypatch):
    """The resampler draws per grid cell: a bootstrapped screen is never regrouped, so its
    intervals do not depend on the grouping threshold (nor on chunking)."""
    part = ragged.isel(block=slice(0, 10))
    dense = _scored(part, np.inf, monkeypatch, n_boot=8, seed=2)
    forced = _scored(part, 0.0, monkeypatch, n_boot=8, seed=2)
    xr.testing.assert_identical(forced, dense)
    chunked = score_screen(part, chunk_blocks=3, progress=False, n_boot=8, seed=2)
    xr.testing.assert_identical(chunked, dense)


def test_not_a_screen_is_left_to_score_to_refuse():
    not_a_screen = xr.Dataset({"response": ("block", [1.0, 2.0])})
    assert [p.tolist() for p in groups.group_plan(not_a_screen)] == [[0, 1]]
    with pytest.raises(SynergyError, match="conc_row"):
        score(not_a_screen)
