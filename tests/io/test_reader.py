"""read_screen on the bundled sets, aliases, units, viability, replicates, controls."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import synergy
from synergy.errors import ColumnError, ResponseError, SynergyError, UnitError


def _prov(screen):
    return json.loads(screen.attrs["provenance"])


@pytest.mark.parametrize(
    ("name", "shape", "unit"),
    [
        ("sf_mathews", (2, 6, 6, 1), "nM"),
        ("sf_oneil", (2, 5, 5, 4), "uM"),
        ("drugcomb_examples", (2, 5, 5, 1), "uM"),
        ("ncats_10023_malaria", (12, 10, 10, 1), "uM"),
    ],
)
def test_every_two_drug_set_reads(data_dir, name, shape, unit):
    screen = synergy.read_screen(data_dir / name / "data.csv")
    assert screen["response"].shape == shape
    assert screen.attrs["conc_unit"] == unit
    raw = pd.read_csv(data_dir / name / "data.csv")
    assert np.isfinite(screen["response"].values).sum() == len(raw)


def test_mathews_values_are_converted_from_viability(data_dir):
    raw = pd.read_csv(data_dir / "sf_mathews" / "data.csv")
    screen = synergy.read_screen(data_dir / "sf_mathews" / "data.csv")
    row = raw.iloc[0]  # block 1, ispinesib 2500 nM, ibrutinib 50 nM
    cell = screen.sel(block="1")
    i = int(np.flatnonzero(cell["conc_row"].values == row["conc_row"])[0])
    j = int(np.flatnonzero(cell["conc_col"].values == row["conc_col"])[0])
    assert cell["response"].values[i, j, 0] == pytest.approx(100 - row["response"])
    assert _prov(screen)["response"]["kinds"] == {"viability": 72}


def test_three_drug_table_reads_into_the_n_drug_layout(data_dir):
    screen = synergy.read_screen(data_dir / "sf_ncats_3drug" / "data.csv")
    assert "drug" in screen.dims and screen.attrs["n_drugs"] == 3
    with pytest.raises(SynergyError, match="layout='pair'"):
        synergy.read_screen(data_dir / "sf_ncats_3drug" / "data.csv", layout="pair")


def _table(**over):
    base = {
        "PairIndex": [1, 1, 1, 1],
        "Drug1": ["a"] * 4,
        "Drug2": ["b"] * 4,
        "Conc1": [0, 0, 10, 10],
        "Conc2": [0, 5, 0, 5],
        "Response": [0.0, 10.0, 20.0, 40.0],
        "ConcUnit": ["nM"] * 4,
    }
    base.update(over)
    return pd.DataFrame(base)


def test_synergyfinder_v2_aliases():
    screen = synergy.read_screen(_table())
    assert list(screen["block"].values) == ["1"]
    assert screen["response"].values[0, 1, 1, 0] == 40.0
    assert screen["drug_row"].item() == "a"


def test_units_converted_to_most_common():
    table = pd.concat([_table(), _table(PairIndex=[2] * 4, ConcUnit=["uM"] * 4)], ignore_index=True)
    table.loc[8] = [3, "a", "b", 0, 0, 0.0, "uM"]
    screen = synergy.read_screen(table)
    assert screen.attrs["conc_unit"] == "uM"
    np.testing.assert_allclose(screen.sel(block="1")["conc_row"].values, [0, 0.01])
    screen_nm = synergy.read_screen(table, conc_unit="nM")
    np.testing.assert_allclose(screen_nm.sel(block="2")["conc_row"].values, [0, 10000])


def test_two_units_for_one_drug_in_one_block_names_both():
    with pytest.raises(UnitError, match=r"'nM'.*'uM'|'uM'.*'nM'"):
        synergy.read_screen(_table(ConcUnit=["nM", "nM", "uM", "uM"]))


def test_unknown_unit_names_lines():
    with pytest.raises(UnitError, match=r"ng/mL.*|lines \[2"):
        synergy.read_screen(_table(ConcUnit=["nM", "nM", "ng/mL", "nM"]))


def test_viability_fraction_and_percent():
    frac = synergy.read_screen(_table(Response=[1.0, 0.9, 0.8, 0.6]), response_kind="viability")
    pct = synergy.read_screen(_table(Response=[100.0, 90, 80, 60]), response_kind="viability")
    np.testing.assert_allclose(frac["response"].values, pct["response"].values)
    np.testing.assert_allclose(pct["response"].values[0, :, :, 0], [[0, 10], [20, 40]])
    assert _prov(frac)["response"]["viability_scale"] == "fraction"


def test_auto_detects_viability_from_controls_and_refuses_ambiguity():
    screen = synergy.read_screen(_table(Response=[100.0, 90, 80, 60]))
    assert screen["response"].values[0, 1, 1, 0] == pytest.approx(40)
    with pytest.raises(ResponseError, match="response_kind="):
        synergy.read_screen(_table(Response=[50.0, 90, 80, 60]))


def test_repeated_wells_become_replicates_in_file_order():
    table = pd.concat([_table(), _table(Response=[1.0, 11, 21, 41])], ignore_index=True)
    screen = synergy.read_screen(table)
    assert screen.sizes["replicate"] == 2
    np.testing.assert_array_equal(screen["response"].values[0, 1, 1], [40.0, 41.0])


def test_extra_controls_are_averaged_and_counted():
    controls = _table().iloc[[0] * 6].assign(Response=[0.0, 1, 2, 3, 4, 5])
    table = pd.concat([_table().iloc[1:], controls], ignore_index=True)
    screen = synergy.read_screen(table)
    assert screen.sizes["replicate"] == 1
    assert screen["response"].values[0, 0, 0, 0] == pytest.approx(2.5)
    assert int(screen["n_control"].item()) == 6


def test_zero_dose_added_when_missing():
    table = _table().iloc[[3]]  # only the combination well
    table = pd.concat([table, table.assign(Conc1=20, Response=50.0)], ignore_index=True)
    screen = synergy.read_screen(table, response_kind="inhibition")
    assert screen["conc_row"].values.tolist() == [[0.0, 10.0, 20.0]]
    assert np.isnan(screen["response"].values[0, 0]).all()
    report = synergy.validate(screen)
    assert report.ok and any("monotherapy" in w for w in report.warnings)


def test_ragged_blocks_are_nan_padded():
    big = _table(PairIndex=[2] * 4, Conc1=[0, 0, 30, 30]).assign(Conc2=[0, 5, 0, 5])
    extra = big.assign(Conc1=60, Response=70.0)
    screen = synergy.read_screen(pd.concat([_table(), big, extra], ignore_index=True))
    assert screen.sizes["row"] == 3
    assert np.isnan(screen.sel(block="1")["conc_row"].values[2])
    assert np.isnan(screen.sel(block="1")["response"].values[2]).all()


def test_block_with_two_drugs_names_block_and_lines():
    with pytest.raises(ColumnError, match=r"block '1'.*'Drug1'.*'a'.*'z'"):
        synergy.read_screen(_table(Drug1=["a", "a", "z", "a"]))


def test_blocks_generated_when_no_id_column():
    table = _table().drop(columns="PairIndex")
    other = table.assign(Drug1="c")
    screen = synergy.read_screen(pd.concat([table, other], ignore_index=True))
    assert list(screen["block"].values) == ["1", "2"]
    assert _prov(screen)["block_ids_generated"] is True


def test_several_files_are_one_screen_with_prefixed_colliding_ids(tmp_path):
    (tmp_path / "plate1.csv").write_text(_table().to_csv(index=False))
    (tmp_path / "plate2.csv").write_text(_table(Drug1=["q"] * 4).to_csv(index=False))
    screen = synergy.read_screen([tmp_path / "plate1.csv", tmp_path / "plate2.csv"])
    assert list(screen["block"].values) == ["plate1:1", "plate2:1"]
    assert list(screen["source_file"].values) == [
        str(tmp_path / "plate1.csv"),
        str(tmp_path / "plate2.csv"),
    ]


@pytest.mark.parametrize("sep", [",", "\t", ";"])
def test_delimiters(tmp_path, sep):
    path = tmp_path / "t.txt"
    _table().to_csv(path, sep=sep, index=False)
    assert synergy.read_screen(path)["response"].values[0, 1, 1, 0] == 40.0


def test_excel_and_parquet(tmp_path):
    _table().to_excel(tmp_path / "t.xlsx", index=False)
    _table().to_parquet(tmp_path / "t.parquet")
    a = synergy.read_screen(tmp_path / "t.xlsx")
    b = synergy.read_screen(tmp_path / "t.parquet")
    np.testing.assert_array_equal(a["response"].values, b["response"].values)
