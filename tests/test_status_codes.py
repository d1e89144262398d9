"""synergy.status: every status code a scored screen can hold has a word and an explanation."""

from __future__ import annotations

import numpy as np

import synergy
from synergy import status as status_codes
from synergy.datasets import load
from synergy.hill.status import HillStatus


def test_every_code_has_a_plain_explanation():
    for family, codes in status_codes.CODES.items():
        assert codes, family
        for value, code in codes.items():
            assert code.value == value
            assert code.word.isidentifier() and code.word == code.word.lower()
            text = code.explanation
            assert 15 <= len(text) <= 160, (family, code.word)
            if "_" in code.word:  # explained in words, not by its own name
                assert code.word not in text and code.word.replace("_", " ") not in text


def test_tables_match_the_variables_they_describe():
    assert {s.value: s.name.lower() for s in HillStatus} == status_codes.meanings("hill")
    attrs = status_codes.flag_attrs("score", (0, 4, 11))
    assert attrs["flag_meanings"] == "ok loewe_fallback_wells single_drug_fit_failed"
    assert status_codes.decode(attrs) == {
        0: "ok",
        4: "loewe_fallback_wells",
        11: "single_drug_fit_failed",
    }


def test_every_status_variable_of_a_scored_screen_is_explained():
    scored = synergy.score(load("sf_mathews"), models=("bliss", "loewe", "ci"), n_boot=3)
    names = [n for n in scored.data_vars if str(n).endswith(("_status", "_noise", "_model"))]
    assert "loewe_status" in names and "hill_row_status" in names and "bootstrap_noise" in names
    for name in names:
        words = status_codes.decode(scored[name].attrs)
        assert words, name
        for code in np.unique(scored[name].values):
            word = words[int(code)]
            assert status_codes.explain(word) != word.replace("_", " "), (name, word)
