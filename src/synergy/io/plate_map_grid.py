"""Plate maps drawn as grids: one grid per variable and layout (data layer; design §15).

The same rectangular blocks a reader exports, one per variable of the long map::

    Layout: L1                        (or  Plate: BARCODE  for a map of single plates)
    Variable: role
        1         2         …  24
    A   negative  positive  …
    …
    P   …

    Variable: drug1
    …
    Variable: conc1 (nM)              (the dose unit in brackets, or a conc_unit grid)

A ``Layout:`` line holds for the grids below it until the next one (in a workbook, until
the end of the sheet).  Variables: ``role`` (required; a blank cell is ``empty``),
``drug1 … drugN`` and ``conc1 … concN`` in pairs, and optionally ``conc_unit``, ``sample``,
``replicate``.  Cells, separators (tab, comma, semicolon) and spreadsheets (sections in one
sheet or spread over sheets, read in order) follow the grid reads of
:mod:`synergy.io.plate_reads`.  The grids become the long map, so both formats give the same
plate Dataset.  Every mismatch is a :class:`~synergy.errors.SynergyError` naming file,
layout, variable and well.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from synergy.errors import DoseError, FormatError, SynergyError
from synergy.io.plate_grid import ROLE_ALIASES, ROLES, grid_block, well_names
from synergy.io.units import canonical_unit, conversion_factor

__all__ = ["is_grid_map", "read_grid_map"]

_SECTION = re.compile(r"^(layout|plate|variable)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_VARIABLE = re.compile(r"^([A-Za-z_]+?)_?(\d*)\s*(?:[(\[]\s*([^)\]]*?)\s*[)\]])?$")
_TEXT = ("conc_unit", "sample", "replicate")


def _joined(cells: list[str]) -> str:
    return " ".join(str(c).strip() for c in cells if str(c).strip())


def is_grid_map(lines: list[list[str]]) -> bool:
    """Whether table lines hold grid sections (a line ``Variable: NAME``)."""
    return any(re.match(r"^variable\s*:", _joined(cells), re.IGNORECASE) for cells in lines)


def _variable(text: str, where: str) -> tuple[str, str | None]:
    """``"conc1 (nM)"`` as ``("conc1", "nM")``; unknown names are errors."""
    match = _VARIABLE.match(text.strip())
    kind, number, unit = match.groups() if match else ("", "", None)
    kind = kind.lower()
    if kind in ("drug", "conc") and number and int(number) >= 1:
        name = f"{kind}{int(number)}"
    elif kind in ("role", *_TEXT) and not number:
        name = kind
    else:
        raise FormatError(
            f"{where}: 'Variable: {text}' is not a plate map variable; use role, drug1, "
            "conc1, drug2, conc2, …, conc_unit, sample or replicate (a dose unit in brackets: "
            "'Variable: conc1 (nM)')"
        )
    if unit is not None and kind != "conc":
        raise FormatError(f"{where}: a unit ({unit!r}) belongs to a conc variable, not {name!r}")
    return name, unit


def _sections(lines: list[list[str]], name: str) -> tuple[dict, str, tuple[int, int]]:
    """{(layout, variable): (cells, unit)}, the key word, and the shared grid shape."""
    grids: dict[tuple[str, str], tuple[np.ndarray, str | None]] = {}
    key, layout, shape, first = "", None, None, ""
    i = 0
    while i < len(lines):
        text = _joined(lines[i])
        match = _SECTION.match(text)
        if not match:
            if not any(str(c).strip() for c in lines[i]):
                layout = layout if lines[i] != [] else None  # [] ends a workbook sheet
            elif re.fullmatch(r"1(\s+\d+)+", re.sub(r"\.0\b", "", text)):
                raise FormatError(
                    f"{name}, line {i + 1}: a grid without a 'Variable: NAME' line above it; "
                    "write 'Variable: role' (drug1, conc1, …) above each grid"
                )
            i += 1
            continue
        word, value = match.group(1).lower(), match.group(2)
        if word in ("layout", "plate"):
            if not value:
                raise FormatError(f"{name}, line {i + 1}: '{word.title()}:' names no {word}")
            if key and word != key:
                raise FormatError(
                    f"{name}, line {i + 1}: 'Layout:' and 'Plate:' sections in one map; key "
                    "every grid by layout (shared by plates) or every grid by plate barcode"
                )
            key, layout = word, value
            i += 1
            continue
        if layout is None:
            raise FormatError(
                f"{name}, line {i + 1}: 'Variable: {value}' has no 'Layout: NAME' (or 'Plate: "
                "BARCODE') line above it; start each layout's grids with one"
            )
        where = f"{name}, {key} {layout}"
        variable, unit = _variable(value, where)
        what = f"{where}, variable {variable}"
        rows, i = grid_block(lines, i + 1, what)
        cells = np.array(rows, dtype=object).astype(str)
        if shape is None:
            shape, first = cells.shape, f"{key} {layout}, variable {variable}"
        elif cells.shape != shape:
            raise FormatError(
                f"{what}: a grid of {cells.shape[0]} rows x {cells.shape[1]} columns where "
                f"{first} has {shape[0]} x {shape[1]}; draw every grid of a map in one plate "
                "format"
            )
        if (layout, variable) in grids:
            raise FormatError(f"{what}: a second grid for the same variable; give each once")
        grids[(layout, variable)] = (cells, unit)
    if not grids:
        raise FormatError(f"{name}: no 'Variable: NAME' grid found")
    return grids, key, shape


def _check_variables(grids: dict, name: str, key: str) -> tuple[list[str], int]:
    """Layouts in file order and the number of drugs; a missing grid is an error."""
    layouts = list(dict.fromkeys(layout for layout, _ in grids))
    have = {lay: {v for la, v in grids if la == lay} for lay in layouts}
    union = set().union(*have.values())
    numbers = sorted({int(v[4:]) for v in union if v.startswith("drug")})
    numbers += sorted({int(v[4:]) for v in union if v.startswith("conc") and v != "conc_unit"})
    n_drug = max(numbers, default=0)
    needed = ["role", *[f"{kind}{k}" for k in range(1, n_drug + 1) for kind in ("drug", "conc")]]
    for lay in layouts:
        for variable in needed:
            if variable not in have[lay]:
                others = [la for la in layouts if variable in have[la]]
                why = f" ({key} {others[0]} has one)" if others else ""
                raise FormatError(
                    f"{name}, {key} {lay}: no grid for variable {variable}{why}; add a "
                    f"'Variable: {variable}' grid to the {key} (blank cells where it does "
                    "not apply)"
                )
    return layouts, n_drug


def _conc(cells: np.ndarray, unit: str | None, where: str, names: np.ndarray) -> np.ndarray:
    """Dose cells as numbers; text or a negative dose is an error naming the well."""
    blank = np.char.strip(cells.astype(str)) == ""
    values = pd.to_numeric(pd.Series(cells.ravel()), errors="coerce").to_numpy(np.float64)
    values = values.reshape(cells.shape)
    bad = (~blank & np.isnan(values)) | (values < 0)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DoseError(
            f"{where}, well {names[r, c]}: dose {str(cells[r, c])!r} is not a number >= 0; write "
            f"the dose{f' in {unit}' if unit else ''} as a number, or leave the cell blank"
        )
    return values


def read_grid_map(path: str, lines: list[list[str]]) -> pd.DataFrame:
    """A grid plate map (module docstring) as the long map table of
    :func:`synergy.io.plate_map.read_plate_map` (one row per well whose role is not empty).

    ``attrs["grid_shape"]`` holds the grids' (rows, columns).
    """
    grids, key, shape = _sections(lines, path)
    layouts, n_drug = _check_variables(grids, path, key)
    names = well_names(*shape)
    units = [canonical_unit(u) for (_, v), (_, u) in grids.items() if u and v.startswith("conc")]
    target = units[0] if units else None
    frames = []
    for lay in layouts:
        where = f"{path}, {key} {lay}"
        raw_role = grids[(lay, "role")][0]
        role = np.char.lower(np.char.strip(raw_role.astype(str)))
        role = pd.Series(role.ravel()).replace({"": "empty", **ROLE_ALIASES}).to_numpy(str)
        unknown = ~np.isin(role, ROLES)
        if unknown.any():
            r, c = divmod(int(np.flatnonzero(unknown)[0]), shape[1])
            raise SynergyError(
                f"{where}, variable role, well {names[r, c]}: role {str(raw_role[r, c])!r} is not "
                f"one of {', '.join(ROLES)} (neg/dmso/vehicle and pos/kill are accepted; a "
                "blank cell is empty)"
            )
        keep = role != "empty"
        frame = pd.DataFrame({key: lay, "well": names.ravel()[keep], "role": role[keep]})
        sample = role == "sample"
        for k in range(1, n_drug + 1):
            drug = np.char.strip(grids[(lay, f"drug{k}")][0].astype(str)).ravel()
            cells, unit = grids[(lay, f"conc{k}")]
            conc = _conc(cells, unit, f"{where}, variable conc{k}", names).ravel()
            undosed = sample & (drug != "") & np.isnan(conc)
            if undosed.any():
                i = int(np.flatnonzero(undosed)[0])
                raise DoseError(
                    f"{where}, variable conc{k}, well {names.ravel()[i]}: drug{k} {str(drug[i])!r} "
                    f"has no dose; write its dose in the conc{k} grid (0 for the vehicle)"
                )
            if unit and target:
                conc = conc * conversion_factor(canonical_unit(unit), target)
            frame[f"drug{k}"], frame[f"conc{k}"] = drug[keep], conc[keep]
        bracketed = [v for v in grids if v[0] == lay and v[1].startswith("conc") and grids[v][1]]
        if bracketed and (lay, "conc_unit") in grids:
            raise FormatError(
                f"{where}, variable conc_unit: the dose unit is given twice ('Variable: "
                f"{bracketed[0][1]} ({grids[bracketed[0]][1]})' and a conc_unit grid); keep one"
            )
        for variable in _TEXT:
            if (lay, variable) in grids:
                frame[variable] = np.char.strip(grids[(lay, variable)][0].astype(str)).ravel()[keep]
        if target and "conc_unit" not in frame:
            frame["conc_unit"] = target
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    if "conc_unit" in table:
        table["conc_unit"] = table["conc_unit"].fillna(target or "")
    table.attrs["grid_shape"] = shape
    return table
