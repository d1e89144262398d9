"""One implementation of Bliss, HSA and Loewe for any number of drugs (docs/design.md §16.1).

Each model is checked against a slow, independent reference — plain Python loops that look
every single-drug well up by its doses in a dict, and evaluate the Hill inverses and Loewe's
equation from their textbook form — for N = 2, 3 and 4 drugs, with missing wells.  A pair
screen scored on its grid and the same pair read as N = 2 of the well layout must give the
same bits (it is one implementation now), and the SynergyFinder 2 forms must reduce to the pair
formulas for N = 2.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import xarray as xr
from scipy.optimize import brentq

from synergy.hill.model import HILL_PARAMS
from synergy.io.screen import build_multi_screen, build_screen
from synergy.models import score_bliss, score_hsa, score_loewe
from synergy.models.reference import bliss_combine, hsa_combine

DOSES = [[0.0, 0.7, 3.0, 12.0], [0.0, 2.0, 9.0], [0.0, 0.4, 5.0], [0.0, 1.5, 20.0]]


def _screen(n_drug: int, seed: int, n_block: int = 3) -> xr.Dataset:
    """Full-factorial N-drug blocks, random responses, some wells and replicates missing."""
    rng = np.random.default_rng(seed)
    grid = np.array(list(itertools.product(*DOSES[:n_drug])))
    n_well = len(grid)
    conc = np.broadcast_to(grid, (n_block, n_well, n_drug)).copy()
    response = rng.uniform(-10, 110, (n_block, n_well, 2))
    response[0, rng.choice(np.arange(1, n_well), 3, replace=False)] = np.nan  # missing wells
    response[1, 5, 1] = np.nan  # one missing replicate
    screen = build_multi_screen(
        [f"b{b}" for b in range(n_block)], [[f"d{i}" for i in range(n_drug)]] * n_block,
        ["s"] * n_block, conc, response, conc_unit="uM",
    )  # fmt: skip
    params = np.stack(
        [rng.uniform(0.5, 8, (n_block, n_drug)), rng.uniform(0.6, 2.5, (n_block, n_drug)),
         rng.uniform(-5, 10, (n_block, n_drug)), rng.uniform(60, 105, (n_block, n_drug))],
        axis=2,
    )  # fmt: skip
    screen["hill"] = xr.DataArray(
        params, dims=("block", "drug", "param"), coords={"param": list(HILL_PARAMS)}
    )
    return screen


def _wells(screen: xr.Dataset, b: int) -> tuple[list[tuple], dict[tuple, float]]:
    """The block's wells as dose tuples and their replicate means, by dose (slow)."""
    conc = screen["conc"].transpose("block", "well", "drug").values[b]
    response = screen["response"].transpose("block", "well", "replicate").values[b]
    keys, mean = [], {}
    for w in range(conc.shape[0]):
        key = tuple(float(x) for x in conc[w])
        keys.append(key)
        seen = [r for r in response[w] if not math.isnan(r)]
        mean[key] = sum(seen) / len(seen) if seen else math.nan
    return keys, mean


def _alone(key: tuple, i: int, mean: dict) -> float:
    only = tuple(x if k == i else 0.0 for k, x in enumerate(key))
    return mean.get(only, math.nan)


def _slow(screen: xr.Dataset, rule) -> tuple[np.ndarray, np.ndarray]:
    """Reference and δ of an observed-edge model, well by well."""
    n_block, n_well = screen.sizes["block"], screen.sizes["well"]
    ref = np.full((n_block, n_well), np.nan)
    delta = np.full((n_block, n_well), np.nan)
    for b in range(n_block):
        keys, mean = _wells(screen, b)
        for w, key in enumerate(keys):
            y = mean[key]
            if sum(x > 0 for x in key) < 2:
                ref[b, w], delta[b, w] = y, (0.0 if not math.isnan(y) else math.nan)
                continue
            ref[b, w] = rule([_alone(key, i, mean) for i in range(len(key))])
            delta[b, w] = y - ref[b, w]
    return ref, delta


def _bliss_rule(values):
    keep = 1.0
    for v in values:
        keep *= 1.0 - v / 100.0
    return 100.0 * (1.0 - keep)


def _hsa_rule(values):
    return math.nan if any(math.isnan(v) for v in values) else max(values)


@pytest.mark.parametrize("n_drug", [2, 3, 4])
@pytest.mark.parametrize("model", ["bliss", "hsa"])
def test_edge_models_match_a_slow_reference(model, n_drug):
    screen = _screen(n_drug, seed=10 + n_drug)
    scorer, rule = {"bliss": (score_bliss, _bliss_rule), "hsa": (score_hsa, _hsa_rule)}[model]
    out = scorer(screen)
    ref, delta = _slow(screen, rule)
    np.testing.assert_allclose(out[f"{model}_reference"].values, ref, rtol=0, atol=1e-11)
    np.testing.assert_allclose(out[model].values, delta, rtol=0, atol=1e-11)
    full = np.all(screen["conc"].transpose("block", "well", "drug").values > 0, axis=2)
    expect = [np.nanmean(np.where(full[b], delta[b], np.nan)) for b in range(len(delta))]
    np.testing.assert_allclose(out[f"{model}_score"].values, expect, rtol=0, atol=1e-11)


def _inverse(y: float, ic50: float, slope: float, bottom: float, top: float) -> float:
    """Dose of a drug alone giving effect y: ic50·((y − lo)/(hi − y))^(±1/slope), 0 below
    the curve's reach, ∞ above it (SynergyFinder's rule), written from the Hill formula."""
    lo, hi = min(bottom, top), max(bottom, top)
    if y >= hi:
        return math.inf
    if y <= lo:
        return 0.0
    ratio = (y - bottom) / (top - y)  # > 0 inside the range
    return ic50 * ratio ** (1.0 / slope)


def _hill(x, ic50, slope, bottom, top):
    return bottom if x <= 0 else bottom + (top - bottom) / (1 + (ic50 / x) ** slope)


def _loewe_slow(doses, y, pars, solver):
    """(reference, fallback?) of one well: the grid's first minimiser or the lowest root."""
    if not any(math.isfinite(_inverse(y, *p)) for p in pars):
        return max(_hill(sum(doses), *p) for p in pars), True
    lo = min(min(p[2], p[3]) for p in pars)
    hi = max(max(p[2], p[3]) for p in pars)
    grid = [lo + k * (hi - lo) / 99 for k in range(99)] + [hi]

    def g(e):
        total = 0.0
        for x, p in zip(doses, pars, strict=True):
            if x > 0:
                big = _inverse(e, *p)
                total += math.inf if big == 0 else x / big
        return total - 1.0

    if solver == "grid100":
        dist = [abs(g(e)) for e in grid]
        return dist, False
    for a, b in itertools.pairwise(grid):
        ga, gb = g(a), g(b)
        if math.isfinite(ga) and math.isfinite(gb) and (ga > 0) != (gb > 0):
            return brentq(g, a, b, xtol=1e-14, rtol=1e-14), False
    return None, False


@pytest.mark.parametrize("n_drug", [2, 3, 4])
@pytest.mark.parametrize("solver", ["grid100", "exact"])
def test_loewe_matches_a_slow_reference(solver, n_drug):
    screen = _screen(n_drug, seed=20 + n_drug)
    out = score_loewe(screen, solver=solver)
    params = screen["hill"].sel(param=list(HILL_PARAMS)).values
    n_checked = n_fallback = n_combo = 0
    for b in range(screen.sizes["block"]):
        keys, mean = _wells(screen, b)
        pars = [tuple(params[b, i]) for i in range(n_drug)]
        for w, key in enumerate(keys):
            y = mean[key]
            got = out["loewe_reference"].values[b, w]
            n_combo += sum(x > 0 for x in key) >= 2
            if sum(x > 0 for x in key) < 2 or math.isnan(y):
                continue
            expect, fallback = _loewe_slow(key, y, pars, solver)
            assert bool(out["loewe_fallback"].values[b, w]) == fallback
            n_checked += 1
            if fallback:
                n_fallback += 1
                assert got == pytest.approx(expect, abs=1e-10)
            elif solver == "grid100":
                # the chosen effect is a grid point whose distance is the smallest
                # (to rounding: the slow distance is computed another way)
                lo = min(min(p[2], p[3]) for p in pars)
                hi = max(max(p[2], p[3]) for p in pars)
                k = round((got - lo) / ((hi - lo) / 99))
                assert got == pytest.approx(lo + k * (hi - lo) / 99, abs=1e-9)
                best = min(d for d in expect if not math.isnan(d))
                assert expect[k] <= best * (1 + 1e-9) + 1e-12
            elif expect is not None:
                assert got == pytest.approx(expect, abs=1e-8)
    assert n_checked >= n_combo - 3  # the three missing wells at most
    assert n_fallback < n_checked


def _pair(seed: int) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    conc = np.tile([0.0, 0.5, 2.0, 8.0, 30.0], (4, 1))
    response = rng.uniform(-5, 105, (4, 5, 5, 3))
    response[1, 2, 3] = np.nan
    response[2, 3, 0] = np.nan
    screen = build_screen(range(4), "A", "B", "s", conc, conc.copy(), response, conc_unit="uM")
    for side in ("row", "col"):
        par = np.column_stack(
            [rng.uniform(0.5, 8, 4), rng.uniform(0.6, 2.5, 4), rng.uniform(-5, 10, 4),
             rng.uniform(60, 105, 4)]
        )  # fmt: skip
        screen[f"hill_{side}"] = xr.DataArray(
            par, dims=("block", "param"), coords={"param": list(HILL_PARAMS)}
        )
    return screen


def _as_wells(pair: xr.Dataset) -> xr.Dataset:
    """The same pair blocks in the well layout (N = 2, wells in C order of the grid)."""
    n_block, n_row, n_col = pair.sizes["block"], pair.sizes["row"], pair.sizes["col"]
    rows = np.repeat(pair["conc_row"].values, n_col, axis=1)
    cols = np.tile(pair["conc_col"].values, (1, n_row))
    response = pair["response"].transpose("block", "row", "col", "replicate").values
    screen = build_multi_screen(
        pair["block"].values.astype(str), [["A", "B"]] * n_block, ["s"] * n_block,
        np.stack([rows, cols], axis=2), response.reshape(n_block, n_row * n_col, -1),
        conc_unit="uM",
    )  # fmt: skip
    hill = np.stack([pair["hill_row"].values, pair["hill_col"].values], axis=1)
    screen["hill"] = xr.DataArray(
        hill, dims=("block", "drug", "param"), coords={"param": list(HILL_PARAMS)}
    )
    return screen


@pytest.mark.parametrize(
    ("model", "scorer"),
    [("bliss", score_bliss), ("hsa", score_hsa), ("loewe", score_loewe),
     ("loewe", lambda s: score_loewe(s, solver="exact"))],
)  # fmt: skip
def test_a_pair_is_n_equals_two_to_the_bit(model, scorer):
    pair = _pair(5)
    grid, wells = scorer(pair), scorer(_as_wells(pair))
    shape = (pair.sizes["block"], -1)
    for name in (model, f"{model}_reference"):
        assert np.array_equal(
            grid[name].values.reshape(shape), wells[name].values, equal_nan=True
        ), name
    assert np.array_equal(grid[f"{model}_n_wells"].values, wells[f"{model}_n_wells"].values)


def test_running_forms_are_the_pair_formulas_for_two_drugs():
    rng = np.random.default_rng(0)
    y1, y2 = rng.uniform(-20, 120, (2, 1000))
    alone = [y1, y2]
    sf3 = (1.0 - (1.0 - y1 / 100.0) * (1.0 - y2 / 100.0)) * 100.0
    sf2 = y1 + y2 - y1 * y2 / 100.0
    assert np.array_equal(bliss_combine(alone), sf3)
    assert np.array_equal(bliss_combine(alone, "synergyfinder2"), sf2)
    assert np.array_equal(hsa_combine(alone), np.maximum(y1, y2))
    # and for N drugs both forms are Bliss independence
    alone = rng.uniform(-20, 120, (1000, 4))
    product = 100.0 * (1.0 - np.prod(1.0 - alone / 100.0, axis=1))
    np.testing.assert_allclose(bliss_combine(list(alone.T)), product, rtol=0, atol=1e-11)
    np.testing.assert_allclose(bliss_combine(list(alone.T), "synergyfinder2"), product, atol=1e-11)


def _toy_fitter(conc, response, baseline):
    """A deterministic stand-in for a slice fit (independent of the points' order):
    baseline + (mean measured response − baseline) · x / (x + 1)."""
    with np.errstate(invalid="ignore"):
        level = np.nanmean(response, axis=1, keepdims=True)
    return baseline[:, None] + (level - baseline[:, None]) * conc / (conc + 1.0)


def _zip_slow(screen: xr.Dataset, b: int, key: tuple, mean: dict, pars) -> tuple[float, float]:
    """(fitted, reference) of one combination well, by dose lookups."""
    keys = list(mean)
    preds = []
    for i in range(len(key)):
        line = [k for k in keys if all(k[j] == key[j] for j in range(len(key)) if j != i)]
        ys = [mean[k] for k in line]
        zero = [mean[k] for k in line if k[i] == 0]
        combos = [k for k in line if sum(x > 0 for x in k) >= 2]
        measured = [y for y in ys if not math.isnan(y)]
        if not zero or math.isnan(zero[0]) or not combos or len(measured) < 3:
            continue
        level = sum(measured) / len(measured)
        preds.append(zero[0] + (level - zero[0]) * key[i] / (key[i] + 1.0))
    fitted = sum(preds) / len(preds) if preds else math.nan
    keep = 1.0
    for i, x in enumerate(key):
        keep *= 1.0 - _hill(x, *pars[i]) / 100.0
    return fitted, 100.0 * (1.0 - keep)


@pytest.mark.parametrize("n_drug", [2, 3, 4])
def test_zip_matches_a_slow_reference(n_drug):
    from synergy.models import score_zip

    screen = _screen(n_drug, seed=30 + n_drug)
    out = score_zip(screen, fitter=_toy_fitter)
    params = screen["hill"].sel(param=list(HILL_PARAMS)).values
    n_checked = 0
    for b in range(screen.sizes["block"]):
        keys, mean = _wells(screen, b)
        pars = [tuple(params[b, i]) for i in range(n_drug)]
        for w, key in enumerate(keys):
            if sum(x > 0 for x in key) < 2:
                continue
            fitted, reference = _zip_slow(screen, b, key, mean, pars)
            assert out["zip_reference"].values[b, w] == pytest.approx(reference, abs=1e-10)
            np.testing.assert_allclose(out["zip_fit"].values[b, w], fitted, atol=1e-10)
            expect = fitted - reference if not math.isnan(mean[key]) else math.nan
            np.testing.assert_allclose(out["zip"].values[b, w], expect, atol=1e-10)
            n_checked += 1
    assert n_checked > 10


def test_zip_pair_is_n_equals_two_to_the_bit():
    from synergy.models import score_zip

    pair = _pair(6)
    grid, wells = (
        score_zip(pair, fitter=_toy_fitter),
        score_zip(_as_wells(pair), fitter=_toy_fitter),
    )
    for name in ("zip", "zip_reference", "zip_fit"):
        assert np.array_equal(
            grid[name].values.reshape(pair.sizes["block"], -1), wells[name].values, equal_nan=True
        ), name
