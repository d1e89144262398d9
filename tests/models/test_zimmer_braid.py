"""fit_zimmer / fit_braid and their place in synergy.score, on simulated truth.

Kernel-level references (brentq, finite differences, scipy) are in
``tests/_kernels/test_interaction_kernels.py``; here: recovery of known parameters on
noise-free screens from the Hill-fit starts, interval sanity on noisy screens, statuses of
degenerate blocks, and the score()/report plumbing.
"""

from __future__ import annotations

import numpy as np
import pytest

import synergy
from synergy.datasets.simulate_interaction import simulate_interaction
from synergy.errors import SynergyError
from synergy.hill import fit_screen
from synergy.models.braid import fit_braid
from synergy.models.zimmer import fit_zimmer

A12 = [-0.6, 0.0, 0.5, 3.0, -0.3, 1.0]
A21 = [0.0, -0.5, 2.0, -0.2, 0.8, 0.0]
KAPPA = [-1.5, -0.5, 0.0, 1.0, 4.0, 10.0]


def fitted(model, noise_sd=0.0, n_replicates=1, **kw):
    screen = simulate_interaction(6, model=model, noise_sd=noise_sd,
                                  n_replicates=n_replicates, seed=11, **kw)  # fmt: skip
    return fit_screen(screen, fitter="lsq")


def test_zimmer_recovers_noise_free_truth():
    screen = fitted("zimmer", a12=A12, a21=A21)
    out = fit_zimmer(screen)
    assert (out["zimmer_status"].values <= 7).all()
    np.testing.assert_allclose(out["zimmer_a12"].values, A12, atol=1e-4)
    np.testing.assert_allclose(out["zimmer_a21"].values, A21, atol=1e-4)
    truth = screen["true_hill_row"].values
    np.testing.assert_allclose(out["zimmer"].sel(zimmer_param="C1").values, truth[:, 0], rtol=1e-4)
    np.testing.assert_allclose(out["zimmer_fitted"].values, screen["true_response"].values,
                               atol=1e-6)  # fmt: skip


def test_braid_recovers_noise_free_truth():
    screen = fitted("braid", kappa=KAPPA)
    out = fit_braid(screen)
    assert (out["braid_status"].values <= 7).all()
    np.testing.assert_allclose(out["braid_kappa"].values, KAPPA, atol=1e-4)
    tops = np.c_[screen["true_hill_row"].values[:, 3], screen["true_hill_col"].values[:, 3]]
    np.testing.assert_allclose(out["braid"].sel(braid_param="E3").values, tops.max(1), atol=1e-4)


@pytest.mark.parametrize(
    ("model", "kw", "names"),
    [("zimmer", {"a12": A12, "a21": A21}, ("a12", "a21")), ("braid", {"kappa": KAPPA}, ("kappa",))],
)
def test_intervals_on_low_noise_cover_truth_and_are_ordered(model, kw, names):
    screen = fitted(model, noise_sd=1.0, n_replicates=2, **kw)
    out = fit_zimmer(screen) if model == "zimmer" else fit_braid(screen)
    assert (out[f"{model}_status"].values <= 9).all()
    for name in names:
        truth = np.asarray(kw[name])
        low, high = out[f"{model}_{name}_ci"].values.T
        est = out[f"{model}_{name}"].values
        assert np.all((low <= est) & (est <= high))
        assert np.all(out[f"{model}_{name}_stderr"].values > 0)
        assert np.mean((low <= truth) & (truth <= high)) >= 5 / 6
        # 99 % intervals contain the 95 % ones
        wide = (fit_zimmer if model == "zimmer" else fit_braid)(screen, ci=0.99)
        w_low, w_high = wide[f"{model}_{name}_ci"].values.T
        assert np.all((w_low <= low) & (high <= w_high))


def test_score_plugs_both_models_in_and_flags_degenerate_blocks():
    screen = simulate_interaction(5, model="zimmer", a12=-0.5, noise_sd=3, seed=2)
    response = screen["response"].values.copy()
    response[1, 0, 1:] = np.nan  # block 2: no column-drug monotherapy, and only two of
    response[1, :, 3:] = np.nan  # its doses in combination (too few to fit it from those)
    response[2] = np.nan  # block 3: nothing measured
    response[3, 1:, 1:] = np.nan  # block 4: no combination wells
    screen["response"] = (screen["response"].dims, response)
    out = synergy.score(screen, models=["zimmer", "braid"], fitter="lsq")
    for model, name in (("zimmer", "zimmer_a12"), ("braid", "braid_kappa")):
        status = out[f"{model}_status"].values
        assert status[0] == 0 and status[4] == 0
        assert status[1] == 10 and status[2] >= 10 and status[3] == 12
        assert np.isnan(out[name].values[1:4]).all()
        assert np.isfinite(out[name].values[[0, 4]]).all()
    assert "Zimmer: a drug has no measured wells alone" in str(out["status_reason"].values[1])
    from synergy.report._params import parametric_table

    html = parametric_table(out, 0)
    assert "Zimmer" in html and "BRAID" in html and "κ" in html


def test_flat_partner_leaves_the_interaction_undefined_or_unbounded():
    # the column drug has no effect at all: its potency, hence a12 and kappa, are not
    # identified; the fit must say so (status != ok) rather than report a tight interval
    screen = simulate_interaction(3, model="zimmer", hill_col={"top": 0.0, "ic50": 100.0},
                                  noise_sd=2.0, seed=5)  # fmt: skip
    screen = fit_screen(screen, fitter="lsq")
    for out, name in ((fit_zimmer(screen), "zimmer_a12"), (fit_braid(screen), "braid_kappa")):
        model = name.split("_")[0]
        status = out[f"{model}_status"].values
        low, high = out[f"{name}_ci"].values.T
        unidentified = (
            (status != 0) | ~np.isfinite(high - low) | (np.log((high + 2) / (low + 2)) > 1)
        )
        assert unidentified.all()


def test_simulator_checks_its_arguments():
    with pytest.raises(SynergyError):
        simulate_interaction(2, model="musyc")
    with pytest.raises(SynergyError):
        simulate_interaction(2, model="zimmer", a12=-1.0)
    with pytest.raises(SynergyError):
        simulate_interaction(2, model="braid", kappa=-2.0)
    with pytest.raises(SynergyError):
        fit_zimmer(fitted("zimmer"), ci=1.0)
