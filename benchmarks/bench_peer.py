"""Side by side with the PyPI ``synergy`` package (D. Wooten, GPL) on the same simulated blocks.

Run with OUR venv::

    .venv/bin/python benchmarks/bench_peer.py [--blocks 10000] [--subset 40]
                                              [--peer-venv PATH] [--fitters drc,lsq]

The screen is ``bench_screen.py``'s: ``synergy.datasets.simulate(10000, n_doses=8,
n_replicates=3, noise_sd=5, seed=0)``.  ``--subset`` evenly spaced blocks of it are written
to a CSV (viability = 1 − inhibition/100, the peer's ``E``; one row per replicate) and
scored by the peer through ``benchmarks/peer/run_peer.py``, executed by the python of a
SEPARATE venv (``--peer-venv``, default ``$SYNERGY_PEER_VENV`` or
``benchmarks/peer/.venv``; created with ``pip install synergy==1.0.0 pandas`` if missing —
the peer is never installed in or imported by our venv).  In the same run, back to back,
``synergy.score`` scores the whole screen in-process (JIT warm), once per model and once with
all four, for each fitter; and the subset alone.

Printed: seconds per block per model for both sides and their ratio, then the agreement of
block scores (mean δ over the combination wells, % points) and of well δ between the peer
and us where the definitions are comparable (Pearson r, median and max |Δ|).  The peer's
definitions differ from SynergyFinder's in places (benchmarks/README.md, "Peer package");
the agreement table says which pairing each row is.  The machine is shared: timings are
indicative.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

HERE = Path(__file__).resolve().parent
RUN_PEER = HERE / "peer" / "run_peer.py"
PEER_REQUIREMENT = "synergy==1.0.0"
MODELS = ("bliss", "hsa", "loewe", "zip")


def simulate_screen(n_blocks: int, seed: int) -> xr.Dataset:
    """``bench_screen.py``'s simulated 8×8×3 screen."""
    from synergy.datasets import simulate

    return simulate(n_blocks, n_doses=8, n_replicates=3, noise_sd=5.0, seed=seed, truth=False)


def write_peer_csv(screen: xr.Dataset, path: Path) -> None:
    """One row per well and replicate: block_id, row, col, replicate, doses, viability."""
    response = screen["response"].values
    b, i, j, k = (a.ravel() for a in np.indices(response.shape))
    table = pd.DataFrame(
        {
            "block_id": screen["block"].values[b],
            "row": i,
            "col": j,
            "replicate": k,
            "conc_row": screen["conc_row"].values[b, i],
            "conc_col": screen["conc_col"].values[b, j],
            "viability": 1.0 - response.ravel() / 100.0,
        }
    )
    table.dropna(subset=["viability"]).to_csv(path, index=False, float_format="%.17g")


def ensure_peer_venv(venv: Path) -> Path:
    """Return the peer venv's python, creating the venv (and printing how) if missing."""
    python = venv / "bin" / "python"
    if python.exists():
        return python
    base = getattr(sys, "_base_executable", None) or shutil.which("python3") or "python3"
    for command in (
        [base, "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", PEER_REQUIREMENT, "pandas"],
    ):
        print("$ " + " ".join(command), flush=True)
        subprocess.run(command, check=True)
    return python


def run_peer(python: Path, screen: xr.Dataset, workdir: Path) -> tuple[pd.DataFrame, ...]:
    """Score ``screen`` with the peer in its venv; return (blocks, wells, wall seconds)."""
    data, out, wells = workdir / "blocks.csv", workdir / "peer.csv", workdir / "wells.csv"
    write_peer_csv(screen, data)
    command = [str(python), "-I", str(RUN_PEER), str(data), "--out", str(out)]
    command += ["--wells", str(wells)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    print("$ " + " ".join(command), flush=True)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"run_peer.py failed:\n{done.stderr}")
    print(done.stderr.strip().splitlines()[-1])
    blocks = pd.read_csv(out, dtype={"block_id": str, "error": str})
    return blocks, pd.read_csv(wells, dtype={"block_id": str}), wall


def time_ours(screen: xr.Dataset, fitter: str) -> dict[str, float]:
    """Seconds of ``synergy.score`` on ``screen`` per model alone and all four together."""
    from synergy.scoring import score

    seconds = {}
    for label, models in [(m, (m,)) for m in MODELS] + [("all four", MODELS)]:
        start = time.perf_counter()
        score(screen, models=models, fitter=fitter)
        seconds[label] = time.perf_counter() - start
    return seconds


def our_scores(screen: xr.Dataset) -> dict[str, xr.Dataset]:
    """Scored subset per variant compared with the peer (drc fits, SF3 unless named)."""
    from synergy.scoring import score

    return {
        "sf3": score(screen, fitter="drc"),
        "lsq": score(screen, fitter="lsq"),
        "exact": score(screen, models=("loewe",), fitter="drc", loewe_solver="exact"),
        "sf2": score(screen, models=("loewe", "zip"), convention="synergyfinder2"),
    }


# (label, peer model, our variant, our model)
PAIRINGS = [
    ("Bliss (peer median of replicates)", "bliss", "sf3", "bliss"),
    ("Bliss (peer with replicate mean)", "bliss_mean", "sf3", "bliss"),
    ("HSA (peer median of replicates)", "hsa", "sf3", "hsa"),
    ("HSA (peer with replicate mean)", "hsa_mean", "sf3", "hsa"),
    ("Loewe delta_HSA vs ours grid100, drc", "loewe", "sf3", "loewe"),
    ("Loewe delta_HSA vs ours exact, drc", "loewe", "exact", "loewe"),
    ("  same, wells where neither falls back", "loewe", "exact", "loewe_solved"),
    ("ZIP vs ours SF3, drc", "zip", "sf3", "zip"),
    ("ZIP vs ours SF3, lsq", "zip", "lsq", "zip"),
    ("ZIP vs ours SF2 convention", "zip", "sf2", "zip"),
]


def _well_values(scored: xr.Dataset, name: str, wells: pd.DataFrame) -> np.ndarray:
    """Our ``name`` (block, row, col) at the peer's wells."""
    index = pd.Index(scored["block"].values.astype(str))
    block = index.get_indexer(wells.block_id)
    return scored[name].values[block, wells.row.to_numpy(), wells.col.to_numpy()]


def solved_loewe_wells(label: str, peer_wells: pd.DataFrame, scored: xr.Dataset) -> tuple[str, str]:
    """Well δ agreement of Loewe where neither side uses its fallback reference."""
    wells = peer_wells[peer_wells.model == "loewe"]
    ours_fallback = _well_values(scored, "loewe_fallback", wells).astype(bool)
    keep = (wells.fallback.to_numpy() == 0) & ~ours_fallback
    diff = np.abs(wells.delta.to_numpy() - _well_values(scored, "loewe", wells))[keep]
    off = sorted(set(wells.block_id[keep][diff > 0.1]), key=int)
    row = (
        f"| {label:<38} | {'':>3} | {'':>6} | {'':>7} | {'':>7} | "
        f"{np.nanmedian(diff):7.3f} | {np.nanmax(diff):7.3f} |"
    )
    return row, f"Loewe wells solved by both with |Δ| > 0.1: blocks {', '.join(off) or 'none'}"


def fit_agreement(peer_blocks: pd.DataFrame, scored: xr.Dataset) -> list[str]:
    """Compare the peer's single-drug Hill fits (Loewe's) with ours (drc) on every curve.

    Lists the curves whose slope, IC50 or top differ, with each fit's residual sum of squares
    on that drug's single-agent wells (replicates, % inhibition²).
    """
    from synergy.hill import evaluate

    peer = peer_blocks[peer_blocks.model == "loewe"].set_index("block_id")
    ids = scored["block"].values.astype(str)
    position = pd.Index(ids).get_indexer(peer.index)
    response = scored["response"].values
    lines, summary = [], []
    for side in ("row", "col"):
        ours = scored[f"hill_{side}"].values[position]  # ic50, slope, bottom, top
        theirs = np.column_stack(
            [
                peer[f"{side}_C"],
                peer[f"{side}_h"],
                100 * (1 - peer[f"{side}_E0"]),
                100 * (1 - peer[f"{side}_Emax"]),
            ]
        )
        d_ic50 = np.abs(np.log10(theirs[:, 0] / ours[:, 0]))
        d_slope = np.abs(np.log10(theirs[:, 1] / ours[:, 1]))
        d_top = np.abs(theirs[:, 3] - ours[:, 3])
        summary.append(
            f"{side}: |Δlog10 IC50| median {np.median(d_ic50):.1e} max {d_ic50.max():.2g}, "
            f"|Δlog10 slope| median {np.median(d_slope):.1e} max {d_slope.max():.2g}"
        )
        conc = scored[f"conc_{side}"].values[position]
        single = response[position, :, 0, :] if side == "row" else response[position, 0, :, :]
        for k in np.flatnonzero((d_ic50 > 0.01) | (d_slope > 0.05) | (d_top > 0.5)):
            sse = [
                np.nansum((single[k] - evaluate(conc[k], *fit)[:, None]) ** 2)
                for fit in (theirs[k], ours[k])
            ]
            lines.append(
                f"  block {peer.index[k]} {side} drug: slope peer {theirs[k, 1]:.3g} / ours "
                f"{ours[k, 1]:.3g}, IC50 {theirs[k, 0]:.4g} / {ours[k, 0]:.4g}, "
                f"SSE {sse[0]:.2f} / {sse[1]:.2f}"
            )
    head = (
        f"single-drug fits, peer Hill (scipy curve_fit) vs ours (drc), {2 * len(peer)} "
        f"curves: {'; '.join(summary)}; curves differing (> 0.05 in log10 slope, > 0.01 in "
        f"log10 IC50 or > 0.5 points in top): {len(lines)}"
    )
    return [head, *lines]


def agreement(peer_blocks, peer_wells, ours: dict[str, xr.Dataset]) -> list[str]:
    """Markdown rows: r, median/max |Δ| of block scores and median/max |Δ| of well δ."""
    lines, notes = [], []
    for label, peer_model, variant, model in PAIRINGS:
        scored = ours[variant]
        if model == "loewe_solved":
            row, note = solved_loewe_wells(label, peer_wells, scored)
            lines.append(row)
            notes.append(note)
            continue
        ids = scored["block"].values.astype(str)
        mine = pd.Series(scored[f"{model}_score"].values, index=ids)
        theirs = peer_blocks[peer_blocks.model == peer_model].set_index("block_id")["score"]
        both = pd.concat([mine.rename("ours"), theirs.rename("peer")], axis=1).dropna()
        diff = (both.peer - both.ours).abs()
        r = np.corrcoef(both.ours, both.peer)[0, 1] if len(both) > 2 else np.nan
        wells = peer_wells[peer_wells.model == peer_model]
        well_diff = np.abs(wells.delta.to_numpy() - _well_values(scored, model, wells))
        lines.append(
            f"| {label:<38} | {len(both):>3} | {r:6.3f} | {diff.median():7.3f} | "
            f"{diff.max():7.3f} | {np.nanmedian(well_diff):7.3f} | {np.nanmax(well_diff):7.3f} |"
        )
    return [
        *lines,
        "(block scores and well δ in % points; r = Pearson over the blocks' scores)",
        *notes,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=10_000, help="our in-process screen")
    parser.add_argument("--subset", type=int, default=40, help="blocks scored by the peer")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fitters", default="drc,lsq")
    parser.add_argument(
        "--peer-venv",
        type=Path,
        default=Path(os.environ.get("SYNERGY_PEER_VENV", HERE / "peer" / ".venv")),
        help="venv holding the PyPI synergy package (created if missing)",
    )
    parser.add_argument("--keep", type=Path, help="keep the CSVs in this directory")
    args = parser.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)
    from synergy.scoring import score

    python = ensure_peer_venv(args.peer_venv)
    fitters = args.fitters.split(",")
    for fitter in fitters:  # JIT warm (numba's cache)
        score(simulate_screen(200, 1), fitter=fitter)
        score(simulate_screen(20, 1), models=("loewe",), loewe_solver="exact")
        score(simulate_screen(20, 1), models=("loewe", "zip"), convention="synergyfinder2")

    screen = simulate_screen(args.blocks, args.seed)
    picks = np.unique(np.linspace(0, args.blocks - 1, args.subset).round().astype(int))
    subset = screen.isel(block=picks)
    ours = {fitter: time_ours(screen, fitter) for fitter in fitters}
    start = time.perf_counter()
    scored_subset = our_scores(subset)
    subset_seconds = time.perf_counter() - start

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench_peer_"))
    workdir.mkdir(parents=True, exist_ok=True)
    peer_blocks, peer_wells, peer_wall = run_peer(python, subset, workdir)
    if args.keep is None:
        shutil.rmtree(workdir)

    n_sub = len(picks)
    failed = peer_blocks[peer_blocks.error.fillna("").astype(str) != ""]
    per_block = peer_blocks.groupby("model")["seconds"].mean()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nours: {args.blocks} blocks 8x8x3 in-process (seed {args.seed}); peer: {n_sub} of "
        f"them (every ~{args.blocks // n_sub}th); {os.cpu_count()} cores shared, load average "
        f"{load} at the end — indicative\n"
    )
    head = " | ".join(f"ours {f} ms/blk" for f in fitters)
    print(f"| {'model':<9} | {head} | peer ms/blk | peer / ours {fitters[0]} |")
    print("|" + "---|" * (len(fitters) + 3))
    for label in (*MODELS, "all four"):
        peer_s = per_block[list(MODELS)].sum() if label == "all four" else per_block[label]
        cells = " | ".join(f"{1e3 * ours[f][label] / args.blocks:>14.4f}" for f in fitters)
        ratio = peer_s / (ours[fitters[0]][label] / args.blocks)
        print(f"| {label:<9} | {cells} | {1e3 * peer_s:>11.1f} | {ratio:>14,.0f} |")
    totals = ", ".join(f"{ours[f]['all four']:.2f} s ({f})" for f in fitters)
    print(f"\nours, all four models on {args.blocks} blocks: {totals}")
    print(
        f"peer subprocess wall {peer_wall:.1f} s for {n_sub} blocks (incl. import and the "
        f"mean-aggregated Bliss/HSA variants); ours on the same {n_sub} blocks in-process "
        f"(sf3 drc + lsq + Loewe exact + SF2): {subset_seconds:.2f} s"
    )
    if len(failed):
        print(f"peer errors: {len(failed)} block-models, e.g. {failed.iloc[0].to_dict()}")
    loewe_fb = peer_blocks[peer_blocks.model == "loewe"].n_fallback
    ours_fb = scored_subset["sf3"]["loewe_n_fallback"].values
    print(
        f"Loewe fallback wells per block (of 49): peer (HSA when one drug alone passes the "
        f"weaker drug's Emax) median {loewe_fb.median():.0f}; ours (no drug alone reaches y) "
        f"median {np.median(ours_fb):.0f}\n"
    )
    print(
        f"| {'pairing (peer vs ours)':<38} | {'n':>3} | {'r':>6} | {'med|Δ|':>7} | "
        f"{'max|Δ|':>7} | {'well med':>7} | {'well max':>7} |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(agreement(peer_blocks, peer_wells, scored_subset)))
    print("\n".join(fit_agreement(peer_blocks, scored_subset["sf3"])))


if __name__ == "__main__":
    main()
