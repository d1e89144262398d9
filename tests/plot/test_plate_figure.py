"""synergy.plot.plate: one plate's heatmaps, every well drawn, the QC verdict in the title."""

from __future__ import annotations

import numpy as np
import pytest

import synergy
from synergy.datasets import simulate_plates


@pytest.fixture(scope="module")
def plates():
    sim = simulate_plates(seed=3)
    raw = synergy.read_plates(sim.reads, sim.layout, plates=sim.plates)
    return raw, synergy.plates.normalize(raw)


def test_panels_show_every_well_and_the_verdict(plates):
    raw, norm = plates
    fig = synergy.plot.plate(norm, "P0003")
    heat = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in heat] == [
        "raw signal",
        "normalised",
        "against the condition's median",
        "residual after the spatial fit",
    ]
    shown = heat[0].images[0].get_array()
    np.testing.assert_array_equal(np.asarray(shown), raw["signal"].sel(plate="P0003").values)
    response = np.asarray(heat[1].images[0].get_array())
    np.testing.assert_array_equal(response, norm["response"].sel(plate="P0003").values)
    title = fig._suptitle.get_text()
    assert "plate P0003" in title and "row_effect (row F" in title and "Z′ = " in title
    # 64 control wells outlined on each panel
    assert all(len(ax.patches) == 64 for ax in heat)
    clean = synergy.plot.plate(norm, 0, panels=("signal",))
    assert "no QC flag" in clean._suptitle.get_text()


def test_raw_plates_and_bad_panels(plates):
    raw, norm = plates
    fig = synergy.plot.plate(raw, "P0001", panels=("signal",))
    assert "Z′" not in fig._suptitle.get_text()  # no QC without normalised plates
    with pytest.raises(synergy.SynergyError, match="panel 'response' needs normalised plates"):
        synergy.plot.plate(raw, "P0001")
    with pytest.raises(synergy.SynergyError, match="unknown panel 'heat'"):
        synergy.plot.plate(norm, "P0001", panels=("heat",))
    with pytest.raises(synergy.SynergyError, match="no plate 'X'"):
        synergy.plot.plate(norm, "X")
