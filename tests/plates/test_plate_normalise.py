"""Normalisation per plate from its controls (synergy.plates.normalize)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synergy
from synergy.io.plate_map import parse_wells


def _at_truth(plates, truth, variable="response"):
    row, col = parse_wells(truth["well"], truth["well"])
    plate = plates.indexes["plate"].get_indexer(truth["plate"])
    return plates[variable].values[plate, row, col]


def _read(sim, reads=None):
    return synergy.read_plates(sim.reads if reads is None else reads, sim.layout, plates=sim.plates)


def test_noise_free_plates_normalise_to_the_truth(exact):
    plates = synergy.plates.normalize(_read(exact))
    got = _at_truth(plates, exact.truth)
    np.testing.assert_allclose(got, exact.truth["response"], rtol=0, atol=1e-9)
    assert (plates["normalization"] == "two_controls").all()
    # reader drift scales a plate's signal: its own controls take it out
    drifted = exact.reads.copy()
    scale = 1.0 - 0.02 * drifted["plate"].str[1:].astype(int)
    drifted["signal"] = drifted["signal"] * scale
    again = synergy.plates.normalize(_read(exact, drifted))
    np.testing.assert_allclose(_at_truth(again, exact.truth), exact.truth["response"], atol=1e-9)


def test_formula_by_hand_on_one_plate(noisy):
    plates = _read(noisy)
    one = noisy.reads[noisy.reads["plate"] == "P0005"].set_index("well")["signal"]
    column = one.index.str[1:].astype(int)
    neg = np.median(one[np.isin(column, [1, 23])])
    pos = np.median(one[np.isin(column, [2, 24])])
    want = 100.0 * (neg - one["K17"]) / (neg - pos)
    norm = synergy.plates.normalize(plates)
    assert norm["response"].sel(plate="P0005", well_row="K", well_col=17).item() == pytest.approx(
        want, rel=1e-12
    )
    assert norm["neg_center"].sel(plate="P0005").item() == pytest.approx(neg, rel=1e-15)
    via = synergy.plates.normalize(plates, response_kind="viability")
    np.testing.assert_allclose(via["response"].values, 100.0 - norm["response"].values, atol=1e-9)
    assert via["response"].attrs["response_kind"] == "viability"


def _tiny(roles):
    wells = ["A01", "A02", "A03", "B01", "B02", "B03"]
    reads = pd.DataFrame(
        {"plate": "T", "well": wells, "signal": [1000.0, 1010.0, 990.0, 100.0, 600.0, 50.0]}
    )
    layout = pd.DataFrame(
        {
            "plate": "T",
            "well": wells,
            "role": roles,
            "drug1": ["", "", "", "", "d", ""],
            "conc1": [np.nan, np.nan, np.nan, np.nan, 1.0, np.nan],
        }
    )
    return synergy.read_plates(reads, layout)


def test_negative_only_normalisation_is_documented_in_the_result():
    plates = _tiny(["negative", "negative", "negative", "empty", "sample", "blank"])
    norm = synergy.plates.normalize(plates)
    # no positive control: blank wells (50) are the 100 % reference
    assert norm["normalization"].item() == "negative_vs_blank"
    got = norm["response"].sel(well_row="B", well_col=2).item()
    assert got == pytest.approx(100 * (1000 - 600) / (1000 - 50))
    plates = _tiny(["negative", "negative", "negative", "empty", "sample", "empty"])
    norm = synergy.plates.normalize(plates)
    assert norm["normalization"].item() == "negative_vs_zero"
    assert norm["response"].sel(well_row="B", well_col=2).item() == pytest.approx(40.0)
    with pytest.raises(synergy.SynergyError, match="plate T: no positive-control well"):
        synergy.plates.normalize(plates, method="two_controls")
    q = synergy.plates.qc(norm)
    assert "no_positive_control" in q["qc_reason"].item()


def test_time_zero_growth_has_its_own_kind():
    plates = _tiny(["negative", "negative", "negative", "positive", "sample", "empty"])
    zero = plates.assign_coords(plate=["T0"]).copy()
    zero["signal"] = zero["signal"] / 4  # cells at the time of dosing: a quarter
    both = synergy.plates.normalize(
        __import__("xarray").concat([plates, zero], dim="plate"),
        response_kind="growth",
        time_zero={"T": "T0"},
    )
    assert both["response"].attrs["response_kind"] == "growth"
    got = both["response"].sel(plate="T", well_row="B", well_col=2).item()
    assert got == pytest.approx(100 * (600 - 250) / (1000 - 250))
    assert np.isnan(both["response"].sel(plate="T0")).all()
    with pytest.raises(synergy.SynergyError, match="needs time_zero"):
        synergy.plates.normalize(plates, response_kind="growth")
