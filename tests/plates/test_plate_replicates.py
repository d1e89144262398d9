"""Replicate labels of the plates table and of the plate map become the screen's replicates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synergy


def _screen(sim, plates_table, layout=None):
    read = synergy.read_plates(
        sim.reads, sim.layout if layout is None else layout, plates=plates_table
    )
    return synergy.plates.normalize(read), synergy.plates_to_screen(
        synergy.plates.normalize(read), qc=False
    )


def test_replicate_plates_are_ordered_by_their_labels(noisy):
    table = noisy.plates.copy()
    table["replicate"] = ["b", "a", "c", "b", "a", "c"]  # P0001 … P0006
    plates, screen = _screen(noisy, table)
    assert list(screen["replicate_label"].values) == ["a", "b", "c"]
    for block in screen["block"].values:
        first = {"cell1": ["P0002", "P0001", "P0003"], "cell2": ["P0005", "P0004", "P0006"]}
        want = first[block.split(":")[0]]
        one = screen.sel(block=block)
        for k, barcode in enumerate(want):  # every measured cell of replicate k: that plate
            cells = one["source_plate"].values[..., k]
            assert set(cells[cells != ""]) == {barcode}
        well = one["source_well"].values[2, 3, 0]
        at = plates["response"].sel(plate=want[0], well_row=well[0], well_col=int(well[1:]))
        assert one["response"].values[2, 3, 0] == at.item()
    provenance = screen.attrs["provenance"]
    assert "replicate labels of the plates table" in provenance


def test_numeric_labels_sort_by_value_and_no_labels_mean_read_order(noisy):
    table = noisy.plates.copy()
    table["replicate"] = ["10", "9", "1", "10", "9", "1"]
    _, screen = _screen(noisy, table)
    assert list(screen["replicate_label"].values) == ["1", "9", "10"]
    assert set(
        screen.sel(block="cell1:drugA1+drugB1")["source_plate"].values[1:, 1:, 0].ravel()
    ) == {"P0003"}
    _, unlabelled = _screen(noisy, noisy.plates.drop(columns="replicate"))
    assert list(unlabelled["replicate_label"].values) == ["1", "2", "3"]
    first = unlabelled.sel(block="cell2:drugA4+drugB4")["source_plate"].values[1:, 1:, :]
    assert [set(first[..., k].ravel()) for k in range(3)] == [{"P0004"}, {"P0005"}, {"P0006"}]


def _duplicated_matrix():
    """One 96-well plate: a 3 x 3 dose matrix drawn twice, replicate wells 'a' and 'b'."""
    rows = [("L", f"A{c:02d}", "negative", "", np.nan, "", np.nan, "") for c in range(1, 4)]
    rows += [("L", f"H{c:02d}", "positive", "", np.nan, "", np.nan, "") for c in range(1, 4)]
    for label, first_row in (("a", "B"), ("b", "E")):
        for i, d1 in enumerate([0.0, 1.0, 10.0]):
            for j, d2 in enumerate([0.0, 2.0, 20.0]):
                well = f"{chr(ord(first_row) + i)}{j + 1:02d}"
                rows.append(("L", well, "sample", "x", d1, "y", d2, label))
    columns = ["layout", "well", "role", "drug1", "conc1", "drug2", "conc2", "replicate"]
    return pd.DataFrame(rows, columns=columns)


def test_replicate_wells_of_the_map_and_replicate_plates_combine():
    layout = _duplicated_matrix()
    wells = [f"{r}{c:02d}" for r in "ABCDEFGH" for c in range(1, 13)]
    rng = np.random.default_rng(1)
    reads = pd.DataFrame(
        {
            "plate": np.repeat(["Q1", "Q2"], 96),
            "well": wells * 2,
            "signal": rng.uniform(100.0, 1000.0, 192),
        }
    )
    table = pd.DataFrame({"plate": ["Q1", "Q2"], "layout": "L", "replicate": ["2", "1"]})
    read = synergy.read_plates(reads, layout, plates=table, conc_unit="uM")
    plates = synergy.plates.normalize(read)
    screen = synergy.plates_to_screen(plates, qc=False)
    assert list(screen["replicate_label"].values) == ["1/a", "1/b", "2/a", "2/b"]
    response = screen["response"].values[0]
    norm = plates["response"]
    # replicate "1/b": plate Q2 (label 1), the wells of label b (rows E-G)
    np.testing.assert_array_equal(
        response[..., 1], norm.sel(plate="Q2", well_row=list("EFG"), well_col=[1, 2, 3]).values
    )
    np.testing.assert_array_equal(
        response[..., 2], norm.sel(plate="Q1", well_row=list("BCD"), well_col=[1, 2, 3]).values
    )
    # without plate labels the map's labels alone; read order does not matter
    by_plate = layout.assign(layout="Q1").rename(columns={"layout": "plate"})
    no_unit = synergy.read_plates(reads[reads["plate"] == "Q1"], by_plate)  # like read_screen
    assert synergy.plates_to_screen(no_unit, qc=False).attrs["conc_unit"] == "unspecified"
    alone = synergy.plates.normalize(
        synergy.read_plates(reads[reads["plate"] == "Q1"], by_plate, conc_unit="uM")
    )
    one = synergy.plates_to_screen(alone, qc=False)
    assert list(one["replicate_label"].values) == ["a", "b"]
    np.testing.assert_array_equal(
        one["response"].values[0, ..., 1],
        alone["response"].sel(plate="Q1", well_row=list("EFG"), well_col=[1, 2, 3]).values,
    )


def test_labels_that_do_not_tell_replicates_apart(noisy):
    table = noisy.plates.copy()
    table["replicate"] = ["1", "1", "2", "1", "2", "3"]
    plates = synergy.plates.normalize(synergy.read_plates(noisy.reads, noisy.layout, plates=table))
    with pytest.raises(synergy.SynergyError, match="and the same replicate label '1'") as info:
        synergy.plates_to_screen(plates, qc=False)
    message = str(info.value)
    assert "plate P0001 well A03 and plate P0002 well A03" in message
    assert "distinct labels" in message
    table["replicate"] = ["1", "2", "", "1", "2", "3"]
    plates = synergy.plates.normalize(synergy.read_plates(noisy.reads, noisy.layout, plates=table))
    with pytest.raises(synergy.SynergyError, match="plate P0003 well A03: a sample well without"):
        synergy.plates_to_screen(plates, qc=False)
