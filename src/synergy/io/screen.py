"""The screen data model (docs/design.md §1): construction from arrays and its invariants.

A *screen* is one plain :class:`xarray.Dataset`, in one of two layouts
(:mod:`synergy.io.layout`).  Pairs::

    dims    block, row, col, replicate
    coords  block (str), drug_row, drug_col, sample (block, str),
            conc_row (block, row), conc_col (block, col)   ascending, first is 0, NaN padded
    data    response (block, row, col, replicate)          % inhibition, NaN = no well
            n_control (block)                              (0, 0) wells averaged into cell (0, 0)
    attrs   conc_unit, response_kind="inhibition", provenance (JSON string)

N ≥ 3 drugs (docs/design.md §1.1)::

    dims    block, well, drug, replicate
    coords  block (str), drug (1 … N), drug_name (block, drug, str), sample (block, str),
            conc (block, well, drug)          doses, wells sorted by (conc_1, …, conc_N);
                                              well 0 is the all-zero control; NaN padded
    data    response (block, well, replicate) % inhibition, NaN = no well
            n_control (block)                 control wells averaged into well 0
    attrs   conc_unit, response_kind="inhibition", provenance (JSON), n_drugs

This module builds screens (:func:`build_screen`, :func:`build_multi_screen`) and checks
them (:func:`check_screen`, :func:`screen_problems` for either layout); readers and the
simulators go through the builders, so every screen in the package satisfies the same
invariants.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from synergy.errors import ScreenError
from synergy.io.layout import is_multi

__all__ = [
    "MULTI_DIMS",
    "SCREEN_DIMS",
    "build_multi_screen",
    "build_screen",
    "check_screen",
    "multi_problems",
    "pair_problems",
    "screen_problems",
]

SCREEN_DIMS = ("block", "row", "col", "replicate")
MULTI_DIMS = ("block", "well", "replicate")


def _as_str_array(values: Sequence[Any] | np.ndarray, n_block: int, name: str) -> np.ndarray:
    out = np.asarray(values, dtype=object)
    if out.ndim == 0:
        out = np.full(n_block, out.item(), dtype=object)
    if out.shape != (n_block,):
        raise ScreenError(
            f"{name} must have one entry per block ({n_block}), got shape {out.shape}"
        )
    return np.array([str(v) for v in out], dtype=str if n_block else "<U1")


def build_screen(
    block: Sequence[Any] | np.ndarray,
    drug_row: Sequence[str] | str,
    drug_col: Sequence[str] | str,
    sample: Sequence[str] | str,
    conc_row: np.ndarray,
    conc_col: np.ndarray,
    response: np.ndarray,
    *,
    conc_unit: str,
    n_control: np.ndarray | None = None,
    provenance: dict[str, Any] | None = None,
    extra_coords: dict[str, tuple[str, np.ndarray]] | None = None,
) -> xr.Dataset:
    """Assemble a screen Dataset from dense arrays and check its invariants.

    Parameters
    ----------
    block : sequence, length B
        Block ids as given by the input; stored as strings (docs/design.md §6.1).
    drug_row, drug_col, sample : sequence of str, length B, or one str for all blocks
        Row drug, column drug and sample (cell line, specimen) of each block.
    conc_row : ndarray, shape (B, R), in ``conc_unit``
        Doses of the row drug, ascending, first 0, NaN padded at the end.
    conc_col : ndarray, shape (B, C), in ``conc_unit``
        Doses of the column drug, same rules.
    response : ndarray, shape (B, R, C, K), % inhibition
        One value per well and replicate; NaN where no well was measured.
    conc_unit : str
        The unit of every concentration in the screen (e.g. ``"nM"``).
    n_control : ndarray of int, shape (B,), optional
        Number of (0, 0) control wells averaged into cell (0, 0).  Defaults to the
        number of non-NaN replicates in that cell.
    provenance : dict, optional
        Where the data came from; stored as a JSON string in ``attrs["provenance"]``.
    extra_coords : dict, optional
        Further per-block coordinates, ``{"source_file": ("block", values)}``.

    Returns
    -------
    xarray.Dataset
        The screen; :func:`check_screen` has passed on it.
    """
    response = np.ascontiguousarray(response, dtype=np.float64)
    if response.ndim != 4:
        raise ScreenError(
            f"response must be 4-D (block, row, col, replicate), got {response.ndim}-D"
        )
    n_block, n_row, n_col, _ = response.shape
    conc_row = np.asarray(conc_row, dtype=np.float64).reshape(n_block, n_row)
    conc_col = np.asarray(conc_col, dtype=np.float64).reshape(n_block, n_col)
    block_ids = _as_str_array(block, n_block, "block")
    if n_control is None:
        n_control = np.sum(np.isfinite(response[:, 0, 0, :]), axis=-1)
    coords: dict[str, Any] = {
        "block": ("block", block_ids),
        "drug_row": ("block", _as_str_array(drug_row, n_block, "drug_row")),
        "drug_col": ("block", _as_str_array(drug_col, n_block, "drug_col")),
        "sample": ("block", _as_str_array(sample, n_block, "sample")),
        "conc_row": (("block", "row"), conc_row, {"units": conc_unit}),
        "conc_col": (("block", "col"), conc_col, {"units": conc_unit}),
    }
    for name, (dim, values) in (extra_coords or {}).items():
        coords[name] = (dim, _as_str_array(values, n_block, name))
    screen = _dataset(SCREEN_DIMS, response, n_control, coords, conc_unit, provenance)
    check_screen(screen)
    return screen


def _dataset(
    dims: tuple[str, ...],
    response: np.ndarray,
    n_control: np.ndarray,
    coords: dict[str, Any],
    conc_unit: str,
    provenance: dict[str, Any] | None,
    n_drugs: int | None = None,
) -> xr.Dataset:
    """The screen Dataset of either layout from its response, controls and coordinates."""
    attrs: dict[str, Any] = {"conc_unit": conc_unit, "response_kind": "inhibition"}
    if n_drugs is not None:
        attrs["n_drugs"] = n_drugs
    attrs["provenance"] = json.dumps(provenance or {}, sort_keys=True, default=str)
    return xr.Dataset(
        {
            "response": (
                dims,
                response,
                {"units": "%", "long_name": "inhibition (0 = untreated, 100 = no viable cells)"},
            ),
            "n_control": ("block", np.asarray(n_control, dtype=np.int64)),
        },
        coords=coords,
        attrs=attrs,
    )


def screen_problems(screen: xr.Dataset) -> list[str]:
    """List every violation of the screen invariants (empty list = valid).

    Structural problems (missing variables, wrong dims) and per-block data problems
    (descending or non-zero-first dose grids, duplicate block ids, blocks without
    any monotherapy well) are all reported, each naming the block.
    """
    if is_multi(screen):  # the validation of each layout (docs/design.md §1, §1.1)
        return multi_problems(screen)
    return pair_problems(screen)


def pair_problems(screen: xr.Dataset) -> list[str]:
    """Problems of a pair screen (``block, row, col``), one line each (empty when valid)."""
    problems: list[str] = []
    for name in ("response",):
        if name not in screen:
            problems.append(f"missing data variable {name!r}")
    for name in ("drug_row", "drug_col", "sample", "conc_row", "conc_col"):
        if name not in screen.coords:
            problems.append(f"missing coordinate {name!r}")
    if problems:
        return problems
    if screen["response"].dims != SCREEN_DIMS:
        problems.append(f"response dims are {screen['response'].dims}, expected {SCREEN_DIMS}")
        return problems
    if screen.attrs.get("response_kind", "inhibition") != "inhibition":
        problems.append("attrs['response_kind'] must be 'inhibition' (readers convert viability)")
    if "conc_unit" not in screen.attrs:
        problems.append("attrs['conc_unit'] is missing")
    block_ids = [str(b) for b in np.asarray(screen["block"].values).astype(str)]  # plain str
    uniq, counts = np.unique(block_ids, return_counts=True)
    for dup in uniq[counts > 1]:
        problems.append(f"block id {str(dup)!r} occurs {int(counts[uniq == dup][0])} times")
    response = np.asarray(screen["response"].values, dtype=np.float64)
    for axis_name in ("conc_row", "conc_col"):
        conc = np.asarray(screen[axis_name].values, dtype=np.float64)
        finite = np.isfinite(conc)
        # NaN padding only at the end of each grid
        bad_pad = np.any(~finite[:, :-1] & finite[:, 1:], axis=1)
        first_not_zero = ~(conc[:, 0] == 0.0)
        with np.errstate(invalid="ignore"):
            steps = np.diff(conc, axis=1)
        not_ascending = np.any(steps <= 0, axis=1)
        negative = np.any(conc < 0, axis=1)
        for i in np.flatnonzero(bad_pad | first_not_zero | not_ascending | negative):
            problems.append(
                f"block {block_ids[i]!r}: {axis_name} must ascend from 0 with NaN padding "
                f"at the end, got {conc[i][np.isfinite(conc[i])].tolist()}"
            )
    # wells outside a block's dose grid must be NaN
    row_pad = ~np.isfinite(screen["conc_row"].values)
    col_pad = ~np.isfinite(screen["conc_col"].values)
    outside = row_pad[:, :, None] | col_pad[:, None, :]
    has_value = np.any(np.isfinite(response), axis=-1)
    for i in np.flatnonzero(np.any(outside & has_value, axis=(1, 2))):
        problems.append(f"block {block_ids[i]!r}: responses in padded rows/columns")
    mono_row = np.any(np.isfinite(response[:, 1:, 0, :]), axis=(1, 2))
    mono_col = np.any(np.isfinite(response[:, 0, 1:, :]), axis=(1, 2))
    for i in np.flatnonzero(~mono_row):
        problems.append(f"block {block_ids[i]!r}: no monotherapy well of the row drug")
    for i in np.flatnonzero(~mono_col):
        problems.append(f"block {block_ids[i]!r}: no monotherapy well of the column drug")
    return problems


def build_multi_screen(
    block: np.ndarray,
    drug_name: np.ndarray,
    sample: np.ndarray,
    conc: np.ndarray,
    response: np.ndarray,
    *,
    conc_unit: str,
    n_control: np.ndarray | None = None,
    provenance: dict[str, Any] | None = None,
    extra_coords: dict[str, tuple[str, np.ndarray]] | None = None,
) -> xr.Dataset:
    """Assemble an N-drug screen from dense arrays and check its invariants.

    Parameters
    ----------
    block : (B,) block ids (stored as str)
    drug_name : (B, N) drug of each block's drug axis
    sample : (B,) sample of each block
    conc : (B, W, N) doses in ``conc_unit`` (NaN for padding wells)
    response : (B, W, K) % inhibition, NaN = not measured
    conc_unit : str
    n_control : (B,) int, optional
        Control wells averaged into well 0 (default: its measured replicates).
    provenance : dict, optional
    extra_coords : dict, optional
        Further per-block coordinates ``{name: ("block", values)}``.

    Returns
    -------
    xarray.Dataset
    """
    response = np.ascontiguousarray(response, dtype=np.float64)
    conc = np.ascontiguousarray(conc, dtype=np.float64)
    if response.ndim != 3 or conc.ndim != 3 or conc.shape[:2] != response.shape[:2]:
        raise ScreenError(
            f"need conc (block, well, drug) and response (block, well, replicate) with the "
            f"same blocks and wells; got {conc.shape} and {response.shape}"
        )
    n_block, _, n_drug = conc.shape
    if n_control is None:
        n_control = np.sum(np.isfinite(response[:, 0, :]), axis=-1)
    coords: dict[str, Any] = {
        "block": ("block", np.asarray(block, dtype=str)),
        "drug": ("drug", np.arange(1, n_drug + 1)),
        "drug_name": (("block", "drug"), np.asarray(drug_name, dtype=str).reshape(n_block, n_drug)),
        "sample": ("block", np.asarray(sample, dtype=str).reshape(n_block)),
        "conc": (("block", "well", "drug"), conc, {"units": conc_unit}),
    }
    for name, (dim, values) in (extra_coords or {}).items():
        coords[name] = (dim, np.asarray(values, dtype=str))
    screen = _dataset(MULTI_DIMS, response, n_control, coords, conc_unit, provenance, n_drug)
    problems = multi_problems(screen, strict=True)
    if problems:
        raise ScreenError("invalid N-drug screen: " + "; ".join(problems))
    return screen


def multi_problems(screen: xr.Dataset, *, strict: bool = False) -> list[str]:
    """Problems of an N-drug screen, one line each (empty when it is usable).

    ``strict`` lists only violations of the layout's invariants; otherwise also data
    problems a user should know (blocks without single-drug wells, without wells where every
    drug is present).
    """
    problems = []
    conc = np.asarray(screen["conc"].values)
    blocks = np.array([str(b) for b in screen["block"].values], dtype=object)  # messages: '1'
    finite = np.isfinite(conc)
    partial = finite.any(axis=2) & ~finite.all(axis=2)
    if partial.any():
        problems.append(
            f"blocks {sorted(set(blocks[np.nonzero(partial)[0]]))[:5]}: a well "
            "with doses for some drugs only"
        )
    if (conc[finite] < 0).any():
        problems.append("negative doses")
    if np.isinf(np.asarray(screen["response"].values)).any():
        problems.append("infinite responses")
    if strict:
        return problems
    measured = np.isfinite(np.asarray(screen["response"].values)).any(axis=2)
    present = np.where(finite, conc > 0, False)
    n_present = present.sum(axis=2)
    for b, block in enumerate(blocks):
        if not (measured[b] & (n_present[b] == conc.shape[2])).any():
            problems.append(f"block {block!r}: no measured well with every drug present")
        for k in range(conc.shape[2]):
            single = measured[b] & present[b, :, k] & (n_present[b] == 1)
            if not single.any():
                name = screen["drug_name"].values[b, k]
                problems.append(f"block {block!r}: no single-drug well of drug {k + 1} ({name})")
    return problems


# problems that do not make a Dataset unusable: a block without monotherapy is
# kept and scored with a status (docs/design.md §6.4)
_SOFT = ("no monotherapy well",)


def check_screen(screen: xr.Dataset) -> None:
    """Raise :class:`~synergy.errors.ScreenError` if ``screen`` breaks a hard invariant.

    Blocks without monotherapy wells are *not* errors (they get a status when scored);
    :func:`screen_problems` lists them.
    """
    hard = [p for p in screen_problems(screen) if not any(s in p for s in _SOFT)]
    if hard:
        shown = "\n  ".join(hard[:20])
        more = f"\n  (+{len(hard) - 20} more)" if len(hard) > 20 else ""
        raise ScreenError(f"not a valid screen:\n  {shown}{more}")
