"""Imputation of missing wells (synergy.cleaning.impute; docs/design.md §18) against analytic
surfaces: Hill edges and Bliss-independent or linear-excess combination surfaces."""

from __future__ import annotations

import numpy as np

import synergy
from synergy.cleaning import clean_wells, impute_hill_bliss
from synergy.datasets import simulate
from synergy.status import decode


def _hill(x, ic50, slope, top):
    with np.errstate(divide="ignore"):
        return np.where(x > 0, top / (1 + (ic50 / x) ** slope), 0.0)


def _block():
    """One noise-free Bliss-independent block, written out by hand."""
    conc_row = np.array([0.0, 1, 3, 9, 27, 81, 243])
    conc_col = np.array([0.0, 2, 6, 18, 54, 162])
    a = _hill(conc_row, 10.0, 1.3, 90.0)
    b = _hill(conc_col, 20.0, 0.9, 80.0)
    bliss = 100 * (1 - (1 - a[:, None] / 100) * (1 - b[None, :] / 100))
    return conc_row, conc_col, bliss


def test_single_drug_well_from_the_hill_curve():
    conc_row, conc_col, truth = _block()
    mean = truth.copy()[None]
    mean[0, 4, 0] = np.nan  # the row drug alone at 27
    mean[0, 0, 3] = np.nan  # the column drug alone at 18
    filled, imputed = impute_hill_bliss(mean, conc_row[None], conc_col[None])
    assert imputed.sum() == 2 and imputed[0, 4, 0] and imputed[0, 0, 3]
    np.testing.assert_allclose(filled[0], truth, atol=1e-5)


def test_combination_well_on_a_bliss_independent_surface_is_exact():
    conc_row, conc_col, truth = _block()
    mean = truth.copy()[None]
    mean[0, 3, 2] = mean[0, 6, 5] = mean[0, 1, 1] = np.nan  # interior, corner, first cell
    filled, imputed = impute_hill_bliss(mean, conc_row[None], conc_col[None])
    assert imputed.sum() == 3
    np.testing.assert_allclose(filled[0], truth, atol=1e-9)


def test_linear_bliss_excess_is_recovered():
    """A Bliss excess linear in dose index is harmonic: the fill recovers it (up to the pull
    towards the block mean, weight 1e-3)."""
    conc_row, conc_col, bliss = _block()
    i, j = np.meshgrid(np.arange(7), np.arange(6), indexing="ij")
    truth = bliss + np.where((i > 0) & (j > 0), 1.5 * i - 0.5 * j, 0.0)
    mean = truth.copy()[None]
    mean[0, 3, 3] = mean[0, 3, 4] = np.nan  # two neighbours, both interior
    filled, _ = impute_hill_bliss(mean, conc_row[None], conc_col[None])
    np.testing.assert_allclose(filled[0], truth, atol=0.02)
    assert abs(filled[0, 3, 3] - truth[3, 3]) < 0.02


def test_a_drug_without_enough_wells_is_left_missing_and_said():
    screen = simulate(1, n_doses=5, seed=3)
    values = screen["response"].values
    values[0, 1:, 0, 0] = np.nan  # the row drug alone: only the control left
    values[0, 2, 2, 0] = np.nan
    out = clean_wells(screen, impute="hill_bliss")
    assert decode(out["impute_status"].attrs)[int(out["impute_status"][0])] == (
        "imputation_incomplete"
    )
    assert np.isnan(out["response"].values[0, 1, 0, 0])


def test_small_grids_fix_the_bottom_then_interpolate():
    """5 × 5 (4 points left on an edge): the Hill curve with bottom fixed at the control is
    exact on Hill data; 4 × 4 (3 points left): linear interpolation in log dose."""
    conc_row, conc_col, truth = _block()
    rows, cols = [0, 1, 2, 3, 4], [0, 1, 2, 3, 4]
    small = truth[np.ix_(rows, cols)].copy()[None]
    small[0, 2, 0] = np.nan
    filled, _ = impute_hill_bliss(small, conc_row[None, rows], conc_col[None, cols])
    np.testing.assert_allclose(filled[0, 2, 0], truth[2, 0], atol=1e-5)
    tiny = truth[:4, :4].copy()[None]
    tiny[0, 0, 2] = np.nan  # the column drug at 6, between 2 and 18: 3 points left
    filled, _ = impute_hill_bliss(tiny, conc_row[None, :4], conc_col[None, :4])
    share = (np.log(6) - np.log(2)) / (np.log(18) - np.log(2))
    want = truth[0, 1] + share * (truth[0, 3] - truth[0, 1])
    np.testing.assert_allclose(filled[0, 0, 2], want, rtol=1e-12)


def test_scores_of_an_imputed_bliss_null_equal_the_full_grid():
    screen = simulate(2, model="bliss", synergy_strength=0.0, noise_sd=0.0, seed=11)
    dropped = screen.copy(deep=True)
    dropped["response"].values[0, 2, 3, 0] = np.nan
    dropped["response"].values[1, 0, 4, 0] = np.nan
    full = synergy.score(screen, models=("bliss", "hsa"))
    imputed = synergy.score(dropped, models=("bliss", "hsa"), impute="hill_bliss")
    for m in ("bliss", "hsa"):
        np.testing.assert_allclose(imputed[f"{m}_score"], full[f"{m}_score"], atol=1e-6)
    assert list(imputed["n_imputed"].values) == [1, 1]
    assert imputed["imputed"].dims == ("block", "row", "col", "replicate")
    assert bool(imputed["imputed"].values[0, 2, 3, 0]) and int(imputed["imputed"].sum()) == 2
    np.testing.assert_array_equal(
        np.isnan(imputed["response_observed"].values), np.isnan(dropped["response"].values)
    )
    assert list(imputed["status"].values) == [1, 1]
    assert all("Imputation: " in r for r in imputed["status_reason"].values)
    not_imputed = synergy.score(dropped, models=("bliss", "hsa"))
    assert "imputed" not in not_imputed and "response_observed" not in not_imputed
    assert synergy.ScoringOptions.from_dataset(imputed).impute == "hill_bliss"


def test_ragged_screen_padding_is_not_filled():
    screen = simulate(6, n_doses=7, ragged=True, missing_fraction=0.1, seed=9, truth=False)
    out = clean_wells(screen, impute="hill_bliss")
    grid = (
        np.isfinite(screen["conc_row"].values)[:, :, None]
        & np.isfinite(screen["conc_col"].values)[:, None, :]
    )
    cells = out["imputed"].values.any(axis=-1)
    assert cells.any() and not (cells & ~grid).any()
    measured = np.isfinite(screen["response"].values).any(axis=-1)
    filled = np.isfinite(out["response"].values).any(axis=-1)
    np.testing.assert_array_equal(filled & ~grid, np.zeros_like(grid))
    assert np.array_equal(filled, measured | cells)
    assert (filled == grid).all() or (out["impute_status"].values == 2).any()
