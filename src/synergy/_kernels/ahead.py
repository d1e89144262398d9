"""Compile drc's replica in a second process while this one compiles other kernels.

On an empty numba cache the default scoring path compiles drc's replica (~6 s of CPU on
one core) and then, one after the other, the kernels that follow it (~3 s: the Hill
bookkeeping and the Loewe grid).  With two cores or more, :func:`start_drc_child` starts
``python -m synergy._kernels.ahead``, which compiles the replica and writes it to numba's
cache, while the caller compiles the following kernels; :func:`wait` then waits for the
child, and the caller's first ``fit_drc_batch`` loads the replica from the cache instead of
compiling it.  The child compiles at a shallow Python stack, which also spares it CPython
3.11's data-stack chunk churn (``mmap``/``munmap`` per call) that a deep caller such as the
command line pays during numba's recursive compilation.

Safety: the caller never calls a drc kernel before the child has ended (numba's cache
writes are atomic per file, each function has its own index, so a race could only cost a
second compilation, never a wrong or torn entry); the child inherits the environment, so
it writes where the caller reads (``NUMBA_CACHE_DIR``, or numba's fallback user cache when
the package directory is read-only).  A child that fails or hangs (``timeout``) costs
nothing but the wait: the caller then compiles the replica itself.  Set
``SYNERGY_COMPILE_CHILD=0`` to never start one.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

__all__ = [
    "ENV_SWITCH",
    "compile_drc",
    "drc_in_child",
    "early_drc_child",
    "in_cache",
    "start_drc_child",
    "wait",
]

ENV_SWITCH = "SYNERGY_COMPILE_CHILD"
"""Environment variable: ``0`` never starts the compile child."""

_ROOT = str(Path(__file__).resolve().parents[2])  # the directory holding the synergy package
_LOCK = threading.Lock()  # one child per process; other threads wait for it
_EARLY: list[subprocess.Popen] = []  # started by early_drc_child, waited for by drc_in_child


def in_cache(dispatcher, unknown: bool = True) -> bool:
    """Whether numba's cache has an index file for ``dispatcher`` (it was compiled once);
    ``unknown`` if numba's cache internals changed and the question cannot be answered."""
    try:
        return os.path.exists(dispatcher._cache._cache_file._index_path)
    except AttributeError:
        return unknown


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def start_drc_child(parallel: bool) -> subprocess.Popen | None:
    """Start compiling drc's replica in a child process when that saves time.

    Parameters
    ----------
    parallel : bool
        Compile the all-cores variant (batches of ``PARALLEL_MIN_CURVES`` curves or more).

    Returns
    -------
    subprocess.Popen or None
        The child, to pass to :func:`wait` before the first drc kernel call; None when the
        replica is in numba's cache already, with fewer than two cores, when
        ``SYNERGY_COMPILE_CHILD=0``, or when no child could be started.
    """
    from synergy._kernels import drc

    if os.environ.get(ENV_SWITCH, "1") == "0" or _cores() < 2 or not sys.executable:
        return None
    if in_cache(drc._fit_drc_parallel if parallel else drc.fit_drc_range):
        return None
    env = {**os.environ, ENV_SWITCH: "0"}
    if _ROOT not in {*site.getsitepackages(), site.getusersitepackages()}:
        # synergy found through PYTHONPATH or a sys.path edit (a notebook): the same for the
        # child (site-packages is never put ahead of the standard library)
        path = os.environ.get("PYTHONPATH")
        env["PYTHONPATH"] = _ROOT if not path else os.pathsep.join([_ROOT, path])
    command = [sys.executable, "-m", "synergy._kernels.ahead", "parallel" if parallel else ""]
    try:
        return subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None


def wait(child: subprocess.Popen | None, timeout: float = 600.0) -> bool:
    """Wait for a child of :func:`start_drc_child` (None: nothing); True if it succeeded.

    A child still running after ``timeout`` seconds is killed (the caller then compiles).
    """
    if child is None:
        return False
    try:
        return child.wait(timeout) == 0
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        return False


@contextmanager
def drc_in_child(parallel: bool) -> Iterator[subprocess.Popen | None]:
    """Context: a child compiling drc's replica (:func:`start_drc_child`), waited for on exit.

    Yields the child (None when none was needed or possible); the caller compiles other
    kernels in the block and calls drc's kernels after it.  Threads of one process enter
    one at a time, so a second thread finds the replica cached instead of compiling it.
    """
    with _LOCK:
        child = _EARLY.pop() if _EARLY else start_drc_child(parallel)
        try:
            yield child
        finally:
            wait(child)


@contextmanager
def early_drc_child() -> Iterator[None]:
    """Context for a caller that will fit with drc after other work (the command line reads
    and checks its input first): the child starts now, :func:`drc_in_child` waits for it,
    and a child still running when the context ends (the caller failed first) is killed."""
    child = start_drc_child(parallel=False)  # the all-cores variant builds on it
    if child is not None:
        _EARLY.append(child)
    try:
        yield
    finally:
        if child is not None:
            if child in _EARLY:
                _EARLY.remove(child)
            if child.poll() is None:
                child.kill()
                child.wait()


def compile_drc(parallel: bool = False) -> None:
    """Compile (or load) drc's replica with the argument types ``synergy.hill.drc`` passes."""
    from synergy._kernels import drc

    n_curves = drc.PARALLEL_MIN_CURVES if parallel else 1
    conc = np.ascontiguousarray(np.tile([0.0, 1.0, 10.0, 100.0], (n_curves, 1)))
    response = np.ascontiguousarray(np.tile([0.0, 20.0, 60.0, 90.0], (n_curves, 1)))
    free = np.full(n_curves, np.nan)
    params, _, _, status = drc.fit_drc_batch(conc, response, free, free.copy(), 1e-6, True)
    drc.predict_drc_batch(params, status, conc, 1e-6)


if __name__ == "__main__":
    compile_drc(parallel=sys.argv[1:] == ["parallel"])
