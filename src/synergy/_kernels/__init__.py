"""numba kernels over plain arrays (no xarray, no pandas).

Every kernel is ``@njit(cache=True)``: numba compiles it on first use and keeps the
machine code in its cache (``__pycache__`` next to the sources, or ``NUMBA_CACHE_DIR``).
On an empty cache that first use takes seconds, so this package says so, once per process:
numba reports a compilation only on a cache miss (``numba:compile`` events; a cache hit
loads without one), and the first such event of a synergy kernel logs :data:`COMPILE_NOTE`
on the ``synergy.compile`` logger (level WARNING, so that Python shows it on stderr when
logging is not configured, e.g. in a notebook).  ``synergy warmup`` compiles every kernel
ahead (container images, clusters).
"""

from __future__ import annotations

import logging
import threading

from numba.core import event as _event

__all__ = ["COMPILE_NOTE", "FIRST_RUN_SECONDS", "compile_logger"]

FIRST_RUN_SECONDS = 10
"""Compile seconds of the default ``synergy.score`` path on a 2-core machine, rounded
(``benchmarks/bench_cold_start.py``)."""

COMPILE_NOTE = (
    f"compiling numerical kernels (first run only, ~{FIRST_RUN_SECONDS} s; "
    "`synergy warmup` compiles them all ahead)"
)
"""What :data:`compile_logger` says the first time a kernel compiles in a process."""

compile_logger = logging.getLogger("synergy.compile")


class _CompileNote(_event.Listener):
    """Log :data:`COMPILE_NOTE` at the start of the first compilation of a synergy kernel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.said = False

    def on_start(self, event: _event.Event) -> None:
        if self.said:
            return
        func = getattr(event.data.get("dispatcher"), "py_func", None)
        if not getattr(func, "__module__", "").startswith("synergy."):
            return
        with self._lock:
            if self.said:
                return
            self.said = True
        compile_logger.warning(COMPILE_NOTE)

    def on_end(self, event: _event.Event) -> None:
        pass


_event.register("numba:compile", _CompileNote())
