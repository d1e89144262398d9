"""Fit Zimmer and BRAID with the PyPI ``synergy`` package (D. Wooten, GPL) — ITS venv only.

Run by ``benchmarks/bench_braid_zimmer.py`` through a subprocess with the peer venv's
python (never imported by our package or tests; it only calls the peer's public API).

    python run_peer_bz.py DATA.csv OUT.csv

DATA columns: ``model`` (0 zimmer, 1 braid), ``block``, ``d1``, ``d2``, ``e`` (the fraction
unaffected, ``1 − inhibition / 100``: the peer's convention).  OUT: one row per block with
``model, block, seconds`` and the peer's parameters (``h1, h2, C1, C2, a12, a21`` for
``Zimmer()``; ``E0, E1, E2, E3, h1, h2, C1, C2, kappa`` for ``BRAID(mode="kappa")``), NaN
where the fit raised.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
from synergy.combination import BRAID, Zimmer

NAMES = ("E0", "E1", "E2", "E3", "h1", "h2", "C1", "C2", "a12", "a21", "kappa")


def main() -> None:
    warnings.simplefilter("ignore")
    data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
    rows = []
    for code in np.unique(data[:, 0]):
        part = data[data[:, 0] == code]
        for block in np.unique(part[:, 1]):
            d1, d2, e = part[part[:, 1] == block, 2:5].T
            model = Zimmer() if code == 0 else BRAID(mode="kappa")
            start = time.perf_counter()
            try:
                model.fit(d1, d2, e)
                params = model.get_parameters() if model.is_specified else {}
            except Exception:  # a failed peer fit is a NaN row
                params = {}
            seconds = time.perf_counter() - start
            values = [float(params.get(n, np.nan)) for n in NAMES]
            rows.append([code, block, seconds, *values])
    header = ",".join(["model", "block", "seconds", *NAMES])
    np.savetxt(sys.argv[2], np.array(rows), delimiter=",", header=header, comments="")


if __name__ == "__main__":
    main()
