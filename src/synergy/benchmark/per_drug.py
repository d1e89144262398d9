"""Per-drug views of a screen for the benchmark, for any number of drugs.

A pair is N = 2 drugs: its row drug (0) and its column drug (1).  The benchmark's per-drug
columns are named by :func:`drug_suffixes` — ``row``/``col`` for two drugs, ``1`` … ``N``
beyond, as SynergyFinder's tables number them (``conc1``/``conc2`` of a pair are its row and
column drug; ``conc1..concN``) — and its per-well dose columns by :func:`dose_columns`.  The
screen itself is read through the layout-neutral views of :mod:`synergy.io.layout`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from synergy.io.layout import dose_coords, fit_variables, per_drug_values

__all__ = ["dose_columns", "drug_suffixes", "keep_variables", "per_drug_array"]


def drug_suffixes(n_drugs: int) -> tuple[str, ...]:
    """Names of the per-drug columns: ``("row", "col")`` for two drugs, else ``"1"`` … ``"N"``."""
    if n_drugs == 2:
        return ("row", "col")
    return tuple(str(k) for k in range(1, n_drugs + 1))


def dose_columns(n_drugs: int) -> list[str]:
    """Dose columns of a published per-well table: ``conc_row``/``conc_col`` for two drugs,
    ``conc_1`` … ``conc_N`` beyond (each in the published table's drug order)."""
    return [f"conc_{suffix}" for suffix in drug_suffixes(n_drugs)]


def per_drug_array(
    screen: xr.Dataset,
    stem: str,
    suffix: str = "",
    params: Sequence[str] | None = None,
) -> np.ndarray | None:
    """A per-drug result of every block as one array ``(B, N, *rest)``.

    The inverse of :func:`synergy.io.layout.per_drug_variables`: pairs' ``stem_row…``/
    ``stem_col…`` are stacked on axis 1, N drugs' ``stem…`` (on a ``drug`` axis) is taken as
    it is.

    Parameters
    ----------
    screen : xarray.Dataset
        A screen of either layout.
    stem, suffix : str
        The variable's name parts (e.g. ``"hill"`` and ``"_status"``).
    params : sequence of str, optional
        Select these values of the ``param`` axis, in this order (last axis).

    Returns
    -------
    ndarray or None
        ``(B, N)`` or ``(B, N, len(params))``; None when the screen lacks the variable(s).
    """
    names = fit_variables(screen, stem, suffix)
    if any(name not in screen for name in names):
        return None
    chosen = screen[names]
    if params is not None:
        chosen = chosen.sel(param=list(params))
    return per_drug_values(chosen, stem, suffix)


def keep_variables(screen: xr.Dataset, names: Sequence[str]) -> xr.Dataset:
    """The screen with only the data variables ``names`` (those present), its doses and the
    coordinates on their dimensions (an N-drug screen's ``conc`` keeps its ``drug`` axis).

    Raises nothing for absent names; attributes are kept.
    """
    keep = [name for name in names if name in screen.data_vars]
    needed = {dim for name in keep for dim in screen[name].dims}
    needed |= {dim for coord in dose_coords(screen) for dim in screen[coord].dims}
    out = screen.drop_vars([v for v in screen.data_vars if v not in keep])
    unused = [c for c in out.coords if not set(out[c].dims) <= needed]
    return out.drop_vars(unused)
