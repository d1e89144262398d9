"""read_published: format detection, column mapping, errors that list what was found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synergy.benchmark import read_published
from synergy.datasets import path
from synergy.errors import SynergyError


def test_synergyfinder_block_well_and_fit_tables_are_detected():
    folder = path("sf_mathews")
    pub = read_published(
        [
            folder / "synergyfinder3_summary.csv",
            folder / "synergyfinder3_surface.csv",
            folder / "synergyfinder3_drc.csv",
        ]
    )
    assert {t["format"] for t in pub.tables} == {"synergyfinder"}
    assert [t["level"] for t in pub.tables] == ["block", "well", "fits"]
    assert pub.tables[0]["columns"]["zip"] == "ZIP_synergy"
    assert pub.tables[0]["columns"]["drug_row"] == "drug1"
    raw = pd.read_csv(folder / "synergyfinder3_summary.csv")
    assert pub.blocks["block"].tolist() == ["1", "2"]
    np.testing.assert_array_equal(pub.blocks["zip"], raw["ZIP_synergy"])
    assert pub.models == ("bliss", "hsa", "loewe", "zip")
    assert len(pub.wells) == 72 and set(pub.fits["side"]) == {"row", "col"}
    # the ispinesib fit: drc b > 0 maps to bottom = d, top = c (docs/design.md §3)
    fit = pub.fits[(pub.fits.block == "1") & (pub.fits.side == "row")].iloc[0]
    assert fit.hill_slope == pytest.approx(0.459910438921545)
    assert fit.bottom == pytest.approx(45.3530193350113)
    assert any("columns used" in line for line in pub.describe())


def test_drugcomb_summary_is_detected_with_auto():
    folder = path("drugcomb_examples")
    pub = read_published(folder / "published_scores.csv")
    assert pub.tables[0]["format"] == "drugcomb"
    assert pub.tables[0]["columns"]["sample"] == "sample"
    assert pub.blocks["drug_col"].tolist() == ["ABT-888", "AZD1775"]
    assert pub.blocks["loewe"].tolist() == [5.645596, 8.18062]


def test_drugcomb_download_column_names():
    table = pd.DataFrame(
        {
            "block_id": [7],
            "drug_row": ["a"],
            "drug_col": ["b"],
            "cell_line_name": ["X"],
            "synergy_zip": [1.5],
            "synergy_bliss": [2.5],
            "S_sum": [3.0],
        }
    )
    pub = read_published(table)
    assert pub.tables[0]["format"] == "drugcomb"
    assert pub.blocks.loc[0, "sample"] == "X" and pub.blocks.loc[0, "zip"] == 1.5
    assert pub.models == ("bliss", "zip")


def test_well_table_alone_gives_block_scores_as_mean_over_combination_wells():
    folder = path("sf_oneil")
    pub = read_published(folder / "synergyfinder3_surface.csv")
    summary = pd.read_csv(folder / "synergyfinder3_summary.csv")
    np.testing.assert_allclose(pub.blocks["zip"], summary["ZIP_synergy"], rtol=1e-9)
    np.testing.assert_allclose(pub.blocks["loewe"], summary["Loewe_synergy"], rtol=1e-9)


def test_explicit_column_mapping():
    table = pd.DataFrame({"Combination ID": ["x1", "x2"], "ZIP score": ["1.5", "-2"]})
    with pytest.raises(SynergyError, match="does not match"):
        read_published(table)
    pub = read_published(
        table, format="columns", columns={"block": "Combination ID", "zip": "ZIP score"}
    )
    assert pub.tables[0]["format"] == "columns"
    assert pub.blocks["zip"].tolist() == [1.5, -2.0]
    assert pub.blocks["block"].tolist() == ["x1", "x2"]


def test_unmatched_table_lists_found_and_accepted_columns():
    table = pd.DataFrame({"id": [1], "score": [2.0]})
    with pytest.raises(SynergyError) as info:
        read_published(table)
    message = str(info.value)
    assert "found columns: id, score" in message
    assert "ZIP_synergy" in message and "synergy_zip" in message and "columns=" in message


@pytest.mark.parametrize(
    ("columns", "match"),
    [({"zap": "score"}, "unknown role"), ({"zip": "nope"}, "not in the table")],
)
def test_bad_mapping(columns, match):
    table = pd.DataFrame({"block_id": [1], "score": [2.0]})
    with pytest.raises(SynergyError, match=match):
        read_published(table, format="columns", columns=columns)


def test_non_numeric_score_names_column_and_line():
    table = pd.DataFrame({"block_id": [1, 2], "ZIP_synergy": ["1.0", "high"]})
    with pytest.raises(SynergyError, match=r"'ZIP_synergy'.*lines \[3\]"):
        read_published(table)


def test_repeated_block_in_block_table():
    table = pd.DataFrame({"block_id": [1, 1], "ZIP_synergy": [1.0, 2.0]})
    with pytest.raises(SynergyError, match="more than once"):
        read_published(table)


def test_block_ids_are_text_and_na_scores_stay_nan(tmp_path):
    file = tmp_path / "t.csv"
    file.write_text("block_id,ZIP_synergy\n1.0,NA\n2,3.5\n")
    pub = read_published(file)
    assert pub.blocks["block"].tolist() == ["1", "2"]
    assert np.isnan(pub.blocks.loc[0, "zip"]) and pub.blocks.loc[1, "zip"] == 3.5


def test_missing_file_and_bad_format():
    with pytest.raises(SynergyError, match="no such file"):
        read_published("/nonexistent/table.csv")
    with pytest.raises(SynergyError, match="format must be"):
        read_published(pd.DataFrame({"a": [1]}), format="excel")


def test_lazy_entry_point():
    import subprocess
    import sys

    code = (
        "import sys, synergy; assert 'synergy.benchmark' not in sys.modules; "
        "from synergy.benchmark import compare; assert synergy.benchmark.compare is compare"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
