"""Plate maps drawn as grids (one grid per variable and layout) read like long maps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import synergy
from synergy.datasets import simulate_plates
from synergy.datasets.simulate_plates import grid_map_export


def _same(a: xr.Dataset, b: xr.Dataset) -> None:
    a, b = a.copy(), b.copy()
    a.attrs.pop("provenance"), b.attrs.pop("provenance")  # names the map's file
    xr.testing.assert_identical(a, b)


def _edit(text: str, variable: str, well: str, value: str, layout: str = "L1") -> str:
    """Set one cell of one grid of a tab-separated grid map."""
    lines = text.split("\n")
    at = lines.index(f"Layout: {layout}")
    at = next(i for i in range(at, len(lines)) if lines[i].startswith(f"Variable: {variable}"))
    row = at + 2 + "ABCDEFGHIJKLMNOP".index(well[0])
    cells = lines[row].split("\t")
    cells[int(well[1:])] = value
    lines[row] = "\t".join(cells)
    return "\n".join(lines)


def _drop_grid(text: str, variable: str, layout: str = "L1") -> str:
    lines = text.split("\n")
    at = lines.index(f"Layout: {layout}")
    at = next(i for i in range(at, len(lines)) if lines[i].startswith(f"Variable: {variable}"))
    return "\n".join(lines[:at] + lines[at + 19 :])  # Variable, header, 16 rows, blank


@pytest.fixture(scope="module")
def two_layouts():
    return simulate_plates(n_layouts=2, n_samples=1, n_replicates=2, seed=4)


def test_grid_map_reads_like_the_long_map(two_layouts, tmp_path):
    sim = two_layouts
    want = synergy.read_plates(sim.reads, sim.layout, plates=sim.plates)
    for sep, suffix in (("\t", "txt"), (",", "csv"), (";", "csv")):
        path = tmp_path / f"map.{suffix}"
        path.write_text(grid_map_export(sim.layout, sep=sep))
        _same(synergy.read_plates(sim.reads, str(path), plates=sim.plates), want)
    # doses in another unit are converted: conc1 in uM, conc2 in nM -> both in uM
    text = grid_map_export(sim.layout).replace("Variable: conc1 (nM)", "Variable: conc1 (uM)")
    text = _edit(text, "conc1", "C05", "0.5")
    path = tmp_path / "units.txt"
    path.write_text(text)
    got = synergy.read_plates(sim.reads, str(path), plates=sim.plates)
    assert got.attrs["conc_unit"] == "uM"
    p1 = got.sel(plate="P0001", well_row="C", well_col=5)["conc"].values
    mapped = sim.layout.query("layout == 'L1' and well == 'C05'")
    np.testing.assert_allclose(p1, [0.5, mapped["conc2"].item() / 1000.0], rtol=1e-15)


def test_grid_map_in_excel_sheets(two_layouts, tmp_path):
    """One sheet per variable (each with its Layout and Variable lines), and one sheet."""
    sim = two_layouts
    want = synergy.read_plates(sim.reads, sim.layout, plates=sim.plates)
    sections = grid_map_export(sim.layout).split("\n\n")
    path = tmp_path / "map.xlsx"
    with pd.ExcelWriter(path) as book:
        for k, section in enumerate(s for s in sections if s.strip()):
            lines = section.strip("\n").split("\n")
            if not lines[0].startswith("Layout"):  # every sheet names its layout
                layout = next(s for s in sections[: k + 1][::-1] if s.startswith("Layout"))
                lines = [layout.split("\n")[0], *lines]
            rows = [line.split("\t") for line in lines]
            rows = [[_number(c) for c in r] + [None] * (25 - len(r)) for r in rows]
            pd.DataFrame(rows).to_excel(book, sheet_name=f"s{k}", header=False, index=False)
    got = synergy.read_plates(sim.reads, str(path), plates=sim.plates)
    xr.testing.assert_allclose(got["conc"], want["conc"], rtol=1e-13)  # Excel: 15 digits
    _same(got.drop_vars("conc"), want.drop_vars("conc"))
    one = tmp_path / "one.xlsx"
    lines = [line.split("\t") for line in grid_map_export(sim.layout).split("\n")]
    rows = [[_number(c) for c in r] + [None] * (25 - len(r)) for r in lines]
    pd.DataFrame(rows).to_excel(one, header=False, index=False)
    got = synergy.read_plates(sim.reads, str(one), plates=sim.plates)
    _same(got.drop_vars("conc"), want.drop_vars("conc"))


def _number(cell: str):
    try:
        return float(cell)
    except ValueError:
        return cell or None


def test_a_small_map_drawn_by_hand(tmp_path):
    """A 96-well map written out cell by cell: every value checked against the text."""
    header = "\t" + "\t".join(str(c) for c in range(1, 13))
    role = [["dmso", "kill"] + [""] * 10] + [["neg", "pos", "sample", "sample"] + [""] * 8] * 7
    drug = [[""] * 12] + [["", "", "a", "a"] + [""] * 8] * 7
    conc = [[""] * 12] + [["", "", "0", "2.5"] + [""] * 8] * 7
    text = "Plate: X1\n"
    for name, grid in (("role", role), ("drug1", drug), ("conc1 (uM)", conc)):
        text += f"Variable: {name}\n{header}\n"
        for r, cells in zip("ABCDEFGH", grid, strict=True):
            text += f"{r}\t" + "\t".join(cells) + "\n"
        text += "\n"
    path = tmp_path / "hand.tsv"
    path.write_text(text)
    wells = [f"{r}{c}" for r in "ABCDEFGH" for c in range(1, 13)]
    reads = pd.DataFrame({"plate": "X1", "well": wells, "signal": np.arange(96.0) + 1})
    plates = synergy.read_plates(reads, str(path))
    assert plates.attrs["plate_format"] == 96 and plates.attrs["conc_unit"] == "uM"
    x1 = plates.sel(plate="X1")
    assert x1["role"].sel(well_row="A", well_col=1).item() == "negative"
    assert x1["role"].sel(well_row="A", well_col=2).item() == "positive"
    assert x1["role"].sel(well_row="A", well_col=3).item() == "empty"
    assert (x1["role"].sel(well_row=list("BCDEFGH"), well_col=[3, 4]) == "sample").all()
    assert (x1["role"].sel(well_col=slice(5, 12)) == "empty").all()
    assert x1["drug_name"].sel(well_row="D", well_col=4, drug=1).item() == "a"
    assert x1["conc"].sel(well_row="D", well_col=4, drug=1).item() == 2.5
    assert x1["conc"].sel(well_row="H", well_col=3, drug=1).item() == 0.0


@pytest.fixture(scope="module")
def grid_text():
    return grid_map_export(simulate_plates(seed=3).layout)


def _raises(noisy, text, tmp_path, match):
    path = tmp_path / "bad_map.txt"
    path.write_text(text)
    with pytest.raises(synergy.SynergyError, match=match) as info:
        synergy.read_plates(noisy.reads, str(path), plates=noisy.plates)
    assert "bad_map.txt" in str(info.value)
    return str(info.value)


def test_each_grid_mismatch_names_file_layout_variable_and_well(noisy, grid_text, tmp_path):
    bad = _edit(grid_text, "role", "B07", "control?")
    message = _raises(noisy, bad, tmp_path, "layout L1, variable role, well B07: role 'control")
    assert "is not one of sample, negative" in message
    bad = _edit(grid_text, "conc1", "C05", "1,5 nM")
    _raises(
        noisy, bad, tmp_path, r"layout L1, variable conc1, well C05: dose '1,5 nM' is not a number"
    )
    bad = _edit(grid_text, "conc2", "D06", "-1")
    _raises(noisy, bad, tmp_path, "variable conc2, well D06: dose '-1' is not a number >= 0")
    bad = _edit(grid_text, "conc2", "D06", "")
    _raises(noisy, bad, tmp_path, "variable conc2, well D06: drug2 'drugB1' has no dose")
    bad = _edit(grid_text, "drug1", "E07", "")
    bad = _edit(bad, "drug2", "E07", "")
    _raises(noisy, bad, tmp_path, "layout L1 well E07: a sample well names no drug")
    message = _raises(noisy, _drop_grid(grid_text, "conc2"), tmp_path, "layout L1: no grid for")
    assert "variable conc2" in message and "'Variable: conc2' grid" in message
    _raises(noisy, _drop_grid(grid_text, "role"), tmp_path, "no grid for variable role")


def test_grids_of_the_wrong_shape_or_without_their_lines(noisy, grid_text, tmp_path):
    lines = grid_text.split("\n")
    at = lines.index("Variable: drug2")
    short = lines[: at + 17] + lines[at + 18 :]  # drop row P of the drug2 grid
    _raises(
        noisy,
        "\n".join(short),
        tmp_path,
        "layout L1, variable drug2: a plate grid of 15 rows x 24 columns is no SBS format",
    )
    narrow = lines[:]
    for i in range(at + 1, at + 18):  # drop column 24 of the drug2 grid
        narrow[i] = narrow[i].rsplit("\t", 1)[0]
    _raises(noisy, "\n".join(narrow), tmp_path, "variable drug2: a plate grid of 16 rows x 23")
    small = "\n".join(lines[: at + 1]) + "\n\t" + "\t".join(str(c) for c in range(1, 13)) + "\n"
    small += "".join(f"{r}\t" + "\t".join([""] * 12) + "\n" for r in "ABCDEFGH")
    small += "\n".join(lines[at + 19 :])
    _raises(
        noisy,
        small,
        tmp_path,
        "variable drug2: a grid of 8 rows x 12 columns where layout L1, variable role has 16 x 24",
    )
    unnamed = "\n".join(lines[:at] + lines[at + 1 :])
    _raises(noisy, unnamed, tmp_path, "a grid without a 'Variable: NAME' line above it")
    _raises(noisy, grid_text.replace("Layout: L1\n", ""), tmp_path, "has no 'Layout: NAME'")
    renamed = grid_text.replace("Variable: drug2", "Variable: colour")
    _raises(noisy, renamed, tmp_path, "'Variable: colour' is not a plate map variable")
    twice = grid_text + "Variable: role\n" + "\n".join(lines[2:20])
    _raises(noisy, twice, tmp_path, "variable role: a second grid")
    mixed = grid_text + "Plate: P0001\nVariable: role\n" + "\n".join(lines[2:20])
    _raises(noisy, mixed, tmp_path, "'Layout:' and 'Plate:' sections in one map")


def test_a_map_drawn_for_another_plate_format(noisy, tmp_path):
    header = "\t" + "\t".join(str(c) for c in range(1, 13))
    text = f"Layout: L1\nVariable: role\n{header}\n"
    text += "".join(f"{r}\t" + "\t".join(["neg"] * 12) + "\n" for r in "ABCDEFGH")
    path = tmp_path / "map96.txt"
    path.write_text(text)
    reads = tmp_path / "reads.txt"
    from synergy.datasets.simulate_plates import grid_export

    reads.write_text(grid_export(noisy.reads))
    with pytest.raises(synergy.SynergyError, match="its grids are 8 rows x 12 columns") as info:
        synergy.read_plates(str(reads), str(path), plates=noisy.plates)
    assert "map96.txt" in str(info.value) and "384 wells" in str(info.value)
