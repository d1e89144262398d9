"""Score a ragged screen held as its shape groups, resumably, and write it as one screen.

A table read with ``read_screen(..., groups=True)`` (docs/design.md §16.4) is never a dense
screen: :func:`run_groups` scores each group with :func:`synergy.batch.run_screen` (chunks,
dask, progress and a checkpoint per group) and writes the output the dense path writes,
gathered block range by block range (:func:`synergy.io.groups.join_groups_lazily`), so
memory follows the wells, not the largest grid.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import xarray as xr

from synergy.batch.run import BatchRun, run_screen
from synergy.errors import ScreenError, SynergyError
from synergy.io.groups import join_groups_lazily
from synergy.io.outputs import OutputLock, check_not_input, input_paths

__all__ = ["run_groups"]


def run_groups(
    groups: Sequence[xr.Dataset],
    models: Sequence[str] = ("bliss", "hsa", "loewe", "zip"),
    *,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = False,
    out: str | os.PathLike | None = None,
    **run_kwargs: Any,
) -> BatchRun:
    """Score the shape groups of one screen; write them as one dense screen to ``out``.

    Parameters
    ----------
    groups : sequence of xarray.Dataset
        Shape groups of one screen, each with ``attrs["block_positions"]``
        (``read_screen(..., groups=True)`` or :func:`synergy.io.groups.shape_groups`).
    models : sequence of str
        Models to score.
    checkpoint : path, optional
        Folder holding one checkpoint per group (``group-<k>``); removed once ``out`` is
        written.  Groups finished before an interruption are read back with ``resume``.
    resume : bool
        Continue the run recorded in ``checkpoint``.
    out : path, optional
        Write the scored screen there (``.nc`` or ``.zarr``): the same screen
        ``synergy.score_screen`` writes for the dense screen, assembled a few blocks at a
        time (with dask installed; otherwise joined in memory first).
    **run_kwargs
        ``chunk_blocks``, ``scheduler``, ``workers``, ``progress`` and the scoring options,
        as for :func:`synergy.batch.run_screen`.

    Returns
    -------
    BatchRun
        ``scored`` is the joined screen (its padded variables dask arrays, computed on
        access); ``groups`` the scored groups.  Chunk counts add up over the groups.
    """
    started = time.perf_counter()
    groups = list(groups)
    if not groups:
        raise ScreenError("no shape groups given: nothing to score")
    if any("block_positions" not in g.attrs for g in groups):
        raise SynergyError(
            "run_groups needs the shape groups of one screen (attrs['block_positions']): read "
            "them with read_screen(..., groups=True) or cut them with shape_groups"
        )
    if out is not None:
        check_not_input(out, [p for g in groups for p in input_paths(g)])
    folder = Path(checkpoint) if checkpoint is not None else None
    if folder is not None and folder.exists() and not resume:
        raise SynergyError(
            f"{folder}: a checkpoint of an interrupted run exists; resume it "
            "(--resume / resume=True) or delete the folder to start again"
        )
    runs = []
    lock = OutputLock(out) if out is not None else nullcontext()
    with lock, _one_client(run_kwargs) as client:
        if client is not None:  # every group on the one cluster (not one cluster per group)
            run_kwargs = {**run_kwargs, "scheduler": client, "workers": None}
        for k, group in enumerate(groups):
            part = None if folder is None else folder / f"group-{k}"
            runs.append(
                run_screen(
                    group,
                    models,
                    checkpoint=part,
                    resume=resume and part is not None and part.exists(),
                    keep_checkpoint=True,
                    **run_kwargs,
                )
            )
        scored = [run.scored for run in runs]
        joined = join_groups_lazily(scored)
        if out is not None:
            from synergy.io.store import save_screen

            save_screen(joined, out)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    return BatchRun(
        scored=joined,
        n_chunks=sum(run.n_chunks for run in runs),
        n_chunks_resumed=sum(run.n_chunks_resumed for run in runs),
        n_blocks_resumed=sum(run.n_blocks_resumed for run in runs),
        n_workers=max(run.n_workers for run in runs),
        wall_time=time.perf_counter() - started,
        output=Path(out) if out is not None else None,
        groups=scored,
    )


def _one_client(run_kwargs: dict[str, Any]):
    """A dask client for all the groups when ``scheduler``/``workers`` ask for dask."""
    scheduler, workers = run_kwargs.get("scheduler"), run_kwargs.get("workers")
    if scheduler is None and workers is None:
        return nullcontext()
    from synergy.batch.distributed import dask_client

    return dask_client(scheduler, workers)
