"""ZIP: reference vs SynergyFinder with its fits injected, the Bliss-independent null,
the slice bookkeeping, and (once the drc fitter exists) SynergyFinder's numbers end to end."""

from __future__ import annotations

import numpy as np
import pytest
from model_cases import SFCase, drc_slice_fitter, scipy_slice_fitter, synthetic_screen

from synergy.errors import SynergyError
from synergy.models import score_zip, zip_fitted_surface

try:
    from synergy.hill.drc import fit_drc  # noqa: F401

    HAS_DRC = True
except ImportError:
    HAS_DRC = False


def test_reference_matches_synergyfinder_with_its_fits(sf_case):
    scored = score_zip(sf_case.screen, fitter=lambda c, r, b: np.full(c.shape, np.nan))
    np.testing.assert_allclose(
        scored["zip_reference"].values, sf_case.well("ZIP_ref"), rtol=0, atol=1e-6
    )


def _grid(rng, n_block, n_dose):
    steps = np.cumprod(rng.uniform(1.8, 3.5, (n_block, n_dose - 1)), axis=1)
    return np.concatenate([np.zeros((n_block, 1)), steps * rng.uniform(0.01, 0.3, (n_block, 1))], 1)


def _params(rng, n_block):
    return np.column_stack(
        [
            np.exp(rng.uniform(-1, 1.5, n_block)),
            rng.uniform(0.8, 2.5, n_block),
            np.zeros(n_block),
            rng.uniform(50, 100, n_block),
        ]
    )


def bliss_null_screen(seed=3, n_block=3):
    rng = np.random.default_rng(seed)
    return synthetic_screen(
        _grid(rng, n_block, 5),
        _grid(rng, n_block, 6),
        _params(rng, n_block),
        _params(rng, n_block),
        "bliss",
    )


def test_bliss_independent_surface_is_zip_null():
    scored = score_zip(bliss_null_screen(), fitter=scipy_slice_fitter)
    assert np.nanmax(np.abs(scored["zip"].values)) < 1e-8
    assert np.nanmax(np.abs(scored["zip_fit"].values - scored["zip_reference"].values)) < 1e-8
    assert (scored["zip_status"].values == 0).all()


def test_slices_are_assembled_per_well():
    """A fitter that returns known values shows which slice lands where."""
    conc_row = np.array([[0.0, 1.0, 2.0, np.nan]])
    conc_col = np.array([[0.0, 10.0, 20.0]])
    observed = np.arange(12.0).reshape(1, 4, 3)
    observed[0, 3] = np.nan
    calls = []

    def fitter(conc, response, baseline):
        calls.append((conc.copy(), response.copy(), baseline.copy()))
        # tag: slice along rows -> 1000 + dose, along columns -> 2000 + dose
        tag = 1000.0 if len(calls) == 1 else 2000.0
        return tag + conc

    fitted, one_failed = zip_fitted_surface(conc_row, conc_col, observed, fitter)
    along_row, along_col = calls
    np.testing.assert_array_equal(along_row[1], observed[0, :, 1:].T)  # one slice per column
    np.testing.assert_array_equal(along_row[2], observed[0, 0, 1:])  # c fixed to (0, x2)
    np.testing.assert_array_equal(along_col[1], observed[0, 1:3, :])
    np.testing.assert_array_equal(along_col[2], observed[0, 1:3, 0])
    expect = np.full((1, 4, 3), np.nan)
    for i in (1, 2):
        for j in (1, 2):
            expect[0, i, j] = ((1000 + conc_row[0, i]) + (2000 + conc_col[0, j])) / 2
    np.testing.assert_array_equal(fitted, expect)
    assert not one_failed.any()


def test_failed_slice_uses_the_other_and_sets_status():
    screen = bliss_null_screen(n_block=2)

    def failing(conc, response, baseline):
        out = scipy_slice_fitter(conc, response, baseline)
        out[0] = np.nan  # first slice of each batch fails (block 0)
        return out

    scored = score_zip(screen, fitter=failing)
    assert scored["zip_status"].values.tolist() == [6, 0]
    # well (1, 1) lost both its slices; the other wells of row 1 / column 1 lost one
    delta = scored["zip"].values[0, 1:, 1:]
    assert np.isnan(delta[0, 0]) and np.isfinite(delta.ravel()[1:]).all()
    assert scored["zip_n_wells"].values.tolist() == [delta.size - 1, delta.size]
    assert np.nanmax(np.abs(scored["zip"].values)) < 1e-8


def test_missing_fits_and_monotherapy():
    screen = bliss_null_screen(n_block=3)
    hill = screen["hill_row"].values.copy()
    hill[0] = np.nan
    screen["hill_row"] = (("block", "param"), hill)
    response = screen["response"].values.copy()
    response[2, 0, 1:, :] = np.nan  # block 2: no single-drug well of the column drug ...
    screen["response"] = (screen["response"].dims, response)
    scored = score_zip(screen, fitter=scipy_slice_fitter)
    # ... but its (injected) fits are there: scored, column slices lack their dose-0 well
    assert scored["zip_status"].values.tolist() == [11, 0, 6]
    hill = screen["hill_col"].values.copy()
    hill[2] = np.nan  # ... and without fits it fails for want of monotherapy
    screen["hill_col"] = (("block", "param"), hill)
    scored = score_zip(screen, fitter=scipy_slice_fitter)
    assert scored["zip_status"].values.tolist() == [11, 0, 10]
    assert np.isnan(scored["zip_score"].values[[0, 2]]).all()
    assert np.isfinite(scored["zip_score"].values[1])


def test_unknown_fitter():
    with pytest.raises(SynergyError, match="fitter"):
        score_zip(bliss_null_screen(n_block=1), fitter="nelder-mead")


@pytest.mark.parametrize("folder", ["sf_mathews", "sf_oneil"])
def test_drc_slices_reproduce_synergyfinder(folder):
    """SynergyFinder's single-drug fits injected, slices by drc's procedure."""
    case = SFCase(folder)
    scored = score_zip(case.screen, fitter=drc_slice_fitter)
    fit_err = np.nanmax(np.abs(scored["zip_fit"].values - case.well("ZIP_fit")))
    well_err = np.nanmax(np.abs(scored["zip"].values - case.well("ZIP_synergy")))
    block_err = np.max(np.abs(scored["zip_score"].values - case.block("ZIP_synergy")))
    print(f"{folder}: ZIP max |Δ| fit {fit_err:.2e}, well δ {well_err:.2e}, block {block_err:.2e}")
    # measured: fit/well 0.13 (sf_mathews) and 0.04 (sf_oneil), blocks <= 0.006
    assert well_err < 0.25
    assert block_err < 0.05


@pytest.mark.skipif(not HAS_DRC, reason="synergy.hill.drc not available yet")
def test_drc_fitter_by_name_matches_kernel():
    case = SFCase("sf_oneil")
    by_name = score_zip(case.screen, fitter="drc")
    by_kernel = score_zip(case.screen, fitter=drc_slice_fitter)
    np.testing.assert_allclose(by_name["zip"].values, by_kernel["zip"].values, atol=1e-12)
