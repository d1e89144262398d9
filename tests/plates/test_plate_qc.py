"""Plate QC, spatial effects and their correction on the simulated plates."""

from __future__ import annotations

import numpy as np
import pytest

import synergy
from synergy.datasets import simulate_plates
from synergy.io.plate_map import parse_wells
from synergy.plates.spatial import median_polish


def _normalised(sim):
    plates = synergy.read_plates(sim.reads, sim.layout, plates=sim.plates)
    return synergy.plates.normalize(plates)


@pytest.mark.parametrize("barcode", ["P0001", "P0003"])
def test_z_prime_by_hand(noisy, barcode):
    one = noisy.reads[noisy.reads["plate"] == barcode]
    column = one["well"].str[1:].astype(int)
    neg = one.loc[column.isin([1, 23]), "signal"].to_numpy()
    pos = one.loc[column.isin([2, 24]), "signal"].to_numpy()
    assert neg.size == pos.size == 32
    sd_n, sd_p = neg.std(ddof=1), pos.std(ddof=1)
    z_prime = 1 - 3 * (sd_n + sd_p) / abs(neg.mean() - pos.mean())
    ssmd = (neg.mean() - pos.mean()) / np.sqrt(sd_n**2 + sd_p**2)
    q = synergy.plates.qc(_normalised(noisy)).sel(plate=barcode)
    assert q["z_prime"].item() == pytest.approx(z_prime, rel=1e-12)
    assert q["ssmd"].item() == pytest.approx(ssmd, rel=1e-12)
    assert q["cv_negative"].item() == pytest.approx(100 * sd_n / neg.mean(), rel=1e-12)
    assert q["signal_to_background"].item() == pytest.approx(neg.mean() / pos.mean(), rel=1e-12)


def test_z_prime_below_half_is_flagged(noisy):
    q = synergy.plates.qc(_normalised(noisy), z_prime_min=0.95)
    assert (q["qc_flags"].values & 1).all()
    assert all("z_prime_low" in r for r in q["qc_reason"].values)
    with pytest.raises(synergy.SynergyError, match="unknown QC threshold"):
        synergy.plates.qc(_normalised(noisy), zprime=0.5)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_faulty_row_and_strong_edge_flagged_clean_plates_not(seed):
    sim = simulate_plates(seed=seed)
    q = synergy.plates.qc(_normalised(sim))
    flags = dict(zip(q["plate"].values, q["qc_flags"].values, strict=True))
    assert flags.pop(sim.artefacts["fault_plate"]) & 2  # row effect
    assert q["worst_row"].sel(plate=sim.artefacts["fault_plate"]).item() == "F"
    assert flags.pop(sim.artefacts["strong_edge_plate"]) & 8  # edge effect
    assert not any(flags.values()), flags
    assert q.attrs["run_drift"] == pytest.approx(-10.0, abs=2.0)  # simulated: 10 % over the run


@pytest.mark.parametrize("seed", [0, 7])
def test_spatial_correction_moves_the_edge_bias_within_noise(seed):
    # only the strong edge (no mild edge or read decay shared by every plate, which the
    # truth comparison below would count but no per-plate correction can see)
    sim = simulate_plates(seed=seed, strong_edge=20.0, edge=0.0, read_decay=0.0)
    plates = synergy.plates.correct_spatial(_normalised(sim))
    edge_plate = sim.artefacts["strong_edge_plate"]
    truth = sim.truth[sim.truth["plate"] == edge_plate]
    row, col = parse_wells(truth["well"], truth["well"])
    p = plates.indexes["plate"].get_indexer(truth["plate"])
    ring = (row == 0) | (row == 15) | (col <= 1) | (col >= 22)
    # % inhibition error of the edge wells minus that of the inner wells, in wells that
    # keep signal (a dead well has none to lose)
    alive = truth["response"].to_numpy() < 50

    def edge_bias(name):
        error = plates[name].values[p, row, col] - truth["response"].to_numpy()
        return np.mean(error[ring & alive]) - np.mean(error[~ring & alive])

    before, after = edge_bias("response"), edge_bias("response_corrected")
    assert before > 15.0  # evaporation: the edge looks inhibited relative to the plate
    # within the noise of one well (SD 2 % points; the condition medians behind the fit
    # carry about half a well's noise), and a tenth of the bias or less
    assert abs(after) < sim.artefacts["noise"] * 1.5
    assert abs(after) < before / 6
    clean = plates.sel(plate="P0001")
    np.testing.assert_allclose(100 * np.expm1(clean["row_effect"].values), 0.0, atol=3.0)
    assert "signal" in plates and "response" in plates  # raw values kept


def test_median_polish_matches_a_slow_reference():
    rng = np.random.default_rng(1)
    values = rng.normal(size=(3, 8, 12)) + np.arange(8)[None, :, None] * 0.5
    values[0, 2, 3] = np.nan
    overall, row, col, rest = median_polish(values)
    for p in range(3):  # textbook Tukey polish, one plate at a time
        r = values[p].copy()
        ro, co, ov = np.zeros(8), np.zeros(12), 0.0
        for _ in range(10):
            m = np.nanmedian(r, axis=1)
            r -= m[:, None]
            ro += m
            d = np.median(co)
            co -= d
            ov += d
            m = np.nanmedian(r, axis=0)
            r -= m[None, :]
            co += m
            d = np.median(ro)
            ro -= d
            ov += d
        np.testing.assert_allclose(row[p], ro, atol=1e-12)
        np.testing.assert_allclose(col[p], co, atol=1e-12)
        assert overall[p] == pytest.approx(ov, abs=1e-12)
    fitted = overall[:, None, None] + row[:, :, None] + col[:, None, :] + rest
    np.testing.assert_allclose(fitted, values, atol=1e-12)
