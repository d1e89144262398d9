"""Checkpoints of a batch run: completed chunks on disk, so a killed run can resume.

Layout of the checkpoint folder (by default ``<output>.checkpoint/`` next to the output)::

    manifest.json            written once: format, synergy version, the input's
                             fingerprint, the scoring settings, the chunk plan
    chunk-000003-0.npz       a scored piece of chunk 3 (:mod:`synergy.batch.piecefile`)
    chunk-000003.json        chunk 3 is complete: its pieces (file, or error for blocks
                             whose scoring raised), written last

Why per-chunk files and not regions of one zarr store: a zarr region write needs the
whole output's layout (every variable, its dtype, the widest ``status_reason``) before the
first chunk is scored, and a SIGKILL in the middle of a region write leaves a region
half-written with nothing to tell it from a complete one.  Why ``.npz`` and not netCDF:
h5netcdf costs ~0.8 s per file whatever its size, as long as scoring a 2,000-block chunk
(:mod:`synergy.batch.piecefile`).  A per-chunk file is written to a temporary name and
renamed, then its ``.json`` marker is renamed into place: a chunk is complete exactly
when its marker exists, so a kill at any instant loses at most the chunks in flight,
never mixes a half chunk into the output, and never scores a block twice.  The files are
independent of the output format (``.nc`` or ``.zarr``) and of where the chunks were
computed (the driver writes them, so dask workers need no shared filesystem).

The manifest keys the checkpoint to the input's content (:func:`fingerprint`: every
variable, coordinate and attribute) and to the settings that change scores; resuming
with another input, other settings or another synergy version is refused.  The chunk
plan is the stored one (chunking does not change scores), so ``chunk_blocks`` and the
number of workers may differ on resume.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from synergy._version import __version__
from synergy.batch.chunks import Piece
from synergy.batch.piecefile import load_piece, save_piece
from synergy.errors import SynergyError

__all__ = ["Checkpoint", "fingerprint"]

FORMAT = 2
MANIFEST = "manifest.json"


def fingerprint(screen: xr.Dataset) -> str:
    """A BLAKE2b digest of a screen's content: names, dims, dtypes, values and attrs.

    Parameters
    ----------
    screen : xarray.Dataset

    Returns
    -------
    str
        32 hex digits; equal for screens that are identical (``assert_identical``).
    """
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(map(str, screen.variables)):
        var = screen.variables[name]
        header = [name, ",".join(map(str, var.dims)), str(var.shape), var.dtype.kind]
        digest.update("\x1e".join(header).encode())
        values = var.values
        if values.dtype.kind in "USOT":
            digest.update("\x1f".join(map(str, values.ravel().tolist())).encode("utf-8"))
        else:
            digest.update(memoryview(np.ascontiguousarray(values)).cast("B"))
        digest.update(json.dumps(var.attrs, sort_keys=True, default=str).encode())
    digest.update(json.dumps(screen.attrs, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _write_json(path: Path, content: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(content, indent=1, sort_keys=True))
    os.replace(tmp, path)


class Checkpoint:
    """The checkpoint folder of one batch run.

    Use :meth:`open`; then :meth:`completed` lists the chunks already done,
    :meth:`load` reads one back, :meth:`save` records a finished chunk, and
    :meth:`remove` deletes the folder after the output is written.
    """

    def __init__(self, folder: Path, chunks: list[tuple[int, int]]) -> None:
        self.folder = folder
        self.chunks = chunks

    @classmethod
    def open(
        cls,
        folder: str | os.PathLike,
        screen: xr.Dataset,
        settings: dict[str, Any],
        chunks: list[tuple[int, int]],
        *,
        resume: bool,
    ) -> Checkpoint:
        """Create the folder, or reopen it to resume.

        Parameters
        ----------
        folder : path
            The checkpoint folder.
        screen : xarray.Dataset
            The input screen (its fingerprint keys the checkpoint).
        settings : dict
            JSON-serialisable settings that change the scores.
        chunks : list of (start, stop)
            The chunk plan of a new run (a resumed run keeps the stored plan).
        resume : bool
            Reopen an existing checkpoint; without it an existing folder is an error
            (it holds an interrupted run's work).

        Raises
        ------
        SynergyError
            The folder exists and ``resume`` is False, or it was made from another input,
            other settings or another version.
        """
        folder = Path(folder)
        manifest = {
            "format": FORMAT,
            "synergy_version": __version__,
            "fingerprint": fingerprint(screen),
            "settings": json.loads(json.dumps(settings, sort_keys=True)),
            "n_blocks": int(screen.sizes["block"]),
        }
        path = folder / MANIFEST
        if folder.exists() and not resume:
            raise SynergyError(
                f"{folder}: a checkpoint of an interrupted run exists; resume it "
                "(--resume / resume=True) or delete the folder to start again"
            )
        if resume and path.exists():
            stored = json.loads(path.read_text())
            for key, value in manifest.items():
                if stored.get(key) != value:
                    raise SynergyError(
                        f"{folder}: cannot resume: the {key.replace('_', ' ')} "
                        f"{'differ' if key.endswith('s') else 'differs'} "
                        f"(checkpoint {stored.get(key)!r}, now {value!r}); resume with the "
                        "same input and options, or delete the folder to start again"
                    )
            return cls(folder, [tuple(c) for c in stored["chunks"]])
        folder.mkdir(parents=True, exist_ok=True)
        _write_json(path, {**manifest, "chunks": [list(c) for c in chunks]})
        return cls(folder, list(chunks))

    def _marker(self, index: int) -> Path:
        return self.folder / f"chunk-{index:06d}.json"

    def completed(self) -> list[int]:
        """Indices of the chunks whose marker exists (complete chunks)."""
        return [i for i in range(len(self.chunks)) if self._marker(i).exists()]

    def load(self, index: int) -> Iterator[Piece]:
        """The pieces of a completed chunk, read back one at a time."""
        record = json.loads(self._marker(index).read_text())
        for item in record["pieces"]:
            if "file" in item:
                try:
                    scored = load_piece(self.folder / item["file"])
                except (OSError, ValueError, KeyError) as exc:
                    raise SynergyError(
                        f"{self.folder}: cannot read {item['file']} ({exc}); delete the "
                        "checkpoint folder to start again"
                    ) from exc
                yield Piece(item["start"], item["stop"], scored=scored)
            else:
                yield Piece(item["start"], item["stop"], error=item["error"])

    def save(self, index: int, pieces: list[Piece]) -> None:
        """Record chunk ``index`` as complete: its scored pieces (``.npz``), then the marker."""
        items = []
        for k, piece in enumerate(pieces):
            item: dict[str, Any] = {"start": piece.start, "stop": piece.stop}
            if piece.scored is not None:
                name = f"chunk-{index:06d}-{k}.npz"
                save_piece(piece.scored, self.folder / name)
                item["file"] = name
            else:
                item["error"] = piece.error
            items.append(item)
        _write_json(self._marker(index), {"chunk": index, "pieces": items})

    def remove(self) -> None:
        """Delete the checkpoint folder (after the output is safely written)."""
        shutil.rmtree(self.folder, ignore_errors=True)
