"""The fitter rule (docs/design.md, "One fitter rule"): one default fitter for fit_screen and
score; fits made by another fitter are refitted with a logged notice; given fits are used."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import xarray as xr

import synergy
from synergy.batch import score_screen
from synergy.benchmark import read_published
from synergy.benchmark.fits import inject_published_fits
from synergy.benchmark.matching import match_blocks
from synergy.datasets import load, path, reference

SF_FILES = ["synergyfinder3_summary.csv", "synergyfinder3_drc.csv"]


@pytest.fixture(scope="module")
def mathews():
    return load("sf_mathews")


@pytest.fixture(scope="module")
def published_zip():
    """SynergyFinder 3's ZIP block scores of sf_mathews (its bundled summary table)."""
    summary = reference("sf_mathews", "summary")
    return dict(zip(summary["block_id"].astype(str), summary["ZIP_synergy"], strict=True))


def _notices(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "synergy.hill.fitter_rule"]


def test_one_default_fitter(mathews):
    fitted = synergy.hill.fit_screen(mathews)
    assert fitted["hill_row"].attrs["fitter"] == "drc" == fitted["hill_col"].attrs["fitter"]
    assert "hill_row_drc_status" in fitted


def test_score_of_default_fits_is_synergyfinders(mathews, published_zip, caplog):
    with caplog.at_level(logging.INFO, logger="synergy.hill.fitter_rule"):
        scored = synergy.score(synergy.hill.fit_screen(mathews), models=["zip"])
    assert _notices(caplog) == []  # drc fits, drc scoring: used as they are
    for block, value in zip(scored.block.values, scored.zip_score.values, strict=True):
        assert value == pytest.approx(published_zip[str(block)], abs=1e-6)
    assert scored.zip_score.sel(block="1") == pytest.approx(19.5708, abs=1e-4)


def test_fits_of_another_fitter_are_refitted_with_a_notice(mathews, published_zip, caplog):
    lsq = synergy.hill.fit_screen(mathews, fitter="lsq")
    with caplog.at_level(logging.INFO, logger="synergy.hill.fitter_rule"):
        scored = synergy.score(lsq, models=["zip", "bliss"])
    (notice,) = _notices(caplog)
    assert "fitter='lsq'" in notice and "fitter='drc'" in notice and "refits" in notice
    assert scored["hill_row"].attrs["fitter"] == "drc"
    assert scored.zip_score.sel(block="1") == pytest.approx(published_zip["1"], abs=1e-6)
    # the lsq fits scored as they are when asked for: a different ZIP (9.62), no notice
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="synergy.hill.fitter_rule"):
        as_lsq = synergy.score(lsq, models=["zip"], fitter="lsq")
    assert _notices(caplog) == []
    xr.testing.assert_identical(as_lsq["hill_row"], lsq["hill_row"])
    assert abs(as_lsq.zip_score.sel(block="1") - published_zip["1"]) > 5
    # refit=False keeps them as asked, but the mix (lsq single drugs, drc slices: ZIP 9.62
    # instead of 19.57) is not silent
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="synergy.hill.fitter_rule"):
        kept = synergy.score(lsq, models=["zip"], refit=False)
    (notice,) = _notices(caplog)
    assert "refit=False" in notice and "fitter='lsq'" in notice and "fitter='drc'" in notice
    xr.testing.assert_identical(kept["hill_row"], lsq["hill_row"])
    assert kept.zip_score.sel(block="1") == pytest.approx(9.6233, abs=1e-3)


def test_given_fits_are_used_as_they_are(mathews, caplog):
    published = read_published([path("sf_mathews") / f for f in SF_FILES])
    base = mathews.drop_vars([v for v in mathews.data_vars if str(v).startswith("hill")])
    injected, blocks = inject_published_fits(
        base, published.fits, match_blocks(base, published.blocks)
    )
    assert blocks == ["1", "2"]
    with caplog.at_level(logging.INFO, logger="synergy.hill.fitter_rule"):
        scored = synergy.score(injected, models=["zip", "loewe"], fitter="lsq")
    assert _notices(caplog) == []
    xr.testing.assert_identical(scored["hill_row"], injected["hill_row"])
    xr.testing.assert_identical(scored["hill_col"], injected["hill_col"])
    # fits without a fitter attribute (a user's own table) are given fits too
    bare = injected.copy()
    for side in ("hill_row", "hill_col"):
        bare[side].attrs = {}
    with caplog.at_level(logging.INFO, logger="synergy.hill.fitter_rule"):
        scored = synergy.score(bare, models=["zip"], fitter="lsq")
    assert _notices(caplog) == []
    np.testing.assert_array_equal(scored["hill_col"].values, injected["hill_col"].values)


def test_batch_path_follows_the_rule_with_one_notice(mathews, caplog):
    lsq = synergy.hill.fit_screen(mathews, fitter="lsq")
    with caplog.at_level(logging.INFO, logger="synergy.hill.fitter_rule"):
        batch = score_screen(lsq, ["zip"], chunk_blocks=1, progress=False)
    assert len(_notices(caplog)) == 1  # once for the screen, not once per chunk
    direct = synergy.score(lsq, ["zip"])
    np.testing.assert_array_equal(batch.zip_score.values, direct.zip_score.values)
    assert batch["hill_row"].attrs["fitter"] == "drc"


def test_cli_names_both_fitters_on_stderr(mathews, tmp_path):
    """`synergy score` on a saved screen with lsq fits: refitted with drc, said on stderr."""
    import subprocess
    import sys

    saved = tmp_path / "lsq.nc"
    synergy.save_screen(synergy.hill.fit_screen(mathews, fitter="lsq"), saved)
    out = tmp_path / "scored.nc"
    result = subprocess.run(
        [sys.executable, "-m", "synergy.cli", "score", str(saved), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("made with fitter='lsq'") == 1 and "fitter='drc'" in result.stderr
    scored = synergy.open_screen(out)
    assert scored["hill_row"].attrs["fitter"] == "drc"
    published = reference("sf_mathews", "summary")["ZIP_synergy"].to_numpy()
    np.testing.assert_allclose(scored.zip_score.values, published, atol=1e-6)


def test_fits_of_every_replicate_are_refitted_on_the_means(caplog):
    """fit_screen fits every replicate well by default; score fits the replicate means
    (SynergyFinder's table): a screen carrying per-well fits is refitted, with a notice,
    and scores exactly as the screen without fits."""
    oneil = load("sf_oneil")
    assert oneil.sizes["replicate"] > 1
    per_well = synergy.hill.fit_screen(oneil)
    assert per_well["hill_row"].attrs["replicates"] == "all"
    with caplog.at_level(logging.INFO, logger="synergy.hill.fitter_rule"):
        scored = synergy.score(per_well, models=["zip", "loewe"])
    (notice,) = _notices(caplog)
    assert "every replicate well" in notice and "replicate means" in notice
    direct = synergy.score(oneil, models=["zip", "loewe"])
    for name in ("zip_score", "loewe_score", "hill_row", "hill_col"):
        np.testing.assert_array_equal(scored[name].values, direct[name].values)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="synergy.hill.fitter_rule"):
        means = synergy.score(synergy.hill.fit_screen(oneil, replicates="mean"), models=["zip"])
    assert _notices(caplog) == []  # replicate-mean drc fits: what score fits itself
    np.testing.assert_array_equal(means.zip_score.values, direct.zip_score.values)
