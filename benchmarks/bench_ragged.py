"""Memory and time of a ragged screen: 5,000 3×3 blocks with and without one 100×100 block.

Run::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_ragged.py
    PYTHONPATH=src .venv/bin/python benchmarks/bench_ragged.py --rows small,groups
    PYTHONPATH=src .venv/bin/python benchmarks/bench_ragged.py --rows small_boot,groups_boot

Every row runs in a fresh process: JIT warmed on a small screen, the screen simulated (Bliss
truth, noise sd 5, 2 replicates, seed 0), then scored with the four reference models by
``synergy.batch.score_screen``.  Rows:

- ``small``: the 5,000 3×3 blocks alone (the yardstick);
- ``groups``: the same plus one 100×100 block, held as its two shape groups (a list of
  screens; docs/design.md §16): scored group by group, the output is a list;
- ``dense``: the same 5,001 blocks as one dense Dataset padded to 100×100 (docs/design.md §1):
  ``score`` groups the blocks by shape inside, but the input and the scored surfaces are
  dense, so memory follows 5,001 × 100 × 100 cells;
- ``small_boot``, ``groups_boot``: ``small`` and ``groups`` with bootstrap intervals
  (``n_boot=20``, seed 0): every block's resamples are rescored at its own group's grid
  (docs/design.md §16.3).

Columns: wall time of scoring (s), peak RSS of the process (MB, ``ru_maxrss``, includes the
interpreter, numba and the input), and the peak of Python allocations during scoring
(``tracemalloc``, MB; numpy arrays included).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings

ROWS = ("small", "groups", "dense", "small_boot", "groups_boot")
N_BOOT = 20  # resamples per block of the ``*_boot`` rows


def one(row: str) -> dict:
    """Run one row in this process; return its figures."""
    warnings.simplefilter("ignore", RuntimeWarning)
    from synergy.batch import score_screen
    from synergy.datasets import simulate

    def screen(n: int, n_doses: int, seed: int, prefix: str = ""):
        blocks = [f"{prefix}{i}" for i in range(n)]
        return simulate(
            blocks, n_doses=n_doses, noise_sd=5.0, n_replicates=2, seed=seed, truth=False
        )

    options = {"n_boot": N_BOOT, "seed": 0} if row.endswith("_boot") else {}
    row_screen = row.removesuffix("_boot")
    score_screen(screen(20, 3, 1), progress=False, **options)  # JIT warm (numba's cache)
    score_screen(screen(2, 10, 1), progress=False, **options)
    small = screen(5000, 3, 0)
    if row_screen == "small":
        given = small
    else:
        groups = [small, screen(1, 100, 0, prefix="large")]
        if row_screen == "groups":
            given = groups
        else:  # padded with NaN by xarray itself, so older versions can run this row too
            import xarray as xr

            padded = small.pad(row=(0, 97), col=(0, 97), constant_values=float("nan"))
            padded["n_control"] = small["n_control"]
            given = xr.concat([padded, groups[1]], dim="block", data_vars="all")
            del groups, padded, small
    tracemalloc.start()
    start = time.perf_counter()
    scored = score_screen(given, progress=False, **options)
    wall = time.perf_counter() - start
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n_blocks = sum(s.sizes["block"] for s in (scored if isinstance(scored, list) else [scored]))
    return {
        "row": row,
        "blocks": n_blocks,
        "seconds": wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
        "traced_peak_mb": traced / 1e6,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated rows")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return 0
    print("| row | blocks | scoring (s) | peak RSS (MB) | traced peak (MB) |")
    print("|---|---:|---:|---:|---:|")
    for row in args.rows.split(","):
        done = subprocess.run(
            [sys.executable, __file__, "--one", row], capture_output=True, text=True, check=True
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {r['row']} | {r['blocks']:,} | {r['seconds']:.2f} | {r['peak_rss_mb']:.0f} "
            f"| {r['traced_peak_mb']:.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
