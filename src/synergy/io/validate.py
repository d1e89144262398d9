"""One place that says whether an input or a screen is usable, and what is wrong with it."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd
import xarray as xr

from synergy.errors import SynergyError
from synergy.io.columns import normalise_name
from synergy.io.layout import cell_dims, drug_axes, measured_cells, per_drug_names
from synergy.io.response_kind import screen_response_warnings
from synergy.io.screen import screen_problems
from synergy.io.sniff import DELIMITERS, file_kind, read_text
from synergy.io.table import _n_distinct

__all__ = ["ValidationReport", "describe", "open_any", "validate"]

# problems a block is still scored with (a status), not errors (docs/design.md §6.4)
_HARD_MARKERS = ("no monotherapy well", "no single-drug well", "no measured well with every drug")


@dataclass
class ValidationReport:
    """What :func:`validate` found.

    Attributes
    ----------
    source : str
        The file (or ``"Dataset"``) checked.
    errors : list of str
        Problems that stop the input from being read or scored at all.
    warnings : list of str
        Problems that are kept and scored with a status (e.g. a block without a
        monotherapy edge, docs/design.md §6.4).
    screen : xarray.Dataset or None
        The screen, when it could be read.
    """

    source: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    screen: xr.Dataset | None = None

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def __str__(self) -> str:
        lines = [f"{self.source}: {'OK' if self.ok else 'INVALID'}"]
        lines += [f"  error: {e}" for e in self.errors]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def validate(
    source: xr.Dataset | str | os.PathLike | pd.DataFrame, **read_kwargs
) -> ValidationReport:
    """Check an input file, DataFrame or screen Dataset without raising.

    Parameters
    ----------
    source : Dataset, path or DataFrame
        A screen, or anything :func:`synergy.read_screen` reads (``.nc``/``.zarr``
        files are opened as saved screens).
    **read_kwargs
        Passed to :func:`synergy.read_screen` (``response_kind``, ``conc_unit`` …).

    Returns
    -------
    ValidationReport
        ``report.ok`` is False when the input cannot be read or breaks a screen
        invariant; every problem is listed with its file, line, block and column.
    """
    if isinstance(source, xr.Dataset):
        screen = source
        report = ValidationReport("Dataset", screen=screen)
    else:
        name = "DataFrame" if isinstance(source, pd.DataFrame) else str(source)
        report = ValidationReport(name)
        try:
            screen = report.screen = open_any(source, **read_kwargs)
        except SynergyError as exc:
            report.errors.append(str(exc))
            return report
    for problem in screen_problems(screen):
        if any(marker in problem for marker in _HARD_MARKERS):
            report.warnings.append(problem)
        else:
            report.errors.append(problem)
    if "response" in screen and "block" in screen.dims and not report.errors:
        words = screen_response_warnings(screen)
        blocks = screen["block"].values
        for i in np.flatnonzero(words != "")[:20]:
            report.warnings.append(f"block {str(blocks[i])!r}: {words[i]} (scored with a warning)")
    provenance = screen.attrs.get("provenance", "{}")
    if '"n_missing_response": 0' not in provenance and "n_missing_response" in provenance:
        import json

        missing = json.loads(provenance)["n_missing_response"]
        report.warnings.append(f"{missing} input rows have an empty response (kept as NaN)")
    return report


def _looks_like_matrix(path: Path) -> bool:
    """True when the file starts with a ``Drug1:``-style metadata line (plate-matrix layout):
    a metadata key ending in ``:``, or a key with at most one value after it (a long table's
    header names many columns).  Read through the one text loader (:mod:`synergy.io.sniff`)."""
    if path.suffix.lower() not in (".csv", ".tsv", ".txt") or file_kind(path) != "text":
        return False
    text = read_text(path, need_delimiter=False)
    first = text.lines[0]
    sep = max(DELIMITERS, key=first.count)
    cells = [c.strip() for c in first.split(sep)]
    filled = [c for c in cells if c]
    return normalise_name(cells[0]) in ("drug1", "drug_row", "pairindex", "block_id") and (
        cells[0].endswith(":") or len(filled) <= 2
    )


@overload
def open_any(source, groups: Literal[False] = ..., **read_kwargs) -> xr.Dataset: ...


@overload
def open_any(source, groups: bool, **read_kwargs) -> xr.Dataset | list[xr.Dataset]: ...


def open_any(source, groups: bool = False, **read_kwargs) -> xr.Dataset | list[xr.Dataset]:
    """Read a screen from anything: a saved ``.nc``/``.zarr`` screen, a plate-matrix file
    (:func:`synergy.read_matrix`), or a long table / DataFrame (:func:`synergy.read_screen`);
    a list of sources is one screen.  ``groups=True`` returns its shape groups (a long table
    is read group by group, never densely; docs/design.md §16.4)."""
    if isinstance(source, list | tuple):
        from synergy.io.reader import read_screen

        return read_screen(list(source), groups=groups, **read_kwargs)
    if not isinstance(source, pd.DataFrame):
        path = Path(source)
        screen = None
        if path.suffix.lower() in (".nc", ".zarr", ".nc4"):
            from synergy.io.store import open_screen

            screen = open_screen(path)
        elif _looks_like_matrix(path):
            from synergy.io.matrix import read_matrix

            read_kwargs.pop("sheet", None)  # a text file: no sheets
            screen = read_matrix(path, **read_kwargs)
        if screen is not None:
            from synergy.io.groups import shape_groups

            return shape_groups(screen) if groups else screen
    from synergy.io.reader import read_screen

    return read_screen(source, groups=groups, **read_kwargs)


def describe(screen: xr.Dataset) -> pd.DataFrame:
    """One row per block: drugs, sample, dose-grid sizes, replicates, wells, controls.

    Columns: ``block, drug_row, drug_col, sample, n_row_doses, n_col_doses, n_wells,
    n_replicates, n_values, n_missing_wells, control_mean (% inhibition), max_inhibition
    (% inhibition)``.  Doses count the zero dose; ``n_wells`` counts the block's own
    design (dose combinations).  N-drug screens: ``drug1 … drugN`` and ``n_doses1 … N``
    instead of the pair's columns (:func:`synergy.io.layout.per_drug_names`).
    """
    names, doses, _ = drug_axes(screen)
    cells = cell_dims(screen)
    response = screen["response"].transpose("block", *cells, "replicate").values
    n_block, n_cell = response.shape[0], int(np.prod(response.shape[1:-1]))
    response = response.reshape(n_block, n_cell, response.shape[-1])  # (B, cells, K)
    finite = np.isfinite(response)
    design = measured_cells(screen).reshape(n_block, n_cell)
    n_doses = [_n_distinct(dose) for dose in doses]
    drug_names = per_drug_names(screen, ("drug_row", "drug_col"), "drug{}")
    dose_names = per_drug_names(screen, ("n_row_doses", "n_col_doses"), "n_doses{}")
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN control cells
        control = np.nanmean(np.where(finite[:, 0], response[:, 0], np.nan), axis=-1)
        max_inh = np.nanmax(np.where(finite, response, -np.inf), axis=(1, 2))
    columns: dict[str, object] = {"block": screen["block"].values.astype(str)}
    columns.update({name: names[:, i].astype(str) for i, name in enumerate(drug_names)})
    columns["sample"] = screen["sample"].values.astype(str)
    columns.update(dict(zip(dose_names, n_doses, strict=True)))
    columns.update(
        n_wells=design.sum(axis=1),
        n_replicates=finite.sum(axis=2).max(axis=1),
        n_values=finite.sum(axis=(1, 2)),
        n_missing_wells=(design & ~finite.any(axis=2)).sum(axis=1),
        control_mean=control,
        max_inhibition=np.where(np.isfinite(max_inh), max_inh, np.nan),
    )
    return pd.DataFrame(columns)
