"""Molar concentration units: parsing, conversion, and the screen's common unit."""

from __future__ import annotations

import re

from synergy.errors import UnitError

__all__ = ["MOLAR_FACTORS", "canonical_unit", "conversion_factor"]

#: molar units in mol/L
MOLAR_FACTORS: dict[str, float] = {
    "fM": 1e-15,
    "pM": 1e-12,
    "nM": 1e-9,
    "uM": 1e-6,
    "mM": 1e-3,
    "M": 1.0,
}

_SPELLINGS = {
    "fm": "fM",
    "pm": "pM",
    "nm": "nM",
    "um": "uM",
    "µm": "uM",  # micro sign U+00B5
    "μm": "uM",  # greek mu U+03BC
    "mcm": "uM",
    "mm": "mM",
    "m": "M",
}


def canonical_unit(unit: object) -> str:
    """Return the canonical spelling (``"nM"``, ``"uM"``, …) of a molar unit.

    Accepts ``µM``/``μM``/``uM``, ``nmol/L``, ``umol/l`` and upper/lower case
    variants.  Raises :class:`~synergy.errors.UnitError` for anything else (mass units such as
    ``ng/mL`` need a molecular weight: convert them before reading).
    """
    text = str(unit).strip()
    key = text.replace(" ", "")
    key = re.sub(r"(?i)mol/l$", "M", key)
    key = re.sub(r"(?i)molar$", "M", key)
    if key in MOLAR_FACTORS:
        return key
    lowered = key.lower()
    if lowered in _SPELLINGS and not (lowered == "mm" and key == "MM"):
        return _SPELLINGS[lowered]
    raise UnitError(
        f"unknown concentration unit {text!r}; accepted: {', '.join(MOLAR_FACTORS)} "
        "(also µM/μM, nmol/L …); convert mass units (ng/mL) to molar before reading"
    )


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Factor that converts a concentration in ``from_unit`` to ``to_unit`` (both molar)."""
    return MOLAR_FACTORS[canonical_unit(from_unit)] / MOLAR_FACTORS[canonical_unit(to_unit)]
