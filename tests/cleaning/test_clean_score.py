"""score(impute=, outliers=) end to end: defaults unchanged, bootstrap holds imputed values,
options round trip, the CLI flags (docs/design.md §18)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import synergy
from synergy.cleaning import clean_wells, hold_imputed, restore_imputed
from synergy.cli import main
from synergy.datasets import simulate
from synergy.errors import SynergyError
from synergy.io.table import to_table
from synergy.models.dispatch import rescore_function
from synergy.stats import bootstrap


@pytest.fixture(scope="module")
def dropped() -> xr.Dataset:
    screen = simulate(2, n_doses=6, n_replicates=2, noise_sd=4.0, seed=7, truth=False)
    screen["response"].values[0, 2, 3, :] = np.nan  # a whole cell: both replicates
    screen["response"].values[1, 4, 0, :] = np.nan
    screen["response"].values[1, 3, 3, 1] = np.nan  # one replicate only: not imputed
    return screen


def test_no_option_returns_the_screen_itself(dropped):
    assert clean_wells(dropped) is dropped
    with pytest.raises(SynergyError, match="impute must be"):
        synergy.score(dropped, impute="mice")
    with pytest.raises(SynergyError, match="outliers must be"):
        synergy.ScoringOptions(outliers="drop")


def test_a_cell_with_a_replicate_left_is_not_imputed(dropped):
    out = clean_wells(dropped, impute="hill_bliss")
    cells = out["imputed"].values.any(axis=-1)
    assert cells.sum() == 2 and cells[0, 2, 3] and cells[1, 4, 0]
    assert np.isnan(out["response"].values[1, 3, 3, 1])
    # one value per imputed cell, in the first replicate slot
    assert out["imputed"].values[..., 1].sum() == 0
    assert np.isfinite(out["response"].values[0, 2, 3, 0])
    assert np.isnan(out["response"].values[0, 2, 3, 1])


def test_hold_and_restore_imputed_values():
    response = np.arange(2 * 2 * 3 * 2, dtype=float).reshape(2, 2, 3, 2)
    imputed = np.zeros(response.shape, dtype=bool)
    imputed[1, 0, 2, 0] = True
    measured, held = hold_imputed(response, imputed)
    assert np.isnan(measured[1, 0, 2, 0]) and np.isfinite(measured).sum() == response.size - 1
    assert held[1, 0, 2] == response[1, 0, 2, 0] and np.isfinite(held).sum() == 1
    means = np.zeros((2, 4, 2, 3))
    back = restore_imputed(means, held)
    assert np.all(back[1, :, 0, 2] == response[1, 0, 2, 0]) and back.sum() == 4 * held[1, 0, 2]


def test_bootstrap_does_not_resample_imputed_values(dropped):
    scored = synergy.score(dropped, models=("bliss",), impute="hill_bliss")
    seen = []

    def capture(resampled, models):
        seen.append(resampled["response"].values[..., 0].reshape(2, 6, 6, 6))
        return rescore_function("synergyfinder3", "grid100", "drc")(resampled, models)

    bootstrap(scored, ("bliss",), n_boot=6, rescore=capture, seed=3)
    means = seen[0]  # (block, resample, row, col)
    value = scored["response"].values[0, 2, 3, 0]
    np.testing.assert_array_equal(means[0, :, 2, 3], np.full(6, value))
    assert np.ptp(means[0, :, 2, 2]) > 0  # a measured neighbour is resampled
    assert np.all(means[1, :, 4, 0] == scored["response"].values[1, 4, 0, 0])


def test_cli_flags(tmp_path, dropped):
    table = tmp_path / "screen.csv"
    to_table(dropped, level="well").to_csv(table, index=False)
    out = tmp_path / "scored.nc"
    args = ["score", str(table), "-o", str(out), "--models", "bliss,hsa", "--impute",
            "hill_bliss", "--outliers", "flag", "--outlier-threshold", "8", "-q",
            "--chunk-blocks", "1"]  # fmt: skip
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with xr.open_dataset(out) as scored:
        assert int(scored["n_imputed"].sum()) == 2
        assert "outlier" in scored and "outlier_status" in scored
        options = synergy.ScoringOptions.from_dataset(scored)
    assert (options.impute, options.outliers, options.outlier_threshold) == (
        "hill_bliss",
        "flag",
        8,
    )
    bad = CliRunner().invoke(main, ["score", str(table), "-o", str(tmp_path / "x.nc"),
                                    "--impute", "mice"])  # fmt: skip
    assert bad.exit_code == 2


def test_cleaning_again_starts_from_the_observed_responses(dropped):
    once = clean_wells(dropped, impute="hill_bliss", outliers="exclude")
    twice = clean_wells(once, impute="hill_bliss", outliers="exclude")
    xr.testing.assert_identical(once, twice)
    only_flag = clean_wells(once, outliers="flag")
    assert "imputed" not in only_flag
    xr.testing.assert_identical(only_flag["response"], dropped["response"])


def test_n_drug_screens_are_refused():
    from synergy.datasets import simulate_multi

    screen = simulate_multi(1, n_drugs=3, n_doses=3, seed=1)
    with pytest.raises(SynergyError, match="drug pairs"):
        clean_wells(screen, impute="hill_bliss")


def test_well_table_marks_imputed_values(dropped):
    from synergy.io.table import to_table

    scored = synergy.score(dropped, ("bliss",), impute="hill_bliss")
    table = to_table(scored, level="well")
    marked = table[table["imputed"]]
    assert len(marked) == 2
    assert set(zip(marked["conc1"], marked["conc2"], strict=True)) == {
        (dropped["conc_row"].values[0, 2], dropped["conc_col"].values[0, 3]),
        (dropped["conc_row"].values[1, 4], 0.0),
    }
