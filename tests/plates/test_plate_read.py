"""Reading plate maps and reads into the plate Dataset (synergy.read_plates)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import synergy
from synergy.datasets.simulate_plates import grid_export


def _read(sim, reads=None, **kw):
    return synergy.read_plates(
        sim.reads if reads is None else reads, sim.layout, plates=sim.plates, **kw
    )


def test_long_reads_fill_the_plate_model(noisy):
    plates = _read(noisy)
    assert plates.sizes == {"plate": 6, "well_row": 16, "well_col": 24, "drug": 2}
    assert plates.attrs["plate_format"] == 384
    assert list(plates["plate"].values) == list(noisy.plates["plate"])
    # one well checked by hand: P0004 C05 from the reads and the map
    read = noisy.reads.query("plate == 'P0004' and well == 'C05'")["signal"].item()
    well = plates.sel(plate="P0004", well_row="C", well_col=5)
    assert well["signal"].item() == read
    mapped = noisy.layout.query("well == 'C05'").iloc[0]
    assert well["role"].item() == "sample"
    assert list(well["drug_name"].values) == [mapped["drug1"], mapped["drug2"]]
    np.testing.assert_array_equal(well["conc"].values, [mapped["conc1"], mapped["conc2"]])
    assert well["sample"].item() == "cell2"
    assert (plates["role"].sel(well_col=[1, 23]) == "negative").all()
    assert (plates["role"].sel(well_col=[2, 24]) == "positive").all()
    assert plates["read_time"].values[1] == noisy.plates["read_time"][1]


def test_grid_export_reads_like_the_long_table(noisy, tmp_path):
    text = grid_export(noisy.reads)
    path = tmp_path / "reads.txt"
    path.write_text(text)
    from_grid = _read(noisy, str(path))
    from_long = _read(noisy)
    np.testing.assert_array_equal(from_grid["signal"].values, from_long["signal"].values)
    # a comma-separated export split over two files reads the same
    half = noisy.reads["plate"].isin(["P0001", "P0002", "P0003"])
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(grid_export(noisy.reads[half], sep=","))
    b.write_text(grid_export(noisy.reads[~half], sep=","))
    split = _read(noisy, [str(a), str(b)])
    np.testing.assert_array_equal(split["signal"].values, from_long["signal"].values)


def test_short_well_names_and_excel_map(noisy, tmp_path):
    layout = noisy.layout.copy()
    layout["well"] = layout["well"].str[0] + layout["well"].str[1:].astype(int).astype(str)
    reads = noisy.reads.copy()
    reads["well"] = reads["well"].str[0] + reads["well"].str[1:].astype(int).astype(str)
    path = tmp_path / "map.xlsx"
    layout.to_excel(path, index=False)
    got = synergy.read_plates(reads, str(path), plates=noisy.plates)
    want = _read(noisy)
    np.testing.assert_array_equal(got["signal"].values, want["signal"].values)
    # Excel keeps 15 significant digits
    np.testing.assert_allclose(got["conc"].values, want["conc"].values, rtol=1e-13)
    assert (got["role"].values == want["role"].values).all()


def test_map_keyed_by_plate_and_unit_conversion():
    wells = ["A1", "A2", "B1", "B2", "A3", "B3", "C1", "C2"]
    reads = pd.DataFrame({"plate": "X1", "well": wells, "signal": np.arange(8.0) + 1})
    layout = pd.DataFrame(
        {
            "plate": "X1",
            "well": ["A1", "A2", "B1", "B2"],
            "role": ["negative", "positive", "sample", "sample"],
            "drug1": ["", "", "d", "d"],
            "conc1": [np.nan, np.nan, 1.0, 2.0],
            "drug2": ["", "", "e", "e"],
            "conc2": [np.nan, np.nan, 0.0, 500.0],
            "conc_unit": ["", "", "uM", "nM"],
        }
    )
    plates = synergy.read_plates(reads, layout)
    assert plates.attrs["plate_format"] == 96  # smallest SBS format holding C2
    assert plates.attrs["conc_unit"] in ("uM", "nM")
    nM = 1.0 if plates.attrs["conc_unit"] == "nM" else 1e-3  # one nM in the map's unit
    b = plates.sel(plate="X1", well_row="B")["conc"].values
    np.testing.assert_allclose(b[0], [1000.0 * nM, 0.0])  # 1 uM, 0
    np.testing.assert_allclose(b[1], [2.0 * nM, 500.0 * nM])
    assert (plates["role"].sel(well_row="C") == "empty").all()


def test_1536_well_rows_beyond_z():
    reads = pd.DataFrame({"plate": "Q", "well": ["AF48", "A1", "B2"], "signal": [1.0, 2.0, 3.0]})
    layout = pd.DataFrame(
        {
            "plate": "Q",
            "well": ["A01", "AF48"],
            "role": ["negative", "sample"],
            "drug1": ["", "d"],
            "conc1": [np.nan, 1.0],
        }
    )
    plates = synergy.read_plates(reads, layout)
    assert plates.attrs["plate_format"] == 1536
    assert plates["signal"].sel(well_row="AF", well_col=48).item() == 1.0
    assert plates["role"].sel(well_row="AF", well_col=48).item() == "sample"


def test_grid_export_in_an_excel_sheet(noisy, tmp_path):
    # a spreadsheet holds the header numbers as numbers (read back as 1.0, 2.0, …)
    rows = []
    for line in grid_export(noisy.reads).splitlines():
        cells = line.split("\t") + [""] * (25 - len(line.split("\t")))
        rows.append(
            [float(c) if c.replace(".", "").replace("-", "").isdigit() else c for c in cells]
        )
    path = tmp_path / "grid.xlsx"
    pd.DataFrame(rows).replace("", None).to_excel(path, header=False, index=False)
    from_excel = _read(noisy, str(path))
    # Excel keeps 15 significant digits
    np.testing.assert_allclose(
        from_excel["signal"].values, _read(noisy)["signal"].values, rtol=1e-13
    )
