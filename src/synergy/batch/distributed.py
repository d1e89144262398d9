"""Scoring chunks on dask.distributed: a local cluster or an existing one.

Each chunk is one future running :func:`synergy.batch.chunks.score_chunk` — the very
function the serial path runs — so the output is identical whatever the number of
workers.  Futures rather than ``xarray.map_blocks``: ``map_blocks`` needs the full output
layout (every variable, dtype and string width) before anything runs and fails the whole
graph when one chunk raises, whereas futures come back one by one as they finish, which
is what checkpoints (the driver writes each finished chunk), the progress bar, and
per-chunk error handling need; and at most a few chunks per worker are in flight, so a
100,000-block screen is never held twice in memory.

dask and distributed are imported only here, lazily: without them, everything else in
:mod:`synergy.batch` works.  Local workers are processes with one thread each
(docs/design.md §6.18) and ``NUMBA_NUM_THREADS`` = cores / workers, so numba's parallel kernels
do not oversubscribe the CPU; on an existing cluster whose workers run several threads,
:func:`~synergy.batch.chunks.score_chunk` serialises kernel calls within each worker
process.  Workers of an existing cluster must have ``synergy-toolkit`` installed.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

import xarray as xr

from synergy.batch.chunks import Piece, score_chunk
from synergy.errors import SynergyError

__all__ = ["dask_client", "n_workers", "run_on_dask"]


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise SynergyError(
            "workers/scheduler need dask.distributed: pip install 'synergy-toolkit[dask]'"
        ) from exc
    return distributed


@contextlib.contextmanager
def dask_client(scheduler: Any = None, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` for the run, closed afterwards unless it was given.

    Parameters
    ----------
    scheduler : str or distributed.Client, optional
        ``"local:N"`` (a local cluster of N worker processes), ``"local"`` (one per core),
        the address of a running scheduler (``"tcp://host:8786"``), or a Client.
    workers : int, optional
        Shorthand for ``scheduler="local:<workers>"``.

    Yields
    ------
    distributed.Client
    """
    distributed = _import_distributed()
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if workers is not None and scheduler is not None:
        raise SynergyError("give either workers or scheduler, not both")
    if workers is not None:
        scheduler = f"local:{workers}"
    text = str(scheduler)
    if text == "local" or text.startswith("local:"):
        count = (os.cpu_count() or 1) if text == "local" else _count(text[len("local:") :])
        numba_threads = max(1, (os.cpu_count() or 1) // count)
        cluster = distributed.LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
            env={"NUMBA_NUM_THREADS": str(numba_threads)},
        )
        with cluster, distributed.Client(cluster) as client:
            yield client
        return
    try:
        client = distributed.Client(text, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise SynergyError(f"cannot connect to the dask scheduler at {text!r}: {exc}") from exc
    with client:
        yield client


def _count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise SynergyError(f"workers must be a whole number ≥ 1, got {text!r}")
    return count


def n_workers(client: Any) -> int:
    """Number of workers the client's scheduler knows (at least 1)."""
    return max(1, len(client.scheduler_info().get("workers", {})))


def run_on_dask(
    client: Any,
    screen: xr.Dataset,
    chunks: list[tuple[int, int]],
    todo: list[int],
    score_kwargs: dict[str, Any],
    on_done: Callable[[int, list[Piece]], None],
) -> None:
    """Score chunks ``todo`` of ``screen`` as futures; call ``on_done`` as each finishes.

    Parameters
    ----------
    client : distributed.Client
    screen : xarray.Dataset
        The whole screen; each future receives its chunk's slice only.
    chunks : list of (start, stop)
        The chunk plan.
    todo : list of int
        Indices of the chunks to score.
    score_kwargs : dict
        Keyword arguments of :func:`synergy.scoring.score`.
    on_done : callable (chunk index, pieces)
        Called in this process, in completion order (checkpoint, assemble, progress).
    """
    distributed = _import_distributed()
    in_flight = 2 * n_workers(client) + 1
    queue = list(todo)
    index_of: dict[Any, int] = {}

    def submit() -> Any:
        index = queue.pop(0)
        start, stop = chunks[index]
        future = client.submit(
            score_chunk, screen.isel(block=slice(start, stop)), start, score_kwargs, pure=False
        )
        index_of[future] = index
        return future

    pending = distributed.as_completed([submit() for _ in range(min(in_flight, len(queue)))])
    try:
        for future in pending:
            pieces = future.result()
            on_done(index_of.pop(future), pieces)
            future.release()
            if queue:
                pending.add(submit())
    except BaseException:
        for future in index_of:
            future.cancel()
        raise
