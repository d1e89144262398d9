"""The simulated menin-inhibitor × venetoclax screen."""

from __future__ import annotations

import json
import math
from importlib import resources

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import synergy.datasets
from synergy.datasets import menin
from synergy.io.screen import check_screen, screen_problems


@pytest.fixture(scope="module")
def screen() -> xr.Dataset:
    return synergy.datasets.load("menin_venetoclax")


@pytest.fixture(scope="module")
def literature() -> pd.DataFrame:
    path = resources.files("synergy.datasets") / "data" / "aml_reference"
    with (path / "monotherapy_ic50_literature.csv").open() as handle:
        return pd.read_csv(handle)


def test_layout(screen):
    check_screen(screen)
    assert screen_problems(screen) == []
    assert dict(screen.sizes) | {"param": 4} == {
        "block": 16,
        "row": 8,
        "col": 8,
        "replicate": 3,
        "param": 4,
    }
    assert list(screen["block"].values) == [str(i) for i in range(1, 17)]
    assert set(screen["drug_row"].values) == {"revumenib", "ziftomenib", "MI-503", "DS-1594b"}
    assert set(screen["drug_col"].values) == {"venetoclax"}
    assert set(screen["sample"].values) == {"MOLM-13", "MV4-11", "OCI-AML3", "CD34+"}
    pairs = set(zip(screen["drug_row"].values, screen["sample"].values, strict=True))
    assert len(pairs) == 16
    kinds = dict(zip(screen["sample"].values, screen["sample_kind"].values, strict=True))
    assert kinds == {
        "MOLM-13": "leukemic",
        "MV4-11": "leukemic",
        "OCI-AML3": "leukemic",
        "CD34+": "normal",
    }
    assert screen.attrs["conc_unit"] == "nM"
    assert np.isfinite(screen["response"].values).all()


def test_monotherapy_ic50s_lie_in_the_literature_ranges(screen, literature):
    checked = 0
    for i in range(screen.sizes["block"]):
        sample = str(screen["sample"].values[i])
        for drug, var in (
            (screen["drug_row"].values[i], "true_hill_row"),
            ("venetoclax", "true_hill_col"),
        ):
            hit = literature[(literature["drug"] == drug) & (literature["cell_line"] == sample)]
            if hit.empty:
                continue
            low, high = float(hit["ic50_nM_low"].iloc[0]), float(hit["ic50_nM_high"].iloc[0])
            ic50 = float(screen[var].sel(param="ic50").values[i])
            if math.isfinite(low):
                assert ic50 >= low, (drug, sample, ic50, low)
                checked += 1
            if math.isfinite(high):
                assert ic50 <= high, (drug, sample, ic50, high)
                checked += 1
    assert checked >= 20


def test_doses_cover_the_ic50s_of_the_leukemic_lines(screen):
    leukemic = screen.where(screen["sample_kind"] == "leukemic", drop=True)
    for var, conc in (("true_hill_row", "conc_row"), ("true_hill_col", "conc_col")):
        ic50 = leukemic[var].sel(param="ic50").values
        doses = leukemic[conc].values
        assert np.all(ic50 > doses[:, 1]) and np.all(ic50 < doses[:, -1])


def test_stated_synergy_ordering(screen):
    delta = screen["true_bliss_delta"].isel(row=slice(1, None), col=slice(1, None))
    by_sample = delta.mean(["row", "col"]).groupby("sample").mean()
    assert by_sample.sel(sample="MOLM-13") > 4 and by_sample.sel(sample="MV4-11") > 3
    assert 1 < by_sample.sel(sample="OCI-AML3") < 3
    np.testing.assert_allclose(delta.where(screen["sample"] == "CD34+", drop=True), 0.0, atol=1e-12)
    strength = dict(
        zip(screen["sample"].values, screen["true_synergy_strength"].values, strict=True)
    )
    assert strength == menin.SYNERGY_STRENGTH


def test_noise_is_the_stated_sd(screen):
    residual = (screen["response"] - screen["true_response"]).values.ravel()
    assert abs(residual.std() - menin.NOISE_SD) < 0.3


def test_deterministic_with_provenance(screen):
    xr.testing.assert_identical(screen, menin.menin_venetoclax())
    provenance = json.loads(screen.attrs["provenance"])
    assert provenance["dataset"] == "menin_venetoclax"
    assert provenance["seed"] == menin.SEED and provenance["simulated"] is True
    assert "assumption" in provenance["assumptions"].lower() or provenance["assumptions"]
    assert len(provenance["monotherapy_parameters"]) == 20


def test_parameter_origins_are_labelled():
    table = menin.monotherapy_parameters()
    origin = table.set_index(["drug", "sample"])["ic50_origin"]
    assert origin[("ziftomenib", "MOLM-13")] == "literature (verified)"
    assert origin[("revumenib", "MV4-11")] == "literature (recalled range)"
    assert (table[table["drug"] == "DS-1594b"]["ic50_origin"] == "assumption").all()
    assert (table[table["sample"] == "CD34+"]["ic50_origin"] == "assumption").all()
