"""From plates to the screen model: scores, traceability, QC flags, N drugs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synergy
from synergy.io.screen import screen_problems


def _screen(sim, **kw):
    plates = synergy.plates.normalize(synergy.read_plates(sim.reads, sim.layout, plates=sim.plates))
    return synergy.plates_to_screen(plates, **kw)


def test_noise_free_block_scores_equal_the_generating_table(exact):
    screen = _screen(exact)
    assert screen_problems(screen) == []
    truth = synergy.read_screen(
        exact.truth.drop(columns=["plate", "well"]), response_kind="inhibition"
    )
    truth = truth.sel(block=screen["block"].values)
    np.testing.assert_array_equal(screen["conc_row"].values, truth["conc_row"].values)
    np.testing.assert_allclose(
        screen["response"].values, truth["response"].values, rtol=0, atol=1e-9
    )
    models = ["bliss", "hsa", "loewe", "zip"]
    got, want = synergy.score(screen, models), synergy.score(truth, models)
    for model in models:
        np.testing.assert_allclose(
            got[f"{model}_score"].values, want[f"{model}_score"].values, rtol=0, atol=1e-9
        )
    assert (got["status"].values == want["status"].values).all()


def test_each_value_traces_back_to_its_plate_and_well(noisy):
    screen = _screen(noisy)
    plates = synergy.plates.normalize(
        synergy.read_plates(noisy.reads, noisy.layout, plates=noisy.plates)
    )
    source_plate = screen["source_plate"].values
    source_well = screen["source_well"].values
    measured = np.isfinite(screen["response"].values)
    assert (source_plate[measured] != "").all() and (source_plate[~measured] == "").all()
    for index in np.argwhere(measured)[::97]:  # a sample of cells, looked up by name
        b, r, c, k = index
        plate, well = source_plate[b, r, c, k], source_well[b, r, c, k]
        at = plates.sel(plate=plate, well_row=well[0], well_col=int(well[1:]))
        assert at["response"].item() == screen["response"].values[b, r, c, k]
        assert at["sample"].item() == screen["sample"].values[b]
        assert list(at["drug_name"].values) == [
            screen["drug_row"].values[b],
            screen["drug_col"].values[b],
        ]
        np.testing.assert_array_equal(
            at["conc"].values, [screen["conc_row"].values[b, r], screen["conc_col"].values[b, c]]
        )
    # replicates are the three plates of the sample, in read order
    assert set(source_plate[0, 1, 1]) == {"P0001", "P0002", "P0003"}
    assert list(source_plate[0, 1, 1]) == sorted(source_plate[0, 1, 1])


def test_flagged_plates_flag_their_blocks(noisy):
    screen = _screen(noisy)
    from_bad = np.char.startswith(screen["block"].values.astype(str), "cell1:")  # P0002, P0003
    np.testing.assert_array_equal(screen["plate_qc_status"].values, from_bad.astype(np.int8))
    assert screen["plate_qc_status"].attrs["flag_meanings"] == "ok plate_qc_flagged"
    reason = screen["plate_qc_reason"].values[from_bad][0]
    assert "plate P0002: " in reason and "edge_effect" in reason
    assert "plate P0003: " in reason and "row_effect (row F" in reason
    scored = synergy.score(screen, ["bliss"])
    assert (scored["status"].values[from_bad] >= 1).all()
    assert all("plate_qc: plate P0002" in r for r in scored["status_reason"].values[from_bad])
    assert not any("plate_qc" in r for r in scored["status_reason"].values[~from_bad])
    unflagged = _screen(noisy, qc=False)
    assert "plate_qc_status" not in unflagged


def test_corrected_responses_and_viability_reach_the_screen(noisy):
    plates = synergy.plates.normalize(
        synergy.read_plates(noisy.reads, noisy.layout, plates=noisy.plates)
    )
    corrected = synergy.plates.correct_spatial(plates)
    screen = synergy.plates_to_screen(corrected, response="response_corrected", qc=False)
    raw = synergy.plates_to_screen(plates, qc=False)
    assert not np.allclose(screen["response"].values, raw["response"].values, equal_nan=True)
    via = synergy.plates.normalize(
        synergy.read_plates(noisy.reads, noisy.layout, plates=noisy.plates),
        response_kind="viability",
    )
    np.testing.assert_allclose(
        synergy.plates_to_screen(via, qc=False)["response"].values,
        raw["response"].values,
        atol=1e-9,
    )
    with pytest.raises(synergy.SynergyError, match="correct_spatial"):
        synergy.plates_to_screen(plates, response="response_corrected")


def test_three_drug_plates_give_the_n_drug_layout():
    rng = np.random.default_rng(0)
    doses = [0.0, 1.0, 10.0]
    rows = [("P1", f"A{c:02d}", "negative", "", np.nan, "", np.nan, "", np.nan) for c in (1, 2, 3)]
    rows += [("P1", f"H{c:02d}", "positive", "", np.nan, "", np.nan, "", np.nan) for c in (1, 2, 3)]
    wells = [f"{r}{c:02d}" for r in "BCDEFG" for c in range(1, 13)]
    combos = [(a, b, c) for a in doses for b in doses for c in doses]
    for well, (a, b, c) in zip(wells, combos, strict=False):
        rows.append(("P1", well, "sample", "x", a, "y", b, "z", c))
    layout = pd.DataFrame(
        rows,
        columns=["plate", "well", "role", "drug1", "conc1", "drug2", "conc2", "drug3", "conc3"],
    )
    signal = rng.uniform(100, 1000, 96)
    all_wells = [f"{r}{c:02d}" for r in "ABCDEFGH" for c in range(1, 13)]
    reads = pd.DataFrame({"plate": "P1", "well": all_wells, "signal": signal})
    plates = synergy.read_plates(reads, layout, conc_unit="uM")
    screen = synergy.plates_to_screen(synergy.plates.normalize(plates))
    assert screen.sizes["drug"] == 3 and screen.sizes["block"] == 1
    assert screen_problems(screen) == []
    norm = synergy.plates.normalize(plates)
    well = screen["source_well"].values[0, 5, 0]
    want = norm["response"].sel(plate="P1", well_row=well[0], well_col=int(well[1:])).item()
    assert screen["response"].values[0, 5, 0] == want
    conc = screen["conc"].values[0, 5]
    mapped = layout.set_index("well").loc[well, ["conc1", "conc2", "conc3"]].to_numpy(float)
    np.testing.assert_array_equal(conc, mapped)
