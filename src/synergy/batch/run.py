"""Score a whole screen in chunks: locally or on dask, with a progress bar and checkpoints.

:func:`run_screen` (the screen plus what the run did, for summaries) is what the command
line calls; :func:`synergy.batch.score.score_screen` (the scored screen) wraps it for
notebooks, and :func:`synergy.batch.groups.run_groups` runs it per shape group.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xarray as xr

from synergy._version import __version__
from synergy.batch.assemble import Assembler
from synergy.batch.checkpoint import Checkpoint
from synergy.batch.chunks import Piece, plan_chunks, score_chunk
from synergy.errors import ScreenError, SynergyError
from synergy.io.outputs import OutputLock, check_not_input, input_paths

__all__ = ["BatchRun", "check_settings", "checkpoint_path", "run_screen"]

_OUTPUT_SUFFIXES = (".nc", ".nc4", ".netcdf", ".h5", ".zarr")


@dataclass
class BatchRun:
    """What :func:`run_screen` did.

    Attributes
    ----------
    scored : xarray.Dataset
        The scored screen (identical to ``synergy.score(screen, …)`` when no block raised).
    n_chunks : int
        Chunks in the plan.
    n_chunks_resumed, n_blocks_resumed : int
        Chunks (blocks) read back from the checkpoint instead of scored in this run.
    n_workers : int
        Processes that scored (1 = this process).
    wall_time : float
        Seconds from the call to the written output.
    output : pathlib.Path or None
        Where the scored screen was written.
    groups : list of xarray.Dataset or None
        The scored shape groups, when the screen was scored as its groups
        (:func:`synergy.batch.groups.run_groups`).
    """

    scored: xr.Dataset
    n_chunks: int
    n_chunks_resumed: int
    n_blocks_resumed: int
    n_workers: int
    wall_time: float
    output: Path | None
    groups: list[xr.Dataset] | None = None


def check_settings(models: Sequence[str], score_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Check scoring options before any work; return the settings that change scores.

    Parameters
    ----------
    models : sequence of str
        Models to score.
    score_kwargs : dict
        Keyword arguments for :func:`synergy.scoring.score`.

    Returns
    -------
    dict
        JSON-serialisable settings with defaults resolved (the checkpoint's key).

    Raises
    ------
    SynergyError
        On an unknown option or value (the same checks :func:`synergy.scoring.score` does).
    """
    from synergy.options import ScoringOptions

    chosen = ScoringOptions.from_mapping({"models": tuple(models), **score_kwargs})
    options = chosen.as_kwargs()
    options.pop("models")
    options["model_options"] = score_kwargs.get("model_options")  # as given (checkpoint key)
    resolved, fitter, loewe_solver = chosen.resolved()
    return {**options, "models": list(resolved), "fitter": fitter, "loewe_solver": loewe_solver}


def checkpoint_path(out: str | os.PathLike) -> Path:
    """The default checkpoint folder of an output: ``<out>.checkpoint`` next to it."""
    out = Path(out)
    return out.with_name(out.name + ".checkpoint")


def _progress_bar(enabled: bool, total: int, initial: int):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(
        total=total,
        initial=initial,
        unit="block",
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=0.5,
        smoothing=0.1,
    )


def run_screen(
    screen: xr.Dataset,
    models: Sequence[str] = ("bliss", "hsa", "loewe", "zip"),
    *,
    chunk_blocks: int | None = None,
    scheduler: Any = None,
    workers: int | None = None,
    progress: bool = True,
    checkpoint: str | os.PathLike | bool | None = None,
    resume: bool = False,
    out: str | os.PathLike | None = None,
    keep_checkpoint: bool = False,
    **score_kwargs: Any,
) -> BatchRun:
    """Score every block of ``screen`` in chunks; see :func:`synergy.batch.score_screen` for the
    options.

    ``keep_checkpoint`` leaves the finished checkpoint for the caller to remove (a run of
    several shape groups removes theirs once its one output is written).

    Returns
    -------
    BatchRun
        The scored screen and what the run did (chunks resumed, workers, wall time).
    """
    started = time.perf_counter()
    if not isinstance(screen, xr.Dataset) or "block" not in screen.dims or "response" not in screen:
        raise ScreenError("score_screen needs a screen Dataset with a 'block' dim and 'response'")
    if screen.sizes["block"] == 0:
        raise ScreenError("the screen has no blocks: nothing to score")
    models = (models,) if isinstance(models, str) else tuple(models)
    settings = check_settings(models, score_kwargs)
    settings["synergy_version"] = __version__
    from synergy.hill.fitter_rule import fits_for
    from synergy.models import registry

    if any(registry.get(m).needs_fits for m in settings["models"]):  # fitter rule, noticed once
        screen = fits_for(screen, settings["fitter"], settings["refit"])
    score_kwargs = {"models": models, **score_kwargs}
    if out is not None and Path(out).suffix.lower() not in _OUTPUT_SUFFIXES:
        raise SynergyError(f"{out}: write the scored screen as .nc (netCDF) or .zarr")
    if out is not None:
        check_not_input(out, input_paths(screen))
    if checkpoint is True:
        if out is None:
            raise SynergyError("checkpoint=True puts the checkpoint next to out=: give out")
        checkpoint = checkpoint_path(out)
    elif checkpoint is False:
        checkpoint = None

    n_blocks = screen.sizes["block"]
    use_dask = scheduler is not None or workers is not None
    lock = OutputLock(out) if out is not None else nullcontext()  # one writer per output
    with lock, _client(use_dask, scheduler, workers) as client:
        from synergy.batch.distributed import n_workers as count_workers

        n_workers = count_workers(client) if use_dask else 1
        chunks = plan_chunks(n_blocks, chunk_blocks, n_workers)
        store = None
        if checkpoint is not None:
            store = Checkpoint.open(checkpoint, screen, settings, chunks, resume=resume)
            chunks = store.chunks
        assembler = Assembler(screen)
        done = store.completed() if store is not None else []
        first_error: list[Piece] = []
        for index in done:
            for piece in store.load(index) if store is not None else []:
                assembler.add(piece)
                if piece.scored is None and not first_error:
                    first_error.append(piece)
        n_resumed = sum(chunks[i][1] - chunks[i][0] for i in done)
        bar = _progress_bar(progress, n_blocks, n_resumed)

        def on_done(index: int, pieces: list[Piece]) -> None:
            failed = [p for p in pieces if p.scored is None]
            if failed and len(failed) == len(pieces) and not assembler.has_scored:
                start, stop = chunks[index]
                if stop - start > 1:
                    _raise_systematic(screen, start, stop, failed[0])
            if store is not None:
                store.save(index, pieces)
            for piece in pieces:
                assembler.add(piece)
            if failed and not first_error:
                first_error.append(failed[0])
            if bar is not None:
                bar.update(chunks[index][1] - chunks[index][0])

        finished = set(done)
        todo = [i for i in range(len(chunks)) if i not in finished]
        try:
            if use_dask:
                from synergy.batch.distributed import run_on_dask

                run_on_dask(client, screen, chunks, todo, score_kwargs, on_done)
            else:
                for index in todo:
                    start, stop = chunks[index]
                    chunk = screen.isel(block=slice(start, stop))
                    on_done(index, score_chunk(chunk, start, score_kwargs))
        except BaseException:
            if store is not None and not store.completed():
                store.remove()  # nothing to resume: do not leave a folder that blocks a rerun
            raise
        finally:
            if bar is not None:
                bar.close()
    if not assembler.has_scored:
        piece = first_error[0]
        if piece.exception is not None:
            raise piece.exception
        raise SynergyError(f"no block could be scored: {piece.error}")
    scored = assembler.finish()
    if out is not None:
        from synergy.io.store import save_screen

        save_screen(scored, out)
    if store is not None and not keep_checkpoint:
        store.remove()
    return BatchRun(
        scored=scored,
        n_chunks=len(chunks),
        n_chunks_resumed=len(done),
        n_blocks_resumed=n_resumed,
        n_workers=n_workers,
        wall_time=time.perf_counter() - started,
        output=Path(out) if out is not None else None,
    )


def _raise_systematic(screen: xr.Dataset, start: int, stop: int, failed: Piece) -> None:
    """Every block of the first finished chunk raised: not a block's problem, so raise."""
    blocks = screen["block"].values
    where = f"blocks {str(blocks[start])!r}…{str(blocks[stop - 1])!r}"
    if isinstance(failed.exception, SynergyError):
        raise type(failed.exception)(f"{failed.exception} ({where})") from failed.exception
    raise RuntimeError(
        f"scoring failed for every block of the first chunk ({where}): {failed.error}"
    ) from failed.exception


class _client:
    """Context manager: a dask client when asked, else nothing."""

    def __init__(self, use_dask: bool, scheduler: Any, workers: int | None) -> None:
        self._cm = None
        if use_dask:
            from synergy.batch.distributed import dask_client

            self._cm = dask_client(scheduler, workers)

    def __enter__(self):
        return None if self._cm is None else self._cm.__enter__()

    def __exit__(self, *exc):
        return False if self._cm is None else self._cm.__exit__(*exc)
