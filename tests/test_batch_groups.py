"""The batch path on a table read as shape groups (docs/design.md §16.4): out=, checkpoints and
resume give the screen and tables of the dense path; joining is lazy and in block order."""

from __future__ import annotations

import dask.array
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from synergy.batch import groups as batch_groups
from synergy.batch import run_groups, score_screen
from synergy.datasets import simulate
from synergy.errors import SynergyError
from synergy.io import groups
from synergy.io.reader import read_screen
from synergy.io.store import open_screen
from synergy.io.table import to_table

OPTIONS = {"fitter": "lsq", "progress": False, "chunk_blocks": 9}


@pytest.fixture(scope="module")
def table():
    small = simulate(40, n_doses=6, ragged=True, noise_sd=4.0, n_replicates=2, seed=8)
    large = simulate(["big"], n_doses=12, noise_sd=4.0, n_replicates=2, seed=9, truth=False)
    parts = [small.isel(block=slice(0, 25)), large, small.isel(block=slice(25, 40))]
    return pd.concat([to_table(p) for p in parts], ignore_index=True)


@pytest.fixture(scope="module")
def dense_scored(table, tmp_path_factory):
    out = tmp_path_factory.mktemp("dense") / "dense.nc"
    scored = score_screen(read_screen(table), out=out, **OPTIONS)
    return scored, open_screen(out)


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_groups_with_out_write_the_dense_paths_screen(table, dense_scored, tmp_path, suffix):
    parts = read_screen(table, groups=True)
    assert len(parts) > 1
    out = tmp_path / f"groups{suffix}"
    scored = score_screen(parts, out=out, checkpoint=True, **OPTIONS)
    assert not (tmp_path / f"groups{suffix}.checkpoint").exists()
    xr.testing.assert_identical(open_screen(out), dense_scored[1])
    xr.testing.assert_identical(groups.join_groups(scored), dense_scored[0])
    pd.testing.assert_frame_equal(to_table(scored, "block"), to_table(dense_scored[0], "block"))
    with pytest.raises(SynergyError, match="level='block'"):
        to_table(scored, "well")


def test_lazy_join_is_the_join_computed_a_block_range_at_a_time(table):
    parts = read_screen(table, groups=True)
    lazy = groups.join_groups_lazily(parts, chunk_blocks=7)
    assert isinstance(lazy["response"].data, dask.array.Array)
    assert lazy["response"].data.chunks[0] == (7,) * 5 + (6,)
    assert isinstance(lazy["n_control"].data, np.ndarray)  # per block: joined at once
    xr.testing.assert_identical(lazy.load(), groups.join_groups(parts))
    xr.testing.assert_identical(groups.join_groups(parts), read_screen(table))


def test_an_interrupted_run_resumes_the_groups_it_finished(
    table, dense_scored, tmp_path, monkeypatch
):
    parts = read_screen(table, groups=True)
    out, folder = tmp_path / "r.nc", tmp_path / "r.nc.checkpoint"
    real = batch_groups.run_screen
    calls = []

    def interrupted(group, *args, **kwargs):
        calls.append(group.sizes["block"])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(group, *args, **kwargs)

    monkeypatch.setattr(batch_groups, "run_screen", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_groups(parts, checkpoint=folder, out=out, **OPTIONS)
    assert (folder / "group-0").is_dir() and not out.exists()
    with pytest.raises(SynergyError, match="resume"):
        run_groups(parts, checkpoint=folder, out=out, **OPTIONS)
    monkeypatch.setattr(batch_groups, "run_screen", real)
    run = run_groups(parts, checkpoint=folder, out=out, resume=True, **OPTIONS)
    first = parts[0].sizes["block"]
    assert run.n_blocks_resumed == first and run.n_chunks_resumed == -(-first // 9)
    assert not folder.exists()
    xr.testing.assert_identical(open_screen(out), dense_scored[1])


def test_run_groups_needs_the_groups_of_one_screen():
    screen = simulate(3, n_doses=3, truth=False)
    with pytest.raises(SynergyError, match="block_positions"):
        run_groups([screen], **OPTIONS)


@pytest.mark.slow
def test_groups_on_one_dask_cluster_write_the_dense_paths_screen(
    table, dense_scored, tmp_path, monkeypatch
):
    """``workers=2``: one local cluster of 2 single-threaded processes for every group."""
    distributed = pytest.importorskip("distributed")
    from synergy.batch import distributed as batch_dask

    clusters = []
    real = batch_dask.dask_client

    def counted(scheduler=None, workers=None):
        if not isinstance(scheduler, distributed.Client):
            clusters.append(workers)
        return real(scheduler, workers)

    monkeypatch.setattr(batch_dask, "dask_client", counted)
    parts = read_screen(table, groups=True)
    out = tmp_path / "dask.nc"
    run = run_groups(parts, workers=2, out=out, checkpoint=tmp_path / "ck", **OPTIONS)
    assert clusters == [2] and len(parts) > 1
    assert run.n_workers == 2 and run.n_chunks == sum(-(-p.sizes["block"] // 9) for p in parts)
    xr.testing.assert_identical(open_screen(out), dense_scored[1])
    xr.testing.assert_identical(groups.join_groups(run.groups), dense_scored[0])
