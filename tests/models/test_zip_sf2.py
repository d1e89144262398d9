"""convention="synergyfinder2": DrugComb's published scores (SynergyFinder 2.x via TidyComb)."""

from __future__ import annotations

import numpy as np
import pytest
from model_cases import (
    drc_bounded_fitter,
    inject_drc_fits,
    read_csv,
    screen_from_table,
    synthetic_screen,
)

from synergy.models import score_bliss, score_hsa, score_loewe, score_zip_sf2
from synergy.models.zip_sf2 import predict_sf2, zip_sf2_fitted_surface

FOLDER = "drugcomb_examples"


def _score_all(screen):
    return {
        "ZIP": score_zip_sf2(screen, fitter=drc_bounded_fitter),
        "Loewe": score_loewe(screen, solver="sf2"),
        "Bliss": score_bliss(screen, convention="synergyfinder2"),
        "HSA": score_hsa(screen),
    }


@pytest.fixture(scope="module")
def published():
    return read_csv(FOLDER, "published_scores.csv").set_index("block_id")


def test_block1_as_drugcomb_scored_it(published):
    """On the (noisy) inhibition DrugComb scored, per well to the printed digits."""
    wells = read_csv(FOLDER, "published_well_scores_block1.csv")
    table = wells.rename(columns={"inhibition": "response"}).assign(
        drug_row="5-FU", drug_col="ABT-888", sample="A2058", conc_unit="uM"
    )
    screen = inject_drc_fits(screen_from_table(table))
    scored = _score_all(screen)
    combo = wells[(wells.conc_row > 0) & (wells.conc_col > 0)]
    i = np.searchsorted(screen.conc_row.values[0], combo.conc_row)
    j = np.searchsorted(screen.conc_col.values[0], combo.conc_col)
    for name, ds in scored.items():
        model = name.lower()
        well_err = np.abs(ds[model].values[0, i, j] - combo[f"synergy_{model}"].to_numpy())
        assert well_err.max() < 5e-3, name
        assert abs(ds[f"{model}_score"].item() - published.loc[1, name]) < 5e-4, name
    # 8 of 16 wells: Newton fails in SynergyFinder 2 -> max f(x1 + x2)
    assert scored["Loewe"]["loewe_n_fallback"].item() == 8


def test_both_blocks_from_the_input(published):
    """From data.csv (DrugComb added N(0, 0.001) noise before scoring): to ~0.02."""
    screen = inject_drc_fits(screen_from_table(read_csv(FOLDER, "data.csv")))
    scored = _score_all(screen)
    ids = [int(b) for b in screen.block.values]
    for name, ds in scored.items():
        err = np.abs(ds[f"{name.lower()}_score"].values - published.loc[ids, name].to_numpy())
        assert err.max() < 0.03, (name, err)


def test_l4_predictions_use_the_raw_dose():
    params = np.array([[2.0, 1.5, 0.0, 80.0]])
    conc = np.array([[0.5, 2.0, 8.0]])
    ll4 = predict_sf2(conc, params, np.array([False]))
    l4 = predict_sf2(conc, params, np.array([True]))
    np.testing.assert_allclose(ll4, 80 / (1 + (2.0 / conc) ** 1.5))
    np.testing.assert_allclose(l4, 80 / (1 + np.exp(1.5 * (np.log(2.0) - conc))))


def test_single_dose_axis_is_not_fitted():
    conc_row = np.array([[0.0, 1.0]])
    conc_col = np.array([[0.0, 1.0, 3.0, 9.0]])
    par = np.array([[1.0, 1.0, 0.0, 90.0]])
    screen = synthetic_screen(conc_row, conc_col, par, par, "bliss")

    def never(*args):
        raise AssertionError("must not fit")

    observed = screen.response.values[..., 0]
    fitted, failed = zip_sf2_fitted_surface(
        conc_row, conc_col, observed, observed[:, :, 0] * 0, observed[:, 0, :] * 0, never
    )
    np.testing.assert_array_equal(fitted[0, 1, 1:], observed[0, 1, 1:])
    assert not failed.any()


def test_drc_fitter_by_name_matches_kernel():
    pytest.importorskip("synergy.hill.drc")
    screen = inject_drc_fits(screen_from_table(read_csv(FOLDER, "data.csv")))
    by_name = score_zip_sf2(screen, fitter="drc")
    by_kernel = score_zip_sf2(screen, fitter=drc_bounded_fitter)
    np.testing.assert_allclose(by_name["zip"].values, by_kernel["zip"].values, atol=1e-12)
