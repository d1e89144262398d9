"""Property tests of the reader: round trips; every malformed table raises SynergyError."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synergy
from synergy.errors import SynergyError

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNITS = ["nM", "uM", "pM", "µM"]


@st.composite
def long_tables(draw) -> pd.DataFrame:
    """Random valid long tables: blocks, ragged grids, replicates, missing wells, units."""
    rows = []
    n_block = draw(st.integers(1, 4))
    n_rep = draw(st.integers(1, 3))
    for b in range(n_block):
        n_r = draw(st.integers(1, 4))
        n_c = draw(st.integers(1, 4))
        dose_r = np.r_[
            0,
            np.cumsum(draw(st.lists(st.sampled_from([0.5, 1, 3, 10]), min_size=n_r, max_size=n_r))),
        ]
        dose_c = np.r_[
            0, np.cumsum(draw(st.lists(st.sampled_from([0.1, 2, 7]), min_size=n_c, max_size=n_c)))
        ]
        unit_r, unit_c = draw(st.sampled_from(UNITS)), draw(st.sampled_from(UNITS))
        drugs = (f"d{draw(st.integers(0, 3))}", f"e{draw(st.integers(0, 3))}")
        sample = draw(st.sampled_from(["MOLM-13", "MV4-11", "CD34+"]))
        for i, cr in enumerate(dose_r):
            for j, cc in enumerate(dose_c):
                for k in range(n_rep):
                    keep = (
                        (i == 0 and j in (0, 1))
                        or (j == 0 and i == 1)
                        or draw(st.booleans())
                        or draw(st.booleans())
                    )
                    if not keep:
                        continue
                    value = draw(st.floats(-20, 120, allow_nan=False, width=32))
                    rows.append(
                        (f"B{b}", *drugs, cr, cc, unit_r, unit_c, float(value), sample, k + 1)
                    )
    table = pd.DataFrame(
        rows,
        columns=[
            "block_id",
            "drug_row",
            "drug_col",
            "conc_r",
            "conc_c",
            "conc_r_unit",
            "conc_c_unit",
            "inhibition",
            "cell_line_name",
            "replicate",
        ],
    )
    return table.sample(frac=1.0, random_state=draw(st.integers(0, 1000))).reset_index(drop=True)


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    keys = ["block_id", "conc1", "conc2", "replicate"]
    return table.sort_values(keys, kind="stable").reset_index(drop=True)


@SETTINGS
@given(long_tables())
def test_table_screen_table_screen_round_trip(table):
    screen = synergy.read_screen(table)
    first = synergy.to_table(screen)
    again = synergy.read_screen(first)
    xr.testing.assert_identical(screen.drop_attrs(), again.drop_attrs())
    pd.testing.assert_frame_equal(_sorted(first), _sorted(synergy.to_table(again)))
    assert len(first) == len(table)  # nothing lost


@SETTINGS
@given(long_tables())
def test_block_order_permutation_keeps_each_block(table):
    screen = synergy.read_screen(table)
    shuffled = synergy.read_screen(table.iloc[::-1].reset_index(drop=True))
    # the data are the same; only the record of the input's row order (input_order) differs
    xr.testing.assert_identical(
        screen.drop_attrs().drop_vars("input_order").sortby("block"),
        shuffled.drop_attrs().drop_vars("input_order").sortby("block"),
    )


MUTATIONS = [
    "drop_column",
    "nan_dose",
    "negative_dose",
    "text_dose",
    "text_response",
    "conflicting_drug",
    "duplicate_well",
    "empty_block",
    "bad_unit",
]


@SETTINGS
@given(long_tables(), st.sampled_from(MUTATIONS), st.data())
def test_malformed_tables_raise_synergy_error(table, mutation, data):
    table = table.astype({"conc_r": object, "inhibition": object})
    row = data.draw(st.integers(0, len(table) - 1))
    if mutation == "drop_column":
        table = table.drop(
            columns=data.draw(
                st.sampled_from(["drug_row", "drug_col", "conc_r", "conc_c", "inhibition"])
            )
        )
    elif mutation == "nan_dose":
        table.loc[row, "conc_r"] = np.nan
    elif mutation == "negative_dose":
        table.loc[row, "conc_r"] = -1.0
    elif mutation == "text_dose":
        table.loc[row, "conc_r"] = "10 nM"
    elif mutation == "text_response":
        table.loc[row, "inhibition"] = "high"
    elif mutation == "conflicting_drug":
        block = table.loc[row, "block_id"]
        table = pd.concat([table, table.loc[[row]].assign(drug_row="other", replicate=99)])
        assert (table["block_id"] == block).sum() > 1
    elif mutation == "duplicate_well":
        table = pd.concat([table, table.loc[[row]]], ignore_index=True)
    elif mutation == "empty_block":
        table.loc[row, "block_id"] = " "
    elif mutation == "bad_unit":
        table.loc[row, "conc_c_unit"] = "ng/mL"
    with pytest.raises(SynergyError):
        synergy.read_screen(table.reset_index(drop=True))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "block_id drug_row drug_col conc_r conc_c response\n1 a b 0 0 0\n",
        "block_id,drug_row,drug_col,conc_r,conc_c,response\n",
        "just some words\nand more\n",
    ],
    ids=["empty", "space_delimited", "header_only", "prose"],
)
def test_unreadable_files_raise_synergy_error(tmp_path, text):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(SynergyError):
        synergy.read_screen(path)


def test_error_messages_name_file_line_block_column(tmp_path):
    table = pd.DataFrame(
        {
            "block_id": [7, 7, 7],
            "drug1": ["a"] * 3,
            "drug2": ["b"] * 3,
            "conc1": [0, 1, -5],
            "conc2": [0, 0, 1],
            "response": [0, 1, 2],
        }
    )
    path = tmp_path / "plate.csv"
    table.to_csv(path, index=False)
    with pytest.raises(SynergyError) as info:
        synergy.read_screen(path)
    message = str(info.value)
    for part in ("plate.csv", "line 4", "block '7'", "column 'conc1'"):
        assert part in message, message


def test_missing_column_lists_found_and_accepted():
    with pytest.raises(SynergyError) as info:
        synergy.read_screen(pd.read_csv(io.StringIO("drug1,drug2,conc1,dose\na,b,0,0\n")))
    message = str(info.value)
    assert "Found columns" in message and "conc_c" in message and "'dose'" in message
