"""One comparison path for 2 and N drugs: a pair screen read into the N-drug layout (N = 2)
is compared with SynergyFinder's pair tables exactly as the pair layout is, and published
single-drug fits are used for any number of drugs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synergy.benchmark import compare, match_blocks
from synergy.datasets import BUNDLED, load, path
from synergy.io.reader import read_screen

FILES = ["synergyfinder3_summary.csv", "synergyfinder3_surface.csv", "synergyfinder3_drc.csv"]


@pytest.fixture(scope="module")
def published():
    return [path("sf_mathews") / f for f in FILES]


@pytest.fixture(scope="module")
def as_wells():
    kind = BUNDLED["sf_mathews"].response_kind
    return read_screen(path("sf_mathews") / "data.csv", response_kind=kind, layout="multi")


def test_a_pair_in_the_well_layout_reproduces_synergyfinder(as_wells, published):
    result = compare(as_wells, published, tolerance=0.01)
    assert result.passed()  # against SynergyFinder 3's own block scores
    assert {"drug_row", "drug_col"} <= set(result.blocks.columns)
    assert (result.well_summary["n"] == 50).all() and result.wells["placed"].all()
    assert (result.well_summary["max_abs_diff"] < 1e-6).all()


def test_both_layouts_give_the_same_comparison(as_wells, published):
    grid = compare(load("sf_mathews"), published, tolerance=0.01)
    wells = compare(as_wells, published, tolerance=0.01)
    columns = ["block", "drug_row", "drug_col", "model", "theirs", "fit_status", "matched_by"]
    pd.testing.assert_frame_equal(grid.blocks[columns], wells.blocks[columns])
    np.testing.assert_allclose(wells.blocks["ours"], grid.blocks["ours"], rtol=0, atol=1e-9)
    keys = ["block", "conc_row", "conc_col", "model"]
    a, b = (r.wells.sort_values(keys).reset_index(drop=True) for r in (grid, wells))
    pd.testing.assert_frame_equal(a[keys], b[keys])
    np.testing.assert_allclose(b["ours"], a["ours"], rtol=0, atol=1e-9)


def test_matching_keeps_the_published_drug_order(as_wells):
    first, second = (str(v) for v in as_wells["drug_name"].values[0])
    table = pd.DataFrame(
        {"block": [None], "drug_row": [second], "drug_col": [first], "sample": [None]}
    )
    m = match_blocks(as_wells, table)
    assert m.pairs["block"].tolist() == ["1"] and m.pairs["matched_by"].tolist() == ["drugs"]
    assert m.pairs["order"].tolist() == [(1, 0)] and m.pairs["swapped"].tolist() == [True]


def test_published_fits_in_either_layout(as_wells, published):
    grid = compare(load("sf_mathews"), published, use_published_fits=True, tolerance=0.01)
    wells = compare(as_wells, published, use_published_fits=True, tolerance=0.01)
    assert grid.settings["published_fits"] == wells.settings["published_fits"] == ["1", "2"]
    assert (wells.blocks["fit_status"] == "published fits").all()
    np.testing.assert_allclose(wells.blocks["ours"], grid.blocks["ours"], rtol=0, atol=1e-9)
    assert wells.passed()


def test_published_fits_of_three_drugs_follow_the_drugs():
    """SynergyFinder's three-drug fits, with the published drugs 1 and 3 swapped in every
    table: each of our drugs still gets its own published curve."""
    directory = path("sf_ncats_3drug")
    summary = pd.read_csv(directory / FILES[0])
    surface = pd.read_csv(directory / FILES[1])
    fits = pd.read_csv(directory / FILES[2])
    swapped = [
        summary.rename(columns={"drug1": "drug3", "drug3": "drug1"}),
        surface.rename(columns={"conc1": "conc3", "conc3": "conc1"}),
        fits.assign(drug=fits["drug"].replace({"conc1": "conc3", "conc3": "conc1"})),
    ]
    screen = load("sf_ncats_3drug")
    result = compare(screen, swapped, use_published_fits=True, tolerance=1e-6)
    assert result.settings["published_fits"] == ["1"] and result.passed()
    assert result.blocks["swapped"].all()
    hill = result.scored["hill"].sel(param=["ic50", "hill_slope"]).values[0]
    for k, name in enumerate(screen["drug_name"].values[0]):  # the drc table, by drug name
        row = fits[fits["drug"] == f"conc{list(summary.iloc[0, 1:4]).index(name) + 1}"]
        e, b = row[["e", "b"]].to_numpy(float)[0]  # drc's LL.4: ic50 = e, slope = |b|
        np.testing.assert_allclose(hill[k], [e, abs(b)], rtol=1e-12)
    assert (result.well_summary["max_abs_diff"] < 1e-6).all()
