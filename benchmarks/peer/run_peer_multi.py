"""Score N-drug blocks with the PyPI ``synergy`` package (D. Wooten, GPL) — run by ITS venv only.

Executed by the python of a separate virtual environment holding ``synergy==1.0.0`` (see
``benchmarks/bench_peer_multi.py``, which calls this script through a subprocess).  It is
never imported by our package or tests, and it only *calls* the peer's public N-drug API
(``synergy.higher``, ``synergy.single``).

Input CSV (one row per well and replicate)::

    block_id, well, replicate, conc1, …, concN, viability

``viability`` is the fraction of the untreated response left (1 at no drug, falling with
dose) — the peer's ``E``; ``bench_peer_multi.py`` writes ``1 - inhibition / 100``.
``well`` is the well's index in our screen (carried through so wells match without
comparing floats).

Outputs:

* ``--out`` (per block and model): ``block_id, model, seconds, score, n_wells, n_nan, error``.
  ``seconds`` is the wall time of constructing and fitting that model on that block
  (single-drug models included).  ``score`` is the mean of the per-well values over the
  wells where every drug is present; ``n_nan`` counts those wells whose value is NaN.
* ``--wells`` (per well with every drug present): ``block_id, model, well, value``: for
  Bliss/HSA the δ in % points (100·(reference − E), positive = synergy), for Loewe the peer's
  index Σᵢ dᵢ / Dᵢ(E) (1 = additive, < 1 synergy), each the mean over the well's replicate
  rows (NaN rows ignored; NaN if all are).

Models: ``bliss``, ``hsa``, ``loewe`` (defaults: single drugs as piecewise log-linear
interpolation of the *median* replicate), ``bliss_mean``, ``hsa_mean``, ``loewe_mean`` (the
same with the replicate *mean*) and ``loewe_hill`` (4-parameter Hill single-drug fits).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
import warnings

import numpy as np
import pandas as pd
from synergy.higher import HSA, Bliss, Loewe
from synergy.single import Hill, LogLinear

MODELS = ("bliss", "hsa", "loewe", "bliss_mean", "hsa_mean", "loewe_mean", "loewe_hill")


def make_model(name: str, n_drugs: int):
    """Return an unfitted peer N-drug model for one of ``MODELS``."""
    kind = {"bliss": Bliss, "hsa": HSA, "loewe": Loewe}[name.split("_")[0]]
    if name.endswith("_mean"):
        return kind(single_drug_models=[LogLinear(np.mean) for _ in range(n_drugs)])
    if name.endswith("_hill"):
        return kind(single_drug_models=[Hill() for _ in range(n_drugs)])
    return kind()


def score_block(block: pd.DataFrame, conc: list[str], name: str) -> tuple[dict, pd.DataFrame]:
    """Fit one peer model on one block; return its summary row and per-well values."""
    doses = block[conc].to_numpy(float)
    effect = block["viability"].to_numpy(float)
    row = {"model": name, "seconds": np.nan, "score": np.nan, "n_wells": 0, "n_nan": 0}
    row["error"] = ""
    start = time.perf_counter()
    try:
        model = make_model(name, len(conc))
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            values = np.asarray(model.fit(doses, effect), float)
    except Exception as exc:  # keep the block, record why
        row["seconds"] = time.perf_counter() - start
        row["error"] = f"{type(exc).__name__}: {exc}".replace("\n", " ")[:200]
        return row, pd.DataFrame(columns=["well", "value"])
    row["seconds"] = time.perf_counter() - start
    if not name.startswith("loewe"):
        values = 100.0 * values
    frame = block[["well"]].assign(value=values)[(doses > 0).all(axis=1)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wells = frame.groupby("well", as_index=False)["value"].mean()
    row["n_wells"] = len(wells)
    row["n_nan"] = int(wells["value"].isna().sum())
    row["score"] = float(wells["value"].mean())
    return row, wells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="input CSV (block_id, well, replicate, conc*, viability)")
    parser.add_argument("--out", required=True, help="per-block output CSV")
    parser.add_argument("--wells", required=True, help="per-well output CSV")
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    data = pd.read_csv(args.data, dtype={"block_id": str}).dropna(subset=["viability"])
    conc = [c for c in data.columns if c.startswith("conc")]
    names = [m for m in args.models.split(",") if m]
    rows, wells = [], []
    for block_id, block in data.groupby("block_id", sort=False):
        for name in names:
            row, well = score_block(block, conc, name)
            rows.append({"block_id": block_id, **row})
            wells.append(well.assign(block_id=block_id, model=name))
    pd.DataFrame(rows).to_csv(args.out, index=False)
    pd.concat(wells)[["block_id", "model", "well", "value"]].to_csv(args.wells, index=False)
    from importlib.metadata import version

    print(f"peer synergy {version('synergy')}: {len(rows)} block-models", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
