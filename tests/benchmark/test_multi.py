"""Three-drug published tables: SynergyFinder 3's multi-drug outputs against our N-drug scores
(package data ``sf_ncats_3drug``: SynergyFinder 3.7 run on block 1 only)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synergy.benchmark import compare, read_published
from synergy.datasets import load_bundled, path, reference
from synergy.errors import SynergyError
from synergy.scoring import score

MODELS = ["bliss", "hsa", "loewe", "zip"]
FILES = ["synergyfinder3_summary.csv", "synergyfinder3_surface.csv", "synergyfinder3_drc.csv"]


@pytest.fixture(scope="module")
def screen():
    return load_bundled("sf_ncats_3drug")


@pytest.fixture(scope="module")
def scored(screen):
    return score(screen)


@pytest.fixture(scope="module")
def published():
    return read_published([path("sf_ncats_3drug") / f for f in FILES])


def test_reader_detects_the_multi_drug_tables(published):
    assert published.n_drugs == 3
    assert published.blocks["drugs"].iloc[0] == (
        "Piperaquine",
        "Pyronaridine Tetraphosphate",
        "Darunavir Ethanolate",
    )
    assert {"conc_1", "conc_2", "conc_3"} <= set(published.wells.columns)
    assert sorted(published.fits["side"]) == ["1", "2", "3"]
    assert [t["level"] for t in published.tables] == ["block", "well", "fits"]


def test_block_1_agrees_block_2_unmatched(scored):
    result = compare(scored, reference("sf_ncats_3drug", "summary"), tolerance=0.01)
    assert result.passed()
    assert list(result.summary.index) == MODELS
    assert (result.summary["max_abs_diff"] < 0.01).all()
    assert result.blocks["block"].unique().tolist() == ["1"]
    assert result.unmatched_screen == ["2"]
    assert "only in the screen: block '2'" in "\n".join(result.lines())
    assert result.blocks["drugs"].iloc[0].count(" × ") == 2


def test_per_well_comparison(scored, published):
    result = compare(scored, published, tolerance=0.05)
    wells = result.wells
    assert set(wells["model"]) == set(MODELS) and wells["placed"].all()
    combination = (wells[["conc_1", "conc_2", "conc_3"]] > 0).sum(axis=1) >= 2
    assert combination.all() and wells["block"].eq("1").all()
    assert (result.well_summary["n"] == 1170).all()  # 12·10·10 minus the 30 single-drug wells
    assert (result.well_summary["max_abs_diff"] < 1e-8).all()  # ZIP's slices in input order


def test_drug_order_and_ids_do_not_matter(scored):
    table = reference("sf_ncats_3drug", "summary")
    shuffled = table.rename(columns={"drug1": "drug3", "drug3": "drug1"}).drop(columns="block_id")
    result = compare(scored, shuffled, tolerance=0.01)
    assert result.passed() and result.blocks["swapped"].all()
    assert set(result.blocks["matched_by"]) == {"drugs"}
    surface = reference("sf_ncats_3drug", "surface")
    swapped = surface.rename(columns={"conc1": "conc3", "conc3": "conc1"})
    with_wells = read_published([shuffled.assign(block_id=1), swapped])
    result = compare(scored, with_wells, tolerance=0.05)
    assert result.wells["placed"].all()
    assert (result.well_summary.loc[["bliss", "hsa"], "max_abs_diff"] < 1e-6).all()


def test_moved_block_is_explained_and_auto_prefers_no_baseline_correction(screen, published):
    table = reference("sf_ncats_3drug", "summary")
    table["Loewe_synergy"] += 2.0
    result = compare(screen, [table, path("sf_ncats_3drug") / FILES[2]])
    assert result.outside()[["block", "model"]].values.tolist() == [["1", "loewe"]]
    row = result.evidence.iloc[0]
    for k in (1, 2, 3):  # our drc replica reaches SynergyFinder's fits on the same points
        assert row[f"sse_{k}"] == pytest.approx(row[f"published_sse_{k}"], rel=1e-6)
    assert row["explanation"].startswith("unexplained: the single-drug fits are equally good")
    auto = compare(screen, published, convention="auto", tolerance=0.01)
    assert auto.best_baseline["overall"] == "non" == auto.settings["correct_baseline"]
    part = auto.baselines.set_index(["correct_baseline", "model"]).loc["part"]
    assert (part.loc[["bliss", "zip"], "mean_abs_diff"] > 0.5).all()
    assert "which baseline correction reproduces the table" in "\n".join(auto.lines())


def test_mixing_pairs_and_triples_is_an_error(scored):
    with pytest.raises(SynergyError, match="drugs per block"):
        compare(scored, pd.DataFrame({"block_id": ["1"], "drug1": ["a"], "drug2": ["b"],
                                      "ZIP_synergy": [1.0]}))  # fmt: skip
    with pytest.raises(SynergyError, match="drugs per combination"):
        read_published([reference("sf_ncats_3drug", "summary"), path("sf_mathews") / FILES[0]])
    assert np.isfinite(scored["zip_score"].values).all()


def test_missing_combination_well_reported_as_imputed(published):
    screen = load_bundled("sf_ncats_3drug")
    conc = screen["conc"].transpose("block", "well", "drug").values[0]
    well = int(np.flatnonzero((conc > 0).all(axis=1))[3])
    response = screen["response"].values.copy()
    response[0, well, :] = np.nan
    screen["response"].values = response
    result = compare(screen, published, models=["bliss"], tolerance=1e-6)
    row = result.evidence.iloc[0]
    assert row["imputed_wells"] == 1
    assert "1 combination well(s) the screen did not measure" in row["explanation"]
