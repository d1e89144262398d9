"""The full BRAID model (κ, δ, free E3): formula, reduction to the κ variant, recovery.

Independent references: the paper's formula written out here in plain numpy (Twarog et al.,
Sci Rep 6:25523, 2016), central differences for the Jacobian, the κ variant's kernel for the
reduction (δ = 1, E3 tied), and known truth on surfaces simulated from the formula.
"""

from __future__ import annotations

import numpy as np
import pytest

from synergy._kernels.braid_full import braid_full_point, braid_full_value
from synergy._kernels.interaction_surfaces import BRAID, surface_value
from synergy.datasets.simulate_interaction import simulate_interaction
from synergy.errors import SynergyError
from synergy.hill import fit_screen
from synergy.models.braid import fit_braid

DOSES = np.r_[0.0, np.geomspace(0.01, 100.0, 7)]
D1, D2 = (g.ravel() for g in np.meshgrid(DOSES, DOSES))


def paper_braid(d1, d2, e0, e1, e2, e3, h1, h2, c1, c2, kappa, delta):
    """BRAID as printed: D_i = r a / (1 + (1 − r) a), D = D1^p + D2^p + κ sqrt(D1^p D2^p)."""
    span = e3 - e0
    a1, a2 = (d1 / c1) ** h1, (d2 / c2) ** h2
    r1, r2 = (e1 - e0) / span, (e2 - e0) / span
    big1 = r1 * a1 / (1 + (1 - r1) * a1)
    big2 = r2 * a2 / (1 + (1 - r2) * a2)
    power = 1.0 / (delta * np.sqrt(h1 * h2))
    total = big1**power + big2**power + kappa * np.sqrt(big1**power * big2**power)
    with np.errstate(divide="ignore"):
        return e0 + span / (1.0 + total ** (-delta * np.sqrt(h1 * h2)))


def fit_q(e0, e1, e2, e3, h1, h2, c1, c2, kappa, delta):
    """Fit-vector of the kernel: (E0, E1, E2, ln h, ln C, b, ln δ, ln(κ + 2))."""
    strong = e1 if abs(e1 - e0) >= abs(e2 - e0) else e2
    b = np.log((e3 - e0) / (strong - e0))
    return np.array([e0, e1, e2, *np.log([h1, h2, c1, c2]), b, np.log(delta), np.log(kappa + 2)])


CASES = [
    (5.0, 50.0, 90.0, 100.0, 1.3, 0.7, 1.5, 0.8, 1.0, 2.0),
    (2.0, 80.0, 30.0, 95.0, 0.9, 2.0, 0.3, 4.0, -1.2, 0.5),
    (0.0, -40.0, -60.0, -90.0, 1.0, 1.0, 1.0, 1.0, 3.0, 1.0),
]


@pytest.mark.parametrize("truth", CASES)
def test_kernel_is_the_papers_formula(truth):
    expected = paper_braid(D1, D2, *truth)
    got = braid_full_value(D1, D2, fit_q(*truth))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("truth", CASES)
def test_jacobian_matches_central_differences(truth):
    q = fit_q(*truth)
    jac = np.empty(10)
    for d1, d2 in [(0.3, 2.0), (0.0, 2.0), (5.0, 0.0), (50.0, 0.01), (3.0, 3.0)]:
        u1, u2 = (np.log(x) if x > 0 else -np.inf for x in (d1, d2))
        braid_full_point(u1, u2, q, jac)
        step = 1e-6
        numeric = [
            (braid_full_point(u1, u2, q + step * e, np.empty(10))
             - braid_full_point(u1, u2, q - step * e, np.empty(10))) / (2 * step)
            for e in np.eye(10)
        ]  # fmt: skip
        np.testing.assert_allclose(jac, numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("e1, e2", [(50.0, 90.0), (90.0, 50.0), (-30.0, -60.0)])
def test_delta_one_and_e3_tied_is_the_kappa_variant(e1, e2):
    """Analytic reduction: δ = 1 (ln δ = 0) and b = 0 give the κ variant's surface."""
    for kappa in (-1.5, 0.0, 2.0, 10.0):
        q8 = np.array([5.0, e1, e2, np.log(1.3), np.log(0.7), np.log(1.5), np.log(0.8),
                       np.log(kappa + 2.0)])  # fmt: skip
        q10 = np.r_[q8[:7], 0.0, 0.0, q8[7]]
        np.testing.assert_allclose(
            braid_full_value(D1, D2, q10), surface_value(BRAID, D1, D2, q8), atol=1e-12
        )


def test_kappa_two_aliases_kappa_zero_with_twice_delta():
    """With κ = 2 the sum is a square: D = (D1^(p/2) + D2^(p/2))², so (κ = 2, δ) and
    (κ = 0, 2δ) are one surface — the full model's parameters are identified only up to
    this pair (the paper's formula, evaluated both ways)."""
    for delta in (0.5, 1.0, 2.0):
        at_two = paper_braid(D1, D2, 5.0, 50.0, 90.0, 100.0, 1.3, 0.7, 1.5, 0.8, 2.0, delta)
        at_zero = paper_braid(D1, D2, 5.0, 50.0, 90.0, 100.0, 1.3, 0.7, 1.5, 0.8, 0.0, 2 * delta)
        np.testing.assert_allclose(at_two, at_zero, rtol=1e-12)


def canonical(kappa, delta):
    """(κ, δ) with the alias κ = 2 mapped to κ = 0, 2δ."""
    alias = np.abs(np.asarray(kappa) - 2.0) < 1e-3
    return np.where(alias, 0.0, kappa), np.where(alias, 2.0 * np.asarray(delta), delta)


def test_edges_are_the_single_drug_hill_curves():
    e0, e1, e2, e3, h1, h2, c1, c2 = 5.0, 50.0, 90.0, 100.0, 1.3, 0.7, 1.5, 0.8
    q = fit_q(e0, e1, e2, e3, h1, h2, c1, c2, 2.0, 3.0)
    dose = DOSES[1:]
    zero = np.zeros_like(dose)
    hill = e0 + (e1 - e0) * dose**h1 / (c1**h1 + dose**h1)
    np.testing.assert_allclose(braid_full_value(dose, zero, q), hill, rtol=1e-12)
    hill = e0 + (e2 - e0) * dose**h2 / (c2**h2 + dose**h2)
    np.testing.assert_allclose(braid_full_value(zero, dose, q), hill, rtol=1e-12)


TRUTH = {"E0": 0.0, "E1": 50.0, "E2": 80.0, "E3": 100.0, "C1": 1.0, "C2": 1.0}
KAPPAS = [-1.0, 0.0, 1.0, 3.0]
DELTAS = [1.0, 2.0, 0.6, 1.5]


def full_screen(noise_sd, seed, edges):
    """Our simulator's design (grid, replicates) with the response from the paper's formula."""
    n = len(KAPPAS)
    grid = np.r_[0.0, np.geomspace(0.05, 20.0, 8)]
    screen = simulate_interaction(n, model="braid", n_replicates=2, seed=seed, conc_row=grid,
                                  conc_col=grid)  # fmt: skip
    conc_row, conc_col = screen["conc_row"].values, screen["conc_col"].values
    rng = np.random.default_rng(seed)
    response = screen["response"].transpose("block", "row", "col", "replicate").values.copy()
    for k in range(n):
        d1, d2 = np.meshgrid(conc_row[k], conc_col[k], indexing="ij")
        true = paper_braid(d1, d2, TRUTH["E0"], TRUTH["E1"], TRUTH["E2"], TRUTH["E3"], 1.0,
                           1.0, TRUTH["C1"], TRUTH["C2"], KAPPAS[k], DELTAS[k])  # fmt: skip
        response[k] = true[..., None] + noise_sd * rng.standard_normal(response[k].shape)
    if not edges:
        response[:, conc_row[0] == 0] = np.nan
        response[:, :, conc_col[0] == 0] = np.nan
    out = screen.copy()
    dims = ("block", "row", "col", "replicate")
    out["response"] = screen["response"].copy(data=None).transpose(*dims).copy(data=response)
    return fit_screen(out, fitter="lsq")


@pytest.mark.parametrize("edges", [True, False])
def test_noise_free_truth_is_recovered(edges):
    screen = full_screen(0.0, 3, edges)
    out = fit_braid(screen, variant="full", intervals="wald")
    assert out.attrs["braid_variant"] == "full"
    assert set(out["braid_status"].values) == {0 if edges else 5}
    kappa, delta = canonical(out["braid_kappa"].values, out["braid_delta"].values)
    e3 = out["braid"].sel(braid_param="E3").values
    if edges:
        np.testing.assert_allclose(kappa, KAPPAS, atol=1e-4)
        np.testing.assert_allclose(delta, DELTAS, rtol=1e-4)
        np.testing.assert_allclose(e3, 100.0, atol=1e-3)
        return
    # without the edges κ and δ nearly trade off: a local minimum of the fit (κ 0.54, δ 0.71
    # for the truth κ 1, δ 0.6) is a surface within 0.01 points of the true one
    true = screen["response"].mean("replicate").values
    fitted = out["braid_fitted"].values
    measured = np.isfinite(true)
    np.testing.assert_allclose(fitted[measured], true[measured], atol=0.02)
    np.testing.assert_allclose(kappa, KAPPAS, atol=0.5)
    np.testing.assert_allclose(delta, DELTAS, rtol=0.2)
    np.testing.assert_allclose(e3, 100.0, atol=0.05)


@pytest.mark.parametrize("edges", [True, False])
def test_noisy_truth_lies_inside_the_intervals(edges):
    held_kappa = held_delta = 0
    n_total = 0
    for seed in (1, 2):
        out = fit_braid(full_screen(2.0, seed, edges), variant="full")
        assert (out["braid_status"].values < 10).all()
        kappa_true, delta_true = np.array(KAPPAS), np.array(DELTAS)
        # a fit near the alias (κ = 2, δ / 2) of a κ = 0 truth is judged against the alias
        aliased = (kappa_true == 0.0) & (np.abs(out["braid_kappa"].values - 2.0) < 1.0)
        kappa_true = np.where(aliased, 2.0, kappa_true)
        delta_true = np.where(aliased, delta_true / 2.0, delta_true)
        low, high = out["braid_kappa_ci"].values.T
        held_kappa += np.sum((low <= kappa_true) & (kappa_true <= high))
        low, high = out["braid_delta_ci"].values.T
        held_delta += np.sum((low <= delta_true) & (delta_true <= high))
        n_total += len(KAPPAS)
        # E3 within 3 standard errors
        e3 = out["braid"].sel(braid_param="E3").values
        se = out["braid_stderr"].sel(braid_param="E3").values
        assert np.all(np.abs(e3 - 100.0) <= 3 * se + 1e-9)
    assert held_kappa >= n_total - 1 and held_delta >= n_total - 1


def test_free_e3_holds_delta_at_one():
    out = fit_braid(full_screen(0.0, 3, False), variant="free_e3", intervals="wald")
    assert out.attrs["braid_variant"] == "free_e3"
    np.testing.assert_array_equal(out["braid_delta"].values, 1.0)
    # δ = 1 truth (block 0) is recovered exactly; elsewhere δ ≠ 1 moves κ
    assert abs(out["braid_kappa"].values[0] - KAPPAS[0]) < 1e-4
    assert np.all(np.isfinite(out["braid_kappa_ci"].values))


def test_unknown_variant_is_an_error():
    with pytest.raises(SynergyError, match="variant"):
        fit_braid(full_screen(0.0, 3, True), variant="both")


def test_e3_tied_to_the_stronger_drug_is_not_a_bound_failure():
    """Truth with E3 = E2 (b = 0 on its bound): status ok, E3 at E2, κ as the κ variant's."""
    screen = simulate_interaction(3, model="braid", kappa=[-1.0, 0.5, 2.5], n_replicates=2,
                                  seed=4, n_doses=7)  # fmt: skip
    screen = fit_screen(screen, fitter="lsq")
    full = fit_braid(screen, variant="free_e3", intervals="wald")
    assert (full["braid_status"].values == 0).all()
    top = screen["true_hill_col"].sel(param="top").values
    top = np.where(top > screen["true_hill_row"].sel(param="top").values, top,
                   screen["true_hill_row"].sel(param="top").values)  # fmt: skip
    np.testing.assert_allclose(full["braid"].sel(braid_param="E3").values, top, atol=1e-3)
    np.testing.assert_allclose(full["braid_kappa"].values, [-1.0, 0.5, 2.5], atol=1e-4)


def test_score_passes_the_variant_through_model_options():
    """``score(model_options={"braid": {"variant": ...}})`` runs the same fit as fit_braid."""
    from synergy.scoring import score

    screen = fit_screen(full_screen(0.0, 3, True), fitter="drc")
    direct = fit_braid(screen, variant="free_e3", intervals="wald")
    options = {"braid": {"variant": "free_e3", "intervals": "wald"}}
    scored = score(screen, models=["braid"], refit=False, model_options=options)
    assert "free_e3" in scored.attrs["scoring"]  # recorded with score's options
    np.testing.assert_array_equal(scored["braid_kappa"].values, direct["braid_kappa"].values)
    np.testing.assert_array_equal(scored["braid_delta"].values, 1.0)
