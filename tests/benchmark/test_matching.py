"""match_blocks: by id, by drugs and sample in either order; unpartnered blocks listed."""

from __future__ import annotations

import pandas as pd

from synergy.benchmark.matching import match_blocks, normalise_id


def _table(rows):
    return pd.DataFrame(rows, columns=["block", "drug_row", "drug_col", "sample"])


def test_by_block_id_with_swapped_drugs(sim_screen):
    pub = _table([("1", "row0", "col0", None), ("2", "col1", "row1", None)])
    m = match_blocks(sim_screen, pub)
    assert m.pairs["block"].tolist() == ["1", "2"]
    assert m.pairs["swapped"].tolist() == [False, True]
    assert set(m.pairs["matched_by"]) == {"block id"}
    assert m.unmatched_screen == ["3", "4", "5", "6"]
    assert m.unmatched_published == []


def test_by_drugs_and_sample_when_ids_differ(sim_screen):
    pub = _table([(None, "col3", "row3", "B"), ("zz", "row4", "col4", "B")])
    m = match_blocks(sim_screen, pub)
    assert m.pairs["block"].tolist() == ["4", "5"]
    assert m.pairs["swapped"].tolist() == [True, False]
    assert m.pairs["matched_by"].tolist() == ["drugs and sample"] * 2


def test_same_id_other_drugs_is_not_paired_by_id(sim_screen):
    pub = _table([("1", "row2", "col2", "A"), ("9", "x", "y", "A"), ("3", "row0", "col0", "B")])
    m = match_blocks(sim_screen, pub)
    assert m.pairs[["block", "matched_by"]].values.tolist() == [["3", "drugs and sample"]]
    assert len(m.unmatched_published) == 2
    assert any("'9'" in text and "no block of ours" in text for text in m.unmatched_published)
    assert any("'3'" in text and "other drugs" in text for text in m.unmatched_published)
    assert "1" in m.unmatched_screen and "3" not in m.unmatched_screen


def test_ambiguous_drug_match_is_reported(sim_screen):
    screen = sim_screen.assign_coords(drug_row=("block", ["d"] * 6), drug_col=("block", ["e"] * 6))
    m = match_blocks(screen, _table([(None, "d", "e", "A")]))
    assert m.pairs.empty
    assert "ambiguous: 3 blocks" in m.unmatched_published[0]


def test_normalise_id():
    assert normalise_id("01") == "1" and normalise_id(2.0) == "2" and normalise_id(" a ") == "a"
    assert normalise_id(None) is None and normalise_id(float("nan")) is None
