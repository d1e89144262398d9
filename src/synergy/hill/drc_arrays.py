"""drc's procedure (:mod:`synergy.hill.drc`) on arrays of curves, as a
:class:`~synergy.hill.fit.HillFit`.

Shared by the pair (:mod:`synergy.hill.screen`) and N-drug screen
fitters.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from synergy._kernels import ahead
from synergy._kernels.drc import PARALLEL_MIN_CURVES
from synergy._kernels.loewe import SOLVER_GRID, loewe_reference_kernel
from synergy.hill import drc
from synergy.hill.fit import HillFit
from synergy.hill.model import from_drc
from synergy.hill.status import HillStatus

__all__ = ["FORMULA", "fit_drc_arrays"]

FORMULA = "E(x) = bottom + (top - bottom) / (1 + (ic50 / x) ** hill_slope)"


def fit_drc_arrays(
    conc: np.ndarray, response: np.ndarray
) -> tuple[HillFit, np.ndarray, dict, np.ndarray]:
    """fitter="drc": drc's procedure (synergy.hill.drc), wrapped as a HillFit."""
    n_curves = np.shape(response)[0] if np.ndim(response) == 2 else 1
    with ahead.drc_in_child(parallel=n_curves >= PARALLEL_MIN_CURVES) as child:
        if child is not None:  # cold numba cache: a child compiles drc's replica meanwhile
            compile_following_kernels()
    result = drc.fit_drc(conc, response)
    ic50, hill_slope, bottom, top = from_drc(
        result.b, result.c, result.d, result.e, log_e=result.l4
    )
    hill = HillFit.from_params(
        ic50, hill_slope, bottom, top, conc=conc, response=response, fitter="drc"
    )
    drc_status = np.asarray(result.status)
    failed = np.select(
        [drc_status == 2, drc_status == 3, drc_status == 4],
        [HillStatus.NOT_CONVERGED, HillStatus.TOO_FEW_POINTS, HillStatus.NON_FINITE_DATA],
        default=-1,
    )
    status = np.where(failed >= 0, failed, hill.status).astype(np.int8)
    codes = sorted(drc.STATUS_MEANINGS)
    attrs = {
        "long_name": "drc fit status (SynergyFinder's procedure)",
        "flag_values": np.array(codes, dtype=np.int8),
        "flag_meanings": " ".join(drc.STATUS_MEANINGS[c] for c in codes),
    }
    l4 = np.asarray(result.l4, dtype=bool)
    return replace(hill, status=status), drc_status.astype(np.int8), attrs, l4


def compile_following_kernels() -> None:
    """Compile the kernels that follow drc's fits on the default scoring path (the Hill
    bookkeeping of :meth:`HillFit.from_params`, the Loewe grid), on one tiny problem with the
    argument types of the real calls; what :mod:`synergy._kernels.ahead`'s child does not."""
    dose = np.array([[0.0, 1.0, 10.0, 100.0]])
    HillFit.from_params(
        np.array([10.0]),
        np.array([1.0]),
        np.array([0.0]),
        np.array([100.0]),
        conc=dose,
        response=np.array([[0.0, 20.0, 60.0, 90.0]]),
        fitter="drc",
    )
    par = np.array([[10.0, 1.0, 0.0, 100.0]])
    observed = np.full((1, 4, 4), 50.0)
    out = (np.full(observed.shape, np.nan), np.full(observed.shape, np.nan))
    loewe_reference_kernel(dose, dose, observed, par, par, SOLVER_GRID, 100, *out)
