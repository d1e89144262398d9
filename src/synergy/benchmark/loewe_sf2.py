"""Evidence for a Loewe score compared under ``convention="synergyfinder2"``.

SynergyFinder 2's Loewe (:mod:`synergy._kernels.loewe_sf2`) falls back to
``max_i f_i(x_row + x_col)`` wherever nleqslv fails — at every well when one single-drug
fit is flat (its range narrower than 1 % point puts nleqslv's start ``max(c) + 1``
outside it).  The fallback adds the raw doses of the two drugs, so it changes when
the published tool had one drug's doses in another unit than the other's (DrugComb keeps a
unit per drug), and it rests on that tool's fit of the flat drug; neither is in a published
table.  :func:`loewe_sf2_facts` gathers the numbers that say how much of a
difference those wells can carry, :func:`loewe_sf2_words` turns them into words.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

__all__ = ["FLAT_RANGE", "UNIT_CHANGES", "loewe_sf2_facts", "loewe_sf2_words"]

#: a fit whose asymptotes are closer than this (% points) puts SynergyFinder 2's start
#: max(c) + 1 outside its range
FLAT_RANGE = 1.0
#: one drug's doses in another unit than the other's (e.g. nM against µM), tried on the
#: fallback: (side, factor)
UNIT_CHANGES = (("row", 1e3), ("row", 1e-3), ("col", 1e3), ("col", 1e-3))


def _rescaled_score(screen: xr.Dataset, side: str, factor: float) -> np.ndarray:
    """Loewe block scores (SynergyFinder 2) with one drug's doses and IC50 × factor."""
    from synergy.models.loewe import score_loewe

    scaled = screen.assign_coords({f"conc_{side}": screen[f"conc_{side}"] * factor})
    fit = scaled[f"hill_{side}"].copy()
    fit.loc[{"param": "ic50"}] = fit.sel(param="ic50") * factor
    scaled[f"hill_{side}"] = fit
    return score_loewe(scaled, solver="sf2")["loewe_score"].values


def _unit_key(side: str, factor: float) -> str:
    return f"loewe_score_{side}_doses_x{factor:g}"


def loewe_sf2_facts(scored: xr.Dataset, unit: str) -> list[dict]:
    """Per block of ``scored`` (scored with ``convention="synergyfinder2"``): fallback
    wells, combination wells, each fit's range (|top − bottom|, % points) and the Loewe
    score with one drug's doses in another unit (:data:`UNIT_CHANGES`; keys
    ``loewe_score_<side>_doses_x<factor>``): flat keys, columns of the evidence table."""
    n = scored.sizes["block"]
    fallback = scored["loewe_n_fallback"].values
    combo = np.isfinite(scored["loewe"].values) & (scored["conc_row"].values[:, :, None] > 0)
    combo &= scored["conc_col"].values[:, None, :] > 0
    ranges = {
        side: np.abs(scored[f"hill_{side}"].sel(param="top").values
                     - scored[f"hill_{side}"].sel(param="bottom").values)
        for side in ("row", "col")
    }  # fmt: skip
    rescored = {}
    for side, factor in UNIT_CHANGES:
        try:
            rescored[side, factor] = _rescaled_score(scored, side, factor)
        except Exception:  # evidence must never abort the comparison
            rescored[side, factor] = np.full(n, np.nan)
    return [
        {
            "loewe_fallback_wells": int(fallback[k]),
            "loewe_combination_wells": int(combo[k].sum()),
            "loewe_fit_range_row": float(ranges["row"][k]),
            "loewe_fit_range_col": float(ranges["col"][k]),
            "loewe_conc_unit": unit,
            **{_unit_key(*c): float(rescored[c][k]) for c in UNIT_CHANGES},
        }
        for k in range(n)
    ]


def loewe_sf2_words(r: dict, tolerance: float) -> list[str]:
    """Reasons for a Loewe difference under SynergyFinder 2 (empty when no well falls back)."""
    n_fb = r.get("loewe_fallback_wells", np.nan)
    if not (np.isfinite(n_fb) and n_fb > 0):
        return []
    reasons = []
    drugs = {"row": r["drug_row"], "col": r["drug_col"]}
    for side in ("row", "col"):
        width = r[f"loewe_fit_range_{side}"]
        if np.isfinite(width) and width < FLAT_RANGE:
            reasons.append(
                f"our {drugs[side]} fit is flat (its asymptotes {width:.2g} points apart): "
                "SynergyFinder 2's Newton starts outside its range and falls back at every "
                "well, so the published score rests on that tool's own fit of a flat drug"
            )
    reasons.append(
        f"{n_fb:.0f} of {r['loewe_combination_wells']:.0f} combination wells take SynergyFinder "
        f"2's fallback max f_i(x_row + x_col), which adds the raw doses of both drugs (here both "
        f"in {r['loewe_conc_unit']}): it changes if the published tool had one drug in another unit"
    )
    for side, factor in UNIT_CHANGES:
        value = r[_unit_key(side, factor)]
        diff = value - r["theirs"]
        if np.isfinite(diff) and abs(diff) <= tolerance:
            reasons.append(
                f"with the {drugs[side]} doses ×{factor:g} (another unit than the other "
                f"drug's) our score is {value:.3f} (diff {diff:+.3f}): the published tool "
                "added doses in two units"
            )
    return reasons
