"""Loewe: kernel vs a transcription of SynergyFinder's R code, SynergyFinder's outputs with
its fits injected, the sham-combination null, the exact solver."""

from __future__ import annotations

import math

import numpy as np
import pytest
from model_cases import SFCase, synthetic_screen
from scipy.optimize import brentq

from synergy.errors import SynergyError
from synergy.models import loewe_reference, score_loewe

# --- slow reference: SynergyFinder 3.7 R code, transcribed (drc parameters b, c, d, e) ---


def r_pow(x: float, y: float) -> float:
    """R_pow (src/main/arithmetic.c)."""
    if y == 2.0:
        return x * x
    if x == 1.0 or y == 0.0:
        return 1.0
    if x == 0.0:
        return 0.0 if y > 0 else (math.inf if y < 0 else y)
    if math.isfinite(x) and math.isfinite(y):
        if x < 0 and y != math.floor(y):
            return math.nan
        return x**y
    if math.isnan(x) or math.isnan(y):
        return x + y
    if not math.isfinite(x):
        if x > 0:
            return 0.0 if y < 0 else math.inf
        if math.isfinite(y) and y == math.floor(y):
            return 0.0 if y < 0 else (x if math.fmod(y, 2.0) != 0 else -x)
    return math.nan


def divide(a: float, b: float) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(a) / np.float64(b))


def solve_exp_dose(y, b, c, d, e):
    """.SolveExpDoesLL4"""
    res = e * r_pow(divide(y - d, c - y), 1.0 / b)
    if math.isnan(res):
        res = math.inf if y > max(d, c) else 0.0
    return res


def drc_predict(x, b, c, d, e):
    return c + (d - c) / (1.0 + math.exp(b * (math.log(x) - math.log(e))))


def sf_loewe(x1, x2, y, drc1, drc2, nsteps=100):
    """Loewe() + .SolveLoewe() for one combination well; returns (reference, fallback)."""
    caps = [solve_exp_dose(y, *drc1), solve_exp_dose(y, *drc2)]
    if not any(math.isfinite(v) for v in caps):
        return max(drc_predict(x1 + x2, *drc1), drc_predict(x1 + x2, *drc2)), True
    min_y = min(min(drc1[1], drc1[2]), min(drc2[1], drc2[2]))
    max_y = max(max(drc1[1], drc1[2]), max(drc2[1], drc2[2]))
    by = (max_y - min_y) / (nsteps - 1)
    grid = [min_y] + [min_y + k * by for k in range(1, nsteps - 1)] + [max_y]
    dist = [
        abs(divide(x1, solve_exp_dose(g, *drc1)) + divide(x2, solve_exp_dose(g, *drc2)) - 1)
        for g in grid
    ]
    return grid[dist.index(min(dist))], False


def drc_to_ours(b, c, d, e):
    return (e, abs(b), c, d) if b < 0 else (e, b, d, c)


def random_drc(rng, n):
    """drc-style fits as drc returns them (c < d; b < 0 rising, b > 0 falling)."""
    b = rng.choice([-1, 1], n, p=[0.8, 0.2]) * rng.uniform(0.3, 6, n)
    c = rng.uniform(-30, 20, n)
    d = c + rng.uniform(5, 130, n)
    e = np.exp(rng.uniform(-3, 3, n))
    return np.column_stack([b, c, d, e])


def test_kernel_matches_synergyfinder_transcription():
    rng = np.random.default_rng(11)
    n_block, n_dose = 40, 5
    drc_row, drc_col = random_drc(rng, n_block), random_drc(rng, n_block)
    par_row = np.array([drc_to_ours(*p) for p in drc_row])
    par_col = np.array([drc_to_ours(*p) for p in drc_col])
    conc = np.concatenate(
        [np.zeros((n_block, 1)), np.exp(rng.uniform(-4, 4, (n_block, n_dose - 1)))], 1
    )
    conc.sort(axis=1)
    observed = rng.uniform(-40, 160, (n_block, n_dose, n_dose))
    observed[0, 1, 1] = np.nan
    reference, flag = loewe_reference(conc, conc, observed, par_row, par_col, "grid100")
    n_fallback = 0
    for b in range(n_block):
        for i in range(1, n_dose):
            for j in range(1, n_dose):
                y = observed[b, i, j]
                if np.isnan(y):
                    assert np.isnan(reference[b, i, j])
                    continue
                ref, fallback = sf_loewe(conc[b, i], conc[b, j], y, drc_row[b], drc_col[b])
                n_fallback += fallback
                assert flag[b, i, j] == float(fallback)
                assert reference[b, i, j] == pytest.approx(ref, rel=1e-12, abs=1e-12)
    assert 0 < n_fallback < (n_dose - 1) ** 2 * n_block
    assert np.isnan(reference[:, 0, :]).all() and np.isnan(reference[:, :, 0]).all()


def test_matches_synergyfinder_with_its_fits(sf_case):
    scored = score_loewe(sf_case.screen, solver="grid100")
    # the fit table is printed to 15 digits: references agree to ~1e-8 (grid) / 1e-10
    np.testing.assert_allclose(
        scored["loewe_reference"].values, sf_case.well("Loewe_ref"), rtol=0, atol=1e-6
    )
    np.testing.assert_allclose(scored["loewe"].values, sf_case.well("Loewe_synergy"), atol=1e-6)
    np.testing.assert_allclose(
        scored["loewe_score"].values, sf_case.block("Loewe_synergy"), atol=1e-6
    )


def test_sf_mathews_fallback_wells_are_counted():
    scored = score_loewe(SFCase("sf_mathews").screen)
    # block 1 rests on drc's collapsed ispinesib fit: 23 of 25 wells take the fallback
    assert scored["loewe_n_fallback"].values.tolist() == [23, 1]
    assert scored["loewe_status"].values.tolist() == [4, 4]


def _sham_screen(rng, n_block=6, n_dose=6):
    conc = np.concatenate(
        [np.zeros((n_block, 1)), np.cumprod(rng.uniform(1.5, 3.5, (n_block, n_dose - 1)), 1)], 1
    ) * rng.uniform(0.05, 0.5, (n_block, 1))
    par = np.column_stack(
        [
            np.exp(rng.uniform(-1, 2, n_block)),
            rng.uniform(0.5, 3, n_block),
            rng.uniform(-5, 5, n_block),
            rng.uniform(50, 110, n_block),
        ]
    )
    return synthetic_screen(conc, conc.copy(), par, par.copy(), "sham")


def test_sham_combination_is_loewe_null():
    screen = _sham_screen(np.random.default_rng(5))
    exact = score_loewe(screen, solver="exact")
    assert np.nanmax(np.abs(exact["loewe"].values)) < 1e-9
    assert (exact["loewe_n_fallback"].values == 0).all()
    assert (exact["loewe_status"].values == 0).all()
    grid = score_loewe(screen, solver="grid100")
    err = np.nanmax(np.abs(grid["loewe"].values))
    # grid100 is quantised to (top - bottom)/99 of the curves: about 1 % point here
    span = np.ptp(screen["hill_row"].values[:, 2:], axis=1).max()
    assert 1e-3 < err <= span / 99 + 1e-9
    exact_err = np.nanmax(np.abs(exact["loewe"].values))
    print(f"sham: grid100 max |δ| = {err:.3f} points, exact {exact_err:.1e}")


def test_exact_root_solves_loewe_equation():
    rng = np.random.default_rng(23)
    n_block = 30
    drc_row, drc_col = random_drc(rng, n_block), random_drc(rng, n_block)
    drc_row[:, 0] = -np.abs(drc_row[:, 0])  # rising curves: a unique root on the grid range
    drc_col[:, 0] = -np.abs(drc_col[:, 0])
    par_row = np.array([drc_to_ours(*p) for p in drc_row])
    par_col = np.array([drc_to_ours(*p) for p in drc_col])
    conc = np.tile([0.0, 0.1, 0.5, 2.0, 9.0], (n_block, 1))
    observed = rng.uniform(-20, 120, (n_block, 5, 5))
    reference, flag = loewe_reference(conc, conc, observed, par_row, par_col, "exact")
    grid_ref, _ = loewe_reference(conc, conc, observed, par_row, par_col, "grid100")
    for b in range(n_block):
        lo = min(drc_row[b, 1], drc_col[b, 1])
        hi = max(drc_row[b, 2], drc_col[b, 2])
        for i in range(1, 5):
            for j in range(1, 5):
                if flag[b, i, j] == 1:
                    continue
                x1, x2 = conc[b, i], conc[b, j]

                def g(y, x1=x1, x2=x2, b=b):
                    return (
                        divide(x1, solve_exp_dose(y, *drc_row[b]))
                        + divide(x2, solve_exp_dose(y, *drc_col[b]))
                        - 1
                    )

                # g(lo) = +inf (below a bottom), g(hi) = -1 (above both tops)
                root = brentq(g, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=500)
                assert flag[b, i, j] == 0
                assert reference[b, i, j] == pytest.approx(root, abs=1e-9)
                # the grid picks a neighbour of the root
                assert abs(grid_ref[b, i, j] - root) <= (hi - lo) / 99 + 1e-9


def test_exact_on_falling_curve_flags_missing_roots():
    # a rising and a falling curve whose ranges do not overlap: no root for high y
    par_row = np.array([[1.0, 1.0, 0.0, 50.0]])
    par_col = np.array([[1.0, 1.0, 100.0, 60.0]])  # falls from 100 to 60
    conc = np.array([[0.0, 1.0, 2.0]])
    observed = np.full((1, 3, 3), 55.0)
    reference, flag = loewe_reference(conc, conc, observed, par_row, par_col, "exact")
    assert np.isfinite(reference[0, 1:, 1:]).all()
    assert set(np.unique(flag[0, 1:, 1:])) <= {0.0, 2.0}


def test_missing_fits_fail_the_block_only():
    screen = _sham_screen(np.random.default_rng(2), n_block=3)
    hill = screen["hill_col"].values.copy()
    hill[1] = np.nan
    screen["hill_col"] = (("block", "param"), hill)
    scored = score_loewe(screen)
    assert scored["loewe_status"].values.tolist() == [0, 11, 0]
    assert np.isnan(scored["loewe_score"].values[1])
    assert np.isfinite(scored["loewe_score"].values[[0, 2]]).all()


def test_unknown_solver():
    with pytest.raises(SynergyError, match="loewe_solver"):
        score_loewe(_sham_screen(np.random.default_rng(0), n_block=1), solver="newton")
