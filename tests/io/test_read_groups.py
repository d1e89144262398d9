"""Reading a long table as shape groups (``read_screen(..., groups=True)``; docs/design.md
§16.4): each group is what :func:`synergy.io.groups.shape_groups` cuts from the dense screen,
to the bit, and every check of the reader fires the same way."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from synergy.datasets import simulate, simulate_multi
from synergy.datasets.bundled import BUNDLED, load_bundled
from synergy.io import groups, reader
from synergy.io.reader import read_screen
from synergy.io.table import to_table

from .bad_input_cases import cases


def _assert_same_groups(got: list[xr.Dataset], expected: list[xr.Dataset]) -> None:
    assert len(got) == len(expected)
    for part, reference in zip(got, expected, strict=True):
        xr.testing.assert_identical(part, reference)
        for name, var in reference.variables.items():  # dtypes too (text widths included)
            assert part.variables[name].dtype == var.dtype, name
        assert np.array_equal(part.attrs["block_positions"], reference.attrs["block_positions"])


def _ragged_table() -> pd.DataFrame:
    """Ragged blocks (replicates, missing wells) with one 16×16 block among them, extra
    controls in one block (averaged), rows of two blocks interleaved."""
    small = simulate(
        40, n_doses=7, ragged=True, n_replicates=2, missing_fraction=0.05, noise_sd=4.0, seed=5
    )
    large = simulate(["big"], n_doses=16, n_replicates=2, noise_sd=4.0, seed=6, truth=False)
    parts = [small.isel(block=slice(0, 20)), large, small.isel(block=slice(20, 40))]
    table = pd.concat([to_table(part) for part in parts], ignore_index=True)
    control = table[(table["block_id"] == "7") & (table["conc1"] == 0) & (table["conc2"] == 0)]
    extra = pd.concat([control] * 3, ignore_index=True).assign(replicate=[3, 4, 5, 6, 7, 8])
    table = pd.concat([table, extra], ignore_index=True)
    table = table.drop(columns="replicate")
    swap = table.index[table["block_id"].isin(["3", "4"])]
    table.loc[swap] = table.loc[swap[::-1]].to_numpy()  # block 3's and 4's rows interleave
    return table


def test_ragged_table_reads_as_the_groups_of_its_dense_screen():
    table = _ragged_table()
    dense = read_screen(table)
    assert dense.sizes["row"] == 16 and "controls_averaged_blocks" in dense.attrs["provenance"]
    expected = groups.shape_groups(dense)
    got = read_screen(table, groups=True)
    assert len(got) > 1  # ragged enough to be grouped
    _assert_same_groups(got, expected)
    xr.testing.assert_identical(groups.join_groups(got), dense)  # back in block order


def _forced(monkeypatch):
    monkeypatch.setattr(groups, "DENSE_WASTE_LIMIT", 0.0)  # group even uniform-ish screens


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_every_bundled_set_reads_as_its_groups(name, monkeypatch):
    table = to_table(load_bundled(name))
    dense = read_screen(table)
    unforced = read_screen(table, groups=True)
    _assert_same_groups(unforced, groups.shape_groups(dense))
    _forced(monkeypatch)
    _assert_same_groups(read_screen(table, groups=True), groups.shape_groups(dense))


def test_n_drug_table_of_cubes_and_squares_reads_as_its_groups(monkeypatch):
    cubes = simulate_multi(5, n_drugs=3, n_doses=4, noise_sd=3.0, seed=2)
    squares = simulate_multi(4, n_drugs=3, n_doses=2, noise_sd=3.0, seed=3)
    squares = squares.assign_coords(block=[f"s{b}" for b in squares["block"].values])
    table = pd.concat([to_table(squares.isel(block=[0, 1])), to_table(cubes)], ignore_index=True)
    table = pd.concat([table, to_table(squares.isel(block=[2, 3]))], ignore_index=True)
    dense = read_screen(table)
    assert dense.sizes["drug"] == 3
    _forced(monkeypatch)
    got = read_screen(table, groups=True)
    assert [g.sizes["well"] for g in got] == [8, 64]
    _assert_same_groups(got, groups.shape_groups(dense))
    pairs = read_screen(to_table(load_bundled("sf_oneil")), layout="multi", groups=True)
    _assert_same_groups(
        pairs, groups.shape_groups(read_screen(to_table(load_bundled("sf_oneil")), layout="multi"))
    )


def _outcome(source, **kwargs):
    try:
        return read_screen(source, **kwargs)
    except Exception as exc:  # every error, SynergyError or not, must be the same
        return exc


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_bad_input_fails_the_same_way_read_as_groups(case, tmp_path, monkeypatch):
    source = case.build(tmp_path)
    kwargs = case.kwargs or {}
    dense = _outcome(source, **kwargs)
    _forced(monkeypatch)
    got = _outcome(source, groups=True, **kwargs)
    if isinstance(dense, Exception):
        assert type(got) is type(dense) and str(got) == str(dense)
    else:
        _assert_same_groups(got, groups.shape_groups(dense))


def test_large_ragged_table_warns_with_the_call_to_use(monkeypatch):
    table = _ragged_table()
    monkeypatch.setattr(reader, "DENSE_WARN_BYTES", 1000)
    with pytest.warns(UserWarning, match=r"groups=True\) and score the list") as record:
        read_screen(table)
    assert "read_groups" not in str(record[0].message) and "16 x 16" in str(record[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_screen(table, groups=True)  # the call the warning names does not warn
        read_screen(to_table(simulate(30, n_doses=5, truth=False)))  # uniform: groups do not help
