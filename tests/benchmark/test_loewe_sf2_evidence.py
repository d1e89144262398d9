"""compare() explains a Loewe difference under SynergyFinder 2 on a block with a flat drug."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synergy.benchmark import compare
from synergy.io.reader import read_screen
from synergy.io.table import to_table
from synergy.scoring import score

CONC_ROW = [0.0, 0.5, 1.0, 2.0, 4.0]
CONC_COL = [0.0, 0.25, 0.5, 1.0, 2.0]
FLAT = [0.0, 0.3, 0.1, 0.4, 0.2]  # the row drug alone: no effect (% inhibition)


def _hill(x, ic50, slope, bottom, top):
    return bottom + (top - bottom) / (1.0 + (ic50 / x) ** slope)


def _screen(tmp_path):
    rows = []
    for i, a in enumerate(CONC_ROW):
        for b in CONC_COL:
            col = 0.0 if b == 0 else _hill(b, 1.0, 1.7, 0.0, 90.0)
            value = 100 * (1 - (1 - FLAT[i] / 100) * (1 - col / 100)) + 3.0 * (a > 0 and b > 0)
            rows.append(
                {"block_id": 1, "drug_row": "flatdrug", "drug_col": "gooddrug", "conc_row": a,
                 "conc_col": b, "response": value, "conc_unit": "uM"}
            )  # fmt: skip
    file = tmp_path / "flat.csv"
    pd.DataFrame(rows).to_csv(file, index=False)
    return read_screen(file)


def test_flat_drug_and_doses_in_two_units_are_named(tmp_path):
    screen = _screen(tmp_path)
    ours = score(screen, convention="synergyfinder2")
    assert ours["loewe_n_fallback"].item() == 16  # the flat row drug: every well falls back
    # the published tool had the row drug in nM: SynergyFinder 2's fallback by hand
    p_row = ours["hill_row"].values[0]
    p_col = ours["hill_col"].values[0]
    observed = ours["response"].values[0, 1:, 1:, 0]
    x_row = 1000.0 * np.array(CONC_ROW[1:])[:, None]
    x_col = np.array(CONC_COL[1:])[None, :]
    total = x_row + x_col
    fallback = np.maximum(_hill(total, 1000.0 * p_row[0], *p_row[1:]), _hill(total, *p_col))
    published = float(np.mean(observed - np.minimum(fallback, 100.0)))
    table = to_table(ours, level="block")
    assert abs(table.loc[0, "Loewe_synergy"] - published) > 0.5
    table.loc[0, "Loewe_synergy"] = published
    result = compare(screen, table, convention="synergyfinder2")
    row = result.evidence.set_index(["block", "model"]).loc[("1", "loewe")]
    words = row["explanation"]
    assert "our flatdrug fit is flat" in words
    assert "16 of 16 combination wells take SynergyFinder 2's fallback" in words
    unit = "with the flatdrug doses ×1000 (another unit than the other drug's) our score is"
    assert f"{unit} {published:.3f}" in words
    assert "unexplained" not in words
    table = result.to_table().set_index(["block", "model"])  # the facts as plain columns
    assert table.loc[("1", "loewe"), "loewe_fallback_wells"] == 16
    assert table.loc[("1", "loewe"), "loewe_score_row_doses_x1000"] == pytest.approx(published)
