"""Reader speed: a 10,000-block 8×8×3 long table (1.92 M rows), DataFrame and CSV.

Run: ``.venv/bin/python benchmarks/bench_reader.py [--blocks 10000]``.
Prints a table of wall times (best of ``--repeat``) for read_screen (DataFrame, CSV),
to_table and the netCDF round trip.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import synergy
from synergy.io.store import open_screen, save_screen


def long_table(n_blocks: int, n_dose: int = 8, n_rep: int = 3, seed: int = 0) -> pd.DataFrame:
    """A DrugComb-style long table with two units and replicates."""
    rng = np.random.default_rng(seed)
    b, r, c, k = np.meshgrid(
        np.arange(n_blocks), np.arange(n_dose), np.arange(n_dose), np.arange(n_rep), indexing="ij"
    )
    doses = np.r_[0, np.logspace(-1, 2, n_dose - 1)]
    return pd.DataFrame(
        {
            "block_id": b.ravel() + 1,
            "drug_row": np.array(["revumenib", "ziftomenib"])[b.ravel() % 2],
            "drug_col": "venetoclax",
            "conc_r": doses[r.ravel()],
            "conc_c": doses[c.ravel()],
            "inhibition": rng.normal(50, 20, b.size),
            "conc_r_unit": "nM",
            "conc_c_unit": "uM",
            "cell_line_name": np.array(["MOLM-13", "MV4-11", "OCI-AML3"])[b.ravel() % 3],
            "replicate": k.ravel() + 1,
        }
    )


def best_of(repeat: int, function, *args):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blocks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", action="store_true", help="write the table into README.md")
    args = parser.parse_args()
    table = long_table(args.blocks)
    synergy.read_screen(table.head(1000))  # warm imports
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "screen.csv"
        table.to_csv(csv, index=False)
        rows = [("read_screen(DataFrame)", *best_of(args.repeat, synergy.read_screen, table))]
        rows.append(("read_screen(CSV)", *best_of(args.repeat, synergy.read_screen, csv)))
        screen = rows[0][2]
        rows.append(("to_table(level='well')", *best_of(args.repeat, synergy.to_table, screen)))
        nc = Path(tmp) / "screen.nc"
        rows.append(("save_screen(.nc)", *best_of(args.repeat, save_screen, screen, nc)))
        rows.append(("open_screen(.nc)", *best_of(args.repeat, open_screen, nc)))
    print(f"{len(table):,} rows, {args.blocks:,} blocks, dims {dict(screen.sizes)}")
    print(f"{'step':<26}{'seconds':>10}{'rows/s':>14}")
    for name, seconds, _ in rows:
        print(f"{name:<26}{seconds:>10.2f}{len(table) / seconds:>14,.0f}")
    if args.markdown:
        from _readme import markdown_table, write_table

        rows_md = [(f"`{name}`", f"{s:.2f}", f"{len(table) / s:,.0f}") for name, s, _ in rows]
        intro = f"{args.blocks:,} blocks × 8×8 doses × 3 replicates = {len(table):,} rows:\n\n"
        write_table("reader", intro + markdown_table(["step", "seconds", "rows/s"], rows_md))


if __name__ == "__main__":
    main()
