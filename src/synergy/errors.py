"""Exception family of ``synergy``.

Every error a user can cause derives from :class:`SynergyError` (itself a
``ValueError``), so ``except ValueError`` keeps working in user code and
``except synergy.SynergyError`` catches exactly ours.  Messages say *what*
was wrong, *where* (file, line, block, column) and *how to fix it*.
"""

from __future__ import annotations

__all__ = [
    "ColumnError",
    "DoseError",
    "FormatError",
    "ResponseError",
    "ScreenError",
    "SynergyError",
    "UnitError",
]


class SynergyError(ValueError):
    """Base class of every error ``synergy`` raises on bad input or bad use."""


class FormatError(SynergyError):
    """The input cannot be parsed at all (empty file, wrong delimiter, unknown format)."""


class ColumnError(SynergyError):
    """A required column is missing, ambiguous or of the wrong type."""


class DoseError(SynergyError):
    """A concentration is missing, negative, non-numeric or inconsistent."""


class UnitError(SynergyError):
    """A concentration unit is unknown or inconsistent within a drug and block."""


class ResponseError(SynergyError):
    """Responses are non-numeric, conflicting, or of an undecidable kind."""


class ScreenError(SynergyError):
    """A screen Dataset violates the invariants of docs/design.md §1."""


def where(
    *,
    file: str | None = None,
    lines: list[int] | None = None,
    block: str | None = None,
    column: str | None = None,
    max_lines: int = 8,
) -> str:
    """Format a location for an error message.

    Example: ``"data.csv; lines 3, 7; block '2'; column 'conc_r'"``.
    """
    parts = []
    if file:
        parts.append(str(file))
    if lines:
        shown = ", ".join(str(n) for n in lines[:max_lines])
        more = f" (+{len(lines) - max_lines} more)" if len(lines) > max_lines else ""
        parts.append(f"line{'s' if len(lines) > 1 else ''} {shown}{more}")
    if block is not None:
        parts.append(f"block {str(block)!r}")  # '1', not np.str_('1')
    if column:
        parts.append(f"column {column!r}")
    return "; ".join(parts)
