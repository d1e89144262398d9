"""Invariances (hypothesis): swapping the drugs, rescaling a drug's unit, permuting blocks."""

from __future__ import annotations

import numpy as np
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from model_cases import scipy_slice_fitter, synthetic_screen

from synergy.hill.model import HILL_PARAMS
from synergy.io.screen import build_screen
from synergy.models import score_bliss, score_hsa, score_loewe, score_zip

SUMMARIES = ("score", "msa", "max", "min", "n_wells", "status")


def _screen(seed: int, n_block: int, n_row: int, n_col: int) -> xr.Dataset:
    rng = np.random.default_rng(seed)

    def grid(n):
        steps = np.cumprod(rng.uniform(1.5, 4, (n_block, n - 1)), axis=1)
        return np.concatenate(
            [np.zeros((n_block, 1)), steps * rng.uniform(0.01, 1, (n_block, 1))], 1
        )

    conc_row, conc_col = grid(n_row), grid(n_col)
    response = rng.uniform(-20, 120, (n_block, n_row, n_col, 2))
    response[rng.random(response.shape) < 0.05] = np.nan
    screen = build_screen(
        [f"k{i}" for i in range(n_block)],
        "A",
        "B",
        "s",
        conc_row,
        conc_col,
        response,
        conc_unit="nM",
    )
    for side, conc in (("row", conc_row), ("col", conc_col)):
        top = rng.uniform(30, 120, n_block)
        bottom = rng.uniform(-10, 10, n_block)
        falling = rng.random(n_block) < 0.2
        par = np.column_stack(
            [
                conc[:, -1] * np.exp(rng.uniform(-4, 0, n_block)),
                rng.uniform(0.5, 4, n_block),
                np.where(falling, top, bottom),
                np.where(falling, bottom, top),
            ]
        )
        screen[f"hill_{side}"] = xr.DataArray(
            par, dims=("block", "param"), coords={"param": list(HILL_PARAMS)}
        )
    return screen


def _swap(screen: xr.Dataset) -> xr.Dataset:
    response = screen["response"].values.transpose(0, 2, 1, 3)
    out = build_screen(
        screen.block.values,
        screen.drug_col.values,
        screen.drug_row.values,
        screen["sample"].values,
        screen.conc_col.values,
        screen.conc_row.values,
        response,
        conc_unit=screen.attrs["conc_unit"],
    )
    out["hill_row"] = screen["hill_col"].copy()
    out["hill_col"] = screen["hill_row"].copy()
    return out


def _all_models(screen, solver="grid100", zip_fitter=None):
    parts = [score_bliss(screen), score_hsa(screen), score_loewe(screen, solver=solver)]
    if zip_fitter is not None:
        parts.append(score_zip(screen, fitter=zip_fitter))
    return xr.Dataset({k: v for part in parts for k, v in part.data_vars.items()})


def _assert_summaries_equal(a, b, models, atol):
    for m in models:
        for s in SUMMARIES:
            np.testing.assert_allclose(
                a[f"{m}_{s}"].values, b[f"{m}_{s}"].values, atol=atol, err_msg=f"{m}_{s}"
            )


shapes = st.tuples(st.integers(0, 2**31), st.integers(1, 3), st.integers(3, 6), st.integers(3, 6))


@settings(max_examples=15, deadline=None)
@given(shapes, st.sampled_from(["grid100", "exact"]))
def test_swapping_drugs_changes_nothing(shape, solver):
    screen = _screen(*shape)
    a = _all_models(screen, solver)
    b = _all_models(_swap(screen), solver)
    atol = 0.0 if solver == "grid100" else 1e-9
    _assert_summaries_equal(a, b, ("bliss", "hsa", "loewe"), atol)
    for m in ("bliss", "hsa", "loewe"):
        np.testing.assert_allclose(a[m].values, b[m].values.transpose(0, 2, 1), atol=atol)


@settings(max_examples=15, deadline=None)
@given(shapes, st.floats(1e-3, 1e3), st.sampled_from(["row", "col"]))
def test_rescaling_a_drug_changes_nothing_but_loewe_fallback(shape, factor, side):
    screen = _screen(*shape)
    scaled = screen.copy(deep=True)
    scaled = scaled.assign_coords({f"conc_{side}": scaled[f"conc_{side}"] * factor})
    hill = scaled[f"hill_{side}"].values.copy()
    hill[:, 0] *= factor
    scaled[f"hill_{side}"] = (("block", "param"), hill)
    a = _all_models(screen, "exact")
    b = _all_models(scaled, "exact")
    _assert_summaries_equal(a, b, ("bliss", "hsa"), 0.0)
    np.testing.assert_array_equal(a["loewe_fallback"].values, b["loewe_fallback"].values)
    solved = ~a["loewe_fallback"].values
    np.testing.assert_allclose(
        a["loewe"].values[solved], b["loewe"].values[solved], atol=1e-8, rtol=0
    )
    # grid100 too, with a power-of-two factor (exact in floating point)
    exact_factor = 2.0 ** np.round(np.log2(factor))
    scaled2 = screen.copy(deep=True)
    scaled2 = scaled2.assign_coords({f"conc_{side}": scaled2[f"conc_{side}"] * exact_factor})
    hill = scaled2[f"hill_{side}"].values.copy()
    hill[:, 0] *= exact_factor
    scaled2[f"hill_{side}"] = (("block", "param"), hill)
    g1, g2 = score_loewe(screen), score_loewe(scaled2)
    solved = ~g1["loewe_fallback"].values
    np.testing.assert_array_equal(g1["loewe"].values[solved], g2["loewe"].values[solved])


@settings(max_examples=10, deadline=None)
@given(shapes, st.randoms(use_true_random=False))
def test_permuting_blocks_permutes_results(shape, random):
    screen = _screen(*shape)
    order = list(range(screen.sizes["block"]))
    random.shuffle(order)
    a = _all_models(screen, "exact")
    b = _all_models(screen.isel(block=order), "exact")
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values[order], b[name].values, err_msg=name)


def test_zip_swap_and_rescale():
    """ZIP with a slow scipy slice fitter on one Bliss-plus-noise block."""
    rng = np.random.default_rng(4)
    conc_row = np.array([[0.0, 0.1, 0.3, 1.0, 3.0]])
    conc_col = np.array([[0.0, 2.0, 6.0, 20.0, 60.0]])
    par_row = np.array([[0.5, 1.2, 0.0, 90.0]])
    par_col = np.array([[10.0, 2.0, 0.0, 70.0]])
    screen = synthetic_screen(conc_row, conc_col, par_row, par_col, "bliss")
    response = screen["response"].values + rng.normal(0, 3, screen["response"].shape)
    screen["response"] = (screen["response"].dims, response)
    a = score_zip(screen, fitter=scipy_slice_fitter)
    b = score_zip(_swap(screen), fitter=scipy_slice_fitter)
    np.testing.assert_allclose(a["zip"].values, b["zip"].values.transpose(0, 2, 1), atol=1e-6)
    scaled = screen.assign_coords(conc_row=screen.conc_row * 1000.0)
    hill = scaled["hill_row"].values.copy()
    hill[:, 0] *= 1000.0
    scaled["hill_row"] = (("block", "param"), hill)
    c = score_zip(scaled, fitter=scipy_slice_fitter)
    np.testing.assert_allclose(a["zip"].values, c["zip"].values, atol=1e-6)
    assert np.nanmax(np.abs(a["zip"].values)) > 0.5  # a non-trivial surface
