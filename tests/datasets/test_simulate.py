"""The simulator: surfaces against direct formulas, seeding, layout invariants."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from synergy.datasets import _surfaces as surf
from synergy.datasets import block_rng, simulate
from synergy.errors import SynergyError
from synergy.io.screen import check_screen, screen_problems


def direct_hill(x, ic50, h, bottom, top):
    with np.errstate(divide="ignore"):
        return bottom + (top - bottom) / (1.0 + (ic50 / x) ** h)


def grids_and_params(screen):
    """Doses and true Hill parameters broadcast to (block, row, col)."""
    x1 = screen["conc_row"].values[:, :, None]
    x2 = screen["conc_col"].values[:, None, :]
    p1 = [screen["true_hill_row"].values[:, j, None, None] for j in range(4)]
    p2 = [screen["true_hill_col"].values[:, j, None, None] for j in range(4)]
    return x1, x2, p1, p2


def test_bliss_surface_matches_the_formula():
    hill_row = {"ic50": [3.0, 50.0, 400.0], "hill_slope": [0.8, 1.5, 3.0], "top": [70, 95, 100]}
    screen = simulate(3, model="bliss", hill_row=hill_row, seed=1)
    np.testing.assert_array_equal(screen["true_hill_row"].sel(param="ic50"), [3.0, 50.0, 400.0])
    x1, x2, p1, p2 = grids_and_params(screen)
    e1, e2 = direct_hill(x1, *p1), direct_hill(x2, *p2)
    expected = 100.0 * (1.0 - (1.0 - e1 / 100.0) * (1.0 - e2 / 100.0))
    np.testing.assert_allclose(screen["response"].values[..., 0], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(screen["true_bliss_delta"].values, 0.0, atol=1e-12)


def isobole_sum(e, x1, x2, p1, p2):
    """x1/X1(E) + x2/X2(E) with X the inverse Hill curve, X = ∞ above the top."""
    total = 0.0
    for x, (ic50, h, bottom, top) in ((x1, p1), (x2, p2)):
        with np.errstate(divide="ignore", invalid="ignore"):
            inverse = ic50 * ((e - bottom) / (top - e)) ** (1.0 / h)
            total = total + np.where(e >= top, 0.0, x / inverse)
    return total


@pytest.mark.parametrize("equal_tops", [True, False])
def test_loewe_surface_solves_the_isobole_equation(equal_tops):
    tops = [90.0, 90.0, 90.0, 90.0] if equal_tops else [60.0, 100.0, 75.0, 95.0]
    screen = simulate(
        4,
        model="loewe",
        hill_row={
            "ic50": [1, 10, 100, 30],
            "hill_slope": [0.7, 1, 2.5, 4],
            "bottom": 5.0,
            "top": 90.0,
        },
        hill_col={
            "ic50": [20, 2, 300, 30],
            "hill_slope": [1.3, 2, 0.9, 1],
            "bottom": 5.0,
            "top": tops,
        },
        seed=2,
    )
    x1, x2, p1, p2 = grids_and_params(screen)
    e = screen["response"].values[..., 0]
    combination = (x1 > 0) & (x2 > 0)
    total = isobole_sum(e, x1, x2, p1, p2)
    assert np.isfinite(total[combination]).all()
    np.testing.assert_allclose(total[combination], 1.0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(screen["true_loewe_delta"].values, 0.0, atol=1e-9)


def test_loewe_of_a_drug_with_itself_is_the_hill_curve_of_the_summed_dose():
    params = {"ic50": 40.0, "hill_slope": 1.7, "bottom": 0.0, "top": 85.0}
    grid = np.array([0.0, 1.0, 5.0, 20.0, 40.0, 100.0, 500.0])
    screen = simulate(
        1, model="loewe", hill_row=params, hill_col=params, conc_row=grid, conc_col=grid
    )
    total = grid[:, None] + grid[None, :]
    expected = direct_hill(total, 40.0, 1.7, 0.0, 85.0)
    np.testing.assert_allclose(screen["true_response"].values[0], expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"model": "bliss", "synergy_strength": 3.0},
        {"model": "loewe", "synergy_strength": -0.5},
        {"model": "musyc", "alpha12": 4.0, "alpha21": 0.3, "beta": 0.5},
    ],
)
@pytest.mark.parametrize("bottom", [0.0, 10.0])
def test_monotherapy_edges_are_the_hill_curves(kwargs, bottom):
    rng = np.random.default_rng(3)
    hill_row = {
        "ic50": 10 ** rng.uniform(0, 3, 5),
        "hill_slope": rng.uniform(0.7, 3, 5),
        "bottom": bottom,
        "top": rng.uniform(60, 100, 5),
    }
    hill_col = {
        "ic50": 10 ** rng.uniform(0, 3, 5),
        "hill_slope": rng.uniform(0.7, 3, 5),
        "bottom": bottom,
        "top": rng.uniform(60, 100, 5),
    }
    screen = simulate(5, seed=3, hill_row=hill_row, hill_col=hill_col, **kwargs)
    x1, x2, p1, p2 = grids_and_params(screen)
    true = screen["true_response"].values
    np.testing.assert_allclose(
        true[:, :, 0], direct_hill(x1[:, :, 0], *(p[:, :, 0] for p in p1)), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        true[:, 0, :], direct_hill(x2[:, 0, :], *(p[:, 0, :] for p in p2)), rtol=0, atol=1e-12
    )


def test_bliss_with_a_shared_nonzero_bottom_acts_on_the_range_above_it():
    screen = simulate(
        3,
        hill_row={"ic50": 5.0, "bottom": 20.0, "top": 90.0},
        hill_col={"ic50": 50.0, "hill_slope": 2.0, "bottom": 20.0, "top": 70.0},
    )
    x1, x2, p1, p2 = grids_and_params(screen)
    u1 = (direct_hill(x1, *p1) - 20.0) / 80.0
    u2 = (direct_hill(x2, *p2) - 20.0) / 80.0
    expected = 20.0 + 80.0 * (1.0 - (1.0 - u1) * (1.0 - u2))
    np.testing.assert_allclose(screen["true_response"].values, expected, rtol=0, atol=1e-12)
    assert np.all(screen["true_response"].values[:, 0, 0] == 20.0)


def test_potency_synergy_raises_bliss_excess_in_combination_wells_only():
    screen = simulate(6, model="bliss", synergy_strength=[0, 0.5, 1, 2, 4, 8], seed=4)
    delta = screen["true_bliss_delta"].values
    assert np.all(delta[:, 1:, 1:][1:] > 0)
    np.testing.assert_allclose(delta[0], 0.0, atol=1e-12)
    np.testing.assert_allclose(delta[:, 0, :], 0.0, atol=1e-12)
    np.testing.assert_allclose(delta[:, :, 0], 0.0, atol=1e-12)
    # with identical curves, a stronger shift gives a larger excess in every well
    same = simulate(
        ["a", "b"], hill_row=[10, 1.2, 0, 90], hill_col=[5, 2, 0, 80], synergy_strength=[1.0, 3.0]
    )
    d = same["true_bliss_delta"].values[:, 1:, 1:]
    assert np.all(d[1] > d[0])


def steady_state_by_linear_algebra(a1, a2, alpha12, alpha21, h1, h2):
    """Null space of the 4-state generator (states U, A1, A2, A12), reference for MuSyC."""
    rates = {  # (from, to): rate
        (0, 1): a1,
        (1, 0): 1.0,
        (0, 2): a2,
        (2, 0): 1.0,
        (1, 3): alpha12**h2 * a2,
        (3, 1): 1.0,
        (2, 3): alpha21**h1 * a1,
        (3, 2): 1.0,
    }
    q = np.zeros((4, 4))
    for (i, j), r in rates.items():
        q[j, i] += r
        q[i, i] -= r
    system = np.vstack([q, np.ones(4)])
    solution, *_ = np.linalg.lstsq(system, np.r_[np.zeros(4), 1.0], rcond=None)
    return solution


def test_musyc_matches_the_linear_steady_state():
    rng = np.random.default_rng(5)
    for _ in range(20):
        c1, c2 = 10 ** rng.uniform(-1, 2, 2)
        h1, h2 = rng.uniform(0.5, 3, 2)
        e0, e1, e2, e3 = 2.0, 70.0, 85.0, 97.0
        alpha12, alpha21 = 10 ** rng.uniform(-1, 1, 2)
        d1, d2 = 10 ** rng.uniform(-1, 2, 2)
        u, pa1, pa2, pa12 = steady_state_by_linear_algebra(
            (d1 / c1) ** h1, (d2 / c2) ** h2, alpha12, alpha21, h1, h2
        )
        expected = e0 * u + e1 * pa1 + e2 * pa2 + e3 * pa12
        got = surf.musyc_surface(d1, d2, (c1, h1, e1), (c2, h2, e2), e0, e3, alpha12, alpha21)
        # the least-squares reference loses digits on ill-conditioned generators
        np.testing.assert_allclose(got, expected, rtol=1e-8)


def test_musyc_detailed_balance_closed_form_and_bliss_special_case():
    d1 = np.array([0.0, 0.3, 3.0, 30.0])[:, None]
    d2 = np.array([0.0, 0.5, 5.0, 50.0])[None, :]
    c1, h1, c2, h2 = 2.0, 1.5, 4.0, 0.8
    a1, a2 = (d1 / c1) ** h1, (d2 / c2) ** h2
    alpha12 = 3.0
    alpha21 = alpha12 ** (h2 / h1)  # alpha12**h2 == alpha21**h1: detailed balance
    weights = np.stack(np.broadcast_arrays(1.0, a1, a2, alpha12**h2 * a1 * a2))
    weights = weights / weights.sum(axis=0)
    effects = np.array([0.0, 60.0, 80.0, 95.0])[:, None, None]
    got = surf.musyc_surface(d1, d2, (c1, h1, 60.0), (c2, h2, 80.0), 0.0, 95.0, alpha12, alpha21)
    np.testing.assert_allclose(got, (weights * effects).sum(axis=0), rtol=1e-12)
    # alpha = 1, E0 = 0, E3 = Bliss of the tops: the Bliss surface
    e1, e2 = 60.0, 80.0
    e3 = e1 + e2 - e1 * e2 / 100.0
    got = surf.musyc_surface(d1, d2, (c1, h1, e1), (c2, h2, e2), 0.0, e3, 1.0, 1.0)
    bliss = 100 * (
        1 - (1 - direct_hill(d1, c1, h1, 0, e1) / 100) * (1 - direct_hill(d2, c2, h2, 0, e2) / 100)
    )
    np.testing.assert_allclose(got, bliss, rtol=0, atol=1e-12)


def test_musyc_beta_zero_is_bliss_when_the_stronger_drug_reaches_100():
    screen = simulate(
        2,
        model="musyc",
        hill_row=[10, 1, 0, 100],
        hill_col=[3, 2, 0, 70],
        alpha12=1.0,
        alpha21=1.0,
        beta=0.0,
    )
    np.testing.assert_allclose(screen["true_e3"], 100.0)
    np.testing.assert_allclose(screen["true_bliss_delta"].values, 0.0, atol=1e-12)


def test_same_seed_same_screen_different_seed_different():
    kwargs = {
        "model": "bliss",
        "noise_sd": 5.0,
        "n_replicates": 3,
        "missing_fraction": 0.1,
        "ragged": True,
        "synergy_strength": 1.0,
    }
    a, b = simulate(8, seed=11, **kwargs), simulate(8, seed=11, **kwargs)
    xr.testing.assert_identical(a, b)
    c = simulate(8, seed=12, **kwargs)
    assert not np.array_equal(a["true_hill_row"].values, c["true_hill_row"].values)
    assert not a["response"].equals(c["response"])


@pytest.mark.parametrize("ragged", [False, True])
def test_block_draws_do_not_depend_on_order_or_neighbours(ragged):
    kwargs = {
        "noise_sd": 4.0,
        "n_replicates": 2,
        "missing_fraction": 0.2,
        "ragged": ragged,
        "seed": 7,
    }
    ab = simulate(["a", "b"], **kwargs)
    ba = simulate(["b", "a"], **kwargs)
    xr.testing.assert_identical(ab.sel(block="a"), ba.sel(block="a"))
    xr.testing.assert_identical(ab.sel(block="b"), ba.sel(block="b"))
    alone = simulate(["b"], **kwargs)
    n_row, n_col = alone.sizes["row"], alone.sizes["col"]
    for name in ("response", "true_response", "conc_row", "conc_col", "true_hill_row"):
        inside = ab[name].sel(block="b")
        if "row" in inside.dims:
            inside = inside.isel(row=slice(0, n_row))
        if "col" in inside.dims:
            inside = inside.isel(col=slice(0, n_col))
        np.testing.assert_array_equal(inside.values, alone[name].sel(block="b").values)


def test_replicates_missing_wells_and_ragged_grids_make_valid_screens():
    screen = simulate(
        30, noise_sd=3.0, n_replicates=4, missing_fraction=0.15, ragged=True, n_doses=(8, 6), seed=9
    )
    check_screen(screen)
    assert screen.sizes["replicate"] == 4
    assert screen.sizes["row"] <= 8 and screen.sizes["col"] <= 6
    n_row = np.isfinite(screen["conc_row"].values).sum(axis=1)
    n_col = np.isfinite(screen["conc_col"].values).sum(axis=1)
    assert len(set(n_row)) > 1 and len(set(n_col)) > 1  # ragged
    assert n_row.min() >= 4 and n_col.min() >= 3
    response = screen["response"].values
    inside = (
        np.isfinite(screen["conc_row"].values)[:, :, None, None]
        & np.isfinite(screen["conc_col"].values)[:, None, :, None]
    )
    inside = np.broadcast_to(inside, response.shape)
    missing = np.isnan(response) & inside
    assert 0.10 < missing.sum() / inside.sum() < 0.20
    assert not np.any(response[missing] == 0.0)  # NaN, never 0
    assert np.all(np.isnan(response[~inside]))
    for problem in screen_problems(screen):  # only soft problems are allowed
        assert "no monotherapy well" in problem


def test_noise_has_the_requested_sd_and_no_bias():
    screen = simulate(40, noise_sd=5.0, n_replicates=3, seed=10)
    residual = (screen["response"] - screen["true_response"]).values.ravel()
    assert abs(residual.std() / 5.0 - 1.0) < 0.05
    assert abs(residual.mean()) < 0.2


def test_default_grids_are_centred_on_the_ic50():
    screen = simulate(3, dose_step=np.sqrt(10.0), seed=6)
    conc = screen["conc_row"].values
    np.testing.assert_allclose(conc[:, 4], screen["true_hill_row"].sel(param="ic50").values)
    np.testing.assert_allclose(conc[:, 2:] / conc[:, 1:-1], np.sqrt(10.0))
    assert np.all(conc[:, 0] == 0.0)


def test_explicit_grids_names_and_provenance():
    screen = simulate(
        ["x", "y"],
        conc_row=[[0, 1, 2, np.nan], [0, 3, 9, 27]],
        conc_col=[0.0, 0.5, 5.0],
        drug_row=["A", "C"],
        drug_col="B",
        sample="cell",
        conc_unit="uM",
        seed=3,
        provenance={"note": "test"},
    )
    assert list(screen["block"].values) == ["x", "y"]
    assert list(screen["drug_row"].values) == ["A", "C"]
    assert screen.attrs["conc_unit"] == "uM"
    provenance = json.loads(screen.attrs["provenance"])
    assert provenance["seed"] == 3 and provenance["note"] == "test"
    assert provenance["model"] == "bliss"
    assert np.isnan(screen["response"].values[0, 3]).all()


def test_seed_none_is_recorded_so_the_screen_can_be_redrawn():
    a = simulate(2, noise_sd=2.0, seed=None)
    seed = json.loads(a.attrs["provenance"])["seed"]
    xr.testing.assert_identical(a, simulate(2, noise_sd=2.0, seed=seed))


def test_truth_can_be_left_out():
    screen = simulate(2, truth=False)
    assert not any(name.startswith("true_") for name in screen.data_vars)


@pytest.mark.parametrize(
    "kwargs",
    [
        {
            "model": "loewe",
            "hill_row": {"ic50": 1.0, "bottom": 0.0},
            "hill_col": {"ic50": 1.0, "bottom": 10.0},
        },
        {"model": "loewe", "hill_row": {"ic50": 1.0, "top": -20.0}},
        {"model": "musyc", "hill_col": {"ic50": 1.0, "bottom": 3.0}},
        {"model": "bliss", "hill_col": {"ic50": 1.0, "bottom": 3.0}},
        {"model": "musyc", "synergy_strength": 1.0},
        {"model": "hsa"},
        {"hill_row": {"ic50": -1.0}},
        {"hill_row": {"slope": 1.0, "ic50": 1.0}},
        {"hill_row": np.ones(3)},
        {"synergy_strength": -1.0},
        {"conc_row": [1.0, 2.0]},
        {"conc_row": [0.0, 2.0, 1.0]},
        {"missing_fraction": 1.0},
        {"n_doses": 1},
    ],
)
def test_bad_arguments_raise_synergy_error(kwargs):
    with pytest.raises(SynergyError):
        simulate(2, **kwargs)


def test_block_rng_is_keyed_by_seed_block_and_purpose():
    draw = lambda *a: block_rng(*a).random(4)  # noqa: E731
    np.testing.assert_array_equal(draw(1, "a", 5), draw(1, "a", 5))
    assert not np.array_equal(draw(1, "a", 5), draw(1, "b", 5))
    assert not np.array_equal(draw(1, "a", 5), draw(2, "a", 5))
    assert not np.array_equal(draw(1, "a", 5), draw(1, "a", 6))


@settings(max_examples=60, deadline=None)
@given(
    log_ic50=st.tuples(st.floats(-2, 3), st.floats(-2, 3)),
    slopes=st.tuples(st.floats(0.3, 5), st.floats(0.3, 5)),
    tops=st.tuples(st.floats(30, 120), st.floats(30, 120)),
    bottom=st.floats(-10, 20),
    log_doses=st.tuples(st.floats(-4, 4), st.floats(-4, 4)),
)
def test_loewe_root_is_bracketed_to_1e9(log_ic50, slopes, tops, bottom, log_doses):
    """Σ x_i / X_i crosses 1 within ±1e-9·(1 + |E|) of the returned E (accuracy in E)."""
    ic50 = 10.0 ** np.array(log_ic50)
    doses = ic50 * 10.0 ** np.array(log_doses)
    p1 = (ic50[0], slopes[0], tops[0])
    p2 = (ic50[1], slopes[1], tops[1])
    e = float(surf.loewe_additive(doses[0], doses[1], p1, p2, bottom))
    assert bottom < e <= max(tops)

    def total(effect):
        return sum(
            float(surf.loewe_dose_ratio(effect, d, c, h, bottom, t))
            for d, (c, h, t) in zip(doses, (p1, p2), strict=True)
        )

    step = 1e-9 * (1.0 + abs(e))
    assert e - step <= bottom or total(e - step) >= 1.0 - 1e-12
    assert e + step > max(tops) or total(e + step) <= 1.0 + 1e-12
