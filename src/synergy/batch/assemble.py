"""Put the scored pieces of a screen back together, in block order, as one Dataset.

Pieces arrive in any order (dask) and some come from checkpoint files.  Each numeric
variable with a ``block`` dimension is written into one preallocated array as its piece
arrives and the piece is dropped, so the peak memory is the output plus the chunks in
flight, not twice the output (as ``xarray.concat`` of all pieces would be).  String
variables are joined at the end (numpy picks the widest string, as a single call would).

Blocks of failed pieces (:class:`synergy.batch.chunks.Piece` with ``error``) are kept:
variables the input screen has (``response``, doses, injected fits …) come from the input;
the others are filled — NaN (float), ``False`` (bool), ``-1`` (integers: codes and counts
that were not computed), ``""`` (str) — except ``status`` = 2 (failed) and
``status_reason`` = ``"error: <ExceptionType>: <message>"``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.batch.chunks import Piece
from synergy.io.groups import fill_value

__all__ = ["ERROR_PREFIX", "Assembler"]

#: ``status_reason`` of blocks whose scoring raised
ERROR_PREFIX = "error: "


def _with_not_scored(attrs: dict) -> dict:
    """CF flag attrs extended by ``-1 not_scored`` (the fill of blocks whose scoring raised)."""
    values = np.atleast_1d(attrs["flag_values"])
    if (values == -1).any():
        return attrs
    return {
        **attrs,
        "flag_values": np.concatenate([[-1], values]).astype(values.dtype),
        "flag_meanings": "not_scored " + str(attrs.get("flag_meanings", "")),
    }


class Assembler:
    """Collects pieces covering ``screen``'s blocks and builds the scored screen.

    Parameters
    ----------
    screen : xarray.Dataset
        The whole input screen (failed blocks take its variables).
    """

    def __init__(self, screen: xr.Dataset) -> None:
        self.screen = screen
        self.n_blocks = screen.sizes["block"]
        self._template: xr.Dataset | None = None
        self._template_start = -1
        self._numeric: dict[str, np.ndarray] = {}
        self._text: dict[str, dict[int, np.ndarray]] = {}
        self._failed: list[Piece] = []
        self._covered = np.zeros(self.n_blocks, dtype=bool)

    @property
    def has_scored(self) -> bool:
        """True once at least one scored piece was added."""
        return self._template is not None

    def add(self, piece: Piece) -> None:
        """Take one piece (scored or failed); its data are copied and it can be dropped."""
        if self._covered[piece.start : piece.stop].any():
            raise RuntimeError(
                f"blocks {piece.start}–{piece.stop - 1} were delivered twice (a bug in "
                "synergy.batch; please report it)"
            )
        self._covered[piece.start : piece.stop] = True
        if piece.scored is None:
            self._failed.append(Piece(piece.start, piece.stop, error=piece.error))
            return
        scored = piece.scored
        if self._template is None or piece.start < self._template_start:
            # the first piece in block order gives attrs and non-block variables, so the
            # result does not depend on which piece happened to finish first
            self._template = scored.isel(block=slice(0, 0))
            self._template_start = piece.start
        for name, var in scored.variables.items():
            if "block" not in var.dims:
                continue
            axis = var.dims.index("block")
            index = [slice(None)] * var.ndim
            index[axis] = slice(piece.start, piece.stop)
            values = var.values
            if values.dtype.kind in "USOT":
                self._text.setdefault(str(name), {})[piece.start] = values
                continue
            out = self._numeric.get(str(name))
            if out is None:
                shape = list(values.shape)
                shape[axis] = self.n_blocks
                out = np.empty(shape, dtype=values.dtype)
                self._numeric[str(name)] = out
            elif out.dtype != values.dtype:
                out = out.astype(np.result_type(out.dtype, values.dtype))
                self._numeric[str(name)] = out
            out[tuple(index)] = values

    def finish(self) -> xr.Dataset:
        """The scored screen, blocks in the input's order.

        Raises
        ------
        RuntimeError
            When a block was never delivered, or no piece was scored at all.
        """
        if not self._covered.all():
            missing = np.flatnonzero(~self._covered)
            raise RuntimeError(f"{missing.size} blocks were never scored (first: {missing[0]})")
        template = self._template
        if template is None:
            raise RuntimeError("no block could be scored")
        for piece in self._failed:
            self._fill_failed(template, piece)
        variables = {}
        for name, var in template.variables.items():
            if "block" not in var.dims:
                variables[name] = var
                continue
            if name in self._numeric:
                data = self._numeric[str(name)]
            else:
                parts = self._text[str(name)]
                data = np.concatenate(
                    [parts[k] for k in sorted(parts)], axis=var.dims.index("block")
                )
            attrs = var.attrs
            if self._failed and "flag_values" in attrs and data.dtype.kind in "iu":
                attrs = _with_not_scored(attrs)
            variables[name] = xr.Variable(var.dims, data, attrs=attrs)
        coords = {name: variables[name] for name in template.coords}
        data_vars = {name: variables[name] for name in template.data_vars}
        return xr.Dataset(data_vars, coords=coords, attrs=template.attrs)

    def _fill_failed(self, template: xr.Dataset, piece: Piece) -> None:
        """Write the failed piece's blocks: input values where the input has the variable."""
        source = self.screen.isel(block=slice(piece.start, piece.stop))
        for name, var in template.variables.items():
            if "block" not in var.dims:
                continue
            axis = var.dims.index("block")
            shape = list(var.shape)
            shape[axis] = piece.n_blocks
            if name == "status":
                values = np.full(shape, 2, dtype=var.dtype)
            elif name == "status_reason":
                values = np.full(shape, ERROR_PREFIX + str(piece.error), dtype=object)
            elif name in source.variables and source[name].dims == var.dims:
                values = source[name].values
            else:
                values = np.full(shape, fill_value(var.dtype), dtype=var.dtype)
            if str(name) in self._numeric:
                index = [slice(None)] * var.ndim
                index[axis] = slice(piece.start, piece.stop)
                self._numeric[str(name)][tuple(index)] = values
            else:
                self._text.setdefault(str(name), {})[piece.start] = values.astype(str)
