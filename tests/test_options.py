"""ScoringOptions: one frozen, validated object; same scores as the keywords; stored in and
restored from the scored Dataset, also from the JSON files wrote before it existed."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import xarray as xr

import synergy
from synergy.datasets import load
from synergy.errors import SynergyError
from synergy.io.store import open_screen, save_screen
from synergy.options import ScoringOptions


def test_options_object_scores_like_the_keywords(tmp_path):
    screen = load("sf_oneil")
    chosen = ScoringOptions(
        models=("bliss", "zip"), fitter="lsq", n_boot=3, seed=7, well_intervals=True
    )
    by_object = synergy.score(screen, options=chosen)
    by_keywords = synergy.score(
        screen, ("bliss", "zip"), fitter="lsq", n_boot=3, seed=7, well_intervals=True
    )
    xr.testing.assert_identical(by_object, by_keywords)
    path = tmp_path / "scored.nc"
    save_screen(by_object, path)
    assert ScoringOptions.from_dataset(open_screen(path)) == chosen


def test_options_round_trip_every_field():
    chosen = ScoringOptions(
        models=("loewe", "musyc"),
        convention="synergyfinder2",
        loewe_solver="exact",
        fitter="drc",
        refit=True,
        n_boot=2,
        ci=0.9,
        seed=3,
        check_fits=True,
        sensitivity=True,
        bootstrap="synergyfinder",
        model_options={"musyc": {"calibrate": 0}},
    )
    record = json.loads(chosen.to_json())
    assert ScoringOptions.from_mapping(record) == chosen
    fake = xr.Dataset(attrs={"scoring": json.dumps({"options": record})})
    assert ScoringOptions.from_dataset(fake) == chosen
    assert chosen.model_options_dict() == {"musyc": {"calibrate": 0}}
    with pytest.raises(dataclasses.FrozenInstanceError):
        chosen.n_boot = 5  # type: ignore[misc]


def test_old_json_is_still_read():
    old = {  # attrs["scoring"] as synergy wrote it before ScoringOptions
        "check_fits": False,
        "convention": "synergyfinder3",
        "correct_baseline": "non",
        "fitter": "drc",
        "loewe_solver": "grid100",
        "model_options": {},
        "models": ["bliss", "hsa", "loewe", "zip"],
        "n_boot": 0,
        "sensitivity": False,
    }
    restored = ScoringOptions.from_dataset(xr.Dataset(attrs={"scoring": json.dumps(old)}))
    assert restored == ScoringOptions(fitter="drc", loewe_solver="grid100")
    assert restored.resolved() == (("bliss", "hsa", "loewe", "zip"), "drc", "grid100")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"models": ("nope",)}, "unknown model"),
        ({"models": ("musyc", "musyc_gamma")}, "both write"),
        ({"convention": "sf9"}, "convention must be"),
        ({"n_boot": 1}, "n_boot must be"),
        ({"bootstrap": "jackknife"}, "bootstrap must be"),
        ({"correct_baseline": "part", "refit": False}, "correct_baseline needs"),
        ({"model_options": {"zimmer": {"intervals": "wald"}}}, "options are for"),
        ({"models": ("musyc",), "model_options": {"musyc": {"calibrate": "x"}}}, "must be int"),
    ],
)
def test_bad_options_are_refused_when_made(kwargs, message):
    with pytest.raises(SynergyError, match=message):
        ScoringOptions(**kwargs)


def test_options_and_keywords_are_not_mixed():
    with pytest.raises(SynergyError, match="not both"):
        synergy.score(load("sf_oneil"), n_boot=2, options=ScoringOptions())
    assert np.isfinite(
        synergy.score(load("sf_oneil"), options=ScoringOptions(models=("hsa",)))["hsa_score"]
    ).all()
