"""Chunks of blocks: the plan, and scoring one chunk without losing its blocks to an error.

A chunk is a contiguous range ``[start, stop)`` of the screen's blocks.  It is scored by
one call of :func:`synergy.scoring.score` (one batched kernel call per model, never a
Python loop per block).  When that call raises, the chunk is **bisected**: each half is
scored again, recursively, so the block (or blocks) that make the call raise are isolated
and every other block keeps its normal scores.  A range that still raises when it holds
a single block — or when the chunk's budget of calls (:data:`MAX_CALLS_PER_CHUNK`) is spent,
so that an error common to every block cannot cost thousands of calls — becomes a failed
:class:`Piece`: its blocks stay in the output with ``status`` 2 and ``status_reason``
``"error: <ExceptionType>: <message>"`` (:mod:`synergy.batch.assemble`).

:func:`score_chunk` is what runs on a dask worker; it holds a per-process lock around the
kernels, so several threads of one worker never run numba's parallel kernels at the same
time (docs/design.md §6.18).
"""

from __future__ import annotations

import math
import threading
import warnings
from dataclasses import dataclass
from typing import Any

import xarray as xr

__all__ = [
    "DEFAULT_CHUNK_BLOCKS",
    "MAX_CALLS_PER_CHUNK",
    "Piece",
    "plan_chunks",
    "score_chunk",
]

#: largest automatic chunk: one ``score`` call costs ~0.2 s of xarray bookkeeping whatever
#: its size, so chunks must be large; 2,000 blocks of 8×8×3 keep a chunk's intermediates
#: near 20 MB.
DEFAULT_CHUNK_BLOCKS = 2000
#: smallest automatic chunk when several workers share the screen
MIN_AUTO_CHUNK_BLOCKS = 250
#: calls of ``score`` one chunk may spend isolating blocks that raise
MAX_CALLS_PER_CHUNK = 64

# numba's default threading layer is not safe when parallel kernels are entered from
# several threads of one process (a dask worker with threads > 1): one kernel call at a time
_KERNEL_LOCK = threading.Lock()


@dataclass
class Piece:
    """A contiguous range of blocks after scoring: scored, or failed with a reason.

    Attributes
    ----------
    start, stop : int
        Positions of the first and one-past-last block in the whole screen.
    scored : xarray.Dataset or None
        The scored blocks (what :func:`synergy.scoring.score` returned), or None.
    error : str or None
        ``"<ExceptionType>: <message>"`` when the range could not be scored.
    exception : BaseException or None
        The exception itself (kept in memory only, to re-raise systematic errors).
    """

    start: int
    stop: int
    scored: xr.Dataset | None = None
    error: str | None = None
    exception: BaseException | None = None

    @property
    def n_blocks(self) -> int:
        """Number of blocks in the piece."""
        return self.stop - self.start


def plan_chunks(
    n_blocks: int, chunk_blocks: int | None, n_workers: int = 1
) -> list[tuple[int, int]]:
    """Split ``n_blocks`` blocks into contiguous chunks.

    Parameters
    ----------
    n_blocks : int
        Blocks in the screen.
    chunk_blocks : int or None
        Blocks per chunk; None chooses ``min(2000, ⌈n_blocks / (4·n_workers)⌉)`` (at least
        250) so every worker gets several chunks.  The output does not depend on it.
    n_workers : int
        Workers that will share the chunks (1 when scoring in this process).

    Returns
    -------
    list of (start, stop)
        Ranges covering ``0 … n_blocks`` in order, each non-empty.
    """
    if chunk_blocks is None:
        if n_workers <= 1:
            chunk_blocks = DEFAULT_CHUNK_BLOCKS
        else:
            share = math.ceil(n_blocks / (4 * n_workers))
            chunk_blocks = min(DEFAULT_CHUNK_BLOCKS, max(MIN_AUTO_CHUNK_BLOCKS, share))
    if int(chunk_blocks) < 1:
        from synergy.errors import SynergyError

        raise SynergyError(f"chunk_blocks must be ≥ 1, got {chunk_blocks!r}")
    size = int(chunk_blocks)
    return [(start, min(start + size, n_blocks)) for start in range(0, n_blocks, size)]


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())  # one line
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def score_chunk(
    chunk: xr.Dataset, start: int, score_kwargs: dict[str, Any], *, quiet: bool = True
) -> list[Piece]:
    """Score one chunk of blocks; isolate the blocks that make scoring raise.

    Parameters
    ----------
    chunk : xarray.Dataset
        The blocks ``start … start + chunk.sizes["block"]`` of a screen.
    start : int
        Position of the chunk's first block in the whole screen.
    score_kwargs : dict
        Keyword arguments of :func:`synergy.scoring.score` (``models``, ``convention``, …).
    quiet : bool
        Silence numpy's RuntimeWarnings (overflow in extreme fits) while scoring.

    Returns
    -------
    list of Piece
        Contiguous pieces covering the chunk in order: one scored piece when nothing
        raised, otherwise scored and failed pieces as found by bisection.
    """
    from synergy.scoring import score

    budget = [MAX_CALLS_PER_CHUNK]

    def attempt(lo: int, hi: int) -> list[Piece]:
        budget[0] -= 1
        try:
            with _KERNEL_LOCK, warnings.catch_warnings():
                if quiet:
                    warnings.simplefilter("ignore", RuntimeWarning)
                scored = score(chunk.isel(block=slice(lo, hi)), **score_kwargs)
            return [Piece(start + lo, start + hi, scored=scored)]
        except Exception as exc:  # a block's numerical trouble must not lose the screen
            if hi - lo == 1 or budget[0] < 2:
                return [Piece(start + lo, start + hi, error=_describe(exc), exception=exc)]
            mid = (lo + hi) // 2
            return attempt(lo, mid) + attempt(mid, hi)

    return attempt(0, chunk.sizes["block"])
