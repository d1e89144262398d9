"""Score a whole screen in chunks: locally or on dask, with a progress bar and checkpoints.

:func:`score_screen` (the scored screen) and :func:`run_screen` (the screen plus what the
run did, for summaries) are what the command line and notebooks call.
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

__all__ = ["BatchRun", "check_settings", "checkpoint_path", "run_screen", "score_screen"]

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
    """Score every block of ``screen`` in chunks; see :func:`score_screen` for the options.

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


def score_screen(
    screen: xr.Dataset | Sequence[xr.Dataset],
    models: Sequence[str] = ("bliss", "hsa", "loewe", "zip"),
    *,
    chunk_blocks: int | None = None,
    scheduler: Any = None,
    workers: int | None = None,
    progress: bool = True,
    checkpoint: str | os.PathLike | bool | None = None,
    resume: bool = False,
    out: str | os.PathLike | None = None,
    **score_kwargs: Any,
) -> xr.Dataset | list[xr.Dataset]:
    """Score every block of a screen, chunk by chunk, locally or on dask, resumably.

    The screen is split along ``block`` into contiguous chunks; each chunk is scored by one
    call of :func:`synergy.scoring.score` (one batched kernel call per model, no loop over
    blocks) and the chunks are put back in the input's block order.  Blocks are scored
    independently and random draws are keyed by block id (docs/design.md §3), so the result is
    identical, bit for bit, to ``synergy.score(screen, models, **score_kwargs)`` whatever
    ``chunk_blocks``, the number of workers, or whether the run was resumed.

    A chunk whose scoring raises is bisected until the blocks that raise are isolated
    (:mod:`synergy.batch.chunks`); they are kept with ``status`` 2 and ``status_reason``
    ``"error: <ExceptionType>: <message>"`` (other variables NaN / -1 / ""; see
    :mod:`synergy.batch.assemble`), and every other block is scored normally.  When every
    block of the first chunk to finish raises, the error is not a block's problem and is
    raised.

    A ragged screen may be given as its shape groups (a list of screens, e.g.
    ``read_screen(path, groups=True)``, :func:`synergy.io.groups.shape_groups`, or screens
    of different grids never joined): each group is scored at its own grid and the scored
    groups are returned as a list, so memory and time follow the wells, not the largest grid
    (docs/design.md §16, §16.4).  The groups of one screen (``attrs["block_positions"]``)
    also take ``out=``, ``checkpoint=`` and ``resume`` (:func:`synergy.batch.run_groups`):
    ``out`` receives the dense scored screen, written a block range at a time.  A dense
    ragged screen is grouped the same way inside :func:`synergy.scoring.score`, but its
    scored surfaces are dense again.

    Parameters
    ----------
    screen : xarray.Dataset or sequence of xarray.Dataset
        A screen (docs/design.md §1), responses in % inhibition; or its shape groups.
    models : sequence of {"bliss", "hsa", "loewe", "zip"}
        Models to score.
    chunk_blocks : int, optional
        Blocks per chunk.  Default: 2,000, or fewer with several workers so each gets
        about four chunks (at least 250).  Each ``score`` call costs ~0.2 s whatever its
        size, so small chunks are slow; a chunk's memory grows with its size.
    scheduler : str or distributed.Client, optional
        Score on dask: ``"local:N"`` (a local cluster of N single-threaded worker
        processes), the address of a running scheduler (``"tcp://host:8786"``), or a
        Client.  Default: in this process.
    workers : int, optional
        Shorthand for ``scheduler="local:<workers>"``.
    progress : bool
        Show a tqdm progress bar (blocks/s, ETA) on stderr, if tqdm is installed.
    checkpoint : path or bool, optional
        Folder where finished chunks are saved (:mod:`synergy.batch.checkpoint`);
        ``True`` = ``<out>.checkpoint``.  Removed once the output is written.
    resume : bool
        Continue the run recorded in ``checkpoint``: only the chunks missing there are
        scored.  Without it an existing checkpoint folder is an error.
    out : path, optional
        Write the scored screen there (``.nc`` or ``.zarr``, atomically: temporary name,
        then rename) before the checkpoint is removed.
    **score_kwargs
        ``convention``, ``loewe_solver``, ``fitter``, ``refit``, ``correct_baseline``,
        ``n_boot``, ``ci``, ``seed``: as for :func:`synergy.scoring.score`.

    Returns
    -------
    xarray.Dataset or list of xarray.Dataset
        The scored screen, as :func:`synergy.scoring.score` returns it (a list of scored
        groups for a list of groups; :func:`synergy.io.groups.join_groups` makes it dense).

    Raises
    ------
    SynergyError
        Bad options (before any work), a checkpoint from another input or settings, dask
        options without dask installed, an error common to every block, or ``out`` /
        ``checkpoint`` with a list of screens that are not the groups of one screen.
    """
    if not isinstance(screen, xr.Dataset) and isinstance(screen, Sequence):
        if not screen:
            raise ScreenError("no shape groups given: nothing to score")
        kept = out is not None or checkpoint not in (None, False) or resume
        if kept and all("block_positions" in group.attrs for group in screen):
            from synergy.batch.groups import run_groups

            if checkpoint is True and out is None:
                raise SynergyError("checkpoint=True puts the checkpoint next to out=: give out")
            folder = checkpoint_path(out) if checkpoint is True else (checkpoint or None)
            kwargs = {"chunk_blocks": chunk_blocks, "scheduler": scheduler, "workers": workers}
            run = run_groups(
                screen, models, checkpoint=folder, resume=resume, out=out, progress=progress,
                **kwargs, **score_kwargs,
            )  # fmt: skip
            return run.groups or []
        if kept:
            raise SynergyError(
                "out= and checkpoint= take the shape groups of one screen (read_screen(..., "
                "groups=True) or shape_groups: attrs['block_positions']); score other lists "
                "in memory, or each screen with its own out="
            )
        check_settings(tuple([models] if isinstance(models, str) else models), score_kwargs)
        kwargs = {"chunk_blocks": chunk_blocks, "scheduler": scheduler, "workers": workers}
        return [
            run_screen(group, models, progress=progress, **kwargs, **score_kwargs).scored
            for group in screen
        ]
    return run_screen(
        screen,
        models,
        chunk_blocks=chunk_blocks,
        scheduler=scheduler,
        workers=workers,
        progress=progress,
        checkpoint=checkpoint,
        resume=resume,
        out=out,
        **score_kwargs,
    ).scored
