"""Save and open screens as netCDF (h5netcdf, no system library) or zarr, losslessly."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from synergy.errors import FormatError
from synergy.io.outputs import check_not_input, input_paths

__all__ = ["open_screen", "save_screen"]


def _engine(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".nc", ".nc4", ".netcdf", ".h5"):
        return "netcdf"
    if suffix == ".zarr":
        return "zarr"
    raise FormatError(
        f"{path}: save a screen as .nc (netCDF) or .zarr, not {suffix or 'no suffix'!r}"
    )


def save_screen(screen: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write ``screen`` to ``path`` (``.nc`` via h5netcdf, or ``.zarr``); return the path.

    Written to a temporary name and renamed, so a reader never sees half a file.  An
    existing screen file is replaced, as xarray's ``to_netcdf`` does (notebooks re-run
    cells; the screen is in memory, so saving it over the file it was opened from is
    safe), but never a raw table the screen was read from
    (:func:`synergy.io.outputs.check_not_input`).
    """
    import shutil

    path = Path(path)
    engine = _engine(path)
    check_not_input(path, input_paths(screen))
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    encoded = _encode(screen)
    try:
        if engine == "netcdf":
            encoded.to_netcdf(tmp, engine="h5netcdf", invalid_netcdf=False)
            os.replace(tmp, path)
        else:
            encoded.to_zarr(tmp, mode="w", consolidated=False)
            if path.exists():
                shutil.rmtree(path)
            os.replace(tmp, path)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
    return path


def _encode(screen: xr.Dataset) -> xr.Dataset:
    """Make every string variable a plain object array of str (portable in netCDF and zarr)."""
    out = screen.copy()
    for name, var in out.variables.items():
        if var.dtype.kind == "U":
            out[name] = var.copy(data=var.values.astype(object))
            out[name].encoding["dtype"] = str
    return out


def open_screen(path: str | os.PathLike) -> xr.Dataset:
    """Read a screen written by :func:`save_screen` (loaded into memory).

    String coordinates and variables come back as numpy ``str`` arrays, so the result
    is identical (``xarray.testing.assert_identical``) to what was saved.
    """
    path = Path(path)
    if not path.exists():
        raise FormatError(f"{path}: no such file")
    engine = _engine(path)
    try:
        if engine == "netcdf":
            with xr.open_dataset(path, engine="h5netcdf") as handle:
                screen = handle.load()
        else:
            with xr.open_zarr(path, consolidated=False) as handle:
                screen = handle.load()
    except ImportError as exc:  # pragma: no cover - depends on installed extras
        raise FormatError(f"{path}: cannot open it: {exc}") from exc
    except Exception as exc:  # OSError, KeyError, ValueError of a damaged or foreign file
        raise FormatError(
            f"{path}: cannot open the saved screen ({type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:200]}); it is damaged or not written by synergy: "
            "score the input again"
        ) from exc
    if "response" not in screen or "block" not in screen.dims:
        raise FormatError(
            f"{path}: not a screen saved by synergy (no 'response' with a 'block' dim); "
            "open it with xarray, or score the input again"
        )
    for name, var in list(screen.variables.items()):
        if var.dtype.kind in ("O", "S", "T"):
            as_str = [str(v) for v in np.asarray(var.values, dtype=object).ravel()]
            data = (
                np.array(as_str, dtype=str).reshape(var.shape)
                if as_str
                else var.values.astype("U1")
            )
            screen[name] = var.copy(data=data)
    for var in screen.variables.values():
        var.encoding.clear()
    return screen
