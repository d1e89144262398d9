"""fit_screen: single-drug fits of every block, added to the screen."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

import synergy.hill as hill
from synergy.hill.screen import monotherapy_arrays
from synergy.io.screen import build_screen


def screen_from_csv(folder: str):
    """A screen from a bundled SynergyFinder example (pandas + build_screen only)."""
    table = pd.read_csv(str(files("synergy.datasets") / "data" / folder / "data.csv"))
    if (table["response_kind"] == "viability").all():
        table["response"] = 100.0 - table["response"]
    blocks = sorted(table["block_id"].unique())
    rows = [np.sort(table.loc[table.block_id == b, "conc_row"].unique()) for b in blocks]
    cols = [np.sort(table.loc[table.block_id == b, "conc_col"].unique()) for b in blocks]
    n_rep = int(table["replicate"].max())
    n_r, n_c = max(map(len, rows)), max(map(len, cols))
    conc_row = np.full((len(blocks), n_r), np.nan)
    conc_col = np.full((len(blocks), n_c), np.nan)
    response = np.full((len(blocks), n_r, n_c, n_rep), np.nan)
    for i, b in enumerate(blocks):
        conc_row[i, : len(rows[i])] = rows[i]
        conc_col[i, : len(cols[i])] = cols[i]
        part = table[table.block_id == b]
        r = np.searchsorted(rows[i], part["conc_row"])
        c = np.searchsorted(cols[i], part["conc_col"])
        response[i, r, c, part["replicate"].to_numpy() - 1] = part["response"]
    first = table.groupby("block_id").first().loc[blocks]
    return build_screen(
        [str(b) for b in blocks], first["drug_row"], first["drug_col"], first["sample"],
        conc_row, conc_col, response, conc_unit=str(first["conc_unit"].iloc[0]),
    )  # fmt: skip


def simulated_screen(n_block=6, n_rep=2, seed=0):
    rng = np.random.default_rng(seed)
    doses = np.array([0.0, 0.1, 0.3, 1.0, 3.0, 10.0])
    conc_row = np.tile(doses, (n_block, 1))
    conc_col = np.tile(doses[:5] * 2, (n_block, 1))
    e_row = hill.evaluate(conc_row, rng.uniform(0.3, 3, (n_block, 1)), 1.5, 0.0, 90.0)
    e_col = hill.evaluate(conc_col, rng.uniform(0.5, 5, (n_block, 1)), 1.0, 0.0, 70.0)
    bliss = 100 - (100 - e_row[:, :, None]) * (100 - e_col[:, None, :]) / 100
    response = bliss[..., None] + rng.normal(0, 2.0, (n_block, 6, 5, n_rep))
    conc_col[-1, -1] = np.nan  # a ragged block
    response[-1, :, -1, :] = np.nan
    response[0, 2, 0, 1] = np.nan  # a missing replicate
    return build_screen(
        [f"b{i}" for i in range(n_block)], "A", "B", "cells", conc_row, conc_col, response,
        conc_unit="nM",
    )  # fmt: skip


def test_fit_screen_adds_variables_with_attrs():
    screen = simulated_screen()
    out = hill.fit_screen(screen, fitter="lsq")
    assert "hill_row" not in screen  # the input is not modified
    for side in ("row", "col"):
        var = out[f"hill_{side}"]
        assert var.dims == ("block", "param")
        assert list(out["param"].values) == ["ic50", "hill_slope", "bottom", "top"]
        assert var.attrs["ic50_units"] == "nM" and var.attrs["fitter"] == "lsq"
        assert out[f"hill_{side}_stderr"].dims == ("block", "param")
        assert out[f"hill_{side}_ic50_ci"].dims == ("block", "bound")
        status = out[f"hill_{side}_status"]
        assert status.dtype == np.int8 and "flag_meanings" in status.attrs
        assert out[f"hill_{side}_sse"].dims == ("block",)
        assert np.all(out[f"hill_{side}_model"] == 0)
    assert np.all(out["hill_row_status"] <= hill.HillStatus.IC50_EXTRAPOLATED)


def test_fit_screen_equals_fit_on_the_monotherapy_edges():
    screen = simulated_screen()
    out = hill.fit_screen(screen, fitter="lsq")
    conc, resp = monotherapy_arrays(screen, "row")
    # the (0, 0) control is part of both drugs' data, replicates kept
    assert conc.shape == (6, 12) and np.all(conc[:, :2] == 0.0)
    np.testing.assert_array_equal(resp[:, :2], screen["response"].values[:, 0, 0, :])
    direct = hill.fit(conc, resp)
    np.testing.assert_allclose(out["hill_row"].values, direct.params, rtol=1e-10)
    assert out["hill_row_n_points"].values[0] == 11  # one replicate missing
    conc_c, resp_c = monotherapy_arrays(screen, "col", "mean")
    means = hill.fit(conc_c, resp_c)
    out_mean = hill.fit_screen(screen, fitter="lsq", replicates="mean")
    np.testing.assert_allclose(out_mean["hill_col"].values, means.params, rtol=1e-10)
    assert out_mean["hill_col_n_points"].values[-1] == 4  # the ragged block


def test_block_without_monotherapy_gets_a_status():
    screen = simulated_screen()
    response = screen["response"].values.copy()
    response[1, 1:, 0, :] = np.nan  # no row-drug-alone well in block 1
    screen = screen.copy(
        data={**{k: v.values for k, v in screen.data_vars.items()}, "response": response}
    )
    out = hill.fit_screen(screen, fitter="lsq")
    assert out["hill_row_status"].values[1] == hill.HillStatus.TOO_FEW_POINTS
    assert np.all(np.isnan(out["hill_row"].values[1]))
    assert out["hill_row_status"].values[0] != hill.HillStatus.TOO_FEW_POINTS


@pytest.mark.parametrize("folder", ["sf_mathews", "sf_oneil"])
def test_never_worse_than_synergyfinder_fits(folder):
    """The lsq fits reach an SSE no higher than SynergyFinder's drc fits on the same wells."""
    screen = screen_from_csv(folder)
    out = hill.fit_screen(screen, fitter="lsq", replicates="mean")
    drc = pd.read_csv(str(files("synergy.datasets") / "data" / folder / "synergyfinder3_drc.csv"))
    for side, drug in (("row", "conc1"), ("col", "conc2")):
        conc, resp = monotherapy_arrays(screen, side, "mean")
        for i, block in enumerate(screen["block"].values):
            sf = drc[(drc.block_id.astype(str) == block) & (drc.drug == drug)].iloc[0]
            params = hill.from_drc(sf.b, sf.c, sf.d, sf.e, log_e=bool(sf.e_is_log_ec50))
            used = np.isfinite(resp[i])
            sf_sse = np.sum((hill.evaluate(conc[i][used], *params) - resp[i][used]) ** 2)
            assert out[f"hill_{side}_sse"].values[i] <= sf_sse * (1 + 1e-9) + 1e-9


def test_drc_dispatch():
    drc = pytest.importorskip("synergy.hill.drc")
    screen = screen_from_csv("sf_oneil")
    out = hill.fit_screen(screen, fitter="drc", replicates="mean")
    conc, resp = monotherapy_arrays(screen, "row", "mean")
    direct = drc.fit_drc(conc, resp)
    expected = np.stack(hill.from_drc(direct.b, direct.c, direct.d, direct.e, log_e=direct.l4), -1)
    np.testing.assert_allclose(out["hill_row"].values, expected, rtol=1e-12)
    assert out["hill_row"].attrs["fitter"] == "drc"
    assert "hill_row_drc_status" in out and "flag_meanings" in out["hill_row_drc_status"].attrs
    np.testing.assert_array_equal(out["hill_row_model"].values, direct.l4.astype(np.int8))
    assert np.all(np.isfinite(out["hill_row_stderr"].values))
