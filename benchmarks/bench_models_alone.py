"""Each reference model called alone on bench_models' screen, minimum of 3 calls (warm).

    .venv/bin/python benchmarks/bench_models_alone.py [--blocks 10000]

Prints one line, ``model=seconds`` for Bliss, HSA, Loewe grid100 and Loewe exact, on the
simulated 8×8×3 screen of ``bench_models.py`` with its true single-drug fits.  Run it
interleaved with the version compared against (the machine is shared).
"""

from __future__ import annotations

import argparse
import time
import warnings

from bench_models import simulate

from synergy.models import score_bliss, score_hsa, score_loewe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=10_000)
    args = parser.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)
    small = simulate(20, seed=1)
    for scorer in (score_bliss, score_hsa, score_loewe):
        scorer(small)
    score_loewe(small, solver="exact")
    screen = simulate(args.blocks)
    steps = [
        ("Bliss", score_bliss, {}),
        ("HSA", score_hsa, {}),
        ("Loewe grid100", score_loewe, {}),
        ("Loewe exact", score_loewe, {"solver": "exact"}),
    ]
    out = []
    for name, scorer, kwargs in steps:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            scorer(screen, **kwargs)
            best = min(best, time.perf_counter() - start)
        out.append(f"{name}={best:.4f}")
    print(" ".join(out))


if __name__ == "__main__":
    main()
