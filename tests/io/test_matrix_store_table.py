"""read_matrix, netCDF/zarr round trips, to_table, validate, describe."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import synergy
from synergy.errors import FormatError, SynergyError
from synergy.io.store import open_screen, save_screen


def _matrix_text(screen: xr.Dataset) -> str:
    """Write a screen in SynergyFinder's plate-matrix layout (one matrix per block)."""
    lines = []
    for b in range(screen.sizes["block"]):
        block = screen.isel(block=b)
        lines += [
            f"Drug1:,{block['drug_row'].item()}",
            f"Drug2:,{block['drug_col'].item()}",
            f"Cell:,{block['sample'].item()}",
            f"ConcUnit:,{screen.attrs['conc_unit']}",
            "," + ",".join(repr(float(c)) for c in block["conc_col"].values),
        ]
        means = block["response"].mean("replicate").values
        for i, dose in enumerate(block["conc_row"].values):
            lines.append(repr(float(dose)) + "," + ",".join(repr(float(v)) for v in means[i]))
    return "\n".join(lines) + "\n"


def test_read_matrix_equals_long_table(tmp_path, data_dir):
    long = synergy.read_screen(data_dir / "sf_oneil" / "data.csv")
    path = tmp_path / "oneil_matrix.csv"
    path.write_text(_matrix_text(long))
    matrix = synergy.read_matrix(path, response_kind="inhibition")
    np.testing.assert_allclose(
        matrix["response"].values[..., 0], long["response"].mean("replicate").values, rtol=1e-15
    )
    np.testing.assert_array_equal(matrix["conc_row"].values, long["conc_row"].values)
    assert list(matrix["drug_row"].values) == list(long["drug_row"].values)
    assert list(matrix["block"].values) == ["1", "2"]
    # the generic opener recognises the layout
    from synergy.io.validate import open_any

    xr.testing.assert_identical(open_any(path, response_kind="inhibition"), matrix)


def test_read_matrix_errors_name_line(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("Drug1:,a\nDrug2:,b\nConcUnit:,nM\n,0,1\n0,0,5\nten,1,2\n")
    with pytest.raises(FormatError, match="line 6"):
        synergy.read_matrix(path)
    path.write_text("")
    with pytest.raises(SynergyError):
        synergy.read_matrix(path)


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_store_round_trip_is_identical(tmp_path, data_dir, suffix):
    screen = synergy.read_screen(
        [data_dir / "sf_oneil" / "data.csv", data_dir / "sf_mathews" / "data.csv"]
    )
    path = save_screen(screen, tmp_path / f"screen{suffix}")
    back = open_screen(path)
    xr.testing.assert_identical(screen, back)
    assert back["block"].dtype.kind == "U" and back["source_file"].dtype.kind == "U"
    save_screen(back, path)  # overwrite in place works
    xr.testing.assert_identical(screen, open_screen(path))


def test_store_refuses_unknown_suffix(tmp_path, data_dir):
    screen = synergy.read_screen(data_dir / "sf_mathews" / "data.csv")
    with pytest.raises(FormatError, match=r"\.nc.*\.zarr"):
        save_screen(screen, tmp_path / "screen.h4x")


def test_block_table_has_per_block_variables(data_dir):
    screen = synergy.read_screen(data_dir / "sf_oneil" / "data.csv")
    screen["zip_score"] = ("block", np.array([1.5, -2.0]))
    screen["hill_row"] = (("block", "param"), np.arange(8.0).reshape(2, 4))
    screen = screen.assign_coords(param=["ic50", "hill_slope", "bottom", "top"])
    table = synergy.to_table(screen, level="block")
    assert list(table["ZIP_synergy"]) == [1.5, -2.0]
    assert list(table["hill_row_top"]) == [3.0, 7.0]
    assert list(table["n_values"]) == [100, 100]
    with pytest.raises(SynergyError):
        synergy.to_table(screen, level="plate")


def test_validate_and_describe(data_dir, tmp_path):
    report = synergy.validate(data_dir / "sf_mathews" / "data.csv")
    assert report.ok and not report.warnings
    summary = synergy.describe(report.screen)
    assert list(summary["n_row_doses"]) == [6, 6]
    assert summary["max_inhibition"].max() > 90
    bad = tmp_path / "bad.csv"
    bad.write_text("block_id,drug1,drug2,conc1,conc2,response\n1,a,b,0,x,1\n")
    report = synergy.validate(bad)
    assert not report.ok and "line 2" in report.errors[0]


def test_accessor(data_dir):
    screen = synergy.read_screen(data_dir / "sf_mathews" / "data.csv")
    assert screen.synergy.problems() == []
    assert screen.synergy.block(2)["drug_row"].item() == "canertinib"
    pd.testing.assert_frame_equal(screen.synergy.to_table(), synergy.to_table(screen))


def test_well_table_of_scored_screen_uses_synergyfinder_names(data_dir):
    screen = synergy.read_screen(data_dir / "sf_mathews" / "data.csv")
    screen["bliss"] = (("block", "row", "col"), np.arange(72.0).reshape(2, 6, 6))
    table = synergy.to_table(screen)
    b = table.index[(table["block_id"] == "2") & (table["conc1"] == 0) & (table["conc2"] > 0)][0]
    j = int(np.flatnonzero(screen["conc_col"].values[1] == table.loc[b, "conc2"])[0])
    assert table.loc[b, "Bliss_synergy"] == 36.0 + j
    again = synergy.read_screen(table)  # extra columns are ignored on the way back
    xr.testing.assert_identical(again["response"], screen["response"])
