"""One comparison path for 2 and N drugs: agreement with SynergyFinder 3 in either layout.

    .venv/bin/python benchmarks/bench_published_layouts.py [--blocks 1000]

Part 1: :func:`synergy.benchmark.compare` of ``synergy.score`` with SynergyFinder 3.7's
tables — the three-drug NCATS block (``sf_ncats_3drug``) and the pair sets ``sf_mathews`` and
``sf_oneil`` read into the N-drug layout (``layout="multi"``, N = 2) as well as the pair
layout — with our drc replica's fits and with SynergyFinder's own fits injected: max |diff|
of block scores and of the per-well δ, per model.  Part 2: time of ``compare`` of a simulated
screen with its own block and well tables, pair layout against the same screen as N = 2
wells (matching, placement of published wells, block table; fit check off).
"""

from __future__ import annotations

import argparse
import time
import warnings

import synergy
from synergy.benchmark import compare
from synergy.datasets import BUNDLED, load, path, simulate
from synergy.io.reader import read_screen
from synergy.io.table import to_table

SF = ["synergyfinder3_summary.csv", "synergyfinder3_surface.csv", "synergyfinder3_drc.csv"]


def _wells(name: str):
    kind = BUNDLED[name].response_kind
    return read_screen(path(name) / "data.csv", response_kind=kind, layout="multi")


def agreement_table() -> None:
    print("| data, layout | fits | model | blocks | max abs diff | wells: max abs diff |")
    print("|---|---|---|---|---|---|")
    cases = [
        ("sf_ncats_3drug, N-drug", "sf_ncats_3drug", lambda: load("sf_ncats_3drug")),
        ("sf_mathews, pair", "sf_mathews", lambda: load("sf_mathews")),
        ("sf_mathews, N = 2 wells", "sf_mathews", lambda: _wells("sf_mathews")),
        ("sf_oneil, N = 2 wells", "sf_oneil", lambda: _wells("sf_oneil")),
    ]
    for label, name, screen in cases:
        for fits, inject in (("drc replica", False), ("SF's injected", True)):
            result = compare(
                screen(), [path(name) / f for f in SF], use_published_fits=inject, tolerance=0.01
            )
            for model, row in result.summary.iterrows():
                well = result.well_summary.loc[model, "max_abs_diff"]
                print(
                    f"| {label} | {fits} | {model} | {int(row.n)} | {row.max_abs_diff:.2g} | "
                    f"{well:.2g} |"
                )


def timing(n_blocks: int) -> None:
    pair = synergy.score(simulate(n_blocks, n_doses=6, noise_sd=3.0, seed=1, truth=False))
    tables = [to_table(pair, level="block"), to_table(pair, level="well")]
    wells = read_screen(to_table(pair, level="well"), layout="multi")
    wells = synergy.score(wells)
    print(f"\ncompare of {n_blocks} simulated 6 × 6 blocks with their own tables (s):")
    print("| layout | compare | blocks within 1e-9 |")
    print("|---|---|---|")
    for label, screen in (("pair", pair), ("N = 2 wells", wells)):
        compare(screen.isel(block=slice(0, 5)), tables, check_fits=False)  # warm
        start = time.perf_counter()
        result = compare(screen, tables, check_fits=False, tolerance=1e-9)
        took = time.perf_counter() - start
        print(f"| {label} | {took:.2f} | {result.blocks['within'].mean():.0%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=1000)
    args = parser.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)
    agreement_table()
    timing(args.blocks)


if __name__ == "__main__":
    main()
