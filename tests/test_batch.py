"""synergy.batch: chunked scoring is synergy.score on the whole screen, bit for bit;
failing blocks are kept; checkpoints resume; dask gives the serial result."""

from __future__ import annotations

import functools
import json
import sys

import numpy as np
import pytest
import xarray as xr

import synergy.scoring
from synergy.batch import run_screen, score_screen, status_counts
from synergy.batch.checkpoint import fingerprint
from synergy.batch.chunks import plan_chunks
from synergy.datasets import simulate
from synergy.errors import SynergyError


@pytest.fixture(scope="module")
def screen() -> xr.Dataset:
    """A ragged screen with missing wells, noise and replicates: 24 blocks."""
    return simulate(
        24,
        n_doses=6,
        n_replicates=2,
        noise_sd=8.0,
        ragged=True,
        missing_fraction=0.05,
        seed=11,
        truth=False,
    )


@pytest.fixture(scope="module")
def whole(screen) -> xr.Dataset:
    return synergy.scoring.score(screen, fitter="lsq")


@pytest.mark.parametrize("chunk_blocks", [5, 11, None])
def test_chunked_is_identical_to_whole(screen, whole, chunk_blocks):
    got = score_screen(screen, chunk_blocks=chunk_blocks, fitter="lsq", progress=False)
    xr.testing.assert_identical(got, whole)
    assert got["status"].dtype == whole["status"].dtype
    assert got["status_reason"].dtype == whole["status_reason"].dtype


def test_chunked_drc_is_identical_to_whole(screen):
    """The default fitter (drc's procedure) too, with a chunk boundary inside the screen."""
    small = screen.isel(block=slice(0, 12))
    got = score_screen(small, ("loewe", "zip"), chunk_blocks=5, progress=False)
    xr.testing.assert_identical(got, synergy.scoring.score(small, ("loewe", "zip")))


def test_plan_chunks_covers_every_block_once():
    for n_blocks, size, workers in [(1, None, 1), (10, 3, 1), (10_000, None, 2), (7, 7, 4)]:
        chunks = plan_chunks(n_blocks, size, workers)
        covered = np.concatenate([np.arange(a, b) for a, b in chunks])
        np.testing.assert_array_equal(covered, np.arange(n_blocks))
    assert len(plan_chunks(10_000, None, 2)) == 8  # ~4 chunks per worker
    with pytest.raises(SynergyError, match="chunk_blocks"):
        plan_chunks(5, 0)


def _raising_for(blocks: set[str], error: type[Exception] = FloatingPointError):
    """synergy.scoring.score, raising whenever the chunk holds one of ``blocks``."""
    real = synergy.scoring.score

    @functools.wraps(real)
    def score(screen, *args, **kwargs):
        if blocks & set(screen["block"].values.tolist()):
            raise error("kernel trouble\non two lines")
        return real(screen, *args, **kwargs)

    return score


def test_a_block_that_raises_is_kept_with_its_reason(screen, whole, monkeypatch):
    monkeypatch.setattr(synergy.scoring, "score", _raising_for({"4", "13"}))
    got = score_screen(screen, chunk_blocks=8, fitter="lsq", progress=False)
    bad = np.isin(got["block"].values, ["4", "13"])
    np.testing.assert_array_equal(got["block"].values, screen["block"].values)
    assert got["status"].values[bad].tolist() == [2, 2]
    assert set(got["status_reason"].values[bad]) == {
        "error: FloatingPointError: kernel trouble on two lines"
    }
    assert np.isnan(got["zip_score"].values[bad]).all()
    assert (got["loewe_status"].values[bad] == -1).all()
    # -1 is a declared code of every status variable (docs/design.md §6.3), only when it occurs
    for name in ("loewe_status", "zip_status", "hill_row_status"):
        attrs = got[name].attrs
        assert attrs["flag_values"][0] == -1 and attrs["flag_meanings"].startswith("not_scored ")
        assert list(attrs["flag_values"][1:]) == list(whole[name].attrs["flag_values"])
    assert -1 not in whole["loewe_status"].attrs["flag_values"]
    # the input's own variables are kept for failed blocks; every other block is untouched
    xr.testing.assert_identical(got["response"], whole["response"])
    xr.testing.assert_equal(got.isel(block=~bad), whole.isel(block=~bad))
    counts = status_counts(got)
    assert counts.n_errored == 2 and counts.by_level["failed"] >= 2


def test_an_error_in_every_block_is_raised(screen, monkeypatch, tmp_path):
    monkeypatch.setattr(synergy.scoring, "score", _raising_for(set(screen.block.values.tolist())))
    with pytest.raises(RuntimeError, match="every block of the first chunk"):
        score_screen(
            screen, chunk_blocks=4, fitter="lsq", progress=False, checkpoint=tmp_path / "c"
        )
    assert not (tmp_path / "c").exists()  # nothing to resume: no folder left to block a rerun


def test_bad_options_fail_before_any_work(screen):
    with pytest.raises(SynergyError, match="unknown model"):
        score_screen(screen, ("bliss", "schindler"), progress=False)
    with pytest.raises(SynergyError, match="unknown scoring option"):
        score_screen(screen, fiter="lsq", progress=False)
    with pytest.raises(SynergyError, match=r"\.nc"):
        score_screen(screen, out="scored.csv", progress=False)


def _interrupt_after(n_calls: int):
    real = synergy.scoring.score
    calls = [0]

    @functools.wraps(real)
    def score(screen, *args, **kwargs):
        calls[0] += 1
        if calls[0] > n_calls:
            raise KeyboardInterrupt
        return real(screen, *args, **kwargs)

    return score


def test_checkpoint_resume_finishes_the_remaining_chunks(screen, whole, tmp_path, monkeypatch):
    folder = tmp_path / "run.checkpoint"
    monkeypatch.setattr(synergy.scoring, "score", _interrupt_after(2))
    with pytest.raises(KeyboardInterrupt):
        score_screen(screen, chunk_blocks=6, fitter="lsq", progress=False, checkpoint=folder)
    assert sorted(p.name for p in folder.glob("chunk-*.json")) == [
        "chunk-000000.json",
        "chunk-000001.json",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["chunks"] == [[0, 6], [6, 12], [12, 18], [18, 24]]
    monkeypatch.undo()

    # without resume the half-finished run is not overwritten; other settings are refused
    with pytest.raises(SynergyError, match="interrupted run"):
        score_screen(screen, fitter="lsq", progress=False, checkpoint=folder)
    with pytest.raises(SynergyError, match=r"cannot resume: the settings differ"):
        score_screen(screen, fitter="drc", progress=False, checkpoint=folder, resume=True)
    with pytest.raises(SynergyError, match=r"cannot resume: the fingerprint differs"):
        other = screen.copy(deep=True)
        other["response"][0, 1, 1, 0] += 1.0
        score_screen(other, fitter="lsq", progress=False, checkpoint=folder, resume=True)

    out = tmp_path / "scored.nc"
    run = run_screen(
        screen, chunk_blocks=24, fitter="lsq", progress=False, checkpoint=folder, resume=True,
        out=out,
    )  # fmt: skip
    assert (run.n_chunks, run.n_chunks_resumed, run.n_blocks_resumed) == (4, 2, 12)
    xr.testing.assert_identical(run.scored, whole)
    from synergy.io.store import open_screen

    xr.testing.assert_identical(open_screen(out), whole)
    assert not folder.exists()


def test_fingerprint_sees_any_change(screen):
    assert fingerprint(screen) == fingerprint(screen.copy(deep=True))
    renamed = screen.assign_coords(drug_row=screen.drug_row.where(screen.block != "3", "other"))
    assert fingerprint(renamed) != fingerprint(screen)
    assert fingerprint(screen.assign_attrs(conc_unit="uM")) != fingerprint(screen)


def test_status_counts_match_the_status_variables(whole):
    counts = status_counts(whole)
    assert sum(counts.by_level.values()) == counts.n_blocks == whole.sizes["block"]
    assert counts.by_level["ok"] == int((whole.status == 0).sum())
    fallback = int((whole.loewe_status == 4).sum())
    assert counts.flags.get("loewe: loewe_fallback_wells", 0) == fallback
    assert list(counts.flags.values()) == sorted(counts.flags.values(), reverse=True)


def test_without_dask_only_the_dask_options_fail(screen, whole, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(SynergyError, match=r"pip install 'synergy-toolkit\[dask\]'"):
        score_screen(screen, workers=2, fitter="lsq", progress=False)
    got = score_screen(screen, chunk_blocks=12, fitter="lsq", progress=False)
    xr.testing.assert_identical(got, whole)


@pytest.mark.slow
def test_dask_local_cluster_is_identical_to_serial(screen, whole, tmp_path):
    """2 single-threaded worker processes on loopback; chunks finish in any order."""
    pytest.importorskip("distributed")
    run = run_screen(
        screen, chunk_blocks=5, workers=2, fitter="lsq", progress=False,
        checkpoint=tmp_path / "ck", out=tmp_path / "dask.nc",
    )  # fmt: skip
    assert run.n_workers == 2 and run.n_chunks == 5
    xr.testing.assert_identical(run.scored, whole)
