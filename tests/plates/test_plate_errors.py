"""Every mismatch between reads and plate map is a SynergyError naming plate and well."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import synergy
from synergy.datasets.simulate_plates import grid_export


def _read(sim, reads=None, layout=None, plates=None):
    return synergy.read_plates(
        sim.reads if reads is None else reads,
        sim.layout if layout is None else layout,
        plates=sim.plates if plates is None else plates,
    )


def _raises(match, call, *args, **kw):
    with pytest.raises(synergy.SynergyError, match=match) as info:
        call(*args, **kw)
    return str(info.value)


def test_mapped_well_missing_from_reads(noisy):
    reads = noisy.reads[~((noisy.reads["plate"] == "P0004") & (noisy.reads["well"] == "G15"))]
    message = _raises("plate P0004 well G15", _read, noisy, reads)
    assert "missing from the reads" in message


def test_blank_cell_in_a_grid_is_a_missing_well(noisy, tmp_path):
    reads = noisy.reads.copy()
    reads.loc[(reads["plate"] == "P0005") & (reads["well"] == "H20"), "signal"] = np.nan
    path = tmp_path / "grid.txt"
    path.write_text(grid_export(reads))
    _raises(
        "plate P0005 well H20: in the plate map as 'sample' but missing", _read, noisy, str(path)
    )


def test_plate_without_negative_controls(noisy):
    layout = noisy.layout.copy()
    layout.loc[layout["role"] == "negative", "role"] = "empty"
    message = _raises("plate P0001: no negative-control well", _read, noisy, layout=layout)
    assert "layout 'L1'" in message


def test_duplicated_barcodes(noisy, tmp_path):
    one = noisy.reads[noisy.reads["plate"] == "P0001"]
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(grid_export(one))
    b.write_text(grid_export(one))
    _raises(r"plate P0001: read in .*a.txt and again in .*b.txt", _read, noisy, [str(a), str(b)])
    twice = tmp_path / "twice.txt"
    twice.write_text(grid_export(one) + grid_export(one))
    _raises("plate P0001 appears twice", _read, noisy, str(twice))
    long = pd.concat([one, one.head(1)])
    _raises("plate P0001 well A01 is read twice", _read, noisy, long)


def test_grid_of_the_wrong_shape(noisy, tmp_path):
    text = grid_export(noisy.reads[noisy.reads["plate"] == "P0002"])
    lines = text.splitlines()
    short = [line for line in lines if not line.startswith("P\t")]  # drop row P
    path = tmp_path / "short.txt"
    path.write_text("\n".join(short))
    _raises(
        r"plate P0002: a plate grid of 15 rows x 24 columns is no SBS format",
        _read,
        noisy,
        str(path),
    )
    narrow = "\n".join(line.rsplit("\t", 1)[0] for line in lines)  # drop column 24
    path.write_text(narrow)
    _raises(r"plate P0002: a plate grid of 16 rows x 23", _read, noisy, str(path))
    skipped = [line for line in lines if not line.startswith("C\t")]
    path.write_text("\n".join(skipped))
    _raises(r"plate P0002: row 'D' where row 'C' was expected", _read, noisy, str(path))


def test_mixed_plate_formats(noisy, tmp_path):
    one = noisy.reads[noisy.reads["plate"] == "P0001"]
    small = "Plate: S96\n\t" + "\t".join(str(c) for c in range(1, 13)) + "\n"
    small += "".join(f"{r}\t" + "\t".join(["1"] * 12) + "\n" for r in "ABCDEFGH")
    path = tmp_path / "mixed.txt"
    path.write_text(grid_export(one) + small)
    _raises(
        "plate S96: grid of 8 x 12 wells where the other plates have 16 x 24",
        _read,
        noisy,
        str(path),
        plates=pd.DataFrame({"plate": ["P0001", "S96"], "layout": ["L1", "L1"]}),
    )


def test_text_in_a_read(noisy, tmp_path):
    text = grid_export(noisy.reads[noisy.reads["plate"] == "P0003"])
    lines = text.splitlines()
    cells = lines[3].split("\t")  # row B
    cells[7] = "OVRFLW"  # column 7
    lines[3] = "\t".join(cells)
    path = tmp_path / "over.txt"
    path.write_text("\n".join(lines))
    _raises("plate P0003 well B07: value 'OVRFLW' is not a number", _read, noisy, str(path))
    reads = noisy.reads.astype({"signal": object})
    reads.loc[5, "signal"] = "n/a"
    _raises(
        f"plate {reads.loc[5, 'plate']} well {reads.loc[5, 'well']}: signal 'n/a'",
        _read,
        noisy,
        reads,
    )


def test_plates_and_maps_that_do_not_match(noisy):
    extra = pd.concat(
        [noisy.reads, noisy.reads[noisy.reads["plate"] == "P0001"].assign(plate="P9999")]
    )
    _raises("plate P9999: no plate map", _read, noisy, extra)
    layout = noisy.layout.rename(columns={"layout": "plate"})
    layout["plate"] = "P0001"
    lonely = pd.concat([layout, layout.assign(plate="P0077")])
    _raises(
        "plate map: plate P0077 has no reads",
        synergy.read_plates,
        noisy.reads[noisy.reads["plate"] == "P0001"],
        lonely,
    )
    two = pd.concat([noisy.layout, noisy.layout.assign(layout="L2")])
    _raises("the plate map holds 2 layouts", synergy.read_plates, noisy.reads, two)


def test_bad_map_rows(noisy):
    layout = noisy.layout.copy()
    layout.loc[40, "role"] = "control?"
    well = layout.loc[40, "well"]
    _raises(f"plate L1 well {well}: role 'control\\?' is not one of", _read, noisy, layout=layout)
    layout = noisy.layout.copy()
    layout.loc[3, "well"] = "B7x"
    _raises(r"plate L1 well B7x: well 'B7x' is not a well name", _read, noisy, layout=layout)
    layout = pd.concat([noisy.layout, noisy.layout.iloc[[100]]])
    _raises(
        f"plate L1 well {noisy.layout['well'][100]}: the well is listed 2 times",
        _read,
        noisy,
        layout=layout,
    )
    layout = noisy.layout.astype({"conc1": object})
    i = layout.index[layout["role"] == "sample"][7]
    layout.loc[i, "conc1"] = "-3"
    _raises(
        f"plate L1 well {layout.loc[i, 'well']}; column 'conc1': dose '-3'",
        _read,
        noisy,
        layout=layout,
    )
    layout = noisy.layout.copy()
    layout.loc[i, ["drug1", "drug2"]] = ""
    _raises(
        f"plate L1 well {layout.loc[i, 'well']}: a sample well names no drug",
        _read,
        noisy,
        layout=layout,
    )
    layout = noisy.layout.copy()
    layout.loc[i, "well"] = "Q03"
    layout = layout.drop_duplicates("well")
    _raises("plate P0001 well Q03: outside a 384-well plate", _read, noisy, layout=layout)


def test_a_sample_well_naming_one_drug_of_two(exact):
    layout = exact.layout.copy()
    i = layout.index[(layout["role"] == "sample") & (layout["conc2"] == 0)][3]
    layout.loc[i, "drug2"] = ""
    plates = synergy.plates.normalize(_read(exact, layout=layout))
    well = layout.loc[i, "well"]
    _raises(
        f"plate P0001 well {well}: a sample well names 1 of the map's 2 drugs",
        synergy.plates_to_screen,
        plates,
    )


def test_growth_is_not_scored_as_inhibition(exact):
    reads = exact.reads.copy()
    at_zero = reads["plate"] == "P0001"  # the time-zero plate: a quarter of the cells
    reads.loc[at_zero, "signal"] = 1024 + (reads.loc[at_zero, "signal"] - 1024) / 4
    plates = _read(exact, reads)
    grown = synergy.plates.normalize(plates, response_kind="growth", time_zero={"P0002": "P0001"})
    message = _raises("growth from a time-zero plate", synergy.plates_to_screen, grown)
    assert re.search("response_kind='inhibition'", message)
