"""compare(): our own scores written as a published table, edits to it, and SynergyFinder's /
DrugComb's real outputs (package data)."""

from __future__ import annotations

import numpy as np
import pytest

from synergy.benchmark import compare, read_published
from synergy.datasets import load, path
from synergy.errors import SynergyError
from synergy.io.table import to_table

MODELS = ["bliss", "hsa", "loewe", "zip"]
SF_FILES = ["synergyfinder3_summary.csv", "synergyfinder3_surface.csv", "synergyfinder3_drc.csv"]


def _sf(name, files=SF_FILES):
    return read_published([path(name) / f for f in files])


def test_own_scores_agree_rescored_and_as_scored(sim_screen, sim_scored, own_table):
    for screen in (sim_screen, sim_scored):
        result = compare(screen, own_table)
        assert result.passed()
        assert list(result.summary.index) == MODELS
        assert (result.summary["max_abs_diff"] < 1e-9).all()
        assert (result.summary["n"] == 6).all() and (result.summary["pearson_r"] > 0.999).all()
        assert result.unmatched_screen == [] and result.unmatched_published == []
        assert result.evidence.empty
        assert result.verdict().startswith("PASS")


def test_one_block_moved_by_five_is_named(sim_screen, own_table):
    own_table.loc[own_table.block_id == "3", "ZIP_synergy"] += 5.0
    result = compare(sim_screen, own_table)
    assert not result.passed() and result.passed(max_outside=1)
    bad = result.outside()
    assert bad[["block", "model"]].values.tolist() == [["3", "zip"]]
    assert bad["diff"].iloc[0] == pytest.approx(-5.0)
    assert result.summary.loc["zip", "n_outside"] == 1
    assert result.summary.loc["bliss", "n_outside"] == 0
    assert "block '3' zip -5.000" in result.verdict()
    assert result.evidence[["block", "model"]].values.tolist() == [["3", "zip"]]
    assert "unexplained" in result.evidence["explanation"].iloc[0]


def test_swapped_drug_order_still_matched(sim_screen, own_table):
    swapped = own_table.rename(columns={"drug1": "drug2", "drug2": "drug1"})
    result = compare(sim_screen, swapped)
    assert result.passed() and result.blocks["swapped"].all()
    assert set(result.blocks["matched_by"]) == {"block id"}
    no_ids = swapped.drop(columns="block_id")
    result = compare(sim_screen, no_ids, models=["zip", "loewe"])
    assert result.passed() and result.blocks["swapped"].all()
    assert set(result.blocks["matched_by"]) == {"drugs and sample"}
    assert result.blocks["block"].nunique() == 6


def test_blocks_without_partner_on_both_sides_are_listed(sim_screen, own_table):
    table = own_table[own_table.block_id != "2"].copy()
    extra = table.iloc[[0]].copy()
    extra[["block_id", "drug1", "drug2"]] = ["99", "aspirin", "caffeine"]
    table = __import__("pandas").concat([table, extra])
    result = compare(sim_screen, table)
    assert result.unmatched_screen == ["2"]
    assert len(result.unmatched_published) == 1 and "'99'" in result.unmatched_published[0]
    text = "\n".join(result.lines())
    assert "only in the screen: block '2'" in text and "aspirin × caffeine" in text
    assert result.blocks["block"].nunique() == 5 and result.passed()


def test_per_well_comparison_of_own_surfaces(sim_scored):
    wells = to_table(sim_scored, level="well")
    result = compare(sim_scored, wells)
    assert result.well_summary is not None
    assert (result.well_summary["n"] == 6 * 16).all()
    assert (result.well_summary["max_abs_diff"] < 1e-9).all()


@pytest.mark.parametrize("name", ["sf_oneil", "sf_mathews"])
def test_synergyfinder3_outputs_reproduced(name):
    result = compare(load(name), _sf(name), convention="synergyfinder3")
    assert result.passed(), result.lines()
    assert (result.summary["max_abs_diff"] < 1e-8).all()
    assert (result.well_summary["max_abs_diff"] < 1e-7).all()


@pytest.mark.parametrize("name", ["sf_oneil", "sf_mathews"])
def test_published_fits_injected_reproduce_bliss_hsa_loewe(name):
    result = compare(load(name), _sf(name), use_published_fits=True, fitter="lsq")
    assert result.settings["published_fits"] == ["1", "2"]
    assert (result.blocks["fit_status"] == "published fits").all()
    assert (result.summary.loc[["bliss", "hsa", "loewe"], "max_abs_diff"] < 1e-3).all()
    assert (result.well_summary.loc[["bliss", "hsa", "loewe"], "max_abs_diff"] < 1e-3).all()


def test_mathews_with_lsq_explained_by_synergyfinders_poor_fit():
    result = compare(load("sf_mathews"), _sf("sf_mathews"), fitter="lsq")
    ev = result.evidence.set_index(["block", "model"])
    row = ev.loc[("1", "loewe")]
    status = result.blocks.set_index(["block", "model"])["fit_status"]
    assert status[("1", "loewe")] == "row: hit_bound; col: flat"
    assert row["published_sse_row"] == pytest.approx(5630, rel=1e-3)
    assert row["sse_row"] < 31 and row["n_points_row"] == 6
    assert "ispinesib fit has SSE 5,629.5 where ours reaches 30.3" in row["explanation"]
    assert row["other_fitter"] == "drc" and abs(row["other_fitter_diff"]) < 0.5
    assert "the difference is the fitting" in row["explanation"]
    assert ("1", "zip") in ev.index


def test_drugcomb_with_synergyfinder2_and_auto():
    pub = read_published(
        [path("drugcomb_examples") / f for f in
         ("published_scores.csv", "published_well_scores_block1.csv")]
    )  # fmt: skip
    screen = load("drugcomb_examples")
    result = compare(screen, pub, convention="synergyfinder2")
    assert result.passed() and (result.summary["max_abs_diff"] < 0.05).all()
    auto = compare(screen, pub, convention="auto")
    assert auto.best["overall"] == "synergyfinder2" == auto.settings["convention"]
    assert auto.best["zip"] == auto.best["loewe"] == "synergyfinder2"
    assert auto.best["bliss"] == auto.best["hsa"] == "tie"
    assert "→ synergyfinder2" in "\n".join(auto.lines())
    closer = auto.block_conventions.set_index(["block", "model"])["closer"]
    assert closer[("1", "bliss")] == "tie" and closer[("2", "zip")] == "synergyfinder2"


def test_oneil_auto_names_synergyfinder3():
    auto = compare(load("sf_oneil"), _sf("sf_oneil", SF_FILES[:1]), convention="auto")
    assert auto.best["overall"] == "synergyfinder3"
    assert auto.best["zip"] == "synergyfinder3" and auto.best["bliss"] == "tie"
    sf2 = auto.conventions.set_index(["convention", "model"]).loc["synergyfinder2"]
    assert sf2.loc["zip", "mean_abs_diff"] > 1.0


def test_replicate_bootstrap_run_is_explained_by_replicates():
    pub = read_published(path("sf_oneil") / "synergyfinder3_replicates_summary.csv")
    result = compare(load("sf_oneil"), pub, convention="synergyfinder3")
    assert not result.passed()
    assert result.evidence["explanation"].str.contains("scored the 4 replicates").all()
    assert result.evidence["published_replicated"].all()


def test_replicate_mean_run_gets_no_bootstrap_note():
    result = compare(load("sf_oneil"), _sf("sf_oneil"), fitter="lsq")
    assert len(result.evidence) and not result.evidence["published_replicated"].any()
    assert not result.evidence["explanation"].str.contains("bootstrap").any()
    assert result.evidence["explanation"].str.contains("the difference is the fitting").all()


def test_wells_missing_from_the_screen_are_reported_as_imputed():
    screen = load("sf_mathews")
    screen["response"][0, 3, 3, :] = np.nan
    result = compare(
        screen, _sf("sf_mathews"), models=["bliss"], convention="synergyfinder3", tolerance=1e-3
    )
    row = result.evidence.set_index(["block", "model"]).loc[("1", "bliss")]
    assert row["imputed_wells"] == 1
    assert "1 combination well(s) the screen did not measure" in row["explanation"]


def test_errors(sim_screen, own_table):
    with pytest.raises(SynergyError, match="no published block matches"):
        table = own_table.assign(drug1="p", drug2="q")
        compare(sim_screen, table.assign(block_id=[f"x{k}" for k in range(6)]))
    with pytest.raises(SynergyError, match="has no scores for"):
        compare(sim_screen, own_table[["block_id", "ZIP_synergy"]], models=["bliss"])
    with pytest.raises(SynergyError, match="no single-drug fits"):
        compare(sim_screen, own_table, use_published_fits=True)
    with pytest.raises(SynergyError, match="convention must be"):
        compare(sim_screen, own_table, convention="sf4")


def test_fit_check_flags_blocks_resting_on_a_poor_fit_even_when_they_agree():
    # docs/design.md §6.23: with drc's fits every block agrees, but block 1's scores rest on
    # SynergyFinder's poor ispinesib fit, which fitter="lsq" improves
    result = compare(load("sf_mathews"), _sf("sf_mathews", SF_FILES[:1]))
    assert result.passed()
    checks = result.fit_checks.set_index("block")
    assert checks.loc["1", "improved"] and not checks.loc["2", "improved"]
    assert checks.loc["1", "sse_row"] == pytest.approx(5629.5, rel=1e-4)
    assert checks.loc["1", "check_sse_row"] < 31
    flagged = result.blocks[result.blocks["fit_check"] != ""]
    assert flagged[["block", "model"]].values.tolist() == [["1", "loewe"], ["1", "zip"]]
    lsq = compare(load("sf_mathews"), _sf("sf_mathews", SF_FILES[:1]), fitter="lsq")
    ours = lsq.blocks.set_index(["block", "model"])["ours"]
    np.testing.assert_allclose(flagged["check_score"], [ours[("1", "loewe")], ours[("1", "zip")]])
    assert "ispinesib SSE 5,629.5 → 30.3)" in flagged["fit_check"].iloc[0]
    assert "fit check: 1 block(s)" in "\n".join(result.lines())


def test_missing_published_score_and_off_grid_wells_are_said(sim_scored, own_table):
    own_table.loc[own_table.block_id == "5", "HSA_synergy"] = np.nan
    result = compare(sim_scored, own_table, models=["hsa"])
    assert result.outside()["block"].tolist() == ["5"]
    assert "no score for this block" in result.evidence["explanation"].iloc[0]
    wells = to_table(sim_scored, level="well")
    wells["conc1"] *= 1000.0  # another unit
    result = compare(sim_scored, wells, models=["bliss"])
    assert not result.wells["placed"].any()
    assert "96 published combination well(s) are not on our dose grid" in "\n".join(result.lines())


def test_auto_names_the_baseline_correction_that_made_the_table():
    # a table written from our own scores with correct_baseline="part" → auto names "part"
    from synergy.scoring import score

    screen = load("sf_mathews")
    table = to_table(score(screen, correct_baseline="part"), level="block")
    auto = compare(screen, table, convention="auto")
    assert auto.best_baseline["overall"] == "part" == auto.settings["correct_baseline"]
    assert auto.passed() and (auto.summary["max_abs_diff"] < 1e-9).all()
    by = auto.baselines.set_index(["correct_baseline", "model"])["mean_abs_diff"]
    assert by[("non", "bliss")] > 1.0 and by[("all", "bliss")] > 1.0
    text = "\n".join(auto.lines())
    assert "which baseline correction reproduces the table (under synergyfinder3" in text


def test_auto_baseline_on_published_tables_non_and_ties():
    auto = compare(load("sf_oneil"), _sf("sf_oneil", SF_FILES[:1]), convention="auto")
    assert auto.best_baseline["overall"] == "non"
    part = auto.baselines.set_index(["correct_baseline", "model"]).loc["part"]
    assert (part["mean_abs_diff"] > 0.2).all()
    dc = compare(
        load("drugcomb_examples"), path("drugcomb_examples") / "published_scores.csv",
        convention="auto",
    )  # fmt: skip
    assert dc.best_baseline["overall"] == "tie" and dc.settings["correct_baseline"] == "non"
    assert dc.ties["baseline:overall"] == ["non", "part", "all"]
    assert "overall → tie (non = part = all)" in "\n".join(dc.lines())
