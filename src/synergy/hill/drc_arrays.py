"""drc's procedure (:mod:`synergy.hill.drc`) on arrays of curves, as a
:class:`~synergy.hill.fit.HillFit`.

Shared by the pair (:mod:`synergy.hill.screen`) and N-drug (:mod:`synergy.hill.multi`) screen
fitters.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

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
