"""Memory and time to read and score a ragged long table: 5,000 3×3 blocks, with and without
one 100×100 block (docs/design.md §16.4).

Run::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_read_groups.py
    PYTHONPATH=src .venv/bin/python benchmarks/bench_read_groups.py --rows small,groups

The tables (Bliss truth, noise sd 5, 2 replicates, seed 0, one row per well and replicate)
are written once as CSV to a temporary folder.  Every row runs in a fresh process: JIT warmed
on a small screen, then the CSV read and scored with the four reference models.  Rows:

- ``small``: the 5,000 3×3 blocks alone, ``read_screen`` (one dense screen) then
  ``score_screen`` (the yardstick);
- ``groups``: the same plus one 100×100 block, ``read_screen(..., groups=True)`` (two shape
  groups, the dense screen never built) then ``score_screen`` of the list;
- ``dense-read``: the 5,001-block table read as one dense screen (``read_screen`` as
  before): the read only; scoring that screen is the ``dense`` row of bench_ragged.py.

Columns: seconds to read, seconds to score, peak RSS of the process (MB, ``ru_maxrss``:
interpreter, numba, input, output) and the peak of Python allocations during read + score
(``tracemalloc``, MB; numpy arrays included).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

ROWS = ("small", "groups", "dense-read")


def _screen(n: int, n_doses: int, seed: int, prefix: str = ""):
    from synergy.datasets import simulate

    blocks = [f"{prefix}{i}" for i in range(n)]
    return simulate(blocks, n_doses=n_doses, noise_sd=5.0, n_replicates=2, seed=seed, truth=False)


def write_tables(folder: Path) -> dict[str, Path]:
    """The two long tables as CSV: ``small`` (5,000 3×3) and ``ragged`` (+ one 100×100)."""
    import pandas as pd

    from synergy.io.table import to_table

    small = to_table(_screen(5000, 3, 0))
    large = to_table(_screen(1, 100, 0, prefix="large"))
    paths = {"small": folder / "small.csv", "ragged": folder / "ragged.csv"}
    small.to_csv(paths["small"], index=False)
    pd.concat([small, large], ignore_index=True).to_csv(paths["ragged"], index=False)
    return paths


def one(row: str, folder: Path) -> dict:
    """Run one row in this process; return its figures."""
    warnings.simplefilter("ignore", RuntimeWarning)
    from synergy.batch import score_screen
    from synergy.io.reader import read_screen

    score_screen(_screen(20, 3, 1), progress=False)  # JIT warm (numba's cache)
    score_screen(_screen(2, 10, 1), progress=False)
    path = folder / ("small.csv" if row == "small" else "ragged.csv")
    tracemalloc.start()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # dense-read: the warning naming groups
        screen = read_screen(path, groups=row == "groups")
    read = time.perf_counter() - start
    scoring = float("nan")
    if row != "dense-read":
        start = time.perf_counter()
        scored = score_screen(screen, progress=False)
        scoring = time.perf_counter() - start
        screen = scored
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    parts = screen if isinstance(screen, list) else [screen]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    blocks = sum(s.sizes["block"] for s in parts)
    figures = (row, blocks, len(parts), read, scoring, rss, traced / 1e6)
    return dict(zip(COLUMNS, figures, strict=True))


#: the table's columns: (key, header, format)
COLUMNS = {
    "row": ("row", "{}"),
    "blocks": ("blocks", "{:,}"),
    "groups": ("groups", "{}"),
    "read_s": ("read (s)", "{:.2f}"),
    "score_s": ("scoring (s)", "{:.2f}"),
    "peak_rss_mb": ("peak RSS (MB)", "{:.0f}"),
    "traced_peak_mb": ("traced peak (MB)", "{:.0f}"),
}


def _fresh(row: str, folder: str) -> dict:
    """One row in a new interpreter (peak RSS is per process)."""
    command = [sys.executable, __file__, "--one", row, "--folder", folder]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated rows")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, Path(args.folder))))
        return 0
    print("| " + " | ".join(header for header, _ in COLUMNS.values()) + " |")
    print("|---" + "|---:" * (len(COLUMNS) - 1) + "|")
    with tempfile.TemporaryDirectory() as folder:
        write_tables(Path(folder))
        for row in args.rows.split(","):
            figures = _fresh(row, folder)
            cells = (fmt.format(figures[key]) for key, (_, fmt) in COLUMNS.items())
            print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
