"""Hill dose–response curves: batched least-squares fits, evaluation, inversion, uncertainty.

``E(x) = bottom + (top - bottom) / (1 + (ic50 / x) ** hill_slope)``, ``hill_slope > 0``,
``bottom = E(0)``, ``top = E(inf)`` (``top < bottom`` allowed); parameter order everywhere
``(ic50, hill_slope, bottom, top)`` (docs/design.md §3).

- :func:`fit` — one curve or a batch, bounded least squares in a numba kernel;
  returns a :class:`HillFit` (parameters, Wald covariance, SSE, status codes).
- :func:`fit_screen` — single-drug fits of every block of a screen (``hill_row``/``hill_col``;
  default ``fitter="drc"``, as :func:`synergy.score`; the fitter rule:
  :mod:`synergy.hill.fitter_rule`).
- :func:`evaluate`, :func:`inverse` — the curve and its inverse (numpy, broadcasting).
- :func:`from_drc`, :func:`to_drc` — drc's LL.4 ``(b, c, d, e)`` conversions.
- :class:`HillStatus`, :func:`flag_attrs`, :func:`count_status` — status codes.

lmfit (profile-likelihood intervals) is imported only when :meth:`HillFit.conf_int` is used.
"""

from __future__ import annotations

from typing import Any

from synergy.hill.fit import HillFit, default_bounds, fit
from synergy.hill.model import PARAM_NAMES, evaluate, from_drc, inverse, to_drc
from synergy.hill.status import FLAT_ALPHA, HillStatus, count_status, flag_attrs, status_names

__all__ = [
    "FLAT_ALPHA",
    "PARAM_NAMES",
    "HillFit",
    "HillStatus",
    "count_status",
    "default_bounds",
    "evaluate",
    "fit",
    "fit_screen",
    "flag_attrs",
    "from_drc",
    "inverse",
    "status_names",
    "to_drc",
]


def __getattr__(name: str) -> Any:
    # fit_screen needs xarray: import it on first use, so that fitting arrays stays light
    if name == "fit_screen":
        from synergy.hill.screen import fit_screen

        return fit_screen
    raise AttributeError(f"module 'synergy.hill' has no attribute {name!r}")
