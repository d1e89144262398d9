"""Deprecated alias: single-drug fits of both layouts are :mod:`synergy.hill.screen`.

:func:`fit_multi_screen` is :func:`synergy.hill.fit_screen` and :func:`single_drug_arrays` is
:func:`synergy.hill.screen.single_drug_arrays` (docs/design.md §16.2).  Import from there.
"""

from __future__ import annotations

from synergy.hill.screen import fit_screen as fit_multi_screen
from synergy.hill.screen import single_drug_arrays

__all__ = ["fit_multi_screen", "single_drug_arrays"]
