"""Agreement with published synergy scores, and method recovery on simulated truth (issue #11).

    .venv/bin/python benchmarks/bench_published.py [--recovery-blocks 100]
        [--noise 0,2,5,10] [--no-recovery]

Part 1 compares ``synergy.score`` with SynergyFinder 3's outputs (``sf_oneil``: the
replicate-mean run; ``sf_mathews``) and DrugComb's (``drugcomb_examples``, SynergyFinder 2
convention) through :func:`synergy.benchmark.compare`, under several settings, and prints
per data set and model the matched blocks, max / mean |diff| of block scores, the share
within 0.5 points, and the max |diff| of the per-well δ (combination wells) where the
published tables have surfaces.  Then ``convention="auto"``'s verdicts and the evidence
given for every block beyond tolerance.  Part 2 prints :func:`synergy.benchmark.recovery`.
"""

from __future__ import annotations

import argparse
import time
import warnings

from synergy.benchmark import compare, read_published, recovery
from synergy.datasets import load, path

SF = ("synergyfinder3_summary.csv", "synergyfinder3_surface.csv", "synergyfinder3_drc.csv")
DRUGCOMB = ("published_scores.csv", "published_well_scores_block1.csv")
CASES = [
    # label, data set, published files, compare() options
    ("sf_oneil, synergyfinder3 (drc)", "sf_oneil", SF, {"convention": "synergyfinder3"}),
    ("sf_mathews, synergyfinder3 (drc)", "sf_mathews", SF, {"convention": "synergyfinder3"}),
    ("sf_oneil, fitter lsq", "sf_oneil", SF, {"fitter": "lsq"}),
    ("sf_mathews, fitter lsq", "sf_mathews", SF, {"fitter": "lsq"}),
    ("sf_oneil, SF's fits injected", "sf_oneil", SF, {"use_published_fits": True}),
    ("sf_mathews, SF's fits injected", "sf_mathews", SF, {"use_published_fits": True}),
    (
        "sf_oneil, SF bootstrap run (replicates)",
        "sf_oneil",
        ("synergyfinder3_replicates_summary.csv",),
        {"convention": "synergyfinder3"},
    ),
    ("drugcomb, synergyfinder2", "drugcomb_examples", DRUGCOMB, {"convention": "synergyfinder2"}),
    ("drugcomb, synergyfinder3", "drugcomb_examples", DRUGCOMB, {"convention": "synergyfinder3"}),
]


def agreement_tables() -> None:
    print("| data, setting | model | blocks | max abs diff | mean abs diff | within 0.5 | "
          "wells: max abs diff |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    evidence, checks = [], []
    for label, name, files, options in CASES:
        pub = read_published([path(name) / f for f in files])
        result = compare(load(name), pub, **options)
        wells = result.well_summary
        for model, row in result.summary.iterrows():
            well = (
                f"{wells.loc[model, 'max_abs_diff']:.2g}"
                if wells is not None and model in wells.index
                else "–"
            )
            print(
                f"| {label} | {model} | {int(row.n)} | {row.max_abs_diff:.2g} | "
                f"{row.mean_abs_diff:.2g} | {row.within_tolerance:.0%} | {well} |"
            )
        if "fit_check" in result.blocks and options.get("convention") == "synergyfinder3":
            for r in result.blocks[result.blocks["fit_check"] != ""].itertuples():
                checks.append(f"- {label}, block {r.block} {r.model}: {r.fit_check}")
        for r in result.outside().itertuples():
            evidence.append(
                f"- {label}, block {r.block} {r.model} ({r.diff:+.2f}): {r.explanation}"
            )
    print("\nconvention='auto':")
    for name, files in (("drugcomb_examples", DRUGCOMB), ("sf_oneil", SF[:1])):
        result = compare(load(name), read_published([path(name) / f for f in files]),
                         convention="auto")  # fmt: skip
        verdict = ", ".join(f"{m} → {c}" for m, c in result.best.items())
        print(f"- {name}: {verdict}")
    print("\nfit check (default fitter drc; blocks whose fits lsq improves by > 1 % in SSE):")
    print("\n".join(checks))
    print("\nevidence for blocks beyond 0.5 points:")
    print("\n".join(evidence))


def recovery_table(n_blocks: int, noise: list[float]) -> None:
    start = time.perf_counter()
    result = recovery(n_blocks=n_blocks, noise=noise, seed=0)
    auc = result.auc.set_index(["noise", "model"])
    bias = result.bias.set_index(["noise", "model", "null"])
    print(f"\nrecovery: {n_blocks} blocks per scenario, 5×5 combinations, "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    print("| noise sd | model | AUC synergy vs Bliss null | AUC synergy vs Loewe null | "
          "AUC antagonism | bias, Bliss null | bias, Loewe null |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for (level, model), row in auc.iterrows():
        b = bias.loc[(level, model, "bliss_null")]
        lw = bias.loc[(level, model, "loewe_null")]
        print(
            f"| {level:g} | {model} | {row.auc_synergy_vs_bliss:.3f} | "
            f"{row.auc_synergy_vs_loewe:.3f} | {row.auc_antagonism:.3f} | "
            f"{b['mean']:+.2f} ± {b['sd']:.2f} | {lw['mean']:+.2f} ± {lw['sd']:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recovery-blocks", type=int, default=100)
    parser.add_argument("--noise", default="0,2,5,10")
    parser.add_argument("--no-recovery", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)
    agreement_tables()
    if not args.no_recovery:
        recovery_table(args.recovery_blocks, [float(x) for x in args.noise.split(",")])


if __name__ == "__main__":
    main()
