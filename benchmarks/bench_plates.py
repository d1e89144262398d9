"""Plates to screen at scale: 200 384-well plates read, normalised, QC'd, turned into a screen.

Run: ``.venv/bin/python benchmarks/bench_plates.py [n_plates ...]``

The plates come from :func:`synergy.datasets.simulate_plates` (10 layouts x 5 samples x 4
replicates = 200 plates, 76,800 wells, 160 blocks of 8 x 10 with 4 replicates), written as
one grid-export text file (the reader's format) and its plate map as CSV.  Timed: reading
both (:func:`synergy.read_plates`), :func:`synergy.plates.normalize`,
:func:`synergy.plates.qc` and :func:`synergy.plates_to_screen` (with its QC); peak memory
by ``tracemalloc`` (Python allocations, numpy included) for 50, 100 and 200 plates.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import synergy
from synergy.datasets.simulate_plates import grid_export, grid_map_export, simulate_plates


def _inputs(n_plates: int, folder: Path) -> tuple[str, str, str]:
    n_layouts = max(1, n_plates // 20)
    sim = simulate_plates(n_layouts=n_layouts, n_samples=5, n_replicates=4, seed=1)
    reads, layout, plates = folder / "reads.txt", folder / "map.csv", folder / "plates.csv"
    reads.write_text(grid_export(sim.reads))
    sim.layout.to_csv(layout, index=False)
    (folder / "map_grid.txt").write_text(grid_map_export(sim.layout))
    sim.plates.to_csv(plates, index=False)
    return str(reads), str(layout), str(plates)


def run(n_plates: int, folder: Path) -> dict[str, float]:
    reads, layout, plates_table = _inputs(n_plates, folder)
    times = {}
    start = time.perf_counter()
    plates = synergy.read_plates(reads, layout, plates=plates_table)
    times["read"] = time.perf_counter() - start
    t = time.perf_counter()
    synergy.read_plates(reads, str(folder / "map_grid.txt"), plates=plates_table)
    times["read_grid_map"] = time.perf_counter() - t
    start += times["read_grid_map"]  # not part of the total: the same plates again
    t = time.perf_counter()
    plates = synergy.plates.normalize(plates)
    times["normalize"] = time.perf_counter() - t
    t = time.perf_counter()
    verdict = synergy.plates.qc(plates)
    times["qc"] = time.perf_counter() - t
    t = time.perf_counter()
    screen = synergy.plates_to_screen(plates, qc=verdict)
    times["to_screen"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - start
    times["plates"] = plates.sizes["plate"]
    times["blocks"] = screen.sizes["block"]
    times["flagged"] = int((verdict["qc_flags"] != 0).sum())
    return times


def peak_memory(n_plates: int, folder: Path) -> float:
    reads, layout, plates_table = _inputs(n_plates, folder)
    tracemalloc.start()
    plates = synergy.plates.normalize(synergy.read_plates(reads, layout, plates=plates_table))
    synergy.plates_to_screen(plates)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        run(20, folder)  # warm: imports, numba caches of nothing here, pandas paths
        print(
            "| plates | wells | blocks | read s | normalise s | QC s | to screen s | total s "
            "| read with grid map s |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in sizes:
            r = run(n, folder)
            print(
                f"| {r['plates']} | {r['plates'] * 384:,} | {r['blocks']} | {r['read']:.2f} | "
                f"{r['normalize']:.2f} | {r['qc']:.2f} | {r['to_screen']:.2f} | {r['total']:.2f} "
                f"| {r['read_grid_map']:.2f} |"
            )
        print()
        print("| plates | peak MiB (tracemalloc) |")
        print("|---:|---:|")
        for n in (50, 100, 200):
            print(f"| {n} | {peak_memory(n, folder):.0f} |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [200])
