"""Spatial QC flags reach only the blocks whose wells they concern; plate-wide ones all."""

from __future__ import annotations

import numpy as np
import pytest

import synergy
from synergy.datasets import simulate_plates

# simulator blocks: 8 x 10 dose matrices, rows A-H / I-P, columns 3-12 / 13-22
TOP = ("drugA1", "drugA2")  # rows A-H of layout L1
LEFT = ("drugA1", "drugA3")  # columns 3-12


def _normalised(sim):
    return synergy.plates.normalize(synergy.read_plates(sim.reads, sim.layout, plates=sim.plates))


def _by_block(screen):
    blocks = screen["block"].values.astype(str)
    return dict(zip(blocks, screen["plate_qc_status"].values, strict=True)), dict(
        zip(blocks, screen["plate_qc_reason"].values.astype(str), strict=True)
    )


@pytest.fixture(scope="module")
def row_fault():
    """Only P0003 is faulty: its row F lost half its cells (no strong edge plate)."""
    return simulate_plates(strong_edge_plate=None, seed=3)


def test_a_row_fault_flags_the_wells_of_that_row(row_fault):
    plates = _normalised(row_fault)
    verdict = synergy.plates.qc(plates)
    flags = verdict["well_flags"].values
    assert (flags.sum(axis=(1, 2)) != 0).sum() == 1  # one plate
    bad = verdict["well_flags"].sel(plate="P0003").values
    expect = np.zeros((16, 24), dtype=np.int16)
    expect[5, :] = 2  # row F, every column
    np.testing.assert_array_equal(bad, expect)
    assert "row_effect (row F" in verdict["qc_flag_reason"].sel(plate="P0003").values[1]


def test_only_the_blocks_in_the_faulty_row_are_flagged(row_fault):
    screen = synergy.plates_to_screen(_normalised(row_fault))
    status, reason = _by_block(screen)
    for block in status:
        sample, pair = block.split(":")
        in_row = sample == "cell1" and pair.split("+")[0] in TOP  # P0003 is a cell1 plate
        assert status[block] == int(in_row), block
        assert (reason[block] != "") == in_row
        if in_row:
            assert reason[block].startswith("plate P0003: row_effect (row F")
    scored = synergy.score(screen, ["bliss"])
    flagged = screen["plate_qc_status"].values == 1
    assert flagged.sum() == 2
    assert all("plate_qc: plate P0003" in r for r in scored["status_reason"].values[flagged])
    assert not any("plate_qc" in r for r in scored["status_reason"].values[~flagged])


def test_a_column_fault_flags_the_blocks_in_that_column():
    sim = simulate_plates(strong_edge_plate=None, fault_col=6, seed=3)  # column 7
    plates = _normalised(sim)
    verdict = synergy.plates.qc(plates)
    bad = verdict["well_flags"].sel(plate="P0003").values
    expect = np.zeros((16, 24), dtype=np.int16)
    expect[:, 6] = 4
    np.testing.assert_array_equal(bad, expect)
    assert (verdict["well_flags"].drop_sel(plate="P0003").values == 0).all()
    status, reason = _by_block(synergy.plates_to_screen(plates, qc=verdict))
    for block in status:
        sample, pair = block.split(":")
        in_col = sample == "cell1" and pair.split("+")[0] in LEFT
        assert status[block] == int(in_col), block
        if in_col:
            assert reason[block].startswith("plate P0003: column_effect (column 7: -")


def test_edge_flags_sit_on_the_outer_ring(noisy):
    verdict = synergy.plates.qc(_normalised(noisy))
    edge = verdict["well_flags"].sel(plate=noisy.artefacts["strong_edge_plate"]).values & 8
    ring = np.zeros((16, 24), dtype=bool)
    ring[[0, -1], :] = ring[:, [0, -1]] = True
    np.testing.assert_array_equal(edge != 0, ring)


def test_plate_wide_flags_reach_every_block_of_the_plate(row_fault):
    plates = _normalised(row_fault)
    strict = synergy.plates.qc(plates, z_prime_min=1.0)  # every plate's Z' < 1
    assert (strict["well_flags"].values & 1 != 0).all()
    screen = synergy.plates_to_screen(plates, qc=strict)
    assert (screen["plate_qc_status"].values == 1).all()
    _, reason = _by_block(screen)
    assert "row_effect" in reason["cell1:drugA1+drugB1"]
    assert "row_effect" not in reason["cell1:drugA3+drugB3"]
    assert all("z_prime_low" in r for r in reason.values())
