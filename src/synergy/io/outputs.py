"""Writing outputs safely: never over an input, one writer per output (docs/design.md §4).

* :func:`check_not_input` refuses an output path that is one of the raw files a screen
  was read from (its provenance lists them), whoever writes (API or CLI); the CLI also
  refuses every path given as an input, saved screens included.
* :class:`OutputLock` is a lock file ``.<output name>.lock`` next to the output, created
  with ``O_CREAT | O_EXCL`` (atomic on local and NFSv3+ filesystems) and holding the
  writer's pid, host and start time.  A second writer is refused with
  :class:`OutputBusyError` naming the first.  A lock is stale, and taken over, only when it
  names this host and a pid that is no longer running (a ``kill -9``); a lock from another
  host is never guessed stale.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterable
from pathlib import Path

import xarray as xr

from synergy.errors import FormatError, SynergyError

__all__ = ["OutputBusyError", "OutputLock", "check_not_input", "input_paths", "lock_path"]


class OutputBusyError(SynergyError):
    """Another process is writing the same output."""


def input_paths(screen: xr.Dataset) -> list[str]:
    """The raw files a screen was read from (``attrs["provenance"]["sources"]``), as given."""
    try:
        provenance = json.loads(screen.attrs.get("provenance", "{}"))
    except (TypeError, ValueError):
        return []
    sources = provenance.get("sources", []) if isinstance(provenance, dict) else []
    return [str(s) for s in sources if isinstance(s, str) and s != "DataFrame"]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_not_input(path: str | os.PathLike, inputs: Iterable[str | os.PathLike]) -> None:
    """Raise :class:`~synergy.errors.FormatError` if ``path`` is one of ``inputs``.

    Compared as the same file on disk (links and relative paths included) or, for a
    file not yet written, as the same absolute path.
    """
    target = Path(path)
    for source in inputs:
        source = Path(source)
        if _same_file(target, source) or target.absolute() == source.absolute():
            raise FormatError(
                f"{target}: this is an input file of the screen; write the output to another "
                "name (an input is never written over)"
            )


def lock_path(output: str | os.PathLike) -> Path:
    """The lock file of ``output``: ``.<name>.lock`` in the same folder."""
    output = Path(output)
    return output.with_name(f".{output.name}.lock")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, owned by someone else
        return True
    except OSError:
        return True
    return True


_HELD: dict[Path, int] = {}  # locks this process holds, with a nesting count


class OutputLock:
    """Hold the lock of one output while writing it (a context manager, re-entrant).

    Parameters
    ----------
    output : path
        The output file or folder (``.nc``, ``.zarr``, ``.html`` …).

    Raises
    ------
    OutputBusyError
        On entering, when another live process holds the lock: "another run (pid N on
        HOST, since T) is writing OUT".
    """

    def __init__(self, output: str | os.PathLike) -> None:
        self.output = Path(output)
        self.path = lock_path(self.output)
        self._key = self.path.absolute()

    def __enter__(self) -> OutputLock:
        if self._key in _HELD:
            _HELD[self._key] += 1
            return self
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "output": str(self.output),
        }
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder is not None and not self._stale(holder):
                    raise OutputBusyError(
                        f"another run (pid {holder.get('pid')} on {holder.get('host')}, since "
                        f"{holder.get('started')}) is writing {self.output}; wait for it to "
                        f"finish, or delete {self.path} if that run is gone"
                    ) from None
                self._take_over(holder)
                continue
            except OSError as exc:
                raise FormatError(
                    f"{self.path}: cannot create the lock file of {self.output}: "
                    f"{exc.strerror or exc}"
                ) from exc
            with os.fdopen(fd, "w") as handle:
                json.dump(record, handle)
            _HELD[self._key] = 1
            return self
        raise OutputBusyError(f"{self.path}: cannot take the lock of {self.output}; try again")

    def _holder(self) -> dict | None:
        """The lock's record; None while its writer has not finished writing it."""
        for _ in range(20):
            try:
                text = self.path.read_text()
            except FileNotFoundError:
                return {}
            try:
                return json.loads(text)
            except ValueError:
                time.sleep(0.05)  # created but not yet written by its owner
        return {"pid": "?", "host": "?", "started": "?"}

    @staticmethod
    def _stale(holder: dict) -> bool:
        if not holder:  # removed meanwhile: try again
            return True
        pid = holder.get("pid")
        return (
            holder.get("host") == socket.gethostname()
            and isinstance(pid, int)
            and pid != os.getpid()
            and not _pid_alive(pid)
        )

    def _take_over(self, holder: dict | None) -> None:
        """Remove the stale lock; if another process replaced it meanwhile, put theirs back."""
        aside = self.path.with_name(f"{self.path.name}.stale-{os.getpid()}")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:
            return
        try:
            moved = json.loads(aside.read_text())
        except (OSError, ValueError):
            moved = None
        if holder and moved != holder:  # a fresh lock of a live writer: restore it
            with contextlib.suppress(OSError):
                os.link(aside, self.path)
        aside.unlink(missing_ok=True)

    def __exit__(self, *exc) -> None:
        count = _HELD.get(self._key, 0) - 1
        if count > 0:
            _HELD[self._key] = count
            return
        _HELD.pop(self._key, None)
        self.path.unlink(missing_ok=True)
