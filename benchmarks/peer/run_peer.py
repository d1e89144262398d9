"""Score blocks with the PyPI ``synergy`` package (D. Wooten, GPL) — run by ITS venv only.

This script is executed by the python of a separate virtual environment that holds
``synergy==1.0.0`` (see ``benchmarks/bench_peer.py``, which creates it and calls this script
through a subprocess).  It is never imported by our package or tests, and it only *calls*
the peer's public API (``synergy.combination``, ``synergy.single``).

Input CSV (one row per well and replicate)::

    block_id, row, col, replicate, conc_row, conc_col, viability

``viability`` is the fraction of the untreated response left (1 at no drug, falling with
dose) — the peer's ``E`` convention; ``bench_peer.py`` writes ``1 - inhibition / 100``.
``conc_row`` is the peer's ``d1``, ``conc_col`` its ``d2``; ``row``/``col`` are the well's
indices in our screen (carried through so wells can be matched without comparing floats).

Outputs:

* ``--out`` (per block and model): ``block_id, model, score, seconds, n_fallback, error``.
  ``score`` is the mean δ over the combination wells (both doses > 0) in % points,
  positive = synergy (the peer returns ``reference − E`` per row, with E a fraction; rows of
  a well are averaged first, then wells); ``seconds`` is the wall time of constructing and
  fitting that model on that block (single-drug fits included); ``n_fallback`` counts
  Loewe's combination wells whose reference is the HSA fallback (``mode="delta_HSA"``);
  Loewe's rows also give its single-drug Hill fits, ``row_E0, row_Emax, row_h, row_C`` and
  the same for ``col`` (E0/Emax as fractions, C in the input's concentration unit).
* ``--wells`` (per combination well): ``block_id, model, row, col, delta, fallback``
  (δ in % points, replicate mean; ``fallback`` 1 where Loewe's reference is the HSA
  fallback).

Models: ``bliss`` and ``hsa`` (default single-drug models: piecewise log-linear
interpolation of the *median* replicate), ``bliss_mean`` and ``hsa_mean`` (the same with
the replicate *mean*, SynergyFinder's aggregation), ``loewe`` (``Loewe(mode="delta_HSA")``
with 4-parameter Hill single-drug fits) and ``zip`` (``ZIP()``).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
import warnings

import numpy as np
import pandas as pd
from synergy.combination import HSA, ZIP, Bliss, Loewe
from synergy.single import LogLinear

MODELS = ("bliss", "hsa", "bliss_mean", "hsa_mean", "loewe", "zip")


def make_model(name: str):
    """Return an unfitted peer model for one of ``MODELS``."""
    if name == "bliss":
        return Bliss()
    if name == "hsa":
        return HSA()
    if name == "bliss_mean":
        return Bliss(drug1_model=LogLinear(np.mean), drug2_model=LogLinear(np.mean))
    if name == "hsa_mean":
        return HSA(drug1_model=LogLinear(np.mean), drug2_model=LogLinear(np.mean))
    if name == "loewe":
        return Loewe(mode="delta_HSA")
    if name == "zip":
        return ZIP()
    raise ValueError(f"unknown model {name!r}")


def loewe_fallback_rows(model, d1: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Combination rows whose Loewe reference equals the HSA fallback (min of the two E)."""
    hsa = np.minimum(model.drug1_model.E(d1), model.drug2_model.E(d2))
    return (d1 > 0) & (d2 > 0) & np.isclose(model.reference, hsa, rtol=0, atol=1e-12)


def score_block(block: pd.DataFrame, name: str) -> tuple[dict, pd.DataFrame | None]:
    """Fit one peer model on one block; return its summary row and per-well δ."""
    d1 = block["conc_row"].to_numpy(float)
    d2 = block["conc_col"].to_numpy(float)
    effect = block["viability"].to_numpy(float)
    row = {"model": name, "score": np.nan, "seconds": np.nan, "n_fallback": -1, "error": ""}
    start = time.perf_counter()
    try:
        model = make_model(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            synergy_rows = np.asarray(model.fit(d1, d2, effect), float)
    except Exception as exc:  # the peer raises on failed curve fits; keep the block
        row["seconds"] = time.perf_counter() - start
        row["error"] = f"{type(exc).__name__}: {exc}".replace("\n", " ")[:200]
        return row, None
    row["seconds"] = time.perf_counter() - start
    fallback = loewe_fallback_rows(model, d1, d2) if name == "loewe" else np.zeros(len(d1))
    frame = block[["row", "col", "conc_row", "conc_col"]].assign(
        delta=100.0 * synergy_rows, fallback=fallback.astype(int)
    )
    frame = frame[(frame.conc_row > 0) & (frame.conc_col > 0)]
    wells = frame.groupby(["row", "col"], as_index=False).agg(
        delta=("delta", "mean"), fallback=("fallback", "max")
    )
    if name == "loewe":
        row["n_fallback"] = int(wells["fallback"].sum())
        for side, drug in (("row", model.drug1_model), ("col", model.drug2_model)):
            for key, value in (("E0", drug.E0), ("Emax", drug.Emax), ("h", drug.h), ("C", drug.C)):
                row[f"{side}_{key}"] = float(value)
    row["score"] = float(wells["delta"].mean())
    return row, wells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="input CSV (block_id, row, col, conc_*, viability)")
    parser.add_argument("--out", required=True, help="per-block output CSV")
    parser.add_argument("--wells", required=True, help="per-well output CSV")
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    data = pd.read_csv(args.data, dtype={"block_id": str}).dropna(subset=["viability"])
    names = [m for m in args.models.split(",") if m]
    rows, wells = [], []
    for block_id, block in data.groupby("block_id", sort=False):
        for name in names:
            row, well = score_block(block, name)
            rows.append({"block_id": block_id, **row})
            if well is not None:
                wells.append(well.assign(block_id=block_id, model=name))
    pd.DataFrame(rows).to_csv(args.out, index=False)
    columns = ["block_id", "model", "row", "col", "delta", "fallback"]
    out_wells = pd.concat(wells) if wells else pd.DataFrame(columns=columns)
    out_wells[columns].to_csv(args.wells, index=False)
    from importlib.metadata import version

    print(f"peer synergy {version('synergy')}: {len(rows)} block-models", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
