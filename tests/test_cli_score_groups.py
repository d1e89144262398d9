"""``synergy score`` on a ragged table reads and scores shape groups (docs/design.md §16.4):
the same output table and scored screen as the dense path, without the dense screen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from click.testing import CliRunner

from synergy.cli import main
from synergy.datasets import simulate
from synergy.io import reader, validate
from synergy.io.store import open_screen
from synergy.io.table import to_table


@pytest.fixture(scope="module")
def ragged_csv(tmp_path_factory):
    """999 ragged blocks (3–6 doses) and one 16×16 block among them: 1,000 blocks."""
    small = simulate(
        999, n_doses=6, ragged=True, noise_sd=5.0, missing_fraction=0.05, seed=23, truth=False
    )
    large = simulate(["big"], n_doses=16, noise_sd=5.0, seed=24, truth=False)
    parts = [small.isel(block=slice(0, 400)), large, small.isel(block=slice(400, 999))]
    path = tmp_path_factory.mktemp("ragged") / "ragged.csv"
    pd.concat([to_table(p) for p in parts], ignore_index=True).to_csv(path, index=False)
    return path


def _score(path, out, table, *extra):
    args = ["score", str(path), "-o", str(out), "--table", str(table), "--no-progress", "-q"]
    result = CliRunner().invoke(main, [*args, *extra])
    assert result.exit_code == 0, result.output
    return result


def test_ragged_table_scores_the_same_as_groups_and_dense(ragged_csv, tmp_path, monkeypatch):
    assert len(reader.read_screen(ragged_csv, groups=True)) > 1  # the CLI reads groups
    blocks_read = []
    assemble = reader.assemble

    def spy(cells, positions):
        blocks_read.append(len(positions))
        return assemble(cells, positions)

    monkeypatch.setattr(reader, "assemble", spy)
    _score(ragged_csv, tmp_path / "groups.nc", tmp_path / "groups.csv", "--sensitivity")
    assert len(blocks_read) > 1 and max(blocks_read) < 1000  # never every block in one grid
    assert not (tmp_path / "groups.nc.checkpoint").exists()

    dense_read = validate.open_any  # the dense path: the CLI as before, one dense screen

    def open_dense(source, groups=False, **kwargs):
        return dense_read(source, **kwargs)

    monkeypatch.setattr(validate, "open_any", open_dense)
    blocks_read.clear()
    _score(ragged_csv, tmp_path / "dense.nc", tmp_path / "dense.csv", "--sensitivity")
    assert blocks_read == [1000]

    assert (tmp_path / "groups.csv").read_bytes() == (tmp_path / "dense.csv").read_bytes()
    dense = open_screen(tmp_path / "dense.nc")
    assert dense.sizes["row"] == 16 and dense.sizes["block"] == 1000
    scored = open_screen(tmp_path / "groups.nc")
    xr.testing.assert_identical(scored, dense)
    for name, var in dense.variables.items():
        assert scored.variables[name].dtype == var.dtype, name
    assert np.isfinite(dense["bliss_score"].values).mean() > 0.9  # a real scoring run


@pytest.mark.parametrize("name", ["sf_oneil", "sf_ncats_3drug"])
def test_info_line_describes_either_layout(name):
    """The grid line from io.layout's views; the figures from the raw CSV with pandas."""
    from synergy.datasets.bundled import path as bundled_path

    source = bundled_path(name) / "data.csv"
    raw = pd.read_csv(source)
    drugs = [c for c in raw.columns if c.startswith("drug")]  # drug_row, drug_col or drug1 …
    concs = [c for c in raw.columns if c.startswith("conc") and not c.startswith("conc_unit")]
    per_block = raw.groupby("block_id")
    if len(drugs) == 2:
        words = ["row drugs", "column drugs"]
        sizes = [int(per_block[c].nunique().max()) for c in concs]  # one grid axis per drug
    else:
        words = [f"drug-{i}" for i in range(1, len(drugs) + 1)]
        sizes = [int(per_block[concs].apply(lambda t: len(t.drop_duplicates())).max())]
    counts = " × ".join(f"{raw[d].nunique()} {w}" for d, w in zip(drugs, words, strict=True))
    shape = "×".join(map(str, sizes))
    result = CliRunner().invoke(main, ["info", str(source)])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert f"{raw['block_id'].nunique()} blocks, {counts}," in first
    assert f"up to {shape} dose combinations of {len(drugs)} drugs (zero doses included)" in first


def test_saved_ragged_screen_is_scored_as_groups_too(tmp_path, monkeypatch):
    """A saved (dense) ragged screen: split into groups, scored, written as the dense path."""
    from synergy.io.groups import join_groups
    from synergy.io.store import save_screen

    small = simulate(30, n_doses=5, ragged=True, noise_sd=4.0, seed=3, truth=False)
    large = simulate(["big"], n_doses=12, noise_sd=4.0, seed=4, truth=False)
    source = tmp_path / "ragged.nc"
    save_screen(join_groups([small, large]), source)
    assert len(validate.open_any(source, groups=True)) > 1  # read back as shape groups
    extra = ("--fitter", "lsq")
    _score(source, tmp_path / "groups.nc", tmp_path / "groups.csv", *extra)
    dense_read = validate.open_any
    monkeypatch.setattr(validate, "open_any", lambda s, groups=False, **kw: dense_read(s, **kw))
    _score(source, tmp_path / "dense.nc", tmp_path / "dense.csv", *extra)
    assert (tmp_path / "groups.csv").read_bytes() == (tmp_path / "dense.csv").read_bytes()
    xr.testing.assert_identical(
        open_screen(tmp_path / "groups.nc"), open_screen(tmp_path / "dense.nc")
    )
