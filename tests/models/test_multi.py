"""Reference models for N-drug blocks (issue #12): SynergyFinder 3, analytic nulls, invariances."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import synergy
from synergy.datasets import load_bundled, reference
from synergy.errors import SynergyError
from synergy.hill import evaluate, from_drc
from synergy.io.screen import build_multi_screen

MODELS = ("bliss", "hsa", "loewe", "zip")
SF_NAMES = {"bliss": "Bliss", "hsa": "HSA", "loewe": "Loewe", "zip": "ZIP"}


@pytest.fixture(scope="module")
def ncats() -> xr.Dataset:
    return load_bundled("sf_ncats_3drug")


@pytest.fixture(scope="module")
def ncats_scored(ncats) -> xr.Dataset:
    return synergy.score(ncats)


def _cube(hills: list[tuple[float, float, float, float]], surface, doses) -> xr.Dataset:
    """One full-factorial N-drug block, noise-free, response = surface(x_1, …, x_N)."""
    grid = np.array(list(itertools.product(*doses)), dtype=np.float64)
    response = surface(grid, hills)
    return build_multi_screen(
        ["cube"], [[f"d{i + 1}" for i in range(len(hills))]], ["sim"], grid[None],
        response[None, :, None], conc_unit="nM",
    )  # fmt: skip


def _bliss_surface(grid, hills):
    alone = np.stack([evaluate(grid[:, i], *h) for i, h in enumerate(hills)], axis=1)
    return 100 * (1 - np.prod(1 - alone / 100, axis=1))


DOSES = [[0, 1, 3, 10, 30, 100], [0, 2, 6, 20, 60], [0, 0.5, 5, 50, 500]]
HILLS = [(10.0, 1.2, 0.0, 90.0), (15.0, 2.0, 0.0, 70.0), (40.0, 0.8, 0.0, 100.0)]


def test_sf3_block1_summary_scores(ncats_scored):
    """Block 1 against SynergyFinder 3.7's own output (synergyfinder3_summary.csv)."""
    published = reference("sf_ncats_3drug", "summary").set_index("block_id").loc["1"]
    got = ncats_scored.sel(block="1")
    for model in ("bliss", "hsa", "loewe"):
        assert float(got[f"{model}_score"]) == pytest.approx(
            published[f"{SF_NAMES[model]}_synergy"], abs=1e-6
        )
    # ZIP too: the slices are fitted in the input's row order, as SynergyFinder does
    assert float(got["zip_score"]) == pytest.approx(published["ZIP_synergy"], abs=1e-6)
    assert int(got["bliss_n_wells"]) == 891  # wells where all three drugs are present


def test_sf3_block1_surfaces(ncats_scored):
    surface = reference("sf_ncats_3drug", "surface").set_index(["conc1", "conc2", "conc3"])
    block = ncats_scored.sel(block="1")
    conc = block["conc"].values
    index = pd.MultiIndex.from_arrays(conc.T, names=["conc1", "conc2", "conc3"])
    ours = pd.DataFrame({m: block[m].values for m in MODELS}, index=index)
    joined = ours.join(surface, how="inner")
    assert len(joined) == 1200
    for model in MODELS:
        diff = (joined[model] - joined[f"{SF_NAMES[model]}_synergy"]).abs()
        assert (diff <= 1.0).mean() >= 0.95
        assert diff.max() <= 1e-6, model


def test_sf3_single_drug_fits_are_synergyfinders(ncats_scored):
    fits = reference("sf_ncats_3drug", "drc")
    for k, row in enumerate(fits.itertuples()):
        expect = from_drc(row.b, row.c, row.d, row.e)
        got = ncats_scored["hill"].sel(block="1").values[k]
        np.testing.assert_allclose(got, expect, rtol=1e-9)


def test_block2_is_antagonistic(ncats_scored):
    """Block 2's reference numbers are kept aside; the package documents it as antagonistic."""
    block = ncats_scored.sel(block="2")
    for model in MODELS:
        assert float(block[f"{model}_score"]) < -5, model
    assert int(block["status"]) < 2


def test_bliss_independent_cube_scores_zero():
    screen = _cube(HILLS, _bliss_surface, DOSES)
    scored = synergy.score(screen, fitter="lsq")
    np.testing.assert_allclose(scored["bliss"].values, 0.0, atol=1e-9)
    # ZIP's null is a Bliss-independent Hill surface (docs/design.md §6.7): every slice is a Hill
    # curve, so the slice fits are exact up to the optimiser's tolerance
    np.testing.assert_allclose(scored["zip"].values, 0.0, atol=1e-4)


def test_sham_triplet_scores_zero_in_loewe():
    """One drug split three ways: f(x1 + x2 + x3) is Loewe-additive."""
    hill = (20.0, 1.5, 0.0, 95.0)
    doses = [[0, 2, 6, 20, 60], [0, 3, 9, 27], [0, 1, 10, 100]]
    screen = _cube([hill] * 3, lambda grid, hills: evaluate(grid.sum(axis=1), *hill), doses)
    screen["hill"] = (("block", "drug", "param"), np.tile(hill, (1, 3, 1)))
    screen = screen.assign_coords(param=["ic50", "hill_slope", "bottom", "top"])
    scored = synergy.score(screen, models=("loewe",), loewe_solver="exact", refit=False)
    np.testing.assert_allclose(scored["loewe"].values, 0.0, atol=1e-9)
    grid = synergy.score(screen, models=("loewe",), loewe_solver="grid100", refit=False)
    assert np.nanmax(np.abs(grid["loewe"].values)) < 1.0  # the grid's quantisation


def test_permuting_the_drugs_changes_no_score(ncats, ncats_scored):
    table = synergy.to_table(ncats, level="well")
    order = [3, 1, 2]
    renamed = table.rename(
        columns={f"{kind}{old}": f"{kind}{new}" for new, old in enumerate(order, 1)
                 for kind in ("drug", "conc", "conc_unit")}
    )  # fmt: skip
    permuted = synergy.score(synergy.read_screen(renamed))
    for model in MODELS:  # (the input order of the permuted table is the sorted one)
        np.testing.assert_allclose(
            permuted[f"{model}_score"].values, ncats_scored[f"{model}_score"].values, atol=1e-4
        )


def test_two_drugs_through_the_n_drug_path_score_as_pairs(data_dir):
    path = data_dir / "sf_oneil" / "data.csv"
    pair = synergy.score(synergy.read_screen(path))
    multi = synergy.score(synergy.read_screen(path, layout="multi"))
    for model in MODELS:
        np.testing.assert_allclose(
            multi[f"{model}_score"].values, pair[f"{model}_score"].values, rtol=1e-12, atol=1e-12
        )


def test_options_without_an_n_drug_definition_are_refused(ncats):
    with pytest.raises(SynergyError, match="synergyfinder3"):
        synergy.score(ncats, convention="synergyfinder2")
    with pytest.raises(SynergyError, match="pairs only"):
        synergy.score(ncats, check_fits=True)
    with pytest.raises(SynergyError, match="grid100"):
        synergy.score(ncats, models=("loewe",), loewe_solver="sf2")
