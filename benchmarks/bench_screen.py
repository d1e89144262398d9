"""Whole-screen scoring: a simulated 8×8×3 screen, Hill fits + Bliss + HSA + Loewe + ZIP.

Run::

    .venv/bin/python benchmarks/bench_screen.py                      # 1k and 10k blocks
    .venv/bin/python benchmarks/bench_screen.py --blocks 1000,10000,100000 --whole 100000
    .venv/bin/python benchmarks/bench_screen.py --workers 2           # + a dask row

Every row runs in a fresh process (so its peak RSS is its own): JIT warmed on a 200-block
screen, the screen simulated in memory (10 % noise sd 5, 3 replicates, seed 0), then
``synergy.batch.score_screen`` timed — chunks of 2,000 blocks, in-process unless
``--workers``.  ``whole`` rows call ``synergy.score`` on the whole screen at once (no
chunking) for comparison.  Columns: wall time (s), blocks/s, RSS before scoring (input
held), peak RSS during the run (MB; ``ru_maxrss``, includes the output).  Figures are
indicative: the 2-core machine is shared.  The PyPI ``synergy`` package is not compared
here (it must never be installed in this venv).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def one(n_blocks: int, fitter: str, mode: str, workers: int | None) -> dict:
    """Time one configuration in this process; return its figures."""
    warnings.simplefilter("ignore", RuntimeWarning)
    from synergy.batch import score_screen
    from synergy.datasets import simulate
    from synergy.scoring import score

    def screen_of(n: int):
        return simulate(n, n_doses=8, n_replicates=3, noise_sd=5.0, seed=0, truth=False)

    score(screen_of(200), fitter=fitter)  # JIT warm (kernels load from numba's cache)
    screen = screen_of(n_blocks)
    rss_before = _rss_mb()
    start = time.perf_counter()
    if mode == "whole":
        scored = score(screen, fitter=fitter)
    else:
        scored = score_screen(screen, fitter=fitter, progress=False, workers=workers)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # kB -> MB
    return {
        "blocks": n_blocks,
        "fitter": fitter,
        "mode": mode if workers is None else f"dask:{workers}",
        "seconds": wall,
        "blocks_per_s": n_blocks / wall,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        "output_mb": scored.nbytes / 1e6,
        "failed": int((scored.status == 2).sum()),
    }


def _run_row(n_blocks: int, fitter: str, mode: str, workers: int | None) -> dict:
    command = [sys.executable, __file__, "--one", str(n_blocks), "--fitter", fitter]
    command += ["--mode", mode] + (["--workers", str(workers)] if workers else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="1000,10000", help="comma-separated sizes")
    parser.add_argument("--fitters", default="drc,lsq")
    parser.add_argument("--workers", type=int, default=None, help="add dask rows (10k blocks)")
    parser.add_argument(
        "--whole", default="10000", help="sizes that also get an unchunked row ('' for none)"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fitter", default="lsq", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="chunked", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.fitter, args.mode, args.workers)))
        return
    sizes = [int(s) for s in args.blocks.split(",")]
    rows = []
    for fitter in args.fitters.split(","):
        for n_blocks in sizes:
            rows.append(_run_row(n_blocks, fitter, "chunked", None))
            if str(n_blocks) in args.whole.split(","):
                rows.append(_run_row(n_blocks, fitter, "whole", None))
            if n_blocks == 10_000 and args.workers:
                rows.append(_run_row(n_blocks, fitter, "chunked", args.workers))
    header = (
        f"{'blocks':>8} {'fitter':>6} {'mode':>8} {'time s':>8} {'blocks/s':>9} "
        f"{'RSS in MB':>9} {'peak MB':>8} {'out MB':>7} {'failed':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['blocks']:>8} {row['fitter']:>6} {row['mode']:>8} {row['seconds']:>8.2f} "
            f"{row['blocks_per_s']:>9,.0f} {row['rss_before_mb']:>9.0f} "
            f"{row['peak_rss_mb']:>8.0f} {row['output_mb']:>7.0f} {row['failed']:>6}"
        )


if __name__ == "__main__":
    main()
