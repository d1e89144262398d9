"""N-drug layout (docs/design.md §1): reading, checks, tables, round trips."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import synergy
from synergy.errors import ColumnError, SynergyError
from synergy.io.layout import is_multi
from synergy.io.screen import build_multi_screen
from synergy.io.wells import dose_cube, n_present, single_drug_index, slices_along


@pytest.fixture(scope="module")
def ncats(data_dir) -> xr.Dataset:
    return synergy.read_screen(data_dir / "sf_ncats_3drug" / "data.csv")


def test_ncats_reads_as_three_drugs(ncats, data_dir):
    raw = pd.read_csv(data_dir / "sf_ncats_3drug" / "data.csv")
    assert is_multi(ncats)
    assert dict(ncats.sizes) == {"block": 2, "well": 1200, "drug": 3, "replicate": 1}
    assert ncats["drug_name"].values[1].tolist() == [
        "Piperaquine",
        "Pyronaridine Tetraphosphate",
        "Lopinavir",
    ]
    assert ncats.attrs["conc_unit"] == "uM"
    # well 0 is the control; % viability became % inhibition, value by value
    np.testing.assert_array_equal(ncats["conc"].values[:, 0], 0.0)
    first = raw[(raw.block_id == 1) & (raw.conc1 == 0.3) & (raw.conc2 == 0.075) & (raw.conc3 == 0)]
    cell = ncats.sel(block="1")
    match = (cell["conc"].values == [0.3, 0.075, 0.0]).all(axis=1)
    assert cell["response"].values[match, 0] == pytest.approx(100 - first["response"].iloc[0])
    assert json.loads(ncats.attrs["provenance"])["response"]["kinds"] == {"viability": 2400}


def test_wells_are_sorted_and_padded():
    table = pd.DataFrame(
        {
            "block_id": ["a"] * 4 + ["b"] * 2,
            "drug1": ["x"] * 6,
            "drug2": ["y"] * 6,
            "drug3": ["z"] * 6,
            "conc1": [1, 0, 0, 1, 2, 0],
            "conc2": [1, 0, 1, 0, 0, 0],
            "conc3": [1, 0, 0, 0, 2, 3],
            "response": [50.0, 0.0, 10, 20, 30, 5],
        }
    )
    screen = synergy.read_screen(table, response_kind="inhibition")
    conc = screen["conc"].values
    assert conc[0].tolist() == [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]]
    # block b has no control: a NaN all-zero well is added first, then padding
    assert conc[1, 0].tolist() == [0, 0, 0] and np.isnan(screen["response"].values[1, 0, 0])
    assert np.isnan(conc[1, 3]).all()
    assert n_present(conc).tolist() == [[0, 1, 1, 3], [0, 1, 2, -1]]
    single = single_drug_index(conc)
    assert single[0, 3].tolist() == [2, 1, -1]  # (1,1,1): drug 1 alone is well 2, drug 3 absent
    assert single[0, 1].tolist() == [0, 1, 0]  # (0,1,0): the control for drugs 1 and 3
    slices = slices_along(conc, 0)  # along drug 1: wells sharing (conc2, conc3)
    as_sets = {(b, tuple(w[w >= 0])) for b, w in zip(slices.block, slices.well, strict=True)}
    assert (0, (0, 2)) in as_sets and (0, (1,)) in as_sets and (0, (3,)) in as_sets


def test_table_round_trip_and_layout_for_pairs(ncats, data_dir):
    again = synergy.read_screen(synergy.to_table(ncats, level="well"))
    xr.testing.assert_equal(again.drop_attrs(), ncats.drop_attrs())  # input order kept too
    pair_as_multi = synergy.read_screen(data_dir / "sf_oneil" / "data.csv", layout="multi")
    assert pair_as_multi.sizes["drug"] == 2 and pair_as_multi.sizes["replicate"] == 4


def test_netcdf_round_trip(ncats, tmp_path):
    path = tmp_path / "multi.nc"
    synergy.save_screen(ncats, path)
    xr.testing.assert_identical(synergy.open_screen(path), ncats)


def test_mixed_pair_and_triplet_sources_are_refused(data_dir):
    with pytest.raises(SynergyError, match="mix screens of different numbers of drugs"):
        synergy.read_screen(
            [data_dir / "sf_oneil" / "data.csv", data_dir / "sf_ncats_3drug" / "data.csv"]
        )


def test_bad_drug_numbering_is_named():
    base = {"block_id": [1], "drug1": ["a"], "drug2": ["b"], "conc1": [0], "conc2": [0]}
    with pytest.raises(SynergyError, match="without gaps"):
        synergy.read_screen(pd.DataFrame({**base, "drug4": ["d"], "conc4": [0], "response": [0]}))
    with pytest.raises(ColumnError, match="no drug3 column"):
        synergy.read_screen(pd.DataFrame({**base, "conc3": [0], "response": [0]}))


def test_validate_and_describe(ncats):
    assert synergy.validate(ncats).ok
    table = synergy.describe(ncats)
    assert (
        table[["n_doses1", "n_doses2", "n_doses3", "n_wells"]].values.tolist()
        == [[10, 10, 12, 1200]] * 2
    )
    broken = build_multi_screen(
        ["1"], [["a", "b", "c"]], ["s"], np.array([[[0, 0, 0], [1, 1, 1.0]]]),
        np.array([[[0.0], [50.0]]]), conc_unit="nM",
    )  # fmt: skip
    report = synergy.validate(broken)
    assert report.ok  # scored with a status, not refused (docs/design.md §6.4)
    assert any("no single-drug well of drug 1" in p for p in report.warnings)


def test_dose_cube_places_every_well(ncats):
    conc = ncats["conc"].values[0]
    values = ncats["response"].values[0, :, 0]
    doses, cube = dose_cube(conc, values)
    assert cube.shape == (10, 10, 12)
    for w in (0, 17, 599, 1199):
        at = tuple(int(np.flatnonzero(doses[k] == conc[w, k])[0]) for k in range(3))
        assert cube[at] == values[w]
