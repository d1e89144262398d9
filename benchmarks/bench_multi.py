"""Speed of N-drug scoring (issue #12): simulated 6×6×6 triplet blocks with replicates.

    .venv/bin/python benchmarks/bench_multi.py [--blocks 1000] [--repeat 1]

Scores Bliss + HSA + Loewe + ZIP (single-drug fits and ZIP slice fits included) with both
fitters, JIT warmed on a small screen first, and prints the wall time and blocks/s.
"""

from __future__ import annotations

import argparse
import time

import synergy
from synergy.datasets import simulate_multi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=1000)
    parser.add_argument("--doses", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--markdown", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    screen = simulate_multi(
        args.blocks, n_doses=args.doses, n_replicates=3, noise_sd=5.0, synergy_strength=1.0
    )
    warm = simulate_multi(4, n_doses=args.doses, n_replicates=3, noise_sd=5.0)
    n_slices = 3 * args.doses**2
    print(
        f"{args.blocks} blocks, 3 drugs × {args.doses} doses, 3 replicates "
        f"({args.doses**3} wells, ≤ {n_slices} ZIP slices per block)"
    )
    print("| fitter | seconds | blocks/s |")
    print("|---|---:|---:|")
    rows = []
    for fitter in ("lsq", "drc"):
        synergy.score(warm, fitter=fitter)
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            synergy.score(screen, fitter=fitter)
            best = min(best, time.perf_counter() - start)
        print(f"| {fitter} | {best:.1f} | {args.blocks / best:,.0f} |")
        rows.append((f"`{fitter}`", f"{best:.1f}", f"{args.blocks / best:,.0f}"))
    if args.markdown:
        from _readme import markdown_table, write_table

        write_table("multi", markdown_table(["fitter", "seconds", "blocks/s"], rows))


if __name__ == "__main__":
    main()
