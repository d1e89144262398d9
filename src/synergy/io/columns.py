"""Column names of the long dose-response tables users already have.

SynergyFinder 2/3, DrugComb and common variants name the same things differently.
:data:`ALIASES` maps each canonical name to the spellings we accept; matching ignores
case, spaces, dots, dashes and underscores (``"Conc R"`` = ``conc_r``), and a trailing
colon.  :func:`match_columns` returns which input column fills which role, or raises
a :class:`~synergy.errors.ColumnError` that lists what was found and what is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from synergy.errors import ColumnError, SynergyError

__all__ = ["ALIASES", "REQUIRED", "match_columns", "n_drugs", "normalise_name"]

#: canonical role -> accepted spellings (first = the name ``to_table`` writes back)
ALIASES: dict[str, tuple[str, ...]] = {
    "block": ("block_id", "blockid", "block", "pairindex", "pair_index", "combination_id"),
    "drug_row": ("drug1", "drug_row", "drugrow", "row_drug", "drug_r", "druga", "drug_a"),
    "drug_col": ("drug2", "drug_col", "drugcol", "col_drug", "drug_c", "drugb", "drug_b"),
    "conc_row": ("conc1", "conc_r", "conc_row", "concrow", "conc_a", "dose1", "dose_row"),
    "conc_col": ("conc2", "conc_c", "conc_col", "conccol", "conc_b", "dose2", "dose_col"),
    "response": ("response", "inhibition", "viability", "percent_inhibition", "percent_viability"),
    "conc_unit": ("conc_unit", "concunit", "unit", "units", "conc_units"),
    "conc_unit_row": ("conc_unit1", "conc_r_unit", "conc_unit_r", "conc_row_unit", "conc_unit_row"),
    "conc_unit_col": ("conc_unit2", "conc_c_unit", "conc_unit_c", "conc_col_unit", "conc_unit_col"),
    "sample": ("sample", "cell_line", "cell_line_name", "cellline", "cell", "specimen"),
    "replicate": ("replicate", "rep", "replicate_id"),
    "response_kind": ("response_kind", "data_type", "datatype"),
}

REQUIRED = ("drug_row", "drug_col", "conc_row", "conc_col", "response")

# drugs 3, 4, … of multi-drug tables (SynergyFinder: drug3, conc3, conc_unit3): roles
# drug_3, conc_3, conc_unit_3 (docs/design.md §1)
_HIGHER_ORDER = re.compile(r"^(drug|conc|conc_unit)_?([3-9]|[1-9][0-9])$")


def normalise_name(name: object) -> str:
    """Lower-case a column name and drop spaces, dots, dashes and a trailing colon.

    Underscores are kept as separators but collapsed, so ``"Conc R"``, ``"conc.r"``
    and ``"CONC_R"`` all become ``"conc_r"``.
    """
    text = str(name).strip().rstrip(":").lower()
    text = re.sub(r"[\s.\-]+", "_", text)
    return re.sub(r"_+", "_", text).strip("_")


_LOOKUP: dict[str, str] = {}
for _role, _names in ALIASES.items():
    for _alias in _names:
        _LOOKUP[normalise_name(_alias)] = _role
        _LOOKUP[normalise_name(_alias).replace("_", "")] = _role


def match_columns(columns: Iterable[object], *, source: str = "input") -> dict[str, str]:
    """Assign input columns to canonical roles.

    Parameters
    ----------
    columns : iterable
        The table's column names.
    source : str
        Name of the file (or ``"DataFrame"``) for error messages.

    Returns
    -------
    dict
        ``{role: input column name}`` for every role found.  Unknown columns are ignored.

    Raises
    ------
    ColumnError
        A required role is missing, or two columns claim one role.
    SynergyError
        Drugs 3, 4, … are numbered with gaps, or lack their ``drug``/``conc`` column.

    Notes
    -----
    Drugs beyond the second (``drug3``, ``conc3``, ``conc_unit3`` …, SynergyFinder's
    multi-drug table) get the roles ``drug_3``, ``conc_3``, ``conc_unit_3`` …; drugs 1 and 2
    keep their pair roles (``drug_row`` …).  :func:`n_drugs` counts them.
    """
    found: dict[str, list[str]] = {}
    names = [str(c) for c in columns]
    for name in names:
        key = normalise_name(name)
        higher = _HIGHER_ORDER.match(key)
        if higher:
            found.setdefault(f"{higher.group(1)}_{int(higher.group(2))}", []).append(name)
            continue
        role = _LOOKUP.get(key) or _LOOKUP.get(key.replace("_", ""))
        if role is not None:
            found.setdefault(role, []).append(name)
    for role, cols in found.items():
        if len(cols) > 1:
            raise ColumnError(
                f"{source}: columns {cols} all name the {role!r} column; keep one "
                f"(accepted spellings: {', '.join(ALIASES[role])})"
            )
    missing = [role for role in REQUIRED if role not in found]
    if missing:
        lines = "\n".join(f"  {role}: one of {', '.join(ALIASES[role])}" for role in missing)
        raise ColumnError(
            f"{source}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)}.\nFound columns: {names}\n"
            f"Accepted names (case, spaces and underscores ignored):\n{lines}"
        )
    roles = {role: cols[0] for role, cols in found.items()}
    _check_higher_order(roles, source)
    return roles


def n_drugs(roles: dict[str, str]) -> int:
    """Number of drugs of a table whose columns :func:`match_columns` matched (2 for pairs)."""
    return 2 + sum(1 for role in roles if re.fullmatch(r"conc_\d+", role))


def _check_higher_order(roles: dict[str, str], source: str) -> None:
    numbers = sorted(
        {int(m.group(1)) for r in roles if (m := re.fullmatch(r"(?:drug|conc)_(\d+)", r))}
    )
    if not numbers:
        return
    expected = list(range(3, 3 + len(numbers)))
    if numbers != expected:
        raise SynergyError(
            f"{source}: drugs must be numbered 1, 2, 3, … without gaps; found drug/conc "
            f"columns for drugs {[1, 2, *numbers]}"
        )
    for k in numbers:
        for kind in ("drug", "conc"):
            if f"{kind}_{k}" not in roles:
                other = "conc" if kind == "drug" else "drug"
                raise ColumnError(
                    f"{source}: column {roles[f'{other}_{k}']!r} describes drug {k}, but "
                    f"there is no {kind}{k} column; add it"
                )
