"""One scored chunk as an ``.npz`` file: fast, exact, and loaded without pickle.

Checkpoint files are transient (read back only by a resumed run of the same synergy
version), so they need speed and exactness, not portability: netCDF through h5netcdf costs
0.6–0.9 s per file whatever its size (a scored screen has ~80 variables, each with
dimension scales and attributes) — as long as scoring a 2,000-block chunk with
``fitter="lsq"`` — while an uncompressed ``.npz`` of the same chunk takes milliseconds.
Every variable's values go into the archive as a plain array (text as numpy ``str``); the
layout (names, dims, which are coordinates, attrs with their numpy dtypes) goes in as one
JSON string.  Reading uses ``allow_pickle=False``, so nothing in a checkpoint folder can
run code, and the Dataset that comes back is identical (``xarray.testing.
assert_identical``) to the one saved.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["load_piece", "save_piece"]

_LAYOUT = "__layout__"


def _encode(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, np.generic):
        return {"__npscalar__": value.item(), "dtype": value.dtype.str}
    if isinstance(value, list | tuple):
        return {"__" + type(value).__name__ + "__": [_encode(v) for v in value]}
    if isinstance(value, dict):
        return {"__dict__": {str(k): _encode(v) for k, v in value.items()}}
    return value


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "__ndarray__" in value:
        return np.asarray(value["__ndarray__"], dtype=np.dtype(value["dtype"]))
    if "__npscalar__" in value:
        return np.dtype(value["dtype"]).type(value["__npscalar__"])
    if "__list__" in value:
        return [_decode(v) for v in value["__list__"]]
    if "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    return {k: _decode(v) for k, v in value["__dict__"].items()}


def save_piece(piece: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write ``piece`` to ``path`` (``.npz``) under a temporary name, then rename.

    Parameters
    ----------
    piece : xarray.Dataset
        Any Dataset whose attrs are numbers, strings, numpy arrays, lists or dicts.
    path : path

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    variables = []
    for k, (name, var) in enumerate(piece.variables.items()):
        values = var.values
        if values.dtype.kind == "O":
            values = values.astype(str)
        arrays[f"v{k}"] = values
        variables.append(
            {
                "name": str(name),
                "dims": list(map(str, var.dims)),
                "coord": name in piece.coords,
                "attrs": _encode(dict(var.attrs)),
            }
        )
    layout = {"attrs": _encode(dict(piece.attrs)), "variables": variables}
    arrays[_LAYOUT] = np.array(json.dumps(layout))
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as handle:
        np.savez(handle, **arrays)
    os.replace(tmp, path)
    return path


def load_piece(path: str | os.PathLike) -> xr.Dataset:
    """Read a Dataset written by :func:`save_piece` (into memory, without pickle)."""
    with np.load(path, allow_pickle=False) as archive:
        layout = json.loads(str(archive[_LAYOUT]))
        coords, data_vars = {}, {}
        for k, item in enumerate(layout["variables"]):
            var = xr.Variable(tuple(item["dims"]), archive[f"v{k}"], attrs=_decode(item["attrs"]))
            (coords if item["coord"] else data_vars)[item["name"]] = var
    return xr.Dataset(data_vars, coords=coords, attrs=_decode(layout["attrs"]))
