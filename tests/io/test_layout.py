"""The layout-neutral views of synergy.io.layout, checked against each layout's own arrays."""

import numpy as np
import pytest

import synergy
from synergy.errors import SynergyError
from synergy.io import layout
from synergy.io.wells import well_doses


@pytest.fixture(scope="module")
def pair():
    return synergy.datasets.load("sf_oneil")


@pytest.fixture(scope="module")
def cube():
    return synergy.datasets.load("sf_ncats_3drug")


def test_flat_doses_of_a_pair_are_its_grid_in_c_order(pair):
    conc = layout.flat_doses(pair)
    n_row, n_col = pair.sizes["row"], pair.sizes["col"]
    assert conc.shape == (pair.sizes["block"], n_row * n_col, 2)
    for b in range(pair.sizes["block"]):
        for i in range(n_row):
            for j in range(n_col):
                assert conc[b, i * n_col + j, 0] == pair["conc_row"].values[b, i]
                assert conc[b, i * n_col + j, 1] == pair["conc_col"].values[b, j]


def test_flat_doses_of_n_drugs_are_the_wells(cube):
    np.testing.assert_array_equal(layout.flat_doses(cube), well_doses(cube))


@pytest.mark.parametrize("name", ["pair", "cube"])
def test_flat_values_and_cell_array_round_trip(name, request):
    screen = request.getfixturevalue(name)
    flat = layout.flat_values(screen, "response")
    assert flat.shape[:2] == layout.flat_doses(screen).shape[:2]
    back = layout.cell_array(screen, flat, ("replicate",))
    expected = screen["response"].transpose("block", *layout.cell_dims(screen), "replicate")
    np.testing.assert_array_equal(back.values, expected.values)
    assert back.dims == expected.dims


def test_drug_names_and_per_drug_names(pair, cube):
    assert layout.n_drugs(pair) == 2 and layout.n_drugs(cube) == 3
    np.testing.assert_array_equal(
        layout.drug_names(pair)[:, 0], pair["drug_row"].values.astype(str)
    )
    assert layout.drug_names(cube).shape == (cube.sizes["block"], 3)
    assert layout.per_drug_names(pair, ("drug_row", "drug_col"), "drug{}") == [
        "drug_row",
        "drug_col",
    ]
    assert layout.per_drug_names(cube, ("drug_row", "drug_col"), "drug{}") == [
        "drug1",
        "drug2",
        "drug3",
    ]
    assert layout.fit_variables(pair, suffix="_ci") == ["hill_row_ci", "hill_col_ci"]
    assert layout.fit_variables(cube) == ["hill"]


def test_per_drug_variables(pair, cube):
    values = np.arange(pair.sizes["block"] * 2.0).reshape(-1, 2)
    out = layout.per_drug_variables(pair, "ic50", values, attrs={"units": "uM"})
    np.testing.assert_array_equal(out["ic50_col"].values, values[:, 1])
    assert out["ic50_row"].attrs["units"] == "uM"
    values = np.ones((cube.sizes["block"], 3))
    (var,) = layout.per_drug_variables(cube, "ic50", values).values()
    assert var.dims == ("block", "drug")


def test_require_pair_names_what_to_do(pair, cube):
    layout.require_pair(pair, "this figure", "draw something else")
    expected = r"this figure is defined for drug pairs.*draw something"
    with pytest.raises(SynergyError, match=expected):
        layout.require_pair(cube, "this figure", "draw something else")


def test_layout_variables_name_results_per_layout(pair, cube):
    values = np.arange(pair.sizes["block"] * 2.0).reshape(-1, 2)
    out = layout.layout_variables(pair, values, pair=("a_row", "a_col"), wells="a")
    assert sorted(out) == ["a_col", "a_row"]
    np.testing.assert_array_equal(out["a_row"].values, values[:, 0])
    assert layout.layout_variables(pair, values, pair=None, wells="a") == {}
    n_block = cube.sizes["block"]
    matrix = np.arange(n_block * 9.0).reshape(n_block, 3, 3)
    out = layout.layout_variables(
        cube, matrix, pair=None, wells="m", extra_dims=("other",), drug_dims=("other",)
    )
    assert out["m"].dims == ("block", "drug", "other")
    np.testing.assert_array_equal(out["m"]["other"].values, cube["drug"].values)
    assert layout.layout_variables(cube, matrix, pair=("x", "y"), wells=None) == {}


@pytest.mark.parametrize("name", ["pair", "cube"])
def test_per_drug_values_reads_back_per_drug_variables(name, request):
    screen = request.getfixturevalue(name)
    n_block, n_drug = screen.sizes["block"], layout.n_drugs(screen)
    values = np.arange(n_block * n_drug * 4.0).reshape(n_block, n_drug, 4)
    made = layout.per_drug_variables(screen, "fit", values, ("param",), {"param": list("abcd")})
    held = screen.assign(made)
    back = layout.per_drug_values(held, "fit")
    assert back.shape == (n_block, n_drug, 4)
    np.testing.assert_array_equal(back, values)
    # a pair's row drug is drug 0 (hill_row), its column drug drug 1, as in drug_names
    first = held[layout.fit_variables(held, "fit")[0]].values
    np.testing.assert_array_equal(first.reshape(n_block, -1, 4)[:, 0], values[:, 0])
    with pytest.raises(KeyError):
        layout.per_drug_values(screen, "fit")


def test_require_wells_names_what_to_do(pair, cube):
    layout.require_wells(cube, "this figure", "draw something else")
    expected = r"this figure draws N-drug screens.*drug-pair screen.*draw something"
    with pytest.raises(SynergyError, match=expected):
        layout.require_wells(pair, "this figure", "draw something else")


def test_block_coords_label_new_variables_as_the_screen_does(pair):
    import xarray as xr

    values = np.arange(pair.sizes["block"], dtype=float)
    fast = xr.DataArray(values, dims=("block",), coords=layout.block_coords(pair))
    slow = xr.DataArray(values, dims=("block",), coords={"block": pair["block"].values})
    xr.testing.assert_identical(fast, slow)
