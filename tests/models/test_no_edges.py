"""MuSyC, Zimmer and BRAID on full-factorial grids without single-drug wells (every dose > 0).

Surfaces from our simulator with known synergy; the zero-dose row and column the reader adds
are left unmeasured (NaN), as a file without them reads.  The surface alone determines the
single-drug curves: the fits start from the surface's lowest-dose row and column, recover the
truth on noise-free data, hold it inside their intervals on noisy data, and say
``not_identifiable`` where the grid cannot determine the parameters.
"""

from __future__ import annotations

import numpy as np
import pytest

import synergy
from synergy.datasets import simulate
from synergy.datasets.simulate_interaction import simulate_interaction
from synergy.hill import fit_screen
from synergy.models.braid import fit_braid
from synergy.models.musyc import MUSYC_PARAMS, fit_musyc
from synergy.models.zimmer import fit_zimmer

KAPPA = [-1.5, -0.5, 0.0, 1.0, 4.0, 10.0]
A12 = [-0.6, 0.0, 0.5, 3.0, -0.3, 1.0]
A21 = [0.0, -0.5, 2.0, -0.2, 0.8, 0.0]
LOG_A12 = [-1.0, -0.5, 0.0, 0.3, 0.8, 1.0]
LOG_A21 = [0.5, -0.8, 0.2, 0.0, -0.3, 1.0]


def no_edges(screen):
    """The screen with its single-drug wells unmeasured: every measured dose > 0."""
    response = screen["response"].values.copy()
    response[:, 0] = np.nan
    response[:, :, 0] = np.nan
    out = screen.copy()
    out["response"] = (screen["response"].dims, response)
    return fit_screen(out, fitter="lsq")


def interaction_screen(model, noise_sd=0.0, seed=11, **kw):
    return no_edges(simulate_interaction(6, model=model, noise_sd=noise_sd, n_replicates=2,
                                         seed=seed, n_doses=7, **kw))  # fmt: skip


def musyc_screen(noise_sd=0.0, seed=5):
    return no_edges(simulate(6, model="musyc", alpha12=10.0 ** np.array(LOG_A12),
                             alpha21=10.0 ** np.array(LOG_A21), noise_sd=noise_sd,
                             n_replicates=2, seed=seed, n_doses=7))  # fmt: skip


def test_the_grid_has_no_single_drug_wells():
    screen = interaction_screen("braid", kappa=KAPPA)
    measured = np.isfinite(screen["response"].values).any(axis=-1)
    conc_row, conc_col = screen["conc_row"].values, screen["conc_col"].values
    assert not measured[:, conc_row[0] == 0].any() and not measured[:, :, conc_col[0] == 0].any()
    assert (screen["hill_row_status"].values == screen["hill_col_status"].values).all()
    meanings = screen["hill_row_status"].attrs["flag_meanings"].split()
    codes = list(screen["hill_row_status"].attrs["flag_values"])
    assert meanings[codes.index(screen["hill_row_status"].values[0])] == "too_few_points"


def test_noise_free_truth_is_recovered_from_the_surface_alone():
    braid = fit_braid(interaction_screen("braid", kappa=KAPPA))
    assert (braid["braid_status"].values == 5).all()
    np.testing.assert_allclose(braid["braid_kappa"].values, KAPPA, atol=1e-4)
    zim_screen = interaction_screen("zimmer", a12=A12, a21=A21)
    zimmer = fit_zimmer(zim_screen)
    assert (zimmer["zimmer_status"].values == 5).all()
    np.testing.assert_allclose(zimmer["zimmer_a12"].values, A12, atol=1e-4)
    np.testing.assert_allclose(zimmer["zimmer_a21"].values, A21, atol=1e-4)
    truth = zim_screen["true_hill_row"].values  # ic50, slope, bottom, top
    np.testing.assert_allclose(zimmer["zimmer"].sel(zimmer_param="C1").values, truth[:, 0],
                               rtol=1e-4)  # fmt: skip
    np.testing.assert_allclose(zimmer["zimmer"].sel(zimmer_param="E0").values, truth[:, 2],
                               atol=1e-4)  # fmt: skip
    m_screen = musyc_screen()
    musyc = fit_musyc(m_screen, calibrate=0)
    assert (musyc["musyc_status"].values == 5).all()
    np.testing.assert_allclose(musyc["musyc_log_alpha12"].values, LOG_A12, atol=1e-4)
    np.testing.assert_allclose(musyc["musyc_log_alpha21"].values, LOG_A21, atol=1e-4)
    hr, hc = m_screen["true_hill_row"].values, m_screen["true_hill_col"].values
    want = np.c_[hr[:, 2], hr[:, 3], hc[:, 3], hr[:, 1], hc[:, 1], hr[:, 0], hc[:, 0]]
    got = musyc["musyc"].sel(musyc_param=["E0", "E1", "E2", "h1", "h2", "C1", "C2"]).values
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    assert list(musyc["musyc"].musyc_param.values) == list(MUSYC_PARAMS)


def _inside(low, high, truth):
    return (low <= truth) & (truth <= high)


@pytest.mark.parametrize("seed", [21, 22])
def test_noisy_surfaces_hold_the_truth_inside_their_intervals(seed):
    braid = fit_braid(interaction_screen("braid", noise_sd=2.0, seed=seed, kappa=KAPPA))
    zimmer = fit_zimmer(interaction_screen("zimmer", noise_sd=2.0, seed=seed, a12=A12, a21=A21))
    musyc = fit_musyc(musyc_screen(noise_sd=2.0, seed=seed), calibrate=0)
    checks = [
        (braid, "braid", "braid_kappa", KAPPA),
        (zimmer, "zimmer", "zimmer_a12", A12),
        (zimmer, "zimmer", "zimmer_a21", A21),
        (musyc, "musyc", "musyc_log_alpha12", LOG_A12),
        (musyc, "musyc", "musyc_log_alpha21", LOG_A21),
    ]
    for out, model, name, truth in checks:
        status = out[f"{model}_status"].values
        assert np.isin(status, [5, 8]).all(), (name, status)  # estimates exist: warning
        low, high = out[f"{name}_ci"].values.T
        assert _inside(low, high, np.asarray(truth)).sum() >= 5, (name, low, high)


def test_saturated_or_sparse_grids_say_so():
    grid = np.array([0.0, 1.0, 2.0, 4.0, 8.0, 16.0])
    # every tested dose far above both EC50s: E0 and the potencies are not identifiable
    saturated = no_edges(simulate_interaction(
        2, model="braid", kappa=1.0, noise_sd=2.0, seed=3, conc_row=grid, conc_col=grid,
        hill_row={"ic50": 0.001}, hill_col={"ic50": 0.001},
    ))  # fmt: skip
    for out, model, name in (
        (fit_braid(saturated), "braid", "braid_kappa"),
        (fit_zimmer(saturated), "zimmer", "zimmer_a12"),
        (fit_musyc(saturated, calibrate=0), "musyc", "musyc_log_alpha12"),
    ):
        status = out[f"{model}_status"]
        assert (status.values == 11).all(), (model, status.values)
        meanings = dict(zip(status.attrs["flag_values"], status.attrs["flag_meanings"].split(),
                            strict=True))  # fmt: skip
        assert meanings[11] == "not_identifiable"
        assert np.isnan(out[name].values).all()
    # two doses of the row drug (20 points, enough for the 9 parameters): the surface
    # cannot determine its Hill curve
    sparse = no_edges(simulate_interaction(2, model="braid", kappa=1.0, noise_sd=1.0, seed=3,
                                           conc_row=grid[:3], conc_col=grid,
                                           n_replicates=2))  # fmt: skip
    out = fit_braid(sparse)
    assert (out["braid_n_points"].values == 20).all()
    assert (out["braid_status"].values == 10).all()


def test_reference_models_still_need_single_drug_wells():
    screen = interaction_screen("braid", kappa=KAPPA)
    out = synergy.score(screen, models=["bliss", "hsa", "loewe", "zip", "braid"])
    for model in ("bliss", "hsa", "loewe", "zip"):
        assert (out[f"{model}_status"].values >= 10).all()
        assert np.isnan(out[f"{model}_score"].values).all()
    assert (out["braid_status"].values == 5).all()
    assert "BRAID: fitted without single-drug wells" in str(out["status_reason"].values[0])
