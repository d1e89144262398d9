"""synergy.score: the entry point, with SynergyFinder's fits injected (no refit)."""

from __future__ import annotations

import importlib.resources

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import synergy
from synergy.errors import SynergyError
from synergy.io.screen import build_screen
from synergy.scoring import score

DATA = importlib.resources.files("synergy.datasets") / "data"
try:
    from synergy.hill import fit_screen  # noqa: F401

    HAS_FITTERS = True
except ImportError:
    HAS_FITTERS = False
SF = {"bliss": "Bliss", "hsa": "HSA", "loewe": "Loewe", "zip": "ZIP"}
PARAMS = ["ic50", "hill_slope", "bottom", "top"]


def _read(folder, name):
    with (DATA / folder / name).open() as handle:
        return pd.read_csv(handle)


def _screen(folder: str) -> xr.Dataset:
    """Dense screen from data.csv (viability -> inhibition), SynergyFinder's fits injected."""
    table = _read(folder, "data.csv")
    if (table.response_kind == "viability").all():
        table["response"] = 100 - table["response"]
    table["rep"] = table.groupby(["block_id", "conc_row", "conc_col"]).cumcount()
    blocks = sorted(table.block_id.unique())
    rows = [np.sort(table[table.block_id == b].conc_row.unique()) for b in blocks]
    cols = [np.sort(table[table.block_id == b].conc_col.unique()) for b in blocks]
    response = np.full((len(blocks), len(rows[0]), len(cols[0]), table.rep.max() + 1), np.nan)
    for k, b in enumerate(blocks):
        sub = table[table.block_id == b]
        i = np.searchsorted(rows[k], sub.conc_row)
        j = np.searchsorted(cols[k], sub.conc_col)
        response[k, i, j, sub.rep] = sub.response
    first = table.groupby("block_id").first()
    screen = build_screen(
        blocks,
        first.drug_row,
        first.drug_col,
        first["sample"],
        np.array(rows),
        np.array(cols),
        response,
        conc_unit=first.conc_unit.iloc[0],
    )
    drc = _read(folder, "synergyfinder3_drc.csv")
    for side, drug in (("row", "conc1"), ("col", "conc2")):
        d = drc[drc.drug == drug].set_index("block_id").loc[blocks]
        rising = d.b < 0
        e = np.where(d.model == "L.4", np.exp(d.e.where(d.model == "L.4", 0)), d.e)
        params = np.column_stack(
            [e, d.b.abs(), np.where(rising, d.c, d.d), np.where(rising, d.d, d.c)]
        )
        screen[f"hill_{side}"] = (("block", "param"), params)
        screen = screen.assign_coords(param=PARAMS)
        screen[f"hill_{side}_model"] = ("block", (d.model == "L.4").to_numpy().astype(int))
    return screen


@pytest.fixture(scope="module", params=["sf_mathews", "sf_oneil"])
def folder(request):
    return request.param


def test_score_matches_synergyfinder_with_injected_fits(folder):
    screen = _screen(folder)
    scored = synergy.score(screen, models=("bliss", "hsa", "loewe"))
    summary = _read(folder, "synergyfinder3_summary.csv").set_index("block_id")
    for model in ("bliss", "hsa", "loewe"):
        expect = summary.loc[[int(b) for b in scored.block.values], f"{SF[model]}_synergy"]
        np.testing.assert_allclose(scored[f"{model}_score"].values, expect, atol=1e-6)
        assert scored[model].dims == ("block", "row", "col")
        assert scored[f"{model}_reference"].attrs["units"] == "%"
    # the screen's own variables and fits are kept, not refitted
    xr.testing.assert_identical(scored["response"], screen["response"])
    xr.testing.assert_identical(scored["hill_row"], screen["hill_row"])
    assert set(scored.status.values) <= {0, 1}


def test_status_reason_names_the_loewe_fallback():
    scored = score(_screen("sf_mathews"), models=("loewe", "bliss"))
    assert scored.status.values.tolist() == [0, 0]  # a note, by SynergyFinder's definition
    assert scored.status_reason.values[0].startswith(
        "Loewe: 23 of 25 wells had an effect neither drug reaches alone; SynergyFinder's "
        "fallback (the stronger drug at the summed dose) was used"
    )
    assert scored.status.attrs["flag_meanings"] == "ok warning failed"
    assert scored.loewe_status.attrs["flag_meanings"].split()[0] == "ok"


def test_failed_block_is_reported_not_raised():
    screen = _screen("sf_oneil")
    hill = screen.hill_col.values.copy()
    hill[0] = np.nan
    screen["hill_col"] = (("block", "param"), hill)
    scored = score(screen, models=("hsa", "loewe"))
    assert scored.status.values.tolist() == [2, 0]
    assert scored.status_reason.values[0] == (
        "Loewe: the single drugs' dose-response fit failed, so this score could not be computed"
    )
    assert scored.status_reason.values[1] == ""
    assert np.isfinite(scored.hsa_score.values).all()


def test_round_trips_through_netcdf(tmp_path):
    scored = score(_screen("sf_oneil"), models=("bliss", "loewe"))
    path = tmp_path / "scored.nc"
    scored.to_netcdf(path, engine="h5netcdf")
    back = xr.open_dataset(path, engine="h5netcdf").load()
    np.testing.assert_array_equal(back.loewe.values, scored.loewe.values)
    assert back.status_reason.values.tolist() == scored.status_reason.values.tolist()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"models": ("bliss", "schindler")}, "unknown model"),
        ({"convention": "combenefit"}, "convention"),
        ({"loewe_solver": "newton"}, "loewe_solver"),
        ({"fitter": "nelder"}, "fitter"),
        ({"correct_baseline": "some"}, "correct_baseline"),
        ({"n_boot": 1}, "n_boot"),
        ({"n_boot": 10, "bootstrap": "jackknife"}, "bootstrap"),
        ({"ci": 1.5}, "ci"),
        ({"models": ("musyc",), "n_boot": 10}, "own intervals"),
    ],
)
def test_bad_options_raise(kwargs, match):
    with pytest.raises(SynergyError, match=match):
        score(_screen("sf_oneil"), **kwargs)


def test_bootstrap_with_parametric_models_bootstraps_the_reference_scores():
    """MuSyC/Zimmer/BRAID beside Bliss: Bliss is bootstrapped exactly as alone, the
    parametric models keep their own intervals (they have no <model>_score to resample)."""
    screen = synergy.datasets.simulate(2, noise_sd=5, n_replicates=2, seed=3, n_doses=4)
    alone = score(screen, models=("bliss",), n_boot=20, seed=1, fitter="lsq")
    both = score(screen, models=("bliss", "musyc", "braid"), n_boot=20, seed=1, fitter="lsq")
    np.testing.assert_array_equal(both["bliss_score_low"], alone["bliss_score_low"])
    assert "musyc_log_alpha12_ci" in both and "braid_kappa_ci" in both
    assert "musyc_score_low" not in both


def test_refit_false_needs_fits():
    screen = _screen("sf_oneil").drop_vars(["hill_row", "hill_col"])
    with pytest.raises(SynergyError, match="refit=False"):
        score(screen, models=("loewe",), refit=False)
    # Bliss/HSA need no fits at all
    assert "hill_row" not in score(screen, models=("bliss", "hsa"))


def _well(scored: xr.Dataset, surface: pd.DataFrame, column: str) -> np.ndarray:
    """SynergyFinder's per-well column on the scored screen's (block, row, col) grid."""
    out = np.full(scored["response"].shape[:3], np.nan)
    for k, block in enumerate(scored.block.values):
        sub = surface[surface.block_id == int(block)]
        i = np.searchsorted(scored.conc_row.values[k], sub.conc1.to_numpy())
        j = np.searchsorted(scored.conc_col.values[k], sub.conc2.to_numpy())
        out[k, i, j] = sub[column]
    return out


@pytest.mark.skipif(not HAS_FITTERS, reason="synergy.hill not available yet")
def test_end_to_end_with_drc_fits(folder):
    """Refit everything with drc's procedure: within 0.5 points of SynergyFinder per block
    and 1 point per well (measured: Loewe to 1e-8, ZIP to 0.006 per block, 0.13 per well)."""
    screen = _screen(folder).drop_vars(["hill_row", "hill_col", "hill_row_model", "hill_col_model"])
    scored = score(screen)
    assert scored.attrs["scoring"].count('"drc"') == 1
    summary = _read(folder, "synergyfinder3_summary.csv").set_index("block_id")
    surface = _read(folder, "synergyfinder3_surface.csv")
    for model in ("bliss", "hsa", "loewe", "zip"):
        expect = summary.loc[[int(b) for b in scored.block.values], f"{SF[model]}_synergy"]
        block_err = np.abs(scored[f"{model}_score"].values - expect.to_numpy()).max()
        well_err = np.nanmax(
            np.abs(scored[model].values - _well(scored, surface, f"{SF[model]}_synergy"))
        )
        print(f"{folder} {model}: max |Δ| block {block_err:.2e}, well {well_err:.2e}")
        assert block_err < 0.5 and well_err < 1.0


@pytest.mark.skipif(not HAS_FITTERS, reason="synergy.hill not available yet")
def test_refit_is_unit_and_order_invariant():
    """Refitting with the lsq fitter: a unit change of one drug and swapping the drugs leave
    Bliss, HSA and ZIP unchanged, and Loewe on the wells that do not take the fallback."""
    screen = _screen("sf_oneil").drop_vars(
        ["hill_row", "hill_col", "hill_row_model", "hill_col_model"]
    )
    base = score(screen, fitter="lsq", loewe_solver="exact")
    scaled = score(
        screen.assign_coords(conc_row=screen.conc_row * 1000.0), fitter="lsq", loewe_solver="exact"
    )
    swapped_screen = build_screen(
        screen.block.values,
        screen.drug_col.values,
        screen.drug_row.values,
        screen["sample"].values,
        screen.conc_col.values,
        screen.conc_row.values,
        screen.response.values.transpose(0, 2, 1, 3),
        conc_unit="uM",
    )
    swapped = score(swapped_screen, fitter="lsq", loewe_solver="exact")
    solved = ~base.loewe_fallback.values
    for other, transpose in ((scaled, False), (swapped, True)):
        for model in ("bliss", "hsa", "zip", "loewe"):
            a = base[model].values
            b = other[model].values.transpose(0, 2, 1) if transpose else other[model].values
            keep = solved if model == "loewe" else np.isfinite(a)
            np.testing.assert_allclose(a[keep], b[keep], atol=1e-5, err_msg=model)


@pytest.mark.skipif(not HAS_FITTERS, reason="synergy.hill not available yet")
@pytest.mark.parametrize("fitter", ["drc", "lsq"])
def test_block_without_monotherapy_is_scored_with_a_status(fitter):
    screen = _screen("sf_oneil").drop_vars(
        ["hill_row", "hill_col", "hill_row_model", "hill_col_model"]
    )
    response = screen.response.values.copy()
    response[1, 1:, 0, :] = np.nan  # block 2: the row drug was never tested alone
    screen["response"] = (screen.response.dims, response)
    scored = score(screen, fitter=fitter)
    assert scored.status.values.tolist() == [0, 2]
    for model in ("bliss", "hsa", "loewe", "zip"):
        assert scored[f"{model}_status"].values[1] == 10
        assert np.isnan(scored[f"{model}_score"].values[1])
        assert np.isfinite(scored[f"{model}_score"].values[0])
    assert "Bliss: a drug has no measured wells alone" in scored.status_reason.values[1]
