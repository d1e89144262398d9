"""The bundled menin-inhibitor × venetoclax screen (simulated; docs/design.md §6.20).

No public menin-inhibitor × venetoclax dose matrix exists (``data/aml_reference/README.md``),
so this screen is *simulated* at load time from literature monotherapy potencies with a stated
combination model, and its ground truth ships with it.  See :func:`menin_venetoclax`.
"""

from __future__ import annotations

import math
from importlib import resources

import numpy as np
import pandas as pd
import xarray as xr

from synergy.datasets.simulate import simulate

__all__ = [
    "MENIN_INHIBITORS",
    "SAMPLES",
    "SYNERGY_STRENGTH",
    "literature_ic50s",
    "menin_venetoclax",
    "monotherapy_parameters",
]

MENIN_INHIBITORS = ("revumenib", "ziftomenib", "MI-503", "DS-1594b")
PARTNER = "venetoclax"
SAMPLES = ("MOLM-13", "MV4-11", "OCI-AML3", "CD34+")
SAMPLE_KIND = {
    "MOLM-13": "leukemic",
    "MV4-11": "leukemic",
    "OCI-AML3": "leukemic",
    "CD34+": "normal",
}
SEED = 20_240_601
NOISE_SD = 4.0
N_REPLICATES = 3

# Dose grids (nM): 0 + 7 doses, one plate layout per drug for every sample.
DOSES_NM = {
    "revumenib": 3000.0 / 3.0 ** np.arange(6, -1, -1),
    "ziftomenib": 3000.0 / 3.0 ** np.arange(6, -1, -1),
    "DS-1594b": 3000.0 / 3.0 ** np.arange(6, -1, -1),
    "MI-503": 10000.0 / 3.0 ** np.arange(6, -1, -1),
    "venetoclax": 10000.0 / 4.0 ** np.arange(6, -1, -1),
}

# Potency-shift synergy s per sample (synergy.datasets.simulate, model="bliss"): at a
# saturating dose of the partner, each drug's IC50 falls (1 + s)-fold.  Stated assumption.
SYNERGY_STRENGTH = {"MOLM-13": 9.0, "MV4-11": 9.0, "OCI-AML3": 1.0, "CD34+": 0.0}

# IC50s (nM) where the literature table has no value: ASSUMPTIONS, not literature.
ASSUMED_IC50_NM = {
    ("revumenib", "OCI-AML3"): 50.0,
    ("MI-503", "OCI-AML3"): 600.0,
    ("DS-1594b", "MOLM-13"): 5.0,
    ("DS-1594b", "MV4-11"): 5.0,
    ("DS-1594b", "OCI-AML3"): 10.0,
    ("revumenib", "CD34+"): 3000.0,
    ("ziftomenib", "CD34+"): 3000.0,
    ("MI-503", "CD34+"): 20000.0,
    ("DS-1594b", "CD34+"): 2000.0,
    ("venetoclax", "CD34+"): 1000.0,
}
# Hill slopes and maximal effects (top, % inhibition; bottom is 0): ASSUMPTIONS.
ASSUMED_SLOPE = {"menin": 1.2, "venetoclax": 1.5}
ASSUMED_TOP = {
    ("menin", "MOLM-13"): 85.0,
    ("menin", "MV4-11"): 90.0,
    ("menin", "OCI-AML3"): 75.0,
    ("menin", "CD34+"): 30.0,
    ("venetoclax", "MOLM-13"): 90.0,
    ("venetoclax", "MV4-11"): 95.0,
    ("venetoclax", "OCI-AML3"): 60.0,
    ("venetoclax", "CD34+"): 50.0,
}
_TABLE = ("aml_reference", "monotherapy_ic50_literature.csv")


def literature_ic50s() -> pd.DataFrame:
    """The literature table ``data/aml_reference/monotherapy_ic50_literature.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per drug × cell line: ``ic50_nM_low``, ``ic50_nM_high`` (nM; either may be
        empty), assay length, source and ``verified_in_session`` (``yes`` only where the
        number was read in the source; other rows are ranges recalled from the cited papers).
    """
    path = resources.files("synergy.datasets").joinpath("data", *_TABLE)
    with path.open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


def _ic50_from_range(low: float, high: float) -> float | None:
    """Geometric mean of a range, half an upper bound, or twice a lower bound (nM)."""
    if math.isfinite(low) and math.isfinite(high):
        return math.sqrt(low * high)
    if math.isfinite(high):
        return high / 2.0
    if math.isfinite(low):
        return 2.0 * low
    return None


def monotherapy_parameters() -> pd.DataFrame:
    """Monotherapy Hill parameters of every drug × sample of the screen, with their origin.

    Returns
    -------
    pandas.DataFrame
        Columns ``drug, sample, ic50 (nM), hill_slope, bottom, top (% inhibition),
        ic50_origin`` (``literature (verified)``, ``literature (recalled range)`` or
        ``assumption``).  Literature IC50s are the geometric mean of the table's range, half
        its upper bound (``< x``) or twice its lower bound (``> x``).
    """
    table = literature_ic50s()
    rows = []
    for sample in SAMPLES:
        for drug in (*MENIN_INHIBITORS, PARTNER):
            kind = "venetoclax" if drug == PARTNER else "menin"
            hit = table[(table["drug"] == drug) & (table["cell_line"] == sample)]
            ic50 = None
            if len(hit):
                row = hit.iloc[0]
                ic50 = _ic50_from_range(float(row["ic50_nM_low"]), float(row["ic50_nM_high"]))
                verified = str(row["verified_in_session"]).strip().lower() == "yes"
                origin = "literature (verified)" if verified else "literature (recalled range)"
            if ic50 is None:
                ic50, origin = ASSUMED_IC50_NM[(drug, sample)], "assumption"
            rows.append(
                {
                    "drug": drug,
                    "sample": sample,
                    "ic50": ic50,
                    "hill_slope": ASSUMED_SLOPE[kind],
                    "bottom": 0.0,
                    "top": ASSUMED_TOP[(kind, sample)],
                    "ic50_origin": origin,
                }
            )
    return pd.DataFrame(rows)


def menin_venetoclax() -> xr.Dataset:
    """Simulated screen: 4 menin inhibitors × venetoclax in 3 AML lines and normal CD34+ cells.

    16 blocks (ids ``"1"…"16"``, sample-major): row drug revumenib, ziftomenib, MI-503 or
    DS-1594b; column drug venetoclax; samples MOLM-13, MV4-11 (MLL-rearranged), OCI-AML3
    (NPM1c) — ``sample_kind = "leukemic"`` — and CD34+ cells (``"normal"``).  8 × 8 doses in
    nM (0 + 7 doses: 3-fold from 3,000 nM for revumenib, ziftomenib and DS-1594b, from
    10,000 nM for MI-503; 4-fold from 10,000 nM for venetoclax), 3 replicates, Gaussian noise
    of sd 4 % points, no missing wells, fixed seed (deterministic).

    **Monotherapy** (:func:`monotherapy_parameters`): IC50s come from
    ``data/aml_reference/monotherapy_ic50_literature.csv``.  Only the ziftomenib rows
    (IC50 < 25 nM at 7 days, Rausch et al., ASH 2021) were verified against the source; the
    other rows (revumenib, MI-503, venetoclax) are ranges *recalled* from the cited papers and
    unverified.  Where the table has no value — DS-1594b (no number recalled), revumenib and
    MI-503 in OCI-AML3, every drug in CD34+ cells — the IC50 is an **assumption**.  All Hill
    slopes (1.2 menin inhibitors, 1.5 venetoclax), maximal effects (tops) and bottoms (0) are
    **assumptions**, not literature.  The 7-day menin-inhibitor and 2–3-day venetoclax assays
    of the sources are used as if they were one assay.

    **Combination**: the potency-shift Bliss model of :func:`synergy.datasets.simulate`
    (``model="bliss"``): each drug's IC50 is divided by ``1 + s · p_partner``, ``p_partner``
    the partner's occupancy, then the two curves combine by Bliss independence.  Stated
    synergy strength ``s`` per sample: MOLM-13 9 and MV4-11 9 (up to a 10-fold potency gain,
    strong synergy), OCI-AML3 1 (up to 2-fold, weak), CD34+ 0 (Bliss-independent, none).  The
    true Bliss excess averaged over the 49 combination wells is then about 5–8 % points in
    MOLM-13, 3–6 in MV4-11 (venetoclax saturates most of its grid), 2 in OCI-AML3 and 0 in
    CD34+ (``true_bliss_delta``).  This is a choice of the simulation, loosely following
    reports of menin-inhibitor × venetoclax synergy in MLL-r and NPM1c AML; it is not a
    measured effect size.

    Returns
    -------
    xarray.Dataset
        A screen (docs/design.md §1) with a ``sample_kind`` coordinate and the ground truth of
        :func:`~synergy.datasets.simulate` (``true_response``, ``true_hill_row/col``,
        ``true_bliss_delta``, ``true_loewe_delta``, ``true_synergy_strength``); the
        parameters and the statements above are in ``attrs["provenance"]``.
    """
    params = monotherapy_parameters().set_index(["drug", "sample"])
    cells = [(s, d) for s in SAMPLES for d in MENIN_INHIBITORS]

    row_drugs = [d for _, d in cells]
    samples = [s for s, _ in cells]

    def hill_for(drugs: list[str]) -> dict[str, np.ndarray]:
        rows = params.loc[list(zip(drugs, samples, strict=True))]
        return {k: rows[k].to_numpy(float) for k in ("ic50", "hill_slope", "bottom", "top")}

    provenance = {
        "dataset": "menin_venetoclax",
        "description": "simulated menin inhibitor x venetoclax screen (synergy.datasets.menin)",
        "monotherapy_source": "/".join(_TABLE),
        "assumptions": "DS-1594b IC50s, CD34+ parameters, revumenib/MI-503 OCI-AML3 IC50s, "
        "all Hill slopes, tops and bottoms; unverified literature rows are recalled ranges",
        "combination_model": "bliss with potency shift: ic50_i / (1 + s * occupancy_partner)",
        "synergy_strength": SYNERGY_STRENGTH,
        "monotherapy_parameters": params.reset_index().to_dict(orient="records"),
    }
    screen = simulate(
        [str(i + 1) for i in range(len(cells))],
        model="bliss",
        hill_row=hill_for(row_drugs),
        hill_col=hill_for([PARTNER] * len(cells)),
        conc_row=np.array([np.concatenate([[0.0], DOSES_NM[d]]) for d in row_drugs]),
        conc_col=np.concatenate([[0.0], DOSES_NM[PARTNER]]),
        synergy_strength=[SYNERGY_STRENGTH[s] for s, _ in cells],
        noise_sd=NOISE_SD,
        n_replicates=N_REPLICATES,
        seed=SEED,
        drug_row=row_drugs,
        drug_col=PARTNER,
        sample=samples,
        conc_unit="nM",
        provenance=provenance,
    )
    kinds = np.array([SAMPLE_KIND[s] for s, _ in cells])
    return screen.assign_coords(sample_kind=("block", kinds))
