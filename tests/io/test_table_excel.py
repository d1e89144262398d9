"""Tables written as .xlsx: the same columns and values as the .csv, read back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import synergy
from synergy.cli import main
from synergy.errors import SynergyError
from synergy.io.table import write_table

pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def scored():
    return synergy.score(synergy.datasets.load("sf_mathews"))


def _assert_same_values(read: pd.DataFrame, table: pd.DataFrame) -> None:
    assert list(read.columns) == list(table.columns)
    for name in table.columns:
        want, got = table[name], read[name]
        if pd.api.types.is_numeric_dtype(want) and not pd.api.types.is_bool_dtype(want):
            # openpyxl writes 16 significant digits ("%.16g"): half a unit of the 16th digit
            expect = want.to_numpy(float)
            np.testing.assert_allclose(got.to_numpy(float), expect, rtol=6e-16, err_msg=name)
        else:
            expect = want.astype(str).where(want.notna(), "nan")
            assert got.astype(str).tolist() == expect.tolist(), name


def test_block_table_round_trips_through_excel(scored, tmp_path):
    table = synergy.to_table(scored, level="block", path=tmp_path / "blocks.xlsx")
    synergy.to_table(scored, level="block", path=tmp_path / "blocks.csv")
    back = pd.read_excel(tmp_path / "blocks.xlsx", sheet_name="synergy")
    csv = pd.read_csv(tmp_path / "blocks.csv")
    assert list(back.columns) == list(csv.columns) == list(table.columns)
    assert {"ZIP_synergy", "Bliss_synergy", "status_reason"} <= set(back.columns)
    _assert_same_values(back, table)
    np.testing.assert_allclose(back["ZIP_synergy"], scored.zip_score.values, rtol=6e-16)
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary file left


def test_well_table_round_trips_through_excel(scored, tmp_path):
    table = synergy.to_table(scored, level="well", path=tmp_path / "wells.xlsx")
    _assert_same_values(pd.read_excel(tmp_path / "wells.xlsx"), table)


def test_unknown_suffix_and_too_many_rows_are_refused(tmp_path):
    with pytest.raises(SynergyError, match="write a table as"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.xls")
    big = pd.DataFrame({"a": np.zeros(1_048_576)})
    with pytest.raises(SynergyError, match="do not fit in an Excel sheet"):
        write_table(big, tmp_path / "t.xlsx")
    assert not (tmp_path / "t.xlsx").exists()


def test_cli_table_writes_xlsx(scored, tmp_path):
    screen = tmp_path / "screen.nc"
    synergy.save_screen(synergy.datasets.load("sf_mathews"), screen)
    out, table = tmp_path / "scored.nc", tmp_path / "blocks.xlsx"
    args = ["score", str(screen), "-o", str(out), "--table", str(table), "--no-checkpoint"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"wrote {table}" in result.output
    back = pd.read_excel(table)
    expect = synergy.to_table(scored, level="block")
    assert list(back.columns) == list(expect.columns)
    np.testing.assert_allclose(back["ZIP_synergy"], expect["ZIP_synergy"], rtol=6e-16)
