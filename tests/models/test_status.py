"""Block status and status_reason from model and Hill statuses."""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy.models.common import status_attrs
from synergy.models.status import combine_status


def test_worst_status_and_reasons():
    block = ["a", "b", "c", "d"]
    hill_attrs = {
        "flag_values": np.arange(4, dtype=np.int8),
        "flag_meanings": "converged ic50_extrapolated hit_bound flat",
    }
    ds = xr.Dataset(
        {
            "bliss_status": ("block", np.int8([0, 2, 0, 10]), status_attrs("bliss", (0, 2, 10))),
            "loewe_status": ("block", np.int8([4, 0, 0, 11]), status_attrs("loewe", (0, 4, 11))),
            "loewe_n_fallback": ("block", [3, 0, 0, 0]),
            "loewe_n_wells": ("block", [25, 25, 25, 0]),
            "hill_row_status": ("block", np.int8([1, 0, 2, 0]), hill_attrs),
        },
        coords={"block": block},
    )
    status, reason = combine_status(ds, ("bliss", "loewe"))
    assert status.values.tolist() == [0, 1, 1, 2]  # the fallback is a note
    assert reason.values.tolist() == [
        "Loewe: 3 of 25 wells had an effect neither drug reaches alone; SynergyFinder's "
        "fallback (the stronger drug at the summed dose) was used",
        "Bliss: some combination wells were not measured",
        "row drug's curve: a fitted parameter ended on its limit; read it as a bound",
        "Bliss: a drug has no measured wells alone in this block: no reference to compare "
        "with; Loewe: the single drugs' dose-response fit failed, so this score could not be "
        "computed",
    ]
    assert status.attrs["flag_meanings"] == "ok warning failed"
