"""The report's plate QC section: Z′ and flags per plate, flagged plates first."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from synergy.report._html import esc, number, table

__all__ = ["plate_qc_section"]


def plate_qc_section(screen: xr.Dataset) -> str:
    """HTML of the plates' QC (``attrs["plate_qc"]`` of :func:`synergy.plates_to_screen`).

    Empty when the screen was not read from plates.
    """
    text = screen.attrs.get("plate_qc")
    if not text:
        return ""
    qc = json.loads(str(text))
    flags = np.asarray(qc["qc_flags"])
    order = np.lexsort((np.arange(flags.size), flags == 0))  # flagged first, then read order
    rows = [
        [
            esc(qc["plate"][i]),
            number(qc["z_prime"][i]),
            number(qc["ssmd"][i], 1),
            number(qc["cv_negative"][i], 1),
            number(qc["edge_effect"][i], 1),
            number(qc["row_effect_max"][i], 1),
            esc(qc["qc_reason"][i] or "ok"),
        ]
        for i in order
    ]
    header = ["plate", "Z′", "SSMD", "CV neg (%)", "edge (%)", "worst row (%)", "QC"]
    n_flagged = int(np.sum(flags != 0))
    return "\n".join(
        [
            '<h2 id="plates">Plate QC</h2>',
            f"<p class='small'>{flags.size} plates, {n_flagged} flagged (Z′ &lt; 0.5, row, "
            "column or edge effects of the cell signal, drift along the read; "
            "synergy.plates.qc). Blocks read from a flagged plate carry it in their status. "
            "Edge and row: % of the cell signal against the other plates.</p>",
            table(header, rows, text_columns=(0, 6)),
        ]
    )
