"""Per-block summaries of a δ surface and the model's status.

For a model ``m`` (``bliss``, ``hsa``, ``loewe``, ``zip``) and each block:

``m_score``
    Mean δ over the measured combination wells (both doses > 0, δ finite), in %
    points — SynergyFinder 3's ``<Model>_synergy`` (``CalculateSynergy``: the plain
    mean over wells with no zero dose).  Missing wells are skipped, never imputed
    (docs/design.md §6.12); ``m_n_wells`` counts the wells used.
``m_msa``
    Most synergistic area: the largest mean δ over 3 × 3 windows of combination wells
    contiguous in dose index (SynergyFinder's web application; docs/design.md §6.11).
    Windows holding a missing well are skipped; NaN when no window is complete
    (status ``no_msa_window``).  ``m_msa_row``/``m_msa_col`` give the index (in ``row``/
    ``col``) of the window's lowest doses, -1 when none.
``m_max``/``m_min``
    Largest and smallest δ over the combination wells, with their doses
    (``m_max_conc_row``, ``m_max_conc_col``, ...), in the screen's unit.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from synergy._kernels.surface import extremes, masked_mean, most_synergistic_area
from synergy.models.common import status_attrs

__all__ = ["MSA_SIZE", "summarise"]

MSA_SIZE = 3


def _pick(conc: np.ndarray, index: np.ndarray) -> np.ndarray:
    """conc[b, index[b]] with NaN where index is -1."""
    safe = np.clip(index, 0, max(conc.shape[1] - 1, 0))
    value = np.take_along_axis(conc, safe[:, None], axis=1)[:, 0]
    return np.where(index >= 0, value, np.nan)


def summarise(
    model: str,
    screen: xr.Dataset,
    delta: np.ndarray,
    combo: np.ndarray,
    observed: np.ndarray,
    base_status: np.ndarray,
    status_codes: tuple[int, ...],
) -> dict[str, xr.DataArray]:
    """Block summaries and final status of one model.

    Parameters
    ----------
    model : str
        Name of the model (prefix of every variable).
    screen : xarray.Dataset
        The screen (for block ids and doses).
    delta : (B, R, C) float64
        δ surface in % points.
    combo : (B, R, C) bool
        Combination wells (both doses > 0, inside the grid).
    observed : (B, R, C) float64
        Observed replicate means (to tell a missing well from an unscored one).
    base_status : (B,) int
        Status the model set from its own inputs (fits, monotherapy).
    status_codes : tuple of int
        Codes ``<model>_status`` can take (for its flag attributes).

    Returns
    -------
    dict of DataArray
        ``<model>_score``, ``_n_wells``, ``_msa``, ``_msa_row``, ``_msa_col``, ``_max``,
        ``_max_conc_row``, ``_max_conc_col``, ``_min``, ``_min_conc_row``,
        ``_min_conc_col`` and ``_status``, each over ``block``.
    """
    block = screen["block"].values
    conc_row = np.asarray(screen["conc_row"].values, dtype=np.float64)
    conc_col = np.asarray(screen["conc_col"].values, dtype=np.float64)
    mean, count = masked_mean(delta, combo)
    msa, msa_row, msa_col = most_synergistic_area(delta, combo, MSA_SIZE)
    v_hi, r_hi, c_hi, v_lo, r_lo, c_lo = extremes(delta, combo)

    measured = combo & np.isfinite(observed)
    n_measured = measured.sum(axis=(1, 2))
    missing = np.any(combo & ~np.isfinite(observed), axis=(1, 2))
    status = np.zeros(delta.shape[0], dtype=np.int8)
    status[(count > 0) & ~np.isfinite(msa)] = 1
    status[missing] = 2
    status = np.maximum(status, np.asarray(base_status, dtype=np.int8))
    # a failure the model already explained (codes >= 10) is kept
    unexplained = status < 10
    none_measured = unexplained & (n_measured == 0)
    none_scored = unexplained & (n_measured > 0) & (count == 0)
    status[none_measured] = 12
    status[none_scored] = 13

    def var(values: np.ndarray, attrs: dict) -> xr.DataArray:
        return xr.DataArray(values, dims=("block",), coords={"block": block}, attrs=attrs)

    unit = screen.attrs.get("conc_unit", "")
    label = model.upper() if model in ("hsa", "zip") else model.capitalize()
    out = {
        f"{model}_score": var(
            mean,
            {
                "units": "%",
                "long_name": f"{label} synergy score: mean δ over measured combination wells",
            },
        ),
        f"{model}_n_wells": var(
            count, {"long_name": f"combination wells averaged into {model}_score"}
        ),
        f"{model}_msa": var(
            msa,
            {
                "units": "%",
                "long_name": f"{label} most synergistic area: max mean δ over 3x3 windows",
            },
        ),
        f"{model}_msa_row": var(
            msa_row, {"long_name": "row index of the MSA window's lowest row dose (-1: none)"}
        ),
        f"{model}_msa_col": var(
            msa_col, {"long_name": "col index of the MSA window's lowest col dose (-1: none)"}
        ),
        f"{model}_max": var(v_hi, {"units": "%", "long_name": f"largest {label} δ"}),
        f"{model}_max_conc_row": var(_pick(conc_row, r_hi), {"units": unit}),
        f"{model}_max_conc_col": var(_pick(conc_col, c_hi), {"units": unit}),
        f"{model}_min": var(v_lo, {"units": "%", "long_name": f"smallest {label} δ"}),
        f"{model}_min_conc_row": var(_pick(conc_row, r_lo), {"units": unit}),
        f"{model}_min_conc_col": var(_pick(conc_col, c_lo), {"units": unit}),
        f"{model}_status": var(status, status_attrs(model, status_codes)),
    }
    return out
