"""Score a screen, or the shape groups of one, chunk by chunk: the notebook's entry point."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import xarray as xr

from synergy.batch.groups import run_groups
from synergy.batch.run import check_settings, checkpoint_path, run_screen
from synergy.errors import ScreenError, SynergyError

__all__ = ["score_screen"]


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
            folder: str | os.PathLike | None
            if checkpoint is True:
                if out is None:
                    raise SynergyError("checkpoint=True puts the checkpoint next to out=: give out")
                folder = checkpoint_path(out)
            else:
                folder = checkpoint or None
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
