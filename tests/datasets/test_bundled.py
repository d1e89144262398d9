"""Bundled published data sets and SynergyFinder's reference outputs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import synergy.datasets as ds
from synergy.errors import SynergyError
from synergy.io.screen import check_screen

TWO_DRUG = ["sf_mathews", "sf_oneil", "drugcomb_examples", "ncats_10023_malaria"]


def test_list_datasets():
    assert ds.list_datasets() == ["menin_venetoclax", *TWO_DRUG]


@pytest.mark.parametrize("name", [*TWO_DRUG, "sf_ncats_3drug"])
def test_path_holds_the_table_and_its_readme(name):
    folder = ds.path(name)
    assert (folder / "data.csv").is_file()
    assert (folder / "README.md").is_file()


def test_licence_notes_name_their_folders():
    data = ds.path("sf_oneil").parent
    mpl = (data / "LICENSE-MPL-2.0").read_text(encoding="utf-8")
    for folder in ("sf_mathews", "sf_oneil", "sf_ncats_3drug", "drugcomb_examples"):
        assert folder in mpl
    assert "Mozilla Public License Version 2.0" in mpl
    ncats = (data / "LICENSE-NCATS-10023").read_text(encoding="utf-8")
    assert "public domain" in ncats.lower() and "not been verified" in ncats.lower()


@pytest.mark.parametrize("name", ["sf_mathews", "sf_oneil", "sf_ncats_3drug"])
@pytest.mark.parametrize("kind", ["summary", "surface", "drc"])
def test_reference_tables(name, kind):
    table = ds.reference(name, kind)
    assert isinstance(table, pd.DataFrame) and len(table) > 0
    assert table["block_id"].map(type).eq(str).all()
    if kind == "summary":
        assert {"ZIP_synergy", "Bliss_synergy", "HSA_synergy", "Loewe_synergy"} <= set(table)


def test_other_reference_tables_and_errors():
    assert len(ds.reference("drugcomb_examples", "published_scores")) == 2
    assert len(ds.reference("ncats_10023_malaria", "published_scores_ncats")) == 12
    assert len(ds.reference("sf_oneil", "replicates_summary")) == 2
    with pytest.raises(SynergyError, match="available"):
        ds.reference("sf_oneil", "nonsense")
    with pytest.raises(SynergyError, match="available"):
        ds.reference("sf_oneil", "data")
    with pytest.raises(SynergyError, match="unknown"):
        ds.path("nope")
    with pytest.raises(SynergyError, match="unknown"):
        ds.load("nope")


def test_three_drug_screen_loads_in_the_n_drug_layout():
    screen = ds.load("sf_ncats_3drug")
    assert screen.sizes["drug"] == 3 and screen.sizes["well"] == 1200
    assert "sf_ncats_3drug" not in ds.list_bundled()  # the list names the pair sets


# --- through the reader (synergy.io.reader.read_screen) ------------------------------------


@pytest.fixture(scope="module")
def reader():
    return pytest.importorskip("synergy.io.reader")


@pytest.mark.parametrize("name", TWO_DRUG)
def test_load_bundled(reader, name):
    screen = ds.load(name)
    check_screen(screen)
    raw = pd.read_csv(ds.path(name) / "data.csv", dtype={"block_id": str})
    assert sorted(screen["block"].values) == sorted(raw["block_id"].unique())
    assert int(np.isfinite(screen["response"].values).sum()) <= len(raw)
    provenance = json.loads(screen.attrs["provenance"])
    assert provenance["dataset"] == name and provenance["license"]


def test_mathews_viability_becomes_inhibition(reader):
    screen = ds.load("sf_mathews")
    raw = pd.read_csv(ds.path("sf_mathews") / "data.csv", dtype={"block_id": str})
    row = raw.iloc[0]  # block 1, 2500 nM ispinesib x 50 nM ibrutinib
    well = screen["response"].sel(block=row["block_id"])
    value = well.where(
        (screen["conc_row"].sel(block=row["block_id"]) == row["conc_row"])
        & (screen["conc_col"].sel(block=row["block_id"]) == row["conc_col"])
    )
    np.testing.assert_allclose(float(value.max()), 100.0 - row["response"], rtol=0, atol=1e-9)


def test_oneil_matches_synergyfinder_replicate_means(reader):
    screen = ds.load("sf_oneil")
    assert screen.sizes["replicate"] == 4
    surface = ds.reference("sf_oneil", "surface")
    means = screen["response"].mean("replicate")
    for block_id, group in surface.groupby("block_id"):
        block = means.sel(block=block_id)
        rows = np.searchsorted(block["conc_row"].values, group["conc1"].values)
        cols = np.searchsorted(block["conc_col"].values, group["conc2"].values)
        np.testing.assert_allclose(block.values[rows, cols], group["response"], atol=1e-6)
